//! The nodes: one alloy JSON-RPC client per node, over http://, ws://, https:// or wss://, and
//! the classes of JSON-RPC errors.
//!
//! ws:// uses alloy's own WebSocket transport as it is. alloy 2.5 connects with Nagle's
//! algorithm on, which was suspected of slowing request/response over ws://; measured here
//! (one `eth_call` at a time through the connector against anvil), turning it off with
//! TCP_NODELAY made ws:// slower, not faster: 3,300-4,300 calls/s against 7,200 with Nagle on
//! and 5,600 over http://. See docs/connectors/ethereum.md.
//!
//! https:// and wss:// use the same transports on a rustls client configuration of our own
//! (ring, the system's roots: see [`crate::tls`]); wss:// connects the socket here
//! ([`WssConnect`]) and hands it to alloy's WebSocket backend. An https:// node is asked its
//! chain id at connect, so that a certificate it cannot verify is an error there.

use std::time::Duration;

use alloy::primitives::U64;
use alloy::pubsub::{ConnectionHandle, PubSubConnect};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::transports::utils::guess_local_url;
use alloy::transports::ws::{WsBackend, WsConnect};
use alloy::transports::{RpcError, TransportError, TransportErrorKind, TransportResult};
use caliper_core::connector::ErrorClass;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// One node of the network.
pub(crate) struct Node {
    /// The handle a request names it by.
    pub(crate) handle: String,
    /// Its JSON-RPC client.
    pub(crate) client: RpcClient,
}

/// The transport a url asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scheme {
    Http,
    Https,
    Ws,
    Wss,
}

fn scheme(url: &str) -> Option<Scheme> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    [("http://", Scheme::Http), ("https://", Scheme::Https), ("ws://", Scheme::Ws), ("wss://", Scheme::Wss)]
        .into_iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
        .map(|(_, scheme)| scheme)
}

/// Connects to `url` (http://, ws://, https:// or wss://); TLS handshakes, and the first call
/// to an https:// node, are bounded by `limit`. The error is a message for the user (the TLS
/// reason included), without the node's handle and url, which the caller adds.
pub(crate) async fn connect(handle: &str, url: &str, limit: Duration) -> Result<Node, String> {
    let client = match scheme(url) {
        Some(Scheme::Ws) => {
            ClientBuilder::default().pubsub(WsConnect::new(url)).await.map_err(|e| show(&e))?
        }
        Some(Scheme::Wss) => {
            let tls = caliper_core::tls::client_config()?;
            let connect = ClientBuilder::default().pubsub(WssConnect { url: url.to_string(), tls });
            tokio::time::timeout(limit, connect)
                .await
                .map_err(|_| format!("no TLS connection within {limit:?} (ethereum.timeout)"))?
                .map_err(|e| show(&e))?
        }
        Some(Scheme::Http) => http(url, caliper_core::tls::plain_config())?,
        Some(Scheme::Https) => {
            let client = http(url, (*caliper_core::tls::client_config()?).clone())?;
            let probe = client.request_noparams::<U64>("eth_chainId");
            tokio::time::timeout(limit, probe)
                .await
                .map_err(|_| format!("no answer to eth_chainId within {limit:?} (ethereum.timeout)"))?
                .map_err(|e| show(&e))?;
            client
        }
        None => return Err("expected an http://, https://, ws:// or wss:// url".into()),
    };
    Ok(Node { handle: handle.to_string(), client })
}

/// An http:// or https:// client: alloy's reqwest transport, on a reqwest client given `tls`
/// (reqwest has rustls without a provider; see [`caliper_core::tls::plain_config`]).
fn http(url: &str, tls: rustls::ClientConfig) -> Result<RpcClient, String> {
    let parsed = url.parse::<reqwest::Url>().map_err(|e| format!("not a url: {e}"))?;
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| caliper_core::tls::describe(&e))?;
    Ok(RpcClient::new_http_with_client(client, parsed))
}

/// A transport error as one line, its causes (a TLS reason among them) included.
fn show(err: &TransportError) -> String {
    caliper_core::tls::describe(err)
}

