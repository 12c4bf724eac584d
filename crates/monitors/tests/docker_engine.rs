//! The `docker` monitor against the machine's real Docker engine, when there is one (the
//! fake Engine API tests beside the code run everywhere); skipped, saying why, otherwise.
//!
//! To run it on a machine without an engine (Debian, as root): `apt-get install docker.io
//! busybox-static`, then `dockerd --data-root $T/root --exec-root $T/exec -H unix://$T/docker.sock
//! --pidfile $T/docker.pid --iptables=false --ip6tables=false --bridge=none`, a container from a
//! busybox rootfs (`tar -C rootfs -c . | docker import - bb:1`; `docker run -d --network none bb:1
//! sh -c 'yes > /dev/null'`), and `DOCKER_HOST=unix://$T/docker.sock cargo test -p
//! caliper-monitors --test docker_engine -- --nocapture`.

use std::path::PathBuf;
use std::time::Duration;

use caliper_core::monitor::{MonitorFactory, MonitoredRound};
use caliper_core::settings::Settings;
use caliper_monitors::DockerFactory;
use serde_json::json;

fn socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"))
}

#[tokio::test]
async fn every_running_container_of_the_local_engine_is_measured() {
    let socket = socket();
    if !socket.exists() {
        eprintln!(
            "skipped: no Docker engine at {} (set DOCKER_HOST=unix://... to use another)",
            socket.display()
        );
        return;
    }
    let options = json!({"interval": 0.5, "containers": ["all"]});
    let mut monitor = DockerFactory { socket: Some(socket) }
        .create(options.as_object().expect("object"), &Settings::default())
        .expect("a monitor");
    monitor.start(&MonitoredRound { index: 0, label: "real".into() }).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let report = monitor.stop().await;
    let error = report.error.clone().unwrap_or_default();
    assert!(!error.contains("cannot list the containers"), "{report:#?}");
    if report.rows.is_empty() {
        eprintln!("no container runs on the engine: nothing else to check ({error})");
        return;
    }
    eprintln!("{:?}", report.columns);
    for row in &report.rows {
        eprintln!("{row:?}");
    }
    if let Some(error) = &report.error {
        eprintln!("note: {error}");
    }
    for row in &report.rows {
        // A container that stopped during the round is named in the note; the others were read.
        if !error.contains(&format!("\"{}\"", row[0])) {
            assert!(row[1] != "-" && row[3] != "-", "a running container has memory and CPU: {report:#?}");
            assert!(report.samples.iter().any(|s| s.item == row[0]), "{report:#?}");
        }
    }
}
