//! A `peak-search` round: fixed-rate steps, each a sub-round of every worker, judged on the
//! merged figures of all of them.
//!
//! Every step is prepared and tested like a round (the workload module is initialised and
//! cleaned up per step), at the step's rate as `fixed-rate` divided among the workers, for
//! the round's `txDuration`. A worker's step ends only when every transaction it sent has
//! finished or, at `caliper-worker-timeout-drain`, been counted as failed (timeout) in that
//! step; the next step starts after every worker's result, so no step's backlog drains into
//! the next one as far as the workers can see. The round's figures are those of the step at
//! the peak, so steps that broke a limit are never averaged into them.

use tokio::time::Instant;

use super::Manager;
use super::outcome::{RoundOutcome, RoundStatus};
use super::plan::{PlannedRound, RoundSize};
use super::run::{failed_round, not_run, stop_monitors};
use super::workers::{WaitError, Workers};
use crate::rate::{PeakSearchOutcome, PeakSearchPlan, Search, StepOutcome};
use serde_json::Value;

/// How a search ended early.
struct Stopped {
    /// The outcome of the step that failed (a worker's error, a lost worker).
    step: RoundOutcome,
    /// Why the run must stop, when it must.
    stop: Option<String>,
}

impl Manager<'_> {
    /// Runs the search of `plan` as round `index`; also returns why the run must stop.
    pub(super) async fn peak_search(
        &mut self,
        index: usize,
        round: &PlannedRound,
        plan: &PeakSearchPlan,
        workers: &mut Workers,
        args: &[Value],
    ) -> (RoundOutcome, Option<String>) {
        self.start_monitors(index, &round.label).await;
        let started = Instant::now();
        let mut search = Search::new(plan);
        let mut steps: Vec<StepOutcome> = Vec::new();
        // The outcome of the step at the peak so far, and of the lowest rate tried.
        let mut at_peak: Option<(usize, RoundOutcome)> = None;
        let mut lowest: Option<(f64, RoundOutcome)> = None;
        let mut stopped: Option<Stopped> = None;
        while let Some(tps) = search.next_rate() {
            if !steps.is_empty() && !plan.pause.is_zero() {
                let _ = self.interruptible(tokio::time::sleep(plan.pause)).await;
            }
            if self.interrupt.is_cancelled() {
                let reason = WaitError::Interrupted.to_string();
                let step = not_run(index, round, reason.clone());
                stopped = Some(Stopped { step, stop: Some(reason) });
                break;
            }
            let step_round = PlannedRound {
                rate_control: PeakSearchPlan::step_control(tps),
                size: RoundSize::Duration(plan.step),
                ..round.clone()
            };
            let t0 = Instant::now();
            let (outcome, stop) = self.attempt(index, &step_round, workers, args, false).await;
            let n = steps.len();
            if !outcome.passed() || stop.is_some() {
                if let RoundStatus::Failed { error } = &outcome.status {
                    tracing::error!(
                        "round {index} ({}) step {n} at {tps:.2} tps failed: {error}",
                        round.label
                    );
                }
                stopped = Some(Stopped { step: outcome, stop });
                break;
            }
            let Some(merged) = outcome.merged.as_ref() else { break };
            let step = StepOutcome::judge(n, tps, merged, &plan.limits, t0.elapsed().as_secs_f64());
            log_step(index, &round.label, &step);
            search.record(tps, step.held);
            if step.held && search.peak() == Some(tps) {
                at_peak = Some((n, outcome));
            } else if lowest.as_ref().is_none_or(|(low, _)| tps < *low) {
                lowest = Some((tps, outcome));
            }
            steps.push(step);
        }
        let monitors = stop_monitors(&mut self.monitors, index, &round.label).await;
        let duration = started.elapsed().as_secs_f64();
        let peak_tps = search.peak();
        if let Some(tps) = peak_tps {
            tracing::info!("round {index} ({}): the peak that held every limit is {tps:.2} tps", round.label);
        }
        let search_outcome = PeakSearchOutcome {
            duration_s: duration,
            peak_tps,
            peak_step: at_peak.as_ref().map(|(n, _)| *n),
            precision: plan.precision,
            limits: plan.limits,
            steps,
        };
        let (figures, status, stop) = match (stopped, at_peak, lowest) {
            (Some(Stopped { step, stop }), peak, _) => {
                let error = match &step.status {
                    RoundStatus::Failed { error } => error.clone(),
                    RoundStatus::NotRun { reason } => reason.clone(),
                    RoundStatus::Passed => stop.clone().unwrap_or_default(),
                };
                let n = search_outcome.steps.len();
                let error = format!("peak search stopped at step {n}: {error}");
                let figures = peak.map(|(_, o)| o).unwrap_or(step);
                (figures, RoundStatus::Failed { error }, stop)
            }
            (None, Some((_, figures)), _) => (figures, RoundStatus::Passed, None),
            (None, None, lowest) => {
                let (tps, figures) = match lowest {
                    Some((tps, o)) => (tps, o),
                    None => (0.0, not_run(index, round, String::new())),
                };
                let broken = search_outcome
                    .steps
                    .iter()
                    .find(|s| s.tps == tps)
                    .map(|s| s.broken.join("; "))
                    .unwrap_or_default();
                let error = format!(
                    "no step held every limit: the lowest rate tried, {tps:.2} tps, broke {broken}; lower startTps or relax the limits"
                );
                (figures, RoundStatus::Failed { error }, None)
            }
        };
        let outcome = RoundOutcome {
            status,
            monitors,
            peak_search: Some(search_outcome),
            ..failed_round(index, round, String::new(), figures.merged, figures.workers, figures.duration_s)
        };
        (outcome, stop)
    }
}

fn log_step(index: usize, label: &str, step: &StepOutcome) {
    let secs = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3} s"));
    let rate = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
    let verdict = if step.held { "held".to_string() } else { format!("broke {}", step.broken.join("; ")) };
    tracing::info!(
        "round {index} ({label}) step {}: {:.2} tps asked, sent {} tps, throughput {} tps, p99 {} (corrected {}), failures {:.2}%: {verdict}",
        step.step,
        step.tps,
        rate(step.send_rate),
        rate(step.throughput),
        secs(step.latency.p99),
        secs(step.corrected_latency.p99),
        step.failure_ratio * 100.0,
    );
}
