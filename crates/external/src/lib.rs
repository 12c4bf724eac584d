//! caliper-external: connectors that live outside the `caliper` binary.
//!
//! A connector program, written in any language, speaks the *caliper-connector protocol*
//! (NDJSON over its stdin and stdout, its stderr is its log; `docs/connectors/external.md`).
//! This crate holds the protocol's messages ([`protocol`]), the host that starts and speaks to
//! one program ([`ExternalProcess`], reusable by other hosts such as the Node.js sidecar, see
//! [`process`]), and [`ExternalConnector`], caliper-core's `Connector` on top of it, which the
//! worker loop cannot tell from a built-in one.
//!
//! The hot path is pipelined and batched: `send_requests` queues the request and returns a
//! future; every request queued in one scheduler turn goes out in one `send` frame, never more
//! outstanding than the program's `maxInFlight`; its `done` frames answer many at once.

mod connector;
mod error;
pub mod process;
pub mod protocol;
mod resolver;
mod stderr;

pub use connector::{ExternalConnector, ExternalFactory, check_executable};
pub use error::HostError;
pub use process::{ChildInfo, ExternalProcess, ProcessSpec};
pub use resolver::{EXEC_PREFIX, PROGRAM_PREFIX, ProgramResolver};
pub use stderr::level_of;
