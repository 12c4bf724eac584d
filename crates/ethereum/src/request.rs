//! A request as the workload sends it: Caliper 0.6's fields plus the identity and node handles
//! and a per-request gas limit.
//!
//! ```json
//! {"contract": "simple", "verb": "transfer", "args": ["a", "b", 100],
//!  "readOnly": false, "value": 0, "gas": 70000, "identity": "alice", "node": "b"}
//! ```

use alloy::primitives::U256;
use serde_json::Value;

use crate::json::{kind, show, unknown_key};

/// The fields of a request.
const KEYS: [&str; 8] = ["contract", "verb", "args", "readOnly", "value", "gas", "identity", "node"];

/// A parsed request.
pub(crate) struct Request {
    pub(crate) contract: String,
    pub(crate) verb: String,
    pub(crate) args: Vec<Value>,
    pub(crate) read_only: bool,
    pub(crate) value: U256,
    pub(crate) gas: Option<u64>,
    pub(crate) identity: Option<String>,
    pub(crate) node: Option<String>,
}

impl Request {
    /// Parses one request; the error says which field is wrong and what was expected.
    pub(crate) fn parse(value: Value) -> Result<Request, String> {
        let Value::Object(mut map) = value else {
            return Err(format!(
                "a request is an object {{contract, verb, args, ...}}, got {}",
                kind(&value)
            ));
        };
        if map.contains_key("privacy") {
            return Err("`privacy`: private transactions are not supported by caliper-rs".into());
        }
        if let Some((_, message)) = unknown_key(&map, &KEYS) {
            return Err(format!("request: {message}"));
        }
        let mut text = |key: &str, required: bool| -> Result<Option<String>, String> {
            match map.remove(key) {
                Some(Value::String(s)) => Ok(Some(s)),
                None | Some(Value::Null) if !required => Ok(None),
                None | Some(Value::Null) => Err(format!("`{key}` is missing")),
                Some(other) => Err(format!("`{key}`: expected a string, got {}", kind(&other))),
            }
        };
        let contract = text("contract", true)?.unwrap_or_default();
        let verb = text("verb", true)?.unwrap_or_default();
        let identity = text("identity", false)?;
        let node = text("node", false)?;
        let args = match map.remove("args") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(args)) => args,
            Some(other) => return Err(format!("`args`: expected an array, got {}", kind(&other))),
        };
        let read_only = match map.remove("readOnly") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(other) => return Err(format!("`readOnly`: expected a boolean, got {}", kind(&other))),
        };
        let value = match map.remove("value") {
            None | Some(Value::Null) => U256::ZERO,
            Some(v) => {
                let parsed = match &v {
                    Value::Number(n) => n.as_u64().map(U256::from),
                    Value::String(s) => s.parse::<U256>().ok(),
                    _ => None,
                };
                parsed.ok_or_else(|| format!("`value`: expected an amount of wei, got {}", show(&v)))?
            }
        };
        let gas =
            match map.remove("gas") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().filter(|g| *g >= 21_000).ok_or_else(|| {
                    format!("`gas`: expected a gas limit of at least 21000, got {}", show(&v))
                })?),
            };
        Ok(Request { contract, verb, args, read_only, value, gas, identity, node })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn caliper_requests_parse() {
        let r = Request::parse(
            json!({"contract": "simple", "verb": "open", "args": ["a", 1], "readOnly": false}),
        )
        .unwrap();
        assert_eq!(
            (r.contract.as_str(), r.verb.as_str(), r.args.len(), r.read_only),
            ("simple", "open", 2, false)
        );
        let r = Request::parse(json!({"contract": "c", "verb": "v", "value": "1000", "gas": 50000, "identity": "alice", "node": "b"})).unwrap();
        assert_eq!(
            (r.value, r.gas, r.identity.as_deref(), r.node.as_deref()),
            (U256::from(1000), Some(50000), Some("alice"), Some("b"))
        );
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let err = |v| Request::parse(v).err().unwrap();
        assert!(err(json!({"verb": "v"})).contains("`contract` is missing"));
        assert!(
            err(json!({"contract": "c", "verb": "v", "args": "x"})).contains("`args`: expected an array")
        );
        assert!(
            err(json!({"contract": "c", "verb": "v", "readonly": true}))
                .contains("did you mean \"readOnly\"")
        );
        assert!(err(json!({"contract": "c", "verb": "v", "gas": 5})).contains("at least 21000"));
        assert!(err(json!([1])).contains("a request is an object"));
    }
}
