//! Algebraic intermediate representations for zkinfer.
//!
//! One folder per AIR (`air.rs` constraints, `trace.rs` trace building, `tests.rs`), in the
//! style of Winterfell's own examples. The AIRs are one family ([`inference`]): a shared input
//! block (range checks and the in-AIR commitment, [`input`]), a model-specific body ([`linear`],
//! [`trees`], [`mlp`]), the feature lookup for bodies that read features anywhere
//! ([`lookup`]), the disclosure comparisons ([`disclosure`]) and the zero-knowledge masks
//! ([`zk`]). They attest exactly the reference integer inference of `zkinfer::inference`.

pub mod disclosure;
pub mod inference;
pub mod input;
#[cfg(test)]
mod leakage;
pub mod linear;
pub mod lookup;
pub mod mlp;
#[cfg(test)]
mod mutation;
pub mod profiles;
pub mod prover;
pub mod rescue;
#[cfg(test)]
mod testing;
pub mod trees;
pub mod zk;
