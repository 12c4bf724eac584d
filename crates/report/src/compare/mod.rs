//! `caliper compare`: two results files side by side, round by round, with a verdict.
//!
//! Rounds are matched by label, the n-th occurrence of a label with the n-th ([`matching`]);
//! a round only one run has is listed as added or removed, and is not a regression by itself.
//! Each matched round shows its status and the figures its thresholds name (by default send
//! rate, throughput, latency p50/p95/p99 of the successful transactions and fail rate), judged
//! against relative [`Threshold`]s; absolute [`Check`]s (k6 syntax) judge the current run
//! alone. Where the two runs did not send the same load, a [`Warning`] says so.
//!
//! The result, a [`Comparison`], is rendered as a console table ([`Comparison::to_table`]),
//! Markdown for a pull-request comment ([`Comparison::to_markdown`]) or JSON
//! ([`Comparison::to_json`], the struct's own serialisation).

mod amount;
mod check;
mod error;
mod figure;
mod load;
mod markdown;
mod matching;
mod rows;
#[cfg(test)]
mod sample;
mod table;
mod threshold;
mod verdict;

use std::path::Path;

use serde::Serialize;

pub use check::{Check, Op};
pub use error::CompareError;
pub use figure::{FIGURE_NAMES, Figure, LatencyStat, Unit};
pub use load::{SEND_RATE_TOLERANCE_PCT, Warning};
pub use threshold::{Judged, Limit, Threshold, default_thresholds};
pub use verdict::Verdict;

use crate::json::{ResultsFile, RoundResult, RoundResultStatus, read_results};

/// What to judge: the thresholds (one per figure, in the order of the rows) and the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// The relative thresholds; every matched round shows one row per threshold.
    pub thresholds: Vec<Threshold>,
    /// The absolute checks on the current run.
    pub checks: Vec<Check>,
}

impl Default for CompareOptions {
    /// The [`default_thresholds`] and no check.
    fn default() -> Self {
        CompareOptions { thresholds: default_thresholds(), checks: Vec::new() }
    }
}

impl CompareOptions {
    /// The defaults with `thresholds` replacing the default of their figure (or added after
    /// them) and `checks`, parsed; every text that does not parse is an error.
    pub fn parse<T: AsRef<str>, C: AsRef<str>>(
        thresholds: &[T],
        checks: &[C],
    ) -> Result<Self, Vec<CompareError>> {
        let mut options = CompareOptions::default();
        let mut errors = Vec::new();
        for text in thresholds {
            match Threshold::parse(text.as_ref()) {
                Ok(t) => options.set_threshold(t),
                Err(e) => errors.push(e),
            }
        }
        for text in checks {
            match Check::parse(text.as_ref()) {
                Ok(c) => options.checks.push(c),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() { Ok(options) } else { Err(errors) }
    }

    /// Sets the threshold of `threshold.figure`, replacing the one it had.
    pub fn set_threshold(&mut self, threshold: Threshold) {
        match self.thresholds.iter_mut().find(|t| t.figure == threshold.figure) {
            Some(t) => *t = threshold,
            None => self.thresholds.push(threshold),
        }
    }
}

/// Two runs compared: the JSON output of `caliper compare --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Whether every threshold and check held: no row is `regressed` or `failed`.
    pub passed: bool,
    /// The baseline run.
    pub baseline: RunSide,
    /// The current run.
    pub current: RunSide,
    /// Where the two runs did not send the same load.
    pub warnings: Vec<Warning>,
    /// The rounds of the current run in order, then those only the baseline has.
    pub rounds: Vec<RoundComparison>,
    /// Counts of the verdicts.
    pub summary: Summary,
}

/// One of the two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSide {
    /// The results file, as given (empty when the comparison was made from values).
    pub file: String,
    /// `run.name`.
    pub name: String,
    /// `run.startedAt`.
    pub started_at: String,
    /// `run.workers`.
    pub workers: usize,
}

/// Whether a round is in both runs or in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Presence {
    /// In both.
    Matched,
    /// Only in the current run.
    Added,
    /// Only in the baseline.
    Removed,
}

/// A round compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundComparison {
    /// The label.
    pub label: String,
    /// Which occurrence of the label, from 1.
    pub occurrence: usize,
    /// The name shown: the label, with `#n` for the n-th occurrence from the second on.
    pub name: String,
    /// In both runs or in one.
    pub presence: Presence,
    /// Its index in the baseline's rounds.
    pub baseline_index: Option<usize>,
    /// Its index in the current run's rounds.
    pub current_index: Option<usize>,
    /// How the round ended in each run.
    pub status: StatusRow,
    /// The figures, one per threshold (matched rounds only).
    pub metrics: Vec<MetricRow>,
    /// The checks that apply to the round (rounds of the current run only).
    pub checks: Vec<CheckRow>,
}

