use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{FieldElement, StarkField};
use winterfell::{Proof, Trace, TraceTable};

use super::{build_trace, Comparison, LinearAir, LinearPublicInputs, ACC, BITS, X};
use crate::prover::Hash;
use crate::testing::options;

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
        context: [
            BaseElement::new(1),
            BaseElement::new(2),
            BaseElement::new(3),
            BaseElement::new(4),
        ],
        weights,
        bias,
        scores: Some(scores),
        comparisons: Vec::new(),
    }
}

fn scores(inputs: &LinearPublicInputs) -> Vec<i64> {
    inputs.scores.clone().expect("disclosed")
}

/// Test randomness (xorshift); the product draws from the operating system's CSPRNG.
fn rng() -> impl FnMut() -> BaseElement {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        BaseElement::new(state)
    }
}

/// The honest trace.
fn honest(inputs: &LinearPublicInputs, q: &[u16]) -> TraceTable<BaseElement> {
    try_honest(inputs, q).expect("the comparisons hold")
}

fn try_honest(inputs: &LinearPublicInputs, q: &[u16]) -> Option<TraceTable<BaseElement>> {
    build_trace(inputs, q, &options(), &mut rng())
}

fn prove(trace: TraceTable<BaseElement>, inputs: &LinearPublicInputs) -> Proof {
    crate::testing::prove::<LinearAir>(trace, inputs)
}

fn verify(proof: Proof, inputs: &LinearPublicInputs) -> Result<(), winterfell::VerifierError> {
    crate::testing::verify::<LinearAir>(proof, inputs)
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
        scores(&inputs),
        vec![-1000 + 3 * 1234 - 5 * 65535 + 7 * 7, 42 - 2 * 1234 + 77]
    );
    let proof = prove(honest(&inputs, &q), &inputs);
    verify(proof, &inputs).expect("verifies");
}

#[test]
fn a_wrong_disclosed_score_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let mut claimed = inputs.clone();
    claimed.scores.as_mut().unwrap()[1] += 1;
    // The honest trace cannot satisfy the claimed score.
    assert_rejected(honest(&inputs, &q), &claimed);
    // Nor can a trace whose final accumulator was edited to match it.
    let mut trace = honest(&inputs, &q);
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
    let mut trace = honest(&inputs, &q);
    let skipped = BaseElement::from(5u32 * 65535);
    for row in 2..trace.length() {
        let value = trace.get(ACC, row) + skipped;
        trace.set(ACC, row, value);
    }
    let mut claimed = inputs.clone();
    claimed.scores.as_mut().unwrap()[0] += 5 * 65535;
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
    let real = crate::zk::ZkParams::for_options(&options()).last_real_row(trace.length());
    for c in 0..inputs.num_scores() {
        let mut acc = super::air::felt(inputs.bias[c]);
        for row in 0..=real {
            trace.set(ACC + c, row, acc);
            if row < features {
                acc += super::air::felt(inputs.weights[c][row]) * trace.get(X, row);
            }
        }
        let score = trace.get(ACC + c, features).as_int();
        let half = BaseElement::MODULUS / 2;
        claimed.scores.as_mut().unwrap()[c] = if score > half {
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
    let mut trace = honest(&inputs, &q);
    trace.set(X, 1, BaseElement::from(65536u32));
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
    // A "bit" of 65538 makes x = 65544 add up, but is not boolean.
    let mut trace = honest(&inputs, &q);
    trace.set(X, 2, BaseElement::from(65544u32));
    trace.set(BITS, 2, BaseElement::from(65538u32));
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
    // A negative x (p − 1) cannot be 16 boolean digits.
    let mut trace = honest(&inputs, &q);
    trace.set(X, 0, -BaseElement::ONE);
    let claimed = consistent(&mut trace, &inputs);
    assert_rejected(trace, &claimed);
}

#[test]
fn the_consistency_helper_keeps_honest_traces_valid() {
    // Guards the test above: without a forgery, `consistent` changes nothing that matters.
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let mut trace = honest(&inputs, &q);
    let claimed = consistent(&mut trace, &inputs);
    assert_eq!(claimed, inputs);
    verify(prove(trace, &claimed), &claimed).expect("still valid");
}

#[test]
fn another_model_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let proof = prove(honest(&inputs, &q), &inputs);
    let mut other = inputs.clone();
    other.weights[0][2] += 1;
    other.scores.as_mut().unwrap()[0] += 7;
    assert!(verify(proof, &other).is_err());
}

