//! Google's rating thresholds (web.dev "what is a good score" for each metric).

use crate::core::model::Rating;

/// The upper bounds of "good" and of "needs improvement", both inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub good: f64,
    pub needs_improvement: f64,
}

pub const LCP_THRESHOLDS: Thresholds = Thresholds { good: 2_500.0, needs_improvement: 4_000.0 };
pub const CLS_THRESHOLDS: Thresholds = Thresholds { good: 0.1, needs_improvement: 0.25 };
pub const INP_THRESHOLDS: Thresholds = Thresholds { good: 200.0, needs_improvement: 500.0 };
pub const FCP_THRESHOLDS: Thresholds = Thresholds { good: 1_800.0, needs_improvement: 3_000.0 };
pub const TTFB_THRESHOLDS: Thresholds = Thresholds { good: 800.0, needs_improvement: 1_800.0 };

impl Thresholds {
    /// `value <= good` is good, `value <= needs_improvement` needs improvement,
    /// anything above is poor.
    pub fn rate(&self, value: f64) -> Rating {
        if value > self.needs_improvement {
            Rating::Poor
        } else if value > self.good {
            Rating::NeedsImprovement
        } else {
            Rating::Good
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder(t: Thresholds, below: f64, above_ni: f64) {
        assert_eq!(t.rate(below), Rating::Good);
        assert_eq!(t.rate(t.good), Rating::Good);
        assert_eq!(t.rate(t.needs_improvement), Rating::NeedsImprovement);
        assert_eq!(t.rate(above_ni), Rating::Poor);
    }

    #[test]
    fn boundaries_belong_to_the_better_rating() {
        ladder(LCP_THRESHOLDS, 0.0, 4_000.1);
        ladder(CLS_THRESHOLDS, 0.0, 0.250_001);
        ladder(INP_THRESHOLDS, 8.0, 501.0);
        ladder(FCP_THRESHOLDS, 100.0, 3_000.5);
        ladder(TTFB_THRESHOLDS, 0.0, 1_801.0);
    }

    #[test]
    fn just_above_good_needs_improvement() {
        assert_eq!(LCP_THRESHOLDS.rate(2_500.1), Rating::NeedsImprovement);
        assert_eq!(CLS_THRESHOLDS.rate(0.100_000_1), Rating::NeedsImprovement);
        assert_eq!(INP_THRESHOLDS.rate(208.0), Rating::NeedsImprovement);
        assert_eq!(FCP_THRESHOLDS.rate(1_800.5), Rating::NeedsImprovement);
        assert_eq!(TTFB_THRESHOLDS.rate(800.5), Rating::NeedsImprovement);
    }
}
