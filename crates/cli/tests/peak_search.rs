//! `peak-search` end to end: the `caliper` binary searches a `sim` SUT whose answer is known.
//!
//! A SUT that serves `totalCapacity` writes a second holds a latency limit up to that rate and
//! breaks it above (the queue grows for the whole step); one that refuses writes when its queue
//! is full fails `1 - C / rate` of them above its capacity, so a limit on the failure ratio
//! `x` is met up to `C / (1 - x)`.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

/// A search from 40 TPS to at most 200, steps of 2 s, to 5 TPS.
fn bench(workers: usize, limits: &str, precision: f64) -> String {
    format!(
        r#"
test:
  name: peak
  workers: {{ number: {workers} }}
  rounds:
    - label: peak
      txDuration: 2
      rateControl:
        type: peak-search
        opts: {{ startTps: 40, maxTps: 200, precision: {precision}, limits: {limits} }}
      workload: {{ module: sim-mix, arguments: {{ keys: 100, mix: {{ write: 1 }} }} }}
"#
    )
}

/// The peak found, after checking what every step and the round say.
fn searched(results: &Value) -> (f64, &Vec<Value>) {
    let round = &rounds(results)[0];
    assert_eq!(round["status"], "passed", "{round}");
    let search = &round["peakSearch"];
    let peak = search["peakTps"].as_f64().expect("a peak");
    let steps = search["steps"].as_array().unwrap();
    assert!(steps.len() >= 3, "{search}");
    for step in steps {
        let held = step["held"].as_bool().unwrap();
        assert_eq!(held, step["broken"].as_array().unwrap().is_empty(), "{step}");
        // Every step sent what it asked for, divided among the workers.
        let (tps, sent) = (step["tps"].as_f64().unwrap(), step["sendRate"].as_f64().unwrap());
        assert!((sent - tps).abs() <= tps * 0.05 + 1.0, "{step}");
        assert_eq!(step["submitted"], step["succ"].as_u64().unwrap() + step["fail"].as_u64().unwrap());
    }
    // No rate above the peak held, and the round's figures are the peak step's.
    assert!(steps.iter().all(|s| s["held"] == false || s["tps"].as_f64().unwrap() <= peak));
    let at_peak = &steps[search["peakStep"].as_u64().unwrap() as usize];
    assert_eq!(at_peak["tps"].as_f64(), Some(peak));
    assert_eq!(round["submitted"], at_peak["submitted"]);
    assert_eq!(round["fail"], at_peak["fail"]);
    (peak, steps)
}

fn capacity_is_found(workers: usize) {
    let capacity = 66.0;
    let network = sim_network(&format!("latency: {{ fixed: 10 }}, totalCapacity: {capacity}, seed: 3"));
    // Above the capacity by 5 TPS, the queue grows by 5 writes a second: after a 2 s step the
    // last writes wait 0.15 s, and one in twenty more than 0.14 s. A limit of 0.1 s on p95
    // leaves room for the stalls of a busy machine (a stall sends a burst that queues).
    let ws = Workspace::new(&bench(workers, "{ latency: { p95: 0.1 } }", 5.0), &network);
    let out = ws.run(&[], Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let (peak, steps) = searched(&results);
    assert!((peak - capacity).abs() <= 5.0, "peak {peak} for a capacity of {capacity}: {steps:#?}");
    // Above the capacity the queue grew: the steps that broke name the latency limit.
    assert!(
        steps
            .iter()
            .filter(|s| s["held"] == false)
            .all(|s| s["broken"][0].as_str().unwrap().starts_with("latency.p95: ")),
        "{steps:#?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("### Peak search ###"), "{stdout}");
    assert!(stdout.contains(&format!("Peak: {peak:.2} TPS held every limit")), "{stdout}");
    assert!(std::fs::read_to_string(ws.file("report.html")).unwrap().contains("Peak search"));
}

#[test]
fn one_worker_finds_the_capacity_within_the_precision() {
    capacity_is_found(1);
}

#[test]
fn two_workers_find_the_capacity_within_the_precision() {
    capacity_is_found(2);
}

#[test]
fn a_failure_limit_stops_where_the_full_queue_refuses_that_share() {
    // Capacity 45 with room for one waiting write: above it, 1 - 45 / rate of the writes are
    // refused, so at most 20 % fail up to 45 / 0.8 = 56.25 TPS.
    let network = sim_network("latency: { fixed: 5 }, capacity: 45, queueLimit: 1, seed: 3");
    let ws = Workspace::new(&bench(1, "{ failureRatio: 0.2 }", 4.0), &network);
    let out = ws.run(&[], Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let (peak, steps) = searched(&results);
    assert!((peak - 56.25).abs() <= 4.0, "peak {peak}: {steps:#?}");
    for step in steps {
        let (tps, ratio) = (step["tps"].as_f64().unwrap(), step["failureRatio"].as_f64().unwrap());
        let expected = (1.0 - 45.0 / tps).max(0.0);
        assert!((ratio - expected).abs() < 0.05, "{step}");
        if step["held"] == false {
            assert!(step["broken"][0].as_str().unwrap().starts_with("failureRatio: "), "{step}");
        }
    }
    assert_eq!(rounds(&results)[0]["failures"]["rejected"], rounds(&results)[0]["fail"]);
}

#[test]
fn no_step_within_the_limits_fails_the_round_and_keeps_every_step() {
    // A SUT that fails a third of everything holds no failure limit of 10 %.
    let network = sim_network("latency: { fixed: 1 }, failureRatio: 0.34, seed: 3");
    let bench = bench(1, "{ failureRatio: 0.1 }", 10.0).replace("txDuration: 2", "txDuration: 1");
    let ws = Workspace::new(&bench, &network);
    let out = ws.run(&[], Duration::from_secs(60));
    assert_ne!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let round = &rounds(&results)[0];
    assert_eq!(round["status"], "failed");
    assert!(round["error"].as_str().unwrap().contains("no step held every limit"), "{round}");
    let search = &round["peakSearch"];
    assert_eq!(search["peakTps"], Value::Null);
    // 40, then bisecting down: 20, 10.
    let tried: Vec<f64> =
        search["steps"].as_array().unwrap().iter().map(|s| s["tps"].as_f64().unwrap()).collect();
    assert_eq!(tried, [40.0, 20.0, 10.0]);
    // The round's figures are the lowest rate's.
    assert!(round["submitted"].as_u64().unwrap() <= 12, "{round}");
}
