//! The statistics of one round of one worker, and their exact merge over workers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::histogram::LatencyHistogram;
use super::series::Series;
use crate::connector::{ErrorClass, TxStatus};

/// Which worker and round the statistics belong to (Caliper's `metadata`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundMeta {
    /// The worker index; -1 after a merge of several workers.
    pub worker_index: i64,
    /// The round index.
    pub round_index: i64,
    /// The round label.
    pub round_label: String,
    /// When the round started (epoch microseconds).
    pub round_start_us: u64,
    /// When the round finished (epoch microseconds); 0 while running.
    pub round_finish_us: u64,
}

/// Caliper's `txCounters`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxCounters {
    /// Handed to the SUT (from `txs_submitted`).
    pub total_submitted: u64,
    /// Reached a final state (from `txs_finished`).
    pub total_finished: u64,
    /// Finished successfully.
    pub total_successful: u64,
    /// Finished with a failure (including those still open at the deadline).
    pub total_failed: u64,
}

/// Caliper's `timestamps`, in epoch microseconds; `None` until a transaction sets them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timestamps {
    /// Creation time of the first transaction.
    pub first_create_us: Option<u64>,
    /// Creation time of the last transaction.
    pub last_create_us: Option<u64>,
    /// Final time of the first transaction to finish.
    pub first_finish_us: Option<u64>,
    /// Final time of the last transaction to finish.
    pub last_finish_us: Option<u64>,
}

/// Min, max and sum of latencies in microseconds (Caliper's `latency.successful` / `.failed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyTotals {
    /// Smallest latency; `None` when there was none.
    pub min_us: Option<u64>,
    /// Largest latency.
    pub max_us: u64,
    /// Sum of the latencies.
    pub total_us: u64,
}

impl LatencyTotals {
    fn record(&mut self, us: u64) {
        self.min_us = Some(self.min_us.map_or(us, |m| m.min(us)));
        self.max_us = self.max_us.max(us);
        self.total_us += us;
    }

    fn add(&mut self, o: &LatencyTotals) {
        self.min_us = min_opt(self.min_us, o.min_us);
        self.max_us = self.max_us.max(o.max_us);
        self.total_us += o.total_us;
    }
}

/// Caliper's `latency`: totals for successful and failed transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Of the successful transactions.
    pub successful: LatencyTotals,
    /// Of the failed transactions.
    pub failed: LatencyTotals,
}

/// The compact, cumulative part of the statistics: what a periodic `txUpdate` carries and
/// what progress is shown from. Caliper's collector, in microseconds, plus failures by class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsCore {
    /// Which worker and round.
    pub metadata: RoundMeta,
    /// Counters.
    pub tx_counters: TxCounters,
    /// First and last times.
    pub timestamps: Timestamps,
    /// Latency totals.
    pub latency: Latency,
    /// Failed transactions by class.
    pub failures: BTreeMap<ErrorClass, u64>,
}

/// The latency distributions of a round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histograms {
    /// Latency of successful transactions, from creation to final state.
    pub successful: LatencyHistogram,
    /// Latency of failed transactions.
    pub failed: LatencyHistogram,
    /// Latency of successful transactions from their intended send time: corrected for
    /// coordinated omission (a generator that fell behind does not hide the wait).
    pub corrected: LatencyHistogram,
}

/// Everything a worker measured in one round: what `testResult` carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundStats {
    /// Counters, timestamps, latency totals and failures.
    #[serde(flatten)]
    pub core: StatsCore,
    /// Latency histograms.
    pub histograms: Histograms,
    /// The per-second series.
    pub series: Series,
}

const MICROS_PER_SECOND: u64 = 1_000_000;

impl RoundStats {
    /// Empty statistics of a round that starts at `round_start_us`.
    pub fn new(
        worker_index: i64,
        round_index: i64,
        round_label: impl Into<String>,
        round_start_us: u64,
    ) -> Self {
        let mut stats = RoundStats::default();
        stats.core.metadata = RoundMeta {
            worker_index,
            round_index,
            round_label: round_label.into(),
            round_start_us,
            round_finish_us: 0,
        };
        stats
    }

    fn second(&self, at_us: u64) -> usize {
        (at_us.saturating_sub(self.core.metadata.round_start_us) / MICROS_PER_SECOND) as usize
    }

