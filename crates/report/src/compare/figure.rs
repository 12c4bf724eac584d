//! The figures of a round that `caliper compare` reads, each with its unit and the direction in
//! which it is better.

use serde::{Serialize, Serializer};

use crate::json::{LatencyFigures, RoundResult};

/// A statistic of the latency of the successful transactions (`latency` in the results file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyStat {
    /// Smallest.
    Min,
    /// Largest.
    Max,
    /// Mean.
    Avg,
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 95th percentile.
    P95,
    /// 99th percentile.
    P99,
    /// 99.9th percentile.
    P999,
}

/// A figure of a round in a results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// `sendRate`, tx/s: the load that was sent.
    SendRate,
    /// `throughput`, tx/s.
    Throughput,
    /// `failRate`: fail / (succ + fail), a ratio from 0 to 1.
    FailRate,
    /// `succ`: successful transactions.
    Succ,
    /// `fail`: failed transactions.
    Fail,
    /// `latency.<stat>`, seconds.
    Latency(LatencyStat),
}

/// What a figure counts, which says how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds (latency).
    Seconds,
    /// Transactions per second.
    Rate,
    /// A ratio from 0 to 1, written in per cent; a change of it in percentage points.
    Ratio,
    /// Transactions.
    Count,
}

const LATENCY_STATS: [(LatencyStat, &str); 8] = [
    (LatencyStat::Min, "min"),
    (LatencyStat::Max, "max"),
    (LatencyStat::Avg, "avg"),
    (LatencyStat::P50, "p50"),
    (LatencyStat::P90, "p90"),
    (LatencyStat::P95, "p95"),
    (LatencyStat::P99, "p99"),
    (LatencyStat::P999, "p999"),
];

/// The names a person may use, for error messages.
pub const FIGURE_NAMES: &str = "sendRate, throughput, failRate, succ, fail, latency.min, latency.max, \
     latency.avg, latency.p50, latency.p90, latency.p95, latency.p99, latency.p999 \
     (or k6's p(50), p(90), p(95), p(99), p(99.9), med, avg, min, max for latency)";

impl Figure {
    /// The figure named `text`: the results file's name (`sendRate`, `latency.p99`; case, `_`
    /// and `-` do not matter) or k6's aggregation of latency (`p(95)`, `med`, `avg`, `min`,
    /// `max`). `None` when it names no figure.
    pub fn parse(text: &str) -> Option<Figure> {
        let name: String =
            text.trim().chars().filter(|c| !matches!(c, '_' | '-' | ' ')).collect::<String>().to_lowercase();
        let stat = |s: &str| LATENCY_STATS.iter().find(|(_, n)| *n == s).map(|(st, _)| Figure::Latency(*st));
        match name.as_str() {
            "sendrate" => Some(Figure::SendRate),
            "throughput" => Some(Figure::Throughput),
            "failrate" => Some(Figure::FailRate),
            "succ" => Some(Figure::Succ),
            "fail" => Some(Figure::Fail),
            "med" => Some(Figure::Latency(LatencyStat::P50)),
            "min" | "max" | "avg" => stat(&name),
            _ => {
                if let Some(s) = name.strip_prefix("latency.") {
                    return stat(s);
                }
                let stat = match name.strip_prefix("p(")?.strip_suffix(')')? {
                    "50" => LatencyStat::P50,
                    "90" => LatencyStat::P90,
                    "95" => LatencyStat::P95,
                    "99" => LatencyStat::P99,
                    "99.9" => LatencyStat::P999,
                    _ => return None,
                };
                Some(Figure::Latency(stat))
            }
        }
    }

    /// The name in the results file's terms: `sendRate`, `latency.p99`, ...
    pub fn name(self) -> &'static str {
        match self {
            Figure::SendRate => "sendRate",
            Figure::Throughput => "throughput",
            Figure::FailRate => "failRate",
            Figure::Succ => "succ",
            Figure::Fail => "fail",
            Figure::Latency(s) => match s {
                LatencyStat::Min => "latency.min",
                LatencyStat::Max => "latency.max",
                LatencyStat::Avg => "latency.avg",
                LatencyStat::P50 => "latency.p50",
                LatencyStat::P90 => "latency.p90",
                LatencyStat::P95 => "latency.p95",
                LatencyStat::P99 => "latency.p99",
                LatencyStat::P999 => "latency.p999",
            },
        }
    }

    /// What the figure counts.
    pub fn unit(self) -> Unit {
        match self {
            Figure::SendRate | Figure::Throughput => Unit::Rate,
            Figure::FailRate => Unit::Ratio,
            Figure::Succ | Figure::Fail => Unit::Count,
            Figure::Latency(_) => Unit::Seconds,
        }
    }

    /// Whether a smaller value is better: latency and failures; rates and successes are better
    /// higher.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Figure::Latency(_) | Figure::FailRate | Figure::Fail)
    }

    /// The figure's value in `round`; `None` where the results file has `null` (no successful
    /// transaction, a rate over no time) or, for the fail rate, no transaction at all.
    pub fn value(self, round: &RoundResult) -> Option<f64> {
        match self {
            Figure::SendRate => round.send_rate,
            Figure::Throughput => round.throughput,
            Figure::FailRate => {
                let total = round.succ + round.fail;
                (total > 0).then(|| round.fail as f64 / total as f64)
            }
            Figure::Succ => Some(round.succ as f64),
            Figure::Fail => Some(round.fail as f64),
            Figure::Latency(stat) => latency(&round.latency, stat),
        }
    }
}

