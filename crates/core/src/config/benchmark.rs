//! The benchmark configuration file (`caliper-benchconfig`): `test` with its workers and
//! rounds, and `monitors`.
//!
//! The file is YAML (anchors, aliases and merge keys work) or JSON (by the `.json`
//! extension). [`BenchmarkConfig::load`] validates all of it before returning and reports
//! every problem at once: unknown keys inside known sections (with a did-you-mean), missing
//! or mistyped values, `txNumber` and `txDuration` both or neither, and each round's rate
//! controller as [`crate::rate::build`] sees it for every worker. Free top-level keys (holders of YAML
//! anchors) are allowed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use super::check::{Check, index, join};
use super::error::{ConfigError, ConfigErrors, OptionError};
use super::tree::{Kind, Node, ParseError, read_file};
use crate::monitor::MonitorRegistry;
use crate::rate::{RateContext, RateControlSpec, RateError};
use crate::settings::{Settings, keys};
use crate::tx_observer::TxObserverRegistry;
use crate::workload::{WorkloadError, WorkloadRegistry};

/// The keys of `test`.
pub const TEST_KEYS: &[&str] = &["name", "description", "workers", "rounds"];
/// The most workers a benchmark may ask for: far beyond what one manager drives, and low enough
/// that a typo (`number: 1e12`) is refused instead of forking processes or building a rate
/// controller per worker until the machine gives up.
pub const MAX_WORKERS: usize = 10_000;
/// The keys of `test.workers`.
pub const WORKERS_KEYS: &[&str] = &["type", "number"];
/// The keys of a round.
pub const ROUND_KEYS: &[&str] =
    &["label", "description", "txNumber", "txDuration", "rateControl", "workload", "trim"];
/// The keys of a round's `rateControl`.
pub const RATE_CONTROL_KEYS: &[&str] = &["type", "opts"];
/// The keys of a round's `workload`.
pub const WORKLOAD_KEYS: &[&str] = &["module", "arguments"];
/// The keys of `monitors`.
pub const MONITORS_KEYS: &[&str] = &["resource", "transaction"];
/// The keys of one monitor.
pub const MONITOR_KEYS: &[&str] = &["module", "options"];
/// The resource monitors (`monitors.resource[].module`); `none` is accepted and dropped.
pub const RESOURCE_MONITORS: &[&str] = &["process", "docker", "prometheus", "none"];
/// The transaction monitors (`monitors.transaction[].module`).
pub const TRANSACTION_MONITORS: &[&str] = &["logging", "prometheus", "prometheus-push", "export"];
/// The keys of the legacy `observer` section.
pub const OBSERVER_KEYS: &[&str] = &["type", "interval"];
/// The legacy observer types.
pub const OBSERVER_TYPES: &[&str] = &["none", "local", "prometheus"];

/// A validated benchmark configuration: what the manager runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// `test.name` (the file name without extension when absent).
    pub name: String,
    /// `test.description`.
    pub description: Option<String>,
    /// `test.workers.number` (default 1, at least 1); with `auto`, the cores this process may
    /// use ([`available_workers`]).
    pub workers: usize,
    /// Whether `test.workers.number` is `auto`.
    pub workers_auto: bool,
    /// `test.rounds`, in order (at least one).
    pub rounds: Vec<RoundConfig>,
    /// `monitors`.
    pub monitors: MonitorsConfig,
    /// Keys that were accepted but are ignored, and legacy keys, as `file:line:col: key: why`
    /// lines. They are also logged at warn level when the file is loaded.
    pub warnings: Vec<String>,
    /// The whole file as JSON (aliases and merge keys resolved), for the reports.
    pub raw: Value,
}

/// One round of `test.rounds`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundConfig {
    /// `label`; rounds with the same label are grouped in the report.
    pub label: String,
    /// `description`.
    pub description: Option<String>,
    /// `txNumber` or `txDuration`.
    pub tx: TxLimit,
    /// `rateControl`.
    pub rate_control: RateControlSpec,
    /// `workload`.
    pub workload: WorkloadSpec,
    /// The round as written (aliases and merge keys resolved).
    pub raw: Value,
}

/// When a round ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxLimit {
    /// `txNumber`: transactions over all workers.
    Number(u64),
    /// `txDuration` (seconds in the file): every worker runs this long.
    Duration(Duration),
}

/// A round's `workload`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    /// `workload.module`: a `.js` path (relative to the workspace) or a registered name.
    pub module: String,
    /// `workload.arguments`: always an object (`{}` when absent).
    pub arguments: Value,
}

