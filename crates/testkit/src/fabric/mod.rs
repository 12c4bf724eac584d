//! A real Hyperledger Fabric network for the opt-in tests, without Docker: one orderer (etcdraft,
//! channel participation, no system channel) and the peers of one or two orgs as child
//! processes, every listener on a free 127.0.0.1 port, TLS everywhere, the gateway on, the
//! channel `mychannel`, and the contract `simple` (this project's Node chaincode in
//! `examples/fabric-simple/chaincode`) deployed as a service and answering on every peer.
//!
//! The binaries (`peer`, `orderer`, `configtxgen`, `cryptogen`, `osnadmin`: a Fabric release's
//! `bin/` folder) come from `CALIPER_FABRIC_BIN`, a folder or several separated by `:` (one per
//! Fabric version; tests run on each). Without it [`FabricBinaries::from_env`] says why, for
//! the test to print when it skips. `docs/connectors/fabric-testing.md` tells how to get them.
//!
//! Everything lives in a temporary folder that is removed with the network (kept when
//! `CALIPER_FABRIC_KEEP` is set, for reading the logs under `logs/`). Dropping the network
//! kills the chaincode server, the peers and the orderer.

mod caliper;
mod config;
mod layout;
mod process;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::net::http_get;
pub use caliper::ConfigStyle;
use layout::Layout;
use process::{Node, Spawn, healthy, listening, run};

/// The channel every peer joins.
pub const CHANNEL: &str = "mychannel";
/// The name the chaincode is deployed under.
pub const CONTRACT: &str = "simple";
/// The environment variable naming the folders of Fabric's binaries.
pub const BIN_ENV: &str = "CALIPER_FABRIC_BIN";

/// How long one node may take to come up, and the chaincode to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One folder of Fabric binaries and the version its `peer` reports.
#[derive(Debug, Clone)]
pub struct FabricBinaries {
    /// The folder holding `peer`, `orderer`, `configtxgen`, `cryptogen` and `osnadmin`.
    pub dir: PathBuf,
    /// `2.5.16`, from `peer version`.
    pub version: String,
}

impl FabricBinaries {
    /// Every folder listed in `CALIPER_FABRIC_BIN` (separated by `:`), or why there is none.
    pub fn from_env() -> Result<Vec<FabricBinaries>, String> {
        let value = std::env::var_os(BIN_ENV).filter(|v| !v.is_empty()).ok_or_else(|| {
            format!(
                "{BIN_ENV} is not set: it names a folder of Fabric binaries (peer, orderer, configtxgen, cryptogen, osnadmin), or several separated by ':'; docs/connectors/fabric-testing.md tells how to get them"
            )
        })?;
        std::env::split_paths(&value).map(|dir| FabricBinaries::at(&dir)).collect()
    }

    /// The binaries in `dir`, checked to be there and asked for their version.
    pub fn at(dir: &Path) -> Result<FabricBinaries, String> {
        for name in ["peer", "orderer", "configtxgen", "cryptogen", "osnadmin"] {
            if !dir.join(name).is_file() {
                return Err(format!(
                    "{} has no {name} ({BIN_ENV} must name folders of Fabric binaries)",
                    dir.display()
                ));
            }
        }
        let (out, _) = run(Command::new(dir.join("peer")).arg("version"))?;
        let version = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Version:"))
            .map(|v| v.trim().to_string())
            .ok_or_else(|| format!("{}/peer version printed no version:\n{out}", dir.display()))?;
        Ok(FabricBinaries { dir: dir.to_path_buf(), version })
    }

    /// The path of binary `name`.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The major version (2 or 3).
    pub fn major(&self) -> u32 {
        self.version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(2)
    }
}

/// The shape of a network.
#[derive(Debug, Clone)]
pub struct Options {
    /// Peer organisations (`Org1MSP`, `Org2MSP`, ...); the endorsement policy is a majority of
    /// them, so with two every transaction needs both.
    pub orgs: usize,
    /// Peers of each organisation.
    pub peers_per_org: usize,
    /// TLS client certificates required by the peers and the orderer.
    pub mutual_tls: bool,
    /// The orderer's BatchTimeout: the latency floor of a submit.
    pub batch_timeout: Duration,
    /// `peer.limits.concurrency.gatewayService` (Fabric's default is 500).
    pub gateway_concurrency: u32,
    /// `FABRIC_LOGGING_SPEC` of the nodes (their logs are under `logs/`).
    pub logging_spec: String,
}

