//! `zero-rate`: no load at all, for a pause between rounds or a phase of a composite.
//!
//! It answers [`Pace::Idle`] at once, and the loop waits for the round's duration to end. A
//! txNumber round would never end, so it is rejected when the controller is built, with
//! Caliper's message. Caliper's version sleeps for the whole duration and then lets one
//! transaction through; this one sends none.

use serde_json::Value;

use super::opts::Opts;
use super::{Pace, RateContext, RateController, RateError, RoundView};

/// Sends nothing; takes no options; only for duration-based rounds.
#[derive(Debug, Clone, Copy)]
pub struct ZeroRate;

impl ZeroRate {
    /// Checks that `opts` is empty and that the round is duration-based.
    pub fn new(opts: &Value, ctx: &RateContext) -> Result<Self, RateError> {
        Opts::new("zero-rate", opts, &[])?;
        if ctx.tx_number.is_some() {
            return Err(RateError::Option {
                path: "type".into(),
                message: "zero-rate can only be applied for duration-based rounds".into(),
            });
        }
        Ok(Self)
    }
}

impl RateController for ZeroRate {
    fn next(&mut self, _view: &RoundView) -> Pace {
        Pace::Idle
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testutil::*;
    use super::super::{Pace, RoundView, build};

    #[test]
    fn sends_nothing_in_a_duration_round() {
        let mut c = build(&spec("zero-rate", serde_json::Value::Null), &ctx_secs(10, 1)).unwrap();
        assert_eq!(c.next(&RoundView::default()), Pace::Idle);
    }

    #[test]
    fn rejects_tx_number_rounds() {
        let err = build_err(&spec("zero-rate", json!({})), &ctx_tx(100, 1));
        assert_eq!(
            err.to_string(),
            "rateControl.type: zero-rate can only be applied for duration-based rounds"
        );
    }

    #[test]
    fn rejects_options() {
        let (path, message) = option_error(build_err(&spec("zero-rate", json!({"tps": 0})), &ctx_secs(1, 1)));
        assert_eq!(path, "opts.tps");
        assert!(message.contains("takes no options"), "{message}");
    }
}
