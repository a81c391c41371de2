//! A component proving that a public tree ensemble, evaluated on private 16-bit features,
//! reaches given scores: one row per split node, reading the split's feature from the host
//! (which proves it with a lookup: [`crate::lookup`]).
//!
//! # The inference being proved
//!
//! Exactly the reference integer inference of `zkinfer::inference`: in a [`Tree`] with `s`
//! splits, node ids `0..s` are splits and `s..2s+1` leaves, node 0 is the root, and split `i`
//! sends the input left iff `q[feature[i]] < threshold[i]`, or, in an ensemble that accepts
//! missing features, iff `default_left[i]` when `q[feature[i]]` is missing. A categorical split
//! (on a categorical feature, whose values are codes `0..codes`) sends the input left iff
//! `q[feature[i]]` is one of its codes, or, missing, iff `default_left[i]`. The scores are
//! `base` plus, for every tree, the values of the leaf the input reaches (one value for the
//! tree's `target` score, or one per score).
//!
//! # Layout
//!
//! The node rows are every split of every tree, trees in order, each tree's splits in DFS
//! pre-order (node, left subtree, right subtree), starting on the host's row `first_row`.
//! Leaves get no row: a leaf's value is added on its parent's row. A tree that is a lone leaf
//! gets no row either: its value is folded into [`Walk::initial_scores`].
//!
//! | column | meaning on a node row |
//! |---|---|
//! | [`B`] | the decision `b`: 1 iff the input goes left (`x < t`) |
//! | [`IND`] | the path indicator `ind`: 1 iff the input visits the node |
//! | [`Walk::stack`]`(j)` | `ind·(1 − b)` of the current ancestor at depth `j < D` |
//! | [`Walk::acc`]`(c)` | the running score `c`, before this node's leaves |
//!
//! `D` is [`Walk::stack_cells`], the largest depth of a split (the root has depth 0): only a
//! split at depth `j < D` can have a split for its right child, so only those need a stack
//! cell, which holds what that child's indicator will be (the deepest splits' children are
//! leaves, added on the splits' own rows). `x` is the selected feature
//! `q[feature]`, and `d` the difference `x − t + b·2^16`, a 16-bit value: the host supplies
//! both (the input block's `x` and the value its base-4 digits decompose).
//!
//! When the ensemble accepts missing features, the host also supplies `m`, nonzero exactly
//! where `x` is the missing-feature code [`MISSING`].
//!
//! When some split is categorical, one to three more columns, [`Walk::multiplicity`], hold the
//! run table's multiplicities (below).
//!
//! Periodic columns, all full-length; the `next_*` ones hold on row `i` what describes row
//! `i + 1`, as a transition constraint only sees the current row's periodic values:
//! [`THRESHOLD`] `t` and [`NODE`] (1 on node rows), [`NEXT_ROOT`] (row `i + 1` is a root),
//! [`NEXT_LEFT`] (row `i + 1` is the left child of row `i`), [`Walk::next_right`]`(j)` (row
//! `i + 1` is the right child of the node at depth `j` whose stack cell is `j`),
//! [`Walk::next_depth`]`(j)` (row `i + 1` is a node at depth `j`), and
//! [`Walk::left_leaf`]`(c)`, [`Walk::right_leaf`]`(c)` (the value the node's left or right child
//! adds to score `c` if that child is a leaf, else 0), and, when the ensemble accepts missing
//! features, [`Walk::default_left`] (1 on a node row whose missing inputs go left).
//!
//! # Constraints
//!
//! On every transition, with `next_node = next_root + next_left + Σ_j next_right_j`; constraint
//! `k < `[`Walk::num_columns`] constrains column `k`, the last one ties `b` to the comparison:
//!
//! ```text
//! b:          node·(b² − b)
//! ind:        next_node·ind' − (next_root + next_left·ind·b + Σ_j next_right_j·stack_j)
//! stack[j]:   stack_j' − next_depth_j·ind'·(1 − b') − (1 − next_depth_j)·stack_j
//! acc[c]:     acc_c' − acc_c − left_leaf_c·ind·b − right_leaf_c·ind·(1 − b)
//! decision:   node·(x + b·2^16 − d) − t
//! ```
//!
//! The decision constraint is `node·(x − t + b·2^16 − d)`, as `t` is zero off the node rows.
//! When the ensemble accepts missing features, the decision is `(1 − m)·(node·(x + b·2^16 −
//! d) − t)` and one more constraint takes the default branch:
//!
//! ```text
//! default:    m·(node·b − default_left)
//! ```
//! Off the node rows every flag is zero, so only the stack cells (carried) and the accumulators
//! (carried) are constrained there.
//!
//! # Categorical splits
//!
//! A categorical split's codes fall into *runs*: the maximal intervals `lo..=hi` of codes sent
//! the same way, cut into pieces of at most [`RUN_LENGTH`] = 256 codes. Each run of each split
//! is an entry of a public *run table*, keyed
//!
//! ```text
//! key(tag, lo, hi, left) = tag·2^37 + lo·2^18 + hi·2 + left
//! ```
//!
//! with `tag` the split's node row index plus one ([`MAX_TAG`] bounds it). On a categorical
//! split's row the decision constraint is off (its flag is `node − cat`, with the periodic
//! [`Walk::categorical_flag`] `cat`), and the host's digits hold `u + 2^8·v` instead: the row
//! *reads* the run `x − u ..= x + v`, sent `b`, through the lookup of [`crate::lookup`], with
//! weight `cat·(1 − m)` (1, or 0 for a missing feature) and key `tag·2^37 + (x − u)·2^18 +
//! (x + v)·2 + b` ([`Walk::fractions`]; the periodic [`Walk::run_read`] holds `tag·2^37`). The
//! run table lies on the rows from row 0, up to [`TABLE_SLOTS`] entries a row (as few as keep
//! it within the walk's rows: a split whose codes fall into many runs costs rows): each entry
//! adds weight `−multiplicity` at its key ([`Walk::run_table`]; [`NO_RUN`] where a slot has no
//! run), the multiplicity, in its slot's column, being the prover's: 1 for the runs the splits
//! read, 0 for the others.
//!
//! No main constraint reads the multiplicities; the lookup's identity does, key by key.
//!
//! # Degrees
//!
//! Winterfell counts each periodic factor of a product separately and takes the largest term
//! of a sum. The largest terms are `node·b²`, `next_left·ind·b`, `next_depth_j·ind'·b'` and
//! `left_leaf_c·ind·b`: trace degree 2 times one full-length periodic column; the decision's
//! `node·x`, `node·b`, `node·d` are degree 1 times one periodic column when `x` and `d` have
//! trace degree 1 (a trace column, a sum of them); `m·node·x` and `m·node·b`, with missing
//! features, are degree 2 times one. So the constraints are
//! [`Walk::constraint_degrees`]: `with_cycles(2, [n])` for `b`, `ind`, the stack cells and the
//! accumulators, and `with_cycles(1, [n])` for the decision: at most `3(n − 1)`, a
//! constraint-evaluation blowup of 2. They are exact for generic columns; with the real
//! periodic columns a constraint's degree is lower when its flags are all zero (no node rows,
//! or no leaf adding to a score), which only Winterfell's debug-build degree check would
//! notice.
//!
//! # Soundness
//!
//! Suppose the host guarantees `x = q[feature]` with `0 ≤ x < 2^16`, and `0 ≤ d < 2^16`, on
//! every node row. Then:
//!
//! * `b` is the true decision: it is boolean, and `d ∈ [0, 2^16)`, while
//!   `x − t + b·2^16` is an integer in `(−2^16 − 1, 2^17)` (as `0 ≤ t ≤ 2^16`), so the field
//!   equation is an integer one: `b = 1` gives `x < t`, and `b = 0` gives `x ≥ t`;
//! * with missing features, the host guarantees instead that `x` is a 16-bit feature or the
//!   feature is missing and `x = MISSING = 2^17`, and that `m ≠ 0` only where `x = MISSING`.
//!   A present feature has `m = 0`: the decision above. A missing one cannot satisfy the
//!   decision equation (`MISSING − t + b·2^16 ≥ 2^16` for every `t ≤ 2^16`, beyond `d`), so
//!   `1 − m = 0`: `m = 1`, and the default constraint makes `b` the node's default branch;
//! * `ind` is 1 on exactly the visited nodes, by induction along the pre-order: a root gets 1;
//!   a left child comes right after its parent and gets `ind·b`; a right child gets
//!   `stack_j = ind·(1 − b)` of its parent at depth `j`, written on the parent's row and carried
//!   since, because every row in between belongs to the parent's left subtree, deeper than `j`.
//!   The stack cells' values before the first node row are never read before being written;
//! * on a categorical split's row, with `x = q[feature]` a 16-bit value or [`MISSING`]: `u` and
//!   `v` are the base-4 digits' halves, so `0 ≤ u, v < 2^8`, and `b` is boolean. The read's key
//!   `P = tag·2^37 + (x − u)·2^18 + (x + v)·2 + b` is then an integer in `(2^36, 2^63 + 2^36)`,
//!   below the field's modulus: no feature key `f + γ·x'` equals it (for a random `γ`, but where
//!   `x' = 0`, and `f < 2^36`), nor [`NO_RUN`] `= 2^32`, and no other row reads it, as its
//!   `tag` is the row's own (the bound below, `|A·2^17 + B| < 2^36` between two read keys as
//!   between a read and a run, tells tags apart). So the lookup's identity holds only if a
//!   weight of 1 on it is
//!   matched by a run table entry of the same key, `tag'·2^37 + lo·2^18 + hi·2 + left`, with
//!   `lo ≤ hi < 2^16`. Then `b = left` (the keys' parity), and with `A = x − u − lo` and
//!   `B = x + v − hi`, `(tag − tag')·2^36 + A·2^17 + B = 0`: as `|A·2^17 + B| < 2^36`, the
//!   tags agree, and `B = −A·2^17` with `|B| < 2^18` leaves `A ∈ {−1, 0, 1}`: `A = 1` would
//!   make `x + v = hi − 2^17 < 0`, and `A = −1` would make `x ≥ hi + 2^17 − 255` while
//!   `x ≤ lo − 1 + 255`. So `lo ≤ x ≤ hi` for a run of this split: as its runs partition its
//!   feature's codes, `b` is the split's decision for the code `x`. A missing `x = 2^17` is in
//!   no run (`A > 0`), so its weight `cat·(1 − m)` must be 0: `m = 1`, and the default
//!   constraint makes `b` the default branch. (A code past the feature's codes is in no run
//!   either: no input with one can be proved, and the prover's quantization never makes one);
//! * each leaf's parent has exactly one row, which adds the leaf's values iff the parent is
//!   visited and goes that way, i.e. iff the leaf is reached. So `acc` goes from
//!   [`Walk::initial_scores`] on row `first_row` to the scores on row `first_row + num_rows`.
//!   As every score is below `2^46` in magnitude ([`Walk::new`] checks the worst case), the
//!   field sums are the integer ones.
//!
//! # What the host does
//!
//! * supplies `x` (trace degree 1) with `x = q[`[`Walk::feature_of_row`]`(r)]` on node row
//!   `first_row + r`, range-checked to `[0, 2^16)` (or, with missing features, equal to
//!   `MISSING` for a missing one, and `m` as above), and `d` (trace degree 1) range-checked to
//!   `[0, 2^16)` there, and its base-4 digits' two halves ([`Walk::host_values`] are the honest
//!   pairs);
//! * with categorical splits, adds the two [`Walk::fractions`] to its lookup's sum on every
//!   row, and gives the run table its [`Walk::table_rows`] real rows from row 0;
//! * puts the node rows at `first_row ≥ 1` (the root's indicator is constrained by the
//!   transition *into* it) and enforces every transition from row `first_row − 1` up to the
//!   one into row `first_row + num_rows`;
//! * asserts `acc = initial_scores` on row `first_row` (or on any earlier row: it is carried),
//!   and reads or asserts the scores on row `first_row + num_rows`.

