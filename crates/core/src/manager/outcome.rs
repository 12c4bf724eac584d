//! What a run produced: the outcome of every round, for the reports.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::monitor::MonitorReport;
use crate::rate::PeakSearchOutcome;
use crate::stats::RoundStats;

/// How a round ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum RoundStatus {
    /// Every worker finished the round without error.
    Passed,
    /// The round ran and failed; what ran is in the statistics.
    Failed {
        /// Why, for a person.
        error: String,
    },
    /// The round did not run (the run was interrupted or stopped earlier).
    NotRun {
        /// Why.
        reason: String,
    },
}

/// One worker's part of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerOutcome {
    /// The worker index.
    pub worker_index: usize,
    /// Its final statistics, or its last update when it was lost.
    pub stats: Option<RoundStats>,
    /// What went wrong in this worker.
    pub error: Option<String>,
}

/// One round of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundOutcome {
    /// 0-based round index.
    pub index: usize,
    /// The round's label.
    pub label: String,
    /// The round's description.
    pub description: Option<String>,
    /// The round's configuration as given (`txNumber`/`txDuration`, `rateControl`, `workload`).
    pub config: Value,
    /// How it ended.
    #[serde(flatten)]
    pub status: RoundStatus,
    /// The merged statistics of all workers; `None` when nothing ran.
    pub merged: Option<RoundStats>,
    /// Each worker's part.
    pub workers: Vec<WorkerOutcome>,
    /// Wall time of the round's test phase, in seconds.
    pub duration_s: f64,
    /// What each resource monitor measured during the test phase, in `monitors.resource`
    /// order (empty when the round's test phase did not start).
    #[serde(default)]
    pub monitors: Vec<MonitorReport>,
    /// A `peak-search` round's steps and answer; its `merged`, `workers` and `duration_s` are
    /// then those of the step at the peak (see docs/rate-controllers.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_search: Option<PeakSearchOutcome>,
}

impl RoundOutcome {
    /// Whether the round passed.
    pub fn passed(&self) -> bool {
        self.status == RoundStatus::Passed
    }
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    /// `test.name`.
    pub name: String,
    /// `test.description`.
    pub description: Option<String>,
    /// `caliper.blockchain`.
    pub blockchain: String,
    /// The network configuration's `info`.
    pub info: Map<String, Value>,
    /// The number of workers.
    pub workers: usize,
    /// Whether the number was `auto` (one per core the manager may use).
    #[serde(default)]
    pub workers_auto: bool,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// The resolved benchmark configuration (the `test` and `monitors` objects).
    pub benchmark: Value,
    /// Every round, in order, including those that failed or did not run.
    pub rounds: Vec<RoundOutcome>,
    /// Whether the run was interrupted (Ctrl-C).
    pub interrupted: bool,
    /// An error that stopped the run outside any round (a failed start command, for example).
    pub error: Option<String>,
}
