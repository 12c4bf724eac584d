//! An organisation's gateway peers: from its connection profile (test-network's
//! `connection-org1.yaml` style, YAML or JSON) or from its `peers` list, with TLS CA
//! certificates and the gRPC options that matter to the client.
//!
//! Caliper sends all of an organisation's load to the first peer listed for it; caliper-rs
//! spreads it over every peer listed (list one to get Caliper's behaviour).

use std::time::Duration;

use caliper_core::suggest::json_kind;
use serde_json::{Map, Value};

use super::{Checker, get, join, pem};

/// The gRPC options of a peer, as the client applies them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GrpcOptions {
    /// `ssl-target-name-override` (or `grpc.ssl_target_name_override`, or `hostnameOverride`):
    /// the name the peer's TLS certificate is checked against, and the SNI sent.
    pub(crate) server_name: Option<String>,
    /// `grpc.default_authority`: the HTTP/2 `:authority`.
    pub(crate) authority: Option<String>,
    /// `grpc.keepalive_time_ms`, at least 60 s (the peer drops clients that ping more often).
    pub(crate) keepalive: Duration,
    /// `grpc.keepalive_timeout_ms`.
    pub(crate) keepalive_timeout: Duration,
    /// `grpc.keepalive_permit_without_calls`.
    pub(crate) keepalive_while_idle: bool,
    /// `grpc.max_receive_message_length` (-1: no limit).
    pub(crate) max_receive: usize,
    /// `grpc.max_send_message_length` (-1: no limit).
    pub(crate) max_send: usize,
}

/// The peer's least interval between pings (`peer.keepalive.minInterval`).
const MIN_KEEPALIVE: Duration = Duration::from_secs(60);

impl Default for GrpcOptions {
    /// Caliper's defaults for every peer.
    fn default() -> Self {
        GrpcOptions {
            server_name: None,
            authority: None,
            keepalive: Duration::from_millis(120_000),
            keepalive_timeout: Duration::from_millis(20_000),
            keepalive_while_idle: true,
            max_receive: usize::MAX,
            max_send: usize::MAX,
        }
    }
}

/// One gateway peer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PeerSpec {
    /// Its name in the profile (`<mspid>_<endpoint>` for a `peers` entry, as in Caliper).
    pub(crate) name: String,
    /// Its url as configured (`grpcs://host:port` or `grpc://host:port`).
    pub(crate) url: String,
    /// `host:port`.
    pub(crate) address: String,
    /// The TLS CA certificates (PEM), when the url is grpcs://.
    pub(crate) tls_ca: Option<String>,
    /// Its gRPC options.
    pub(crate) options: GrpcOptions,
}

/// The keys a `grpcOptions` map may have beyond any `grpc.*` and `grpc-*` key (which go to
/// grpc-js unchanged in Caliper, so unknown ones are accepted and ignored here too).
const OPTION_KEYS: [&str; 3] = ["ssl-target-name-override", "hostnameOverride", "request-timeout"];

/// Reads the gateway peers of the organisation at `path`.
pub(super) fn load(c: &mut Checker<'_>, path: &str, org: &Map<String, Value>, mspid: &str) -> Vec<PeerSpec> {
    if let Some(profile) = get(org, "connectionProfile") {
        if get(org, "peers").is_some() {
            tracing::debug!(
                mspid,
                "peers ignored: the organization has a connectionProfile, which wins as in Caliper"
            );
        }
        return from_profile(c, &join(path, "connectionProfile"), profile, mspid);
    }
    match get(org, "peers") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let mut peers = Vec::new();
            for (i, entry) in list.iter().enumerate() {
                if let Some(peer) = peer_entry(c, &format!("{path}.peers[{i}]"), entry, mspid) {
                    peers.push(peer);
                }
            }
            peers
        }
        Some(other) => {
            c.error(
                join(path, "peers"),
                format!(
                    "expected a non-empty list of {{endpoint, tlsCACerts, grpcOptions}}, got {}",
                    describe(other)
                ),
            );
            Vec::new()
        }
        None => {
            c.error(
                join(path, "connectionProfile"),
                format!("No connection profile or peers entry for organization {mspid} has been defined: add connectionProfile: {{path: <file>}} or peers: [{{endpoint: host:port}}]"),
            );
            Vec::new()
        }
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "an empty list",
        other => json_kind(other),
    }
}

