//! `caliper check`: the run's own validation and a description of the run, with nothing
//! started (no start or end command, no connector, no worker).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

/// A copy of an example whose network configuration's start and end commands leave files.
fn example_copy(name: &str, network: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&example(name), dir.path());
    let path = dir.path().join(network);
    let text = std::fs::read_to_string(&path).expect("network configuration");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for line in &mut lines {
        if line.trim_start().starts_with("start:") {
            *line = "    start: touch started".to_string();
        } else if line.trim_start().starts_with("end:") {
            *line = "    end: touch ended".to_string();
        }
    }
    std::fs::write(&path, lines.join("\n")).expect("write network configuration");
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_sim_example_is_valid_and_its_plan_is_printed() {
    let out = check(&example("sim"), &[]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = stdout(&out);
    for needle in [
        "connector    sim",
        "workers      2, process messenger",
        "start        sh -c \"echo 'the sim SUT runs inside each worker: nothing to start'\"",
        "round 0    open: txNumber 2000, rate fixed-rate {\"tps\":500}, workload sim-mix",
        "round 1    query: txDuration 5 s, rate fixed-rate {\"tps\":1000}, workload sim-mix",
        "round 2    ramp: txDuration 5 s, rate linear-rate",
        "round 3    js-write: txNumber 1000, rate fixed-rate {\"tps\":500}, workload benchmarks/js/write.js",
        "end          sh -c",
    ] {
        assert!(text.contains(needle), "stdout should contain {needle:?}:\n{text}");
    }
}

#[test]
fn check_runs_no_command() {
    let ws = example_copy("sim", "networks/sim.yaml");
    let out = check(ws.path(), &[]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("start        sh -c \"touch started\""), "{}", show(&out));
    assert!(!ws.path().join("started").exists(), "the start command did not run");
    assert!(!ws.path().join("ended").exists(), "the end command did not run");
    assert!(!ws.path().join("results.json").exists(), "no run, no results");

    let ws = example_copy("ethereum-simple", "networks/anvil.yaml");
    let out = check(ws.path(), &["--caliper-flow-skip-end"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("end          skipped"), "{}", show(&out));
    assert!(!ws.path().join("started").exists(), "the start command did not run");
}

#[test]
fn the_ethereum_example_is_valid_and_anvil_is_not_started() {
    let workspace = example("ethereum-simple");
    let pid_file = workspace.join("anvil.pid");
    let before = std::fs::metadata(&pid_file).and_then(|m| m.modified()).ok();
    let out = check(&workspace, &["--output", "json"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let plan: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(plan["valid"], true);
    assert_eq!(plan["connector"], "ethereum");
    assert_eq!(plan["workers"]["number"], 2);
    assert_eq!(plan["workers"]["messenger"], "process");
    assert_eq!(plan["commands"]["start"], "bash scripts/start-anvil.sh");
    let labels: Vec<&str> =
        plan["rounds"].as_array().unwrap().iter().filter_map(|r| r["label"].as_str()).collect();
    assert_eq!(labels, ["open", "query", "transfer"]);
    assert_eq!(plan["rounds"][0]["txNumber"], 200);
    assert_eq!(plan["rounds"][0]["rateControl"]["type"], "fixed-rate");
    assert_eq!(plan["rounds"][0]["workload"]["module"], "benchmarks/open.js");
    // The start command writes anvil.pid; check must leave it as it was.
    let after = std::fs::metadata(&pid_file).and_then(|m| m.modified()).ok();
    assert_eq!(before, after, "the start command (anvil) did not run");
}

const BROKEN_BENCH: &str = "test:
  workers: { number: 2 }
  rounds:
    - label: a
      txNumber: 5
      rateControl: { type: fixed-rte }
      workload: { module: sim-mix, arguments: { keyz: 3 } }
    - label: b
      txNumber: 5
      rateControl: { type: fixed-rate }
      workload: { module: missing.js }
";

const BROKEN_NETWORK: &str = "caliper:
  blockchain: sim
  command: { start: touch started }
sim:
  latency: { fixed: -1 }
  sed: 1
";

#[test]
fn a_broken_workspace_is_reported_all_at_once() {
    let ws = Workspace::new(BROKEN_BENCH, BROKEN_NETWORK);
    let out = ws.check(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = [
        "bench.yaml:6:28: test.rounds[0].rateControl.type: unknown rate controller \"fixed-rte\" (did you mean \"fixed-rate\"?)",
        "bench.yaml:7:55: test.rounds[0].workload.arguments.keyz: unknown key \"keyz\" (did you mean \"keys\"?)",
        "bench.yaml:11:27: test.rounds[1].workload.module: workload module \"missing.js\" not found",
        "network.yaml:5:21: sim.latency.fixed",
        "network.yaml:6:8: sim.sed: unknown key \"sed\" (did you mean \"seed\"?)",
    ];
    for needle in expected {
        assert!(stderr.contains(needle), "stderr should contain {needle:?}:\n{stderr}");
    }
    assert_eq!(stderr.lines().filter(|l| l.contains("ERROR")).count(), expected.len(), "{stderr}");
    assert!(stdout(&out).is_empty(), "no plan for a broken workspace: {}", show(&out));
    assert!(!ws.file("started").exists());

    let out = ws.check(&["--output", "json"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(doc["valid"], false);
    let errors = doc["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), expected.len(), "{doc:#}");
    for needle in expected {
        assert!(errors.iter().any(|e| e.as_str().unwrap_or_default().contains(needle)), "{needle}: {doc:#}");
    }
}

#[test]
fn bad_settings_are_reported_too() {
    let ws = Workspace::new(BROKEN_BENCH, BROKEN_NETWORK);
    let out = ws.check(&["--caliper-flow-only-start", "--caliper-flow-only-end", "--output", "json"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let errors = doc["errors"].as_array().expect("errors");
    assert!(errors[0].as_str().unwrap().contains("caliper-flow-only"), "{doc:#}");
    assert_eq!(errors.len(), 6, "the flow and the five mistakes of the files: {doc:#}");
}
