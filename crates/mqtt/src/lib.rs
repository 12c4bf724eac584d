//! caliper-mqtt: the `mqtt` messenger of caliper-rs. The manager and its workers talk through
//! an MQTT broker (such as mosquitto), so workers may run on any host that reaches it, forked
//! locally by the manager or started by hand with `caliper launch worker`.
//!
//! It plugs into caliper-core's messenger seam ([`MqttMessenger`] is a
//! [`Messenger`](caliper_core::messenger::Messenger), registered by the binary beside the
//! `process` one) and hands out the same [`Link`](caliper_core::messenger::Link)s, so the
//! manager and worker logic do not know the transport. What it adds is what a network needs: topics
//! scoped by a run identifier ([`wire`]), QoS 1 for every message, credentials and TLS
//! ([`config`], [`tls`]), heartbeats and last wills so a lost peer is noticed within seconds,
//! reconnection with a replay of recent messages so a broker restart loses nothing, and a
//! bounded message size. Malformed or foreign messages on the run's topics are logged and
//! ignored.

mod config;
mod conn;
mod manager;
mod messenger;
mod tls;
mod wire;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use config::{MAX_MESSAGE, MqttConfig, MqttConfigError};
use conn::{Conn, ConnectFailure};
pub use messenger::MqttMessenger;
use wire::{Presence, State, Topics};

use caliper_core::messenger::{
    ManagerLink, MessengerError, ProcessWorkers, Traffic, WorkerCommand, WorkerLink, spawn_children,
};

/// Why the MQTT messenger could not start.
#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    /// Nothing answered within the connect deadline.
    #[error(
        "cannot reach the MQTT broker at {address} within {timeout:?} (caliper-worker-communication-mqtt-timeout-connect){}",
        last.as_ref().map(|l| format!(": {l}")).unwrap_or_default()
    )]
    Unreachable {
        /// The broker (without password).
        address: String,
        /// The deadline.
        timeout: Duration,
        /// The last error seen.
        last: Option<String>,
    },
    /// The broker refused the client, or TLS failed.
    #[error("cannot connect to the MQTT broker at {address}: {reason}")]
    Refused {
        /// The broker (without password).
        address: String,
        /// Why.
        reason: String,
    },
    /// Another manager is running a benchmark under the same run identifier.
    #[error(
        "another manager ({other}) is running run \"{run}\" on the MQTT broker at {address}: the two would take each other's workers; give each benchmark its own run identifier (caliper-worker-communication-mqtt-run)"
    )]
    RunTaken {
        /// The run identifier.
        run: String,
        /// The other manager's client id.
        other: String,
        /// The broker (without password).
        address: String,
    },
    /// The local workers could not be started.
    #[error(transparent)]
    Spawn(#[from] MessengerError),
}

/// Why a worker's session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The manager said `exit` (or the worker loop ended by itself).
    Finished,
    /// The manager has all its workers without this one.
    NotNeeded(String),
    /// The manager went away (last will, or silent too long).
    ManagerGone(String),
    /// The broker stayed unreachable too long.
    BrokerLost(String),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Finished => f.write_str("finished"),
            Ending::NotNeeded(s) | Ending::ManagerGone(s) | Ending::BrokerLost(s) => f.write_str(s),
        }
    }
}

/// The manager's end of the messenger: its session and the local workers it started.
pub struct MqttManager {
    session: JoinHandle<()>,
    processes: Option<ProcessWorkers>,
}

impl MqttManager {
    /// After the link was dropped: waits for the session to say goodbye and disconnect, then
    /// up to `grace` for local workers to exit (killing stragglers).
    pub async fn close(self, grace: Duration) {
        let _ = tokio::time::timeout(grace, self.session).await;
        if let Some(p) = self.processes {
            p.close(grace).await;
        }
    }
}

/// A worker's end of the messenger.
pub struct MqttWorker {
    session: JoinHandle<Ending>,
}

impl MqttWorker {
    /// After the link was dropped: waits for queued messages to go out and the disconnect,
    /// and says why the worker stopped.
    pub async fn close(self) -> Ending {
        self.session.await.unwrap_or(Ending::Finished)
    }
}

/// A random number, for client ids and run ids (no cryptographic use).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// A client id: `caliper-<role><pid>-<random>`, at most 23 characters as MQTT 3.1.1 promises
/// every broker accepts. The process id lets the manager label the log of a local worker.
fn client_id(role: char) -> String {
    format!("caliper-{role}{}-{:06x}", std::process::id() % 10_000_000, random_u64() & 0xff_ffff)
}

