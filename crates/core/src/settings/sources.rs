//! The layers above the defaults: settings files, `CALIPER_*` environment variables and
//! `--caliper-*` command-line flags, each turned into flat keys with typed values.

use std::path::Path;

use serde_json::Value;

use super::error::{FileLayer, SettingsError, Source};
use crate::config::tree::{self, Kind, Node, ParseError};

/// One value of a layer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// The flat key.
    pub(crate) key: String,
    /// The typed value.
    pub(crate) value: Value,
    /// The text it was parsed from (environment and flags only).
    pub(crate) raw: Option<String>,
    /// Where it came from.
    pub(crate) source: Source,
}

/// `caliper_worker_remote` or `CALIPER-Worker-Remote` → `caliper-worker-remote`.
pub(crate) fn normalise_key(key: &str) -> String {
    key.to_lowercase().replace('_', "-")
}

/// The value of a string from the environment or the command line: JSON when it parses as
/// JSON (`true` → boolean, `5000` → number, `null`, `[1, 2]`, `{"a": 1}`), else the string.
pub(crate) fn parse_text(text: &str) -> Value {
    serde_json::from_str::<Value>(text.trim()).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The `CALIPER_*` variables of `env` (any case).
pub(crate) fn from_env(env: &[(String, String)]) -> Vec<Item> {
    env.iter()
        .filter(|(name, _)| {
            name.len() > "CALIPER_".len() && name.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("CALIPER_"))
        })
        .map(|(name, text)| Item {
            key: normalise_key(name),
            value: parse_text(text),
            raw: Some(text.clone()),
            source: Source::Env { var: name.clone() },
        })
        .collect()
}

/// The `--caliper-*` flags of `args`: `--caliper-x value`, `--caliper-x=value`,
/// `--caliper-flag` alone (true), `--no-caliper-flag` (false). Other words are left to the
/// command-line parser; `--` ends the flags.
pub(crate) fn from_args(args: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if word == "--" {
            break;
        }
        let Some(body) = word.strip_prefix("--") else {
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let key = normalise_key(name);
        let flag = format!("--{name}");
        if let Some(negated) = key.strip_prefix("no-")
            && negated.starts_with("caliper-")
            && inline.is_none()
        {
            items.push(Item {
                key: negated.to_string(),
                value: Value::Bool(false),
                raw: Some("false".to_string()),
                source: Source::Flag { flag },
            });
            continue;
        }
        if !key.starts_with("caliper-") || key.len() == "caliper-".len() {
            continue;
        }
        let text = match inline {
            Some(value) => Some(value.to_string()),
            None => match args.get(i) {
                Some(next) if !next.starts_with("--") => {
                    i += 1;
                    Some(next.clone())
                }
                _ => None,
            },
        };
        let (value, raw) = match text {
            Some(text) => (parse_text(&text), Some(text)),
            None => (Value::Bool(true), Some("true".to_string())),
        };
        items.push(Item { key, value, raw, source: Source::Flag { flag } });
    }
    items
}

/// The settings of a YAML or JSON file, nesting flattened with `-`:
/// `caliper: {report: {path: x}}` → `caliper-report-path`. Lists and empty mappings are
/// values; keys keep their spelling.
pub(crate) fn from_file(path: &Path, layer: FileLayer) -> Result<Vec<Item>, ParseError> {
    let root = tree::read_file(path)?;
    let mut items = Vec::new();
    match &root.kind {
        Kind::Null => {}
        Kind::Map(_) => flatten(&root, "", path, layer, &mut items),
        _ => {
            return Err(ParseError::Syntax {
                line: root.loc.map_or(0, |l| l.line),
                column: root.loc.map_or(0, |l| l.column),
                message: format!(
                    "expected a mapping of settings such as \"caliper: {{benchconfig: bench.yaml}}\", found {}",
                    root.kind_name()
                ),
            });
        }
    }
    Ok(items)
}

fn flatten(node: &Node, prefix: &str, path: &Path, layer: FileLayer, items: &mut Vec<Item>) {
    match &node.kind {
        Kind::Map(entries) if !entries.is_empty() => {
            for entry in entries {
                let key =
                    if prefix.is_empty() { entry.key.clone() } else { format!("{prefix}-{}", entry.key) };
                flatten(&entry.value, &key, path, layer, items);
            }
        }
        _ => items.push(Item {
            key: prefix.to_string(),
            value: node.to_json(),
            raw: None,
            source: Source::File { layer, path: path.to_path_buf(), line: node.loc.map(|l| l.line) },
        }),
    }
}

/// The error for a settings file that could not be read.
pub(crate) fn file_error(
    path: &Path,
    err: ParseError,
    layer: FileLayer,
    origin: Option<Source>,
) -> SettingsError {
    match err {
        ParseError::NotFound => SettingsError::FileNotFound {
            layer,
            path: path.to_path_buf(),
            key: layer.key().to_string(),
            origin: origin.unwrap_or(Source::Default),
        },
        ParseError::Io(err) => SettingsError::File {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: err.to_string(),
        },
        ParseError::Syntax { line, column, message } => SettingsError::File {
            path: path.to_path_buf(),
            line: (line > 0).then_some(line),
            column: (column > 0).then_some(column),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn flags_take_values_inline_or_next_and_alone_mean_true() {
        let items = from_args(&args(&[
            "--caliper-benchconfig",
            "b.yaml",
            "--caliper-report-precision=4",
            "--caliper-flow-only-test",
            "--no-caliper-progress-reporting-enabled",
            "--verbose",
            "--CALIPER_WORKER_REMOTE",
            "true",
            "--caliper-x",
        ]));
        let got: Vec<(&str, &Value)> = items.iter().map(|i| (i.key.as_str(), &i.value)).collect();
        assert_eq!(
            got,
            vec![
                ("caliper-benchconfig", &Value::from("b.yaml")),
                ("caliper-report-precision", &Value::from(4)),
                ("caliper-flow-only-test", &Value::Bool(true)),
                ("caliper-progress-reporting-enabled", &Value::Bool(false)),
                ("caliper-worker-remote", &Value::Bool(true)),
                ("caliper-x", &Value::Bool(true)),
            ]
        );
        assert_eq!(items[0].source, Source::Flag { flag: "--caliper-benchconfig".into() });
    }

    #[test]
    fn environment_names_are_normalised_and_values_typed() {
        let env = vec![
            ("CALIPER_WORKER_REMOTE".to_string(), "true".to_string()),
            ("CALIPER_PROGRESS_REPORTING_INTERVAL".to_string(), "250".to_string()),
            ("CALIPER_REPORT_PATH".to_string(), "out/r.html".to_string()),
            ("HOME".to_string(), "/root".to_string()),
            ("CALIPER_".to_string(), "x".to_string()),
        ];
        let items = from_env(&env);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].key, "caliper-worker-remote");
        assert_eq!(items[0].value, Value::Bool(true));
        assert_eq!(items[1].value, Value::from(250));
        assert_eq!(items[2].value, Value::from("out/r.html"));
    }

    #[test]
    fn text_values_parse_like_json_else_stay_strings() {
        assert_eq!(parse_text("false"), Value::Bool(false));
        assert_eq!(parse_text("2.5"), Value::from(2.5));
        assert_eq!(parse_text("007"), Value::from("007"));
        assert_eq!(parse_text("mqtt://h:1883"), Value::from("mqtt://h:1883"));
        assert_eq!(parse_text("[1,2]"), serde_json::json!([1, 2]));
    }
}