    /// Counts `count` submissions at `now_us`.
    pub fn tx_submitted(&mut self, count: u64, now_us: u64) {
        self.core.tx_counters.total_submitted += count;
        let s = self.second(now_us);
        self.series.submitted(s, count);
    }

    /// Counts one finished transaction. Like Caliper, a result created before the round
    /// started counts as finished only.
    pub fn tx_finished(&mut self, status: &TxStatus) {
        let c = &mut self.core;
        c.tx_counters.total_finished += 1;
        if status.time_create < c.metadata.round_start_us {
            return;
        }
        let t = &mut c.timestamps;
        t.first_create_us = min_opt(t.first_create_us, Some(status.time_create));
        t.last_create_us = t.last_create_us.max(Some(status.time_create));
        t.first_finish_us = min_opt(t.first_finish_us, Some(status.time_final));
        t.last_finish_us = t.last_finish_us.max(Some(status.time_final));
        let latency = status.latency_micros();
        let success = status.is_committed();
        if success {
            c.tx_counters.total_successful += 1;
            c.latency.successful.record(latency);
            self.histograms.successful.record(latency);
            let intended = status.time_intended.unwrap_or(status.time_create).min(status.time_create);
            self.histograms.corrected.record(status.time_final.saturating_sub(intended));
        } else {
            c.tx_counters.total_failed += 1;
            c.latency.failed.record(latency);
            self.histograms.failed.record(latency);
            *c.failures.entry(status.error_class.unwrap_or(ErrorClass::Other)).or_default() += 1;
        }
        let s = self.second(status.time_final);
        self.series.finished(s, success, latency);
    }

    /// Counts `count` transactions that were submitted and never finished, as failed with
    /// `class` (for example `timeout` when the round's deadline passed).
    pub fn tx_abandoned(&mut self, count: u64, class: ErrorClass, now_us: u64) {
        if count == 0 {
            return;
        }
        let c = &mut self.core;
        c.tx_counters.total_finished += count;
        c.tx_counters.total_failed += count;
        c.timestamps.last_finish_us = c.timestamps.last_finish_us.max(Some(now_us));
        *c.failures.entry(class).or_default() += count;
        let s = self.second(now_us);
        self.series.abandoned(s, count);
    }

    /// Adds another worker's statistics of the same round: counters and sums add, minima and
    /// maxima combine, histograms add (so merged percentiles are exact).
    pub fn merge(&mut self, o: &RoundStats) {
        self.core.merge(&o.core);
        self.histograms.successful.add(&o.histograms.successful);
        self.histograms.failed.add(&o.histograms.failed);
        self.histograms.corrected.add(&o.histograms.corrected);
        self.series.add(&o.series);
    }

    /// Merges the statistics of every worker of a round; `None` for an empty list.
    pub fn merge_all<'a>(all: impl IntoIterator<Item = &'a RoundStats>) -> Option<RoundStats> {
        let mut it = all.into_iter();
        let mut merged = it.next()?.clone();
        it.for_each(|s| merged.merge(s));
        Some(merged)
    }
}

impl StatsCore {
    /// Adds another worker's counters, as [`RoundStats::merge`] does.
    pub fn merge(&mut self, o: &StatsCore) {
        let m = &mut self.metadata;
        if m.worker_index != o.metadata.worker_index {
            m.worker_index = -1;
        }
        if m.round_index != o.metadata.round_index {
            m.round_index = -1;
        }
        m.round_start_us = m.round_start_us.min(o.metadata.round_start_us);
        m.round_finish_us = m.round_finish_us.max(o.metadata.round_finish_us);
        let (c, oc) = (&mut self.tx_counters, &o.tx_counters);
        c.total_submitted += oc.total_submitted;
        c.total_finished += oc.total_finished;
        c.total_successful += oc.total_successful;
        c.total_failed += oc.total_failed;
        let (t, ot) = (&mut self.timestamps, &o.timestamps);
        t.first_create_us = min_opt(t.first_create_us, ot.first_create_us);
        t.last_create_us = t.last_create_us.max(ot.last_create_us);
        t.first_finish_us = min_opt(t.first_finish_us, ot.first_finish_us);
        t.last_finish_us = t.last_finish_us.max(ot.last_finish_us);
        self.latency.successful.add(&o.latency.successful);
        self.latency.failed.add(&o.latency.failed);
        for (class, n) in &o.failures {
            *self.failures.entry(*class).or_default() += n;
        }
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
