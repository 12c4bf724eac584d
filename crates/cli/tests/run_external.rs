//! End-to-end: connectors that are separate programs speaking the caliper-connector protocol.
//!
//! The example `examples/external-python` (a connector written in Python, standard library
//! only) runs its 2-round benchmark with 2 worker processes against a real anvil that the test
//! starts on a loopback port. Then a Python connector that misbehaves on purpose in its first
//! round (crash, hang, garbage on stdout) and one that speaks another protocol version: each
//! gives its clear error, and the run goes on and writes its results.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use caliper_testkit::anvil::Anvil;
use common::*;
use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/external-python")
}

#[test]
fn the_python_example_runs_a_full_benchmark_against_anvil() {
    let anvil = Anvil::start();
    let ws = tempfile::tempdir().unwrap();
    copy_dir(&example(), ws.path());
    // Copies lose no mode bits: the connector stays executable, as exec: requires.
    let network = ws.path().join("networks/anvil.yaml");
    let text = std::fs::read_to_string(&network).unwrap().replace("http://127.0.0.1:8545", &anvil.http_url());
    std::fs::write(&network, text).unwrap();

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "manager", "--caliper-workspace"])
        .arg(ws.path())
        .args(["--caliper-progress-reporting-enabled", "false"])
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_output(child, Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = std::fs::read_to_string(ws.path().join("results.json")).unwrap();
    let results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(results["run"]["blockchain"], "exec:./connector/anvil_connector.py");
    assert_eq!(results["run"]["workers"], 2);
    let rounds = rounds(&results);
    assert_eq!(rounds.len(), 2);
    for (round, expected) in rounds.iter().zip([200, 400]) {
        assert_eq!(round["status"], "passed", "{round}");
        assert_eq!(round["succ"], expected, "{round}");
        assert_eq!(round["fail"], 0, "{round}");
        assert!(round["latency"]["avg"].as_f64().unwrap() > 0.0, "{round}");
        assert!(round["latency"]["min"].as_f64().unwrap() > 0.0, "{round}");
        for worker in round["workers"].as_array().unwrap() {
            assert_eq!(worker["succ"].as_u64().unwrap() * 2, expected, "each worker sent half: {round}");
        }
    }
    // Transfers wait for a block (anvil mines one a second); reads do not.
    assert!(rounds[0]["latency"]["avg"].as_f64().unwrap() > 0.05, "{}", rounds[0]);
    // The connector's stderr is the log, at the level its prefix names.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("nothing to install: Ether transfers need no contract"), "{log}");
    assert!(log.contains("connector=\"exec:./connector/anvil_connector.py\" worker=0"), "{log}");
}

/// A workspace whose connector is `misbehave.py <args>` and whose benchmark has two rounds of
/// 200 transactions at 200 tx/s per worker, 2 workers; a JavaScript workload sends the requests.
fn misbehaving(args: &str) -> Workspace {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/external/misbehave.py");
    let bench = r#"
test:
  name: misbehave
  workers: { number: 2 }
  rounds:
    - { label: first, txNumber: 400, rateControl: { type: fixed-rate, opts: { tps: 400 } }, workload: { module: workload.js } }
    - { label: second, txNumber: 400, rateControl: { type: fixed-rate, opts: { tps: 400 } }, workload: { module: workload.js } }
"#;
    let network = format!("caliper:\n  blockchain: \"exec:python3 '{}' {args}\"\n", script.display());
    let ws = Workspace::new(bench, &network);
    std::fs::write(
        ws.file("workload.js"),
        "'use strict';\nconst { WorkloadModuleBase } = require('@hyperledger/caliper-core');\n\
         class W extends WorkloadModuleBase {\n  async submitTransaction() { await this.sutAdapter.sendRequests({ op: 'x' }); }\n}\n\
         module.exports.createWorkloadModule = () => new W();\n",
    )
    .unwrap();
    ws
}

/// Runs it; returns the output and the results file.
fn run(ws: &Workspace, extra: &[&str]) -> (std::process::Output, Value) {
    let mut args = vec!["--caliper-progress-reporting-enabled", "false"];
    args.extend_from_slice(extra);
    let out = ws.run(&args, Duration::from_secs(120));
    let results = ws.results();
    (out, results)
}

/// The first round failed with an error containing each of `needles`; the second passed with
/// a new program: the run went on, and its results were written.
fn first_failed_second_passed(out: &std::process::Output, results: &Value, needles: &[&str]) {
    assert_ne!(code(out), 0, "a failed round fails the run: {}", show(out));
    assert_accounted(results);
    let rounds = rounds(results);
    assert_eq!(rounds[0]["status"], "failed", "{}", rounds[0]);
    let error = rounds[0]["error"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(error.contains(needle), "round 0's error should contain {needle:?}: {error}");
    }
    assert_eq!(rounds[1]["status"], "passed", "{}\n{}", rounds[1], show(out));
    assert_eq!(rounds[1]["succ"], 400);
}

