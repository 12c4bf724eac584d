//! A parsed YAML or JSON document that remembers where each value came from.
//!
//! Both the configuration files and the settings files are read into a [`Node`] tree first:
//! YAML through serde-saphyr (anchors, aliases and merge keys resolved, every value and key
//! with its line and column), JSON through serde_json (no positions after parsing). The
//! validators then walk the tree, so every error can name the key path and, for YAML, the
//! line.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::{Location, Spanned};

/// A line and column in the source file, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Loc {
    fn from_location(location: &Location) -> Option<Loc> {
        if *location == Location::UNKNOWN || location.line() == 0 {
            return None;
        }
        Some(Loc {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
        })
    }
}

/// One value of the document and where it is used (for an alias: the alias, not the anchor).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where it is, when known.
    pub loc: Option<Loc>,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A negative whole number.
    Int(i64),
    /// A whole number of zero or more.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is, when known.
    pub key_loc: Option<Loc>,
    /// Its value.
    pub value: Node,
}

/// Why a file could not be read into a tree.
#[derive(Debug)]
pub enum ParseError {
    /// The file does not exist.
    NotFound,
    /// The file exists but could not be read.
    Io(std::io::Error),
    /// The text is not valid YAML or JSON.
    Syntax {
        /// 1-based line, 0 when unknown.
        line: u32,
        /// 1-based column, 0 when unknown.
        column: u32,
        /// What is wrong, without the position.
        message: String,
    },
}

/// The deepest nesting a YAML configuration may have.
pub const MAX_DEPTH: usize = 32;
/// The most YAML nodes a file may have, its aliases expanded.
pub const MAX_NODES: usize = 100_000;

/// Reads `path` as JSON when its name ends in `.json` (any case), as YAML otherwise.
pub fn read_file(path: &Path) -> Result<Node, ParseError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(ParseError::NotFound),
        Err(err) => return Err(ParseError::Io(err)),
    };
    let is_json = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json { parse_json(&text) } else { parse_yaml(&text) }
}

/// Parses YAML 1.2 text (booleans are only `true`/`false`, as in js-yaml).
pub fn parse_yaml(text: &str) -> Result<Node, ParseError> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        // The default depth (64) overflows a 2 MiB thread stack in a debug build while the
        // tree is deserialised; configuration files nest a dozen levels at the most.
        // 100,000 nodes is megabytes of YAML; the default (250,000) let an alias bomb
        // ("billion laughs") take seconds of a debug build before it was refused.
        budget: serde_saphyr::budget! { max_depth: MAX_DEPTH, max_nodes: MAX_NODES },
    };
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|err| {
        let (line, column) = err.location().map_or((0, 0), |l| {
            (u32::try_from(l.line()).unwrap_or(u32::MAX), u32::try_from(l.column()).unwrap_or(u32::MAX))
        });
        let text = err.without_snippet().to_string();
        let text = text.strip_suffix(&format!(" at line {line}, column {column}")).unwrap_or(&text);
        // A hint meant for programmers, not for whoever edits the file.
        let text = text.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
        let text = explain_budget(&text);
        ParseError::Syntax { line, column, message: text }
    })
}

/// The parser's budget messages (`budget breached: Nodes { nodes: 100001 } ...`) in words.
fn explain_budget(text: &str) -> String {
    let Some(rest) = text.strip_prefix("budget breached: ") else { return text.to_string() };
    // What follows the budget's name is where (the alias that was used, for example).
    let tail = rest.find(" (").map_or("", |i| &rest[i..]);
    if rest.starts_with("Nodes") {
        format!(
            "the file has more than {MAX_NODES} YAML nodes once its aliases are expanded (aliases of aliases, an \"alias bomb\"?){tail}"
        )
    } else if rest.starts_with("Depth") {
        format!("the file nests more than {MAX_DEPTH} levels deep{tail}")
    } else {
        format!("the file is too large to read: {rest}")
    }
}

/// Parses JSON text.
pub fn parse_json(text: &str) -> Result<Node, ParseError> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(Node::from_json(&value)),
        Err(err) => {
            let (line, column) = (
                u32::try_from(err.line()).unwrap_or(u32::MAX),
                u32::try_from(err.column()).unwrap_or(u32::MAX),
            );
            let text = err.to_string();
            let text = text.strip_suffix(&format!(" at line {line} column {column}")).unwrap_or(&text);
            Err(ParseError::Syntax { line, column, message: text.to_string() })
        }
    }
}

impl Node {
    /// A node without a position.
    pub fn new(kind: Kind) -> Node {
        Node { kind, loc: None }
    }

    /// The tree of a JSON value, without positions.
    pub fn from_json(value: &Value) -> Node {
        let kind = match value {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Kind::UInt(u)
                } else if let Some(i) = n.as_i64() {
                    Kind::Int(i)
                } else {
                    Kind::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => Kind::Str(s.clone()),
            Value::Array(items) => Kind::Seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => Kind::Map(
                map.iter()
                    .map(|(k, v)| Entry { key: k.clone(), key_loc: None, value: Node::from_json(v) })
                    .collect(),
            ),
        };
        Node::new(kind)
    }

