//! Shared helpers for the prover's integration tests: a float evaluator for source models
//! (the library semantics) and a small deterministic random generator.

#![allow(dead_code)]

use zkinfer::fixed_point::SplitRule;
use zkinfer::model::{Link, Precision, Task};
use zkinfer::source::{SourceBody, SourceModel, SourceNode, SourceTree};

/// xorshift64*: deterministic, dependency-free randomness for tests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The library's float semantics for a source model.
pub fn float_scores(model: &SourceModel, x: &[f64]) -> Vec<f64> {
    model.float_scores(x)
}

pub fn float_leaf<'t>(tree: &'t SourceTree, rule: SplitRule, x: &[f64]) -> &'t [f64] {
    tree.float_leaf(rule, &[], x, None)
}

/// A random complete tree of the given depth over `features` features whose thresholds are
/// drawn from `threshold`.
pub fn random_tree(
    rng: &mut Rng,
    depth: usize,
    features: usize,
    width: usize,
    target: Option<usize>,
    mut threshold: impl FnMut(&mut Rng, usize) -> f64,
) -> SourceTree {
    let mut nodes = Vec::new();
    // Heap layout: node i has children 2i+1, 2i+2; the last level holds the leaves.
    let splits = (1 << depth) - 1;
    for i in 0..(2 * splits + 1) {
        if i < splits {
            let feature = rng.below(features as u64) as usize;
            nodes.push(SourceNode::Split {
                feature,
                threshold: threshold(rng, feature),
                left: 2 * i + 1,
                right: 2 * i + 2,
            });
        } else {
            let value = (0..width).map(|_| rng.uniform(-1.0, 1.0)).collect();
            nodes.push(SourceNode::Leaf { value });
        }
    }
    SourceTree { target, nodes }
}

pub fn tree_model(
    rule: SplitRule,
    precision: Precision,
    features: usize,
    trees: Vec<SourceTree>,
) -> SourceModel {
    SourceModel {
        labels: None,
        source: "test".into(),
        feature_names: (0..features).map(|i| format!("x{i}")).collect(),
        precision,
        task: Task::Binary,
        classes: vec!["0".into(), "1".into()],
        link: Link::Logistic,
        body: SourceBody::Trees {
            rule,
            base: vec![0.25],
            trees,
            missing: None,
            categorical: None,
            known: None,
        },
    }
}

/// [`chain_source`], quantized.
pub fn chain_model(trees: usize, splits: usize) -> zkinfer::Model {
    zkinfer::quantize::quantize(&chain_source(trees, splits), None)
        .expect("a chain model within the limits")
}

/// A binary tree model of `trees` chains of `splits` splits each (every split's left child a
/// leaf), on one feature: `trees · splits` trace rows, for testing the size limits.
pub fn chain_source(trees: usize, splits: usize) -> SourceModel {
    let chain = |t: usize| {
        let mut nodes = Vec::new();
        for s in 0..splits {
            let split = nodes.len();
            nodes.push(SourceNode::Split {
                feature: 0,
                threshold: s as f64 + 0.5,
                left: split + 1,
                right: split + 2,
            });
            nodes.push(SourceNode::Leaf {
                value: vec![(t + s) as f64 / 64.0],
            });
        }
        nodes.push(SourceNode::Leaf { value: vec![-1.0] });
        SourceTree {
            target: None,
            nodes,
        }
    };
    tree_model(
        SplitRule::LessThan,
        Precision::F64,
        1,
        (0..trees).map(chain).collect(),
    )
}

/// `model` with its trees repeated `times` times (leaf values divided by `times`), without
/// validation: a model beyond the
/// limits that only a caller building the struct directly could hold.
pub fn repeated_trees(model: &zkinfer::Model, times: usize) -> zkinfer::Model {
    let mut model = model.clone();
    if let zkinfer::model::Body::Trees(ensemble) = &mut model.body {
        // Leaf values shrunk so that the repeated sums stay in the score range.
        for tree in &mut ensemble.trees {
            tree.leaf_value.iter_mut().for_each(|v| *v /= times as i64);
        }
        ensemble.trees = (0..times).flat_map(|_| ensemble.trees.clone()).collect();
    }
    model
}

