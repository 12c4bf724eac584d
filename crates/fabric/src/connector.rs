//! The Fabric connector of one worker (or of the manager, which sends nothing).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use caliper_core::connector::{
    Connector, ConnectorBase, ConnectorError, ConnectorInit, ErrorClass, TxStatus,
};
use caliper_core::time::now_micros;
use serde_json::{Value, json};
use tokio::sync::{OnceCell, Semaphore};

use crate::client::{Gateways, PeerClient};
use crate::config::{ContractSpec, FabricConfig};
use crate::error::{Phase, classify, describe, invalid_message, validation_class};
use crate::identity::Identity;
use crate::proto::gateway::{
    CommitStatusResponse, EndorseRequest, EndorseResponse, EvaluateRequest, EvaluateResponse, SubmitRequest,
    SubmitResponse, path,
};
use crate::proto::peer::{TX_VALID, validation_code_name};
use crate::request::Request;
use crate::settings::FabricSettings;
use crate::transaction::{Invocation, commit_status_request, envelope_result, propose, sign_envelope};

/// The key of the worker arguments that carries each worker's share of
/// `caliper-fabric-maxinflight`.
const MAX_IN_FLIGHT_ARG: &str = "maxInFlightPerPeer";

/// An identity that can invoke, and the gateways its requests go to.
struct Invoker {
    identity: Arc<Identity>,
    gateways: usize,
}

/// The invokers of one organisation.
struct OrgInvokers {
    /// By identity name.
    by_name: HashMap<String, usize>,
    /// The organisation's default invoker: its first identity.
    default: usize,
}

/// What a worker sends with: the connections, made at the first `get_context`.
struct Clients {
    gateways: Vec<Gateways>,
}

/// One worker's (or the manager's) Fabric connector.
pub struct FabricConnector {
    base: ConnectorBase,
    config: Arc<FabricConfig>,
    settings: FabricSettings,
    invokers: Vec<Invoker>,
    orgs: HashMap<String, OrgInvokers>,
    default_msp: String,
    /// The contracts by `contractID`.
    contracts: HashMap<String, ContractSpec>,
    clients: OnceCell<Clients>,
    /// The failure classes already logged at warn level (later failures of a class go to
    /// debug, so a storm of conflicts does not flood the log).
    warned: std::sync::Mutex<std::collections::HashSet<ErrorClass>>,
}

impl FabricConnector {
    /// The connector of `init.worker_index` for `config`; no peer is contacted until the
    /// first request.
    pub(crate) fn new(init: &ConnectorInit, config: FabricConfig, settings: FabricSettings) -> Self {
        let mut invokers = Vec::new();
        let mut orgs = HashMap::new();
        for (o, org) in config.orgs.iter().enumerate() {
            let mut by_name = HashMap::new();
            let first = invokers.len();
            for (i, identity) in org.identities.iter().enumerate() {
                // Under mutual TLS each identity has its own connections (its certificate is
                // the TLS client's); otherwise the organisation's identities share them.
                let gateways = if config.mutual_tls { first + i } else { o };
                by_name.insert(identity.name().to_string(), invokers.len());
                invokers.push(Invoker { identity: identity.clone(), gateways });
            }
            orgs.insert(org.mspid.clone(), OrgInvokers { by_name, default: first });
        }
        let default_msp = config.orgs.first().map(|o| o.mspid.clone()).unwrap_or_default();
        let contracts = config.contracts.iter().map(|c| (c.contract_id.clone(), c.clone())).collect();
        FabricConnector {
            base: ConnectorBase::new(crate::factory::FABRIC, init),
            config: Arc::new(config),
            settings,
            invokers,
            orgs,
            default_msp,
            contracts,
            clients: OnceCell::new(),
            warned: Default::default(),
        }
    }

