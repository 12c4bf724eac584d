//! `logging`: every finished transaction as one JSON line in the log, as Caliper's logging
//! observer writes it: `{"status": {...}, "workerIndex": 0, "roundIndex": 1}`.

use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::settings::Settings;
use caliper_core::tx_observer::{
    ObservedRound, ObserverError, ObserverOptionError, TxObserver, TxObserverFactory,
};
use serde_json::{Map, Value, json};
use tracing::Level;

use crate::options::{Options, invalid};

/// The log target of the transaction lines (`RUST_LOG=caliper::tx=off` silences them).
pub const TARGET: &str = "caliper::tx";

const LEVELS: [(&str, Level); 6] = [
    ("error", Level::ERROR),
    ("warn", Level::WARN),
    ("info", Level::INFO),
    ("verbose", Level::DEBUG),
    ("debug", Level::DEBUG),
    ("trace", Level::TRACE),
];

/// The factory of `logging` observers.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoggingFactory;

struct LoggingOptions {
    logger: String,
    level: Level,
}

fn read(map: &Map<String, Value>) -> Result<LoggingOptions, Vec<ObserverOptionError>> {
    let mut o = Options::new(map, &["loggerModuleName", "messageLevel"]);
    let logger = o.string("loggerModuleName").unwrap_or_else(|| "txInfo".to_string());
    let level = match o.string("messageLevel") {
        None => Level::INFO,
        Some(name) => match LEVELS.iter().find(|(n, _)| *n == name) {
            Some((_, level)) => *level,
            None => {
                let names: Vec<&str> = LEVELS.iter().map(|(n, _)| *n).collect();
                o.error(
                    ".messageLevel",
                    format!("unknown level \"{name}\"; expected one of: {}", names.join(", ")),
                );
                Level::INFO
            }
        },
    };
    o.done(LoggingOptions { logger, level })
}

#[async_trait]
impl TxObserverFactory for LoggingFactory {
    fn name(&self) -> &'static str {
        "logging"
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), Vec<ObserverOptionError>> {
        read(options).map(|_| ())
    }

    async fn create(
        &self,
        options: &Map<String, Value>,
        _settings: &Settings,
        round: &ObservedRound,
    ) -> Result<Arc<dyn TxObserver>, ObserverError> {
        let options = read(options).map_err(|errors| invalid("logging", errors))?;
        Ok(Arc::new(LoggingObserver { options, worker: round.worker_index, round: round.round_index }))
    }
}

struct LoggingObserver {
    options: LoggingOptions,
    worker: usize,
    round: usize,
}

#[async_trait]
impl TxObserver for LoggingObserver {
    fn txs_submitted(&self, _count: u64) {}

    fn txs_finished(&self, statuses: &[TxStatus]) {
        let logger = self.options.logger.as_str();
        for status in statuses {
            let line = json!({"status": status, "workerIndex": self.worker, "roundIndex": self.round});
            match self.options.level {
                Level::ERROR => tracing::error!(target: TARGET, logger, "{line}"),
                Level::WARN => tracing::warn!(target: TARGET, logger, "{line}"),
                Level::INFO => tracing::info!(target: TARGET, logger, "{line}"),
                Level::DEBUG => tracing::debug!(target: TARGET, logger, "{line}"),
                _ => tracing::trace!(target: TARGET, logger, "{line}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_caliper_s_and_mistakes_are_named() {
        let o = read(&Map::new()).ok().unwrap();
        assert_eq!((o.logger.as_str(), o.level), ("txInfo", Level::INFO));
        let bad = json!({"messageLevel": "loud", "loggerModule": "x"});
        let errors = read(bad.as_object().unwrap()).err().unwrap();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".loggerModule", ".messageLevel"]);
    }
}
