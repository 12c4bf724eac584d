//! A TLS-terminating TCP proxy for tests: it listens on a free 127.0.0.1 port, completes the
//! TLS handshake (rustls on ring) with a certificate the test made, and then copies bytes both
//! ways to a plain TCP port on 127.0.0.1. Whatever runs over it (HTTP, a WebSocket upgrade)
//! reaches the target unchanged, so `https://` and `wss://` work in front of anvil's one port.
//!
//! It runs on a thread of its own (a current-thread tokio runtime), so synchronous tests can use
//! it; dropping it stops the listener and every connection.

use std::net::TcpListener as StdListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// A running proxy.
pub struct TlsProxy {
    port: u16,
    handshake_errors: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsProxy {
    /// Starts a proxy presenting the certificate chain `cert` (PEM) with its key `key` (PEM)
    /// in front of `127.0.0.1:<target>`; panics (this is test code) when it cannot.
    pub fn start(cert: &Path, key: &Path, target: u16) -> TlsProxy {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .unwrap_or_else(|e| panic!("{}: {e}", cert.display()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{}: {e}", cert.display()));
        let key = PrivateKeyDer::from_pem_file(key).unwrap_or_else(|e| panic!("{}: {e}", key.display()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the certificate and its key go together");
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = StdListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let handshake_errors = Arc::new(Mutex::new(Vec::new()));
        let errors = handshake_errors.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = stopped => {}
                    _ = serve(listener, acceptor, target, errors) => {}
                }
            });
            // Dropping the runtime here ends the connections' tasks.
        });
        TlsProxy { port, handshake_errors, stop: Some(stop), thread: Some(thread) }
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:<port>`.
    pub fn https_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// `wss://127.0.0.1:<port>`.
    pub fn wss_url(&self) -> String {
        format!("wss://127.0.0.1:{}", self.port)
    }

    /// The handshakes that failed so far, as rustls told the proxy (a client that refused the
    /// certificate sends an alert: "received fatal alert: UnknownCA" and the like).
    pub fn handshake_errors(&self) -> Vec<String> {
        self.handshake_errors.lock().unwrap().clone()
    }
}

async fn serve(listener: TcpListener, acceptor: TlsAcceptor, target: u16, errors: Arc<Mutex<Vec<String>>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else { continue };
        let acceptor = acceptor.clone();
        let errors = errors.clone();
        tokio::spawn(async move {
            let _ = client.set_nodelay(true);
            let mut tls = match acceptor.accept(client).await {
                Ok(tls) => tls,
                Err(e) => {
                    errors.lock().unwrap().push(e.to_string());
                    return;
                }
            };
            let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", target)).await else { return };
            let _ = upstream.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
        });
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
