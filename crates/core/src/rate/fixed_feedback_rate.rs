//! `fixed-feedback-rate`: a fixed rate that backs off while the SUT falls behind.
//!
//! It follows the same exact schedule as fixed-rate. When at least `transactionLoad` (divided
//! among the workers, at least 1) are in flight, the next transaction waits `i × sleepTime`
//! past the later of its slot and now, with Caliper's two ladders for `i`: the backlog in
//! units of the load (1 to 10), or, while no transaction has succeeded yet, a counter that
//! grows by one with each back-off (1 to 30). The rest of the schedule moves back by the same
//! amount, so the rate resumes after a back-off instead of bursting to catch up.
//!
//! Caliper does not pace at all while the backlog is below half the load (nor before the first
//! transaction finishes): with a SUT that keeps up, its "fixed rate" sends as fast as the loop
//! can go. That contradicts the controller's name and documentation, so it is not copied.

use serde_json::Value;

use super::opts::{Opts, from_secs};
use super::{Pace, RateContext, RateController, RateError, RoundView, per_worker, tx_index};

/// The longest back-off in units of `sleepTime` when some transactions succeeded.
const BACKLOG_STEPS: u64 = 10;
/// The longest back-off in units of `sleepTime` while none has succeeded.
const ZERO_SUCCESS_STEPS: u32 = 30;

/// Sends at `tps` (default 10) and backs off by `sleepTime` (default 100 ms) steps while
/// `transactionLoad` (default 10) or more are in flight; the TPS and load are totals.
#[derive(Debug, Clone)]
pub struct FixedFeedbackRate {
    /// This worker's rate, in transactions per second.
    rate: f64,
    /// This worker's share of the load that triggers a back-off.
    load: f64,
    /// One back-off step, in seconds.
    step_secs: f64,
    /// How many transactions were asked about so far.
    asked: u64,
    /// How far back-offs have moved the schedule, in seconds.
    shift_secs: f64,
    /// Back-offs in a row with no successful transaction at all.
    zero_success: u32,
}

impl FixedFeedbackRate {
    /// Reads `tps`, `transactionLoad` and `sleepTime` from `opts`.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("fixed-feedback-rate", opts, &["tps", "transactionLoad", "sleepTime"])?;
        let tps = opts.positive_tps("tps", "use zero-rate for no load")?.unwrap_or(10.0);
        let load = opts
            .positive("transactionLoad", "transactions in flight (a total for all workers)")?
            .unwrap_or(10.0);
        let step = opts.millis("sleepTime")?.unwrap_or(std::time::Duration::from_millis(100));
        Ok(Self {
            rate: per_worker(tps, ctx),
            load: per_worker(load, ctx).max(1.0),
            step_secs: step.as_secs_f64(),
            asked: 0,
            shift_secs: 0.0,
            zero_success: 0,
        })
    }
}

