//! The connector against a fresh anvil at a fixed rate, beside a minimal alloy client loop that
//! sends the same transactions as fast as anvil takes them (the SUT's ceiling for this client
//! path). Run with `cargo bench -p caliper-ethereum --bench anvil`; prints a Markdown table.
//!
//! The fixed-rate loop is the worker loop's schedule in small: request i is due at start +
//! i / rate and is spawned (not awaited) when due. Worker CPU is this process's user + system
//! time (anvil is another process). Writes rotate over four senders (anvil's accounts 1 to 4):
//! anvil wedges under thousands of transactions in flight from one sender.
//! `CALIPER_BENCH_SECS` and `CALIPER_BENCH_RATE` change the 10 s and 1,000 tx/s;
//! `CALIPER_BENCH_GAS_LIMIT` raises anvil's block gas limit (its 30,000,000 caps `open` writes
//! at about 450 per one-second block).

#![allow(clippy::print_stdout, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use alloy::consensus::{SignableTransaction, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, B256, Bytes, TxKind, U64, U256};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::signers::local::MnemonicBuilder;
use alloy::signers::local::coins_bip39::English;
use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, ConnectorFactory, ConnectorInit, NullSink, TxState};
use caliper_core::settings::Settings;
use caliper_ethereum::EthereumFactory;
use caliper_testkit::anvil;
use futures::StreamExt;
use serde_json::{Value, json};

const SENDERS: usize = 4;
const ACCOUNTS: usize = 100;

fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat: user and system time in clock ticks (100 per s).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

struct Outcome {
    sent_rate: f64,
    throughput: f64,
    ok: u64,
    failed: u64,
    cpu_us_per_tx: f64,
}

async fn fixed_rate(
    connector: Arc<dyn Connector>,
    rate: f64,
    secs: f64,
    request: impl Fn(u64) -> Value,
) -> Outcome {
    let total = (rate * secs) as u64;
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let cpu = cpu_seconds();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let (c, r, ok, failed) = (connector.clone(), request(i), ok.clone(), failed.clone());
        handles.push(tokio::spawn(async move {
            let status = c.send_requests(r).await.remove(0);
            if status.status == TxState::Success {
                ok.fetch_add(1, Ordering::Relaxed)
            } else {
                failed.fetch_add(1, Ordering::Relaxed)
            };
            if status.status != TxState::Success && failed.load(Ordering::Relaxed) <= 3 {
                println!("failure: {:?} {:?}", status.error_class, status.error);
            }
        }));
    }
    let sent = start.elapsed().as_secs_f64();
    for h in handles {
        let _ = h.await;
    }
    let done = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    Outcome {
        sent_rate: total as f64 / sent,
        throughput: ok as f64 / done,
        ok,
        failed,
        cpu_us_per_tx: cpu * 1e6 / total as f64,
    }
}

/// The ceiling: `count` calls (or presigned raw transactions), 64 in flight, as fast as
/// anvil answers; tx/s of answers (writes: then until the last is in a block).
async fn ceiling_reads(client: &RpcClient, to: Address, data: Bytes, count: usize) -> f64 {
    let start = Instant::now();
    let call = json!({"to": to, "data": data});
    futures::stream::iter(0..count)
        .map(|_| async { client.request::<_, Bytes>("eth_call", (call.clone(), "latest")).await.is_ok() })
        .buffer_unordered(64)
        .count()
        .await;
    count as f64 / start.elapsed().as_secs_f64()
}

/// What the minimal loop's writes showed.
struct WriteCeiling {
    /// Transactions in a block per second, from the first send to the block of the last.
    rate: f64,
    /// Transactions that reached a block (all of them, unless anvil dropped some).
    mined: u64,
    /// The most transactions one block carried, and the gas each used there.
    per_block: usize,
    gas_per_tx: u64,
}

