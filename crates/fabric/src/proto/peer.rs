//! Package `protos`: proposals, chaincode invocations, responses and transactions.

use std::collections::BTreeMap;

/// `protos.ChaincodeSpec.Type.NODE`: what the Node client sends (the peer ignores it for
/// invocations; Go's client leaves it unset).
pub const CHAINCODE_TYPE_NODE: i32 = 2;

/// `protos.SignedProposal`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SignedProposal {
    /// An encoded [`Proposal`]: the exact bytes that are signed.
    #[prost(bytes = "vec", tag = "1")]
    pub proposal_bytes: Vec<u8>,
    /// The creator's signature of `proposal_bytes`.
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `protos.Proposal`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Proposal {
    /// An encoded `common.Header`.
    #[prost(bytes = "vec", tag = "1")]
    pub header: Vec<u8>,
    /// An encoded [`ChaincodeProposalPayload`].
    #[prost(bytes = "vec", tag = "2")]
    pub payload: Vec<u8>,
    /// Unused by chaincode invocations.
    #[prost(bytes = "vec", tag = "3")]
    pub extension: Vec<u8>,
}

/// `protos.ChaincodeHeaderExtension` (field 1 is reserved).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeHeaderExtension {
    /// The chaincode invoked.
    #[prost(message, optional, tag = "2")]
    pub chaincode_id: Option<ChaincodeId>,
}

/// `protos.ChaincodeProposalPayload`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeProposalPayload {
    /// An encoded [`ChaincodeInvocationSpec`].
    #[prost(bytes = "vec", tag = "1")]
    pub input: Vec<u8>,
    /// Private data for the chaincode, never written to the ledger (`TransientMap`).
    #[prost(btree_map = "string, bytes", tag = "2")]
    pub transient_map: BTreeMap<String, Vec<u8>>,
}

/// `protos.ChaincodeID`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeId {
    /// The deployment path (unused by invocations).
    #[prost(string, tag = "1")]
    pub path: String,
    /// The chaincode's name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// The version (unused by invocations).
    #[prost(string, tag = "3")]
    pub version: String,
}

/// `protos.ChaincodeInput`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeInput {
    /// The function name, then its arguments.
    #[prost(bytes = "vec", repeated, tag = "1")]
    pub args: Vec<Vec<u8>>,
    /// Decorations (unused by clients).
    #[prost(btree_map = "string, bytes", tag = "2")]
    pub decorations: BTreeMap<String, Vec<u8>>,
    /// Whether this is the legacy `Init` call.
    #[prost(bool, tag = "3")]
    pub is_init: bool,
}

/// `protos.ChaincodeSpec`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeSpec {
    /// The chaincode's language (`Type`).
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    /// The chaincode.
    #[prost(message, optional, tag = "2")]
    pub chaincode_id: Option<ChaincodeId>,
    /// The call.
    #[prost(message, optional, tag = "3")]
    pub input: Option<ChaincodeInput>,
    /// Unused.
    #[prost(int32, tag = "4")]
    pub timeout: i32,
}

/// `protos.ChaincodeInvocationSpec`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeInvocationSpec {
    /// What is invoked.
    #[prost(message, optional, tag = "1")]
    pub chaincode_spec: Option<ChaincodeSpec>,
}

/// `protos.Response`: what the chaincode answered.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Response {
    /// An HTTP-like status: 200 is success, 400 and more an error.
    #[prost(int32, tag = "1")]
    pub status: i32,
    /// The error message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// The result.
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

/// `protos.ProposalResponsePayload`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ProposalResponsePayload {
    /// The hash of the proposal.
    #[prost(bytes = "vec", tag = "1")]
    pub proposal_hash: Vec<u8>,
    /// An encoded [`ChaincodeAction`].
    #[prost(bytes = "vec", tag = "2")]
    pub extension: Vec<u8>,
}

