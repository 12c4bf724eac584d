//! The HTML report: one self-contained page a person opens offline after a run.
//!
//! The page is built from a [`ResultsFile`], the same figures as `results.json`, so the two
//! never disagree; the run's merged histograms add the latency distribution's full curve.
//! Tables are plain HTML and charts are inline SVG drawn here ([`svg`]); the page loads
//! nothing (no CDN, font, script or image), so it reads in a CI artifact viewer that blocks
//! scripts and inline styles. Every user-provided text is escaped.
//!
//! | file | holds |
//! |---|---|
//! | `page.rs` | the document around the sections: head, CSS, navigation |
//! | `sections.rs` | the run, the summary table, each round's section |
//! | `svg.rs` | the line charts |
//! | `timeline.rs` | the lines of the charts over time, in windows for long rounds |
//! | `distribution.rs` | the latency percentile curve |
//! | `format.rs` | units, thousands separators, escaping |

mod distribution;
mod format;
mod page;
mod peak;
mod sections;
mod svg;
mod timeline;

use std::path::Path;

use caliper_core::manager::RunOutcome;

use crate::error::ReportError;
use crate::json::{ResultsFile, write_atomically};
use distribution::Curve;

/// The HTML report of a run.
#[derive(Debug, Clone)]
pub struct HtmlReport<'a> {
    results: &'a ResultsFile,
    /// The percentile curve of each round's successful transactions, by position in
    /// `results.rounds`; `None` where no histogram is at hand (the chart then goes through the
    /// round's percentiles).
    curves: Vec<Option<Curve>>,
}

impl<'a> HtmlReport<'a> {
    /// The report of `results` alone (for example a results file read back): the latency
    /// distribution is drawn through each round's percentiles.
    pub fn new(results: &'a ResultsFile) -> Self {
        HtmlReport { results, curves: Vec::new() }
    }

    /// The report of `results`, which were made from `run` by [`ResultsFile::from_outcome`]:
    /// the latency distribution is drawn from each round's merged histogram.
    pub fn with_run(results: &'a ResultsFile, run: &RunOutcome) -> Self {
        let curves = run
            .rounds
            .iter()
            .map(|r| r.merged.as_ref().and_then(|m| distribution::from_histogram(&m.histograms.successful)))
            .collect();
        HtmlReport { results, curves }
    }

    /// The page.
    pub fn render(&self) -> String {
        // About 20 KB of charts per round of a few minutes.
        let mut out = String::with_capacity(16_384 + 32_768 * self.results.rounds.len());
        page::head(&mut out, self.results);
        sections::run_info(&mut out, self.results);
        sections::summary(&mut out, &self.results.rounds);
        for (i, round) in self.results.rounds.iter().enumerate() {
            sections::round(&mut out, round, self.curves.get(i).and_then(Option::as_ref));
        }
        sections::benchmark(&mut out, &self.results.benchmark);
        page::foot(&mut out, self.results);
        out
    }

    /// Writes the page to `path`, atomically (as the results file is written): missing
    /// folders are created, and `path` holds either the previous page or the whole new one.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        write_atomically(path, self.render().as_bytes())
    }
}

