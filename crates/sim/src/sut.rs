//! The state of one worker's simulated SUT: its random numbers, its key-value store, its
//! write queue and its transaction counter. The connector keeps it behind a mutex that only
//! that worker's transactions take, so the lock is never contended.
//!
//! The queue is a virtual single server: a write starts service at `max(now, next_free)` and
//! occupies the server for `1 / capacity` seconds; its answer arrives its sampled latency
//! after service starts. Below capacity the latencies are exactly the configured ones; above
//! it the wait for the server grows with the backlog, as on a real overloaded system. Reads
//! bypass the queue. With `queueLimit`, a write that finds that many writes waiting for the
//! server (the one in service not counted) is refused at once with class `rejected`, so
//! overload shows as failures rather than as an ever longer wait.

use std::collections::HashMap;
use std::time::Duration;

use caliper_core::ErrorClass;
use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::Value;
use tokio::time::Instant;

use crate::config::SimConfig;
use crate::request::{self, Request};
use crate::rng::small_rng;

/// How a request ends.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Committed; a read carries the value it found.
    Success(Option<Value>),
    /// Failed as drawn with `failureRatio`, with `failureClass`.
    Failed(ErrorClass),
    /// The request was malformed; the message says why. It was never processed.
    Invalid(String),
    /// The write queue was full (`queueLimit`): refused at once, never processed.
    Full,
}

/// The SUT's answer to one request, due at a point of (tokio's) time.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The per-worker transaction number.
    pub(crate) id: u64,
    /// When the answer arrives.
    pub(crate) due: Instant,
    /// How the request ends.
    pub(crate) outcome: Outcome,
}

/// One worker's simulated SUT.
pub(crate) struct Sut {
    rng: SmallRng,
    store: HashMap<String, Value>,
    next_free: Option<Instant>,
    next_id: u64,
    /// How long one write occupies the server: from `capacity`, or this worker's share of
    /// `totalCapacity`; `None` is unlimited.
    service_time: Option<Duration>,
}

impl Sut {
    /// An empty SUT whose random numbers come from `seed`, or from entropy; a `totalCapacity`
    /// is all its own until [`Sut::share_capacity`] says how many workers share it.
    pub(crate) fn new(seed: Option<u64>, config: &SimConfig) -> Self {
        let mut sut = Sut {
            rng: small_rng(seed),
            store: HashMap::new(),
            next_free: None,
            next_id: 0,
            service_time: None,
        };
        sut.share_capacity(config, 1);
        sut
    }

    /// Sets the service time for `workers` workers: `capacity` is each worker's own, and
    /// `totalCapacity` is shared out evenly (each serves `totalCapacity / workers`).
    pub(crate) fn share_capacity(&mut self, config: &SimConfig, workers: u64) {
        self.service_time = match config.total_capacity {
            Some(total) => Duration::try_from_secs_f64(workers as f64 / total).ok(),
            None => config.service_time,
        };
    }

    /// Receives one request at `now`: applies it to the store (a failed or malformed request
    /// changes nothing) and says when and how it is answered.
    ///
    /// Random draws, in order: the failure (only when `failureRatio` is above 0), then the
    /// latency (only when it is not fixed).
    pub(crate) fn handle(&mut self, config: &SimConfig, request: Value, now: Instant) -> Answer {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let request = match request::parse(request) {
            Ok(request) => request,
            Err(message) => return Answer { id, due: now, outcome: Outcome::Invalid(message) },
        };
        let failed = config.failure_ratio > 0.0 && self.rng.random::<f64>() < config.failure_ratio;
        match request {
            Request::Read { key } => {
                let due = later(now, config.read_latency.sample(&mut self.rng));
                let outcome = if failed {
                    Outcome::Failed(config.failure_class)
                } else {
                    Outcome::Success(Some(self.store.get(&key).cloned().unwrap_or(Value::Null)))
                };
                Answer { id, due, outcome }
            }
            Request::Write { key, value } => {
                let start = match self.service_time {
                    Some(service) => {
                        let start = self.next_free.map_or(now, |free| free.max(now));
                        if config.queue_limit.is_some_and(|limit| waiting(start - now, service) >= limit) {
                            return Answer { id, due: now, outcome: Outcome::Full };
                        }
                        self.next_free = Some(later(start, service));
                        start
                    }
                    None => now,
                };
                let due = later(start, config.latency.sample(&mut self.rng));
                let outcome = if failed {
                    Outcome::Failed(config.failure_class)
                } else {
                    self.store.insert(key, value);
                    Outcome::Success(None)
                };
                Answer { id, due, outcome }
            }
        }
    }
}

/// How many writes wait for the server (the one in service not counted) when the server is
/// busy for `backlog` more: every one occupies it for `service`.
fn waiting(backlog: Duration, service: Duration) -> u64 {
    if backlog.is_zero() || service.is_zero() {
        return 0;
    }
    (backlog.as_secs_f64() / service.as_secs_f64()).ceil() as u64 - 1
}

