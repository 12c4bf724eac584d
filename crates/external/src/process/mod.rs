//! [`ExternalProcess`]: one connector program, started, greeted and spoken to.
//!
//! # For a host of another kind (the Node.js sidecar)
//!
//! The sidecar is a program that speaks this protocol with the `workload` feature. Its Rust
//! side starts it with [`ExternalProcess::start`], offering the feature in
//! [`ProcessSpec::features`]; checks [`ExternalProcess::has_feature`]; creates the connector
//! with [`ExternalProcess::create`]; makes Caliper's calls with [`ExternalProcess::call`]
//! (`getContext`, `initializeWorkloadModule`, `cleanupWorkloadModule`, ...). Its workload module
//! calls [`ExternalProcess::submit`] once per transaction (the host batches every submit of a
//! scheduler turn into one `submit` frame); the child's `events` frames feed the sink given
//! to `start`, so the statistics come from the child as in Caliper. Its `Connector` answers
//! [`caliper_core::Connector::failure`] with [`ExternalProcess::failure`], so a child that
//! crashes or falls silent fails the round, and replaces a failed process at the next call,
//! as [`crate::ExternalConnector`] does. `send_requests` serves connectors whose workload runs
//! in Rust.

mod io;
mod pending;
mod state;

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use caliper_core::connector::{TxSink, TxStatus};
use caliper_core::time::{intended_send_time, now_micros};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::ChildStdout;
use tokio::sync::{Notify, oneshot, watch};

use self::pending::{Answer, PendingRequest};
use self::state::Shared;
use crate::error::HostError;
use crate::protocol::{self, ChildFrame, Create, HostFrame};
use crate::stderr::{self, StderrTail};

/// How long a child has to say `hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a child has to exit after `exit` before it is killed.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to start a connector program.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    /// The program to run.
    pub program: PathBuf,
    /// Its arguments (nothing is added).
    pub args: Vec<String>,
    /// Its working directory (the workspace).
    pub cwd: PathBuf,
    /// Environment variables set for it, beside caliper's own environment and
    /// `CALIPER_CONNECTOR_PROTOCOL` (such as `NODE_PATH` for a Node.js host).
    pub env: Vec<(String, String)>,
    /// How messages and logs name it, such as `exec:./conn.py`.
    pub name: String,
    /// The worker index it serves (-1: the manager).
    pub worker_index: i64,
    /// The features the host offers (see [`protocol::HOST_FEATURES`]); the child's `hello`
    /// decides which are confirmed.
    pub features: Vec<&'static str>,
    /// How long `hello` may take.
    pub hello_timeout: Duration,
    /// How long a control call may take (`caliper-connector-call-timeout`).
    pub call_timeout: Duration,
    /// How long the child may stay silent while transactions are outstanding before it is
    /// declared to have stopped answering (the round's drain timeout).
    pub silence_limit: Duration,
}

impl ProcessSpec {
    /// A program with the default deadlines and no features offered.
    pub fn new(
        program: impl Into<PathBuf>,
        args: Vec<String>,
        cwd: impl Into<PathBuf>,
        name: impl Into<String>,
        worker_index: i64,
    ) -> Self {
        ProcessSpec {
            program: program.into(),
            args,
            cwd: cwd.into(),
            env: Vec::new(),
            name: name.into(),
            worker_index,
            features: Vec::new(),
            hello_timeout: HELLO_TIMEOUT,
            call_timeout: Duration::from_secs(120),
            silence_limit: Duration::from_secs(30),
        }
    }

    /// ``connector program `name` (worker 0)``, how every message names the child.
    pub fn label(&self) -> String {
        let whose = match self.worker_index {
            i if i < 0 => "manager".to_string(),
            i => format!("worker {i}"),
        };
        format!("connector program `{}` ({whose})", self.name)
    }
}

