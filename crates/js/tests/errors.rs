//! Errors: reported before the round with file and line, or failing the round with the
//! JavaScript stack; nothing a script does crashes the worker or hangs the round.

mod common;

use std::time::{Duration, Instant};

use caliper_core::workload::WorkloadLoader;
use caliper_js::{JsLimits, JsLoader};
use common::*;
use serde_json::json;

fn check_error(files: &[(&str, &str)], main: &str) -> String {
    let files = Files::new(files);
    match JsLoader::new().check(&files.path(main)) {
        Ok(()) => panic!("{main} should not check"),
        Err(e) => e.to_string(),
    }
}

const HEADER: &str = "'use strict';\nconst { WorkloadModuleBase } = require('@hyperledger/caliper-core');\n";

fn workload(submit_body: &str) -> String {
    format!(
        "{HEADER}class W extends WorkloadModuleBase {{\n    async submitTransaction() {{\n{submit_body}\n    }}\n}}\nmodule.exports.createWorkloadModule = () => new W();\n"
    )
}

#[test]
fn a_syntax_error_is_reported_by_check_with_file_and_line() {
    let message = check_error(&[("bad.js", "'use strict';\nconst a = 1;\nconst b = ;\n")], "bad.js");
    assert!(message.contains("SyntaxError"), "{message}");
    assert!(message.contains("bad.js:3"), "{message}");
    // In a required file too.
    let message = check_error(
        &[
            (
                "main.js",
                "const u = require('./lib/util');\nmodule.exports.createWorkloadModule = () => ({});\n",
            ),
            ("lib/util.js", "\n\nfunction (\n"),
        ],
        "main.js",
    );
    assert!(message.contains("SyntaxError") && message.contains("lib/util.js:3"), "{message}");
}

#[test]
fn a_missing_factory_is_reported_by_check() {
    let message = check_error(&[("w.js", "module.exports.createWorkload = () => ({});\n")], "w.js");
    assert!(
        message.contains("w.js") && message.contains("does not export a createWorkloadModule function"),
        "{message}"
    );
    let message = check_error(&[("w.js", "module.exports.createWorkloadModule = () => 42;\n")], "w.js");
    assert!(message.contains("must return an object with a submitTransaction method"), "{message}");
}

#[test]
fn an_unknown_package_names_the_package_and_the_file() {
    let message = check_error(
        &[("w.js", "const { v4 } = require('uuid');\nmodule.exports.createWorkloadModule = () => ({});\n")],
        "w.js",
    );
    assert!(
        message.contains("Cannot find module 'uuid' required by") && message.contains("w.js"),
        "{message}"
    );
    assert!(message.contains("node_modules"), "{message}");
    let message = check_error(&[("w.js", "require('./nothere');\n")], "w.js");
    assert!(message.contains("Cannot find module './nothere'"), "{message}");
    let message = check_error(&[("w.js", "require('node:http');\n")], "w.js");
    assert!(message.contains("'node:http'") && message.contains("crypto"), "{message}");
}

#[test]
fn a_top_level_exception_is_reported_with_its_stack() {
    let message = check_error(&[("w.js", "'use strict';\n\nthrow new Error('not configured');\n")], "w.js");
    assert!(message.contains("Error: not configured") && message.contains("w.js:3"), "{message}");
}

#[test]
fn an_exception_in_submit_transaction_fails_with_the_js_stack() {
    let files = Files::new(&[
        ("w.js", &workload("        this.fail();")),
        ("ok.js", &workload("        await this.sutAdapter.sendRequests({});")),
    ]);
    let loader = JsLoader::new();
    block_on(async {
        let r = round(&loader, &files.path("w.js"), Echo::new(0, Duration::ZERO), 0, 3, json!({})).await;
        r.initialize.as_ref().expect("initialize");
        let message = r.first_error();
        assert!(message.contains("TypeError") && message.contains("not a function"), "{message}");
        assert!(message.contains("w.js:5"), "{message}");
        assert!(r.submits.iter().all(|s| s.is_err()));
    });
}

#[test]
fn a_rejected_submit_transaction_fails_the_call() {
    let body = "        const s = await this.sutAdapter.sendRequests({ fail: true });\n        if (!s.IsCommitted()) throw new Error('refused: ' + s.GetErrMsg()[0]);";
    let files = Files::new(&[("w.js", &workload(body))]);
    block_on(async {
        let r = round(
            &JsLoader::new(),
            &files.path("w.js"),
            Echo::new(0, Duration::from_millis(2)),
            0,
            2,
            json!({}),
        )
        .await;
        let message = r.first_error();
        assert!(message.contains("Error: refused: refused") && message.contains("w.js:6"), "{message}");
    });
}

