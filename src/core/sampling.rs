//! Sampling decisions. The random number comes from the caller (uniform in [0, 1)).

/// Whether a unit with the uniform random draw `r` is kept at `rate` (0.0 ..= 1.0).
pub fn keep(rate: f64, r: f64) -> bool {
    r < rate
}

#[cfg(test)]
mod tests {
    use super::keep;

    #[test]
    fn rate_one_keeps_everything_and_zero_nothing() {
        for r in [0.0, 0.25, 0.999_999] {
            assert!(keep(1.0, r));
            assert!(!keep(0.0, r));
        }
    }

    #[test]
    fn rate_splits_the_unit_interval() {
        assert!(keep(0.5, 0.49));
        assert!(!keep(0.5, 0.5));
    }
}
