//! Resource monitors: what the manager measures around each round's test phase (the SUT's
//! processes, containers, or a Prometheus server's view of them), independent of any SUT.
//!
//! A [`ResourceMonitor`] is started just before a round's test phase and stopped just after
//! it; [`ResourceMonitor::stop`] returns a [`MonitorReport`]: Caliper's table for the console
//! (`### <module> resource stats ###`), the raw samples for the reports, and the problem the
//! monitor met, if any. A monitor never fails a round or the run: a process that exits or a
//! server that cannot be reached is said in its report (and logged at warn level).
//!
//! Monitors are built by a [`MonitorFactory`] found by module name in a [`MonitorRegistry`];
//! the factory checks a monitor's `options` before anything starts (see
//! [`crate::config::BenchmarkConfig::check_from_settings_with`]). The built-in monitors live
//! in the `caliper-monitors` crate.

mod registry;
mod report;

use async_trait::async_trait;

pub use registry::{MonitorError, MonitorFactory, MonitorOptionError, MonitorRegistry};
pub use report::{MonitorReport, MonitorSample};

/// The round a monitor is started for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredRound {
    /// 0-based round index.
    pub index: usize,
    /// The round's label.
    pub label: String,
}

/// One resource monitor of `monitors.resource`, living for the whole run.
#[async_trait]
pub trait ResourceMonitor: Send {
    /// The module name (`process`, `prometheus`, ...), as written in `monitors.resource[].module`.
    fn module(&self) -> &'static str;

    /// Starts measuring, just before a round's test phase. Never fails: a problem is kept and
    /// shown in the report [`ResourceMonitor::stop`] returns.
    async fn start(&mut self, round: &MonitoredRound);

    /// Stops measuring, just after the round's test phase, and returns what was measured.
    /// Called once after each [`ResourceMonitor::start`].
    async fn stop(&mut self) -> MonitorReport;
}
