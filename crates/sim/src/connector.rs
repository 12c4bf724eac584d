//! The simulated SUT's connector: answers each request after its simulated latency, with the
//! configured failures and queueing, through caliper-core's public connector traits only.
//!
//! Hot path, per request: one uncontended mutex lock (parse, draw, apply to the store), the
//! two events, one small allocation for the waiting answer, and no timer at all when the
//! answer is due at once. A single request waits in a 56-byte future of its own plus one
//! entry in the connector's [`Timer`], so a worker can hold millions in flight (see
//! `docs/performance.md`). Times: `time_create` is read when the request arrives; `time_final`
//! is `time_create` plus the time tokio's clock says has passed, so it is the real completion
//! time on a real clock and exact in tests that pause tokio's clock. The status, with the
//! intended send time of the transaction, is made when the answer is final.

use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::connector::{Connector, ConnectorBase, ConnectorError, ConnectorInit, ErrorClass};
use caliper_core::time::now_micros;
use serde_json::Value;
use tokio::time::Instant;

use crate::config::SimConfig;
use crate::decimal::decimal;
use crate::sut::{Answer, Outcome, Sut};
use crate::timer::Timer;

/// The message of a failure drawn with `failureRatio`.
const SIMULATED_FAILURE: &str = "simulated failure (sim.failureRatio)";

/// The worker argument that carries the number of workers.
const WORKERS_ARG: &str = "simWorkers";

/// The message of a write refused because the queue was full.
const QUEUE_FULL: &str = "simulated overload: the write queue was full (sim.queueLimit)";

/// The connector of one worker's simulated SUT (type `sim`).
///
/// Each connector has its own SUT: its own store, random numbers and write queue. Requests
/// are JSON objects `{"op": "write" | "read", "key": "...", "value": ...}`; see the crate
/// documentation for the details. Every request gets a status, never an error.
pub struct SimConnector {
    base: ConnectorBase,
    config: SimConfig,
    sut: Mutex<Sut>,
    timer: Timer,
}

impl SimConnector {
    /// A connector for `init.worker_index`, reporting to `init.sink`. Its random numbers come
    /// from `config.seed() + worker index` (wrapping), or from entropy when there is no seed.
    pub fn new(init: &ConnectorInit, config: SimConfig) -> Self {
        let seed = config.seed.map(|seed| seed.wrapping_add(init.worker_index as u64));
        SimConnector {
            base: ConnectorBase::new("sim", init),
            sut: Mutex::new(Sut::new(seed, &config)),
            config,
            timer: Timer::new(),
        }
    }

    /// The configuration this connector simulates.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    fn sut(&self) -> MutexGuard<'_, Sut> {
        // A panic while holding the lock cannot leave the store half-written in a way that
        // matters to a simulation, so a poisoned lock is used as it is.
        self.sut.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Receives one request now and returns the future of its answer.
    fn send_one(&self, request: Value) -> Waiting<'_> {
        self.base.sink().txs_submitted(1);
        let arrived = Instant::now();
        let time_create = now_micros();
        let answer = self.sut().handle(&self.config, request, arrived);
        let (detail, class, read) = match answer.outcome {
            Outcome::Success(None) => (None, None, false),
            // A read of a key never written: no box for its `null`.
            Outcome::Success(Some(Value::Null)) => (None, None, true),
            Outcome::Success(Some(value)) => (Some(Box::new(Detail::Read(value))), None, true),
            Outcome::Failed(class) => (None, Some(class), false),
            Outcome::Invalid(message) => {
                (Some(Box::new(Detail::Failure(message))), Some(ErrorClass::Invalid), false)
            }
            Outcome::Full => {
                (Some(Box::new(Detail::Failure(QUEUE_FULL.into()))), Some(ErrorClass::Rejected), false)
            }
        };
        Waiting {
            connector: self,
            time_create,
            arrived: self.timer.at(arrived),
            due: self.timer.at(answer.due),
            id: answer.id,
            detail,
            class,
            read,
            registered: false,
        }
    }

    async fn send_batch(&self, batch: Vec<Value>) -> Vec<TxStatus> {
        if batch.is_empty() {
            return Vec::new();
        }
        let sink = self.base.sink();
        sink.txs_submitted(batch.len() as u64);
        let arrived = Instant::now();
        let mut statuses = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        {
            let mut sut = self.sut();
            for request in batch {
                statuses.push(TxStatus::new(String::new()));
                answers.push(Some(sut.handle(&self.config, request, arrived)));
            }
        }
        // The requests of a batch run concurrently: each is final when its answer is due, so
        // waking for them in the order they are due is the same as waiting for each apart.
        let mut order: Vec<usize> = (0..answers.len()).collect();
        order.sort_by_key(|&i| answers[i].as_ref().map(|a| a.due));
        for i in order {
            if let Some(answer) = answers[i].take() {
                self.timer.delay(self.timer.at(answer.due)).await;
                finish(&mut statuses[i], answer, arrived);
            }
        }
        sink.txs_finished(&statuses);
        statuses
    }
}

