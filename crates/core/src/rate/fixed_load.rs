//! `fixed-load`: keeps a fixed number of transactions in flight (a closed loop).
//!
//! Until the first transaction finishes there is nothing to measure, so it sends on a schedule
//! at `startTps`. From then on each transaction goes as soon as fewer than `transactionLoad`
//! (divided among the workers) are in flight. Caliper instead estimates a sleep from the mean
//! latency, which lets the backlog wander; releasing on the in-flight count keeps it exact.

use serde_json::Value;

use super::opts::{Opts, from_secs};
use super::{Pace, RateContext, RateController, RateError, RoundView, per_worker, tx_index};

/// Keeps `transactionLoad` (default 10, a total) in flight; starts at `startTps` (default 5).
#[derive(Debug, Clone)]
pub struct FixedLoad {
    /// This worker's rate before the first transaction finishes.
    start_rate: f64,
    /// This worker's share of the load: at most this many in flight.
    load: u64,
    /// How many transactions were asked about so far.
    asked: u64,
}

impl FixedLoad {
    /// Reads `startTps` and `transactionLoad` from `opts`.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        let opts = Opts::new("fixed-load", opts, &["startTps", "transactionLoad"])?;
        let start_tps = opts
            .positive_tps("startTps", "fixed-load needs a rate to send its first transactions at")?
            .unwrap_or(5.0);
        let load = opts
            .positive("transactionLoad", "transactions in flight (a total for all workers)")?
            .unwrap_or(10.0);
        // Each worker keeps at least one in flight, or it would never send.
        let load = per_worker(load, ctx).round().max(1.0) as u64;
        Ok(Self { start_rate: per_worker(start_tps, ctx), load, asked: 0 })
    }
}

impl RateController for FixedLoad {
    fn next(&mut self, view: &RoundView) -> Pace {
        let k = tx_index(self.asked, view);
        self.asked = k + 1;
        if view.finished > 0 {
            Pace::WhenInFlightBelow(self.load)
        } else {
            Pace::At(from_secs(k as f64 / self.start_rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::testutil::*;
    use super::super::{Pace, RoundView, build};

    #[test]
    fn starts_on_a_schedule_then_holds_the_load() {
        // 10 tx/s and a load of 8, over 2 workers: 5 tx/s and 4 in flight each.
        let opts = json!({"startTps": 10, "transactionLoad": "8"});
        let mut c = build(&spec("fixed-load", opts), &ctx_secs(60, 2)).unwrap();
        assert_eq!(schedule(c.as_mut(), 3), [0, 200, 400].map(Duration::from_millis));
        let view = RoundView {
            elapsed: Duration::from_millis(450),
            submitted: 3,
            finished: 1,
            ..RoundView::default()
        };
        assert_eq!(c.next(&view), Pace::WhenInFlightBelow(4));
    }

    #[test]
    fn releases_only_under_the_in_flight_limit() {
        // A loop that obeys the pace, with a SUT that finishes one transaction per tick.
        let mut c = build(&spec("fixed-load", json!({"transactionLoad": 3})), &ctx_secs(60, 1)).unwrap();
        let mut view = RoundView { submitted: 0, finished: 0, ..RoundView::default() };
        let mut pace = c.next(&view);
        for tick in 0..1000u64 {
            view.elapsed = Duration::from_millis(tick * 10);
            // Release everything the pace allows at this tick.
            loop {
                let allowed = match pace {
                    Pace::At(t) => view.elapsed >= t,
                    Pace::WhenInFlightBelow(n) => view.in_flight() < n,
                    Pace::Idle => false,
                };
                if !allowed {
                    break;
                }
                view.submitted += 1;
                assert!(view.finished == 0 || view.in_flight() <= 3, "in flight {}", view.in_flight());
                pace = c.next(&view);
            }
            if tick % 7 == 6 && view.in_flight() > 0 {
                view.finished += 1;
            }
        }
        assert_eq!(view.in_flight(), 3, "the load stays at its limit");
        assert!(view.submitted > 100);
    }

    #[test]
    fn small_shares_keep_one_in_flight() {
        let mut c = build(&spec("fixed-load", json!({"transactionLoad": 1})), &ctx_secs(60, 4)).unwrap();
        let view = RoundView { submitted: 1, finished: 1, ..RoundView::default() };
        assert_eq!(c.next(&view), Pace::WhenInFlightBelow(1));
    }

    #[test]
    fn option_errors() {
        let (path, message) =
            option_error(build_err(&spec("fixed-load", json!({"startTPS": 5})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.startTPS");
        assert!(message.contains("did you mean startTps?"), "{message}");
        let (path, _) =
            option_error(build_err(&spec("fixed-load", json!({"transactionLoad": 0})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.transactionLoad");
        let (path, _) = option_error(build_err(&spec("fixed-load", json!({"startTps": "x"})), &ctx_tx(1, 1)));
        assert_eq!(path, "opts.startTps");
    }
}
