//! The loader of `.js` workload modules: checks a module before the run starts and makes a
//! new instance for each round in the worker's engine.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use caliper_core::workload::{WorkloadError, WorkloadLoader, WorkloadModule};

use crate::JsLimits;
use crate::engine::Engine;
use crate::workload::JsWorkload;

thread_local! {
    /// The engine of this thread. A worker process runs its rounds on one thread, so this is
    /// one engine per worker, kept across rounds: module scope survives as it does in Node,
    /// and nothing is shared with another worker (another process).
    static ENGINE: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
}

/// Loads CommonJS workload modules written for Caliper (`module.exports.createWorkloadModule`).
///
/// Register it for the `js` extension; a round whose `workload.module` ends in `.js` then runs
/// in the worker's JavaScript engine.
#[derive(Debug, Clone, Default)]
pub struct JsLoader {
    limits: JsLimits,
}

impl JsLoader {
    /// A loader with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A loader whose engines have `limits` (the first load on a thread decides its engine's).
    pub fn with_limits(limits: JsLimits) -> Self {
        JsLoader { limits }
    }

    fn engine(&self) -> Result<Rc<Engine>, WorkloadError> {
        ENGINE.with(|slot| {
            if let Some(engine) = &*slot.borrow() {
                return Ok(engine.clone());
            }
            let engine = Engine::new(self.limits)?;
            *slot.borrow_mut() = Some(engine.clone());
            Ok(engine)
        })
    }
}

impl WorkloadLoader for JsLoader {
    /// Loads the module in an engine of its own, thrown away after: syntax errors (with file
    /// and line), missing modules, top-level exceptions and a missing or wrong
    /// `createWorkloadModule` are found before anything starts.
    fn check(&self, path: &Path) -> Result<(), WorkloadError> {
        let engine = Engine::new(self.limits)?;
        let factory = engine.factory(path)?;
        let instance = engine.instance(&factory, path)?;
        drop((instance, factory));
        Ok(())
    }

    fn load(&self, path: &Path) -> Result<Box<dyn WorkloadModule>, WorkloadError> {
        let engine = self.engine()?;
        // `require` caches the file, so its module scope is the previous round's.
        let factory = engine.factory(path)?;
        let instance = engine.instance(&factory, path)?;
        drop(factory);
        Ok(Box::new(JsWorkload::new(engine, instance, path.to_path_buf())))
    }
}
