//! The simulated SUT's connector: answers each request after its simulated latency, with the
//! configured failures and queueing, through caliper-core's public connector traits only.
//!
//! Hot path, per request: one uncontended mutex lock (parse, draw, apply to the store), one
//! small string for the id, the two events, and no sleep at all when the answer is due at
//! once. Times: `time_create` is read when the request arrives; `time_final` is `time_create`
//! plus the time tokio's clock says has passed, so it is the real completion time on a real
//! clock and exact in tests that pause tokio's clock.

use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use caliper_core::TxStatus;
use caliper_core::connector::{Connector, ConnectorBase, ConnectorInit, ErrorClass};
use serde_json::Value;
use tokio::time::{Instant, sleep_until};

use crate::config::SimConfig;
use crate::decimal::decimal;
use crate::sut::{Answer, Outcome, Sut};

/// The message of a failure drawn with `failureRatio`.
const SIMULATED_FAILURE: &str = "simulated failure (sim.failureRatio)";

/// The connector of one worker's simulated SUT (type `sim`).
///
/// Each connector has its own SUT: its own store, random numbers and write queue. Requests
/// are JSON objects `{"op": "write" | "read", "key": "...", "value": ...}`; see the crate
/// documentation for the details. Every request gets a status, never an error.
pub struct SimConnector {
    base: ConnectorBase,
    config: SimConfig,
    sut: Mutex<Sut>,
}

impl SimConnector {
    /// A connector for `init.worker_index`, reporting to `init.sink`. Its random numbers come
    /// from `config.seed() + worker index` (wrapping), or from entropy when there is no seed.
    pub fn new(init: &ConnectorInit, config: SimConfig) -> Self {
        let seed = config.seed.map(|seed| seed.wrapping_add(init.worker_index as u64));
        SimConnector { base: ConnectorBase::new("sim", init), sut: Mutex::new(Sut::new(seed)), config }
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

    async fn send_one(&self, request: Value) -> TxStatus {
        let sink = self.base.sink();
        sink.txs_submitted(1);
        let arrived = Instant::now();
        let mut status = TxStatus::new(String::new());
        let answer = self.sut().handle(&self.config, request, arrived);
        if answer.due > arrived {
            sleep_until(answer.due).await;
        }
        finish(&mut status, answer, arrived);
        sink.txs_finished(std::slice::from_ref(&status));
        status
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
                if answer.due > arrived {
                    sleep_until(answer.due).await;
                }
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
    }
}

#[async_trait]
impl Connector for SimConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    /// Answers one request (an object) or a batch (an array, whose requests run
    /// concurrently); emits `txs_submitted` before and one `txs_finished` after.
    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        match requests {
            Value::Array(batch) => self.send_batch(batch).await,
            request => vec![self.send_one(request).await],
        }
    }
}
