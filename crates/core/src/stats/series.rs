//! A per-second time series of one round: what was submitted and finished in each second.
//!
//! Each second has a latency histogram, and a live one takes about 10 KB; an hour-long round
//! would hold 36 MB of them. So once a second is over (two seconds later, as a late status may
//! still land in it), its histogram is packed into the text it travels as, a few hundred
//! bytes: a worker's memory stays flat however long the round.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::histogram::LatencyHistogram;

/// How many of the newest seconds keep a live histogram.
const LIVE_SECONDS: usize = 2;

/// One second of a round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondBucket {
    /// Transactions submitted in this second.
    pub submitted: u64,
    /// Transactions that finished successfully in this second.
    pub successful: u64,
    /// Transactions that failed in this second.
    pub failed: u64,
    /// Latencies of the successful ones (2 significant digits: enough for a chart, and small).
    pub latency: SecondLatency,
}

/// The latency histogram of one second: live while values may still land in it, then packed.
#[derive(Debug, Clone)]
pub enum SecondLatency {
    /// A histogram values are recorded into.
    Live(LatencyHistogram),
    /// The text of a histogram's encoding (as it is serialised), decoded when read.
    Packed(String),
}

impl Default for SecondLatency {
    fn default() -> Self {
        SecondLatency::Live(LatencyHistogram::with_precision(2))
    }
}

impl SecondLatency {
    /// The histogram (decoded when packed; empty if a packed text does not decode, which
    /// deserialisation has ruled out).
    pub fn histogram(&self) -> Cow<'_, LatencyHistogram> {
        match self {
            SecondLatency::Live(h) => Cow::Borrowed(h),
            SecondLatency::Packed(text) => Cow::Owned(
                LatencyHistogram::from_text(text).unwrap_or_else(|_| LatencyHistogram::with_precision(2)),
            ),
        }
    }

    /// The live histogram, unpacking it first.
    fn live(&mut self) -> &mut LatencyHistogram {
        if let SecondLatency::Packed(_) = self {
            *self = SecondLatency::Live(self.histogram().into_owned());
        }
        match self {
            SecondLatency::Live(h) => h,
            SecondLatency::Packed(_) => unreachable!("unpacked above"),
        }
    }

    /// Packs a live histogram into its text.
    fn pack(&mut self) {
        if let SecondLatency::Live(h) = self {
            *self = SecondLatency::Packed(h.to_text());
        }
    }
}

/// Packed or not, the same values are the same histogram.
impl PartialEq for SecondLatency {
    fn eq(&self, other: &Self) -> bool {
        self.histogram() == other.histogram()
    }
}

/// Serialised as [`LatencyHistogram`] is: the text of its encoding.
impl Serialize for SecondLatency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SecondLatency::Live(h) => h.serialize(serializer),
            SecondLatency::Packed(text) => serializer.serialize_str(text),
        }
    }
}

/// Kept packed once checked to decode.
impl<'de> Deserialize<'de> for SecondLatency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LatencyHistogram::from_text(&text).map_err(serde::de::Error::custom)?;
        Ok(SecondLatency::Packed(text))
    }
}

/// The seconds of a round, indexed by whole seconds since the round started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Series(pub Vec<SecondBucket>);

impl Series {
    fn bucket(&mut self, second: usize) -> &mut SecondBucket {
        if self.0.len() <= second {
            let before = self.0.len();
            self.0.resize_with(second + 1, SecondBucket::default);
            // A new second began: pack the seconds that have just become two or more seconds
            // old (the older ones were packed when they did; walking them all every second
            // would make a day-long round quadratic).
            let old = (second + 1).saturating_sub(LIVE_SECONDS);
            let from = before.saturating_sub(LIVE_SECONDS).min(old);
            self.0[from..old].iter_mut().for_each(|b| b.latency.pack());
        }
        &mut self.0[second]
    }

    /// Packs every second's histogram (a series that is complete, such as a merged one).
    pub fn pack(&mut self) {
        self.0.iter_mut().for_each(|b| b.latency.pack());
    }

    /// Counts `count` submissions in `second`.
    pub fn submitted(&mut self, second: usize, count: u64) {
        self.bucket(second).submitted += count;
    }

    /// Counts one finished transaction in `second`.
    pub fn finished(&mut self, second: usize, success: bool, latency_us: u64) {
        let b = self.bucket(second);
        if success {
            b.successful += 1;
            b.latency.live().record(latency_us);
        } else {
            b.failed += 1;
        }
    }

    /// Counts `count` transactions given up as failed in `second` (no latency is known).
    pub fn abandoned(&mut self, second: usize, count: u64) {
        self.bucket(second).failed += count;
    }

    /// Adds `other` second by second.
    pub fn add(&mut self, other: &Series) {
        for (i, o) in other.0.iter().enumerate() {
            let b = self.bucket(i);
            b.submitted = b.submitted.saturating_add(o.submitted);
            b.successful = b.successful.saturating_add(o.successful);
            b.failed = b.failed.saturating_add(o.failed);
            b.latency.live().add(&o.latency.histogram());
        }
        self.pack();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(seconds: usize) -> Series {
        let mut s = Series::default();
        for second in 0..seconds {
            for i in 0..10_000u64 {
                s.finished(second, true, 20_000 + (i * 7919) % 15_000);
            }
        }
        s
    }

    #[test]
    fn seconds_two_seconds_old_are_packed_small_and_read_the_same() {
        let s = filled(6);
        let packed: Vec<bool> = s.0.iter().map(|b| matches!(b.latency, SecondLatency::Packed(_))).collect();
        assert_eq!(packed, [true, true, true, true, false, false]);
        if let SecondLatency::Packed(text) = &s.0[0].latency {
            assert!(text.len() < 2_000, "a packed second of 10,000 values takes {} bytes", text.len());
        }
        let (old, live) = (s.0[0].latency.histogram(), s.0[5].latency.histogram());
        assert_eq!((old.len(), old.quantile(0.99)), (live.len(), live.quantile(0.99)));
    }

    #[test]
    fn a_late_value_lands_in_a_packed_second_and_the_series_survives_the_wire() {
        let mut s = filled(4);
        s.finished(0, true, 1);
        assert_eq!(s.0[0].latency.histogram().len(), 10_001);
        assert_eq!(s.0[0].latency.histogram().min(), 1);
        let text = serde_json::to_string(&s).unwrap();
        let back: Series = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        let bad = text.replacen("\"latency\":\"", "\"latency\":\"!!", 1);
        assert!(serde_json::from_str::<Series>(&bad).is_err(), "a histogram that does not decode is refused");
    }
}
