//! Reading a controller's `opts`: the checks every controller shares.
//!
//! Caliper reads options loosely (`parseInt`, `||` defaults, unknown keys ignored), so a typo
//! silently runs the wrong load. Here every controller names the keys it knows; an unknown key
//! is an error with a did-you-mean, numbers may be given as numbers or numeric strings (as
//! Caliper accepts them), and a value of the wrong kind says what was expected. A key given as
//! `null` (YAML `tps:` with nothing after it) counts as absent, so its default applies.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use super::{RateContext, RateControlSpec, RateError};
use crate::suggest::did_you_mean;

/// What a TPS option is measured in; every message about one says so.
pub(super) const TPS: &str = "transactions per second (a total for all workers)";

/// A controller's options, checked against the keys it knows.
pub(super) struct Opts<'a> {
    kind: &'static str,
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Opts<'a> {
    /// Checks that `value` is an object (or absent) whose keys are all in `known`.
    pub(super) fn new(kind: &'static str, value: &'a Value, known: &[&str]) -> Result<Self, RateError> {
        let map = match value {
            Value::Null => None,
            Value::Object(map) => Some(map),
            other => {
                return Err(error(
                    "opts",
                    format!("expected an object of options for {kind}, got {}", show(other)),
                ));
            }
        };
        for key in map.into_iter().flat_map(|m| m.keys()) {
            if !known.contains(&key.as_str()) {
                return Err(unknown_key(kind, key, known));
            }
        }
        Ok(Self { kind, map })
    }

    /// The raw value of `key`; `null` counts as absent.
    pub(super) fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    /// An error about `key`, in the shape every option error has.
    pub(super) fn error(&self, key: &str, message: impl Into<String>) -> RateError {
        error(&format!("opts.{key}"), message.into())
    }

    /// The error for a required option that is absent.
    pub(super) fn missing(&self, key: &str, expected: &str) -> RateError {
        self.error(key, format!("required by {}: {expected}", self.kind))
    }

    /// A number that must not be negative, measured in `unit` (for the messages).
    pub(super) fn non_negative(&self, key: &str, unit: &str) -> Result<Option<f64>, RateError> {
        self.value(key).map(|value| non_negative_at(value, &format!("opts.{key}"), unit)).transpose()
    }

    /// A number that must be above zero, measured in `unit` (for the messages).
    pub(super) fn positive(&self, key: &str, unit: &str) -> Result<Option<f64>, RateError> {
        let number = self.non_negative(key, unit)?;
        if number == Some(0.0) {
            return Err(self.error(key, format!("expected a number of {unit} above 0, got 0")));
        }
        Ok(number)
    }

    /// A TPS total that must be above zero; `zero_hint` tells what to use for no load instead.
    pub(super) fn positive_tps(&self, key: &str, zero_hint: &str) -> Result<Option<f64>, RateError> {
        let tps = self.non_negative(key, TPS)?;
        if tps == Some(0.0) {
            return Err(self.error(key, format!("expected {TPS} above 0, got 0; {zero_hint}")));
        }
        Ok(tps)
    }

    /// A duration given in milliseconds (Caliper's unit for sleeps).
    pub(super) fn millis(&self, key: &str) -> Result<Option<Duration>, RateError> {
        Ok(self.non_negative(key, "milliseconds")?.map(|ms| from_secs(ms / 1000.0)))
    }

    /// A boolean; `"true"` and `"false"` are accepted as well, as YAML users write them.
    pub(super) fn flag(&self, key: &str) -> Result<Option<bool>, RateError> {
        let Some(value) = self.value(key) else { return Ok(None) };
        match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            other => Err(self.error(key, format!("expected true or false, got {}", show(other)))),
        }
    }

    /// A non-empty string.
    pub(super) fn text(&self, key: &str) -> Result<Option<&'a str>, RateError> {
        let Some(value) = self.value(key) else { return Ok(None) };
        match value {
            Value::String(s) if !s.trim().is_empty() => Ok(Some(s)),
            other => Err(self.error(key, format!("expected a non-empty string, got {}", show(other)))),
        }
    }

    /// An array.
    pub(super) fn array(&self, key: &str) -> Result<Option<&'a [Value]>, RateError> {
        let Some(value) = self.value(key) else { return Ok(None) };
        match value {
            Value::Array(items) => Ok(Some(items)),
            other => Err(self.error(key, format!("expected a list, got {}", show(other)))),
        }
    }

    /// A nested `{type, opts}` controller description, such as record-rate's `rateController`.
    pub(super) fn spec(&self, key: &str) -> Result<Option<RateControlSpec>, RateError> {
        self.value(key).map(|v| spec_at(v, &format!("opts.{key}"))).transpose()
    }
}

