//! What can go wrong while writing or reading a report.

use std::path::PathBuf;

/// An error of a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or folder could not be created, written, renamed or read.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`create folder`, `write`, `rename to`, `read`, ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The results could not be encoded as JSON.
    #[error("cannot encode the results as JSON: {source}")]
    Encode {
        /// Why.
        source: serde_json::Error,
    },
    /// A results file is not valid JSON or does not have the schema's shape.
    #[error("{} is not a caliper-rs results file: {source}", .path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// A results file was written with a schema version this build does not read.
    #[error(
        "{} has results schema version {found}; this caliper-rs reads version {supported}",
        .path.display()
    )]
    SchemaVersion {
        /// The file.
        path: PathBuf,
        /// Its `schemaVersion` (0 when it has none).
        found: u64,
        /// The version this build writes and reads.
        supported: u32,
    },
}
