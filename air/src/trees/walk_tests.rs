//! Constraint-level tests of the walk, with no prover involved.
//!
//! Honest traces give the scores of an independent reference inference and satisfy every
//! constraint on every transition. A forgery is made consistent everywhere else by
//! [`Run::repair`] (which solves the indicator, stack and accumulator constraints forwards,
//! sparing the forged cells), so each forgery test checks that the failures are exactly the
//! ones the forgery must cause: the test fails if a constraint is missing or too weak, and shows
//! where it bites. Real proofs of malicious traces belong to the host AIR's tests.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{fft, polynom, FieldElement, StarkField};

use super::walk::{
    Ensemble, Tree, Walk, WalkError, B, IND, MAX_THRESHOLD, NEXT_LEFT, NEXT_ROOT, NODE, THRESHOLD,
};
use crate::disclosure::felt;
use crate::input::{feature_element, Feature};

/// Test randomness (xorshift).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn element(&mut self) -> BaseElement {
        BaseElement::new(self.next())
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The reference inference, written independently of the walk: recursive descent by node ids.
fn reference(ensemble: &Ensemble, q: &[u16]) -> Vec<i64> {
    fn descend(tree: &Tree, node: usize, q: &[u16]) -> usize {
        if node >= tree.feature.len() {
            return node;
        }
        let child = if (q[tree.feature[node] as usize] as i64) < tree.threshold[node] {
            tree.left[node]
        } else {
            tree.right[node]
        };
        descend(tree, child as usize, q)
    }
    let k = ensemble.num_scores;
    let mut scores = ensemble.base.clone();
    for tree in &ensemble.trees {
        let leaf = descend(tree, 0, q) - tree.feature.len();
        match tree.target {
            Some(c) => scores[c as usize] += tree.leaf_value[leaf],
            None => (0..k).for_each(|c| scores[c] += tree.leaf_value[leaf * k + c]),
        }
    }
    scores
}

/// A field element as the signed integer it encodes.
fn int(value: BaseElement) -> i64 {
    let v = value.as_int();
    if v > BaseElement::MODULUS / 2 {
        -((BaseElement::MODULUS - v) as i64)
    } else {
        v as i64
    }
}

/// The hand-built ensemble: 2 features, 2 scores.
///
/// * tree 0, one value per score: split 0 (`q0 < 100`) goes left to split 2 (`q1 < 65536`,
///   always left: leaves 5, 6) and right to split 1 (`q1 < 0`, never left: leaves 3, 4), so
///   its rows are splits 0, 2, 1 (depths 0, 1, 1);
/// * tree 1, a lone leaf adding 7 to score 1;
/// * tree 2, target 0: split 0 (`q1 < 1000`) goes left to leaf 2 (+200), right to leaf 1
///   (−100).
fn small() -> Ensemble {
    Ensemble {
        missing: false,
        category_codes: Vec::new(),
        num_features: 2,
        num_scores: 2,
        base: vec![10, -20],
        trees: vec![
            Tree {
                target: None,
                feature: vec![0, 1, 1],
                threshold: vec![100, 0, MAX_THRESHOLD],
                left: vec![2, 3, 5],
                right: vec![1, 4, 6],
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: vec![1, 2, 3, 4, 5, 6, 7, 8],
            },
            Tree {
                target: Some(1),
                feature: vec![],
                threshold: vec![],
                left: vec![],
                right: vec![],
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: vec![7],
            },
            Tree {
                target: Some(0),
                feature: vec![1],
                threshold: vec![1000],
                left: vec![2],
                right: vec![1],
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: vec![-100, 200],
            },
        ],
    }
}

/// A split of a tree being grown; children are split or leaf indices in creation order.
struct Grown {
    feature: u32,
    threshold: i64,
    left: Child,
    right: Child,
}

#[derive(Clone, Copy)]
enum Child {
    Split(usize),
    Leaf(usize),
}

