//! Cheap decimal formatting of counters, for transaction ids and workload keys.
//!
//! Both are built once per transaction, so they skip the `fmt` machinery: the digits are
//! written into a stack buffer and appended to the string in one go.

/// Appends the decimal digits of `n` to `out`.
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &buf[start..] {
        out.push(char::from(digit));
    }
}

/// The decimal digits of `n` as a new string.
pub(crate) fn decimal(n: u64) -> String {
    let mut out = String::with_capacity(20);
    push_decimal(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_display() {
        for n in [0, 7, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
        let mut key = String::from("w3-k");
        push_decimal(&mut key, 42);
        assert_eq!(key, "w3-k42");
    }
}
