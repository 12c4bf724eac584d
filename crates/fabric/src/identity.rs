//! An identity that signs: its MSP, its certificate (sent as the creator) and its P-256 key.
//!
//! Signatures are ECDSA P-256 over SHA-256 of the message, in DER with a low S (Fabric rejects
//! a high S: "Invalid S. Must be smaller than half the order").
//!
//! ring signs: its P-256 assembly took about 40 µs a signature here against about 370 µs for
//! the portable arithmetic of the `p256` crate (crates/fabric/benches/sign.rs, same loaded
//! machine), and a submit signs three times. The `p256` crate does the rest: it reads the key
//! as PKCS#8 (what cryptogen and Fabric CA write) or SEC1 and re-encodes it as the PKCS#8 that
//! ring takes, compares it with the certificate's key, and turns ring's signature (random k,
//! either S) into the low-S form. ring's k is random, as in Fabric's Go client.

use std::fmt;

use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use prost::Message;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use x509_cert::Certificate;
use x509_cert::der::DecodePem;

use crate::proto::msp::SerializedIdentity;

/// A signing identity of one organisation.
pub struct Identity {
    name: String,
    mspid: String,
    cert_pem: String,
    key_pem: String,
    /// The TLS client certificate and key under mutual TLS, when not the signing ones.
    tls: Option<(String, String)>,
    creator: Vec<u8>,
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key never reaches a log.
        f.debug_struct("Identity").field("name", &self.name).field("mspid", &self.mspid).finish()
    }
}

/// Why an identity's certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The certificate is not an X.509 certificate in PEM.
    #[error("the certificate cannot be read: {0}")]
    Certificate(String),
    /// The certificate's key is not on P-256.
    #[error(
        "the certificate's public key is not an ECDSA P-256 key (caliper-rs signs with P-256, what cryptogen and Fabric CA issue by default)"
    )]
    NotP256,
    /// The private key is neither PKCS#8 nor SEC1 P-256 PEM.
    #[error(
        "the private key cannot be read as a P-256 key in PEM (PKCS#8 \"BEGIN PRIVATE KEY\" or SEC1 \"BEGIN EC PRIVATE KEY\")"
    )]
    Key,
    /// The key and the certificate are not a pair.
    #[error("the private key does not belong to the certificate (their public keys differ)")]
    Mismatch,
    /// Signing failed (cannot happen with a 32-byte digest; kept so nothing panics).
    #[error("signing failed: {0}")]
    Sign(String),
}

