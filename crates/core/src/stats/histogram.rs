//! A latency histogram in microseconds that merges exactly and travels as compact text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde::{Deserialize, Serialize};

/// An HDR histogram of latencies in microseconds.
///
/// It grows to fit the largest value, so no latency is clipped; adding two histograms gives
/// the histogram of all their values, so percentiles of merged results are exact (within the
/// histogram's precision of `sigfig` significant digits).
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyHistogram(Histogram<u64>);

impl LatencyHistogram {
    /// An empty histogram with 3 significant digits (0.1 % resolution).
    pub fn new() -> Self {
        Self::with_precision(3)
    }

    /// An empty histogram with `sigfig` significant digits (1 to 5).
    pub fn with_precision(sigfig: u8) -> Self {
        let mut h = Histogram::new(sigfig.clamp(1, 5)).expect("1..=5 significant digits are valid");
        h.auto(true);
        LatencyHistogram(h)
    }

    /// Records one latency.
    pub fn record(&mut self, micros: u64) {
        // `record` grows an auto-resizing histogram; `saturating_record` would clamp to the
        // current range instead. It fails only past u64::MAX / 2, which no latency reaches.
        if self.0.record(micros).is_err() {
            self.0.saturating_record(micros);
        }
    }

    /// Adds every value of `other`.
    pub fn add(&mut self, other: &LatencyHistogram) {
        // Both auto-resize, so addition cannot run out of range.
        let _ = self.0.add(&other.0);
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether no value was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at `quantile` (0.0 to 1.0), in microseconds; 0 when empty.
    pub fn quantile(&self, quantile: f64) -> u64 {
        if self.0.is_empty() { 0 } else { self.0.value_at_quantile(quantile) }
    }

    /// The largest value, in microseconds (within the precision).
    pub fn max(&self) -> u64 {
        self.0.max()
    }

    /// The smallest value, in microseconds (within the precision).
    pub fn min(&self) -> u64 {
        self.0.min()
    }

    /// How many values are at most `micros` (within the precision: a value counts when its
    /// bucket starts at or below `micros`).
    pub fn count_at_most(&self, micros: u64) -> u64 {
        if self.0.is_empty() { 0 } else { self.0.count_between(0, micros) }
    }

    /// The mean, in microseconds.
    pub fn mean(&self) -> f64 {
        self.0.mean()
    }

    /// The base64 text of the histogram's V2 compressed encoding.
    pub(crate) fn to_text(&self) -> String {
        let mut bytes = Vec::new();
        V2DeflateSerializer::new().serialize(&self.0, &mut bytes).expect("writing to a Vec cannot fail");
        STANDARD.encode(bytes)
    }

    /// The histogram of a text made by [`LatencyHistogram::to_text`].
    pub(crate) fn from_text(text: &str) -> Result<Self, String> {
        let bytes = STANDARD.decode(text).map_err(|e| format!("histogram is not base64: {e}"))?;
        let mut h: Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| format!("histogram does not decode: {e:?}"))?;
        h.auto(true);
        Ok(LatencyHistogram(h))
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// Serialised as the base64 text of HdrHistogram's V2 compressed encoding (readable by every
/// HdrHistogram implementation).
impl Serialize for LatencyHistogram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for LatencyHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LatencyHistogram::from_text(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_the_wire_and_merges() {
        let mut a = LatencyHistogram::new();
        let mut b = LatencyHistogram::new();
        (1..=1000).for_each(|v| a.record(v));
        (1001..=2000).for_each(|v| b.record(v * 1000));
        let a2: LatencyHistogram = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(a2, a);
        a.add(&b);
        assert_eq!(a.len(), 2000);
        assert_eq!(a.quantile(0.5), 1000);
        assert!(a.max() >= 2_000_000);
    }
}
