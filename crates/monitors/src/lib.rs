//! caliper-monitors: the resource monitors of caliper-rs (`monitors.resource` of the
//! benchmark configuration), on the [`caliper_core::monitor`] traits.
//!
//! | module | measures |
//! |---|---|
//! | [`process`] | CPU % and resident memory of local processes, by command and arguments |
//! | [`prometheus`] | the results of PromQL range queries over the round, from a Prometheus server |
//! | [`docker`] | memory, CPU %, network and disk I/O of containers, from Docker's Engine API |
//!
//! [`registry`] gives all of them; `docs/monitors.md` describes their options and tables.

pub mod docker;
mod http;
mod options;
pub mod process;
pub mod prometheus;
mod settings;
mod table;

use std::sync::Arc;

use caliper_core::monitor::MonitorRegistry;

pub use docker::{DOCKER, DockerFactory};
pub use process::{PROCESS, ProcessFactory};
pub use prometheus::{PROMETHEUS, PrometheusFactory};

/// Every resource monitor of this crate, by module name.
pub fn registry() -> MonitorRegistry {
    let mut r = MonitorRegistry::new();
    r.register(Arc::new(ProcessFactory));
    r.register(Arc::new(PrometheusFactory));
    r.register(Arc::new(DockerFactory::default()));
    r
}
