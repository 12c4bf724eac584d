//! The `process` resource monitor: CPU % and resident memory of local processes found by
//! command name and arguments, sampled with sysinfo (as Caliper's ps-node + pidusage).
//!
//! The process table is read at the start of the round's test phase, every `interval`, and
//! at its end, so a round shorter than the interval still has a sample. The first read is
//! dropped, as Caliper does: a CPU % needs two readings. Processes are looked up again at
//! every read, so one started during the round is measured from then on, and one that exits
//! keeps its samples so far and is named in the report.

mod matching;
mod options;
mod readings;
mod sampler;

use std::time::Duration;

use async_trait::async_trait;
use caliper_core::monitor::{
    MonitorError, MonitorFactory, MonitorOptionError, MonitorReport, MonitoredRound, ResourceMonitor,
};
use caliper_core::settings::Settings;
use serde_json::{Map, Value};

use self::options::ProcessSpec;
use self::readings::{COLUMNS, Readings};
use self::sampler::Sampler;
use crate::options::checked;
use crate::settings::{interval, precision};

/// The module name.
pub const PROCESS: &str = "process";

/// The shortest interval: sysinfo's CPU % needs readings at least 200 ms apart.
const MIN_INTERVAL: Duration = sysinfo::MINIMUM_CPU_UPDATE_INTERVAL;

/// Builds `process` monitors.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessFactory;

impl MonitorFactory for ProcessFactory {
    fn name(&self) -> &'static str {
        PROCESS
    }

    fn check(&self, options: &Map<String, Value>) -> Vec<MonitorOptionError> {
        options::parse(options).err().unwrap_or_default()
    }

    fn create(
        &self,
        options: &Map<String, Value>,
        settings: &Settings,
    ) -> Result<Box<dyn ResourceMonitor>, MonitorError> {
        let parsed = checked(PROCESS, options::parse(options))?;
        let interval = interval(PROCESS, parsed.interval, settings)?;
        Ok(Box::new(ProcessMonitor {
            processes: parsed.processes,
            interval: interval.max(MIN_INTERVAL),
            precision: precision(PROCESS, settings)?,
            running: None,
        }))
    }
}

/// A `process` monitor.
pub struct ProcessMonitor {
    processes: Vec<ProcessSpec>,
    interval: Duration,
    precision: usize,
    running: Option<Result<Sampler, String>>,
}

#[async_trait]
impl ResourceMonitor for ProcessMonitor {
    fn module(&self) -> &'static str {
        PROCESS
    }

    async fn start(&mut self, round: &MonitoredRound) {
        tracing::debug!(
            "process monitor: round {} ({}), every {:?}",
            round.index,
            round.label,
            self.interval
        );
        let readings = Readings::new(self.processes.clone());
        self.running =
            Some(Sampler::start(readings, self.interval).map_err(|e| format!("cannot start sampling: {e}")));
    }

    async fn stop(&mut self) -> MonitorReport {
        match self.running.take() {
            Some(Ok(sampler)) => match sampler.stop().await {
                Ok(readings) => readings.report(PROCESS, self.precision),
                Err(e) => self.empty(e),
            },
            Some(Err(e)) => self.empty(e),
            None => self.empty("the monitor was not started".into()),
        }
    }
}

impl ProcessMonitor {
    /// The table with `-` in every value, and why.
    fn empty(&self, problem: String) -> MonitorReport {
        let mut report = MonitorReport::new(PROCESS, &COLUMNS);
        for spec in &self.processes {
            let mut row = vec![spec.name()];
            row.extend(std::iter::repeat_n(crate::table::NONE.to_owned(), COLUMNS.len() - 1));
            report.rows.push(row);
        }
        report.note(problem);
        report
    }
}
