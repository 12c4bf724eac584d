//! A real Prometheus and a real Pushgateway (Debian's packages) for the integration tests,
//! each on a free loopback port with its data in a temporary folder, killed when dropped.
//!
//! The binaries come from `CALIPER_PROMETHEUS_BIN` / `CALIPER_PUSHGATEWAY_BIN`, else the PATH
//! (`prometheus`, `prometheus-pushgateway`); [`Prometheus::find`] and [`Pushgateway::find`]
//! say why a test cannot run without them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::net::{free_port, http_get};

/// How long a server may take to say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server; dropping it kills the process.
pub struct Server {
    child: Option<Child>,
    port: u16,
    _data: tempfile::TempDir,
}

impl Server {
    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET path`: the body of a 2xx answer, or None.
    pub fn get(&self, path: &str) -> Option<String> {
        http_get(self.port, path).filter(|(status, _)| (200..300).contains(status)).map(|(_, body)| body)
    }

    fn start(bin: &PathBuf, args: impl Fn(u16, &std::path::Path) -> Vec<String>) -> Server {
        for _ in 0..3 {
            let data = tempfile::tempdir().expect("a temporary folder");
            let port = free_port();
            let child = Command::new(bin)
                .args(args(port, data.path()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let mut server = Server { child: Some(child), port, _data: data };
            let deadline = Instant::now() + START_TIMEOUT;
            while Instant::now() < deadline {
                if let Some(child) = server.child.as_mut()
                    && !matches!(child.try_wait(), Ok(None))
                {
                    break;
                }
                if server.get("/-/ready").is_some() {
                    return server;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            server.kill();
        }
        panic!("{} did not become ready within {START_TIMEOUT:?} (three tries)", bin.display());
    }

    /// Kills the server now; a second call does nothing.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn find(env: &str, name: &str) -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os(env).filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!("no {name} (set {env}, or install Debian's package {name}: scripts/test.sh does)")
        })
}

/// A Prometheus Pushgateway.
pub struct Pushgateway;

impl Pushgateway {
    /// Its binary, or why there is none.
    pub fn find() -> Result<PathBuf, String> {
        find("CALIPER_PUSHGATEWAY_BIN", "prometheus-pushgateway")
    }

    /// Starts one with no persistence (Debian's default file would bring back earlier groups).
    pub fn start(bin: &PathBuf) -> Server {
        Server::start(bin, |port, _| {
            vec![format!("--web.listen-address=127.0.0.1:{port}"), "--persistence.file=".to_string()]
        })
    }
}

/// A Prometheus server.
pub struct Prometheus;

impl Prometheus {
    /// Its binary, or why there is none.
    pub fn find() -> Result<PathBuf, String> {
        find("CALIPER_PROMETHEUS_BIN", "prometheus")
    }

    /// Starts one that scrapes `targets` (`127.0.0.1:port`) every second at `path`, with
    /// `honor_labels` (the labels of the scraped series win, as for a Pushgateway).
    pub fn start(bin: &PathBuf, targets: &[String], path: &str) -> Server {
        let targets = targets.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        let config = scrape_config("caliper", &targets, path);
        Server::start(bin, move |port, dir| args(port, dir, &config))
    }

    /// Starts one that scrapes its own `/metrics` every second as the job `self`: series (`up`,
    /// `prometheus_build_info`, ...) that exist without anything else running.
    pub fn start_self(bin: &PathBuf) -> Server {
        Server::start(bin, |port, dir| {
            args(port, dir, &scrape_config("self", &format!("'127.0.0.1:{port}'"), "/metrics"))
        })
    }
}

/// A configuration that scrapes `targets` (a YAML list's items) every second as `job`.
fn scrape_config(job: &str, targets: &str, path: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: {job}\n    honor_labels: true\n    metrics_path: {path}\n    static_configs:\n      - targets: [{targets}]\n"
    )
}

/// The command line of a Prometheus with `config`, its data in `dir`, listening on `port`.
fn args(port: u16, dir: &std::path::Path, config: &str) -> Vec<String> {
    let file = dir.join("prometheus.yml");
    std::fs::write(&file, config).expect("write the Prometheus config");
    vec![
        format!("--config.file={}", file.display()),
        format!("--storage.tsdb.path={}", dir.join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ]
}
