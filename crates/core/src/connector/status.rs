//! The outcome of one transaction, as a connector reports it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::time::now_micros;

/// Where a transaction stands (Caliper's `created`, `success`, `failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TxState {
    /// Created and not finished yet.
    Created,
    /// Committed by the SUT.
    Success,
    /// Failed, for the reason given by the error class and message.
    Failed,
}

/// Why a transaction failed, as far as the connector can tell.
///
/// Failures are counted by class in the results, so a user can tell a SUT that refuses work
/// (`rejected`) from one that is too slow (`timeout`) or a broken link (`connection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorClass {
    /// No final answer before the deadline.
    Timeout,
    /// The SUT could not be reached, or the link broke.
    Connection,
    /// The SUT refused the transaction.
    Rejected,
    /// The transaction was executed and reverted.
    Reverted,
    /// A nonce or sequence number was wrong.
    Nonce,
    /// The request itself was malformed (never sent).
    Invalid,
    /// The workload module failed while building or sending the request.
    Workload,
    /// The SUT could not endorse the transaction: the contract answered an error, or not
    /// enough endorsers agreed (Fabric's endorsement and evaluation failures).
    Endorsement,
    /// The transaction conflicted with a concurrent one over the keys it read, and was
    /// committed as invalid (Fabric's MVCC_READ_CONFLICT and PHANTOM_READ_CONFLICT): normal
    /// under key contention, and told apart so it is not mistaken for a fault.
    Conflict,
    /// The transaction was ordered but failed validation for any other reason (Fabric's
    /// validation codes other than the conflicts, such as ENDORSEMENT_POLICY_FAILURE).
    Validation,
    /// The SUT refused the call because it had too many in flight (Fabric's gateway
    /// concurrency limit): the client offered more than the SUT admits at once.
    Overloaded,
    /// Anything else.
    Other,
    /// The connector itself died: an external connector's process exited, closed its output
    /// or broke the protocol while the transaction was outstanding.
    Crashed,
}

impl ErrorClass {
    /// The class as it is written in results and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Connection => "connection",
            ErrorClass::Rejected => "rejected",
            ErrorClass::Reverted => "reverted",
            ErrorClass::Nonce => "nonce",
            ErrorClass::Invalid => "invalid",
            ErrorClass::Workload => "workload",
            ErrorClass::Endorsement => "endorsement",
            ErrorClass::Conflict => "conflict",
            ErrorClass::Validation => "validation",
            ErrorClass::Overloaded => "overloaded",
            ErrorClass::Other => "other",
            ErrorClass::Crashed => "crashed",
        }
    }

    /// Every class, in the order they are listed in messages and documentation.
    pub const ALL: [ErrorClass; 13] = [
        ErrorClass::Timeout,
        ErrorClass::Connection,
        ErrorClass::Rejected,
        ErrorClass::Reverted,
        ErrorClass::Nonce,
        ErrorClass::Invalid,
        ErrorClass::Workload,
        ErrorClass::Endorsement,
        ErrorClass::Conflict,
        ErrorClass::Validation,
        ErrorClass::Overloaded,
        ErrorClass::Other,
        ErrorClass::Crashed,
    ];

    /// The class written `name` (as [`ErrorClass::as_str`] writes it), if there is one.
    pub fn from_name(name: &str) -> Option<ErrorClass> {
        ErrorClass::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of one transaction: Caliper's `TxStatus`, with the intended send time and an
/// error class added.
///
/// Times are epoch microseconds from [`crate::time`] (monotonic, so latencies are exact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxStatus {
    /// The SUT's identifier of the transaction (a hash, for example); may be empty.
    pub id: String,
    /// Where the transaction stands.
    pub status: TxState,
    /// When the transaction was created (before it was sent).
    pub time_create: u64,
    /// When the final answer arrived; 0 while not finished.
    pub time_final: u64,
    /// When the rate controller meant it to be sent, for latency corrected for coordinated
    /// omission; filled in by the worker loop when the connector does not know it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_intended: Option<u64>,
    /// Whether the result was verified (Caliper's `verified` flag).
    #[serde(default)]
    pub verified: bool,
    /// A message that says why the transaction failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The class of the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<ErrorClass>,
    /// The result the SUT returned (for example the value of a read-only call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// Connector-specific data, such as per-phase times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Box<Map<String, Value>>>,
}

impl TxStatus {
    /// A new transaction created now.
    pub fn new(id: impl Into<String>) -> Self {
        Self::created_at(id, now_micros())
    }

    /// A new transaction created at `time_create` (epoch microseconds).
    pub fn created_at(id: impl Into<String>, time_create: u64) -> Self {
        TxStatus {
            id: id.into(),
            status: TxState::Created,
            time_create,
            time_final: 0,
            time_intended: crate::time::intended_send_time(),
            verified: false,
            error: None,
            error_class: None,
            result: None,
            custom: None,
        }
    }

    /// Marks the transaction committed now.
    pub fn succeed(mut self) -> Self {
        self.set_success(now_micros());
        self
    }

    /// Marks the transaction failed now, with its class and a message.
    pub fn fail(mut self, class: ErrorClass, message: impl Into<String>) -> Self {
        self.set_failed(now_micros(), class, message);
        self
    }

    /// Marks the transaction committed at `time_final`.
    pub fn set_success(&mut self, time_final: u64) {
        self.status = TxState::Success;
        self.time_final = time_final;
    }

    /// Marks the transaction failed at `time_final`.
    pub fn set_failed(&mut self, time_final: u64, class: ErrorClass, message: impl Into<String>) {
        self.status = TxState::Failed;
        self.time_final = time_final;
        self.error_class = Some(class);
        self.error = Some(message.into());
    }

    /// Caliper's `IsCommitted()`.
    pub fn is_committed(&self) -> bool {
        self.status == TxState::Success
    }

    /// Latency in microseconds (0 while not finished).
    pub fn latency_micros(&self) -> u64 {
        self.time_final.saturating_sub(self.time_create)
    }

    /// Sets one custom value (Caliper's `Set(key, value)`).
    pub fn set_custom(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.custom.get_or_insert_with(Default::default).insert(key.into(), value.into());
    }

    /// Reads one custom value (Caliper's `Get(key)`).
    pub fn custom(&self, key: &str) -> Option<&Value> {
        self.custom.as_ref().and_then(|m| m.get(key))
    }
}
