//! The `prometheus` resource monitor: at the end of each round's test phase, every query of
//! `metrics.queries` is asked of a Prometheus server over the round (`/api/v1/query_range`,
//! from the round's start to now, at the query's `step`), and each series it returns is
//! reduced to one value with the query's statistic, times its multiplier.
//!
//! A server that cannot be reached, or that answers with an error, is shown in the table and
//! the log; the run goes on.

mod options;
mod query;

use std::time::SystemTime;

use async_trait::async_trait;
use caliper_core::monitor::{
    MonitorError, MonitorFactory, MonitorOptionError, MonitorReport, MonitorSample, MonitoredRound,
    ResourceMonitor,
};
use caliper_core::settings::{Settings, keys};
use serde_json::{Map, Value};

use self::options::{PrometheusOptions, Query};
use self::query::{Series, parse_answer, query_url, reduce};
use crate::http;
use crate::options::checked;
use crate::settings::precision;
use crate::table::{NONE, to_precision};

/// The module name.
pub const PROMETHEUS: &str = "prometheus";

/// The table's columns.
const COLUMNS: [&str; 4] = ["Metric", "Prometheus Query", "Name", "Value"];

/// Builds `prometheus` monitors.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrometheusFactory;

impl MonitorFactory for PrometheusFactory {
    fn name(&self) -> &'static str {
        PROMETHEUS
    }

    fn check(&self, options: &Map<String, Value>) -> Vec<MonitorOptionError> {
        options::parse(options).err().unwrap_or_default()
    }

    fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
    ) -> Result<Box<dyn ResourceMonitor>, MonitorError> {
        let options = checked(PROMETHEUS, options::parse(options))?;
        let text = |key| settings.get(key).and_then(Value::as_str).map(str::to_owned);
        let auth =
            text(keys::AUTH_PROMETHEUS_USERNAME).map(|user| (user, text(keys::AUTH_PROMETHEUS_PASSWORD)));
        Ok(Box::new(PrometheusMonitor {
            client: http::client(&options.url, None),
            options,
            auth,
            precision: precision(PROMETHEUS, settings)?,
            started: None,
        }))
    }
}

/// A `prometheus` monitor.
pub struct PrometheusMonitor {
    options: PrometheusOptions,
    client: Result<reqwest::Client, String>,
    /// Basic auth: user and password (never logged).
    auth: Option<(String, Option<String>)>,
    precision: usize,
    started: Option<SystemTime>,
}

#[async_trait]
impl ResourceMonitor for PrometheusMonitor {
    fn module(&self) -> &'static str {
        PROMETHEUS
    }

    async fn start(&mut self, _round: &MonitoredRound) {
        self.started = Some(SystemTime::now());
    }

    async fn stop(&mut self) -> MonitorReport {
        let mut report = MonitorReport::new(PROMETHEUS, &COLUMNS);
        let end = SystemTime::now();
        let start = self.started.take().unwrap_or(end);
        let (start_s, end_s) = (unix(start), unix(end));
        for query in &self.options.queries {
            let answer = match &self.client {
                Ok(client) => self.ask(client, query, start_s, end_s).await,
                Err(e) => Err(e.clone()),
            };
            match answer {
                Ok(series) => self.add_rows(&mut report, query, &series, start_s),
                Err(e) => {
                    report.rows.push(vec![query.name.clone(), query.query.clone(), NONE.into(), NONE.into()]);
                    report.note(format!("query \"{}\": {e}", query.name));
                }
            }
        }
        report
    }
}

