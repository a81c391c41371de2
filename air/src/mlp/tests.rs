//! The MLP body's soundness: an honest proof verifies, and each constraint has a malicious
//! trace that breaks only it and is rejected.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Proof, Trace, TraceTable};

use super::air::B;
use super::trace::Decomposition;
use super::{Activation, Dense, Lie, MlpAir, MlpBody, MlpStatement, Network, NetworkError, Role};
use crate::disclosure::{as_i64, Comparison};
use crate::inference::{build_trace, Body};
use crate::testing::{options, rng, salt, set_elements};
use crate::zk::ZkParams;

/// Four features, hidden layers of 3 and 2 neurons, three scores.
pub(crate) fn network(activation: Activation) -> Network {
    Network {
        num_features: 4,
        one_hot: Vec::new(),
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

/// [`statement`] computing at most `pass_width` neurons at once.
fn in_passes(activation: Activation, pass_width: usize) -> MlpStatement {
    let body = MlpBody::in_passes(network(activation), pass_width).expect("a valid network");
    let (_, scores) = body.network().evaluate(&Q);
    crate::testing::statement(body, &Q, scores)
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

/// What a lying prover must write for the rest of its trace to hold, as [`MlpBody::run`] carries
/// `lie` through: `x` on the body's rows (with the digits of every 16-bit value it writes on a
/// neuron's rows; other digits stay), `b`, and the accumulators on every real row. Returns the
/// scores the trace then ends with.
pub(crate) fn replay(
    statement: &MlpStatement,
    q: &[u16],
    trace: &mut TraceTable<BaseElement>,
    lie: Lie,
) -> Vec<BaseElement> {
    let body = &statement.body;
    let (at, input, first) = (
        statement.body_column(),
        statement.input(),
        statement.body_row(),
    );
    let run = body.run(q, first, last_real_row(trace), Some(lie));
    let mut elements = Vec::new();
    for (r, &x) in run.x.iter().enumerate() {
        elements.push((first + r, x));
        let small = u16::try_from(x.as_int()).ok();
        let neuron = !matches!(body.layout().roles[r], Role::Read { .. });
        if let Some(value) = small.filter(|_| neuron) {
            let digits = crate::input::InputBlock::digits_of(value);
            for (j, digit) in digits.into_iter().enumerate() {
                trace.set(input.digits() + j, first + r, digit);
            }
        }
    }
    set_elements(trace, &input, &elements);
    for (row, &b) in run.b.iter().enumerate() {
        trace.set(at + B, row, b);
    }
    for (k, column) in run.accumulators.iter().enumerate() {
        for (row, &value) in column.iter().enumerate() {
            trace.set(at + B + 1 + k, row, value);
        }
    }
    let scores = body.scores_column() - B - 1;
    (run.accumulators[scores..].iter())
        .map(|column| column[statement.scores_row()])
        .collect()
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
fn honest_proofs_verify_in_passes_of_every_width() {
    for activation in [Activation::Relu, Activation::Identity] {
        for pass_width in 1..=3 {
            let statement = in_passes(activation, pass_width);
            let reads = (0..statement.body.rows()).filter(|&r| statement.body.reads(r).is_some());
            // Layer 0 has 3 neurons, layer 1 has 2: one pass each only at width 3.
            assert_eq!(reads.count() > 0, pass_width < 3);
            assert_eq!(statement.body.num_fractions(), (pass_width == 1) as usize);
            let proof = prove(honest(&statement, &Q), &statement);
            verify(proof, &statement).expect("verifies");
        }
    }
}

/// Networks of 1 to 3 hidden layers of 1 to 6 neurons over 1 to 5 features, both activations,
/// in passes of every width up to the widest layer: the trace's scores are the network's.
#[test]
fn random_networks_prove_in_passes() {
    let mut random = rng(7);
    let mut draw = |n: u64| random().as_int() % n;
    let dense = |draw: &mut dyn FnMut(u64) -> u64, outputs: usize, inputs, spread: u64| Dense {
        weights: (0..outputs)
            .map(|_| {
                (0..inputs)
                    .map(|_| draw(2 * spread + 1) as i64 - spread as i64)
                    .collect()
            })
            .collect(),
        bias: (0..outputs)
            .map(|_| draw(1 << 24) as i64 - (1 << 23))
            .collect(),
    };
    for _ in 0..10 {
        let features = 1 + draw(5) as usize;
        let layers: Vec<usize> = (0..1 + draw(3)).map(|_| 1 + draw(6) as usize).collect();
        let mut inputs = features;
        let mut hidden = Vec::new();
        for &width in &layers {
            hidden.push(dense(&mut draw, width, inputs, 2000));
            inputs = width;
        }
        let outputs = 1 + draw(3) as usize;
        let output = dense(&mut draw, outputs, inputs, 50);
        let activation = [Activation::Relu, Activation::Identity][draw(2) as usize];
        let network = Network {
            num_features: features,
            activation,
            hidden,
            output,
            one_hot: Vec::new(),
        };
        let q: Vec<u16> = (0..features).map(|_| draw(1 << 16) as u16).collect();
        let pass_width = 1 + draw(*layers.iter().max().unwrap() as u64) as usize;
        let body = MlpBody::in_passes(network, pass_width).expect("a network in range");
        let (_, scores) = body.network().evaluate(&q);
        let statement = crate::testing::statement(body, &q, scores);
        let proof = prove(honest(&statement, &q), &statement);
        verify(proof, &statement).expect("verifies");
    }
}

/// Three layers of 64 neurons and 100 scores: one pass a layer would be the fewest cells but
/// more columns than a trace can have (about 270), so the body takes narrower passes that fit.
#[test]
fn passes_narrow_until_the_trace_fits() {
    let dense = |outputs: usize, inputs: usize| Dense {
        weights: (0..outputs)
            .map(|j| {
                (0..inputs)
                    .map(|i| ((j * 31 + i * 17) % 41) as i64 - 20)
                    .collect()
            })
            .collect(),
        bias: (0..outputs).map(|j| (j as i64 % 7 - 3) << 16).collect(),
    };
    let network = Network {
        num_features: 10,
        activation: Activation::Relu,
        hidden: vec![dense(64, 10), dense(64, 64), dense(64, 64)],
        output: dense(100, 64),
        one_hot: Vec::new(),
    };
    let q: Vec<u16> = (0..10).map(|f| f * 6000).collect();
    let body = MlpBody::new(network).expect("a network in range");
    assert!(body.layout().pass_width < 64);
    let (_, scores) = body.network().evaluate(&q);
    let statement = crate::testing::statement(body, &q, scores);
    let high = ZkParams::for_options(&crate::profiles::high_options());
    assert!(statement.trace_width(&high) < winterfell::TraceInfo::MAX_TRACE_WIDTH);
    verify(prove(honest(&statement, &q), &statement), &statement).expect("verifies");
}

#[test]
fn every_read_again_is_the_committed_feature_or_the_neurons_activation() {
    let statement = in_passes(Activation::Relu, 1);
    let body = &statement.body;
    let first = statement.body_row();
    let lied = |lie: Lie| {
        let mut trace = honest(&statement, &Q);
        let scores = replay(&statement, &Q, &mut trace, lie);
        (trace, claiming(&statement, &scores))
    };
    for layer in [0, 1] {
        let reads = (0..body.rows())
            .filter(
                |&r| matches!(body.layout().roles[r], Role::Read { layer: l, .. } if l == layer),
            )
            .map(|r| first + r);
        // 2^15 more than the value: the accumulators and scores follow it (on some row the
        // change is not lost in a rescaling or a dead neuron); only the lookup's sum breaks,
        // its end not closing.
        let misread = reads.clone().find_map(|row| {
            let honest = honest(&statement, &Q).get(statement.input().x(), row);
            let (trace, claimed) = lied(Lie::Misread(row, honest + BaseElement::new(1 << 15)));
            (claimed != statement).then_some((trace, claimed))
        });
        let (trace, claimed) = misread.expect("a misread changing the scores");
        assert_rejected(trace, &claimed);
    }
    // A read that drops its input (b = 0, so ReLU passes 0 on): only `feed` breaks.
    let reads = (0..body.rows()).filter(|&r| body.reads(r).is_some());
    let unfed = (reads.map(|r| lied(Lie::Unfed(first + r)))).find(|(_, c)| *c != statement);
    let (trace, claimed) = unfed.expect("a dropped input changing the scores");
    assert_rejected(trace, &claimed);
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

/// Neuron `g`'s honest cells `[h, r, b]`.
fn cells(statement: &MlpStatement, q: &[u16], g: usize) -> [BaseElement; 3] {
    let d = statement.body.decompositions(q)[g];
    [d.h.into(), d.r.into(), (d.b as u8).into()]
}

#[test]
fn an_activation_not_matching_its_pre_activation_is_rejected() {
    // Any neuron, any layer, in one pass or several: h + 1 on its first row, the rest of the
    // trace (later neurons and the rows reading it again included) consistent with the larger
    // activation. Only the neuron's decomposition breaks.
    for statement in [statement(Activation::Relu), in_passes(Activation::Relu, 1)] {
        let decompositions = statement.body.decompositions(&Q);
        let firing: Vec<usize> = (0..decompositions.len())
            .filter(|&g| decompositions[g].b && decompositions[g].h < u16::MAX)
            .collect();
        assert!(firing.iter().any(|&g| statement.body.position(g).0 == 1));
        for g in firing {
            // The replay itself writes an honest trace when told the truth.
            let mut trace = honest(&statement, &Q);
            let truth = cells(&statement, &Q, g);
            let scores = replay(&statement, &Q, &mut trace, Lie::Cells(g, truth));
            assert_eq!(claiming(&statement, &scores), statement);
            verify(prove(trace, &statement), &statement).expect("a truthful replay verifies");

            let mut trace = honest(&statement, &Q);
            let [h, r, b] = truth;
            let lie = Lie::Cells(g, [h + BaseElement::ONE, r, b]);
            let scores = replay(&statement, &Q, &mut trace, lie);
            assert_rejected(trace, &claiming(&statement, &scores));
        }
    }
}

#[test]
fn out_of_range_halves_are_rejected() {
    let statement = statement(Activation::Relu);
    let decompositions = statement.body.decompositions(&Q);
    let g = (0..decompositions.len())
        .find(|&g| decompositions[g].b && decompositions[g].h > 0)
        .expect("a firing neuron");
    let [h, r, b] = cells(&statement, &Q, g);
    let two_16 = BaseElement::new(1 << 16);
    // h + 2^16 with b = 0: the same z, and ReLU silences a firing neuron. Only the range
    // check on x breaks (x keeps the honest digits of h).
    let mut trace = honest(&statement, &Q);
    let lie = Lie::Cells(g, [h + two_16, r, BaseElement::ZERO]);
    let scores = replay(&statement, &Q, &mut trace, lie);
    assert_rejected(trace, &claiming(&statement, &scores));
    // h + 1 and r − 2^16: the same z and a larger activation; only the check on r breaks.
    let mut trace = honest(&statement, &Q);
    let lie = Lie::Cells(g, [h + BaseElement::ONE, r - two_16, b]);
    let scores = replay(&statement, &Q, &mut trace, lie);
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