#[test]
fn proof_figures() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let start = std::time::Instant::now();
    let proof = prove(honest(&inputs, &q), &inputs);
    let proved = start.elapsed();
    let bytes = proof.to_bytes().len();
    let security = proof.conjectured_security::<Hash>().bits();
    let rows = proof.context.trace_info().length();
    verify(proof, &inputs).unwrap();
    println!("linear AIR: {rows} rows, prove {proved:?}, {bytes} bytes, {security} bits");
    assert!(bytes > 1000);
}

/// One score, `bias + 3·x0 − 5·x1 + 7·x2`, hidden; the comparisons carry the disclosure.
fn hidden(q: &[u16], comparisons: Vec<Comparison>) -> LinearPublicInputs {
    let mut inputs = statement(q);
    inputs.weights.truncate(1);
    inputs.bias.truncate(1);
    inputs.scores = None;
    inputs.comparisons = comparisons;
    inputs
}

fn class_one() -> Comparison {
    // score − 1 ≥ 0
    Comparison {
        coefficients: vec![1],
        offset: -1,
    }
}

fn class_zero() -> Comparison {
    // −score ≥ 0
    Comparison {
        coefficients: vec![-1],
        offset: 0,
    }
}

#[test]
fn disclosed_classes_and_thresholds_verify() {
    let positive = [60000, 0, 0]; // score = −1000 + 180000 > 0
    let negative = [0, 60000, 0]; // score < 0
    for (q, comparison) in [(positive, class_one()), (negative, class_zero())] {
        let inputs = hidden(&q, vec![comparison]);
        verify(prove(honest(&inputs, &q), &inputs), &inputs).expect("true class verifies");
    }
    // Threshold T = 179000: score ≥ T is 179000 − T + … ≥ 0.
    let threshold = Comparison {
        coefficients: vec![1],
        offset: -179_000,
    };
    let inputs = hidden(&positive, vec![threshold]);
    verify(prove(honest(&inputs, &positive), &inputs), &inputs).expect("threshold verifies");
    // The honest prover cannot even build a trace for a false claim.
    assert!(try_honest(&hidden(&positive, vec![class_zero()]), &positive).is_none());
}

#[test]
fn a_false_class_is_rejected() {
    let q = [60000, 0, 0];
    let truth = hidden(&q, vec![class_one()]);
    let lie = hidden(&q, vec![class_zero()]);
    // The true trace under the false claim.
    assert_rejected(honest(&truth, &q), &lie);
    // Chunks forged from the low 48 bits of −score in the field.
    let mut trace = honest(&truth, &q);
    let negated = (-super::air::felt(truth.bias[0] + 3 * 60000)).as_int();
    let start = truth.comparison_start(0);
    let cmp = truth.cmp_column();
    let mut assembled = BaseElement::ZERO;
    for chunk in 0..3 {
        let value = ((negated >> (16 * chunk)) & 0xffff) as u32;
        trace.set(X, start + chunk, BaseElement::from(value));
        for j in 0..16 {
            trace.set(BITS + j, start + chunk, BaseElement::from((value >> j) & 1));
        }
        assembled = if chunk == 0 {
            BaseElement::ZERO
        } else {
            assembled
        };
        assembled += BaseElement::new(1 << (16 * chunk)) * BaseElement::from(value);
        trace.set(cmp, start + chunk, assembled);
    }
    assert_rejected(trace, &lie);
}

