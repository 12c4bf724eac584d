//! The transactions of a round in flight: the workload module's futures, and the connector's
//! futures of requests the worker sent itself for a module that only builds requests.
//!
//! Two sets rather than one of an enum: each future in a set costs a task node of its own
//! (about 90 bytes), and a worker facing a slow SUT holds millions of them, so the node holds
//! one boxed future and its intended send time, nothing more.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{FuturesUnordered, Stream, StreamExt};

use crate::connector::TxStatus;
use crate::time::{Intended, with_intended_send_time};
use crate::workload::WorkloadError;

/// A workload module's `submit_transaction`.
pub(super) type WorkloadTx<'a> = Pin<Box<dyn Future<Output = Result<(), WorkloadError>> + 'a>>;
/// A connector's `send_requests`.
pub(super) type RequestsTx<'a> = Pin<Box<dyn Future<Output = Vec<TxStatus>> + Send + 'a>>;

/// The futures of the transactions in flight; as a stream, it yields each one's outcome
/// (requests sent by the worker always succeed: their failures are statuses).
#[derive(Default)]
pub(super) struct InFlight<'a> {
    workload: FuturesUnordered<Intended<WorkloadTx<'a>>>,
    requests: FuturesUnordered<Intended<RequestsTx<'a>>>,
}

impl<'a> InFlight<'a> {
    /// Adds a module's transaction meant to be sent at `intended` (epoch microseconds).
    pub(super) fn push_workload(&mut self, intended: u64, tx: WorkloadTx<'a>) {
        self.workload.push(with_intended_send_time(intended, tx));
    }

    /// Adds requests the worker sent, meant to be sent at `intended` (epoch microseconds).
    pub(super) fn push_requests(&mut self, intended: u64, tx: RequestsTx<'a>) {
        self.requests.push(with_intended_send_time(intended, tx));
    }

    /// How many futures are in flight.
    pub(super) fn len(&self) -> usize {
        self.workload.len() + self.requests.len()
    }

    /// Whether none is.
    pub(super) fn is_empty(&self) -> bool {
        self.workload.is_empty() && self.requests.is_empty()
    }

    /// Drops every future (cancelling what they were waiting for).
    pub(super) fn clear(&mut self) {
        self.workload.clear();
        self.requests.clear();
    }
}

impl Stream for InFlight<'_> {
    type Item = Result<(), WorkloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let requests = self.requests.poll_next_unpin(cx);
        if let Poll::Ready(Some(_statuses)) = requests {
            return Poll::Ready(Some(Ok(())));
        }
        match self.workload.poll_next_unpin(cx) {
            Poll::Ready(Some(outcome)) => Poll::Ready(Some(outcome)),
            Poll::Ready(None) if requests.is_ready() => Poll::Ready(None),
            _ => Poll::Pending,
        }
    }
}
