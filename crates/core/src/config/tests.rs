//! Tests of the benchmark and network configuration files, with the messages a user reads.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use super::benchmark::{RateCheck, load_file};
use super::*;
use crate::settings::{Settings, keys};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

/// Loads a benchmark file without building its rate controllers.
fn bench(dir: &Path, name: &str, text: &str) -> Result<BenchmarkConfig, ConfigErrors> {
    let path = write(dir, name, text);
    load_file(&path, dir, None, RateCheck::Skip, None, MonitorModules::default())
}

fn messages(errors: &ConfigErrors) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

const ANCHORS: &str = r#"
x-rate: &fixed
  type: fixed-rate
  opts: {tps: 50}
x-workload: &wl
  module: workloads/open.js
  arguments: {money: 100, accounts: 10}
test:
  name: simple
  description: anchors, aliases and merge keys
  workers: {type: local, number: 3}
  rounds:
    - label: open
      txNumber: 1000
      rateControl: *fixed
      workload: *wl
    - label: query
      description: merged
      txDuration: 30
      rateControl:
        <<: *fixed
        opts: {tps: 100}
      workload:
        <<: *wl
        module: workloads/query.js
    - label: transfer
      txDuration: 0.5
      trim: 5
      rateControl: {<<: [*fixed]}
      workload: {module: transfer}
monitors:
  resource:
    - module: docker
      options: {interval: 1, containers: [all]}
    - module: none
  transaction:
    - module: prometheus
"#;

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = bench(dir.path(), "bench.yaml", ANCHORS).expect("valid config");
    assert_eq!(config.name, "simple");
    assert_eq!(config.description.as_deref(), Some("anchors, aliases and merge keys"));
    assert_eq!(config.workers, 3);
    assert_eq!(config.rounds.len(), 3);
    let [open, query, transfer] = &config.rounds[..] else { panic!("three rounds") };
    assert_eq!(open.tx, TxLimit::Number(1000));
    assert_eq!(open.rate_control.kind, "fixed-rate");
    assert_eq!(open.rate_control.opts, json!({"tps": 50}));
    assert_eq!(open.workload.arguments, json!({"money": 100, "accounts": 10}));
    assert_eq!(query.tx, TxLimit::Duration(Duration::from_secs(30)));
    assert_eq!(query.description.as_deref(), Some("merged"));
    assert_eq!(query.rate_control.opts, json!({"tps": 100}));
    assert_eq!(query.workload.module, "workloads/query.js");
    assert_eq!(query.workload.arguments, json!({"money": 100, "accounts": 10}));
    assert_eq!(transfer.tx, TxLimit::Duration(Duration::from_millis(500)));
    assert_eq!(transfer.rate_control.opts, json!({"tps": 50}));
    assert_eq!(transfer.workload.arguments, json!({}));
    assert_eq!(query.raw["workload"]["module"], "workloads/query.js");
    assert_eq!(config.raw["x-rate"]["type"], "fixed-rate");
    assert_eq!(config.monitors.resource.len(), 1, "none is dropped");
    assert_eq!(config.monitors.resource[0].module, "docker");
    assert_eq!(config.monitors.resource[0].options["containers"], json!(["all"]));
    assert_eq!(config.monitors.transaction[0].module, "prometheus");
    assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
    assert!(config.warnings[0].contains(":28:13: test.rounds[2].trim: ignored"), "{:?}", config.warnings);
}

#[test]
fn json_configs_are_read_by_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{"test": {"rounds": [{"label": "r", "txNumber": 10,
        "rateControl": {"type": "fixed-load", "opts": {"transactionLoad": 5}},
        "workload": {"module": "w.js", "arguments": {"n": 1}}}]}}"#;
    let config = bench(dir.path(), "my-bench.json", text).expect("valid config");
    assert_eq!(config.name, "my-bench", "the name defaults to the file name");
    assert_eq!(config.workers, 1);
    assert_eq!(config.rounds[0].tx, TxLimit::Number(10));
    assert_eq!(config.rounds[0].rate_control.opts, json!({"transactionLoad": 5}));

    let err = bench(dir.path(), "bad.json", "{\"test\": {\"rounds\": [{\"label\": \"r\", \"txNumbr\": 5}]}}")
        .expect_err("unknown key");
    let text = messages(&err);
    assert!(
        text.iter().any(|m| m.starts_with(&format!(
            "{}: test.rounds[0].txNumbr: unknown key \"txNumbr\" (did you mean \"txNumber\"?)",
            dir.path().join("bad.json").display()
        ))),
        "{text:#?}"
    );
}