/// One complete tree of depth 6 (XGBoost's default) over `features` features, each split
/// reading a feature in turn, so that every feature is used.
pub fn wide_trees(features: usize) -> zkinfer::source::SourceModel {
    let mut rng = Rng::new(features as u64);
    let mut next = 0;
    let tree = random_tree(&mut rng, 6, features, 1, None, |_, _| 0.5);
    let mut trees = vec![tree];
    // More trees until every feature is read by some split.
    while trees.len() * 63 < features {
        trees.push(random_tree(&mut rng, 6, features, 1, None, |_, _| 0.5));
    }
    for tree in &mut trees {
        for node in &mut tree.nodes {
            if let zkinfer::source::SourceNode::Split { feature, .. } = node {
                *feature = next % features;
                next += 1;
            }
        }
    }
    tree_model(
        zkinfer::fixed_point::SplitRule::LessThan,
        zkinfer::model::Precision::F64,
        features,
        trees,
    )
}

/// A network of 4 features, one ReLU hidden layer of 8 neurons and `classes` classes, one
/// score each, with pseudo-random weights: the width of its trace grows with the classes (a
/// hidden layer's does not, beyond a bound).
pub fn wide_network(classes: usize) -> SourceModel {
    let mut rng = Rng::new(classes as u64);
    SourceModel {
        task: Task::Multiclass,
        classes: (0..classes).map(|c| format!("c{c}")).collect(),
        link: Link::Softmax,
        ..network(&mut rng, &[4, 8, classes], 0.3)
    }
}

/// A binary ReLU network of layers `widths[0] → widths[1] → …` (`widths[0]` features, named as
/// [`tree_model`] names them), weights uniform in `±spread`, biases in `±0.1`.
pub fn network(rng: &mut Rng, widths: &[usize], spread: f64) -> SourceModel {
    let layers = (widths.windows(2))
        .map(|pair| zkinfer::source::SourceDense {
            weights: (0..pair[1])
                .map(|_| (0..pair[0]).map(|_| rng.uniform(-spread, spread)).collect())
                .collect(),
            bias: (0..pair[1]).map(|_| rng.uniform(-0.1, 0.1)).collect(),
        })
        .collect();
    SourceModel {
        body: SourceBody::Mlp {
            activation: zkinfer::model::Activation::Relu,
            layers,
            indicators: None,
        },
        ..tree_model(SplitRule::LessThan, Precision::F64, widths[0], Vec::new())
    }
}

/// The calibration of a [`network`] of `features` features: each ranges over `[0, 1]`.
pub fn unit_calibration(features: usize) -> zkinfer::Calibration {
    let row = |value: &str| vec![value; features].join(",");
    let header: Vec<String> = (0..features).map(|f| format!("x{f}")).collect();
    let csv = format!("{}\n{}\n{}", header.join(","), row("0"), row("1"));
    zkinfer::Calibration::from_csv(&csv).unwrap()
}

/// The most classes [`wide_network`] can have: 254 columns under the high profile (28 for the
/// input block, the sign bit, one accumulator computing the hidden layer a neuron a pass and
/// one per score, `cmp`, 8 masks, and the lookup's column counted as its 3 coordinates).
pub const WIDEST_NETWORK: usize = 212;

/// `model` (a [`wide_network`]) with one more class, without validation.
pub fn one_more_class(model: &zkinfer::Model) -> zkinfer::Model {
    let mut wider = model.clone();
    if let zkinfer::model::Body::Mlp(mlp) = &mut wider.body {
        mlp.output.weights.push(mlp.output.weights[0].clone());
        mlp.output.bias.push(mlp.output.bias[0]);
    }
    let classes = wider.output.classes.len();
    wider.output.classes.push(format!("c{classes}"));
    wider
}
