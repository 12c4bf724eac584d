//! What a run with a JavaScript connector needs, checked before anything starts: Node.js on
//! the PATH, the connector's file or package, and `@hyperledger/caliper-core` beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

use caliper_core::workload::{WorkloadError, WorkloadLoader, WorkloadModule};

use crate::target::{CALIPER_BUILTINS, JsTarget};

/// The oldest Node.js that `@hyperledger/caliper-core` 0.6 supports (its `engines` field).
const MIN_NODE_MAJOR: u32 = 18;

/// The command that runs Node.js: `node` from the PATH.
pub(crate) const NODE: &str = "node";

/// `node --version`, or a message that says what is wrong and how to fix it.
pub(crate) fn node_version() -> Result<String, String> {
    let out = Command::new(NODE).arg("--version").output().map_err(|e| {
        format!(
            "a Caliper JavaScript connector runs in Node.js, and `{NODE}` cannot be started ({e}): install Node.js {MIN_NODE_MAJOR} or later and put `node` on the PATH"
        )
    })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m >= MIN_NODE_MAJOR => Ok(version),
        _ => Err(format!(
            "`{NODE} --version` says {version:?}; Caliper's JavaScript connectors need Node.js {MIN_NODE_MAJOR} or later"
        )),
    }
}

/// `npm root -g`, where `caliper bind --caliper-bind-args=-g` installs (None without npm).
pub(crate) fn npm_global_root() -> Option<PathBuf> {
    let out = Command::new("npm").args(["root", "-g"]).output().ok()?;
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !root.is_empty()).then(|| PathBuf::from(root))
}

/// The bind command that installs `package`, for a message.
pub(crate) fn install_hint(package: &str) -> String {
    match CALIPER_BUILTINS.iter().find(|(_, p)| *p == package) {
        Some(("fabric", _)) => {
            "install it with `caliper bind --caliper-bind-sut node-fabric:2.5` (Caliper's Fabric connector, caliper-core and the Fabric SDK)".to_string()
        }
        Some((name, _)) => format!(
            "install it with `caliper bind --caliper-bind-sut node-{name}:<sdk>` or `npm install {package}@0.6.0` in the workspace"
        ),
        None => format!(
            "install it in the workspace with `caliper bind --caliper-bind-sut <sut>:<sdk> --caliper-bind-file <your binding file>` or `npm install {package}`"
        ),
    }
}

/// Whether Node resolves `package` from `dir` through `node_modules` folders (the folder and
/// every parent, as Node looks), or from one of `extra` (NODE_PATH, the global root).
pub(crate) fn resolvable_from(package: &str, dir: &Path, extra: &[PathBuf]) -> bool {
    let in_node_modules =
        dir.ancestors().any(|d| d.join("node_modules").join(package).join("package.json").is_file());
    in_node_modules || extra.iter().any(|root| root.join(package).join("package.json").is_file())
}

