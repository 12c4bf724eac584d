//! Caliper's `ConnectorBase.sendRequests`: events, concurrency and error capture for
//! connectors that send one request at a time.

use futures::future::join_all;
use serde_json::Value;

use super::{Connector, TxStatus};
use crate::time::now_micros;

/// Emits `txs_submitted` for every request, runs them concurrently, turns each error into a
/// failed status created when the request was, and emits one `txs_finished` for the batch.
pub(super) async fn send_each<C: Connector + ?Sized>(connector: &C, requests: Value) -> Vec<TxStatus> {
    let sink = connector.base().sink();
    match requests {
        Value::Array(batch) => {
            sink.txs_submitted(batch.len() as u64);
            let created = now_micros();
            let statuses =
                join_all(batch.into_iter().map(|request| async move {
                    settle(connector.send_single_request(request).await, created)
                }))
                .await;
            sink.txs_finished(&statuses);
            statuses
        }
        request => {
            sink.txs_submitted(1);
            let created = now_micros();
            let status = settle(connector.send_single_request(request).await, created);
            sink.txs_finished(std::slice::from_ref(&status));
            vec![status]
        }
    }
}

fn settle(result: Result<TxStatus, super::ConnectorError>, created: u64) -> TxStatus {
    match result {
        Ok(status) => status,
        Err(err) => {
            let mut status = TxStatus::created_at(String::new(), created);
            status.verified = true;
            status.set_failed(now_micros(), err.class(), err.to_string());
            status
        }
    }
}
