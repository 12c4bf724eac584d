//! Generated malformed configurations: a seeded generator mutates a valid benchmark file and
//! the network file's `caliper` section (wrong types, unknown and missing keys, out-of-range
//! and non-finite numbers) and corrupts whole files (empty, binary, deeply nested, alias
//! bombs). The bulk runs in-process through the loaders the binary uses; a representative
//! subset runs the binary, as do bad connector sections and workload arguments. Every case
//! must be an error that names the file (and the key where there is one), never a panic, and
//! quick.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use caliper_core::config::{BenchmarkConfig, NetworkConfig};
use common::*;
use serde_json::{Value, json};

/// The bound asserted on one load or one run (generous for a loaded 2-core CI machine; the
/// real times are printed with `--nocapture`).
const SLOW: Duration = Duration::from_secs(5);

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn valid_bench() -> Value {
    json!({
        "test": {
            "name": "gen",
            "workers": { "number": 2 },
            "rounds": [
                { "label": "a", "txNumber": 10,
                  "rateControl": { "type": "fixed-rate", "opts": { "tps": 10 } },
                  "workload": { "module": "sim-mix" } },
                { "label": "b", "txDuration": 1,
                  "rateControl": { "type": "linear-rate", "opts": { "startingTps": 1, "finishingTps": 5 } },
                  "workload": { "module": "sim-mix", "arguments": {} } }
            ]
        }
    })
}

fn valid_network() -> Value {
    json!({ "caliper": { "blockchain": "sim", "command": { "start": "true", "end": "true" } } })
}

/// A place in a file and values that are wrong there.
struct Target {
    /// JSON pointer to the value.
    pointer: &'static str,
    /// The key path the error must name (the value's own, or its section's); `a|b`: either.
    names: &'static str,
    /// Values of the wrong type or out of range.
    wrong: fn() -> Vec<Value>,
}

const BENCH_TARGETS: &[Target] = &[
    Target { pointer: "/test", names: "test", wrong: || vec![json!("x"), json!([1]), json!(5)] },
    Target { pointer: "/test/workers", names: "test.workers", wrong: || vec![json!("x"), json!([1])] },
    Target {
        pointer: "/test/workers/number",
        names: "test.workers.number",
        wrong: || vec![json!("x"), json!(0), json!(-1), json!(1.5), json!([1]), json!({}), json!(1e30)],
    },
    Target { pointer: "/test/rounds", names: "test.rounds", wrong: || vec![json!("x"), json!({}), json!(5)] },
    Target {
        pointer: "/test/rounds/0",
        names: "test.rounds[0]",
        wrong: || vec![json!("x"), json!(5), json!([1])],
    },
    Target {
        pointer: "/test/rounds/1/label",
        names: "test.rounds[1].label",
        wrong: || vec![json!([1]), json!({"a": 1}), json!("")],
    },
    Target {
        pointer: "/test/rounds/0/txNumber",
        names: "test.rounds[0].txNumber",
        wrong: || vec![json!("x"), json!(0), json!(-1), json!(1.5), json!([1]), json!(1e30)],
    },
    Target {
        pointer: "/test/rounds/1/txDuration",
        names: "test.rounds[1].txDuration",
        wrong: || vec![json!("x"), json!(-1), json!([1]), json!({})],
    },
    Target {
        pointer: "/test/rounds/0/rateControl",
        names: "test.rounds[0].rateControl",
        wrong: || vec![json!("x"), json!(5), json!([1])],
    },
    Target {
        pointer: "/test/rounds/0/rateControl/type",
        names: "test.rounds[0].rateControl",
        wrong: || vec![json!(5), json!([1]), json!("nope-rate")],
    },
    Target {
        pointer: "/test/rounds/0/rateControl/opts",
        names: "test.rounds[0].rateControl",
        wrong: || vec![json!("x"), json!([1])],
    },
    Target {
        pointer: "/test/rounds/0/rateControl/opts/tps",
        names: "test.rounds[0].rateControl",
        wrong: || vec![json!("x"), json!(-1), json!([1]), json!({})],
    },
    Target {
        pointer: "/test/rounds/1/rateControl/opts/finishingTps",
        names: "test.rounds[1].rateControl",
        wrong: || vec![json!("x"), json!(-5), json!([1])],
    },
    Target {
        pointer: "/test/rounds/1/workload",
        names: "test.rounds[1].workload",
        wrong: || vec![json!("x"), json!(5)],
    },
    Target {
        pointer: "/test/rounds/1/workload/module",
        names: "test.rounds[1].workload.module",
        wrong: || vec![json!(5), json!([1]), json!("")],
    },
];

