//! The `docker` monitor against the machine's real Docker engine, when there is one (the
//! fake Engine API tests beside the code run everywhere); skipped, saying why, otherwise.

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
    for row in &report.rows {
        assert!(row[1] != "-" || error.contains(&row[0]), "a running container has memory: {report:#?}");
    }
}
