//! The two calls of Docker's Engine API the monitor needs: the running containers, and one
//! container's statistics, over the local Unix socket or a remote engine's TCP port.

use std::path::PathBuf;

use serde_json::Value;

use super::options::Engine;
use crate::http;

/// Where the local engine listens when `DOCKER_HOST` does not say.
const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// A client of one engine.
#[derive(Debug, Clone)]
pub(crate) struct EngineClient {
    /// The base of every URL (`http://localhost` through a socket).
    base: String,
    /// The engine, for messages (`unix:///var/run/docker.sock`, `http://10.0.0.2:2375`).
    pub(crate) shown: String,
    client: reqwest::Client,
}

/// One container of the engine's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Container {
    /// Its id.
    pub(crate) id: String,
    /// Its name without the leading `/`.
    pub(crate) name: String,
}

/// What one statistics answer says of a container (cumulative counters as the engine gives them).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stats {
    /// `cpu_stats.cpu_usage.total_usage`, ns.
    pub(crate) cpu_total: Option<f64>,
    /// `cpu_stats.system_cpu_usage`, ns.
    pub(crate) system: Option<f64>,
    /// `cpu_stats.online_cpus` (else the count of `percpu_usage`).
    pub(crate) cpus: Option<f64>,
    /// `memory_stats.usage` minus the inactive page cache, bytes.
    pub(crate) memory: Option<f64>,
    /// Received bytes, all interfaces.
    pub(crate) rx: f64,
    /// Sent bytes, all interfaces.
    pub(crate) tx: f64,
    /// Bytes read from block devices.
    pub(crate) read: f64,
    /// Bytes written to block devices.
    pub(crate) write: f64,
}

/// The local engine's socket: `DOCKER_HOST` when it is a `unix://` path, else the default.
pub(crate) fn local_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET))
}

impl EngineClient {
    /// A client of `engine`; the local engine is reached through `socket`.
    pub(crate) fn new(engine: &Engine, socket: &std::path::Path) -> Result<Self, String> {
        let (base, shown, socket) = match engine {
            Engine::Local => {
                ("http://localhost".to_owned(), format!("unix://{}", socket.display()), Some(socket))
            }
            Engine::Remote(base) => (base.clone(), base.clone(), None),
        };
        let url = reqwest::Url::parse(&base).map_err(|e| format!("{shown}: {e}"))?;
        Ok(EngineClient { base, shown, client: http::client(&url, socket)? })
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        let failed = |e: reqwest::Error| format!("{}: {}", self.shown, http::describe(&e.without_url()));
        let response = self.client.get(format!("{}{path}", self.base)).send().await.map_err(failed)?;
        let status = response.status();
        let body = response.bytes().await.map_err(failed)?;
        let json: Value = serde_json::from_slice(&body)
            .map_err(|_| format!("{} answered {status} with a body that is not JSON", self.shown))?;
        if !status.is_success() {
            let message = json.get("message").and_then(Value::as_str).unwrap_or("no message");
            return Err(format!("{} answered {status}: {message}", self.shown));
        }
        Ok(json)
    }

    /// The running containers.
    pub(crate) async fn containers(&self) -> Result<Vec<Container>, String> {
        let list = self.get("/containers/json").await?;
        let items =
            list.as_array().ok_or_else(|| format!("{}: the container list is not a list", self.shown))?;
        Ok(items
            .iter()
            .filter_map(|c| {
                let id = c.get("Id")?.as_str()?.to_owned();
                let name = c.get("Names")?.get(0)?.as_str()?.trim_start_matches('/').to_owned();
                Some(Container { id, name })
            })
            .collect())
    }

    /// One reading of a container's statistics. `one-shot` makes the engine answer at once
    /// (without it, it waits a second to fill `precpu_stats`): the CPU % is computed from the
    /// monitor's own previous reading instead.
    pub(crate) async fn stats(&self, id: &str) -> Result<Stats, String> {
        let json = self.get(&format!("/containers/{id}/stats?stream=false&one-shot=true")).await?;
        Ok(parse_stats(&json))
    }
}

