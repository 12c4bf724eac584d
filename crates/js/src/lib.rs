//! caliper-js: JavaScript workload modules, as Caliper users write them, in an embedded
//! QuickJS engine (rquickjs).
//!
//! A round whose `workload.module` is a `.js` path runs that CommonJS module in the worker's
//! engine, with Caliper's API: `require('@hyperledger/caliper-core')` gives
//! `WorkloadModuleBase`, `WorkloadModuleInterface`, `CaliperUtils` and `TxStatus`; `require`
//! loads relative files, JSON files and packages from `node_modules`, with Node's caching
//! and cycles; the subset of Node that workloads use (`crypto`, `util`, `path`, `fs` for
//! reading, `events`, `assert`, `os`, `Buffer`, `process`, timers, `console`) is built in.
//!
//! | item | what it is |
//! |---|---|
//! | [`JsLoader`] | the [`WorkloadLoader`](caliper_core::workload::WorkloadLoader) registered for `.js` |
//! | [`JsLimits`] | how long a script may run without returning, and its memory |
//! | [`JsError`] | why a module could not be loaded |
//!
//! One engine per worker (per thread), kept across rounds; each round gets a new instance
//! from `createWorkloadModule()`. Transactions run concurrently in the engine: each
//! `submitTransaction` is a Rust future that drives the engine's pending requests (see
//! `engine.rs`). A script that loops is stopped by QuickJS's interrupt handler; a script that
//! throws fails its call with the JavaScript stack. The user documentation is
//! `docs/workloads.md`.

mod adapter;
mod convert;
mod engine;
mod error;
mod loader;
mod native;
mod workload;

use std::time::Duration;

pub use error::JsError;
pub use loader::JsLoader;

/// Limits of a worker's JavaScript engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsLimits {
    /// How long JavaScript may run without returning to the worker during a round (one
    /// `submitTransaction` up to its first `await`, or one continuation). Past it the script
    /// is stopped and the round fails. Default 10 s.
    pub run_time: Duration,
    /// The same for loading a module and for `initializeWorkloadModule` and
    /// `cleanupWorkloadModule`, which may prepare data at length. Default 60 s.
    pub setup_time: Duration,
    /// The engine's memory limit in bytes; beyond it allocations fail with an error. Default 2 GiB.
    pub memory_bytes: usize,
    /// The JavaScript stack limit in bytes (deep recursion throws a RangeError). Default 1 MiB.
    pub stack_bytes: usize,
}

impl Default for JsLimits {
    fn default() -> Self {
        JsLimits {
            run_time: Duration::from_secs(10),
            setup_time: Duration::from_secs(60),
            memory_bytes: 2 << 30,
            stack_bytes: 1 << 20,
        }
    }
}
