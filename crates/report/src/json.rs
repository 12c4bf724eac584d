//! The results file: every figure of a run, for scripts, dashboards and `caliper compare`.
//!
//! The file is one JSON object in camelCase (schema version [`SCHEMA_VERSION`], every field
//! documented in `docs/results-json.md`). Within a schema version a field is never renamed or
//! removed, and new fields may be added; a reader should ignore fields it does not know. The
//! figures come from [`RoundSummary`], so they are the console's figures at full precision.
//! Times are in seconds, rates in transactions per second; a figure that is undefined (no
//! successful transaction, a rate over no time, a round that did not run) is `null`. Values
//! of configuration keys that name a secret (`privateKey`, `password`, ...) are replaced by
//! `<redacted>`.
//!
//! The file is written atomically: to `<path>.tmp`, then renamed, so a reader never sees half
//! a file and an interrupted write leaves the previous results in place.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use caliper_core::manager::{RoundOutcome, RoundStatus, RunOutcome, WorkerOutcome};
use caliper_core::monitor::MonitorReport;
use caliper_core::rate::PeakSearchOutcome;
use caliper_core::stats::{LatencySummary, ProcessUsage, RoundStats, RoundSummary, SecondBucket};
use caliper_core::tx_observer::ExportedFile;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ReportError;
use crate::redact::{redact, redact_map};

/// The version of the results file's schema, written as `schemaVersion`. It changes only when
/// a field is renamed or removed, or its meaning changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The name written as `tool.name`.
const TOOL_NAME: &str = "caliper-rs";

const MICROS_PER_SECOND: f64 = 1e6;

/// The whole results file.
///
/// A field added within a schema version must be `#[serde(default)]` at every level, so that
/// files written before it still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsFile {
    /// The schema version, [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// What wrote the file.
    pub tool: Tool,
    /// The run as a whole.
    pub run: RunInfo,
    /// The resolved benchmark configuration (the `test` and `monitors` objects).
    pub benchmark: Value,
    /// Every round, in order, including those that failed or did not run.
    pub rounds: Vec<RoundResult>,
}

/// The program that wrote a results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// `caliper-rs`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The run as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// `test.name`.
    pub name: String,
    /// `test.description`.
    pub description: Option<String>,
    /// `caliper.blockchain` (the connector).
    pub blockchain: String,
    /// The network configuration's `info` object.
    pub info: Map<String, Value>,
    /// The number of workers.
    pub workers: usize,
    /// Whether `test.workers.number` was `auto`: `workers` is then the number of cores the
    /// manager's process may use (affinity mask and cgroup CPU quota).
    #[serde(default)]
    pub workers_auto: bool,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// Whether the run was interrupted (Ctrl-C).
    pub interrupted: bool,
    /// An error that stopped the run outside any round.
    pub error: Option<String>,
    /// Whether every round passed and nothing interrupted or stopped the run.
    pub passed: bool,
}

/// How a round ended, as written in `rounds[].status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoundResultStatus {
    /// `passed`: every worker finished the round.
    Passed,
    /// `failed`: the round ran and failed; its figures are what was measured.
    Failed,
    /// `notRun`: the round did not run.
    NotRun,
}

