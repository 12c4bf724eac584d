//! The `process` monitor's options: `interval` and `processes: [{command, arguments?,
//! multiOutput?}]`.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::options::OptionCheck;
use caliper_core::monitor::MonitorOptionError;

/// The keys of the options (`charting` is Caliper's HTML chart choice: accepted, not used).
pub(crate) const KEYS: &[&str] = &["interval", "processes", "charting"];
/// The keys of one item of `processes`.
pub(crate) const PROCESS_KEYS: &[&str] = &["command", "arguments", "multiOutput"];

/// How the values of several matching processes are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MultiOutput {
    /// Added up (Caliper's default).
    Sum,
    /// Averaged over the matching processes.
    Avg,
}

impl MultiOutput {
    fn name(self) -> &'static str {
        match self {
            MultiOutput::Sum => "sum",
            MultiOutput::Avg => "avg",
        }
    }
}

/// One item of `processes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcessSpec {
    /// `command`: a process name, or the file name of its argv[0] or executable.
    pub(crate) command: String,
    /// `arguments`: a text its arguments (joined with spaces) must contain.
    pub(crate) arguments: Option<String>,
    /// `multiOutput`.
    pub(crate) multi: MultiOutput,
}

impl ProcessSpec {
    /// The row name, as Caliper writes it: `command arguments(sum)`.
    pub(crate) fn name(&self) -> String {
        match &self.arguments {
            Some(args) => format!("{} {args}({})", self.command, self.multi.name()),
            None => format!("{}({})", self.command, self.multi.name()),
        }
    }
}

/// The checked options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcessOptions {
    /// `interval`, when given.
    pub(crate) interval: Option<Duration>,
    /// `processes`.
    pub(crate) processes: Vec<ProcessSpec>,
}

/// The options, or every mistake in them.
pub(crate) fn parse(options: &Map<String, Value>) -> Result<ProcessOptions, Vec<MonitorOptionError>> {
    let mut check = OptionCheck::default();
    check.known_keys("", options, KEYS);
    let interval = options
        .get("interval")
        .and_then(|v| check.positive(".interval", v))
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok());
    let mut processes = Vec::new();
    let list = check.required("", options, "processes", "a list of {command, arguments?, multiOutput?}");
    if let Some(items) = list.and_then(|v| check.list(".processes", v, "{command, arguments?, multiOutput?}"))
    {
        if items.is_empty() {
            check.error(".processes", "expected at least one process to monitor");
        }
        for (i, item) in items.iter().enumerate() {
            let path = format!(".processes[{i}]");
            if let Some(spec) = process(&mut check, &path, item) {
                processes.push(spec);
            }
        }
    }
    if check.errors.is_empty() { Ok(ProcessOptions { interval, processes }) } else { Err(check.errors) }
}

fn process(check: &mut OptionCheck, path: &str, item: &Value) -> Option<ProcessSpec> {
    let map = check.object(path, item)?;
    check.known_keys(path, map, PROCESS_KEYS);
    let command = check
        .required(path, map, "command", "the process name to look for")
        .and_then(|v| check.string(&format!("{path}.command"), v));
    let arguments = match map.get("arguments").filter(|v| !v.is_null()) {
        Some(v) => Some(check.string(&format!("{path}.arguments"), v)?.to_owned()),
        None => None,
    };
    let multi = match map.get("multiOutput").filter(|v| !v.is_null()) {
        Some(v) => match check.one_of(&format!("{path}.multiOutput"), v, &["sum", "avg"])? {
            "avg" => MultiOutput::Avg,
            _ => MultiOutput::Sum,
        },
        None => MultiOutput::Sum,
    };
    Some(ProcessSpec { command: command?.to_owned(), arguments, multi })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::{MultiOutput, parse};

    fn errors(options: serde_json::Value) -> Vec<String> {
        crate::options::texts(parse(options.as_object().expect("object")))
    }

    #[test]
    fn reads_caliper_options() {
        let options = json!({"interval": 0.5, "charting": {}, "processes": [
            {"command": "node", "arguments": "fabricClient", "multiOutput": "avg"},
            {"command": "peer"}]});
        let parsed = parse(options.as_object().expect("object")).expect("valid");
        assert_eq!(parsed.interval, Some(Duration::from_millis(500)));
        assert_eq!(parsed.processes[0].name(), "node fabricClient(avg)");
        assert_eq!(parsed.processes[0].multi, MultiOutput::Avg);
        assert_eq!(parsed.processes[1].name(), "peer(sum)");
    }

    #[test]
    fn reports_every_mistake_with_its_key() {
        let texts = errors(json!({"intervall": 1, "interval": "x", "processes": [
            {"comand": "node"}, {"command": 3, "multiOutput": "mean"}, "peer"]}));
        assert_eq!(
            texts,
            [
                "options.intervall: unknown key \"intervall\" (did you mean \"interval\"?); expected one of: interval, processes, charting",
                "options.interval: expected a number, found a string",
                "options.processes[0].comand: unknown key \"comand\" (did you mean \"command\"?); expected one of: command, arguments, multiOutput",
                "options.processes[0].command: missing: the process name to look for",
                "options.processes[1].command: expected a string, found a number",
                "options.processes[1].multiOutput: \"mean\" is not one of sum, avg",
                "options.processes[2]: expected a mapping, found a string",
            ]
        );
        assert_eq!(
            errors(json!({})),
            ["options.processes: missing: a list of {command, arguments?, multiOutput?}"]
        );
        assert_eq!(
            errors(json!({"processes": []})),
            ["options.processes: expected at least one process to monitor"]
        );
    }
}