impl Default for Options {
    /// One org of one peer, server-side TLS, a 250 ms BatchTimeout, Fabric's defaults otherwise.
    fn default() -> Options {
        Options {
            orgs: 1,
            peers_per_org: 1,
            mutual_tls: false,
            batch_timeout: Duration::from_millis(250),
            gateway_concurrency: 500,
            logging_spec: "info".into(),
        }
    }
}

/// A user's credentials, as cryptogen wrote them.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `User1` or `Admin`.
    pub name: String,
    /// Its org's MSP id.
    pub msp_id: String,
    /// The signing certificate (PEM).
    pub cert: PathBuf,
    /// The private key (PKCS#8 PEM).
    pub key: PathBuf,
    /// A TLS client certificate (for mutual TLS).
    pub tls_cert: PathBuf,
    /// Its TLS key.
    pub tls_key: PathBuf,
    /// The whole MSP folder (what the `peer` CLI takes).
    pub msp_dir: PathBuf,
}

/// What a client needs to reach one peer.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    /// `peer0.org1.example.com`: the name in its TLS certificate.
    pub name: String,
    /// The index of its org (0 for `Org1MSP`).
    pub org: usize,
    /// Its org's MSP id.
    pub msp_id: String,
    /// `127.0.0.1:<port>`: Gateway, Endorser, Deliver (TLS).
    pub endpoint: String,
    /// The operations port: `/healthz` and Prometheus `/metrics`, plain HTTP.
    pub operations_port: u16,
    /// The TLS CA certificate that signed its TLS certificate (PEM).
    pub tls_ca: PathBuf,
}

/// A running network; dropping it stops every process and removes its folder.
pub struct FabricNetwork {
    // Fields drop in order: the chaincode server and the peers go before the orderer, the
    // folder last.
    chaincode: Option<Node>,
    peers: Vec<Node>,
    orderer: Node,
    bins: FabricBinaries,
    options: Options,
    layout: Layout,
    package_id: String,
    startup: Duration,
    _dir: Option<tempfile::TempDir>,
}

