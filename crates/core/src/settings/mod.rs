//! Runtime settings: Caliper's flat `caliper-*` keys, layered from defaults, files,
//! environment and command line.
//!
//! Layers, lowest first: the built-in defaults of [`keys::KEYS`] < the machine file
//! (`caliper-machineconfig`) < the user file (`caliper-userconfig`) < the project file
//! (`caliper-projectconfig`, else `<workspace>/caliper.yaml` when it exists) < `CALIPER_*`
//! environment variables < `--caliper-*` flags < [`Settings::set`]. Files are YAML or JSON
//! and their nesting is flattened with `-`; environment and flag values are typed like JSON
//! (`true`, `5000`). Every value remembers its [`Source`], so an error says where a bad
//! value was written. Relative paths resolve against the workspace ([`Settings::path`]).
//!
//! Unknown `caliper-*` keys are accepted, as Caliper accepts them, and listed by
//! [`Settings::unknown_keys`] with a did-you-mean so the binary can warn.

mod error;
pub mod flow;
pub mod keys;
mod sources;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

pub use error::{FileLayer, SettingsError, Source};
pub use flow::Flow;
use sources::Item;

/// What settings are loaded from: injectable, so tests need no process state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    /// The current directory (root of a relative `caliper-workspace`).
    pub cwd: PathBuf,
    /// The environment variables; only `CALIPER_*` ones are read.
    pub env: Vec<(String, String)>,
    /// The command-line words after `launch manager` / `launch worker`.
    pub args: Vec<String>,
}

impl SettingsInput {
    /// The input of this process: its current directory and environment (variables whose
    /// name or value is not Unicode are skipped), with `args`.
    pub fn from_process(args: Vec<String>) -> std::io::Result<SettingsInput> {
        let cwd = std::env::current_dir()?;
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Ok(SettingsInput { cwd, env, args })
    }
}

/// A value and where it came from.
#[derive(Clone, PartialEq)]
struct Entry {
    value: Value,
    /// The text of an environment or flag value, so `get_str` can give `007` back as written.
    raw: Option<String>,
    source: Source,
}

/// A `caliper-*` key that is not in [`keys::KEYS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key.
    pub key: String,
    /// Where it was set.
    pub source: Source,
    /// The known key it most likely means, when there is one.
    pub suggestion: Option<&'static str>,
    /// Whether it is a Caliper setting that caliper-rs does not use.
    pub caliper_only: bool,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.caliper_only {
            return write!(
                f,
                "{} (from {}) is a Caliper setting that caliper-rs does not use",
                self.key, self.source
            );
        }
        write!(f, "unknown setting {} (from {})", self.key, self.source)?;
        match self.suggestion {
            Some(s) => write!(f, "; did you mean {s}?"),
            None => Ok(()),
        }
    }
}

/// The resolved settings of a run.
#[derive(Clone, PartialEq)]
pub struct Settings {
    /// Every leaf key.
    values: BTreeMap<String, Entry>,
    /// Parent keys (`caliper-report` → `{path: …, json: …}`), rebuilt on every change.
    parents: BTreeMap<String, Value>,
    cwd: PathBuf,
    workspace: PathBuf,
}

impl Default for Settings {
    /// The built-in defaults, with the current directory `.`.
    fn default() -> Self {
        Settings::defaults_in(Path::new("."))
    }
}

impl fmt::Debug for Settings {
    /// Secrets are shown as `<redacted>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, entry) in &self.values {
            map.entry(key, &shown(key, &entry.value));
        }
        map.finish()?;
        write!(f, " in workspace {}", self.workspace.display())
    }
}

fn defaults() -> Vec<Item> {
    keys::KEYS
        .iter()
        .map(|k| Item {
            key: k.key.to_string(),
            value: k.default.to_value(),
            raw: None,
            source: Source::Default,
        })
        .collect()
}

/// `value` as JSON text, or `<redacted>` when `key` is a secret.
fn shown(key: &str, value: &Value) -> String {
    if keys::is_secret(key) && !value.is_null() { "<redacted>".to_string() } else { value.to_string() }
}

