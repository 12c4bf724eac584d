//! The check of a workspace that every `launch manager` starts with and `caliper check` is
//! made of: settings, both configuration files, the connector's sections (its factory's
//! check), every round's workload module and arguments (the registry's checks), its rate
//! controller for every worker, and every resource monitor's options (the monitor's check). Nothing here touches the SUT or runs a command, and every
//! mistake is reported, not only the first.

use std::sync::Arc;
use std::time::Duration;

use caliper_core::config::{BenchmarkConfig, ConfigErrors, MonitorModules, NetworkConfig, TxLimit};
use caliper_core::manager::{ManagerTimings, PlannedRound, RoundSize, RunPlan};
use caliper_core::message::WorkloadMessage;
use caliper_core::monitor::ResourceMonitor;
use caliper_core::settings::{Flow, Settings, keys};
use caliper_core::tx_observer::TxObserverSpec;
use caliper_core::workload::WorkloadRegistry;

use caliper_core::messenger::Transport;

use super::setup;
use crate::registry::Registries;

/// What a valid workspace asks the manager to do.
pub struct Validated {
    /// The rounds and phases.
    pub plan: RunPlan,
    /// The network configuration.
    pub network: Arc<NetworkConfig>,
    /// The manager's deadlines.
    pub timings: ManagerTimings,
    /// How the manager and its workers talk: the messenger configured for this run.
    pub transport: Arc<dyn Transport>,
    /// The resource monitors, built (nothing started yet).
    pub monitors: Vec<Box<dyn ResourceMonitor>>,
}

/// Checks everything a run needs that the files alone can show; on mistakes, one message per
/// mistake (`file: key.path: what is wrong`).
pub fn workspace(settings: &Settings, registries: &Registries) -> Result<Validated, Vec<String>> {
    let mut problems = Vec::new();
    let flow = Flow::from_settings(settings).map_err(|e| problems.push(e.to_string())).ok();
    let transport = registries.messengers.configure(settings).map_err(|e| problems.push(e)).ok();
    let timings = timings(settings).map_err(|e| problems.push(e)).ok();
    // The workers read it; a bad value must stop the run here, before anything starts.
    if let Err(e) = setup::max_in_flight(settings) {
        problems.push(e);
    }
    problems.extend(super::results_path::check_outputs_writable(settings));
    let workloads = workloads_for(settings, registries);
    let monitor_registry = &registries.monitors;
    let modules =
        MonitorModules { resource: Some(monitor_registry), transaction: Some(&registries.observers) };
    let bench = BenchmarkConfig::check_from_settings_with(settings, Some(&workloads), modules)
        .map_err(|e| problems.extend(lines(e)))
        .ok();
    // Built here, so that a setting they read (caliper-monitor-interval, the report
    // precision) stops the run before anything starts. A module this build lacks was a warning.
    let mut monitors = Vec::new();
    for spec in bench.iter().flat_map(|b| &b.monitors.resource) {
        if monitor_registry.get(&spec.module).is_none() {
            continue;
        }
        match monitor_registry.create(&spec.module, &spec.options, settings) {
            Ok(monitor) => monitors.push(monitor),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let workers = bench.as_ref().map(|b| b.workers);
    let network = NetworkConfig::check_from_settings(settings, &registries.connectors, workers)
        .map_err(|e| problems.extend(lines(e)))
        .ok();
    match (flow, transport, timings, bench, network) {
        (Some(flow), Some(transport), Some(timings), Some(bench), Some(network)) if problems.is_empty() => {
            Ok(Validated {
                plan: plan_of(&bench, flow),
                network: Arc::new(network),
                timings,
                transport,
                monitors,
            })
        }
        _ => Err(problems),
    }
}

/// The workload registry the rounds are checked against: the connector's own loaders (such
/// as `.js` modules that run beside a JavaScript connector in Node.js) over the built-in ones.
/// A network configuration that cannot be read or names no connector adds nothing here: its
/// own check reports that.
fn workloads_for(settings: &Settings, registries: &Registries) -> WorkloadRegistry {
    let mut workloads = registries.workloads.clone();
    let connector = NetworkConfig::from_settings(settings)
        .ok()
        .and_then(|network| registries.connectors.resolve(&network.blockchain, settings.workspace()).ok());
    for (extension, loader) in connector.map(|c| c.hosted_workloads()).unwrap_or_default() {
        workloads.register_loader(extension, loader);
    }
    workloads
}

fn lines(errors: ConfigErrors) -> impl Iterator<Item = String> {
    errors.into_iter().map(|e| e.to_string())
}

fn timings(settings: &Settings) -> Result<ManagerTimings, String> {
    let ms = |key| setup::millis(settings, key);
    let progress_on = settings.get_bool(keys::PROGRESS_REPORTING_ENABLED).map_err(|e| e.to_string())?;
    Ok(ManagerTimings {
        join: ms(keys::WORKER_TIMEOUT_JOIN)?,
        prepare: ms(keys::WORKER_TIMEOUT_PREPARE)?,
        silence: ms(keys::WORKER_TIMEOUT_SILENCE)?,
        progress: if progress_on {
            Some(ms(keys::PROGRESS_REPORTING_INTERVAL)?.max(Duration::from_millis(100)))
        } else {
            None
        },
        round_pause: ms(keys::ROUND_PAUSE)?,
        stop_grace: Duration::from_secs(5),
    })
}

/// The number of workers for a person: with `auto`, where the number came from.
pub(crate) fn describe_workers(plan: &RunPlan) -> String {
    if plan.workers_auto {
        format!(
            "{} (test.workers.number: auto, one per core this process may use: CPU affinity and cgroup CPU quota counted)",
            plan.workers
        )
    } else {
        plan.workers.to_string()
    }
}

fn plan_of(bench: &BenchmarkConfig, phases: Flow) -> RunPlan {
    let tx_observers: Vec<TxObserverSpec> = bench
        .monitors
        .transaction
        .iter()
        .map(|m| TxObserverSpec { module: m.module.clone(), options: m.options.clone() })
        .collect();
    // The manager's metrics endpoint needs the workers' latency distributions during rounds.
    let live_latency = caliper_observers::manager_endpoint_spec(&tx_observers).is_some();
    RunPlan {
        name: bench.name.clone(),
        description: bench.description.clone(),
        workers: bench.workers,
        workers_auto: bench.workers_auto,
        rounds: bench
            .rounds
            .iter()
            .map(|r| PlannedRound {
                label: r.label.clone(),
                description: r.description.clone(),
                size: match r.tx {
                    TxLimit::Number(n) => RoundSize::Transactions(n),
                    TxLimit::Duration(d) => RoundSize::Duration(d),
                },
                rate_control: r.rate_control.clone(),
                workload: WorkloadMessage {
                    module: r.workload.module.clone(),
                    arguments: r.workload.arguments.clone(),
                },
                raw: r.raw.clone(),
                tx_observers: tx_observers.clone(),
                live_latency,
            })
            .collect(),
        benchmark: bench.raw.clone(),
        phases,
    }
}