use core::fmt;

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement};
use winterfell::TransitionConstraintDegree;

use crate::disclosure::felt;
use crate::input::Feature;
#[cfg(doc)]
use crate::input::MISSING;

/// Bits of the decision's difference `d`: features and thresholds are 16-bit.
pub const DECISION_BITS: usize = 16;
/// The largest threshold: `2^16` sends every 16-bit input left (and 0 sends every one right).
pub const MAX_THRESHOLD: i64 = 1 << DECISION_BITS;
/// Scores stay below `2^SCORE_BITS` in magnitude, as the model format requires.
pub const SCORE_BITS: u32 = 46;

/// Category codes a categorical feature takes at most: codes are 16-bit values.
pub const MAX_CATEGORY_CODES: u32 = 1 << 16;
/// The longest run of codes: the distances from a run's bounds to `x` are the two 8-bit halves
/// of the host's digits.
pub const RUN_LENGTH: u32 = 1 << 8;
/// The most node rows an ensemble with categorical splits may have: a row's tag, at most this,
/// times `2^TAG_SHIFT` stays below `2^63`.
pub const MAX_TAG: usize = (1 << 26) - 1;
/// A run's key is `tag·2^TAG_SHIFT + lo·2^LO_SHIFT + hi·2 + left`.
const TAG_SHIFT: u32 = 37;
const LO_SHIFT: u32 = 18;
/// The most run table entries on one row: a table longer than the walk spreads over up to this
/// many columns of multiplicities, each one more fraction in the lookup's sum (whose degree,
/// `3 + TABLE_SLOTS`, stays below the hash's 7).
pub const TABLE_SLOTS: usize = 3;
/// The most runs an ensemble may have: a run table of more than `2^16` rows fits no trace
/// zkinfer proves (`2^21` cells of at least 32 columns), and a bound keeps a verifier's memory
/// bounded for any model it is given.
pub const MAX_RUNS: usize = TABLE_SLOTS << 16;
/// The run table's key on rows without a run: no read produces it (a feature read's key is
/// `f + γ·x`, a run read's is above `2^36`), so whatever weight the prover puts there is inert.
pub const NO_RUN: u64 = 1 << 32;

