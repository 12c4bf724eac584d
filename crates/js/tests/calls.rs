//! Caliper's three calls with Caliper's arguments, the sutAdapter and its TxStatus objects,
//! concurrency, and instances per round with module state kept across rounds.

mod common;

use std::time::Duration;

use caliper_core::workload::WorkloadLoader;
use caliper_js::JsLoader;
use common::*;
use serde_json::json;

/// A workload in Caliper's style: a base class from caliper-core, a state module, every
/// argument recorded, TxStatus methods read.
const WORKLOAD: &str = r#"'use strict';

const { WorkloadModuleBase, CaliperUtils, TxStatus } = require('@hyperledger/caliper-core');
const logger = CaliperUtils.getLogger('calls-test');
const State = require('./utils/state');

let rounds = 0; // module scope: survives between rounds, as in Node

class MyWorkload extends WorkloadModuleBase {
    constructor() {
        super();
        this.txIndex = 0;
        this.seen = [];
    }

    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        rounds += 1;
        this.state = new State(workerIndex);
        logger.info(`round ${roundIndex} of worker ${workerIndex}/${totalWorkers}`);
        const probe = await this.sutAdapter.sendRequests({ op: 'init', args: [workerIndex, totalWorkers, roundIndex, roundArguments, sutContext, rounds, sutAdapter.getType(), sutAdapter.getWorkerIndex()] });
        if (!(probe instanceof TxStatus)) throw new Error('sendRequests must resolve to a TxStatus');
        const batch = await this.sutAdapter.sendRequests([{ op: 'a' }, { op: 'b', fail: true }]);
        this.seen.push({
            batchLength: batch.length,
            statuses: batch.map((s) => s.GetStatus()),
            committed: batch.map((s) => s.IsCommitted()),
            id: probe.GetID(),
            result: probe.GetResult().op,
            verified: probe.IsVerified(),
            timesOk: probe.GetTimeFinal() >= probe.GetTimeCreate() && probe.GetTimeCreate() > 1.6e12,
            errMsg: batch[1].GetErrMsg(),
            custom: probe.Get('phase'),
            customMap: probe.GetCustomData() instanceof Map,
        });
        await this.sutAdapter.sendRequests({ op: 'seen', seen: this.seen });
    }

    async submitTransaction() {
        this.txIndex++;
        const status = await this.sutAdapter.sendRequests({ op: 'write', key: this.state.next(), value: this.txIndex });
        if (!status.IsCommitted()) throw new Error('not committed');
    }

    async cleanupWorkloadModule() {
        await this.sutAdapter.sendRequests({ op: 'cleanup', txIndex: this.txIndex, rounds });
    }
}

function createWorkloadModule() {
    return new MyWorkload();
}

module.exports.createWorkloadModule = createWorkloadModule;
"#;

const STATE: &str = r#"'use strict';
class State {
    constructor(workerIndex) { this.prefix = 'w' + workerIndex + '-'; this.n = 0; }
    next() { this.n += 1; return this.prefix + this.n; }
}
module.exports = State;
"#;

