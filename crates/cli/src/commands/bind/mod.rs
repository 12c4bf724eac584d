//! `caliper bind` and `caliper unbind`: install (or remove) what a connector needs into the
//! workspace, from a binding file in Caliper's schema (docs/binding.md).
//!
//! - [`file`]: the binding file (the built-in one, or `caliper-bind-file`), checked whole.
//! - [`installer`]: the npm, pip and cargo commands, and running them.
//! - [`runtime`]: the runtime versions that `versionRegexp` and `requires` look at.
//! - [`record`]: `<workspace>/.caliper/binding.json`, what bind installed.

mod file;
mod installer;
mod record;
mod runtime;

use std::io::Write as _;
use std::path::PathBuf;

use caliper_core::settings::{Settings, keys};

use self::file::{BindingFile, Installer, Sdk};
use self::installer::{Direction, Job, Step};
use self::record::{Binding, Record};
use super::setup;
use crate::exit;
use crate::logging::LogStyle;
use crate::registry::Registries;

/// The settings of bind, each of which may be given at most once on the command line.
const SINGLETONS: &[&str] =
    &[keys::BIND_SUT, keys::BIND_ARGS, keys::BIND_CWD, keys::BIND_FILE, keys::BIND_DRYRUN];

/// Why bind or unbind stopped.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The command line, a setting or the binding file is wrong.
    #[error("{0}")]
    Config(String),
    /// The installer's program (or the runtime it needs) is not on PATH.
    #[error("{program} is not on PATH: {hint}")]
    Missing {
        /// The program, such as `npm`.
        program: String,
        /// How to get it.
        hint: &'static str,
    },
    /// A runtime is missing, too old, or failed.
    #[error("{0}")]
    Runtime(String),
    /// The installer ran and failed.
    #[error("the installer failed with exit code {code} (its output is above): {command}")]
    InstallerFailed {
        /// The command.
        command: String,
        /// Its exit code, which bind exits with.
        code: i32,
    },
    /// `.caliper/binding.json` cannot be read or written.
    #[error("{0}")]
    Record(String),
}

impl BindError {
    /// The error of a program that could not be started.
    pub fn spawn(program: &str, err: &std::io::Error) -> BindError {
        if err.kind() != std::io::ErrorKind::NotFound {
            return BindError::Runtime(format!("cannot run {program}: {err}"));
        }
        let hint = match program {
            "npm" | "npm.cmd" | "node" => {
                "install Node.js 18.19 or later with npm (https://nodejs.org, or `apt-get install nodejs npm`)"
            }
            "python3" | "python" => {
                "install Python 3 with its venv module (`apt-get install python3 python3-venv`, or https://python.org)"
            }
            "cargo" | "rustc" => "install Rust with rustup (https://rustup.rs)",
            _ => "install it, or remove it from the binding file",
        };
        BindError::Missing { program: program.to_string(), hint }
    }

    /// The exit code of the command: the installer's own when it failed.
    pub fn code(&self) -> i32 {
        match self {
            BindError::Config(_) => exit::CONFIG,
            BindError::InstallerFailed { code, .. } => *code,
            BindError::Missing { .. } | BindError::Runtime(_) | BindError::Record(_) => exit::RUN_FAILED,
        }
    }
}

/// The bind settings of one command.
struct Options {
    /// The sut of `caliper-bind-sut`.
    sut: String,
    /// Its sdk, when given.
    sdk: Option<String>,
    /// `caliper-bind-args`, split on spaces (`None` when unset).
    args: Option<Vec<String>>,
    /// Where npm runs.
    npm_cwd: PathBuf,
    /// The binding file.
    file: BindingFile,
    /// `caliper-bind-dryrun`.
    dry_run: bool,
    /// The workspace.
    workspace: PathBuf,
    /// The names of the binary's Rust connectors (`ethereum`, `sim`, a user's own).
    builtins: Vec<&'static str>,
}

/// `caliper bind`: returns the exit code.
pub fn run_bind(args: Vec<String>, registries: &Registries) -> i32 {
    run(args, Direction::Bind, registries)
}

