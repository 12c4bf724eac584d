//! The mqtt messenger against a real mosquitto 2 that each test starts on its own loopback
//! port: local and remote workers, authentication, TLS, two runs on one broker, a worker or
//! the manager killed, the broker restarted mid-round, and bad input.

mod broker;
mod common;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use broker::{mqtt, remote_worker, strs};
use caliper_testkit::certs::certificates;
use caliper_testkit::mosquitto::{Broker, raw_publish};
use caliper_testkit::net::free_port;
use common::*;

const BENCH: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - label: first
      txNumber: 400
      rateControl: { type: fixed-rate, opts: { tps: 400 } }
      workload: { module: sim-mix }
    - label: second
      txDuration: 1
      rateControl: { type: fixed-rate, opts: { tps: 200 } }
      workload: { module: sim-mix }
"#;

const LONG: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - label: long
      txDuration: 8
      rateControl: { type: fixed-rate, opts: { tps: 300 } }
      workload: { module: sim-mix }
    - label: next
      txNumber: 50
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix }
"#;

fn network() -> String {
    sim_network("latency: { fixed: 1 }")
}

fn spawn_manager(ws: &Workspace, args: &[String]) -> Child {
    ws.manager(&strs(args)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_passed(ws: &Workspace, out: &Output) {
    assert_eq!(code(out), 0, "{}", show(out));
    let results = ws.results();
    assert_accounted(&results);
    for r in rounds(&results) {
        assert_eq!(r["status"], "passed", "{r}");
    }
    assert_eq!(rounds(&results)[0]["submitted"], 400, "txNumber is exact");
}

#[test]
fn local_and_remote_workers_on_an_anonymous_broker() {
    let broker = Broker::anonymous();
    // Local: the manager forks its workers, which reach it through the broker.
    let ws = Workspace::new(BENCH, &network());
    let out = ws.run(&strs(&mqtt(&broker.url(), &[])), Duration::from_secs(60));
    assert_passed(&ws, &out);
    assert_eq!(rounds(&ws.results())[0]["workers"].as_array().unwrap().len(), 2);

    // Remote: three workers started by hand before the manager wait for it; it takes two and
    // tells the third it is not needed.
    let ws = Workspace::new(BENCH, &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "remote-test"]);
    let workers: Vec<Child> = (0..3).map(|_| remote_worker(&ws, &args)).collect();
    std::thread::sleep(Duration::from_millis(1500));
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let out = ws.run(&strs(&margs), Duration::from_secs(60));
    assert_passed(&ws, &out);
    let outs: Vec<Output> = workers.into_iter().map(|w| wait_output(w, Duration::from_secs(15))).collect();
    for w in &outs {
        assert_eq!(code(w), 0, "every worker exits cleanly: {}", show(w));
    }
    let surplus = outs.iter().filter(|w| stderr(w).contains("not needed")).count();
    assert_eq!(surplus, 1, "one worker was not needed: {}", outs.iter().map(show).collect::<String>());
}

#[test]
fn a_password_file_admits_the_right_password_only() {
    let broker = Broker::start(|dir| {
        let file = dir.join("passwd");
        let status = Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(&file)
            .args(["caliper", "s3cret-pass"])
            .status()
            .expect("mosquitto_passwd runs");
        assert!(status.success());
        format!("allow_anonymous false\npassword_file {}\n", file.display())
    });
    // Right: user name as a setting, password from the environment (inherited by the local
    // workers).
    let ws = Workspace::new(BENCH, &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-username", "caliper"]);
    let child = ws
        .manager(&strs(&args))
        .env("CALIPER_WORKER_COMMUNICATION_MQTT_PASSWORD", "s3cret-pass")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_output(child, Duration::from_secs(60));
    assert_passed(&ws, &out);
    assert!(!show(&out).contains("s3cret-pass"), "the password is never logged: {}", show(&out));

    // Wrong (in the address) and none: a clear error at once, without the password.
    for address in [format!("mqtt://caliper:wrong-pass@127.0.0.1:{}", broker.port), broker.url()] {
        let ws = Workspace::new(BENCH, &network());
        let start = Instant::now();
        let out = ws.run(&strs(&mqtt(&address, &[])), Duration::from_secs(30));
        assert_eq!(code(&out), 1, "{}", show(&out));
        assert!(start.elapsed() < Duration::from_secs(8), "refused at once, not at the deadline");
        let err = stderr(&out);
        assert!(err.contains("refused") || err.contains("not authorised"), "{err}");
        assert!(!err.contains("wrong-pass"), "the password is never logged: {err}");
    }
}

#[test]
fn mutual_tls_with_certificates_made_by_the_test() {
    let broker = Broker::start(|dir| {
        certificates(dir);
        let p = |f: &str| dir.join(f).display().to_string();
        format!(
            "allow_anonymous true\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\n",
            p("ca.pem"),
            p("server.pem"),
            p("server.key")
        )
    });
    let file = |f: &str| broker.dir.path().join(f).display().to_string();
    let address = format!("mqtts://127.0.0.1:{}", broker.port);
    let (ca, cert, key) = (file("ca.pem"), file("client.pem"), file("client.key"));
    let tls = [
        "--caliper-worker-communication-mqtt-tls-ca",
        ca.as_str(),
        "--caliper-worker-communication-mqtt-tls-cert",
        cert.as_str(),
        "--caliper-worker-communication-mqtt-tls-key",
        key.as_str(),
    ];
    let ws = Workspace::new(BENCH, &network());
    let out = ws.run(&strs(&mqtt(&address, &tls)), Duration::from_secs(60));
    assert_passed(&ws, &out);

    // The server is verified by default: without our CA, the system's roots reject it.
    let ws = Workspace::new(BENCH, &network());
    let out = ws.run(&strs(&mqtt(&address, &tls[2..])), Duration::from_secs(30));
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("TLS") && stderr(&out).contains("certificate"), "{}", show(&out));
    // Without a client certificate the broker refuses the connection.
    let ws = Workspace::new(BENCH, &network());
    let few = mqtt(
        &address,
        &[&tls[..2], &["--caliper-worker-communication-mqtt-timeout-connect", "3000"]].concat(),
    );
    let out = ws.run(&strs(&few), Duration::from_secs(30));
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("MQTT broker"), "{}", show(&out));
    // A missing file is a configuration error before anything starts.
    let ws = Workspace::new(BENCH, &network());
    let out = ws.run(
        &strs(&mqtt(&address, &["--caliper-worker-communication-mqtt-tls-ca", "nope.pem"])),
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("nope.pem"), "{}", show(&out));
}

