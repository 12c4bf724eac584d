//! Senders: a local signer per account and its nonce, managed locally.
//!
//! The next nonce is read from the node once per round (`pending` count) and then handed out
//! under a short mutex, never across an await. After a nonce error, or a send that failed after
//! taking a nonce (which leaves a gap that would hold back every later transaction), the
//! failing transaction reads the node's count again and resets the counter, unless another
//! resynchronisation got there first; the other transactions keep going meanwhile.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use alloy::primitives::{Address, B256, U256};
use alloy::rpc::client::RpcClient;
use alloy::signers::local::coins_bip39::English;
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner};
use alloy::transports::TransportResult;
use coins_bip32::prelude::XPriv;

use crate::config::{FromAccount, Identity};

/// One account that sends transactions.
pub(crate) struct Sender {
    /// The local signer (its key never leaves this process).
    pub(crate) signer: PrivateKeySigner,
    nonce: Mutex<Nonce>,
}

#[derive(Default)]
struct Nonce {
    next: u64,
    /// Bumped by every reset, so that a resynchronisation that read the node before another
    /// one finished does not undo it.
    generation: u64,
}

impl Sender {
    /// A sender signing with `signer`; its nonce is read by [`Sender::sync`].
    pub(crate) fn new(signer: PrivateKeySigner) -> Self {
        Sender { signer, nonce: Mutex::new(Nonce::default()) }
    }

