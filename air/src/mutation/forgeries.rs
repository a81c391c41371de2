//! The forgery of every constraint and assertion ([`forge`]), on small instances of every body
//! over five features (`Q`): a tree ensemble, a linear model and a network, each with its scores
//! disclosed or its class; and a linear model whose scores are asserted on the last real row,
//! for the one constraint (and the exemption count) that only such a statement needs.
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
use crate::input::{InputBlock, DIGITS};
use crate::linear::LinearBody;
use crate::mlp::tests::{as_i64, replay, Lie};
use crate::mlp::{Activation, Dense, MlpBody, Network, B as SIGN};
use crate::rescue::{CYCLE, DIGEST_RANGE, RATE_RANGE, STATE_WIDTH};
use crate::testing::{options, rng, salt, set_x};
use crate::trees::walk::{Ensemble, Tree, B, DECISION_BITS, D_BITS, IND, MAX_THRESHOLD};
use crate::trees::TreeBody;
use crate::zk::ZkParams;

/// Five features: two packed elements, which a sixth (zero) feature would still fill.
const F: usize = 5;
const Q: [u16; F] = [30_000, 1_000, 60_000, 12, 40_000];

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
fn scores<B: Body>(body: &B, q: &[u16]) -> Vec<i64> {
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

/// Tree 0, complete of depth 3 with one value per score, on whose path the root and its left
/// child both go left (so both right children, splits, are off the path: the stack cells'
/// forgeries); tree 1, a stump on feature 0 whose leaves differ by exactly 2^16 (the decision
/// bit's); a stump on every other feature near its value (each feature changes the scores).
fn ensemble() -> Ensemble {
    let mut trees = vec![
        Tree {
            target: None,
            feature: vec![0, 1, 2, 3, 4, 0, 1],
            threshold: vec![40_000, 2_000, 30_000, 5, 50_000, 10_000, 500],
            left: vec![1, 3, 5, 7, 9, 11, 13],
            right: vec![2, 4, 6, 8, 10, 12, 14],
            leaf_value: (0..16).map(|v| 37 * v - 200).collect(),
        },
        stump(0, 35_000, 0, 65_539, 3),
    ];
    trees.extend((1..F as u32).map(|f| {
        let k = i64::from(f);
        stump(f, i64::from(Q[f as usize]) + 100, f % 2, 10 * k, -7 * k)
    }));
    Ensemble {
        num_features: F,
        num_scores: 2,
        base: vec![5, -5],
        trees,
    }
}

fn trees(disclose: Disclose) -> Statement<TreeBody> {
    statement(TreeBody::new(ensemble()).unwrap(), &Q, disclose)
}

/// The tree statement with its true class disclosed.
fn tree_class() -> Statement<TreeBody> {
    trees(Disclose::Class(class(&scores(
        &trees(Disclose::Scores).body,
        &Q,
    ))))
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

fn linear(disclose: Disclose) -> Statement<LinearBody> {
    statement(linear_body(F), &Q, disclose)
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

fn network() -> Network {
    Network {
        num_features: F,
        activation: Activation::Relu,
        hidden: vec![
            Dense {
                weights: vec![
                    vec![900, -700, 300, 5, 20],
                    vec![-1200, 800, 0, 40, -30],
                    vec![20, 30, -10_000, 7, 100],
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

fn mlp(disclose: Disclose) -> Statement<MlpBody> {
    statement(MlpBody::new(network()).unwrap(), &Q, disclose)
}

/// The labels of every instance's constraints and assertions, instance by instance.
pub fn instance_labels() -> Vec<Vec<String>> {
    let zk = ZkParams::for_options(&options());
    let mut instances = Vec::new();
    for disclose in [Disclose::Scores, Disclose::Class(0)] {
        let s = trees(disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
        let s = linear(disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
        let s = mlp(disclose);
        instances.push([s.constraint_labels(&zk), s.assertion_labels()].concat());
    }
    instances
}

/// Every constraint and assertion of the instances, and the exemption count.
pub fn universe() -> Vec<String> {
    let mut labels = vec![EXEMPTION.to_string()];
    for label in instance_labels().into_iter().flatten() {
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

/// `Q` with feature `f` moved past the stump on it (200 up).
fn moved(f: usize) -> Vec<u16> {
    let mut q = Q.to_vec();
    q[f] += 200;
    q
}

/// The commitment of `Q` with a trailing zero: a sixth feature, the same packed elements.
fn commitment_with_a_sixth_feature() -> [BaseElement; 4] {
    InputBlock::commitment(&[&Q[..], &[0]].concat(), &salt(0))
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

// THE CATALOGUE
// ================================================================================================

/// The forgery of the constraint or assertion named `label`, if there is one.
pub fn forge(label: &str) -> Option<AnyForgery> {
    use AnyForgery::{Linear, Mlp, Trees};
    let (name, index) = match label.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (label, None),
    };
    Some(match (name, index) {
        ("input.feature", Some(f)) => Trees(feature_changes_after_its_checks(f)),
        ("input.digit", Some(j)) => Linear(packing_collision(Some(j))),
        ("input.recompose", None) => Linear(packing_collision(None)),
        ("input.select", None) => Trees(split_reads_another_feature()),
        ("input.message", Some(j)) => Trees(message_cell_lies(j)),
        ("rescue.round", Some(i)) => Trees(round_deviates(i)),
        ("rescue.initial", Some(i)) => Trees(sponge_starts_elsewhere(i)),
        ("rescue.digest", Some(i)) => Trees(another_digest(i)),
        ("linear.carry", Some(c)) => Linear(last_row_score(c, "the carry")),
        ("linear.score", Some(c)) => Linear(score_shifted(c)),
        ("trees.b", None) => Trees(decision_not_a_bit()),
        ("trees.d_bit", Some(j)) => Trees(branch_flipped(Some(j))),
        ("trees.decision", None) => Trees(branch_flipped(None)),
        ("trees.ind", None) => Trees(visited_root_skipped()),
        ("trees.stack", Some(j)) => Trees(both_children_visited(j)),
        ("trees.acc", Some(c)) => Trees(leaf_value_changed(c)),
        ("trees.initial", Some(c)) => Trees(base_changed(c)),
        ("mlp.sign", None) => Mlp(firing_neuron_silenced()),
        ("mlp.decomposition", None) => Mlp(activation_raised()),
        ("mlp.acc", Some(k)) => Mlp(accumulator_shifted(k, 1)),
        ("mlp.initial", Some(k)) => Mlp(accumulator_shifted(k, 0)),
        ("disclosure.assemble", None) => Trees(false_class(true)),
        ("disclosure.end", None) => Trees(false_class(false)),
        ("zk.mask", Some(i)) => Trees(mask_does_not_vanish(i)),
        ("zk.exemptions", None) => Linear(last_row_score(0, "one more exemption")),
        ("output.score", Some(c)) => Trees(disclosed_score_differs(c)),
        _ => return None,
    })
}

// INPUT BLOCK
// ================================================================================================

/// Feature `f` holds `Q`'s value while it is hashed and range-checked (rows `0..F`), then
/// another on the walk's rows.
fn feature_changes_after_its_checks(f: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let q = moved(f);
    let mut trace = honest(&trees(Disclose::Scores), &q);
    let committed = honest(&claimed, &Q);
    let input = claimed.input();
    let (width, last) = (trace.width(), last_real(&trace));
    copy(&committed, &mut trace, 0..width, 0..=F - 1);
    copy(
        &committed,
        &mut trace,
        input.message()..input.width(),
        0..=last,
    );
    Forgery {
        claimed: claiming(&claimed, scores(&claimed.body, &q)),
        trace,
        how: format!(
            "feature {f} changes after row {}: the walk reads another value",
            F - 1
        ),
        lie: "the scores of another input, under the commitment to `Q`".into(),
    }
}

/// `(q0 + 2^16, q1 − 1)` packs like `(q0, q1)`: the same commitment, another input, whose
/// first feature is out of range; with `Some(j)` its base-4 digit `j` is `4^(8−j)` too large,
/// with `None` its digits are those of `q0`.
fn packing_collision(digit: Option<usize>) -> Forgery<LinearBody> {
    let claimed = linear(Disclose::Scores);
    let input = claimed.input();
    let mut trace = honest(&claimed, &Q);
    let last = last_real(&trace);
    let (first, second) = (i64::from(Q[0]) + (1 << 16), i64::from(Q[1]) - 1);
    fill(&mut trace, input.q(0), 0..=last, felt(first));
    fill(&mut trace, input.q(1), 0..=last, felt(second));
    trace.set(input.x(), 0, felt(first));
    if let Some(j) = digit {
        let raised = trace.get(input.digits() + j, 0) + BaseElement::new(1 << (2 * (DIGITS - j)));
        trace.set(input.digits() + j, 0, raised);
    }
    set_x(&mut trace, &input, 1, second as u16);
    let body = &claimed.body;
    let forged: Vec<i64> = (body.weights.iter().zip(&body.bias))
        .map(|(w, b)| {
            b + w[0] * first + w[1] * second + (2..F).map(|f| w[f] * i64::from(Q[f])).sum::<i64>()
        })
        .collect();
    for (c, &score) in forged.iter().enumerate() {
        fill(&mut trace, claimed.body_column() + c, 0..=last, felt(score));
    }
    let how = match digit {
        Some(j) => format!("q0 + 2^16 range-checked with base-4 digit {j} over 3"),
        None => "q0 + 2^16 range-checked with the digits of q0".into(),
    };
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how,
        lie: "the scores of (q0 + 2^16, q1 − 1, …), a 17-bit input that packs like `Q`".into(),
    }
}

/// The stump on feature 4 reads feature 2 (the honest trace of that other model).
fn split_reads_another_feature() -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut other = ensemble();
    let stump = other
        .trees
        .iter_mut()
        .find(|t| t.feature == [4])
        .expect("a stump on q4");
    stump.feature[0] = 2;
    let other = trees_with(other);
    let forged = scores(&other.body, &Q);
    assert_ne!(Some(&forged), claimed.scores.as_ref());
    Forgery {
        claimed: claiming(&claimed, forged),
        trace: honest(&other, &Q),
        how: "a split on q4 reads q2 into x".into(),
        lie: "the scores of the model with that split on q2".into(),
    }
}

fn trees_with(ensemble: Ensemble) -> Statement<TreeBody> {
    statement(TreeBody::new(ensemble).unwrap(), &Q, Disclose::Scores)
}

/// Message cell `j` on row 0 holds another element than the one it must.
fn message_cell_lies(j: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let input = claimed.input();
    match j {
        0 => {
            // The header of six features: the commitment of `Q` with a sixth, zero feature.
            let mut trace = honest(&claimed, &Q);
            trace.set(input.message(), 0, InputBlock::new(F + 1).header());
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, commitment_with_a_sixth_feature());
            Forgery {
                claimed: Statement {
                    commitment: digest,
                    ..claimed
                },
                trace,
                how: "the header cell holds six features' header".into(),
                lie: "a proof for the five-feature model on the commitment to a six-feature input"
                    .into(),
            }
        }
        1 | 2 => {
            // Element j − 1 of `Q` hashed, the walk on an input that differs there.
            let q = moved(3 * (j - 1));
            let mut trace = honest(&trees(Disclose::Scores), &q);
            let committed = honest(&claimed, &Q);
            trace.set(
                input.message() + j,
                0,
                committed.get(input.message() + j, 0),
            );
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, claimed.commitment);
            Forgery {
                claimed: claiming(&claimed, scores(&claimed.body, &q)),
                trace,
                how: format!(
                    "message cell {j} packs `Q`'s features, the feature cells another input's"
                ),
                lie: "the scores of another input, under the commitment to `Q`".into(),
            }
        }
        _ => {
            // A padding cell that is not zero.
            let mut trace = honest(&claimed, &Q);
            trace.set(input.message() + j, 0, BaseElement::ONE);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            Forgery {
                claimed: Statement {
                    commitment: digest,
                    ..claimed
                },
                trace,
                how: format!("padding cell {j} absorbs 1"),
                lie: "a commitment no input and salt open".into(),
            }
        }
    }
}

// RESCUE
// ================================================================================================

/// Round 1 maps the state to one whose middle value differs in cell `i` only.
fn round_deviates(i: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let input = claimed.input();
    let mut trace = honest(&claimed, &Q);
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
    Forgery {
        claimed: Statement {
            commitment: digest,
            ..claimed
        },
        trace,
        how: format!("round 1's middle state is off by one in cell {i}"),
        lie: "a commitment that is not the hash of `Q` and its salt".into(),
    }
}

/// The sponge starts with another value in state cell `i`.
fn sponge_starts_elsewhere(i: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let input = claimed.input();
    let cell = input.state() + i;
    match i {
        5 | 6 => {
            // The reviewer's forgery: pack(Q) − pack(q) preloaded in the lane of element
            // i − 5, so that absorbing the packed cells of q hashes `Q`.
            let q = moved(3 * (i - 5));
            let mut trace = honest(&trees(Disclose::Scores), &q);
            let committed = honest(&claimed, &Q);
            let message = input.message() + i - RATE_RANGE.start;
            let preload = committed.get(message, 0) - trace.get(message, 0);
            trace.set(cell, 0, preload);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            assert_eq!(digest, claimed.commitment);
            Forgery {
                claimed: claiming(&claimed, scores(&claimed.body, &q)),
                trace,
                how: format!("rate cell {i} starts at pack(Q) − pack(q) for a q that differs"),
                lie: "the scores of another input, under the commitment to `Q`".into(),
            }
        }
        _ => {
            let mut trace = honest(&claimed, &Q);
            let shift = match i {
                // The header lane: six features' header absorbed.
                4 => InputBlock::new(F + 1).header() - InputBlock::new(F).header(),
                _ => BaseElement::ONE,
            };
            trace.set(cell, 0, trace.get(cell, 0) + shift);
            let digest = rerun_sponge(&claimed, &mut trace, 0);
            let lie = if i == 4 {
                assert_eq!(digest, commitment_with_a_sixth_feature());
                "a proof for the five-feature model on the commitment to a six-feature input"
            } else {
                "a commitment no input and salt open"
            };
            Forgery {
                claimed: Statement {
                    commitment: digest,
                    ..claimed
                },
                trace,
                how: format!(
                    "state cell {i} starts {} higher",
                    if i == 4 { "a header" } else { "1" }
                ),
                lie: lie.into(),
            }
        }
    }
}

/// The honest trace, claiming a digest that differs in cell `i`.
fn another_digest(i: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let trace = honest(&claimed, &Q);
    let mut commitment = claimed.commitment;
    commitment[i] += BaseElement::ONE;
    Forgery {
        claimed: Statement {
            commitment,
            ..claimed
        },
        trace,
        how: format!("the honest trace, digest cell {i} claimed one higher"),
        lie: "a commitment that is not the hash of `Q` and its salt".into(),
    }
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
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how: format!(
            "{} features, score {c} asserted on the last real row, 7 higher there ({what})",
            q.len()
        ),
        lie: "a score the model does not compute".into(),
    }
}

/// Score `c` is 7 more than `bias + W·q` on every row.
fn score_shifted(c: usize) -> Forgery<LinearBody> {
    let claimed = linear(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let column = claimed.body_column() + c;
    for row in 0..=last_real(&trace) {
        trace.set(column, row, trace.get(column, row) + BaseElement::new(7));
    }
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 7;
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how: format!("score {c} 7 higher on every row"),
        lie: "a score the model does not compute".into(),
    }
}

// TREES
// ================================================================================================

/// Tree 1's stump (`q0 < 35000`, leaves 65539 and 3) takes `b = 5005/2^16`: the digits still
/// add up (`d = x − t + 5005 = 5`) and the accumulator adds `3 + 2^16·b = 5008`.
fn decision_not_a_bit() -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    let b = BaseElement::new(5005) / BaseElement::new(1 << 16);
    trace.set(at + B, row, b);
    for (j, bit) in digits(5).into_iter().enumerate() {
        trace.set(at + D_BITS + j, row, bit);
    }
    repair(&claimed, &mut trace, &[]);
    let forged = scores_in(&claimed, &trace);
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how: "a stump's decision is 5005/2^16, between its leaves 65539 and 3".into(),
        lie: "score 0 with 5008 from a stump whose leaves are 65539 and 3".into(),
    }
}

/// Tree 1's stump goes right although `q0 < 35000`: with `Some(j)`, digit `j` makes up the
/// difference; with `None`, the digits are those of `x − t mod 2^16`.
fn branch_flipped(digit: Option<usize>) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let (row, at) = (stump_row(&claimed), claimed.body_column());
    trace.set(at + B, row, BaseElement::ZERO);
    let difference = i64::from(Q[0]) - 35_000;
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
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how,
        lie: "the scores of the wrong branch".into(),
    }
}

/// Tree 1's stump, a root, is not visited: its leaf adds nothing.
fn visited_root_skipped() -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let row = stump_row(&claimed);
    trace.set(claimed.body_column() + IND, row, BaseElement::ZERO);
    repair(&claimed, &mut trace, &[(row, IND)]);
    let forged = scores_in(&claimed, &trace);
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how: "a root's indicator is 0".into(),
        lie: "scores without that tree's leaf".into(),
    }
}

/// Tree 0's split at depth `j` on the path goes left, yet its stack cell says its right child
/// is visited too: both subtrees add their leaves.
fn both_children_visited(j: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    // Pre-order rows: the root, its left child, …; on `Q` both go left.
    let row = claimed.body_row() + j;
    let cell = claimed.body.walk().stack(j);
    trace.set(claimed.body_column() + cell, row, BaseElement::ONE);
    repair(&claimed, &mut trace, &[(row, cell)]);
    let forged = scores_in(&claimed, &trace);
    Forgery {
        claimed: claiming(&claimed, forged),
        trace,
        how: format!("the split at depth {j} goes left, its stack cell says right too"),
        lie: "the scores of two leaves of one tree".into(),
    }
}

/// The honest trace of the model whose reached leaf on score `c` is 11 higher.
fn leaf_value_changed(c: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut other = ensemble();
    // Tree 1 (target 0) and the stump on q1 (target 1) both go left on `Q`: leaf 0.
    let tree = if c == 0 { 1 } else { 2 };
    assert_eq!(other.trees[tree].target, Some(c as u32));
    other.trees[tree].leaf_value[0] += 11;
    let other = trees_with(other);
    Forgery {
        claimed: claiming(&claimed, scores(&other.body, &Q)),
        trace: honest(&other, &Q),
        how: format!("a reached leaf adds 11 more to score {c}"),
        lie: "a score the model does not compute".into(),
    }
}

/// The honest trace of the model whose base for score `c` is 11 higher.
fn base_changed(c: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut other = ensemble();
    other.base[c] += 11;
    let other = trees_with(other);
    Forgery {
        claimed: claiming(&claimed, scores(&other.body, &Q)),
        trace: honest(&other, &Q),
        how: format!("accumulator {c} starts 11 higher"),
        lie: "a score the model does not compute".into(),
    }
}

/// The honest trace, claiming score `c` one higher.
fn disclosed_score_differs(c: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut forged = claimed.scores.clone().unwrap();
    forged[c] += 1;
    Forgery {
        claimed: claiming(&claimed, forged),
        trace: honest(&claimed, &Q),
        how: format!("the honest trace, score {c} claimed one higher"),
        lie: "a score the model does not compute".into(),
    }
}

// NETWORKS
// ================================================================================================

/// Hidden neuron 0 fires (`h > 0`); its halves say `h = 0` and its sign `1 + h/2^16`.
fn firing_neuron_silenced() -> Forgery<MlpBody> {
    let claimed = mlp(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let row = claimed.body_row() + claimed.body.first_row(0);
    let h = claimed.body.decompositions(&Q)[0].h;
    assert!(h > 0);
    set_x(&mut trace, &claimed.input(), row, 0);
    let sign = BaseElement::ONE + BaseElement::from(h) / BaseElement::new(1 << 16);
    trace.set(claimed.body_column() + SIGN, row, sign);
    let forged = replay(
        &claimed,
        &Q,
        &mut trace,
        Lie::Activation(0, BaseElement::ZERO),
    );
    Forgery {
        claimed: claiming(&claimed, forged.iter().map(|&s| as_i64(s)).collect()),
        trace,
        how: "a firing neuron's sign is 1 + h/2^16 and its h 0".into(),
        lie: "the scores with that neuron dead".into(),
    }
}

/// Hidden neuron 0's `h` is one more than its pre-activation gives.
fn activation_raised() -> Forgery<MlpBody> {
    let claimed = mlp(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let row = claimed.body_row() + claimed.body.first_row(0);
    let d = claimed.body.decompositions(&Q)[0];
    set_x(&mut trace, &claimed.input(), row, d.h + 1);
    let activation = BaseElement::from(d.h + 1);
    let forged = replay(&claimed, &Q, &mut trace, Lie::Activation(0, activation));
    Forgery {
        claimed: claiming(&claimed, forged.iter().map(|&s| as_i64(s)).collect()),
        trace,
        how: "a neuron's h is one more than ⌊z/2^16⌋".into(),
        lie: "the scores of a larger activation".into(),
    }
}

/// Accumulator `k` is 5 more from row `from` on (from its bias when `from` is 0).
fn accumulator_shifted(k: usize, from: usize) -> Forgery<MlpBody> {
    let claimed = mlp(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
    let from = if from == 0 {
        0
    } else {
        claimed.body_row() + from
    };
    let lie = Lie::Shift {
        accumulator: k,
        from,
        by: BaseElement::new(5),
    };
    let forged = replay(&claimed, &Q, &mut trace, lie);
    Forgery {
        claimed: claiming(&claimed, forged.iter().map(|&s| as_i64(s)).collect()),
        trace,
        how: if from == 0 {
            format!("accumulator {k} starts 5 above its bias")
        } else {
            format!("accumulator {k} jumps by 5 on row {from}")
        },
        lie: "the scores of another pre-activation".into(),
    }
}

// DISCLOSURE AND MASKS
// ================================================================================================

/// The class the scores do not give: with `assembled`, `cmp` holds the false comparison's
/// (negative) value from its last chunk on, which the chunks do not assemble; else the honest
/// chunks and `cmp`, which the false comparison's end does not match.
fn false_class(assembled: bool) -> Forgery<TreeBody> {
    let honest_claim = tree_class();
    let truth = class(&scores(&honest_claim.body, &Q));
    let claimed = trees(Disclose::Class(1 - truth));
    let mut trace = honest(&honest_claim, &Q);
    if assembled {
        let values = scores(&claimed.body, &Q);
        let comparison = &claimed.comparisons[0];
        let value = (comparison.coefficients.iter().zip(&values))
            .fold(comparison.offset, |acc, (&a, &s)| acc + a * s);
        assert!(value < 0, "the false class's comparison is negative");
        let (end, last) = (claimed.scores_row() + 2, last_real(&trace));
        fill(&mut trace, claimed.cmp_column(), end..=last, felt(value));
    }
    Forgery {
        claimed,
        trace,
        how: if assembled {
            "cmp takes the false comparison's negative value, not its chunks'".into()
        } else {
            "the honest chunks, compared against the false class".into()
        },
        lie: format!("class {} for scores that give class {truth}", 1 - truth),
    }
}

/// `B` is 1 on row 5, where the masks are enforced; `A_j` is 0 there but for `A_i`.
fn mask_does_not_vanish(i: usize) -> Forgery<TreeBody> {
    let claimed = trees(Disclose::Scores);
    let mut trace = honest(&claimed, &Q);
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
        how: format!("B = 1 and A_{i} = 1 on an enforced row"),
        lie: "none: the masks hide, soundness does not rest on them".into(),
    }
}
