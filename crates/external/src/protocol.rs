//! The messages of the caliper-connector protocol, version 1 (see `docs/connectors/external.md`).
//!
//! Frames are NDJSON: one JSON object per line, tagged by its string field `t`, camelCase
//! field names. The host's frames are [`HostFrame`]s, except the hot path's `send` and
//! `submit`, which the host encodes itself (see [`encode_send`]) so a batch of requests is
//! written without building an intermediate value. The child's frames are read into one
//! [`ChildFrame`]: a flat record of every field any frame has, so a line is parsed in one pass
//! whatever the order of its fields (serde's tagged enums would buffer the whole object first).

use std::fmt;

use caliper_core::connector::{ErrorClass, TxState, TxStatus};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The protocol's name, sent in both `hello` frames.
pub const PROTOCOL: &str = "caliper-connector";
/// The protocol's major version this host speaks.
pub const VERSION: u64 = 1;
/// The feature of a child that runs the workload module beside the connector (the Node.js
/// sidecar): `initializeWorkloadModule`/`cleanupWorkloadModule` calls and `submit`,
/// `submitted` and `events` frames.
pub const FEATURE_WORKLOAD: &str = "workload";
/// Every feature this host knows; a child's other features are ignored.
pub const HOST_FEATURES: &[&str] = &[FEATURE_WORKLOAD];
/// The most requests outstanding at once when the child's `hello` does not say.
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 10_000;
/// The environment variable set for the child, holding [`VERSION`].
pub const PROTOCOL_ENV: &str = "CALIPER_CONNECTOR_PROTOCOL";

/// A frame from the host to the child (the hot path's `send` and `submit` are written by
/// [`encode_send`] and [`encode_submit`]).
#[derive(Debug, Serialize)]
#[serde(tag = "t", rename_all = "lowercase", rename_all_fields = "camelCase")]
pub enum HostFrame<'a> {
    /// The host's answer to the child's `hello`: the features both have.
    Hello {
        /// Always [`PROTOCOL`].
        protocol: &'a str,
        /// Always [`VERSION`].
        version: u64,
        /// The features confirmed (offered by the child and known to the host).
        features: Vec<&'a str>,
    },
    /// Creates the connector for one worker index.
    Create(Box<Create<'a>>),
    /// One of Caliper's connector calls, answered by `return` or `error` with the same id.
    Call {
        /// Unique among this child's outstanding calls.
        id: u64,
        /// `init`, `installSmartContract`, `prepareWorkerArguments`, `getContext`,
        /// `releaseContext`, `initializeWorkloadModule` or `cleanupWorkloadModule`.
        method: &'a str,
        /// The call's arguments.
        args: &'a [Value],
    },
    /// The child finishes and exits.
    Exit,
}

/// The body of the `create` frame.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Create<'a> {
    /// The worker index; -1 for the manager.
    pub worker_index: i64,
    /// `caliper.blockchain` as written in the network configuration.
    pub blockchain: &'a str,
    /// The whole network configuration file, parsed.
    pub network_config: &'a Value,
    /// The network configuration file's absolute path.
    pub network_config_path: &'a str,
    /// The workspace, absolute.
    pub workspace: &'a str,
    /// Every `caliper-*` setting, flattened (secrets left out).
    pub settings: &'a Map<String, Value>,
}

/// Appends `{"t":"send","reqs":[[rid,request],...]}` and a newline to `out`.
pub fn encode_send<'v>(out: &mut Vec<u8>, reqs: impl IntoIterator<Item = (u64, &'v Value)>) {
    out.extend_from_slice(br#"{"t":"send","reqs":["#);
    for (i, (rid, request)) in reqs.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_u64(out, rid);
        out.push(b',');
        // Writing a Value into a Vec cannot fail (its map keys are strings).
        let _ = serde_json::to_writer(&mut *out, request);
        out.push(b']');
    }
    out.extend_from_slice(b"]}\n");
}

/// Appends `{"t":"submit","ids":[tid,...]}` and a newline to `out`.
pub fn encode_submit(out: &mut Vec<u8>, ids: &[u64]) {
    out.extend_from_slice(br#"{"t":"submit","ids":["#);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_u64(out, *id);
    }
    out.extend_from_slice(b"]}\n");
}

/// Appends the decimal digits of `n` (serde_json formats integers without `fmt`).
fn push_u64(out: &mut Vec<u8>, n: u64) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, &n);
}

