//! The sim connector through its public traits: events, latency, failures, seeds, capacity,
//! the store, and malformed requests.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use caliper_core::connector::{ConnectorError, ConnectorFactory};
use caliper_core::time::with_intended_send_time;
use caliper_core::{Connector, ErrorClass, TxState, TxStatus};
use caliper_sim::SimFactory;
use common::{sim, try_sim};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::Instant;

fn write(key: &str, value: Value) -> Value {
    json!({"op": "write", "key": key, "value": value})
}

fn read(key: &str) -> Value {
    json!({"op": "read", "key": key})
}

/// Sends `count` single requests at once (each in its own task) and returns their statuses.
async fn burst(connector: &Arc<dyn Connector>, requests: Vec<Value>) -> Vec<TxStatus> {
    let mut tasks = JoinSet::new();
    for (i, request) in requests.into_iter().enumerate() {
        let connector = connector.clone();
        tasks.spawn(async move { (i, connector.send_requests(request).await) });
    }
    let mut statuses = vec![None; tasks.len()];
    while let Some(done) = tasks.join_next().await {
        let (i, mut answer) = done.unwrap();
        assert_eq!(answer.len(), 1);
        statuses[i] = answer.pop();
    }
    statuses.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn factory_is_named_sim_and_validates_the_section() {
    assert_eq!(SimFactory.name(), "sim");
    let (connector, _) = sim(json!({"latency": {"fixed": 1}}), 3).await;
    assert_eq!(connector.get_type(), "sim");
    assert_eq!(connector.get_worker_index(), 3);

    let err =
        try_sim(json!({"latency": {"mean": "x", "spread": 1}}), -1, Arc::default()).await.err().unwrap();
    assert_eq!(
        err.to_string(),
        "network configuration sim.latency.mean: expected a number of milliseconds from 0 to 3600000, got a string"
    );
    match err {
        ConnectorError::Config { path, message } => {
            assert_eq!(path, "sim.latency.mean");
            assert!(message.contains("expected a number of milliseconds"), "{message}");
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    let err = try_sim(json!({"capacty": 5}), 0, Arc::default()).await.err().unwrap();
    assert!(err.to_string().contains("did you mean \"capacity\""), "{err}");
}

#[tokio::test]
async fn zero_latency_completes_on_the_first_poll() {
    let (connector, sink) = sim(Value::Null, 0).await;
    let mut future = pin!(connector.send_requests(write("a", json!(1))));
    let Poll::Ready(statuses) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
        panic!("a zero-latency request must complete without sleeping");
    };
    assert_eq!(statuses.len(), 1);
    let status = &statuses[0];
    assert_eq!(status.status, TxState::Success);
    assert!(status.verified);
    assert!(status.time_final >= status.time_create);
    assert!(status.latency_micros() < 10_000, "{}", status.latency_micros());
    assert_eq!(status.id, "0");
    assert_eq!(sink.submitted(), 1);
    assert_eq!(sink.calls(), (1, 1));
    assert_eq!(sink.finished(), statuses);
}

#[tokio::test]
async fn status_carries_the_intended_send_time() {
    let (connector, _) = sim(Value::Null, 0).await;
    let statuses = with_intended_send_time(1234, connector.send_requests(write("a", json!(1)))).await;
    assert_eq!(statuses[0].time_intended, Some(1234));
}

#[tokio::test(start_paused = true)]
async fn fixed_latency_is_respected() {
    let (connector, sink) = sim(json!({"latency": {"fixed": 5}, "readLatency": {"fixed": 2}}), 0).await;
    let start = Instant::now();
    let statuses = burst(&connector, (0..100).map(|i| write(&format!("k{i}"), json!(i))).collect()).await;
    assert_eq!(start.elapsed(), Duration::from_millis(5), "concurrent requests wait together");
    for status in &statuses {
        assert_eq!(status.status, TxState::Success);
        assert_eq!(status.latency_micros(), 5_000);
    }
    let reads = connector.send_requests(read("k1")).await;
    assert_eq!(reads[0].latency_micros(), 2_000);
    assert_eq!(sink.submitted(), 101);
    assert_eq!(sink.calls(), (101, 101));
    assert_eq!(sink.finished().len(), 101);
}

#[tokio::test]
async fn failure_ratio_and_class() {
    let (connector, sink) = sim(json!({"failureRatio": 0.2, "failureClass": "timeout", "seed": 11}), 0).await;
    let n = 20_000;
    for i in 0..n {
        connector.send_requests(write("k", json!(i))).await;
    }
    let finished = sink.finished();
    assert_eq!(finished.len(), n);
    let failed: Vec<&TxStatus> = finished.iter().filter(|s| s.status == TxState::Failed).collect();
    let ratio = failed.len() as f64 / n as f64;
    assert!((ratio - 0.2).abs() < 0.01, "failure ratio {ratio}");
    for status in &failed {
        assert_eq!(status.error_class, Some(ErrorClass::Timeout));
        assert!(status.error.as_deref().unwrap().contains("simulated failure"));
    }
    assert!(finished.iter().filter(|s| s.status == TxState::Success).all(|s| s.error.is_none()));

    let (always, _) = sim(json!({"failureRatio": 1}), 0).await;
    let status = &always.send_requests(read("k")).await[0];
    assert_eq!(status.error_class, Some(ErrorClass::Rejected), "rejected is the default class");
    assert_eq!(status.result, None);
}

/// The latencies (in µs) of `n` sequential requests to a fresh connector.
async fn latencies(sim_section: Value, worker_index: i64, n: usize) -> Vec<u64> {
    let (connector, _) = sim(sim_section, worker_index).await;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(connector.send_requests(write("k", json!(i))).await[0].latency_micros());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn a_seed_gives_repeatable_latencies() {
    let section = json!({"latency": {"percentiles": {"p50": 10, "p99": 200}}, "seed": 42});
    let first = latencies(section.clone(), 0, 50).await;
    assert_eq!(first, latencies(section.clone(), 0, 50).await);
    assert_ne!(first, latencies(section.clone(), 1, 50).await, "each worker has its own seed");
    assert!(first.iter().any(|l| *l != first[0]), "latencies vary: {first:?}");

    let log_normal = json!({"latency": {"mean": 20, "spread": 5}, "seed": 7, "failureRatio": 0.1});
    assert_eq!(latencies(log_normal.clone(), 2, 50).await, latencies(log_normal, 2, 50).await);
}

#[tokio::test(start_paused = true)]
async fn capacity_makes_a_burst_queue() {
    let (connector, _) =
        sim(json!({"capacity": 1000, "latency": {"fixed": 2}, "readLatency": {"fixed": 1}}), 0).await;
    let writes = burst(&connector, (0..50).map(|i| write("k", json!(i))).collect()).await;
    // The spawned tasks arrive in order at the same instant: write i starts service i ms
    // later, so its latency rises by 1 ms per write.
    let mut seen: Vec<u64> = writes.iter().map(TxStatus::latency_micros).collect();
    seen.sort_unstable();
    let expected: Vec<u64> = (0..50).map(|i| 2_000 + i * 1_000).collect();
    assert_eq!(seen, expected);

    // Reads do not queue behind writes.
    let (connector, _) = sim(json!({"capacity": 100, "latency": 0, "readLatency": 0}), 0).await;
    let mut batch: Vec<Value> = (0..10).map(|i| write("k", json!(i))).collect();
    batch.push(read("k"));
    let statuses = connector.send_requests(Value::Array(batch)).await;
    let latencies: Vec<u64> = statuses.iter().map(TxStatus::latency_micros).collect();
    assert_eq!(latencies, vec![0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 0]);
    assert_eq!(statuses[10].result, Some(json!(9)), "the read sees the last write");
}

#[tokio::test]
async fn reads_return_what_was_written() {
    let (connector, _) = sim(Value::Null, 0).await;
    assert_eq!(connector.send_requests(read("a")).await[0].result, Some(Value::Null));
    connector.send_requests(write("a", json!({"balance": 10}))).await;
    connector.send_requests(json!({"key": "b", "value": "caliper-style write"})).await;
    let status = &connector.send_requests(read("a")).await[0];
    assert_eq!(status.status, TxState::Success);
    assert_eq!(status.result, Some(json!({"balance": 10})));
    let status = &connector.send_requests(json!({"readOnly": true, "key": "b"})).await[0];
    assert_eq!(status.result, Some(json!("caliper-style write")));
    let write_status = &connector.send_requests(write("a", json!(1))).await[0];
    assert_eq!(write_status.result, None);

    // Each worker has its own store.
    let (other, _) = sim(Value::Null, 1).await;
    assert_eq!(other.send_requests(read("a")).await[0].result, Some(Value::Null));
}

#[tokio::test(start_paused = true)]
async fn malformed_requests_fail_as_invalid() {
    let (connector, sink) = sim(json!({"latency": 1000}), 0).await;
    let cases = [
        (json!("write"), "expected a request object"),
        (json!(42), "got a number"),
        (json!({"op": "delete", "key": "a"}), "unknown op \"delete\""),
        (json!({"op": "write", "key": ["a"]}), "key: expected a string"),
    ];
    for (request, expected) in cases {
        let statuses = connector.send_requests(request).await;
        assert_eq!(statuses.len(), 1);
        let status = &statuses[0];
        assert_eq!(status.status, TxState::Failed);
        assert_eq!(status.error_class, Some(ErrorClass::Invalid));
        let message = status.error.as_deref().unwrap();
        assert!(message.contains(expected), "{message:?} should contain {expected:?}");
        assert_eq!(status.latency_micros(), 0, "an invalid request is answered at once");
    }
    // In a batch, a malformed request fails alone.
    let statuses = connector.send_requests(json!([{"op": "read", "key": "a"}, [1], null])).await;
    assert_eq!(
        statuses.iter().map(|s| s.status).collect::<Vec<_>>(),
        [TxState::Success, TxState::Failed, TxState::Failed]
    );
    assert_eq!(sink.submitted(), 7);
    assert_eq!(sink.calls(), (5, 5));
}

#[tokio::test(start_paused = true)]
async fn a_batch_runs_concurrently_and_emits_each_event_once() {
    let (connector, sink) = sim(json!({"latency": {"percentiles": {"p100": 50}}, "seed": 1}), 0).await;
    let start = Instant::now();
    let batch: Vec<Value> = (0..20).map(|i| write(&format!("k{i}"), json!(i))).collect();
    let statuses = connector.send_requests(Value::Array(batch)).await;
    let longest = statuses.iter().map(TxStatus::latency_micros).max().unwrap();
    assert_eq!(start.elapsed().as_micros() as u64, longest, "the batch takes as long as its slowest request");
    assert!(statuses.iter().all(|s| s.status == TxState::Success));
    let ids: Vec<&str> = statuses.iter().map(|s| s.id.as_str()).collect();
    let expected: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected.iter().map(String::as_str).collect::<Vec<_>>(), "statuses are in request order");
    assert_eq!(sink.submitted(), 20);
    assert_eq!(sink.calls(), (1, 1));
    assert_eq!(sink.finished(), statuses);

    assert!(connector.send_requests(json!([])).await.is_empty());
    assert_eq!(sink.calls(), (1, 1));
}

#[tokio::test]
async fn many_requests_each_emit_exactly_once() {
    let (connector, sink) = sim(json!({"failureRatio": 0.5, "seed": 3}), 0).await;
    let mut total = 0;
    for i in 0..1000 {
        let request = if i % 3 == 0 { json!([write("a", json!(i)), read("a")]) } else { read("a") };
        total += connector.send_requests(request).await.len();
    }
    assert_eq!(sink.submitted() as usize, total);
    let finished = sink.finished();
    assert_eq!(finished.len(), total);
    let mut ids: Vec<u64> = finished.iter().map(|s| s.id.parse().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "every id is reported once");
}
