//! Where a `caliper.blockchain` value points when it names a JavaScript connector: Caliper's
//! rules (`CaliperUtils.loadModuleFunction`), relative to the workspace.

use std::path::{Path, PathBuf};

/// The prefix that sends a value to Node.js whatever else it could mean (`node:fabric` runs
/// Caliper's Fabric connector even where a Rust one is built in).
pub const FORCE_PREFIX: &str = "node:";

/// Caliper 0.6's built-in connector names and their npm packages.
pub const CALIPER_BUILTINS: &[(&str, &str)] =
    &[("ethereum", "@hyperledger/caliper-ethereum"), ("fabric", "@hyperledger/caliper-fabric")];

/// What a value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsTarget {
    /// A file or folder (`./x`, `/x`, `x.js`), resolved against the workspace.
    File(PathBuf),
    /// An npm package, by name (a Caliper built-in name already mapped to its package).
    Package(String),
}

impl JsTarget {
    /// The target of `value` as Caliper reads it (after any `node:` prefix): a built-in name is
    /// its package, `./x`, `/x` or `*.js` a path against `workspace`, anything else a package.
    pub fn caliper_rule(value: &str, workspace: &Path) -> JsTarget {
        if let Some((_, package)) = CALIPER_BUILTINS.iter().find(|(name, _)| *name == value) {
            return JsTarget::Package((*package).to_string());
        }
        if is_path(value) {
            return JsTarget::File(workspace.join(value));
        }
        JsTarget::Package(value.to_string())
    }

    /// The target of `value` when nothing forces Node.js: `None` when the value is not a
    /// JavaScript connector by Caliper's rules (then it is someone else's: an external program).
    ///
    /// A path is ours unless it is an executable file that is not JavaScript (a program
    /// speaking the protocol); a package name is ours when it is installed in the workspace's
    /// `node_modules`. Caliper's built-in names (`ethereum`, `fabric`) are the Rust connectors'
    /// (the registry asks names first); `node:` reaches Caliper's.
    pub fn unforced(value: &str, workspace: &Path) -> Option<JsTarget> {
        if is_path(value) {
            let path = workspace.join(value);
            return (!is_program(&path)).then_some(JsTarget::File(path));
        }
        if is_package_name(value) && installed(value, workspace) {
            return Some(JsTarget::Package(value.to_string()));
        }
        None
    }
}

/// Caliper's path rule: `./x`, `/x`, or a name ending in `.js`.
fn is_path(value: &str) -> bool {
    value.starts_with("./") || value.starts_with('/') || value.ends_with(".js")
}

/// An npm package name: `name` or `@scope/name`, no path separators beyond the scope's.
fn is_package_name(value: &str) -> bool {
    let rest = match value.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, name)) if !scope.is_empty() => name,
            _ => return false,
        },
        None => value,
    };
    !rest.is_empty()
        && !rest.contains('/')
        && !rest.starts_with('.')
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
}

/// Whether the package `name` is installed in `<workspace>/node_modules`.
pub fn installed(name: &str, workspace: &Path) -> bool {
    workspace.join("node_modules").join(name).join("package.json").is_file()
}

/// An executable regular file that is not a JavaScript file: a program for the external
/// protocol, which Caliper's rule would otherwise hand to `require`.
fn is_program(path: &Path) -> bool {
    let js = path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "js" | "cjs" | "mjs"));
    if js {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caliper_rules_map_builtins_paths_and_packages() {
        let ws = Path::new("/ws");
        assert_eq!(
            JsTarget::caliper_rule("fabric", ws),
            JsTarget::Package("@hyperledger/caliper-fabric".into())
        );
        assert_eq!(JsTarget::caliper_rule("./c/index.js", ws), JsTarget::File("/ws/./c/index.js".into()));
        assert_eq!(JsTarget::caliper_rule("lib/c.js", ws), JsTarget::File("/ws/lib/c.js".into()));
        assert_eq!(JsTarget::caliper_rule("/abs/c", ws), JsTarget::File("/abs/c".into()));
        assert_eq!(JsTarget::caliper_rule("caliper-x", ws), JsTarget::Package("caliper-x".into()));
    }

    #[test]
    fn unforced_takes_paths_and_installed_packages() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        // Rust twins exist for ethereum and fabric: the registry's name wins before any
        // resolver, and a bare name that is no installed package is not ours.
        assert_eq!(JsTarget::unforced("fabric", ws), None);
        assert_eq!(JsTarget::unforced("ethereum", ws), None);
        assert_eq!(JsTarget::unforced("caliper-fast", ws), None);
        std::fs::create_dir_all(ws.join("node_modules/caliper-fast")).unwrap();
        std::fs::write(ws.join("node_modules/caliper-fast/package.json"), "{}").unwrap();
        assert_eq!(JsTarget::unforced("caliper-fast", ws), Some(JsTarget::Package("caliper-fast".into())));
        assert!(matches!(JsTarget::unforced("./missing.js", ws), Some(JsTarget::File(_))));
    }

    #[cfg(unix)]
    #[test]
    fn an_executable_that_is_not_javascript_is_left_to_the_external_resolver() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("connector.py");
        std::fs::write(&program, "#!/usr/bin/env python3\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(JsTarget::unforced("./connector.py", dir.path()), None);
        std::fs::write(dir.path().join("c.js"), "").unwrap();
        std::fs::set_permissions(dir.path().join("c.js"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(JsTarget::unforced("./c.js", dir.path()).is_some());
    }

    #[test]
    fn package_names_are_npm_names() {
        assert!(is_package_name("caliper-x"));
        assert!(is_package_name("@org/caliper-x"));
        assert!(!is_package_name("@org"));
        assert!(!is_package_name("a/b"));
        assert!(!is_package_name("exec:thing"));
        assert!(!is_package_name(""));
    }
}
