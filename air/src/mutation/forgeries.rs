//! The forgery of every constraint and assertion ([`forge`]), on small instances of every body
//! in two input layouts ([`Layout`]): five features, whose salt the sponge absorbs in its first
//! block and padding in its second, and thirty, over five blocks. Each layout has a tree
//! ensemble, a linear model and a network, each with its scores disclosed or its class, and a
//! linear model reading three features as one categorical feature's one-hot indicators.
//!
//! Most forgeries take the honest trace of one statement and claim another, or splice two
//! honest traces, so that the only cells that disagree are those the constraint checks; a
//! tree forgery is then made consistent by [`Walk::repair`](crate::trees::walk::Walk), a
//! network's by [`replay`], a sponge's by re-running it ([`rerun_sponge`]), and a lookup's
//! running sum by forging it ([`AuxForgery`]).

use std::ops::RangeInclusive;

use winterfell::crypto::hashers::Rp64_256;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Trace, TraceTable};

use super::{AnyForgery, AuxForgery, Forgery, EXEMPTION};
use crate::disclosure::{as_i64, felt, Comparison};
use crate::inference::{build_trace, Body, Statement};
use crate::input::{feature_row, Feature, InputBlock, Slot, DIGITS};
use crate::linear::LinearBody;
use crate::mlp::tests::replay;
use crate::mlp::{Activation, Dense, Lie, MlpBody, Network};
use crate::rescue::{CYCLE, RATE_RANGE, RATE_WIDTH, STATE_WIDTH};
use crate::testing::{options, rng, salt, set_element, set_x};
use crate::trees::walk::{Ensemble, Tree, B, IND, MAX_THRESHOLD};
use crate::trees::TreeBody;
use crate::zk::ZkParams;

/// How the committed input fills the sponge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Five features: the header, the features and two salt elements in the first block; two
    /// more salt elements and six padding cells in the second.
    Five,
    /// Thirty features, over five blocks: the header and seven features in the first; the
    /// salt and five padding cells in the last.
    Thirty,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::Five, Layout::Thirty];

    /// The committed input: its first five features the same in both layouts; in thirty, the
    /// categorical features' codes are their index past [`FIRST_CATEGORICAL`].
    fn q(self) -> Vec<u16> {
        let first = [30_000, 1_000, 60_000, 12, 40_000];
        let features = match self {
            Layout::Five => 5,
            Layout::Thirty => 30,
        };
        (0..features)
            .map(|f| match first.get(f) {
                Some(&q) => q,
                None if f >= FIRST_CATEGORICAL => (f - FIRST_CATEGORICAL) as u16,
                None => (f as u16 * 2_003) % 60_000,
            })
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::Five => "5 features",
            Layout::Thirty => "30 features",
        }
    }
}

// INSTANCES
// ================================================================================================

/// In thirty features, features from this one on are categorical, of [`CATEGORY_CODES`] codes.
const FIRST_CATEGORICAL: usize = 25;
const CATEGORY_CODES: u32 = 6;

/// What a statement discloses.
#[derive(Clone, Copy)]
enum Disclose {
    Scores,
    /// That this class (of two scores) beats the other.
    Class(usize),
}

/// The statement of `body` on features `q`, committed with the test salt.
fn statement<B: Body, F: Copy + Into<Feature>>(
    body: B,
    q: &[F],
    disclose: Disclose,
) -> Statement<B> {
    let scores = scores(&body, q);
    let mut statement = crate::testing::statement(body, q, scores);
    if let Disclose::Class(class) = disclose {
        statement.scores = None;
        statement.comparisons = vec![beats(class)];
    }
    statement
}

/// "Score `class` beats the other one" of two scores (ties to the first).
fn beats(class: usize) -> Comparison {
    let mut coefficients = vec![-1, -1];
    coefficients[class] = 1;
    Comparison {
        coefficients,
        offset: -(class as i64),
    }
}

pub use crate::testing::scores;

/// The class two scores give (ties to the first).
fn class(scores: &[i64]) -> usize {
    (scores[1] > scores[0]) as usize
}

/// A stump on `feature`: left iff below `threshold`, adding `left` or `right` to `target`.
fn stump(feature: u32, threshold: i64, target: u32, left: i64, right: i64) -> Tree {
    Tree {
        target: Some(target),
        feature: vec![feature],
        threshold: vec![threshold],
        left: vec![1],
        right: vec![2],
        default_left: Vec::new(),
        categories: Vec::new(),
        leaf_value: vec![left, right],
    }
}

/// The threshold of the stump on feature `f`, which every feature of the layout's input is just
/// below.
fn stump_threshold(layout: Layout, f: usize) -> i64 {
    match f {
        0 => 35_000,
        _ => i64::from(layout.q()[f]) + 100,
    }
}

/// Tree 0, complete of depth 3 with one value per score, on whose path the root and its left
/// child both go left (so both right children, splits, are off the path: the stack cells'
/// forgeries); tree 1, a stump on feature 0 whose leaves differ by exactly 2^16 (the decision
/// bit's); a stump on every other feature just above its value (each feature changes the
/// scores). With thirty features they may be missing: split `i` of every tree sends them left
/// iff `i` is odd, so every stump's default is right; with five they may not (the ensemble of
/// a version 1 model), so both forms of the decision are forged. With thirty, the stumps on the
/// categorical features send their input's code and the next left.
fn ensemble(layout: Layout) -> Ensemble {
    let features = layout.q().len();
    let mut trees = vec![
        Tree {
            target: None,
            feature: vec![0, 1, 2, 3, 4, 0, 1],
            threshold: vec![40_000, 2_000, 30_000, 5, 50_000, 10_000, 500],
            left: vec![1, 3, 5, 7, 9, 11, 13],
            right: vec![2, 4, 6, 8, 10, 12, 14],
            default_left: Vec::new(),
            categories: Vec::new(),
            leaf_value: (0..16).map(|v| 37 * v - 200).collect(),
        },
        stump(0, stump_threshold(layout, 0), 0, 65_539, 3),
    ];
    trees.extend((1..features).map(|f| {
        let k = f as i64;
        stump(
            f as u32,
            stump_threshold(layout, f),
            (f % 2) as u32,
            10 * k,
            -7 * k,
        )
    }));
    let missing = layout == Layout::Thirty;
    for tree in trees.iter_mut().filter(|_| missing) {
        tree.default_left = (0..tree.feature.len()).map(|i| i % 2 == 1).collect();
        tree.categories = (tree.feature.iter())
            .map(|&f| {
                let code = (f as usize).checked_sub(FIRST_CATEGORICAL)? as u16;
                Some(vec![code, code + 1])
            })
            .collect();
        if tree.categories[0].is_some() {
            tree.threshold = vec![0];
        }
    }
    let category_codes = match layout {
        Layout::Five => Vec::new(),
        Layout::Thirty => (0..features)
            .map(|f| CATEGORY_CODES * u32::from(f >= FIRST_CATEGORICAL))
            .collect(),
    };
    Ensemble {
        missing,
        category_codes,
        num_features: features,
        num_scores: 2,
        base: vec![5, -5],
        trees,
    }
}

