//! The commands each installer runs to install or remove packages, where, and with what
//! environment; and running them with their output shown.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use caliper_core::state_dir;

use super::BindError;
use super::file::Installer;

/// The Python virtual environment of `installer: pip`, inside `<workspace>/.caliper`.
pub const VENV_DIR: &str = "venv";

/// One command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The program, looked up on PATH unless it is a path.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Variables added to its environment (the process's own values win, as in Caliper).
    pub env: Vec<(String, String)>,
}

impl fmt::Display for Step {
    /// The command as a person would type it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(f, "{key}={} ", quoted(value))?;
        }
        write!(f, "{}", quoted(&self.program.to_string_lossy()))?;
        for arg in &self.args {
            write!(f, " {}", quoted(arg))?;
        }
        Ok(())
    }
}

/// `text`, in single quotes when a shell would split or expand it.
fn quoted(text: &str) -> String {
    let plain =
        !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_^~".contains(c));
    if plain { text.to_string() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// Whether to install or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `caliper bind`.
    Bind,
    /// `caliper unbind`.
    Unbind,
}

/// What an installer is asked to do.
pub struct Job<'a> {
    /// Which installer.
    pub installer: Installer,
    /// Install or remove.
    pub direction: Direction,
    /// The packages, as written in the binding file.
    pub packages: &'a [String],
    /// The user's arguments, then the setting's.
    pub args: &'a [String],
    /// The setting's environment.
    pub env: &'a [(String, String)],
    /// The workspace.
    pub workspace: &'a Path,
    /// Where npm runs.
    pub npm_cwd: &'a Path,
}

/// The virtual environment of `installer: pip` in `workspace`.
pub fn venv(workspace: &Path) -> PathBuf {
    state_dir::part_dir(workspace, VENV_DIR)
}

/// The commands of `job`, in order.
pub fn steps(job: &Job<'_>) -> Vec<Step> {
    let step = |program: PathBuf, words: Vec<String>, cwd: &Path| Step {
        program,
        args: words,
        cwd: cwd.to_path_buf(),
        env: job.env.iter().filter(|(k, _)| std::env::var_os(k).is_none()).cloned().collect(),
    };
    let bind = job.direction == Direction::Bind;
    let names: Vec<String> = match job.installer {
        _ if bind => job.packages.to_vec(),
        Installer::Pip => job.packages.iter().map(|p| pip_name(p).to_string()).collect(),
        _ => job.packages.iter().map(|p| without_version(p).to_string()).collect(),
    };
    let args = |verb: &[&str]| -> Vec<String> {
        verb.iter()
            .map(|s| s.to_string())
            .chain(job.args.iter().cloned())
            .chain(names.iter().cloned())
            .collect()
    };
    match job.installer {
        Installer::None => Vec::new(),
        Installer::Npm => {
            vec![step(PathBuf::from(npm()), args(&[if bind { "install" } else { "uninstall" }]), job.npm_cwd)]
        }
        Installer::Pip => {
            let venv = venv(job.workspace);
            let python = if cfg!(windows) {
                venv.join("Scripts").join("python.exe")
            } else {
                venv.join("bin").join("python")
            };
            let mut steps = Vec::new();
            if bind && !python.exists() {
                let create = vec!["-m".to_string(), "venv".to_string(), venv.to_string_lossy().into_owned()];
                steps.push(step(PathBuf::from("python3"), create, job.workspace));
            }
            let verb: &[&str] =
                if bind { &["-m", "pip", "install"] } else { &["-m", "pip", "uninstall", "-y"] };
            steps.push(step(python, args(verb), job.workspace));
            steps
        }
        Installer::Cargo => {
            // Its binaries land in state_dir::programs_dir, where the external resolver looks.
            let root = state_dir::state_dir(job.workspace).to_string_lossy().into_owned();
            let verb = if bind { "install" } else { "uninstall" };
            vec![step(PathBuf::from("cargo"), args(&[verb, "--root", &root]), job.workspace)]
        }
    }
}