/// What the child said in its `hello`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildInfo {
    /// Its `impl` (name and version), if given.
    pub implementation: Option<String>,
    /// The features both sides have.
    pub features: Vec<String>,
    /// The most requests it wants outstanding.
    pub max_in_flight: u64,
}

/// A running connector program. Dropping it asks the child to exit (and kills it after
/// [`EXIT_TIMEOUT`]).
pub struct ExternalProcess {
    shared: Arc<Shared>,
    info: ChildInfo,
    exit: watch::Receiver<Option<ExitStatus>>,
}

impl ExternalProcess {
    /// Starts the program, waits for its `hello` (at most [`ProcessSpec::hello_timeout`]) and
    /// answers it; its events go to `sink`. A program that sends no hello, another protocol
    /// or another version is ended and reported, each with its own message.
    pub async fn start(spec: &ProcessSpec, sink: Arc<dyn TxSink>) -> Result<ExternalProcess, HostError> {
        let label = spec.label();
        let spawn_error = |source| HostError::Spawn { program: label.clone(), source };
        let mut child = tokio::process::Command::new(&spec.program)
            .args(&spec.args)
            .current_dir(&spec.cwd)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .env(protocol::PROTOCOL_ENV, protocol::VERSION.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(spawn_error(std::io::Error::other("its standard streams could not be opened")));
        };
        let tail = stderr::relay(stderr, Arc::from(spec.name.as_str()), spec.worker_index);
        let mut stdout = BufReader::with_capacity(256 * 1024, stdout);
        let kill = Arc::new(Notify::new());
        let (exit_tx, exit) = watch::channel(None);
        tokio::spawn(io::supervise(child, kill.clone(), exit_tx));
        let info = match handshake(&label, spec, &mut stdout, exit.clone(), tail.clone()).await {
            Ok(info) => info,
            Err(err) => {
                kill.notify_one();
                return Err(err);
            }
        };
        let reply = HostFrame::Hello {
            protocol: protocol::PROTOCOL,
            version: protocol::VERSION,
            features: info.features.iter().map(String::as_str).collect(),
        };
        let mut line = serde_json::to_vec(&reply).unwrap_or_default();
        line.push(b'\n');
        if let Err(e) = stdin.write_all(&line).await {
            kill.notify_one();
            return Err(HostError::Gone(format!("the {label} closed its input after its hello ({e})")));
        }
        tracing::debug!(
            "{label} speaks caliper-connector {} ({}), features {:?}, maxInFlight {}",
            protocol::VERSION,
            info.implementation.as_deref().unwrap_or("no impl given"),
            info.features,
            info.max_in_flight
        );
        let shared = Arc::new(Shared::new(
            label,
            sink,
            kill,
            info.max_in_flight,
            spec.call_timeout,
            spec.silence_limit,
        ));
        tokio::spawn(io::write_loop(shared.clone(), stdin));
        tokio::spawn(io::read_loop(shared.clone(), stdout, exit.clone(), tail));
        Ok(ExternalProcess { shared, info, exit })
    }

    /// What the child said in its `hello`.
    pub fn info(&self) -> &ChildInfo {
        &self.info
    }

