//! The parts of the page: the run, the summary of all rounds, and each round's section.
//!
//! Tables are plain HTML with their layout in attributes (`border`, `cellpadding`, `align`),
//! so they read where CSS is blocked. Every text that comes from the user or the SUT
//! (labels, descriptions, `info`, configuration, error messages) goes through [`esc`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::distribution::{self, Curve};
use super::format::{NONE, count, esc, latency, latency_opt, mebibytes, rate};
use super::svg::{BLUE, Chart, GREEN, Line, ORANGE, RED, XAxis};
use super::timeline::{Points, Timeline};
use crate::json::{LatencyFigures, ResultsFile, RoundResult, RoundResultStatus, RunInfo};

/// A table cell: text to escape, or markup made here.
pub(super) enum Cell {
    /// Text, escaped when written.
    Text(String),
    /// Markup made here.
    Html(String),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// Appends a table. `align` has one letter per column: `l` left, `r` right (figures).
pub(super) fn table(
    out: &mut String,
    class: &str,
    head: &[&str],
    align: &str,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) {
    let _ = write!(out, r#"<table class="{class}" border="1" cellspacing="0" cellpadding="4">"#);
    if !head.is_empty() {
        out.push_str("<thead><tr>");
        for h in head {
            let _ = write!(out, "<th>{}</th>", esc(h));
        }
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.into_iter().enumerate() {
            let right = align.as_bytes().get(i) == Some(&b'r');
            out.push_str(if right { r#"<td align="right">"# } else { "<td>" });
            match cell {
                Cell::Text(t) => out.push_str(&esc(&t)),
                Cell::Html(h) => out.push_str(&h),
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// A JSON value as a person reads it: a string as is, anything else as compact JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The word for a round's status, which is also its CSS class.
fn status_word(status: RoundResultStatus) -> &'static str {
    match status {
        RoundResultStatus::Passed => "passed",
        RoundResultStatus::Failed => "failed",
        RoundResultStatus::NotRun => "not run",
    }
}

fn status_cell(status: RoundResultStatus) -> Cell {
    let word = status_word(status);
    Cell::Html(format!(r#"<span class="{}">{word}</span>"#, word.replace(' ', "-")))
}

/// The run: what ran, on what, when, and how it ended (with the error that stopped it).
pub(crate) fn run_info(out: &mut String, results: &ResultsFile) {
    let run = &results.run;
    let verdict = match (run.interrupted, &run.error, run.passed) {
        (true, _, _) => "interrupted",
        (_, Some(_), _) => "stopped by an error",
        (_, None, true) => "passed",
        (_, None, false) => "failed",
    };
    let _ = write!(
        out,
        r#"<p class="verdict {c}"><strong>Run {verdict}</strong>: {} of {} round(s) passed.</p>"#,
        results.rounds.iter().filter(|r| r.status == RoundResultStatus::Passed).count(),
        results.rounds.len(),
        c = verdict.replace(' ', "-"),
    );
    if run.interrupted {
        out.push_str(r#"<p class="error"><strong>The run was interrupted</strong> (Ctrl-C): the rounds below are what ran.</p>"#);
    }
    if let Some(error) = &run.error {
        let _ = write!(out, r#"<p class="error"><strong>The run stopped:</strong> {}</p>"#, esc(error));
    }
    out.push_str(r#"<h2 id="basic">Basic information</h2>"#);
    let rows = [
        ("Name", run.name.clone()),
        ("Description", run.description.clone().unwrap_or_else(|| NONE.to_owned())),
        ("DLT", run.blockchain.clone()),
        ("Benchmark rounds", results.rounds.len().to_string()),
        (
            "Workers",
            if run.workers_auto {
                format!("{} (auto: one per core)", run.workers)
            } else {
                run.workers.to_string()
            },
        ),
        ("Started", run.started_at.clone()),
        ("Finished", run.finished_at.clone()),
        ("Tool", format!("{} {}", results.tool.name, results.tool.version)),
    ];
    table(
        out,
        "info",
        &[],
        "ll",
        rows.into_iter().map(|(k, v)| vec![Cell::Text(k.to_owned()), Cell::Text(v)]),
    );
    system_under_test(out, run);
}

/// The network configuration's `info` block (Caliper's "System under test").
fn system_under_test(out: &mut String, run: &RunInfo) {
    out.push_str(r#"<h2 id="sut">System under test</h2>"#);
    if run.info.is_empty() {
        out.push_str("<p>The network configuration has no <code>info</code> block.</p>");
        return;
    }
    table(
        out,
        "info",
        &[],
        "ll",
        run.info.iter().map(|(k, v)| vec![Cell::Text(k.clone()), Cell::Text(plain(v))]),
    );
}

/// The columns of the summary table and of a round's performance table: Caliper's, with
/// percentiles and the status.
const SUMMARY_COLUMNS: [&str; 12] = [
    "Name",
    "Succ",
    "Fail",
    "Send Rate (tx/s)",
    "Max Latency",
    "Min Latency",
    "Avg Latency",
    "Throughput (tx/s)",
    "p50",
    "p95",
    "p99",
    "Status",
];

fn summary_row(r: &RoundResult, link: bool) -> Vec<Cell> {
    let name = if link {
        Cell::Html(format!(r##"<a href="#round-{}">{}</a>"##, r.index, esc(&r.label)))
    } else {
        Cell::Text(r.label.clone())
    };
    let l = &r.latency;
    vec![
        name,
        count(r.succ).into(),
        count(r.fail).into(),
        rate(r.send_rate).into(),
        latency_opt(l.max).into(),
        latency_opt(l.min).into(),
        latency_opt(l.avg).into(),
        rate(r.throughput).into(),
        latency_opt(l.p50).into(),
        latency_opt(l.p95).into(),
        latency_opt(l.p99).into(),
        status_cell(r.status),
    ]
}

/// Caliper's "Summary of performance metrics": one row per round, in order.
pub(crate) fn summary(out: &mut String, rounds: &[RoundResult]) {
    out.push_str(r#"<h2 id="summary">Summary of performance metrics</h2>"#);
    table(out, "summary", &SUMMARY_COLUMNS, "lrrrrrrrrrrl", rounds.iter().map(|r| summary_row(r, true)));
    out.push_str(
        "<p class=\"note\">Latencies are those of successful transactions, creation to final state. \
         Send rate and throughput are Caliper's: (succ + fail) over the span of the creation \
         times, and from the first creation to the last final state.</p>",
    );
}

/// One round's section: configuration, figures, charts, failures, workers.
pub(crate) fn round(out: &mut String, r: &RoundResult, curve: Option<&Curve>) {
    let _ = write!(
        out,
        r#"<section id="round-{i}" class="round"><h2>Round {i}: {} <small>({})</small></h2>"#,
        esc(&r.label),
        status_word(r.status),
        i = r.index,
    );
    if let Some(d) = &r.description {
        let _ = write!(out, "<p>{}</p>", esc(d));
    }
    if let Some(e) = &r.error {
        let why = if r.status == RoundResultStatus::NotRun { "Did not run" } else { "Failed" };
        let _ = write!(out, r#"<p class="error"><strong>{why}:</strong> {}</p>"#, esc(e));
    }
    configuration(out, &r.config);
    if r.status == RoundResultStatus::NotRun {
        out.push_str("</section>");
        return;
    }
    performance(out, r);
    if let Some(search) = &r.peak_search {
        super::peak::section(out, search);
    }
    charts(out, r, curve);
    failures(out, r);
    workers(out, r);
    resource_monitors(out, r);
    out.push_str("</section>");
}

/// The round's configuration: the load (txNumber or txDuration), the rate controller and
/// the workload module with its arguments (secrets already redacted in the results).
fn configuration(out: &mut String, config: &Value) {
    out.push_str("<h3>Configuration</h3>");
    let Some(map) = config.as_object() else {
        let _ = write!(out, "<pre>{}</pre>", esc(&plain(config)));
        return;
    };
    let mut rows: Vec<(u8, String, String)> = Vec::new();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("txNumber", v) => rows.push((0, "Transactions (txNumber)".into(), plain(v))),
            ("txDuration", v) => rows.push((0, "Duration (txDuration, s)".into(), plain(v))),
            // `rateControl.type`, `rateControl.opts`, `workload.module`, `workload.arguments`,
            // in that order: what runs, then how it is set.
            ("rateControl" | "workload", Value::Object(inner)) => {
                rows.extend(inner.iter().map(|(k, v)| {
                    let rank = match (key.as_str(), k.as_str()) {
                        ("rateControl", "type") => 1,
                        ("rateControl", _) => 2,
                        (_, "module") => 3,
                        _ => 4,
                    };
                    (rank, format!("{key}.{k}"), plain(v))
                }));
            }
            // Shown in the section's heading already.
            ("label" | "description", _) => {}
            (k, v) => rows.push((5, k.to_owned(), plain(v))),
        }
    }
    rows.sort_by_key(|r| r.0);
    let cells = rows.into_iter().map(|(_, k, v)| {
        vec![Cell::Html(format!("<code>{}</code>", esc(&k))), Cell::Html(format!("<code>{}</code>", esc(&v)))]
    });
    table(out, "config", &["Setting", "Value"], "ll", cells);
}

/// The round's figures: Caliper's row, every latency distribution, and what limited the load.
fn performance(out: &mut String, r: &RoundResult) {
    let _ = write!(out, "<h3>Performance metrics for {}</h3>", esc(&r.label));
    table(out, "summary", &SUMMARY_COLUMNS, "lrrrrrrrrrrl", [summary_row(r, false)]);
    let mut facts = vec![format!("{} submitted in {}", count(r.submitted), latency(r.duration_s))];
    if r.in_flight_peak > 0 {
        facts.push(format!("at most {} in flight in one worker", count(r.in_flight_peak)));
    }
    if let Some(u) = &r.usage {
        facts.push(format!(
            "workers used {:.1} CPU s, peak memory {}",
            u.cpu_seconds,
            mebibytes(u.peak_rss_bytes)
        ));
    }
    let _ = write!(out, r#"<p class="note">{}.</p>"#, esc(&facts.join("; ")));
    if r.held_back > 0 {
        let _ = write!(
            out,
            r#"<p class="error">{} transaction(s) held back by <code>caliper-worker-max-in-flight</code> (sent late, or not at all): the SUT did not keep up with the rate.</p>"#,
            count(r.held_back)
        );
    }
    let rows = [
        ("successful", &r.latency),
        ("corrected for coordinated omission", &r.corrected_latency),
        ("failed", &r.failed_latency),
        ("send lateness (the generator's lag)", &r.send_lateness),
    ];
    let line = |(name, l): (&str, &LatencyFigures)| {
        let mut row: Vec<Cell> = vec![Cell::Text(name.to_owned())];
        row.extend([l.min, l.avg, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map(|v| latency_opt(v).into()));
        row
    };
    table(
        out,
        "latency",
        &["Latency", "min", "avg", "p50", "p90", "p95", "p99", "p99.9", "max"],
        "lrrrrrrrr",
        rows.into_iter().map(line),
    );
}

/// The per-second charts and the latency distribution.
fn charts(out: &mut String, r: &RoundResult, curve: Option<&Curve>) {
    let t = Timeline::new(&r.series);
    let (each, window) = match t.window {
        1 => (" per second", String::new()),
        w => ("", format!(" ({w}-second windows: rates averaged; p99 and in flight the largest)")),
    };
    let mut rate_lines = vec![
        Line { name: "submitted/s", color: BLUE, points: t.submitted },
        Line { name: "finished/s (succ+fail)", color: GREEN, points: t.finished },
    ];
    if r.fail > 0 {
        rate_lines.push(Line { name: "failed/s", color: RED, points: t.failed });
    }
    let charts = [
        Chart {
            title: format!("Send rate and throughput{each} (tx/s){window}"),
            x: XAxis::Seconds,
            y_label: axis_count,
            whole_y: true,
            lines: rate_lines,
        },
        Chart {
            title: format!("Latency{each} of the successful transactions{window}"),
            x: XAxis::Seconds,
            y_label: axis_latency,
            whole_y: false,
            lines: vec![
                Line { name: "p50", color: BLUE, points: t.p50 },
                Line { name: "p99", color: ORANGE, points: t.p99 },
            ],
        },
        Chart {
            title: format!("Transactions in flight (submitted minus finished, end of each second){window}"),
            x: XAxis::Seconds,
            y_label: axis_count,
            whole_y: true,
            lines: vec![Line { name: "in flight", color: BLUE, points: t.in_flight }],
        },
    ];
    out.push_str(r#"<h3>Charts</h3><div class="charts">"#);
    for chart in &charts {
        figure(out, chart);
    }
    let fallback;
    let (points, how) = match curve {
        Some(c) => (Some(c), "from the histogram of every one"),
        None => {
            fallback = distribution::from_figures(&r.latency, r.succ);
            (fallback.as_ref(), "through the round's percentiles")
        }
    };
    let chart = Chart {
        title: format!("Latency by percentile of the successful transactions, {how}"),
        x: XAxis::Percentile,
        y_label: axis_latency,
        whole_y: false,
        lines: vec![Line {
            name: "latency",
            color: BLUE,
            points: points.into_iter().flatten().map(|p| Some(*p)).collect(),
        }],
    };
    figure(out, &chart);
    out.push_str("</div>");
}

pub(super) fn figure(out: &mut String, chart: &Chart) {
    out.push_str(r#"<figure class="chart">"#);
    chart.draw(out);
    let _ = write!(out, "<figcaption>{}</figcaption></figure>", esc(&chart.title));
}

/// A y tick of a count or rate: `1,200`.
pub(super) fn axis_count(y: f64) -> String {
    if y.fract() == 0.0 { count(y as u64) } else { format!("{y}") }
}

/// A y tick of a latency: `20 ms`, `0.5 ms`, `1.5 s`, with no trailing zeros.
pub(super) fn axis_latency(y: f64) -> String {
    let trim = |v: f64| (v * 1000.0).round() / 1000.0;
    if y < 1.0 { format!("{} ms", trim(y * 1e3)) } else { format!("{} s", trim(y)) }
}

/// Failed transactions by class, most frequent first.
fn failures(out: &mut String, r: &RoundResult) {
    if r.failures.is_empty() {
        return;
    }
    out.push_str("<h3>Failures by class</h3>");
    let mut by_count: Vec<(&String, &u64)> = r.failures.iter().collect();
    by_count.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let total = r.fail.max(1) as f64;
    let rows = by_count.into_iter().map(|(class, n)| {
        vec![
            Cell::Text(class.clone()),
            count(*n).into(),
            format!("{:.1} %", *n as f64 * 100.0 / total).into(),
        ]
    });
    table(out, "failures", &["Class", "Failed", "Share of failures"], "lrr", rows);
}

/// Each worker's part of the round.
fn workers(out: &mut String, r: &RoundResult) {
    if r.workers.is_empty() {
        return;
    }
    out.push_str("<h3>Workers</h3>");
    // The error column only when a worker had one.
    let errors = r.workers.iter().any(|w| w.error.is_some());
    let rows = r.workers.iter().map(|w| {
        let mut row: Vec<Cell> = vec![
            w.index.to_string().into(),
            count(w.submitted).into(),
            count(w.succ).into(),
            count(w.fail).into(),
            rate(w.send_rate).into(),
            rate(w.throughput).into(),
            latency_opt(w.latency.avg).into(),
            latency_opt(w.latency.p50).into(),
            latency_opt(w.latency.p99).into(),
            latency_opt(w.latency.max).into(),
            count(w.in_flight_peak).into(),
            count(w.held_back).into(),
            w.usage.map_or(NONE.to_owned(), |u| format!("{:.1}", u.cpu_seconds)).into(),
            w.usage.map_or(NONE.to_owned(), |u| mebibytes(u.peak_rss_bytes)).into(),
        ];
        if errors {
            row.push(w.error.clone().unwrap_or_default().into());
        }
        row
    });
    let head = [
        "Worker",
        "Submitted",
        "Succ",
        "Fail",
        "Send Rate (tx/s)",
        "Throughput (tx/s)",
        "Avg Latency",
        "p50",
        "p99",
        "Max Latency",
        "In flight (peak)",
        "Held back",
        "CPU s",
        "Peak memory",
        "Error",
    ];
    let head = if errors { &head[..] } else { &head[..head.len() - 1] };
    table(out, "workers", head, "rrrrrrrrrrrrrrl", rows);
}

/// Where the round's resource monitors (process, docker, prometheus) will show their tables
/// and charts. There are no resource monitors yet: nothing is drawn.
fn resource_monitors(out: &mut String, round: &RoundResult) {
    for report in &round.monitors {
        let _ = write!(out, "<h3>Resource monitor: {}</h3>", esc(&report.module));
        if let Some(error) = &report.error {
            let _ = write!(out, r#"<p class="note">Note: {}</p>"#, esc(error));
        }
        let head: Vec<&str> = report.columns.iter().map(String::as_str).collect();
        // Figures right-aligned, the names before them left.
        let align: String = head.iter().enumerate().map(|(i, _)| if i == 0 { 'l' } else { 'r' }).collect();
        let rows = report.rows.iter().map(|row| row.iter().cloned().map(Cell::Text).collect::<Vec<_>>());
        table(out, "monitor", &head, &align, rows);
        monitor_charts(out, report);
    }
}

/// One chart per measured quantity, one line per item, over the round's seconds; a quantity
/// measured fewer than twice for every item (a query's statistic) has no chart.
fn monitor_charts(out: &mut String, report: &caliper_core::monitor::MonitorReport) {
    const COLORS: [&str; 4] = [BLUE, ORANGE, GREEN, RED];
    let mut by_metric: BTreeMap<&str, BTreeMap<&str, Points>> = BTreeMap::new();
    for sample in &report.samples {
        for (metric, value) in &sample.values {
            if value.is_finite() {
                // Memory is drawn in MiB, so its axis has round ticks.
                let y = if metric == "memory" { value / (1024.0 * 1024.0) } else { *value };
                by_metric
                    .entry(metric)
                    .or_default()
                    .entry(&sample.item)
                    .or_default()
                    .push(Some((sample.t, y)));
            }
        }
    }
    let charts: Vec<Chart> = by_metric
        .into_iter()
        .filter(|(_, items)| items.values().any(|points| points.len() > 1))
        .map(|(metric, items)| {
            let (title, y_label): (String, fn(f64) -> String) = match metric {
                "memory" => (format!("{}: memory (MiB)", report.module), axis_count),
                "cpu" => (format!("{}: CPU (% of one core)", report.module), axis_count),
                other => (format!("{}: {other}", report.module), axis_count),
            };
            let lines = items
                .into_iter()
                .enumerate()
                .map(|(i, (item, points))| Line { name: item, color: COLORS[i % COLORS.len()], points })
                .collect();
            Chart { title, x: XAxis::Seconds, y_label, whole_y: false, lines }
        })
        .collect();
    if charts.is_empty() {
        return;
    }
    out.push_str(r#"<div class="charts">"#);
    for chart in &charts {
        figure(out, chart);
    }
    out.push_str("</div>");
}

/// The resolved benchmark configuration, folded (Caliper's "Test Environment").
pub(crate) fn benchmark(out: &mut String, benchmark: &Value) {
    let text = serde_json::to_string_pretty(benchmark).unwrap_or_default();
    let _ = write!(
        out,
        r#"<h2 id="environment">Test environment</h2><details><summary>Benchmark configuration</summary><pre>{}</pre></details>"#,
        esc(&text)
    );
}
