//! Latency models of the simulated SUT: a fixed latency, a log-normal distribution given by
//! its mean and standard deviation, or a piecewise-linear inverse CDF through given
//! percentiles. Values are written in milliseconds and kept as [`Duration`]s.

use std::time::Duration;

use caliper_core::connector::ConnectorError;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use serde_json::{Map, Value};

use crate::json::{kind, unknown_key};

/// The largest latency accepted or sampled, in milliseconds (one hour).
pub(crate) const MAX_LATENCY_MS: f64 = 3_600_000.0;

/// The keys of a latency object.
const FORMS: [&str; 4] = ["fixed", "mean", "spread", "percentiles"];

/// What a latency setting may look like, for error messages.
const EXPECTED: &str =
    "expected {fixed: <ms>}, {mean: <ms>, spread: <ms>} or {percentiles: {p50: <ms>, p90: <ms>, ...}}";

/// How long the simulated SUT takes to answer a request.
#[derive(Debug, Clone)]
pub(crate) enum LatencyModel {
    /// Always the same latency (zero means the request completes without sleeping).
    Fixed(Duration),
    /// Log-normal with the configured mean and standard deviation (always positive, so the
    /// truncation at 0 is never needed).
    LogNormal(LogNormal<f64>),
    /// `(percent, ms)` points sorted by percent, the first at percent 0; linear in between,
    /// the last value above the last point.
    Percentiles(Vec<(f64, f64)>),
}

impl Default for LatencyModel {
    fn default() -> Self {
        LatencyModel::Fixed(Duration::ZERO)
    }
}

