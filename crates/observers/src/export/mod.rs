//! `export`: every finished transaction as one line of a file, per worker and round (CSV or
//! JSON lines, plain, gzip or zstd by the file's extension).
//!
//! The worker formats each line into a chunk under the collector's lock (no allocation per
//! transaction); full chunks go through a bounded channel to a writer thread that compresses
//! and writes them, so memory stays bounded whatever the round's length. When the writer falls
//! behind and the channel is full, `onFull` decides: `block` (the default) makes the worker
//! wait, so no line is lost and the wait shows in results.json (`waitedS`) and in the
//! corrected latencies; `drop` throws the chunk away and counts its lines (`dropped`).
//!
//! Each worker writes its own file on its own machine: a remote (MQTT) worker's file is under
//! its own workspace, and the manager learns only the path and the counts.

mod line;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::connector::ErrorClass;
use caliper_core::settings::Settings;
use caliper_core::tx_observer::{
    ExportedFile, ObservedRound, ObserverError, ObserverOptionError, TxObserver, TxObserverFactory,
};
use serde_json::{Map, Value};

use crate::options::{Options, invalid};
use line::Format;
use writer::{Chunk, Compression, Writer};

/// The default of `buffer`: lines held in memory at most (about 8 MiB of CSV).
const DEFAULT_BUFFER: u64 = 65_536;
/// Lines per chunk sent to the writer: large enough that the channel costs nothing per line.
const CHUNK_LINES: u64 = 1024;

/// The factory of `export` observers.
///
/// It counts the observers it created for each round index and `path`: a `peak-search` round
/// runs each step as a sub-round with the round's index, and each step after the first gets a
/// file of its own (`-step<N>`) instead of replacing the previous step's.
#[derive(Debug, Default)]
pub struct ExportFactory {
    created: Mutex<HashMap<(usize, String), usize>>,
}

impl ExportFactory {
    /// How many observers of `path` were created before for `round` (the step of a peak
    /// search).
    fn step_of(&self, round: usize, path: &str) -> usize {
        let mut created = self.created.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = created.entry((round, path.to_string())).or_default();
        *n += 1;
        *n - 1
    }
}

/// What to do when the writer cannot keep up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnFull {
    Block,
    Drop,
}

#[derive(Debug, Clone, PartialEq)]
struct ExportOptions {
    path: String,
    format: Format,
    compression: Compression,
    buffer: u64,
    on_full: OnFull,
}

/// The format and compression a path's extensions name, and the length of those extensions
/// (`.csv.zst`: 8).
fn kind_of(path: &str) -> Option<(Format, Compression, usize)> {
    let lower = path.to_ascii_lowercase();
    let (rest, compression) = if let Some(rest) = lower.strip_suffix(".gz") {
        (rest, Compression::Gzip)
    } else if let Some(rest) = lower.strip_suffix(".zst") {
        (rest, Compression::Zstd)
    } else {
        (lower.as_str(), Compression::None)
    };
    let format = if rest.ends_with(".csv") {
        Format::Csv
    } else if rest.ends_with(".jsonl") {
        Format::JsonLines
    } else {
        return None;
    };
    let ext = rest.rfind('.').map_or(0, |dot| lower.len() - dot);
    Some((format, compression, ext))
}

fn read(map: &Map<String, Value>) -> Result<ExportOptions, Vec<ObserverOptionError>> {
    let mut o = Options::new(map, &["path", "buffer", "onFull"]);
    let path = o.string("path");
    let kind = match &path {
        None => {
            o.error(".path", "required: the file to write, such as transactions.csv or tx.jsonl.zst");
            None
        }
        Some(p) => {
            let kind = kind_of(p);
            if kind.is_none() {
                o.error(
                    ".path",
                    format!("\"{p}\" must end in .csv or .jsonl, optionally followed by .gz or .zst"),
                );
            }
            kind
        }
    };
    let buffer = o.integer("buffer", 1, 10_000_000).unwrap_or(DEFAULT_BUFFER);
    let on_full = match o.string("onFull").as_deref() {
        None | Some("block") => OnFull::Block,
        Some("drop") => OnFull::Drop,
        Some(other) => {
            o.error(".onFull", format!("unknown value \"{other}\"; expected block or drop"));
            OnFull::Block
        }
    };
    match (path, kind) {
        (Some(path), Some((format, compression, _))) => {
            o.done(ExportOptions { path, format, compression, buffer, on_full })
        }
        _ => Err(o.errors),
    }
}

