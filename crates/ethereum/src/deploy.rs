//! `installSmartContract`: the contract artifacts (`{name, abi, bytecode, gas}`, as Caliper 0.6
//! read them) deployed concurrently by the deployer, with consecutive nonces.

use std::time::Duration;

use alloy::json_abi::JsonAbi;
use alloy::primitives::{Address, B256, Bytes, TxKind, U64, U256};
use caliper_core::connector::ConnectorError;
use futures::future::join_all;
use serde::Deserialize;
use tokio::time::Instant;

use crate::config::ContractSpec;
use crate::connector::{EthereumConnector, sut};
use crate::rpc::classify;
use crate::sender::key_signer;
use crate::tx::{Unsigned, sign};

/// How often a deployment's receipt is looked up (a handful of transactions, once per run:
/// a poll each is fine here, unlike on the hot path).
const RECEIPT_POLL: Duration = Duration::from_millis(200);

/// A contract artifact. Other keys (a compiler version, say) are ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Artifact {
    pub(crate) abi: JsonAbi,
    #[serde(default)]
    bytecode: Option<String>,
    #[serde(default)]
    gas: Option<u64>,
}

/// Reads the artifact of contract `id`.
pub(crate) async fn load_artifact(id: &str, spec: &ContractSpec) -> Result<Artifact, ConnectorError> {
    let key = format!("ethereum.contracts.{id}.path");
    let Some(path) = &spec.path else {
        return Err(ConnectorError::Config { path: key, message: "missing".into() });
    };
    let text = tokio::fs::read_to_string(path).await.map_err(|e| ConnectorError::Config {
        path: key.clone(),
        message: format!("{}: {e}", path.display()),
    })?;
    serde_json::from_str(&text).map_err(|e| ConnectorError::Config {
        path: key,
        message: format!("{}: not a contract artifact {{name, abi, bytecode, gas}}: {e}", path.display()),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeployReceipt {
    status: Option<U64>,
    contract_address: Option<Address>,
}

/// Deploys every contract without an `address`.
pub(crate) async fn install(connector: &EthereumConnector) -> Result<(), ConnectorError> {
    let config = &connector.config;
    let todo: Vec<(&String, &ContractSpec)> =
        config.contracts.iter().filter(|(_, c)| c.address.is_none()).collect();
    if todo.is_empty() {
        return Ok(());
    }
    let Some(signer) = config.deployer.as_ref().and_then(key_signer) else {
        return Err(ConnectorError::Config {
            path: "ethereum.contractDeployerAddressPrivateKey".into(),
            message: "missing: needed to deploy contracts".into(),
        });
    };
    let client = connector.main_client();
    let (chain_id, gas_price, first) = connector
        .bounded("deploying", async {
            let (chain_id, gas_price) = connector.chain_and_price().await?;
            let first: U256 = client
                .request("eth_getTransactionCount", (signer.address(), "pending"))
                .await
                .map_err(sut("eth_getTransactionCount"))?;
            Ok((chain_id, gas_price, first))
        })
        .await?;
    let first = first.saturating_to::<u64>();
    let mut signed = Vec::with_capacity(todo.len());
    for (i, (id, spec)) in todo.iter().enumerate() {
        let artifact = load_artifact(id, spec).await?;
        let path = format!("ethereum.contracts.{id}.path");
        let code = artifact
            .bytecode
            .as_deref()
            .and_then(|b| b.parse::<Bytes>().ok())
            .filter(|b| !b.is_empty())
            .ok_or_else(|| ConnectorError::Config {
                path: path.clone(),
                message: "the artifact has no 0x hex `bytecode`".into(),
            })?;
        let unsigned = Unsigned {
            chain_id,
            nonce: first + i as u64,
            gas_price,
            gas_limit: artifact.gas.unwrap_or(4_700_000),
            to: TxKind::Create,
            value: U256::ZERO,
            input: code,
        };
        let (hash, raw) = sign(&signer, unsigned).map_err(ConnectorError::Sut)?;
        signed.push(((*id).clone(), artifact.abi, hash, raw));
    }
    let timeout = config.timeout;
    let results = join_all(signed.into_iter().map(|(id, abi, hash, raw)| async move {
        let address = deploy_one(client, &id, hash, raw, timeout).await?;
        Ok::<_, ConnectorError>((id, address, abi))
    }))
    .await;
    let mut deployed = connector.deployed.lock().unwrap_or_else(|p| p.into_inner());
    for result in results {
        let (id, address, abi) = result?;
        tracing::info!(contract = %id, %address, "contract deployed");
        deployed.insert(id, (address, abi));
    }
    Ok(())
}

async fn deploy_one(
    client: &alloy::rpc::client::RpcClient,
    id: &str,
    hash: B256,
    raw: Bytes,
    timeout: Duration,
) -> Result<Address, ConnectorError> {
    let fail = |message: String| ConnectorError::Sut(format!("deploying contract \"{id}\": {message}"));
    // Every call is bounded by the deadline: over ws:// alloy holds requests to a node that
    // went away while it reconnects.
    let deadline = Instant::now() + timeout;
    let send = client.request::<_, B256>("eth_sendRawTransaction", (raw,));
    tokio::time::timeout_at(deadline, send)
        .await
        .map_err(|_| {
            fail(format!("no answer to eth_sendRawTransaction within {timeout:?} (ethereum.timeout)"))
        })?
        .map_err(|e| fail(classify(&e).1))?;
    loop {
        let lookup = client.request::<_, Option<DeployReceipt>>("eth_getTransactionReceipt", (hash,));
        match tokio::time::timeout_at(deadline, lookup).await.unwrap_or(Ok(None)) {
            Ok(Some(receipt)) => {
                if receipt.status != Some(U64::from(1)) {
                    return Err(fail(format!(
                        "transaction {hash} reverted (out of gas? raise the artifact's `gas`)"
                    )));
                }
                return receipt
                    .contract_address
                    .ok_or_else(|| fail(format!("transaction {hash} created no contract")));
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(contract = id, err = %classify(&e).1, "deployment receipt not read"),
        }
        if Instant::now() >= deadline {
            return Err(fail(format!("transaction {hash} not mined within {timeout:?} (ethereum.timeout)")));
        }
        tokio::time::sleep(RECEIPT_POLL).await;
    }
}
