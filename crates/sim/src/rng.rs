//! The random numbers of the simulated SUT and of `sim-mix`: a small fast generator, seeded
//! for repeatable runs or from the operating system's entropy.

use rand::SeedableRng;
use rand::rngs::SmallRng;

/// A generator seeded with `seed`, or from entropy (from the clock, should the operating
/// system have no random numbers to give).
pub(crate) fn small_rng(seed: Option<u64>) -> SmallRng {
    match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => SmallRng::try_from_os_rng().unwrap_or_else(|_| SmallRng::seed_from_u64(clock_seed())),
    }
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn a_seed_repeats_and_entropy_differs() {
        let draw = |seed| small_rng(seed).random::<u64>();
        assert_eq!(draw(Some(5)), draw(Some(5)));
        assert_ne!(draw(Some(5)), draw(Some(6)));
        assert_ne!(draw(None), draw(None));
    }
}
