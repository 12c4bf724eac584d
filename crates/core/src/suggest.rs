//! "Did you mean …?" for misspelt names and keys, and the words of "expected X, got Y"
//! messages about user-written JSON (shared by the connectors' configuration parsers).

use serde_json::{Map, Value};

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

/// What kind of JSON value `value` is, with an article, for "expected X, got Y" messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first key of `map` that is not in `known`, with a message that suggests the closest
/// known key and lists them all.
pub fn unknown_key<'a>(map: &'a Map<String, Value>, known: &[&str]) -> Option<(&'a str, String)> {
    unknown_keys(map, known).into_iter().next()
}

/// Every key of `map` that is not in `known`, each with the message of [`unknown_key`]: a
/// check that reports all the mistakes of a file at once uses this one.
pub fn unknown_keys<'a>(map: &'a Map<String, Value>, known: &[&str]) -> Vec<(&'a str, String)> {
    map.keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|key| {
            let mut message = format!("unknown key \"{key}\"");
            if let Some(best) = did_you_mean(key, known.iter().copied()) {
                message.push_str(&format!(" (did you mean \"{best}\"?)"));
            }
            message.push_str(&format!("; expected one of: {}", known.join(", ")));
            (key.as_str(), message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{did_you_mean, unknown_keys};

    #[test]
    fn finds_case_and_typo_mistakes() {
        assert_eq!(did_you_mean("startingTPS", ["startingTps", "finishingTps"]), Some("startingTps"));
        assert_eq!(did_you_mean("fixed-rte", ["fixed-rate", "fixed-load", "zero-rate"]), Some("fixed-rate"));
        assert_eq!(did_you_mean("zzz", ["fixed-rate"]), None);
    }

    #[test]
    fn every_unknown_key_is_named() {
        let map = serde_json::json!({"latncy": 1, "seed": 2, "capacty": 3});
        let found = unknown_keys(map.as_object().unwrap(), &["latency", "seed", "capacity"]);
        let keys: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["capacty", "latncy"]);
        assert!(found[0].1.contains("did you mean \"capacity\""), "{}", found[0].1);
    }
}
