//! The host against a real child process: `caliper-connector-null`, made to misbehave.
#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use caliper_core::connector::{ErrorClass, TxSink, TxState, TxStatus};
use caliper_external::protocol::{Create, FEATURE_WORKLOAD};
use caliper_external::{ExternalProcess, HostError, ProcessSpec};
use futures::future::join_all;
use serde_json::{Map, json};

#[derive(Default)]
struct Recording {
    submitted: AtomicU64,
    finished: Mutex<Vec<TxStatus>>,
}

impl TxSink for Recording {
    fn txs_submitted(&self, count: u64) {
        self.submitted.fetch_add(count, Ordering::SeqCst);
    }
    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.finished.lock().unwrap().extend_from_slice(statuses);
    }
}

impl Recording {
    fn finished(&self) -> Vec<TxStatus> {
        self.finished.lock().unwrap().clone()
    }
}

fn spec(args: &[&str]) -> ProcessSpec {
    let mut spec = ProcessSpec::new(
        env!("CARGO_BIN_EXE_caliper-connector-null"),
        args.iter().map(|a| a.to_string()).collect(),
        std::env::temp_dir(),
        "null",
        0,
    );
    spec.call_timeout = Duration::from_secs(10);
    spec
}

async fn start(args: &[&str]) -> (ExternalProcess, Arc<Recording>) {
    let sink = Arc::new(Recording::default());
    let process = ExternalProcess::start(&spec(args), sink.clone()).await.expect("the null connector starts");
    (process, sink)
}

async fn create(process: &ExternalProcess) -> Result<String, HostError> {
    let settings = Map::new();
    process
        .create(&Create {
            worker_index: 0,
            blockchain: "null",
            network_config: &json!({}),
            network_config_path: "/n.yaml",
            workspace: "/",
            settings: &settings,
        })
        .await
}

#[tokio::test]
async fn calls_and_pipelined_requests_are_answered() {
    let (p, sink) = start(&[]).await;
    assert_eq!(p.info().implementation.as_deref(), Some("caliper-connector-null"));
    // The host offered no feature: none is confirmed.
    assert!(!p.has_feature(FEATURE_WORKLOAD));
    assert_eq!(create(&p).await.unwrap(), "null");
    assert_eq!(
        p.call("prepareWorkerArguments", &[json!(2)]).await.unwrap(),
        json!([{"worker":0},{"worker":1}])
    );
    assert_eq!(p.call("getContext", &[json!(3), json!({})]).await.unwrap(), json!({"round": 3}));
    let answers = join_all((0..2000).map(|i| {
        let request = if i % 2 == 0 { json!({"op": i}) } else { json!([{"op": i}, {"op": i}]) };
        p.send_requests(request)
    }))
    .await;
    for (i, statuses) in answers.iter().enumerate() {
        assert_eq!(statuses.len(), if i % 2 == 0 { 1 } else { 2 });
        assert!(statuses.iter().all(|s| s.status == TxState::Success && s.time_final > 0), "{statuses:?}");
    }
    assert_eq!(sink.submitted.load(Ordering::SeqCst), 3000);
    assert_eq!(sink.finished().len(), 3000);
    assert_eq!(p.failure(), None);
    p.shutdown().await;
}

#[tokio::test]
async fn the_host_never_exceeds_the_childs_max_in_flight() {
    // The child exits with status 5 if a frame holds more than 7 requests.
    let (p, sink) = start(&["--max-in-flight", "7"]).await;
    assert_eq!(p.info().max_in_flight, 7);
    let answers = join_all((0..500).map(|i| p.send_requests(json!({"op": i})))).await;
    assert!(answers.iter().flatten().all(|s| s.status == TxState::Success), "{:?}", p.failure());
    assert_eq!(sink.finished().len(), 500);
}

#[tokio::test]
async fn a_crash_fails_outstanding_requests_as_crashed_and_says_why() {
    // Five at a time, so most are still queued or outstanding when it exits after ten.
    let (p, sink) = start(&["--fail-after", "10", "--max-in-flight", "5"]).await;
    let answers = join_all((0..200).map(|i| p.send_requests(json!({"op": i})))).await;
    let statuses: Vec<&TxStatus> = answers.iter().flatten().collect();
    assert_eq!(statuses.len(), 200);
    let crashed = statuses.iter().filter(|s| s.error_class == Some(ErrorClass::Crashed)).count();
    assert_eq!(crashed, 190);
    // Every submitted request is counted as finished: nothing is lost.
    assert_eq!(sink.finished().len(), 200);
    let failure = p.failure().expect("the crash is the round's failure");
    assert!(failure.contains("connector program `null` (worker 0) crashed"), "{failure}");
    assert!(failure.contains("exited with exit status: 3"), "{failure}");
    assert!(failure.contains("failing on purpose after"), "{failure}");
    // What is sent later fails at once.
    let late = p.send_requests(json!({})).await;
    assert_eq!(late[0].error_class, Some(ErrorClass::Crashed));
    let err = p.call("getContext", &[json!(0), json!({})]).await.unwrap_err();
    assert!(matches!(err, HostError::Gone(_)), "{err}");
}

