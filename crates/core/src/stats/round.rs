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
        // Saturating: figures from a worker are input, and a hostile one must not overflow.
        self.total_us = self.total_us.saturating_add(o.total_us);
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
    /// The most transactions in flight at once (submitted and not finished); after a merge,
    /// the largest of any worker.
    #[serde(default)]
    pub in_flight_peak: u64,
    /// Transactions whose time came while the worker's in-flight cap
    /// (`caliper-worker-max-in-flight`) was reached: sent late, or never when the round ended
    /// first.
    #[serde(default)]
    pub held_back: u64,
    /// The latency distributions so far, in a worker's `txUpdate` when the manager asked for
    /// them (for metrics it serves during the round); never merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<Box<LiveLatency>>,
}

/// The latency distributions of a round so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveLatency {
    /// Of the successful transactions.
    pub successful: LatencyHistogram,
    /// Of the failed transactions that got an answer.
    pub failed: LatencyHistogram,
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
    /// How late each transaction was created after its intended send time: the generator's
    /// own lag (near zero when the generator keeps up).
    #[serde(default)]
    pub lateness: LatencyHistogram,
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
    /// CPU and memory of the worker process(es) in this round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<super::usage::ProcessUsage>,
    /// The files the round's transaction observers wrote (the `export` observer), one per
    /// worker; a merge lists every worker's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exported: Vec<crate::tx_observer::ExportedFile>,
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

    /// Counts `count` submissions at `now_us`, their creation time.
    ///
    /// The creation times of the send rate's span are taken here, not only from finished
    /// statuses: a transaction that never finishes (counted as a timeout at the round's end)
    /// is in the rate's numerator, so its creation must be in the span too. Otherwise an
    /// overloaded round divides every transaction by the span of the few that finished.
    pub fn tx_submitted(&mut self, count: u64, now_us: u64) {
        self.core.tx_counters.total_submitted += count;
        let c = &self.core.tx_counters;
        self.core.in_flight_peak =
            self.core.in_flight_peak.max(c.total_submitted.saturating_sub(c.total_finished));
        if count > 0 && now_us >= self.core.metadata.round_start_us {
            let t = &mut self.core.timestamps;
            t.first_create_us = min_opt(t.first_create_us, Some(now_us));
            t.last_create_us = t.last_create_us.max(Some(now_us));
        }
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
        if let Some(intended) = status.time_intended {
            self.histograms.lateness.record(status.time_create.saturating_sub(intended));
        }
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
        self.histograms.lateness.add(&o.histograms.lateness);
        self.series.add(&o.series);
        match (&mut self.usage, &o.usage) {
            (Some(u), Some(o)) => u.add(o),
            (u @ None, Some(o)) => *u = Some(*o),
            _ => {}
        }
        self.exported.extend(o.exported.iter().cloned());
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
        c.total_submitted = c.total_submitted.saturating_add(oc.total_submitted);
        c.total_finished = c.total_finished.saturating_add(oc.total_finished);
        c.total_successful = c.total_successful.saturating_add(oc.total_successful);
        c.total_failed = c.total_failed.saturating_add(oc.total_failed);
        let (t, ot) = (&mut self.timestamps, &o.timestamps);
        t.first_create_us = min_opt(t.first_create_us, ot.first_create_us);
        t.last_create_us = t.last_create_us.max(ot.last_create_us);
        t.first_finish_us = min_opt(t.first_finish_us, ot.first_finish_us);
        t.last_finish_us = t.last_finish_us.max(ot.last_finish_us);
        self.latency.successful.add(&o.latency.successful);
        self.latency.failed.add(&o.latency.failed);
        for (class, n) in &o.failures {
            let total = self.failures.entry(*class).or_default();
            *total = total.saturating_add(*n);
        }
        self.in_flight_peak = self.in_flight_peak.max(o.in_flight_peak);
        self.held_back = self.held_back.saturating_add(o.held_back);
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::stats::RoundSummary;

    #[test]
    fn hostile_figures_saturate_instead_of_overflowing() {
        // A worker's statistics are input: huge counts must not panic the manager.
        let mut a = RoundStats::new(0, 0, "r", 0);
        a.core.tx_counters.total_submitted = u64::MAX;
        a.core.latency.successful.total_us = u64::MAX;
        a.core.failures.insert(ErrorClass::Timeout, u64::MAX);
        let b = a.clone();
        a.merge(&b);
        assert_eq!(a.core.tx_counters.total_submitted, u64::MAX);
        assert_eq!(a.core.latency.successful.total_us, u64::MAX);
        assert_eq!(a.core.failures[&ErrorClass::Timeout], u64::MAX);
    }

    fn tx(create: u64, latency: u64, ok: bool, intended_lag: u64) -> TxStatus {
        let mut t = TxStatus::created_at("", create);
        t.time_intended = Some(create - intended_lag.min(create));
        if ok {
            t.set_success(create + latency);
        } else {
            t.set_failed(create + latency, ErrorClass::Rejected, "no");
        }
        t
    }

    proptest! {
        /// Merging the statistics of workers that each saw part of the transactions gives
        /// exactly the statistics of all of them: the law the manager relies on.
        #[test]
        fn merging_parts_equals_the_whole(
            txs in proptest::collection::vec((0u64..5_000_000, 1u64..3_000_000, any::<bool>(), 0u64..1000, 0usize..4), 1..300)
        ) {
            let start = 1_000_000_000;
            let mut whole = RoundStats::new(0, 0, "r", start);
            let mut parts: Vec<RoundStats> = (0..4).map(|w| RoundStats::new(w, 0, "r", start)).collect();
            for (offset, latency, ok, lag, worker) in &txs {
                let t = tx(start + offset, *latency, *ok, *lag);
                whole.tx_submitted(1, t.time_create);
                whole.tx_finished(&t);
                parts[*worker].tx_submitted(1, t.time_create);
                parts[*worker].tx_finished(&t);
            }
            let merged = RoundStats::merge_all(&parts).unwrap();
            prop_assert_eq!(merged.core.tx_counters, whole.core.tx_counters);
            prop_assert_eq!(merged.core.timestamps, whole.core.timestamps);
            prop_assert_eq!(merged.core.latency, whole.core.latency);
            prop_assert_eq!(&merged.core.failures, &whole.core.failures);
            prop_assert_eq!(&merged.histograms.successful, &whole.histograms.successful);
            prop_assert_eq!(&merged.histograms.corrected, &whole.histograms.corrected);
            prop_assert_eq!(&merged.series, &whole.series);
            prop_assert_eq!(RoundSummary::new(&merged), RoundSummary::new(&whole));
        }
    }

    #[test]
    fn callipers_formulas() {
        let start = 10_000_000;
        let mut s = RoundStats::new(0, 0, "r", start);
        // 11 transactions created 100 ms apart (1 s span), each 500 ms latency, one failed.
        for i in 0..11u64 {
            let t = tx(start + i * 100_000, 500_000, i != 5, 0);
            s.tx_submitted(1, t.time_create);
            s.tx_finished(&t);
        }
        let sum = RoundSummary::new(&s);
        assert_eq!((sum.succ, sum.fail), (10, 1));
        assert_eq!(sum.send_rate, Some(11.0));
        // (last finish - first create) = 1.5 s.
        assert!((sum.throughput.unwrap() - 11.0 / 1.5).abs() < 1e-9);
        let lat = sum.latency.unwrap();
        assert_eq!((lat.min, lat.max, lat.avg), (0.5, 0.5, 0.5));
        assert_eq!(s.core.failures[&ErrorClass::Rejected], 1);
        // A transaction created before the round started counts as finished only.
        s.tx_finished(&tx(start - 1, 10, true, 0));
        assert_eq!(s.core.tx_counters.total_finished, 12);
        assert_eq!(s.core.tx_counters.total_successful, 10);
    }

    #[test]
    fn an_overloaded_round_rates_every_submission_over_the_span_of_all_creations() {
        // 100 transactions created 10 ms apart (a 0.99 s span); only the first 5 finish, the
        // other 95 are abandoned at the drain deadline, 30 s after the round's start.
        let start = 10_000_000;
        let mut s = RoundStats::new(0, 0, "r", start);
        for i in 0..100u64 {
            let created = start + i * 10_000;
            s.tx_submitted(1, created);
            if i < 5 {
                s.tx_finished(&tx(created, 1_000, true, 0));
            }
        }
        s.tx_abandoned(95, ErrorClass::Timeout, start + 30_000_000);
        let sum = RoundSummary::new(&s);
        assert_eq!((sum.submitted, sum.succ, sum.fail), (100, 5, 95));
        // What a user computes by hand: submitted / (last creation - first creation).
        assert!((sum.send_rate.unwrap() - 100.0 / 0.99).abs() < 1e-6, "{:?}", sum.send_rate);
        // Done / (last final time - first creation): the abandoned ones end at the deadline.
        assert!((sum.throughput.unwrap() - 100.0 / 30.0).abs() < 1e-6, "{:?}", sum.throughput);
    }

    #[test]
    fn abandoned_transactions_are_failed_timeouts() {
        let mut s = RoundStats::new(0, 0, "r", 0);
        s.tx_submitted(5, 10);
        s.tx_abandoned(5, ErrorClass::Timeout, 2_000_000);
        assert_eq!(s.core.tx_counters.total_failed, 5);
        assert_eq!(s.core.failures[&ErrorClass::Timeout], 5);
        assert_eq!(s.series.0[2].failed, 5);
    }
}