/// How a round ended in each run, and the verdict: a round that passed in the baseline and
/// failed or did not run in the current run regressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRow {
    /// In the baseline.
    pub baseline: Option<RoundResultStatus>,
    /// In the current run.
    pub current: Option<RoundResultStatus>,
    /// The verdict.
    pub verdict: Verdict,
}

/// A figure of a matched round in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRow {
    /// The figure (`latency.p99`, ...).
    pub metric: Figure,
    /// Its unit (`s`, `tx/s`, `ratio`, `tx`).
    pub unit: Unit,
    /// In the baseline.
    pub baseline: Option<f64>,
    /// In the current run.
    pub current: Option<f64>,
    /// current − baseline.
    pub change: Option<f64>,
    /// The change in per cent of the baseline.
    pub change_pct: Option<f64>,
    /// The threshold's limit as written (`+10%`, `-5%`, `+1pp`, `off`).
    pub limit: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// A check on a round of the current run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRow {
    /// The check as given.
    pub check: String,
    /// The figure it reads.
    pub metric: Figure,
    /// Its unit.
    pub unit: Unit,
    /// The figure in the current run.
    pub current: Option<f64>,
    /// The limit, in the figure's unit (`< 2.000 s`).
    pub limit: String,
    /// `ok` or `failed`.
    pub verdict: Verdict,
}

/// Counts of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rounds in both runs.
    pub matched: usize,
    /// Rounds only in the current run.
    pub added: usize,
    /// Rounds only in the baseline.
    pub removed: usize,
    /// Rows (figures and statuses) that regressed.
    pub regressions: usize,
    /// Rows that improved.
    pub improvements: usize,
    /// Checks evaluated.
    pub checks: usize,
    /// Checks that did not hold.
    pub failed_checks: usize,
}

/// Reads two results files and compares them; the errors name the file.
pub fn compare_files(
    baseline: &Path,
    current: &Path,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let (base, cur) = (read_results(baseline)?, read_results(current)?);
    let mut comparison = compare(&base, &cur, options)?;
    comparison.baseline.file = baseline.display().to_string();
    comparison.current.file = current.display().to_string();
    Ok(comparison)
}

/// Compares two runs. Fails when a check names a round label the current run does not have
/// or the runs have no label in common.
pub fn compare(
    baseline: &ResultsFile,
    current: &ResultsFile,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    let labels = |f: &ResultsFile| f.rounds.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join(", ");
    for check in &options.checks {
        if let Some(label) = &check.label
            && !current.rounds.iter().any(|r| &r.label == label)
        {
            return Err(CompareError::UnknownLabel {
                text: check.text.clone(),
                label: label.clone(),
                labels: labels(current),
            });
        }
    }
    let pairs = matching::pair(&baseline.rounds, &current.rounds);
    if !pairs.iter().any(|p| p.baseline.is_some() && p.current.is_some()) {
        return Err(CompareError::NoCommonRounds { baseline: labels(baseline), current: labels(current) });
    }
    let rounds: Vec<RoundComparison> = pairs
        .iter()
        .map(|p| {
            let b = p.baseline.map(|i| &baseline.rounds[i]);
            let c = p.current.map(|i| &current.rounds[i]);
            round(p, b, c, options)
        })
        .collect();
    let summary = summarise(&rounds);
    Ok(Comparison {
        passed: summary.regressions == 0 && summary.failed_checks == 0,
        baseline: side(baseline),
        current: side(current),
        warnings: load::load_warnings(baseline, current, &pairs),
        rounds,
        summary,
    })
}

/// The name of the `occurrence`-th round labelled `label`: `open`, `open#2`, ...
pub(crate) fn round_name(label: &str, occurrence: usize) -> String {
    if occurrence > 1 { format!("{label}#{occurrence}") } else { label.to_owned() }
}

fn side(file: &ResultsFile) -> RunSide {
    RunSide {
        file: String::new(),
        name: file.run.name.clone(),
        started_at: file.run.started_at.clone(),
        workers: file.run.workers,
    }
}

