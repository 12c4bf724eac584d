//! The manager's side of the conversation with its workers: joining, and the waits of each
//! round, every one with a deadline and every one aware of a lost worker.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::message::{ALL, Envelope, Message};
use crate::messenger::{Inbound, ManagerLink};

/// The workers of a run, by index.
pub struct Workers {
    /// The link to them.
    pub link: ManagerLink,
    /// Worker ids, index = position.
    pub ids: Vec<String>,
}

/// Why a wait ended early.
#[derive(Debug)]
pub enum WaitError {
    /// A worker is gone.
    Lost {
        /// Its index.
        index: Option<usize>,
        /// What happened.
        reason: String,
    },
    /// The deadline passed.
    Timeout(String),
    /// The run was interrupted.
    Interrupted,
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::Lost { index: Some(i), reason } => write!(f, "worker {i} was lost: {reason}"),
            WaitError::Lost { index: None, reason } => write!(f, "a worker was lost: {reason}"),
            WaitError::Timeout(what) => f.write_str(what),
            WaitError::Interrupted => f.write_str("the run was interrupted"),
        }
    }
}

impl Workers {
    /// The index of the worker with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|w| w == id)
    }

    /// Sends `message` to one worker.
    pub fn send_to(&self, index: usize, message: Message) {
        let env = Envelope::new(self.link.id.clone(), vec![self.ids[index].clone()], message);
        let _ = self.link.send(env);
    }

    /// Sends `message` to every worker.
    pub fn broadcast(&self, message: Message) {
        let _ = self.link.send(Envelope::new(self.link.id.clone(), vec![ALL.into()], message));
    }

    /// Joins `count` workers: `register` (naming `connector`, the connector they will be
    /// asked to create) until they are `connected`, then `assignId` and `initialize`, all
    /// within `deadline`. Errors of a worker's connector are returned; so is, at once, a
    /// worker that answers it cannot run `connector` (a remote worker of another build).
    pub async fn join(
        mut link: ManagerLink,
        count: usize,
        connector: &str,
        deadline: Duration,
        interrupt: &CancellationToken,
    ) -> Result<Workers, (ManagerLink, String)> {
        let until = Instant::now() + deadline;
        let mut ids: Vec<String> = Vec::new();
        let asked = Some(connector.to_string());
        let register = || {
            Envelope::new(link.id.clone(), vec![ALL.into()], Message::Register { connector: asked.clone() })
        };
        let _ = link.send(register());
        // Remote workers may start after the manager: ask again every second.
        let mut again =
            tokio::time::interval_at(Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
        while ids.len() < count {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => {
                    let msg = format!(
                        "{} of {count} workers joined within {deadline:?} (caliper-worker-timeout-join)",
                        ids.len()
                    );
                    return Err((link, msg));
                }
                _ = interrupt.cancelled() => return Err((link, WaitError::Interrupted.to_string())),
                _ = again.tick() => { let _ = link.send(register()); }
                inbound = link.inbox.recv() => match inbound {
                    Some(Inbound::Message(Envelope { sender, message: Message::Connected { binary }, error, .. })) => {
                        if let Some(why) = error {
                            tracing::error!("worker {sender} refused: {why}");
                            return Err((link, format!("worker {sender} refused: {why}")));
                        }
                        if !ids.contains(&sender) {
                            if let Some(binary) = binary {
                                tracing::debug!("worker {sender} joined: {binary}");
                            }
                            ids.push(sender);
                        }
                    }
                    Some(Inbound::Message(_)) => {}
                    Some(Inbound::Lost { reason, .. }) => {
                        return Err((link, format!("a worker was lost while joining: {reason}")));
                    }
                    None => return Err((link, "the messenger closed while workers were joining".into())),
                },
            }
        }
        let mut workers = Workers { link, ids };
        for i in 0..count {
            workers.send_to(i, Message::AssignId { worker_index: i });
        }
        let wait = workers
            .collect(|m| matches!(m, Message::Assigned {}), until, interrupt, "take their index")
            .await;
        if let Err(e) = wait {
            return Err((workers.link, e.to_string()));
        }
        workers.broadcast(Message::Initialize {});
        match workers
            .collect(|m| matches!(m, Message::Ready {}), until, interrupt, "start their connectors")
            .await
        {
            Ok(errors) => {
                let failed: Vec<String> = errors
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, e)| e.map(|e| format!("worker {i}: {e}")))
                    .collect();
                if failed.is_empty() { Ok(workers) } else { Err((workers.link, failed.join("; "))) }
            }
            Err(e) => Err((workers.link, e.to_string())),
        }
    }

    /// Waits for one answer of each worker matching `is_answer`, until `until`; returns each
    /// worker's `error` field.
    pub async fn collect(
        &mut self,
        is_answer: impl Fn(&Message) -> bool,
        until: Instant,
        interrupt: &CancellationToken,
        what: &str,
    ) -> Result<Vec<Option<String>>, WaitError> {
        let mut answers: HashMap<usize, Option<String>> = HashMap::new();
        while answers.len() < self.ids.len() {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => {
                    let missing: Vec<String> =
                        (0..self.ids.len()).filter(|i| !answers.contains_key(i)).map(|i| i.to_string()).collect();
                    return Err(WaitError::Timeout(format!(
                        "worker(s) {} did not {what} in time", missing.join(", ")
                    )));
                }
                _ = interrupt.cancelled() => return Err(WaitError::Interrupted),
                inbound = self.link.inbox.recv() => match inbound {
                    Some(Inbound::Message(env)) if is_answer(&env.message) => {
                        if let Some(i) = self.index_of(&env.sender) {
                            answers.insert(i, env.error);
                        }
                    }
                    Some(Inbound::Message(_)) => {}
                    Some(Inbound::Lost { id, reason }) => {
                        return Err(WaitError::Lost { index: self.index_of(&id), reason });
                    }
                    None => return Err(WaitError::Lost { index: None, reason: "the messenger closed".into() }),
                },
            }
        }
        Ok((0..self.ids.len()).map(|i| answers.remove(&i).flatten()).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::mpsc;

    use super::*;
    use crate::config::NetworkConfig;
    use crate::connector::ConnectorRegistry;
    use crate::messenger::{Link, WorkerLink};
    use crate::settings::Settings;
    use crate::worker::{Served, WorkerSetup, serve};

    /// A manager's and a worker's link joined in memory, as any messenger joins them.
    fn linked() -> (ManagerLink, WorkerLink) {
        let (to_worker, worker_inbox) = mpsc::unbounded_channel::<Envelope>();
        let (manager_outbox, mut from_manager) = mpsc::unbounded_channel::<Envelope>();
        let (to_manager, manager_inbox) = mpsc::unbounded_channel();
        let (worker_outbox, mut from_worker) = mpsc::unbounded_channel::<Envelope>();
        tokio::spawn(async move {
            while let Some(env) = from_manager.recv().await {
                let _ = to_worker.send(env);
            }
        });
        tokio::spawn(async move {
            while let Some(env) = from_worker.recv().await {
                let _ = to_manager.send(Inbound::Message(env));
            }
        });
        let manager = Link {
            id: "m".into(),
            outbox: manager_outbox,
            inbox: manager_inbox,
            traffic: Default::default(),
        };
        let worker =
            Link { id: "w1".into(), outbox: worker_outbox, inbox: worker_inbox, traffic: Default::default() };
        (manager, worker)
    }

    #[tokio::test]
    async fn a_worker_without_the_connector_is_refused_at_once_with_what_it_has() {
        let (manager, worker) = linked();
        let network = NetworkConfig { blockchain: "http".into(), ..NetworkConfig::default() };
        let setup = WorkerSetup {
            settings: Arc::new(Settings::default()),
            network: Arc::new(network),
            connectors: ConnectorRegistry::new(),
            workloads: Default::default(),
            update_interval: Duration::from_secs(1),
            drain_timeout: Duration::from_secs(1),
            max_in_flight: None,
            observers: Default::default(),
            local: true,
        };
        let started = Instant::now();
        let interrupt = CancellationToken::new();
        let both = async {
            tokio::join!(
                Workers::join(manager, 1, "http", Duration::from_secs(30), &interrupt),
                serve(worker, setup)
            )
        };
        let (joined, served) = tokio::time::timeout(Duration::from_secs(10), both).await.expect("no hang");
        let Err((_, message)) = joined else { panic!("the worker was not refused") };
        assert!(started.elapsed() < Duration::from_secs(5), "refused at once, not at the join deadline");
        assert!(message.starts_with("worker w1 refused:"), "{message}");
        assert!(message.contains("cannot run the connector \"http\""), "{message}");
        assert!(message.contains("caliper-rs "), "the worker's build: {message}");
        let Served::Refused(why) = served else { panic!("the worker served on") };
        assert!(why.contains("refused the manager m"), "{why}");
    }
}
