//! An in-process Fabric gateway peer for the tests: a tonic server on loopback (TLS) that
//! checks every call as a peer does (the transaction id recomputed from the nonce and the
//! creator, the creator one of the identities it knows, every signature verified with the
//! creator certificate's public key and its S low) and answers by the chaincode function
//! called, so that each failure class of the connector can be driven:
//!
//! | function | answer |
//! |---|---|
//! | `ok` | endorsed (result `ok:<first argument>`), committed VALID |
//! | `query` | evaluated (result `query:<first argument>`) |
//! | `mvcc` | committed MVCC_READ_CONFLICT (11) |
//! | `policy` | committed ENDORSEMENT_POLICY_FAILURE (10) |
//! | `fail` | Endorse: Aborted with an ErrorDetail, as when the chaincode fails |
//! | `evalfail` | Evaluate: Unknown "chaincode response 500" |
//! | `busy` | Endorse: Unknown "too many requests …, exceeding concurrency limit (500)" |
//! | `slow` | CommitStatus answers after 3 s |
//!
//! Every Endorse and Evaluate can be held for a while (`Ledger::new`'s delay), and each peer
//! records the most calls it had in flight at once.

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use caliper_fabric::proto::common::{ChannelHeader, Envelope, Header, Payload, SignatureHeader};
use caliper_fabric::proto::gateway::{
    CommitStatusRequest, CommitStatusResponse, EndorseRequest, EndorseResponse, ErrorDetail, EvaluateRequest,
    EvaluateResponse, SignedCommitStatusRequest, SubmitRequest, SubmitResponse, path,
};
use caliper_fabric::proto::google::{Any, RpcStatus};
use caliper_fabric::proto::msp::SerializedIdentity;
use caliper_fabric::proto::peer::{
    ChaincodeAction, ChaincodeActionPayload, ChaincodeEndorsedAction, ChaincodeInvocationSpec,
    ChaincodeProposalPayload, Proposal, ProposalResponsePayload, Response, SignedProposal, Transaction,
    TransactionAction,
};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use prost::Message;
use sha2::{Digest, Sha256};
use tonic::body::Body;
use tonic::codegen::{Service, http};
use tonic::server::{Grpc, UnaryService};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Code, Status};
use tonic_prost::ProstCodec;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What the gateway saw, shared by every peer of one test.
#[derive(Default, Debug)]
pub struct Seen {
    /// Calls whose checks passed, by path and peer index.
    pub calls: BTreeMap<(String, usize), u64>,
    /// What a check refused (never expected).
    pub refused: Vec<String>,
    /// The transaction ids proposed (each once).
    pub tx_ids: HashSet<String>,
    /// Transactions submitted, with the function of their proposal.
    pub submitted: BTreeMap<String, String>,
}

/// The peers' shared state: the identities they accept and what they saw.
pub struct Ledger {
    /// mspid → accepted certificates (PEM text).
    identities: Vec<(String, String)>,
    /// What happened.
    pub seen: Mutex<Seen>,
    /// How long each Endorse and Evaluate is held.
    delay: Duration,
    /// Calls in flight now, and the most at once, per peer.
    in_flight: [AtomicUsize; 2],
    max_in_flight: [AtomicUsize; 2],
}

/// Counts one call in flight on a peer while it lives (a call the client gives up on is
/// dropped by the server, and stops counting).
struct InFlight<'a>(&'a Ledger, usize);

impl<'a> InFlight<'a> {
    fn new(ledger: &'a Ledger, peer: usize) -> Self {
        let now = ledger.in_flight[peer].fetch_add(1, Ordering::SeqCst) + 1;
        ledger.max_in_flight[peer].fetch_max(now, Ordering::SeqCst);
        InFlight(ledger, peer)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight[self.1].fetch_sub(1, Ordering::SeqCst);
    }
}

impl Ledger {
    /// A ledger that accepts the given (mspid, certificate PEM) identities, and holds each
    /// Endorse and Evaluate for `delay`.
    pub fn new(identities: Vec<(String, String)>, delay: Duration) -> Arc<Self> {
        Arc::new(Ledger {
            identities,
            seen: Mutex::new(Seen::default()),
            delay,
            in_flight: Default::default(),
            max_in_flight: Default::default(),
        })
    }

    /// The most calls each peer had in flight at once since the last look.
    pub fn take_max_in_flight(&self) -> [usize; 2] {
        [0, 1].map(|i| self.max_in_flight[i].swap(0, Ordering::SeqCst))
    }