/// One round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundResult {
    /// 0-based round index.
    pub index: usize,
    /// The round's label.
    pub label: String,
    /// The round's description.
    pub description: Option<String>,
    /// How the round ended.
    pub status: RoundResultStatus,
    /// Why the round failed or did not run; `null` when it passed.
    pub error: Option<String>,
    /// The round's configuration as given (`txNumber`/`txDuration`, `rateControl`, `workload`).
    pub config: Value,
    /// Wall time of the round's test phase, in seconds.
    pub duration_s: f64,
    /// Transactions submitted.
    pub submitted: u64,
    /// Transactions that succeeded.
    pub succ: u64,
    /// Transactions that failed (timed-out ones included).
    pub fail: u64,
    /// Caliper's send rate, tx/s: (succ + fail) / (last create − first create).
    pub send_rate: Option<f64>,
    /// Caliper's throughput, tx/s: (succ + fail) / (last finish − first create).
    pub throughput: Option<f64>,
    /// The most transactions any one worker had in flight at once.
    pub in_flight_peak: u64,
    /// Transactions held back by a worker's in-flight cap (sent late, or never).
    pub held_back: u64,
    /// Latency of successful transactions, creation to final state.
    pub latency: LatencyFigures,
    /// Latency of successful transactions from their intended send time (corrected for
    /// coordinated omission).
    pub corrected_latency: LatencyFigures,
    /// Latency of failed transactions that got an answer.
    pub failed_latency: LatencyFigures,
    /// Failed transactions by error class (`timeout`, `rejected`, ...).
    pub failures: BTreeMap<String, u64>,
    /// How late transactions were created after their intended send time: the generator's
    /// own lag. Near zero when the generator kept the schedule.
    pub send_lateness: LatencyFigures,
    /// CPU seconds (summed) and memory (largest) of the worker processes in the round.
    pub usage: Option<ProcessUsage>,
    /// The round second by second.
    pub series: Vec<SeriesPoint>,
    /// Each worker's part.
    pub workers: Vec<WorkerResult>,
    /// What each resource monitor measured during the round's test phase (`monitors.resource`
    /// order): its table as printed, its samples, and the problem it met.
    #[serde(default)]
    pub monitors: Vec<MonitorReport>,
    /// The files the `export` transaction observer wrote in the round, one per worker, by
    /// worker index: path on the worker's machine, lines written, lines dropped, transactions
    /// abandoned without a line.
    #[serde(default)]
    pub exported: Vec<ExportedFile>,
    /// A `peak-search` round's answer and every step's figures; absent for other rounds. The
    /// round's own figures above are then those of the step at the peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_search: Option<PeakSearchOutcome>,
}

/// Latency figures in seconds; every field is `null` when there was no transaction to measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyFigures {
    /// Smallest.
    pub min: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
    /// Mean.
    pub avg: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile.
    pub p999: Option<f64>,
}

/// One second of a round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// Whole seconds since the round started (0 is the first second).
    pub second: usize,
    /// Transactions submitted in this second.
    pub submitted: u64,
    /// Transactions that succeeded in this second.
    pub succ: u64,
    /// Transactions that failed in this second.
    pub fail: u64,
    /// Median latency of the successful ones, in seconds.
    pub latency_p50: Option<f64>,
    /// 90th percentile latency of the successful ones, in seconds.
    pub latency_p90: Option<f64>,
    /// 99th percentile latency of the successful ones, in seconds.
    pub latency_p99: Option<f64>,
}

/// One worker's part of a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerResult {
    /// The worker index.
    pub index: usize,
    /// What went wrong in this worker.
    pub error: Option<String>,
    /// Transactions it submitted (0 when it reported nothing).
    pub submitted: u64,
    /// Its successful transactions.
    pub succ: u64,
    /// Its failed transactions.
    pub fail: u64,
    /// Its send rate, tx/s.
    pub send_rate: Option<f64>,
    /// Its throughput, tx/s.
    pub throughput: Option<f64>,
    /// The most transactions it had in flight at once.
    pub in_flight_peak: u64,
    /// Its transactions held back by its in-flight cap (sent late, or never).
    pub held_back: u64,
    /// Latency of its successful transactions.
    pub latency: LatencyFigures,
    /// Its CPU seconds and memory in the round.
    pub usage: Option<ProcessUsage>,
}

impl ResultsFile {
    /// The results file of a run.
    pub fn from_outcome(run: &RunOutcome) -> Self {
        ResultsFile {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: TOOL_NAME.to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
            run: RunInfo {
                name: run.name.clone(),
                description: run.description.clone(),
                blockchain: run.blockchain.clone(),
                info: redact_map(&run.info),
                workers: run.workers,
                workers_auto: run.workers_auto,
                started_at: run.started_at.clone(),
                finished_at: run.finished_at.clone(),
                interrupted: run.interrupted,
                error: run.error.clone(),
                passed: crate::run_passed(run),
            },
            benchmark: redact(&run.benchmark),
            rounds: run.rounds.iter().map(RoundResult::from_outcome).collect(),
        }
    }

