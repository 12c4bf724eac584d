//! `fixed-rate`: a constant rate, as an exact schedule.
//!
//! Transaction k goes at k / (tps / workers) seconds after the round start. The time is computed
//! from k each time rather than accumulated, so it never drifts, and a loop that fell behind
//! catches up to the schedule (the latency corrected for coordinated omission counts the delay).

use serde_json::Value;

use super::opts::{Opts, from_secs};
use super::{Pace, RateContext, RateController, RateError, RoundView, per_worker, tx_index};

/// Sends at a constant rate: option `tps` (default 10), a total for all workers.
#[derive(Debug, Clone)]
pub struct FixedRate {
    /// This worker's rate, in transactions per second.
    rate: f64,
    /// How many transactions were asked about so far.
    asked: u64,
}

impl FixedRate {
    /// Reads `tps` from `opts`.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("fixed-rate", opts, &["tps"])?;
        let tps = opts.positive_tps("tps", "use zero-rate for no load")?.unwrap_or(10.0);
        Ok(Self { rate: per_worker(tps, ctx), asked: 0 })
    }
}

impl RateController for FixedRate {
    fn next(&mut self, view: &RoundView) -> Pace {
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        // Dividing k by the rate (rather than multiplying by a rounded period) keeps round
        // numbers exact: tx 1000 at 500 tx/s is at 2 s, not 2.0000000000000004 s.
        Pace::At(from_secs(k as f64 / self.rate))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::build;
    use super::super::testutil::*;

    #[test]
    fn thousand_tps_over_two_workers_is_two_ms_apart() {
        let mut c = build(&spec("fixed-rate", json!({"tps": 1000})), &ctx_tx(2000, 2)).unwrap();
        let times = schedule(c.as_mut(), 1001);
        assert_eq!(times[0], Duration::ZERO);
        assert_eq!(times[1], Duration::from_millis(2));
        assert_eq!(times[999], Duration::from_millis(1998));
        assert_eq!(times[1000], Duration::from_secs(2));
        assert!(times.windows(2).all(|w| w[1] - w[0] == Duration::from_millis(2)));
    }

    #[test]
    fn default_is_ten_tps() {
        let mut c = build(&spec("fixed-rate", serde_json::Value::Null), &ctx_secs(5, 1)).unwrap();
        assert_eq!(schedule(c.as_mut(), 11)[10], Duration::from_secs(1));
    }

    #[test]
    fn odd_rates_do_not_drift() {
        // 3 tx/s cannot be written exactly as a period; a million transactions later the
        // schedule is still where k/3 says, to the nanosecond.
        let mut c = build(&spec("fixed-rate", json!({"tps": "3"})), &ctx_secs(5, 1)).unwrap();
        let t = at(c.next(&view(Duration::ZERO, 3_000_000)));
        assert_eq!(t, Duration::from_secs(1_000_000));
    }

    #[test]
    fn lagging_events_do_not_repeat_a_slot() {
        // The loop asks for tx 0, 1, 2 before any txs_submitted event arrived.
        let mut c = build(&spec("fixed-rate", json!({"tps": 10})), &ctx_secs(5, 1)).unwrap();
        let times: Vec<_> = (0..3).map(|_| at(c.next(&view(Duration::ZERO, 0)))).collect();
        assert_eq!(times, [Duration::ZERO, Duration::from_millis(100), Duration::from_millis(200)]);
    }

    #[test]
    fn bad_tps_is_explained() {
        let (path, message) = option_error(build_err(&spec("fixed-rate", json!({"tps": -5})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.tps");
        assert!(message.contains("non-negative number of transactions per second"), "{message}");
        let (_, message) = option_error(build_err(&spec("fixed-rate", json!({"tps": 0})), &ctx_tx(1, 1)));
        assert!(message.contains("use zero-rate for no load"), "{message}");
        let (_, message) =
            option_error(build_err(&spec("fixed-rate", json!({"tps": "fast"})), &ctx_tx(1, 1)));
        assert!(message.contains(r#"expected a number of transactions per second"#), "{message}");
        assert!(message.contains(r#""fast""#), "{message}");
    }

    #[test]
    fn misspelt_option_is_an_error() {
        let (path, message) = option_error(build_err(&spec("fixed-rate", json!({"TPS": 5})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.TPS");
        assert!(message.contains("did you mean tps?"), "{message}");
    }
}
