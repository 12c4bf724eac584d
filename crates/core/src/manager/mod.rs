//! The manager: runs the phases of a benchmark and orchestrates the workers' rounds.
//!
//! Every wait has a deadline or watches for lost workers, so a round cannot hang: a worker
//! that exits is noticed at once (its link reports it), one that falls silent within
//! `caliper-worker-timeout-silence`. Its round fails with the other workers' results kept, and
//! the run stops there (the next rounds would not run the configured load), still reporting
//! everything that ran.

mod command;
mod observer;
mod outcome;
mod peak;
mod plan;
mod run;
mod workers;

pub use command::run_shell;
pub use observer::{NoObserver, RunObserver};
pub use outcome::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
pub use plan::{ManagerTimings, PlannedRound, RoundSize, RunPlan};
pub use run::{Manager, share};
