//! The configuration files of the harness's network, written here rather than taken from a
//! Fabric release's `config/` folder: every address must be a loopback port chosen at run time,
//! and the orderer refuses keys its version does not know, so the files are made per version.

use std::fmt::Write as _;
use std::path::Path;

use super::layout::{Layout, PeerNode};

/// `crypto-config.yaml` for cryptogen: one orderer org, `orgs` peer orgs of `peers_per_org`
/// peers and one user each, every TLS certificate valid for 127.0.0.1 and localhost (the
/// harness dials IP addresses; the host names stay in the certificates for
/// `ssl-target-name-override`).
pub fn crypto_config(orgs: usize, peers_per_org: usize) -> String {
    let mut text = String::from(
        "OrdererOrgs:\n  - Name: Orderer\n    Domain: example.com\n    EnableNodeOUs: true\n    Specs:\n      - Hostname: orderer\n        SANS: [localhost, 127.0.0.1]\nPeerOrgs:\n",
    );
    for org in 1..=orgs {
        let _ = write!(
            text,
            "  - Name: Org{org}\n    Domain: org{org}.example.com\n    EnableNodeOUs: true\n    Template:\n      Count: {peers_per_org}\n      SANS: [localhost, 127.0.0.1]\n    Users:\n      Count: 1\n"
        );
    }
    text
}

/// `configtx.yaml` with one profile, `Channel`: an etcdraft orderer of one node and the peer
/// orgs with their anchor peers (cross-org discovery needs them), the endorsement policy
/// `MAJORITY Endorsement` (every org when there are two).
pub fn configtx(layout: &Layout, batch_timeout_ms: u64, major: u32) -> String {
    let crypto = layout.crypto.display();
    let orderer_tls = layout.orderer_dir().join("tls/server.crt");
    let mut orgs = String::new();
    let mut names = String::new();
    for org in &layout.orgs {
        let m = &org.msp_id;
        let _ = write!(
            orgs,
            "  - &{m}\n    Name: {m}\n    ID: {m}\n    MSPDir: {crypto}/peerOrganizations/{domain}/msp\n    Policies:\n      Readers: {{Type: Signature, Rule: \"OR('{m}.admin', '{m}.peer', '{m}.client')\"}}\n      Writers: {{Type: Signature, Rule: \"OR('{m}.admin', '{m}.client')\"}}\n      Admins: {{Type: Signature, Rule: \"OR('{m}.admin')\"}}\n      Endorsement: {{Type: Signature, Rule: \"OR('{m}.peer')\"}}\n    AnchorPeers:\n",
            domain = org.domain
        );
        for peer in layout.peers.iter().filter(|p| p.org == org.index) {
            let _ = writeln!(orgs, "      - {{Host: 127.0.0.1, Port: {}}}", peer.port);
        }
        let _ = writeln!(names, "        - *{m}");
    }
    // Fabric 3 networks use the V3_0 channel capability; etcdraft works under both.
    let channel_capability = if major >= 3 { "V3_0" } else { "V2_0" };
    format!(
        r#"Organizations:
  - &OrdererMSP
    Name: OrdererMSP
    ID: OrdererMSP
    MSPDir: {crypto}/ordererOrganizations/example.com/msp
    Policies:
      Readers: {{Type: Signature, Rule: "OR('OrdererMSP.member')"}}
      Writers: {{Type: Signature, Rule: "OR('OrdererMSP.member')"}}
      Admins: {{Type: Signature, Rule: "OR('OrdererMSP.admin')"}}
    OrdererEndpoints: ["127.0.0.1:{orderer_port}"]
{orgs}
Profiles:
  Channel:
    Policies:
      Readers: {{Type: ImplicitMeta, Rule: "ANY Readers"}}
      Writers: {{Type: ImplicitMeta, Rule: "ANY Writers"}}
      Admins: {{Type: ImplicitMeta, Rule: "MAJORITY Admins"}}
    Capabilities: {{{channel_capability}: true}}
    Orderer:
      OrdererType: etcdraft
      BatchTimeout: {batch_timeout_ms}ms
      BatchSize: {{MaxMessageCount: 500, AbsoluteMaxBytes: 10 MB, PreferredMaxBytes: 2 MB}}
      EtcdRaft:
        Consenters:
          - {{Host: 127.0.0.1, Port: {orderer_port}, ClientTLSCert: {tls}, ServerTLSCert: {tls}}}
        # A short tick: the single node elects itself within a second of joining.
        Options: {{TickInterval: 100ms, ElectionTick: 10, HeartbeatTick: 1, MaxInflightBlocks: 5, SnapshotIntervalSize: 16 MB}}
      Organizations:
        - *OrdererMSP
      Policies:
        Readers: {{Type: ImplicitMeta, Rule: "ANY Readers"}}
        Writers: {{Type: ImplicitMeta, Rule: "ANY Writers"}}
        Admins: {{Type: ImplicitMeta, Rule: "MAJORITY Admins"}}
        BlockValidation: {{Type: ImplicitMeta, Rule: "ANY Writers"}}
      Capabilities: {{V2_0: true}}
    Application:
      Organizations:
{names}      Policies:
        Readers: {{Type: ImplicitMeta, Rule: "ANY Readers"}}
        Writers: {{Type: ImplicitMeta, Rule: "ANY Writers"}}
        Admins: {{Type: ImplicitMeta, Rule: "MAJORITY Admins"}}
        LifecycleEndorsement: {{Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}}
        Endorsement: {{Type: ImplicitMeta, Rule: "MAJORITY Endorsement"}}
      Capabilities: {{V2_5: true}}
"#,
        orderer_port = layout.orderer.port,
        tls = orderer_tls.display(),
    )
}

