//! The path layout of the tree-ensemble body: one row per *step* of each tree's path, looking
//! the visited split up in a public table of every split, so that rows grow with trees × depth
//! and the table with splits ÷ [`TABLE_SLOTS`], instead of one row per split.
//!
//! # The inference being proved
//!
//! That of [`super::walk`], for ensembles without categorical splits whose leaves each add one
//! value to one score (a tree's `target`, or the only score): every tree's leaf reached by the
//! input adds its value to its score, from [`Path::initial_scores`].
//!
//! # The split table
//!
//! The splits of every tree with a split, trees in order and each tree's splits in DFS
//! pre-order, get *tags* `1, 2, …` (tag 0 means *done*: a leaf was reached). Split `T`'s
//! *entry* is the tuple, in column order,
//!
//! ```text
//! (T, f, t, L, R, v_L, v_R[, δ])
//! ```
//!
//! its feature `f`, threshold `t`, the tags `L`, `R` of its children (0 for a leaf), the values
//! `v_L`, `v_R` its children add when they are leaves (0 for a split), and, when features may be
//! missing, its default branch `δ` (1 = left). The entry of *done* is all zeros. Entry `e` of
//! the table (split `e + 1`, or *done* from `e = splits` on) sits in slot `e / rows` of row
//! `e mod rows`, up to [`TABLE_SLOTS`] a row: each slot is one periodic column per component
//! ([`Path::table`]) and a main column of the prover's multiplicities ([`Path::multiplicity`]).
//!
//! # Layout
//!
//! Tree `k`, of largest split depth `D_k − 1`, takes `D_k` consecutive *step rows*, trees in
//! order from the host's row `first_row`. A tree that is a lone leaf takes none (its value is
//! folded into the initial scores). A step row holds, in the component columns, the entry of
//! the split the input visits at that depth, or *done*'s once a leaf was reached, and:
//!
//! | column | meaning on a step row |
//! |---|---|
//! | [`NODE`]..: the components | the visited split's entry |
//! | [`Path::b`] | the decision `b`: 1 iff the input goes left |
//! | [`Path::acc`]`(c)` | the running score `c`, before this step's leaf |
//! | [`Path::feature_multiplicity`] | on feature row `f` ([`feature_row`]), how many steps read `f` |
//! | [`Path::multiplicity`]`(k)` | how many steps read the entry in slot `k` of the row |
//!
//! The host supplies `x = q[f]` (read through the feature lookup, whose feature and
//! multiplicities are private here: [`Path::feature_read`]) and `d = x − t + b·2^16`, range
//! checked, and `m` when features may be missing.
//!
//! Periodic columns: [`Path::target`]`(c)`, 1 on the step rows of the trees adding to score `c`
//! (their sum, `step`, is 1 on every step row); [`CONT`] on row `i`, 1 iff row `i + 1` is the
//! next step of row `i`'s tree; [`FIRST`], 1 iff row `i + 1` is a tree's first step, and
//! [`ROOT`], the tag of that tree's root there (0 elsewhere); [`FEATURE_ROWS`], 1 on the feature
//! rows; and the table's components.
//!
//! # Constraints
//!
//! ```text
//! b:          step·(b² − b)
//! next:       cont·(T' − b·L − (1 − b)·R) + first·T' − root
//! acc[c]:     acc_c' − acc_c − target_c·(b·v_L + (1 − b)·v_R)
//! feature:    (1 − step)·f
//! decision:   step·(x − t + b·2^16 − d)
//! ```
//!
//! and, when features may be missing, the decision is `(1 − m)·step·(x − t + b·2^16 − d)` and
//!
//! ```text
//! default:    m·step·(b − δ)
//! ```
//!
//! The body adds fractions to the lookup's sum ([`crate::lookup`]) on every row
//! ([`Path::fractions`]): the step's read, weight `step` and key `node_key(entry cells)`, and each
//! slot's table entry, weight `−multiplicity_k` and key `node_key(slot k's periodic values)`,
//! where for components `c_0..c_{K−1}`
//!
//! ```text
//! node_key(c) = c_0 + γ·c_1 + … + γ^(K−1)·c_(K−1) + γ^K
//! ```
//!
//! with the lookup's `γ`. The feature lookup's key on a step row is `f + γ·x` (the periodic `id`
//! is 0 there) with weight 1, and its table, on feature row `f`, weighs `−multiplicity_f`.
//!
//! # Degrees
//!
//! Every main constraint is of trace degree at most 2 times one full-length periodic column
//! (`step·b²`, `cont·b·L`, `target_c·b·v_L`, `m·step·b`): [`Path::constraint_degrees`]. They
//! are exact for generic columns; with the real periodic columns a constraint's degree is lower
//! when its flags are all zero (`acc[c]` when no tree with a split adds to score `c`, `next`
//! when every tree is a stump), which only Winterfell's debug-build degree check would notice.
//! The lookup's constraint has `1 + slots` body fractions whose keys have degree 1 (the
//! read's, cells) or are periodic (the table's), which Winterfell counts as degree 1 too, so
//! with the feature key its degree is `2 + 1 + slots ≤ 7`.
//!
//! # Soundness
//!
//! Suppose the host guarantees, on every step row, that `d ∈ [0, 2^16)` and that `(f, x)` is a
//! pair `(f, q_f)` of the committed input (its feature lookup, with `f` the row's cell: on the
//! feature rows `f = 0` by the `feature` constraint, so the table holds exactly the pairs
//! `(f, q_f)`). Then:
//!
//! * every step row's component cells are an entry of the table: the lookup's identity holds
//!   only if each key read with weight 1 is matched by table keys, and `node_key` is a
//!   polynomial in `γ` of degree `K ≥ 7` whose coefficients are the components, so for a random
//!   `γ` (drawn after the main trace is committed) equal keys have equal components, and no node
//!   key equals a feature key `f + γ·x` (degree 1) or a categorical run key (degree 0);
//! * by induction over a tree's steps, the step at depth `j` holds the entry of the split the
//!   input visits at depth `j`, or *done*'s if it reached a leaf at depth `≤ j`: the first step's
//!   tag is the root's (`next` on the row before, where `first = 1`, `cont = 0`); tags are
//!   distinct and nonzero, so the entry with that tag is the split's. Its `b` is the true
//!   decision (boolean by `b`, then the argument of [`super::walk`] for the decision with `x`,
//!   `t`, `d`, and for a missing feature the default), so `next` (`cont = 1`) makes the next
//!   tag `L` or `R` of the branch taken: the child split's tag, or 0 for a leaf, after which the
//!   only entry of tag 0 is *done*'s, which stays there;
//! * each tree's steps cover its depths `0..D_k`, so its path meets its leaf: on the step of the
//!   leaf's parent, `acc` adds `b·v_L + (1 − b)·v_R`, the reached leaf's value, to the tree's
//!   score; every other step adds 0 (a split child's value is 0, *done*'s are 0). So `acc` goes
//!   from the initial scores to the scores, below `2^46` in magnitude as [`super::walk::Walk`]
//!   checks, so the field sums are the integer ones.
//!
//! No constraint reads the multiplicities; the lookup's identity does, key by key. Entries
//! beyond the table's hold *done*'s key (all periodic components zero), which is an entry.
//!
//! # What the host does
//!
//! As for the walk: supplies `x` and `d` ([`Path::host_values`] are the honest ones) and `m`,
//! adds [`Path::feature_read`] to its lookup's `id` and `c` and [`Path::fractions`] to its sum,
//! puts the step rows at `first_row ≥ 1` after the feature rows, and asserts `acc` on row 0.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement};
use winterfell::TransitionConstraintDegree;

