//! The built-in connectors, workload modules, transaction observers, resource monitors and
//! messengers of the `caliper` binary, and [`Registries`], which holds them all and to which
//! a user's own binary adds its parts (see [`crate::run_with`]).

use std::sync::Arc;

use caliper_core::connector::ConnectorRegistry;
use caliper_core::messenger::{MessengerRegistry, ProcessMessenger};
use caliper_core::monitor::MonitorRegistry;
use caliper_core::tx_observer::TxObserverRegistry;
use caliper_core::workload::WorkloadRegistry;

/// Everything a `caliper` binary can run: the parts that `caliper.blockchain`,
/// `workload.module`, `monitors.transaction`, `monitors.resource` and
/// `caliper-worker-communication-method` name. [`Registries::builtin`] holds this project's;
/// a user's own binary registers its parts beside them and hands the whole to
/// [`crate::run_with`].
#[derive(Clone)]
pub struct Registries {
    /// Connectors by the name used in `caliper.blockchain`, then the resolvers of other values.
    pub connectors: ConnectorRegistry,
    /// Workload modules by name or file extension (`workload.module`).
    pub workloads: WorkloadRegistry,
    /// Transaction observers (`monitors.transaction[].module`).
    pub observers: TxObserverRegistry,
    /// Resource monitors (`monitors.resource[].module`).
    pub monitors: MonitorRegistry,
    /// Messengers (`caliper-worker-communication-method`).
    pub messengers: MessengerRegistry,
}

impl Registries {
    /// The built-in parts of the `caliper` binary.
    pub fn builtin() -> Self {
        Registries {
            connectors: connectors(),
            workloads: workloads(),
            observers: tx_observers(),
            monitors: monitors(),
            messengers: messengers(),
        }
    }
}

impl Default for Registries {
    fn default() -> Self {
        Registries::builtin()
    }
}

/// Connectors by the name used in `caliper.blockchain`, then the resolvers of other values.
pub fn connectors() -> ConnectorRegistry {
    let mut r = ConnectorRegistry::new();
    r.register(Arc::new(caliper_ethereum::EthereumFactory));
    r.register(Arc::new(caliper_fabric::FabricFactory));
    r.register(Arc::new(caliper_sim::SimFactory));
    // Caliper's paths and packages: JavaScript connectors in the Node.js sidecar.
    r.register_resolver(Arc::new(caliper_node::NodeResolver));
    // Programs last: `exec:<program>`, and `caliper-connector-<name>` for a plain name that
    // no built-in, path or package took (the Node.js resolver registers before it).
    r.register_resolver(Arc::new(caliper_external::ProgramResolver));
    r
}

/// Workload modules: Rust ones by the name used in `workload.module`, and files by their
/// extension (`.js`: Caliper's JavaScript modules, run in the worker's embedded engine).
pub fn workloads() -> WorkloadRegistry {
    let mut r = WorkloadRegistry::new();
    r.register_checked(
        caliper_sim::SIM_MIX,
        caliper_sim::sim_mix_workload,
        caliper_sim::check_sim_mix_arguments,
    );
    r.register_loader("js", Arc::new(caliper_js::JsLoader::new()));
    r
}

/// Transaction observers by the name used in `monitors.transaction[].module`.
pub fn tx_observers() -> TxObserverRegistry {
    let mut r = TxObserverRegistry::new();
    caliper_observers::register(&mut r);
    r
}

/// Resource monitors by the name used in `monitors.resource[].module`.
pub fn monitors() -> MonitorRegistry {
    caliper_monitors::registry()
}

/// Messengers by the name used in `caliper-worker-communication-method`: `process` (child
/// processes of this binary, in caliper-core) and `mqtt` (through a broker, caliper-mqtt).
pub fn messengers() -> MessengerRegistry {
    let mut r = MessengerRegistry::new();
    r.register(Arc::new(ProcessMessenger));
    r.register(Arc::new(caliper_mqtt::MqttMessenger));
    r
}
