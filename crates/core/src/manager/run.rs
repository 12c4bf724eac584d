//! The manager's run: start, init, install, the rounds, end — and an outcome whatever
//! happens, so the reports are always written.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::command::run_shell;
use super::observer::RunObserver;
use super::outcome::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
use super::plan::{ManagerTimings, PlannedRound, RoundSize, RunPlan};
use super::workers::{WaitError, Workers};
use crate::config::NetworkConfig;
use crate::connector::{Connector, ConnectorInit, ConnectorRegistry, MANAGER_INDEX, NullSink};
use crate::message::{Message, RoundMessage};
use crate::messenger::{Inbound, ManagerLink, ManagerSide, Transport, WorkerCommand};
use crate::monitor::{MonitorReport, MonitoredRound, ResourceMonitor};
use crate::rate::PeakSearchPlan;
use crate::settings::Settings;
use crate::stats::{RoundStats, StatsCore};

/// Everything the manager needs besides the plan.
pub struct Manager<'a> {
    /// The runtime settings.
    pub settings: Arc<Settings>,
    /// The network configuration.
    pub network: Arc<NetworkConfig>,
    /// The connectors this binary knows.
    pub connectors: ConnectorRegistry,
    /// How to reach the workers: the messenger configured for this run.
    pub transport: Arc<dyn Transport>,
    /// How to start a local worker (this binary with `launch worker` and the manager's
    /// settings); unused when the workers are remote.
    pub worker_command: WorkerCommand,
    /// Deadlines and periods.
    pub timings: ManagerTimings,
    /// Where events go.
    pub observer: &'a mut dyn RunObserver,
    /// Cancelled on the first Ctrl-C: the run stops, and what ran is reported.
    pub interrupt: CancellationToken,
    /// The resource monitors (`monitors.resource`), started before each round's test phase
    /// and stopped after it.
    pub monitors: Vec<Box<dyn ResourceMonitor>>,
}

fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl Manager<'_> {
    /// Runs the benchmark. Never fails: errors are recorded in the outcome.
    pub async fn run(mut self, plan: RunPlan) -> RunOutcome {
        let mut outcome = RunOutcome {
            name: plan.name.clone(),
            description: plan.description.clone(),
            blockchain: self.network.blockchain.clone(),
            info: self.network.info.clone(),
            workers: plan.workers,
            workers_auto: plan.workers_auto,
            started_at: now_rfc3339(),
            finished_at: String::new(),
            benchmark: plan.benchmark.clone(),
            rounds: Vec::new(),
            interrupted: false,
            error: None,
        };
        if let Err(e) = self.phases(&plan, &mut outcome).await {
            outcome.error = Some(e);
        }
        // Rounds that never got their turn are reported as such.
        for (i, round) in plan.rounds.iter().enumerate().skip(outcome.rounds.len()) {
            if plan.phases.test {
                let reason = outcome.error.clone().unwrap_or_else(|| "the run stopped".into());
                let r = not_run(i, round, format!("not run: {reason}"));
                self.observer.round_finished(&r);
                outcome.rounds.push(r);
            }
        }
        if plan.phases.end
            && let Some(cmd) = self.network.end.clone()
        {
            self.observer.phase("end");
            // The end command runs even after an interruption: it usually stops the SUT.
            if let Err(e) = run_shell("end", &cmd, self.settings.workspace(), &CancellationToken::new()).await
            {
                outcome.error.get_or_insert(e);
            }
        }
        outcome.interrupted = self.interrupt.is_cancelled();
        outcome.finished_at = now_rfc3339();
        outcome
    }

    async fn phases(&mut self, plan: &RunPlan, outcome: &mut RunOutcome) -> Result<(), String> {
        let workspace = self.settings.workspace().to_path_buf();
        if plan.phases.start
            && let Some(cmd) = self.network.start.clone()
        {
            self.observer.phase("start");
            run_shell("start", &cmd, &workspace, &self.interrupt).await?;
        }
        if !(plan.phases.init || plan.phases.install || plan.phases.test) {
            return Ok(());
        }
        let connector = self.manager_connector().await?;
        if plan.phases.init {
            self.observer.phase("init");
            self.interruptible(connector.init(false)).await?.map_err(|e| format!("init failed: {e}"))?;
        }
        if plan.phases.install {
            self.observer.phase("install");
            self.interruptible(connector.install_smart_contract())
                .await?
                .map_err(|e| format!("installSmartContract failed: {e}"))?;
        }
        if !plan.phases.test {
            return Ok(());
        }
        self.observer.phase("test");
        let args = self
            .interruptible(connector.prepare_worker_arguments(plan.workers))
            .await?
            .map_err(|e| format!("prepareWorkerArguments failed: {e}"))?;
        let (link, transport) = self.connect(plan.workers).await?;
        let result = match Workers::join(
            link,
            plan.workers,
            &self.network.blockchain,
            self.timings.join,
            &self.interrupt,
        )
        .await
        {
            Ok(mut workers) => {
                let r = self.rounds(plan, &mut workers, &args, outcome).await;
                workers.broadcast(Message::Exit {});
                drop(workers);
                r
            }
            Err((link, e)) => {
                drop(link);
                Err(format!("workers could not start: {e}"))
            }
        };
        transport.close(self.timings.stop_grace).await;
        result
    }

    async fn connect(&self, workers: usize) -> Result<(ManagerLink, Box<dyn ManagerSide>), String> {
        let connect = self.transport.connect_manager(workers, &self.worker_command);
        self.interruptible(connect).await?.map_err(|e| format!("workers could not start: {e}"))
    }

    async fn manager_connector(&self) -> Result<Arc<dyn Connector>, String> {
        let name = &self.network.blockchain;
        let factory = self
            .connectors
            .resolve(name, self.settings.workspace())
            .map_err(|e| format!("caliper.blockchain: {e}"))?;
        let init = ConnectorInit {
            worker_index: MANAGER_INDEX,
            network: self.network.clone(),
            settings: self.settings.clone(),
            sink: Arc::new(NullSink),
        };
        factory.create(init).await.map_err(|e| format!("the {name} connector failed to start: {e}"))
    }

    pub(super) async fn interruptible<T>(
        &self,
        fut: impl std::future::Future<Output = T>,
    ) -> Result<T, String> {
        tokio::select! {
            v = fut => Ok(v),
            _ = self.interrupt.cancelled() => Err(WaitError::Interrupted.to_string()),
        }
    }

    async fn rounds(
        &mut self,
        plan: &RunPlan,
        workers: &mut Workers,
        args: &[Value],
        outcome: &mut RunOutcome,
    ) -> Result<(), String> {
        for (i, round) in plan.rounds.iter().enumerate() {
            if i > 0 && !self.timings.round_pause.is_zero() {
                let _ = self.interruptible(tokio::time::sleep(self.timings.round_pause)).await;
            }
            if self.interrupt.is_cancelled() {
                return Err(WaitError::Interrupted.to_string());
            }
            self.observer.round_started(i, &round.label, plan.rounds.len());
            let (result, lost) = self.round(i, round, workers, args).await;
            self.observer.round_finished(&result);
            outcome.rounds.push(result);
            if let Some(reason) = lost {
                // The load of the next rounds would not be what was configured: stop here.
                return Err(reason);
            }
        }
        Ok(())
    }

    /// Runs one round; also returns why the run must stop (a lost worker, an interruption).
    async fn round(
        &mut self,
        index: usize,
        round: &PlannedRound,
        workers: &mut Workers,
        args: &[Value],
    ) -> (RoundOutcome, Option<String>) {
        let step = match round.size {
            RoundSize::Duration(d) => Some(d),
            RoundSize::Transactions(_) => None,
        };
        match PeakSearchPlan::from_spec(&round.rate_control, step) {
            Ok(None) => self.attempt(index, round, workers, args, true).await,
            Ok(Some(plan)) => self.peak_search(index, round, &plan, workers, args).await,
            // The configuration check reports this before the run; a plan built by other
            // means still gets a round that says why.
            Err(e) => (failed_round(index, round, e.to_string(), None, vec![], 0.0), None),
        }
    }

    /// Prepares and runs `round` once on every worker (a whole round, or one step of a peak
    /// search); the resource monitors run during its test phase when `monitored`.
    pub(super) async fn attempt(
        &mut self,
        index: usize,
        round: &PlannedRound,
        workers: &mut Workers,
        args: &[Value],
        monitored: bool,
    ) -> (RoundOutcome, Option<String>) {
        let n = workers.ids.len();
        let message = |worker: usize, numb: Option<u64>| {
            let (numb, tx_duration) = match round.size {
                RoundSize::Transactions(_) => (numb, None),
                RoundSize::Duration(d) => (None, Some(d.as_secs_f64())),
            };
            Box::new(RoundMessage {
                label: round.label.clone(),
                rate_control: round.rate_control.clone(),
                trim: 0,
                workload: round.workload.clone(),
                test_round: index,
                numb,
                tx_duration,
                worker_args: args.get(worker).cloned().unwrap_or(Value::Object(Default::default())),
                total_workers: n,
                tx_observers: round.tx_observers.clone(),
                live_latency: round.live_latency,
            })
        };
        let total = match round.size {
            RoundSize::Transactions(t) => Some(t),
            RoundSize::Duration(_) => None,
        };
        let traffic = workers.link.traffic.snapshot();
        for w in 0..n {
            workers.send_to(w, Message::Prepare(message(w, total)));
        }
        let until = Instant::now() + self.timings.prepare;
        match workers.collect(|m| matches!(m, Message::Prepared {}), until, &self.interrupt, "prepare").await
        {
            Ok(errors) => {
                let failed = worker_errors(&errors);
                if !failed.is_empty() {
                    return (
                        failed_round(index, round, format!("prepare failed: {failed}"), None, vec![], 0.0),
                        None,
                    );
                }
            }
            Err(e) => {
                let stop =
                    matches!(e, WaitError::Lost { .. } | WaitError::Interrupted | WaitError::Timeout(_));
                let msg = format!("prepare failed: {e}");
                return (failed_round(index, round, msg.clone(), None, vec![], 0.0), stop.then_some(msg));
            }
        }
        if monitored {
            self.start_monitors(index, &round.label).await;
        }
        let started = Instant::now();
        for w in 0..n {
            workers.send_to(w, Message::Test(message(w, total.map(|t| share(t, n, w)))));
        }
        let mut waiter = TestWait::new(n, self.timings.silence);
        let stop =
            waiter.run(workers, index, &round.label, self.observer, self.timings, &self.interrupt).await;
        let duration = started.elapsed().as_secs_f64();
        let monitors =
            if monitored { stop_monitors(&mut self.monitors, index, &round.label).await } else { vec![] };
        let t = workers.link.traffic.snapshot().since(&traffic);
        tracing::debug!(
            target: "caliper::messages",
            "round {index} ({}): manager sent {} messages ({} bytes), received {} messages ({} bytes), control {} messages ({} bytes)",
            round.label, t.sent.0, t.sent.1, t.received.0, t.received.1, t.control.0, t.control.1
        );
        let mut outcome = waiter.into_outcome(index, round, duration);
        outcome.monitors = monitors;
        (outcome, stop)
    }
}