/// Any frame from the child: every field of every frame type, each optional; `t` says which
/// apply. Unknown fields are ignored, so a newer child's additions do not break this host.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildFrame {
    /// The frame's type: `hello`, `created`, `return`, `error`, `done`, `submitted`, `events`.
    pub t: String,
    /// `hello`: the protocol's name.
    #[serde(default)]
    pub protocol: Option<String>,
    /// `hello`: the major version (an integer; anything else is reported as written).
    #[serde(default)]
    pub version: Option<Value>,
    /// `hello`: the child's features.
    #[serde(default)]
    pub features: Option<Vec<String>>,
    /// `hello`: what the child is, for the log (`my-connector 0.3.1`).
    #[serde(default, rename = "impl")]
    pub implementation: Option<String>,
    /// `hello`: the most requests the child wants outstanding.
    #[serde(default)]
    pub max_in_flight: Option<u64>,
    /// `created`: the connector type (Caliper's `getType`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `return`, `error`: the call's id (`null` for an error of `create`).
    #[serde(default)]
    pub id: Option<u64>,
    /// `return`: the call's value.
    #[serde(default)]
    pub value: Option<Value>,
    /// `error`: what went wrong.
    #[serde(default)]
    pub message: Option<String>,
    /// `error`: the error's class.
    #[serde(default)]
    pub class: Option<String>,
    /// `error`: where it went wrong, for the log.
    #[serde(default)]
    pub stack: Option<String>,
    /// `done`, `submitted`: one entry per request or submit id.
    #[serde(default)]
    pub res: Option<Vec<(u64, Outcome)>>,
    /// `events`: transactions submitted (Caliper's `txsSubmitted`).
    #[serde(default)]
    pub submitted: Option<u64>,
    /// `events`: transactions finished (Caliper's `txsFinished`).
    #[serde(default)]
    pub finished: Option<Vec<WireStatus>>,
}

/// One entry's answer in `done` (statuses, or the error the call threw) or `submitted`
/// (`null`, or the error `submitTransaction` threw).
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// One status per request object, in order, converted as they are read (without the
    /// intended send time, which only the host knows).
    Statuses(Vec<TxStatus>),
    /// The whole call threw.
    Error(OutcomeError),
    /// `null`: a submit that settled.
    Null,
}

/// `{"error":"message","class":"invalid","stack":"..."}`.
#[derive(Debug, PartialEq, Deserialize, Serialize)]
pub struct OutcomeError {
    /// What went wrong.
    pub error: String,
    /// The class of the failed statuses (`other` when missing or unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Where it went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OutcomeVisitor;
        impl<'de> Visitor<'de> for OutcomeVisitor {
            type Value = Outcome;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of TxStatus objects, an {\"error\": ...} object or null")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outcome, A::Error> {
                let mut statuses = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(1024));
                while let Some(status) = seq.next_element::<WireStatus>()? {
                    statuses.push(status.into_status(None));
                }
                Ok(Outcome::Statuses(statuses))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Outcome, A::Error> {
                OutcomeError::deserialize(de::value::MapAccessDeserializer::new(map)).map(Outcome::Error)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Outcome, E> {
                Ok(Outcome::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Outcome, E> {
                Ok(Outcome::Null)
            }
        }
        d.deserialize_any(OutcomeVisitor)
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Outcome::Statuses(statuses) => s.collect_seq(statuses.iter().map(WireStatus::from_status)),
            Outcome::Error(error) => error.serialize(s),
            Outcome::Null => s.serialize_unit(),
        }
    }
}

/// A TxStatus as it crosses the protocol: Caliper's field names, times in epoch milliseconds
/// (fractions allowed).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireStatus {
    /// The SUT's identifier of the transaction.
    #[serde(default)]
    pub id: String,
    /// `created`, `success` or `failed`.
    pub status: TxState,
    /// When the transaction was created, epoch milliseconds.
    pub time_create: f64,
    /// When it became final, epoch milliseconds; 0 while not final.
    pub time_final: f64,
    /// Caliper's `verified` flag.
    #[serde(default)]
    pub verified: bool,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The failure's class; unknown names read as `other`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_class")]
    pub error_class: Option<ErrorClass>,
    /// What the SUT returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Connector-specific data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Map<String, Value>>,
}

/// An error class by name, an unknown one as `other` (a connector may know finer classes).
fn lenient_class<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorClass>, D::Error> {
    let name: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    Ok(name.map(|n| ErrorClass::from_name(&n).unwrap_or(ErrorClass::Other)))
}

/// Epoch milliseconds (fractions allowed) as epoch microseconds; nonsense reads as 0.
pub fn millis_to_micros(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 { (ms * 1000.0).round() as u64 } else { 0 }
}

