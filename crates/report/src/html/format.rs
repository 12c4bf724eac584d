//! Figures as a person reads them in the HTML report, and escaping.
//!
//! Latencies carry their unit: milliseconds below one second (Caliper's `0.00` s hides
//! everything a fast SUT does), seconds above. Rates and counts have thousands separators.
//! Rates keep Caliper's one decimal, rounded as Caliper rounds (`toFixed`).

use std::borrow::Cow;

use crate::fixed::to_fixed;

/// What stands where a figure is undefined.
pub(crate) const NONE: &str = "-";

/// `text` with the five characters that mean something in HTML (and XML) escaped, so a
/// label, description or error message is shown as written and never read as markup.
pub(crate) fn esc(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A latency in seconds with its unit: `0.452 ms`, `12.3 ms`, `245 ms`, `1.25 s`.
pub(crate) fn latency(seconds: f64) -> String {
    if !seconds.is_finite() {
        return NONE.to_owned();
    }
    if seconds == 0.0 {
        return "0 ms".to_owned();
    }
    let ms = seconds * 1e3;
    // Three significant digits or so, whatever the magnitude.
    match ms.abs() {
        m if m < 1.0 => format!("{} ms", to_fixed(ms, 3)),
        m if m < 10.0 => format!("{} ms", to_fixed(ms, 2)),
        m if m < 100.0 => format!("{} ms", to_fixed(ms, 1)),
        m if m < 999.5 => format!("{} ms", to_fixed(ms, 0)),
        m if m < 100_000.0 => format!("{} s", group(&to_fixed(seconds, 2))),
        _ => format!("{} s", group(&to_fixed(seconds, 0))),
    }
}

/// An optional latency; `-` when undefined.
pub(crate) fn latency_opt(seconds: Option<f64>) -> String {
    seconds.map_or(NONE.to_owned(), latency)
}

/// A rate in tx/s as Caliper prints it (one decimal) with thousands separators, without
/// the unit (the column says it): `12,345.6`; `-` when undefined.
pub(crate) fn rate(value: Option<f64>) -> String {
    value.filter(|v| v.is_finite()).map_or(NONE.to_owned(), |v| group(&to_fixed(v, 1)))
}

/// A count with thousands separators: `1,234,567`.
pub(crate) fn count(n: u64) -> String {
    group(&n.to_string())
}

/// A number of bytes in MiB with one decimal: `7.5 MiB`.
pub(crate) fn mebibytes(bytes: u64) -> String {
    format!("{} MiB", group(&to_fixed(bytes as f64 / 1_048_576.0, 1)))
}

/// `digits` (an optional `-`, digits, an optional fraction) with a `,` every three digits of
/// the integer part.
pub(crate) fn group(digits: &str) -> String {
    let (sign, rest) = digits.strip_prefix('-').map_or(("", digits), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let mut out = String::with_capacity(digits.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A coordinate with at most one decimal and no trailing `.0`, to keep the SVG small.
pub(crate) fn coord(v: f64) -> f64 {
    let r = (v * 10.0).round() / 10.0;
    // -0 would print as "-0".
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_user_text() {
        assert_eq!(esc("</script><b>x"), "&lt;/script&gt;&lt;b&gt;x");
        assert_eq!(esc("a & 'b' \"c\""), "a &amp; &#39;b&#39; &quot;c&quot;");
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn latencies_are_in_milliseconds_below_a_second() {
        let cases = [
            (0.000_452, "0.452 ms"),
            (0.0, "0 ms"),
            (0.005, "5.00 ms"),
            (0.0123, "12.3 ms"),
            (0.2451, "245 ms"),
            (0.9996, "1.00 s"),
            (1.25, "1.25 s"),
            (3_600.0, "3,600 s"),
            (f64::NAN, "-"),
        ];
        for (s, want) in cases {
            assert_eq!(latency(s), want, "{s}");
        }
    }

    #[test]
    fn rates_and_counts_have_thousands_separators() {
        assert_eq!(rate(Some(1_234_567.25)), "1,234,567.3");
        assert_eq!(rate(Some(999.94)), "999.9");
        assert_eq!(rate(Some(-1234.0)), "-1,234.0");
        assert_eq!(rate(None), "-");
        assert_eq!(count(0), "0");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(123_456_789), "123,456,789");
        assert_eq!(mebibytes(7_864_320), "7.5 MiB");
    }

    #[test]
    fn coordinates_keep_one_decimal() {
        assert_eq!(coord(12.04).to_string(), "12");
        assert_eq!(coord(12.06).to_string(), "12.1");
        assert_eq!(coord(-0.01).to_string(), "0");
    }
}
