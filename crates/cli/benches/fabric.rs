//! caliper-rs against Caliper 0.6 on a real Hyperledger Fabric network, side by side on the same
//! network and machine: `cargo bench -p caliper-cli --bench fabric` (release profile).
//!
//! It starts a harness network (`caliper_testkit::fabric`: one orderer, one peer, the `simple`
//! chaincode as a service) from the first folder of `CALIPER_FABRIC_BIN` (skipped with the
//! reason without it), then runs one benchmark with each tool in turn, `BENCH_REPEAT` times
//! (default 3): `BENCH_FABRIC_WORKERS` workers (default 2), one round per rate of `BENCH_FABRIC_RATES` (tx/s in total, default
//! `100,200,400,600`), `BENCH_FABRIC_SECS` seconds each (default 15), every transaction a
//! submitted `open` of a new account, the same workload module for both. Caliper 0.6 is
//! `@hyperledger/caliper-cli` 0.6.0 bound to `fabric:2.5`, installed with npm in
//! `CALIPER_NODE_DIR` (default `/work/caliper-node`); without it only caliper-rs runs.
//!
//! For each round it reports, as medians over the repeats: the throughput from the tool's own
//! result table, the worker processes' CPU (user + sys from `/proc`, between the round's start
//! line and its result table) per submitted transaction, and the peer's and the whole machine's
//! CPU over the round (to tell when the network, not the client, is the bottleneck). The worker
//! CPU is given twice: over the whole round (with the workload module's start and the drain)
//! and "steady", between the round's first and last progress lines (both tools print one every
//! 5 s) divided by the transactions submitted between them. `BENCH_FABRIC_KEEP=1` keeps the
//! workspace with each run's output (`r<repeat><rs|js>.log`).
#![allow(clippy::print_stdout, missing_docs)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use caliper_testkit::fabric::{ConfigStyle, FabricBinaries, FabricNetwork, Options};

/// Opens a new account per transaction; the names carry the run and the round, so every run
/// on the one network opens accounts of its own. Caliper's API only: both tools run it.
const WORKLOAD: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Open extends WorkloadModuleBase {
    async submitTransaction() {
        this.n = (this.n || 0) + 1;
        const account = `${this.roundArguments.run}_${this.roundIndex}_${this.workerIndex}_${this.n}`;
        await this.sutAdapter.sendRequests({
            contractId: 'simple', contractFunction: 'open', contractArguments: [account, '1000'],
            invokerIdentity: 'User1', readOnly: false,
        });
    }
}
module.exports.createWorkloadModule = () => new Open();
"#;

/// Clock ticks per second of `/proc/<pid>/stat` (100 on Linux).
const TICKS: f64 = 100.0;

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    CaliperRs,
    Caliper06,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::CaliperRs => "caliper-rs",
            Tool::Caliper06 => "Caliper 0.6",
        }
    }
}

/// What one round of one run measured.
#[derive(Default, Clone)]
struct Figure {
    throughput: f64,
    worker_cpu_ms_per_tx: f64,
    steady_cpu_ms_per_tx: f64,
    peer_cores: f64,
    machine_busy: f64,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// `BENCH_FABRIC_WORKERS`, default 2.
fn workers_wanted() -> usize {
    env_or("BENCH_FABRIC_WORKERS", "2").parse().unwrap_or(2)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { f64::NAN } else { v[v.len() / 2] }
}

/// user + sys CPU seconds of process `pid`, 0 when it is gone.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the line; `rest` starts at field 3.
    let tick = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(14) + tick(15)) / TICKS
}

/// (busy, total) jiffies of the whole machine.
fn machine_jiffies() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = stat.lines().next().unwrap_or_default();
    let v: Vec<f64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    let total: f64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}

/// Every descendant of `pid` whose command line holds `launch worker`.
fn workers(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else { continue };
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for kid in text.split_whitespace().filter_map(|k| k.parse::<u32>().ok()) {
                let cmdline = std::fs::read(format!("/proc/{kid}/cmdline")).unwrap_or_default();
                if cmdline.windows(14).any(|w| w == b"launch\0worker\0") {
                    found.push(kid);
                }
                queue.push(kid);
            }
        }
    }
    found
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A snapshot at a round's start or end.
#[derive(Clone)]
struct Mark {
    at: Instant,
    workers: f64,
    peer: f64,
    machine: (f64, f64),
}