/// A random tree of depth at most `max_depth`, with node ids shuffled (the root stays 0).
fn random_tree(rng: &mut Rng, num_features: usize, num_scores: usize, max_depth: usize) -> Tree {
    fn grow(
        rng: &mut Rng,
        depth: usize,
        max: usize,
        features: usize,
        splits: &mut Vec<Grown>,
        leaves: &mut usize,
    ) -> Child {
        if depth >= max || (depth > 0 && rng.below(4) == 0) {
            *leaves += 1;
            return Child::Leaf(*leaves - 1);
        }
        let id = splits.len();
        let threshold = match rng.below(6) {
            0 => 0,
            1 => MAX_THRESHOLD,
            2 => 1,
            3 => MAX_THRESHOLD - 1,
            _ => rng.below(MAX_THRESHOLD as usize + 1) as i64,
        };
        splits.push(Grown {
            feature: rng.below(features) as u32,
            threshold,
            left: Child::Leaf(0),
            right: Child::Leaf(0),
        });
        splits[id].left = grow(rng, depth + 1, max, features, splits, leaves);
        splits[id].right = grow(rng, depth + 1, max, features, splits, leaves);
        Child::Split(id)
    }
    let mut grown = Vec::new();
    let mut leaves = 0;
    grow(rng, 0, max_depth, num_features, &mut grown, &mut leaves);
    let s = grown.len();
    assert_eq!(leaves, s + 1);
    // New ids: splits keep the root at 0, leaves are shuffled among s..2s+1.
    let mut split_id: Vec<usize> = (0..s).collect();
    rng.shuffle(&mut split_id[s.min(1)..]);
    let mut leaf_id: Vec<usize> = (s..2 * s + 1).collect();
    rng.shuffle(&mut leaf_id);
    let id = |child: Child| match child {
        Child::Split(k) => split_id[k] as u32,
        Child::Leaf(k) => leaf_id[k] as u32,
    };
    let target = (rng.below(2) == 0).then(|| rng.below(num_scores) as u32);
    let width = if target.is_some() { 1 } else { num_scores };
    let mut tree = Tree {
        target,
        feature: vec![0; s],
        threshold: vec![0; s],
        left: vec![0; s],
        right: vec![0; s],
        default_left: Vec::new(),
        categories: Vec::new(),
        leaf_value: vec![0; (s + 1) * width],
    };
    for (k, split) in grown.iter().enumerate() {
        let i = split_id[k];
        tree.feature[i] = split.feature;
        tree.threshold[i] = split.threshold;
        tree.left[i] = id(split.left);
        tree.right[i] = id(split.right);
    }
    for value in tree.leaf_value.iter_mut() {
        *value = rng.below(1 << 31) as i64 - (1 << 30);
    }
    tree
}

fn random_ensemble(rng: &mut Rng) -> Ensemble {
    let num_features = 1 + rng.below(5);
    let num_scores = 1 + rng.below(3);
    Ensemble {
        missing: false,
        category_codes: Vec::new(),
        num_features,
        num_scores,
        base: (0..num_scores)
            .map(|_| rng.below(1 << 31) as i64 - (1 << 30))
            .collect(),
        trees: (0..1 + rng.below(6))
            .map(|_| {
                let depth = rng.below(9);
                random_tree(rng, num_features, num_scores, depth)
            })
            .collect(),
    }
}

/// Random features, often on either side of one of the ensemble's thresholds.
fn random_input(rng: &mut Rng, ensemble: &Ensemble) -> Vec<u16> {
    let thresholds: Vec<i64> = ensemble
        .trees
        .iter()
        .flat_map(|t| t.threshold.clone())
        .collect();
    (0..ensemble.num_features)
        .map(|_| match rng.below(5) {
            0 => 0,
            1 => u16::MAX,
            2 if !thresholds.is_empty() => {
                let t = rng.pick(&thresholds) - rng.below(2) as i64;
                t.clamp(0, u16::MAX as i64) as u16
            }
            _ => rng.next() as u16,
        })
        .collect()
}

/// A component trace with its host-side inputs: `x`, `d` and the periodic columns.
#[derive(Clone)]
struct Run {
    walk: Walk,
    first_row: usize,
    last_row: usize,
    columns: Vec<Vec<BaseElement>>,
    x: Vec<BaseElement>,
    d: Vec<BaseElement>,
    /// The host's `m`: 1 where `x` is a missing feature.
    m: Vec<BaseElement>,
    periodic: Vec<Vec<BaseElement>>,
}