/// `protos.ChaincodeAction`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeAction {
    /// The read-write set.
    #[prost(bytes = "vec", tag = "1")]
    pub results: Vec<u8>,
    /// The chaincode's event.
    #[prost(bytes = "vec", tag = "2")]
    pub events: Vec<u8>,
    /// The chaincode's answer.
    #[prost(message, optional, tag = "3")]
    pub response: Option<Response>,
    /// The chaincode that ran.
    #[prost(message, optional, tag = "4")]
    pub chaincode_id: Option<ChaincodeId>,
}

/// `protos.Endorsement`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Endorsement {
    /// The endorser's encoded `msp.SerializedIdentity`.
    #[prost(bytes = "vec", tag = "1")]
    pub endorser: Vec<u8>,
    /// The endorser's signature.
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `protos.Transaction`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Transaction {
    /// The actions (one for a chaincode invocation).
    #[prost(message, repeated, tag = "1")]
    pub actions: Vec<TransactionAction>,
}

/// `protos.TransactionAction`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct TransactionAction {
    /// An encoded `common.SignatureHeader`.
    #[prost(bytes = "vec", tag = "1")]
    pub header: Vec<u8>,
    /// An encoded [`ChaincodeActionPayload`].
    #[prost(bytes = "vec", tag = "2")]
    pub payload: Vec<u8>,
}

/// `protos.ChaincodeActionPayload`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeActionPayload {
    /// The proposal's payload, without its transient map.
    #[prost(bytes = "vec", tag = "1")]
    pub chaincode_proposal_payload: Vec<u8>,
    /// The endorsed result.
    #[prost(message, optional, tag = "2")]
    pub action: Option<ChaincodeEndorsedAction>,
}

/// `protos.ChaincodeEndorsedAction`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ChaincodeEndorsedAction {
    /// An encoded [`ProposalResponsePayload`].
    #[prost(bytes = "vec", tag = "1")]
    pub proposal_response_payload: Vec<u8>,
    /// The endorsements.
    #[prost(message, repeated, tag = "2")]
    pub endorsements: Vec<Endorsement>,
}

/// `protos.TxValidationCode`: the name of a commit code (such as `MVCC_READ_CONFLICT` for 11).
pub fn validation_code_name(code: i32) -> &'static str {
    const NAMES: [&str; 26] = [
        "VALID",
        "NIL_ENVELOPE",
        "BAD_PAYLOAD",
        "BAD_COMMON_HEADER",
        "BAD_CREATOR_SIGNATURE",
        "INVALID_ENDORSER_TRANSACTION",
        "INVALID_CONFIG_TRANSACTION",
        "UNSUPPORTED_TX_PAYLOAD",
        "BAD_PROPOSAL_TXID",
        "DUPLICATE_TXID",
        "ENDORSEMENT_POLICY_FAILURE",
        "MVCC_READ_CONFLICT",
        "PHANTOM_READ_CONFLICT",
        "UNKNOWN_TX_TYPE",
        "TARGET_CHAIN_NOT_FOUND",
        "MARSHAL_TX_ERROR",
        "NIL_TXACTION",
        "EXPIRED_CHAINCODE",
        "CHAINCODE_VERSION_CONFLICT",
        "BAD_HEADER_EXTENSION",
        "BAD_CHANNEL_HEADER",
        "BAD_RESPONSE_PAYLOAD",
        "BAD_RWSET",
        "ILLEGAL_WRITESET",
        "INVALID_WRITESET",
        "INVALID_CHAINCODE",
    ];
    match code {
        254 => "NOT_VALIDATED",
        255 => "INVALID_OTHER_REASON",
        _ => usize::try_from(code).ok().and_then(|i| NAMES.get(i).copied()).unwrap_or("UNKNOWN_CODE"),
    }
}

/// `TxValidationCode.VALID`.
pub const TX_VALID: i32 = 0;
/// `TxValidationCode.MVCC_READ_CONFLICT`.
pub const TX_MVCC_READ_CONFLICT: i32 = 11;
/// `TxValidationCode.PHANTOM_READ_CONFLICT`.
pub const TX_PHANTOM_READ_CONFLICT: i32 = 12;