/// One `peers` entry: `{endpoint, tlsCACerts?, grpcOptions?}`.
fn peer_entry(c: &mut Checker<'_>, path: &str, value: &Value, mspid: &str) -> Option<PeerSpec> {
    let entry = c.object(path, value, "a mapping with endpoint, tlsCACerts and grpcOptions")?;
    c.unknown(path, entry, &["endpoint", "tlsCACerts", "grpcOptions"]);
    let Some(endpoint) = get(entry, "endpoint") else {
        c.error(
            join(path, "endpoint"),
            format!("Peers are defined for organization {mspid} but one or more entries do not have an endpoint defined"),
        );
        return None;
    };
    let endpoint = c.string(&join(path, "endpoint"), endpoint, "host:port")?.to_string();
    let address = host_port(c, &join(path, "endpoint"), &endpoint)?;
    let tls_ca = get(entry, "tlsCACerts")
        .map(|v| pem(c, &join(path, "tlsCACerts"), v, &format!("tlsCACerts of peer {endpoint}")))
        .map(|pem| pem.unwrap_or_default());
    let url = format!("{}://{endpoint}", if tls_ca.is_some() { "grpcs" } else { "grpc" });
    let options = grpc_options(c, &join(path, "grpcOptions"), get(entry, "grpcOptions"));
    Some(PeerSpec { name: format!("{mspid}_{endpoint}"), url, address, tls_ca, options })
}

/// `host:port` with a port number.
fn host_port(c: &mut Checker<'_>, path: &str, address: &str) -> Option<String> {
    let ok = address
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok());
    if ok {
        Some(address.to_string())
    } else {
        c.error(path, format!("\"{address}\" is not host:port (such as localhost:7051)"));
        None
    }
}

fn from_profile(c: &mut Checker<'_>, path: &str, value: &Value, mspid: &str) -> Vec<PeerSpec> {
    let Some(spec) = c.object(path, value, "a mapping with path (the connection profile's file)") else {
        return Vec::new();
    };
    c.unknown(path, spec, &["path", "discover"]);
    if let Some(discover) = get(spec, "discover")
        && !discover.is_boolean()
    {
        c.error(join(path, "discover"), "expected true or false (it is ignored: the gateway peer discovers)");
    }
    let key = join(path, "path");
    let Some(file) = get(spec, "path") else {
        c.error(key, format!("No path for the connection profile for organization {mspid} has been defined"));
        return Vec::new();
    };
    let Some(file) = c.string(&key, file, "the connection profile's file") else { return Vec::new() };
    let resolved = c.resolve(file);
    if !resolved.is_file() {
        c.error(key, format!("No connection profile file found at {}", resolved.display()));
        return Vec::new();
    }
    let profile = match caliper_core::config::read_data_file(&resolved, "connection profile") {
        Ok(profile) => profile,
        Err(e) => {
            c.error(key, e.to_string());
            return Vec::new();
        }
    };
    // Mistakes inside the profile are reported at the key that names it, with the file and
    // the key path inside it; relative paths in it resolve against the workspace, as in Caliper.
    let mut inner = Checker { workspace: c.workspace, errors: Vec::new() };
    let peers = profile_peers(&mut inner, &profile, mspid);
    for error in inner.errors {
        if let caliper_core::connector::ConnectorError::Config { path: at, message } = error {
            c.error(&key, format!("in {}, at {at}: {message}", resolved.display()));
        }
    }
    peers
}

