//! Hyperledger Caliper's JavaScript connectors, unchanged, in Node.js.
//!
//! A `caliper.blockchain` that names a JavaScript connector by Caliper's rules (a path, a
//! package installed in the workspace, or anything after `node:`, such as `node:fabric` for
//! Caliper's own Fabric connector) runs in a Node.js *sidecar*: a small program shipped
//! inside this crate ([`sidecar::SIDECAR_JS`]) that loads the real `@hyperledger/caliper-core`
//! beside the connector and speaks the caliper-connector protocol (version 1, through the
//! host of `caliper-external`) to the worker. When the connector runs in the sidecar, the
//! round's `.js` workload modules run there too ([`NodeWorkload`]), so live `sutContext`
//! objects never cross the boundary; rate control, deadlines and statistics stay in Rust.
//!
//! See docs/connectors/node.md.

mod check;
mod connector;
mod resolver;
pub mod sidecar;
mod target;
mod workload;

pub use check::NodeWorkloadCheck;
pub use connector::{NodeConnector, NodeFactory};
pub use resolver::NodeResolver;
pub use target::{CALIPER_BUILTINS, FORCE_PREFIX, JsTarget};
pub use workload::NodeWorkload;
