//! Property tests over random models, inputs and envelopes:
//!
//! 1. random small models of every family (linear models, tree ensembles, with and without
//!    categorical features, and networks; binary, multiclass and regression) prove and verify,
//!    and the proved output is the reference inference's;
//! 2. on the quantization grid, every tree reaches the leaf the float model reaches, the scores
//!    stay within `score_error_bound` and the class agrees whenever the margin exceeds it; the
//!    same on categorical features' codes, where the float decisions are also the libraries';
//!    the same for networks' scores and classes on every input in range;
//! 3. any single-field change to a valid envelope is rejected by `verify`.
//!
//! Case counts keep the whole file at about half a minute in the test profile (zkinfer, zkinfer-air
//! and the dependencies at opt-level 3) on two cores. Failures are not persisted to a
//! `proptest-regressions/` file: proptest prints the shrunk case instead, to copy into a test.

use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::StarkField;
use zkinfer::commitment::opens;
use zkinfer::fixed_point::{scale_round, Rounding, SplitRule, SCORE_BITS};
use zkinfer::inference::{decide, infer, path, Prediction};
use zkinfer::model::{Activation, Body, CategoryRead, Link, MissingRule, Precision, Task, Tree};
use zkinfer::quantize::{quantize, score_error_bound};
use zkinfer::source::{
    SourceBody, SourceDense, SourceMissing, SourceModel, SourceNode, SourceTree, TreeMissing,
};
use zkinfer::{
    prove, verify, Calibration, Disclosure, Envelope, Model, Output, Profile, ProveOptions,
    QuantizedInput,
};

/// `ProptestConfig::with_cases(cases)` without a regressions file (the test may only add this
/// one file to the repository).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// Largest magnitude a score or an at-least threshold may have, exclusive.
const SCORE_LIMIT: i64 = 1 << SCORE_BITS;

// ---------------------------------------------------------------------------------------------
// Model generators
// ---------------------------------------------------------------------------------------------

/// A task and its number of scores (2 to 4 for multiclass).
fn task_and_scores() -> impl Strategy<Value = (Task, usize)> {
    prop_oneof![
        Just((Task::Binary, 1)),
        (2usize..=4).prop_map(|n| (Task::Multiclass, n)),
        Just((Task::Regression, 1)),
    ]
}

fn precision() -> impl Strategy<Value = Precision> {
    prop_oneof![Just(Precision::F32), Just(Precision::F64)]
}

fn split_rule() -> impl Strategy<Value = SplitRule> {
    prop_oneof![Just(SplitRule::LessThan), Just(SplitRule::LessOrEqual)]
}

/// A source model's frame: names, labels and a link that fits the task.
fn source_model(task: Task, scores: usize, features: usize, body: SourceBody) -> SourceModel {
    let (classes, link) = match task {
        Task::Binary => (vec!["no".into(), "yes".into()], Link::Logistic),
        Task::Multiclass => (
            (0..scores).map(|c| format!("c{c}")).collect(),
            Link::Softmax,
        ),
        Task::Regression => (Vec::new(), Link::Identity),
    };
    SourceModel {
        labels: None,
        source: "proptest".into(),
        feature_names: (0..features).map(|f| format!("x{f}")).collect(),
        precision: Precision::F64,
        task,
        classes,
        link,
        body,
    }
}

/// One split threshold of a feature whose values are around `magnitude`: arbitrary f64s,
/// f32 values (as XGBoost and ONNX store them), small exact values and both zeros.
fn threshold(magnitude: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-1.0f64..1.0).prop_map(move |u| u * magnitude),
        2 => (-1.0f64..1.0).prop_map(move |u| (u * magnitude) as f32 as f64),
        1 => (-4i32..=4).prop_map(|k| k as f64 / 2.0),
        1 => prop_oneof![Just(0.0), Just(-0.0)],
    ]
}

/// The thresholds one feature's splits choose from (1 to 4, so that trees share cuts), at a
/// per-feature magnitude from 1e-3 to 1e6 as in real data.
fn threshold_pool() -> impl Strategy<Value = Vec<f64>> {
    (-3i32..=6).prop_flat_map(|e| vec(threshold(10f64.powi(e)), 1..=4))
}

/// A leaf value before the model's leaf scale: arbitrary, exact eighths, or zero.
fn leaf_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -1.0f64..1.0,
        1 => (-8i32..=8).prop_map(|k| k as f64 / 8.0),
        1 => Just(0.0),
    ]
}

/// A tree's shape, independent of the feature count: indices pick the feature and the
/// threshold when the tree is built, so that shrinking keeps shapes valid.
#[derive(Clone, Debug)]
enum Shape {
    /// Up to 4 values; a leaf uses as many as its tree's width.
    Leaf(Vec<f64>),
    Split {
        feature: Index,
        threshold: Index,
        left: Box<Shape>,
        right: Box<Shape>,
    },
}

/// Shapes of depth at most 4; one in ten a lone leaf (which the recursion alone rarely makes),
/// so that some ensembles have no split at all.
fn shape() -> impl Strategy<Value = Shape> {
    let leaf = vec(leaf_value(), 4).prop_map(Shape::Leaf).boxed();
    let tree = leaf.clone().prop_recursive(4, 15, 2, |inner| {
        (any::<Index>(), any::<Index>(), inner.clone(), inner).prop_map(
            |(feature, threshold, left, right)| Shape::Split {
                feature,
                threshold,
                left: Box::new(left),
                right: Box::new(right),
            },
        )
    });
    prop_oneof![1 => leaf, 9 => tree]
}

/// How one feature of an ensemble is split: at thresholds of its pool, or, categorical, by
/// category sets (each with the side its categories go, left iff `true`).
#[derive(Clone, Debug)]
enum FeatureSplits {
    Numeric(Vec<f64>),
    Categorical {
        read: CategoryRead,
        splits: Vec<(Vec<u32>, bool)>,
    },
}

/// 1 to 6 numeric features, each with its [`threshold_pool`].
fn numeric_features() -> impl Strategy<Value = Vec<FeatureSplits>> {
    vec(threshold_pool().prop_map(FeatureSplits::Numeric), 1..=6)
}

/// Appends `shape` to `nodes` in pre-order (root first, as `SourceTree` requires) and returns
/// its node index: a split on a numeric feature takes one of its thresholds, a split on a
/// categorical one one of its sets.
fn push_nodes(
    shape: &Shape,
    features: &[FeatureSplits],
    width: usize,
    scale: f64,
    nodes: &mut Vec<SourceNode>,
) -> usize {
    let id = nodes.len();
    match shape {
        Shape::Leaf(values) => nodes.push(SourceNode::Leaf {
            value: values[..width].iter().map(|v| v * scale).collect(),
        }),
        Shape::Split {
            feature,
            threshold,
            left,
            right,
        } => {
            let feature = feature.index(features.len());
            nodes.push(SourceNode::Leaf { value: Vec::new() }); // replaced below
            let left = push_nodes(left, features, width, scale, nodes);
            let right = push_nodes(right, features, width, scale, nodes);
            nodes[id] = match &features[feature] {
                FeatureSplits::Numeric(pool) => SourceNode::Split {
                    feature,
                    threshold: *threshold.get(pool),
                    left,
                    right,
                },
                FeatureSplits::Categorical { splits, .. } => {
                    let (set, set_left) = threshold.get(splits).clone();
                    SourceNode::CategorySplit {
                        feature,
                        set,
                        set_left,
                        left,
                        right,
                    }
                }
            };
        }
    }
    id
}