/// `monitors`, structurally validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorsConfig {
    /// `monitors.resource` (manager side), at most one of each module, `none` dropped.
    pub resource: Vec<MonitorSpec>,
    /// `monitors.transaction` (worker side).
    pub transaction: Vec<MonitorSpec>,
}

/// One monitor: `{module, options}`.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorSpec {
    /// `module`, one of [`RESOURCE_MONITORS`] or [`TRANSACTION_MONITORS`].
    pub module: String,
    /// `options` (empty when absent).
    pub options: Map<String, Value>,
}

impl RoundConfig {
    /// The share of `txNumber` of worker `worker_index` out of `workers`: an exact split, the
    /// first `txNumber % workers` workers taking one more (Caliper drops the remainder).
    /// `None` in a `txDuration` round.
    pub fn tx_number_share(&self, worker_index: usize, workers: usize) -> Option<u64> {
        match self.tx {
            TxLimit::Number(total) => Some(tx_share(total, worker_index, workers)),
            TxLimit::Duration(_) => None,
        }
    }

    /// The round's duration, in a `txDuration` round.
    pub fn tx_duration(&self) -> Option<Duration> {
        match self.tx {
            TxLimit::Duration(d) => Some(d),
            TxLimit::Number(_) => None,
        }
    }
}

fn tx_share(total: u64, worker_index: usize, workers: usize) -> u64 {
    let workers = workers.max(1) as u64;
    let extra = u64::from((worker_index as u64) < total % workers);
    total / workers + extra
}

impl BenchmarkConfig {
    /// Reads and validates the file `path`; relative paths inside it (rate controller files)
    /// resolve against the current directory.
    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        let workspace = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self::load_in(path, &workspace)
    }

    /// Reads and validates the file `path`, with `workspace` as the root of relative paths.
    pub fn load_in(path: &Path, workspace: &Path) -> Result<Self, ConfigErrors> {
        load_file(path, workspace, None, RateCheck::Build, None, MonitorModules::default())
    }

    /// Reads and validates the file named by the `caliper-benchconfig` setting.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigErrors> {
        Self::check_from_settings(settings, None)
    }

    /// [`BenchmarkConfig::from_settings`], and with `workloads` each round's workload module
    /// as the registry loads it (a `.js` file is compiled) and its arguments as the module's
    /// registered check reads them: the errors name the key below `workload`, with its line.
    pub fn check_from_settings(
        settings: &Settings,
        workloads: Option<&WorkloadRegistry>,
    ) -> Result<Self, ConfigErrors> {
        Self::check_from_settings_with(settings, workloads, MonitorModules::default())
    }

    /// [`BenchmarkConfig::check_from_settings`], and with `monitors` each resource monitor's
    /// and transaction observer's `options` as its factory checks them: the errors name the key
    /// below `monitors.resource[i].options` (or `monitors.transaction[i].options`), with its
    /// line. A resource monitor this build does not provide is a warning (it is not run); an
    /// observer, an error (the workers could not start the round).
    pub fn check_from_settings_with(
        settings: &Settings,
        workloads: Option<&WorkloadRegistry>,
        monitors: MonitorModules<'_>,
    ) -> Result<Self, ConfigErrors> {
        let path = settings.required_path(keys::BENCH_CONFIG)?;
        let from = settings.source(keys::BENCH_CONFIG).cloned();
        load_file(&path, settings.workspace(), from, RateCheck::Build, workloads, monitors)
    }
}

/// The tree of a configuration file, or the error that says why there is none.
pub fn read_config(
    path: &Path,
    what: &'static str,
    from: Option<crate::settings::Source>,
) -> Result<Node, ConfigError> {
    read_file(path).map_err(|err| match err {
        ParseError::NotFound => ConfigError::NotFound { what, path: path.to_path_buf(), from },
        ParseError::Io(source) => ConfigError::Read { what, path: path.to_path_buf(), source },
        ParseError::Syntax { line, column, message } => {
            ConfigError::Syntax { path: path.to_path_buf(), line, column, message }
        }
    })
}

/// Whether loading builds each round's rate controller to validate its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RateCheck {
    /// Build it for every worker (what every public loader does).
    Build,
    /// Skip it (tests of the other rules).
    #[cfg_attr(not(test), allow(dead_code))]
    Skip,
}

