//! Child processes of the network: how each is started (kept, so a killed peer can be started
//! again as it was), its log file, and waits on loopback ports.

use std::ffi::OsString;
use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::net::http_get;

/// How to start one long-running program.
#[derive(Debug, Clone)]
pub struct Spawn {
    /// What the logs and errors call it (`orderer`, `peer0.org1.example.com`).
    pub name: String,
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its environment on top of this process's.
    pub env: Vec<(String, OsString)>,
    /// Its working folder.
    pub cwd: PathBuf,
    /// Where its stdout and stderr go (appended: a restart keeps the earlier lines).
    pub log: PathBuf,
}

/// A long-running program of the network; dropping it kills the process.
#[derive(Debug)]
pub struct Node {
    /// How it is started.
    pub spawn: Spawn,
    child: Option<Child>,
}

impl Node {
    /// Starts `spawn`'s program.
    pub fn start(spawn: Spawn) -> Result<Node, String> {
        let mut node = Node { spawn, child: None };
        node.restart()?;
        Ok(node)
    }

    /// Starts the program again when it is not running.
    pub fn restart(&mut self) -> Result<(), String> {
        if self.is_running() {
            return Ok(());
        }
        let s = &self.spawn;
        let log = File::options()
            .create(true)
            .append(true)
            .open(&s.log)
            .map_err(|e| format!("cannot open {}: {e}", s.log.display()))?;
        let err = log.try_clone().map_err(|e| format!("cannot share {}: {e}", s.log.display()))?;
        let child = Command::new(&s.program)
            .args(&s.args)
            .envs(s.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&s.cwd)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {} ({}): {e}", s.name, s.program.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Whether the process is alive.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The process id, while it runs.
    pub fn pid(&mut self) -> Option<u32> {
        if self.is_running() { self.child.as_ref().map(Child::id) } else { None }
    }

    /// Kills the process (SIGKILL, by its PID) and reaps it; nothing when it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits until `ready` holds, failing early when the process exits; the error quotes the
    /// end of its log.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        ready: impl Fn() -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if ready() {
                return Ok(());
            }
            if !self.is_running() {
                return Err(format!(
                    "{} exited before {what}\n{}",
                    self.spawn.name,
                    log_tail(&self.spawn.log)
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} not {what} within {timeout:?}\n{}",
                    self.spawn.name,
                    log_tail(&self.spawn.log)
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether `GET /healthz` on the operations port answers 200.
pub fn healthy(port: u16) -> bool {
    http_get(port, "/healthz").is_some_and(|(status, _)| status == 200)
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_millis(500)).is_ok()
}

/// The last lines of a log file, for an error message.
pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(30)..].join("\n");
    format!("--- last lines of {} ---\n{tail}", path.display())
}

/// Runs a short command to its end: its stdout and stderr, or an error with the command line
/// and its output.
pub fn run(cmd: &mut Command) -> Result<(String, String), String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    check(cmd, out)
}

/// [`run`]'s verdict on a finished command.
pub fn check(cmd: &Command, out: Output) -> Result<(String, String), String> {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok((stdout, String::from_utf8_lossy(&out.stderr).into_owned()))
    } else {
        Err(format!(
            "{:?} {:?} failed ({}):\n{stdout}{}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
