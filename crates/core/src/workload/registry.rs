//! Turns `workload.module` into a module: a registered Rust workload by name, or a file
//! handled by a loader registered for its extension (`.js` in a later crate).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{WorkloadError, WorkloadModule};

/// Creates a new instance of a Rust workload for each round.
pub type WorkloadFactory = fn() -> Box<dyn WorkloadModule>;

/// Checks a Rust workload's `workload.arguments` before anything starts: every mistake, each
/// as [`WorkloadError::Arguments`] with its path below `workload.arguments`.
pub type ArgumentsCheck = fn(&Value) -> Result<(), Vec<WorkloadError>>;

/// Loads workload modules from files of one extension, such as `.js`.
pub trait WorkloadLoader: Send + Sync {
    /// Checks that `path` can be loaded (syntax, the factory export), before anything starts.
    fn check(&self, path: &Path) -> Result<(), WorkloadError>;
    /// A new instance of the module at `path`, for one round of this worker.
    fn load(&self, path: &Path) -> Result<Box<dyn WorkloadModule>, WorkloadError>;
}

/// The workload modules this binary can run.
#[derive(Default, Clone)]
pub struct WorkloadRegistry {
    named: BTreeMap<&'static str, WorkloadFactory>,
    argument_checks: BTreeMap<&'static str, ArgumentsCheck>,
    loaders: BTreeMap<&'static str, Arc<dyn WorkloadLoader>>,
}

impl WorkloadRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a Rust workload under `name`.
    pub fn register(&mut self, name: &'static str, factory: WorkloadFactory) -> &mut Self {
        self.named.insert(name, factory);
        self
    }

    /// Registers a Rust workload under `name` with the check of its arguments, which the
    /// manager runs on every round before the start command.
    pub fn register_checked(
        &mut self,
        name: &'static str,
        factory: WorkloadFactory,
        check: ArgumentsCheck,
    ) -> &mut Self {
        self.argument_checks.insert(name, check);
        self.register(name, factory)
    }

    /// Registers a loader for files ending in `.extension`.
    pub fn register_loader(&mut self, extension: &'static str, loader: Arc<dyn WorkloadLoader>) -> &mut Self {
        self.loaders.insert(extension, loader);
        self
    }

    /// The names of the registered Rust workloads.
    pub fn names(&self) -> Vec<&'static str> {
        self.named.keys().copied().collect()
    }

    /// Checks that `module` (a name, or a path relative to `workspace`) can be loaded.
    pub fn check(&self, module: &str, workspace: &Path) -> Result<(), WorkloadError> {
        match self.resolve(module, workspace)? {
            Resolved::Named(_) => Ok(()),
            Resolved::File(loader, path) => loader.check(&path),
        }
    }

    /// Checks `arguments` (a round's `workload.arguments`) for the Rust workload `module`.
    /// Modules registered without a check, and files (a loader's module reads its own
    /// arguments), have nothing to check here.
    pub fn check_arguments(&self, module: &str, arguments: &Value) -> Result<(), Vec<WorkloadError>> {
        match self.argument_checks.get(module) {
            Some(check) => check(arguments),
            None => Ok(()),
        }
    }

    /// A new instance of `module` for one round.
    pub fn load(&self, module: &str, workspace: &Path) -> Result<Box<dyn WorkloadModule>, WorkloadError> {
        match self.resolve(module, workspace)? {
            Resolved::Named(factory) => Ok(factory()),
            Resolved::File(loader, path) => loader.load(&path),
        }
    }

    fn resolve(&self, module: &str, workspace: &Path) -> Result<Resolved, WorkloadError> {
        if let Some(factory) = self.named.get(module) {
            return Ok(Resolved::Named(*factory));
        }
        let path = workspace.join(module);
        if let Some(ext) = path.extension().and_then(|e| e.to_str())
            && let Some(loader) = self.loaders.get(ext)
        {
            if !path.is_file() {
                return Err(WorkloadError::NotFound {
                    module: module.to_string(),
                    hint: format!("no file at {}", path.display()),
                });
            }
            return Ok(Resolved::File(loader.clone(), path));
        }
        let mut hint = format!("the built-in workloads are: {}", self.names().join(", "));
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.push_str(&format!("; no loader for .{ext} files"));
        }
        if let Some(best) = crate::suggest::did_you_mean(module, self.named.keys().copied()) {
            hint = format!("did you mean \"{best}\"? {hint}");
        }
        Err(WorkloadError::NotFound { module: module.to_string(), hint })
    }
}

enum Resolved {
    Named(WorkloadFactory),
    File(Arc<dyn WorkloadLoader>, std::path::PathBuf),
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::workload::testutil::nothing;

    fn no_keys(arguments: &Value) -> Result<(), Vec<WorkloadError>> {
        let keys = arguments.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        let errors: Vec<WorkloadError> = keys
            .into_iter()
            .map(|k| WorkloadError::Arguments { path: format!(".{k}"), message: "unknown".into() })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    #[test]
    fn arguments_are_checked_by_the_check_registered_with_the_module() {
        let mut registry = WorkloadRegistry::new();
        registry.register_checked("checked", nothing, no_keys).register("free", nothing);
        assert!(registry.check_arguments("checked", &json!({})).is_ok());
        let errors = registry.check_arguments("checked", &json!({"a": 1, "b": 2})).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(registry.check_arguments("free", &json!({"a": 1})).is_ok());
        assert!(registry.check_arguments("x.js", &json!({"a": 1})).is_ok());
        assert_eq!(registry.names(), ["checked", "free"]);
        assert!(registry.check("checked", Path::new(".")).is_ok());
    }
}
