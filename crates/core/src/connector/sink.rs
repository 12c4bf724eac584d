//! Where a connector reports its two events: transactions submitted and transactions finished.

/// Receives a connector's events; the worker counts every transaction from them.
///
/// Hot path: both methods are called for every transaction, concurrently from many in-flight
/// requests. Implementations must not block and should not allocate.
pub trait TxSink: Send + Sync {
    /// `count` requests were handed to the SUT (Caliper's `txsSubmitted`). Call it before
    /// sending, once per request.
    fn txs_submitted(&self, count: u64);
    /// These transactions reached their final state (Caliper's `txsFinished`).
    fn txs_finished(&self, statuses: &[crate::TxStatus]);
}

/// A sink that drops every event: the manager's connector (worker index -1) uses it.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl TxSink for NullSink {
    fn txs_submitted(&self, _count: u64) {}
    fn txs_finished(&self, _statuses: &[crate::TxStatus]) {}
}