impl Run {
    /// The honest trace for `q`, node rows from `first_row`, `extra` rows of carried scores
    /// after them, then a few random rows; checks that the fill leaves the random rows alone and
    /// returns the filled scores.
    fn honest<F: Copy + Into<Feature>>(
        ensemble: &Ensemble,
        q: &[F],
        first_row: usize,
        extra: usize,
        rng: &mut Rng,
    ) -> (Run, Vec<i64>) {
        let q = crate::input::features(q);
        let walk = Walk::new(ensemble).expect("a valid ensemble");
        let last_row = first_row + walk.num_rows() + extra;
        let n = (last_row + 5).next_power_of_two();
        let mut columns: Vec<Vec<BaseElement>> = (0..walk.num_columns())
            .map(|_| (0..n).map(|_| rng.element()).collect())
            .collect();
        let random = columns.clone();
        let scores = walk.fill(&q, first_row, last_row, &mut columns);
        for (column, original) in columns.iter().zip(&random) {
            assert_eq!(column[last_row + 1..], original[last_row + 1..]);
        }
        let mut x = vec![BaseElement::ZERO; n];
        let mut d = vec![BaseElement::ZERO; n];
        let mut m = vec![BaseElement::ZERO; n];
        for (i, (value, difference)) in walk.host_values(&q).into_iter().enumerate() {
            assert_eq!(value, q[walk.feature_of_row(i)]);
            x[first_row + i] = feature_element(value);
            d[first_row + i] = BaseElement::from(difference);
            m[first_row + i] = BaseElement::from(value.is_none());
        }
        let periodic = walk.periodic_columns(first_row, n);
        let run = Run {
            walk,
            first_row,
            last_row,
            columns,
            x,
            d,
            m,
            periodic,
        };
        (run, scores)
    }

    fn row(&self, row: usize) -> Vec<BaseElement> {
        self.columns.iter().map(|column| column[row]).collect()
    }

    fn periodic_row(&self, row: usize) -> Vec<BaseElement> {
        self.periodic.iter().map(|column| column[row]).collect()
    }

    fn evaluate(&self, row: usize) -> Vec<BaseElement> {
        let mut result = vec![BaseElement::ZERO; self.walk.num_constraints()];
        let (current, next) = (self.row(row), self.row(row + 1));
        let periodic = self.periodic_row(row);
        (self.walk).enforce(
            &current,
            &next,
            self.x[row],
            self.d[row],
            self.m[row],
            &periodic,
            &mut result,
        );
        result
    }

    /// The (row, constraint) pairs that are nonzero on the transitions `0..last_row`.
    fn violations(&self) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for row in 0..self.last_row {
            for (k, value) in self.evaluate(row).into_iter().enumerate() {
                if value != BaseElement::ZERO {
                    found.push((row, k));
                }
            }
        }
        found
    }

    /// Rewrites `ind`, the stack cells and the accumulators forwards from row 1 so that their
    /// constraints hold, except in the `pinned` (row, column) cells ([`Walk::repair`]).
    fn repair(&mut self, pinned: &[(usize, usize)]) {
        (self.walk).repair(&mut self.columns, &self.periodic, self.last_row, pinned);
    }

    /// The scores on the row after the node rows.
    fn final_scores(&self) -> Vec<i64> {
        let row = self.first_row + self.walk.num_rows();
        (0..self.walk.num_scores())
            .map(|c| int(self.columns[self.walk.acc(c)][row]))
            .collect()
    }

    fn node_rows(&self) -> std::ops::Range<usize> {
        self.first_row..self.first_row + self.walk.num_rows()
    }

    /// The integer `x − t + b·2^16` that `d` on node row `row` must equal, for `b`.
    fn difference(&self, row: usize, b: bool) -> i64 {
        int(self.x[row]) - int(self.periodic[THRESHOLD][row]) + i64::from(b) * MAX_THRESHOLD
    }

    /// The host's range-checked `d`: the 16-bit value `value` wraps to.
    fn set_difference(&mut self, row: usize, value: i64) {
        self.d[row] = felt(value.rem_euclid(MAX_THRESHOLD));
    }
}

/// Honest runs of random ensembles and inputs, with varied first rows and trailing rows.
fn random_runs(count: u64) -> impl Iterator<Item = (Ensemble, Vec<u16>, Run, Vec<i64>)> {
    (0..count).map(|seed| {
        let mut rng = Rng::new(seed + 1);
        let ensemble = random_ensemble(&mut rng);
        let q = random_input(&mut rng, &ensemble);
        let (first_row, extra) = (1 + rng.below(3), 1 + rng.below(3));
        let (run, scores) = Run::honest(&ensemble, &q, first_row, extra, &mut rng);
        (ensemble, q, run, scores)
    })
}

