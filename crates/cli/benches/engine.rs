//! The engine's benchmark: `cargo bench -p caliper-cli --bench engine`.
//!
//! It runs the real `caliper` binary (release profile) against the zero-latency `sim`
//! connector and reads the figures from the results file it writes, so what is measured is
//! what a user runs. Figures are medians of `BENCH_REPEAT` runs (default 1; the machines are
//! shared and noisy). `BENCH_QUICK=1` shortens every scenario for a smoke run.
//!
//! Scenarios: the generator's ceiling on one core; rate accuracy at 1k/10k/100k tx/s with 1 and
//! 2 workers; worker memory after 1 M and 10 M transactions; the fixed overhead per round.
#![allow(clippy::print_stdout, missing_docs)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1")
}

fn repeat() -> usize {
    std::env::var("BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}

/// Runs one benchmark config; returns the results file and the wall time in seconds.
fn run(dir: &Path, workers: usize, rounds: &str) -> (Value, f64) {
    let bench = format!("test:\n  name: bench\n  workers: {{ number: {workers} }}\n  rounds:\n{rounds}");
    std::fs::write(dir.join("bench.yaml"), bench).unwrap();
    std::fs::write(dir.join("network.yaml"), "caliper:\n  blockchain: sim\nsim: { latency: { fixed: 0 } }\n")
        .unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "manager", "--caliper-workspace"])
        .arg(dir)
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
        .output()
        .expect("caliper runs");
    let wall = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "caliper failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), wall)
}

fn round(kind: &str, size: &str, tps: u64) -> String {
    format!(
        "    - label: {kind}\n      {size}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix, arguments: {{ mix: {{ read: 1 }} }} }}\n"
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn f(r: &Value, path: &[&str]) -> f64 {
    path.iter().fold(r, |v, k| &v[*k]).as_f64().unwrap_or(f64::NAN)
}

fn worker_sum(r: &Value, path: &[&str]) -> f64 {
    r["workers"].as_array().map(|ws| ws.iter().map(|w| f(w, path)).sum()).unwrap_or(f64::NAN)
}

fn worker_max(r: &Value, path: &[&str]) -> f64 {
    r["workers"].as_array().map(|ws| ws.iter().map(|w| f(w, path)).fold(0.0, f64::max)).unwrap_or(f64::NAN)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secs = if quick() { 2 } else { 10 };

    println!("## Generator ceiling: 1 worker, sim with zero latency, fixed-rate 10,000,000 tx/s, {secs} s");
    let mut rates = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..repeat() {
        let (res, _) = run(d, 1, &round("ceiling", &format!("txDuration: {secs}"), 10_000_000));
        let r = &res["rounds"][0];
        rates.push(f(r, &["submitted"]) / f(r, &["durationS"]));
        cpu.push(worker_sum(r, &["usage", "cpuSeconds"]) * 1e6 / f(r, &["submitted"]));
    }
    println!("achieved: {:.0} tx/s; worker CPU per transaction: {:.2} us", median(rates), median(cpu));

    println!("\n## Rate accuracy: fixed-rate for {secs} s");
    println!("| target tx/s | workers | send rate | ratio | lateness p99 (ms) | lateness max (ms) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for tps in [1_000u64, 10_000, 100_000] {
        for workers in [1usize, 2] {
            let mut got = Vec::new();
            let mut p99 = Vec::new();
            let mut max = Vec::new();
            for _ in 0..repeat() {
                let (res, _) = run(d, workers, &round("rate", &format!("txDuration: {secs}"), tps));
                let r = &res["rounds"][0];
                got.push(f(r, &["sendRate"]));
                p99.push(f(r, &["sendLateness", "p99"]) * 1e3);
                max.push(f(r, &["sendLateness", "max"]) * 1e3);
            }
            let got = median(got);
            println!(
                "| {tps} | {workers} | {got:.1} | {:.4} | {:.3} | {:.3} |",
                got / tps as f64,
                median(p99),
                median(max)
            );
        }
    }

    println!("\n## Memory: worker peak RSS after N transactions in one round (1 worker)");
    let sizes: &[u64] = if quick() { &[100_000, 1_000_000] } else { &[1_000_000, 10_000_000] };
    for n in sizes {
        let (res, _) = run(d, 1, &round("memory", &format!("txNumber: {n}"), 10_000_000));
        let r = &res["rounds"][0];
        println!(
            "{n} tx: peak RSS {:.1} MB, RSS at end {:.1} MB ({:.0} tx/s)",
            worker_max(r, &["usage", "peakRssBytes"]) / 1e6,
            worker_max(r, &["usage", "rssBytes"]) / 1e6,
            f(r, &["submitted"]) / f(r, &["durationS"])
        );
    }

    println!("\n## Fixed overhead: a 3-round run (1 s rounds, 2 workers) minus the rounds' own durations");
    let mut overhead = Vec::new();
    for _ in 0..repeat().max(3) {
        let rounds: String = (0..3).map(|_| round("r", "txDuration: 1", 100)).collect();
        let (res, wall) = run(d, 2, &rounds);
        let busy: f64 = res["rounds"].as_array().unwrap().iter().map(|r| f(r, &["durationS"])).sum();
        overhead.push(wall - busy);
    }
    let o = median(overhead);
    println!(
        "whole run: {o:.3} s of overhead, {:.3} s per round (process start-up and worker join included)",
        o / 3.0
    );
}
