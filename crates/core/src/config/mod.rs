//! The benchmark and network configuration files.

use std::path::PathBuf;

use serde_json::{Map, Value};

/// The network configuration: `caliper.blockchain`, the start and end commands, `info`, and
/// the connector's own sections in `raw`.
#[derive(Debug, Clone, Default)]
pub struct NetworkConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// `caliper.blockchain`.
    pub blockchain: String,
    /// `caliper.command.start`.
    pub start: Option<String>,
    /// `caliper.command.end`.
    pub end: Option<String>,
    /// `info`, for the report.
    pub info: Map<String, Value>,
    /// The whole file.
    pub raw: Value,
}
