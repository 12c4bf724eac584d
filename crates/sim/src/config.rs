//! The `sim` section of the network configuration: latencies, failures, capacity and seed of
//! the simulated SUT. Every key is optional; a key set to `null` takes its default.
//!
//! ```yaml
//! sim:
//!   latency: {mean: 20, spread: 5}   # or {fixed: ms}, {percentiles: {p50: ms, ...}}, or a number
//!   readLatency: {fixed: 2}          # default: the same as latency
//!   failureRatio: 0.01               # 0.0..=1.0, default 0
//!   failureClass: rejected           # an error class, default rejected
//!   capacity: 5000                   # write tx/s per worker; default unlimited
//!   totalCapacity: 5000              # or: write tx/s of the whole SUT, shared out among workers
//!   queueLimit: 100                  # writes that may wait for the server; default unlimited
//!   seed: 42                         # default: from entropy
//! ```

use std::time::Duration;

use caliper_core::ErrorClass;
use caliper_core::connector::ConnectorError;
use caliper_core::suggest::did_you_mean;
use serde_json::{Map, Value};

use crate::json::{as_seed, kind, unknown_keys};
use crate::latency::LatencyModel;

/// The keys of the `sim` section.
const KEYS: [&str; 8] = [
    "latency",
    "readLatency",
    "failureRatio",
    "failureClass",
    "capacity",
    "totalCapacity",
    "queueLimit",
    "seed",
];

/// Every error class, in the order they are listed in messages.
const CLASSES: [ErrorClass; ErrorClass::ALL.len()] = ErrorClass::ALL;

/// The longest service time a capacity may imply (one transaction per hour).
const MAX_SERVICE_TIME: Duration = Duration::from_secs(3600);

/// The validated `sim` section of a network configuration.
///
/// The default is the zero-latency SUT that never fails and has unlimited capacity, the one
/// used to measure the generator's ceiling.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub(crate) latency: LatencyModel,
    pub(crate) read_latency: LatencyModel,
    pub(crate) failure_ratio: f64,
    pub(crate) failure_class: ErrorClass,
    pub(crate) capacity: Option<f64>,
    pub(crate) service_time: Option<Duration>,
    /// `totalCapacity`: write tx/s of the whole SUT, each of n workers serving a share of 1/n.
    pub(crate) total_capacity: Option<f64>,
    /// `queueLimit`: the most writes waiting for the server; one more is refused.
    pub(crate) queue_limit: Option<u64>,
    pub(crate) seed: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            latency: LatencyModel::default(),
            read_latency: LatencyModel::default(),
            failure_ratio: 0.0,
            failure_class: ErrorClass::Rejected,
            capacity: None,
            service_time: None,
            total_capacity: None,
            queue_limit: None,
            seed: None,
        }
    }
}