/// Writes the HTML report of `run` to `path` (see [`HtmlReport::write`]).
pub fn write_html(path: impl AsRef<Path>, run: &RunOutcome) -> Result<(), ReportError> {
    let results = ResultsFile::from_outcome(run);
    HtmlReport::with_run(&results, run).write(path.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn page(run: &RunOutcome) -> String {
        HtmlReport::with_run(&ResultsFile::from_outcome(run), run).render()
    }

    /// The text of every cell of the table of class `class` (the first one), by row.
    fn cells(doc: &roxmltree::Document, class: &str) -> Vec<Vec<String>> {
        let table =
            doc.descendants().find(|n| n.has_tag_name("table") && n.attribute("class") == Some(class));
        let body = table.expect("table").descendants().find(|n| n.has_tag_name("tbody")).expect("tbody");
        body.children()
            .filter(|r| r.has_tag_name("tr"))
            .map(|r| {
                r.children()
                    .filter(|c| c.has_tag_name("td"))
                    .map(|c| c.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_page_is_well_formed_and_shows_every_round() {
        let run = fixture::run();
        let html = page(&run);
        let doc = roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .expect("the page is well-formed XML");
        for i in 0..3 {
            assert!(doc.descendants().any(|n| n.attribute("id") == Some(&format!("round-{i}"))), "round {i}");
        }
        let summary = cells(&doc, "summary");
        assert_eq!(summary.len(), 3);
        assert_eq!(summary[0][..4], ["open", "20", "0", "21.1"]);
        assert_eq!(summary[0][7], "17.4", "throughput");
        assert_eq!(summary[0][4..7], ["200 ms", "100 ms", "173 ms"], "max, min, avg latency");
        assert_eq!(summary[1][1..3], ["0", "4"]);
        assert_eq!(summary[2][11], "not run");
        // Charts: three over time and one distribution per round that ran; none for the other.
        let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
        assert_eq!(svgs, 8);
        // The secret of the fixture's info is redacted, as in results.json.
        assert!(!html.contains("hunter2") && !html.contains("deadbeef"));
        assert!(html.contains("The run was interrupted"));
        assert!(html.contains("worker 1 was lost") && html.contains("no message for 10 s"));
    }

    #[test]
    fn a_peak_search_shows_its_curve_and_every_step() {
        let mut run = fixture::run();
        run.rounds[0].peak_search = Some(fixture::peak_search());
        let html = page(&run);
        let doc = roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .expect("the page is well-formed XML");
        let steps = cells(&doc, "steps");
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[1][..2], ["1", "80.0"]);
        assert_eq!(steps[1][10], "broke latency.p99: 0.2000 s > 0.05 s");
        assert_eq!(steps[2][10], "held (peak)");
        assert!(html.contains("The highest rate that held every limit: <strong>60.0 tx/s</strong>"));
        // Two curves against the rate offered, on top of the eight charts of the fixture.
        let svgs: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("svg")).collect();
        assert_eq!(svgs.len(), 10);
        let curve =
            svgs.iter().find(|s| s.attribute("data-axes").is_some_and(|a| a.ends_with(" r"))).unwrap();
        // Points in order of the rate offered: 40, 60, 80.
        let line = curve.descendants().find(|n| n.has_tag_name("polyline")).unwrap();
        let xs: Vec<f64> = line
            .attribute("points")
            .unwrap()
            .split(' ')
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]) && xs.len() == 3, "{xs:?}");
    }

    #[test]
    fn the_page_fetches_nothing() {
        let html = page(&fixture::run());
        let outside = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
        assert!(!outside.contains("http://") && !outside.contains("https://"), "{outside}");
        for fetching in ["src=", "<link", "<img", "<iframe", "@import", "url("] {
            assert!(!outside.contains(fetching), "{fetching}");
        }
    }

    #[test]
    fn user_text_is_escaped_everywhere() {
        let mut run = fixture::run();
        let evil = "</script><b>x";
        run.name = evil.to_owned();
        run.description = Some(evil.to_owned());
        run.error = Some(evil.to_owned());
        run.info.insert(evil.to_owned(), evil.into());
        run.rounds[0].label = evil.to_owned();
        run.rounds[0].description = Some(evil.to_owned());
        run.rounds[0].config["workload"]["arguments"]["x"] = evil.into();
        run.rounds[1].status = caliper_core::manager::RoundStatus::Failed { error: evil.to_owned() };
        let html = page(&run);
        assert!(!html.contains("<b>x"), "nothing is read as markup");
        assert_eq!(html.matches("</script>").count(), 1, "only the page's own script ends");
        assert!(html.contains("&lt;/script&gt;&lt;b&gt;x"));
        roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .expect("still well-formed");
    }

    #[test]
    fn a_results_file_alone_draws_the_distribution_through_its_percentiles() {
        let results = ResultsFile::from_outcome(&fixture::run());
        let html = HtmlReport::new(&results).render();
        assert!(html.contains("through the round&#39;s percentiles"), "{html}");
        assert!(page(&fixture::run()).contains("from the histogram of every one"));
    }

    #[test]
    fn an_unwritable_path_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "not a folder").unwrap();
        let err = write_html(blocker.join("report.html"), &fixture::run()).unwrap_err();
        assert!(matches!(err, ReportError::Io { action: "create folder", .. }), "{err}");
        let path = dir.path().join("out/report.html");
        write_html(&path, &fixture::run()).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("<!DOCTYPE html>"));
        if let Ok(sample) = std::env::var("CALIPER_HTML_SAMPLE") {
            std::fs::copy(&path, sample).unwrap();
        }
    }
}
