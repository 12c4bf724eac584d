//! One clock for the whole process: epoch microseconds that never go backwards.
//!
//! Caliper stamps transactions with `Date.now()`, so a wall-clock step (NTP) during a round
//! corrupts its latencies. Here a timestamp is the epoch time at the first reading plus the
//! monotonic time elapsed since, so durations are exact and timestamps still read as dates.

use std::cell::Cell;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
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

thread_local! {
    /// The intended send time of the transaction being polled on this thread.
    static INTENDED: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The intended send time (epoch microseconds) of the transaction whose future is running,
/// as the worker loop set it; `None` outside a transaction. [`crate::TxStatus::new`] reads it,
/// so a connector that creates its status inside the request's future gets it for free.
pub fn intended_send_time() -> Option<u64> {
    INTENDED.with(Cell::get)
}

/// Sets the intended send time for as long as it lives, and puts back the one before.
struct Scope(Option<u64>);

impl Scope {
    fn enter(micros: u64) -> Scope {
        Scope(INTENDED.with(|c| c.replace(Some(micros))))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        INTENDED.with(|c| c.set(self.0));
    }
}

/// Calls `f` with the intended send time `micros` set (for a connector call that starts its
/// work before its future is first polled).
pub fn in_scope<R>(micros: u64, f: impl FnOnce() -> R) -> R {
    let _scope = Scope::enter(micros);
    f()
}

pin_project_lite::pin_project! {
    /// A transaction's future with its intended send time, set on this thread while it is
    /// polled: 8 bytes beside the future, since a worker may hold millions of them in flight.
    pub struct Intended<F> {
        micros: u64,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Intended<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _scope = Scope::enter(*this.micros);
        this.future.poll(cx)
    }
}

/// Runs `fut` (one transaction) with its intended send time set.
pub fn with_intended_send_time<F: Future>(micros: u64, fut: F) -> Intended<F> {
    Intended { micros, future: fut }
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

    #[test]
    fn the_intended_time_is_set_while_polled_and_nests() {
        let inner = with_intended_send_time(7, async { intended_send_time() });
        let outer = with_intended_send_time(5, async move {
            let before = intended_send_time();
            let inside = inner.await;
            (before, inside, intended_send_time())
        });
        let got = futures::executor::block_on(outer);
        assert_eq!(got, (Some(5), Some(7), Some(5)));
        assert_eq!(intended_send_time(), None);
        assert_eq!(in_scope(9, intended_send_time), Some(9));
        assert_eq!(intended_send_time(), None);
    }
}
