//! The manager's side of the MQTT messenger: envelopes to `to/<worker>` or `to/all`, the
//! workers' envelopes and presence from `from/+` and `alive/+`, and the manager's own status
//! on `manager` (retained, so a worker that starts late learns at once whether it is needed).
//!
//! The members of the run are the workers the manager sent an `assignId` to. A member whose
//! last will arrives (and that is not heard from again within two heartbeats: mosquitto also
//! publishes every will when it shuts down, which must not fail a run that survives a broker
//! restart), or that is not heard from for `caliper-worker-communication-mqtt-liveness`
//! while the manager is connected, is reported lost; so is every member when the broker stays
//! unreachable past `caliper-worker-communication-mqtt-timeout-reconnect`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::conn::{Conn, Session, serve};
use crate::wire::{self, Presence, State, Topic};
use caliper_core::message::{ALL, Envelope, Message};
use caliper_core::messenger::Inbound;
use caliper_core::messenger::Labels;

/// The manager's session state.
pub struct ManagerSession {
    pub(super) conn: Conn,
    pub(super) inbox: mpsc::UnboundedSender<Inbound>,
    pub(super) labels: Option<Labels>,
    members: Vec<String>,
    lost: HashSet<String>,
    heard: HashMap<String, Instant>,
    /// Members whose last will arrived, and when.
    suspects: HashMap<String, Instant>,
    epochs: HashMap<String, u64>,
    state: State,
    last_register: Option<Envelope>,
}

impl ManagerSession {
    /// A session on a connection that is up.
    pub fn new(conn: Conn, inbox: mpsc::UnboundedSender<Inbound>, labels: Option<Labels>) -> Self {
        ManagerSession {
            conn,
            inbox,
            labels,
            members: Vec::new(),
            lost: HashSet::new(),
            heard: HashMap::new(),
            suspects: HashMap::new(),
            epochs: HashMap::new(),
            state: State::Online,
            last_register: None,
        }
    }

    fn status(&self, with_members: bool) -> Vec<u8> {
        Presence {
            id: self.conn.id.clone(),
            state: self.state,
            epoch: self.conn.epoch,
            members: (with_members && self.state == State::Running).then(|| self.members.clone()),
        }
        .encode()
    }

    fn publish_status(&self) {
        self.conn.control(&self.conn.topics.manager(), self.status(true), true);
    }

    /// Runs until the manager's outbox closes, then says goodbye and disconnects.
    pub async fn run(mut self, mut outbox: mpsc::UnboundedReceiver<Envelope>) {
        serve(&mut self, &mut outbox).await;
        let topic = self.conn.topics.manager();
        self.state = State::Offline;
        // Clear the retained status (an empty retained message deletes it), then tell waiting
        // workers that this manager is gone.
        let last = vec![(topic.clone(), Vec::new(), true), (topic, self.status(false), false)];
        self.conn.close(last, Duration::from_secs(2)).await;
    }

    fn presence(&mut self, id: String, presence: Presence) {
        let member = self.members.contains(&id);
        if presence.state == State::Offline {
            if member && !self.lost.contains(&id) {
                self.suspects.insert(id, Instant::now());
            }
            return;
        }
        self.suspects.remove(&id);
        if member && let Some(t) = self.heard.get_mut(&id) {
            *t = Instant::now();
        }
        let previous = self.epochs.insert(id.clone(), presence.epoch);
        match previous {
            // The worker reconnected: what was sent to it meanwhile may be lost.
            Some(old) if presence.epoch > old && member => {
                let (mine, all) = (self.conn.topics.to(&id), self.conn.topics.to(ALL));
                self.conn.replay(|t| t == mine || t == all);
            }
            // A worker that just came: ask at once rather than at the next register.
            None if self.state == State::Online => {
                if let Some(register) = self.last_register.clone() {
                    let _ = self.conn.send(&[self.conn.topics.to(ALL)], &register);
                }
            }
            _ => {}
        }
    }
}

impl Session for ManagerSession {
    fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    fn up(&mut self, client: Option<rumqttc::AsyncClient>) {
        let subscriptions = self.conn.topics.manager_subscriptions();
        self.conn.up(client, &subscriptions);
        // Retained messages do not survive a broker restart without persistence: say it again.
        self.publish_status();
        let now = Instant::now();
        self.heard.values_mut().for_each(|t| *t = now);
        // Wills that came just before the connection dropped were the broker shutting down.
        self.suspects.clear();
    }