/// Column of the decision `b` (1 = left).
pub const B: usize = 0;
/// Column of the path indicator.
pub const IND: usize = 1;
/// First stack column.
const STACK: usize = IND + 1;

/// Periodic column of the threshold `t` (0 off the node rows).
pub const THRESHOLD: usize = 0;
/// Periodic flag, 1 on node rows.
pub const NODE: usize = 1;
/// Periodic flag on row `i`: row `i + 1` is a tree's root.
pub const NEXT_ROOT: usize = 2;
/// Periodic flag on row `i`: row `i + 1` is the left child of row `i`.
pub const NEXT_LEFT: usize = 3;
/// First of the `next_right` flags.
const NEXT_RIGHT: usize = 4;

/// A binary tree of the ensemble, as in the model format: node ids `0..s` (`s =
/// feature.len()`) are splits, ids `s..2s+1` leaves; the root is node 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    /// `Some(c)`: every leaf holds one value, added to score `c`. `None`: every leaf holds one
    /// value per score.
    pub target: Option<u32>,
    /// The feature split `i` reads.
    pub feature: Vec<u32>,
    /// Split `i` sends the input left iff `q[feature[i]] < threshold[i]`; in `[0, 2^16]`.
    pub threshold: Vec<i64>,
    /// Node id of split `i`'s left child.
    pub left: Vec<u32>,
    /// Node id of split `i`'s right child.
    pub right: Vec<u32>,
    /// Leaf values, leaf by leaf (leaf `j` is node `s + j`), row-major when leaves hold one
    /// value per score.
    pub leaf_value: Vec<i64>,
    /// Where split `i` sends a missing feature: left iff `default_left[i]`. One per split when
    /// the ensemble accepts missing features, empty otherwise.
    pub default_left: Vec<bool>,
    /// Which splits are categorical: one entry per split when the ensemble has categorical
    /// features, empty otherwise. `Some(codes)` sends the input left iff `q[feature[i]]` is one
    /// of `codes` (increasing, below the feature's [`Ensemble::category_codes`]), and its
    /// threshold is 0; `None` is a threshold split.
    pub categories: Vec<Option<Vec<u16>>>,
}

/// A public tree ensemble: `score_c = base_c + Σ_trees (value of the reached leaf for c)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ensemble {
    /// Features of an input; every split reads one of them.
    pub num_features: usize,
    /// Scores the ensemble computes.
    pub num_scores: usize,
    /// The scores' starting values, one per score.
    pub base: Vec<i64>,
    pub trees: Vec<Tree>,
    /// Whether features may be missing: every split then has a default branch.
    pub missing: bool,
    /// For each feature, the number of category codes it takes (`0..codes`), or 0 for a
    /// numeric feature; empty when no feature is categorical. Splits on a categorical feature
    /// are categorical, and only they.
    pub category_codes: Vec<u32>,
}

/// Why an ensemble cannot be walked. The verifier builds a [`Walk`] from a public model, so
/// every malformation is an error, never a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalkError {
    /// `base` does not have one value per score.
    BaseLength { scores: usize, found: usize },
    /// `feature`, `threshold`, `left` and `right` differ in length.
    SplitLengths { tree: usize },
    /// Default branches for an ensemble that does not accept missing features, or not one per
    /// split for one that does.
    DefaultBranches { tree: usize },
    /// The target is not a score index.
    Target { tree: usize, target: u32 },
    /// `leaf_value` does not hold `s + 1` leaves of the tree's width.
    LeafValues {
        tree: usize,
        expected: Option<usize>,
        found: usize,
    },
    /// A split reads a feature that does not exist.
    Feature {
        tree: usize,
        split: usize,
        feature: u32,
    },
    /// A threshold outside `[0, 2^16]`.
    Threshold {
        tree: usize,
        split: usize,
        threshold: i64,
    },
    /// A child id that is not a node of the tree.
    Child {
        tree: usize,
        split: usize,
        child: u32,
    },
    /// A node reached twice from the root (a cycle, or a shared child).
    ReachedTwice { tree: usize, node: usize },
    /// A node not reachable from the root.
    Unreachable { tree: usize, node: usize },
    /// Some input could make this score reach `±2^46`.
    ScoreRange { score: usize },
    /// `category_codes` does not have one count per feature, or a count is above `2^16`.
    CategoryCodes,
    /// A split's categories are missing, not increasing, beyond its feature's codes, given to a
    /// threshold split or to a split on a numeric feature, or its threshold is not 0.
    Categories { tree: usize, split: usize },
    /// More node rows than categorical splits can be told apart by.
    TooManyRows,
    /// More runs than [`MAX_RUNS`].
    TooManyRuns,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WalkError::BaseLength { scores, found } => {
                write!(f, "base has {found} values for {scores} scores")
            }
            WalkError::SplitLengths { tree } => write!(
                f,
                "tree {tree}: feature, threshold, left and right differ in length"
            ),
            WalkError::DefaultBranches { tree } => write!(
                f,
                "tree {tree}: one default branch per split is needed exactly when features may \
                 be missing"
            ),
            WalkError::Target { tree, target } => {
                write!(f, "tree {tree}: target {target} is not a score index")
            }
            WalkError::LeafValues {
                tree,
                expected: Some(expected),
                found,
            } => write!(f, "tree {tree}: {found} leaf values, expected {expected}"),
            WalkError::LeafValues {
                tree,
                expected: None,
                found,
            } => write!(f, "tree {tree}: {found} leaf values, too many leaves"),
            WalkError::Feature {
                tree,
                split,
                feature,
            } => write!(f, "tree {tree}: split {split} reads feature {feature}"),
            WalkError::Threshold {
                tree,
                split,
                threshold,
            } => write!(
                f,
                "tree {tree}: split {split} threshold {threshold} is outside [0, {MAX_THRESHOLD}]"
            ),
            WalkError::Child { tree, split, child } => {
                write!(
                    f,
                    "tree {tree}: split {split}'s child {child} is not a node"
                )
            }
            WalkError::ReachedTwice { tree, node } => {
                write!(f, "tree {tree}: node {node} is reached twice")
            }
            WalkError::Unreachable { tree, node } => {
                write!(f, "tree {tree}: node {node} is not reachable from the root")
            }
            WalkError::ScoreRange { score } => {
                write!(f, "score {score} can reach ±2^{SCORE_BITS}")
            }
            WalkError::CategoryCodes => write!(
                f,
                "category codes need one count per feature, each at most {MAX_CATEGORY_CODES}"
            ),
            WalkError::Categories { tree, split } => write!(
                f,
                "tree {tree}: split {split}'s categories do not fit its feature"
            ),
            WalkError::TooManyRows => write!(f, "more than {MAX_TAG} node rows"),
            WalkError::TooManyRuns => write!(
                f,
                "the categorical splits' codes fall into more than {MAX_RUNS} runs"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// How a node row is entered, which decides its indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    Root,
    /// The left child of the previous row.
    Left,
    /// The right child of the node whose stack cell is `parent_depth`.
    Right {
        parent_depth: usize,
    },
}

