//! One client's connection to the broker, shared by the manager's and the workers' sessions:
//! the rumqttc event loop driven in its own task (reconnecting with a short backoff), QoS 1
//! publishing that never blocks the session, sequence numbers, the replay of recent reliable
//! messages after a reconnect, and the traffic counters.

use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, ConnectReturnCode, ConnectionError, Event, Outgoing, Packet, QoS};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::MqttConfig;
use crate::wire::{self, Replay, Seen, Topics};
use caliper_core::message::Envelope;
use caliper_core::messenger::Traffic;

/// What the event loop reports to the session.
#[derive(Debug)]
pub enum Net {
    /// Connected (again), with the client of this connection.
    Up(AsyncClient),
    /// The connection failed or broke.
    Down(Down),
    /// A message arrived.
    Publish(String, Vec<u8>),
    /// Our own disconnect went out: the connection is closed for good.
    Closed,
}

/// Why a connection failed.
#[derive(Debug, Clone)]
pub enum Down {
    /// The broker refused the client (credentials, authorisation): retrying will not help.
    Refused(String),
    /// TLS failed (certificate, handshake): retrying will not help.
    Tls(String),
    /// Anything else (unreachable, reset): worth retrying.
    Other(String),
}

impl std::fmt::Display for Down {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Down::Refused(s) | Down::Tls(s) | Down::Other(s) => f.write_str(s),
        }
    }
}

fn classify(err: &ConnectionError) -> Down {
    match err {
        ConnectionError::ConnectionRefused(code) => Down::Refused(
            match code {
                ConnectReturnCode::BadUserNamePassword => "the broker refused the user name or password",
                ConnectReturnCode::NotAuthorized => {
                    "the broker refused the connection: not authorised (user name or password, or ACL)"
                }
                ConnectReturnCode::BadClientId => "the broker refused the client id",
                ConnectReturnCode::ServiceUnavailable => "the broker is unavailable",
                ConnectReturnCode::RefusedProtocolVersion => "the broker refused MQTT 3.1.1",
                ConnectReturnCode::Success => "the broker refused the connection",
            }
            .to_string(),
        ),
        ConnectionError::Tls(e) => Down::Tls(format!("TLS: {e}")),
        other => Down::Other(other.to_string()),
    }
}

/// Keeps a connection to the broker: each connection gets a fresh client and event loop
/// (announced with [`Net::Up`]), so nothing of a broken session is carried into the next one
/// (rumqttc's own reconnection resends stale state that mosquitto rejects). Runs until the
/// session disconnects or aborts it.
async fn drive(
    opts: rumqttc::MqttOptions,
    net_opts: rumqttc::NetworkOptions,
    tx: mpsc::UnboundedSender<Net>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let (client, mut eventloop) = AsyncClient::new(opts.clone(), CHANNEL);
        eventloop.set_network_options(net_opts.clone());
        loop {
            let net = match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    backoff = Duration::from_millis(100);
                    Net::Up(client.clone())
                }
                Ok(Event::Incoming(Packet::Publish(p))) => Net::Publish(p.topic, p.payload.to_vec()),
                Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                    // Read until the broker closes its side: closing a socket with unread data
                    // resets it, and mosquitto then drops our DISCONNECT and publishes the will.
                    let drain = async { while eventloop.poll().await.is_ok() {} };
                    let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
                    let _ = tx.send(Net::Closed);
                    return;
                }
                Ok(_) => continue,
                Err(err) => {
                    if tx.send(Net::Down(classify(&err))).is_err() {
                        return;
                    }
                    break;
                }
            };
            if tx.send(net).is_err() {
                return;
            }
        }
        // A broker that restarts is back within a second or two: retry soon, but do not spin
        // against one that is gone.
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

/// Capacity of a client's request channel: publishing never waits, and a full channel
/// (a stalled connection) drops what can be dropped.
const CHANNEL: usize = 4096;

/// A connection with its session state.
pub struct Conn {
    /// The client.
    client: AsyncClient,
    /// The configuration.
    pub cfg: Arc<MqttConfig>,
    /// The run's topics.
    pub topics: Topics,
    /// This client's id.
    pub id: String,
    /// Since when the connection is up.
    pub up_since: Option<Instant>,
    /// Since when it is down.
    pub down_since: Option<Instant>,
    /// How many times it connected.
    pub epoch: u64,
    next_seq: u64,
    replay: Replay,
    /// Sequence numbers already handled.
    pub seen: Seen,
    /// Message counters.
    pub traffic: Arc<Traffic>,
    /// Events of the event loop.
    pub net: mpsc::UnboundedReceiver<Net>,
    driver: JoinHandle<()>,
}