/// The ceiling for writes: `count` presigned `open` transactions handed to anvil at once (64
/// in flight), then until every sender's mined nonce shows that all of them are in a block.
async fn ceiling_writes(
    client: &RpcClient,
    to: Address,
    chain_id: u64,
    gas_price: u128,
    count: usize,
    open: impl Fn(u64) -> Bytes,
) -> WriteCeiling {
    let signers: Vec<_> = (0..SENDERS)
        .map(|i| {
            MnemonicBuilder::<English>::default()
                .phrase(anvil::MNEMONIC)
                .index(5 + i as u32)
                .unwrap()
                .build()
                .unwrap()
        })
        .collect();
    let mut nonces = Vec::new();
    for s in &signers {
        let n: U256 = client.request("eth_getTransactionCount", (s.address(), "pending")).await.unwrap();
        nonces.push(n.to::<u64>());
    }
    let first_block: U64 = client.request_noparams("eth_blockNumber").await.unwrap();
    let start = Instant::now();
    let raws: Vec<Bytes> = (0..count)
        .map(|i| {
            let k = i % SENDERS;
            let mut tx = TxLegacy {
                chain_id: Some(chain_id),
                nonce: nonces[k] + (i / SENDERS) as u64,
                gas_price,
                gas_limit: 150_000,
                to: TxKind::Call(to),
                value: U256::ZERO,
                input: open(i as u64),
            };
            let sig = signers[k].sign_transaction_sync(&mut tx).unwrap();
            TxEnvelope::Legacy(tx.into_signed(sig)).encoded_2718().into()
        })
        .collect();
    futures::stream::iter(raws)
        .map(|raw| async move { client.request::<_, B256>("eth_sendRawTransaction", (raw,)).await.is_ok() })
        .buffer_unordered(64)
        .count()
        .await;
    // Mined when each sender's `latest` count has passed its last nonce; at most 5 minutes.
    let mut mined = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline {
        mined = 0;
        for (k, s) in signers.iter().enumerate() {
            let n: U256 = client.request("eth_getTransactionCount", (s.address(), "latest")).await.unwrap();
            mined += n.to::<u64>() - nonces[k];
        }
        if mined as usize >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = mined as f64 / start.elapsed().as_secs_f64();
    let head: U64 = client.request_noparams("eth_blockNumber").await.unwrap();
    let (mut per_block, mut gas_per_tx) = (0, 0);
    for b in first_block.to::<u64>() + 1..=head.to::<u64>() {
        let block: Value = client.request("eth_getBlockByNumber", (U64::from(b), false)).await.unwrap();
        let txs = block["transactions"].as_array().map_or(0, Vec::len);
        if txs > per_block {
            per_block = txs;
            let gas: U64 = serde_json::from_value(block["gasUsed"].clone()).unwrap();
            gas_per_tx = gas.to::<u64>() / txs as u64;
        }
    }
    WriteCeiling { rate, mined, per_block, gas_per_tx }
}

/// `count` read-only requests one after the other (one in flight): request/response latency,
/// where Nagle's algorithm on a WebSocket shows.
async fn sequential(connector: &Arc<dyn Connector>, count: u64) -> f64 {
    let start = Instant::now();
    for i in 0..count {
        connector.send_requests(query(i)).await;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

async fn sequential_raw(client: &RpcClient, to: Address, data: &Bytes, count: u64) -> f64 {
    let call = json!({"to": to, "data": data});
    let start = Instant::now();
    for _ in 0..count {
        let _ = client.request::<_, Bytes>("eth_call", (call.clone(), "latest")).await;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// A fresh anvil with the ledger deployed and `ACCOUNTS` accounts opened, and a worker
/// connector over `scheme` with its context.
async fn fresh(scheme: &str) -> (anvil::Anvil, Arc<dyn Connector>, Value) {
    let node = match gas_limit() {
        Some(limit) => anvil::Anvil::start_with(&["--gas-limit", &limit]),
        None => anvil::Anvil::start(),
    };
    let url = if scheme == "http" { node.http_url() } else { node.ws_url() };
    let identities: serde_json::Map<String, Value> = (0..SENDERS)
        .map(|i| (format!("s{i}"), json!({"mnemonic": anvil::MNEMONIC, "index": 1 + i})))
        .collect();
    let raw = json!({"ethereum": {
        "url": url,
        "contractDeployerAddressPrivateKey": anvil::KEY_0,
        "identities": identities,
        "timeout": 60,
        "contracts": {"ledger": {"path": format!("{}/contracts/ledger.json", env!("CARGO_MANIFEST_DIR")), "gas": {"open": 150000}}},
    }});
    let make = |worker: i64| {
        let raw = raw.clone();
        async move {
            let init = ConnectorInit {
                worker_index: worker,
                network: Arc::new(NetworkConfig { raw, ..Default::default() }),
                settings: Arc::new(Settings::default()),
                sink: Arc::new(NullSink),
            };
            EthereumFactory.create(init).await.expect("connector")
        }
    };
    let manager = make(-1).await;
    manager.install_smart_contract().await.expect("deploy");
    let args = manager.prepare_worker_arguments(1).await.expect("args");
    let worker = make(0).await;
    let context = worker.get_context(0, &args[0]).await.expect("context");
    let setup: Vec<Value> = (0..ACCOUNTS)
        .map(|i| json!({"contract": "ledger", "verb": "open", "args": [format!("a{i}"), 1000], "identity": format!("s{}", i % SENDERS)}))
        .collect();
    worker.send_requests(Value::Array(setup)).await;
    (node, worker, context)
}

/// `CALIPER_BENCH_GAS_LIMIT`: anvil's block gas limit instead of its 30,000,000, which caps
/// `open` writes at about 450 per block.
fn gas_limit() -> Option<String> {
    std::env::var("CALIPER_BENCH_GAS_LIMIT").ok().filter(|s| !s.is_empty())
}

fn row(scheme: &str, name: &str, rate: f64, o: &Outcome) {
    println!(
        "| {scheme} | {name} | {rate:.0} | {:.0} | {:.0} | {} | {} | {:.0} |",
        o.sent_rate, o.throughput, o.ok, o.failed, o.cpu_us_per_tx
    );
}

fn query(i: u64) -> Value {
    json!({"contract": "ledger", "verb": "query", "args": [format!("a{}", i % ACCOUNTS as u64)], "readOnly": true})
}

fn open(i: u64) -> Value {
    json!({"contract": "ledger", "verb": "open", "args": [format!("w{i}"), 1], "identity": format!("s{}", i % SENDERS as u64)})
}

#[tokio::main]
async fn main() {
    let secs: f64 = std::env::var("CALIPER_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let rate: f64 = std::env::var("CALIPER_BENCH_RATE").ok().and_then(|s| s.parse().ok()).unwrap_or(1000.0);
    let limit = gas_limit().map(|l| format!(" --gas-limit {l}")).unwrap_or_default();
    println!(
        "\n## Ethereum connector against a fresh anvil (--block-time 1 --prune-history{limit}) each, 1 worker, {secs} s"
    );
    println!(
        "| scheme | workload | target tx/s | sent tx/s | throughput tx/s | ok | failed | worker CPU per tx (us) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut sequential_rates = Vec::new();
    let mut write_rates = Vec::new();
    for scheme in ["http", "ws"] {
        let (node, worker, _) = fresh(scheme).await;
        let reads = fixed_rate(worker.clone(), rate, secs, query).await;
        row(scheme, "read-only query", rate, &reads);
        let fast = fixed_rate(worker.clone(), rate * 4.0, secs / 2.0, query).await;
        row(scheme, "read-only query", rate * 4.0, &fast);
        sequential_rates.push((scheme, sequential(&worker, 2000).await));
        worker.release_context().await.ok();
        drop(node);
        let (node, worker, _) = fresh(scheme).await;
        let writes = fixed_rate(worker.clone(), rate, secs, open).await;
        row(scheme, "write open (4 senders)", rate, &writes);
        write_rates.push((scheme, writes.throughput));
        worker.release_context().await.ok();
        drop(node);
    }

    // The ceiling: a minimal alloy client, on a fresh anvil, the same transactions.
    let (node, worker, context) = fresh("http").await;
    worker.release_context().await.ok();
    let address: Address = context["contracts"]["ledger"].as_str().unwrap().parse().unwrap();
    let chain_id = context["chainId"].as_u64().unwrap();
    let gas_price: u128 = context["gasPrice"].as_str().unwrap().parse().unwrap();
    // reqwest is built with rustls but no crypto provider: a stock client needs a process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = ClientBuilder::default().connect(&node.http_url()).await.unwrap();
    let stock_ws =
        ClientBuilder::default().pubsub(alloy::transports::ws::WsConnect::new(node.ws_url())).await.unwrap();
    let abi: alloy::json_abi::JsonAbi = serde_json::from_value(
        serde_json::from_str::<Value>(include_str!("../contracts/ledger.json")).unwrap()["abi"].clone(),
    )
    .unwrap();
    use alloy::dyn_abi::{DynSolValue, JsonAbiExt};
    let data: Bytes = abi.function("query").unwrap()[0]
        .abi_encode_input(&[DynSolValue::String("a1".into())])
        .unwrap()
        .into();
    let count = (rate * secs) as usize;
    let reads_http = ceiling_reads(&http, address, data.clone(), count).await;
    let reads_ws = ceiling_reads(&stock_ws, address, data.clone(), count / 4).await;
    let seq_http = sequential_raw(&http, address, &data, 2000).await;
    let seq_stock_ws = sequential_raw(&stock_ws, address, &data, 500).await;
    let open_fn = abi.function("open").unwrap()[0].clone();
    let writes = ceiling_writes(&http, address, chain_id, gas_price, count, |i| {
        open_fn
            .abi_encode_input(&[
                DynSolValue::String(format!("c{i}")),
                DynSolValue::Int(alloy::primitives::I256::ONE, 256),
            ])
            .unwrap()
            .into()
    })
    .await;
    drop(node);
    println!("\n| minimal alloy loop, 64 in flight, fresh anvil | tx/s |");
    println!("|---|---:|");
    println!("| eth_call over http:// | {reads_http:.0} |");
    println!("| eth_call over alloy's stock ws:// (Nagle on) | {reads_ws:.0} |");
    println!(
        "| presigned open() writes over http://, until all {} are in a block ({} of them were) | {:.0} |",
        count, writes.mined, writes.rate
    );
    // The connector cannot confirm faster than it is asked to send, nor than anvil mines.
    let bound = writes.rate.min(rate);
    println!(
        "\nWrites: at most {} `open` transactions per block ({} gas each); the connector's throughput \
         against the lower of the target ({rate:.0} tx/s) and the minimal loop ({:.0} tx/s):",
        writes.per_block, writes.gas_per_tx, writes.rate
    );
    for (scheme, throughput) in &write_rates {
        println!("- {scheme}:// {:.0} %", 100.0 * throughput / bound);
    }
    println!("\n| one request at a time (eth_call) | calls/s |");
    println!("|---|---:|");
    for (scheme, rate) in &sequential_rates {
        println!("| the connector over {scheme}:// | {rate:.0} |");
    }
    println!("| minimal alloy loop over http:// | {seq_http:.0} |");
    println!("| minimal alloy loop over alloy's stock ws:// (Nagle on) | {seq_stock_ws:.0} |");
}
