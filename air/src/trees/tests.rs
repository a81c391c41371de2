//! The tree AIR end to end: honest proofs verify, and malicious provers that build a bad trace
//! directly are rejected by the real verifier. The walk's constraints one by one are tested in
//! `walk_tests`; the shared input block in `crate::input`.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Proof, TraceTable};

use super::walk::{Ensemble, Tree};
use super::{TreeAir, TreeBody, TreeStatement};
use crate::disclosure::Comparison;
use crate::inference::build_trace;
use crate::input::{Feature, InputBlock};
use crate::testing::{options, rng, salt};

/// Two trees over three features and two scores:
///
/// ```text
/// tree 0 (score 0):  q0 < 100 ? (q1 < 7 ? 10 : −20) : 30
/// tree 1 (both):     q2 < 50000 ? [1, 2] : [−3, 4]
/// ```
fn ensemble() -> Ensemble {
    Ensemble {
        missing: false,
        category_codes: Vec::new(),
        num_features: 3,
        num_scores: 2,
        base: vec![5, -5],
        trees: vec![
            Tree {
                target: Some(0),
                feature: vec![0, 1],
                threshold: vec![100, 7],
                left: vec![1, 2],
                right: vec![4, 3],
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: vec![10, -20, 30],
            },
            Tree {
                target: None,
                feature: vec![2],
                threshold: vec![50000],
                left: vec![1],
                right: vec![2],
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: vec![1, 2, -3, 4],
            },
        ],
    }
}

fn reference(q: &[u16]) -> Vec<i64> {
    let first = if q[0] < 100 {
        if q[1] < 7 {
            10
        } else {
            -20
        }
    } else {
        30
    };
    let second = if q[2] < 50000 { [1, 2] } else { [-3, 4] };
    vec![5 + first + second[0], -5 + second[1]]
}

fn statement(q: &[u16]) -> TreeStatement {
    let body = TreeBody::new(ensemble()).expect("a valid ensemble");
    crate::testing::statement(body, q, reference(q))
}

fn honest(statement: &TreeStatement, q: &[u16]) -> TraceTable<BaseElement> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1)).expect("the comparisons hold")
}

fn prove(trace: TraceTable<BaseElement>, statement: &TreeStatement) -> Proof {
    crate::testing::prove::<TreeAir>(trace, statement)
}

fn verify(proof: Proof, statement: &TreeStatement) -> Result<(), winterfell::VerifierError> {
    crate::testing::verify::<TreeAir>(proof, statement)
}

fn assert_rejected(trace: TraceTable<BaseElement>, claimed: &TreeStatement) {
    let proof = prove(trace, claimed);
    assert!(verify(proof, claimed).is_err(), "a bad trace was accepted");
}

/// Inputs reaching every leaf, on both sides of every threshold.
const INPUTS: [[u16; 3]; 5] = [
    [99, 6, 49999],
    [99, 7, 50000],
    [100, 0, 0],
    [0, 65535, 65535],
    [65535, 65535, 65535],
];

