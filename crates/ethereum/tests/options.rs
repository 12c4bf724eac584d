//! The connector's options against a real anvil, each checked on chain: pre-deployed contracts
//! without an install, `transactionConfirmationBlocks`, gas limits (estimated with a margin,
//! estimated per transaction, configured, per request) and `gasPrice`, `fromAddressSeed`'s
//! account per worker, `value` sent to a payable method and refused by another, and a wrong
//! `chainId`.
//!
//! Each test starts its own anvil (killed by PID when the test ends). The harness's anvil mines
//! a block a second; the confirmation test turns that off and mines by hand, so that what it
//! asserts does not depend on timing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alloy::dyn_abi::{DynSolValue, JsonAbiExt};
use alloy::json_abi::JsonAbi;
use alloy::primitives::{I256, hex};
use caliper_core::TxStatus;
use caliper_core::connector::{Connector, ErrorClass, TxState};
use common::anvil::{ADDRESS_0, ADDRESS_1, Anvil, KEY_1};
use common::{artifact, deploy, network, one, open, query, worker};
use serde_json::{Value, json};
use tokio::time::Instant;

/// The longest any test may take against anvil before it is a failure, not a hang.
const TEST_LIMIT: Duration = Duration::from_secs(60);

/// Caliper 0.6's `fromAddressSeed` of its Besu example (and of docs/connectors/ethereum.md).
const SEED: &str = "0x3f841bf589fdf83a521e55d51afddc34fa65351161eead24f064855fc29c9580";

/// The ledger's ABI, as `ledger.json` holds it.
fn ledger_abi() -> Value {
    let text = std::fs::read_to_string(common::ledger_artifact()).expect("ledger.json");
    serde_json::from_str::<Value>(&text).expect("ledger.json is JSON")["abi"].clone()
}

/// The address the worker arguments give the ledger.
fn ledger_address(args: &[Value]) -> String {
    args[0]["contracts"]["ledger"]["address"].as_str().expect("the ledger's address").to_string()
}

/// `request` with `fields` added.
fn with(request: Value, fields: Value) -> Value {
    let mut request = request;
    if let (Value::Object(r), Value::Object(f)) = (&mut request, fields) {
        r.extend(f);
    }
    request
}

/// The balance a read-only `query` returns.
async fn balance(connector: &Arc<dyn Connector>, account: &str) -> Value {
    let q = one(connector, query(account)).await;
    assert_eq!(q.status, TxState::Success, "{q:?}");
    q.result.expect("a query's result")
}

fn succeeded(s: &TxStatus) {
    assert_eq!(s.status, TxState::Success, "{s:?}");
}

fn custom(s: &TxStatus, key: &str) -> u64 {
    s.custom(key).and_then(Value::as_u64).unwrap_or_else(|| panic!("custom \"{key}\" of {s:?}"))
}

/// A JSON-RPC call the test makes itself; panics without a result.
fn rpc(anvil: &Anvil, method: &str, params: Value) -> Value {
    anvil.rpc(method, params.clone()).unwrap_or_else(|| panic!("{method} {params}: no result"))
}

/// A JSON-RPC quantity (`0x` hex).
fn quantity(value: &Value) -> u128 {
    let text = value.as_str().unwrap_or_else(|| panic!("not a quantity: {value}"));
    u128::from_str_radix(text.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("not hex: {text}"))
}

/// The transaction of `status` as the node holds it.
fn on_chain(anvil: &Anvil, status: &TxStatus) -> Value {
    assert!(status.id.starts_with("0x"), "no transaction hash: {status:?}");
    rpc(anvil, "eth_getTransactionByHash", json!([status.id]))
}

/// The calldata of `open(account, amount)`, encoded here by the ABI.
fn open_calldata(account: &str, amount: i64) -> String {
    let abi: JsonAbi = serde_json::from_value(ledger_abi()).expect("the ledger's ABI");
    let args = [DynSolValue::String(account.into()), DynSolValue::Int(I256::try_from(amount).unwrap(), 256)];
    let data = abi.function("open").expect("open")[0].abi_encode_input(&args).expect("encode");
    format!("0x{}", hex::encode(data))
}