impl Manager<'_> {
    /// Starts every resource monitor for round `index`.
    pub(super) async fn start_monitors(&mut self, index: usize, label: &str) {
        let monitored = MonitoredRound { index, label: label.to_string() };
        for monitor in &mut self.monitors {
            monitor.start(&monitored).await;
        }
    }
}

/// Stops every monitor and collects its report; a monitor's problem is logged, never fatal.
pub(super) async fn stop_monitors(
    monitors: &mut [Box<dyn ResourceMonitor>],
    index: usize,
    label: &str,
) -> Vec<MonitorReport> {
    let mut reports = Vec::with_capacity(monitors.len());
    for monitor in monitors.iter_mut() {
        let report = monitor.stop().await;
        if let Some(error) = &report.error {
            tracing::warn!("the {} resource monitor in round {index} ({label}): {error}", report.module);
        }
        reports.push(report);
    }
    reports
}

/// Worker `w`'s share of `total` transactions over `n` workers: exact, the remainder spread
/// over the first workers.
pub fn share(total: u64, n: usize, w: usize) -> u64 {
    let n = n.max(1) as u64;
    total / n + u64::from((w as u64) < total % n)
}

fn worker_errors(errors: &[Option<String>]) -> String {
    errors
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.as_ref().map(|e| format!("worker {i}: {e}")))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn not_run(index: usize, round: &PlannedRound, reason: String) -> RoundOutcome {
    RoundOutcome {
        index,
        label: round.label.clone(),
        description: round.description.clone(),
        config: round.raw.clone(),
        status: RoundStatus::NotRun { reason },
        merged: None,
        workers: vec![],
        duration_s: 0.0,
        monitors: vec![],
        peak_search: None,
    }
}

