//! The connector: the adapter between caliper-rs and one kind of SUT.
//!
//! The eight methods of Caliper's `ConnectorInterface` keep their meaning. A connector is
//! created by a [`ConnectorFactory`] for one worker index (-1 is the manager), reports its
//! events through the [`TxSink`] the factory hands it, and answers every request with a
//! [`TxStatus`]: a failed transaction is a status, never an error.
//!
//! A connector that implements only [`Connector::send_single_request`] gets the behaviour of
//! Caliper's `ConnectorBase`: `send_requests` emits the events, runs a batch concurrently and
//! turns an error into a failed status, so nothing is lost.

mod registry;
mod single;
mod sink;
mod status;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

pub use registry::{ConnectorRegistry, ConnectorResolver, UnknownConnector};
pub use sink::{NullSink, TxSink};
pub use status::{ErrorClass, TxState, TxStatus};

use crate::config::NetworkConfig;
use crate::settings::Settings;
use crate::workload::{WorkloadError, WorkloadLoader, WorkloadModule};

/// The worker index of the connector that the manager creates.
pub const MANAGER_INDEX: i64 = -1;

/// An error of a connector's lifecycle methods (not of a transaction: that is a failed
/// [`TxStatus`]).
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The connector's section of the network configuration is wrong.
    #[error("network configuration {path}: {message}")]
    Config {
        /// Key path inside the network configuration, such as `ethereum.url`.
        path: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The SUT could not be reached or refused the operation.
    #[error("{0}")]
    Sut(String),
    /// A request could not be understood (only from `send_single_request`; turned into a
    /// failed status with class `invalid`).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Anything else, with the class its failed status should carry.
    #[error("{message}")]
    Failed {
        /// The class of the failure.
        class: ErrorClass,
        /// What went wrong.
        message: String,
    },
}

impl ConnectorError {
    /// The class a transaction that failed with this error is counted under.
    pub fn class(&self) -> ErrorClass {
        match self {
            ConnectorError::Config { .. } | ConnectorError::Sut(_) => ErrorClass::Connection,
            ConnectorError::InvalidRequest(_) => ErrorClass::Invalid,
            ConnectorError::Failed { class, .. } => *class,
        }
    }
}

/// What a factory gets to create a connector.
#[derive(Clone)]
pub struct ConnectorInit {
    /// The worker index, or [`MANAGER_INDEX`].
    pub worker_index: i64,
    /// The network configuration (its connector-specific sections are in `raw`).
    pub network: Arc<NetworkConfig>,
    /// The runtime settings.
    pub settings: Arc<Settings>,
    /// Where the connector reports its events.
    pub sink: Arc<dyn TxSink>,
}

/// What a factory's [`ConnectorFactory::check`] sees: the files of the run, nothing of the SUT.
#[derive(Clone, Copy)]
pub struct ConnectorCheck<'a> {
    /// The network configuration (the connector's own sections are in `raw`).
    pub network: &'a NetworkConfig,
    /// The runtime settings (`workspace()` is the root of relative paths).
    pub settings: &'a Settings,
    /// `test.workers.number` of the benchmark, when the benchmark file is valid.
    pub workers: Option<usize>,
}

/// Creates connectors of one kind; registered under the name used in `caliper.blockchain`.
#[async_trait]
pub trait ConnectorFactory: Send + Sync {
    /// The name in `caliper.blockchain`, such as `ethereum` or `sim`.
    fn name(&self) -> &'static str;
    /// Checks the connector's sections of the network configuration without touching the SUT.
    ///
    /// The manager calls it before the start command, so a mistake that the files alone show
    /// stops the run before a blockchain is launched (exit code 2). Return every mistake, not
    /// only the first, each as [`ConnectorError::Config`] with its key path (such as
    /// `sim.latency.mean`). The default finds nothing wrong.
    fn check(&self, _input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        Ok(())
    }
    /// Creates the connector for one worker index (-1 is the manager). A worker connector that
    /// needs `init` calls it itself, as in Caliper.
    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError>;
    /// The workload module files (by extension, such as `js`) that this connector's
    /// connectors run beside themselves (see [`Connector::workload_module`]), each with the
    /// loader whose `check` the file check uses for them instead of the registry's. The
    /// default: none, every module runs in the worker.
    fn hosted_workloads(&self) -> Vec<(&'static str, Arc<dyn WorkloadLoader>)> {
        Vec::new()
    }
}

