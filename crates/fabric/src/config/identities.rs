//! `organizations[].identities`: certificates given in the file, and file-system wallets.
//!
//! Wallets are read (Caliper's gateway connector silently loads nothing from them): each
//! `<label>.id` file of the directory is fabric-network's JSON identity,
//! `{"type": "X.509", "version": 1, "mspId": ..., "credentials": {"certificate": ..., "privateKey": ...}}`,
//! named by its label; identities of another MSP are skipped, as fabric-network's wallet does.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Checker, get, join, pem};
use crate::identity::Identity;

/// Reads the identities of the organisation at `path`: its certificates, then its wallet.
pub(super) fn load(
    c: &mut Checker<'_>,
    path: &str,
    org: &Map<String, Value>,
    mspid: &str,
) -> Vec<Arc<Identity>> {
    let mut out: Vec<Arc<Identity>> = Vec::new();
    let ids_path = join(path, "identities");
    let Some(ids) = get(org, "identities") else {
        c.error(
            ids_path,
            format!("Organization {mspid} has been defined without at least 1 identity associated with it: add identities.certificates or identities.wallet"),
        );
        return out;
    };
    let Some(ids) = c.object(&ids_path, ids, "a mapping with certificates and/or wallet") else { return out };
    c.unknown(&ids_path, ids, &["certificates", "wallet"]);
    let before = c.errors.len();
    if let Some(certs) = get(ids, "certificates") {
        certificates(c, &join(&ids_path, "certificates"), certs, mspid, &mut out);
    }
    if let Some(wallet_spec) = get(ids, "wallet") {
        wallet(c, &join(&ids_path, "wallet"), wallet_spec, mspid, &mut out);
    }
    if out.is_empty() && c.errors.len() == before {
        c.error(
            ids_path,
            format!("Organization {mspid} has been defined without at least 1 identity associated with it"),
        );
    }
    out
}

fn add(c: &mut Checker<'_>, path: &str, mspid: &str, identity: Identity, out: &mut Vec<Arc<Identity>>) {
    if out.iter().any(|i| i.name() == identity.name()) {
        c.error(
            path,
            format!(
                "Identity {} has been declared in more than 1 place within organization {mspid}",
                identity.name()
            ),
        );
        return;
    }
    out.push(Arc::new(identity));
}

fn certificates(c: &mut Checker<'_>, path: &str, value: &Value, mspid: &str, out: &mut Vec<Arc<Identity>>) {
    let list = match value {
        Value::Array(list) if !list.is_empty() => list,
        _ => {
            c.error(path, format!("No valid entries in certificates property for organization {mspid}: expected a list of {{name, clientSignedCert, clientPrivateKey}}"));
            return;
        }
    };
    for (i, entry) in list.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let Some(entry) =
            c.object(&path, entry, "a mapping with name, clientSignedCert and clientPrivateKey")
        else {
            continue;
        };
        c.unknown(
            &path,
            entry,
            &["name", "clientSignedCert", "clientPrivateKey", "admin", "clientTlsCert", "clientTlsKey"],
        );
        let name = match get(entry, "name") {
            Some(v) => c.string(&join(&path, "name"), v, "the identity's name").map(str::to_string),
            None => {
                c.error(join(&path, "name"), "A valid entry in certificates must have a name, clientSignedCert and clientPrivateKey entry: name is missing");
                None
            }
        };
        if let Some(admin) = get(entry, "admin")
            && !matches!(admin, Value::Bool(_))
            && admin != "true"
            && admin != "false"
        {
            c.error(join(&path, "admin"), "expected true or false");
        }
        let Some(name) = name else { continue };
        let what = |part: &str| format!("{part} for name {name} in organization {mspid}");
        let cert = match get(entry, "clientSignedCert") {
            Some(v) => pem(c, &join(&path, "clientSignedCert"), v, &what("clientSignedCert")),
            None => {
                c.error(join(&path, "clientSignedCert"), "A valid entry in certificates must have a name, clientSignedCert and clientPrivateKey entry: clientSignedCert is missing");
                None
            }
        };
        let key = match get(entry, "clientPrivateKey") {
            Some(v) => pem(c, &join(&path, "clientPrivateKey"), v, &what("clientPrivateKey")),
            None => {
                c.error(join(&path, "clientPrivateKey"), "A valid entry in certificates must have a name, clientSignedCert and clientPrivateKey entry: clientPrivateKey is missing");
                None
            }
        };
        // Beyond Caliper: the TLS client certificate and key under mutual TLS.
        let tls_cert = get(entry, "clientTlsCert")
            .map(|v| pem(c, &join(&path, "clientTlsCert"), v, &what("clientTlsCert")));
        let tls_key = get(entry, "clientTlsKey")
            .map(|v| pem(c, &join(&path, "clientTlsKey"), v, &what("clientTlsKey")));
        let tls = match (tls_cert, tls_key) {
            (None, None) => None,
            (Some(Some(cert)), Some(Some(key))) => Some((cert, key)),
            (Some(_), None) => {
                c.error(join(&path, "clientTlsKey"), "missing: clientTlsCert needs its key, clientTlsKey");
                None
            }
            (None, Some(_)) => {
                c.error(
                    join(&path, "clientTlsCert"),
                    "missing: clientTlsKey needs its certificate, clientTlsCert",
                );
                continue;
            }
            // A file that could not be read, already reported.
            _ => None,
        };
        let (Some(cert), Some(key)) = (cert, key) else { continue };
        match Identity::from_pem(&name, mspid, &cert, &key) {
            Ok(identity) => {
                let identity = match tls {
                    Some((cert, key)) => identity.with_tls_client(cert, key),
                    None => identity,
                };
                add(c, &join(&path, "name"), mspid, identity, out)
            }
            Err(e) => {
                let at = match e {
                    crate::identity::IdentityError::Certificate(_)
                    | crate::identity::IdentityError::NotP256 => "clientSignedCert",
                    _ => "clientPrivateKey",
                };
                c.error(join(&path, at), format!("identity {name} of {mspid}: {e}"));
            }
        }
    }
}

