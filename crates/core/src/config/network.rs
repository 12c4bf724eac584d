//! The network configuration file (`caliper-networkconfig`): the common `caliper` section
//! and `info`; every other top-level key belongs to the connector and is kept in `raw`.
//!
//! ```yaml
//! caliper:
//!   blockchain: ethereum            # required: the connector
//!   command:                        # optional; `commands` is accepted too
//!     start: docker compose up -d   # run in the workspace before init
//!     end: docker compose down      # run at the end, always
//!   sutOptions: {}                  # optional, for the connector
//! info: {Version: 1.0}              # optional, shown in the report
//! ethereum: {...}                   # the connector's own section
//! ```

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::benchmark::read_config;
use super::check::{Check, join};
use super::error::ConfigErrors;
use super::tree::Node;
use crate::connector::{ConnectorCheck, ConnectorError, ConnectorRegistry};
use crate::settings::{Settings, keys};

/// The keys of the `caliper` section.
pub const CALIPER_KEYS: &[&str] = &["blockchain", "command", "commands", "sutOptions"];
/// The keys of `caliper.command`.
pub const COMMAND_KEYS: &[&str] = &["start", "end"];

/// The network configuration: `caliper.blockchain`, the start and end commands, `info`, and
/// the connector's own sections in `raw`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// `caliper.blockchain`: the connector's name.
    pub blockchain: String,
    /// `caliper.command.start`: a shell command run in the workspace before `init`.
    pub start: Option<String>,
    /// `caliper.command.end`: a shell command run in the workspace at the end of the run.
    pub end: Option<String>,
    /// `info`, for the report.
    pub info: Map<String, Value>,
    /// `caliper.sutOptions` (empty when absent), for the connector.
    pub sut_options: Map<String, Value>,
    /// The whole file as JSON (aliases and merge keys resolved).
    pub raw: Value,
}

impl NetworkConfig {
    /// Reads and validates the file `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        load_file(path, None, None)
    }

    /// Reads and validates the file named by the `caliper-networkconfig` setting.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigErrors> {
        let path = settings.required_path(keys::NETWORK_CONFIG)?;
        load_file(&path, settings.source(keys::NETWORK_CONFIG).cloned(), None)
    }

    /// [`NetworkConfig::from_settings`], and `caliper.blockchain` names a connector of
    /// `connectors` whose [`check`](crate::connector::ConnectorFactory::check) finds nothing
    /// wrong with its sections; `workers` is `test.workers.number`, when known. The errors
    /// name the key path, with its line.
    pub fn check_from_settings(
        settings: &Settings,
        connectors: &ConnectorRegistry,
        workers: Option<usize>,
    ) -> Result<Self, ConfigErrors> {
        let path = settings.required_path(keys::NETWORK_CONFIG)?;
        let from = settings.source(keys::NETWORK_CONFIG).cloned();
        load_file(&path, from, Some(Connectors { registry: connectors, settings, workers }))
    }
}

/// The connectors a network configuration is checked against.
struct Connectors<'a> {
    registry: &'a ConnectorRegistry,
    settings: &'a Settings,
    workers: Option<usize>,
}

fn load_file(
    path: &Path,
    from: Option<crate::settings::Source>,
    connectors: Option<Connectors<'_>>,
) -> Result<NetworkConfig, ConfigErrors> {
    let root = read_config(path, "network configuration", from)?;
    let mut check = Check::new(path);
    let config = validate(&mut check, path, &root);
    if let (Some(config), Some(connectors)) = (&config, connectors) {
        connector(&mut check, &root, config, &connectors);
    }
    match config {
        Some(config) if check.errors.is_empty() => Ok(config),
        _ => Err(ConfigErrors(check.errors)),
    }
}

/// `caliper.blockchain` is a known connector, and its check finds nothing wrong.
fn connector(check: &mut Check, root: &Node, config: &NetworkConfig, connectors: &Connectors<'_>) {
    let factory = match connectors.registry.resolve(&config.blockchain, connectors.settings.workspace()) {
        Ok(factory) => factory,
        Err(e) => {
            check.error("caliper.blockchain", root.locate("caliper.blockchain"), e.to_string());
            return;
        }
    };
    let input =
        ConnectorCheck { network: config, settings: connectors.settings, workers: connectors.workers };
    for error in factory.check(&input).err().unwrap_or_default() {
        match error {
            ConnectorError::Config { path, message } => check.error(&path, root.locate(&path), message),
            other => check.error(&config.blockchain, root.locate(&config.blockchain), other.to_string()),
        }
    }
}

fn object(node: &Node) -> Map<String, Value> {
    match node.to_json() {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn validate(check: &mut Check, path: &Path, root: &Node) -> Option<NetworkConfig> {
    let root = check.any_mapping("", root)?;
    let info = Check::optional(root, "info").and_then(|n| check.any_mapping("info", n)).map(object);
    let caliper = check.required("", root, "caliper", "a mapping with blockchain: <connector name>")?;
    let caliper = check.mapping("caliper", caliper, CALIPER_KEYS)?;
    let blockchain = check
        .required("caliper", caliper, "blockchain", "the connector's name, such as ethereum")
        .and_then(|n| check.non_empty_string("caliper.blockchain", n));

    let (mut start, mut end) = (None, None);
    let command = match (Check::optional(caliper, "command"), Check::optional(caliper, "commands")) {
        (Some(_), Some(second)) => {
            check.error(
                "caliper.commands",
                caliper.entry("commands").and_then(|e| e.key_loc).or(second.loc),
                "caliper.command and caliper.commands are the same section: give only one",
            );
            None
        }
        (Some(node), None) => Some(("caliper.command", node)),
        (None, Some(node)) => Some(("caliper.commands", node)),
        (None, None) => None,
    };
    if let Some((command_path, node)) = command
        && let Some(node) = check.mapping(command_path, node, COMMAND_KEYS)
    {
        start = Check::optional(node, "start")
            .and_then(|n| check.non_empty_string(&join(command_path, "start"), n));
        end =
            Check::optional(node, "end").and_then(|n| check.non_empty_string(&join(command_path, "end"), n));
    }
    let sut_options = match Check::optional(caliper, "sutOptions") {
        Some(node) => check.any_mapping("caliper.sutOptions", node).map(object).unwrap_or_default(),
        None => Map::new(),
    };
    Some(NetworkConfig {
        path: path.to_path_buf(),
        blockchain: blockchain?,
        start,
        end,
        info: info.unwrap_or_default(),
        sut_options,
        raw: root.to_json(),
    })
}
