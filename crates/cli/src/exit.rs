//! The exit codes of `caliper`, in one place (documented in docs/exit-codes.md).

/// Every round passed.
pub const OK: i32 = 0;
/// The run could not be carried out: a start or end command failed, the connector could not
/// initialise or install, workers could not start.
pub const RUN_FAILED: i32 = 1;
/// `caliper compare`: a threshold or check did not hold.
pub const REGRESSED: i32 = 1;
/// The command line, settings or configuration files are wrong; nothing was started.
pub const CONFIG: i32 = 2;
/// The run completed, but at least one round failed or did not run.
pub const ROUND_FAILED: i32 = 3;
/// The run was interrupted (Ctrl-C); what ran was reported.
pub const INTERRUPTED: i32 = 130;
