//! `sim-mix`: the built-in Rust workload for the simulated SUT. Each transaction is a write
//! or a read of a random key of this worker, in the proportions given by
//! `workload.arguments`:
//!
//! ```yaml
//! arguments:
//!   mix: {write: 1, read: 3}   # weights; default writes only
//!   keys: 1000                 # distinct keys per worker (w<worker>-k<i>), default 1000
//!   batch: 1                   # requests per submitTransaction, default 1
//!   seed: 7                    # optional: repeatable choices (seed + worker index)
//! ```
//!
//! It works with any connector that accepts the simulated SUT's requests.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use async_trait::async_trait;
use caliper_core::connector::Connector;
use caliper_core::workload::{WorkloadError, WorkloadInit, WorkloadModule};
use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::{Map, Value};

use crate::decimal::push_decimal;
use crate::json::{as_seed, kind, unknown_keys};
use crate::rng::small_rng;

/// The name `sim-mix` is registered under in the binary's workload registry.
pub const SIM_MIX: &str = "sim-mix";

/// The largest `batch` accepted.
const MAX_BATCH: u64 = 100_000;

/// A new instance of the `sim-mix` workload (a [`caliper_core::workload::WorkloadFactory`]).
pub fn sim_mix_workload() -> Box<dyn WorkloadModule> {
    Box::new(SimMix { running: None })
}

/// The `sim-mix` workload module; it does nothing until initialized.
struct SimMix {
    running: Option<Running>,
}

/// What an initialized round holds.
struct Running {
    adapter: Arc<dyn Connector>,
    args: MixArgs,
    /// `w<worker index>-k`, the start of every key.
    prefix: String,
    /// The worker's choices; borrowed only between awaits (the round runs on one thread).
    rng: RefCell<SmallRng>,
    /// The value of the next write.
    next_value: Cell<u64>,
}

/// The validated `workload.arguments`.
#[derive(Debug, Clone, PartialEq)]
struct MixArgs {
    /// The share of reads, 0 to 1.
    read_share: f64,
    keys: u64,
    batch: usize,
    seed: Option<u64>,
}

impl MixArgs {
    fn parse(arguments: &Value) -> Result<Self, WorkloadError> {
        Self::check(arguments).map_err(|mut errors| errors.swap_remove(0))
    }

    /// The arguments, or every mistake in them (never an empty list).
    fn check(arguments: &Value) -> Result<Self, Vec<WorkloadError>> {
        let empty = Map::new();
        let map = match arguments {
            Value::Null => &empty,
            Value::Object(map) => map,
            other => return Err(vec![args_error("", format!("expected an object, got {}", kind(other)))]),
        };
        let mut errors: Vec<WorkloadError> = unknown_keys(map, &["mix", "keys", "batch", "seed"])
            .into_iter()
            .map(|(key, message)| args_error(&format!(".{key}"), message))
            .collect();
        let get = |key: &str| map.get(key).filter(|v| !v.is_null());
        // A wrong value is recorded and replaced by its default, so the next keys are checked.
        let read_share = get("mix").map_or(0.0, |mix| {
            read_share(mix).unwrap_or_else(|e| {
                errors.extend(e);
                0.0
            })
        });
        let keys = get("keys").map_or(1000, |keys| {
            keys.as_u64().filter(|k| *k > 0).unwrap_or_else(|| {
                errors.push(args_error(
                    ".keys",
                    format!("expected an integer of 1 or more, got {}", show(keys)),
                ));
                1000
            })
        });
        let batch = get("batch").map_or(1, |batch| {
            batch.as_u64().filter(|b| (1..=MAX_BATCH).contains(b)).map_or_else(
                || {
                    errors.push(args_error(
                        ".batch",
                        format!("expected an integer from 1 to {MAX_BATCH}, got {}", show(batch)),
                    ));
                    1
                },
                |b| b as usize,
            )
        });
        let seed = get("seed").and_then(|seed| {
            let parsed = as_seed(seed);
            if parsed.is_none() {
                errors.push(args_error(".seed", format!("expected an integer, got {}", show(seed))));
            }
            parsed
        });
        if errors.is_empty() { Ok(MixArgs { read_share, keys, batch, seed }) } else { Err(errors) }
    }
}

