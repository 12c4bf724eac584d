//! `--format table`: the comparison as a console table in Caliper's style.

use super::Comparison;
use super::rows::{HEADER, describe, failures, rows, summary_line, warnings};
use crate::console::{RAMAC_COMPACT, render_table_in};

impl Comparison {
    /// The console output: a title naming both runs, one table of every round's rows, the
    /// warnings, what failed, and the summary line.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "### Comparison ###\nbaseline: {}\ncurrent:  {}\n",
            describe(&self.baseline),
            describe(&self.current)
        );
        // One line per row: a round has several, and Caliper's line between rows would double them.
        out.push_str(&render_table_in(RAMAC_COMPACT, &HEADER, rows(self)));
        out.push('\n');
        for w in warnings(self) {
            out.push_str(&format!("warning: {w}\n"));
        }
        for f in failures(self) {
            out.push_str(&format!("{f}\n"));
        }
        out.push_str(&summary_line(self));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::compare::{CompareOptions, compare, sample};
    use crate::json::RoundResult;

    #[test]
    fn the_table_has_a_row_per_figure_with_its_verdict_and_a_summary() {
        let base = sample::file(vec![sample::round("open")]);
        let mut slow = RoundResult { latency: sample::latency(0.005, 0.090), ..sample::round("open") };
        slow.send_rate = Some(80.0);
        let cur = sample::file(vec![slow]);
        let options = CompareOptions::parse(&[] as &[&str], &["p(99)<50ms"]).unwrap();
        let text = compare(&base, &cur, &options).unwrap().to_table();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "### Comparison ###");
        let row = |metric: &str| -> Vec<&str> {
            let line = lines
                .iter()
                .find(|l| l.contains(&format!("| {metric} ")))
                .unwrap_or_else(|| panic!("{text}"));
            line.trim_matches('|').split('|').map(str::trim).collect()
        };
        assert_eq!(
            row("latency.p99"),
            ["open", "latency.p99", "9.00 ms", "90.00 ms", "+81.00 ms", "+900.0 %", "+10%", "REGRESSED"]
        );
        assert_eq!(
            row("latency.p50"),
            ["open", "latency.p50", "5.00 ms", "5.00 ms", "+0.00 ms", "+0.0 %", "+10%", "ok"]
        );
        assert_eq!(row("sendRate")[7], "REGRESSED");
        assert_eq!(row("failRate")[2..], ["0.00 %", "0.00 %", "+0.00 pp", "-", "+1pp", "ok"]);
        assert_eq!(row("status")[2..4], ["passed", "passed"]);
        assert_eq!(row("check p(99)<50ms")[3..], ["90.00 ms", "", "", "< 50.00 ms", "FAILED"]);
        assert!(text.contains("\nwarning: open: the send rate differs by -20.0 %"), "{text}");
        assert!(
            text.contains("\nregression: open: latency.p99 9.00 ms -> 90.00 ms (+900.0 %, limit +10%)\n"),
            "{text}"
        );
        assert!(text.contains("\nfailed check: open: p(99)<50ms does not hold: 90.00 ms\n"), "{text}");
        assert!(text.ends_with("FAILED: 1 round(s) compared, 0 added, 0 removed; 3 regression(s), 0 improvement(s); 1 of 1 check(s) failed; 1 load warning(s)"), "{text}");
    }
}