/// Random float tree ensembles over `features` (with [`numeric_features`], 1-6 numeric ones):
/// 1-8 trees of depth ≤ 4, 1-4 scores; each tree adds to one score (`Some(c)`) or to every
/// score (`None`); leaf values from 1e-4 to 1e9; half of them with missing values
/// ([`random_missing`]), which a categorical feature reads as NaN only (any default branch).
/// A model is categorical (version 3) exactly when some feature is.
fn tree_source(
    features: impl Strategy<Value = Vec<FeatureSplits>>,
) -> impl Strategy<Value = SourceModel> {
    (
        split_rule(),
        precision(),
        task_and_scores(),
        features,
        vec((proptest::option::of(any::<Index>()), shape()), 1..=8),
        vec(leaf_value(), 4),
        prop_oneof![Just(1.0), Just(1e-4), Just(1e3), Just(1e9)],
        proptest::option::of(any::<u64>()),
    )
        .prop_map(
            |(rule, precision, (task, scores), features, shapes, base, scale, missing)| {
                let trees: Vec<SourceTree> = shapes
                    .iter()
                    .map(|(target, shape)| {
                        let target = target.map(|c| c.index(scores));
                        let width = if target.is_some() { 1 } else { scores };
                        let mut nodes = Vec::new();
                        push_nodes(shape, &features, width, scale, &mut nodes);
                        SourceTree { target, nodes }
                    })
                    .collect();
                let reads: Vec<Option<CategoryRead>> = (features.iter())
                    .map(|f| match f {
                        FeatureSplits::Numeric(_) => None,
                        FeatureSplits::Categorical { read, .. } => Some(*read),
                    })
                    .collect();
                let missing = missing.map(|seed| {
                    let mut missing = random_missing(seed, rule, features.len(), &trees);
                    for (rule, read) in missing.rules.iter_mut().zip(&reads) {
                        if read.is_some() {
                            *rule = MissingRule::Nan;
                        }
                    }
                    missing
                });
                let categorical = reads.iter().any(Option::is_some).then_some(reads);
                let body = SourceBody::Trees {
                    rule,
                    base: base[..scores].iter().map(|b| b * scale).collect(),
                    trees,
                    missing,
                    categorical,
                    known: None,
                };
                SourceModel {
                    labels: None,
                    precision,
                    ..source_model(task, scores, features.len(), body)
                }
            },
        )
}

/// Missing values drawn from `seed`: any rule per feature, any default branch per split but on
/// features that read NaN as zero, whose splits send it where zero goes (as LightGBM does).
fn random_missing(
    seed: u64,
    rule: SplitRule,
    features: usize,
    trees: &[SourceTree],
) -> SourceMissing {
    let bit = |k: u64| (seed.rotate_left((k % 64) as u32) ^ k.wrapping_mul(0x9E37_79B9)) & 1 == 1;
    let rules: Vec<MissingRule> = (0..features as u64)
        .map(|f| match (bit(3 * f), bit(3 * f + 1)) {
            (false, false) | (false, true) => MissingRule::Nan,
            (true, false) => MissingRule::NanOrZero,
            (true, true) => MissingRule::NanAsZero,
        })
        .collect();
    let default_left = (trees.iter().enumerate())
        .map(|(t, tree)| {
            (tree.nodes.iter().enumerate())
                .map(|(i, node)| match node {
                    SourceNode::Split {
                        feature, threshold, ..
                    } if rules[*feature] == MissingRule::NanAsZero => {
                        rule.goes_left(0.0, *threshold)
                    }
                    _ => bit(101 * t as u64 + 7 * i as u64 + 5),
                })
                .collect()
        })
        .collect();
    SourceMissing {
        rules,
        default_left,
    }
}

/// Every split threshold of each feature of a tree ensemble.
fn split_thresholds(source: &SourceModel) -> Vec<Vec<f64>> {
    let SourceBody::Trees { trees, .. } = &source.body else {
        unreachable!("a tree ensemble")
    };
    let mut thresholds = vec![Vec::new(); source.feature_names.len()];
    for node in trees.iter().flat_map(|t| &t.nodes) {
        if let SourceNode::Split {
            feature, threshold, ..
        } = node
        {
            thresholds[*feature].push(*threshold);
        }
    }
    thresholds
}

/// A raw value of a feature split at `thresholds`: mostly a threshold itself or one of its
/// f64 and f32 neighbours, else an ordinary value or an extreme one (1e39 overflows f32).
fn probe(thresholds: Vec<f64>) -> BoxedStrategy<f64> {
    let magnitude = thresholds.iter().fold(1.0f64, |m, t| m.max(t.abs()));
    let ordinary = (-2.0f64..2.0).prop_map(move |u| u * magnitude);
    let extreme = select(vec![
        1e300,
        -1e300,
        1e39,
        -1e39,
        f64::MIN_POSITIVE,
        0.0,
        -0.0,
        f64::NAN,
        1e-36,
    ]);
    if thresholds.is_empty() {
        return prop_oneof![3 => ordinary, 1 => extreme].boxed();
    }
    let near = (select(thresholds), 0u8..5).prop_map(|(t, k)| match k {
        0 => t,
        1 => t.next_up(),
        2 => t.next_down(),
        3 => (t as f32).next_up() as f64,
        _ => (t as f32).next_down() as f64,
    });
    prop_oneof![6 => near, 2 => ordinary, 1 => extreme].boxed()
}

/// A tree ensemble over `features` with `inputs` raw inputs that probe its thresholds and
/// categories.
fn tree_case(
    features: impl Strategy<Value = Vec<FeatureSplits>>,
    inputs: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (SourceModel, Vec<Vec<f64>>)> {
    tree_source(features).prop_flat_map(move |source| {
        let SourceBody::Trees {
            trees, categorical, ..
        } = &source.body
        else {
            unreachable!("a tree ensemble")
        };
        let mut sets = vec![Vec::new(); source.feature_names.len()];
        for node in trees.iter().flat_map(|t| &t.nodes) {
            if let SourceNode::CategorySplit { feature, set, .. } = node {
                sets[*feature].extend(set);
            }
        }
        let reads = categorical.clone().unwrap_or_default();
        let probes: Vec<BoxedStrategy<f64>> = (split_thresholds(&source).into_iter())
            .zip(sets)
            .enumerate()
            .map(
                |(f, (thresholds, sets))| match reads.get(f).copied().flatten() {
                    Some(_) => category_probe(sets),
                    None => probe(thresholds),
                },
            )
            .collect();
        (Just(source), vec(probes, inputs.clone()))
    })
}

/// A random linear model with its calibration CSV and one raw input in range.
#[derive(Clone, Debug)]
struct LinearCase {
    source: SourceModel,
    calibration: String,
    input: Vec<f64>,
}

/// A feature range `(low, high)` of magnitude 1e-3 to 1e6, centred anywhere from −1 to 1
/// times it and at least a tenth of it wide.
fn feature_range() -> impl Strategy<Value = (f64, f64)> {
    (-3i32..=6, -1.0f64..1.0, 0.05f64..1.0).prop_map(|(e, centre, half)| {
        let unit = 10f64.powi(e);
        ((centre - half) * unit, (centre + half) * unit)
    })
}

/// Calibration rows at both ends of each range (fractions 0 and 1) and at `between`.
fn calibration_rows(ranges: &[(f64, f64)], between: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut fractions = vec![vec![0.0; ranges.len()], vec![1.0; ranges.len()]];
    fractions.extend(between);
    (fractions.iter())
        .map(|row| {
            (row.iter().zip(ranges))
                .map(|(u, (lo, hi))| lo + u * (hi - lo))
                .collect()
        })
        .collect()
}

/// The raw input at `position` (a fraction per feature) of the calibration range of `rows`.
fn input_at(rows: &[Vec<f64>], position: &[f64]) -> Vec<f64> {
    (position.iter().enumerate())
        .map(|(f, u)| {
            let lo = rows.iter().map(|r| r[f]).fold(f64::INFINITY, f64::min);
            let hi = rows.iter().map(|r| r[f]).fold(f64::NEG_INFINITY, f64::max);
            lo + u * (hi - lo)
        })
        .collect()
}

/// Random linear models: 1-6 features on ranges of magnitude 1e-3 to 1e6, weights scaled to
/// the ranges (some exactly zero), calibration rows at both ends of each range and between,
/// and an input anywhere inside the calibration range widened by 40% of its width per side
/// (quantization covers 50%).
fn linear_case() -> impl Strategy<Value = LinearCase> {
    (task_and_scores(), 1usize..=6, precision()).prop_flat_map(|((task, scores), features, p)| {
        let weight = prop_oneof![4 => -1.0f64..1.0, 1 => Just(0.0)];
        (
            vec(feature_range(), features),
            vec(vec(weight, features), scores),
            vec(-2.0f64..2.0, scores),
            vec(vec(0.0f64..=1.0, features), 0..=3),
            vec(-0.4f64..=1.4, features),
        )
            .prop_map(move |(ranges, weights, bias, between, position)| {
                let scaled: Vec<Vec<f64>> = (weights.iter())
                    .map(|row| {
                        (row.iter().zip(&ranges))
                            .map(|(w, (lo, hi)): (&f64, &(f64, f64))| w / lo.abs().max(hi.abs()))
                            .collect()
                    })
                    .collect();
                let rows = calibration_rows(&ranges, between);
                let input = input_at(&rows, &position);
                let body = SourceBody::Linear {
                    weights: scaled,
                    bias: bias.clone(),
                    indicators: None,
                };
                LinearCase {
                    source: SourceModel {
                        precision: p,
                        ..source_model(task, scores, features, body)
                    },
                    calibration: calibration_csv(features, &rows),
                    input,
                }
            })
    })
}

/// A calibration CSV (`x0,x1,…` then the rows); `{}` prints floats that parse back exactly.
fn calibration_csv(features: usize, rows: &[Vec<f64>]) -> String {
    let header: Vec<String> = (0..features).map(|f| format!("x{f}")).collect();
    let mut csv = header.join(",") + "\n";
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        csv += &(cells.join(",") + "\n");
    }
    csv
}

