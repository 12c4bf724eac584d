//! Transaction observers (Caliper's `monitors.transaction`): see every transaction of a round
//! as the worker does, for live metrics or a log, beside the statistics the worker sends to the
//! manager.
//!
//! The manager hands each round's observer specifications to the workers in the `prepare`
//! message, so a remote worker needs no copy of the benchmark file. A worker creates the
//! observers of a round from its [`TxObserverRegistry`], feeds them the connector's events from
//! the same place it records its statistics, and deactivates them (a last push, a server
//! closed) before it sends the round's results.

mod exported;
mod registry;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use exported::ExportedFile;
pub use registry::TxObserverRegistry;

use crate::connector::{ErrorClass, TxStatus};
use crate::settings::Settings;

/// One observer of a round: `{module, options}` from `monitors.transaction`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxObserverSpec {
    /// The module, such as `logging` or `prometheus-push`.
    pub module: String,
    /// Its options (an empty object when absent).
    #[serde(default)]
    pub options: Map<String, Value>,
}

/// Which worker and round an observer sees.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedRound {
    /// The worker index.
    pub worker_index: usize,
    /// Whether the manager forked this worker (local workers add their index to ports).
    pub local: bool,
    /// The round index.
    pub round_index: usize,
    /// The round label.
    pub round_label: String,
}

/// A mistake in an observer's options, with the key path below `options` (the type monitors'
/// checks use too).
pub use crate::config::OptionError as ObserverOptionError;

/// An observer that could not start (its options were checked before the run).
#[derive(Debug, thiserror::Error)]
#[error("transaction observer {module}: {message}")]
pub struct ObserverError {
    /// The module.
    pub module: String,
    /// What went wrong.
    pub message: String,
}

/// A transaction observer of one round (Caliper's `TxObserverInterface`).
///
/// `txs_submitted` and `txs_finished` are on the worker's hot path: they are called for every
/// event, on the worker's thread, and must not block or wait.
#[async_trait]
pub trait TxObserver: Send + Sync {
    /// `count` transactions were submitted.
    fn txs_submitted(&self, count: u64);

    /// These transactions finished.
    fn txs_finished(&self, statuses: &[TxStatus]);

    /// `count` transactions still open at the round's drain deadline were given up: they
    /// count as failed with `class` (no latency is known).
    fn txs_abandoned(&self, _count: u64, _class: ErrorClass) {}

    /// The round is over: flush what is left (a last push), close what was opened.
    async fn deactivate(&self) {}

    /// The file this observer wrote in the round, asked after [`TxObserver::deactivate`]; it
    /// travels to the manager with the round's statistics and is listed in results.json.
    fn exported(&self) -> Option<ExportedFile> {
        None
    }
}

/// Creates the observers of one module; registered under the name used in `module`.
#[async_trait]
pub trait TxObserverFactory: Send + Sync {
    /// The module name, such as `logging`.
    fn name(&self) -> &'static str;

    /// Checks `options` before anything starts: every mistake, each with its key path.
    fn check(&self, options: &Map<String, Value>) -> Result<(), Vec<ObserverOptionError>>;

    /// The observer of one round of one worker, activated.
    async fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
        round: &ObservedRound,
    ) -> Result<Arc<dyn TxObserver>, ObserverError>;
}
