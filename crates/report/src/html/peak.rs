//! A `peak-search` round's part of the page: the answer, the curve of latency and throughput
//! against the rate offered, and every step's figures in the order they ran.

use std::fmt::Write as _;

use caliper_core::rate::{PeakSearchOutcome, StepOutcome};

use super::format::{esc, latency_opt, rate};
use super::sections::{Cell, axis_count, axis_latency, figure, table};
use super::svg::{BLUE, Chart, GREEN, Line, ORANGE, RED, XAxis};
use super::timeline::Points;
use crate::peak_console::verdict;

/// Appends the search's section.
pub(super) fn section(out: &mut String, search: &PeakSearchOutcome) {
    out.push_str("<h3>Peak search</h3>");
    let answer = match search.peak_tps {
        Some(tps) => format!(
            "The highest rate that held every limit: <strong>{} tx/s</strong> (to {} tx/s). The figures above are those of the step at that rate; the steps that broke a limit are only here.",
            esc(&rate(Some(tps))),
            esc(&rate(Some(search.precision)))
        ),
        None => "No step held every limit. The figures above are those of the lowest rate tried.".to_owned(),
    };
    let answer = format!(
        "{answer} {} steps in {}.",
        search.steps.len(),
        esc(&super::format::latency(search.duration_s))
    );
    let _ = write!(out, r#"<p class="note">{answer}</p>"#);
    // The curve reads left to right: steps by rate, not in the order they ran.
    let mut by_rate: Vec<&StepOutcome> = search.steps.iter().collect();
    by_rate.sort_by(|a, b| a.tps.total_cmp(&b.tps));
    let line = |f: fn(&StepOutcome) -> Option<f64>| -> Points {
        by_rate.iter().map(|s| f(s).map(|y| (s.tps, y))).collect()
    };
    let charts = [
        Chart {
            title: "Latency of the successful transactions against the rate offered".into(),
            x: XAxis::Rate,
            y_label: axis_latency,
            whole_y: false,
            lines: vec![
                Line { name: "p50", color: BLUE, points: line(|s| s.latency.p50) },
                Line { name: "p99", color: ORANGE, points: line(|s| s.latency.p99) },
                Line { name: "p99 corrected", color: RED, points: line(|s| s.corrected_latency.p99) },
            ],
        },
        Chart {
            title: "Send rate and throughput against the rate offered (tx/s)".into(),
            x: XAxis::Rate,
            y_label: axis_count,
            whole_y: false,
            lines: vec![
                Line { name: "sent/s", color: BLUE, points: line(|s| s.send_rate) },
                Line { name: "throughput", color: GREEN, points: line(|s| s.throughput) },
            ],
        },
    ];
    out.push_str(r#"<div class="charts">"#);
    for chart in &charts {
        figure(out, chart);
    }
    out.push_str("</div>");
    let rows = search.steps.iter().map(|s| {
        vec![
            Cell::Text(s.step.to_string()),
            Cell::Text(rate(Some(s.tps))),
            Cell::Text(rate(s.send_rate)),
            Cell::Text(rate(s.throughput)),
            Cell::Text(latency_opt(s.latency.p50)),
            Cell::Text(latency_opt(s.latency.p95)),
            Cell::Text(latency_opt(s.latency.p99)),
            Cell::Text(latency_opt(s.latency.p999)),
            Cell::Text(latency_opt(s.corrected_latency.p99)),
            Cell::Text(format!("{:.2} %", s.failure_ratio * 100.0)),
            Cell::Text(verdict(search, s)),
        ]
    });
    let head = [
        "Step",
        "Asked (tx/s)",
        "Sent (tx/s)",
        "Throughput (tx/s)",
        "p50",
        "p95",
        "p99",
        "p99.9",
        "p99 corrected",
        "Failed",
        "Limits",
    ];
    table(out, "steps", &head, "lrrrrrrrrrl", rows);
}
