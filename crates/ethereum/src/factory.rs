//! The factory the binary registers under the name `ethereum`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorError, ConnectorFactory, ConnectorInit};

use crate::config::EthereumConfig;
use crate::connector::EthereumConnector;

/// The name of the connector in `caliper.blockchain`.
pub const ETHEREUM: &str = "ethereum";

/// Creates [`EthereumConnector`]s from the network configuration's `ethereum` section.
///
/// Every call validates the section (so the manager's connector, created first, finds
/// configuration errors before any worker starts) and connects to the nodes.
#[derive(Debug, Default, Clone, Copy)]
pub struct EthereumFactory;

#[async_trait]
impl ConnectorFactory for EthereumFactory {
    fn name(&self) -> &'static str {
        ETHEREUM
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = EthereumConfig::from_network(&init.network.raw, init.settings.workspace())?;
        tracing::debug!(worker = init.worker_index, ?config, "Ethereum connector created");
        Ok(Arc::new(EthereumConnector::connect(&init, config).await?))
    }
}