    /// Writes the file as pretty JSON, atomically (see [`write_results`]).
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let mut text = serde_json::to_vec_pretty(self).map_err(|source| ReportError::Encode { source })?;
        text.push(b'\n');
        write_atomically(path, &text)
    }
}

impl RoundResult {
    /// The results of one round.
    pub fn from_outcome(round: &RoundOutcome) -> Self {
        let (status, error) = match &round.status {
            RoundStatus::Passed => (RoundResultStatus::Passed, None),
            RoundStatus::Failed { error } => (RoundResultStatus::Failed, Some(error.clone())),
            RoundStatus::NotRun { reason } => (RoundResultStatus::NotRun, Some(reason.clone())),
        };
        let summary = round.merged.as_ref().map(RoundSummary::new);
        let s = summary.as_ref();
        RoundResult {
            index: round.index,
            label: round.label.clone(),
            description: round.description.clone(),
            status,
            error,
            config: redact(&round.config),
            duration_s: round.duration_s,
            submitted: s.map_or(0, |s| s.submitted),
            succ: s.map_or(0, |s| s.succ),
            fail: s.map_or(0, |s| s.fail),
            send_rate: s.and_then(|s| s.send_rate),
            throughput: s.and_then(|s| s.throughput),
            in_flight_peak: s.map_or(0, |s| s.in_flight_peak),
            held_back: s.map_or(0, |s| s.held_back),
            latency: LatencyFigures::from(s.and_then(|s| s.latency)),
            corrected_latency: LatencyFigures::from(s.and_then(|s| s.corrected_latency)),
            failed_latency: LatencyFigures::from(s.and_then(|s| s.failed_latency)),
            failures: round.merged.as_ref().map(failures).unwrap_or_default(),
            send_lateness: LatencyFigures::from(s.and_then(|s| s.send_lateness)),
            usage: round.merged.as_ref().and_then(|m| m.usage),
            series: round.merged.as_ref().map(series).unwrap_or_default(),
            workers: round.workers.iter().map(WorkerResult::from_outcome).collect(),
            monitors: round.monitors.clone(),
            exported: round.merged.as_ref().map(exported).unwrap_or_default(),
            peak_search: round.peak_search.clone(),
        }
    }
}

impl WorkerResult {
    /// One worker's part of a round.
    pub fn from_outcome(worker: &WorkerOutcome) -> Self {
        let summary = worker.stats.as_ref().map(RoundSummary::new);
        let s = summary.as_ref();
        WorkerResult {
            index: worker.worker_index,
            error: worker.error.clone(),
            submitted: s.map_or(0, |s| s.submitted),
            succ: s.map_or(0, |s| s.succ),
            fail: s.map_or(0, |s| s.fail),
            send_rate: s.and_then(|s| s.send_rate),
            throughput: s.and_then(|s| s.throughput),
            in_flight_peak: s.map_or(0, |s| s.in_flight_peak),
            held_back: s.map_or(0, |s| s.held_back),
            latency: LatencyFigures::from(s.and_then(|s| s.latency)),
            usage: worker.stats.as_ref().and_then(|m| m.usage),
        }
    }
}

impl From<Option<LatencySummary>> for LatencyFigures {
    fn from(summary: Option<LatencySummary>) -> Self {
        let Some(l) = summary else { return LatencyFigures::default() };
        LatencyFigures {
            min: known(l.min),
            max: known(l.max),
            avg: known(l.avg),
            p50: known(l.p50),
            p90: known(l.p90),
            p95: known(l.p95),
            p99: known(l.p99),
            p999: known(l.p999),
        }
    }
}

