//! The `prometheus` monitor's options: `url` and `metrics: {include, queries}`.

use regex::Regex;
use serde_json::{Map, Value};

use crate::options::OptionCheck;
use crate::table::Statistic;
use caliper_core::monitor::MonitorOptionError;

/// The keys of the options (`interval` and `charting` are Caliper's: accepted, not used, as
/// this monitor queries once at the end of the round).
pub(crate) const KEYS: &[&str] = &["url", "metrics", "interval", "charting"];
/// The keys of `metrics`.
pub(crate) const METRICS_KEYS: &[&str] = &["include", "queries"];
/// The keys of a query.
pub(crate) const QUERY_KEYS: &[&str] = &["name", "query", "step", "label", "statistic", "multiplier"];

/// One item of `metrics.queries`.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// `name`: the `Metric` column.
    pub(crate) name: String,
    /// `query`: PromQL.
    pub(crate) query: String,
    /// `step`, seconds.
    pub(crate) step: f64,
    /// `label`: the label whose value names a series.
    pub(crate) label: String,
    /// `statistic`.
    pub(crate) statistic: Statistic,
    /// `multiplier` (1 by default).
    pub(crate) multiplier: f64,
}

/// The checked options.
#[derive(Debug, Clone)]
pub(crate) struct PrometheusOptions {
    /// `url`: the server, such as `http://localhost:9090`.
    pub(crate) url: reqwest::Url,
    /// `metrics.include`: a series is shown when its name matches one of them.
    pub(crate) include: Vec<Regex>,
    /// `metrics.queries`.
    pub(crate) queries: Vec<Query>,
}

/// The options, or every mistake in them.
pub(crate) fn parse(options: &Map<String, Value>) -> Result<PrometheusOptions, Vec<MonitorOptionError>> {
    let mut check = OptionCheck::default();
    check.known_keys("", options, KEYS);
    let url = check
        .required("", options, "url", "the Prometheus server, such as http://localhost:9090")
        .and_then(|v| check.string(".url", v))
        .and_then(|s| match reqwest::Url::parse(s) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url),
            Ok(url) => {
                check
                    .error(".url", format!("expected an http:// or https:// url, found {}://", url.scheme()));
                None
            }
            Err(e) => {
                check.error(".url", format!("not a url: {e}"));
                None
            }
        });
    let metrics = check
        .required("", options, "metrics", "a mapping {include, queries}")
        .and_then(|v| check.object(".metrics", v));
    let (mut include, mut queries) = (None, None);
    if let Some(metrics) = metrics {
        check.known_keys(".metrics", metrics, METRICS_KEYS);
        include = check
            .required(".metrics", metrics, "include", "a list of regular expressions of the series to show")
            .and_then(|v| check.list(".metrics.include", v, "regular expressions"))
            .map(|items| regexes(&mut check, items));
        queries = check
            .required(".metrics", metrics, "queries", "a list of {name, query, step, label, statistic}")
            .and_then(|v| check.list(".metrics.queries", v, "{name, query, step, label, statistic}"))
            .map(|items| {
                items.iter().enumerate().filter_map(|(i, q)| query(&mut check, i, q)).collect::<Vec<_>>()
            });
    }
    match (url, include, queries) {
        (Some(url), Some(include), Some(queries)) if check.errors.is_empty() => {
            Ok(PrometheusOptions { url, include, queries })
        }
        _ => Err(check.errors),
    }
}

fn regexes(check: &mut OptionCheck, items: &[Value]) -> Vec<Regex> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!(".metrics.include[{i}]");
        if let Some(text) = check.string(&path, item) {
            match Regex::new(text) {
                Ok(re) => out.push(re),
                Err(e) => check.error(&path, format!("not a regular expression: {}", regex_problem(&e))),
            }
        }
    }
    out
}

/// The regex crate's complaint on one line: its syntax errors draw the pattern and a caret
/// over several lines, and end with `error: <what>`.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or_default();
    last.strip_prefix("error: ").unwrap_or(last).to_owned()
}