    /// Dials nothing yet: sets up one lazily dialled connection per gateway peer (per
    /// identity under mutual TLS), each peer with `max_in_flight` places.
    fn connect(&self, max_in_flight: usize) -> Result<Clients, ConnectorError> {
        let connect_timeout = self.settings.call_timeout;
        let mut budgets: HashMap<String, Arc<Semaphore>> = HashMap::new();
        let mut peer_client = |peer: &crate::config::PeerSpec, tls: Option<&Identity>| {
            let budget = budgets
                .entry(peer.address.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(max_in_flight)))
                .clone();
            PeerClient::new(peer, tls, budget, connect_timeout)
                .map(Arc::new)
                .map_err(|e| ConnectorError::Sut(e.to_string()))
        };
        let mut gateways = Vec::new();
        for org in &self.config.orgs {
            if self.config.mutual_tls {
                for identity in &org.identities {
                    let peers =
                        org.peers.iter().map(|p| peer_client(p, Some(identity))).collect::<Result<_, _>>()?;
                    gateways.push(Gateways::new(peers));
                }
            } else {
                let peers = org.peers.iter().map(|p| peer_client(p, None)).collect::<Result<_, _>>()?;
                gateways.push(Gateways::new(peers));
            }
        }
        for (org, g) in self.config.orgs.iter().zip(&gateways) {
            tracing::debug!(worker = self.base.worker_index(), mspid = %org.mspid, peers = ?g.labels(), max_in_flight, "gateway peers");
        }
        Ok(Clients { gateways })
    }

    /// The invoker of a request: `invokerIdentity` of `invokerMspId` (default: the first
    /// organisation), or that organisation's first identity. Without `invokerMspId`, Caliper's
    /// alias of another organisation's identity, `_<mspid>_<name>`, names it too.
    fn invoker(&self, request: &Request) -> Result<&Invoker, String> {
        let not_found = |msp: &str| {
            format!(
                "No contracts for invokerIdentity {} in {msp} found. Identity and/or MspId does not exist",
                request.invoker.as_deref().unwrap_or("(default)")
            )
        };
        let (msp, name) = match (&request.invoker_msp, &request.invoker) {
            (Some(msp), name) => (msp.as_str(), name.as_deref()),
            (None, Some(name)) => {
                self.alias(name).unwrap_or((self.default_msp.as_str(), Some(name.as_str())))
            }
            (None, None) => (self.default_msp.as_str(), None),
        };
        let org = self.orgs.get(msp).ok_or_else(|| not_found(msp))?;
        let index = match name {
            Some(name) => *org.by_name.get(name).ok_or_else(|| not_found(msp))?,
            None => org.default,
        };
        self.invokers.get(index).ok_or_else(|| not_found(msp))
    }

    /// The organisation and name of Caliper's alias `_<mspid>_<name>` of an identity of an
    /// organisation after the first.
    fn alias<'a>(&'a self, alias: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        let rest = alias.strip_prefix('_')?;
        self.config.orgs.iter().skip(1).find_map(|org| {
            let name = rest.strip_prefix(org.mspid.as_str())?.strip_prefix('_')?;
            org.identities.iter().any(|i| i.name() == name).then_some((org.mspid.as_str(), Some(name)))
        })
    }

    /// The channel and chaincode of a request: `contractId` is a `contractID` of the
    /// configuration; with `channel` it may also be the chaincode's name on that channel.
    fn contract(&self, request: &Request) -> Result<(&str, &str), String> {
        let id = request.contract_id.as_str();
        match &request.channel {
            None => self
                .contracts
                .get(id)
                .map(|c| (c.channel.as_str(), c.id.as_str()))
                .ok_or_else(|| format!("Could not find details for contract ID {id}")),
            Some(channel) => self
                .config
                .contracts
                .iter()
                .find(|c| &c.channel == channel && (c.id == id || c.contract_id == id))
                .map(|c| (c.channel.as_str(), c.id.as_str()))
                .ok_or_else(|| format!("Unable to find specified contract {id} on channel {channel}!")),
        }
    }

    async fn send(&self, request: Request) -> Result<TxStatus, ConnectorError> {
        let invoker = self.invoker(&request).map_err(ConnectorError::InvalidRequest)?;
        let (channel, chaincode) = self.contract(&request).map_err(ConnectorError::InvalidRequest)?;
        let clients = self.clients.get().ok_or_else(|| {
            ConnectorError::Sut(
                "the Fabric connector sends only between get_context and release_context".into(),
            )
        })?;
        let gateways = clients.gateways.get(invoker.gateways).and_then(Gateways::pick).ok_or_else(|| {
            ConnectorError::Sut(format!("organization {} has no gateway peer", invoker.identity.mspid()))
        })?;
        let mut args = Vec::with_capacity(request.args.len() + 1);
        args.push(request.function.as_bytes().to_vec());
        args.extend(request.args);
        let invocation = Invocation {
            channel: channel.to_string(),
            chaincode: chaincode.to_string(),
            args,
            transient: request.transient,
        };
        let call = Call {
            identity: &invoker.identity,
            peer: gateways,
            timeout: request.timeout.unwrap_or(self.settings.call_timeout),
            target_orgs: request.target_orgs,
        };
        let mut status = TxStatus::new(String::new());
        status.verified = true;
        status.set_custom("request_type", if request.read_only { "query" } else { "transaction" });
        // A place in the peer's budget is held from the first call to the last; waiting for
        // it is part of the latency, as the transaction was due.
        let _place = gateways.admit().await;
        let outcome = if request.read_only {
            call.evaluate(&invocation, &mut status).await
        } else {
            call.submit(&invocation, &mut status).await
        };
        match outcome {
            Ok(result) => {
                status.result = Some(result_value(result));
                status.set_success(now_micros());
            }
            Err((class, message)) => {
                let kind = if request.read_only { "query" } else { "submit" };
                let first = self.warned.lock().map(|mut w| w.insert(class)).unwrap_or(false);
                if first {
                    tracing::warn!(
                        tx = %status.id, function = %request.function,
                        "Failed to perform {kind} transaction ({class}; later {class} failures are logged at debug level): {message}"
                    );
                } else {
                    tracing::debug!(tx = %status.id, function = %request.function, "Failed to perform {kind} transaction ({class}): {message}");
                }
                status.result = Some(Value::String(String::new()));
                status.set_failed(now_micros(), class, message);
            }
        }
        Ok(status)
    }
}

