//! The requests waiting for their answer, and the future that waits for one.
//!
//! Request ids are handed out in order and answered mostly in order, so the table is a queue
//! of slots indexed by `rid - base`: no hashing, and no channel per request: the answer is put
//! in the slot and the waiting future woken (measured: a oneshot channel and a hash map cost
//! the worker about a fifth of its time per transaction).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use caliper_core::connector::TxStatus;

use super::state::Shared;

/// A request sent (or waiting to be) and not yet collected by its caller.
pub(super) struct PendingRequest {
    /// Whether its caller still waits; a late answer to an abandoned one (the round's drain
    /// counted it as a timeout) changes no statistics.
    pub waiting: bool,
    /// How many request objects it holds (one status each).
    pub count: u32,
    /// When it was handed to the host, epoch microseconds.
    pub created: u64,
    /// The rate controller's intended send time.
    pub intended: Option<u64>,
    /// The statuses, once answered.
    pub answer: Option<Vec<TxStatus>>,
    waker: Option<Waker>,
}

impl PendingRequest {
    pub fn new(count: u32, created: u64, intended: Option<u64>) -> Self {
        PendingRequest { waiting: true, count, created, intended, answer: None, waker: None }
    }

    /// Whether it still waits for the child.
    pub fn outstanding(&self) -> bool {
        self.waiting && self.answer.is_none()
    }

    /// Hands the statuses to the waiting caller.
    pub fn answer(&mut self, statuses: Vec<TxStatus>) {
        self.answer = Some(statuses);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// The pending requests by id.
#[derive(Default)]
pub(super) struct Requests {
    base: u64,
    slots: VecDeque<Option<PendingRequest>>,
}

impl Requests {
    /// The id the next request gets.
    pub fn next_id(&self) -> u64 {
        self.base + self.slots.len() as u64
    }

    /// Adds the request of id [`Requests::next_id`].
    pub fn push(&mut self, pending: PendingRequest) {
        self.slots.push_back(Some(pending));
    }

    pub fn get_mut(&mut self, rid: u64) -> Option<&mut PendingRequest> {
        let index = usize::try_from(rid.checked_sub(self.base)?).ok()?;
        self.slots.get_mut(index)?.as_mut()
    }

    pub fn remove(&mut self, rid: u64) -> Option<PendingRequest> {
        let index = usize::try_from(rid.checked_sub(self.base)?).ok()?;
        let pending = self.slots.get_mut(index)?.take();
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        pending
    }

    /// Every pending request, with its id.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u64, &mut PendingRequest)> {
        let base = self.base;
        self.slots.iter_mut().enumerate().filter_map(move |(i, slot)| Some((base + i as u64, slot.as_mut()?)))
    }

    /// How many still wait for the child.
    pub fn outstanding(&self) -> usize {
        self.slots.iter().flatten().filter(|p| p.outstanding()).count()
    }
}

/// Waits for the answer to request `rid`; dropped before it, it marks the request abandoned.
pub(super) struct Answer<'a> {
    pub shared: &'a Shared,
    pub rid: u64,
    pub done: bool,
}

impl Future for Answer<'_> {
    type Output = Vec<TxStatus>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<TxStatus>> {
        let rid = self.rid;
        let mut st = self.shared.lock();
        let Some(pending) = st.requests.get_mut(rid) else {
            drop(st);
            self.done = true;
            return Poll::Ready(Vec::new());
        };
        if let Some(statuses) = pending.answer.take() {
            st.requests.remove(rid);
            drop(st);
            self.done = true;
            return Poll::Ready(statuses);
        }
        if !pending.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            pending.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Answer<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut st = self.shared.lock();
        if let Some(pending) = st.requests.get_mut(self.rid) {
            if pending.answer.is_some() {
                st.requests.remove(self.rid);
            } else {
                pending.waiting = false;
                pending.waker = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_found_by_id_and_the_front_is_trimmed() {
        let mut r = Requests::default();
        for _ in 0..3 {
            r.push(PendingRequest::new(1, 0, None));
        }
        assert_eq!(r.next_id(), 3);
        assert!(r.remove(1).is_some());
        assert!(r.remove(1).is_none(), "answered twice");
        assert!(r.get_mut(0).is_some());
        r.remove(0);
        // 0 and 1 are gone: the queue starts at 2.
        assert_eq!((r.base, r.slots.len()), (2, 1));
        assert!(r.get_mut(0).is_none() && r.get_mut(7).is_none());
        assert_eq!(r.outstanding(), 1);
        assert_eq!(r.next_id(), 3);
    }
}
