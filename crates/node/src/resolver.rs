//! The [`ConnectorResolver`] for Caliper's JavaScript connectors.

use std::path::Path;
use std::sync::Arc;

use caliper_core::connector::{ConnectorFactory, ConnectorResolver};

use crate::connector::NodeFactory;
use crate::target::{FORCE_PREFIX, JsTarget};

/// Takes the `caliper.blockchain` values that name a JavaScript connector (Caliper's rules,
/// relative to the workspace) and runs them in the Node.js sidecar. Register it before the
/// resolver of external programs: Caliper's paths and packages come first.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeResolver;

impl ConnectorResolver for NodeResolver {
    fn describe(&self) -> String {
        "a Caliper JavaScript connector run in Node.js: ./path or /path or *.js (relative to the workspace), \
         a package installed in the workspace's node_modules (caliper bind), or node:<name|path> (node:fabric, node:ethereum: Caliper's own)"
            .to_string()
    }

    fn resolve(
        &self,
        blockchain: &str,
        workspace: &Path,
    ) -> Option<Result<Arc<dyn ConnectorFactory>, String>> {
        let target = match blockchain.strip_prefix(FORCE_PREFIX) {
            Some("") => return Some(Err(format!("{FORCE_PREFIX} needs a connector name or path after it"))),
            Some(rest) => JsTarget::caliper_rule(rest, workspace),
            None => JsTarget::unforced(blockchain, workspace)?,
        };
        let forced = blockchain.strip_prefix(FORCE_PREFIX).unwrap_or(blockchain);
        Some(Ok(Arc::new(NodeFactory::new(forced, target))))
    }
}
