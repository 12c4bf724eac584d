//! The Ethereum connector: lifecycle and hot path.
//!
//! Hot path of a write: parse the request, encode the call by the ABI, take the sender's next
//! nonce, sign and encode once, register the hash with the block watcher, one
//! `eth_sendRawTransaction`, then wait on a channel until the watcher confirms it or the
//! deadline passes. No lock is held across an await; the only shared locks are the nonce
//! counter and the watcher's map, each held for a few instructions.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use alloy::json_abi::{Function, JsonAbi};
use alloy::primitives::{Address, B256, Bytes, TxKind, U64, U256};
use alloy::rpc::client::RpcClient;
use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::connector::{Connector, ConnectorBase, ConnectorError, ConnectorInit, ErrorClass};
use caliper_core::suggest::did_you_mean;
use caliper_core::time::now_micros;
use futures::future::join_all;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::abi::{decode_output, encode_call};
use crate::config::EthereumConfig;
use crate::deploy;
use crate::request::Request;
use crate::rpc::{Node, classify};
use crate::sender::{Pool, Sender, from_signer, identity_signers};
use crate::tx::{Unsigned, sign};
use crate::watcher::Watcher;

/// Gas estimated for a method without a limit, times this (in percent), is the limit its later
/// transactions use: a margin for arguments that cost more than the first ones.
const ESTIMATE_MARGIN_PERCENT: u64 = 125;

/// The default gas price is the node's `eth_gasPrice` times this.
const GAS_PRICE_HEADROOM: u128 = 10;

/// How long a nonce resynchronisation may wait for the node. It runs after a failure, often
/// because the node is gone; a resync that gets no answer is skipped (the sender's next
/// failure tries again) rather than holding its transaction past the deadline.
const RESYNC_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The connector of one worker (or of the manager, index -1), type `ethereum`.
pub struct EthereumConnector {
    base: ConnectorBase,
    pub(crate) config: EthereumConfig,
    pub(crate) nodes: Vec<Node>,
    next_node: AtomicUsize,
    default_sender: Option<Arc<Pool>>,
    senders: HashMap<String, Arc<Pool>>,
    /// Contracts deployed by `install_smart_contract`: id -> (address, ABI).
    pub(crate) deployed: Mutex<BTreeMap<String, (Address, JsonAbi)>>,
    round: RwLock<Option<Arc<Round>>>,
}

/// What one round uses, built by `get_context`.
struct Round {
    chain_id: u64,
    gas_price: u128,
    contracts: HashMap<String, Contract>,
    watcher: Watcher,
    /// Gas limits estimated once per (contract, method) without a configured one.
    estimated: Mutex<HashMap<(String, String), u64>>,
}

struct Contract {
    address: Address,
    functions: BTreeMap<String, Vec<Function>>,
    gas: BTreeMap<String, u64>,
    estimate_gas: bool,
}

/// Why a transaction failed: its class and a message.
type Failure = (ErrorClass, String);

fn invalid(message: impl Into<String>) -> Failure {
    (ErrorClass::Invalid, message.into())
}

