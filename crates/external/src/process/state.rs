//! What the host keeps about one child: what waits to be written, what waits for an answer,
//! and whether the child is gone. One lock guards it; the worker's thread, the reader and the
//! writer take it for a few hundred nanoseconds per frame or per request.

use std::collections::{HashMap, VecDeque};

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use caliper_core::connector::{ErrorClass, TxSink, TxStatus};
use caliper_core::time::now_micros;
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

use super::pending::{PendingRequest, Requests};
use crate::error::HostError;
use crate::protocol::{ChildFrame, Outcome};

/// The message of every status failed because the child died (the round's failure message
/// says why at length; this one is repeated per transaction, so it stays short).
const CRASHED: &str = "the connector program crashed before it answered";

type CallReply = oneshot::Sender<Result<Value, HostError>>;

/// Everything under the lock.
pub(super) struct State {
    pub next_id: u64,
    /// Requests to write, in order.
    pub outbox: VecDeque<(u64, Value)>,
    /// Control frames to write, each ended by a newline.
    pub control: Vec<Vec<u8>>,
    /// Submit ids to write (workload mode).
    pub submits: VecDeque<u64>,
    /// Whether `exit` is among the control frames: the writer closes stdin after it.
    pub exit_queued: bool,
    pub requests: Requests,
    /// Requests written and not answered (with `submits_written`, never above the child's
    /// `maxInFlight`).
    pub written: u64,
    /// Submit ticks written and not answered: the child's `maxInFlight` bounds them with the
    /// requests, so a workload-mode child is never handed more than it asked for.
    pub submits_written: u64,
    pub calls: HashMap<u64, (String, CallReply)>,
    pub create: Option<oneshot::Sender<Result<String, HostError>>>,
    pub submitted: HashMap<u64, oneshot::Sender<Result<(), HostError>>>,
    /// Workload mode: transactions the child reported submitted and not yet finished.
    pub events_open: u64,
    /// Since when the host has waited without hearing from the child.
    pub waiting_since: Instant,
    /// Why the child is gone (crashed, stopped answering, stopped by the host).
    pub dead: Option<Arc<str>>,
    /// The host is ending the child: its exit is no failure.
    pub closing: bool,
}

/// The state and what every task of the child shares.
pub(super) struct Shared {
    /// ``connector program `x` (worker 0)``.
    pub label: String,
    pub state: Mutex<State>,
    pub wake_writer: Notify,
    /// Asks the supervisor to kill the child.
    pub kill: Arc<Notify>,
    pub sink: Arc<dyn TxSink>,
    pub max_in_flight: u64,
    pub call_timeout: Duration,
    pub silence_limit: Duration,
}