/// The share of reads of `mix`, or every mistake in it.
fn read_share(mix: &Value) -> Result<f64, Vec<WorkloadError>> {
    let Value::Object(mix) = mix else {
        return Err(vec![args_error(
            ".mix",
            format!("expected an object such as {{write: 1, read: 3}}, got {}", kind(mix)),
        )]);
    };
    let mut errors: Vec<WorkloadError> = unknown_keys(mix, &["write", "read"])
        .into_iter()
        .map(|(key, message)| args_error(&format!(".mix.{key}"), message))
        .collect();
    let mut weight = |op: &str| match mix.get(op) {
        None | Some(Value::Null) => 0.0,
        Some(w) => w.as_f64().filter(|w| w.is_finite() && *w >= 0.0).unwrap_or_else(|| {
            errors.push(args_error(
                &format!(".mix.{op}"),
                format!("expected a weight of 0 or more, got {}", show(w)),
            ));
            0.0
        }),
    };
    let (write, read) = (weight("write"), weight("read"));
    if errors.is_empty() && write + read <= 0.0 {
        errors.push(args_error(".mix", "expected at least one weight above 0, such as {write: 1, read: 3}"));
    }
    if errors.is_empty() { Ok(read / (write + read)) } else { Err(errors) }
}

/// Checks `workload.arguments` of `sim-mix` (a [`caliper_core::workload::ArgumentsCheck`]):
/// every mistake, each with its path below `workload.arguments`.
pub fn check_sim_mix_arguments(arguments: &Value) -> Result<(), Vec<WorkloadError>> {
    MixArgs::check(arguments).map(|_| ())
}

impl Running {
    /// One transaction's requests: one request, or an array of `batch` requests.
    fn requests(&self) -> Value {
        if self.args.batch == 1 {
            self.request()
        } else {
            Value::Array((0..self.args.batch).map(|_| self.request()).collect())
        }
    }

    /// One request: a read or a write of a random key.
    fn request(&self) -> Value {
        let (read, index) = {
            let mut rng = self.rng.borrow_mut();
            let read = self.args.read_share > 0.0 && rng.random::<f64>() < self.args.read_share;
            (read, rng.random_range(0..self.args.keys))
        };
        let mut key = String::with_capacity(self.prefix.len() + 20);
        key.push_str(&self.prefix);
        push_decimal(&mut key, index);
        let mut request = Map::new();
        if read {
            request.insert("op".to_string(), Value::String("read".to_string()));
            request.insert("key".to_string(), Value::String(key));
        } else {
            let value = self.next_value.get();
            self.next_value.set(value.wrapping_add(1));
            request.insert("op".to_string(), Value::String("write".to_string()));
            request.insert("key".to_string(), Value::String(key));
            request.insert("value".to_string(), Value::from(value));
        }
        Value::Object(request)
    }
}

#[async_trait(?Send)]
impl WorkloadModule for SimMix {
    async fn initialize(&mut self, init: WorkloadInit) -> Result<(), WorkloadError> {
        let args = MixArgs::parse(&init.round_arguments)?;
        let rng = small_rng(args.seed.map(|seed| seed.wrapping_add(init.worker_index as u64)));
        let mut prefix = String::from("w");
        push_decimal(&mut prefix, init.worker_index as u64);
        prefix.push_str("-k");
        self.running = Some(Running {
            adapter: init.sut_adapter,
            args,
            prefix,
            rng: RefCell::new(rng),
            next_value: Cell::new(0),
        });
        Ok(())
    }

