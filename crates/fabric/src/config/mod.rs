//! Caliper's Fabric network configuration v2.0, as it is (JSON or YAML; caliper-core parses
//! the file), validated completely before anything starts.
//!
//! ```yaml
//! name: Fabric
//! version: "2.0.0"
//! caliper:
//!   blockchain: fabric
//!   sutOptions: {mutualTls: false}
//! organizations:
//!   - mspid: Org1MSP
//!     identities:
//!       certificates:
//!         - name: User1
//!           clientPrivateKey: {path: crypto/Org1/User1/key.pem}     # or {pem: "..."} (base64 too)
//!           clientSignedCert: {path: crypto/Org1/User1/cert.pem}
//!       wallet: {path: wallets/org1, adminNames: [admin]}          # fabric-network .id files
//!     connectionProfile: {path: profiles/org1.yaml, discover: true}
//!   - mspid: Org2MSP
//!     identities: {...}
//!     peers:                                                        # instead of a profile
//!       - endpoint: localhost:9051
//!         tlsCACerts: {path: crypto/Org2/tlsca.pem}
//!         grpcOptions: {ssl-target-name-override: peer0.org2.example.com}
//! channels:
//!   - channelName: mychannel
//!     contracts: [{id: simple, contractID: simpleAlias}]
//! ```
//!
//! Every relative path resolves against the workspace, as in Caliper. Each mistake is a
//! [`ConnectorError::Config`] whose path is the key path in the network configuration (such
//! as `organizations[1].identities.certificates[0].clientSignedCert.path`), so the manager
//! prints it with its line; a mistake inside a connection profile names that file and the key
//! path inside it. Unknown keys are errors with a did-you-mean, except the legacy keys
//! Caliper's own samples carry (listed below), which are accepted and ignored.

mod identities;
mod peers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use caliper_core::connector::ConnectorError;
use caliper_core::suggest::{did_you_mean, json_kind, unknown_keys};
use serde_json::{Map, Value};

use crate::identity::Identity;
pub(crate) use peers::PeerSpec;

/// The keys of `caliper.sutOptions`.
const SUT_OPTION_KEYS: [&str; 1] = ["mutualTls"];
/// The keys of an organisation.
const ORG_KEYS: [&str; 4] = ["mspid", "identities", "connectionProfile", "peers"];
/// The keys of a channel (`create`, `definition` and `orderers`: Caliper 0.4's channel
/// creation, accepted and ignored).
const CHANNEL_KEYS: [&str; 5] = ["channelName", "contracts", "create", "definition", "orderers"];
/// The keys of a contract (all but `id` and `contractID` are Caliper 0.4's deployment keys,
/// accepted and ignored: contracts are deployed outside the benchmark).
const CONTRACT_KEYS: [&str; 12] = [
    "id",
    "contractID",
    "install",
    "instantiate",
    "version",
    "language",
    "path",
    "metadataPath",
    "initFunction",
    "initArguments",
    "endorsementPolicy",
    "collectionsConfig",
];

/// The validated Fabric network configuration.
#[derive(Debug, Clone)]
pub struct FabricConfig {
    /// `caliper.sutOptions.mutualTls`: present each identity's certificate to the peers.
    pub(crate) mutual_tls: bool,
    /// The organisations in file order; the first is the default one.
    pub(crate) orgs: Vec<OrgSpec>,
    /// The contracts, in file order.
    pub(crate) contracts: Vec<ContractSpec>,
}

/// One organisation.
#[derive(Debug, Clone)]
pub(crate) struct OrgSpec {
    /// Its MSP id.
    pub(crate) mspid: String,
    /// Its identities by name, in Caliper's order (certificates, then the wallet); the first
    /// is the organisation's default invoker.
    pub(crate) identities: Vec<Arc<Identity>>,
    /// Its gateway peers: every peer the configuration lists for it, in order.
    pub(crate) peers: Vec<PeerSpec>,
}