/// `path` against `base`, with `.` and `..` resolved lexically (the path need not exist).
fn resolve(base: &Path, path: &str) -> PathBuf {
    let joined = base.join(path);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

impl Settings {
    /// Loads every layer from `input`. Fails when a settings file that a setting names does
    /// not exist, when a settings file is not valid YAML/JSON or not a mapping, or when
    /// `caliper-workspace` is not a string.
    pub fn load(input: &SettingsInput) -> Result<Settings, SettingsError> {
        let env = sources::from_env(&input.env);
        let flags = sources::from_args(&input.args);
        let cwd = input.cwd.clone();

        // The workspace and the project file as the layers above the files set them.
        let mut early = Settings::defaults_in(&cwd);
        early.apply(env.clone());
        early.apply(flags.clone());
        early.workspace = early.resolve_workspace()?;

        let project = match early.file_setting(keys::PROJECT_CONFIG)? {
            Some((path, origin)) => Some(read_layer(&path, FileLayer::Project, Some(origin))?),
            None => {
                let path = early.workspace.join("caliper.yaml");
                if path.is_file() { Some(read_layer(&path, FileLayer::Project, None)?) } else { None }
            }
        };
        // The project file may name the user file, and both may name the machine file; their
        // relative paths resolve against the workspace the environment and flags give.
        let stack = |files: &[&Option<Vec<Item>>]| {
            let mut s = Settings::defaults_in(&cwd);
            for items in files.iter().copied().flatten() {
                s.apply(items.clone());
            }
            s.apply(env.clone());
            s.apply(flags.clone());
            s.workspace = early.workspace.clone();
            s
        };
        let user = match stack(&[&project]).file_setting(keys::USER_CONFIG)? {
            Some((path, origin)) => Some(read_layer(&path, FileLayer::User, Some(origin))?),
            None => None,
        };
        let machine = match stack(&[&user, &project]).file_setting(keys::MACHINE_CONFIG)? {
            Some((path, origin)) => Some(read_layer(&path, FileLayer::Machine, Some(origin))?),
            None => None,
        };

        let mut settings = Settings::defaults_in(&cwd);
        for layer in [machine, user, project].into_iter().flatten() {
            settings.apply(layer);
        }
        settings.apply(env);
        settings.apply(flags);
        settings.workspace = settings.resolve_workspace()?;
        settings.rebuild_parents();
        Ok(settings)
    }

    /// The built-in defaults, with `cwd` as the current directory.
    fn defaults_in(cwd: &Path) -> Settings {
        let mut settings = Settings {
            values: BTreeMap::new(),
            parents: BTreeMap::new(),
            cwd: cwd.to_path_buf(),
            workspace: resolve(cwd, "./"),
        };
        settings.apply(defaults());
        settings.rebuild_parents();
        settings
    }

    fn apply(&mut self, items: Vec<Item>) {
        for item in items {
            self.values.insert(item.key, Entry { value: item.value, raw: item.raw, source: item.source });
        }
    }

    fn resolve_workspace(&self) -> Result<PathBuf, SettingsError> {
        let workspace = self.get_str(keys::WORKSPACE)?;
        Ok(resolve(&self.cwd, workspace))
    }

    /// The path of a settings file named by `key`, with where the setting came from.
    fn file_setting(&self, key: &str) -> Result<Option<(PathBuf, Source)>, SettingsError> {
        match self.values.get(key) {
            Some(entry) if !entry.value.is_null() => {
                let path = self.get_str(key)?;
                Ok(Some((resolve(&self.workspace, path), entry.source.clone())))
            }
            _ => Ok(None),
        }
    }

    fn rebuild_parents(&mut self) {
        let mut parents: BTreeMap<String, Value> = BTreeMap::new();
        for (key, entry) in &self.values {
            let parts: Vec<&str> = key.split('-').collect();
            for split in 1..parts.len() {
                let parent = parts[..split].join("-");
                if self.values.contains_key(&parent) {
                    continue;
                }
                let object = parents.entry(parent).or_insert_with(|| Value::Object(Map::new()));
                insert_nested(object, &parts[split..], entry.value.clone());
            }
        }
        self.parents = parents;
    }

    /// The value of `key`, such as `caliper-benchconfig`; a parent key such as
    /// `caliper-report` gives the nested object of its children.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).map(|e| &e.value).or_else(|| self.parents.get(key))
    }

    /// Where the value of `key` came from (`None` for parent keys and unset keys).
    pub fn source(&self, key: &str) -> Option<&Source> {
        self.values.get(key).map(|e| &e.source)
    }

    /// Whether `key` has a value other than null.
    pub fn is_set(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| !v.is_null())
    }

    /// The workspace: root of every relative path (absolute when the current directory is).
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// Overrides `key` in memory, above every other layer.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.values.insert(key.to_string(), Entry { value: value.into(), raw: None, source: Source::Set });
        if key == keys::WORKSPACE
            && let Ok(workspace) = self.resolve_workspace()
        {
            self.workspace = workspace;
        }
        self.rebuild_parents();
    }

    /// Every leaf key with its value and source, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value, &Source)> {
        self.values.iter().map(|(k, e)| (k.as_str(), &e.value, &e.source))
    }

    /// The `caliper-*` keys that are not in [`keys::KEYS`], with a did-you-mean.
    pub fn unknown_keys(&self) -> Vec<UnknownKey> {
        self.values
            .iter()
            .filter(|(key, _)| key.starts_with("caliper-") && keys::find(key).is_none())
            .map(|(key, entry)| {
                let caliper_only = keys::is_caliper_only(key);
                let suggestion = if caliper_only { None } else { suggest(key) };
                UnknownKey { key: key.clone(), source: entry.source.clone(), suggestion, caliper_only }
            })
            .collect()
    }

    fn entry(&self, key: &str) -> Result<&Entry, SettingsError> {
        match self.values.get(key) {
            Some(entry) if !entry.value.is_null() => Ok(entry),
            _ => Err(SettingsError::missing(key)),
        }
    }

    fn invalid(&self, key: &str, entry: &Entry, expected: &str) -> SettingsError {
        SettingsError::Invalid {
            key: key.to_string(),
            value: shown(key, &entry.value),
            origin: entry.source.clone(),
            expected: expected.to_string(),
        }
    }

    /// `key` as a string (a number or boolean from the environment or a flag gives its text).
    pub fn get_str(&self, key: &str) -> Result<&str, SettingsError> {
        let entry = self.entry(key)?;
        match (&entry.value, &entry.raw) {
            (Value::String(s), _) => Ok(s),
            (Value::Number(_) | Value::Bool(_), Some(raw)) => Ok(raw),
            _ => Err(self.invalid(key, entry, "a string")),
        }
    }

    /// `key` as a boolean (`true`/`false`, also as strings).
    pub fn get_bool(&self, key: &str) -> Result<bool, SettingsError> {
        let entry = self.entry(key)?;
        match &entry.value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(self.invalid(key, entry, "true or false")),
        }
    }

    /// `key` as a whole number of 0 or more.
    pub fn get_u64(&self, key: &str) -> Result<u64, SettingsError> {
        let entry = self.entry(key)?;
        let n = match &entry.value {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(whole)),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        n.ok_or_else(|| self.invalid(key, entry, "a whole number of 0 or more"))
    }

    /// `key` as a finite number.
    pub fn get_f64(&self, key: &str) -> Result<f64, SettingsError> {
        let entry = self.entry(key)?;
        let n = match &entry.value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        n.filter(|f| f.is_finite()).ok_or_else(|| self.invalid(key, entry, "a number"))
    }

    /// `key` as a duration: a number of milliseconds (`5000`, `0.5`), or a string with a
    /// unit (`5s`, `2m`, `250ms`).
    pub fn get_duration_ms(&self, key: &str) -> Result<Duration, SettingsError> {
        let entry = self.entry(key)?;
        let expected = "a duration in milliseconds (such as 5000) or with a unit (such as 5s)";
        let from_ms = |ms: f64| {
            (ms.is_finite() && ms >= 0.0).then(|| Duration::try_from_secs_f64(ms / 1000.0).ok()).flatten()
        };
        let duration = match &entry.value {
            Value::Number(n) => match n.as_u64() {
                Some(ms) => Some(Duration::from_millis(ms)),
                None => n.as_f64().and_then(from_ms),
            },
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(ms) => from_ms(ms),
                Err(_) => humantime::parse_duration(s.trim()).ok(),
            },
            _ => None,
        };
        duration.ok_or_else(|| self.invalid(key, entry, expected))
    }

    /// `key` as a path, resolved against the workspace when relative; `None` when it is
    /// unset or not a string.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        self.get_str(key).ok().map(|p| resolve(&self.workspace, p))
    }

    /// `key` as a path resolved against the workspace; an error says how to set it when it
    /// is missing, or where the bad value came from.
    pub fn required_path(&self, key: &str) -> Result<PathBuf, SettingsError> {
        let path = self.get_str(key)?;
        if path.trim().is_empty() {
            let entry = self.entry(key)?;
            return Err(self.invalid(key, entry, "a path"));
        }
        Ok(resolve(&self.workspace, path))
    }
}

