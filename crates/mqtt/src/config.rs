//! The MQTT messenger's configuration: the broker's address, credentials, TLS, the run
//! identifier that scopes the topics, and the liveness timings. It is read from the
//! `caliper-worker-communication-*` settings and checked completely (TLS files included) before
//! anything starts, so a bad value is a configuration error, not a failure in the middle of a
//! run. The password never appears in `Debug` output or in an error.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use caliper_core::settings::{Settings, keys};

/// The largest message the messenger sends or accepts, in bytes. A round's final statistics
/// are histograms and a per-second series, not one entry per transaction, so they stay far
/// below it even for long rounds.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// What is wrong with the MQTT configuration.
#[derive(Debug, thiserror::Error)]
pub enum MqttConfigError {
    /// A setting has a value that cannot be used.
    #[error("{key}: {problem}")]
    Invalid {
        /// The setting.
        key: &'static str,
        /// What is wrong (never the password itself).
        problem: String,
    },
    /// A TLS file cannot be read or holds nothing usable.
    #[error("{key}: {path}: {problem}")]
    TlsFile {
        /// The setting naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// Everything the MQTT messenger needs to connect and to judge liveness.
#[derive(Clone)]
pub struct MqttConfig {
    /// The broker's host name or IP address.
    pub host: String,
    /// The broker's port.
    pub port: u16,
    /// TLS settings for `mqtts://`; `None` for plain `mqtt://`.
    pub tls: Option<Arc<ClientConfig>>,
    /// The user name, from the address or `caliper-worker-communication-mqtt-username`.
    pub username: Option<String>,
    password: Option<String>,
    /// The run identifier: every topic is under `caliper/<run>/`.
    pub run: String,
    /// Whether the run identifier was given (rather than generated for local workers).
    pub run_given: bool,
    /// How often each side says it is alive.
    pub heartbeat: Duration,
    /// A peer not heard from for this long (while this side is connected) is gone.
    pub liveness: Duration,
    /// The deadline of the first connection.
    pub connect_timeout: Duration,
    /// How long a lost broker connection may take to come back before the run gives up.
    pub reconnect_timeout: Duration,
    /// The largest message sent or accepted, in bytes.
    pub max_message: usize,
}

impl fmt::Debug for MqttConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqttConfig")
            .field("address", &self.address())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("run", &self.run)
            .field("heartbeat", &self.heartbeat)
            .field("liveness", &self.liveness)
            .finish_non_exhaustive()
    }
}

