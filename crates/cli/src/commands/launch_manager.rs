//! `caliper launch manager`: validate everything (before the start command, as `caliper
//! check` does), run the benchmark, write the reports, and say with the exit code how it went.

use std::path::PathBuf;
use std::sync::Arc;

use caliper_core::config::NetworkConfig;
use caliper_core::manager::{Manager, ManagerTimings, RoundStatus, RunOutcome, RunPlan};
use caliper_core::messenger::{Transport, WorkerCommand};
use caliper_core::monitor::ResourceMonitor;
use caliper_core::settings::{Settings, keys};
use tokio_util::sync::CancellationToken;

use super::setup;
use super::validate;
use crate::exit;
use crate::logging::LogStyle;
use caliper_observers::ManagerEndpoint;

use crate::progress::Progress;
use crate::registry::Registries;
use crate::run_observer::Observed;

/// Runs the manager; returns the exit code.
pub fn run(args: Vec<String>, registries: &Registries) -> i32 {
    let settings = match setup::settings(args.clone(), LogStyle::Person) {
        Ok(s) => s,
        Err(unloaded) => return unloaded.code(),
    };
    // Caliper binds first when caliper-bind-sut is set; the workers it forks do not.
    if let Err(code) = super::bind::before_launch(&settings, &args, registries) {
        return code;
    }
    let validate::Validated { plan, network, timings, transport, monitors } =
        match validate::workspace(&settings, registries) {
            Ok(v) => v,
            Err(problems) => {
                for problem in problems {
                    tracing::error!("{problem}");
                }
                return exit::CONFIG;
            }
        };
    if plan.workers_auto {
        tracing::info!("workers: {}", validate::describe_workers(&plan));
        if transport.remote() {
            tracing::warn!(
                "test.workers.number: auto counts this machine's cores, but the workers are remote: the manager waits for {} of them; set the number by hand when the workers run elsewhere",
                plan.workers
            );
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return exit::RUN_FAILED;
        }
    };
    // The manager's metrics endpoint binds its port before anything starts: a port in use
    // stops the run here.
    let specs = plan.rounds.first().map_or(&[][..], |r| r.tx_observers.as_slice());
    if !transport.remote()
        && let Err(e) = caliper_observers::check_worker_ports(specs, &settings, plan.workers)
    {
        tracing::error!("{e}");
        return exit::CONFIG;
    }
    let endpoint = match caliper_observers::manager_endpoint_spec(specs) {
        Some(spec) => match runtime.block_on(ManagerEndpoint::start(spec, &settings)) {
            Ok(endpoint) => Some(endpoint),
            Err(e) => {
                tracing::error!("{e}");
                return exit::CONFIG;
            }
        },
        None => None,
    };
    let run = Run { plan, network, timings, transport, monitors };
    let outcome = runtime.block_on(execute(settings.clone(), run, args, endpoint.as_ref(), registries));
    report(&settings, &outcome);
    if let Some(endpoint) = endpoint {
        runtime.block_on(endpoint.stop());
    }
    exit_code(&outcome)
}

/// What a validated workspace asks the manager to run.
struct Run {
    plan: RunPlan,
    network: Arc<NetworkConfig>,
    timings: ManagerTimings,
    transport: Arc<dyn Transport>,
    monitors: Vec<Box<dyn ResourceMonitor>>,
}

async fn execute(
    settings: Arc<Settings>,
    run: Run,
    args: Vec<String>,
    endpoint: Option<&ManagerEndpoint>,
    registries: &Registries,
) -> RunOutcome {
    let Run { plan, network, timings, transport, monitors } = run;
    let interrupt = CancellationToken::new();
    {
        let interrupt = interrupt.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::warn!(
                    "interrupted: stopping the run and reporting what ran (Ctrl-C again to exit at once)"
                );
                interrupt.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(exit::INTERRUPTED);
                }
            }
        });
    }
    let program = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("caliper"));
    let mut worker_args = vec!["launch".to_string(), "worker".to_string()];
    worker_args.extend(args);
    let worker_command = WorkerCommand {
        program,
        args: worker_args,
        cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        env: vec![],
    };
    let mut observed = Observed { progress: Progress::new(timings.progress.is_some()), endpoint };
    let manager = Manager {
        settings,
        network,
        connectors: registries.connectors.clone(),
        transport,
        worker_command,
        timings,
        observer: &mut observed,
        interrupt,
        monitors,
    };
    manager.run(plan).await
}

/// Prints the summary and writes the results file and the HTML report (from the same
/// figures); a report that cannot be written is an error in the log, never a lost run.
fn report(settings: &Settings, outcome: &RunOutcome) {
    use std::io::Write as _;
    let summary = caliper_report::console::summary_table(outcome);
    let _ = writeln!(std::io::stdout(), "{summary}");
    let results = caliper_report::ResultsFile::from_outcome(outcome);
    let json_path =
        settings.path(keys::REPORT_JSON).unwrap_or_else(|| settings.workspace().join("results.json"));
    match results.write(&json_path) {
        Ok(()) => tracing::info!("results written to {}", json_path.display()),
        Err(e) => tracing::error!("cannot write the results to {}: {e}", json_path.display()),
    }
    let html_path =
        settings.path(keys::REPORT_PATH).unwrap_or_else(|| settings.workspace().join("report.html"));
    match caliper_report::HtmlReport::with_run(&results, outcome).write(&html_path) {
        Ok(()) => tracing::info!("report written to {}", html_path.display()),
        Err(e) => tracing::error!("cannot write the report to {}: {e}", html_path.display()),
    }
    if let Some(e) = &outcome.error {
        tracing::error!("{e}");
    }
    let passed = outcome.rounds.iter().filter(|r| r.passed()).count();
    tracing::info!(
        "benchmark finished: {} round(s), {passed} passed, {} failed or not run",
        outcome.rounds.len(),
        outcome.rounds.len() - passed
    );
}

fn exit_code(outcome: &RunOutcome) -> i32 {
    let failed = outcome.rounds.iter().any(|r| matches!(r.status, RoundStatus::Failed { .. }));
    let not_run = outcome.rounds.iter().any(|r| matches!(r.status, RoundStatus::NotRun { .. }));
    if outcome.interrupted {
        exit::INTERRUPTED
    } else if failed {
        exit::ROUND_FAILED
    } else if outcome.error.is_some() || not_run {
        // The run itself failed outside the rounds (start, init, install, workers, end).
        exit::RUN_FAILED
    } else {
        exit::OK
    }
}
