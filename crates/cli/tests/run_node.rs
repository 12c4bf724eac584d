//! Caliper's JavaScript connectors, unchanged, in Node.js: a connector written for this test
//! against Caliper's own API (`ConnectorBase`, `TxStatus`, `ConfigUtil`, `CaliperUtils` of the
//! real `@hyperledger/caliper-core` 0.6.0 from npm) and its JavaScript workload modules, run by
//! the `caliper` binary with 2 workers against a real anvil that the test starts on a free
//! loopback port; then the chain itself is checked. And what the file check says before a run
//! when a JavaScript connector cannot run.
//!
//! caliper-core comes from `CALIPER_NODE_CORE` (a folder whose node_modules holds it), which
//! scripts/test.sh sets after installing it once per target folder
//! (scripts/install-caliper-core.sh). Without it the Node tests skip with a message, except
//! under `CI=true`, where a missing install fails them.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use caliper_testkit::anvil::Anvil;
use common::*;
use serde_json::{Value, json};

/// The connector and workload modules of these tests.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// The folder whose node_modules holds @hyperledger/caliper-core 0.6.0, or `None` (with a
/// message) to skip; under CI a missing install is a failure.
fn caliper_core() -> Option<PathBuf> {
    let dir = std::env::var_os("CALIPER_NODE_CORE").filter(|d| !d.is_empty()).map(PathBuf::from);
    let found = dir.filter(|d| d.join("node_modules/@hyperledger/caliper-core/package.json").is_file());
    if found.is_none() {
        let why = "CALIPER_NODE_CORE does not name a folder with node_modules/@hyperledger/caliper-core: run scripts/test.sh, or `export CALIPER_NODE_CORE=$(bash scripts/install-caliper-core.sh)`";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
        eprintln!("skipped: {why}");
    }
    found
}

/// Makes Caliper's caliper-core 0.6.0 loadable from `workspace` (Node resolves it through
/// `<workspace>/node_modules`), as `caliper bind` would install it. The one place the tests
/// install it.
fn install_caliper_core(workspace: &Path, core: &Path) {
    let scope = workspace.join("node_modules/@hyperledger");
    std::fs::create_dir_all(&scope).unwrap();
    std::os::unix::fs::symlink(
        core.join("node_modules/@hyperledger/caliper-core"),
        scope.join("caliper-core"),
    )
    .unwrap();
}

/// A workspace with the test's connector in `connector/` and its workload modules in
/// `workloads/`, caliper-core installed, `bench` and a network configuration whose
/// `caliper.blockchain` is `blockchain`, on `anvil`.
fn workspace(bench: &str, blockchain: &str, anvil_url: &str, core: &Path) -> Workspace {
    let network = json!({
        "caliper": {"blockchain": blockchain},
        "info": {"Version": "anvil"},
        "anvil": {"url": anvil_url},
    });
    let ws = Workspace::new(bench, &network.to_string());
    copy_dir(&fixtures().join("connector"), &ws.file("connector"));
    copy_dir(&fixtures().join("workloads"), &ws.file("workloads"));
    install_caliper_core(ws.path(), core);
    ws
}

fn rpc(anvil: &Anvil, method: &str, params: Value) -> Value {
    anvil.rpc(method, params).unwrap_or_else(|| panic!("{method}: no answer"))
}

fn round_by<'a>(results: &'a Value, label: &str) -> &'a Value {
    rounds(results).iter().find(|r| r["label"] == json!(label)).unwrap_or_else(|| panic!("round {label}"))
}

const BENCH: &str = r#"
test:
  name: node-sidecar
  workers: { number: 2 }
  rounds:
    - label: transfer
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workloads/transfer.js, arguments: { value: "1000" } }
    - label: balance
      txNumber: 40
      rateControl: { type: fixed-rate, opts: { tps: 40 } }
      workload: { module: workloads/balance.js }
    - label: overdraw
      txNumber: 6
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workloads/transfer.js, arguments: { value: "100000000000000000000000000" } }
"#;

