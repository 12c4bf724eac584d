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
//! total for the benchmark and is divided by the number of workers.

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

/// Builds the controller `spec` names for one worker's round. (Being implemented.)
pub fn build(spec: &RateControlSpec, _ctx: &RateContext) -> Result<Box<dyn RateController>, RateError> {
    Err(RateError::UnknownType { kind: spec.kind.clone(), suggestion: String::new(), known: String::new() })
}