#[test]
fn multiclass_argmax_ties_go_to_the_first_class() {
    // Two scores: 3·x0 − 5·x1 + 7·x2 − 1000 and −2·x0 + 11·x2 + 42, disclosed only by class.
    let argmax = |q: &[u16], class: usize| {
        let mut inputs = statement(q);
        inputs.scores = None;
        let other = 1 - class;
        let mut coefficients = vec![0, 0];
        coefficients[class] = 1;
        coefficients[other] = -1;
        // score_class − score_other − [other < class] ≥ 0
        inputs.comparisons = vec![Comparison {
            coefficients,
            offset: -((other < class) as i64),
        }];
        inputs
    };
    // x0 = 208, x2 = 0: 3·208 − 1000 = −376 and −416 + 42 = −374: class 1 wins.
    let q = [208, 0, 0];
    verify(
        prove(honest(&argmax(&q, 1), &q), &argmax(&q, 1)),
        &argmax(&q, 1),
    )
    .expect("argmax");
    assert_rejected(honest(&argmax(&q, 1), &q), &argmax(&q, 0));
    // A tie: 3·210 + 7·2 − 1000 = −2·210 + 11·2 + 42 = −356. The first class wins.
    let tie = [210u16, 0, 2];
    assert_eq!(scores(&statement(&tie)), vec![-356, -356]);
    verify(
        prove(honest(&argmax(&tie, 0), &tie), &argmax(&tie, 0)),
        &argmax(&tie, 0),
    )
    .expect("a tie goes to class 0");
    assert!(try_honest(&argmax(&tie, 1), &tie).is_none());
    assert_rejected(honest(&argmax(&tie, 0), &tie), &argmax(&tie, 1));
}

#[test]
fn a_compared_value_not_built_from_its_chunks_is_rejected() {
    // Claim class 0 for a positive score by writing the end check's target, −score in the
    // field, straight into `cmp` instead of assembling it from range-checked chunks.
    let q = [60000, 0, 0];
    let truth = hidden(&q, vec![class_one()]);
    let lie = hidden(&q, vec![class_zero()]);
    let mut trace = honest(&truth, &q);
    let target = -super::air::felt(truth.bias[0] + 3 * 60000);
    let start = truth.comparison_start(0);
    for row in start..trace.length() {
        trace.set(truth.cmp_column(), row, target);
    }
    assert_rejected(trace, &lie);
}

#[test]
fn the_tail_rows_and_masks_are_random_and_proofs_differ() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let zk = crate::zk::ZkParams::for_options(&options());
    let trace = honest(&inputs, &q);
    let n = trace.length();
    assert!(n >= 128 && zk.transition_exemptions() <= n / 2 + 1);
    let tail = n - zk.random_rows;
    for column in 0..trace.width() {
        let values: std::collections::HashSet<u64> = (tail..n)
            .map(|row| trace.get(column, row).as_int())
            .collect();
        assert_eq!(
            values.len(),
            zk.random_rows,
            "column {column} tail is not random"
        );
    }
    // B vanishes wherever the quotient-mask constraints are enforced.
    let b = inputs.mask_column() + zk.quotient_mask_columns;
    assert!((0..tail - 1).all(|row| trace.get(b, row) == BaseElement::ZERO));
    // Fresh randomness gives a different proof of the same statement.
    let mut other_rng = {
        let mut state = 7u64;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            BaseElement::new(state >> 1)
        }
    };
    let other = build_trace(&inputs, &q, &options(), &mut other_rng).unwrap();
    let (a, b) = (prove(honest(&inputs, &q), &inputs), prove(other, &inputs));
    assert_ne!(a.to_bytes(), b.to_bytes());
    verify(a, &inputs).unwrap();
    verify(b, &inputs).unwrap();
}

#[test]
fn a_quotient_mask_that_does_not_vanish_is_rejected() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let zk = crate::zk::ZkParams::for_options(&options());
    let mut trace = honest(&inputs, &q);
    let b = inputs.mask_column() + zk.quotient_mask_columns;
    trace.set(b, 5, BaseElement::ONE);
    assert_rejected(trace, &inputs);
}

#[test]
fn a_proof_is_bound_to_its_context() {
    let q = [1234, 65535, 7];
    let inputs = statement(&q);
    let proof = prove(honest(&inputs, &q), &inputs);
    let mut elsewhere = inputs.clone();
    elsewhere.context[3] += BaseElement::ONE;
    assert!(verify(proof, &elsewhere).is_err());
}