/// The peers of the profile organisation whose mspid is `mspid`.
fn profile_peers(c: &mut Checker<'_>, profile: &Value, mspid: &str) -> Vec<PeerSpec> {
    let Some(orgs) = profile.get("organizations").and_then(Value::as_object) else {
        c.error("organizations", "No organizations property can be found in the connection profile");
        return Vec::new();
    };
    let Some((org_name, org)) =
        orgs.iter().find(|(_, o)| o.get("mspid").and_then(Value::as_str) == Some(mspid))
    else {
        c.error(
            "organizations",
            format!("Org with mspid {mspid} cannot be found in connectionProfile.organizations"),
        );
        return Vec::new();
    };
    let org_path = format!("organizations.{org_name}");
    let names: Vec<&str> = match org.get("peers") {
        None | Some(Value::Null) => {
            c.error(
                join(&org_path, "peers"),
                format!("Org with mspid {mspid} listed in connectionProfile.organizations does not have any peers property"),
            );
            return Vec::new();
        }
        Some(Value::Array(list)) if !list.is_empty() => list.iter().filter_map(Value::as_str).collect(),
        Some(_) => {
            c.error(
                join(&org_path, "peers"),
                format!("Org with mspid {mspid} listed in connectionProfile.organizations has a peers property but it is empty"),
            );
            return Vec::new();
        }
    };
    let mut peers = Vec::new();
    for name in names {
        let path = format!("peers.{name}");
        let Some(peer) = profile.get("peers").and_then(|p| p.get(name)).and_then(Value::as_object) else {
            c.error(path, format!("peer {name} of {org_path} has no entry under peers"));
            continue;
        };
        let Some(url) = get(peer, "url").and_then(Value::as_str) else {
            c.error(join(&path, "url"), "missing: the peer's url, grpcs://host:port or grpc://host:port");
            continue;
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("grpcs://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("grpc://") {
            (false, rest)
        } else {
            c.error(
                join(&path, "url"),
                format!(
                    "{url} is not a valid grpc/grpcs url: expected grpcs://host:port or grpc://host:port"
                ),
            );
            continue;
        };
        let Some(address) = host_port(c, &join(&path, "url"), rest) else { continue };
        let tls_ca = if tls {
            match get(peer, "tlsCACerts") {
                Some(v) => pem(c, &join(&path, "tlsCACerts"), v, &format!("tlsCACerts of peer {name}")),
                None => {
                    c.error(join(&path, "tlsCACerts"), format!("No tlsCACerts property for {name}: a grpcs:// peer needs its TLS CA as {{pem}} or {{path}}"));
                    None
                }
            }
            .or(Some(String::new()))
        } else {
            None
        };
        let options = grpc_options(c, &join(&path, "grpcOptions"), get(peer, "grpcOptions"));
        peers.push(PeerSpec { name: name.to_string(), url: url.to_string(), address, tls_ca, options });
    }
    peers
}

/// Caliper's default gRPC options with the peer's merged over them.
fn grpc_options(c: &mut Checker<'_>, path: &str, value: Option<&Value>) -> GrpcOptions {
    let mut options = GrpcOptions::default();
    let Some(value) = value else { return options };
    let Some(map) = c.object(path, value, "a mapping of gRPC options") else { return options };
    let known: Vec<&str> = map
        .keys()
        .filter(|k| k.starts_with("grpc.") || k.starts_with("grpc-"))
        .map(String::as_str)
        .chain(OPTION_KEYS)
        .collect();
    c.unknown(path, map, &known);
    let ms = |c: &mut Checker<'_>, key: &str| -> Option<i64> {
        let v = get(map, key)?;
        let n = v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
        if n.is_none() {
            c.error(join(path, key), format!("expected a whole number, got {}", json_kind(v)));
        }
        n
    };
    for key in ["grpc.ssl_target_name_override", "ssl-target-name-override", "hostnameOverride"] {
        if options.server_name.is_none()
            && let Some(v) = get(map, key)
        {
            options.server_name = c.string(&join(path, key), v, "a host name").map(str::to_string);
        }
    }
    if let Some(v) = get(map, "grpc.default_authority") {
        options.authority =
            c.string(&join(path, "grpc.default_authority"), v, "host[:port]").map(str::to_string);
    }
    if let Some(n) = ms(c, "grpc.keepalive_time_ms") {
        options.keepalive = Duration::from_millis(n.max(0) as u64).max(MIN_KEEPALIVE);
    }
    if let Some(n) = ms(c, "grpc.keepalive_timeout_ms") {
        options.keepalive_timeout = Duration::from_millis(n.max(1) as u64);
    }
    if let Some(v) = get(map, "grpc.keepalive_permit_without_calls") {
        options.keepalive_while_idle = matches!(v, Value::Bool(true)) || v.as_i64().is_some_and(|n| n != 0);
    }
    let size = |n: i64| if n < 0 { usize::MAX } else { n as usize };
    if let Some(n) = ms(c, "grpc.max_receive_message_length") {
        options.max_receive = size(n);
    }
    if let Some(n) = ms(c, "grpc.max_send_message_length") {
        options.max_send = size(n);
    }
    options
}
