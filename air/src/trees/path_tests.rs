//! The path layout end to end: honest proofs of random ensembles verify with the reference
//! scores, and a prover that looks up anything but the visited split, or reads another
//! feature, is rejected. The constraints one by one are forged in the mutation harness.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TraceTable;

use super::path::THRESHOLD;
use super::walk::{Ensemble, Tree};
use super::{TreeAir, TreeBody, TreeStatement};
use crate::inference::build_trace;
use crate::input::{Feature, InputBlock};
use crate::testing::{options, rng, salt};

/// A pseudo-random generator for the shapes (not the proofs' randomness).
struct Shapes(u64);

impl Shapes {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A random tree of `splits` splits over `features` features: each split's children are drawn
/// from the nodes not yet placed, so the shapes vary from chains to bushes.
fn random_tree(
    shapes: &mut Shapes,
    splits: usize,
    features: usize,
    target: u32,
    missing: bool,
) -> Tree {
    // Node ids: splits 0..s, leaves s..2s+1; grow by expanding a random open leaf slot.
    let mut left = vec![0u32; splits];
    let mut right = vec![0u32; splits];
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut next_leaf = splits as u32;
    for split in 0..splits {
        if split > 0 {
            let (parent, is_left) = open.swap_remove(shapes.below(open.len() as u64) as usize);
            match is_left {
                true => left[parent] = split as u32,
                false => right[parent] = split as u32,
            }
        }
        open.push((split, true));
        open.push((split, false));
    }
    for (parent, is_left) in open {
        match is_left {
            true => left[parent] = next_leaf,
            false => right[parent] = next_leaf,
        }
        next_leaf += 1;
    }
    Tree {
        target: Some(target),
        feature: (0..splits)
            .map(|_| shapes.below(features as u64) as u32)
            .collect(),
        threshold: (0..splits)
            .map(|_| shapes.below(1 << 16) as i64 + 1)
            .collect(),
        left,
        right,
        leaf_value: (0..=splits)
            .map(|_| shapes.below(2001) as i64 - 1000)
            .collect(),
        default_left: match missing {
            true => (0..splits).map(|_| shapes.below(2) == 1).collect(),
            false => Vec::new(),
        },
        categories: Vec::new(),
    }
}

fn random_ensemble(seed: u64, missing: bool) -> Ensemble {
    let mut shapes = Shapes(seed);
    let (features, scores) = (7, 1 + seed as usize % 3);
    let trees = (0..6)
        .map(|t| {
            let splits = shapes.below(12) as usize;
            random_tree(&mut shapes, splits, features, (t % scores) as u32, missing)
        })
        .collect();
    Ensemble {
        missing,
        category_codes: Vec::new(),
        num_features: features,
        num_scores: scores,
        base: (0..scores as i64).map(|c| 17 * c - 3).collect(),
        trees,
    }
}

fn random_input(seed: u64, features: usize, missing: bool) -> Vec<Feature> {
    let mut shapes = Shapes(seed ^ 0x9e37);
    (0..features)
        .map(|_| match missing && shapes.below(4) == 0 {
            true => None,
            false => Some(shapes.below(1 << 16) as u16),
        })
        .collect()
}

fn statement(ensemble: Ensemble, q: &[Feature]) -> TreeStatement {
    let walk = TreeBody::walking(ensemble.clone()).unwrap();
    let scores = crate::testing::scores(&walk, q);
    let body = TreeBody::pathing(ensemble).unwrap();
    assert!(
        body.path().is_some(),
        "the ensemble proves in the path layout"
    );
    crate::testing::statement(body, q, scores)
}

fn honest(statement: &TreeStatement, q: &[Feature]) -> TraceTable<BaseElement> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1)).expect("the scores hold")
}

fn verifies(trace: TraceTable<BaseElement>, statement: &TreeStatement) -> bool {
    let proof = crate::testing::prove::<TreeAir>(trace, statement);
    crate::testing::verify::<TreeAir>(proof, statement).is_ok()
}

#[test]
fn random_ensembles_prove_the_walks_scores() {
    for seed in 0..24 {
        let missing = seed % 2 == 1;
        let ensemble = random_ensemble(seed, missing);
        let q = random_input(seed, ensemble.num_features, missing);
        let statement = statement(ensemble, &q);
        assert!(verifies(honest(&statement, &q), &statement), "seed {seed}");
    }
}

