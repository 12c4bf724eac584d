//! Faults in every phase of a run with the process messenger: a worker killed (SIGKILL) or
//! stopped (SIGSTOP) before the rounds, during prepare, mid-round and between rounds; the
//! manager killed; Ctrl-C twice; a results path that cannot be written. Each run ends within
//! its deadlines (set short here), with the exit code of docs/running.md, the end command run
//! and results.json written with what the survivors did. (A worker killed mid-round and one
//! Ctrl-C are in failures.rs; the SUT killed mid-round is in run_ethereum.rs; the same faults
//! with the mqtt messenger are in mqtt.rs.)

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

const NETWORK: &str = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n    end: touch ended\nsim: { latency: { fixed: 2 } }\n";

/// Two rounds of two workers: the first `first` (a `txNumber` or `txDuration` line), its
/// workload `module`.
fn bench(first: &str, module: &str) -> String {
    format!(
        "test:\n  workers: {{ number: 2 }}\n  rounds:\n    - label: first\n      {first}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 200 }} }}\n      workload: {{ module: {module} }}\n    - label: second\n      txNumber: 20\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 100 }} }}\n      workload: {{ module: sim-mix }}\n"
    )
}

/// A workload whose `initializeWorkloadModule` takes 4 s: a window inside prepare.
const SLOW_PREPARE: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Slow extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        await new Promise(resolve => setTimeout(resolve, 4000));
    }
    async submitTransaction() {
        await this.sutAdapter.sendRequests({ op: 'write', key: 'k' + Math.random(), value: 1 });
    }
}
module.exports.createWorkloadModule = () => new Slow();
"#;

/// A workspace whose first round runs [`SLOW_PREPARE`].
fn slow_prepare() -> Workspace {
    let ws = Workspace::new(&bench("txNumber: 50", "workload/slow.js"), NETWORK);
    std::fs::create_dir(ws.file("workload")).unwrap();
    std::fs::write(ws.file("workload/slow.js"), SLOW_PREPARE).unwrap();
    ws
}

/// Short deadlines, so a stopped worker is given up on within seconds.
const SHORT: &[&str] = &[
    "--caliper-worker-timeout-join",
    "3000",
    "--caliper-worker-timeout-prepare",
    "2500",
    "--caliper-worker-timeout-silence",
    "2000",
];

