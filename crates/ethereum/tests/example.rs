//! The example's network configuration (`examples/ethereum-simple/networks/anvil.yaml`, read as
//! the manager reads it) driving two workers through the example's three operations against a
//! real anvil, then the chain checked: every opened account exists, and the balances sum to what
//! was opened. The workers send what the example's JavaScript modules send; the full engine run
//! of the example is `caliper launch manager --caliper-workspace examples/ethereum-simple`.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, TxState};
use caliper_testkit::example::account;
use common::anvil::Anvil;
use serde_json::{Value, json};

const WORKERS: usize = 2;
const ACCOUNTS_PER_WORKER: usize = 10;
const INITIAL: i64 = 10_000;

/// The example's network configuration, pointed at the harness's anvil.
fn example_network(anvil: &Anvil) -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ethereum-simple/networks/anvil.yaml");
    let mut raw = NetworkConfig::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).raw;
    assert_eq!(raw["caliper"]["blockchain"], json!("ethereum"));
    raw["ethereum"]["url"] = json!(anvil.ws_url());
    raw["ethereum"]["contracts"]["simple"]["path"] = json!(common::ledger_artifact());
    raw
}

async fn all_succeed(worker: &Arc<dyn Connector>, requests: Vec<Value>) -> Vec<caliper_core::TxStatus> {
    let statuses = worker.send_requests(Value::Array(requests)).await;
    for s in &statuses {
        assert_eq!(s.status, TxState::Success, "{s:?}");
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_runs_with_two_workers_and_the_ledger_adds_up() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let anvil = Anvil::start();
        let raw = example_network(&anvil);
        let (manager, _) = common::connector(raw.clone(), -1).await;
        manager.init(false).await.expect("init");
        manager.install_smart_contract().await.expect("install");
        let args = manager.prepare_worker_arguments(WORKERS).await.expect("worker arguments");

        let mut workers = Vec::new();
        for (w, worker_args) in args.iter().enumerate() {
            let (worker, _) = common::connector(raw.clone(), w as i64).await;
            let context = worker.get_context(0, worker_args).await.expect("context");
            workers.push((worker, context));
        }
        // Each worker sends from an account of its own.
        assert_ne!(workers[0].1["fromAddress"], workers[1].1["fromAddress"]);

        // Round 1: both workers open their accounts at the same time.
        let opens = workers.iter().enumerate().map(|(w, (worker, _))| {
            let requests = (1..=ACCOUNTS_PER_WORKER)
                .map(|i| json!({"contract": "simple", "verb": "open", "args": [account(w, i), INITIAL], "readOnly": false}))
                .collect();
            all_succeed(worker, requests)
        });
        futures::future::join_all(opens).await;

        // Round 2: queries. Round 3: transfers between a worker's own accounts.
        for (w, (worker, _)) in workers.iter().enumerate() {
            let queries = (1..=ACCOUNTS_PER_WORKER)
                .map(|i| json!({"contract": "simple", "verb": "query", "args": [account(w, i)], "readOnly": true}))
                .collect();
            for status in all_succeed(worker, queries).await {
                assert_eq!(status.result, Some(json!(INITIAL)));
            }
            let transfers = (1..=ACCOUNTS_PER_WORKER)
                .map(|i| {
                    let to = account(w, i % ACCOUNTS_PER_WORKER + 1);
                    json!({"contract": "simple", "verb": "transfer", "args": [account(w, i), to, 100 * i as i64], "readOnly": false})
                })
                .collect();
            all_succeed(worker, transfers).await;
        }

        // The chain: every account exists and money was neither made nor lost.
        let reader = &workers[0].0;
        let mut total = 0;
        for w in 0..WORKERS {
            let queries = (1..=ACCOUNTS_PER_WORKER)
                .map(|i| json!({"contract": "simple", "verb": "query", "args": [account(w, i)], "readOnly": true}))
                .collect();
            for status in all_succeed(reader, queries).await {
                let balance = status.result.and_then(|r| r.as_i64()).unwrap();
                assert!(balance > 0, "an opened account has money");
                total += balance;
            }
        }
        assert_eq!(total, INITIAL * (WORKERS * ACCOUNTS_PER_WORKER) as i64);
        for (worker, _) in &workers {
            worker.release_context().await.unwrap();
        }
    })
    .await
    .expect("the test took too long");
}