    fn refuse(&self, what: String) -> Status {
        self.seen.lock().unwrap().refused.push(what.clone());
        Status::invalid_argument(what)
    }

    /// The creator's key, if the creator is one of the known identities.
    fn creator_key(&self, creator: &[u8]) -> Result<VerifyingKey, Status> {
        let id = SerializedIdentity::decode(creator).map_err(|e| self.refuse(format!("creator: {e}")))?;
        let cert = String::from_utf8(id.id_bytes).map_err(|_| self.refuse("creator: not PEM".into()))?;
        if !self.identities.iter().any(|(msp, pem)| *msp == id.mspid && *pem == cert) {
            return Err(self.refuse(format!("creator of {} is not a known identity", id.mspid)));
        }
        use x509_cert::der::DecodePem;
        let cert = x509_cert::Certificate::from_pem(cert.as_bytes())
            .map_err(|e| self.refuse(format!("cert: {e}")))?;
        VerifyingKey::from_sec1_bytes(
            cert.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes(),
        )
        .map_err(|e| self.refuse(format!("cert key: {e}")))
    }

    /// Verifies a signature as Fabric does: SHA-256 of the message, DER, low S.
    fn verify(&self, key: &VerifyingKey, message: &[u8], der: &[u8], what: &str) -> Result<(), Status> {
        let signature =
            Signature::from_der(der).map_err(|e| self.refuse(format!("{what}: signature not DER: {e}")))?;
        if signature.normalize_s().is_some() {
            return Err(self.refuse(format!("{what}: Invalid S. Must be smaller than half the order")));
        }
        key.verify_prehash(&Sha256::digest(message), &signature).map_err(|_| {
            self.refuse(format!("{what}: the signature does not verify with the creator's certificate"))
        })
    }

