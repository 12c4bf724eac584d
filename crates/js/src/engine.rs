//! One JavaScript engine (a QuickJS runtime and context) and the small executor that lets
//! many transactions of one worker run in it at once.
//!
//! JavaScript calls into Rust (`sendRequests`, timers) push Rust futures into one set owned
//! by the engine. Every Rust future that waits for JavaScript (a transaction, an
//! `initializeWorkloadModule`) drives that set when it is polled, runs the completions in
//! JavaScript (resolving promises, firing timers) and the jobs they queue, and then looks at
//! its own outcome. The set's waker wakes one waiting future, which then drives for all: the
//! worker's loop keeps polling its transactions, so no separate task is needed.
//!
//! A transaction is followed without any JavaScript of ours on the hot path: each future
//! started by JavaScript belongs to the call whose code was running (the owner), and when it
//! completes, the owner's promise (what `submitTransaction()` returned) is looked at. A
//! promise still pending when its call owns nothing more (it waits for another transaction's
//! work) is then watched with `then` instead: correct in every case, cheap in the usual one.
//!
//! Every entry into JavaScript carries a deadline checked by QuickJS's interrupt handler, so
//! an endless loop is stopped with an uncatchable error; the engine then fails every call in
//! progress with a message that says so and where the script was.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use caliper_core::TxStatus;
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use futures::stream::FuturesUnordered;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Promise, Runtime, Value};

use crate::error::JsError;
use crate::{JsLimits, convert, native};

/// The prelude: module system, `@hyperledger/caliper-core` and the Node subset.
const PRELUDE: &str = include_str!("js/prelude.js");

/// How long a stopped script's error handlers may still run before they are stopped too.
const STOP_GRACE: Duration = Duration::from_millis(200);

/// What a Rust future started by JavaScript hands back when it is done.
pub(crate) enum Completion {
    /// `sendRequests` finished: resolve its promise with the statuses.
    Sent {
        /// One status per request.
        statuses: Vec<TxStatus>,
        /// Whether the request was a single object (resolve with one TxStatus, not an array).
        single: bool,
        /// The promise's resolve function.
        resolve: Persistent<Function<'static>>,
        /// The intended send time of the transaction that sent it.
        intended: Option<u64>,
        /// The call whose code sent it.
        owner: Option<u64>,
    },
    /// A timer is due.
    Timer {
        /// The timer's id on the JavaScript side.
        id: f64,
        /// The intended send time of the transaction that set it.
        intended: Option<u64>,
        /// The call whose code set it.
        owner: Option<u64>,
    },
}

/// A call in progress (a transaction, or an initialize/cleanup call) and how it ended.
#[derive(Default)]
struct Call {
    outcome: Option<Result<(), String>>,
    waker: Option<Waker>,
    /// The promise the call returned, when the engine follows it itself.
    promise: Option<Persistent<Promise<'static>>>,
    /// Futures started by the call's code and not completed yet.
    tasks: u32,
    /// Whether the promise is watched with `then` (then `settle` reports the outcome).
    watched: bool,
}

/// What the native functions share with the engine. Holds no JavaScript value except inside
/// `tasks`, which the engine empties before the runtime goes.
pub(crate) struct State {
    pub(crate) tasks: RefCell<FuturesUnordered<LocalBoxFuture<'static, Completion>>>,
    calls: RefCell<HashMap<u64, Call>>,
    next_call: Cell<u64>,
    /// The intended send time of the transaction whose JavaScript is running, passed on to
    /// the requests and timers it starts (JavaScript has no async context of its own).
    pub(crate) intended: Cell<Option<u64>>,
    /// The call whose JavaScript is running: the owner of the futures it starts.
    pub(crate) current: Cell<Option<u64>>,
    /// Inside an entry into JavaScript (the interrupt handler times only those).
    armed: Cell<bool>,
    /// When the interrupt handler first ran in this entry: QuickJS calls it every few
    /// thousand operations, so short entries never read the clock.
    started: Cell<Option<Instant>>,
    /// Until when a stopped script's error handlers may still run.
    grace_until: Cell<Option<Instant>>,
    interrupted: Cell<bool>,
    /// Set when a script was stopped: every call in progress fails with it.
    fatal: RefCell<Option<String>>,
    /// What the running entry is, for the message when it is stopped.
    limit: Cell<Duration>,
}

impl State {
    /// Records the outcome of call `id` (from `native.settle`) and wakes its future.
    pub(crate) fn settle(&self, id: u64, outcome: Result<(), String>) {
        if let Some(call) = self.calls.borrow_mut().get_mut(&id) {
            call.outcome = Some(outcome);
            // Kept (not taken): `release` compares it with the driver's waker.
            if let Some(w) = &call.waker {
                w.wake_by_ref();
            }
        }
    }

