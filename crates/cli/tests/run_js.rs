//! End-to-end: the `caliper` binary runs a round whose workload is a JavaScript module
//! written in Caliper's style, against the `sim` connector, with 2 worker processes.

mod common;

use std::time::Duration;

use common::*;

const BENCH: &str = r#"
test:
  name: js-workload
  workers: { number: 2 }
  rounds:
    - label: js-open
      txNumber: 400
      rateControl: { type: fixed-rate, opts: { tps: 400 } }
      workload: { module: workload/open.js, arguments: { initialValue: 100 } }
    - label: js-query
      txNumber: 200
      rateControl: { type: fixed-rate, opts: { tps: 400 } }
      workload: { module: workload/query.js }
"#;

const OPEN: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const state = require('./state');

class Open extends WorkloadModuleBase {
    async submitTransaction() {
        const key = state.nextKey(this.workerIndex);
        const status = await this.sutAdapter.sendRequests({ op: 'write', key, value: this.roundArguments.initialValue });
        if (status.GetStatus() !== 'success') throw new Error('write failed: ' + status.GetErrMsg());
    }
}
module.exports.createWorkloadModule = () => new Open();
"#;

const QUERY: &str = r#"'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');
const state = require('./state');

class Query extends WorkloadModuleBase {
    async submitTransaction() {
        // Keys written by this worker in the previous round: module state survives rounds.
        const status = await this.sutAdapter.sendRequests({ op: 'read', key: state.randomKey(this.workerIndex) });
        if (status.GetResult() !== 100) throw new Error('unexpected value ' + JSON.stringify(status.GetResult()));
    }
}
module.exports.createWorkloadModule = () => new Query();
"#;

const STATE: &str = r#"'use strict';
let opened = 0;
module.exports = {
    nextKey(worker) { opened += 1; return `w${worker}-k${opened}`; },
    randomKey(worker) { return `w${worker}-k${1 + Math.floor(Math.random() * opened)}`; },
};
"#;

#[test]
fn a_javascript_workload_runs_against_the_sim_connector() {
    let ws = Workspace::new(BENCH, &sim_network("latency: { fixed: 1 }, seed: 3"));
    std::fs::create_dir_all(ws.file("workload")).unwrap();
    std::fs::write(ws.file("workload/open.js"), OPEN).unwrap();
    std::fs::write(ws.file("workload/query.js"), QUERY).unwrap();
    std::fs::write(ws.file("workload/state.js"), STATE).unwrap();
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    assert_accounted(&results);
    let rounds = rounds(&results);
    assert_eq!(rounds.len(), 2);
    for (round, n) in rounds.iter().zip([400, 200]) {
        assert_eq!(round["status"], "passed", "{round}");
        assert_eq!(round["submitted"], n);
        assert_eq!(round["succ"], n);
    }
}

#[test]
fn a_javascript_syntax_error_is_reported_before_anything_starts() {
    let ws = Workspace::new(BENCH, &sim_network("latency: { fixed: 1 }"));
    std::fs::create_dir_all(ws.file("workload")).unwrap();
    std::fs::write(ws.file("workload/open.js"), "'use strict';\nconst x = ;\n").unwrap();
    std::fs::write(ws.file("workload/query.js"), QUERY).unwrap();
    std::fs::write(ws.file("workload/state.js"), STATE).unwrap();
    let out = ws.run(&[], Duration::from_secs(60));
    assert_ne!(code(&out), 0, "{}", show(&out));
    let text = show(&out);
    assert!(text.contains("test.rounds[0].workload.module") && text.contains("open.js:2"), "{text}");
    assert!(text.contains("SyntaxError"), "{text}");
}