#[test]
fn a_caliper_connector_and_its_workload_modules_run_in_node_with_two_workers() {
    let Some(core) = caliper_core() else { return };
    let anvil = Anvil::start();
    let ws = workspace(BENCH, "./connector", &anvil.http_url(), &core);
    let accounts = rpc(&anvil, "eth_accounts", json!([]));
    let accounts: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let sink = *accounts.last().unwrap();
    let sink_before = rpc(&anvil, "eth_getBalance", json!([sink, "latest"]));

    // A setting only the connector knows reaches its ConfigUtil, as a flag.
    let out = ws.run(&["--caliper-anviltest-pollms", "20"], Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("receipts polled every 20 ms"),
        "the connector's own setting and its log: {}",
        show(&out)
    );

    let results = ws.results();
    assert_eq!(results["run"]["passed"], json!(true), "{results}");
    assert_eq!(results["run"]["blockchain"], json!("./connector"));
    assert_eq!(results["run"]["workers"], json!(2));

    let transfer = round_by(&results, "transfer");
    assert_eq!(
        (&transfer["submitted"], &transfer["succ"], &transfer["fail"]),
        (&json!(20), &json!(20), &json!(0))
    );
    // Mined with anvil's one-second blocks, polled every 20 ms: from the send to the receipt.
    let latency = &transfer["latency"];
    assert!(latency["min"].as_f64().unwrap() > 0.0, "{latency}");
    assert!(latency["max"].as_f64().unwrap() < 5.0, "{latency}");
    assert!(latency["p50"].as_f64().is_some(), "{latency}");

    let balance = round_by(&results, "balance");
    assert_eq!(
        (&balance["submitted"], &balance["succ"], &balance["fail"]),
        (&json!(40), &json!(40), &json!(0))
    );
    assert_eq!(balance["failures"], json!({}));

    // anvil refuses a transfer its sender cannot pay: the connector names the class.
    let overdraw = round_by(&results, "overdraw");
    assert_eq!(
        (&overdraw["submitted"], &overdraw["succ"], &overdraw["fail"]),
        (&json!(6), &json!(0), &json!(6))
    );
    assert_eq!(overdraw["failures"], json!({"rejected": 6}), "{overdraw}");
    assert!(overdraw["failedLatency"]["max"].as_f64().is_some(), "{overdraw}");

    // The chain: each worker sent its 10 transfers from its own account (the worker arguments
    // of the manager's connector, through getContext into the workload's live sutContext).
    for account in &accounts[1..3] {
        assert_eq!(
            rpc(&anvil, "eth_getTransactionCount", json!([account, "latest"])),
            json!("0xa"),
            "{account}"
        );
    }
    let hex = |v: &Value| u128::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let sink_after = rpc(&anvil, "eth_getBalance", json!([sink, "latest"]));
    assert_eq!(hex(&sink_after) - hex(&sink_before), 20 * 1000);
}

/// A binding file for the test's connector: Caliper's schema, the packages a user of a
/// third-party connector would list (the connector from a folder, and the caliper-core it is
/// written against).
const BINDING: &str = r#"
sut:
  anvil-test:
    "0.6":
      packages: ['@hyperledger/caliper-core@0.6.0', 'file:./connector-src']
"#;

/// `caliper bind --caliper-bind-sut anvil-test:0.6` in the workspace. npm takes caliper-core
/// from its cache when scripts/install-caliper-core.sh filled it on this machine.
fn bind(ws: &Workspace) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["bind", "--caliper-bind-sut", "anvil-test:0.6", "--caliper-bind-file", "binding.yaml"])
        .args(["--caliper-bind-args=--prefer-offline --no-audit --no-fund", "--caliper-workspace"])
        .arg(ws.path())
        .current_dir(ws.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn a_connector_installed_as_a_package_in_the_workspace_runs_by_its_name() {
    // Skips where the Node.js tests cannot run (no npm install of caliper-core here).
    let Some(_) = caliper_core() else { return };
    let anvil = Anvil::start();
    let bench = r#"
test:
  name: node-package
  workers: { number: 1 }
  rounds:
    - label: balance
      txNumber: 10
      rateControl: { type: fixed-rate, opts: { tps: 50 } }
      workload: { module: workloads/balance.js }
"#;
    // No caliper-core linked in: `caliper bind` installs it and the connector, as a user would.
    let network = json!({
        "caliper": {"blockchain": "caliper-anvil-test-connector"},
        "info": {"Version": "anvil"},
        "anvil": {"url": anvil.http_url()},
    });
    let ws = Workspace::new(bench, &network.to_string());
    copy_dir(&fixtures().join("connector"), &ws.file("connector-src"));
    copy_dir(&fixtures().join("workloads"), &ws.file("workloads"));
    std::fs::write(ws.file("binding.yaml"), BINDING).unwrap();
    let bind = bind(&ws);
    assert_eq!(code(&bind), 0, "{}", show(&bind));
    assert!(ws.file("node_modules/@hyperledger/caliper-core/package.json").is_file(), "{}", show(&bind));
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(ws.file(".caliper/binding.json")).unwrap()).unwrap();
    assert!(record.to_string().contains("caliper-core@0.6.0"), "{record}");
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let balance = round_by(&results, "balance");
    assert_eq!((&balance["submitted"], &balance["succ"]), (&json!(10), &json!(10)), "{results}");
}

#[test]
fn the_check_says_what_a_javascript_connector_is_missing_and_how_to_get_it() {
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: r
      txNumber: 1
      rateControl: { type: fixed-rate, opts: { tps: 1 } }
      workload: { module: bad.js }
"#;
    let ws = Workspace::new(bench, r#"{"caliper": {"blockchain": "node:fabric"}}"#);
    std::fs::write(ws.file("bad.js"), "module.exports.createWorkloadModule = () => {\n").unwrap();
    let out = ws.check(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let text = show(&out);
    assert!(text.contains("@hyperledger/caliper-fabric"), "{text}");
    assert!(text.contains("caliper bind --caliper-bind-sut node-fabric:2.5"), "{text}");
    // The workload runs beside the connector, so Node.js checks it.
    assert!(text.contains("bad.js is not valid JavaScript for Node.js"), "{text}");

    let ws = Workspace::new(
        &bench.replace("bad.js", "ok.js"),
        r#"{"caliper": {"blockchain": "./my-connector.js"}}"#,
    );
    std::fs::write(ws.file("ok.js"), "module.exports.createWorkloadModule = () => ({});\n").unwrap();
    let out = ws.check(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let text = show(&out);
    assert!(text.contains("my-connector.js") && text.contains("there is nothing at"), "{text}");
}
