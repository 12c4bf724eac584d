//! Workload modules: what a worker calls to build and submit each transaction.
//!
//! Caliper's `WorkloadModuleInterface` in Rust. A round gets a new instance; the worker calls
//! `initialize` once, then `submit_transaction` once for every transaction the rate controller
//! releases, without awaiting it (many run at once on the worker's thread), then `cleanup`.
//! The futures need not be `Send`: a worker drives a round on one thread, so a module may hold
//! a single-threaded engine (the JavaScript one does).

mod registry;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

pub use registry::{ArgumentsCheck, WorkloadFactory, WorkloadLoader, WorkloadRegistry};

use crate::connector::Connector;

/// An error of a workload module, with where it came from.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// `workload.module` names nothing this binary can load.
    #[error("workload module \"{module}\" not found: {hint}")]
    NotFound {
        /// The name or path in `workload.module`.
        module: String,
        /// What is available, or how to fix it.
        hint: String,
    },
    /// The module's `workload.arguments` are wrong.
    #[error("workload.arguments{path}: {message}")]
    Arguments {
        /// Key path below `workload.arguments`, such as `.mix[0].weight`.
        path: String,
        /// What was expected.
        message: String,
    },
    /// The module failed (for a script, the message carries its stack).
    #[error("{0}")]
    Failed(String),
}

/// The arguments of `initializeWorkloadModule`.
#[derive(Clone)]
pub struct WorkloadInit {
    /// 0-based index of this worker.
    pub worker_index: usize,
    /// Number of workers in the round.
    pub total_workers: usize,
    /// 0-based index of the round.
    pub round_index: usize,
    /// `workload.arguments` of the round (an object; empty when absent).
    pub round_arguments: Value,
    /// The connector (Caliper's `sutAdapter`).
    pub sut_adapter: Arc<dyn Connector>,
    /// What the connector's `get_context` returned (Caliper's `sutContext`).
    pub sut_context: Value,
}

/// A workload module (Caliper's `WorkloadModuleInterface`).
#[async_trait(?Send)]
pub trait WorkloadModule {
    /// Called once per round, before the first transaction.
    async fn initialize(&mut self, init: WorkloadInit) -> Result<(), WorkloadError>;

    /// Builds and submits one transaction, usually through `sut_adapter.send_requests`.
    ///
    /// Hot path: called concurrently (not awaited by the loop) at the rate of the round. An
    /// error fails the round, as a rejected `submitTransaction` does in Caliper.
    async fn submit_transaction(&self) -> Result<(), WorkloadError>;

    /// The requests of the next transaction, for a module that only builds requests and never
    /// reads their statuses: the worker sends them through the connector itself, which saves
    /// the module's future for each transaction in flight (the memory that bounds a worker
    /// facing a slow SUT). `None`, the default: the worker calls
    /// [`WorkloadModule::submit_transaction`]. An error fails the round, as in
    /// `submit_transaction`.
    fn next_requests(&self) -> Option<Result<Value, WorkloadError>> {
        None
    }

    /// Called once at the end of the round, even when it failed.
    async fn cleanup(&mut self) -> Result<(), WorkloadError> {
        Ok(())
    }
}

/// A workload module that does nothing, for the tests of the registry and of the checks.
#[cfg(test)]
pub(crate) mod testutil {
    use async_trait::async_trait;

    use super::{WorkloadError, WorkloadInit, WorkloadModule};

    struct Nothing;

    #[async_trait(?Send)]
    impl WorkloadModule for Nothing {
        async fn initialize(&mut self, _init: WorkloadInit) -> Result<(), WorkloadError> {
            Ok(())
        }
        async fn submit_transaction(&self) -> Result<(), WorkloadError> {
            Ok(())
        }
    }

    /// A [`super::WorkloadFactory`] of a module that does nothing.
    pub(crate) fn nothing() -> Box<dyn WorkloadModule> {
        Box::new(Nothing)
    }
}