/// The monitor and observer modules of this build, whose options a check reads.
#[derive(Clone, Copy, Default)]
pub struct MonitorModules<'a> {
    /// The resource monitors (`monitors.resource`).
    pub resource: Option<&'a MonitorRegistry>,
    /// The transaction observers (`monitors.transaction`).
    pub transaction: Option<&'a TxObserverRegistry>,
}

/// A registry whose modules check their own options.
trait ModuleOptions {
    /// The mistakes in `options` of `module`; `None` when this build does not provide it.
    fn check_options(&self, module: &str, options: &Map<String, Value>) -> Option<Vec<OptionError>>;
}

impl ModuleOptions for MonitorRegistry {
    fn check_options(&self, module: &str, options: &Map<String, Value>) -> Option<Vec<OptionError>> {
        self.get(module).map(|factory| factory.check(options))
    }
}

impl ModuleOptions for TxObserverRegistry {
    fn check_options(&self, module: &str, options: &Map<String, Value>) -> Option<Vec<OptionError>> {
        self.get(module).map(|factory| factory.check(options).err().unwrap_or_default())
    }
}

pub(crate) fn load_file(
    path: &Path,
    workspace: &Path,
    from: Option<crate::settings::Source>,
    rates: RateCheck,
    workloads: Option<&WorkloadRegistry>,
    monitors: MonitorModules<'_>,
) -> Result<BenchmarkConfig, ConfigErrors> {
    let root = read_config(path, "benchmark configuration", from)?;
    let mut check = Check::new(path);
    let modules = workloads.map(|registry| Modules { registry, workspace });
    let config = validate(&mut check, path, workspace, &root, rates, modules, monitors);
    for warning in &check.warnings {
        tracing::warn!("{warning}");
    }
    match config {
        Some(mut config) if check.errors.is_empty() => {
            config.warnings = check.warnings;
            Ok(config)
        }
        _ => Err(ConfigErrors(check.errors)),
    }
}

fn validate(
    check: &mut Check,
    path: &Path,
    workspace: &Path,
    root: &Node,
    rates: RateCheck,
    modules: Option<Modules<'_>>,
    monitor_modules: MonitorModules<'_>,
) -> Option<BenchmarkConfig> {
    let root = check.any_mapping("", root)?;
    let test = test(check, path, workspace, root, rates, modules);
    if let Some(monitor) = root.entry("monitor") {
        check.warn(
            "monitor",
            monitor.key_loc,
            "the legacy \"monitor\" section is ignored; use monitors.resource and monitors.transaction",
        );
    }
    let monitors = match Check::optional(root, "monitors") {
        Some(node) => monitors(check, node, monitor_modules),
        None => MonitorsConfig::default(),
    };
    if let Some(node) = Check::optional(root, "observer") {
        observer(check, node);
    }

    let test = test?;
    Some(BenchmarkConfig {
        path: path.to_path_buf(),
        name: test.name,
        description: test.description,
        workers: test.workers.0,
        workers_auto: test.workers.1,
        rounds: test.rounds,
        monitors,
        warnings: Vec::new(),
        raw: root.to_json(),
    })
}

/// The validated `test` section.
struct TestSection {
    name: String,
    description: Option<String>,
    /// The number, and whether it was `auto`.
    workers: (usize, bool),
    rounds: Vec<RoundConfig>,
}

/// `test`: name, description, workers and rounds.
fn test(
    check: &mut Check,
    path: &Path,
    workspace: &Path,
    root: &Node,
    rates: RateCheck,
    modules: Option<Modules<'_>>,
) -> Option<TestSection> {
    let test = check.required("", root, "test", "a mapping with name, workers and rounds")?;
    let test = check.mapping("test", test, TEST_KEYS)?;
    let name = match Check::optional(test, "name") {
        Some(node) => check.string("test.name", node),
        None => Some(path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
    };
    let description = Check::optional(test, "description").and_then(|n| check.string("test.description", n));
    let workers = match Check::optional(test, "workers") {
        Some(node) => workers(check, node),
        None => Some((1, false)),
    };
    let rounds_node = check.required("test", test, "rounds", "a list of rounds")?;
    let Some(items) = (match &rounds_node.kind {
        Kind::Seq(items) => Some(items),
        _ => None,
    }) else {
        check.wrong_type("test.rounds", rounds_node, "a list of rounds");
        return None;
    };
    if items.is_empty() {
        check.error("test.rounds", rounds_node.loc, "expected at least one round");
    }
    let total_workers = workers.map_or(1, |(n, _)| n);
    let mut rounds = Vec::with_capacity(items.len());
    let mut recorded = false;
    for (i, item) in items.iter().enumerate() {
        let rate_check =
            (rates == RateCheck::Build).then_some(RatePass { workspace, recorded_before: recorded });
        let round = round(check, i, item, total_workers, rate_check, modules);
        if let Some(round) = round {
            recorded |= round.rate_control.kind == "record-rate";
            rounds.push(round);
        }
    }
    Some(TestSection { name: name?, description, workers: workers?, rounds })
}

/// The number of workers `test.workers.number: auto` starts: one per core this process may
/// use. On Linux, [`std::thread::available_parallelism`] counts the CPUs of the affinity mask
/// (`taskset`, a cgroup cpuset) and caps them by the cgroup CPU quota (`cpu.max`, as
/// `docker run --cpus` sets it), rounded down, at least 1; 1 when it cannot tell.
pub fn available_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_WORKERS)
}

