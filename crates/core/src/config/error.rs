//! What can be wrong with a configuration file, in words a user can act on.
//!
//! Every [`ConfigError`] names the file; a semantic error also names the key path (such as
//! `test.rounds[1].rateControl`) and, for YAML, the line and column. Validation collects all
//! the errors of a file into [`ConfigErrors`] instead of stopping at the first one.

use std::fmt;
use std::path::PathBuf;

use crate::settings::{SettingsError, Source};

/// One mistake in the `options` of a monitor or an observer, as its module's check finds it;
/// the configuration check places it in the file (key path and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("options{path}: {message}")]
pub struct OptionError {
    /// The key path below `options`, such as `.processes[0].command` (empty for `options`
    /// itself).
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl OptionError {
    /// A mistake at `path` (below `options`).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        OptionError { path: path.into(), message: message.into() }
    }
}

/// One problem with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The setting that names the file is missing or not a string.
    #[error(transparent)]
    Setting(#[from] SettingsError),
    /// The file does not exist.
    #[error("{what} file {} does not exist{}", path.display(), from_suffix(.from))]
    NotFound {
        /// `benchmark configuration` or `network configuration`.
        what: &'static str,
        /// The path that was looked for.
        path: PathBuf,
        /// Where the path was set, when it came from a setting.
        from: Option<Source>,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {what} file {}: {source}", path.display())]
    Read {
        /// `benchmark configuration` or `network configuration`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or JSON.
    #[error("{}:{line}:{column}: syntax error: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What the parser found wrong.
        message: String,
    },
    /// A key is missing, unknown, of the wrong type or has a value out of range.
    #[error("{}: {}: {message}", location(path, *line, *column), key_path_or_top(key_path))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where in the file, such as `test.rounds[1].rateControl` (empty for the top level).
        key_path: String,
        /// 1-based line, when known (YAML files).
        line: Option<u32>,
        /// 1-based column, when known.
        column: Option<u32>,
        /// What is wrong and what was expected.
        message: String,
    },
}

impl ConfigError {
    /// The key path of an [`ConfigError::Invalid`] error.
    pub fn key_path(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { key_path, .. } => Some(key_path),
            _ => None,
        }
    }

    /// The line of the error, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            ConfigError::Invalid { line, .. } => *line,
            ConfigError::Syntax { line, .. } => Some(*line),
            _ => None,
        }
    }
}

fn from_suffix(from: &Option<Source>) -> String {
    from.as_ref().map(|s| format!(" (the path was set by {s})")).unwrap_or_default()
}

fn location(path: &std::path::Path, line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("{}:{line}:{column}", path.display()),
        (Some(line), None) => format!("{}:{line}", path.display()),
        _ => path.display().to_string(),
    }
}

fn key_path_or_top(key_path: &str) -> &str {
    if key_path.is_empty() { "(top level)" } else { key_path }
}

/// Every problem found in the configuration files, in file order.
#[derive(Debug, Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    /// One error per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl ConfigErrors {
    /// The errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }

    /// How many errors there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(err: ConfigError) -> Self {
        ConfigErrors(vec![err])
    }
}

impl From<SettingsError> for ConfigErrors {
    fn from(err: SettingsError) -> Self {
        ConfigErrors(vec![ConfigError::Setting(err)])
    }
}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
