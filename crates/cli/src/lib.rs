//! caliper-cli: the `caliper` command, also as a library, so that a user's own binary runs
//! the same command with connectors (or workloads, observers, monitors, messengers) of its
//! own.
//!
//! ```no_run
//! use std::sync::Arc;
//! # use caliper_core::connector::{ConnectorFactory, ConnectorInit, Connector, ConnectorError};
//! # struct MyChainFactory;
//! # #[async_trait::async_trait]
//! # impl ConnectorFactory for MyChainFactory {
//! #     fn name(&self) -> &'static str { "mychain" }
//! #     async fn create(&self, _: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> { todo!() }
//! # }
//!
//! fn main() -> std::process::ExitCode {
//!     let mut registries = caliper_cli::Registries::builtin();
//!     registries.connectors.register(Arc::new(MyChainFactory));
//!     caliper_cli::run_with(registries)
//! }
//! ```
//!
//! The manager starts its local workers by running its own executable again
//! (`std::env::current_exe()`), so they have the same parts; remote workers must run the same
//! binary, and one that lacks the connector the manager asks for is refused when it joins.

mod args;
mod commands;
mod exit;
mod logging;
mod progress;
mod registry;
mod run_observer;

use std::process::ExitCode;

use clap::Parser;

pub use registry::Registries;

/// Runs the `caliper` command with the built-in parts: what the `caliper` binary's `main`
/// does. Returns the command's exit code (0 success, 1 run failed, 2 configuration error,
/// 3 a round failed, 130 interrupted).
pub fn run() -> ExitCode {
    run_with(Registries::builtin())
}

/// Runs the `caliper` command (command line from this process's arguments) with the parts in
/// `registries`, and returns its exit code.
pub fn run_with(registries: Registries) -> ExitCode {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Launch { role: args::Role::Manager(s) } => {
            commands::launch_manager::run(s.settings, &registries)
        }
        args::Command::Launch { role: args::Role::Worker(s) } => {
            commands::launch_worker::run(s.settings, &registries)
        }
        args::Command::Check(c) => commands::check::run(c.settings.settings, c.output, &registries),
        args::Command::Compare(c) => commands::compare::run(&c),
        args::Command::Bind(s) => commands::bind::run_bind(s.settings, &registries),
        args::Command::Unbind(s) => commands::bind::run_unbind(s.settings, &registries),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
