//! Malformed and hostile messages on both messengers. Process: a real `caliper launch worker`
//! whose stdin the test writes as a rogue manager would (truncated and non-UTF-8 lines, a
//! 100 MB line, wrong types, unknown kinds, strangers, rounds out of order). MQTT: a rogue
//! client on a real run's topics replays the workers' statistics of another round, speaks for
//! an unknown worker and publishes garbage, and the run's figures stay exact. (The manager's
//! reader of a worker's stdout is the same framing, tested over a pipe in core's
//! messenger::framing; foreign messages on the MQTT topics are also in mqtt.rs.)

mod broker;
mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use caliper_testkit::mosquitto::Broker;
use common::*;
use serde_json::{Value, json};

/// An envelope from `sender` to all.
fn envelope(sender: &str, kind: &str, content: Value) -> String {
    json!({ "sender": sender, "recipients": ["all"], "type": kind, "content": content, "date": "2026-01-01T00:00:00Z" })
        .to_string()
}

fn round(test_round: usize, rate: Value) -> Value {
    json!({
        "label": "r", "rateControl": rate, "workload": { "module": "sim-mix" },
        "testRound": test_round, "numb": 20, "totalWorkers": 1
    })
}

/// The worker's stdout, message by message, with a deadline.
struct Replies(mpsc::Receiver<Value>);

impl Replies {
    /// The next message of type `kind` (others are skipped), within 10 s.
    fn expect(&self, kind: &str) -> Value {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let msg = self.0.recv_timeout(left).unwrap_or_else(|_| panic!("no {kind} from the worker"));
            if msg["type"] == kind {
                return msg;
            }
        }
    }
}

fn send(stdin: &mut ChildStdin, line: &str) {
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
}

#[test]
fn a_process_worker_ignores_garbage_on_its_stdin_and_keeps_serving_its_manager() {
    let ws = Workspace::new("", &sim_network("latency: { fixed: 1 }"));
    let mut worker = Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "worker", "--caliper-workspace"])
        .arg(ws.path())
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = worker.stdin.take().unwrap();
    let stdout = BufReader::new(worker.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(serde_json::from_str::<Value>(&line).expect("the worker writes only envelopes"));
        }
    });
    let replies = Replies(rx);

    let start = Instant::now();
    // Garbage before any manager: truncated, not JSON, not UTF-8, wrong types, unknown kinds.
    let register = envelope("m", "register", json!({}));
    send(&mut stdin, &register[..register.len() / 2]);
    send(&mut stdin, "not json at all");
    stdin.write_all(b"\xff\xfe\xfd garbage\n").unwrap();
    send(&mut stdin, &envelope("m", "assignId", json!({ "workerIndex": "zero" })));
    send(&mut stdin, &envelope("m", "explode", json!({})));
    send(&mut stdin, r#"{"type":"register"}"#);
    send(&mut stdin, "[1,2,3]");
    // A 100 MB line: over the 64 MiB bound, read and dropped without being held.
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        stdin.write_all(&chunk).unwrap();
    }
    send(&mut stdin, "");
    // Then the manager: every step still answered.
    send(&mut stdin, &register);
    replies.expect("connected");
    note(&format!("the worker answered after 100 MB of garbage in {:?}", start.elapsed()));
    // A stranger cannot take it over or stop it.
    send(&mut stdin, &envelope("stranger", "exit", json!({})));
    send(&mut stdin, &envelope("stranger", "register", json!({})));
    send(&mut stdin, &envelope("m", "assignId", json!({ "workerIndex": 0 })));
    replies.expect("assigned");
    // Out of order: a test before initialize and prepare fails that round, cleanly.
    send(
        &mut stdin,
        &envelope("m", "test", round(0, json!({ "type": "fixed-rate", "opts": { "tps": 10 } }))),
    );
    let result = replies.expect("testResult");
    assert!(result["error"].as_str().unwrap().contains("not prepared"), "{result}");
    send(&mut stdin, &envelope("m", "initialize", json!({})));
    let ready = replies.expect("ready");
    assert!(ready["error"].is_null(), "{ready}");
    // A rate controller the manager should never have sent: an error result, not a panic.
    send(&mut stdin, &envelope("m", "prepare", round(1, json!({ "type": "fixed-rate" }))));
    replies.expect("prepared");
    let hostile = json!({ "type": "fixed-rate", "opts": { "tps": "fast" } });
    send(&mut stdin, &envelope("m", "test", round(1, hostile)));
    let result = replies.expect("testResult");
    assert!(result["error"].as_str().is_some_and(|e| e.contains("tps")), "{result}");
    // And a good round still runs exactly.
    send(&mut stdin, &envelope("m", "prepare", round(2, json!({ "type": "fixed-rate" }))));
    replies.expect("prepared");
    send(
        &mut stdin,
        &envelope("m", "test", round(2, json!({ "type": "fixed-rate", "opts": { "tps": 100 } }))),
    );
    let result = replies.expect("testResult");
    assert!(result["error"].is_null(), "{result}");
    assert_eq!(result["content"]["txCounters"]["totalSubmitted"], 20, "{result}");
    send(&mut stdin, &envelope("m", "exit", json!({})));
    let out = wait_output(worker, Duration::from_secs(10));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("ignoring a malformed message"), "{stderr}");
    assert!(stderr.contains("ignoring a message of"), "the long line is said: {stderr}");
}

const TWO_ROUNDS: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - label: first
      txNumber: 400
      rateControl: { type: fixed-rate, opts: { tps: 400 } }
      workload: { module: sim-mix }
    - label: second
      txNumber: 900
      rateControl: { type: fixed-rate, opts: { tps: 300 } }
      workload: { module: sim-mix }
