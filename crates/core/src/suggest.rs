//! "Did you mean …?" for misspelt names and keys.

/// The candidate closest to `input`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_case_and_typo_mistakes() {
        assert_eq!(did_you_mean("startingTPS", ["startingTps", "finishingTps"]), Some("startingTps"));
        assert_eq!(did_you_mean("fixed-rte", ["fixed-rate", "fixed-load", "zero-rate"]), Some("fixed-rate"));
        assert_eq!(did_you_mean("zzz", ["fixed-rate"]), None);
    }
}
