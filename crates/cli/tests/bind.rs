//! `caliper bind` and `caliper unbind` through the binary, with the real npm and pip against
//! their registries: packages land in the workspace, the record says what was installed, and
//! unbind removes exactly that.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// A binding file in Caliper's schema with caliper-rs's keys: a tiny npm package whose
/// settings show which entry applied (the first would install nothing) and that the process
/// environment wins over a setting's (`npm_config_dry_run`), a tiny pip package, a package
/// that does not exist, and entries for the other installers.
const BINDING: &str = r#"
settingProfiles:
  modern: &modern
    versionRegexp: '^v\d+\.'
    env: { npm_config_dry_run: 'true' }
    args: '--save-exact'
sut:
  tiny:
    7.0.0:
      connector: node:tiny
      packages: ['is-number@7.0.0']
      settings:
        - versionRegexp: '^v0\.'
          args: '--dry-run'
        - *modern
  tinypy:
    '1.16':
      installer: pip
      packages: ['six==1.16.0']
  missing:
    '1':
      packages: ['caliper-rs-test-no-such-package@1.0.0']
  rusty:
    '14':
      installer: cargo
      packages: ['ripgrep@14.1.0']
  future:
    '1':
      requires: { node: '>=999' }
      packages: ['is-number@7.0.0']
"#;

/// A workspace with the binding file `bind.yaml`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bind.yaml"), BINDING).expect("binding file written");
    dir
}

/// One npm cache for every test (each install then takes well under a second).
fn npm_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bind-npm-cache")
}