/// One contract of a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContractSpec {
    /// The channel.
    pub(crate) channel: String,
    /// The chaincode's name (`id`).
    pub(crate) id: String,
    /// The name requests use (`contractID`, default `id`).
    pub(crate) contract_id: String,
}

/// Builds a configuration error at `path`.
pub(crate) fn config(path: impl Into<String>, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config { path: path.into(), message: message.into() }
}

/// The mistakes found so far, and the workspace paths resolve against.
pub(crate) struct Checker<'a> {
    pub(crate) workspace: &'a Path,
    pub(crate) errors: Vec<ConnectorError>,
}

impl Checker<'_> {
    pub(crate) fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(config(path, message));
    }

    /// Reports every key of `map` that is not in `known`, with a did-you-mean.
    pub(crate) fn unknown(&mut self, path: &str, map: &Map<String, Value>, known: &[&str]) {
        for (key, message) in unknown_keys(map, known) {
            self.error(join(path, key), message);
        }
    }

    /// `value` as an object, or a mistake that says what was expected.
    pub(crate) fn object<'v>(
        &mut self,
        path: &str,
        value: &'v Value,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.error(path, format!("expected {what}, got {}", json_kind(other)));
                None
            }
        }
    }

    /// `value` as a non-empty string.
    pub(crate) fn string<'v>(&mut self, path: &str, value: &'v Value, what: &str) -> Option<&'v str> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            Value::String(_) => {
                self.error(path, format!("expected {what}, got an empty string"));
                None
            }
            other => {
                self.error(path, format!("expected {what}, got {}", json_kind(other)));
                None
            }
        }
    }

    /// A path of the configuration, resolved against the workspace.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() { p.to_path_buf() } else { self.workspace.join(p) }
    }
}

/// `parent.key`, or `key` at the top.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

/// The value of `key` in `map`, null counted as absent.
pub(crate) fn get<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).filter(|v| !v.is_null())
}

impl FabricConfig {
    /// Reads the whole network configuration (`NetworkConfig::raw`, whose `caliper.sutOptions`
    /// is read too); relative paths resolve against `workspace`. Returns every mistake.
    pub fn from_network(network: &Value, workspace: &Path) -> Result<Self, Vec<ConnectorError>> {
        let mut c = Checker { workspace, errors: Vec::new() };
        let parsed = parse(&mut c, network);
        match parsed {
            Some(config) if c.errors.is_empty() => Ok(config),
            _ => Err(c.errors),
        }
    }

    /// The organisations' MSP ids, in file order.
    pub fn mspids(&self) -> impl Iterator<Item = &str> {
        self.orgs.iter().map(|o| o.mspid.as_str())
    }
}

fn parse(c: &mut Checker<'_>, network: &Value) -> Option<FabricConfig> {
    let root = c.object("", network, "a mapping")?;
    version(c, root);
    let mutual_tls = sut_options(c, root);

    let orgs = match get(root, "organizations") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let mut orgs = Vec::new();
            for (i, org) in list.iter().enumerate() {
                if let Some(org) = organization(c, &format!("organizations[{i}]"), org, i == 0) {
                    orgs.push(org);
                }
            }
            orgs
        }
        Some(Value::Array(_)) => {
            c.error("organizations", "No organizations have been defined: list at least one organization");
            Vec::new()
        }
        Some(other) => {
            c.error("organizations", format!("expected a list of organizations, got {}", json_kind(other)));
            Vec::new()
        }
        None => {
            let near = did_you_mean("organizations", root.keys().map(String::as_str))
                .map(|k| format!(" (did you mean \"organizations\" instead of \"{k}\"?)"))
                .unwrap_or_default();
            c.error("organizations", format!("No organizations have been defined{near}: the Fabric connector needs `organizations`, a list with mspid, identities and connectionProfile or peers"));
            Vec::new()
        }
    };
    unique_mspids(c, &orgs);
    if mutual_tls {
        for (i, org) in orgs.iter().enumerate() {
            if let Some(peer) = org.peers.iter().find(|p| p.tls_ca.is_none()) {
                c.error(
                    "caliper.sutOptions.mutualTls",
                    format!(
                        "mutual TLS needs TLS to every peer, but peer {} of organizations[{i}] ({}) is {}: use grpcs:// with tlsCACerts, or set mutualTls to false",
                        peer.name, org.mspid, peer.url
                    ),
                );
            }
        }
    }
    let contracts = channels(c, root);
    Some(FabricConfig { mutual_tls, orgs, contracts })
}