#[test]
fn a_small_ensemble_walks_in_pre_order() {
    let ensemble = small();
    let walk = Walk::new(&ensemble).unwrap();
    assert_eq!(walk.num_rows(), 4);
    // Splits at depths 0 and 1: one stack cell, for the root's right child.
    assert_eq!(walk.stack_cells(), 1);
    let features: Vec<usize> = (0..4).map(|i| walk.feature_of_row(i)).collect();
    assert_eq!(features, [0, 1, 1, 1]);
    assert_eq!(walk.initial_scores(), [10, -13]);

    let mut rng = Rng::new(1);
    // q0 < 100: split 2, always left: leaf 5 = (5, 6); q1 ≥ 1000: tree 2 adds −100.
    // q0 ≥ 100: split 1, never left: leaf 4 = (3, 4); q1 < 1000: tree 2 adds 200.
    for (q, expected) in [([50, 5000], [-85, -7]), ([100, 7], [213, -9])] {
        assert_eq!(reference(&ensemble, &q), expected);
        let (run, scores) = Run::honest(&ensemble, &q, 1, 1, &mut rng);
        assert_eq!(scores, expected);
        assert_eq!(run.final_scores(), expected);
        assert_eq!(run.violations(), []);
        // The indicator is 1 on the path: splits 0 and 2 of tree 0, or 0 and 1, then tree 2.
        let ind: Vec<_> = run.node_rows().map(|r| run.columns[IND][r]).collect();
        let path = if q[0] < 100 {
            [1, 1, 0, 1]
        } else {
            [1, 0, 1, 1]
        };
        assert_eq!(ind, path.map(|v: u8| BaseElement::from(v)));
    }
}

#[test]
fn random_ensembles_give_the_reference_scores_and_satisfy_every_constraint() {
    let mut rows = 0;
    for (ensemble, q, run, scores) in random_runs(300) {
        assert_eq!(scores, reference(&ensemble, &q));
        assert_eq!(run.final_scores(), scores);
        assert_eq!(run.violations(), []);
        rows += run.walk.num_rows();
    }
    assert!(rows > 1000, "the random trees are not trivial: {rows} rows");
}

#[test]
fn lone_leaves_need_no_rows() {
    let mut ensemble = small();
    ensemble.trees.remove(0);
    ensemble.trees.remove(1);
    let walk = Walk::new(&ensemble).unwrap();
    assert_eq!((walk.num_rows(), walk.stack_cells()), (0, 0));
    assert_eq!(walk.num_columns(), 1 + 1 + 2);
    let (run, scores) = Run::honest(&ensemble, &[3, 4], 1, 2, &mut Rng::new(2));
    assert_eq!(scores, [10, -13]);
    assert_eq!(run.violations(), []);
}

#[test]
fn repairing_an_honest_trace_changes_nothing() {
    // Guards the forgery tests: `repair` alone introduces no violation and no difference.
    for (_, _, mut run, _) in random_runs(50) {
        let honest = run.columns.clone();
        run.repair(&[]);
        assert_eq!(run.columns, honest);
    }
}

#[test]
fn a_flipped_decision_has_no_16_bit_difference() {
    let mut changed = 0;
    for (_, _, honest, scores) in random_runs(60) {
        for r in honest.node_rows() {
            let mut run = honest.clone();
            let b = run.columns[B][r] == BaseElement::ONE;
            let forged = run.difference(r, !b);
            assert!(!(0..MAX_THRESHOLD).contains(&forged));
            run.columns[B][r] = BaseElement::from(!b);
            run.set_difference(r, forged);
            run.repair(&[]);
            assert_eq!(run.violations(), [(r, run.walk.decision_constraint())]);
            // Reaching a different leaf usually changes the scores: the forgery matters.
            changed += usize::from(run.final_scores() != scores);
        }
    }
    assert!(changed > 100, "{changed} forgeries change the scores");
}

#[test]
fn no_difference_fits_a_flipped_decision() {
    // Exhaustively: with b flipped, none of the 2^16 range-checked differences satisfies the
    // decision constraint, on every node row of the small ensemble.
    let (run, _) = Run::honest(&small(), &[50, 5000], 1, 1, &mut Rng::new(3));
    let decision = run.walk.decision_constraint();
    for r in run.node_rows() {
        let mut current = run.row(r);
        current[B] = BaseElement::ONE - current[B];
        let (next, periodic) = (run.row(r + 1), run.periodic_row(r));
        let mut result = vec![BaseElement::ZERO; run.walk.num_constraints()];
        for d in 0..MAX_THRESHOLD {
            let (x, m) = (run.x[r], run.m[r]);
            (run.walk).enforce(&current, &next, x, felt(d), m, &periodic, &mut result);
            assert_ne!(result[decision], BaseElement::ZERO, "row {r}, d = {d}");
        }
    }
}