/// A number that must not be negative, such as an element of a list at `path` (for the
/// messages), measured in `unit`.
pub(super) fn non_negative_at(value: &Value, path: &str, unit: &str) -> Result<f64, RateError> {
    let number = number(value)
        .ok_or_else(|| error(path, format!("expected a number of {unit}, got {}", show(value))))?;
    if number < 0.0 {
        return Err(error(path, format!("expected a non-negative number of {unit}, got {}", show(value))));
    }
    Ok(number)
}

/// A nested `{type, opts}` at `path` (for the messages), checked like a top-level `rateControl`.
pub(super) fn spec_at(value: &Value, path: &str) -> Result<RateControlSpec, RateError> {
    let Value::Object(map) = value else {
        return Err(error(path, format!("expected a rate controller {{type, opts}}, got {}", show(value))));
    };
    for key in map.keys() {
        if key != "type" && key != "opts" {
            let hint = match did_you_mean(key, ["type", "opts"]) {
                Some(best) => format!("did you mean {best}? "),
                None => String::new(),
            };
            return Err(error(
                &format!("{path}.{key}"),
                format!("unknown key; {hint}(a rate controller has type and opts)"),
            ));
        }
    }
    let kind = match map.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        None | Some(Value::Null) => {
            return Err(error(&format!("{path}.type"), "required: the name of a rate controller".into()));
        }
        Some(other) => {
            return Err(error(
                &format!("{path}.type"),
                format!("expected a controller name, got {}", show(other)),
            ));
        }
    };
    Ok(RateControlSpec { kind, opts: map.get("opts").cloned().unwrap_or(Value::Null) })
}

/// Places an error of a nested controller below `prefix` (such as `opts.rateControllers[1]`),
/// so the message points at the nested key, not at the outer controller.
pub(super) fn nested(err: RateError, prefix: &str) -> RateError {
    match err {
        RateError::Option { path, message } => error(&format!("{prefix}.{path}"), message),
        unknown @ RateError::UnknownType { .. } => error(&format!("{prefix}.type"), unknown.to_string()),
        file @ RateError::File { .. } => file,
    }
}

/// The record file of `template`: `<R>` is the round index and `<C>` the worker index (both
/// 0-based, as Caliper's code does, whatever its docs say), relative to the workspace.
pub(super) fn record_path(template: &str, ctx: &RateContext) -> PathBuf {
    let round = ctx.round_index.to_string();
    let worker = ctx.worker_index.to_string();
    // Caliper matches the placeholders case-insensitively.
    let path = template
        .replace("<R>", &round)
        .replace("<r>", &round)
        .replace("<C>", &worker)
        .replace("<c>", &worker);
    ctx.workspace.join(path)
}

/// A duration of `secs` seconds: negative or NaN is zero and a huge value saturates, so no user
/// value can make the conversion panic.
pub(super) fn from_secs(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    // `as` saturates at u64::MAX nanoseconds (about 584 years).
    Duration::from_nanos((secs * 1e9).round() as u64)
}

