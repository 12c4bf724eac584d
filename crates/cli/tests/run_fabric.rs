//! End-to-end: the `caliper` binary runs a Fabric benchmark with 2 worker processes and a
//! JavaScript workload in Caliper's style against two in-process gateway peers (TLS, reached
//! through a connection profile with `ssl-target-name-override`) that check every transaction
//! id, creator and signature as a peer does, and answer so that each failure class occurs a
//! known number of times; results.json must count them exactly.

mod common;
mod fabric_gateway;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use fabric_gateway::Ledger;
use serde_json::json;

const BENCH: &str = r#"
test:
  name: fabric-gateway
  workers: { number: 2 }
  rounds:
    - label: every-outcome
      txNumber: 36
      rateControl: { type: fixed-rate, opts: { tps: 60 } }
      workload: { module: workload.js }
"#;

/// Each worker sends each of the 9 kinds twice (18 transactions per worker).
const WORKLOAD: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const KINDS = ['ok', 'query', 'mvcc', 'policy', 'fail', 'evalfail', 'busy', 'slow', 'lost'];

class Mix extends WorkloadModuleBase {
    async submitTransaction() {
        this.n = (this.n || 0) + 1;
        const kinds = this.roundArguments.kinds || KINDS;
        const kind = kinds[(this.n - 1) % kinds.length];
        const arg = `w${this.workerIndex}-${this.n}`;
        const request = {
            contractId: 'simpleAlias', contractFunction: kind, contractArguments: [arg, this.n],
            readOnly: kind === 'query' || kind === 'evalfail',
            invokerIdentity: this.n % 2 ? 'User1' : 'User2',
            timeout: kind === 'slow' ? 1.5 : 10,
        };
        if (kind === 'lost') { request.invokerMspId = 'Org2MSP'; request.invokerIdentity = 'User1'; }
        const status = await this.sutAdapter.sendRequests(request);
        if (kind === 'ok' || kind === 'query') {
            if (status.GetStatus() !== 'success') throw new Error(kind + ' failed: ' + status.GetErrMsg());
            if (status.GetResult() !== `${kind}:${arg}`) throw new Error('result ' + JSON.stringify(status.GetResult()));
            if (status.GetID().length !== 64) throw new Error('tx id ' + status.GetID());
        }
    }
}
module.exports.createWorkloadModule = () => new Mix();
"#;

fn network(profile_port_closed: u16, mutual_tls: bool) -> String {
    format!(
        r#"name: gateway-test
version: "2.0.0"
caliper:
  blockchain: fabric
  sutOptions: {{ mutualTls: {mutual_tls} }}
organizations:
  - mspid: Org1MSP
    identities:
      certificates:
        - name: User1
          clientPrivateKey: {{ path: user1.key }}
          clientSignedCert: {{ path: user1.pem }}
        - name: User2
          clientPrivateKey: {{ path: user2.key }}
          clientSignedCert: {{ path: user2.pem }}
    connectionProfile: {{ path: org1.yaml }}
  - mspid: Org2MSP
    identities:
      certificates:
        - name: User1
          clientPrivateKey: {{ path: org2user.key }}
          clientSignedCert: {{ path: org2user.pem }}
    peers:
      - endpoint: 127.0.0.1:{profile_port_closed}
        tlsCACerts: {{ path: ca.pem }}
channels:
  - channelName: mychannel
    contracts: [{{ id: simple, contractID: simpleAlias }}]
"#
    )
}

#[test]
fn every_failure_class_is_counted_through_the_binary() {
    run_every_outcome(false);
}

/// The same with `sutOptions.mutualTls`: the peers require a client certificate, and each
/// identity's is its own.
#[test]
fn mutual_tls_presents_each_identity_as_the_tls_client() {
    run_every_outcome(true);
}