    /// Counts a future started by the running call; returns its owner.
    pub(crate) fn own_task(&self) -> Option<u64> {
        let owner = self.current.get()?;
        if let Some(call) = self.calls.borrow_mut().get_mut(&owner) {
            call.tasks += 1;
        }
        Some(owner)
    }

    /// QuickJS's interrupt handler: stops a script that ran longer than the entry's limit.
    /// After a stop, handlers (a rejection handler reporting the error) get a short grace,
    /// then anything still running is stopped again.
    fn interrupt(&self) -> bool {
        if !self.armed.get() {
            return false;
        }
        let now = Instant::now();
        let Some(started) = self.started.get() else {
            self.started.set(Some(now));
            return false;
        };
        if let Some(grace_until) = self.grace_until.get() {
            return now >= grace_until;
        }
        if now.duration_since(started) >= self.limit.get() {
            self.interrupted.set(true);
            self.grace_until.set(Some(now + STOP_GRACE));
            return true;
        }
        false
    }

    /// The message for a script stopped by the interrupt handler, if it was.
    pub(crate) fn interrupted_message(&self) -> Option<String> {
        self.interrupted.get().then(|| {
            format!(
                "the script ran for more than {:?} without returning (an endless loop?) and was stopped",
                self.limit.get()
            )
        })
    }
}

/// The waker of the engine's task set: it wakes the most recent call still waiting, which
/// then drives the set for everyone.
#[derive(Default)]
struct Driver {
    parent: Mutex<Option<Waker>>,
}

