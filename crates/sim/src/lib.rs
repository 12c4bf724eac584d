//! caliper-sim: the built-in simulated SUT of caliper-rs.
//!
//! A connector whose "blockchain" is an in-memory key-value store with configurable latency,
//! failures and capacity. It is used to measure caliper-rs's own ceiling on a machine (with
//! zero latency, nothing but the generator does any work), in the examples, and in tests. It
//! is built only on caliper-core's public traits, as a third-party connector would be.
//!
//! | item | what it is |
//! |---|---|
//! | [`SimFactory`] | the [`ConnectorFactory`](caliper_core::connector::ConnectorFactory) registered as `sim` |
//! | [`SimConfig`] | the network configuration's `sim` section, validated |
//! | [`SimConnector`] | one worker's simulated SUT |
//! | [`sim_mix_workload`] | the `sim-mix` workload module ([`SIM_MIX`]) |
//!
//! The path of one request: the workload sends `{"op": "write", "key": "k", "value": 1}`
//! (or `"op": "read"`, or Caliper-style `"readOnly": true`) through
//! [`Connector::send_requests`](caliper_core::Connector::send_requests); the connector emits
//! `txs_submitted`, draws the failure and the latency from its seeded random numbers, queues
//! a write behind earlier ones when a `capacity` is set, applies it to the store, waits until
//! the answer is due (not at all when that is now), and emits `txs_finished` with the status.
//! A read's status carries the stored value (or `null`) in `result`. A malformed request fails
//! with class `invalid` and a message that says what is wrong.
//!
//! Each worker's connector simulates its own SUT: its own store, random numbers (`seed +
//! worker index`) and write queue, so `capacity` is per worker process.
//!
//! The user documentation is `docs/connectors/sim.md`.

mod config;
mod connector;
mod decimal;
mod factory;
mod json;
mod latency;
mod request;
mod rng;
mod sut;
mod timer;
mod workload;

pub use config::SimConfig;
pub use connector::SimConnector;
pub use factory::{SIM, SimFactory};
pub use workload::{SIM_MIX, check_sim_mix_arguments, sim_mix_workload};