    async fn submit_transaction(&self) -> Result<(), WorkloadError> {
        let Some(running) = &self.running else {
            return Err(not_initialized());
        };
        // A failed transaction is a status the worker has already counted, not an error.
        running.adapter.send_requests(running.requests()).await;
        Ok(())
    }

    /// sim-mix never reads its statuses: the worker sends its requests itself.
    fn next_requests(&self) -> Option<Result<Value, WorkloadError>> {
        Some(self.running.as_ref().map(Running::requests).ok_or_else(not_initialized))
    }

    async fn cleanup(&mut self) -> Result<(), WorkloadError> {
        self.running = None;
        Ok(())
    }
}

fn not_initialized() -> WorkloadError {
    WorkloadError::Failed("sim-mix: a transaction before initialize".to_string())
}

fn args_error(path: &str, message: impl Into<String>) -> WorkloadError {
    WorkloadError::Arguments { path: path.to_string(), message: message.into() }
}

/// A value for "got ..." messages: numbers as written, other values by kind.
fn show(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => kind(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn error(arguments: Value) -> (String, String) {
        match MixArgs::parse(&arguments) {
            Err(WorkloadError::Arguments { path, message }) => (path, message),
            other => panic!("expected an arguments error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_writes_only() {
        for arguments in [Value::Null, json!({})] {
            let args = MixArgs::parse(&arguments).unwrap();
            assert_eq!(args, MixArgs { read_share: 0.0, keys: 1000, batch: 1, seed: None });
        }
    }

    #[test]
    fn reads_every_argument() {
        let args =
            MixArgs::parse(&json!({"mix": {"write": 1, "read": 3}, "keys": 10, "batch": 4, "seed": 9}))
                .unwrap();
        assert_eq!(args, MixArgs { read_share: 0.75, keys: 10, batch: 4, seed: Some(9) });
        assert_eq!(MixArgs::parse(&json!({"mix": {"read": 2}})).unwrap().read_share, 1.0);
    }

    #[test]
    fn errors_name_the_argument() {
        let (path, message) = error(json!({"mixx": {}}));
        assert_eq!(path, ".mixx");
        assert!(message.contains("did you mean \"mix\""), "{message}");
        let (path, message) = error(json!({"mix": {"wrte": 1}}));
        assert_eq!(path, ".mix.wrte");
        assert!(message.contains("did you mean \"write\""), "{message}");
        assert_eq!(error(json!({"mix": {"write": -1}})).0, ".mix.write");
        assert_eq!(error(json!({"mix": {"write": "1"}})).0, ".mix.write");
        assert_eq!(error(json!({"mix": {"write": 0, "read": 0}})).0, ".mix");
        assert_eq!(error(json!({"mix": [1, 2]})).0, ".mix");
        assert_eq!(error(json!({"keys": 0})).0, ".keys");
        assert_eq!(error(json!({"keys": 1.5})).0, ".keys");
        let (path, message) = error(json!({"batch": 0}));
        assert_eq!(path, ".batch");
        assert!(message.contains("from 1 to 100000, got 0"), "{message}");
        assert_eq!(error(json!({"batch": 1_000_000})).0, ".batch");
        assert_eq!(error(json!({"seed": "x"})).0, ".seed");
        assert_eq!(error(json!([1])).0, "");
    }

    #[test]
    fn check_reports_every_mistake() {
        let errors =
            check_sim_mix_arguments(&json!({"mix": {"write": "", "raed": 1}, "keyz": 3, "batch": 0}))
                .unwrap_err();
        let paths: Vec<String> = errors
            .iter()
            .map(|e| match e {
                WorkloadError::Arguments { path, .. } => path.clone(),
                other => panic!("expected an arguments error, got {other:?}"),
            })
            .collect();
        assert_eq!(paths, [".keyz", ".mix.raed", ".mix.write", ".batch"]);
        assert!(check_sim_mix_arguments(&json!({"mix": {"read": 1}, "keys": 3})).is_ok());
    }
}
