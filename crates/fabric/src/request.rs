//! A request as the workload sends it: Caliper's Fabric request object, unchanged.
//!
//! ```json
//! {"contractId": "simple", "contractFunction": "transfer", "contractArguments": ["a", "b", "10"],
//!  "readOnly": false, "transientMap": {"secret": "x"}, "invokerIdentity": "User1",
//!  "invokerMspId": "Org1MSP", "targetOrganizations": ["Org1MSP"], "channel": "mychannel", "timeout": 30}
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use caliper_core::suggest::{json_kind, unknown_key};
use serde_json::{Map, Value};

/// The fields of a request (`contractVersion` is accepted and ignored, as in Caliper).
const KEYS: [&str; 12] = [
    "contractId",
    "contractFunction",
    "contractArguments",
    "readOnly",
    "transientMap",
    "invokerIdentity",
    "invokerMspId",
    "targetOrganizations",
    "channel",
    "timeout",
    "contractVersion",
    "targetPeers",
];

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// `contractId`: a `contractID` of the configuration, or with `channel` a chaincode's name.
    pub(crate) contract_id: String,
    /// `contractFunction`.
    pub(crate) function: String,
    /// `contractArguments`, as bytes.
    pub(crate) args: Vec<Vec<u8>>,
    /// `readOnly`: evaluate rather than submit.
    pub(crate) read_only: bool,
    /// `transientMap`.
    pub(crate) transient: BTreeMap<String, Vec<u8>>,
    /// `invokerIdentity`.
    pub(crate) invoker: Option<String>,
    /// `invokerMspId`.
    pub(crate) invoker_msp: Option<String>,
    /// `targetOrganizations`.
    pub(crate) target_orgs: Vec<String>,
    /// `channel`.
    pub(crate) channel: Option<String>,
    /// `timeout` (seconds): this request's deadline per call, instead of the setting's.
    pub(crate) timeout: Option<Duration>,
}

impl Request {
    /// Parses one request; the error says which field is wrong and what was expected.
    pub(crate) fn parse(value: Value) -> Result<Request, String> {
        let Value::Object(mut map) = value else {
            return Err(format!(
                "a request is an object {{contractId, contractFunction, contractArguments, ...}}, got {}",
                json_kind(&value)
            ));
        };
        if let Some((_, message)) = unknown_key(&map, &KEYS) {
            return Err(format!("request: {message}"));
        }
        if map.get("targetPeers").is_some_and(|v| !v.is_null()) {
            return Err("targetPeers option is not supported by the Peer Gateway connector, use targetOrganizations instead".into());
        }
        let contract_id = text(&mut map, "contractId")?.ok_or("No contractId provided in the request")?;
        let function =
            text(&mut map, "contractFunction")?.ok_or("No contractFunction provided in the request")?;
        let args = match map.remove("contractArguments") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    argument(v).ok_or_else(|| {
                        format!(
                            "contractArguments[{i}]: expected a string, a number or a boolean, got {}",
                            json_kind(v)
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "contractArguments: expected an array of strings, got {}",
                    json_kind(&other)
                ));
            }
        };
        // Caliper submits unless `readOnly` is truthy.
        let read_only = match map.remove("readOnly") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(other) => {
                return Err(format!("readOnly: expected true or false, got {}", json_kind(&other)));
            }
        };
        let transient = match map.remove("transientMap") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(entries)) => entries
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s.into_bytes())),
                    other => Err(format!("transientMap.{k}: expected a string, got {}", json_kind(&other))),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "transientMap: expected an object of strings, got {}",
                    json_kind(&other)
                ));
            }
        };
        let invoker = text(&mut map, "invokerIdentity")?.filter(|s| !s.is_empty());
        let invoker_msp = text(&mut map, "invokerMspId")?.filter(|s| !s.is_empty());
        let channel = text(&mut map, "channel")?.filter(|s| !s.is_empty());
        // Caliper targets organisations only for a non-empty array of them.
        let target_orgs = match map.remove("targetOrganizations") {
            Some(Value::Array(orgs)) => orgs
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(format!("targetOrganizations: expected MSP ids, got {}", json_kind(&other))),
                })
                .collect::<Result<_, _>>()?,
            None | Some(Value::Null) => Vec::new(),
            Some(other) => {
                return Err(format!(
                    "targetOrganizations: expected an array of MSP ids, got {}",
                    json_kind(&other)
                ));
            }
        };
        let timeout = match map.remove("timeout") {
            None | Some(Value::Null) => None,
            Some(v) => {
                match v.as_f64().and_then(|s| Duration::try_from_secs_f64(s).ok()).filter(|d| !d.is_zero()) {
                    Some(d) => Some(d),
                    None => return Err(format!("timeout: expected a number of seconds above 0, got {v}")),
                }
            }
        };
        Ok(Request {
            contract_id,
            function,
            args,
            read_only,
            transient,
            invoker,
            invoker_msp,
            target_orgs,
            channel,
            timeout,
        })
    }
}

/// A string field; absent and null are `None`.
fn text(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{key}: expected a string, got {}", json_kind(&other))),
    }
}

/// One argument as bytes: a string's UTF-8, and a number or boolean as JavaScript's
/// `String()` writes it (Caliper's workloads often pass numbers).
fn argument(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Bool(b) => Some(b.to_string().into_bytes()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string().into_bytes(),
            (_, Some(u), _) => u.to_string().into_bytes(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}").into_bytes(),
            (_, _, Some(f)) => f.to_string().into_bytes(),
            _ => return None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn caliper_requests_parse_as_they_are() {
        let r = Request::parse(json!({
            "contractId": "simple", "contractFunction": "transfer", "contractArguments": ["a", 10, true, 2.5],
            "readOnly": false, "transientMap": {"k": "v"}, "invokerIdentity": "User1", "invokerMspId": "",
            "targetOrganizations": ["Org1MSP"], "timeout": 30, "contractVersion": "v1"
        }))
        .unwrap();
        assert_eq!(r.args, [b"a".to_vec(), b"10".to_vec(), b"true".to_vec(), b"2.5".to_vec()]);
        assert_eq!(r.transient["k"], b"v");
        assert_eq!((r.invoker.as_deref(), r.invoker_msp.as_deref()), (Some("User1"), None));
        assert_eq!(r.timeout, Some(Duration::from_secs(30)));
        assert!(!r.read_only);
        let q = Request::parse(json!({"contractId": "s", "contractFunction": "query", "readOnly": true}))
            .unwrap();
        assert!(q.read_only && q.args.is_empty() && q.target_orgs.is_empty());
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let err = |v| Request::parse(v).unwrap_err();
        assert_eq!(err(json!({"contractFunction": "f"})), "No contractId provided in the request");
        assert_eq!(err(json!({"contractId": "c"})), "No contractFunction provided in the request");
        assert!(
            err(json!({"contractId": "c", "contractFunction": "f", "readonly": true}))
                .contains("did you mean \"readOnly\"")
        );
        assert!(
            err(json!({"contractId": "c", "contractFunction": "f", "targetPeers": ["p"]}))
                .contains("use targetOrganizations")
        );
        assert!(
            err(json!({"contractId": "c", "contractFunction": "f", "contractArguments": [{}]}))
                .starts_with("contractArguments[0]")
        );
        assert!(
            err(json!({"contractId": "c", "contractFunction": "f", "transientMap": {"k": 1}}))
                .starts_with("transientMap.k")
        );
    }
}
