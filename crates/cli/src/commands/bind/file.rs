//! The binding file: Caliper's schema (`settingProfiles`, `sut → sdk → {packages, settings}`),
//! read unchanged, with caliper-rs's keys per sdk entry (`installer`, `connector`, `requires`).
//!
//! The whole file is checked when it is read, and every mistake is reported with the file,
//! the key path and the line, as the benchmark and network files are.

use std::fmt;
use std::path::{Path, PathBuf};

use caliper_core::config::check::{Check, join};
use caliper_core::config::tree::{Kind, Node, ParseError, parse_yaml};
use caliper_core::config::{ConfigError, ConfigErrors, read_config};
use caliper_core::settings::Source;
use caliper_core::suggest::did_you_mean;

use super::runtime::{Requirement, Runtime};

/// The built-in binding file (docs/binding.md lists it).
const BUILTIN: &str = include_str!("builtin.yaml");

/// The keys of an sdk entry: Caliper's two, then caliper-rs's.
const SDK_KEYS: &[&str] = &["packages", "settings", "installer", "connector", "requires"];
/// The keys of a `settings` entry.
const SETTING_KEYS: &[&str] = &["versionRegexp", "env", "args"];

/// What installs an sdk entry's packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installer {
    /// `npm install` (Caliper's only installer, the default).
    Npm,
    /// `pip install` into `<workspace>/.caliper/venv`.
    Pip,
    /// `cargo install --root <workspace>/.caliper`.
    Cargo,
    /// Nothing to install (the built-in Rust connectors).
    None,
}

impl Installer {
    /// Every installer by its name in the file.
    pub const NAMES: &[&str] = &["npm", "pip", "cargo", "none"];

    fn from_name(name: &str) -> Option<Installer> {
        match name {
            "npm" => Some(Installer::Npm),
            "pip" => Some(Installer::Pip),
            "cargo" => Some(Installer::Cargo),
            "none" => Some(Installer::None),
            _ => None,
        }
    }

    /// The name in the file and in the record.
    pub fn name(self) -> &'static str {
        match self {
            Installer::Npm => "npm",
            Installer::Pip => "pip",
            Installer::Cargo => "cargo",
            Installer::None => "none",
        }
    }

    /// The runtime whose version `versionRegexp` is matched against.
    pub fn runtime(self) -> Option<Runtime> {
        match self {
            Installer::Npm => Some(Runtime::Node),
            Installer::Pip => Some(Runtime::Python),
            Installer::Cargo => Some(Runtime::Rust),
            Installer::None => None,
        }
    }
}

/// One entry of an sdk's `settings`: applies when the runtime's version matches.
#[derive(Debug)]
pub struct Setting {
    /// Matched against the runtime's version text (`node -v`: `v20.11.1`).
    pub version_regexp: fancy_regex::Regex,
    /// Variables for the installer; the process's own environment wins.
    pub env: Vec<(String, String)>,
    /// Installer arguments after the user's, split on spaces.
    pub args: Vec<String>,
}

/// One sdk entry: what `sut:sdk` installs.
#[derive(Debug)]
pub struct Sdk {
    /// The sdk key, such as `2.5`.
    pub key: String,
    /// What installs the packages.
    pub installer: Installer,
    /// The `caliper.blockchain` value the entry provides (informational).
    pub connector: Option<String>,
    /// Runtime versions needed, checked before installing.
    pub requires: Vec<Requirement>,
    /// The packages, as the installer takes them (`name@1.2.3`, `name==1.2.3`).
    pub packages: Vec<String>,
    /// Installer settings by runtime version; the first that matches applies.
    pub settings: Vec<Setting>,
}

/// One sut and its sdk entries.
#[derive(Debug)]
pub struct Sut {
    /// The sut name, such as `fabric`.
    pub name: String,
    /// Its sdk entries, in file order.
    pub sdks: Vec<Sdk>,
}

/// A checked binding file.
#[derive(Debug)]
pub struct BindingFile {
    /// Where it came from: a path, or the built-in one.
    pub origin: Origin,
    /// The suts, in file order.
    pub suts: Vec<Sut>,
}

/// Where a binding file came from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The file embedded in the binary.
    BuiltIn,
    /// `caliper-bind-file`.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("the built-in binding file"),
            Origin::File(path) => write!(f, "the binding file {}", path.display()),
        }
    }
}

