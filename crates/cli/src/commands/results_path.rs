//! The results file and the HTML report are checked before the run starts: a run of an hour
//! whose results cannot be written at the end is lost, so a path that cannot be written is a
//! configuration error.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use caliper_core::settings::{Settings, keys};

/// Where the results file goes: `caliper-report-json`, relative to the workspace.
pub fn results_path(settings: &Settings) -> PathBuf {
    settings.path(keys::REPORT_JSON).unwrap_or_else(|| settings.workspace().join("results.json"))
}

/// Where the HTML report goes: `caliper-report-path`, relative to the workspace.
pub fn report_path(settings: &Settings) -> PathBuf {
    settings.path(keys::REPORT_PATH).unwrap_or_else(|| settings.workspace().join("report.html"))
}

/// Checks that the results file and the HTML report can be written: each one's folder exists
/// or can be made, a file can be created and written in it, and the path is not something
/// other than a regular file (a device such as `/dev/full`, which the final rename would
/// replace, or a folder). One message per path that cannot.
pub fn check_outputs_writable(settings: &Settings) -> Vec<String> {
    [
        (keys::REPORT_JSON, "results file", results_path(settings)),
        (keys::REPORT_PATH, "HTML report", report_path(settings)),
    ]
    .into_iter()
    .filter_map(|(key, what, path)| {
        check_writable(&path)
            .err()
            .map(|why| format!("{key}: the {what} {} cannot be written: {why}", path.display()))
    })
    .collect()
}

fn check_writable(path: &Path) -> Result<(), String> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err("it exists and is not a regular file".into());
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    // A probe file beside it, written and synced: a full or read-only filesystem fails here.
    let probe = dir.join(format!(".caliper-write-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(b"{}\n")?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.map_err(|e| format!("cannot write in {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::check_writable;

    #[test]
    fn writable_and_unwritable_paths() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("new/sub/results.json")).is_ok());
        assert_eq!(std::fs::read_dir(dir.path().join("new/sub")).unwrap().count(), 0, "no probe left");
        std::fs::write(dir.path().join("file"), "").unwrap();
        assert!(check_writable(&dir.path().join("file/results.json")).is_err(), "under a file");
        assert!(check_writable(dir.path()).is_err(), "a folder");
        assert!(check_writable(std::path::Path::new("/dev/full")).is_err(), "a device");
        assert!(check_writable(std::path::Path::new("/proc/results.json")).is_err(), "/proc");
    }
}