/// The type and worker index of a connector, and its sink: Caliper's `ConnectorBase`.
pub struct ConnectorBase {
    kind: String,
    worker_index: i64,
    sink: Arc<dyn TxSink>,
}

impl ConnectorBase {
    /// The base of a connector of type `kind` for `init.worker_index`.
    pub fn new(kind: impl Into<String>, init: &ConnectorInit) -> Self {
        ConnectorBase { kind: kind.into(), worker_index: init.worker_index, sink: init.sink.clone() }
    }

    /// The connector type, such as `ethereum`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The worker index (-1 for the manager).
    pub fn worker_index(&self) -> i64 {
        self.worker_index
    }

    /// The sink the connector reports its events to.
    pub fn sink(&self) -> &dyn TxSink {
        &*self.sink
    }
}

/// A connector: Caliper's `ConnectorInterface`.
///
/// Hot-path contract: `send_requests` takes `&self` and is called concurrently from every
/// in-flight transaction of a worker; it must emit `txs_submitted` before it sends and
/// `txs_finished` when the statuses are final, must not block the thread, and must answer a
/// malformed request with a failed status (class `invalid`) that says what is wrong. The other
/// methods run once per run or per round.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The type, index and sink of this connector.
    fn base(&self) -> &ConnectorBase;

    /// The SUT type, such as `ethereum` (Caliper's `getType`).
    fn get_type(&self) -> &str {
        self.base().kind()
    }

    /// The worker index, -1 in the manager (Caliper's `getWorkerIndex`).
    fn get_worker_index(&self) -> i64 {
        self.base().worker_index()
    }

    /// One-time setup of the SUT; the manager calls it with `worker_init = false`.
    async fn init(&self, _worker_init: bool) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// Deploys the contracts (the manager's `install` phase).
    async fn install_smart_contract(&self) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// One JSON object per worker, handed to each worker's `get_context` in every round.
    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        Ok(vec![Value::Object(Default::default()); workers])
    }

    /// Acquires what a round needs; the result is the workload's `sutContext`.
    async fn get_context(&self, _round_index: usize, _worker_args: &Value) -> Result<Value, ConnectorError> {
        Ok(Value::Object(Default::default()))
    }

    /// Releases what `get_context` acquired; always called at the end of a round.
    async fn release_context(&self) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// The round's workload module when this connector runs it beside itself, so that live
    /// objects never leave it (the Node.js sidecar runs `.js` modules next to Caliper's
    /// JavaScript connectors, and the worker's rate control drives them); `None`, the
    /// default: the worker's workload registry loads `module` (a name, or a path relative to
    /// `workspace`). The worker asks before every round.
    fn workload_module(
        &self,
        _module: &str,
        _workspace: &Path,
    ) -> Option<Result<Box<dyn WorkloadModule>, WorkloadError>> {
        None
    }

    /// Sends one request (a JSON object) or several (a JSON array) and returns a status for
    /// each, in order. The default runs [`Connector::send_single_request`] for each request
    /// concurrently and emits the events.
    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        single::send_each(self, requests).await
    }

    /// A failure of the connector itself that fails the current round, such as an external
    /// connector's process that crashed or stopped answering; `None` while it is healthy.
    ///
    /// The worker's round loop asks once per scheduler turn (not per transaction) and ends the
    /// round with this message; the worker asks again after the drain. A connector that
    /// recovers (a new process for the next round) returns `None` again. Keep it cheap.
    fn failure(&self) -> Option<String> {
        None
    }

    /// Sends one request; an error becomes a failed status of the error's class. Connectors
    /// that override `send_requests` need not implement it.
    async fn send_single_request(&self, _request: Value) -> Result<TxStatus, ConnectorError> {
        Err(ConnectorError::Failed {
            class: ErrorClass::Other,
            message: format!("the {} connector does not implement send_single_request", self.get_type()),
        })
    }
}
