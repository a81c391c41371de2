//! Algebraic intermediate representations for zkinfer.
//!
//! One folder per AIR (`air.rs` constraints, `trace.rs` trace building, `tests.rs`), in the
//! style of Winterfell's own examples. The linear-model and tree-ensemble AIRs arrive with the
//! proving issue; they attest exactly the reference integer inference of `zkinfer::inference`.

pub mod linear;
pub mod prover;
pub mod rescue;
#[cfg(test)]
mod testing;
pub mod zk;
