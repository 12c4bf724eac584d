//! Caliper's formatting of monitor tables: byte columns normalised to one unit, numbers with
//! `caliper-report-precision` significant digits (JavaScript's `toPrecision`), and the
//! statistics a column or series is reduced with.

/// What is printed where a value is unknown.
pub(crate) const NONE: &str = "-";

/// `x.toPrecision(digits)` as JavaScript writes it: fixed notation unless the exponent is
/// below -6 or at least `digits`, then `1.23e+4`. `digits` is clamped to 1..=100.
pub(crate) fn to_precision(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned();
    }
    let digits = digits.clamp(1, 100);
    if x == 0.0 {
        return if digits == 1 { "0".to_owned() } else { format!("0.{}", "0".repeat(digits - 1)) };
    }
    // Rounding to `digits` significant digits first gives the exponent JavaScript uses
    // (9.996.toPrecision(3) is "10.0", exponent 1).
    let sci = format!("{:.*e}", digits - 1, x);
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if exponent < -6 || exponent >= digits as i32 {
        let sign = if exponent < 0 { "-" } else { "+" };
        return format!("{mantissa}e{sign}{}", exponent.abs());
    }
    let decimals = (digits as i32 - 1 - exponent).max(0) as usize;
    format!("{x:.decimals$}")
}

/// The unit of a byte column: chosen from its largest value, base 1024, as Caliper does.
pub(crate) fn byte_unit(max: f64) -> (&'static str, f64) {
    const KB: f64 = 1024.0;
    if max > KB * KB * KB {
        ("GB", KB * KB * KB)
    } else if max > KB * KB {
        ("MB", KB * KB)
    } else if max > KB {
        ("KB", KB)
    } else {
        ("B", 1.0)
    }
}

/// A byte column normalised as Caliper does: the header gets the unit of the column's largest
/// value (`Memory(max) [MB]`), the values are divided by it and written with `precision`
/// significant digits; an unknown value is `-`.
pub(crate) fn byte_column(header: &str, values: &[Option<f64>], precision: usize) -> (String, Vec<String>) {
    let max = values.iter().flatten().copied().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    let (unit, divisor) = byte_unit(max);
    let cells = values
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() => to_precision(v / divisor, precision),
            _ => NONE.to_owned(),
        })
        .collect();
    (format!("{header} [{unit}]"), cells)
}

/// How values are reduced to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Statistic {
    /// The mean.
    Avg,
    /// The largest.
    Max,
    /// The smallest.
    Min,
    /// The total.
    Sum,
}

impl Statistic {
    /// The names accepted in the options.
    pub(crate) const NAMES: &'static [&'static str] = &["avg", "max", "min", "sum"];

    /// The statistic named `name`.
    pub(crate) fn parse(name: &str) -> Option<Statistic> {
        match name {
            "avg" => Some(Statistic::Avg),
            "max" => Some(Statistic::Max),
            "min" => Some(Statistic::Min),
            "sum" => Some(Statistic::Sum),
            _ => None,
        }
    }

    /// The statistic of `values`, ignoring values that are not numbers (`NaN`); `None` when
    /// none is left.
    pub(crate) fn of(self, values: impl IntoIterator<Item = f64>) -> Option<f64> {
        let values: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        if values.is_empty() {
            return None;
        }
        Some(match self {
            Statistic::Avg => values.iter().sum::<f64>() / values.len() as f64,
            Statistic::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Statistic::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
            Statistic::Sum => values.iter().sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Statistic, byte_column, to_precision};

    #[test]
    fn to_precision_writes_what_javascript_writes() {
        assert_eq!(to_precision(12.345, 3), "12.3");
        assert_eq!(to_precision(0.5, 3), "0.500");
        assert_eq!(to_precision(1234.5, 3), "1.23e+3");
        assert_eq!(to_precision(9.996, 3), "10.0");
        assert_eq!(to_precision(0.000_000_123_4, 3), "1.23e-7");
        assert_eq!(to_precision(0.000_123_4, 3), "0.000123");
        assert_eq!(to_precision(0.0, 3), "0.00");
        assert_eq!(to_precision(-2.5, 2), "-2.5");
        assert_eq!(to_precision(100.0, 3), "100");
        assert_eq!(to_precision(f64::NAN, 3), "NaN");
    }

    #[test]
    fn a_byte_column_takes_the_unit_of_its_largest_value() {
        let mib = 1024.0 * 1024.0;
        let (header, cells) = byte_column("Memory(max)", &[Some(3.5 * mib), Some(512.0 * 1024.0), None], 3);
        assert_eq!(header, "Memory(max) [MB]");
        assert_eq!(cells, ["3.50", "0.500", "-"]);
        let (header, cells) = byte_column("Memory(avg)", &[Some(1000.0)], 3);
        assert_eq!((header.as_str(), cells[0].as_str()), ("Memory(avg) [B]", "1.00e+3"));
        let (header, _) = byte_column("Disc Read", &[Some(2.0 * 1024.0 * mib)], 3);
        assert_eq!(header, "Disc Read [GB]");
        let (header, cells) = byte_column("Memory(max)", &[None], 3);
        assert_eq!((header.as_str(), cells[0].as_str()), ("Memory(max) [B]", "-"));
    }

    #[test]
    fn statistics_skip_nan_and_say_when_nothing_is_left() {
        let v = [1.0, 4.0, f64::NAN, 7.0];
        assert_eq!(Statistic::Avg.of(v), Some(4.0));
        assert_eq!(Statistic::Max.of(v), Some(7.0));
        assert_eq!(Statistic::Min.of(v), Some(1.0));
        assert_eq!(Statistic::Sum.of(v), Some(12.0));
        assert_eq!(Statistic::Avg.of([f64::NAN]), None);
        assert_eq!(Statistic::parse("median"), None);
    }
}
