//! Test support shared by the AIRs' tests: options, a plain Merkle commitment, and proving
//! and verifying any AIR whose public inputs are given.

use winterfell::crypto::{DefaultRandomCoin, MerkleTree};
use winterfell::math::fields::f64::BaseElement;
use winterfell::{
    AcceptableOptions, Air, BatchingMethod, FieldExtension, Proof, ProofOptions, Prover,
    TraceTable, VerifierError,
};

use crate::prover::{AirProver, Hash};

pub type Vc = MerkleTree<Hash>;

/// Quadratic extension, blowup 8, 28 queries, no grinding (fast; 83 bits).
pub fn options() -> ProofOptions {
    ProofOptions::new(
        28,
        8,
        0,
        FieldExtension::Quadratic,
        8,
        31,
        BatchingMethod::Linear,
        BatchingMethod::Linear,
    )
}

pub fn prove<A>(trace: TraceTable<BaseElement>, inputs: &A::PublicInputs) -> Proof
where
    A: Air<BaseField = BaseElement> + 'static,
    A::PublicInputs: Clone,
{
    AirProver::<A, Vc>::new(options(), inputs.clone())
        .prove(trace)
        .expect("the prover runs")
}

pub fn verify<A>(proof: Proof, inputs: &A::PublicInputs) -> Result<(), VerifierError>
where
    A: Air<BaseField = BaseElement>,
    A::PublicInputs: Clone,
{
    let acceptable = AcceptableOptions::OptionSet(vec![options()]);
    winterfell::verify::<A, Hash, DefaultRandomCoin<Hash>, Vc>(proof, inputs.clone(), &acceptable)
}
