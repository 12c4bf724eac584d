//! Messengers: how messages travel between the manager and its workers.
//!
//! A messenger hands each side a [`Link`]: an outbox to send envelopes and an inbox to receive
//! them, so the manager and worker logic do not know the transport. The manager's inbox also
//! says when a worker is lost ([`Inbound::Lost`]), which is how a dead worker is noticed at
//! once instead of hanging the run. Each link counts the messages and bytes it carries
//! ([`Traffic`]), which the manager logs per round.
//!
//! Messengers are pluggable ([`Messenger`], [`MessengerRegistry`]): this crate holds the
//! `process` messenger; the `mqtt` one lives in the `caliper-mqtt` crate, and both use the
//! pieces here (links, traffic counters, the local worker processes of [`spawn_children`]).

mod framing;
mod process;
mod registry;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use crate::message::Envelope;

pub use process::{
    Labels, ProcessMessenger, ProcessWorkers, Spawned, WorkerCommand, spawn_children, spawn_process_workers,
    stdio_worker_link,
};
pub use registry::{ManagerSide, Messenger, MessengerRegistry, Transport, WorkerSide};

/// What the manager receives.
#[derive(Debug)]
pub enum Inbound {
    /// A message from a worker.
    Message(Envelope),
    /// A worker is gone (its process exited, or its connection was lost).
    Lost {
        /// The worker's id.
        id: String,
        /// What happened, for a person.
        reason: String,
    },
}

/// An error of a messenger.
#[derive(Debug, thiserror::Error)]
pub enum MessengerError {
    /// A worker process could not be started.
    #[error("cannot start worker process {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The link is closed.
    #[error("the messenger is closed")]
    Closed,
}

/// One side's end of a messenger.
pub struct Link<In> {
    /// This side's id (the recipients it answers to).
    pub id: String,
    /// Sends an envelope (never blocks; the transport writes in the background).
    pub outbox: mpsc::UnboundedSender<Envelope>,
    /// Receives what arrives; `None` once the transport is closed.
    pub inbox: mpsc::UnboundedReceiver<In>,
    /// What this side sent and received.
    pub traffic: Arc<Traffic>,
}

impl<In> Link<In> {
    /// Sends an envelope; `Err` when the transport is gone.
    pub fn send(&self, envelope: Envelope) -> Result<(), MessengerError> {
        self.outbox.send(envelope).map_err(|_| MessengerError::Closed)
    }
}

/// The manager's link: every worker's messages and losses arrive on one inbox.
pub type ManagerLink = Link<Inbound>;
/// A worker's link.
pub type WorkerLink = Link<Envelope>;

/// A count of messages and their bytes.
#[derive(Debug, Default)]
pub struct Counter {
    messages: AtomicU64,
    bytes: AtomicU64,
}

impl Counter {
    /// Counts one message of `bytes` bytes.
    pub fn add(&self, bytes: usize) {
        self.messages.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Messages and bytes so far.
    pub fn get(&self) -> (u64, u64) {
        (self.messages.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }
}

/// The traffic of one side of a messenger: envelopes sent (one per recipient pipe for the
/// process messenger, one per publish for MQTT, where the broker fans out `to/all`) and
/// received, and the messenger's own control messages (MQTT heartbeats and status).
#[derive(Debug, Default)]
pub struct Traffic {
    /// Envelopes sent.
    pub sent: Counter,
    /// Envelopes received.
    pub received: Counter,
    /// Control messages sent and received (presence, heartbeats).
    pub control: Counter,
}

/// A reading of [`Traffic`]: messages and bytes of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficSnapshot {
    /// Envelopes sent and their bytes.
    pub sent: (u64, u64),
    /// Envelopes received (heartbeats included for MQTT) and their bytes.
    pub received: (u64, u64),
    /// Control messages sent and their bytes.
    pub control: (u64, u64),
}

impl Traffic {
    /// The counts so far.
    pub fn snapshot(&self) -> TrafficSnapshot {
        TrafficSnapshot { sent: self.sent.get(), received: self.received.get(), control: self.control.get() }
    }
}

impl TrafficSnapshot {
    /// The traffic between `earlier` and this reading.
    pub fn since(&self, earlier: &TrafficSnapshot) -> TrafficSnapshot {
        let d = |a: (u64, u64), b: (u64, u64)| (a.0.saturating_sub(b.0), a.1.saturating_sub(b.1));
        TrafficSnapshot {
            sent: d(self.sent, earlier.sent),
            received: d(self.received, earlier.received),
            control: d(self.control, earlier.control),
        }
    }
}