fn trees(layout: Layout, disclose: Disclose) -> Statement<TreeBody> {
    statement(
        TreeBody::new(ensemble(layout)).unwrap(),
        &layout.q(),
        disclose,
    )
}

fn trees_with(layout: Layout, ensemble: Ensemble) -> Statement<TreeBody> {
    statement(
        TreeBody::new(ensemble).unwrap(),
        &layout.q(),
        Disclose::Scores,
    )
}

/// The path layout's ensemble ([`crate::trees::path`]): tree 0, adding to score 0, of depth 2
/// (`q0 < 40000`, then `q1 < 2000` or `q2 < 30000`: the root goes left); tree 1, a stump on
/// feature 1 adding 6 or 2 to score 1 (left); tree 2, a stump on feature 3 adding 4 or −8 to
/// score 0 (left). Feature 4 is read by no split. With thirty features they may be missing,
/// every split's default right.
fn path_ensemble(layout: Layout) -> Ensemble {
    let missing = layout == Layout::Thirty;
    let tree = |target, feature: Vec<u32>, threshold, left, right, leaf_value| Tree {
        target: Some(target),
        default_left: vec![false; if missing { feature.len() } else { 0 }],
        feature,
        threshold,
        left,
        right,
        categories: Vec::new(),
        leaf_value,
    };
    let q = layout.q();
    Ensemble {
        missing,
        category_codes: Vec::new(),
        num_features: q.len(),
        num_scores: 2,
        base: vec![5, -5],
        trees: vec![
            tree(
                0,
                vec![0, 1, 2],
                vec![40_000, 2_000, 30_000],
                vec![1, 3, 5],
                vec![2, 4, 6],
                vec![10, -20, 30, -40],
            ),
            tree(
                1,
                vec![1],
                vec![PATH_STUMP_OFFSET + i64::from(q[1])],
                vec![1],
                vec![2],
                vec![6, 2],
            ),
            tree(
                0,
                vec![3],
                vec![PATH_STUMP_OFFSET + i64::from(q[3])],
                vec![1],
                vec![2],
                vec![4, -8],
            ),
        ],
    }
}

/// A path stump's threshold is its feature's value plus this.
const PATH_STUMP_OFFSET: i64 = 100;

fn paths(layout: Layout) -> Statement<TreeBody> {
    let body = TreeBody::pathing(path_ensemble(layout)).unwrap();
    assert!(
        body.path().is_some(),
        "the path instance proves in the path layout"
    );
    statement(body, &layout.q(), Disclose::Scores)
}

fn linear_body(features: usize) -> LinearBody {
    let weight = |c: i64, f: i64| (c * 7 + f * 13) % 23 - 11;
    LinearBody {
        weights: (0..2)
            .map(|c| (0..features as i64).map(|f| weight(c, f)).collect())
            .collect(),
        bias: vec![1_000, -1_000],
        one_hot: Vec::new(),
    }
}

fn linear(layout: Layout, disclose: Disclose) -> Statement<LinearBody> {
    let q = layout.q();
    statement(linear_body(q.len()), &q, disclose)
}

/// In the one-hot instance, features 1, 2 and 3 are a categorical feature's indicators.
const ONE_HOT: core::ops::Range<usize> = 1..4;

/// The layout's input with the indicators of [`ONE_HOT`]'s second category.
fn one_hot_q(layout: Layout) -> Vec<u16> {
    let mut q = layout.q();
    q[ONE_HOT].copy_from_slice(&[0, 1, 0]);
    q
}

/// The linear model reading [`ONE_HOT`] as one-hot indicators, its scores disclosed.
fn one_hot_linear(layout: Layout) -> Statement<LinearBody> {
    let q = one_hot_q(layout);
    let body = LinearBody {
        one_hot: vec![ONE_HOT],
        ..linear_body(q.len())
    };
    statement(body, &q, Disclose::Scores)
}

/// Hidden layers of 3 and 2 neurons reading the first five features, two scores. On the input,
/// neuron 0 of each hidden layer fires and the others do not.
fn network(features: usize) -> Network {
    let widen = |row: [i64; 5]| {
        let mut weights = vec![0; features];
        weights[..5].copy_from_slice(&row);
        weights
    };
    Network {
        num_features: features,
        one_hot: Vec::new(),
        activation: Activation::Relu,
        hidden: vec![
            Dense {
                weights: vec![
                    widen([900, -700, 300, 5, 20]),
                    widen([-1200, 800, 0, 40, -30]),
                    widen([20, 30, -10_000, 7, 100]),
                ],
                bias: vec![-3_000_000, 25_000_000, 400_000_000],
            },
            Dense {
                weights: vec![vec![3000, -2000, 1000], vec![-500, 4000, 250]],
                bias: vec![1_000_000, -70_000_000],
            },
        ],
        output: Dense {
            weights: vec![vec![7, -3], vec![-5, 11]],
            bias: vec![100, -200],
        },
    }
}

fn mlp(layout: Layout, disclose: Disclose) -> Statement<MlpBody> {
    let q = layout.q();
    // One neuron a pass: the first layer's later passes read the features again, the second's
    // the first's activations.
    statement(
        MlpBody::in_passes(network(q.len()), 1).unwrap(),
        &q,
        disclose,
    )
}

