//! CatBoost JSON models (`model.save_model("m.json", format="json")`).
//!
//! Layout: `features_info.float_features` lists the numeric inputs (`flat_feature_index`, the
//! column; `feature_id`, its name or `""`; `nan_value_treatment`); `categorical_features`,
//! `text_features` and `embedding_features` the others. The trees are either
//! `oblivious_trees` (the default symmetric growth: a list of `splits`, one per level, and
//! `2^depth · dimension` `leaf_values`) or `trees` (`Depthwise` and `Lossguide` growth: nested
//! `{split, left, right}` nodes and `{value}` leaves). `scale_and_bias` is `[scale, [bias per
//! dimension]]`; `model_info.params.loss_function.type` names the objective and
//! `model_info.class_params.class_names` the classes.
//!
//! Semantics mirrored: CatBoost converts inputs to float32 and sets a split's bit iff
//! `x > border` in float32; a symmetric tree's leaf is `Σ bit_i · 2^i` over its splits in
//! list order, and a non-symmetric tree goes right iff the bit is set. The raw score of
//! dimension `c` is `scale · Σ_trees leaf_c + bias_c`: a binary classifier's margin (class 1
//! iff it is positive, `predict_proba` its logistic), a multiclass classifier's logits, a
//! regressor's prediction.
//!
//! Missing values: CatBoost's `predict` accepts NaN in every float feature. A feature whose
//! `nan_value_treatment` is `AsTrue` (`nan_mode="Max"`) sets every bit for NaN; `AsFalse`
//! (`"Min"`, the default) and `AsIs` set none. So every feature gets [`MissingRule::Nan`]
//! and every split the default branch its feature's treatment gives.
//!
//! Symmetric trees repeat splits on one feature at several levels, so many of their leaves
//! cannot be reached (`x > 1` and `x ≤ 0` at once); those are left out of the imported tree,
//! which changes no prediction: a missing value, too, takes one consistent side of every
//! border of its feature.
//!
//! Categorical, text and embedding features are refused by name: CatBoost reads them through
//! string hashes and target statistics (CTRs) learnt in training, not through thresholds.

use serde::Deserialize;
use serde_json::Value;

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::{kept_iterations, placeholder_name};
use crate::limits::{
    MAX_DEPTH, MAX_NODES, MAX_SCORES as MAX_CLASSES, MAX_SOURCE_FEATURES as MAX_FEATURES, MAX_TREES,
};
use crate::model::{Link, MissingRule, Precision, Task};
use crate::source::{SourceBody, SourceMissing, SourceModel, SourceNode, SourceTree};

#[derive(Deserialize)]
struct CatboostFile {
    features_info: FeaturesInfo,
    oblivious_trees: Option<Vec<ObliviousTree>>,
    trees: Option<Vec<Node>>,
    scale_and_bias: Option<(f64, Vec<f64>)>,
    #[serde(default)]
    model_info: ModelInfo,
}

/// A node of a non-symmetric tree: `{split, left, right}` or a leaf `{value}`. Typed, so that
/// reading a large file allocates little more than the nodes themselves.
#[derive(Deserialize)]
struct Node {
    split: Option<Split>,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
    value: Option<LeafValue>,
}

/// A leaf's value: one number, or one per dimension.
#[derive(Deserialize)]
#[serde(untagged)]
enum LeafValue {
    One(f64),
    Many(Vec<f64>),
}

#[derive(Deserialize)]
struct FeaturesInfo {
    #[serde(default)]
    float_features: Vec<FloatFeature>,
    #[serde(default)]
    categorical_features: Vec<OtherFeature>,
    #[serde(default)]
    text_features: Vec<OtherFeature>,
    #[serde(default)]
    embedding_features: Vec<OtherFeature>,
}

#[derive(Deserialize)]
struct FloatFeature {
    flat_feature_index: usize,
    feature_index: usize,
    #[serde(default)]
    feature_id: String,
    /// Whether training saw NaN: CatBoost applies the treatment only then (else NaN sets no
    /// bit, as `AsIs`).
    #[serde(default)]
    has_nans: bool,
    #[serde(default)]
    nan_value_treatment: Option<String>,
}

#[derive(Deserialize)]
struct OtherFeature {
    #[serde(default)]
    feature_id: String,
    flat_feature_index: Option<usize>,
}

#[derive(Deserialize)]
struct ObliviousTree {
    leaf_values: Vec<f64>,
    splits: Vec<Split>,
}

