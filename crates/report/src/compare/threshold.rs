//! Relative thresholds (`latency.p99=+10%`): how much worse than the baseline a figure may get
//! before it counts as a regression, with the defaults.

use super::CompareError;
use super::amount::{amount, expected};
use super::figure::{FIGURE_NAMES, Figure, LatencyStat, Unit};
use super::verdict::Verdict;

/// How far a figure may move in its worse direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// By this many per cent of the baseline (`+10%`).
    Relative(f64),
    /// By this much, in the figure's unit (`+1pp` for a ratio, `+50ms` for latency).
    Absolute(f64),
    /// Not judged (`off`): the figure is shown with no verdict.
    Off,
}

/// A figure and its limit: `latency.p99=+10%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The figure.
    pub figure: Figure,
    /// How far it may get worse.
    pub limit: Limit,
}

/// The change of a figure from the baseline to the current run, and what the limit makes of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    /// current − baseline, in the figure's unit.
    pub change: Option<f64>,
    /// The change in per cent of the baseline (`None` when the baseline is 0).
    pub change_pct: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The defaults: send rate and throughput may fall by 10 %, the latency percentiles p50, p95
/// and p99 may rise by 10 %, the fail rate by 1 percentage point. They are also the figures
/// every matched round shows.
pub fn default_thresholds() -> Vec<Threshold> {
    let t = |figure, limit| Threshold { figure, limit };
    vec![
        t(Figure::SendRate, Limit::Relative(10.0)),
        t(Figure::Throughput, Limit::Relative(10.0)),
        t(Figure::Latency(LatencyStat::P50), Limit::Relative(10.0)),
        t(Figure::Latency(LatencyStat::P95), Limit::Relative(10.0)),
        t(Figure::Latency(LatencyStat::P99), Limit::Relative(10.0)),
        t(Figure::FailRate, Limit::Absolute(0.01)),
    ]
}

impl Threshold {
    /// Parses `FIGURE=LIMIT`: `latency.p99=+10%`, `throughput=-5%`, `failRate=+2pp`,
    /// `latency.p50=+20ms`, `sendRate=off`. The sign, when given, must be the figure's worse
    /// direction (`+` for latency and failures, `-` for rates and successes); without one the
    /// limit is taken in the worse direction.
    pub fn parse(text: &str) -> Result<Threshold, CompareError> {
        let err = |expected: String| CompareError::Threshold { text: text.to_owned(), expected };
        let Some((name, limit)) = text.split_once('=') else {
            return Err(err("expected FIGURE=LIMIT, such as latency.p99=+10% or throughput=-5%".to_owned()));
        };
        let figure = Figure::parse(name).ok_or_else(|| {
            err(format!("unknown figure `{}`; expected one of {FIGURE_NAMES}", name.trim()))
        })?;
        let limit = limit.trim();
        if matches!(limit.to_ascii_lowercase().as_str(), "off" | "none") {
            return Ok(Threshold { figure, limit: Limit::Off });
        }
        let worse = if figure.lower_is_better() { '+' } else { '-' };
        let (sign, magnitude) = match limit.chars().next() {
            Some(c @ ('+' | '-')) => (Some(c), &limit[1..]),
            _ => (None, limit),
        };
        if sign.is_some_and(|s| s != worse) {
            let way = if figure.lower_is_better() { "rises" } else { "falls" };
            return Err(err(format!(
                "{} gets worse when it {way}: write its limit as {worse}{magnitude} (or without a sign)",
                figure.name()
            )));
        }
        let limit = match magnitude.strip_suffix('%') {
            Some(pct) => match pct.trim().parse::<f64>() {
                Ok(p) if p.is_finite() && p >= 0.0 => Limit::Relative(p),
                _ => {
                    return Err(err(format!(
                        "expected a percentage of at least 0 before `%`, got `{limit}`"
                    )));
                }
            },
            None => match amount(magnitude, figure.unit()) {
                Ok(a) if a >= 0.0 => Limit::Absolute(a),
                Ok(_) => return Err(err(format!("expected a limit of at least 0, got `{limit}`"))),
                Err(_) => {
                    return Err(err(format!(
                        "expected a change in per cent (such as {worse}10%) or an absolute one: {}, got `{limit}`",
                        expected(figure.unit()).trim_start_matches("expected ")
                    )));
                }
            },
        };
        Ok(Threshold { figure, limit })
    }

    /// The limit as a person writes it: `+10%`, `-5%`, `+1.00 pp`, `+50.00 ms`, `off`.
    pub fn limit_text(&self) -> String {
        let sign = if self.figure.lower_is_better() { "+" } else { "-" };
        match self.limit {
            Limit::Relative(p) => format!("{sign}{p}%"),
            Limit::Absolute(a) if self.figure.unit() == Unit::Ratio => format!("{sign}{}pp", a * 100.0),
            Limit::Absolute(a) => format!("{sign}{}", self.figure.unit().show(a)),
            Limit::Off => "off".to_owned(),
        }
    }

    /// The change from `baseline` to `current` and its verdict: regressed when the figure got
    /// worse by more than the limit; improved when the baseline is worse than the current run
    /// by more than the limit (so swapping the two files swaps the two verdicts).
    pub fn judge(&self, baseline: Option<f64>, current: Option<f64>) -> Judged {
        let (Some(base), Some(cur)) = (baseline, current) else {
            let verdict =
                if baseline.is_none() && current.is_none() { Verdict::Unjudged } else { Verdict::NoData };
            return Judged { change: None, change_pct: None, verdict };
        };
        let change = cur - base;
        let change_pct = (base != 0.0).then(|| change / base.abs() * 100.0);
        let verdict = if self.limit == Limit::Off {
            Verdict::Unjudged
        } else if self.worse_beyond_limit(base, cur) {
            Verdict::Regressed
        } else if self.worse_beyond_limit(cur, base) {
            Verdict::Improved
        } else {
            Verdict::Ok
        };
        Judged { change: Some(change), change_pct, verdict }
    }

