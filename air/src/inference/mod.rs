//! The AIR family every zkinfer proof uses: a private input block, a model-specific body that
//! computes the scores, and the disclosure comparisons, with zero-knowledge masks.
//!
//! | rows | what happens there |
//! |---|---|
//! | `0..F` | `x` reads each feature: the range checks ([`crate::input`]) |
//! | `0..8·blocks` | (in other columns) the sponge hashes the packed features and the salt |
//! | `F..F+R` | the body's rows (none for linear models, one per split for trees) |
//! | `F+R..F+R+3J` | the comparisons behind the disclosed output ([`crate::disclosure`]) |
//! | next | the last real row; the scores are final on row `F + R` |
//! | last `r` | uniformly random rows ([`crate::zk`]) |
//!
//! Columns: the input block, the body's columns, `cmp`, then the masks. The body is a
//! parameter ([`Body`]); [`crate::linear`] and [`crate::trees`] provide the two bodies.

mod air;
mod trace;

pub use air::{Body, InferenceAir, Statement};
pub use trace::build_trace;