/// A workspace with `bench`, the Fabric network configuration and its certificates, and two
/// gateway peers of Org1 serving on loopback (Org2's peer is a closed port). The runtime must
/// outlive the run: the peers serve on it.
fn gateway_workspace(
    bench: &str,
    mutual_tls: bool,
    delay: Duration,
) -> (Workspace, Arc<Ledger>, tokio::runtime::Runtime) {
    let ws = Workspace::new(bench, &network(caliper_testkit::net::free_port(), mutual_tls));
    let dir = ws.path();
    caliper_testkit::certs::certificates(dir);
    // The identities are client certificates of the test CA, so they serve as TLS clients too.
    for file in ["user1", "user2", "org2user"] {
        caliper_testkit::certs::signed(dir, "ca", file, caliper_testkit::certs::CLIENT_EXT);
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    std::fs::write(ws.file("workload.js"), WORKLOAD).unwrap();
    let ledger = Ledger::new(
        vec![
            ("Org1MSP".into(), read("user1.pem")),
            ("Org1MSP".into(), read("user2.pem")),
            ("Org2MSP".into(), read("org2user.pem")),
        ],
        delay,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (cert, key) = (read("server.pem"), read("server.key"));
    let client_ca = mutual_tls.then(|| read("ca.pem"));
    let addrs: Vec<_> = (0..2)
        .map(|i| {
            runtime.block_on(fabric_gateway::start(i, ledger.clone(), &cert, &key, client_ca.as_deref()))
        })
        .collect();
    let peer = |i: usize| {
        format!(
            "  peer{i}.org1.example.com:\n    url: grpcs://127.0.0.1:{}\n    tlsCACerts: {{ path: ca.pem }}\n    grpcOptions: {{ ssl-target-name-override: localhost, hostnameOverride: localhost }}\n",
            addrs[i].port()
        )
    };
    let profile = format!(
        "name: org1\nversion: 1.0.0\nclient: {{ organization: Org1 }}\norganizations:\n  Org1:\n    mspid: Org1MSP\n    peers: [peer0.org1.example.com, peer1.org1.example.com]\npeers:\n{}{}",
        peer(0),
        peer(1)
    );
    std::fs::write(ws.file("org1.yaml"), profile).unwrap();
    (ws, ledger, runtime)
}

fn run_every_outcome(mutual_tls: bool) {
    let (ws, ledger, _runtime) = gateway_workspace(BENCH, mutual_tls, Duration::ZERO);
    let out = ws.run(&[], Duration::from_secs(90));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    assert_accounted(&results);
    let round = &rounds(&results)[0];
    assert_eq!(round["status"], "passed", "{round}");
    assert_eq!(
        (round["submitted"].clone(), round["succ"].clone(), round["fail"].clone()),
        (json!(36), json!(8), json!(28))
    );
    assert_eq!(
        round["failures"],
        json!({"conflict": 4, "validation": 4, "endorsement": 8, "overloaded": 4, "timeout": 4, "connection": 4}),
        "{round}"
    );

    // The first failure of each class reaches the log with what the peer said (endorsement
    // failures come from two kinds, whichever is first; their details are a unit test's).
    let log = show(&out);
    for text in [
        "MVCC_READ_CONFLICT (validation code 11)",
        "ENDORSEMENT_POLICY_FAILURE (validation code 10)",
        "Lower caliper-fabric-maxinflight",
    ] {
        assert!(log.contains(text), "no {text:?} in the log:\n{log}");
    }

    let seen = ledger.seen.lock().unwrap();
    assert!(seen.refused.is_empty(), "the gateway refused: {:#?}", seen.refused);
    let calls = |path: &str| seen.calls.iter().filter(|((p, _), _)| p == path).map(|(_, n)| n).sum::<u64>();
    // Every proposal (endorse or evaluate) carried a correct tx id, creator and signature;
    // ok, mvcc and policy were submitted and asked for their status, and so was slow unless a
    // loaded machine let an earlier call of it pass its 1.5 s deadline.
    assert_eq!(calls("/gateway.Gateway/Endorse"), 24);
    assert_eq!(calls("/gateway.Gateway/Evaluate"), 8);
    assert!((12..=16).contains(&calls("/gateway.Gateway/Submit")), "{:?}", seen.calls);
    assert!((12..=16).contains(&calls("/gateway.Gateway/CommitStatus")), "{:?}", seen.calls);
    assert_eq!(seen.tx_ids.len(), 32, "every transaction id is new");
    // The load went to both gateway peers of Org1.
    for i in 0..2 {
        let n: u64 = seen.calls.iter().filter(|((_, p), _)| *p == i).map(|(_, n)| n).sum();
        assert!(n >= 10, "peer {i} had {n} calls: {:?}", seen.calls);
    }
}

#[test]
fn configuration_mistakes_are_found_before_the_run_with_their_line() {
    let network = network(1, false)
        .replace("mspid: Org2MSP", "mspId: Org2MSP")
        .replace("path: user2.key", "path: nowhere.key");
    let ws = Workspace::new(BENCH, &network);
    caliper_testkit::certs::ca(ws.path(), "user1", "User1");
    let out = ws.check(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let text = show(&out);
    let line = 1 + network.lines().position(|l| l.contains("mspId")).unwrap();
    assert!(
        text.contains(&format!("network.yaml:{line}:12: organizations[1].mspId"))
            && text.contains("did you mean \"mspid\""),
        "{text}"
    );
    assert!(
        text.contains("organizations[0].identities.certificates[1].clientPrivateKey.path")
            && text.contains("does not point to a file that exists"),
        "{text}"
    );
}

/// Only `ok` submits, each endorsement held 150 ms by the peers, at a rate that keeps about 20
/// transactions in flight.
const BUSY_BENCH: &str = r#"
test:
  name: fabric-in-flight
  workers: { number: 2 }
  rounds:
    - label: held
      txNumber: 60
      rateControl: { type: fixed-rate, opts: { tps: 120 } }
      workload: { module: workload.js, arguments: { kinds: [ok] } }
"#;

/// `caliper-fabric-maxinflight` bounds the calls one gateway peer sees at once from all
/// workers together; without it the same load puts many more on each peer.
#[test]
fn transactions_in_flight_per_gateway_peer_stay_under_the_limit() {
    let delay = Duration::from_millis(150);
    let (ws, ledger, _runtime) = gateway_workspace(BUSY_BENCH, false, delay);
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(rounds(&ws.results())[0]["succ"], 60);
    let unbounded = ledger.take_max_in_flight();
    assert!(unbounded.iter().all(|&n| n > 3), "without a limit each peer had more in flight: {unbounded:?}");

    let out = ws.run(&["--caliper-fabric-maxinflight", "2"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(rounds(&ws.results())[0]["succ"], 60);
    let bounded = ledger.take_max_in_flight();
    assert!(
        bounded.iter().all(|&n| (1..=2).contains(&n)),
        "at most 2 per peer from both workers: {bounded:?}"
    );
    assert!(ledger.seen.lock().unwrap().refused.is_empty());
}
