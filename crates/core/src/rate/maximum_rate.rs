//! `maximum-rate`: searches for the highest rate the SUT sustains, by hill climbing.
//!
//! It sends on a schedule at its current rate, starting at `tps`. Once the first transaction has
//! finished it measures the throughput over every `sampleInterval`: transactions finished in
//! the interval (only the successful ones when `includeFailed` is false) divided by its length.
//! A higher throughput than the previous interval's raises the rate by `step`; anything else
//! lowers it by `step` and halves the step, until the step is 0.2 tps for the whole benchmark.
//! The rate never drops below a small positive floor, and `end` logs where it settled.
//!
//! Caliper's "throughput" is the number finished over the sum of their latencies (one over the
//! mean latency, not a rate), it ignores `includeFailed: false`, and its rate can reach 0 or
//! less, where every sleep becomes 1 ms; none of that is copied.

use serde_json::Value;

use super::opts::{Opts, TPS, from_secs};
use super::{Pace, RateContext, RateController, RateError, RoundView, per_worker, tx_index};

/// The step stops halving at this, in total TPS (Caliper stops at 0.2 per worker).
const MIN_STEP_TPS: f64 = 0.2;
/// The rate never goes below this, in total TPS, so the schedule always moves on.
const MIN_TPS: f64 = 0.1;

/// Hill-climbs the rate from `tps` (default 5) by `step` (default 5), sampling every
/// `sampleInterval` seconds (default 10); `includeFailed` (default true) counts failures in the
/// throughput. TPS and step are totals for all workers.
#[derive(Debug, Clone)]
pub struct MaximumRate {
    /// The current rate, per worker.
    rate: f64,
    /// The current step, per worker.
    step: f64,
    /// The step below which it no longer halves, per worker.
    min_step: f64,
    /// The lowest rate, per worker.
    min_rate: f64,
    /// Number of workers, to log totals.
    workers: f64,
    /// Length of a sample, in seconds.
    interval: f64,
    /// Whether failed transactions count as throughput.
    include_failed: bool,
    /// How many transactions were asked about so far.
    asked: u64,
    /// The last scheduled index and its time in seconds; later ones follow at the current rate.
    last: (u64, f64),
    /// Start of the current sample (seconds) and the count at that time; none until a
    /// transaction finished.
    sample: Option<(f64, u64)>,
    /// Throughput of the previous sample, per second.
    previous: f64,
}

impl MaximumRate {
    /// Reads `tps`, `step`, `sampleInterval` and `includeFailed` from `opts`.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("maximum-rate", opts, &["tps", "step", "sampleInterval", "includeFailed"])?;
        let tps = opts.positive_tps("tps", "maximum-rate needs a rate to start from")?.unwrap_or(5.0);
        let step = opts.positive("step", TPS)?.unwrap_or(5.0);
        let interval = opts.positive("sampleInterval", "seconds")?.unwrap_or(10.0);
        let include_failed = opts.flag("includeFailed")?.unwrap_or(true);
        Ok(Self {
            rate: per_worker(tps, ctx),
            step: per_worker(step, ctx),
            min_step: per_worker(MIN_STEP_TPS, ctx),
            min_rate: per_worker(MIN_TPS, ctx),
            workers: ctx.total_workers.max(1) as f64,
            interval,
            include_failed,
            asked: 0,
            last: (0, 0.0),
            sample: None,
            previous: 0.0,
        })
    }

    /// Ends a sample when one is due and moves the rate by what it observed.
    fn climb(&mut self, view: &RoundView) {
        let count = if self.include_failed { view.finished } else { view.successful };
        let now = view.elapsed.as_secs_f64();
        match self.sample {
            None if view.finished > 0 => self.sample = Some((now, count)),
            Some((start, before)) if now - start >= self.interval => {
                let observed = count.saturating_sub(before) as f64 / (now - start);
                if observed > self.previous {
                    self.rate += self.step;
                } else {
                    self.rate = (self.rate - self.step).max(self.min_rate);
                    if self.step > self.min_step {
                        self.step /= 2.0;
                    }
                }
                tracing::debug!(
                    observed_tps = observed * self.workers,
                    rate_tps = self.rate * self.workers,
                    step_tps = self.step * self.workers,
                    "maximum-rate sample"
                );
                self.previous = observed;
                self.sample = Some((now, count));
            }
            _ => {}
        }
    }
}

