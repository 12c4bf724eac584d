//! The MQTT messenger behind caliper-core's messenger seam: `caliper-worker-communication-method:
//! mqtt` configures it from the `caliper-worker-communication-*` settings, then it connects the
//! manager (forking local workers, or waiting for remote ones) and each worker.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use caliper_core::messenger::{
    ManagerLink, ManagerSide, Messenger, Transport, WorkerCommand, WorkerLink, WorkerSide,
};
use caliper_core::settings::{Settings, keys};

use crate::{Ending, MqttConfig, MqttManager, MqttWorker, connect_manager, connect_worker};

/// The `mqtt` messenger, registered by the binary beside caliper-core's `process` one.
#[derive(Debug, Clone, Copy, Default)]
pub struct MqttMessenger;

impl Messenger for MqttMessenger {
    fn name(&self) -> &'static str {
        "mqtt"
    }

    fn configure(&self, settings: &Settings, remote: bool) -> Result<Arc<dyn Transport>, String> {
        let config = MqttConfig::from_settings(settings).map_err(|e| e.to_string())?;
        Ok(Arc::new(MqttTransport { config, remote }))
    }
}

/// The mqtt messenger configured for one run.
struct MqttTransport {
    config: MqttConfig,
    remote: bool,
}

#[async_trait]
impl Transport for MqttTransport {
    fn name(&self) -> &'static str {
        "mqtt"
    }

    fn address(&self) -> Option<String> {
        Some(self.config.address())
    }

    fn remote(&self) -> bool {
        self.remote
    }

    fn describe(&self) -> String {
        let whose =
            if self.remote { "remote workers, started elsewhere" } else { "workers forked by the manager" };
        format!("mqtt messenger through {} ({whose})", self.config.address())
    }

    async fn connect_manager(
        &self,
        workers: usize,
        command: &WorkerCommand,
    ) -> Result<(ManagerLink, Box<dyn ManagerSide>), String> {
        let (link, manager) = if self.remote {
            let config = self.config.clone().shared_default();
            tracing::info!(
                "waiting for {workers} remote worker(s) on the MQTT broker at {} (run {})",
                config.address(),
                config.run
            );
            connect_manager(&config, None).await
        } else {
            let mut command = command.clone();
            if !self.config.run_given {
                // The local workers share the manager's generated run, and no one else does.
                command.args.extend([format!("--{}", keys::WORKER_MQTT_RUN), self.config.run.clone()]);
            }
            connect_manager(&self.config, Some((workers, &command))).await
        }
        .map_err(|e| e.to_string())?;
        Ok((link, Box::new(manager)))
    }

    async fn connect_worker(&self) -> Result<(WorkerLink, Box<dyn WorkerSide>), String> {
        // The connection lives on a thread of its own, so heartbeats keep going while the
        // worker's thread is busy (a workload module that initialises for a long time must not
        // look like a lost worker).
        let thread = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("caliper-mqtt")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the MQTT thread: {e}"))?;
        let config = self.config.clone().shared_default();
        let connected = thread.spawn(async move { connect_worker(&config).await }).await;
        match connected {
            Ok(Ok((link, session))) => Ok((link, Box::new(WorkerThread { session, thread }))),
            Ok(Err(e)) => {
                thread.shutdown_background();
                Err(e.to_string())
            }
            Err(e) => {
                thread.shutdown_background();
                Err(format!("the MQTT connection failed: {e}"))
            }
        }
    }
}

#[async_trait]
impl ManagerSide for MqttManager {
    async fn close(self: Box<Self>, grace: Duration) {
        MqttManager::close(*self, grace).await;
    }
}

/// A worker's session and the thread its connection runs on.
struct WorkerThread {
    session: MqttWorker,
    thread: tokio::runtime::Runtime,
}

#[async_trait]
impl WorkerSide for WorkerThread {
    async fn close(self: Box<Self>) -> Result<(), String> {
        let WorkerThread { session, thread } = *self;
        let ending = session.close().await;
        // The session has disconnected; nothing is left to wait for on that thread (and a
        // runtime must not be dropped inside another one's task).
        thread.shutdown_background();
        match ending {
            Ending::Finished | Ending::NotNeeded(_) => Ok(()),
            Ending::ManagerGone(why) | Ending::BrokerLost(why) => Err(why),
        }
    }
}
