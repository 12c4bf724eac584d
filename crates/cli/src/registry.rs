//! The built-in connectors, workload modules, transaction observers and resource monitors of
//! this binary.

use std::sync::Arc;

use caliper_core::connector::ConnectorRegistry;
use caliper_core::monitor::MonitorRegistry;
use caliper_core::tx_observer::TxObserverRegistry;
use caliper_core::workload::WorkloadRegistry;

/// Connectors by the name used in `caliper.blockchain`.
pub fn connectors() -> ConnectorRegistry {
    let mut r = ConnectorRegistry::new();
    r.register(Arc::new(caliper_ethereum::EthereumFactory));
    r.register(Arc::new(caliper_sim::SimFactory));
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
