//! What a person watching sees during a run: a progress bar on a terminal, a log line per
//! interval otherwise, and Caliper's table after each round.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use caliper_core::manager::{RoundOutcome, RunObserver};
use caliper_core::stats::StatsCore;
use indicatif::{ProgressBar, ProgressStyle};

/// The binary's run observer.
pub struct Progress {
    enabled: bool,
    bar: Option<ProgressBar>,
    last: Option<(Instant, u64)>,
    rate: f64,
}

impl Progress {
    /// Progress is shown only when `enabled` (`caliper-progress-reporting-enabled`).
    pub fn new(enabled: bool) -> Self {
        Progress { enabled, bar: None, last: None, rate: 0.0 }
    }
}

impl RunObserver for Progress {
    fn phase(&mut self, phase: &str) {
        tracing::info!("phase: {phase}");
    }

    fn round_started(&mut self, index: usize, label: &str, rounds: usize) {
        tracing::info!("round {index} ({label}) of {rounds} started");
        self.last = Some((Instant::now(), 0));
        self.rate = 0.0;
        if self.enabled && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(format!("[{label} round {index}]"));
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }

    fn progress(&mut self, index: usize, label: &str, totals: &StatsCore) {
        if !self.enabled {
            return;
        }
        let c = &totals.tx_counters;
        let now = Instant::now();
        // Workers report once per update interval: measure between changes of the totals, so a
        // progress tick between two updates does not read as a rate of zero.
        if let Some((t, n)) = self.last.filter(|(t, n)| c.total_submitted != *n && now > *t) {
            self.rate = (c.total_submitted.saturating_sub(n)) as f64 / now.duration_since(t).as_secs_f64();
            self.last = Some((now, c.total_submitted));
        }
        let rate = self.rate;
        let in_flight = c.total_submitted.saturating_sub(c.total_finished);
        let line = format!(
            "Submitted: {} Succ: {} Fail: {} Unfinished: {} Rate: {:.1} tx/s",
            c.total_submitted, c.total_successful, c.total_failed, in_flight, rate
        );
        match &self.bar {
            Some(bar) => bar.set_message(line),
            None => tracing::info!("[{label} Round {index} Transaction Info] - {line}"),
        }
    }

    fn round_finished(&mut self, round: &RoundOutcome) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let table = caliper_report::console::round_table(round);
        let _ = writeln!(std::io::stdout(), "{table}");
    }
}
