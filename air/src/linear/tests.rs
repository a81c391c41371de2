use winterfell::crypto::{DefaultRandomCoin, MerkleTree};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{FieldElement, StarkField};
use winterfell::{
    AcceptableOptions, BatchingMethod, FieldExtension, Proof, ProofOptions, Prover, Trace,
    TraceTable,
};

use super::{build_trace, LinearAir, LinearPublicInputs, ACC, BITS, X};
use crate::prover::{AirProver, Hash};

type Vc = MerkleTree<Hash>;

fn options() -> ProofOptions {
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

/// Three features, two scores.
fn statement(q: &[u16]) -> LinearPublicInputs {
    let weights = vec![vec![3, -5, 7], vec![-2, 0, 11]];
    let bias = vec![-1000, 42];
    let scores = weights
        .iter()
        .zip(&bias)
        .map(|(row, b)| b + row.iter().zip(q).map(|(w, &x)| w * x as i64).sum::<i64>())
        .collect();
    LinearPublicInputs {
        weights,
        bias,
        scores,
    }
}

fn prove(trace: TraceTable<BaseElement>, inputs: &LinearPublicInputs) -> Proof {
    AirProver::<LinearAir, Vc>::new(options(), inputs.clone())
        .prove(trace)
        .expect("the prover runs")
}

fn verify(proof: Proof, inputs: &LinearPublicInputs) -> Result<(), winterfell::VerifierError> {
    let acceptable = AcceptableOptions::OptionSet(vec![options()]);
    winterfell::verify::<LinearAir, Hash, DefaultRandomCoin<Hash>, Vc>(
        proof,
        inputs.clone(),
        &acceptable,
    )
}

/// A malicious prover's proof of `trace` for the claimed statement must not verify.
fn assert_rejected(trace: TraceTable<BaseElement>, claimed: &LinearPublicInputs) {
    let proof = prove(trace, claimed);
    assert!(verify(proof, claimed).is_err(), "a bad trace was accepted");
}

#[test]
fn an_honest_proof_verifies() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    assert_eq!(
        inputs.scores,
        vec![-1000 + 3 * 1234 - 5 * 65535 + 7 * 7, 42 - 2 * 1234 + 77]
    );
    let proof = prove(build_trace(&inputs, &q), &inputs);
    verify(proof, &inputs).expect("verifies");
}

#[test]
fn a_wrong_disclosed_score_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let mut claimed = inputs.clone();
    claimed.scores[1] += 1;
    // The honest trace cannot satisfy the claimed score.
    assert_rejected(build_trace(&inputs, &q), &claimed);
    // Nor can a trace whose final accumulator was edited to match it.
    let mut trace = build_trace(&inputs, &q);
    let last = q.len();
    let value = trace.get(ACC + 1, last) + BaseElement::ONE;
    trace.set(ACC + 1, last, value);
    assert_rejected(trace, &claimed);
}

#[test]
fn a_wrong_accumulation_step_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    // Skip feature 1's contribution, then claim the score that results.
    let mut trace = build_trace(&inputs, &q);
    let skipped = BaseElement::from(5u32 * 65535);
    for row in 2..trace.length() {
        let value = trace.get(ACC, row) + skipped;
        trace.set(ACC, row, value);
    }
    let mut claimed = inputs.clone();
    claimed.scores[0] += 5 * 65535;
    assert_rejected(trace, &claimed);
}

/// Makes a forged trace consistent everywhere but where it was forged: recomputes the
/// accumulators from the (possibly out-of-range) `x` column, and returns the statement that
/// claims the resulting scores.
fn consistent(
    trace: &mut TraceTable<BaseElement>,
    inputs: &LinearPublicInputs,
) -> LinearPublicInputs {
    let features = inputs.num_features();
    let mut claimed = inputs.clone();
    for c in 0..inputs.num_scores() {
        let mut acc = super::air::felt(inputs.bias[c]);
        for row in 0..trace.length() {
            trace.set(ACC + c, row, acc);
            if row < features {
                acc += super::air::felt(inputs.weights[c][row]) * trace.get(X, row);
            }
        }
        let score = trace.get(ACC + c, features).as_int();
        let half = BaseElement::MODULUS / 2;
        claimed.scores[c] = if score > half {
            -((BaseElement::MODULUS - score) as i64)
        } else {
            score as i64
        };
    }
    claimed
}

#[test]
fn out_of_range_features_are_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    // x = 65536 with bits that do not add up to it.
    let mut trace = build_trace(&inputs, &q);
    trace.set(X, 1, BaseElement::from(65536u32));
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
    // A "bit" of 65538 makes x = 65544 add up, but is not boolean.
    let mut trace = build_trace(&inputs, &q);
    trace.set(X, 2, BaseElement::from(65544u32));
    trace.set(BITS, 2, BaseElement::from(65538u32));
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
    // A negative x (p − 1) cannot be 16 boolean digits.
    let mut trace = build_trace(&inputs, &q);
    trace.set(X, 0, -BaseElement::ONE);
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
}

#[test]
fn the_consistency_helper_keeps_honest_traces_valid() {
    // Guards the test above: without a forgery, `consistent` changes nothing that matters.
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let mut trace = build_trace(&inputs, &q);
    let claimed = consistent(&mut trace, &inputs);
    assert_eq!(claimed, inputs);
    verify(prove(trace, &claimed), &claimed).expect("still valid");
}

#[test]
fn another_model_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let proof = prove(build_trace(&inputs, &q), &inputs);
    let mut other = inputs.clone();
    other.weights[0][2] += 1;
    other.scores[0] += 7;
    assert!(verify(proof, &other).is_err());
}

#[test]
fn proof_figures() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let start = std::time::Instant::now();
    let proof = prove(build_trace(&inputs, &q), &inputs);
    let proved = start.elapsed();
    let bytes = proof.to_bytes().len();
    let security = proof.conjectured_security::<Hash>().bits();
    verify(proof, &inputs).unwrap();
    println!("linear AIR: prove {proved:?}, {bytes} bytes, {security} bits");
    assert!(bytes > 1000);
}
