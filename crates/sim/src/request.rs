//! The requests the simulated SUT understands, parsed from the JSON a workload sends.
//!
//! A request is an object `{"op": "write" | "read", "key": "<string>", "value": <any>}`.
//! Caliper-style `"readOnly": true` means a read (and `false` a write) when `op` is absent;
//! without either the request is a write. A missing `key` is the empty key, a missing `value`
//! is `null`, and other fields (Caliper's `contractId`, `args`, ...) are ignored, so generic
//! Caliper workloads run against the simulated SUT unchanged.

use caliper_core::suggest::did_you_mean;
use serde_json::Value;

use crate::json::kind;

/// One parsed request.
#[derive(Debug, PartialEq)]
pub(crate) enum Request {
    /// Store `value` under `key`.
    Write {
        /// The key.
        key: String,
        /// The value stored.
        value: Value,
    },
    /// Return the value stored under `key` (`null` when there is none).
    Read {
        /// The key.
        key: String,
    },
}

/// Parses one request, taking its key and value without copying them; the error says what
/// is wrong.
pub(crate) fn parse(request: Value) -> Result<Request, String> {
    let Value::Object(mut map) = request else {
        return Err(format!("expected a request object {{op, key, value}}, got {}", kind(&request)));
    };
    let read_only = match map.get("readOnly") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(read_only)) => Some(*read_only),
        Some(other) => return Err(format!("readOnly: expected a boolean, got {}", kind(other))),
    };
    let read = match map.get("op") {
        None | Some(Value::Null) => read_only.unwrap_or(false),
        Some(Value::String(op)) => {
            let read = match op.as_str() {
                "write" => false,
                "read" => true,
                other => return Err(unknown_op(other)),
            };
            if let Some(read_only) = read_only
                && read_only != read
            {
                return Err(format!("op \"{op}\" contradicts readOnly: {read_only}"));
            }
            read
        }
        Some(other) => return Err(format!("op: expected \"write\" or \"read\", got {}", kind(other))),
    };
    let key = match map.remove("key") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(key)) => key,
        Some(other) => return Err(format!("key: expected a string, got {}", kind(&other))),
    };
    if read {
        Ok(Request::Read { key })
    } else {
        Ok(Request::Write { key, value: map.remove("value").unwrap_or_default() })
    }
}

fn unknown_op(op: &str) -> String {
    let mut message = format!("unknown op \"{op}\": expected \"write\" or \"read\"");
    if let Some(best) = did_you_mean(op, ["write", "read"]) {
        message.push_str(&format!(" (did you mean \"{best}\"?)"));
    }
    message
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn write(key: &str, value: Value) -> Request {
        Request::Write { key: key.to_string(), value }
    }

    fn read(key: &str) -> Request {
        Request::Read { key: key.to_string() }
    }

    #[test]
    fn parses_ops_and_caliper_style() {
        assert_eq!(parse(json!({"op": "write", "key": "a", "value": [1]})), Ok(write("a", json!([1]))));
        assert_eq!(parse(json!({"op": "read", "key": "a"})), Ok(read("a")));
        assert_eq!(parse(json!({"readOnly": true, "key": "a"})), Ok(read("a")));
        assert_eq!(parse(json!({"readOnly": false, "key": "a", "value": 2})), Ok(write("a", json!(2))));
        assert_eq!(parse(json!({"op": "read", "readOnly": true, "key": "a"})), Ok(read("a")));
        assert_eq!(parse(json!({"contractId": "c", "args": []})), Ok(write("", Value::Null)));
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let message = |request: Value| parse(request).unwrap_err();
        assert!(message(json!([1])).contains("expected a request object"));
        assert!(message(json!("write")).contains("got a string"));
        let unknown = message(json!({"op": "wrte"}));
        assert!(
            unknown.contains("unknown op \"wrte\"") && unknown.contains("did you mean \"write\""),
            "{unknown}"
        );
        assert!(message(json!({"op": 1})).contains("op: expected"));
        assert!(message(json!({"op": "write", "key": 5})).contains("key: expected a string, got a number"));
        assert!(message(json!({"readOnly": "yes"})).contains("readOnly: expected a boolean"));
        assert!(message(json!({"op": "write", "readOnly": true})).contains("contradicts"));
    }
}