#[test]
fn two_benchmarks_share_one_broker_at_once() {
    let broker = Broker::anonymous();
    // One with local workers (a generated run), one with remote workers (run "b").
    let ws_a = Workspace::new(BENCH, &network());
    let ws_b = Workspace::new(BENCH, &network());
    let args_b = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "b"]);
    let workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws_b, &args_b)).collect();
    let a = spawn_manager(&ws_a, &mqtt(&broker.url(), &[]));
    let mut margs = args_b.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let b = spawn_manager(&ws_b, &margs);
    let (out_a, out_b) = (wait_output(a, Duration::from_secs(60)), wait_output(b, Duration::from_secs(60)));
    assert_passed(&ws_a, &out_a);
    assert_passed(&ws_b, &out_b);
    for w in workers {
        let out = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&out), 0, "{}", show(&out));
    }
}

#[test]
fn a_second_manager_on_a_run_in_use_refuses_to_start_and_the_first_goes_on() {
    let broker = Broker::anonymous();
    let ws = Workspace::new(BENCH, &network());
    // Remote workers without a run identifier: both managers are on run "default".
    let args = mqtt(&broker.url(), &["--caliper-worker-remote", "true"]);
    let first = spawn_manager(&ws, &args);
    std::thread::sleep(Duration::from_secs(2));
    let other = Workspace::new(BENCH, &network());
    let start = Instant::now();
    let out = other.run(&strs(&args), Duration::from_secs(30));
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(start.elapsed() < Duration::from_secs(8), "said at once: {:?}", start.elapsed());
    let said = stderr(&out);
    assert!(
        said.contains("is running run \"default\"") && said.contains("caliper-worker-communication-mqtt-run"),
        "{said}"
    );
    // The first manager was not disturbed (no last will replaced its status): its workers
    // join and its benchmark passes.
    let wargs = mqtt(&broker.url(), &[]);
    let workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &wargs)).collect();
    assert_passed(&ws, &wait_output(first, Duration::from_secs(60)));
    for w in workers {
        let out = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&out), 0, "{}", show(&out));
    }
}

