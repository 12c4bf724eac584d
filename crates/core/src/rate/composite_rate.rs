//! `composite-rate`: several controllers one after another in the same round.
//!
//! The weights are normalised and each controller with a non-zero weight gets its share of the
//! round: the transactions up to `floor(txNumber·cumulative weight)`, or `txDuration·weight` of
//! time. A controller is built as if its share were a round of its own and sees its own view:
//! time since it took over, counters since it took over. Its intended times are moved by the time it took
//! over, so schedules join up:
//!
//! * in a duration round a controller takes over exactly at `txDuration·cumulative weight`, or
//!   as soon as its predecessor's next transaction would fall at or after that time (so the
//!   boundary does not get one transaction from each side);
//! * in a txNumber round it takes over at transaction `floor(txNumber·cumulative weight)`,
//!   at the time its predecessor would have sent its next transaction (the last interval
//!   repeated), so a 10 tx/s phase followed by a 20 tx/s phase does not put two at one time.
//!
//! A controller that answers [`Pace::Idle`] (zero-rate, a ramp down to 0) hands over at once;
//! the next one's schedule still starts at its own share. Nesting is allowed.

use std::time::Duration;

use serde_json::Value;

use super::opts::{Opts, from_secs as secs, nested, non_negative_at, spec_at};
use super::{Pace, RateContext, RateController, RateError, RoundView, build_nested, tx_index};

/// Runs `rateControllers` one after another, each for its share of `weights`; `logChange` is
/// accepted for Caliper's configurations (switches are logged at debug level anyway).
pub struct CompositeRate {
    stages: Vec<Stage>,
    /// Index of the stage in charge.
    active: usize,
    /// How many transactions were asked about so far.
    asked: u64,
    /// When the active stage took over: its times are relative to this.
    origin: Duration,
    /// The round's counters when the active stage took over.
    base: RoundView,
    /// The active stage's last intended time.
    last: Option<Duration>,
    /// The interval before it, to predict the next one.
    gap: Option<Duration>,
    /// The first error of ending a stage at a switch, reported by `end`.
    error: Option<RateError>,
}

/// One controller and the end of its share.
struct Stage {
    controller: Box<dyn RateController>,
    until: Until,
}

/// Where a stage hands over.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Until {
    /// At this transaction index (txNumber rounds).
    Index(u64),
    /// At this time since the round start (duration rounds).
    Time(Duration),
    /// Never: the last stage runs to the end of the round.
    Last,
}

impl CompositeRate {
    /// Reads `weights`, `rateControllers` and `logChange`, and builds every controller with a
    /// non-zero weight for its share of the round.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("composite-rate", opts, &["weights", "rateControllers", "logChange"])?;
        let weights = opts
            .array("weights")?
            .ok_or_else(|| opts.missing("weights", "a list of non-negative numbers, one per controller"))?;
        let specs = opts
            .array("rateControllers")?
            .ok_or_else(|| opts.missing("rateControllers", "a list of {type, opts}, one per weight"))?;
        opts.flag("logChange")?;
        if weights.len() != specs.len() {
            return Err(opts.error(
                "rateControllers",
                format!(
                    "has {} controllers but weights has {}; give one weight per controller",
                    specs.len(),
                    weights.len()
                ),
            ));
        }
        let weights = weights
            .iter()
            .enumerate()
            .map(|(i, w)| non_negative_at(w, &format!("opts.weights[{i}]"), "a weight"))
            .collect::<Result<Vec<f64>, _>>()?;
        let total: f64 = weights.iter().sum();
        if total <= 0.0 || !total.is_finite() {
            return Err(opts.error("weights", "expected at least one weight above 0 (and a finite sum)"));
        }
        if ctx.tx_number.is_none() && ctx.tx_duration.is_none() {
            return Err(RateError::Option {
                path: "type".into(),
                message: "composite-rate needs a round with txNumber or txDuration".into(),
            });
        }