/// Sections where an unknown key is an error, and keys that must be present.
const BENCH_SECTIONS: &[(&str, &str)] = &[
    ("/test", "test"),
    ("/test/workers", "test.workers"),
    ("/test/rounds/0", "test.rounds[0]"),
    ("/test/rounds/1/rateControl", "test.rounds[1].rateControl"),
    ("/test/rounds/0/rateControl/opts", "test.rounds[0].rateControl"),
    ("/test/rounds/1/workload", "test.rounds[1].workload"),
];
const BENCH_REQUIRED: &[(&str, &str)] = &[
    ("/test", "test"),
    ("/test/rounds", "rounds"),
    ("/test/rounds/0/label", "test.rounds[0]"),
    ("/test/rounds/0/txNumber", "test.rounds[0]"),
    ("/test/rounds/1/rateControl", "test.rounds[1]"),
    ("/test/rounds/1/workload", "test.rounds[1]"),
    ("/test/rounds/0/workload/module", "test.rounds[0].workload"),
];

const NETWORK_TARGETS: &[Target] = &[
    Target { pointer: "/caliper", names: "caliper", wrong: || vec![json!("x"), json!([1]), json!(5)] },
    Target {
        pointer: "/caliper/blockchain",
        names: "caliper.blockchain",
        wrong: || vec![json!(5), json!([1]), json!({}), json!("")],
    },
    Target { pointer: "/caliper/command", names: "caliper.command", wrong: || vec![json!("x"), json!(5)] },
    Target {
        pointer: "/caliper/command/start",
        names: "caliper.command.start",
        wrong: || vec![json!(5), json!([1]), json!({"a": 1})],
    },
];
const NETWORK_SECTIONS: &[(&str, &str)] = &[("/caliper", "caliper"), ("/caliper/command", "caliper.command")];
const NETWORK_REQUIRED: &[(&str, &str)] = &[("/caliper", "caliper"), ("/caliper/blockchain", "caliper")];

/// One generated case: the file's text and what the error must name.
struct Case {
    text: String,
    names: String,
}

fn split(pointer: &str) -> (&str, &str) {
    pointer.rsplit_once('/').expect("a pointer below the root")
}

/// A mutation of `valid` chosen by `rng`: a wrong value, an unknown key or a missing key.
fn mutate(
    rng: &mut Rng,
    valid: &Value,
    targets: &[Target],
    sections: &[(&str, &str)],
    required: &[(&str, &str)],
) -> Case {
    let mut doc = valid.clone();
    let names = match rng.next() % 3 {
        0 => {
            let t = rng.pick(targets);
            *doc.pointer_mut(t.pointer).expect("target exists") = rng.pick(&(t.wrong)()).clone();
            t.names.to_string()
        }
        1 => {
            let (pointer, _) = rng.pick(sections);
            let key = format!("zz{}", rng.next() % 1000);
            doc.pointer_mut(pointer)
                .and_then(Value::as_object_mut)
                .expect("a section")
                .insert(key.clone(), json!(1));
            key
        }
        _ => {
            let (pointer, names) = rng.pick(required);
            let (parent, key) = split(pointer);
            let parent = if parent.is_empty() { &mut doc } else { doc.pointer_mut(parent).expect("parent") };
            parent.as_object_mut().expect("a mapping").remove(key);
            names.to_string()
        }
    };
    // JSON is YAML too: the file is read by the YAML parser, like any `.yaml` file.
    Case { text: serde_json::to_string_pretty(&doc).unwrap(), names }
}

