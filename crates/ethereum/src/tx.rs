//! Building, signing and encoding a transaction: once per transaction, locally.

use alloy::consensus::{SignableTransaction, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{B256, Bytes, TxKind, U256};
use alloy::signers::local::PrivateKeySigner;

/// What a transaction carries, apart from its signer.
pub(crate) struct Unsigned {
    pub(crate) chain_id: u64,
    pub(crate) nonce: u64,
    pub(crate) gas_price: u128,
    pub(crate) gas_limit: u64,
    pub(crate) to: TxKind,
    pub(crate) value: U256,
    pub(crate) input: Bytes,
}

/// Signs `tx` and returns its hash and its raw encoding for `eth_sendRawTransaction`.
///
/// A legacy (EIP-155) transaction with an explicit gas price, as Caliper 0.6 sent: every node
/// takes it, and its cost does not depend on the base fee of the moment.
pub(crate) fn sign(signer: &PrivateKeySigner, tx: Unsigned) -> Result<(B256, Bytes), String> {
    let mut legacy = TxLegacy {
        chain_id: Some(tx.chain_id),
        nonce: tx.nonce,
        gas_price: tx.gas_price,
        gas_limit: tx.gas_limit,
        to: tx.to,
        value: tx.value,
        input: tx.input,
    };
    let signature = signer.sign_transaction_sync(&mut legacy).map_err(|e| format!("cannot sign: {e}"))?;
    let envelope = TxEnvelope::Legacy(legacy.into_signed(signature));
    Ok((*envelope.tx_hash(), envelope.encoded_2718().into()))
}
