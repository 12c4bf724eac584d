//! The factory the binary registers under the name `fabric`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit};

use crate::config::FabricConfig;
use crate::connector::FabricConnector;
use crate::settings::FabricSettings;

/// The name of the connector in `caliper.blockchain`.
pub const FABRIC: &str = "fabric";

/// Creates [`FabricConnector`]s from Caliper's Fabric network configuration v2.0.
#[derive(Debug, Default, Clone, Copy)]
pub struct FabricFactory;

#[async_trait]
impl ConnectorFactory for FabricFactory {
    fn name(&self) -> &'static str {
        FABRIC
    }

    /// Reads the whole configuration as a connector would (organisations, every certificate
    /// and key and that they pair, wallets, connection profiles, TLS CA files, channels) and
    /// the connector's settings; no peer is contacted.
    fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        let config = FabricConfig::from_network(&input.network.raw, input.settings.workspace());
        let settings = FabricSettings::read(input.settings);
        match (config, settings) {
            (Ok(_), Ok(_)) => Ok(()),
            (config, settings) => {
                let mut errors = config.err().unwrap_or_default();
                errors.extend(settings.err());
                Err(errors)
            }
        }
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = FabricConfig::from_network(&init.network.raw, init.settings.workspace()).map_err(
            |mut errors| {
                let more = errors.len() - 1;
                let first = errors.swap_remove(0);
                match (first, more) {
                    (ConnectorError::Config { path, message }, 1..) => ConnectorError::Config {
                        path,
                        message: format!(
                            "{message} (and {more} more mistakes: `caliper check` lists them all)"
                        ),
                    },
                    (first, _) => first,
                }
            },
        )?;
        let settings = FabricSettings::read(&init.settings)?;
        tracing::debug!(worker = init.worker_index, orgs = ?config.mspids().collect::<Vec<_>>(), "Fabric connector created");
        Ok(Arc::new(FabricConnector::new(&init, config, settings)))
    }
}