/// The figures of a statistics answer, cgroup v1 or v2.
pub(crate) fn parse_stats(json: &Value) -> Stats {
    let num = |v: Option<&Value>| v.and_then(Value::as_f64);
    let cpu = json.get("cpu_stats");
    let percpu = cpu
        .and_then(|c| c.pointer("/cpu_usage/percpu_usage"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter(|v| v.as_f64().is_some_and(|n| n > 0.0)).count() as f64)
        .filter(|n| *n > 0.0);
    let memory = json.get("memory_stats").and_then(|m| {
        let usage = num(m.get("usage"))?;
        // The page cache that could be dropped is not the container's memory (the docker CLI's
        // rule): `total_inactive_file` on cgroup v1, `inactive_file` on v2.
        let stats = m.get("stats");
        let cache = num(stats.and_then(|s| s.get("total_inactive_file")))
            .or_else(|| num(stats.and_then(|s| s.get("inactive_file"))))
            .unwrap_or(0.0);
        Some(if cache < usage { usage - cache } else { usage })
    });
    let networks: Vec<&Value> =
        json.get("networks").and_then(Value::as_object).map(|n| n.values().collect()).unwrap_or_default();
    let net = |key: &str| networks.iter().filter_map(|n| num(n.get(key))).sum::<f64>();
    let blkio: Vec<&Value> = json
        .pointer("/blkio_stats/io_service_bytes_recursive")
        .and_then(Value::as_array)
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    let io = |op: &str| {
        blkio
            .iter()
            .filter(|e| e.get("op").and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case(op)))
            .filter_map(|e| num(e.get("value")))
            .sum::<f64>()
    };
    Stats {
        cpu_total: num(cpu.and_then(|c| c.pointer("/cpu_usage/total_usage"))),
        system: num(cpu.and_then(|c| c.get("system_cpu_usage"))),
        cpus: num(cpu.and_then(|c| c.get("online_cpus"))).filter(|n| *n > 0.0).or(percpu),
        memory,
        rx: net("rx_bytes"),
        tx: net("tx_bytes"),
        read: io("read"),
        write: io("write"),
    }
}

/// CPU % between two readings, 100 = one core (the docker CLI's formula): the container's CPU
/// time over the host's, times the host's CPUs.
pub(crate) fn cpu_percent(before: &Stats, after: &Stats) -> Option<f64> {
    let used = after.cpu_total? - before.cpu_total?;
    let elapsed = after.system? - before.system?;
    (elapsed > 0.0 && used >= 0.0).then(|| used / elapsed * after.cpus.unwrap_or(1.0) * 100.0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Stats, cpu_percent, parse_stats};

    #[test]
    fn reads_cgroup_v1_and_v2_answers() {
        let v1 = json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000u64, "percpu_usage": [1, 1, 0, 0]},
                          "system_cpu_usage": 40_000_000_000u64, "online_cpus": 2},
            "memory_stats": {"usage": 10_000_000, "stats": {"total_inactive_file": 4_000_000, "inactive_file": 3_000_000}},
            "networks": {"eth0": {"rx_bytes": 100, "tx_bytes": 50}, "eth1": {"rx_bytes": 1, "tx_bytes": 2}},
            "blkio_stats": {"io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "Read", "value": 4096},
                {"major": 8, "minor": 0, "op": "Write", "value": 8192},
                {"major": 8, "minor": 0, "op": "Total", "value": 12288}]}});
        let s = parse_stats(&v1);
        assert_eq!(
            (s.cpus, s.memory, s.rx, s.tx, s.read, s.write),
            (Some(2.0), Some(6e6), 101.0, 52.0, 4096.0, 8192.0)
        );
        // cgroup v2: no percpu_usage, inactive_file, lowercase ops, no network (--network none).
        let v2 = json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 5}, "system_cpu_usage": 9, "online_cpus": 4},
            "memory_stats": {"usage": 1000, "stats": {"inactive_file": 200}},
            "blkio_stats": {"io_service_bytes_recursive": [{"op": "read", "value": 7}, {"op": "write", "value": 9}]}});
        let s = parse_stats(&v2);
        assert_eq!((s.cpus, s.memory, s.rx, s.read, s.write), (Some(4.0), Some(800.0), 0.0, 7.0, 9.0));
        // A stopped container's answer is mostly empty.
        assert_eq!(parse_stats(&json!({"read": "0001-01-01T00:00:00Z"})), Stats::default());
    }

    #[test]
    fn cpu_percent_is_of_one_core() {
        let at = |cpu: f64, system: f64| Stats {
            cpu_total: Some(cpu),
            system: Some(system),
            cpus: Some(2.0),
            ..Stats::default()
        };
        // 1 s of CPU over 1 s of a 2-CPU host (2 s of host CPU time): one core busy.
        assert_eq!(cpu_percent(&at(0.0, 0.0), &at(1e9, 2e9)), Some(100.0));
        assert_eq!(cpu_percent(&at(0.0, 5.0), &at(1.0, 5.0)), None, "no host time passed");
        assert_eq!(cpu_percent(&Stats::default(), &at(1.0, 2.0)), None);
    }
}