/// A failed transaction's class and message.
type Failure = (ErrorClass, String);

/// One transaction's calls.
struct Call<'a> {
    identity: &'a Identity,
    peer: &'a PeerClient,
    timeout: Duration,
    target_orgs: Vec<String>,
}

impl Call<'_> {
    fn failed(&self, phase: Phase, status: &tonic::Status) -> Failure {
        (classify(phase, status), describe(phase, &self.peer.label, status))
    }

    /// Evaluate: the chaincode's answer from one peer.
    async fn evaluate(&self, invocation: &Invocation, status: &mut TxStatus) -> Result<Vec<u8>, Failure> {
        let signed = propose(self.identity, invocation).map_err(|e| (ErrorClass::Other, e.to_string()))?;
        status.id.clone_from(&signed.tx_id);
        let start = Instant::now();
        let request = EvaluateRequest {
            transaction_id: signed.tx_id,
            channel_id: invocation.channel.clone(),
            proposed_transaction: Some(signed.proposal),
            target_organizations: self.target_orgs.clone(),
        };
        let response: EvaluateResponse = self
            .peer
            .unary(path::EVALUATE, request, self.timeout)
            .await
            .map_err(|s| self.failed(Phase::Evaluate, &s))?;
        status.set_custom("evaluate_us", micros(start));
        Ok(response.result.map(|r| r.payload).unwrap_or_default())
    }

    /// Endorse, submit, and wait for the commit status.
    async fn submit(&self, invocation: &Invocation, status: &mut TxStatus) -> Result<Vec<u8>, Failure> {
        let signed = propose(self.identity, invocation).map_err(|e| (ErrorClass::Other, e.to_string()))?;
        let tx_id = signed.tx_id;
        status.id.clone_from(&tx_id);
        let channel = invocation.channel.clone();

        let start = Instant::now();
        let request = EndorseRequest {
            transaction_id: tx_id.clone(),
            channel_id: channel.clone(),
            proposed_transaction: Some(signed.proposal),
            endorsing_organizations: self.target_orgs.clone(),
        };
        let response: EndorseResponse = self
            .peer
            .unary(path::ENDORSE, request, self.timeout)
            .await
            .map_err(|s| self.failed(Phase::Endorse, &s))?;
        status.set_custom("endorse_us", micros(start));
        let mut envelope = response.prepared_transaction.ok_or_else(|| {
            (
                ErrorClass::Endorsement,
                format!("endorse on gateway peer {}: no prepared transaction in the answer", self.peer.label),
            )
        })?;
        let result = envelope_result(&envelope).ok_or_else(|| {
            (
                ErrorClass::Endorsement,
                format!(
                    "endorse on gateway peer {}: No proposal response found in the prepared transaction",
                    self.peer.label
                ),
            )
        })?;

        let start = Instant::now();
        sign_envelope(self.identity, &mut envelope).map_err(|e| (ErrorClass::Other, e.to_string()))?;
        let request = SubmitRequest {
            transaction_id: tx_id.clone(),
            channel_id: channel.clone(),
            prepared_transaction: Some(envelope),
        };
        let _: SubmitResponse = self
            .peer
            .unary(path::SUBMIT, request, self.timeout)
            .await
            .map_err(|s| self.failed(Phase::Submit, &s))?;
        status.set_custom("submit_us", micros(start));

        let start = Instant::now();
        let request = commit_status_request(self.identity, &tx_id, &channel)
            .map_err(|e| (ErrorClass::Other, e.to_string()))?;
        let commit: CommitStatusResponse = self
            .peer
            .unary(path::COMMIT_STATUS, request, self.timeout)
            .await
            .map_err(|s| self.failed(Phase::CommitStatus, &s))?;
        status.set_custom("commit_us", micros(start));
        status.set_custom("block_number", commit.block_number);
        if commit.result != TX_VALID {
            status.set_custom("validation_code", commit.result);
            status.set_custom("validation_name", validation_code_name(commit.result));
            return Err((
                validation_class(commit.result),
                invalid_message(commit.result, commit.block_number),
            ));
        }
        Ok(result)
    }
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The chaincode's result as the workload sees it: its text when it is UTF-8, otherwise its
/// bytes as an array of numbers.
fn result_value(bytes: Vec<u8>) -> Value {
    match String::from_utf8(bytes) {
        Ok(text) => Value::String(text),
        Err(e) => Value::Array(e.into_bytes().into_iter().map(Value::from).collect()),
    }
}

