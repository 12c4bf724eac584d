//! Transactions released one by one over time against the simulated SUT, as the worker's
//! loop does: every transaction ends, none is left open.

mod common;

use std::sync::Arc;
use std::time::Duration;

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

const WRITE: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class W extends WorkloadModuleBase {
    constructor() { super(); this.n = 0; }
    async submitTransaction() {
        this.n += 1;
        await this.sutAdapter.sendRequests({ op: 'write', key: 'k' + (this.n % 100), value: this.n });
    }
}
module.exports.createWorkloadModule = () => new W();
"#;

#[test]
fn paced_transactions_against_a_latent_sim_all_finish() {
    let files = Files::new(&[("w.js", WRITE)]);
    block_on(async {
        let sink = Arc::new(Sink::default());
        let init = ConnectorInit {
            worker_index: 1,
            network: Arc::new(NetworkConfig {
                blockchain: "sim".into(),
                raw: json!({"caliper": {"blockchain": "sim"}, "sim": {"latency": {"mean": 20, "spread": 5}, "failureRatio": 0.01, "capacity": 1500, "seed": 42}}),
                ..Default::default()
            }),
            settings: Arc::new(Settings::default()),
            sink: sink.clone(),
        };
        let connector = SimFactory.create(init).await.unwrap();
        let mut module = JsLoader::new().load(&files.path("w.js")).unwrap();
        module
            .initialize(WorkloadInit {
                worker_index: 1,
                total_workers: 2,
                round_index: 0,
                round_arguments: json!({}),
                sut_adapter: connector,
                sut_context: json!({}),
            })
            .await
            .unwrap();
        let mut in_flight: FuturesUnordered<_> = FuturesUnordered::new();
        let mut tick = tokio::time::interval(Duration::from_millis(2));
        let mut released = 0;
        while released < 400 || !in_flight.is_empty() {
            tokio::select! {
                Some(r) = in_flight.next(), if !in_flight.is_empty() => {
                    let r: Result<(), caliper_core::workload::WorkloadError> = r;
                    r.unwrap();
                }
                _ = tick.tick(), if released < 400 => {
                    released += 1;
                    in_flight.push(module.submit_transaction());
                    while let Some(Some(r)) = futures::FutureExt::now_or_never(in_flight.next()) {
                        r.unwrap();
                    }
                }
                _ = tokio::time::sleep(Duration::from_secs(5)) => panic!("stuck with {} in flight", in_flight.len()),
            }
        }
        let submitted = sink.submitted.load(std::sync::atomic::Ordering::SeqCst);
        let finished = sink.finished.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!((submitted, finished), (400, 400));
    });
}
