//! Resource monitors through the `caliper` binary on the built-in `sim` connector: the
//! `process` monitor against processes the test starts, the `prometheus` monitor against a
//! real Prometheus (skipped, saying why, when none is installed), and option mistakes that
//! stop the run before its start command.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use caliper_testkit::net::free_port;
use caliper_testkit::prometheus::{Prometheus, Server};
use common::*;
use serde_json::Value;

/// The tests that measure a busy loop's CPU run one at a time: two busy loops on a two-core
/// machine would each read less than a core.
static BUSY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Child processes killed when the test ends, however it ends.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(program: &str, args: &[&str]) -> Child {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} starts: {e}"))
}

fn bench(monitors: &str, seconds: u32) -> String {
    format!(
        "test:\n  workers: {{ number: 1 }}\n  rounds:\n    - label: load\n      txDuration: {seconds}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 50 }} }}\n      workload: {{ module: sim-mix }}\nmonitors:\n  resource:\n{monitors}"
    )
}

/// The monitor report of `module` in round 0.
fn monitor<'a>(results: &'a Value, module: &str) -> &'a Value {
    rounds(results)[0]["monitors"]
        .as_array()
        .expect("monitors is a list")
        .iter()
        .find(|m| m["module"] == module)
        .unwrap_or_else(|| panic!("no {module} monitor in {results}"))
}

/// The row of `table` whose `column` is `value`.
fn row<'a>(table: &'a Value, column: usize, value: &str) -> &'a Vec<Value> {
    table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(Value::as_array)
        .find(|r| r[column] == value)
        .unwrap_or_else(|| panic!("no row {value:?} in {table:#}"))
}

fn number(cell: &Value) -> f64 {
    cell.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a number: {cell}"))
}

