//! Helpers of the integration tests: a workspace in a temporary folder, the `caliper` binary,
//! and the results file it leaves.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A benchmark workspace in a temporary folder.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// A workspace whose caliper.yaml names `bench.yaml` and `network.yaml`.
    pub fn new(bench: &str, network: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("bench.yaml"), bench).unwrap();
        std::fs::write(dir.path().join("network.yaml"), network).unwrap();
        std::fs::write(
            dir.path().join("caliper.yaml"),
            "caliper:\n  benchconfig: bench.yaml\n  networkconfig: network.yaml\n  progress:\n    reporting:\n      interval: 500\n",
        )
        .unwrap();
        Workspace { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `caliper launch manager --caliper-workspace <dir> <args>`.
    pub fn manager(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_caliper"));
        cmd.args(["launch", "manager", "--caliper-workspace"]).arg(self.path()).args(args);
        cmd.env_remove("RUST_LOG");
        cmd
    }

    /// `caliper check --caliper-workspace <dir> <args>`, run to its end (at most 60 s).
    pub fn check(&self, args: &[&str]) -> Output {
        check(self.path(), args)
    }

    /// Runs the manager to its end (at most `limit`), with its output.
    pub fn run(&self, args: &[&str], limit: Duration) -> Output {
        let child =
            self.manager(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("caliper runs");
        wait_output(child, limit)
    }

    /// The results file of the last run.
    pub fn results(&self) -> Value {
        let text = std::fs::read_to_string(self.file("results.json")).expect("results.json exists");
        serde_json::from_str(&text).expect("results.json is JSON")
    }
}

/// `caliper check --caliper-workspace <workspace> <args>`, run to its end (at most 60 s).
pub fn check(workspace: &Path, args: &[&str]) -> Output {
    let mut all = vec![OsStr::new("check"), OsStr::new("--caliper-workspace"), workspace.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    caliper(&all)
}

/// `caliper <args>`, run to its end (at most 60 s), with its output.
pub fn caliper<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caliper runs");
    wait_output(child, Duration::from_secs(60))
}

/// Copies the folder `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Waits for `child` at most `limit` (killing it then, and failing the test: a hang is a bug).
pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "caliper did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The exit code, or a test failure with the output when the process was killed by a signal.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or_else(|| panic!("killed by a signal: {}", show(out)))
}

pub fn exit_code(status: ExitStatus) -> Option<i32> {
    status.code()
}

/// stdout and stderr, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The direct children of process `pid`.
pub fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
                found.extend(text.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
            }
        }
    }
    found
}

/// Sends `signal` (such as "KILL" or "INT") to `pid`.
pub fn signal(pid: u32, signal: &str) {
    let status =
        Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().expect("kill runs");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// A network configuration for the sim connector with the given `sim` section (YAML flow
/// mapping body) and optional start/end commands.
pub fn sim_network(sim: &str) -> String {
    format!("caliper:\n  blockchain: sim\nsim: {{ {sim} }}\n")
}

/// The rounds of the results file.
pub fn rounds(results: &Value) -> &Vec<Value> {
    results["rounds"].as_array().expect("rounds is an array")
}

/// Every round accounts for every transaction: submitted = succ + fail.
pub fn assert_accounted(results: &Value) {
    for r in rounds(results) {
        if r["status"] == "notRun" {
            continue;
        }
        let (sub, succ, fail) =
            (r["submitted"].as_u64().unwrap(), r["succ"].as_u64().unwrap(), r["fail"].as_u64().unwrap());
        assert_eq!(sub, succ + fail, "round {} accounts for every transaction: {r}", r["label"]);
    }
}

/// Prints a line of the test's output (timings), shown with `--nocapture`.
#[allow(clippy::print_stdout, reason = "the real times are part of what these tests report")]
pub fn note(line: &str) {
    println!("{line}");
}

/// Waits until process `pid` (a manager) has `n` worker processes (children running
/// `caliper launch worker`: not a start or end command, nor a fork not yet turned into a
/// worker); returns their pids.
pub fn workers_of(pid: u32, n: usize) -> Vec<u32> {
    let is_worker = |kid: &u32| {
        std::fs::read(format!("/proc/{kid}/cmdline"))
            .is_ok_and(|c| c.windows(14).any(|w| w == b"launch\0worker\0"))
    };
    let start = Instant::now();
    loop {
        let kids: Vec<u32> = children(pid).into_iter().filter(is_worker).collect();
        if kids.len() >= n {
            return kids;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "workers did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether process `pid` still runs (a zombie does not).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Waits until none of `pids` runs, at most `limit`; returns how long that took.
pub fn wait_gone(pids: &[u32], limit: Duration) -> Duration {
    let start = Instant::now();
    while pids.iter().any(|p| alive(*p)) {
        assert!(start.elapsed() < limit, "processes {pids:?} still run after {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}
