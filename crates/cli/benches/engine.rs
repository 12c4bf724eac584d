//! The engine's benchmark: `cargo bench -p caliper-cli --bench engine`.
//!
//! It runs the real `caliper` binary (release profile) against the zero-latency `sim`
//! connector and reads the figures from the results file it writes, so what is measured is
//! what a user runs. Figures are medians of `BENCH_REPEAT` runs (default 1; the machines are
//! shared and noisy). `BENCH_QUICK=1` shortens every scenario for a smoke run.
//!
//! Scenarios: the generator's ceiling on one core; rate accuracy at 1k/10k/100k tx/s with 1 and
//! 2 workers; worker memory after 1 M and 10 M transactions; the fixed overhead per round;
//! memory per transaction in flight at 100,000 tx/s against a SUT that answers after 30 s
//! (`BENCH_ONLY=inflight` runs only this, `BENCH_INFLIGHT_SECS` sets the round's length,
//! default 10); a JavaScript workload module against the Rust one, 1 worker (`BENCH_ONLY=js`
//! runs only this); the generator's ceiling with transaction observers against without
//! (`BENCH_ONLY=observers`); the cost of the `export` observer (every transaction to a file:
//! CSV, zstd-compressed CSV, gzip-compressed JSON lines) against the same run without it
//! (`BENCH_ONLY=export`); a Caliper JavaScript connector that answers at once in the
//! Node.js sidecar, per worker, against the in-process `sim` ceiling (`BENCH_ONLY=node`; it
//! needs caliper-core 0.6.0: `CALIPER_NODE_CORE`, else scripts/install-caliper-core.sh); an
//! external connector program that answers at once against the in-process `sim`, 1 worker each
//! (`BENCH_ONLY=external`; it builds `caliper-connector-null`).
//!
//! The MQTT messenger against the process messenger (4 workers, zero-latency sim, the same
//! run; `BENCH_ONLY=mqtt` runs only this) starts its own mosquitto on a free loopback port.
#![allow(clippy::print_stdout, missing_docs)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1")
}

fn repeat() -> usize {
    std::env::var("BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}

/// The zero-latency SUT of most scenarios.
const ZERO_LATENCY: &str = "latency: { fixed: 0 }";

/// Runs one benchmark config against `sim: { <sim> }` at logging level `log` with `extra`
/// settings; returns the results file, the wall time in seconds and the manager's log.
fn launch(
    dir: &Path,
    workers: usize,
    rounds: &str,
    sim: &str,
    log: &str,
    extra: &[String],
) -> (Value, f64, String) {
    let network = format!("caliper:\n  blockchain: sim\nsim: {{ {sim} }}\n");
    launch_on(dir, workers, rounds, &network, log, extra)
}

/// [`launch`] with the network configuration `network` (YAML).
fn launch_on(
    dir: &Path,
    workers: usize,
    rounds: &str,
    network: &str,
    log: &str,
    extra: &[String],
) -> (Value, f64, String) {
    let bench = format!("test:\n  name: bench\n  workers: {{ number: {workers} }}\n  rounds:\n{rounds}");
    std::fs::write(dir.join("bench.yaml"), bench).unwrap();
    std::fs::write(dir.join("network.yaml"), network).unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "manager", "--caliper-workspace"])
        .arg(dir)
        .args([
            "--caliper-benchconfig",
            "bench.yaml",
            "--caliper-networkconfig",
            "network.yaml",
            "--caliper-progress-reporting-enabled",
            "false",
            "--caliper-logging-level",
            log,
        ])
        .args(extra)
        .output()
        .expect("caliper runs");
    let wall = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "caliper failed: {log}");
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), wall, log)
}

/// Runs one benchmark config against the zero-latency SUT; returns the results file and the
/// wall time in seconds.
fn run(dir: &Path, workers: usize, rounds: &str) -> (Value, f64) {
    let (res, wall, _) = launch(dir, workers, rounds, ZERO_LATENCY, "warn", &[]);
    (res, wall)
}

