//! Messengers: how messages travel between the manager and its workers.
//!
//! A messenger hands each side a [`Link`]: an outbox to send envelopes and an inbox to receive
//! them, so the manager and worker logic do not know the transport. The manager's inbox also
//! says when a worker is lost ([`Inbound::Lost`]), which is how a dead worker is noticed at
//! once instead of hanging the run.

mod framing;
mod process;

use tokio::sync::mpsc;

use crate::message::Envelope;

pub use process::{WorkerCommand, spawn_process_workers, stdio_worker_link};

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