/// The folders on NODE_PATH.
pub(crate) fn node_path() -> Vec<PathBuf> {
    std::env::var_os("NODE_PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default()
}

/// The file or folder a path target names, as `require` finds it (`x`, `x.js`), if any.
pub(crate) fn existing_file(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    let with_js = PathBuf::from(format!("{}.js", path.display()));
    with_js.is_file().then_some(with_js)
}

/// Every problem of running `target` (named `blockchain`) in Node.js, each a message that says
/// how to fix it. Starts `node --version`, and `npm root -g` only for a package not in the
/// workspace.
pub(crate) fn check_target(blockchain: &str, target: &JsTarget, workspace: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = node_version() {
        problems.push(e);
    }
    let mut extra = node_path();
    // Where the connector is, to look for caliper-core beside it.
    let from = match target {
        JsTarget::File(path) => match existing_file(path) {
            Some(found) => {
                Some(if found.is_dir() { found } else { found.parent().unwrap_or(workspace).to_path_buf() })
            }
            None => {
                problems.push(format!(
                    "caliper.blockchain \"{blockchain}\" is a path (Caliper's rule: ./, / or .js, relative to the workspace) and there is nothing at {}",
                    path.display()
                ));
                None
            }
        },
        JsTarget::Package(package) => {
            if resolvable_from(package, workspace, &extra) {
                Some(workspace.to_path_buf())
            } else {
                extra.extend(npm_global_root());
                if resolvable_from(package, workspace, &extra) {
                    Some(workspace.to_path_buf())
                } else {
                    problems.push(format!(
                        "the npm package {package} (caliper.blockchain \"{blockchain}\") is not installed in {} nor globally: {}",
                        workspace.join("node_modules").display(),
                        install_hint(package)
                    ));
                    None
                }
            }
        }
    };
    let core = "@hyperledger/caliper-core";
    if let Some(dir) = from
        && !resolvable_from(core, &dir, &extra)
        && !npm_global_root().is_some_and(|root| resolvable_from(core, &dir, &[root]))
    {
        problems.push(format!(
            "{core} cannot be found from {} (the connector loads it, and caliper-rs uses that same copy): install it in the workspace with `npm install {core}@0.6.0` (or the version the connector was written for), or bind the connector with `caliper bind`",
            dir.display()
        ));
    }
    problems
}

/// The file check of `.js` workload modules that run beside a JavaScript connector, in
/// Node.js: `node --check` (syntax), where the worker's own engine would reject what only
/// Node.js offers (`require` of npm packages and Node's modules).
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeWorkloadCheck;

impl WorkloadLoader for NodeWorkloadCheck {
    fn check(&self, path: &Path) -> Result<(), WorkloadError> {
        let out = Command::new(NODE).arg("--check").arg(path).output().map_err(|e| {
            WorkloadError::Failed(format!("{}: `{NODE} --check` cannot be started: {e}", path.display()))
        })?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(WorkloadError::Failed(format!(
            "{} is not valid JavaScript for Node.js:\n{}",
            path.display(),
            stderr.trim()
        )))
    }

    fn load(&self, path: &Path) -> Result<Box<dyn WorkloadModule>, WorkloadError> {
        Err(WorkloadError::Failed(format!(
            "{} runs beside its JavaScript connector in Node.js, not in the worker",
            path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_connector_file_and_package_are_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        let problems = check_target("./nope.js", &JsTarget::File(ws.join("./nope.js")), ws);
        assert!(problems.iter().any(|p| p.contains("there is nothing at")), "{problems:?}");
        let fabric = JsTarget::caliper_rule("fabric", ws);
        let problems = check_target("fabric", &fabric, ws);
        assert!(
            problems.iter().any(|p| p.contains("@hyperledger/caliper-fabric")
                && p.contains("caliper bind --caliper-bind-sut node-fabric:2.5")),
            "{problems:?}"
        );
    }

    #[test]
    fn caliper_core_must_be_beside_the_connector() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        std::fs::write(ws.join("c.js"), "").unwrap();
        let problems = check_target("c.js", &JsTarget::File(ws.join("c.js")), ws);
        assert!(
            problems.iter().any(|p| p.contains("@hyperledger/caliper-core cannot be found")),
            "{problems:?}"
        );
        std::fs::create_dir_all(ws.join("node_modules/@hyperledger/caliper-core")).unwrap();
        std::fs::write(ws.join("node_modules/@hyperledger/caliper-core/package.json"), "{}").unwrap();
        let problems = check_target("c.js", &JsTarget::File(ws.join("c.js")), ws);
        assert!(!problems.iter().any(|p| p.contains("caliper-core")), "{problems:?}");
    }

    #[test]
    fn node_checks_workload_syntax() {
        if node_version().is_err() {
            eprintln!("skipped: no Node.js on the PATH");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.js");
        std::fs::write(
            &good,
            "const fs = require('fs'); module.exports.createWorkloadModule = () => ({});\n",
        )
        .unwrap();
        assert!(NodeWorkloadCheck.check(&good).is_ok());
        let bad = dir.path().join("bad.js");
        std::fs::write(&bad, "module.exports = {\n").unwrap();
        let err = NodeWorkloadCheck.check(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.js") && err.contains("SyntaxError"), "{err}");
    }
}