/// A snapshot at a progress line, with the submitted count the line shows.
type Progress = (Mark, f64);

fn mark(manager: u32, peer: u32) -> Mark {
    Mark {
        at: Instant::now(),
        workers: workers(manager).into_iter().map(cpu_seconds).sum(),
        peer: cpu_seconds(peer),
        machine: machine_jiffies(),
    }
}

/// The cells of the result-table row of `label` in `lines` (both tools print Caliper's table),
/// as (succ, fail, throughput).
fn table_row(lines: &[String], label: &str) -> Option<(f64, f64, f64)> {
    let cells = |l: &str| -> Vec<String> {
        let l = l.trim();
        let l = l.split_once('|').map_or(l, |(_, r)| r);
        l.split('|').map(|c| c.trim().to_string()).collect()
    };
    let header = lines.iter().rev().find(|l| l.contains("Throughput (TPS)"))?;
    let header = cells(header);
    let col = |name: &str| header.iter().position(|h| h.starts_with(name));
    let (succ, fail, tput) = (col("Succ")?, col("Fail")?, col("Throughput")?);
    let row = lines.iter().rev().map(|l| cells(l)).find(|c| c.first().is_some_and(|n| n == label))?;
    let num = |i: usize| row.get(i).and_then(|v| v.parse::<f64>().ok());
    Some((num(succ)?, num(fail)?, num(tput)?))
}

/// The submitted count of a progress line (`[<label> Round <n> Transaction Info] - Submitted:
/// <n> ...`, both tools).
fn progress_submitted(line: &str) -> Option<f64> {
    let rest = line.split_once("Transaction Info] - Submitted:")?.1;
    rest.split_whitespace().next()?.parse().ok()
}

/// The failure classes of each round from caliper-rs's results file (Caliper 0.6 writes none).
fn failure_classes(tool: Tool, dir: &Path) -> Vec<String> {
    if tool != Tool::CaliperRs {
        return Vec::new();
    }
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap_or_default();
    let results: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    results["rounds"].as_array().map_or(Vec::new(), |r| r.iter().map(|r| r["failures"].to_string()).collect())
}

