//! The `prometheus` observer with `endpoint: manager`: one endpoint on the manager serving every
//! worker's metrics, built from the statistics the workers send it anyway, so remote workers
//! open no port. It serves for the whole run (a round's series stay after it ends, with its
//! final totals), and at the run's end it waits (a few seconds at most) for one scrape of those
//! totals before the manager exits.
//!
//! During a round the workers' updates carry their latency distributions (the manager asks for
//! them with `live_latency`); at its end the final results carry the exact ones. Series: the
//! same names and labels as the per-worker endpoints (`workerIndex`, `roundIndex`,
//! `roundLabel` and the `defaultLabels`).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::options::invalid;
use crate::scrape;
use crate::server::MetricsServer;
use caliper_core::manager::RoundOutcome;
use caliper_core::settings::{Settings, keys};
use caliper_core::stats::{LatencyHistogram, StatsCore};
use caliper_core::tx_observer::{ObserverError, TxObserverSpec};
use prometheus::proto::{Bucket, Counter, Histogram, LabelPair, Metric, MetricFamily, MetricType};
use prometheus::{Encoder, TextEncoder};
use serde_json::Value;

const MODULE: &str = "prometheus";

/// How long the manager waits at the end for a scrape of the final totals.
const FINAL_SCRAPE_WAIT: Duration = Duration::from_secs(5);

/// The options of the `prometheus` observer that asks for the manager's endpoint, if any.
pub fn manager_endpoint_spec(specs: &[TxObserverSpec]) -> Option<&TxObserverSpec> {
    specs
        .iter()
        .find(|s| s.module == MODULE && s.options.get("endpoint").and_then(Value::as_str) == Some("manager"))
}

/// One worker's part of one round, as last heard.
struct Part {
    label: String,
    core: StatsCore,
    successful: LatencyHistogram,
    failed: LatencyHistogram,
}

struct State {
    labels: Vec<(String, String)>,
    /// Bucket bounds in seconds.
    buckets: Vec<f64>,
    parts: BTreeMap<(usize, usize), Part>,
    /// When the last round ended, and whether a scrape came after it.
    finished_at: Option<Instant>,
    scraped_after: bool,
}

/// The manager's metrics endpoint, serving until [`ManagerEndpoint::stop`].
pub struct ManagerEndpoint {
    state: Arc<Mutex<State>>,
    server: MetricsServer,
    port: u16,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl ManagerEndpoint {
    /// Binds `scrapePort` (every interface) and serves `metricPath`; an error names the port.
    /// Must run inside a tokio runtime.
    pub async fn start(spec: &TxObserverSpec, settings: &Settings) -> Result<ManagerEndpoint, ObserverError> {
        let fail = |message: String| ObserverError { module: MODULE.into(), message };
        let options = scrape::read(&spec.options).map_err(|errors| invalid(MODULE, errors))?;
        let port = match options.port {
            Some(port) => port,
            None => {
                settings.get_u64(keys::OBSERVER_PROMETHEUS_SCRAPEPORT).map_err(|e| fail(e.to_string()))?
            }
        };
        let port = u16::try_from(port).map_err(|_| fail(format!("scrapePort {port} is not a port")))?;
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))
            .await
            .map_err(|e| {
                fail(format!(
                    "cannot serve the metrics on port {port} (monitors.transaction prometheus, endpoint: manager): {e}; choose another with its scrapePort option or caliper-observer-prometheus-scrapeport"
                ))
            })?;
        let state = Arc::new(Mutex::new(State {
            labels: options.labels,
            buckets: options.buckets,
            parts: BTreeMap::new(),
            finished_at: None,
            scraped_after: false,
        }));
        let served = state.clone();
        let server = MetricsServer::spawn(listener, &options.path, move || {
            let mut state = lock(&served);
            state.scraped_after |= state.finished_at.is_some();
            render(&state)
        });
        tracing::info!("transaction metrics of every worker at http://0.0.0.0:{port}{}", options.path);
        Ok(ManagerEndpoint { state, server, port })
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A worker's running totals of round `round` (`label`).
    pub fn update(&self, round: usize, label: &str, worker: usize, core: &StatsCore) {
        let mut state = lock(&self.state);
        let part = state.parts.entry((round, worker)).or_insert_with(|| Part {
            label: label.to_string(),
            core: StatsCore::default(),
            successful: LatencyHistogram::new(),
            failed: LatencyHistogram::new(),
        });
        part.core = core.clone();
        part.core.live = None;
        if let Some(live) = &core.live {
            part.successful = live.successful.clone();
            part.failed = live.failed.clone();
        }
        state.finished_at = None;
    }