#[test]
fn a_missing_benchconfig_setting_says_how_to_set_it() {
    let err = BenchmarkConfig::from_settings(&Settings::default()).expect_err("no setting");
    let text = err.to_string();
    assert!(text.contains("the setting caliper-benchconfig is not set"), "{text}");
    assert!(text.contains("--caliper-benchconfig <value>"), "{text}");
    assert!(text.contains("CALIPER_BENCHCONFIG=<value>"), "{text}");
    assert!(text.contains("caliper.benchconfig to caliper.yaml"), "{text}");
}

#[test]
fn a_missing_file_names_the_path_it_looked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::default();
    settings.set(keys::WORKSPACE, dir.path().to_string_lossy().into_owned());
    settings.set(keys::BENCH_CONFIG, "benchmarks/nope.yaml");
    let err = BenchmarkConfig::from_settings(&settings).expect_err("no file");
    assert_eq!(
        err.to_string(),
        format!(
            "benchmark configuration file {} does not exist (the path was set by an in-memory override)",
            dir.path().join("benchmarks/nope.yaml").display()
        )
    );
    let err = NetworkConfig::load(&dir.path().join("net.json")).expect_err("no file");
    assert_eq!(
        err.to_string(),
        format!("network configuration file {} does not exist", dir.path().join("net.json").display())
    );
}

#[test]
fn a_yaml_syntax_error_gives_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = bench(dir.path(), "b.yaml", "test:\n  rounds:\n    - label: a\n      workload: {module: x\n")
        .expect_err("syntax error");
    let [ConfigError::Syntax { line, column, .. }] = &err.0[..] else { panic!("{err}") };
    assert_eq!((*line, *column), (4, 17));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:4:17: syntax error: ", dir.path().join("b.yaml").display())),
        "{text}"
    );
}

#[test]
fn an_unknown_round_key_suggests_the_right_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "test:\n  rounds:\n    - label: a\n      txNumbr: 10\n      rateControl: {type: fixed-rate}\n      workload: {module: w.js}\n";
    let err = bench(dir.path(), "b.yaml", text).expect_err("unknown key");
    let texts = messages(&err);
    assert_eq!(
        texts[0],
        format!(
            "{}:4:7: test.rounds[0].txNumbr: unknown key \"txNumbr\" (did you mean \"txNumber\"?); expected one of: \
             label, description, txNumber, txDuration, rateControl, workload, trim",
            dir.path().join("b.yaml").display()
        )
    );
    // Without txNumber the round has neither limit: that is reported too.
    assert!(texts[1].contains("test.rounds[0]: missing txNumber or txDuration"), "{texts:#?}");
    assert_eq!(err.len(), 2);
    assert_eq!(err.0[0].key_path(), Some("test.rounds[0].txNumbr"));
    assert_eq!(err.0[0].line(), Some(4));
}

#[test]
fn tx_number_and_tx_duration_are_exclusive_and_required() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
test:
  rounds:
    - label: both
      txNumber: 10
      txDuration: 5
      rateControl: {type: fixed-rate}
      workload: {module: w.js}
    - label: neither
      rateControl: {type: fixed-rate}
      workload: {module: w.js}
    - label: zero
      txNumber: 0
      rateControl: {type: fixed-rate}
      workload: {module: w.js}