/// A label as it may appear in a file name.
fn file_safe(label: &str) -> String {
    label.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

/// The file of one worker and round: `{worker}`, `{round}` and `{label}` replaced; a path
/// without `{worker}` gets `-worker<N>`, and one without `{round}` or `{label}` gets
/// `-round<N>`, before its extensions, so no two workers or rounds share a file; step `N` > 0
/// of a peak search gets `-step<N>`. A relative path is under the worker's workspace.
fn file_of(path: &str, workspace: &Path, round: &ObservedRound, step: usize) -> PathBuf {
    let ext_len = kind_of(path).map_or(0, |(_, _, ext)| ext);
    let (stem, ext) = path.split_at(path.len() - ext_len);
    let mut name = stem.to_string();
    if !path.contains("{round}") && !path.contains("{label}") {
        name.push_str("-round{round}");
    }
    if !path.contains("{worker}") {
        name.push_str("-worker{worker}");
    }
    if step > 0 {
        name.push_str(&format!("-step{step}"));
    }
    name.push_str(ext);
    let name = name
        .replace("{worker}", &round.worker_index.to_string())
        .replace("{round}", &round.round_index.to_string())
        .replace("{label}", &file_safe(&round.round_label));
    workspace.join(name)
}

#[async_trait]
impl TxObserverFactory for ExportFactory {
    fn name(&self) -> &'static str {
        "export"
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), Vec<ObserverOptionError>> {
        read(options).map(|_| ())
    }

    async fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
        round: &ObservedRound,
    ) -> Result<Arc<dyn TxObserver>, ObserverError> {
        let options = read(options).map_err(|errors| invalid("export", errors))?;
        let path = file_of(
            &options.path,
            settings.workspace(),
            round,
            self.step_of(round.round_index, &options.path),
        );
        let chunk_lines = options.buffer.min(CHUNK_LINES);
        let capacity = (options.buffer / chunk_lines).max(1) as usize;
        let (chunks, received) = mpsc::sync_channel(capacity);
        let (give_back, spare) = mpsc::sync_channel(capacity + 1);
        let writer =
            Writer::start(path.clone(), options.compression, options.format.header(), received, give_back)
                .map_err(|e| ObserverError {
                    module: "export".into(),
                    message: format!(
                        "cannot create {} (options.path \"{}\"): {e}; check that the folder is writable",
                        path.display(),
                        options.path
                    ),
                })?;
        tracing::debug!(path = %path.display(), "exporting every transaction");
        Ok(Arc::new(ExportObserver {
            format: options.format,
            compression: options.compression,
            on_full: options.on_full,
            chunk_lines,
            worker: round.worker_index,
            round: round.round_index,
            path,
            state: Mutex::new(State {
                buf: Vec::with_capacity(chunk_lines as usize * 128),
                lines: 0,
                chunks: Some(chunks),
                spare,
                writer: Some(writer),
                dropped: 0,
                abandoned: 0,
                waited: Duration::ZERO,
                report: None,
            }),
        }))
    }
}

/// The observer of one worker's round.
struct ExportObserver {
    format: Format,
    compression: Compression,
    on_full: OnFull,
    chunk_lines: u64,
    worker: usize,
    round: usize,
    path: PathBuf,
    state: Mutex<State>,
}

/// Everything that changes, under one lock (uncontended: the collector's lock is held around
/// every call on the hot path).
struct State {
    /// The chunk being filled.
    buf: Vec<u8>,
    /// Lines in it.
    lines: u64,
    /// To the writer; `None` once the round is over.
    chunks: Option<SyncSender<Chunk>>,
    /// Emptied buffers back from the writer.
    spare: Receiver<Vec<u8>>,
    writer: Option<Writer>,
    dropped: u64,
    abandoned: u64,
    waited: Duration,
    report: Option<ExportedFile>,
}

impl ExportObserver {
    /// About the size of a full chunk (a CSV line of the sim is about 80 bytes).
    fn chunk_bytes(&self) -> usize {
        self.chunk_lines as usize * 128
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sends the chunk being filled to the writer; `last` blocks whatever `onFull` says (the
    /// round is over, nothing is left to slow down).
    fn ship(&self, st: &mut State, last: bool) {
        if st.lines == 0 {
            return;
        }
        // A buffer back from the writer, or a new one sized for a whole chunk (no regrowth).
        let next = st.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.chunk_bytes()));
        let chunk =
            Chunk { bytes: std::mem::replace(&mut st.buf, next), lines: std::mem::take(&mut st.lines) };
        let Some(chunks) = &st.chunks else {
            st.dropped += chunk.lines;
            return;
        };
        match chunks.try_send(chunk) {
            Ok(()) => {}
            Err(TrySendError::Full(chunk)) if last || self.on_full == OnFull::Block => {
                let waiting = Instant::now();
                let lines = chunk.lines;
                if chunks.send(chunk).is_err() {
                    st.dropped += lines;
                }
                st.waited += waiting.elapsed();
            }
            Err(TrySendError::Full(mut chunk)) => {
                st.dropped += chunk.lines;
                chunk.bytes.clear();
                st.buf = chunk.bytes;
            }
            // The writer thread is gone (it panicked): nothing more can be written.
            Err(TrySendError::Disconnected(chunk)) => st.dropped += chunk.lines,
        }
    }
}