impl EthereumConnector {
    /// Connects to every node of `config` and derives this worker's senders.
    pub async fn connect(init: &ConnectorInit, config: EthereumConfig) -> Result<Self, ConnectorError> {
        let mut nodes = Vec::with_capacity(config.nodes.len());
        for (handle, url) in &config.nodes {
            let node = crate::rpc::connect(handle, url, config.timeout).await.map_err(|e| {
                ConnectorError::Sut(format!("cannot connect to node \"{handle}\" at {url}: {e}"))
            })?;
            nodes.push(node);
        }
        let worker = init.worker_index;
        let default_sender = match &config.from {
            Some(from) => Some(Arc::new(Pool::new(vec![from_signer(from, worker).ok_or_else(|| {
                ConnectorError::Config {
                    path: "ethereum.fromAddressSeed".into(),
                    message: format!("cannot derive the account of worker {worker}"),
                }
            })?]))),
            None => None,
        };
        let mut senders = HashMap::new();
        for (name, identity) in &config.identities {
            let signers = identity_signers(identity, worker).ok_or_else(|| ConnectorError::Config {
                path: format!("ethereum.identities.{name}"),
                message: format!("cannot derive the accounts of worker {worker}"),
            })?;
            senders.insert(name.clone(), Arc::new(Pool::new(signers)));
        }
        // Without Caliper's from-account, a single identity is the default sender, so that
        // workload modules written for Caliper (which name no identity) run unchanged.
        let default_sender = match default_sender {
            None if senders.len() == 1 => senders.values().next().cloned(),
            other => other,
        };
        Ok(EthereumConnector {
            base: ConnectorBase::new("ethereum", init),
            config,
            nodes,
            next_node: AtomicUsize::new(0),
            default_sender,
            senders,
            deployed: Mutex::new(BTreeMap::new()),
            round: RwLock::new(None),
        })
    }

    /// The first node: deployments, nonces and the block watcher use it.
    pub(crate) fn main_client(&self) -> &RpcClient {
        &self.nodes[0].client
    }

    fn pick_node(&self, handle: Option<&str>) -> Result<&Node, Failure> {
        match handle {
            None => {
                let i = self.next_node.fetch_add(1, Ordering::Relaxed) % self.nodes.len();
                Ok(&self.nodes[i])
            }
            Some(handle) => self.nodes.iter().find(|n| n.handle == handle).ok_or_else(|| {
                invalid(unknown("node", handle, self.nodes.iter().map(|n| n.handle.as_str())))
            }),
        }
    }

    /// The account a request sends from: the next one of its identity's pool (or the default's).
    fn sender(&self, identity: Option<&str>) -> Result<&Arc<Sender>, Failure> {
        let pool = match identity {
            None => self.default_sender.as_ref().ok_or_else(|| {
                invalid(
                    "no sender: configure fromAddressSeed or fromAddressPrivateKey, or name an `identity`",
                )
            })?,
            Some(name) => self
                .senders
                .get(name)
                .ok_or_else(|| invalid(unknown("identity", name, self.senders.keys().map(String::as_str))))?,
        };
        Ok(pool.pick())
    }