"#;
    let err = bench(dir.path(), "b.yaml", text).expect_err("invalid rounds");
    let texts = messages(&err);
    assert_eq!(texts.len(), 3, "{texts:#?}");
    assert!(
        texts[0].contains(":4:7: test.rounds[0]: txNumber and txDuration are mutually exclusive"),
        "{}",
        texts[0]
    );
    assert!(texts[1].contains(":9:7: test.rounds[1]: missing txNumber or txDuration"), "{}", texts[1]);
    assert!(
        texts[2].contains(":13:17: test.rounds[2].txNumber: expected a whole number of at least 1, found 0"),
        "{}",
        texts[2]
    );
}

#[test]
fn a_number_of_workers_no_machine_runs_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let round = "  rounds:\n    - label: a\n      txNumber: 10\n      rateControl: {type: fixed-rate, opts: {tps: 1}}\n      workload: {module: w}\n";
    for number in ["1e12", "10001", "18446744073709551615"] {
        let text = format!("test:\n  workers: {{number: {number}}}\n{round}");
        let err = bench(dir.path(), "b.yaml", &text).expect_err("invalid");
        let texts = messages(&err);
        assert!(
            texts.iter().any(|t| t.contains("test.workers.number: expected at most 10000 workers")),
            "{number}: {texts:?}"
        );
    }
    let text = format!("test:\n  workers: {{number: 10000}}\n{round}");
    assert_eq!(bench(dir.path(), "b.yaml", &text).expect("valid").workers, 10_000);
}

#[test]
fn zero_workers_is_an_error_and_all_errors_are_collected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
test:
  workers: {number: 0}
  rounds:
    - label: a
      txNumber: 10
      rateControl: [fixed-rate]
      workload: {module: 5, arguments: []}
    - txDuration: -1
      rateControl: {type: fixed-rate, opt: {}}
      workload: {modul: w.js}
monitors:
  resource: [{module: dokker}, {module: process}, {module: process}]
  transaction: [{module: logging, options: 3}]
"#;
    let err = bench(dir.path(), "b.yaml", text).expect_err("invalid");
    let texts: Vec<String> =
        messages(&err).iter().map(|m| m.split_once(": ").map_or(m.clone(), |x| x.1.to_string())).collect();
    let expected = [
        "test.workers.number: expected a whole number of at least 1, found 0",
        "test.rounds[0].rateControl: expected a mapping, found a list",
        "test.rounds[0].workload.module: expected a string, found a number",
        "test.rounds[0].workload.arguments: expected a mapping, found a list",
        "test.rounds[1]: missing key \"label\": expected a string",
        "test.rounds[1].txDuration: expected a number greater than 0, found -1",
        "test.rounds[1].rateControl.opt: unknown key \"opt\" (did you mean \"opts\"?)",
        "test.rounds[1].workload.modul: unknown key \"modul\" (did you mean \"module\"?)",
        "test.rounds[1].workload: missing key \"module\"",
        "monitors.resource[0].module: unknown resource monitor \"dokker\" (did you mean \"docker\"?)",
        "monitors.resource[2]: a second \"process\" resource monitor",
        "monitors.transaction[0].options: expected a mapping, found a number",
    ];
    for want in expected {
        assert!(texts.iter().any(|t| t.contains(want)), "missing {want:?} in {texts:#?}");
    }
    assert_eq!(texts.len(), expected.len(), "{texts:#?}");
}

#[test]
fn the_top_level_needs_test_and_allows_free_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = bench(dir.path(), "b.yaml", "anchors: {a: 1}\ntset: {}\n").expect_err("no test");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1:1: (top level): missing key \"test\": expected a mapping with name, workers and rounds",
            dir.path().join("b.yaml").display()
        )
    );
    let err = bench(dir.path(), "b.yaml", "test:\n  round: []\n").expect_err("misspelt rounds");
    let texts = messages(&err);
    assert!(texts[0].contains("test.round: unknown key \"round\" (did you mean \"rounds\"?)"), "{texts:#?}");
    let err = bench(dir.path(), "b.yaml", "test:\n  rounds: []\n").expect_err("no rounds");
    assert!(err.to_string().contains("test.rounds: expected at least one round"), "{err}");
}