#[async_trait]
impl TxObserver for ExportObserver {
    fn txs_submitted(&self, _count: u64) {}

    fn txs_finished(&self, statuses: &[TxStatus]) {
        let mut st = self.lock();
        for tx in statuses {
            line::write(&mut st.buf, self.format, self.worker, self.round, tx);
            st.lines += 1;
            if st.lines >= self.chunk_lines {
                self.ship(&mut st, false);
            }
        }
    }

    fn txs_abandoned(&self, count: u64, _class: ErrorClass) {
        self.lock().abandoned += count;
    }

    async fn deactivate(&self) {
        let writer = {
            let mut st = self.lock();
            self.ship(&mut st, true);
            st.chunks = None;
            st.writer.take()
        };
        let Some(writer) = writer else { return };
        let written = tokio::task::spawn_blocking(move || writer.join()).await.unwrap_or_else(|e| {
            writer::Written { error: Some(format!("the export writer failed: {e}")), ..Default::default() }
        });
        let mut st = self.lock();
        let report = ExportedFile {
            worker: self.worker,
            path: self.path.display().to_string(),
            format: self.format.name().into(),
            compression: self.compression.name().map(Into::into),
            lines: written.lines,
            dropped: st.dropped + written.lost,
            abandoned: st.abandoned,
            bytes: written.bytes,
            waited_s: st.waited.as_secs_f64(),
            error: written.error,
        };
        match (&report.error, report.dropped) {
            (Some(error), _) => tracing::error!("export: {error}; {} line(s) lost", report.dropped),
            (None, 0) => tracing::info!("export: {} transaction(s) written to {}", report.lines, report.path),
            (None, n) => tracing::warn!(
                "export: {} transaction(s) written to {}, {n} dropped because the disk did not keep up (onFull: drop)",
                report.lines,
                report.path
            ),
        }
        st.report = Some(report);
    }

    fn exported(&self) -> Option<ExportedFile> {
        self.lock().report.clone()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn options(v: Value) -> Result<ExportOptions, Vec<String>> {
        read(v.as_object().unwrap()).map_err(|e| e.iter().map(|e| e.path.clone()).collect())
    }

    #[test]
    fn the_extension_chooses_format_and_compression() {
        let o = options(json!({"path": "out/tx.CSV.zst"})).unwrap();
        assert_eq!(
            (o.format, o.compression, o.buffer, o.on_full),
            (Format::Csv, Compression::Zstd, DEFAULT_BUFFER, OnFull::Block)
        );
        let o = options(json!({"path": "tx.jsonl.gz", "buffer": 10, "onFull": "drop"})).unwrap();
        assert_eq!(
            (o.format, o.compression, o.buffer, o.on_full),
            (Format::JsonLines, Compression::Gzip, 10, OnFull::Drop)
        );
        assert_eq!(options(json!({"path": "tx.jsonl"})).unwrap().compression, Compression::None);
    }

    #[test]
    fn every_mistake_is_named() {
        assert_eq!(options(json!({})).unwrap_err(), [".path"]);
        assert_eq!(
            options(json!({"path": "tx.txt.gz", "buffer": 0, "onFull": "wait", "paht": 1})).unwrap_err(),
            [".paht", ".path", ".buffer", ".onFull"]
        );
    }

    #[test]
    fn each_worker_and_round_has_its_own_file() {
        let round =
            ObservedRound { worker_index: 3, local: true, round_index: 1, round_label: "open a/b".into() };
        let ws = Path::new("/ws");
        assert_eq!(file_of("tx.csv.zst", ws, &round, 0), Path::new("/ws/tx-round1-worker3.csv.zst"));
        assert_eq!(
            file_of("out/{label}-{worker}.jsonl", ws, &round, 0),
            Path::new("/ws/out/open_a_b-3.jsonl")
        );
        assert_eq!(file_of("/abs/w{worker}.csv", ws, &round, 2), Path::new("/abs/w3-round1-step2.csv"));
        let factory = ExportFactory::default();
        let steps: Vec<usize> =
            [(0, "a.csv"), (1, "a.csv"), (1, "b.csv"), (1, "a.csv"), (1, "a.csv"), (2, "a.csv")]
                .iter()
                .map(|(r, p)| factory.step_of(*r, p))
                .collect();
        assert_eq!(steps, [0, 0, 0, 1, 2, 0], "repeats of a round and path are the steps of a peak search");
    }
}
