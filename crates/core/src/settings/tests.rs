//! Tests of the settings layers, typed getters and their error messages.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

fn input(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> SettingsInput {
    SettingsInput {
        cwd: cwd.to_path_buf(),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

fn load(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Settings {
    Settings::load(&input(cwd, env, args)).expect("settings load")
}

#[test]
fn defaults_come_from_the_key_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = load(dir.path(), &[], &[]);
    assert_eq!(s.workspace(), dir.path());
    assert_eq!(s.get_u64(keys::PROGRESS_REPORTING_INTERVAL), Ok(5000));
    assert_eq!(s.get_bool(keys::PROGRESS_REPORTING_ENABLED), Ok(true));
    assert_eq!(s.get_str(keys::WORKER_COMMUNICATION_METHOD), Ok("process"));
    assert_eq!(s.get_duration_ms(keys::WORKER_TIMEOUT_DRAIN), Ok(Duration::from_secs(30)));
    assert_eq!(s.get_duration_ms(keys::ROUND_PAUSE), Ok(Duration::ZERO));
    assert_eq!(s.path(keys::REPORT_PATH), Some(dir.path().join("report.html")));
    assert_eq!(s.path(keys::REPORT_JSON), Some(dir.path().join("results.json")));
    assert_eq!(s.source(keys::REPORT_PATH), Some(&Source::Default));
    assert!(!s.is_set(keys::BENCH_CONFIG));
    assert!(s.unknown_keys().is_empty());
}

#[test]
fn each_layer_overrides_the_one_below() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Key a is set by the machine file only, b by machine and user, c up to the project
    // file, d up to the environment, e up to the flags.
    write(root, "machine.yaml", "caliper: {a: machine, b: machine, c: machine, d: machine, e: machine}\n");
    write(root, "user.yaml", "caliper: {b: user, c: user, d: user, e: user}\n");
    write(
        root,
        "caliper.yaml",
        "caliper:\n  c: project\n  d: project\n  e: project\n  userconfig: user.yaml\n",
    );
    let s = load(
        root,
        &[("CALIPER_MACHINECONFIG", "machine.yaml"), ("CALIPER_D", "env"), ("CALIPER_E", "env")],
        &["--caliper-e", "flag"],
    );
    for (key, expected) in [
        ("caliper-a", "machine"),
        ("caliper-b", "user"),
        ("caliper-c", "project"),
        ("caliper-d", "env"),
        ("caliper-e", "flag"),
    ] {
        assert_eq!(s.get_str(key), Ok(expected), "{key}");
    }
    assert_eq!(
        s.source("caliper-b"),
        Some(&Source::File { layer: FileLayer::User, path: root.join("user.yaml"), line: Some(1) })
    );
    assert_eq!(s.source("caliper-d"), Some(&Source::Env { var: "CALIPER_D".into() }));
    assert_eq!(s.source("caliper-e"), Some(&Source::Flag { flag: "--caliper-e".into() }));

    let mut s = s;
    s.set("caliper-e", "memory");
    assert_eq!(s.get_str("caliper-e"), Ok("memory"));
    assert_eq!(s.source("caliper-e"), Some(&Source::Set));
}

#[test]
fn environment_and_flag_values_are_typed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = load(
        dir.path(),
        &[("CALIPER_WORKER_REMOTE", "true"), ("CALIPER_PROGRESS_REPORTING_INTERVAL", "250")],
        &[
            "--caliper-report-precision=4",
            "--no-caliper-progress-reporting-enabled",
            "--caliper-flow-only-test",
        ],
    );
    assert_eq!(s.get(keys::WORKER_REMOTE), Some(&Value::Bool(true)));
    assert_eq!(s.get(keys::PROGRESS_REPORTING_INTERVAL), Some(&json!(250)));
    assert_eq!(s.get_duration_ms(keys::PROGRESS_REPORTING_INTERVAL), Ok(Duration::from_millis(250)));
    assert_eq!(s.get(keys::REPORT_PRECISION), Some(&json!(4)));
    assert_eq!(s.get_bool(keys::PROGRESS_REPORTING_ENABLED), Ok(false));
    assert_eq!(s.get_bool(keys::FLOW_ONLY_TEST), Ok(true));
}

#[test]
fn numbers_from_the_environment_still_read_as_strings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = load(dir.path(), &[("CALIPER_BENCHCONFIG", "2024")], &[]);
    assert_eq!(s.get_str(keys::BENCH_CONFIG), Ok("2024"));
    assert_eq!(s.path(keys::BENCH_CONFIG), Some(dir.path().join("2024")));
}

