//! What both launch commands do first: settings, logging and the network configuration.

use std::sync::Arc;
use std::time::Duration;

use caliper_core::config::NetworkConfig;
use caliper_core::settings::{Settings, SettingsInput, keys};

use crate::exit;
use crate::logging::{self, LogStyle};

/// Why the settings could not be loaded (already logged).
pub struct Unloaded {
    /// What was logged.
    pub message: String,
}

impl Unloaded {
    /// The exit code of a command that stops here.
    pub fn code(&self) -> i32 {
        exit::CONFIG
    }
}

/// Loads the settings from this process's environment, working directory and `args`, and
/// starts logging. On error, says why.
pub fn settings(args: Vec<String>, style: LogStyle) -> Result<Arc<Settings>, Unloaded> {
    let input = match SettingsInput::from_process(args) {
        Ok(input) => input,
        Err(e) => {
            logging::init(style, "info");
            let message = format!("cannot read the current directory: {e}");
            tracing::error!("{message}");
            return Err(Unloaded { message });
        }
    };
    match Settings::load(&input) {
        Ok(settings) => {
            let level = settings.get_str(keys::LOGGING_LEVEL).unwrap_or("info").to_string();
            logging::init(style, &level);
            if style == LogStyle::Person {
                for unknown in settings.unknown_keys() {
                    let (key, source) = (&unknown.key, &unknown.source);
                    match (unknown.suggestion, unknown.caliper_only) {
                        (Some(s), _) => tracing::warn!("unknown setting {key} ({source}): did you mean {s}?"),
                        (None, true) => {
                            tracing::warn!("setting {key} ({source}) is Caliper's and not used by caliper-rs")
                        }
                        (None, false) => tracing::warn!("unknown setting {key} ({source}) is ignored"),
                    }
                }
            }
            Ok(Arc::new(settings))
        }
        Err(err) => {
            logging::init(style, "info");
            tracing::error!("{err}");
            Err(Unloaded { message: err.to_string() })
        }
    }
}

/// Loads the network configuration named by `caliper-networkconfig`.
pub fn network(settings: &Settings) -> Result<Arc<NetworkConfig>, i32> {
    let path = settings.required_path(keys::NETWORK_CONFIG).map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })?;
    NetworkConfig::load(&path).map(Arc::new).map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })
}

/// A duration setting in milliseconds; a value that is not one is a configuration error.
pub fn millis(settings: &Settings, key: &str) -> Result<Duration, String> {
    settings.get_duration_ms(key).map_err(|e| e.to_string())
}

/// `caliper-worker-max-in-flight`: `None` for 0 (no cap).
pub fn max_in_flight(settings: &Settings) -> Result<Option<u64>, String> {
    let cap = settings.get_u64(keys::WORKER_MAX_IN_FLIGHT).map_err(|e| e.to_string())?;
    Ok((cap > 0).then_some(cap))
}
