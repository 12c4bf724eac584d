//! What can go wrong in `caliper compare` before anything is compared: the input.

use crate::ReportError;

/// An error in what `caliper compare` was given: a threshold or check that does not parse, a
/// check naming a round the current run does not have, runs with no round in common, or a
/// results file that cannot be read. The command exits 2 on any of them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// A relative threshold (`latency.p99=+10%`) that does not parse.
    #[error("threshold `{text}`: {expected}")]
    Threshold {
        /// The threshold as given.
        text: String,
        /// What was wrong and what was expected instead.
        expected: String,
    },
    /// An absolute check (`open:p(95)<0.5`) that does not parse.
    #[error("check `{text}`: {expected}")]
    Check {
        /// The check as given.
        text: String,
        /// What was wrong and what was expected instead.
        expected: String,
    },
    /// A check scoped to a round label that the current run does not have.
    #[error(
        "check `{text}` names the round `{label}`, which the current run does not have (its rounds: {labels})"
    )]
    UnknownLabel {
        /// The check as given.
        text: String,
        /// The label it names.
        label: String,
        /// The labels of the current run, comma-separated.
        labels: String,
    },
    /// No round label appears in both runs: they are not the same benchmark.
    #[error("the two runs have no round label in common (baseline: {baseline}; current: {current})")]
    NoCommonRounds {
        /// The baseline's labels, comma-separated.
        baseline: String,
        /// The current run's labels, comma-separated.
        current: String,
    },
    /// A results file could not be read (missing, not JSON, another schema version).
    #[error(transparent)]
    Read(#[from] ReportError),
}
