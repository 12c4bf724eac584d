//! End-to-end on Ethereum: the `caliper` binary runs the example workspace
//! `examples/ethereum-simple` (its JavaScript workload modules, its network configuration) with 2
//! worker processes against a real anvil that the test starts on a free loopback port; then the
//! chain itself is checked. And anvil killed in the middle of a write round: the run ends, the
//! results say what happened.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alloy::primitives::Address;
use caliper_core::TxStatus;
use caliper_core::config::{BenchmarkConfig, NetworkConfig};
use caliper_core::connector::{ConnectorFactory, ConnectorInit, NullSink, TxState};
use caliper_core::settings::Settings;
use caliper_ethereum::EthereumFactory;
use caliper_testkit::anvil::{ADDRESS_0, Anvil};
use caliper_testkit::example::account;
use common::*;
use serde_json::{Value, json};

/// The example workspace, read only: the test runs a copy.
fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ethereum-simple")
}

/// The example's network configuration (read as the manager reads it), pointed at `anvil`, with
/// the contract's artifact as an absolute path and no start/end commands (the test owns anvil);
/// `timeout` (seconds) replaces the per-transaction timeout when given.
fn network(anvil: &Anvil, timeout: Option<u64>) -> Value {
    let path = example().join("networks/anvil.yaml");
    let mut raw = NetworkConfig::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).raw;
    assert_eq!(raw["caliper"]["blockchain"], json!("ethereum"));
    raw["caliper"].as_object_mut().unwrap().remove("command").expect("the example has start/end commands");
    raw["ethereum"]["url"] = json!(anvil.ws_url());
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ethereum/contracts/ledger.json");
    let ledger = ledger.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", ledger.display()));
    raw["ethereum"]["contracts"]["simple"]["path"] = json!(ledger);
    if let Some(seconds) = timeout {
        raw["ethereum"]["timeout"] = json!(seconds);
    }
    raw
}

/// The example's benchmark configuration as JSON (anchors and merge keys resolved).
fn example_bench() -> Value {
    let path = example().join("benchmarks/config.yaml");
    BenchmarkConfig::load_in(&path, &example()).unwrap_or_else(|e| panic!("{}: {e}", path.display())).raw
}

/// A workspace with a copy of the example's workload modules (`benchmarks/`), `bench` and
/// `network`; its caliper.yaml names the last two.
fn workspace(bench: &Value, network: &Value) -> Workspace {
    let ws = Workspace::new(&bench.to_string(), &network.to_string());
    copy_dir(&example().join("benchmarks"), &ws.file("benchmarks"));
    ws
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The ledger as a reader sees it: a connector on `network` with the contract that the run
/// deployed (the deployer's first transaction, as its nonce shows), its `query` of each name.
fn balances(anvil: &Anvil, mut network: Value, names: &[String]) -> Vec<i64> {
    let nonce = anvil.rpc("eth_getTransactionCount", json!([ADDRESS_0, "latest"])).expect("deployer nonce");
    assert_eq!(nonce, json!("0x1"), "the deployer sent one transaction: the ledger's deployment");
    let address = ADDRESS_0.parse::<Address>().unwrap().create(0);
    let code = anvil.rpc("eth_getCode", json!([address.to_string(), "latest"])).expect("code");
    assert!(code.as_str().is_some_and(|c| c.len() > 2), "a contract at {address}: {code}");
    network["ethereum"]["contracts"]["simple"]["address"] = json!(address.to_string());

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let connector = |worker_index: i64| {
            EthereumFactory.create(ConnectorInit {
                worker_index,
                network: std::sync::Arc::new(NetworkConfig { raw: network.clone(), ..Default::default() }),
                settings: std::sync::Arc::new(Settings::default()),
                sink: std::sync::Arc::new(NullSink),
            })
        };
        let manager = connector(-1).await.expect("manager connector");
        manager.init(false).await.expect("init");
        let args = manager.prepare_worker_arguments(1).await.expect("worker arguments");
        let reader = connector(0).await.expect("reader connector");
        reader.get_context(0, &args[0]).await.expect("context");
        let queries = names
            .iter()
            .map(|name| json!({"contract": "simple", "verb": "query", "args": [name], "readOnly": true}))
            .collect();
        let statuses: Vec<TxStatus> =
            tokio::time::timeout(Duration::from_secs(30), reader.send_requests(Value::Array(queries)))
                .await
                .expect("the queries answer");
        reader.release_context().await.expect("release");
        statuses
            .iter()
            .map(|s| {
                assert_eq!(s.status, TxState::Success, "{s:?}");
                s.result.as_ref().and_then(Value::as_i64).unwrap_or_else(|| panic!("an integer: {s:?}"))
            })
            .collect()
    })
}

const WORKERS: usize = 2;