impl MqttConfig {
    /// Reads and checks the settings. With no run identifier set, local workers share a
    /// generated one (`run_given` is false and the manager passes it to the workers it
    /// starts); remote workers and their manager must set the same one, or share `default`.
    pub fn from_settings(settings: &Settings) -> Result<MqttConfig, MqttConfigError> {
        let text = |key: &'static str| -> Result<Option<String>, MqttConfigError> {
            if !settings.is_set(key) {
                return Ok(None);
            }
            settings
                .get_str(key)
                .map(|s| Some(s.to_string()))
                .map_err(|e| MqttConfigError::Invalid { key, problem: e.to_string() })
        };
        let duration = |key: &'static str| -> Result<Duration, MqttConfigError> {
            settings
                .get_duration_ms(key)
                .map_err(|e| MqttConfigError::Invalid { key, problem: e.to_string() })
        };
        let address = text(keys::WORKER_COMMUNICATION_ADDRESS)?.unwrap_or_default();
        let parsed = parse_address(&address).map_err(|problem| MqttConfigError::Invalid {
            key: keys::WORKER_COMMUNICATION_ADDRESS,
            problem,
        })?;
        let username = text(keys::WORKER_MQTT_USERNAME)?.or(parsed.username);
        let password = text(keys::WORKER_MQTT_PASSWORD)?.or(parsed.password);
        if password.is_some() && username.is_none() {
            return Err(MqttConfigError::Invalid {
                key: keys::WORKER_MQTT_PASSWORD,
                problem: "a password needs a user name (caliper-worker-communication-mqtt-username or user@ in the address)"
                    .into(),
            });
        }
        let (run, run_given) = match text(keys::WORKER_MQTT_RUN)? {
            Some(run) => {
                check_run(&run)
                    .map_err(|problem| MqttConfigError::Invalid { key: keys::WORKER_MQTT_RUN, problem })?;
                (run, true)
            }
            None => (generated_run(), false),
        };
        let verify = settings.get_bool(keys::WORKER_MQTT_TLS_VERIFY).map_err(|e| {
            MqttConfigError::Invalid { key: keys::WORKER_MQTT_TLS_VERIFY, problem: e.to_string() }
        })?;
        let ca = settings
            .is_set(keys::WORKER_MQTT_TLS_CA)
            .then(|| settings.path(keys::WORKER_MQTT_TLS_CA))
            .flatten();
        let cert = settings
            .is_set(keys::WORKER_MQTT_TLS_CERT)
            .then(|| settings.path(keys::WORKER_MQTT_TLS_CERT))
            .flatten();
        let key = settings
            .is_set(keys::WORKER_MQTT_TLS_KEY)
            .then(|| settings.path(keys::WORKER_MQTT_TLS_KEY))
            .flatten();
        let tls = if parsed.tls {
            Some(Arc::new(crate::tls::client_config(ca.as_deref(), cert.as_deref(), key.as_deref(), verify)?))
        } else {
            if let Some(key) = [
                (keys::WORKER_MQTT_TLS_CA, &ca),
                (keys::WORKER_MQTT_TLS_CERT, &cert),
                (keys::WORKER_MQTT_TLS_KEY, &key),
            ]
            .iter()
            .find_map(|(k, v)| v.is_some().then_some(*k))
            {
                return Err(MqttConfigError::Invalid {
                    key,
                    problem: "TLS files need an mqtts:// address in caliper-worker-communication-address"
                        .into(),
                });
            }
            None
        };
        let heartbeat = duration(keys::WORKER_MQTT_HEARTBEAT)?;
        let liveness = duration(keys::WORKER_MQTT_LIVENESS)?;
        if heartbeat < Duration::from_millis(100) {
            return Err(MqttConfigError::Invalid {
                key: keys::WORKER_MQTT_HEARTBEAT,
                problem: "must be at least 100 ms".into(),
            });
        }
        if liveness < heartbeat * 2 {
            return Err(MqttConfigError::Invalid {
                key: keys::WORKER_MQTT_LIVENESS,
                problem: format!(
                    "must be at least twice caliper-worker-communication-mqtt-heartbeat ({heartbeat:?}), or every late heartbeat would lose a peer"
                ),
            });
        }
        Ok(MqttConfig {
            host: parsed.host,
            port: parsed.port,
            tls,
            username,
            password,
            run,
            run_given,
            heartbeat,
            liveness,
            connect_timeout: duration(keys::WORKER_MQTT_TIMEOUT_CONNECT)?,
            reconnect_timeout: duration(keys::WORKER_MQTT_TIMEOUT_RECONNECT)?,
            max_message: MAX_MESSAGE,
        })
    }

    /// The broker's address as it may be shown: scheme, host and port, never the password.
    pub fn address(&self) -> String {
        let scheme = if self.tls.is_some() { "mqtts" } else { "mqtt" };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match &self.username {
            Some(user) => format!("{scheme}://{user}@{host}:{}", self.port),
            None => format!("{scheme}://{host}:{}", self.port),
        }
    }

    /// The password, for the connection only.
    pub(crate) fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The run identifier `default` when none was set: remote workers and their manager
    /// cannot share a generated one.
    pub fn shared_default(self) -> Self {
        if self.run_given { self } else { self.with_run("default".into(), false) }
    }

    /// Sets the run identifier (the manager's generated one, for instance).
    pub fn with_run(mut self, run: String, given: bool) -> Self {
        self.run = run;
        self.run_given = given;
        self
    }
}

