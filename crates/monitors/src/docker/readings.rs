//! The `docker` monitor's measurements of one round, and the table made of them.

use std::collections::BTreeMap;

use caliper_core::monitor::{MonitorReport, MonitorSample};

use super::engine::{Stats, cpu_percent};
use crate::table::{NONE, byte_column};

/// The table's columns before normalisation.
pub(crate) const COLUMNS: [&str; 9] = [
    "Name",
    "Memory(max)",
    "Memory(avg)",
    "CPU%(max)",
    "CPU%(avg)",
    "Traffic In",
    "Traffic Out",
    "Disc Read",
    "Disc Write",
];

/// One container (a table row) over the round.
#[derive(Debug, Default)]
pub(crate) struct ContainerReadings {
    /// The row name.
    pub(crate) name: String,
    /// The first reading (the baseline of CPU % and of the I/O counters).
    first: Option<Stats>,
    /// The latest reading.
    last: Option<Stats>,
    /// CPU % of each kept reading.
    cpu: Vec<f64>,
    /// Memory of each kept reading, bytes.
    memory: Vec<f64>,
    /// Whether it went away (it is not read again).
    pub(crate) gone: bool,
}

impl ContainerReadings {
    /// A row named `name` with nothing read yet.
    pub(crate) fn new(name: String) -> Self {
        ContainerReadings { name, ..ContainerReadings::default() }
    }

    /// Records a reading at `t` seconds; returns the sample, except for the first reading
    /// (dropped, as Caliper does: a CPU % needs two readings). `normalize` divides CPU % by
    /// the engine host's CPU count (`cpuUsageNormalization`).
    pub(crate) fn record(&mut self, t: f64, stats: Stats, normalize: bool) -> Option<MonitorSample> {
        let previous = self.last.replace(stats);
        let first = *self.first.get_or_insert(stats);
        let previous = previous?;
        let mut values = BTreeMap::new();
        if let Some(mut cpu) = cpu_percent(&previous, &stats) {
            if normalize {
                cpu /= stats.cpus.unwrap_or(1.0).max(1.0);
            }
            self.cpu.push(cpu);
            values.insert("cpu".to_owned(), cpu);
        }
        if let Some(memory) = stats.memory {
            self.memory.push(memory);
            values.insert("memory".to_owned(), memory);
        }
        for (key, now, then) in [
            ("rx", stats.rx, first.rx),
            ("tx", stats.tx, first.tx),
            ("read", stats.read, first.read),
            ("write", stats.write, first.write),
        ] {
            values.insert(key.to_owned(), (now - then).max(0.0));
        }
        Some(MonitorSample { t, item: self.name.clone(), values })
    }

    /// Last minus first reading of an I/O counter; `None` with fewer than two readings.
    fn delta(&self, counter: fn(&Stats) -> f64) -> Option<f64> {
        match (&self.first, &self.last) {
            (Some(first), Some(last)) if self.cpu.len() + self.memory.len() > 0 => {
                Some((counter(last) - counter(first)).max(0.0))
            }
            _ => None,
        }
    }
}

/// The report of `containers` and their `samples`, with `problems` as its error.
pub(crate) fn report(
    module: &str,
    containers: &[ContainerReadings],
    samples: Vec<MonitorSample>,
    problems: Vec<String>,
    precision: usize,
) -> MonitorReport {
    let mut report = MonitorReport::new(module, &COLUMNS);
    let max = |v: &[f64]| v.iter().copied().reduce(f64::max);
    let avg = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let byte_columns: [Vec<Option<f64>>; 6] = [
        containers.iter().map(|c| max(&c.memory)).collect(),
        containers.iter().map(|c| avg(&c.memory)).collect(),
        containers.iter().map(|c| c.delta(|s| s.rx)).collect(),
        containers.iter().map(|c| c.delta(|s| s.tx)).collect(),
        containers.iter().map(|c| c.delta(|s| s.read)).collect(),
        containers.iter().map(|c| c.delta(|s| s.write)).collect(),
    ];
    let mut cells = Vec::new();
    for (i, values) in byte_columns.iter().enumerate() {
        let column = if i < 2 { 1 + i } else { 3 + i };
        let (header, column_cells) = byte_column(COLUMNS[column], values, precision);
        report.columns[column] = header;
        cells.push(column_cells);
    }
    let percent = |v: Option<f64>| v.map_or(NONE.to_owned(), |v| format!("{v:.2}"));
    for (i, c) in containers.iter().enumerate() {
        report.rows.push(vec![
            c.name.clone(),
            cells[0][i].clone(),
            cells[1][i].clone(),
            percent(max(&c.cpu)),
            percent(avg(&c.cpu)),
            cells[2][i].clone(),
            cells[3][i].clone(),
            cells[4][i].clone(),
            cells[5][i].clone(),
        ]);
    }
    for problem in problems {
        report.note(problem);
    }
    report.samples = samples;
    report
}

#[cfg(test)]
mod tests {
    use super::{ContainerReadings, report};
    use crate::docker::engine::Stats;

    fn stats(cpu_s: f64, host_s: f64, mib: f64, rx: f64) -> Stats {
        Stats {
            cpu_total: Some(cpu_s * 1e9),
            system: Some(host_s * 1e9),
            cpus: Some(2.0),
            memory: Some(mib * 1024.0 * 1024.0),
            rx,
            tx: 0.0,
            read: 0.0,
            write: 4096.0,
        }
    }

    #[test]
    fn the_first_reading_is_the_baseline_and_io_is_last_minus_first() {
        let mut c = ContainerReadings::new("peer0".into());
        assert!(
            c.record(0.0, stats(0.0, 0.0, 10.0, 1000.0), false).is_none(),
            "the first reading is dropped"
        );
        let s = c.record(1.0, stats(1.0, 2.0, 20.0, 3048.0), false).expect("a sample");
        assert_eq!((s.values["cpu"], s.values["rx"]), (100.0, 2048.0));
        c.record(2.0, stats(1.5, 4.0, 30.0, 5096.0), false);
        let mut n = ContainerReadings::new("normalised".into());
        n.record(0.0, stats(0.0, 0.0, 1.0, 0.0), true);
        n.record(1.0, stats(1.0, 2.0, 1.0, 0.0), true);
        let never = ContainerReadings::new("gone".into());
        let r = report("docker", &[c, n, never], vec![], vec!["x".into()], 3);
        assert_eq!(r.columns[1], "Memory(max) [MB]");
        assert_eq!(r.columns[5], "Traffic In [KB]");
        assert_eq!(r.columns[8], "Disc Write [B]");
        assert_eq!(r.rows[0], ["peer0", "30.0", "25.0", "100.00", "75.00", "4.00", "0.00", "0.00", "0.00"]);
        assert_eq!(r.rows[1][3], "50.00", "divided by the 2 CPUs");
        assert_eq!(r.rows[2][1..], ["-", "-", "-", "-", "-", "-", "-", "-"]);
        assert_eq!(r.error.as_deref(), Some("x"));
    }
}
