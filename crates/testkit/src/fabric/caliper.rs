//! The Caliper v2.0 network configuration of a harness network, for the `caliper-fabric`
//! connector (and Caliper's own): every org with `User1` (its default invoker) and `Admin`,
//! its peers, the channel and its contract, all paths absolute. Under mutual TLS each identity
//! also names its TLS client certificate and key (`clientTlsCert`, `clientTlsKey`, from the
//! user's `tls/` folder): a Fabric peer accepts only certificates of its TLS CA as clients.

use std::path::Path;

use serde_json::{Value, json};

use super::{CHANNEL, CONTRACT, FabricNetwork, Identity};

/// How the configuration names an org's peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigStyle {
    /// `organizations[].peers`: `{endpoint, tlsCACerts: {path}}` per peer.
    Peers,
    /// `organizations[].connectionProfile`: a connection profile file per org beside the
    /// configuration (`<stem>-org<n>.json`), with `grpcs://` urls and
    /// `ssl-target-name-override` set to the peer's certificate name.
    ConnectionProfile,
}

/// Writes the configuration to `path` (and the connection profiles beside it).
pub fn write(net: &FabricNetwork, path: &Path, style: ConfigStyle) -> Result<(), String> {
    let peers = net.peers();
    let mut orgs = Vec::new();
    for (index, msp_id) in net.msp_ids().iter().enumerate() {
        let mut org = json!({
            "mspid": msp_id,
            "identities": {"certificates": [
                certificate(&net.user(index), false, net.mutual_tls()),
                certificate(&net.admin(index), true, net.mutual_tls()),
            ]},
        });
        let own: Vec<_> = peers.iter().filter(|p| p.org == index).collect();
        match style {
            ConfigStyle::Peers => {
                org["peers"] = own
                    .iter()
                    .map(|p| json!({"endpoint": p.endpoint, "tlsCACerts": {"path": p.tls_ca}}))
                    .collect();
            }
            ConfigStyle::ConnectionProfile => {
                let stem = path.file_stem().map_or("network".into(), |s| s.to_string_lossy().into_owned());
                let profile_path = path.with_file_name(format!("{stem}-org{}.json", index + 1));
                let org_name = format!("Org{}", index + 1);
                let profile = json!({
                    "name": format!("caliper-rs-harness-org{}", index + 1),
                    "version": "1.0.0",
                    "client": {"organization": org_name},
                    "organizations": {org_name.clone(): {"mspid": msp_id, "peers": own.iter().map(|p| &p.name).collect::<Vec<_>>()}},
                    "peers": own.iter().map(|p| (p.name.clone(), json!({
                        "url": format!("grpcs://{}", p.endpoint),
                        "tlsCACerts": {"path": p.tls_ca},
                        "grpcOptions": {"ssl-target-name-override": p.name},
                    }))).collect::<serde_json::Map<_, _>>(),
                });
                write_json(&profile_path, &profile)?;
                org["connectionProfile"] = json!({"path": profile_path, "discover": true});
            }
        }
        orgs.push(org);
    }
    let config = json!({
        "name": "caliper-rs-fabric-harness",
        "version": "2.0.0",
        "caliper": {"blockchain": "fabric", "sutOptions": {"mutualTls": net.mutual_tls()}},
        "info": {
            "Version": net.version(),
            "Size": format!("{} org(s), {} peer(s), 1 orderer", orgs.len(), peers.len()),
            "Orderer": "Raft",
            "Distribution": "Single host",
            "StateDB": "LevelDB",
        },
        "organizations": orgs,
        "channels": [{"channelName": CHANNEL, "contracts": [{"id": CONTRACT}]}],
    });
    write_json(path, &config)
}

fn certificate(id: &Identity, admin: bool, mutual_tls: bool) -> Value {
    let mut entry = json!({
        "name": id.name,
        "clientPrivateKey": {"path": id.key},
        "clientSignedCert": {"path": id.cert},
    });
    if admin {
        entry["admin"] = json!(true);
    }
    if mutual_tls {
        entry["clientTlsCert"] = json!({"path": id.tls_cert});
        entry["clientTlsKey"] = json!({"path": id.tls_key});
    }
    entry
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot encode {}: {e}", path.display()))?;
    std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}
