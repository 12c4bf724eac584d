//! [`NodeFactory`] and [`NodeConnector`]: a Caliper JavaScript connector in the Node.js
//! sidecar, over the host of `caliper-external`, with workload mode for `.js` modules.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{
    Connector, ConnectorBase, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit, TxStatus,
};
use caliper_core::workload::{WorkloadError, WorkloadLoader, WorkloadModule};
use caliper_external::protocol::FEATURE_WORKLOAD;
use caliper_external::{ExternalConnector, ExternalFactory};
use serde_json::Value;

use crate::check::{NODE, NodeWorkloadCheck, check_target};
use crate::target::JsTarget;
use crate::workload::NodeWorkload;

/// The extension of the workload modules that run beside a JavaScript connector.
const JS: &str = "js";

/// V8's young generation, raised from its default (16 MiB): every transaction allocates a
/// TxStatus, its Map, promises and closures, and with the default size the scavenger took about
/// a third of the sidecar's time at 200,000 tx/s (15 to 25 % more throughput measured).
const YOUNG_GENERATION: &str = "--max-semi-space-size=32";

/// Creates [`NodeConnector`]s for one `caliper.blockchain` value.
#[derive(Debug, Clone)]
pub struct NodeFactory {
    /// The value as Caliper reads it (without `node:`), for messages.
    blockchain: String,
    target: JsTarget,
}

impl NodeFactory {
    /// A factory for the connector `blockchain` (as Caliper reads it), found at `target`.
    pub fn new(blockchain: impl Into<String>, target: JsTarget) -> Self {
        NodeFactory { blockchain: blockchain.into(), target }
    }

    /// Where the connector is.
    pub fn target(&self) -> &JsTarget {
        &self.target
    }
}

#[async_trait]
impl ConnectorFactory for NodeFactory {
    fn name(&self) -> &'static str {
        "node"
    }

    /// Node.js on the PATH, the connector's file or package, caliper-core beside it: each
    /// missing piece with how to get it.
    fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        let problems = check_target(&self.blockchain, &self.target, input.settings.workspace());
        if problems.is_empty() {
            return Ok(());
        }
        Err(problems
            .into_iter()
            .map(|message| ConnectorError::Config { path: "caliper.blockchain".into(), message })
            .collect())
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let workspace = init.settings.workspace().to_path_buf();
        let sidecar = crate::sidecar::install(&workspace).map_err(|e| {
            ConnectorError::Sut(format!(
                "cannot write the Node.js sidecar below {}: {e}",
                workspace.display()
            ))
        })?;
        let args = vec![YOUNG_GENERATION.to_string(), sidecar.display().to_string()];
        let program = ExternalFactory::new(NODE, args, &init.network.blockchain);
        let mut spec = program.spec(&init.settings, init.worker_index);
        spec.features = vec![FEATURE_WORKLOAD];
        let inner = ExternalConnector::start(spec, init).await?;
        Ok(Arc::new(NodeConnector { inner: Arc::new(inner) }))
    }

    fn hosted_workloads(&self) -> Vec<(&'static str, Arc<dyn WorkloadLoader>)> {
        vec![(JS, Arc::new(NodeWorkloadCheck))]
    }
}

/// A Caliper JavaScript connector running in the Node.js sidecar: the external connector, and
/// the round's `.js` workload modules run beside it.
pub struct NodeConnector {
    inner: Arc<ExternalConnector>,
}

#[async_trait]
impl Connector for NodeConnector {
    fn base(&self) -> &ConnectorBase {
        self.inner.base()
    }

    async fn init(&self, worker_init: bool) -> Result<(), ConnectorError> {
        self.inner.init(worker_init).await
    }

    async fn install_smart_contract(&self) -> Result<(), ConnectorError> {
        self.inner.install_smart_contract().await
    }

    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        self.inner.prepare_worker_arguments(workers).await
    }

    async fn get_context(&self, round_index: usize, worker_args: &Value) -> Result<Value, ConnectorError> {
        self.inner.get_context(round_index, worker_args).await
    }

    async fn release_context(&self) -> Result<(), ConnectorError> {
        self.inner.release_context().await
    }

    /// A `.js` module runs in the sidecar, beside the connector and its live `sutContext`.
    fn workload_module(
        &self,
        module: &str,
        workspace: &Path,
    ) -> Option<Result<Box<dyn WorkloadModule>, WorkloadError>> {
        let path = workspace.join(module);
        if path.extension().and_then(|e| e.to_str()) != Some(JS) {
            return None;
        }
        if !path.is_file() {
            return Some(Err(WorkloadError::NotFound {
                module: module.to_string(),
                hint: format!("no file at {}", path.display()),
            }));
        }
        Some(Ok(Box::new(NodeWorkload::new(self.inner.clone(), path))))
    }

    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        self.inner.send_requests(requests).await
    }

    fn failure(&self) -> Option<String> {
        self.inner.failure()
    }
}