/// A run of a categorical split: the codes `lo..=hi`, all sent the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    /// The split's tag: its node row's index plus one.
    tag: usize,
    lo: u16,
    hi: u16,
    left: bool,
}

impl Run {
    /// The run's key in the lookup.
    fn key(&self) -> BaseElement {
        let key = ((self.tag as u64) << TAG_SHIFT)
            + (u64::from(self.lo) << LO_SHIFT)
            + (u64::from(self.hi) << 1)
            + u64::from(self.left);
        BaseElement::new(key)
    }
}

/// The runs of a split sending the codes `left` (increasing) of `0..codes` left: the maximal
/// intervals of codes sent the same way, cut into pieces of at most [`RUN_LENGTH`] codes.
fn runs_of(tag: usize, left: &[u16], codes: u32) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut push = |lo: u32, hi: u32, left: bool| {
        for start in (lo..=hi).step_by(RUN_LENGTH as usize) {
            let end = hi.min(start + RUN_LENGTH - 1);
            let (lo, hi) = (start as u16, end as u16);
            runs.push(Run { tag, lo, hi, left });
        }
    };
    let (mut next, mut i) = (0u32, 0);
    while i < left.len() {
        let start = u32::from(left[i]);
        let mut end = start;
        i += 1;
        while i < left.len() && u32::from(left[i]) == end + 1 {
            end += 1;
            i += 1;
        }
        if start > next {
            push(next, start - 1, false);
        }
        push(start, end, true);
        next = end + 1;
    }
    if next < codes {
        push(next, codes - 1, false);
    }
    runs
}

/// One node row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NodeRow {
    pub(super) feature: usize,
    /// In `[0, 2^16]`.
    pub(super) threshold: i64,
    /// Where a missing feature goes.
    pub(super) default_left: bool,
    pub(super) depth: usize,
    pub(super) entry: Entry,
    /// `(score, value)` pairs the left child adds if it is a leaf; empty for a split.
    pub(super) left: Vec<(usize, i64)>,
    /// The same for the right child.
    pub(super) right: Vec<(usize, i64)>,
    /// A categorical split's codes sent left.
    categories: Option<Vec<u16>>,
    /// A categorical split's runs, in [`Walk::runs`].
    runs: core::ops::Range<usize>,
}

/// The walk of one ensemble: its node rows, columns, periodic columns and constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    num_features: usize,
    num_scores: usize,
    /// Whether features may be missing.
    missing: bool,
    /// The largest split depth: the stack cells.
    stack: usize,
    initial: Vec<i64>,
    rows: Vec<NodeRow>,
    /// Every categorical split's runs, split by split: the lookup's run table.
    runs: Vec<Run>,
    /// Run table entries per row (0 without categorical splits): run `r` sits in slot
    /// `r / table_rows` on row `r mod table_rows`.
    slots: usize,
}

impl Walk {
    /// Checks `ensemble` and lays out its node rows. Rejects base and leaf-value lengths that do
    /// not fit, targets and features out of range, thresholds outside `[0, 2^16]`, child ids
    /// that are not nodes, nodes reached twice or never, and scores that could reach `2^46`.
    pub fn new(ensemble: &Ensemble) -> Result<Walk, WalkError> {
        let scores = ensemble.num_scores;
        let codes = &ensemble.category_codes;
        if !(codes.is_empty() || codes.len() == ensemble.num_features)
            || codes.iter().any(|&c| c > MAX_CATEGORY_CODES)
        {
            return Err(WalkError::CategoryCodes);
        }
        if ensemble.base.len() != scores {
            return Err(WalkError::BaseLength {
                scores,
                found: ensemble.base.len(),
            });
        }
        let mut initial = ensemble.base.clone();
        // |base| + Σ_trees max |leaf value|, per score, in i128 so that it cannot overflow.
        let mut worst: Vec<i128> = initial.iter().map(|&b| i128::from(b).abs()).collect();
        let mut rows = Vec::new();
        let mut stack = 0;
        for (index, tree) in ensemble.trees.iter().enumerate() {
            let leaves = check_tree(index, tree, ensemble, scores)?;
            for slot in 0..leaves.width {
                let largest = (tree.leaf_value.iter().skip(slot).step_by(leaves.width))
                    .map(|&v| i128::from(v).abs())
                    .max()
                    .unwrap_or(0);
                let score = leaves.target.unwrap_or(slot);
                worst[score] = worst[score].saturating_add(largest);
            }
            if tree.feature.is_empty() {
                // A lone leaf: the same value for every input.
                for (score, value) in leaves.values(tree, 0) {
                    initial[score] = initial[score].saturating_add(value);
                }
                continue;
            }
            stack = stack.max(pre_order(index, tree, &leaves, &mut rows)?);
        }
        if let Some(score) = worst.iter().position(|&w| w >= 1i128 << SCORE_BITS) {
            return Err(WalkError::ScoreRange { score });
        }
        // Without a categorical split there is nothing to read by category.
        let categorical = rows.iter().any(|row| row.categories.is_some());
        if categorical && rows.len() > MAX_TAG {
            return Err(WalkError::TooManyRows);
        }
        let mut runs = Vec::new();
        for (i, row) in rows.iter_mut().enumerate() {
            if let Some(left) = &row.categories {
                let start = runs.len();
                runs.extend(runs_of(i + 1, left, codes[row.feature]));
                if runs.len() > MAX_RUNS {
                    return Err(WalkError::TooManyRuns);
                }
                row.runs = start..runs.len();
            }
        }
        // As few slots as keep the table within the walk's rows, up to TABLE_SLOTS.
        let slots = match categorical {
            false => 0,
            true => (1..TABLE_SLOTS)
                .find(|&s| runs.len().div_ceil(s) <= rows.len())
                .unwrap_or(TABLE_SLOTS),
        };
        Ok(Walk {
            num_features: ensemble.num_features,
            num_scores: scores,
            missing: ensemble.missing,
            stack,
            initial,
            rows,
            runs,
            slots,
        })
    }

