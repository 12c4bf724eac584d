//! A metrics endpoint on axum: one path answering with the text the caller renders, stopped on
//! request (a scrape in progress gets a moment to finish).

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE as CONTENT_TYPE_HEADER;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::metrics::CONTENT_TYPE;

/// How long a scrape in progress may hold the server when it stops.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A running metrics endpoint; dropping it stops it at once.
pub(crate) struct MetricsServer {
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl MetricsServer {
    /// Serves `path` on `listener` with what `render` returns, in the text format 0.0.4.
    pub(crate) fn spawn(
        listener: TcpListener,
        path: &str,
        render: impl Fn() -> String + Clone + Send + Sync + 'static,
    ) -> MetricsServer {
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let app = Router::new().route(
            path,
            get(move || {
                let render = render.clone();
                async move { ([(CONTENT_TYPE_HEADER, CONTENT_TYPE)], render()) }
            }),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                tracing::warn!("the metrics server on port {port} stopped: {e}");
            }
        });
        MetricsServer { stop: Mutex::new(Some(stop)), task: Mutex::new(Some(task)) }
    }

    /// Stops serving.
    pub(crate) async fn stop(&self) {
        if let Some(stop) = lock(&self.stop).take() {
            let _ = stop.send(());
        }
        let task = lock(&self.task).take();
        if let Some(mut task) = task
            && tokio::time::timeout(STOP_GRACE, &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.task).take() {
            task.abort();
        }
    }
}
