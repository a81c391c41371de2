//! The tree AIR end to end: honest proofs verify, and malicious provers that build a bad trace
//! directly are rejected by the real verifier. The walk's constraints one by one are tested in
//! `walk_tests`; the shared input block in `crate::input`.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Proof, Trace, TraceTable};

use super::walk::{Ensemble, Tree, B, D_BITS, IND};
use super::{TreeAir, TreeBody, TreeStatement};
use crate::disclosure::{felt, Comparison};
use crate::inference::build_trace;
use crate::input::InputBlock;
use crate::testing::{options, rng, salt, set_x};

/// Two trees over three features and two scores:
///
/// ```text
/// tree 0 (score 0):  q0 < 100 ? (q1 < 7 ? 10 : −20) : 30
/// tree 1 (both):     q2 < 50000 ? [1, 2] : [−3, 4]
/// ```
fn ensemble() -> Ensemble {
    Ensemble {
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
                leaf_value: vec![10, -20, 30],
            },
            Tree {
                target: None,
                feature: vec![2],
                threshold: vec![50000],
                left: vec![1],
                right: vec![2],
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

/// Node rows of the trace: row of split `i` of tree 0 is `F + i` (pre-order 0, 1), tree 1's
/// root is `F + 2`.
fn node_row(statement: &TreeStatement, index: usize) -> usize {
    statement.body_row() + index
}

#[test]
fn a_wrong_branch_is_rejected() {
    // q0 = 99 < 100: the root goes left. Claim it went right (to the 30 leaf) with b = 0, and
    // the digits of d = x − t = −1 in the field, taken mod 2^16: they cannot add up.
    let q = [99, 6, 49999];
    let statement = statement(&q);
    let body = statement.body.clone();
    let walk = body.walk();
    let mut trace = honest(&statement, &q);
    let at = statement.body_column();
    let row = node_row(&statement, 0);
    trace.set(at + B, row, BaseElement::ZERO);
    for j in 0..16 {
        trace.set(
            at + D_BITS + j,
            row,
            BaseElement::from((0xffffu32 >> j) & 1),
        );
    }
    // Rebuild the rest of the walk consistently with the wrong branch: the left subtree's
    // indicator is 0, the right leaf (30) is added.
    trace.set(at + IND, node_row(&statement, 1), BaseElement::ZERO);
    trace.set(at + walk.stack(0), row, BaseElement::ONE);
    let mut claimed = statement.clone();
    let scores = vec![5 + 30 + 1, -5 + 2];
    let last = crate::zk::ZkParams::for_options(&options()).last_real_row(trace.length());
    for (c, &score) in scores.iter().enumerate() {
        // Tree 0 adds on row 0 (its root's right leaf) instead of row 1.
        let before = felt(statement.body.walk().initial_scores()[c]);
        for r in 0..=row {
            trace.set(at + walk.acc(c), r, before);
        }
        let after_tree0 = before + if c == 0 { felt(30) } else { BaseElement::ZERO };
        for r in row + 1..=row + 2 {
            trace.set(at + walk.acc(c), r, after_tree0);
        }
        for r in row + 3..=last {
            trace.set(at + walk.acc(c), r, felt(score));
        }
    }
    claimed.scores = Some(scores);
    assert_rejected(trace, &claimed);
}

#[test]
fn a_feature_read_from_another_cell_is_rejected() {
    // Node row 1 (q1 < 7) reads q0 = 99 instead of q1 = 6: the selection constraint fails.
    let q = [99, 6, 49999];
    let statement = statement(&q);
    let input = statement.input();
    let mut trace = honest(&statement, &q);
    let row = node_row(&statement, 1);
    set_x(&mut trace, &input, row, 99);
    // With x = 99 ≥ 7 the node goes right: b = 0, d = 92, and the −20 leaf is reached.
    let at = statement.body_column();
    trace.set(at + B, row, BaseElement::ZERO);
    for j in 0..16 {
        trace.set(at + D_BITS + j, row, BaseElement::from((92u32 >> j) & 1));
    }
    let walk = statement.body.walk();
    let last = crate::zk::ZkParams::for_options(&options()).last_real_row(trace.length());
    trace.set(at + walk.stack(1), row, BaseElement::ONE);
    for r in row + 1..=last {
        let value = trace.get(at + walk.acc(0), r) - felt(30);
        trace.set(at + walk.acc(0), r, value);
    }
    let mut claimed = statement.clone();
    claimed.scores.as_mut().unwrap()[0] -= 30;
    assert_rejected(trace, &claimed);
}

#[test]
fn a_wrong_leaf_value_or_indicator_is_rejected() {
    let q = [99, 6, 49999];
    let statement = statement(&q);
    let walk = statement.body.walk().clone();
    let at = statement.body_column();
    let last = crate::zk::ZkParams::for_options(&options()).last_real_row(256);
    // Add 1 to score 0 after the last node: the accumulator's transition fails.
    let mut trace = honest(&statement, &q);
    let after = statement.scores_row();
    for r in after..=last {
        let value = trace.get(at + walk.acc(0), r) + BaseElement::ONE;
        trace.set(at + walk.acc(0), r, value);
    }
    let mut claimed = statement.clone();
    claimed.scores.as_mut().unwrap()[0] += 1;
    assert_rejected(trace, &claimed);
    // Turn off the visited tree-1 root's indicator so that its leaf adds nothing.
    let mut trace = honest(&statement, &q);
    let root = node_row(&statement, 2);
    trace.set(at + IND, root, BaseElement::ZERO);
    for r in root + 1..=last {
        for (c, leaf) in [1, 2].into_iter().enumerate() {
            let value = trace.get(at + walk.acc(c), r) - felt(leaf);
            trace.set(at + walk.acc(c), r, value);
        }
    }
    let mut claimed = statement.clone();
    claimed.scores.as_mut().unwrap()[0] -= 1;
    claimed.scores.as_mut().unwrap()[1] -= 2;
    assert_rejected(trace, &claimed);
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
