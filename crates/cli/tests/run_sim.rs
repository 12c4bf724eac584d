//! End-to-end runs of the `caliper` binary against the built-in `sim` connector with local
//! worker processes.

mod common;

use std::time::{Duration, Instant};

use common::*;

const THREE_ROUNDS: &str = r#"
test:
  name: three-rounds
  description: integration test
  workers: { number: 2 }
  rounds:
    - label: open
      txNumber: 1001
      rateControl: &fast { type: fixed-rate, opts: { tps: 2000 } }
      workload: &wl { module: sim-mix, arguments: { keys: 100, mix: { write: 1 } } }
    - label: query
      txDuration: 2
      rateControl: { type: fixed-rate, opts: { tps: 500 } }
      workload: { <<: *wl, arguments: { mix: { read: 1 } } }
    - label: ramp
      txNumber: 600
      rateControl: { type: linear-rate, opts: { startingTps: 200, finishingTps: 1000 } }
      workload: *wl
"#;

#[test]
fn three_rounds_with_two_workers_account_for_every_transaction() {
    let ws = Workspace::new(THREE_ROUNDS, &sim_network("latency: { fixed: 5 }, failureRatio: 0.1, seed: 7"));
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("open") && stdout.contains("query") && stdout.contains("ramp"), "{stdout}");

    let results = ws.results();
    assert_eq!(results["schemaVersion"], 1);
    assert_eq!(rounds(&results).len(), 3);
    assert_accounted(&results);
    let open = &rounds(&results)[0];
    assert_eq!(open["status"], "passed");
    // txNumber is split exactly over the workers, the remainder not dropped.
    assert_eq!(open["submitted"], 1001);
    let per_worker: Vec<u64> =
        open["workers"].as_array().unwrap().iter().map(|w| w["submitted"].as_u64().unwrap()).collect();
    assert_eq!(per_worker.iter().sum::<u64>(), 1001);
    assert!(per_worker.contains(&501) && per_worker.contains(&500), "{per_worker:?}");
    // 10 % of writes fail, by class.
    let fail = open["fail"].as_u64().unwrap();
    assert!((50..=160).contains(&fail), "failures {fail}");
    assert_eq!(open["failures"]["rejected"].as_u64(), Some(fail));
    // Latency of a 5 ms SUT, with percentiles.
    let lat = &open["latency"];
    assert!(lat["p50"].as_f64().unwrap() >= 0.005, "{lat}");
    assert!(lat["p99"].as_f64().unwrap() < 0.2, "{lat}");
    assert!(lat["p999"].as_f64().unwrap() >= lat["p50"].as_f64().unwrap());
    assert!(open["correctedLatency"]["p50"].as_f64().unwrap() >= 0.005);
    // A 2 s round at 500 tx/s sends about 1,000 transactions at the rate asked for.
    let query = &rounds(&results)[1];
    let sent = query["submitted"].as_u64().unwrap();
    assert!((950..=1010).contains(&sent), "query sent {sent}");
    let rate = query["sendRate"].as_f64().unwrap();
    assert!((485.0..=515.0).contains(&rate), "send rate {rate}");
    assert!(!query["series"].as_array().unwrap().is_empty());
    assert_eq!(rounds(&results)[2]["submitted"], 600);
}

#[test]
fn outstanding_transactions_fail_as_timeout_at_the_drain_deadline() {
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: slow
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 1000 } }
      workload: { module: sim-mix }
"#;
    let ws = Workspace::new(bench, &sim_network("latency: { fixed: 60000 }"));
    let start = Instant::now();
    let out = ws.run(&["--caliper-worker-timeout-drain", "500"], Duration::from_secs(30));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(start.elapsed() < Duration::from_secs(15), "the round ended at its deadline");
    let results = ws.results();
    let r = &rounds(&results)[0];
    assert_eq!(r["submitted"], 20);
    assert_eq!(r["fail"], 20);
    assert_eq!(r["failures"]["timeout"], 20);
    assert_accounted(&results);
}