        // Zero weights switch a controller off without deleting it, as in Caliper: it is not
        // built, so its options are not checked either.
        let used: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
        let mut stages = Vec::with_capacity(used.len());
        let mut cumulative = 0.0;
        let mut previous_bound = 0;
        for (position, &i) in used.iter().enumerate() {
            let is_last = position + 1 == used.len();
            cumulative += weights[i];
            let share = cumulative / total;
            let (stage_ctx, until) = if let Some(n) = ctx.tx_number {
                let bound = if is_last { n } else { ((n as f64 * share).floor() as u64).min(n) };
                // Shares are differences of the bounds, so they add up to txNumber exactly.
                let stage_ctx = RateContext { tx_number: Some(bound - previous_bound), ..ctx.clone() };
                previous_bound = bound;
                (stage_ctx, if is_last { Until::Last } else { Until::Index(bound) })
            } else {
                let round = ctx.tx_duration.unwrap_or_default().as_secs_f64();
                let stage_ctx =
                    RateContext { tx_duration: Some(secs(round * weights[i] / total)), ..ctx.clone() };
                (stage_ctx, if is_last { Until::Last } else { Until::Time(secs(round * share)) })
            };
            let path = format!("opts.rateControllers[{i}]");
            let spec = spec_at(&specs[i], &path)?;
            let controller = build_nested(&spec, &stage_ctx).map_err(|e| nested(e, &path))?;
            stages.push(Stage { controller, until });
        }
        Ok(Self {
            stages,
            active: 0,
            asked: 0,
            origin: Duration::ZERO,
            base: RoundView::default(),
            last: None,
            gap: None,
            error: None,
        })
    }

    /// When the active stage would send its next transaction, if it has a steady schedule.
    fn predicted(&self) -> Option<Duration> {
        Some(self.last?.saturating_add(self.gap?))
    }

    /// Whether the active stage's share is used up before transaction `k`.
    fn share_used(&self, k: u64, view: &RoundView) -> bool {
        match self.stages[self.active].until {
            Until::Last => false,
            Until::Index(bound) => k >= bound,
            Until::Time(end) => view.elapsed >= end || self.predicted().is_some_and(|next| next >= end),
        }
    }

    /// Ends the active stage and hands over to the next one, from transaction `k` on (never
    /// called on the last stage).
    fn switch(&mut self, k: u64, view: &RoundView) {
        let origin = match self.stages[self.active].until {
            Until::Time(end) => end,
            Until::Index(_) | Until::Last => self.predicted().unwrap_or(view.elapsed.max(self.origin)),
        };
        if let Err(e) = self.stages[self.active].controller.end() {
            tracing::warn!(error = %e, "composite-rate: ending controller {} failed", self.active);
            self.error.get_or_insert(e);
        }
        self.active += 1;
        self.origin = origin;
        // Counted from k rather than the submitted events: when the events lag, they would
        // later catch up and make the new stage skip slots.
        self.base = RoundView { submitted: k, ..*view };
        self.last = None;
        self.gap = None;
        tracing::debug!(
            controller = self.active,
            tx = k,
            starts_at = ?origin,
            "composite-rate switches controller"
        );
    }

    /// The round as the active stage sees it: since it took over.
    fn stage_view(&self, view: &RoundView) -> RoundView {
        let base = &self.base;
        RoundView {
            elapsed: view.elapsed.saturating_sub(self.origin),
            submitted: view.submitted.saturating_sub(base.submitted),
            finished: view.finished.saturating_sub(base.finished),
            successful: view.successful.saturating_sub(base.successful),
            failed: view.failed.saturating_sub(base.failed),
            latency_successful_total_us: view
                .latency_successful_total_us
                .saturating_sub(base.latency_successful_total_us),
            latency_failed_total_us: view
                .latency_failed_total_us
                .saturating_sub(base.latency_failed_total_us),
        }
    }
}

