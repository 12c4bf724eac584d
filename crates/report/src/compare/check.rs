//! Absolute checks on the current run, in k6's threshold syntax: `p(99)<2`, `throughput>=900`,
//! `failRate<0.01`, optionally for one round label: `open:p(95)<0.5`.

use super::CompareError;
use super::amount::amount;
use super::figure::{FIGURE_NAMES, Figure};
use super::verdict::Verdict;

/// A comparison operator of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==` (or k6's `===`)
    Eq,
    /// `!=`
    Ne,
}

/// The operators, longest first so that `<=` is not read as `<`.
const OPS: [(&str, Op); 7] = [
    ("===", Op::Eq),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("<", Op::Lt),
    (">", Op::Gt),
];

/// An absolute check: `[LABEL:]FIGURE OP VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The check as given.
    pub text: String,
    /// The round label it is limited to; every round of the current run when `None`.
    pub label: Option<String>,
    /// The figure it reads.
    pub figure: Figure,
    /// The operator.
    pub op: Op,
    /// The value, in the figure's unit (seconds, tx/s, a ratio, transactions).
    pub value: f64,
}

impl Check {
    /// Parses `[LABEL:]FIGURE OP VALUE`. FIGURE is a results-file name (`latency.p95`,
    /// `throughput`, `sendRate`, `failRate`, `succ`, `fail`) or k6's latency aggregation (`p(95)`,
    /// `med`, `avg`, `min`, `max`); OP one of `<`, `<=`, `>`, `>=`, `==`, `!=`; VALUE a number in the
    /// figure's unit (seconds, or `500ms`; tx/s; a ratio, or `1%`).
    pub fn parse(text: &str) -> Result<Check, CompareError> {
        let err = |expected: String| CompareError::Check { text: text.to_owned(), expected };
        // The expression has no colon, so the last one ends the label (which may have its own).
        let (label, expr) = match text.rsplit_once(':') {
            Some((label, expr)) if label.trim().is_empty() => {
                return Err(err(format!("expected a round label before `:{expr}`")));
            }
            Some((label, expr)) => (Some(label.trim().to_owned()), expr),
            None => (None, text),
        };
        let Some(at) = expr.find(['<', '>', '=', '!']) else {
            return Err(err(
                "expected [LABEL:]FIGURE OP VALUE with OP one of <, <=, >, >=, ==, != (such as p(99)<2)"
                    .to_owned(),
            ));
        };
        let (name, rest) = expr.split_at(at);
        let Some((op_text, op)) = OPS.iter().find(|(t, _)| rest.starts_with(t)) else {
            return Err(err(format!("expected an operator <, <=, >, >=, == or != after `{}`", name.trim())));
        };
        let figure = Figure::parse(name).ok_or_else(|| {
            err(format!("unknown figure `{}`; expected one of {FIGURE_NAMES}", name.trim()))
        })?;
        let value = amount(&rest[op_text.len()..], figure.unit())
            .map_err(|e| err(format!("{e} after `{op_text}`")))?;
        Ok(Check { text: text.trim().to_owned(), label, figure, op: *op, value })
    }

    /// Whether the check applies to a round with this label.
    pub fn applies_to(&self, label: &str) -> bool {
        self.label.as_deref().is_none_or(|l| l == label)
    }

    /// `Ok` when `value` satisfies the check; `Failed` when it does not or is missing (the
    /// round has no such figure: a check that cannot be verified does not hold).
    pub fn verdict(&self, value: Option<f64>) -> Verdict {
        let holds = value.is_some_and(|v| match self.op {
            Op::Lt => v < self.value,
            Op::Le => v <= self.value,
            Op::Gt => v > self.value,
            Op::Ge => v >= self.value,
            Op::Eq => v == self.value,
            Op::Ne => v != self.value,
        });
        if holds { Verdict::Ok } else { Verdict::Failed }
    }

    /// The limit as a person reads it, in the figure's unit: `< 2.000 s`, `>= 900.0 tx/s`.
    pub fn limit_text(&self) -> String {
        let op = match self.op {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        };
        format!("{op} {}", self.figure.unit().show(self.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::figure::LatencyStat;

    fn parse(text: &str) -> Check {
        Check::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        Check::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn k6_expressions_parse_with_units_and_labels() {
        let c = parse("p(99)<2");
        assert_eq!(
            (c.label, c.figure, c.op, c.value),
            (None, Figure::Latency(LatencyStat::P99), Op::Lt, 2.0)
        );
        let c = parse("open:p(95) < 500ms");
        assert_eq!((c.label.as_deref(), c.op, c.value), (Some("open"), Op::Lt, 0.5));
        assert_eq!(parse("throughput>=900").op, Op::Ge);
        assert_eq!(parse("failRate<1%").value, 0.01);
        assert_eq!(parse("fail===0").op, Op::Eq);
        assert_eq!(parse("a:b:avg!=0").label.as_deref(), Some("a:b"));
        assert_eq!(parse("med<=0.1").figure, Figure::Latency(LatencyStat::P50));
    }

    #[test]
    fn bad_checks_say_what_was_expected() {
        assert!(error("p(99)").contains("expected [LABEL:]FIGURE OP VALUE"), "{}", error("p(99)"));
        assert!(error("p(99)=>2").contains("expected an operator"), "{}", error("p(99)=>2"));
        let e = error("p(97)<2");
        assert!(e.contains("unknown figure `p(97)`") && e.contains("p(99.9)"), "{e}");
        let e = error("p(99)<fast");
        assert!(e.starts_with("check `p(99)<fast`: ") && e.contains("seconds"), "{e}");
        assert!(error(":p(99)<2").contains("round label"), "{}", error(":p(99)<2"));
        assert!(error("throughput>1%").contains("transactions per second"));
    }

    #[test]
    fn checks_hold_or_fail_and_a_missing_figure_fails() {
        let c = parse("p(99)<2");
        assert_eq!(c.verdict(Some(1.9)), Verdict::Ok);
        assert_eq!(c.verdict(Some(2.0)), Verdict::Failed);
        assert_eq!(c.verdict(None), Verdict::Failed);
        assert_eq!(parse("throughput>=900").verdict(Some(900.0)), Verdict::Ok);
        assert_eq!(parse("fail==0").verdict(Some(1.0)), Verdict::Failed);
        assert!(parse("open:avg<1").applies_to("open") && !parse("open:avg<1").applies_to("query"));
        assert!(parse("avg<1").applies_to("query"));
        assert_eq!(parse("p(95)<0.5").limit_text(), "< 500.00 ms");
    }
}
