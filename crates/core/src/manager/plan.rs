//! What the manager runs: the benchmark's rounds and phases, independent of how they were
//! configured.

use std::time::Duration;

use serde_json::Value;

use crate::message::WorkloadMessage;
use crate::rate::RateControlSpec;
use crate::settings::Flow;

/// When a round ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RoundSize {
    /// `txNumber`: transactions over all workers (split exactly, the remainder spread).
    Transactions(u64),
    /// `txDuration`: every worker runs this long.
    Duration(Duration),
}

/// One round to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRound {
    /// `label`.
    pub label: String,
    /// `description`.
    pub description: Option<String>,
    /// `txNumber` or `txDuration`.
    pub size: RoundSize,
    /// `rateControl`.
    pub rate_control: RateControlSpec,
    /// `workload`.
    pub workload: WorkloadMessage,
    /// The round as configured, for the reports.
    pub raw: Value,
    /// The transaction observers the workers run in this round (`monitors.transaction`).
    pub tx_observers: Vec<crate::tx_observer::TxObserverSpec>,
    /// Whether the workers' updates carry the latency distributions so far.
    pub live_latency: bool,
}

/// The benchmark to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// `test.name`.
    pub name: String,
    /// `test.description`.
    pub description: Option<String>,
    /// `test.workers.number`.
    pub workers: usize,
    /// Whether `test.workers.number` was `auto` (`workers` is then the cores available).
    pub workers_auto: bool,
    /// `test.rounds`.
    pub rounds: Vec<PlannedRound>,
    /// The resolved benchmark configuration, for the reports.
    pub benchmark: Value,
    /// Which phases run (Caliper's flow flags).
    pub phases: Flow,
}

/// Every deadline and period of the manager.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ManagerTimings {
    /// For all workers to connect, take their index and create their connectors.
    pub join: Duration,
    /// For a round's prepare phase.
    pub prepare: Duration,
    /// A worker silent this long during a round is lost.
    pub silence: Duration,
    /// How often progress is reported (`None`: never).
    pub progress: Option<Duration>,
    /// Pause between rounds.
    pub round_pause: Duration,
    /// How long workers get to send their partial results and exit when the run is stopped.
    pub stop_grace: Duration,
}

impl Default for ManagerTimings {
    fn default() -> Self {
        ManagerTimings {
            join: Duration::from_secs(60),
            prepare: Duration::from_secs(120),
            silence: Duration::from_secs(10),
            progress: Some(Duration::from_secs(5)),
            round_pause: Duration::ZERO,
            stop_grace: Duration::from_secs(5),
        }
    }
}
