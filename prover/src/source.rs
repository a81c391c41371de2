//! A model as its source library defines it, before quantization.
//!
//! Importers produce a [`SourceModel`] whose float semantics equal the library's prediction:
//! `score_c = base_c + Σ_trees leaf_c` (or `bias_c + Σ_f w_c,f · x_f`), then class 1 iff
//! `score > 0` (binary) or the first largest score (multiclass). Averaging (random forests)
//! is folded into the leaf values by the importer. [`crate::quantize`] turns it into a
//! fixed-point [`crate::Model`].

use std::ops::Range;

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::model::{
    body_ranges, Activation, Categories, CategoryRead, Link, MissingRule, Precision, Task,
    MAX_CATEGORIES,
};

#[derive(Clone, Debug, PartialEq)]
pub struct SourceModel {
    /// Library, version and objective, e.g. `"xgboost 3.0.2 binary:logistic"`.
    pub source: String,
    pub feature_names: Vec<String>,
    /// The float type the library converts inputs to before predicting.
    pub precision: Precision,
    pub task: Task,
    /// Class labels (two for binary, one per score for multiclass, none for regression).
    pub classes: Vec<String>,
    pub link: Link,
    pub body: SourceBody,
    /// For each feature, `None`, or its categories' names when the library reads it as
    /// strings (it must then be categorical: [`Categories::labels`]); `None` if no feature is.
    pub labels: Option<Vec<Option<Vec<String>>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourceBody {
    /// `weights[c][i]`, `bias[c]`, over the body's inputs: each feature's value, a categorical
    /// feature's one-hot indicators (see `indicators`).
    Linear {
        weights: Vec<Vec<f64>>,
        bias: Vec<f64>,
        /// For each feature, `None` if numeric, or its categories when the body reads it as
        /// one-hot indicators: one input per category `0..count`, 1 for the input's category
        /// (none for another value, as scikit-learn's `OneHotEncoder` reads an unknown one
        /// with `handle_unknown="ignore"`); `None` if no feature is categorical.
        indicators: Option<Vec<Option<Categories>>>,
    },
    Trees {
        rule: SplitRule,
        base: Vec<f64>,
        trees: Vec<SourceTree>,
        /// How the library reads missing values; `None` if the importer does not model them.
        missing: Option<SourceMissing>,
        /// For each feature, `None` if numeric, or how the library reads a raw value as a
        /// category; `None` if no feature is categorical.
        categorical: Option<Vec<Option<CategoryRead>>>,
        /// For each feature, the categories the library knows when it raises on any other
        /// (scikit-learn's `OneHotEncoder(handle_unknown="error")`), increasing; `None` if no
        /// feature raises.
        known: Option<Vec<Option<Vec<u32>>>>,
    },
    /// A dense network: `a⁰ = x`; every layer but the last `a = activation(W·a + b)`; the
    /// scores are the last layer's `W·a + b` (the logits: a binary classifier's one output is
    /// the margin of class 1).
    Mlp {
        activation: Activation,
        layers: Vec<SourceDense>,
        /// As a linear model's: the first layer reads categorical features as indicators.
        indicators: Option<Vec<Option<Categories>>>,
    },
}

/// How a tree ensemble reads missing values, as its library does.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMissing {
    /// For each feature, which raw values are missing.
    pub rules: Vec<MissingRule>,
    /// For each tree and each of its nodes (indices into `nodes`; a leaf's entry is unused):
    /// whether a missing value goes left.
    pub default_left: Vec<Vec<bool>>,
}

/// What one tree does with missing values: each feature's rule, each node's default branch.
pub type TreeMissing<'m> = (&'m [MissingRule], &'m [bool]);

impl SourceMissing {
    /// Tree `t`'s view.
    pub fn of_tree(&self, t: usize) -> TreeMissing<'_> {
        (&self.rules, &self.default_left[t])
    }
}

/// The library's decision at the categorical split `node` on `feature`, sending the categories
/// `set` (increasing) left iff `set_left`, for an (already rounded) input `x`; with `missing`,
/// the default branch of a missing value.
pub fn category_goes_left(
    read: CategoryRead,
    missing: Option<TreeMissing>,
    node: usize,
    feature: usize,
    (set, set_left): (&[u32], bool),
    x: &[f64],
) -> bool {
    let value = match missing {
        Some((rules, defaults)) => match rules[feature].read(x[feature]) {
            Some(v) => v,
            None => return defaults[node],
        },
        None => x[feature],
    };
    let in_set = read.is_one_of(value, set);
    in_set == set_left
}