/// The orderer's `orderer.yaml`: TLS on its client port (which also carries the cluster
/// traffic), the channel participation API on the admin port with client certificates, and no
/// system channel. Fabric 2.5 needs `BootstrapMethod: none` for that; Fabric 3 has no such key
/// and rejects unknown ones.
pub fn orderer_yaml(layout: &Layout, mutual_tls: bool, major: u32) -> String {
    let o = &layout.orderer;
    let dir = layout.orderer_dir();
    let tls = dir.join("tls");
    let (crt, key, ca) = (tls.join("server.crt"), tls.join("server.key"), tls.join("ca.crt"));
    let client_cas = peer_tls_cas(layout);
    let bootstrap = if major >= 3 { "" } else { "  BootstrapMethod: none\n" };
    let data = layout.root.join("orderer/data");
    format!(
        r#"General:
  ListenAddress: 127.0.0.1
  ListenPort: {port}
  TLS:
    Enabled: true
    PrivateKey: {key}
    Certificate: {crt}
    RootCAs: [{ca}]
    ClientAuthRequired: {mutual_tls}
    ClientRootCAs: [{ca}, {client_cas}]
  Keepalive: {{ServerMinInterval: 60s, ServerInterval: 7200s, ServerTimeout: 20s}}
  MaxRecvMsgSize: 104857600
  MaxSendMsgSize: 104857600
  Cluster:
    SendBufferSize: 100
    ClientCertificate: {crt}
    ClientPrivateKey: {key}
    RootCAs: [{ca}]
{bootstrap}  LocalMSPDir: {msp}
  LocalMSPID: OrdererMSP
  BCCSP: {{Default: SW, SW: {{Hash: SHA2, Security: 256}}}}
  Authentication: {{TimeWindow: 15m}}
FileLedger:
  Location: {data}
Operations:
  ListenAddress: 127.0.0.1:{ops}
  TLS: {{Enabled: false}}
Metrics:
  Provider: prometheus
Admin:
  ListenAddress: 127.0.0.1:{admin}
  TLS:
    Enabled: true
    Certificate: {crt}
    PrivateKey: {key}
    ClientAuthRequired: true
    ClientRootCAs: [{ca}]
ChannelParticipation:
  Enabled: true
  MaxRequestBodySize: 1 MB
Consensus:
  WALDir: {data}/etcdraft/wal
  SnapDir: {data}/etcdraft/snapshot
"#,
        port = o.port,
        ops = o.operations_port,
        admin = o.admin_port,
        key = key.display(),
        crt = crt.display(),
        ca = ca.display(),
        msp = dir.join("msp").display(),
        data = data.display(),
    )
}