impl PrometheusMonitor {
    /// The series of one query over the round, or why there are none.
    async fn ask(
        &self,
        client: &reqwest::Client,
        query: &Query,
        start: f64,
        end: f64,
    ) -> Result<Vec<Series>, String> {
        let url = query_url(&self.options.url, query, start, end);
        tracing::debug!("prometheus monitor: GET {}", shown(&url));
        let mut request = client.get(url.clone());
        if let Some((user, password)) = &self.auth {
            request = request.basic_auth(user, password.as_deref());
        }
        let server = shown(&self.options.url);
        // reqwest's errors carry the whole URL (credentials, if the user wrote them in it):
        // the server is named once, without them.
        let failed = |e: reqwest::Error| format!("{server}: {}", http::describe(&e.without_url()));
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        let body = response.bytes().await.map_err(failed)?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(json) => {
                parse_answer(&json, &query.label).map_err(|e| format!("{server} answered {status}: {e}"))
            }
            Err(_) => Err(format!("{server} answered {status} with a body that is not JSON")),
        }
    }

    /// The rows of one query (the `Metric` cell on its first row only, as Caliper) and its
    /// samples.
    fn add_rows(&self, report: &mut MonitorReport, query: &Query, series: &[Series], start: f64) {
        let values = reduce(query, series, &self.options.include);
        if values.is_empty() {
            report.rows.push(vec![query.name.clone(), query.query.clone(), NONE.into(), NONE.into()]);
            report.note(format!("query \"{}\": no series named by a metrics.include pattern", query.name));
            return;
        }
        for (i, (name, value)) in values.iter().enumerate() {
            let metric = if i == 0 { query.name.clone() } else { String::new() };
            let cell = value.map_or(NONE.to_owned(), |v| to_precision(v, self.precision));
            report.rows.push(vec![metric, query.query.clone(), name.clone(), cell]);
        }
        for s in series.iter().filter(|s| values.contains_key(&s.name)) {
            for (t, v) in &s.points {
                let values = [(query.name.clone(), v * query.multiplier)].into_iter().collect();
                report.samples.push(MonitorSample { t: t - start, item: s.name.clone(), values });
            }
        }
    }
}

/// Seconds since the Unix epoch.
fn unix(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// A URL for messages: without credentials, path or query.
fn shown(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use caliper_core::monitor::{MonitorFactory, MonitoredRound};
    use caliper_core::settings::{Settings, keys};
    use serde_json::json;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::PrometheusFactory;

    /// A server that answers one request with `body` and returns the request's head.
    async fn one_answer(body: &'static str) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("a request");
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.expect("read");
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.expect("write");
            String::from_utf8_lossy(&head).into_owned()
        });
        (port, server)
    }

    #[tokio::test]
    async fn queries_carry_basic_auth_from_the_settings_and_the_whole_query_encoded() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1,"3"],[2,"5"]]}]}}"#;
        let (port, server) = one_answer(body).await;
        let mut settings = Settings::default();
        settings.set(keys::AUTH_PROMETHEUS_USERNAME, "admin");
        settings.set(keys::AUTH_PROMETHEUS_PASSWORD, "s3cret");
        let options = json!({"url": format!("http://127.0.0.1:{port}"), "metrics": {"include": ["a"],
            "queries": [{"name": "Sum", "query": "x + 1", "step": 5, "label": "job", "statistic": "sum"}]}});
        let mut monitor =
            PrometheusFactory.create(options.as_object().expect("object"), &settings).expect("monitor");
        monitor.start(&MonitoredRound { index: 0, label: "r".into() }).await;
        let report = monitor.stop().await;
        let head = server.await.expect("server");
        assert!(head.starts_with("GET /api/v1/query_range?query=x+%2B+1&start="), "{head}");
        assert!(head.contains("&step=5 HTTP/1.1"), "{head}");
        // admin:s3cret
        assert!(head.to_lowercase().contains("authorization: basic ywrtaw46cznjcmv0"), "{head}");
        assert_eq!(report.rows, [["Sum", "x + 1", "a", "8.00"]]);
        assert_eq!(report.error, None);
        assert_eq!(report.samples.len(), 2);
    }

    #[tokio::test]
    async fn an_error_answer_is_shown_without_the_password() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#;
        let (port, server) = one_answer(body).await;
        let options = json!({"url": format!("http://user:pw-in-url@127.0.0.1:{port}/"), "metrics": {"include": [".*"],
            "queries": [{"name": "Q", "query": "up(", "step": 1, "label": "job", "statistic": "max"}]}});
        let mut monitor = PrometheusFactory
            .create(options.as_object().expect("object"), &Settings::default())
            .expect("monitor");
        monitor.start(&MonitoredRound { index: 0, label: "r".into() }).await;
        let report = monitor.stop().await;
        server.await.expect("server");
        assert_eq!(report.rows, [["Q", "up(", "-", "-"]]);
        let error = report.error.expect("the error is said");
        assert!(error.contains("bad_data: parse error at char 3"), "{error}");
        assert!(!error.contains("pw-in-url"), "{error}");
    }
}
