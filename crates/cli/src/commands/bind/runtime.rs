//! The runtimes an installer works for (Node.js for npm, Python for pip, Rust for cargo): their
//! version, which a binding's `versionRegexp` is matched against and its `requires` checked.

use std::fmt;
use std::process::Command;

use super::BindError;

/// A runtime whose version a binding entry can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// Node.js: `node -v` (`v20.11.1`), as Caliper does.
    Node,
    /// Python: `python3 --version` (`Python 3.11.2`).
    Python,
    /// Rust: `rustc --version` (`rustc 1.95.0 (…)`).
    Rust,
}

impl Runtime {
    /// The names of `requires`'s keys.
    pub const NAMES: &[&str] = &["node", "python", "rust"];

    /// The runtime of a `requires` key.
    pub fn from_name(name: &str) -> Option<Runtime> {
        match name {
            "node" => Some(Runtime::Node),
            "python" => Some(Runtime::Python),
            "rust" => Some(Runtime::Rust),
            _ => None,
        }
    }

    /// The program and argument that print the version.
    fn command(self) -> (&'static str, &'static str) {
        match self {
            Runtime::Node => ("node", "-v"),
            Runtime::Python => ("python3", "--version"),
            Runtime::Rust => ("rustc", "--version"),
        }
    }

    /// The version text the runtime prints, trimmed.
    pub fn version_text(self) -> Result<String, BindError> {
        let (program, arg) = self.command();
        let output = Command::new(program).arg(arg).output().map_err(|e| BindError::spawn(program, &e))?;
        if !output.status.success() {
            return Err(BindError::Runtime(format!(
                "`{program} {arg}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        // Python 2 printed its version on stderr.
        let text = if output.stdout.is_empty() { &output.stderr } else { &output.stdout };
        Ok(String::from_utf8_lossy(text).trim().to_string())
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Runtime::Node => "Node.js",
            Runtime::Python => "Python",
            Runtime::Rust => "Rust",
        })
    }
}

/// `requires: {node: ">=18.19"}`: a runtime and the versions it must be.
#[derive(Debug)]
pub struct Requirement {
    /// The runtime.
    pub runtime: Runtime,
    /// The versions accepted.
    pub req: semver::VersionReq,
    /// As written, for messages.
    pub text: String,
}

impl Requirement {
    /// Checks the installed runtime; an error says what is installed and what is needed.
    pub fn check(&self, what: &str) -> Result<(), BindError> {
        let text = self.runtime.version_text()?;
        let Some(version) = version_in(&text) else {
            return Err(BindError::Runtime(format!(
                "{what} requires {} {}, and its version could not be read from \"{text}\"",
                self.runtime, self.text
            )));
        };
        if self.req.matches(&version) {
            return Ok(());
        }
        Err(BindError::Runtime(format!(
            "{what} requires {} {}, but {version} is installed (\"{text}\"): install a newer {} first",
            self.runtime, self.text, self.runtime
        )))
    }
}

/// The first `major[.minor[.patch]]` in a version text, as a version without pre-release
/// (`v20.11.1` → 20.11.1, `Python 3.13.0rc1` → 3.13.0, `rustc 1.95.0 (…)` → 1.95.0).
fn version_in(text: &str) -> Option<semver::Version> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let numbers: Vec<u64> = text[start..]
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()?
        .split('.')
        .take(3)
        .map_while(|n| n.parse().ok())
        .collect();
    let part = |i: usize| numbers.get(i).copied().unwrap_or(0);
    (!numbers.is_empty()).then(|| semver::Version::new(part(0), part(1), part(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_what_the_runtimes_print() {
        assert_eq!(version_in("v20.11.1"), Some(semver::Version::new(20, 11, 1)));
        assert_eq!(version_in("Python 3.13.0rc1"), Some(semver::Version::new(3, 13, 0)));
        assert_eq!(version_in("rustc 1.95.0 (f2d3ce0bd 2026-03-21)"), Some(semver::Version::new(1, 95, 0)));
        assert_eq!(version_in("v22"), Some(semver::Version::new(22, 0, 0)));
        assert_eq!(version_in("none"), None);
    }

    #[test]
    fn a_requirement_of_caliper_0_6_0_accepts_node_20_and_refuses_18_0() {
        let req = semver::VersionReq::parse(">=18.19").expect("valid");
        assert!(req.matches(&semver::Version::new(20, 11, 1)));
        assert!(!req.matches(&semver::Version::new(18, 0, 0)));
    }
}
