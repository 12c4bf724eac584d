//! The soak benchmark: `cargo bench -p caliper-cli --bench soak`.
//!
//! One worker at a fixed 10,000 tx/s for an hour (`BENCH_SOAK_SECS`, default 3600) against
//! the `sim` connector with a log-normal latency (mean 20 ms, spread 5 ms) and a mix of
//! writes and reads. While it runs, the worker's resident memory is read from /proc every
//! 10 s; at the end the figures of results.json and the memory over time are printed, with
//! the growth between the first and the last tenth of the run (flat when the engine keeps
//! nothing per transaction once it has finished).
#![allow(clippy::print_stdout, missing_docs)]

// The integration tests' helpers: the children of a process, from /proc.
#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Resident memory of `pid` in bytes (VmRSS).
fn rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

fn main() {
    let secs: u64 = std::env::var("BENCH_SOAK_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600);
    let tps: u64 = std::env::var("BENCH_SOAK_TPS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bench = format!(
        "test:\n  name: soak\n  workers: {{ number: 1 }}\n  rounds:\n    - label: soak\n      txDuration: {secs}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix, arguments: {{ mix: {{ write: 1, read: 1 }} }} }}\n"
    );
    std::fs::write(d.join("bench.yaml"), bench).unwrap();
    std::fs::write(
        d.join("network.yaml"),
        "caliper:\n  blockchain: sim\nsim: { latency: { mean: 20, spread: 5 }, seed: 1 }\n",
    )
    .unwrap();
    println!(
        "## Soak: 1 worker, fixed-rate {tps} tx/s for {secs} s, sim latency mean 20 ms spread 5 ms, writes and reads"
    );
    let start = Instant::now();
    let mut manager = Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "manager", "--caliper-workspace"])
        .arg(d)
        .args([
            "--caliper-benchconfig",
            "bench.yaml",
            "--caliper-networkconfig",
            "network.yaml",
            "--caliper-progress-reporting-enabled",
            "false",
            "--caliper-logging-level",
            "warn",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("caliper runs");
    let mut samples: Vec<(f64, u64)> = Vec::new();
    let mut worker = None;
    let status = loop {
        if let Some(status) = manager.try_wait().expect("wait") {
            break status;
        }
        worker = worker.or_else(|| common::children(manager.id()).first().copied());
        if let Some(bytes) = worker.and_then(rss) {
            let t = start.elapsed().as_secs_f64();
            if samples.last().is_none_or(|(last, _)| t - last >= 10.0) {
                samples.push((t, bytes));
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(status.success(), "caliper failed: {status}");
    let text = std::fs::read_to_string(d.join("results.json")).unwrap();
    let results: Value = serde_json::from_str(&text).unwrap();
    let r = &results["rounds"][0];
    println!(
        "submitted {} (succ {}, fail {}); send rate {:.1} tx/s; throughput {:.1} tx/s; latency p50 {:.1} ms, p99 {:.1} ms; send lateness p99 {:.2} ms, max {:.2} ms; worker CPU {:.1} s",
        r["submitted"],
        r["succ"],
        r["fail"],
        r["sendRate"].as_f64().unwrap_or(f64::NAN),
        r["throughput"].as_f64().unwrap_or(f64::NAN),
        r["latency"]["p50"].as_f64().unwrap_or(f64::NAN) * 1e3,
        r["latency"]["p99"].as_f64().unwrap_or(f64::NAN) * 1e3,
        r["sendLateness"]["p99"].as_f64().unwrap_or(f64::NAN) * 1e3,
        r["sendLateness"]["max"].as_f64().unwrap_or(f64::NAN) * 1e3,
        r["usage"]["cpuSeconds"].as_f64().unwrap_or(f64::NAN),
    );
    println!("| elapsed (s) | worker RSS (MB) |");
    println!("|---:|---:|");
    let step = (samples.len() / 12).max(1);
    for (t, bytes) in samples.iter().step_by(step).chain(samples.last()) {
        println!("| {t:.0} | {:.1} |", *bytes as f64 / 1e6);
    }
    let tenth = (samples.len() / 10).max(1);
    let mean = |s: &[(f64, u64)]| s.iter().map(|(_, b)| *b as f64).sum::<f64>() / s.len().max(1) as f64;
    let first = mean(&samples[..tenth.min(samples.len())]);
    let last = mean(&samples[samples.len().saturating_sub(tenth)..]);
    println!(
        "worker RSS: first tenth {:.1} MB, last tenth {:.1} MB, growth {:+.1} % ; peak {:.1} MB",
        first / 1e6,
        last / 1e6,
        (last / first - 1.0) * 100.0,
        r["usage"]["peakRssBytes"].as_f64().unwrap_or(f64::NAN) / 1e6
    );
}
