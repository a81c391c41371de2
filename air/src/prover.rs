//! A Winterfell prover for any of zkinfer's AIRs, given its public inputs up front.
//!
//! The AIRs' public inputs come from the statement (model, commitment, disclosed output), not
//! from reading the trace, so one adapter serves every AIR. The vector commitment is a type
//! parameter: the product uses a hiding, salted Merkle tree; tests may use Winterfell's own.
//!
//! The adapter also reports the prover's progress: Winterfell calls its hooks between the
//! expensive steps of a proof, in a fixed order.
//!
//! The public inputs also shape the trace ([`Segments`]): an AIR with an auxiliary segment
//! builds it from the main trace and the verifier's random elements, with random last rows
//! drawn from randomness given up front ([`AirProver::with_randomness`]).

use core::marker::PhantomData;

use winterfell::crypto::hashers::Blake3_256;
use winterfell::crypto::{DefaultRandomCoin, VectorCommitment};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{
    Air, AuxRandElements, CompositionPoly, CompositionPolyTrace, ConstraintCompositionCoefficients,
    DefaultConstraintCommitment, DefaultConstraintEvaluator, DefaultTraceLde, EvaluationFrame,
    PartitionOptions, Proof, ProofOptions, Prover, ProverError, StarkDomain, Trace, TraceInfo,
    TracePolyTable, TraceTable,
};

/// The hash behind every commitment of zkinfer's proofs.
pub type Hash = Blake3_256<BaseElement>;

/// The steps of a proof, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Building the execution trace (before the prover starts).
    Trace,
    /// Interpolating, extending and committing to the trace.
    CommitTrace,
    /// Evaluating the constraints over the extended domain.
    Constraints,
    /// Committing to the composition polynomial.
    Composition,
    /// The DEEP composition, FRI and the queries.
    Fri,
    /// The proof is made.
    Done,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Trace,
        Phase::CommitTrace,
        Phase::Constraints,
        Phase::Composition,
        Phase::Fri,
        Phase::Done,
    ];

    /// A stable name, for progress reports across languages.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Trace => "trace",
            Phase::CommitTrace => "commit-trace",
            Phase::Constraints => "constraints",
            Phase::Composition => "composition",
            Phase::Fri => "fri",
            Phase::Done => "done",
        }
    }

    /// The share of a proof's time spent before this phase starts, as `zkinfer bench`
    /// measures it on the example models of 1024 rows and more (the proofs long enough for a
    /// progress bar to matter): trace 1 %, trace commitment 43 %, constraints 39 %,
    /// composition commitment 10 %, FRI 7 %, each within 3 points on every one of them. Small
    /// proofs spend relatively more in FRI's fixed number of queries.
    pub fn fraction(self) -> f64 {
        match self {
            Phase::Trace => 0.0,
            Phase::CommitTrace => 0.01,
            Phase::Constraints => 0.44,
            Phase::Composition => 0.83,
            Phase::Fri => 0.93,
            Phase::Done => 1.0,
        }
    }
}

/// Receives each phase as it starts.
pub type Progress<'a> = &'a dyn Fn(Phase);

/// Reports nothing.
pub fn no_progress(_: Phase) {}

/// What the public inputs say about the trace beyond its main segment.
pub trait Segments {
    /// The shape of the trace whose main segment is `main`: Winterfell's info, with the
    /// auxiliary segment's width and random elements if there is one.
    fn trace_info(&self, main: &TraceTable<BaseElement>) -> TraceInfo {
        main.info().clone()
    }

    /// The auxiliary segment for `main` and the verifier's `rand`, its random rows drawn from
    /// `random`.
    fn build_aux<E: FieldElement<BaseField = BaseElement>>(
        &self,
        _main: &ColMatrix<BaseElement>,
        _rand: &[E],
        _options: &ProofOptions,
        _random: &mut dyn FnMut() -> BaseElement,
    ) -> ColMatrix<E> {
        unreachable!("a trace without an auxiliary segment")
    }
}

/// A main trace with the shape of its whole trace, auxiliary segment included.
pub struct Witness {
    table: TraceTable<BaseElement>,
    info: TraceInfo,
}

impl Trace for Witness {
    type BaseField = BaseElement;

    fn info(&self) -> &TraceInfo {
        &self.info
    }

    fn main_segment(&self) -> &ColMatrix<BaseElement> {
        self.table.main_segment()
    }

    fn read_main_frame(&self, row_idx: usize, frame: &mut EvaluationFrame<BaseElement>) {
        self.table.read_main_frame(row_idx, frame)
    }
}

