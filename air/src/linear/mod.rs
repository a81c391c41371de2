//! The linear-model AIR: `score_c = bias_c + Σ_f W_c,f · q_f` over 16-bit private features.
//!
//! Layout: one row per feature, then three rows per comparison.
//!
//! | column | meaning |
//! |---|---|
//! | `x` | `q_f` on row `f < F`; on comparison rows, a 16-bit chunk of the compared value |
//! | `bits[0..16]` | the binary digits of `x`: the range check `0 ≤ x < 2^16` on every row |
//! | `acc[c]` | running score `c`: `bias_c` on row 0, `score_c` from row `F` on |
//! | `cmp` | the compared value, assembled from its chunks |
//!
//! Transitions: every bit is boolean, `x = Σ 2^j·bits[j]`,
//! `acc[c]' = acc[c] + W_c(row)·x` (weights in a full-length periodic column per score, zero
//! beyond the features, so the scores stay put afterwards), `cmp' = (1 − start)·cmp + scale·x'`
//! (start and the chunk scales 1, 2^16, 2^32 of the next row, periodic), and on the last row of
//! comparison `j`: `cmp = Σ_c coef_j,c·acc[c] + offset_j`. So each comparison proves
//! `Σ_c coef_c·score_c + offset ∈ [0, 2^48)`; as every score is below `2^46` in magnitude, no
//! such value wraps around the field. Assertions: `acc[c] = bias_c` on row 0 and, when scores
//! are disclosed, `acc[c] = score_c` on row `F`.
//!
//! The disclosure policies are lists of comparisons: a binary class is the sign of the score,
//! a multiclass class beats every other score (ties to the first), a threshold bit is
//! `score ≥ T` or `score < T`. The input commitment and the zero-knowledge rows build on this.

mod air;
mod trace;

#[cfg(test)]
mod tests;

pub use air::{Comparison, LinearAir, LinearPublicInputs};
pub use trace::{build_trace, trace_length};

/// Column of the feature value.
pub const X: usize = 0;
/// First of the 16 bit columns.
pub const BITS: usize = 1;
/// Bits per feature.
pub const FEATURE_BITS: usize = 16;
/// First accumulator column.
pub const ACC: usize = BITS + FEATURE_BITS;
/// Rows per comparison: three 16-bit chunks hold any value below `2^48`.
pub const COMPARISON_ROWS: usize = 3;
/// Bits of a compared value.
pub const COMPARISON_BITS: u32 = 48;
