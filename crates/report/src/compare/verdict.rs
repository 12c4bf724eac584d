//! What a comparison or a check says of one figure.

use serde::Serialize;

/// The verdict on one row of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// Within its limit, or a check that holds.
    Ok,
    /// Better than the baseline by more than the limit.
    Improved,
    /// Worse than the baseline by more than the limit: the comparison fails.
    Regressed,
    /// A check that does not hold on the current run: the comparison fails.
    Failed,
    /// Shown, not judged: its limit is `off`, or neither run has the figure.
    Unjudged,
    /// One run has the figure and the other has not (no successful transaction, for example).
    NoData,
    /// A round only the current run has.
    Added,
    /// A round only the baseline has.
    Removed,
}

impl Verdict {
    /// Whether the comparison fails on this verdict.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Regressed | Verdict::Failed)
    }

    /// The word in the table's `Verdict` column; failing verdicts in capitals so they stand out.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Improved => "improved",
            Verdict::Regressed => "REGRESSED",
            Verdict::Failed => "FAILED",
            Verdict::Unjudged => "-",
            Verdict::NoData => "n/a",
            Verdict::Added => "added",
            Verdict::Removed => "removed",
        }
    }
}