/// npm's program name (`npm.cmd` on Windows, as Caliper).
fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// An npm or cargo package without its version: `@scope/name@1.2.3` → `@scope/name`,
/// `name@^1` → `name` (Caliper's unbind strips the version the same way).
pub fn without_version(package: &str) -> &str {
    match package.char_indices().skip(1).find(|&(_, c)| c == '@') {
        Some((at, _)) => &package[..at],
        None => package,
    }
}

/// A pip requirement's project name: `six==1.16.0`, `requests[socks]>=2`, `x ; python_version<"3"` → the name.
pub fn pip_name(requirement: &str) -> &str {
    let end = requirement.find(|c: char| "=<>!~[;@ ".contains(c)).unwrap_or(requirement.len());
    &requirement[..end]
}

/// Runs `step` with its output shown; a failure keeps the installer's exit code.
pub fn run(step: &Step) -> Result<(), BindError> {
    tracing::info!("running: {step}\n  in {}", step.cwd.display());
    if let Err(e) = std::fs::create_dir_all(&step.cwd) {
        return Err(BindError::Runtime(format!("cannot create {}: {e}", step.cwd.display())));
    }
    let mut command = Command::new(&step.program);
    command.args(&step.args).current_dir(&step.cwd).envs(step.env.iter().map(|(k, v)| (k, v)));
    let name = step.program.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let status = command.status().map_err(|e| BindError::spawn(&name, &e))?;
    if status.success() {
        return Ok(());
    }
    let code = status.code().unwrap_or(1);
    Err(BindError::InstallerFailed { command: step.to_string(), code: if code == 0 { 1 } else { code } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job<'a>(
        installer: Installer,
        direction: Direction,
        packages: &'a [String],
        args: &'a [String],
    ) -> Job<'a> {
        Job {
            installer,
            direction,
            packages,
            args,
            env: &[],
            workspace: Path::new("/ws"),
            npm_cwd: Path::new("/ws"),
        }
    }

    #[test]
    fn npm_installs_user_args_first_and_unbind_strips_versions() {
        let packages = vec!["@hyperledger/fabric-gateway@1.5.0".to_string(), "web3@1.3.0".to_string()];
        let args = vec!["--save-dev".to_string(), "--build-from-source".to_string()];
        let bind = steps(&job(Installer::Npm, Direction::Bind, &packages, &args));
        assert_eq!(
            bind[0].to_string(),
            "npm install --save-dev --build-from-source @hyperledger/fabric-gateway@1.5.0 web3@1.3.0"
        );
        let unbind = steps(&job(Installer::Npm, Direction::Unbind, &packages, &[]));
        assert_eq!(unbind[0].to_string(), "npm uninstall @hyperledger/fabric-gateway web3");
    }

    #[test]
    fn pip_and_cargo_install_into_the_workspace() {
        let packages = vec!["six==1.16.0".to_string()];
        let unbind = steps(&job(Installer::Pip, Direction::Unbind, &packages, &[]));
        assert_eq!(unbind[0].to_string(), "/ws/.caliper/venv/bin/python -m pip uninstall -y six");
        let bind = steps(&job(Installer::Pip, Direction::Bind, &packages, &[]));
        assert_eq!(bind[0].to_string(), "python3 -m venv /ws/.caliper/venv");
        let crates = vec!["ripgrep@14.1.0".to_string()];
        let bind = steps(&job(Installer::Cargo, Direction::Bind, &crates, &[]));
        assert_eq!(bind[0].to_string(), "cargo install --root /ws/.caliper ripgrep@14.1.0");
        let unbind = steps(&job(Installer::Cargo, Direction::Unbind, &crates, &[]));
        assert_eq!(unbind[0].to_string(), "cargo uninstall --root /ws/.caliper ripgrep");
    }

    #[test]
    fn names_lose_their_versions() {
        assert_eq!(without_version("@grpc/grpc-js@1.10.3"), "@grpc/grpc-js");
        assert_eq!(without_version("@grpc/grpc-js"), "@grpc/grpc-js");
        assert_eq!(without_version("is-number@^7"), "is-number");
        assert_eq!(pip_name("requests[socks]>=2.0"), "requests");
        assert_eq!(pip_name("six"), "six");
        assert_eq!(quoted("a b"), "'a b'");
        assert_eq!(quoted(">=1"), "'>=1'");
    }
}