fn wallet(c: &mut Checker<'_>, path: &str, value: &Value, mspid: &str, out: &mut Vec<Arc<Identity>>) {
    let Some(spec) = c.object(path, value, "a mapping with path (a wallet directory) and adminNames") else {
        return;
    };
    c.unknown(path, spec, &["path", "adminNames"]);
    if let Some(admins) = get(spec, "adminNames")
        && !admins.as_array().is_some_and(|a| a.iter().all(Value::is_string))
    {
        c.error(join(path, "adminNames"), "expected a list of identity names");
    }
    let key = join(path, "path");
    let Some(dir) = get(spec, "path") else {
        c.error(key, "missing: the wallet's directory");
        return;
    };
    let Some(dir) = c.string(&key, dir, "the wallet's directory") else { return };
    let dir = c.resolve(dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(_) => {
            c.error(
                key,
                format!(
                    "The wallet path property {} does not point to an existing directory for {mspid}",
                    dir.display()
                ),
            );
            return;
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "id") && p.is_file())
        .collect();
    files.sort();
    for file in files {
        let label = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let shown = file.display();
        let parsed = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
        let json = match parsed {
            Ok(json) => json,
            Err(e) => {
                c.error(
                    &key,
                    format!("wallet identity {shown} cannot be read as fabric-network's JSON: {e}"),
                );
                continue;
            }
        };
        if json.get("type").and_then(Value::as_str) != Some("X.509") {
            c.error(
                &key,
                format!(
                    "wallet identity {shown}: type must be \"X.509\" (the only kind caliper-rs signs with)"
                ),
            );
            continue;
        }
        if json.get("mspId").and_then(Value::as_str) != Some(mspid) {
            tracing::debug!(file = %shown, mspid, "wallet identity of another MSP skipped");
            continue;
        }
        let credentials = json.get("credentials");
        let text = |field: &str| credentials.and_then(|c| c.get(field)).and_then(Value::as_str);
        let (Some(cert), Some(private_key)) = (text("certificate"), text("privateKey")) else {
            c.error(
                &key,
                format!(
                    "wallet identity {shown}: credentials.certificate and credentials.privateKey are required"
                ),
            );
            continue;
        };
        match Identity::from_pem(&label, mspid, cert, private_key) {
            Ok(identity) => add(c, &key, mspid, identity, out),
            Err(e) => c.error(&key, format!("wallet identity {shown}: {e}")),
        }
    }
}
