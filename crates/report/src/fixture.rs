//! A run built by hand from real statistics, for the tests of the reports.
//!
//! Round 0 `open` passed: two workers, 20 successful transactions.
//! Round 1 `transfer` failed: worker 1 was lost; nothing succeeded; 4 failures in 3 classes.
//! Round 2 `query` did not run: the run was interrupted.

use caliper_core::manager::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
use caliper_core::stats::RoundStats;
use caliper_core::{ErrorClass, TxState, TxStatus};
use serde_json::json;

/// The start of every round, in epoch microseconds.
pub(crate) const T0: u64 = 1_700_000_000_000_000;
const MS: u64 = 1_000;

fn tx(create_ms: u64) -> TxStatus {
    TxStatus {
        id: String::new(),
        status: TxState::Created,
        time_create: T0 + create_ms * MS,
        time_final: 0,
        time_intended: Some(T0 + create_ms * MS),
        verified: false,
        error: None,
        error_class: None,
        result: None,
        custom: None,
    }
}

fn succeed(stats: &mut RoundStats, create_ms: u64, latency_ms: u64) {
    let mut t = tx(create_ms);
    stats.tx_submitted(1, t.time_create);
    t.set_success(t.time_create + latency_ms * MS);
    stats.tx_finished(&t);
}

fn fail(stats: &mut RoundStats, create_ms: u64, latency_ms: u64, class: ErrorClass) {
    let mut t = tx(create_ms);
    stats.tx_submitted(1, t.time_create);
    t.set_failed(t.time_create + latency_ms * MS, class, "refused");
    stats.tx_finished(&t);
}

/// Round 0: worker 0 sends 10 tx every 100 ms from 0 ms with latencies 100, 110, ... 190 ms
/// (the last one 50 ms late, so its corrected latency is 240 ms); worker 1 sends 10 tx every
/// 100 ms from 50 ms, each with 200 ms latency.
///
/// Merged: 20 succ, first create 0, last create 950 ms, last finish 1150 ms, so Caliper's
/// send rate is 20 / 0.95 s = 21.05 (`21.1`) and throughput 20 / 1.15 s = 17.39 (`17.4`);
/// min 0.10 s, max 0.20 s, avg 3450 ms / 20 = 0.1725 s, p50 = the 10th value = 190 ms.
fn open_round() -> RoundOutcome {
    let mut w0 = RoundStats::new(0, 0, "open", T0);
    for i in 0..10 {
        if i == 9 {
            let mut t = tx(900);
            t.time_intended = Some(T0 + 850 * MS);
            w0.tx_submitted(1, t.time_create);
            t.set_success(t.time_create + 190 * MS);
            w0.tx_finished(&t);
        } else {
            succeed(&mut w0, i * 100, 100 + 10 * i);
        }
    }
    let mut w1 = RoundStats::new(1, 0, "open", T0);
    for i in 0..10 {
        succeed(&mut w1, 50 + i * 100, 200);
    }
    round(0, "open", RoundStatus::Passed, vec![(0, Some(w0), None), (1, Some(w1), None)], 1.2)
}

/// Round 1: worker 0 has one tx rejected after 30 ms and two abandoned at the deadline as
/// timeouts at 5 s; worker 1 had one tx reverted after 80 ms before it was lost.
///
/// Merged: 0 succ, 4 fail; creates at 0, 100 (the abandoned ones, at their submission) and
/// 200 ms, so the send rate is 4 / 0.2 s = 20.0 and the throughput 4 / 5 s = 0.8; failed
/// latency 30 and 80 ms. Worker 0 alone: 3 / 0.1 s = 30.0; worker 1 has a single creation
/// time: its send rate is undefined.
fn transfer_round() -> RoundOutcome {
    let mut w0 = RoundStats::new(0, 1, "transfer", T0);
    fail(&mut w0, 0, 30, ErrorClass::Rejected);
    w0.tx_submitted(2, T0 + 100 * MS);
    w0.tx_abandoned(2, ErrorClass::Timeout, T0 + 5_000 * MS);
    let mut w1 = RoundStats::new(1, 1, "transfer", T0);
    fail(&mut w1, 200, 80, ErrorClass::Reverted);
    round(
        1,
        "transfer",
        RoundStatus::Failed { error: "worker 1 was lost".to_owned() },
        vec![(0, Some(w0), None), (1, Some(w1), Some("no message for 10 s".to_owned()))],
        5.0,
    )
}