impl RateController for FixedFeedbackRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        let slot = k as f64 / self.rate;
        let scheduled = slot + self.shift_secs;
        let backlog = view.in_flight();
        if (backlog as f64) < self.load {
            return Pace::At(from_secs(scheduled));
        }
        let steps = if view.successful == 0 {
            self.zero_success = (self.zero_success + 1).min(ZERO_SUCCESS_STEPS);
            u64::from(self.zero_success)
        } else {
            self.zero_success = 0;
            ((backlog as f64 / self.load) as u64).clamp(1, BACKLOG_STEPS)
        };
        // From the later of the slot and now: a loop that is already late because the SUT is
        // slow must not turn the back-off into a burst.
        let release = scheduled.max(view.elapsed.as_secs_f64()) + steps as f64 * self.step_secs;
        self.shift_secs = release - slot;
        Pace::At(from_secs(release))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::testutil::*;
    use super::super::{RoundView, build};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn backlog_view(elapsed_ms: u64, submitted: u64, in_flight: u64, successful: u64) -> RoundView {
        let finished = submitted - in_flight;
        RoundView { elapsed: ms(elapsed_ms), submitted, finished, successful, ..RoundView::default() }
    }

    #[test]
    fn paces_like_fixed_rate_while_the_backlog_is_small() {
        // Caliper would not pace at all here (backlog below half the load).
        let mut c = build(&spec("fixed-feedback-rate", json!({"tps": 20})), &ctx_secs(60, 2)).unwrap();
        assert_eq!(schedule(c.as_mut(), 4), [0, 100, 200, 300].map(ms));
    }

    #[test]
    fn backs_off_by_backlog_and_shifts_the_schedule() {
        // 10 tx/s, load 10, one worker: tx 200 is due at 20 s with 35 in flight: 3 steps.
        let mut c = build(&spec("fixed-feedback-rate", json!({})), &ctx_secs(60, 1)).unwrap();
        assert_eq!(at(c.next(&backlog_view(19_900, 200, 35, 5))), ms(20_300));
        // The backlog cleared: tx 201 follows one period later, not at its old slot 20.1 s.
        assert_eq!(at(c.next(&backlog_view(20_300, 201, 2, 30))), ms(20_400));
        assert_eq!(at(c.next(&backlog_view(20_400, 202, 2, 31))), ms(20_500));
        // A huge backlog backs off at most 10 steps.
        assert_eq!(at(c.next(&backlog_view(20_500, 203, 150, 31))), ms(21_600));
    }

    #[test]
    fn backs_off_from_now_when_already_late() {
        let mut c = build(&spec("fixed-feedback-rate", json!({"sleepTime": 50})), &ctx_secs(60, 1)).unwrap();
        // Slot 1 s, but the loop got there at 4 s: 1 step after now.
        assert_eq!(at(c.next(&backlog_view(4000, 10, 10, 1))), ms(4050));
        assert_eq!(at(c.next(&backlog_view(4050, 11, 0, 11))), ms(4150));
    }

    #[test]
    fn zero_success_ladder_grows_then_resets() {
        let opts = json!({"tps": 1000, "transactionLoad": 4});
        let mut c = build(&spec("fixed-feedback-rate", opts), &ctx_secs(600, 1)).unwrap();
        let mut now = 0;
        let mut waits = Vec::new();
        for k in 4..40 {
            let t = at(c.next(&backlog_view(now, k, k, 0))).as_millis() as u64;
            waits.push((t - now) / 100);
            now = t;
        }
        assert_eq!(&waits[..5], &[1, 2, 3, 4, 5]);
        assert_eq!(*waits.last().unwrap(), 30, "capped at 30 steps");
        // Once something succeeded the backlog ladder applies: 4 in flight is 1 step.
        let t = at(c.next(&backlog_view(now, 40, 4, 1))).as_millis() as u64;
        assert_eq!((t - now) / 100, 1);
    }

    #[test]
    fn option_errors() {
        let (path, message) =
            option_error(build_err(&spec("fixed-feedback-rate", json!({"sleeptime": 5})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.sleeptime");
        assert!(message.contains("did you mean sleepTime?"), "{message}");
        let (path, _) =
            option_error(build_err(&spec("fixed-feedback-rate", json!({"tps": -1})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.tps");
        let (path, _) = option_error(build_err(
            &spec("fixed-feedback-rate", json!({"sleepTime": "soon"})),
            &ctx_tx(1, 1),
        ));
        assert_eq!(path, "opts.sleepTime");
    }

    #[test]
    fn never_panics_on_extreme_values() {
        let opts = json!({"tps": 1e-300, "sleepTime": 1e300});
        let mut c = build(&spec("fixed-feedback-rate", opts), &ctx_secs(1, 1)).unwrap();
        let _ = c.next(&backlog_view(0, 100, 100, 0));
        let _ = c.next(&backlog_view(0, 101, 0, 0));
    }
}