/// The labels of every instance of `layout`, instance by instance.
pub fn instance_labels(layout: Layout) -> Vec<Vec<String>> {
    let zk = ZkParams::for_options(&options());
    let mut instances = Vec::new();
    for disclose in [Disclose::Scores, Disclose::Class(0)] {
        let s = trees(layout, disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
        let s = linear(layout, disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
        let s = mlp(layout, disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
    }
    let s = paths(layout);
    instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
    let s = one_hot_linear(layout);
    instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
    instances
}

/// Every constraint and assertion of `layout`'s instances, and the exemption count.
pub fn universe(layout: Layout) -> Vec<String> {
    let mut labels = vec![EXEMPTION.to_string()];
    for label in instance_labels(layout).into_iter().flatten() {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
}

// TOOLS
// ================================================================================================

fn honest<B: Body, F: Copy + Into<Feature>>(
    statement: &Statement<B>,
    q: &[F],
) -> TraceTable<BaseElement> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1)).expect("the claims hold")
}

fn last_real(trace: &TraceTable<BaseElement>) -> usize {
    ZkParams::for_options(&options()).last_real_row(trace.length())
}

/// Sets `column` to `value` on `rows`.
fn fill(
    trace: &mut TraceTable<BaseElement>,
    column: usize,
    rows: RangeInclusive<usize>,
    value: BaseElement,
) {
    rows.for_each(|row| trace.set(column, row, value));
}

/// `statement` claiming `scores` instead.
fn claiming<B: Body>(statement: &Statement<B>, scores: Vec<i64>) -> Statement<B> {
    Statement {
        scores: Some(scores),
        ..statement.clone()
    }
}

/// `statement` claiming `commitment` instead.
fn committing<B: Body>(statement: &Statement<B>, commitment: [BaseElement; 4]) -> Statement<B> {
    Statement {
        commitment,
        ..statement.clone()
    }
}

/// The body's scores as a forged trace holds them on the scores row.
fn scores_in<B: Body>(statement: &Statement<B>, trace: &TraceTable<BaseElement>) -> Vec<i64> {
    let at = statement.body_column() + statement.body.scores_column();
    (0..statement.body.num_scores())
        .map(|c| as_i64(trace.get(at + c, statement.scores_row())))
        .collect()
}

/// Re-runs the sponge from row `from` to the last real row ([`crate::testing::rerun_sponge`]);
/// returns the digest.
fn rerun_sponge<B: Body>(
    statement: &Statement<B>,
    trace: &mut TraceTable<BaseElement>,
    from: usize,
) -> [BaseElement; 4] {
    let last = last_real(trace);
    crate::testing::rerun_sponge(trace, &statement.input(), from, last)
}

/// The layout's input with feature `f` moved onto the threshold of the stump on it, which the
/// walk then takes to the other side.
fn moved(layout: Layout, f: usize) -> Vec<u16> {
    let mut q = layout.q();
    q[f] = stump_threshold(layout, f) as u16;
    q
}

/// A linear model's accumulators recomputed from the trace's `x`; returns the scores.
fn reaccumulate(
    statement: &Statement<LinearBody>,
    trace: &mut TraceTable<BaseElement>,
) -> Vec<i64> {
    let (body, input) = (&statement.body, statement.input());
    let last = last_real(trace);
    let mut scores = Vec::new();
    for (c, (weights, &bias)) in body.weights.iter().zip(&body.bias).enumerate() {
        let column = statement.body_column() + c;
        let mut acc = felt(bias);
        for row in 0..=last {
            trace.set(column, row, acc);
            if let Some(&w) = row.checked_sub(feature_row(0)).and_then(|f| weights.get(f)) {
                acc += felt(w) * trace.get(input.x(), row);
            }
        }
        scores.push(as_i64(trace.get(column, statement.scores_row())));
    }
    scores
}

/// The tree walk of a forged trace made consistent again, sparing the `pinned` (row, walk
/// column) cells.
fn repair(
    statement: &Statement<TreeBody>,
    trace: &mut TraceTable<BaseElement>,
    pinned: &[(usize, usize)],
) {
    let walk = statement.body.walk();
    let (at, n, last) = (statement.body_column(), trace.length(), last_real(trace));
    let mut columns: Vec<Vec<BaseElement>> = (0..walk.num_columns())
        .map(|c| (0..n).map(|row| trace.get(at + c, row)).collect())
        .collect();
    let periodic = walk.periodic_columns(statement.body_row(), n);
    walk.repair(&mut columns, &periodic, last, pinned);
    for (c, column) in columns.iter().enumerate() {
        for (row, &value) in column.iter().enumerate().take(last + 1) {
            trace.set(at + c, row, value);
        }
    }
}

/// The walk row of tree 1's stump: after tree 0's seven splits.
fn stump_row(statement: &Statement<TreeBody>) -> usize {
    statement.body_row() + 7
}

/// Writes the base-4 digits of the 16-bit `d` on `row`.
fn set_digits(
    statement: &Statement<TreeBody>,
    trace: &mut TraceTable<BaseElement>,
    row: usize,
    d: i64,
) {
    let input = statement.input();
    for (j, digit) in InputBlock::digits_of(d as u16).into_iter().enumerate() {
        trace.set(input.digits() + j, row, digit);
    }
}

/// A forgery of the committed input `q`, lying `lie`.
fn forgery<B, F: Copy + Into<Feature>>(
    claimed: Statement<B>,
    trace: TraceTable<BaseElement>,
    q: &[F],
    how: impl Into<String>,
    lie: impl Into<String>,
) -> Forgery<B> {
    Forgery {
        claimed,
        trace,
        committed: crate::input::features(q),
        how: how.into(),
        lie: Some(lie.into()),
        aux: AuxForgery::Honest,
    }
}

// THE CATALOGUE
// ================================================================================================

/// The forgery of the constraint or assertion named `label`, in `layout`, if there is one.
pub fn forge(layout: Layout, label: &str) -> Option<AnyForgery> {
    use AnyForgery::{Linear, Mlp, Trees};
    let (name, index) = match label.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (label, None),
    };
    let l = layout;
    Some(match (name, index) {
        ("input.digit", Some(j)) => Linear(wide_feature(l, Some(j))),
        ("input.recompose", None) => Linear(wide_feature(l, None)),
        ("input.shift", Some(j)) => Linear(message_cell_lies(l, j)),
        ("input.header", None) => Linear(header_names_another_count(l)),
        ("input.padding", Some(row)) => Linear(padding_absorbs_one(l, row)),
        ("input.one_hot.sum", None) => Linear(two_categories(l, false)),
        ("input.one_hot.bit", None) => Linear(two_categories(l, true)),
        ("rescue.round", Some(i)) => Trees(round_deviates(l, i)),
        ("rescue.initial", Some(i)) => Trees(sponge_starts_elsewhere(l, i)),
        ("rescue.digest", Some(i)) => Trees(another_digest(l, i)),
        ("lookup.sum", None) if l == Layout::Thirty => Trees(category_flipped(l)),
        ("lookup.sum", None) => Trees(read_not_in_table(l, Forged::Step)),
        ("lookup.start", None) => Trees(read_not_in_table(l, Forged::Start)),
        ("lookup.end", None) => Trees(read_not_in_table(l, Forged::End)),
        ("linear.acc", Some(c)) => Linear(score_shifted(l, c, true)),
        ("linear.bias", Some(c)) => Linear(score_shifted(l, c, false)),
        ("trees.b", None) => Trees(decision_not_a_bit(l)),
        ("trees.decision", None) => Trees(branch_flipped(l)),
        ("trees.default", None) => Trees(default_ignored(l)),
        ("input.missing", None) => Trees(present_feature_defaulted(l)),
        ("trees.ind", None) => Trees(visited_root_skipped(l)),
        ("trees.stack", Some(j)) => Trees(both_children_visited(l, j)),
        ("trees.acc", Some(c)) => Trees(leaf_value_changed(l, c)),
        ("trees.initial", Some(c)) => Trees(base_changed(l, c)),
        ("path.b", None) => Trees(path_bit_halved(l)),
        ("path.next", None) => Trees(path_jumps(l)),
        ("path.acc", Some(c)) => Trees(path_leaf_value_changed(l, c)),
        ("path.feature", None) => Trees(path_reads_another_feature(l)),
        ("path.decision", None) => Trees(path_branch_flipped(l)),
        ("path.default", None) => Trees(path_default_ignored(l)),
        ("mlp.sign", None) => Mlp(firing_neuron_silenced(l)),
        ("mlp.decomposition", None) => Mlp(activation_raised(l)),
        ("mlp.feed", None) => Mlp(feature_not_fed(l)),
        ("mlp.acc", Some(k)) => Mlp(accumulator_shifted(l, k, 1)),
        ("mlp.initial", Some(k)) => Mlp(accumulator_shifted(l, k, 0)),
        ("disclosure.assemble", None) => Trees(false_class(l, true)),
        ("disclosure.end", None) => Trees(false_class(l, false)),
        ("zk.mask", Some(i)) => Trees(mask_does_not_vanish(l, i)),
        ("zk.exemptions", None) => Trees(read_not_in_table(l, Forged::LastStep)),
        ("output.score", Some(c)) => Trees(disclosed_score_differs(l, c)),
        _ => return None,
    })
}

