//! Caliper's transaction metrics, with Caliper's names and labels: `caliper_tx_submitted`,
//! `caliper_tx_finished{final_status}` and `caliper_tx_e2e_latency{final_status}` (seconds),
//! plus the process's CPU time and memory when asked for. One set per worker and round, so a
//! round starts from zero as in Caliper.

use std::collections::HashMap;

use caliper_core::TxStatus;
use caliper_core::stats::ProcessUsage;
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry, TextEncoder,
};

/// The metrics of one worker's round.
pub(crate) struct TxMetrics {
    registry: Registry,
    submitted: IntCounter,
    /// `caliper_tx_finished` and `caliper_tx_e2e_latency` for `success` and `failed`, looked up
    /// once here rather than by label on every transaction.
    finished: [IntCounter; 2],
    latency: [Histogram; 2],
    process: Option<(Gauge, IntGauge)>,
}

const STATUSES: [&str; 2] = ["success", "failed"];

impl TxMetrics {
    /// The metrics with `labels` on every series, latency `buckets` in seconds, and the
    /// process's metrics when `process` is set.
    pub(crate) fn new(
        labels: Vec<(String, String)>,
        buckets: Vec<f64>,
        process: bool,
    ) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(None, Some(labels.into_iter().collect::<HashMap<_, _>>()))?;
        let submitted =
            IntCounter::new("caliper_tx_submitted", "The total number of submitted transactions.")?;
        let finished = prometheus::IntCounterVec::new(
            Opts::new("caliper_tx_finished", "The total number of finished transactions."),
            &["final_status"],
        )?;
        let latency = prometheus::HistogramVec::new(
            HistogramOpts::new(
                "caliper_tx_e2e_latency",
                "The histogram of end-to-end transaction latencies in seconds.",
            )
            .buckets(buckets),
            &["final_status"],
        )?;
        registry.register(Box::new(submitted.clone()))?;
        registry.register(Box::new(finished.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let process = if process {
            let cpu =
                Gauge::new("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")?;
            let rss = IntGauge::new("process_resident_memory_bytes", "Resident memory size in bytes.")?;
            registry.register(Box::new(cpu.clone()))?;
            registry.register(Box::new(rss.clone()))?;
            Some((cpu, rss))
        } else {
            None
        };
        Ok(TxMetrics {
            registry,
            submitted,
            finished: STATUSES.map(|s| finished.with_label_values(&[s])),
            latency: STATUSES.map(|s| latency.with_label_values(&[s])),
            process,
        })
    }

    /// Counts `count` submissions.
    pub(crate) fn submitted(&self, count: u64) {
        self.submitted.inc_by(count);
    }

    /// Counts finished transactions and their latencies.
    pub(crate) fn finished(&self, statuses: &[TxStatus]) {
        for status in statuses {
            let i = usize::from(!status.is_committed());
            self.finished[i].inc();
            self.latency[i].observe(status.latency_micros() as f64 / 1e6);
        }
    }

    /// Counts `count` transactions given up at the drain deadline as failed (no latency).
    pub(crate) fn abandoned(&self, count: u64) {
        self.finished[1].inc_by(count);
    }

    /// The metrics now, in Prometheus's text format 0.0.4.
    pub(crate) fn encode(&self) -> String {
        if let Some((cpu, rss)) = &self.process
            && let Some(usage) = ProcessUsage::sample()
        {
            cpu.set(usage.cpu_seconds);
            rss.set(usage.rss_bytes.min(i64::MAX as u64) as i64);
        }
        let mut text = Vec::new();
        // Encoding metric families the registry built itself cannot fail.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::warn!("encoding the transaction metrics: {e}");
        }
        String::from_utf8(text).unwrap_or_default()
    }
}

/// The text format's content type.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use caliper_core::ErrorClass;

    use super::*;

    #[test]
    fn caliper_s_names_labels_and_seconds() {
        let m = TxMetrics::new(vec![("roundLabel".into(), "open".into())], vec![0.1, 1.0], false).unwrap();
        m.submitted(3);
        let mut ok = TxStatus::created_at("a", 1_000_000);
        ok.set_success(1_250_000);
        let mut bad = TxStatus::created_at("b", 1_000_000);
        bad.set_failed(3_000_000, ErrorClass::Timeout, "late");
        m.finished(&[ok, bad]);
        let text = m.encode();
        for line in [
            "caliper_tx_submitted{roundLabel=\"open\"} 3",
            "caliper_tx_finished{final_status=\"success\",roundLabel=\"open\"} 1",
            "caliper_tx_finished{final_status=\"failed\",roundLabel=\"open\"} 1",
            "caliper_tx_e2e_latency_bucket{final_status=\"success\",roundLabel=\"open\",le=\"1\"} 1",
            "caliper_tx_e2e_latency_bucket{final_status=\"failed\",roundLabel=\"open\",le=\"1\"} 0",
            "caliper_tx_e2e_latency_sum{final_status=\"success\",roundLabel=\"open\"} 0.25",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
        assert!(!text.contains("_total"), "no _total suffix: Caliper's dashboards use its names");
    }
}