/// `caliper unbind`: returns the exit code.
pub fn run_unbind(args: Vec<String>, registries: &Registries) -> i32 {
    run(args, Direction::Unbind, registries)
}

fn run(args: Vec<String>, direction: Direction, registries: &Registries) -> i32 {
    let settings = match setup::settings(args.clone(), LogStyle::Person) {
        Ok(s) => s,
        Err(unloaded) => return unloaded.code(),
    };
    let outcome = options(&settings, &args, registries).and_then(|o| match direction {
        Direction::Bind => bind(&o),
        Direction::Unbind => unbind(&o),
    });
    match outcome {
        Ok(()) => exit::OK,
        Err(e) => {
            tracing::error!("{e}");
            e.code()
        }
    }
}

/// What `launch manager` (and a worker started by hand) does first when `caliper-bind-sut`
/// is set, as Caliper does; `Err` holds the exit code.
pub fn before_launch(settings: &Settings, args: &[String], registries: &Registries) -> Result<(), i32> {
    if !settings.is_set(keys::BIND_SUT) {
        return Ok(());
    }
    options(settings, args, registries).and_then(|o| bind(&o)).map_err(|e| {
        tracing::error!("caliper-bind-sut is set, and binding failed: {e}");
        e.code()
    })
}

/// The `--caliper-bind-*` flags of `args` given more than once (Caliper's checkSingleton).
fn repeated_flags(args: &[String]) -> Vec<String> {
    let words = args.iter().take_while(|w| *w != "--");
    let keys: Vec<String> = words
        .filter_map(|w| w.strip_prefix("--"))
        .map(|w| w.split_once('=').map_or(w, |(k, _)| k).to_lowercase().replace('_', "-"))
        .collect();
    SINGLETONS
        .iter()
        .filter(|s| keys.iter().filter(|k| k == s).count() > 1)
        .map(|s| format!("--{s}"))
        .collect()
}

fn config_error(e: impl std::fmt::Display) -> BindError {
    BindError::Config(e.to_string())
}

fn options(settings: &Settings, args: &[String], registries: &Registries) -> Result<Options, BindError> {
    let repeated = repeated_flags(args);
    if !repeated.is_empty() {
        return Err(BindError::Config(format!("{} may be given only once", repeated.join(", "))));
    }
    if !settings.is_set(keys::BIND_SUT) {
        let known = BindingFile::builtin().map(|f| f.suts.iter().map(|s| s.name.clone()).collect::<Vec<_>>());
        return Err(BindError::Config(format!(
            "{}; the built-in binding file knows: {}",
            caliper_core::settings::SettingsError::missing(keys::BIND_SUT),
            known.map(|k| k.join(", ")).unwrap_or_default()
        )));
    }
    let spec = settings.get_str(keys::BIND_SUT).map_err(config_error)?.trim().to_string();
    let (sut, sdk) = match spec.split_once(':') {
        Some((sut, sdk)) => (sut.trim().to_string(), Some(sdk.trim().to_string()).filter(|s| !s.is_empty())),
        None => (spec.clone(), None),
    };
    if sut.is_empty() {
        return Err(BindError::Config(format!(
            "{} = \"{spec}\": expected sut:sdk, such as fabric:2.5",
            keys::BIND_SUT
        )));
    }
    let args = match settings.get(keys::BIND_ARGS) {
        None | Some(serde_json::Value::Null) => None,
        // A bare `--caliper-bind-args` followed by `--offline`: the flag parser took it for a switch.
        Some(serde_json::Value::Bool(true)) if settings.source(keys::BIND_ARGS).is_some_and(is_flag) => {
            return Err(BindError::Config(format!(
                "--{} needs a value; write it with =, such as --{}=--offline, when the value starts with -",
                keys::BIND_ARGS,
                keys::BIND_ARGS
            )));
        }
        Some(_) => Some(
            settings
                .get_str(keys::BIND_ARGS)
                .map_err(config_error)?
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        ),
    };
    let workspace = settings.workspace().to_path_buf();
    // npm runs in the workspace unless told otherwise: that is where the Node sidecar resolves
    // packages. `caliper-bind-cwd` is relative to the current directory, as in Caliper.
    let npm_cwd = if settings.is_set(keys::BIND_CWD) {
        let cwd = settings.get_str(keys::BIND_CWD).map_err(config_error)?;
        std::env::current_dir().map_or_else(|_| PathBuf::from(cwd), |here| here.join(cwd))
    } else {
        workspace.clone()
    };
    let file = if settings.is_set(keys::BIND_FILE) {
        let path = settings.required_path(keys::BIND_FILE).map_err(config_error)?;
        BindingFile::load(&path, settings.source(keys::BIND_FILE).cloned()).map_err(config_error)?
    } else {
        BindingFile::builtin().map_err(config_error)?
    };
    let dry_run = settings.get_bool(keys::BIND_DRYRUN).map_err(config_error)?;
    let builtins = registries.connectors.names();
    Ok(Options { sut, sdk, args, npm_cwd, file, dry_run, workspace, builtins })
}

