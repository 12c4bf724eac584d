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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use serde_json::{Value, json};

    use crate::config::NetworkConfig;
    use crate::connector::{
        Connector, ConnectorBase, ConnectorError, ConnectorInit, ErrorClass, TxSink, TxState, TxStatus,
    };
    use crate::settings::Settings;

    #[derive(Default)]
    struct Recording {
        submitted: Mutex<u64>,
        finished: Mutex<Vec<TxStatus>>,
    }

    impl TxSink for Recording {
        fn txs_submitted(&self, count: u64) {
            *self.submitted.lock().unwrap() += count;
        }
        fn txs_finished(&self, statuses: &[TxStatus]) {
            self.finished.lock().unwrap().extend_from_slice(statuses);
        }
    }

    /// A connector that implements only `send_single_request`, as many will.
    struct Echo(ConnectorBase);

    #[async_trait]
    impl Connector for Echo {
        fn base(&self) -> &ConnectorBase {
            &self.0
        }
        async fn send_single_request(&self, request: Value) -> Result<TxStatus, ConnectorError> {
            match request["ok"].as_bool() {
                Some(true) => Ok(TxStatus::new("tx").succeed()),
                Some(false) => {
                    Err(ConnectorError::Failed { class: ErrorClass::Rejected, message: "no".into() })
                }
                None => Err(ConnectorError::InvalidRequest("`ok` must be a boolean".into())),
            }
        }
    }

    fn echo() -> (Echo, Arc<Recording>) {
        let sink = Arc::new(Recording::default());
        let init = ConnectorInit {
            worker_index: 3,
            network: Arc::new(NetworkConfig::default()),
            settings: Arc::new(Settings::default()),
            sink: sink.clone(),
        };
        (Echo(ConnectorBase::new("echo", &init)), sink)
    }

    #[tokio::test]
    async fn a_single_request_connector_gets_events_batches_and_failed_statuses() {
        let (c, sink) = echo();
        assert_eq!((c.get_type(), c.get_worker_index()), ("echo", 3));
        let one = c.send_requests(json!({"ok": true})).await;
        assert_eq!(one.len(), 1);
        assert!(one[0].is_committed());
        let batch = c.send_requests(json!([{"ok": true}, {"ok": false}, {"ok": "maybe"}])).await;
        assert_eq!(
            batch.iter().map(|s| s.status).collect::<Vec<_>>(),
            [TxState::Success, TxState::Failed, TxState::Failed]
        );
        assert_eq!(batch[1].error_class, Some(ErrorClass::Rejected));
        assert_eq!(batch[2].error_class, Some(ErrorClass::Invalid));
        assert!(batch[2].error.as_deref().unwrap().contains("`ok` must be a boolean"));
        assert!(batch[1].time_final >= batch[1].time_create && batch[1].verified);
        // Every request was counted once as submitted and once as finished: nothing is lost.
        assert_eq!(*sink.submitted.lock().unwrap(), 4);
        assert_eq!(sink.finished.lock().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn statuses_carry_the_intended_send_time_of_their_transaction() {
        let (c, sink) = echo();
        let statuses = crate::time::with_intended_send_time(42, c.send_requests(json!({"ok": true}))).await;
        assert_eq!(statuses[0].time_intended, Some(42));
        assert_eq!(sink.finished.lock().unwrap()[0].time_intended, Some(42));
    }
}
