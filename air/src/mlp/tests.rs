//! The MLP body's soundness: an honest proof verifies, and each constraint has a malicious
//! trace that breaks only it and is rejected.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Proof, Trace, TraceTable};

use super::air::B;
use super::trace::Decomposition;
use super::{Activation, Dense, MlpAir, MlpBody, MlpStatement, Network, NetworkError};
use crate::disclosure::{felt, Comparison};
use crate::inference::{build_trace, Body};
use crate::input::feature_row;
use crate::testing::{options, rng, salt, set_x};
use crate::zk::ZkParams;

/// Four features, hidden layers of 3 and 2 neurons, three scores.
pub(crate) fn network(activation: Activation) -> Network {
    Network {
        num_features: 4,
        activation,
        hidden: vec![
            Dense {
                weights: vec![
                    vec![900, -700, 300, 5],
                    vec![-1200, 800, 0, 40],
                    vec![20, 30, -10_000, 7],
                ],
                bias: vec![-3_000_000, 25_000_000, 400_000_000],
            },
            Dense {
                weights: vec![vec![3000, -2000, 1000], vec![-500, 4000, 250]],
                bias: vec![1_000_000, -70_000_000],
            },
        ],
        output: Dense {
            weights: vec![vec![7, -3], vec![-5, 11], vec![2, 2]],
            bias: vec![100, -200, 300],
        },
    }
}

pub(crate) fn statement_for(network: Network, q: &[u16]) -> MlpStatement {
    let body = MlpBody::new(network).expect("a valid network");
    let (_, scores) = body.network().evaluate(q);
    crate::testing::statement(body, q, scores)
}

const Q: [u16; 4] = [30_000, 1_000, 65_535, 12];

fn statement(activation: Activation) -> MlpStatement {
    statement_for(network(activation), &Q)
}

pub(crate) fn honest(statement: &MlpStatement, q: &[u16]) -> TraceTable<BaseElement> {
    build_trace(statement, q, &salt(0), &options(), &mut rng(1)).expect("the comparisons hold")
}

fn prove(trace: TraceTable<BaseElement>, statement: &MlpStatement) -> Proof {
    crate::testing::prove::<MlpAir>(trace, statement)
}

fn verify(proof: Proof, statement: &MlpStatement) -> Result<(), winterfell::VerifierError> {
    crate::testing::verify::<MlpAir>(proof, statement)
}

/// A malicious prover's proof of `trace` for the claimed statement must not verify.
fn assert_rejected(trace: TraceTable<BaseElement>, claimed: &MlpStatement) {
    let proof = prove(trace, claimed);
    assert!(verify(proof, claimed).is_err(), "a bad trace was accepted");
}

fn last_real_row(trace: &TraceTable<BaseElement>) -> usize {
    ZkParams::for_options(&options()).last_real_row(trace.length())
}

/// A lie a forged trace tells about a network's computation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lie {
    /// Hidden neuron `g` has this activation (its own cells written by the caller).
    Activation(usize, BaseElement),
    /// Accumulator `k` (counted from the first) is `by` more than it should be from row `from`
    /// on (from its bias when `from` is 0).
    Shift {
        accumulator: usize,
        from: usize,
        by: BaseElement,
    },
}

/// What a lying prover must write for the rest of its trace to hold: every neuron's halves and
/// sign bit for the pre-activation the lie leads to (but a lying neuron's own), and the
/// accumulators on every real row. Returns the scores the trace then ends with.
pub(crate) fn replay(
    statement: &MlpStatement,
    q: &[u16],
    trace: &mut TraceTable<BaseElement>,
    lie: Lie,
) -> Vec<BaseElement> {
    let body = &statement.body;
    let network = body.network();
    let (at, input) = (statement.body_column(), statement.input());
    let mut accumulators: Vec<BaseElement> = (network.layers())
        .flat_map(|dense| dense.bias.iter().map(|&b| felt(b)))
        .collect();
    for row in 0..=last_real_row(trace) {
        if let Lie::Shift {
            accumulator,
            from,
            by,
        } = lie
        {
            if row == from {
                accumulators[accumulator] += by;
            }
        }
        for (k, &value) in accumulators.iter().enumerate() {
            trace.set(at + B + 1 + k, row, value);
        }
        // The first layer's accumulators sum the features on their rows.
        if let Some(f) = row.checked_sub(feature_row(0)).filter(|&f| f < q.len()) {
            for (k, weights) in network.hidden[0].weights.iter().enumerate() {
                let column = body.accumulator(0, k) - B - 1;
                accumulators[column] += felt(weights[f]) * BaseElement::from(q[f]);
            }
        }
        let body_row = row.wrapping_sub(statement.body_row());
        if body_row >= body.rows() || body_row % 2 == 1 {
            continue;
        }
        let g = body_row / 2;
        let (layer, neuron) = body.position(g);
        let z = as_i64(accumulators[body.accumulator(layer, neuron) - B - 1]);
        let activation = match lie {
            Lie::Activation(liar, value) if liar == g => value,
            _ => {
                let d = Decomposition::of(z);
                set_x(trace, &input, row, d.h);
                set_x(trace, &input, row + 1, d.r);
                trace.set(at + B, row, BaseElement::from(d.b as u8));
                felt(network.activation.apply(z >> super::SHIFT))
            }
        };
        let next = network.layers().nth(layer + 1).unwrap();
        for (k, weights) in next.weights.iter().enumerate() {
            let column = body.accumulator(layer + 1, k) - B - 1;
            accumulators[column] += felt(weights[neuron]) * activation;
        }
    }
    let scores = body.accumulator(network.hidden.len(), 0) - B - 1;
    accumulators[scores..].to_vec()
}

