//! `caliper-connector-null`: a connector program that answers every request at once with a
//! successful status. It measures the host (the engine bench's `external` case) and serves the
//! host's tests, which make it misbehave on purpose:
//!
//! `--fail-after N` exit with status 3 after answering N requests, `--hang-after N` answer
//! nothing more after N (0: nothing at all, not even `create`), `--garbage-after N` write a line that is no protocol message after N,
//! `--protocol NAME` and `--version V` in its hello, `--no-hello` say nothing, `--max-in-flight N`
//! announce that limit (it then checks the host keeps to it), `--kind K` the connector type.
//!
//! It also speaks the `workload` feature: each submit id is one transaction, reported in an
//! `events` frame and settled in a `submitted` frame.

use std::fmt;
use std::io::{BufRead, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;

#[derive(Default)]
struct Options {
    fail_after: Option<u64>,
    hang_after: Option<u64>,
    garbage_after: Option<u64>,
    protocol: Option<String>,
    version: Option<String>,
    no_hello: bool,
    max_in_flight: Option<u64>,
    kind: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--fail-after" => o.fail_after = Some(number(value()?)?),
            "--hang-after" => o.hang_after = Some(number(value()?)?),
            "--garbage-after" => o.garbage_after = Some(number(value()?)?),
            "--max-in-flight" => o.max_in_flight = Some(number(value()?)?),
            "--protocol" => o.protocol = Some(value()?),
            "--version" => o.version = Some(value()?),
            "--kind" => o.kind = Some(value()?),
            "--no-hello" => o.no_hello = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// A frame from the host; requests are only counted, never built.
#[derive(Deserialize)]
struct Frame {
    t: String,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    args: Option<Vec<Value>>,
    #[serde(default)]
    reqs: Option<Vec<(u64, Count)>>,
    #[serde(default)]
    ids: Option<Vec<u64>>,
}

/// How many request objects an entry holds: an array's length, else 1.
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a request")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Count, A::Error> {
                IgnoredAny.visit_map(map)?;
                Ok(Count(1))
            }
        }
        d.deserialize_any(V)
    }
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn status(out: &mut Vec<u8>, n: u64, ms: f64) {
    let _ = write!(out, r#"{{"id":"{n}","status":"success","timeCreate":{ms},"timeFinal":{ms}}}"#);
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if !o.no_hello {
        let version = o.version.as_deref().unwrap_or("1");
        let protocol =
            serde_json::to_string(o.protocol.as_deref().unwrap_or("caliper-connector")).unwrap_or_default();
        let max = o.max_in_flight.unwrap_or(100_000);
        let _ = writeln!(
            out,
            r#"{{"t":"hello","protocol":{protocol},"version":{version},"features":["workload"],"impl":"caliper-connector-null","maxInFlight":{max}}}"#
        );
        let _ = out.flush();
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::new();
    let mut buf = Vec::with_capacity(1 << 16);
    let mut answered: u64 = 0;
    let mut hung = false;
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let frame: Frame = match serde_json::from_slice(&line) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: a line from the host is no frame: {e}");
                std::process::exit(4);
            }
        };
        buf.clear();
        match frame.t.as_str() {
            "exit" => break,
            _ if hung => {}
            "hello" => eprintln!("debug: the host said hello"),
            "create" => {
                let kind = serde_json::to_string(o.kind.as_deref().unwrap_or("null")).unwrap_or_default();
                let _ = writeln!(buf, r#"{{"t":"created","type":{kind}}}"#);
            }
            "call" => {
                let id = frame.id.unwrap_or(0);
                let value = match (frame.method.as_deref(), frame.args.as_deref()) {
                    (Some("prepareWorkerArguments"), Some([n])) => {
                        let n = n.as_u64().unwrap_or(0) as usize;
                        Value::Array((0..n).map(|i| serde_json::json!({ "worker": i })).collect())
                    }
                    (Some("getContext"), Some([round, _])) => serde_json::json!({ "round": round }),
                    _ => Value::Null,
                };
                let _ = writeln!(buf, r#"{{"t":"return","id":{id},"value":{value}}}"#);
            }
            "send" => {
                let reqs = frame.reqs.unwrap_or_default();
                if o.max_in_flight.is_some_and(|max| reqs.len() as u64 > max) {
                    eprintln!("error: {} requests in one frame, above maxInFlight", reqs.len());
                    std::process::exit(5);
                }
                let ms = now_ms();
                buf.extend_from_slice(br#"{"t":"done","res":["#);
                for (i, (rid, Count(n))) in reqs.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    let _ = write!(buf, "[{rid},[");
                    for k in 0..*n {
                        if k > 0 {
                            buf.push(b',');
                        }
                        status(&mut buf, rid * 1000 + k as u64, ms);
                    }
                    buf.extend_from_slice(b"]]");
                }
                buf.extend_from_slice(b"]}\n");
                answered += reqs.len() as u64;
            }
            "submit" => {
                let ids = frame.ids.unwrap_or_default();
                let ms = now_ms();
                let _ = write!(buf, r#"{{"t":"events","submitted":{},"finished":["#, ids.len());
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    status(&mut buf, *id, ms);
                }
                buf.extend_from_slice(b"]}\n");
                let res: Vec<String> = ids.iter().map(|id| format!("[{id},null]")).collect();
                let _ = writeln!(buf, r#"{{"t":"submitted","res":[{}]}}"#, res.join(","));
                answered += ids.len() as u64;
            }
            other => eprintln!("warn: ignoring a {other} frame"),
        }
        if out.write_all(&buf).and_then(|()| out.flush()).is_err() {
            break;
        }
        if o.fail_after.is_some_and(|n| answered >= n) {
            eprintln!("error: failing on purpose after {answered} requests");
            std::process::exit(3);
        }
        if o.garbage_after.is_some_and(|n| answered >= n) {
            let _ = writeln!(out, "this is not json");
            let _ = out.flush();
        }
        if !hung && o.hang_after.is_some_and(|n| answered >= n) {
            eprintln!("warn: no longer answering after {answered} requests");
            hung = true;
        }
    }
}