impl SimConfig {
    /// Reads the top-level `sim` section of a whole network configuration (`NetworkConfig::raw`).
    /// A missing or `null` section gives the defaults.
    ///
    /// Errors are [`ConnectorError::Config`] with the key path (such as `sim.latency.mean`) and
    /// what was expected; an unknown key is an error with a did-you-mean.
    pub fn from_network(network: &Value) -> Result<Self, ConnectorError> {
        Self::check(network).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Like [`SimConfig::from_network`], with every mistake of the section (never an empty
    /// list): what the check before the start command reports.
    pub fn check(network: &Value) -> Result<Self, Vec<ConnectorError>> {
        match network.get("sim") {
            None | Some(Value::Null) => Ok(SimConfig::default()),
            Some(Value::Object(section)) => Self::from_section(section),
            Some(other) => Err(vec![config("sim", format!("expected an object, got {}", kind(other)))]),
        }
    }

    fn from_section(section: &Map<String, Value>) -> Result<Self, Vec<ConnectorError>> {
        let mut errors: Vec<ConnectorError> = unknown_keys(section, &KEYS)
            .into_iter()
            .map(|(key, message)| config(format!("sim.{key}"), message))
            .collect();
        let mut keep = |result: Result<(), ConnectorError>| {
            if let Err(e) = result {
                errors.push(e);
            }
        };
        let get = |key: &str| section.get(key).filter(|v| !v.is_null());
        let mut sim = SimConfig::default();
        if let Some(latency) = get("latency") {
            keep(LatencyModel::parse(latency, "sim.latency").map(|l| sim.latency = l));
        }
        sim.read_latency = sim.latency.clone();
        if let Some(latency) = get("readLatency") {
            keep(LatencyModel::parse(latency, "sim.readLatency").map(|l| sim.read_latency = l));
        }
        if let Some(ratio) = get("failureRatio") {
            keep(failure_ratio(ratio).map(|r| sim.failure_ratio = r));
        }
        if let Some(class) = get("failureClass") {
            keep(parse_class(class).map(|c| sim.failure_class = c));
        }
        if let Some(capacity) = get("capacity") {
            keep(parse_capacity(capacity, "sim.capacity").map(|(tps, service)| {
                sim.capacity = Some(tps);
                sim.service_time = Some(service);
            }));
        }
        if let Some(total) = get("totalCapacity") {
            keep(parse_capacity(total, "sim.totalCapacity").map(|(tps, _)| sim.total_capacity = Some(tps)));
            if get("capacity").is_some() {
                keep(Err(config(
                    "sim.totalCapacity",
                    "give either capacity (each worker's SUT) or totalCapacity (the whole SUT, shared out), not both",
                )));
            }
        }
        if let Some(limit) = get("queueLimit") {
            match limit.as_u64() {
                Some(limit) => sim.queue_limit = Some(limit),
                None => keep(Err(config(
                    "sim.queueLimit",
                    format!("expected a whole number of writes from 0 up, got {}", describe(limit)),
                ))),
            }
            if get("capacity").is_none() && get("totalCapacity").is_none() {
                keep(Err(config(
                    "sim.queueLimit",
                    "a queue needs a server: give capacity or totalCapacity too",
                )));
            }
        }
        if let Some(seed) = get("seed") {
            keep(
                as_seed(seed).map(|s| sim.seed = Some(s)).ok_or_else(|| {
                    config("sim.seed", format!("expected an integer, got {}", describe(seed)))
                }),
            );
        }
        if errors.is_empty() { Ok(sim) } else { Err(errors) }
    }

    /// `failureRatio`: the share of requests that fail (0 to 1).
    pub fn failure_ratio(&self) -> f64 {
        self.failure_ratio
    }

    /// `failureClass`: the class of the failures drawn with `failureRatio`.
    pub fn failure_class(&self) -> ErrorClass {
        self.failure_class
    }

    /// `capacity`: write transactions per second one worker's SUT processes; `None` is unlimited.
    pub fn capacity(&self) -> Option<f64> {
        self.capacity
    }

    /// `seed`: the base of each worker's random seed (`seed + worker index`); `None` is entropy.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// Whether every request completes at once: zero latencies, no failures, no capacity.
    pub fn is_instant(&self) -> bool {
        self.latency.is_zero()
            && self.read_latency.is_zero()
            && self.capacity.is_none()
            && self.total_capacity.is_none()
            && self.failure_ratio == 0.0
    }
}

fn failure_ratio(ratio: &Value) -> Result<f64, ConnectorError> {
    match ratio.as_f64() {
        Some(r) if (0.0..=1.0).contains(&r) => Ok(r),
        Some(r) => Err(config("sim.failureRatio", format!("expected a number from 0 to 1, got {r}"))),
        None => {
            Err(config("sim.failureRatio", format!("expected a number from 0 to 1, got {}", kind(ratio))))
        }
    }
}

/// `capacity` in write transactions per second, and the service time it implies.
fn parse_capacity(capacity: &Value, key: &str) -> Result<(f64, Duration), ConnectorError> {
    let tps = capacity.as_f64().filter(|c| c.is_finite() && *c > 0.0);
    let service =
        tps.and_then(|c| Duration::try_from_secs_f64(1.0 / c).ok()).filter(|s| *s <= MAX_SERVICE_TIME);
    match (tps, service) {
        (Some(tps), Some(service)) => Ok((tps, service)),
        _ => Err(config(
            key,
            format!(
                "expected a number of write transactions per second above 0 (at least one per hour), got {}",
                describe(capacity)
            ),
        )),
    }
}

/// An error class by its name, as written in results (`rejected`, `timeout`, ...).
fn parse_class(value: &Value) -> Result<ErrorClass, ConnectorError> {
    let names = CLASSES.map(ErrorClass::as_str);
    let Some(name) = value.as_str() else {
        return Err(config(
            "sim.failureClass",
            format!("expected one of {}, got {}", names.join(", "), kind(value)),
        ));
    };
    if let Some(class) = ErrorClass::from_name(name) {
        return Ok(class);
    }
    let mut message = format!("unknown error class \"{name}\"");
    if let Some(best) = did_you_mean(name, names) {
        message.push_str(&format!(" (did you mean \"{best}\"?)"));
    }
    message.push_str(&format!("; expected one of {}", names.join(", ")));
    Err(config("sim.failureClass", message))
}

/// The kind of `value`, with the number itself when it is one.
fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => kind(other).to_string(),
    }
}

