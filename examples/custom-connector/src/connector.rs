//! The connector: one HTTP request per transaction, its status from the response code.

use async_trait::async_trait;
use caliper_core::connector::{
    Connector, ConnectorBase, ConnectorError, ConnectorInit, ErrorClass, TxStatus,
};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::config::HttpConfig;

/// Sends a workload's `{method, path, body}` requests to the configured server.
pub struct HttpConnector {
    base: ConnectorBase,
    client: reqwest::Client,
    config: HttpConfig,
}

impl HttpConnector {
    /// A connector for `init.worker_index`, with one connection pool for all its requests.
    pub fn new(init: &ConnectorInit, config: HttpConfig) -> Result<Self, ConnectorError> {
        let invalid = |path: &str, message: String| ConnectorError::Config { path: path.into(), message };
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let key = format!("http.headers.{name}");
            let name = HeaderName::try_from(name.as_str()).map_err(|e| invalid(&key, e.to_string()))?;
            let value = HeaderValue::try_from(value.as_str()).map_err(|e| invalid(&key, e.to_string()))?;
            headers.insert(name, value);
        }
        // caliper-core's TLS configuration (rustls on ring, the system's roots for https://).
        let tls = caliper_core::tls::config_for(&config.url).map_err(|e| invalid("http.url", e))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(config.timeout)
            .default_headers(headers)
            .build()
            .map_err(|e| ConnectorError::Sut(caliper_core::tls::describe(&e)))?;
        Ok(HttpConnector { base: ConnectorBase::new("http", init), client, config })
    }
}

/// A request as a workload writes it.
struct Request {
    method: reqwest::Method,
    path: String,
    body: Option<(Vec<u8>, &'static str)>,
}

fn parse(request: &Value) -> Result<Request, ConnectorError> {
    let invalid = |m: String| ConnectorError::InvalidRequest(m);
    let method = match request.get("method") {
        None => "GET",
        Some(m) => m.as_str().ok_or_else(|| invalid(format!("method must be a string, not {m}")))?,
    };
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| invalid(format!("\"{method}\" is no HTTP method")))?;
    let path = match request.get("path").and_then(Value::as_str) {
        Some(p) if p.starts_with('/') => p.to_string(),
        _ => return Err(invalid(format!("path must be a string starting with /, in {request}"))),
    };
    let body = match request.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some((text.clone().into_bytes(), "text/plain; charset=utf-8")),
        Some(other) => Some((other.to_string().into_bytes(), "application/json")),
    };
    Ok(Request { method, path, body })
}

fn failure(err: &reqwest::Error) -> ConnectorError {
    let class = if err.is_timeout() { ErrorClass::Timeout } else { ErrorClass::Connection };
    ConnectorError::Failed { class, message: caliper_core::tls::describe(err) }
}

#[async_trait]
impl Connector for HttpConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    /// The manager's connector checks that the server answers (any status) before the rounds.
    async fn init(&self, _worker_init: bool) -> Result<(), ConnectorError> {
        let response = self.client.get(&self.config.url).send().await;
        response.map(|_| ()).map_err(|e| {
            ConnectorError::Sut(format!(
                "the server at {} (http.url) does not answer: {}",
                self.config.url,
                caliper_core::tls::describe(&e)
            ))
        })
    }

    async fn get_context(&self, _round: usize, _args: &Value) -> Result<Value, ConnectorError> {
        Ok(json!({ "url": self.config.url }))
    }

    async fn send_single_request(&self, request: Value) -> Result<TxStatus, ConnectorError> {
        let Request { method, path, body } = parse(&request)?;
        let mut status = TxStatus::new(format!("{method} {path}"));
        let mut call = self.client.request(method, format!("{}{path}", self.config.url));
        if let Some((bytes, kind)) = body {
            call = call.header(CONTENT_TYPE, kind).body(bytes);
        }
        let response = call.send().await.map_err(|e| failure(&e))?;
        let code = response.status();
        // The body is read so that the connection goes back to the pool.
        let _ = response.bytes().await.map_err(|e| failure(&e))?;
        status.set_custom("status", code.as_u16());
        status.verified = true;
        Ok(if code.is_success() {
            status.succeed()
        } else {
            status.fail(ErrorClass::Rejected, format!("HTTP {code}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_method_path_and_body() {
        let r = parse(&json!({"path": "/a"})).unwrap();
        assert_eq!((r.method, r.path.as_str(), r.body.is_none()), (reqwest::Method::GET, "/a", true));
        let r = parse(&json!({"method": "post", "path": "/b", "body": {"n": 1}})).unwrap();
        assert_eq!(r.method, reqwest::Method::POST);
        assert_eq!(r.body, Some((br#"{"n":1}"#.to_vec(), "application/json")));
        let e = parse(&json!({"path": "b"})).err().unwrap();
        assert!(e.to_string().contains("path must be a string starting with /"), "{e}");
        let e = parse(&json!({"method": "NO PE", "path": "/"})).err().unwrap();
        assert!(e.to_string().contains("no HTTP method"), "{e}");
    }
}
