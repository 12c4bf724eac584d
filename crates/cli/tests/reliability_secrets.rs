//! Secrets never appear: private keys, a mnemonic and a seed of the ethereum section, the MQTT
//! password, the MQTT client's TLS key, the prometheus basic-auth passwords and a push
//! gateway's credentials written in its URL (with a push observer that uses them), at every log
//! level (`--caliper-logging-level debug` and `trace`, and `RUST_LOG=trace`, which also turns on
//! every dependency's tracing). Each run's stdout, stderr, results.json and every other file it
//! wrote in the workspace are scanned for each secret. The ethereum secrets are scanned both in
//! runs that fail to reach a node and in a real run against anvil that signs with them.

mod broker;
mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use caliper_testkit::anvil::Anvil;
use caliper_testkit::certs::certificates;
use caliper_testkit::mosquitto::Broker;
use caliper_testkit::net::free_port;
use common::*;

const BENCH: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - label: r
      txNumber: 40
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix }
"#;

const DEPLOYER_KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const FROM_KEY: &str = "0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f";
const ALICE_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const MNEMONIC: &str = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const SEED: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const PROMETHEUS_PASSWORD: &str = "prom-s3cret-9f2c";
const PUSH_PASSWORD: &str = "push-s3cret-41ad";
const MQTT_PASSWORD: &str = "mqtt-s3cret-77be";

/// The log levels of every scan: as a setting, and through `RUST_LOG` (every crate's trace).
const LEVELS: &[(&str, Option<&str>)] = &[("debug", None), ("trace", None), ("info", Some("trace"))];

/// An ethereum section with every kind of secret, its node a closed loopback port.
fn ethereum_network(from: &str) -> String {
    format!(
        "caliper:\n  blockchain: ethereum\nethereum:\n  url: ws://127.0.0.1:{port}\n  contractDeployerAddressPrivateKey: \"{DEPLOYER_KEY}\"\n  {from}\n  timeout: 2\n  identities:\n    alice: {{ privateKey: \"{ALICE_KEY}\" }}\n    bob: {{ mnemonic: \"{MNEMONIC}\", index: 1, accounts: 2 }}\n",
        port = free_port()
    )
}

