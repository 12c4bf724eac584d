//! Runtime settings: Caliper's flat `caliper-*` keys, layered from defaults, files,
//! environment and command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The resolved settings of a run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    values: BTreeMap<String, Value>,
    workspace: PathBuf,
}

impl Settings {
    /// The value of `key`, such as `caliper-benchconfig`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The workspace: root of every relative path.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }
}
