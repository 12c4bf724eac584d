//! Caliper's console output, as strings for the binary to print or log.
//!
//! After each round Caliper prints `### Test result ###` and a one-row table; at the end,
//! `### All test results ###` and one row per round. The columns are Caliper's, with Caliper's
//! formulas and formatting (rates with one decimal, latencies in seconds with two, `-` where a
//! figure is undefined), followed by latency percentiles in seconds with three decimals and the
//! round's status. Unlike Caliper, the summary keeps rounds that failed or did not run. Under a
//! table, a note per round says why it failed or did not run, which worker reported an error,
//! and how many transactions failed by class.
//!
//! After the round's table come the resource monitors' tables, each under
//! `### <module> resource stats ###` (Caliper's heading without its stray quote), with a
//! `Note:` line when the monitor met a problem.
//!
//! A `peak-search` round's table is followed by `### Peak search ###`, a row per step and the
//! answer; the summary adds the answer as a note under the table.
//!
//! Tables use Caliper's `ramac` border and never depend on the terminal's width, so the output
//! is the same in a terminal, a log file or a test.

use std::collections::BTreeMap;

use caliper_core::ErrorClass;
use caliper_core::manager::{RoundOutcome, RoundStatus, RunOutcome};
use caliper_core::monitor::MonitorReport;
use caliper_core::stats::{LatencySummary, RoundSummary};
use comfy_table::{ContentArrangement, Table};

use crate::fixed::to_fixed;

/// The border of Caliper's tables (the `ramac` border of npm `table`: `+` corners, `-` and `|`
/// lines, a line between every two rows), in comfy-table's preset notation.
pub const RAMAC: &str = "||--|-|||-|||++++++";

/// The columns of a result row: Caliper's eight, the latency percentiles, and the status.
pub const COLUMNS: [&str; 14] = [
    "Name",
    "Succ",
    "Fail",
    "Send Rate (TPS)",
    "Max Latency (s)",
    "Min Latency (s)",
    "Avg Latency (s)",
    "Throughput (TPS)",
    "p50 (s)",
    "p90 (s)",
    "p95 (s)",
    "p99 (s)",
    "p99.9 (s)",
    "Status",
];

/// What is printed where a figure is undefined (no successful transaction, a rate over no
/// time, a round that did not run).
const NONE: &str = "-";

/// The table printed after a round: `### Test result ###`, a one-row table, and the round's
/// note when it failed, did not run or had failed transactions.
pub fn round_table(round: &RoundOutcome) -> String {
    let mut out = String::from("### Test result ###\n");
    out.push_str(&render_table(&COLUMNS, [result_row(round)]));
    for line in round_notes(round) {
        out.push('\n');
        out.push_str(&line);
    }
    if let Some(search) = &round.peak_search {
        out.push('\n');
        out.push_str(&crate::peak_console::peak_search_table(search));
    }
    for monitor in &round.monitors {
        out.push('\n');
        out.push_str(&monitor_table(monitor));
    }
    out
}

/// One resource monitor's table: `### <module> resource stats ###`, the table, and a note
/// when the monitor met a problem (a process that exited, a server that did not answer).
pub fn monitor_table(monitor: &MonitorReport) -> String {
    let mut out = format!("### {} resource stats ###\n", monitor.module);
    let header: Vec<&str> = monitor.columns.iter().map(String::as_str).collect();
    out.push_str(&render_table(&header, monitor.rows.iter().map(|row| row.iter().map(String::as_str))));
    if let Some(error) = &monitor.error {
        out.push_str(&format!("\nNote: {error}"));
    }
    out
}

/// The table printed at the end of a run: `### All test results ###`, one row per round (in
/// order, including rounds that failed or did not run), the notes of the rounds, and whether
/// the run was interrupted or stopped by an error.
pub fn summary_table(run: &RunOutcome) -> String {
    let mut out = String::from("### All test results ###\n");
    out.push_str(&render_table(&COLUMNS, run.rounds.iter().map(result_row)));
    let mut notes: Vec<String> = run
        .rounds
        .iter()
        .flat_map(|r| {
            let peak = r.peak_search.as_ref().map(|s| {
                format!("Round {} \"{}\": {}", r.index, r.label, crate::peak_console::answer_line(s))
            });
            round_notes(r).into_iter().chain(peak)
        })
        .collect();
    if run.interrupted {
        notes.push("The run was interrupted.".to_owned());
    }
    if let Some(error) = &run.error {
        notes.push(format!("The run stopped: {error}"));
    }
    for line in notes {
        out.push('\n');
        out.push_str(&line);
    }
    out
}

