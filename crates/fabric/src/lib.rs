//! caliper-fabric: the Hyperledger Fabric connector of caliper-rs, on the peer's Gateway
//! service (Fabric 2.4 and later, 3.x).
//!
//! It reads Caliper's Fabric network configuration v2.0 as it is, takes Caliper's Fabric
//! requests as they are, and speaks the Gateway protocol with its own message definitions
//! ([`proto`]) on tonic, TLS on rustls with ring.
//!
//! | item | what it is |
//! |---|---|
//! | [`FabricFactory`] | the [`ConnectorFactory`](caliper_core::connector::ConnectorFactory) registered as `fabric` |
//! | [`FabricConfig`] | the network configuration, validated |
//! | [`FabricConnector`] | one worker's (or the manager's) connector |
//! | [`Identity`] | a signing identity: its creator bytes and its P-256 key |
//! | [`transaction`] | the bytes of a transaction, built and signed as the official clients do |
//!
//! The path of one submit: resolve the contract and the invoker, build the proposal (a fresh
//! 24-byte nonce; tx id = hex(SHA-256(nonce ‖ creator))), sign it, `Endorse` on one of the
//! organisation's gateway peers, sign the prepared transaction, `Submit`, sign the
//! commit-status request, `CommitStatus` (which blocks until the commit), each call with its
//! own deadline. A read-only request is one signed `Evaluate`.
//!
//! The user documentation is `docs/connectors/fabric.md`.

mod client;
mod config;
mod connector;
mod error;
mod factory;
mod identity;
pub mod proto;
mod request;
mod settings;
pub mod transaction;

pub use config::FabricConfig;
pub use connector::FabricConnector;
pub use factory::{FABRIC, FabricFactory};
pub use identity::{Identity, IdentityError};
