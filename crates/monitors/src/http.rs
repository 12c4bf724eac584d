//! The HTTP client of the monitors (Prometheus's API, Docker's Engine API): reqwest on rustls
//! with the ring provider (the one crypto provider of the build, passed explicitly), the
//! system's roots for https://, and optionally a Unix socket (the local Docker engine).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::{ClientConfig, RootCertStore};

/// How long one request may take, connection included: a monitor must not hold the run up.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A client for `url`'s scheme, through the Unix socket `socket` when given. reqwest is built
/// with rustls but no provider and would look for a process default (and panic without one),
/// so it is always given a configuration; a plain http:// connection never uses it, and it
/// then has no roots to load.
pub(crate) fn client(url: &reqwest::Url, socket: Option<&Path>) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    if url.scheme() == "https" {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
        if roots.is_empty() {
            return Err("no trusted root certificates found for https:// (see SSL_CERT_FILE)".into());
        }
    }
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut builder = reqwest::Client::builder().tls_backend_preconfigured(config).timeout(TIMEOUT);
    if let Some(socket) = socket {
        builder = builder.unix_socket(socket);
    }
    builder.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// `err` and its causes in one line (reqwest's own text is often only "error sending request").
pub(crate) fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}