impl LatencyModel {
    /// Reads a latency setting at `path` (such as `sim.latency`): a number (fixed), or one of
    /// the three object forms.
    pub(crate) fn parse(value: &Value, path: &str) -> Result<Self, ConnectorError> {
        match value {
            Value::Number(_) => Ok(LatencyModel::Fixed(to_duration(millis(value, path)?))),
            Value::Object(map) => {
                if let Some((key, message)) = unknown_key(map, &FORMS) {
                    return Err(config(format!("{path}.{key}"), message));
                }
                let fixed = map.contains_key("fixed");
                let mean = map.contains_key("mean") || map.contains_key("spread");
                let percentiles = map.contains_key("percentiles");
                match (fixed, mean, percentiles) {
                    (true, false, false) => {
                        let ms = millis(&map["fixed"], &format!("{path}.fixed"))?;
                        Ok(LatencyModel::Fixed(to_duration(ms)))
                    }
                    (false, true, false) => log_normal(map, path),
                    (false, false, true) => {
                        percentile_points(&map["percentiles"], &format!("{path}.percentiles"))
                    }
                    (false, false, false) => Err(config(path, format!("{EXPECTED}, got an empty object"))),
                    _ => Err(config(
                        path,
                        format!(
                            "give only one form: {EXPECTED}, got the keys {}",
                            map.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
            other => {
                Err(config(path, format!("{EXPECTED}, or a number of milliseconds; got {}", kind(other))))
            }
        }
    }

    /// Whether every sample is zero (the request then completes without sleeping).
    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, LatencyModel::Fixed(d) if d.is_zero())
    }

    /// Draws one latency. A fixed latency draws nothing from `rng`.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        match self {
            LatencyModel::Fixed(latency) => *latency,
            LatencyModel::LogNormal(dist) => to_duration(dist.sample(rng)),
            LatencyModel::Percentiles(points) => {
                to_duration(inverse_cdf(points, rng.random::<f64>() * 100.0))
            }
        }
    }
}

/// The latency at percentile `p` (0..100) of the piecewise-linear curve through `points`.
fn inverse_cdf(points: &[(f64, f64)], p: f64) -> f64 {
    let mut previous = (0.0, 0.0);
    for &(percent, ms) in points {
        if p <= percent {
            let (p0, v0) = previous;
            let width = percent - p0;
            return if width > 0.0 { v0 + (ms - v0) * (p - p0) / width } else { ms };
        }
        previous = (percent, ms);
    }
    previous.1
}

/// `{mean, spread}`: log-normal, or fixed when the spread is 0.
fn log_normal(map: &Map<String, Value>, path: &str) -> Result<LatencyModel, ConnectorError> {
    let mean_path = format!("{path}.mean");
    let Some(mean) = map.get("mean") else {
        return Err(config(mean_path, "missing: a spread needs a mean (both in milliseconds)"));
    };
    let mean = millis(mean, &mean_path)?;
    let spread = match map.get("spread") {
        Some(spread) => millis(spread, &format!("{path}.spread"))?,
        None => 0.0,
    };
    if spread == 0.0 {
        return Ok(LatencyModel::Fixed(to_duration(mean)));
    }
    if mean == 0.0 {
        return Err(config(
            mean_path,
            "expected a mean above 0 when the spread is above 0 (a log-normal latency is positive)",
        ));
    }
    LogNormal::from_mean_cv(mean, spread / mean).map(LatencyModel::LogNormal).map_err(|e| {
        config(path, format!("no log-normal distribution with mean {mean} and spread {spread}: {e}"))
    })
}

/// `{p50: ms, p90: ms, ...}`: the points of the inverse CDF, starting from 0 ms at p0.
fn percentile_points(value: &Value, path: &str) -> Result<LatencyModel, ConnectorError> {
    let Value::Object(map) = value else {
        return Err(config(
            path,
            format!("expected an object such as {{p50: 10, p99: 40}}, got {}", kind(value)),
        ));
    };
    if map.is_empty() {
        return Err(config(path, "expected at least one percentile, such as {p50: 10, p99: 40}"));
    }
    let mut points: Vec<(f64, f64, &str)> = Vec::with_capacity(map.len() + 1);
    for (key, ms) in map {
        let key_path = format!("{path}.{key}");
        let percent = key
            .strip_prefix('p')
            .and_then(|p| p.parse::<f64>().ok())
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| {
                config(&key_path, "expected a percentile name from p0 to p100, such as \"p50\" or \"p99.9\"")
            })?;
        if let Some((_, _, other)) = points.iter().find(|(p, _, _)| *p == percent) {
            return Err(config(&key_path, format!("the same percentile as \"{other}\"")));
        }
        points.push((percent, millis(ms, &key_path)?, key));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in points.windows(2) {
        let ((_, low, low_key), (_, high, high_key)) = (pair[0], pair[1]);
        if high < low {
            return Err(config(
                format!("{path}.{high_key}"),
                format!(
                    "{high} ms is below {low_key} ({low} ms): latencies must not decrease as the percentile rises"
                ),
            ));
        }
    }
    let mut curve: Vec<(f64, f64)> = points.into_iter().map(|(p, ms, _)| (p, ms)).collect();
    if curve[0].0 > 0.0 {
        curve.insert(0, (0.0, 0.0));
    }
    Ok(LatencyModel::Percentiles(curve))
}

/// A number of milliseconds from 0 to [`MAX_LATENCY_MS`].
fn millis(value: &Value, path: &str) -> Result<f64, ConnectorError> {
    match value.as_f64() {
        Some(ms) if (0.0..=MAX_LATENCY_MS).contains(&ms) => Ok(ms),
        Some(ms) => Err(config(
            path,
            format!("expected a number of milliseconds from 0 to {MAX_LATENCY_MS}, got {ms}"),
        )),
        None => Err(config(
            path,
            format!("expected a number of milliseconds from 0 to {MAX_LATENCY_MS}, got {}", kind(value)),
        )),
    }
}

/// Milliseconds as a duration, clamped to 0..=[`MAX_LATENCY_MS`] (NaN is 0).
fn to_duration(ms: f64) -> Duration {
    Duration::from_nanos((ms.clamp(0.0, MAX_LATENCY_MS) * 1e6) as u64)
}

fn config(path: impl Into<String>, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config { path: path.into(), message: message.into() }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<LatencyModel, ConnectorError> {
        LatencyModel::parse(&value, "sim.latency")
    }

    fn error_path(value: Value) -> (String, String) {
        match parse(value) {
            Err(ConnectorError::Config { path, message }) => (path, message),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn fixed_forms() {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut rng = SmallRng::seed_from_u64(1);
        assert_eq!(ms(parse(json!({"fixed": 5})).unwrap().sample(&mut rng)), 5.0);
        assert_eq!(ms(parse(json!(2.5)).unwrap().sample(&mut rng)), 2.5);
        assert_eq!(ms(parse(json!({"mean": 7})).unwrap().sample(&mut rng)), 7.0);
        assert_eq!(ms(parse(json!({"mean": 7, "spread": 0})).unwrap().sample(&mut rng)), 7.0);
        assert!(parse(json!({"fixed": 0})).unwrap().is_zero());
        assert!(!parse(json!({"fixed": 1})).unwrap().is_zero());
    }

    #[test]
    fn log_normal_has_the_mean_and_spread() {
        let model = parse(json!({"mean": 20, "spread": 5})).unwrap();
        let mut rng = SmallRng::seed_from_u64(7);
        let samples: Vec<f64> = (0..200_000).map(|_| model.sample(&mut rng).as_secs_f64() * 1000.0).collect();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        let var = samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / samples.len() as f64;
        assert!((mean - 20.0).abs() < 0.1, "mean {mean}");
        assert!((var.sqrt() - 5.0).abs() < 0.1, "spread {}", var.sqrt());
        assert!(samples.iter().all(|s| *s > 0.0));
    }

    #[test]
    fn percentiles_interpolate_from_zero() {
        let LatencyModel::Percentiles(points) =
            parse(json!({"percentiles": {"p90": 30, "p50": 10, "p99": 100}})).unwrap()
        else {
            panic!("not percentiles")
        };
        assert_eq!(points, vec![(0.0, 0.0), (50.0, 10.0), (90.0, 30.0), (99.0, 100.0)]);
        assert_eq!(inverse_cdf(&points, 25.0), 5.0);
        assert_eq!(inverse_cdf(&points, 50.0), 10.0);
        assert_eq!(inverse_cdf(&points, 70.0), 20.0);
        assert_eq!(inverse_cdf(&points, 99.5), 100.0);
        let LatencyModel::Percentiles(points) = parse(json!({"percentiles": {"p0": 4, "p100": 8}})).unwrap()
        else {
            panic!("not percentiles")
        };
        assert_eq!(inverse_cdf(&points, 0.0), 4.0);
        assert_eq!(inverse_cdf(&points, 50.0), 6.0);
    }

    #[test]
    fn percentile_samples_follow_the_curve() {
        let model = parse(json!({"percentiles": {"p50": 10, "p90": 30, "p99": 100}})).unwrap();
        let mut rng = SmallRng::seed_from_u64(3);
        let mut samples: Vec<f64> =
            (0..100_000).map(|_| model.sample(&mut rng).as_secs_f64() * 1000.0).collect();
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| samples[(q * samples.len() as f64) as usize];
        assert!((at(0.5) - 10.0).abs() < 0.3, "p50 {}", at(0.5));
        assert!((at(0.9) - 30.0).abs() < 1.0, "p90 {}", at(0.9));
        assert!(*samples.last().unwrap() <= 100.0);
    }

    #[test]
    fn errors_name_the_path_and_what_was_expected() {
        let (path, message) = error_path(json!({"mean": "x", "spread": 1}));
        assert_eq!(path, "sim.latency.mean");
        assert!(message.contains("expected a number of milliseconds"), "{message}");
        assert!(message.contains("got a string"), "{message}");

        assert_eq!(error_path(json!({"mean": -1})).0, "sim.latency.mean");
        assert_eq!(error_path(json!({"spread": 1})).0, "sim.latency.mean");
        assert_eq!(error_path(json!({"mean": 0, "spread": 1})).0, "sim.latency.mean");
        assert_eq!(error_path(json!({"fixed": 1e12})).0, "sim.latency.fixed");

        let (path, message) = error_path(json!({"fixd": 1}));
        assert_eq!(path, "sim.latency.fixd");
        assert!(message.contains("did you mean \"fixed\""), "{message}");

        let (path, message) = error_path(json!({"fixed": 1, "mean": 2}));
        assert_eq!(path, "sim.latency");
        assert!(message.contains("only one form"), "{message}");

        assert_eq!(error_path(json!({})).0, "sim.latency");
        assert_eq!(error_path(json!("5ms")).0, "sim.latency");
        assert_eq!(error_path(json!({"percentiles": {}})).0, "sim.latency.percentiles");
        assert_eq!(error_path(json!({"percentiles": [1]})).0, "sim.latency.percentiles");
        assert_eq!(error_path(json!({"percentiles": {"median": 1}})).0, "sim.latency.percentiles.median");
        assert_eq!(error_path(json!({"percentiles": {"p101": 1}})).0, "sim.latency.percentiles.p101");
        assert_eq!(
            error_path(json!({"percentiles": {"p50": 1, "p50.0": 2}})).0,
            "sim.latency.percentiles.p50.0"
        );
        let (path, message) = error_path(json!({"percentiles": {"p50": 20, "p90": 10}}));
        assert_eq!(path, "sim.latency.percentiles.p90");
        assert!(message.contains("below p50"), "{message}");
    }
}
