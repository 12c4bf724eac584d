//! Package `gateway`: the Gateway service's requests and responses (Fabric 2.4+).

use super::common::Envelope;
use super::peer::{Response, SignedProposal};

/// The gRPC paths of the four unary calls.
pub mod path {
    /// `Evaluate`: run a read-only proposal on one peer.
    pub const EVALUATE: &str = "/gateway.Gateway/Evaluate";
    /// `Endorse`: collect the endorsements; answers the unsigned prepared transaction.
    pub const ENDORSE: &str = "/gateway.Gateway/Endorse";
    /// `Submit`: hand the signed transaction to the ordering service.
    pub const SUBMIT: &str = "/gateway.Gateway/Submit";
    /// `CommitStatus`: wait for the transaction's commit and its validation code.
    pub const COMMIT_STATUS: &str = "/gateway.Gateway/CommitStatus";
}

/// `gateway.EvaluateRequest`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EvaluateRequest {
    /// The transaction id.
    #[prost(string, tag = "1")]
    pub transaction_id: String,
    /// The channel.
    #[prost(string, tag = "2")]
    pub channel_id: String,
    /// The signed proposal.
    #[prost(message, optional, tag = "3")]
    pub proposed_transaction: Option<SignedProposal>,
    /// The organisations whose peers may evaluate it (empty: the gateway chooses).
    #[prost(string, repeated, tag = "4")]
    pub target_organizations: Vec<String>,
}

/// `gateway.EvaluateResponse`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EvaluateResponse {
    /// The chaincode's answer.
    #[prost(message, optional, tag = "1")]
    pub result: Option<Response>,
}

/// `gateway.EndorseRequest`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EndorseRequest {
    /// The transaction id.
    #[prost(string, tag = "1")]
    pub transaction_id: String,
    /// The channel.
    #[prost(string, tag = "2")]
    pub channel_id: String,
    /// The signed proposal.
    #[prost(message, optional, tag = "3")]
    pub proposed_transaction: Option<SignedProposal>,
    /// The organisations that must endorse (empty: the gateway follows the policy).
    #[prost(string, repeated, tag = "4")]
    pub endorsing_organizations: Vec<String>,
}

/// `gateway.EndorseResponse`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EndorseResponse {
    /// The transaction to sign and submit (its `signature` empty).
    #[prost(message, optional, tag = "1")]
    pub prepared_transaction: Option<Envelope>,
}

/// `gateway.SubmitRequest`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SubmitRequest {
    /// The transaction id.
    #[prost(string, tag = "1")]
    pub transaction_id: String,
    /// The channel.
    #[prost(string, tag = "2")]
    pub channel_id: String,
    /// The signed transaction.
    #[prost(message, optional, tag = "3")]
    pub prepared_transaction: Option<Envelope>,
}

/// `gateway.SubmitResponse` (empty).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SubmitResponse {}

/// `gateway.CommitStatusRequest`, encoded into [`SignedCommitStatusRequest::request`].
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct CommitStatusRequest {
    /// The transaction id.
    #[prost(string, tag = "1")]
    pub transaction_id: String,
    /// The channel.
    #[prost(string, tag = "2")]
    pub channel_id: String,
    /// The encoded `msp.SerializedIdentity` of the caller.
    #[prost(bytes = "vec", tag = "3")]
    pub identity: Vec<u8>,
}

/// `gateway.SignedCommitStatusRequest`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SignedCommitStatusRequest {
    /// An encoded [`CommitStatusRequest`].
    #[prost(bytes = "vec", tag = "1")]
    pub request: Vec<u8>,
    /// The caller's signature of `request`.
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `gateway.CommitStatusResponse`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct CommitStatusResponse {
    /// The `protos.TxValidationCode` (0 is VALID).
    #[prost(int32, tag = "1")]
    pub result: i32,
    /// The block that holds the transaction.
    #[prost(uint64, tag = "2")]
    pub block_number: u64,
}

/// `gateway.ErrorDetail`: one peer's or orderer's part of a gateway error.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ErrorDetail {
    /// The address of the peer or orderer.
    #[prost(string, tag = "1")]
    pub address: String,
    /// Its MSP.
    #[prost(string, tag = "2")]
    pub msp_id: String,
    /// What it said.
    #[prost(string, tag = "3")]
    pub message: String,
}
