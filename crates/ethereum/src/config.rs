//! The `ethereum` section of the network configuration: Caliper 0.6's keys as they are, plus
//! several nodes, named identities and the connector's own timings. JSON and YAML files both
//! arrive here as JSON values (caliper-core parses the file).
//!
//! ```yaml
//! ethereum:
//!   url: ws://127.0.0.1:8545                 # or nodes: {a: http://..., b: wss://...}
//!   contractDeployerAddressPrivateKey: "0x..."
//!   fromAddressSeed: "0x..."                 # one BIP-44 account per worker
//!   transactionConfirmationBlocks: 1
//!   contracts:
//!     simple: {path: contracts/ledger.json, gas: {transfer: 70000}, estimateGas: false}
//!   identities:                              # beyond Caliper: senders a request selects
//!     alice: {privateKey: "0x..."}
//!     bob: {mnemonic: "test test ... junk", index: 3, accounts: 4}   # 4 accounts per worker
//!   timeout: 60                              # seconds a transaction may take, default 60
//!   pollInterval: 50                         # milliseconds between head checks, default 50
//! ```
//!
//! A node's url is ws://, wss://, http:// or https://. TLS nodes (wss://, https://) are
//! verified against the system's root certificates, which the standard `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` variables replace (a private CA: `SSL_CERT_FILE=ca.pem caliper launch ...`);
//! there is no key for a CA file in the network configuration. See docs/connectors/ethereum.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy::json_abi::JsonAbi;
use alloy::primitives::{Address, B256};
use caliper_core::connector::ConnectorError;
use serde_json::{Map, Value};

use crate::json::{kind, show, unknown_key, unknown_keys};

/// The keys of the `ethereum` section.
const KEYS: [&str; 17] = [
    "url",
    "nodes",
    "contractDeployerAddress",
    "contractDeployerAddressPrivateKey",
    "contractDeployerAddressPassword",
    "fromAddress",
    "fromAddressSeed",
    "fromAddressPrivateKey",
    "fromAddressPassword",
    "transactionConfirmationBlocks",
    "gasPrice",
    "chainId",
    "contracts",
    "privacy",
    "identities",
    "timeout",
    "pollInterval",
];

/// The keys of one `contracts` entry.
const CONTRACT_KEYS: [&str; 6] = ["path", "address", "abi", "gas", "estimateGas", "private"];

/// The default time a transaction may take from its send to its confirmation.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default interval between two looks at the node's head block.
const DEFAULT_POLL: Duration = Duration::from_millis(50);

/// The validated `ethereum` section of a network configuration.
#[derive(Clone)]
pub struct EthereumConfig {
    /// The nodes, by handle (`url` alone is the node `default`), in the order requests
    /// rotate over them.
    pub(crate) nodes: Vec<(String, String)>,
    /// The key that deploys contracts.
    pub(crate) deployer: Option<B256>,
    /// The default sender of the benchmark transactions.
    pub(crate) from: Option<FromAccount>,
    /// Named senders, selected by a request's `identity`.
    pub(crate) identities: BTreeMap<String, Identity>,
    /// `transactionConfirmationBlocks`: blocks that must carry a transaction (its own
    /// included) before it counts as confirmed; 0 and 1 both mean at inclusion.
    pub(crate) confirmation_blocks: u64,
    /// `gasPrice` in wei; otherwise twice the node's `eth_gasPrice` per round.
    pub(crate) gas_price: Option<u128>,
    /// `chainId`; otherwise the node's, read per round.
    pub(crate) chain_id: Option<u64>,
    /// The contracts by their id in requests.
    pub(crate) contracts: BTreeMap<String, ContractSpec>,
    /// How long a transaction may take from its send to its confirmation.
    pub(crate) timeout: Duration,
    /// How often the block watcher looks at the node's head.
    pub(crate) poll_interval: Duration,
}