impl Driver {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Waker>> {
        self.parent.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Wake for Driver {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(w) = self.lock().as_ref() {
            w.wake_by_ref();
        }
    }
}

/// One engine: a worker's JavaScript world, kept across rounds.
///
/// Field order is drop order: JavaScript values held by Rust go before the context, and
/// the context before the runtime (QuickJS aborts on a runtime freed with live values).
pub(crate) struct Engine {
    api: Persistent<Object<'static>>,
    pub(crate) state: Rc<State>,
    driver: Arc<Driver>,
    driver_waker: Waker,
    pub(crate) limits: JsLimits,
    context: Context,
    runtime: Runtime,
}

impl Drop for Engine {
    fn drop(&mut self) {
        // The futures hold promise resolvers: free them while the runtime is alive.
        self.state.tasks.borrow_mut().clear();
        self.state.calls.borrow_mut().clear();
    }
}

impl Engine {
    /// A new engine with the prelude loaded.
    pub(crate) fn new(limits: JsLimits) -> Result<Rc<Engine>, JsError> {
        let runtime = Runtime::new().map_err(|e| JsError::Engine(e.to_string()))?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let state = Rc::new(State {
            tasks: RefCell::new(FuturesUnordered::new()),
            calls: RefCell::new(HashMap::new()),
            next_call: Cell::new(1),
            intended: Cell::new(None),
            current: Cell::new(None),
            armed: Cell::new(false),
            started: Cell::new(None),
            grace_until: Cell::new(None),
            interrupted: Cell::new(false),
            fatal: RefCell::new(None),
            limit: Cell::new(limits.run_time),
        });
        let handler_state = state.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || handler_state.interrupt())));
        let context = Context::full(&runtime).map_err(|e| JsError::Engine(e.to_string()))?;
        let api = context.with(|ctx| -> Result<_, JsError> {
            let native = native::object(&ctx, &state).map_err(|e| JsError::Engine(e.to_string()))?;
            let prelude: Function = ctx
                .eval_with_options(PRELUDE, eval_options("caliper-js/prelude.js", true))
                .map_err(|e| JsError::Engine(convert::describe(&ctx, e, &state)))?;
            let api: Object =
                prelude.call((native,)).map_err(|e| JsError::Engine(convert::describe(&ctx, e, &state)))?;
            Ok(Persistent::save(&ctx, api))
        })?;
        let driver = Arc::new(Driver::default());
        let driver_waker = Waker::from(driver.clone());
        Ok(Rc::new(Engine { api, state, driver, driver_waker, limits, context, runtime }))
    }

    /// Runs `f` in JavaScript with the engine's deadline, then the jobs it queued. A script
    /// stopped by the deadline becomes the engine's fatal error.
    pub(crate) fn enter<R>(
        &self,
        limit: Duration,
        f: impl for<'js> FnOnce(&Ctx<'js>, &Object<'js>) -> R,
    ) -> R {
        self.context.with(|ctx| {
            let state = &self.state;
            state.limit.set(limit);
            state.interrupted.set(false);
            state.started.set(None);
            state.grace_until.set(None);
            state.current.set(None);
            state.armed.set(true);
            // Restoring cannot fail (same runtime); the globals are a harmless stand-in.
            let api = self.api.clone().restore(&ctx).unwrap_or_else(|_| ctx.globals());
            let result = f(&ctx, &api);
            while ctx.execute_pending_job() {}
            self.state.armed.set(false);
            if let Some(message) = self.state.interrupted_message() {
                self.state.fatal.borrow_mut().get_or_insert(message);
                // Every call in progress fails with it, but only when its future is polled
                // again: a call that waits for nothing else (its requests done, its promise
                // pending on the stopped script) would never be.
                for call in self.state.calls.borrow().values() {
                    if let Some(waker) = &call.waker {
                        waker.wake_by_ref();
                    }
                }
            }
            result
        })
    }

    /// Loads `file` (once per engine, as Node caches it) and returns its
    /// `createWorkloadModule`.
    pub(crate) fn factory(&self, file: &Path) -> Result<Persistent<Function<'static>>, JsError> {
        let file_name = file.to_string_lossy().into_owned();
        self.enter(self.limits.setup_time, |ctx, api| {
            let load: Function = api.get("factory").map_err(|e| JsError::Engine(e.to_string()))?;
            match load.call::<_, Function>((file_name.as_str(),)) {
                Ok(f) => Ok(Persistent::save(ctx, f)),
                Err(e) => Err(JsError::Load {
                    file: file_name.clone(),
                    message: convert::describe(ctx, e, &self.state),
                }),
            }
        })
    }

    /// A new module instance from `factory` (`createWorkloadModule()`).
    pub(crate) fn instance(
        &self,
        factory: &Persistent<Function<'static>>,
        file: &Path,
    ) -> Result<Persistent<Object<'static>>, JsError> {
        let file_name = file.to_string_lossy().into_owned();
        self.enter(self.limits.setup_time, |ctx, api| {
            let make: Function = api.get("instance").map_err(|e| JsError::Engine(e.to_string()))?;
            let factory = factory.clone().restore(ctx).map_err(|e| JsError::Engine(e.to_string()))?;
            match make.call::<_, Object>((factory, file_name.as_str())) {
                Ok(m) => Ok(Persistent::save(ctx, m)),
                Err(e) => Err(JsError::Load {
                    file: file_name.clone(),
                    message: convert::describe(ctx, e, &self.state),
                }),
            }
        })
    }

    /// Clears the fatal error of an earlier round (a new instance starts clean).
    pub(crate) fn reset(&self) {
        self.state.fatal.borrow_mut().take();
    }

    /// Opens a call whose outcome `native.settle(id, ...)` will record.
    pub(crate) fn open_call(&self) -> u64 {
        let id = self.state.next_call.get();
        self.state.next_call.set(id + 1);
        self.state.calls.borrow_mut().insert(id, Call::default());
        id
    }

    /// Waits for call `id`. `alone` says nothing else can settle it (no transaction runs
    /// meanwhile), so a promise that can never settle is reported instead of waited for.
    pub(crate) fn wait(self: &Rc<Self>, id: u64, alone: bool) -> Wait {
        Wait { engine: self.clone(), id, alone }
    }

    /// Polls the futures JavaScript started and runs the completions of those that are done.
    fn drive(&self) {
        let mut cx = TaskContext::from_waker(&self.driver_waker);
        loop {
            let next = self.state.tasks.borrow_mut().poll_next_unpin(&mut cx);
            match next {
                Poll::Ready(Some(completion)) => self.complete(completion),
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
    }

    fn complete(&self, completion: Completion) {
        let result = match completion {
            Completion::Sent { statuses, single, resolve, intended, owner } => {
                self.enter(self.limits.run_time, |ctx, api| -> rquickjs::Result<()> {
                    self.state.intended.set(intended);
                    self.state.current.set(owner);
                    let resolve = resolve.restore(ctx)?;
                    let r = convert::resolve_statuses(ctx, api, resolve, &statuses, single);
                    while ctx.execute_pending_job() {}
                    self.task_done(ctx, api, owner);
                    r
                })
            }
            Completion::Timer { id, intended, owner } => self.enter(self.limits.run_time, |ctx, api| {
                self.state.intended.set(intended);
                self.state.current.set(owner);
                let fire: Function = api.get("fireTimer")?;
                let r = fire.call::<_, ()>((id,)).map_err(|e| {
                    let message = convert::describe(ctx, e, &self.state);
                    tracing::error!(target: "caliper_js", "a timer callback failed: {message}");
                    rquickjs::Error::Unknown
                });
                while ctx.execute_pending_job() {}
                self.task_done(ctx, api, owner);
                r
            }),
        };
        if let Err(e) = result
            && !matches!(e, rquickjs::Error::Unknown)
        {
            tracing::warn!(target: "caliper_js", "completing a request in JavaScript failed: {e}");
        }
    }

    /// Follows the promise `value` that call `id` returned: settles the call when the promise
    /// has settled, or watches it when the call owns no pending future. Runs the queued jobs
    /// first, so what the call's code did synchronously counts.
    pub(crate) fn follow<'js>(&self, ctx: &Ctx<'js>, api: &Object<'js>, id: u64, value: Value<'js>) {
        while ctx.execute_pending_job() {}
        match value.into_promise() {
            Some(promise) => {
                if let Some(call) = self.state.calls.borrow_mut().get_mut(&id) {
                    call.promise = Some(Persistent::save(ctx, promise.clone()));
                }
                self.look(ctx, api, id, promise);
            }
            None => self.state.settle(id, Ok(())),
        }
    }

    /// A future owned by `owner` completed: look at its promise again.
    fn task_done<'js>(&self, ctx: &Ctx<'js>, api: &Object<'js>, owner: Option<u64>) {
        let Some(id) = owner else { return };
        let promise = {
            let mut calls = self.state.calls.borrow_mut();
            let Some(call) = calls.get_mut(&id) else { return };
            call.tasks = call.tasks.saturating_sub(1);
            match (&call.outcome, &call.promise) {
                (None, Some(p)) => p.clone(),
                _ => return,
            }
        };
        if let Ok(promise) = promise.restore(ctx) {
            self.look(ctx, api, id, promise);
        }
    }

    fn look<'js>(&self, ctx: &Ctx<'js>, api: &Object<'js>, id: u64, promise: Promise<'js>) {
        match promise.result::<Value>() {
            Some(Ok(_)) => self.state.settle(id, Ok(())),
            Some(Err(e)) => self.state.settle(id, Err(convert::describe(ctx, e, &self.state))),
            None => {
                let watch = match self.state.calls.borrow_mut().get_mut(&id) {
                    Some(call) if call.tasks == 0 && !call.watched => {
                        call.watched = true;
                        true
                    }
                    _ => false,
                };
                if watch {
                    let watched =
                        api.get::<_, Function>("watch").and_then(|w| w.call::<_, ()>((promise, id as f64)));
                    if let Err(e) = watched {
                        self.state.settle(id, Err(convert::describe(ctx, e, &self.state)));
                    }
                }
            }
        }
    }

    /// Whether nothing can ever happen again without new input: no future pending, no job.
    fn idle(&self) -> bool {
        self.state.tasks.borrow().is_empty() && !self.runtime.is_job_pending()
    }

    fn release(&self, id: u64) {
        let removed = self.state.calls.borrow_mut().remove(&id);
        let Some(Call { waker: Some(mine), .. }) = removed else { return };
        let mut parent = self.driver.lock();
        if parent.as_ref().is_some_and(|p| p.will_wake(&mine)) {
            // Hand the driving over to another waiting call, if any.
            *parent = self.state.calls.borrow().values().find_map(|c| c.waker.clone());
        }
    }
}

