//! The `docker` resource monitor: memory, CPU %, network and disk I/O of containers, read from
//! Docker's Engine API (the local engine's Unix socket, `DOCKER_HOST=unix://...`, or a remote
//! engine's `http://host:port`).
//!
//! The containers are looked up at the start of each round's test phase (by name, with or
//! without the leading `/`, or `all` running ones), then read at the start, every `interval`,
//! and at the end. The first reading is the baseline: it is dropped from the samples (a CPU %
//! needs two readings, as Caliper does) and the I/O columns are last minus first.

mod engine;
mod options;
mod readings;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use caliper_core::monitor::{
    MonitorError, MonitorFactory, MonitorOptionError, MonitorReport, MonitorSample, MonitoredRound,
    ResourceMonitor,
};
use caliper_core::settings::Settings;
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use self::engine::{EngineClient, local_socket};
use self::options::{ContainerSpec, DockerOptions, Engine};
use self::readings::{COLUMNS, ContainerReadings, report};
use crate::options::checked;
use crate::settings::{interval, precision};

/// The module name.
pub const DOCKER: &str = "docker";

/// Builds `docker` monitors.
#[derive(Debug, Default, Clone)]
pub struct DockerFactory {
    /// The local engine's socket; `None`: `DOCKER_HOST` (a `unix://` path) or
    /// `/var/run/docker.sock`.
    pub socket: Option<PathBuf>,
}

impl MonitorFactory for DockerFactory {
    fn name(&self) -> &'static str {
        DOCKER
    }

    fn check(&self, options: &Map<String, Value>) -> Vec<MonitorOptionError> {
        options::parse(options).err().unwrap_or_default()
    }

    fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
    ) -> Result<Box<dyn ResourceMonitor>, MonitorError> {
        let options = checked(DOCKER, options::parse(options))?;
        let interval = interval(DOCKER, options.interval, settings)?;
        let socket = self.socket.clone().unwrap_or_else(local_socket);
        let mut engines = BTreeMap::new();
        for spec in &options.containers {
            engines.entry(spec.engine.clone()).or_insert_with(|| EngineClient::new(&spec.engine, &socket));
        }
        Ok(Box::new(DockerMonitor {
            options,
            engines,
            interval: interval.max(Duration::from_millis(100)),
            precision: precision(DOCKER, settings)?,
            running: None,
        }))
    }
}

/// A `docker` monitor.
pub struct DockerMonitor {
    options: DockerOptions,
    engines: BTreeMap<Engine, Result<EngineClient, String>>,
    interval: Duration,
    precision: usize,
    running: Option<(oneshot::Sender<()>, JoinHandle<Round>)>,
}

/// What one round measured.
#[derive(Default)]
struct Round {
    containers: Vec<ContainerReadings>,
    /// Each row's engine and container id (`None`: nothing to read).
    targets: Vec<Option<(EngineClient, String)>>,
    samples: Vec<MonitorSample>,
    problems: Vec<String>,
}

#[async_trait]
impl ResourceMonitor for DockerMonitor {
    fn module(&self) -> &'static str {
        DOCKER
    }

    async fn start(&mut self, round: &MonitoredRound) {
        tracing::debug!("docker monitor: round {} ({}), every {:?}", round.index, round.label, self.interval);
        let started = Instant::now();
        let mut state = self.discover().await;
        let (stop, mut stopped) = oneshot::channel();
        let (interval, normalize) = (self.interval, self.options.normalize_cpu);
        let task = tokio::spawn(async move {
            // Readings every `interval` from the start, however long a reading takes (a slow
            // engine delays the next one rather than piling them up).
            let mut ticks = tokio::time::interval_at(started + interval, interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            state.read_all(started, normalize).await;
            loop {
                tokio::select! {
                    _ = ticks.tick() => state.read_all(started, normalize).await,
                    _ = &mut stopped => break,
                }
            }
            state.read_all(started, normalize).await;
            state
        });
        self.running = Some((stop, task));
    }

    async fn stop(&mut self) -> MonitorReport {
        let Some((stop, task)) = self.running.take() else {
            let mut report = MonitorReport::new(DOCKER, &COLUMNS);
            report.note("the monitor was not started");
            return report;
        };
        let _ = stop.send(());
        match task.await {
            Ok(round) => report(DOCKER, &round.containers, round.samples, round.problems, self.precision),
            Err(e) => {
                let mut report = MonitorReport::new(DOCKER, &COLUMNS);
                report.note(format!("the sampling task failed: {e}"));
                report
            }
        }
    }
}