impl std::fmt::Debug for EthereumConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The deployer's key is a secret: it never reaches a log.
        f.debug_struct("EthereumConfig")
            .field("nodes", &self.nodes)
            .field("deployer", &self.deployer.map(|_| "<secret>"))
            .field("from", &self.from)
            .field("identities", &self.identities)
            .field("confirmation_blocks", &self.confirmation_blocks)
            .field("gas_price", &self.gas_price)
            .field("chain_id", &self.chain_id)
            .field("contracts", &self.contracts.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

/// The default sender: Caliper's `fromAddressSeed` or `fromAddressPrivateKey`.
#[derive(Clone)]
pub(crate) enum FromAccount {
    /// One account per worker: BIP-44 `m/44'/60'/<worker>'/0/0` from the seed text's bytes.
    Seed(String),
    /// One account for every worker (so only one worker may use it).
    Key(B256),
}

impl std::fmt::Debug for FromAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach a log.
        match self {
            FromAccount::Seed(_) => f.write_str("Seed(<secret>)"),
            FromAccount::Key(_) => f.write_str("Key(<secret>)"),
        }
    }
}

/// A named sender of `identities`.
#[derive(Clone)]
pub(crate) enum Identity {
    /// One account (so only one worker may use it).
    Key(B256),
    /// Worker `w` sends from the `accounts` accounts of the mnemonic (`m/44'/60'/0'/0/<i>`) from
    /// `index + w * accounts` on, in turn.
    Mnemonic {
        /// The BIP-39 phrase.
        phrase: String,
        /// The index of worker 0's first account.
        index: u32,
        /// How many accounts each worker sends from.
        accounts: u32,
    },
}

/// The most accounts one identity gives each worker.
pub(crate) const MAX_ACCOUNTS: u32 = 1000;

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Key(_) => f.write_str("Key(<secret>)"),
            Identity::Mnemonic { index, accounts, .. } => {
                write!(f, "Mnemonic(<secret>, index {index}, accounts {accounts})")
            }
        }
    }
}

/// One entry of `contracts`.
#[derive(Debug, Clone)]
pub(crate) struct ContractSpec {
    /// The artifact to deploy (`{name, abi, bytecode, gas}`), resolved against the workspace.
    pub(crate) path: Option<PathBuf>,
    /// The address of a pre-deployed contract.
    pub(crate) address: Option<Address>,
    /// The ABI of a pre-deployed contract.
    pub(crate) abi: Option<JsonAbi>,
    /// Gas limits by method name.
    pub(crate) gas: BTreeMap<String, u64>,
    /// Estimate the gas of each transaction of a method without a gas limit (one more round
    /// trip per transaction, as in Caliper).
    pub(crate) estimate_gas: bool,
}

impl EthereumConfig {
    /// Reads the `ethereum` section of a whole network configuration (`NetworkConfig::raw`);
    /// relative contract paths resolve against `workspace`.
    ///
    /// Errors are [`ConnectorError::Config`] with the key path (such as
    /// `ethereum.contracts.simple.gas.open`) and what was expected.
    pub fn from_network(network: &Value, workspace: &Path) -> Result<Self, ConnectorError> {
        match network.get("ethereum") {
            Some(Value::Object(section)) => Self::from_section(section, workspace),
            None | Some(Value::Null) => {
                Err(config("ethereum", "missing: the Ethereum connector needs this section"))
            }
            Some(other) => Err(config("ethereum", format!("expected an object, got {}", kind(other)))),
        }
    }

    /// The check before the run: every mistake of the section, not only the first, then
    /// [`EthereumConfig::check_workers`] when the number of workers is known.
    ///
    /// The parser stops at its first mistake, so the check parses again without the key it
    /// named, until the rest parses or the mistake is one that removing keys cannot get past
    /// (a missing key, or one the removal itself caused: those are not reported twice).
    pub fn check(
        network: &Value,
        workspace: &Path,
        workers: Option<usize>,
    ) -> Result<Self, Vec<ConnectorError>> {
        let mut errors = Vec::new();
        let mut rest = network.clone();
        if let Some(Value::Object(section)) = rest.get_mut("ethereum") {
            for (key, message) in unknown_keys(section, &KEYS) {
                errors.push(config(format!("ethereum.{key}"), message));
            }
            section.retain(|key, _| KEYS.contains(&key.as_str()));
        }
        let mut removed: Vec<String> = Vec::new();
        let mut stood_in: Vec<&str> = Vec::new();
        for _ in 0..MAX_CHECK_PASSES {
            let parsed = Self::from_network(&rest, workspace).and_then(|config| {
                workers.map_or(Ok(()), |w| config.check_workers(w))?;
                Ok(config)
            });
            let err = match parsed {
                Ok(config) if errors.is_empty() => return Ok(config),
                Ok(_) => break,
                Err(err) => err,
            };
            let path = match &err {
                ConnectorError::Config { path, .. } => path.clone(),
                _ => String::new(),
            };
            // A mistake at (or above) a key already taken out follows from taking it out: a
            // required key gets a stand-in instead, so the rest is still checked.
            if removed.iter().any(|r| r == &path || r.starts_with(&format!("{path}."))) {
                match STAND_INS.iter().find(|(key, _)| path == format!("ethereum.{key}")) {
                    Some((key, value)) if !stood_in.contains(key) => {
                        stood_in.push(key);
                        if let Some(Value::Object(section)) = rest.get_mut("ethereum") {
                            section.insert(key.to_string(), Value::from(*value));
                        }
                        continue;
                    }
                    _ => break,
                }
            }
            errors.push(err);
            if !remove_path(&mut rest, &path) {
                break;
            }
            removed.push(path);
        }
        Err(errors)
    }