/// Options for a client: its id, credentials, TLS, last will and limits.
pub fn options(cfg: &MqttConfig, id: &str, will: rumqttc::LastWill) -> rumqttc::MqttOptions {
    let mut opts = rumqttc::MqttOptions::new(id, cfg.host.clone(), cfg.port);
    opts.set_request_channel_capacity(CHANNEL);
    // The broker notices a silent client after 1.5 keep-alives and publishes its last will;
    // our own heartbeats notice it sooner.
    opts.set_keep_alive(cfg.liveness.clamp(Duration::from_secs(1), Duration::from_secs(3600)));
    opts.set_clean_session(true);
    opts.set_max_packet_size(cfg.max_message + 64 * 1024, cfg.max_message + 64 * 1024);
    opts.set_last_will(will);
    if let (Some(user), password) = (&cfg.username, cfg.password()) {
        opts.set_credentials(user.clone(), password.unwrap_or_default());
    }
    if let Some(tls) = &cfg.tls {
        opts.set_transport(rumqttc::Transport::tls_with_config(rumqttc::TlsConfiguration::Rustls(
            tls.clone(),
        )));
    }
    opts
}

/// Why the first connection did not come up.
#[derive(Debug)]
pub enum ConnectFailure {
    /// Refused or TLS: said at once.
    Fatal(Down),
    /// Nothing within the deadline; the last error, if any.
    Timeout(Option<Down>),
}

impl Conn {
    /// Connects, waiting up to the connect deadline for the broker's answer.
    pub async fn connect(
        cfg: Arc<MqttConfig>,
        id: String,
        will: rumqttc::LastWill,
        traffic: Arc<Traffic>,
    ) -> Result<Conn, ConnectFailure> {
        let opts = options(&cfg, &id, will);
        let mut net_opts = rumqttc::NetworkOptions::new();
        // Small messages must not wait for Nagle's algorithm.
        net_opts.set_tcp_nodelay(true);
        net_opts.set_connection_timeout(cfg.connect_timeout.as_secs().clamp(1, 10));
        let (tx, mut net) = mpsc::unbounded_channel();
        let driver = tokio::spawn(drive(opts, net_opts, tx));
        let deadline = Instant::now() + cfg.connect_timeout;
        let mut last = None;
        let client = loop {
            match tokio::time::timeout_at(deadline, net.recv()).await {
                Ok(Some(Net::Up(client))) => break client,
                Ok(Some(Net::Down(d @ (Down::Refused(_) | Down::Tls(_))))) => {
                    driver.abort();
                    return Err(ConnectFailure::Fatal(d));
                }
                Ok(Some(Net::Down(d))) => last = Some(d),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    driver.abort();
                    return Err(ConnectFailure::Timeout(last));
                }
            }
        };
        let topics = Topics::new(&cfg.run);
        Ok(Conn {
            client,
            cfg,
            topics,
            id,
            up_since: None,
            down_since: None,
            epoch: 0,
            next_seq: 0,
            replay: Replay::default(),
            seen: Seen::default(),
            traffic,
            net,
            driver,
        })
    }

    /// Whether the connection is up.
    pub fn is_up(&self) -> bool {
        self.up_since.is_some()
    }

    /// Marks the connection up: subscribes, and after a reconnect replays every kept message
    /// (the broker may have lost what was in flight).
    pub fn up(&mut self, client: Option<AsyncClient>, subscriptions: &[String]) {
        if let Some(client) = client {
            self.client = client;
        }
        self.epoch += 1;
        self.up_since = Some(Instant::now());
        if let Some(since) = self.down_since.take() {
            tracing::info!(
                "reconnected to the MQTT broker at {} after {:.1?}",
                self.cfg.address(),
                since.elapsed()
            );
        }
        for topic in subscriptions {
            if let Err(e) = self.client.try_subscribe(topic.clone(), QoS::AtLeastOnce) {
                tracing::warn!("cannot subscribe to {topic}: {e}");
            }
        }
        if self.epoch > 1 {
            self.replay(|_| true);
        }
    }

    /// Marks the connection down.
    pub fn down(&mut self, why: &Down) {
        if self.up_since.take().is_some() {
            tracing::warn!("lost the MQTT broker at {} ({why}); reconnecting", self.cfg.address());
        }
        self.down_since.get_or_insert_with(Instant::now);
    }

    /// Publishes with QoS 1 without ever blocking; false when it could not be queued.
    pub fn publish(&self, topic: &str, payload: Vec<u8>, retain: bool) -> bool {
        if !self.is_up() {
            return false;
        }
        match self.client.try_publish(topic, QoS::AtLeastOnce, retain, payload) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("cannot queue a message on {topic}: {e}");
                false
            }
        }
    }

    /// Publishes a control message (presence), counted as such.
    pub fn control(&self, topic: &str, payload: Vec<u8>, retain: bool) {
        let len = payload.len();
        if self.publish(topic, payload, retain) {
            self.traffic.control.add(len);
        }
    }

    /// Sends an envelope on `topics`: numbered and kept for replay when it must arrive;
    /// refused (with a log line) when it is larger than the message limit.
    pub fn send(&mut self, topics: &[String], envelope: &Envelope) -> Result<(), usize> {
        let reliable = wire::is_reliable(&envelope.message);
        let seq = reliable.then(|| {
            self.next_seq += 1;
            self.next_seq
        });
        let payload = wire::encode(envelope, seq);
        if payload.len() > self.cfg.max_message {
            return Err(payload.len());
        }
        let payload: Arc<[u8]> = payload.into();
        for topic in topics {
            self.traffic.sent.add(payload.len());
            if reliable {
                self.replay.keep(topic, payload.clone());
            }
            self.publish(topic, payload.to_vec(), false);
        }
        Ok(())
    }

    /// Publishes again the kept messages of the topics `wanted` accepts.
    pub fn replay(&self, wanted: impl Fn(&str) -> bool) {
        let kept = self.replay.select(wanted);
        if !kept.is_empty() {
            tracing::debug!("replaying {} recent message(s) the broker may have lost", kept.len());
        }
        for (topic, payload) in kept {
            self.publish(&topic, payload.to_vec(), false);
        }
    }

    /// Publishes `last` (if any), disconnects cleanly (no last will) and waits up to `grace`
    /// for the disconnect to go out after everything queued before it.
    pub async fn close(mut self, last: Vec<(String, Vec<u8>, bool)>, grace: Duration) {
        if self.is_up() {
            for (topic, payload, retain) in last {
                self.control(&topic, payload, retain);
            }
        }
        // A clean disconnect, so that the broker does not publish the last will (a manager's
        // is a retained `offline` that would replace another manager's status). Also before
        // the session marked the connection up (epoch 0): `connect` returned on a live one.
        if (self.is_up() || self.epoch == 0) && self.client.try_disconnect().is_ok() {
            let until = Instant::now() + grace;
            while let Ok(Some(net)) = tokio::time::timeout_at(until, self.net.recv()).await {
                if matches!(net, Net::Closed) {
                    break;
                }
            }
        }
        self.driver.abort();
    }

    /// Another live manager of this run: its retained status, or its heartbeat on the
    /// `manager` topic within `wait` (one heartbeat interval). Called before this manager
    /// publishes anything; a manager that ended cleanly left no status, one that crashed left
    /// `offline`.
    pub async fn other_manager(&mut self, wait: Duration) -> Option<String> {
        let topic = self.topics.manager();
        if let Err(e) = self.client.try_subscribe(topic.clone(), QoS::AtLeastOnce) {
            tracing::warn!("cannot subscribe to {topic}: {e}");
            return None;
        }
        let until = Instant::now() + wait;
        let mut other = None;
        while let Ok(Some(net)) = tokio::time::timeout_at(until, self.net.recv()).await {
            match net {
                Net::Publish(t, payload) if t == topic => {
                    if let Ok(p) = serde_json::from_slice::<wire::Presence>(&payload)
                        && p.id != self.id
                        && p.state != wire::State::Offline
                    {
                        other = Some(p.id);
                        break;
                    }
                }
                Net::Up(client) => self.client = client,
                Net::Closed => break,
                _ => {}
            }
        }
        let _ = self.client.try_unsubscribe(topic);
        other
    }
}

