//! Reading an observer's `options`: every mistake collected with its key path, and the options
//! the Prometheus observers share (`defaultLabels`, `histogramBuckets`).

use caliper_core::suggest::did_you_mean;
use caliper_core::tx_observer::{ObserverError, ObserverOptionError};
use serde_json::{Map, Value};

/// Reads one observer's options, collecting a mistake per key instead of stopping at the
/// first.
pub(crate) struct Options<'a> {
    map: &'a Map<String, Value>,
    pub(crate) errors: Vec<ObserverOptionError>,
}

impl<'a> Options<'a> {
    /// The options of a module that knows `keys`; every other key is a mistake.
    pub(crate) fn new(map: &'a Map<String, Value>, keys: &[&str]) -> Self {
        let mut options = Options { map, errors: Vec::new() };
        for key in map.keys().filter(|k| !keys.contains(&k.as_str())) {
            let hint = did_you_mean(key, keys.iter().copied())
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            options.error(
                &format!(".{key}"),
                format!("unknown option{hint}; expected one of: {}", keys.join(", ")),
            );
        }
        options
    }

    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(ObserverOptionError { path: path.to_string(), message: message.into() });
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string option.
    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.error(&format!(".{key}"), format!("expected a string, got {other}"));
                None
            }
        }
    }

    /// A whole number from `min` to `max`.
    pub(crate) fn integer(&mut self, key: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.get(key)?;
        match value.as_u64().filter(|n| (min..=max).contains(n)) {
            Some(n) => Some(n),
            None => {
                self.error(
                    &format!(".{key}"),
                    format!("expected a whole number from {min} to {max}, got {value}"),
                );
                None
            }
        }
    }

    /// `defaultLabels`: an object whose values are strings, numbers or booleans.
    pub(crate) fn labels(&mut self) -> Vec<(String, String)> {
        let Some(value) = self.get("defaultLabels") else { return Vec::new() };
        let Value::Object(map) = value else {
            self.error(".defaultLabels", format!("expected an object of labels, got {value}"));
            return Vec::new();
        };
        let mut labels = Vec::new();
        for (name, value) in map {
            let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with("__");
            let text = match value {
                Value::String(s) => Some(s.clone()),
                Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
                _ => None,
            };
            match (valid_name, text) {
                (false, _) => self.error(
                    &format!(".defaultLabels.{name}"),
                    "not a Prometheus label name (letters, digits and _, not starting with a digit or __)",
                ),
                (true, None) => {
                    self.error(&format!(".defaultLabels.{name}"), format!("expected a string, got {value}"))
                }
                (true, Some(text)) => labels.push((name.clone(), text)),
            }
        }
        labels
    }

    /// `histogramBuckets` (seconds): `{explicit: [..]}`, `{linear: {start, width, count}}` or
    /// `{exponential: {start, factor, count}}`; Caliper's default is linear 0.1, 0.5, 10.
    pub(crate) fn buckets(&mut self) -> Vec<f64> {
        let default = linear(0.1, 0.5, 10);
        let Some(value) = self.get("histogramBuckets") else { return default };
        let path = ".histogramBuckets";
        let Some((kind, spec)) = value.as_object().filter(|m| m.len() == 1).and_then(|m| m.iter().next())
        else {
            self.error(path, "expected one of {explicit: [...]}, {linear: {start, width, count}}, {exponential: {start, factor, count}}");
            return default;
        };
        let number = |errors: &mut Self, key: &str, positive: bool| -> Option<f64> {
            let v =
                spec.get(key).and_then(Value::as_f64).filter(|v| v.is_finite() && (!positive || *v > 0.0));
            if v.is_none() {
                let what = if positive { "a number above 0" } else { "a number" };
                errors.error(&format!("{path}.{kind}.{key}"), format!("expected {what}"));
            }
            v
        };
        let count = |errors: &mut Self| -> Option<usize> {
            let v = spec.get("count").and_then(Value::as_u64).filter(|c| (1..=1000).contains(c));
            if v.is_none() {
                errors.error(&format!("{path}.{kind}.count"), "expected a whole number from 1 to 1000");
            }
            v.map(|c| c as usize)
        };
        let buckets = match kind.as_str() {
            "explicit" => match spec.as_array() {
                Some(list) if !list.is_empty() => {
                    let values: Option<Vec<f64>> =
                        list.iter().map(|v| v.as_f64().filter(|v| v.is_finite())).collect();
                    match values {
                        Some(v) if v.windows(2).all(|w| w[0] < w[1]) => Some(v),
                        _ => {
                            self.error(&format!("{path}.explicit"), "expected increasing numbers (seconds)");
                            None
                        }
                    }
                }
                _ => {
                    self.error(
                        &format!("{path}.explicit"),
                        "expected a list of increasing numbers (seconds)",
                    );
                    None
                }
            },
            "linear" => match (number(self, "start", false), number(self, "width", true), count(self)) {
                (Some(start), Some(width), Some(count)) => Some(linear(start, width, count)),
                _ => None,
            },
            "exponential" => {
                let start = number(self, "start", true);
                let factor = number(self, "factor", true).filter(|f| *f > 1.0);
                if spec.get("factor").and_then(Value::as_f64).is_some_and(|f| f > 0.0 && f <= 1.0) {
                    self.error(&format!("{path}.exponential.factor"), "expected a number above 1");
                }
                match (start, factor, count(self)) {
                    (Some(start), Some(factor), Some(count)) => {
                        Some((0..count).map(|i| start * factor.powi(i as i32)).collect())
                    }
                    _ => None,
                }
            }
            other => {
                self.error(
                    &format!("{path}.{other}"),
                    "unknown kind; expected explicit, linear or exponential",
                );
                None
            }
        };
        buckets.unwrap_or(default)
    }

    /// The options read, or every mistake found.
    pub(crate) fn done<T>(self, value: T) -> Result<T, Vec<ObserverOptionError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }
}

