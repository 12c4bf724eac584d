//! The writer thread of one export file: takes chunks of lines from a bounded channel,
//! compresses them as the file's extension says, and writes them.
//!
//! A thread of its own, not a task: compression is CPU work that must not stall the worker's
//! runtime, and a worker blocked on a full channel (`onFull: block`) must not be what the
//! writer needs to make progress.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;

/// How the file is compressed, from its last extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Plain text.
    None,
    /// `.gz`: one gzip member (flate2, level 1: the fastest; the lines compress well anyway).
    Gzip,
    /// `.zst`: one zstd frame (level 1, the fastest standard level).
    Zstd,
}

impl Compression {
    /// The name written in results.json (`None` for plain text).
    pub(crate) fn name(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Zstd => Some("zstd"),
        }
    }
}

/// A chunk of whole lines.
pub(crate) struct Chunk {
    /// The lines' bytes.
    pub(crate) bytes: Vec<u8>,
    /// How many lines.
    pub(crate) lines: u64,
}

/// What the writer did, once the channel closed.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Lines written.
    pub(crate) lines: u64,
    /// Lines received after a write failed: lost.
    pub(crate) lost: u64,
    /// Bytes in the file.
    pub(crate) bytes: u64,
    /// The first failure.
    pub(crate) error: Option<String>,
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn open(path: &Path, compression: Compression) -> std::io::Result<Sink> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        // Smaller than a full chunk of lines (about 80 KiB), so a plain file's chunks go to the
        // file without a copy; the encoders' small outputs are gathered.
        let file = BufWriter::with_capacity(64 * 1024, File::create(path)?);
        Ok(match compression {
            Compression::None => Sink::Plain(file),
            Compression::Gzip => Sink::Gzip(flate2::write::GzEncoder::new(file, flate2::Compression::fast())),
            Compression::Zstd => Sink::Zstd(zstd::Encoder::new(file, 1)?),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(bytes),
            Sink::Gzip(w) => w.write_all(bytes),
            Sink::Zstd(w) => w.write_all(bytes),
        }
    }

    /// Ends the compressed stream and flushes everything to the file.
    fn finish(self) -> std::io::Result<()> {
        let mut file = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
            Sink::Zstd(w) => w.finish()?,
        };
        file.flush()
    }
}

/// The writer of one file, started.
pub(crate) struct Writer {
    handle: JoinHandle<Written>,
}

impl Writer {
    /// Creates the file (and its folder) and writes `header`; then writes every chunk that
    /// arrives on `chunks` until it closes, handing the emptied buffers back on `spare`.
    pub(crate) fn start(
        path: PathBuf,
        compression: Compression,
        header: String,
        chunks: Receiver<Chunk>,
        spare: SyncSender<Vec<u8>>,
    ) -> std::io::Result<Writer> {
        let mut sink = Sink::open(&path, compression)?;
        sink.write_all(header.as_bytes())?;
        let handle = std::thread::Builder::new()
            .name("caliper-export".into())
            .spawn(move || write_all(sink, &path, chunks, spare))?;
        Ok(Writer { handle })
    }

    /// Waits for the writer to write what it was sent (the senders must be dropped first).
    pub(crate) fn join(self) -> Written {
        self.handle.join().unwrap_or_else(|_| Written {
            error: Some("the export writer thread panicked".into()),
            ..Written::default()
        })
    }
}

fn write_all(mut sink: Sink, path: &Path, chunks: Receiver<Chunk>, spare: SyncSender<Vec<u8>>) -> Written {
    let mut written = Written::default();
    for mut chunk in chunks {
        if written.error.is_none() {
            match sink.write_all(&chunk.bytes) {
                Ok(()) => written.lines += chunk.lines,
                Err(e) => {
                    written.lost += chunk.lines;
                    written.error = Some(format!("writing {} failed: {e}", path.display()));
                }
            }
        } else {
            written.lost += chunk.lines;
        }
        chunk.bytes.clear();
        // The pool is full when the worker allocated while the writer was behind: let it go.
        let _ = spare.try_send(chunk.bytes);
    }
    if written.error.is_none()
        && let Err(e) = sink.finish()
    {
        written.error = Some(format!("finishing {} failed: {e}", path.display()));
    }
    written.bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    written
}
