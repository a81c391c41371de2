//! Fixed-point arithmetic: the exact maps from floats to the integers that zkinfer computes on.
//!
//! Every scale is a power of two, so `x · 2^s` is exact and every rounding below is computed
//! exactly from the float's bits: no float operation can round twice. See `docs/fixed-point.md`.

use serde::{Deserialize, Serialize};

/// Bits of one quantized feature: inputs are integers in `[0, 2^16)`.
pub const FEATURE_BITS: u32 = 16;
/// Largest quantized feature value.
pub const FEATURE_MAX: i64 = (1 << FEATURE_BITS) - 1;
/// Every score the model can produce, for every input, satisfies `|score| < 2^SCORE_BITS`.
pub const SCORE_BITS: u32 = 46;
// The network AIR checks the same score range (it cannot depend on this crate).
const _: () = assert!(SCORE_BITS == zkinfer_air::mlp::SCORE_BITS);
/// Bound on offsets and absolute grid indices, so that all of them are exact in an f64 and in
/// a JavaScript number.
pub const MAGNITUDE_LIMIT: i64 = 1 << 52;
/// Range of the per-feature scale exponents.
pub const MIN_SCALE_LOG2: i32 = -64;
pub const MAX_SCALE_LOG2: i32 = 64;
/// Largest exponent of the score scale.
pub const MAX_SCORE_SCALE_LOG2: u32 = 62;

/// How a float is rounded onto the integer grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest integer, ties away from zero.
    Nearest,
    /// Towards negative infinity.
    Floor,
    /// Towards positive infinity.
    Ceil,
}

/// How the source library compares a feature with a split threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// Left iff `x < t` (XGBoost, ONNX `BRANCH_LT`).
    LessThan,
    /// Left iff `x <= t` (scikit-learn, LightGBM, ONNX `BRANCH_LEQ`).
    LessOrEqual,
}

impl SplitRule {
    /// The library's decision at a split: left or not.
    pub fn goes_left(self, x: f64, threshold: f64) -> bool {
        match self {
            SplitRule::LessThan => x < threshold,
            SplitRule::LessOrEqual => x <= threshold,
        }
    }

    /// Whether `cut` counts as below `x` when binning: exactly when `x` does *not* go left at a
    /// split on `cut`. So with `q = #{cuts below x}`, `x` goes left at cut `k` iff `q < k + 1`.
    pub fn cut_is_below(self, cut: f64, x: f64) -> bool {
        !self.goes_left(x, cut)
    }
}

/// An exact binary float `mantissa · 2^exponent`, reduced (odd mantissa, or `[0, 0]` for
/// zero), so that every finite f64 has exactly one representation; serialized as the integer
/// pair `[mantissa, exponent]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactFloat(pub i64, pub i32);

impl ExactFloat {
    /// The exact form of a finite float (`-0.0` becomes zero).
    pub fn from_f64(x: f64) -> Option<ExactFloat> {
        if !x.is_finite() {
            return None;
        }
        if x == 0.0 {
            return Some(ExactFloat(0, 0));
        }
        let bits = x.to_bits();
        let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
        let fraction = (bits & ((1u64 << 52) - 1)) as i64;
        let (mut mantissa, mut exponent) = if biased_exponent == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1i64 << 52), biased_exponent - 1075)
        };
        let zeros = mantissa.trailing_zeros();
        mantissa >>= zeros;
        exponent += zeros as i32;
        if bits >> 63 == 1 {
            mantissa = -mantissa;
        }
        Some(ExactFloat(mantissa, exponent))
    }

    /// The float this stands for, if it is a reduced representation of a finite f64.
    pub fn to_f64(self) -> Option<f64> {
        let ExactFloat(mantissa, exponent) = self;
        if mantissa.unsigned_abs() >= 1 << 53 || !(-1074..=971).contains(&exponent) {
            return None;
        }
        // Two exact power-of-two factors keep every intermediate representable.
        let half = exponent / 2;
        let value = mantissa as f64 * exact_pow2(half)? * exact_pow2(exponent - half)?;
        (ExactFloat::from_f64(value) == Some(self)).then_some(value)
    }
}