/// A broker address taken apart.
#[derive(Debug, PartialEq)]
struct Address {
    tls: bool,
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
}

/// Parses `mqtt://[user[:password]@]host[:port]` (also `mqtts://`, `tcp://`, `ssl://`).
/// Errors never repeat the address, which may hold a password.
fn parse_address(address: &str) -> Result<Address, String> {
    let (scheme, rest) = address.split_once("://").ok_or("expected mqtt://host:port or mqtts://host:port")?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "mqtt" | "tcp" => false,
        "mqtts" | "ssl" | "tls" => true,
        other => return Err(format!("unknown scheme \"{other}\"; expected mqtt:// or mqtts://")),
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains('/') || rest.contains('?') {
        return Err("a path or query after the port is not supported".into());
    }
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (username, password) = match userinfo {
        None => (None, None),
        Some(u) => {
            let (user, pass) = match u.split_once(':') {
                Some((user, pass)) => (user, Some(pass)),
                None => (u, None),
            };
            if user.is_empty() {
                return Err("the user name before @ is empty".into());
            }
            (Some(percent_decode(user)?), pass.map(percent_decode).transpose()?)
        }
    };
    let default_port = if tls { 8883 } else { 1883 };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("an IPv6 address needs its closing ]")?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => default_port,
            None => return Err("unexpected text after the IPv6 address".into()),
        };
        (host.to_string(), port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), parse_port(p)?),
            None => (hostport.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return Err("the host is empty".into());
    }
    Ok(Address { tls, host, port, username, password })
}

fn parse_port(p: &str) -> Result<u16, String> {
    p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("\"{p}\" is not a port"))
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a % in the user or password must start a %XX escape")?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the user or password is not UTF-8 once unescaped".to_string())
}

/// A run identifier is one MQTT topic level: no wildcards or separators.
fn check_run(run: &str) -> Result<(), String> {
    let ok = !run.is_empty()
        && run.len() <= 64
        && run.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { Ok(()) } else { Err(format!("\"{run}\" must be 1 to 64 of A-Z a-z 0-9 - _ .")) }
}

/// A fresh run identifier for a manager and the local workers it starts.
fn generated_run() -> String {
    format!("run-{:012x}", crate::random_u64() & 0xffff_ffff_ffff)
}

pub(super) fn read_file(key: &'static str, path: &Path) -> Result<Vec<u8>, MqttConfigError> {
    std::fs::read(path).map_err(|e| MqttConfigError::TlsFile {
        key,
        path: path.to_path_buf(),
        problem: e.to_string(),
    })
}

