//! The connector against a real anvil node: deployment, reads and writes over http:// and
//! ws://, reverts, bad arguments, nonce resynchronisation, and a node killed mid-round.
//!
//! Each test starts its own anvil (killed by PID when the test ends) and keeps at most a few
//! dozen transactions in flight: anvil wedges under big bursts from one sender.

mod common;

use std::time::{Duration, Instant};

use caliper_core::connector::{ErrorClass, TxState};
use common::anvil::{Anvil, KEY_0, MNEMONIC};
use common::{artifact, deploy, network, one, open, query};
use serde_json::{Value, json};

/// The longest any test may take against anvil before it is a failure, not a hang.
const TEST_LIMIT: Duration = Duration::from_secs(90);

/// The ledger, with a gas limit for `transfer` (the other writes are estimated).
fn ledger() -> Value {
    artifact(json!({"gas": {"transfer": 100000}}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_writes_reads_reverts_and_refuses_bad_arguments_over_http() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let raw = network(&anvil.http_url(), ledger(), json!({}));
        let args = deploy(&raw, 1).await;
        let (worker, sink) = common::connector(raw, 0).await;
        let context = worker.get_context(0, &args[0]).await.expect("context");
        assert_eq!(context["chainId"], json!(31337));
        assert!(context["contracts"]["ledger"].is_string(), "{context}");

        // Twenty opens in one batch: all committed, ids are tx hashes, phases recorded.
        let batch: Vec<Value> = (0..20).map(|i| open(&format!("acc{i}"), 1000 + i)).collect();
        let statuses = worker.send_requests(Value::Array(batch)).await;
        for s in &statuses {
            assert_eq!(s.status, TxState::Success, "{s:?}");
            assert!(s.id.starts_with("0x") && s.id.len() == 66, "{}", s.id);
            let (sent, included, confirmed) = (s.custom("sent"), s.custom("included"), s.custom("confirmed"));
            let t = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap();
            assert!(t(sent) <= t(included) && t(included) <= t(confirmed), "{s:?}");
            assert!(s.time_create <= t(sent) && t(confirmed) <= s.time_final);
        }

        // Read-only: the decoded value in `result`.
        let q = one(&worker, query("acc7")).await;
        assert_eq!((q.status, q.result.clone()), (TxState::Success, Some(json!(1007))), "{q:?}");

        // A transfer, then the balances moved.
        let t =
            one(&worker, json!({"contract": "ledger", "verb": "transfer", "args": ["acc1", "acc2", 500]}))
                .await;
        assert_eq!(t.status, TxState::Success, "{t:?}");
        assert_eq!(one(&worker, query("acc1")).await.result, Some(json!(501)));
        assert_eq!(one(&worker, query("acc2")).await.result, Some(json!(1502)));

        // A transfer from an account never opened reverts on chain: failed, class reverted.
        let r =
            one(&worker, json!({"contract": "ledger", "verb": "transfer", "args": ["nobody", "acc2", 1]}))
                .await;
        assert_eq!((r.status, r.error_class), (TxState::Failed, Some(ErrorClass::Reverted)), "{r:?}");
        assert!(r.id.starts_with("0x"), "a reverted transaction still has its hash: {r:?}");
        // The next write of the same sender is not held back by it.
        assert_eq!(one(&worker, open("acc20", 5)).await.status, TxState::Success);

        // A bad argument fails that transaction alone, with a message naming it.
        let b = one(
            &worker,
            open("acc21", 0)
                .as_object()
                .cloned()
                .map(|mut o| {
                    o.insert("args".into(), json!(["acc21", "ten"]));
                    Value::Object(o)
                })
                .unwrap(),
        )
        .await;
        assert_eq!((b.status, b.error_class), (TxState::Failed, Some(ErrorClass::Invalid)));
        let message = b.error.unwrap();
        assert!(
            message.contains("argument 2 \"amount\" of open(string,int256): expected int256, got \"ten\""),
            "{message}"
        );
        let u = one(&worker, json!({"contract": "ledgr", "verb": "open"})).await;
        assert!(u.error.unwrap().contains("did you mean \"ledger\""));
        assert_eq!(one(&worker, open("acc22", 7)).await.status, TxState::Success);

        // Every request was counted as submitted and as finished.
        let submitted = *sink.submitted.lock().unwrap();
        assert_eq!(submitted, sink.finished.lock().unwrap().len() as u64);
        assert_eq!(submitted, 20 + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1);
        worker.release_context().await.unwrap();
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_nodes_identities_and_a_nonce_resync() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let extra = json!({
            "nodes": {"ws": anvil.ws_url()},
            "identities": {"carol": {"mnemonic": MNEMONIC, "index": 4}},
        });
        let raw = network(&anvil.ws_url(), ledger(), extra);
        let args = deploy(&raw, 1).await;
        let (worker, _) = common::connector(raw.clone(), 0).await;
        worker.get_context(0, &args[0]).await.expect("context");

        // Over ws://, through a named node and a named identity.
        let w = one(&worker, json!({"contract": "ledger", "verb": "open", "args": ["carol", 9], "identity": "carol", "node": "ws"})).await;
        assert_eq!(w.status, TxState::Success, "{w:?}");
        let q = one(&worker, json!({"contract": "ledger", "verb": "query", "args": ["carol"], "readOnly": true, "node": "default"})).await;
        assert_eq!(q.result, Some(json!(9)));
        let n = one(&worker, json!({"contract": "ledger", "verb": "query", "args": ["x"], "readOnly": true, "node": "nope"})).await;
        assert!(n.error.unwrap().contains("unknown node \"nope\""));
        let i = one(&worker, json!({"contract": "ledger", "verb": "open", "args": ["x", 1], "identity": "dave"})).await;
        assert!(i.error.unwrap().contains("unknown identity \"dave\""));

        // With no from-account and a single identity, requests without `identity` use it.
        let solo = json!({"ethereum": {
            "url": anvil.http_url(),
            "contractDeployerAddressPrivateKey": KEY_0,
            "identities": {"only": {"mnemonic": MNEMONIC, "index": 6}},
            "contracts": raw["ethereum"]["contracts"].clone(),
        }});
        let (alone, _) = common::connector(solo, 0).await;
        alone.get_context(0, &args[0]).await.expect("context");
        assert_eq!(one(&alone, open("solo", 3)).await.status, TxState::Success);

        // A second connector with the same sender read the same nonce: its first write
        // collides with the first one's, fails as a nonce error, and resynchronises, so its
        // next write goes through.
        let (twin, _) = common::connector(raw, 0).await;
        twin.get_context(0, &args[0]).await.expect("context");
        assert_eq!(one(&worker, open("first", 1)).await.status, TxState::Success);
        let collided = one(&twin, open("second", 2)).await;
        assert_eq!((collided.status, collided.error_class), (TxState::Failed, Some(ErrorClass::Nonce)), "{collided:?}");
        let again = one(&twin, open("second", 2)).await;
        assert_eq!(again.status, TxState::Success, "{again:?}");
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_round_fails_the_outstanding_transactions_by_the_deadline() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut anvil = Anvil::start();
        let raw = network(&anvil.http_url(), ledger(), json!({"timeout": 4}));
        let args = deploy(&raw, 1).await;
        let (worker, sink) = common::connector(raw, 0).await;
        worker.get_context(0, &args[0]).await.expect("context");

        let started = Instant::now();
        let batch: Vec<Value> = (0..10).map(|i| open(&format!("k{i}"), i)).collect();
        let sending = tokio::spawn({
            let worker = worker.clone();
            async move { worker.send_requests(Value::Array(batch)).await }
        });
        // The sends are answered at once; the block that would carry them comes within a
        // second. Kill anvil before it does.
        tokio::time::sleep(Duration::from_millis(150)).await;
        anvil.kill();
        let statuses = sending.await.unwrap();
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
        for s in &statuses {
            assert_eq!(s.status, TxState::Failed, "{s:?}");
            assert!(matches!(s.error_class, Some(ErrorClass::Timeout | ErrorClass::Connection)), "{s:?}");
        }
        // New requests fail fast as connection errors.
        let late = one(&worker, open("late", 1)).await;
        assert_eq!(late.error_class, Some(ErrorClass::Connection), "{late:?}");
        assert_eq!(*sink.submitted.lock().unwrap(), sink.finished.lock().unwrap().len() as u64);
        worker.release_context().await.unwrap();
    })
    .await
    .expect("the test took too long");
}