pub(super) fn failed_round(
    index: usize,
    round: &PlannedRound,
    error: String,
    merged: Option<RoundStats>,
    workers: Vec<WorkerOutcome>,
    duration_s: f64,
) -> RoundOutcome {
    RoundOutcome {
        status: RoundStatus::Failed { error },
        merged,
        workers,
        duration_s,
        ..not_run(index, round, String::new())
    }
}

/// The manager's wait for the `testResult` of every worker.
struct TestWait {
    results: Vec<Option<(RoundStats, Option<String>)>>,
    latest: Vec<Option<StatsCore>>,
    lost: Vec<Option<String>>,
    heard: Vec<Instant>,
    silence: Duration,
}

impl TestWait {
    fn new(n: usize, silence: Duration) -> Self {
        TestWait {
            results: vec![None; n],
            latest: vec![None; n],
            lost: vec![None; n],
            heard: vec![Instant::now(); n],
            silence,
        }
    }

    fn pending(&self) -> bool {
        (0..self.results.len()).any(|i| self.results[i].is_none() && self.lost[i].is_none())
    }

    /// Whether statistics that worker `i` sent are for this round (`index`) and still
    /// wanted: a duplicated or replayed message (a second `testResult`, one of another round
    /// or of another worker) would change the round's figures, so it is logged and ignored.
    fn accepts(&self, i: usize, index: usize, core: &StatsCore, kind: &str) -> bool {
        let meta = &core.metadata;
        let why = if self.results[i].is_some() {
            "after its testResult"
        } else if meta.round_index != index as i64 {
            "of another round"
        } else if meta.worker_index != i as i64 {
            "of another worker"
        } else {
            return true;
        };
        tracing::warn!(
            "ignoring a {kind} from worker {i} {why} (round {}, worker {} in the message)",
            meta.round_index,
            meta.worker_index
        );
        false
    }

    fn totals(&self) -> Option<StatsCore> {
        let mut it = self.latest.iter().flatten();
        let mut merged = it.next()?.clone();
        it.for_each(|c| merged.merge(c));
        Some(merged)
    }

    /// Waits for every result; returns why the run must stop, if it must.
    async fn run(
        &mut self,
        workers: &mut Workers,
        index: usize,
        label: &str,
        observer: &mut dyn RunObserver,
        timings: ManagerTimings,
        interrupt: &CancellationToken,
    ) -> Option<String> {
        let mut stop: Option<String> = None;
        let mut grace_until: Option<Instant> = None;
        let far = Duration::from_secs(86_400 * 365);
        let progress_every = timings.progress.unwrap_or(far);
        let mut progress = tokio::time::interval_at(Instant::now() + progress_every, progress_every);
        let mut check = tokio::time::interval(Duration::from_millis(500));
        while self.pending() {
            tokio::select! {
                inbound = workers.link.inbox.recv() => match inbound {
                    Some(Inbound::Message(env)) => {
                        let Some(i) = workers.index_of(&env.sender) else { continue };
                        self.heard[i] = Instant::now();
                        match env.message {
                            Message::TxUpdate(core) if self.accepts(i, index, &core, "txUpdate") => {
                                observer.worker_update(index, label, i, &core);
                                self.latest[i] = Some(*core);
                            }
                            Message::TestResult(stats) if self.accepts(i, index, &stats.core, "testResult") => {
                                self.latest[i] = Some(stats.core.clone());
                                self.results[i] = Some((*stats, env.error));
                            }
                            _ => {}
                        }
                    }
                    Some(Inbound::Lost { id, reason }) => {
                        if let Some(i) = workers.index_of(&id).filter(|i| self.results[*i].is_none()) {
                            tracing::error!("worker {i} was lost in round {index} ({label}): {reason}");
                            stop.get_or_insert(format!("worker {i} was lost in round {index} ({label}): {reason}"));
                            self.lost[i] = Some(reason);
                        }
                    }
                    None => {
                        for l in self.lost.iter_mut().filter(|l| l.is_none()) {
                            *l = Some("the messenger closed".into());
                        }
                        stop.get_or_insert("the messenger closed".into());
                    }
                },
                _ = progress.tick(), if timings.progress.is_some() => {
                    if let Some(t) = self.totals() {
                        observer.progress(index, label, &t);
                    }
                }
                _ = check.tick() => {
                    let now = Instant::now();
                    for i in 0..self.results.len() {
                        let silent = now.duration_since(self.heard[i]);
                        if self.results[i].is_none() && self.lost[i].is_none() && silent > self.silence {
                            let reason = format!("sent nothing for {silent:.0?} (caliper-worker-timeout-silence)");
                            tracing::error!("worker {i} was lost in round {index} ({label}): {reason}");
                            stop.get_or_insert(format!("worker {i} was lost in round {index} ({label}): {reason}"));
                            self.lost[i] = Some(reason);
                        }
                    }
                    if grace_until.is_some_and(|g| now >= g) {
                        for l in self.lost.iter_mut().zip(&self.results).filter(|(l, r)| l.is_none() && r.is_none()) {
                            *l.0 = Some("no result before the run stopped".into());
                        }
                    }
                }
                _ = interrupt.cancelled(), if grace_until.is_none() => {
                    stop.get_or_insert(WaitError::Interrupted.to_string());
                }
            }
            if stop.is_some() && grace_until.is_none() {
                // The run stops after this round: ask the other workers to stop now and send
                // what they have, rather than finish a round whose outcome is decided.
                workers.broadcast(Message::Exit {});
                grace_until = Some(Instant::now() + timings.stop_grace);
            }
        }
        stop
    }