/// The error of an observer created with options its check would have refused (the check runs
/// before the run; a worker of another version may still get them).
pub(crate) fn invalid(module: &str, errors: Vec<ObserverOptionError>) -> ObserverError {
    ObserverError {
        module: module.into(),
        message: errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    }
}

/// `count` buckets from `start`, `width` apart (prom-client's `linearBuckets`).
fn linear(start: f64, width: f64, count: usize) -> Vec<f64> {
    (0..count).map(|i| start + width * i as f64).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn buckets_of_each_kind_and_caliper_s_default() {
        let read = |v: Value| {
            let m = map(json!({ "histogramBuckets": v }));
            let mut o = Options::new(&m, &["histogramBuckets"]);
            let b = o.buckets();
            (b, o.errors.len())
        };
        let m = Map::new();
        let (default, _) = (Options::new(&m, &[]).buckets(), 0);
        assert_eq!(default.len(), 10);
        assert!((default[9] - 4.6).abs() < 1e-9, "prom-client's linearBuckets(0.1, 0.5, 10)");
        assert_eq!(read(json!({"explicit": [0.01, 0.1, 1]})), (vec![0.01, 0.1, 1.0], 0));
        assert_eq!(read(json!({"exponential": {"start": 0.01, "factor": 10, "count": 3}})).0.len(), 3);
        assert_eq!(read(json!({"explicit": [1, 0.5]})).1, 1);
        assert_eq!(read(json!({"linear": {"start": 0, "width": -1, "count": 0}})).1, 2);
        assert_eq!(read(json!({"cubic": {}})).1, 1);
    }

    #[test]
    fn every_mistake_is_named() {
        let m = map(json!({"pushUrll": "x", "defaultLabels": {"9x": "a", "ok": {"no": 1}}, "n": "1"}));
        let mut o = Options::new(&m, &["pushUrl", "defaultLabels", "n"]);
        o.labels();
        o.integer("n", 1, 10);
        let paths: Vec<String> = o.errors.iter().map(|e| e.path.clone()).collect();
        assert_eq!(paths, [".pushUrll", ".defaultLabels.9x", ".defaultLabels.ok", ".n"]);
        assert!(o.errors[0].message.contains("did you mean \"pushUrl\""));
    }
}
