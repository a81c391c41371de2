//! The proof options of zkinfer's two profiles, `default` and `high` (`zkinfer::Profile` names
//! them): the only options zkinfer proves with and accepts. They live beside the AIRs because
//! the zero-knowledge parameters follow from them ([`crate::zk::ZkParams::for_options`]), and
//! the hiding tests must run at exactly these.

use winterfell::{BatchingMethod, FieldExtension, ProofOptions};

/// About 100 bits of conjectured security: Goldilocks with a quadratic extension, blowup 8, 29
/// queries, 16 bits of grinding, FRI folding 8, a remainder of degree at most 255.
pub fn default_options() -> ProofOptions {
    options(29, 16, FieldExtension::Quadratic)
}

/// 128 bits of conjectured security: cubic extension, blowup 8, 37 queries, 20 bits of
/// grinding, FRI folding 8, a remainder of degree at most 255.
pub fn high_options() -> ProofOptions {
    options(37, 20, FieldExtension::Cubic)
}

/// The remainder's degree bound: a DEEP polynomial of degree `n − 2 ≤ 255` (traces of 256 rows,
/// `default`'s minimum) is sent whole, with no FRI layer.
pub const REMAINDER_MAX_DEGREE: usize = 255;

fn options(queries: usize, grinding: u32, extension: FieldExtension) -> ProofOptions {
    ProofOptions::new(
        queries,
        8,
        grinding,
        extension,
        8,
        REMAINDER_MAX_DEGREE,
        BatchingMethod::Linear,
        BatchingMethod::Linear,
    )
}
