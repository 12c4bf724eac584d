//! Resource monitor factories by the module name used in `monitors.resource[].module`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::ResourceMonitor;
use crate::settings::Settings;

/// One mistake in a monitor's `options` (the type observers' checks use too).
pub use crate::config::OptionError as MonitorOptionError;

/// Why a monitor could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The module is not registered in this build.
    #[error("unknown resource monitor \"{0}\"")]
    Unknown(String),
    /// The options are wrong (the check before the run should have said so).
    #[error("the {module} monitor's options: {}", join(.errors))]
    Options {
        /// The module.
        module: String,
        /// Every mistake.
        errors: Vec<MonitorOptionError>,
    },
    /// A setting the monitor reads is wrong.
    #[error("the {module} monitor: {message}")]
    Setting {
        /// The module.
        module: String,
        /// What is wrong.
        message: String,
    },
}

fn join(errors: &[MonitorOptionError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// Builds one kind of resource monitor.
pub trait MonitorFactory: Send + Sync {
    /// The module name, as written in `monitors.resource[].module`.
    fn name(&self) -> &'static str;

    /// Every mistake in `options` (unknown keys with a did-you-mean, wrong types, missing
    /// required keys). Runs before anything starts; touches no process or network.
    fn check(&self, options: &Map<String, Value>) -> Vec<MonitorOptionError>;

    /// The monitor for the whole run, from its checked `options` and the run's settings
    /// (default interval, report precision, credentials).
    fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
    ) -> Result<Box<dyn ResourceMonitor>, MonitorError>;
}

/// The resource monitors this binary knows, by module name.
#[derive(Default, Clone)]
pub struct MonitorRegistry {
    factories: BTreeMap<&'static str, Arc<dyn MonitorFactory>>,
}

impl MonitorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory under its name (a later one replaces an earlier one).
    pub fn register(&mut self, factory: Arc<dyn MonitorFactory>) -> &mut Self {
        self.factories.insert(factory.name(), factory);
        self
    }

    /// The factory named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn MonitorFactory>> {
        self.factories.get(name).cloned()
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.keys().copied().collect()
    }

    /// The monitor of `module` with `options`.
    pub fn create(
        &self,
        module: &str,
        options: &Map<String, Value>,
        settings: &Settings,
    ) -> Result<Box<dyn ResourceMonitor>, MonitorError> {
        let factory = self.get(module).ok_or_else(|| MonitorError::Unknown(module.to_owned()))?;
        let errors = factory.check(options);
        if !errors.is_empty() {
            return Err(MonitorError::Options { module: module.to_owned(), errors });
        }
        factory.create(options, settings)
    }
}