fn is_flag(source: &caliper_core::settings::Source) -> bool {
    matches!(source, caliper_core::settings::Source::Flag { .. })
}

/// What a `none` entry says: the Rust connectors of this binary by name.
fn nothing_to_do(o: &Options, sdk: &Sdk, verb: &str) -> String {
    let sut = &o.sut;
    match &sdk.connector {
        Some(name) if o.builtins.contains(&name.as_str()) => {
            format!("built-in Rust connector {name}: nothing to {verb}")
        }
        _ => format!("{sut}:{}: installer none, nothing to {verb}", sdk.key),
    }
}

fn bind(o: &Options) -> Result<(), BindError> {
    let sdk_key = match &o.sdk {
        Some(sdk) => sdk.clone(),
        None => {
            tracing::warn!("{} = {} names no SDK: binding {}:latest", keys::BIND_SUT, o.sut, o.sut);
            "latest".to_string()
        }
    };
    let spec = format!("{}:{sdk_key}", o.sut);
    let sdk = o.file.find(&o.sut, &sdk_key).map_err(config_error)?;
    for requirement in &sdk.requires {
        requirement.check(&spec)?;
    }
    if sdk.installer == Installer::None {
        tracing::info!("{}", nothing_to_do(o, sdk, "install"));
        return Ok(());
    }
    let (setting_args, env) = match (sdk.settings.is_empty(), sdk.installer.runtime()) {
        (false, Some(runtime)) => {
            let version = runtime.version_text()?;
            match sdk.settings.iter().find(|s| s.version_regexp.is_match(&version).unwrap_or(false)) {
                Some(s) => (s.args.clone(), s.env.clone()),
                None => {
                    tracing::warn!(
                        "{spec}: no settings entry matches {runtime} {version}: installing without one"
                    );
                    (Vec::new(), Vec::new())
                }
            }
        }
        _ => (Vec::new(), Vec::new()),
    };
    let user_args = o.args.clone().unwrap_or_default();
    let all_args: Vec<String> = user_args.iter().chain(&setting_args).cloned().collect();
    let job = Job {
        installer: sdk.installer,
        direction: Direction::Bind,
        packages: &sdk.packages,
        args: &all_args,
        env: &env,
        workspace: &o.workspace,
        npm_cwd: &o.npm_cwd,
    };
    let steps = installer::steps(&job);
    if o.dry_run {
        return print_dry_run("bind", &spec, &steps);
    }
    let mut record = Record::load(&o.workspace)?;
    for other in record.matching(&o.sut, None).iter().filter(|b| b.sdk != sdk_key) {
        tracing::warn!(
            "{} is still bound in this workspace; its packages stay beside {spec}'s (caliper unbind --caliper-bind-sut {} removes them)",
            other.spec(),
            other.spec()
        );
    }
    for step in &steps {
        installer::run(step)?;
    }
    let cwd = if sdk.installer == Installer::Npm { o.npm_cwd.clone() } else { o.workspace.clone() };
    record.put(Binding {
        sut: o.sut.clone(),
        sdk: sdk_key,
        installer: sdk.installer.name().to_string(),
        packages: sdk.packages.clone(),
        args: user_args,
        cwd: cwd.clone(),
        connector: sdk.connector.clone(),
        time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    });
    record.save(&o.workspace)?;
    tracing::info!(
        "bound {spec}: {} package(s) installed with {} in {}; recorded in {}",
        sdk.packages.len(),
        sdk.installer.name(),
        cwd.display(),
        record::path(&o.workspace).display()
    );
    Ok(())
}

