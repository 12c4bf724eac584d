//! Numbers as a person writes them in a threshold or a check: in the figure's unit, or with a
//! suffix that names one (`500ms`, `2s`, `1%`, `1pp`).

use super::figure::Unit;

/// The amount `text` in `unit`'s terms: seconds for latency (`ms` and `s` suffixes allowed),
/// hundredths for a ratio written with `%` or `pp`. The error says what was expected.
pub(crate) fn amount(text: &str, unit: Unit) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = match unit {
        Unit::Seconds => match (text.strip_suffix("ms"), text.strip_suffix('s')) {
            (Some(n), _) => (n, 1e-3),
            (None, Some(n)) => (n, 1.0),
            (None, None) => (text, 1.0),
        },
        Unit::Ratio => match text.strip_suffix('%').or_else(|| text.strip_suffix("pp")) {
            Some(n) => (n, 1e-2),
            None => (text, 1.0),
        },
        Unit::Rate | Unit::Count => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n * scale),
        _ => Err(format!("{}, got `{text}`", expected(unit))),
    }
}

/// What an amount in `unit` looks like.
pub(crate) fn expected(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "expected a number of seconds, or of milliseconds with `ms` (such as 0.5 or 500ms)",
        Unit::Rate => "expected a number of transactions per second (such as 900)",
        Unit::Ratio => "expected a ratio from 0 to 1, or per cent with `%` (such as 0.01 or 1%)",
        Unit::Count => "expected a number of transactions (such as 1000)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_name_the_unit() {
        assert_eq!(amount("2", Unit::Seconds), Ok(2.0));
        assert_eq!(amount("500ms", Unit::Seconds), Ok(0.5));
        assert_eq!(amount("1.5s", Unit::Seconds), Ok(1.5));
        assert_eq!(amount("1%", Unit::Ratio), Ok(0.01));
        assert_eq!(amount("2pp", Unit::Ratio), Ok(0.02));
        assert_eq!(amount("0.01", Unit::Ratio), Ok(0.01));
        assert_eq!(amount(" 900 ", Unit::Rate), Ok(900.0));
    }

    #[test]
    fn a_wrong_amount_says_what_was_expected() {
        let err = amount("fast", Unit::Seconds).unwrap_err();
        assert!(err.contains("seconds") && err.contains("`fast`"), "{err}");
        assert!(amount("500ms", Unit::Rate).unwrap_err().contains("transactions per second"));
        assert!(amount("1%", Unit::Seconds).is_err());
        assert!(amount("inf", Unit::Rate).is_err());
        assert!(amount("", Unit::Count).is_err());
    }
}
