//! A round's latency distribution as a percentile curve: latency against percentile on a log
//! scale (`log10(1 / (1 - q))`: 1 is p90, 2 is p99, 3 is p99.9), where the tail shows.

use caliper_core::stats::LatencyHistogram;

use crate::json::LatencyFigures;

/// Points per power of ten of the percentile axis.
const STEPS_PER_NINE: u32 = 10;
const MICROS_PER_SECOND: f64 = 1e6;

/// A percentile curve: `(log10(1 / (1 - q)), latency in seconds)`, in order of x.
pub(crate) type Curve = Vec<(f64, f64)>;

/// The curve of every value in `histogram` (the round's merged histogram of successful
/// transactions, so p50 and p99 on the curve are the round's p50 and p99): ten points per
/// nine, up to where one transaction is the whole tail, then the largest value.
pub(crate) fn from_histogram(histogram: &LatencyHistogram) -> Option<Curve> {
    if histogram.is_empty() {
        return None;
    }
    let end = (histogram.len() as f64).log10().max(1.0);
    let mut curve: Curve = (0..)
        .map(|i| f64::from(i) / f64::from(STEPS_PER_NINE))
        .take_while(|x| *x < end)
        .map(|x| (x, histogram.quantile(1.0 - 10f64.powf(-x)) as f64 / MICROS_PER_SECOND))
        .collect();
    curve.push((end, histogram.max() as f64 / MICROS_PER_SECOND));
    Some(curve)
}

/// The curve through a round's latency figures, for results that carry no histogram (a
/// results file read back): min, p50, p90, p95, p99, p99.9 and max.
pub(crate) fn from_figures(figures: &LatencyFigures, count: u64) -> Option<Curve> {
    let end = (count.max(1) as f64).log10().max(3.0);
    let curve: Curve = [
        (0.0, figures.min),
        (2f64.log10(), figures.p50),
        (1.0, figures.p90),
        (20f64.log10(), figures.p95),
        (2.0, figures.p99),
        (3.0, figures.p999),
        (end, figures.max),
    ]
    .into_iter()
    .filter_map(|(x, y)| Some((x, y?)))
    .collect();
    (!curve.is_empty()).then_some(curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_of_a_histogram_meets_its_percentiles() {
        let mut h = LatencyHistogram::new();
        (1..=10_000u64).for_each(|v| h.record(v * 100));
        let curve = from_histogram(&h).unwrap();
        assert_eq!(curve.len(), 41, "ten points per nine up to 10^4 values, then the max");
        let at = |x: f64| curve.iter().find(|p| (p.0 - x).abs() < 1e-9).unwrap().1;
        assert_eq!(at(2.0), h.quantile(0.99) as f64 / 1e6);
        assert_eq!(curve.last().unwrap().1, h.max() as f64 / 1e6);
        assert!(curve.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "increasing");
        assert!(from_histogram(&LatencyHistogram::new()).is_none());
    }

    #[test]
    fn the_curve_of_figures_keeps_the_known_ones() {
        let f = LatencyFigures {
            min: Some(0.1),
            p50: Some(0.2),
            p99: Some(0.3),
            max: Some(0.4),
            ..Default::default()
        };
        let curve = from_figures(&f, 20).unwrap();
        assert_eq!(curve.iter().map(|p| p.1).collect::<Vec<_>>(), [0.1, 0.2, 0.3, 0.4]);
        assert!(from_figures(&LatencyFigures::default(), 0).is_none());
    }
}