// INPUT BLOCK
// ================================================================================================

/// Feature 0 is `q0 + 2^16`, hashed as such: with `Some(j)` its base-4 digit `j` is
/// `4^(8−j)` too large, with `None` its digits are those of `q0`.
fn wide_feature(layout: Layout, digit: Option<usize>) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    let row = feature_row(0);
    let wide = BaseElement::from(q[0]) + BaseElement::new(1 << 16);
    set_element(&mut trace, &input, row, wide);
    if let Some(j) = digit {
        let raised = trace.get(input.digits() + j, row) + BaseElement::new(1 << (2 * (DIGITS - j)));
        trace.set(input.digits() + j, row, raised);
    }
    let how = match digit {
        Some(j) => format!("feature 0 is q0 + 2^16, its base-4 digit {j} over 3"),
        None => "feature 0 is q0 + 2^16, with the digits of q0".into(),
    };
    let lie = "the scores of a feature of 2^16 or more, under a commitment no 16-bit input opens";
    resealed(&claimed, trace, &q, how, lie)
}

/// A linear forgery whose `x` was changed: the sponge re-run and the scores re-accumulated,
/// claiming the commitment and the scores the trace now holds.
fn resealed(
    claimed: &Statement<LinearBody>,
    mut trace: TraceTable<BaseElement>,
    q: &[u16],
    how: impl Into<String>,
    lie: &str,
) -> Forgery<LinearBody> {
    let digest = rerun_sponge(claimed, &mut trace, 0);
    let forged = reaccumulate(claimed, &mut trace);
    let claimed = claiming(&committing(claimed, digest), forged);
    forgery(claimed, trace, q, how, lie)
}

/// The one-hot instance's first indicator set too, so that two categories count at once: with
/// `running` the group's sums follow (1, 2, 2: the bit check fails), else they stay 1 (the sum
/// check fails on the second indicator).
fn two_categories(layout: Layout, running: bool) -> Forgery<LinearBody> {
    let (claimed, mut q) = (one_hot_linear(layout), one_hot_q(layout));
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    q[ONE_HOT.start] = 1;
    set_x(&mut trace, &input, feature_row(ONE_HOT.start), 1);
    let g = input.group_sum().expect("one-hot groups");
    let sums: [u64; 3] = if running { [1, 2, 2] } else { [1, 1, 1] };
    for (f, sum) in ONE_HOT.zip(sums) {
        trace.set(g, feature_row(f), BaseElement::new(sum));
    }
    let how = match running {
        true => "two indicators of a group are 1, its running sum reaching 2",
        false => "two indicators of a group are 1, its running sum staying 1",
    };
    let lie = "the scores of two categories at once, under a commitment to no one-hot input";
    resealed(&claimed, trace, &q, how, lie)
}

/// The message cell `j` of the last block where it holds a feature (or, failing that,
/// padding) holds the committed value (or 1), while `x` on that element's row, which the
/// model reads, holds another.
fn message_cell_lies(layout: Layout, j: usize) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let slot = |block: usize| input.slot(CYCLE * block + j);
    let blocks = 0..input.blocks();
    let block = (blocks
        .clone()
        .rev()
        .find(|&b| matches!(slot(b), Slot::Feature(_))))
    .or_else(|| blocks.rev().find(|&b| slot(b) == Slot::Padding))
    .expect("a feature or a padding cell");
    let row = CYCLE * block;
    // The chain of shift cells that carries the element up to the absorbing row.
    let chain = |trace: &mut TraceTable<BaseElement>, value: BaseElement| {
        for k in 0..RATE_WIDTH - j {
            if let Some(above) = row.checked_sub(k) {
                trace.set(input.shift(j + k), above, value);
            }
        }
    };
    match slot(block) {
        Slot::Feature(f) => {
            let mut other = q.clone();
            other[f] = q[f].wrapping_add(1);
            let mut trace = honest(&claimed, &other);
            chain(&mut trace, BaseElement::from(q[f]));
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, claimed.commitment);
            let how = format!(
                "message cell {j} of block {block} holds feature {f}, x on its row another value"
            );
            let lie = "the scores of another input, under the commitment to the input";
            forgery(
                claiming(&claimed, scores(&claimed.body, &other)),
                trace,
                &q,
                how,
                lie,
            )
        }
        _ => {
            let mut trace = honest(&claimed, &q);
            chain(&mut trace, BaseElement::ONE);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            let how = format!("padding cell {j} of block {block} absorbs 1");
            let lie = "a commitment no input and salt open";
            forgery(committing(&claimed, digest), trace, &q, how, lie)
        }
    }
}

