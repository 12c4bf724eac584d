//! The bytes of one transaction: the signed proposal, the signed prepared transaction and the
//! signed commit-status request, built as the official Gateway clients build them.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::identity::{Identity, IdentityError};
use crate::proto::common::{
    ChannelHeader, Envelope, HEADER_TYPE_ENDORSER_TRANSACTION, Header, Payload, SignatureHeader,
};
use crate::proto::gateway::{CommitStatusRequest, SignedCommitStatusRequest};
use crate::proto::google::Timestamp;
use crate::proto::peer::{
    CHAINCODE_TYPE_NODE, ChaincodeAction, ChaincodeActionPayload, ChaincodeHeaderExtension, ChaincodeId,
    ChaincodeInput, ChaincodeInvocationSpec, ChaincodeProposalPayload, ChaincodeSpec, Proposal,
    ProposalResponsePayload, SignedProposal, Transaction,
};

/// The length of a proposal's nonce, as the official clients send it.
pub const NONCE_LEN: usize = 24;

/// What a proposal invokes.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The channel.
    pub channel: String,
    /// The chaincode's name.
    pub chaincode: String,
    /// The function, then its arguments, each as bytes.
    pub args: Vec<Vec<u8>>,
    /// Private data for the chaincode.
    pub transient: BTreeMap<String, Vec<u8>>,
}

/// A signed proposal and its transaction id.
#[derive(Debug, Clone)]
pub struct SignedTx {
    /// Lowercase hex of SHA-256(nonce ‖ creator).
    pub tx_id: String,
    /// The proposal and its signature.
    pub proposal: SignedProposal,
}

/// The transaction id of a proposal: lowercase hex of SHA-256(nonce ‖ creator).
pub fn transaction_id(nonce: &[u8], creator: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(nonce);
    hasher.update(creator);
    hex::encode(hasher.finalize())
}

/// Builds and signs the proposal of `invocation` by `identity`, with a fresh random nonce.
pub fn propose(identity: &Identity, invocation: &Invocation) -> Result<SignedTx, IdentityError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    propose_with(identity, invocation, &nonce, SystemTime::now())
}

/// [`propose`] with a given nonce and time (tests compare exact bytes).
pub fn propose_with(
    identity: &Identity,
    invocation: &Invocation,
    nonce: &[u8],
    now: SystemTime,
) -> Result<SignedTx, IdentityError> {
    let creator = identity.creator();
    let tx_id = transaction_id(nonce, creator);
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let chaincode_id = ChaincodeId { name: invocation.chaincode.clone(), ..Default::default() };
    let channel_header = ChannelHeader {
        r#type: HEADER_TYPE_ENDORSER_TRANSACTION,
        timestamp: Some(Timestamp {
            seconds: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            nanos: since.subsec_nanos() as i32,
        }),
        channel_id: invocation.channel.clone(),
        tx_id: tx_id.clone(),
        extension: ChaincodeHeaderExtension { chaincode_id: Some(chaincode_id.clone()) }.encode_to_vec(),
        ..Default::default()
    };
    let signature_header = SignatureHeader { creator: creator.to_vec(), nonce: nonce.to_vec() };
    let header = Header {
        channel_header: channel_header.encode_to_vec(),
        signature_header: signature_header.encode_to_vec(),
    };
    let spec = ChaincodeInvocationSpec {
        chaincode_spec: Some(ChaincodeSpec {
            r#type: CHAINCODE_TYPE_NODE,
            chaincode_id: Some(chaincode_id),
            input: Some(ChaincodeInput { args: invocation.args.clone(), ..Default::default() }),
            timeout: 0,
        }),
    };
    let payload =
        ChaincodeProposalPayload { input: spec.encode_to_vec(), transient_map: invocation.transient.clone() };
    let proposal_bytes =
        Proposal { header: header.encode_to_vec(), payload: payload.encode_to_vec(), extension: Vec::new() }
            .encode_to_vec();
    let signature = identity.sign(&proposal_bytes)?;
    Ok(SignedTx { tx_id, proposal: SignedProposal { proposal_bytes, signature } })
}

/// Signs a prepared transaction (the envelope the gateway's Endorse answered) in place.
pub fn sign_envelope(identity: &Identity, envelope: &mut Envelope) -> Result<(), IdentityError> {
    envelope.signature = identity.sign(&envelope.payload)?;
    Ok(())
}

/// The signed request for the commit status of `tx_id` on `channel`.
pub fn commit_status_request(
    identity: &Identity,
    tx_id: &str,
    channel: &str,
) -> Result<SignedCommitStatusRequest, IdentityError> {
    let request = CommitStatusRequest {
        transaction_id: tx_id.to_string(),
        channel_id: channel.to_string(),
        identity: identity.creator().to_vec(),
    }
    .encode_to_vec();
    let signature = identity.sign(&request)?;
    Ok(SignedCommitStatusRequest { request, signature })
}

/// The chaincode's result in a prepared transaction: the response payload of its first
/// action that parses; `None` when no action does ("No proposal response found").
pub fn envelope_result(envelope: &Envelope) -> Option<Vec<u8>> {
    let payload = Payload::decode(envelope.payload.as_slice()).ok()?;
    let transaction = Transaction::decode(payload.data.as_slice()).ok()?;
    transaction.actions.iter().find_map(|action| {
        let action_payload = ChaincodeActionPayload::decode(action.payload.as_slice()).ok()?;
        let endorsed = action_payload.action?;
        let response_payload =
            ProposalResponsePayload::decode(endorsed.proposal_response_payload.as_slice()).ok()?;
        let chaincode_action = ChaincodeAction::decode(response_payload.extension.as_slice()).ok()?;
        Some(chaincode_action.response.map(|r| r.payload).unwrap_or_default())
    })
}
