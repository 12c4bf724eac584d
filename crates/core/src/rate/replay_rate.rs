//! `replay-rate`: sends transactions at the times a record file holds.
//!
//! The file (written by `record-rate`, here or in Caliper) is read when the controller is built,
//! so a missing or malformed file stops the round before it sends anything. Transaction i goes
//! at record i, in milliseconds since the round start. Past the last record each transaction
//! goes `defaultSleepTime` after the previous one, with one warning.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::opts::{Opts, record_path};
use super::record_rate::RecordFormat;
use super::{Pace, RateContext, RateController, RateError, RoundView};

/// Replays `pathTemplate` (`<R>` round, `<C>` worker, both 0-based) in `inputFormat` (TEXT,
/// BIN_BE or BIN_LE); past its end, one transaction per `defaultSleepTime` (default 100 ms, the
/// value in Caliper's code). `logWarnings` is accepted for Caliper's configurations.
#[derive(Debug, Clone)]
pub struct ReplayRate {
    /// Intended send times in milliseconds since the round start.
    records: Vec<u64>,
    default_sleep: Duration,
    /// How many transactions were asked about so far (records are per transaction asked).
    asked: usize,
    /// The last time given, where the default spacing continues from.
    last: Duration,
    /// Whether running past the records was reported.
    warned: bool,
    path: PathBuf,
}

impl ReplayRate {
    /// Reads the options and the record file.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new(
            "replay-rate",
            opts,
            &["pathTemplate", "inputFormat", "defaultSleepTime", "logWarnings"],
        )?;
        let template = opts.text("pathTemplate")?.ok_or_else(|| {
            opts.missing("pathTemplate", "the record file to replay, such as records/rate-<R>-<C>.txt")
        })?;
        let format = RecordFormat::from_opts(&opts, "inputFormat")?;
        let default_sleep = opts.millis("defaultSleepTime")?.unwrap_or(Duration::from_millis(100));
        opts.flag("logWarnings")?;
        let path = record_path(template, ctx);
        let file_error = |message: String| RateError::File { path: path.clone(), message };
        let bytes = std::fs::read(&path).map_err(|e| {
            file_error(format!(
                "cannot read the record file of replay-rate (rateControl.opts.pathTemplate): {e}"
            ))
        })?;
        let records =
            format.decode(&bytes).map_err(|e| file_error(format!("not a {format:?} record file: {e}")))?;
        Ok(Self { records, default_sleep, asked: 0, last: Duration::ZERO, warned: false, path })
    }
}

impl RateController for ReplayRate {
    fn next(&mut self, _view: &RoundView) -> Pace {
        let i = self.asked;
        self.asked = self.asked.saturating_add(1);
        self.last = match self.records.get(i) {
            Some(&ms) => Duration::from_millis(ms),
            None => {
                if !self.warned {
                    self.warned = true;
                    tracing::warn!(
                        path = %self.path.display(),
                        records = self.records.len(),
                        "replay-rate ran past the end of its records; sending one transaction every {:?}",
                        self.default_sleep
                    );
                }
                self.last.saturating_add(self.default_sleep)
            }
        };
        Pace::At(self.last)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::build;
    use super::super::testutil::*;
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn record_then_replay_reproduces_the_times_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = RateContext { workspace: dir.path().into(), ..ctx_tx(50, 2) };
        let ramp = json!({"type": "linear-rate", "opts": {"startingTps": 20, "finishingTps": 200}});
        for format in ["TEXT", "bin_be", "BIN_LE"] {
            let template = format!("traces/<R>/{format}-<C>.rec");
            let record = json!({"rateController": ramp, "pathTemplate": template, "outputFormat": format});
            let mut recorder = build(&spec("record-rate", record), &ctx).unwrap();
            let recorded = schedule(recorder.as_mut(), 50);
            recorder.end().unwrap();

            let replay = json!({"pathTemplate": template, "inputFormat": format});
            let mut replayer = build(&spec("replay-rate", replay), &ctx).unwrap();
            let replayed = schedule(replayer.as_mut(), 50);
            for (a, b) in recorded.iter().zip(&replayed) {
                assert!(a.abs_diff(*b) <= Duration::from_micros(500), "{format}: {a:?} vs {b:?}");
            }
            assert_eq!(replayed.len(), 50);
        }
    }

    #[test]
    fn past_the_end_uses_the_default_spacing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.txt"), "5\n40\n\n").unwrap();
        let ctx = RateContext { workspace: dir.path().into(), ..ctx_secs(10, 1) };
        let mut c =
            ReplayRate::new(&json!({"pathTemplate": "t.txt", "defaultSleepTime": "20"}), &ctx).unwrap();
        let times: Vec<_> = (0..4).map(|k| at(c.next(&view(Duration::ZERO, k)))).collect();
        assert_eq!(times, [5, 40, 60, 80].map(ms));
        assert!(c.warned);
    }

    #[test]
    fn missing_file_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = RateContext { workspace: dir.path().into(), round_index: 1, ..ctx_tx(1, 1) };
        let err = build_err(&spec("replay-rate", json!({"pathTemplate": "nope-<R>.txt"})), &ctx);
        match err {
            RateError::File { path, message } => {
                assert_eq!(path, dir.path().join("nope-1.txt"));
                assert!(message.contains("cannot read"), "{message}");
            }
            other => panic!("expected a file error, got {other}"),
        }
    }

    #[test]
    fn malformed_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.bin"), [9, 0, 0, 0]).unwrap();
        let ctx = RateContext { workspace: dir.path().into(), ..ctx_tx(1, 1) };
        let err =
            build_err(&spec("replay-rate", json!({"pathTemplate": "t.bin", "inputFormat": "BIN_LE"})), &ctx);
        assert!(matches!(err, RateError::File { .. }), "{err}");
    }

    #[test]
    fn option_errors() {
        let ctx = ctx_tx(1, 1);
        let (path, _) = option_error(build_err(&spec("replay-rate", json!({})), &ctx));
        assert_eq!(path, "opts.pathTemplate");
        let (path, message) =
            option_error(build_err(&spec("replay-rate", json!({"pathtemplate": "x"})), &ctx));
        assert_eq!(path, "opts.pathtemplate");
        assert!(message.contains("did you mean pathTemplate?"), "{message}");
        let opts = json!({"pathTemplate": "x", "defaultSleepTime": -1});
        assert_eq!(option_error(build_err(&spec("replay-rate", opts), &ctx)).0, "opts.defaultSleepTime");
    }
}
