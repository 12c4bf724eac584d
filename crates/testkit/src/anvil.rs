//! A real anvil node for the integration tests: found or installed, started on a free loopback
//! port, and killed by its PID when the handle is dropped.
//!
//! anvil comes from `CALIPER_ANVIL_BIN`, else the PATH, else `scripts/install-anvil.sh` (the
//! pinned npm package in a cache folder). It runs with `--block-time 1` (instant mining loses
//! receipts right after a send) and `--prune-history` (it slows down as the chain grows
//! otherwise), quietly, on 127.0.0.1 only.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::net::free_port;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// anvil's first default account (from its well-known test mnemonic), funded with 10,000 ETH.
pub const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The address of [`KEY_0`].
pub const ADDRESS_0: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// anvil's second default account.
pub const KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// The address of [`KEY_1`].
pub const ADDRESS_1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/// anvil's test mnemonic: index i is anvil's i-th default account.
pub const MNEMONIC: &str = "test test test test test test test test test test test junk";

/// How long anvil may take to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running anvil; dropping it kills the process.
pub struct Anvil {
    child: Option<Child>,
    port: u16,
}

impl Anvil {
    /// Starts anvil with the harness's flags; panics (this is test code) when it cannot.
    pub fn start() -> Anvil {
        Anvil::start_with(&[])
    }

    /// Starts anvil with the harness's flags and `extra` ones (a bench raises `--gas-limit`).
    pub fn start_with(extra: &[&str]) -> Anvil {
        let bin = binary();
        // The port is free when asked; another process could take it before anvil binds, so
        // a start that does not answer is retried on a new port, a bounded number of times.
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(&bin)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--block-time", "1", "--prune-history", "-q"])
                .args(extra)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let mut anvil = Anvil { child: Some(child), port };
            if anvil.wait_ready() {
                return anvil;
            }
            anvil.kill();
        }
        panic!("anvil did not answer JSON-RPC within {START_TIMEOUT:?} (three tries)");
    }

    /// Its port on 127.0.0.1 (http and ws both).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `ws://127.0.0.1:<port>` (anvil serves both on one port).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Kills anvil now (by its PID) and reaps it; a second call does nothing.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// One JSON-RPC call over plain HTTP/1.0 (no client library: the harness must not depend
    /// on the code under test); the `result` member, or None on any failure.
    pub fn rpc(&self, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = format!(
            "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let json = &response[response.find("\r\n\r\n")? + 4..];
        serde_json::from_str::<serde_json::Value>(json).ok()?.get("result").cloned()
    }

    /// The current block number.
    pub fn block_number(&self) -> Option<u64> {
        let hex = self.rpc("eth_blockNumber", serde_json::json!([]))?;
        u64::from_str_radix(hex.as_str()?.trim_start_matches("0x"), 16).ok()
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && !matches!(child.try_wait(), Ok(None))
            {
                return false;
            }
            if self.rpc("eth_chainId", serde_json::json!([])).is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The anvil binary: `CALIPER_ANVIL_BIN`, the PATH, or the install script's answer.
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("CALIPER_ANVIL_BIN").filter(|b| !b.is_empty()) {
        return PathBuf::from(bin);
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/install-anvil.sh");
    let output = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(output.status.success(), "{} failed", script.display());
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}
