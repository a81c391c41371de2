//! The tree-ensemble AIR: the body of [`crate::inference`] for decision trees, random forests
//! and gradient-boosted trees, one row per split node ([`walk`]). The ensemble is public data
//! of the statement, so one AIR serves every model; the aggregation (a sum of leaf values per
//! score, from a base) covers every supported library, averaging forests included, because the
//! importers fold the averaging into the leaf values.

mod air;
pub mod walk;

#[cfg(test)]
mod categorical_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;

pub use air::{TreeAir, TreeBody, TreeStatement};
