//! A mosquitto broker for the tests of the mqtt messenger: started on a free loopback port with
//! its own configuration file, waited for until it answers, restartable on the same port, and
//! stopped when dropped (also when a test fails). Also a minimal raw MQTT publisher, so tests
//! can put malformed or foreign messages on a run's topics without a client library.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::net::free_port;

/// A running mosquitto.
pub struct Broker {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    conf: PathBuf,
    /// Its folder (configuration, password file, certificates).
    pub dir: tempfile::TempDir,
}

fn mosquitto() -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain(["/usr/sbin", "/usr/local/sbin"]) {
        let p = Path::new(dir).join("mosquitto");
        if p.is_file() {
            return p;
        }
    }
    panic!("mosquitto is not installed (apt-get install mosquitto)");
}

impl Broker {
    /// An anonymous broker.
    pub fn anonymous() -> Broker {
        Broker::start(|_| "allow_anonymous true\n".to_string())
    }

    /// A broker whose configuration is `listener <port> 127.0.0.1` plus what `extra` writes
    /// (given the broker's folder, to put files in).
    pub fn start(extra: impl FnOnce(&Path) -> String) -> Broker {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        // Run as root (as CI does), mosquitto would switch to its own user, which cannot read
        // the files in this folder.
        let conf_text = format!("listener {port} 127.0.0.1\nuser root\n{}", extra(dir.path()));
        let conf = dir.path().join("mosquitto.conf");
        std::fs::write(&conf, conf_text).unwrap();
        let mut broker = Broker { child: None, port, conf, dir };
        broker.spawn();
        broker
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("mosquitto.log"))
            .unwrap();
        let child = Command::new(mosquitto())
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("mosquitto starts");
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "mosquitto did not listen: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// mqtt://127.0.0.1:<port>.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Stops the broker (as an operator would, SIGTERM) and starts it again after `down`.
    pub fn restart(&mut self, down: Duration) {
        self.stop();
        std::thread::sleep(down);
        self.spawn();
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let start = Instant::now();
            while child.try_wait().ok().flatten().is_none() {
                if start.elapsed() > Duration::from_secs(5) {
                    let _ = child.kill();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// The broker's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn remaining_length(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let mut byte = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if n == 0 {
            break;
        }
    }
}

fn string(s: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

fn packet(kind: u8, body: Vec<u8>) -> Vec<u8> {
    let mut p = vec![kind];
    remaining_length(body.len(), &mut p);
    p.extend(body);
    p
}

/// Publishes each `(topic, payload)` with QoS 0 as an anonymous MQTT 3.1.1 client, then
/// disconnects.
pub fn raw_publish(port: u16, messages: &[(String, Vec<u8>)]) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut body = Vec::new();
    string(b"MQTT", &mut body);
    body.extend_from_slice(&[4, 0x02, 0, 30]);
    string(b"intruder", &mut body);
    s.write_all(&packet(0x10, body)).unwrap();
    let mut connack = [0u8; 4];
    s.read_exact(&mut connack).unwrap();
    assert_eq!(connack[3], 0, "the broker accepted the raw client");
    for (topic, payload) in messages {
        let mut body = Vec::new();
        string(topic.as_bytes(), &mut body);
        body.extend_from_slice(payload);
        s.write_all(&packet(0x30, body)).unwrap();
    }
    s.write_all(&[0xe0, 0]).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
}