/// Non-finite, huge and out-of-range numbers, which JSON cannot write: YAML text.
fn bench_numbers() -> Vec<Case> {
    let bench = |tx: &str, tps: &str, workers: &str| {
        format!(
            "test:\n  workers: {{ number: {workers} }}\n  rounds:\n    - label: a\n      {tx}\n      rateControl: {{ type: fixed-rate, opts: {{ tps: {tps} }} }}\n      workload: {{ module: sim-mix }}\n"
        )
    };
    // A non-finite float is refused by the YAML parser itself: a syntax error at its line and
    // column, where the key is.
    let place = |line: u32, key: &str| format!("{key}|bench.yaml:{line}:");
    let mut cases = Vec::new();
    for v in [".nan", ".inf", "-.inf", "1e400", "-1e400", "-0.0", "0"] {
        cases
            .push(Case { text: bench("txNumber: 5", v, "1"), names: place(6, "test.rounds[0].rateControl") });
    }
    for v in [".nan", ".inf", "-.inf", "1e400", "-3", "0x7fffffffffffffffffff"] {
        cases
            .push(Case { text: bench(&format!("txDuration: {v}"), "5", "1"), names: place(5, "txDuration") });
    }
    for v in [".nan", "1e400", "18446744073709551616", "99999999999999999999999999", "-1", "2.5"] {
        cases.push(Case { text: bench(&format!("txNumber: {v}"), "5", "1"), names: place(5, "txNumber") });
    }
    for v in [".nan", ".inf", "1e400", "18446744073709551616", "-5"] {
        cases.push(Case { text: bench("txNumber: 5", "5", v), names: place(2, "test.workers.number") });
    }
    cases
}

