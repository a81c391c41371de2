//! The forgery of every constraint and assertion ([`forge`]), on small instances of every body
//! in two input layouts ([`Layout`]): five features, which the sponge absorbs in one block, and
//! thirty, in two (so that the second block's slots are forged too). Each layout has a tree
//! ensemble, a linear model and a network, each with its scores disclosed or its class; and a
//! linear model whose scores are asserted on the last real row serves the one constraint (and
//! the exemption count) that only such a statement needs.
//!
//! Most forgeries take the honest trace of one statement and claim another, or splice two
//! honest traces, so that the only cells that disagree are those the constraint checks; a
//! tree forgery is then made consistent by [`Walk::repair`](crate::trees::walk::Walk), a
//! network's by [`replay`], a sponge's by re-running it ([`rerun_sponge`]).

use std::ops::RangeInclusive;

use winterfell::crypto::hashers::Rp64_256;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Trace, TraceTable};

use super::{AnyForgery, Forgery, EXEMPTION};
use crate::disclosure::{felt, Comparison};
use crate::inference::{build_trace, Body, Statement};
use crate::input::{InputBlock, Slot, DIGITS};
use crate::linear::LinearBody;
use crate::mlp::tests::{as_i64, replay, Lie};
use crate::mlp::{Activation, Dense, MlpBody, Network, B as SIGN};
use crate::rescue::{CYCLE, DIGEST_RANGE, RATE_RANGE, STATE_WIDTH};
use crate::testing::{options, rng, salt, set_x};
use crate::trees::walk::{Ensemble, Tree, B, DECISION_BITS, D_BITS, IND, MAX_THRESHOLD};
use crate::trees::TreeBody;
use crate::zk::ZkParams;

/// How the committed input fills the sponge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Five features: the header, two packed elements, the salt and a padding cell, in one
    /// block. A sixth (zero) feature would pack into the same elements.
    OneBlock,
    /// Thirty features: the header and seven packed elements in the first block; three more, the
    /// salt and a padding cell in the second.
    TwoBlocks,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::OneBlock, Layout::TwoBlocks];

    /// The committed input: its first five features the same in both layouts.
    fn q(self) -> Vec<u16> {
        let first = [30_000, 1_000, 60_000, 12, 40_000];
        let features = match self {
            Layout::OneBlock => 5,
            Layout::TwoBlocks => 30,
        };
        (0..features)
            .map(|f| first.get(f).copied().unwrap_or((f as u16 * 2_003) % 60_000))
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::OneBlock => "5 features",
            Layout::TwoBlocks => "30 features",
        }
    }
}

// INSTANCES
// ================================================================================================

/// What a statement discloses.
#[derive(Clone, Copy)]
enum Disclose {
    Scores,
    /// That this class (of two scores) beats the other.
    Class(usize),
}