use super::walk::{Ensemble, Entry, Walk, MAX_THRESHOLD};
use crate::disclosure::felt;
use crate::input::{feature_row, Feature};

/// The most table entries on one row: each is one more fraction in the lookup's sum, whose
/// degree `3 + slots` stays within the hash's 7.
pub const TABLE_SLOTS: usize = 4;

/// Component column: the visited split's tag (0 once a leaf was reached).
pub const NODE: usize = 0;
/// Component column: its feature.
pub const FEATURE: usize = 1;
/// Component column: its threshold.
pub const THRESHOLD: usize = 2;
/// Component column: its left child's tag, 0 for a leaf.
pub const LEFT: usize = 3;
/// Component column: its right child's tag, 0 for a leaf.
pub const RIGHT: usize = 4;
/// Component column: what its left child adds when it is a leaf, else 0.
pub const LEFT_VALUE: usize = 5;
/// Component column: what its right child adds when it is a leaf, else 0.
pub const RIGHT_VALUE: usize = 6;
/// Component column, when features may be missing: its default branch, 1 = left.
pub const DEFAULT: usize = 7;

/// Periodic flag on row `i`: row `i + 1` is the next step of row `i`'s tree (after the
/// [`Path::target`] columns).
pub const CONT: usize = 0;
/// Periodic flag on row `i`: row `i + 1` is a tree's first step.
pub const FIRST: usize = 1;
/// Periodic column on row `i`: the root's tag when row `i + 1` is a tree's first step.
pub const ROOT: usize = 2;
/// Periodic flag: 1 on the feature rows.
pub const FEATURE_ROWS: usize = 3;