#[test]
fn rate_controller_errors_point_into_the_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "test:\n  rounds:\n    - label: a\n      txNumber: 10\n      rateControl: {type: fixed-rte, opts: {tps: 5}}\n      workload: {module: w.js}\n";
    let path = write(dir.path(), "b.yaml", text);
    let err = BenchmarkConfig::load_in(&path, dir.path()).expect_err("unknown controller");
    assert_eq!(err.0[0].key_path(), Some("test.rounds[0].rateControl.type"));
    assert_eq!(err.0[0].line(), Some(5));
    assert!(err.to_string().contains("fixed-rte"), "{err}");
}

#[test]
fn tx_number_is_split_exactly_over_the_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = bench(dir.path(), "bench.yaml", ANCHORS).expect("valid config");
    let open = &config.rounds[0];
    let shares: Vec<u64> = (0..3).filter_map(|w| open.tx_number_share(w, 3)).collect();
    assert_eq!(shares, vec![334, 333, 333]);
    assert_eq!(config.rounds[1].tx_number_share(0, 3), None);
    assert_eq!(config.rounds[1].tx_duration(), Some(Duration::from_secs(30)));
}

const NETWORK: &str = r#"
caliper:
  blockchain: ethereum
  command:
    start: docker compose up -d
    end: docker compose down
  sutOptions: {mining: true}
info:
  Version: 1.0
  Size: 2 nodes
ethereum:
  url: ws://localhost:8546
"#;

#[test]
fn network_config_keeps_the_common_part_and_the_connector_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "net.yaml", NETWORK);
    let config = NetworkConfig::load(&path).expect("valid network config");
    assert_eq!(config.blockchain, "ethereum");
    assert_eq!(config.start.as_deref(), Some("docker compose up -d"));
    assert_eq!(config.end.as_deref(), Some("docker compose down"));
    assert_eq!(config.sut_options["mining"], json!(true));
    assert_eq!(config.info["Size"], json!("2 nodes"));
    assert_eq!(config.raw["ethereum"]["url"], json!("ws://localhost:8546"));
    assert_eq!(config.path, path);

    let path =
        write(dir.path(), "net.json", r#"{"caliper": {"blockchain": "sim", "commands": {"end": "true"}}}"#);
    let config = NetworkConfig::load(&path).expect("valid JSON network config");
    assert_eq!(
        (config.blockchain.as_str(), config.start, config.end.as_deref()),
        ("sim", None, Some("true"))
    );
}

#[test]
fn network_config_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "net.yaml", "caliper:\n  blockchian: ethereum\n  command: {start: ''}\n");
    let err = NetworkConfig::load(&path).expect_err("invalid");
    let file = path.display();
    assert_eq!(
        messages(&err),
        vec![
            format!(
                "{file}:2:3: caliper.blockchian: unknown key \"blockchian\" (did you mean \"blockchain\"?); \
                 expected one of: blockchain, command, commands, sutOptions"
            ),
            format!(
                "{file}:2:3: caliper: missing key \"blockchain\": expected the connector's name, such as ethereum"
            ),
            format!("{file}:3:20: caliper.command.start: expected a non-empty string"),
        ]
    );
    let path = write(dir.path(), "net.yaml", "ethereum: {}\n");
    let err = NetworkConfig::load(&path).expect_err("no caliper section");
    assert!(err.to_string().contains("(top level): missing key \"caliper\""), "{err}");
}

#[test]
fn load_all_reports_both_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "net.yaml", "caliper: {}\n");
    let mut settings = Settings::default();
    settings.set(keys::WORKSPACE, dir.path().to_string_lossy().into_owned());
    settings.set(keys::NETWORK_CONFIG, "net.yaml");
    let err = load_all(&settings).expect_err("both invalid");
    let texts = messages(&err);
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(texts[0].contains("caliper-benchconfig is not set"), "{texts:#?}");
    assert!(texts[1].contains("missing key \"blockchain\""), "{texts:#?}");
    assert_eq!(err.to_string().lines().count(), 2);
}