fn round(
    p: &matching::Pairing,
    base: Option<&RoundResult>,
    cur: Option<&RoundResult>,
    options: &CompareOptions,
) -> RoundComparison {
    let (presence, status_verdict) = match (base, cur) {
        (Some(b), Some(c)) => (Presence::Matched, status_verdict(b.status, c.status)),
        (None, _) => (Presence::Added, Verdict::Added),
        (_, None) => (Presence::Removed, Verdict::Removed),
    };
    let metrics = match (base, cur) {
        (Some(b), Some(c)) => options.thresholds.iter().map(|t| metric_row(t, b, c)).collect(),
        _ => Vec::new(),
    };
    let checks = cur
        .map(|c| {
            options
                .checks
                .iter()
                .filter(|k| k.applies_to(&c.label))
                .map(|k| {
                    let value = k.figure.value(c);
                    CheckRow {
                        check: k.text.clone(),
                        metric: k.figure,
                        unit: k.figure.unit(),
                        current: value,
                        limit: k.limit_text(),
                        verdict: k.verdict(value),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    RoundComparison {
        label: p.label.clone(),
        occurrence: p.occurrence,
        name: round_name(&p.label, p.occurrence),
        presence,
        baseline_index: p.baseline,
        current_index: p.current,
        status: StatusRow {
            baseline: base.map(|r| r.status),
            current: cur.map(|r| r.status),
            verdict: status_verdict,
        },
        metrics,
        checks,
    }
}

fn status_verdict(base: RoundResultStatus, cur: RoundResultStatus) -> Verdict {
    use RoundResultStatus::Passed;
    match (base == Passed, cur == Passed) {
        (true, false) => Verdict::Regressed,
        (false, true) => Verdict::Improved,
        _ => Verdict::Ok,
    }
}

fn metric_row(t: &Threshold, base: &RoundResult, cur: &RoundResult) -> MetricRow {
    let (b, c) = (t.figure.value(base), t.figure.value(cur));
    let judged = t.judge(b, c);
    MetricRow {
        metric: t.figure,
        unit: t.figure.unit(),
        baseline: b,
        current: c,
        change: judged.change,
        change_pct: judged.change_pct,
        limit: t.limit_text(),
        verdict: judged.verdict,
    }
}

fn summarise(rounds: &[RoundComparison]) -> Summary {
    let count = |p: Presence| rounds.iter().filter(|r| r.presence == p).count();
    let verdicts = || {
        rounds
            .iter()
            .flat_map(|r| std::iter::once(r.status.verdict).chain(r.metrics.iter().map(|m| m.verdict)))
    };
    let checks = || rounds.iter().flat_map(|r| &r.checks);
    Summary {
        matched: count(Presence::Matched),
        added: count(Presence::Added),
        removed: count(Presence::Removed),
        regressions: verdicts().filter(|v| *v == Verdict::Regressed).count(),
        improvements: verdicts().filter(|v| *v == Verdict::Improved).count(),
        checks: checks().count(),
        failed_checks: checks().filter(|c| c.verdict == Verdict::Failed).count(),
    }
}

impl Comparison {
    /// The JSON document of `--format json`: this struct, pretty-printed.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::sample;

    fn slower(label: &str) -> RoundResult {
        RoundResult { latency: sample::latency(0.050, 0.090), ..sample::round(label) }
    }

    #[test]
    fn equal_runs_pass_with_every_default_figure_ok() {
        let f = sample::file(vec![sample::round("open"), sample::round("query")]);
        let c = compare(&f, &f, &CompareOptions::default()).unwrap();
        assert!(c.passed);
        assert_eq!(c.summary.matched, 2);
        assert_eq!(c.rounds[0].metrics.len(), 6);
        let names: Vec<&str> = c.rounds[0].metrics.iter().map(|m| m.metric.name()).collect();
        assert_eq!(
            names,
            ["sendRate", "throughput", "latency.p50", "latency.p95", "latency.p99", "failRate"]
        );
        assert!(
            c.rounds
                .iter()
                .flat_map(|r| &r.metrics)
                .all(|m| m.verdict == Verdict::Ok && m.change == Some(0.0))
        );
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn slower_latency_regresses_and_names_the_round_and_figure() {
        let base = sample::file(vec![sample::round("open"), sample::round("query")]);
        let cur = sample::file(vec![sample::round("open"), slower("query")]);
        let c = compare(&base, &cur, &CompareOptions::default()).unwrap();
        assert!(!c.passed);
        assert_eq!(c.summary.regressions, 3, "p50, p95 and p99");
        let query = &c.rounds[1];
        let p99 = query.metrics.iter().find(|m| m.metric == Figure::Latency(LatencyStat::P99)).unwrap();
        assert_eq!(p99.verdict, Verdict::Regressed);
        assert!((p99.change_pct.unwrap() - 900.0).abs() < 1e-9);
        // The same change the other way is an improvement, and passes.
        let back = compare(&cur, &base, &CompareOptions::default()).unwrap();
        assert!(back.passed);
        assert_eq!(back.summary.improvements, 3);
    }

    #[test]
    fn overridden_thresholds_and_checks_decide() {
        let base = sample::file(vec![sample::round("open")]);
        let cur = sample::file(vec![slower("open")]);
        let loose = ["latency.p50=+1000%", "p(95)=off", "latency.p99=+0.1s", "latency.avg=+50ms"];
        let c = compare(&base, &cur, &CompareOptions::parse(&loose, &[] as &[&str]).unwrap()).unwrap();
        assert!(c.passed, "{}", c.to_json());
        assert_eq!(c.rounds[0].metrics.len(), 7, "latency.avg is added");
        let checks = ["p(99)<50ms", "open:throughput>=90", "failRate<1%"];
        let c = compare(&base, &cur, &CompareOptions::parse(&loose, &checks).unwrap()).unwrap();
        assert!(!c.passed);
        let verdicts: Vec<Verdict> = c.rounds[0].checks.iter().map(|k| k.verdict).collect();
        assert_eq!(verdicts, [Verdict::Failed, Verdict::Ok, Verdict::Ok]);
        assert_eq!(c.summary.failed_checks, 1);
    }

    #[test]
    fn a_round_that_no_longer_passes_regresses_and_added_or_removed_ones_do_not() {
        let base = sample::file(vec![sample::round("open"), sample::round("gone")]);
        let failed = RoundResult { status: RoundResultStatus::Failed, ..sample::round("open") };
        let cur = sample::file(vec![failed, sample::round("new")]);
        let c = compare(&base, &cur, &CompareOptions::default()).unwrap();
        let got: Vec<(&str, Presence, Verdict)> =
            c.rounds.iter().map(|r| (r.name.as_str(), r.presence, r.status.verdict)).collect();
        assert_eq!(
            got,
            [
                ("open", Presence::Matched, Verdict::Regressed),
                ("new", Presence::Added, Verdict::Added),
                ("gone", Presence::Removed, Verdict::Removed)
            ]
        );
        assert_eq!(c.summary.regressions, 1);
        assert!(c.rounds[1].metrics.is_empty() && c.rounds[2].checks.is_empty());
    }

    #[test]
    fn repeated_labels_are_compared_occurrence_by_occurrence() {
        let base = sample::file(vec![sample::round("warm"), sample::round("warm")]);
        let cur = sample::file(vec![sample::round("warm"), slower("warm")]);
        let c = compare(&base, &cur, &CompareOptions::default()).unwrap();
        let names: Vec<(&str, bool)> =
            c.rounds.iter().map(|r| (r.name.as_str(), r.metrics.iter().any(|m| m.verdict.fails()))).collect();
        assert_eq!(names, [("warm", false), ("warm#2", true)]);
    }

    #[test]
    fn every_bad_threshold_and_check_is_reported() {
        let errors = CompareOptions::parse(&["throughput=+5%", "latency.p99=+10%"], &["p(99)<2", "p(97)<2"])
            .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].starts_with("threshold `throughput=+5%`") && text[1].starts_with("check `p(97)<2`"),
            "{text:?}"
        );
    }

    #[test]
    fn unknown_check_labels_and_unrelated_runs_are_input_errors() {
        let f = sample::file(vec![sample::round("open"), sample::round("query")]);
        let options = CompareOptions::parse(&[] as &[&str], &["opne:p(95)<1"]).unwrap();
        let e = compare(&f, &f, &options).unwrap_err().to_string();
        assert!(e.contains("`opne`") && e.contains("open, query"), "{e}");
        let other = sample::file(vec![sample::round("transfer")]);
        let e = compare(&f, &other, &CompareOptions::default()).unwrap_err().to_string();
        assert!(e.contains("no round label in common") && e.contains("transfer"), "{e}");
    }

    #[test]
    fn the_json_has_every_figure_with_baseline_current_change_limit_and_verdict() {
        let base = sample::file(vec![sample::round("open")]);
        let mut cur = sample::file(vec![slower("open")]);
        cur.rounds[0].send_rate = Some(50.0);
        let options = CompareOptions::parse(&[] as &[&str], &["p(99)<2"]).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&compare(&base, &cur, &options).unwrap().to_json()).unwrap();
        assert_eq!(v["passed"], false);
        let round = &v["rounds"][0];
        assert_eq!((&round["name"], &round["presence"]), (&"open".into(), &"matched".into()));
        assert_eq!(round["status"]["baseline"], "passed");
        let p99 = round["metrics"].as_array().unwrap().iter().find(|m| m["metric"] == "latency.p99").unwrap();
        assert_eq!(p99["unit"], "s");
        assert_eq!((&p99["baseline"], &p99["current"]), (&0.009.into(), &0.09.into()));
        assert!((p99["changePct"].as_f64().unwrap() - 900.0).abs() < 1e-9);
        assert_eq!((&p99["limit"], &p99["verdict"]), (&"+10%".into(), &"regressed".into()));
        assert_eq!(round["checks"][0]["verdict"], "ok");
        assert_eq!(v["warnings"][0]["round"], "open");
        assert!(v["warnings"][0]["message"].as_str().unwrap().contains("send rate"));
        assert_eq!(v["summary"]["regressions"], 4);
    }
}