#[test]
fn relative_paths_resolve_against_the_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = load(
        dir.path(),
        &[("CALIPER_BENCHCONFIG", "bench/config.yaml")],
        &[
            "--caliper-workspace",
            "./ws/",
            "--caliper-networkconfig",
            "/abs/net.json",
            "--caliper-report-path",
            "../out/r.html",
        ],
    );
    assert_eq!(s.workspace(), dir.path().join("ws"));
    assert_eq!(s.required_path(keys::BENCH_CONFIG), Ok(dir.path().join("ws/bench/config.yaml")));
    assert_eq!(s.path(keys::NETWORK_CONFIG), Some("/abs/net.json".into()));
    assert_eq!(s.path(keys::REPORT_PATH), Some(dir.path().join("out/r.html")));
}

#[test]
fn the_project_file_is_found_in_the_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "ws/caliper.yaml",
        "caliper:\n  benchconfig: bench.yaml\n  worker:\n    communication: {method: mqtt}\n  report: {path: r.html}\n",
    );
    let s = load(dir.path(), &[("CALIPER_WORKSPACE", "ws")], &[]);
    assert_eq!(s.path(keys::BENCH_CONFIG), Some(dir.path().join("ws/bench.yaml")));
    assert_eq!(s.get_str(keys::WORKER_COMMUNICATION_METHOD), Ok("mqtt"));
    assert_eq!(
        s.source(keys::BENCH_CONFIG),
        Some(&Source::File {
            layer: FileLayer::Project,
            path: dir.path().join("ws/caliper.yaml"),
            line: Some(2)
        })
    );
    // A parent key gives the nested object, merged over every layer.
    assert_eq!(
        s.get("caliper-report"),
        Some(&json!({"path": "r.html", "json": "results.json", "precision": 3}))
    );
    assert_eq!(s.get("caliper-worker-communication-method"), Some(&json!("mqtt")));

    // caliper-projectconfig names another file instead.
    write(dir.path(), "ws/other.yaml", "caliper: {benchconfig: other-bench.yaml}\n");
    let s = load(dir.path(), &[("CALIPER_WORKSPACE", "ws")], &["--caliper-projectconfig", "other.yaml"]);
    assert_eq!(s.get_str(keys::BENCH_CONFIG), Ok("other-bench.yaml"));
    assert_eq!(s.get_str(keys::WORKER_COMMUNICATION_METHOD), Ok("process"));
}

#[test]
fn a_missing_setting_says_how_to_set_it() {
    let s = Settings::default();
    let err = s.required_path(keys::BENCH_CONFIG).expect_err("not set");
    assert_eq!(
        err.to_string(),
        "the setting caliper-benchconfig is not set: give --caliper-benchconfig <value> on the command line, \
         set CALIPER_BENCHCONFIG=<value>, or add caliper.benchconfig to caliper.yaml in the workspace"
    );
}

#[test]
fn a_bad_value_names_the_key_the_value_and_its_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "caliper.yaml", "caliper:\n  worker:\n    remote: sometimes\n");
    let s = load(
        dir.path(),
        &[("CALIPER_PROGRESS_REPORTING_INTERVAL", "often")],
        &["--caliper-report-precision", "-1"],
    );
    let err = s.get_u64(keys::PROGRESS_REPORTING_INTERVAL).expect_err("not a number");
    assert_eq!(
        err.to_string(),
        "the setting caliper-progress-reporting-interval = \"often\" (from the environment variable \
         CALIPER_PROGRESS_REPORTING_INTERVAL): expected a whole number of 0 or more"
    );
    let err = s.get_bool(keys::WORKER_REMOTE).expect_err("not a boolean");
    let file = dir.path().join("caliper.yaml");
    assert_eq!(
        err.to_string(),
        format!(
            "the setting caliper-worker-remote = \"sometimes\" (from the project settings file {}:3): expected true or false",
            file.display()
        )
    );
    let err = s.get_u64(keys::REPORT_PRECISION).expect_err("negative");
    assert!(
        err.to_string().contains("= -1 (from the command-line flag --caliper-report-precision)"),
        "{err}"
    );
    assert!(s.get_duration_ms(keys::PROGRESS_REPORTING_INTERVAL).is_err());
}