#[test]
fn a_remote_worker_killed_mid_round_fails_the_round_and_the_other_results_are_kept() {
    let broker = Broker::anonymous();
    let ws = Workspace::new(LONG, &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "kill"]);
    let mut workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &args)).collect();
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let manager = spawn_manager(&ws, &margs);
    std::thread::sleep(Duration::from_secs(4));
    signal(workers[0].id(), "KILL");
    let killed_at = Instant::now();
    let out = wait_output(manager, Duration::from_secs(40));
    assert!(
        killed_at.elapsed() < Duration::from_secs(12),
        "the loss was noticed within seconds: {}",
        show(&out)
    );
    assert_eq!(code(&out), 3, "{}", show(&out));
    let results = ws.results();
    let long = &rounds(&results)[0];
    assert_eq!(long["status"], "failed");
    assert!(long["error"].as_str().unwrap().contains("lost"), "{long}");
    let kept: Vec<_> = long["workers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| !w["error"].as_str().unwrap_or("").starts_with("lost"))
        .collect();
    assert_eq!(kept.len(), 1, "{long}");
    assert!(kept[0]["submitted"].as_u64().unwrap() > 0);
    assert_accounted(&results);
    let _ = workers[0].wait();
    let survivor = wait_output(workers.remove(1), Duration::from_secs(15));
    assert!(survivor.status.code().is_some(), "the other worker exits: {}", show(&survivor));
}

#[test]
fn workers_exit_when_their_manager_dies() {
    let broker = Broker::anonymous();
    let ws = Workspace::new(LONG, &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "orphans"]);
    let workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &args)).collect();
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let mut manager = spawn_manager(&ws, &margs);
    std::thread::sleep(Duration::from_secs(4));
    signal(manager.id(), "KILL");
    let _ = manager.wait();
    let killed_at = Instant::now();
    for w in workers {
        let out = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&out), 1, "{}", show(&out));
        assert!(stderr(&out).contains("manager"), "{}", show(&out));
    }
    assert!(killed_at.elapsed() < Duration::from_secs(12), "workers noticed within seconds");
}

#[test]
fn a_broker_restart_mid_round_loses_nothing() {
    let mut broker = Broker::anonymous();
    let ws = Workspace::new(LONG, &network());
    let manager = spawn_manager(&ws, &mqtt(&broker.url(), &[]));
    std::thread::sleep(Duration::from_secs(3));
    broker.restart(Duration::from_millis(1000));
    let out = wait_output(manager, Duration::from_secs(60));
    assert!(stderr(&out).contains("reconnected"), "{}", show(&out));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    assert_accounted(&results);
    for r in rounds(&results) {
        assert_eq!(r["status"], "passed", "{r}");
    }
}