#[test]
fn rate_controllers_are_built_for_every_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "b.yaml", ANCHORS);
    let config = BenchmarkConfig::load_in(&path, dir.path()).expect("valid rate controllers");
    assert_eq!(config.rounds.len(), 3);

    let text = "test:\n  rounds:\n    - label: a\n      txNumber: 10\n      rateControl:\n        type: fixed-rate\n        opts:\n          tsp: 5\n      workload: {module: w.js}\n";
    let path = write(dir.path(), "b.yaml", text);
    let err = BenchmarkConfig::load_in(&path, dir.path()).expect_err("misspelt option");
    assert_eq!(err.len(), 1, "{err}");
    let key_path = err.0[0].key_path().unwrap_or_default();
    assert!(key_path.starts_with("test.rounds[0].rateControl.opts"), "{err}");
    assert_eq!(err.0[0].line(), Some(8), "{err}");
    assert!(err.to_string().contains("tps"), "{err}");
}

#[test]
fn a_replay_file_missing_for_one_worker_is_found_at_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rate-0-0.txt", "0\n10\n");
    let text = "test:\n  workers: {number: 2}\n  rounds:\n    - label: a\n      txNumber: 10\n      rateControl: {type: replay-rate, opts: {pathTemplate: rate-<R>-<C>.txt}}\n      workload: {module: w.js}\n";
    let path = write(dir.path(), "b.yaml", text);
    let err = BenchmarkConfig::load_in(&path, dir.path()).expect_err("worker 1 has no file");
    assert_eq!(err.len(), 1, "{err}");
    assert!(err.to_string().contains("rate-0-1.txt"), "{err}");
    write(dir.path(), "rate-0-1.txt", "0\n10\n");
    BenchmarkConfig::load_in(&path, dir.path()).expect("both files exist");
}

mod checked {
    use std::sync::Arc;

    use async_trait::async_trait;
    use serde_json::Value;

    use super::*;
    use crate::connector::{
        Connector, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit, ConnectorRegistry,
    };
    use crate::workload::testutil::nothing;
    use crate::workload::{WorkloadError, WorkloadRegistry};

    /// A connector whose check rejects every key of its `fake` section but `ok`.
    struct Fake;

    #[async_trait]
    impl ConnectorFactory for Fake {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn check(&self, input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
            let keys = input.network.raw["fake"].as_object().cloned().unwrap_or_default();
            let errors: Vec<ConnectorError> = keys
                .keys()
                .filter(|k| *k != "ok")
                .map(|k| ConnectorError::Config {
                    path: format!("fake.{k}"),
                    message: format!("bad with {:?} workers", input.workers),
                })
                .collect();
            if errors.is_empty() { Ok(()) } else { Err(errors) }
        }
        async fn create(&self, _init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
            Err(ConnectorError::Sut("not in these tests".into()))
        }
    }

    fn settings(dir: &Path) -> Settings {
        let mut settings = Settings::default();
        settings.set(keys::WORKSPACE, dir.to_string_lossy().into_owned());
        settings.set(keys::NETWORK_CONFIG, "net.yaml");
        settings.set(keys::BENCH_CONFIG, "bench.yaml");
        settings
    }

    #[test]
    fn the_connectors_check_reports_every_mistake_with_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut connectors = ConnectorRegistry::new();
        connectors.register(Arc::new(Fake));
        write(dir.path(), "net.yaml", "caliper:\n  blockchain: fake\nfake:\n  ok: 1\n  a: 2\n  b: 3\n");
        let err = NetworkConfig::check_from_settings(&settings(dir.path()), &connectors, Some(4))
            .expect_err("a and b are wrong");
        let texts = messages(&err);
        assert_eq!(texts.len(), 2, "{texts:#?}");
        assert!(texts[0].ends_with("net.yaml:5:6: fake.a: bad with Some(4) workers"), "{texts:#?}");
        assert!(texts[1].contains(":6:6: fake.b:"), "{texts:#?}");
        write(dir.path(), "net.yaml", "caliper:\n  blockchain: fake\nfake: {ok: 1}\n");
        NetworkConfig::check_from_settings(&settings(dir.path()), &connectors, None).expect("valid");
        // Without a registry, the connector's sections are not looked at.
        write(dir.path(), "net.yaml", "caliper:\n  blockchain: fake\nfake: {a: 1}\n");
        NetworkConfig::from_settings(&settings(dir.path())).expect("not checked");

