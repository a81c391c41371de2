//! The linear body's soundness, and the disclosures it is used with. The shared input block
//! (range checks, commitment) is tested in `crate::input`.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Proof, TraceTable};

use super::{LinearAir, LinearBody, LinearStatement};
use crate::disclosure::{felt, Comparison};
use crate::inference::build_trace;
use crate::testing::{options, rng, salt, set_x};

/// Three features, two scores, disclosed.
pub(crate) fn statement(q: &[u16]) -> LinearStatement {
    let body = LinearBody {
        weights: vec![vec![3, -5, 7], vec![-2, 0, 11]],
        bias: vec![-1000, 42],
        one_hot: Vec::new(),
    };
    let scores = body.scores(q);
    crate::testing::statement(body, q, scores)
}

pub(crate) fn honest(statement: &LinearStatement, q: &[u16]) -> TraceTable<BaseElement> {
    try_honest(statement, q).expect("the comparisons hold")
}

fn try_honest(statement: &LinearStatement, q: &[u16]) -> Option<TraceTable<BaseElement>> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1))
}

pub(crate) fn prove(trace: TraceTable<BaseElement>, statement: &LinearStatement) -> Proof {
    crate::testing::prove::<LinearAir>(trace, statement)
}

pub(crate) fn verify(
    proof: Proof,
    statement: &LinearStatement,
) -> Result<(), winterfell::VerifierError> {
    crate::testing::verify::<LinearAir>(proof, statement)
}

/// A malicious prover's proof of `trace` for the claimed statement must not verify.
pub(crate) fn assert_rejected(trace: TraceTable<BaseElement>, claimed: &LinearStatement) {
    let proof = prove(trace, claimed);
    assert!(verify(proof, claimed).is_err(), "a bad trace was accepted");
}

#[test]
fn an_honest_proof_verifies() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    assert_eq!(
        statement.scores,
        Some(vec![
            -1000 + 3 * 1234 - 5 * 65535 + 7 * 7,
            42 - 2 * 1234 + 77
        ])
    );
    let proof = prove(honest(&statement, &q), &statement);
    verify(proof, &statement).expect("verifies");
}

#[test]
fn another_model_is_rejected() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let proof = prove(honest(&statement, &q), &statement);
    let mut other = statement.clone();
    other.body.weights[0][2] += 1;
    other.scores.as_mut().unwrap()[0] += 7;
    assert!(verify(proof, &other).is_err());
    let proof = prove(honest(&statement, &q), &statement);
    let mut other_id = statement.clone();
    other_id.model_id[0] += BaseElement::ONE;
    assert!(verify(proof, &other_id).is_err());
}

#[test]
fn a_proof_is_bound_to_its_context() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let proof = prove(honest(&statement, &q), &statement);
    let mut elsewhere = statement.clone();
    elsewhere.context[3] += BaseElement::ONE;
    assert!(verify(proof, &elsewhere).is_err());
}

/// One score, `bias + 3·x0 − 5·x1 + 7·x2`, hidden; the comparisons carry the disclosure.
fn hidden(q: &[u16], comparisons: Vec<Comparison>) -> LinearStatement {
    let mut statement = statement(q);
    statement.body.weights.truncate(1);
    statement.body.bias.truncate(1);
    statement.scores = None;
    statement.comparisons = comparisons;
    statement
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
        let statement = hidden(&q, vec![comparison]);
        verify(prove(honest(&statement, &q), &statement), &statement).expect("true class verifies");
    }
    // Threshold T = 179000: score ≥ T is 179000 − T + … ≥ 0.
    let threshold = Comparison {
        coefficients: vec![1],
        offset: -179_000,
    };
    let statement = hidden(&positive, vec![threshold]);
    verify(prove(honest(&statement, &positive), &statement), &statement)
        .expect("threshold verifies");
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
    // Chunks forged from the low 48 bits of −score in the field: range-checked chunks that
    // cannot add up to the end check's target.
    let mut trace = honest(&truth, &q);
    let negated = (-felt(truth.body.bias[0] + 3 * 60000)).as_int();
    let start = truth.scores_row();
    let input = truth.input();
    let mut assembled = BaseElement::ZERO;
    for chunk in 0..3 {
        let value = ((negated >> (16 * chunk)) & 0xffff) as u16;
        set_x(&mut trace, &input, start + chunk, value);
        if chunk == 0 {
            assembled = BaseElement::ZERO;
        }
        assembled += BaseElement::new(1 << (16 * chunk)) * BaseElement::from(value);
        trace.set(truth.cmp_column(), start + chunk, assembled);
    }
    assert_rejected(trace, &lie);
}

#[test]
fn multiclass_argmax_ties_go_to_the_first_class() {
    // Two scores: 3·x0 − 5·x1 + 7·x2 − 1000 and −2·x0 + 11·x2 + 42, disclosed only by class.
    let argmax = |q: &[u16], class: usize| {
        let mut statement = statement(q);
        statement.scores = None;
        let other = 1 - class;
        let mut coefficients = vec![0, 0];
        coefficients[class] = 1;
        coefficients[other] = -1;
        // score_class − score_other − [other < class] ≥ 0
        statement.comparisons = vec![Comparison {
            coefficients,
            offset: -((other < class) as i64),
        }];
        statement
    };
    // x0 = 208, x2 = 0: 3·208 − 1000 = −376 and −416 + 42 = −374: class 1 wins.
    let q = [208, 0, 0];
    let claim = argmax(&q, 1);
    verify(prove(honest(&claim, &q), &claim), &claim).expect("argmax");
    assert_rejected(honest(&claim, &q), &argmax(&q, 0));
    // A tie: 3·210 + 7·2 − 1000 = −2·210 + 11·2 + 42 = −356. The first class wins.
    let tie = [210u16, 0, 2];
    assert_eq!(statement(&tie).scores, Some(vec![-356, -356]));
    let claim = argmax(&tie, 0);
    verify(prove(honest(&claim, &tie), &claim), &claim).expect("a tie goes to class 0");
    assert!(try_honest(&argmax(&tie, 1), &tie).is_none());
    assert_rejected(honest(&claim, &tie), &argmax(&tie, 1));
}

#[test]
fn proof_figures() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let start = std::time::Instant::now();
    let proof = prove(honest(&statement, &q), &statement);
    let proved = start.elapsed();
    let bytes = winterfell::Proof::to_bytes(&proof).len();
    let rows = proof.context.trace_info().length();
    let width = proof.context.trace_info().main_trace_width();
    verify(proof, &statement).unwrap();
    println!("linear AIR: {rows} rows × {width} columns, prove {proved:?}, {bytes} bytes");
    assert!(bytes > 1000);
}
