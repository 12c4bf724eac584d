//! What travels on the broker: the topics of a run, the presence messages (heartbeats,
//! last wills, the manager's status) and Caliper's envelopes with a sequence number.
//!
//! Topics, all under `caliper/<run>/` so that runs never see each other's messages:
//!
//! | topic | from → to | payload |
//! |---|---|---|
//! | `to/all`, `to/<worker>` | manager → workers | envelope |
//! | `from/<worker>` | worker → manager | envelope |
//! | `alive/<worker>` | worker → manager | presence: heartbeat, or `offline` as last will |
//! | `manager` | manager → workers | presence: heartbeat, status (retained), `offline` as last will (retained) |
//!
//! An envelope carries a `seq` beside Caliper's fields: a sender numbers its messages, a
//! receiver drops a number it has seen, so a sender may replay its recent messages after the
//! broker restarted without anything being handled twice.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use caliper_core::message::{ALL, Envelope, Message};

/// The topics of one run.
#[derive(Debug, Clone)]
pub struct Topics {
    root: String,
}

/// What a topic of the run is.
#[derive(Debug, PartialEq)]
pub enum Topic<'a> {
    /// Manager to workers (`to/all` or `to/<id>`).
    To(&'a str),
    /// From a worker.
    From(&'a str),
    /// A worker's presence.
    Alive(&'a str),
    /// The manager's presence.
    Manager,
}

impl Topics {
    /// The topics of run `run`.
    pub fn new(run: &str) -> Self {
        Topics { root: format!("caliper/{run}") }
    }

    /// `to/<id>` (or `to/all`).
    pub fn to(&self, id: &str) -> String {
        format!("{}/to/{id}", self.root)
    }

    /// `from/<id>`.
    pub fn from(&self, id: &str) -> String {
        format!("{}/from/{id}", self.root)
    }

    /// `alive/<id>`.
    pub fn alive(&self, id: &str) -> String {
        format!("{}/alive/{id}", self.root)
    }

    /// `manager`.
    pub fn manager(&self) -> String {
        format!("{}/manager", self.root)
    }

    /// The subscriptions of the manager.
    pub fn manager_subscriptions(&self) -> Vec<String> {
        vec![self.from("+"), self.alive("+")]
    }

    /// The subscriptions of worker `id`.
    pub fn worker_subscriptions(&self, id: &str) -> Vec<String> {
        vec![self.to(ALL), self.to(id), self.manager()]
    }

    /// What `topic` is, when it belongs to this run.
    pub fn parse<'t>(&self, topic: &'t str) -> Option<Topic<'t>> {
        let rest = topic.strip_prefix(self.root.as_str())?.strip_prefix('/')?;
        if rest == "manager" {
            return Some(Topic::Manager);
        }
        let (kind, id) = rest.split_once('/')?;
        if id.is_empty() || id.contains('/') {
            return None;
        }
        match kind {
            "to" => Some(Topic::To(id)),
            "from" => Some(Topic::From(id)),
            "alive" => Some(Topic::Alive(id)),
            _ => None,
        }
    }
}

/// A side's state, as its presence messages say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Connected (a worker, or a manager still taking workers).
    Online,
    /// A manager whose workers have all joined (the members are listed).
    Running,
    /// Gone: a last will, or a manager that finished.
    Offline,
}

/// A presence message: a heartbeat, a last will or the manager's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Presence {
    /// The sender's client id.
    pub id: String,
    /// Its state.
    pub state: State,
    /// How many times it has connected: a higher number means it reconnected and may have
    /// missed messages.
    #[serde(default)]
    pub epoch: u64,
    /// With `running`: the workers taking part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

impl Presence {
    /// As JSON bytes.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Outgoing<'a> {
    #[serde(flatten)]
    envelope: &'a Envelope,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
}

#[derive(Deserialize)]
struct Incoming {
    #[serde(flatten)]
    envelope: Envelope,
    #[serde(default)]
    seq: Option<u64>,
}

/// An envelope and its sequence number as JSON bytes.
pub fn encode(envelope: &Envelope, seq: Option<u64>) -> Vec<u8> {
    serde_json::to_vec(&Outgoing { envelope, seq }).unwrap_or_else(|err| {
        // Serialising our own types cannot fail short of a bug; say so rather than panic.
        tracing::error!("cannot serialise a {} message: {err}", envelope.message.kind());
        Vec::new()
    })
}

