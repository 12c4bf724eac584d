//! The command line: Caliper's commands, with every `--caliper-*` setting passed through to
//! the settings layer.

use std::path::PathBuf;

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
    /// Check a workspace as a run would, and print what the run would do; starts nothing.
    ///
    /// The same checks as `launch manager` makes before its start command, then the plan: the
    /// connector, workers and messenger, each round, and the start and end commands (not run).
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Compare two results files round by round, and fail on a regression.
    ///
    /// Rounds are matched by label (the n-th occurrence with the n-th). Each matched round shows
    /// its status, send rate, throughput, latency p50/p95/p99 and fail rate in both runs with the
    /// change, judged against relative thresholds; absolute checks judge the current run alone.
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
    /// Install what a connector needs into the workspace (Caliper's bind).
    ///
    /// Looks up `--caliper-bind-sut sut:sdk` in the binding file and runs its installer (npm,
    /// pip or cargo); a built-in Rust connector needs nothing. What is installed is recorded in
    /// `<workspace>/.caliper/binding.json`.
    #[command(after_help = BIND_HELP)]
    Bind(Settings),
    /// Remove what `caliper bind` installed in the workspace (Caliper's unbind).
    ///
    /// Removes exactly the packages that `.caliper/binding.json` records for
    /// `--caliper-bind-sut sut[:sdk]`, and updates the record.
    #[command(after_help = BIND_HELP)]
    Unbind(Settings),
}

/// The arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The results file of the reference run.
    #[arg(value_name = "BASELINE.json")]
    pub baseline: PathBuf,
    /// The results file of the run to judge.
    #[arg(value_name = "CURRENT.json")]
    pub current: PathBuf,
    /// How far a figure may get worse before it is a regression, replacing its default:
    /// `latency.p99=+10%`, `throughput=-5%`, `failRate=+2pp`, `latency.p50=+20ms`,
    /// `sendRate=off`. A figure with no default (`latency.avg`, `succ`, ...) is added. Repeatable.
    #[arg(long = "threshold", value_name = "FIGURE=LIMIT")]
    pub thresholds: Vec<String>,
    /// An absolute check on the current run, in k6's syntax: `p(99)<2` (seconds, or `500ms`),
    /// `throughput>=900`, `failRate<0.01` (or `1%`); `LABEL:` limits it to the rounds with
    /// that label (`open:p(95)<0.5`). Repeatable.
    #[arg(long = "check", value_name = "[LABEL:]EXPR")]
    pub checks: Vec<String>,
    /// What to print: a console table, Markdown for a pull-request comment, or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The formats of `compare --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A console table in Caliper's style.
    Table,
    /// A Markdown table, for a pull-request comment.
    Markdown,
    /// One JSON document with every figure, limit and verdict.
    Json,
}

/// The arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// How to print the plan: `text` for a person, `json` for a program (also when the
    /// workspace is wrong: `{"valid": false, "errors": [...]}`).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// The settings, as for `launch manager`.
    #[command(flatten)]
    pub settings: Settings,
}

/// The formats of `check --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Lines for a person.
    Text,
    /// One JSON document.
    Json,
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

const CHECK_HELP: &str = "\
Checks everything a run checks before its start command, with the same settings and files:
the settings, the benchmark and network configuration, the connector's section, every
round's rate controller (for every worker), workload module (JavaScript files are compiled)
and workload arguments. Nothing is started: no start or end command, no connector, no worker.
  caliper check --caliper-workspace <dir> [--caliper-<key> <value> ...] [--output json]
Every mistake is printed, one per line, with the file, line and key path.
Exit codes: 0 the workspace is valid; 2 it is not (configuration error).";

const COMPARE_HELP: &str = "\
Default thresholds: sendRate=-10%, throughput=-10%, latency.p50=+10%, latency.p95=+10%,
latency.p99=+10%, failRate=+1pp. A round that passed in the baseline and failed or did not
run now is a regression; a round in one file only is listed as added or removed.
A warning says when the runs did not send the same load (rate controller, txNumber,
txDuration, worker count, or send rates more than 5 % apart).
  caliper compare base.json results.json --threshold latency.p99=+5% --check 'p(95)<2'
Exit codes: 0 every threshold and check held; 1 a regression or a failed check;
2 bad input (a file missing, not JSON or of another schema version; a bad threshold or check).
More: docs/reports.md.";

const BIND_HELP: &str = "\
Settings (also in caliper.yaml or as CALIPER_BIND_* environment variables), each at most once:
  --caliper-bind-sut <sut:sdk>     what to bind, such as fabric:2.5 (a missing sdk means latest)
  --caliper-bind-args=<args>       installer arguments, such as --caliper-bind-args=--offline
  --caliper-bind-cwd <dir>         where npm runs (relative to the current directory; default: the workspace)
  --caliper-bind-file <file>       a binding file instead of the built-in one (relative to the workspace)
  --caliper-bind-dryrun            print the commands and where they would run, run nothing
  --caliper-workspace <dir>        the workspace (default ./)
Built in: ethereum, besu and sim (Rust, nothing to install); fabric and node-ethereum (Caliper's
JavaScript connectors, installed with npm). More: docs/binding.md.
Exit codes: 0 done (or nothing to do); 1 an installer or runtime is missing or too old;
2 wrong settings or binding file (unknown SUT or SDK); otherwise the failed installer's exit code.";

const SETTINGS_HELP: &str = "\
Common settings (also in caliper.yaml or as CALIPER_* environment variables):
  --caliper-workspace <dir>        root of every relative path (default ./)
  --caliper-benchconfig <file>     the benchmark configuration (required)
  --caliper-networkconfig <file>   the network configuration (required)
  --caliper-report-json <file>     the results file (default results.json)
  --caliper-flow-skip-<phase>      skip start, init, install, test or end
  --caliper-flow-only-<phase>      run only that phase
Every setting, with its default: docs/configuration.md.
`caliper check` with the same settings checks the files and prints the plan, running nothing.
Exit codes: 0 every round passed; 1 the run failed; 2 configuration error; 3 a round failed; 130 interrupted.";