fn config(path: impl Into<String>, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config { path: path.into(), message: message.into() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn error(network: Value) -> (String, String) {
        match SimConfig::from_network(&network) {
            Err(ConnectorError::Config { path, message }) => (path, message),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_when_absent() {
        for network in
            [json!({}), json!({"sim": null}), json!({"sim": {}}), json!({"sim": {"capacity": null}})]
        {
            let sim = SimConfig::from_network(&network).unwrap();
            assert!(sim.is_instant());
            assert_eq!(sim.failure_class(), ErrorClass::Rejected);
            assert_eq!(sim.failure_ratio(), 0.0);
            assert_eq!(sim.capacity(), None);
            assert_eq!(sim.seed(), None);
        }
    }

    #[test]
    fn reads_every_key() {
        let sim = SimConfig::from_network(&json!({"sim": {
            "latency": {"fixed": 5},
            "readLatency": {"percentiles": {"p50": 1, "p99": 3}},
            "failureRatio": 0.25,
            "failureClass": "timeout",
            "capacity": 1000,
            "seed": 42,
        }}))
        .unwrap();
        assert!(matches!(sim.latency, LatencyModel::Fixed(d) if d == Duration::from_millis(5)));
        assert!(matches!(sim.read_latency, LatencyModel::Percentiles(_)));
        assert_eq!(sim.failure_ratio(), 0.25);
        assert_eq!(sim.failure_class(), ErrorClass::Timeout);
        assert_eq!(sim.capacity(), Some(1000.0));
        assert_eq!(sim.service_time, Some(Duration::from_millis(1)));
        assert_eq!(sim.seed(), Some(42));
        assert!(!sim.is_instant());
    }

    #[test]
    fn read_latency_defaults_to_latency() {
        let sim = SimConfig::from_network(&json!({"sim": {"latency": 3}})).unwrap();
        assert!(matches!(sim.read_latency, LatencyModel::Fixed(d) if d == Duration::from_millis(3)));
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        let (path, message) = error(json!({"sim": {"latncy": {"fixed": 1}}}));
        assert_eq!(path, "sim.latncy");
        assert!(message.contains("did you mean \"latency\""), "{message}");

        let (path, message) = error(json!({"sim": {"latency": {"mean": "slow", "spread": 1}}}));
        assert_eq!(path, "sim.latency.mean");
        assert!(message.contains("expected a number of milliseconds"), "{message}");

        assert_eq!(error(json!({"sim": {"readLatency": {"fixed": -1}}})).0, "sim.readLatency.fixed");
        assert_eq!(error(json!({"sim": 5})).0, "sim");

        let (path, message) = error(json!({"sim": {"failureRatio": 1.5}}));
        assert_eq!(path, "sim.failureRatio");
        assert!(message.contains("from 0 to 1, got 1.5"), "{message}");
        assert_eq!(error(json!({"sim": {"failureRatio": "10%"}})).0, "sim.failureRatio");

        let (path, message) = error(json!({"sim": {"failureClass": "rejectd"}}));
        assert_eq!(path, "sim.failureClass");
        assert!(message.contains("did you mean \"rejected\""), "{message}");
        assert_eq!(error(json!({"sim": {"failureClass": 3}})).0, "sim.failureClass");

        for capacity in [json!(0), json!(-5), json!("fast"), json!(1e-9)] {
            assert_eq!(error(json!({"sim": {"capacity": capacity}})).0, "sim.capacity");
        }
        let (path, message) = error(json!({"sim": {"seed": 1.5}}));
        assert_eq!(path, "sim.seed");
        assert!(message.contains("expected an integer, got 1.5"), "{message}");
    }

    #[test]
    fn every_class_name_is_accepted() {
        for class in CLASSES {
            let sim = SimConfig::from_network(&json!({"sim": {"failureClass": class.as_str()}})).unwrap();
            assert_eq!(sim.failure_class(), class);
        }
    }

    #[test]
    fn check_reports_every_mistake_of_the_section() {
        let errors = SimConfig::check(&json!({"sim": {
            "latncy": 1,
            "readLatency": {"fixed": "slow"},
            "failureRatio": 2,
            "capacity": 0,
            "seed": "x",
        }}))
        .unwrap_err();
        let paths: Vec<String> = errors
            .iter()
            .map(|e| match e {
                ConnectorError::Config { path, .. } => path.clone(),
                other => panic!("expected a config error, got {other:?}"),
            })
            .collect();
        assert_eq!(
            paths,
            ["sim.latncy", "sim.readLatency.fixed", "sim.failureRatio", "sim.capacity", "sim.seed"]
        );
        assert!(SimConfig::check(&json!({"sim": {"latency": 5}})).is_ok());
    }
}