#[test]
fn the_example_runs_through_the_binary_with_two_workers_and_the_ledger_adds_up() {
    let anvil = Anvil::start();
    let network = network(&anvil, None);

    // The example's benchmark as it is: three rounds (open, query, transfer), two workers.
    let bench = example_bench();
    assert_eq!(bench["test"]["workers"]["number"], json!(WORKERS));
    let configured = bench["test"]["rounds"].as_array().unwrap();
    let labels: Vec<&str> = configured.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["open", "query", "transfer"]);
    let arguments = &configured[0]["workload"]["arguments"];
    let accounts = arguments["numberOfAccounts"].as_u64().expect("numberOfAccounts");
    let initial = arguments["initialMoney"].as_i64().expect("initialMoney");
    // open opens one account per transaction: as many as query and transfer pick from.
    assert_eq!(configured[0]["txNumber"], json!(accounts));
    let ws = workspace(&bench, &network);

    let started = Instant::now();
    let out = ws.run(&[], Duration::from_secs(50));
    assert_eq!(code(&out), 0, "{}", show(&out));
    eprintln!("the run took {:?}", started.elapsed());

    let results = ws.results();
    assert_eq!(results["run"]["passed"], json!(true));
    assert_eq!(results["run"]["blockchain"], json!("ethereum"));
    assert_eq!(results["run"]["workers"], json!(WORKERS));
    assert_eq!(rounds(&results).len(), configured.len());
    for (r, config) in rounds(&results).iter().zip(configured) {
        let tx = &config["txNumber"];
        assert_eq!(r["label"], config["label"]);
        assert_eq!(r["status"], json!("passed"), "{r}");
        assert_eq!((&r["submitted"], &r["succ"], &r["fail"]), (tx, tx, &json!(0)), "{r}");
        assert_eq!(r["failures"], json!({}));
    }

    // The chain: every account that open opened exists (its balance is above 0: an account never
    // opened reads 0, and 100 transfers of 100 cannot drain an account of 10,000), and the
    // transfers neither made nor lost money. Each worker opened accounts of its own.
    let per_worker = accounts as usize / WORKERS;
    let opened: BTreeSet<String> =
        (0..WORKERS).flat_map(|w| (1..=per_worker).map(move |i| account(w, i))).collect();
    assert_eq!(opened.len(), accounts as usize, "the workers' account names are distinct");
    let never = account(0, per_worker + 1);
    assert!(!opened.contains(&never));
    let names: Vec<String> = opened.iter().cloned().chain([never]).collect();
    let balances = balances(&anvil, network, &names);
    let (of_opened, of_never) = balances.split_at(opened.len());
    for (name, balance) in opened.iter().zip(of_opened) {
        assert!(*balance > 0, "account {name} was opened: {balance}");
    }
    assert_eq!(of_opened.iter().sum::<i64>(), opened.len() as i64 * initial, "{balances:?}");
    assert_eq!(of_never, [0], "an account never opened reads 0");
}

/// A manager run whose log (stderr) is read line by line while it runs.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Running {
    fn start(ws: &Workspace, args: &[&str]) -> Running {
        let mut child =
            ws.manager(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("caliper runs");
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        let (tx, lines) = mpsc::channel();
        let err = BufReader::new(child.stderr.take().unwrap());
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            for line in err.lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
                let _ = tx.send(line);
            }
            text
        });
        Running { child, lines, stdout, stderr }
    }

    /// Waits (at most `limit`) for a log line for which `found` gives a value.
    fn wait_line<T>(mut self, limit: Duration, found: impl Fn(&str) -> Option<T>) -> (Running, T) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(value) = found(&line) {
                        return (self, value);
                    }
                }
                Err(e) => {
                    let _ = self.child.kill();
                    let out = self.finish(Duration::from_secs(10));
                    panic!("no such log line within {limit:?} ({e}):\n{}", show(&out));
                }
            }
        }
    }

    /// Waits for the manager to end (killing it and failing after `limit`), with its output.
    fn finish(mut self, limit: Duration) -> Output {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                let status = self.child.wait().expect("wait");
                let out = Output {
                    status,
                    stdout: self.stdout.join().unwrap().into_bytes(),
                    stderr: self.stderr.join().unwrap().into_bytes(),
                };
                panic!("caliper did not finish within {limit:?}\n{}", show(&out));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Output {
            status,
            stdout: self.stdout.join().unwrap().into_bytes(),
            stderr: self.stderr.join().unwrap().into_bytes(),
        }
    }
}

/// `Succ` of a progress line of round `index` (`[open Round 0 Transaction Info] - Submitted: 120
/// Succ: 80 Fail: 0 Unfinished: 40 ...`).
fn progress_succ(line: &str, index: usize) -> Option<u64> {
    let (_, rest) = line.split_once(&format!(" Round {index} Transaction Info] - "))?;
    let (_, rest) = rest.split_once("Succ: ")?;
    rest.split_whitespace().next()?.parse().ok()
}

const ROUND_SECONDS: u64 = 10;
const TX_TIMEOUT_S: u64 = 5;

/// What a run whose anvil was killed in the middle of a write round left.
struct Killed {
    /// From the kill to the end of the manager.
    ended: Duration,
    /// Successful transactions in the last progress line before the kill.
    succ_before: u64,
    out: Output,
    results: Value,
}