    fn from_section(section: &Map<String, Value>, workspace: &Path) -> Result<Self, ConnectorError> {
        if let Some((key, message)) = unknown_key(section, &KEYS) {
            return Err(config(format!("ethereum.{key}"), message));
        }
        let get = |key: &str| section.get(key).filter(|v| !v.is_null());
        if get("privacy").is_some() {
            return Err(config(
                "ethereum.privacy",
                "private transactions (Besu privacy groups) are not supported by caliper-rs",
            ));
        }

        let mut nodes = Vec::new();
        if let Some(url) = get("url") {
            nodes.push(("default".to_string(), node_url(url, "ethereum.url")?));
        }
        if let Some(map) = get("nodes") {
            let Value::Object(map) = map else {
                return Err(config(
                    "ethereum.nodes",
                    format!("expected an object of handle: url, got {}", kind(map)),
                ));
            };
            for (handle, url) in map {
                let path = format!("ethereum.nodes.{handle}");
                if nodes.iter().any(|(h, _)| h == handle) {
                    return Err(config(path, "the handle \"default\" is the node of `url`; pick another"));
                }
                nodes.push((handle.clone(), node_url(url, &path)?));
            }
        }
        if nodes.is_empty() {
            return Err(config(
                "ethereum.url",
                "missing: give the node's url (ws://, wss://, http:// or https://...) or `nodes`",
            ));
        }

        let deployer = get("contractDeployerAddressPrivateKey")
            .map(|k| private_key(k, "ethereum.contractDeployerAddressPrivateKey"))
            .transpose()?;
        check_address(get("contractDeployerAddress"), deployer, "ethereum.contractDeployerAddress")?;
        if deployer.is_none() && get("contractDeployerAddressPassword").is_some() {
            return Err(password(
                "ethereum.contractDeployerAddressPassword",
                "contractDeployerAddressPrivateKey",
            ));
        }

        let from = if let Some(seed) = get("fromAddressSeed") {
            let Value::String(seed) = seed else {
                return Err(config(
                    "ethereum.fromAddressSeed",
                    format!("expected a 0x hex string, got {}", kind(seed)),
                ));
            };
            if seed.is_empty() {
                return Err(config("ethereum.fromAddressSeed", "expected a 0x hex string, got an empty one"));
            }
            Some(FromAccount::Seed(seed.clone()))
        } else if let Some(key) = get("fromAddressPrivateKey") {
            let key = private_key(key, "ethereum.fromAddressPrivateKey")?;
            check_address(get("fromAddress"), Some(key), "ethereum.fromAddress")?;
            Some(FromAccount::Key(key))
        } else if get("fromAddressPassword").is_some() {
            return Err(password("ethereum.fromAddressPassword", "fromAddressPrivateKey or fromAddressSeed"));
        } else if get("fromAddress").is_some() {
            return Err(config(
                "ethereum.fromAddress",
                "an address alone cannot sign: add fromAddressPrivateKey, or use fromAddressSeed",
            ));
        } else {
            None
        };

        let mut identities = BTreeMap::new();
        if let Some(map) = get("identities") {
            let Value::Object(map) = map else {
                return Err(config(
                    "ethereum.identities",
                    format!("expected an object of name: identity, got {}", kind(map)),
                ));
            };
            for (name, spec) in map {
                identities.insert(name.clone(), identity(spec, &format!("ethereum.identities.{name}"))?);
            }
        }

        let confirmation_blocks = match get("transactionConfirmationBlocks") {
            Some(v) => integer(v, "ethereum.transactionConfirmationBlocks", 0, 1000)?,
            None => 1,
        };
        let gas_price = match get("gasPrice") {
            Some(v) => Some(wei(v, "ethereum.gasPrice")?),
            None => None,
        };
        let chain_id = get("chainId").map(|v| integer(v, "ethereum.chainId", 1, u64::MAX)).transpose()?;
        let timeout = match get("timeout") {
            Some(v) => seconds(v, "ethereum.timeout")?,
            None => DEFAULT_TIMEOUT,
        };
        let poll_interval = match get("pollInterval") {
            Some(v) => Duration::from_millis(integer(v, "ethereum.pollInterval", 1, 60_000)?),
            None => DEFAULT_POLL,
        };

        let mut contracts = BTreeMap::new();
        match get("contracts") {
            None => {}
            Some(Value::Object(map)) => {
                for (id, spec) in map {
                    contracts
                        .insert(id.clone(), contract(spec, &format!("ethereum.contracts.{id}"), workspace)?);
                }
            }
            Some(other) => {
                return Err(config(
                    "ethereum.contracts",
                    format!("expected an object of id: contract, got {}", kind(other)),
                ));
            }
        }
        if deployer.is_none()
            && let Some((id, _)) = contracts.iter().find(|(_, c)| c.address.is_none())
        {
            return Err(config(
                "ethereum.contractDeployerAddressPrivateKey",
                format!(
                    "missing: contracts.{id} is deployed from its artifact, which needs the deployer's key (or give the contract's address and abi)"
                ),
            ));
        }

        Ok(EthereumConfig {
            nodes,
            deployer,
            from,
            identities,
            confirmation_blocks,
            gas_price,
            chain_id,
            contracts,
            timeout,
            poll_interval,
        })
    }

