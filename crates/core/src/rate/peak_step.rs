//! The figures of one peak-search step and the limits it broke.
//!
//! A step is judged on the merged statistics of every worker (histograms added, so the
//! percentiles are those of all its transactions), after every transaction it sent finished
//! or was counted as timed out. Failed transactions are left out of the latency, as in every
//! latency column; they count against `failureRatio`.

use serde::{Deserialize, Serialize};

use super::peak_search::{LatencyLimits, Limits};
use crate::stats::{LatencySummary, RoundStats, RoundSummary};

/// Latency percentiles of a step, in seconds (`None`: no successful transaction).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StepLatency {
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile (`p999`, as in every latency object of the results file).
    pub p999: Option<f64>,
}

impl StepLatency {
    fn new(summary: Option<LatencySummary>) -> Self {
        let known = |v: f64| v.is_finite().then_some(v);
        summary.map_or_else(Self::default, |s| StepLatency {
            p50: known(s.p50),
            p95: known(s.p95),
            p99: known(s.p99),
            p999: known(s.p999),
        })
    }

    fn get(&self, percentile: &str) -> Option<f64> {
        match percentile {
            "p50" => self.p50,
            "p95" => self.p95,
            "p99" => self.p99,
            _ => self.p999,
        }
    }
}

/// One step of a peak search: what was asked, what was measured, and which limits broke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepOutcome {
    /// 0-based step number, in the order the steps ran.
    pub step: usize,
    /// The rate asked for, total for all workers (tx/s).
    pub tps: f64,
    /// Transactions submitted.
    pub submitted: u64,
    /// Transactions that succeeded.
    pub succ: u64,
    /// Transactions that failed (timed-out ones included).
    pub fail: u64,
    /// Caliper's send rate: what the workers sent (tx/s).
    pub send_rate: Option<f64>,
    /// Caliper's throughput: finished over the step's span, drain included (tx/s).
    pub throughput: Option<f64>,
    /// `fail / (succ + fail)`; 0 when nothing finished.
    pub failure_ratio: f64,
    /// Latency of the successful transactions.
    pub latency: StepLatency,
    /// Their latency from the intended send time (corrected for coordinated omission).
    pub corrected_latency: StepLatency,
    /// Wall time of the step, from the test message to the last worker's result (s).
    pub duration_s: f64,
    /// Whether the step held every limit.
    pub held: bool,
    /// The limits it broke, each as `key: measured > limit`, such as
    /// `latency.p99: 0.231 s > 0.1 s`.
    pub broken: Vec<String>,
}

impl StepOutcome {
    /// Judges the step `step` at `tps` on the merged statistics of every worker.
    pub fn judge(step: usize, tps: f64, stats: &RoundStats, limits: &Limits, duration_s: f64) -> Self {
        let s = RoundSummary::new(stats);
        let finished = s.succ + s.fail;
        let failure_ratio = if finished == 0 { 0.0 } else { s.fail as f64 / finished as f64 };
        let mut outcome = StepOutcome {
            step,
            tps,
            submitted: s.submitted,
            succ: s.succ,
            fail: s.fail,
            send_rate: s.send_rate,
            throughput: s.throughput,
            failure_ratio,
            latency: StepLatency::new(s.latency),
            corrected_latency: StepLatency::new(s.corrected_latency),
            duration_s,
            held: true,
            broken: Vec::new(),
        };
        let mut broken = Vec::new();
        check_latency(&mut broken, "latency", &limits.latency, &outcome.latency);
        check_latency(&mut broken, "correctedLatency", &limits.corrected_latency, &outcome.corrected_latency);
        if let Some(limit) = limits.failure_ratio
            && failure_ratio > limit
        {
            broken.push(format!("failureRatio: {failure_ratio:.4} > {limit}"));
        }
        if let Some(limit) = limits.throughput_ratio {
            let ratio = s.throughput.unwrap_or(0.0) / tps;
            if ratio < limit {
                broken.push(format!("throughputRatio: {ratio:.4} < {limit}"));
            }
        }
        outcome.held = broken.is_empty();
        outcome.broken = broken;
        outcome
    }
}

