//! `caliper launch worker`: serve a manager over the messenger the settings name: `process`
//! (stdin/stdout, when forked by the manager) or `mqtt` (forked, or started by hand on any
//! host with `caliper-worker-remote: true`, waiting for its manager on the broker).

use std::time::Duration;

use caliper_core::settings::keys;
use caliper_core::worker::{self, Served, WorkerSetup};

use super::setup;
use crate::exit;
use crate::logging::LogStyle;
use crate::registry::Registries;

/// Runs the worker; returns the exit code.
pub fn run(args: Vec<String>, registries: &Registries) -> i32 {
    let settings = match setup::settings(args.clone(), LogStyle::ForkedWorker) {
        Ok(s) => s,
        Err(unloaded) => return unloaded.code(),
    };
    let transport = match registries.messengers.configure(&settings) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    // A worker started by hand binds first, as Caliper's; one forked by its manager does not
    // (the manager has bound).
    if transport.remote()
        && let Err(code) = super::bind::before_launch(&settings, &args, registries)
    {
        return code;
    }
    let network = match setup::network(&settings) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let timings = setup::millis(&settings, keys::OBSERVER_INTERNAL_INTERVAL)
        .and_then(|u| Ok((u, setup::millis(&settings, keys::WORKER_TIMEOUT_DRAIN)?)));
    let (update_interval, drain_timeout) = match timings {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    let max_in_flight = match setup::max_in_flight(&settings) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    // Forked by its manager (ports of observers are then offset by the worker index).
    let local = !transport.remote();
    let setup = WorkerSetup {
        update_interval: update_interval.max(Duration::from_millis(10)),
        drain_timeout,
        max_in_flight,
        settings,
        network,
        connectors: registries.connectors.clone(),
        workloads: registries.workloads.clone(),
        observers: registries.observers.clone(),
        local,
    };
    // One worker, one thread: the round loop and the connector share it, so statistics need
    // no cross-thread synchronisation and a workload may hold a single-threaded engine.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return exit::RUN_FAILED;
        }
    };
    let code = runtime.block_on(async {
        let (link, side) = match transport.connect_worker().await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("{e}");
                return exit::RUN_FAILED;
            }
        };
        let served = worker::serve(link, setup).await;
        // The messenger has logged why a session ended badly.
        let closed = side.close().await;
        match (served, closed) {
            (Served::Finished, Ok(())) => exit::OK,
            (Served::Refused(why), _) => {
                tracing::error!("{why}");
                exit::RUN_FAILED
            }
            (_, Err(_)) => exit::RUN_FAILED,
        }
    });
    // Everything was written; the reader of stdin may still block in a read that only the
    // manager closing the pipe ends, and dropping the runtime would wait for it.
    runtime.shutdown_background();
    code
}