    fn current_round(&self) -> Option<Arc<Round>> {
        self.round.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `step`, bounded by `ethereum.timeout`: over ws:// alloy holds requests to a node that went
    /// away while it reconnects, for minutes; the step fails with the node named instead.
    pub(crate) async fn bounded<T>(
        &self,
        step: &str,
        work: impl std::future::Future<Output = Result<T, ConnectorError>>,
    ) -> Result<T, ConnectorError> {
        let timeout = self.config.timeout;
        tokio::time::timeout(timeout, work).await.unwrap_or_else(|_| {
            let (handle, url) =
                self.config.nodes.first().map(|(h, u)| (h.as_str(), u.as_str())).unwrap_or_default();
            Err(ConnectorError::Sut(format!(
                "{step}: node \"{handle}\" at {url} did not answer within {timeout:?} (ethereum.timeout)"
            )))
        })
    }

    /// The chain id and gas price of `config`, or read from the node.
    pub(crate) async fn chain_and_price(&self) -> Result<(u64, u128), ConnectorError> {
        let client = self.main_client();
        let node_id = client.request_noparams::<U64>("eth_chainId").await.map(|id| id.to::<u64>());
        let chain_id = match (self.config.chain_id, node_id) {
            // A transaction signed for another chain is refused by some nodes and silently
            // dropped from the pool by others (anvil): every write would time out.
            (Some(configured), Ok(node)) if configured != node => {
                return Err(ConnectorError::Config {
                    path: "ethereum.chainId".into(),
                    message: format!(
                        "is {configured}, but the node at {} is on chain {node}; remove the key to use the node's",
                        self.config.nodes.first().map(|(_, url)| url.as_str()).unwrap_or_default()
                    ),
                });
            }
            (Some(configured), _) => configured,
            (None, node) => node.map_err(sut("eth_chainId"))?,
        };
        let gas_price = match self.config.gas_price {
            Some(price) => price,
            // Ten times the node's price: a legacy transaction priced below the base fee of
            // its block waits forever (and holds back every later nonce of its sender), and a
            // benchmark that offers more than a block holds raises the base fee by 12.5 % a
            // block. Twice the price was priced out after about six full blocks in the
            // benchmark; ten times lasts about twenty.
            None => {
                let price: U256 =
                    client.request_noparams("eth_gasPrice").await.map_err(sut("eth_gasPrice"))?;
                price.saturating_to::<u128>().saturating_mul(GAS_PRICE_HEADROOM).max(1)
            }
        };
        Ok((chain_id, gas_price))
    }

    async fn send_one(&self, request: Value) -> TxStatus {
        let mut status = TxStatus::new(String::new());
        match self.execute(request, &mut status).await {
            Ok(()) => {
                status.verified = true;
                status.set_success(now_micros());
            }
            Err((class, message)) => status.set_failed(now_micros(), class, message),
        }
        status
    }

    /// The failure of a call that got no answer by the transaction's deadline.
    fn late(&self, call: &str) -> Failure {
        (
            ErrorClass::Timeout,
            format!("no answer to {call} within {:?} (ethereum.timeout)", self.config.timeout),
        )
    }

    /// Reads the node's nonce of `sender` again after a failure, for [`RESYNC_LIMIT`] at most.
    async fn resync(&self, sender: &Sender, generation: u64) {
        if tokio::time::timeout(RESYNC_LIMIT, sender.resync(self.main_client(), generation)).await.is_err() {
            tracing::debug!(address = %sender.address(), "nonce not resynchronised: the node did not answer");
        }
    }

    // Every call to the node is bounded by the transaction's deadline: over ws:// alloy holds
    // requests while it reconnects to a node that went away, for minutes.
    async fn execute(&self, request: Value, status: &mut TxStatus) -> Result<(), Failure> {
        let deadline = Instant::now() + self.config.timeout;
        let request = Request::parse(request).map_err(invalid)?;
        let round = self
            .current_round()
            .ok_or_else(|| (ErrorClass::Other, "no round context: get_context was not called".to_string()))?;
        let contract = round.contracts.get(&request.contract).ok_or_else(|| {
            invalid(unknown("contract", &request.contract, round.contracts.keys().map(String::as_str)))
        })?;
        let function = pick_function(contract, &request.verb, request.args.len()).ok_or_else(|| {
            invalid(unknown("method", &request.verb, contract.functions.keys().map(String::as_str)))
        })?;
        let data: Bytes = encode_call(function, &request.args).map_err(invalid)?.into();
        let node = self.pick_node(request.node.as_deref())?;

        if request.read_only {
            let from = match request.identity.as_deref() {
                Some(_) => Some(self.sender(request.identity.as_deref())?.address()),
                None => self.default_sender.as_ref().map(|p| p.pick().address()),
            };
            let call = call_object(from, contract.address, &data, request.value);
            let eth_call = || {
                let call = node.client.request::<_, Bytes>("eth_call", (&call, "latest"));
                tokio::time::timeout_at(deadline, call)
            };
            let output = match eth_call().await.map_err(|_| self.late("eth_call"))? {
                Ok(output) => output,
                // anvil sometimes answers a call on "latest" made while it seals a block with
                // "BlockOutOfRangeError: block height is N but requested was N-1" (about 1 in
                // 10,000 at 1,000 calls/s): the next try reads the new block.
                Err(err) if crate::rpc::is_block_race(&err) => {
                    eth_call().await.map_err(|_| self.late("eth_call"))?.map_err(|e| classify(&e))?
                }
                Err(err) => return Err(classify(&err)),
            };
            status.result = Some(decode_output(function, &output).map_err(|e| (ErrorClass::Other, e))?);
            return Ok(());
        }

        let sender = self.sender(request.identity.as_deref())?;
        let gas_limit = match request.gas.or_else(|| contract.gas.get(&request.verb).copied()) {
            Some(gas) => gas,
            None => tokio::time::timeout_at(
                deadline,
                self.estimate(&round, contract, &request, sender.address(), &data, &node.client),
            )
            .await
            .map_err(|_| self.late("eth_estimateGas"))??,
        };
        let (nonce, generation) = sender.take();
        let unsigned = Unsigned {
            chain_id: round.chain_id,
            nonce,
            gas_price: round.gas_price,
            gas_limit,
            to: TxKind::Call(contract.address),
            value: request.value,
            input: data,
        };
        let (hash, raw) = match sign(&sender.signer, unsigned) {
            Ok(signed) => signed,
            Err(message) => {
                self.resync(sender, generation).await;
                return Err((ErrorClass::Other, message));
            }
        };
        status.id = hash.to_string();
        let confirmed = round.watcher.watch(hash);
        let send = node.client.request::<_, alloy::primitives::B256>("eth_sendRawTransaction", (raw,));
        let sent = match tokio::time::timeout_at(deadline, send).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(classify(&err)),
            Err(_) => Err(self.late("eth_sendRawTransaction")),
        };
        if let Err((class, message)) = sent {
            round.watcher.forget(&hash);
            // The nonce was taken and the node may not hold it: without a resync every later
            // transaction of this sender would queue behind the gap.
            self.resync(sender, generation).await;
            return Err((class, format!("{message} (nonce {nonce})")));
        }
        status.set_custom("sent", now_micros());
        match tokio::time::timeout_at(deadline, confirmed).await {
            Ok(Ok(inclusion)) => {
                status.set_custom("included", inclusion.included);
                status.set_custom("confirmed", inclusion.confirmed);
                status.set_custom("block", inclusion.block);
                status.set_custom("gasUsed", inclusion.gas_used);
                if inclusion.success {
                    Ok(())
                } else {
                    Err((
                        ErrorClass::Reverted,
                        format!(
                            "reverted in block {} ({}.{}, gas used {} of {gas_limit})",
                            inclusion.block, request.contract, request.verb, inclusion.gas_used
                        ),
                    ))
                }
            }
            Ok(Err(_)) => Err((
                ErrorClass::Connection,
                "the block watcher stopped before the transaction was confirmed".into(),
            )),
            Err(_) => {
                round.watcher.forget(&hash);
                let mut message =
                    format!("not confirmed within {:?} (ethereum.timeout)", self.config.timeout);
                if self.dropped(sender, generation, &hash, &node.client).await {
                    message.push_str("; the node no longer knows it (dropped from its pool)");
                }
                Err((ErrorClass::Timeout, message))
            }
        }
    }