/// Fills in the final state of `status` now, `arrived` being when the request arrived.
fn finish(status: &mut TxStatus, answer: Answer, arrived: Instant) {
    status.id = decimal(answer.id);
    status.verified = true;
    let time_final =
        status.time_create + Instant::now().saturating_duration_since(arrived).as_micros() as u64;
    match answer.outcome {
        Outcome::Success(result) => {
            status.result = result;
            status.set_success(time_final);
        }
        Outcome::Failed(class) => status.set_failed(time_final, class, SIMULATED_FAILURE),
        Outcome::Invalid(message) => status.set_failed(time_final, ErrorClass::Invalid, message),
        Outcome::Full => status.set_failed(time_final, ErrorClass::Rejected, QUEUE_FULL),
    }
}

/// What an answer carries beyond success or a failure class (rare: kept behind a box).
enum Detail {
    /// The value a read found.
    Read(Value),
    /// Why the request failed, where the class alone does not say it (a malformed request, a
    /// full queue).
    Failure(String),
}

/// A single request's answer, final once it is due: everything a waiting transaction holds
/// (56 bytes, and a box for a read's value other than `null`; its status is made only when
/// it is final).
pub(crate) struct Waiting<'a> {
    connector: &'a SimConnector,
    /// When the request arrived, epoch microseconds.
    time_create: u64,
    /// When it arrived and when its answer is due, on the connector's timer.
    arrived: u64,
    due: u64,
    id: u64,
    detail: Option<Box<Detail>>,
    /// The failure class; `None` for a success.
    class: Option<ErrorClass>,
    /// Whether a success carries a read's value (`null` when `detail` holds none).
    read: bool,
    /// Whether the timer holds this future's waker.
    registered: bool,
}

impl Future for Waiting<'_> {
    type Output = Vec<TxStatus>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<TxStatus>> {
        let this = &mut *self;
        let Poll::Ready(now) = this.connector.timer.poll_due(this.due, &mut this.registered, cx) else {
            return Poll::Pending;
        };
        let mut status = TxStatus::created_at(decimal(this.id), this.time_create);
        status.verified = true;
        let time_final = this.time_create + now.saturating_sub(this.arrived) / 1_000;
        match (this.class, this.detail.take().map(|d| *d)) {
            (None, detail) => {
                if this.read {
                    status.result = Some(match detail {
                        Some(Detail::Read(value)) => value,
                        _ => Value::Null,
                    });
                }
                status.set_success(time_final);
            }
            (Some(class), Some(Detail::Failure(message))) => status.set_failed(time_final, class, message),
            (Some(class), _) => status.set_failed(time_final, class, SIMULATED_FAILURE),
        }
        this.connector.base.sink().txs_finished(std::slice::from_ref(&status));
        Poll::Ready(vec![status])
    }
}

#[async_trait]
impl Connector for SimConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    /// Tells every worker how many there are, so a `totalCapacity` is shared out among them.
    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        Ok(vec![serde_json::json!({ WORKERS_ARG: workers }); workers])
    }

    /// Sets this worker's share of `totalCapacity` from the number of workers.
    async fn get_context(&self, _round_index: usize, worker_args: &Value) -> Result<Value, ConnectorError> {
        let workers = worker_args.get(WORKERS_ARG).and_then(Value::as_u64).unwrap_or(1).max(1);
        self.sut().share_capacity(&self.config, workers);
        Ok(Value::Object(Default::default()))
    }

    /// Answers one request (an object) or a batch (an array, whose requests run
    /// concurrently); emits `txs_submitted` before and one `txs_finished` after. A single
    /// request is received at once, before the future is first polled.
    fn send_requests<'life0, 'async_trait>(
        &'life0 self,
        requests: Value,
    ) -> Pin<Box<dyn Future<Output = Vec<TxStatus>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        match requests {
            Value::Array(batch) => Box::pin(self.send_batch(batch)),
            request => Box::pin(self.send_one(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a worker holds per transaction in flight is bounded (docs/performance.md): a
    /// field more would cost a larger allocation for every waiting answer.
    #[test]
    fn a_waiting_answer_fits_in_56_bytes() {
        assert!(size_of::<Waiting<'_>>() <= 56, "{}", size_of::<Waiting<'_>>());
    }
}