/// The example's open round (its module and arguments) for 10 s at 40 tx/s (20 per worker),
/// over `url` (anvil's `ws_url` or `http_url`) with a 5 s transaction `timeout`; anvil is killed
/// (SIGKILL) once a progress line shows at least 40 confirmed transactions. With `then_query`,
/// the example's query round follows.
fn kill_anvil_mid_round(url: fn(&Anvil) -> String, then_query: bool) -> Killed {
    let mut anvil = Anvil::start();
    let mut network = network(&anvil, Some(TX_TIMEOUT_S));
    network["ethereum"]["url"] = json!(url(&anvil));
    let example = example_bench();
    let mut open = example["test"]["rounds"][0].clone();
    assert_eq!(open["label"], json!("open"));
    open.as_object_mut().unwrap().remove("txNumber");
    open["txDuration"] = json!(ROUND_SECONDS);
    open["rateControl"] = json!({"type": "fixed-rate", "opts": {"tps": 40}});
    let mut plan = vec![open];
    if then_query {
        plan.push(example["test"]["rounds"][1].clone());
    }
    let bench = json!({"test": {"name": "anvil-killed", "workers": {"number": WORKERS}, "rounds": plan}});
    let ws = workspace(&bench, &network);

    let run = Running::start(&ws, &[]);
    let (run, succ_before) =
        run.wait_line(Duration::from_secs(40), |line| progress_succ(line, 0).filter(|s| *s >= 40));
    anvil.kill();
    let killed = Instant::now();
    let out = run.finish(Duration::from_secs(45));
    let ended = killed.elapsed();
    let results = ws.results();
    let round = &rounds(&results)[0];
    eprintln!(
        "the run ended {ended:?} after anvil was killed, exit {:?}; open: {} submitted, {} succ, {} failed: {}",
        out.status.code(),
        round["submitted"],
        round["succ"],
        round["fail"],
        round["failures"]
    );
    Killed { ended, succ_before, out, results }
}

/// What holds over either transport: the round ran to its end in every worker, so it passed,
/// with failed transactions (a failed transaction does not fail a round, as in Caliper);
/// every transaction is accounted for, the successes before the kill are counted, and the
/// failures are classed `timeout` or `connection`. The run ended by the transactions' own
/// `timeout`: the rest of the round, the 5 s (and 5 s more for a round after it), and the
/// report, well before the default 30 s drain deadline would have ended the round.
fn assert_killed_round(killed: &Killed) -> &Value {
    assert_accounted(&killed.results);
    // A round after the kill fails by the same timeout.
    let rounds_run = rounds(&killed.results).len() as u64;
    let bound = Duration::from_secs(ROUND_SECONDS + TX_TIMEOUT_S * rounds_run + 10);
    assert!(
        killed.ended < bound,
        "ended {:?} after the kill (bound {bound:?})\n{}",
        killed.ended,
        show(&killed.out)
    );
    let round = &rounds(&killed.results)[0];
    assert_eq!(round["status"], json!("passed"), "{round}");
    let succ = round["succ"].as_u64().unwrap();
    assert!(succ >= killed.succ_before, "the successes before the kill are counted: {round}");
    let fail = round["fail"].as_u64().unwrap();
    assert!(fail > 0, "{round}");
    let failures = round["failures"].as_object().unwrap();
    assert!(failures.keys().all(|class| class == "timeout" || class == "connection"), "{round}");
    assert_eq!(failures.values().map(|n| n.as_u64().unwrap()).sum::<u64>(), fail, "{round}");
    round
}

#[test]
fn anvil_killed_mid_round_over_http_fails_the_rest_as_connection_and_timeout() {
    let killed = kill_anvil_mid_round(Anvil::http_url, false);
    let round = assert_killed_round(&killed);
    // Exit code 0: the only round ran to its end (docs/running.md).
    assert_eq!(code(&killed.out), 0, "{}", show(&killed.out));
    assert_eq!(killed.results["run"]["passed"], json!(true));
    // Sends after the kill are refused at once: class `connection`.
    assert!(round["failures"]["connection"].as_u64().is_some_and(|n| n > 0), "{round}");
}

#[test]
fn anvil_killed_mid_round_over_ws_fails_the_rest_by_the_timeout_and_the_next_round_fails_fast() {
    // Over ws:// (the example's transport) alloy holds requests to a node that went away while
    // it reconnects; every call of the connector is bounded by `ethereum.timeout` all the same.
    let killed = kill_anvil_mid_round(Anvil::ws_url, true);
    assert_killed_round(&killed);
    // The query round cannot be prepared without the node: it fails (exit code 3, a round
    // failed) by the same timeout, not at the manager's prepare deadline of minutes.
    assert_eq!(code(&killed.out), 3, "{}", show(&killed.out));
    let query = &rounds(&killed.results)[1];
    assert_eq!(query["status"], json!("failed"), "{query}");
    assert!(query.to_string().contains("ethereum.timeout"), "the error names the setting: {query}");
}
