//! caliper-core: the engine of caliper-rs.
//!
//! It knows no SUT, no JavaScript and no HTML. Its parts:
//!
//! | module | holds |
//! |---|---|
//! | [`settings`] | Caliper's `caliper-*` settings and their layering |
//! | [`config`] | the benchmark and network configuration files, validated before a run |
//! | [`connector`] | the connector trait, [`TxStatus`], the event sink, the registry |
//! | [`workload`] | the workload module trait and its registry |
//! | [`rate`] | the nine rate controllers, as schedules |
//! | [`stats`] | per-round statistics, exact merging, the reported figures |
//! | [`message`] | Caliper's manager/worker messages |
//! | [`messenger`] | how messages travel: the messenger seam and its registry, the `process` messenger (child pipes); `mqtt` is the `caliper-mqtt` crate |
//! | [`tls`] | TLS client configuration (rustls on ring) for HTTP and WebSocket clients |
//! | [`tx_observer`] | transaction observers (`monitors.transaction`) and their registry |
//! | [`worker`] | the worker: message handling and the round loop |
//! | [`manager`] | the manager: start, init, install, rounds, end |
//! | [`monitor`] | the resource monitor trait, its report and registry |
//!
//! The path of one transaction: the rate controller gives its intended time
//! ([`rate::Pace`]); the worker's round loop calls the workload's `submit_transaction` at that
//! time; the workload calls [`Connector::send_requests`]; the connector reports
//! `txs_submitted` / `txs_finished` to the worker's sink, which records them in the round's
//! [`stats::RoundStats`]; the worker ships the statistics in `txUpdate` / `testResult`
//! messages; the manager merges them and hands each round's outcome to the run observer (the
//! binary prints and writes the reports).

pub mod config;
pub mod connector;
pub mod manager;
pub mod message;
pub mod messenger;
pub mod monitor;
pub mod rate;
pub mod settings;
pub mod state_dir;
pub mod stats;
pub mod suggest;
pub mod time;
pub mod tls;
pub mod tx_observer;
pub mod worker;
pub mod workload;

pub use connector::{Connector, ErrorClass, TxState, TxStatus};
