//! The `process` monitor's measurements of one round, and the table made of them.

use std::collections::{BTreeMap, BTreeSet};

use caliper_core::monitor::{MonitorReport, MonitorSample};

use super::options::{MultiOutput, ProcessSpec};
use crate::table::{NONE, byte_column};

/// The table's columns before normalisation.
pub(crate) const COLUMNS: [&str; 5] = ["Name", "Memory(max)", "Memory(avg)", "CPU%(max)", "CPU%(avg)"];

/// One process at one sample: its id, CPU % (of one core) and resident memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading {
    /// The process id.
    pub(crate) pid: u32,
    /// CPU %, 100 = one core.
    pub(crate) cpu: f64,
    /// Resident memory, bytes.
    pub(crate) memory: f64,
}

/// What one item of `processes` was measured at.
#[derive(Debug, Default)]
struct Item {
    /// The pids matched at the previous sample.
    alive: BTreeSet<u32>,
    /// Whether any process ever matched.
    matched: bool,
}

/// Everything the monitor measured in a round.
#[derive(Debug)]
pub(crate) struct Readings {
    specs: Vec<ProcessSpec>,
    items: Vec<Item>,
    samples: Vec<MonitorSample>,
    /// Processes that went away during the round, in order.
    exited: Vec<String>,
    /// Other problems (sampling could not start).
    problems: Vec<String>,
}

impl Readings {
    /// Nothing measured yet for `specs`.
    pub(crate) fn new(specs: Vec<ProcessSpec>) -> Self {
        let items = specs.iter().map(|_| Item::default()).collect();
        Readings { specs, items, samples: Vec::new(), exited: Vec::new(), problems: Vec::new() }
    }

    /// The items to measure.
    pub(crate) fn specs(&self) -> &[ProcessSpec] {
        &self.specs
    }

    /// Records a problem for the report.
    pub(crate) fn problem(&mut self, problem: String) {
        self.problems.push(problem);
    }

    /// Records what item `i` matched at `t` seconds. With `keep` false (the first sample:
    /// CPU needs two readings, so Caliper drops it) only the matched pids are remembered.
    pub(crate) fn record(&mut self, t: f64, i: usize, readings: &[Reading], keep: bool) {
        let (Some(item), Some(spec)) = (self.items.get_mut(i), self.specs.get(i)) else {
            return;
        };
        let now: BTreeSet<u32> = readings.iter().map(|r| r.pid).collect();
        for gone in item.alive.difference(&now) {
            self.exited.push(format!("process {gone} of \"{}\" exited at {t:.1} s", spec.name()));
        }
        item.alive = now;
        if readings.is_empty() {
            return;
        }
        item.matched = true;
        if !keep {
            return;
        }
        let n = readings.len() as f64;
        let (mut cpu, mut memory) = readings.iter().fold((0.0, 0.0), |(c, m), r| (c + r.cpu, m + r.memory));
        if spec.multi == MultiOutput::Avg {
            cpu /= n;
            memory /= n;
        }
        let values = BTreeMap::from([("cpu".to_owned(), cpu), ("memory".to_owned(), memory)]);
        self.samples.push(MonitorSample { t, item: spec.name(), values });
    }

