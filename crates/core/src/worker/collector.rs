//! The worker's sink: records the connector's events into the statistics of the active round.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::connector::{ErrorClass, TxSink, TxStatus};
use crate::rate::RoundView;
use crate::stats::{LiveLatency, RoundStats, StatsCore};
use crate::time::now_micros;
use crate::tx_observer::TxObserver;

/// Collects the events of the active round; outside a round, events are dropped (as in
/// Caliper, a late answer to an abandoned transaction changes nothing).
///
/// The lock is taken once per event and never contended across threads: a worker runs its
/// round on one thread. The round's transaction observers sit under the same lock, so they
/// cost no second one.
#[derive(Default)]
pub struct Collector {
    round: Mutex<Option<Active>>,
}

/// The active round: its statistics and its observers.
struct Active {
    stats: RoundStats,
    observers: Vec<Arc<dyn TxObserver>>,
}

impl Collector {
    fn lock(&self) -> MutexGuard<'_, Option<Active>> {
        // A panic elsewhere while holding the lock leaves plain counters behind: keep them.
        self.round.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the active round's statistics, if a round is active.
    fn with_stats<R>(&self, f: impl FnOnce(&mut RoundStats) -> R) -> Option<R> {
        self.lock().as_mut().map(|active| f(&mut active.stats))
    }

    /// Starts collecting into `stats`, and feeding the events to `observers`.
    pub fn activate(&self, stats: RoundStats, observers: Vec<Arc<dyn TxObserver>>) {
        *self.lock() = Some(Active { stats, observers });
    }

    /// Stops collecting; returns the round's statistics, stamped with the finish time, and
    /// the observers to deactivate.
    pub fn deactivate(&self) -> (Option<RoundStats>, Vec<Arc<dyn TxObserver>>) {
        match self.lock().take() {
            Some(Active { mut stats, observers }) => {
                stats.core.metadata.round_finish_us = now_micros();
                (Some(stats), observers)
            }
            None => (None, Vec::new()),
        }
    }

    /// What the rate controller sees now.
    pub fn view(&self, round_start: Instant) -> RoundView {
        let elapsed = round_start.elapsed();
        match self.lock().as_ref().map(|a| &a.stats) {
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

    /// The running totals, for a `txUpdate`; with the latency distributions so far when
    /// `live` is set.
    pub fn snapshot(&self, live: bool) -> Option<StatsCore> {
        self.with_stats(|s| {
            let mut core = s.core.clone();
            if live {
                core.live = Some(Box::new(LiveLatency {
                    successful: s.histograms.successful.clone(),
                    failed: s.histograms.failed.clone(),
                }));
            }
            core
        })
    }

    /// Counts `count` transactions held back by the in-flight cap.
    pub fn held_back(&self, count: u64) {
        self.with_stats(|s| s.core.held_back += count);
    }

    /// Counts every transaction submitted and not finished as failed with `class`.
    pub fn abandon_open(&self, class: ErrorClass) -> u64 {
        let Some(active) = &mut *self.lock() else { return 0 };
        let c = active.stats.core.tx_counters;
        let open = c.total_submitted.saturating_sub(c.total_finished);
        active.stats.tx_abandoned(open, class, now_micros());
        if open > 0 {
            active.observers.iter().for_each(|o| o.txs_abandoned(open, class));
        }
        open
    }
}

impl TxSink for Collector {
    fn txs_submitted(&self, count: u64) {
        if let Some(active) = &mut *self.lock() {
            active.stats.tx_submitted(count, now_micros());
            active.observers.iter().for_each(|o| o.txs_submitted(count));
        }
    }

    fn txs_finished(&self, statuses: &[TxStatus]) {
        if let Some(active) = &mut *self.lock() {
            statuses.iter().for_each(|st| active.stats.tx_finished(st));
            active.observers.iter().for_each(|o| o.txs_finished(statuses));
        }
    }
}