#[test]
fn secrets_are_not_shown() {
    let mut s = Settings::default();
    s.set(keys::AUTH_PROMETHEUS_PASSWORD, json!(["hunter2"]));
    let err = s.get_str(keys::AUTH_PROMETHEUS_PASSWORD).expect_err("not a string");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(err.to_string().contains("<redacted>"), "{err}");
    assert!(!format!("{s:?}").contains("hunter2"));
}

#[test]
fn durations_accept_milliseconds_and_units() {
    let mut s = Settings::default();
    for (value, expected) in [
        (json!(250), Duration::from_millis(250)),
        (json!(0.5), Duration::from_micros(500)),
        (json!("1500"), Duration::from_millis(1500)),
        (json!("5s"), Duration::from_secs(5)),
        (json!("2m"), Duration::from_secs(120)),
    ] {
        s.set(keys::ROUND_PAUSE, value.clone());
        assert_eq!(s.get_duration_ms(keys::ROUND_PAUSE), Ok(expected), "{value}");
    }
    s.set(keys::ROUND_PAUSE, -5);
    assert!(s.get_duration_ms(keys::ROUND_PAUSE).is_err());
}

#[test]
fn a_settings_file_named_by_a_setting_must_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Settings::load(&input(dir.path(), &[("CALIPER_USERCONFIG", "nope.yaml")], &[]))
        .expect_err("missing file");
    assert_eq!(
        err.to_string(),
        format!(
            "the user settings file {} does not exist (named by caliper-userconfig, set by the environment variable CALIPER_USERCONFIG)",
            dir.path().join("nope.yaml").display()
        )
    );
}

#[test]
fn a_settings_file_with_a_syntax_error_gives_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "caliper.yaml", "caliper:\n  report: [1, 2\n");
    let err = Settings::load(&input(dir.path(), &[], &[])).expect_err("bad yaml");
    let text = err.to_string();
    assert!(text.starts_with(&format!("{}:2:", dir.path().join("caliper.yaml").display())), "{text}");
    assert!(matches!(err, SettingsError::File { line: Some(2), column: Some(_), .. }), "{err:?}");

    write(dir.path(), "caliper.yaml", "- a list\n");
    let err = Settings::load(&input(dir.path(), &[], &[])).expect_err("not a mapping");
    assert!(err.to_string().contains("expected a mapping of settings"), "{err}");
}

#[test]
fn unknown_keys_are_listed_with_a_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "caliper.yaml", "caliper:\n  fabric: {gateway: {localhost: false}}\n");
    let s = load(dir.path(), &[("CALIPER_WORKER_REMOTEE", "true")], &["--caliper-report-pth", "x.html"]);
    let unknown = s.unknown_keys();
    let texts: Vec<String> = unknown.iter().map(ToString::to_string).collect();
    assert_eq!(unknown.len(), 3, "{texts:?}");
    assert!(unknown[0].caliper_only && !unknown[1].caliper_only && !unknown[2].caliper_only);
    assert_eq!(unknown[0].key, "caliper-fabric-gateway-localhost");
    assert!(texts[0].ends_with("is a Caliper setting that caliper-rs does not use"), "{}", texts[0]);
    assert_eq!(unknown[1].suggestion, Some(keys::REPORT_PATH));
    assert_eq!(
        texts[1],
        "unknown setting caliper-report-pth (from the command-line flag --caliper-report-pth); did you mean caliper-report-path?"
    );
    assert_eq!(unknown[2].suggestion, Some(keys::WORKER_REMOTE));
}

#[test]
fn set_workspace_moves_relative_paths() {
    let mut s = Settings::default();
    s.set(keys::WORKSPACE, "/srv/bench");
    s.set(keys::BENCH_CONFIG, "b.yaml");
    assert_eq!(s.workspace(), Path::new("/srv/bench"));
    assert_eq!(s.path(keys::BENCH_CONFIG), Some("/srv/bench/b.yaml".into()));
}
