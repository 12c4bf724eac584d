//! The page around the sections: the document head, a little CSS, the navigation.
//!
//! The CSS only makes the page nicer: a viewer that blocks inline styles (Jenkins' default
//! content security policy) still shows every table and chart, as their layout is in HTML
//! and SVG attributes. Nothing is fetched: no font, script, image or style sheet.

use std::fmt::Write as _;

use super::format::esc;
use crate::json::ResultsFile;

/// Enhancements only; the page reads without them.
const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1.5em auto;max-width:1180px;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0;font-size:13px}\
th,td{border:1px solid #bbb;padding:3px 7px}\
th{background:#eef1f5}\
td[align=right]{white-space:nowrap}\
tbody tr:nth-child(even){background:#fafafa}\
td code{word-break:break-all}\
code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:12px}\
pre{background:#f6f6f6;padding:.6em;overflow:auto}\
section.round{border-top:2px solid #1f77b4;margin-top:2em}\
.charts{display:flex;flex-wrap:wrap;gap:8px}\
figure{margin:.4em 0;width:576px;max-width:100%}\
figcaption{font-size:12px;color:#555}\
svg{max-width:100%;height:auto}\
.passed{color:#1a7f37;font-weight:bold}\
.failed,.not-run{color:#c62828;font-weight:bold}\
.error{color:#c62828}\
.note{color:#555;font-size:13px}\
nav a{margin:0 .3em}";

/// Appends the start of the page, up to and with the navigation.
pub(crate) fn head(out: &mut String, results: &ResultsFile) {
    let title = format!("Caliper report: {}", results.run.name);
    let _ = write!(
        out,
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><meta name="generator" content="{} {}"/><title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1><nav><a href="#summary">Summary</a>"##,
        esc(&results.tool.name),
        esc(&results.tool.version),
        t = esc(&title)
    );
    for r in &results.rounds {
        // The separators keep the links apart where the style sheet is blocked.
        let _ = write!(out, r##" | <a href="#round-{}">{}</a>"##, r.index, esc(&r.label));
    }
    out.push_str(r##" | <a href="#environment">Environment</a></nav>"##);
}

/// Appends the end of the page.
pub(crate) fn foot(out: &mut String, results: &ResultsFile) {
    let _ = writeln!(
        out,
        "<footer><p class=\"note\">Written by {} {} (results schema {}). Self-contained: this page fetches nothing.</p></footer></body></html>",
        esc(&results.tool.name),
        esc(&results.tool.version),
        results.schema_version
    );
}