/// `caliper <verb> --caliper-workspace <ws> <args>` in the workspace, with the shared npm
/// cache and npm's extras (audit, fund, update check) off.
fn command(ws: &Path, verb: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caliper"));
    cmd.arg(verb).arg("--caliper-workspace").arg(ws).args(args).current_dir(ws);
    cmd.env_remove("RUST_LOG")
        .env("npm_config_cache", npm_cache())
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
        // Wins over the binding setting's `npm_config_dry_run: 'true'`, as in Caliper.
        .env("npm_config_dry_run", "false")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("CALIPER_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn run(mut cmd: Command) -> Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("caliper runs");
    wait_output(child, Duration::from_secs(180))
}

fn caliper_in(ws: &Path, verb: &str, args: &[&str]) -> Output {
    run(command(ws, verb, args))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn record(ws: &Path) -> Value {
    let text = std::fs::read_to_string(ws.join(".caliper/binding.json")).expect("binding.json exists");
    serde_json::from_str(&text).expect("binding.json is JSON")
}

const FILE: &str = "--caliper-bind-file=bind.yaml";

#[test]
fn npm_installs_into_the_workspace_and_unbind_removes_exactly_that() {
    let dir = workspace();
    let ws = dir.path();
    let out =
        caliper_in(ws, "bind", &["--caliper-bind-sut", "tiny:7.0.0", FILE, "--caliper-bind-args=--no-audit"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.join("node_modules/is-number/package.json").is_file(), "{}", show(&out));
    // The second setting applied (the first's --dry-run would have installed nothing), with
    // its args after the user's; the process's npm_config_dry_run=false won over its env.
    let err = stderr(&out);
    assert!(err.contains("npm install --no-audit --save-exact is-number@7.0.0"), "{err}");
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.join("package.json")).expect("npm wrote package.json"),
    )
    .expect("JSON");
    assert_eq!(package["dependencies"]["is-number"], "7.0.0", "--save-exact applied: {package}");
    let bound = &record(ws)["bindings"][0];
    assert_eq!(bound["sut"], "tiny");
    assert_eq!(bound["sdk"], "7.0.0");
    assert_eq!(bound["installer"], "npm");
    assert_eq!(bound["packages"], serde_json::json!(["is-number@7.0.0"]));
    assert_eq!(bound["args"], serde_json::json!(["--no-audit"]));
    assert_eq!(bound["connector"], "node:tiny");
    assert_eq!(Path::new(bound["cwd"].as_str().expect("cwd")), ws);
    assert!(bound["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{bound}");

    // Unbind needs neither the sdk nor the file: the record says what was installed.
    let out = caliper_in(ws, "unbind", &["--caliper-bind-sut", "tiny"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stderr(&out).contains("npm uninstall --no-audit is-number\n"), "{}", show(&out));
    assert!(!ws.join("node_modules/is-number").exists(), "{}", show(&out));
    assert_eq!(record(ws)["bindings"], serde_json::json!([]));

    // A second unbind says there is nothing to do.
    let out = caliper_in(ws, "unbind", &["--caliper-bind-sut", "tiny:7.0.0", FILE]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stderr(&out).contains("tiny:7.0.0 is not bound in this workspace"), "{}", show(&out));
}

#[test]
fn pip_installs_into_the_workspace_venv_and_unbind_removes_it() {
    let dir = workspace();
    let ws = dir.path();
    let python = ws.join(".caliper/venv/bin/python");
    let six_version = || {
        Command::new(&python)
            .args(["-c", "import six; print(six.__version__)"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "tinypy:1.16", FILE]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stderr(&out).contains("python3 -m venv"), "{}", show(&out));
    assert_eq!(six_version().expect("the venv's python runs"), "1.16.0");
    let bound = &record(ws)["bindings"][0];
    assert_eq!(bound["installer"], "pip");
    assert_eq!(bound["packages"], serde_json::json!(["six==1.16.0"]));

    let out = caliper_in(ws, "unbind", &["--caliper-bind-sut", "tinypy:1.16"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stderr(&out).contains("-m pip uninstall -y six\n"), "{}", show(&out));
    assert_eq!(six_version().expect("the venv's python runs"), "", "six is gone");
    assert_eq!(record(ws)["bindings"], serde_json::json!([]));
}

#[test]
fn a_dry_run_prints_the_commands_and_where_and_installs_nothing() {
    let dir = workspace();
    let ws = dir.path();
    let out = caliper_in(
        ws,
        "bind",
        &["--caliper-bind-sut", "node-fabric:2.5", "--caliper-bind-dryrun", "--caliper-bind-args=--offline"],
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    let text = stdout(&out);
    assert!(text.contains("caliper bind node-fabric:2.5 (dry run)"), "{text}");
    assert!(
        text.contains(
            "npm install --offline @hyperledger/caliper-core@0.6.0 @hyperledger/caliper-fabric@0.6.0 \
             @hyperledger/fabric-gateway@1.5.0 @grpc/grpc-js@1.10.3\n"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("in {}\n", ws.display())), "{text}");
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "tinypy:1.16", FILE, "--caliper-bind-dryrun"]);
    let text = stdout(&out);
    assert!(text.contains(&format!("python3 -m venv {}/.caliper/venv\n", ws.display())), "{text}");
    assert!(text.contains("/.caliper/venv/bin/python -m pip install six==1.16.0\n"), "{text}");
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "rusty:14", FILE, "--caliper-bind-dryrun"]);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("cargo install --root {}/.caliper ripgrep@14.1.0\n", ws.display())),
        "{text}"
    );
    // npm's cwd is caliper-bind-cwd, relative to the current directory.
    let out = caliper_in(
        ws,
        "bind",
        &["--caliper-bind-sut", "tiny:7.0.0", FILE, "--caliper-bind-dryrun", "--caliper-bind-cwd", "sub"],
    );
    assert!(stdout(&out).contains(&format!("in {}/sub\n", ws.display())), "{}", show(&out));
    assert!(!ws.join("node_modules").exists() && !ws.join(".caliper").exists() && !ws.join("sub").exists());
}