/// anvil's own estimate of `open(account, amount)` sent by `ADDRESS_1` to `to`.
fn estimate_open(anvil: &Anvil, to: &str, account: &str, amount: i64) -> u64 {
    let call = json!({"from": ADDRESS_1, "to": to, "data": open_calldata(account, amount)});
    quantity(&rpc(anvil, "eth_estimateGas", json!([call]))) as u64
}

/// Whether the gas limit `actual` is `expected`, give or take a few gas.
fn about(actual: u64, expected: u64) -> bool {
    actual.abs_diff(expected) <= 200
}

/// Waits until anvil's pool holds `count` pending transactions.
async fn pooled(anvil: &Anvil, count: u128) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while quantity(&rpc(anvil, "txpool_status", json!([]))["pending"]) < count {
        assert!(Instant::now() < deadline, "the write never reached anvil's pool");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Mines one block by hand; its number.
fn mine(anvil: &Anvil) -> u64 {
    rpc(anvil, "evm_mine", json!([]));
    anvil.block_number().expect("eth_blockNumber")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predeployed_contracts_run_without_an_install_on_the_same_ledger() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let first = network(&anvil.http_url(), artifact(json!({"gas": {"open": 150000}})), json!({}));
        let args = deploy(&first, 1).await;
        let address = ledger_address(&args);
        let (writer, _) = worker(first, 0, &args[0]).await;
        succeeded(&one(&writer, open("before", 42)).await);
        let deployer_nonce = || rpc(&anvil, "eth_getTransactionCount", json!([ADDRESS_0, "latest"]));
        assert_eq!(deployer_nonce(), json!("0x1"), "one deployment");

        // The same ledger, pre-deployed: `address` and `abi`, no `path`, and no deployer key
        // (nothing to deploy). The manager skips install_smart_contract, as
        // --caliper-flow-skip-install does, and still hands the workers the contract.
        let second = json!({"ethereum": {
            "url": anvil.http_url(),
            "fromAddress": ADDRESS_1,
            "fromAddressPrivateKey": KEY_1,
            "timeout": 20,
            "pollInterval": 20,
            "contracts": {"ledger": {"address": address, "abi": ledger_abi(), "gas": {"open": 150000}}},
        }});
        let (manager, _) = common::connector(second.clone(), -1).await;
        manager.init(false).await.expect("init");
        let args2 = manager.prepare_worker_arguments(1).await.expect("worker arguments");
        assert_eq!(ledger_address(&args2), address, "{}", args2[0]);
        let (reader, context) = worker(second.clone(), 0, &args2[0]).await;
        assert_eq!(context["contracts"]["ledger"], json!(address), "{context}");

        // It sees the first connector's write, and the first connector sees its write.
        assert_eq!(balance(&reader, "before").await, json!(42));
        succeeded(&one(&reader, open("after", 7)).await);
        assert_eq!(balance(&writer, "after").await, json!(7));

        // A worker without the manager's arguments finds the contract in the configuration.
        let (alone, context) = worker(second, 0, &json!({})).await;
        assert_eq!(context["contracts"]["ledger"], json!(address), "{context}");
        assert_eq!(balance(&alone, "after").await, json!(7));

        // `address` with `path` takes the ABI from the artifact: an install deploys nothing.
        let third = network(
            &anvil.http_url(),
            artifact(json!({"address": address, "gas": {"open": 150000}})),
            json!({}),
        );
        let args3 = deploy(&third, 1).await;
        assert_eq!(ledger_address(&args3), address);
        let (third, _) = worker(third, 0, &args3[0]).await;
        assert_eq!(balance(&third, "before").await, json!(42));
        assert_eq!(deployer_nonce(), json!("0x1"), "nothing else was deployed");
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_returns_once_its_confirmation_blocks_are_mined() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let contracts = artifact(json!({"gas": {"open": 150000}}));
        let three = network(&anvil.http_url(), contracts, json!({"transactionConfirmationBlocks": 3}));
        let args = deploy(&three, 1).await;
        let (connector, _) = worker(three.clone(), 0, &args[0]).await;

        // From here blocks come only when the test mines them.
        rpc(&anvil, "evm_setIntervalMining", json!([0]));
        let write = tokio::spawn({
            let connector = connector.clone();
            async move { one(&connector, open("three", 3)).await }
        });
        pooled(&anvil, 1).await;
        let carrier = mine(&anvil);
        for mined in 1..3 {
            // The watcher looks every 20 ms: a write that counted fewer blocks would be back.
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!write.is_finished(), "the write returned after {mined} of its 3 blocks");
            mine(&anvil);
        }
        let s = write.await.unwrap();
        succeeded(&s);
        let head = anvil.block_number().unwrap();
        assert_eq!(custom(&s, "block"), carrier, "{s:?}");
        assert!(head >= custom(&s, "block") + 3 - 1, "head {head}: {s:?}");
        assert!(custom(&s, "confirmed") > custom(&s, "included"), "{s:?}");

        // With one confirmation block, the block that carries a write confirms it.
        let one_block = network(
            &anvil.http_url(),
            artifact(json!({"gas": {"open": 150000}})),
            json!({"transactionConfirmationBlocks": 1}),
        );
        let (connector, _) = worker(one_block, 0, &args[0]).await;
        let write = tokio::spawn({
            let connector = connector.clone();
            async move { one(&connector, open("one", 1)).await }
        });
        pooled(&anvil, 1).await;
        let carrier = mine(&anvil);
        let s = tokio::time::timeout(Duration::from_secs(10), write).await.expect("confirmed").unwrap();
        succeeded(&s);
        assert_eq!((custom(&s, "block"), anvil.block_number().unwrap()), (carrier, carrier), "{s:?}");
        assert!(custom(&s, "confirmed") >= custom(&s, "included"), "{s:?}");
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gas_limits_are_estimated_configured_or_requested_and_the_gas_price_is_configured() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let args = deploy(&network(&anvil.http_url(), artifact(json!({})), json!({})), 1).await;
        let address = ledger_address(&args);
        let abi = ledger_abi();
        let price: u128 = 3_123_456_789;
        let contracts = json!({
            "plain": {"address": address, "abi": abi},
            "estimated": {"address": address, "abi": abi, "estimateGas": true},
            "fixed": {"address": address, "abi": abi, "gas": {"open": 200000}},
        });
        let raw = network(&anvil.http_url(), contracts, json!({"gasPrice": price.to_string()}));
        let (connector, context) = worker(raw, 0, &json!({})).await;
        assert_eq!(context["gasPrice"], json!(price.to_string()), "{context}");
        let on = |contract: &str, account: &str, amount: i64| {
            json!({"contract": contract, "verb": "open", "args": [account, amount]})
        };

        // Neither `gas` nor `estimateGas`: the first write of the method is estimated, plus 25 %.
        let estimate = estimate_open(&anvil, &address, "p1", 5);
        let first = one(&connector, on("plain", "p1", 5)).await;
        succeeded(&first);
        let first_gas = quantity(&on_chain(&anvil, &first)["gas"]) as u64;
        assert!(about(first_gas, estimate * 125 / 100), "gas {first_gas}, estimate {estimate}");

        // The rest, concurrently (every estimate made first: each write opens a new account).
        // (The node estimates on its pending state: no two writes of a batch open one account.)
        let long = |tag: &str| format!("{tag}-an-account-with-a-much-longer-name-than-the-others");
        let estimates = [
            estimate_open(&anvil, &address, &long("p2"), 6),
            estimate_open(&anvil, &address, "e1", 5),
            estimate_open(&anvil, &address, &long("e2"), 5),
        ];
        assert!(estimates[0] > estimate, "a longer name costs more: {estimates:?} {estimate}");
        let statuses = connector
            .send_requests(json!([
                // The method's estimate is made once per round: the same limit as the first.
                on("plain", &long("p2"), 6),
                // `estimateGas`: each transaction its own estimate + 1000.
                on("estimated", "e1", 5),
                on("estimated", &long("e2"), 5),
                // A configured limit is used as it is.
                on("fixed", "f1", 5),
                // A request's `gas` wins over all three.
                with(on("plain", "r1", 5), json!({"gas": 123457})),
                with(on("estimated", "r2", 5), json!({"gas": 123458})),
                with(on("fixed", "r3", 5), json!({"gas": 123459})),
            ]))
            .await;
        let txs: Vec<Value> = statuses
            .iter()
            .map(|s| {
                succeeded(s);
                on_chain(&anvil, s)
            })
            .collect();
        let gas: Vec<u64> = txs.iter().map(|t| quantity(&t["gas"]) as u64).collect();
        assert_eq!(gas[0], first_gas, "cached per round: {gas:?}");
        assert!(about(gas[1], estimates[1] + 1000), "{gas:?} {estimates:?}");
        assert!(about(gas[2], estimates[2] + 1000), "{gas:?} {estimates:?}");
        assert!(gas[2] > gas[1], "estimated per transaction: {gas:?}");
        assert_eq!(&gas[3..], &[200000, 123457, 123458, 123459]);

        // `gasPrice`: every transaction's price.
        for tx in std::iter::once(on_chain(&anvil, &first)).chain(txs) {
            assert_eq!(quantity(&tx["gasPrice"]), price, "{tx}");
        }
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_gives_each_worker_its_own_account() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let mut raw = network(&anvil.http_url(), artifact(json!({"gas": {"open": 150000}})), json!({}));
        let section = raw["ethereum"].as_object_mut().unwrap();
        section.remove("fromAddress");
        section.remove("fromAddressPrivateKey");
        section.insert("fromAddressSeed".into(), json!(SEED));
        let args = deploy(&raw, 2).await;
        let (w0, c0) = worker(raw.clone(), 0, &args[0]).await;
        let (w1, c1) = worker(raw.clone(), 1, &args[1]).await;
        let (manager, cm) = worker(raw, -1, &args[0]).await;
        drop(manager);
        let (a0, a1) = (c0["fromAddress"].as_str().unwrap(), c1["fromAddress"].as_str().unwrap());
        assert_ne!(a0, a1, "one account per worker");
        assert_eq!(cm["fromAddress"], c0["fromAddress"], "the manager uses worker 0's");
        for a in [a0, a1] {
            assert!(a.starts_with("0x") && a.len() == 42, "{a}");
            assert!(![ADDRESS_0, ADDRESS_1].contains(&a), "{a} is one of anvil's accounts");
        }

        // Nobody funded the seed's accounts: the node refuses their writes.
        let broke = one(&w0, open("broke", 1)).await;
        assert_eq!(
            (broke.status, broke.error_class),
            (TxState::Failed, Some(ErrorClass::Rejected)),
            "{broke:?}"
        );

        for a in [a0, a1] {
            rpc(&anvil, "anvil_setBalance", json!([a, "0x56bc75e2d63100000"]));
        }
        let (s0, s1) = tokio::join!(one(&w0, open("w0", 10)), one(&w1, open("w1", 11)));
        for (s, a) in [(&s0, a0), (&s1, a1)] {
            succeeded(s);
            let from = on_chain(&anvil, s)["from"].as_str().unwrap().to_string();
            assert_eq!(from.to_lowercase(), a.to_lowercase(), "{s:?}");
        }
        assert_eq!(balance(&w1, "w0").await, json!(10));
        assert_eq!(balance(&w0, "w1").await, json!(11));
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_pays_a_payable_method_and_reverts_another() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let raw = network(&anvil.http_url(), artifact(json!({})), json!({}));
        let args = deploy(&raw, 1).await;
        let address = ledger_address(&args);
        let (connector, _) = worker(raw, 0, &args[0]).await;
        let contract_balance = || quantity(&rpc(&anvil, "eth_getBalance", json!([address, "latest"])));
        let deposit = |value: Value| {
            json!({"contract": "ledger", "verb": "deposit", "args": ["saver"], "value": value})
        };

        // A decimal string, then a number: the wei reach the contract and the ledger.
        succeeded(&one(&connector, deposit(json!("1000"))).await);
        assert_eq!(balance(&connector, "saver").await, json!(1000));
        assert_eq!(contract_balance(), 1000);
        let s = one(&connector, deposit(json!(234))).await;
        succeeded(&s);
        assert_eq!(quantity(&on_chain(&anvil, &s)["value"]), 234);
        assert_eq!(balance(&connector, "saver").await, json!(1234));
        assert_eq!(contract_balance(), 1234);

        // `open` is not payable: its gas estimation reverts (nothing is sent) ...
        let estimated = one(&connector, with(open("paid", 1), json!({"value": "5"}))).await;
        assert_eq!(
            (estimated.status, estimated.error_class),
            (TxState::Failed, Some(ErrorClass::Reverted)),
            "{estimated:?}"
        );
        // ... and with a gas limit it is mined and reverts on chain.
        let mined = one(&connector, with(open("paid", 1), json!({"value": "5", "gas": 100000}))).await;
        assert_eq!((mined.status, mined.error_class), (TxState::Failed, Some(ErrorClass::Reverted)), "{mined:?}");
        let receipt = rpc(&anvil, "eth_getTransactionReceipt", json!([mined.id]));
        assert_eq!(receipt["status"], json!("0x0"), "{receipt}");
        assert_eq!(contract_balance(), 1234);
        assert_eq!(balance(&connector, "paid").await, json!(0));
        // Without a value it opens.
        succeeded(&one(&connector, open("paid", 1)).await);
        assert_eq!(balance(&connector, "paid").await, json!(1));
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_id_other_than_the_nodes_is_a_configuration_error() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let raw = network(&anvil.http_url(), artifact(json!({"gas": {"open": 150000}})), json!({}));
        let args = deploy(&raw, 1).await;

        // anvil (chain 31337) takes a transaction signed for chain 1 into its pool and drops it
        // at the next block without a word, so every write would time out: the connector
        // compares the configured chain id with the node's before anything is sent.
        let mut wrong = raw.clone();
        wrong["ethereum"]["chainId"] = json!(1);
        let (manager, _) = common::connector(wrong.clone(), -1).await;
        let (bad, _) = common::connector(wrong, 0).await;
        for err in [manager.init(false).await.unwrap_err(), bad.get_context(0, &args[0]).await.unwrap_err()] {
            let message = err.to_string();
            assert!(message.contains("ethereum.chainId") && message.contains("is 1"), "{message}");
            assert!(message.contains("on chain 31337"), "{message}");
        }
        let count = rpc(&anvil, "eth_getTransactionCount", json!([ADDRESS_1, "pending"]));
        assert_eq!(count, json!("0x0"), "nothing was sent");

        // The node's own chain id, configured, is used as it is.
        let mut right = raw;
        right["ethereum"]["chainId"] = json!(31337);
        let (good, context) = worker(right, 0, &args[0]).await;
        assert_eq!(context["chainId"], json!(31337), "{context}");
        let s = one(&good, open("here", 2)).await;
        succeeded(&s);
        assert_eq!(on_chain(&anvil, &s)["chainId"], json!("0x7a69"));
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_the_node_drops_times_out_and_its_sender_fills_the_gap() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        let raw =
            network(&anvil.http_url(), artifact(json!({"gas": {"open": 150000}})), json!({"timeout": 3}));
        let args = deploy(&raw, 1).await;
        let (sender, _) = worker(raw, 0, &args[0]).await;

        // A write in the pool (blocks mined by hand), which the node then drops, as a node
        // does when it evicts a transaction: the write can only time out.
        rpc(&anvil, "evm_setIntervalMining", json!([0]));
        let write = tokio::spawn({
            let sender = sender.clone();
            async move { one(&sender, open("dropped", 1)).await }
        });
        pooled(&anvil, 1).await;
        let pool = rpc(&anvil, "txpool_content", json!([]));
        let hash = pool["pending"][ADDRESS_1.to_lowercase()]["0"]["hash"].clone();
        assert!(hash.is_string(), "{pool}");
        anvil.rpc("anvil_dropTransaction", json!([hash]));
        let s = write.await.unwrap();
        assert_eq!((s.status, s.error_class), (TxState::Failed, Some(ErrorClass::Timeout)), "{s:?}");
        assert!(s.error.as_deref().unwrap().contains("dropped from its pool"), "{s:?}");

        // Its nonce was read again: the sender's next write takes the dropped one's nonce
        // instead of queueing behind the gap (and timing out as well).
        rpc(&anvil, "evm_setIntervalMining", json!([1]));
        let s = one(&sender, open("next", 2)).await;
        succeeded(&s);
        assert_eq!(on_chain(&anvil, &s)["nonce"], json!("0x0"));
    })
    .await
    .expect("the test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_never_answers_fails_each_step_within_the_timeout() {
    tokio::time::timeout(TEST_LIMIT, async {
        // A node that takes connections and never answers (a hung node): the listener's
        // backlog accepts them, nothing reads.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", silent.local_addr().unwrap());
        let raw = network(&url, artifact(json!({"gas": {"open": 150000}})), json!({"timeout": 2}));
        let (manager, _) = common::connector(raw.clone(), -1).await;
        let (worker, _) = common::connector(raw, 0).await;
        let limit = Duration::from_secs(5);

        let start = Instant::now();
        let init = manager.init(false).await.unwrap_err().to_string();
        let install = manager.install_smart_contract().await.unwrap_err().to_string();
        let prepare = worker.get_context(0, &json!({})).await.unwrap_err().to_string();
        for message in [&init, &install, &prepare] {
            assert!(message.contains("did not answer within 2s (ethereum.timeout)"), "{message}");
            assert!(message.contains(&url), "names the node: {message}");
        }
        assert!(start.elapsed() < 3 * limit, "each step ended by its timeout: {:?}", start.elapsed());
        drop(silent);
    })
    .await
    .expect("a step waited past its timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_with_several_accounts_sends_from_each_in_turn() {
    tokio::time::timeout(TEST_LIMIT, async {
        let anvil = Anvil::start();
        // Three accounts per worker from anvil's mnemonic, from index 2: worker 1 sends from
        // accounts 5, 6 and 7 (anvil funds its first ten).
        let identities =
            json!({"identities": {"pool": {"mnemonic": common::anvil::MNEMONIC, "index": 2, "accounts": 3}}});
        let raw = network(&anvil.http_url(), artifact(json!({"gas": {"open": 150000}})), identities);
        let args = deploy(&raw, 1).await;
        let (sender, context) = worker(raw, 1, &args[0]).await;
        let addresses: Vec<String> = context["identities"]["pool"]
            .as_array()
            .unwrap_or_else(|| panic!("three addresses: {context}"))
            .iter()
            .map(|a| a.as_str().unwrap().to_lowercase())
            .collect();
        assert_eq!(addresses.len(), 3, "{context}");
        assert_eq!(addresses[0], "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc", "anvil's account 5");

        let batch: Vec<Value> =
            (0..9).map(|i| with(open(&format!("p{i}"), i), json!({"identity": "pool"}))).collect();
        let statuses = sender.send_requests(Value::Array(batch)).await;
        let mut per_account = std::collections::BTreeMap::new();
        for s in &statuses {
            succeeded(s);
            let from = on_chain(&anvil, s)["from"].as_str().unwrap().to_lowercase();
            *per_account.entry(from).or_insert(0) += 1;
        }
        let used: Vec<&String> = per_account.keys().collect();
        let mut expected: Vec<&String> = addresses.iter().collect();
        expected.sort();
        assert_eq!(used, expected, "{per_account:?}");
        assert!(per_account.values().all(|n| *n == 3), "in turn: {per_account:?}");
    })
    .await
    .expect("the test took too long");
}