impl DockerMonitor {
    /// The containers of this round: each named one (a row with `-` when it is not running),
    /// and every running one for `all`.
    async fn discover(&self) -> Round {
        let mut round = Round::default();
        let mut lists: BTreeMap<Engine, Option<Vec<engine::Container>>> = BTreeMap::new();
        for spec in &self.options.containers {
            let Some(Ok(client)) = self.engines.get(&spec.engine) else {
                if let Some(Err(e)) = self.engines.get(&spec.engine) {
                    round.problems.push(e.clone());
                }
                round.add(row_name(spec, spec.name.as_deref().unwrap_or("all")), None);
                continue;
            };
            if !lists.contains_key(&spec.engine) {
                let list = match client.containers().await {
                    Ok(list) => Some(list),
                    Err(e) => {
                        round.problems.push(format!("cannot list the containers: {e}"));
                        None
                    }
                };
                lists.insert(spec.engine.clone(), list);
            }
            let list = lists.get(&spec.engine).and_then(Option::as_ref);
            match (&spec.name, list) {
                (_, None) => round.add(row_name(spec, spec.name.as_deref().unwrap_or("all")), None),
                (Some(name), Some(list)) => match list.iter().find(|c| &c.name == name) {
                    Some(c) => round.add(row_name(spec, name), Some((client.clone(), c.id.clone()))),
                    None => {
                        round
                            .problems
                            .push(format!("no running container named \"{name}\" on {}", client.shown));
                        round.add(row_name(spec, name), None);
                    }
                },
                (None, Some(list)) => {
                    if list.is_empty() {
                        round.problems.push(format!("no running container on {}", client.shown));
                    }
                    for c in list {
                        round.add(row_name(spec, &c.name), Some((client.clone(), c.id.clone())));
                    }
                }
            }
        }
        round
    }
}

/// The row of a container: its name, with its engine's address for a remote engine.
fn row_name(spec: &ContainerSpec, name: &str) -> String {
    match &spec.engine {
        Engine::Local => name.to_owned(),
        Engine::Remote(base) => format!("{}/{name}", base.trim_start_matches("http://")),
    }
}

impl Round {
    fn add(&mut self, name: String, target: Option<(EngineClient, String)>) {
        // `all` and a name can list the same container twice: one row is enough.
        if self.containers.iter().any(|c| c.name == name) {
            return;
        }
        self.containers.push(ContainerReadings::new(name));
        self.targets.push(target);
    }

    /// One reading of every container still there, all at once: an engine answers a stats
    /// request at its own collection tick (up to a second on Docker 20.10), so reading the
    /// containers one after the other would take a second each.
    async fn read_all(&mut self, started: Instant, normalize: bool) {
        let reads = self.containers.iter().zip(&self.targets).map(|(container, target)| async move {
            match target {
                Some((client, id)) if !container.gone => Some(client.stats(id).await),
                _ => None,
            }
        });
        let results = futures::future::join_all(reads).await;
        let t = started.elapsed().as_secs_f64();
        for (container, result) in self.containers.iter_mut().zip(results) {
            match result {
                None => {}
                // A container that stopped answers with empty statistics (no memory figure; a
                // CPU total of 0, measured on Docker 20.10).
                Some(Ok(stats)) if stats.memory.is_none() => {
                    container.gone = true;
                    self.problems.push(format!("container \"{}\" stopped at {t:.1} s", container.name));
                }
                Some(Ok(stats)) => self.samples.extend(container.record(t, stats, normalize)),
                Some(Err(e)) => {
                    container.gone = true;
                    self.problems
                        .push(format!("container \"{}\" could not be read at {t:.1} s: {e}", container.name));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
