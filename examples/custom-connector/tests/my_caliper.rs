//! The example's own binary, `my-caliper`, run for real: a benchmark with 2 local workers
//! through its `http` connector against an HTTP server this test starts on loopback; and a
//! remote MQTT worker that is the plain `caliper` (without `http`), refused at once with a
//! message that names the connector, the worker and what its binary has.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use caliper_testkit::mosquitto::Broker;
use serde_json::Value;

const MY_CALIPER: &str = env!("CARGO_BIN_EXE_my-caliper");

/// What the server saw.
#[derive(Default)]
struct Seen {
    gets: u64,
    posts: Vec<Value>,
    tagged: u64,
}

/// An HTTP server on a free loopback port, on a runtime of its own (stopped with the test):
/// `GET /` answers 200, `POST /items` 201 with a JSON body, anything else 404.
fn server() -> (u16, Arc<Mutex<Seen>>, tokio::runtime::Runtime) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let tag = |seen: &Mutex<Seen>, headers: &HeaderMap| {
        if headers.get("x-caliper-example").is_some_and(|v| v == "custom-connector") {
            seen.lock().unwrap().tagged += 1;
        }
    };
    let (s1, s2) = (seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/",
            get(move |headers: HeaderMap| async move {
                tag(&s1, &headers);
                s1.lock().unwrap().gets += 1;
                "ok"
            }),
        )
        .route(
            "/items",
            post(move |headers: HeaderMap, body: String| async move {
                tag(&s2, &headers);
                match serde_json::from_str::<Value>(&body) {
                    Ok(v) => {
                        s2.lock().unwrap().posts.push(v);
                        StatusCode::CREATED
                    }
                    Err(_) => StatusCode::BAD_REQUEST,
                }
            }),
        );
    runtime.spawn(async move { axum::serve(listener, app).await });
    (port, seen, runtime)
}

/// The example's workspace copied to a temporary folder, its server's port replaced.
fn workspace(port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["benchmarks", "networks"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(example.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
            std::fs::write(dir.path().join(sub).join(path.file_name().unwrap()), text).unwrap();
        }
    }
    std::fs::copy(example.join("caliper.yaml"), dir.path().join("caliper.yaml")).unwrap();
    dir
}

fn wait(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {limit:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn spawn(program: &Path, ws: &Path, role: &str, args: &[&str]) -> Child {
    Command::new(program)
        .args(["launch", role, "--caliper-workspace"])
        .arg(ws)
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn my_caliper_runs_the_example_benchmark_with_two_local_workers() {
    let (port, seen, _server) = server();
    let ws = workspace(port);
    let out = wait(spawn(Path::new(MY_CALIPER), ws.path(), "manager", &[]), Duration::from_secs(120));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let results: Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(results["run"]["blockchain"], "http", "{results:#}");
    let rounds = results["rounds"].as_array().unwrap();
    let figures: Vec<(&str, &str, u64, u64)> = rounds
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["succ"].as_u64().unwrap(),
                r["fail"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(figures, [("get", "passed", 200, 0), ("post", "passed", 100, 0)]);
    for r in rounds {
        assert_eq!(r["workers"].as_array().unwrap().len(), 2, "two local workers: {r}");
    }
    let seen = seen.lock().unwrap();
    // The manager's connector checks the server once in init; then every transaction is one
    // request that reached the server, with the configured header.
    assert_eq!(seen.gets, 201);
    assert_eq!(seen.posts.len(), 100);
    assert_eq!(seen.tagged, 301);
    let mut distinct: Vec<(u64, u64)> =
        seen.posts.iter().map(|b| (b["worker"].as_u64().unwrap(), b["n"].as_u64().unwrap())).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 100, "each worker sends its own sequence");
    assert!(seen.posts.iter().all(|b| b["item"] == "example"));
}

/// The plain `caliper` binary of this workspace, built now if it is not up to date.
fn plain_caliper() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "-p", "caliper-cli", "--bin", "caliper", "--message-format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo build -p caliper-cli failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|m| m["executable"].as_str().filter(|e| e.ends_with("/caliper")).map(PathBuf::from))
        .expect("cargo names the caliper executable")
}

#[test]
fn a_remote_worker_without_the_connector_is_refused_not_hung() {
    let caliper = plain_caliper();
    let broker = Broker::anonymous();
    let (port, _seen, _server) = server();
    let ws = workspace(port);
    let url = broker.url();
    let mqtt = [
        "--caliper-worker-communication-method",
        "mqtt",
        "--caliper-worker-communication-address",
        url.as_str(),
        "--caliper-worker-communication-mqtt-run",
        "refusal",
        "--caliper-worker-remote",
        "true",
        "--caliper-worker-timeout-join",
        "60000",
    ];
    let worker = spawn(&caliper, ws.path(), "worker", &mqtt);
    std::thread::sleep(Duration::from_millis(1000));
    let started = Instant::now();
    let manager = wait(spawn(Path::new(MY_CALIPER), ws.path(), "manager", &mqtt), Duration::from_secs(60));
    let took = started.elapsed();
    let worker = wait(worker, Duration::from_secs(15));
    let (m, w) = (stderr(&manager), stderr(&worker));
    assert_eq!(manager.status.code(), Some(1), "the run failed: {m}");
    assert!(took < Duration::from_secs(30), "refused at once, not at the 60 s join deadline: {took:?}");
    let refusal = m.lines().find(|l| l.contains("refused")).unwrap_or_else(|| panic!("no refusal: {m}"));
    assert!(refusal.contains("worker caliper-w"), "names the worker: {refusal}");
    assert!(refusal.contains("connector \"http\""), "names the connector: {refusal}");
    assert!(refusal.contains(&format!("{} (caliper-rs ", caliper.display())), "names its binary: {refusal}");
    assert!(refusal.contains("connectors: ethereum, fabric, sim"), "says what it has: {refusal}");
    assert_eq!(worker.status.code(), Some(1), "the worker exits: {w}");
    assert!(w.contains("refused the manager"), "and says why: {w}");
}
