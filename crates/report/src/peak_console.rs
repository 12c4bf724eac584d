//! The console's table of a `peak-search` round: one row per step, in the order they ran,
//! under `### Peak search ###`, printed after the round's result table.

use caliper_core::rate::{PeakSearchOutcome, StepOutcome};

use crate::console::{RAMAC_COMPACT, render_table_in};
use crate::fixed::to_fixed;

/// The columns of a step's row.
pub const STEP_COLUMNS: [&str; 11] = [
    "Step",
    "Asked (TPS)",
    "Send Rate (TPS)",
    "Throughput (TPS)",
    "p50 (s)",
    "p95 (s)",
    "p99 (s)",
    "p99.9 (s)",
    "Corrected p99 (s)",
    "Fail (%)",
    "Limits",
];

/// The heading, the steps' table and the answer of a peak search.
pub fn peak_search_table(search: &PeakSearchOutcome) -> String {
    let mut out = String::from("### Peak search ###\n");
    let secs = |v: Option<f64>| v.map_or("-".to_owned(), |v| to_fixed(v, 3));
    let rate = |v: Option<f64>| v.map_or("-".to_owned(), |v| to_fixed(v, 1));
    let rows = search.steps.iter().map(|s| {
        [
            s.step.to_string(),
            to_fixed(s.tps, 2),
            rate(s.send_rate),
            rate(s.throughput),
            secs(s.latency.p50),
            secs(s.latency.p95),
            secs(s.latency.p99),
            secs(s.latency.p999),
            secs(s.corrected_latency.p99),
            to_fixed(s.failure_ratio * 100.0, 2),
            verdict(search, s),
        ]
    });
    out.push_str(&render_table_in(RAMAC_COMPACT, &STEP_COLUMNS, rows));
    out.push('\n');
    out.push_str(&answer_line(search));
    out
}

/// What became of a step: `held`, `held (peak)` or `broke <each limit>`.
pub(crate) fn verdict(search: &PeakSearchOutcome, step: &StepOutcome) -> String {
    match (step.held, Some(step.step) == search.peak_step) {
        (true, true) => "held (peak)".to_owned(),
        (true, false) => "held".to_owned(),
        (false, _) => format!("broke {}", step.broken.join("; ")),
    }
}

/// `Peak: 65.00 TPS held every limit (step 4 of 6, precision 5.00 TPS, 20.3 s); the round's
/// figures are that step's.`
pub fn answer_line(search: &PeakSearchOutcome) -> String {
    let precision = to_fixed(search.precision, 2);
    match (search.peak_tps, search.peak_step) {
        (Some(tps), Some(step)) => format!(
            "Peak: {} TPS held every limit (step {step} of {}, precision {precision} TPS, {} s); the round's figures are that step's.",
            to_fixed(tps, 2),
            search.steps.len(),
            to_fixed(search.duration_s, 1)
        ),
        _ => "Peak: no step held every limit; the round's figures are those of the lowest rate tried."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn every_step_is_a_row_and_the_peak_is_named() {
        let search = fixture::peak_search();
        let text = peak_search_table(&search);
        assert!(text.starts_with("### Peak search ###\n"), "{text}");
        assert!(text.contains("| 1    | 80.00"), "{text}");
        assert!(text.contains("broke latency.p99: 0.2000 s > 0.05 s"), "{text}");
        assert!(text.contains("held (peak)"), "{text}");
        assert!(
            text.ends_with("Peak: 60.00 TPS held every limit (step 2 of 3, precision 5.00 TPS, 7.5 s); the round's figures are that step's."),
            "{text}"
        );
        let none = PeakSearchOutcome { peak_tps: None, peak_step: None, ..search };
        assert!(peak_search_table(&none).contains("no step held every limit"));
    }
}