#[test]
fn an_overloaded_round_reports_the_rate_it_sent_with_timeouts_included() {
    // 4,000 writes/s offered for 2 s to a SUT that serves 400/s: most are still queued when
    // the drain deadline passes and count as timeouts. The send rate is what was sent,
    // computed as a user would: submitted over the span of the creation times (~ 2 s).
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: overload
      txDuration: 2
      rateControl: { type: fixed-rate, opts: { tps: 4000 } }
      workload: { module: sim-mix }
"#;
    let ws = Workspace::new(bench, &sim_network("latency: { fixed: 1 }, capacity: 400"));
    let out = ws.run(&["--caliper-worker-timeout-drain", "500"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    assert_accounted(&results);
    let r = &rounds(&results)[0];
    let submitted = r["submitted"].as_u64().unwrap();
    let timeouts = r["failures"]["timeout"].as_u64().unwrap_or(0);
    assert!(submitted >= 7_600, "sent {submitted}");
    assert!(timeouts * 2 > submitted, "most time out: {timeouts} of {submitted}");
    let by_hand = submitted as f64 / 2.0;
    for (what, rate) in [("round", &r["sendRate"]), ("worker 0", &r["workers"][0]["sendRate"])] {
        let rate = rate.as_f64().unwrap();
        assert!((rate / by_hand - 1.0).abs() < 0.03, "{what} send rate {rate}, by hand {by_hand}");
    }
    // Throughput: everything done over first creation to the last final time (the drain).
    let throughput = r["throughput"].as_f64().unwrap();
    assert!(throughput < by_hand && throughput > submitted as f64 / 3.0, "throughput {throughput}");
    // The console shows the same send rate as results.json.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shown = format!("{:.1}", r["sendRate"].as_f64().unwrap());
    assert!(stdout.contains(&shown), "console shows {shown}:\n{stdout}");
}

#[test]
fn the_in_flight_cap_bounds_what_a_worker_holds_and_reports_what_it_held_back() {
    // 500 tx/s for 2 s to a SUT that answers after 1 s: about 500 would be in flight at once.
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: capped
      txDuration: 2
      rateControl: { type: fixed-rate, opts: { tps: 500 } }
      workload: { module: sim-mix }
"#;
    let ws = Workspace::new(bench, &sim_network("latency: { fixed: 1000 }"));
    let out = ws.run(&["--caliper-worker-max-in-flight", "100"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    assert_accounted(&results);
    let r = &rounds(&results)[0];
    let worker = &r["workers"][0];
    let peak = worker["inFlightPeak"].as_u64().unwrap();
    assert!((90..=100).contains(&peak), "in flight at most the cap: {peak}");
    assert_eq!(r["inFlightPeak"].as_u64(), Some(peak));
    // 100 slots that free after 1 s each: about 100 tx/s get through; of the 1,000 the
    // schedule made due, all but the first 100 waited for the cap (sent late, or never).
    let submitted = r["submitted"].as_u64().unwrap();
    assert!((150..=350).contains(&submitted), "sent {submitted}");
    let held = r["heldBack"].as_u64().unwrap();
    assert!((850..=910).contains(&held), "held back {held}, sent {submitted}");
    assert_eq!(worker["heldBack"].as_u64(), Some(held));
    assert!(r["sendLateness"]["max"].as_f64().unwrap() > 0.5, "{}", r["sendLateness"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("caliper-worker-max-in-flight"), "the log says why: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{held} transaction(s) held back")), "the table says so: {stdout}");

    // Without the cap the same round holds about 500 at once.
    let out = ws.run(&["--caliper-worker-max-in-flight", "0"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let r = &rounds(&results)[0];
    assert!(r["inFlightPeak"].as_u64().unwrap() > 400, "{}", r["inFlightPeak"]);
    assert_eq!(r["heldBack"], 0);
}

#[test]
fn a_tx_number_round_behind_the_cap_of_a_sut_that_stopped_answering_ends_and_fails() {
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: stuck
      txNumber: 300
      rateControl: { type: fixed-rate, opts: { tps: 1000 } }
      workload: { module: sim-mix }
"#;
    let ws = Workspace::new(bench, &sim_network("latency: { fixed: 60000 }"));
    let start = Instant::now();
    let out = ws.run(
        &["--caliper-worker-max-in-flight", "50", "--caliper-worker-timeout-drain", "500"],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 3, "{}", show(&out));
    assert!(start.elapsed() < Duration::from_secs(20), "it ended: {:?}", start.elapsed());
    let results = ws.results();
    assert_accounted(&results);
    let r = &rounds(&results)[0];
    assert_eq!(r["status"], "failed");
    assert!(r["error"].as_str().unwrap().contains("stopped answering"), "{}", r["error"]);
    assert_eq!((r["submitted"].as_u64(), r["heldBack"].as_u64()), (Some(50), Some(250)));
    assert_eq!(r["failures"]["timeout"], 50);
}

#[test]
fn flow_flags_choose_the_phases() {
    let bench = "test:\n  rounds:\n    - label: a\n      txNumber: 5\n      rateControl: { type: fixed-rate, opts: { tps: 100 } }\n      workload: { module: sim-mix }\n";
    let network = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n    end: touch ended\n";
    let ws = Workspace::new(bench, network);
    let out = ws.run(&["--caliper-flow-only-test"], Duration::from_secs(30));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(!ws.file("started").exists() && !ws.file("ended").exists());
    assert_eq!(rounds(&ws.results())[0]["submitted"], 5);

    let out = ws.run(&["--caliper-flow-skip-end"], Duration::from_secs(30));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.file("started").exists() && !ws.file("ended").exists());

    let out = ws.run(&["--caliper-flow-skip-test"], Duration::from_secs(30));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.file("ended").exists());
    assert!(rounds(&ws.results()).is_empty());
}

#[test]
fn settings_layer_env_over_project_file_and_flags_over_env() {
    let bench = "test:\n  rounds:\n    - label: a\n      txNumber: 3\n      rateControl: { type: fixed-rate, opts: { tps: 100 } }\n      workload: { module: sim-mix }\n";
    let ws = Workspace::new(bench, &sim_network(""));
    // caliper.yaml gives the default results path; the environment overrides it, a flag
    // overrides the environment.
    let out = ws.manager(&[]).env("CALIPER_REPORT_JSON", "from-env.json").output().expect("runs");
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.file("from-env.json").exists());
    let out = ws
        .manager(&["--caliper-report-json", "out/from-flag.json"])
        .env("CALIPER_REPORT_JSON", "from-env2.json")
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.file("out/from-flag.json").exists() && !ws.file("from-env2.json").exists());
}