fn query(check: &mut OptionCheck, i: usize, item: &Value) -> Option<Query> {
    let path = format!(".metrics.queries[{i}]");
    let map = check.object(&path, item)?;
    check.known_keys(&path, map, QUERY_KEYS);
    let mut text = |key: &str, what: &str| {
        check
            .required(&path, map, key, what)
            .and_then(|v| check.string(&format!("{path}.{key}"), v))
            .map(str::to_owned)
    };
    let name = text("name", "the name shown in the Metric column");
    let promql = text("query", "a PromQL query");
    let label = text("label", "the label whose value names each series");
    let step = check
        .required(&path, map, "step", "the query's resolution, in seconds")
        .and_then(|v| check.positive(&format!("{path}.step"), v));
    let statistic = check
        .required(&path, map, "statistic", "avg, max, min or sum")
        .and_then(|v| check.one_of(&format!("{path}.statistic"), v, Statistic::NAMES))
        .and_then(Statistic::parse);
    let multiplier = match map.get("multiplier").filter(|v| !v.is_null()) {
        Some(Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => n.as_f64(),
        Some(other) => {
            check.error(
                &format!("{path}.multiplier"),
                format!("expected a number, found {}", caliper_core::suggest::json_kind(other)),
            );
            None
        }
        None => Some(1.0),
    };
    Some(Query {
        name: name?,
        query: promql?,
        step: step?,
        label: label?,
        statistic: statistic?,
        multiplier: multiplier?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;
    use crate::table::Statistic;

    fn errors(options: serde_json::Value) -> Vec<String> {
        crate::options::texts(parse(options.as_object().expect("object")))
    }

    #[test]
    fn reads_caliper_options() {
        let options = json!({"url": "http://localhost:9090", "interval": 5, "metrics": {
            "include": ["dev-.*", "peer"],
            "queries": [{"name": "Avg Memory (MB)", "query": "sum(container_memory_rss{name=~\".+\"}) by (name)",
                         "step": 10, "label": "name", "statistic": "avg", "multiplier": 0.000001}]}});
        let parsed = parse(options.as_object().expect("object")).expect("valid");
        assert_eq!(parsed.url.as_str(), "http://localhost:9090/");
        assert_eq!(parsed.include.len(), 2);
        assert_eq!(parsed.queries[0].statistic, Statistic::Avg);
        assert_eq!(parsed.queries[0].multiplier, 0.000001);
    }

    #[test]
    fn reports_every_mistake_with_its_key() {
        assert_eq!(
            errors(json!({})),
            [
                "options.url: missing: the Prometheus server, such as http://localhost:9090",
                "options.metrics: missing: a mapping {include, queries}",
            ]
        );
        let texts = errors(json!({"url": "ftp://x", "metrics": {"includes": [], "queries": [
            {"name": "a", "query": "up", "step": 0, "label": "job", "statistic": "mean", "multiplier": "2"}]}}));
        assert_eq!(
            texts,
            [
                "options.url: expected an http:// or https:// url, found ftp://",
                "options.metrics.includes: unknown key \"includes\" (did you mean \"include\"?); expected one of: include, queries",
                "options.metrics.include: missing: a list of regular expressions of the series to show",
                "options.metrics.queries[0].step: expected a number above 0, found 0",
                "options.metrics.queries[0].statistic: \"mean\" is not one of avg, max, min, sum",
                "options.metrics.queries[0].multiplier: expected a number, found a string",
            ]
        );
        let texts =
            errors(json!({"url": "http://x", "metrics": {"include": ["(unclosed"], "queries": [{}]}}));
        assert_eq!(texts.len(), 6, "{texts:#?}");
        assert_eq!(texts[0], "options.metrics.include[0]: not a regular expression: unclosed group");
        assert_eq!(texts[1], "options.metrics.queries[0].name: missing: the name shown in the Metric column");
    }
}
