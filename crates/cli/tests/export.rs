//! The `export` transaction observer through the binary: every transaction as a line, as many
//! lines as results.json counts, the fields right, compressed files that decode with the
//! zstd and flate2 decoders, a one-line buffer that loses nothing, one file per worker (local
//! and remote MQTT workers, each on its own side); and `test.workers.number: auto`.

mod broker;
mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use broker::{mqtt, remote_worker, strs};
use caliper_testkit::mosquitto::Broker;
use common::*;
use serde_json::Value;

fn bench(workers: &str, size: &str, tps: u64, monitors: &str) -> String {
    format!(
        "test:\n  workers: {{ number: {workers} }}\n  rounds:\n    - label: open\n      {size}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix }}\nmonitors:\n  transaction:\n{monitors}"
    )
}

/// The decompressed text of an exported file, by its extension.
fn text_of(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    let name = path.to_string_lossy();
    if name.ends_with(".zst") {
        zstd::stream::read::Decoder::new(file).unwrap().read_to_string(&mut text).unwrap();
    } else if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap();
    } else {
        std::io::BufReader::new(file).read_to_string(&mut text).unwrap();
    }
    text
}

/// One transaction line, as JSON whatever the file's format.
fn records(path: &Path) -> Vec<Value> {
    let text = text_of(path);
    if path.to_string_lossy().contains(".csv") {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().expect("a header line").split(',').collect();
        assert_eq!(
            header,
            [
                "worker",
                "round",
                "id",
                "intendedUs",
                "createUs",
                "finalUs",
                "status",
                "errorClass",
                "latencyUs",
                "correctedLatencyUs"
            ]
        );
        lines
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                assert_eq!(cells.len(), header.len(), "{l}");
                let value = |c: &str| match c.parse::<u64>() {
                    Ok(n) => Value::from(n),
                    Err(_) if c.is_empty() => Value::Null,
                    Err(_) => Value::from(c),
                };
                let mut map: serde_json::Map<String, Value> =
                    header.iter().zip(&cells).map(|(h, c)| (h.to_string(), value(c))).collect();
                // The id is text even when it looks like a number.
                map.insert("id".into(), Value::from(cells[2]));
                Value::Object(map)
            })
            .collect()
    } else {
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect()
    }
}

fn u(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// Checks each line's fields against results.json's round: as many lines as transactions,
/// per worker and in all; as many failures, with their class; latency = final − create;
/// corrected latency from the intended send time.
fn assert_lines_match(round: &Value, worker: usize, lines: &[Value], class: &str) {
    let w = &round["workers"][worker];
    assert_eq!(
        lines.len() as u64,
        u(w, "succ") + u(w, "fail"),
        "one line per transaction of worker {worker}"
    );
    let failed: Vec<&Value> = lines.iter().filter(|l| l["status"] == "failed").collect();
    assert_eq!(failed.len() as u64, u(w, "fail"));
    let ids: HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), lines.len(), "every id once");
    for l in lines {
        assert_eq!((u(l, "worker"), u(l, "round")), (worker as u64, 0), "{l}");
        assert_eq!(u(l, "latencyUs"), u(l, "finalUs") - u(l, "createUs"), "{l}");
        let from = u(l, "intendedUs").min(u(l, "createUs"));
        assert_eq!(u(l, "correctedLatencyUs"), u(l, "finalUs") - from, "{l}");
        assert!(u(l, "latencyUs") >= 1_000, "the sim answers after 1 ms: {l}");
        match l["status"].as_str() {
            Some("failed") => assert_eq!(l["errorClass"], class, "{l}"),
            Some("success") => assert!(l["errorClass"].is_null(), "{l}"),
            other => panic!("status {other:?}"),
        }
    }
}

