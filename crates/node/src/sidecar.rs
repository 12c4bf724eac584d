//! The sidecar program: JavaScript shipped inside the binary and written where Node.js can
//! run it.

use std::io;
use std::path::{Path, PathBuf};

/// The sidecar's source (crates/node/js/sidecar.js).
pub const SIDECAR_JS: &str = include_str!("../js/sidecar.js");

/// The folder below `<workspace>/.caliper` that holds the sidecar.
const SIDECAR_DIR: &str = "node";

/// Writes the sidecar to `<workspace>/.caliper/node/sidecar.js` unless the same text is there
/// already (workers of one run share the file and never see it half written: it is written
/// to a temporary name and renamed). A workspace that cannot be written to gets it in the
/// system's temporary folder instead. Returns the file's path.
pub fn install(workspace: &Path) -> io::Result<PathBuf> {
    match install_in(&caliper_core::state_dir::part_dir(workspace, SIDECAR_DIR)) {
        Ok(path) => Ok(path),
        Err(err) => {
            let fallback = std::env::temp_dir().join(format!("caliper-node-{}", user_tag()));
            tracing::debug!(
                "the workspace is not writable ({err}); the sidecar goes to {}",
                fallback.display()
            );
            install_in(&fallback)
        }
    }
}

fn install_in(dir: &Path) -> io::Result<PathBuf> {
    let path = dir.join("sidecar.js");
    if std::fs::read(&path).is_ok_and(|text| text == SIDECAR_JS.as_bytes()) {
        return Ok(path);
    }
    std::fs::create_dir_all(dir)?;
    let partial = dir.join(format!(".sidecar.js.{}", std::process::id()));
    std::fs::write(&partial, SIDECAR_JS)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// Tells users of one machine apart in the temporary folder.
fn user_tag() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "user".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sidecar_is_written_once_and_rewritten_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = install(dir.path()).unwrap();
        assert_eq!(path, dir.path().join(".caliper/node/sidecar.js"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), SIDECAR_JS);
        let written = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        install(dir.path()).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            written,
            "unchanged text is not rewritten"
        );
        std::fs::write(&path, "old").unwrap();
        install(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), SIDECAR_JS);
    }
}
