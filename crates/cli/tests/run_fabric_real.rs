//! Opt-in, end to end: the `caliper` binary runs benchmarks against a real Hyperledger Fabric
//! network started by the test harness (`caliper_testkit::fabric`) from the binaries named by
//! `CALIPER_FABRIC_BIN`, on each Fabric version listed there. Without the variable every test
//! prints why it is skipped and passes.
//!
//! One network per test and version; the tests of this file run one at a time (a lock), since
//! a network and a benchmark keep the two cores of a small machine busy.
//!
//! ```text
//! CALIPER_FABRIC_BIN=/opt/fabric-2.5/bin:/opt/fabric-3.1/bin \
//!   cargo test -p caliper-cli --test run_fabric_real -- --nocapture
//! ```

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use caliper_testkit::fabric::{ConfigStyle, FabricBinaries, FabricNetwork, Options};
use common::*;
use serde_json::{Value, json};

/// Keeps the tests of this file from starting networks at the same time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// One module for every round; `kind` in the round's arguments says what it sends. Accounts
/// are `<prefix><worker>_<n>`, so each worker opens its own and every round opens new ones.
const WORKLOAD: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Real extends WorkloadModuleBase {
    async submitTransaction() {
        this.n = (this.n || 0) + 1;
        const a = this.roundArguments;
        const own = (prefix, n) => `${prefix}${this.workerIndex}_${n}`;
        let request;
        switch (a.kind) {
        case 'open':
            request = { contractFunction: 'open', contractArguments: [own(a.prefix, this.n), '1000'] };
            break;
        case 'query':
            request = { contractFunction: 'query', contractArguments: [own('a', (this.n - 1) % a.opened + 1)], readOnly: true };
            break;
        case 'conflict':
            // Every transfer of every worker reads the same two accounts.
            request = { contractFunction: 'transfer', contractArguments: ['a0_1', 'a0_2', '1'] };
            break;
        case 'fail':
            request = { contractFunction: 'fail', contractArguments: ['deliberate failure ' + this.n] };
            break;
        default:
            throw new Error('unknown kind ' + a.kind);
        }
        request.contractId = 'simple';
        request.invokerIdentity = 'User1';
        const status = await this.sutAdapter.sendRequests(request);
        if (a.kind === 'query' && status.GetStatus() === 'success') {
            // A string from the Rust connector, bytes (Uint8Array) from Caliper's.
            const result = status.GetResult();
            const text = typeof result === 'string' ? result : String.fromCharCode(...Object.values(result));
            if (text !== '1000') {
                throw new Error('query answered ' + JSON.stringify(result));
            }
        }
    }
}
module.exports.createWorkloadModule = () => new Real();
"#;

/// The rounds of the main test; the harness kills peer 0 during `peer-killed`.
const BENCH: &str = r#"
test:
  name: fabric-real
  workers: { number: 2 }
  rounds:
    - label: open
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: open, prefix: a } }
    - label: query
      txNumber: 40
      rateControl: { type: fixed-rate, opts: { tps: 40 } }
      workload: { module: workload.js, arguments: { kind: query, opened: 10 } }
    - label: conflict
      txNumber: 30
      rateControl: { type: fixed-rate, opts: { tps: 60 } }
      workload: { module: workload.js, arguments: { kind: conflict } }
    - label: chaincode-error
      txNumber: 10
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: fail } }
    - label: peer-killed
      txDuration: 8
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: open, prefix: k } }
    - label: after
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: open, prefix: r } }
"#;

/// Open then query, for the mutual-TLS network.
const BENCH_SMALL: &str = r#"
test:
  name: fabric-real-mtls
  workers: { number: 2 }
  rounds:
    - label: open
      txNumber: 10
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: open, prefix: a } }
    - label: query
      txNumber: 10
      rateControl: { type: fixed-rate, opts: { tps: 20 } }
      workload: { module: workload.js, arguments: { kind: query, opened: 5 } }
"#;

/// The Fabric versions to test on, or `None` after printing why the test is skipped.
fn binaries() -> Option<Vec<FabricBinaries>> {
    match FabricBinaries::from_env() {
        Ok(bins) => Some(bins),
        Err(why) => {
            note(&format!("skipped: {why}"));
            None
        }
    }
}