/// Files that are not configurations at all; they must name the file only.
fn corrupt_files(rng: &mut Rng) -> Vec<(&'static str, Vec<u8>)> {
    let garbage: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
    let mut laughs =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let prev = if i == 1 { "a".to_string() } else { format!("a{}", i - 1) };
        let refs = vec![format!("*{prev}"); 9].join(",");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    laughs.push_str("test: *a9\n");
    vec![
        ("empty", Vec::new()),
        ("blank", b"   \n\n  \n".to_vec()),
        ("a bare document marker", b"---\n".to_vec()),
        ("a scalar", b"42\n".to_vec()),
        ("a list", b"- 1\n- 2\n".to_vec()),
        ("null", b"~\n".to_vec()),
        ("binary garbage", garbage),
        ("NUL bytes", vec![0u8; 64]),
        ("not UTF-8", b"test:\n  name: \xff\xfe\xfd\n".to_vec()),
        ("10,000 nested [", "[".repeat(10_000).into_bytes()),
        ("10,000 nested { a:", "{a: ".repeat(10_000).into_bytes()),
        (
            "10,000 nested block mappings",
            (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>().into_bytes(),
        ),
        ("10,000 closed [ ]", format!("test: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()),
        ("billion laughs", laughs.into_bytes()),
        ("an undefined alias", b"test: *nowhere\n".to_vec()),
        ("a duplicate key", b"test: {}\ntest: {}\n".to_vec()),
        ("a tab indent", b"test:\n\trounds: []\n".to_vec()),
        ("an unclosed quote", b"test: \"open\n".to_vec()),
        ("a 10 MB line", format!("test: \"{}\"\n", "x".repeat(10 << 20)).into_bytes()),
    ]
}

/// Loads `text` as `name` with `load` in-process: an error naming the file and `names`, no
/// panic, within [`SLOW`]. Returns the time taken.
fn assert_rejected<T>(
    dir: &Path,
    name: &str,
    text: &[u8],
    names: &str,
    load: fn(&Path) -> Result<T, caliper_core::config::ConfigErrors>,
) -> Duration {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let start = Instant::now();
    let result = std::panic::catch_unwind(|| load(&path).map(|_| ()));
    let took = start.elapsed();
    let shown = String::from_utf8_lossy(&text[..text.len().min(300)]).into_owned();
    let message = match result {
        Err(_) => panic!("loading panicked on:\n{shown}"),
        Ok(Ok(())) => panic!("accepted a malformed file:\n{shown}"),
        Ok(Err(e)) => e.to_string(),
    };
    assert!(message.contains(name), "the error names the file: {message}\nfile:\n{shown}");
    assert!(
        names.split('|').any(|n| message.contains(n)),
        "the error names {names:?}: {message}\nfile:\n{shown}"
    );
    assert!(took < SLOW, "took {took:?} on:\n{shown}");
    took
}

fn report(what: &str, times: &[Duration]) {
    let max = times.iter().max().copied().unwrap_or_default();
    let total: Duration = times.iter().sum();
    note(&format!("{what}: {} cases, {total:?} in all, slowest {max:?}", times.len()));
}

/// A file kind to generate cases for: its valid base and where to break it.
struct Schema<T> {
    name: &'static str,
    valid: Value,
    targets: &'static [Target],
    sections: &'static [(&'static str, &'static str)],
    required: &'static [(&'static str, &'static str)],
    load: fn(&Path) -> Result<T, caliper_core::config::ConfigErrors>,
}

impl<T> Schema<T> {
    /// `count` generated cases and `extra` ones, each rejected; returns the times.
    fn reject_generated(&self, seed: u64, count: usize, extra: Vec<Case>) -> Vec<Duration> {
        let dir = tempfile::tempdir().unwrap();
        // The base is valid: every case below fails because of its mutation.
        std::fs::write(dir.path().join(self.name), self.valid.to_string()).unwrap();
        assert!((self.load)(&dir.path().join(self.name)).is_ok(), "the base {} is valid", self.name);
        let mut rng = Rng(seed);
        let generated =
            (0..count).map(|_| mutate(&mut rng, &self.valid, self.targets, self.sections, self.required));
        generated
            .chain(extra)
            .map(|case| assert_rejected(dir.path(), self.name, case.text.as_bytes(), &case.names, self.load))
            .collect()
    }
}

#[test]
fn generated_benchmark_files_are_rejected_in_process() {
    let schema = Schema {
        name: "bench.yaml",
        valid: valid_bench(),
        targets: BENCH_TARGETS,
        sections: BENCH_SECTIONS,
        required: BENCH_REQUIRED,
        load: BenchmarkConfig::load,
    };
    report("benchmark files", &schema.reject_generated(0x5eed_ca11_9e12, 300, bench_numbers()));
}

#[test]
fn generated_network_files_are_rejected_in_process() {
    let schema = Schema {
        name: "network.yaml",
        valid: valid_network(),
        targets: NETWORK_TARGETS,
        sections: NETWORK_SECTIONS,
        required: NETWORK_REQUIRED,
        load: NetworkConfig::load,
    };
    report("network files", &schema.reject_generated(0x00dd_ba11, 150, Vec::new()));
}

#[test]
fn corrupt_files_are_rejected_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xbad_f11e);
    let mut times = Vec::new();
    for (what, bytes) in corrupt_files(&mut rng) {
        let took = assert_rejected(dir.path(), "bench.yaml", &bytes, "bench.yaml", BenchmarkConfig::load);
        note(&format!("benchmark, {what}: {took:?}"));
        times.push(took);
        let took = assert_rejected(dir.path(), "network.yaml", &bytes, "network.yaml", NetworkConfig::load);
        note(&format!("network, {what}: {took:?}"));
        times.push(took);
    }
    report("corrupt files", &times);
}

/// The binary on a representative subset: exit 2 naming the file (and key), no panic, quick.
#[test]
fn the_binary_exits_2_on_a_representative_subset() {
    let bench_ok = serde_json::to_string_pretty(&valid_bench()).unwrap();
    let network_ok = "caliper:\n  blockchain: sim\n  command:\n    start: touch started\n".to_string();
    let mut rng = Rng(7);
    let corrupt = corrupt_files(&mut rng);
    let get = |what: &str| corrupt.iter().find(|(w, _)| *w == what).unwrap().1.clone();
    let nan_tps = bench_numbers().swap_remove(0);
    let cases: Vec<(&str, Vec<u8>, Vec<u8>, &str)> = vec![
        ("empty benchmark", Vec::new(), network_ok.clone().into_bytes(), "bench.yaml"),
        ("binary benchmark", get("binary garbage"), network_ok.clone().into_bytes(), "bench.yaml"),
        ("nested benchmark", get("10,000 nested ["), network_ok.clone().into_bytes(), "bench.yaml"),
        ("alias bomb benchmark", get("billion laughs"), network_ok.clone().into_bytes(), "bench.yaml"),
        ("tps .nan", nan_tps.text.into_bytes(), network_ok.clone().into_bytes(), "bench.yaml:6:"),
        (
            "wrong type",
            bench_ok.replace("\"txNumber\": 10", "\"txNumber\": \"ten\"").into_bytes(),
            network_ok.clone().into_bytes(),
            "test.rounds[0].txNumber",
        ),
        ("empty network", bench_ok.clone().into_bytes(), Vec::new(), "network.yaml"),
        (
            "network blockchain a list",
            bench_ok.clone().into_bytes(),
            b"caliper: { blockchain: [sim] }\n".to_vec(),
            "caliper.blockchain",
        ),
        (
            "network unknown key",
            bench_ok.clone().into_bytes(),
            b"caliper: { blockchain: sim, comand: { start: touch started } }\n".to_vec(),
            "caliper",
        ),
    ];
    for (what, bench, network, names) in cases {
        let ws = Workspace::new("", "");
        std::fs::write(ws.file("bench.yaml"), &bench).unwrap();
        std::fs::write(ws.file("network.yaml"), &network).unwrap();
        let start = Instant::now();
        let out = ws.run(&[], Duration::from_secs(30));
        let took = start.elapsed();
        note(&format!("binary, {what}: {took:?}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: {}", show(&out));
        assert_eq!(code(&out), 2, "{what}: {}", show(&out));
        assert!(stderr.contains(names), "{what}: stderr names {names:?}: {}", show(&out));
        assert!(took < SLOW, "{what}: took {took:?}");
        assert!(!ws.file("started").exists(), "{what}: nothing started");
    }
}

/// Connector sections (`sim`) and workload arguments (`sim-mix`) are checked before the start
/// command too, by the connector's and the workload's own checks.
#[test]
fn bad_connector_sections_and_workload_arguments_exit_2_before_the_start_command() {
    let round = |arguments: &str| {
        format!(
            "test:\n  workers: {{ number: 1 }}\n  rounds:\n    - label: r\n      txNumber: 5\n      rateControl: {{ type: fixed-rate, opts: {{ tps: 10 }} }}\n      workload: {{ module: sim-mix, arguments: {arguments} }}\n"
        )
    };
    let network =
        |sim: &str| format!("caliper:\n  blockchain: sim\n  command: {{ start: touch started }}\n{sim}");
    let mut cases: Vec<(String, String, &str)> = [
        ("sim: \"x\"\n", "network.yaml:4:6: sim:"),
        ("sim: { latency: \"slow\" }\n", "sim.latency"),
        ("sim: { latency: { fixed: -1 } }\n", "sim.latency.fixed"),
        ("sim: { latency: { fixed: .nan } }\n", "network.yaml:4:26:"),
        ("sim: { failureRatio: 2 }\n", "sim.failureRatio"),
        ("sim: { capacity: -1 }\n", "sim.capacity"),
        ("sim: { unknownKey: 1 }\n", "sim.unknownKey"),
    ]
    .into_iter()
    .map(|(sim, names)| (round("{}"), network(sim), names))
    .collect();
    for (arguments, names) in [
        ("\"x\"", "test.rounds[0].workload.arguments"),
        ("{ zzz: 1 }", "test.rounds[0].workload.arguments.zzz"),
        ("{ mix: 2 }", "test.rounds[0].workload.arguments.mix"),
    ] {
        cases.push((round(arguments), network(""), names));
    }
    for (bench, network, names) in cases {
        let ws = Workspace::new(&bench, &network);
        let start = Instant::now();
        let out = ws.run(&[], Duration::from_secs(30));
        let took = start.elapsed();
        note(&format!("binary, {names}: {took:?}"));
        assert_eq!(code(&out), 2, "{names}: {}", show(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(names) && !stderr.contains("panicked"), "{names}: {}", show(&out));
        assert!(took < SLOW, "{names}: took {took:?}");
        assert!(!ws.file("started").exists(), "{names}: nothing started");
    }
}