/// Why `sut:sdk` is not in a binding file.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// No such sut.
    #[error("unknown SUT \"{sut}\" in {origin}{suggestion}; known SUTs: {known}")]
    Sut {
        /// What was asked for.
        sut: String,
        /// The file.
        origin: Origin,
        /// ` (did you mean "x"?)` or nothing.
        suggestion: String,
        /// The known suts, comma-separated.
        known: String,
    },
    /// The sut has no such sdk.
    #[error("unknown SDK \"{sdk}\" for SUT \"{sut}\" in {origin}{suggestion}; known SDKs of {sut}: {known}")]
    Sdk {
        /// The sut.
        sut: String,
        /// What was asked for.
        sdk: String,
        /// The file.
        origin: Origin,
        /// ` (did you mean "x"?)` or nothing.
        suggestion: String,
        /// The sut's sdk keys, comma-separated.
        known: String,
    },
}

fn suggestion<'a>(input: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(input, known).map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default()
}

impl BindingFile {
    /// The built-in binding file.
    pub fn builtin() -> Result<BindingFile, ConfigErrors> {
        let path = Path::new("(built-in binding file)");
        let root = parse_yaml(BUILTIN).map_err(|err| match err {
            ParseError::Syntax { line, column, message } => {
                ConfigErrors(vec![ConfigError::Syntax { path: path.to_path_buf(), line, column, message }])
            }
            ParseError::NotFound | ParseError::Io(_) => ConfigErrors(vec![]),
        })?;
        BindingFile::from_tree(&root, path, Origin::BuiltIn)
    }

    /// Reads and checks the binding file at `path` (set by `from`).
    pub fn load(path: &Path, from: Option<Source>) -> Result<BindingFile, ConfigErrors> {
        let root = read_config(path, "binding", from).map_err(|e| ConfigErrors(vec![e]))?;
        BindingFile::from_tree(&root, path, Origin::File(path.to_path_buf()))
    }

    fn from_tree(root: &Node, path: &Path, origin: Origin) -> Result<BindingFile, ConfigErrors> {
        let mut check = Check::new(path);
        let mut suts = Vec::new();
        // Top-level keys other than `sut` are free (Caliper's `settingProfiles` holds anchors).
        if let Some(root) = check.any_mapping("", root)
            && let Some(sut_node) = check.required("", root, "sut", "a mapping of SUT names to their SDKs")
            && let Some(entries) = check.any_mapping("sut", sut_node).and_then(Node::entries)
        {
            for entry in entries {
                let sut_path = join("sut", &entry.key);
                let Some(sdk_entries) = check.any_mapping(&sut_path, &entry.value).and_then(Node::entries)
                else {
                    continue;
                };
                let sdks = sdk_entries
                    .iter()
                    .filter_map(|e| sdk(&mut check, &join(&sut_path, &e.key), &e.key, &e.value))
                    .collect();
                suts.push(Sut { name: entry.key.clone(), sdks });
            }
        }
        if check.errors.is_empty() {
            Ok(BindingFile { origin, suts })
        } else {
            Err(ConfigErrors(check.errors))
        }
    }

    /// The entry of `sut:sdk`; an error lists what the file knows.
    pub fn find(&self, sut: &str, sdk: &str) -> Result<&Sdk, LookupError> {
        let found = self.sut(sut)?;
        found.sdks.iter().find(|s| s.key == sdk).ok_or_else(|| {
            let keys = found.sdks.iter().map(|s| s.key.as_str());
            LookupError::Sdk {
                sut: sut.to_string(),
                sdk: sdk.to_string(),
                origin: self.origin.clone(),
                suggestion: suggestion(sdk, keys.clone()),
                known: keys.collect::<Vec<_>>().join(", "),
            }
        })
    }

    /// The sut `name`; an error lists the file's suts.
    pub fn sut(&self, name: &str) -> Result<&Sut, LookupError> {
        self.suts.iter().find(|s| s.name == name).ok_or_else(|| {
            let names = self.suts.iter().map(|s| s.name.as_str());
            LookupError::Sut {
                sut: name.to_string(),
                origin: self.origin.clone(),
                suggestion: suggestion(name, names.clone()),
                known: names.collect::<Vec<_>>().join(", "),
            }
        })
    }
}

/// A scalar as text (`1.4` written without quotes, a number in `env`).
fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Bool(_) | Kind::Int(_) | Kind::UInt(_) | Kind::Float(_) => Some(node.to_json().to_string()),
        _ => None,
    }
}

