//! [`NodeWorkload`]: a JavaScript workload module that runs in the Node.js sidecar, beside
//! its connector, driven by the worker's rate controller.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::workload::{WorkloadError, WorkloadInit, WorkloadModule};
use caliper_external::{ExternalConnector, ExternalProcess};
use serde_json::{Value, json};

/// A `.js` workload module in the sidecar (protocol feature `workload`).
///
/// `initialize` asks the sidecar to load the module (Caliper's `createWorkloadModule`) and to
/// call `initializeWorkloadModule` with the connector and the live `sutContext` of the round's
/// `getContext`; the `sut_context` the worker holds (the serialised copy) is not used. Each
/// `submit_transaction` is one `submit` tick; the statistics come from the connector's own
/// events, which the host hands to the worker's sink.
pub struct NodeWorkload {
    connector: Arc<ExternalConnector>,
    path: PathBuf,
    /// The sidecar of this round, fixed at `initialize` (a sidecar that dies fails the round).
    process: Option<Arc<ExternalProcess>>,
}

impl NodeWorkload {
    /// The module at `path`, to run beside `connector`.
    pub fn new(connector: Arc<ExternalConnector>, path: PathBuf) -> Self {
        NodeWorkload { connector, path, process: None }
    }

    fn failed(&self, what: &str, err: impl std::fmt::Display) -> WorkloadError {
        WorkloadError::Failed(format!("{what} of {} (in Node.js): {err}", self.path.display()))
    }
}

#[async_trait(?Send)]
impl WorkloadModule for NodeWorkload {
    async fn initialize(&mut self, init: WorkloadInit) -> Result<(), WorkloadError> {
        let process = self.connector.process();
        let spec = json!({
            "module": self.path.display().to_string(),
            "workerIndex": init.worker_index,
            "totalWorkers": init.total_workers,
            "roundIndex": init.round_index,
            "roundArguments": init.round_arguments,
        });
        process
            .call("initializeWorkloadModule", &[spec])
            .await
            .map_err(|e| self.failed("initializeWorkloadModule", e))?;
        self.process = Some(process);
        Ok(())
    }

    async fn submit_transaction(&self) -> Result<(), WorkloadError> {
        let Some(process) = &self.process else {
            return Err(self.failed("submitTransaction", "the module was not initialised"));
        };
        process.submit().await.map_err(|e| self.failed("submitTransaction", e))
    }

    async fn cleanup(&mut self) -> Result<(), WorkloadError> {
        let Some(process) = self.process.take() else { return Ok(()) };
        if process.failure().is_some() {
            // The module went with its process.
            return Ok(());
        }
        let _: Value = process
            .call("cleanupWorkloadModule", &[])
            .await
            .map_err(|e| self.failed("cleanupWorkloadModule", e))?;
        Ok(())
    }
}