impl Shared {
    pub fn new(
        label: String,
        sink: Arc<dyn TxSink>,
        kill: Arc<Notify>,
        max_in_flight: u64,
        call_timeout: Duration,
        silence_limit: Duration,
    ) -> Self {
        Shared {
            label,
            state: Mutex::new(State {
                next_id: 0,
                outbox: VecDeque::new(),
                control: Vec::new(),
                submits: VecDeque::new(),
                exit_queued: false,
                requests: Requests::default(),
                written: 0,
                submits_written: 0,
                calls: HashMap::new(),
                create: None,
                submitted: HashMap::new(),
                events_open: 0,
                waiting_since: Instant::now(),
                dead: None,
                closing: false,
            }),
            wake_writer: Notify::new(),
            kill,
            sink,
            max_in_flight: max_in_flight.max(1),
            call_timeout,
            silence_limit,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics under this lock, but a poisoned one still holds consistent tables.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The child's failure, if it is gone or has stopped answering (then it is declared gone:
    /// what is sent later fails at once, and the owner replaces it).
    pub fn failure(&self) -> Option<String> {
        let mut st = self.lock();
        if let Some(dead) = &st.dead {
            return Some(dead.to_string());
        }
        // Calls have their own deadline (an install may take minutes); transactions do not.
        let outstanding = st.written + st.submitted.len() as u64 + st.events_open;
        let silent = st.waiting_since.elapsed();
        if outstanding == 0 || silent < self.silence_limit {
            return None;
        }
        let message = format!(
            "the {} stopped answering: nothing from it for {:.1} s while {outstanding} request(s) were outstanding; they end as timeouts at the drain deadline, and a new program is started for the next round",
            self.label,
            silent.as_secs_f64()
        );
        st.dead = Some(Arc::from(message.as_str()));
        Some(message)
    }

    /// Handles one frame of the child; an error is a protocol violation that ends it.
    pub fn dispatch(&self, frame: ChildFrame) -> Result<(), String> {
        let mut st = self.lock();
        st.waiting_since = Instant::now();
        match frame.t.as_str() {
            "done" => {
                let res = frame.res.ok_or("a done frame without res")?;
                for (rid, outcome) in res {
                    let Some(pending) = st.requests.get_mut(rid).filter(|p| p.answer.is_none()) else {
                        tracing::debug!("{}: an answer for unknown request {rid} ignored", self.label);
                        continue;
                    };
                    if pending.waiting {
                        let statuses = statuses_of(outcome, pending);
                        self.sink.txs_finished(&statuses);
                        pending.answer(statuses);
                    } else {
                        st.requests.remove(rid);
                    }
                    st.written = st.written.saturating_sub(1);
                }
                if !st.outbox.is_empty() {
                    self.wake_writer.notify_one();
                }
            }
            "return" => {
                let id = frame.id.ok_or("a return frame without id")?;
                if let Some((_, reply)) = st.calls.remove(&id) {
                    let _ = reply.send(Ok(frame.value.unwrap_or(Value::Null)));
                }
            }
            "error" => {
                let message = frame.message.unwrap_or_else(|| "(no message)".into());
                let class = class_of(frame.class.as_deref());
                if let Some(stack) = &frame.stack {
                    tracing::debug!("{}: {message}\n{stack}", self.label);
                }
                let error = |method: String| HostError::Call {
                    program: self.label.clone(),
                    method,
                    message: message.clone(),
                    class,
                };
                match frame.id {
                    Some(id) => {
                        if let Some((method, reply)) = st.calls.remove(&id) {
                            let _ = reply.send(Err(error(method)));
                        }
                    }
                    None => match st.create.take() {
                        Some(reply) => {
                            let _ = reply.send(Err(error("create".into())));
                        }
                        None => tracing::error!("{}: {message}", self.label),
                    },
                }
            }
            "created" => {
                let kind = frame.kind.ok_or("a created frame without type")?;
                if let Some(reply) = st.create.take() {
                    let _ = reply.send(Ok(kind));
                }
            }
            "submitted" => {
                let res = frame.res.ok_or("a submitted frame without res")?;
                for (tid, outcome) in res {
                    let Some(reply) = st.submitted.remove(&tid) else { continue };
                    st.submits_written = st.submits_written.saturating_sub(1);
                    let result = match outcome {
                        Outcome::Error(e) => Err(HostError::Call {
                            program: self.label.clone(),
                            method: "submitTransaction".into(),
                            message: match e.stack {
                                Some(stack) => format!("{}\n{stack}", e.error),
                                None => e.error,
                            },
                            class: ErrorClass::Workload,
                        }),
                        _ => Ok(()),
                    };
                    let _ = reply.send(result);
                }
                if !st.submits.is_empty() {
                    self.wake_writer.notify_one();
                }
            }
            "events" => {
                if let Some(n) = frame.submitted.filter(|n| *n > 0) {
                    st.events_open += n;
                    self.sink.txs_submitted(n);
                }
                if let Some(finished) = frame.finished.filter(|f| !f.is_empty()) {
                    st.events_open = st.events_open.saturating_sub(finished.len() as u64);
                    let statuses: Vec<TxStatus> = finished.into_iter().map(|s| s.into_status(None)).collect();
                    self.sink.txs_finished(&statuses);
                }
            }
            "hello" => return Err("a second hello".into()),
            other => return Err(format!("unknown message type {other:?}")),
        }
        Ok(())
    }

    /// The child is gone: records why (the first reason wins) and fails everything that
    /// waits for it. Requests fail with class `crashed` (counted in the statistics), calls
    /// and submits with the message.
    pub fn fail_all(&self, message: &str) {
        let mut st = self.lock();
        let message: Arc<str> = st.dead.get_or_insert_with(|| Arc::from(message)).clone();
        st.outbox.clear();
        st.submits.clear();
        st.written = 0;
        st.submits_written = 0;
        let now = now_micros();
        let mut abandoned = Vec::new();
        for (rid, pending) in st.requests.iter_mut() {
            if !pending.waiting {
                abandoned.push(rid);
            } else if pending.answer.is_none() {
                let statuses = crashed(pending.count, pending.created, pending.intended, now);
                self.sink.txs_finished(&statuses);
                pending.answer(statuses);
            }
        }
        for rid in abandoned {
            st.requests.remove(rid);
        }
        if st.events_open > 0 {
            let statuses = crashed(st.events_open.min(u32::MAX as u64) as u32, now, None, now);
            st.events_open = 0;
            self.sink.txs_finished(&statuses);
        }
        for (_, (_, reply)) in st.calls.drain() {
            let _ = reply.send(Err(HostError::Gone(message.to_string())));
        }
        for (_, reply) in st.submitted.drain() {
            let _ = reply.send(Err(HostError::Gone(message.to_string())));
        }
        if let Some(reply) = st.create.take() {
            let _ = reply.send(Err(HostError::Gone(message.to_string())));
        }
        self.wake_writer.notify_one();
    }
}

/// `count` statuses failed with class `crashed`.
pub(super) fn crashed(count: u32, created: u64, intended: Option<u64>, now: u64) -> Vec<TxStatus> {
    (0..count)
        .map(|_| {
            let mut s = TxStatus::created_at(String::new(), created);
            s.time_intended = intended;
            s.set_failed(now, ErrorClass::Crashed, CRASHED);
            s
        })
        .collect()
}

fn class_of(name: Option<&str>) -> ErrorClass {
    name.and_then(ErrorClass::from_name).unwrap_or(ErrorClass::Other)
}

/// The statuses of one `done` entry: exactly one per request object.
fn statuses_of(outcome: Outcome, pending: &PendingRequest) -> Vec<TxStatus> {
    let count = pending.count as usize;
    let failed = |class: ErrorClass, message: &str| {
        let mut s = TxStatus::created_at(String::new(), pending.created);
        s.time_intended = pending.intended;
        s.set_failed(now_micros(), class, message);
        s
    };
    match outcome {
        Outcome::Statuses(mut statuses) => {
            let given = statuses.len();
            statuses.truncate(count);
            for status in &mut statuses {
                status.time_intended = pending.intended;
            }
            if given != count {
                let message = format!("the connector answered {given} status(es) for {count} request(s)");
                tracing::warn!("{message}");
                statuses.resize_with(count, || failed(ErrorClass::Other, &message));
            }
            statuses
        }
        Outcome::Error(e) => {
            let class = class_of(e.class.as_deref());
            (0..count).map(|_| failed(class, &e.error)).collect()
        }
        Outcome::Null => {
            (0..count).map(|_| failed(ErrorClass::Other, "the connector answered null")).collect()
        }
    }
}