fn sdk(check: &mut Check, path: &str, key: &str, node: &Node) -> Option<Sdk> {
    let node = check.mapping(path, node, SDK_KEYS)?;
    let installer = match Check::optional(node, "installer") {
        Some(n) => Installer::from_name(&check.one_of(
            &join(path, "installer"),
            n,
            Installer::NAMES,
            "installer",
        )?)?,
        None => Installer::Npm,
    };
    let connector =
        Check::optional(node, "connector").and_then(|n| check.non_empty_string(&join(path, "connector"), n));
    let requires = match Check::optional(node, "requires") {
        Some(n) => requires(check, &join(path, "requires"), n),
        None => Vec::new(),
    };
    let packages = match Check::optional(node, "packages") {
        Some(n) => packages(check, &join(path, "packages"), n),
        None if installer == Installer::None => Vec::new(),
        None => {
            check.error(path, node.loc, "missing key \"packages\": expected a list of packages to install");
            Vec::new()
        }
    };
    if installer == Installer::None && !packages.is_empty() {
        check.error(
            &join(path, "packages"),
            node.get("packages").and_then(|n| n.loc),
            "installer none installs nothing: remove the packages or name an installer (npm, pip or cargo)",
        );
    }
    let settings = match Check::optional(node, "settings") {
        Some(Node { kind: Kind::Seq(items), .. }) => items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| setting(check, &format!("{}[{i}]", join(path, "settings")), n))
            .collect(),
        Some(other) => {
            check.wrong_type(&join(path, "settings"), other, "a list of {versionRegexp, env, args}");
            Vec::new()
        }
        None => Vec::new(),
    };
    Some(Sdk { key: key.to_string(), installer, connector, requires, packages, settings })
}

fn packages(check: &mut Check, path: &str, node: &Node) -> Vec<String> {
    let Kind::Seq(items) = &node.kind else {
        check.wrong_type(path, node, "a list of packages");
        return Vec::new();
    };
    items.iter().enumerate().filter_map(|(i, n)| check.non_empty_string(&format!("{path}[{i}]"), n)).collect()
}

fn requires(check: &mut Check, path: &str, node: &Node) -> Vec<Requirement> {
    let Some(node) = check.mapping(path, node, Runtime::NAMES) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in node.entries().unwrap_or_default() {
        let key_path = join(path, &entry.key);
        let (Some(runtime), Some(text)) =
            (Runtime::from_name(&entry.key), check.non_empty_string(&key_path, &entry.value))
        else {
            continue;
        };
        match semver::VersionReq::parse(&text) {
            Ok(req) => out.push(Requirement { runtime, req, text }),
            Err(e) => check.error(
                &key_path,
                entry.value.loc,
                format!("\"{text}\" is not a version requirement such as \">=18.19\": {e}"),
            ),
        }
    }
    out
}

