//! The tree-ensemble AIR: the body of [`crate::inference`] for decision trees, random forests
//! and gradient-boosted trees, in one of two layouts. The path layout ([`path`]) takes one row
//! per step of each tree's path, trees × depth, and looks the visited split up in a public
//! table of every split, four to a row: it proves every ensemble without categorical splits
//! whose leaves add to one score each. The walk layout ([`walk`]) takes one row per split node
//! and proves the others (categorical splits, leaves holding one value per score). The ensemble
//! is public data of the statement, so one AIR serves every model, and the layout follows from
//! it; the aggregation (a sum of leaf values per score, from a base) covers every supported
//! library, averaging forests included, because the importers fold the averaging into the leaf
//! values.

mod air;
pub mod path;
pub mod walk;

#[cfg(test)]
mod categorical_tests;
#[cfg(test)]
mod path_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;

pub use air::{TreeAir, TreeBody, TreeStatement};