#[test]
fn a_non_boolean_decision_breaks_its_constraint() {
    // b = (d − x + t)/2^16 for an in-range d that is neither honest value: the decision
    // constraint holds, the children inherit a non-boolean indicator, and only b² = b fails.
    let inverse = BaseElement::from(1u32 << 16).inv();
    for (_, _, honest, _) in random_runs(40) {
        for r in honest.node_rows() {
            let mut run = honest.clone();
            let d = (0..MAX_THRESHOLD)
                .find(|&d| d != run.difference(r, false) && d != run.difference(r, true))
                .unwrap();
            let b = felt(d - run.difference(r, false)) * inverse;
            run.columns[B][r] = b;
            run.set_difference(r, d);
            run.repair(&[]);
            assert_eq!(run.violations(), [(r, B)]);
        }
    }
}

#[test]
fn a_wrong_indicator_breaks_the_transition_into_it() {
    let (mut on_path, mut off_path) = (0, 0);
    for (_, _, honest, _) in random_runs(60) {
        for r in honest.node_rows() {
            let mut run = honest.clone();
            // Off the path, claim the node is visited; on it, that it is not.
            let visited = run.columns[IND][r] == BaseElement::ONE;
            run.columns[IND][r] = BaseElement::from(!visited);
            if visited {
                on_path += 1;
            } else {
                off_path += 1;
            }
            run.repair(&[(r, IND)]);
            assert_eq!(run.violations(), [(r - 1, IND)]);
        }
    }
    assert!(on_path > 100 && off_path > 100, "{on_path} and {off_path}");
}

#[test]
fn a_wrong_stack_cell_breaks_the_transition_into_it() {
    let mut rng = Rng::new(4);
    for (_, _, honest, _) in random_runs(60) {
        if honest.walk.stack_cells() == 0 {
            continue;
        }
        // On node rows (where the cell is written) and on every other row (where it is carried).
        for r in 1..=honest.last_row {
            let mut run = honest.clone();
            let column = run.walk.stack(rng.below(run.walk.stack_cells()));
            run.columns[column][r] += BaseElement::ONE;
            run.repair(&[(r, column)]);
            assert_eq!(run.violations(), [(r - 1, column)]);
        }
    }
}

#[test]
fn a_wrong_accumulation_breaks_the_transition_into_it() {
    let mut rng = Rng::new(5);
    for (_, _, honest, _) in random_runs(60) {
        for r in 1..=honest.last_row {
            let mut run = honest.clone();
            let column = run.walk.acc(rng.below(run.walk.num_scores()));
            run.columns[column][r] += BaseElement::ONE;
            run.repair(&[(r, column)]);
            assert_eq!(run.violations(), [(r - 1, column)]);
        }
    }
}

#[test]
fn the_other_leaf_cannot_be_claimed() {
    // On a visited row whose children are both leaves, add the leaf not taken instead.
    let mut forged = 0;
    for (_, _, honest, _) in random_runs(60) {
        for r in honest.node_rows() {
            let walk = &honest.walk;
            let (b, ind) = (honest.columns[B][r], honest.columns[IND][r]);
            let scores = walk.num_scores();
            let p = honest.periodic_row(r);
            let (taken, other): (Vec<_>, Vec<_>) = (0..scores)
                .map(|c| (p[walk.left_leaf(c)], p[walk.right_leaf(c)]))
                .map(|(l, rt)| {
                    if b == BaseElement::ONE {
                        (l, rt)
                    } else {
                        (rt, l)
                    }
                })
                .unzip();
            if ind != BaseElement::ONE || taken == other {
                continue;
            }
            let mut run = honest.clone();
            let mut pinned = Vec::new();
            let mut expected = Vec::new();
            for c in 0..scores {
                let column = walk.acc(c);
                run.columns[column][r + 1] += other[c] - taken[c];
                pinned.push((r + 1, column));
                if other[c] != taken[c] {
                    expected.push((r, column));
                }
            }
            run.repair(&pinned);
            assert_eq!(run.violations(), expected);
            forged += 1;
        }
    }
    assert!(forged > 50);
}

#[test]
fn x_of_another_feature_breaks_the_decision() {
    // The component trusts the host's x: a prover who also recomputed b and the digits from
    // the wrong feature would pass here; it is the host that binds x to q[feature].
    for (_, q, honest, _) in random_runs(60) {
        for r in honest.node_rows() {
            let feature = honest.walk.feature_of_row(r - honest.first_row);
            let Some(other) = (0..q.len()).find(|&f| q[f] != q[feature]) else {
                continue;
            };
            let mut run = honest.clone();
            run.x[r] = BaseElement::from(q[other]);
            assert_eq!(run.violations(), [(r, run.walk.decision_constraint())]);
        }
    }
}