#[test]
fn built_in_rust_connectors_bind_as_a_success_that_installs_nothing() {
    let dir = workspace();
    let ws = dir.path();
    for spec in
        ["ethereum:1.3", "ethereum:1.2.1", "besu:1.4", "besu", "sim", "fabric:2.5", "fabric:fabric-gateway"]
    {
        let out = caliper_in(ws, "bind", &["--caliper-bind-sut", spec]);
        assert_eq!(code(&out), 0, "{spec}: {}", show(&out));
        let connector =
            spec.split(':').next().map(|s| if s == "besu" { "ethereum" } else { s }).unwrap_or(spec);
        assert!(
            stderr(&out).contains(&format!("built-in Rust connector {connector}: nothing to install")),
            "{spec}: {}",
            show(&out)
        );
    }
    let out = caliper_in(ws, "unbind", &["--caliper-bind-sut", "ethereum:1.3"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(
        stderr(&out).contains("built-in Rust connector ethereum: nothing to uninstall"),
        "{}",
        show(&out)
    );
    assert!(!ws.join(".caliper").exists() && !ws.join("node_modules").exists());
}

#[test]
fn unknown_sut_or_sdk_lists_the_known_ones() {
    let dir = workspace();
    let ws = dir.path();
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "fabirc:2.5"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out).contains(
            "unknown SUT \"fabirc\" in the built-in binding file (did you mean \"fabric\"?); \
             known SUTs: ethereum, besu, sim, fabric, node-fabric, node-ethereum"
        ),
        "{}",
        show(&out)
    );
    // No fabric:latest, as in Caliper 0.6.0: a bare fabric fails and lists the SDKs.
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "fabric"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    let err = stderr(&out);
    assert!(err.contains("names no SDK: binding fabric:latest"), "{err}");
    assert!(
        err.contains("known SDKs of fabric: 1.4, 1.4.20, 1, 2.2, 2.2.20, 2.4, 2.5, 3, fabric-gateway"),
        "{err}"
    );
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "tiny:7", FILE]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("in the binding file"), "{}", show(&out));
    assert!(stderr(&out).contains("known SDKs of tiny: 7.0.0"), "{}", show(&out));
    let out = caliper_in(ws, "bind", &[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("the setting caliper-bind-sut is not set"), "{}", show(&out));
}

#[test]
fn a_failed_install_shows_its_output_keeps_its_exit_code_and_records_nothing() {
    let dir = workspace();
    let ws = dir.path();
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "missing:1", FILE]);
    let err = stderr(&out);
    // npm exits with 1 on a package that is not in the registry; bind exits with npm's code.
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(err.contains("E404"), "npm's own output is shown: {err}");
    assert!(
        err.contains("the installer failed with exit code 1 (its output is above): npm install caliper-rs-test-no-such-package@1.0.0"),
        "{err}"
    );
    assert!(!ws.join(".caliper/binding.json").exists());
}

#[test]
fn a_missing_installer_or_too_old_a_runtime_says_what_to_install() {
    let dir = workspace();
    let ws = dir.path();
    let empty = tempfile::tempdir().expect("temp dir");
    let mut cmd = command(ws, "bind", &["--caliper-bind-sut", "missing:1", FILE]);
    cmd.env("PATH", empty.path());
    let out = run(cmd);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("npm is not on PATH: install Node.js 18.19 or later with npm"),
        "{}",
        show(&out)
    );
    let mut cmd = command(ws, "bind", &["--caliper-bind-sut", "tinypy:1.16", FILE]);
    cmd.env("PATH", empty.path());
    let out = run(cmd);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(
        stderr(&out).contains("python3 is not on PATH: install Python 3 with its venv module"),
        "{}",
        show(&out)
    );
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "future:1", FILE]);
    assert_eq!(code(&out), 1, "{}", show(&out));
    assert!(stderr(&out).contains("future:1 requires Node.js >=999, but 2"), "{}", show(&out));
    assert!(!ws.join("node_modules").exists());
}