/// The cells of a round's row, in the order of [`COLUMNS`].
///
/// The figures come from [`RoundSummary`] (Caliper's formulas); a round with no statistics
/// (it did not run) has `-` in every figure.
pub fn result_row(round: &RoundOutcome) -> Vec<String> {
    let mut row = Vec::with_capacity(COLUMNS.len());
    row.push(round.label.clone());
    match &round.merged {
        Some(stats) => {
            let s = RoundSummary::new(stats);
            let lat = s.latency.as_ref();
            let secs = |f: fn(&LatencySummary) -> f64, digits| {
                lat.map(f).filter(|v| !v.is_nan()).map_or(NONE.to_owned(), |v| to_fixed(v, digits))
            };
            row.extend([
                s.succ.to_string(),
                s.fail.to_string(),
                rate(s.send_rate),
                secs(|l| l.max, 2),
                secs(|l| l.min, 2),
                secs(|l| l.avg, 2),
                rate(s.throughput),
                secs(|l| l.p50, 3),
                secs(|l| l.p90, 3),
                secs(|l| l.p95, 3),
                secs(|l| l.p99, 3),
                secs(|l| l.p999, 3),
            ]);
        }
        None => row.extend(std::iter::repeat_n(NONE.to_owned(), COLUMNS.len() - 2)),
    }
    row.push(status_word(&round.status).to_owned());
    row
}

/// The failed transactions by class, most frequent first: `failures by class: timeout 2,
/// rejected 1`. `None` when nothing failed.
pub fn failures_line(failures: &BTreeMap<ErrorClass, u64>) -> Option<String> {
    let mut by_count: Vec<(ErrorClass, u64)> =
        failures.iter().map(|(c, n)| (*c, *n)).filter(|(_, n)| *n > 0).collect();
    if by_count.is_empty() {
        return None;
    }
    // Stable sort: classes with the same count keep the order of the classes.
    by_count.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let parts: Vec<String> = by_count.iter().map(|(c, n)| format!("{c} {n}")).collect();
    Some(format!("failures by class: {}", parts.join(", ")))
}

/// A table with Caliper's look: the [`RAMAC`] border, one space of padding, left-aligned
/// cells, as wide as its content whatever the terminal (for the resource monitors' tables as
/// well as the result tables).
pub fn render_table<I, R, C>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = C>,
    C: Into<comfy_table::Cell>,
{
    render_table_in(RAMAC, header, rows)
}

/// [`RAMAC`] without the line between every two rows, for tables of many short rows.
pub const RAMAC_COMPACT: &str = "||--|-|||    ++++++";

/// A table like [`render_table`]'s with another border, in comfy-table's preset notation
/// (such as [`RAMAC_COMPACT`]).
pub fn render_table_in<I, R, C>(preset: &str, header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = C>,
    C: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table
        .load_preset(preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.iter().copied());
    for row in rows {
        table.add_row(row.into_iter().map(Into::into).collect::<Vec<comfy_table::Cell>>());
    }
    table.to_string()
}

/// A rate as Caliper prints it (`toFixed(1)`), `-` where Caliper would print `Infinity`.
fn rate(value: Option<f64>) -> String {
    value.map_or(NONE.to_owned(), |v| to_fixed(v, 1))
}

/// The word in the `Status` column.
fn status_word(status: &RoundStatus) -> &'static str {
    match status {
        RoundStatus::Passed => "passed",
        RoundStatus::Failed { .. } => "failed",
        RoundStatus::NotRun { .. } => "not run",
    }
}

