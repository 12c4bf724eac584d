//! Rate controllers: when each transaction of a worker is meant to be sent.
//!
//! Pacing is a schedule, not a sleep per transaction: a controller answers, for the next
//! transaction, the time it is meant to be sent (its intended time, measured from the round
//! start) or the in-flight limit below which it may go. The worker loop releases every
//! transaction whose time has come, so the mean rate is exact at any rate the machine can
//! sustain, and every transaction carries its intended time for latency corrected for
//! coordinated omission.
//!
//! Caliper's nine controllers keep their names, options and defaults; every TPS option is a
//! total for the benchmark and is divided by the number of workers. [`build`] is the one place
//! a `rateControl.type` becomes a controller; each controller lives in its own file, and
//! `opts.rs` holds the option checks they share. A tenth, `peak-search`, is not Caliper's: the
//! manager runs it as a series of fixed-rate steps (`peak_search.rs`). `docs/rate-controllers.md` is the user's guide
//! and `docs/differences-from-caliper.md` lists where the behaviour deliberately differs.
//!
//! Controllers count the transactions they were asked about (one `next` per transaction), so a
//! schedule stays exact when the connector's `txs_submitted` events lag behind the loop. When
//! the submitted count is ahead of that count (a workload that sends a batch per call), the
//! schedule follows the submitted count, as Caliper's does: a TPS option then counts requests.

mod composite_rate;
mod fixed_feedback_rate;
mod fixed_load;
mod fixed_rate;
mod linear_rate;
mod maximum_rate;
mod opts;
mod peak_search;
mod peak_step;
mod record_rate;
mod replay_rate;
mod zero_rate;

pub use composite_rate::CompositeRate;
pub use fixed_feedback_rate::FixedFeedbackRate;
pub use fixed_load::FixedLoad;
pub use fixed_rate::FixedRate;
pub use linear_rate::LinearRate;
pub use maximum_rate::MaximumRate;
pub use peak_search::{LatencyLimits, Limits, PEAK_SEARCH, PERCENTILES, PeakSearchPlan, Search};
pub use peak_step::{PeakSearchOutcome, StepLatency, StepOutcome};
pub use record_rate::{RecordFormat, RecordRate};
pub use replay_rate::ReplayRate;
pub use zero_rate::ZeroRate;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `rateControl` of a round: `{type, opts}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateControlSpec {
    /// The controller name, such as `fixed-rate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The controller's options (an object; empty when absent).
    #[serde(default)]
    pub opts: Value,
}

/// What a controller sees of its round when it decides on the next transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoundView {
    /// Time since the round started.
    pub elapsed: Duration,
    /// Transactions submitted so far (from the connector's events).
    pub submitted: u64,
    /// Transactions finished so far.
    pub finished: u64,
    /// Finished and successful.
    pub successful: u64,
    /// Finished and failed.
    pub failed: u64,
    /// Sum of the latencies of the successful transactions, in microseconds.
    pub latency_successful_total_us: u64,
    /// Sum of the latencies of the failed transactions, in microseconds.
    pub latency_failed_total_us: u64,
}

impl RoundView {
    /// Submitted but not finished.
    pub fn in_flight(&self) -> u64 {
        self.submitted.saturating_sub(self.finished)
    }
}

/// When the next transaction may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// At this time after the round start (its intended send time); at once if it has passed.
    At(Duration),
    /// As soon as fewer than this many transactions are in flight (closed loop); its intended
    /// time is the moment it goes.
    WhenInFlightBelow(u64),
    /// No more transactions in this round (for example `zero-rate`): the loop waits for the
    /// round's duration to end.
    Idle,
}

/// Everything a controller is built from, besides its options.
#[derive(Debug, Clone, PartialEq)]
pub struct RateContext {
    /// 0-based round index (`<R>` in record/replay paths).
    pub round_index: usize,
    /// The round's label.
    pub round_label: String,
    /// 0-based worker index (`<C>` in record/replay paths).
    pub worker_index: usize,
    /// Number of workers; every TPS option is divided by it.
    pub total_workers: usize,
    /// This worker's share of `txNumber`, in a txNumber round.
    pub tx_number: Option<u64>,
    /// The round's `txDuration`, in a duration round.
    pub tx_duration: Option<Duration>,
    /// Root of relative paths.
    pub workspace: PathBuf,
}