    /// The node rows, every split of every tree in pre-order: what [`super::path`] lays out.
    pub(super) fn node_rows(&self) -> &[NodeRow] {
        &self.rows
    }

    /// Node rows: one per split of the ensemble.
    pub fn num_rows(&self) -> usize {
        self.rows.len()
    }

    /// `D`: the largest depth of a split (0 without splits, or with stumps alone), the number
    /// of stack cells.
    pub fn stack_cells(&self) -> usize {
        self.stack
    }

    /// Scores, and accumulator columns.
    pub fn num_scores(&self) -> usize {
        self.num_scores
    }

    /// Component columns: `2 + D + num_scores`, and the [`Walk::multiplicity`] columns of the
    /// [`Walk::table_slots`] with categorical splits.
    pub fn num_columns(&self) -> usize {
        STACK + self.stack + self.num_scores + self.slots
    }

    /// Whether features may be missing: the host then supplies `m`.
    pub fn accepts_missing(&self) -> bool {
        self.missing
    }

    /// Whether some split is categorical: the run table then has slots.
    fn categorical(&self) -> bool {
        self.slots > 0
    }

    /// Rows of the lookup's run table, from row 0: its runs spread over [`Walk::table_slots`].
    pub fn table_rows(&self) -> usize {
        self.runs.len().div_ceil(self.slots.max(1))
    }

    /// The runs of every categorical split: the run table's entries.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Run table entries per row: 1 to [`TABLE_SLOTS`] with categorical splits, else 0.
    pub fn table_slots(&self) -> usize {
        self.slots
    }

    /// Where run `r` sits in the table: `(slot, row)`.
    pub fn table_cell(&self, r: usize) -> (usize, usize) {
        (r / self.table_rows(), r % self.table_rows())
    }

    /// The column of slot `k`'s multiplicities (with categorical splits).
    pub fn multiplicity(&self, k: usize) -> usize {
        debug_assert!(k < self.slots);
        STACK + self.stack + self.num_scores + k
    }

    /// Constraints written by [`Walk::enforce`]: one per column but the multiplicities (which
    /// only the lookup reads), the decision, then with missing features the default branch.
    pub fn num_constraints(&self) -> usize {
        self.decision_constraint() + 1 + usize::from(self.missing)
    }

    /// Periodic columns: `4 + 2D + 2·num_scores`, [`Walk::default_left`] with missing
    /// features, and [`Walk::categorical_flag`], [`Walk::run_read`], [`Walk::run_table`] with
    /// categorical ones.
    pub fn num_periodic_columns(&self) -> usize {
        NEXT_RIGHT
            + 2 * self.stack
            + 2 * self.num_scores
            + usize::from(self.missing)
            + (2 + self.slots) * usize::from(self.categorical())
    }

    /// Periodic flag: 1 on the node rows of categorical splits.
    pub fn categorical_flag(&self) -> usize {
        debug_assert!(self.categorical());
        NEXT_RIGHT + 2 * self.stack + 2 * self.num_scores + usize::from(self.missing)
    }

    /// Periodic column: `tag·2^37` on the node row of a categorical split, its tag being the
    /// row's index plus one: the part of the row's run key the walk does not read from cells.
    pub fn run_read(&self) -> usize {
        self.categorical_flag() + 1
    }

    /// Periodic column of slot `k` of the run table: on row `i`, the key of the run in slot `k`
    /// there ([`Walk::table_cell`]), [`NO_RUN`] if there is none.
    pub fn run_table(&self, k: usize) -> usize {
        debug_assert!(k < self.slots);
        self.categorical_flag() + 2 + k
    }

    /// Periodic flag: 1 on a node row whose missing inputs go left (with missing features).
    pub fn default_left(&self) -> usize {
        debug_assert!(self.missing);
        NEXT_RIGHT + 2 * self.stack + 2 * self.num_scores
    }

    /// Stack column of depth `j < D`.
    pub fn stack(&self, j: usize) -> usize {
        debug_assert!(j < self.stack);
        STACK + j
    }

    /// Accumulator column of score `c`.
    pub fn acc(&self, c: usize) -> usize {
        debug_assert!(c < self.num_scores);
        STACK + self.stack + c
    }

    /// The constraint tying `b` to the comparison of `x` and `t`; constraint `k` below it
    /// constrains column `k`.
    pub fn decision_constraint(&self) -> usize {
        STACK + self.stack + self.num_scores
    }

    /// Periodic flag `next_right[j]`: row `i + 1` is the right child of a node at depth `j`.
    pub fn next_right(&self, j: usize) -> usize {
        debug_assert!(j < self.stack);
        NEXT_RIGHT + j
    }

    /// Periodic flag `next_depth[j]`: row `i + 1` is a node at depth `j < D`.
    pub fn next_depth(&self, j: usize) -> usize {
        debug_assert!(j < self.stack);
        NEXT_RIGHT + self.stack + j
    }

    /// Periodic column of what the left child adds to score `c` when it is a leaf.
    pub fn left_leaf(&self, c: usize) -> usize {
        debug_assert!(c < self.num_scores);
        NEXT_RIGHT + 2 * self.stack + c
    }

    /// Periodic column of what the right child adds to score `c` when it is a leaf.
    pub fn right_leaf(&self, c: usize) -> usize {
        debug_assert!(c < self.num_scores);
        NEXT_RIGHT + 2 * self.stack + self.num_scores + c
    }

    /// The feature node row `i` (counted from `first_row`) reads: the host's `x` there.
    pub fn feature_of_row(&self, i: usize) -> usize {
        self.rows[i].feature
    }

