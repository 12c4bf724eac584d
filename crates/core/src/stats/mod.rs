//! Statistics: what a worker measures in a round, how the manager merges it exactly, and the
//! figures reported from it.
//!
//! A worker keeps Caliper's counters, timestamps and latency totals, plus HDR histograms
//! (successful, failed, and corrected for coordinated omission), a per-second series and
//! failures by class. Workers ship the compact [`StatsCore`] in periodic `txUpdate` messages
//! and the whole [`RoundStats`] in `testResult`; merging adds histograms, so the percentiles
//! of a merged round are the percentiles of all its transactions.

mod histogram;
mod round;
mod series;
mod summary;
mod usage;

pub use histogram::LatencyHistogram;
pub use round::{
    Histograms, Latency, LatencyTotals, LiveLatency, RoundMeta, RoundStats, StatsCore, Timestamps, TxCounters,
};
pub use series::{SecondBucket, SecondLatency, Series};
pub use summary::{LatencySummary, RoundSummary, send_rate, throughput};
pub use usage::ProcessUsage;