    /// After a timeout: whether the node dropped the transaction (evicted from its pool,
    /// replaced, or never valid there); then its nonce is a gap that would hold back every
    /// later transaction of the sender, so the nonce is read again. A transaction the node
    /// still holds is only slow: nothing to do. Skipped when the sender was resynchronised
    /// since the transaction took its nonce.
    async fn dropped(&self, sender: &Sender, generation: u64, hash: &B256, client: &RpcClient) -> bool {
        if sender.generation() != generation {
            return false;
        }
        let lookup = client.request::<_, Option<Value>>("eth_getTransactionByHash", (hash,));
        match tokio::time::timeout(RESYNC_LIMIT, lookup).await {
            Ok(Ok(None)) => {
                self.resync(sender, generation).await;
                true
            }
            _ => false,
        }
    }

    /// The gas limit of a write without one: estimated per transaction with `estimateGas`
    /// (Caliper's estimate + 1000), else estimated once per method with a margin.
    async fn estimate(
        &self,
        round: &Round,
        contract: &Contract,
        request: &Request,
        from: Address,
        data: &Bytes,
        client: &RpcClient,
    ) -> Result<u64, Failure> {
        let key = (request.contract.clone(), request.verb.clone());
        if !contract.estimate_gas
            && let Some(gas) = round.estimated.lock().unwrap_or_else(|p| p.into_inner()).get(&key)
        {
            return Ok(*gas);
        }
        let call = call_object(Some(from), contract.address, data, request.value);
        let gas: U64 = client.request("eth_estimateGas", (call,)).await.map_err(|e| {
            let (class, message) = classify(&e);
            (class, format!("gas estimation failed: {message}"))
        })?;
        let gas = gas.to::<u64>();
        if contract.estimate_gas {
            return Ok(gas + 1000);
        }
        let gas = gas.saturating_mul(ESTIMATE_MARGIN_PERCENT) / 100;
        round.estimated.lock().unwrap_or_else(|p| p.into_inner()).insert(key, gas);
        Ok(gas)
    }