impl Identity {
    /// An identity named `name` of `mspid` from its certificate and key as PEM text; the key
    /// must belong to the certificate.
    pub fn from_pem(name: &str, mspid: &str, cert_pem: &str, key_pem: &str) -> Result<Self, IdentityError> {
        let cert = Certificate::from_pem(cert_pem.as_bytes())
            .map_err(|e| IdentityError::Certificate(e.to_string()))?;
        let spki = cert.tbs_certificate.subject_public_key_info;
        let cert_key = spki
            .subject_public_key
            .as_bytes()
            .and_then(|bytes| VerifyingKey::from_sec1_bytes(bytes).ok())
            .ok_or(IdentityError::NotP256)?;
        let key = SigningKey::from_pkcs8_pem(key_pem)
            .ok()
            .or_else(|| p256::SecretKey::from_sec1_pem(key_pem).ok().map(SigningKey::from))
            .ok_or(IdentityError::Key)?;
        if *key.verifying_key() != cert_key {
            return Err(IdentityError::Mismatch);
        }
        let rng = SystemRandom::new();
        let pkcs8 = key.to_pkcs8_der().map_err(|_| IdentityError::Key)?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_bytes(), &rng)
            .map_err(|_| IdentityError::Key)?;
        // The certificate goes out as the text it was given, as Caliper sends it.
        let creator = SerializedIdentity { mspid: mspid.to_string(), id_bytes: cert_pem.as_bytes().to_vec() }
            .encode_to_vec();
        Ok(Identity {
            name: name.to_string(),
            mspid: mspid.to_string(),
            cert_pem: cert_pem.to_string(),
            key_pem: key_pem.to_string(),
            tls: None,
            creator,
            key,
            rng,
        })
    }

    /// The identity's name in its organisation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The MSP it belongs to.
    pub fn mspid(&self) -> &str {
        &self.mspid
    }

    /// The encoded `msp.SerializedIdentity`: the creator of every transaction it signs.
    pub fn creator(&self) -> &[u8] {
        &self.creator
    }

    /// Presents `cert` and `key` (PEM) as the TLS client under mutual TLS instead of the
    /// signing certificate and key (a peer checks client certificates against its
    /// organisations' TLS CAs, which are not the CAs of the signing certificates).
    pub fn with_tls_client(mut self, cert: String, key: String) -> Self {
        self.tls = Some((cert, key));
        self
    }

    /// The TLS client certificate and key as PEM under mutual TLS: the ones given with
    /// [`Identity::with_tls_client`], or else the signing ones.
    pub(crate) fn tls_pem(&self) -> (&str, &str) {
        match &self.tls {
            Some((cert, key)) => (cert, key),
            None => (&self.cert_pem, &self.key_pem),
        }
    }

    /// A low-S DER signature of SHA-256(`message`).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IdentityError> {
        let der = self.key.sign(&self.rng, message).map_err(|e| IdentityError::Sign(e.to_string()))?;
        let signature = Signature::from_der(der.as_ref()).map_err(|e| IdentityError::Sign(e.to_string()))?;
        match signature.normalize_s() {
            // A high S (half of ring's signatures) is replaced by N - S.
            Some(low) => Ok(low.to_der().as_bytes().to_vec()),
            None => Ok(der.as_ref().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::elliptic_curve::scalar::IsHigh;
    use sha2::{Digest, Sha256};

    use super::*;

    /// A throw-away P-256 key and a self-signed certificate for it, made by openssl.
    pub(crate) fn test_identity(dir: &std::path::Path) -> (String, String) {
        caliper_testkit::certs::ca(dir, "user", "user1");
        let cert = std::fs::read_to_string(dir.join("user.pem")).unwrap();
        let key = std::fs::read_to_string(dir.join("user.key")).unwrap();
        (cert, key)
    }

    #[test]
    fn signatures_are_low_s_der_over_sha256_and_verify_with_the_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = test_identity(dir.path());
        let id = Identity::from_pem("user1", "Org1MSP", &cert, &key).unwrap();
        let decoded = SerializedIdentity::decode(id.creator()).unwrap();
        assert_eq!((decoded.mspid.as_str(), decoded.id_bytes.as_slice()), ("Org1MSP", cert.as_bytes()));
        let verifier =
            VerifyingKey::from_sec1_bytes(ring::signature::KeyPair::public_key(&id.key).as_ref()).unwrap();
        for i in 0..64u8 {
            let message = [i; 40];
            let der = id.sign(&message).unwrap();
            let signature = Signature::from_der(&der).unwrap();
            assert!(!bool::from(signature.s().is_high()), "high S in signature {i}");
            verifier.verify_prehash(&Sha256::digest(message), &signature).unwrap();
        }
    }

    #[test]
    fn a_key_of_another_certificate_or_a_bad_pem_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, _) = test_identity(dir.path());
        caliper_testkit::certs::ca(dir.path(), "other", "other");
        let other_key = std::fs::read_to_string(dir.path().join("other.key")).unwrap();
        let err = Identity::from_pem("u", "M", &cert, &other_key).unwrap_err();
        assert!(matches!(err, IdentityError::Mismatch), "{err}");
        assert!(matches!(
            Identity::from_pem("u", "M", "junk", &other_key),
            Err(IdentityError::Certificate(_))
        ));
        assert!(matches!(Identity::from_pem("u", "M", &cert, "junk"), Err(IdentityError::Key)));
    }
}
