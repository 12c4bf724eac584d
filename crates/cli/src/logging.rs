//! Logging to stderr: readable for a person in the manager; one `LEVEL message` line per event
//! in a worker, which the manager re-emits labelled with the worker.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Where the log is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStyle {
    /// The manager, or any command a person runs.
    Person,
    /// A worker forked by the manager: its stderr is parsed by the manager.
    ForkedWorker,
}

/// Installs the subscriber; `RUST_LOG` wins over `level`.
pub fn init(style: LogStyle, level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match style {
        LogStyle::Person => builder.with_target(false).with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogStyle::ForkedWorker => builder.without_time().with_ansi(false).with_target(false).try_init(),
    };
}