/// A present input to a random ensemble without missing features, its statement, honest trace,
/// and the first step row (tree 0's root, a split on a present feature).
fn forgeable() -> (TreeStatement, Vec<Feature>, TraceTable<BaseElement>, usize) {
    let ensemble = (0..)
        .map(|seed| random_ensemble(seed, false))
        .find(|e| e.trees[0].feature.len() > 1);
    let ensemble = ensemble.expect("a first tree with splits");
    let q = random_input(7, ensemble.num_features, false);
    let statement = statement(ensemble, &q);
    let trace = honest(&statement, &q);
    let row = statement.body_row();
    (statement, q, trace, row)
}

/// Writes the digits of `d` on `row`.
fn set_digits(statement: &TreeStatement, trace: &mut TraceTable<BaseElement>, row: usize, d: u64) {
    let input = statement.input();
    for (j, digit) in InputBlock::digits_of(d as u16).into_iter().enumerate() {
        trace.set(input.digits() + j, row, digit);
    }
}

#[test]
fn a_step_holding_no_entry_of_the_table_is_rejected() {
    // The root's threshold one higher and d one lower: every main constraint holds, the
    // entry read is the root's but for its threshold.
    let (statement, _, mut trace, row) = forgeable();
    let (column, d) = (
        statement.body_column() + THRESHOLD,
        statement.input().recomposed(&row_of(&trace, row)),
    );
    trace.set(column, row, trace.get(column, row) + BaseElement::ONE);
    set_digits(&statement, &mut trace, row, d.as_int() - 1);
    only_the_lookup_breaks(&trace, &statement);
    assert!(!verifies(trace, &statement));
}

#[test]
fn a_step_reading_a_value_no_feature_has_is_rejected() {
    // The root reads x + 1 with d + 1: the same decision, a feature key no table entry has.
    let (statement, _, mut trace, row) = forgeable();
    let input = statement.input();
    let d = input.recomposed(&row_of(&trace, row)).as_int();
    let x = trace.get(input.x(), row);
    crate::testing::set_element(&mut trace, &input, row, x + BaseElement::ONE);
    set_digits(&statement, &mut trace, row, d + 1);
    only_the_lookup_breaks(&trace, &statement);
    assert!(!verifies(trace, &statement));
}

#[test]
fn a_multiplicity_moved_to_another_entry_is_rejected() {
    let (statement, _, mut trace, _) = forgeable();
    let path = statement.body.path().expect("the path layout");
    let column = statement.body_column() + path.multiplicity(0);
    let (visited, unvisited) = (0..path.table_rows())
        .map(|row| (row, trace.get(column, row)))
        .fold((None, None), |(v, u), (row, m)| {
            match m == BaseElement::ZERO {
                true => (v, u.or(Some(row))),
                false => (v.or(Some(row)), u),
            }
        });
    let (visited, unvisited) = (visited.unwrap(), unvisited.unwrap());
    trace.set(
        column,
        visited,
        trace.get(column, visited) - BaseElement::ONE,
    );
    trace.set(column, unvisited, BaseElement::ONE);
    only_the_lookup_breaks(&trace, &statement);
    assert!(!verifies(trace, &statement));
}

/// Asserts that `trace` breaks no transition and no assertion of `statement`'s AIR but the
/// lookup's closing sum: its reads are not the table's.
fn only_the_lookup_breaks(trace: &TraceTable<BaseElement>, statement: &TreeStatement) {
    use winterfell::Air;
    let air = TreeAir::new(
        statement.trace_info(&options()),
        statement.clone(),
        options(),
    );
    let found = crate::mutation::violations(&air, trace, crate::mutation::AuxForgery::Honest);
    assert!(found.transitions.is_empty(), "{found:?}");
    let labels = statement.assertion_labels();
    let broken: Vec<&str> = found
        .assertions
        .iter()
        .map(|&i| labels[i].as_str())
        .collect();
    assert_eq!(broken, ["lookup.end"]);
}

/// Row `row` of `trace`.
fn row_of(trace: &TraceTable<BaseElement>, row: usize) -> Vec<BaseElement> {
    (0..trace.width())
        .map(|column| trace.get(column, row))
        .collect()
}