        write(dir.path(), "net.yaml", "caliper:\n  blockchain: fak\n");
        let err = NetworkConfig::check_from_settings(&settings(dir.path()), &connectors, None)
            .expect_err("unknown connector");
        assert!(
            err.to_string()
                .contains(":2:15: caliper.blockchain: unknown connector \"fak\" (did you mean \"fake\"?)"),
            "{err}"
        );
    }

    /// Accepts only `{n: <number>}`.
    fn only_n(arguments: &Value) -> Result<(), Vec<WorkloadError>> {
        let map = arguments.as_object().cloned().unwrap_or_default();
        let errors: Vec<WorkloadError> = map
            .iter()
            .filter(|(k, v)| *k != "n" || !v.is_number())
            .map(|(k, _)| WorkloadError::Arguments { path: format!(".{k}"), message: "wrong".into() })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    #[test]
    fn workload_modules_and_arguments_are_checked_in_every_round() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut workloads = WorkloadRegistry::new();
        workloads.register_checked("w", nothing, only_n);
        let round = |label: &str, workload: &str| {
            format!(
                "    - label: {label}\n      txNumber: 5\n      rateControl: {{type: fixed-rate}}\n      workload: {workload}\n"
            )
        };
        let text = format!(
            "test:\n  rounds:\n{}{}{}{}",
            round("a", "{module: w, arguments: {n: 1}}"),
            round("b", "{module: w, arguments: {n: x, m: 2}}"),
            round("c", "{module: v}"),
            round("d", "{module: w, arguments: {n: 2}}\n      txDuration: 3"),
        );
        write(dir.path(), "bench.yaml", &text);
        let err = BenchmarkConfig::check_from_settings(&settings(dir.path()), Some(&workloads))
            .expect_err("four mistakes");
        let texts = messages(&err);
        assert_eq!(texts.len(), 4, "{texts:#?}");
        assert!(texts[0].contains(":10:50: test.rounds[1].workload.arguments.m: wrong"), "{texts:#?}");
        assert!(texts[1].contains(":10:44: test.rounds[1].workload.arguments.n: wrong"), "{texts:#?}");
        assert!(
            texts[2].contains(":14:26: test.rounds[2].workload.module: workload module \"v\" not found"),
            "{texts:#?}"
        );
        assert!(
            texts[3].contains("test.rounds[3]: txNumber and txDuration are mutually exclusive"),
            "{texts:#?}"
        );
        BenchmarkConfig::from_settings(&settings(dir.path())).expect_err("the last round is wrong anyway");
    }
}

#[test]
fn deep_nesting_is_a_syntax_error_within_a_small_stack() {
    // 10,000 nested block mappings overflowed a 2 MiB stack (a test or tokio thread) in a debug
    // build before the parser's depth budget stopped them.
    let deep: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let shallow: String = (0..super::tree::MAX_DEPTH - 2).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let parsed = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || (super::tree::parse_yaml(&deep).is_err(), super::tree::parse_yaml(&shallow).is_ok()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(parsed, (true, true));
}

#[test]
fn an_alias_bomb_is_refused() {
    // "Billion laughs": nine levels of nine aliases, 9^10 strings if expanded.
    let mut text = String::from("a0: &a0 [l, l, l, l, l, l, l, l, l]\n");
    for i in 1..10 {
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", ")));
    }
    text.push_str("test: *a9\n");
    let start = std::time::Instant::now();
    let err = super::tree::parse_yaml(&text).expect_err("refused");
    assert!(
        format!("{err:?}").contains("more than 100000 YAML nodes once its aliases are expanded"),
        "{err:?}"
    );
    // About 0.7 s in a debug build (2 s with the default budget), far less in release.
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
}

mod monitor_options {
    use std::sync::Arc;

    use serde_json::{Map, Value};

