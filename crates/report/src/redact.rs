//! Keeps secrets out of the results file.
//!
//! The results file copies configuration (the benchmark configuration, each round's
//! configuration, the network configuration's `info`). Those should hold no secret, but a
//! workload argument or a monitor option may carry a password or a key; its value is replaced
//! by [`REDACTED`] wherever the key's name says it is secret, and the password of a URL
//! (`http://user:password@host`, Caliper's way to give a push gateway's credentials) wherever
//! one is written.

use serde_json::{Map, Value};

/// What a secret's value becomes.
pub(crate) const REDACTED: &str = "<redacted>";

/// Parts of a key name (lowercase, without `_` and `-`) that mark its value as secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "privatekey",
    "secret",
    "mnemonic",
    "apikey",
    "accesstoken",
    "authtoken",
];

/// Whether a key names a secret (`privateKey`, `private_key`, `mqttPassword`, `clientSecret`, ...).
fn is_secret(key: &str) -> bool {
    let key: String = key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect();
    SECRET_WORDS.iter().any(|w| key.contains(w))
}

/// `value` with every secret replaced, at any depth.
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(text) => Value::String(redact_url_password(text)),
        other => other.clone(),
    }
}

/// `text` with the password of a URL's user information replaced (`scheme://user:<redacted>@`).
fn redact_url_password(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else { return text.to_string() };
    let authority_start = scheme_end + 3;
    let authority_end =
        text[authority_start..].find(['/', '?', '#']).map_or(text.len(), |i| authority_start + i);
    let authority = &text[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else { return text.to_string() };
    let Some(colon) = authority[..at].find(':') else { return text.to_string() };
    let user = &authority[..colon];
    format!("{}{user}:{REDACTED}{}", &text[..authority_start], &text[authority_start + at..])
}

/// `map` with every secret replaced, at any depth.
pub(crate) fn redact_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| {
            let v = if is_secret(k) && !v.is_null() { Value::from(REDACTED) } else { redact(v) };
            (k.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_secrets_at_any_depth_and_keeps_the_rest() {
        let config = json!({
            "workload": {"module": "transfer.js", "arguments": {"privateKey": "0xabc", "accounts": 10}},
            "monitors": [{"options": {"mqtt_password": "hunter2", "url": "mqtt://x"}}],
            "tokenAddress": "0x01",
            "clientSecret": null
        });
        let clean = redact(&config);
        assert_eq!(clean["workload"]["arguments"]["privateKey"], REDACTED);
        assert_eq!(clean["workload"]["arguments"]["accounts"], 10);
        assert_eq!(clean["workload"]["module"], "transfer.js");
        assert_eq!(clean["monitors"][0]["options"]["mqtt_password"], REDACTED);
        assert_eq!(clean["monitors"][0]["options"]["url"], "mqtt://x");
        assert_eq!(clean["tokenAddress"], "0x01");
        assert_eq!(clean["clientSecret"], Value::Null);
        assert!(!clean.to_string().contains("hunter2"));
    }

    #[test]
    fn a_url_keeps_its_user_and_loses_its_password() {
        let config = json!({"pushUrl": "http://caliper:hunter2@gw:9091/x", "plain": "http://gw:9091/a@b", "note": "a:b@c"});
        let clean = redact(&config);
        assert_eq!(clean["pushUrl"], "http://caliper:<redacted>@gw:9091/x");
        assert_eq!(clean["plain"], "http://gw:9091/a@b");
        assert_eq!(clean["note"], "a:b@c");
    }
}