#[test]
fn a_caliper_workload_runs_with_caliper_arguments_and_tx_statuses() {
    let files = Files::new(&[("bench/open.js", WORKLOAD), ("bench/utils/state.js", STATE)]);
    let file = files.path("bench/open.js");
    let loader = JsLoader::new();
    loader.check(&file).expect("the module checks");
    block_on(async {
        let echo = Echo::new(0, Duration::from_millis(5));
        let r = round(&loader, &file, echo.clone(), 0, 200, json!({"accounts": 10})).await;
        r.initialize.as_ref().expect("initialize");
        assert!(r.submits.iter().all(|s| s.is_ok()), "{}", r.first_error());
        r.cleanup.as_ref().expect("cleanup");
        let requests = echo.requests();
        assert_eq!(
            requests[0],
            json!({"op": "init", "args": [0, 2, 0, {"accounts": 10}, {"contextOf": "echo"}, 1, "echo", 0]})
        );
        let seen = &requests[3]["seen"][0];
        assert_eq!(seen["batchLength"], 2);
        assert_eq!(seen["statuses"], json!(["success", "failed"]));
        assert_eq!(seen["committed"], json!([true, false]));
        assert_eq!(seen["id"], "tx0");
        assert_eq!(seen["result"], "init");
        assert_eq!(seen["verified"], true);
        assert_eq!(seen["timesOk"], true);
        assert_eq!(seen["errMsg"], json!(["refused"]));
        assert_eq!(seen["custom"], "done");
        assert_eq!(seen["customMap"], true);
        let writes: Vec<_> = requests.iter().filter(|r| r["op"] == "write").collect();
        assert_eq!(writes.len(), 200);
        assert_eq!(writes.iter().filter(|w| w["key"] == "w0-200").count(), 1);
        // Not awaited one by one: the transactions were in flight together.
        assert!(echo.max_in_flight.load(std::sync::atomic::Ordering::SeqCst) >= 100);
        assert_eq!(requests.last().unwrap(), &json!({"op": "cleanup", "txIndex": 200, "rounds": 1}));

        // The next round: a new instance (txIndex restarts), module scope kept (rounds = 2).
        let echo = Echo::new(0, Duration::ZERO);
        let r = round(&loader, &file, echo.clone(), 1, 3, json!({})).await;
        assert!(r.submits.iter().all(|s| s.is_ok()), "{}", r.first_error());
        assert_eq!(echo.requests()[0]["args"][2], 1);
        assert_eq!(echo.requests()[0]["args"][5], 2);
        assert_eq!(echo.requests().last().unwrap(), &json!({"op": "cleanup", "txIndex": 3, "rounds": 2}));
    });
}

#[test]
fn a_transaction_is_done_when_its_promise_settles() {
    let body = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class W extends WorkloadModuleBase {
    async submitTransaction() {
        await this.sutAdapter.sendRequests({ op: 'one' });
        await new Promise((resolve) => setTimeout(resolve, 5));
        await this.sutAdapter.sendRequests({ op: 'two' });
    }
}
module.exports.createWorkloadModule = () => new W();
"#;
    let files = Files::new(&[("w.js", body)]);
    block_on(async {
        let echo = Echo::new(0, Duration::from_millis(20));
        let mut module = JsLoader::new().load(&files.path("w.js")).unwrap();
        module.initialize(init(echo.clone(), 0, 0, json!({}))).await.unwrap();
        let start = std::time::Instant::now();
        let mut in_flight = futures::stream::FuturesUnordered::new();
        for _ in 0..20 {
            in_flight.push(module.submit_transaction());
        }
        while let Some(r) = futures::StreamExt::next(&mut in_flight).await {
            r.unwrap();
            // Every transaction is done only once both of its requests are.
            assert!(start.elapsed() >= Duration::from_millis(45), "{:?}", start.elapsed());
        }
        assert_eq!(echo.requests().len(), 40);
        assert_eq!(echo.sink.finished.load(std::sync::atomic::Ordering::SeqCst), 40);
    });
}

#[test]
fn requests_carry_the_intended_send_time_of_their_transaction() {
    let body = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
class W extends WorkloadModuleBase {
    async submitTransaction() {
        const first = await this.sutAdapter.sendRequests({ op: 'first' });
        await new Promise((resolve) => setTimeout(resolve, 1));
        const second = await this.sutAdapter.sendRequests({ op: 'second' });
        await this.sutAdapter.sendRequests({ op: 'report', intended: [first.Marshal().time_intended, second.Marshal().time_intended] });
    }
}
module.exports.createWorkloadModule = () => new W();
"#;
    let files = Files::new(&[("w.js", body)]);
    block_on(async {
        let echo = Echo::new(0, Duration::from_millis(2));
        let mut module = JsLoader::new().load(&files.path("w.js")).unwrap();
        module.initialize(init(echo.clone(), 0, 0, json!({}))).await.unwrap();
        let a = caliper_core::time::with_intended_send_time(5_000, module.submit_transaction());
        let b = caliper_core::time::with_intended_send_time(9_000, module.submit_transaction());
        let (a, b) = futures::join!(a, b);
        a.unwrap();
        b.unwrap();
        let mut intended: Vec<_> =
            echo.requests().iter().filter(|r| r["op"] == "report").map(|r| r["intended"].clone()).collect();
        intended.sort_by(|a, b| a[0].as_f64().unwrap().total_cmp(&b[0].as_f64().unwrap()));
        // Epoch milliseconds, each transaction its own, also after awaits and a timer.
        assert_eq!(intended, vec![json!([5, 5]), json!([9, 9])]);
    });
}
