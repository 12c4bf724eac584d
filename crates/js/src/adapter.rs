//! The `sutAdapter` a JavaScript module gets: Caliper's connector methods `getType`,
//! `getWorkerIndex` and `sendRequests` over the worker's Rust connector.
//!
//! `sendRequests(request | request[])` turns the request into JSON, starts the connector's
//! `send_requests` as a future of the engine (with the intended send time of the transaction
//! that called it) and returns a promise, resolved with one `TxStatus` for a single request
//! or an array for an array, as Caliper's `ConnectorBase` does.

use std::rc::Rc;
use std::sync::Arc;

use caliper_core::connector::Connector;
use caliper_core::time::with_intended_send_time;
use rquickjs::{Ctx, Exception, Function, Object, Persistent, Promise, Value};

use crate::convert::to_json;
use crate::engine::{Completion, State};

/// The `sutAdapter` object for one round.
pub(crate) fn sut_adapter<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<State>,
    connector: Arc<dyn Connector>,
) -> rquickjs::Result<Object<'js>> {
    let adapter = Object::new(ctx.clone())?;
    let kind = connector.get_type().to_string();
    adapter.set("getType", Function::new(ctx.clone(), move || kind.clone())?.with_name("getType")?)?;
    let index = connector.get_worker_index();
    adapter.set(
        "getWorkerIndex",
        Function::new(ctx.clone(), move || index as f64)?.with_name("getWorkerIndex")?,
    )?;
    let state = state.clone();
    let send = Function::new(
        ctx.clone(),
        move |ctx: Ctx<'js>, request: Value<'js>| -> rquickjs::Result<Promise<'js>> {
            let single = !request.is_array();
            let json = match to_json(&request, 0) {
                Ok(Some(json)) => json,
                Ok(None) => serde_json::Value::Null,
                Err(message) => return Err(Exception::throw_type(&ctx, &format!("sendRequests: {message}"))),
            };
            let (promise, resolve, _reject) = Promise::new(&ctx)?;
            let resolve = Persistent::save(&ctx, resolve);
            let connector = connector.clone();
            let intended = state.intended.get();
            let owner = state.own_task();
            state.tasks.borrow_mut().push(Box::pin(async move {
                let statuses = match intended {
                    Some(t) => with_intended_send_time(t, connector.send_requests(json)).await,
                    None => connector.send_requests(json).await,
                };
                Completion::Sent { statuses, single, resolve, intended, owner }
            }));
            Ok(promise)
        },
    )?;
    adapter.set("sendRequests", send.with_name("sendRequests")?)?;
    Ok(adapter)
}
