//! `record-rate`: runs another controller and writes down when each transaction was meant to go.
//!
//! For every transaction it keeps the intended send time, in whole milliseconds since the round
//! start, and at the end of the round writes them to `pathTemplate` for `replay-rate` to play
//! back. A closed-loop pace has no schedule, so for it the moment of release is recorded: the
//! loop asks about the next transaction right after one goes, so that record is completed at
//! the next question (the time of asking stands when no question follows). The file format
//! ([`RecordFormat`]) is Caliper's, so traces move between the two implementations.
//!
//! Caliper records the time its sleep returned, so a trace carries the generator's jitter;
//! here the trace is the schedule itself.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::opts::{Opts, nested, record_path};
use super::{Pace, RateContext, RateController, RateError, RoundView, build_nested};
use crate::suggest::did_you_mean;

/// How send times are stored in a record file (Caliper's three formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// One decimal integer (milliseconds) per line.
    Text,
    /// A big-endian u32 count, then one big-endian u32 per record.
    BinBe,
    /// A little-endian u32 count, then one little-endian u32 per record.
    BinLe,
}

impl RecordFormat {
    /// The names users write, in upper case (they are matched case-insensitively).
    pub const NAMES: [&str; 3] = ["TEXT", "BIN_BE", "BIN_LE"];

    /// Reads the format option `key` of `opts`; TEXT when absent.
    pub(super) fn from_opts(opts: &Opts<'_>, key: &str) -> Result<Self, RateError> {
        let Some(name) = opts.text(key)? else { return Ok(Self::Text) };
        match name.trim().to_ascii_uppercase().as_str() {
            "TEXT" => Ok(Self::Text),
            "BIN_BE" => Ok(Self::BinBe),
            "BIN_LE" => Ok(Self::BinLe),
            _ => {
                let hint = match did_you_mean(name, Self::NAMES) {
                    Some(best) => format!("did you mean {best}? "),
                    None => String::new(),
                };
                Err(opts.error(
                    key,
                    format!("unknown format \"{name}\"; {hint}(the formats are TEXT, BIN_BE, BIN_LE)"),
                ))
            }
        }
    }

    /// The bytes of a file holding `records` (milliseconds).
    pub fn encode(self, records: &[u64]) -> Result<Vec<u8>, String> {
        if self == Self::Text {
            let mut text = String::with_capacity(records.len() * 8);
            for r in records {
                text.push_str(&r.to_string());
                text.push('\n');
            }
            return Ok(text.into_bytes());
        }
        let count = u32::try_from(records.len()).map_err(|_| {
            format!("{} records do not fit the binary format's u32 count; use TEXT", records.len())
        })?;
        let mut bytes = Vec::with_capacity(4 + 4 * records.len());
        self.push_u32(&mut bytes, count);
        for (i, &r) in records.iter().enumerate() {
            let ms = u32::try_from(r).map_err(|_| {
                format!("record {i} is {r} ms, beyond the binary format's u32 range; use TEXT")
            })?;
            self.push_u32(&mut bytes, ms);
        }
        Ok(bytes)
    }

