//! The HTML report of a long run: its size and how long it takes to write.
//!
//! A synthetic run of 10 rounds of 360 s each, 2 workers at 100 tx/s each (72,000
//! transactions a round), latencies spread like a real SUT's (a body around 20 ms and a tail
//! to a few seconds), 1 % failures in two classes. Prints the page's size and the median time
//! of several runs of: the results built from the outcome (shared with results.json), the
//! page rendered and written.
//!
//! `cargo bench -p caliper-report --bench html` (`BENCH_REPEAT=n` runs, default 5;
//! `BENCH_KEEP=path` keeps the page).

use std::time::Instant;

use caliper_core::manager::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
use caliper_core::stats::RoundStats;
use caliper_core::{ErrorClass, TxState, TxStatus};
use caliper_report::{HtmlReport, ResultsFile};
use serde_json::json;

const ROUNDS: usize = 10;
const SECONDS: u64 = 360;
const WORKERS: usize = 2;
const TPS_PER_WORKER: u64 = 100;
const T0: u64 = 1_700_000_000_000_000;

/// xorshift64*: a fixed, dependency-free sequence of pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn worker(round: usize, index: usize, rng: &mut Rng) -> RoundStats {
    let mut stats = RoundStats::new(index as i64, round as i64, format!("round-{round}"), T0);
    let gap_us = 1_000_000 / TPS_PER_WORKER;
    for i in 0..SECONDS * TPS_PER_WORKER {
        let create = T0 + i * gap_us + index as u64 * 3_000;
        // A body of 10-30 ms, a slow second of load in the middle, and a tail: 1 in 1,000 up to 3 s.
        let u = rng.next();
        let mut latency_ms = 10.0 + 20.0 * rng.next();
        if u > 0.999 {
            latency_ms += 3_000.0 * rng.next();
        } else if u > 0.99 {
            latency_ms += 300.0 * rng.next();
        }
        if (i / TPS_PER_WORKER) % 120 == 60 {
            latency_ms *= 4.0;
        }
        let mut tx = TxStatus {
            id: String::new(),
            status: TxState::Created,
            time_create: create,
            time_final: 0,
            time_intended: Some(create),
            verified: false,
            error: None,
            error_class: None,
            result: None,
            custom: None,
        };
        stats.tx_submitted(1, create);
        let done = create + (latency_ms * 1_000.0) as u64;
        match rng.next() {
            f if f < 0.008 => tx.set_failed(done, ErrorClass::Rejected, "rejected"),
            f if f < 0.01 => tx.set_failed(done, ErrorClass::Timeout, "timeout"),
            _ => tx.set_success(done),
        }
        stats.tx_finished(&tx);
    }
    stats.series.pack();
    stats
}

fn run() -> RunOutcome {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let rounds = (0..ROUNDS)
        .map(|r| {
            let workers: Vec<RoundStats> = (0..WORKERS).map(|w| worker(r, w, &mut rng)).collect();
            RoundOutcome {
                index: r,
                label: format!("round-{r}"),
                description: Some("fixed-rate writes".to_owned()),
                config: json!({"txDuration": SECONDS, "rateControl": {"type": "fixed-rate", "opts": {"tps": 200}},
                    "workload": {"module": "sim-mix", "arguments": {"keys": 1000}}}),
                status: RoundStatus::Passed,
                merged: RoundStats::merge_all(&workers),
                workers: workers
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| WorkerOutcome { worker_index: i, stats: Some(s), error: None })
                    .collect(),
                duration_s: SECONDS as f64,
                monitors: Vec::new(),
                peak_search: None,
            }
        })
        .collect();
    RunOutcome {
        name: "html-bench".to_owned(),
        description: Some("10 rounds of 6 minutes".to_owned()),
        blockchain: "sim".to_owned(),
        info: serde_json::Map::new(),
        workers: WORKERS,
        workers_auto: false,
        started_at: "2026-01-01T00:00:00Z".to_owned(),
        finished_at: "2026-01-01T01:00:00Z".to_owned(),
        benchmark: json!({"test": {"name": "html-bench"}}),
        rounds,
        interrupted: false,
        error: None,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[allow(clippy::print_stdout)]
fn main() {
    let repeat: usize = std::env::var("BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let built = Instant::now();
    let outcome = run();
    println!(
        "synthetic run: {ROUNDS} rounds x {SECONDS} s, {WORKERS} workers, {} tx in all (built in {:.1} s)",
        ROUNDS as u64 * SECONDS * TPS_PER_WORKER * WORKERS as u64,
        built.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.html");
    let (mut results_ms, mut page_ms) = (Vec::new(), Vec::new());
    for _ in 0..repeat {
        let t = Instant::now();
        let results = ResultsFile::from_outcome(&outcome);
        results_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        HtmlReport::with_run(&results, &outcome).write(&path).expect("the report is written");
        page_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let bytes = std::fs::metadata(&path).expect("written").len();
    let (results_ms, page_ms) = (median(results_ms), median(page_ms));
    println!("report.html: {bytes} bytes ({:.2} MB)", bytes as f64 / 1e6);
    println!("median of {repeat}: results from the outcome {results_ms:.1} ms (shared with results.json)");
    println!("median of {repeat}: page rendered and written {page_ms:.1} ms");
    println!("median of {repeat}: in all {:.1} ms", results_ms + page_ms);
    if let Ok(keep) = std::env::var("BENCH_KEEP") {
        std::fs::copy(&path, keep).expect("kept");
    }
}
