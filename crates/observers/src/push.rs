//! `prometheus-push`: the round's metrics pushed to a Prometheus Pushgateway every
//! `pushInterval`, as Caliper does (POST, job `caliper-workers`, grouped by `workerIndex` and
//! `roundIndex`), and once more when the round ends with its true totals (Caliper resets the
//! metrics before that last push, so it sends zeros).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use caliper_core::settings::{Settings, keys};
use caliper_core::tx_observer::{
    ObservedRound, ObserverError, ObserverOptionError, TxObserver, TxObserverFactory,
};
use caliper_core::{ErrorClass, TxStatus};
use serde_json::{Map, Value};
use tokio::task::JoinHandle;

use crate::metrics::{CONTENT_TYPE, TxMetrics};
use crate::options::{Options, invalid};

const MODULE: &str = "prometheus-push";

/// How long one push may take.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// The factory of `prometheus-push` observers.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushFactory;

struct PushOptions {
    url: reqwest::Url,
    interval: Option<u64>,
    process: bool,
    labels: Vec<(String, String)>,
    buckets: Vec<f64>,
}

fn read(map: &Map<String, Value>) -> Result<PushOptions, Vec<ObserverOptionError>> {
    let mut o = Options::new(
        map,
        &["pushUrl", "pushInterval", "processMetricCollectInterval", "defaultLabels", "histogramBuckets"],
    );
    let url = match o.string("pushUrl") {
        None => {
            o.error("", "missing option \"pushUrl\": the Pushgateway's URL, such as http://localhost:9091");
            None
        }
        Some(text) => match reqwest::Url::parse(&text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
            _ => {
                o.error(".pushUrl", format!("expected an http:// or https:// URL, got \"{text}\""));
                None
            }
        },
    };
    let interval = o.integer("pushInterval", 1, 3_600_000);
    let process = o.integer("processMetricCollectInterval", 1, 3_600_000).is_some();
    let labels = o.labels();
    let buckets = o.buckets();
    let url = url.unwrap_or_else(|| reqwest::Url::parse("http://localhost").expect("a valid URL"));
    o.done(PushOptions { url, interval, process, labels, buckets })
}

#[async_trait]
impl TxObserverFactory for PushFactory {
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
        let options = read(options).map_err(|errors| invalid(MODULE, errors))?;
        let fail = |message: String| ObserverError { module: MODULE.into(), message };
        let interval = match options.interval {
            Some(ms) => Duration::from_millis(ms),
            None => settings
                .get_duration_ms(keys::OBSERVER_PROMETHEUSPUSH_INTERVAL)
                .map_err(|e| fail(e.to_string()))?,
        };
        let mut labels = vec![("roundLabel".to_string(), round.round_label.clone())];
        labels.extend(options.labels);
        let metrics = TxMetrics::new(labels, options.buckets, options.process)
            .map_err(|e| fail(format!("options.defaultLabels: {e}")))?;
        let tls = caliper_core::tls::config_for(options.url.as_str()).map_err(fail)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(PUSH_TIMEOUT)
            .build()
            .map_err(|e| fail(caliper_core::tls::describe(&e)))?;
        // Credentials in the URL (Caliper's way) go into the request, never into a message.
        let mut url = options.url;
        let in_url = (!url.username().is_empty())
            .then(|| (url.username().to_string(), url.password().map(str::to_string)));
        let _ = (url.set_username(""), url.set_password(None));
        let base = url.as_str().trim_end_matches('/');
        let url = format!(
            "{base}/metrics/job/caliper-workers/workerIndex/{}/roundIndex/{}",
            round.worker_index, round.round_index
        );
        let setting = |key| settings.get_str(key).ok().map(str::to_string);
        let (user, password) = match (setting(keys::AUTH_PROMETHEUSPUSH_USERNAME), in_url) {
            (Some(user), _) => (Some(user), setting(keys::AUTH_PROMETHEUSPUSH_PASSWORD)),
            (None, Some((user, password))) => (Some(user), password),
            (None, None) => (None, None),
        };
        let pusher = Arc::new(Pusher { metrics, client, url, auth: user.map(|u| (u, password)) });
        let periodic = {
            let pusher = pusher.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut warned = false;
                loop {
                    ticks.tick().await;
                    if let Err(e) = pusher.push().await
                        && !std::mem::replace(&mut warned, true)
                    {
                        tracing::warn!(
                            "prometheus-push: {e} (further failures of this round at debug level)"
                        );
                    } else {
                        tracing::debug!("prometheus-push: pushed to {}", pusher.url);
                    }
                }
            })
        };
        Ok(Arc::new(PushObserver { pusher, periodic }))
    }
}

/// The metrics and where they go.
struct Pusher {
    metrics: TxMetrics,
    client: reqwest::Client,
    url: String,
    /// Basic auth (`caliper-auth-prometheuspush-username` / `-password`).
    auth: Option<(String, Option<String>)>,
}

impl Pusher {
    /// One push of the metrics as they are now.
    async fn push(&self) -> Result<(), String> {
        let mut request =
            self.client.post(&self.url).header("content-type", CONTENT_TYPE).body(self.metrics.encode());
        if let Some((user, password)) = &self.auth {
            request = request.basic_auth(user, password.as_ref());
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("cannot push to {}: {}", self.url, caliper_core::tls::describe(&e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(format!("the Pushgateway at {} answered {status}: {}", self.url, body.trim()))
    }
}

struct PushObserver {
    pusher: Arc<Pusher>,
    periodic: JoinHandle<()>,
}

#[async_trait]
impl TxObserver for PushObserver {
    fn txs_submitted(&self, count: u64) {
        self.pusher.metrics.submitted(count);
    }

    fn txs_finished(&self, statuses: &[TxStatus]) {
        self.pusher.metrics.finished(statuses);
    }

    fn txs_abandoned(&self, count: u64, _class: ErrorClass) {
        self.pusher.metrics.abandoned(count);
    }

    async fn deactivate(&self) {
        self.periodic.abort();
        match self.pusher.push().await {
            Ok(()) => tracing::debug!("prometheus-push: the round's totals pushed to {}", self.pusher.url),
            Err(e) => tracing::warn!("prometheus-push: the round's last push failed: {e}"),
        }
    }
}

impl Drop for PushObserver {
    fn drop(&mut self) {
        self.periodic.abort();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn push_url_is_required_and_checked() {
        let errors = read(&Map::new()).err().unwrap();
        assert!(errors[0].message.contains("missing option \"pushUrl\""), "{errors:?}");
        let bad = json!({"pushUrl": "ftp://x", "pushInterval": 0});
        let errors = read(bad.as_object().unwrap()).err().unwrap();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".pushUrl", ".pushInterval"]);
        let good = json!({"pushUrl": "http://127.0.0.1:9091", "pushInterval": 500});
        assert!(read(good.as_object().unwrap()).is_ok());
    }
}
