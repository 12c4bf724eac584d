//! The factory the binary registers under the name `sim`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit};

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

    fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        SimConfig::check(&input.network.raw).map(|_| ())
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = SimConfig::from_network(&init.network.raw)?;
        tracing::debug!(worker = init.worker_index, ?config, "simulated SUT created");
        Ok(Arc::new(SimConnector::new(&init, config)))
    }
}

#[cfg(test)]
mod tests {
    use caliper_core::config::NetworkConfig;
    use caliper_core::settings::Settings;
    use serde_json::json;

    use super::*;

    #[test]
    fn check_reports_the_sim_section_mistakes() {
        let settings = Settings::default();
        let check = |raw| {
            let network = NetworkConfig { raw, ..Default::default() };
            SimFactory.check(&ConnectorCheck { network: &network, settings: &settings, workers: Some(1) })
        };
        assert!(check(json!({"sim": {"latency": 5}})).is_ok());
        assert!(check(json!({})).is_ok());
        let errors = check(json!({"sim": {"latency": "x", "sed": 1}})).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
