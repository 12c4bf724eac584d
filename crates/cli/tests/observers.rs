//! Transaction observers through the binary: the `logging` lines, the `prometheus` endpoint of
//! each worker scraped by a real Prometheus, and the `prometheus-push` observer's pushes to a
//! real Pushgateway holding the run's totals; bad options refused before anything starts.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use caliper_testkit::net::{free_port, http_get};
use caliper_testkit::prometheus::{Prometheus, Pushgateway};
use common::*;
use serde_json::Value;

fn bench(workers: usize, size: &str, tps: u64, monitors: &str) -> String {
    format!(
        "test:\n  workers: {{ number: {workers} }}\n  rounds:\n    - label: open\n      {size}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix }}\nmonitors:\n  transaction:\n{monitors}"
    )
}

/// The samples of `metric` in a text exposition: labels (sorted) → value.
fn samples(text: &str, metric: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    text.lines()
        .filter(|l| l.starts_with(metric) && l[metric.len()..].starts_with(['{', ' ']))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let labels = series[metric.len()..].trim_start_matches('{').trim_end_matches('}');
            let labels = labels
                .split(',')
                .filter(|p| !p.is_empty())
                .filter_map(|p| {
                    p.split_once('=').map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                })
                .collect();
            Some((labels, value.parse().ok()?))
        })
        .collect()
}

fn sum(text: &str, metric: &str, filter: &[(&str, &str)]) -> f64 {
    samples(text, metric)
        .iter()
        .filter(|(labels, _)| filter.iter().all(|(k, v)| labels.get(*k).is_some_and(|l| l == v)))
        .map(|(_, v)| v)
        .sum()
}

