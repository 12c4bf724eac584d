//! Helpers shared by the integration tests: the anvil harness, a recording sink, network
//! configurations on anvil's accounts, the ledger's deployment and its requests.

#![allow(dead_code)]

pub use caliper_testkit::anvil;

use std::sync::{Arc, Mutex};

use caliper_core::TxStatus;
use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, ConnectorFactory, ConnectorInit, TxSink};
use caliper_core::settings::Settings;
use caliper_ethereum::EthereumFactory;
use serde_json::{Value, json};

use anvil::{ADDRESS_0, ADDRESS_1, KEY_0, KEY_1};

/// A sink that keeps every event, to check that nothing is lost.
#[derive(Default)]
pub struct Recording {
    /// Requests submitted.
    pub submitted: Mutex<u64>,
    /// Statuses finished.
    pub finished: Mutex<Vec<TxStatus>>,
}

impl TxSink for Recording {
    fn txs_submitted(&self, count: u64) {
        *self.submitted.lock().unwrap() += count;
    }
    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.finished.lock().unwrap().extend_from_slice(statuses);
    }
}

/// A connector for `worker` on the network configuration `raw` (whose `ethereum` section is
/// what is tested), with its recording sink.
pub async fn connector(raw: Value, worker: i64) -> (Arc<dyn Connector>, Arc<Recording>) {
    let sink = Arc::new(Recording::default());
    let init = ConnectorInit {
        worker_index: worker,
        network: Arc::new(NetworkConfig { raw, ..Default::default() }),
        settings: Arc::new(Settings::default()),
        sink: sink.clone(),
    };
    let connector = EthereumFactory.create(init).await.unwrap_or_else(|e| panic!("connector: {e}"));
    (connector, sink)
}

/// The committed ledger artifact (an absolute path, so the workspace does not matter).
pub fn ledger_artifact() -> String {
    format!("{}/contracts/ledger.json", env!("CARGO_MANIFEST_DIR"))
}

/// A network configuration on `url` with `contracts`: anvil's account 0 deploys, account 1
/// (`ADDRESS_1`) sends; `extra` keys are added to (or replace) the `ethereum` section's.
pub fn network(url: &str, contracts: Value, extra: Value) -> Value {
    let mut section = json!({
        "url": url,
        "contractDeployerAddress": ADDRESS_0,
        "contractDeployerAddressPrivateKey": KEY_0,
        "fromAddress": ADDRESS_1,
        "fromAddressPrivateKey": KEY_1,
        "transactionConfirmationBlocks": 1,
        "timeout": 20,
        "pollInterval": 20,
        "contracts": contracts,
    });
    if let (Value::Object(s), Value::Object(e)) = (&mut section, extra) {
        s.extend(e);
    }
    json!({ "ethereum": section })
}

/// The ledger deployed from its artifact, with `spec`'s keys added.
pub fn artifact(spec: Value) -> Value {
    let mut contract = json!({"path": ledger_artifact()});
    if let (Value::Object(c), Value::Object(s)) = (&mut contract, spec) {
        c.extend(s);
    }
    json!({ "ledger": contract })
}

/// Deploys the ledger with a manager connector; the worker arguments.
pub async fn deploy(raw: &Value, workers: usize) -> Vec<Value> {
    let (manager, _) = connector(raw.clone(), -1).await;
    manager.init(false).await.expect("init");
    manager.install_smart_contract().await.expect("install");
    manager.prepare_worker_arguments(workers).await.expect("worker arguments")
}

/// A worker connector on `raw` with its round context.
pub async fn worker(raw: Value, index: i64, args: &Value) -> (Arc<dyn Connector>, Value) {
    let (connector, _) = connector(raw, index).await;
    let context = connector.get_context(0, args).await.expect("context");
    (connector, context)
}

/// `open(account, amount)` on the ledger.
pub fn open(account: &str, amount: i64) -> Value {
    json!({"contract": "ledger", "verb": "open", "args": [account, amount]})
}

/// The read-only `query(account)`.
pub fn query(account: &str) -> Value {
    json!({"contract": "ledger", "verb": "query", "args": [account], "readOnly": true})
}

/// Sends one request; its status.
pub async fn one(connector: &Arc<dyn Connector>, request: Value) -> TxStatus {
    connector.send_requests(request).await.remove(0)
}