/// One split's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    feature: usize,
    threshold: i64,
    left: usize,
    right: usize,
    left_value: i64,
    right_value: i64,
    default_left: bool,
}

/// A tree with a split: its root's tag, its steps, the score it adds to.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PathTree {
    root: usize,
    steps: usize,
    target: usize,
}

/// The path layout of one ensemble.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    num_features: usize,
    num_scores: usize,
    missing: bool,
    initial: Vec<i64>,
    /// Split `T` is `nodes[T − 1]`.
    nodes: Vec<Node>,
    trees: Vec<PathTree>,
    slots: usize,
}

impl Path {
    /// The path layout of a checked ensemble and its walk, or `None` when the ensemble has no
    /// split, categorical splits, or a tree whose leaves add to several scores.
    pub fn new(ensemble: &Ensemble, walk: &Walk) -> Option<Path> {
        // A lone leaf is folded into the initial scores, whatever its width.
        let single = |tree: &super::walk::Tree| {
            tree.target.is_some() || ensemble.num_scores == 1 || tree.feature.is_empty()
        };
        if walk.table_slots() > 0 || !ensemble.trees.iter().all(single) {
            return None;
        }
        let rows = walk.node_rows();
        debug_assert_eq!(
            rows.len(),
            ensemble
                .trees
                .iter()
                .map(|t| t.feature.len())
                .sum::<usize>(),
            "one walk row per split, trees in order"
        );
        let mut nodes: Vec<Node> = Vec::with_capacity(rows.len());
        let mut trees = Vec::new();
        let value = |pairs: &[(usize, i64)]| pairs.first().map_or(0, |&(_, v)| v);
        for tree in ensemble.trees.iter().filter(|t| !t.feature.is_empty()) {
            let start = nodes.len();
            let mut last_at_depth: Vec<usize> = Vec::new();
            let mut deepest = 0;
            for index in start..start + tree.feature.len() {
                let row = &rows[index];
                // A child's tag is its index plus one.
                match row.entry {
                    Entry::Root => {}
                    Entry::Left => nodes[index - 1].left = index + 1,
                    Entry::Right { parent_depth } => {
                        nodes[last_at_depth[parent_depth]].right = index + 1;
                    }
                }
                last_at_depth.truncate(row.depth);
                last_at_depth.push(index);
                deepest = deepest.max(row.depth);
                nodes.push(Node {
                    feature: row.feature,
                    threshold: row.threshold,
                    left: 0,
                    right: 0,
                    left_value: value(&row.left),
                    right_value: value(&row.right),
                    default_left: row.default_left,
                });
            }
            trees.push(PathTree {
                root: start + 1,
                steps: deepest + 1,
                target: tree.target.unwrap_or(0) as usize,
            });
        }
        let steps: usize = trees.iter().map(|t| t.steps).sum();
        if steps == 0 {
            // Nothing to look up: the walk proves lone leaves without reading.
            return None;
        }
        let entries = nodes.len() + 1;
        // As few slots as keep the table within the steps' rows.
        let slots = (1..TABLE_SLOTS)
            .find(|&s| entries.div_ceil(s) <= steps)
            .unwrap_or(TABLE_SLOTS);
        Some(Path {
            num_features: ensemble.num_features,
            num_scores: ensemble.num_scores,
            missing: ensemble.missing,
            initial: walk.initial_scores(),
            nodes,
            trees,
            slots,
        })
    }

