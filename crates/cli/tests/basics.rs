//! The binary's own surface: version, help.

use std::process::Command;

fn caliper(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caliper")).args(args).output().expect("caliper runs")
}

#[test]
fn version_and_help() {
    let out = caliper(&["--version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = caliper(&["--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("launch"));
    let out = caliper(&["launch", "manager", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("--caliper-benchconfig") && text.contains("Exit codes"), "{text}");
    let out = caliper(&["launch", "worker", "--help"]);
    assert!(out.status.success());
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = caliper(&["lunch"]);
    assert_eq!(out.status.code(), Some(2));
}