/// `at + by`, or `at` where that would overflow.
fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(network: Value) -> SimConfig {
        SimConfig::from_network(&json!({ "sim": network })).unwrap()
    }

    #[test]
    fn reads_see_writes_and_ids_count_up() {
        let config = SimConfig::default();
        let mut sut = Sut::new(Some(1), &config);
        let now = Instant::now();
        let a = sut.handle(&config, json!({"op": "read", "key": "k"}), now);
        assert!(matches!(a.outcome, Outcome::Success(Some(Value::Null))));
        let b = sut.handle(&config, json!({"op": "write", "key": "k", "value": {"x": 1}}), now);
        assert!(matches!(b.outcome, Outcome::Success(None)));
        let c = sut.handle(&config, json!({"op": "read", "key": "k"}), now);
        assert!(matches!(c.outcome, Outcome::Success(Some(ref v)) if *v == json!({"x": 1})));
        assert_eq!((a.id, b.id, c.id), (0, 1, 2));
        assert!(a.due == now && b.due == now && c.due == now);
    }

    #[test]
    fn failed_and_malformed_writes_change_nothing() {
        let mut sut = Sut::new(Some(1), &SimConfig::default());
        let now = Instant::now();
        let failing = config(json!({"failureRatio": 1, "failureClass": "reverted"}));
        let answer = sut.handle(&failing, json!({"op": "write", "key": "k", "value": 1}), now);
        assert!(matches!(answer.outcome, Outcome::Failed(ErrorClass::Reverted)));
        let answer = sut.handle(&SimConfig::default(), json!({"op": "delete", "key": "k"}), now);
        assert!(matches!(answer.outcome, Outcome::Invalid(_)));
        let answer = sut.handle(&SimConfig::default(), json!({"op": "read", "key": "k"}), now);
        assert!(matches!(answer.outcome, Outcome::Success(Some(Value::Null))));
    }

    #[test]
    fn writes_queue_at_capacity_and_reads_do_not() {
        let config = config(json!({"capacity": 100, "latency": {"fixed": 2}, "readLatency": 1}));
        let mut sut = Sut::new(Some(1), &config);
        let now = Instant::now();
        for i in 0..5u64 {
            let write = sut.handle(&config, json!({"key": "k"}), now);
            assert_eq!(write.due - now, Duration::from_millis(2 + 10 * i));
            let read = sut.handle(&config, json!({"op": "read", "key": "k"}), now);
            assert_eq!(read.due - now, Duration::from_millis(1));
        }
        // Once the backlog is gone, a write starts at once again.
        let later = now + Duration::from_secs(1);
        assert_eq!(sut.handle(&config, json!({}), later).due - later, Duration::from_millis(2));
    }

    #[test]
    fn a_total_capacity_is_shared_out_among_the_workers() {
        let config = config(json!({"totalCapacity": 100}));
        let mut sut = Sut::new(Some(1), &config);
        let now = Instant::now();
        sut.handle(&config, json!({}), now);
        assert_eq!(sut.handle(&config, json!({}), now).due - now, Duration::from_millis(10));
        // Four workers: each serves 25 writes a second.
        sut.share_capacity(&config, 4);
        let later = now + Duration::from_secs(1);
        sut.handle(&config, json!({}), later);
        assert_eq!(sut.handle(&config, json!({}), later).due - later, Duration::from_millis(40));
    }

    #[test]
    fn a_full_queue_refuses_writes_at_once() {
        let config = config(json!({"capacity": 100, "queueLimit": 2, "latency": {"fixed": 5}}));
        let mut sut = Sut::new(Some(1), &config);
        let now = Instant::now();
        // One in service, two waiting: the fourth is refused, and does not occupy the server.
        let due: Vec<_> = (0..4).map(|_| sut.handle(&config, json!({}), now)).collect();
        assert!(due[..3].iter().all(|a| matches!(a.outcome, Outcome::Success(None))));
        assert!(matches!(due[3].outcome, Outcome::Full));
        assert_eq!(due[3].due, now);
        // 15 ms later the first two are done: one waits behind the one in service.
        let t = now + Duration::from_millis(15);
        assert!(matches!(sut.handle(&config, json!({}), t).outcome, Outcome::Success(None)));
        assert!(matches!(sut.handle(&config, json!({}), t).outcome, Outcome::Full));
        assert_eq!(waiting(Duration::from_millis(30), Duration::from_millis(10)), 2);
        assert_eq!(waiting(Duration::from_millis(25), Duration::from_millis(10)), 2);
        assert_eq!(waiting(Duration::ZERO, Duration::from_millis(10)), 0);
    }

    #[test]
    fn capacity_keys_are_checked() {
        let err = |v: Value| SimConfig::from_network(&json!({ "sim": v })).unwrap_err().to_string();
        assert!(err(json!({"capacity": 1, "totalCapacity": 2})).contains("not both"));
        assert!(err(json!({"queueLimit": 3})).contains("a queue needs a server"));
        assert!(err(json!({"capacity": 1, "queueLimit": -1})).contains("sim.queueLimit"));
        assert!(err(json!({"totalCapacity": 0})).contains("sim.totalCapacity"));
    }
}
