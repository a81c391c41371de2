//! Categorical splits end to end: every code of a split's feature takes the split's branch for
//! it, missing features their default, and a prover that sends a code the other way, reads a
//! run that does not hold it or forges the run table's multiplicities is rejected.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Trace, TraceTable};

use super::walk::{Ensemble, Tree, WalkError, B, NO_RUN, RUN_LENGTH, TABLE_SLOTS};
use super::{TreeAir, TreeBody, TreeStatement};
use crate::inference::build_trace;
use crate::input::{Feature, InputBlock};
use crate::testing::{options, rng, salt};

/// Codes of feature 1 (past one run's length) and feature 2.
const CODES: [u32; 3] = [0, 300, 5];

/// Three features, the first numeric, the others categorical:
///
/// ```text
/// tree 0 (score 0):  q1 ∈ {3, 4, 5, 100, 299} ? (q0 < 100 ? 10 : −20) : 30
/// tree 1 (both):     q2 ∈ {0, 2} ? [1, 2] : [−3, 4]
/// tree 2 (score 1):  q1 ∈ {} ? 7 : 11
/// tree 3 (score 0):  q2 ∈ {0, 1, 2, 3, 4} ? 13 : 17
/// ```
fn ensemble() -> Ensemble {
    let stump = |target, feature, left: &[u16], values: [i64; 2]| Tree {
        target: Some(target),
        feature: vec![feature],
        threshold: vec![0],
        left: vec![1],
        right: vec![2],
        leaf_value: values.to_vec(),
        default_left: Vec::new(),
        categories: vec![Some(left.to_vec())],
    };
    Ensemble {
        num_features: 3,
        num_scores: 2,
        base: vec![5, -5],
        missing: false,
        category_codes: CODES.to_vec(),
        trees: vec![
            Tree {
                target: Some(0),
                feature: vec![1, 0],
                threshold: vec![0, 100],
                left: vec![1, 2],
                right: vec![4, 3],
                leaf_value: vec![10, -20, 30],
                default_left: Vec::new(),
                categories: vec![Some(vec![3, 4, 5, 100, 299]), None],
            },
            Tree {
                target: None,
                leaf_value: vec![1, 2, -3, 4],
                ..stump(0, 2, &[0, 2], [0, 0])
            },
            stump(1, 1, &[], [7, 11]),
            stump(0, 2, &[0, 1, 2, 3, 4], [13, 17]),
        ],
    }
}

/// The scores, a missing feature taking every split's default: tree 0's root and tree 3's
/// split left, the others right.
fn reference(q: &[Feature]) -> Vec<i64> {
    let in_set = |f: usize, set: &[u16], default: bool| q[f].map_or(default, |x| set.contains(&x));
    let mut scores = vec![5, -5];
    scores[0] += match in_set(1, &[3, 4, 5, 100, 299], true) {
        true => match q[0].is_some_and(|x| x < 100) {
            true => 10,
            false => -20,
        },
        false => 30,
    };
    let second = match in_set(2, &[0, 2], false) {
        true => [1, 2],
        false => [-3, 4],
    };
    scores[0] += second[0];
    scores[1] += second[1];
    scores[1] += if in_set(1, &[], false) { 7 } else { 11 };
    scores[0] += if in_set(2, &[0, 1, 2, 3, 4], true) {
        13
    } else {
        17
    };
    scores
}

fn with_missing() -> Ensemble {
    let mut ensemble = ensemble();
    ensemble.missing = true;
    let defaults = [vec![true, false], vec![false], vec![false], vec![true]];
    for (tree, default) in ensemble.trees.iter_mut().zip(defaults) {
        tree.default_left = default;
    }
    ensemble
}

fn statement(ensemble: Ensemble, q: &[Feature]) -> TreeStatement {
    let body = TreeBody::new(ensemble).expect("a valid ensemble");
    crate::testing::statement(body, q, reference(q))
}

fn honest(statement: &TreeStatement, q: &[Feature]) -> TraceTable<BaseElement> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1)).expect("no comparison")
}

fn verifies(trace: TraceTable<BaseElement>, statement: &TreeStatement) -> bool {
    let proof = crate::testing::prove::<TreeAir>(trace, statement);
    crate::testing::verify::<TreeAir>(proof, statement).is_ok()
}

