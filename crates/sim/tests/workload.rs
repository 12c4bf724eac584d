//! The `sim-mix` workload: the mix, keys and batches it sends, and its argument errors.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use caliper_core::connector::{Connector, ConnectorBase};
use caliper_core::workload::{WorkloadError, WorkloadInit};
use caliper_core::{TxState, TxStatus};
use caliper_sim::{SIM_MIX, sim_mix_workload};
use common::{RecordingSink, init, sim};
use serde_json::{Value, json};

/// A connector that records the requests it is sent and answers each with success.
struct Recorder {
    base: ConnectorBase,
    requests: Mutex<Vec<Value>>,
}

impl Recorder {
    fn new() -> Arc<Self> {
        let init = init(Value::Null, 0, Arc::new(RecordingSink::default()));
        Arc::new(Recorder { base: ConnectorBase::new("recorder", &init), requests: Mutex::default() })
    }
}

#[async_trait]
impl Connector for Recorder {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        let count = requests.as_array().map_or(1, Vec::len);
        self.requests.lock().unwrap().push(requests);
        (0..count).map(|_| TxStatus::new("").succeed()).collect()
    }
}

fn workload_init(worker_index: usize, arguments: Value, adapter: Arc<dyn Connector>) -> WorkloadInit {
    WorkloadInit {
        worker_index,
        total_workers: 4,
        round_index: 0,
        round_arguments: arguments,
        sut_adapter: adapter,
        sut_context: json!({}),
    }
}

async fn run(worker_index: usize, arguments: Value, adapter: Arc<dyn Connector>, transactions: usize) {
    let mut module = sim_mix_workload();
    module.initialize(workload_init(worker_index, arguments, adapter)).await.unwrap();
    for _ in 0..transactions {
        module.submit_transaction().await.unwrap();
    }
    module.cleanup().await.unwrap();
}

#[tokio::test]
async fn sends_the_mix_it_was_given() {
    assert_eq!(SIM_MIX, "sim-mix");
    let recorder = Recorder::new();
    run(2, json!({"mix": {"write": 1, "read": 3}, "keys": 50, "seed": 5}), recorder.clone(), 8000).await;
    let requests = recorder.requests.lock().unwrap();
    assert_eq!(requests.len(), 8000);
    let reads = requests.iter().filter(|r| r["op"] == "read").count();
    let writes = requests.iter().filter(|r| r["op"] == "write").count();
    assert_eq!(reads + writes, 8000);
    let share = reads as f64 / 8000.0;
    assert!((share - 0.75).abs() < 0.02, "read share {share}");
    let mut keys = std::collections::BTreeSet::new();
    for request in requests.iter() {
        let key = request["key"].as_str().unwrap();
        let index: u64 = key.strip_prefix("w2-k").expect("keys of worker 2").parse().unwrap();
        assert!(index < 50);
        keys.insert(index);
        if request["op"] == "write" {
            assert!(request["value"].is_u64());
        } else {
            assert!(request.get("value").is_none());
        }
    }
    assert_eq!(keys.len(), 50, "every key is used");
}

#[tokio::test]
async fn defaults_to_single_writes() {
    let recorder = Recorder::new();
    run(0, json!({}), recorder.clone(), 100).await;
    let requests = recorder.requests.lock().unwrap();
    assert!(requests.iter().all(|r| r.is_object() && r["op"] == "write"));
    assert!(
        requests.iter().all(|r| r["key"]
            .as_str()
            .unwrap()
            .strip_prefix("w0-k")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            < 1000)
    );
}

#[tokio::test]
async fn batches_hold_the_given_number_of_requests() {
    let recorder = Recorder::new();
    run(1, json!({"batch": 5, "mix": {"read": 1}}), recorder.clone(), 10).await;
    let requests = recorder.requests.lock().unwrap();
    assert_eq!(requests.len(), 10);
    for batch in requests.iter() {
        let batch = batch.as_array().unwrap();
        assert_eq!(batch.len(), 5);
        assert!(batch.iter().all(|r| r["op"] == "read"));
    }
}

#[tokio::test]
async fn through_the_sim_connector_the_sink_sees_the_mix() {
    let (connector, sink) = sim(json!({"failureRatio": 0.1, "seed": 1}), 0).await;
    run(0, json!({"mix": {"write": 1, "read": 1}, "keys": 10, "batch": 2, "seed": 1}), connector, 2000).await;
    let finished = sink.finished();
    assert_eq!(finished.len(), 4000);
    assert_eq!(sink.submitted(), 4000);
    assert_eq!(sink.calls(), (2000, 2000));
    let succeeded: Vec<&TxStatus> = finished.iter().filter(|s| s.status == TxState::Success).collect();
    let reads = succeeded.iter().filter(|s| s.result.is_some()).count();
    let share = reads as f64 / succeeded.len() as f64;
    assert!((share - 0.5).abs() < 0.03, "read share {share}");
    // After a while, every key of this worker has been written, so reads find values.
    assert!(succeeded.iter().rev().take(100).filter_map(|s| s.result.as_ref()).all(Value::is_u64));
}

#[tokio::test]
async fn same_seed_same_requests() {
    let (a, b) = (Recorder::new(), Recorder::new());
    run(3, json!({"mix": {"write": 1, "read": 1}, "seed": 8}), a.clone(), 200).await;
    run(3, json!({"mix": {"write": 1, "read": 1}, "seed": 8}), b.clone(), 200).await;
    assert_eq!(*a.requests.lock().unwrap(), *b.requests.lock().unwrap());
}

#[tokio::test]
async fn invalid_arguments_and_misuse_are_errors() {
    let mut module = sim_mix_workload();
    let err =
        module.initialize(workload_init(0, json!({"mix": {"red": 1}}), Recorder::new())).await.unwrap_err();
    match &err {
        WorkloadError::Arguments { path, message } => {
            assert_eq!(path, ".mix.red");
            assert!(message.contains("did you mean \"read\""), "{message}");
        }
        other => panic!("expected an arguments error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("workload.arguments.mix.red: "), "{err}");
    assert!(matches!(module.submit_transaction().await, Err(WorkloadError::Failed(_))));
}
