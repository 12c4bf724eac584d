//! One clock for the whole process: epoch microseconds that never go backwards.
//!
//! Caliper stamps transactions with `Date.now()`, so a wall-clock step (NTP) during a round
//! corrupts its latencies. Here a timestamp is the epoch time at the first reading plus the
//! monotonic time elapsed since, so durations are exact and timestamps still read as dates.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Anchor {
    instant: Instant,
    epoch_micros: u64,
}

fn anchor() -> &'static Anchor {
    static ANCHOR: OnceLock<Anchor> = OnceLock::new();
    ANCHOR.get_or_init(|| Anchor {
        instant: Instant::now(),
        epoch_micros: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0),
    })
}

/// Microseconds since the Unix epoch, from the monotonic clock.
pub fn now_micros() -> u64 {
    to_micros(Instant::now())
}

/// The epoch microseconds of a monotonic instant (instants before the anchor saturate to it).
pub fn to_micros(instant: Instant) -> u64 {
    let a = anchor();
    a.epoch_micros + instant.saturating_duration_since(a.instant).as_micros() as u64
}

/// The monotonic instant of an epoch-microsecond timestamp taken by this process.
pub fn to_instant(micros: u64) -> Instant {
    let a = anchor();
    a.instant + Duration::from_micros(micros.saturating_sub(a.epoch_micros))
}

tokio::task_local! {
    static INTENDED: u64;
}

/// The intended send time (epoch microseconds) of the transaction whose future is running,
/// as the worker loop set it; `None` outside a transaction. [`crate::TxStatus::new`] reads it,
/// so a connector that creates its status inside the request's future gets it for free.
pub fn intended_send_time() -> Option<u64> {
    INTENDED.try_with(|v| *v).ok()
}

/// Runs `fut` (one transaction) with its intended send time set.
pub async fn with_intended_send_time<F: std::future::Future>(micros: u64, fut: F) -> F::Output {
    INTENDED.scope(micros, fut).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_monotonic_and_round_trip() {
        let a = now_micros();
        let b = now_micros();
        assert!(b >= a);
        let i = Instant::now();
        let m = to_micros(i);
        assert!(to_instant(m) <= i);
        assert!(i.duration_since(to_instant(m)) < Duration::from_micros(2));
    }
}
