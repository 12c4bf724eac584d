//! `peak-search`: the highest rate that holds every service-level limit, found by the manager.
//!
//! Unlike the other controllers, peak-search does not pace one worker's round: the manager
//! runs it. It runs fixed-rate steps of the round's `txDuration` each (every step a sub-round
//! the workers prepare and run as `fixed-rate` at the step's rate, divided among them), checks
//! the merged figures of every worker against the limits, and picks the next rate: it expands
//! from `startTps` by `growth` while steps hold, then bisects between the highest rate that
//! held and the lowest that did not until they are `precision` apart. The answer is the highest
//! rate that held. [`PeakSearchPlan`] holds the options, [`Search`] the decisions; the figures
//! and limit checks of a step are in `peak_step.rs`.
//!
//! A worker that is handed `peak-search` itself (a manager of another build) runs `startTps`
//! as fixed-rate, so the options are still checked where the configuration is.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::opts::{Opts, TPS, from_secs};
use super::{FixedRate, RateContext, RateControlSpec, RateError};

/// The `rateControl.type` of the search.
pub const PEAK_SEARCH: &str = "peak-search";

/// The most steps one search runs, whatever the options: a guard against a precision so fine
/// that float halving would go on for long.
const MAX_STEPS: usize = 64;

/// The latency percentiles a limit can name, as the options spell them.
pub const PERCENTILES: [&str; 4] = ["p50", "p95", "p99", "p99.9"];

/// Limits on one kind of latency, in seconds, by percentile (`p50`, `p95`, `p99`, `p99.9`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyLimits {
    /// Median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50: Option<f64>,
    /// 95th percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p95: Option<f64>,
    /// 99th percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
    /// 99.9th percentile.
    #[serde(rename = "p99.9", skip_serializing_if = "Option::is_none")]
    pub p999: Option<f64>,
}

impl LatencyLimits {
    /// `(name, limit)` of every percentile that has a limit, in [`PERCENTILES`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> {
        PERCENTILES
            .into_iter()
            .zip([self.p50, self.p95, self.p99, self.p999])
            .filter_map(|(n, l)| Some((n, l?)))
    }

    fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// The service-level limits a step must hold (`opts.limits`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// On the latency of successful transactions, creation to final state.
    pub latency: LatencyLimits,
    /// On the latency of successful transactions from their intended send time (corrected for
    /// coordinated omission).
    pub corrected_latency: LatencyLimits,
    /// The most failed transactions may be of the finished ones (0 to 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_ratio: Option<f64>,
    /// The least throughput may be of the rate asked (0 to 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_ratio: Option<f64>,
}

/// The options of a peak search, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakSearchPlan {
    /// The first step's rate, total for all workers.
    pub start_tps: f64,
    /// The highest rate tried.
    pub max_tps: f64,
    /// The search stops when the highest rate that held and the lowest that did not are this
    /// close (TPS).
    pub precision: f64,
    /// While steps hold, the next rate is the last times this.
    pub growth: f64,
    /// How long each step sends (the round's `txDuration`).
    pub step: Duration,
    /// A pause between steps, so a SUT can empty its own queues.
    pub pause: Duration,
    /// The limits.
    pub limits: Limits,
}

impl PeakSearchPlan {
    /// The search described by `spec`, or `None` when it is another controller. `tx_duration`
    /// is the round's `txDuration` (each step's length); a txNumber round is an error.
    pub fn from_spec(
        spec: &RateControlSpec,
        tx_duration: Option<Duration>,
    ) -> Result<Option<Self>, RateError> {
        if spec.kind != PEAK_SEARCH {
            return Ok(None);
        }
        Self::new(&spec.opts, tx_duration).map(Some)
    }

    fn new(opts: &Value, tx_duration: Option<Duration>) -> Result<Self, RateError> {
        let keys = ["startTps", "maxTps", "precision", "growth", "stepPause", "limits"];
        let opts = Opts::new(PEAK_SEARCH, opts, &keys)?;
        let start_tps =
            opts.positive_tps("startTps", "the search needs a rate to start from")?.unwrap_or(10.0);
        let max_tps = opts
            .positive("maxTps", TPS)?
            .ok_or_else(|| opts.missing("maxTps", "the highest rate to try, in transactions per second"))?;
        if max_tps < start_tps {
            return Err(opts.error("maxTps", format!("{max_tps} is below startTps ({start_tps})")));
        }
        let precision = opts.positive("precision", TPS)?.unwrap_or(start_tps / 20.0);
        let growth = opts.positive("growth", "times the last rate")?.unwrap_or(2.0);
        if growth <= 1.0 {
            return Err(opts.error("growth", format!("expected a factor above 1, got {growth}")));
        }
        let pause = from_secs(opts.non_negative("stepPause", "seconds")?.unwrap_or(0.0));
        let limits = match opts.value("limits") {
            Some(value) => limits(value)?,
            None => return Err(opts.missing("limits", "at least one limit, such as {latency: {p99: 0.5}}")),
        };
        let step = match tx_duration {
            Some(d) if !d.is_zero() => d,
            _ => {
                return Err(RateError::Option {
                    path: "type".into(),
                    message: "peak-search runs steps of the round's txDuration seconds each: give the round a txDuration above 0 instead of txNumber".into(),
                });
            }
        };
        Ok(Self { start_tps, max_tps, precision, growth, step, pause, limits })
    }