fn present(q: [u16; 3]) -> Vec<Feature> {
    q.map(Some).to_vec()
}

#[test]
fn every_code_takes_its_split_s_branch() {
    let mut inputs: Vec<[u16; 3]> = (0..5).map(|c| [99, 3 * c, c]).collect();
    inputs.extend((0..5).map(|c| [100, [0, 99, 100, 255, 256][c as usize], c]));
    inputs.extend([[0, 299, 4], [65535, 298, 2], [7, 5, 0], [7, 101, 3]]);
    for q in inputs {
        let q = present(q);
        let statement = statement(ensemble(), &q);
        assert!(verifies(honest(&statement, &q), &statement), "{q:?}");
    }
}

#[test]
fn missing_features_take_the_default_of_categorical_splits() {
    for missing in 0..8u8 {
        let q: Vec<Feature> = [99u16, 100, 2]
            .iter()
            .enumerate()
            .map(|(f, &v)| (missing >> f & 1 == 0).then_some(v))
            .collect();
        let statement = statement(with_missing(), &q);
        assert!(verifies(honest(&statement, &q), &statement), "{q:?}");
    }
}

/// The walk row of tree 1's split on feature 2.
fn tree_1_row(statement: &TreeStatement) -> usize {
    statement.body_row() + 2
}

/// Tree 1's split sends `q2 = 0 ∈ {0, 2}` right, the walk repaired after it, its digits'
/// halves `u`, `v` (the read run's bounds are `q2 − u` and `q2 + v`), and the run table's
/// multiplicity moved from the run of 0 (run 6) to the table's cell `(slot, row)`.
fn flipped(u: u16, v: u16, (slot, table_row): (usize, usize)) -> bool {
    let q = present([99, 100, 0]);
    let claimed = statement(ensemble(), &q);
    let mut trace = honest(&claimed, &q);
    let (row, at) = (tree_1_row(&claimed), claimed.body_column());
    let walk = claimed.body.walk();
    let (k, used) = walk.table_cell(6);
    assert_eq!(trace.get(at + walk.multiplicity(k), used), BaseElement::ONE);
    trace.set(at + B, row, BaseElement::ZERO);
    let input = claimed.input();
    for (j, digit) in InputBlock::digits_of(u + 256 * v).into_iter().enumerate() {
        trace.set(input.digits() + j, row, digit);
    }
    trace.set(at + walk.multiplicity(k), used, BaseElement::ZERO);
    trace.set(at + walk.multiplicity(slot), table_row, BaseElement::ONE);
    let mut q_right = q.clone();
    q_right[2] = Some(1);
    let lie = crate::testing::statement(claimed.body.clone(), &q, reference(&q_right));
    repair(&lie, &mut trace);
    verifies(trace, &lie)
}

/// Rewrites the walk's columns after a forged decision so that its constraints hold.
fn repair(statement: &TreeStatement, trace: &mut TraceTable<BaseElement>) {
    let walk = statement.body.walk();
    let at = statement.body_column();
    let last = trace.length() - 1 - crate::zk::ZkParams::for_options(&options()).random_rows;
    let mut columns: Vec<Vec<BaseElement>> = (0..walk.num_columns())
        .map(|c| trace.get_column(at + c).to_vec())
        .collect();
    let periodic = walk.periodic_columns(statement.body_row(), trace.length());
    walk.repair(&mut columns, &periodic, last, &[]);
    for (c, column) in columns.iter().enumerate() {
        for (row, &value) in column.iter().enumerate().take(last + 1) {
            trace.set(at + c, row, value);
        }
    }
}

#[test]
fn a_code_sent_the_other_way_is_rejected() {
    // Tree 1's runs are runs 6..10 of the run table: 0..=0 left, 1..=1 right, 2..=2 left,
    // 3..=4 right. Sent right, 0 reads a run that does not exist: its own bounds, sent right,
    // or bounds that hold it (0..=4) but are no run; the run 1..=1 would need u = −1.
    let cell = |r| TreeBody::new(ensemble()).unwrap().walk().table_cell(r);
    assert!(!flipped(0, 0, cell(7)), "the code's own bounds, sent right");
    assert!(!flipped(0, 4, cell(9)), "0..=4 right, for the run 3..=4");
    assert!(!flipped(0, 1, cell(7)), "0..=1 right, for the run 1..=1");
}

