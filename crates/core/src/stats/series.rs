//! A per-second time series of one round: what was submitted and finished in each second.

use serde::{Deserialize, Serialize};

use super::histogram::LatencyHistogram;

/// One second of a round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondBucket {
    /// Transactions submitted in this second.
    pub submitted: u64,
    /// Transactions that finished successfully in this second.
    pub successful: u64,
    /// Transactions that failed in this second.
    pub failed: u64,
    /// Latencies of the successful ones (2 significant digits: enough for a chart, and small).
    pub latency: LatencyHistogram,
}

/// The seconds of a round, indexed by whole seconds since the round started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Series(pub Vec<SecondBucket>);

impl Series {
    fn bucket(&mut self, second: usize) -> &mut SecondBucket {
        if self.0.len() <= second {
            self.0.resize_with(second + 1, || SecondBucket {
                latency: LatencyHistogram::with_precision(2),
                ..SecondBucket::default()
            });
        }
        &mut self.0[second]
    }

    /// Counts `count` submissions in `second`.
    pub fn submitted(&mut self, second: usize, count: u64) {
        self.bucket(second).submitted += count;
    }

    /// Counts one finished transaction in `second`.
    pub fn finished(&mut self, second: usize, success: bool, latency_us: u64) {
        let b = self.bucket(second);
        if success {
            b.successful += 1;
            b.latency.record(latency_us);
        } else {
            b.failed += 1;
        }
    }

    /// Counts `count` transactions given up as failed in `second` (no latency is known).
    pub fn abandoned(&mut self, second: usize, count: u64) {
        self.bucket(second).failed += count;
    }

    /// Adds `other` second by second.
    pub fn add(&mut self, other: &Series) {
        for (i, o) in other.0.iter().enumerate() {
            let b = self.bucket(i);
            b.submitted += o.submitted;
            b.successful += o.successful;
            b.failed += o.failed;
            b.latency.add(&o.latency);
        }
    }
}