/// The future of one call: drives the engine until the call has settled.
pub(crate) struct Wait {
    engine: Rc<Engine>,
    id: u64,
    alone: bool,
}

impl Future for Wait {
    type Output = Result<(), String>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let engine = &self.engine;
        engine.drive();
        let outcome = match engine.state.calls.borrow_mut().get_mut(&self.id) {
            Some(call) => call.outcome.take(),
            None => Some(Err("the call was abandoned".to_string())),
        };
        if let Some(outcome) = outcome {
            return Poll::Ready(outcome);
        }
        if let Some(fatal) = engine.state.fatal.borrow().clone() {
            return Poll::Ready(Err(fatal));
        }
        if self.alone && engine.idle() {
            return Poll::Ready(Err(
                "its promise can never settle: nothing it waits for is pending (a promise that is never resolved?)"
                    .to_string(),
            ));
        }
        if let Some(call) = engine.state.calls.borrow_mut().get_mut(&self.id)
            && !call.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
        {
            call.waker = Some(cx.waker().clone());
        }
        let mut parent = engine.driver.lock();
        if !parent.as_ref().is_some_and(|p| p.will_wake(cx.waker())) {
            *parent = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        self.engine.release(self.id);
    }
}

/// Options to evaluate a script named `file` (the name shows in stacks).
pub(crate) fn eval_options(file: &str, strict: bool) -> rquickjs::context::EvalOptions {
    let mut options = rquickjs::context::EvalOptions::default();
    options.strict = strict;
    options.filename = Some(file.to_string());
    options
}