/// A field element holding a small signed integer, as that integer.
pub(crate) fn as_i64(value: BaseElement) -> i64 {
    let v = value.as_int();
    if v > u64::MAX / 2 {
        -((BaseElement::ZERO - value).as_int() as i64)
    } else {
        v as i64
    }
}

/// The honest activation of hidden neuron `g`.
fn activation(statement: &MlpStatement, q: &[u16], g: usize) -> BaseElement {
    let network = statement.body.network();
    let (pre_activations, _) = network.evaluate(q);
    felt(network.activation.apply(pre_activations[g] >> super::SHIFT))
}

/// The claimed statement: the scores a lying prover's trace ends with.
fn claiming(statement: &MlpStatement, scores: &[BaseElement]) -> MlpStatement {
    let mut claimed = statement.clone();
    claimed.scores = Some(scores.iter().map(|&s| as_i64(s)).collect());
    claimed
}

#[test]
fn honest_proofs_verify_for_both_activations() {
    for activation in [Activation::Relu, Activation::Identity] {
        let statement = statement(activation);
        let (pre_activations, _) = statement.body.network().evaluate(&Q);
        // The example exercises both signs of z in both layers.
        assert!(pre_activations.iter().any(|&z| z < 0) && pre_activations.iter().any(|&z| z > 0));
        let proof = prove(honest(&statement, &Q), &statement);
        verify(proof, &statement).expect("verifies");
    }
}

#[test]
fn the_class_of_a_network_is_proved_by_comparisons() {
    let mut statement = statement(Activation::Relu);
    let scores = statement.scores.take().unwrap();
    let class = (0..3).fold(0, |best, c| if scores[c] > scores[best] { c } else { best });
    let argmax = |class: usize| {
        (0..3)
            .filter(|&other| other != class)
            .map(|other| {
                let mut coefficients = vec![0; 3];
                coefficients[class] = 1;
                coefficients[other] = -1;
                Comparison {
                    coefficients,
                    offset: -((other < class) as i64),
                }
            })
            .collect::<Vec<_>>()
    };
    statement.comparisons = argmax(class);
    let trace = honest(&statement, &Q);
    verify(prove(trace.clone(), &statement), &statement).expect("the true class verifies");
    let mut lie = statement.clone();
    lie.comparisons = argmax((class + 1) % 3);
    assert_rejected(trace, &lie);
}

#[test]
fn decompositions_are_exact_at_the_edges() {
    for z in [
        -(1i64 << 32),
        -(1 << 16) - 1,
        -(1 << 16),
        -1,
        0,
        1,
        (1 << 16) - 1,
        1 << 16,
        (1 << 32) - 1,
    ] {
        let d = Decomposition::of(z);
        let rebuilt = d.r as i64 + (d.h as i64) * (1 << 16) + (d.b as i64) * (1 << 32) - (1 << 32);
        assert_eq!(rebuilt, z);
        assert_eq!(d.b, z >= 0);
        assert_eq!(d.h as i64 - (1 << 16) * (1 - d.b as i64), z >> 16);
    }
}

#[test]
fn networks_that_could_overflow_or_do_not_fit_are_refused() {
    let mut wide = network(Activation::Relu);
    // 65535 · 65600 − 3·10^6 > 2^32: some input reaches a pre-activation beyond the
    // decomposition.
    wide.hidden[0].weights[0] = vec![65_600, 0, 0, 0];
    assert_eq!(
        MlpBody::new(wide),
        Err(NetworkError::Range {
            layer: 0,
            neuron: 0
        })
    );
    let mut scores = network(Activation::Relu);
    scores.output.bias[2] = 1 << 46;
    assert_eq!(
        MlpBody::new(scores),
        Err(NetworkError::Range {
            layer: 2,
            neuron: 2
        })
    );
    let mut shape = network(Activation::Relu);
    shape.hidden[1].weights[1].pop();
    assert_eq!(MlpBody::new(shape), Err(NetworkError::Shape { layer: 1 }));
    let mut empty = network(Activation::Relu);
    empty.hidden.clear();
    assert_eq!(MlpBody::new(empty), Err(NetworkError::NoHiddenLayer));
    // The same weights that overflow under a negative input range fit for ReLU's `a ≥ 0`.
    let mut skewed = network(Activation::Relu);
    skewed.hidden[1].weights[0] = vec![32_000, 32_000, 1];
    skewed.hidden[1].bias[0] = -(1 << 31);
    assert!(MlpBody::new(skewed.clone()).is_ok());
    skewed.activation = Activation::Identity;
    assert!(MlpBody::new(skewed).is_err());
}

