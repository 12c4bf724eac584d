//! The HTML report after real runs on the sim connector: every round's section, charts and
//! figures equal to results.json's; nothing fetched; and, where Chromium is installed
//! (`scripts/test.sh` installs it), the page rendered headless with networking off: no
//! console error, every round and chart in the DOM, values under the pointer from the page's
//! script, a screenshot that is not blank.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// A label and a description that would break the page if not escaped.
const EVIL: &str = "q</script><b>x";

fn two_rounds() -> String {
    format!(
        r#"
test:
  name: report-html
  description: "two rounds & a <label>"
  workers: {{ number: 2 }}
  rounds:
    - label: write
      description: open accounts
      txNumber: 400
      rateControl: {{ type: fixed-rate, opts: {{ tps: 200 }} }}
      workload: {{ module: sim-mix, arguments: {{ keys: 50, mix: {{ write: 1 }} }} }}
    - label: "{EVIL}"
      description: "{EVIL}"
      txDuration: 2
      rateControl: {{ type: fixed-rate, opts: {{ tps: 200 }} }}
      workload: {{ module: sim-mix, arguments: {{ keys: 50, mix: {{ read: 1 }} }} }}
"#
    )
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    roxmltree::Document::parse_with_options(html, options).expect("report.html is well-formed")
}

/// The text of a node and everything in it.
fn text(node: roxmltree::Node) -> String {
    node.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()
}

fn by_id<'a, 'i>(doc: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap_or_else(|| panic!("no #{id}"))
}

/// The cells of the rows of the first table of class `class` under `node`.
fn rows(node: roxmltree::Node, class: &str) -> Vec<Vec<String>> {
    let table = node
        .descendants()
        .find(|n| n.has_tag_name("table") && n.attribute("class") == Some(class))
        .unwrap_or_else(|| panic!("no table {class}"));
    let body = table.descendants().find(|n| n.has_tag_name("tbody")).expect("tbody");
    body.children()
        .filter(|r| r.has_tag_name("tr"))
        .map(|r| r.children().filter(|c| c.has_tag_name("td")).map(text).collect())
        .collect()
}

/// The number of points of series `name` in a chart (over all its polylines).
fn points(chart: roxmltree::Node, name: &str) -> usize {
    let series = chart
        .descendants()
        .find(|n| n.attribute("data-series") == Some(name))
        .unwrap_or_else(|| panic!("no series {name}"));
    series
        .children()
        .filter(|p| p.has_tag_name("polyline"))
        .map(|p| p.attribute("points").unwrap_or("").split_whitespace().count())
        .sum()
}

/// A count as the report shows it: `1,234`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate as the report shows it: one decimal, thousands separators.
fn rate(v: &Value) -> String {
    let v = v.as_f64().expect("a rate");
    let fixed = format!("{v:.1}");
    let (int, frac) = fixed.split_once('.').unwrap();
    format!("{}.{frac}", grouped(int.parse().unwrap()))
}