/// Epoch microseconds as epoch milliseconds.
pub fn micros_to_millis(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl WireStatus {
    /// The core status, with the intended send time the host kept; a failure without a class
    /// counts as `other`.
    pub fn into_status(self, intended: Option<u64>) -> TxStatus {
        let error_class = match (self.status, self.error_class) {
            (TxState::Failed, None) => Some(ErrorClass::Other),
            (_, class) => class,
        };
        TxStatus {
            id: self.id,
            status: self.status,
            time_create: millis_to_micros(self.time_create),
            time_final: millis_to_micros(self.time_final),
            time_intended: intended,
            verified: self.verified,
            error: self.error,
            error_class,
            result: self.result,
            custom: self.custom_data.map(Box::new),
        }
    }

    /// The wire form of a core status (for connectors written in Rust, and tests).
    pub fn from_status(status: &TxStatus) -> WireStatus {
        WireStatus {
            id: status.id.clone(),
            status: status.status,
            time_create: micros_to_millis(status.time_create),
            time_final: micros_to_millis(status.time_final),
            verified: status.verified,
            error: status.error.clone(),
            error_class: status.error_class,
            result: status.result.clone(),
            custom_data: status.custom.as_deref().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn host_frames_have_the_documented_shape() {
        let hello = HostFrame::Hello { protocol: PROTOCOL, version: VERSION, features: vec!["workload"] };
        assert_eq!(
            serde_json::to_value(&hello).unwrap(),
            json!({"t":"hello","protocol":"caliper-connector","version":1,"features":["workload"]})
        );
        let settings = Map::from_iter([("caliper-worker-max-in-flight".to_string(), json!(5))]);
        let network = json!({"caliper": {"blockchain": "exec:./c"}});
        let create = HostFrame::Create(Box::new(Create {
            worker_index: -1,
            blockchain: "exec:./c",
            network_config: &network,
            network_config_path: "/w/network.yaml",
            workspace: "/w",
            settings: &settings,
        }));
        assert_eq!(
            serde_json::to_value(&create).unwrap(),
            json!({"t":"create","workerIndex":-1,"blockchain":"exec:./c",
                   "networkConfig":{"caliper":{"blockchain":"exec:./c"}},
                   "networkConfigPath":"/w/network.yaml","workspace":"/w",
                   "settings":{"caliper-worker-max-in-flight":5}})
        );
        let args = [json!(2)];
        let call = HostFrame::Call { id: 7, method: "prepareWorkerArguments", args: &args };
        assert_eq!(
            serde_json::to_value(&call).unwrap(),
            json!({"t":"call","id":7,"method":"prepareWorkerArguments","args":[2]})
        );
        assert_eq!(serde_json::to_value(HostFrame::Exit).unwrap(), json!({"t":"exit"}));
    }

    #[test]
    fn send_and_submit_frames_are_one_line_of_json() {
        let (a, b) = (json!({"op": "x"}), json!([{"op": "y"}, {"op": "z"}]));
        let mut out = Vec::new();
        encode_send(&mut out, [(0, &a), (18446744073709551615, &b)]);
        assert_eq!(out.last(), Some(&b'\n'));
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            json!({"t":"send","reqs":[[0,{"op":"x"}],[18446744073709551615u64,[{"op":"y"},{"op":"z"}]]]})
        );
        out.clear();
        encode_submit(&mut out, &[3, 40]);
        assert_eq!(out, b"{\"t\":\"submit\",\"ids\":[3,40]}\n");
    }

    #[test]
    fn child_frames_parse_in_any_field_order() {
        let done: ChildFrame = serde_json::from_str(
            r#"{"res":[[1,[{"id":"0xa","status":"success","timeCreate":1000.5,"timeFinal":1002,"customData":{"k":1}}]],
                      [2,{"error":"bad","class":"invalid"}],[3,null]],"t":"done"}"#,
        )
        .unwrap();
        assert_eq!(done.t, "done");
        let res = done.res.unwrap();
        let Outcome::Statuses(statuses) = &res[0].1 else { panic!("{res:?}") };
        let status = &statuses[0];
        assert_eq!(
            (status.time_create, status.time_final, status.time_intended),
            (1_000_500, 1_002_000, None)
        );
        assert_eq!(status.custom("k"), Some(&json!(1)));
        assert_eq!(
            res[1].1,
            Outcome::Error(OutcomeError { error: "bad".into(), class: Some("invalid".into()), stack: None })
        );
        assert_eq!(res[2].1, Outcome::Null);
        let hello: ChildFrame = serde_json::from_str(
            r#"{"t":"hello","protocol":"caliper-connector","version":1,"features":["workload","x"],"impl":"c 1","maxInFlight":5}"#,
        )
        .unwrap();
        assert_eq!((hello.max_in_flight, hello.implementation.as_deref()), (Some(5), Some("c 1")));
    }

    #[test]
    fn unknown_or_missing_failure_classes_count_as_other() {
        let status: WireStatus = serde_json::from_str(
            r#"{"id":"","status":"failed","timeCreate":1,"timeFinal":2,"errorClass":"gas-too-low"}"#,
        )
        .unwrap();
        assert_eq!(status.error_class, Some(ErrorClass::Other));
        let status: WireStatus = serde_json::from_str(
            r#"{"status":"failed","timeCreate":1,"timeFinal":2,"errorClass":"crashed"}"#,
        )
        .unwrap();
        assert_eq!(status.error_class, Some(ErrorClass::Crashed));
        let status: WireStatus =
            serde_json::from_str(r#"{"status":"failed","timeCreate":1,"timeFinal":2}"#).unwrap();
        assert_eq!(status.into_status(None).error_class, Some(ErrorClass::Other));
    }

    #[test]
    fn a_status_survives_the_round_trip() {
        let mut status =
            TxStatus::created_at("0xab", 1_733_000_000_123_456).fail(ErrorClass::Nonce, "nonce too low");
        status.time_final = 1_733_000_000_223_456;
        status.time_intended = None;
        status.set_custom("phase", 3);
        let wire: WireStatus =
            serde_json::from_str(&serde_json::to_string(&WireStatus::from_status(&status)).unwrap()).unwrap();
        assert_eq!(wire.into_status(None), status);
    }
}
