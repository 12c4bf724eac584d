//! TLS for the HTTP and WebSocket clients of the build (an Ethereum node over https:// or
//! wss://, a Prometheus push gateway, a monitored Prometheus): rustls on ring (the one crypto
//! provider of the build, passed explicitly rather than installed as the process default, as
//! the MQTT messenger does), the system's trust roots through rustls-native-certs (which
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` replace, the standard way to trust a private CA), and
//! error messages that say why a handshake failed.
//!
//! Plain http:// and ws:// never touch the roots: their clients get [`plain_config`], which
//! costs nothing to build and is never used on a plain connection.

use std::error::Error;
use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, ClientConfig, RootCertStore};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Where the trust roots come from, for messages.
fn roots_source() -> String {
    let set = |name: &str| std::env::var_os(name).map(|v| format!("{name}={}", v.to_string_lossy()));
    match (set("SSL_CERT_FILE"), set("SSL_CERT_DIR")) {
        (Some(file), Some(dir)) => format!("{file} and {dir}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "the system's root certificates".into(),
    }
}

/// The client configuration of https:// and wss:// servers: the system's roots (or those of
/// `SSL_CERT_FILE` / `SSL_CERT_DIR`), read once per process. ALPN offers HTTP/1.1 only, which
/// both alloy's http transport (reqwest without HTTP/2) and a WebSocket upgrade speak.
pub fn client_config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG.get_or_init(build).clone()
}

fn build() -> Result<Arc<ClientConfig>, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let mut message = format!("no trusted root certificates in {}", roots_source());
        if ignored > 0 {
            message.push_str(&format!(" ({ignored} could not be parsed)"));
        }
        for e in &found.errors {
            message.push_str(&format!("; {e}"));
        }
        return Err(message);
    }
    for e in &found.errors {
        tracing::warn!("loading the trusted root certificates: {e}");
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The configuration handed to a reqwest client of plain http:// servers. reqwest is built with
/// rustls but no provider, and would otherwise look for a process-default provider (and panic
/// without one); a plain connection never uses it, so it has no roots.
pub fn plain_config() -> ClientConfig {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(RootCertStore::empty())
        .with_no_client_auth()
}

/// The configuration for a client of `url`: [`client_config`] for `https://` and `wss://`,
/// [`plain_config`] for anything else.
pub fn config_for(url: &str) -> Result<ClientConfig, String> {
    let secure =
        ["https://", "wss://"].iter().any(|s| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)));
    if secure { Ok((*client_config()?).clone()) } else { Ok(plain_config()) }
}

/// `err` and its sources in one line, each message once (a source whose text its parent already
/// shows is skipped), with a hint when the cause is a certificate rustls refused.
pub fn describe(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut tls = None;
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        // io::Error's source() skips the error it wraps (a rustls::Error among them).
        next = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
        if let Some(r) = next.and_then(|n| n.downcast_ref::<rustls::Error>()) {
            tls = Some(r.clone());
        }
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            tls = Some(r.clone());
        }
    }
    let mut message = parts.join(": ");
    if let Some(e) = tls {
        message.push_str(&format!(" (TLS: {})", hint(&e)));
    }
    message
}

fn hint(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "the node's certificate is not signed by a trusted root; trusted: {}. A private CA goes in SSL_CERT_FILE",
            roots_source()
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the node's certificate is not issued for the host name or address of the url".into(),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the node's certificate has expired".into(),
        other => format!("the handshake failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_certificate_inside_io_errors_is_named_with_a_hint() {
        let inner = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
        let text = describe(&io);
        assert!(text.starts_with("invalid peer certificate: UnknownIssuer"), "{text}");
        assert!(text.contains("not signed by a trusted root") && text.contains("SSL_CERT_FILE"), "{text}");
    }

    #[test]
    fn plain_errors_are_shown_as_they_are() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(describe(&io), "refused");
    }
}