#[test]
fn a_connector_that_crashes_fails_its_round_and_the_next_round_gets_a_new_one() {
    let ws = misbehaving("crash 50");
    let (out, results) = run(&ws, &[]);
    first_failed_second_passed(
        &out,
        &results,
        &["crashed", "exited with exit status: 3", "simulated crash: out of cheese", "(worker "],
    );
    let first = &rounds(&results)[0];
    // What was outstanding or sent afterwards failed as crashed, nothing else.
    let failures = first["failures"].as_object().unwrap();
    assert_eq!(failures.keys().collect::<Vec<_>>(), ["crashed"], "{first}");
    assert!(first["succ"].as_u64().unwrap() >= 100, "{first}");
}

#[test]
fn a_connector_that_stops_answering_fails_its_round_with_timeouts() {
    let ws = misbehaving("hang 50");
    let (out, results) = run(&ws, &["--caliper-worker-timeout-drain", "2000"]);
    first_failed_second_passed(&out, &results, &["stopped answering", "(worker "]);
    let first = &rounds(&results)[0];
    let timeouts = first["failures"]["timeout"].as_u64().unwrap_or(0);
    assert!(timeouts > 0, "the outstanding transactions end as timeouts: {first}");
    assert_eq!(first["failures"].as_object().unwrap().len(), 1, "{first}");
}

#[test]
fn a_connector_that_writes_garbage_on_stdout_is_stopped() {
    let ws = misbehaving("garbage 50");
    let (out, results) = run(&ws, &[]);
    first_failed_second_passed(
        &out,
        &results,
        &[
            "not a caliper-connector message",
            "`Traceback (most recent call last): this is not a protocol message`",
        ],
    );
}

#[test]
fn a_connector_of_another_protocol_version_is_refused_with_both_versions() {
    let ws = misbehaving("version");
    let (out, results) = run(&ws, &[]);
    assert_ne!(code(&out), 0);
    let error = results["run"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("speaks caliper-connector version 2, but this caliper speaks version 1"),
        "{error}\n{}",
        show(&out)
    );
    assert!(rounds(&results).iter().all(|r| r["status"] == "notRun"));
}

#[test]
fn a_missing_program_is_found_by_the_check_before_anything_starts() {
    let ws = Workspace::new(
        "test:\n  name: t\n  rounds:\n    - { label: r, txNumber: 1, workload: { module: w.js } }\n",
        "caliper:\n  blockchain: exec:./no-such-connector --flag\n  command:\n    start: touch started\n",
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 2, "{}", show(&out));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("exec:./no-such-connector"), "{log}");
    assert!(log.contains("cannot be run"), "{log}");
    assert!(!ws.file("started").exists(), "the start command never ran");
}

/// The code block after `marker` in docs/connectors/external.md.
fn doc_block(marker: &str) -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/connectors/external.md"),
    )
    .unwrap();
    let after = &doc[doc.find(marker).expect("the marker is in the doc")..];
    let start = after.find("```python\n").expect("a python block follows") + "```python\n".len();
    let end = after[start..].find("\n```").unwrap();
    after[start..start + end + 1].to_string()
}

#[test]
fn the_minimal_connector_of_the_docs_runs_a_benchmark() {
    let bench = r#"
test:
  name: kv
  workers: { number: 2 }
  rounds:
    - { label: write, txNumber: 200, rateControl: { type: fixed-rate, opts: { tps: 400 } }, workload: { module: write.js } }
"#;
    let ws = Workspace::new(bench, "caliper:\n  blockchain: exec:./kv.py\n");
    std::fs::write(ws.file("kv.py"), doc_block("<!-- minimal-connector -->")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ws.file("kv.py"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        ws.file("write.js"),
        "'use strict';\nconst { WorkloadModuleBase } = require('@hyperledger/caliper-core');\n\
         class Write extends WorkloadModuleBase {\n  async submitTransaction() {\n\
         const key = `w${this.workerIndex}-${Math.floor(Math.random() * 1000)}`;\n\
         await this.sutAdapter.sendRequests({ op: 'write', key, value: 1 });\n  }\n}\n\
         module.exports.createWorkloadModule = () => new Write();\n",
    )
    .unwrap();
    let (out, results) = run(&ws, &[]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(rounds(&results)[0]["succ"], 200);
    assert!(String::from_utf8_lossy(&out.stderr).contains("created for worker 1"), "{}", show(&out));
}