    /// Checks what depends on the number of workers: a single account (a private key) may
    /// send from one worker only, or the workers' nonces collide; mnemonic identities of one
    /// phrase must not hand the same index to two workers.
    pub fn check_workers(&self, workers: usize) -> Result<(), ConnectorError> {
        if workers > 1
            && let Some(FromAccount::Key(_)) = self.from
        {
            return Err(config(
                "ethereum.fromAddressPrivateKey",
                format!(
                    "one account for {workers} workers: their nonces would collide; use fromAddressSeed (an account per worker) or mnemonic identities"
                ),
            ));
        }
        // The accounts of each mnemonic identity across all workers: [first, end).
        let mut spans: Vec<(&str, &String, u64, u64)> = Vec::new();
        for (name, identity) in &self.identities {
            match identity {
                Identity::Key(_) if workers > 1 => {
                    return Err(config(
                        format!("ethereum.identities.{name}"),
                        format!(
                            "a private key is one account and there are {workers} workers: their nonces would collide; use {{mnemonic, index}}"
                        ),
                    ));
                }
                Identity::Key(_) => {}
                Identity::Mnemonic { phrase, index, accounts } => {
                    let first = u64::from(*index);
                    let end = first + workers.max(1) as u64 * u64::from(*accounts);
                    if let Some((other, ..)) =
                        spans.iter().find(|(_, p, f, e)| *p == phrase && first < *e && *f < end)
                    {
                        return Err(config(
                            format!("ethereum.identities.{name}.index"),
                            format!(
                                "worker w sends from accounts index + w × accounts onwards, so with {workers} worker(s) the accounts of \"{other}\" and \"{name}\" overlap (\"{name}\" uses {first} to {}); move one index past the other's last account",
                                end - 1
                            ),
                        ));
                    }
                    spans.push((name, phrase, first, end));
                }
            }
        }
        Ok(())
    }
}

/// The most parses one check makes (each past one more mistake).
const MAX_CHECK_PASSES: usize = 32;

/// Valid values the check puts in place of a required key it took out for its mistake.
const STAND_INS: &[(&str, &str)] = &[("url", "ws://127.0.0.1:8546")];

