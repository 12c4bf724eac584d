//! The `process` messenger: workers are child processes of the manager's binary, and
//! envelopes travel as JSON lines over their stdin and stdout. A worker's stderr carries its
//! log, which the manager re-emits labelled with the worker. A child that exits is reported as
//! lost the moment its stdout closes.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::framing::{encode, read_envelopes, read_sized_envelopes, write_lines};
use super::{
    Inbound, ManagerLink, ManagerSide, Messenger, MessengerError, Traffic, Transport, WorkerLink, WorkerSide,
};
use crate::message::{ALL, Envelope, Message};
use crate::settings::{Settings, keys};

/// How to start one worker process: normally this binary with `launch worker` and the
/// manager's own `--caliper-*` arguments.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// The worker processes of a run; closing waits for them to exit and kills stragglers.
pub struct ProcessWorkers {
    tasks: JoinSet<()>,
    kill: CancellationToken,
}

impl ProcessWorkers {
    /// Waits up to `grace` for every worker to exit (after `exit` was sent or the link
    /// dropped), then kills those still running.
    pub async fn close(mut self, grace: Duration) {
        let all_done = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all_done).await.is_err() {
            tracing::warn!("workers still running {grace:?} after exit; killing them");
            self.kill.cancel();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

/// The `process` messenger: the workers are child processes of the manager's binary, and
/// messages travel over their stdin and stdout.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessMessenger;

impl Messenger for ProcessMessenger {
    fn name(&self) -> &'static str {
        "process"
    }

    fn configure(&self, _settings: &Settings, remote: bool) -> Result<Arc<dyn Transport>, String> {
        if remote {
            return Err(format!(
                "{}: true needs a messenger that reaches workers started elsewhere (such as {}: mqtt); the process messenger forks local workers",
                keys::WORKER_REMOTE,
                keys::WORKER_COMMUNICATION_METHOD
            ));
        }
        Ok(Arc::new(ProcessMessenger))
    }
}

#[async_trait::async_trait]
impl Transport for ProcessMessenger {
    fn name(&self) -> &'static str {
        "process"
    }

    fn address(&self) -> Option<String> {
        None
    }

    fn remote(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        "process messenger (child processes of this binary)".into()
    }

    async fn connect_manager(
        &self,
        workers: usize,
        command: &WorkerCommand,
    ) -> Result<(ManagerLink, Box<dyn ManagerSide>), String> {
        let (link, processes) = spawn_process_workers(workers, command).map_err(|e| e.to_string())?;
        Ok((link, Box::new(processes)))
    }

    async fn connect_worker(&self) -> Result<(WorkerLink, Box<dyn WorkerSide>), String> {
        let (link, writer) = stdio_worker_link();
        Ok((link, Box::new(StdoutWriter(writer))))
    }
}

#[async_trait::async_trait]
impl ManagerSide for ProcessWorkers {
    async fn close(self: Box<Self>, grace: Duration) {
        ProcessWorkers::close(*self, grace).await;
    }
}

/// A worker's writer of its stdout, awaited so that every message is written before the
/// process exits.
struct StdoutWriter(tokio::task::JoinHandle<()>);

#[async_trait::async_trait]
impl WorkerSide for StdoutWriter {
    async fn close(self: Box<Self>) -> Result<(), String> {
        let _ = self.0.await;
        Ok(())
    }
}

/// Starts `count` worker processes and returns the manager's link to them.
pub fn spawn_process_workers(
    count: usize,
    command: &WorkerCommand,
) -> Result<(ManagerLink, ProcessWorkers), MessengerError> {
    let (in_tx, inbox) = mpsc::unbounded_channel();
    let (outbox, mut out_rx) = mpsc::unbounded_channel::<Envelope>();
    let traffic = Arc::new(Traffic::default());
    let Spawned { writers, mut workers, labels } =
        spawn_children(count, command, &in_tx, Some(traffic.clone()))?;
    // One serialisation per message, whatever the number of recipients.
    let sent = traffic.clone();
    workers.tasks.spawn(async move {
        while let Some(env) = out_rx.recv().await {
            if let Message::AssignId { worker_index } = env.message {
                let mut labels = labels.lock().unwrap_or_else(|p| p.into_inner());
                env.recipients.iter().for_each(|r| _ = labels.insert(r.clone(), worker_index));
            }
            let line: Arc<str> = encode(&env).into();
            for (id, writer) in &writers {
                if env.recipients.iter().any(|r| r == ALL || r == id) {
                    sent.sent.add(line.len());
                    let _ = writer.send(line.clone());
                }
            }
        }
    });
    let link = ManagerLink { id: format!("manager-{}", std::process::id()), outbox, inbox, traffic };
    Ok((link, workers))
}

/// Worker processes just started.
pub struct Spawned {
    /// Each worker's id (its process id) and the writer of its stdin (process messenger).
    pub writers: Vec<(String, mpsc::UnboundedSender<Arc<str>>)>,
    /// The processes.
    pub workers: ProcessWorkers,
    /// Worker indexes by process id, for the labels of their log lines.
    pub labels: Labels,
}