pub(super) fn certificates(
    key: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, MqttConfigError> {
    let pem = read_file(key, path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| MqttConfigError::TlsFile { key, path: path.to_path_buf(), problem: e.to_string() })?;
    if certs.is_empty() {
        return Err(MqttConfigError::TlsFile {
            key,
            path: path.to_path_buf(),
            problem: "no PEM certificate in it".into(),
        });
    }
    Ok(certs)
}

pub(super) fn private_key(key: &'static str, path: &Path) -> Result<PrivateKeyDer<'static>, MqttConfigError> {
    let pem = read_file(key, path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| MqttConfigError::TlsFile {
        key,
        path: path.to_path_buf(),
        problem: format!("no usable PEM private key in it ({e})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use caliper_core::settings::SettingsInput;

    fn config(
        dir: &Path,
        yaml: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Result<MqttConfig, MqttConfigError> {
        std::fs::write(dir.join("caliper.yaml"), yaml).unwrap();
        let input = SettingsInput {
            cwd: dir.to_path_buf(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        MqttConfig::from_settings(&Settings::load(&input).unwrap())
    }

    #[test]
    fn settings_come_from_files_environment_and_flags_and_the_password_stays_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = "caliper:\n  worker:\n    communication:\n      address: mqtt://u1:p1@broker:1999\n      mqtt:\n        run: nightly-1\n        heartbeat: 500\n";
        let c = config(dir.path(), yaml, &[("CALIPER_WORKER_COMMUNICATION_MQTT_PASSWORD", "hunter2")], &[])
            .unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.run.as_str(), c.run_given),
            ("broker", 1999, "nightly-1", true)
        );
        assert_eq!(c.username.as_deref(), Some("u1"));
        assert_eq!(c.password(), Some("hunter2"), "the setting wins over the address");
        assert_eq!(c.heartbeat, Duration::from_millis(500));
        assert!(c.tls.is_none());
        let shown = format!("{c:?} {}", c.address());
        assert!(!shown.contains("hunter2") && !shown.contains("p1"), "{shown}");
        let c = config(dir.path(), "", &[], &[]).unwrap();
        assert!(!c.run_given && c.run.starts_with("run-"));
        assert_eq!(c.clone().shared_default().run, "default");
        assert_eq!((c.host.as_str(), c.port), ("localhost", 1883));
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let err = |args: &[&str]| config(dir.path(), "", &[], args).unwrap_err().to_string();
        assert!(
            err(&["--caliper-worker-communication-address", "ftp://x"])
                .starts_with("caliper-worker-communication-address")
        );
        assert!(
            err(&["--caliper-worker-communication-mqtt-run", "a/b"])
                .starts_with("caliper-worker-communication-mqtt-run")
        );
        assert!(err(&["--caliper-worker-communication-mqtt-password", "x"]).contains("user name"));
        assert!(err(&["--caliper-worker-communication-mqtt-tls-ca", "ca.pem"]).contains("mqtts://"));
        assert!(err(&["--caliper-worker-communication-mqtt-liveness", "1500"]).contains("twice"));
        let missing = err(&[
            "--caliper-worker-communication-address",
            "mqtts://h",
            "--caliper-worker-communication-mqtt-tls-ca",
            "nope.pem",
        ]);
        assert!(missing.contains("nope.pem"), "{missing}");
        std::fs::write(dir.path().join("empty.pem"), "not a certificate").unwrap();
        let empty = err(&[
            "--caliper-worker-communication-address",
            "mqtts://h",
            "--caliper-worker-communication-mqtt-tls-ca",
            "empty.pem",
        ]);
        assert!(empty.contains("no PEM certificate"), "{empty}");
        let half = err(&[
            "--caliper-worker-communication-address",
            "mqtts://h",
            "--caliper-worker-communication-mqtt-tls-verify",
            "false",
            "--caliper-worker-communication-mqtt-tls-cert",
            "c.pem",
        ]);
        assert!(half.contains("needs its key"), "{half}");
    }

    #[test]
    fn addresses_parse_with_and_without_credentials() {
        let a = parse_address("mqtt://localhost:1883").unwrap();
        assert_eq!((a.tls, a.host.as_str(), a.port, a.username), (false, "localhost", 1883, None));
        let a = parse_address("mqtts://bob:p%40ss:w@broker.example").unwrap();
        assert_eq!((a.tls, a.port), (true, 8883));
        assert_eq!(a.username.as_deref(), Some("bob"));
        assert_eq!(a.password.as_deref(), Some("p@ss:w"));
        assert_eq!(a.host, "broker.example");
        let a = parse_address("tcp://[::1]:1999/").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("::1", 1999));
        for bad in ["localhost:1883", "http://x", "mqtt://:1883", "mqtt://h:0", "mqtt://h:x", "mqtt://h/t"] {
            assert!(parse_address(bad).is_err(), "{bad}");
        }
        let err = parse_address("mqtt://u:secret@h:notaport").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn run_ids_are_single_topic_levels() {
        assert!(check_run("bench-42_a.b").is_ok());
        for bad in ["", "a/b", "a+b", "#", "a b"] {
            assert!(check_run(bad).is_err(), "{bad}");
        }
        assert!(check_run(&generated_run()).is_ok());
    }
}
