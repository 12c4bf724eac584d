//! The hot path's cost, for tuning: `cargo test --release -p caliper-js --test perf -- --ignored --nocapture`.
//! The figures of record come from the engine bench (`crates/cli/benches/engine.rs`).

#![allow(clippy::print_stdout)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use caliper_core::config::NetworkConfig;
use caliper_core::connector::{ConnectorFactory, ConnectorInit};
use caliper_core::settings::Settings;
use caliper_core::workload::{WorkloadInit, WorkloadLoader};
use caliper_js::JsLoader;
use caliper_sim::SimFactory;
use common::*;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde_json::json;

const READS: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class Reads extends WorkloadModuleBase {
    constructor() { super(); this.txIndex = 0; }
    async submitTransaction() {
        this.txIndex++;
        const request = { op: 'read', key: 'w' + this.workerIndex + '-k' + (this.txIndex % 1000), readOnly: true };
        await this.sutAdapter.sendRequests(request);
    }
}
module.exports.createWorkloadModule = () => new Reads();
"#;

#[test]
#[ignore = "a measurement, not a check"]
fn js_submit_throughput_on_a_zero_latency_sim() {
    let files = Files::new(&[("reads.js", READS)]);
    block_on(async {
        let sink = Arc::new(Sink::default());
        let init = ConnectorInit {
            worker_index: 0,
            network: Arc::new(NetworkConfig {
                blockchain: "sim".into(),
                raw: json!({"caliper": {"blockchain": "sim"}, "sim": {"latency": {"fixed": 0}}}),
                ..Default::default()
            }),
            settings: Arc::new(Settings::default()),
            sink,
        };
        let connector = SimFactory.create(init).await.unwrap();
        let mut module = JsLoader::new().load(&files.path("reads.js")).unwrap();
        module
            .initialize(WorkloadInit {
                worker_index: 0,
                total_workers: 1,
                round_index: 0,
                round_arguments: json!({}),
                sut_adapter: connector,
                sut_context: json!({}),
            })
            .await
            .unwrap();
        for _ in 0..3 {
            let n = 300_000;
            let start = Instant::now();
            let mut in_flight = FuturesUnordered::new();
            for i in 0..n {
                in_flight.push(module.submit_transaction());
                if i % 64 == 0 {
                    while let Some(Some(r)) = futures::FutureExt::now_or_never(in_flight.next()) {
                        r.unwrap();
                    }
                }
            }
            while let Some(r) = in_flight.next().await {
                r.unwrap();
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{n} tx in {secs:.3} s: {:.0} tx/s, {:.2} us/tx",
                n as f64 / secs,
                secs * 1e6 / n as f64
            );
        }
    });
}