#[test]
fn an_activation_not_matching_its_pre_activation_is_rejected() {
    // Any neuron, any layer: h + 1 on its first row, the rest of the trace (later neurons
    // included) consistent with the larger activation. Only the neuron's decomposition breaks.
    let statement = statement(Activation::Relu);
    let decompositions = statement.body.decompositions(&Q);
    let firing: Vec<usize> = (0..decompositions.len())
        .filter(|&g| decompositions[g].b && decompositions[g].h < u16::MAX)
        .collect();
    assert!(firing.iter().any(|&g| statement.body.position(g).0 == 1));
    for g in firing {
        // The replay itself writes an honest trace when told the truth.
        let mut trace = honest(&statement, &Q);
        let truth = activation(&statement, &Q, g);
        let scores = replay(&statement, &Q, &mut trace, Lie::Activation(g, truth));
        assert_eq!(claiming(&statement, &scores), statement);
        verify(prove(trace, &statement), &statement).expect("a truthful replay verifies");

        let mut trace = honest(&statement, &Q);
        let row = statement.body_row() + statement.body.first_row(g);
        set_x(&mut trace, &statement.input(), row, decompositions[g].h + 1);
        let lied = activation(&statement, &Q, g) + BaseElement::ONE;
        let scores = replay(&statement, &Q, &mut trace, Lie::Activation(g, lied));
        assert_rejected(trace, &claiming(&statement, &scores));
    }
}

#[test]
fn out_of_range_halves_are_rejected() {
    let statement = statement(Activation::Relu);
    let decompositions = statement.body.decompositions(&Q);
    let g = (0..decompositions.len())
        .find(|&g| decompositions[g].b && decompositions[g].h > 0)
        .expect("a firing neuron");
    let (row, input) = (
        statement.body_row() + statement.body.first_row(g),
        statement.input(),
    );
    let two_16 = BaseElement::new(1 << 16);
    // h + 2^16 with b = 0: the same z, and ReLU silences a firing neuron. Only the range
    // check on x breaks (x is written with the honest digits of h).
    let mut trace = honest(&statement, &Q);
    trace.set(
        input.x(),
        row,
        BaseElement::from(decompositions[g].h) + two_16,
    );
    trace.set(statement.body_column() + B, row, BaseElement::ZERO);
    let scores = replay(
        &statement,
        &Q,
        &mut trace,
        Lie::Activation(g, BaseElement::ZERO),
    );
    assert_rejected(trace, &claiming(&statement, &scores));
    // h + 1 and r − 2^16: the same z and a larger activation; only the check on r breaks.
    let mut trace = honest(&statement, &Q);
    set_x(&mut trace, &input, row, decompositions[g].h + 1);
    trace.set(
        input.x(),
        row + 1,
        BaseElement::from(decompositions[g].r) - two_16,
    );
    let lied = activation(&statement, &Q, g) + BaseElement::ONE;
    let scores = replay(&statement, &Q, &mut trace, Lie::Activation(g, lied));
    assert_rejected(trace, &claiming(&statement, &scores));
}

#[test]
fn another_network_or_activation_is_rejected() {
    let statement = statement(Activation::Relu);
    let proof = prove(honest(&statement, &Q), &statement);
    let mut other = statement.clone();
    let mut network = statement.body.network().clone();
    network.hidden[1].weights[0][2] += 1;
    other.body = MlpBody::new(network).unwrap();
    assert!(verify(proof.clone(), &other).is_err());
    let mut identity = statement.clone();
    let mut network = statement.body.network().clone();
    network.activation = Activation::Identity;
    identity.body = MlpBody::new(network).unwrap();
    assert!(verify(proof, &identity).is_err());
}

#[test]
fn proof_figures() {
    let statement = statement(Activation::Relu);
    let start = std::time::Instant::now();
    let proof = prove(honest(&statement, &Q), &statement);
    let proved = start.elapsed();
    let bytes = proof.to_bytes().len();
    let rows = proof.context.trace_info().length();
    let width = proof.context.trace_info().main_trace_width();
    verify(proof, &statement).unwrap();
    println!("MLP AIR 4-3-2-3: {rows} rows × {width} columns, prove {proved:?}, {bytes} bytes");
    assert!(bytes > 1000);
}
