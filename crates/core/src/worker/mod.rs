//! The worker: answers the manager's messages and runs its rounds.
//!
//! `register` → `connected`, `assignId` → `assigned`, `initialize` (create the connector for
//! this worker index) → `ready`, `prepare` (load the workload module, get the connector's
//! context, initialise the module) → `prepared`, `test` (run the round, with a `txUpdate` every
//! `caliper-observer-internal-interval`) → `testResult`, `exit`. Errors travel back in the
//! envelope's `error`; a worker never stops answering because a round failed.

mod collector;
mod in_flight;
mod round;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use collector::Collector;
pub use round::{RoundDriver, RoundEnd, RoundLimit};

use crate::config::NetworkConfig;
use crate::connector::{Connector, ConnectorInit, ConnectorRegistry};
use crate::message::{Envelope, Message, RoundMessage, WorkerBinary};
use crate::messenger::WorkerLink;
use crate::rate::{self, RateContext};
use crate::settings::Settings;
use crate::stats::{ProcessUsage, RoundStats};
use crate::time::to_micros;
use crate::tx_observer::{ObservedRound, TxObserver, TxObserverRegistry};
use crate::workload::{WorkloadInit, WorkloadModule, WorkloadRegistry};

/// What a worker needs besides its link.
#[derive(Clone)]
pub struct WorkerSetup {
    /// The runtime settings.
    pub settings: Arc<Settings>,
    /// The network configuration (for the connector).
    pub network: Arc<NetworkConfig>,
    /// The connectors this binary knows.
    pub connectors: ConnectorRegistry,
    /// The workload modules this binary knows.
    pub workloads: WorkloadRegistry,
    /// How often to send `txUpdate` during a round.
    pub update_interval: Duration,
    /// How long to wait for outstanding transactions at the end of a round.
    pub drain_timeout: Duration,
    /// The most transactions kept in flight (`caliper-worker-max-in-flight`); `None`: no cap.
    pub max_in_flight: Option<u64>,
    /// The transaction observers this binary knows.
    pub observers: TxObserverRegistry,
    /// Whether the manager forked this worker (local observers add the index to their ports).
    pub local: bool,
}

struct Prepared {
    round: usize,
    module: Box<dyn WorkloadModule>,
    observers: Vec<Arc<dyn TxObserver>>,
}

/// A worker's state between messages.
struct Worker {
    setup: WorkerSetup,
    link: WorkerLink,
    manager: Option<String>,
    index: Option<usize>,
    connector: Option<Arc<dyn Connector>>,
    collector: Arc<Collector>,
    prepared: Option<Prepared>,
}

/// How a worker's service ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The manager said `exit`, or went away (the messenger says which).
    Finished,
    /// The worker refused its manager: it cannot run the connector the manager asks for.
    /// The manager was told why; the text says it for this worker's log.
    Refused(String),
}

/// Serves the manager until it says `exit` or goes away, or until the worker refuses it.
pub async fn serve(link: WorkerLink, setup: WorkerSetup) -> Served {
    let mut worker = Worker {
        setup,
        link,
        manager: None,
        index: None,
        connector: None,
        collector: Arc::new(Collector::default()),
        prepared: None,
    };
    while let Some(env) = worker.link.inbox.recv().await {
        if !worker.accepts(&env) {
            continue;
        }
        match env.message {
            Message::Register { connector } => {
                worker.manager = Some(env.sender.clone());
                let refusal = connector.as_deref().and_then(|c| worker.cannot_run(c));
                let names = worker.setup.connectors.names().iter().map(|n| n.to_string()).collect();
                let binary = WorkerBinary::this(names);
                worker.reply(Message::Connected { binary: Some(binary) }, refusal.clone());
                if let Some(why) = refusal {
                    return Served::Refused(format!("refused the manager {}: {why}", env.sender));
                }
            }
            Message::AssignId { worker_index } => {
                worker.index = Some(worker_index);
                tracing::info!("worker {worker_index} joined manager {}", env.sender);
                worker.reply(Message::Assigned {}, None);
            }
            Message::Initialize {} => {
                let error = worker.initialize().await.err();
                worker.reply(Message::Ready {}, error);
            }
            Message::Prepare(round) => {
                let error = worker.prepare(&round).await.err();
                worker.reply(Message::Prepared {}, error);
            }
            Message::Test(round) => {
                let (stats, error, exit) = worker.test(&round).await;
                worker.reply(Message::TxReset {}, None);
                worker.reply(Message::TestResult(Box::new(stats)), error);
                if exit {
                    break;
                }
            }
            Message::Exit {} => break,
            other => tracing::debug!("ignoring a {} message", other.kind()),
        }
    }
    tracing::debug!("worker exits");
    Served::Finished
}

