//! `caliper.command.start` and `.end`: shell commands run in the workspace.

use std::path::Path;

use tokio::process::Command;
use tokio_util::sync::CancellationToken;

/// Runs `command` through `sh -c` in `workspace`; its output goes to the manager's own.
/// Returns an error for a person when it cannot start, fails, or is interrupted.
pub async fn run_shell(
    phase: &str,
    command: &str,
    workspace: &Path,
    interrupt: &CancellationToken,
) -> Result<(), String> {
    tracing::info!("running the {phase} command: {command}");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(workspace)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run the {phase} command `{command}`: {e}"))?;
    tokio::select! {
        status = child.wait() => match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!(
                "the {phase} command `{command}` failed ({s}); fix it in caliper.command.{phase} of the network configuration"
            )),
            Err(e) => Err(format!("the {phase} command `{command}` could not be waited for: {e}")),
        },
        _ = interrupt.cancelled() => {
            let _ = child.kill().await;
            Err(format!("the {phase} command was interrupted"))
        }
    }
}