    /// The host's honest `(x, d)` on each node row: the feature read and `d = x − t + b·2^16`,
    /// or on a categorical split's row `d = (x − lo) + 2^8·(hi − x)` for the run `lo..=hi`
    /// holding `x` (0 for a missing feature, whose decision is its default, and for a code of
    /// no run, which no proof can read).
    pub fn host_values(&self, q: &[Feature]) -> Vec<(Feature, u16)> {
        (self.rows.iter())
            .map(|node| {
                let Some(value) = q[node.feature] else {
                    return (None, 0);
                };
                if node.categories.is_some() {
                    let d = self.run_holding(node, value).map_or(0, |run| {
                        (value - self.runs[run].lo) + (self.runs[run].hi - value) * 256
                    });
                    return (Some(value), d);
                }
                let x = i64::from(value);
                let b = x < node.threshold;
                let d = x - node.threshold + i64::from(b) * MAX_THRESHOLD;
                debug_assert!((0..MAX_THRESHOLD).contains(&d));
                (Some(value), d as u16)
            })
            .collect()
    }

    /// The index of the run of `node` holding the code `x`, if any.
    fn run_holding(&self, node: &NodeRow, x: u16) -> Option<usize> {
        (node.runs.clone()).find(|&r| (self.runs[r].lo..=self.runs[r].hi).contains(&x))
    }

    /// `base` plus the lone-leaf trees: the accumulators on row `first_row`.
    pub fn initial_scores(&self) -> Vec<i64> {
        self.initial.clone()
    }

    /// The degrees of the [`Walk::num_constraints`] constraints, in their order, for a trace of
    /// length `trace_length` and an `x` of trace degree 1 (see the module documentation).
    pub fn constraint_degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        // Trace degree `d` times one full-length periodic flag.
        let flagged = |d| TransitionConstraintDegree::with_cycles(d, vec![trace_length]);
        let mut degrees = vec![flagged(2)];
        // ind, the stack cells and the accumulators.
        degrees.extend((0..1 + self.stack + self.num_scores).map(|_| flagged(2)));
        match self.missing {
            // The decision gated by `1 − m`, and the default branch.
            true => degrees.extend([flagged(2), flagged(2)]),
            false => degrees.push(flagged(1)),
        }
        debug_assert_eq!(degrees.len(), self.num_constraints());
        degrees
    }

    /// A name for each of the [`Walk::num_constraints`] constraints, in their order.
    pub fn constraint_labels(&self) -> Vec<String> {
        let mut labels = vec!["trees.b".to_string()];
        labels.push("trees.ind".into());
        labels.extend((0..self.stack).map(|j| format!("trees.stack[{j}]")));
        labels.extend((0..self.num_scores).map(|c| format!("trees.acc[{c}]")));
        labels.push("trees.decision".into());
        if self.missing {
            labels.push("trees.default".into());
        }
        labels
    }

    /// The component's periodic columns, each of length `trace_length`, for node rows starting
    /// on row `first_row`. Index them with [`THRESHOLD`], [`NODE`], [`NEXT_ROOT`],
    /// [`NEXT_LEFT`] and the methods [`Walk::next_right`], [`Walk::next_depth`],
    /// [`Walk::left_leaf`], [`Walk::right_leaf`].
    ///
    /// Panics unless `1 ≤ first_row` and `first_row + num_rows < trace_length` (the row of the
    /// final scores); a verifier checks an untrusted trace length against its statement first.
    pub fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        assert!(
            first_row >= 1,
            "the first root is constrained by the transition into it"
        );
        assert!(
            first_row + self.num_rows() < trace_length && self.table_rows() < trace_length,
            "the node rows, the final scores' row and the run table must fit in the trace"
        );
        let mut columns = vec![vec![BaseElement::ZERO; trace_length]; self.num_periodic_columns()];
        for (i, node) in self.rows.iter().enumerate() {
            let row = first_row + i;
            columns[THRESHOLD][row] = felt(node.threshold);
            columns[NODE][row] = BaseElement::ONE;
            if self.missing {
                columns[self.default_left()][row] = BaseElement::from(node.default_left);
            }
            // The "next" flags describe this row from the one before.
            let entry = match node.entry {
                Entry::Root => NEXT_ROOT,
                Entry::Left => NEXT_LEFT,
                Entry::Right { parent_depth } => self.next_right(parent_depth),
            };
            columns[entry][row - 1] = BaseElement::ONE;
            if node.depth < self.stack {
                columns[self.next_depth(node.depth)][row - 1] = BaseElement::ONE;
            }
            for &(c, value) in &node.left {
                columns[self.left_leaf(c)][row] = felt(value);
            }
            for &(c, value) in &node.right {
                columns[self.right_leaf(c)][row] = felt(value);
            }
            if node.categories.is_some() {
                columns[self.categorical_flag()][row] = BaseElement::ONE;
                columns[self.run_read()][row] = BaseElement::new(((i + 1) as u64) << TAG_SHIFT);
            }
        }
        for k in 0..self.slots {
            columns[self.run_table(k)].fill(BaseElement::new(NO_RUN));
        }
        for (r, run) in self.runs.iter().enumerate() {
            let (k, row) = self.table_cell(r);
            columns[self.run_table(k)][row] = run.key();
        }
        columns
    }

    /// Writes the [`Walk::num_constraints`] constraint evaluations of one transition into
    /// `result`.
    ///
    /// * `current`, `next`: the component's [`Walk::num_columns`] columns on the frame's rows;
    /// * `x`: the selected feature on the current row (trace degree 1; anything off node rows);
    /// * `d`: the range-checked difference on the current row (trace degree 1);
    /// * `m`: nonzero only where `x` is the missing-feature code (zero without missing
    ///   features);
    /// * `periodic`: the values of [`Walk::periodic_columns`] on the current row.
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
        debug_assert_eq!(current.len(), self.num_columns());
        debug_assert_eq!(next.len(), self.num_columns());
        debug_assert_eq!(periodic.len(), self.num_periodic_columns());
        debug_assert!(result.len() >= self.num_constraints());

        let (b, ind) = (current[B], current[IND]);
        let node = periodic[NODE];
        result[B] = node * b * (b - E::ONE);

        // The indicator of the next row, if it is a node: 1 for a root, `ind·b` for our left
        // child, the parent's stack cell for a right child.
        let left = ind * b;
        let mut next_node = periodic[NEXT_ROOT] + periodic[NEXT_LEFT];
        let mut incoming = periodic[NEXT_ROOT] + periodic[NEXT_LEFT] * left;
        for j in 0..self.stack {
            let flag = periodic[self.next_right(j)];
            next_node += flag;
            incoming += flag * current[self.stack(j)];
        }
        result[IND] = next_node * next[IND] - incoming;

        // A node at depth j writes its right child's indicator into cell j; others carry.
        let pending = next[IND] * (E::ONE - next[B]);
        for j in 0..self.stack {
            let (column, flag) = (self.stack(j), periodic[self.next_depth(j)]);
            result[column] = next[column] - current[column] - flag * (pending - current[column]);
        }

        let right = ind - left;
        for c in 0..self.num_scores {
            let column = self.acc(c);
            let added = periodic[self.left_leaf(c)] * left + periodic[self.right_leaf(c)] * right;
            result[column] = next[column] - current[column] - added;
        }

        // d = x − t + b·2^16, with t zero off the node rows. Categorical splits decide by
        // their run instead ([`Walk::fractions`]).
        let shift = E::from(BaseElement::new(MAX_THRESHOLD as u64));
        let threshold_split = match self.categorical() {
            true => node - periodic[self.categorical_flag()],
            false => node,
        };
        let decision = threshold_split * (x + b * shift - d) - periodic[THRESHOLD];
        if self.missing {
            // A missing feature cannot meet the decision: it takes the default branch.
            result[self.decision_constraint()] = (E::ONE - m) * decision;
            result[self.decision_constraint() + 1] = m * (node * b - periodic[self.default_left()]);
        } else {
            result[self.decision_constraint()] = decision;
        }
    }

    /// The fractions the walk adds to the lookup's sum on every row with categorical splits:
    /// one plus [`Walk::table_slots`].
    pub fn num_fractions(&self) -> usize {
        match self.slots {
            0 => 0,
            slots => 1 + slots,
        }
    }

    /// Writes the [`Walk::num_fractions`] fractions `(weight, key)` the walk adds to the
    /// lookup's sum on one row, with categorical splits, into `out`: the row's run read, weight
    /// `cat·(1 − m)` and key `tag·2^37 + (x − u)·2^18 + (x + v)·2 + b` (`u`, `v` the two 8-bit
    /// halves of the host's digits, `x − u` and `x + v` the run's bounds), then the run table's
    /// entry in each slot on the row, weight `−multiplicity_k` and key [`Walk::run_table`]`(k)`.
    ///
    /// * `current`: the component's columns on the row;
    /// * `x`, `halves`, `m`: the host's `x`, the digits' low and high halves, and `m`;
    /// * `periodic`: the values of [`Walk::periodic_columns`] on the row.
    pub fn fractions<F, E>(
        &self,
        current: &[F],
        (x, halves, m): (F, [F; 2], F),
        periodic: &[F],
        out: &mut [(F, E)],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        debug_assert_eq!(out.len(), self.num_fractions());
        let [u, v] = halves;
        let [lo_shift, two] = [1u64 << LO_SHIFT, 2].map(|k| F::from(BaseElement::new(k)));
        let weight = periodic[self.categorical_flag()] * (F::ONE - m);
        let key = periodic[self.run_read()] + (x - u) * lo_shift + (x + v) * two + current[B];
        out[0] = (weight, E::from(key));
        for k in 0..self.slots {
            let key = E::from(periodic[self.run_table(k)]);
            out[1 + k] = (-current[self.multiplicity(k)], key);
        }
    }

    /// Writes the honest component columns on rows `0..=last_row` for features `q`, with the
    /// node rows from `first_row`, and returns the scores (those on row `first_row + num_rows`).
    /// Before the node rows: `acc = initial_scores`, zero elsewhere; after them: the final
    /// scores, the stack cells carried, zero elsewhere. Rows after `last_row` (the host's random
    /// rows) are left untouched.
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
        assert_eq!(columns.len(), self.num_columns(), "the component's columns");
        assert!(columns.iter().all(|column| column.len() > last_row));
        assert_eq!(q.len(), self.num_features, "one value per feature");
        assert!(
            first_row + self.num_rows() <= last_row,
            "the final scores need a row after the node rows"
        );
        let bit = BaseElement::from;
        let mut scores = self.initial.clone();
        let mut stack = vec![false; self.stack];
        let (mut previous_ind, mut previous_b) = (false, false);
        // Each row writes every column, so a row index reads best.
        #[allow(clippy::needless_range_loop)]
        for row in 0..=last_row {
            let node = row.checked_sub(first_row).and_then(|i| self.rows.get(i));
            let (mut b, mut ind) = (false, false);
            if let Some(node) = node {
                b = match (q[node.feature], &node.categories) {
                    (Some(x), Some(left)) => left.binary_search(&x).is_ok(),
                    (Some(x), None) => i64::from(x) < node.threshold,
                    (None, _) => node.default_left,
                };
                ind = match node.entry {
                    Entry::Root => true,
                    Entry::Left => previous_ind && previous_b,
                    Entry::Right { parent_depth } => stack[parent_depth],
                };
                if let Some(cell) = stack.get_mut(node.depth) {
                    *cell = ind && !b;
                }
            }
            columns[B][row] = bit(b);
            columns[IND][row] = bit(ind);
            for (j, &cell) in stack.iter().enumerate() {
                columns[self.stack(j)][row] = bit(cell);
            }
            for (c, &score) in scores.iter().enumerate() {
                columns[self.acc(c)][row] = felt(score);
            }
            if let (Some(node), true) = (node, ind) {
                let leaf = if b { &node.left } else { &node.right };
                for &(c, value) in leaf {
                    scores[c] += value;
                }
            }
            (previous_ind, previous_b) = (ind, b);
        }
        for k in 0..self.slots {
            columns[self.multiplicity(k)][..=last_row].fill(BaseElement::ZERO);
        }
        for node in self.rows.iter().filter(|node| node.categories.is_some()) {
            if let Some(run) = q[node.feature].and_then(|x| self.run_holding(node, x)) {
                let (k, row) = self.table_cell(run);
                columns[self.multiplicity(k)][row] = BaseElement::ONE;
            }
        }
        scores
    }
}