impl FabricNetwork {
    /// Generates the crypto material and the channel, starts the orderer and the peers, joins
    /// the peers, and deploys and starts the chaincode; an error tells which step failed, with
    /// the end of the node's log.
    pub fn start(bins: &FabricBinaries, options: Options) -> Result<FabricNetwork, String> {
        if !(1..=9).contains(&options.orgs) || options.peers_per_org == 0 {
            return Err(format!("a network needs 1 to 9 orgs and 1 peer or more each, not {options:?}"));
        }
        let begun = Instant::now();
        let chaincode_src = chaincode_source()?;
        let tmp = tempfile::Builder::new()
            .prefix("caliper-fabric-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
        let (root, dir) = if std::env::var_os("CALIPER_FABRIC_KEEP").is_some() {
            let root = tmp.keep();
            tracing::info!("the Fabric network's folder {} is kept", root.display());
            (root, None)
        } else {
            (tmp.path().to_path_buf(), Some(tmp))
        };
        let layout = Layout::new(&root, options.orgs, options.peers_per_org);
        for sub in ["logs", "orderer/data", "channel", "chaincode", "builder/bin"] {
            mkdir(&root.join(sub))?;
        }
        generate(bins, &options, &layout)?;
        let orderer = start_orderer(bins, &options, &layout)?;
        let mut network = FabricNetwork {
            chaincode: None,
            peers: Vec::new(),
            orderer,
            bins: bins.clone(),
            options,
            layout,
            package_id: String::new(),
            startup: Duration::ZERO,
            _dir: dir,
        };
        network.join_orderer()?;
        network.start_peers()?;
        network.deploy(&chaincode_src)?;
        network.startup = begun.elapsed();
        tracing::info!("Fabric {} network up in {:?}", network.bins.version, network.startup);
        Ok(network)
    }

    /// The Fabric version of the binaries.
    pub fn version(&self) -> &str {
        &self.bins.version
    }

    /// How long [`FabricNetwork::start`] took.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The network's folder (logs under `logs/`, crypto material under `crypto/`).
    pub fn dir(&self) -> &Path {
        &self.layout.root
    }

    /// The channel name, [`CHANNEL`].
    pub fn channel(&self) -> &str {
        CHANNEL
    }

    /// The contract (chaincode) name, [`CONTRACT`].
    pub fn contract(&self) -> &str {
        CONTRACT
    }

    /// The chaincode package id (`simple_1.0:<sha256>`).
    pub fn package_id(&self) -> &str {
        &self.package_id
    }

    /// Whether peers and orderer require TLS client certificates.
    pub fn mutual_tls(&self) -> bool {
        self.options.mutual_tls
    }

    /// The MSP ids of the peer orgs, in order.
    pub fn msp_ids(&self) -> Vec<String> {
        self.layout.orgs.iter().map(|o| o.msp_id.clone()).collect()
    }

    /// The client user `User1` of org `org` (0-based).
    pub fn user(&self, org: usize) -> Identity {
        self.identity(org, "User1")
    }

    /// The admin of org `org` (0-based).
    pub fn admin(&self, org: usize) -> Identity {
        self.identity(org, "Admin")
    }

    /// Every peer, org by org; the index into this list is the `peer` argument of the methods
    /// below.
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.layout
            .peers
            .iter()
            .map(|p| {
                let org = &self.layout.orgs[p.org];
                PeerInfo {
                    name: p.name.clone(),
                    org: p.org,
                    msp_id: org.msp_id.clone(),
                    endpoint: format!("127.0.0.1:{}", p.port),
                    operations_port: p.operations_port,
                    tls_ca: org.tls_ca.clone(),
                }
            })
            .collect()
    }

