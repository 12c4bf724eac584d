//! `<workspace>/.caliper`: where caliper-rs keeps what it installs and writes for itself, so
//! that what one part puts there (`caliper bind`) is where another looks for it (the
//! external-connector resolver, the Node.js sidecar).

use std::path::{Path, PathBuf};

/// The folder's name below the workspace.
pub const STATE_DIR: &str = ".caliper";

/// `<workspace>/.caliper`: `caliper bind`'s record and the `cargo install --root` of its
/// `cargo` installer.
pub fn state_dir(workspace: &Path) -> PathBuf {
    workspace.join(STATE_DIR)
}

/// `<workspace>/.caliper/bin`: programs installed there (`cargo install --root` puts its
/// binaries in `bin`), searched first for `caliper-connector-<name>` and `exec:<name>`.
pub fn programs_dir(workspace: &Path) -> PathBuf {
    state_dir(workspace).join("bin")
}

/// `<workspace>/.caliper/<name>`: a folder of one part (`venv`, `node`).
pub fn part_dir(workspace: &Path, name: &str) -> PathBuf {
    state_dir(workspace).join(name)
}
