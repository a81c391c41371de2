//! The AIR family every zkinfer proof uses: a private input block, a model-specific body that
//! computes the scores, and the disclosure comparisons, with zero-knowledge masks. Its width
//! does not depend on the number of features.
//!
//! | rows | what happens there |
//! |---|---|
//! | `0..H` | the sponge hashes the header, the features (`x` on rows `1..F + 1`, range-checked) and the salt ([`crate::input`]); `H = 8·blocks` |
//! | `H..H+R` | the body's rows (none for linear models, one per step or split for trees, two per hidden neuron and one per input read again for networks) |
//! | `H+R..H+R+3J` | the comparisons behind the disclosed output ([`crate::disclosure`]) |
//! | next | the last real row; the scores are final on row `H + R` |
//! | last `r` | uniformly random rows ([`crate::zk`]) |
//!
//! Main columns: the input block, the body's columns, `cmp`, then the masks. When the body
//! reads features on its own rows (trees, networks computed in passes), an auxiliary segment of
//! one column proves that each read is the committed feature, or the entry of the body's own
//! table it names (a network's activation, [`crate::lookup`]). The body is a parameter ([`Body`]);
//! [`crate::linear`], [`crate::trees`] and [`crate::mlp`] provide the three bodies.

mod air;
mod trace;

pub(crate) use air::estimated_cells;
#[cfg(test)]
pub(crate) use air::Relaxation;
pub use air::{Body, Host, HostRow, InferenceAir, Statement};
pub use trace::{build_aux_trace, build_trace};