#[test]
fn malformed_and_foreign_messages_are_ignored() {
    let broker = Broker::anonymous();
    let ws = Workspace::new(LONG.replace("txDuration: 8", "txDuration: 4").as_str(), &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "noisy"]);
    let workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &args)).collect();
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let manager = spawn_manager(&ws, &margs);
    std::thread::sleep(Duration::from_secs(2));
    let t = |s: &str| format!("caliper/noisy/{s}");
    let foreign = r#"{"sender":"stranger","recipients":["all"],"type":"exit","content":{},"date":"2025-01-01T00:00:00Z"}"#;
    let result =
        r#"{"sender":"caliper-w1-abcdef","recipients":["all"],"type":"testResult","content":{},"date":"x"}"#;
    raw_publish(
        broker.port,
        &[
            (t("from/caliper-w1-abcdef"), b"not json".to_vec()),
            (t("from/caliper-w1-abcdef"), result.as_bytes().to_vec()),
            (t("from/caliper-w2-abcdef"), foreign.as_bytes().to_vec()),
            (t("to/all"), b"\xff\xfe garbage".to_vec()),
            (t("to/all"), foreign.as_bytes().to_vec()),
            (t("alive/caliper-w1-abcdef"), b"{}".to_vec()),
            (t("manager"), b"[1,2,3]".to_vec()),
            (t("alive/x"), r#"{"id":"y","state":"offline"}"#.as_bytes().to_vec()),
        ],
    );
    let out = wait_output(manager, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stderr(&out).contains("ignoring a malformed message"), "{}", show(&out));
    assert_accounted(&ws.results());
    for w in workers {
        let w = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&w), 0, "{}", show(&w));
        assert!(stderr(&w).contains("ignoring a malformed"), "{}", show(&w));
    }
}

#[test]
fn an_unreachable_broker_and_missing_workers_are_clear_errors_within_their_deadlines() {
    let ws = Workspace::new(BENCH, &network());
    let nobody = format!("mqtt://127.0.0.1:{}", free_port());
    let start = Instant::now();
    let out = ws.run(
        &strs(&mqtt(&nobody, &["--caliper-worker-communication-mqtt-timeout-connect", "2000"])),
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(start.elapsed() < Duration::from_secs(6), "within the connect deadline");
    assert!(stderr(&out).contains("cannot reach the MQTT broker"), "{}", show(&out));

    // Two of three workers join: the manager says so at its deadline.
    let broker = Broker::anonymous();
    let ws = Workspace::new(&BENCH.replace("number: 2", "number: 3"), &network());
    let args = mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", "few"]);
    let workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &args)).collect();
    let mut margs = args.clone();
    margs.extend(
        ["--caliper-worker-remote", "true", "--caliper-worker-timeout-join", "3000"].map(String::from),
    );
    let out = ws.run(&strs(&margs), Duration::from_secs(30));
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("2 of 3 workers joined"), "{}", show(&out));
    for w in workers {
        let w = wait_output(w, Duration::from_secs(15));
        assert!(w.status.code().is_some(), "{}", show(&w));
    }
}

#[test]
fn a_silent_worker_is_lost_after_the_liveness_timeout() {
    // A stopped process keeps its TCP connection (no last will) but sends no heartbeat: what a
    // host that lost its network looks like to the manager.
    let broker = Broker::anonymous();
    let ws = Workspace::new(LONG, &network());
    let args = mqtt(
        &broker.url(),
        &[
            "--caliper-worker-communication-mqtt-run",
            "silent",
            "--caliper-worker-communication-mqtt-liveness",
            "3000",
        ],
    );
    let mut workers: Vec<Child> = (0..2).map(|_| remote_worker(&ws, &args)).collect();
    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let manager = spawn_manager(&ws, &margs);
    std::thread::sleep(Duration::from_secs(4));
    signal(workers[0].id(), "STOP");
    let stopped_at = Instant::now();
    let out = wait_output(manager, Duration::from_secs(40));
    let noticed = stopped_at.elapsed();
    signal(workers[0].id(), "KILL");
    let _ = workers[0].wait();
    assert!(noticed < Duration::from_secs(12), "noticed within seconds ({noticed:?}): {}", show(&out));
    assert_eq!(code(&out), 3, "{}", show(&out));
    assert!(stderr(&out).contains("no heartbeat"), "{}", show(&out));
    assert_accounted(&ws.results());
    let survivor = wait_output(workers.remove(1), Duration::from_secs(15));
    assert!(survivor.status.code().is_some(), "{}", show(&survivor));
}
