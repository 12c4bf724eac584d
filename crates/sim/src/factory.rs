//! The factory the binary registers under the name `sim`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorError, ConnectorFactory, ConnectorInit};

use crate::config::SimConfig;
use crate::connector::SimConnector;

/// The name of the simulated SUT in `caliper.blockchain`.
pub const SIM: &str = "sim";

/// Creates [`SimConnector`]s from the network configuration's `sim` section.
///
/// Every call validates the section again (so the manager's connector, created first, finds
/// configuration errors before any worker starts) and creates a new SUT: each worker process
/// simulates its own.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimFactory;

#[async_trait]
impl ConnectorFactory for SimFactory {
    fn name(&self) -> &'static str {
        SIM
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = SimConfig::from_network(&init.network.raw)?;
        tracing::debug!(worker = init.worker_index, ?config, "simulated SUT created");
        Ok(Arc::new(SimConnector::new(&init, config)))
    }
}