/// Takes the key at `path` (`ethereum.contracts.ledger.gas`) out of `network`; false when
/// there is no such key below the section (the path names the section itself, a missing key,
/// or a key whose name holds a dot).
fn remove_path(network: &mut Value, path: &str) -> bool {
    let mut keys: Vec<&str> = path.split('.').collect();
    let Some(last) = keys.pop().filter(|_| !keys.is_empty()) else { return false };
    let mut at = network;
    for key in keys {
        match at.get_mut(key) {
            Some(next) => at = next,
            None => return false,
        }
    }
    at.as_object_mut().is_some_and(|map| map.remove(last).is_some())
}

fn config(path: impl Into<String>, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config { path: path.into(), message: message.into() }
}

fn password(path: &str, instead: &str) -> ConnectorError {
    config(
        path,
        format!(
            "password-unlocked node accounts are not supported: caliper-rs signs locally; give {instead} instead"
        ),
    )
}

fn node_url(value: &Value, path: &str) -> Result<String, ConnectorError> {
    const EXPECTED: &str = "expected a ws://, wss://, http:// or https:// url";
    let Value::String(url) = value else {
        return Err(config(path, format!("{EXPECTED}, got {}", kind(value))));
    };
    let lower = url.to_ascii_lowercase();
    if ["ws://", "wss://", "http://", "https://"].iter().any(|scheme| lower.starts_with(scheme)) {
        Ok(url.clone())
    } else {
        Err(config(path, format!("{EXPECTED}, got {}", show(value))))
    }
}

fn private_key(value: &Value, path: &str) -> Result<B256, ConnectorError> {
    // The value is a secret: messages never show it.
    let expected = "expected a private key: 0x and 64 hex digits";
    let Value::String(text) = value else {
        return Err(config(path, format!("{expected}, got {}", kind(value))));
    };
    let digits = text.strip_prefix("0x").unwrap_or(text);
    if digits.len() != 64 {
        return Err(config(path, format!("{expected}, got {} digits", digits.len())));
    }
    let key: B256 = digits.parse().map_err(|_| config(path, format!("{expected}, got a non-hex digit")))?;
    if alloy::signers::local::PrivateKeySigner::from_bytes(&key).is_err() {
        return Err(config(path, "not a valid secp256k1 private key"));
    }
    Ok(key)
}

fn check_address(value: Option<&Value>, key: Option<B256>, path: &str) -> Result<(), ConnectorError> {
    let Some(value) = value else { return Ok(()) };
    let address = address(value, path)?;
    if let Some(key) = key
        && let Ok(signer) = alloy::signers::local::PrivateKeySigner::from_bytes(&key)
        && signer.address() != address
    {
        return Err(config(
            path,
            format!("{address} is not the address of the private key given with it ({})", signer.address()),
        ));
    }
    Ok(())
}

pub(crate) fn address(value: &Value, path: &str) -> Result<Address, ConnectorError> {
    match value {
        Value::String(text) => text.parse().map_err(|_| {
            config(path, format!("expected an address (0x and 40 hex digits), got {}", show(value)))
        }),
        other => {
            Err(config(path, format!("expected an address (0x and 40 hex digits), got {}", kind(other))))
        }
    }
}

fn identity(spec: &Value, path: &str) -> Result<Identity, ConnectorError> {
    let Value::Object(map) = spec else {
        return Err(config(
            path,
            format!("expected {{privateKey}} or {{mnemonic, index}}, got {}", kind(spec)),
        ));
    };
    if let Some((key, message)) = unknown_key(map, &["privateKey", "mnemonic", "index", "accounts"]) {
        return Err(config(format!("{path}.{key}"), message));
    }
    match (map.get("privateKey"), map.get("mnemonic")) {
        (Some(key), None) => {
            for key in ["index", "accounts"] {
                if map.contains_key(key) {
                    return Err(config(
                        format!("{path}.{key}"),
                        format!("`{key}` goes with a mnemonic, not a private key"),
                    ));
                }
            }
            Ok(Identity::Key(private_key(key, &format!("{path}.privateKey"))?))
        }
        (None, Some(Value::String(phrase))) => {
            let index = match map.get("index") {
                Some(v) => integer(v, &format!("{path}.index"), 0, u64::from(u32::MAX >> 1))? as u32,
                None => 0,
            };
            let accounts = match map.get("accounts") {
                Some(v) => integer(v, &format!("{path}.accounts"), 1, u64::from(MAX_ACCOUNTS))? as u32,
                None => 1,
            };
            // Derive once here so that a bad phrase is a configuration error, not a failure
            // in every worker.
            alloy::signers::local::MnemonicBuilder::<alloy::signers::local::coins_bip39::English>::default()
                .phrase(phrase.as_str())
                .index(index)
                .and_then(|b| b.build())
                .map_err(|_| config(format!("{path}.mnemonic"), "not a valid BIP-39 English mnemonic"))?;
            Ok(Identity::Mnemonic { phrase: phrase.clone(), index, accounts })
        }
        (None, Some(other)) => {
            Err(config(format!("{path}.mnemonic"), format!("expected a BIP-39 phrase, got {}", kind(other))))
        }
        (Some(_), Some(_)) => Err(config(path, "give either privateKey or mnemonic, not both")),
        (None, None) => Err(config(path, "expected {privateKey} or {mnemonic, index}")),
    }
}