/// The statement of `body` on features `q`, committed with the test salt.
fn statement<B: Body>(body: B, q: &[u16], disclose: Disclose) -> Statement<B> {
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

/// The scores `body` computes on `q` (its own fill, on scratch columns).
pub fn scores<B: Body>(body: &B, q: &[u16]) -> Vec<i64> {
    let last = q.len() + body.rows();
    let mut columns = vec![vec![BaseElement::ZERO; last + 1]; body.width()];
    body.fill(q, q.len(), last, &mut columns)
}

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
/// scores).
fn ensemble(layout: Layout) -> Ensemble {
    let features = layout.q().len();
    let mut trees = vec![
        Tree {
            target: None,
            feature: vec![0, 1, 2, 3, 4, 0, 1],
            threshold: vec![40_000, 2_000, 30_000, 5, 50_000, 10_000, 500],
            left: vec![1, 3, 5, 7, 9, 11, 13],
            right: vec![2, 4, 6, 8, 10, 12, 14],
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
    Ensemble {
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

fn linear_body(features: usize) -> LinearBody {
    let weight = |c: i64, f: i64| (c * 7 + f * 13) % 23 - 11;
    LinearBody {
        weights: (0..2)
            .map(|c| (0..features as i64).map(|f| weight(c, f)).collect())
            .collect(),
        bias: vec![1_000, -1_000],
    }
}

fn linear(layout: Layout, disclose: Disclose) -> Statement<LinearBody> {
    let q = layout.q();
    statement(linear_body(q.len()), &q, disclose)
}

/// A linear model with so many features that its scores, asserted on row `F`, are on the last
/// real row: only the carry binds them there.
fn tight_linear() -> (Statement<LinearBody>, Vec<u16>) {
    let zk = ZkParams::for_options(&options());
    let features = 256 - zk.random_rows - 1;
    let q: Vec<u16> = (0..features).map(|f| (f * 7919 % 65_536) as u16).collect();
    let statement = statement(linear_body(features), &q, Disclose::Scores);
    let trace_length = statement.trace_length(&options());
    assert_eq!(statement.scores_row(), zk.last_real_row(trace_length));
    (statement, q)
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
    statement(MlpBody::new(network(q.len())).unwrap(), &q, disclose)
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

fn honest<B: Body>(statement: &Statement<B>, q: &[u16]) -> TraceTable<BaseElement> {
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

/// Copies `columns` on `rows` from one trace to another.
fn copy(
    from: &TraceTable<BaseElement>,
    to: &mut TraceTable<BaseElement>,
    columns: impl Iterator<Item = usize>,
    rows: RangeInclusive<usize>,
) {
    for column in columns {
        for row in rows.clone() {
            to.set(column, row, from.get(column, row));
        }
    }
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

/// Re-runs the sponge from row `from` (whose state the trace holds) to the last real row,
/// absorbing the trace's message cells on each block's first row; returns the digest.
fn rerun_sponge<B: Body>(
    statement: &Statement<B>,
    trace: &mut TraceTable<BaseElement>,
    from: usize,
) -> [BaseElement; 4] {
    let input = statement.input();
    let (state_at, message_at) = (input.state(), input.message());
    let mut state: [BaseElement; STATE_WIDTH] =
        core::array::from_fn(|i| trace.get(state_at + i, from));
    for row in from..last_real(trace) {
        match row % CYCLE {
            0 => {
                for (j, cell) in RATE_RANGE.enumerate() {
                    state[cell] += trace.get(message_at + j, row);
                }
                Rp64_256::apply_round(&mut state, 0);
            }
            round @ 1..=6 => Rp64_256::apply_round(&mut state, round),
            _ => {}
        }
        for (i, &value) in state.iter().enumerate() {
            trace.set(state_at + i, row + 1, value);
        }
    }
    let digest_row = crate::rescue::final_row(input.num_elements());
    core::array::from_fn(|i| trace.get(state_at + DIGEST_RANGE.start + i, digest_row))
}

/// The layout's input with feature `f` moved onto the threshold of the stump on it, which the
/// walk then takes to the other side.
fn moved(layout: Layout, f: usize) -> Vec<u16> {
    let mut q = layout.q();
    q[f] = stump_threshold(layout, f) as u16;
    q
}

/// The lie of a commitment to another feature count, and a check that it is that commitment
/// where the longer input (a trailing zero) packs alike.
fn another_count(layout: Layout, digest: [BaseElement; 4]) -> String {
    let longer = [&layout.q()[..], &[0]].concat();
    if longer.len() % 3 != 1 {
        assert_eq!(digest, InputBlock::commitment(&longer, &salt(0)));
        format!(
            "a proof for the {}-feature model on the commitment to a {}-feature input",
            longer.len() - 1,
            longer.len()
        )
    } else {
        "a commitment whose header names another feature count".into()
    }
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

fn digits(value: i64) -> [BaseElement; DECISION_BITS] {
    core::array::from_fn(|j| BaseElement::from(((value >> j) & 1) as u8))
}

/// A forgery of the committed input `q`, lying `lie`.
fn forgery<B>(
    claimed: Statement<B>,
    trace: TraceTable<BaseElement>,
    q: &[u16],
    how: impl Into<String>,
    lie: impl Into<String>,
) -> Forgery<B> {
    Forgery {
        claimed,
        trace,
        committed: q.to_vec(),
        how: how.into(),
        lie: Some(lie.into()),
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
        ("input.feature", Some(f)) => Trees(feature_changes_after_its_checks(l, f)),
        ("input.digit", Some(j)) => Linear(packing_collision(l, Some(j))),
        ("input.recompose", None) => Linear(packing_collision(l, None)),
        ("input.select", None) => Trees(split_reads_another_feature(l)),
        ("input.message", Some(j)) => Trees(message_cell_lies(l, j)),
        ("rescue.round", Some(i)) => Trees(round_deviates(l, i)),
        ("rescue.initial", Some(i)) => Trees(sponge_starts_elsewhere(l, i)),
        ("rescue.digest", Some(i)) => Trees(another_digest(l, i)),
        ("linear.carry", Some(c)) => Linear(last_row_score(c, "the carry")),
        ("linear.score", Some(c)) => Linear(score_shifted(l, c)),
        ("trees.b", None) => Trees(decision_not_a_bit(l)),
        ("trees.d_bit", Some(j)) => Trees(branch_flipped(l, Some(j))),
        ("trees.decision", None) => Trees(branch_flipped(l, None)),
        ("trees.ind", None) => Trees(visited_root_skipped(l)),
        ("trees.stack", Some(j)) => Trees(both_children_visited(l, j)),
        ("trees.acc", Some(c)) => Trees(leaf_value_changed(l, c)),
        ("trees.initial", Some(c)) => Trees(base_changed(l, c)),
        ("mlp.sign", None) => Mlp(firing_neuron_silenced(l)),
        ("mlp.decomposition", None) => Mlp(activation_raised(l)),
        ("mlp.acc", Some(k)) => Mlp(accumulator_shifted(l, k, 1)),
        ("mlp.initial", Some(k)) => Mlp(accumulator_shifted(l, k, 0)),
        ("disclosure.assemble", None) => Trees(false_class(l, true)),
        ("disclosure.end", None) => Trees(false_class(l, false)),
        ("zk.mask", Some(i)) => Trees(mask_does_not_vanish(l, i)),
        ("zk.exemptions", None) => Linear(last_row_score(0, "one more exemption")),
        ("output.score", Some(c)) => Trees(disclosed_score_differs(l, c)),
        _ => return None,
    })
}

// INPUT BLOCK
// ================================================================================================

/// Feature `f` holds the committed value while it is hashed and range-checked (every row
/// before the walk's), then another on the walk's rows.
fn feature_changes_after_its_checks(layout: Layout, f: usize) -> Forgery<TreeBody> {
    let (claimed, committed_q) = (trees(layout, Disclose::Scores), layout.q());
    let q = moved(layout, f);
    let mut trace = honest(&trees(layout, Disclose::Scores), &q);
    let committed = honest(&claimed, &committed_q);
    let input = claimed.input();
    let (width, last, walk) = (trace.width(), last_real(&trace), claimed.body_row());
    copy(&committed, &mut trace, 0..width, 0..=walk - 1);
    copy(
        &committed,
        &mut trace,
        input.message()..input.width(),
        0..=last,
    );
    let how = format!(
        "feature {f} changes after row {}: the walk reads another value",
        walk - 1
    );
    let lie = "the scores of another input, under the commitment to the input";
    forgery(
        claiming(&claimed, scores(&claimed.body, &q)),
        trace,
        &committed_q,
        how,
        lie,
    )
}

/// `(q0 + 2^16, q1 − 1)` packs like `(q0, q1)`: the same commitment, another input, whose
/// first feature is out of range; with `Some(j)` its base-4 digit `j` is `4^(8−j)` too large,
/// with `None` its digits are those of `q0`.
fn packing_collision(layout: Layout, digit: Option<usize>) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let mut trace = honest(&claimed, &q);
    let last = last_real(&trace);
    let (first, second) = (i64::from(q[0]) + (1 << 16), i64::from(q[1]) - 1);
    fill(&mut trace, input.q(0), 0..=last, felt(first));
    fill(&mut trace, input.q(1), 0..=last, felt(second));
    trace.set(input.x(), 0, felt(first));
    if let Some(j) = digit {
        let raised = trace.get(input.digits() + j, 0) + BaseElement::new(1 << (2 * (DIGITS - j)));
        trace.set(input.digits() + j, 0, raised);
    }
    set_x(&mut trace, &input, 1, second as u16);
    let body = &claimed.body;
    let value = |f: usize| match f {
        0 => first,
        1 => second,
        _ => i64::from(q[f]),
    };
    let forged: Vec<i64> = (body.weights.iter().zip(&body.bias))
        .map(|(w, b)| b + (0..q.len()).map(|f| w[f] * value(f)).sum::<i64>())
        .collect();
    for (c, &score) in forged.iter().enumerate() {
        fill(&mut trace, claimed.body_column() + c, 0..=last, felt(score));
    }
    let how = match digit {
        Some(j) => format!("q0 + 2^16 range-checked with base-4 digit {j} over 3"),
        None => "q0 + 2^16 range-checked with the digits of q0".into(),
    };
    let lie = "the scores of (q0 + 2^16, q1 − 1, …), a 17-bit input that packs like the input";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}

/// The stump on feature 4 reads feature 2 (the honest trace of that other model).
fn split_reads_another_feature(layout: Layout) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut other = ensemble(layout);
    let stump = (other.trees.iter_mut())
        .find(|t| t.feature == [4])
        .expect("a stump on q4");
    stump.feature[0] = 2;
    let other = trees_with(layout, other);
    let how = "a split on q4 reads q2 into x";
    let lie = "the scores of the model with that split on q2";
    forgery(
        claiming(&claimed, scores(&other.body, &q)),
        honest(&other, &q),
        &q,
        how,
        lie,
    )
}

/// Message cell `j` holds another element than the one it must, in the last block where it is
/// constrained.
fn message_cell_lies(layout: Layout, j: usize) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let input = claimed.input();
    let (block, slot) = (0..input.blocks())
        .rev()
        .find_map(|b| (input.slot(b, j) != Slot::Salt).then(|| (b, input.slot(b, j))))
        .expect("a constrained cell");
    let (cell, row) = (input.message() + j, CYCLE * block);
    match slot {
        Slot::Header => {
            let mut trace = honest(&claimed, &q);
            trace.set(cell, row, InputBlock::new(q.len() + 1).header());
            let digest = rerun_sponge(&claimed, &mut trace, row);
            let how = format!("the header cell holds {} features' header", q.len() + 1);
            let lie = another_count(layout, digest);
            forgery(committing(&claimed, digest), trace, &q, how, lie)
        }
        Slot::Features(element) => {
            // The committed element hashed, the walk on an input that differs there.
            let other = moved(layout, 3 * element);
            let mut trace = honest(&trees(layout, Disclose::Scores), &other);
            trace.set(cell, row, honest(&claimed, &q).get(cell, row));
            let digest = rerun_sponge(&claimed, &mut trace, row);
            assert_eq!(digest, claimed.commitment);
            let how = format!(
                "message cell {j} of block {block} packs the input's features, the feature cells \
                 another input's"
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
        Slot::Padding => {
            let mut trace = honest(&claimed, &q);
            trace.set(cell, row, BaseElement::ONE);
            let digest = rerun_sponge(&claimed, &mut trace, row);
            let how = format!("padding cell {j} of block {block} absorbs 1");
            let lie = "a commitment no input and salt open";
            forgery(committing(&claimed, digest), trace, &q, how, lie)
        }
        Slot::Salt => unreachable!("salt cells are not constrained"),
    }
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
        .then(|| input.slot(0, i - RATE_RANGE.start));
    let mut trace = honest(&claimed, &q);
    match slot {
        Some(Slot::Features(element)) => {
            // The reviewer's forgery: pack(q) − pack(q') preloaded in the element's lane, so
            // that absorbing the packed cells of q' hashes q.
            let other = moved(layout, 3 * element);
            let mut trace = honest(&trees(layout, Disclose::Scores), &other);
            let message = input.message() + i - RATE_RANGE.start;
            let preload = honest(&claimed, &q).get(message, 0) - trace.get(message, 0);
            trace.set(cell, 0, preload);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, claimed.commitment);
            let how = format!("rate cell {i} starts at pack(q) − pack(q') for a q' that differs");
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
            let lie = another_count(layout, digest);
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

// LINEAR
// ================================================================================================

/// The scores, asserted on the last real row, are 7 more there than on the row before.
fn last_row_score(c: usize, what: &str) -> Forgery<LinearBody> {
    let (claimed, q) = tight_linear();
    let mut trace = honest(&claimed, &q);
    let last = last_real(&trace);
    let column = claimed.body_column() + c;
    trace.set(column, last, trace.get(column, last) + BaseElement::new(7));
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 7;
    let how = format!(
        "{} features, score {c} asserted on the last real row, 7 higher there ({what})",
        q.len()
    );
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "a score the model does not compute",
    )
}

/// Score `c` is 7 more than `bias + W·q` on every row.
fn score_shifted(layout: Layout, c: usize) -> Forgery<LinearBody> {
    let (claimed, q) = (linear(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let column = claimed.body_column() + c;
    for row in 0..=last_real(&trace) {
        trace.set(column, row, trace.get(column, row) + BaseElement::new(7));
    }
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 7;
    let how = format!("score {c} 7 higher on every row");
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
    for (j, bit) in digits(5).into_iter().enumerate() {
        trace.set(at + D_BITS + j, row, bit);
    }
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    let how = "a stump's decision is 5005/2^16, between its leaves 65539 and 3";
    let lie = "score 0 with 5008 from a stump whose leaves are 65539 and 3";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
}

/// Tree 1's stump goes right although `q0 < 35000`: with `Some(j)`, digit `j` makes up the
/// difference; with `None`, the digits are those of `x − t mod 2^16`.
fn branch_flipped(layout: Layout, digit: Option<usize>) -> Forgery<TreeBody> {
    let (claimed, q) = (trees(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    trace.set(at + B, row, BaseElement::ZERO);
    let difference = i64::from(q[0]) - stump_threshold(layout, 0);
    let mut bits = digits(difference.rem_euclid(MAX_THRESHOLD));
    if let Some(j) = digit {
        // Σ 2^i·d_i = x − t with d_j solved for.
        let others = (0..DECISION_BITS)
            .filter(|&i| i != j)
            .fold(BaseElement::ZERO, |acc, i| {
                acc + bits[i] * BaseElement::new(1 << i)
            });
        bits[j] = (felt(difference) - others) / BaseElement::new(1 << j);
    }
    for (i, bit) in bits.into_iter().enumerate() {
        trace.set(at + D_BITS + i, row, bit);
    }
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    let how = match digit {
        Some(j) => format!("a stump goes right for q0 < t, decision digit {j} not a bit"),
        None => "a stump goes right for q0 < t, digits of x − t mod 2^16".into(),
    };
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "the scores of the wrong branch",
    )
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

/// Hidden neuron 0 fires (`h > 0`); its halves say `h = 0` and its sign `1 + h/2^16`.
fn firing_neuron_silenced(layout: Layout) -> Forgery<MlpBody> {
    let (claimed, q) = (mlp(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let row = claimed.body_row() + claimed.body.first_row(0);
    let h = claimed.body.decompositions(&q)[0].h;
    assert!(h > 0);
    set_x(&mut trace, &claimed.input(), row, 0);
    let sign = BaseElement::ONE + BaseElement::from(h) / BaseElement::new(1 << 16);
    trace.set(claimed.body_column() + SIGN, row, sign);
    let forged = replay(
        &claimed,
        &q,
        &mut trace,
        Lie::Activation(0, BaseElement::ZERO),
    );
    let forged = forged.iter().map(|&s| as_i64(s)).collect();
    let how = "a firing neuron's sign is 1 + h/2^16 and its h 0";
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "the scores with that neuron dead",
    )
}

/// Hidden neuron 0's `h` is 100 more than its pre-activation gives (1 more would be lost in the
/// next layer's rescaling).
fn activation_raised(layout: Layout) -> Forgery<MlpBody> {
    let (claimed, q) = (mlp(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let row = claimed.body_row() + claimed.body.first_row(0);
    let d = claimed.body.decompositions(&q)[0];
    set_x(&mut trace, &claimed.input(), row, d.h + 100);
    let activation = BaseElement::from(d.h + 100);
    let forged = replay(&claimed, &q, &mut trace, Lie::Activation(0, activation));
    let forged = forged.iter().map(|&s| as_i64(s)).collect();
    let how = "a neuron's h is 100 more than ⌊z/2^16⌋";
    forgery(
        claiming(&claimed, forged),
        trace,
        &q,
        how,
        "the scores of a larger activation",
    )
}

/// Accumulator `k` is 2^27 more from row `from` on (from its bias when `from` is 0): enough to
/// make a dead neuron of the last hidden layer fire.
fn accumulator_shifted(layout: Layout, k: usize, from: usize) -> Forgery<MlpBody> {
    let (claimed, q) = (mlp(layout, Disclose::Scores), layout.q());
    let mut trace = honest(&claimed, &q);
    let from = if from == 0 {
        0
    } else {
        claimed.body_row() + from
    };
    let lie = Lie::Shift {
        accumulator: k,
        from,
        by: BaseElement::new(1 << 27),
    };
    let forged = replay(&claimed, &q, &mut trace, lie);
    let forged = forged.iter().map(|&s| as_i64(s)).collect();
    let how = if from == 0 {
        format!("accumulator {k} starts 2^27 above its bias")
    } else {
        format!("accumulator {k} jumps by 2^27 on row {from}")
    };
    let lie = "the scores of another pre-activation";
    forgery(claiming(&claimed, forged), trace, &q, how, lie)
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
        committed: q,
        how: format!("B = 1 and A_{i} = 1 on an enforced row"),
        lie: None,
    }
}
