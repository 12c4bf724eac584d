//! Shared helpers of the integration tests: a recording sink, and connectors built the way
//! the worker builds them (through the factory, from a network configuration).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use caliper_core::TxStatus;
use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, ConnectorError, ConnectorFactory, ConnectorInit, TxSink};
use caliper_core::settings::Settings;
use caliper_sim::SimFactory;
use serde_json::Value;

/// Records every event a connector emits.
#[derive(Default)]
pub struct RecordingSink {
    /// Sum of the counts of `txs_submitted`.
    pub submitted: AtomicU64,
    /// Number of `txs_submitted` calls.
    pub submitted_calls: AtomicU64,
    /// Number of `txs_finished` calls.
    pub finished_calls: AtomicU64,
    /// Every status `txs_finished` reported, in order.
    pub finished: Mutex<Vec<TxStatus>>,
}

impl TxSink for RecordingSink {
    fn txs_submitted(&self, count: u64) {
        self.submitted.fetch_add(count, Ordering::SeqCst);
        self.submitted_calls.fetch_add(1, Ordering::SeqCst);
    }

    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.finished_calls.fetch_add(1, Ordering::SeqCst);
        self.finished.lock().unwrap().extend_from_slice(statuses);
    }
}

impl RecordingSink {
    /// Total requests submitted.
    pub fn submitted(&self) -> u64 {
        self.submitted.load(Ordering::SeqCst)
    }

    /// Calls of each event.
    pub fn calls(&self) -> (u64, u64) {
        (self.submitted_calls.load(Ordering::SeqCst), self.finished_calls.load(Ordering::SeqCst))
    }

    /// A copy of the finished statuses.
    pub fn finished(&self) -> Vec<TxStatus> {
        self.finished.lock().unwrap().clone()
    }
}

/// The init a worker hands the factory, for a network configuration `raw`.
pub fn init(raw: Value, worker_index: i64, sink: Arc<RecordingSink>) -> ConnectorInit {
    ConnectorInit {
        worker_index,
        network: Arc::new(NetworkConfig { blockchain: "sim".into(), raw, ..Default::default() }),
        settings: Arc::new(Settings::default()),
        sink,
    }
}

/// A sim connector for worker `worker_index` with the `sim` section `sim`, and its sink.
pub async fn sim(sim: Value, worker_index: i64) -> (Arc<dyn Connector>, Arc<RecordingSink>) {
    let sink = Arc::new(RecordingSink::default());
    let connector = try_sim(sim, worker_index, sink.clone()).await.expect("valid sim configuration");
    (connector, sink)
}

/// The factory's answer for the `sim` section `sim`.
pub async fn try_sim(
    sim: Value,
    worker_index: i64,
    sink: Arc<RecordingSink>,
) -> Result<Arc<dyn Connector>, ConnectorError> {
    let raw = serde_json::json!({"caliper": {"blockchain": "sim"}, "sim": sim});
    SimFactory.create(init(raw, worker_index, sink)).await
}