#[test]
fn honest_proofs_verify_and_disclose_the_reference_scores() {
    for q in INPUTS {
        let statement = statement(&q);
        let trace = honest(&statement, &q);
        verify(prove(trace, &statement), &statement).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}

#[test]
fn a_hidden_score_with_a_class_comparison_verifies() {
    // Class "score 0 beats score 1": score0 − score1 ≥ 0.
    let q = [100, 0, 0];
    let mut statement = statement(&q);
    statement.scores = None;
    statement.comparisons = vec![Comparison {
        coefficients: vec![1, -1],
        offset: 0,
    }];
    verify(prove(honest(&statement, &q), &statement), &statement).unwrap();
    // The opposite claim has no honest trace and a forged one fails.
    let mut lie = statement.clone();
    lie.comparisons[0].coefficients = vec![-1, 1];
    lie.comparisons[0].offset = -1;
    assert!(build_trace(&lie, &q, &salt(0), &options(), &mut rng(1)).is_none());
    assert_rejected(honest(&statement, &q), &lie);
}

#[test]
fn another_model_context_or_commitment_is_rejected() {
    let q = [99, 6, 49999];
    let statement = statement(&q);
    let variants: [fn(&mut TreeStatement); 5] = [
        |s| s.model_id[1] += BaseElement::ONE,
        |s| s.context[0] += BaseElement::ONE,
        |s| s.commitment = InputBlock::commitment(&[99, 6, 50000], &salt(0)),
        |s| {
            // Another threshold: 99 is no longer below it; the scores stay.
            let mut ensemble = s.body.ensemble().clone();
            ensemble.trees[0].threshold[0] = 99;
            s.body = TreeBody::new(ensemble).unwrap();
        },
        |s| {
            let mut ensemble = s.body.ensemble().clone();
            ensemble.trees[1].leaf_value[0] += 1;
            s.body = TreeBody::new(ensemble).unwrap();
        },
    ];
    for change in variants {
        let proof = prove(honest(&statement, &q), &statement);
        let mut other = statement.clone();
        change(&mut other);
        assert!(verify(proof, &other).is_err());
    }
}

/// The public columns the lookup and the range check rest on, which no forgery can change:
/// `x` is free exactly on the header, salt and reading rows; every read has a table entry on
/// its feature's row weighing as many reads; the weights sum to zero.
#[test]
fn the_lookup_and_range_check_columns_describe_the_reads() {
    use winterfell::Air;

    let q = [99, 6, 49999];
    let statement = statement(&q);
    let trace = honest(&statement, &q);
    let air = TreeAir::new(
        crate::prover::Segments::trace_info(&statement, &trace),
        statement.clone(),
        options(),
    );
    let columns = air.get_periodic_column_values();
    let [free, id, c] = [0, columns.len() - 2, columns.len() - 1].map(|k| &columns[k]);
    let (body, walk) = (statement.body_row(), statement.body.walk());
    let reads: Vec<(usize, usize)> = (0..walk.num_rows())
        .map(|i| (body + i, walk.feature_of_row(i)))
        .collect();
    let salt = crate::input::feature_row(q.len());
    for (row, &flag) in free.iter().enumerate() {
        let expected = row == 0
            || (salt..salt + crate::input::SALT_ELEMENTS).contains(&row)
            || reads.iter().any(|&(r, _)| r == row);
        assert_eq!(flag, BaseElement::from(expected), "row {row}");
    }
    for &(row, f) in &reads {
        assert_eq!(
            (id[row], c[row]),
            (BaseElement::new(f as u64), BaseElement::ONE)
        );
        let table = crate::input::feature_row(f);
        let count = reads.iter().filter(|&&(_, g)| g == f).count() as u64;
        assert_eq!(
            (id[table], c[table]),
            (BaseElement::new(f as u64), -BaseElement::new(count))
        );
    }
    assert_eq!(
        c.iter().fold(BaseElement::ZERO, |sum, &w| sum + w),
        BaseElement::ZERO
    );
}

/// The ensemble of [`ensemble`] with missing features: tree 0's root sends them left, its
/// second split right; tree 1's split right.
fn ensemble_with_missing() -> Ensemble {
    let mut ensemble = ensemble();
    ensemble.missing = true;
    ensemble.trees[0].default_left = vec![true, false];
    ensemble.trees[1].default_left = vec![false];
    ensemble
}

fn reference_with_missing(q: &[Feature]) -> Vec<i64> {
    // A missing feature is replaced by a value on its default side of every split reading it.
    let [q0, q1, q2] = [q[0].unwrap_or(0), q[1].unwrap_or(7), q[2].unwrap_or(50000)];
    reference(&[q0, q1, q2])
}

#[test]
fn missing_features_take_each_split_s_default_branch() {
    let body = TreeBody::new(ensemble_with_missing()).expect("a valid ensemble");
    for present in INPUTS {
        for missing in 0..8u8 {
            let q: Vec<Feature> = (0..3)
                .map(|f| (missing >> f & 1 == 0).then_some(present[f]))
                .collect();
            let scores = reference_with_missing(&q);
            let statement = crate::testing::statement(body.clone(), &q, scores);
            let trace = build_trace(&statement, &q, &salt(0), &options(), &mut rng(1))
                .expect("no comparison");
            verify(prove(trace, &statement), &statement).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        }
    }
}

#[test]
fn a_missing_feature_is_committed_apart_from_every_value() {
    let missing = InputBlock::commitment(&[None, Some(6), Some(49999)], &salt(0));
    for value in [0, 1, 65535] {
        assert_ne!(
            missing,
            InputBlock::commitment(&[Some(value), Some(6), Some(49999)], &salt(0))
        );
    }
    // With every feature present, the commitment is the plain one.
    assert_eq!(
        InputBlock::commitment(&[Some(99u16), Some(6), Some(49999)], &salt(0)),
        InputBlock::commitment(&[99u16, 6, 49999], &salt(0))
    );
}

#[test]
#[should_panic(expected = "a missing feature for a body that does not accept them")]
fn a_body_without_missing_features_gets_no_trace_for_one() {
    let q = [None, Some(6), Some(49999)];
    let body = TreeBody::new(ensemble()).expect("a valid ensemble");
    let statement = crate::testing::statement(body, &q, vec![0, 0]);
    let _ = build_trace(&statement, &q, &salt(0), &options(), &mut rng(1));
}

#[test]
fn default_branches_are_needed_exactly_with_missing_features() {
    let mut without = ensemble();
    without.trees[1].default_left = vec![true];
    assert_eq!(
        TreeBody::new(without).unwrap_err(),
        super::walk::WalkError::DefaultBranches { tree: 1 }
    );
    let mut short = ensemble_with_missing();
    short.trees[0].default_left.pop();
    assert_eq!(
        TreeBody::new(short).unwrap_err(),
        super::walk::WalkError::DefaultBranches { tree: 0 }
    );
}