/// A controller's options or files are wrong.
#[derive(Debug, thiserror::Error)]
pub enum RateError {
    /// An unknown `rateControl.type`.
    #[error("unknown rate controller \"{kind}\"{suggestion}; the controllers are: {known}")]
    UnknownType {
        /// What was given.
        kind: String,
        /// ` (did you mean "x"?)` or empty.
        suggestion: String,
        /// The known names, comma separated.
        known: String,
    },
    /// An option is missing, misspelt or of the wrong type.
    #[error("rateControl.{path}: {message}")]
    Option {
        /// Key path below `rateControl`, such as `opts.tps`.
        path: String,
        /// What was expected.
        message: String,
    },
    /// A record or replay file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// A rate controller (Caliper's `RateInterface`, as a schedule).
///
/// `next` is called exactly once per transaction, in order, just before the loop waits for
/// that transaction's time; it must be cheap (no I/O, no allocation in the common case).
pub trait RateController: Send {
    /// When transaction number `view.submitted` (0-based) may go.
    fn next(&mut self, view: &RoundView) -> Pace;

    /// Called once when the round ends (record-rate writes its file here).
    fn end(&mut self) -> Result<(), RateError> {
        Ok(())
    }
}

/// The names of the built-in controllers, as `rateControl.type` spells them.
pub const NAMES: &[&str] = &[
    "fixed-rate",
    "fixed-load",
    "fixed-feedback-rate",
    "linear-rate",
    "maximum-rate",
    "zero-rate",
    "composite-rate",
    "record-rate",
    "replay-rate",
    "peak-search",
];

/// Builds the controller `spec` names for one worker's round.
///
/// Every option is checked here, and replay-rate reads its file here, so a wrong configuration
/// fails before the round sends anything.
pub fn build(spec: &RateControlSpec, ctx: &RateContext) -> Result<Box<dyn RateController>, RateError> {
    let opts = &spec.opts;
    Ok(match spec.kind.as_str() {
        "fixed-rate" => Box::new(FixedRate::new(opts, ctx)?),
        "fixed-load" => Box::new(FixedLoad::new(opts, ctx)?),
        "fixed-feedback-rate" => Box::new(FixedFeedbackRate::new(opts, ctx)?),
        "linear-rate" => Box::new(LinearRate::new(opts, ctx)?),
        "maximum-rate" => Box::new(MaximumRate::new(opts, ctx)?),
        "zero-rate" => Box::new(ZeroRate::new(opts, ctx)?),
        "composite-rate" => Box::new(CompositeRate::new(opts, ctx)?),
        "record-rate" => Box::new(RecordRate::new(opts, ctx)?),
        "replay-rate" => Box::new(ReplayRate::new(opts, ctx)?),
        PEAK_SEARCH => Box::new(PeakSearchPlan::worker_controller(opts, ctx)?),
        other => {
            let suggestion = match crate::suggest::did_you_mean(other, NAMES.iter().copied()) {
                Some(best) => format!(" (did you mean \"{best}\"?)"),
                None => String::new(),
            };
            return Err(RateError::UnknownType {
                kind: other.to_string(),
                suggestion,
                known: NAMES.join(", "),
            });
        }
    })
}

/// Builds a controller nested in another (composite-rate's stages, record-rate's inner one):
/// any controller but `peak-search`, which runs a round of its own steps, not a schedule.
fn build_nested(spec: &RateControlSpec, ctx: &RateContext) -> Result<Box<dyn RateController>, RateError> {
    if spec.kind == PEAK_SEARCH {
        return Err(RateError::Option {
            path: "type".into(),
            message: "peak-search searches over a whole round of its own steps and cannot be nested in another controller; give it a round of its own".into(),
        });
    }
    build(spec, ctx)
}

/// The 0-based index of the transaction `next` decides on, given how many the controller was
/// asked about so far: its own count, or the submitted count when that is ahead (batches).
fn tx_index(asked: u64, view: &RoundView) -> u64 {
    asked.max(view.submitted)
}

/// A TPS total shared out to one worker.
fn per_worker(total: f64, ctx: &RateContext) -> f64 {
    // A context with no workers is a bug elsewhere; treating it as one keeps the rate finite.
    total / ctx.total_workers.max(1) as f64
}

/// Small fakes that drive controllers the way the worker loop does, without a loop or a clock.
#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;
    use std::time::Duration;

    use serde_json::Value;

    use super::{Pace, RateContext, RateControlSpec, RateController, RateError, RoundView, build};

    /// A txNumber round of `tx_number` transactions per worker.
    pub(crate) fn ctx_tx(tx_number: u64, workers: usize) -> RateContext {
        RateContext {
            round_index: 0,
            round_label: "round".into(),
            worker_index: 0,
            total_workers: workers,
            tx_number: Some(tx_number),
            tx_duration: None,
            workspace: PathBuf::from("."),
        }
    }

