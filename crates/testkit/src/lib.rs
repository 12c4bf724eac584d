//! Test helpers shared by the integration tests and benches of several caliper-rs crates; a
//! dev-dependency only, never published.
//!
//! - [`anvil`]: a real anvil node (Foundry's local Ethereum node), found or installed, started
//!   on a free loopback port and killed by its PID when dropped.
//! - [`example`]: the account names of `examples/ethereum-simple`'s workload modules.
//! - [`certs`]: test CAs and the certificates they sign, made with the `openssl` command line.
//! - [`docker`]: a throw-away Docker engine (root only) with a busybox image made on the spot.
//! - [`prometheus`]: a real Prometheus and Pushgateway on free loopback ports.
//! - [`fabric`]: a Hyperledger Fabric network (one orderer, the peers of one or two orgs, the
//!   `simple` chaincode as a service) from the binaries named by `CALIPER_FABRIC_BIN`.
//! - [`mosquitto`]: a real mosquitto broker on a free loopback port (the mqtt messenger's tests).
//! - [`net`]: free loopback ports and plain HTTP GET.
//! - [`tls_proxy`]: a TLS-terminating proxy on a free loopback port in front of a plain TCP
//!   port (https:// and wss:// in front of anvil).

pub mod anvil;
pub mod certs;
pub mod docker;
pub mod example;
pub mod fabric;
pub mod mosquitto;
pub mod net;
pub mod prometheus;
pub mod tls_proxy;
