//! The reference integer inference: the one definition of what zkinfer proves.
//!
//! All arithmetic is on integers and cannot overflow for a validated model
//! (`|score| < 2^SCORE_BITS`). Proof systems must attest exactly these functions.

use crate::input::{Feature, QuantizedInput};
use crate::model::{Body, Linear, Mlp, Model, Task, Tree, TreeEnsemble};

/// The scores (in units of `2^-score_scale_log2`) and, for classifiers, the class index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    pub scores: Vec<i64>,
    pub class: Option<usize>,
}

impl Prediction {
    /// The scores in real units.
    pub fn real_scores(&self, model: &Model) -> Vec<f64> {
        let unit = model.output.score_unit();
        self.scores.iter().map(|&s| s as f64 * unit).collect()
    }

    /// The label of the predicted class.
    pub fn label<'m>(&self, model: &'m Model) -> Option<&'m str> {
        self.class.map(|c| model.output.classes[c].as_str())
    }
}

/// Evaluates `model` on a quantized input made for it.
pub fn infer(model: &Model, input: &QuantizedInput) -> Prediction {
    let q = input.values();
    assert_eq!(
        q.len(),
        model.num_features(),
        "QuantizedInput is made per model"
    );
    // Only tree ensembles accept missing features (the model's validation), so the others
    // read plain values, categorical features as their indicators.
    let present = || zkinfer_air::input::present_values(&model.body_inputs(input));
    let scores = match &model.body {
        Body::Linear(linear) => linear_scores(linear, &present()),
        Body::Trees(ensemble) => ensemble_scores(ensemble, model.num_scores(), q),
        Body::Mlp(mlp) => mlp_scores(mlp, &present()),
    };
    let class = decide(model.output.task, &scores);
    Prediction { scores, class }
}

/// `score_c = bias_c + Σ_f W_c,f · q_f`.
pub fn linear_scores(linear: &Linear, q: &[u16]) -> Vec<i64> {
    linear
        .weights
        .iter()
        .zip(&linear.bias)
        .map(|(row, &bias)| {
            row.iter()
                .zip(q)
                .fold(bias, |acc, (&w, &x)| acc + w * x as i64)
        })
        .collect()
}

/// Every hidden layer `a = activation(⌊(bias + W·a) / 2^16⌋)` from `a = q`, then the output
/// layer's `bias + W·a`: the network's own evaluation, which the AIR's trace is built from.
pub fn mlp_scores(mlp: &Mlp, q: &[u16]) -> Vec<i64> {
    // The groups bound the range check only, not the arithmetic.
    mlp.network(q.len(), Vec::new()).evaluate(q).1
}

/// `score_c = base_c + Σ_trees leaf value for c`.
pub fn ensemble_scores(ensemble: &TreeEnsemble, num_scores: usize, q: &[Feature]) -> Vec<i64> {
    let mut scores = ensemble.base.clone();
    for tree in &ensemble.trees {
        let leaf = *path(tree, q).last().expect("a path ends in a leaf") as usize;
        let values = tree.leaf(leaf - tree.num_splits(), num_scores);
        match tree.target {
            Some(c) => scores[c as usize] += values[0],
            None => scores.iter_mut().zip(values).for_each(|(s, v)| *s += v),
        }
    }
    scores
}

/// The node ids an input visits from the root to its leaf: at split `i`, left iff
/// `q[feature[i]] < threshold[i]` (or is one of the split's codes, for a categorical split),
/// or, for a missing feature, iff `default_left[i]`.
pub fn path(tree: &Tree, q: &[Feature]) -> Vec<u32> {
    let splits = tree.num_splits();
    let mut node = 0usize;
    let mut visited = vec![0u32];
    while node < splits {
        let codes = tree.categories.as_ref().and_then(|c| c[node].as_ref());
        let goes_left = match (q[tree.feature[node] as usize], codes) {
            (Some(x), Some(codes)) => codes.binary_search(&x).is_ok(),
            (Some(x), None) => i64::from(x) < tree.threshold[node],
            // A model without default branches has no missing input (its validation).
            (None, _) => tree.default_left.as_ref().is_some_and(|d| d[node]),
        };
        node = if goes_left {
            tree.left[node]
        } else {
            tree.right[node]
        } as usize;
        visited.push(node as u32);
    }
    visited
}

/// Binary: class 1 iff `score > 0`. Multiclass: the first index of the largest score.
/// (Generic so that tests can apply the same rule to the libraries' float scores.)
pub fn decide<S: PartialOrd + Default>(task: Task, scores: &[S]) -> Option<usize> {
    match task {
        Task::Binary => Some((scores[0] > S::default()) as usize),
        Task::Multiclass => {
            let mut best = 0;
            for (c, s) in scores.iter().enumerate() {
                if *s > scores[best] {
                    best = c;
                }
            }
            Some(best)
        }
        Task::Regression => None,
    }
}