#[test]
fn the_logging_observer_logs_every_finished_transaction_as_json() {
    let ws = Workspace::new(
        &bench(2, "txNumber: 40", 200, "    - module: logging\n      options: { messageLevel: info }\n"),
        &sim_network("latency: { fixed: 1 }, failureRatio: 0.25, seed: 3"),
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `[worker N] {...} logger="txInfo"`, relayed by the manager.
    let lines: Vec<Value> = stderr
        .lines()
        .filter_map(|l| l.rsplit_once(" logger=\"txInfo\"").map(|(head, _)| head))
        .filter_map(|head| head.find("] {").map(|i| &head[i + 2..]))
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    assert_eq!(lines.len(), 40, "one line per transaction:\n{stderr}");
    let results = ws.results();
    let r = &rounds(&results)[0];
    let failed = lines.iter().filter(|l| l["status"]["status"] == "failed").count() as u64;
    assert_eq!(failed, r["fail"].as_u64().unwrap());
    let workers: std::collections::BTreeSet<u64> =
        lines.iter().filter_map(|l| l["workerIndex"].as_u64()).collect();
    assert_eq!(workers.into_iter().collect::<Vec<_>>(), [0, 1]);
    assert!(lines.iter().all(|l| l["roundIndex"] == 0 && l["status"]["timeCreate"].is_u64()));
}

#[test]
fn the_push_observer_leaves_the_round_s_totals_on_a_real_pushgateway() {
    let bin = match Pushgateway::find() {
        Ok(bin) => bin,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let gateway = Pushgateway::start(&bin);
    let monitors = format!(
        "    - module: prometheus-push\n      options: {{ pushUrl: '{}', pushInterval: 200, defaultLabels: {{ run: itest }} }}\n",
        gateway.url()
    );
    let ws = Workspace::new(
        &bench(2, "txNumber: 300", 300, &monitors),
        &sim_network("latency: { fixed: 20 }, failureRatio: 0.2, seed: 5"),
    );
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let r = &rounds(&results)[0];
    let text = gateway.get("/metrics").expect("the Pushgateway serves its metrics");
    let group = [("job", "caliper-workers"), ("roundIndex", "0"), ("roundLabel", "open"), ("run", "itest")];
    assert_eq!(sum(&text, "caliper_tx_submitted", &group), r["submitted"].as_f64().unwrap(), "{text}");
    let by = |status| [group.as_slice(), &[("final_status", status)]].concat();
    assert_eq!(sum(&text, "caliper_tx_finished", &by("success")), r["succ"].as_f64().unwrap());
    assert_eq!(sum(&text, "caliper_tx_finished", &by("failed")), r["fail"].as_f64().unwrap());
    assert_eq!(sum(&text, "caliper_tx_e2e_latency_count", &by("success")), r["succ"].as_f64().unwrap());
    // A group per worker, each with its own share.
    for worker in ["0", "1"] {
        let mine = [group.as_slice(), &[("workerIndex", worker)]].concat();
        assert_eq!(sum(&text, "caliper_tx_submitted", &mine), 150.0, "worker {worker}: {text}");
    }
}

#[test]
fn each_worker_serves_its_metrics_during_the_round_and_prometheus_scrapes_them() {
    let bin = match Prometheus::find() {
        Ok(bin) => bin,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let base = free_port();
    let targets: Vec<String> = (0..2).map(|w| format!("127.0.0.1:{}", base + w)).collect();
    let prometheus = Prometheus::start(&bin, &targets, "/caliper");
    let monitors =
        format!("    - module: prometheus\n      options: {{ scrapePort: {base}, metricPath: /caliper }}\n");
    let ws = Workspace::new(
        &bench(2, "txDuration: 8", 100, &monitors),
        &sim_network("latency: { fixed: 5 }, seed: 9"),
    );
    let child = ws
        .manager(&[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("caliper runs");
    // During the round, worker 1 answers on base + 1 with Caliper's names and labels.
    let start = Instant::now();
    let mut seen = None;
    while start.elapsed() < Duration::from_secs(20) && seen.is_none() {
        seen = http_get(base + 1, "/caliper")
            .filter(|(status, body)| *status == 200 && body.contains("caliper_tx_submitted"))
            .map(|(_, body)| body);
        std::thread::sleep(Duration::from_millis(200));
    }
    let text = seen.expect("worker 1 serves its metrics during the round");
    assert!(
        sum(
            &text,
            "caliper_tx_submitted",
            &[("workerIndex", "1"), ("roundIndex", "0"), ("roundLabel", "open")]
        ) > 0.0,
        "{text}"
    );
    let out = wait_output(child, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    // The round is over: the endpoints are closed, as Caliper's.
    assert!(http_get(base, "/caliper").is_none(), "closed after the round");
    // Prometheus scraped both workers while the round ran.
    let results = ws.results();
    let submitted = rounds(&results)[0]["submitted"].as_f64().unwrap();
    let query = "/api/v1/query?query=max_over_time(caliper_tx_submitted%5B1m%5D)";
    let answer: Value = serde_json::from_str(&prometheus.get(query).expect("Prometheus answers")).unwrap();
    let series = answer["data"]["result"].as_array().cloned().unwrap_or_default();
    let workers: Vec<&str> = series.iter().filter_map(|s| s["metric"]["workerIndex"].as_str()).collect();
    assert!(workers.contains(&"0") && workers.contains(&"1"), "both workers scraped: {answer}");
    let scraped: f64 = series.iter().filter_map(|s| s["value"][1].as_str()?.parse::<f64>().ok()).sum();
    // The last scrape was at most a second before the round's end.
    assert!(scraped > 0.0 && scraped <= submitted, "scraped {scraped} of {submitted}");
}

#[test]
fn bad_observer_options_are_refused_before_anything_starts() {
    let monitors = "    - module: prometheus-push\n      options: { pushUrll: 'http://x' , pushInterval: -1 }\n    - module: logging\n      options: { messageLevel: loud }\n";
    let network = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n";
    let ws = Workspace::new(&bench(1, "txNumber: 5", 10, monitors), network);
    let out = ws.run(&[], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "monitors.transaction[0].options.pushUrll: unknown option (did you mean \"pushUrl\"?)",
        "monitors.transaction[0].options: missing option \"pushUrl\"",
        "monitors.transaction[0].options.pushInterval",
        "monitors.transaction[1].options.messageLevel: unknown level \"loud\"",
    ] {
        assert!(stderr.contains(needle), "{needle:?} in:\n{stderr}");
    }
    assert!(!ws.file("started").exists(), "nothing was started");
}

#[test]
fn the_manager_serves_every_worker_s_metrics_and_prometheus_ends_with_the_run_s_totals() {
    let bin = match Prometheus::find() {
        Ok(bin) => bin,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let port = free_port();
    let prometheus = Prometheus::start(&bin, &[format!("127.0.0.1:{port}")], "/metrics");
    let monitors = format!(
        "    - module: prometheus\n      options: {{ endpoint: manager, scrapePort: {port}, histogramBuckets: {{ explicit: [0.005, 0.05, 0.5] }} }}\n"
    );
    // Two rounds, the second slower, with failures; the drain gives up on none.
    let bench = format!(
        "test:\n  workers: {{ number: 2 }}\n  rounds:\n    - label: open\n      txDuration: 3\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 100 }} }}\n      workload: {{ module: sim-mix }}\n    - label: query\n      txNumber: 150\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 100 }} }}\n      workload: {{ module: sim-mix, arguments: {{ mix: {{ read: 1 }} }} }}\nmonitors:\n  transaction:\n{monitors}"
    );
    let ws = Workspace::new(&bench, &sim_network("latency: { fixed: 20 }, failureRatio: 0.1, seed: 11"));
    let out = ws.run(&[], Duration::from_secs(90));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let query = |q: &str| -> Value {
        let q = q
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22");
        serde_json::from_str(
            &prometheus.get(&format!("/api/v1/query?query={q}")).expect("Prometheus answers"),
        )
        .unwrap()
    };
    let total = |q: &str| -> f64 {
        query(q)["data"]["result"]
            .as_array()
            .map(|r| r.iter().filter_map(|s| s["value"][1].as_str()?.parse::<f64>().ok()).sum())
            .unwrap_or(f64::NAN)
    };
    for (i, round) in rounds(&results).iter().enumerate() {
        let at = |metric: &str, status: &str| {
            let status =
                if status.is_empty() { String::new() } else { format!(",final_status=\"{status}\"") };
            total(&format!("sum(max_over_time({metric}{{roundIndex=\"{i}\"{status}}}[5m]))"))
        };
        assert_eq!(at("caliper_tx_submitted", ""), round["submitted"].as_f64().unwrap(), "round {i}");
        assert_eq!(at("caliper_tx_finished", "success"), round["succ"].as_f64().unwrap(), "round {i}");
        assert_eq!(at("caliper_tx_finished", "failed"), round["fail"].as_f64().unwrap(), "round {i}");
        assert_eq!(
            at("caliper_tx_e2e_latency_count", "success"),
            round["succ"].as_f64().unwrap(),
            "round {i}"
        );
        // Every success took 20 ms: all of them under 0.05 s, none under 0.005 s.
        let bucket = |le: &str| {
            total(&format!(
                "sum(max_over_time(caliper_tx_e2e_latency_bucket{{roundIndex=\"{i}\",final_status=\"success\",le=\"{le}\"}}[5m]))"
            ))
        };
        assert_eq!((bucket("0.005"), bucket("0.05")), (0.0, round["succ"].as_f64().unwrap()), "round {i}");
    }
    // Both workers' series, with the round's label.
    let series = query("max_over_time(caliper_tx_submitted[5m])");
    let labels: std::collections::BTreeSet<(String, String)> = series["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["metric"]["workerIndex"].as_str().unwrap().to_string(),
                s["metric"]["roundLabel"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(labels.len(), 4, "2 workers x 2 rounds: {series}");
}

#[test]
fn a_scrape_port_in_use_is_refused_before_anything_starts() {
    let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let network = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n";
    for (endpoint, said) in [
        ("workers", "worker 0 would serve its metrics on port"),
        ("manager", "cannot serve the metrics on port"),
    ] {
        let monitors = format!(
            "    - module: prometheus\n      options: {{ endpoint: {endpoint}, scrapePort: {port} }}\n"
        );
        let ws = Workspace::new(&bench(1, "txNumber: 5", 10, &monitors), network);
        let out = ws.run(&[], Duration::from_secs(30));
        assert_eq!(code(&out), 2, "{}", show(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(said) && stderr.contains(&port.to_string()), "{endpoint}: {stderr}");
        assert!(!ws.file("started").exists(), "nothing was started");
    }
}