#[test]
fn each_flag_is_given_once_and_args_need_the_equals_form_for_a_dash() {
    let dir = workspace();
    let ws = dir.path();
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "sim", "--caliper-bind-sut=ethereum"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("--caliper-bind-sut may be given only once"), "{}", show(&out));
    let out = caliper_in(
        ws,
        "unbind",
        &["--caliper-bind-sut", "sim", "--caliper-bind-file=a", "--caliper-bind-file=b"],
    );
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("--caliper-bind-file may be given only once"), "{}", show(&out));
    let out =
        caliper_in(ws, "bind", &["--caliper-bind-sut", "fabric:2.5", "--caliper-bind-args", "--offline"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out).contains("write it with =, such as --caliper-bind-args=--offline"),
        "{}",
        show(&out)
    );
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "sim", "--caliper-bind-file", "nope.yaml"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("nope.yaml does not exist"), "{}", show(&out));
}

#[test]
fn the_settings_come_from_the_environment_and_caliper_yaml_too() {
    let dir = workspace();
    let ws = dir.path();
    let mut cmd = command(ws, "bind", &[]);
    cmd.env("CALIPER_BIND_SUT", "tiny:7.0.0")
        .env("CALIPER_BIND_FILE", "bind.yaml")
        .env("CALIPER_BIND_DRYRUN", "true");
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("npm install --save-exact is-number@7.0.0"), "{}", show(&out));
    std::fs::write(ws.join("caliper.yaml"), "caliper:\n  bind:\n    sut: 'tinypy:1.16'\n    file: bind.yaml\n    dryrun: true\n    args: --no-cache-dir\n")
        .expect("caliper.yaml written");
    let out = caliper_in(ws, "bind", &[]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("-m pip install --no-cache-dir six==1.16.0"), "{}", show(&out));
    // A flag wins over caliper.yaml, whose other bind settings still apply.
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "rusty:14"]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("/.caliper --no-cache-dir ripgrep@14.1.0\n"), "{}", show(&out));
    assert!(!ws.join("node_modules").exists() && !ws.join(".caliper").exists());
}

#[test]
fn a_binding_file_mistake_names_the_file_key_path_and_line() {
    let dir = workspace();
    let ws = dir.path();
    std::fs::write(ws.join("bad.yaml"), "sut:\n  x:\n    '1':\n      pakages: [a]\n").expect("written");
    let out = caliper_in(ws, "bind", &["--caliper-bind-sut", "x:1", "--caliper-bind-file", "bad.yaml"]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out)
            .contains("bad.yaml:4:7: sut.x.1.pakages: unknown key \"pakages\" (did you mean \"packages\"?)"),
        "{}",
        show(&out)
    );
}

const BENCH: &str = r#"
test:
  name: bind-then-run
  workers: { number: 2 }
  rounds:
    - label: quick
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 200 } }
      workload: { module: sim-mix, arguments: { keys: 10, mix: { write: 1 } } }
"#;

#[test]
fn launch_manager_binds_first_and_its_workers_do_not() {
    let ws = Workspace::new(BENCH, &sim_network("seed: 1"));
    std::fs::write(ws.file("bind.yaml"), BINDING).expect("binding file written");
    let mut cmd = ws.manager(&["--caliper-bind-sut", "tiny:7.0.0", FILE]);
    cmd.env("npm_config_cache", npm_cache()).env("npm_config_dry_run", "false").current_dir(ws.path());
    let out = wait_output(
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("runs"),
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(ws.file("node_modules/is-number").is_dir(), "{}", show(&out));
    assert_eq!(stderr(&out).matches("bound tiny:7.0.0").count(), 1, "the manager bound once: {}", show(&out));
    assert_eq!(rounds(&ws.results())[0]["status"], "passed");

    // An unknown binding stops the launch before anything runs.
    std::fs::remove_file(ws.file("results.json")).expect("removed");
    let out = ws.run(&["--caliper-bind-sut", "nope:1"], Duration::from_secs(60));
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out).contains("caliper-bind-sut is set, and binding failed: unknown SUT \"nope\""),
        "{}",
        show(&out)
    );
    assert!(!ws.file("results.json").exists());
}