impl SeriesPoint {
    /// The figures of one second.
    pub fn from_bucket(second: usize, bucket: &SecondBucket) -> Self {
        let latency = bucket.latency.histogram();
        let q = |p: f64| (!latency.is_empty()).then(|| latency.quantile(p) as f64 / MICROS_PER_SECOND);
        SeriesPoint {
            second,
            submitted: bucket.submitted,
            succ: bucket.successful,
            fail: bucket.failed,
            latency_p50: q(0.50),
            latency_p90: q(0.90),
            latency_p99: q(0.99),
        }
    }
}

/// A figure that is not known (NaN) is `null`.
fn known(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn failures(stats: &RoundStats) -> BTreeMap<String, u64> {
    stats.core.failures.iter().map(|(class, n)| (class.as_str().to_owned(), *n)).collect()
}

/// The exported files, by worker.
fn exported(stats: &RoundStats) -> Vec<ExportedFile> {
    let mut files = stats.exported.clone();
    files.sort_by_key(|f| f.worker);
    files
}

fn series(stats: &RoundStats) -> Vec<SeriesPoint> {
    stats.series.0.iter().enumerate().map(|(i, b)| SeriesPoint::from_bucket(i, b)).collect()
}

/// Writes the results file of `run` to `path` as pretty JSON.
///
/// Missing parent folders are created. The JSON goes to `<path>.tmp` first and is renamed to
/// `path` once it is complete and flushed to disk, so `path` holds either the previous file
/// or the whole new one; the `.tmp` file is removed when writing fails.
pub fn write_results(path: impl AsRef<Path>, run: &RunOutcome) -> Result<(), ReportError> {
    ResultsFile::from_outcome(run).write(path.as_ref())
}

/// Reads a results file, refusing one written with another schema version.
pub fn read_results(path: impl AsRef<Path>) -> Result<ResultsFile, ReportError> {
    let path = path.as_ref();
    let text = fs::read(path).map_err(|source| io("read", path, source))?;
    let decode = |source| ReportError::Decode { path: path.to_owned(), source };
    let value: Value = serde_json::from_slice(&text).map_err(decode)?;
    let found = value.get("schemaVersion").and_then(Value::as_u64).unwrap_or(0);
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ReportError::SchemaVersion { path: path.to_owned(), found, supported: SCHEMA_VERSION });
    }
    serde_json::from_value(value).map_err(decode)
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Io { action, path: path.to_owned(), source }
}

