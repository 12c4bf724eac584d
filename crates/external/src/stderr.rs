//! The child's stderr is its log: each line goes to `tracing`, at the level its prefix names.
//!
//! The last lines are also kept, because a child that crashes usually says why on stderr just
//! before it goes, and the round's failure message should carry that.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::watch;

/// How many of the last lines are kept for failure messages.
const KEPT_LINES: usize = 5;
/// The longest line kept for a failure message, in characters.
const KEPT_CHARS: usize = 300;

/// The level a line's prefix names (`error:`, `warn:`, `info:`, `debug:`, `trace:`, any case),
/// and the text after it; other lines are `info`, whole.
pub fn level_of(line: &str) -> (tracing::Level, &str) {
    const PREFIXES: [(&str, tracing::Level); 5] = [
        ("error:", tracing::Level::ERROR),
        ("warn:", tracing::Level::WARN),
        ("info:", tracing::Level::INFO),
        ("debug:", tracing::Level::DEBUG),
        ("trace:", tracing::Level::TRACE),
    ];
    for (prefix, level) in PREFIXES {
        if line.len() >= prefix.len()
            && line.is_char_boundary(prefix.len())
            && line[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            return (level, line[prefix.len()..].trim_start());
        }
    }
    (tracing::Level::INFO, line)
}

/// The last lines a child wrote on stderr, and whether it has closed it.
#[derive(Clone)]
pub struct StderrTail {
    lines: Arc<Mutex<VecDeque<String>>>,
    closed: watch::Receiver<bool>,
}

impl StderrTail {
    /// Waits until the child closed its stderr, at most `limit` (a crashing child's last
    /// words may still be in the pipe when its stdout closes).
    pub async fn settle(&mut self, limit: std::time::Duration) {
        let _ = tokio::time::timeout(limit, self.closed.wait_for(|closed| *closed)).await;
    }

    /// `; last stderr lines: a | b` or nothing when it wrote none.
    pub fn suffix(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.is_empty() {
            return String::new();
        }
        let joined: Vec<&str> = lines.iter().map(String::as_str).collect();
        format!("; its last stderr lines: {}", joined.join(" | "))
    }
}

/// Relays `stderr` line by line until it closes; `program` and `worker` label every event.
pub fn relay(stderr: impl AsyncRead + Unpin + Send + 'static, program: Arc<str>, worker: i64) -> StderrTail {
    let lines = Arc::new(Mutex::new(VecDeque::with_capacity(KEPT_LINES)));
    let (closed_tx, closed) = watch::channel(false);
    let kept = lines.clone();
    tokio::spawn(async move {
        let mut reader = BufReader::new(stderr);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&buf);
            let line = text.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                continue;
            }
            let (level, message) = level_of(line);
            emit(level, &program, worker, message);
            let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
            if kept.len() == KEPT_LINES {
                kept.pop_front();
            }
            kept.push_back(message.chars().take(KEPT_CHARS).collect());
        }
        let _ = closed_tx.send(true);
    });
    StderrTail { lines, closed }
}

fn emit(level: tracing::Level, program: &str, worker: i64, message: &str) {
    use tracing::Level;
    // tracing's macros need the level at compile time.
    match level {
        Level::ERROR => tracing::error!(connector = program, worker, "{message}"),
        Level::WARN => tracing::warn!(connector = program, worker, "{message}"),
        Level::DEBUG => tracing::debug!(connector = program, worker, "{message}"),
        Level::TRACE => tracing::trace!(connector = program, worker, "{message}"),
        _ => tracing::info!(connector = program, worker, "{message}"),
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn prefixes_pick_the_level_in_any_case() {
        assert_eq!(level_of("ERROR: disk full"), (Level::ERROR, "disk full"));
        assert_eq!(level_of("Warn:slow"), (Level::WARN, "slow"));
        assert_eq!(level_of("debug: x"), (Level::DEBUG, "x"));
        assert_eq!(level_of("trace: y"), (Level::TRACE, "y"));
        assert_eq!(level_of("Info: z"), (Level::INFO, "z"));
        assert_eq!(level_of("connected to node"), (Level::INFO, "connected to node"));
        assert_eq!(level_of("errors: 3"), (Level::INFO, "errors: 3"));
        assert_eq!(level_of("wé"), (Level::INFO, "wé"));
    }

    #[tokio::test]
    async fn the_last_lines_are_kept_for_failure_messages() {
        let text: &[u8] = b"one\nerror: two\n\nthree\nfour\nfive\nsix";
        let mut tail = relay(text, Arc::from("test"), 0);
        tail.settle(std::time::Duration::from_secs(5)).await;
        assert_eq!(tail.suffix(), "; its last stderr lines: two | three | four | five | six");
    }
}
