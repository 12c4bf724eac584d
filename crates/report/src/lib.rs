//! caliper-report: what a person and a script read after a run of caliper-rs.
//!
//! The crate turns the manager's [`RunOutcome`] (every round, passed, failed or not run, with
//! its merged and per-worker statistics) into reports. It knows neither the messenger nor any
//! connector: the `caliper` binary hands it the outcome and prints or writes what it returns.
//!
//! | module | produces |
//! |---|---|
//! | [`console`] | Caliper's `### Test result ###` and `### All test results ###` tables, as strings, with latency percentiles and failures by class |
//! | [`compare`] | `caliper compare`: two results files side by side, with thresholds, checks and a verdict |
//! | [`json`] | the machine-readable results file (schema version [`json::SCHEMA_VERSION`], documented in `docs/results-json.md`) |
//! | [`html`] | the self-contained `report.html`, built from the results file's figures |
//!
//! Every figure comes from [`caliper_core::stats::RoundSummary`], so the console, the results
//! file and any later report agree with Caliper's formulas.

pub mod compare;
pub mod console;
mod error;
mod fixed;
pub mod html;
pub mod json;
mod peak_console;
mod redact;

#[cfg(test)]
mod fixture;

pub use console::{COLUMNS, RAMAC, failures_line, render_table, result_row, round_table, summary_table};
pub use error::ReportError;
pub use html::{HtmlReport, write_html};
pub use json::{
    LatencyFigures, ResultsFile, RoundResult, RoundResultStatus, RunInfo, SCHEMA_VERSION, SeriesPoint, Tool,
    WorkerResult, read_results, write_results,
};

use caliper_core::manager::RunOutcome;

/// Whether the run passed: it was not interrupted, nothing stopped it outside a round, and
/// every round passed. The binary's exit code and the results file's `run.passed` say this.
pub fn run_passed(run: &RunOutcome) -> bool {
    !run.interrupted && run.error.is_none() && run.rounds.iter().all(|r| r.passed())
}