    /// The contracts a worker uses: from the worker arguments (addresses of the deployment),
    /// else deployed here, else pre-deployed in the configuration.
    async fn round_contracts(
        &self,
        worker_args: &Value,
    ) -> Result<HashMap<String, Contract>, ConnectorError> {
        let mut known: BTreeMap<String, (Address, JsonAbi)> =
            self.deployed.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(Value::Object(args)) = worker_args.get("contracts") {
            for (id, entry) in args {
                let path = format!("workerArgs.contracts.{id}");
                let address = crate::config::address(&entry["address"], &format!("{path}.address"))?;
                let abi: JsonAbi = serde_json::from_value(entry["abi"].clone()).map_err(|e| {
                    ConnectorError::Config { path: format!("{path}.abi"), message: e.to_string() }
                })?;
                known.insert(id.clone(), (address, abi));
            }
        }
        for (id, spec) in &self.config.contracts {
            if known.contains_key(id) {
                continue;
            }
            if let Some(address) = spec.address {
                let abi = match &spec.abi {
                    Some(abi) => abi.clone(),
                    None => deploy::load_artifact(id, spec).await?.abi,
                };
                known.insert(id.clone(), (address, abi));
            }
        }
        let mut contracts = HashMap::new();
        for (id, (address, abi)) in known {
            let spec = self.config.contracts.get(&id);
            contracts.insert(
                id,
                Contract {
                    address,
                    functions: abi.functions,
                    gas: spec.map(|s| s.gas.clone()).unwrap_or_default(),
                    estimate_gas: spec.is_some_and(|s| s.estimate_gas),
                },
            );
        }
        Ok(contracts)
    }

    /// The addresses and ABIs the workers get.
    async fn worker_contracts(&self) -> Result<Value, ConnectorError> {
        let contracts = self.round_contracts(&Value::Null).await?;
        let mut out = serde_json::Map::new();
        for (id, contract) in contracts {
            let abi = JsonAbi { functions: contract.functions, ..Default::default() };
            out.insert(id, json!({"address": contract.address.to_checksum(None), "abi": abi}));
        }
        Ok(Value::Object(out))
    }
}

fn pick_function<'a>(contract: &'a Contract, verb: &str, args: usize) -> Option<&'a Function> {
    let overloads = contract.functions.get(verb)?;
    // Overloads are told apart by their number of arguments; with none matching, the first
    // one reports the mismatch.
    overloads.iter().find(|f| f.inputs.len() == args).or_else(|| overloads.first())
}

fn call_object(from: Option<Address>, to: Address, data: &Bytes, value: U256) -> Value {
    let mut call = json!({"to": to, "data": data});
    if let Some(from) = from {
        call["from"] = json!(from);
    }
    if value > U256::ZERO {
        call["value"] = json!(value);
    }
    call
}

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut message = format!("unknown {what} \"{name}\"");
    if let Some(best) = did_you_mean(name, known.clone()) {
        message.push_str(&format!(" (did you mean \"{best}\"?)"));
    }
    let list: Vec<&str> = known.collect();
    message.push_str(&format!("; known: {}", if list.is_empty() { "none".into() } else { list.join(", ") }));
    message
}