/// The header element names one feature more.
fn header_names_another_count(layout: Layout) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    let header = InputBlock::new(q.len() + 1).header();
    set_element(&mut trace, &input, 0, header);
    let digest = rerun_sponge(&claimed, &mut trace, 0);
    let how = format!("the header names {} features", q.len() + 1);
    let lie = "a commitment whose header names another feature count";
    forgery(committing(&claimed, digest), trace, &q, how, lie)
}

/// Padding row `row` holds 1.
fn padding_absorbs_one(layout: Layout, row: usize) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    set_x(&mut trace, &input, row, 1);
    let digest = rerun_sponge(&claimed, &mut trace, 0);
    let how = format!("x is 1 on padding row {row}");
    let lie = "a commitment no input and salt open";
    forgery(committing(&claimed, digest), trace, &q, how, lie)
}

// RESCUE
// ================================================================================================

/// Round 1 maps the state to one whose middle value differs in cell `i` only.
fn round_deviates(layout: Layout, i: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    let (row, round) = (1, 1);
    let next: [BaseElement; STATE_WIDTH] =
        core::array::from_fn(|c| trace.get(input.state() + c, row + 1));
    // u = INV_MDS·(s' − ARK2): the round's middle, whose seventh powers the constraints check.
    let mut middle: [BaseElement; STATE_WIDTH] = core::array::from_fn(|r| {
        (0..STATE_WIDTH).fold(BaseElement::ZERO, |acc, c| {
            acc + Rp64_256::INV_MDS[r][c] * (next[c] - Rp64_256::ARK2[round][c])
        })
    });
    middle[i] += BaseElement::ONE;
    for r in 0..STATE_WIDTH {
        let cell = (0..STATE_WIDTH).fold(Rp64_256::ARK2[round][r], |acc, c| {
            acc + Rp64_256::MDS[r][c] * middle[c]
        });
        trace.set(input.state() + r, row + 1, cell);
    }
    let digest = rerun_sponge(&claimed, &mut trace, row + 1);
    let how = format!("round 1's middle state is off by one in cell {i}");
    let lie = "a commitment that is not the hash of the input and its salt";
    forgery(committing(&claimed, digest), trace, &q, how, lie)
}

/// The sponge starts with another value in state cell `i`.
fn sponge_starts_elsewhere(layout: Layout, i: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let cell = input.state() + i;
    let slot = RATE_RANGE
        .contains(&i)
        .then(|| input.slot(i - RATE_RANGE.start));
    let mut trace = honest(&claimed, &q);
    match slot {
        Some(Slot::Feature(f)) => {
            // The reviewer's forgery: q_f − q'_f preloaded in the feature's lane, so that
            // absorbing q'_f hashes q_f.
            let other = moved(layout, f);
            let mut trace = honest(&trees(layout, Disclose::Scores), &other);
            let preload = BaseElement::from(q[f]) - BaseElement::from(other[f]);
            trace.set(cell, 0, preload);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, claimed.commitment);
            let how = format!("rate cell {i} starts at q_{f} − q'_{f} for a q' that differs");
            let lie = "the scores of another input, under the commitment to the input";
            forgery(
                claiming(&claimed, scores(&claimed.body, &other)),
                trace,
                &q,
                how,
                lie,
            )
        }
        Some(Slot::Header) => {
            let header = InputBlock::new(q.len() + 1).header() - InputBlock::new(q.len()).header();
            trace.set(cell, 0, trace.get(cell, 0) + header);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            let how = format!("state cell {i} starts one header higher");
            let lie = "a commitment whose header names another feature count";
            forgery(committing(&claimed, digest), trace, &q, how, lie)
        }
        Some(Slot::Salt) => unreachable!("salt lanes are not asserted"),
        _ => {
            // A capacity cell, or a padding lane.
            trace.set(cell, 0, trace.get(cell, 0) + BaseElement::ONE);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            let how = format!("state cell {i} starts 1 higher");
            let lie = "a commitment no input and salt open";
            forgery(committing(&claimed, digest), trace, &q, how, lie)
        }
    }
}

/// The honest trace, claiming a digest that differs in cell `i`.
fn another_digest(layout: Layout, i: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut commitment = claimed.commitment;
    commitment[i] += BaseElement::ONE;
    let how = format!("the honest trace, digest cell {i} claimed one higher");
    let lie = "a commitment that is not the hash of the input and its salt";
    forgery(
        committing(&claimed, commitment),
        honest(&claimed, &q),
        &q,
        how,
        lie,
    )
}

// LOOKUP
// ================================================================================================

/// What a forgery of a read does to the lookup's running sum.
#[derive(Clone, Copy)]
enum Forged {
    /// Sums the committed value's fraction on the reading row.
    Step,
    /// Starts where it must to end at zero.
    Start,
    /// Sums honestly, and ends elsewhere than zero.
    End,
    /// Sums honestly, and is set to zero on the last real row.
    LastStep,
}

/// Tree 1's stump reads `q0 = t` (and goes right) where the input has `q0 < t`.
fn read_not_in_table(layout: Layout, forged: Forged) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    let read = stump_threshold(layout, 0);
    set_element(&mut trace, &input, row, felt(read));
    trace.set(at + B, row, BaseElement::ZERO);
    set_digits(&claimed, &mut trace, row, 0);
    repair(&claimed, &mut trace, &[]);
    let (aux, how) = match forged {
        Forged::Step => (
            AuxForgery::Pretend {
                row,
                column: input.x(),
                value: BaseElement::from(q[0]),
            },
            "a split reads t for q0; the sum adds q0's fraction",
        ),
        Forged::Start => (
            AuxForgery::Offset,
            "a split reads t for q0; the sum starts where it ends at 0",
        ),
        Forged::End => (
            AuxForgery::Honest,
            "a split reads t for q0; the sum ends off 0",
        ),
        Forged::LastStep => (
            AuxForgery::Closed,
            "a split reads t for q0; the sum jumps to 0 on the last real row",
        ),
    };
    let lie = "the scores of a split that reads a value the input does not have";
    lookup_forgery(&claimed, trace, &q, aux, how, lie)
}