    /// Checks a signed proposal; answers its channel header, signature header and
    /// (function, first argument).
    fn check_proposal(
        &self,
        tx_id: &str,
        channel: &str,
        signed: Option<&SignedProposal>,
    ) -> Result<(ChannelHeader, SignatureHeader, String, String), Status> {
        let signed = signed.ok_or_else(|| self.refuse("no proposed transaction".into()))?;
        let proposal = Proposal::decode(signed.proposal_bytes.as_slice())
            .map_err(|e| self.refuse(format!("proposal: {e}")))?;
        let header =
            Header::decode(proposal.header.as_slice()).map_err(|e| self.refuse(format!("header: {e}")))?;
        let ch = ChannelHeader::decode(header.channel_header.as_slice())
            .map_err(|e| self.refuse(format!("channel header: {e}")))?;
        let sh = SignatureHeader::decode(header.signature_header.as_slice())
            .map_err(|e| self.refuse(format!("signature header: {e}")))?;
        let key = self.creator_key(&sh.creator)?;
        self.verify(&key, &signed.proposal_bytes, &signed.signature, "proposal")?;
        let mut hasher = Sha256::new();
        hasher.update(&sh.nonce);
        hasher.update(&sh.creator);
        let expected = hex::encode(hasher.finalize());
        if ch.tx_id != expected || tx_id != expected {
            return Err(self.refuse(format!("invalid txid. got [{}], expected [{expected}]", ch.tx_id)));
        }
        if ch.r#type != 3 || ch.channel_id != channel || channel != "mychannel" {
            return Err(
                self.refuse(format!("bad channel header: type {} channel {}", ch.r#type, ch.channel_id))
            );
        }
        if !self.seen.lock().unwrap().tx_ids.insert(expected.clone()) {
            return Err(self.refuse(format!("duplicate transaction id {expected}")));
        }
        let payload = ChaincodeProposalPayload::decode(proposal.payload.as_slice())
            .map_err(|e| self.refuse(format!("payload: {e}")))?;
        let spec = ChaincodeInvocationSpec::decode(payload.input.as_slice())
            .map_err(|e| self.refuse(format!("spec: {e}")))?;
        let spec = spec.chaincode_spec.unwrap_or_default();
        if spec.chaincode_id.as_ref().map(|c| c.name.as_str()) != Some("simple") {
            return Err(self.refuse(format!("unknown chaincode {:?}", spec.chaincode_id)));
        }
        let args = spec.input.map(|i| i.args).unwrap_or_default();
        let text =
            |i: usize| args.get(i).map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default();
        Ok((ch, sh, text(0), text(1)))
    }

    fn count(&self, path: &str, peer: usize) {
        *self.seen.lock().unwrap().calls.entry((path.to_string(), peer)).or_default() += 1;
    }

    fn evaluate(&self, peer: usize, r: EvaluateRequest) -> Result<EvaluateResponse, Status> {
        let (_, _, function, arg) =
            self.check_proposal(&r.transaction_id, &r.channel_id, r.proposed_transaction.as_ref())?;
        self.count(path::EVALUATE, peer);
        match function.as_str() {
            "query" => Ok(EvaluateResponse {
                result: Some(Response {
                    status: 200,
                    message: String::new(),
                    payload: format!("query:{arg}").into_bytes(),
                }),
            }),
            _ => Err(Status::unknown(
                "evaluate call to endorser returned error: chaincode response 500, no such asset",
            )),
        }
    }

    fn endorse(&self, peer: usize, r: EndorseRequest) -> Result<EndorseResponse, Status> {
        let (ch, sh, function, arg) =
            self.check_proposal(&r.transaction_id, &r.channel_id, r.proposed_transaction.as_ref())?;
        self.count(path::ENDORSE, peer);
        match function.as_str() {
            "busy" => {
                return Err(Status::unknown(
                    "too many requests for /gateway.Gateway, exceeding concurrency limit (500)",
                ));
            }
            "fail" => {
                return Err(with_detail(
                    Code::Aborted,
                    "failed to endorse transaction, see attached details for more info",
                    "chaincode response 500, asset not found",
                ));
            }
            _ => {}
        }
        let action = ChaincodeAction {
            response: Some(Response {
                status: 200,
                message: String::new(),
                payload: format!("ok:{arg}").into_bytes(),
            }),
            ..Default::default()
        };
        let prp = ProposalResponsePayload { proposal_hash: vec![0; 32], extension: action.encode_to_vec() };
        let cap = ChaincodeActionPayload {
            chaincode_proposal_payload: Vec::new(),
            action: Some(ChaincodeEndorsedAction {
                proposal_response_payload: prp.encode_to_vec(),
                endorsements: Vec::new(),
            }),
        };
        let tx = Transaction {
            actions: vec![TransactionAction { header: sh.encode_to_vec(), payload: cap.encode_to_vec() }],
        };
        let payload = Payload {
            header: Some(Header { channel_header: ch.encode_to_vec(), signature_header: sh.encode_to_vec() }),
            data: tx.encode_to_vec(),
        };
        self.seen.lock().unwrap().submitted.insert(format!("endorsed:{}", ch.tx_id), function);
        Ok(EndorseResponse {
            prepared_transaction: Some(Envelope { payload: payload.encode_to_vec(), signature: Vec::new() }),
        })
    }

    fn submit(&self, peer: usize, r: SubmitRequest) -> Result<SubmitResponse, Status> {
        let envelope = r.prepared_transaction.ok_or_else(|| self.refuse("no prepared transaction".into()))?;
        if envelope.signature.is_empty() {
            return Err(self.refuse("prepared transaction must be signed".into()));
        }
        let payload =
            Payload::decode(envelope.payload.as_slice()).map_err(|e| self.refuse(format!("payload: {e}")))?;
        let header = payload.header.unwrap_or_default();
        let sh = SignatureHeader::decode(header.signature_header.as_slice())
            .map_err(|e| self.refuse(format!("sh: {e}")))?;
        let ch = ChannelHeader::decode(header.channel_header.as_slice())
            .map_err(|e| self.refuse(format!("ch: {e}")))?;
        let key = self.creator_key(&sh.creator)?;
        self.verify(&key, &envelope.payload, &envelope.signature, "envelope")?;
        if ch.tx_id != r.transaction_id {
            return Err(self.refuse("submit: transaction id differs from the envelope's".into()));
        }
        let mut seen = self.seen.lock().unwrap();
        let Some(function) = seen.submitted.remove(&format!("endorsed:{}", ch.tx_id)) else {
            drop(seen);
            return Err(self.refuse(format!("submit of {} that was not endorsed", ch.tx_id)));
        };
        seen.submitted.insert(ch.tx_id, function);
        drop(seen);
        self.count(path::SUBMIT, peer);
        Ok(SubmitResponse {})
    }

    fn commit_status(
        &self,
        peer: usize,
        r: SignedCommitStatusRequest,
    ) -> Result<(CommitStatusResponse, bool), Status> {
        let request = CommitStatusRequest::decode(r.request.as_slice())
            .map_err(|e| self.refuse(format!("commit status: {e}")))?;
        let key = self.creator_key(&request.identity)?;
        self.verify(&key, &r.request, &r.signature, "commit status request")?;
        let function = self.seen.lock().unwrap().submitted.get(&request.transaction_id).cloned();
        let Some(function) = function else {
            return Err(
                self.refuse(format!("commit status of {} that was not submitted", request.transaction_id))
            );
        };
        self.count(path::COMMIT_STATUS, peer);
        let code = match function.as_str() {
            "mvcc" => 11,
            "policy" => 10,
            _ => 0,
        };
        Ok((CommitStatusResponse { result: code, block_number: 7 }, function == "slow"))
    }
}

fn with_detail(code: Code, message: &str, detail: &str) -> Status {
    let detail =
        ErrorDetail { address: "peer1.org2:9051".into(), msp_id: "Org2MSP".into(), message: detail.into() };
    let rpc = RpcStatus {
        code: code as i32,
        message: message.into(),
        details: vec![Any {
            type_url: "type.googleapis.com/gateway.ErrorDetail".into(),
            value: detail.encode_to_vec(),
        }],
    };
    Status::with_details(code, message, rpc.encode_to_vec().into())
}

/// One unary handler.
struct Unary<Req, Resp>(Arc<dyn Fn(Req) -> BoxFuture<Result<Resp, Status>> + Send + Sync>);

impl<Req: Send + 'static, Resp: Send + 'static> UnaryService<Req> for Unary<Req, Resp> {
    type Response = Resp;
    type Future = BoxFuture<Result<tonic::Response<Resp>, Status>>;

