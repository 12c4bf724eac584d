//! Newline-delimited JSON over byte streams: one envelope per line (JSON text never contains
//! a raw newline), with a bound on a line's length so a runaway peer cannot exhaust memory.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::message::Envelope;

/// The longest line accepted: final statistics with histograms and a long series stay far
/// below it.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// Reads envelopes line by line; a line that is not an envelope is logged and skipped.
pub fn read_envelopes<R: AsyncRead + Unpin>(reader: R) -> impl futures::Stream<Item = Envelope> {
    use futures::StreamExt;
    read_sized_envelopes(reader).map(|(env, _)| env)
}

/// Reads envelopes with the length of their line in bytes. A bad line (not JSON, not an
/// envelope, not UTF-8, or longer than [`MAX_LINE`]) is logged and skipped: it never ends the
/// stream, which ends only when the reader does.
pub fn read_sized_envelopes<R: AsyncRead + Unpin>(
    reader: R,
) -> impl futures::Stream<Item = (Envelope, usize)> {
    let state = (BufReader::new(reader), Vec::new());
    futures::stream::unfold(state, |(mut reader, mut buf)| async move {
        loop {
            match next_line(&mut reader, &mut buf, MAX_LINE).await {
                Ok(Some(Frame::Line)) => {
                    if let Some(env) = decode_line(&buf) {
                        return Some((env, (reader, buf)));
                    }
                }
                Ok(Some(Frame::TooLong(len))) => {
                    tracing::warn!("ignoring a message of {len} bytes or more (the limit is {MAX_LINE})");
                }
                Ok(None) => return None,
                Err(err) => {
                    tracing::warn!("the message stream broke: {err}");
                    return None;
                }
            }
        }
    })
}

/// One envelope from a line, with its length on the wire; `None` (logged) when it is not one.
fn decode_line(line: &[u8]) -> Option<(Envelope, usize)> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    match serde_json::from_slice::<Envelope>(line) {
        Ok(env) => Some((env, line.len() + 1)),
        Err(err) => {
            let shown: String = String::from_utf8_lossy(&line[..line.len().min(120)]).into_owned();
            tracing::warn!("ignoring a malformed message ({err}): {shown}");
            None
        }
    }
}

/// What [`next_line`] found.
#[derive(Debug, PartialEq)]
enum Frame {
    /// A line, now in the buffer (without its newline).
    Line,
    /// A line longer than the limit, discarded; at least this many bytes long.
    TooLong(usize),
}

/// Reads the next line into `buf` without ever holding more than `max` bytes of it: the rest
/// of a longer line is read and dropped, so a runaway peer cannot exhaust memory. `None` at
/// the end of the stream.
async fn next_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<Frame>> {
    buf.clear();
    let mut dropped = 0usize;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            // The end: a last line without its newline still counts.
            return Ok(match (dropped, buf.is_empty()) {
                (0, true) => None,
                (0, false) => Some(Frame::Line),
                (n, _) => Some(Frame::TooLong(n)),
            });
        }
        let (chunk, used, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (&available[..at], at + 1, true),
            None => (available, available.len(), false),
        };
        if dropped == 0 && buf.len() + chunk.len() <= max {
            buf.extend_from_slice(chunk);
        } else {
            dropped += buf.len() + chunk.len();
            buf.clear();
        }
        reader.consume(used);
        if done {
            return Ok(Some(if dropped == 0 { Frame::Line } else { Frame::TooLong(dropped) }));
        }
    }
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

#[cfg(test)]
mod tests {
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;

    use super::*;
    use crate::message::{ALL, Message};

    fn good() -> String {
        encode(&Envelope::new("m", vec![ALL.into()], Message::Register { connector: None }))
    }

    #[tokio::test]
    async fn bad_lines_are_skipped_and_the_stream_goes_on() {
        // Before, the first non-UTF-8 line ended the stream (the codec's error stopped it),
        // cutting a worker off from its manager.
        let input = format!("{}not json\n\n{{\"type\":\"nope\"}}\n", good()).into_bytes();
        let input = [input, b"\xff\xfe\n".to_vec(), good().into_bytes(), b"{\"sender\":".to_vec()].concat();
        let got: Vec<_> = read_sized_envelopes(&input[..]).collect().await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].1, good().len());
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_dropped_without_holding_it() {
        let long = [vec![b'x'; 100], b"\nok\n".to_vec(), vec![b'y'; 50]].concat();
        let mut reader = BufReader::with_capacity(16, &long[..]);
        let mut buf = Vec::new();
        assert_eq!(next_line(&mut reader, &mut buf, 40).await.unwrap(), Some(Frame::TooLong(100)));
        assert!(buf.capacity() <= 64, "never held the long line: {}", buf.capacity());
        assert_eq!(next_line(&mut reader, &mut buf, 40).await.unwrap(), Some(Frame::Line));
        assert_eq!(buf, b"ok");
        assert_eq!(next_line(&mut reader, &mut buf, 40).await.unwrap(), Some(Frame::TooLong(50)));
        assert_eq!(next_line(&mut reader, &mut buf, 40).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_100_mb_line_is_skipped_over_a_pipe() {
        let (mut tx, rx) = tokio::io::duplex(64 * 1024);
        let writer = tokio::spawn(async move {
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..100 {
                tx.write_all(&chunk).await.unwrap();
            }
            tx.write_all(format!("\n{}", good()).as_bytes()).await.unwrap();
        });
        let got: Vec<_> = read_envelopes(rx).collect().await;
        writer.await.unwrap();
        assert_eq!(got.len(), 1, "the envelope after the long line arrives");
    }
}
