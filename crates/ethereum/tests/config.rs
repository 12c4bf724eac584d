//! The `ethereum` section: Caliper 0.6's keys accepted as they are, and every invalid
//! combination a configuration error with its key path.

use std::path::Path;

use caliper_core::connector::ConnectorError;
use caliper_ethereum::EthereumConfig;
use serde_json::{Value, json};

const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

fn parse(section: Value) -> Result<EthereumConfig, ConnectorError> {
    EthereumConfig::from_network(&json!({ "ethereum": section }), Path::new("/ws"))
}

fn error(section: Value) -> (String, String) {
    match parse(section) {
        Err(ConnectorError::Config { path, message }) => (path, message),
        Err(other) => panic!("not a config error: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn caliper_06_sections_are_accepted_as_they_are() {
    // The Besu variant of caliper-benchmarks' simple network (local signing, seed per worker).
    parse(json!({
        "url": "ws://localhost:8546",
        "contractDeployerAddress": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "contractDeployerAddressPrivateKey": KEY,
        "fromAddressSeed": "0x3f841bf589fdf83a521e55d51afddc34fa65351161eead24f064855fc29c9580",
        "transactionConfirmationBlocks": 2,
        "chainId": 48122,
        "gasPrice": 1,
        "contracts": {"simple": {"path": "src/simple.json", "estimateGas": true, "gas": {"query": 100000, "transfer": 70000}}}
    }))
    .unwrap();
    // Several nodes, identities, pre-deployed contracts, http.
    let config = parse(json!({
        "nodes": {"a": "http://127.0.0.1:8545", "b": "ws://127.0.0.1:8546", "c": "wss://node.example:443/rpc", "d": "HTTPS://node.example"},
        "identities": {"alice": {"privateKey": KEY}, "bob": {"mnemonic": "test test test test test test test test test test test junk", "index": 3}},
        "contracts": {"token": {"address": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "abi": []}},
        "timeout": 5,
        "pollInterval": 20
    }))
    .unwrap();
    assert!(config.check_workers(1).is_ok());
}

#[test]
fn invalid_values_and_combinations_name_their_key() {
    let cases = [
        (json!({}), "ethereum.url", "missing"),
        (json!({"url": "ftp://x"}), "ethereum.url", "expected a ws://, wss://, http:// or https:// url"),
        (json!({"url": "ws://x", "chainID": 1}), "ethereum.chainID", "did you mean \"chainId\""),
        (
            json!({"url": "ws://x", "fromAddressPrivateKey": "0x12"}),
            "ethereum.fromAddressPrivateKey",
            "got 2 digits",
        ),
        (
            json!({"url": "ws://x", "fromAddressPrivateKey": KEY, "fromAddress": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}),
            "ethereum.fromAddress",
            "is not the address of the private key",
        ),
        (
            json!({"url": "ws://x", "fromAddress": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "fromAddressPassword": "pw"}),
            "ethereum.fromAddressPassword",
            "signs locally",
        ),
        (
            json!({"url": "ws://x", "contracts": {"c": {"path": "c.json"}}}),
            "ethereum.contractDeployerAddressPrivateKey",
            "contracts.c",
        ),
        (
            json!({"url": "ws://x", "contracts": {"c": {"address": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}}}),
            "ethereum.contracts.c.abi",
            "missing",
        ),
        (
            json!({"url": "ws://x", "contracts": {"c": {"path": "c.json", "gas": {"open": "lots"}}}, "contractDeployerAddressPrivateKey": KEY}),
            "ethereum.contracts.c.gas.open",
            "expected an integer",
        ),
        (
            json!({"url": "ws://x", "contracts": {"c": {"paht": "c.json"}}}),
            "ethereum.contracts.c.paht",
            "did you mean \"path\"",
        ),
        (
            json!({"url": "ws://x", "identities": {"a": {"mnemonic": "not a phrase"}}}),
            "ethereum.identities.a.mnemonic",
            "BIP-39",
        ),
        (
            json!({"url": "ws://x", "identities": {"a": {"privateKey": KEY, "index": 1}}}),
            "ethereum.identities.a.index",
            "mnemonic",
        ),
        (
            json!({"url": "ws://x", "transactionConfirmationBlocks": -1}),
            "ethereum.transactionConfirmationBlocks",
            "expected an integer",
        ),
        (json!({"url": "ws://x", "timeout": 0}), "ethereum.timeout", "seconds above 0"),
        (json!({"url": "ws://x", "privacy": {}}), "ethereum.privacy", "not supported"),
    ];
    for (section, path, text) in cases {
        let (got_path, message) = error(section.clone());
        assert_eq!(got_path, path, "{section}: {message}");
        assert!(message.contains(text), "{section}: {message}");
        // A secret never appears in a message.
        assert!(!message.contains(&KEY[2..]), "{message}");
    }
}

#[test]
fn senders_that_would_share_nonces_across_workers_are_refused() {
    let one_key = parse(json!({"url": "ws://x", "fromAddressPrivateKey": KEY})).unwrap();
    assert!(one_key.check_workers(1).is_ok());
    match one_key.check_workers(2) {
        Err(ConnectorError::Config { path, message }) => {
            assert_eq!(path, "ethereum.fromAddressPrivateKey");
            assert!(message.contains("fromAddressSeed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let phrase = "test test test test test test test test test test test junk";
    let close = parse(json!({"url": "ws://x", "identities": {"a": {"mnemonic": phrase, "index": 0}, "b": {"mnemonic": phrase, "index": 1}}})).unwrap();
    assert!(close.check_workers(1).is_ok());
    match close.check_workers(2) {
        Err(ConnectorError::Config { path, .. }) => assert_eq!(path, "ethereum.identities.b.index"),
        other => panic!("{other:?}"),
    }
    let seed = parse(json!({"url": "ws://x", "fromAddressSeed": "0x1234"})).unwrap();
    assert!(seed.check_workers(8).is_ok());

    // Pools: "a" gives each of 2 workers 3 accounts (indices 1 to 6), so "b" may start at 7,
    // not at 6; and even one worker cannot share an account between two identities.
    let pools = |b: u64| {
        parse(json!({"url": "ws://x", "identities": {
            "a": {"mnemonic": phrase, "index": 1, "accounts": 3},
            "b": {"mnemonic": phrase, "index": b, "accounts": 2},
        }}))
        .unwrap()
    };
    assert!(pools(7).check_workers(2).is_ok());
    match pools(6).check_workers(2) {
        Err(ConnectorError::Config { path, message }) => {
            assert_eq!(path, "ethereum.identities.b.index");
            assert!(message.contains("overlap") && message.contains("\"a\""), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(pools(3).check_workers(1).is_err(), "a's accounts 1 to 3 include b's 3");
    assert!(pools(4).check_workers(1).is_ok());
    for (spec, path) in [
        (json!({"mnemonic": phrase, "accounts": 0}), "ethereum.identities.a.accounts"),
        (json!({"mnemonic": phrase, "accounts": 1001}), "ethereum.identities.a.accounts"),
        (json!({"privateKey": KEY, "accounts": 2}), "ethereum.identities.a.accounts"),
    ] {
        match parse(json!({"url": "ws://x", "identities": {"a": spec}})) {
            Err(ConnectorError::Config { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn secrets_never_reach_debug_output() {
    let phrase = "test test test test test test test test test test test junk";
    let config = parse(json!({
        "url": "ws://x",
        "contractDeployerAddressPrivateKey": KEY,
        "fromAddressSeed": "0xsecretseed",
        "identities": {"a": {"privateKey": KEY}, "b": {"mnemonic": phrase}},
    }))
    .unwrap();
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(&KEY[2..]) && !debug.contains("secretseed") && !debug.contains("junk"),
        "{debug}"
    );
}

#[test]
fn the_check_reports_every_mistake_of_the_section_once() {
    let network = json!({ "ethereum": {
        "url": "ftp://x",
        "chainID": 1,
        "gasPrice": "cheap",
        "transactionConfirmationBlocks": -1,
        "fromAddressPrivateKey": "0x12",
        "contracts": {"ledger": {"path": "ledger.json", "gas": {"open": "lots"}}}
    }});
    let errors = EthereumConfig::check(&network, Path::new("/ws"), Some(1)).expect_err("refused");
    let mut paths: Vec<String> = errors
        .iter()
        .map(|e| match e {
            ConnectorError::Config { path, .. } => path.clone(),
            other => panic!("not a config error: {other}"),
        })
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "ethereum.chainID",
            // Genuine too: a contract deployed from its artifact needs the deployer's key.
            "ethereum.contractDeployerAddressPrivateKey",
            "ethereum.contracts.ledger.gas.open",
            "ethereum.fromAddressPrivateKey",
            "ethereum.gasPrice",
            "ethereum.transactionConfirmationBlocks",
            "ethereum.url",
        ],
        "{errors:?}"
    );
    // Taking out the bad url leaves the section without one: that is not a second mistake.
    assert_eq!(errors.iter().filter(|e| e.to_string().contains("ethereum.url")).count(), 1);
}
