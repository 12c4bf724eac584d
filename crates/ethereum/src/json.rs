//! Reading user-written JSON: the kind of a value and unknown keys with a did-you-mean, for the
//! error messages of the network configuration and of requests.

use caliper_core::suggest::did_you_mean;
use serde_json::{Map, Value};

/// What kind of JSON value `value` is, with an article, for "expected X, got Y" messages.
pub(crate) fn kind(value: &Value) -> &'static str {
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
pub(crate) fn unknown_key<'a>(map: &'a Map<String, Value>, known: &[&str]) -> Option<(&'a str, String)> {
    let key = map.keys().find(|k| !known.contains(&k.as_str()))?;
    let mut message = format!("unknown key \"{key}\"");
    if let Some(best) = did_you_mean(key, known.iter().copied()) {
        message.push_str(&format!(" (did you mean \"{best}\"?)"));
    }
    message.push_str(&format!("; expected one of: {}", known.join(", ")));
    Some((key, message))
}

/// A value for messages: strings quoted, long values cut short.
pub(crate) fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 60 {
        return text;
    }
    let cut = (0..=57).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    format!("{}...", &text[..cut])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let map = json!({"url": "x", "chainID": 1});
        let (key, message) = unknown_key(map.as_object().unwrap(), &["url", "chainId"]).unwrap();
        assert_eq!(key, "chainID");
        assert!(message.contains("did you mean \"chainId\""), "{message}");
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = json!("é".repeat(100));
        assert!(show(&long).ends_with("...") && show(&long).len() <= 61);
        assert_eq!(show(&json!(7)), "7");
    }
}
