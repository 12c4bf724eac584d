//! `linear-rate`: a rate that moves in a straight line from `startingTps` to `finishingTps`.
//!
//! In a duration round the rate is linear in time, r(t) = r0 + (r1 − r0)·t/T; transaction k
//! goes when the integral of the rate reaches k, which has a closed form, so the schedule never
//! drifts and can start from 0 tps. In a txNumber round the rate is linear in the transaction
//! index, r(k) = r0 + (r1 − r0)·k/n, and the times add up 1/r(k). Past the end of the ramp the
//! rate stays at `finishingTps`.
//!
//! Caliper interpolates the delay between transactions instead (1/r), which is not linear in
//! TPS: a 10 → 100 ramp spends most of its time near 10. The ramp here is the one the
//! controller's name and documentation promise.

use serde_json::Value;

use super::opts::{Opts, TPS, from_secs};
use super::{Pace, RateContext, RateController, RateError, RoundView, per_worker, tx_index};

/// Ramps the rate from `startingTps` to `finishingTps` (both required, totals) over the round.
#[derive(Debug, Clone)]
pub struct LinearRate {
    ramp: Ramp,
    /// How many transactions were asked about so far.
    asked: u64,
}

/// The two ways a round measures its length.
#[derive(Debug, Clone)]
enum Ramp {
    /// A duration round: the rate is a function of time.
    Time {
        /// Rate at the start, per worker.
        r0: f64,
        /// Rate at the end and after it, per worker.
        r1: f64,
        /// Change of rate per second.
        slope: f64,
        /// The ramp's length in seconds.
        end_secs: f64,
        /// Transactions sent by the end of the ramp.
        end_count: f64,
    },
    /// A txNumber round: the rate is a function of the transaction index.
    Index {
        /// Rate of the first transaction, per worker.
        r0: f64,
        /// Rate of transaction n and after, per worker.
        r1: f64,
        /// This worker's transactions in the round.
        n: f64,
        /// The index whose time `t` holds.
        k: u64,
        /// Intended time of transaction `k`, in seconds.
        t: f64,
    },
}

impl LinearRate {
    /// Reads `startingTps` and `finishingTps` from `opts`; the ramp spans the round.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("linear-rate", opts, &["startingTps", "finishingTps"])?;
        let start = opts.non_negative("startingTps", TPS)?.ok_or_else(|| opts.missing("startingTps", TPS))?;
        let finish =
            opts.non_negative("finishingTps", TPS)?.ok_or_else(|| opts.missing("finishingTps", TPS))?;
        let (r0, r1) = (per_worker(start, ctx), per_worker(finish, ctx));
        let ramp = if let Some(n) = ctx.tx_number {
            // Rates are used as 1/r per transaction: a zero would put a transaction at infinity.
            for (key, rate) in [("startingTps", r0), ("finishingTps", r1)] {
                if rate == 0.0 {
                    return Err(opts.error(
                        key,
                        "must be above 0 in a txNumber round (at 0 tps no transaction would go)",
                    ));
                }
            }
            Ramp::Index { r0, r1, n: n.max(1) as f64, k: 0, t: 0.0 }
        } else if let Some(duration) = ctx.tx_duration {
            if r0 == 0.0 && r1 == 0.0 {
                return Err(opts.error(
                    "startingTps",
                    "startingTps and finishingTps are both 0; use zero-rate for no load",
                ));
            }
            let end_secs = duration.as_secs_f64();
            let slope = if end_secs > 0.0 { (r1 - r0) / end_secs } else { 0.0 };
            Ramp::Time { r0, r1, slope, end_secs, end_count: end_secs * (r0 + r1) / 2.0 }
        } else {
            return Err(RateError::Option {
                path: "type".into(),
                message: "linear-rate needs a round with txNumber or txDuration".into(),
            });
        };
        Ok(Self { ramp, asked: 0 })
    }
}