/// A number, or a string that holds one (Caliper `parseInt`s several options).
fn number(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

fn unknown_key(kind: &str, key: &str, known: &[&str]) -> RateError {
    let message = if known.is_empty() {
        format!("unknown option; {kind} takes no options")
    } else {
        let hint = match did_you_mean(key, known.iter().copied()) {
            Some(best) => format!("did you mean {best}? "),
            None => String::new(),
        };
        format!("unknown option for {kind}; {hint}(its options are: {})", known.join(", "))
    };
    error(&format!("opts.{key}"), message)
}

fn error(path: &str, message: String) -> RateError {
    RateError::Option { path: path.to_string(), message }
}

/// A value as the user wrote it, short enough for a one-line message.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 { format!("{}...", text.chars().take(37).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn option_error(err: RateError) -> (String, String) {
        match err {
            RateError::Option { path, message } => (path, message),
            other => panic!("expected an option error, got {other}"),
        }
    }

    #[test]
    fn absent_or_null_opts_are_empty() {
        let null = Value::Null;
        let opts = Opts::new("fixed-rate", &null, &["tps"]).unwrap();
        assert_eq!(opts.non_negative("tps", TPS).unwrap(), None);
        let with_null = json!({"tps": null});
        let opts = Opts::new("fixed-rate", &with_null, &["tps"]).unwrap();
        assert_eq!(opts.non_negative("tps", TPS).unwrap(), None);
    }

    #[test]
    fn opts_that_are_not_an_object_are_rejected() {
        let (path, message) = option_error(Opts::new("fixed-rate", &json!([1]), &["tps"]).err().unwrap());
        assert_eq!(path, "opts");
        assert!(message.contains("expected an object"), "{message}");
    }

    #[test]
    fn unknown_key_suggests_the_close_one() {
        let value = json!({"startingTPS": 5});
        let err = Opts::new("linear-rate", &value, &["startingTps", "finishingTps"]).err().unwrap();
        let (path, message) = option_error(err);
        assert_eq!(path, "opts.startingTPS");
        assert!(message.contains("did you mean startingTps?"), "{message}");
    }

    #[test]
    fn numbers_and_numeric_strings_are_accepted() {
        let value = json!({"a": 10, "b": " 2.5 ", "c": "ten", "d": -1, "e": "-3"});
        let opts = Opts::new("x", &value, &["a", "b", "c", "d", "e"]).unwrap();
        assert_eq!(opts.non_negative("a", TPS).unwrap(), Some(10.0));
        assert_eq!(opts.non_negative("b", TPS).unwrap(), Some(2.5));
        let (_, message) = option_error(opts.non_negative("c", TPS).unwrap_err());
        assert!(message.contains("expected a number of transactions per second"), "{message}");
        let (_, message) = option_error(opts.non_negative("d", TPS).unwrap_err());
        assert!(message.contains("non-negative"), "{message}");
        assert!(opts.non_negative("e", TPS).is_err());
    }

    #[test]
    fn nested_errors_point_at_the_nested_key() {
        let err = nested(error("opts.tps", "bad".into()), "opts.rateControllers[1]");
        assert_eq!(option_error(err).0, "opts.rateControllers[1].opts.tps");
    }

    #[test]
    fn from_secs_never_panics() {
        assert_eq!(from_secs(-1.0), Duration::ZERO);
        assert_eq!(from_secs(f64::NAN), Duration::ZERO);
        assert_eq!(from_secs(0.002), Duration::from_millis(2));
        assert!(from_secs(f64::INFINITY) > Duration::from_secs(1 << 33));
    }

    #[test]
    fn record_path_fills_round_and_worker() {
        let ctx = RateContext {
            round_index: 2,
            round_label: "r".into(),
            worker_index: 1,
            total_workers: 2,
            tx_number: None,
            tx_duration: None,
            workspace: PathBuf::from("/ws"),
        };
        assert_eq!(record_path("out/rec-<R>-<c>.txt", &ctx), PathBuf::from("/ws/out/rec-2-1.txt"));
        assert_eq!(record_path("/abs/<C>", &ctx), PathBuf::from("/abs/1"));
    }
}
