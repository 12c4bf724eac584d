//! Transaction observer factories by module name.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::TxObserverFactory;

/// The transaction observers this binary knows, by module name.
#[derive(Default, Clone)]
pub struct TxObserverRegistry {
    factories: BTreeMap<&'static str, Arc<dyn TxObserverFactory>>,
}

impl TxObserverRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory under its name (a later one replaces an earlier one).
    pub fn register(&mut self, factory: Arc<dyn TxObserverFactory>) -> &mut Self {
        self.factories.insert(factory.name(), factory);
        self
    }

    /// The factory of `module`.
    pub fn get(&self, module: &str) -> Option<Arc<dyn TxObserverFactory>> {
        self.factories.get(module).cloned()
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.keys().copied().collect()
    }
}
