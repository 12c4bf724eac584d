//! Connector factories by the name used in `caliper.blockchain`, and the resolvers that turn
//! other values (a path, a package, a program) into a factory.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::ConnectorFactory;
use crate::suggest::did_you_mean;

/// Turns a `caliper.blockchain` value that is no registered name into a factory: a
/// JavaScript connector run in Node.js, a program speaking the external-connector protocol.
pub trait ConnectorResolver: Send + Sync {
    /// What it resolves, for the message of an unknown name (one line, such as "a path or
    /// npm package: a Caliper JavaScript connector, run in Node.js").
    fn describe(&self) -> String;
    /// `None`: the value is not for this resolver. `Some(Err(message))`: it is, but it cannot
    /// be used (the message says what is missing and how to fix it).
    fn resolve(
        &self,
        blockchain: &str,
        workspace: &Path,
    ) -> Option<Result<Arc<dyn ConnectorFactory>, String>>;
}

/// How a connector that is not built in gets installed, for the message of an unknown name.
const BIND_HINT: &str = " (`caliper bind --caliper-bind-sut <sut>:<sdk>` installs a connector that is not built in, see docs/binding.md)";

/// Why `caliper.blockchain` gives no connector.
#[derive(Debug, thiserror::Error)]
pub enum UnknownConnector {
    /// No registered name and no resolver knows the value.
    #[error("unknown connector \"{name}\"{hint}; {available}")]
    Unknown {
        /// The value of `caliper.blockchain`.
        name: String,
        /// ` (did you mean "x"?)`, or empty.
        hint: String,
        /// The built-in names and what the resolvers accept.
        available: String,
    },
    /// A resolver took the value but cannot use it.
    #[error("connector \"{name}\": {message}")]
    Unusable {
        /// The value of `caliper.blockchain`.
        name: String,
        /// What is missing and how to fix it.
        message: String,
    },
}

/// The connectors this binary knows: factories by name, then resolvers in the order they
/// were registered.
#[derive(Default, Clone)]
pub struct ConnectorRegistry {
    factories: BTreeMap<&'static str, Arc<dyn ConnectorFactory>>,
    resolvers: Vec<Arc<dyn ConnectorResolver>>,
}

impl ConnectorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a factory under its name (a later one replaces an earlier one).
    pub fn register(&mut self, factory: Arc<dyn ConnectorFactory>) -> &mut Self {
        self.factories.insert(factory.name(), factory);
        self
    }

    /// Registers a resolver, asked after the names and after the resolvers registered before it.
    pub fn register_resolver(&mut self, resolver: Arc<dyn ConnectorResolver>) -> &mut Self {
        self.resolvers.push(resolver);
        self
    }

    /// The factory registered as `name` (resolvers are not asked).
    pub fn get(&self, name: &str) -> Option<Arc<dyn ConnectorFactory>> {
        self.factories.get(name).cloned()
    }

    /// The factory for `caliper.blockchain`: a registered name first, then each resolver, with
    /// relative paths taken from `workspace`.
    pub fn resolve(
        &self,
        blockchain: &str,
        workspace: &Path,
    ) -> Result<Arc<dyn ConnectorFactory>, UnknownConnector> {
        if let Some(factory) = self.get(blockchain) {
            return Ok(factory);
        }
        for resolver in &self.resolvers {
            match resolver.resolve(blockchain, workspace) {
                Some(Ok(factory)) => return Ok(factory),
                Some(Err(message)) => {
                    return Err(UnknownConnector::Unusable { name: blockchain.to_string(), message });
                }
                None => {}
            }
        }
        let names = self.names();
        let hint = did_you_mean(blockchain, names.iter().copied())
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        let mut available = format!("the built-in connectors are: {}", names.join(", "));
        for resolver in &self.resolvers {
            available.push_str("; or ");
            available.push_str(&resolver.describe());
        }
        if !self.resolvers.is_empty() {
            available.push_str(BIND_HINT);
        }
        Err(UnknownConnector::Unknown { name: blockchain.to_string(), hint, available })
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::connector::{Connector, ConnectorError, ConnectorInit};

    struct Named(&'static str);

    #[async_trait]
    impl ConnectorFactory for Named {
        fn name(&self) -> &'static str {
            self.0
        }
        async fn create(&self, _init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
            Err(ConnectorError::Sut("not for this test".into()))
        }
    }

    /// Takes values starting with `prefix`; refuses those ending in `!`.
    struct Prefixed(&'static str, &'static str);

    impl ConnectorResolver for Prefixed {
        fn describe(&self) -> String {
            format!("{}<anything>", self.0)
        }
        fn resolve(
            &self,
            blockchain: &str,
            _workspace: &Path,
        ) -> Option<Result<Arc<dyn ConnectorFactory>, String>> {
            let rest = blockchain.strip_prefix(self.0)?;
            if rest.ends_with('!') {
                return Some(Err("refused".into()));
            }
            Some(Ok(Arc::new(Named(self.1))))
        }
    }

    fn registry() -> ConnectorRegistry {
        let mut r = ConnectorRegistry::new();
        r.register(Arc::new(Named("sim")));
        r.register(Arc::new(Named("ethereum")));
        r.register_resolver(Arc::new(Prefixed("node:", "first")));
        r.register_resolver(Arc::new(Prefixed("", "second")));
        r
    }

    #[test]
    fn names_come_first_then_resolvers_in_order() {
        let r = registry();
        let ws = Path::new("/ws");
        assert_eq!(r.resolve("sim", ws).unwrap().name(), "sim");
        assert_eq!(r.resolve("node:x", ws).unwrap().name(), "first");
        assert_eq!(r.resolve("other", ws).unwrap().name(), "second");
    }

    #[test]
    fn a_resolver_that_refuses_says_why() {
        let err = registry().resolve("node:x!", Path::new("/ws")).err().unwrap();
        assert_eq!(err.to_string(), "connector \"node:x!\": refused");
    }

    #[test]
    fn an_unknown_name_lists_names_and_resolvers() {
        let mut r = ConnectorRegistry::new();
        r.register(Arc::new(Named("ethereum")));
        r.register_resolver(Arc::new(Prefixed("node:", "n")));
        let err = r.resolve("etherium", Path::new("/ws")).err().unwrap().to_string();
        assert_eq!(
            err,
            "unknown connector \"etherium\" (did you mean \"ethereum\"?); the built-in connectors are: ethereum; or node:<anything> (`caliper bind --caliper-bind-sut <sut>:<sdk>` installs a connector that is not built in, see docs/binding.md)"
        );
    }
}