impl RateController for LinearRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        match &mut self.ramp {
            Ramp::Time { r0, r1, slope, end_secs, end_count } => {
                let kf = k as f64;
                if k == 0 {
                    Pace::At(std::time::Duration::ZERO)
                } else if kf <= *end_count {
                    // Solves r0·t + slope·t²/2 = k in the form that stays accurate when the
                    // slope is tiny (the textbook form cancels) and when r0 is 0.
                    let root = (*r0 * *r0 + 2.0 * *slope * kf).max(0.0).sqrt();
                    Pace::At(from_secs(2.0 * kf / (*r0 + root)))
                } else if *r1 > 0.0 {
                    Pace::At(from_secs(*end_secs + (kf - *end_count) / *r1))
                } else {
                    // Ramped down to 0 tps: nothing more to send in this round.
                    Pace::Idle
                }
            }
            Ramp::Index { r0, r1, n, k: at, t } => {
                // Usually one step; a batch workload may move the index further at once.
                while *at < k {
                    let progress = (*at as f64).min(*n) / *n;
                    *t += 1.0 / (*r0 + (*r1 - *r0) * progress);
                    *at += 1;
                }
                Pace::At(from_secs(*t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::testutil::*;
    use super::super::{Pace, build};

    fn secs(d: Duration) -> f64 {
        d.as_secs_f64()
    }

    #[test]
    fn index_ramp_is_linear_in_tps_and_reaches_the_finish() {
        // 20 → 40 tps over 2 workers: 10 → 20 per worker over 100 transactions.
        let opts = json!({"startingTps": 20, "finishingTps": "40"});
        let mut c = build(&spec("linear-rate", opts), &ctx_tx(100, 2)).unwrap();
        let t = schedule(c.as_mut(), 101);
        let rate_at = |k: usize| 1.0 / secs(t[k + 1] - t[k]);
        assert!((rate_at(0) - 10.0).abs() < 1e-4, "{}", rate_at(0));
        assert!((rate_at(50) - 15.0).abs() < 1e-4, "{}", rate_at(50));
        assert!((rate_at(99) - 19.9).abs() < 1e-4, "{}", rate_at(99));
        let expected: f64 = (0..100).map(|k| 1.0 / (10.0 + 10.0 * k as f64 / 100.0)).sum();
        assert!((secs(t[100]) - expected).abs() < 1e-6);
    }

    #[test]
    fn time_ramp_is_linear_in_tps_and_reaches_the_finish() {
        // 0 → 100 tps over 10 s: 500 transactions, 125 of them in the first 5 s.
        let opts = json!({"startingTps": 0, "finishingTps": 100});
        let mut c = build(&spec("linear-rate", opts), &ctx_secs(10, 1)).unwrap();
        let t = schedule(c.as_mut(), 502);
        assert_eq!(t[0], Duration::ZERO);
        assert!((secs(t[125]) - 5.0).abs() < 1e-6, "{:?}", t[125]);
        assert!((secs(t[500]) - 10.0).abs() < 1e-6, "{:?}", t[500]);
        let last_gap = secs(t[500] - t[499]);
        assert!((1.0 / last_gap - 100.0).abs() < 0.2, "rate at the end {}", 1.0 / last_gap);
        // After the ramp the rate holds at the finish.
        assert!((secs(t[501] - t[500]) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn flat_ramp_is_fixed_rate() {
        let opts = json!({"startingTps": 4, "finishingTps": 4});
        let mut c = build(&spec("linear-rate", opts), &ctx_secs(10, 1)).unwrap();
        assert_eq!(schedule(c.as_mut(), 5), [0, 250, 500, 750, 1000].map(Duration::from_millis));
    }

    #[test]
    fn ramp_down_to_zero_ends_the_load() {
        let opts = json!({"startingTps": 100, "finishingTps": 0});
        let mut c = build(&spec("linear-rate", opts), &ctx_secs(10, 1)).unwrap();
        let t = schedule(c.as_mut(), 501);
        assert!((secs(t[500]) - 10.0).abs() < 1e-3, "{:?}", t[500]);
        assert_eq!(c.next(&view(t[500], 501)), Pace::Idle);
    }

    #[test]
    fn option_errors() {
        let (path, message) = option_error(build_err(
            &spec("linear-rate", json!({"startingTPS": 1, "finishingTps": 2})),
            &ctx_tx(9, 1),
        ));
        assert_eq!(path, "opts.startingTPS");
        assert!(message.contains("did you mean startingTps?"), "{message}");

        let (path, message) =
            option_error(build_err(&spec("linear-rate", json!({"startingTps": 1})), &ctx_tx(9, 1)));
        assert_eq!(path, "opts.finishingTps");
        assert!(message.contains("required by linear-rate"), "{message}");

        let opts = json!({"startingTps": -1, "finishingTps": 2});
        assert_eq!(option_error(build_err(&spec("linear-rate", opts), &ctx_tx(9, 1))).0, "opts.startingTps");

        let opts = json!({"startingTps": 0, "finishingTps": 2});
        let (_, message) = option_error(build_err(&spec("linear-rate", opts), &ctx_tx(9, 1)));
        assert!(message.contains("txNumber"), "{message}");

        let opts = json!({"startingTps": 0, "finishingTps": 0});
        let (_, message) = option_error(build_err(&spec("linear-rate", opts), &ctx_secs(9, 1)));
        assert!(message.contains("zero-rate"), "{message}");
    }
}
