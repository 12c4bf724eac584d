//! Newline-delimited JSON over byte streams: one envelope per line (JSON text never contains
//! a raw newline), with a bound on a line's length so a runaway peer cannot exhaust memory.

use futures::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::{FramedRead, LinesCodec};

use crate::message::Envelope;

/// The longest line accepted: final statistics with histograms and a long series stay far
/// below it.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// Reads envelopes line by line; a line that is not an envelope is logged and skipped.
pub fn read_envelopes<R: AsyncRead + Unpin>(reader: R) -> impl futures::Stream<Item = Envelope> {
    read_sized_envelopes(reader).map(|(env, _)| env)
}

/// Reads envelopes with the length of their line in bytes.
pub fn read_sized_envelopes<R: AsyncRead + Unpin>(
    reader: R,
) -> impl futures::Stream<Item = (Envelope, usize)> {
    FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE)).filter_map(|line| async move {
        match line {
            Ok(line) if line.trim().is_empty() => None,
            Ok(line) => match serde_json::from_str::<Envelope>(&line) {
                Ok(env) => Some((env, line.len() + 1)),
                Err(err) => {
                    let shown: String = line.chars().take(120).collect();
                    tracing::warn!("ignoring a malformed message ({err}): {shown}");
                    None
                }
            },
            Err(err) => {
                tracing::warn!("ignoring an unreadable message: {err}");
                None
            }
        }
    })
}

/// One envelope as a line of JSON.
pub fn encode(envelope: &Envelope) -> String {
    let mut line = serde_json::to_string(envelope).unwrap_or_else(|err| {
        // Serialising our own types cannot fail short of a bug; say so rather than panic.
        tracing::error!("cannot serialise a {} message: {err}", envelope.message.kind());
        String::new()
    });
    line.push('\n');
    line
}

/// Writes lines until the channel closes or the stream breaks.
pub async fn write_lines<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut lines: tokio::sync::mpsc::UnboundedReceiver<std::sync::Arc<str>>,
) {
    while let Some(line) = lines.recv().await {
        if writer.write_all(line.as_bytes()).await.is_err() || writer.flush().await.is_err() {
            break;
        }
    }
    let _ = writer.shutdown().await;
}
