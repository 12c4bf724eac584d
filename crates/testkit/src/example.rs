//! What the tests know of `examples/ethereum-simple`: the account names its workload modules
//! give (its `benchmarks/utils/simple-state.js`).

/// The name of worker `worker`'s account number `index` (1-based): both numbers in base 26
/// with the letters a..z, least significant digit first, joined by "_".
pub fn account(worker: usize, index: usize) -> String {
    format!("{}_{}", base26(worker), base26(index))
}

fn base26(mut n: usize) -> String {
    let mut text = String::new();
    loop {
        text.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return text;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_simple_state_js() {
        assert_eq!(account(0, 1), "a_b");
        assert_eq!(account(1, 27), "b_bb");
        assert_ne!(account(0, 27), account(1, 1));
    }
}