pub(crate) fn sut(call: &'static str) -> impl Fn(alloy::transports::TransportError) -> ConnectorError {
    move |e| ConnectorError::Sut(format!("{call}: {}", classify(&e).1))
}

#[async_trait]
impl Connector for EthereumConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    /// Checks that the deployer can sign and the node answers (the manager's `init`).
    async fn init(&self, _worker_init: bool) -> Result<(), ConnectorError> {
        let (chain_id, _) = self.bounded("init", self.chain_and_price()).await?;
        tracing::info!(chain_id, nodes = self.nodes.len(), "Ethereum network reached");
        Ok(())
    }

    /// Deploys every contract of `contracts` that has no `address`, concurrently.
    async fn install_smart_contract(&self) -> Result<(), ConnectorError> {
        deploy::install(self).await
    }

    /// The same `{contracts: {id: {address, abi}}}` for every worker; checks that the
    /// workers' senders do not collide.
    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        self.config.check_workers(workers)?;
        let contracts = self.worker_contracts().await?;
        Ok(vec![json!({ "contracts": contracts }); workers])
    }

    /// Reads the chain id, gas price and the senders' nonces, and starts the block watcher.
    async fn get_context(&self, _round_index: usize, worker_args: &Value) -> Result<Value, ConnectorError> {
        let contracts = self.round_contracts(worker_args).await?;
        let client = self.main_client();
        let mut pools: Vec<&Arc<Pool>> = self.senders.values().collect();
        if let Some(default) = &self.default_sender
            && !pools.iter().any(|p| Arc::ptr_eq(p, default))
        {
            pools.push(default);
        }
        let senders: Vec<&Arc<Sender>> = pools.iter().flat_map(|p| p.senders()).collect();
        let (chain_id, gas_price, watcher) = self
            .bounded("preparing the round", async {
                let (chain_id, gas_price) = self.chain_and_price().await?;
                for result in join_all(senders.iter().map(|s| s.sync(client))).await {
                    result.map_err(sut("eth_getTransactionCount"))?;
                }
                let watcher = Watcher::start(
                    client.clone(),
                    self.config.confirmation_blocks,
                    self.config.poll_interval,
                )
                .await
                .map_err(sut("eth_blockNumber"))?;
                Ok((chain_id, gas_price, watcher))
            })
            .await?;
        let context = json!({
            "chainId": chain_id,
            "clientIndex": self.get_worker_index(),
            "gasPrice": gas_price.to_string(),
            "fromAddress": self.default_sender.as_ref().map(|p| p.describe()),
            "identities": self.senders.iter().map(|(k, p)| (k.clone(), p.describe())).collect::<serde_json::Map<_, _>>(),
            "nodes": self.nodes.iter().map(|n| n.handle.clone()).collect::<Vec<_>>(),
            "contracts": contracts.iter().map(|(k, c)| (k.clone(), json!(c.address.to_checksum(None)))).collect::<serde_json::Map<_, _>>(),
        });
        let round = Round { chain_id, gas_price, contracts, watcher, estimated: Mutex::new(HashMap::new()) };
        *self.round.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(round));
        Ok(context)
    }

    /// Drops the round; its block watcher stops once no transaction of the round is left.
    async fn release_context(&self) -> Result<(), ConnectorError> {
        self.round.write().unwrap_or_else(|p| p.into_inner()).take();
        Ok(())
    }

    /// One request (an object) or several (an array, sent concurrently); `txs_submitted`
    /// before, one `txs_finished` after.
    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        let sink = self.base.sink();
        match requests {
            Value::Array(batch) => {
                sink.txs_submitted(batch.len() as u64);
                let statuses = join_all(batch.into_iter().map(|r| self.send_one(r))).await;
                sink.txs_finished(&statuses);
                statuses
            }
            request => {
                sink.txs_submitted(1);
                let status = self.send_one(request).await;
                sink.txs_finished(std::slice::from_ref(&status));
                vec![status]
            }
        }
    }
}
