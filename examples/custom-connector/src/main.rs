//! `my-caliper`: the `caliper` command with every built-in part and this crate's `http`
//! connector. Local workers run this same executable; remote workers must too.

use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let mut registries = caliper_cli::Registries::builtin();
    registries.connectors.register(Arc::new(caliper_example_custom_connector::HttpFactory));
    caliper_cli::run_with(registries)
}