    /// The orderer's `127.0.0.1:<port>` (TLS).
    pub fn orderer_endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.layout.orderer.port)
    }

    /// The orderer org's TLS CA certificate.
    pub fn orderer_tls_ca(&self) -> PathBuf {
        self.layout.orderer_tls_ca()
    }

    /// The log file of a node: `orderer`, a peer's name, or `chaincode`.
    pub fn log(&self, node: &str) -> PathBuf {
        self.layout.root.join("logs").join(format!("{node}.log"))
    }

    /// Kills peer `peer` (SIGKILL): what a crash looks like to clients.
    pub fn kill_peer(&mut self, peer: usize) {
        if let Some(node) = self.peers.get_mut(peer) {
            node.kill();
        }
    }

    /// Starts a killed peer again on the same ports and ledger, and waits until it is healthy,
    /// its chaincode answers, and every peer's gossip sees it again.
    pub fn restart_peer(&mut self, peer: usize) -> Result<(), String> {
        let p = self.layout.peers.get(peer).ok_or_else(|| format!("there is no peer {peer}"))?;
        let (ops, port) = (p.operations_port, p.port);
        let node = &mut self.peers[peer];
        node.restart()?;
        node.wait_until("serving", START_TIMEOUT, || peer_up(ops, port))?;
        self.wait_chaincode(peer)?;
        self.wait_membership()
    }

    /// Whether peer `peer`'s process is alive.
    pub fn peer_running(&mut self, peer: usize) -> bool {
        self.peers.get_mut(peer).is_some_and(Node::is_running)
    }

    /// The process id of peer `peer`, while it runs.
    pub fn peer_pid(&mut self, peer: usize) -> Option<u32> {
        self.peers.get_mut(peer).and_then(Node::pid)
    }

    /// Whether the orderer's process is alive.
    pub fn orderer_running(&mut self) -> bool {
        self.orderer.is_running()
    }

    /// Runs the `peer` command line as the admin of peer `peer`'s org against that peer (TLS
    /// and, with mutual TLS, the admin's client certificate set up): stdout and stderr.
    pub fn peer_cli(&self, peer: usize, args: &[&str]) -> Result<(String, String), String> {
        run(self.cli(peer, "Admin").args(args))
    }

    /// Submits `args` (function and arguments) to the chaincode with `peer chaincode invoke`
    /// as `User1` of the first org, endorsed by the first peer of every org, and waits for the
    /// commit: the chaincode's answer as the CLI prints it (`result: status:200 payload:...`).
    pub fn invoke(&self, args: &[&str]) -> Result<String, String> {
        let mut cmd = self.cli(0, "User1");
        cmd.args(["chaincode", "invoke", "-C", CHANNEL, "-n", CONTRACT, "--waitForEvent"]);
        cmd.args(self.orderer_args(0, "User1"));
        for org in &self.layout.orgs {
            let first = self.layout.peers.iter().find(|p| p.org == org.index).expect("every org has a peer");
            cmd.arg("--peerAddresses").arg(format!("127.0.0.1:{}", first.port));
            cmd.arg("--tlsRootCertFiles").arg(&org.tls_ca);
        }
        cmd.arg("-c").arg(ctor(args));
        run(&mut cmd).map(|(_, err)| err)
    }

    /// Evaluates `args` on peer `peer` with `peer chaincode query` as `User1` of its org: the
    /// result as printed (trimmed).
    pub fn query(&self, peer: usize, args: &[&str]) -> Result<String, String> {
        let mut cmd = self.cli(peer, "User1");
        cmd.args(["chaincode", "query", "-C", CHANNEL, "-n", CONTRACT, "-c"]).arg(ctor(args));
        run(&mut cmd).map(|(out, _)| out.trim().to_string())
    }

    /// Writes a Caliper v2.0 network configuration for the `caliper-fabric` connector (JSON,
    /// which is YAML too) to `path`, with absolute paths; with
    /// [`ConfigStyle::ConnectionProfile`] a connection profile per org is written beside it.
    pub fn write_network_config(&self, path: &Path, style: ConfigStyle) -> Result<(), String> {
        caliper::write(self, path, style)
    }

    fn identity(&self, org: usize, who: &str) -> Identity {
        let dir = self.layout.user_dir(org, who);
        let domain = &self.layout.orgs[org].domain;
        Identity {
            name: who.to_string(),
            msp_id: self.layout.orgs[org].msp_id.clone(),
            cert: dir.join(format!("msp/signcerts/{who}@{domain}-cert.pem")),
            key: first_file(&dir.join("msp/keystore")).unwrap_or_else(|| dir.join("msp/keystore/priv_sk")),
            tls_cert: dir.join("tls/client.crt"),
            tls_key: dir.join("tls/client.key"),
            msp_dir: dir.join("msp"),
        }
    }

    /// The `peer` command line as `who` of peer `peer`'s org, pointed at that peer.
    fn cli(&self, peer: usize, who: &str) -> Command {
        let p = &self.layout.peers[peer];
        let org = &self.layout.orgs[p.org];
        let id = self.identity(p.org, who);
        let mut cmd = Command::new(self.bins.bin("peer"));
        cmd.current_dir(&self.layout.root)
            .env("FABRIC_CFG_PATH", self.layout.peer_home(p))
            .env("FABRIC_LOGGING_SPEC", "info")
            .env("CORE_PEER_LOCALMSPID", &org.msp_id)
            .env("CORE_PEER_MSPCONFIGPATH", &id.msp_dir)
            .env("CORE_PEER_ADDRESS", format!("127.0.0.1:{}", p.port))
            .env("CORE_PEER_TLS_ENABLED", "true")
            .env("CORE_PEER_TLS_ROOTCERT_FILE", &org.tls_ca);
        if self.options.mutual_tls {
            cmd.env("CORE_PEER_TLS_CLIENTAUTHREQUIRED", "true")
                .env("CORE_PEER_TLS_CLIENTCERT_FILE", &id.tls_cert)
                .env("CORE_PEER_TLS_CLIENTKEY_FILE", &id.tls_key);
        }
        cmd
    }

    /// The CLI's orderer flags for `who` of peer `peer`'s org.
    fn orderer_args(&self, peer: usize, who: &str) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "-o".into(),
            self.orderer_endpoint().into(),
            "--tls".into(),
            "--cafile".into(),
            self.orderer_tls_ca().into(),
        ];
        if self.options.mutual_tls {
            let id = self.identity(self.layout.peers[peer].org, who);
            args.extend(["--clientauth".into(), "--certfile".into(), id.tls_cert.into()]);
            args.extend(["--keyfile".into(), id.tls_key.into()]);
        }
        args
    }

    /// Adds the orderer to the channel through its admin API.
    fn join_orderer(&mut self) -> Result<(), String> {
        let admin = self.layout.orderer_admin_dir();
        let mut cmd = Command::new(self.bins.bin("osnadmin"));
        cmd.args(["channel", "join", "--channelID", CHANNEL, "--config-block"])
            .arg(self.layout.root.join("channel/genesis.block"))
            .arg("-o")
            .arg(format!("127.0.0.1:{}", self.layout.orderer.admin_port))
            .arg("--ca-file")
            .arg(self.orderer_tls_ca())
            .arg("--client-cert")
            .arg(admin.join("tls/client.crt"))
            .arg("--client-key")
            .arg(admin.join("tls/client.key"));
        run(&mut cmd)?;
        // Transactions are refused ("no Raft leader") until the node has elected itself.
        let ops = self.layout.orderer.operations_port;
        let leader = format!("consensus_etcdraft_is_leader{{channel=\"{CHANNEL}\"}} 1");
        self.orderer.wait_until("the channel's Raft leader", START_TIMEOUT, || {
            http_get(ops, "/metrics").is_some_and(|(_, body)| body.contains(&leader))
        })
    }

    /// Starts every peer, waits until each is healthy, and joins each to the channel.
    fn start_peers(&mut self) -> Result<(), String> {
        let builder = self.layout.root.join("builder");
        for (name, body) in config::BUILDER {
            let path = builder.join("bin").join(name);
            write(&path, body)?;
            set_executable(&path)?;
        }
        for peer in &self.layout.peers {
            let home = self.layout.peer_home(peer);
            mkdir(&home.join("data"))?;
            let core = config::core_yaml(
                &self.layout,
                peer,
                &builder,
                self.options.mutual_tls,
                self.options.gateway_concurrency,
            );
            write(&home.join("core.yaml"), &core)?;
            self.peers.push(Node::start(Spawn {
                name: peer.name.clone(),
                program: self.bins.bin("peer"),
                args: vec!["node".into(), "start".into()],
                env: vec![
                    ("FABRIC_CFG_PATH".into(), home.clone().into()),
                    ("FABRIC_LOGGING_SPEC".into(), self.options.logging_spec.clone().into()),
                ],
                cwd: home,
                log: self.log(&peer.name),
            })?);
        }
        for (node, peer) in self.peers.iter_mut().zip(&self.layout.peers) {
            let (ops, port) = (peer.operations_port, peer.port);
            node.wait_until("serving", START_TIMEOUT, || peer_up(ops, port))?;
        }
        let block = self.layout.root.join("channel/genesis.block");
        for peer in 0..self.peers.len() {
            let mut cmd = self.cli(peer, "Admin");
            cmd.args(["channel", "join", "-b"]).arg(&block);
            run(&mut cmd)?;
        }
        Ok(())
    }

    /// Packages the chaincode as a service, installs it on every peer, starts its server,
    /// approves it for every org, commits it, and waits until it answers on every peer.
    fn deploy(&mut self, source: &Path) -> Result<(), String> {
        let dir = self.layout.root.join("chaincode");
        let address = format!("127.0.0.1:{}", self.layout.chaincode_port);
        let connection =
            serde_json::json!({"address": address, "dial_timeout": "10s", "tls_required": false});
        write(&dir.join("connection.json"), &connection.to_string())?;
        write(&dir.join("metadata.json"), r#"{"type":"ccaas","label":"simple_1.0"}"#)?;
        run(Command::new("tar").current_dir(&dir).args(["-czf", "code.tar.gz", "connection.json"]))?;
        run(Command::new("tar").current_dir(&dir).args([
            "-czf",
            "simple.tar.gz",
            "metadata.json",
            "code.tar.gz",
        ]))?;
        let package = dir.join("simple.tar.gz");

        let (out, _) =
            self.peer_cli(0, &["lifecycle", "chaincode", "calculatepackageid", &path_str(&package)])?;
        self.package_id = out.trim().to_string();
        let installs: Vec<_> = (0..self.peers.len())
            .map(|peer| {
                spawn_cli(self.cli(peer, "Admin").args(["lifecycle", "chaincode", "install"]).arg(&package))
            })
            .collect::<Result<_, _>>()?;
        wait_all(installs)?;

        self.chaincode = Some(Node::start(Spawn {
            name: "chaincode".into(),
            program: PathBuf::from("node"),
            args: vec!["index.js".into()],
            env: vec![
                ("CHAINCODE_ID".into(), self.package_id.clone().into()),
                ("CHAINCODE_SERVER_ADDRESS".into(), address.into()),
                ("CORE_CHAINCODE_LOGGING_LEVEL".into(), "warning".into()),
            ],
            cwd: source.to_path_buf(),
            log: self.log("chaincode"),
        })?);
        let port = self.layout.chaincode_port;
        if let Some(node) = self.chaincode.as_mut() {
            node.wait_until("listening", START_TIMEOUT, || listening(port))?;
        }

        let definition = ["--channelID", CHANNEL, "--name", CONTRACT, "--version", "1.0", "--sequence", "1"];
        let approvals: Vec<_> = self
            .layout
            .orgs
            .iter()
            .map(|org| {
                let peer =
                    self.layout.peers.iter().position(|p| p.org == org.index).expect("every org has a peer");
                let mut cmd = self.cli(peer, "Admin");
                cmd.args(["lifecycle", "chaincode", "approveformyorg", "--package-id", &self.package_id]);
                cmd.args(definition).args(self.orderer_args(peer, "Admin"));
                spawn_cli(&mut cmd)
            })
            .collect::<Result<_, _>>()?;
        wait_all(approvals)?;

        let mut commit = self.cli(0, "Admin");
        commit
            .args(["lifecycle", "chaincode", "commit"])
            .args(definition)
            .args(self.orderer_args(0, "Admin"));
        for org in &self.layout.orgs {
            let first = self.layout.peers.iter().find(|p| p.org == org.index).expect("every org has a peer");
            commit.arg("--peerAddresses").arg(format!("127.0.0.1:{}", first.port));
            commit.arg("--tlsRootCertFiles").arg(&org.tls_ca);
        }
        run(&mut commit)?;
        for peer in 0..self.peers.len() {
            self.wait_chaincode(peer)?;
        }
        self.wait_membership()
    }

    /// Waits until every peer's gossip knows every other peer on the channel: the gateway
    /// plans endorsements from that view, so before it a client's submit fails with "no
    /// combination of peers can be derived which satisfy the endorsement policy".
    fn wait_membership(&mut self) -> Result<(), String> {
        let others = self.layout.peers.len() - 1;
        if others == 0 {
            return Ok(());
        }
        let known = format!("gossip_membership_total_peers_known{{channel=\"{CHANNEL}\"}} {others}\n");
        for (node, peer) in self.peers.iter_mut().zip(&self.layout.peers) {
            let ops = peer.operations_port;
            node.wait_until("aware of every other peer", START_TIMEOUT, || {
                http_get(ops, "/metrics").is_some_and(|(_, body)| body.contains(&known))
            })?;
        }
        // The peers publish their installed chaincodes every second; discovery needs that too.
        std::thread::sleep(Duration::from_millis(1500));
        Ok(())
    }

    /// Waits until peer `peer` runs the chaincode: a query of an account that does not exist
    /// comes back with the chaincode's own error.
    fn wait_chaincode(&self, peer: usize) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.query(peer, &["query", "__harness_probe__"]) {
                Err(e) if e.contains("does not exist") => return Ok(()),
                Ok(out) => return Err(format!("the probe query found an account: {out}")),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!(
                        "the chaincode does not answer on {}: {e}",
                        self.layout.peers[peer].name
                    ));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
}