/// Fails when any of `secrets` is in the output or in a file the run wrote in the workspace
/// (the configuration files, which hold them, excepted).
fn assert_no_secret(ws: &Workspace, out: &Output, secrets: &[&str], what: &str) {
    let mut places = vec![
        ("stdout".to_string(), String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr".to_string(), String::from_utf8_lossy(&out.stderr).into_owned()),
    ];
    collect_files(ws.path(), &mut places);
    for (place, text) in &places {
        for secret in secrets {
            // Also without the 0x prefix, and the hex in upper case.
            let bare = secret.trim_start_matches("0x");
            let found = text.contains(bare) || text.contains(&bare.to_ascii_uppercase());
            assert!(!found, "{what}: a secret ({}...) is in {place}", &bare[..6]);
        }
    }
    note(&format!("{what}: {} bytes of log, {} places scanned", out.stderr.len(), places.len()));
}

fn collect_files(dir: &Path, into: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            collect_files(&path, into);
        } else if !["bench.yaml", "network.yaml", "caliper.yaml"].contains(&name.as_str()) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            into.push((path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
}

/// The manager at `level` (and `RUST_LOG`), with the prometheus passwords as settings.
fn run_at(
    ws: &Workspace,
    args: &[&str],
    level: &str,
    rust_log: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd: Command = ws.manager(args);
    cmd.args(["--caliper-logging-level", level])
        .args([
            "--caliper-auth-prometheus-username",
            "u",
            "--caliper-auth-prometheus-password",
            PROMETHEUS_PASSWORD,
        ])
        .env("CALIPER_AUTH_PROMETHEUSPUSH_PASSWORD", PUSH_PASSWORD)
        .envs(env.iter().copied());
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    // Into files, not pipes: a trace log fills a pipe that nobody reads until the end.
    let logs = tempfile::tempdir().unwrap();
    let (stdout, stderr) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let child = cmd
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut out = wait_output(child, Duration::from_secs(60));
    out.stdout = std::fs::read(&stdout).unwrap();
    out.stderr = std::fs::read(&stderr).unwrap();
    out
}

#[test]
fn ethereum_keys_a_mnemonic_a_seed_and_prometheus_passwords_never_appear() {
    let secrets = [DEPLOYER_KEY, FROM_KEY, ALICE_KEY, MNEMONIC, SEED, PROMETHEUS_PASSWORD, PUSH_PASSWORD];
    let senders = [format!("fromAddressPrivateKey: \"{FROM_KEY}\""), format!("fromAddressSeed: \"{SEED}\"")];
    // Two workers: the check refuses the single-account keys (exit 2, its errors about them);
    // one worker: the connector reads every key, then fails to reach the node (exit 1).
    for (workers, exit, said) in [(2, 2, "nonces would collide"), (1, 1, "cannot connect")] {
        let bench = BENCH.replace("number: 2", &format!("number: {workers}"));
        for from in &senders {
            for (level, rust_log) in LEVELS {
                let ws = Workspace::new(&bench, &ethereum_network(from));
                let out = run_at(&ws, &[], level, *rust_log, &[]);
                assert_eq!(code(&out), exit, "{}", show(&out));
                assert!(String::from_utf8_lossy(&out.stderr).contains(said), "{}", show(&out));
                assert_eq!(ws.file("results.json").exists(), exit == 1, "results.json after a start only");
                let what = format!(
                    "ethereum ({}), {workers} worker(s), level {level}, RUST_LOG {rust_log:?}",
                    &from[..14]
                );
                assert_no_secret(&ws, &out, &secrets, &what);
            }
        }
    }
}

const PUSH_URL_PASSWORD: &str = "url-s3cret-0c5e";

#[test]
fn push_observer_passwords_in_its_url_and_settings_never_appear() {
    // A real Pushgateway when there is one (pushes that succeed), else a closed port (pushes
    // that fail, and say so in the log): the URL and its credentials are in messages either way.
    let gateway = caliper_testkit::prometheus::Pushgateway::find()
        .ok()
        .map(|bin| caliper_testkit::prometheus::Pushgateway::start(&bin));
    let port = gateway.as_ref().map_or_else(free_port, |g| g.port());
    let bench = format!(
        "{BENCH}monitors:\n  transaction:\n    - module: prometheus-push\n      options: {{ pushUrl: 'http://caliper:{PUSH_URL_PASSWORD}@127.0.0.1:{port}', pushInterval: 100 }}\n"
    );
    for (level, rust_log) in LEVELS {
        let ws = Workspace::new(&bench, &sim_network("latency: { fixed: 5 }"));
        let out = run_at(&ws, &[], level, *rust_log, &[]);
        assert_eq!(code(&out), 0, "{}", show(&out));
        let what = format!("prometheus-push, level {level}, RUST_LOG {rust_log:?}");
        assert_no_secret(&ws, &out, &[PUSH_URL_PASSWORD, PUSH_PASSWORD, PROMETHEUS_PASSWORD], &what);
        assert!(ws.results()["benchmark"].to_string().contains("caliper:<redacted>@127.0.0.1"), "{what}");
    }
}

#[test]
fn the_scan_finds_a_planted_secret() {
    // The scan itself is tested: a secret in stderr or in a file of the workspace is found.
    let ws = Workspace::new(BENCH, "");
    std::fs::write(ws.file("results.json"), "{}").unwrap();
    let out = Command::new("sh").args(["-c", &format!("echo {}>&2", &SEED[2..])]).output().unwrap();
    let found = std::panic::catch_unwind(|| assert_no_secret(&ws, &out, &[SEED], "planted in stderr"));
    assert!(found.is_err(), "the key in stderr was found");
    std::fs::write(ws.file("report.html"), MNEMONIC).unwrap();
    let out = Command::new("true").output().unwrap();
    let found = std::panic::catch_unwind(|| assert_no_secret(&ws, &out, &[MNEMONIC], "planted in a file"));
    assert!(found.is_err(), "the mnemonic in a file was found");
}

#[test]
fn the_mqtt_password_and_tls_key_never_appear() {
    let broker = Broker::start(|dir| {
        certificates(dir);
        let file = dir.join("passwd");
        let status = Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(&file)
            .args(["caliper", MQTT_PASSWORD])
            .status()
            .expect("mosquitto_passwd runs");
        assert!(status.success());
        let p = |f: &str| dir.join(f).display().to_string();
        format!(
            "allow_anonymous false\npassword_file {}\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\n",
            file.display(),
            p("ca.pem"),
            p("server.pem"),
            p("server.key")
        )
    });
    let file = |f: &str| broker.dir.path().join(f).display().to_string();
    let key = std::fs::read_to_string(file("client.key")).unwrap();
    // The key's base64 lines (not its armour, which every key file shares).
    let key_lines: Vec<&str> = key.lines().filter(|l| !l.starts_with("-----") && l.len() > 16).collect();
    assert!(!key_lines.is_empty());
    let mut secrets = vec![MQTT_PASSWORD, PROMETHEUS_PASSWORD, PUSH_PASSWORD];
    secrets.extend(key_lines);
    let address = format!("mqtts://127.0.0.1:{}", broker.port);
    let (ca, cert, client_key) = (file("ca.pem"), file("client.pem"), file("client.key"));
    let args = broker::mqtt(
        &address,
        &[
            "--caliper-worker-communication-mqtt-username",
            "caliper",
            "--caliper-worker-communication-mqtt-tls-ca",
            &ca,
            "--caliper-worker-communication-mqtt-tls-cert",
            &cert,
            "--caliper-worker-communication-mqtt-tls-key",
            &client_key,
        ],
    );
    for (level, rust_log) in LEVELS {
        let ws = Workspace::new(BENCH, &sim_network("latency: { fixed: 1 }"));
        // The password from the environment, as docs/distributed.md advises; the local workers
        // inherit it.
        let env = [("CALIPER_WORKER_COMMUNICATION_MQTT_PASSWORD", MQTT_PASSWORD)];
        let out = run_at(&ws, &broker::strs(&args), level, *rust_log, &env);
        assert_eq!(code(&out), 0, "{}", show(&out));
        assert_accounted(&ws.results());
        assert_no_secret(&ws, &out, &secrets, &format!("mqtt, level {level}, RUST_LOG {rust_log:?}"));
    }
}

/// anvil's well-known first account: it deploys the contract.
const ANVIL_DEPLOYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// anvil's test mnemonic, and the key of its account 2, which the `bob` identity signs with.
const ANVIL_MNEMONIC: &str = "test test test test test test test test test test test junk";
const ANVIL_KEY_2: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/// Opens accounts, signed in turn by the default sender and by the `bob` identity.
const OPEN: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Open extends WorkloadModuleBase {
    async submitTransaction() {
        this.n = (this.n || 0) + 1;
        const request = { contract: 'simple', verb: 'open', args: ['w' + this.workerIndex + '-' + this.n, 100] };
        if (this.n % 2 === 0) request.identity = 'bob';
        const status = await this.sutAdapter.sendRequests(request);
        if (status.GetStatus() !== 'success') throw new Error('open failed: ' + status.GetErrMsg());
    }
}
module.exports.createWorkloadModule = () => new Open();
"#;

#[test]
fn keys_that_sign_a_real_run_on_anvil_never_appear() {
    let anvil = Anvil::start();
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ethereum/contracts/ledger.json");
    let network = format!(
        "caliper:\n  blockchain: ethereum\nethereum:\n  url: {}\n  contractDeployerAddressPrivateKey: \"{ANVIL_DEPLOYER_KEY}\"\n  fromAddressPrivateKey: \"{ALICE_KEY}\"\n  identities:\n    bob: {{ mnemonic: \"{ANVIL_MNEMONIC}\", index: 2 }}\n  transactionConfirmationBlocks: 1\n  timeout: 30\n  contracts:\n    simple: {{ path: {}, gas: {{ open: 150000 }} }}\n",
        anvil.ws_url(),
        ledger.canonicalize().unwrap().display()
    );
    // One worker: a single `fromAddressPrivateKey` account cannot serve two (nonces collide).
    let bench = BENCH.replace("sim-mix", "open.js").replace("number: 2", "number: 1");
    let secrets =
        [ANVIL_DEPLOYER_KEY, ALICE_KEY, ANVIL_MNEMONIC, ANVIL_KEY_2, PROMETHEUS_PASSWORD, PUSH_PASSWORD];
    for (level, rust_log) in &LEVELS[1..] {
        let ws = Workspace::new(&bench, &network);
        std::fs::write(ws.file("open.js"), OPEN).unwrap();
        let out = run_at(&ws, &[], level, *rust_log, &[]);
        assert_eq!(code(&out), 0, "{}", show(&out));
        assert_eq!(rounds(&ws.results())[0]["succ"], 40, "every transaction was signed and mined");
        std::fs::remove_file(ws.file("open.js")).unwrap();
        assert_no_secret(&ws, &out, &secrets, &format!("anvil, level {level}, RUST_LOG {rust_log:?}"));
    }
}