/// Runs the benchmark once with `tool`; one figure per rate.
fn run(
    tool: Tool,
    dir: &Path,
    node_dir: &Path,
    peer: u32,
    rates: &[u64],
    secs: u64,
    run_tag: &str,
) -> Vec<Figure> {
    let rounds: String = rates
        .iter()
        .map(|r| {
            format!(
                "    - label: open-{r}\n      txDuration: {secs}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {r} }} }}\n      workload: {{ module: open.js, arguments: {{ run: {run_tag} }} }}\n"
            )
        })
        .collect();
    std::fs::write(
        dir.join("bench.yaml"),
        format!("test:\n  name: fabric\n  workers: {{ number: {} }}\n  rounds:\n{rounds}", workers_wanted()),
    )
    .unwrap();
    let common = [
        "--caliper-workspace",
        ".",
        "--caliper-benchconfig",
        "bench.yaml",
        "--caliper-networkconfig",
        "network.yaml",
    ];
    let mut cmd = match tool {
        Tool::CaliperRs => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_caliper"));
            // The harness's variables are no settings of caliper-rs (it would warn of them).
            c.args(["launch", "manager"])
                .args(common)
                .env_remove("RUST_LOG")
                .env_remove("CALIPER_FABRIC_BIN")
                .env_remove("CALIPER_FABRIC_KEEP");
            c
        }
        Tool::Caliper06 => {
            let mut c = Command::new("node");
            c.arg(node_dir.join("node_modules/@hyperledger/caliper-cli/caliper.js"))
                .args(["launch", "manager"])
                .args(common)
                .args(["--caliper-flow-skip-install", "--caliper-report-path", "caliper06-report.html"])
                .env("NODE_PATH", node_dir.join("node_modules"));
            c
        }
    };
    let mut child = cmd
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the manager starts");
    let (tx, rx) = mpsc::channel::<String>();
    let pipe = |r: Box<dyn Read + Send>, tx: mpsc::Sender<String>| {
        std::thread::spawn(move || {
            for line in BufReader::new(r).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        })
    };
    let readers = [
        pipe(Box::new(child.stdout.take().unwrap()), tx.clone()),
        pipe(Box::new(child.stderr.take().unwrap()), tx),
    ];
    let manager = child.id();
    let mut lines = Vec::new();
    let mut marks: Vec<(Mark, Option<Mark>)> = Vec::new();
    let mut tables = 0;
    // Per round: the first and the latest progress line, with the submitted count it shows.
    let mut steady: Vec<Option<(Progress, Progress)>> = vec![None; rates.len()];
    let started = |l: &str, label: &str| match tool {
        Tool::CaliperRs => l.contains(&format!("({label}) of")) && l.contains("started"),
        Tool::Caliper06 => l.contains("Started round") && l.contains(&format!("({label})")),
    };
    let limit = Instant::now() + Duration::from_secs(120 + rates.len() as u64 * (secs + 60));
    while let Ok(line) = rx.recv_timeout(limit.saturating_duration_since(Instant::now())) {
        let next = marks.len();
        if let Some(r) = rates.get(next)
            && started(&line, &format!("open-{r}"))
        {
            // The previous round ended at the latest here (its table, on the other pipe, may
            // come later).
            let now = mark(manager, peer);
            if let Some(last) = marks.last_mut()
                && last.1.is_none()
            {
                last.1 = Some(now.clone());
            }
            marks.push((now, None));
        } else if let Some(n) = progress_submitted(&line)
            && let Some(i) = next.checked_sub(1)
            && marks[i].1.is_none()
        {
            let now = (mark(manager, peer), n);
            match steady[i].take() {
                None => steady[i] = Some((now.clone(), now)),
                Some((first, _)) => steady[i] = Some((first, now)),
            }
        } else if line.contains("Test result") {
            // The k-th result table is round k's.
            if let Some(round) = marks.get_mut(tables)
                && round.1.is_none()
            {
                round.1 = Some(mark(manager, peer));
            }
            tables += 1;
        }
        lines.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    for r in readers {
        let _ = r.join();
    }
    let log = dir.join(format!("{run_tag}.log"));
    std::fs::write(&log, lines.join("\n")).unwrap();
    let failures = failure_classes(tool, dir);
    let mut figures = Vec::new();
    for (i, rate) in rates.iter().enumerate() {
        let label = format!("open-{rate}");
        let (Some((start, Some(end))), Some((succ, fail, throughput))) =
            (marks.get(i), table_row(&lines, &label))
        else {
            println!(
                "{} round {label}: no figures; the end of its output:\n{}",
                tool.name(),
                lines[lines.len().saturating_sub(40)..].join("\n")
            );
            figures.push(Figure::default());
            continue;
        };
        let wall = end.at.duration_since(start.at).as_secs_f64();
        let submitted = succ + fail;
        let (busy, total) = (end.machine.0 - start.machine.0, end.machine.1 - start.machine.1);
        figures.push(Figure {
            throughput,
            worker_cpu_ms_per_tx: (end.workers - start.workers) * 1000.0 / submitted.max(1.0),
            steady_cpu_ms_per_tx: steady[i]
                .as_ref()
                .filter(|(a, b)| b.1 > a.1)
                .map_or(f64::NAN, |(a, b)| (b.0.workers - a.0.workers) * 1000.0 / (b.1 - a.1)),
            peer_cores: (end.peer - start.peer) / wall,
            machine_busy: busy / total.max(1.0),
        });
        if fail > 0.0 {
            let classes = failures.get(i).map_or(String::new(), |c| format!(" {c}"));
            println!(
                "  ({} {label}: {fail} of {submitted} failed{classes}; log {})",
                tool.name(),
                log.display()
            );
        }
    }
    figures
}