    /// A duration round of `secs` seconds.
    pub(crate) fn ctx_secs(secs: u64, workers: usize) -> RateContext {
        RateContext { tx_number: None, tx_duration: Some(Duration::from_secs(secs)), ..ctx_tx(0, workers) }
    }

    /// `{type, opts}` from JSON.
    pub(crate) fn spec(kind: &str, opts: Value) -> RateControlSpec {
        RateControlSpec { kind: kind.into(), opts }
    }

    /// A view at `elapsed` with `submitted` transactions sent and none finished.
    pub(crate) fn view(elapsed: Duration, submitted: u64) -> RoundView {
        RoundView { elapsed, submitted, ..RoundView::default() }
    }

    /// The time of an `At` pace.
    pub(crate) fn at(pace: Pace) -> Duration {
        match pace {
            Pace::At(t) => t,
            other => panic!("expected Pace::At, got {other:?}"),
        }
    }

    /// The intended times of the first `n` transactions, asked the way a loop that keeps up
    /// asks: each question comes when the previous transaction went, with nothing finished.
    pub(crate) fn schedule(controller: &mut dyn RateController, n: u64) -> Vec<Duration> {
        let mut now = Duration::ZERO;
        (0..n)
            .map(|k| {
                let t = at(controller.next(&view(now, k)));
                now = now.max(t);
                t
            })
            .collect()
    }

    /// The error of building `spec`, which must fail.
    pub(crate) fn build_err(spec: &RateControlSpec, ctx: &RateContext) -> RateError {
        match build(spec, ctx) {
            Ok(_) => panic!("{} {} should not build", spec.kind, spec.opts),
            Err(e) => e,
        }
    }

    /// `(path, message)` of an option error.
    pub(crate) fn option_error(err: RateError) -> (String, String) {
        match err {
            RateError::Option { path, message } => (path, message),
            other => panic!("expected an option error, got {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::testutil::*;
    use super::*;

    #[test]
    fn every_name_builds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("trace.txt"), "0\n10\n").unwrap();
        let inner = json!({"type": "fixed-rate"});
        let opts = |name: &str| match name {
            "linear-rate" => json!({"startingTps": 1, "finishingTps": 2}),
            "composite-rate" => json!({"weights": [1], "rateControllers": [inner]}),
            "record-rate" => json!({"rateController": inner, "pathTemplate": "rec.txt"}),
            "replay-rate" => json!({"pathTemplate": "trace.txt"}),
            "peak-search" => json!({"maxTps": 100, "limits": {"failureRatio": 0.01}}),
            _ => Value::Null,
        };
        let ctx = RateContext { workspace: dir.path().to_path_buf(), ..ctx_secs(10, 1) };
        for name in NAMES {
            assert!(build(&spec(name, opts(name)), &ctx).is_ok(), "{name}");
        }
        assert_eq!(NAMES.len(), 10);
    }

    #[test]
    fn unknown_type_suggests_and_lists() {
        let err = build_err(&spec("fixed-rte", Value::Null), &ctx_tx(10, 1));
        let text = err.to_string();
        assert!(
            text.contains(r#"unknown rate controller "fixed-rte" (did you mean "fixed-rate"?)"#),
            "{text}"
        );
        assert!(text.contains("replay-rate"), "{text}");
        let err = build_err(&spec("pid-rate-xyz", Value::Null), &ctx_tx(10, 1));
        assert!(!err.to_string().contains("did you mean"), "{err}");
    }

    #[test]
    fn peak_search_cannot_be_nested() {
        let inner = json!({"type": "peak-search", "opts": {"maxTps": 10, "limits": {"failureRatio": 0.1}}});
        let record = spec("record-rate", json!({"rateController": inner, "pathTemplate": "r.txt"}));
        let (path, message) = option_error(build_err(&record, &ctx_secs(5, 1)));
        assert_eq!(path, "opts.rateController.type");
        assert!(message.contains("cannot be nested"), "{message}");
        let composite = spec("composite-rate", json!({"weights": [1], "rateControllers": [inner]}));
        let (path, _) = option_error(build_err(&composite, &ctx_secs(5, 1)));
        assert_eq!(path, "opts.rateControllers[0].type");
    }

    #[test]
    fn tx_index_follows_batches_but_not_lagging_events() {
        assert_eq!(tx_index(5, &testutil::view(Duration::ZERO, 2)), 5);
        assert_eq!(tx_index(5, &testutil::view(Duration::ZERO, 50)), 50);
    }
}