    /// Step rows: every tree's largest split depth plus one, summed.
    pub fn num_rows(&self) -> usize {
        self.trees.iter().map(|t| t.steps).sum()
    }

    pub fn num_scores(&self) -> usize {
        self.num_scores
    }

    /// Components of an entry: 7, and the default branch when features may be missing.
    pub fn components(&self) -> usize {
        DEFAULT + usize::from(self.missing)
    }

    /// The decision's column.
    pub fn b(&self) -> usize {
        self.components()
    }

    /// Accumulator column of score `c`.
    pub fn acc(&self, c: usize) -> usize {
        debug_assert!(c < self.num_scores);
        self.b() + 1 + c
    }

    /// The feature table's multiplicities, on the feature rows.
    pub fn feature_multiplicity(&self) -> usize {
        self.b() + 1 + self.num_scores
    }

    /// The multiplicities of slot `k` of the split table.
    pub fn multiplicity(&self, k: usize) -> usize {
        debug_assert!(k < self.slots);
        self.feature_multiplicity() + 1 + k
    }

    /// Component columns, `b`, the accumulators and the multiplicities.
    pub fn num_columns(&self) -> usize {
        self.feature_multiplicity() + 1 + self.slots
    }

    /// Split table entries per row.
    pub fn table_slots(&self) -> usize {
        self.slots
    }

    /// The table's entries: every split, and *done*.
    pub fn entries(&self) -> usize {
        self.nodes.len() + 1
    }

    /// Rows of the split table, from row 0.
    pub fn table_rows(&self) -> usize {
        self.entries().div_ceil(self.slots)
    }

    /// Where entry `e` sits: `(slot, row)`.
    pub fn table_cell(&self, e: usize) -> (usize, usize) {
        (e / self.table_rows(), e % self.table_rows())
    }

    /// `base` plus the lone-leaf trees: the accumulators before the first step.
    pub fn initial_scores(&self) -> Vec<i64> {
        self.initial.clone()
    }

    /// Periodic flag of the step rows of the trees adding to score `c`.
    pub fn target(&self, c: usize) -> usize {
        debug_assert!(c < self.num_scores);
        c
    }

    /// The index among the periodic columns of one of [`CONT`], [`FIRST`], [`ROOT`],
    /// [`FEATURE_ROWS`].
    pub fn flag(&self, flag: usize) -> usize {
        self.num_scores + flag
    }

    /// Periodic column of component `i` of the entries in slot `k`.
    pub fn table(&self, k: usize, i: usize) -> usize {
        debug_assert!(k < self.slots && i < self.components());
        self.num_scores + 4 + k * self.components() + i
    }

    pub fn num_periodic_columns(&self) -> usize {
        self.num_scores + 4 + self.slots * self.components()
    }

    /// `b`, `next`, the accumulators, `feature`, the decision, and with missing features the
    /// default branch.
    pub fn num_constraints(&self) -> usize {
        4 + self.num_scores + usize::from(self.missing)
    }

