//! Every setting caliper-rs reads: one table of key, default and meaning.
//!
//! This table is the single source of truth: the built-in defaults layer is built from it,
//! [`super::Settings::unknown_keys`] checks against it, and a test checks that
//! `docs/configuration.md` lists every key with its default. Each key also has a constant
//! (such as [`BENCH_CONFIG`]) so code does not spell keys by hand.

use serde_json::Value;

/// A built-in default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// No default: the setting is unset unless given.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number (milliseconds for intervals and timeouts).
    Int(u64),
    /// A string.
    Str(&'static str),
}

impl DefaultValue {
    /// As a JSON value.
    pub fn to_value(self) -> Value {
        match self {
            DefaultValue::Null => Value::Null,
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Int(n) => Value::from(n),
            DefaultValue::Str(s) => Value::from(s),
        }
    }

    /// As written in the documentation (`null`, `true`, `5000`, `report.html`).
    pub fn to_doc(self) -> String {
        match self {
            DefaultValue::Null => "null".to_string(),
            DefaultValue::Bool(b) => b.to_string(),
            DefaultValue::Int(n) => n.to_string(),
            DefaultValue::Str(s) => s.to_string(),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyInfo {
    /// The flat key, such as `caliper-report-path`.
    pub key: &'static str,
    /// The built-in default.
    pub default: DefaultValue,
    /// What it means, in one line.
    pub doc: &'static str,
}

macro_rules! keys {
    ($($name:ident = $key:literal, $default:expr, $doc:literal;)*) => {
        $(
            #[doc = concat!("`", $key, "`: ", $doc)]
            pub const $name: &str = $key;
        )*

        /// Every setting, in documentation order.
        pub const KEYS: &[KeyInfo] = &[$(KeyInfo { key: $key, default: $default, doc: $doc },)*];
    };
}

use DefaultValue::{Bool, Int, Null, Str};

keys! {
    WORKSPACE = "caliper-workspace", Str("./"),
        "Root of every relative path; itself relative to the current directory.";
    PROJECT_CONFIG = "caliper-projectconfig", Null,
        "Project settings file (relative to the workspace); when unset, <workspace>/caliper.yaml is read if it exists.";
    USER_CONFIG = "caliper-userconfig", Null,
        "User settings file (relative to the workspace), below the project file.";
    MACHINE_CONFIG = "caliper-machineconfig", Null,
        "Machine settings file (relative to the workspace), below the user file.";
    BENCH_CONFIG = "caliper-benchconfig", Null,
        "Benchmark configuration file (relative to the workspace). Required to run a benchmark.";
    NETWORK_CONFIG = "caliper-networkconfig", Null,
        "Network configuration file (relative to the workspace). Required to run a benchmark.";
    REPORT_PATH = "caliper-report-path", Str("report.html"),
        "HTML report (relative to the workspace); parent directories are created.";
    REPORT_JSON = "caliper-report-json", Str("results.json"),
        "Machine-readable results (relative to the workspace); parent directories are created.";
    REPORT_PRECISION = "caliper-report-precision", Int(3),
        "Significant digits of the resource monitor values in the reports.";
    PROGRESS_REPORTING_ENABLED = "caliper-progress-reporting-enabled", Bool(true),
        "Whether the manager shows the progress of a round.";
    PROGRESS_REPORTING_INTERVAL = "caliper-progress-reporting-interval", Int(5000),
        "Milliseconds between two progress updates.";
    MONITOR_INTERVAL = "caliper-monitor-interval", Int(10000),
        "Default sampling period of the resource monitors, in milliseconds (a monitor's options.interval is in seconds).";
    OBSERVER_INTERNAL_INTERVAL = "caliper-observer-internal-interval", Int(1000),
        "Milliseconds between two txUpdate messages from a worker to the manager.";
    OBSERVER_PROMETHEUSPUSH_INTERVAL = "caliper-observer-prometheuspush-interval", Int(10000),
        "Default push period of the prometheus-push transaction monitor, in milliseconds.";
    OBSERVER_PROMETHEUS_SCRAPEPORT = "caliper-observer-prometheus-scrapeport", Int(3000),
        "Default port of the prometheus transaction monitor (plus the worker index for local workers).";
    LOGGING_LEVEL = "caliper-logging-level", Str("info"),
        "Log level: error, warn, info, debug or trace, or a filter such as info,caliper_core=debug. Logs go to stderr.";
    WORKER_REMOTE = "caliper-worker-remote", Bool(false),
        "When true, the manager starts no workers: they are started elsewhere with caliper launch worker.";
    WORKER_COMMUNICATION_METHOD = "caliper-worker-communication-method", Str("process"),
        "How the manager and the workers talk: process (child processes) or mqtt.";
    WORKER_COMMUNICATION_ADDRESS = "caliper-worker-communication-address", Str("mqtt://localhost:1883"),
        "The MQTT broker, for the mqtt method: mqtt://[user[:password]@]host[:port] or mqtts://... for TLS (ports 1883 and 8883 by default).";
    WORKER_MQTT_RUN = "caliper-worker-communication-mqtt-run", Null,
        "Run identifier scoping the MQTT topics (caliper/<run>/...): the manager and its workers must share it. Unset: a fresh one per run for local workers, default for remote ones.";
    WORKER_MQTT_USERNAME = "caliper-worker-communication-mqtt-username", Null,
        "MQTT user name (overrides one in the address).";
    WORKER_MQTT_PASSWORD = "caliper-worker-communication-mqtt-password", Null,
        "MQTT password (overrides one in the address; never logged).";
    WORKER_MQTT_TLS_CA = "caliper-worker-communication-mqtt-tls-ca", Null,
        "PEM file of the CA that signed the broker's certificate (mqtts://); unset: the system's root certificates.";
    WORKER_MQTT_TLS_CERT = "caliper-worker-communication-mqtt-tls-cert", Null,
        "PEM client certificate (chain) for mutual TLS; needs the key.";
    WORKER_MQTT_TLS_KEY = "caliper-worker-communication-mqtt-tls-key", Null,
        "PEM private key of the client certificate.";
    WORKER_MQTT_TLS_VERIFY = "caliper-worker-communication-mqtt-tls-verify", Bool(true),
        "Whether the broker's certificate is verified; false only for test brokers.";
    WORKER_MQTT_HEARTBEAT = "caliper-worker-communication-mqtt-heartbeat", Int(1000),
        "Milliseconds between two heartbeats of the manager and of each worker.";
    WORKER_MQTT_LIVENESS = "caliper-worker-communication-mqtt-liveness", Int(5000),
        "Milliseconds without a heartbeat after which a worker is lost (its round fails) or a manager gone (its workers exit); at least twice the heartbeat.";
    WORKER_MQTT_TIMEOUT_CONNECT = "caliper-worker-communication-mqtt-timeout-connect", Int(10000),
        "Milliseconds to reach the broker at start; then an unreachable broker or refused credentials is an error.";
    WORKER_MQTT_TIMEOUT_RECONNECT = "caliper-worker-communication-mqtt-timeout-reconnect", Int(30000),
        "Milliseconds a lost broker connection may take to come back before the manager's workers are lost and a worker exits.";
    WORKER_TIMEOUT_JOIN = "caliper-worker-timeout-join", Int(60000),
        "Milliseconds for all workers to connect and become ready.";
    WORKER_TIMEOUT_PREPARE = "caliper-worker-timeout-prepare", Int(120000),
        "Milliseconds for the prepare phase of a round (workload initialisation).";
    WORKER_TIMEOUT_DRAIN = "caliper-worker-timeout-drain", Int(30000),
        "Milliseconds a worker waits for outstanding transactions at the end of a round before counting them failed with class timeout.";
    WORKER_MAX_IN_FLIGHT = "caliper-worker-max-in-flight", Int(1000000),
        "The most transactions one worker keeps in flight; a transaction due while it is reached waits (it is counted as held back and its lateness shows). 0: no cap.";
    WORKER_TIMEOUT_SILENCE = "caliper-worker-timeout-silence", Int(10000),
        "Milliseconds after which a worker that sent nothing during a round is considered lost.";
    CONNECTOR_CALL_TIMEOUT = "caliper-connector-call-timeout", Int(120000),
        "Milliseconds an external connector program has to answer a control call (init, installSmartContract, getContext, ...); then the call fails and the program is replaced by a new one at the next call.";
    ROUND_PAUSE = "caliper-round-pause", Int(0),
        "Milliseconds of pause between two rounds (Caliper always sleeps 5000).";
    FLOW_SKIP_START = "caliper-flow-skip-start", Bool(false),
        "Skip the start command.";
    FLOW_SKIP_INIT = "caliper-flow-skip-init", Bool(false),
        "Skip the connector's init.";
    FLOW_SKIP_INSTALL = "caliper-flow-skip-install", Bool(false),
        "Skip the contract installation.";
    FLOW_SKIP_TEST = "caliper-flow-skip-test", Bool(false),
        "Skip the rounds.";
    FLOW_SKIP_END = "caliper-flow-skip-end", Bool(false),
        "Skip the end command.";
    FLOW_ONLY_START = "caliper-flow-only-start", Bool(false),
        "Run only the start command.";
    FLOW_ONLY_INIT = "caliper-flow-only-init", Bool(false),
        "Run only the connector's init.";
    FLOW_ONLY_INSTALL = "caliper-flow-only-install", Bool(false),
        "Run only the contract installation.";
    FLOW_ONLY_TEST = "caliper-flow-only-test", Bool(false),
        "Run only the rounds.";
    FLOW_ONLY_END = "caliper-flow-only-end", Bool(false),
        "Run only the end command.";
    AUTH_PROMETHEUSPUSH_USERNAME = "caliper-auth-prometheuspush-username", Null,
        "Basic-auth user for the prometheus-push transaction monitor's push URL.";
    AUTH_PROMETHEUSPUSH_PASSWORD = "caliper-auth-prometheuspush-password", Null,
        "Basic-auth password for the prometheus-push transaction monitor's push URL (never logged).";
    AUTH_PROMETHEUS_USERNAME = "caliper-auth-prometheus-username", Null,
        "Basic-auth user for the prometheus resource monitor's URL.";
    AUTH_PROMETHEUS_PASSWORD = "caliper-auth-prometheus-password", Null,
        "Basic-auth password for the prometheus resource monitor's URL (never logged).";
    BIND_SUT = "caliper-bind-sut", Null,
        "What caliper bind installs, as sut:sdk (such as fabric:2.5; a missing sdk means latest). Set for launch manager, it binds first.";
    BIND_ARGS = "caliper-bind-args", Null,
        "Extra arguments of the installer (npm, pip or cargo), such as --caliper-bind-args=--offline; the = form is needed for a value that starts with -.";
    BIND_CWD = "caliper-bind-cwd", Null,
        "Where npm installs (relative to the current directory); unset: the workspace.";
    BIND_FILE = "caliper-bind-file", Null,
        "A binding file (relative to the workspace) used instead of the built-in one.";
    BIND_DRYRUN = "caliper-bind-dryrun", Bool(false),
        "Print the installer commands of bind or unbind and where they would run, without running them.";
    FABRIC_TIMEOUT_INVOKEORQUERY = "caliper-fabric-timeout-invokeorquery", Int(60),
        "Fabric: seconds each Gateway call (evaluate, endorse, submit, commit status) may take; a deadline per call, as in Caliper.";
    FABRIC_MAXINFLIGHT = "caliper-fabric-maxinflight", Int(500),
        "Fabric: the most Gateway calls in flight on one gateway peer from all workers together (the peer's gatewayService limit).";
}

/// Prefixes of Caliper settings that caliper-rs does not use; a key under one of them is
/// reported as such rather than as a typo.
pub const CALIPER_ONLY: &[&str] = &[
    "caliper-report-options",
    "caliper-report-charting",
    "caliper-logging-template",
    "caliper-logging-formats",
    "caliper-logging-targets",
    "caliper-observer-prometheusmanager",
    "caliper-worker-pollinterval",
    "caliper-monitorconfig",
    // Caliper's Fabric settings other than the two above: fabric:2.2-only or never read.
    "caliper-fabric-gateway",
    "caliper-fabric-verify",
    "caliper-fabric-latencythreshold",
    "caliper-fabric-loadbalancing",
    "caliper-fabric-overwritegopath",
    "caliper-fabric-countqueryasload",
    "caliper-fabric-sleepafter",
    "caliper-fabric-timeout-chaincodeinstantiate",
    "caliper-fabric-timeout-chaincodeinstantiateevent",
];

/// The row of `key`.
pub fn find(key: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|k| k.key == key)
}

/// Whether the value of `key` is a secret that must not appear in messages or logs.
pub fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "privatekey", "private-key", "token"].iter().any(|s| key.contains(s))
}