#[async_trait]
impl Connector for FabricConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    async fn init(&self, _worker_init: bool) -> Result<(), ConnectorError> {
        let org = self.config.orgs.first();
        let tls = match org {
            Some(o) if self.config.mutual_tls && o.peers.iter().all(|p| p.tls_ca.is_some()) => "mutual",
            Some(o) if o.peers.iter().any(|p| p.tls_ca.is_some()) => "server",
            _ => "none",
        };
        tracing::info!(
            "Fabric Gateway connector (caliper-rs); TLS based on {}: {tls}",
            org.map(|o| o.mspid.as_str()).unwrap_or("-")
        );
        for org in &self.config.orgs {
            let peers: Vec<&str> = org.peers.iter().map(|p| p.url.as_str()).collect();
            tracing::info!("organization {}: gateway peers {}", org.mspid, peers.join(", "));
        }
        Ok(())
    }

    async fn install_smart_contract(&self) -> Result<(), ConnectorError> {
        tracing::warn!(
            "Install smart contract not available with Fabric Gateway: deploy the chaincode before the benchmark"
        );
        Ok(())
    }

    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        // Every worker has its own connections: the peer's limit is shared out among them.
        let share = self.settings.max_in_flight.div_ceil(workers.max(1)).max(1);
        Ok(vec![json!({ MAX_IN_FLIGHT_ARG: share }); workers])
    }

    async fn get_context(&self, _round_index: usize, worker_args: &Value) -> Result<Value, ConnectorError> {
        let share = worker_args
            .get(MAX_IN_FLIGHT_ARG)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(self.settings.max_in_flight);
        self.clients.get_or_try_init(|| async { self.connect(share) }).await?;
        Ok(json!({ "clientIndex": self.base.worker_index() }))
    }

    async fn send_single_request(&self, request: Value) -> Result<TxStatus, ConnectorError> {
        let request = Request::parse(request).map_err(ConnectorError::InvalidRequest)?;
        self.send(request).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use caliper_core::config::NetworkConfig;
    use caliper_core::connector::{Connector, ConnectorInit, NullSink};
    use caliper_core::settings::Settings;
    use serde_json::{Value, json};

    use super::FabricConnector;
    use crate::config::FabricConfig;
    use crate::request::Request;
    use crate::settings::FabricSettings;

    fn connector(dir: &std::path::Path) -> FabricConnector {
        let raw = crate::config::tests::network(dir);
        let config = FabricConfig::from_network(&raw, dir).unwrap();
        let init = ConnectorInit {
            worker_index: 0,
            network: Arc::new(NetworkConfig { raw, ..Default::default() }),
            settings: Arc::new(Settings::default()),
            sink: Arc::new(NullSink),
        };
        let settings =
            FabricSettings { call_timeout: std::time::Duration::from_secs(60), max_in_flight: 500 };
        FabricConnector::new(&init, config, settings)
    }

    fn request(value: Value) -> Request {
        let mut base = json!({"contractId": "simpleAlias", "contractFunction": "f"});
        base.as_object_mut().unwrap().extend(value.as_object().unwrap().clone());
        Request::parse(base).unwrap()
    }

    #[tokio::test]
    async fn invokers_contracts_and_in_flight_shares_resolve_as_in_caliper() {
        let dir = tempfile::tempdir().unwrap();
        crate::config::tests::identities(dir.path());
        let c = connector(dir.path());
        let who = |v: Value| c.invoker(&request(v)).map(|i| i.identity.mspid().to_string());
        assert_eq!(who(json!({})).unwrap(), "Org1MSP");
        assert_eq!(who(json!({"invokerIdentity": "User1", "invokerMspId": "Org2MSP"})).unwrap(), "Org2MSP");
        assert_eq!(who(json!({"invokerIdentity": "_Org2MSP_User1"})).unwrap(), "Org2MSP", "Caliper's alias");
        assert_eq!(who(json!({"invokerMspId": "Org2MSP"})).unwrap(), "Org2MSP");
        assert_eq!(
            who(json!({"invokerIdentity": "Nobody"})).unwrap_err(),
            "No contracts for invokerIdentity Nobody in Org1MSP found. Identity and/or MspId does not exist"
        );
        assert!(who(json!({"invokerMspId": "Org9MSP"})).is_err());

        assert_eq!(c.contract(&request(json!({}))).unwrap(), ("mychannel", "simple"));
        assert_eq!(
            c.contract(&request(json!({"contractId": "simple", "channel": "mychannel"}))).unwrap(),
            ("mychannel", "simple")
        );
        assert_eq!(
            c.contract(&request(json!({"contractId": "simple"}))).unwrap_err(),
            "Could not find details for contract ID simple"
        );
        assert_eq!(
            c.contract(&request(json!({"channel": "other"}))).unwrap_err(),
            "Unable to find specified contract simpleAlias on channel other!"
        );

        // The peer's limit of 500 is shared out among the workers.
        let args = c.prepare_worker_arguments(3).await.unwrap();
        assert_eq!(args, vec![json!({"maxInFlightPerPeer": 167}); 3]);
    }
}
