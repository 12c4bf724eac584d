//! Helpers of caliper-js's tests: workload files in a temporary folder, a connector that
//! records what it is sent, and a driver that runs rounds the way the worker does.
#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::config::NetworkConfig;
use caliper_core::connector::{Connector, ConnectorBase, ConnectorInit, TxSink};
use caliper_core::settings::Settings;
use caliper_core::workload::{WorkloadError, WorkloadInit, WorkloadLoader, WorkloadModule};
use caliper_js::JsLoader;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde_json::{Value, json};

/// Counts the connector's events.
#[derive(Default)]
pub struct Sink {
    pub submitted: AtomicU64,
    pub finished: AtomicU64,
}

impl TxSink for Sink {
    fn txs_submitted(&self, count: u64) {
        self.submitted.fetch_add(count, Ordering::SeqCst);
    }
    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.finished.fetch_add(statuses.len() as u64, Ordering::SeqCst);
    }
}

/// A connector of type `echo` that records each request and answers it after `delay` with a
/// successful status whose result is the request (or fails it when it has `"fail": true`).
pub struct Echo {
    base: ConnectorBase,
    pub delay: Duration,
    pub requests: Mutex<Vec<Value>>,
    pub in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
    pub sink: Arc<Sink>,
}

impl Echo {
    pub fn new(worker_index: i64, delay: Duration) -> Arc<Echo> {
        let sink = Arc::new(Sink::default());
        let init = ConnectorInit {
            worker_index,
            network: Arc::new(NetworkConfig { blockchain: "echo".into(), ..Default::default() }),
            settings: Arc::new(Settings::default()),
            sink: sink.clone(),
        };
        Arc::new(Echo {
            base: ConnectorBase::new("echo", &init),
            delay,
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicU64::new(0),
            max_in_flight: AtomicU64::new(0),
            sink,
        })
    }

    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

#[async_trait]
impl Connector for Echo {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        let batch = match requests {
            Value::Array(items) => items,
            one => vec![one],
        };
        self.base.sink().txs_submitted(batch.len() as u64);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let mut statuses: Vec<TxStatus> = batch.iter().map(|_| TxStatus::new("")).collect();
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        for (i, (request, status)) in batch.into_iter().zip(statuses.iter_mut()).enumerate() {
            status.id = format!("tx{i}");
            status.verified = true;
            if request.get("fail") == Some(&Value::Bool(true)) {
                status.set_failed(
                    caliper_core::time::now_micros(),
                    caliper_core::connector::ErrorClass::Rejected,
                    "refused",
                );
            } else {
                status.result = Some(request.clone());
                status.set_custom("phase", json!("done"));
                status.set_success(caliper_core::time::now_micros());
            }
            self.requests.lock().unwrap().push(request);
        }
        self.base.sink().txs_finished(&statuses);
        statuses
    }
}

/// A folder of workload files.
pub struct Files {
    pub dir: tempfile::TempDir,
}

impl Files {
    pub fn new(files: &[(&str, &str)]) -> Files {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Files { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A current-thread runtime, as a worker has.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// The init of a round.
pub fn init(connector: Arc<Echo>, worker_index: usize, round_index: usize, arguments: Value) -> WorkloadInit {
    WorkloadInit {
        worker_index,
        total_workers: 2,
        round_index,
        round_arguments: arguments,
        sut_adapter: connector,
        sut_context: json!({"contextOf": "echo"}),
    }
}

/// The outcome of a round run by [`round`].
pub struct Round {
    pub initialize: Result<(), WorkloadError>,
    pub submits: Vec<Result<(), WorkloadError>>,
    pub cleanup: Result<(), WorkloadError>,
}

impl Round {
    pub fn first_error(&self) -> String {
        self.submits.iter().find_map(|r| r.as_ref().err()).map(|e| e.to_string()).unwrap_or_default()
    }
}

/// Loads `file` and runs one round of `n` transactions, all in flight at once, as the
/// worker's loop does (not awaited one by one).
pub async fn round(
    loader: &JsLoader,
    file: &Path,
    connector: Arc<Echo>,
    round_index: usize,
    n: usize,
    arguments: Value,
) -> Round {
    let mut module: Box<dyn WorkloadModule> = loader.load(file).expect("the module loads");
    let initialize = module.initialize(init(connector, 0, round_index, arguments)).await;
    let mut submits = Vec::new();
    if initialize.is_ok() {
        let mut in_flight = FuturesUnordered::new();
        for _ in 0..n {
            in_flight.push(module.submit_transaction());
        }
        while let Some(r) = in_flight.next().await {
            submits.push(r);
        }
    }
    let cleanup = module.cleanup().await;
    Round { initialize, submits, cleanup }
}
