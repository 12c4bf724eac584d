//! A JavaScript workload module instance for one round: Caliper's three calls, made in the
//! worker's engine.

use std::path::PathBuf;
use std::rc::Rc;

use async_trait::async_trait;
use caliper_core::time::intended_send_time;
use caliper_core::workload::{WorkloadError, WorkloadInit, WorkloadModule};
use rquickjs::function::This;
use rquickjs::{Array, Function, Object, Persistent, Value};

use crate::adapter::sut_adapter;
use crate::convert::{describe, from_json};
use crate::engine::Engine;

/// One round's instance of a JavaScript module (what `createWorkloadModule()` returned).
///
/// Field order is drop order: the instance goes before the engine it lives in.
pub(crate) struct JsWorkload {
    instance: Persistent<Object<'static>>,
    /// The instance's `submitTransaction`, taken once it is initialised.
    submit: Option<Persistent<Function<'static>>>,
    file: PathBuf,
    engine: Rc<Engine>,
}

impl JsWorkload {
    /// Wraps `instance`, made by `engine`.
    pub(crate) fn new(engine: Rc<Engine>, instance: Persistent<Object<'static>>, file: PathBuf) -> Self {
        JsWorkload { instance, submit: None, file, engine }
    }

    /// Calls `method(args)` of the instance and waits for it (initialize and cleanup: nothing
    /// else runs meanwhile).
    async fn call(&self, method: &'static str, args: Option<WorkloadInit>) -> Result<(), WorkloadError> {
        let engine = &self.engine;
        let id = engine.open_call();
        let wait = engine.wait(id, true);
        let started = engine.enter(engine.limits.setup_time, |ctx, api| -> Result<(), String> {
            engine.state.intended.set(None);
            engine.state.current.set(Some(id));
            let run = || -> rquickjs::Result<()> {
                let list = Array::new(ctx.clone())?;
                if let Some(init) = &args {
                    list.set(0, init.worker_index as f64)?;
                    list.set(1, init.total_workers as f64)?;
                    list.set(2, init.round_index as f64)?;
                    list.set(3, from_json(ctx, &init.round_arguments)?)?;
                    list.set(4, sut_adapter(ctx, &engine.state, init.sut_adapter.clone())?)?;
                    list.set(5, from_json(ctx, &init.sut_context)?)?;
                }
                let call: Function = api.get("call")?;
                let instance = self.instance.clone().restore(ctx)?;
                call.call::<_, ()>((instance, method, list, id as f64))
            };
            run().map_err(|e| describe(ctx, e, &engine.state))
        });
        let outcome = match started {
            Ok(()) => wait.await,
            Err(e) => Err(e),
        };
        outcome.map_err(|e| WorkloadError::Failed(format!("{method} of {} failed: {e}", self.file.display())))
    }
}

#[async_trait(?Send)]
impl WorkloadModule for JsWorkload {
    async fn initialize(&mut self, init: WorkloadInit) -> Result<(), WorkloadError> {
        self.engine.reset();
        self.call("initializeWorkloadModule", Some(init)).await?;
        let engine = &self.engine;
        let submit = engine.enter(engine.limits.setup_time, |ctx, _| -> rquickjs::Result<_> {
            let instance = self.instance.clone().restore(ctx)?;
            Ok(Persistent::save(ctx, instance.get::<_, Function>("submitTransaction")?))
        });
        let submit = submit.map_err(|e| {
            WorkloadError::Failed(format!(
                "{}: submitTransaction is not a function: {e}",
                self.file.display()
            ))
        })?;
        self.submit = Some(submit);
        Ok(())
    }

    async fn submit_transaction(&self) -> Result<(), WorkloadError> {
        let engine = &self.engine;
        let Some(submit) = &self.submit else {
            return Err(WorkloadError::Failed("submitTransaction before initializeWorkloadModule".into()));
        };
        let id = engine.open_call();
        let wait = engine.wait(id, false);
        let started = engine.enter(engine.limits.run_time, |ctx, api| -> Result<(), String> {
            // Read on the transaction's first poll, inside the worker's scope for it.
            engine.state.intended.set(intended_send_time());
            engine.state.current.set(Some(id));
            let run = || -> rquickjs::Result<Value> {
                let submit = submit.clone().restore(ctx)?;
                let instance = self.instance.clone().restore(ctx)?;
                submit.call((This(instance),))
            };
            match run() {
                Ok(value) => {
                    engine.follow(ctx, api, id, value);
                    Ok(())
                }
                Err(e) => Err(describe(ctx, e, &engine.state)),
            }
        });
        let outcome = match started {
            Ok(()) => wait.await,
            Err(e) => Err(e),
        };
        outcome.map_err(WorkloadError::Failed)
    }

    async fn cleanup(&mut self) -> Result<(), WorkloadError> {
        self.call("cleanupWorkloadModule", None).await
    }
}
