//! `caliper`: the binary. It parses the command line, wires the built-in connectors and
//! workloads into the engine, and turns the outcome into an exit code.

mod args;
mod commands;
mod exit;
mod logging;
mod progress;
mod registry;
mod run_observer;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Launch { role: args::Role::Manager(s) } => commands::launch_manager::run(s.settings),
        args::Command::Launch { role: args::Role::Worker(s) } => commands::launch_worker::run(s.settings),
        args::Command::Check(c) => commands::check::run(c.settings.settings, c.output),
        args::Command::Compare(c) => commands::compare::run(&c),
        args::Command::Bind(s) => commands::bind::run_bind(s.settings),
        args::Command::Unbind(s) => commands::bind::run_unbind(s.settings),
    };
    std::process::exit(code);
}
