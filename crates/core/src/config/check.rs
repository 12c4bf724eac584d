//! The walker that validates a [`Node`] tree and collects every error with its key path.
//!
//! Each helper checks one thing (a mapping with known keys, a string, a positive number) and
//! records an error instead of returning early, so one pass over a file reports everything
//! that is wrong with it.

use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::tree::{Kind, Loc, Node};
use crate::suggest::did_you_mean;

/// Collects the errors of one file.
pub struct Check {
    file: PathBuf,
    /// The errors so far, in the order they were found.
    pub errors: Vec<ConfigError>,
    /// Warnings: accepted but ignored keys, legacy keys.
    pub warnings: Vec<String>,
}

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

/// `parent[index]`.
pub fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

impl Check {
    /// A checker for `file`.
    pub fn new(file: &Path) -> Check {
        Check { file: file.to_path_buf(), errors: Vec::new(), warnings: Vec::new() }
    }

    /// Records an error at `key_path`.
    pub fn error(&mut self, key_path: &str, loc: Option<Loc>, message: impl Into<String>) {
        self.errors.push(ConfigError::Invalid {
            path: self.file.clone(),
            key_path: key_path.to_string(),
            line: loc.map(|l| l.line),
            column: loc.map(|l| l.column),
            message: message.into(),
        });
    }

    /// Records a warning at `key_path`.
    pub fn warn(&mut self, key_path: &str, loc: Option<Loc>, message: &str) {
        let at = match loc {
            Some(l) => format!("{}:{}:{}", self.file.display(), l.line, l.column),
            None => self.file.display().to_string(),
        };
        self.warnings.push(format!("{at}: {key_path}: {message}"));
    }

    /// Records "expected X, found Y".
    pub fn wrong_type(&mut self, key_path: &str, node: &Node, expected: &str) {
        self.error(key_path, node.loc, format!("expected {expected}, found {}", node.kind_name()));
    }

    /// `node` as a mapping whose keys are all in `known` (each unknown key is an error with
    /// a did-you-mean). `None` (and an error) when it is not a mapping.
    pub fn mapping<'n>(&mut self, key_path: &str, node: &'n Node, known: &[&str]) -> Option<&'n Node> {
        let Some(entries) = node.entries() else {
            self.wrong_type(key_path, node, "a mapping");
            return None;
        };
        for entry in entries {
            if known.contains(&entry.key.as_str()) {
                continue;
            }
            let suggestion = did_you_mean(&entry.key, known.iter().copied())
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            self.error(
                &join(key_path, &entry.key),
                entry.key_loc.or(entry.value.loc),
                format!("unknown key \"{}\"{suggestion}; expected one of: {}", entry.key, known.join(", ")),
            );
        }
        Some(node)
    }

    /// `node` as any mapping (free keys allowed).
    pub fn any_mapping<'n>(&mut self, key_path: &str, node: &'n Node) -> Option<&'n Node> {
        if node.entries().is_some() {
            Some(node)
        } else {
            self.wrong_type(key_path, node, "a mapping");
            None
        }
    }

    /// The required key `key` of `map`; an error names it when it is missing or null.
    pub fn required<'n>(
        &mut self,
        map_path: &str,
        map: &'n Node,
        key: &str,
        expected: &str,
    ) -> Option<&'n Node> {
        match map.get(key) {
            Some(node) if !node.is_null() => Some(node),
            Some(node) => {
                self.error(&join(map_path, key), node.loc, format!("expected {expected}, found null"));
                None
            }
            None => {
                self.error(map_path, map.loc, format!("missing key \"{key}\": expected {expected}"));
                None
            }
        }
    }

    /// The optional key `key` of `map` (null counts as absent).
    pub fn optional<'n>(map: &'n Node, key: &str) -> Option<&'n Node> {
        map.get(key).filter(|n| !n.is_null())
    }

    /// `node` as a string.
    pub fn string(&mut self, key_path: &str, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(key_path, node, "a string");
                None
            }
        }
    }

    /// `node` as a string that is not empty.
    pub fn non_empty_string(&mut self, key_path: &str, node: &Node) -> Option<String> {
        let s = self.string(key_path, node)?;
        if s.trim().is_empty() {
            self.error(key_path, node.loc, "expected a non-empty string");
            return None;
        }
        Some(s)
    }

    /// `node` as a whole number of at least 1.
    pub fn positive_integer(&mut self, key_path: &str, node: &Node) -> Option<u64> {
        match node.kind {
            Kind::UInt(n) if n >= 1 => Some(n),
            Kind::Float(f) if f >= 1.0 && f.fract() == 0.0 && f < u64::MAX as f64 => Some(f as u64),
            Kind::UInt(_) | Kind::Int(_) | Kind::Float(_) => {
                self.error(
                    key_path,
                    node.loc,
                    format!("expected a whole number of at least 1, found {}", show(node)),
                );
                None
            }
            _ => {
                self.wrong_type(key_path, node, "a whole number of at least 1");
                None
            }
        }
    }

    /// `node` as a finite number greater than 0.
    pub fn positive_number(&mut self, key_path: &str, node: &Node) -> Option<f64> {
        match node.as_f64() {
            Some(f) if f.is_finite() && f > 0.0 => Some(f),
            Some(_) => {
                self.error(
                    key_path,
                    node.loc,
                    format!("expected a number greater than 0, found {}", show(node)),
                );
                None
            }
            None => {
                self.wrong_type(key_path, node, "a number greater than 0");
                None
            }
        }
    }

    /// `node` as a finite number of 0 or more.
    pub fn non_negative_number(&mut self, key_path: &str, node: &Node) -> Option<f64> {
        match node.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 => Some(f),
            Some(_) => {
                self.error(
                    key_path,
                    node.loc,
                    format!("expected a number of 0 or more, found {}", show(node)),
                );
                None
            }
            None => {
                self.wrong_type(key_path, node, "a number of 0 or more");
                None
            }
        }
    }

    /// `node` as one of `names`; an unknown name is an error with a did-you-mean.
    pub fn one_of(&mut self, key_path: &str, node: &Node, names: &[&str], what: &str) -> Option<String> {
        let value = self.string(key_path, node)?;
        if names.contains(&value.as_str()) {
            return Some(value);
        }
        let suggestion = did_you_mean(&value, names.iter().copied())
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        self.error(
            key_path,
            node.loc,
            format!("unknown {what} \"{value}\"{suggestion}; expected one of: {}", names.join(", ")),
        );
        None
    }
}

/// A short rendering of a scalar for messages.
pub fn show(node: &Node) -> String {
    match &node.kind {
        Kind::Str(s) => format!("\"{s}\""),
        Kind::Seq(_) | Kind::Map(_) => node.kind_name().to_string(),
        _ => node.to_json().to_string(),
    }
}
