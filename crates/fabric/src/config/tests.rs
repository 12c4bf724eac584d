use std::path::Path;

use base64::Engine;
use caliper_core::connector::ConnectorError;
use serde_json::{Value, json};

use super::FabricConfig;

/// Two identities made by openssl in `dir`: `user1.{pem,key}` and `user2.{pem,key}`.
pub(crate) fn identities(dir: &Path) {
    caliper_testkit::certs::ca(dir, "user1", "User1");
    caliper_testkit::certs::ca(dir, "user2", "User2");
    caliper_testkit::certs::ca(dir, "tlsca", "tlsca");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

pub(crate) fn network(dir: &Path) -> Value {
    std::fs::write(
        dir.join("org1.yaml"),
        "name: test-network-org1\nversion: 1.0.0\nclient: {organization: Org1}\norganizations:\n  Org1:\n    mspid: Org1MSP\n    peers: [peer0.org1.example.com, peer1.org1.example.com]\npeers:\n  peer0.org1.example.com:\n    url: grpcs://localhost:7051\n    tlsCACerts: {path: tlsca.pem}\n    grpcOptions: {ssl-target-name-override: peer0.org1.example.com, hostnameOverride: peer0.org1.example.com}\n  peer1.org1.example.com:\n    url: grpc://127.0.0.1:8051\n",
    )
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(read(dir, "user2.key"));
    json!({
        "name": "test", "version": "2.0.0",
        "caliper": {"blockchain": "fabric", "sutOptions": {"mutualTls": false}},
        "organizations": [
            {"mspid": "Org1MSP",
             "identities": {"certificates": [{"name": "User1", "clientPrivateKey": {"path": "user1.key"}, "clientSignedCert": {"path": "user1.pem"}}]},
             "connectionProfile": {"path": "org1.yaml", "discover": true}},
            {"mspid": "Org2MSP",
             "identities": {"certificates": [{"name": "User1", "admin": true, "clientPrivateKey": {"pem": b64}, "clientSignedCert": {"pem": read(dir, "user2.pem")}}]},
             "peers": [{"endpoint": "localhost:9051", "tlsCACerts": {"pem": read(dir, "tlsca.pem")}, "grpcOptions": {"grpc.keepalive_time_ms": 1000}}]}
        ],
        "channels": [{"channelName": "mychannel", "create": {"buildTransaction": {}},
                      "contracts": [{"id": "simple", "contractID": "simpleAlias", "version": "v0", "language": "golang"}, {"id": "marbles"}]}]
    })
}

fn paths(errors: Vec<ConnectorError>) -> Vec<String> {
    errors
        .into_iter()
        .map(|e| match e {
            ConnectorError::Config { path, message } => format!("{path}: {message}"),
            other => panic!("expected a config error, got {other}"),
        })
        .collect()
}

#[test]
fn caliper_v2_configuration_reads_with_profiles_peers_pem_and_base64() {
    let dir = tempfile::tempdir().unwrap();
    identities(dir.path());
    let config = FabricConfig::from_network(&network(dir.path()), dir.path())
        .unwrap_or_else(|e| panic!("{:?}", paths(e)));
    assert!(!config.mutual_tls);
    assert_eq!(config.mspids().collect::<Vec<_>>(), ["Org1MSP", "Org2MSP"]);
    let org1 = &config.orgs[0];
    assert_eq!(org1.identities[0].name(), "User1");
    assert_eq!(org1.peers.len(), 2, "every listed peer of the org is a gateway peer");
    assert_eq!(org1.peers[0].address, "localhost:7051");
    assert_eq!(org1.peers[0].options.server_name.as_deref(), Some("peer0.org1.example.com"));
    assert!(org1.peers[0].tls_ca.as_deref().unwrap().starts_with("-----BEGIN CERTIFICATE"));
    assert!(org1.peers[1].tls_ca.is_none());
    let org2 = &config.orgs[1];
    assert_eq!(org2.peers[0].name, "Org2MSP_localhost:9051");
    assert_eq!(org2.peers[0].url, "grpcs://localhost:9051");
    // The peer drops clients that ping more often than once a minute.
    assert_eq!(org2.peers[0].options.keepalive, std::time::Duration::from_secs(60));
    assert_eq!(
        config.contracts.iter().map(|c| (c.contract_id.as_str(), c.id.as_str())).collect::<Vec<_>>(),
        [("simpleAlias", "simple"), ("marbles", "marbles")]
    );
}

#[test]
fn every_mistake_is_reported_with_its_key_path() {
    let dir = tempfile::tempdir().unwrap();
    identities(dir.path());
    let mut raw = network(dir.path());
    raw["version"] = json!(2.0);
    raw["caliper"]["sutOptions"] = json!({"mutualTLS": true});
    raw["organizations"][0]["identities"]["certificates"][0]["clientPrivateKey"] =
        json!({"path": "user2.key"});
    raw["organizations"][1]["mspId"] = raw["organizations"][1]["mspid"].take();
    raw["channels"][0]["contracts"][1]["contractID"] = json!("simpleAlias");
    raw["channels"][0]["contracts"][0]["contractId"] = json!("x");
    raw["organizations"][0]["identities"]["certificates"][0]["clientTlsCert"] = json!({"path": "user2.pem"});
    let errors = paths(FabricConfig::from_network(&raw, dir.path()).unwrap_err());
    let expect = [
        ("version: ", "quote it"),
        ("caliper.sutOptions.mutualTLS: ", "did you mean \"mutualTls\""),
        (
            "organizations[0].identities.certificates[0].clientPrivateKey: ",
            "does not belong to the certificate",
        ),
        ("organizations[1].mspId: ", "did you mean \"mspid\""),
        ("organizations[1].mspid: ", "At least 1 organization has not specified the mspid property"),
        ("channels[0].contracts[0].contractId: ", "did you mean \"contractID\""),
        ("channels[0].contracts[1].contractID: ", "simpleAlias has already been defined"),
        ("organizations[0].identities.certificates[0].clientTlsKey: ", "clientTlsCert needs its key"),
    ];
    for (path, text) in expect {
        assert!(
            errors.iter().any(|e| e.starts_with(path) && e.contains(text)),
            "no {path}…{text} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
}

#[test]
fn profile_and_pem_mistakes_name_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    identities(dir.path());
    let mut raw = network(dir.path());
    std::fs::write(
        dir.path().join("org1.yaml"),
        "organizations:\n  Org1:\n    mspid: Org1MSP\n    peers: [p0]\npeers:\n  p0: {url: http://localhost:7051}\n",
    )
    .unwrap();
    raw["organizations"][1]["identities"]["certificates"][0]["clientSignedCert"] =
        json!({"path": "missing.pem"});
    raw["organizations"][1]["peers"][0]["tlsCACerts"] = json!({"pem": "not a pem"});
    let errors = paths(FabricConfig::from_network(&raw, dir.path()).unwrap_err());
    assert!(
        errors[0].starts_with("organizations[0].connectionProfile.path: in ")
            && errors[0]
                .contains("org1.yaml, at peers.p0.url: http://localhost:7051 is not a valid grpc/grpcs url"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("organizations[1].identities.certificates[0].clientSignedCert.path: ")
            && errors[1].contains("does not point to a file that exists"),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with("organizations[1].peers[0].tlsCACerts.pem: pem property not valid"),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn wallets_are_read_and_other_msps_skipped() {
    let dir = tempfile::tempdir().unwrap();
    identities(dir.path());
    let wallet = dir.path().join("wallet");
    std::fs::create_dir(&wallet).unwrap();
    let id = |msp: &str, user: &str| {
        json!({"type": "X.509", "version": 1, "mspId": msp,
               "credentials": {"certificate": read(dir.path(), &format!("{user}.pem")), "privateKey": read(dir.path(), &format!("{user}.key"))}})
        .to_string()
    };
    std::fs::write(wallet.join("admin.id"), id("Org1MSP", "user2")).unwrap();
    std::fs::write(wallet.join("other.id"), id("Org9MSP", "user1")).unwrap();
    let mut raw = network(dir.path());
    raw["organizations"][0]["identities"]["wallet"] = json!({"path": "wallet", "adminNames": ["admin"]});
    let config = FabricConfig::from_network(&raw, dir.path()).unwrap_or_else(|e| panic!("{:?}", paths(e)));
    let names: Vec<&str> = config.orgs[0].identities.iter().map(|i| i.name()).collect();
    assert_eq!(names, ["User1", "admin"], "certificates first, then the wallet, other MSPs skipped");

    raw["organizations"][0]["identities"]["wallet"] = json!({"path": "nowhere"});
    let errors = paths(FabricConfig::from_network(&raw, dir.path()).unwrap_err());
    assert!(
        errors[0].starts_with("organizations[0].identities.wallet.path: The wallet path property"),
        "{errors:?}"
    );
}