#[test]
fn the_report_shows_every_round_with_the_figures_of_results_json() {
    let ws =
        Workspace::new(&two_rounds(), &sim_network("latency: { fixed: 3 }, failureRatio: 0.2, seed: 11"));
    let out = ws.run(&[], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", show(&out));
    let results = ws.results();
    let html = std::fs::read_to_string(ws.file("report.html")).expect("report.html is written");
    let doc = parse(&html);

    // The run and the summary table: Caliper's columns, the figures of results.json.
    assert!(text(doc.root()).contains("two rounds & a <label>"), "the description, unescaped by the parser");
    let summary = rows(by_id(&doc, "summary").parent().unwrap(), "summary");
    assert_eq!(summary.len(), 2);
    for (i, r) in rounds(&results).iter().enumerate() {
        let row = &summary[i];
        assert_eq!(row[0], r["label"].as_str().unwrap());
        assert_eq!(row[1], grouped(r["succ"].as_u64().unwrap()), "Succ of round {i}");
        assert_eq!(row[2], grouped(r["fail"].as_u64().unwrap()), "Fail of round {i}");
        assert_eq!(row[3], rate(&r["sendRate"]), "Send Rate of round {i}");
        assert_eq!(row[7], rate(&r["throughput"]), "Throughput of round {i}");
        assert_eq!(row[11], "passed");
        assert!(r["fail"].as_u64().unwrap() > 0, "sim.failureRatio fails some: {r}");

        // The round's section: its heading, configuration, four charts, failures, workers.
        let section = by_id(&doc, &format!("round-{i}"));
        let heading = section.children().find(|n| n.has_tag_name("h2")).expect("h2");
        assert!(text(heading).contains(r["label"].as_str().unwrap()), "{}", text(heading));
        let charts: Vec<_> = section.descendants().filter(|n| n.has_tag_name("svg")).collect();
        assert_eq!(charts.len(), 4, "rates, latency, in flight, distribution");
        let series = r["series"].as_array().unwrap();
        assert!(series.len() >= 2, "{r}");
        for name in ["submitted/s", "finished/s (succ+fail)", "failed/s"] {
            assert_eq!(points(charts[0], name), series.len(), "{name}: one point a second");
        }
        let with_latency = series.iter().filter(|p| p["latencyP50"].is_f64()).count();
        assert_eq!(points(charts[1], "p50"), with_latency);
        assert_eq!(points(charts[1], "p99"), with_latency);
        assert_eq!(points(charts[2], "in flight"), series.len());
        assert!(points(charts[3], "latency") >= 10, "a percentile curve from the histogram");
        let failures = rows(section, "failures");
        assert_eq!(failures[0][0], "rejected");
        assert_eq!(failures[0][1], grouped(r["failures"]["rejected"].as_u64().unwrap()));
        let workers = rows(section, "workers");
        assert_eq!(workers.len(), 2);
        for (w, cells) in r["workers"].as_array().unwrap().iter().zip(&workers) {
            assert_eq!(cells[1], grouped(w["submitted"].as_u64().unwrap()));
        }
        let config = text(section);
        assert!(config.contains("fixed-rate") && config.contains("sim-mix"), "the configuration is shown");
    }
    // The label that looks like markup is text, not markup.
    assert!(!html.contains("<b>x") && html.contains("q&lt;/script&gt;&lt;b&gt;x"));

    // Nothing is fetched: no URL but the SVG namespace, no script, style sheet or image.
    let outside = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    assert!(!outside.contains("http://") && !outside.contains("https://"));
    for fetching in ["src=", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!outside.contains(fetching), "{fetching}");
    }

    in_chromium(&ws.file("report.html"), &results, ws.path());
}

/// Chromium: `CALIPER_CHROMIUM_BIN`, else the first of its names on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("CALIPER_CHROMIUM_BIN") {
        return Some(PathBuf::from(bin));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium-headless-shell", "chrome-headless-shell", "chromium"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Headless Chromium on `page` with networking off (a dead proxy, no name resolution) and
/// its console on stderr; returns stdout and stderr.
fn run_chromium(bin: &Path, page: &Path, profile: &Path, action: &str) -> (String, String) {
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2000",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let out = wait_output(child, Duration::from_secs(60));
    assert!(out.status.success(), "chromium {action}: {}", show(&out));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn in_chromium(page: &Path, results: &Value, dir: &Path) {
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED the browser part: no Chromium (set CALIPER_CHROMIUM_BIN, or install Debian's \
             chromium-headless-shell as scripts/test.sh does)"
        );
        return;
    };
    let start = Instant::now();
    let (dom, log) = run_chromium(&bin, page, &dir.join("profile-dom"), "--dump-dom");
    let console: Vec<&str> =
        log.lines().filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    for r in rounds(results) {
        let label = r["label"].as_str().unwrap().replace('<', "&lt;").replace('>', "&gt;");
        assert!(dom.contains(&format!("Round {}: {label}", r["index"])), "round {} in the DOM", r["index"]);
    }
    assert_eq!(dom.matches("<svg").count(), 8, "every chart is in the DOM");
    assert_eq!(dom.matches("<polyline").count(), html_polylines(page));

    // The page's own script shows the values under the pointer: move it over every chart.
    let html = std::fs::read_to_string(page).unwrap();
    let hovered = dir.join("hovered.html");
    std::fs::write(&hovered, html.replace("</body>", HOVER)).unwrap();
    let (dom, log) = run_chromium(&bin, &hovered, &dir.join("profile-hover"), "--dump-dom");
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    assert_eq!(
        dom.matches(r#"<g class="hover" visibility="visible""#).count(),
        8,
        "every chart shows values"
    );
    assert!(dom.contains("submitted/s \u{2248}") && dom.contains("p99 \u{2248}"), "values under the pointer");

    let png = dir.join("report.png");
    let screenshot = format!("--screenshot={}", png.display());
    run_chromium(&bin, page, &dir.join("profile-shot"), &screenshot);
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    // A blank 1280 x 2000 page compresses to a few KB; tables and charts take far more.
    assert!(bytes.len() > 30_000, "the screenshot is not blank: {} bytes", bytes.len());
    if let Some(keep) = std::env::var_os("CALIPER_REPORT_SCREENSHOT") {
        std::fs::copy(&png, keep).expect("screenshot kept");
    }
    eprintln!("chromium {} rendered the report in {:?}", bin.display(), start.elapsed());
}

/// Moves the pointer to the middle of every chart once the page has loaded.
const HOVER: &str = r#"<script>
window.addEventListener('load', function () {
  document.querySelectorAll('svg[data-axes]').forEach(function (svg) {
    var r = svg.getBoundingClientRect();
    svg.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 }));
  });
});
</script></body>"#;

