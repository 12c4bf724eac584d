//! What can go wrong between the host and a connector program.

use std::time::Duration;

use caliper_core::connector::{ConnectorError, ErrorClass};

/// An error of the host: starting the program, its handshake, or a control call.
///
/// `program` is the label of the child in every message, such as
/// ``connector program `./conn.py` (worker 0)``.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The program could not be started.
    #[error("cannot start the {program}: {source}")]
    Spawn {
        /// The child's label.
        program: String,
        /// Why the operating system refused.
        source: std::io::Error,
    },
    /// No `hello` within the handshake's deadline.
    #[error(
        "the {program} sent no hello within {} s: a caliper connector writes {{\"t\":\"hello\",\"protocol\":\"caliper-connector\",\"version\":1}} as its first line on stdout (see docs/connectors/external.md){stderr}",
        .after.as_secs_f64()
    )]
    NoHello {
        /// The child's label.
        program: String,
        /// The deadline.
        after: Duration,
        /// The child's last stderr lines, as a suffix of the message.
        stderr: String,
    },
    /// The program ended, or closed its output, before its `hello`.
    #[error(
        "the {program} {how} before its hello: it is not a caliper connector, or it failed to start{stderr}"
    )]
    EndedBeforeHello {
        /// The child's label.
        program: String,
        /// `exited with exit status: 1`, `closed its output`.
        how: String,
        /// The child's last stderr lines, as a suffix of the message.
        stderr: String,
    },
    /// The first line was no `hello` of this protocol.
    #[error("the {program} did not start with a hello: its first line was {line}")]
    NotHello {
        /// The child's label.
        program: String,
        /// The line, shortened.
        line: String,
    },
    /// `hello` named another protocol.
    #[error(
        "the {program} speaks protocol {protocol}, not \"caliper-connector\": it is not a caliper connector"
    )]
    WrongProtocol {
        /// The child's label.
        program: String,
        /// The protocol it named (as JSON, so a missing one reads `null`).
        protocol: String,
    },
    /// `hello` named another major version.
    #[error(
        "the {program} speaks caliper-connector version {version}, but this caliper speaks version 1: use a build of the connector for protocol version 1, or a caliper that speaks version {version}"
    )]
    WrongVersion {
        /// The child's label.
        program: String,
        /// The version it named, as JSON.
        version: String,
    },
    /// The program crashed, stopped answering or broke the protocol; it is gone.
    #[error("{0}")]
    Gone(String),
    /// A control call got no answer within its deadline.
    #[error(
        "the {program} did not answer {method} within {} s ({key}): it is considered stuck and is stopped",
        .after.as_secs_f64()
    )]
    CallTimeout {
        /// The child's label.
        program: String,
        /// The call's method.
        method: String,
        /// The deadline.
        after: Duration,
        /// The setting that holds the deadline.
        key: &'static str,
    },
    /// The program answered a call with an `error` frame.
    #[error("{method} of the {program} failed: {message}")]
    Call {
        /// The child's label.
        program: String,
        /// The call's method.
        method: String,
        /// The child's message.
        message: String,
        /// The class it gave (`other` when none or unknown).
        class: ErrorClass,
    },
    /// The program answered a call with a value of the wrong shape.
    #[error("{method} of the {program} returned {message}")]
    BadValue {
        /// The child's label.
        program: String,
        /// The call's method.
        method: String,
        /// What was wrong.
        message: String,
    },
}

impl From<HostError> for ConnectorError {
    fn from(err: HostError) -> Self {
        let class = match &err {
            HostError::Call { class, .. } => *class,
            HostError::CallTimeout { .. } => ErrorClass::Timeout,
            HostError::Gone(_) => ErrorClass::Crashed,
            _ => ErrorClass::Connection,
        };
        ConnectorError::Failed { class, message: err.to_string() }
    }
}