/// `path` with `.tmp` appended to its file name.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|source| io("create folder", parent, source))?;
    }
    let tmp = tmp_path(path);
    let written = (|| {
        let mut file = fs::File::create(&tmp).map_err(|source| io("create", &tmp, source))?;
        file.write_all(bytes).map_err(|source| io("write", &tmp, source))?;
        file.sync_all().map_err(|source| io("flush", &tmp, source))?;
        fs::rename(&tmp, path).map_err(|source| io("rename to", path, source))
    })();
    if written.is_err() {
        // Best effort: the error that matters is the one being returned.
        let _ = fs::remove_file(&tmp);
    } else {
        tracing::debug!(path = %path.display(), "written");
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn results() -> Value {
        let text = serde_json::to_string_pretty(&ResultsFile::from_outcome(&fixture::run())).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn close(v: &Value, want: f64) -> bool {
        v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    fn sorted(mut k: Vec<&str>) -> Vec<&str> {
        k.sort_unstable();
        k
    }

    #[test]
    fn the_schema_keeps_its_field_names() {
        let r = results();
        assert_eq!(keys(&r), sorted(vec!["schemaVersion", "tool", "run", "benchmark", "rounds"]));
        assert_eq!(keys(&r["tool"]), ["name", "version"]);
        let run = vec![
            "name",
            "description",
            "blockchain",
            "info",
            "workers",
            "workersAuto",
            "startedAt",
            "finishedAt",
            "interrupted",
            "error",
            "passed",
        ];
        assert_eq!(keys(&r["run"]), sorted(run));
        let round = vec![
            "index",
            "label",
            "description",
            "status",
            "error",
            "config",
            "durationS",
            "submitted",
            "succ",
            "fail",
            "sendRate",
            "throughput",
            "inFlightPeak",
            "heldBack",
            "latency",
            "correctedLatency",
            "failedLatency",
            "failures",
            "sendLateness",
            "usage",
            "series",
            "workers",
            "monitors",
            "exported",
        ];
        let latency = sorted(vec!["min", "max", "avg", "p50", "p90", "p95", "p99", "p999"]);
        for round_value in r["rounds"].as_array().unwrap() {
            assert_eq!(keys(round_value), sorted(round.clone()));
            for l in ["latency", "correctedLatency", "failedLatency", "sendLateness"] {
                assert_eq!(keys(&round_value[l]), latency, "{l} keeps its shape even when empty");
            }
        }
        let point =
            sorted(vec!["second", "submitted", "succ", "fail", "latencyP50", "latencyP90", "latencyP99"]);
        assert_eq!(keys(&r["rounds"][0]["series"][0]), point);
        let worker = sorted(vec![
            "index",
            "error",
            "submitted",
            "succ",
            "fail",
            "sendRate",
            "throughput",
            "inFlightPeak",
            "heldBack",
            "latency",
            "usage",
        ]);
        assert_eq!(keys(&r["rounds"][0]["workers"][0]), worker);
    }

    #[test]
    fn monitor_results_are_kept_with_their_table_samples_and_error() {
        use caliper_core::monitor::{MonitorReport, MonitorSample};
        let mut run = fixture::run();
        let mut report = MonitorReport::new("process", &["Name", "Memory(max) [MB]"]);
        report.rows.push(vec!["sleep 30(sum)".into(), "1.50".into()]);
        let values = [("cpu".to_owned(), 0.5), ("memory".to_owned(), 1.5e6)].into_iter().collect();
        report.samples.push(MonitorSample { t: 1.0, item: "sleep 30(sum)".into(), values });
        report.note("process 7 of \"sleep 30(sum)\" exited at 1.0 s");
        run.rounds[1].monitors.push(report.clone());
        let r: Value = serde_json::to_value(ResultsFile::from_outcome(&run)).unwrap();
        assert_eq!(r["rounds"][0]["monitors"], Value::Array(vec![]));
        let m = &r["rounds"][1]["monitors"][0];
        assert_eq!(keys(m), sorted(vec!["module", "columns", "rows", "samples", "error"]));
        assert_eq!(keys(&m["samples"][0]), sorted(vec!["t", "item", "values"]));
        assert_eq!(m["samples"][0]["values"]["memory"], 1.5e6);
        let back: ResultsFile = serde_json::from_value(r).unwrap();
        assert_eq!(back.rounds[1].monitors, vec![report]);
    }

    #[test]
    fn the_run_is_described_and_secrets_are_redacted() {
        let r = results();
        assert_eq!(r["schemaVersion"], 1);
        assert_eq!(r["tool"]["name"], "caliper-rs");
        assert_eq!(r["tool"]["version"], env!("CARGO_PKG_VERSION"));
        let run = &r["run"];
        assert_eq!(run["name"], "simple");
        assert_eq!(run["blockchain"], "ethereum");
        assert_eq!(run["workers"], 2);
        assert_eq!(run["startedAt"], "2026-01-01T00:00:00Z");
        assert_eq!(run["interrupted"], true);
        assert_eq!(run["error"], Value::Null);
        assert_eq!(run["passed"], false);
        assert_eq!(run["info"]["Version"], "1.0");
        assert_eq!(run["info"]["adminPassword"], "<redacted>");
        assert_eq!(r["benchmark"]["test"]["workers"]["number"], 2);
        assert_eq!(r["rounds"][0]["config"]["workload"]["arguments"]["privateKey"], "<redacted>");
        assert_eq!(r["rounds"][0]["config"]["rateControl"]["opts"]["tps"], 20);
        let text = r.to_string();
        assert!(!text.contains("hunter2") && !text.contains("deadbeef"));
    }

    #[test]
    fn a_passed_round_has_caliper_figures_series_and_workers() {
        let r = results();
        let round = &r["rounds"][0];
        assert_eq!(round["index"], 0);
        assert_eq!(round["label"], "open");
        assert_eq!(round["description"], "open accounts");
        assert_eq!(round["status"], "passed");
        assert_eq!(round["error"], Value::Null);
        assert!(close(&round["durationS"], 1.2));
        assert_eq!(
            (&round["submitted"], &round["succ"], &round["fail"]),
            (&20.into(), &20.into(), &0.into())
        );
        assert!(close(&round["sendRate"], 20.0 / 0.95), "{}", round["sendRate"]);
        assert!(close(&round["throughput"], 20.0 / 1.15), "{}", round["throughput"]);
        let latency = &round["latency"];
        assert!(close(&latency["min"], 0.1) && close(&latency["max"], 0.2) && close(&latency["avg"], 0.1725));
        assert!(round["correctedLatency"]["max"].is_f64());
        assert!(keys(&round["failedLatency"]).iter().all(|k| round["failedLatency"][k].is_null()));
        assert_eq!(round["failures"], serde_json::json!({}));

        // Creates from 0 to 950 ms; finals from 100 to 1150 ms: 9 + 8 in the first second.
        let series = round["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        let counts: Vec<(u64, u64, u64, u64)> = series
            .iter()
            .map(|p| {
                let n = |k: &str| p[k].as_u64().unwrap();
                (n("second"), n("submitted"), n("succ"), n("fail"))
            })
            .collect();
        assert_eq!(counts, [(0, 20, 17, 0), (1, 0, 3, 0)]);
        assert!(series.iter().all(|p| p["latencyP50"].is_f64() && p["latencyP99"].is_f64()));

        let workers = round["workers"].as_array().unwrap();
        assert_eq!(workers.len(), 2);
        assert_eq!((&workers[0]["index"], &workers[1]["index"]), (&0.into(), &1.into()));
        assert!(workers.iter().all(|w| w["succ"] == 10 && w["fail"] == 0 && w["error"].is_null()));
        // Worker 0 alone: 10 tx created from 0 to 900 ms.
        assert!(close(&workers[0]["sendRate"], 10.0 / 0.9));
        assert!(close(&workers[1]["latency"]["min"], 0.2) && close(&workers[1]["latency"]["max"], 0.2));
    }

    #[test]
    fn a_failed_round_keeps_what_ran_and_says_why() {
        let r = results();
        let round = &r["rounds"][1];
        assert_eq!(round["status"], "failed");
        assert_eq!(round["error"], "worker 1 was lost");
        assert_eq!((&round["succ"], &round["fail"]), (&0.into(), &4.into()));
        assert!(close(&round["sendRate"], 20.0) && close(&round["throughput"], 0.8));
        assert!(keys(&round["latency"]).iter().all(|k| round["latency"][k].is_null()));
        let failed = &round["failedLatency"];
        assert!(close(&failed["min"], 0.03) && close(&failed["max"], 0.08) && close(&failed["avg"], 0.055));
        assert_eq!(round["failures"], serde_json::json!({"timeout": 2, "rejected": 1, "reverted": 1}));
        // Two failed in the first second; the two timeouts at 5 s.
        let series = round["series"].as_array().unwrap();
        assert_eq!(series.len(), 6);
        assert_eq!((&series[0]["submitted"], &series[0]["fail"]), (&4.into(), &2.into()));
        assert_eq!(series[5]["fail"], 2);
        assert!(series[0]["latencyP50"].is_null(), "no successful tx in that second");

        let workers = &round["workers"];
        assert_eq!(workers[1]["error"], "no message for 10 s");
        assert_eq!((&workers[0]["fail"], &workers[1]["fail"]), (&3.into(), &1.into()));
        assert!(close(&workers[0]["sendRate"], 30.0), "the abandoned ones count: {}", workers[0]["sendRate"]);
        assert!(workers[1]["sendRate"].is_null(), "one creation time: undefined, not Infinity");
        assert!(close(&workers[1]["throughput"], 12.5));
    }

    #[test]
    fn a_round_that_did_not_run_is_listed_with_its_reason() {
        let r = results();
        let round = &r["rounds"][2];
        assert_eq!(round["index"], 2);
        assert_eq!(round["status"], "notRun");
        assert_eq!(round["error"], "the run was interrupted");
        assert_eq!(round["description"], Value::Null);
        assert_eq!((&round["submitted"], &round["succ"], &round["fail"]), (&0.into(), &0.into(), &0.into()));
        assert!(round["sendRate"].is_null() && round["throughput"].is_null());
        assert_eq!(round["series"], serde_json::json!([]));
        assert_eq!(round["workers"], serde_json::json!([]));
    }

    #[test]
    fn percentiles_are_those_of_all_transactions() {
        let r = results();
        let near = |v: &Value, want: f64| v.as_f64().is_some_and(|x| (x - want).abs() <= want * 0.001);
        let latency = &r["rounds"][0]["latency"];
        assert!(near(&latency["p50"], 0.190), "{latency}");
        for p in ["p90", "p95", "p99", "p999"] {
            assert!(near(&latency[p], 0.200), "{latency}");
        }
        // The last tx of worker 0 was meant to go 50 ms before it did: 240 ms from then.
        assert!(near(&r["rounds"][0]["correctedLatency"]["max"], 0.240), "{}", r["rounds"][0]);
        // Second 1 of round 0 saw 190, 200 and 200 ms (2 significant digits per second).
        let second = &r["rounds"][0]["series"][1];
        assert!((second["latencyP99"].as_f64().unwrap() - 0.200).abs() < 0.01, "{second}");
        let failed = &r["rounds"][1]["failedLatency"];
        assert!(near(&failed["p99"], 0.080), "{failed}");
    }

    #[test]
    fn write_results_creates_folders_writes_atomically_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/nested/results.json");
        let run = fixture::run();
        write_results(&path, &run).unwrap();
        let names: Vec<_> =
            fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["results.json"], "no .tmp file is left");
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"schemaVersion\": 1,"), "pretty JSON");
        assert_eq!(read_results(&path).unwrap(), ResultsFile::from_outcome(&run));

        // Overwrites the previous results.
        let mut again = run.clone();
        again.name = "second".to_owned();
        write_results(&path, &again).unwrap();
        assert_eq!(read_results(&path).unwrap().run.name, "second");
        assert!(!dir.path().join("out/nested/results.json.tmp").exists());
    }

    #[test]
    fn a_failed_write_names_the_path_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a folder").unwrap();
        let err = write_results(blocker.join("results.json"), &fixture::run()).unwrap_err();
        assert!(matches!(err, ReportError::Io { action: "create folder", .. }), "{err}");
        assert!(err.to_string().contains("file"), "{err}");

        // The target is a folder: the rename fails and the .tmp file is removed.
        let target = dir.path().join("results.json");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep"), "").unwrap();
        let err = write_results(&target, &fixture::run()).unwrap_err();
        assert!(matches!(err, ReportError::Io { action: "rename to", .. }), "{err}");
        assert!(!dir.path().join("results.json.tmp").exists());
    }

    #[test]
    fn read_results_refuses_another_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        fs::write(&path, r#"{"schemaVersion": 2}"#).unwrap();
        let err = read_results(&path).unwrap_err();
        assert!(matches!(err, ReportError::SchemaVersion { found: 2, supported: 1, .. }), "{err}");
        fs::write(&path, "not json").unwrap();
        assert!(matches!(read_results(&path).unwrap_err(), ReportError::Decode { .. }));
    }
}
