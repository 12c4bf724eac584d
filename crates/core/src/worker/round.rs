//! THE hot loop: one worker's transactions of one round.
//!
//! Per transaction it does only this: ask the rate controller for the next intended time,
//! wait for it unless it has passed, start the workload's `submit_transaction` (not awaited:
//! it joins the set of in-flight futures) and poll it once so the connector's
//! `txs_submitted` is counted at once. There is no sleep per transaction: when the loop is
//! behind schedule it releases every transaction whose time has come, and a single timer wait
//! covers the gap to the next one. Statistics are recorded by the connector's events in the
//! [`Collector`]; progress messages are sent by the caller, outside this loop.

use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

use super::collector::Collector;
use crate::connector::ErrorClass;
use crate::rate::{Pace, RateController, RoundView};
use crate::time::{to_micros, with_intended_send_time};
use crate::workload::WorkloadModule;

/// How many transactions are released in one go before in-flight ones get a turn, so a
/// generator far behind schedule still processes completions.
const BURST: usize = 256;

/// When the round ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RoundLimit {
    /// After this many transactions (this worker's share of `txNumber`).
    Transactions(u64),
    /// After this long (`txDuration`).
    Duration(Duration),
}

/// One worker's round, ready to run.
pub struct RoundDriver<'a> {
    /// When the round ends.
    pub limit: RoundLimit,
    /// The rate controller.
    pub rate: Box<dyn RateController>,
    /// The workload module, initialised.
    pub module: &'a dyn WorkloadModule,
    /// Where the connector's events are recorded (already activated).
    pub collector: &'a Collector,
    /// When the round started (the collector's round start).
    pub start: Instant,
    /// Stops the round early (the manager said exit, or it went away).
    pub cancel: &'a CancellationToken,
    /// How long to wait for outstanding transactions at the end.
    pub drain_timeout: Duration,
}

/// What happened in the loop.
#[derive(Debug, Default)]
pub struct RoundEnd {
    /// Why the round failed (a workload error, or cancellation).
    pub error: Option<String>,
    /// Transactions still open at the drain deadline, counted as failed with class timeout.
    pub timed_out: u64,
}

impl RoundDriver<'_> {
    /// Runs the round to its end and drains the outstanding transactions.
    pub async fn run(mut self) -> RoundEnd {
        let mut in_flight = FuturesUnordered::new();
        let mut end = RoundEnd::default();
        let mut calls: u64 = 0;
        let mut pace: Option<Pace> = None;
        let deadline = match self.limit {
            RoundLimit::Duration(d) => Some(self.start + d),
            RoundLimit::Transactions(_) => None,
        };

        'round: loop {
            let now = Instant::now();
            if self.cancel.is_cancelled() {
                end.error = Some("stopped before the round's end: the manager is stopping the run".into());
                break;
            }
            if deadline.is_some_and(|d| now >= d) {
                break;
            }
            // Release every transaction whose time has come (at most BURST at once).
            let mut view = self.collector.view(self.start);
            for _ in 0..BURST {
                if self.is_done(&view, calls) {
                    break 'round;
                }
                let next = *pace.get_or_insert_with(|| self.rate.next(&view));
                let intended = match next {
                    Pace::At(at) if self.start + at <= now => self.start + at,
                    Pace::WhenInFlightBelow(limit) if view.in_flight() < limit => now,
                    // Nothing more to send and no duration to wait out.
                    Pace::Idle if deadline.is_none() => break 'round,
                    _ => break,
                };
                pace = None;
                calls += 1;
                let tx = with_intended_send_time(to_micros(intended), self.module.submit_transaction());
                in_flight.push(tx);
                // Poll the new transaction once, so its submission is counted before the
                // next decision (a txNumber round must not overshoot).
                while let Some(Some(result)) = in_flight.next().now_or_never() {
                    if let Err(err) = result {
                        end.error = Some(format!("submitTransaction failed: {err}"));
                        break 'round;
                    }
                }
                view = self.collector.view(self.start);
            }
            // Wait for the next transaction's time, a completion, the end or a stop.
            let wake = match pace {
                Some(Pace::At(at)) => Some(self.start + at),
                // Completions wake the loop; if the connector finishes transactions outside the
                // workload's futures, look again shortly.
                Some(Pace::WhenInFlightBelow(_)) if in_flight.is_empty() => {
                    Some(now + Duration::from_millis(1))
                }
                Some(Pace::WhenInFlightBelow(_)) | None => None,
                Some(Pace::Idle) => deadline,
            };
            let wake = match (wake, deadline) {
                (Some(w), Some(d)) => Some(w.min(d)),
                (w, d) => w.or(d),
            };
            let burst_pending = pace.is_none();
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => {}
                Some(result) = in_flight.next(), if !in_flight.is_empty() => {
                    if let Err(err) = result {
                        end.error = Some(format!("submitTransaction failed: {err}"));
                        break;
                    }
                }
                _ = sleep_until_opt(wake), if !burst_pending => {}
                _ = tokio::task::yield_now(), if burst_pending => {}
            }
        }

        end.timed_out = self.drain(&mut in_flight, &mut end).await;
        if let Err(err) = self.rate.end() {
            tracing::warn!("rate controller: {err}");
        }
        end
    }

    fn is_done(&self, view: &RoundView, calls: u64) -> bool {
        match self.limit {
            // Counted from the connector's events, as Caliper does; the number of calls also
            // ends the round, so a workload that submits nothing cannot loop forever.
            RoundLimit::Transactions(n) => view.submitted >= n || calls >= n,
            RoundLimit::Duration(_) => false,
        }
    }

    /// Waits for in-flight transactions up to the drain deadline; what is still open then is
    /// dropped (cancelling its request) and counted as failed with class `timeout`.
    async fn drain<F>(&self, in_flight: &mut FuturesUnordered<F>, end: &mut RoundEnd) -> u64
    where
        F: std::future::Future<Output = Result<(), crate::workload::WorkloadError>>,
    {
        let deadline = tokio::time::Instant::now() + self.drain_timeout;
        loop {
            let view = self.collector.view(self.start);
            if in_flight.is_empty() && view.in_flight() == 0 {
                break;
            }
            tokio::select! {
                Some(result) = in_flight.next(), if !in_flight.is_empty() => {
                    if let Err(err) = result {
                        end.error.get_or_insert_with(|| format!("submitTransaction failed: {err}"));
                    }
                }
                // Transactions finished by the connector outside the workload's future.
                _ = tokio::time::sleep(Duration::from_millis(5)), if in_flight.is_empty() => {}
                _ = tokio::time::sleep_until(deadline) => break,
                _ = self.cancel.cancelled() => break,
            }
        }
        let open = in_flight.len();
        in_flight.clear();
        let abandoned = self.collector.abandon_open(ErrorClass::Timeout);
        if abandoned > 0 || open > 0 {
            tracing::warn!(
                "{abandoned} transaction(s) still open {:?} after the round ended: counted as failed (timeout)",
                self.drain_timeout
            );
        }
        abandoned
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
