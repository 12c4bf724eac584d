//! A worker's side of the MQTT messenger: envelopes from `to/all` and `to/<id>`, its own to
//! `from/<id>`, a heartbeat on `alive/<id>` (whose last will says `offline`), and the
//! manager's status on `manager`.
//!
//! The worker waits for a manager as long as it takes. Once it has answered one, it exits
//! (by closing its inbox, which ends the worker loop) when that manager goes offline, falls
//! silent for `caliper-worker-communication-mqtt-liveness`, or says it has all its workers
//! without this one; and when the broker stays unreachable past
//! `caliper-worker-communication-mqtt-timeout-reconnect`.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::Ending;
use crate::conn::{Conn, Session, serve};
use crate::wire::{self, Presence, State, Topic};
use caliper_core::message::{Envelope, Message};
use caliper_core::stats::RoundStats;

/// A worker's session state.
pub struct WorkerSession {
    pub(super) conn: Conn,
    inbox: Option<mpsc::UnboundedSender<Envelope>>,
    manager: Option<String>,
    manager_heard: Instant,
    manager_epoch: u64,
    /// When the manager's last will arrived: it is gone unless heard from again soon (mosquitto
    /// also publishes every will when it shuts down).
    manager_will: Option<Instant>,
    /// The manager said `exit`: whatever it does next, the worker ends normally.
    exiting: bool,
    ending: Ending,
}

impl WorkerSession {
    /// A session on a connection that is up.
    pub fn new(conn: Conn, inbox: mpsc::UnboundedSender<Envelope>) -> Self {
        WorkerSession {
            conn,
            inbox: Some(inbox),
            manager: None,
            manager_heard: Instant::now(),
            manager_epoch: 0,
            manager_will: None,
            exiting: false,
            ending: Ending::Finished,
        }
    }

    fn heartbeat(&self) {
        let beat = Presence {
            id: self.conn.id.clone(),
            state: State::Online,
            epoch: self.conn.epoch,
            members: None,
        };
        self.conn.control(&self.conn.topics.alive(&self.conn.id), beat.encode(), false);
    }

    /// Runs until the worker loop drops its link; returns why the worker stopped.
    pub async fn run(mut self, mut outbox: mpsc::UnboundedReceiver<Envelope>) -> Ending {
        serve(&mut self, &mut outbox).await;
        self.conn.close(Vec::new(), Duration::from_secs(2)).await;
        self.ending
    }

    fn end(&mut self, ending: Ending) {
        if self.exiting {
            return;
        }
        if self.inbox.take().is_some() {
            match &ending {
                Ending::NotNeeded(why) => tracing::info!("this worker is not needed: {why}; it exits"),
                other => tracing::error!("{other}; the worker exits"),
            }
            self.ending = ending;
        }
    }

    fn manager_presence(&mut self, p: Presence) {
        let mine = self.manager.as_deref() == Some(p.id.as_str());
        if mine {
            if p.state == State::Offline {
                // A manager that finished says so without a will: no need to wait.
                if p.epoch > 0 {
                    self.end(Ending::ManagerGone(format!("the manager {} went offline", p.id)));
                } else {
                    self.manager_will.get_or_insert_with(Instant::now);
                }
                return;
            }
            self.manager_heard = Instant::now();
            self.manager_will = None;
            if p.epoch > self.manager_epoch {
                if self.manager_epoch > 0 {
                    // The manager reconnected: what this worker sent meanwhile may be lost.
                    let from = self.conn.topics.from(&self.conn.id);
                    self.conn.replay(|t| t == from);
                }
                self.manager_epoch = p.epoch;
            }
        }
        if let (State::Running, Some(members)) = (p.state, &p.members)
            && (mine || self.manager.is_none())
            && !members.contains(&self.conn.id)
        {
            let why = format!("manager {} already has its {} worker(s)", p.id, members.len());
            self.end(Ending::NotNeeded(why));
        }
    }
}

impl Session for WorkerSession {
    fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    fn up(&mut self, client: Option<rumqttc::AsyncClient>) {
        let subscriptions = self.conn.topics.worker_subscriptions(&self.conn.id);
        self.conn.up(client, &subscriptions);
        self.manager_heard = Instant::now();
        self.manager_will = None;
        self.heartbeat();
    }