/// `2^e` for `e` in the normal range.
fn exact_pow2(e: i32) -> Option<f64> {
    (-1022..=1023)
        .contains(&e)
        .then(|| f64::from_bits(((e + 1023) as u64) << 52))
}

/// `R(x · 2^scale_log2)` computed exactly, or `None` when `x` is not finite or the result's
/// magnitude reaches `2^62`.
pub fn scale_round(x: f64, scale_log2: i32, rounding: Rounding) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some(0);
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // x = ±mantissa · 2^exponent with an integer mantissa below 2^53.
    let (mantissa, exponent) = if biased_exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased_exponent - 1075)
    };
    let shift = exponent + scale_log2;
    // The magnitude rounded towards zero, and whether a fractional part was dropped / was ≥ ½.
    let (whole, has_fraction, at_least_half) = if shift >= 0 {
        if shift >= 62 || (mantissa as u128) << shift >= 1u128 << 62 {
            return None;
        }
        (mantissa << shift, false, false)
    } else {
        let right = (-shift) as u32;
        if right >= 64 {
            // |x·2^s| < 2^53 · 2^-64 < ½.
            (0, true, false)
        } else {
            let whole = mantissa >> right;
            let rest = mantissa & ((1u64 << right) - 1);
            (whole, rest != 0, rest >= 1u64 << (right - 1))
        }
    };
    let whole = whole as i64;
    // Round the magnitude, remembering that floor and ceil swap for negative numbers.
    let rounded_magnitude = match (rounding, negative) {
        (Rounding::Nearest, _) => whole + at_least_half as i64,
        (Rounding::Floor, false) | (Rounding::Ceil, true) => whole,
        (Rounding::Floor, true) | (Rounding::Ceil, false) => whole + has_fraction as i64,
    };
    Some(if negative {
        -rounded_magnitude
    } else {
        rounded_magnitude
    })
}

/// The largest absolute grid index `|q + offset|` over `q ∈ [0, FEATURE_MAX]`.
pub fn largest_grid_index(offset: i64) -> f64 {
    offset.abs().max((offset + FEATURE_MAX).abs()) as f64
}

/// `2^e` as an f64 (exact for the exponents used here).
pub fn pow2(e: i32) -> f64 {
    2f64.powi(e)
}

/// A per-feature grid: `q = R(x·2^scale_log2) − offset`, valid for `0 ≤ q ≤ FEATURE_MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub scale_log2: i32,
    pub offset: i64,
}

impl Grid {
    /// The finest grid (largest scale) whose `2^16` points cover every absolute grid index
    /// that `index_range(s)` reports for scale `s`, centred. `index_range` returns `None` when
    /// a value does not fit at that scale.
    pub fn finest_covering(index_range: impl Fn(i32) -> Option<(i64, i64)>) -> Option<Grid> {
        (MIN_SCALE_LOG2..=MAX_SCALE_LOG2)
            .rev()
            .find_map(|scale_log2| {
                let (low, high) = index_range(scale_log2)?;
                let span = high - low;
                if span > FEATURE_MAX || low.abs().max(high.abs()) + FEATURE_MAX >= MAGNITUDE_LIMIT
                {
                    return None;
                }
                let offset = low - (FEATURE_MAX - span) / 2;
                Some(Grid { scale_log2, offset })
            })
    }
}

