//! The `docker` monitor against real Docker engines: the machine's own, when there is one, and
//! one the test starts itself (Debian's docker.io as root, through caliper-testkit: its data in
//! a temporary folder, no network, an image made from busybox-static with `docker import`),
//! with a busy and an idle container. Each test says why it skips where it cannot run (the fake
//! Engine API tests beside the code run everywhere). scripts/test.sh installs docker.io and
//! busybox-static when missing.

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

/// The `docker` monitor against an engine this test starts (Debian's docker.io, as root): a
/// busy container and an idle one, by name with and without the leading `/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_and_an_idle_container_of_a_real_engine_are_measured() {
    let engine = match caliper_testkit::docker::Dockerd::start() {
        Ok(engine) => engine,
        Err(why) => {
            eprintln!("skipped: cannot start a Docker engine here: {why}");
            return;
        }
    };
    if let Err(why) = engine.import_busybox("caliper-bb:1") {
        eprintln!("skipped: cannot make the busybox image: {why}");
        return;
    }
    let run = |name: &str, command: &str| {
        engine.docker(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "none",
            "caliper-bb:1",
            "sh",
            "-c",
            command,
        ])
    };
    run("busy", "yes > /dev/null").expect("the busy container runs");
    run("idle", "sleep 600").expect("the idle container runs");
    let options = json!({"interval": 0.5, "containers": ["/busy", "idle"]});
    let mut monitor = DockerFactory { socket: Some(engine.socket()) }
        .create(options.as_object().expect("object"), &Settings::default())
        .expect("a monitor");
    monitor.start(&MonitoredRound { index: 0, label: "real".into() }).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let report = monitor.stop().await;
    eprintln!("{:?}\n{:?}\nnote: {:?}", report.columns, report.rows, report.error);
    let row = |name: &str| {
        report
            .rows
            .iter()
            .find(|r| r[0].trim_start_matches('/') == name)
            .unwrap_or_else(|| panic!("{name}: {report:#?}"))
    };
    let number = |cell: &str| cell.parse::<f64>().unwrap_or(f64::NAN);
    let (busy, idle) = (row("busy"), row("idle"));
    // Columns: Name, Memory(max), Memory(avg), CPU%(max), CPU%(avg), Traffic In, Traffic Out, ...
    assert!(number(&busy[4]) > 50.0, "the busy container uses a core: {busy:?}");
    assert!(number(&idle[4]) < 20.0, "the idle container does not: {idle:?}");
    assert!(number(&busy[1]) > 0.0 && number(&idle[1]) > 0.0, "both have memory: {busy:?} {idle:?}");
    assert!(
        report.samples.iter().filter(|s| s.item.trim_start_matches('/') == "busy").count() >= 4,
        "{report:#?}"
    );
}
