//! The linear-model AIR: `score_c = bias_c + Σ_f W_c,f · q_f` over 16-bit private features.
//!
//! The body of [`crate::inference`] for linear models has no rows of its own: one column per
//! score, `s[c]`, constant on every real row (`s[c]' = s[c]`), with
//! `s[c] = bias_c + Σ_f W_c,f·q[f]` on every row, where `q[f]` are the input block's feature
//! cells and the weights are constants of the statement. The features' range checks, the
//! commitment and the comparisons are the shared blocks'.

mod air;
mod trace;

#[cfg(test)]
pub(crate) mod tests;

pub use air::{LinearAir, LinearBody, LinearStatement};
