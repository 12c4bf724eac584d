//! The block watcher: one per connector, matching the receipts of new blocks to the pending
//! transactions, so that confirmation costs a few requests per block, not a receipt poll per
//! transaction (alloy's per-transaction receipt polling ticks every 250 ms on a local node and
//! capped a growing chain at about 12 tx/s).
//!
//! Every `pollInterval` it asks for the head; for each new block it fetches the block's
//! receipts in one call (`eth_getBlockReceipts`; nodes without it get `eth_getBlockByNumber`
//! and a receipt lookup for the pending hashes of that block only). A transaction included
//! in block `b` is confirmed when the head reaches `b + transactionConfirmationBlocks - 1`.
//! Chain reorganisations are not followed: a transaction counts in the first block that
//! carried it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::primitives::{B256, U64};
use alloy::rpc::client::RpcClient;
use caliper_core::time::now_micros;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::rpc::is_method_missing;

/// The most blocks one look at the head catches up on; the rest wait for the next look.
const MAX_BLOCKS_PER_TICK: u64 = 32;

/// What the watcher found out about a transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inclusion {
    /// The block that carries it.
    pub(crate) block: u64,
    /// Receipt status 1 (executed without a revert).
    pub(crate) success: bool,
    /// Gas it used.
    pub(crate) gas_used: u64,
    /// When its block was seen (epoch microseconds).
    pub(crate) included: u64,
    /// When it was confirmed (epoch microseconds).
    pub(crate) confirmed: u64,
}

#[derive(Default)]
struct State {
    /// Sent and not in a block yet.
    pending: HashMap<B256, oneshot::Sender<Inclusion>>,
    /// In a block and waiting for its confirmations.
    included: Vec<(Inclusion, oneshot::Sender<Inclusion>)>,
}

/// The watcher of one connector.
pub(crate) struct Watcher {
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    transaction_hash: B256,
    #[serde(default)]
    status: Option<U64>,
    #[serde(default)]
    gas_used: Option<U64>,
}

#[derive(Debug, Deserialize)]
struct BlockHashes {
    transactions: Vec<B256>,
}

impl Watcher {
    /// Starts watching `client`'s chain from its current head.
    pub(crate) async fn start(
        client: RpcClient,
        confirmations: u64,
        interval: Duration,
    ) -> alloy::transports::TransportResult<Watcher> {
        let head: U64 = client.request_noparams("eth_blockNumber").await?;
        let state = Arc::new(Mutex::new(State::default()));
        let task = tokio::spawn(run(client, state.clone(), head.to::<u64>(), confirmations.max(1), interval));
        Ok(Watcher { state, task })
    }

    /// Registers a transaction about to be sent; the receiver gets its inclusion once it is
    /// confirmed. Register before sending, or a fast block could carry it unseen.
    pub(crate) fn watch(&self, hash: B256) -> oneshot::Receiver<Inclusion> {
        let (tx, rx) = oneshot::channel();
        lock(&self.state).pending.insert(hash, tx);
        rx
    }

    /// Stops watching `hash` (it failed to send, or timed out).
    pub(crate) fn forget(&self, hash: &B256) {
        lock(&self.state).pending.remove(hash);
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // The waiters' receivers see their senders dropped and fail their transactions.
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    // Maps of channels: a panic elsewhere cannot leave them inconsistent in a harmful way.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

async fn run(
    client: RpcClient,
    state: Arc<Mutex<State>>,
    mut last: u64,
    confirmations: u64,
    interval: Duration,
) {
    let mut block_receipts = true;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let head = match client.request_noparams::<U64>("eth_blockNumber").await {
            Ok(head) => head.to::<u64>(),
            Err(err) => {
                // The node may be restarting; pending transactions fail by their own deadline.
                tracing::debug!(%err, "block watcher: head not read");
                continue;
            }
        };
        let mut block = last + 1;
        while block <= head && block <= last + MAX_BLOCKS_PER_TICK {
            let receipts = if block_receipts {
                match client
                    .request::<_, Option<Vec<Receipt>>>("eth_getBlockReceipts", (U64::from(block),))
                    .await
                {
                    Ok(r) => Ok(r.unwrap_or_default()),
                    Err(err) if is_method_missing(&err) => {
                        block_receipts = false;
                        continue;
                    }
                    Err(err) => Err(err),
                }
            } else {
                receipts_one_by_one(&client, &state, block).await
            };
            match receipts {
                Ok(receipts) => settle_block(&state, block, &receipts),
                Err(err) => {
                    tracing::debug!(%err, block, "block watcher: receipts not read");
                    break;
                }
            }
            block += 1;
        }
        last = block - 1;
        confirm(&state, last, confirmations);
    }
}

/// For nodes without `eth_getBlockReceipts`: the block's hashes, then the receipts of the
/// pending ones only.
async fn receipts_one_by_one(
    client: &RpcClient,
    state: &Mutex<State>,
    block: u64,
) -> alloy::transports::TransportResult<Vec<Receipt>> {
    let hashes: Option<BlockHashes> =
        client.request("eth_getBlockByNumber", (U64::from(block), false)).await?;
    let wanted: Vec<B256> = {
        let state = lock(state);
        hashes
            .map(|b| b.transactions)
            .unwrap_or_default()
            .into_iter()
            .filter(|h| state.pending.contains_key(h))
            .collect()
    };
    let mut receipts = Vec::with_capacity(wanted.len());
    for hash in wanted {
        if let Some(receipt) =
            client.request::<_, Option<Receipt>>("eth_getTransactionReceipt", (hash,)).await?
        {
            receipts.push(receipt);
        }
    }
    Ok(receipts)
}

fn settle_block(state: &Mutex<State>, block: u64, receipts: &[Receipt]) {
    let now = now_micros();
    let mut state = lock(state);
    for receipt in receipts {
        if let Some(waiter) = state.pending.remove(&receipt.transaction_hash) {
            let inclusion = Inclusion {
                block,
                success: receipt.status.map(|s| s == U64::from(1)).unwrap_or(false),
                gas_used: receipt.gas_used.map(|g| g.to::<u64>()).unwrap_or(0),
                included: now,
                confirmed: 0,
            };
            state.included.push((inclusion, waiter));
        }
    }
}

fn confirm(state: &Mutex<State>, head: u64, confirmations: u64) {
    let now = now_micros();
    let mut state = lock(state);
    let mut i = 0;
    while i < state.included.len() {
        if head + 1 >= state.included[i].0.block + confirmations {
            let (mut inclusion, waiter) = state.included.swap_remove(i);
            inclusion.confirmed = now;
            // The transaction may have timed out meanwhile; nobody is left to tell.
            let _ = waiter.send(inclusion);
        } else {
            i += 1;
        }
    }
}