pub struct AirProver<'p, A: Air, VC> {
    options: ProofOptions,
    public_inputs: A::PublicInputs,
    progress: Progress<'p>,
    /// Uniform base-field elements for the auxiliary segment's random rows.
    randomness: Vec<BaseElement>,
    _commitment: PhantomData<VC>,
}

impl<'p, A: Air, VC> AirProver<'p, A, VC> {
    pub fn new(options: ProofOptions, public_inputs: A::PublicInputs) -> Self {
        AirProver {
            options,
            public_inputs,
            progress: &no_progress,
            randomness: Vec::new(),
            _commitment: PhantomData,
        }
    }

    /// Reports the phases from [`Phase::CommitTrace`] to [`Phase::Fri`] to `progress`.
    pub fn with_progress(self, progress: Progress<'p>) -> Self {
        AirProver { progress, ..self }
    }

    /// Draws, from `random` (a CSPRNG for the proof to hide anything), what the auxiliary
    /// segment's random rows need: one row per exempt transition but one, times the largest
    /// extension degree.
    pub fn with_randomness(self, random: &mut dyn FnMut() -> BaseElement) -> Self {
        let exempt = crate::zk::ZkParams::for_options(&self.options).random_rows;
        let randomness = (0..3 * exempt).map(|_| random()).collect();
        AirProver { randomness, ..self }
    }
}

impl<A, VC> AirProver<'_, A, VC>
where
    A: Air<BaseField = BaseElement> + 'static,
    A::PublicInputs: Clone + Segments,
    VC: VectorCommitment<Hash> + Sync,
{
    /// Proves the computation whose main segment is `table`.
    pub fn prove(&self, table: TraceTable<BaseElement>) -> Result<Proof, ProverError> {
        let info = self.public_inputs.trace_info(&table);
        Prover::prove(self, Witness { table, info })
    }
}

impl<A, VC> Prover for AirProver<'_, A, VC>
where
    A: Air<BaseField = BaseElement> + 'static,
    A::PublicInputs: Clone + Segments,
    VC: VectorCommitment<Hash> + Sync,
{
    type BaseField = BaseElement;
    type Air = A;
    type Trace = Witness;
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

    fn build_aux_trace<E: FieldElement<BaseField = BaseElement>>(
        &self,
        main_trace: &Witness,
        aux_rand_elements: &AuxRandElements<E>,
    ) -> ColMatrix<E> {
        let mut drawn = self.randomness.iter().copied();
        let mut random = || {
            drawn
                .next()
                .expect("the auxiliary segment's random rows need AirProver::with_randomness")
        };
        self.public_inputs.build_aux(
            main_trace.main_segment(),
            aux_rand_elements.rand_elements(),
            &self.options,
            &mut random,
        )
    }

    fn new_trace_lde<E: FieldElement<BaseField = BaseElement>>(
        &self,
        trace_info: &TraceInfo,
        main_trace: &ColMatrix<BaseElement>,
        domain: &StarkDomain<BaseElement>,
        partition_option: PartitionOptions,
    ) -> (Self::TraceLde<E>, TracePolyTable<E>) {
        (self.progress)(Phase::CommitTrace);
        DefaultTraceLde::new(trace_info, main_trace, domain, partition_option)
    }

    fn new_evaluator<'a, E: FieldElement<BaseField = BaseElement>>(
        &self,
        air: &'a A,
        aux_rand_elements: Option<AuxRandElements<E>>,
        composition_coefficients: ConstraintCompositionCoefficients<E>,
    ) -> Self::ConstraintEvaluator<'a, E> {
        (self.progress)(Phase::Constraints);
        DefaultConstraintEvaluator::new(air, aux_rand_elements, composition_coefficients)
    }

    fn build_constraint_commitment<E: FieldElement<BaseField = BaseElement>>(
        &self,
        composition_poly_trace: CompositionPolyTrace<E>,
        num_constraint_composition_columns: usize,
        domain: &StarkDomain<BaseElement>,
        partition_options: PartitionOptions,
    ) -> (Self::ConstraintCommitment<E>, CompositionPoly<E>) {
        (self.progress)(Phase::Composition);
        let commitment = DefaultConstraintCommitment::new(
            composition_poly_trace,
            num_constraint_composition_columns,
            domain,
            partition_options,
        );
        // What follows in Winterfell's `prove` is the DEEP composition and FRI.
        (self.progress)(Phase::Fri);
        commitment
    }
}
