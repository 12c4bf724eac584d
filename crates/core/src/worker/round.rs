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
use futures::stream::StreamExt;
use tokio_util::sync::CancellationToken;

use super::collector::Collector;
use super::in_flight::InFlight;
use crate::connector::{Connector, ErrorClass};
use crate::rate::{Pace, RateController, RoundView};
use crate::time::{in_scope, to_micros};
use crate::workload::WorkloadModule;

/// How many transactions are released in one go before in-flight ones get a turn, so a
/// generator far behind schedule still processes completions.
const BURST: usize = 256;

/// The most transactions counted as never sent at a round's end (the schedule is walked one
/// by one).
const MAX_UNSENT_COUNT: u64 = 100_000_000;

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
    /// The connector, for the requests of a module that only builds them.
    pub connector: &'a dyn Connector,
    /// Where the connector's events are recorded (already activated).
    pub collector: &'a Collector,
    /// When the round started (the collector's round start).
    pub start: Instant,
    /// Stops the round early (the manager said exit, or it went away).
    pub cancel: &'a CancellationToken,
    /// How long to wait for outstanding transactions at the end.
    pub drain_timeout: Duration,
    /// The most transactions kept in flight (`caliper-worker-max-in-flight`); `None`: no cap.
    pub max_in_flight: Option<u64>,
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
        let mut in_flight = InFlight::default();
        let mut end = RoundEnd::default();
        let mut calls: u64 = 0;
        let mut pace: Option<Pace> = None;
        // The last time a due transaction waited for the in-flight cap: every transaction
        // due by then and sent later was held back.
        let mut capped_at: Option<Instant> = None;
        let mut held: u64 = 0;
        // While the cap holds transactions back: since when nothing has finished, and the
        // progress seen then (finished, futures in flight).
        let mut stalled: Option<(Instant, (u64, usize))> = None;
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
            if let Some(failure) = self.connector.failure() {
                // The connector itself is gone: what it would be sent fails at once.
                end.error = Some(failure);
                break;
            }
            // Release every transaction whose time has come (at most BURST at once).
            let mut view = self.collector.view(self.start);
            let mut capped = false;
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
                if self.max_in_flight.is_some_and(|cap| view.in_flight().max(in_flight.len() as u64) >= cap) {
                    // Due, but the cap is reached: it waits for a completion. Holding it
                    // here, rather than sending, bounds the worker's memory.
                    capped = true;
                    capped_at = Some(now);
                    // A duration round ends at its deadline; a txNumber round stuck behind
                    // a SUT that stopped answering must end too.
                    let progress = (view.finished, in_flight.len());
                    match stalled {
                        _ if deadline.is_some() => {}
                        Some((since, seen)) if seen == progress => {
                            if now.duration_since(since) >= self.drain_timeout {
                                end.error = Some(format!(
                                    "no transaction finished for {:?} while {} were in flight ({} = {}): the SUT stopped answering, so the round stopped sending",
                                    self.drain_timeout,
                                    progress.1.max(view.in_flight() as usize),
                                    crate::settings::keys::WORKER_MAX_IN_FLIGHT,
                                    self.max_in_flight.unwrap_or_default()
                                ));
                                break 'round;
                            }
                        }
                        _ => stalled = Some((now, progress)),
                    }
                    break;
                }
                stalled = None;
                if capped_at.is_some_and(|at| intended <= at) {
                    self.collector.held_back(1);
                    held += 1;
                }
                pace = None;
                calls += 1;
                let at = to_micros(intended);
                // The requests are built and sent under the transaction's intended time.
                let sent = in_scope(at, || {
                    self.module
                        .next_requests()
                        .map(|r| r.map(|requests| self.connector.send_requests(requests)))
                });
                match sent {
                    Some(Ok(tx)) => in_flight.push_requests(at, tx),
                    Some(Err(err)) => {
                        end.error = Some(format!("submitTransaction failed: {err}"));
                        break 'round;
                    }
                    None => in_flight.push_workload(at, self.module.submit_transaction()),
                }
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
                // Completions wake the loop; if the connector finishes transactions outside
                // the workload's futures, look again shortly.
                Some(_) if capped && in_flight.is_empty() => Some(now + Duration::from_millis(1)),
                // Look again when the stall would end the round.
                Some(_) if capped => stalled.map(|(since, _)| since + self.drain_timeout),
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

        if capped_at.is_some() {
            // The round ended while transactions were held back: those its schedule made due
            // before the end were never sent.
            let unsent = self.count_unsent(pace, deadline, calls);
            self.collector.held_back(unsent);
            held += unsent;
            tracing::warn!(
                "{held} transaction(s) waited for the in-flight cap ({} = {}), {unsent} of them never sent: the SUT answered slower than they were sent (sendLateness shows how late the others went)",
                crate::settings::keys::WORKER_MAX_IN_FLIGHT,
                self.max_in_flight.unwrap_or_default()
            );
        }
        end.timed_out = self.drain(&mut in_flight, &mut end).await;
        if end.error.is_none() {
            // It may have died, or been found silent, while the round drained.
            end.error = self.connector.failure();
        }
        if let Err(err) = self.rate.end() {
            tracing::warn!("rate controller: {err}");
        }
        end
    }

    /// The transactions never sent when the round ends with some held back: for a duration
    /// round, those the schedule makes due before `deadline` from `pending` on (at most
    /// [`MAX_UNSENT_COUNT`]; only time-paced schedules are counted, the controller seeing
    /// time advance to each one's intended time); for a txNumber round, the rest of it.
    fn count_unsent(&mut self, pending: Option<Pace>, deadline: Option<Instant>, calls: u64) -> u64 {
        let Some(deadline) = deadline else {
            // A txNumber round that ended early (stopped, or its SUT stalled).
            return match self.limit {
                RoundLimit::Transactions(n) => {
                    n.saturating_sub(calls.max(self.collector.view(self.start).submitted))
                }
                RoundLimit::Duration(_) => 0,
            };
        };
        let mut view = self.collector.view(self.start);
        let mut next = pending;
        let mut unsent = 0;
        while unsent < MAX_UNSENT_COUNT {
            match next.take().unwrap_or_else(|| self.rate.next(&view)) {
                Pace::At(at) if self.start + at < deadline => {
                    unsent += 1;
                    view.elapsed = at;
                    view.submitted += 1;
                }
                _ => break,
            }
        }
        unsent
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
    async fn drain(&self, in_flight: &mut InFlight<'_>, end: &mut RoundEnd) -> u64 {
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