    /// The JSON value of this tree (mapping keys sorted, as serde_json keeps them).
    pub fn to_json(&self) -> Value {
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::UInt(u) => Value::from(*u),
            Kind::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => {
                let mut map = Map::new();
                for entry in entries {
                    map.insert(entry.key.clone(), entry.value.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The entries, when this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry `key`, when this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    /// The value of `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Kind::Int(i) => Some(i as f64),
            Kind::UInt(u) => Some(u as f64),
            Kind::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The position of the deepest node of `key_path` (such as `opts.rateControllers[1].opts`,
    /// below this node) that exists: an error about a key that is missing or misspelt points
    /// at the mapping that should hold it.
    pub fn locate(&self, key_path: &str) -> Option<Loc> {
        let mut loc = None;
        let mut current = self;
        for segment in key_path.split('.') {
            let (key, indices) = segment.split_once('[').unwrap_or((segment, ""));
            let Some(next) = current.get(key) else {
                return loc;
            };
            current = next;
            loc = current.loc.or(loc);
            for index in indices.split('[').filter_map(|i| i.trim_end_matches(']').parse::<usize>().ok()) {
                let Kind::Seq(items) = &current.kind else {
                    return loc;
                };
                let Some(next) = items.get(index) else {
                    return loc;
                };
                current = next;
                loc = current.loc.or(loc);
            }
        }
        loc
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// What kind of value this is, for "expected …, found …" messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) | Kind::UInt(_) | Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(deserializer)?;
        Ok(Node { kind: spanned.value, loc: Loc::from_location(&spanned.referenced) })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        Kind::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kind, E> {
        Ok(u64::try_from(v).map_or(Kind::Int(v), Kind::UInt))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::UInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Node>()?;
            entries.push(Entry { key_loc: Loc::from_location(&key.referenced), key: key.value, value });
        }
        Ok(Kind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_values_keep_their_lines_through_aliases_and_merges() {
        let text = "base: &b\n  type: fixed-rate\n  opts: {tps: 5}\nuse:\n  <<: *b\n  opts: {tps: 9}\n";
        let node = parse_yaml(text).expect("valid yaml");
        let used = node.get("use").expect("use");
        assert_eq!(used.get("type").and_then(Node::as_str), Some("fixed-rate"));
        let tps = used.get("opts").and_then(|o| o.get("tps")).expect("tps");
        assert_eq!(tps.kind, Kind::UInt(9));
        assert_eq!(tps.loc.map(|l| l.line), Some(6));
        assert_eq!(used.entry("opts").and_then(|e| e.key_loc).map(|l| l.line), Some(6));
    }

    #[test]
    fn yaml_booleans_are_yaml_1_2() {
        let node = parse_yaml("a: yes\nb: true\n").expect("valid yaml");
        assert_eq!(node.get("a").and_then(Node::as_str), Some("yes"));
        assert_eq!(node.get("b").map(|n| &n.kind), Some(&Kind::Bool(true)));
    }

    #[test]
    fn syntax_errors_have_a_position_and_a_bare_message() {
        let Err(ParseError::Syntax { line, column, message }) = parse_yaml("a: 1\nb:\n  c: [1, 2\n") else {
            panic!("expected a syntax error");
        };
        assert_eq!((line, column), (3, 6));
        assert!(!message.contains("line"), "{message}");
        let Err(ParseError::Syntax { line, message, .. }) = parse_yaml("a: 1\na: 2\n") else {
            panic!("expected a duplicate key error");
        };
        assert_eq!(line, 2);
        assert_eq!(message, "duplicate mapping key: a");
        let Err(ParseError::Syntax { line, column, message }) = parse_json("{\n  \"a\": 1,\n}") else {
            panic!("expected a JSON syntax error");
        };
        assert_eq!((line, column), (3, 1));
        assert!(!message.contains("line"), "{message}");
    }

    #[test]
    fn key_paths_find_their_line() {
        let text = "type: composite-rate\nopts:\n  rateControllers:\n    - type: fixed-rate\n      opts:\n        tps: x\n";
        let node = parse_yaml(text).expect("valid yaml");
        let line = |p: &str| node.locate(p).map(|l| l.line);
        assert_eq!(line("opts.rateControllers[0].opts.tps"), Some(6));
        assert_eq!(line("opts.rateControllers[0].opts.missing"), Some(6));
        assert_eq!(line("opts.rateControllers[3]"), Some(4));
        assert_eq!(line("nothing"), None);
    }

    #[test]
    fn json_round_trips() {
        let value = serde_json::json!({"a": [1, -2, 2.5, "x", null, true], "b": {}});
        assert_eq!(Node::from_json(&value).to_json(), value);
    }
}
