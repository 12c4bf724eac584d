//! The connections to the gateway peers and the four unary Gateway calls.
//!
//! One HTTP/2 connection per gateway peer per worker, shared by every identity of the
//! organisation (under mutual TLS, where the TLS client certificate is the identity's, one per
//! identity and peer). A connection is dialled at its first call and kept for the whole run.
//! Each peer has a budget of calls in flight (the worker's share of
//! `caliper-fabric-maxinflight`); a transaction holds one place from its first call to its
//! last, so the peer's gateway concurrency limit is not exceeded by this client.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::Status;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::config::PeerSpec;
use crate::identity::Identity;

/// One gateway peer: its connection and its budget of calls in flight.
pub(crate) struct PeerClient {
    /// The peer's name and url, for messages.
    pub(crate) label: String,
    channel: Channel,
    max_receive: usize,
    max_send: usize,
    in_flight: Arc<Semaphore>,
}

/// Why a connection could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("gateway peer {peer}: {message}")]
pub(crate) struct ConnectError {
    peer: String,
    message: String,
}

impl PeerClient {
    /// A lazily dialled connection to `peer` (with `tls_identity` as the TLS client identity
    /// under mutual TLS), sharing the budget `in_flight`.
    pub(crate) fn new(
        peer: &PeerSpec,
        tls_identity: Option<&Identity>,
        in_flight: Arc<Semaphore>,
        connect_timeout: Duration,
    ) -> Result<Self, ConnectError> {
        let label = format!("{} ({})", peer.name, peer.url);
        let fail = |message: String| ConnectError { peer: label.clone(), message };
        let scheme = if peer.tls_ca.is_some() { "https" } else { "http" };
        let options = &peer.options;
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{}", peer.address))
            .map_err(|e| fail(format!("not a valid address: {e}")))?
            .connect_timeout(connect_timeout)
            .http2_keep_alive_interval(options.keepalive)
            .keep_alive_timeout(options.keepalive_timeout)
            .keep_alive_while_idle(options.keepalive_while_idle)
            .tcp_nodelay(true)
            // The channel's queue of requests waiting for the connection must hold every
            // call the budget admits (tonic's default is 1024).
            .buffer_size(in_flight.available_permits().max(1024));
        if let Some(authority) = &options.authority {
            let uri = format!("{scheme}://{authority}")
                .parse()
                .map_err(|e| fail(format!("grpc.default_authority {authority}: {e}")))?;
            endpoint = endpoint.origin(uri);
        }
        if let Some(ca) = &peer.tls_ca {
            let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca));
            if let Some(name) = &options.server_name {
                tls = tls.domain_name(name.clone());
            }
            if let Some(identity) = tls_identity {
                let (cert, key) = identity.tls_pem();
                tls = tls.identity(tonic::transport::Identity::from_pem(cert, key));
            }
            endpoint = endpoint.tls_config(tls).map_err(|e| fail(format!("TLS settings: {e}")))?;
        }
        Ok(PeerClient {
            label,
            channel: endpoint.connect_lazy(),
            max_receive: options.max_receive,
            max_send: options.max_send,
            in_flight,
        })
    }

    /// Waits for a place in the peer's budget of calls in flight.
    pub(crate) async fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.in_flight.clone().acquire_owned().await.ok()
    }

    /// One unary call of `path` with a deadline of `timeout` (sent as `grpc-timeout`, and
    /// enforced by the client too).
    pub(crate) async fn unary<Req, Resp>(
        &self,
        path: &'static str,
        message: Req,
        timeout: Duration,
    ) -> Result<Resp, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone())
            .max_decoding_message_size(self.max_receive)
            .max_encoding_message_size(self.max_send);
        grpc.ready().await.map_err(|e| Status::unavailable(format!("the connection is not ready: {e}")))?;
        let mut request = tonic::Request::new(message);
        request.set_timeout(timeout);
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        grpc.unary(request, PathAndQuery::from_static(path), codec).await.map(tonic::Response::into_inner)
    }
}

/// The gateway peers one identity's requests go to, taken in turn.
pub(crate) struct Gateways {
    peers: Vec<Arc<PeerClient>>,
    next: AtomicUsize,
}

impl Gateways {
    /// Takes turns over `peers` (never empty: the configuration requires a peer).
    pub(crate) fn new(peers: Vec<Arc<PeerClient>>) -> Self {
        Gateways { peers, next: AtomicUsize::new(0) }
    }

    /// The next peer in turn.
    pub(crate) fn pick(&self) -> Option<&Arc<PeerClient>> {
        if self.peers.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.peers.len();
        self.peers.get(i)
    }

    /// The peers' labels, for logs.
    pub(crate) fn labels(&self) -> Vec<&str> {
        self.peers.iter().map(|p| p.label.as_str()).collect()
    }
}
