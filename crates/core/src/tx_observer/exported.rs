//! What a transaction observer that writes files reports about them: one entry per worker and
//! round, carried to the manager in `testResult` and written to results.json.

use serde::{Deserialize, Serialize};

/// One file a worker wrote in a round (the `export` observer's; see `docs/observers.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    /// The worker that wrote it.
    pub worker: usize,
    /// Where, on the worker's machine (absolute when the worker could tell).
    pub path: String,
    /// `csv` or `jsonl`.
    pub format: String,
    /// `zstd`, `gzip`, or `None` for plain text.
    #[serde(default)]
    pub compression: Option<String>,
    /// Transaction lines written (the header of a CSV file not counted).
    pub lines: u64,
    /// Lines dropped because the writer could not keep up (only with `onFull: drop`).
    #[serde(default)]
    pub dropped: u64,
    /// Transactions given up at the round's drain deadline: counted as failed in the results,
    /// but no line is written for them (their status never came back).
    #[serde(default)]
    pub abandoned: u64,
    /// Bytes written to the file (after compression).
    #[serde(default)]
    pub bytes: u64,
    /// Seconds the worker waited for the writer because its buffer was full (only with
    /// `onFull: block`); time the generator lost to the export.
    #[serde(default)]
    pub waited_s: f64,
    /// Why the file is incomplete (a write that failed, a disk that is full), if it is.
    #[serde(default)]
    pub error: Option<String>,
}
