//! `caliper compare BASELINE.json CURRENT.json`: two results files side by side, with a verdict
//! in the exit code (0 pass, 1 regression or failed check, 2 bad input).

use std::io::Write as _;

use caliper_report::compare::{CompareOptions, compare_files};

use crate::args::{CompareArgs, Format};
use crate::exit;
use crate::logging::{self, LogStyle};

/// Runs the comparison; returns the exit code.
pub fn run(args: &CompareArgs) -> i32 {
    logging::init(LogStyle::Person, "info");
    let options = match CompareOptions::parse(&args.thresholds, &args.checks) {
        Ok(o) => o,
        Err(errors) => {
            for e in errors {
                tracing::error!("{e}");
            }
            return exit::CONFIG;
        }
    };
    let comparison = match compare_files(&args.baseline, &args.current, &options) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    let text = match args.format {
        Format::Table => comparison.to_table(),
        Format::Markdown => comparison.to_markdown(),
        Format::Json => comparison.to_json(),
    };
    let _ = writeln!(std::io::stdout(), "{}", text.trim_end());
    if comparison.passed { exit::OK } else { exit::REGRESSED }
}
