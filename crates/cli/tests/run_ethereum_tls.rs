//! End-to-end on Ethereum over TLS: the `caliper` binary runs the example's open and query
//! workload modules (2 worker processes) against a real anvil behind a TLS-terminating proxy on
//! loopback, over `wss://` and over `https://`, trusting the test's own CA through
//! `SSL_CERT_FILE` as any rustls or OpenSSL program does. Without that CA the run fails at once,
//! naming the node's url and the certificate problem.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use caliper_testkit::anvil::{Anvil, KEY_0, MNEMONIC};
use caliper_testkit::certs;
use caliper_testkit::tls_proxy::TlsProxy;
use common::*;
use serde_json::{Value, json};

/// Accounts the open round opens (half per worker), and the transactions of each round.
const ACCOUNTS: u64 = 20;

/// anvil behind a proxy whose certificate the test's CA (`ca.pem`) signed; `other.pem` is a
/// second CA that signed nothing here.
struct Setup {
    proxy: TlsProxy,
    certs: tempfile::TempDir,
    _anvil: Anvil,
}

impl Setup {
    fn new() -> Setup {
        let anvil = Anvil::start();
        let dir = tempfile::tempdir().unwrap();
        certs::ca(dir.path(), "ca", "caliper test CA");
        certs::signed(dir.path(), "ca", "server", certs::SERVER_EXT);
        certs::ca(dir.path(), "other", "some other CA");
        let proxy =
            TlsProxy::start(&dir.path().join("server.pem"), &dir.path().join("server.key"), anvil.port());
        Setup { proxy, certs: dir, _anvil: anvil }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.certs.path().join(name)
    }
}

/// The example's ledger contract, deployed by anvil's first account; the workers send from
/// accounts of anvil's mnemonic, over the node `url`.
fn network(url: &str) -> Value {
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ethereum/contracts/ledger.json");
    json!({
        "caliper": {"blockchain": "ethereum"},
        "ethereum": {
            "url": url,
            "contractDeployerAddressPrivateKey": KEY_0,
            "identities": {"user": {"mnemonic": MNEMONIC, "index": 1}},
            "timeout": 15,
            "contracts": {"simple": {
                "path": ledger.canonicalize().unwrap(),
                "gas": {"open": 150000, "transfer": 100000}
            }}
        }
    })
}

/// Two rounds of the example's modules: open `ACCOUNTS` accounts, then query them as often.
fn bench() -> Value {
    let args = json!({"initialMoney": 10000, "moneyToTransfer": 100, "numberOfAccounts": ACCOUNTS});
    let round = |label: &str, tps: u64| {
        json!({
            "label": label,
            "txNumber": ACCOUNTS,
            "rateControl": {"type": "fixed-rate", "opts": {"tps": tps}},
            "workload": {"module": format!("benchmarks/{label}.js"), "arguments": args}
        })
    };
    json!({"test": {"name": "ethereum-tls", "workers": {"number": 2}, "rounds": [round("open", 40), round("query", 40)]}})
}

/// Runs the benchmark against `url` with `SSL_CERT_FILE=<ca_file>` in the manager's (and so
/// its workers') environment; returns the workspace (for its results), the output and the time.
fn run(url: &str, ca_file: &Path, limit: Duration) -> (Workspace, Output, Duration) {
    let ws = Workspace::new(&bench().to_string(), &network(url).to_string());
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ethereum-simple/benchmarks");
    let copied = std::process::Command::new("cp").arg("-R").arg(&example).arg(ws.path()).status().unwrap();
    assert!(copied.success(), "cp -R {}", example.display());
    let started = Instant::now();
    let child = ws
        .manager(&[])
        .env("SSL_CERT_FILE", ca_file)
        .env_remove("SSL_CERT_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caliper runs");
    let out = wait_output(child, limit);
    let took = started.elapsed();
    (ws, out, took)
}

fn assert_rounds_pass(ws: &Workspace, out: &Output) {
    assert_eq!(code(out), 0, "{}", show(out));
    let results = ws.results();
    assert_eq!(results["run"]["passed"], json!(true));
    let rounds = rounds(&results);
    assert_eq!(rounds.len(), 2);
    for r in rounds {
        assert_eq!(r["status"], json!("passed"), "{r}");
        assert_eq!((&r["succ"], &r["fail"]), (&json!(ACCOUNTS), &json!(0)), "{r}");
    }
}

#[test]
fn a_wss_node_runs_with_the_test_ca_in_ssl_cert_file() {
    let setup = Setup::new();
    let (ws, out, took) = run(&setup.proxy.wss_url(), &setup.file("ca.pem"), Duration::from_secs(35));
    eprintln!("the wss:// run took {took:?}");
    assert_rounds_pass(&ws, &out);
}

#[test]
fn an_https_node_runs_with_the_test_ca_in_ssl_cert_file() {
    let setup = Setup::new();
    let (ws, out, took) = run(&setup.proxy.https_url(), &setup.file("ca.pem"), Duration::from_secs(35));
    eprintln!("the https:// run took {took:?}");
    assert_rounds_pass(&ws, &out);
}

#[test]
fn a_certificate_that_does_not_verify_fails_the_run_at_once_naming_the_url_and_the_reason() {
    let setup = Setup::new();
    for url in [setup.proxy.wss_url(), setup.proxy.https_url()] {
        // Another CA in SSL_CERT_FILE: the proxy's certificate has an unknown issuer.
        let (_ws, out, took) = run(&url, &setup.file("other.pem"), Duration::from_secs(20));
        eprintln!("{url} with another CA failed in {took:?}");
        assert_eq!(code(&out), 1, "{}", show(&out));
        assert!(took < Duration::from_secs(10), "at once, not at a deadline: {took:?}\n{}", show(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        eprintln!("{err}");
        assert!(err.contains(&url), "the url: {}", show(&out));
        assert!(
            err.contains("UnknownIssuer") && err.contains("not signed by a trusted root"),
            "{}",
            show(&out)
        );
        assert!(err.contains("SSL_CERT_FILE"), "where the roots came from: {}", show(&out));
        assert!(!err.contains("panicked"), "{}", show(&out));
    }
    // The client refused the handshake with an alert: the proxy saw it.
    assert!(!setup.proxy.handshake_errors().is_empty());

    // An SSL_CERT_FILE with no certificate in it: no roots at all.
    std::fs::write(setup.file("empty.pem"), "").unwrap();
    let url = setup.proxy.wss_url();
    let (_ws, out, _) = run(&url, &setup.file("empty.pem"), Duration::from_secs(20));
    assert_eq!(code(&out), 1, "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("{err}");
    assert!(err.contains(&url) && err.contains("no trusted root certificates"), "{}", show(&out));
}