    /// A round ended: each worker's final statistics replace its running totals.
    pub fn round_finished(&self, round: &RoundOutcome) {
        let mut state = lock(&self.state);
        for worker in &round.workers {
            if let Some(stats) = &worker.stats {
                let mut core = stats.core.clone();
                core.live = None;
                state.parts.insert(
                    (round.index, worker.worker_index),
                    Part {
                        label: round.label.clone(),
                        core,
                        successful: stats.histograms.successful.clone(),
                        failed: stats.histograms.failed.clone(),
                    },
                );
            }
        }
        state.finished_at = Some(Instant::now());
        state.scraped_after = false;
    }

    /// Waits (at most a few seconds) for a scrape of the final totals, then stops serving.
    pub async fn stop(self) {
        let waiting = lock(&self.state).finished_at.is_some();
        let deadline = Instant::now() + FINAL_SCRAPE_WAIT;
        while waiting && !lock(&self.state).scraped_after && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.server.stop().await;
    }
}

fn label(name: &str, value: &str) -> LabelPair {
    let mut pair = LabelPair::default();
    pair.set_name(name.to_string());
    pair.set_value(value.to_string());
    pair
}

fn family(name: &str, help: &str, kind: MetricType, metrics: Vec<Metric>) -> MetricFamily {
    let mut f = MetricFamily::default();
    f.set_name(name.to_string());
    f.set_help(help.to_string());
    f.set_field_type(kind);
    f.set_metric(metrics);
    f
}

/// Every part's series in the text format 0.0.4.
fn render(state: &State) -> String {
    let (mut submitted, mut finished, mut latency) = (Vec::new(), Vec::new(), Vec::new());
    for ((round, worker), part) in &state.parts {
        let mut labels = vec![
            label("roundIndex", &round.to_string()),
            label("roundLabel", &part.label),
            label("workerIndex", &worker.to_string()),
        ];
        labels.extend(state.labels.iter().map(|(k, v)| label(k, v)));
        let counter = |value: u64, extra: Option<LabelPair>| {
            let mut c = Counter::default();
            c.set_value(value as f64);
            let mut m = Metric::default();
            m.set_label(labels.iter().cloned().chain(extra).collect());
            m.set_counter(c);
            m
        };
        let c = &part.core.tx_counters;
        submitted.push(counter(c.total_submitted, None));
        finished.push(counter(c.total_successful, Some(label("final_status", "success"))));
        finished.push(counter(c.total_failed, Some(label("final_status", "failed"))));
        for (status, hist, totals, count) in [
            ("success", &part.successful, &part.core.latency.successful, c.total_successful),
            ("failed", &part.failed, &part.core.latency.failed, c.total_failed),
        ] {
            let mut h = Histogram::default();
            // Transactions given up at the deadline have no latency: they fall in +Inf only.
            h.set_sample_count(count);
            h.set_sample_sum(totals.total_us as f64 / 1e6);
            h.set_bucket(
                state
                    .buckets
                    .iter()
                    .map(|bound| {
                        let mut b = Bucket::default();
                        b.set_upper_bound(*bound);
                        b.set_cumulative_count(hist.count_at_most((bound * 1e6) as u64));
                        b
                    })
                    .collect(),
            );
            let mut m = Metric::default();
            m.set_label(labels.iter().cloned().chain([label("final_status", status)]).collect());
            m.set_histogram(h);
            latency.push(m);
        }
    }
    let families = [
        family(
            "caliper_tx_submitted",
            "The total number of submitted transactions.",
            MetricType::COUNTER,
            submitted,
        ),
        family(
            "caliper_tx_finished",
            "The total number of finished transactions.",
            MetricType::COUNTER,
            finished,
        ),
        family(
            "caliper_tx_e2e_latency",
            "The histogram of end-to-end transaction latencies in seconds.",
            MetricType::HISTOGRAM,
            latency,
        ),
    ];
    let mut text = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&families, &mut text) {
        tracing::warn!("encoding the transaction metrics: {e}");
    }
    String::from_utf8(text).unwrap_or_default()
}
