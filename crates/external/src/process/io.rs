//! The three tasks of a child: the writer (stdin), the reader (stdout) and the supervisor
//! (its exit).

use std::process::ExitStatus;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::{Notify, watch};

use super::state::Shared;
use crate::protocol::{ChildFrame, encode_send, encode_submit};
use crate::stderr::StderrTail;

/// How long the host waits for a child whose output closed to exit, before it kills it.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// How long the host waits for a dying child's last stderr lines.
const STDERR_GRACE: Duration = Duration::from_millis(500);
/// The longest excerpt of a bad line quoted in a message, in characters.
const EXCERPT: usize = 200;

/// Writes what is queued whenever woken: control frames first, then one `send` frame with
/// every request due, then one `submit` frame, requests and submit ticks together never more
/// outstanding than the child's `maxInFlight`. After an
/// `exit` frame it closes stdin.
pub(super) async fn write_loop(shared: Arc<Shared>, mut stdin: ChildStdin) {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut batch: Vec<(u64, Value)> = Vec::new();
    let mut ids: Vec<u64> = Vec::new();
    loop {
        shared.wake_writer.notified().await;
        loop {
            buf.clear();
            let exit = {
                let mut st = shared.lock();
                if st.dead.is_some() && !st.exit_queued {
                    return;
                }
                for frame in st.control.drain(..) {
                    buf.extend_from_slice(&frame);
                }
                let room = shared.max_in_flight.saturating_sub(st.written + st.submits_written);
                let n = room.min(st.outbox.len() as u64) as usize;
                if n > 0 {
                    if st.written == 0 {
                        st.waiting_since = Instant::now();
                    }
                    st.written += n as u64;
                    batch.extend(st.outbox.drain(..n));
                }
                let k = (room - n as u64).min(st.submits.len() as u64) as usize;
                st.submits_written += k as u64;
                ids.extend(st.submits.drain(..k));
                st.exit_queued
            };
            // Encoding (and dropping the requests) happens outside the lock.
            if !batch.is_empty() {
                encode_send(&mut buf, batch.iter().map(|(rid, request)| (*rid, request)));
                batch.clear();
            }
            if !ids.is_empty() {
                encode_submit(&mut buf, &ids);
                ids.clear();
            }
            if buf.is_empty() {
                break;
            }
            // A write error means the child is gone; the reader sees its output close.
            if stdin.write_all(&buf).await.is_err() || exit {
                return;
            }
        }
    }
}

/// How the child's output ended.
enum Ended {
    Closed,
    Unreadable(std::io::Error),
    Garbage(String),
    Protocol(String),
}

/// Reads frames until the child's output ends or breaks the protocol; then fails everything
/// outstanding with a message that names the program, its exit status and its last stderr
/// lines (unless the host itself was ending it).
pub(super) async fn read_loop(
    shared: Arc<Shared>,
    mut stdout: BufReader<ChildStdout>,
    mut exit: watch::Receiver<Option<ExitStatus>>,
    mut tail: StderrTail,
) {
    let mut line = Vec::with_capacity(64 * 1024);
    let ended = loop {
        line.clear();
        match stdout.read_until(b'\n', &mut line).await {
            Ok(0) => break Ended::Closed,
            Ok(_) => {}
            Err(e) => break Ended::Unreadable(e),
        }
        let bytes = line.strip_suffix(b"\n").unwrap_or(&line);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let frame: ChildFrame = match serde_json::from_slice(bytes) {
            Ok(frame) => frame,
            Err(e) => break Ended::Garbage(format!("{} ({e})", excerpt(bytes))),
        };
        if let Err(e) = shared.dispatch(frame) {
            break Ended::Protocol(format!("{e}, in {}", excerpt(bytes)));
        }
    };
    if shared.lock().closing {
        shared.fail_all(&format!("the {} was stopped", shared.label));
        return;
    }
    let (how, running) = match ended {
        Ended::Closed => (String::new(), false),
        Ended::Unreadable(e) => (format!("its output could not be read ({e}); "), true),
        Ended::Garbage(line) => (
            format!(
                "it wrote a line that is not a caliper-connector message on stdout (logs belong on stderr): {line}; "
            ),
            true,
        ),
        Ended::Protocol(e) => (format!("it broke the protocol: {e}; "), true),
    };
    if running {
        shared.kill.notify_one();
    }
    // Its exit status: a child whose output closed normally exits at once; otherwise it is
    // ended.
    let status = exit_status(&mut exit, EXIT_GRACE).await;
    if status.is_none() {
        shared.kill.notify_one();
    }
    tail.settle(STDERR_GRACE).await;
    let status = match status {
        Some(status) if running => format!("it was stopped ({status})"),
        Some(status) => format!("it {}", describe_exit(status)),
        None => "it closed its output but kept running, and was killed".to_string(),
    };
    let outstanding = shared.lock().requests.outstanding();
    let during = if outstanding > 0 {
        format!("; {outstanding} outstanding request(s) failed with class crashed")
    } else {
        String::new()
    };
    shared.fail_all(&format!("the {} crashed: {how}{status}{during}{}", shared.label, tail.suffix()));
}

/// Waits for the child's exit, or kills it when asked; publishes its exit status.
pub(super) async fn supervise(mut child: Child, kill: Arc<Notify>, exit: watch::Sender<Option<ExitStatus>>) {
    let status = tokio::select! {
        status = child.wait() => status,
        _ = kill.notified() => {
            let _ = child.start_kill();
            child.wait().await
        }
    };
    if let Ok(status) = status {
        let _ = exit.send(Some(status));
    }
}

/// The child's exit status, if it exits within `limit`.
pub(super) async fn exit_status(
    exit: &mut watch::Receiver<Option<ExitStatus>>,
    limit: Duration,
) -> Option<ExitStatus> {
    match tokio::time::timeout(limit, exit.wait_for(Option::is_some)).await {
        Ok(Ok(status)) => *status,
        _ => None,
    }
}

/// `exited with exit status: 3`, `was killed by signal: 9 (SIGKILL)`.
pub(super) fn describe_exit(status: ExitStatus) -> String {
    if status.code().is_some() { format!("exited with {status}") } else { format!("was killed ({status})") }
}

/// A line as quoted in a message: at most [`EXCERPT`] characters.
pub(super) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut short: String = text.chars().take(EXCERPT).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    format!("`{short}`")
}