/// The absolute grid indices `(min, max)` of `values` at `scale_log2`, rounded by `round`.
pub fn index_range(
    values: impl Iterator<Item = f64>,
    round: impl Fn(f64) -> Option<i64>,
) -> Option<(i64, i64)> {
    let mut range: Option<(i64, i64)> = None;
    for v in values {
        let i = round(v)?;
        range = Some(match range {
            None => (i, i),
            Some((lo, hi)) => (lo.min(i), hi.max(i)),
        });
    }
    range
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(x: f64, s: i32, rounding: Rounding) -> i64 {
        // Valid for the small magnitudes used below, where x·2^s is exact in f64.
        let y = x * pow2(s);
        match rounding {
            Rounding::Nearest => y.round() as i64,
            Rounding::Floor => y.floor() as i64,
            Rounding::Ceil => y.ceil() as i64,
        }
    }

    #[test]
    fn scale_round_matches_float_rounding() {
        let values = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.1,
            -0.1,
            17.99,
            -3.75,
            1e-9,
            -1e-9,
            12345.678,
            0.049999999999999996,
            65535.5,
            -65535.5,
        ];
        for &x in &values {
            for s in -8..=20 {
                for r in [Rounding::Nearest, Rounding::Floor, Rounding::Ceil] {
                    assert_eq!(
                        scale_round(x, s, r),
                        Some(reference(x, s, r)),
                        "{x} {s} {r:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn scale_round_is_exact_where_floats_underflow() {
        // 2^-1074 · 2^-10 underflows in f64 but its ceiling is 1.
        let tiny = f64::from_bits(1);
        assert_eq!(scale_round(tiny, -10, Rounding::Ceil), Some(1));
        assert_eq!(scale_round(tiny, -10, Rounding::Floor), Some(0));
        assert_eq!(scale_round(-tiny, -10, Rounding::Floor), Some(-1));
        assert_eq!(scale_round(tiny, -10, Rounding::Nearest), Some(0));
    }

    #[test]
    fn scale_round_rejects_overflow_and_non_finite() {
        assert_eq!(scale_round(f64::NAN, 0, Rounding::Nearest), None);
        assert_eq!(scale_round(f64::INFINITY, 0, Rounding::Nearest), None);
        assert_eq!(scale_round(1.0, 62, Rounding::Nearest), None);
        assert_eq!(scale_round(1.0, 61, Rounding::Nearest), Some(1 << 61));
        assert_eq!(scale_round(-1e300, 0, Rounding::Floor), None);
    }

    #[test]
    fn exact_floats_round_trip_and_are_unique() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            14.76,
            14.76f32 as f64,
            1e-300,
            -3e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            1024.0,
            0.75,
        ];
        for &x in &values {
            let exact = ExactFloat::from_f64(x).unwrap();
            assert_eq!(exact.to_f64(), Some(if x == 0.0 { 0.0 } else { x }), "{x}");
            assert!(
                exact.0 % 2 != 0 || exact == ExactFloat(0, 0),
                "{exact:?} not reduced"
            );
        }
        assert_eq!(ExactFloat::from_f64(0.75), Some(ExactFloat(3, -2)));
        assert_eq!(ExactFloat::from_f64(-1024.0), Some(ExactFloat(-1, 10)));
        // Unreduced, out-of-range or inexact pairs are refused.
        for bad in [
            ExactFloat(2, 0),
            ExactFloat(0, 1),
            ExactFloat(1, 972),
            ExactFloat(1 << 53, 0),
        ] {
            assert_eq!(bad.to_f64(), None, "{bad:?}");
        }
        assert_eq!(ExactFloat::from_f64(f64::NAN), None);
    }

    #[test]
    fn cut_is_below_is_the_complement_of_going_left() {
        for rule in [SplitRule::LessThan, SplitRule::LessOrEqual] {
            for (x, t) in [(1.0, 1.0), (0.5, 1.0), (2.0, 1.0)] {
                assert_eq!(rule.cut_is_below(t, x), !rule.goes_left(x, t));
            }
        }
        assert!(SplitRule::LessThan.cut_is_below(1.0, 1.0));
        assert!(!SplitRule::LessOrEqual.cut_is_below(1.0, 1.0));
    }

    #[test]
    fn finest_covering_picks_the_largest_scale_that_fits() {
        let values = [143.5, 2501.0];
        let grid = Grid::finest_covering(|s| {
            index_range(values.iter().copied(), |v| {
                scale_round(v, s, Rounding::Nearest)
            })
        })
        .unwrap();
        // (2501 − 143.5) · 2^4 = 37720 fits in 65535; · 2^5 = 75440 does not.
        assert_eq!(grid.scale_log2, 4);
        let low = 143.5 * 16.0;
        assert!((low as i64 - grid.offset) >= 1);
        assert!((2501 * 16 - grid.offset) < FEATURE_MAX);
    }
}
