//! How many heap allocations the host makes per request on the hot path (send, frame, parse,
//! status, answer), counted by a global allocator over requests to `caliper-connector-null`.
#![allow(missing_docs, clippy::print_stdout)]

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use caliper_core::connector::{TxSink, TxStatus};
use caliper_external::{ExternalProcess, ProcessSpec};
use futures::future::join_all;
use serde_json::json;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Counts events without keeping statuses (the worker's collector does not allocate either).
#[derive(Default)]
struct Counts(AtomicU64);

impl TxSink for Counts {
    fn txs_submitted(&self, _count: u64) {}
    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.0.fetch_add(statuses.len() as u64, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_hot_path_allocates_a_few_times_per_request() {
    let spec = ProcessSpec::new(env!("CARGO_BIN_EXE_caliper-connector-null"), Vec::new(), ".", "null", 0);
    let sink = Arc::new(Counts::default());
    let p = ExternalProcess::start(&spec, sink.clone()).await.unwrap();
    const BATCH: usize = 256;
    const BATCHES: usize = 200;
    let mut per_request = Vec::new();
    for round in 0..2 {
        // The requests are the workload's, built before counting.
        let requests: Vec<_> = (0..BATCH * BATCHES).map(|i| json!({"op": "read", "key": i})).collect();
        let mut requests = requests.into_iter();
        let region = Region::new(GLOBAL);
        for _ in 0..BATCHES {
            join_all(requests.by_ref().take(BATCH).map(|r| p.send_requests(r))).await;
        }
        let n = (BATCH * BATCHES) as f64;
        // The first pass warms up the host's buffers and tables.
        if round == 1 {
            let change = region.change();
            per_request.push((change.allocations + change.reallocations) as f64 / n);
        }
    }
    assert_eq!(sink.0.load(Ordering::Relaxed), 2 * (BATCH * BATCHES) as u64);
    let per_request = per_request[0];
    println!("host allocations per request: {per_request:.2}");
    // The host's: the Vec of statuses and the status's id (the frame buffers, the request
    // table and the queues are reused). The test's join_all adds one (a task per future), as
    // the worker's set of in-flight transactions does.
    assert!(per_request < 3.5, "{per_request:.2} allocations per request");
}
