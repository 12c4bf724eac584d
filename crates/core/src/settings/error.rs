//! Where a setting came from, and what can be wrong with one.

use std::fmt;
use std::path::PathBuf;

/// Which settings file a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLayer {
    /// `caliper-machineconfig`.
    Machine,
    /// `caliper-userconfig`.
    User,
    /// `caliper-projectconfig` or `<workspace>/caliper.yaml`.
    Project,
}

impl FileLayer {
    /// The setting that names the file.
    pub fn key(self) -> &'static str {
        match self {
            FileLayer::Machine => super::keys::MACHINE_CONFIG,
            FileLayer::User => super::keys::USER_CONFIG,
            FileLayer::Project => super::keys::PROJECT_CONFIG,
        }
    }
}

impl fmt::Display for FileLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileLayer::Machine => "machine",
            FileLayer::User => "user",
            FileLayer::Project => "project",
        })
    }
}

/// The layer a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The built-in defaults.
    Default,
    /// A settings file.
    File {
        /// Which one.
        layer: FileLayer,
        /// Its path.
        path: PathBuf,
        /// The line of the value, when known.
        line: Option<u32>,
    },
    /// An environment variable.
    Env {
        /// Its name, such as `CALIPER_BENCHCONFIG`.
        var: String,
    },
    /// A command-line flag.
    Flag {
        /// As written, such as `--caliper-benchconfig`.
        flag: String,
    },
    /// [`super::Settings::set`].
    Set,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("the built-in default"),
            Source::File { layer, path, line: Some(line) } => {
                write!(f, "the {layer} settings file {}:{line}", path.display())
            }
            Source::File { layer, path, line: None } => {
                write!(f, "the {layer} settings file {}", path.display())
            }
            Source::Env { var } => write!(f, "the environment variable {var}"),
            Source::Flag { flag } => write!(f, "the command-line flag {flag}"),
            Source::Set => f.write_str("an in-memory override"),
        }
    }
}

/// A setting is missing or has a value of the wrong kind, or a settings file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A setting with no value was needed.
    #[error(
        "the setting {key} is not set: give --{key} <value> on the command line, set {env}=<value>, \
         or add {yaml} to caliper.yaml in the workspace"
    )]
    Missing {
        /// The key, such as `caliper-benchconfig`.
        key: String,
        /// The environment variable that sets it, such as `CALIPER_BENCHCONFIG`.
        env: String,
        /// Its path in a settings file, such as `caliper.benchconfig`.
        yaml: String,
    },
    /// A value is not of the expected kind.
    #[error("the setting {key} = {value} (from {origin}): expected {expected}")]
    Invalid {
        /// The key.
        key: String,
        /// The offending value, as JSON (`<redacted>` for secrets).
        value: String,
        /// Where it came from.
        origin: Source,
        /// What was expected.
        expected: String,
    },
    /// A settings file named by a setting does not exist.
    #[error("the {layer} settings file {} does not exist (named by {key}, set by {origin})", path.display())]
    FileNotFound {
        /// Which file.
        layer: FileLayer,
        /// The path that was looked for.
        path: PathBuf,
        /// The setting that names it.
        key: String,
        /// Where that setting came from.
        origin: Source,
    },
    /// A settings file cannot be read or parsed, or is not a mapping.
    #[error("{}{}: {message}", path.display(), position(*line, *column))]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u32>,
        /// 1-based column, when known.
        column: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// The flow settings contradict each other.
    #[error("{message}")]
    Flow {
        /// Which settings, and where they came from.
        message: String,
    },
}

fn position(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl SettingsError {
    /// A [`SettingsError::Missing`] for `key`, with the ways to set it.
    pub fn missing(key: &str) -> SettingsError {
        let env = key.to_ascii_uppercase().replace('-', "_");
        let yaml = key.replace('-', ".");
        SettingsError::Missing { key: key.to_string(), env, yaml }
    }
}
