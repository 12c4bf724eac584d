//! Bad input is found before anything starts, with a message that names the file and the key
//! path, and exit code 2.

mod common;

use std::time::Duration;

use common::*;

const NETWORK: &str = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n";

fn round(extra: &str) -> String {
    format!("test:\n  workers: {{ number: 1 }}\n  rounds:\n    - label: r\n{extra}")
}

const OK_ROUND: &str = "      txNumber: 5\n      rateControl: { type: fixed-rate, opts: { tps: 10 } }\n      workload: { module: sim-mix }\n";

/// Runs the manager on `bench` and `network`; expects exit code `expected`, nothing started,
/// and every `needle` in stderr.
fn rejects(bench: &str, network: &str, args: &[&str], expected: i32, needles: &[&str]) {
    let ws = Workspace::new(bench, network);
    let out = ws.run(args, Duration::from_secs(30));
    assert_eq!(code(&out), expected, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in needles {
        assert!(stderr.contains(needle), "stderr should contain {needle:?}:\n{stderr}");
    }
    assert!(!ws.file("started").exists(), "nothing was started");
}

#[test]
fn missing_benchmark_setting() {
    let ws = Workspace::new("", NETWORK);
    std::fs::write(ws.file("caliper.yaml"), "caliper:\n  networkconfig: network.yaml\n").unwrap();
    let out = ws.run(&[], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("caliper-benchconfig"), "{stderr}");
}

#[test]
fn benchmark_file_that_does_not_exist() {
    rejects(&round(OK_ROUND), NETWORK, &["--caliper-benchconfig", "nope.yaml"], 2, &["nope.yaml"]);
}

#[test]
fn yaml_syntax_error_gives_line_and_column() {
    rejects(
        "test:\n  rounds:\n    - label: [unclosed\n",
        NETWORK,
        &[],
        2,
        &["bench.yaml:3:", "syntax error"],
    );
}

#[test]
fn unknown_key_in_a_round_suggests_the_right_one() {
    let bench = round(
        "      txNumber: 5\n      rateControl: { type: linear-rate, opts: { startingTPS: 1, finishingTps: 5 } }\n      workload: { module: sim-mix }\n",
    );
    rejects(&bench, NETWORK, &[], 2, &["bench.yaml", "test.rounds[0].rateControl", "startingTps"]);
    let bench = round(
        "      txNumbr: 5\n      rateControl: { type: fixed-rate }\n      workload: { module: sim-mix }\n",
    );
    rejects(&bench, NETWORK, &[], 2, &["test.rounds[0]", "txNumber"]);
}

#[test]
fn tx_number_and_duration_both_or_neither() {
    let both = round(
        "      txNumber: 5\n      txDuration: 5\n      rateControl: { type: fixed-rate }\n      workload: { module: sim-mix }\n",
    );
    rejects(&both, NETWORK, &[], 2, &["test.rounds[0]", "txNumber", "txDuration"]);
    let neither = round("      rateControl: { type: fixed-rate }\n      workload: { module: sim-mix }\n");
    rejects(&neither, NETWORK, &[], 2, &["test.rounds[0]", "txNumber", "txDuration"]);
}

#[test]
fn unknown_rate_controller() {
    let bench = round(
        "      txNumber: 5\n      rateControl: { type: fixed-rte }\n      workload: { module: sim-mix }\n",
    );
    rejects(&bench, NETWORK, &[], 2, &["test.rounds[0].rateControl", "fixed-rate"]);
}

#[test]
fn negative_or_non_numeric_tps() {
    let neg = round(
        "      txNumber: 5\n      rateControl: { type: fixed-rate, opts: { tps: -5 } }\n      workload: { module: sim-mix }\n",
    );
    rejects(&neg, NETWORK, &[], 2, &["test.rounds[0].rateControl", "tps"]);
    let nan = round(
        "      txNumber: 5\n      rateControl: { type: fixed-rate, opts: { tps: fast } }\n      workload: { module: sim-mix }\n",
    );
    rejects(&nan, NETWORK, &[], 2, &["test.rounds[0].rateControl", "tps"]);
}

#[test]
fn zero_workers() {
    let bench = format!("test:\n  workers: {{ number: 0 }}\n  rounds:\n    - label: r\n{OK_ROUND}");
    rejects(&bench, NETWORK, &[], 2, &["bench.yaml", "test.workers.number"]);
}

#[test]
fn unknown_connector_lists_the_available_ones() {
    let network = "caliper:\n  blockchain: fabrik\n  command:\n    start: touch started\n";
    rejects(&round(OK_ROUND), network, &[], 2, &["network.yaml", "caliper.blockchain", "fabrik", "sim"]);
}

#[test]
fn unknown_workload_module() {
    let bench = round(
        "      txNumber: 5\n      rateControl: { type: fixed-rate }\n      workload: { module: sim-mx }\n",
    );
    rejects(&bench, NETWORK, &[], 2, &["test.rounds[0].workload.module", "sim-mix"]);
}

#[test]
fn a_failing_start_command_stops_the_run() {
    let ws = Workspace::new(
        &round(OK_ROUND),
        "caliper:\n  blockchain: sim\n  command:\n    start: exit 7\n    end: touch ended\n",
    );
    let out = ws.run(&[], Duration::from_secs(30));
    assert_eq!(code(&out), 1, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("caliper.command.start"), "{stderr}");
    assert!(ws.file("ended").exists(), "the end command still runs");
    let results = ws.results();
    assert_eq!(rounds(&results)[0]["status"], "notRun");
}