impl RateController for CompositeRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        while self.share_used(k, view) {
            self.switch(k, view);
        }
        loop {
            let stage_view = self.stage_view(view);
            match self.stages[self.active].controller.next(&stage_view) {
                Pace::At(t) => {
                    let t = self.origin.saturating_add(t);
                    self.gap = self.last.map(|last| t.saturating_sub(last));
                    self.last = Some(t);
                    return Pace::At(t);
                }
                Pace::WhenInFlightBelow(n) => {
                    // A closed loop has no schedule to continue from.
                    self.last = None;
                    self.gap = None;
                    return Pace::WhenInFlightBelow(n);
                }
                Pace::Idle if self.stages[self.active].until == Until::Last => return Pace::Idle,
                Pace::Idle => self.switch(k, view),
            }
        }
    }

    fn end(&mut self) -> Result<(), RateError> {
        let result = self.stages[self.active].controller.end();
        match self.error.take() {
            Some(e) => Err(e),
            None => result,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::super::build;
    use super::super::testutil::*;
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn fixed(tps: u64) -> Value {
        json!({"type": "fixed-rate", "opts": {"tps": tps}})
    }

    #[test]
    fn tx_number_round_switches_at_the_share_and_continues_the_schedule() {
        let opts = json!({"weights": [1, 1], "rateControllers": [fixed(10), fixed(20)]});
        let mut c = build(&spec("composite-rate", opts), &ctx_tx(20, 1)).unwrap();
        let t = schedule(c.as_mut(), 20);
        assert_eq!(t[9], ms(900));
        // The second phase starts where the first would have sent its next transaction.
        assert_eq!(t[10], ms(1000));
        assert_eq!(t[11], ms(1050));
        assert_eq!(t[19], ms(1450));
    }

    #[test]
    fn duration_round_switches_at_the_time_share() {
        let opts = json!({"weights": ["1", "1"], "rateControllers": [fixed(10), fixed(20)]});
        let mut c = build(&spec("composite-rate", opts), &ctx_secs(10, 1)).unwrap();
        let t = schedule(c.as_mut(), 200);
        let sent = t.iter().filter(|t| **t < Duration::from_secs(10)).count();
        assert_eq!(t[49], ms(4900));
        assert_eq!(t[50], ms(5000), "the second phase starts at 5 s, once");
        assert_eq!(t[51], ms(5050));
        assert_eq!(sent, 50 + 100);
    }

    #[test]
    fn late_loop_switches_on_elapsed_time() {
        let opts = json!({"weights": [1, 1], "rateControllers": [fixed(10), fixed(20)]});
        let mut c = build(&spec("composite-rate", opts), &ctx_secs(10, 1)).unwrap();
        assert_eq!(at(c.next(&view(ms(0), 0))), ms(0));
        // The loop stalled until 6 s: the second phase started at 5 s.
        assert_eq!(at(c.next(&view(ms(6000), 1))), ms(5000));
        assert_eq!(at(c.next(&view(ms(6000), 2))), ms(5050));
    }

    #[test]
    fn zero_rate_phase_hands_over_at_its_time() {
        let opts = json!({
            "weights": [1, 3, 0],
            "rateControllers": [{"type": "zero-rate"}, fixed(10), {"type": "no-such-thing"}],
        });
        let mut c = build(&spec("composite-rate", opts), &ctx_secs(8, 1)).unwrap();
        assert_eq!(schedule(c.as_mut(), 3), [2000, 2100, 2200].map(ms));
    }

    #[test]
    fn stages_see_their_own_counters() {
        // fixed-load waits for its own first finished transaction, not the round's.
        let load = json!({"type": "fixed-load", "opts": {"startTps": 10, "transactionLoad": 2}});
        let opts = json!({"weights": [1, 1], "rateControllers": [fixed(10), load]});
        let mut c = build(&spec("composite-rate", opts), &ctx_tx(10, 1)).unwrap();
        for k in 0..5 {
            c.next(&RoundView { elapsed: ms(k * 100), submitted: k, finished: k, ..RoundView::default() });
        }
        let at_switch = RoundView { elapsed: ms(450), submitted: 5, finished: 5, ..RoundView::default() };
        assert_eq!(c.next(&at_switch), Pace::At(ms(500)));
        let later = RoundView { elapsed: ms(500), submitted: 6, finished: 5, ..RoundView::default() };
        assert_eq!(c.next(&later), Pace::At(ms(600)));
        let finished = RoundView { elapsed: ms(600), submitted: 7, finished: 6, ..RoundView::default() };
        assert_eq!(c.next(&finished), Pace::WhenInFlightBelow(2));
    }

    #[test]
    fn lagging_events_do_not_make_a_stage_skip() {
        let opts = json!({"weights": [1, 1], "rateControllers": [fixed(10), fixed(10)]});
        let mut c = build(&spec("composite-rate", opts), &ctx_tx(10, 1)).unwrap();
        // The loop asks for tx 0..5 while only 2 submitted events arrived.
        for k in 0..6 {
            c.next(&view(Duration::ZERO, k.min(2)));
        }
        // The events catch up: tx 6 is the second stage's second transaction.
        assert_eq!(at(c.next(&view(Duration::ZERO, 6))), ms(600));
    }

    #[test]
    fn shares_add_up_to_tx_number() {
        // 10 over thirds: 3, 3 and the remaining 4 (Caliper would give 3, 3, 3 and drop one).
        let opts = json!({"weights": [1, 1, 1], "rateControllers": [fixed(10), fixed(10), fixed(10)]});
        let c = CompositeRate::new(&opts, &ctx_tx(10, 1)).unwrap();
        let untils: Vec<_> = c.stages.iter().map(|s| s.until).collect();
        assert_eq!(untils, [Until::Index(3), Until::Index(6), Until::Last]);
    }

    #[test]
    fn nested_composites_work() {
        let inner = json!({"type": "composite-rate", "opts": {"weights": [1, 1], "rateControllers": [fixed(10), fixed(20)]}});
        let opts = json!({"weights": [1, 1], "rateControllers": [inner, fixed(40)]});
        let mut c = build(&spec("composite-rate", opts), &ctx_tx(40, 1)).unwrap();
        let t = schedule(c.as_mut(), 40);
        assert_eq!(t[10], ms(1000));
        assert_eq!(t[20], ms(1500));
        assert_eq!(t[21], ms(1525));
    }

    struct Counting(Arc<AtomicUsize>);

    impl RateController for Counting {
        fn next(&mut self, _view: &RoundView) -> Pace {
            Pace::At(Duration::ZERO)
        }
        fn end(&mut self) -> Result<(), RateError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn every_stage_is_ended_once() {
        let ends = Arc::new(AtomicUsize::new(0));
        let stage = |until| Stage { controller: Box::new(Counting(ends.clone())), until };
        let mut c =
            CompositeRate::new(&json!({"weights": [1], "rateControllers": [fixed(1)]}), &ctx_tx(4, 1))
                .unwrap();
        c.stages = vec![stage(Until::Index(1)), stage(Until::Index(2)), stage(Until::Last)];
        for k in 0..4 {
            c.next(&view(Duration::ZERO, k));
        }
        assert_eq!(ends.load(Ordering::SeqCst), 2);
        c.end().unwrap();
        assert_eq!(ends.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn option_errors() {
        let ctx = ctx_tx(10, 1);
        let err = |opts: Value| option_error(build_err(&spec("composite-rate", opts), &ctx));

        let (path, message) = err(json!({"weights": [1], "rateControlers": [fixed(1)]}));
        assert_eq!(path, "opts.rateControlers");
        assert!(message.contains("did you mean rateControllers?"), "{message}");

        let (path, _) = err(json!({"weights": [1, 1], "rateControllers": [fixed(1)]}));
        assert_eq!(path, "opts.rateControllers");
        let (path, _) = err(json!({"weights": [1, -1], "rateControllers": [fixed(1), fixed(1)]}));
        assert_eq!(path, "opts.weights[1]");
        let (path, _) = err(json!({"weights": ["heavy"], "rateControllers": [fixed(1)]}));
        assert_eq!(path, "opts.weights[0]");
        let (path, _) = err(json!({"weights": [0, "0"], "rateControllers": [fixed(1), fixed(1)]}));
        assert_eq!(path, "opts.weights");
        let (path, message) = err(json!({"rateControllers": [fixed(1)]}));
        assert_eq!((path.as_str(), message.contains("required")), ("opts.weights", true));

        let (path, message) =
            err(json!({"weights": [1, 1], "rateControllers": [fixed(1), {"type": "fixed-rte"}]}));
        assert_eq!(path, "opts.rateControllers[1].type");
        assert!(message.contains(r#"did you mean "fixed-rate"?"#), "{message}");

        let (path, _) =
            err(json!({"weights": [1], "rateControllers": [{"type": "fixed-rate", "opts": {"tps": -1}}]}));
        assert_eq!(path, "opts.rateControllers[0].opts.tps");

        let (path, message) = err(json!({"weights": [1], "rateControllers": [{"type": "zero-rate"}]}));
        assert_eq!(path, "opts.rateControllers[0].type");
        assert!(message.contains("duration-based"), "{message}");
    }
}