/// The TLS CA files of every peer org, as a YAML flow list's items.
fn peer_tls_cas(layout: &Layout) -> String {
    layout.orgs.iter().map(|o| o.tls_ca.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// A peer's `core.yaml`: every listener on its loopback port, the gateway on, TLS on (client
/// certificates when `mutual_tls`), gossip's alive and state messages, its membership report
/// and its reconnections every second (what the gateway's discovery knows of the other peers
/// and their chaincodes comes from them), no Docker (chaincode runs as a service, through the
/// harness's external builder in `builder`), LevelDB state, Prometheus metrics on the
/// operations port, the gateway's concurrency limit `gateway_limit`.
pub fn core_yaml(
    layout: &Layout,
    peer: &PeerNode,
    builder: &Path,
    mutual_tls: bool,
    gateway_limit: u32,
) -> String {
    let org = &layout.orgs[peer.org];
    let dir = layout.peer_dir(peer);
    let tls = dir.join("tls");
    let bootstrap = layout.peers.iter().find(|p| p.org == peer.org).map_or(peer.port, |p| p.port);
    let client_cas = peer_tls_cas(layout) + &format!(", {}", layout.orderer_tls_ca().display());
    format!(
        r#"peer:
  id: {name}
  networkId: caliper
  listenAddress: 127.0.0.1:{port}
  address: 127.0.0.1:{port}
  chaincodeListenAddress: 127.0.0.1:{cc}
  chaincodeAddress: 127.0.0.1:{cc}
  addressAutoDetect: false
  gateway: {{enabled: true, endorsementTimeout: 30s, broadcastTimeout: 30s, dialTimeout: 2m}}
  keepalive:
    interval: 7200s
    timeout: 20s
    minInterval: 60s
    client: {{interval: 60s, timeout: 20s}}
    deliveryClient: {{interval: 60s, timeout: 20s}}
  gossip:
    bootstrap: 127.0.0.1:{bootstrap}
    useLeaderElection: false
    orgLeader: true
    membershipTrackerInterval: 1s
    endpoint: 127.0.0.1:{port}
    externalEndpoint: 127.0.0.1:{port}
    maxBlockCountToStore: 10
    maxPropagationBurstLatency: 10ms
    maxPropagationBurstSize: 10
    propagateIterations: 1
    propagatePeerNum: 3
    pullInterval: 4s
    pullPeerNum: 3
    requestStateInfoInterval: 1s
    publishStateInfoInterval: 1s
    publishCertPeriod: 10s
    skipBlockVerification: false
    dialTimeout: 3s
    connTimeout: 2s
    recvBuffSize: 20
    sendBuffSize: 200
    digestWaitTime: 1s
    requestWaitTime: 1500ms
    responseWaitTime: 2s
    aliveTimeInterval: 1s
    aliveExpirationTimeout: 25s
    reconnectInterval: 1s
    maxConnectionAttempts: 120
    msgExpirationFactor: 20
    election: {{startupGracePeriod: 15s, membershipSampleInterval: 1s, leaderAliveThreshold: 10s, leaderElectionDuration: 5s}}
    pvtData:
      pullRetryThreshold: 60s
      transientstoreMaxBlockRetention: 1000
      pushAckTimeout: 3s
      btlPullMargin: 10
      reconcileBatchSize: 10
      reconcileSleepInterval: 1m
      reconciliationEnabled: true
      skipPullingInvalidTransactionsDuringCommit: false
      implicitCollectionDisseminationPolicy: {{requiredPeerCount: 0, maxPeerCount: 1}}
    state: {{enabled: false, checkInterval: 10s, responseTimeout: 3s, batchSize: 10, blockBufferSize: 20, maxRetries: 3}}
  tls:
    enabled: true
    clientAuthRequired: {mutual_tls}
    cert: {{file: {tls}/server.crt}}
    key: {{file: {tls}/server.key}}
    rootcert: {{file: {tls}/ca.crt}}
    clientRootCAs: {{files: [{client_cas}]}}
    clientCert: {{file: {tls}/server.crt}}
    clientKey: {{file: {tls}/server.key}}
  authentication: {{timewindow: 15m}}
  fileSystemPath: {data}
  BCCSP: {{Default: SW, SW: {{Hash: SHA2, Security: 256}}}}
  mspConfigPath: {dir}/msp
  localMspId: {msp_id}
  client: {{connTimeout: 3s}}
  deliveryclient:
    blockGossipEnabled: false
    reconnectTotalTimeThreshold: 3600s
    connTimeout: 3s
    reConnectBackoffThreshold: 3600s
  localMspType: bccsp
  profile: {{enabled: false}}
  handlers:
    authFilters:
      - name: DefaultAuth
      - name: ExpirationCheck
    decorators:
      - name: DefaultDecorator
    endorsers:
      escc: {{name: DefaultEndorsement}}
    validators:
      vscc: {{name: DefaultValidation}}
  discovery: {{enabled: true, authCacheEnabled: true, authCacheMaxSize: 1000, authCachePurgeRetentionRatio: 0.75, orgMembersAllowedAccess: false}}
  limits:
    concurrency: {{endorserService: 2500, deliverService: 2500, gatewayService: {gateway_limit}}}
  maxRecvMsgSize: 104857600
  maxSendMsgSize: 104857600
vm:
  endpoint: ""
chaincode:
  externalBuilders:
    - name: caliper_ccaas
      path: {builder}
  installTimeout: 300s
  startuptimeout: 300s
  executetimeout: 30s
  mode: net
  keepalive: 0
  system: {{_lifecycle: enable, cscc: enable, lscc: enable, qscc: enable}}
  logging: {{level: info, shim: warning, format: "%{{time:15:04:05.000}} [%{{module}}] %{{level:.4s}} %{{message}}"}}
ledger:
  state:
    stateDatabase: goleveldb
    totalQueryLimit: 100000
  history: {{enableHistoryDatabase: false}}
  pvtdataStore: {{collElgProcMaxDbBatchSize: 5000, collElgProcDbBatchesInterval: 1000, deprioritizedDataReconcilerInterval: 60m, purgeInterval: 100, purgedKeyAuditLogging: true}}
  snapshots: {{rootDir: {data}/snapshots}}
operations:
  listenAddress: 127.0.0.1:{ops}
  tls: {{enabled: false}}
metrics:
  provider: prometheus
"#,
        name = peer.name,
        port = peer.port,
        cc = peer.chaincode_port,
        ops = peer.operations_port,
        tls = tls.display(),
        data = layout.peer_home(peer).join("data").display(),
        dir = dir.display(),
        msp_id = org.msp_id,
        builder = builder.display(),
    )
}

/// The three programs of the harness's external builder for chaincode as a service, after
/// Fabric's external builder contract (docs: "External Builders and Launchers"): `detect`
/// accepts packages of type `ccaas`, `build` keeps the package's `connection.json`, `release`
/// hands it to the peer, which then dials the address in it.
pub const BUILDER: [(&str, &str); 3] = [
    (
        "detect",
        "#!/bin/sh\n# detect SOURCE METADATA: accept packages of type ccaas\ngrep -Eq '\"type\"[[:space:]]*:[[:space:]]*\"ccaas\"' \"$2/metadata.json\"\n",
    ),
    (
        "build",
        "#!/bin/sh\n# build SOURCE METADATA OUTPUT: keep connection.json\nset -e\ncp \"$1/connection.json\" \"$3/connection.json\"\n",
    ),
    (
        "release",
        "#!/bin/sh\n# release BUILD RELEASE: give the peer the chaincode server's address\nset -e\nmkdir -p \"$2/chaincode/server\"\ncp \"$1/connection.json\" \"$2/chaincode/server/connection.json\"\n",
    ),
];
