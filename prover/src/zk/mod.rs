//! Zero-knowledge building blocks on the prover's side (the trace masks live with the AIRs in
//! `zkinfer_air::zk`).

pub mod randomness;
pub mod salted_merkle;