#[test]
fn an_endless_loop_is_stopped_and_the_engine_goes_on() {
    let limits = JsLimits { run_time: Duration::from_millis(300), ..JsLimits::default() };
    let loader = JsLoader::with_limits(limits);
    let body = "        if (this.roundIndex === 0) { while (true) {} }\n        await this.sutAdapter.sendRequests({});";
    let files = Files::new(&[("w.js", &workload(body))]);
    block_on(async {
        let start = Instant::now();
        let r = round(&loader, &files.path("w.js"), Echo::new(0, Duration::ZERO), 0, 2, json!({})).await;
        let message = r.first_error();
        assert!(message.contains("endless loop") && message.contains("w.js:5"), "{message}");
        assert!(start.elapsed() < Duration::from_secs(5));
        // The worker's engine still runs the next round.
        let r = round(&loader, &files.path("w.js"), Echo::new(0, Duration::ZERO), 1, 5, json!({})).await;
        assert!(r.submits.iter().all(|s| s.is_ok()), "{}", r.first_error());
    });
}

#[test]
fn an_endless_loop_at_the_top_level_is_reported_by_check() {
    let files = Files::new(&[("w.js", "while (true) {}\n")]);
    let loader =
        JsLoader::with_limits(JsLimits { setup_time: Duration::from_millis(300), ..JsLimits::default() });
    let message = loader.check(&files.path("w.js")).unwrap_err().to_string();
    assert!(message.contains("endless loop") && message.contains("w.js:1"), "{message}");
}

#[test]
fn an_initialize_that_can_never_finish_is_reported() {
    let source = format!(
        "{HEADER}class W extends WorkloadModuleBase {{\n    async initializeWorkloadModule() {{ await new Promise(() => {{}}); }}\n    async submitTransaction() {{}}\n}}\nmodule.exports.createWorkloadModule = () => new W();\n"
    );
    let files = Files::new(&[("w.js", &source)]);
    block_on(async {
        let r =
            round(&JsLoader::new(), &files.path("w.js"), Echo::new(0, Duration::ZERO), 0, 1, json!({})).await;
        let message = r.initialize.unwrap_err().to_string();
        assert!(
            message.contains("initializeWorkloadModule") && message.contains("never settle"),
            "{message}"
        );
    });
}

#[test]
fn deep_recursion_and_memory_exhaustion_are_errors_not_crashes() {
    let limits = JsLimits { memory_bytes: 64 << 20, ..JsLimits::default() };
    let loader = JsLoader::with_limits(limits);
    let files = Files::new(&[
        ("deep.js", &workload("        const f = (n) => f(n + 1) + 1;\n        f(0);")),
        ("big.js", &workload("        const a = [];\n        for (;;) a.push('x'.repeat(1000) + a.length);")),
    ]);
    block_on(async {
        let r = round(&loader, &files.path("deep.js"), Echo::new(0, Duration::ZERO), 0, 1, json!({})).await;
        let message = r.first_error();
        assert!(message.contains("RangeError") || message.contains("stack"), "{message}");
        let r = round(&loader, &files.path("big.js"), Echo::new(0, Duration::ZERO), 0, 1, json!({})).await;
        let message = r.first_error();
        assert!(message.contains("out of memory"), "{message}");
    });
}

#[test]
fn an_unsendable_request_is_a_type_error() {
    let files = Files::new(&[("w.js", &workload("        await this.sutAdapter.sendRequests({ n: 10n });"))]);
    block_on(async {
        let echo = Echo::new(0, Duration::ZERO);
        let r = round(&JsLoader::new(), &files.path("w.js"), echo.clone(), 0, 1, json!({})).await;
        let message = r.first_error();
        assert!(message.contains("TypeError: sendRequests: a BigInt"), "{message}");
        assert!(echo.requests().is_empty());
    });
}

#[test]
fn an_endless_loop_after_an_await_is_stopped_even_when_it_catches_every_exception() {
    // The loop runs in a promise continuation, after the transaction's request is done: once
    // it is stopped, nothing else would wake the transactions waiting on it. A hang here
    // (the bug this guards against) fails the test at the channel's deadline.
    let loops = [
        "for (;;) { try { JSON.parse('x'); } catch (e) {} }",
        "while (true) { try { throw new Error('x'); } catch (e) {} finally {} }",
        "for (;;) { try { await Promise.resolve(1); } catch (e) {} }",
    ];
    for body in loops {
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let limits = JsLimits { run_time: Duration::from_millis(300), ..JsLimits::default() };
            let loader = JsLoader::with_limits(limits);
            let body = format!("        await this.sutAdapter.sendRequests({{}});\n        {body}");
            let files = Files::new(&[("w.js", &workload(&body))]);
            let r = block_on(round(
                &loader,
                &files.path("w.js"),
                Echo::new(0, Duration::from_millis(2)),
                0,
                4,
                json!({}),
            ));
            let _ = done.send((r.submits.iter().filter(|s| s.is_err()).count(), r.first_error()));
        });
        let (failed, message) = result
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("the round did not end: {body}"));
        assert_eq!(failed, 4, "every transaction fails: {message}");
        assert!(message.contains("endless loop"), "{body}: {message}");
    }
}
