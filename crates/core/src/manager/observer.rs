//! How the manager tells the outside world what is happening (the binary shows progress and
//! prints tables from it; the core knows nothing of terminals).

use super::outcome::RoundOutcome;
use crate::stats::StatsCore;

/// Receives the run's events, on the manager's task.
pub trait RunObserver: Send {
    /// A phase (`start`, `init`, `install`, `test`, `end`) begins.
    fn phase(&mut self, _phase: &str) {}
    /// A round's test phase begins.
    fn round_started(&mut self, _index: usize, _label: &str, _rounds: usize) {}
    /// The running totals of the round, merged over the workers.
    fn progress(&mut self, _index: usize, _label: &str, _totals: &StatsCore) {}
    /// One worker's running totals of the round, as they arrive.
    fn worker_update(&mut self, _index: usize, _label: &str, _worker: usize, _totals: &StatsCore) {}
    /// A round ended (passed, failed, or did not run).
    fn round_finished(&mut self, _round: &RoundOutcome) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct NoObserver;

impl RunObserver for NoObserver {}
