//! CPU per transaction of the connector's client path without the network: building and
//! signing a proposal, and the three signed messages of a submit (proposal, prepared
//! transaction, commit-status request). Signing is the main cost; prints microseconds each.
//!
//! `cargo bench -p caliper-fabric --bench sign`

use std::collections::BTreeMap;
use std::time::Instant;

use caliper_fabric::Identity;
use caliper_fabric::proto::common::Envelope;
use caliper_fabric::transaction::{Invocation, commit_status_request, propose, sign_envelope};

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    caliper_testkit::certs::ca(dir.path(), "user", "User1");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).expect("test identity");
    let identity =
        Identity::from_pem("User1", "Org1MSP", &read("user.pem"), &read("user.key")).expect("identity");
    let invocation = Invocation {
        channel: "mychannel".into(),
        chaincode: "simple".into(),
        args: vec![b"transfer".to_vec(), b"acc1".to_vec(), b"acc2".to_vec(), b"10".to_vec()],
        transient: BTreeMap::new(),
    };
    let envelope_payload = vec![7u8; 3000];
    let n = 3000u32;
    for round in 0..2 {
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(propose(&identity, &invocation).expect("propose"));
        }
        let proposal = start.elapsed() / n;
        let start = Instant::now();
        for _ in 0..n {
            let signed = propose(&identity, &invocation).expect("propose");
            let mut envelope = Envelope { payload: envelope_payload.clone(), signature: Vec::new() };
            sign_envelope(&identity, &mut envelope).expect("sign");
            std::hint::black_box(
                commit_status_request(&identity, &signed.tx_id, "mychannel").expect("commit"),
            );
        }
        let submit = start.elapsed() / n;
        if round == 1 {
            eprintln!(
                "signed proposal: {:.1} µs; the three signed messages of a submit: {:.1} µs",
                proposal.as_secs_f64() * 1e6,
                submit.as_secs_f64() * 1e6
            );
        }
    }
}
