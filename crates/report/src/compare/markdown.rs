//! `--format markdown`: the comparison as a pull-request comment.

use super::Comparison;
use super::rows::{HEADER, describe, failures, rows, summary_line, warnings};

impl Comparison {
    /// GitHub-flavoured Markdown: a heading with the verdict, the two runs, the warnings as a
    /// quote, one table of every round's rows (failing verdicts in bold), what failed, and the
    /// summary line.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### caliper compare: {}\n\nBaseline: {}; current: {}.\n\n",
            if self.passed { "passed :white_check_mark:" } else { "FAILED :x:" },
            cell(&describe(&self.baseline)),
            cell(&describe(&self.current))
        );
        for w in warnings(self) {
            out.push_str(&format!("> **Warning:** {}\n", cell(&w)));
        }
        if !self.warnings.is_empty() {
            out.push('\n');
        }
        out.push_str(&line(HEADER.iter().map(|h| h.to_string())));
        out.push_str("|---|---|--:|--:|--:|--:|---|---|\n");
        for mut row in rows(self) {
            if matches!(row[7].as_str(), "REGRESSED" | "FAILED") {
                row[7] = format!("**{}**", row[7]);
            }
            out.push_str(&line(row.into_iter()));
        }
        let failed = failures(self);
        if !failed.is_empty() {
            out.push('\n');
            for f in failed {
                out.push_str(&format!("- {}\n", cell(&f)));
            }
        }
        out.push_str(&format!("\n{}\n", summary_line(self)));
        out
    }
}

/// A table line of these cells.
fn line(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| cell(&c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// Text that cannot break a table row: `|` escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use crate::compare::{CompareOptions, compare, sample};
    use crate::json::RoundResult;

    #[test]
    fn the_markdown_is_a_table_with_the_verdict_in_the_heading() {
        let base = sample::file(vec![sample::round("a|b")]);
        let cur = sample::file(vec![RoundResult {
            latency: sample::latency(0.005, 0.090),
            ..sample::round("a|b")
        }]);
        let c = compare(&base, &cur, &CompareOptions::default()).unwrap();
        let md = c.to_markdown();
        assert!(md.starts_with("### caliper compare: FAILED :x:\n"), "{md}");
        let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table[0], "| Round | Metric | Baseline | Current | Change | Change % | Limit | Verdict |");
        assert_eq!(table.len(), 2 + 7, "header, rule, status and six figures:\n{md}");
        assert!(
            table.contains(
                &"| a\\|b | latency.p99 | 9.00 ms | 90.00 ms | +81.00 ms | +900.0 % | +10% | **REGRESSED** |"
            ),
            "{md}"
        );
        // Every row has the header's number of cells.
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        assert!(table.iter().all(|l| cells(l) == 9), "{md}");
        assert!(md.contains("\n- regression: a\\|b: latency.p99 9.00 ms -> 90.00 ms"), "{md}");
        let same = compare(&base, &base, &CompareOptions::default()).unwrap().to_markdown();
        assert!(
            same.starts_with("### caliper compare: passed :white_check_mark:\n")
                && !same.contains("> **Warning")
        );
    }

    #[test]
    fn load_warnings_are_quoted_above_the_table() {
        let base = sample::file(vec![sample::round("open")]);
        let mut cur = base.clone();
        cur.run.workers = 4;
        let md = compare(&base, &cur, &CompareOptions::default()).unwrap().to_markdown();
        assert!(
            md.contains(
                "\n> **Warning:** different worker counts: 1 in the baseline, 4 in the current run\n"
            ),
            "{md}"
        );
    }
}
