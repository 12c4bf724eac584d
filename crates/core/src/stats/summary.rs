//! The figures a person reads: Caliper's columns with Caliper's formulas, plus percentiles.

use serde::{Deserialize, Serialize};

use super::histogram::LatencyHistogram;
use super::round::{LatencyTotals, RoundStats, StatsCore};

/// Latency figures in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub avg: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
}

const US: f64 = 1e6;

impl LatencySummary {
    /// Min, max and mean from the exact totals; percentiles from the histogram (NaN when the
    /// histogram does not hold every transaction). `None` when no transaction was counted.
    pub fn new(totals: &LatencyTotals, count: u64, hist: &LatencyHistogram) -> Option<Self> {
        let min = totals.min_us?;
        if count == 0 {
            return None;
        }
        let avg = totals.total_us as f64 / count as f64 / US;
        let mut s = Self::with_extremes(min as f64 / US, totals.max_us as f64 / US, avg, hist);
        // The running totals of a lost worker carry no distribution: its percentiles are
        // unknown (NaN), not zero.
        if hist.len() < count {
            (s.p50, s.p90, s.p95, s.p99, s.p999) = (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN);
        }
        Some(s)
    }

    /// Every figure from the histogram alone (for distributions that have no exact totals).
    pub fn from_histogram(hist: &LatencyHistogram) -> Option<Self> {
        if hist.is_empty() {
            return None;
        }
        Some(Self::with_extremes(hist.min() as f64 / US, hist.max() as f64 / US, hist.mean() / US, hist))
    }

    fn with_extremes(min: f64, max: f64, avg: f64, hist: &LatencyHistogram) -> Self {
        let q = |p: f64| hist.quantile(p) as f64 / US;
        LatencySummary {
            min,
            max,
            avg,
            p50: q(0.50),
            p90: q(0.90),
            p95: q(0.95),
            p99: q(0.99),
            p999: q(0.999),
        }
    }
}

/// Caliper's `Send Rate (TPS)`: (succ + fail) / (last create − first create). `None` when it
/// is undefined (fewer than two distinct creation times), where Caliper prints `Infinity`.
///
/// The creation times span every submitted transaction, including those counted as timeouts
/// because they never finished (see [`RoundStats::tx_submitted`]).
pub fn send_rate(core: &StatsCore) -> Option<f64> {
    let t = &core.timestamps;
    rate(done(core), t.first_create_us?, t.last_create_us?)
}

/// Caliper's `Throughput (TPS)`: (succ + fail) / (last finish − first create).
pub fn throughput(core: &StatsCore) -> Option<f64> {
    let t = &core.timestamps;
    rate(done(core), t.first_create_us?, t.last_finish_us?)
}

fn done(core: &StatsCore) -> u64 {
    core.tx_counters.total_successful + core.tx_counters.total_failed
}

fn rate(count: u64, from_us: u64, to_us: u64) -> Option<f64> {
    if count == 0 {
        return Some(0.0);
    }
    let span = to_us.checked_sub(from_us).filter(|s| *s > 0)?;
    Some(count as f64 * US / span as f64)
}

/// The figures of one round (or one worker's part of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundSummary {
    /// Transactions submitted.
    pub submitted: u64,
    /// Successful.
    pub succ: u64,
    /// Failed.
    pub fail: u64,
    /// Send rate in tx/s (Caliper's formula).
    pub send_rate: Option<f64>,
    /// Throughput in tx/s (Caliper's formula).
    pub throughput: Option<f64>,
    /// The most transactions in flight at once (of one worker, after a merge).
    pub in_flight_peak: u64,
    /// Transactions held back by the worker's in-flight cap (sent late, or never).
    pub held_back: u64,
    /// Latency of successful transactions, in seconds.
    pub latency: Option<LatencySummary>,
    /// Latency of successful transactions from their intended send time, in seconds.
    pub corrected_latency: Option<LatencySummary>,
    /// Latency of failed transactions, in seconds.
    pub failed_latency: Option<LatencySummary>,
    /// How late transactions were created after their intended send time, in seconds: the
    /// generator's own lag (near zero when it keeps up with the schedule).
    pub send_lateness: Option<LatencySummary>,
}

impl RoundSummary {
    /// The figures of `stats`.
    pub fn new(stats: &RoundStats) -> Self {
        let c = &stats.core;
        let h = &stats.histograms;
        RoundSummary {
            submitted: c.tx_counters.total_submitted,
            succ: c.tx_counters.total_successful,
            fail: c.tx_counters.total_failed,
            send_rate: send_rate(c),
            throughput: throughput(c),
            in_flight_peak: c.in_flight_peak,
            held_back: c.held_back,
            latency: LatencySummary::new(
                &c.latency.successful,
                c.tx_counters.total_successful,
                &h.successful,
            ),
            corrected_latency: LatencySummary::from_histogram(&h.corrected),
            failed_latency: LatencySummary::new(&c.latency.failed, h.failed.len(), &h.failed),
            send_lateness: LatencySummary::from_histogram(&h.lateness),
        }
    }
}