impl RateController for MaximumRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        self.climb(view);
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        let (at, t) = self.last;
        let t = t + k.saturating_sub(at) as f64 / self.rate;
        self.last = (k, t);
        Pace::At(from_secs(t))
    }

    fn end(&mut self) -> Result<(), RateError> {
        tracing::info!(
            rate_tps = self.rate * self.workers,
            worker_rate_tps = self.rate,
            "maximum-rate ended at {:.3} tps in total",
            self.rate * self.workers
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::testutil::*;
    use super::super::{RateController, RoundView};
    use super::*;

    fn ctx(workers: usize) -> RateContext {
        ctx_secs(600, workers)
    }

    fn seen(elapsed_ms: u64, submitted: u64, finished: u64, successful: u64) -> RoundView {
        RoundView {
            elapsed: Duration::from_millis(elapsed_ms),
            submitted,
            finished,
            successful,
            failed: finished - successful,
            ..RoundView::default()
        }
    }

    fn gap(c: &mut MaximumRate, view: &RoundView) -> f64 {
        let a = at(c.next(view));
        let b = at(c.next(&RoundView { submitted: view.submitted + 1, ..*view }));
        (b - a).as_secs_f64()
    }

    #[test]
    fn starts_at_tps_on_a_schedule() {
        let mut c = MaximumRate::new(&json!({"tps": 20}), &ctx(2)).unwrap();
        assert_eq!(schedule(&mut c, 3), [0, 100, 200].map(Duration::from_millis));
    }

    #[test]
    fn climbs_while_throughput_rises_and_backs_off_when_it_falls() {
        let opts = json!({"tps": 10, "step": 4, "sampleInterval": 1});
        let mut c = MaximumRate::new(&opts, &ctx(1)).unwrap();
        // First finish at 0.5 s starts the first sample.
        c.next(&seen(500, 5, 1, 1));
        // 10 finished in the next second: more than nothing, so 10 + 4 tx/s.
        assert!((1.0 / gap(&mut c, &seen(1500, 15, 11, 11)) - 14.0).abs() < 1e-6);
        // 12 in the next second: still rising, 18 tx/s.
        assert!((1.0 / gap(&mut c, &seen(2500, 30, 23, 23)) - 18.0).abs() < 1e-6);
        // Only 8: too far, back to 14 tx/s, and the step halves to 2.
        assert!((1.0 / gap(&mut c, &seen(3500, 50, 31, 31)) - 14.0).abs() < 1e-6);
        assert!((c.step - 2.0).abs() < 1e-9);
        // Between samples the rate holds.
        assert!((1.0 / gap(&mut c, &seen(3900, 55, 35, 35)) - 14.0).abs() < 1e-6);
    }

    #[test]
    fn the_schedule_continues_from_the_last_transaction() {
        let opts = json!({"tps": 10, "step": 10, "sampleInterval": 1});
        let mut c = MaximumRate::new(&opts, &ctx(1)).unwrap();
        assert_eq!(at(c.next(&seen(0, 0, 0, 0))), Duration::ZERO);
        assert_eq!(at(c.next(&seen(0, 1, 1, 1))), Duration::from_millis(100));
        // At 20 tx/s now: the next goes 50 ms after the last, not at 2/20 s from the start.
        assert_eq!(at(c.next(&seen(1100, 2, 2, 2))), Duration::from_millis(150));
    }

    #[test]
    fn excluding_failures_measures_successes_only() {
        let opts = json!({"tps": 10, "step": 4, "sampleInterval": "1", "includeFailed": "false"});
        let mut c = MaximumRate::new(&opts, &ctx(1)).unwrap();
        c.next(&seen(500, 5, 1, 1));
        c.next(&seen(1500, 15, 11, 6));
        assert!((c.previous - 5.0).abs() < 1e-9);
    }

    #[test]
    fn rate_never_reaches_zero_and_step_stops_halving() {
        // Two workers: the step stops at 0.1 per worker (0.2 in total).
        let opts = json!({"tps": 1, "step": 100, "sampleInterval": 1});
        let mut c = MaximumRate::new(&opts, &ctx(2)).unwrap();
        c.next(&seen(0, 1, 1, 1));
        for s in 1..40 {
            c.next(&seen(s * 1000, s + 1, 1, 1));
        }
        assert!(c.rate >= 0.05 - 1e-12, "{}", c.rate);
        assert!((c.step - 0.1).abs() < 0.1 && c.step <= 0.1 + 1e-12 && c.step > 0.05, "{}", c.step);
        let t = at(c.next(&seen(40_000, 41, 1, 1)));
        assert!(t < Duration::from_secs(10_000));
        assert!(c.end().is_ok());
    }

    #[test]
    fn option_errors() {
        let (path, message) =
            option_error(build_err(&spec("maximum-rate", json!({"sampleIntervall": 5})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.sampleIntervall");
        assert!(message.contains("did you mean sampleInterval?"), "{message}");
        let (path, _) =
            option_error(build_err(&spec("maximum-rate", json!({"includeFailed": 3})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.includeFailed");
        let (path, _) = option_error(build_err(&spec("maximum-rate", json!({"tps": "-2"})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.tps");
    }
}
