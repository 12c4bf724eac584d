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

/// Routine INFO lines of dependencies, quieted at the default levels: alloy's WebSocket service
/// announces every normal shutdown ("Pubsub service request channel closed"), once per worker
/// and round. `RUST_LOG` or a debug level shows them again.
const QUIETED: &[&str] = &["alloy_pubsub=warn"];

/// Installs the subscriber; `RUST_LOG` wins over `level`.
pub fn init(style: LogStyle, level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter(level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match style {
        LogStyle::Person => builder.with_target(false).with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogStyle::ForkedWorker => builder.without_time().with_ansi(false).with_target(false).try_init(),
    };
}

/// `level`, with the dependencies' routine lines quieted unless a finer level is asked for.
fn default_filter(level: &str) -> EnvFilter {
    let mut filter = EnvFilter::new(level);
    if matches!(level.trim().to_ascii_lowercase().as_str(), "info" | "warn" | "error" | "off") {
        for directive in QUIETED.iter().filter_map(|d| d.parse().ok()) {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloys_shutdown_line_is_quiet_at_info_and_shown_at_debug() {
        assert!(default_filter("info").to_string().contains("alloy_pubsub=warn"));
        assert!(!default_filter("debug").to_string().contains("alloy_pubsub"));
    }
}