/// cryptogen's material and the channel's genesis block.
fn generate(bins: &FabricBinaries, options: &Options, layout: &Layout) -> Result<(), String> {
    let root = &layout.root;
    write(&root.join("crypto-config.yaml"), &config::crypto_config(options.orgs, options.peers_per_org))?;
    run(Command::new(bins.bin("cryptogen"))
        .args(["generate", "--config"])
        .arg(root.join("crypto-config.yaml"))
        .arg("--output")
        .arg(&layout.crypto))?;
    let batch_ms = options.batch_timeout.as_millis().max(1) as u64;
    write(&root.join("channel/configtx.yaml"), &config::configtx(layout, batch_ms, bins.major()))?;
    run(Command::new(bins.bin("configtxgen"))
        .env("FABRIC_CFG_PATH", root.join("channel"))
        .args(["-profile", "Channel", "-channelID", CHANNEL, "-outputBlock"])
        .arg(root.join("channel/genesis.block")))?;
    Ok(())
}

/// Starts the orderer and waits until it serves.
fn start_orderer(bins: &FabricBinaries, options: &Options, layout: &Layout) -> Result<Node, String> {
    let home = layout.root.join("orderer");
    write(&home.join("orderer.yaml"), &config::orderer_yaml(layout, options.mutual_tls, bins.major()))?;
    let mut node = Node::start(Spawn {
        name: "orderer".into(),
        program: bins.bin("orderer"),
        args: Vec::new(),
        env: vec![
            ("FABRIC_CFG_PATH".into(), home.clone().into()),
            ("FABRIC_LOGGING_SPEC".into(), options.logging_spec.clone().into()),
        ],
        cwd: home,
        log: layout.root.join("logs/orderer.log"),
    })?;
    // The operations server answers before the admin and client listeners are up.
    let o = &layout.orderer;
    let (ops, admin, port) = (o.operations_port, o.admin_port, o.port);
    node.wait_until("serving", START_TIMEOUT, || healthy(ops) && listening(admin) && listening(port))?;
    Ok(node)
}