#[test]
fn malformed_ensembles_are_errors() {
    type Edit = fn(&mut Ensemble);
    fn case(edit: Edit, error: WalkError) -> (Edit, WalkError) {
        (edit, error)
    }
    let cases = [
        case(
            |e| {
                e.base.pop();
            },
            WalkError::BaseLength {
                scores: 2,
                found: 1,
            },
        ),
        case(
            |e| {
                e.trees[0].threshold.pop();
            },
            WalkError::SplitLengths { tree: 0 },
        ),
        case(
            |e| e.trees[0].right.push(4),
            WalkError::SplitLengths { tree: 0 },
        ),
        case(
            |e| e.trees[2].target = Some(2),
            WalkError::Target { tree: 2, target: 2 },
        ),
        case(
            |e| {
                e.trees[0].leaf_value.pop();
            },
            WalkError::LeafValues {
                tree: 0,
                expected: Some(8),
                found: 7,
            },
        ),
        case(
            |e| e.trees[1].leaf_value.push(1),
            WalkError::LeafValues {
                tree: 1,
                expected: Some(1),
                found: 2,
            },
        ),
        case(
            |e| e.trees[1].target = None,
            WalkError::LeafValues {
                tree: 1,
                expected: Some(2),
                found: 1,
            },
        ),
        case(
            |e| e.trees[0].feature[1] = 2,
            WalkError::Feature {
                tree: 0,
                split: 1,
                feature: 2,
            },
        ),
        case(
            |e| e.trees[0].threshold[2] = -1,
            WalkError::Threshold {
                tree: 0,
                split: 2,
                threshold: -1,
            },
        ),
        case(
            |e| e.trees[2].threshold[0] = MAX_THRESHOLD + 1,
            WalkError::Threshold {
                tree: 2,
                split: 0,
                threshold: MAX_THRESHOLD + 1,
            },
        ),
        case(
            |e| e.trees[0].left[1] = 7,
            WalkError::Child {
                tree: 0,
                split: 1,
                child: 7,
            },
        ),
        case(
            |e| e.trees[2].right[0] = u32::MAX,
            WalkError::Child {
                tree: 2,
                split: 0,
                child: u32::MAX,
            },
        ),
        // A cycle back to the root, and a leaf shared by both children of split 1.
        case(
            |e| e.trees[0].left[2] = 0,
            WalkError::ReachedTwice { tree: 0, node: 0 },
        ),
        case(
            |e| e.trees[0].right[1] = 3,
            WalkError::ReachedTwice { tree: 0, node: 3 },
        ),
        case(
            |e| e.trees[0].left[0] = 1,
            WalkError::ReachedTwice { tree: 0, node: 1 },
        ),
        // Split 1 hangs off nothing: the root's children are leaves 2 and 3.
        case(
            |e| {
                e.trees[2] = Tree {
                    target: Some(1),
                    feature: vec![0, 0],
                    threshold: vec![5, 5],
                    left: vec![2, 4],
                    right: vec![3, 1],
                    default_left: Vec::new(),
                    categories: Vec::new(),
                    leaf_value: vec![1, 2, 3],
                }
            },
            WalkError::Unreachable { tree: 2, node: 1 },
        ),
        case(
            |e| e.base[1] = -(1 << 46) + 10,
            WalkError::ScoreRange { score: 1 },
        ),
        case(
            |e| e.trees[2].leaf_value[0] = 1 << 46,
            WalkError::ScoreRange { score: 0 },
        ),
        case(
            |e| e.trees[0].leaf_value[7] = i64::MIN,
            WalkError::ScoreRange { score: 1 },
        ),
    ];
    assert!(Walk::new(&small()).is_ok());
    for (k, (edit, expected)) in cases.into_iter().enumerate() {
        let mut ensemble = small();
        edit(&mut ensemble);
        let error = Walk::new(&ensemble).expect_err(&format!("case {k}"));
        assert_eq!(error, expected, "case {k}");
        assert!(!error.to_string().is_empty());
    }
}