/// `test.workers`: the number, and whether it was `auto`.
fn workers(check: &mut Check, node: &Node) -> Option<(usize, bool)> {
    let node = check.mapping("test.workers", node, WORKERS_KEYS)?;
    // `type` is accepted and ignored, as in Caliper ("currently unused"), without a warning:
    // Caliper's own examples all set it.
    match Check::optional(node, "number") {
        Some(number) if number.as_str() == Some("auto") => Some((available_workers(), true)),
        Some(number) if number.as_str().is_some() => {
            let found = super::check::show(number);
            check.error(
                "test.workers.number",
                number.loc,
                format!("expected a whole number of at least 1, or auto, found {found}"),
            );
            None
        }
        Some(number) => {
            let n = check.positive_integer("test.workers.number", number)?;
            match usize::try_from(n).ok().filter(|n| *n <= MAX_WORKERS) {
                Some(n) => Some((n, false)),
                None => {
                    check.error(
                        "test.workers.number",
                        number.loc,
                        format!("expected at most {MAX_WORKERS} workers, found {n}: each is a process (or a remote worker) the manager waits for"),
                    );
                    None
                }
            }
        }
        None => Some((1, false)),
    }
}

/// The workload modules a round's `workload` is checked against.
#[derive(Clone, Copy)]
struct Modules<'a> {
    registry: &'a WorkloadRegistry,
    workspace: &'a Path,
}

/// What the rate controller check of a round needs.
struct RatePass<'a> {
    workspace: &'a Path,
    /// Whether an earlier round records a rate file (which a replay may read).
    recorded_before: bool,
}

fn round(
    check: &mut Check,
    i: usize,
    node: &Node,
    total_workers: usize,
    rates: Option<RatePass<'_>>,
    modules: Option<Modules<'_>>,
) -> Option<RoundConfig> {
    let path = index("test.rounds", i);
    let node = check.mapping(&path, node, ROUND_KEYS)?;
    let label = check
        .required(&path, node, "label", "a string")
        .and_then(|n| check.non_empty_string(&join(&path, "label"), n));
    let description =
        Check::optional(node, "description").and_then(|n| check.string(&join(&path, "description"), n));

    let number = Check::optional(node, "txNumber");
    let duration = Check::optional(node, "txDuration");
    let tx = match (number, duration) {
        (Some(_), Some(_)) => {
            check.error(
                &path,
                node.loc,
                "txNumber and txDuration are mutually exclusive: give exactly one of them",
            );
            None
        }
        (None, None) => {
            check.error(
                &path,
                node.loc,
                "missing txNumber or txDuration: give exactly one of them (txNumber: transactions \
                 over all workers; txDuration: seconds)",
            );
            None
        }
        (Some(n), None) => check.positive_integer(&join(&path, "txNumber"), n).map(TxLimit::Number),
        (None, Some(d)) => {
            let key = join(&path, "txDuration");
            check.positive_number(&key, d).and_then(|secs| match Duration::try_from_secs_f64(secs) {
                Ok(d) => Some(TxLimit::Duration(d)),
                Err(_) => {
                    check.error(&key, d.loc, "duration out of range");
                    None
                }
            })
        }
    };

    let rate_path = join(&path, "rateControl");
    let rate_node = check.required(&path, node, "rateControl", "a mapping {type, opts}");
    let rate_control = rate_node.and_then(|n| rate_control(check, &rate_path, n));

    let workload_path = join(&path, "workload");
    let workload_node = check.required(&path, node, "workload", "a mapping {module, arguments}");
    let workload = workload_node.and_then(|n| workload(check, &workload_path, n));
    if let (Some(spec), Some(workload_node), Some(modules)) = (&workload, workload_node, modules) {
        workload_module(check, &workload_path, workload_node, spec, modules);
    }

    if let Some(trim) = Check::optional(node, "trim") {
        let key = join(&path, "trim");
        if check.non_negative_number(&key, trim).is_some() {
            check.warn(&key, trim.loc, "ignored (caliper-rs does not trim; Caliper does not either)");
        }
    }

    let (label, tx, rate_control, workload) = (label?, tx?, rate_control?, workload?);
    if let (Some(rate_node), Some(rates)) = (rate_node, rates) {
        // Every worker's controller, not only worker 0's: a replay-rate reads a file of its
        // own per worker (`<C>` in its path). One error per round is enough.
        for worker_index in 0..total_workers {
            let ctx = RateContext {
                round_index: i,
                round_label: label.clone(),
                worker_index,
                total_workers,
                tx_number: match tx {
                    TxLimit::Number(total) => Some(tx_share(total, worker_index, total_workers)),
                    TxLimit::Duration(_) => None,
                },
                tx_duration: match tx {
                    TxLimit::Duration(d) => Some(d),
                    TxLimit::Number(_) => None,
                },
                workspace: rates.workspace.to_path_buf(),
            };
            if let Err(err) = crate::rate::build(&rate_control, &ctx) {
                rate_error(check, &rate_path, rate_node, err, rates.recorded_before);
                break;
            }
        }
    }
    Some(RoundConfig { label, description, tx, rate_control, workload, raw: node.to_json() })
}