    /// The records (milliseconds) in the bytes of a file.
    pub fn decode(self, bytes: &[u8]) -> Result<Vec<u64>, String> {
        if self == Self::Text {
            let text =
                std::str::from_utf8(bytes).map_err(|_| "not a TEXT record file (not UTF-8)".to_string())?;
            return text
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .map(|(i, line)| {
                    line.trim().parse::<u64>().map_err(|_| {
                        format!("line {}: expected whole milliseconds, got \"{}\"", i + 1, line.trim())
                    })
                })
                .collect();
        }
        let word = |at: usize| -> Option<u32> {
            let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
            Some(if self == Self::BinBe { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
        };
        let count = word(0).ok_or("too short for a binary record file (no count)")? as usize;
        let expected = count.checked_mul(4).and_then(|n| n.checked_add(4));
        if expected != Some(bytes.len()) {
            return Err(format!(
                "the count says {count} records ({} bytes) but the file has {} bytes; is the format right?",
                expected.map_or("too many".to_string(), |n| n.to_string()),
                bytes.len()
            ));
        }
        Ok((0..count).filter_map(|i| word(4 + 4 * i)).map(u64::from).collect())
    }

    fn push_u32(self, bytes: &mut Vec<u8>, value: u32) {
        match self {
            Self::BinBe => bytes.extend_from_slice(&value.to_be_bytes()),
            _ => bytes.extend_from_slice(&value.to_le_bytes()),
        }
    }
}

/// Wraps `rateController` and writes each transaction's intended send time to `pathTemplate`
/// (`<R>` round, `<C>` worker, both 0-based) in `outputFormat` (TEXT, BIN_BE or BIN_LE) when the
/// round ends; `logEnd` logs the write at info level instead of debug.
pub struct RecordRate {
    inner: Box<dyn RateController>,
    path: PathBuf,
    format: RecordFormat,
    log_end: bool,
    /// Intended send times so far, in milliseconds since the round start.
    records: Vec<u64>,
    /// A closed-loop record whose release time the next question tells.
    open: Option<usize>,
    /// Whether the file was written (a second `end` must not write a shorter one).
    written: bool,
}

impl RecordRate {
    /// Reads the options and builds the wrapped controller.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts =
            Opts::new("record-rate", opts, &["rateController", "pathTemplate", "outputFormat", "logEnd"])?;
        let inner = opts
            .spec("rateController")?
            .ok_or_else(|| opts.missing("rateController", "the controller to record, as {type, opts}"))?;
        let template = opts.text("pathTemplate")?.ok_or_else(|| {
            opts.missing("pathTemplate", "the file to write, such as records/rate-<R>-<C>.txt")
        })?;
        let format = RecordFormat::from_opts(&opts, "outputFormat")?;
        let log_end = opts.flag("logEnd")?.unwrap_or(false);
        let inner = build_nested(&inner, ctx).map_err(|e| nested(e, "opts.rateController"))?;
        let mut records = Vec::new();
        if let Some(n) = ctx.tx_number {
            // A huge txNumber must not abort the worker: without the reservation the vector
            // just grows as it goes.
            let _ = records.try_reserve_exact(usize::try_from(n).unwrap_or(usize::MAX));
        }
        Ok(Self {
            inner,
            path: record_path(template, ctx),
            format,
            log_end,
            records,
            open: None,
            written: false,
        })
    }

    fn write(&self) -> Result<(), RateError> {
        let file_error = |message: String| RateError::File { path: self.path.clone(), message };
        let bytes = self.format.encode(&self.records).map_err(file_error)?;
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| file_error(format!("cannot create the record file's folder: {e}")))?;
        }
        std::fs::write(&self.path, bytes)
            .map_err(|e| file_error(format!("cannot write the record file: {e}")))?;
        if self.log_end {
            tracing::info!(path = %self.path.display(), records = self.records.len(), "record-rate wrote its records");
        } else {
            tracing::debug!(path = %self.path.display(), records = self.records.len(), "record-rate wrote its records");
        }
        Ok(())
    }
}

/// Rounded to the nearest millisecond, so a replay is off by half a millisecond at most.
fn millis(t: Duration) -> u64 {
    let ms = (t.as_nanos() + 500_000) / 1_000_000;
    u64::try_from(ms).unwrap_or(u64::MAX)
}

