//! The linear-model AIR: `score_c = bias_c + Σ_f W_c,f · q_f` over 16-bit private features.
//!
//! The body of [`crate::inference`] for linear models has no rows of its own: one accumulator
//! column per score, `s[c]`, which starts at `bias_c` (asserted on row 0) and adds the feature
//! on each feature row, `s[c]' = s[c] + W_c(row)·x`, with `W_c` a periodic column holding
//! `W_c,f` on feature `f`'s row ([`crate::input::feature_row`]) and zero elsewhere. So it holds
//! the score from the last feature row on. The features' range checks, the commitment and the
//! comparisons are the shared blocks'. The field sum is the integer score, which the model
//! format bounds below `2^46` in magnitude.

mod air;
mod trace;

#[cfg(test)]
pub(crate) mod tests;

pub use air::{LinearAir, LinearBody, LinearStatement};
