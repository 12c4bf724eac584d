//! What the manager's run events feed: the progress a person watches and, when configured, the
//! manager's metrics endpoint (the `prometheus` transaction observer with `endpoint: manager`).

use caliper_core::manager::{RoundOutcome, RunObserver};
use caliper_core::stats::StatsCore;
use caliper_observers::ManagerEndpoint;

use crate::progress::Progress;

/// Forwards the run's events to the progress and the metrics endpoint.
pub struct Observed<'a> {
    /// The progress line or spinner.
    pub progress: Progress,
    /// The manager's metrics endpoint, if any.
    pub endpoint: Option<&'a ManagerEndpoint>,
}

impl RunObserver for Observed<'_> {
    fn phase(&mut self, phase: &str) {
        self.progress.phase(phase);
    }

    fn round_started(&mut self, index: usize, label: &str, rounds: usize) {
        self.progress.round_started(index, label, rounds);
    }

    fn progress(&mut self, index: usize, label: &str, totals: &StatsCore) {
        self.progress.progress(index, label, totals);
    }

    fn worker_update(&mut self, index: usize, label: &str, worker: usize, totals: &StatsCore) {
        if let Some(endpoint) = self.endpoint {
            endpoint.update(index, label, worker, totals);
        }
    }

    fn round_finished(&mut self, round: &RoundOutcome) {
        if let Some(endpoint) = self.endpoint {
            endpoint.round_finished(round);
        }
        self.progress.round_finished(round);
    }
}