fn unbind(o: &Options) -> Result<(), BindError> {
    let mut record = Record::load(&o.workspace)?;
    let bound = record.matching(&o.sut, o.sdk.as_deref());
    let spec = match &o.sdk {
        Some(sdk) => format!("{}:{sdk}", o.sut),
        None => o.sut.clone(),
    };
    if bound.is_empty() {
        return not_bound(o, &record, &spec);
    }
    for binding in &bound {
        let Some(installer) = [Installer::Npm, Installer::Pip, Installer::Cargo]
            .into_iter()
            .find(|i| i.name() == binding.installer)
        else {
            return Err(BindError::Record(format!(
                "{}: {} was bound with an unknown installer \"{}\"",
                record::path(&o.workspace).display(),
                binding.spec(),
                binding.installer
            )));
        };
        let args = o.args.clone().unwrap_or_else(|| binding.args.clone());
        let job = Job {
            installer,
            direction: Direction::Unbind,
            packages: &binding.packages,
            args: &args,
            env: &[],
            workspace: &o.workspace,
            npm_cwd: &binding.cwd,
        };
        let steps = installer::steps(&job);
        if o.dry_run {
            print_dry_run("unbind", &binding.spec(), &steps)?;
            continue;
        }
        for step in &steps {
            installer::run(step)?;
        }
        record.remove(binding);
        record.save(&o.workspace)?;
        tracing::info!(
            "unbound {}: {} package(s) removed with {}",
            binding.spec(),
            binding.packages.len(),
            binding.installer
        );
    }
    Ok(())
}

/// Unbind of something this workspace's record does not hold: a built-in needs nothing, an
/// unknown name is an error that lists the known ones, anything else is said and left alone.
fn not_bound(o: &Options, record: &Record, spec: &str) -> Result<(), BindError> {
    match &o.sdk {
        Some(sdk_key) => {
            let sdk = o.file.find(&o.sut, sdk_key).map_err(config_error)?;
            if sdk.installer == Installer::None {
                tracing::info!("{}", nothing_to_do(o, sdk, "uninstall"));
                return Ok(());
            }
        }
        None => {
            let sut = o.file.sut(&o.sut).map_err(config_error)?;
            if let Some(sdk) =
                sut.sdks.first().filter(|_| sut.sdks.iter().all(|s| s.installer == Installer::None))
            {
                tracing::info!("{}", nothing_to_do(o, sdk, "uninstall"));
                return Ok(());
            }
        }
    }
    let bound: Vec<String> = record.bindings.iter().map(Binding::spec).collect();
    tracing::warn!(
        "{spec} is not bound in this workspace (nothing recorded in {}; bound: {}): nothing to unbind",
        record::path(&o.workspace).display(),
        if bound.is_empty() { "nothing".to_string() } else { bound.join(", ") }
    );
    Ok(())
}

/// Prints the commands of a dry run on stdout, one with its directory per line pair.
fn print_dry_run(verb: &str, spec: &str, steps: &[Step]) -> Result<(), BindError> {
    let mut out = format!("caliper {verb} {spec} (dry run): would run {} command(s)\n", steps.len());
    for step in steps {
        out.push_str(&format!("  {step}\n    in {}\n", step.cwd.display()));
    }
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| BindError::Runtime(format!("cannot print: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bind_flag_may_be_given_once_in_any_spelling() {
        let args: Vec<String> = [
            "--caliper-bind-sut",
            "a",
            "--CALIPER_BIND_SUT=b",
            "--caliper-bind-args=-g",
            "--",
            "--caliper-bind-args=x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(repeated_flags(&args), ["--caliper-bind-sut"]);
    }
}