#[derive(Deserialize)]
struct Split {
    split_type: SplitType,
    border: Option<f64>,
    float_feature_index: Option<usize>,
}

#[derive(Deserialize)]
enum SplitType {
    FloatFeature,
    #[serde(untagged)]
    Other(String),
}

#[derive(Default, Deserialize)]
struct ModelInfo {
    catboost_version_info: Option<String>,
    params: Option<Params>,
    class_params: Option<ClassParams>,
    /// `set_probability_threshold`'s: `predict` says class 1 iff the probability exceeds it.
    binclass_probability_threshold: Option<String>,
}

/// The training parameters; only the loss function is read (the rest is skipped unstored).
#[derive(Deserialize)]
struct Params {
    loss_function: Option<LossFunction>,
}

#[derive(Deserialize)]
struct LossFunction {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ClassParams {
    #[serde(default)]
    class_names: Vec<Value>,
}

/// A float split, read: the model feature and the float32 border.
#[derive(Clone, Copy, PartialEq)]
struct Border {
    feature: usize,
    border: f64,
}

/// Whether bytes that start with `{` are a CatBoost JSON model.
pub fn looks_like(text: &str) -> bool {
    text.contains("\"features_info\"")
        && (text.contains("\"oblivious_trees\"") || text.contains("\"scale_and_bias\""))
}

/// The model of a CatBoost JSON file, with all its trees ([`read_with`]).
pub fn read(json: &[u8]) -> Result<SourceModel, FormatError> {
    read_with(json, None)
}

/// The model of a CatBoost JSON file, keeping its first `iterations` trees when given (one
/// tree per iteration; a model trained with `use_best_model` already holds only those up to
/// its best iteration).
pub fn read_with(json: &[u8], iterations: Option<usize>) -> Result<SourceModel, FormatError> {
    let file: CatboostFile = serde_json::from_slice(json)
        .map_err(|e| FormatError::malformed(format!("invalid CatBoost JSON: {e}")))?;
    let info = &file.features_info;
    refuse_other_features(info)?;
    let Columns {
        names: feature_names,
        of_float: features,
        nan_sets_bits: treatments,
    } = float_features(info)?;

    let loss = loss_function(&file.model_info)?;
    let (task, link) = match loss.as_str() {
        "Logloss" | "CrossEntropy" => (Task::Binary, Link::Logistic),
        "MultiClass" => (Task::Multiclass, Link::Softmax),
        "RMSE" | "MAE" | "Quantile" | "Expectile" | "MAPE" | "Huber" | "Lq" | "LogCosh" => {
            (Task::Regression, Link::Identity)
        }
        other => return Err(FormatError::unsupported(format!("loss function {other:?}"))),
    };
    let (scale, bias) = file.scale_and_bias.clone().unwrap_or((1.0, vec![0.0]));
    let dimension = bias.len();
    let expected = if task == Task::Multiclass {
        2..=MAX_CLASSES
    } else {
        1..=1
    };
    if !expected.contains(&dimension) || !scale.is_finite() {
        return Err(FormatError::malformed(format!(
            "scale_and_bias has {dimension} biases (and scale {scale}) for loss {loss:?}"
        )));
    }
    let classes = class_labels(&file.model_info, task, dimension)?;
    if let Some(threshold) = &file.model_info.binclass_probability_threshold {
        if threshold.trim().parse::<f64>() != Ok(0.5) {
            return Err(FormatError::unsupported(format!(
                "a binary decision threshold of {threshold:?} (set_probability_threshold): \
                 predict would say class 1 iff the probability exceeds it, not ½"
            )));
        }
    }

    let mut trees = match (&file.oblivious_trees, &file.trees) {
        (Some(trees), None) => {
            check_tree_count(trees.len())?;
            let mut nodes = 0;
            let mut read = Vec::with_capacity(trees.len());
            for (t, tree) in trees.iter().enumerate() {
                let tree = symmetric_tree(tree, t, &features, dimension, &treatments)?;
                nodes += tree.0.nodes.len();
                if nodes > MAX_NODES {
                    return Err(FormatError::unsupported(format!(
                        "more than {MAX_NODES} nodes in all (at tree {t})"
                    )));
                }
                read.push(tree);
            }
            read
        }
        (None, Some(trees)) => {
            check_tree_count(trees.len())?;
            let mut budget = MAX_NODES;
            (trees.iter().enumerate())
                .map(|(t, tree)| {
                    let mut builder = TreeBuilder::new(&treatments);
                    builder.grow(tree, t, 0, &features, dimension, &mut budget)?;
                    Ok(builder.finish())
                })
                .collect::<Result<Vec<_>, FormatError>>()?
        }
        _ => {
            return Err(FormatError::malformed(
                "a model needs either oblivious_trees or trees",
            ))
        }
    };
    let (kept, note) = kept_iterations(trees.len(), iterations, None)?;
    trees.truncate(kept);

    let (mut trees, default_left): (Vec<SourceTree>, Vec<Vec<bool>>) = trees.into_iter().unzip();
    if scale != 1.0 {
        for node in trees.iter_mut().flat_map(|t| &mut t.nodes) {
            if let SourceNode::Leaf { value } = node {
                value.iter_mut().for_each(|v| *v *= scale);
            }
        }
    }
    Ok(SourceModel {
        labels: None,
        source: format!("catboost{} {loss}{note}", version(&file.model_info)),
        feature_names,
        precision: Precision::F32,
        task,
        classes,
        link,
        body: SourceBody::Trees {
            rule: SplitRule::LessOrEqual,
            base: bias,
            trees,
            missing: Some(SourceMissing {
                rules: vec![MissingRule::Nan; treatments.len()],
                default_left,
            }),
            categorical: None,
            known: None,
        },
    })
}

/// Features zkinfer cannot read as numbers are refused, named.
fn refuse_other_features(info: &FeaturesInfo) -> Result<(), FormatError> {
    for (kind, list) in [
        ("categorical", &info.categorical_features),
        ("text", &info.text_features),
        ("embedding", &info.embedding_features),
    ] {
        if list.is_empty() {
            continue;
        }
        let names: Vec<String> = list
            .iter()
            .map(|f| match (&f.feature_id, f.flat_feature_index) {
                (id, _) if !id.is_empty() => format!("{id:?}"),
                (_, Some(i)) => format!("column {i}"),
                (_, None) => "unnamed".into(),
            })
            .collect();
        return Err(FormatError::unsupported(format!(
            "CatBoost {kind} features ({}): CatBoost reads them through string hashes and \
             statistics learnt in training; give them to CatBoost as numbers (codes) instead",
            names.join(", ")
        )));
    }
    Ok(())
}

/// The model's input columns, read from CatBoost's float features.
struct Columns {
    /// By column.
    names: Vec<String>,
    /// For each float feature (by its `feature_index`), its column.
    of_float: Vec<usize>,
    /// By column: whether NaN sets every bit (`AsTrue`) rather than none.
    nan_sets_bits: Vec<bool>,
}

fn float_features(info: &FeaturesInfo) -> Result<Columns, FormatError> {
    let list = &info.float_features;
    if list.is_empty() {
        return Err(FormatError::malformed("the model has no float features"));
    }
    let columns =
        (list.iter().map(|f| f.flat_feature_index).max()).map_or(0, |m| m.saturating_add(1));
    if columns > MAX_FEATURES || list.len() > columns {
        return Err(FormatError::unsupported(format!(
            "{columns} feature columns (at most {MAX_FEATURES})"
        )));
    }
    let mut names: Vec<Option<String>> = vec![None; columns];
    let mut columns_of = vec![usize::MAX; list.len()];
    let mut nan_sets_bits = vec![false; columns];
    for f in list {
        let slot = columns_of
            .get_mut(f.feature_index)
            .filter(|c| **c == usize::MAX);
        let Some(slot) = slot else {
            return Err(FormatError::malformed(format!(
                "float feature_index {} is repeated or beyond the {} float features",
                f.feature_index,
                list.len()
            )));
        };
        *slot = f.flat_feature_index;
        if names[f.flat_feature_index].is_some() {
            return Err(FormatError::malformed(format!(
                "column {} is listed twice",
                f.flat_feature_index
            )));
        }
        names[f.flat_feature_index] = Some(match f.feature_id.as_str() {
            "" => placeholder_name(f.flat_feature_index),
            id => id.to_string(),
        });
        nan_sets_bits[f.flat_feature_index] = match f.nan_value_treatment.as_deref() {
            None | Some("AsIs" | "AsFalse") => false,
            Some("AsTrue") => f.has_nans,
            Some(other) => {
                return Err(FormatError::unsupported(format!(
                    "nan_value_treatment {other:?}"
                )))
            }
        };
    }
    let names = (names.into_iter().enumerate())
        .map(|(i, n)| n.unwrap_or_else(|| placeholder_name(i)))
        .collect();
    Ok(Columns {
        names,
        of_float: columns_of,
        nan_sets_bits,
    })
}

fn loss_function(info: &ModelInfo) -> Result<String, FormatError> {
    (info.params.as_ref())
        .and_then(|p| p.loss_function.as_ref())
        .map(|l| l.kind.clone())
        .ok_or_else(|| FormatError::malformed("model_info.params.loss_function.type is missing"))
}

/// The class labels: `class_names` (numbers written as JSON writes them), else `0`, `1`, ….
fn class_labels(
    info: &ModelInfo,
    task: Task,
    dimension: usize,
) -> Result<Vec<String>, FormatError> {
    let count = match task {
        Task::Regression => return Ok(Vec::new()),
        Task::Binary => 2,
        Task::Multiclass => dimension,
    };
    let names = info.class_params.as_ref().map(|c| &c.class_names);
    match names.filter(|n| !n.is_empty()) {
        None => Ok((0..count).map(|c| c.to_string()).collect()),
        Some(names) if names.len() == count => Ok(names
            .iter()
            .map(|n| match n {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()),
        Some(names) => Err(FormatError::malformed(format!(
            "{} class_names for {count} classes",
            names.len()
        ))),
    }
}

/// `" 1.2.10"` from the model's build description, or nothing.
fn version(info: &ModelInfo) -> String {
    let tag = release_tag(info.catboost_version_info.as_deref().unwrap_or_default());
    tag.map(|v| format!(" {v}")).unwrap_or_default()
}

/// CatBoost describes its build in several lines (in JSON models' `catboost_version_info`
/// and as its ONNX exports' producer version); the release tag's line
/// (`Branch: tags/v1.2.10`) gives the version.
pub(crate) fn release_tag(build: &str) -> Option<&str> {
    (build.lines())
        .find_map(|line| line.trim().strip_prefix("Branch: tags/v"))
        .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.') && v.len() <= 16)
}

fn check_tree_count(trees: usize) -> Result<(), FormatError> {
    match trees {
        0 => Err(FormatError::malformed("the model has no trees")),
        n if n > MAX_TREES => Err(FormatError::unsupported(format!(
            "{n} trees (at most {MAX_TREES})"
        ))),
        _ => Ok(()),
    }
}

/// A float split of tree `t`: its model feature and its border as the float32 CatBoost
/// compares with.
fn border(split: &Split, t: usize, features: &[usize]) -> Result<Border, FormatError> {
    if let SplitType::Other(kind) = &split.split_type {
        return Err(FormatError::unsupported(format!(
            "tree {t}: a {kind:?} split (only float features are read)"
        )));
    }
    let index = split.float_feature_index.unwrap_or(usize::MAX);
    let feature = *features.get(index).ok_or_else(|| {
        FormatError::malformed(format!("tree {t}: a split on float feature {index}"))
    })?;
    let border = split
        .border
        .filter(|b| !b.is_nan())
        .ok_or_else(|| FormatError::malformed(format!("tree {t}: a split without a border")))?;
    Ok(Border {
        feature,
        border: f64::from(border as f32),
    })
}

/// Builds one tree in zkinfer's node order (a split's children get consecutive indices), with
/// each node's default branch.
struct TreeBuilder<'a> {
    nan_sets_bits: &'a [bool],
    nodes: Vec<SourceNode>,
    default_left: Vec<bool>,
}

impl<'a> TreeBuilder<'a> {
    fn new(nan_sets_bits: &'a [bool]) -> Self {
        TreeBuilder {
            nan_sets_bits,
            nodes: Vec::new(),
            default_left: Vec::new(),
        }
    }

    fn finish(self) -> (SourceTree, Vec<bool>) {
        let tree = SourceTree {
            target: None,
            nodes: self.nodes,
        };
        (tree, self.default_left)
    }

    /// Appends a node, a leaf until [`Self::split`] makes it one; returns its index.
    fn push(&mut self, value: Vec<f64>) -> usize {
        self.nodes.push(SourceNode::Leaf { value });
        self.default_left.push(false);
        self.nodes.len() - 1
    }

    fn split(&mut self, node: usize, at: Border, (left, right): (usize, usize)) {
        self.nodes[node] = SourceNode::Split {
            feature: at.feature,
            threshold: at.border,
            left,
            right,
        };
        self.default_left[node] = !self.nan_sets_bits[at.feature];
    }

    /// Grows a non-symmetric tree's `node` (`{split, left, right}` or `{value}`) at `depth`.
    fn grow(
        &mut self,
        node: &Node,
        t: usize,
        depth: usize,
        features: &[usize],
        dimension: usize,
        budget: &mut usize,
    ) -> Result<usize, FormatError> {
        let bad = |msg: &str| FormatError::malformed(format!("tree {t}: {msg}"));
        *budget = budget.checked_sub(1).ok_or_else(|| {
            FormatError::unsupported(format!("more than {MAX_NODES} nodes in all (at tree {t})"))
        })?;
        if depth > MAX_DEPTH {
            return Err(FormatError::unsupported(format!(
                "tree {t} is deeper than {MAX_DEPTH}"
            )));
        }
        let Some(split) = &node.split else {
            let value = leaf_value(node.value.as_ref(), dimension)
                .ok_or_else(|| bad(&format!("a leaf needs a value of {dimension} numbers")))?;
            return Ok(self.push(value));
        };
        let at = border(split, t, features)?;
        let (Some(left), Some(right)) = (&node.left, &node.right) else {
            return Err(bad("a split needs left and right"));
        };
        let index = self.push(Vec::new());
        let left = self.grow(left, t, depth + 1, features, dimension, budget)?;
        let right = self.grow(right, t, depth + 1, features, dimension, budget)?;
        self.split(index, at, (left, right));
        Ok(index)
    }

    /// Grows a symmetric tree's node at `level` (levels count from the root, which tests the
    /// last split of the list, the leaf index's top bit) after the decisions `path`: a
    /// border whose side the path already decides adds no node.
    fn grow_symmetric(
        &mut self,
        splits: &[Border],
        leaves: &[f64],
        dimension: usize,
        path: &mut Vec<(Border, bool)>,
        leaf: usize,
    ) -> usize {
        let level = path.len();
        if level == splits.len() {
            return self.push(leaves[leaf * dimension..][..dimension].to_vec());
        }
        let bit = splits.len() - 1 - level;
        let at = splits[bit];
        let decided =
            (path.iter().filter(|(b, _)| b.feature == at.feature)).find_map(|&(b, right)| {
                match right {
                    // x > b ≥ at, or x ≤ b ≤ at.
                    true if at.border <= b.border => Some(true),
                    false if b.border <= at.border => Some(false),
                    _ => None,
                }
            });
        path.push((at, false));
        let node = match decided {
            Some(right) => {
                path.last_mut().expect("pushed").1 = right;
                self.grow_symmetric(
                    splits,
                    leaves,
                    dimension,
                    path,
                    leaf | usize::from(right) << bit,
                )
            }
            None => {
                let index = self.push(Vec::new());
                let left = self.grow_symmetric(splits, leaves, dimension, path, leaf);
                path.last_mut().expect("pushed").1 = true;
                let right = self.grow_symmetric(splits, leaves, dimension, path, leaf | 1 << bit);
                self.split(index, at, (left, right));
                index
            }
        };
        path.pop();
        node
    }
}

/// A leaf's value, if it holds `dimension` numbers.
fn leaf_value(value: Option<&LeafValue>, dimension: usize) -> Option<Vec<f64>> {
    let values = match value? {
        LeafValue::One(v) => vec![*v],
        LeafValue::Many(list) => list.clone(),
    };
    (values.len() == dimension).then_some(values)
}

/// Symmetric tree `t` as a binary tree without its unreachable leaves, and its nodes' default
/// branches.
fn symmetric_tree(
    tree: &ObliviousTree,
    t: usize,
    features: &[usize],
    dimension: usize,
    nan_sets_bits: &[bool],
) -> Result<(SourceTree, Vec<bool>), FormatError> {
    let depth = tree.splits.len();
    if depth > 16 {
        return Err(FormatError::unsupported(format!(
            "tree {t} has depth {depth} (CatBoost's limit is 16)"
        )));
    }
    if tree.leaf_values.len() != dimension << depth {
        return Err(FormatError::malformed(format!(
            "tree {t}: {} leaf values for depth {depth} and {dimension} dimensions",
            tree.leaf_values.len()
        )));
    }
    let splits = (tree.splits.iter())
        .map(|s| border(s, t, features))
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = TreeBuilder::new(nan_sets_bits);
    builder.grow_symmetric(&splits, &tree.leaf_values, dimension, &mut Vec::new(), 0);
    Ok(builder.finish())
}

#[cfg(test)]
#[path = "catboost_tests.rs"]
mod tests;
