//! The `docker` monitor against a fake Engine API (recorded answers, counters that grow with
//! each read) on a Unix socket and on TCP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use caliper_core::monitor::{MonitorFactory, MonitorReport, MonitoredRound};
use caliper_core::settings::Settings;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::DockerFactory;

/// The fake engine: `peer0` (cgroup v1 answers, one core busy), `orderer` (v2 answers,
/// stopped after its second read) and `ghost` (listed, then removed before its first read).
#[derive(Default)]
struct Fake {
    peer_reads: AtomicU64,
    orderer_reads: AtomicU64,
}

impl Fake {
    fn answer(&self, path: &str) -> (u16, Value) {
        if path == "/containers/json" {
            return (
                200,
                json!([{"Id": "p0", "Names": ["/peer0"]}, {"Id": "o1", "Names": ["/orderer"]}, {"Id": "g2", "Names": ["/ghost"]}]),
            );
        }
        if path.starts_with("/containers/p0/stats?stream=false&one-shot=true") {
            let n = self.peer_reads.fetch_add(1, Ordering::SeqCst) as f64;
            return (
                200,
                json!({
                "cpu_stats": {"cpu_usage": {"total_usage": n * 5e8, "percpu_usage": [1, 1]},
                              "system_cpu_usage": n * 1e9, "online_cpus": 2},
                "memory_stats": {"usage": 3e6 + n * 1e6, "stats": {"total_inactive_file": 1e6}},
                "networks": {"eth0": {"rx_bytes": n * 2048.0, "tx_bytes": n * 1024.0}},
                "blkio_stats": {"io_service_bytes_recursive": [{"op": "Read", "value": 0}, {"op": "Write", "value": n * 4096.0}]}}),
            );
        }
        if path.starts_with("/containers/o1/stats") {
            let n = self.orderer_reads.fetch_add(1, Ordering::SeqCst) as f64;
            if n >= 2.0 {
                // What Docker 20.10 answers for a stopped container.
                return (
                    200,
                    json!({"read": "0001-01-01T00:00:00Z", "cpu_stats": {"cpu_usage": {"total_usage": 0}},
                    "memory_stats": {}, "blkio_stats": {"io_service_bytes_recursive": null}}),
                );
            }
            return (
                200,
                json!({
                "cpu_stats": {"cpu_usage": {"total_usage": n * 1e8}, "system_cpu_usage": n * 1e9, "online_cpus": 4},
                "memory_stats": {"usage": 2048, "stats": {"inactive_file": 1024}}}),
            );
        }
        if path.starts_with("/containers/g2/stats") {
            return (404, json!({"message": "No such container: g2"}));
        }
        (404, json!({"message": "page not found"}))
    }
}

/// Serves one request on `stream` (the client is told to close the connection).
async fn serve(mut stream: impl AsyncRead + AsyncWrite + Unpin, fake: &Fake) {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = fake.answer(path);
    let body = body.to_string();
    let answer = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
}

/// Serves `fake` on `listener` (a Unix or TCP listener) until the task is aborted.
macro_rules! serve_forever {
    ($listener:expr, $fake:expr) => {{
        let (listener, fake) = ($listener, $fake.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let fake = fake.clone();
                tokio::spawn(async move { serve(stream, &fake).await });
            }
        })
    }};
}

async fn round(factory: &DockerFactory, options: Value, length: Duration) -> MonitorReport {
    let mut monitor =
        factory.create(options.as_object().expect("object"), &Settings::default()).expect("a monitor");
    monitor.start(&MonitoredRound { index: 0, label: "r".into() }).await;
    tokio::time::sleep(length).await;
    monitor.stop().await
}

fn row<'a>(report: &'a MonitorReport, name: &str) -> &'a Vec<String> {
    report.rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("no row {name}: {report:#?}"))
}

#[tokio::test]
async fn reads_containers_through_the_local_socket() {
    let dir = std::env::temp_dir().join(format!("caliper-docker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let socket = dir.join("docker.sock");
    let _ = std::fs::remove_file(&socket);
    let listener = tokio::net::UnixListener::bind(&socket).expect("bind");
    let fake = Arc::new(Fake::default());
    let server = serve_forever!(listener, fake);
    let factory = DockerFactory { socket: Some(socket.clone()) };
    let options = json!({"interval": 0.1, "containers": ["/peer0", "all", "missing"]});
    let report = round(&factory, options, Duration::from_millis(350)).await;
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(report.columns[1], "Memory(max) [MB]");
    let peer = row(&report, "peer0");
    // One core of two busy: 0.5 s of CPU per 1 s of host time x 2 CPUs.
    assert_eq!(peer[3..5], ["100.00", "100.00"], "{report:#?}");
    let reads = fake.peer_reads.load(Ordering::SeqCst);
    assert!((3..=7).contains(&reads), "read at the start, every 0.1 s and at the end: {reads}");
    // Traffic and writes are last minus first: (reads - 1) steps.
    let steps = (reads - 1) as f64;
    assert_eq!(report.columns[5], "Traffic In [KB]");
    assert_eq!(peer[5], crate::table::to_precision(steps * 2.0, 3));
    assert_eq!(peer[8], crate::table::to_precision(steps * 4.0, 3), "{report:#?}");
    // The orderer (listed by `all`) answered twice, then stopped.
    let orderer = row(&report, "orderer");
    assert_eq!(orderer[3], "40.00", "0.1 s of CPU per 1 s of host time x 4 CPUs: {report:#?}");
    let missing = row(&report, "missing");
    assert!(missing[1..].iter().all(|c| c == "-"), "{missing:?}");
    let error = report.error.as_deref().expect("problems");
    assert!(error.contains("no running container named \"missing\""), "{error}");
    assert!(error.contains("container \"orderer\" stopped at"), "{error}");
    assert!(
        error.contains("container \"ghost\" could not be read at") && error.contains("No such container: g2"),
        "{error}"
    );
    assert!(row(&report, "ghost")[1..].iter().all(|c| c == "-"), "{report:#?}");
    assert_eq!(report.rows.len(), 4, "peer0 is listed once though `all` names it again");
    let samples: Vec<_> = report.samples.iter().filter(|s| s.item == "peer0").collect();
    assert_eq!(samples.len() as u64, reads - 1, "the first reading is dropped");
    assert_eq!(samples[0].values["memory"], 3e6, "usage minus the inactive page cache");
}

#[tokio::test]
async fn a_remote_engine_by_address_and_one_that_cannot_be_reached() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let fake = Arc::new(Fake::default());
    let server = serve_forever!(listener, fake);
    let closed =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let options = json!({"interval": 0.1, "cpuUsageNormalization": true,
        "containers": [format!("http://127.0.0.1:{port}/peer0"), format!("http://127.0.0.1:{closed}/x")]});
    let report = round(&DockerFactory::default(), options, Duration::from_millis(250)).await;
    server.abort();
    let peer = row(&report, &format!("127.0.0.1:{port}/peer0"));
    assert_eq!(peer[3], "50.00", "divided by the engine's 2 CPUs: {report:#?}");
    let unreachable = row(&report, &format!("127.0.0.1:{closed}/x"));
    assert!(unreachable[1..].iter().all(|c| c == "-"), "{unreachable:?}");
    let error = report.error.as_deref().expect("problems");
    assert!(error.contains(&format!("cannot list the containers: http://127.0.0.1:{closed}")), "{error}");
}
