//! The linear-model AIR: `score_c = bias_c + Σ_f W_c,f · q_f` over 16-bit private features.
//!
//! Layout (one row per feature, `n` rows):
//!
//! | column | meaning |
//! |---|---|
//! | `x` | `q_f` on row `f < F`, 0 after |
//! | `bits[0..16]` | the binary digits of `x`: the range check `0 ≤ x < 2^16` |
//! | `acc[c]` | running score `c`: `bias_c` on row 0, `score_c` from row `F` on |
//!
//! Transitions: every bit is boolean, `x = Σ 2^j·bits[j]`, and
//! `acc[c]' = acc[c] + W_c(row)·x`, with the weights in a full-length periodic column per
//! score (zero beyond the features). Assertions: `acc[c]` is `bias_c` on row 0 and the
//! disclosed `score_c` on row `F`.
//!
//! This is the first step of the linear AIR: the disclosure policies, the input commitment and
//! the zero-knowledge rows build on it.

mod air;
mod trace;

#[cfg(test)]
mod tests;

pub use air::{LinearAir, LinearPublicInputs};
pub use trace::{build_trace, trace_length};

/// Column of the feature value.
pub const X: usize = 0;
/// First of the 16 bit columns.
pub const BITS: usize = 1;
/// Bits per feature.
pub const FEATURE_BITS: usize = 16;
/// First accumulator column.
pub const ACC: usize = BITS + FEATURE_BITS;
