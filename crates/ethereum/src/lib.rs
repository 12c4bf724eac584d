//! caliper-ethereum: the Ethereum connector of caliper-rs, on alloy.
//!
//! It reads Caliper 0.6's `ethereum` network configuration as it is (JSON or YAML), and adds
//! several nodes and named identities. It signs locally, manages nonces itself, and confirms
//! transactions with one block watcher per connector rather than a receipt poll each. It talks
//! to nodes over http:// or ws://; TLS is not built in.
//!
//! | item | what it is |
//! |---|---|
//! | [`EthereumFactory`] | the [`ConnectorFactory`](caliper_core::connector::ConnectorFactory) registered as `ethereum` |
//! | [`EthereumConfig`] | the network configuration's `ethereum` section, validated |
//! | [`EthereumConnector`] | one worker's (or the manager's) connector |
//!
//! The path of one write request `{"contract": "simple", "verb": "open", "args": ["a", 10]}`:
//! parse, encode the arguments by the contract's ABI, take the sender's next nonce, sign and
//! encode once, register the hash with the block watcher, `eth_sendRawTransaction`, and wait
//! for the watcher to see the receipt in a block and the confirmations (or the deadline).
//! A read-only request is one `eth_call`, its decoded value in the status's `result`.
//!
//! The user documentation is `docs/connectors/ethereum.md`.

mod abi;
mod config;
mod connector;
mod deploy;
mod factory;
mod json;
mod request;
mod rpc;
mod sender;
mod tx;
mod watcher;

pub use config::EthereumConfig;
pub use connector::EthereumConnector;
pub use factory::{ETHEREUM, EthereumFactory};
