//! The errors of loading and running JavaScript workload modules.

use caliper_core::workload::WorkloadError;

/// Why a JavaScript workload module could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum JsError {
    /// The engine itself failed (out of memory while starting, for example).
    #[error("JavaScript engine: {0}")]
    Engine(String),
    /// The module file (or one it requires) did not load: a syntax error with its file and
    /// line, a missing module, an exception at the top level, or no `createWorkloadModule`.
    #[error("{file} cannot be loaded: {message}")]
    Load {
        /// The workload module file.
        file: String,
        /// What went wrong, with the JavaScript stack.
        message: String,
    },
}

impl From<JsError> for WorkloadError {
    fn from(err: JsError) -> Self {
        WorkloadError::Failed(err.to_string())
    }
}
