//! A run that goes wrong still ends, reports what ran and says so in its exit code.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const LONG_ROUNDS: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - label: long
      txDuration: 30
      rateControl: { type: fixed-rate, opts: { tps: 400 } }
      workload: { module: sim-mix }
    - label: next
      txNumber: 10
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix }
"#;

#[test]
fn a_worker_killed_mid_round_fails_the_round_and_the_run_reports() {
    let network =
        "caliper:\n  blockchain: sim\n  command:\n    end: touch ended\nsim: { latency: { fixed: 2 } }\n";
    let ws = Workspace::new(LONG_ROUNDS, network);
    let child = ws.manager(&[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let kids = workers_of(child.id(), 2);
    std::thread::sleep(Duration::from_secs(3));
    signal(kids[0], "KILL");
    let killed_at = Instant::now();
    let out = wait_output(child, Duration::from_secs(25));
    assert!(killed_at.elapsed() < Duration::from_secs(10), "the loss was noticed at once: {}", show(&out));
    assert_eq!(code(&out), 3, "a round failed: {}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lost"), "{}", show(&out));
    assert!(ws.file("ended").exists(), "the end command ran");

    let results = ws.results();
    let long = &rounds(&results)[0];
    assert_eq!(long["status"], "failed");
    assert!(long["error"].as_str().unwrap().contains("lost"), "{long}");
    // The run stops after the loss: the surviving worker stops its round at once, and its
    // results up to then are kept and merged into the round's.
    let workers = long["workers"].as_array().unwrap();
    let (lost, kept): (Vec<_>, Vec<_>) =
        workers.iter().partition(|w| w["error"].as_str().unwrap_or("").starts_with("lost"));
    assert_eq!((lost.len(), kept.len()), (1, 1), "{long}");
    assert!(kept[0]["submitted"].as_u64().unwrap() > 0);
    assert_eq!(long["submitted"], kept[0]["submitted"], "only whole results are merged");
    assert!(long["latency"]["p99"].as_f64().is_some());
    assert!(lost[0]["latency"]["p99"].is_null(), "a lost worker's percentiles are unknown, not zero: {long}");
    assert_accounted(&results);
    assert_eq!(rounds(&results)[1]["status"], "notRun");
}

#[test]
fn ctrl_c_stops_the_run_writes_what_ran_and_runs_the_end_command() {
    let network =
        "caliper:\n  blockchain: sim\n  command:\n    end: touch ended\nsim: { latency: { fixed: 2 } }\n";
    let ws = Workspace::new(LONG_ROUNDS, network);
    let child = ws.manager(&[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    workers_of(child.id(), 2);
    std::thread::sleep(Duration::from_secs(3));
    signal(child.id(), "INT");
    let out = wait_output(child, Duration::from_secs(20));
    assert_eq!(code(&out), 130, "{}", show(&out));
    assert!(ws.file("ended").exists(), "the end command ran");
    let results = ws.results();
    assert_eq!(results["run"]["interrupted"], true);
    let long = &rounds(&results)[0];
    assert_eq!(long["status"], "failed");
    assert!(long["submitted"].as_u64().unwrap() > 500, "partial results are kept: {long}");
    assert_accounted(&results);
    assert_eq!(rounds(&results)[1]["status"], "notRun");
}
