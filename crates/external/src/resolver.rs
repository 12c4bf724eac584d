//! `caliper.blockchain` values that name a connector program.
//!
//! - `exec:<program> [args...]` always runs a program. The words are split as a POSIX shell
//!   splits them (quote with `'...'` or `"..."`, escape with `\`), with no expansion of
//!   variables or globs. A program with a `/` is a path relative to the workspace (or
//!   absolute); a bare name is looked up in `<workspace>/.caliper/bin`, then on `PATH`.
//! - A plain name `<name>` (letters, digits, `-`, `_`, `.`) that nothing before took runs
//!   `caliper-connector-<name>` from `<workspace>/.caliper/bin` or `PATH`, with no arguments.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use caliper_core::connector::{ConnectorFactory, ConnectorResolver};

use crate::connector::{ExternalFactory, check_executable};

/// The prefix that forces a program.
pub const EXEC_PREFIX: &str = "exec:";
/// The prefix of a program found by its connector name.
pub const PROGRAM_PREFIX: &str = "caliper-connector-";

/// Resolves `exec:...` and `caliper-connector-<name>` programs (register it after the
/// resolvers of paths and packages).
#[derive(Debug, Default, Clone, Copy)]
pub struct ProgramResolver;

impl ConnectorResolver for ProgramResolver {
    fn describe(&self) -> String {
        "exec:<program> [args...] (a program speaking the caliper-connector protocol, relative to the workspace); or <name> for a program caliper-connector-<name> in <workspace>/.caliper/bin or on PATH".into()
    }

    fn resolve(
        &self,
        blockchain: &str,
        workspace: &Path,
    ) -> Option<Result<Arc<dyn ConnectorFactory>, String>> {
        if let Some(command) = blockchain.strip_prefix(EXEC_PREFIX) {
            return Some(exec(command, workspace).map(|f| Arc::new(f) as Arc<dyn ConnectorFactory>));
        }
        if blockchain.is_empty()
            || !blockchain.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return None;
        }
        let program = format!("{PROGRAM_PREFIX}{blockchain}");
        let found = find_program(&program, workspace)?;
        Some(match check_executable(&found) {
            Ok(()) => Ok(Arc::new(ExternalFactory::new(found, Vec::new(), program))),
            Err(e) => Err(format!("the connector program {program} was found but cannot be run: {e}")),
        })
    }
}

/// The factory of `exec:<command>`.
fn exec(command: &str, workspace: &Path) -> Result<ExternalFactory, String> {
    let usage = "write exec:<program> [args...], the program relative to the workspace; quote words with spaces in '...' or \"...\"";
    let words = shlex::split(command).ok_or_else(|| format!("unbalanced quotes in `{command}`: {usage}"))?;
    let Some((program, args)) = words.split_first() else {
        return Err(format!("no program after exec: ({usage})"));
    };
    let path = if program.contains('/') {
        workspace.join(program.strip_prefix("./").unwrap_or(program))
    } else {
        find_program(program, workspace).ok_or_else(|| {
            format!(
                "program {program} is neither in {} nor on PATH (a path with a / is taken relative to the workspace: exec:./{program})",
                caliper_core::state_dir::programs_dir(workspace).display()
            )
        })?
    };
    check_executable(&path).map_err(|e| format!("the connector program cannot be run: {e}"))?;
    Ok(ExternalFactory::new(path, args.to_vec(), format!("{EXEC_PREFIX}{command}")))
}

/// `name` in `<workspace>/.caliper/bin`, then in each directory of `PATH`.
fn find_program(name: &str, workspace: &Path) -> Option<PathBuf> {
    let local = caliper_core::state_dir::programs_dir(workspace);
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(local).chain(std::env::split_paths(&path)).map(|dir| dir.join(name)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executable(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn exec_takes_paths_relative_to_the_workspace_and_shell_quoting() {
        let ws = tempfile::tempdir().unwrap();
        executable(&ws.path().join("bin/my conn"));
        let f = exec(r#""./bin/my conn" --url 'http://x y' plain"#, ws.path()).unwrap();
        assert_eq!(f.program(), ws.path().join("bin/my conn"));
        assert_eq!(f.args(), ["--url", "http://x y", "plain"]);
    }

    #[test]
    fn exec_errors_say_how_to_fix_them() {
        let ws = tempfile::tempdir().unwrap();
        let err = |v| match ProgramResolver.resolve(v, ws.path()) {
            Some(Err(e)) => e,
            _ => panic!("{v} should be refused"),
        };
        assert!(err("exec:").contains("no program after exec:"));
        assert!(err("exec:./x 'open").contains("unbalanced quotes"));
        assert!(err("exec:./missing").contains("cannot be run"), "{}", err("exec:./missing"));
        assert!(err("exec:no-such-program-here").contains("nor on PATH"));
        std::fs::write(ws.path().join("plain"), "").unwrap();
        assert!(err("exec:./plain").contains("is not executable"), "{}", err("exec:./plain"));
    }

    #[test]
    fn a_plain_name_finds_its_program_in_the_workspace_or_leaves_the_value() {
        let ws = tempfile::tempdir().unwrap();
        executable(&ws.path().join(".caliper/bin/caliper-connector-fast-ledger"));
        assert!(matches!(ProgramResolver.resolve("fast-ledger", ws.path()), Some(Ok(_))));
        assert_eq!(
            find_program("caliper-connector-fast-ledger", ws.path()),
            Some(ws.path().join(".caliper/bin/caliper-connector-fast-ledger"))
        );
        assert!(ProgramResolver.resolve("slow-ledger", ws.path()).is_none());
        assert!(ProgramResolver.resolve("./x.js", ws.path()).is_none());
        // exec: bare names are found the same way.
        assert!(exec("caliper-connector-fast-ledger", ws.path()).is_ok());
    }
}