    fn into_outcome(self, index: usize, round: &PlannedRound, duration: f64) -> RoundOutcome {
        let mut errors = Vec::new();
        let mut outcomes = Vec::new();
        // Final statistics are whole (histograms included) even from a worker whose round
        // failed; a lost worker left only running totals, which are reported but not merged.
        let merged = RoundStats::merge_all(self.results.iter().flatten().map(|(stats, _)| stats));
        for (i, (result, lost)) in self.results.into_iter().zip(self.lost).enumerate() {
            match (result, lost) {
                (Some((stats, error)), _) => {
                    if let Some(e) = &error {
                        errors.push(format!("worker {i}: {e}"));
                    }
                    outcomes.push(WorkerOutcome { worker_index: i, stats: Some(stats), error });
                }
                (None, lost) => {
                    let reason = lost.unwrap_or_else(|| "no result".into());
                    errors.push(format!("worker {i} was lost: {reason}"));
                    let stats =
                        self.latest[i].clone().map(|core| RoundStats { core, ..RoundStats::default() });
                    outcomes.push(WorkerOutcome {
                        worker_index: i,
                        stats,
                        error: Some(format!("lost: {reason}")),
                    });
                }
            }
        }
        if errors.is_empty() {
            RoundOutcome {
                status: RoundStatus::Passed,
                merged,
                workers: outcomes,
                duration_s: duration,
                ..not_run(index, round, String::new())
            }
        } else {
            failed_round(index, round, errors.join("; "), merged, outcomes, duration)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TestWait, share};
    use crate::stats::RoundStats;

    #[test]
    fn statistics_of_another_round_or_worker_or_after_the_result_are_ignored() {
        let mut wait = TestWait::new(2, std::time::Duration::from_secs(1));
        let stats = |worker: i64, round: i64| RoundStats::new(worker, round, "r", 0);
        assert!(wait.accepts(1, 3, &stats(1, 3).core, "txUpdate"));
        assert!(!wait.accepts(1, 3, &stats(1, 2).core, "txUpdate"), "a replay of round 2");
        assert!(!wait.accepts(1, 3, &stats(0, 3).core, "testResult"), "worker 0's figures");
        wait.results[1] = Some((stats(1, 3), None));
        assert!(!wait.accepts(1, 3, &stats(1, 3).core, "testResult"), "a second testResult");
        assert!(wait.accepts(0, 3, &stats(0, 3).core, "testResult"));
    }

    #[test]
    fn tx_number_is_split_exactly() {
        for (total, n) in [(10u64, 3usize), (1, 4), (1000, 7), (0, 2), (5, 5)] {
            let parts: Vec<u64> = (0..n).map(|w| share(total, n, w)).collect();
            assert_eq!(parts.iter().sum::<u64>(), total, "{total} over {n}");
            let (min, max) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
            assert!(max - min <= 1);
        }
        assert_eq!((0..3).map(|w| share(10, 3, w)).collect::<Vec<_>>(), vec![4, 3, 3]);
    }
}