#[test]
fn the_process_monitor_measures_the_processes_it_is_told_about() {
    let _busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
    let id = std::process::id();
    let sleep_arg = format!("30.{id}");
    let busy_mark = format!("busy-{id}");
    let exits_mark = format!("exits-{id}");
    let _children = Children(vec![
        spawn("sleep", &[&sleep_arg]),
        spawn("sh", &["-c", "while :; do :; done", &busy_mark]),
        // `; true` keeps the shell (with the marker) alive instead of exec'ing sleep.
        spawn("sh", &["-c", "sleep 1.5; true", &exits_mark]),
    ]);
    let monitors = format!(
        "    - module: process\n      options:\n        interval: 0.5\n        processes:\n          - {{ command: sleep, arguments: '{sleep_arg}' }}\n          - {{ command: sh, arguments: {busy_mark}, multiOutput: avg }}\n          - {{ command: sh, arguments: {exits_mark} }}\n          - {{ command: no-such-program-{id} }}\n"
    );
    let ws = Workspace::new(&bench(&monitors, 3), &sim_network("latency: { fixed: 1 }"));
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "a monitor's problems do not fail the run: {}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let at = stdout.find("### process resource stats ###").unwrap_or_else(|| panic!("{stdout}"));
    assert!(at > stdout.find("### Test result ###").expect("round table"), "{stdout}");
    assert!(stdout[at..].contains(&format!("sh {busy_mark}(avg)")), "{stdout}");

    let results = ws.results();
    let table = monitor(&results, "process");
    let columns: Vec<&str> = table["columns"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(columns[0], "Name");
    assert!(columns[1].starts_with("Memory(max) [") && columns[4] == "CPU%(avg)", "{columns:?}");
    let sleep = row(table, 0, &format!("sleep {sleep_arg}(sum)"));
    assert!(number(&sleep[1]) > 0.0, "sleep has resident memory: {sleep:?}");
    assert!(number(&sleep[3]) < 20.0, "sleep is idle: {sleep:?}");
    let busy = row(table, 0, &format!("sh {busy_mark}(avg)"));
    assert!(number(&busy[3]) > 50.0, "the busy loop uses a core: {busy:?}");
    assert!(number(&busy[2]) > 0.0, "{busy:?}");
    let missing = row(table, 0, &format!("no-such-program-{id}(sum)"));
    assert_eq!(missing[1..], [Value::from("-"), "-".into(), "-".into(), "-".into()]);
    let error = table["error"].as_str().expect("the problems are said");
    assert!(error.contains(&format!("\"sh {exits_mark}(sum)\" exited")), "{error}");
    assert!(error.contains(&format!("no process matched \"no-such-program-{id}(sum)\"")), "{error}");
    let exited = row(table, 0, &format!("sh {exits_mark}(sum)"));
    assert!(number(&exited[1]) > 0.0, "its samples before it exited are kept: {exited:?}");
    // Samples every 0.5 s over 3 s, the first dropped: about 6 per live process.
    let samples = table["samples"].as_array().expect("samples");
    let busy_samples: Vec<&Value> =
        samples.iter().filter(|s| s["item"] == format!("sh {busy_mark}(avg)")).collect();
    assert!((4..=8).contains(&busy_samples.len()), "{busy_samples:?}");
    assert!(busy_samples[0]["t"].as_f64().unwrap() > 0.3, "the first reading is dropped");
    assert!(busy_samples.iter().all(|s| s["values"]["memory"].as_f64().unwrap() > 0.0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARN") && stderr.contains("the process resource monitor in round 0"),
        "{stderr}"
    );
    // The HTML report shows the table and charts CPU and memory, a line per process.
    let html = std::fs::read_to_string(ws.file("report.html")).expect("report.html");
    assert!(html.contains("<h3>Resource monitor: process</h3>"), "the monitor's section");
    assert!(html.contains(&format!("sh {busy_mark}(avg)")) && html.contains("Memory(max) ["), "its table");
    for chart in ["process: CPU (% of one core)", "process: memory (MiB)"] {
        let at =
            html.find(&format!("aria-label=\"{chart}\"")).unwrap_or_else(|| panic!("{chart} in the report"));
        let svg = &html[at..at + html[at..].find("</svg>").unwrap()];
        assert!(svg.matches("<polyline").count() >= 2, "a line per process in {chart}");
    }
}

#[test]
fn a_round_shorter_than_the_interval_still_has_a_sample() {
    let _busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
    let id = std::process::id();
    let mark = format!("short-{id}");
    let _children = Children(vec![spawn("sh", &["-c", "while :; do :; done", &mark])]);
    let monitors = format!(
        "    - module: process\n      options:\n        processes: [{{ command: sh, arguments: {mark} }}]\n"
    );
    let ws = Workspace::new(&bench(&monitors, 1), &sim_network("latency: { fixed: 1 }"));
    // The default interval is caliper-monitor-interval: 10 s, longer than the round.
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let table = monitor(&results, "process");
    assert_eq!(table["samples"].as_array().map(Vec::len), Some(1), "{table:#}");
    assert!(number(&row(table, 0, &format!("sh {mark}(sum)"))[3]) > 20.0, "{table:#}");
}

#[test]
fn monitor_option_mistakes_stop_the_run_before_the_start_command() {
    let monitors = "    - module: process\n      options:\n        intervall: 1\n        processes: [{ comand: node }]\n    - module: prometheus\n      options: { url: 'http://127.0.0.1:9', metrics: { include: ['('], queries: [{ name: a, query: up, step: 1, label: job, statistic: mean }] } }\n    - module: docker\n      options: { containers: ['https://h/x'], interval: 0 }\n";
    let network = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n";
    let ws = Workspace::new(&bench(monitors, 1), network);
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(!ws.file("started").exists(), "the start command did not run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for want in [
        "bench.yaml:12:20: monitors.resource[0].options.intervall: unknown key \"intervall\" (did you mean \"interval\"?)",
        "monitors.resource[0].options.processes[0].comand: unknown key \"comand\" (did you mean \"command\"?)",
        "monitors.resource[0].options.processes[0].command: missing",
        "monitors.resource[1].options.metrics.include[0]: not a regular expression",
        "monitors.resource[1].options.metrics.queries[0].statistic: \"mean\" is not one of avg, max, min, sum",
        "monitors.resource[2].options.containers[0]: expected a container name or http://host:port/name, found https://h/x",
        "monitors.resource[2].options.interval: expected a number above 0, found 0",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in\n{stderr}");
    }
    assert!(!ws.file("results.json").exists());
}

/// A Prometheus scraping itself, with `up{job="self"}` scraped at least once (so every step of
/// a round has it); `None` (and why, printed) when there is no Prometheus binary.
fn prometheus() -> Option<Server> {
    let bin = match Prometheus::find() {
        Ok(bin) => bin,
        Err(why) => {
            eprintln!("skipped: {why}");
            return None;
        }
    };
    let server = Prometheus::start_self(&bin);
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.get("/api/v1/query?query=up").is_none_or(|body| !body.contains("\"self\"")) {
        assert!(Instant::now() < deadline, "prometheus did not scrape itself");
        std::thread::sleep(Duration::from_millis(200));
    }
    Some(server)
}

/// A query of `server`, its whole answer.
fn query(server: &Server, promql: &str) -> Value {
    let encoded: String = promql
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let body = server.get(&format!("/api/v1/query?query={encoded}")).expect("prometheus answers");
    serde_json::from_str(&body).expect("JSON")
}

#[test]
fn the_prometheus_monitor_reports_what_prometheus_answers() {
    let Some(prometheus) = prometheus() else { return };
    let port = prometheus.port();
    let monitors = format!(
        "    - module: prometheus\n      options:\n        url: http://127.0.0.1:{port}/\n        metrics:\n          include: [self, '^2\\.']\n          queries:\n            - {{ name: Up, query: up, step: 1, label: job, statistic: max }}\n            - {{ name: Up plus one, query: 'up + 1', step: 1, label: job, statistic: min, multiplier: 10 }}\n            - {{ name: Build, query: prometheus_build_info, step: 1, label: version, statistic: avg, multiplier: 2 }}\n            - {{ name: Nothing, query: no_such_metric, step: 1, label: job, statistic: sum }}\n"
    );
    let ws = Workspace::new(&bench(&monitors, 2), &sim_network("latency: { fixed: 1 }"));
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("### prometheus resource stats ###"),
        "{}",
        show(&out)
    );
    let results = ws.results();
    let table = monitor(&results, "prometheus");
    let up = row(table, 2, "self");
    assert_eq!(up[..], [Value::from("Up"), "up".into(), "self".into(), "1.00".into()], "{table:#}");
    // The whole query is encoded: `+` reaches Prometheus as a plus, not a space.
    let plus = row(table, 0, "Up plus one");
    assert_eq!(plus[2..], [Value::from("self"), "20.0".into()], "{table:#}");
    // The build's version, as a direct query names it.
    let direct = query(&prometheus, "prometheus_build_info");
    let version = direct["data"]["result"][0]["metric"]["version"].as_str().expect("a version label");
    let build = row(table, 0, "Build");
    assert_eq!(build[2..], [Value::from(version), "2.00".into()], "{table:#}");
    let nothing = row(table, 0, "Nothing");
    assert_eq!(nothing[2..], [Value::from("-"), "-".into()]);
    assert!(table["error"].as_str().is_some_and(|e| e.contains("query \"Nothing\"")), "{table:#}");
    // The samples are the series' points, from the round's start.
    let samples = table["samples"].as_array().unwrap();
    let ups: Vec<&Value> = samples.iter().filter(|s| s["values"].get("Up").is_some()).collect();
    assert!((2..=4).contains(&ups.len()), "{ups:?}");
    assert!(ups.iter().all(|s| s["values"]["Up"] == 1.0 && s["t"].as_f64().unwrap() >= -0.01));
}

#[test]
fn an_unreachable_prometheus_is_said_and_the_run_goes_on() {
    let port = free_port();
    let monitors = format!(
        "    - module: prometheus\n      options:\n        url: http://127.0.0.1:{port}\n        metrics: {{ include: ['.*'], queries: [{{ name: Up, query: up, step: 1, label: job, statistic: max }}] }}\n"
    );
    let ws = Workspace::new(&bench(&monitors, 1), &sim_network("latency: { fixed: 1 }"));
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("### prometheus resource stats ###") && stdout.contains("Note: query \"Up\""),
        "{stdout}"
    );
    let results = ws.results();
    let table = monitor(&results, "prometheus");
    assert_eq!(table["rows"][0], serde_json::json!(["Up", "up", "-", "-"]));
    let error = table["error"].as_str().expect("error");
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("WARN") && stderr.contains("the prometheus resource monitor"), "{stderr}");
}

