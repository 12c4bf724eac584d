//! What the worker process itself used in a round: CPU time and memory, so a user can see
//! whether the generator or the SUT was the limit.

use serde::{Deserialize, Serialize};

/// CPU and memory of a worker process (Linux; empty elsewhere).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessUsage {
    /// CPU time (user + system) spent in the round, in seconds.
    pub cpu_seconds: f64,
    /// Resident memory at the end of the round, in bytes.
    pub rss_bytes: u64,
    /// Peak resident memory of the process so far, in bytes.
    pub peak_rss_bytes: u64,
}

/// Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture
/// Linux supports today.
const TICKS_PER_SECOND: f64 = 100.0;

impl ProcessUsage {
    /// This process's CPU time so far and its memory now; `None` where /proc is not there.
    pub fn sample() -> Option<ProcessUsage> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kb = |key: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
                * 1024
        };
        Some(ProcessUsage {
            cpu_seconds: (utime + stime) / TICKS_PER_SECOND,
            rss_bytes: kb("VmRSS:"),
            peak_rss_bytes: kb("VmHWM:"),
        })
    }

    /// The usage between `start` and `self` (CPU as a difference, memory as of `self`).
    pub fn since(self, start: ProcessUsage) -> ProcessUsage {
        ProcessUsage { cpu_seconds: (self.cpu_seconds - start.cpu_seconds).max(0.0), ..self }
    }

    /// Combines the usage of several workers: CPU adds, memory is the largest.
    pub fn add(&mut self, o: &ProcessUsage) {
        self.cpu_seconds += o.cpu_seconds;
        self.rss_bytes = self.rss_bytes.max(o.rss_bytes);
        self.peak_rss_bytes = self.peak_rss_bytes.max(o.peak_rss_bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_this_process() {
        let a = ProcessUsage::sample().expect("linux /proc");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        let b = ProcessUsage::sample().unwrap().since(a);
        assert!(b.rss_bytes > 0 && b.peak_rss_bytes >= b.rss_bytes);
        assert!(b.cpu_seconds >= 0.0);
    }
}
