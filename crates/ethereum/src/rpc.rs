//! The nodes: one alloy JSON-RPC client per node, over http:// or over a ws:// socket that this
//! module opens itself with TCP_NODELAY, and the classes of JSON-RPC errors.
//!
//! Why the own WebSocket connect: alloy-transport-ws 2.5 connects with Nagle's algorithm on, so
//! a small request waits for the ACK of the previous one (about 40 ms with delayed ACKs);
//! request/response over ws:// ran 3-6x slower than over http://. The socket is otherwise
//! alloy's: [`WsBackend::from_socket`] runs the same frame loop, keepalive included.

use std::time::Duration;

use alloy::pubsub::{ConnectionHandle, PubSubConnect};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::transports::ws::WsBackend;
use alloy::transports::{RpcError, TransportError, TransportErrorKind, TransportResult};
use caliper_core::connector::ErrorClass;

/// How often an idle WebSocket is pinged (alloy's default).
const KEEPALIVE: Duration = Duration::from_secs(10);

/// One node of the network.
pub(crate) struct Node {
    /// The handle a request names it by.
    pub(crate) handle: String,
    /// Its JSON-RPC client.
    pub(crate) client: RpcClient,
}

/// Connects to `url` (http:// or ws://).
pub(crate) async fn connect(handle: &str, url: &str) -> TransportResult<Node> {
    let client = if url.to_ascii_lowercase().starts_with("ws://") {
        ClientBuilder::default().pubsub(NoDelayWs { url: url.to_string() }).await?
    } else {
        ClientBuilder::default().connect(url).await?
    };
    Ok(Node { handle: handle.to_string(), client })
}

/// A ws:// connection with TCP_NODELAY, run by alloy's WebSocket backend.
#[derive(Clone, Debug)]
struct NoDelayWs {
    url: String,
}

impl PubSubConnect for NoDelayWs {
    fn is_local(&self) -> bool {
        alloy::transports::utils::guess_local_url(&self.url)
    }

    async fn connect(&self) -> TransportResult<ConnectionHandle> {
        // The last argument is `disable_nagle`: the whole point of this type.
        let (socket, _) = tokio_tungstenite::connect_async_with_config(self.url.as_str(), None, true)
            .await
            .map_err(TransportErrorKind::custom)?;
        let (handle, interface) = ConnectionHandle::new();
        WsBackend::from_socket(socket, interface, KEEPALIVE).spawn();
        Ok(handle)
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
            // (or "already known" when it is the same one) rather than a nonce error.
            let class = if message.contains("nonce")
                || message.contains("replacement transaction underpriced")
                || message.contains("already known")
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
        RpcError::Transport(kind) => (ErrorClass::Connection, format!("node unreachable: {kind}")),
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