fn html_polylines(page: &Path) -> usize {
    std::fs::read_to_string(page).unwrap().matches("<polyline").count()
}

/// A short round that passes, a long one to interrupt, and one that never runs.
const INTERRUPTED: &str = r#"
test:
  workers: { number: 2 }
  rounds:
    - { label: short, txNumber: 100, rateControl: { type: fixed-rate, opts: { tps: 200 } }, workload: { module: sim-mix } }
    - { label: long, txDuration: 30, rateControl: { type: fixed-rate, opts: { tps: 200 } }, workload: { module: sim-mix } }
    - { label: never, txNumber: 10, rateControl: { type: fixed-rate, opts: { tps: 100 } }, workload: { module: sim-mix } }
"#;

#[test]
fn an_interrupted_run_still_leaves_its_report() {
    let ws = Workspace::new(INTERRUPTED, &sim_network("latency: { fixed: 2 }"));
    let child = ws.manager(&[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Interrupt once the long round has run a while (the short one takes half a second).
    std::thread::sleep(Duration::from_secs(5));
    signal(child.id(), "INT");
    let out = wait_output(child, Duration::from_secs(20));
    assert_eq!(code(&out), 130, "{}", show(&out));
    let html = std::fs::read_to_string(ws.file("report.html")).expect("report.html is written");
    let doc = parse(&html);
    assert!(html.contains("The run was interrupted"));
    let status: Vec<String> = rows(by_id(&doc, "summary").parent().unwrap(), "summary")
        .into_iter()
        .map(|row| row[11].clone())
        .collect();
    assert_eq!(status, ["passed", "failed", "not run"]);
    for (i, what) in [(0, "Round 0: short (passed)"), (1, "Round 1: long (failed)")] {
        let section = by_id(&doc, &format!("round-{i}"));
        assert!(text(section).contains(what), "{}", text(section));
        assert_eq!(section.descendants().filter(|n| n.has_tag_name("svg")).count(), 4, "what ran is charted");
    }
    let never = by_id(&doc, "round-2");
    assert!(text(never).contains("(not run)") && text(never).contains("Did not run"), "{}", text(never));
}

#[test]
fn a_report_that_cannot_be_written_loses_nothing_else() {
    let bench = r#"
test:
  workers: { number: 1 }
  rounds:
    - label: only
      txNumber: 20
      rateControl: { type: fixed-rate, opts: { tps: 100 } }
      workload: { module: sim-mix }
"#;
    // The path is writable when the run is checked (an unwritable one is refused then); the
    // end command, which runs before the reports are written, puts a file where its folder was.
    let network = "caliper:\n  blockchain: sim\n  command:\n    end: rm -rf blocker && echo 'a file, not a folder' > blocker\nsim: { latency: { fixed: 1 } }\n";
    let ws = Workspace::new(bench, network);
    let out = ws.run(&["--caliper-report-path", "blocker/report.html"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "the run passed: {}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write the report") && stderr.contains("blocker"), "{stderr}");
    assert_eq!(rounds(&ws.results())[0]["succ"], 20, "results.json is written");
}
