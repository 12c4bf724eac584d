//! A gateway call's error as a failure class and a message for a person: the gRPC status,
//! the gateway's error details (one per peer or orderer that failed), and a hint where the
//! cause is known.

use caliper_core::connector::ErrorClass;
use prost::Message;
use tonic::{Code, Status};

use crate::proto::gateway::ErrorDetail;
use crate::proto::google::RpcStatus;
use crate::proto::peer::{TX_MVCC_READ_CONFLICT, TX_PHANTOM_READ_CONFLICT, validation_code_name};

/// The call of a transaction that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// `Evaluate` (a read-only request).
    Evaluate,
    /// `Endorse`.
    Endorse,
    /// `Submit`.
    Submit,
    /// `CommitStatus`.
    CommitStatus,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Evaluate => "evaluate",
            Phase::Endorse => "endorse",
            Phase::Submit => "submit",
            Phase::CommitStatus => "commit status",
        }
    }
}

/// What the gateway peer answers when more calls are in flight than its
/// `peer.limits.concurrency.gatewayService` admits.
const TOO_MANY: [&str; 2] = ["too many requests", "exceeding concurrency limit"];

/// The class of a failed call.
pub(crate) fn classify(phase: Phase, status: &Status) -> ErrorClass {
    let message = status.message();
    if TOO_MANY.iter().any(|m| message.contains(m)) {
        return ErrorClass::Overloaded;
    }
    match status.code() {
        Code::DeadlineExceeded => ErrorClass::Timeout,
        Code::Cancelled if message.contains("Timeout expired") => ErrorClass::Timeout,
        Code::Unavailable | Code::Cancelled => ErrorClass::Connection,
        // An error that tonic made from a broken HTTP/2 link, not an answer of the peer.
        Code::Unknown | Code::Internal if is_transport(status) => ErrorClass::Connection,
        _ => match phase {
            Phase::Evaluate | Phase::Endorse => ErrorClass::Endorsement,
            Phase::Submit => ErrorClass::Rejected,
            Phase::CommitStatus => ErrorClass::Other,
        },
    }
}

fn is_transport(status: &Status) -> bool {
    let mut source = std::error::Error::source(status);
    while let Some(err) = source {
        if err.is::<tonic::transport::Error>() || err.to_string().contains("connection") {
            return true;
        }
        source = err.source();
    }
    false
}

/// The message of a failed call, on one line (it goes to logs and results): which call on
/// which peer, the status, each error detail (Caliper's `Details:` lines), and a hint when the
/// cause is known.
pub(crate) fn describe(phase: Phase, peer: &str, status: &Status) -> String {
    let mut text =
        format!("{} failed on gateway peer {peer}: {} ({:?})", phase.name(), status.message(), status.code());
    let details = error_details(status);
    if !details.is_empty() {
        let each: Vec<String> =
            details.iter().map(|d| format!("{} ({}): {}", d.address, d.msp_id, d.message)).collect();
        text.push_str(&format!("; details: {}", each.join("; ")));
    }
    if classify(phase, status) == ErrorClass::Overloaded {
        text.push_str(
            ". The gateway peer refused the call: it had more calls in flight than its peer.limits.concurrency.gatewayService admits. Lower caliper-fabric-maxinflight to that limit (shared by all workers and clients of the peer), or raise the limit in the peer's core.yaml.",
        );
    }
    text
}

/// The gateway's `ErrorDetail`s carried in the status's `grpc-status-details-bin`.
pub(crate) fn error_details(status: &Status) -> Vec<ErrorDetail> {
    let Ok(rpc) = RpcStatus::decode(status.details()) else { return Vec::new() };
    rpc.details
        .iter()
        .filter(|any| any.type_url.ends_with("gateway.ErrorDetail"))
        .filter_map(|any| ErrorDetail::decode(any.value.as_slice()).ok())
        .collect()
}

/// The class of a transaction committed with validation `code` (not VALID).
pub(crate) fn validation_class(code: i32) -> ErrorClass {
    match code {
        TX_MVCC_READ_CONFLICT | TX_PHANTOM_READ_CONFLICT => ErrorClass::Conflict,
        _ => ErrorClass::Validation,
    }
}

/// The message of a transaction committed as invalid.
pub(crate) fn invalid_message(code: i32, block: u64) -> String {
    format!(
        "the transaction was committed as invalid in block {block}: {} (validation code {code})",
        validation_code_name(code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::google::Any;

    #[test]
    fn statuses_are_classed_by_code_message_and_phase() {
        let too_many =
            Status::unknown("too many requests for /gateway.Gateway, exceeding concurrency limit (500)");
        assert_eq!(classify(Phase::CommitStatus, &too_many), ErrorClass::Overloaded);
        assert!(describe(Phase::Endorse, "peer0", &too_many).contains("caliper-fabric-maxinflight"));
        assert_eq!(classify(Phase::Submit, &Status::deadline_exceeded("late")), ErrorClass::Timeout);
        assert_eq!(classify(Phase::Endorse, &Status::cancelled("Timeout expired")), ErrorClass::Timeout);
        assert_eq!(classify(Phase::Endorse, &Status::unavailable("gone")), ErrorClass::Connection);
        let aborted = Status::aborted("failed to endorse transaction, see attached details for more info");
        assert_eq!(classify(Phase::Endorse, &aborted), ErrorClass::Endorsement);
        assert_eq!(
            classify(Phase::Evaluate, &Status::unknown("chaincode response 500, no")),
            ErrorClass::Endorsement
        );
        assert_eq!(classify(Phase::Submit, &Status::aborted("status=BAD_REQUEST")), ErrorClass::Rejected);
        assert_eq!(validation_class(11), ErrorClass::Conflict);
        assert_eq!(validation_class(12), ErrorClass::Conflict);
        assert_eq!(validation_class(10), ErrorClass::Validation);
        assert!(invalid_message(11, 7).contains("MVCC_READ_CONFLICT (validation code 11)"));
    }

    #[test]
    fn error_details_are_listed_like_caliper_does() {
        let detail = ErrorDetail {
            address: "peer1:7051".into(),
            msp_id: "Org2MSP".into(),
            message: "chaincode said no".into(),
        };
        let rpc = RpcStatus {
            code: Code::Aborted as i32,
            message: "failed to endorse".into(),
            details: vec![Any {
                type_url: "type.googleapis.com/gateway.ErrorDetail".into(),
                value: detail.encode_to_vec(),
            }],
        };
        let status = Status::with_details(Code::Aborted, "failed to endorse", rpc.encode_to_vec().into());
        let text = describe(Phase::Endorse, "peer0", &status);
        assert!(text.ends_with("(Aborted); details: peer1:7051 (Org2MSP): chaincode said no"), "{text}");
    }
}
