//! The factory the binary registers under the name `ethereum`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit};

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

    /// Parses the section as a connector would (every unknown key, urls, keys' validity,
    /// mnemonics, ABIs) and checks the accounts against the number of workers; no node is
    /// contacted.
    fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        EthereumConfig::check(&input.network.raw, input.settings.workspace(), input.workers).map(|_| ())
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = EthereumConfig::from_network(&init.network.raw, init.settings.workspace())?;
        tracing::debug!(worker = init.worker_index, ?config, "Ethereum connector created");
        Ok(Arc::new(EthereumConnector::connect(&init, config).await?))
    }
}

#[cfg(test)]
mod tests {
    use caliper_core::config::NetworkConfig;
    use caliper_core::settings::Settings;
    use serde_json::json;

    use super::*;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    fn check(ethereum: serde_json::Value, workers: Option<usize>) -> Result<(), Vec<ConnectorError>> {
        let network = NetworkConfig { raw: json!({ "ethereum": ethereum }), ..Default::default() };
        let settings = Settings::default();
        EthereumFactory.check(&ConnectorCheck { network: &network, settings: &settings, workers })
    }

    fn paths(errors: Vec<ConnectorError>) -> Vec<String> {
        errors
            .into_iter()
            .map(|e| match e {
                ConnectorError::Config { path, .. } => path,
                other => panic!("expected a config error, got {other}"),
            })
            .collect()
    }

    #[test]
    fn check_parses_the_section_and_the_accounts_per_worker_without_a_node() {
        // Nothing listens on port 1: a check that connected would fail.
        assert!(check(json!({"url": "ws://127.0.0.1:1", "fromAddressPrivateKey": KEY}), Some(1)).is_ok());
        assert_eq!(paths(check(json!({"url": "ftp://x"}), Some(1)).unwrap_err()), ["ethereum.url"]);
        assert_eq!(paths(check(json!({"nodes": {}}), None).unwrap_err()), ["ethereum.url"]);
        let one_key = json!({"url": "ws://127.0.0.1:1", "fromAddressPrivateKey": KEY});
        assert_eq!(paths(check(one_key.clone(), Some(2)).unwrap_err()), ["ethereum.fromAddressPrivateKey"]);
        assert!(check(one_key, None).is_ok(), "without a valid benchmark the workers are unknown");
        let errors = check(json!({"url": "ftp://x", "chainID": 1, "timout": 5}), None).unwrap_err();
        assert_eq!(paths(errors), ["ethereum.chainID", "ethereum.timout", "ethereum.url"]);
    }
}
