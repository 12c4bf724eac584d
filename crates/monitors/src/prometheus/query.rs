//! One `query_range` request and what becomes of its answer: the URL (the whole query
//! encoded), the series in the answer, and their reduction to one value each.

use std::collections::BTreeMap;

use serde_json::Value;

use super::options::Query;

/// The URL of `query` over `[start, end]` (unix seconds) on the server `base`: the path
/// `api/v1/query_range` below the base's path, and every parameter form-encoded (Caliper
/// encodes only the `{...}` part, so a `+` in a query reaches the server as a space).
pub(crate) fn query_url(base: &reqwest::Url, query: &Query, start: f64, end: f64) -> reqwest::Url {
    let mut url = base.clone();
    let path = format!("{}/api/v1/query_range", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_fragment(None);
    url.query_pairs_mut()
        .clear()
        .append_pair("query", &query.query)
        .append_pair("start", &format!("{start:.3}"))
        .append_pair("end", &format!("{end:.3}"))
        .append_pair("step", &query.step.to_string());
    url
}

/// One series of a `matrix` answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// The value of the query's `label`, or `unknown`.
    pub(crate) name: String,
    /// `(unix seconds, value)`; a value Prometheus wrote as `NaN` or could not be read is NaN.
    pub(crate) points: Vec<(f64, f64)>,
}

/// The series of a `query_range` answer (its body as JSON), each named by `label`; an error
/// answer (`status: error`) or a body of another shape is an error in words.
pub(crate) fn parse_answer(body: &Value, label: &str) -> Result<Vec<Series>, String> {
    if body.get("status").and_then(Value::as_str) != Some("success") {
        let kind = body.get("errorType").and_then(Value::as_str).unwrap_or("error");
        let error = body.get("error").and_then(Value::as_str).unwrap_or("an answer that is not Prometheus's");
        return Err(format!("{kind}: {error}"));
    }
    let data = body.get("data").ok_or("the answer has no data")?;
    let kind = data.get("resultType").and_then(Value::as_str).unwrap_or("none");
    if kind != "matrix" {
        return Err(format!("expected a matrix answer, found {kind}"));
    }
    let result = data.get("result").and_then(Value::as_array).ok_or("the answer has no result list")?;
    Ok(result
        .iter()
        .map(|series| {
            let name = series
                .get("metric")
                .and_then(|m| m.get(label))
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned();
            let points = series
                .get("values")
                .and_then(Value::as_array)
                .map(|values| values.iter().filter_map(point).collect())
                .unwrap_or_default();
            Series { name, points }
        })
        .collect())
}

/// `[1712345678.123, "42"]` as `(seconds, value)`.
fn point(pair: &Value) -> Option<(f64, f64)> {
    let t = pair.get(0)?.as_f64()?;
    let v = match pair.get(1)? {
        Value::String(s) => parse_value(s),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        _ => f64::NAN,
    };
    Some((t, v))
}

/// A sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
fn parse_value(s: &str) -> f64 {
    match s {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

/// The value of each series whose name matches an `include` regex: the query's statistic
/// over its points × multiplier (`None` when it has no number), by name. Series of the same
/// name (the label is not unique) are merged.
pub(crate) fn reduce(
    query: &Query,
    series: &[Series],
    include: &[regex::Regex],
) -> BTreeMap<String, Option<f64>> {
    let mut by_name: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for s in series.iter().filter(|s| include.iter().any(|re| re.is_match(&s.name))) {
        by_name.entry(s.name.clone()).or_default().extend(s.points.iter().map(|p| p.1));
    }
    by_name
        .into_iter()
        .map(|(name, values)| {
            let value = query.statistic.of(values).map(|v| v * query.multiplier);
            (name, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Series, parse_answer, query_url, reduce};
    use crate::prometheus::options::Query;
    use crate::table::Statistic;

    fn query(text: &str) -> Query {
        Query {
            name: "q".into(),
            query: text.into(),
            step: 1.0,
            label: "job".into(),
            statistic: Statistic::Max,
            multiplier: 2.0,
        }
    }

    #[test]
    fn the_whole_query_is_encoded() {
        let base = reqwest::Url::parse("http://127.0.0.1:9090/prom/").expect("url");
        let url = query_url(&base, &query("sum(rate(x{job=\"a b\"}[1m])) + 1 & 2"), 100.0, 160.5);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9090/prom/api/v1/query_range?query=sum%28rate%28x%7Bjob%3D%22a+b%22%7D%5B1m%5D%29%29+%2B+1+%26+2&start=100.000&end=160.500&step=1"
        );
        let decoded: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(decoded[0].1, "sum(rate(x{job=\"a b\"}[1m])) + 1 & 2");
        let bare = reqwest::Url::parse("http://h:1").expect("url");
        assert!(
            query_url(&bare, &query("up"), 1.0, 2.0)
                .as_str()
                .starts_with("http://h:1/api/v1/query_range?query=up&")
        );
    }

    #[test]
    fn series_are_named_by_label_and_reduced() {
        let body = json!({"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"job": "peer0"}, "values": [[1.0, "1"], [2.0, "5"], [3.0, "NaN"]]},
            {"metric": {"job": "orderer"}, "values": [[1.0, "7"]]},
            {"metric": {}, "values": [[1.0, "+Inf"]]}]}});
        let series = parse_answer(&body, "job").expect("matrix");
        assert_eq!(series[2], Series { name: "unknown".into(), points: vec![(1.0, f64::INFINITY)] });
        let include = [regex::Regex::new("peer|unknown").expect("re")];
        let values = reduce(&query("up"), &series, &include);
        assert_eq!(values.len(), 2, "orderer is not included");
        assert_eq!(values["peer0"], Some(10.0), "max 5 x 2; NaN skipped");
        assert_eq!(values["unknown"], Some(f64::INFINITY));
    }

    #[test]
    fn error_answers_say_why() {
        let body = json!({"status": "error", "errorType": "bad_data", "error": "parse error"});
        assert_eq!(parse_answer(&body, "job"), Err("bad_data: parse error".into()));
        let vector = json!({"status": "success", "data": {"resultType": "vector", "result": []}});
        assert_eq!(parse_answer(&vector, "job"), Err("expected a matrix answer, found vector".into()));
        assert!(parse_answer(&json!("<html>"), "job").is_err());
    }
}
