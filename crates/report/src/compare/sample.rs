//! Results files built by hand for the tests of the comparison.

use serde_json::json;

use crate::json::{LatencyFigures, ResultsFile, RoundResult, RoundResultStatus, RunInfo, Tool};

/// A passed round of 1,000 transactions at 100 tx/s, 5 ms median and 9 ms p99, nothing failed.
pub(crate) fn round(label: &str) -> RoundResult {
    RoundResult {
        index: 0,
        label: label.to_owned(),
        description: None,
        status: RoundResultStatus::Passed,
        error: None,
        config: json!({"txNumber": 1000, "rateControl": {"type": "fixed-rate", "opts": {"tps": 100}}}),
        duration_s: 10.0,
        submitted: 1000,
        succ: 1000,
        fail: 0,
        send_rate: Some(100.0),
        throughput: Some(99.0),
        in_flight_peak: 1,
        held_back: 0,
        latency: latency(0.005, 0.009),
        corrected_latency: LatencyFigures::default(),
        failed_latency: LatencyFigures::default(),
        failures: Default::default(),
        send_lateness: LatencyFigures::default(),
        usage: None,
        series: Vec::new(),
        workers: Vec::new(),
        monitors: Vec::new(),
        exported: Vec::new(),
        peak_search: None,
    }
}

/// Latency figures with this median and p99 (p90 and p95 between them).
pub(crate) fn latency(p50: f64, p99: f64) -> LatencyFigures {
    let mid = (p50 + p99) / 2.0;
    LatencyFigures {
        min: Some(p50 / 2.0),
        max: Some(p99 * 1.5),
        avg: Some(p50),
        p50: Some(p50),
        p90: Some(mid),
        p95: Some(mid),
        p99: Some(p99),
        p999: Some(p99),
    }
}

/// A run of 1 worker with these rounds (indices set in order).
pub(crate) fn file(rounds: Vec<RoundResult>) -> ResultsFile {
    ResultsFile {
        schema_version: crate::SCHEMA_VERSION,
        tool: Tool { name: "caliper-rs".to_owned(), version: "0.1.0".to_owned() },
        run: RunInfo {
            name: "bench".to_owned(),
            description: None,
            blockchain: "sim".to_owned(),
            info: Default::default(),
            workers: 1,
            workers_auto: false,
            started_at: "2026-01-01T00:00:00Z".to_owned(),
            finished_at: "2026-01-01T00:01:00Z".to_owned(),
            interrupted: false,
            error: None,
            passed: true,
        },
        benchmark: json!({}),
        rounds: rounds.into_iter().enumerate().map(|(i, r)| RoundResult { index: i, ..r }).collect(),
    }
}
