//! `prometheus`: the round's metrics served for Prometheus to scrape, as Caliper's observer
//! does: on `scrapePort` (plus the worker index for workers the manager forked, so they do not
//! collide), at `metricPath`, only while the round runs, with the labels `workerIndex`,
//! `roundIndex` and `roundLabel`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::settings::{Settings, keys};
use caliper_core::tx_observer::{
    ObservedRound, ObserverError, ObserverOptionError, TxObserver, TxObserverFactory, TxObserverSpec,
};
use caliper_core::{ErrorClass, TxStatus};
use serde_json::{Map, Value};

use crate::metrics::TxMetrics;
use crate::options::{Options, invalid};
use crate::server::MetricsServer;

const MODULE: &str = "prometheus";

/// The factory of `prometheus` observers.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScrapeFactory;

pub(crate) struct ScrapeOptions {
    pub(crate) path: String,
    pub(crate) port: Option<u64>,
    process: bool,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) buckets: Vec<f64>,
    /// Served by the manager for all workers (`endpoint: manager`) rather than by each worker.
    pub(crate) by_manager: bool,
}

pub(crate) fn read(map: &Map<String, Value>) -> Result<ScrapeOptions, Vec<ObserverOptionError>> {
    let mut o = Options::new(
        map,
        &[
            "metricPath",
            "scrapePort",
            "processMetricCollectInterval",
            "defaultLabels",
            "histogramBuckets",
            "endpoint",
        ],
    );
    let by_manager = match o.string("endpoint").as_deref() {
        None | Some("workers") => false,
        Some("manager") => true,
        Some(other) => {
            o.error(".endpoint", format!("expected workers (an endpoint per worker, as Caliper) or manager (one for all), got \"{other}\""));
            false
        }
    };
    let path = o.string("metricPath").unwrap_or_else(|| "/metrics".to_string());
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        o.error(".metricPath", format!("expected a path such as /metrics, got \"{path}\""));
    }
    let port = o.integer("scrapePort", 1, 65_535);
    let process = o.integer("processMetricCollectInterval", 1, 3_600_000).is_some();
    let labels = o.labels();
    let buckets = o.buckets();
    o.done(ScrapeOptions { path, port, process, labels, buckets, by_manager })
}

#[async_trait]
impl TxObserverFactory for ScrapeFactory {
    fn name(&self) -> &'static str {
        MODULE
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
        let fail = |message: String| ObserverError { module: MODULE.into(), message };
        let options = read(options).map_err(|errors| invalid(MODULE, errors))?;
        if options.by_manager {
            // The manager serves this worker's metrics from the statistics it receives.
            return Ok(Arc::new(ServedByManager));
        }
        let base = match options.port {
            Some(port) => port,
            None => {
                settings.get_u64(keys::OBSERVER_PROMETHEUS_SCRAPEPORT).map_err(|e| fail(e.to_string()))?
            }
        };
        let offset = if round.local { round.worker_index as u64 } else { 0 };
        let port = u16::try_from(base + offset)
            .map_err(|_| fail(format!("scrapePort {base} + worker index {offset} is not a port")))?;
        let mut labels = vec![
            ("workerIndex".to_string(), round.worker_index.to_string()),
            ("roundIndex".to_string(), round.round_index.to_string()),
            ("roundLabel".to_string(), round.round_label.clone()),
        ];
        labels.extend(options.labels);
        let metrics = Arc::new(
            TxMetrics::new(labels, options.buckets, options.process)
                .map_err(|e| fail(format!("options.defaultLabels: {e}")))?,
        );
        // Every interface, as Caliper's: Prometheus usually scrapes from another host.
        let address = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            fail(format!(
                "cannot serve the metrics on port {port} (scrapePort {base} + worker index {offset}): {e}; choose another with the observer's scrapePort option or caliper-observer-prometheus-scrapeport"
            ))
        })?;
        let served = metrics.clone();
        let server = MetricsServer::spawn(listener, &options.path, move || served.encode());
        tracing::debug!("prometheus observer: metrics at http://{address}{}", options.path);
        Ok(Arc::new(ScrapeObserver { metrics, server }))
    }
}

/// Checks, before anything starts, that the ports of the per-worker endpoints of `specs` are
/// free on this host for `workers` local workers (each adds its index to `scrapePort`); the
/// error names the port. Remote workers bind on their own hosts and are not checked.
pub fn check_worker_ports(
    specs: &[TxObserverSpec],
    settings: &Settings,
    workers: usize,
) -> Result<(), String> {
    for (i, spec) in specs.iter().enumerate().filter(|(_, s)| s.module == MODULE) {
        let Ok(options) = read(&spec.options) else { continue };
        if options.by_manager {
            continue;
        }
        let base = match options.port {
            Some(port) => port,
            None => settings.get_u64(keys::OBSERVER_PROMETHEUS_SCRAPEPORT).map_err(|e| e.to_string())?,
        };
        for worker in 0..workers as u64 {
            let port = base + worker;
            let free = u16::try_from(port).ok().is_some_and(|p| {
                std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, p))).is_ok()
            });
            if !free {
                return Err(format!(
                    "monitors.transaction[{i}] (prometheus): worker {worker} would serve its metrics on port {port} (scrapePort {base} + worker index), which is in use or not a port; choose another scrapePort or caliper-observer-prometheus-scrapeport"
                ));
            }
        }
    }
    Ok(())
}

/// A worker's part when the manager serves the metrics: nothing to do here.
struct ServedByManager;

impl TxObserver for ServedByManager {
    fn txs_submitted(&self, _count: u64) {}
    fn txs_finished(&self, _statuses: &[TxStatus]) {}
}

struct ScrapeObserver {
    metrics: Arc<TxMetrics>,
    server: MetricsServer,
}

#[async_trait]
impl TxObserver for ScrapeObserver {
    fn txs_submitted(&self, count: u64) {
        self.metrics.submitted(count);
    }

    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.metrics.finished(statuses);
    }

    fn txs_abandoned(&self, count: u64, _class: ErrorClass) {
        self.metrics.abandoned(count);
    }

    async fn deactivate(&self) {
        self.server.stop().await;
    }
}