    fn outgoing(&mut self, env: Envelope) {
        if matches!(env.message, Message::Connected { .. }) && self.manager.is_none() {
            self.manager = env.recipients.first().cloned();
            self.manager_heard = Instant::now();
        }
        let topic = self.conn.topics.from(&self.conn.id);
        if let Err(size) = self.conn.send(std::slice::from_ref(&topic), &env) {
            let limit = self.conn.cfg.max_message;
            tracing::error!(
                "cannot send a {} message of {size} bytes: the MQTT messenger's limit is {limit} bytes",
                env.message.kind()
            );
            // The manager must not wait for a result that cannot travel: send an empty one
            // that says why.
            if let Message::TestResult(stats) = &env.message {
                let empty = RoundStats::new(
                    stats.core.metadata.worker_index,
                    stats.core.metadata.round_index,
                    stats.core.metadata.round_label.clone(),
                    0,
                );
                let error = format!(
                    "the round's statistics ({size} bytes) exceed the MQTT message limit ({limit} bytes)"
                );
                let small = Envelope::new(
                    env.sender.clone(),
                    env.recipients.clone(),
                    Message::TestResult(Box::new(empty)),
                )
                .with_error(Some(error));
                let _ = self.conn.send(std::slice::from_ref(&topic), &small);
            }
        }
    }

    fn incoming(&mut self, topic: &str, payload: &[u8]) {
        self.conn.traffic.received.add(payload.len());
        match self.conn.topics.parse(topic) {
            Some(Topic::To(_)) => {
                let (env, seq) = match wire::decode(payload) {
                    Ok(v) => v,
                    Err(err) => {
                        tracing::warn!(
                            "ignoring a malformed message on {topic} ({err}): {}",
                            wire::excerpt(payload)
                        );
                        return;
                    }
                };
                if let Some(seq) = seq
                    && !self.conn.seen.first_time(&env.sender, seq)
                {
                    return;
                }
                if self.manager.as_deref() == Some(env.sender.as_str()) {
                    self.manager_heard = Instant::now();
                    self.manager_will = None;
                    self.exiting |= matches!(env.message, Message::Exit {}) && env.is_for(&self.conn.id);
                }
                if let Some(inbox) = &self.inbox {
                    let _ = inbox.send(env);
                }
            }
            Some(Topic::Manager) => {
                // An empty retained message is a manager clearing its status.
                if payload.is_empty() {
                    return;
                }
                match serde_json::from_slice::<Presence>(payload) {
                    Ok(p) => self.manager_presence(p),
                    Err(err) => {
                        tracing::warn!(
                            "ignoring a malformed presence on {topic} ({err}): {}",
                            wire::excerpt(payload)
                        )
                    }
                }
            }
            _ => tracing::debug!("ignoring a message on {topic}"),
        }
    }

    fn tick(&mut self) {
        if self.conn.is_up() {
            self.heartbeat();
            if let (Some(m), Some(will)) = (&self.manager, self.manager_will)
                && will.elapsed() >= self.conn.cfg.heartbeat * 2
            {
                let why = format!("the manager {m} went offline (last will)");
                self.end(Ending::ManagerGone(why));
                return;
            }
            let silent = self.manager_heard.elapsed();
            if let Some(m) = &self.manager
                && silent > self.conn.cfg.liveness
            {
                let why = format!(
                    "no heartbeat from the manager {m} for {silent:.1?} (caliper-worker-communication-mqtt-liveness)"
                );
                self.end(Ending::ManagerGone(why));
            }
        } else if let Some(since) = self.conn.down_since
            && since.elapsed() > self.conn.cfg.reconnect_timeout
        {
            let why = format!(
                "the MQTT broker at {} has been unreachable for {:.0?} (caliper-worker-communication-mqtt-timeout-reconnect)",
                self.conn.cfg.address(),
                since.elapsed()
            );
            self.end(Ending::BrokerLost(why));
        }
    }
}