#[test]
fn caliper_check_lists_the_monitors_it_would_run() {
    let monitors = "    - module: process\n      options: { processes: [{ command: geth }] }\n    - module: docker\n      options: { containers: [all] }\n";
    let ws = Workspace::new(&bench(monitors, 1), &sim_network("latency: { fixed: 1 }"));
    let out = ws.check(&[]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  monitors     process, docker (around each round's test phase)"), "{text}");
    let out = ws.check(&["--output", "json"]);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(plan["monitors"], serde_json::json!(["process", "docker"]));
}

#[test]
fn a_failed_round_keeps_its_monitors_results() {
    // The workers themselves are monitored (their command lines name this workspace); one of
    // them is killed: the round fails, and the monitor says the process exited.
    let ws = Workspace::new("", &sim_network("latency: { fixed: 2 }"));
    let dir = ws.path().display().to_string();
    let monitors = format!(
        "    - module: process\n      options:\n        interval: 0.5\n        processes: [{{ command: caliper, arguments: 'worker --caliper-workspace {dir}' }}]\n"
    );
    let bench = bench(&monitors, 30).replace("workers: { number: 1 }", "workers: { number: 2 }");
    std::fs::write(ws.file("bench.yaml"), bench).expect("write");
    let child = ws.manager(&[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("caliper runs");
    let kids = workers_of(child.id(), 2);
    std::thread::sleep(Duration::from_secs(2));
    signal(kids[0], "KILL");
    let out = wait_output(child, Duration::from_secs(30));
    assert_eq!(code(&out), 3, "a round failed: {}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("### process resource stats ###"), "{stdout}");
    let results = ws.results();
    let round = &rounds(&results)[0];
    assert_eq!(round["status"], "failed");
    let table = monitor(&results, "process");
    let workers = &table["rows"][0];
    assert!(number(&workers[1]) > 0.0 && number(&workers[3]) >= 0.0, "{table:#}");
    let error = table["error"].as_str().unwrap_or_default();
    assert!(error.contains(&format!("process {} of", kids[0])) && error.contains("exited"), "{table:#}");
}