    /// The `rateControl` a worker runs for one step at `tps` (total for all workers).
    pub fn step_control(tps: f64) -> RateControlSpec {
        RateControlSpec { kind: "fixed-rate".into(), opts: serde_json::json!({ "tps": tps }) }
    }

    /// What a worker runs when it is handed `peak-search` itself: `startTps` at a fixed rate.
    pub(super) fn worker_controller(opts: &Value, ctx: &RateContext) -> Result<FixedRate, RateError> {
        let plan = Self::new(opts, ctx.tx_duration)?;
        FixedRate::new(&serde_json::json!({ "tps": plan.start_tps }), ctx)
    }
}

/// Reads `opts.limits`.
fn limits(value: &Value) -> Result<Limits, RateError> {
    let under = |err: RateError| match err {
        RateError::Option { path, message } => {
            RateError::Option { path: format!("opts.limits.{}", path.trim_start_matches("opts.")), message }
        }
        other => other,
    };
    let keys = ["latency", "correctedLatency", "failureRatio", "throughputRatio"];
    let opts = Opts::new(PEAK_SEARCH, value, &keys).map_err(under)?;
    let ratio = |key: &str| -> Result<Option<f64>, RateError> {
        let r = opts.non_negative(key, "a ratio from 0 to 1").map_err(under)?;
        match r {
            Some(r) if r > 1.0 => {
                Err(under(opts.error(key, format!("expected a ratio from 0 to 1, got {r}"))))
            }
            r => Ok(r),
        }
    };
    let latency = |key: &str| -> Result<LatencyLimits, RateError> {
        let Some(value) = opts.value(key) else { return Ok(LatencyLimits::default()) };
        let inner = Opts::new(PEAK_SEARCH, value, &PERCENTILES)
            .map_err(|e| prefixed(e, &format!("opts.limits.{key}")))?;
        let get =
            |p: &str| inner.positive(p, "seconds").map_err(|e| prefixed(e, &format!("opts.limits.{key}")));
        Ok(LatencyLimits { p50: get("p50")?, p95: get("p95")?, p99: get("p99")?, p999: get("p99.9")? })
    };
    let limits = Limits {
        latency: latency("latency")?,
        corrected_latency: latency("correctedLatency")?,
        failure_ratio: ratio("failureRatio")?,
        throughput_ratio: ratio("throughputRatio")?,
    };
    if limits.latency.is_empty()
        && limits.corrected_latency.is_empty()
        && limits.failure_ratio.is_none()
        && limits.throughput_ratio.is_none()
    {
        return Err(RateError::Option {
            path: "opts.limits".into(),
            message: "expected at least one limit: latency or correctedLatency {p50, p95, p99, p99.9} in seconds, failureRatio or throughputRatio (0 to 1)".into(),
        });
    }
    Ok(limits)
}

/// Moves an option error of a nested object below `prefix`.
fn prefixed(err: RateError, prefix: &str) -> RateError {
    match err {
        RateError::Option { path, message } => {
            RateError::Option { path: format!("{prefix}.{}", path.trim_start_matches("opts.")), message }
        }
        other => other,
    }
}

/// The search's decisions: which rate to try next, given which held.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    start: f64,
    max: f64,
    precision: f64,
    growth: f64,
    /// The highest rate that held.
    held: Option<f64>,
    /// The lowest rate that did not.
    broke: Option<f64>,
    steps: usize,
}

impl Search {
    /// A search with `plan`'s rates.
    pub fn new(plan: &PeakSearchPlan) -> Self {
        Search {
            start: plan.start_tps,
            max: plan.max_tps,
            precision: plan.precision,
            growth: plan.growth,
            held: None,
            broke: None,
            steps: 0,
        }
    }

    /// The next rate to try, or `None` when the search is over.
    pub fn next_rate(&self) -> Option<f64> {
        if self.steps >= MAX_STEPS {
            return None;
        }
        match (self.held, self.broke) {
            (None, None) => Some(self.start),
            // Expanding: every step so far held.
            (Some(held), None) if held >= self.max => None,
            (Some(held), None) => Some((held * self.growth).min(self.max)),
            // Bisecting; below the start, nothing is known to hold but no load at all.
            (held, Some(broke)) => {
                let low = held.unwrap_or(0.0);
                (broke - low > self.precision).then_some((low + broke) / 2.0)
            }
        }
    }