/// The `exported` entries of a round, by file name.
fn exported(round: &Value) -> BTreeMap<String, Value> {
    round["exported"]
        .as_array()
        .expect("rounds[].exported")
        .iter()
        .map(|f| {
            let name =
                Path::new(f["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
            (name, f.clone())
        })
        .collect()
}

#[test]
fn two_workers_write_a_csv_and_a_json_lines_file_each_with_every_transaction() {
    let monitors = "    - module: export\n      options: { path: out/tx.csv }\n    - module: export\n      options: { path: 'out/{label}-w{worker}.jsonl' }\n";
    let ws = Workspace::new(
        &bench("2", "txNumber: 601", 600, monitors),
        &sim_network("latency: { fixed: 1 }, failureRatio: 0.25, failureClass: timeout, seed: 7"),
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let round = &rounds(&results)[0];
    assert_eq!(u(round, "succ") + u(round, "fail"), 601);
    assert!(u(round, "fail") > 50, "the sim fails a quarter: {round}");
    let files = exported(round);
    let mut total = 0;
    for worker in 0..2 {
        let csv = records(&ws.file(&format!("out/tx-round0-worker{worker}.csv")));
        let jsonl = records(&ws.file(&format!("out/open-w{worker}.jsonl")));
        assert_lines_match(round, worker, &csv, "timeout");
        assert_lines_match(round, worker, &jsonl, "timeout");
        assert_eq!(csv, jsonl, "both formats hold the same transactions");
        for (name, lines) in
            [(format!("tx-round0-worker{worker}.csv"), &csv), (format!("open-w{worker}.jsonl"), &jsonl)]
        {
            let f = &files[&name];
            assert_eq!(
                (u(f, "worker"), u(f, "lines"), u(f, "dropped")),
                (worker as u64, lines.len() as u64, 0),
                "{f}"
            );
            assert!(u(f, "bytes") > 0 && f["error"].is_null(), "{f}");
        }
        total += csv.len();
    }
    assert_eq!(total, 601, "every transaction of the round is in the files");
    assert_eq!(files.len(), 4, "{files:?}");
}

#[test]
fn compressed_files_decode_and_a_one_line_buffer_loses_nothing() {
    // buffer: 1 sends every line through the channel on its own, at 5000 tx/s: the worker
    // waits when the writer is behind instead of losing lines.
    let monitors = "    - module: export\n      options: { path: tx.csv.zst, buffer: 1 }\n    - module: export\n      options: { path: tx.jsonl.gz, buffer: 1 }\n";
    let ws = Workspace::new(
        &bench("1", "txNumber: 5000", 5000, monitors),
        &sim_network("latency: { fixed: 1 }, failureRatio: 0.1, failureClass: rejected, seed: 3"),
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let round = &rounds(&results)[0];
    let files = exported(round);
    for (name, compression) in [("tx-round0-worker0.csv.zst", "zstd"), ("tx-round0-worker0.jsonl.gz", "gzip")]
    {
        let lines = records(&ws.file(name));
        assert_eq!(lines.len(), 5000, "{name}");
        assert_lines_match(round, 0, &lines, "rejected");
        let f = &files[name];
        assert_eq!(
            (f["compression"].as_str(), u(f, "lines"), u(f, "dropped")),
            (Some(compression), 5000, 0),
            "{f}"
        );
        let size = std::fs::metadata(ws.file(name)).unwrap().len();
        assert_eq!(u(f, "bytes"), size, "{f}");
    }
}

#[test]
fn with_on_full_drop_every_transaction_is_written_or_counted() {
    let monitors = "    - module: export\n      options: { path: tx.jsonl.zst, buffer: 1, onFull: drop }\n";
    let ws = Workspace::new(
        &bench("1", "txNumber: 20000", 20000, monitors),
        &sim_network("latency: { fixed: 1 }"),
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let round = &rounds(&results)[0];
    let f = &exported(round)["tx-round0-worker0.jsonl.zst"];
    let lines = records(&ws.file("tx-round0-worker0.jsonl.zst")).len() as u64;
    assert_eq!(u(f, "lines"), lines, "{f}");
    assert_eq!(lines + u(f, "dropped"), 20000, "written + dropped = the round's transactions: {f}");
    assert_eq!(f["waitedS"].as_f64(), Some(0.0), "drop never makes the worker wait: {f}");
    note(&format!("onFull: drop, buffer 1, 20,000 tx/s: {lines} written, {} dropped", u(f, "dropped")));
}

#[test]
fn remote_mqtt_workers_write_their_own_files_on_their_side() {
    let broker = Broker::anonymous();
    let monitors = "    - module: export\n      options: { path: tx.csv.gz }\n";
    let bench = bench("2", "txNumber: 400", 400, monitors);
    let network = sim_network("latency: { fixed: 1 }, failureRatio: 0.2, failureClass: connection, seed: 5");
    let manager = Workspace::new(&bench, &network);
    // Each worker in a workspace of its own: its machine, as far as the files go.
    let sides: Vec<Workspace> = (0..2).map(|_| Workspace::new(&bench, &network)).collect();
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "export-test"]);
    let workers: Vec<Child> = sides.iter().map(|side| remote_worker(side, &args)).collect();
    std::thread::sleep(Duration::from_millis(1500));
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let out = manager.run(&strs(&margs), Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    for w in workers {
        let w = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&w), 0, "{}", show(&w));
    }
    let results = manager.results();
    let round = &rounds(&results)[0];
    let listed = round["exported"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let mut total = 0;
    for f in listed {
        let worker = u(f, "worker") as usize;
        let path = Path::new(f["path"].as_str().unwrap());
        let side = sides.iter().find(|s| path.starts_with(s.path())).expect("the file is on a worker's side");
        assert_eq!(path, side.file(&format!("tx-round0-worker{worker}.csv.gz")));
        let lines = records(path);
        assert_lines_match(round, worker, &lines, "connection");
        assert_eq!(u(f, "lines"), lines.len() as u64);
        total += lines.len();
    }
    assert_eq!(total, 400);
    assert!(!manager.file("tx-round0-worker0.csv.gz").exists(), "nothing is written on the manager's side");
}

#[test]
fn bad_export_options_are_refused_before_anything_starts() {
    let monitors = "    - module: export\n      options: { path: tx.txt, onFull: wait }\n";
    let ws = Workspace::new(&bench("1", "txNumber: 10", 10, monitors), &sim_network("latency: { fixed: 1 }"));
    let out = ws.check(&[]);
    assert_ne!(code(&out), 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("monitors.transaction[0].options.path"), "{stderr}");
    assert!(stderr.contains("must end in .csv or .jsonl"), "{stderr}");
    assert!(stderr.contains("monitors.transaction[0].options.onFull"), "{stderr}");
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[test]
fn auto_workers_are_one_per_available_core_and_results_say_so() {
    let ws = Workspace::new(
        "test:\n  workers: { number: auto }\n  rounds:\n    - label: open\n      txNumber: 40\n      rateControl: { type: fixed-rate, opts: { tps: 200 } }\n      workload: { module: sim-mix }\n",
        &sim_network("latency: { fixed: 1 }"),
    );
    let check = ws.check(&[]);
    assert_eq!(code(&check), 0, "{}", show(&check));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(stdout.contains(&format!("workers      {} (test.workers.number: auto", cores())), "{stdout}");

    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("workers: {} (test.workers.number: auto", cores())), "{stderr}");
    let results = ws.results();
    assert_eq!(
        (results["run"]["workers"].as_u64(), results["run"]["workersAuto"].as_bool()),
        (Some(cores() as u64), Some(true))
    );
    assert_eq!(rounds(&results)[0]["workers"].as_array().unwrap().len(), cores());

    // CPU affinity counts: pinned to one CPU, auto is one worker.
    let pinned = Command::new("taskset")
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "manager", "--caliper-workspace"])
        .arg(ws.path())
        .env_remove("RUST_LOG")
        .output();
    match pinned {
        Ok(out) => {
            assert_eq!(code(&out), 0, "{}", show(&out));
            let results = ws.results();
            assert_eq!(results["run"]["workers"], 1, "taskset -c 0 leaves one core");
            assert_eq!(rounds(&results)[0]["workers"].as_array().unwrap().len(), 1);
        }
        Err(e) => note(&format!("no taskset ({e}): the pinned case is skipped")),
    }
}