/// The library's decision at split `node` on `feature` at `threshold`, for an (already rounded)
/// input `x`: its split rule, and with `missing` the default branch of a missing value.
pub fn goes_left(
    rule: SplitRule,
    missing: Option<TreeMissing>,
    node: usize,
    feature: usize,
    threshold: f64,
    x: &[f64],
) -> bool {
    match missing {
        Some((rules, defaults)) => match rules[feature].read(x[feature]) {
            Some(v) => rule.goes_left(v, threshold),
            None => defaults[node],
        },
        None => rule.goes_left(x[feature], threshold),
    }
}

/// The inputs of a body reading the categorical features in `indicators` as one-hot
/// indicators, for (already rounded) features `x`: a numeric feature's value, then for a
/// categorical one `[category == k]` for each `k < count`, as scikit-learn's `OneHotEncoder`
/// matches categories (equal values; another value sets none).
pub fn body_inputs(indicators: &[Option<Categories>], x: &[f64]) -> Vec<f64> {
    let mut inputs = Vec::with_capacity(x.len());
    for (&value, categories) in x.iter().zip(indicators) {
        match categories {
            Some(c) => {
                let category = c.read.category(value);
                inputs.extend((0..c.count).map(|k| f64::from(category == Some(f64::from(k)))));
            }
            None => inputs.push(value),
        }
    }
    inputs
}

/// A dense layer: `weights[out][in]`, `bias[out]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDense {
    pub weights: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
}

impl SourceDense {
    /// `W·inputs + b`.
    pub fn apply(&self, inputs: &[f64]) -> Vec<f64> {
        (self.weights.iter().zip(&self.bias))
            .map(|(row, b)| b + row.iter().zip(inputs).map(|(w, v)| w * v).sum::<f64>())
            .collect()
    }
}

/// A tree whose root is `nodes[0]`; children are indices into `nodes`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceTree {
    /// `Some(c)`: leaves hold one value, added to score `c`; `None`: one value per score.
    pub target: Option<usize>,
    pub nodes: Vec<SourceNode>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourceNode {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    /// A split on a categorical feature: the categories of `set` (increasing) go left iff
    /// `set_left`; every other value (another category, or none) goes the other way.
    CategorySplit {
        feature: usize,
        set: Vec<u32>,
        set_left: bool,
        left: usize,
        right: usize,
    },
    Leaf {
        value: Vec<f64>,
    },
}

impl SourceNode {
    /// Whether this node, node `index` of its tree, sends an (already rounded) input `x` left:
    /// the library's decision under its split `rule`, its categorical features' `reads` and,
    /// with `missing`, its missing values. `None` for a leaf.
    pub fn goes_left(
        &self,
        index: usize,
        rule: SplitRule,
        reads: &[Option<CategoryRead>],
        x: &[f64],
        missing: Option<TreeMissing>,
    ) -> Option<bool> {
        Some(match self {
            SourceNode::Split {
                feature, threshold, ..
            } => goes_left(rule, missing, index, *feature, *threshold, x),
            SourceNode::CategorySplit {
                feature,
                set,
                set_left,
                ..
            } => {
                let read = reads[*feature].expect("checked: a categorical feature");
                category_goes_left(read, missing, index, *feature, (set, *set_left), x)
            }
            SourceNode::Leaf { .. } => return None,
        })
    }

    /// A split's `(left, right)` children; `None` for a leaf.
    pub fn children(&self) -> Option<(usize, usize)> {
        match *self {
            SourceNode::Split { left, right, .. }
            | SourceNode::CategorySplit { left, right, .. } => Some((left, right)),
            SourceNode::Leaf { .. } => None,
        }
    }
}

impl SourceModel {
    pub fn num_scores(&self) -> usize {
        match self.task {
            Task::Binary | Task::Regression => 1,
            Task::Multiclass => self.classes.len(),
        }
    }

    /// The library's float semantics: the scores this model gives `x` (after rounding `x` to
    /// the model's precision). This is what quantization must preserve and what tests compare
    /// the integer model with; zkinfer's own predictions come only from
    /// [`crate::inference`].
    pub fn float_scores(&self, x: &[f64]) -> Vec<f64> {
        let x: Vec<f64> = match self.precision {
            Precision::F32 => x.iter().map(|&v| v as f32 as f64).collect(),
            Precision::F64 => x.to_vec(),
        };
        let x = match self.indicators() {
            Some(indicators) => body_inputs(indicators, &x),
            None => x,
        };
        match &self.body {
            SourceBody::Linear { weights, bias, .. } => weights
                .iter()
                .zip(bias)
                .map(|(row, b)| b + row.iter().zip(&x).map(|(w, v)| w * v).sum::<f64>())
                .collect(),
            SourceBody::Trees {
                rule,
                base,
                trees,
                missing,
                categorical,
                ..
            } => {
                let mut scores = base.clone();
                let reads = categorical.as_deref().unwrap_or_default();
                for (t, tree) in trees.iter().enumerate() {
                    let missing = missing.as_ref().map(|m| m.of_tree(t));
                    let value = tree.float_leaf(*rule, reads, &x, missing);
                    match tree.target {
                        Some(c) => scores[c] += value[0],
                        None => scores.iter_mut().zip(value).for_each(|(s, v)| *s += v),
                    }
                }
                scores
            }
            SourceBody::Mlp {
                activation, layers, ..
            } => {
                let (output, hidden) = layers.split_last().expect("checked: two layers or more");
                let a = hidden.iter().fold(x, |a, dense| {
                    dense
                        .apply(&a)
                        .into_iter()
                        .map(|z| activation.apply_f64(z))
                        .collect()
                });
                output.apply(&a)
            }
        }
    }