    /// Records whether the step at `rate` held every limit.
    pub fn record(&mut self, rate: f64, held: bool) {
        self.steps += 1;
        if held {
            self.held = Some(self.held.map_or(rate, |h| h.max(rate)));
        } else {
            self.broke = Some(self.broke.map_or(rate, |b| b.min(rate)));
        }
    }

    /// The highest rate that held every limit, if any did.
    pub fn peak(&self) -> Option<f64> {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testutil::*;
    use super::*;

    fn plan(opts: Value) -> PeakSearchPlan {
        PeakSearchPlan::from_spec(&spec(PEAK_SEARCH, opts), Some(Duration::from_secs(2))).unwrap().unwrap()
    }

    /// Runs a search against a SUT that holds every rate up to `capacity`.
    fn run(plan: &PeakSearchPlan, capacity: f64) -> (Option<f64>, Vec<f64>) {
        let mut search = Search::new(plan);
        let mut tried = Vec::new();
        while let Some(rate) = search.next_rate() {
            tried.push(rate);
            search.record(rate, rate <= capacity);
        }
        (search.peak(), tried)
    }

    #[test]
    fn expands_then_bisects_to_the_precision() {
        let p = plan(
            json!({"startTps": 40, "maxTps": 1000, "precision": 5, "limits": {"latency": {"p99": 0.05}}}),
        );
        let (peak, tried) = run(&p, 66.0);
        assert_eq!(tried, [40.0, 80.0, 60.0, 70.0, 65.0]);
        assert_eq!(peak, Some(65.0));
        for capacity in [12.0, 99.0, 333.3, 640.0, 999.0] {
            let (peak, _) = run(&p, capacity);
            let peak = peak.unwrap();
            assert!(peak <= capacity && capacity - peak <= 5.0, "{capacity}: {peak}");
        }
    }

    #[test]
    fn stops_at_the_highest_rate_when_everything_holds() {
        let p = plan(json!({"startTps": 10, "maxTps": 50, "limits": {"failureRatio": 0.1}}));
        let (peak, tried) = run(&p, f64::INFINITY);
        assert_eq!(tried, [10.0, 20.0, 40.0, 50.0]);
        assert_eq!(peak, Some(50.0));
    }

    #[test]
    fn below_the_start_it_bisects_down_and_may_find_nothing() {
        let p = plan(json!({"startTps": 100, "maxTps": 100, "precision": 10, "limits": {"failureRatio": 0}}));
        let (peak, tried) = run(&p, 30.0);
        assert_eq!(tried, [100.0, 50.0, 25.0, 37.5, 31.25]);
        assert_eq!(peak, Some(25.0));
        assert_eq!(run(&p, 1.0).0, None);
    }

    #[test]
    fn options_are_checked_with_their_paths() {
        let ctx = ctx_secs(2, 1);
        let err = |opts: Value| option_error(build_err(&spec(PEAK_SEARCH, opts), &ctx));
        let (path, message) = err(json!({"maxTps": 10}));
        assert_eq!(path, "opts.limits");
        assert!(message.contains("at least one limit"), "{message}");
        let (path, _) = err(json!({"limits": {"failureRatio": 0.1}}));
        assert_eq!(path, "opts.maxTps");
        let (path, message) = err(json!({"maxTps": 10, "limits": {"latency": {"p98": 1}}}));
        assert_eq!(path, "opts.limits.latency.p98");
        assert!(message.contains("p99"), "{message}");
        let (path, _) = err(json!({"maxTps": 10, "limits": {"failureRatio": 2}}));
        assert_eq!(path, "opts.limits.failureRatio");
        let (path, _) = err(json!({"maxTps": 10, "limits": {"failureRatoi": 0.1}}));
        assert_eq!(path, "opts.limits.failureRatoi");
        let (path, _) = err(json!({"maxTps": 5, "startTps": 10, "limits": {"failureRatio": 0.1}}));
        assert_eq!(path, "opts.maxTps");
        let (path, message) = option_error(build_err(
            &spec(PEAK_SEARCH, json!({"maxTps": 10, "limits": {"failureRatio": 0.1}})),
            &ctx_tx(100, 1),
        ));
        assert_eq!(path, "type");
        assert!(message.contains("txDuration"), "{message}");
    }

    #[test]
    fn limits_are_read_by_percentile() {
        let p = plan(json!({"maxTps": 10, "limits": {
            "latency": {"p50": 0.1, "p99.9": "2"}, "correctedLatency": {"p95": 0.5}, "throughputRatio": 0.9
        }}));
        assert_eq!(p.limits.latency.iter().collect::<Vec<_>>(), [("p50", 0.1), ("p99.9", 2.0)]);
        assert_eq!(p.limits.corrected_latency.p95, Some(0.5));
        assert_eq!(p.limits.throughput_ratio, Some(0.9));
        assert_eq!((p.start_tps, p.precision, p.growth), (10.0, 0.5, 2.0));
    }
}
