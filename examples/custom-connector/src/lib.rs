//! An `http` connector for caliper-rs, written outside the project: what a user adds to run a
//! benchmark against a system caliper-rs has no connector for, in their own binary
//! (`src/main.rs`).
//!
//! The network configuration's `http` section names the server; a workload's requests are
//! `{method, path, body}`; a transaction succeeds when the server answers 2xx:
//!
//! ```yaml
//! caliper: { blockchain: http }
//! http:
//!   url: http://127.0.0.1:8080    # required: http:// or https://
//!   timeout: 5000                 # milliseconds per request (default 10000)
//!   headers: { x-api-key: demo }  # sent with every request (optional)
//! ```

mod config;
mod connector;

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit};

pub use config::HttpConfig;
pub use connector::HttpConnector;

/// Creates [`HttpConnector`]s from the network configuration's `http` section; registered
/// under the name `http`.
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpFactory;

#[async_trait]
impl ConnectorFactory for HttpFactory {
    fn name(&self) -> &'static str {
        "http"
    }

    fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        HttpConfig::from_network(&input.network.raw).map(|_| ())
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let config = HttpConfig::from_network(&init.network.raw).map_err(|mut errors| errors.remove(0))?;
        Ok(Arc::new(HttpConnector::new(&init, config)?))
    }
}