impl Worker {
    /// A worker answers the first manager it hears from, and only messages meant for it.
    fn accepts(&self, env: &Envelope) -> bool {
        if !env.is_for(&self.link.id) {
            return false;
        }
        match &self.manager {
            Some(m) => *m == env.sender,
            None => matches!(env.message, Message::Register { .. }),
        }
    }

    fn reply(&self, message: Message, error: Option<String>) {
        let Some(manager) = &self.manager else { return };
        let env = Envelope::new(self.link.id.clone(), vec![manager.clone()], message).with_error(error);
        if self.link.send(env).is_err() {
            tracing::warn!("the manager's link is closed");
        }
    }

    /// Why this worker cannot run the connector `asked` that its manager will ask for: its
    /// binary lacks it (a remote worker started from another build), or its own network
    /// configuration names another one.
    fn cannot_run(&self, asked: &str) -> Option<String> {
        let network = &self.setup.network;
        if network.blockchain != asked {
            return Some(format!(
                "the manager runs the connector \"{asked}\" but this worker's network configuration ({}) names \"{}\"; give the workers the manager's network configuration",
                network.path.display(),
                network.blockchain
            ));
        }
        let workspace = self.setup.settings.workspace();
        let problem = self.setup.connectors.resolve(asked, workspace).err()?;
        let names = self.setup.connectors.names().iter().map(|n| n.to_string()).collect();
        Some(format!(
            "this worker's binary {} cannot run the connector \"{asked}\" that the manager asks for ({problem}); start the workers with the manager's binary",
            WorkerBinary::this(names)
        ))
    }

    fn index(&self) -> Result<usize, String> {
        self.index.ok_or_else(|| "no worker index was assigned".to_string())
    }

    async fn initialize(&mut self) -> Result<(), String> {
        let index = self.index()?;
        let name = &self.setup.network.blockchain;
        let factory = self
            .setup
            .connectors
            .resolve(name, self.setup.settings.workspace())
            .map_err(|e| e.to_string())?;
        let init = ConnectorInit {
            worker_index: index as i64,
            network: self.setup.network.clone(),
            settings: self.setup.settings.clone(),
            sink: self.collector.clone(),
        };
        let connector =
            factory.create(init).await.map_err(|e| format!("the {name} connector failed to start: {e}"))?;
        self.connector = Some(connector);
        Ok(())
    }

    fn connector(&self) -> Result<Arc<dyn Connector>, String> {
        self.connector.clone().ok_or_else(|| "the connector was not initialised".to_string())
    }

    async fn prepare(&mut self, round: &RoundMessage) -> Result<(), String> {
        self.prepared = None;
        let index = self.index()?;
        let connector = self.connector()?;
        let module_name = &round.workload.module;
        let workspace = self.setup.settings.workspace();
        // A connector that runs the module beside itself comes first.
        let mut module = connector
            .workload_module(module_name, workspace)
            .unwrap_or_else(|| self.setup.workloads.load(module_name, workspace))
            .map_err(|e| format!("round {} ({}): {e}", round.test_round, round.label))?;
        let context = connector
            .get_context(round.test_round, &round.worker_args)
            .await
            .map_err(|e| format!("getContext failed: {e}"))?;
        let arguments = match &round.workload.arguments {
            Value::Null => Value::Object(Default::default()),
            other => other.clone(),
        };
        let init = WorkloadInit {
            worker_index: index,
            total_workers: round.total_workers,
            round_index: round.test_round,
            round_arguments: arguments,
            sut_adapter: connector.clone(),
            sut_context: context,
        };
        if let Err(err) = module.initialize(init).await {
            release(&*connector).await;
            return Err(format!("initializeWorkloadModule of {module_name} failed: {err}"));
        }
        let observers = match self.observers(index, round).await {
            Ok(observers) => observers,
            Err(err) => {
                let _ = module.cleanup().await;
                release(&*connector).await;
                return Err(err);
            }
        };
        self.prepared = Some(Prepared { round: round.test_round, module, observers });
        Ok(())
    }

    /// The round's transaction observers, started.
    async fn observers(
        &self,
        index: usize,
        round: &RoundMessage,
    ) -> Result<Vec<Arc<dyn TxObserver>>, String> {
        let observed = ObservedRound {
            worker_index: index,
            local: self.setup.local,
            round_index: round.test_round,
            round_label: round.label.clone(),
        };
        let mut observers: Vec<Arc<dyn TxObserver>> = Vec::new();
        for spec in &round.tx_observers {
            let started = match self.setup.observers.get(&spec.module) {
                Some(factory) => factory
                    .create(&spec.options, &self.setup.settings, &observed)
                    .await
                    .map_err(|e| e.to_string()),
                None => Err(format!("unknown transaction observer \"{}\"", spec.module)),
            };
            match started {
                Ok(observer) => observers.push(observer),
                Err(err) => {
                    // Those already started close what they opened.
                    for o in observers {
                        o.deactivate().await;
                    }
                    return Err(err);
                }
            }
        }
        Ok(observers)
    }