fn round(
    index: usize,
    label: &str,
    status: RoundStatus,
    workers: Vec<(usize, Option<RoundStats>, Option<String>)>,
    duration_s: f64,
) -> RoundOutcome {
    let merged = RoundStats::merge_all(workers.iter().filter_map(|w| w.1.as_ref()));
    RoundOutcome {
        index,
        label: label.to_owned(),
        description: Some(format!("{label} accounts")),
        config: json!({"txNumber": 20, "rateControl": {"type": "fixed-rate", "opts": {"tps": 20}},
            "workload": {"module": "simple.js", "arguments": {"privateKey": "0xdeadbeef"}}}),
        status,
        merged,
        workers: workers
            .into_iter()
            .map(|(worker_index, stats, error)| WorkerOutcome { worker_index, stats, error })
            .collect(),
        duration_s,
        monitors: Vec::new(),
        peak_search: None,
    }
}

/// The whole run: `open` passed, `transfer` failed, `query` did not run.
pub(crate) fn run() -> RunOutcome {
    let query = RoundOutcome {
        index: 2,
        label: "query".to_owned(),
        description: None,
        config: json!({"txDuration": 30}),
        status: RoundStatus::NotRun { reason: "the run was interrupted".to_owned() },
        merged: None,
        workers: Vec::new(),
        duration_s: 0.0,
        monitors: Vec::new(),
        peak_search: None,
    };
    let mut info = serde_json::Map::new();
    info.insert("Version".to_owned(), json!("1.0"));
    info.insert("adminPassword".to_owned(), json!("hunter2"));
    RunOutcome {
        name: "simple".to_owned(),
        description: Some("a simple benchmark".to_owned()),
        blockchain: "ethereum".to_owned(),
        info,
        workers: 2,
        workers_auto: false,
        started_at: "2026-01-01T00:00:00Z".to_owned(),
        finished_at: "2026-01-01T00:01:00Z".to_owned(),
        benchmark: json!({"test": {"name": "simple", "workers": {"number": 2}}}),
        rounds: vec![open_round(), transfer_round(), query],
        interrupted: true,
        error: None,
    }
}

/// A peak search of three steps: 40 held, 80 broke a p99 limit, 60 held and is the peak.
pub(crate) fn peak_search() -> caliper_core::rate::PeakSearchOutcome {
    use caliper_core::rate::{Limits, PeakSearchOutcome, StepLatency, StepOutcome};
    let step = |n: usize, tps: f64, held: bool| StepOutcome {
        step: n,
        tps,
        submitted: 100,
        succ: 100,
        fail: 0,
        send_rate: Some(tps),
        throughput: Some(tps.min(66.0)),
        failure_ratio: 0.0,
        latency: StepLatency { p50: Some(0.01), p95: Some(0.01), p99: Some(0.01), p999: Some(0.01) },
        corrected_latency: StepLatency::default(),
        duration_s: 2.5,
        held,
        broken: if held { vec![] } else { vec!["latency.p99: 0.2000 s > 0.05 s".into()] },
    };
    PeakSearchOutcome {
        peak_tps: Some(60.0),
        peak_step: Some(2),
        precision: 5.0,
        duration_s: 7.5,
        limits: Limits::default(),
        steps: vec![step(0, 40.0, true), step(1, 80.0, false), step(2, 60.0, true)],
    }
}
