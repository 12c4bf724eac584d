//! Caliper's manager/worker messages: the envelope and one variant per message type.
//!
//! The wire form is Caliper's: `{"sender", "recipients", "type", "content", "date", "error"?}`
//! as JSON. The statistics inside `txUpdate` and `testResult` are caliper-rs's own (in
//! microseconds, with histograms), so caliper-rs workers do not mix with Node ones.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rate::RateControlSpec;
use crate::stats::{RoundStats, StatsCore};

/// Recipient that every receiver accepts.
pub const ALL: &str = "all";

/// The workload of a round as it travels: `{module, arguments}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadMessage {
    /// `workload.module`.
    pub module: String,
    /// `workload.arguments`.
    #[serde(default)]
    pub arguments: Value,
}

/// The content of `prepare` and `test`: one round for one worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundMessage {
    /// The round label.
    pub label: String,
    /// The rate controller.
    pub rate_control: RateControlSpec,
    /// Caliper's `trim` (accepted, unused).
    #[serde(default)]
    pub trim: u64,
    /// The workload module and its arguments.
    pub workload: WorkloadMessage,
    /// 0-based round index.
    pub test_round: usize,
    /// In a txNumber round, this worker's share of the transactions (the whole `txNumber` in
    /// `prepare`, as in Caliper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numb: Option<u64>,
    /// In a duration round, its duration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_duration: Option<f64>,
    /// This worker's element of the connector's `prepare_worker_arguments`.
    #[serde(default)]
    pub worker_args: Value,
    /// Number of workers in the round.
    pub total_workers: usize,
    /// The round's transaction observers (`monitors.transaction`); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tx_observers: Vec<crate::tx_observer::TxObserverSpec>,
    /// Whether each `txUpdate` carries the latency distributions so far (for metrics the
    /// manager serves during the round).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live_latency: bool,
}

/// What a worker's binary is, in its `connected` message: so that the manager's log says which
/// build each worker runs, and a refusal what the worker has.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkerBinary {
    /// The executable (its path when known).
    pub program: String,
    /// The caliper-rs version it was built from.
    pub version: String,
    /// The connectors registered in it by name.
    pub connectors: Vec<String>,
}

impl WorkerBinary {
    /// This process's binary, with the connectors registered in `names`.
    pub fn this(names: Vec<String>) -> WorkerBinary {
        let program = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| std::env::args().next().unwrap_or_default());
        WorkerBinary { program, version: env!("CARGO_PKG_VERSION").to_string(), connectors: names }
    }
}

impl std::fmt::Display for WorkerBinary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (caliper-rs {}, connectors: {})",
            self.program,
            self.version,
            self.connectors.join(", ")
        )
    }
}

/// A message, by Caliper's `type`; its fields are Caliper's `content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "content", rename_all = "camelCase")]
pub enum Message {
    /// Manager to all: who is there?
    Register {
        /// The connector the manager will ask its workers to create (its
        /// `caliper.blockchain`): a worker that cannot run it answers `connected` with an
        /// error, and the manager refuses it. Absent: no check (a manager of an earlier build).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        connector: Option<String>,
    },
    /// Worker to manager: I am (with `error`: I cannot run the connector you named).
    Connected {
        /// What the worker's binary is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        binary: Option<WorkerBinary>,
    },
    /// Manager to one worker: your index.
    #[serde(rename_all = "camelCase")]
    AssignId {
        /// 0-based worker index.
        worker_index: usize,
    },
    /// Worker to manager: index taken.
    Assigned {},
    /// Manager to all: create your connector.
    Initialize {},
    /// Worker to manager: connector created (or, with `error`, not).
    Ready {},
    /// Manager to one worker: prepare a round.
    Prepare(Box<RoundMessage>),
    /// Worker to manager: prepared (or, with `error`, not).
    Prepared {},
    /// Manager to one worker: run a round.
    Test(Box<RoundMessage>),
    /// Worker to manager: the running totals of the round.
    TxUpdate(Box<StatsCore>),
    /// Worker to manager: the round's updates are over.
    TxReset {},
    /// Worker to manager: the final statistics (with `error` when the round failed).
    TestResult(Box<RoundStats>),
    /// Manager to all: stop (after the last round, or when interrupted).
    Exit {},
}

impl Message {
    /// Caliper's `type` of this message.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Register { .. } => "register",
            Message::Connected { .. } => "connected",
            Message::AssignId { .. } => "assignId",
            Message::Assigned {} => "assigned",
            Message::Initialize {} => "initialize",
            Message::Ready {} => "ready",
            Message::Prepare(_) => "prepare",
            Message::Prepared {} => "prepared",
            Message::Test(_) => "test",
            Message::TxUpdate(_) => "txUpdate",
            Message::TxReset {} => "txReset",
            Message::TestResult(_) => "testResult",
            Message::Exit {} => "exit",
        }
    }
}

/// A message with its sender, recipients, date and optional error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The sender's id (a worker's pid for the process messenger).
    pub sender: String,
    /// Who should handle it: ids, or [`ALL`].
    pub recipients: Vec<String>,
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// When it was sent (RFC 3339).
    pub date: String,
    /// What went wrong, for `ready`, `prepared` and `testResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Envelope {
    /// A message from `sender` to `recipients`, dated now.
    pub fn new(sender: impl Into<String>, recipients: Vec<String>, message: Message) -> Self {
        Envelope {
            sender: sender.into(),
            recipients,
            message,
            date: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            error: None,
        }
    }

    /// The same message carrying an error.
    pub fn with_error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    /// Whether `id` should handle it.
    pub fn is_for(&self, id: &str) -> bool {
        self.recipients.iter().any(|r| r == ALL || r == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_is_callipers_envelope() {
        let env = Envelope::new("m", vec!["42".into()], Message::AssignId { worker_index: 3 });
        let v: Value = serde_json::to_value(&env).unwrap();
        assert_eq!(v["type"], "assignId");
        assert_eq!(v["content"]["workerIndex"], 3);
        assert_eq!(v["recipients"][0], "42");
        let back: Envelope = serde_json::from_value(v).unwrap();
        assert_eq!(back, env);
        let caliper = r#"{"sender":"x","recipients":["all"],"type":"register","content":{},"date":"2025-01-01T00:00:00.000Z"}"#;
        let reg: Envelope = serde_json::from_str(caliper).unwrap();
        assert_eq!(reg.message, Message::Register { connector: None });
        assert!(reg.is_for("anyone"));
    }

    #[test]
    fn round_results_round_trip() {
        let mut stats = RoundStats::new(0, 1, "open", 1_000_000);
        let mut tx = crate::TxStatus::created_at("a", 1_000_010);
        tx.set_success(1_500_000);
        stats.tx_submitted(1, 1_000_010);
        stats.tx_finished(&tx);
        let env = Envelope::new("1", vec!["m".into()], Message::TestResult(Box::new(stats.clone())))
            .with_error(Some("boom".into()));
        let text = serde_json::to_string(&env).unwrap();
        let back: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(back.message, Message::TestResult(Box::new(stats)));
        assert_eq!(back.error.as_deref(), Some("boom"));
    }
}