fn rate_control(check: &mut Check, path: &str, node: &Node) -> Option<RateControlSpec> {
    let node = check.mapping(path, node, RATE_CONTROL_KEYS)?;
    let kind = check
        .required(path, node, "type", "the name of a rate controller, such as fixed-rate")
        .and_then(|n| check.non_empty_string(&join(path, "type"), n));
    let opts = match Check::optional(node, "opts") {
        Some(opts) => check.any_mapping(&join(path, "opts"), opts).map(Node::to_json),
        None => Some(Value::Object(Map::new())),
    };
    Some(RateControlSpec { kind: kind?, opts: opts? })
}

/// Reports a rate controller's complaint at the key it is about.
fn rate_error(check: &mut Check, path: &str, node: &Node, err: RateError, recorded_before: bool) {
    match err {
        RateError::UnknownType { .. } => {
            let loc = node.get("type").and_then(|n| n.loc).or(node.loc);
            check.error(&join(path, "type"), loc, err.to_string());
        }
        RateError::Option { path: below, message } => {
            let loc = node.locate(&below).or(node.loc);
            check.error(&join(path, &below), loc, message);
        }
        // A replay file may be written by an earlier round's record-rate during the run.
        RateError::File { .. } if recorded_before => {}
        RateError::File { path: file, message } => {
            check.error(path, node.loc, format!("{}: {message}", file.display()));
        }
    }
}

/// The module of a round's `workload` can be loaded, and its arguments are what it reads.
fn workload_module(check: &mut Check, path: &str, node: &Node, spec: &WorkloadSpec, modules: Modules<'_>) {
    if let Err(e) = modules.registry.check(&spec.module, modules.workspace) {
        let loc = node.get("module").and_then(|n| n.loc).or(node.loc);
        check.error(&join(path, "module"), loc, e.to_string());
        return;
    }
    for error in modules.registry.check_arguments(&spec.module, &spec.arguments).err().unwrap_or_default() {
        match error {
            WorkloadError::Arguments { path: below, message } => {
                let below = format!("arguments{below}");
                let loc = node.locate(&below).or(node.loc);
                check.error(&join(path, &below), loc, message);
            }
            other => check.error(path, node.loc, other.to_string()),
        }
    }
}

fn workload(check: &mut Check, path: &str, node: &Node) -> Option<WorkloadSpec> {
    let node = check.mapping(path, node, WORKLOAD_KEYS)?;
    let module = check
        .required(path, node, "module", "a workload module: a .js path or a registered name")
        .and_then(|n| check.non_empty_string(&join(path, "module"), n));
    let arguments = match Check::optional(node, "arguments") {
        Some(args) => check.any_mapping(&join(path, "arguments"), args).map(Node::to_json),
        None => Some(Value::Object(Map::new())),
    };
    Some(WorkloadSpec { module: module?, arguments: arguments? })
}

