//! `caliper compare` through the binary, on results files of real runs against the `sim`
//! connector: the same benchmark with writes answered after 5 ms (twice) and after 50 ms.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::Duration;

use common::*;
use serde_json::Value;

/// Two rounds of about a second each, one worker: writes (whose latency the networks change)
/// and reads (answered after 5 ms in every run).
const BENCH: &str = r#"
test:
  name: compare
  workers: { number: 1 }
  rounds:
    - label: open
      txDuration: 1
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix, arguments: { mix: { write: 1 } } }
    - label: query
      txNumber: 100
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix, arguments: { mix: { read: 1 } } }
"#;

/// The results files of the three runs.
struct Runs {
    fast: PathBuf,
    fast_again: PathBuf,
    slow: PathBuf,
    dir: PathBuf,
}

/// Runs the benchmark three times, at once, the first time a test asks; the files stay in
/// cargo's temporary folder for the tests of this binary.
fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare");
        // What an earlier run of these tests left.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the results folder");
        let run = |name: &str, write_ms: u32| {
            let (dir, name) = (dir.clone(), name.to_owned());
            std::thread::spawn(move || {
                let network =
                    sim_network(&format!("latency: {{ fixed: {write_ms} }}, readLatency: {{ fixed: 5 }}"));
                let ws = Workspace::new(BENCH, &network);
                let out = ws.run(&[], Duration::from_secs(60));
                assert_eq!(code(&out), 0, "{}", show(&out));
                let path = dir.join(format!("{name}.json"));
                std::fs::copy(ws.file("results.json"), &path).expect("copy the results");
                path
            })
        };
        let (fast, fast_again, slow) = (run("fast", 5), run("fast-again", 5), run("slow", 50));
        let join = |h: std::thread::JoinHandle<PathBuf>| h.join().expect("the run finished");
        Runs { fast: join(fast), fast_again: join(fast_again), slow: join(slow), dir }
    })
}

/// `caliper compare <args>`, run to its end.
fn compare(args: &[&str]) -> Output {
    caliper(&[&["compare"], args].concat())
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The lines of the table whose first two cells are `round` and `metric`.
fn table_row(text: &str, round: &str, metric: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            cells.len() > 3 && cells[1] == round && cells[2] == metric
        })
        .unwrap_or_else(|| panic!("no row {round} {metric} in:\n{text}"));
    line.trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect()
}

/// Loose enough for two runs of a 5 ms SUT on a busy machine, where a tail of 100
/// transactions moves by tens of per cent; a 5 -> 50 ms median still regresses tenfold.
const LOOSE: [&str; 6] =
    ["--threshold", "latency.p50=+100%", "--threshold", "latency.p95=off", "--threshold", "latency.p99=off"];

#[test]
fn two_runs_of_the_same_load_pass() {
    let r = runs();
    let mut args = vec![path(&r.fast), path(&r.fast_again)];
    args.extend(LOOSE);
    let out = compare(&args);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = stdout(&out);
    for round in ["open", "query"] {
        assert_eq!(table_row(&text, round, "status")[2..4], ["passed", "passed"]);
        assert_eq!(table_row(&text, round, "latency.p50")[7], "ok", "{text}");
        assert_eq!(table_row(&text, round, "throughput")[7], "ok", "{text}");
        assert_eq!(table_row(&text, round, "latency.p99")[7], "-", "off: shown, not judged");
    }
    assert!(!text.contains("warning:"), "the same load: {text}");
    assert!(text.trim_end().ends_with("PASSED: 2 round(s) compared, 0 added, 0 removed; 0 regression(s), 0 improvement(s); 0 of 0 check(s) failed; 0 load warning(s)"), "{text}");

    // A file against itself passes with the default thresholds.
    let out = compare(&[path(&r.fast), path(&r.fast)]);
    assert_eq!(code(&out), 0, "{}", show(&out));
}

