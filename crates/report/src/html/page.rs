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

/// Values under the pointer, for viewers that run scripts; the page reads the same without it.
/// Each chart's `data-axes` gives its plot area and scales; the value of each line is read
/// back from its nearest point, to three significant digits (hence the `≈`). In a CDATA
/// section so the page stays well-formed XML; no `src`, nothing fetched.
const SCRIPT: &str = r#"//<![CDATA[
(function () {
  function fix(v) { return Number(v.toPrecision(3)).toLocaleString('en-US'); }
  function value(v, kind) {
    if (kind === 'i') return Math.round(v).toLocaleString('en-US');
    if (kind === 'n') return fix(v);
    return v < 1 ? fix(v * 1000) + ' ms' : fix(v) + ' s';
  }
  function where(x, kind) {
    if (kind === 'r') return fix(x) + ' tx/s offered';
    return kind === 't' ? Math.round(x) + ' s' : 'p' + Number((100 * (1 - Math.pow(10, -x))).toFixed(3));
  }
  document.querySelectorAll('svg[data-axes]').forEach(function (svg) {
    var a = svg.getAttribute('data-axes').split(' ');
    var x0 = +a[0], pw = +a[1], xTop = +a[2], y0 = +a[3], ph = +a[4], yTop = +a[5];
    var hover = svg.querySelector('g.hover'), line = hover.querySelector('line');
    var text = hover.querySelector('text'), box = hover.querySelector('rect');
    svg.addEventListener('mouseleave', function () { hover.setAttribute('visibility', 'hidden'); });
    svg.addEventListener('mousemove', function (e) {
      var m = svg.getScreenCTM();
      if (!m) return;
      var p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
      if (p.x < x0 || p.x > x0 + pw) { hover.setAttribute('visibility', 'hidden'); return; }
      var parts = [], at = null;
      svg.querySelectorAll('g[data-series]').forEach(function (g) {
        var best = null;
        g.querySelectorAll('polyline').forEach(function (pl) {
          for (var i = 0; i < pl.points.numberOfItems; i++) {
            var q = pl.points.getItem(i);
            if (best === null || Math.abs(q.x - p.x) < Math.abs(best.x - p.x)) best = q;
          }
        });
        if (best === null) return;
        at = best.x;
        parts.push(g.getAttribute('data-series') + ' ≈' + value((y0 + ph - best.y) / ph * yTop, a[6]));
      });
      if (at === null) return;
      text.textContent = where((at - x0) / pw * xTop, a[7]) + ': ' + parts.join(', ');
      line.setAttribute('x1', at); line.setAttribute('x2', at);
      var w = text.getComputedTextLength() + 10, left = Math.min(Math.max(at - w / 2, x0), x0 + pw - w);
      text.setAttribute('x', left + 5); box.setAttribute('x', left); box.setAttribute('width', w);
      box.setAttribute('y', y0);
      hover.setAttribute('visibility', 'visible');
    });
  });
})();
//]]>"#;

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
        "<footer><p class=\"note\">Written by {} {} (results schema {}). Self-contained: this page fetches nothing.</p></footer><script>{SCRIPT}</script></body></html>",
        esc(&results.tool.name),
        esc(&results.tool.version),
        results.schema_version
    );
}
