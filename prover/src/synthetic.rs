//! Synthetic models of any size, for measuring how proving grows with a model (`zkinfer bench
//! --growth`): boosted ensembles of complete trees, linear models and ReLU networks over any
//! number of features, with pseudo-random splits and weights drawn from a fixed seed, so that every run
//! measures the same models.

use crate::fixed_point::SplitRule;
use crate::model::{Activation, Link, MissingRule, Precision, Task};
use crate::source::{SourceBody, SourceDense, SourceMissing, SourceModel, SourceNode, SourceTree};

/// A small deterministic generator (SplitMix64): the models must be the same on every run.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn binary(features: usize, body: SourceBody) -> SourceModel {
    SourceModel {
        labels: None,
        source: "zkinfer synthetic".into(),
        feature_names: (0..features).map(|f| format!("f{f}")).collect(),
        precision: Precision::F32,
        task: Task::Binary,
        classes: vec!["0".into(), "1".into()],
        link: Link::Logistic,
        body,
    }
}

/// A binary booster of `trees` complete trees of `depth` over `features` features in `[0, 1)`,
/// as XGBoost grows them: every split on a random feature at a random threshold, small leaf
/// values, and NaN missing with a random default branch at every split (as XGBoost imports).
pub fn boosted_trees(trees: usize, depth: usize, features: usize) -> SourceModel {
    let mut draw = Draw(((trees as u64) << 32) ^ ((depth as u64) << 16) ^ features as u64);
    let splits = (1usize << depth) - 1;
    let tree = |draw: &mut Draw| {
        let nodes = (0..2 * splits + 1)
            .map(|i| match i < splits {
                true => SourceNode::Split {
                    feature: draw.below(features),
                    threshold: draw.unit(),
                    left: 2 * i + 1,
                    right: 2 * i + 2,
                },
                false => SourceNode::Leaf {
                    value: vec![(draw.unit() - 0.5) / 8.0],
                },
            })
            .collect();
        SourceTree {
            target: None,
            nodes,
        }
    };
    let trees: Vec<SourceTree> = (0..trees).map(|_| tree(&mut draw)).collect();
    let default_left = (trees.iter())
        .map(|tree| tree.nodes.iter().map(|_| draw.below(2) == 1).collect())
        .collect();
    let body = SourceBody::Trees {
        rule: SplitRule::LessThan,
        base: vec![0.0],
        trees,
        missing: Some(SourceMissing {
            rules: vec![MissingRule::Nan; features],
            default_left,
        }),
        categorical: None,
        known: None,
    };
    binary(features, body)
}

/// A binary linear model over `features` features in `[0, 1)`.
pub fn linear(features: usize) -> SourceModel {
    let mut draw = Draw(features as u64);
    let weights = vec![(0..features).map(|_| draw.unit() - 0.5).collect()];
    binary(
        features,
        SourceBody::Linear {
            weights,
            bias: vec![0.1],
            indicators: None,
        },
    )
}

/// A ReLU network of layers `widths[0] → widths[1] → …` (`widths[0]` features in `[0, 1)`),
/// weights uniform in `±1/√inputs`: binary with one score, multiclass with more.
pub fn network(widths: &[usize]) -> SourceModel {
    let mut draw = Draw(widths.iter().fold(0, |seed, &w| seed * 1009 + w as u64));
    let layers = (widths.windows(2))
        .map(|pair| {
            let spread = 2.0 / (pair[0] as f64).sqrt();
            SourceDense {
                weights: (0..pair[1])
                    .map(|_| (0..pair[0]).map(|_| (draw.unit() - 0.5) * spread).collect())
                    .collect(),
                bias: (0..pair[1]).map(|_| (draw.unit() - 0.5) / 5.0).collect(),
            }
        })
        .collect();
    let body = SourceBody::Mlp {
        activation: Activation::Relu,
        layers,
        indicators: None,
    };
    let model = binary(widths[0], body);
    match widths[widths.len() - 1] {
        1 => model,
        classes => SourceModel {
            labels: None,
            task: Task::Multiclass,
            classes: (0..classes).map(|c| c.to_string()).collect(),
            link: Link::Softmax,
            ..model
        },
    }
}

/// A pseudo-random input of `features` features in `[0, 1)`.
pub fn input(features: usize) -> Vec<f64> {
    let mut draw = Draw(!(features as u64));
    (0..features).map(|_| draw.unit()).collect()
}
