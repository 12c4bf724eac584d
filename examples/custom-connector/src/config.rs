//! The `http` section of the network configuration, checked before a run starts: every
//! mistake with its key path.

use std::time::Duration;

use caliper_core::connector::ConnectorError;
use serde_json::Value;

/// The server and how to talk to it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// `http.url`: the base URL the requests' paths are appended to (no trailing `/`).
    pub url: String,
    /// `http.timeout`: how long a request may take.
    pub timeout: Duration,
    /// `http.headers`: sent with every request.
    pub headers: Vec<(String, String)>,
}

const KEYS: [&str; 3] = ["url", "timeout", "headers"];

fn mistake(path: &str, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Config { path: path.to_string(), message: message.into() }
}

impl HttpConfig {
    /// Reads the `http` section of a network configuration (`raw` is the whole file).
    pub fn from_network(raw: &Value) -> Result<HttpConfig, Vec<ConnectorError>> {
        let Some(section) = raw.get("http").and_then(Value::as_object) else {
            return Err(vec![mistake("http", "missing: a section with at least url: http://host:port")]);
        };
        let mut errors = Vec::new();
        for key in section.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            errors.push(mistake(
                &format!("http.{key}"),
                format!("unknown key; expected one of {}", KEYS.join(", ")),
            ));
        }
        let url = match section.get("url").and_then(Value::as_str) {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                u.trim_end_matches('/').to_string()
            }
            Some(u) => {
                errors.push(mistake("http.url", format!("\"{u}\" is no http:// or https:// URL")));
                String::new()
            }
            None => {
                errors.push(mistake(
                    "http.url",
                    "missing: the server's base URL, such as http://127.0.0.1:8080",
                ));
                String::new()
            }
        };
        let timeout = match section.get("timeout") {
            None => Duration::from_secs(10),
            Some(v) => match v.as_u64().filter(|ms| *ms > 0) {
                Some(ms) => Duration::from_millis(ms),
                None => {
                    errors
                        .push(mistake("http.timeout", format!("{v} is no positive number of milliseconds")));
                    Duration::ZERO
                }
            },
        };
        let mut headers = Vec::new();
        match section.get("headers") {
            None => {}
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    match value.as_str() {
                        Some(v) => headers.push((name.clone(), v.to_string())),
                        None => errors.push(mistake(&format!("http.headers.{name}"), "expected a string")),
                    }
                }
            }
            Some(_) => errors.push(mistake("http.headers", "expected a map of header names to strings")),
        }
        if errors.is_empty() { Ok(HttpConfig { url, timeout, headers }) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_mistake_is_reported_with_its_key_path() {
        let ok = HttpConfig::from_network(&json!({"http": {"url": "http://h:1/", "headers": {"a": "b"}}}))
            .unwrap();
        assert_eq!(ok.url, "http://h:1");
        assert_eq!(ok.timeout, Duration::from_secs(10));
        assert_eq!(ok.headers, vec![("a".to_string(), "b".to_string())]);
        let errors =
            HttpConfig::from_network(&json!({"http": {"url": "ftp://x", "timeout": -1, "header": {}}}))
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("http.header: unknown key"), "{errors:?}");
        assert!(errors[1].contains("http.url"), "{errors:?}");
        assert!(errors[2].contains("http.timeout"), "{errors:?}");
        let missing = HttpConfig::from_network(&json!({})).unwrap_err();
        assert!(missing[0].to_string().contains("http: missing"), "{missing:?}");
    }
}