    /// For each feature of a linear model or a network, `None` if numeric or the categories
    /// whose indicators the body reads; `None` if no feature is categorical or the body is
    /// trees.
    pub fn indicators(&self) -> Option<&[Option<Categories>]> {
        match &self.body {
            SourceBody::Linear { indicators, .. } | SourceBody::Mlp { indicators, .. } => {
                indicators.as_deref()
            }
            SourceBody::Trees { .. } => None,
        }
    }

    /// Each feature's inputs to the body: one for a numeric feature, one per category of a
    /// categorical one read as indicators ([`body_ranges`]).
    pub fn body_inputs_of(&self) -> Vec<Range<usize>> {
        let indicators = self.indicators();
        body_ranges((0..self.feature_names.len()).map(|f| {
            let categories = indicators.and_then(|c| c[f].as_ref());
            categories.map(|c| c.count)
        }))
    }

    /// The number of inputs the body reads.
    pub fn body_width(&self) -> usize {
        self.body_inputs_of().last().map_or(0, |inputs| inputs.end)
    }

    /// The groups of body inputs that are one categorical feature's indicators.
    pub fn one_hot_groups(&self) -> Vec<Range<usize>> {
        let indicators = self.indicators().unwrap_or_default();
        (self.body_inputs_of().into_iter().enumerate())
            .filter(|&(f, _)| indicators.get(f).is_some_and(Option::is_some))
            .map(|(_, inputs)| inputs)
            .collect()
    }

    /// Structural checks shared by all importers, so that a malformed file is reported as
    /// such instead of failing later.
    pub fn check(&self) -> Result<(), FormatError> {
        let features = self.feature_names.len();
        let scores = self.num_scores();
        if features == 0 {
            return Err(FormatError::malformed("the model has no input features"));
        }
        if self.labels.as_ref().is_some_and(|l| l.len() != features) {
            return Err(FormatError::malformed(
                "category names need one entry per feature",
            ));
        }
        if let Some(indicators) = self.indicators() {
            if indicators.len() != features {
                return Err(FormatError::malformed(
                    "categorical features need one entry per feature",
                ));
            }
            let counts_fit = (indicators.iter().flatten())
                .all(|c| (1..=MAX_CATEGORIES).contains(&c.count) && c.read == CategoryRead::Exact);
            if !counts_fit {
                return Err(FormatError::malformed(format!(
                    "a feature read as one-hot indicators has 1 to {MAX_CATEGORIES} categories, \
                     matched exactly"
                )));
            }
        }
        // The body's inputs: the features, a categorical one as its indicators.
        let features = self.body_width();
        match &self.body {
            SourceBody::Linear { weights, bias, .. } => {
                if weights.len() != scores || bias.len() != scores {
                    return Err(FormatError::malformed(format!(
                        "{} weight rows and {} intercepts for {scores} scores",
                        weights.len(),
                        bias.len()
                    )));
                }
                for row in weights {
                    if row.len() != features {
                        return Err(FormatError::malformed(format!(
                            "a weight row has {} coefficients for {features} inputs",
                            row.len()
                        )));
                    }
                }
                let all = weights.iter().flatten().chain(bias);
                if all.clone().any(|v| !v.is_finite()) {
                    return Err(FormatError::malformed("a coefficient is not finite"));
                }
            }
            SourceBody::Mlp { layers, .. } => {
                if layers.len() < 2 {
                    return Err(FormatError::malformed(
                        "a network needs a hidden layer and an output layer",
                    ));
                }
                let mut inputs = features;
                for (l, dense) in layers.iter().enumerate() {
                    let outputs = dense.bias.len();
                    if outputs == 0
                        || dense.weights.len() != outputs
                        || dense.weights.iter().any(|row| row.len() != inputs)
                    {
                        return Err(FormatError::malformed(format!(
                            "layer {l}: the weights do not match {inputs} inputs and {outputs} \
                             biases"
                        )));
                    }
                    let all = dense.weights.iter().flatten().chain(&dense.bias);
                    if all.clone().any(|v| !v.is_finite()) {
                        return Err(FormatError::malformed(format!(
                            "layer {l}: a weight is not finite"
                        )));
                    }
                    inputs = outputs;
                }
                if inputs != scores {
                    return Err(FormatError::malformed(format!(
                        "the output layer has {inputs} neurons for {scores} scores"
                    )));
                }
            }
            SourceBody::Trees {
                base,
                trees,
                missing,
                categorical,
                ..
            } => {
                if categorical.as_ref().is_some_and(|c| c.len() != features) {
                    return Err(FormatError::malformed(
                        "categorical features need an entry per feature",
                    ));
                }
                if let Some(missing) = missing {
                    let shaped = missing.rules.len() == features
                        && missing.default_left.len() == trees.len()
                        && (trees.iter().zip(&missing.default_left))
                            .all(|(tree, defaults)| defaults.len() == tree.nodes.len());
                    if !shaped {
                        return Err(FormatError::malformed(
                            "missing values need a rule per feature and a default per node",
                        ));
                    }
                }
                if base.len() != scores || base.iter().any(|v| !v.is_finite()) {
                    return Err(FormatError::malformed(format!(
                        "base scores must be {scores} finite numbers"
                    )));
                }
                if trees.is_empty() {
                    return Err(FormatError::malformed("the ensemble has no trees"));
                }
                let reads = categorical.as_deref().unwrap_or_default();
                for (t, tree) in trees.iter().enumerate() {
                    tree.check(t, features, scores, reads)?;
                }
            }
        }
        Ok(())
    }
}