/// Forging helpers for the tests: a malicious trace made consistent everywhere but where it lies.
#[cfg(test)]
impl Walk {
    /// Rewrites `ind` (on node rows), the stack cells and the accumulators forwards, on rows
    /// `1..=last_row` of the component `columns`, so that their constraints hold, except in the
    /// `pinned` (row, column) cells; `b`, the digits and `ind` off the node rows are kept.
    /// `periodic` are the [`Walk::periodic_columns`].
    pub(crate) fn repair(
        &self,
        columns: &mut [Vec<BaseElement>],
        periodic: &[Vec<BaseElement>],
        last_row: usize,
        pinned: &[(usize, usize)],
    ) {
        let at = |columns: &[Vec<BaseElement>], row: usize| -> Vec<BaseElement> {
            columns.iter().map(|c| c[row]).collect()
        };
        for row in 0..last_row {
            let (current, mut next) = (at(columns, row), at(columns, row + 1));
            let p: Vec<BaseElement> = periodic.iter().map(|column| column[row]).collect();
            let (b, ind) = (current[B], current[IND]);
            let mut next_node = p[NEXT_ROOT] + p[NEXT_LEFT];
            let mut incoming = p[NEXT_ROOT] + p[NEXT_LEFT] * ind * b;
            for j in 0..self.stack {
                next_node += p[self.next_right(j)];
                incoming += p[self.next_right(j)] * current[self.stack(j)];
            }
            // The next row's (possibly pinned) indicator feeds its stack cell.
            if next_node == BaseElement::ONE && !pinned.contains(&(row + 1, IND)) {
                next[IND] = incoming;
            }
            for j in 0..self.stack {
                let column = self.stack(j);
                next[column] = if p[self.next_depth(j)] == BaseElement::ONE {
                    next[IND] * (BaseElement::ONE - next[B])
                } else {
                    current[column]
                };
            }
            for c in 0..self.num_scores {
                let column = self.acc(c);
                next[column] = current[column]
                    + p[self.left_leaf(c)] * ind * b
                    + p[self.right_leaf(c)] * ind * (BaseElement::ONE - b);
            }
            for (column, value) in next.into_iter().enumerate() {
                if !pinned.contains(&(row + 1, column)) {
                    columns[column][row + 1] = value;
                }
            }
        }
    }
}

