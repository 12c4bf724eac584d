//! The cells and lines that the table and the Markdown both show.

use super::figure::{Unit, signed};
use super::{Comparison, RoundComparison, RunSide, Verdict};
use crate::json::RoundResultStatus;

/// The columns of a comparison.
pub(crate) const HEADER: [&str; 8] =
    ["Round", "Metric", "Baseline", "Current", "Change", "Change %", "Limit", "Verdict"];

const NONE: &str = "-";

/// The rows of every round: its status, its figures, its checks.
pub(crate) fn rows(c: &Comparison) -> Vec<[String; 8]> {
    c.rounds.iter().flat_map(round_rows).collect()
}

fn round_rows(r: &RoundComparison) -> Vec<[String; 8]> {
    let name = &r.name;
    let mut out = Vec::with_capacity(1 + r.metrics.len() + r.checks.len());
    out.push([
        name.clone(),
        "status".to_owned(),
        status(r.status.baseline),
        status(r.status.current),
        String::new(),
        String::new(),
        String::new(),
        r.status.verdict.word().to_owned(),
    ]);
    for m in &r.metrics {
        out.push([
            name.clone(),
            m.metric.name().to_owned(),
            value(m.unit, m.baseline),
            value(m.unit, m.current),
            m.change.map_or(NONE.to_owned(), |d| m.unit.show_change(d)),
            m.change_pct.map_or(NONE.to_owned(), percent),
            m.limit.clone(),
            m.verdict.word().to_owned(),
        ]);
    }
    for k in &r.checks {
        out.push([
            name.clone(),
            format!("check {}", k.check),
            String::new(),
            value(k.unit, k.current),
            String::new(),
            String::new(),
            k.limit.clone(),
            k.verdict.word().to_owned(),
        ]);
    }
    out
}

/// A change in per cent: `+12.5 %`.
fn percent(p: f64) -> String {
    signed(p, |m| format!("{m:.1} %"))
}

fn value(unit: Unit, v: Option<f64>) -> String {
    v.map_or(NONE.to_owned(), |v| unit.show(v))
}

fn status(s: Option<RoundResultStatus>) -> String {
    match s {
        Some(RoundResultStatus::Passed) => "passed",
        Some(RoundResultStatus::Failed) => "failed",
        Some(RoundResultStatus::NotRun) => "not run",
        None => NONE,
    }
    .to_owned()
}

/// A run as the title names it: `base.json (simple, started 2026-01-01T00:00:00Z)`.
pub(crate) fn describe(run: &RunSide) -> String {
    format!("{} ({}, started {})", run.file, run.name, run.started_at)
}

/// The verdict of the whole comparison with its counts: `PASSED: 2 round(s) compared, ...`.
pub(crate) fn summary_line(c: &Comparison) -> String {
    let s = &c.summary;
    format!(
        "{}: {} round(s) compared, {} added, {} removed; {} regression(s), {} improvement(s); {} of {} check(s) failed; {} load warning(s)",
        if c.passed { "PASSED" } else { "FAILED" },
        s.matched,
        s.added,
        s.removed,
        s.regressions,
        s.improvements,
        s.failed_checks,
        s.checks,
        c.warnings.len()
    )
}

/// One line per row that fails the comparison: `regression: query: latency.p99 9.00 ms ->
/// 90.00 ms (+900.0 %, limit +10%)`, `failed check: query: p(99)<2 does not hold: 2.500 s`.
pub(crate) fn failures(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for r in &c.rounds {
        if r.status.verdict == Verdict::Regressed {
            out.push(format!(
                "regression: {}: status {} -> {}",
                r.name,
                status(r.status.baseline),
                status(r.status.current)
            ));
        }
        for m in r.metrics.iter().filter(|m| m.verdict.fails()) {
            let pct = m.change_pct.map_or(String::new(), |p| format!("{}, ", percent(p)));
            out.push(format!(
                "regression: {}: {} {} -> {} ({pct}limit {})",
                r.name,
                m.metric.name(),
                value(m.unit, m.baseline),
                value(m.unit, m.current),
                m.limit
            ));
        }
        for k in r.checks.iter().filter(|k| k.verdict.fails()) {
            out.push(format!(
                "failed check: {}: {} does not hold: {}",
                r.name,
                k.check,
                value(k.unit, k.current)
            ));
        }
    }
    out
}

/// The warnings, one line each: `open: txNumber differs: ...`.
pub(crate) fn warnings(c: &Comparison) -> Vec<String> {
    c.warnings
        .iter()
        .map(|w| match &w.round {
            Some(round) => format!("{round}: {}", w.message),
            None => w.message.clone(),
        })
        .collect()
}