/// alloy's WebSocket connection over TLS on our client configuration: the socket is connected
/// here and run by alloy's own backend, with [`WsConnect`]'s defaults (its keepalive of 10 s,
/// 10 reconnect attempts 3 s apart), so a wss:// node behaves as a ws:// one does.
#[derive(Clone)]
struct WssConnect {
    url: String,
    tls: std::sync::Arc<rustls::ClientConfig>,
}

/// [`WsConnect`]'s keepalive interval (alloy's `DEFAULT_KEEPALIVE`).
const KEEPALIVE: Duration = Duration::from_secs(10);

impl PubSubConnect for WssConnect {
    fn is_local(&self) -> bool {
        guess_local_url(&self.url)
    }

    async fn connect(&self) -> TransportResult<ConnectionHandle> {
        // WsConnect makes the request: credentials in the url become its Authorization header.
        let request =
            WsConnect::new(self.url.clone()).into_client_request().map_err(TransportErrorKind::custom)?;
        let connector = Some(Connector::Rustls(self.tls.clone()));
        let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
            .await
            .map_err(TransportErrorKind::custom)?;
        let (handle, interface) = ConnectionHandle::new();
        WsBackend::from_socket(socket, interface, KEEPALIVE).spawn();
        Ok(handle.with_max_retries(10).with_retry_interval(Duration::from_secs(3)))
    }
}

/// The class of a failed JSON-RPC call, and a message for the status.
///
/// An error response means the node answered and refused: a nonce error is `nonce`, an
/// execution revert (eth_call, eth_estimateGas) is `reverted`, anything else `rejected`. No
/// answer at all is `connection`.
pub(crate) fn classify(err: &TransportError) -> (ErrorClass, String) {
    match err {
        RpcError::ErrorResp(payload) => {
            let message = payload.message.to_ascii_lowercase();
            // A second transaction on a taken nonce is "replacement transaction underpriced"
            // (geth, Besu), or "already known" (geth) / "known transaction" (Besu) when it is
            // the same one, rather than a nonce error; Besu says "nonce too distant" for one
            // too far ahead.
            let class = if message.contains("nonce")
                || message.contains("replacement transaction underpriced")
                || message.contains("already known")
                || message.contains("known transaction")
            {
                ErrorClass::Nonce
            } else if message.contains("revert") {
                ErrorClass::Reverted
            } else {
                ErrorClass::Rejected
            };
            let mut text = format!("the node refused it: {}", payload.message);
            if let Some(data) = &payload.data {
                text.push_str(&format!(" (data {})", data.get()));
            }
            (class, text)
        }
        RpcError::Transport(kind) => {
            (ErrorClass::Connection, format!("node unreachable: {}", caliper_core::tls::describe(kind)))
        }
        RpcError::NullResp => (ErrorClass::Other, "the node answered null".into()),
        other => (ErrorClass::Other, other.to_string()),
    }
}

/// Whether `err` says the node does not know the method (so a fallback may be used).
pub(crate) fn is_method_missing(err: &TransportError) -> bool {
    match err {
        RpcError::ErrorResp(payload) => {
            payload.code == -32601 || payload.message.to_ascii_lowercase().contains("not supported")
        }
        _ => false,
    }
}

/// Whether `err` is anvil's answer to a call on "latest" made while it sealed a block.
pub(crate) fn is_block_race(err: &TransportError) -> bool {
    matches!(err, RpcError::ErrorResp(payload) if payload.message.contains("BlockOutOfRangeError"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> ErrorClass {
        let payload = serde_json::from_value(serde_json::json!({"code": -32000, "message": message}));
        let err: TransportError = RpcError::ErrorResp(payload.expect("an error payload"));
        classify(&err).0
    }

    #[test]
    fn nodes_refusals_are_classed_by_their_words() {
        // geth, then Besu.
        for nonce in [
            "nonce too low",
            "replacement transaction underpriced",
            "already known",
            "Nonce too distant from current sender nonce",
            "Replacement transaction underpriced",
            "Known transaction",
        ] {
            assert_eq!(refused(nonce), ErrorClass::Nonce, "{nonce}");
        }
        assert_eq!(refused("execution reverted: insufficient funds"), ErrorClass::Reverted);
        assert_eq!(refused("insufficient funds for gas * price + value"), ErrorClass::Rejected);
        assert_eq!(refused("Transaction pool is full"), ErrorClass::Rejected);
    }
}