impl SourceTree {
    /// The leaf values an (already rounded) input reaches under the library's split rule, its
    /// categorical features' `reads` (empty if it has none), and, with `missing`, its missing
    /// values.
    pub fn float_leaf(
        &self,
        rule: SplitRule,
        reads: &[Option<CategoryRead>],
        x: &[f64],
        missing: Option<TreeMissing>,
    ) -> &[f64] {
        let mut node = 0;
        loop {
            let current = &self.nodes[node];
            if let SourceNode::Leaf { value } = current {
                return value;
            }
            let (left, right) = current.children().expect("a split");
            node = match current.goes_left(node, rule, reads, x, missing) {
                Some(true) => left,
                _ => right,
            };
        }
    }

    fn check(
        &self,
        index: usize,
        features: usize,
        scores: usize,
        reads: &[Option<CategoryRead>],
    ) -> Result<(), FormatError> {
        let categorical = |f: usize| reads.get(f).copied().flatten().is_some();
        let bad = |msg: String| Err(FormatError::malformed(format!("tree {index}: {msg}")));
        if self.nodes.is_empty() {
            return bad("no nodes".into());
        }
        let width = match self.target {
            Some(c) if c >= scores => return bad(format!("targets score {c} of {scores}")),
            Some(_) => 1,
            None => scores,
        };
        let mut parents = vec![0u32; self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            match node {
                SourceNode::Split {
                    feature, threshold, ..
                } => {
                    if *feature >= features {
                        return bad(format!(
                            "node {i} splits on feature {feature} of {features}"
                        ));
                    }
                    if threshold.is_nan() {
                        return bad(format!("node {i} has a NaN threshold"));
                    }
                    if categorical(*feature) {
                        return bad(format!(
                            "node {i} splits the categorical feature {feature} at a threshold"
                        ));
                    }
                }
                SourceNode::CategorySplit { feature, set, .. } => {
                    if *feature >= features || !categorical(*feature) {
                        return bad(format!(
                            "node {i} splits feature {feature} by category, which is not a \
                             categorical feature"
                        ));
                    }
                    let increasing = set.windows(2).all(|w| w[0] < w[1]);
                    if !increasing || set.last().is_some_and(|&c| c >= MAX_CATEGORIES) {
                        return bad(format!(
                            "node {i}'s categories must increase and stay below {MAX_CATEGORIES}"
                        ));
                    }
                }
                SourceNode::Leaf { value } => {
                    if value.len() != width || value.iter().any(|v| !v.is_finite()) {
                        return bad(format!("leaf {i} must hold {width} finite values"));
                    }
                }
            }
            for child in node.children().into_iter().flat_map(|(l, r)| [l, r]) {
                if child >= self.nodes.len() || child == 0 {
                    return bad(format!("node {i} has child {child}"));
                }
                parents[child] += 1;
            }
        }
        if let Some(i) = parents.iter().skip(1).position(|&p| p != 1) {
            return bad(format!("node {} has {} parents", i + 1, parents[i + 1]));
        }
        Ok(())
    }
}
