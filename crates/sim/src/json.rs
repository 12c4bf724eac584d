//! Reading user-written JSON: the kind of a value and unknown keys with a did-you-mean, for
//! the error messages of the network configuration and of the `sim-mix` arguments.

use serde_json::Value;

pub(crate) use caliper_core::suggest::{json_kind as kind, unknown_key, unknown_keys};

/// `value` as an integer of any sign, wrapped into a `u64` (used for seeds).
pub(crate) fn as_seed(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_i64().map(|v| v as u64))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let map = json!({"fixed": 1, "sprad": 2});
        let (key, message) = unknown_key(map.as_object().unwrap(), &["fixed", "mean", "spread"]).unwrap();
        assert_eq!(key, "sprad");
        assert!(message.contains("did you mean \"spread\""), "{message}");
        assert!(unknown_key(json!({"mean": 1}).as_object().unwrap(), &["mean"]).is_none());
    }

    #[test]
    fn seeds_accept_any_integer() {
        assert_eq!(as_seed(&json!(7)), Some(7));
        assert_eq!(as_seed(&json!(-1)), Some(u64::MAX));
        assert_eq!(as_seed(&json!(1.5)), None);
        assert_eq!(as_seed(&json!("7")), None);
    }
}