/// A small ensemble that is often malformed in some way: random vectors, or a random valid
/// tree with one field spoiled.
fn garbage(rng: &mut Rng) -> Ensemble {
    let num_features = rng.below(3);
    let num_scores = rng.below(3);
    let value = |rng: &mut Rng| match rng.below(20) {
        0 => rng.pick(&[i64::MIN, i64::MAX, 1 << 46, -(1 << 45)]),
        _ => rng.below(100) as i64 - 50,
    };
    let threshold = |rng: &mut Rng| rng.pick(&[-1, 0, 1, 77, 65535, 65536, 65537, i64::MIN]);
    let base_len = if rng.below(10) == 0 {
        rng.below(4)
    } else {
        num_scores
    };
    let base = (0..base_len).map(|_| value(rng)).collect();
    let trees = (0..rng.below(4))
        .map(|_| {
            if rng.below(2) == 0 {
                let depth = rng.below(4);
                let mut tree = random_tree(rng, num_features.max(1), num_scores.max(1), depth);
                let s = tree.feature.len();
                let node = |rng: &mut Rng| rng.below(2 * s + 3) as u32;
                match (s, rng.below(8)) {
                    (0, _) | (_, 0..=2) => {}
                    (_, 3) => tree.left[rng.below(s)] = node(rng),
                    (_, 4) => tree.right[rng.below(s)] = node(rng),
                    (_, 5) => tree.threshold[rng.below(s)] = threshold(rng),
                    (_, 6) => tree.feature[rng.below(s)] = rng.below(3) as u32,
                    _ => tree.target = (rng.below(2) == 0).then(|| rng.below(3) as u32),
                }
                return tree;
            }
            let s = rng.below(4);
            let len = |rng: &mut Rng| if rng.below(20) == 0 { rng.below(5) } else { s };
            let target = (rng.below(2) == 0).then(|| rng.below(3) as u32);
            let width = if target.is_some() { 1 } else { num_scores };
            let leaves = if rng.below(10) == 0 {
                rng.below(9)
            } else {
                (s + 1) * width
            };
            let id = |rng: &mut Rng| {
                if rng.below(30) == 0 {
                    u32::MAX
                } else {
                    rng.below(2 * s + 2) as u32
                }
            };
            Tree {
                target,
                feature: (0..len(rng)).map(|_| rng.below(3) as u32).collect(),
                threshold: (0..len(rng)).map(|_| threshold(rng)).collect(),
                left: (0..len(rng)).map(|_| id(rng)).collect(),
                right: (0..len(rng)).map(|_| id(rng)).collect(),
                default_left: Vec::new(),
                categories: Vec::new(),
                leaf_value: (0..leaves).map(|_| value(rng)).collect(),
            }
        })
        .collect();
    Ensemble {
        missing: false,
        category_codes: Vec::new(),
        num_features,
        num_scores,
        base,
        trees,
    }
}

#[test]
fn garbage_is_an_error_or_walks_correctly() {
    let mut rng = Rng::new(6);
    let (mut accepted, mut rejected, mut with_rows) = (0, 0, 0);
    for _ in 0..20_000 {
        let ensemble = garbage(&mut rng);
        match Walk::new(&ensemble) {
            Err(error) => {
                assert!(!error.to_string().is_empty());
                rejected += 1;
            }
            Ok(walk) => {
                accepted += 1;
                with_rows += usize::from(walk.num_rows() > 0);
                let q = random_input(&mut rng, &ensemble);
                let (run, scores) = Run::honest(&ensemble, &q, 1, 1, &mut rng);
                assert_eq!(scores, reference(&ensemble, &q));
                assert_eq!(run.violations(), []);
            }
        }
    }
    assert!(
        rejected > 1000 && accepted > 1000 && with_rows > 100,
        "{rejected} rejected, {accepted} accepted, {with_rows} with rows"
    );
}

#[test]
fn counts_follow_the_depth_and_the_scores() {
    for (ensemble, _, run, _) in random_runs(40) {
        let walk = &run.walk;
        let (d, k) = (walk.stack_cells(), ensemble.num_scores);
        assert_eq!(walk.num_scores(), k);
        assert_eq!(walk.num_columns(), 2 + d + k);
        assert_eq!(walk.num_constraints(), 3 + d + k);
        assert_eq!(walk.num_periodic_columns(), 4 + 2 * d + 2 * k);
        assert_eq!(run.periodic.len(), walk.num_periodic_columns());
        let n = run.x.len();
        assert!(run.periodic.iter().all(|column| column.len() == n));
        assert_eq!(walk.constraint_degrees(n).len(), walk.num_constraints());
        // enforce writes exactly the declared constraints.
        let sentinel = BaseElement::new(12345);
        let mut result = vec![sentinel; walk.num_constraints() + 1];
        let (current, next, periodic) = (run.row(0), run.row(1), run.periodic_row(0));
        let (x, diff, m) = (run.x[0], run.d[0], run.m[0]);
        walk.enforce(&current, &next, x, diff, m, &periodic, &mut result);
        assert_eq!(result[walk.num_constraints()], sentinel);
        // Every node row has exactly one way in, and the flags describe it; a node's depth
        // has a flag unless it is the deepest, whose children are leaves.
        let p = &run.periodic;
        for r in run.node_rows() {
            let mut ways = p[NEXT_ROOT][r - 1] + p[NEXT_LEFT][r - 1];
            let mut depths = BaseElement::ZERO;
            for j in 0..d {
                ways += p[walk.next_right(j)][r - 1];
                depths += p[walk.next_depth(j)][r - 1];
            }
            assert_eq!((ways, p[NODE][r]), (BaseElement::ONE, BaseElement::ONE));
            assert!(depths == BaseElement::ONE || depths == BaseElement::ZERO);
        }
    }
}