#[test]
fn the_forgery_helper_keeps_an_honest_trace() {
    let q = present([99, 100, 0]);
    let claimed = statement(ensemble(), &q);
    let mut trace = honest(&claimed, &q);
    repair(&claimed, &mut trace);
    assert!(verifies(trace, &claimed));
}

#[test]
fn a_fake_run_table_entry_does_not_balance_a_forged_read() {
    // Tree 1 sends q2 = 0 right with the digits of 0..=0, and a multiplicity of 1 sits on a row
    // without a run: its key is NO_RUN, which no read produces.
    let rows = TreeBody::new(ensemble()).unwrap().walk().table_rows();
    assert!(!flipped(0, 0, (0, rows + 1)));
}

#[test]
fn the_run_table_partitions_each_split_s_codes() {
    let body = TreeBody::new(ensemble()).unwrap();
    let walk = body.walk();
    // Tree 0's root: 0..=2 R, 3..=5 L, 6..=99 R, 100 L, 101..=298 R, 299 L; tree 1: four
    // runs; tree 2: 0..=255 and 256..=299, both right (a run is at most 256 codes); tree 3:
    // one run.
    assert_eq!(walk.runs(), 6 + 4 + 2 + 1);
    // Thirteen runs for five node rows: three slots of five rows.
    assert_eq!((walk.table_slots(), walk.table_rows()), (TABLE_SLOTS, 5));
    let n = 64;
    let columns = walk.periodic_columns(InputBlock::new(3).rows(), n);
    let mut keys = std::collections::HashSet::new();
    for k in 0..TABLE_SLOTS {
        for (row, &key) in columns[walk.run_table(k)].iter().enumerate() {
            let run = k * walk.table_rows() + row;
            match row < walk.table_rows() && run < walk.runs() {
                true => assert!(keys.insert(key.as_int()), "distinct keys"),
                false => assert_eq!(key, BaseElement::new(NO_RUN), "slot {k}, row {row}"),
            }
        }
    }
    assert_eq!(keys.len(), 13);
    assert_eq!(RUN_LENGTH, 256);
}

#[test]
fn categories_must_fit_their_feature() {
    let bad = |change: fn(&mut Ensemble)| {
        let mut ensemble = ensemble();
        change(&mut ensemble);
        TreeBody::new(ensemble).unwrap_err()
    };
    let split = |tree, split| WalkError::Categories { tree, split };
    assert_eq!(
        bad(|e| e.trees[1].categories[0] = Some(vec![2, 0])),
        split(1, 0)
    );
    assert_eq!(
        bad(|e| e.trees[1].categories[0] = Some(vec![5])),
        split(1, 0)
    );
    assert_eq!(bad(|e| e.trees[1].categories[0] = None), split(1, 0));
    assert_eq!(
        bad(|e| e.trees[0].categories[1] = Some(vec![1])),
        split(0, 1)
    );
    assert_eq!(bad(|e| e.trees[1].threshold[0] = 1), split(1, 0));
    assert_eq!(bad(|e| e.trees[2].categories.clear()), split(2, 0));
    assert_eq!(
        bad(|e| {
            e.category_codes.pop();
        }),
        WalkError::CategoryCodes
    );
    assert_eq!(
        bad(|e| e.category_codes[2] = (1 << 16) + 1),
        WalkError::CategoryCodes
    );
    assert_eq!(
        bad(|e| {
            e.category_codes.clear();
        }),
        split(0, 0)
    );
}

#[test]
fn a_run_table_too_long_for_any_trace_is_refused() {
    // 800 splits sending no code of 65536 left: 256 runs each, 204,800 in all.
    let mut ensemble = ensemble();
    ensemble.category_codes[1] = 1 << 16;
    let stump = ensemble.trees[2].clone();
    ensemble.trees = vec![stump; 800];
    assert_eq!(TreeBody::new(ensemble).unwrap_err(), WalkError::TooManyRuns);
}