impl RateController for RecordRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        let now = millis(view.elapsed);
        if let Some(record) = self.open.take().and_then(|i| self.records.get_mut(i)) {
            *record = now.max(*record);
        }
        let pace = self.inner.next(view);
        match pace {
            Pace::At(t) => self.records.push(millis(t)),
            Pace::WhenInFlightBelow(_) => {
                self.open = Some(self.records.len());
                self.records.push(now);
            }
            // No transaction follows an Idle answer, so there is nothing to record.
            Pace::Idle => {}
        }
        pace
    }

    fn end(&mut self) -> Result<(), RateError> {
        let inner = self.inner.end();
        if !self.written {
            self.written = true;
            self.write()?;
        }
        inner
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::build;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn formats_round_trip() {
        let records = [0, 2, 1998, 2000, u64::from(u32::MAX)];
        for format in [RecordFormat::Text, RecordFormat::BinBe, RecordFormat::BinLe] {
            let bytes = format.encode(&records).unwrap();
            assert_eq!(format.decode(&bytes).unwrap(), records, "{format:?}");
        }
        assert_eq!(RecordFormat::Text.encode(&[1, 20]).unwrap(), b"1\n20\n");
        assert_eq!(RecordFormat::BinBe.encode(&[1]).unwrap(), [0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(RecordFormat::BinLe.encode(&[1]).unwrap(), [1, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn bad_files_are_explained() {
        assert!(RecordFormat::Text.decode(b"1\nten\n").unwrap_err().contains("line 2"));
        assert!(RecordFormat::BinLe.decode(&[5, 0, 0, 0, 1, 0, 0, 0]).unwrap_err().contains("5 records"));
        assert!(RecordFormat::BinBe.decode(&[0, 0]).is_err());
        assert!(RecordFormat::BinBe.encode(&[1 << 40]).unwrap_err().contains("use TEXT"));
    }

    #[test]
    fn records_the_schedule_and_writes_it_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let ctx =
            RateContext { workspace: dir.path().into(), round_index: 3, worker_index: 1, ..ctx_tx(5, 2) };
        let opts = json!({
            "rateController": {"type": "fixed-rate", "opts": {"tps": 6}},
            "pathTemplate": "out/deep/rec-<R>-<C>.txt",
            "outputFormat": "text",
        });
        let mut c = build(&spec("record-rate", opts), &ctx).unwrap();
        assert_eq!(schedule(c.as_mut(), 5)[1], Duration::from_nanos(333_333_333));
        c.end().unwrap();
        let text = std::fs::read_to_string(dir.path().join("out/deep/rec-3-1.txt")).unwrap();
        assert_eq!(text, "0\n333\n667\n1000\n1333\n");
    }

    #[test]
    fn closed_loop_records_the_release_time() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = RateContext { workspace: dir.path().into(), ..ctx_secs(10, 1) };
        let opts = json!({"rateController": {"type": "fixed-load"}, "pathTemplate": "r.txt"});
        let mut c = RecordRate::new(&opts, &ctx).unwrap();
        let asked = |ms, submitted| RoundView {
            elapsed: Duration::from_millis(ms),
            submitted,
            finished: 1,
            ..RoundView::default()
        };
        c.next(&asked(1234, 3));
        assert_eq!(c.records, [1234], "until it goes, the time of asking");
        // It went at 1300 ms; the loop asks about the next one right after.
        c.next(&asked(1300, 4));
        assert_eq!(c.records, [1300, 1300]);
    }

    #[test]
    fn option_errors() {
        let ctx = ctx_tx(1, 1);
        let err = |opts: Value| option_error(build_err(&spec("record-rate", opts), &ctx));
        let inner = json!({"type": "fixed-rate"});
        let (path, message) = err(json!({"pathTemplate": "x"}));
        assert_eq!(path, "opts.rateController");
        assert!(message.contains("required"), "{message}");
        let (path, _) = err(json!({"rateController": inner}));
        assert_eq!(path, "opts.pathTemplate");
        let (path, message) =
            err(json!({"rateController": inner, "pathTemplate": "x", "outputFormat": "BIN-BE"}));
        assert_eq!(path, "opts.outputFormat");
        assert!(message.contains("did you mean BIN_BE?"), "{message}");
        let (path, _) =
            err(json!({"rateController": {"type": "fixed-rate", "opts": {"tps": "x"}}, "pathTemplate": "x"}));
        assert_eq!(path, "opts.rateController.opts.tps");
        let (path, message) = err(json!({"rateController": {"kind": "fixed-rate"}, "pathTemplate": "x"}));
        assert_eq!(path, "opts.rateController.kind");
        assert!(message.contains("a rate controller has type and opts"), "{message}");
        let (path, _) = err(json!({"ratecontroller": inner, "pathTemplate": "x"}));
        assert_eq!(path, "opts.ratecontroller");
    }
}
