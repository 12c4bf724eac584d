//! The command line: Caliper's commands, with every `--caliper-*` setting passed through to
//! the settings layer.

use clap::{Parser, Subcommand};

/// caliper-rs: a performance benchmark framework for blockchains and other distributed
/// systems, compatible with Hyperledger Caliper's configuration files and command line.
#[derive(Debug, Parser)]
#[command(name = "caliper", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Launch a manager or a worker.
    Launch {
        /// Which.
        #[command(subcommand)]
        role: Role,
    },
}

/// What `launch` starts.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Run a benchmark: start, init, install, the rounds with local workers, end; then report.
    #[command(after_help = SETTINGS_HELP)]
    Manager(Settings),
    /// Run a worker that serves a manager (the manager starts its local workers with this).
    #[command(after_help = SETTINGS_HELP)]
    Worker(Settings),
}

/// Settings given on the command line.
#[derive(Debug, clap::Args)]
pub struct Settings {
    /// Any Caliper setting, as `--caliper-<key> <value>`, `--caliper-<key>=<value>`, a bare
    /// `--caliper-<flag>` (true) or `--no-caliper-<flag>` (false).
    #[arg(value_name = "--caliper-KEY VALUE", trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub settings: Vec<String>,
}

const SETTINGS_HELP: &str = "\
Common settings (also in caliper.yaml or as CALIPER_* environment variables):
  --caliper-workspace <dir>        root of every relative path (default ./)
  --caliper-benchconfig <file>     the benchmark configuration (required)
  --caliper-networkconfig <file>   the network configuration (required)
  --caliper-report-json <file>     the results file (default results.json)
  --caliper-flow-skip-<phase>      skip start, init, install, test or end
  --caliper-flow-only-<phase>      run only that phase
Every setting, with its default: docs/configuration.md.
Exit codes: 0 every round passed; 1 the run failed; 2 configuration error; 3 a round failed; 130 interrupted.";