/// The process id inside a worker's client id.
pub(crate) fn pid_of(id: &str) -> Option<u32> {
    id.strip_prefix("caliper-w")?.split_once('-')?.0.parse().ok()
}

fn failure(cfg: &MqttConfig, f: ConnectFailure) -> MqttError {
    match f {
        ConnectFailure::Fatal(d) => MqttError::Refused { address: cfg.address(), reason: d.to_string() },
        ConnectFailure::Timeout(last) => MqttError::Unreachable {
            address: cfg.address(),
            timeout: cfg.connect_timeout,
            last: last.map(|d| d.to_string()),
        },
    }
}

/// Connects the manager (within the connect deadline) and, when `local` is given, starts
/// that many worker processes with that command; they reach the manager through the broker.
pub async fn connect_manager(
    cfg: &MqttConfig,
    local: Option<(usize, &WorkerCommand)>,
) -> Result<(ManagerLink, MqttManager), MqttError> {
    let cfg = Arc::new(cfg.clone());
    let id = client_id('m');
    let topics = Topics::new(&cfg.run);
    let will = Presence { id: id.clone(), state: State::Offline, epoch: 0, members: None };
    let will = rumqttc::LastWill::new(topics.manager(), will.encode(), rumqttc::QoS::AtLeastOnce, true);
    let traffic = Arc::new(Traffic::default());
    let mut conn =
        Conn::connect(cfg.clone(), id.clone(), will, traffic.clone()).await.map_err(|f| failure(&cfg, f))?;
    tracing::info!("connected to the MQTT broker at {} (run {})", cfg.address(), cfg.run);
    // A run identifier generated for local workers is this manager's alone; a given one, or
    // remote workers' `default`, may be in use.
    if (cfg.run_given || local.is_none())
        && let Some(other) = conn.other_manager(cfg.heartbeat).await
    {
        conn.close(Vec::new(), Duration::from_secs(2)).await;
        return Err(MqttError::RunTaken { run: cfg.run.clone(), other, address: cfg.address() });
    }
    let (in_tx, inbox) = mpsc::unbounded_channel();
    let (outbox, out_rx) = mpsc::unbounded_channel();
    let (processes, labels) = match local {
        Some((count, command)) => {
            let spawned = spawn_children(count, command, &in_tx, None)?;
            (Some(spawned.workers), Some(spawned.labels))
        }
        None => (None, None),
    };
    let session = manager::ManagerSession::new(conn, in_tx, labels);
    let session = tokio::spawn(session.run(out_rx));
    Ok((ManagerLink { id, outbox, inbox, traffic }, MqttManager { session, processes }))
}

/// Connects a worker (within the connect deadline). It then waits for a manager of its run.
pub async fn connect_worker(cfg: &MqttConfig) -> Result<(WorkerLink, MqttWorker), MqttError> {
    let cfg = Arc::new(cfg.clone());
    let id = client_id('w');
    let topics = Topics::new(&cfg.run);
    let will = Presence { id: id.clone(), state: State::Offline, epoch: 0, members: None };
    let will = rumqttc::LastWill::new(topics.alive(&id), will.encode(), rumqttc::QoS::AtLeastOnce, false);
    let traffic = Arc::new(Traffic::default());
    let conn =
        Conn::connect(cfg.clone(), id.clone(), will, traffic.clone()).await.map_err(|f| failure(&cfg, f))?;
    tracing::info!("connected to the MQTT broker at {} (run {}) as {id}", cfg.address(), cfg.run);
    let (in_tx, inbox) = mpsc::unbounded_channel();
    let (outbox, out_rx) = mpsc::unbounded_channel();
    let session = tokio::spawn(worker::WorkerSession::new(conn, in_tx).run(out_rx));
    Ok((WorkerLink { id, outbox, inbox, traffic }, MqttWorker { session }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_fit_mqtt_and_carry_the_pid() {
        let id = client_id('w');
        assert!(id.len() <= 23, "{id}");
        assert_eq!(pid_of(&id), Some(std::process::id() % 10_000_000));
        assert_eq!(pid_of("caliper-m12-abc"), None);
        assert_eq!(pid_of("mqttjs_1234"), None);
    }
}
