//! The bytes the connector sends, decoded by the official Fabric descriptors: PyPI
//! `hyperledger-fabric-protos` (which scripts/test.sh installs in a virtual environment and
//! names in `CALIPER_FABRIC_PYTHON`) parses an EndorseRequest, a SubmitRequest and a
//! SignedCommitStatusRequest built by caliper-fabric, and every field it reads must be the one
//! that was meant. A wrong field number in the hand-written messages fails here.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use caliper_fabric::Identity;
use caliper_fabric::proto::common::{ChannelHeader, Envelope, Header, Payload};
use caliper_fabric::proto::gateway::{EndorseRequest, SubmitRequest};
use caliper_fabric::proto::peer::{
    ChaincodeAction, ChaincodeActionPayload, ChaincodeEndorsedAction, ProposalResponsePayload, Response,
    Transaction, TransactionAction,
};
use caliper_fabric::transaction::{
    Invocation, commit_status_request, envelope_result, propose_with, sign_envelope,
};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use prost::Message;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The Python that has `hyperledger-fabric-protos`.
fn python() -> String {
    std::env::var("CALIPER_FABRIC_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The prepared transaction a gateway would answer: one action whose chaincode response is
/// `result`.
fn prepared(channel: &str, tx_id: &str, result: &[u8]) -> Envelope {
    let action = ChaincodeAction {
        response: Some(Response { status: 200, message: String::new(), payload: result.to_vec() }),
        ..Default::default()
    };
    let response_payload =
        ProposalResponsePayload { proposal_hash: vec![1; 32], extension: action.encode_to_vec() };
    let action_payload = ChaincodeActionPayload {
        chaincode_proposal_payload: Vec::new(),
        action: Some(ChaincodeEndorsedAction {
            proposal_response_payload: response_payload.encode_to_vec(),
            endorsements: Vec::new(),
        }),
    };
    let transaction = Transaction {
        actions: vec![TransactionAction { header: Vec::new(), payload: action_payload.encode_to_vec() }],
    };
    let channel_header =
        ChannelHeader { r#type: 3, channel_id: channel.into(), tx_id: tx_id.into(), ..Default::default() };
    let payload = Payload {
        header: Some(Header { channel_header: channel_header.encode_to_vec(), signature_header: Vec::new() }),
        data: transaction.encode_to_vec(),
    };
    Envelope { payload: payload.encode_to_vec(), signature: Vec::new() }
}

fn verify(cert_key: &VerifyingKey, message: &[u8], der: &[u8]) {
    let signature = Signature::from_der(der).expect("DER signature");
    assert!(signature.normalize_s().is_none(), "the signature's S is high");
    cert_key.verify_prehash(&Sha256::digest(message), &signature).expect("the signature verifies");
}

#[test]
fn the_bytes_sent_decode_with_the_official_fabric_descriptors() {
    let dir = tempfile::tempdir().unwrap();
    caliper_testkit::certs::ca(dir.path(), "user", "User1");
    let cert = std::fs::read_to_string(dir.path().join("user.pem")).unwrap();
    let key = std::fs::read_to_string(dir.path().join("user.key")).unwrap();
    let identity = Identity::from_pem("User1", "Org1MSP", &cert, &key).unwrap();

    let invocation = Invocation {
        channel: "mychannel".into(),
        chaincode: "simple".into(),
        args: vec![b"transfer".to_vec(), b"acc1".to_vec(), b"acc2".to_vec(), b"10".to_vec()],
        transient: BTreeMap::from([("secret".to_string(), b"s3cr3t".to_vec())]),
    };
    let nonce: Vec<u8> = (0u8..24).collect();
    let when = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
    let signed = propose_with(&identity, &invocation, &nonce, when).unwrap();
    let endorse = EndorseRequest {
        transaction_id: signed.tx_id.clone(),
        channel_id: "mychannel".into(),
        proposed_transaction: Some(signed.proposal.clone()),
        endorsing_organizations: vec!["Org1MSP".into(), "Org2MSP".into()],
    };
    let mut envelope = prepared("mychannel", &signed.tx_id, b"42");
    assert_eq!(envelope_result(&envelope).as_deref(), Some(&b"42"[..]));
    sign_envelope(&identity, &mut envelope).unwrap();
    let submit = SubmitRequest {
        transaction_id: signed.tx_id.clone(),
        channel_id: "mychannel".into(),
        prepared_transaction: Some(envelope.clone()),
    };
    let commit = commit_status_request(&identity, &signed.tx_id, "mychannel").unwrap();
    std::fs::write(dir.path().join("endorse.bin"), endorse.encode_to_vec()).unwrap();
    std::fs::write(dir.path().join("submit.bin"), submit.encode_to_vec()).unwrap();
    std::fs::write(dir.path().join("commit_status.bin"), commit.encode_to_vec()).unwrap();

    // Every signature verifies with the certificate's key, low S.
    let cert_key = {
        use x509_cert::der::DecodePem;
        let cert = x509_cert::Certificate::from_pem(cert.as_bytes()).unwrap();
        VerifyingKey::from_sec1_bytes(
            cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes(),
        )
        .unwrap()
    };
    verify(&cert_key, &signed.proposal.proposal_bytes, &signed.proposal.signature);
    verify(&cert_key, &envelope.payload, &envelope.signature);
    verify(&cert_key, &commit.request, &commit.signature);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/decode.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run ({e}): run scripts/test.sh, or set CALIPER_FABRIC_PYTHON to a Python with hyperledger-fabric-protos", python()));
    assert!(
        out.status.success(),
        "the official descriptors could not decode the bytes (is hyperledger-fabric-protos installed? scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tx_id = signed.tx_id.as_str();
    assert_eq!(tx_id.len(), 64);
    let expected = json!({
        "endorse": {"transaction_id": tx_id, "channel_id": "mychannel", "endorsing_organizations": ["Org1MSP", "Org2MSP"],
                    "signature_len": signed.proposal.signature.len()},
        "channel_header": {"type": 3, "type_name": "ENDORSER_TRANSACTION", "channel_id": "mychannel", "tx_id": tx_id,
                           "timestamp_seconds": 1_700_000_000, "timestamp_nanos": 123_456_789, "epoch": 0, "chaincode": "simple"},
        "creator": {"mspid": "Org1MSP", "id_bytes": cert},
        "nonce_hex": hex::encode(&nonce),
        "computed_tx_id": tx_id,
        "chaincode_spec": {"type_name": "NODE", "name": "simple", "args": ["transfer", "acc1", "acc2", "10"]},
        "transient": {"secret": "s3cr3t"},
        "submit": {"transaction_id": tx_id, "channel_id": "mychannel", "envelope_channel": "mychannel",
                   "signature_len": envelope.signature.len(), "result": "42", "status": 200},
        "commit_status": {"transaction_id": tx_id, "channel_id": "mychannel", "identity_is_creator": true,
                          "signature_len": commit.signature.len()},
    });
    assert_eq!(decoded, expected);
}