    /// Runs a round; returns its statistics, its error, and whether the manager said exit
    /// (or went away) meanwhile.
    async fn test(&mut self, round: &RoundMessage) -> (RoundStats, Option<String>, bool) {
        let index = self.index.unwrap_or(0);
        let empty = || RoundStats::new(index as i64, round.test_round as i64, round.label.clone(), 0);
        let (Some(prepared), Ok(connector)) = (self.prepared.take(), self.connector()) else {
            return (empty(), Some("the round was not prepared".into()), false);
        };
        let mut module = prepared.module;
        let observers = prepared.observers;
        if prepared.round != round.test_round {
            // A module prepared for another round still holds a context: give it back.
            let _ = module.cleanup().await;
            release(&*connector).await;
            deactivate(observers).await;
            return (empty(), Some("the round was not prepared".into()), false);
        }
        let (limit, tx_duration) = match (round.numb, round.tx_duration) {
            (Some(n), _) => (RoundLimit::Transactions(n), None),
            (None, Some(s)) if s.is_finite() && s >= 0.0 => {
                let d = Duration::from_secs_f64(s);
                (RoundLimit::Duration(d), Some(d))
            }
            _ => return (empty(), Some("the round has neither txNumber nor txDuration".into()), false),
        };
        let ctx = RateContext {
            round_index: round.test_round,
            round_label: round.label.clone(),
            worker_index: index,
            total_workers: round.total_workers.max(1),
            tx_number: round.numb,
            tx_duration,
            workspace: self.setup.settings.workspace().to_path_buf(),
        };
        let controller = match rate::build(&round.rate_control, &ctx) {
            Ok(c) => c,
            Err(err) => {
                let _ = module.cleanup().await;
                release(&*connector).await;
                deactivate(observers).await;
                return (empty(), Some(err.to_string()), false);
            }
        };

        let usage_start = ProcessUsage::sample();
        let start = Instant::now();
        self.collector.activate(
            RoundStats::new(index as i64, round.test_round as i64, &round.label, to_micros(start)),
            observers,
        );
        let cancel = CancellationToken::new();
        let driver = RoundDriver {
            limit,
            rate: controller,
            module: &*module,
            connector: &*connector,
            collector: &self.collector,
            start,
            cancel: &cancel,
            drain_timeout: self.setup.drain_timeout,
            max_in_flight: self.setup.max_in_flight,
        };
        let mut exit = false;
        let mut updates = tokio::time::interval_at(
            tokio::time::Instant::now() + self.setup.update_interval,
            self.setup.update_interval,
        );
        updates.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let end = {
            let run = driver.run();
            tokio::pin!(run);
            loop {
                tokio::select! {
                    end = &mut run => break end,
                    _ = updates.tick() => {
                        if let Some(core) = self.collector.snapshot(round.live_latency) {
                            self.reply(Message::TxUpdate(Box::new(core)), None);
                        }
                    }
                    msg = self.link.inbox.recv(), if !exit => match msg {
                        Some(env) if self.accepts(&env) && matches!(env.message, Message::Exit {}) => {
                            exit = true;
                            cancel.cancel();
                        }
                        Some(env) => tracing::debug!("ignoring a {} message during a round", env.message.kind()),
                        None => {
                            exit = true;
                            cancel.cancel();
                        }
                    },
                }
            }
        };
        if let Err(err) = module.cleanup().await {
            tracing::warn!("cleanupWorkloadModule failed: {err}");
        }
        release(&*connector).await;
        let (stats, observers) = self.collector.deactivate();
        let mut stats = stats.unwrap_or_else(empty);
        // Before the results go: a push observer's last push carries the round's totals, and
        // an export observer's file is complete.
        stats.exported = deactivate(observers).await;
        stats.usage = ProcessUsage::sample().zip(usage_start).map(|(end, start)| end.since(start));
        self.reply(Message::TxUpdate(Box::new(stats.core.clone())), None);
        (stats, end.error, exit)
    }
}

/// Deactivates the observers; returns the files they wrote.
async fn deactivate(observers: Vec<Arc<dyn TxObserver>>) -> Vec<crate::tx_observer::ExportedFile> {
    let mut exported = Vec::new();
    for observer in observers {
        observer.deactivate().await;
        exported.extend(observer.exported());
    }
    exported
}

async fn release(connector: &dyn Connector) {
    if let Err(err) = connector.release_context().await {
        tracing::warn!("releaseContext failed: {err}");
    }
}