/// `version`: Caliper accepts what semver matches with `=2.0` ("2.0.0", "2.0.5"), as a string.
fn version(c: &mut Checker<'_>, root: &Map<String, Value>) {
    match get(root, "version") {
        Some(Value::String(v)) if v == "1.0" => {
            c.error("version", "Network configuration version 1.0 is not supported anymore, please use version 2 (\"2.0.0\")")
        }
        Some(Value::String(v)) if is_2_0(v) => {}
        Some(Value::String(v)) => c.error(
            "version",
            format!("Unknown network configuration version {v} specified: the Fabric connector reads version \"2.0.0\""),
        ),
        Some(Value::Number(n)) => c.error(
            "version",
            format!("expected the string \"2.0.0\", got the number {n}: quote it (version: \"2.0.0\")"),
        ),
        Some(other) => c.error("version", format!("expected the string \"2.0.0\", got {}", json_kind(other))),
        None => c.error("version", "missing: the Fabric network configuration needs version: \"2.0.0\""),
    }
}

/// Whether `v` satisfies semver `=2.0`: `2.0.<patch>`, with an optional pre-release or build.
fn is_2_0(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts[0] == "2"
        && parts[1] == "0"
        && !parts[2].is_empty()
        && parts[2].bytes().all(|b| b.is_ascii_digit())
}

fn sut_options(c: &mut Checker<'_>, root: &Map<String, Value>) -> bool {
    let Some(options) = root.get("caliper").and_then(|v| v.get("sutOptions")).filter(|v| !v.is_null()) else {
        return false;
    };
    let Some(options) = c.object("caliper.sutOptions", options, "a mapping") else { return false };
    c.unknown("caliper.sutOptions", options, &SUT_OPTION_KEYS);
    match get(options, "mutualTls") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => {
            c.error(
                "caliper.sutOptions.mutualTls",
                format!("expected true or false, got {}", json_kind(other)),
            );
            false
        }
    }
}

fn organization(c: &mut Checker<'_>, path: &str, value: &Value, first: bool) -> Option<OrgSpec> {
    let org = c.object(
        path,
        value,
        "an organization (a mapping with mspid, identities, connectionProfile or peers)",
    )?;
    c.unknown(path, org, &ORG_KEYS);
    let mspid = match get(org, "mspid") {
        Some(v) => {
            c.string(&join(path, "mspid"), v, "the organization's MSP id, such as Org1MSP")?.to_string()
        }
        None if first => {
            c.error(join(path, "mspid"), "No mspid has been defined for the first organization");
            return None;
        }
        None => {
            c.error(join(path, "mspid"), "At least 1 organization has not specified the mspid property");
            return None;
        }
    };
    let identities = identities::load(c, path, org, &mspid);
    let peers = peers::load(c, path, org, &mspid);
    Some(OrgSpec { mspid, identities, peers })
}

fn unique_mspids(c: &mut Checker<'_>, orgs: &[OrgSpec]) {
    for (i, org) in orgs.iter().enumerate() {
        if orgs[..i].iter().any(|o| o.mspid == org.mspid) {
            c.error(
                format!("organizations[{i}].mspid"),
                format!("More than 1 organization with the same mspid is not allowed ({})", org.mspid),
            );
        }
    }
}