fn latency(l: &LatencyFigures, stat: LatencyStat) -> Option<f64> {
    match stat {
        LatencyStat::Min => l.min,
        LatencyStat::Max => l.max,
        LatencyStat::Avg => l.avg,
        LatencyStat::P50 => l.p50,
        LatencyStat::P90 => l.p90,
        LatencyStat::P95 => l.p95,
        LatencyStat::P99 => l.p99,
        LatencyStat::P999 => l.p999,
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Unit {
    /// The unit's name in the JSON output: `s`, `tx/s`, `ratio`, `tx`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Rate => "tx/s",
            Unit::Ratio => "ratio",
            Unit::Count => "tx",
        }
    }

    /// A value for a person: latency in ms below a second and in s above, rates with one
    /// decimal, a ratio in per cent.
    pub fn show(self, v: f64) -> String {
        match self {
            Unit::Seconds if v.abs() < 1.0 => format!("{:.2} ms", v * 1e3),
            Unit::Seconds => format!("{v:.3} s"),
            Unit::Rate => format!("{v:.1} tx/s"),
            Unit::Ratio => format!("{:.2} %", v * 100.0),
            Unit::Count => format!("{v:.0}"),
        }
    }

    /// A change for a person, signed: a ratio's change in percentage points. A change that
    /// rounds to nothing is `+0`, not `-0`.
    pub fn show_change(self, d: f64) -> String {
        match self {
            Unit::Ratio => signed(d, |m| format!("{:.2} pp", m * 100.0)),
            _ => signed(d, |m| self.show(m)),
        }
    }
}

/// `d` written by `show` (given its magnitude) with its sign; `-` only where a digit shows it.
pub(crate) fn signed(d: f64, show: impl Fn(f64) -> String) -> String {
    let magnitude = show(d.abs());
    let shows_something = magnitude.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let sign = if d < 0.0 && shows_something { '-' } else { '+' };
    format!("{sign}{magnitude}")
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_k6_aggregations_parse() {
        assert_eq!(Figure::parse("latency.p99"), Some(Figure::Latency(LatencyStat::P99)));
        assert_eq!(Figure::parse("p(99)"), Some(Figure::Latency(LatencyStat::P99)));
        assert_eq!(Figure::parse("p(99.9)"), Some(Figure::Latency(LatencyStat::P999)));
        assert_eq!(Figure::parse("med"), Some(Figure::Latency(LatencyStat::P50)));
        assert_eq!(Figure::parse("avg"), Some(Figure::Latency(LatencyStat::Avg)));
        assert_eq!(Figure::parse("send_rate"), Some(Figure::SendRate));
        assert_eq!(Figure::parse("failRate"), Some(Figure::FailRate));
        assert_eq!(Figure::parse(" Throughput "), Some(Figure::Throughput));
        for bad in ["p(97)", "p(9.99)", "latency", "latency.p98", "tps", "p(", ""] {
            assert_eq!(Figure::parse(bad), None, "{bad}");
        }
        for f in [Figure::SendRate, Figure::FailRate, Figure::Fail, Figure::Latency(LatencyStat::P999)] {
            assert_eq!(Figure::parse(f.name()), Some(f), "the name reads back");
        }
    }

    #[test]
    fn direction_latency_and_failures_are_better_lower() {
        assert!(Figure::Latency(LatencyStat::P95).lower_is_better());
        assert!(Figure::FailRate.lower_is_better());
        assert!(!Figure::Throughput.lower_is_better());
        assert!(!Figure::SendRate.lower_is_better());
    }

    #[test]
    fn values_are_shown_in_their_units() {
        assert_eq!(Unit::Seconds.show(0.0051), "5.10 ms");
        assert_eq!(Unit::Seconds.show(2.5), "2.500 s");
        assert_eq!(Unit::Rate.show(99.96), "100.0 tx/s");
        assert_eq!(Unit::Ratio.show(0.015), "1.50 %");
        assert_eq!(Unit::Ratio.show_change(-0.01), "-1.00 pp");
        assert_eq!(Unit::Seconds.show_change(0.045), "+45.00 ms");
        assert_eq!(Unit::Count.show_change(-3.0), "-3");
        assert_eq!(Unit::Rate.show_change(-0.04), "+0.0 tx/s", "no -0.0");
        assert_eq!(Unit::Rate.show_change(-0.06), "-0.1 tx/s");
    }
}
