//! The `docker` monitor's options: `interval`, `containers` and `cpuUsageNormalization`.

use std::time::Duration;

use caliper_core::monitor::MonitorOptionError;
use serde_json::{Map, Value};

use crate::options::OptionCheck;

/// The keys of the options (`charting` is Caliper's HTML chart choice: accepted, not used).
pub(crate) const KEYS: &[&str] = &["interval", "containers", "cpuUsageNormalization", "charting"];

/// Where a container is looked for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Engine {
    /// The local engine (its Unix socket).
    Local,
    /// A remote engine's API over TCP, such as `http://10.0.0.2:2375`.
    Remote(String),
}

/// One item of `containers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContainerSpec {
    /// The engine that runs it.
    pub(crate) engine: Engine,
    /// Its name without the leading `/`, or `None` for `all` (every running container).
    pub(crate) name: Option<String>,
}

/// The checked options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DockerOptions {
    /// `interval`, when given.
    pub(crate) interval: Option<Duration>,
    /// `containers`.
    pub(crate) containers: Vec<ContainerSpec>,
    /// `cpuUsageNormalization`: CPU % divided by the engine host's CPU count.
    pub(crate) normalize_cpu: bool,
}

/// The options, or every mistake in them.
pub(crate) fn parse(options: &Map<String, Value>) -> Result<DockerOptions, Vec<MonitorOptionError>> {
    let mut check = OptionCheck::default();
    check.known_keys("", options, KEYS);
    let interval = options
        .get("interval")
        .and_then(|v| check.positive(".interval", v))
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok());
    let normalize_cpu = match options.get("cpuUsageNormalization") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            check.error(
                ".cpuUsageNormalization",
                format!("expected true or false, found {}", caliper_core::suggest::json_kind(other)),
            );
            false
        }
    };
    let mut containers = Vec::new();
    let list =
        check.required("", options, "containers", "a list of container names, all, or http://host:port/name");
    if let Some(items) = list.and_then(|v| check.list(".containers", v, "container names")) {
        if items.is_empty() {
            check.error(".containers", "expected at least one container to monitor");
        }
        for (i, item) in items.iter().enumerate() {
            let path = format!(".containers[{i}]");
            if let Some(text) = check.string(&path, item) {
                match container(text) {
                    Ok(spec) => containers.push(spec),
                    Err(message) => check.error(&path, message),
                }
            }
        }
    }
    if check.errors.is_empty() {
        Ok(DockerOptions { interval, containers, normalize_cpu })
    } else {
        Err(check.errors)
    }
}

/// `name`, `/name`, `all`, `http://host:port/name` or `http://host:port/all`.
fn container(text: &str) -> Result<ContainerSpec, String> {
    let text = text.trim();
    let (engine, name) = match text.strip_prefix("http://") {
        Some(rest) => {
            let (host, name) = rest
                .split_once('/')
                .filter(|(host, name)| !host.is_empty() && !name.is_empty())
                .ok_or_else(|| format!("expected http://host:port/name, found {text}"))?;
            (Engine::Remote(format!("http://{host}")), name)
        }
        None if text.contains("://") => {
            return Err(format!("expected a container name or http://host:port/name, found {text}"));
        }
        None => (Engine::Local, text),
    };
    let name = name.trim_start_matches('/');
    if name.is_empty() {
        return Err("expected a container name".into());
    }
    Ok(ContainerSpec { engine, name: (name != "all").then(|| name.to_owned()) })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{ContainerSpec, Engine, parse};

    fn errors(options: serde_json::Value) -> Vec<String> {
        crate::options::texts(parse(options.as_object().expect("object")))
    }

    #[test]
    fn reads_names_all_and_remote_engines() {
        let options = json!({"interval": 2, "cpuUsageNormalization": true,
            "containers": ["peer0.org1.example.com", "/orderer", "all", "http://10.0.0.2:2375/node1", "http://h:1/all"]});
        let parsed = parse(options.as_object().expect("object")).expect("valid");
        let local = |n: Option<&str>| ContainerSpec { engine: Engine::Local, name: n.map(Into::into) };
        assert_eq!(parsed.containers[0], local(Some("peer0.org1.example.com")));
        assert_eq!(parsed.containers[1], local(Some("orderer")), "a leading slash is accepted");
        assert_eq!(parsed.containers[2], local(None));
        assert_eq!(
            parsed.containers[3],
            ContainerSpec {
                engine: Engine::Remote("http://10.0.0.2:2375".into()),
                name: Some("node1".into())
            }
        );
        assert_eq!(parsed.containers[4].name, None);
        assert!(parsed.normalize_cpu);
    }

    #[test]
    fn reports_every_mistake_with_its_key() {
        assert_eq!(
            errors(
                json!({"containers": ["http://h:1", "https://h/x", 3, ""], "cpuUsageNormalisation": true, "cpuUsageNormalization": "yes"})
            ),
            [
                "options.cpuUsageNormalisation: unknown key \"cpuUsageNormalisation\" (did you mean \"cpuUsageNormalization\"?); expected one of: interval, containers, cpuUsageNormalization, charting",
                "options.cpuUsageNormalization: expected true or false, found a string",
                "options.containers[0]: expected http://host:port/name, found http://h:1",
                "options.containers[1]: expected a container name or http://host:port/name, found https://h/x",
                "options.containers[2]: expected a string, found a number",
                "options.containers[3]: expected a non-empty string",
            ]
        );
        assert_eq!(
            errors(json!({})),
            ["options.containers: missing: a list of container names, all, or http://host:port/name"]
        );
    }
}