/// What the manager's and a worker's sessions do with the events of their loop ([`serve`]).
pub trait Session {
    /// The session's connection.
    fn conn(&mut self) -> &mut Conn;
    /// The connection is up (again, with a new client): subscribe, say who it is.
    fn up(&mut self, client: Option<AsyncClient>);
    /// An envelope from the manager or worker loop, to send.
    fn outgoing(&mut self, env: Envelope);
    /// A message from the broker.
    fn incoming(&mut self, topic: &str, payload: &[u8]);
    /// Every heartbeat interval: heartbeats and liveness checks.
    fn tick(&mut self);
}

/// The loop of a session: until its loop's outbox closes or the connection ends.
pub async fn serve(session: &mut impl Session, outbox: &mut mpsc::UnboundedReceiver<Envelope>) {
    session.up(None);
    let mut tick = tokio::time::interval(session.conn().cfg.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            env = outbox.recv() => match env {
                Some(env) => session.outgoing(env),
                None => break,
            },
            net = session.conn().net.recv() => match net {
                Some(Net::Up(client)) => session.up(Some(client)),
                Some(Net::Down(why)) => session.conn().down(&why),
                Some(Net::Publish(topic, payload)) => session.incoming(&topic, &payload),
                Some(Net::Closed) | None => break,
            },
            _ = tick.tick() => session.tick(),
        }
    }
}
