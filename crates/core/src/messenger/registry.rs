//! The messenger seam: messengers registered by the name used in
//! `caliper-worker-communication-method`, each configured for a run from the settings and then
//! connecting the manager's side and each worker's side.
//!
//! The engine knows only this trait and the [`Link`](super::Link)s it hands out; the binary
//! registers `process` (in this crate) and `mqtt` (the `caliper-mqtt` crate) side by side, as
//! it registers connectors.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::process::WorkerCommand;
use super::{ManagerLink, WorkerLink};
use crate::settings::{Settings, keys};

/// A kind of messenger, registered under its name.
pub trait Messenger: Send + Sync {
    /// Its name in `caliper-worker-communication-method`, such as `process` or `mqtt`.
    fn name(&self) -> &'static str;

    /// Reads and checks its settings for one run, before anything starts (files such as TLS
    /// certificates included), so a bad value is a configuration error and not a failure in
    /// the middle of a run. `remote` is `caliper-worker-remote`: the workers are started
    /// elsewhere. An error names the setting and says how to fix it.
    fn configure(&self, settings: &Settings, remote: bool) -> Result<Arc<dyn Transport>, String>;
}

/// A messenger configured for one run: what `caliper check` says about it, and how each side
/// connects.
#[async_trait]
pub trait Transport: Send + Sync {
    /// The messenger's name.
    fn name(&self) -> &'static str;

    /// Where the messages go, for a person (an MQTT broker's address, never with its
    /// password); `None` when the workers are children of the manager.
    fn address(&self) -> Option<String>;

    /// Whether the workers are started elsewhere (`caliper-worker-remote`): the manager
    /// starts none and waits for them to join.
    fn remote(&self) -> bool;

    /// One line for `caliper check`, such as "process messenger (child processes of this
    /// binary)".
    fn describe(&self) -> String;

    /// The manager's side: reaches `workers` workers, starting local ones with `command`
    /// (ignored when they are remote).
    async fn connect_manager(
        &self,
        workers: usize,
        command: &WorkerCommand,
    ) -> Result<(ManagerLink, Box<dyn ManagerSide>), String>;

    /// A worker's side: reaches its manager.
    async fn connect_worker(&self) -> Result<(WorkerLink, Box<dyn WorkerSide>), String>;
}

/// What the manager closes after its run, once its link is dropped.
#[async_trait]
pub trait ManagerSide: Send {
    /// Says goodbye on the transport, then waits up to `grace` for local workers to exit
    /// (killing stragglers).
    async fn close(self: Box<Self>, grace: Duration);
}

/// What a worker closes after serving, once its link is dropped.
#[async_trait]
pub trait WorkerSide: Send {
    /// Waits for queued messages to go out. `Err` when the session ended badly (the manager
    /// or the broker was lost); the messenger has logged why, and the worker exits with a
    /// failure code.
    async fn close(self: Box<Self>) -> Result<(), String>;
}

/// The messengers this binary knows, by name.
#[derive(Default, Clone)]
pub struct MessengerRegistry {
    messengers: BTreeMap<&'static str, Arc<dyn Messenger>>,
}

impl MessengerRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a messenger under its name (a later one replaces an earlier one).
    pub fn register(&mut self, messenger: Arc<dyn Messenger>) -> &mut Self {
        self.messengers.insert(messenger.name(), messenger);
        self
    }

    /// The messenger named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Messenger>> {
        self.messengers.get(name).cloned()
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.messengers.keys().copied().collect()
    }

    /// The messenger that `caliper-worker-communication-method` names, configured from the
    /// settings with `caliper-worker-remote`; an error names the setting.
    pub fn configure(&self, settings: &Settings) -> Result<Arc<dyn Transport>, String> {
        let remote = settings.get_bool(keys::WORKER_REMOTE).map_err(|e| e.to_string())?;
        let method = settings.get_str(keys::WORKER_COMMUNICATION_METHOD).map_err(|e| e.to_string())?;
        let messenger = self.get(method).ok_or_else(|| {
            format!(
                "{}: unknown method \"{method}\"; expected {}",
                keys::WORKER_COMMUNICATION_METHOD,
                self.names().join(" or ")
            )
        })?;
        messenger.configure(settings, remote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messenger::ProcessMessenger;
    use crate::settings::SettingsInput;

    fn settings(args: &[&str]) -> Settings {
        let dir = tempfile::tempdir().unwrap();
        let input = SettingsInput {
            args: args.iter().map(|s| s.to_string()).collect(),
            cwd: dir.path().to_path_buf(),
            env: vec![],
        };
        Settings::load(&input).unwrap()
    }

    #[test]
    fn the_method_setting_selects_a_registered_messenger() {
        let mut r = MessengerRegistry::new();
        r.register(Arc::new(ProcessMessenger));
        let t = r.configure(&settings(&[])).unwrap();
        assert_eq!((t.name(), t.remote(), t.address()), ("process", false, None));
        let e = r.configure(&settings(&["--caliper-worker-communication-method", "mqtt"])).err().unwrap();
        assert!(e.contains("unknown method \"mqtt\"; expected process"), "{e}");
        let e = r.configure(&settings(&["--caliper-worker-remote", "true"])).err().unwrap();
        assert!(e.contains("caliper-worker-remote: true needs"), "{e}");
    }
}