    fn outgoing(&mut self, env: Envelope) {
        match &env.message {
            Message::AssignId { worker_index } => {
                for r in &env.recipients {
                    if !self.members.contains(r) {
                        self.members.push(r.clone());
                    }
                    self.heard.insert(r.clone(), Instant::now());
                    if let (Some(labels), Some(pid)) = (&self.labels, crate::pid_of(r)) {
                        labels
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(pid.to_string(), *worker_index);
                    }
                }
            }
            Message::Initialize {} => {
                self.state = State::Running;
                self.publish_status();
            }
            Message::Register { .. } => self.last_register = Some(env.clone()),
            _ => {}
        }
        let topics: Vec<String> = if env.recipients.iter().any(|r| r == ALL) {
            vec![self.conn.topics.to(ALL)]
        } else {
            env.recipients.iter().map(|r| self.conn.topics.to(r)).collect()
        };
        if let Err(size) = self.conn.send(&topics, &env) {
            tracing::error!(
                "cannot send a {} message of {size} bytes: the MQTT messenger's limit is {} bytes",
                env.message.kind(),
                self.conn.cfg.max_message
            );
        }
    }

    fn incoming(&mut self, topic: &str, payload: &[u8]) {
        let Some(kind) = self.conn.topics.parse(topic) else {
            tracing::debug!("ignoring a message on {topic}");
            return;
        };
        match kind {
            Topic::From(id) => {
                self.conn.traffic.received.add(payload.len());
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
                if env.sender != id {
                    tracing::warn!("ignoring a message on {topic} from another sender ({})", env.sender);
                    return;
                }
                if let Some(seq) = seq
                    && !self.conn.seen.first_time(id, seq)
                {
                    return;
                }
                if let Some(t) = self.heard.get_mut(id) {
                    *t = Instant::now();
                }
                self.suspects.remove(id);
                let _ = self.inbox.send(Inbound::Message(env));
            }
            Topic::Alive(id) => {
                self.conn.traffic.control.add(payload.len());
                let presence: Presence = match serde_json::from_slice(payload) {
                    Ok(p) => p,
                    Err(err) => {
                        tracing::warn!(
                            "ignoring a malformed presence on {topic} ({err}): {}",
                            wire::excerpt(payload)
                        );
                        return;
                    }
                };
                if presence.id != id {
                    tracing::warn!("ignoring a presence on {topic} from another sender ({})", presence.id);
                    return;
                }
                let id = id.to_string();
                self.presence(id, presence);
            }
            Topic::To(_) | Topic::Manager => {}
        }
    }

    fn tick(&mut self) {
        if self.conn.is_up() {
            self.conn.control(&self.conn.topics.manager(), self.status(false), false);
            let grace = self.conn.cfg.heartbeat * 2;
            let gone: Vec<String> = self
                .suspects
                .iter()
                .filter(|(_, t)| t.elapsed() >= grace)
                .map(|(id, _)| id.clone())
                .collect();
            for id in gone {
                self.suspects.remove(&id);
                if self.lost.insert(id.clone()) {
                    let reason = "its connection to the MQTT broker closed (last will)".to_string();
                    let _ = self.inbox.send(Inbound::Lost { id, reason });
                }
            }
            let liveness = self.conn.cfg.liveness;
            for id in &self.members {
                let silent = self.heard.get(id).map(|t| t.elapsed()).unwrap_or_default();
                if silent > liveness && self.lost.insert(id.clone()) {
                    let reason = format!(
                        "no heartbeat for {:.1?} over MQTT (caliper-worker-communication-mqtt-liveness)",
                        silent
                    );
                    let _ = self.inbox.send(Inbound::Lost { id: id.clone(), reason });
                }
            }
        } else if let Some(since) = self.conn.down_since
            && since.elapsed() > self.conn.cfg.reconnect_timeout
        {
            for id in &self.members {
                if self.lost.insert(id.clone()) {
                    let reason = format!(
                        "the MQTT broker at {} has been unreachable for {:.0?} (caliper-worker-communication-mqtt-timeout-reconnect)",
                        self.conn.cfg.address(),
                        since.elapsed()
                    );
                    let _ = self.inbox.send(Inbound::Lost { id: id.clone(), reason });
                }
            }
        }
    }
}