    fn call(&mut self, request: tonic::Request<Req>) -> Self::Future {
        let f = self.0.clone();
        Box::pin(async move { f(request.into_inner()).await.map(tonic::Response::new) })
    }
}

/// One gateway peer, serving the four unary calls.
#[derive(Clone)]
struct Peer {
    index: usize,
    ledger: Arc<Ledger>,
}

async fn serve_unary<Req, Resp>(
    request: http::Request<Body>,
    f: impl Fn(Req) -> BoxFuture<Result<Resp, Status>> + Send + Sync + 'static,
) -> http::Response<Body>
where
    Req: Message + Default + Send + 'static,
    Resp: Message + Send + 'static,
{
    Grpc::new(ProstCodec::<Resp, Req>::default()).unary(Unary(Arc::new(f)), request).await
}

impl Service<http::Request<Body>> for Peer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let (l, i) = (self.ledger.clone(), self.index);
        Box::pin(async move {
            let _counted = InFlight::new(&l, i);
            if matches!(request.uri().path(), path::ENDORSE | path::EVALUATE) && !l.delay.is_zero() {
                tokio::time::sleep(l.delay).await;
            }
            let l = l.clone();
            let response = match request.uri().path() {
                path::EVALUATE => {
                    serve_unary(request, move |r| {
                        let l = l.clone();
                        Box::pin(async move { l.evaluate(i, r) })
                    })
                    .await
                }
                path::ENDORSE => {
                    serve_unary(request, move |r| {
                        let l = l.clone();
                        Box::pin(async move { l.endorse(i, r) })
                    })
                    .await
                }
                path::SUBMIT => {
                    serve_unary(request, move |r| {
                        let l = l.clone();
                        Box::pin(async move { l.submit(i, r) })
                    })
                    .await
                }
                path::COMMIT_STATUS => {
                    serve_unary(request, move |r| {
                        let l = l.clone();
                        Box::pin(async move {
                            let (response, slow) = l.commit_status(i, r)?;
                            if slow {
                                tokio::time::sleep(Duration::from_secs(3)).await;
                            }
                            Ok(response)
                        })
                    })
                    .await
                }
                other => Status::unimplemented(format!("no method {other}")).into_http(),
            };
            Ok(response)
        })
    }
}

/// Starts gateway peer `index` on a free loopback port with TLS (the server certificate and
/// key PEM; with `client_ca`, client certificates signed by it are required: mutual TLS);
/// answers its address. It serves until the runtime stops.
pub async fn start(
    index: usize,
    ledger: Arc<Ledger>,
    cert: &str,
    key: &str,
    client_ca: Option<&str>,
) -> SocketAddr {
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).expect("bind a loopback port");
    let addr = incoming.local_addr().unwrap();
    let mut tls = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca) = client_ca {
        tls = tls.client_ca_root(tonic::transport::Certificate::from_pem(ca));
    }
    let server = Server::builder().tls_config(tls).expect("server TLS").serve_with_incoming_shutdown(
        Peer { index, ledger },
        incoming,
        std::future::pending(),
    );
    tokio::spawn(server);
    addr
}