fn channels(c: &mut Checker<'_>, root: &Map<String, Value>) -> Vec<ContractSpec> {
    let mut contracts: Vec<ContractSpec> = Vec::new();
    let list = match get(root, "channels") {
        None => return contracts,
        Some(Value::Array(list)) => list,
        Some(other) => {
            c.error("channels", format!("expected a list of channels, got {}", json_kind(other)));
            return contracts;
        }
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, channel) in list.iter().enumerate() {
        let path = format!("channels[{i}]");
        let Some(channel) = c.object(&path, channel, "a channel (a mapping with channelName and contracts)")
        else {
            continue;
        };
        c.unknown(&path, channel, &CHANNEL_KEYS);
        let name = match get(channel, "channelName") {
            Some(v) => c.string(&join(&path, "channelName"), v, "the channel's name").map(str::to_string),
            None => {
                c.error(join(&path, "channelName"), "missing: the channel's name, such as mychannel");
                None
            }
        };
        let list = match get(channel, "contracts") {
            Some(Value::Array(list)) => list.as_slice(),
            Some(other) => {
                c.error(
                    join(&path, "contracts"),
                    format!("expected a list of contracts, got {}", json_kind(other)),
                );
                &[]
            }
            None => &[],
        };
        for (j, contract) in list.iter().enumerate() {
            let path = format!("{path}.contracts[{j}]");
            let Some(contract) = c.object(&path, contract, "a contract (a mapping with id and contractID)")
            else {
                continue;
            };
            c.unknown(&path, contract, &CONTRACT_KEYS);
            let id = match get(contract, "id") {
                Some(v) => c.string(&join(&path, "id"), v, "the chaincode's name"),
                None => {
                    c.error(join(&path, "id"), "missing: the chaincode's name as deployed on the channel");
                    None
                }
            };
            let contract_id = match get(contract, "contractID") {
                Some(v) => c.string(&join(&path, "contractID"), v, "the name requests use for the contract"),
                None => id,
            };
            let (Some(name), Some(id), Some(contract_id)) = (&name, id, contract_id) else { continue };
            if let Some(first) = seen.get(contract_id) {
                c.error(
                    join(&path, "contractID"),
                    format!("{contract_id} has already been defined in the configuration (at {first}); give this contract another contractID"),
                );
                continue;
            }
            seen.insert(contract_id.to_string(), path.clone());
            contracts.push(ContractSpec {
                channel: name.clone(),
                id: id.to_string(),
                contract_id: contract_id.to_string(),
            });
        }
    }
    contracts
}

/// Reads a PEM given as `{path}` or `{pem}` (base64 accepted) at `path`, as Caliper does:
/// `path` wins when both are given; the text must start with `-----BEGIN `.
pub(crate) fn pem(c: &mut Checker<'_>, path: &str, value: &Value, what: &str) -> Option<String> {
    let map = c.object(path, value, &format!("{what} as {{path: <file>}} or {{pem: <PEM text>}}"))?;
    c.unknown(path, map, &["path", "pem"]);
    if let Some(file) = get(map, "path") {
        let key = join(path, "path");
        let file = c.string(&key, file, "a file path")?;
        let resolved = c.resolve(file);
        return match std::fs::read_to_string(&resolved) {
            Ok(text) if text.trim_start().starts_with("-----BEGIN ") => Some(text),
            Ok(_) => {
                c.error(key, format!("{} does not point to a valid pem file for {what}", resolved.display()));
                None
            }
            Err(e) => {
                c.error(
                    key,
                    format!("{} does not point to a file that exists for {what} ({e})", resolved.display()),
                );
                None
            }
        };
    }
    if let Some(text) = get(map, "pem") {
        let key = join(path, "pem");
        let text = c.string(&key, text, "PEM text (or its base64)")?;
        if text.trim_start().starts_with("-----BEGIN ") {
            return Some(text.to_string());
        }
        use base64::Engine;
        let compact: String = text.chars().filter(|ch| !ch.is_whitespace()).collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|t| t.trim_start().starts_with("-----BEGIN "));
        if decoded.is_none() {
            c.error(key, format!("pem property not valid for {what}: expected PEM text starting with -----BEGIN, or its base64"));
        }
        return decoded;
    }
    c.error(path, format!("No path or pem property specified for {what}"));
    None
}

#[cfg(test)]
pub(crate) mod tests;