#[test]
fn each_step_of_a_peak_search_has_its_own_file() {
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: peak
      txDuration: 1
      rateControl:
        type: peak-search
        opts: { startTps: 40, maxTps: 200, precision: 20, limits: { failureRatio: 0.2 } }
      workload: { module: sim-mix, arguments: { keys: 100, mix: { write: 1 } } }
monitors:
  transaction:
    - module: export
      options: { path: tx.csv }
"#;
    let network = sim_network("latency: { fixed: 10 }, totalCapacity: 60, queueLimit: 5, seed: 3");
    let ws = Workspace::new(bench, &network);
    let out = ws.run(&[], Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let round = &rounds(&results)[0];
    let search = &round["peakSearch"];
    let steps = search["steps"].as_array().unwrap();
    assert!(steps.len() >= 2, "{search}");
    for (n, step) in steps.iter().enumerate() {
        let name = if n == 0 {
            "tx-round0-worker0.csv".to_string()
        } else {
            format!("tx-round0-worker0-step{n}.csv")
        };
        let lines = records(&ws.file(&name));
        assert_eq!(lines.len() as u64, u(step, "succ") + u(step, "fail"), "step {n}: {step}");
    }
    // The round's figures are the peak step's, and so is the file listed.
    let peak = search["peakStep"].as_u64().unwrap() as usize;
    let listed = round["exported"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let expected = if peak == 0 {
        "tx-round0-worker0.csv".to_string()
    } else {
        format!("tx-round0-worker0-step{peak}.csv")
    };
    assert!(listed[0]["path"].as_str().unwrap().ends_with(&expected), "{listed:?}");
    assert_eq!(u(&listed[0], "lines"), u(round, "succ") + u(round, "fail"));
}
