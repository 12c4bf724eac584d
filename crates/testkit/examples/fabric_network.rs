//! Starts a harness Fabric network by hand, for a benchmark or a look around: it writes the
//! Caliper network configuration, prints the endpoints, and stops everything when its standard
//! input closes (Enter, Ctrl-D) or on Ctrl-C (the nodes share its process group).
//!
//! ```text
//! CALIPER_FABRIC_BIN=/path/to/fabric/bin cargo run -p caliper-testkit --example fabric_network -- \
//!     [--orgs N] [--peers-per-org N] [--mutual-tls] [--batch-timeout-ms MS] \
//!     [--gateway-concurrency N] [--logging-spec SPEC] [--profile] [--config PATH]
//! ```
//!
//! `--config` defaults to `examples/fabric-simple/networks/harness.yaml`; `--profile` writes
//! connection profiles beside it instead of `peers:` entries.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use caliper_testkit::fabric::{ConfigStyle, FabricBinaries, FabricNetwork, Options};

/// A line on stdout (the program's whole output is for a person at a terminal).
macro_rules! say {
    ($($arg:tt)*) => {
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    };
}

fn main() -> Result<(), String> {
    let mut options = Options::default();
    let mut style = ConfigStyle::Peers;
    let mut config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fabric-simple/networks/harness.yaml");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--orgs" => options.orgs = number(&value("--orgs")?)?,
            "--peers-per-org" => options.peers_per_org = number(&value("--peers-per-org")?)?,
            "--mutual-tls" => options.mutual_tls = true,
            "--batch-timeout-ms" => {
                options.batch_timeout = Duration::from_millis(number(&value(&arg)?)? as u64)
            }
            "--gateway-concurrency" => options.gateway_concurrency = number(&value(&arg)?)? as u32,
            "--logging-spec" => options.logging_spec = value(&arg)?,
            "--profile" => style = ConfigStyle::ConnectionProfile,
            "--config" => config = PathBuf::from(value("--config")?),
            other => {
                return Err(format!(
                    "unknown argument {other} (see the header of examples/fabric_network.rs)"
                ));
            }
        }
    }
    let bins = FabricBinaries::from_env()?;
    let bins = bins.first().ok_or("CALIPER_FABRIC_BIN names no folder")?;
    let net = FabricNetwork::start(bins, options)?;
    net.write_network_config(&config, style)?;
    say!(
        "Fabric {} up in {:.1} s, folder {}",
        net.version(),
        net.startup_time().as_secs_f64(),
        net.dir().display()
    );
    say!("orderer {} (TLS CA {})", net.orderer_endpoint(), net.orderer_tls_ca().display());
    for peer in net.peers() {
        say!(
            "{} {} {} (operations :{}, TLS CA {})",
            peer.msp_id,
            peer.name,
            peer.endpoint,
            peer.operations_port,
            peer.tls_ca.display()
        );
    }
    say!(
        "channel {}, contract {}; Caliper network configuration: {}",
        net.channel(),
        net.contract(),
        config.display()
    );
    say!("press Enter or Ctrl-D to stop");
    let _ = std::io::stdin().read(&mut [0u8; 1]);
    Ok(())
}

fn number(text: &str) -> Result<usize, String> {
    text.parse().map_err(|_| format!("{text} is not a whole number"))
}