/// The degree of each constraint on random trace, `x` and periodic columns of length `n`
/// (random periodic values reach the generic degree that the declaration bounds), found by
/// evaluating at `8n` points and interpolating.
fn measured_degrees(walk: &Walk, n: usize) -> Vec<usize> {
    let mut rng = Rng::new(7);
    let inv_twiddles = fft::get_inv_twiddles::<BaseElement>(n);
    let mut random_polynomial = || {
        let mut values: Vec<BaseElement> = (0..n).map(|_| rng.element()).collect();
        fft::interpolate_poly(&mut values, &inv_twiddles);
        values
    };
    // The component's columns, then x, d and m.
    let trace: Vec<_> = (0..walk.num_columns() + 3)
        .map(|_| random_polynomial())
        .collect();
    let periodic: Vec<_> = (0..walk.num_periodic_columns())
        .map(|_| random_polynomial())
        .collect();
    let domain = 8 * n;
    let g = BaseElement::get_root_of_unity(n.ilog2());
    let w = BaseElement::get_root_of_unity(domain.ilog2());
    let offset = BaseElement::GENERATOR;
    let mut evaluations = vec![vec![BaseElement::ZERO; domain]; walk.num_constraints()];
    let mut point = offset;
    let mut result = vec![BaseElement::ZERO; walk.num_constraints()];
    for k in 0..domain {
        let current: Vec<_> = trace.iter().map(|p| polynom::eval(p, point)).collect();
        let next: Vec<_> = trace.iter().map(|p| polynom::eval(p, g * point)).collect();
        let values: Vec<_> = periodic.iter().map(|p| polynom::eval(p, point)).collect();
        let columns = walk.num_columns();
        walk.enforce(
            &current[..columns],
            &next[..columns],
            current[columns],
            current[columns + 1],
            current[columns + 2],
            &values,
            &mut result,
        );
        for (column, &value) in evaluations.iter_mut().zip(&result) {
            column[k] = value;
        }
        point *= w;
    }
    evaluations
        .iter()
        .map(|column| fft::infer_degree(column, offset))
        .collect()
}

#[test]
fn declared_degrees_are_exact() {
    let walk = Walk::new(&small()).unwrap();
    let n = 16;
    let declared: Vec<usize> = (walk.constraint_degrees(n).iter())
        .map(|degree| degree.get_evaluation_degree(n))
        .collect();
    assert_eq!(measured_degrees(&walk, n), declared);
    // 3(n − 1) at most: the b, ind, stack and accumulator constraints; the decision 2(n − 1).
    assert_eq!(declared.iter().max(), Some(&(3 * (n - 1))));
    assert_eq!(declared[walk.decision_constraint()], 2 * (n - 1));

    // With missing features, the gated decision and the default branch are 3(n − 1) too.
    let mut ensemble = small();
    ensemble.missing = true;
    for tree in &mut ensemble.trees {
        tree.default_left = (0..tree.feature.len()).map(|i| i % 2 == 0).collect();
    }
    let walk = Walk::new(&ensemble).unwrap();
    let declared: Vec<usize> = (walk.constraint_degrees(n).iter())
        .map(|degree| degree.get_evaluation_degree(n))
        .collect();
    assert_eq!(measured_degrees(&walk, n), declared);
    let decision = walk.decision_constraint();
    assert_eq!(declared[decision..], [3 * (n - 1), 3 * (n - 1)]);
}

#[test]
#[should_panic(expected = "transition into it")]
fn the_first_root_needs_a_row_before_it() {
    Walk::new(&small()).unwrap().periodic_columns(0, 16);
}
