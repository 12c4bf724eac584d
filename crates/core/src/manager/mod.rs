//! The manager: runs the phases of a benchmark and orchestrates the workers' rounds.

mod outcome;

pub use outcome::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