fn round(kind: &str, size: &str, tps: u64) -> String {
    format!(
        "    - label: {kind}\n      {size}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix, arguments: {{ mix: {{ read: 1 }} }} }}\n"
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn f(r: &Value, path: &[&str]) -> f64 {
    path.iter().fold(r, |v, k| &v[*k]).as_f64().unwrap_or(f64::NAN)
}

fn worker_sum(r: &Value, path: &[&str]) -> f64 {
    r["workers"].as_array().map(|ws| ws.iter().map(|w| f(w, path)).sum()).unwrap_or(f64::NAN)
}

fn worker_max(r: &Value, path: &[&str]) -> f64 {
    r["workers"].as_array().map(|ws| ws.iter().map(|w| f(w, path)).fold(0.0, f64::max)).unwrap_or(f64::NAN)
}

/// The JavaScript workload of the comparison: builds a request object and awaits
/// `sendRequests`, as a Caliper workload does, with distinct keys per worker.
const JS_WORKLOAD: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Reads extends WorkloadModuleBase {
    constructor() { super(); this.txIndex = 0; }
    async submitTransaction() {
        this.txIndex++;
        const request = { op: 'read', key: 'w' + this.workerIndex + '-k' + (this.txIndex % 1000), readOnly: true };
        await this.sutAdapter.sendRequests(request);
    }
}
module.exports.createWorkloadModule = () => new Reads();
"#;

/// The JavaScript workload against `sim-mix` (reads), 1 worker, zero latency, as fast as
/// the worker goes, in the same run: tx/s of each and the ratio.
fn js_scenario(d: &Path, secs: u64) {
    println!("\n## JavaScript vs Rust workload, 1 worker, zero-latency sim, {secs} s each");
    std::fs::write(d.join("reads.js"), JS_WORKLOAD).unwrap();
    let js_round = format!(
        "    - label: js\n      txDuration: {secs}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 10000000 }} }}\n      workload: {{ module: reads.js }}\n"
    );
    let mut rust = Vec::new();
    let mut js = Vec::new();
    let mut js_cpu = Vec::new();
    for _ in 0..repeat() {
        let rounds = round("rust", &format!("txDuration: {secs}"), 10_000_000) + &js_round;
        let (res, _) = run(d, 1, &rounds);
        let rate = |r: &Value| f(r, &["succ"]) / f(r, &["durationS"]);
        rust.push(rate(&res["rounds"][0]));
        js.push(rate(&res["rounds"][1]));
        let r = &res["rounds"][1];
        js_cpu.push(worker_sum(r, &["usage", "cpuSeconds"]) * 1e6 / f(r, &["submitted"]));
    }
    let (rust, js) = (median(rust), median(js));
    println!("| workload | tx/s | worker CPU per tx (us) |");
    println!("|---|---:|---:|");
    println!("| Rust (sim-mix, reads) | {rust:.0} | |");
    println!("| JavaScript (reads.js) | {js:.0} | {:.2} |", median(js_cpu));
    println!("JavaScript / Rust: {:.3} (target: >= 100,000 tx/s with JavaScript)", js / rust);
}

/// A Caliper connector on caliper-core 0.6.0's `ConnectorBase` that answers every request at
/// once with a successful TxStatus.
const NULL_CONNECTOR: &str = r#"'use strict';
const { ConnectorBase, TxStatus } = require('@hyperledger/caliper-core');
class NullConnector extends ConnectorBase {
    constructor(workerIndex) { super(workerIndex, 'null'); }
    async init() {}
    async installSmartContract() {}
    async getContext() { return {}; }
    async releaseContext() {}
    async _sendSingleRequest() { const status = new TxStatus(); status.SetStatusSuccess(); return status; }
}
module.exports.ConnectorFactory = async (workerIndex) => new NullConnector(workerIndex);
"#;

/// The folder whose node_modules holds @hyperledger/caliper-core 0.6.0: `CALIPER_NODE_CORE`,
/// else what scripts/install-caliper-core.sh installs (once per target folder).
fn caliper_core() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("CALIPER_NODE_CORE").filter(|d| !d.is_empty()) {
        return dir.into();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/install-caliper-core.sh");
    let out = Command::new("bash").arg(script).output().expect("bash runs");
    assert!(out.status.success(), "install-caliper-core.sh: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().into()
}

/// A Caliper JavaScript connector that answers at once, in the Node.js sidecar: its JavaScript
/// workload module beside it (workload mode) and the Rust `sim-mix` workload sending through it
/// (send mode), 1 and 2 workers, against the in-process `sim` ceiling of the same run.
fn node_scenario(d: &Path, secs: u64) {
    println!(
        "\n## Node.js connector (caliper-core 0.6.0 ConnectorBase, answers at once) vs sim, {secs} s each"
    );
    let core = caliper_core();
    let modules = d.join("node_modules/@hyperledger");
    std::fs::create_dir_all(&modules).unwrap();
    let link = modules.join("caliper-core");
    if !link.exists() {
        std::os::unix::fs::symlink(core.join("node_modules/@hyperledger/caliper-core"), &link).unwrap();
    }
    std::fs::write(d.join("null-connector.js"), NULL_CONNECTOR).unwrap();
    std::fs::write(d.join("reads.js"), JS_WORKLOAD).unwrap();
    let node_network = "caliper:\n  blockchain: ./null-connector.js\n";
    let js_round = |secs: u64| {
        format!(
            "    - label: js\n      txDuration: {secs}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 10000000 }} }}\n      workload: {{ module: reads.js }}\n"
        )
    };
    let per_worker = |r: &Value, workers: usize| f(r, &["succ"]) / f(r, &["durationS"]) / workers as f64;
    let mut sim = Vec::new();
    let mut cases: Vec<(&str, usize, Vec<f64>)> = vec![
        ("workload mode (reads.js)", 1, vec![]),
        ("workload mode (reads.js)", 2, vec![]),
        ("send mode (sim-mix)", 1, vec![]),
    ];
    for _ in 0..repeat() {
        let (res, _) = run(d, 1, &round("sim", &format!("txDuration: {secs}"), 10_000_000));
        sim.push(per_worker(&res["rounds"][0], 1));
        for (name, workers, rates) in cases.iter_mut() {
            let rounds = if name.starts_with("send") {
                round("send", &format!("txDuration: {secs}"), 10_000_000)
            } else {
                js_round(secs)
            };
            let (res, _, _) = launch_on(d, *workers, &rounds, node_network, "warn", &[]);
            let r = &res["rounds"][0];
            assert_eq!(f(r, &["fail"]), 0.0, "{r}");
            rates.push(per_worker(r, *workers));
        }
    }
    let sim = median(sim);
    println!("| case | workers | tx/s per worker | / sim |");
    println!("|---|---:|---:|---:|");
    println!("| sim in process (sim-mix) | 1 | {sim:.0} | 1 |");
    for (name, workers, rates) in cases {
        let rate = median(rates);
        println!("| Node.js, {name} | {workers} | {rate:.0} | {:.3} |", rate / sim);
    }
    println!("(target: >= 100,000 tx/s per worker through Node.js)");
}

/// A mosquitto on a free loopback port for the MQTT scenario, killed when dropped.
struct Mosquitto {
    child: std::process::Child,
    port: u16,
}

impl Mosquitto {
    fn start(dir: &Path) -> Option<Mosquitto> {
        let bin = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
            .into_iter()
            .find(|p| Path::new(p).is_file())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(&conf, format!("listener {port} 127.0.0.1\nallow_anonymous true\nuser root\n"))
            .ok()?;
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let broker = Mosquitto { child, port };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed().as_secs() > 10 {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Some(broker)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one benchmark with extra settings and the manager's per-round message counts logged;
/// returns the results and those log lines.
fn run_logged(dir: &Path, workers: usize, rounds: &str, extra: &[String]) -> (Value, Vec<String>) {
    let (res, _, log) = launch(dir, workers, rounds, ZERO_LATENCY, "warn,caliper::messages=debug", extra);
    let lines = log.lines().filter(|l| l.contains("manager sent")).map(|l| l.to_string()).collect();
    (res, lines)
}

/// The numbers of a "manager sent N messages (B bytes), received ..., control ..." line.
fn traffic(line: &str) -> Vec<u64> {
    let counts = line.split_once("manager sent").map(|(_, rest)| rest).unwrap_or_default();
    counts.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect()
}

/// 4 workers as fast as they go on the zero-latency sim, over the process messenger and over
/// MQTT (local workers through mosquitto), alternately: aggregate tx/s, the ratio, and what
/// the manager's messenger carried per round.
fn mqtt_scenario(d: &Path, secs: u64) {
    println!("\n## MQTT messenger vs process messenger: 4 workers, zero-latency sim, {secs} s rounds");
    let Some(broker) = Mosquitto::start(d) else {
        println!("skipped: mosquitto is not installed (apt-get install mosquitto)");
        return;
    };
    let mqtt: Vec<String> = [
        "--caliper-worker-communication-method".to_string(),
        "mqtt".to_string(),
        "--caliper-worker-communication-address".to_string(),
        format!("mqtt://127.0.0.1:{}", broker.port),
    ]
    .into();
    let round = round("max", &format!("txDuration: {secs}"), 10_000_000);
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut lines: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for i in 0..repeat() {
        // Alternate the order so that neither messenger always runs on a warmer machine.
        for m in if i % 2 == 0 { [0, 1] } else { [1, 0] } {
            let extra: &[String] = if m == 0 { &[] } else { &mqtt };
            let (res, log) = run_logged(d, 4, &round, extra);
            let r = &res["rounds"][0];
            rates[m].push(f(r, &["succ"]) / f(r, &["durationS"]));
            lines[m].extend(log);
        }
    }
    let (process, over_mqtt) = (median(rates[0].clone()), median(rates[1].clone()));
    println!(
        "| messenger | tx/s (4 workers) | sent by manager: msgs / bytes | received: msgs / bytes | control: msgs / bytes |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (m, name, rate) in [(0, "process", process), (1, "mqtt", over_mqtt)] {
        let t = lines[m].first().map(|l| traffic(l)).unwrap_or_default();
        let g = |i: usize| t.get(i).copied().unwrap_or(0);
        println!("| {name} | {rate:.0} | {} / {} | {} / {} | {} / {} |", g(0), g(1), g(2), g(3), g(4), g(5));
    }
    println!("MQTT / process: {:.3} (target: >= 0.95)", over_mqtt / process);
}

/// What a worker holds per transaction in flight: `workload` (a round's `workload` value) at
/// `tps` for `secs` against a SUT that answers at once and one that answers after 30 s (every
/// transaction still open at the round's end); the difference in the worker's peak RSS over
/// the transactions held. Medians of `BENCH_REPEAT` runs.
struct Held {
    bytes_per_tx: f64,
    open: f64,
    base_mb: f64,
    slow_mb: f64,
    held_back: f64,
}

fn held_in_flight(d: &Path, workload: &str, tps: u64, secs: u64, extra: &[&str]) -> Held {
    let rounds = format!(
        "    - label: inflight\n      txDuration: {secs}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {workload}\n"
    );
    let mut args: Vec<String> = ["--caliper-worker-timeout-drain", "1000"].map(String::from).to_vec();
    args.extend(extra.iter().map(|a| a.to_string()));
    let mut runs = Vec::new();
    for _ in 0..repeat() {
        let (base, _, _) = launch(d, 1, &rounds, ZERO_LATENCY, "warn", &args);
        let (slow, _, _) = launch(d, 1, &rounds, "latency: { fixed: 30000 }", "warn", &args);
        let peak = |r: &Value| worker_max(&r["rounds"][0], &["usage", "peakRssBytes"]);
        let open = f(&slow["rounds"][0], &["failures", "timeout"]);
        runs.push(Held {
            bytes_per_tx: (peak(&slow) - peak(&base)) / open,
            open,
            base_mb: peak(&base) / 1e6,
            slow_mb: peak(&slow) / 1e6,
            held_back: f(&slow["rounds"][0], &["heldBack"]),
        });
    }
    runs.sort_by(|a, b| a.bytes_per_tx.total_cmp(&b.bytes_per_tx));
    runs.swap_remove(runs.len() / 2)
}

/// Memory per transaction in flight, for sim-mix (whose requests the worker sends itself) and
/// for a JavaScript module that awaits `sendRequests`; and the in-flight cap's effect.
fn inflight_scenario(d: &Path) {
    let secs: u64 = std::env::var("BENCH_INFLIGHT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { 2 } else { 10 });
    println!(
        "\n## Memory per transaction in flight: 1 worker, {secs} s rounds against a sim answering after 30 s vs at once"
    );
    println!(
        "| workload | tx/s | cap | in flight at the end | held back | peak RSS at once (MB) | after 30 s (MB) | bytes per tx in flight |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    std::fs::write(d.join("reads.js"), JS_WORKLOAD).unwrap();
    let writes = "{ module: sim-mix, arguments: { mix: { write: 1 } } }";
    for (name, workload, tps, cap) in [
        ("sim-mix writes", writes, 100_000, "0"),
        ("sim-mix writes", writes, 100_000, "100000"),
        ("JavaScript (awaits sendRequests)", "{ module: reads.js }", 20_000, "0"),
    ] {
        let h = held_in_flight(d, workload, tps, secs, &["--caliper-worker-max-in-flight", cap]);
        println!(
            "| {name} | {tps} | {cap} | {:.0} | {:.0} | {:.1} | {:.1} | {:.0} |",
            h.open, h.held_back, h.base_mb, h.slow_mb, h.bytes_per_tx
        );
    }
    println!("(target for the engine and sim: <= 200 bytes per transaction in flight)");
}

/// The cost of the transaction observers: the generator's ceiling (1 worker, zero-latency
/// sim) without observers, with the `prometheus` endpoint of each worker and of the manager
/// (nobody scraping), and pushing to a real Pushgateway every second; medians of
/// `BENCH_REPEAT` runs, interleaved.
fn observers_scenario(d: &Path, secs: u64) {
    println!("\n## Transaction observers: the generator's ceiling with and without them, 1 worker, {secs} s");
    let gateway = caliper_testkit::prometheus::Pushgateway::find()
        .map(|bin| caliper_testkit::prometheus::Pushgateway::start(&bin))
        .map_err(|why| println!("(no push case: {why})"))
        .ok();
    let base = round("ceiling", &format!("txDuration: {secs}"), 10_000_000);
    let port = caliper_testkit::net::free_port();
    let mut cases = vec![
        ("none", String::new()),
        (
            "prometheus (endpoint, not scraped)",
            format!(
                "monitors:\n  transaction:\n    - module: prometheus\n      options: {{ scrapePort: {port} }}\n"
            ),
        ),
    ];
    let manager_port = caliper_testkit::net::free_port();
    cases.push((
        "prometheus, endpoint: manager (not scraped)",
        format!("monitors:\n  transaction:\n    - module: prometheus\n      options: {{ endpoint: manager, scrapePort: {manager_port} }}\n"),
    ));
    if let Some(g) = &gateway {
        cases.push((
            "prometheus-push (every 1 s to a real Pushgateway)",
            format!("monitors:\n  transaction:\n    - module: prometheus-push\n      options: {{ pushUrl: '{}', pushInterval: 1000 }}\n", g.url()),
        ));
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..repeat() {
        for (i, (_, monitors)) in cases.iter().enumerate() {
            let (res, _) = run(d, 1, &format!("{base}{monitors}"));
            let r = &res["rounds"][0];
            rates[i].push(f(r, &["submitted"]) / f(r, &["durationS"]));
        }
    }
    let none = median(rates[0].clone());
    println!("| observers | tx/s | ratio to none |");
    println!("|---|---:|---:|");
    for ((name, _), rates) in cases.iter().zip(rates) {
        let rate = median(rates);
        println!("| {name} | {rate:.0} | {:.3} |", rate / none);
    }
    println!("(target: each >= 0.95)");
}

/// The cost of exporting every transaction: the generator's ceiling (1 worker, zero-latency
/// sim) without the `export` observer and with it in each format; medians of `BENCH_REPEAT`
/// runs, interleaved. The cost per transaction is 1/rate(with) − 1/rate(without).
fn export_scenario(d: &Path, secs: u64) {
    println!(
        "\n## Every transaction to a file: the generator's ceiling with and without `export`, 1 worker, {secs} s"
    );
    let base = round("ceiling", &format!("txDuration: {secs}"), 10_000_000);
    let export = |path: &str| {
        format!("monitors:\n  transaction:\n    - module: export\n      options: {{ path: '{path}' }}\n")
    };
    let cases = [
        ("none", String::new()),
        ("export tx.csv", export("tx.csv")),
        ("export tx.csv.zst", export("tx.csv.zst")),
        ("export tx.jsonl.gz", export("tx.jsonl.gz")),
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut sizes: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut waited: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..repeat() {
        for (i, (_, monitors)) in cases.iter().enumerate() {
            let (res, _) = run(d, 1, &format!("{base}{monitors}"));
            let r = &res["rounds"][0];
            rates[i].push(f(r, &["submitted"]) / f(r, &["durationS"]));
            cpu[i].push(worker_sum(r, &["usage", "cpuSeconds"]) * 1e6 / f(r, &["submitted"]));
            if let Some(file) = r["exported"].get(0) {
                waited[i].push(f(file, &["waitedS"]));
                assert_eq!(f(file, &["dropped"]), 0.0, "block loses nothing");
                assert_eq!(f(file, &["lines"]), f(r, &["succ"]) + f(r, &["fail"]), "a line per transaction");
                sizes[i].push(f(file, &["bytes"]) / f(file, &["lines"]));
                std::fs::remove_file(file["path"].as_str().unwrap()).unwrap();
            }
        }
    }
    let none = median(rates[0].clone());
    println!(
        "| observer | tx/s | ratio to none | cost per tx (us) | worker process CPU per tx (us) | waited (s) | bytes per line |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    // The median with `digits` decimals; empty when there is no figure.
    let cell = |v: &[f64], digits: usize| {
        if v.is_empty() { String::new() } else { format!("{:.*}", digits, median(v.to_vec())) }
    };
    for (i, (name, _)) in cases.iter().enumerate() {
        let rate = median(rates[i].clone());
        let cost = 1e6 / rate - 1e6 / none;
        let (cpu, wait, size) = (cell(&cpu[i], 2), cell(&waited[i], 3), cell(&sizes[i], 1));
        println!("| {name} | {rate:.0} | {:.3} | {cost:.3} | {cpu} | {wait} | {size} |", rate / none);
    }
}

/// `caliper-connector-null` (crates/external), built with this bench's profile next to the
/// `caliper` binary.
fn null_connector() -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "caliper-external", "--bin", "caliper-connector-null"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building caliper-connector-null failed");
    let bin = Path::new(env!("CARGO_BIN_EXE_caliper")).with_file_name("caliper-connector-null");
    assert!(bin.is_file(), "{} was not built", bin.display());
    bin
}

/// An external connector program that answers at once (`caliper-connector-null`, a separate
/// process speaking the caliper-connector protocol) against the in-process zero-latency `sim`,
/// 1 worker each, the Rust `sim-mix` reads workload, as fast as the worker goes, alternating in
/// the same run: tx/s of each (medians) and the ratio.
fn external_scenario(d: &Path, secs: u64) {
    println!("\n## External connector program vs in-process sim, 1 worker, {secs} s each");
    let null = null_connector();
    let network = format!("caliper:\n  blockchain: \"exec:{}\"\n", null.display());
    let round = round("ceiling", &format!("txDuration: {secs}"), 10_000_000);
    let rate = |r: &Value| f(r, &["succ"]) / f(r, &["durationS"]);
    let cpu = |r: &Value| worker_sum(r, &["usage", "cpuSeconds"]) * 1e6 / f(r, &["submitted"]);
    let (mut sim, mut external, mut external_cpu, mut sim_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeat().max(3) {
        let (res, _) = run(d, 1, &round);
        sim.push(rate(&res["rounds"][0]));
        sim_cpu.push(cpu(&res["rounds"][0]));
        let (res, _, _) = launch_on(d, 1, &round, &network, "warn", &[]);
        let r = &res["rounds"][0];
        assert_eq!(f(r, &["fail"]), 0.0, "the null connector failed transactions: {r}");
        external.push(rate(r));
        external_cpu.push(cpu(r));
    }
    let (sim, external) = (median(sim), median(external));
    println!("| connector | tx/s | worker CPU per tx (us) |");
    println!("|---|---:|---:|");
    println!("| sim (in process) | {sim:.0} | {:.2} |", median(sim_cpu));
    println!("| caliper-connector-null (external program) | {external:.0} | {:.2} |", median(external_cpu));
    println!("external / sim: {:.3} (target: >= 300,000 tx/s per worker)", external / sim);
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secs = if quick() { 2 } else { 10 };
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "mqtt") {
        mqtt_scenario(d, secs);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "js") {
        js_scenario(d, secs);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "inflight") {
        inflight_scenario(d);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "export") {
        export_scenario(d, secs);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "observers") {
        observers_scenario(d, secs);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "node") {
        node_scenario(d, secs);
        return;
    }
    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "external") {
        external_scenario(d, secs);
        return;
    }

    println!("## Generator ceiling: 1 worker, sim with zero latency, fixed-rate 10,000,000 tx/s, {secs} s");
    let mut rates = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..repeat() {
        let (res, _) = run(d, 1, &round("ceiling", &format!("txDuration: {secs}"), 10_000_000));
        let r = &res["rounds"][0];
        rates.push(f(r, &["submitted"]) / f(r, &["durationS"]));
        cpu.push(worker_sum(r, &["usage", "cpuSeconds"]) * 1e6 / f(r, &["submitted"]));
    }
    println!("achieved: {:.0} tx/s; worker CPU per transaction: {:.2} us", median(rates), median(cpu));

    println!("\n## Rate accuracy: fixed-rate for {secs} s");
    println!("| target tx/s | workers | send rate | ratio | lateness p99 (ms) | lateness max (ms) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for tps in [1_000u64, 10_000, 100_000] {
        for workers in [1usize, 2] {
            let mut got = Vec::new();
            let mut p99 = Vec::new();
            let mut max = Vec::new();
            for _ in 0..repeat() {
                let (res, _) = run(d, workers, &round("rate", &format!("txDuration: {secs}"), tps));
                let r = &res["rounds"][0];
                got.push(f(r, &["sendRate"]));
                p99.push(f(r, &["sendLateness", "p99"]) * 1e3);
                max.push(f(r, &["sendLateness", "max"]) * 1e3);
            }
            let got = median(got);
            println!(
                "| {tps} | {workers} | {got:.1} | {:.4} | {:.3} | {:.3} |",
                got / tps as f64,
                median(p99),
                median(max)
            );
        }
    }

    println!("\n## Memory: worker peak RSS after N transactions in one round (1 worker)");
    let sizes: &[u64] = if quick() { &[100_000, 1_000_000] } else { &[1_000_000, 10_000_000] };
    for n in sizes {
        let (res, _) = run(d, 1, &round("memory", &format!("txNumber: {n}"), 10_000_000));
        let r = &res["rounds"][0];
        println!(
            "{n} tx: peak RSS {:.1} MB, RSS at end {:.1} MB ({:.0} tx/s)",
            worker_max(r, &["usage", "peakRssBytes"]) / 1e6,
            worker_max(r, &["usage", "rssBytes"]) / 1e6,
            f(r, &["submitted"]) / f(r, &["durationS"])
        );
    }

    println!("\n## Fixed overhead: a 3-round run (1 s rounds, 2 workers) minus the rounds' own durations");
    let mut overhead = Vec::new();
    for _ in 0..repeat().max(3) {
        let rounds: String = (0..3).map(|_| round("r", "txDuration: 1", 100)).collect();
        let (res, wall) = run(d, 2, &rounds);
        let busy: f64 = res["rounds"].as_array().unwrap().iter().map(|r| f(r, &["durationS"])).sum();
        overhead.push(wall - busy);
    }
    let o = median(overhead);
    println!(
        "whole run: {o:.3} s of overhead, {:.3} s per round (process start-up and worker join included)",
        o / 3.0
    );

    inflight_scenario(d);

    observers_scenario(d, secs);

    export_scenario(d, secs);

    js_scenario(d, secs);

    node_scenario(d, secs);

    external_scenario(d, secs);

    mqtt_scenario(d, secs);
}
