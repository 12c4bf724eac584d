//! Helpers shared by the integration tests: the anvil harness and a recording sink.

#![allow(dead_code)]

pub use caliper_testkit::anvil;

use std::sync::{Arc, Mutex};

use caliper_core::TxStatus;
use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, ConnectorFactory, ConnectorInit, TxSink};
use caliper_core::settings::Settings;
use caliper_ethereum::EthereumFactory;
use serde_json::Value;

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
