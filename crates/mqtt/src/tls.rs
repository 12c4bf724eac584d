//! TLS for `mqtts://`: rustls on the ring provider (the one crypto provider of the build),
//! the broker verified against a CA file or the system's roots, and an optional client
//! certificate for mutual TLS. The provider is passed explicitly rather than installed as the
//! process default, so nothing else in the process is affected.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::{MqttConfigError, certificates, private_key};
use caliper_core::settings::keys;

/// The client configuration: roots from `ca` (else the system's), a client certificate when
/// `cert` and `key` are given, and no server verification only when `verify` is false.
pub fn client_config(
    ca: Option<&Path>,
    cert: Option<&Path>,
    key: Option<&Path>,
    verify: bool,
) -> Result<ClientConfig, MqttConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let invalid = |key: &'static str, problem: String| MqttConfigError::Invalid { key, problem };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(keys::WORKER_MQTT_TLS_CA, e.to_string()))?;
    let builder = if verify {
        let mut roots = RootCertStore::empty();
        match ca {
            Some(ca) => {
                for c in certificates(keys::WORKER_MQTT_TLS_CA, ca)? {
                    roots.add(c).map_err(|e| MqttConfigError::TlsFile {
                        key: keys::WORKER_MQTT_TLS_CA,
                        path: ca.to_path_buf(),
                        problem: e.to_string(),
                    })?;
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    return Err(invalid(
                        keys::WORKER_MQTT_TLS_CA,
                        "no CA file given and no system root certificates found".into(),
                    ));
                }
            }
        }
        builder.with_root_certificates(roots)
    } else {
        tracing::warn!(
            "the MQTT broker's certificate is not verified (caliper-worker-communication-mqtt-tls-verify: false)"
        );
        builder.dangerous().with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
    };
    match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = certificates(keys::WORKER_MQTT_TLS_CERT, cert)?;
            let key_der = private_key(keys::WORKER_MQTT_TLS_KEY, key)?;
            builder.with_client_auth_cert(chain, key_der).map_err(|e| MqttConfigError::TlsFile {
                key: keys::WORKER_MQTT_TLS_KEY,
                path: key.to_path_buf(),
                problem: format!("does not go with the client certificate: {e}"),
            })
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(_), None) => {
            Err(invalid(keys::WORKER_MQTT_TLS_KEY, "a client certificate needs its key".into()))
        }
        (None, Some(_)) => {
            Err(invalid(keys::WORKER_MQTT_TLS_CERT, "a client key needs its certificate".into()))
        }
    }
}

/// Accepts any server certificate (signatures are still checked): for test brokers only.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
