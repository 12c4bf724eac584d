//! The Fabric protocol messages the connector sends and reads, written here as prost structs
//! with Fabric's field numbers (no generated or copied code; no protoc, no build script).
//!
//! The modules follow the proto packages, so a reader can match each struct with Fabric's
//! message of the same name: [`common`] (`common`), [`msp`] (`msp`), [`peer`] (`protos`),
//! [`gateway`] (`gateway`) and [`google`] (`google.protobuf`, `google.rpc`). Only the fields
//! a client uses are declared: prost skips unknown fields when it decodes, and the peer treats
//! absent fields as their defaults, as protobuf does.
//!
//! A test decodes what the connector builds with the official descriptors of PyPI
//! `hyperledger-fabric-protos` (crates/fabric/tests/protos.rs), so a wrong number shows.

pub mod common;
pub mod gateway;
pub mod google;
pub mod msp;
pub mod peer;
