//! The HTTP client of the monitors (Prometheus's API, Docker's Engine API): reqwest on core's
//! TLS configuration (rustls on ring, the system's roots for https://), optionally through a
//! Unix socket (the local Docker engine).

use std::path::Path;
use std::time::Duration;

pub(crate) use caliper_core::tls::describe;

/// How long one request may take, connection included: a monitor must not hold the run up.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A client for `url`'s scheme, through the Unix socket `socket` when given.
pub(crate) fn client(url: &reqwest::Url, socket: Option<&Path>) -> Result<reqwest::Client, String> {
    let tls = caliper_core::tls::config_for(url.as_str())?;
    let mut builder = reqwest::Client::builder().tls_backend_preconfigured(tls).timeout(TIMEOUT);
    if let Some(socket) = socket {
        builder = builder.unix_socket(socket);
    }
    builder.build().map_err(|e| format!("cannot build the HTTP client: {}", describe(&e)))
}
