//! Test support shared by the AIRs' tests: options, a plain Merkle commitment, and proving
//! and verifying any AIR whose public inputs are given.

use winterfell::crypto::{DefaultRandomCoin, MerkleTree};
use winterfell::math::fields::f64::BaseElement;
use winterfell::{
    AcceptableOptions, Air, BatchingMethod, FieldExtension, Proof, ProofOptions, TraceTable,
    VerifierError,
};

use crate::prover::{AirProver, Hash, Segments};

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
    A::PublicInputs: Clone + Segments,
{
    prove_with::<A>(&options(), trace, inputs)
}

/// Proves under `options` (a production profile's, say).
pub fn prove_with<A>(
    options: &ProofOptions,
    trace: TraceTable<BaseElement>,
    inputs: &A::PublicInputs,
) -> Proof
where
    A: Air<BaseField = BaseElement> + 'static,
    A::PublicInputs: Clone + Segments,
{
    AirProver::<A, Vc>::new(options.clone(), inputs.clone())
        .with_randomness(&mut rng(0xA0C5))
        .prove(trace)
        .expect("the prover runs")
}

pub fn verify<A>(proof: Proof, inputs: &A::PublicInputs) -> Result<(), VerifierError>
where
    A: Air<BaseField = BaseElement>,
    A::PublicInputs: Clone,
{
    verify_with::<A>(&options(), proof, inputs)
}

/// Verifies, accepting exactly `options`.
pub fn verify_with<A>(
    options: &ProofOptions,
    proof: Proof,
    inputs: &A::PublicInputs,
) -> Result<(), VerifierError>
where
    A: Air<BaseField = BaseElement>,
    A::PublicInputs: Clone,
{
    let acceptable = AcceptableOptions::OptionSet(vec![options.clone()]);
    winterfell::verify::<A, Hash, DefaultRandomCoin<Hash>, Vc>(proof, inputs.clone(), &acceptable)
}

/// Test randomness (xorshift); the product draws from the operating system's CSPRNG.
pub fn rng(seed: u64) -> impl FnMut() -> BaseElement {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        BaseElement::new(state)
    }
}

/// A test salt.
pub fn salt(seed: u64) -> [BaseElement; crate::input::SALT_ELEMENTS] {
    let mut random = rng(seed ^ 0x5A17);
    core::array::from_fn(|_| random())
}

/// Writes a 16-bit `value` into the input block's `x` and its digits on `row`, keeping the
/// shift cells and the sponge consistent ([`set_element`]).
pub fn set_x(
    trace: &mut winterfell::TraceTable<BaseElement>,
    input: &crate::input::InputBlock,
    row: usize,
    value: u16,
) {
    set_element(trace, input, row, BaseElement::from(value));
    for (j, digit) in crate::input::InputBlock::digits_of(value)
        .into_iter()
        .enumerate()
    {
        trace.set(input.digits() + j, row, digit);
    }
}

/// Writes `value` into `x` on `row` and into the shift cells that repeat it on the rows above,
/// then re-runs the sponge, which absorbs them: only the constraints on `x` itself see the
/// change.
pub fn set_element(
    trace: &mut winterfell::TraceTable<BaseElement>,
    input: &crate::input::InputBlock,
    row: usize,
    value: BaseElement,
) {
    set_elements(trace, input, &[(row, value)]);
}

/// [`set_element`] for each `(row, value)`, re-running the sponge once.
pub fn set_elements(
    trace: &mut winterfell::TraceTable<BaseElement>,
    input: &crate::input::InputBlock,
    values: &[(usize, BaseElement)],
) {
    use winterfell::Trace;
    for &(row, value) in values {
        trace.set(input.x(), row, value);
        for j in 1..crate::rescue::RATE_WIDTH.min(row + 1) {
            trace.set(input.shift(j), row - j, value);
        }
    }
    let last = crate::zk::ZkParams::for_options(&options()).last_real_row(trace.length());
    rerun_sponge(trace, input, 0, last);
}

/// Re-runs the sponge from row `from` (whose state the trace holds) to row `last`, absorbing
/// the trace's message (`x` and the shift cells) on each block's first row; returns the digest.
pub fn rerun_sponge(
    trace: &mut winterfell::TraceTable<BaseElement>,
    input: &crate::input::InputBlock,
    from: usize,
    last: usize,
) -> [BaseElement; 4] {
    use crate::rescue::{CYCLE, DIGEST_RANGE, RATE_RANGE, STATE_WIDTH};
    use winterfell::crypto::hashers::Rp64_256;
    let state_at = input.state();
    let message = |trace: &winterfell::TraceTable<BaseElement>, row: usize, j: usize| match j {
        0 => trace.get(input.x(), row),
        _ => trace.get(input.shift(j), row),
    };
    let mut state: [BaseElement; STATE_WIDTH] =
        core::array::from_fn(|i| trace.get(state_at + i, from));
    for row in from..last {
        match row % CYCLE {
            0 => {
                for (j, cell) in RATE_RANGE.enumerate() {
                    state[cell] += message(trace, row, j);
                }
                Rp64_256::apply_round(&mut state, 0);
            }
            round @ 1..=6 => Rp64_256::apply_round(&mut state, round),
            _ => {}
        }
        for (i, &value) in state.iter().enumerate() {
            trace.set(state_at + i, row + 1, value);
        }
    }
    let digest_row = crate::rescue::final_row(input.num_elements());
    core::array::from_fn(|i| trace.get(state_at + DIGEST_RANGE.start + i, digest_row))
}

/// The test statement of `body` for features `q` (committed with [`salt`]`(0)`), disclosing
/// `scores` and no comparisons.
pub fn statement<B: crate::inference::Body, F: Copy + Into<crate::input::Feature>>(
    body: B,
    q: &[F],
    scores: Vec<i64>,
) -> crate::inference::Statement<B> {
    crate::inference::Statement {
        context: [1, 2, 3, 4].map(BaseElement::new),
        model_id: [5, 6, 7, 8].map(BaseElement::new),
        commitment: crate::input::InputBlock::commitment(q, &salt(0)),
        scores: Some(scores),
        comparisons: Vec::new(),
        body,
    }
}

/// The scores `body` computes on `q` (its own fill, on scratch columns).
pub fn scores<B: crate::inference::Body, F: Copy + Into<crate::input::Feature>>(
    body: &B,
    q: &[F],
) -> Vec<i64> {
    let first = crate::input::InputBlock::new(q.len()).rows();
    let last = first + body.rows();
    let zero = <BaseElement as winterfell::math::FieldElement>::ZERO;
    let mut columns = vec![vec![zero; last + 1]; body.width()];
    let q = crate::input::features(q);
    body.fill(&q, first, last, &mut columns)
}
