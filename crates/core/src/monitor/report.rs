//! What a resource monitor measured in one round: a table and the samples behind it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One monitor's results for one round (`rounds[].monitors[]` in results.json).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorReport {
    /// The module (`process`, `prometheus`, ...).
    pub module: String,
    /// The table's column headers, as printed (a byte column carries its unit: `Memory(max) [MB]`).
    pub columns: Vec<String>,
    /// The table's rows, as printed (`-` where a value is unknown).
    #[serde(default)]
    pub rows: Vec<Vec<String>>,
    /// The raw measurements, in time order.
    #[serde(default)]
    pub samples: Vec<MonitorSample>,
    /// What went wrong (a process that exited, a server that could not be reached), for a
    /// person; `None` (written as `null`, as every undefined figure of results.json) when
    /// nothing did.
    #[serde(default)]
    pub error: Option<String>,
}

/// One measurement of one monitored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorSample {
    /// Seconds since the round's test phase started.
    pub t: f64,
    /// The item measured: a table row's `Name` (`process`), a series name (`prometheus`).
    pub item: String,
    /// The values, by metric: `memory` (bytes) and `cpu` (percent of one core) for `process`,
    /// the query's name for `prometheus`.
    pub values: BTreeMap<String, f64>,
}

impl MonitorReport {
    /// A report with the table `columns` and nothing else yet.
    pub fn new(module: &str, columns: &[&str]) -> Self {
        MonitorReport {
            module: module.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            ..MonitorReport::default()
        }
    }

    /// Adds `problem` to the report's error (problems are joined with `; `).
    pub fn note(&mut self, problem: impl Into<String>) {
        let problem = problem.into();
        match &mut self.error {
            Some(error) => {
                error.push_str("; ");
                error.push_str(&problem);
            }
            None => self.error = Some(problem),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MonitorReport;

    #[test]
    fn problems_are_joined_and_no_problem_is_null() {
        let mut report = MonitorReport::new("process", &["Name"]);
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["error"], serde_json::Value::Null, "{json}");
        report.note("a exited");
        report.note("b exited");
        assert_eq!(report.error.as_deref(), Some("a exited; b exited"));
    }
}
