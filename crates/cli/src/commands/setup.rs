//! What both launch commands do first: settings, logging and the network configuration.

use std::sync::Arc;

use caliper_core::config::NetworkConfig;
use caliper_core::settings::{Settings, SettingsInput};

use crate::exit;
use crate::logging::{self, LogStyle};

/// Loads the settings from this process's environment, working directory and `args`, and
/// starts logging. On error, says why and returns the exit code.
pub fn settings(args: Vec<String>, style: LogStyle) -> Result<Arc<Settings>, i32> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let input = SettingsInput { cwd, env: std::env::vars().collect(), args };
    match Settings::load(&input) {
        Ok(settings) => {
            let level = settings.get_str("caliper-logging-level").ok().flatten().unwrap_or("info").to_string();
            logging::init(style, &level);
            for (key, suggestion) in settings.unknown_keys() {
                match suggestion {
                    Some(s) => tracing::warn!("unknown setting {key}: did you mean {s}?"),
                    None => tracing::warn!("unknown setting {key} (ignored)"),
                }
            }
            Ok(Arc::new(settings))
        }
        Err(err) => {
            logging::init(style, "info");
            tracing::error!("{err}");
            Err(exit::CONFIG)
        }
    }
}

/// Loads the network configuration named by `caliper-networkconfig`.
pub fn network(settings: &Settings) -> Result<Arc<NetworkConfig>, i32> {
    let path = settings.required_path("caliper-networkconfig").map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })?;
    NetworkConfig::load(&path).map(Arc::new).map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })
}