/// A forgery claiming the scores of `trace`, with its running sum forged as `aux`.
fn lookup_forgery(
    claimed: &Statement<TreeBody>,
    trace: TraceTable<BaseElement>,
    q: &[u16],
    aux: AuxForgery,
    how: &str,
    lie: &str,
) -> Forgery<TreeBody> {
    let scores = scores_in(claimed, &trace);
    Forgery {
        aux,
        ..forgery(claiming(claimed, scores), trace, q, how, lie)
    }
}

/// The stump on the first categorical feature sends its input's code, one of the two it sends
/// left, right: the run it reads does not exist, and the sum adds the honest run's fraction.
fn category_flipped(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let row = stump_row(&claimed) + FIRST_CATEGORICAL;
    let column = claimed.body_column() + B;
    assert_eq!(
        trace.get(column, row),
        BaseElement::ONE,
        "the code goes left"
    );
    trace.set(column, row, BaseElement::ZERO);
    repair(&claimed, &mut trace, &[]);
    let aux = AuxForgery::Pretend {
        row,
        column,
        value: BaseElement::ONE,
    };
    let how = "a categorical split sends a code of its set right; the sum adds the left run's \
               fraction";
    let lie = "the scores of the branch the code does not take";
    lookup_forgery(&claimed, trace, &q, aux, how, lie)
}

// LINEAR
// ================================================================================================

/// Score `c` is 7 more than `bias + W·q`: from the scores row on with `jump`, else from its
/// start.
fn score_shifted(layout: Layout, c: usize, jump: bool) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let column = claimed.body_column() + c;
    let from = if jump { claimed.scores_row() } else { 0 };
    for row in from..=last_real(&trace) {
        trace.set(column, row, trace.get(column, row) + BaseElement::new(7));
    }
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 7;
    let how = match jump {
        true => format!("score {c} jumps by 7 on row {from}"),
        false => format!("score {c} starts 7 above its bias"),
    };
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "a score the model does not compute",
    )
}

// TREES
// ================================================================================================

/// Tree 1's stump (`q0 < 35000`, leaves 65539 and 3) takes `b = 5005/2^16`: the digits still
/// add up (`d = x − t + 5005 = 5`) and the accumulator adds `3 + 2^16·b = 5008`.
fn decision_not_a_bit(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    let b = BaseElement::new(5005) / BaseElement::new(1 << 16);
    trace.set(at + B, row, b);
    set_digits(&claimed, &mut trace, row, 5);
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    let how = "a stump's decision is 5005/2^16, between its leaves 65539 and 3";
    let lie = "score 0 with 5008 from a stump whose leaves are 65539 and 3";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}

/// Tree 1's stump goes right although `q0 < 35000`, with `d = x − t mod 2^16`.
fn branch_flipped(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    trace.set(at + B, row, BaseElement::ZERO);
    let difference = i64::from(q[0]) - stump_threshold(layout, 0);
    set_digits(
        &claimed,
        &mut trace,
        row,
        difference.rem_euclid(MAX_THRESHOLD),
    );
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    let how = "a stump goes right for q0 < t, d = x − t mod 2^16";
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "the scores of the wrong branch",
    )
}

/// Tree 1's stump reads the present `q0 < 35000` with `m = 1` and takes its default branch,
/// right.
fn present_feature_defaulted(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let m = claimed.input().missing().expect("missing features");
    trace.set(m, stump_row(&claimed), BaseElement::ONE);
    let how = "m = 1 where a stump reads the present q0 < t: it takes its default, right";
    let lie = "the scores of the default branch for a present feature";
    stump_sent(claimed, trace, &q, false, how, lie)
}

/// Feature 0 is missing and tree 1's stump goes left, against its default (right).
fn default_ignored(layout: Layout) -> Forgery<TreeBody> {
    let mut q: Vec<Feature> = layout.q().into_iter().map(Some).collect();
    q[0] = None;
    let body = TreeBody::new(ensemble(layout)).unwrap();
    let claimed = statement(body, &q, Disclose::Scores);
    let trace = honest(&claimed, &q);
    let how = "feature 0 is missing and a stump whose default is right goes left";
    let lie = "the scores of the branch a missing feature does not take";
    stump_sent(claimed, trace, &q, true, how, lie)
}

/// `trace` with tree 1's stump sent left (or right) and the walk repaired after it: the forgery
/// claiming the scores that follow.
fn stump_sent<F: Copy + Into<Feature>>(
    claimed: Statement<TreeBody>,
    mut trace: TraceTable<BaseElement>,
    q: &[F],
    left: bool,
    how: &str,
    lie: &str,
) -> Forgery<TreeBody> {
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    trace.set(at + B, row, BaseElement::from(left));
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    forgery(claiming(&claimed, forged), trace, q, how, lie)
}

/// Tree 1's stump, a root, is not visited: its leaf adds nothing.
fn visited_root_skipped(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let row = stump_row(&claimed);
    trace.set(claimed.body_column() + IND, row, BaseElement::ZERO);
    repair(&claimed, &mut trace, &[(row, IND)]);
    let forged = scores_in(&claimed, &trace);
    let how = "a root's indicator is 0";
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "scores without that tree's leaf",
    )
}

/// Tree 0's split at depth `j` on the path goes left, yet its stack cell says its right child
/// is visited too: both subtrees add their leaves.
fn both_children_visited(layout: Layout, j: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    // Pre-order rows: the root, its left child, …; on the input both go left.
    let row = claimed.body_row() + j;
    let cell = claimed.body.walk().stack(j);
    trace.set(claimed.body_column() + cell, row, BaseElement::ONE);
    repair(&claimed, &mut trace, &[(row, cell)]);
    let forged = scores_in(&claimed, &trace);
    let how = format!("the split at depth {j} goes left, its stack cell says right too");
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "the scores of two leaves of one tree",
    )
}

/// The honest trace of the model whose reached leaf on score `c` is 11 higher.
fn leaf_value_changed(layout: Layout, c: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut other = ensemble(layout);
    // Tree 1 (target 0) and the stump on q1 (target 1) both go left on the input: leaf 0.
    let tree = if c == 0 { 1 } else { 2 };
    assert_eq!(other.trees[tree].target, Some(c as u32));
    other.trees[tree].leaf_value[0] += 11;
    let other = trees_with(layout, other);
    let how = format!("a reached leaf adds 11 more to score {c}");
    let lie = "a score the model does not compute";
    forgery(
        claiming(&claimed, scores(&other.body, &q)),
        honest(&other, &q),
        &q,
        how,
        lie,
    )
}

