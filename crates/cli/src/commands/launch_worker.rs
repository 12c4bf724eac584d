//! `caliper launch worker`: serve a manager over the process messenger (stdin/stdout, when
//! forked by the manager) or the mqtt messenger (forked, or started by hand on any host with
//! `caliper-worker-remote: true`, waiting for its manager on the broker).

use std::time::Duration;

use caliper_core::messenger::mqtt::{self, Ending};
use caliper_core::messenger::stdio_worker_link;
use caliper_core::settings::keys;
use caliper_core::worker::{self, WorkerSetup};

use super::setup::{self, Method};
use crate::exit;
use crate::logging::LogStyle;
use crate::registry;

/// Runs the worker; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let settings = match setup::settings(args.clone(), LogStyle::ForkedWorker) {
        Ok(s) => s,
        Err(unloaded) => return unloaded.code(),
    };
    let method = match setup::method(&settings) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    // A worker started by hand binds first, as Caliper's; one forked by its manager does not
    // (the manager has bound).
    if matches!(method, Method::Mqtt { remote: true, .. })
        && let Err(code) = super::bind::before_launch(&settings, &args)
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
    let local = !matches!(method, Method::Mqtt { remote: true, .. });
    let setup = WorkerSetup {
        update_interval: update_interval.max(Duration::from_millis(10)),
        drain_timeout,
        max_in_flight,
        settings,
        network,
        connectors: registry::connectors(),
        workloads: registry::workloads(),
        observers: registry::tx_observers(),
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
    // Over MQTT the connection lives on a thread of its own, so heartbeats keep going while the
    // worker's thread is busy (a workload module that initialises for a long time must not look
    // like a lost worker).
    let mqtt_thread = match &method {
        Method::Mqtt { .. } => {
            match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("caliper-mqtt")
                .enable_all()
                .build()
            {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::error!("cannot start the MQTT thread: {e}");
                    return exit::RUN_FAILED;
                }
            }
        }
        Method::Process => None,
    };
    let code = runtime.block_on(async {
        match method {
            Method::Process => {
                let (link, writer) = stdio_worker_link();
                worker::serve(link, setup).await;
                let _ = writer.await;
                exit::OK
            }
            Method::Mqtt { config, .. } => {
                let Some(mqtt_thread) = &mqtt_thread else { return exit::RUN_FAILED };
                let config = config.shared_default();
                let connected = mqtt_thread.spawn(async move { mqtt::connect_worker(&config).await }).await;
                let (link, session) = match connected {
                    Ok(Ok(v)) => v,
                    Ok(Err(e)) => {
                        tracing::error!("{e}");
                        return exit::RUN_FAILED;
                    }
                    Err(e) => {
                        tracing::error!("the MQTT connection failed: {e}");
                        return exit::RUN_FAILED;
                    }
                };
                worker::serve(link, setup).await;
                match session.close().await {
                    Ending::Finished | Ending::NotNeeded(_) => exit::OK,
                    Ending::ManagerGone(_) | Ending::BrokerLost(_) => exit::RUN_FAILED,
                }
            }
        }
    });
    if let Some(mqtt_thread) = mqtt_thread {
        mqtt_thread.shutdown_timeout(Duration::from_secs(1));
    }
    // Everything was written; the reader of stdin may still block in a read that only the
    // manager closing the pipe ends, and dropping the runtime would wait for it.
    runtime.shutdown_background();
    code
}