    /// Whether both sides have `feature`.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.info.features.iter().any(|f| f == feature)
    }

    /// ``connector program `name` (worker 0)``.
    pub fn label(&self) -> &str {
        &self.shared.label
    }

    /// Sends `create`; returns the connector's type from `created`.
    pub async fn create(&self, create: &Create<'_>) -> Result<String, HostError> {
        let frame = frame(&HostFrame::Create(Box::new(*create)));
        let rx = {
            let mut st = self.shared.lock();
            if let Some(dead) = &st.dead {
                return Err(HostError::Gone(dead.to_string()));
            }
            let (tx, rx) = oneshot::channel();
            st.create = Some(tx);
            st.control.push(frame);
            rx
        };
        self.shared.wake_writer.notify_one();
        self.await_answer("create", rx).await
    }

    /// Makes one of Caliper's connector calls and waits for its `return` (at most the call
    /// deadline); an `error` frame is [`HostError::Call`] with the child's message and class.
    pub async fn call(&self, method: &str, args: &[Value]) -> Result<Value, HostError> {
        let rx = {
            let mut st = self.shared.lock();
            if let Some(dead) = &st.dead {
                return Err(HostError::Gone(dead.to_string()));
            }
            st.next_id += 1;
            let id = st.next_id;
            let (tx, rx) = oneshot::channel();
            st.calls.insert(id, (method.to_string(), tx));
            st.control.push(frame(&HostFrame::Call { id, method, args }));
            rx
        };
        self.shared.wake_writer.notify_one();
        self.await_answer(method, rx).await
    }

    async fn await_answer<T>(
        &self,
        method: &str,
        rx: oneshot::Receiver<Result<T, HostError>>,
    ) -> Result<T, HostError> {
        match tokio::time::timeout(self.shared.call_timeout, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(HostError::Gone(
                self.failure().unwrap_or_else(|| format!("the {} is gone", self.label())),
            )),
            Err(_) => {
                let err = HostError::CallTimeout {
                    program: self.label().to_string(),
                    method: method.to_string(),
                    after: self.shared.call_timeout,
                    key: caliper_core::settings::keys::CONNECTOR_CALL_TIMEOUT,
                };
                // A program that ignores a call is stuck: it is replaced at the next call.
                self.kill(&err.to_string());
                Err(err)
            }
        }
    }

    /// Sends one request (a JSON object) or several (an array) on the hot path and returns a
    /// status for each, in order; emits `txs_submitted` at once and `txs_finished` when the
    /// answer arrives. Requests of one scheduler turn share one `send` frame. A child that
    /// is gone answers at once with failed statuses of class `crashed`.
    pub async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        let count = match &requests {
            Value::Array(batch) => batch.len() as u32,
            _ => 1,
        };
        let created = now_micros();
        let intended = intended_send_time();
        let sink = &self.shared.sink;
        sink.txs_submitted(count as u64);
        let rid = {
            let mut st = self.shared.lock();
            if st.dead.is_some() {
                drop(st);
                let statuses = state::crashed(count, created, intended, now_micros());
                sink.txs_finished(&statuses);
                return statuses;
            }
            let rid = st.requests.next_id();
            st.requests.push(PendingRequest::new(count, created, intended));
            if st.outbox.is_empty() {
                self.shared.wake_writer.notify_one();
            }
            st.outbox.push_back((rid, requests));
            rid
        };
        Answer { shared: &self.shared, rid, done: false }.await
    }

    /// Workload mode: asks the child to call `submitTransaction()` once; resolves when that
    /// promise settles (an error is the module's error). Every submit of a scheduler turn
    /// shares one `submit` frame.
    pub async fn submit(&self) -> Result<(), HostError> {
        let rx = {
            let mut st = self.shared.lock();
            if let Some(dead) = &st.dead {
                return Err(HostError::Gone(dead.to_string()));
            }
            st.next_id += 1;
            let tid = st.next_id;
            let (tx, rx) = oneshot::channel();
            if st.submitted.is_empty() && st.events_open == 0 && st.written == 0 {
                st.waiting_since = Instant::now();
            }
            st.submitted.insert(tid, tx);
            if st.submits.is_empty() {
                self.shared.wake_writer.notify_one();
            }
            st.submits.push_back(tid);
            rx
        };
        rx.await.unwrap_or_else(|_| Err(HostError::Gone(format!("the {} is gone", self.label()))))
    }

    /// Why the child is gone (crashed, stopped answering, stopped), or `None` while it is
    /// healthy. A child silent for [`ProcessSpec::silence_limit`] while transactions are
    /// outstanding is declared gone here. Cheap: one uncontended lock.
    pub fn failure(&self) -> Option<String> {
        self.shared.failure()
    }

    /// Ends the child now: everything outstanding fails with `reason`.
    pub fn kill(&self, reason: &str) {
        self.shared.lock().closing = true;
        self.shared.fail_all(reason);
        self.shared.kill.notify_one();
    }

    /// Asks the child to exit (`exit`, then stdin closes) and waits for it, at most
    /// [`EXIT_TIMEOUT`]; then it is killed.
    pub async fn shutdown(&self) {
        self.request_exit();
        let mut exit = self.exit.clone();
        if tokio::time::timeout(EXIT_TIMEOUT, exit.wait_for(Option::is_some)).await.is_err() {
            self.shared.kill.notify_one();
        }
    }

    fn request_exit(&self) {
        let mut st = self.shared.lock();
        if st.exit_queued {
            return;
        }
        st.closing = true;
        st.exit_queued = true;
        st.control.push(frame(&HostFrame::Exit));
        drop(st);
        self.shared.wake_writer.notify_one();
        let shared = self.shared.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(EXIT_TIMEOUT).await;
                shared.kill.notify_one();
            });
        }
    }
}

