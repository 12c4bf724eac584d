//! The Fabric harness against real Fabric binaries (opt-in: `CALIPER_FABRIC_BIN` names their
//! folders, one per version; without it the tests say why and pass): the network starts, and
//! Fabric's own `peer` CLI opens, queries and transfers through the chaincode, sees a
//! chaincode error and MVCC conflicts, and finds a killed peer serving again after its
//! restart, with one org, two orgs, two peers of one org, and mutual TLS.

use std::time::Instant;

use caliper_testkit::fabric::{ConfigStyle, FabricBinaries, FabricNetwork, Options};

/// Every folder of binaries, or None after printing why the test skips.
fn binaries() -> Option<Vec<FabricBinaries>> {
    match FabricBinaries::from_env() {
        Ok(bins) => Some(bins),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

/// The first success of `f` within 10 s (a peer that did not endorse commits a moment later).
fn eventually(f: impl Fn() -> Result<String, String>) -> String {
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match f() {
            Ok(out) => return out,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    }
}

fn start(bins: &FabricBinaries, options: Options) -> FabricNetwork {
    let begun = Instant::now();
    let net = FabricNetwork::start(bins, options).unwrap_or_else(|e| panic!("Fabric {}: {e}", bins.version));
    eprintln!(
        "Fabric {}: {} peer(s) up, chaincode answering, in {:.1} s",
        net.version(),
        net.peers().len(),
        begun.elapsed().as_secs_f64()
    );
    net
}

#[test]
fn one_org_open_query_transfer_and_a_chaincode_error() {
    let Some(all) = binaries() else { return };
    for bins in &all {
        let net = start(bins, Options::default());
        net.invoke(&["open", "alice", "1000"]).unwrap();
        net.invoke(&["open", "bob", "50"]).unwrap();
        assert_eq!(net.query(0, &["query", "alice"]).unwrap(), "1000");
        let out = net.invoke(&["transfer", "alice", "bob", "300"]).unwrap();
        assert!(out.contains("status:200"), "{out}");
        assert_eq!(net.query(0, &["query", "alice"]).unwrap(), "700");
        assert_eq!(net.query(0, &["query", "bob"]).unwrap(), "350");

        // The chaincode's refusals reach the client as endorsement failures with its message.
        let err = net.invoke(&["fail", "refused on purpose"]).unwrap_err();
        assert!(err.contains("refused on purpose"), "{err}");
        let err = net.invoke(&["transfer", "bob", "alice", "10000"]).unwrap_err();
        assert!(err.contains("less than 10000"), "{err}");
        let err = net.invoke(&["open", "alice", "1"]).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(net.query(0, &["query", "alice"]).unwrap(), "700");

        // Concurrent transfers from one account are endorsed on the same state: the orderer
        // takes them all, the peer validates the first and marks the others MVCC conflicts.
        net.invoke(&["open", "hot", "1000"]).unwrap();
        let results: Vec<Result<String, String>> = std::thread::scope(|s| {
            let runs: Vec<_> =
                (0..4).map(|_| s.spawn(|| net.invoke(&["transfer", "hot", "bob", "1"]))).collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let conflicts =
            results.iter().filter(|r| r.as_ref().is_err_and(|e| e.contains("MVCC_READ_CONFLICT"))).count();
        let committed = results.iter().filter(|r| r.is_ok()).count();
        assert!(conflicts >= 1 && committed >= 1 && conflicts + committed == 4, "{results:#?}");
        assert_eq!(net.query(0, &["query", "hot"]).unwrap(), (1000 - committed).to_string());

        // The network configuration names what a client needs, and the files exist.
        let path = net.dir().join("network.yaml");
        net.write_network_config(&path, ConfigStyle::Peers).unwrap();
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let org = &config["organizations"][0];
        assert_eq!(org["mspid"], "Org1MSP");
        assert_eq!(org["peers"][0]["endpoint"], net.peers()[0].endpoint.as_str());
        for key in ["clientPrivateKey", "clientSignedCert"] {
            let file = org["identities"]["certificates"][0][key]["path"].as_str().unwrap();
            assert!(std::fs::read_to_string(file).unwrap().starts_with("-----BEGIN "), "{file}");
        }
        assert_eq!(config["channels"][0]["contracts"][0]["id"], "simple");
    }
}

#[test]
fn two_orgs_endorse_together_and_a_killed_peer_comes_back() {
    let Some(all) = binaries() else { return };
    for bins in &all {
        let mut net = start(bins, Options { orgs: 2, ..Options::default() });
        assert_eq!(net.msp_ids(), ["Org1MSP", "Org2MSP"]);
        net.invoke(&["open", "carol", "500"]).unwrap();
        net.invoke(&["open", "dave", "500"]).unwrap();
        net.invoke(&["transfer", "carol", "dave", "125"]).unwrap();
        // Both orgs' peers committed the same state.
        assert_eq!(net.query(0, &["query", "carol"]).unwrap(), "375");
        assert_eq!(net.query(1, &["query", "dave"]).unwrap(), "625");

        net.kill_peer(1);
        assert!(!net.peer_running(1));
        // Org2's endorsement is required: without its peer an invoke fails.
        assert!(net.invoke(&["transfer", "carol", "dave", "1"]).is_err());
        net.restart_peer(1).unwrap();
        net.invoke(&["transfer", "dave", "carol", "25"]).unwrap();
        assert_eq!(net.query(1, &["query", "carol"]).unwrap(), "400");

        let path = net.dir().join("network.yaml");
        net.write_network_config(&path, ConfigStyle::ConnectionProfile).unwrap();
        let profile: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(net.dir().join("network-org2.json")).unwrap())
                .unwrap();
        assert_eq!(
            profile["peers"]["peer0.org2.example.com"]["url"],
            format!("grpcs://{}", net.peers()[1].endpoint)
        );
    }
}

#[test]
fn mutual_tls_network_takes_clients_with_certificates() {
    let Some(all) = binaries() else { return };
    for bins in &all {
        let net = start(bins, Options { mutual_tls: true, ..Options::default() });
        assert!(net.mutual_tls());
        net.invoke(&["open", "erin", "10"]).unwrap();
        assert_eq!(net.query(0, &["query", "erin"]).unwrap(), "10");
        // A client without a certificate is turned away by the peer.
        let user = net.user(0);
        let peer = &net.peers()[0];
        let out = std::process::Command::new(bins.bin("peer"))
            .args([
                "chaincode",
                "query",
                "-C",
                "mychannel",
                "-n",
                "simple",
                "-c",
                r#"{"Args":["query","erin"]}"#,
            ])
            .env("FABRIC_CFG_PATH", net.dir().join("peers").join(&peer.name))
            .env("CORE_PEER_LOCALMSPID", &user.msp_id)
            .env("CORE_PEER_MSPCONFIGPATH", &user.msp_dir)
            .env("CORE_PEER_ADDRESS", &peer.endpoint)
            .env("CORE_PEER_TLS_ENABLED", "true")
            .env("CORE_PEER_TLS_ROOTCERT_FILE", &peer.tls_ca)
            .env("CORE_PEER_TLS_CLIENTAUTHREQUIRED", "false")
            .env("CORE_PEER_CLIENT_CONNTIMEOUT", "2s")
            .output()
            .unwrap();
        assert!(!out.status.success(), "a query without a client certificate was answered");
    }
}

#[test]
fn two_peers_of_one_org_serve_one_ledger_and_survive_each_other() {
    let Some(all) = binaries() else { return };
    for bins in &all {
        let mut net = start(bins, Options { peers_per_org: 2, ..Options::default() });
        let peers = net.peers();
        assert_eq!(peers.len(), 2);
        assert_eq!((peers[0].msp_id.as_str(), peers[1].msp_id.as_str()), ("Org1MSP", "Org1MSP"));
        assert_eq!(peers[1].name, "peer1.org1.example.com");
        net.invoke(&["open", "frank", "70"]).unwrap();
        // The invoke waited for peer0's commit; peer1 gets the block from the orderer too.
        assert_eq!(eventually(|| net.query(1, &["query", "frank"])), "70");

        net.kill_peer(1);
        assert!(net.query(1, &["query", "frank"]).is_err());
        net.invoke(&["transfer", "frank", "frank", "5"]).unwrap();
        assert_eq!(net.query(0, &["query", "frank"]).unwrap(), "70");
        net.restart_peer(1).unwrap();
        net.invoke(&["open", "grace", "3"]).unwrap();
        assert_eq!(eventually(|| net.query(1, &["query", "grace"])), "3");
    }
}