fn start(bins: &FabricBinaries, options: Options) -> FabricNetwork {
    let net = FabricNetwork::start(bins, Options { logging_spec: "warning".into(), ..options })
        .unwrap_or_else(|e| panic!("Fabric {} network: {e}", bins.version));
    note(&format!("Fabric {} network up in {:.1} s", net.version(), net.startup_time().as_secs_f64()));
    net
}

/// A workspace with `bench`, the workload module and the harness's network configuration.
fn workspace(net: &FabricNetwork, bench: &str) -> Workspace {
    let ws = Workspace::new(bench, "");
    // JSON is YAML: the harness's configuration goes where caliper.yaml looks for it.
    net.write_network_config(&ws.file("network.yaml"), ConfigStyle::Peers).expect("network configuration");
    std::fs::write(ws.file("workload.js"), WORKLOAD).unwrap();
    ws
}

fn round<'a>(results: &'a Value, label: &str) -> &'a Value {
    rounds(results).iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("no round {label}"))
}

fn failures(round: &Value) -> serde_json::Map<String, Value> {
    round["failures"].as_object().cloned().unwrap_or_default()
}

fn count(round: &Value, key: &str) -> u64 {
    round[key].as_u64().unwrap_or_else(|| panic!("{key} of {round}"))
}

/// Deploy (by the harness), evaluate, submit, an MVCC conflict, a chaincode error, and a peer
/// of the two of Org1 killed in a round and restarted: the run goes on, and the next round
/// succeeds.
#[test]
fn every_kind_of_transaction_and_a_killed_peer_on_a_real_network() {
    let Some(all) = binaries() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for bins in &all {
        let mut net = start(bins, Options { peers_per_org: 2, ..Options::default() });
        let ws = workspace(&net, BENCH);
        let begun = Instant::now();
        let mut child = ws.manager(&[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // The manager's log, line by line, read on a thread: the test waits for the round to
        // start before it kills the peer.
        let (tx, rx) = mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut log = String::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let line =
                rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_else(|_| {
                    let _ = child.kill();
                    panic!("round peer-killed did not start:\n{log}")
                });
            log.push_str(&line);
            log.push('\n');
            if line.contains("(peer-killed) of") && line.contains("started") {
                break;
            }
        }
        std::thread::sleep(Duration::from_secs(2));
        net.kill_peer(0);
        let killed = Instant::now();
        std::thread::sleep(Duration::from_secs(2));
        net.restart_peer(0).expect("peer 0 restarts");
        note(&format!("peer 0 was down {:.1} s", killed.elapsed().as_secs_f64()));
        let out = wait_output(child, Duration::from_secs(120));
        reader.join().unwrap();
        log.extend(rx.try_iter().map(|l| l + "\n"));
        note(&format!("Fabric {}: the run took {:.1} s", net.version(), begun.elapsed().as_secs_f64()));
        let context = format!("Fabric {}\n{}\n{log}", net.version(), show(&out));
        assert_eq!(code(&out), 0, "{context}");

        // The connector has nothing to install: the chaincode is deployed before the run.
        assert!(log.contains("Install smart contract not available"), "{context}");
        let results = ws.results();
        assert_accounted(&results);
        for r in rounds(&results) {
            note(&format!(
                "Fabric {} {}: submitted {} succ {} fail {} failures {}",
                net.version(),
                r["label"],
                r["submitted"],
                r["succ"],
                r["fail"],
                r["failures"]
            ));
        }

        for label in ["open", "query", "after"] {
            let r = round(&results, label);
            assert_eq!(r["status"], "passed", "{r}");
            assert_eq!((r["succ"].clone(), r["fail"].clone()), (r["submitted"].clone(), json!(0)), "{r}");
        }
        assert_eq!(count(round(&results, "open"), "succ"), 20);
        assert_eq!(count(round(&results, "query"), "succ"), 40);

        // Transfers reading the same two accounts: one per block commits, the rest of the
        // block's are MVCC read conflicts.
        let conflict = round(&results, "conflict");
        let (succ, fail) = (count(conflict, "succ"), count(conflict, "fail"));
        assert!(succ >= 1 && fail >= 10, "{conflict}");
        assert_eq!(failures(conflict), serde_json::Map::from_iter([("conflict".into(), json!(fail))]));

        // The chaincode's error fails the endorsement.
        let chaincode = round(&results, "chaincode-error");
        assert_eq!(count(chaincode, "fail"), 10, "{chaincode}");
        assert_eq!(failures(chaincode), serde_json::Map::from_iter([("endorsement".into(), json!(10))]));
        assert!(log.contains("deliberate failure"), "the chaincode's message reaches the log: {context}");

        // The killed peer's transactions failed as lost connections or timeouts, the other
        // peer's went through, and the round was reported.
        let killed = round(&results, "peer-killed");
        let classes = failures(killed);
        assert!(count(killed, "fail") >= 1 && count(killed, "succ") >= 1, "{killed}");
        assert!(classes.keys().all(|c| c == "connection" || c == "timeout"), "{killed}");
    }
}

/// A network whose peers and orderer require TLS client certificates: with the harness's
/// `clientTlsCert`/`clientTlsKey` every transaction goes through; without them the peer turns
/// the connection away and every transaction fails as `connection`.
#[test]
fn mutual_tls_on_a_real_network() {
    let Some(all) = binaries() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for bins in &all {
        let net = start(bins, Options { mutual_tls: true, ..Options::default() });
        let ws = workspace(&net, BENCH_SMALL);
        let config = std::fs::read_to_string(ws.file("network.yaml")).unwrap();
        assert!(config.contains("clientTlsCert"), "{config}");
        let out = ws.run(&[], Duration::from_secs(90));
        assert_eq!(code(&out), 0, "Fabric {}\n{}", net.version(), show(&out));
        let results = ws.results();
        for r in rounds(&results) {
            assert_eq!(
                (r["succ"].clone(), r["fail"].clone()),
                (json!(10), json!(0)),
                "Fabric {}: {r}",
                net.version()
            );
        }

        // The same identities without TLS client certificates of their own.
        let mut plain: Value = serde_json::from_str(&config).unwrap();
        for org in plain["organizations"].as_array_mut().unwrap() {
            for id in org["identities"]["certificates"].as_array_mut().unwrap() {
                let id = id.as_object_mut().unwrap();
                id.remove("clientTlsCert");
                id.remove("clientTlsKey");
            }
        }
        std::fs::write(ws.file("network.yaml"), plain.to_string()).unwrap();
        let out = ws.run(&[], Duration::from_secs(90));
        let results = ws.results();
        let open = round(&results, "open");
        assert_eq!(count(open, "fail"), 10, "Fabric {}: {open}\n{}", net.version(), show(&out));
        assert_eq!(failures(open), serde_json::Map::from_iter([("connection".into(), json!(10))]));
    }
}

/// Caliper's own Fabric connector (`@hyperledger/caliper-fabric` 0.6, `caliper.blockchain:
/// node:fabric`) bound into the workspace with `caliper bind` (npm, from the registry) and run
/// by the `caliper` binary's Node.js sidecar against the harness network: the same opens and
/// queries succeed as with the Rust connector.
#[test]
fn caliper_fabric_connector_through_the_node_sidecar_on_a_real_network() {
    let Some(all) = binaries() else { return };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let ws = Workspace::new(BENCH_SMALL, "");
    std::fs::write(ws.file("workload.js"), WORKLOAD).unwrap();
    let bind = std::process::Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["bind", "--caliper-workspace"])
        .arg(ws.path())
        .args(["--caliper-bind-sut", "node-fabric:2.5"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caliper bind runs");
    let out = wait_output(bind, Duration::from_secs(600));
    assert_eq!(code(&out), 0, "caliper bind node-fabric:2.5\n{}", show(&out));
    assert!(ws.file("node_modules/@hyperledger/caliper-fabric/package.json").is_file());
    for bins in &all {
        let net = start(bins, Options::default());
        net.write_network_config(&ws.file("network.yaml"), ConfigStyle::Peers).unwrap();
        let mut config: Value =
            serde_json::from_str(&std::fs::read_to_string(ws.file("network.yaml")).unwrap()).unwrap();
        config["caliper"]["blockchain"] = json!("node:fabric");
        std::fs::write(ws.file("network.yaml"), config.to_string()).unwrap();
        let begun = Instant::now();
        let out = ws.run(&[], Duration::from_secs(180));
        note(&format!("Fabric {}: node:fabric run in {:.1} s", net.version(), begun.elapsed().as_secs_f64()));
        assert_eq!(code(&out), 0, "Fabric {}\n{}", net.version(), show(&out));
        let results = ws.results();
        for r in rounds(&results) {
            assert_eq!(
                (r["succ"].clone(), r["fail"].clone()),
                (json!(10), json!(0)),
                "Fabric {}: {r}\n{}",
                net.version(),
                show(&out)
            );
        }
    }
}
