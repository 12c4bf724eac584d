//! A throw-away Docker engine for the `docker` monitor's test: Debian's `dockerd` started as
//! root with its data, sockets and pid file in a temporary folder, no network set up (no
//! bridge, no iptables), a one-file image made from `busybox` with `docker import` (no
//! registry), and its containers removed and the engine killed when dropped.
//!
//! [`Dockerd::start`] says why it cannot run (no `dockerd`, not root, the engine did not come
//! up), for the test to print when it skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the engine may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running engine; dropping it removes its containers and stops it.
pub struct Dockerd {
    child: Option<Child>,
    cli: PathBuf,
    dir: tempfile::TempDir,
}

fn find(name: &str, env: &str) -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os(env).filter(|b| !b.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    ["/usr/sbin", "/usr/bin", "/usr/local/bin"].iter().map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

impl Dockerd {
    /// Starts an engine, or says why it cannot.
    pub fn start() -> Result<Dockerd, String> {
        let dockerd = find("dockerd", "CALIPER_DOCKERD_BIN")
            .ok_or("no dockerd (install Debian's docker.io, or set CALIPER_DOCKERD_BIN)")?;
        let cli =
            find("docker", "CALIPER_DOCKER_BIN").ok_or("no docker command line (Debian's docker.io)")?;
        let uid = std::fs::read_to_string("/proc/self/status").ok().and_then(|s| {
            s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0"))
        });
        if uid != Some(true) {
            return Err("dockerd needs root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
        let p = |name: &str| dir.path().join(name).display().to_string();
        let log = std::fs::File::create(dir.path().join("dockerd.log")).map_err(|e| e.to_string())?;
        let child = Command::new(&dockerd)
            .args(["--data-root", &p("root"), "--exec-root", &p("exec"), "--pidfile", &p("docker.pid")])
            .args(["-H", &format!("unix://{}", p("docker.sock"))])
            .args(["--iptables=false", "--ip6tables=false", "--bridge=none"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", dockerd.display()))?;
        let mut engine = Dockerd { child: Some(child), cli, dir };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if engine.docker(&["info", "--format", "{{.ServerVersion}}"]).is_ok() {
                return Ok(engine);
            }
            let exited = engine.child.as_mut().is_some_and(|c| !matches!(c.try_wait(), Ok(None)));
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(engine.dir.path().join("dockerd.log")).unwrap_or_default();
                let last: Vec<&str> = log.lines().rev().take(3).collect();
                return Err(format!("dockerd did not come up: {}", last.join(" | ")));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The engine's socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("docker.sock")
    }

    /// Runs the docker command line against this engine; its stdout, or why it failed.
    pub fn docker(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.cli)
            .args(["-H", &format!("unix://{}", self.socket().display())])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Imports `tag`: a root file system holding only `busybox` (Debian's busybox-static) and
    /// its `sh` and `yes`.
    pub fn import_busybox(&self, tag: &str) -> Result<(), String> {
        let busybox = ["/bin/busybox", "/usr/bin/busybox"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .ok_or("no busybox (Debian's busybox-static)")?;
        let root = self.dir.path().join("rootfs");
        std::fs::create_dir_all(root.join("bin")).map_err(|e| e.to_string())?;
        std::fs::copy(&busybox, root.join("bin/busybox")).map_err(|e| e.to_string())?;
        for applet in ["sh", "yes", "sleep"] {
            let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
        }
        let tar = Command::new("tar")
            .args(["-C", &root.display().to_string(), "-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("tar: {e}"))?;
        let out = Command::new(&self.cli)
            .args(["-H", &format!("unix://{}", self.socket().display()), "import", "-", tag])
            .stdin(tar.stdout.ok_or("tar has no stdout")?)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        // Containers first: their processes would outlive a killed engine.
        if let Ok(ids) = self.docker(&["ps", "-aq"]) {
            for id in ids.split_whitespace() {
                let _ = self.docker(&["rm", "-f", id]);
            }
        }
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        // Mounts under the exec and data roots go with the engine; what is left is removed
        // with the folder (a mount still held would only leave the folder behind).
    }
}