    /// Whether going from `from` to `to` makes the figure worse by more than the limit.
    fn worse_beyond_limit(&self, from: f64, to: f64) -> bool {
        // Positive is worse, whichever way the figure is better.
        let worse = if self.figure.lower_is_better() { to - from } else { from - to };
        match self.limit {
            Limit::Off => false,
            // From 0, any change is infinitely many per cent.
            Limit::Relative(_) if from == 0.0 => worse > 0.0,
            Limit::Relative(pct) => worse / from.abs() * 100.0 > pct,
            Limit::Absolute(limit) => worse > limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Threshold {
        Threshold::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        Threshold::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn thresholds_parse_in_the_worse_direction() {
        let p99 = Figure::Latency(LatencyStat::P99);
        assert_eq!(parse("latency.p99=+10%"), Threshold { figure: p99, limit: Limit::Relative(10.0) });
        assert_eq!(parse("latency.p99=10%").limit, Limit::Relative(10.0));
        assert_eq!(parse("p(99)=+20ms").limit, Limit::Absolute(0.02));
        assert_eq!(
            parse("throughput=-5%"),
            Threshold { figure: Figure::Throughput, limit: Limit::Relative(5.0) }
        );
        assert_eq!(parse("failRate=+2pp").limit, Limit::Absolute(0.02));
        assert_eq!(parse("sendRate = off").limit, Limit::Off);
        assert_eq!(parse("succ=-100").limit, Limit::Absolute(100.0));
    }

    #[test]
    fn bad_thresholds_say_what_was_expected() {
        assert!(error("latency.p99").contains("expected FIGURE=LIMIT"), "{}", error("latency.p99"));
        let e = error("latncy.p99=+10%");
        assert!(e.contains("unknown figure `latncy.p99`") && e.contains("latency.p99"), "{e}");
        let e = error("throughput=+5%");
        assert!(e.contains("throughput gets worse when it falls: write its limit as -5%"), "{e}");
        let e = error("latency.p95=-10%");
        assert!(e.contains("gets worse when it rises"), "{e}");
        let e = error("latency.p95=+ten%");
        assert!(e.contains("percentage"), "{e}");
        let e = error("latency.p95=+fast");
        assert!(e.contains("per cent") && e.contains("seconds") && e.contains("`+fast`"), "{e}");
        assert!(e.starts_with("threshold `latency.p95=+fast`: "), "{e}");
    }

    #[test]
    fn direction_decides_what_a_change_means() {
        let p99 = parse("latency.p99=+10%");
        assert_eq!(p99.judge(Some(0.1), Some(0.105)).verdict, Verdict::Ok);
        assert_eq!(p99.judge(Some(0.1), Some(0.12)).verdict, Verdict::Regressed);
        assert_eq!(p99.judge(Some(0.1), Some(0.05)).verdict, Verdict::Improved);
        assert_eq!(p99.judge(Some(0.1), Some(0.095)).verdict, Verdict::Ok, "5 % better: within the limit");
        // Improved is regressed with the files swapped, also beyond 100 %.
        let loose = parse("latency.p99=+100%");
        assert_eq!(loose.judge(Some(0.005), Some(0.05)).verdict, Verdict::Regressed);
        assert_eq!(loose.judge(Some(0.05), Some(0.005)).verdict, Verdict::Improved);
        let tput = parse("throughput=-10%");
        let j = tput.judge(Some(1000.0), Some(850.0));
        assert_eq!(j.verdict, Verdict::Regressed, "lower throughput is worse");
        assert_eq!((j.change, j.change_pct), (Some(-150.0), Some(-15.0)));
        assert_eq!(tput.judge(Some(1000.0), Some(1200.0)).verdict, Verdict::Improved);
        assert_eq!(tput.judge(Some(1000.0), Some(950.0)).verdict, Verdict::Ok);
    }

    #[test]
    fn the_fail_rate_moves_in_points_and_a_zero_baseline_has_no_percentage() {
        let fail = default_thresholds().into_iter().find(|t| t.figure == Figure::FailRate).unwrap();
        assert_eq!(fail.limit_text(), "+1pp");
        assert_eq!(fail.judge(Some(0.0), Some(0.005)).verdict, Verdict::Ok);
        let j = fail.judge(Some(0.0), Some(0.02));
        assert_eq!((j.verdict, j.change_pct), (Verdict::Regressed, None));
        let rel = parse("failRate=+50%");
        assert_eq!(rel.judge(Some(0.0), Some(0.001)).verdict, Verdict::Regressed, "from 0, any rise");
        assert_eq!(rel.judge(Some(0.0), Some(0.0)).verdict, Verdict::Ok);
    }

    #[test]
    fn missing_figures_and_off_limits_are_not_judged() {
        let p50 = parse("latency.p50=+10%");
        assert_eq!(p50.judge(None, None).verdict, Verdict::Unjudged);
        assert_eq!(p50.judge(Some(0.1), None).verdict, Verdict::NoData);
        assert_eq!(parse("latency.p50=off").judge(Some(0.1), Some(9.0)).verdict, Verdict::Unjudged);
        assert_eq!(parse("latency.p50=+10%").limit_text(), "+10%");
        assert_eq!(parse("throughput=5%").limit_text(), "-5%");
        assert_eq!(parse("latency.p50=+20ms").limit_text(), "+20.00 ms");
    }
}
