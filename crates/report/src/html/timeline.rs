//! The lines of a round's charts over time, from the per-second series of the results.
//!
//! One point per second up to [`MAX_POINTS`] seconds, nothing changed. A longer round (an
//! hour has 3,600 seconds, a soak a day 86,400) would give more points than a chart has pixels
//! and a page of megabytes, so its seconds are taken in windows of several seconds: rates are
//! the window's mean, p99 and transactions in flight the window's largest (a spike stays
//! visible), p50 the mean of the seconds' medians.

use crate::json::SeriesPoint;

/// The most points a line has.
pub(crate) const MAX_POINTS: usize = 1_200;

/// A line's points: `(second, value)`, `None` where nothing is known (a gap).
pub(crate) type Points = Vec<Option<(f64, f64)>>;

/// The lines of a round's charts over time.
pub(crate) struct Timeline {
    /// Seconds per point (1 up to [`MAX_POINTS`] seconds).
    pub window: usize,
    /// Transactions submitted per second.
    pub submitted: Points,
    /// Transactions finished (succ + fail) per second.
    pub finished: Points,
    /// Transactions failed per second.
    pub failed: Points,
    /// Median latency of the successful ones, in seconds.
    pub p50: Points,
    /// 99th percentile latency of the successful ones, in seconds.
    pub p99: Points,
    /// Submitted minus finished at the end of a second.
    pub in_flight: Points,
}

impl Timeline {
    /// The lines of `series`.
    pub(crate) fn new(series: &[SeriesPoint]) -> Self {
        let window = series.len().div_ceil(MAX_POINTS).max(1);
        let mut t = Timeline {
            window,
            submitted: Vec::new(),
            finished: Vec::new(),
            failed: Vec::new(),
            p50: Vec::new(),
            p99: Vec::new(),
            in_flight: Vec::new(),
        };
        let mut in_flight = 0i128;
        for chunk in series.chunks(window) {
            let x = chunk[0].second as f64;
            let n = chunk.len() as f64;
            let mean = |f: fn(&SeriesPoint) -> u64| Some((x, chunk.iter().map(f).sum::<u64>() as f64 / n));
            t.submitted.push(mean(|p| p.submitted));
            t.finished.push(mean(|p| p.succ + p.fail));
            t.failed.push(mean(|p| p.fail));
            let medians: Vec<f64> = chunk.iter().filter_map(|p| p.latency_p50).collect();
            t.p50
                .push((!medians.is_empty()).then(|| (x, medians.iter().sum::<f64>() / medians.len() as f64)));
            t.p99.push(chunk.iter().filter_map(|p| p.latency_p99).reduce(f64::max).map(|y| (x, y)));
            let peak = chunk
                .iter()
                .map(|p| {
                    in_flight += i128::from(p.submitted) - i128::from(p.succ) - i128::from(p.fail);
                    in_flight.max(0)
                })
                .max()
                .unwrap_or(0);
            t.in_flight.push(Some((x, peak as f64)));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(second: usize, submitted: u64, succ: u64, p99: Option<f64>) -> SeriesPoint {
        SeriesPoint { second, submitted, succ, fail: 0, latency_p50: p99, latency_p90: p99, latency_p99: p99 }
    }

    #[test]
    fn a_round_of_minutes_keeps_every_second() {
        let series: Vec<_> = (0..360).map(|s| second(s, 10, 9, (s != 5).then_some(0.01))).collect();
        let t = Timeline::new(&series);
        assert_eq!((t.window, t.submitted.len()), (1, 360));
        assert_eq!(t.submitted[3], Some((3.0, 10.0)));
        assert_eq!(t.p99[5], None, "no successful transaction that second: a gap");
        assert_eq!(t.in_flight[2], Some((2.0, 3.0)), "one more in flight every second");
    }

    #[test]
    fn a_round_of_a_day_is_taken_in_windows() {
        let series: Vec<_> =
            (0..86_400).map(|s| second(s, 100, 100, Some(if s == 1_000 { 2.0 } else { 0.01 }))).collect();
        let t = Timeline::new(&series);
        assert_eq!(t.window, 72);
        assert_eq!(t.submitted.len(), MAX_POINTS);
        assert_eq!(t.submitted[1], Some((72.0, 100.0)), "the window's mean rate");
        assert_eq!(t.p99[1_000 / 72], Some((13.0 * 72.0, 2.0)), "the spike stays");
    }
}