    /// The account's address.
    pub(crate) fn address(&self) -> Address {
        self.signer.address()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Nonce> {
        // The counter is a plain number: a panic elsewhere cannot leave it half-written.
        self.nonce.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the next nonce: `(nonce, generation)`.
    pub(crate) fn take(&self) -> (u64, u64) {
        let mut n = self.lock();
        let nonce = n.next;
        n.next += 1;
        (nonce, n.generation)
    }

    /// The count of resets so far (see [`Sender::resync`]).
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Reads the node's pending count and makes it the next nonce.
    pub(crate) async fn sync(&self, client: &RpcClient) -> TransportResult<u64> {
        let count = pending_count(client, self.address()).await?;
        let mut n = self.lock();
        n.next = count;
        n.generation += 1;
        Ok(count)
    }

    /// After a failure of a transaction that took its nonce in `generation`: reads the node's
    /// count again, unless a later reset already happened.
    pub(crate) async fn resync(&self, client: &RpcClient, generation: u64) {
        if self.lock().generation != generation {
            return;
        }
        if let Ok(count) = pending_count(client, self.address()).await {
            let mut n = self.lock();
            if n.generation == generation {
                n.next = count;
                n.generation += 1;
                tracing::debug!(address = %self.address(), nonce = count, "nonce resynchronised");
            }
        }
    }
}

/// The accounts one identity (or the default sender) sends from in this worker, used in
/// turn: a node holds only so many pending transactions per account (geth 16 executable,
/// Besu a share of its pool), so a rate beyond that needs several senders.
pub(crate) struct Pool {
    senders: Vec<Arc<Sender>>,
    next: AtomicUsize,
}

impl Pool {
    /// A pool of `signers` (at least one).
    pub(crate) fn new(signers: Vec<PrivateKeySigner>) -> Self {
        Pool {
            senders: signers.into_iter().map(|s| Arc::new(Sender::new(s))).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The next account, in turn.
    pub(crate) fn pick(&self) -> &Arc<Sender> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.senders.len();
        &self.senders[i]
    }

    /// Every account of the pool.
    pub(crate) fn senders(&self) -> &[Arc<Sender>] {
        &self.senders
    }

    /// The addresses, for the round context: one address, or a list for several.
    pub(crate) fn describe(&self) -> serde_json::Value {
        let addresses: Vec<String> = self.senders.iter().map(|s| s.address().to_checksum(None)).collect();
        match addresses.as_slice() {
            [one] => serde_json::Value::String(one.clone()),
            _ => serde_json::json!(addresses),
        }
    }
}

async fn pending_count(client: &RpcClient, address: Address) -> TransportResult<u64> {
    let count: U256 = client.request("eth_getTransactionCount", (address, "pending")).await?;
    Ok(count.saturating_to())
}

/// The signer of a private key (validated with the configuration).
pub(crate) fn key_signer(key: &B256) -> Option<PrivateKeySigner> {
    PrivateKeySigner::from_bytes(key).ok()
}

/// The default sender of worker `worker` (the manager, -1, takes worker 0's).
///
/// `fromAddressSeed` is derived as Caliper 0.6 did, so that the same funded accounts are used:
/// ethereumjs-wallet got the seed *text*, so the BIP-32 master seed is the UTF-8 bytes of the
/// string as written (with its `0x`), not the bytes it spells in hex.
pub(crate) fn from_signer(from: &FromAccount, worker: i64) -> Option<PrivateKeySigner> {
    match from {
        FromAccount::Key(key) => key_signer(key),
        FromAccount::Seed(seed) => {
            let path = format!("m/44'/60'/{}'/0/0", worker.max(0));
            let root = XPriv::root_from_seed(seed.as_bytes(), None).ok()?;
            let child = root.derive_path(path.as_str()).ok()?;
            let key: &coins_bip32::ecdsa::SigningKey = child.as_ref();
            PrivateKeySigner::from_slice(&key.to_bytes()).ok()
        }
    }
}

/// The signers of identity `identity` for worker `worker` (the manager takes worker 0's): one
/// for a private key, `accounts` for a mnemonic.
pub(crate) fn identity_signers(identity: &Identity, worker: i64) -> Option<Vec<PrivateKeySigner>> {
    match identity {
        Identity::Key(key) => Some(vec![key_signer(key)?]),
        Identity::Mnemonic { phrase, index, accounts } => {
            let worker = u32::try_from(worker.max(0)).ok()?;
            let first = index.checked_add(worker.checked_mul(*accounts)?)?;
            (0..*accounts)
                .map(|i| {
                    MnemonicBuilder::<English>::default()
                        .phrase(phrase.as_str())
                        .index(first.checked_add(i)?)
                        .ok()?
                        .build()
                        .ok()
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonic_identities_give_each_worker_its_own_account() {
        let phrase = "test test test test test test test test test test test junk".to_string();
        let identity = Identity::Mnemonic { phrase: phrase.clone(), index: 0, accounts: 1 };
        let address = |identity: &Identity, worker| identity_signers(identity, worker).unwrap()[0].address();
        let w0 = address(&identity, 0);
        let w1 = address(&identity, 1);
        // anvil's first two default accounts.
        assert_eq!(w0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap());
        assert_eq!(w1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse::<Address>().unwrap());
        assert_eq!(address(&identity, -1), w0);
        // With two accounts each, worker 1 sends from anvil's accounts 2 and 3.
        let pool = Identity::Mnemonic { phrase, index: 0, accounts: 2 };
        let w1: Vec<Address> = identity_signers(&pool, 1).unwrap().iter().map(|s| s.address()).collect();
        assert_eq!(w1[0], "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC".parse::<Address>().unwrap());
        assert_eq!(w1[1], "0x90F79bf6EB2c4f870365E785982E1f101E93b906".parse::<Address>().unwrap());
    }

    #[test]
    fn seeds_derive_one_account_per_worker_from_the_text() {
        let seed = FromAccount::Seed("0x6e6f7420612072616e646f6d2073656564".into());
        let a = from_signer(&seed, 0).unwrap().address();
        let b = from_signer(&seed, 1).unwrap().address();
        assert_ne!(a, b);
        assert_eq!(from_signer(&seed, 0).unwrap().address(), a);
    }

    #[test]
    fn nonces_are_handed_out_in_order_and_reset_by_generation() {
        let sender = Sender::new(PrivateKeySigner::random());
        assert_eq!(sender.take(), (0, 0));
        assert_eq!(sender.take(), (1, 0));
        sender.lock().generation = 5;
        assert_eq!(sender.take(), (2, 5));
    }
}
