//! A Winterfell prover for any of zkinfer's AIRs, given its public inputs up front.
//!
//! The AIRs' public inputs come from the statement (model, commitment, disclosed output), not
//! from reading the trace, so one adapter serves every AIR. The vector commitment is a type
//! parameter: the product uses a hiding, salted Merkle tree; tests may use Winterfell's own.

use core::marker::PhantomData;

use winterfell::crypto::hashers::Blake3_256;
use winterfell::crypto::{DefaultRandomCoin, VectorCommitment};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{
    Air, AuxRandElements, CompositionPoly, CompositionPolyTrace, ConstraintCompositionCoefficients,
    DefaultConstraintCommitment, DefaultConstraintEvaluator, DefaultTraceLde, PartitionOptions,
    ProofOptions, Prover, StarkDomain, TraceInfo, TracePolyTable, TraceTable,
};

/// The hash behind every commitment of zkinfer's proofs.
pub type Hash = Blake3_256<BaseElement>;

pub struct AirProver<A: Air, VC> {
    options: ProofOptions,
    public_inputs: A::PublicInputs,
    _commitment: PhantomData<VC>,
}

impl<A: Air, VC> AirProver<A, VC> {
    pub fn new(options: ProofOptions, public_inputs: A::PublicInputs) -> Self {
        AirProver {
            options,
            public_inputs,
            _commitment: PhantomData,
        }
    }
}

impl<A, VC> Prover for AirProver<A, VC>
where
    A: Air<BaseField = BaseElement> + 'static,
    A::PublicInputs: Clone,
    VC: VectorCommitment<Hash> + Sync,
{
    type BaseField = BaseElement;
    type Air = A;
    type Trace = TraceTable<BaseElement>;
    type HashFn = Hash;
    type VC = VC;
    type RandomCoin = DefaultRandomCoin<Hash>;
    type TraceLde<E: FieldElement<BaseField = BaseElement>> = DefaultTraceLde<E, Hash, VC>;
    type ConstraintCommitment<E: FieldElement<BaseField = BaseElement>> =
        DefaultConstraintCommitment<E, Hash, VC>;
    type ConstraintEvaluator<'a, E: FieldElement<BaseField = BaseElement>> =
        DefaultConstraintEvaluator<'a, A, E>;

    fn get_pub_inputs(&self, _trace: &Self::Trace) -> A::PublicInputs {
        self.public_inputs.clone()
    }

    fn options(&self) -> &ProofOptions {
        &self.options
    }

    fn new_trace_lde<E: FieldElement<BaseField = BaseElement>>(
        &self,
        trace_info: &TraceInfo,
        main_trace: &ColMatrix<BaseElement>,
        domain: &StarkDomain<BaseElement>,
        partition_option: PartitionOptions,
    ) -> (Self::TraceLde<E>, TracePolyTable<E>) {
        DefaultTraceLde::new(trace_info, main_trace, domain, partition_option)
    }

    fn new_evaluator<'a, E: FieldElement<BaseField = BaseElement>>(
        &self,
        air: &'a A,
        aux_rand_elements: Option<AuxRandElements<E>>,
        composition_coefficients: ConstraintCompositionCoefficients<E>,
    ) -> Self::ConstraintEvaluator<'a, E> {
        DefaultConstraintEvaluator::new(air, aux_rand_elements, composition_coefficients)
    }

    fn build_constraint_commitment<E: FieldElement<BaseField = BaseElement>>(
        &self,
        composition_poly_trace: CompositionPolyTrace<E>,
        num_constraint_composition_columns: usize,
        domain: &StarkDomain<BaseElement>,
        partition_options: PartitionOptions,
    ) -> (Self::ConstraintCommitment<E>, CompositionPoly<E>) {
        DefaultConstraintCommitment::new(
            composition_poly_trace,
            num_constraint_composition_columns,
            domain,
            partition_options,
        )
    }
}
