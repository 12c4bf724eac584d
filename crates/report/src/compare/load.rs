//! Whether the two runs sent the same load. Latency measured at another load is not a
//! regression or an improvement of the system, so the comparison warns where the loads differ.

use serde::Serialize;
use serde_json::Value;

use super::matching::Pairing;
use crate::json::{ResultsFile, RoundResult};

/// The keys of a round's configuration that set its load.
const LOAD_KEYS: [&str; 3] = ["rateControl", "txNumber", "txDuration"];

/// By how many per cent the send rates of two matched rounds may differ before the loads count
/// as different.
pub const SEND_RATE_TOLERANCE_PCT: f64 = 5.0;

/// A warning of the comparison: the numbers are there, but read them with care.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// The round it concerns (`label` or `label#2` for a repeated label); `None` for the run.
    pub round: Option<String>,
    /// What differs.
    pub message: String,
}

/// Warnings for the run (different worker counts) and for each matched round (a different
/// rate controller, txNumber or txDuration, or send rates more than
/// [`SEND_RATE_TOLERANCE_PCT`] apart).
pub(crate) fn load_warnings(
    baseline: &ResultsFile,
    current: &ResultsFile,
    pairs: &[Pairing],
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let (bw, cw) = (baseline.run.workers, current.run.workers);
    if bw != cw {
        warnings.push(Warning {
            round: None,
            message: format!("different worker counts: {bw} in the baseline, {cw} in the current run"),
        });
    }
    for p in pairs {
        let (Some(b), Some(c)) = (p.baseline, p.current) else { continue };
        let name = super::round_name(&p.label, p.occurrence);
        for message in round_differences(&baseline.rounds[b], &current.rounds[c]) {
            warnings.push(Warning { round: Some(name.clone()), message });
        }
    }
    warnings
}

fn round_differences(base: &RoundResult, cur: &RoundResult) -> Vec<String> {
    let mut out = Vec::new();
    for key in LOAD_KEYS {
        let (b, c) = (base.config.get(key), cur.config.get(key));
        if b != c {
            out.push(format!("{key} differs: {} in the baseline, {} in the current run", shown(b), shown(c)));
        }
    }
    if let (Some(b), Some(c)) = (base.send_rate, cur.send_rate)
        && b > 0.0
        && ((c - b) / b * 100.0).abs() > SEND_RATE_TOLERANCE_PCT
    {
        out.push(format!(
            "the send rate differs by {:+.1} % ({b:.1} -> {c:.1} tx/s): latency at different loads is not comparable",
            (c - b) / b * 100.0
        ));
    }
    out
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "none".to_owned(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::matching::pair;
    use crate::compare::sample;
    use serde_json::json;

    fn warnings(base: ResultsFile, cur: ResultsFile) -> Vec<Warning> {
        let pairs = pair(&base.rounds, &cur.rounds);
        load_warnings(&base, &cur, &pairs)
    }

    #[test]
    fn the_same_load_has_no_warning() {
        let mut cur = sample::round("open");
        cur.send_rate = Some(104.0);
        cur.latency = sample::latency(0.05, 0.09);
        assert_eq!(warnings(sample::file(vec![sample::round("open")]), sample::file(vec![cur])), []);
    }

    #[test]
    fn another_rate_controller_workers_or_send_rate_are_warned() {
        let base = sample::file(vec![sample::round("open"), sample::round("query")]);
        let mut cur = sample::file(vec![sample::round("open"), sample::round("query")]);
        cur.run.workers = 2;
        cur.rounds[0].config =
            json!({"txDuration": 10, "rateControl": {"type": "fixed-rate", "opts": {"tps": 200}}});
        cur.rounds[1].send_rate = Some(90.0);
        let got = warnings(base, cur);
        let text: Vec<(Option<&str>, &str)> =
            got.iter().map(|w| (w.round.as_deref(), w.message.as_str())).collect();
        assert_eq!(text[0], (None, "different worker counts: 1 in the baseline, 2 in the current run"));
        assert_eq!(text[1].0, Some("open"));
        assert!(text[1].1.starts_with("rateControl differs: ") && text[1].1.contains("200"), "{text:?}");
        assert_eq!(
            text[2],
            (Some("open"), "txNumber differs: 1000 in the baseline, none in the current run")
        );
        assert_eq!(
            text[3],
            (Some("open"), "txDuration differs: none in the baseline, 10 in the current run")
        );
        assert_eq!(text[4].0, Some("query"));
        assert!(text[4].1.starts_with("the send rate differs by -10.0 % (100.0 -> 90.0 tx/s)"), "{text:?}");
        assert_eq!(text.len(), 5);
    }
}