fn setting(check: &mut Check, path: &str, node: &Node) -> Option<Setting> {
    let node = check.mapping(path, node, SETTING_KEYS)?;
    let regexp_node =
        check.required(path, node, "versionRegexp", "a regular expression such as '^v18\\.'")?;
    let regexp_path = join(path, "versionRegexp");
    let text = check.string(&regexp_path, regexp_node)?;
    let version_regexp = match fancy_regex::Regex::new(&text) {
        Ok(r) => r,
        Err(e) => {
            check.error(&regexp_path, regexp_node.loc, format!("not a regular expression: {e}"));
            return None;
        }
    };
    let mut env = Vec::new();
    if let Some(env_node) = Check::optional(node, "env") {
        let env_path = join(path, "env");
        for entry in check.any_mapping(&env_path, env_node).and_then(Node::entries).unwrap_or_default() {
            match scalar_text(&entry.value) {
                Some(value) => env.push((entry.key.clone(), value)),
                None => check.wrong_type(&join(&env_path, &entry.key), &entry.value, "a string"),
            }
        }
    }
    let args = match Check::optional(node, "args") {
        Some(n) => match scalar_text(n) {
            Some(text) => text.split_whitespace().map(str::to_string).collect(),
            None => {
                check.wrong_type(&join(path, "args"), n, "a string of installer arguments");
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    Some(Setting { version_regexp, env, args })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BindingFile, String> {
        let root = parse_yaml(text).map_err(|e| format!("{e:?}"))?;
        BindingFile::from_tree(&root, Path::new("b.yaml"), Origin::File("b.yaml".into()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_builtin_file_has_caliper_0_6_0s_keys() {
        let file = BindingFile::builtin().expect("the built-in file is valid");
        for (sut, sdks) in [
            ("ethereum", &["1.2.1", "1.3", "latest"][..]),
            ("besu", &["1.3.2", "1.3", "1.4", "latest"]),
            ("fabric", &["1.4", "1.4.20", "1", "2.2", "2.2.20", "2.4", "2.5", "3", "fabric-gateway"]),
            ("sim", &["latest"]),
            ("node-fabric", &["1.4", "1.4.20", "1", "2.2", "2.2.20", "2.4", "2.5", "3", "fabric-gateway"]),
            ("node-ethereum", &["1.2.1", "1.3", "latest"]),
        ] {
            for sdk in sdks {
                file.find(sut, sdk).unwrap_or_else(|e| panic!("{sut}:{sdk}: {e}"));
            }
        }
        let gateway = file.find("node-fabric", "2.5").expect("node-fabric:2.5");
        assert_eq!(gateway.installer, Installer::Npm);
        assert_eq!(
            gateway.packages,
            [
                "@hyperledger/caliper-core@0.6.0",
                "@hyperledger/caliper-fabric@0.6.0",
                "@hyperledger/fabric-gateway@1.5.0",
                "@grpc/grpc-js@1.10.3"
            ]
        );
        assert_eq!(file.find("besu", "1.4").expect("besu").installer, Installer::None);
        // The Gateway's keys are the Rust connector; 2.2 peers have no Gateway: Caliper's.
        assert_eq!(file.find("fabric", "2.5").expect("fabric").installer, Installer::None);
        assert_eq!(file.find("fabric", "2.2").expect("fabric").installer, Installer::Npm);
        assert!(file.find("fabric", "latest").is_err(), "Caliper 0.6.0 has no fabric:latest");
    }

    #[test]
    fn a_caliper_file_reads_unchanged_with_unquoted_version_keys() {
        let file = parse(
            "settingProfiles:\n  p: &p\n    versionRegexp: '^((?!v8\\.).)*$'\n    env: {CFLAGS: x, N: 1}\n    args: '--build-from-source'\n\
             sut:\n  fast-ledger:\n    1.0:\n      packages: ['fast-sdk@1.0.0']\n      settings: [*p]\n",
        )
        .expect("valid");
        let sdk = file.find("fast-ledger", "1.0").expect("1.0");
        assert_eq!(sdk.installer, Installer::Npm);
        let setting = &sdk.settings[0];
        assert!(setting.version_regexp.is_match("v20.1.0").unwrap_or(false));
        assert!(!setting.version_regexp.is_match("v8.9.4").unwrap_or(true));
        assert_eq!(
            setting.env,
            [("CFLAGS".to_string(), "x".to_string()), ("N".to_string(), "1".to_string())]
        );
        assert_eq!(setting.args, ["--build-from-source"]);
    }

    #[test]
    fn mistakes_name_the_key_path_and_line_with_a_did_you_mean() {
        let err =
            parse("sut:\n  x:\n    '1':\n      pakages: [a]\n      installer: pipx\n").expect_err("invalid");
        assert!(
            err.contains("b.yaml:4:7: sut.x.1.pakages: unknown key \"pakages\" (did you mean \"packages\"?)"),
            "{err}"
        );
        assert!(
            err.contains("sut.x.1.installer: unknown installer \"pipx\" (did you mean \"pip\"?)"),
            "{err}"
        );
        let err = parse("sut:\n  x:\n    '1':\n      packages: [a]\n      requires: {nod: '>=18'}\n")
            .expect_err("invalid");
        assert!(err.contains("sut.x.1.requires.nod: unknown key \"nod\" (did you mean \"node\"?)"), "{err}");
        let err = parse("sut:\n  x:\n    '1':\n      packages: [a]\n      requires: {node: 'new'}\n")
            .expect_err("invalid");
        assert!(
            err.contains("b.yaml:5:24: sut.x.1.requires.node: \"new\" is not a version requirement"),
            "{err}"
        );
    }

    #[test]
    fn unknown_sut_and_sdk_list_the_known_ones() {
        let file = BindingFile::builtin().expect("valid");
        let err = file.find("fabirc", "2.5").expect_err("unknown").to_string();
        assert!(
            err.contains("unknown SUT \"fabirc\" in the built-in binding file (did you mean \"fabric\"?)"),
            "{err}"
        );
        assert!(err.contains("known SUTs: ethereum, besu, sim, fabric, node-fabric, node-ethereum"), "{err}");
        let err = file.find("fabric", "latest").expect_err("unknown").to_string();
        assert!(
            err.contains("known SDKs of fabric: 1.4, 1.4.20, 1, 2.2, 2.2.20, 2.4, 2.5, 3, fabric-gateway"),
            "{err}"
        );
    }
}
