//! Which processes an item of `processes` stands for.

use std::path::Path;

use super::options::ProcessSpec;

/// What the matching looks at in one process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProcessView<'a> {
    /// The kernel's name of the process (on Linux, `comm`: at most 15 characters).
    pub(crate) name: &'a str,
    /// Its command line, argv[0] first.
    pub(crate) cmd: &'a [String],
    /// Its executable, when readable.
    pub(crate) exe: Option<&'a Path>,
}

fn file_name(path: &str) -> &str {
    Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or(path)
}

/// Whether `process` is one of `spec`'s: its name, or the file name of its argv[0] or of its
/// executable, equals `command` (argv[0] and the executable because the name is cut at 15
/// characters on Linux), and its arguments joined with spaces contain `arguments`.
pub(crate) fn matches(spec: &ProcessSpec, process: ProcessView<'_>) -> bool {
    let command = spec.command.as_str();
    let by_name = process.name == command
        || process.cmd.first().is_some_and(|argv0| argv0 == command || file_name(argv0) == command)
        || process.exe.and_then(|e| e.file_name()).and_then(|n| n.to_str()) == Some(command);
    if !by_name {
        return false;
    }
    match &spec.arguments {
        None => true,
        Some(wanted) => process.cmd.get(1..).unwrap_or_default().join(" ").contains(wanted.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{ProcessView, matches};
    use crate::process::options::{MultiOutput, ProcessSpec};

    fn spec(command: &str, arguments: Option<&str>) -> ProcessSpec {
        ProcessSpec { command: command.into(), arguments: arguments.map(Into::into), multi: MultiOutput::Sum }
    }

    fn cmd(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn matches_by_name_argv0_or_executable_and_arguments() {
        let busy = cmd(&["/bin/sh", "-c", "while :; do :; done", "marker-42"]);
        let sh = ProcessView { name: "sh", cmd: &busy, exe: Some(Path::new("/usr/bin/dash")) };
        assert!(matches(&spec("sh", None), sh));
        assert!(matches(&spec("sh", Some("marker-42")), sh));
        assert!(matches(&spec("/bin/sh", Some("do :; done")), sh));
        assert!(matches(&spec("dash", None), sh));
        assert!(!matches(&spec("sh", Some("marker-43")), sh));
        assert!(!matches(&spec("s", None), sh), "a prefix is not the name");
        // Linux cuts names at 15 characters; argv[0] still has the whole name.
        let long = cmd(&["./target/a-very-long-program-name", "--flag"]);
        let cut = ProcessView { name: "a-very-long-pro", cmd: &long, exe: None };
        assert!(matches(&spec("a-very-long-program-name", Some("--flag")), cut));
        // A kernel thread has no command line: only its name can match, and no arguments.
        let kthread = ProcessView { name: "kworker", cmd: &[], exe: None };
        assert!(matches(&spec("kworker", None), kthread));
        assert!(!matches(&spec("kworker", Some("x")), kthread));
    }
}
