//! One transaction as a line of CSV or JSON, written straight into the chunk being filled:
//! no allocation and no `core::fmt` per transaction (integers through itoa).

use caliper_core::TxStatus;
use caliper_core::connector::TxState;

/// The columns, in order; the CSV header and the JSON keys.
pub(crate) const COLUMNS: [&str; 10] = [
    "worker",
    "round",
    "id",
    "intendedUs",
    "createUs",
    "finalUs",
    "status",
    "errorClass",
    "latencyUs",
    "correctedLatencyUs",
];

/// How the lines are written, from the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `.csv`: RFC 4180, a header line first.
    Csv,
    /// `.jsonl`: one JSON object per line.
    JsonLines,
}

impl Format {
    /// The name written in results.json.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    /// What the file starts with.
    pub(crate) fn header(self) -> String {
        match self {
            Format::Csv => format!("{}\n", COLUMNS.join(",")),
            Format::JsonLines => String::new(),
        }
    }
}

fn state(status: TxState) -> &'static str {
    match status {
        TxState::Created => "created",
        TxState::Success => "success",
        TxState::Failed => "failed",
    }
}

fn int(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A CSV field: quoted (quotes doubled) only when it holds a separator, a quote or a line
/// break, as RFC 4180 asks.
fn csv_text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// A JSON string.
fn json_text(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    }
}

/// Appends the line of one finished transaction to `out`.
///
/// Latency is final − create, as the round's statistics count it; the corrected latency is
/// final − the intended send time (the creation time when that is later or unknown), for
/// failed transactions too.
pub(crate) fn write(out: &mut Vec<u8>, format: Format, worker: usize, round: usize, tx: &TxStatus) {
    let latency = tx.time_final.saturating_sub(tx.time_create);
    let from = tx.time_intended.unwrap_or(tx.time_create).min(tx.time_create);
    let corrected = tx.time_final.saturating_sub(from);
    let class = tx.error_class.map(|c| c.as_str());
    match format {
        Format::Csv => {
            int(out, worker as u64);
            out.push(b',');
            int(out, round as u64);
            out.push(b',');
            csv_text(out, &tx.id);
            out.push(b',');
            if let Some(intended) = tx.time_intended {
                int(out, intended);
            }
            out.push(b',');
            int(out, tx.time_create);
            out.push(b',');
            int(out, tx.time_final);
            out.push(b',');
            out.extend_from_slice(state(tx.status).as_bytes());
            out.push(b',');
            out.extend_from_slice(class.unwrap_or("").as_bytes());
            out.push(b',');
            int(out, latency);
            out.push(b',');
            int(out, corrected);
        }
        Format::JsonLines => {
            out.extend_from_slice(b"{\"worker\":");
            int(out, worker as u64);
            out.extend_from_slice(b",\"round\":");
            int(out, round as u64);
            out.extend_from_slice(b",\"id\":");
            json_text(out, &tx.id);
            out.extend_from_slice(b",\"intendedUs\":");
            match tx.time_intended {
                Some(intended) => int(out, intended),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"createUs\":");
            int(out, tx.time_create);
            out.extend_from_slice(b",\"finalUs\":");
            int(out, tx.time_final);
            out.extend_from_slice(b",\"status\":\"");
            out.extend_from_slice(state(tx.status).as_bytes());
            out.extend_from_slice(b"\",\"errorClass\":");
            match class {
                Some(class) => {
                    out.push(b'"');
                    out.extend_from_slice(class.as_bytes());
                    out.push(b'"');
                }
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"latencyUs\":");
            int(out, latency);
            out.extend_from_slice(b",\"correctedLatencyUs\":");
            int(out, corrected);
            out.push(b'}');
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use caliper_core::connector::ErrorClass;
    use serde_json::Value;

    use super::*;

    fn line(format: Format, tx: &TxStatus) -> String {
        let mut out = Vec::new();
        write(&mut out, format, 1, 2, tx);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_only_what_needs_it_and_leaves_unknown_times_empty() {
        let mut tx = TxStatus::created_at("a,\"b\"", 1_000);
        tx.time_intended = None;
        tx.set_failed(1_500, ErrorClass::Timeout, "late");
        assert_eq!(line(Format::Csv, &tx), "1,2,\"a,\"\"b\"\"\",,1000,1500,failed,timeout,500,500\n");
        let mut tx = TxStatus::created_at("0xab", 1_000);
        tx.time_intended = Some(900);
        tx.set_success(1_200);
        assert_eq!(line(Format::Csv, &tx), "1,2,0xab,900,1000,1200,success,,200,300\n");
        assert_eq!(Format::Csv.header().trim_end().split(',').count(), COLUMNS.len());
    }

    #[test]
    fn json_lines_parse_with_every_column() {
        let mut tx = TxStatus::created_at("quote\" and \\ and \u{1}", 1_000);
        tx.time_intended = Some(1_100);
        tx.set_success(1_250);
        let text = line(Format::JsonLines, &tx);
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut columns = COLUMNS.to_vec();
        keys.sort_unstable();
        columns.sort_unstable();
        assert_eq!(keys, columns);
        assert_eq!(v["id"], "quote\" and \\ and \u{1}");
        assert_eq!((v["latencyUs"].as_u64(), v["correctedLatencyUs"].as_u64()), (Some(250), Some(250)));
        assert_eq!((v["status"].as_str(), v["errorClass"].is_null()), (Some("success"), true));
    }
}