/// Where a checked tree's leaf values are.
struct Leaves {
    /// Values per leaf.
    width: usize,
    /// The tree's target score, if any; otherwise slot `k` of a leaf adds to score `k`.
    target: Option<usize>,
}

impl Leaves {
    /// The `(score, value)` pairs of leaf `leaf`.
    fn values<'t>(&self, tree: &'t Tree, leaf: usize) -> impl Iterator<Item = (usize, i64)> + 't {
        let (width, target) = (self.width, self.target);
        let values = &tree.leaf_value[leaf * width..(leaf + 1) * width];
        values
            .iter()
            .enumerate()
            .map(move |(k, &v)| (target.unwrap_or(k), v))
    }
}

/// Checks everything about tree `index` but its shape; returns where its leaf values are.
fn check_tree(
    index: usize,
    tree: &Tree,
    ensemble: &Ensemble,
    num_scores: usize,
) -> Result<Leaves, WalkError> {
    let (splits, num_features) = (tree.feature.len(), ensemble.num_features);
    if [&tree.left, &tree.right].iter().any(|v| v.len() != splits) || tree.threshold.len() != splits
    {
        return Err(WalkError::SplitLengths { tree: index });
    }
    let defaults = if ensemble.missing { splits } else { 0 };
    if tree.default_left.len() != defaults {
        return Err(WalkError::DefaultBranches { tree: index });
    }
    let target = match tree.target {
        Some(c) if c as usize >= num_scores => {
            return Err(WalkError::Target {
                tree: index,
                target: c,
            })
        }
        target => target.map(|c| c as usize),
    };
    let width = if target.is_some() { 1 } else { num_scores };
    let expected = (splits + 1).checked_mul(width);
    if expected != Some(tree.leaf_value.len()) {
        return Err(WalkError::LeafValues {
            tree: index,
            expected,
            found: tree.leaf_value.len(),
        });
    }
    for (split, (&feature, &threshold)) in tree.feature.iter().zip(&tree.threshold).enumerate() {
        if feature as usize >= num_features {
            return Err(WalkError::Feature {
                tree: index,
                split,
                feature,
            });
        }
        if !(0..=MAX_THRESHOLD).contains(&threshold) {
            return Err(WalkError::Threshold {
                tree: index,
                split,
                threshold,
            });
        }
    }
    check_categories(index, tree, &ensemble.category_codes)?;
    Ok(Leaves { width, target })
}

/// Checks that the splits on categorical features, and only they, are categorical, with
/// increasing codes of their feature and threshold 0.
fn check_categories(index: usize, tree: &Tree, codes: &[u32]) -> Result<(), WalkError> {
    let splits = tree.feature.len();
    if codes.is_empty() {
        return match tree.categories.is_empty() {
            true => Ok(()),
            false => Err(WalkError::Categories {
                tree: index,
                split: 0,
            }),
        };
    }
    if tree.categories.len() != splits {
        return Err(WalkError::Categories {
            tree: index,
            split: 0,
        });
    }
    for (split, categories) in tree.categories.iter().enumerate() {
        // The feature was checked before.
        let count = codes[tree.feature[split] as usize];
        let fits = match categories {
            None => count == 0,
            Some(left) => {
                count > 0
                    && tree.threshold[split] == 0
                    && left.windows(2).all(|w| w[0] < w[1])
                    && left.last().is_none_or(|&c| u32::from(c) < count)
            }
        };
        if !fits {
            return Err(WalkError::Categories { tree: index, split });
        }
    }
    Ok(())
}

/// Appends the node rows of a checked tree with at least one split, in DFS pre-order, checking
/// that every node is reached from the root exactly once; returns the largest split depth.
fn pre_order(
    index: usize,
    tree: &Tree,
    leaves: &Leaves,
    rows: &mut Vec<NodeRow>,
) -> Result<usize, WalkError> {
    let splits = tree.feature.len();
    let nodes = 2 * splits + 1;
    let mut seen = vec![false; nodes];
    let mut deepest = 0;
    // Nodes still to visit, the next one last; each split is expanded once, so this holds at
    // most `nodes` entries even for a malformed tree.
    let mut pending = vec![(0usize, 0usize, Entry::Root)];
    while let Some((node, depth, entry)) = pending.pop() {
        if core::mem::replace(&mut seen[node], true) {
            return Err(WalkError::ReachedTwice { tree: index, node });
        }
        if node >= splits {
            continue;
        }
        // A child's node id, and what it adds if it is a leaf.
        let child = |child: u32| match child as usize {
            id if id >= nodes => Err(WalkError::Child {
                tree: index,
                split: node,
                child,
            }),
            id if id >= splits => Ok((id, leaves.values(tree, id - splits).collect())),
            id => Ok((id, Vec::new())),
        };
        let (left, left_values) = child(tree.left[node])?;
        let (right, right_values) = child(tree.right[node])?;
        deepest = deepest.max(depth);
        rows.push(NodeRow {
            feature: tree.feature[node] as usize,
            threshold: tree.threshold[node],
            default_left: tree.default_left.get(node).copied().unwrap_or(false),
            depth,
            entry,
            left: left_values,
            right: right_values,
            categories: tree.categories.get(node).cloned().flatten(),
            runs: 0..0,
        });
        // Right first, so that the whole left subtree comes before it.
        let parent_depth = depth;
        pending.push((right, depth + 1, Entry::Right { parent_depth }));
        pending.push((left, depth + 1, Entry::Left));
    }
    if let Some(node) = seen.iter().position(|&s| !s) {
        return Err(WalkError::Unreachable { tree: index, node });
    }
    Ok(deepest)
}