fn spawn(ws: &Workspace, args: &[&str]) -> Child {
    ws.manager(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("caliper runs")
}

/// The run after a fault: it ended within `within` of the fault, with `exit`, ran its end
/// command, left no worker behind and wrote results.json, which it returns.
fn ended(
    ws: &Workspace,
    child: Child,
    kids: &[u32],
    exit: i32,
    within: Duration,
) -> (serde_json::Value, String) {
    let fault = Instant::now();
    let out = wait_output(child, Duration::from_secs(40));
    let took = fault.elapsed();
    note(&format!("ended {took:?} after the fault"));
    assert!(took < within, "ended {took:?} after the fault (limit {within:?}): {}", show(&out));
    assert_eq!(code(&out), exit, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{}", show(&out));
    assert!(ws.file("ended").exists(), "the end command ran: {}", show(&out));
    wait_gone(kids, Duration::from_secs(5));
    let results = ws.results();
    assert_accounted(&results);
    (results, stderr)
}

/// Resumes and kills a stopped worker that the manager may have left (it must not have).
fn cleanup(pid: u32) {
    if alive(pid) {
        signal(pid, "KILL");
    }
}

/// A fault: `sig` sent to the first of `workers` worker processes `after` they started.
struct Fault {
    args: &'static [&'static str],
    workers: usize,
    after: Duration,
    sig: &'static str,
}

impl Fault {
    /// Runs `ws` with this fault; the run must end as [`ended`] says.
    fn run(&self, ws: &Workspace, exit: i32, within: Duration) -> (serde_json::Value, String) {
        let child = spawn(ws, self.args);
        let kids = workers_of(child.id(), self.workers);
        std::thread::sleep(self.after);
        signal(kids[0], self.sig);
        let ended = ended(ws, child, &kids, exit, within);
        cleanup(kids[0]);
        ended
    }
}

#[test]
fn a_worker_killed_before_the_rounds_fails_the_run_and_reports_no_round_as_passed() {
    let ws = Workspace::new(&bench("txNumber: 50", "sim-mix"), NETWORK);
    // At first sight: the worker has just started and is joining.
    let fault = Fault { args: SHORT, workers: 1, after: Duration::ZERO, sig: "KILL" };
    let (results, stderr) = fault.run(&ws, 1, Duration::from_secs(10));
    assert!(stderr.contains("lost while joining") || stderr.contains("joined"), "{stderr}");
    for r in rounds(&results) {
        assert_eq!(r["status"], "notRun", "{r}");
    }
}

#[test]
fn a_worker_stopped_while_joining_is_given_up_at_the_join_deadline() {
    let ws = Workspace::new(&bench("txNumber: 50", "sim-mix"), NETWORK);
    // The join deadline (3 s), then the 5 s the manager gives its workers before it kills them.
    // The stop is sent as soon as the worker process is seen; on a loaded machine the worker
    // may have joined by then, and is then given up at the prepare deadline (2.5 s) instead:
    // either way at a deadline, with the run reported.
    let child = spawn(&ws, SHORT);
    let kids = workers_of(child.id(), 1);
    signal(kids[0], "STOP");
    let out = wait_output(child, Duration::from_secs(40));
    cleanup(kids[0]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let results = ws.results();
    let first = &rounds(&results)[0];
    match code(&out) {
        1 => {
            assert!(stderr.contains("caliper-worker-timeout-join") || stderr.contains("in time"), "{stderr}");
            assert_eq!(first["status"], "notRun");
        }
        3 => {
            note("the worker had joined before it was stopped: given up at the prepare deadline");
            assert!(first["error"].as_str().unwrap().contains("did not prepare in time"), "{first}");
        }
        other => panic!("exit {other}: {}", show(&out)),
    }
    assert!(ws.file("ended").exists(), "the end command ran");
    wait_gone(&kids, Duration::from_secs(5));
}

#[test]
fn a_worker_killed_during_prepare_fails_the_round_without_waiting_for_the_deadline() {
    // A prepare deadline far beyond the 4 s of the module: the loss must end the wait, not it.
    let args = &["--caliper-worker-timeout-prepare", "30000"];
    let fault = Fault { args, workers: 2, after: Duration::from_millis(1500), sig: "KILL" };
    let (results, _) = fault.run(&slow_prepare(), 3, Duration::from_secs(8));
    let first = &rounds(&results)[0];
    assert_eq!(first["status"], "failed");
    let error = first["error"].as_str().unwrap();
    assert!(error.contains("prepare failed") && error.contains("lost"), "{first}");
    assert_eq!(rounds(&results)[1]["status"], "notRun");
}

#[test]
fn a_worker_stopped_during_prepare_fails_the_round_at_the_prepare_deadline() {
    // The deadline counts from the start of prepare (before the stop): 2.5 s, plus the 5 s the
    // manager gives its workers to exit before it kills them.
    let fault = Fault { args: SHORT, workers: 2, after: Duration::from_millis(1000), sig: "STOP" };
    let (results, _) = fault.run(&slow_prepare(), 3, Duration::from_secs(12));
    let first = &rounds(&results)[0];
    assert_eq!(first["status"], "failed");
    assert!(first["error"].as_str().unwrap().contains("did not prepare in time"), "{first}");
}

#[test]
fn a_worker_stopped_mid_round_is_lost_after_the_silence_deadline_and_the_other_results_are_kept() {
    let ws = Workspace::new(&bench("txDuration: 30", "sim-mix"), NETWORK);
    let fault = Fault { args: SHORT, workers: 2, after: Duration::from_secs(2), sig: "STOP" };
    let (results, _) = fault.run(&ws, 3, Duration::from_secs(12));
    let first = &rounds(&results)[0];
    assert_eq!(first["status"], "failed");
    assert!(first["error"].as_str().unwrap().contains("caliper-worker-timeout-silence"), "{first}");
    // The survivor was stopped early ("the manager is stopping the run"), its results whole.
    let workers = first["workers"].as_array().unwrap();
    let kept: Vec<_> =
        workers.iter().filter(|w| !w["error"].as_str().unwrap_or("").starts_with("lost")).collect();
    assert_eq!(kept.len(), 1, "the other worker's results are kept: {first}");
    assert!(kept[0]["submitted"].as_u64().unwrap() > 0);
    assert_eq!(first["submitted"], kept[0]["submitted"], "only whole results are merged");
    assert_eq!(rounds(&results)[1]["status"], "notRun");
}

#[test]
fn a_worker_killed_between_rounds_fails_the_next_round() {
    let ws = Workspace::new(&bench("txNumber: 20", "sim-mix"), NETWORK);
    // The first round (20 transactions at 200 tx/s) is over within a second; then the pause.
    let args = &["--caliper-round-pause", "3000"];
    let fault = Fault { args, workers: 2, after: Duration::from_millis(1800), sig: "KILL" };
    let (results, _) = fault.run(&ws, 3, Duration::from_secs(8));
    assert_eq!(rounds(&results)[0]["status"], "passed", "{results}");
    assert_eq!(rounds(&results)[0]["submitted"], 20);
    let second = &rounds(&results)[1];
    assert_eq!(second["status"], "failed");
    assert!(second["error"].as_str().unwrap().contains("lost"), "{second}");
}

#[test]
fn workers_exit_within_seconds_when_their_manager_is_killed() {
    let ws = Workspace::new(&bench("txDuration: 30", "sim-mix"), NETWORK);
    let mut child = spawn(&ws, &[]);
    let kids = workers_of(child.id(), 2);
    std::thread::sleep(Duration::from_secs(2));
    signal(child.id(), "KILL");
    let _ = child.wait();
    let took = wait_gone(&kids, Duration::from_secs(5));
    note(&format!("workers gone {took:?} after the manager was killed"));
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_leaves_no_worker() {
    // Interrupted during a 4 s prepare, the manager waits for its busy workers to stop: the
    // second Ctrl-C lands in that wait.
    let ws = slow_prepare();
    let mut child = spawn(&ws, &[]);
    let kids = workers_of(child.id(), 2);
    std::thread::sleep(Duration::from_millis(1500));
    signal(child.id(), "INT");
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the first Ctrl-C is still stopping the run");
    signal(child.id(), "INT");
    let second = Instant::now();
    let out = wait_output(child, Duration::from_secs(20));
    let took = second.elapsed();
    note(&format!("exited {took:?} after the second Ctrl-C"));
    assert_eq!(code(&out), 130, "{}", show(&out));
    assert!(took < Duration::from_secs(1), "at once: {took:?}");
    assert!(!ws.file("results.json").exists(), "nothing more is done: no results");
    assert!(!ws.file("ended").exists(), "nothing more is done: no end command");
    // Their stdin closed, the workers exit once their prepare step is over.
    wait_gone(&kids, Duration::from_secs(8));
}

#[test]
fn an_unwritable_results_or_report_path_is_found_before_the_run_starts() {
    let ws = Workspace::new(&bench("txNumber: 20", "sim-mix"), NETWORK);
    std::fs::write(ws.file("a-file"), "").unwrap();
    let folder = ws.path().display().to_string();
    // Tests run as root, which a read-only mode does not stop: paths no one can write.
    for key in ["caliper-report-json", "caliper-report-path"] {
        for path in ["a-file/results.json", "/dev/full", "/proc/results.json", folder.as_str()] {
            let start = Instant::now();
            let out = ws.run(&[&format!("--{key}"), path], Duration::from_secs(30));
            note(&format!("{key} {path}: refused in {:?}", start.elapsed()));
            assert_eq!(code(&out), 2, "{key} {path}: {}", show(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(key) && stderr.contains(path), "{key} {path}: {stderr}");
            assert!(!ws.file("started").exists(), "{key} {path}: nothing started");
        }
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/full").unwrap().file_type().is_char_device(), "/dev/full is untouched");
}
