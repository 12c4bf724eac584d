//! Numbers as Caliper prints them: JavaScript's `Number.prototype.toFixed`.
//!
//! Rust's `{:.2}` rounds the exact binary value to the nearest decimal, and so does `toFixed`,
//! except on an exact tie (`0.125`, `0.25`): Rust picks the even digit, JavaScript the larger
//! one. Caliper's tables are `toFixed` output, so ties are rounded up here.

/// `x.toFixed(digits)` for a finite `x`; `Infinity`/`NaN` as JavaScript writes them.
pub(crate) fn to_fixed(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if x < 0.0 {
        let magnitude = to_fixed(-x, digits);
        // JavaScript keeps the sign of a negative number that rounds to zero.
        return format!("-{magnitude}");
    }
    let x = x.abs(); // -0.0 prints as 0
    // The exact decimal expansion of an f64 has at most 1074 fractional digits.
    let exact = format!("{x:.1100}");
    let (int, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let rest = frac.get(digits..).unwrap_or("");
    let tie = rest.starts_with('5') && rest[1..].bytes().all(|b| b == b'0');
    if !tie {
        return format!("{x:.digits$}");
    }
    round_up(int, &frac[..digits])
}

/// `int.kept` plus one unit of the last kept digit.
fn round_up(int: &str, kept: &str) -> String {
    let mut digits: Vec<u8> = int.bytes().chain(kept.bytes()).collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    let point = digits.len() - kept.len();
    let mut s = String::from_utf8(digits).unwrap_or_default();
    if !kept.is_empty() {
        s.insert(point, '.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::to_fixed;

    #[test]
    fn matches_javascript_to_fixed() {
        // Expected values are what node prints for `x.toFixed(d)`.
        let cases: &[(f64, usize, &str)] = &[
            (0.125, 2, "0.13"),
            (0.25, 1, "0.3"),
            (0.375, 2, "0.38"),
            (2.5, 0, "3"),
            (0.5, 0, "1"),
            (9.95, 1, "9.9"), // 9.95 is 9.949999… in binary: not a tie
            (99.5, 0, "100"),
            (9.995, 2, "9.99"),
            (0.045, 2, "0.04"),
            (21.052631578947366, 1, "21.1"),
            (0.0, 2, "0.00"),
            (-0.0, 1, "0.0"),
            (-0.125, 2, "-0.13"),
            (1234.5678, 3, "1234.568"),
            (f64::INFINITY, 1, "Infinity"),
        ];
        for &(x, d, want) in cases {
            assert_eq!(to_fixed(x, d), want, "{x}.toFixed({d})");
        }
    }
}
