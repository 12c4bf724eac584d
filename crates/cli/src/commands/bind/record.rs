//! `<workspace>/.caliper/binding.json`: what bind installed, so that unbind removes exactly
//! that, and a person (or a launch) can see what is bound.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::BindError;
use caliper_core::state_dir::state_dir;

/// The file name, inside `<workspace>/.caliper`.
pub const FILE: &str = "binding.json";

/// The record of a workspace.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// What is bound, in the order it was bound.
    #[serde(default)]
    pub bindings: Vec<Binding>,
}

/// One `caliper bind` that installed something.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The sut, such as `fabric`.
    pub sut: String,
    /// The sdk key, such as `2.5`.
    pub sdk: String,
    /// `npm`, `pip` or `cargo`.
    pub installer: String,
    /// The packages as they were given to the installer (with their versions).
    pub packages: Vec<String>,
    /// The installer arguments that came from `caliper-bind-args` (unbind reuses them when it
    /// is given none, so that `-g` is undone with `-g`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Where the installer ran.
    pub cwd: PathBuf,
    /// The `caliper.blockchain` value the binding provides, when the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// When, in RFC 3339 (UTC).
    pub time: String,
}

impl Binding {
    /// `sut:sdk`.
    pub fn spec(&self) -> String {
        format!("{}:{}", self.sut, self.sdk)
    }
}

/// The record's path in `workspace`.
pub fn path(workspace: &Path) -> PathBuf {
    state_dir(workspace).join(FILE)
}

impl Record {
    /// Reads the record of `workspace` (empty when there is none).
    pub fn load(workspace: &Path) -> Result<Record, BindError> {
        let path = path(workspace);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                BindError::Record(format!(
                    "{}: {e}; it is written by caliper bind: fix it or delete it (then remove the packages by hand)",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record::default()),
            Err(e) => Err(BindError::Record(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Writes the record into `workspace` (through a temporary file, so it is never half written).
    pub fn save(&self, workspace: &Path) -> Result<(), BindError> {
        let path = path(workspace);
        let fail = |e: std::io::Error| BindError::Record(format!("cannot write {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| BindError::Record(e.to_string()))?;
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, text + "\n").map_err(fail)?;
        std::fs::rename(&temporary, &path).map_err(fail)
    }

    /// Adds `binding`, replacing an earlier one of the same `sut:sdk`.
    pub fn put(&mut self, binding: Binding) {
        self.bindings.retain(|b| !(b.sut == binding.sut && b.sdk == binding.sdk));
        self.bindings.push(binding);
    }

    /// The bindings of `sut` (of `sdk` when given).
    pub fn matching(&self, sut: &str, sdk: Option<&str>) -> Vec<Binding> {
        self.bindings.iter().filter(|b| b.sut == sut && sdk.is_none_or(|s| b.sdk == s)).cloned().collect()
    }

    /// Forgets `binding`.
    pub fn remove(&mut self, binding: &Binding) {
        self.bindings.retain(|b| b != binding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(sut: &str, sdk: &str) -> Binding {
        Binding {
            sut: sut.into(),
            sdk: sdk.into(),
            installer: "npm".into(),
            packages: vec!["a@1".into()],
            args: vec![],
            cwd: "/ws".into(),
            connector: None,
            time: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_rebind_replaces_and_unbind_finds_by_sut_or_spec() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut record = Record::load(dir.path()).expect("empty");
        record.put(binding("fabric", "2.2"));
        record.put(binding("fabric", "2.5"));
        record.put(binding("fabric", "2.5"));
        record.save(dir.path()).expect("written");
        let record = Record::load(dir.path()).expect("read back");
        assert_eq!(record.bindings.len(), 2);
        assert_eq!(record.matching("fabric", None).len(), 2);
        assert_eq!(record.matching("fabric", Some("2.5")).len(), 1);
        assert!(record.matching("ethereum", None).is_empty());
    }
}