fn contract(spec: &Value, path: &str, workspace: &Path) -> Result<ContractSpec, ConnectorError> {
    let Value::Object(map) = spec else {
        return Err(config(path, format!("expected an object, got {}", kind(spec))));
    };
    if let Some((key, message)) = unknown_key(map, &CONTRACT_KEYS) {
        return Err(config(format!("{path}.{key}"), message));
    }
    let get = |key: &str| map.get(key).filter(|v| !v.is_null());
    if get("private").is_some() {
        return Err(config(
            format!("{path}.private"),
            "private contracts (Besu privacy groups) are not supported by caliper-rs",
        ));
    }
    let file = match get("path") {
        Some(Value::String(p)) => Some(workspace.join(p)),
        Some(other) => {
            return Err(config(format!("{path}.path"), format!("expected a file path, got {}", kind(other))));
        }
        None => None,
    };
    let address = get("address").map(|a| address(a, &format!("{path}.address"))).transpose()?;
    let abi = match get("abi") {
        Some(abi) => Some(
            serde_json::from_value::<JsonAbi>(abi.clone())
                .map_err(|e| config(format!("{path}.abi"), format!("not a JSON ABI: {e}")))?,
        ),
        None => None,
    };
    match (&file, &address, &abi) {
        (None, None, _) => {
            return Err(config(
                path,
                "expected `path` (an artifact to deploy) or `address` and `abi` (a deployed contract)",
            ));
        }
        (None, Some(_), None) => {
            return Err(config(
                format!("{path}.abi"),
                "missing: a deployed contract needs its ABI (or a `path` to its artifact)",
            ));
        }
        _ => {}
    }
    let mut gas = BTreeMap::new();
    match get("gas") {
        None => {}
        Some(Value::Object(methods)) => {
            for (method, limit) in methods {
                gas.insert(method.clone(), integer(limit, &format!("{path}.gas.{method}"), 21_000, 1 << 40)?);
            }
        }
        Some(other) => {
            return Err(config(
                format!("{path}.gas"),
                format!("expected an object of method: gas limit, got {}", kind(other)),
            ));
        }
    }
    let estimate_gas = match get("estimateGas") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(config(
                format!("{path}.estimateGas"),
                format!("expected a boolean, got {}", kind(other)),
            ));
        }
    };
    Ok(ContractSpec { path: file, address, abi, gas, estimate_gas })
}

fn integer(value: &Value, path: &str, min: u64, max: u64) -> Result<u64, ConnectorError> {
    match value.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(config(path, format!("expected an integer from {min} to {max}, got {}", show(value)))),
    }
}

fn wei(value: &Value, path: &str) -> Result<u128, ConnectorError> {
    let parsed = match value {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => s.parse::<u128>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        config(
            path,
            format!("expected an amount of wei (an integer, or a decimal string), got {}", show(value)),
        )
    })
}

fn seconds(value: &Value, path: &str) -> Result<Duration, ConnectorError> {
    value.as_f64().filter(|s| *s > 0.0 && *s <= 86_400.0).map(Duration::from_secs_f64).ok_or_else(|| {
        config(path, format!("expected a number of seconds above 0 (at most a day), got {}", show(value)))
    })
}