#[test]
fn slower_latency_fails_naming_the_round_and_the_figure() {
    let r = runs();
    let mut args = vec![path(&r.fast), path(&r.slow)];
    args.extend(LOOSE);
    let out = compare(&args);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let text = stdout(&out);
    let p50 = table_row(&text, "open", "latency.p50");
    assert_eq!(p50[7], "REGRESSED", "{text}");
    assert!(p50[3].ends_with(" ms") && p50[3].starts_with('5'), "about 50 ms: {p50:?}");
    assert!(text.contains("\nregression: open: latency.p50 "), "{text}");
    // Reads were as fast as before: that round did not regress.
    assert_eq!(table_row(&text, "query", "latency.p50")[7], "ok", "{text}");
    assert!(!text.contains("regression: query"), "{text}");
    assert!(text.trim_end().lines().last().unwrap().starts_with("FAILED: 2 round(s) compared"), "{text}");

    // The other way round it is an improvement, which passes.
    let mut args = vec![path(&r.slow), path(&r.fast)];
    args.extend(LOOSE);
    let out = compare(&args);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert_eq!(table_row(&stdout(&out), "open", "latency.p50")[7], "improved");
}

#[test]
fn absolute_checks_judge_the_current_run() {
    let r = runs();
    let (base, cur) = (path(&r.fast), path(&r.slow));
    let holding = ["--check", "failRate<1%", "--check", "throughput>=50", "--check", "query:p(50)<0.04"];
    let mut args = vec![base, cur, "--threshold", "latency.p50=off", "--threshold", "latency.p95=off"];
    args.extend(["--threshold", "latency.p99=off"]);
    args.extend(holding);
    let out = compare(&args);
    assert_eq!(code(&out), 0, "the checks hold: {}", show(&out));
    assert_eq!(table_row(&stdout(&out), "query", "check query:p(50)<0.04")[7], "ok");

    args.extend(["--check", "open:p(50)<40ms"]);
    let out = compare(&args);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let text = stdout(&out);
    assert_eq!(table_row(&text, "open", "check open:p(50)<40ms")[7], "FAILED", "{text}");
    assert!(text.contains("\nfailed check: open: open:p(50)<40ms does not hold: "), "{text}");
    assert!(!text.contains("query | check open:"), "scoped to its label: {text}");
}