    use super::*;
    use crate::monitor::{
        MonitorError, MonitorFactory, MonitorOptionError, MonitorRegistry, ResourceMonitor,
    };

    /// A `process` monitor that wants `processes` and knows no other key.
    struct Fake;

    impl MonitorFactory for Fake {
        fn name(&self) -> &'static str {
            "process"
        }

        fn check(&self, options: &Map<String, Value>) -> Vec<MonitorOptionError> {
            let mut errors: Vec<MonitorOptionError> = crate::suggest::unknown_keys(options, &["processes"])
                .into_iter()
                .map(|(k, m)| MonitorOptionError::new(format!(".{k}"), m))
                .collect();
            if !options.contains_key("processes") {
                errors.push(MonitorOptionError::new(".processes", "missing"));
            }
            errors
        }

        fn create(
            &self,
            _: &Map<String, Value>,
            _: &Settings,
        ) -> Result<Box<dyn ResourceMonitor>, MonitorError> {
            Err(MonitorError::Unknown("fake".into()))
        }
    }

    #[test]
    fn each_monitor_option_mistake_names_its_key_and_line_and_absent_modules_warn() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "test:\n  rounds:\n    - label: a\n      txNumber: 5\n      rateControl: {type: fixed-rate}\n      workload: {module: w}\nmonitors:\n  resource:\n    - module: docker\n    - module: process\n      options:\n        processs: [{command: x}]\n";
        write(dir.path(), "bench.yaml", text);
        let mut settings = Settings::default();
        settings.set(keys::WORKSPACE, dir.path().to_string_lossy().into_owned());
        settings.set(keys::BENCH_CONFIG, "bench.yaml");
        let mut registry = MonitorRegistry::new();
        registry.register(Arc::new(Fake));
        let err = BenchmarkConfig::check_from_settings_with(
            &settings,
            None,
            MonitorModules { resource: Some(&registry), transaction: None },
        )
        .expect_err("two mistakes");
        let texts = messages(&err);
        assert_eq!(texts.len(), 2, "{texts:#?}");
        assert!(
            texts[0].contains("bench.yaml:12:19: monitors.resource[1].options.processs: unknown key \"processs\" (did you mean \"processes\"?)"),
            "{texts:#?}"
        );
        assert!(
            texts[1].contains("bench.yaml:12:9: monitors.resource[1].options.processes: missing"),
            "{texts:#?}"
        );
        // Without the registry the options are not looked at.
        let config = BenchmarkConfig::check_from_settings(&settings, None).expect("valid structure");
        assert_eq!(config.monitors.resource.len(), 2);
        std::fs::write(dir.path().join("bench.yaml"), text.replace("processs", "processes")).expect("write");
        let config = BenchmarkConfig::check_from_settings_with(
            &settings,
            None,
            MonitorModules { resource: Some(&registry), transaction: None },
        )
        .expect("valid");
        assert!(
            config.warnings.iter().any(|w| w.contains(
                "monitors.resource[0].module: the \"docker\" resource monitor is not available in this build"
            )),
            "{:#?}",
            config.warnings
        );
    }
}

#[test]
fn auto_workers_are_the_cores_this_process_may_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let round = "  rounds:\n    - label: a\n      txNumber: 10\n      rateControl: {type: fixed-rate, opts: {tps: 1}}\n      workload: {module: w}\n";
    let text = format!("test:\n  workers: {{number: auto}}\n{round}");
    let config = bench(dir.path(), "b.yaml", &text).expect("valid");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!((config.workers, config.workers_auto), (cores, true));
    let text = format!("test:\n  workers: {{number: 2}}\n{round}");
    assert!(!bench(dir.path(), "b.yaml", &text).expect("valid").workers_auto);
    let text = format!("test:\n  workers: {{number: all}}\n{round}");
    let texts = messages(&bench(dir.path(), "b.yaml", &text).expect_err("invalid"));
    assert!(
        texts
            .iter()
            .any(|t| t.contains("test.workers.number: expected a whole number of at least 1, or auto")),
        "{texts:?}"
    );
}