impl Drop for ExternalProcess {
    fn drop(&mut self) {
        self.request_exit();
    }
}

/// A frame as one line.
fn frame(frame: &HostFrame<'_>) -> Vec<u8> {
    // Serialising these types cannot fail: every map key is a string.
    let mut line = serde_json::to_vec(frame).unwrap_or_default();
    line.push(b'\n');
    line
}

/// Reads the child's first line: it must be this protocol's `hello`, in this version.
async fn handshake(
    label: &str,
    spec: &ProcessSpec,
    stdout: &mut BufReader<ChildStdout>,
    mut exit: watch::Receiver<Option<ExitStatus>>,
    mut tail: StderrTail,
) -> Result<ChildInfo, HostError> {
    let program = || label.to_string();
    let mut line = Vec::new();
    let read = loop {
        line.clear();
        match tokio::time::timeout(spec.hello_timeout, stdout.read_until(b'\n', &mut line)).await {
            Ok(Ok(n)) if n > 0 && line.iter().all(u8::is_ascii_whitespace) => continue,
            other => break other,
        }
    };
    match read {
        Err(_) => {
            tail.settle(Duration::from_millis(100)).await;
            return Err(HostError::NoHello {
                program: program(),
                after: spec.hello_timeout,
                stderr: tail.suffix(),
            });
        }
        Ok(Ok(0)) | Ok(Err(_)) => {
            let status = io::exit_status(&mut exit, Duration::from_secs(1)).await;
            let how = status.map(io::describe_exit).unwrap_or_else(|| "closed its output".into());
            tail.settle(Duration::from_millis(500)).await;
            return Err(HostError::EndedBeforeHello { program: program(), how, stderr: tail.suffix() });
        }
        Ok(Ok(_)) => {}
    }
    let bytes = line.strip_suffix(b"\n").unwrap_or(&line);
    let hello: ChildFrame = match serde_json::from_slice::<ChildFrame>(bytes) {
        Ok(frame) if frame.t == "hello" => frame,
        _ => return Err(HostError::NotHello { program: program(), line: io::excerpt(bytes) }),
    };
    if hello.protocol.as_deref() != Some(protocol::PROTOCOL) {
        let protocol = serde_json::to_string(&hello.protocol).unwrap_or_default();
        return Err(HostError::WrongProtocol { program: program(), protocol });
    }
    let version = hello.version.unwrap_or(Value::Null);
    if version.as_u64() != Some(protocol::VERSION) {
        return Err(HostError::WrongVersion { program: program(), version: version.to_string() });
    }
    let offered = hello.features.unwrap_or_default();
    Ok(ChildInfo {
        implementation: hello.implementation,
        features: offered.into_iter().filter(|f| spec.features.contains(&f.as_str())).collect(),
        max_in_flight: hello.max_in_flight.unwrap_or(protocol::DEFAULT_MAX_IN_FLIGHT).max(1),
    })
}
