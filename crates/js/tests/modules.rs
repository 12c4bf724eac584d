//! `require` as Node does it (relative files with or without `.js`, folders, JSON,
//! `node_modules`, caching, cycles), `@hyperledger/caliper-core`, and the Node subset.

mod common;

use std::time::Duration;

use caliper_core::workload::WorkloadLoader;
use caliper_js::JsLoader;
use common::*;
use serde_json::{Value, json};

/// Runs `probe` (an expression over the required modules) in initializeWorkloadModule and
/// returns what it evaluated to, as JSON sent through the adapter.
fn probe(files: &[(&str, &str)], probe: &str) -> Value {
    let main = format!(
        "'use strict';\nconst {{ WorkloadModuleBase }} = require('@hyperledger/caliper-core');\nclass P extends WorkloadModuleBase {{\n    async initializeWorkloadModule(...args) {{\n        await super.initializeWorkloadModule(...args);\n        const value = await (async () => ({probe}))();\n        await this.sutAdapter.sendRequests({{ value }});\n    }}\n    async submitTransaction() {{}}\n}}\nmodule.exports.createWorkloadModule = () => new P();\n"
    );
    let mut all = vec![("main.js", main.as_str())];
    all.extend_from_slice(files);
    let files = Files::new(&all);
    let loader = JsLoader::new();
    loader.check(&files.path("main.js")).expect("checks");
    block_on(async {
        let echo = Echo::new(0, Duration::ZERO);
        let r = round(&loader, &files.path("main.js"), echo.clone(), 0, 0, json!({})).await;
        r.initialize.expect("initialize");
        echo.requests()[0]["value"].clone()
    })
}

#[test]
fn require_resolves_files_folders_json_and_packages_like_node() {
    let value = probe(
        &[
            ("utils/state.js", "module.exports = { name: 'state' };"),
            ("utils/index.js", "module.exports = { name: 'index', state: require('./state') };"),
            ("data/accounts.json", "{\"accounts\": [\"a\", \"b\"]}"),
            ("lib/folder/package.json", "{\"main\": \"lib/main.js\"}"),
            ("lib/folder/lib/main.js", "exports.name = 'pkg-main';"),
            ("node_modules/left-pad/index.js", "module.exports = (s, n) => String(s).padStart(n);"),
        ],
        "[require('./utils/state').name, require('./utils/state.js').name, require('./utils').name, require('./utils/').state.name, \
          require('./data/accounts.json').accounts, require('./data/accounts').accounts.length, require('./lib/folder').name, \
          require('left-pad')(7, 3), typeof require.resolve('./utils'), __filename.endsWith('main.js'), __dirname === require('path').dirname(__filename)]",
    );
    assert_eq!(
        value,
        json!(["state", "state", "index", "state", ["a", "b"], 2, "pkg-main", "  7", "string", true, true])
    );
}

#[test]
fn modules_are_cached_and_cycles_get_the_unfinished_exports() {
    let value = probe(
        &[
            ("counter.js", "let n = 0; module.exports = { next: () => ++n };"),
            (
                "a.js",
                "exports.early = 'a-early'; const b = require('./b'); exports.fromB = b.sawA; exports.done = true;",
            ),
            ("b.js", "const a = require('./a'); exports.sawA = { early: a.early, done: a.done === true };"),
        ],
        "[require('./counter').next(), require('./counter.js').next(), require('./counter').next(), require('./a'), \
          require('./a') === require('./a.js'), require.cache[require.resolve('./b')].loaded]",
    );
    assert_eq!(
        value,
        json!([1, 2, 3, {"early": "a-early", "fromB": {"early": "a-early", "done": false}, "done": true}, true, true])
    );
}

#[test]
fn caliper_core_gives_the_base_classes_utils_and_tx_status() {
    let value = probe(
        &[],
        "(() => { const core = require('@hyperledger/caliper-core'); const t = new core.TxStatus('x'); t.SetStatusSuccess(); t.Set('k', 1); \
          return [typeof core.WorkloadModuleBase, typeof core.WorkloadModuleInterface, new core.WorkloadModuleBase().workerIndex, \
          typeof core.CaliperUtils.getLogger('x').info, t.GetID(), t.GetStatus(), t.IsCommitted(), t.Get('k'), t.GetErrMsg(), \
          Object.getPrototypeOf(core.WorkloadModuleBase.prototype) === core.WorkloadModuleInterface.prototype]; })()",
    );
    assert_eq!(value, json!(["function", "function", -1, "function", "x", "success", true, 1, [], true]));
    // sleep and timers wait and keep their order.
    let value = probe(
        &[],
        "(async () => { const core = require('@hyperledger/caliper-core'); const out = []; const t0 = Date.now(); \
          setTimeout(() => out.push('t20'), 20); setTimeout(() => out.push('t5'), 5); const i = setInterval(() => out.push('i'), 2); \
          await core.CaliperUtils.sleep(30); clearInterval(i); const n = out.filter((x) => x === 'i').length; \
          return [out.indexOf('t5') < out.indexOf('t20'), n >= 3, Date.now() - t0 >= 29]; })()",
    );
    assert_eq!(value, json!([true, true, true]));
}

#[test]
fn the_node_subset_workloads_use_works() {
    let value = probe(
        &[("data.txt", "hello\n")],
        "(() => { const crypto = require('crypto'); const util = require('util'); const path = require('node:path'); const fs = require('fs'); \
          const { EventEmitter } = require('events'); const assert = require('assert'); const e = new EventEmitter(); let got = 0; e.on('x', (v) => { got = v; }); e.emit('x', 5); \
          assert.strictEqual(1, 1); let threw = false; try { assert.deepStrictEqual({ a: 1 }, { a: 2 }); } catch (err) { threw = err.code === 'ERR_ASSERTION'; } \
          return [crypto.randomBytes(16).toString('hex').length, /^[0-9a-f-]{36}$/.test(crypto.randomUUID()), \
            crypto.createHash('sha256').update('abc').digest('hex'), crypto.createHash('md5').update('abc').digest('base64'), \
            util.format('%s=%d %j', 'a', 42, { b: 1 }), util.inspect({ a: [1, 'x'] }), path.join('/a/b', '../c', 'd.js'), path.extname('x.json'), \
            fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8'), fs.existsSync(path.join(__dirname, 'nope')), \
            Buffer.from('héllo').toString('base64'), Buffer.from('aGk=', 'base64').toString(), Buffer.from([1, 255]).toString('hex'), \
            typeof process.env.PATH, typeof process.hrtime.bigint(), got, threw, crypto.randomInt(5, 6)]; })()",
    );
    assert_eq!(
        value,
        json!([
            32,
            true,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "kAFQmDzST7DWlj99KOF/cg==",
            "a=42 {\"b\":1}",
            "{ a: [ 1, 'x' ] }",
            "/a/c/d.js",
            ".json",
            "hello\n",
            false,
            "aMOpbGxv",
            "hi",
            "01ff",
            "string",
            "bigint",
            5,
            true,
            5
        ])
    );
}

#[test]
fn process_exit_is_an_error_not_an_exit() {
    let files = Files::new(&[("w.js", "process.exit(1);\n")]);
    let message = JsLoader::new().check(&files.path("w.js")).unwrap_err().to_string();
    assert!(message.contains("process.exit(1) is not allowed"), "{message}");
}