fn monitors(check: &mut Check, node: &Node, modules: MonitorModules<'_>) -> MonitorsConfig {
    let mut config = MonitorsConfig::default();
    let Some(node) = check.mapping("monitors", node, MONITORS_KEYS) else {
        return config;
    };
    if let Some(list) = Check::optional(node, "resource") {
        config.resource =
            monitor_list(check, "monitors.resource", list, RESOURCE_MONITORS, "resource monitor", true);
        if let Some(registry) = modules.resource {
            module_options(check, list, "monitors.resource", RESOURCE_MONITORS, registry, false);
        }
        config.resource.retain(|m| m.module != "none");
    }
    if let Some(list) = Check::optional(node, "transaction") {
        config.transaction = monitor_list(
            check,
            "monitors.transaction",
            list,
            TRANSACTION_MONITORS,
            "transaction monitor",
            false,
        );
        if let Some(registry) = modules.transaction {
            module_options(check, list, "monitors.transaction", TRANSACTION_MONITORS, registry, true);
        }
    }
    config
}

/// Each monitor's (or observer's) `options` as its module checks them (an item whose module or
/// options are not valid was reported already and is skipped). A module this build does not
/// provide is an error when `required`, else a warning (it is not run).
fn module_options(
    check: &mut Check,
    list: &Node,
    list_path: &str,
    known: &[&str],
    registry: &dyn ModuleOptions,
    required: bool,
) {
    let Kind::Seq(items) = &list.kind else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let Some(module) = item.get("module").and_then(Node::as_str) else {
            continue;
        };
        let options = match item.get("options").map(Node::to_json) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => continue,
        };
        let path = index(list_path, i);
        if module == "none" || !known.contains(&module) {
            continue;
        }
        let Some(errors) = registry.check_options(module, &options) else {
            let (key, loc) = (join(&path, "module"), item.get("module").and_then(|n| n.loc));
            let what = if required { "transaction observer" } else { "resource monitor" };
            let message = format!("the \"{module}\" {what} is not available in this build");
            if required {
                check.error(&key, loc, message);
            } else {
                check.warn(&key, loc, &format!("{message}; it is not run"));
            }
            continue;
        };
        for error in errors {
            let below = format!("options{}", error.path);
            let loc = item.locate(&below).or(item.loc);
            check.error(&join(&path, &below), loc, error.message);
        }
    }
}

/// A list of monitors; with `unique`, at most one of each module (`none` aside).
fn monitor_list(
    check: &mut Check,
    path: &str,
    list: &Node,
    names: &[&str],
    what: &str,
    unique: bool,
) -> Vec<MonitorSpec> {
    let Kind::Seq(items) = &list.kind else {
        check.wrong_type(path, list, "a list of {module, options}");
        return Vec::new();
    };
    let mut monitors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = index(path, i);
        let Some(item) = check.mapping(&item_path, item, MONITOR_KEYS) else {
            continue;
        };
        let module = check
            .required(&item_path, item, "module", &format!("a {what}: {}", names.join(", ")))
            .and_then(|n| check.one_of(&join(&item_path, "module"), n, names, what));
        let options = match Check::optional(item, "options") {
            Some(options) => {
                check.any_mapping(&join(&item_path, "options"), options).and_then(|n| match n.to_json() {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
            }
            None => Some(Map::new()),
        };
        if let Some(module) = &module
            && unique
            && module != "none"
            && monitors.iter().any(|m: &MonitorSpec| &m.module == module)
        {
            check.error(
                &item_path,
                item.loc,
                format!("a second \"{module}\" {what}: at most one of each module"),
            );
        }
        if let (Some(module), Some(options)) = (module, options) {
            monitors.push(MonitorSpec { module, options });
        }
    }
    monitors
}

fn observer(check: &mut Check, node: &Node) {
    let Some(node) = check.mapping("observer", node, OBSERVER_KEYS) else {
        return;
    };
    if let Some(kind) = check.required("observer", node, "type", "one of none, local, prometheus") {
        check.one_of("observer.type", kind, OBSERVER_TYPES, "observer type");
    }
    if let Some(interval) = check.required("observer", node, "interval", "a number") {
        check.non_negative_number("observer.interval", interval);
    }
    check.warn(
        "observer",
        node.loc,
        "the legacy \"observer\" section is ignored; progress is shown every caliper-progress-reporting-interval",
    );
}
