//! Where everything of one harness network lives: the names cryptogen gives the nodes and
//! users, the files it writes for them, and the loopback ports chosen for each listener.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// A peer organisation: `Org<n>MSP`, domain `org<n>.example.com`.
#[derive(Debug, Clone)]
pub struct Org {
    /// Its index in [`Layout::orgs`].
    pub index: usize,
    /// The MSP id, `Org1MSP`.
    pub msp_id: String,
    /// The domain, `org1.example.com`.
    pub domain: String,
    /// Its TLS CA certificate (PEM): what a client trusts to reach its peers.
    pub tls_ca: PathBuf,
}

/// The orderer's listeners.
#[derive(Debug, Clone)]
pub struct OrdererNode {
    /// Broadcast/Deliver (TLS), also the Raft cluster port.
    pub port: u16,
    /// The channel participation API (`osnadmin`, TLS with client certificates).
    pub admin_port: u16,
    /// Operations: `/healthz`, `/metrics` (plain HTTP).
    pub operations_port: u16,
}

/// One peer and its listeners.
#[derive(Debug, Clone)]
pub struct PeerNode {
    /// The index of its org in [`Layout::orgs`].
    pub org: usize,
    /// `peer0.org1.example.com`: the name in its TLS certificate.
    pub name: String,
    /// Endorser, Gateway, Deliver and gossip (TLS).
    pub port: u16,
    /// The chaincode listener (unused by chaincode as a service, but it must not clash).
    pub chaincode_port: u16,
    /// Operations: `/healthz`, `/metrics` (plain HTTP).
    pub operations_port: u16,
}

/// Names, paths and ports of one network, under `root`.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The network's folder.
    pub root: PathBuf,
    /// cryptogen's output folder.
    pub crypto: PathBuf,
    /// The peer organisations.
    pub orgs: Vec<Org>,
    /// Every peer, org by org.
    pub peers: Vec<PeerNode>,
    /// The orderer.
    pub orderer: OrdererNode,
    /// The port the chaincode server listens on.
    pub chaincode_port: u16,
}

impl Layout {
    /// The layout of `orgs` orgs of `peers_per_org` peers each under `root`, with new free
    /// loopback ports.
    pub fn new(root: &Path, orgs: usize, peers_per_org: usize) -> Layout {
        let crypto = root.join("crypto");
        let mut ports = free_ports(4 + orgs * peers_per_org * 3).into_iter();
        let mut next = || ports.next().expect("enough ports were asked for");
        let orderer = OrdererNode { port: next(), admin_port: next(), operations_port: next() };
        let chaincode_port = next();
        let orgs: Vec<Org> = (0..orgs)
            .map(|index| {
                let domain = format!("org{}.example.com", index + 1);
                let tls_ca = crypto.join(format!("peerOrganizations/{domain}/tlsca/tlsca.{domain}-cert.pem"));
                Org { index, msp_id: format!("Org{}MSP", index + 1), domain, tls_ca }
            })
            .collect();
        let mut peers = Vec::new();
        for org in &orgs {
            for n in 0..peers_per_org {
                peers.push(PeerNode {
                    org: org.index,
                    name: format!("peer{n}.{}", org.domain),
                    port: next(),
                    chaincode_port: next(),
                    operations_port: next(),
                });
            }
        }
        Layout { root: root.to_path_buf(), crypto, orgs, peers, orderer, chaincode_port }
    }

    /// cryptogen's folder of the orderer node (`msp/`, `tls/`).
    pub fn orderer_dir(&self) -> PathBuf {
        self.crypto.join("ordererOrganizations/example.com/orderers/orderer.example.com")
    }

    /// The orderer org's TLS CA certificate.
    pub fn orderer_tls_ca(&self) -> PathBuf {
        self.crypto.join("ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem")
    }

    /// cryptogen's folder of the orderer org's admin user.
    pub fn orderer_admin_dir(&self) -> PathBuf {
        self.crypto.join("ordererOrganizations/example.com/users/Admin@example.com")
    }

    /// cryptogen's folder of a peer node (`msp/`, `tls/`).
    pub fn peer_dir(&self, peer: &PeerNode) -> PathBuf {
        let domain = &self.orgs[peer.org].domain;
        self.crypto.join(format!("peerOrganizations/{domain}/peers/{}", peer.name))
    }

    /// cryptogen's folder of user `who` (`Admin` or `User1`) of an org.
    pub fn user_dir(&self, org: usize, who: &str) -> PathBuf {
        let domain = &self.orgs[org].domain;
        self.crypto.join(format!("peerOrganizations/{domain}/users/{who}@{domain}"))
    }

    /// The harness's own folder for a peer's `core.yaml` and ledger.
    pub fn peer_home(&self, peer: &PeerNode) -> PathBuf {
        self.root.join("peers").join(&peer.name)
    }
}

/// `n` distinct ports on 127.0.0.1 that were free when asked: every listener is held until all
/// are taken, so one network never gets the same port twice.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> =
        (0..n).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a loopback port")).collect();
    listeners.iter().map(|l| l.local_addr().expect("local address").port()).collect()
}