"#;

/// What a rogue client publishes on run `run`'s topics when the second round starts, from
/// the workers' messages of the first round it overheard.
fn hostile_messages(run: &str, first_round: &[(String, Value)]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let bytes = |v: &Value| serde_json::to_vec(v).unwrap();
    for (topic, msg) in first_round {
        // Replayed as it was (its sequence number is known: dropped by the messenger), without
        // a sequence number, and with a new one: statistics of another round.
        out.push((topic.clone(), bytes(msg)));
        let mut bare = msg.clone();
        bare.as_object_mut().unwrap().remove("seq");
        out.push((topic.clone(), bytes(&bare)));
        let mut fresh = msg.clone();
        fresh["seq"] = json!(msg["seq"].as_u64().unwrap_or(0) + 1_000_000);
        out.push((topic.clone(), bytes(&fresh)));
        // Relabelled as this round's, but for another worker.
        let mut other = bare.clone();
        other["content"]["metadata"]["roundIndex"] = json!(1);
        other["content"]["metadata"]["workerIndex"] = json!(7);
        out.push((topic.clone(), bytes(&other)));
        // From a worker that is not in the run.
        let mut stranger = bare.clone();
        stranger["sender"] = json!("caliper-w9-stranger");
        out.push((format!("caliper/{run}/from/caliper-w9-stranger"), bytes(&stranger)));
        // Truncated, and with content of the wrong type.
        let text = bytes(msg);
        out.push((topic.clone(), text[..text.len() / 2].to_vec()));
        let mut wrong = bare.clone();
        wrong["content"] = json!("nope");
        out.push((topic.clone(), bytes(&wrong)));
    }
    let id = first_round.first().map(|(t, _)| t.rsplit('/').next().unwrap().to_string()).unwrap_or_default();
    let from = format!("caliper/{run}/from/{id}");
    let unknown = envelope(&id, "explode", json!({}));
    for topic in [from.clone(), format!("caliper/{run}/to/all"), format!("caliper/{run}/manager")] {
        out.push((topic.clone(), unknown.clone().into_bytes()));
        out.push((topic.clone(), b"\xff\xfe not UTF-8".to_vec()));
        out.push((topic.clone(), Vec::new()));
        out.push((topic, vec![b'{'; 4 << 20]));
    }
    out
}

#[test]
fn replayed_statistics_and_garbage_on_the_mqtt_topics_leave_the_figures_exact() {
    use rumqttc::{Client, Event, MqttOptions, Packet, QoS};

    let broker = Broker::anonymous();
    let run = "hostile";
    let ws = Workspace::new(TWO_ROUNDS, &sim_network("latency: { fixed: 1 }"));
    let args = broker::mqtt(&broker.url(), &["--caliper-worker-communication-mqtt-run", run]);
    let workers: Vec<_> = (0..2).map(|_| broker::remote_worker(&ws, &args)).collect();

    // The rogue client: overhears the first round, strikes when the second starts.
    let mut options = MqttOptions::new("rogue", "127.0.0.1", broker.port);
    options.set_max_packet_size(64 << 20, 64 << 20);
    let (client, mut connection) = Client::new(options, 10_000);
    client.subscribe(format!("caliper/{run}/#"), QoS::AtLeastOnce).unwrap();
    let rogue = client.clone();
    let spy = std::thread::spawn(move || {
        let mut first_round: Vec<(String, Value)> = Vec::new();
        let mut sent = 0;
        for event in connection.iter() {
            let Ok(Event::Incoming(Packet::Publish(p))) = event else {
                if event.is_err() {
                    break;
                }
                continue;
            };
            let Ok(msg) = serde_json::from_slice::<Value>(&p.payload) else { continue };
            let stats = msg["type"] == "testResult" || msg["type"] == "txUpdate";
            if p.topic.contains("/from/") && stats && msg["content"]["metadata"]["roundIndex"] == 0 {
                first_round.push((p.topic.clone(), msg));
            } else if sent == 0 && msg["type"] == "test" && msg["content"]["testRound"] == 1 {
                for (topic, payload) in hostile_messages(run, &first_round) {
                    rogue.publish(topic, QoS::AtLeastOnce, false, payload).unwrap();
                    sent += 1;
                }
            }
        }
        sent
    });

    let mut margs = args.clone();
    margs.extend(["--caliper-worker-remote".to_string(), "true".to_string()]);
    let out = ws.run(&broker::strs(&margs), Duration::from_secs(60));
    let _ = client.disconnect();
    let sent = spy.join().unwrap();
    note(&format!("the rogue client published {sent} messages during the second round"));
    assert!(sent > 20, "the rogue client struck: {sent}");
    assert_eq!(code(&out), 0, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The figures are those of the run without the rogue: exact counts, split exactly.
    let results = ws.results();
    assert_accounted(&results);
    for (r, total) in rounds(&results).iter().zip([400u64, 900]) {
        assert_eq!(r["status"], "passed", "{r}");
        assert_eq!(r["submitted"], total, "{r}");
        let per_worker: Vec<u64> =
            r["workers"].as_array().unwrap().iter().map(|w| w["submitted"].as_u64().unwrap()).collect();
        assert_eq!(per_worker, vec![total / 2, total / 2], "{r}");
    }
    assert!(
        stderr.contains("ignoring a testResult from worker"),
        "the replays were seen and ignored: {stderr}"
    );
    for w in workers {
        let w = wait_output(w, Duration::from_secs(15));
        assert_eq!(code(&w), 0, "{}", show(&w));
        assert!(!String::from_utf8_lossy(&w.stderr).contains("panicked"), "{}", show(&w));
    }
}