/// Whether a peer is healthy and takes connections on its gRPC port (its operations server
/// answers first).
fn peer_up(operations_port: u16, port: u16) -> bool {
    healthy(operations_port) && listening(port)
}

/// The chaincode's folder with its npm dependencies installed (`npm ci` the first time; a lock
/// file keeps concurrent tests from installing at once).
fn chaincode_source() -> Result<PathBuf, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fabric-simple/chaincode");
    let installed = || dir.join("node_modules/fabric-shim/package.json").is_file();
    if installed() {
        return Ok(dir);
    }
    let lock_path = dir.join(".npm-install.lock");
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    if !installed() {
        run(Command::new("npm").current_dir(&dir).args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ]))
        .map_err(|e| format!("the chaincode's npm install failed (npm and node must be on the PATH): {e}"))?;
    }
    Ok(dir)
}

/// `{"Args":[...]}`, the CLI's chaincode input.
fn ctor(args: &[&str]) -> String {
    serde_json::json!({ "Args": args }).to_string()
}

fn spawn_cli(cmd: &mut Command) -> Result<(Child, String), String> {
    let what = format!("{:?} {:?}", cmd.get_program(), cmd.get_args().collect::<Vec<_>>());
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    Ok((child, what))
}

/// Waits for every command started by [`spawn_cli`]; the first failure is the error.
fn wait_all(children: Vec<(Child, String)>) -> Result<(), String> {
    let mut first_error = None;
    for (child, what) in children {
        let result = child.wait_with_output().map_err(|e| format!("{what}: {e}")).and_then(|out| {
            if out.status.success() {
                Ok(())
            } else {
                Err(format!("{what} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr)))
            }
        });
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

fn first_file(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| p.is_file())
}

fn path_str(path: &Path) -> String {
    path.display().to_string()
}

fn mkdir(path: &Path) -> Result<(), String> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn set_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}