#[tokio::test]
async fn a_silent_child_is_declared_stopped_after_the_silence_limit() {
    let mut s = spec(&["--hang-after", "5"]);
    s.silence_limit = Duration::from_millis(300);
    let sink = Arc::new(Recording::default());
    let p = Arc::new(ExternalProcess::start(&s, sink.clone()).await.unwrap());
    for i in 0..5 {
        p.send_requests(json!({"op": i})).await;
    }
    let stuck: Vec<_> = (0..20)
        .map(|i| {
            let p = p.clone();
            tokio::spawn(async move { p.send_requests(json!({"op": i})).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(p.failure(), None, "not silent for long yet");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let failure = p.failure().expect("silent too long");
    assert!(failure.contains("stopped answering"), "{failure}");
    assert!(failure.contains("20 request(s) were outstanding"), "{failure}");
    // They are the round drain's to end (as timeouts): the host does not answer them.
    assert!(stuck.iter().all(|t| !t.is_finished()));
    for t in stuck {
        t.abort();
    }
    // A new request fails at once.
    assert_eq!(p.send_requests(json!({})).await[0].error_class, Some(ErrorClass::Crashed));
    // The abandoned ones are never counted as finished by a late answer.
    assert_eq!(sink.finished().len(), 6);
    p.kill("test over");
}

#[tokio::test]
async fn garbage_on_stdout_ends_the_child_with_the_line_quoted() {
    let (p, _sink) = start(&["--garbage-after", "3"]).await;
    let answers = join_all((0..3).map(|i| p.send_requests(json!({"op": i})))).await;
    assert!(answers.iter().flatten().all(|s| s.status == TxState::Success));
    let late = p.send_requests(json!({})).await;
    let failure = p.failure().expect("garbage fails it");
    assert!(failure.contains("not a caliper-connector message"), "{failure}");
    assert!(failure.contains("`this is not json`"), "{failure}");
    assert!(failure.contains("was stopped"), "{failure}");
    assert_eq!(late[0].error_class, Some(ErrorClass::Crashed));
}

#[tokio::test]
async fn handshake_errors_each_say_what_is_wrong() {
    let sink: Arc<dyn TxSink> = Arc::new(Recording::default());
    let err = |args: &'static [&'static str], hello: u64| {
        let sink = sink.clone();
        async move {
            let mut s = spec(args);
            s.hello_timeout = Duration::from_millis(hello);
            match ExternalProcess::start(&s, sink).await {
                Ok(_) => panic!("{args:?} started"),
                Err(e) => e.to_string(),
            }
        }
    };
    let version = err(&["--version", "2"], 10_000).await;
    assert!(
        version.contains("speaks caliper-connector version 2, but this caliper speaks version 1"),
        "{version}"
    );
    let protocol = err(&["--protocol", "nu-plugin"], 10_000).await;
    assert!(protocol.contains("speaks protocol \"nu-plugin\", not \"caliper-connector\""), "{protocol}");
    let silent = err(&["--no-hello"], 300).await;
    assert!(silent.contains("sent no hello within 0.3 s"), "{silent}");
    let failing = err(&["--bogus"], 10_000).await;
    assert!(failing.contains("exited with exit status: 2 before its hello"), "{failing}");
    assert!(failing.contains("unknown option --bogus"), "{failing}");
    let mut missing = spec(&[]);
    missing.program = "/nonexistent/connector".into();
    let missing = ExternalProcess::start(&missing, sink.clone()).await.err().unwrap().to_string();
    assert!(missing.contains("cannot start the connector program `null` (worker 0)"), "{missing}");
}

#[tokio::test]
async fn workload_mode_submits_in_batches_and_counts_the_childs_events() {
    let mut s = spec(&[]);
    s.features = vec![FEATURE_WORKLOAD];
    let sink = Arc::new(Recording::default());
    let p = ExternalProcess::start(&s, sink.clone()).await.unwrap();
    assert!(p.has_feature(FEATURE_WORKLOAD));
    let results = join_all((0..300).map(|_| p.submit())).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(sink.submitted.load(Ordering::SeqCst), 300);
    assert_eq!(sink.finished().len(), 300);
    assert_eq!(p.failure(), None);
}

#[tokio::test]
async fn a_call_without_answer_hits_its_deadline_and_stops_the_child() {
    // Hung from the start: it reads frames and answers none.
    let mut s = spec(&["--hang-after", "0"]);
    s.call_timeout = Duration::from_millis(300);
    let p = ExternalProcess::start(&s, Arc::new(Recording::default())).await.unwrap();
    let err = create(&p).await.unwrap_err().to_string();
    assert!(err.contains("did not answer create within 0.3 s (caliper-connector-call-timeout)"), "{err}");
    assert!(p.failure().is_some(), "a stuck child is gone");
}
