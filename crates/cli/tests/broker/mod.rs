//! The mqtt settings and remote workers of the MQTT tests (the broker is caliper-testkit's
//! mosquitto harness).
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};

/// The settings of the mqtt messenger, as flags.
pub fn mqtt(address: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--caliper-worker-communication-method",
        "mqtt",
        "--caliper-worker-communication-address",
        address,
        "--caliper-worker-timeout-join",
        "20000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The arguments as `&str`s.
pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(|s| s.as_str()).collect()
}

/// `caliper launch worker` started by hand in `ws` with `args` (remote mode).
pub fn remote_worker(ws: &crate::common::Workspace, args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_caliper"))
        .args(["launch", "worker", "--caliper-workspace"])
        .arg(ws.path())
        .args(["--caliper-worker-remote", "true"])
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caliper launch worker runs")
}