/// A random network with its calibration CSV and raw inputs in range.
#[derive(Clone, Debug)]
struct MlpCase {
    source: SourceModel,
    calibration: String,
    inputs: Vec<Vec<f64>>,
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![Just(Activation::Relu), Just(Activation::Identity)]
}

/// A dense layer from `fan_in` inputs to `outputs` neurons: weights up to ±2/√fan_in times the
/// layer's gain (1, or now and then 0.1 or 10), one in five exactly zero, and one neuron in
/// twelve dead (no incoming weight); biases up to ±2.
fn dense(fan_in: usize, outputs: usize) -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<f64>)> {
    let weight = prop_oneof![4 => -2.0f64..2.0, 1 => Just(0.0)];
    let row = prop_oneof![11 => vec(weight, fan_in), 1 => Just(vec![0.0; fan_in])];
    let gain = prop_oneof![4 => Just(1.0), 1 => Just(0.1), 1 => Just(10.0)];
    (vec(row, outputs), vec(-2.0f64..2.0, outputs), gain).prop_map(move |(rows, bias, gain)| {
        let scale = gain / (fan_in as f64).sqrt();
        let weights = (rows.into_iter())
            .map(|row| row.into_iter().map(|w| w * scale).collect())
            .collect();
        (weights, bias)
    })
}