    /// The report: one row per item (normalised as Caliper does), the samples, and what went
    /// wrong.
    pub(crate) fn report(self, module: &str, precision: usize) -> MonitorReport {
        let mut report = MonitorReport::new(module, &COLUMNS);
        let mut memory_max = Vec::new();
        let mut memory_avg = Vec::new();
        let mut cpu = Vec::new();
        for (spec, item) in self.specs.iter().zip(&self.items) {
            let name = spec.name();
            let values = |key: &str| -> Vec<f64> {
                self.samples
                    .iter()
                    .filter(|s| s.item == name)
                    .filter_map(|s| s.values.get(key).copied())
                    .collect()
            };
            let (mem, load) = (values("memory"), values("cpu"));
            memory_max.push(max(&mem));
            memory_avg.push(avg(&mem));
            cpu.push((max(&load), avg(&load)));
            if !item.matched {
                report.note(format!("no process matched \"{name}\""));
            } else if mem.is_empty() {
                report.note(format!("\"{name}\": no sample after the first (CPU needs two readings)"));
            }
        }
        let (max_header, max_cells) = byte_column(COLUMNS[1], &memory_max, precision);
        let (avg_header, avg_cells) = byte_column(COLUMNS[2], &memory_avg, precision);
        report.columns[1] = max_header;
        report.columns[2] = avg_header;
        let percent = |v: Option<f64>| v.map_or(NONE.to_owned(), |v| format!("{v:.2}"));
        for (i, spec) in self.specs.iter().enumerate() {
            report.rows.push(vec![
                spec.name(),
                max_cells[i].clone(),
                avg_cells[i].clone(),
                percent(cpu[i].0),
                percent(cpu[i].1),
            ]);
        }
        for problem in self.exited.into_iter().chain(self.problems) {
            report.note(problem);
        }
        report.samples = self.samples;
        report
    }
}

fn max(values: &[f64]) -> Option<f64> {
    values.iter().copied().reduce(f64::max)
}

fn avg(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::{Reading, Readings};
    use crate::process::options::{MultiOutput, ProcessSpec};

    fn spec(command: &str, multi: MultiOutput) -> ProcessSpec {
        ProcessSpec { command: command.into(), arguments: None, multi }
    }

    fn reading(pid: u32, cpu: f64, mib: f64) -> Reading {
        Reading { pid, cpu, memory: mib * 1024.0 * 1024.0 }
    }

    #[test]
    fn sums_or_averages_drops_the_first_sample_and_normalises() {
        let mut r = Readings::new(vec![
            spec("a", MultiOutput::Sum),
            spec("b", MultiOutput::Avg),
            spec("c", MultiOutput::Sum),
        ]);
        for (t, keep) in [(0.0, false), (1.0, true), (2.0, true)] {
            let cpu = if keep { 50.0 * t } else { 999.0 };
            r.record(t, 0, &[reading(1, cpu, 10.0), reading(2, cpu, 20.0)], keep);
            r.record(t, 1, &[reading(3, cpu, 1.0), reading(4, 3.0 * cpu, 3.0)], keep);
            r.record(t, 2, &[], keep);
        }
        let report = r.report("process", 3);
        assert_eq!(
            report.columns,
            ["Name", "Memory(max) [MB]", "Memory(avg) [MB]", "CPU%(max)", "CPU%(avg)"]
        );
        assert_eq!(report.rows[0], ["a(sum)", "30.0", "30.0", "200.00", "150.00"]);
        assert_eq!(report.rows[1], ["b(avg)", "2.00", "2.00", "200.00", "150.00"]);
        assert_eq!(report.rows[2], ["c(sum)", "-", "-", "-", "-"]);
        assert_eq!(report.samples.len(), 4, "the first sample is dropped");
        assert_eq!(report.samples[0].t, 1.0);
        assert_eq!(report.error.as_deref(), Some("no process matched \"c(sum)\""));
    }

    #[test]
    fn a_process_that_exits_keeps_its_samples_and_is_noted() {
        let mut r = Readings::new(vec![spec("a", MultiOutput::Sum)]);
        r.record(0.0, 0, &[reading(7, 0.0, 1.0), reading(8, 0.0, 1.0)], false);
        r.record(1.0, 0, &[reading(7, 10.0, 1.0), reading(8, 10.0, 1.0)], true);
        r.record(2.0, 0, &[reading(7, 10.0, 1.0)], true);
        r.record(3.0, 0, &[], true);
        let report = r.report("process", 3);
        assert_eq!(report.rows[0], ["a(sum)", "2.00", "1.50", "20.00", "15.00"]);
        assert_eq!(
            report.error.as_deref(),
            Some("process 8 of \"a(sum)\" exited at 2.0 s; process 7 of \"a(sum)\" exited at 3.0 s")
        );
    }
}
