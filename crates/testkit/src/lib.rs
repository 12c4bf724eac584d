//! Test helpers shared by the integration tests and benches of several caliper-rs crates; a
//! dev-dependency only, never published.
//!
//! - [`anvil`]: a real anvil node (Foundry's local Ethereum node), found or installed, started
//!   on a free loopback port and killed by its PID when dropped.

pub mod anvil;
