//! One timer for all of a connector's answers that are not due yet.
//!
//! tokio's `Sleep` costs about 100 bytes inside every waiting future; a worker that sends
//! 100,000 tx/s to a SUT that answers after 30 s holds 3 million of them. Here a waiting
//! answer costs one heap entry (its due time and its task's waker, 24 bytes), and one task
//! sleeps until the earliest one is due and wakes what is due then.
//!
//! Times are nanoseconds on tokio's clock since the timer was made, so tests that pause
//! tokio's clock see exact latencies.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::sync::Notify;
use tokio::time::Instant;

/// The timer of one connector. Dropping it stops its task.
pub(crate) struct Timer {
    shared: Arc<Shared>,
}

struct Shared {
    epoch: Instant,
    state: Mutex<State>,
    /// Wakes the task: an earlier due time, or the timer was dropped.
    changed: Notify,
}

#[derive(Default)]
struct State {
    due: BinaryHeap<Entry>,
    /// The due time the task sleeps until; `None` while it waits for an entry.
    armed: Option<u64>,
    running: bool,
    closed: bool,
}

/// One waiting answer: its due time and the waker of the task that waits for it.
struct Entry {
    due: u64,
    waker: Waker,
}

impl Timer {
    /// A timer whose clock starts now.
    pub(crate) fn new() -> Timer {
        let shared =
            Shared { epoch: Instant::now(), state: Mutex::new(State::default()), changed: Notify::new() };
        Timer { shared: Arc::new(shared) }
    }

    /// Nanoseconds since the timer was made, on tokio's clock.
    pub(crate) fn now(&self) -> u64 {
        self.shared.now()
    }

    /// The timer's time of `at` (0 for earlier instants).
    pub(crate) fn at(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.shared.epoch).as_nanos().min(u64::MAX as u128) as u64
    }

    /// Wakes `waker` once `due` has passed. Must be called inside a tokio runtime.
    pub(crate) fn wake_at(&self, due: u64, waker: Waker) {
        let mut state = self.shared.lock();
        state.due.push(Entry { due, waker });
        if !state.running {
            state.running = true;
            state.armed = Some(due);
            tokio::spawn(run(self.shared.clone()));
        } else if state.armed.is_none_or(|armed| due < armed) {
            state.armed = Some(due);
            self.shared.changed.notify_one();
        }
    }
}

impl Timer {
    /// A future that is ready once `due` has passed.
    pub(crate) fn delay(&self, due: u64) -> Delay<'_> {
        Delay { timer: self, due, registered: false }
    }
}

/// Ready once its due time has passed (see [`Timer::delay`]).
pub(crate) struct Delay<'a> {
    timer: &'a Timer,
    due: u64,
    registered: bool,
}

impl Future for Delay<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        this.timer.poll_due(this.due, &mut this.registered, cx).map(|_| ())
    }
}

impl Timer {
    /// The time now once `due` has passed; until then `Pending`, with the task's waker given
    /// to the timer on the first such poll (`registered` remembers it: the task that polls a
    /// future keeps its waker, so one entry per wait is enough).
    pub(crate) fn poll_due(&self, due: u64, registered: &mut bool, cx: &mut Context<'_>) -> Poll<u64> {
        let now = self.now();
        if now >= due {
            return Poll::Ready(now);
        }
        if !*registered {
            *registered = true;
            self.wake_at(due, cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.due.clear();
        drop(state);
        self.shared.changed.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves a heap of wakers: still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self) -> u64 {
        Instant::now().saturating_duration_since(self.epoch).as_nanos().min(u64::MAX as u128) as u64
    }
}

/// The timer's task: wakes every entry that is due, then sleeps until the next one.
async fn run(shared: Arc<Shared>) {
    loop {
        let next = {
            let mut state = shared.lock();
            if state.closed {
                return;
            }
            let now = shared.now();
            while state.due.peek().is_some_and(|e| e.due <= now) {
                if let Some(entry) = state.due.pop() {
                    entry.waker.wake();
                }
            }
            state.armed = state.due.peek().map(|e| e.due);
            state.armed
        };
        match next {
            Some(due) => {
                let at = shared.epoch + std::time::Duration::from_nanos(due);
                tokio::select! {
                    _ = tokio::time::sleep_until(at) => {}
                    _ = shared.changed.notified() => {}
                }
            }
            None => shared.changed.notified().await,
        }
    }
}

// The heap is a max-heap: the earliest due time is the greatest entry.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.due.cmp(&self.due)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.due == other.due
    }
}

impl Eq for Entry {}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
    use std::task::Wake;
    use std::time::Duration;

    use super::*;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, AtomicOrdering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn wakes_each_entry_when_it_is_due_in_any_order_of_registration() {
        let timer = Timer::new();
        let counts: Vec<Arc<Count>> = (0..3).map(|_| Arc::default()).collect();
        let ms = |n: u64| n * 1_000_000;
        timer.wake_at(ms(30), Waker::from(counts[0].clone()));
        timer.wake_at(ms(10), Waker::from(counts[1].clone()));
        timer.wake_at(ms(20), Waker::from(counts[2].clone()));
        let woken = || counts.iter().map(|c| c.0.load(AtomicOrdering::SeqCst)).collect::<Vec<_>>();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(woken(), [0, 0, 0]);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(woken(), [0, 1, 0]);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(woken(), [0, 1, 1]);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(woken(), [1, 1, 1]);
        assert_eq!(timer.shared.lock().due.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_timer_stops_its_task_and_drops_its_wakers() {
        let timer = Timer::new();
        let count = Arc::new(Count::default());
        timer.wake_at(1_000_000_000, Waker::from(count.clone()));
        let shared = timer.shared.clone();
        drop(timer);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(count.0.load(AtomicOrdering::SeqCst), 0);
        assert!(shared.lock().due.is_empty());
        // Only this test holds the shared state once the task has ended.
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
