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

/// A network configuration of the sim connector whose start command leaves a file.
fn sim_network_with_start(sim: &str) -> String {
    format!("caliper:\n  blockchain: sim\n  command:\n    start: touch started\nsim:\n{sim}")
}

#[test]
fn a_bad_sim_section_stops_the_run_before_the_start_command() {
    let network = sim_network_with_start(
        "  latency: { mean: slow, spread: 1 }\n  readLatncy: { fixed: 1 }\n  failureRatio: 1.5\n",
    );
    rejects(
        &round(OK_ROUND),
        &network,
        &[],
        2,
        &[
            "network.yaml:6:20: sim.latency.mean: expected a number of milliseconds",
            "network.yaml:7:15: sim.readLatncy: unknown key \"readLatncy\" (did you mean \"readLatency\"?)",
            "network.yaml:8:17: sim.failureRatio: expected a number from 0 to 1, got 1.5",
        ],
    );
    rejects(
        &round(OK_ROUND),
        &sim_network_with_start("  - 1\n"),
        &[],
        2,
        &["network.yaml", "sim: expected an object"],
    );
}

#[test]
fn bad_sim_mix_arguments_stop_the_run_before_the_start_command() {
    let bench = format!(
        "{}    - label: second\n      txNumber: 5\n      rateControl: {{ type: fixed-rate }}\n      workload:\n        module: sim-mix\n        arguments:\n          mix: {{ write: '' }}\n          keyz: 3\n",
        round(OK_ROUND)
    );
    rejects(
        &bench,
        NETWORK,
        &[],
        2,
        &[
            "bench.yaml:15:17: test.rounds[1].workload.arguments.keyz: unknown key \"keyz\" (did you mean \"keys\"?)",
            "bench.yaml:14:25: test.rounds[1].workload.arguments.mix.write: expected a weight of 0 or more, got a string",
        ],
    );
}

#[test]
fn every_mistake_of_both_files_is_reported_in_one_run() {
    let bench = round(
        "      txNumber: 5\n      rateControl: { type: fixed-rate, opts: { tsp: 10 } }\n      workload: { module: sim-mix, arguments: { batch: 0 } }\n    - label: r2\n      txDuration: -1\n      rateControl: { type: fixed-rate }\n      workload: { module: sim-mix, arguments: { seed: x } }\n",
    );
    let network = sim_network_with_start("  capacity: 0\n  seed: 1.5\n");
    let ws = Workspace::new(&bench, &network);
    let out = ws.run(&[], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("ERROR")).collect();
    let expected = [
        "test.rounds[0].workload.arguments.batch",
        "test.rounds[0].rateControl.opts.tsp",
        "test.rounds[1].txDuration",
        "test.rounds[1].workload.arguments.seed",
        "network.yaml:6:13: sim.capacity",
        "network.yaml:7:9: sim.seed",
    ];
    for needle in expected {
        assert_eq!(
            errors.iter().filter(|l| l.contains(needle)).count(),
            1,
            "one message for {needle}:\n{stderr}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "one message per mistake:\n{stderr}");
    assert!(!ws.file("started").exists(), "nothing was started");
}

#[test]
fn a_bad_ethereum_section_stops_the_run_before_the_start_command() {
    let network = |ethereum: &str| {
        format!(
            "caliper:\n  blockchain: ethereum\n  command:\n    start: touch started\nethereum:\n{ethereum}"
        )
    };
    rejects(
        &round(OK_ROUND),
        &network("  url: ftp://127.0.0.1:8545\n  chainID: 1\n"),
        &[],
        2,
        &[
            "network.yaml:6:8: ethereum.url: expected a ws://, wss://, http:// or https:// url",
            "network.yaml:7:12: ethereum.chainID: unknown key \"chainID\" (did you mean \"chainId\"?)",
        ],
    );
    rejects(
        &round(OK_ROUND),
        &network("  transactionConfirmationBlocks: 1\n"),
        &[],
        2,
        &["network.yaml", "ethereum.url: missing"],
    );
    // One account for two workers: found from the benchmark's worker count, not by a node.
    let two_workers = round(OK_ROUND).replace("number: 1", "number: 2");
    let key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    rejects(
        &two_workers,
        &network(&format!("  url: ws://127.0.0.1:1\n  fromAddressPrivateKey: \"{key}\"\n")),
        &[],
        2,
        &["ethereum.fromAddressPrivateKey: one account for 2 workers"],
    );
}
