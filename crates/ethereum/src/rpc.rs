//! The nodes: one alloy JSON-RPC client per node, over http:// or ws://, and the classes of
//! JSON-RPC errors.
//!
//! ws:// uses alloy's own WebSocket transport as it is. alloy 2.5 connects with Nagle's
//! algorithm on, which was suspected of slowing request/response over ws://; measured here
//! (one `eth_call` at a time through the connector against anvil), turning it off with
//! TCP_NODELAY made ws:// slower, not faster: 3,300-4,300 calls/s against 7,200 with Nagle on
//! and 5,600 over http://. See docs/connectors/ethereum.md.

use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::transports::ws::WsConnect;
use alloy::transports::{RpcError, TransportError, TransportResult};
use caliper_core::connector::ErrorClass;

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
        ClientBuilder::default().pubsub(WsConnect::new(url)).await?
    } else {
        ClientBuilder::default().connect(url).await?
    };
    Ok(Node { handle: handle.to_string(), client })
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