fn main() {
    let bins = match FabricBinaries::from_env() {
        Ok(b) => b,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let Some(bins) = bins.first() else { return };
    let repeat = env_or("BENCH_REPEAT", "3").parse::<usize>().unwrap_or(3).max(1);
    let secs = env_or("BENCH_FABRIC_SECS", "15").parse::<u64>().unwrap_or(15);
    let rates: Vec<u64> = env_or("BENCH_FABRIC_RATES", "100,200,400,600")
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let node_dir = PathBuf::from(env_or("CALIPER_NODE_DIR", "/work/caliper-node"));
    let mut tools = vec![Tool::CaliperRs];
    if node_dir.join("node_modules/@hyperledger/caliper-cli/caliper.js").is_file() {
        tools.push(Tool::Caliper06);
    } else {
        println!("Caliper 0.6 not found in {} (CALIPER_NODE_DIR): caliper-rs only", node_dir.display());
    }

    let mut net =
        FabricNetwork::start(bins, Options { logging_spec: "warning".into(), ..Options::default() })
            .unwrap_or_else(|e| panic!("the Fabric network: {e}"));
    let peer = net.peer_pid(0).expect("the peer runs");
    let tmp = tempfile::Builder::new().prefix("caliper-fabric-bench-").tempdir().unwrap();
    // BENCH_FABRIC_KEEP keeps the workspace: each run's output is `<run>.log` there.
    let dir =
        if std::env::var_os("BENCH_FABRIC_KEEP").is_some() { tmp.keep() } else { tmp.path().to_path_buf() };
    let dir = &dir;
    net.write_network_config(&dir.join("network.yaml"), ConfigStyle::Peers).unwrap();
    std::fs::write(dir.join("open.js"), WORKLOAD).unwrap();
    println!(
        "Fabric {} (1 orderer, 1 peer, BatchTimeout 250 ms), {} worker(s), rounds of {secs} s at {rates:?} tx/s, {repeat} repeat(s); load average before: {}",
        net.version(),
        workers_wanted(),
        load_average()
    );

    let mut all: Vec<Vec<Vec<Figure>>> = vec![Vec::new(); tools.len()];
    for rep in 0..repeat {
        for (t, tool) in tools.iter().enumerate() {
            let tag = format!("r{rep}{}", if *tool == Tool::CaliperRs { "rs" } else { "js" });
            let figures = run(*tool, dir, &node_dir, peer, &rates, secs, &tag);
            for (rate, f) in rates.iter().zip(&figures) {
                println!(
                    "  repeat {rep} {:<11} {rate:>4} tx/s: throughput {:>6.1}, worker CPU {:.3} ms/tx ({:.3} steady), peer {:.2} cores, machine {:.0} % busy (load {})",
                    tool.name(),
                    f.throughput,
                    f.worker_cpu_ms_per_tx,
                    f.steady_cpu_ms_per_tx,
                    f.peer_cores,
                    f.machine_busy * 100.0,
                    load_average()
                );
            }
            all[t].push(figures);
        }
    }

    println!("\nmedians of {repeat} (load average now {}):", load_average());
    println!(
        "| tool | rate (tx/s) | throughput (tx/s) | worker CPU per tx, round (ms) | worker CPU per tx, steady (ms) | peer CPU (cores) | machine busy |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut best = vec![0.0; tools.len()];
    for (t, tool) in tools.iter().enumerate() {
        for (i, rate) in rates.iter().enumerate() {
            let pick = |f: fn(&Figure) -> f64| median(all[t].iter().map(|run| f(&run[i])).collect());
            let tput = pick(|f| f.throughput);
            best[t] = f64::max(best[t], tput);
            println!(
                "| {} | {rate} | {tput:.1} | {:.3} | {:.3} | {:.2} | {:.0} % |",
                tool.name(),
                pick(|f| f.worker_cpu_ms_per_tx),
                pick(|f| f.steady_cpu_ms_per_tx),
                pick(|f| f.peer_cores),
                pick(|f| f.machine_busy * 100.0)
            );
        }
    }
    for (t, tool) in tools.iter().enumerate() {
        println!("highest median throughput, {}: {:.1} tx/s", tool.name(), best[t]);
    }
    drop(net);
}
