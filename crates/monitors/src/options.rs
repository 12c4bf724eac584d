//! Checks of a monitor's `options` (user-written JSON): every mistake is collected with its
//! key path below `options`, so one pass reports them all.

use caliper_core::monitor::{MonitorError, MonitorOptionError};
use caliper_core::suggest::{json_kind, unknown_keys};
use serde_json::{Map, Value};

/// A module's parsed options, or its mistakes as the error of a factory's `create`.
pub(crate) fn checked<T>(
    module: &str,
    parsed: Result<T, Vec<MonitorOptionError>>,
) -> Result<T, MonitorError> {
    parsed.map_err(|errors| MonitorError::Options { module: module.into(), errors })
}

/// The mistakes of a parse as the lines a user reads (for tests).
#[cfg(test)]
pub(crate) fn texts<T>(parsed: Result<T, Vec<MonitorOptionError>>) -> Vec<String> {
    parsed.err().unwrap_or_default().iter().map(ToString::to_string).collect()
}

/// Collects the mistakes of one monitor's options.
#[derive(Debug, Default)]
pub(crate) struct OptionCheck {
    /// The mistakes so far, in the order found.
    pub(crate) errors: Vec<MonitorOptionError>,
}

impl OptionCheck {
    /// Records a mistake at `path`.
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(MonitorOptionError::new(path, message));
    }

    /// Each key of `map` (at `path`) that is not in `known`, with a did-you-mean.
    pub(crate) fn known_keys(&mut self, path: &str, map: &Map<String, Value>, known: &[&str]) {
        for (key, message) in unknown_keys(map, known) {
            self.error(&format!("{path}.{key}"), message);
        }
    }

    /// `value` as an object, else a mistake.
    pub(crate) fn object<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.error(path, format!("expected a mapping, found {}", json_kind(other)));
                None
            }
        }
    }

    /// `value` as a list, else a mistake.
    pub(crate) fn list<'v>(&mut self, path: &str, value: &'v Value, what: &str) -> Option<&'v [Value]> {
        match value {
            Value::Array(items) => Some(items),
            other => {
                self.error(path, format!("expected a list of {what}, found {}", json_kind(other)));
                None
            }
        }
    }

    /// `value` as a non-empty string, else a mistake.
    pub(crate) fn string<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v str> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            Value::String(_) => {
                self.error(path, "expected a non-empty string");
                None
            }
            other => {
                self.error(path, format!("expected a string, found {}", json_kind(other)));
                None
            }
        }
    }

    /// `value` as a number above zero (a numeric string is accepted, as YAML users write
    /// `"5"`), else a mistake.
    pub(crate) fn positive(&mut self, path: &str, value: &Value) -> Option<f64> {
        let number = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(n) if n.is_finite() && n > 0.0 => Some(n),
            Some(_) => {
                self.error(path, format!("expected a number above 0, found {value}"));
                None
            }
            None => {
                self.error(path, format!("expected a number, found {}", json_kind(value)));
                None
            }
        }
    }

    /// `value` as one of `names`, else a mistake with a did-you-mean.
    pub(crate) fn one_of<'v>(&mut self, path: &str, value: &'v Value, names: &[&str]) -> Option<&'v str> {
        let s = self.string(path, value)?;
        if names.contains(&s) {
            return Some(s);
        }
        let hint = caliper_core::suggest::did_you_mean(s, names.iter().copied())
            .map(|h| format!(" (did you mean \"{h}\"?)"))
            .unwrap_or_default();
        self.error(path, format!("\"{s}\" is not one of {}{hint}", names.join(", ")));
        None
    }

    /// The value of the required `key` of `map` (at `path`), else a mistake saying what it is.
    pub(crate) fn required<'v>(
        &mut self,
        path: &str,
        map: &'v Map<String, Value>,
        key: &str,
        what: &str,
    ) -> Option<&'v Value> {
        let value = map.get(key).filter(|v| !v.is_null());
        if value.is_none() {
            self.error(&format!("{path}.{key}"), format!("missing: {what}"));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::OptionCheck;

    #[test]
    fn collects_every_mistake_with_its_path() {
        let mut check = OptionCheck::default();
        let map = json!({"intervall": 1, "processes": 3});
        let map = map.as_object().expect("object");
        check.known_keys("", map, &["interval", "processes"]);
        check.list(".processes", &map["processes"], "processes");
        check.positive(".interval", &json!(0));
        check.positive(".interval", &json!("2.5"));
        check.one_of(".x", &json!("summ"), &["sum", "avg"]);
        let texts: Vec<String> = check.errors.iter().map(ToString::to_string).collect();
        assert_eq!(texts.len(), 4, "{texts:#?}");
        assert!(
            texts[0].starts_with("options.intervall: unknown key \"intervall\" (did you mean \"interval\"?)")
        );
        assert_eq!(texts[1], "options.processes: expected a list of processes, found a number");
        assert_eq!(texts[2], "options.interval: expected a number above 0, found 0");
        assert_eq!(texts[3], "options.x: \"summ\" is not one of sum, avg (did you mean \"sum\"?)");
    }
}