/// Starts `count` worker processes whose log is re-emitted labelled and whose exit is
/// reported on `inbox` as [`Inbound::Lost`] under their process id. With `pipes` (the process
/// messenger, counting into the traffic given), envelopes travel over their stdin and stdout;
/// without, those are closed (the workers talk through a broker).
pub fn spawn_children(
    count: usize,
    command: &WorkerCommand,
    inbox: &mpsc::UnboundedSender<Inbound>,
    pipes: Option<Arc<Traffic>>,
) -> Result<Spawned, MessengerError> {
    let kill = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let mut writers: Vec<(String, mpsc::UnboundedSender<Arc<str>>)> = Vec::new();
    let labels = Labels::default();
    let stdio = || if pipes.is_some() { Stdio::piped() } else { Stdio::null() };
    for _ in 0..count {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .current_dir(&command.cwd)
            .envs(command.env.iter().cloned())
            .stdin(stdio())
            .stdout(stdio())
            .stderr(Stdio::piped())
            // Own process group: a Ctrl-C at the terminal reaches the manager only, which
            // stops the workers in order.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| MessengerError::Spawn {
                program: command.program.display().to_string(),
                source,
            })?;
        let id = child.id().map(|p| p.to_string()).unwrap_or_default();
        let (line_tx, line_rx) = mpsc::unbounded_channel();
        if let Some(stdin) = child.stdin.take() {
            tasks.spawn(write_lines(stdin, line_rx));
        }
        if let Some(stderr) = child.stderr.take() {
            tasks.spawn(forward_log(id.clone(), stderr, labels.clone()));
        }
        tasks.spawn(watch_child(id.clone(), child, inbox.clone(), kill.clone(), pipes.clone()));
        writers.push((id, line_tx));
    }
    Ok(Spawned { writers, workers: ProcessWorkers { tasks, kill }, labels })
}

async fn watch_child(
    id: String,
    mut child: Child,
    inbox: mpsc::UnboundedSender<Inbound>,
    kill: CancellationToken,
    traffic: Option<Arc<Traffic>>,
) {
    if let Some(stdout) = child.stdout.take() {
        let mut envelopes = std::pin::pin!(read_sized_envelopes(stdout));
        loop {
            tokio::select! {
                env = envelopes.next() => match env {
                    Some((env, len)) => {
                        if let Some(t) = &traffic {
                            t.received.add(len);
                        }
                        let _ = inbox.send(Inbound::Message(env));
                    }
                    None => break,
                },
                _ = kill.cancelled() => { let _ = child.start_kill(); break; }
            }
        }
    }
    let reason = tokio::select! {
        status = child.wait() => match status {
            Ok(status) => format!("worker process {id} exited ({status})"),
            Err(err) => format!("worker process {id} cannot be waited for: {err}"),
        },
        _ = kill.cancelled() => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            format!("worker process {id} was killed")
        }
    };
    let _ = inbox.send(Inbound::Lost { id, reason });
}

/// Worker indexes by process id, learnt from the `assignId` messages sent to them.
pub type Labels = Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>;

/// Re-emits a worker's log lines at their level, labelled with the worker's index once it has
/// one (its process id before).
async fn forward_log(pid: String, stderr: tokio::process::ChildStderr, labels: Labels) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let index = labels.lock().unwrap_or_else(|p| p.into_inner()).get(&pid).copied();
        let id = match index {
            Some(i) => format!("worker {i}"),
            None => format!("worker pid {pid}"),
        };
        let trimmed = line.trim_start();
        let (level, rest) = trimmed.split_once(' ').unwrap_or(("", trimmed));
        let rest = rest.trim_start();
        match level {
            "ERROR" => tracing::error!(target: "caliper::worker", "[{id}] {rest}"),
            "WARN" => tracing::warn!(target: "caliper::worker", "[{id}] {rest}"),
            "DEBUG" => tracing::debug!(target: "caliper::worker", "[{id}] {rest}"),
            "TRACE" => tracing::trace!(target: "caliper::worker", "[{id}] {rest}"),
            "INFO" => tracing::info!(target: "caliper::worker", "[{id}] {rest}"),
            _ => tracing::info!(target: "caliper::worker", "[{id}] {trimmed}"),
        }
    }
}

/// A worker's link over its own stdin and stdout (stdout carries nothing but envelopes; the
/// log goes to stderr). Await the returned handle after dropping the link's outbox, so every
/// message is written before the process exits.
pub fn stdio_worker_link() -> (WorkerLink, tokio::task::JoinHandle<()>) {
    let (in_tx, inbox) = mpsc::unbounded_channel();
    let (outbox, mut out_rx) = mpsc::unbounded_channel::<Envelope>();
    tokio::spawn(async move {
        let mut envelopes = std::pin::pin!(read_envelopes(tokio::io::stdin()));
        while let Some(env) = envelopes.next().await {
            if in_tx.send(env).is_err() {
                break;
            }
        }
    });
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let mut stdout = tokio::io::stdout();
        while let Some(env) = out_rx.recv().await {
            if stdout.write_all(encode(&env).as_bytes()).await.is_err() || stdout.flush().await.is_err() {
                break;
            }
        }
    });
    (WorkerLink { id: std::process::id().to_string(), outbox, inbox, traffic: Arc::default() }, writer)
}
