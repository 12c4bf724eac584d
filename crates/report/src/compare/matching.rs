//! Which round of the baseline goes with which round of the current run: by label, the n-th
//! occurrence of a label with the n-th (labels may repeat; indices may shift when a round is
//! added or removed).

use std::collections::HashMap;

use crate::json::RoundResult;

/// A round of either run and its counterpart in the other, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pairing {
    /// The label.
    pub label: String,
    /// Which occurrence of the label this is, from 1.
    pub occurrence: usize,
    /// Its index in the baseline's rounds.
    pub baseline: Option<usize>,
    /// Its index in the current run's rounds.
    pub current: Option<usize>,
}

/// The rounds of the current run in order, each with its baseline counterpart; then the rounds
/// only the baseline has, in its order.
pub(crate) fn pair(baseline: &[RoundResult], current: &[RoundResult]) -> Vec<Pairing> {
    let mut by_label: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in baseline.iter().enumerate() {
        by_label.entry(r.label.as_str()).or_default().push(i);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut matched = vec![false; baseline.len()];
    let mut pairs = Vec::with_capacity(current.len());
    for (i, r) in current.iter().enumerate() {
        let n = seen.entry(r.label.as_str()).or_default();
        let base = by_label.get(r.label.as_str()).and_then(|v| v.get(*n)).copied();
        *n += 1;
        if let Some(b) = base {
            matched[b] = true;
        }
        pairs.push(Pairing { label: r.label.clone(), occurrence: *n, baseline: base, current: Some(i) });
    }
    let mut removed_seen: HashMap<&str, usize> = HashMap::new();
    for (i, r) in baseline.iter().enumerate() {
        let n = removed_seen.entry(r.label.as_str()).or_default();
        *n += 1;
        if !matched[i] {
            pairs.push(Pairing { label: r.label.clone(), occurrence: *n, baseline: Some(i), current: None });
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::sample;

    fn rounds(labels: &[&str]) -> Vec<RoundResult> {
        labels.iter().map(|l| sample::round(l)).collect()
    }

    fn pairs(base: &[&str], cur: &[&str]) -> Vec<(String, usize, Option<usize>, Option<usize>)> {
        pair(&rounds(base), &rounds(cur))
            .into_iter()
            .map(|p| (p.label, p.occurrence, p.baseline, p.current))
            .collect()
    }

    #[test]
    fn repeated_labels_match_by_occurrence() {
        let got = pairs(&["warm", "open", "warm", "query"], &["warm", "warm", "open", "query"]);
        let want = [
            ("warm".to_owned(), 1, Some(0), Some(0)),
            ("warm".to_owned(), 2, Some(2), Some(1)),
            ("open".to_owned(), 1, Some(1), Some(2)),
            ("query".to_owned(), 1, Some(3), Some(3)),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn rounds_in_one_run_only_are_added_or_removed() {
        let got = pairs(&["open", "open", "transfer"], &["open", "query"]);
        let want = [
            ("open".to_owned(), 1, Some(0), Some(0)),
            ("query".to_owned(), 1, None, Some(1)),
            ("open".to_owned(), 2, Some(1), None),
            ("transfer".to_owned(), 1, Some(2), None),
        ];
        assert_eq!(got, want);
    }
}