fn whole(f: f64) -> Option<u64> {
    (f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64).then_some(f as u64)
}

/// The known key closest to `key`, compared without the shared `caliper-` prefix.
fn suggest(key: &str) -> Option<&'static str> {
    let rest = key.strip_prefix("caliper-")?;
    let known = keys::KEYS.iter().filter_map(|k| k.key.strip_prefix("caliper-"));
    let found = crate::suggest::did_you_mean(rest, known)?;
    keys::KEYS.iter().map(|k| k.key).find(|k| k.strip_prefix("caliper-") == Some(found))
}

/// Puts `value` at `path` inside the object `target`, leaving conflicting entries as they are.
fn insert_nested(target: &mut Value, path: &[&str], value: Value) {
    let Value::Object(map) = target else {
        return;
    };
    match path {
        [] => {}
        [last] => {
            map.entry(last.to_string()).or_insert(value);
        }
        [first, rest @ ..] => {
            let child = map.entry(first.to_string()).or_insert_with(|| Value::Object(Map::new()));
            insert_nested(child, rest, value);
        }
    }
}

fn read_layer(path: &Path, layer: FileLayer, origin: Option<Source>) -> Result<Vec<Item>, SettingsError> {
    sources::from_file(path, layer).map_err(|err| sources::file_error(path, err, layer, origin))
}

#[cfg(test)]
mod tests;
