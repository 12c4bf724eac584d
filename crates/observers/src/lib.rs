//! caliper-observers: the transaction observers of caliper-rs (`monitors.transaction`).
//!
//! | module | what it does |
//! |---|---|
//! | `logging` ([`LoggingFactory`]) | every finished transaction as a JSON line in the log |
//! | `export` ([`ExportFactory`]) | every finished transaction as a line of a CSV or JSON-lines file per worker and round, optionally gzip or zstd |
//! | `prometheus` ([`ScrapeFactory`]) | the round's metrics on an HTTP endpoint per worker, for Prometheus to scrape; or, with `endpoint: manager`, one endpoint on the manager for every worker ([`ManagerEndpoint`]) |
//! | `prometheus-push` ([`PushFactory`]) | the round's metrics pushed to a Pushgateway, the last push with the round's totals |
//!
//! The metrics keep Caliper's names and labels (`caliper_tx_submitted`, `caliper_tx_finished`,
//! `caliper_tx_e2e_latency`), so dashboards built for Caliper work. The user documentation is
//! `docs/monitors.md`.

mod export;
mod logging;
mod manager;
mod metrics;
mod options;
mod push;
mod scrape;
mod server;

use std::sync::Arc;

use caliper_core::tx_observer::TxObserverRegistry;

pub use export::ExportFactory;
pub use logging::{LoggingFactory, TARGET as LOG_TARGET};
pub use manager::{ManagerEndpoint, manager_endpoint_spec};
pub use push::PushFactory;
pub use scrape::{ScrapeFactory, check_worker_ports};

/// Registers every observer of this crate.
pub fn register(registry: &mut TxObserverRegistry) {
    registry.register(Arc::new(LoggingFactory));
    registry.register(Arc::new(ExportFactory::default()));
    registry.register(Arc::new(ScrapeFactory));
    registry.register(Arc::new(PushFactory));
}