/// Random networks: 1-5 features on ranges of magnitude 1e-3 to 1e6 (the first layer's weights
/// divided by them), 1-3 hidden layers of 1-6 neurons, ReLU or the identity, 1-4 scores;
/// calibration rows as for linear models, and `inputs` raw inputs anywhere inside the
/// calibration range widened by 40% of its width per side (quantization covers 50%), one
/// feature in nine at an end of that or of the calibration range itself.
fn mlp_case(inputs: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = MlpCase> {
    (
        task_and_scores(),
        1usize..=5,
        precision(),
        activation(),
        vec(1usize..=6, 1..=3),
    )
        .prop_flat_map(move |((task, scores), features, p, activation, widths)| {
            let sizes = [vec![features], widths, vec![scores]].concat();
            let layers: Vec<_> = (sizes.windows(2))
                .map(|pair| dense(pair[0], pair[1]))
                .collect();
            let position = prop_oneof![
                8 => -0.4f64..=1.4,
                1 => select(vec![-0.4, 0.0, 1.0, 1.4]),
            ];
            (
                vec(feature_range(), features),
                layers,
                vec(vec(0.0f64..=1.0, features), 0..=3),
                vec(vec(position, features), inputs.clone()),
            )
                .prop_map(move |(ranges, mut layers, between, positions)| {
                    for row in &mut layers[0].0 {
                        for (w, (lo, hi)) in row.iter_mut().zip(&ranges) {
                            *w /= lo.abs().max(hi.abs());
                        }
                    }
                    let rows = calibration_rows(&ranges, between);
                    let inputs = positions.iter().map(|p| input_at(&rows, p)).collect();
                    let layers = (layers.into_iter())
                        .map(|(weights, bias)| SourceDense { weights, bias })
                        .collect();
                    let body = SourceBody::Mlp {
                        activation,
                        layers,
                        indicators: None,
                    };
                    MlpCase {
                        source: SourceModel {
                            precision: p,
                            ..source_model(task, scores, features, body)
                        },
                        calibration: calibration_csv(features, &rows),
                        inputs,
                    }
                })
        })
}

// ---------------------------------------------------------------------------------------------
// Property 1: random models prove and verify with the reference output
// ---------------------------------------------------------------------------------------------

/// What to disclose, resolved against the task and the reference scores when proving.
#[derive(Clone, Debug)]
struct DisclosurePick {
    kind: Index,
    /// An at-least threshold just around the score (offset `delta`), or anywhere (`far`).
    near: bool,
    delta: i64,
    far: i64,
}

fn disclosure_pick() -> impl Strategy<Value = DisclosurePick> {
    (
        any::<Index>(),
        any::<bool>(),
        -2i64..=2,
        -(SCORE_LIMIT - 1)..SCORE_LIMIT,
    )
        .prop_map(|(kind, near, delta, far)| DisclosurePick {
            kind,
            near,
            delta,
            far,
        })
}

impl DisclosurePick {
    /// One of the disclosures that fit `task` (see `proving::prove`): the class for
    /// classifiers, the scores for all, an at-least bit for single-score models.
    fn resolve(&self, task: Task, reference: &Prediction) -> Disclosure {
        let threshold = if self.near {
            (reference.scores[0] + self.delta).clamp(1 - SCORE_LIMIT, SCORE_LIMIT - 1)
        } else {
            self.far
        };
        let fitting = match task {
            Task::Binary => vec![
                Disclosure::Class,
                Disclosure::Scores,
                Disclosure::AtLeast(threshold),
            ],
            Task::Multiclass => vec![Disclosure::Class, Disclosure::Scores],
            Task::Regression => vec![Disclosure::Scores, Disclosure::AtLeast(threshold)],
        };
        *self.kind.get(&fitting)
    }
}

/// Proves `model` on `input` under `context`, checks the envelope's output against the
/// reference inference, that it verifies under `context` only, and that the opening opens it.
fn prove_and_check(
    model: &Model,
    input: &QuantizedInput,
    pick: &DisclosurePick,
    context: &[u8],
) -> Result<(), TestCaseError> {
    let reference = infer(model, input);
    let disclosure = pick.resolve(model.output.task, &reference);
    let options = ProveOptions::new(disclosure).with_context(context.to_vec());
    let (envelope, opening) = prove(model, input, &options)
        .map_err(|e| TestCaseError::fail(format!("{disclosure:?}: prove failed: {e}")))?;
    match (&envelope.output, disclosure) {
        (Output::Class(class), Disclosure::Class) => prop_assert_eq!(Some(*class), reference.class),
        (Output::Scores(scores), Disclosure::Scores) => prop_assert_eq!(scores, &reference.scores),
        (Output::AtLeast { threshold, holds }, Disclosure::AtLeast(t)) => {
            prop_assert_eq!(*threshold, t);
            prop_assert_eq!(*holds, reference.scores[0] >= t);
        }
        (output, _) => prop_assert!(false, "{disclosure:?} disclosed {output:?}"),
    }
    let verified = verify(model, &envelope, context)
        .map_err(|e| TestCaseError::fail(format!("{disclosure:?}: verify failed: {e}")))?;
    prop_assert_eq!(&verified.output, &envelope.output);
    prop_assert_eq!(verified.model_id, model.id());
    prop_assert!(opens(model, input, &opening, &envelope.input_commitment));
    // Another context: refused as given, and also when the envelope claims it.
    let mut other = context.to_vec();
    other.push(0x2a);
    prop_assert!(verify(model, &envelope, &other).is_err());
    let moved = Envelope {
        context: other.clone(),
        ..envelope
    };
    prop_assert!(verify(model, &moved, &other).is_err());
    Ok(())
}

proptest! {
    // 400 linear models: a proof and three verifications each, ~20 ms measured: ~8 s.
    #![proptest_config(config(400))]

    #[test]
    fn random_linear_models_prove_and_verify(
        case in linear_case(),
        pick in disclosure_pick(),
        context in vec(any::<u8>(), 0..48),
    ) {
        let calibration = Calibration::from_csv(&case.calibration).unwrap();
        let model = quantize(&case.source, Some(&calibration))
            .map_err(|e| TestCaseError::fail(format!("quantize: {e}")))?;
        prop_assert!(model.validate().is_ok());
        let input = model
            .quantize_input(&case.input)
            .map_err(|e| TestCaseError::fail(format!("input {:?}: {e}", case.input)))?;
        prove_and_check(&model, &input, &pick, &context)?;
    }
}

/// `source`, a tree ensemble, quantized (trees need no calibration).
fn quantized_trees(source: &SourceModel) -> Result<Model, TestCaseError> {
    quantize(source, None).map_err(|e| TestCaseError::fail(format!("quantize: {e}")))
}

/// Quantizes the tree ensemble `source`, checks that the model is valid, and proves and
/// verifies it on the raw input `x` ([`prove_and_check`]).
fn prove_tree_ensemble(
    source: &SourceModel,
    x: &[f64],
    pick: &DisclosurePick,
    context: &[u8],
) -> Result<(), TestCaseError> {
    let model = quantized_trees(source)?;
    prop_assert!(model.validate().is_ok());
    let input = model
        .quantize_input(&admissible(&model, x))
        .expect("trees take every finite input, and NaN with missing values");
    prove_and_check(&model, &input, pick, context)
}

proptest! {
    // 600 tree ensembles: a proof and three verifications each, ~23 ms measured: ~14 s.
    #![proptest_config(config(600))]

    #[test]
    fn random_tree_ensembles_prove_and_verify(
        (source, inputs) in tree_case(numeric_features(), 1..=1),
        pick in disclosure_pick(),
        context in vec(any::<u8>(), 0..48),
    ) {
        prove_tree_ensemble(&source, &inputs[0], &pick, &context)?;
    }
}

/// `case`'s network quantized with its calibration.
fn quantized_network(case: &MlpCase) -> Result<Model, TestCaseError> {
    let calibration = Calibration::from_csv(&case.calibration).unwrap();
    quantize(&case.source, Some(&calibration))
        .map_err(|e| TestCaseError::fail(format!("quantize: {e}")))
}

proptest! {
    // 600 networks: a proof and three verifications each, ~22 ms measured: ~13 s.
    #![proptest_config(config(600))]

    #[test]
    fn random_networks_prove_and_verify(
        case in mlp_case(1..=1),
        pick in disclosure_pick(),
        context in vec(any::<u8>(), 0..48),
    ) {
        let model = quantized_network(&case)?;
        prop_assert!(model.validate().is_ok());
        let input = model
            .quantize_input(&case.inputs[0])
            .map_err(|e| TestCaseError::fail(format!("input {:?}: {e}", case.inputs[0])))?;
        prove_and_check(&model, &input, &pick, &context)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Property 2: tree decisions on the quantization grid equal the float decisions
// ---------------------------------------------------------------------------------------------

/// `x` rounded to the model's float precision, as the library rounds it.
fn rounded(precision: Precision, x: &[f64]) -> Vec<f64> {
    match precision {
        Precision::F32 => x.iter().map(|&v| v as f32 as f64).collect(),
        Precision::F64 => x.to_vec(),
    }
}

/// Walks `source` the float way on (rounded) `x` and `tree`, its quantized form, along the same
/// branches: the node ids of `tree` that this visits, and the float leaf reached. Quantization
/// renumbers nodes but keeps the shape, so the same branches lead to the same leaf. `reads`
/// are the categorical features' readings (empty if none is); at a categorical split the
/// float decision must also be the libraries' ([`library_category_left`]).
fn float_walk<'s>(
    source: &'s SourceTree,
    tree: &Tree,
    rule: SplitRule,
    reads: &[Option<CategoryRead>],
    x: &[f64],
    missing: Option<TreeMissing>,
) -> Result<(Vec<u32>, &'s [f64]), TestCaseError> {
    let (mut node, mut id) = (0usize, 0usize);
    let mut ids = vec![0u32];
    loop {
        let current = &source.nodes[node];
        let (feature, category_split) = match current {
            SourceNode::Leaf { value } => {
                prop_assert!(id >= tree.num_splits(), "node {id} should be a leaf");
                return Ok((ids, value));
            }
            SourceNode::Split { feature, .. } => (*feature, None),
            SourceNode::CategorySplit {
                feature,
                set,
                set_left,
                ..
            } => (*feature, Some((&set[..], *set_left))),
        };
        prop_assert!(id < tree.num_splits(), "node {id} should be a split");
        prop_assert_eq!(tree.feature[id] as usize, feature);
        let float = current
            .goes_left(node, rule, reads, x, missing)
            .expect("a split");
        if let Some(split) = category_split {
            let codes = tree.categories.as_ref().and_then(|c| c[id].as_ref());
            prop_assert!(codes.is_some(), "split {id} should have codes");
            prop_assert_eq!(tree.threshold[id], 0);
            let read = reads[feature].expect("a categorical feature");
            let library = library_category_left(read, split, x[feature], || {
                missing.map(|(_, defaults)| defaults[node])
            });
            prop_assert_eq!(float, library, "x = {:?}, read {:?}", x[feature], read);
        }
        let (left, right) = current.children().expect("a split");
        (node, id) = if float {
            (left, tree.left[id] as usize)
        } else {
            (right, tree.right[id] as usize)
        };
        ids.push(id as u32);
    }
}

/// The libraries' decision at a categorical split, restated from their sources, on a value
/// already rounded to the model's precision: NaN takes the default branch (`default`, which
/// only models with missing values have); LightGBM (`TowardZero`, `CategoricalDecision`) reads
/// `static_cast<int>(x)`, no category if negative; XGBoost (`NonNegative`, `common::Decision`)
/// reads no category if `x < 0` or `x ≥ 2^24`, else `static_cast<int>(x)`; scikit-learn's
/// `OneHotEncoder` (`Exact`) matches categories by equality, so a fraction is none. The
/// categories of `set` go left iff `set_left`, every other value the other way.
fn library_category_left(
    read: CategoryRead,
    (set, set_left): (&[u32], bool),
    x: f64,
    default: impl Fn() -> Option<bool>,
) -> bool {
    if x.is_nan() {
        return default().expect("NaN only where missing values are defined");
    }
    // `as i64` truncates toward zero (and saturates, beyond every set either way).
    let category = match read {
        CategoryRead::TowardZero => Some(x as i64).filter(|&c| c >= 0),
        CategoryRead::NonNegative => (0.0..16_777_216.0).contains(&x).then_some(x as i64),
        CategoryRead::Exact => (x >= 0.0 && x == x.floor()).then_some(x as i64),
    };
    let in_set = category.is_some_and(|c| set.iter().any(|&s| i64::from(s) == c));
    in_set == set_left
}

/// `x` with NaN replaced by 0 unless the model defines missing values: others refuse NaN.
fn admissible(model: &Model, x: &[f64]) -> Vec<f64> {
    match model.accepts_missing() {
        true => x.to_vec(),
        false => x
            .iter()
            .map(|&v| if v.is_nan() { 0.0 } else { v })
            .collect(),
    }
}

/// Checks one raw input `x` of a float tree ensemble against its quantized `model`.
fn check_tree_decisions(
    source: &SourceModel,
    model: &Model,
    x: &[f64],
) -> Result<(), TestCaseError> {
    let SourceBody::Trees {
        rule,
        base,
        trees,
        missing,
        categorical,
        ..
    } = &source.body
    else {
        unreachable!("a tree ensemble")
    };
    let reads = categorical.as_deref().unwrap_or_default();
    let Body::Trees(ensemble) = &model.body else {
        unreachable!("a tree ensemble")
    };
    let scores = model.num_scores();
    let m = model.output.score_scale_log2 as i32;
    let x = admissible(model, x);
    let q = model
        .quantize_input(&x)
        .expect("trees take every finite input, and NaN with missing values");
    let x = rounded(source.precision, &x);
    // |base| + Σ |leaf values added|, per score: the float sum's own rounding error is at most
    // (terms · ε) times that, which the error bound (about integer rounding) does not cover.
    let mut magnitude: Vec<f64> = base.iter().map(|b| b.abs()).collect();
    let mut terms = vec![1.0; scores];
    for (t, (source_tree, tree)) in trees.iter().zip(&ensemble.trees).enumerate() {
        let missing = missing.as_ref().map(|m| m.of_tree(t));
        let (ids, float_leaf) = float_walk(source_tree, tree, *rule, reads, &x, missing)?;
        prop_assert_eq!(&path(tree, q.values()), &ids, "q = {:?}", q.values());
        let leaf = *ids.last().unwrap() as usize - tree.num_splits();
        let expected: Vec<i64> = (float_leaf.iter())
            .map(|&v| scale_round(v, m, Rounding::Nearest).unwrap())
            .collect();
        prop_assert_eq!(tree.leaf(leaf, scores), &expected[..]);
        let targets: Vec<usize> = match source_tree.target {
            Some(c) => vec![c],
            None => (0..scores).collect(),
        };
        for (c, v) in targets.into_iter().zip(float_leaf) {
            magnitude[c] += v.abs();
            terms[c] += 1.0;
        }
    }
    let prediction = infer(model, &q);
    let float = source.float_scores(&x);
    let unit = model.output.score_unit();
    let slack: Vec<f64> = (score_error_bound(model).iter())
        .zip(magnitude.iter().zip(&terms))
        .map(|(bound, (magnitude, terms))| bound + terms * f64::EPSILON * magnitude)
        .collect();
    for c in 0..scores {
        let error = (float[c] - prediction.scores[c] as f64 * unit).abs();
        prop_assert!(error <= slack[c], "score {c}: error {error} > {}", slack[c]);
    }
    classes_agree_where_safe(model.output.task, &float, &slack, &prediction)
}

/// Quantizes the tree ensemble `source` and checks every raw input of `inputs`
/// ([`check_tree_decisions`]); returns the model.
fn checked_tree_decisions(
    source: &SourceModel,
    inputs: &[Vec<f64>],
) -> Result<Model, TestCaseError> {
    let model = quantized_trees(source)?;
    for x in inputs {
        check_tree_decisions(source, &model, x)?;
    }
    Ok(model)
}

proptest! {
    // 20,000 ensembles × 1-8 probing inputs, no proving, ~0.2 ms a case measured: ~4 s.
    #![proptest_config(config(20_000))]

    #[test]
    fn tree_decisions_on_the_grid_equal_float_decisions(
        (source, inputs) in tree_case(numeric_features(), 1..=8),
    ) {
        checked_tree_decisions(&source, &inputs)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Property 2, categorical features: the same on the category codes
// ---------------------------------------------------------------------------------------------

fn category_read() -> impl Strategy<Value = CategoryRead> {
    prop_oneof![
        Just(CategoryRead::TowardZero),
        Just(CategoryRead::NonNegative),
        Just(CategoryRead::Exact)
    ]
}

/// 1 to 4 category sets of 0 to 6 categories, each sent left or right, from a bound of a few
/// categories, a few dozen, or now and then all of them (the largest category, 65534, gives
/// 65535 codes and the other code 65535).
fn category_splits() -> impl Strategy<Value = Vec<(Vec<u32>, bool)>> {
    let bound = prop_oneof![8 => 1u32..=4, 8 => 1u32..=40, 1 => Just(65_535u32)];
    bound.prop_flat_map(|bound| {
        let set =
            vec(prop_oneof![3 => 0..bound, 1 => Just(bound - 1)], 0..=6).prop_map(|mut set| {
                set.sort_unstable();
                set.dedup();
                set
            });
        vec((set, any::<bool>()), 1..=4)
    })
}

fn feature_splits() -> impl Strategy<Value = FeatureSplits> {
    prop_oneof![
        threshold_pool().prop_map(FeatureSplits::Numeric),
        (category_read(), category_splits())
            .prop_map(|(read, splits)| FeatureSplits::Categorical { read, splits }),
    ]
}

/// 1 to 6 features, about half of them categorical, each read as LightGBM or XGBoost reads
/// categories.
fn mixed_features() -> impl Strategy<Value = Vec<FeatureSplits>> {
    vec(feature_splits(), 1..=6)
}

/// A raw value of a categorical feature split by `sets`: mostly a category of a set, or one
/// of its neighbours (fractions above and below, one more, the nearest float32 below the
/// next), else an unseen category, one past every set, or a value that is no category or no
/// listed one (negatives, −0.5 which LightGBM reads as 0, huge values, ±0, NaN).
fn category_probe(sets: Vec<u32>) -> BoxedStrategy<f64> {
    let largest = sets.iter().copied().max().unwrap_or(0);
    let unseen = prop_oneof![
        Just(f64::from(largest) + 1.0),
        (0u32..=largest.saturating_add(3)).prop_map(f64::from),
        (0u32..70_000).prop_map(f64::from),
    ];
    let odd = select(vec![
        -1.0,
        -0.5,
        -0.999,
        -0.0,
        0.0,
        -1e-300,
        1e-300,
        -65_535.0,
        65_534.0,
        65_534.5,
        65_535.0,
        65_536.0,
        16_777_216.0,
        16_777_217.0,
        4_294_967_295.5,
        4_294_967_296.0,
        4_294_967_297.0,
        1e10,
        -1e10,
        1e39,
        1e300,
        f64::NAN,
    ]);
    if sets.is_empty() {
        return prop_oneof![unseen, odd].boxed();
    }
    let near = (select(sets), 0u8..7).prop_map(|(c, k)| {
        let c = f64::from(c);
        match k {
            0 | 1 => c,
            2 => c + 0.5,
            3 => c + 0.999,
            4 => c - 0.25,
            5 => c + 1.0,
            // Below c + 1 in float64, c + 1 in float32 (for c < 2^23).
            _ => (c + 1.0) - 1e-9,
        }
    });
    prop_oneof![6 => near, 2 => unseen, 2 => odd].boxed()
}

/// The shrunk case the property above first found: a version 3 model of one categorical
/// feature and a lone leaf (once a panic in validation: the AIR gave fractions to a walk that
/// reads no feature).
#[test]
fn a_categorical_model_without_splits_quantizes() {
    let body = SourceBody::Trees {
        rule: SplitRule::LessThan,
        base: vec![0.0],
        trees: vec![SourceTree {
            target: None,
            nodes: vec![SourceNode::Leaf { value: vec![0.0] }],
        }],
        missing: None,
        categorical: Some(vec![Some(CategoryRead::TowardZero)]),
        known: None,
    };
    let source = source_model(Task::Binary, 1, 1, body);
    let model = quantize(&source, None).unwrap();
    let q = model.quantize_input(&[1.0]).unwrap();
    assert_eq!(infer(&model, &q).scores, [0]);
}

proptest! {
    // 4,000 ensembles × 1-8 probing inputs, no proving, ~1 ms a case measured: ~4 s.
    #![proptest_config(config(4_000))]

    #[test]
    fn categorical_decisions_on_the_codes_equal_float_decisions(
        (source, inputs) in tree_case(mixed_features(), 1..=8),
    ) {
        let model = checked_tree_decisions(&source, &inputs)?;
        let SourceBody::Trees { categorical, .. } = &source.body else {
            unreachable!("a tree ensemble")
        };
        // Version 3 exactly when some feature is categorical, each with its reading and one
        // more category than the largest its splits name.
        prop_assert_eq!(model.input.categorical.is_some(), categorical.is_some());
        if let Some(reads) = categorical {
            prop_assert_eq!(model.version, 3);
            for (f, read) in reads.iter().enumerate() {
                prop_assert_eq!(model.categories(f).map(|c| c.read), *read);
            }
        }
        let reread = Model::from_json(&model.to_canonical_json())
            .map_err(|e| TestCaseError::fail(format!("reload: {e}")))?;
        prop_assert_eq!(&reread, &model);
    }
}

proptest! {
    // 100 mixed ensembles: a proof and three verifications each, ~37 ms measured: ~4 s.
    #![proptest_config(config(100))]

    #[test]
    fn random_categorical_ensembles_prove_and_verify(
        (source, inputs) in tree_case(mixed_features(), 1..=1),
        pick in disclosure_pick(),
        context in vec(any::<u8>(), 0..48),
    ) {
        prove_tree_ensemble(&source, &inputs[0], &pick, &context)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Property 2, networks: quantized scores stay within the error bound
// ---------------------------------------------------------------------------------------------

/// Bound on the f64 rounding error of `source.float_scores(x)` for a network, which
/// `score_error_bound` (about the integer model) does not cover. Each neuron's computed
/// `b + Σ w·v` (`n` products, then sums) is within `γ_(n+1)·(|b| + Σ |w·v|)` of the exact sum
/// over the computed inputs `v`, with `γ_k ≈ k·ε/2` (taken as `(n + 2)·ε`, over twice that), and
/// the inputs' own errors add `Σ |w|·error(v)`; both activations are 1-Lipschitz and exact. The
/// final subtraction from the integer score may round by `ε·|score|` more.
fn float_rounding_error(source: &SourceModel, x: &[f64]) -> Vec<f64> {
    let SourceBody::Mlp {
        activation, layers, ..
    } = &source.body
    else {
        unreachable!("a network")
    };
    let mut values = rounded(source.precision, x);
    let mut errors = vec![0.0; values.len()];
    for (l, dense) in layers.iter().enumerate() {
        let gamma = (values.len() + 2) as f64 * f64::EPSILON;
        errors = (dense.weights.iter().zip(&dense.bias))
            .map(|(row, b)| {
                let terms = row.iter().zip(&values).map(|(w, v)| (w * v).abs());
                let propagated = row.iter().zip(&errors).map(|(w, e)| w.abs() * e);
                gamma * (b.abs() + terms.sum::<f64>()) + propagated.sum::<f64>()
            })
            .collect();
        let z = dense.apply(&values);
        values = if l + 1 < layers.len() {
            z.into_iter().map(|z| activation.apply_f64(z)).collect()
        } else {
            z
        };
    }
    (errors.iter_mut().zip(&values)).for_each(|(e, s)| *e += f64::EPSILON * s.abs());
    errors
}

/// Checks one raw input `x` of a float network against its quantized `model`.
fn check_network_scores(
    source: &SourceModel,
    model: &Model,
    x: &[f64],
) -> Result<(), TestCaseError> {
    let scores = model.num_scores();
    let q = model
        .quantize_input(x)
        .map_err(|e| TestCaseError::fail(format!("input {x:?}: {e}")))?;
    let prediction = infer(model, &q);
    let float = source.float_scores(x);
    let unit = model.output.score_unit();
    let slack: Vec<f64> = (score_error_bound(model).iter())
        .zip(float_rounding_error(source, x))
        .map(|(bound, rounding)| bound + rounding)
        .collect();
    for c in 0..scores {
        let error = (float[c] - prediction.scores[c] as f64 * unit).abs();
        prop_assert!(
            error <= slack[c],
            "score {c}: error {error} > {} (float {}, integer {} × {unit}), q = {:?}",
            slack[c],
            float[c],
            prediction.scores[c],
            q.values()
        );
    }
    classes_agree_where_safe(model.output.task, &float, &slack, &prediction)
}

proptest! {
    // 20,000 networks × 1-8 inputs, no proving, ~0.16 ms a case measured: ~3 s.
    #![proptest_config(config(20_000))]

    #[test]
    fn quantized_networks_stay_within_the_error_bound(case in mlp_case(1..=8)) {
        let model = quantized_network(&case)?;
        // The model file round-trips, and with it the id.
        let parsed = Model::from_json(&model.to_canonical_json())
            .map_err(|e| TestCaseError::fail(format!("from_json: {e}")))?;
        prop_assert_eq!(&parsed, &model);
        prop_assert_eq!(parsed.id(), model.id());
        for x in &case.inputs {
            check_network_scores(&case.source, &model, x)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property 3: single-field changes to a valid envelope are rejected
// ---------------------------------------------------------------------------------------------

/// A valid envelope with its model and the reference prediction it was proved from.
struct Proved {
    model: Model,
    envelope: Envelope,
    prediction: Prediction,
}

/// A split node of a hand-made tree.
fn split(feature: usize, threshold: f64, left: usize, right: usize) -> SourceNode {
    SourceNode::Split {
        feature,
        threshold,
        left,
        right,
    }
}

fn leaf(value: &[f64]) -> SourceNode {
    SourceNode::Leaf {
        value: value.to_vec(),
    }
}

/// A small tree ensemble over 2 features for `task`; for multiclass (3 scores) one tree adds
/// to every score and one to score 2.
fn fixed_tree_model(task: Task) -> Model {
    let scores = if task == Task::Multiclass { 3 } else { 1 };
    let shared = SourceTree {
        target: None,
        nodes: vec![
            split(0, 0.5, 1, 2),
            leaf(&[-0.75, 0.25, 0.5][..scores]),
            split(1, -1.25, 3, 4),
            leaf(&[0.5, -0.5, 0.125][..scores]),
            leaf(&[0.875, 0.0, -0.25][..scores]),
        ],
    };
    let single = SourceTree {
        target: Some(scores - 1),
        nodes: vec![split(1, 2.0, 1, 2), leaf(&[0.3]), leaf(&[-0.6])],
    };
    let body = SourceBody::Trees {
        rule: SplitRule::LessThan,
        base: vec![0.1; scores],
        trees: vec![shared, single],
        missing: None,
        categorical: None,
        known: None,
    };
    quantize(&source_model(task, scores, 2, body), None).unwrap()
}

/// A linear model over 3 features for `task` (3 classes when multiclass).
fn fixed_linear_model(task: Task) -> Model {
    let weights = [[0.5, -1.25, 2.0], [-0.25, 0.75, 0.1], [1.0, 0.0, -0.5]];
    let scores = if task == Task::Multiclass { 3 } else { 1 };
    let body = SourceBody::Linear {
        weights: weights[..scores].iter().map(|row| row.to_vec()).collect(),
        bias: [0.2, -0.1, 0.05][..scores].to_vec(),
        indicators: None,
    };
    let calibration = Calibration::from_csv("x0,x1,x2\n-1,0,10\n1,5,20\n").unwrap();
    quantize(&source_model(task, scores, 3, body), Some(&calibration)).unwrap()
}

/// Proves `model` on `raw` once, disclosing `disclosure` under `context`.
fn proved(model: Model, raw: &[f64], disclosure: Disclosure, context: &[u8]) -> Proved {
    let input = model.quantize_input(raw).unwrap();
    let options = ProveOptions::new(disclosure).with_context(context.to_vec());
    let (envelope, _) = prove(&model, &input, &options).unwrap();
    verify(&model, &envelope, context).unwrap();
    let prediction = infer(&model, &input);
    Proved {
        model,
        envelope,
        prediction,
    }
}

/// Valid envelopes of trees (class, scores, at-least) and linear models (class, at-least),
/// proved once for all cases.
fn proved_envelopes() -> &'static [Proved] {
    static ENVELOPES: OnceLock<Vec<Proved>> = OnceLock::new();
    ENVELOPES.get_or_init(|| {
        let binary = fixed_tree_model(Task::Binary);
        let at_least = Disclosure::AtLeast(3);
        vec![
            proved(binary, &[0.7, -2.0], Disclosure::Class, b"nonce 1"),
            proved(
                fixed_tree_model(Task::Multiclass),
                &[0.7, 3.0],
                Disclosure::Scores,
                b"nonce 2",
            ),
            proved(
                fixed_tree_model(Task::Regression),
                &[0.0, 0.0],
                at_least,
                b"origin https://example.test",
            ),
            proved(
                fixed_linear_model(Task::Multiclass),
                &[0.3, 2.5, 12.0],
                Disclosure::Class,
                b"nonce 4",
            ),
            proved(
                fixed_linear_model(Task::Binary),
                &[-0.5, 4.0, 18.0],
                Disclosure::AtLeast(-7),
                b"x",
            ),
        ]
    })
}

/// One change to one field of an envelope.
#[derive(Clone, Debug)]
enum Change {
    Version(u16),
    /// The other profile.
    Profile,
    ModelId {
        byte: Index,
        xor: u8,
    },
    Commitment {
        byte: Index,
        xor: u8,
    },
    /// A limb at or above the field modulus: a non-canonical commitment.
    CommitmentLimb {
        limb: Index,
        excess: u64,
    },
    /// Another class, a changed score or a changed threshold (by `delta ≠ 0`).
    OutputValue {
        index: Index,
        delta: i64,
    },
    /// A flipped at-least bit, or one score more or fewer.
    OutputShape {
        value: i64,
    },
    /// Another kind of output, with the reference's values or other ones.
    OutputKind {
        pick: Index,
        value: i64,
    },
    ContextByte {
        at: Index,
        xor: u8,
    },
    ContextInsert {
        at: Index,
        byte: u8,
    },
    ContextRemove {
        at: Index,
    },
    ProofBit {
        at: Index,
        bit: u8,
    },
    ProofTruncate {
        to: Index,
    },
    ProofAppend(u8),
}

fn change() -> impl Strategy<Value = Change> {
    let nonzero_u8 = 1u8..=255;
    let delta = prop_oneof![-3i64..=3, any::<i64>()].prop_filter("changes", |d| *d != 0);
    let value = prop_oneof![-3i64..=3, any::<i64>()];
    prop_oneof![
        1 => any::<u16>()
            .prop_filter("changes", |v| *v != zkinfer::envelope::VERSION)
            .prop_map(Change::Version),
        1 => Just(Change::Profile),
        1 => (any::<Index>(), nonzero_u8.clone()).prop_map(|(byte, xor)| Change::ModelId { byte, xor }),
        1 => (any::<Index>(), nonzero_u8.clone())
            .prop_map(|(byte, xor)| Change::Commitment { byte, xor }),
        1 => (any::<Index>(), 0..=u32::MAX as u64)
            .prop_map(|(limb, excess)| Change::CommitmentLimb { limb, excess }),
        2 => (any::<Index>(), delta).prop_map(|(index, delta)| Change::OutputValue { index, delta }),
        1 => value.clone().prop_map(|value| Change::OutputShape { value }),
        2 => (any::<Index>(), value).prop_map(|(pick, value)| Change::OutputKind { pick, value }),
        1 => (any::<Index>(), nonzero_u8).prop_map(|(at, xor)| Change::ContextByte { at, xor }),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Change::ContextInsert { at, byte }),
        1 => any::<Index>().prop_map(|at| Change::ContextRemove { at }),
        4 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Change::ProofBit { at, bit }),
        1 => any::<Index>().prop_map(|to| Change::ProofTruncate { to }),
        1 => any::<u8>().prop_map(Change::ProofAppend),
    ]
}

/// Outputs of another kind than `output`: true to the reference prediction where it has the
/// values, and with `value` otherwise.
fn other_kinds(output: &Output, prediction: &Prediction, value: i64) -> Vec<Output> {
    let score = prediction.scores[0];
    let candidates = [
        Output::Class(prediction.class.unwrap_or(0)),
        Output::Class(value as usize),
        Output::Scores(prediction.scores.clone()),
        Output::Scores(vec![value]),
        Output::AtLeast {
            threshold: 1,
            holds: score >= 1,
        },
        Output::AtLeast {
            threshold: value,
            holds: score >= value,
        },
    ];
    let kind = std::mem::discriminant(output);
    (candidates.into_iter())
        .filter(|o| std::mem::discriminant(o) != kind)
        .collect()
}

/// `proved`'s envelope with `change` applied.
fn apply(change: &Change, proved: &Proved) -> Envelope {
    let mut e = proved.envelope.clone();
    match *change {
        Change::Version(v) => e.version = v,
        Change::Profile => {
            e.profile = match e.profile {
                Profile::Default => Profile::High,
                Profile::High => Profile::Default,
            }
        }
        Change::ModelId { byte, xor } => *byte.get_mut(&mut e.model_id.0) ^= xor,
        Change::Commitment { byte, xor } => *byte.get_mut(&mut e.input_commitment.0) ^= xor,
        Change::CommitmentLimb { limb, excess } => {
            let at = 8 * limb.index(4);
            let value = BaseElement::MODULUS + excess;
            e.input_commitment.0[at..at + 8].copy_from_slice(&value.to_le_bytes());
        }
        Change::OutputValue { index, delta } => match &mut e.output {
            Output::Class(class) => *class = class.wrapping_add(delta as usize),
            Output::Scores(scores) => {
                let s = index.get_mut(scores);
                *s = s.wrapping_add(delta);
            }
            Output::AtLeast { threshold, .. } => *threshold = threshold.wrapping_add(delta),
        },
        Change::OutputShape { value } => match &mut e.output {
            Output::Class(class) => *class = class.wrapping_add(1),
            Output::Scores(scores) if value % 2 == 0 => scores.push(value),
            Output::Scores(scores) => {
                scores.pop();
            }
            Output::AtLeast { holds, .. } => *holds = !*holds,
        },
        Change::OutputKind { pick, value } => {
            e.output = pick
                .get(&other_kinds(&e.output, &proved.prediction, value))
                .clone()
        }
        Change::ContextByte { at, xor } => *at.get_mut(&mut e.context) ^= xor,
        Change::ContextInsert { at, byte } => {
            let at = at.index(e.context.len() + 1);
            e.context.insert(at, byte);
        }
        Change::ContextRemove { at } => {
            e.context.remove(at.index(e.context.len()));
        }
        Change::ProofBit { at, bit } => *at.get_mut(&mut e.proof) ^= 1 << bit,
        Change::ProofTruncate { to } => e.proof.truncate(to.index(e.proof.len())),
        Change::ProofAppend(byte) => e.proof.push(byte),
    }
    e
}

proptest! {
    // 10,000 changes, ~0.3 ms each measured (a full verification takes ~1-2 ms, most changes
    // fail a cheaper check first), after five proofs: ~3 s.
    #![proptest_config(config(10_000))]

    #[test]
    fn single_field_changes_to_an_envelope_are_rejected(
        which in any::<Index>(),
        change in change(),
    ) {
        let proved = which.get(proved_envelopes());
        let original = &proved.envelope;
        let changed = apply(&change, proved);
        prop_assert!(&changed != original, "{:?} left the envelope as it was", change);
        // Verified with the context it carries, and with the one it was proved under.
        for context in [&changed.context, &original.context] {
            let result = verify(&proved.model, &changed, context);
            prop_assert!(result.is_err(), "accepted {:?}: {:?}", changed.output, result);
        }
        // Whatever encodes decodes to the same envelope, in both forms.
        if let Ok(bytes) = changed.to_bytes() {
            prop_assert_eq!(Envelope::decode(&bytes), Ok(changed.clone()));
        }
        if let Ok(json) = changed.to_json() {
            prop_assert_eq!(Envelope::decode(json.as_bytes()), Ok(changed.clone()));
        }
    }
}

/// The class agrees with the float scores' wherever those are further apart than the error
/// `slack` allows.
fn classes_agree_where_safe(
    task: Task,
    float: &[f64],
    slack: &[f64],
    prediction: &Prediction,
) -> Result<(), TestCaseError> {
    let float_class = decide(task, float);
    let safe = match task {
        Task::Binary => float[0].abs() > slack[0],
        Task::Multiclass => {
            let top = float_class.unwrap();
            (0..float.len()).all(|c| c == top || float[top] - float[c] > slack[top] + slack[c])
        }
        Task::Regression => true,
    };
    if safe {
        prop_assert_eq!(prediction.class, float_class, "float scores {:?}", float);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property 4: every model that loads proves, or is refused at load with a limit error
// ---------------------------------------------------------------------------------------------

/// A model family and its shape, at sizes up to well beyond the limits.
#[derive(Clone, Debug)]
enum Family {
    Linear,
    /// Trees of the given depth.
    Trees {
        trees: usize,
        depth: usize,
    },
    /// Hidden layer widths.
    Network {
        hidden: Vec<usize>,
    },
}

#[derive(Clone, Debug)]
struct ModelShape {
    task: Task,
    scores: usize,
    features: usize,
    family: Family,
    profile: Profile,
    /// Seeds the weights, thresholds and leaves, which need no shrinking.
    seed: u64,
}

fn model_shape() -> impl Strategy<Value = ModelShape> {
    let features = prop_oneof![2 => 1usize..=40, 3 => 41usize..=1000];
    let width = prop_oneof![3 => 1usize..=16, 2 => 17usize..=300];
    let family = prop_oneof![
        Just(Family::Linear),
        (
            prop_oneof![3 => 1usize..=12, 1 => 13usize..=300],
            1usize..=8
        )
            .prop_map(|(trees, depth)| Family::Trees { trees, depth }),
        vec(width, 1..=3).prop_map(|hidden| Family::Network { hidden }),
    ];
    let profile = prop_oneof![Just(Profile::Default), Just(Profile::High)];
    (task_and_scores(), features, family, profile, any::<u64>()).prop_map(
        |((task, scores), features, family, profile, seed)| ModelShape {
            task,
            scores,
            features,
            family,
            profile,
            seed,
        },
    )
}

/// xorshift64*, for weights that need no shrinking.
fn uniform(state: &mut u64, low: f64, high: f64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
    low + (high - low) * bits as f64 / (1u64 << 53) as f64
}

/// The source model of `shape`, on features in `[0, 1]`.
fn shaped_source(shape: &ModelShape) -> SourceModel {
    let mut state = shape.seed | 1;
    let mut random = |low: f64, high: f64| uniform(&mut state, low, high);
    let (f, s) = (shape.features, shape.scores);
    let body = match &shape.family {
        Family::Linear => SourceBody::Linear {
            weights: (0..s)
                .map(|_| (0..f).map(|_| random(-1.0, 1.0)).collect())
                .collect(),
            bias: (0..s).map(|_| random(-1.0, 1.0)).collect(),
            indicators: None,
        },
        Family::Trees { trees, depth } => {
            let splits = (1usize << depth) - 1;
            let trees = (0..*trees)
                .map(|t| {
                    let target = (s > 1 && t % 2 == 0).then_some(t % s);
                    let width = if target.is_some() { 1 } else { s };
                    let nodes = (0..2 * splits + 1)
                        .map(|i| match i < splits {
                            true => SourceNode::Split {
                                feature: (t * splits + i) % f,
                                threshold: random(0.0, 1.0),
                                left: 2 * i + 1,
                                right: 2 * i + 2,
                            },
                            false => SourceNode::Leaf {
                                value: (0..width).map(|_| random(-1.0, 1.0)).collect(),
                            },
                        })
                        .collect();
                    SourceTree { target, nodes }
                })
                .collect();
            SourceBody::Trees {
                rule: SplitRule::LessThan,
                base: vec![0.0; s],
                trees,
                missing: None,
                categorical: None,
                known: None,
            }
        }
        Family::Network { hidden } => {
            let sizes = [vec![f], hidden.clone(), vec![s]].concat();
            let layers = (sizes.windows(2))
                .map(|pair| {
                    let gain = 2.0 / (pair[0] as f64).sqrt();
                    SourceDense {
                        weights: (0..pair[1])
                            .map(|_| (0..pair[0]).map(|_| random(-gain, gain)).collect())
                            .collect(),
                        bias: (0..pair[1]).map(|_| random(-1.0, 1.0)).collect(),
                    }
                })
                .collect();
            SourceBody::Mlp {
                activation: Activation::Relu,
                layers,
                indicators: None,
            }
        }
    };
    source_model(shape.task, s, f, body)
}

proptest! {
    // Shapes from one feature to a thousand, up to 300 trees of depth 8 and layers of 300: about
    // a third are refused (the width limit, mostly) in microseconds; the rest prove and verify,
    // in 0.02 to 2 s each (traces up to 16384 rows measured): ~9 s in all.
    #![proptest_config(config(64))]

    #[test]
    fn every_model_that_loads_proves(
        shape in model_shape(),
        pick in disclosure_pick(),
    ) {
        use zkinfer::error::{ModelError, QuantizeError};
        use zkinfer::limits::{MAX_TRACE_CELLS, MAX_TRACE_COLUMNS};
        let source = shaped_source(&shape);
        let calibration = calibration_csv(
            shape.features,
            &[vec![0.0; shape.features], vec![1.0; shape.features]],
        );
        let calibration = Calibration::from_csv(&calibration).unwrap();
        let model = match quantize(&source, Some(&calibration)) {
            Ok(model) => model,
            Err(QuantizeError::Model(ModelError::TooLarge(error))) => {
                // Refused for a limit it does exceed, under some profile.
                prop_assert!(
                    error.columns > MAX_TRACE_COLUMNS
                        || error.rows * error.columns > MAX_TRACE_CELLS,
                    "{}", error
                );
                return Ok(());
            }
            Err(other) => return Err(TestCaseError::fail(format!("quantize: {other}"))),
        };
        // What loads from its file proves, under the shape's profile.
        let model = Model::from_json(&model.to_canonical_json())
            .map_err(|e| TestCaseError::fail(format!("load: {e}")))?;
        let mut state = shape.seed ^ 0x5EED;
        let raw: Vec<f64> = (0..shape.features).map(|_| uniform(&mut state, 0.0, 1.0)).collect();
        let input = model
            .quantize_input(&raw)
            .map_err(|e| TestCaseError::fail(format!("input: {e}")))?;
        let reference = infer(&model, &input);
        let options = ProveOptions {
            profile: shape.profile,
            ..ProveOptions::new(pick.resolve(model.output.task, &reference))
        };
        let (envelope, _) = prove(&model, &input, &options)
            .map_err(|e| TestCaseError::fail(format!("prove: {e}")))?;
        let verified = verify(&model, &envelope, &[])
            .map_err(|e| TestCaseError::fail(format!("verify: {e}")))?;
        prop_assert_eq!(verified.output, envelope.output);
    }
}

// ---------------------------------------------------------------------------------------------
// Probability cut-offs
// ---------------------------------------------------------------------------------------------

/// A binary classifier of each kind a probability cut-off serves: XGBoost and LightGBM
/// (logistic links) and a scikit-learn random forest (a proportion).
const CUT_OFF_EXAMPLES: [&str; 3] = [
    "credit_xgboost",
    "credit_lightgbm_early_stopping",
    "breast_cancer_random_forest",
];

/// An example's model, its float source (what the library computes, before quantization) and
/// its held-out rows.
struct CutOffCase {
    model: Model,
    source: SourceModel,
    rows: Vec<Vec<f64>>,
}

fn cut_off_cases() -> &'static [CutOffCase] {
    static CASES: OnceLock<Vec<CutOffCase>> = OnceLock::new();
    CASES.get_or_init(|| {
        let examples = zkinfer_integration::example_models();
        (CUT_OFF_EXAMPLES.iter())
            .map(|name| {
                let example = examples.iter().find(|e| e.name == *name).expect(name);
                let model = zkinfer_integration::import_example(example);
                let path = zkinfer_integration::examples_dir().join(&example.model_file);
                let bytes = std::fs::read(path).unwrap();
                let (_, source) = zkinfer::import::read_source(&bytes, name).unwrap();
                let heldout = zkinfer_integration::read_example(&example.heldout_csv);
                let rows = (heldout.lines().skip(1))
                    .map(|line| {
                        (line.split(',').take(example.n_features))
                            .map(|cell| cell.parse().unwrap_or(f64::NAN))
                            .collect()
                    })
                    .collect();
                CutOffCase {
                    model,
                    source,
                    rows,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config(300))]

    /// For an input anywhere between two held-out rows and a cut-off `p`, the bit a
    /// probability cut-off discloses (the fixed-point score reaching its threshold) is the
    /// model's probability of class 1 reaching `p`, as `predict` reports it, always; and the
    /// float model's (the library's), wherever that probability is farther from `p` than the
    /// quantization bound allows it to move.
    #[test]
    fn a_probability_cut_off_is_the_probability_reaching_it(
        which in 0..CUT_OFF_EXAMPLES.len(),
        a in any::<Index>(),
        b in any::<Index>(),
        t in 0.0..=1.0f64,
        p in 0.01..0.99f64,
    ) {
        let case = &cut_off_cases()[which];
        let (a, b) = (&case.rows[a.index(case.rows.len())], &case.rows[b.index(case.rows.len())]);
        let x: Vec<f64> = a.iter().zip(b).map(|(&a, &b)| a + t * (b - a)).collect();
        let model = &case.model;
        let threshold = zkinfer::threshold::probability_threshold(model, p).unwrap();
        let prediction = infer(model, &model.quantize_input(&x).unwrap());
        let proved = prediction.scores[0] >= threshold;
        let link = model.output.link;
        let ours = link.probabilities(&prediction.real_scores(model)).unwrap()[1];
        prop_assert_eq!(proved, ours >= p, "{} p = {} probability {}", CUT_OFF_EXAMPLES[which], p, ours);
        let library = link.probabilities(&case.source.float_scores(&x)).unwrap()[1];
        let moved = score_error_bound(model)[0] * link.probability_slope();
        if (library - p).abs() > moved {
            prop_assert_eq!(proved, library >= p, "{} p = {} library {}", CUT_OFF_EXAMPLES[which], p, library);
        }
    }
}