    pub fn constraint_degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let flagged = |d| TransitionConstraintDegree::with_cycles(d, vec![trace_length]);
        let mut degrees = vec![flagged(2), flagged(2)];
        degrees.extend((0..self.num_scores).map(|_| flagged(2)));
        degrees.push(flagged(1));
        match self.missing {
            true => degrees.extend([flagged(2), flagged(2)]),
            false => degrees.push(flagged(1)),
        }
        degrees
    }

    pub fn constraint_labels(&self) -> Vec<String> {
        let mut labels = vec!["path.b".to_string(), "path.next".into()];
        labels.extend((0..self.num_scores).map(|c| format!("path.acc[{c}]")));
        labels.extend(["path.feature".into(), "path.decision".into()]);
        if self.missing {
            labels.push("path.default".into());
        }
        labels
    }

    /// The components of split `tag`'s entry (*done*'s for tag 0).
    fn entry(&self, tag: usize) -> Vec<BaseElement> {
        let Some(node) = self.node(tag) else {
            return vec![BaseElement::ZERO; self.components()];
        };
        let count = |n: usize| BaseElement::new(n as u64);
        let mut entry = vec![
            count(tag),
            count(node.feature),
            felt(node.threshold),
            count(node.left),
            count(node.right),
            felt(node.left_value),
            felt(node.right_value),
        ];
        if self.missing {
            entry.push(BaseElement::from(node.default_left));
        }
        entry
    }

    /// Each tree's first step row and the tree, from `first_row`.
    fn step_rows(&self, first_row: usize) -> impl Iterator<Item = (usize, &PathTree)> {
        let mut row = first_row;
        self.trees.iter().map(move |tree| {
            let start = row;
            row += tree.steps;
            (start, tree)
        })
    }

    /// The periodic columns, each of length `trace_length`, for step rows from `first_row`.
    ///
    /// Panics unless `1 ≤ first_row`, the step rows end before the last row, and the table
    /// and the feature rows fit; a verifier checks an untrusted trace length first.
    pub fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        assert!(
            first_row >= 1,
            "the first root is set by the transition into it"
        );
        assert!(
            first_row + self.num_rows() < trace_length
                && self.table_rows() < trace_length
                && feature_row(self.num_features) < trace_length,
            "the step rows, the final scores' row, the table and the features must fit"
        );
        let mut columns = vec![vec![BaseElement::ZERO; trace_length]; self.num_periodic_columns()];
        for (start, tree) in self.step_rows(first_row) {
            let steps = start..start + tree.steps;
            columns[self.target(tree.target)][steps.clone()].fill(BaseElement::ONE);
            columns[self.flag(CONT)][start..steps.end - 1].fill(BaseElement::ONE);
            columns[self.flag(FIRST)][start - 1] = BaseElement::ONE;
            columns[self.flag(ROOT)][start - 1] = BaseElement::new(tree.root as u64);
        }
        for f in 0..self.num_features {
            columns[self.flag(FEATURE_ROWS)][feature_row(f)] = BaseElement::ONE;
        }
        for e in 0..self.nodes.len() {
            let (k, row) = self.table_cell(e);
            for (i, value) in self.entry(e + 1).into_iter().enumerate() {
                columns[self.table(k, i)][row] = value;
            }
        }
        columns
    }

    /// `step` on a row: the sum of the target flags.
    fn step<E: FieldElement>(&self, periodic: &[E]) -> E {
        periodic[..self.num_scores]
            .iter()
            .fold(E::ZERO, |sum, &flag| sum + flag)
    }

    /// Writes the [`Path::num_constraints`] constraint evaluations of one transition:
    /// `current`, `next` are the component's columns, `x`, `d`, `m` the host's cells on the
    /// current row, `periodic` the [`Path::periodic_columns`] there.
    #[allow(clippy::too_many_arguments)]
    pub fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        x: E,
        d: E,
        m: E,
        periodic: &[E],
        result: &mut [E],
    ) {
        let step = self.step(periodic);
        let b = current[self.b()];
        let not_b = E::ONE - b;
        result[0] = step * b * (b - E::ONE);
        let chosen = b * current[LEFT] + not_b * current[RIGHT];
        result[1] = periodic[self.flag(CONT)] * (next[NODE] - chosen)
            + periodic[self.flag(FIRST)] * next[NODE]
            - periodic[self.flag(ROOT)];
        let leaf = b * current[LEFT_VALUE] + not_b * current[RIGHT_VALUE];
        for c in 0..self.num_scores {
            let column = self.acc(c);
            result[2 + c] = next[column] - current[column] - periodic[self.target(c)] * leaf;
        }
        let at = 2 + self.num_scores;
        result[at] = (E::ONE - step) * current[FEATURE];
        let shift = E::from(BaseElement::new(MAX_THRESHOLD as u64));
        let decision = step * (x - current[THRESHOLD] + b * shift - d);
        if self.missing {
            // A missing feature cannot meet the decision: it takes the default branch.
            result[at + 1] = (E::ONE - m) * decision;
            result[at + 2] = m * step * (b - current[DEFAULT]);
        } else {
            result[at + 1] = decision;
        }
    }

    /// `node_key` of `components` (module documentation), with `gamma` the lookup's `γ`.
    fn node_key<F, E>(components: &[F], gamma: E) -> E
    where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        (components.iter().rev()).fold(E::ONE, |key, &c| key * gamma + E::from(c))
    }

    /// Fractions added to the lookup's sum on every row: the read and the table's slots.
    pub fn num_fractions(&self) -> usize {
        1 + self.slots
    }

    /// Writes the [`Path::num_fractions`] `(weight, key)` fractions of one row: the step's
    /// read of its entry, weight `step`, and each slot's table entry, weight
    /// `−multiplicity_k`. `rand` is the lookup's `[α, γ]`.
    pub fn fractions<F, E>(&self, current: &[F], periodic: &[F], rand: &[E], out: &mut [(F, E)])
    where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        let (gamma, components) = (rand[1], self.components());
        out[0] = (
            self.step(periodic),
            Self::node_key(&current[..components], gamma),
        );
        let mut table = [F::ZERO; DEFAULT + 1];
        for k in 0..self.slots {
            for (i, cell) in table[..components].iter_mut().enumerate() {
                *cell = periodic[self.table(k, i)];
            }
            let key = Self::node_key(&table[..components], gamma);
            out[1 + k] = (-current[self.multiplicity(k)], key);
        }
    }

    /// The feature lookup's `(id, c)` on a row, given the periodic ones: a step row reads
    /// its feature cell, and feature row `f` weighs `−multiplicity_f`.
    pub fn feature_read<F: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[F],
        periodic: &[F],
        id: F,
        c: F,
    ) -> (F, F) {
        let table = periodic[self.flag(FEATURE_ROWS)] * current[self.feature_multiplicity()];
        (id + current[FEATURE], c - table)
    }

    /// The decision of split `tag` on features `q` (*done* goes right).
    pub fn decide(&self, tag: usize, q: &[Feature]) -> bool {
        let Some(node) = self.node(tag) else {
            return false;
        };
        match q[node.feature] {
            Some(x) => i64::from(x) < node.threshold,
            None => node.default_left,
        }
    }

    /// The tags each step visits, in row order, with their decisions.
    fn visits<'a>(&'a self, q: &'a [Feature]) -> impl Iterator<Item = (usize, usize, bool)> + 'a {
        self.trees.iter().flat_map(move |tree| {
            let mut tag = tree.root;
            (0..tree.steps).map(move |_| {
                let visited = tag;
                let b = self.decide(visited, q);
                let (left, right) = self.children_of(visited);
                tag = if b { left } else { right };
                (visited, tree.target, b)
            })
        })
    }

    /// The host's honest `(x, d)` on each step row: the feature read and `x − t + b·2^16`
    /// (0 for a missing feature).
    pub fn host_values(&self, q: &[Feature]) -> Vec<(Feature, u16)> {
        (self.visits(q))
            .map(|(tag, _, b)| {
                let Some(x) = q[self.feature_of(tag)] else {
                    return (None, 0);
                };
                let d = i64::from(x) - self.threshold_of(tag) + i64::from(b) * MAX_THRESHOLD;
                debug_assert!((0..MAX_THRESHOLD).contains(&d));
                (Some(x), d as u16)
            })
            .collect()
    }

    /// Writes the honest component columns on rows `0..=last_row` for features `q`, with the
    /// step rows from `first_row`, and returns the scores (those on row `first_row +
    /// num_rows`). Rows after `last_row` are left untouched.
    ///
    /// Panics if `columns` are not the component's, shorter than `last_row + 1`, if `q` does
    /// not have one value per feature, or if `last_row < first_row + num_rows`.
    pub fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        let mut scores = self.initial.clone();
        let mut steps = Vec::with_capacity(self.num_rows());
        for (tag, target, b) in self.visits(q) {
            if let Some(node) = self.node(tag) {
                scores[target] += if b { node.left_value } else { node.right_value };
            }
            steps.push((tag, BaseElement::from(b)));
        }
        self.fill_steps(q, &steps, first_row, last_row, columns);
        scores
    }

    /// Writes the component columns for the steps `(tag, b)`, one per step row (the honest
    /// ones, or a forgery's), the accumulators adding `b·v_L + (1 − b)·v_R` of each, and the
    /// multiplicities of what the steps read; returns the final accumulators.
    pub(crate) fn fill_steps(
        &self,
        q: &[Feature],
        steps: &[(usize, BaseElement)],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<BaseElement> {
        assert_eq!(columns.len(), self.num_columns(), "the component's columns");
        assert!(columns.iter().all(|column| column.len() > last_row));
        assert_eq!(q.len(), self.num_features, "one value per feature");
        assert!(
            first_row + self.num_rows() <= last_row && steps.len() == self.num_rows(),
            "one step per step row, and a row for the final scores after them"
        );
        for column in columns.iter_mut() {
            column[..=last_row].fill(BaseElement::ZERO);
        }
        let mut scores: Vec<BaseElement> = self.initial.iter().map(|&s| felt(s)).collect();
        let mut visits = vec![0u64; self.entries()];
        let mut reads = vec![0u64; self.num_features];
        let targets = self
            .trees
            .iter()
            .flat_map(|t| (0..t.steps).map(|_| t.target));
        for (row, (&(tag, b), target)) in (first_row..).zip(steps.iter().zip(targets)) {
            let entry = self.entry(tag);
            for (c, &score) in scores.iter().enumerate() {
                columns[self.acc(c)][row] = score;
            }
            scores[target] += b * entry[LEFT_VALUE] + (BaseElement::ONE - b) * entry[RIGHT_VALUE];
            for (i, value) in entry.into_iter().enumerate() {
                columns[i][row] = value;
            }
            columns[self.b()][row] = b;
            reads[self.feature_of(tag)] += 1;
            visits[tag.checked_sub(1).unwrap_or(self.nodes.len())] += 1;
        }
        for c in 0..self.num_scores {
            columns[self.acc(c)][..first_row].fill(felt(self.initial[c]));
            columns[self.acc(c)][first_row + steps.len()..=last_row].fill(scores[c]);
        }
        for (f, &count) in reads.iter().enumerate() {
            columns[self.feature_multiplicity()][feature_row(f)] = BaseElement::new(count);
        }
        for (e, &count) in visits.iter().enumerate() {
            let (k, row) = self.table_cell(e);
            columns[self.multiplicity(k)][row] = BaseElement::new(count);
        }
        scores
    }

    /// Split `tag`, or `None` for *done* (tag 0).
    fn node(&self, tag: usize) -> Option<&Node> {
        tag.checked_sub(1).map(|i| &self.nodes[i])
    }

    /// The feature split `tag` reads (*done* reads feature 0).
    pub fn feature_of(&self, tag: usize) -> usize {
        self.node(tag).map_or(0, |node| node.feature)
    }

    /// Split `tag`'s threshold (0 for *done*).
    pub fn threshold_of(&self, tag: usize) -> i64 {
        self.node(tag).map_or(0, |node| node.threshold)
    }

    /// Split `tag`'s children's tags `(L, R)` (0 for a leaf, and for *done*).
    pub fn children_of(&self, tag: usize) -> (usize, usize) {
        self.node(tag)
            .map_or((0, 0), |node| (node.left, node.right))
    }

    /// The tag each step row visits on `q`, with its decision.
    pub fn steps(&self, q: &[Feature]) -> Vec<(usize, bool)> {
        self.visits(q).map(|(tag, _, b)| (tag, b)).collect()
    }

    /// The row of tree `k`'s first step, counted from the first step row.
    pub fn first_step(&self, k: usize) -> usize {
        self.trees[..k].iter().map(|t| t.steps).sum()
    }
}
