//! The benchmark and network configuration files, read and validated completely before a
//! run starts.
//!
//! Both files are YAML (anchors, aliases and merge keys work) or JSON (chosen by the `.json`
//! extension). Validation collects every problem of a file into [`ConfigErrors`]; each
//! [`ConfigError`] names the file, the key path and, for YAML, the line and column.
//!
//! - [`BenchmarkConfig`]: `test` (name, workers, rounds) and `monitors`.
//! - [`NetworkConfig`]: the common `caliper` section and `info`; the rest is the connector's.
//! - [`load_all`]: both files as the settings name them, with the errors of both.

mod benchmark;
pub mod check;
mod error;
mod network;
pub mod tree;

#[cfg(test)]
mod tests;

pub use benchmark::read_config;
pub use benchmark::{
    BenchmarkConfig, MONITOR_KEYS, MONITORS_KEYS, MonitorModules, MonitorSpec, MonitorsConfig, OBSERVER_KEYS,
    OBSERVER_TYPES, RATE_CONTROL_KEYS, RESOURCE_MONITORS, ROUND_KEYS, RoundConfig, TEST_KEYS,
    TRANSACTION_MONITORS, TxLimit, WORKERS_KEYS, WORKLOAD_KEYS, WorkloadSpec, available_workers,
};
pub use error::{ConfigError, ConfigErrors, OptionError};
pub use network::{CALIPER_KEYS, COMMAND_KEYS, NetworkConfig};

use crate::settings::Settings;

/// Reads a YAML or JSON file that a connector's configuration points to (such as Fabric's
/// connection profiles) as the configuration files are read: JSON by the `.json` extension,
/// YAML otherwise, anchors and merge keys resolved. `what` names the file in errors.
pub fn read_data_file(path: &std::path::Path, what: &'static str) -> Result<serde_json::Value, ConfigError> {
    benchmark::read_config(path, what, None).map(|node| node.to_json())
}

/// Reads and validates the benchmark and the network configuration named by the
/// `caliper-benchconfig` and `caliper-networkconfig` settings, reporting the errors of both.
pub fn load_all(settings: &Settings) -> Result<(BenchmarkConfig, NetworkConfig), ConfigErrors> {
    let benchmark = BenchmarkConfig::from_settings(settings);
    let network = NetworkConfig::from_settings(settings);
    match (benchmark, network) {
        (Ok(benchmark), Ok(network)) => Ok((benchmark, network)),
        (benchmark, network) => {
            let mut errors = Vec::new();
            if let Err(e) = benchmark {
                errors.extend(e);
            }
            if let Err(e) = network {
                errors.extend(e);
            }
            Err(ConfigErrors(errors))
        }
    }
}