/// Whether `key` belongs to a Caliper setting that caliper-rs does not use.
pub fn is_caliper_only(key: &str) -> bool {
    CALIPER_ONLY.iter().any(|p| key == *p || key.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_lowercase_and_documented() {
        for (i, k) in KEYS.iter().enumerate() {
            assert!(k.key.starts_with("caliper-"), "{}", k.key);
            assert_eq!(k.key, k.key.to_lowercase(), "{}", k.key);
            assert!(!k.doc.is_empty(), "{}", k.key);
            assert!(KEYS[..i].iter().all(|o| o.key != k.key), "duplicate {}", k.key);
            assert!(!is_caliper_only(k.key), "{} is also listed as Caliper-only", k.key);
        }
    }

    #[test]
    fn docs_list_every_key_with_its_default() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");
        let docs = std::fs::read_to_string(path).expect("docs/configuration.md is readable");
        for k in KEYS {
            let start = format!("| `{}` |", k.key);
            let row = docs.lines().find(|l| l.starts_with(&start));
            let Some(row) = row else {
                panic!("docs/configuration.md has no table row for {}", k.key);
            };
            let default = format!("`{}`", k.default.to_doc());
            assert!(row.contains(&default), "the row of {} should show its default {default}: {row}", k.key);
        }
    }

    #[test]
    fn secrets_and_caliper_only_keys_are_recognised() {
        assert!(is_secret(AUTH_PROMETHEUS_PASSWORD));
        assert!(!is_secret(AUTH_PROMETHEUS_USERNAME));
        assert!(is_caliper_only("caliper-fabric-gateway-localhost"));
        assert!(is_caliper_only("caliper-report-options"));
        assert!(!is_caliper_only("caliper-report-optionsx"));
    }
}