#[test]
fn bad_thresholds_checks_and_formats_are_input_errors() {
    let r = runs();
    let (base, cur) = (path(&r.fast), path(&r.fast_again));
    let cases: [(&[&str], &str); 5] = [
        (&["--threshold", "throughput=+5%"], "throughput gets worse when it falls: write its limit as -5%"),
        (&["--threshold", "latency.p99"], "expected FIGURE=LIMIT"),
        (&["--threshold", "latncy.p99=+10%"], "unknown figure `latncy.p99`"),
        (&["--check", "p(99)<<2"], "check `p(99)<<2`"),
        (
            &["--check", "opne:p(95)<0.5"],
            "names the round `opne`, which the current run does not have (its rounds: open, query)",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec![base, cur];
        args.extend(extra);
        let out = compare(&args);
        assert_eq!(code(&out), 2, "{extra:?}: {}", show(&out));
        assert!(stderr(&out).contains(message), "{extra:?}: {}", show(&out));
        assert!(out.stdout.is_empty(), "no comparison on bad input: {}", show(&out));
    }
    // Every mistake at once.
    let out = compare(&[base, cur, "--threshold", "throughput=+5%", "--check", "p(97)<2"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let err = stderr(&out);
    assert!(err.contains("threshold `throughput=+5%`") && err.contains("check `p(97)<2`"), "{}", show(&out));

    let out = compare(&[base, cur, "--format", "xml"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("table, markdown, json"), "{}", show(&out));
}

#[test]
fn a_missing_unreadable_or_foreign_file_is_an_input_error_naming_it() {
    let r = runs();
    let missing = r.dir.join("missing.json");
    let not_json = r.dir.join("not-json.json");
    std::fs::write(&not_json, "<html>").unwrap();
    let v2 = r.dir.join("v2.json");
    std::fs::write(&v2, r#"{"schemaVersion": 2, "rounds": []}"#).unwrap();
    let cases = [
        (&missing, "cannot read"),
        (&not_json, "is not a caliper-rs results file"),
        (&v2, "has results schema version 2; this caliper-rs reads version 1"),
    ];
    for (file, message) in cases {
        for args in [[path(&r.fast), path(file)], [path(file), path(&r.fast)]] {
            let out = compare(&args);
            assert_eq!(code(&out), 2, "{}", show(&out));
            let err = stderr(&out);
            assert!(err.contains(message) && err.contains(path(file)), "{}", show(&out));
        }
    }
}

#[test]
fn markdown_and_json_carry_every_figure_and_the_verdict() {
    let r = runs();
    let mut args = vec![path(&r.fast), path(&r.slow), "--format", "markdown", "--check", "p(99)<10"];
    args.extend(LOOSE);
    let out = compare(&args);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let md = stdout(&out);
    assert!(md.starts_with("### caliper compare: FAILED :x:\n"), "{md}");
    assert!(
        md.contains("\n| Round | Metric | Baseline | Current | Change | Change % | Limit | Verdict |\n|---"),
        "{md}"
    );
    let p50 = md.lines().find(|l| l.starts_with("| open | latency.p50 |")).unwrap_or_else(|| panic!("{md}"));
    assert!(p50.ends_with("| +100% | **REGRESSED** |"), "{p50}");
    assert!(md.contains("| query | check p(99)<10 |"), "{md}");
    assert!(md.contains("\n- regression: open: latency.p50 "), "{md}");

    args[3] = "json";
    let out = compare(&args);
    assert_eq!(code(&out), 1, "{}", show(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("the output is JSON");
    assert_eq!(v["passed"], false);
    assert_eq!(v["baseline"]["file"], path(&r.fast));
    assert_eq!(v["current"]["workers"], 1);
    assert_eq!(v["warnings"], serde_json::json!([]));
    let open = &v["rounds"][0];
    assert_eq!(
        (&open["label"], &open["presence"], &open["status"]["verdict"]),
        (&"open".into(), &"matched".into(), &"ok".into())
    );
    let metrics = open["metrics"].as_array().unwrap();
    let names: Vec<&str> = metrics.iter().map(|m| m["metric"].as_str().unwrap()).collect();
    assert_eq!(names, ["sendRate", "throughput", "latency.p50", "latency.p95", "latency.p99", "failRate"]);
    let p50 = &metrics[2];
    let (b, c) = (p50["baseline"].as_f64().unwrap(), p50["current"].as_f64().unwrap());
    assert!((0.005..0.02).contains(&b) && (0.05..0.07).contains(&c), "{p50}");
    assert!((p50["change"].as_f64().unwrap() - (c - b)).abs() < 1e-12);
    assert_eq!(
        (&p50["unit"], &p50["limit"], &p50["verdict"]),
        (&"s".into(), &"+100%".into(), &"regressed".into())
    );
    assert_eq!(open["checks"][0]["verdict"], "ok");
    assert_eq!(v["summary"]["matched"], 2);
    assert!(v["summary"]["regressions"].as_u64().unwrap() >= 1);
}

#[test]
fn a_different_load_is_warned_in_every_format() {
    let r = runs();
    let mut other: Value = serde_json::from_str(&std::fs::read_to_string(&r.fast_again).unwrap()).unwrap();
    other["run"]["workers"] = 2.into();
    other["rounds"][0]["config"]["rateControl"]["opts"]["tps"] = 200.into();
    let file = r.dir.join("other-load.json");
    std::fs::write(&file, other.to_string()).unwrap();
    let mut args = vec![path(&r.fast), path(&file), "--format", "table"];
    args.extend(LOOSE);
    for format in ["table", "markdown", "json"] {
        args[3] = format;
        let out = compare(&args);
        assert_eq!(code(&out), 0, "a warning is not a regression: {}", show(&out));
        let text = stdout(&out);
        assert!(
            text.contains("different worker counts: 1 in the baseline, 2 in the current run"),
            "{format}: {text}"
        );
        assert!(text.contains("rateControl differs: "), "{format}: {text}");
    }
    let out = compare(&args);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"][1]["round"], "open");
}