/// The lines under a round's row: why it failed or did not run, workers' errors, failures by
/// class. None for a round that passed without a failed transaction or a worker's error.
fn round_notes(round: &RoundOutcome) -> Vec<String> {
    let mut details: Vec<String> = round
        .workers
        .iter()
        .filter_map(|w| w.error.as_ref().map(|e| format!("  worker {}: {e}", w.worker_index)))
        .collect();
    if let Some(line) = round.merged.as_ref().and_then(|m| failures_line(&m.core.failures)) {
        details.push(format!("  {line}"));
    }
    if let Some(held) = round.merged.as_ref().map(|m| m.core.held_back).filter(|h| *h > 0) {
        details.push(format!(
            "  {held} transaction(s) held back by caliper-worker-max-in-flight (sent late, or not at all): the SUT did not keep up with the rate"
        ));
    }
    for file in round.merged.iter().flat_map(|m| &m.exported) {
        if let Some(error) = &file.error {
            details.push(format!("  worker {} export: {error}", file.worker));
        }
        if file.dropped > 0 {
            details.push(format!(
                "  worker {} export: {} line(s) dropped from {} (the disk did not keep up; onFull: block keeps them)",
                file.worker, file.dropped, file.path
            ));
        }
    }
    let name = format!("Round {} \"{}\"", round.index, round.label);
    let head = match &round.status {
        RoundStatus::Passed if details.is_empty() => return details,
        RoundStatus::Passed => format!("{name} passed"),
        RoundStatus::Failed { error } => format!("{name} failed: {error}"),
        RoundStatus::NotRun { reason } => format!("{name} did not run: {reason}"),
    };
    std::iter::once(head).chain(details).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use caliper_core::manager::RoundStatus;
    use caliper_core::stats::RoundStats;
    use caliper_core::{TxState, TxStatus};

    #[test]
    fn monitor_tables_follow_the_round_table_with_their_notes() {
        use caliper_core::monitor::MonitorReport;
        let mut round = fixture::run().rounds.remove(0);
        let mut report = MonitorReport::new("prometheus", &["Metric", "Prometheus Query", "Name", "Value"]);
        report.rows.push(vec!["up".into(), "up".into(), "-".into(), "-".into()]);
        report.note("query \"up\": connection refused");
        round.monitors.push(report);
        let text = round_table(&round);
        let at = text.find("### prometheus resource stats ###").expect("heading");
        assert!(at > text.find("### Test result ###").expect("result"));
        let lines: Vec<&str> = text[at..].lines().collect();
        assert_eq!(cells(lines[2]), ["Metric", "Prometheus Query", "Name", "Value"]);
        assert_eq!(cells(lines[4]), ["up", "up", "-", "-"]);
        assert_eq!(lines.last().copied(), Some("Note: query \"up\": connection refused"));
    }

    /// The trimmed cells of a table line (`| a | b |`).
    fn cells(line: &str) -> Vec<&str> {
        let inner = line.trim().strip_prefix('|').and_then(|l| l.strip_suffix('|')).expect("a table row");
        inner.split('|').map(str::trim).collect()
    }

    /// The data rows of a rendered table (lines between the header and the bottom border).
    fn rows(text: &str) -> Vec<Vec<&str>> {
        text.lines().filter(|l| l.starts_with("| ")).skip(1).map(cells).collect()
    }

    #[test]
    fn a_passed_round_shows_caliper_columns_and_figures() {
        let run = fixture::run();
        let text = round_table(&run.rounds[0]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "### Test result ###");
        // The ramac border: `+` corners, `|` between header and row.
        assert!(lines[1].starts_with("+------+") && lines[1].ends_with('+'), "{text}");
        assert_eq!(cells(lines[2]), COLUMNS);
        assert!(lines[3].starts_with("|------|"), "{text}");
        let row = cells(lines[4]);
        // Send rate 20 / 0.95 s, throughput 20 / 1.15 s, latencies 0.10 .. 0.20 s, mean 0.1725 s.
        assert_eq!(row[..8], ["open", "20", "0", "21.1", "0.20", "0.10", "0.17", "17.4"]);
        assert_eq!(row[13], "passed");
        assert!(lines[5].starts_with("+------+"));
        assert_eq!(lines.len(), 6, "a passed round without failures has no note:\n{text}");
        // No dependence on the terminal: every line of the table is as wide as the header.
        assert!(lines[1..].iter().all(|l| l.len() == lines[1].len()), "{text}");
    }

    #[test]
    fn a_failed_round_shows_dashes_for_latency_its_error_and_failures() {
        let run = fixture::run();
        let text = round_table(&run.rounds[1]);
        let row = &rows(&text)[0];
        // No successful tx: `-` for every latency; rates still follow Caliper's formulas:
        // 4 tx created between 0 and 0.2 s, the last final state at 5 s.
        assert_eq!(row[..8], ["transfer", "0", "4", "20.0", "-", "-", "-", "0.8"]);
        assert_eq!(row[8..], ["-", "-", "-", "-", "-", "failed"]);
        let notes: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("Round")).collect();
        assert_eq!(
            notes,
            [
                "Round 1 \"transfer\" failed: worker 1 was lost",
                "  worker 1: no message for 10 s",
                "  failures by class: timeout 2, rejected 1, reverted 1",
            ]
        );
    }

    #[test]
    fn a_round_that_did_not_run_has_no_figures() {
        let run = fixture::run();
        let text = round_table(&run.rounds[2]);
        let row = &rows(&text)[0];
        assert_eq!(row[0], "query");
        assert!(row[1..13].iter().all(|c| *c == "-"), "{text}");
        assert_eq!(row[13], "not run");
        assert!(text.ends_with("\nRound 2 \"query\" did not run: the run was interrupted"), "{text}");
    }

    #[test]
    fn the_summary_keeps_every_round_in_order_with_its_status() {
        let run = fixture::run();
        let text = summary_table(&run);
        assert!(text.starts_with("### All test results ###\n+"), "{text}");
        let rows = rows(&text);
        let names: Vec<(&str, &str)> = rows.iter().map(|r| (r[0], r[13])).collect();
        assert_eq!(names, [("open", "passed"), ("transfer", "failed"), ("query", "not run")]);
        assert_eq!(rows[0][3], "21.1");
        // Caliper's ramac border draws a line between rows.
        assert_eq!(text.lines().filter(|l| l.starts_with("|-")).count(), 3, "{text}");
        assert!(text.contains("\nRound 1 \"transfer\" failed: worker 1 was lost\n"), "{text}");
        assert!(text.contains("\nRound 2 \"query\" did not run: the run was interrupted\n"), "{text}");
        assert!(text.ends_with("\nThe run was interrupted."), "{text}");
        assert_eq!(summary_table(&run), text, "the output is stable");
    }

    #[test]
    fn the_summary_says_what_stopped_the_run() {
        let mut run = fixture::run();
        run.interrupted = false;
        run.error = Some("the start command failed".to_owned());
        assert!(summary_table(&run).ends_with("\nThe run stopped: the start command failed"));
    }

    #[test]
    fn a_rate_over_no_time_is_a_dash_and_no_transaction_is_zero() {
        // One transaction: Caliper divides by zero and prints `Infinity`.
        let mut stats = RoundStats::new(0, 0, "one", fixture::T0);
        let mut tx = TxStatus::created_at("a", fixture::T0 + 10);
        tx.status = TxState::Success;
        tx.time_final = fixture::T0 + 250_010;
        stats.tx_submitted(1, tx.time_create);
        stats.tx_finished(&tx);
        let mut round = fixture::run().rounds.remove(0);
        round.merged = Some(stats);
        round.status = RoundStatus::Passed;
        let row = result_row(&round);
        assert_eq!(row[..8], ["open", "1", "0", "-", "0.25", "0.25", "0.25", "4.0"]);

        // Nothing at all: no creation time, so the core leaves the rates undefined (Caliper
        // prints 0.0) and there is no latency.
        round.merged = Some(RoundStats::new(0, 0, "open", fixture::T0));
        let row = result_row(&round);
        assert_eq!(row[..8], ["open", "0", "0", "-", "-", "-", "-", "-"]);
    }

    #[test]
    fn failures_line_lists_classes_most_frequent_first() {
        let mut failures = BTreeMap::new();
        assert_eq!(failures_line(&failures), None);
        failures.insert(ErrorClass::Rejected, 2);
        failures.insert(ErrorClass::Timeout, 1);
        failures.insert(ErrorClass::Nonce, 2);
        failures.insert(ErrorClass::Other, 0);
        assert_eq!(
            failures_line(&failures).as_deref(),
            Some("failures by class: rejected 2, nonce 2, timeout 1")
        );
    }

    #[test]
    fn percentiles_are_those_of_all_transactions() {
        let run = fixture::run();
        let row = result_row(&run.rounds[0]);
        // 20 latencies: 100, 110, .. 190 ms and ten of 200 ms (HDR precision: 0.1 %).
        assert_eq!(row[8..13], ["0.190", "0.200", "0.200", "0.200", "0.200"]);
    }
}
