//! Reading user-written JSON: the kind of a value and unknown keys with a did-you-mean, for the
//! error messages of the network configuration and of requests.

use serde_json::Value;

pub(crate) use caliper_core::suggest::{json_kind as kind, unknown_key, unknown_keys};

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
