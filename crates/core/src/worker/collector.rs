//! The worker's sink: records the connector's events into the statistics of the active round.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::connector::{ErrorClass, TxSink, TxStatus};
use crate::rate::RoundView;
use crate::stats::{RoundStats, StatsCore};
use crate::time::now_micros;

/// Collects the events of the active round; outside a round, events are dropped (as in
/// Caliper, a late answer to an abandoned transaction changes nothing).
///
/// The lock is taken once per event and never contended across threads: a worker runs its
/// round on one thread.
#[derive(Default)]
pub struct Collector {
    round: Mutex<Option<RoundStats>>,
}

impl Collector {
    fn lock(&self) -> MutexGuard<'_, Option<RoundStats>> {
        // A panic elsewhere while holding the lock leaves plain counters behind: keep them.
        self.round.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts collecting into `stats`.
    pub fn activate(&self, stats: RoundStats) {
        *self.lock() = Some(stats);
    }

    /// Stops collecting and returns the round's statistics, stamped with the finish time.
    pub fn deactivate(&self) -> Option<RoundStats> {
        let mut stats = self.lock().take()?;
        stats.core.metadata.round_finish_us = now_micros();
        Some(stats)
    }

    /// What the rate controller sees now.
    pub fn view(&self, round_start: Instant) -> RoundView {
        let elapsed = round_start.elapsed();
        match &*self.lock() {
            Some(s) => {
                let c = &s.core.tx_counters;
                RoundView {
                    elapsed,
                    submitted: c.total_submitted,
                    finished: c.total_finished,
                    successful: c.total_successful,
                    failed: c.total_failed,
                    latency_successful_total_us: s.core.latency.successful.total_us,
                    latency_failed_total_us: s.core.latency.failed.total_us,
                }
            }
            None => RoundView { elapsed, ..RoundView::default() },
        }
    }

    /// The running totals, for a `txUpdate`.
    pub fn snapshot(&self) -> Option<StatsCore> {
        self.lock().as_ref().map(|s| s.core.clone())
    }

    /// Counts `count` transactions held back by the in-flight cap.
    pub fn held_back(&self, count: u64) {
        if let Some(s) = &mut *self.lock() {
            s.core.held_back += count;
        }
    }

    /// Counts every transaction submitted and not finished as failed with `class`.
    pub fn abandon_open(&self, class: ErrorClass) -> u64 {
        match &mut *self.lock() {
            Some(s) => {
                let c = s.core.tx_counters;
                let open = c.total_submitted.saturating_sub(c.total_finished);
                s.tx_abandoned(open, class, now_micros());
                open
            }
            None => 0,
        }
    }
}

impl TxSink for Collector {
    fn txs_submitted(&self, count: u64) {
        if let Some(s) = &mut *self.lock() {
            s.tx_submitted(count, now_micros());
        }
    }

    fn txs_finished(&self, statuses: &[TxStatus]) {
        if let Some(s) = &mut *self.lock() {
            statuses.iter().for_each(|st| s.tx_finished(st));
        }
    }
}