/// The honest trace of the model whose base for score `c` is 11 higher.
fn base_changed(layout: Layout, c: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut other = ensemble(layout);
    other.base[c] += 11;
    let other = trees_with(layout, other);
    let how = format!("accumulator {c} starts 11 higher");
    let lie = "a score the model does not compute";
    forgery(
        claiming(&claimed, scores(&other.body, &q)),
        honest(&other, &q),
        &q,
        how,
        lie,
    )
}

/// The honest trace, claiming score `c` one higher.
fn disclosed_score_differs(layout: Layout, c: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 1;
    let how = format!("the honest trace, score {c} claimed one higher");
    let lie = "a score the model does not compute";
    forgery(
        claiming(&claimed, forged),
        honest(&claimed, &q),
        &q,
        how,
        lie,
    )
}

// NETWORKS
// ================================================================================================

/// The forgery of the network's scores whose trace tells `lie` ([`replay`]).
fn network_lie(layout: Layout, lie: Lie, how: String, what: &str) -> Forgery<MlpBody> {
    let (claimed, q) = (mlp(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let forged = replay(&claimed, &q, &mut trace, lie);
    let forged = forged.iter().map(|&s| as_i64(s)).collect();
    forgery(claiming(&claimed, forged), trace, &q, how, what)
}

/// Hidden neuron 0 fires (`h > 0`); its halves say `h = 0` and its sign `1 + h/2^16`.
fn firing_neuron_silenced(layout: Layout) -> Forgery<MlpBody> {
    let d = mlp(layout, Disclose::Scores)
        .body
        .decompositions(&layout.q())[0];
    assert!(d.h > 0);
    let sign = BaseElement::ONE + BaseElement::from(d.h) / BaseElement::new(1 << 16);
    let lie = Lie::Cells(0, [BaseElement::ZERO, d.r.into(), sign]);
    let how = "a firing neuron's sign is 1 + h/2^16 and its h 0".to_string();
    network_lie(layout, lie, how, "the scores with that neuron dead")
}

/// Hidden neuron 0's `h` is 100 more than its pre-activation gives (1 more would be lost in the
/// next layer's rescaling).
fn activation_raised(layout: Layout) -> Forgery<MlpBody> {
    let d = mlp(layout, Disclose::Scores)
        .body
        .decompositions(&layout.q())[0];
    let lie = Lie::Cells(0, [(d.h + 100).into(), d.r.into(), (d.b as u8).into()]);
    let how = "a neuron's h is 100 more than ⌊z/2^16⌋".to_string();
    network_lie(layout, lie, how, "the scores of a larger activation")
}

/// Feature 0's row passes 0 on to the first layer (`b = 0` there, so ReLU gives 0).
fn feature_not_fed(layout: Layout) -> Forgery<MlpBody> {
    let lie = Lie::Unfed(crate::input::feature_row(0));
    let how = "b is 0 on feature 0's row".to_string();
    let what = "the scores of a network not reading feature 0";
    network_lie(layout, lie, how, what)
}

/// Accumulator `k` is 2^28 more from row `from` on (from its initial value when `from` is 0),
/// before anything reads it: enough to change the scores.
fn accumulator_shifted(layout: Layout, k: usize, from: usize) -> Forgery<MlpBody> {
    let lie = Lie::Shift {
        accumulator: k,
        from,
        by: BaseElement::new(1 << 28),
    };
    let how = if from == 0 {
        format!("accumulator {k} starts 2^28 above its initial value")
    } else {
        format!("accumulator {k} jumps by 2^28 on row {from}")
    };
    let what = "the scores of another pre-activation";
    network_lie(layout, lie, how, what)
}

// DISCLOSURE AND MASKS
// ================================================================================================

/// The class the scores do not give: with `assembled`, `cmp` holds the false comparison's
/// (negative) value from its last chunk on, which the chunks do not assemble; else the honest
/// chunks and `cmp`, which the false comparison's end does not match.
fn false_class(layout: Layout, assembled: bool) -> Forgery<TreeBody> {
    let q = layout.q();
    let truth = class(&scores(&trees(layout, Disclose::Scores).body, &q));
    let claimed = trees(layout, Disclose::Class(1 - truth));
    let mut trace = honest(&trees(layout, Disclose::Class(truth)), &q);
    if assembled {
        let values = scores(&claimed.body, &q);
        let comparison = &claimed.comparisons[0];
        let value = (comparison.coefficients.iter().zip(&values))
            .fold(comparison.offset, |acc, (&a, &s)| acc + a * s);
        assert!(value < 0, "the false class's comparison is negative");
        let (end, last) = (claimed.scores_row() + 2, last_real(&trace));
        fill(&mut trace, claimed.cmp_column(), end..=last, felt(value));
    }
    let how = match assembled {
        true => "cmp takes the false comparison's negative value, not its chunks'",
        false => "the honest chunks, compared against the false class",
    };
    let lie = format!("class {} for scores that give class {truth}", 1 - truth);
    forgery(claimed, trace, &q, how, lie)
}

/// `B` is 1 on row 5, where the masks are enforced; `A_j` is 0 there but for `A_i`.
fn mask_does_not_vanish(layout: Layout, i: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let zk = ZkParams::for_options(&options());
    let (masks, row) = (claimed.mask_column(), 5);
    for j in 0..zk.quotient_mask_columns {
        let value = if j == i {
            BaseElement::ONE
        } else {
            BaseElement::ZERO
        };
        trace.set(masks + j, row, value);
    }
    trace.set(masks + zk.quotient_mask_columns, row, BaseElement::ONE);
    Forgery {
        claimed,
        trace,
        committed: q.into_iter().map(Some).collect(),
        how: format!("B = 1 and A_{i} = 1 on an enforced row"),
        lie: None,
        aux: AuxForgery::Honest,
    }
}

// PATH LAYOUT
// ================================================================================================

/// Rewrites the path layout's columns of an honest `trace` for `q` as the steps `(tag, b)`
/// make them, with the host's `x`, digits and `m` on the step rows: every cell consistent
/// with the steps but the constraint the forgery breaks. Digits decompose the low 16 bits of
/// `d = x − t + b·2^16`. Returns the final scores.
fn repath(
    claimed: &Statement<TreeBody>,
    trace: &mut TraceTable<BaseElement>,
    q: &[Feature],
    steps: &[(usize, BaseElement)],
) -> Vec<i64> {
    let path = claimed.body.path().expect("the path layout");
    let (at, n, last) = (claimed.body_column(), trace.length(), last_real(trace));
    let mut columns = vec![vec![BaseElement::ZERO; n]; path.num_columns()];
    let scores = path.fill_steps(q, steps, claimed.body_row(), last, &mut columns);
    for (c, column) in columns.iter().enumerate() {
        for (row, &value) in column.iter().enumerate().take(last + 1) {
            trace.set(at + c, row, value);
        }
    }
    let input = claimed.input();
    let shift = BaseElement::new(MAX_THRESHOLD as u64);
    for (i, &(tag, b)) in steps.iter().enumerate() {
        let row = claimed.body_row() + i;
        let feature = q[path.feature_of(tag)];
        let x = crate::input::feature_element(feature);
        if trace.get(input.x(), row) != x {
            set_element(trace, &input, row, x);
        }
        let d = match feature {
            Some(_) => x - felt(path.threshold_of(tag)) + b * shift,
            None => BaseElement::ZERO,
        };
        set_digits(claimed, trace, row, (d.as_int() & 0xffff) as i64);
        if let Some(m) = input.missing() {
            trace.set(m, row, BaseElement::from(feature.is_none()));
        }
    }
    scores.into_iter().map(as_i64).collect()
}

/// The honest steps of the path layout on `q`, as `(tag, b)`.
fn path_steps(statement: &Statement<TreeBody>, q: &[Feature]) -> Vec<(usize, BaseElement)> {
    let path = statement.body.path().expect("the path layout");
    (path.steps(q).into_iter())
        .map(|(tag, b)| (tag, BaseElement::from(b)))
        .collect()
}

/// A path forgery: the path instance's honest trace with its steps replaced by `steps` (made
/// from the honest ones by `change`), claiming the scores they reach.
fn path_forgery(
    layout: Layout,
    change: impl FnOnce(&Statement<TreeBody>, &mut Vec<(usize, BaseElement)>),
    how: &str,
    lie: &str,
) -> Forgery<TreeBody> {
    let (claimed, q) = (paths(layout), crate::input::features(&layout.q()));
    let mut trace = honest(&claimed, &q);
    let mut steps = path_steps(&claimed, &q);
    change(&claimed, &mut steps);
    let forged = repath(&claimed, &mut trace, &q, &steps);
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}

/// The step row of tree `k`'s root, counted from the first step row.
fn path_root(statement: &Statement<TreeBody>, k: usize) -> usize {
    statement
        .body
        .path()
        .expect("the path layout")
        .first_step(k)
}

/// Tree 1's stump decides `b = 1/2`, with `d = x − t + 2^15` in range: it adds the mean of its
/// leaves.
fn path_bit_halved(layout: Layout) -> Forgery<TreeBody> {
    let half = BaseElement::new(2).inv();
    path_forgery(
        layout,
        |claimed, steps| steps[path_root(claimed, 1)].1 = half,
        "a stump decides b = 1/2, d = x − t + 2^15",
        "the scores with the mean of a stump's two leaves",
    )
}

/// Tree 0's root goes left, and its second step visits the root's right child.
fn path_jumps(layout: Layout) -> Forgery<TreeBody> {
    path_forgery(
        layout,
        |claimed, steps| {
            let path = claimed.body.path().expect("the path layout");
            let root = path_root(claimed, 0);
            let (tag, b) = steps[root];
            assert_eq!(b, BaseElement::ONE, "the root goes left");
            let right = path.children_of(tag).1;
            let q = crate::input::features(&layout.q());
            let b = BaseElement::from(path.decide(right, &q));
            steps[root + 1] = (right, b);
        },
        "the root goes left, the next step visits its right child",
        "the scores of a leaf the input does not reach",
    )
}

/// Score `c` grows by one more than its leaf on the step of the first tree adding to it.
fn path_leaf_value_changed(layout: Layout, c: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (paths(layout), layout.q());
    let mut trace = honest(&claimed, &q);
    let row = claimed.body_row() + path_root(&claimed, c);
    let column = claimed.body_column() + claimed.body.scores_column() + c;
    let last = last_real(&trace);
    for r in row + 1..=last {
        trace.set(column, r, trace.get(column, r) + BaseElement::ONE);
    }
    let forged = scores_in(&claimed, &trace);
    let how = format!("score {c} adds one more than its leaf's value");
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "scores off by one",
    )
}

/// Feature row 4 (read by no split) holds `f = −1` in the feature cell, so the table pairs
/// feature 3 with `q4`; tree 2's stump on feature 3 reads `q4` and goes right.
fn path_reads_another_feature(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (paths(layout), crate::input::features(&layout.q()));
    let path = claimed.body.path().expect("the path layout").clone();
    let mut trace = honest(&claimed, &q);
    let mut read = q.clone();
    read[3] = q[4];
    let steps: Vec<(usize, BaseElement)> = (path.steps(&read).into_iter())
        .map(|(tag, b)| (tag, BaseElement::from(b)))
        .collect();
    let forged = repath(&claimed, &mut trace, &read, &steps);
    let at = claimed.body_column();
    let multiplicity = at + path.feature_multiplicity();
    let (row3, row4) = (feature_row(3), feature_row(4));
    trace.set(
        multiplicity,
        row3,
        trace.get(multiplicity, row3) - BaseElement::ONE,
    );
    trace.set(multiplicity, row4, BaseElement::ONE);
    trace.set(at + crate::trees::path::FEATURE, row4, -BaseElement::ONE);
    let how = "feature row 4 holds f = −1: the table pairs feature 3 with q4, which a stump reads";
    let lie = "the scores of a split deciding on another feature's value";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}

/// Tree 2's stump goes right for `q3 < t`, `d = x − t mod 2^16`.
fn path_branch_flipped(layout: Layout) -> Forgery<TreeBody> {
    path_forgery(
        layout,
        |claimed, steps| steps[path_root(claimed, 2)].1 = BaseElement::ZERO,
        "a stump goes right for q3 < t, d = x − t mod 2^16",
        "the scores of the wrong branch",
    )
}

/// Feature 3 is missing and tree 2's stump goes left, against its default (right).
fn path_default_ignored(layout: Layout) -> Forgery<TreeBody> {
    let mut q: Vec<Feature> = layout.q().into_iter().map(Some).collect();
    q[3] = None;
    let body = TreeBody::pathing(path_ensemble(layout)).unwrap();
    let claimed = statement(body, &q, Disclose::Scores);
    let mut trace = honest(&claimed, &q);
    let mut steps = path_steps(&claimed, &q);
    steps[path_root(&claimed, 2)].1 = BaseElement::ONE;
    let forged = repath(&claimed, &mut trace, &q, &steps);
    let how = "feature 3 is missing and a stump whose default is right goes left";
    let lie = "the scores of the branch a missing feature does not take";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}