fn check_latency(broken: &mut Vec<String>, key: &str, limits: &LatencyLimits, measured: &StepLatency) {
    for (percentile, limit) in limits.iter() {
        match measured.get(percentile) {
            Some(v) if v > limit => broken.push(format!("{key}.{percentile}: {v:.4} s > {limit} s")),
            Some(_) => {}
            None => broken.push(format!("{key}.{percentile}: no successful transaction")),
        }
    }
}

/// The whole search, as the round's outcome carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeakSearchOutcome {
    /// The highest rate that held every limit (tx/s); `None` when no step held.
    pub peak_tps: Option<f64>,
    /// The step that ran at `peak_tps`: the round's figures are its figures.
    pub peak_step: Option<usize>,
    /// The precision asked for (tx/s).
    pub precision: f64,
    /// Wall time of the whole search, every step with its preparation and drain (s); the
    /// round's own duration is the peak step's.
    pub duration_s: f64,
    /// The limits, as checked.
    pub limits: Limits,
    /// Every step, in the order they ran.
    pub steps: Vec<StepOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{ErrorClass, TxStatus};

    fn stats(latencies_ms: &[u64], failed: u64) -> RoundStats {
        let mut stats = RoundStats::new(0, 0, "r", 1);
        let mut t = 1;
        for &ms in latencies_ms {
            let mut tx = TxStatus::created_at("", t);
            tx.set_success(t + ms * 1000);
            stats.tx_submitted(1, t);
            stats.tx_finished(&tx);
            t += 10_000;
        }
        for _ in 0..failed {
            let mut tx = TxStatus::created_at("", t);
            tx.set_failed(t + 1000, ErrorClass::Rejected, "no");
            stats.tx_submitted(1, t);
            stats.tx_finished(&tx);
            t += 10_000;
        }
        stats
    }

    #[test]
    fn a_step_within_every_limit_holds() {
        let limits = Limits {
            latency: LatencyLimits { p99: Some(0.1), ..LatencyLimits::default() },
            failure_ratio: Some(0.2),
            ..Limits::default()
        };
        let step = StepOutcome::judge(0, 100.0, &stats(&[10; 90], 10), &limits, 1.0);
        assert!(step.held, "{:?}", step.broken);
        assert_eq!((step.succ, step.fail), (90, 10));
        assert!((step.failure_ratio - 0.1).abs() < 1e-9);
        assert!((step.latency.p99.unwrap() - 0.010).abs() < 0.001);
    }

    #[test]
    fn every_broken_limit_is_named() {
        let limits = Limits {
            latency: LatencyLimits { p50: Some(0.5), p99: Some(0.1), ..LatencyLimits::default() },
            failure_ratio: Some(0.05),
            ..Limits::default()
        };
        let mut latencies = vec![10; 95];
        latencies.extend([400; 5]);
        let step = StepOutcome::judge(3, 100.0, &stats(&latencies, 10), &limits, 1.0);
        assert!(!step.held);
        assert_eq!(step.broken.len(), 2, "{:?}", step.broken);
        assert!(step.broken[0].starts_with("latency.p99: 0.4"), "{:?}", step.broken);
        assert!(step.broken[1].starts_with("failureRatio: 0.0909 > 0.05"), "{:?}", step.broken);
    }

    #[test]
    fn a_latency_limit_with_nothing_successful_breaks() {
        let limits = Limits {
            corrected_latency: LatencyLimits { p95: Some(1.0), ..LatencyLimits::default() },
            ..Limits::default()
        };
        let step = StepOutcome::judge(0, 10.0, &stats(&[], 5), &limits, 1.0);
        assert_eq!(step.broken, ["correctedLatency.p95: no successful transaction"]);
    }
}