/// An envelope and its sequence number from JSON bytes.
pub fn decode(payload: &[u8]) -> Result<(Envelope, Option<u64>), serde_json::Error> {
    serde_json::from_slice::<Incoming>(payload).map(|i| (i.envelope, i.seq))
}

/// Whether a message must arrive: everything but the periodic ones (`txUpdate` is superseded
/// by the next one and by the final result; `register` is repeated until answered).
pub fn is_reliable(message: &Message) -> bool {
    !matches!(message, Message::TxUpdate(_) | Message::Register { .. })
}

/// Up to the first 120 characters of a payload, for a log line.
pub fn excerpt(payload: &[u8]) -> String {
    String::from_utf8_lossy(&payload[..payload.len().min(120)]).into_owned()
}

/// The sequence numbers seen from each sender, bounded.
#[derive(Default)]
pub struct Seen {
    order: VecDeque<(String, u64)>,
    set: HashSet<(String, u64)>,
}

impl Seen {
    const CAPACITY: usize = 4096;

    /// Records `seq` from `sender`; false when it was already seen (a replay).
    pub fn first_time(&mut self, sender: &str, seq: u64) -> bool {
        let key = (sender.to_string(), seq);
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > Self::CAPACITY
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// The last reliable messages sent on each topic, replayed when the broker may have lost them.
#[derive(Default)]
pub struct Replay {
    by_topic: HashMap<String, VecDeque<std::sync::Arc<[u8]>>>,
}

impl Replay {
    /// Messages kept per topic: a round needs a handful on each.
    const KEEP: usize = 8;

    /// Keeps `payload`, sent on `topic`.
    pub fn keep(&mut self, topic: &str, payload: std::sync::Arc<[u8]>) {
        let q = self.by_topic.entry(topic.to_string()).or_default();
        q.push_back(payload);
        if q.len() > Self::KEEP {
            q.pop_front();
        }
    }

    /// The kept messages of the topics `wanted` accepts, oldest first per topic.
    pub fn select(&self, wanted: impl Fn(&str) -> bool) -> Vec<(String, std::sync::Arc<[u8]>)> {
        self.by_topic
            .iter()
            .filter(|(t, _)| wanted(t))
            .flat_map(|(t, q)| q.iter().map(move |p| (t.clone(), p.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_carry_a_sequence_number_beside_calipers_fields() {
        let env = Envelope::new("m", vec!["w".into()], Message::AssignId { worker_index: 2 });
        let bytes = encode(&env, Some(7));
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["type"], "assignId");
        assert_eq!(v["seq"], 7);
        assert_eq!(decode(&bytes).unwrap(), (env.clone(), Some(7)));
        let plain = serde_json::to_vec(&env).unwrap();
        assert_eq!(decode(&plain).unwrap(), (env, None));
        assert!(decode(b"{\"type\":\"nonsense\"}").is_err());
        assert!(decode(b"\xff\x00").is_err());
    }

    #[test]
    fn topics_belong_to_their_run_only() {
        let t = Topics::new("a");
        assert_eq!(t.parse(&t.from("w1")), Some(Topic::From("w1")));
        assert_eq!(t.parse(&t.to("all")), Some(Topic::To("all")));
        assert_eq!(t.parse(&t.manager()), Some(Topic::Manager));
        assert_eq!(t.parse("caliper/ab/from/w1"), None);
        assert_eq!(t.parse("caliper/a/from/w1/x"), None);
        assert_eq!(t.parse("caliper/a/other/w1"), None);
    }

    #[test]
    fn seen_drops_replays_and_replay_keeps_the_last_messages() {
        let mut seen = Seen::default();
        assert!(seen.first_time("a", 1));
        assert!(!seen.first_time("a", 1));
        assert!(seen.first_time("b", 1));
        let mut replay = Replay::default();
        for i in 0..20u8 {
            replay.keep("t", vec![i].into());
        }
        let kept = replay.select(|t| t == "t");
        assert_eq!(kept.len(), Replay::KEEP);
        assert_eq!(kept[0].1.as_ref(), &[12u8]);
        assert!(replay.select(|t| t == "u").is_empty());
    }
}
