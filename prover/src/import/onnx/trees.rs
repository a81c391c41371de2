//! `TreeEnsembleClassifier` and `TreeEnsembleRegressor` (ai.onnx.ml, opset 1 and 3).
//!
//! Trees are rebuilt from the parallel `nodes_*` arrays and the sparse leaf weights
//! (`class_*` / `target_*`), mirroring onnxruntime (`tree_ensemble_common.h` and
//! `tree_ensemble_aggregator.h`), which is the runtime skl2onnx models are checked against:
//!
//! - The root of a tree is the node no other node points to. onnxruntime starts each tree at its
//!   first listed node and splits a tree whose nodes are not listed together, so both must hold.
//! - A leaf's value for an output is the sum of its weights for that output; weights attached to
//!   branch nodes are ignored, and a leaf without any weight is refused (as onnxruntime does).
//! - The comparison `x <mode> t` sends the input to the true branch. `BRANCH_LEQ` is
//!   [`SplitRule::LessOrEqual`] with left = true branch and `BRANCH_LT` is
//!   [`SplitRule::LessThan`] likewise; `BRANCH_GT` is "not `x ≤ t`" and `BRANCH_GTE` is "not
//!   `x < t`", so they use the same rules with the branches swapped (left = false branch).
//!   `BRANCH_EQ` / `BRANCH_NEQ` and mixing the `≤` and `<` families are not supported.
//! - Thresholds and weights are f32 attributes (or f64 in the `*_as_tensor` variants), widened
//!   exactly to f64. Like onnxruntime, a tensor variant must have the predictor input's type.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::model::{Link, Task, MAX_NODES, MAX_TREES};
use crate::source::{SourceBody, SourceModel, SourceNode, SourceTree};

use super::attributes::{class_labels, describe, floats_or_tensor, quoted, Attributes};
use super::proto::data_type;
use super::Context;

/// Bound on the number of f64 leaf values a multiclass ensemble may expand to.
const MAX_LEAF_VALUES: usize = 1 << 24;

/// `TreeEnsembleClassifier`. Labels are decided by onnxruntime on the raw sums, before the
/// post-transform (which only turns them into probabilities):
///
/// - **Multiclass** (`K ≥ 3` labels): `score_c = base_c + Σ_trees leaf_c`, first largest wins.
///   Link: `NONE` → proportions (skl2onnx writes averaged class probabilities), `SOFTMAX` →
///   softmax, `LOGISTIC` → one-vs-rest logistic.
/// - **Binary, weights for both classes**: class 1 iff `s_1 > s_0`, as the first-largest rule;
///   one score `(s_1 − s_0)/2` (leaves `(w_1 − w_0)/2`, base `(b_1 − b_0)/2`). Under `NONE` the
///   sums are class proportions adding up to 1, so `P(1) = ½ + score`.
/// - **Binary, weights for a single class id** (onnxruntime's "binary case", which skl2onnx
///   writes: the weight of class 1 stored under class id 0): the sum `p` of those weights (plus
///   `base_values[0]` when the class id is 0) is the positive class's weight, and onnxruntime
///   predicts class 1 iff `p > ½` when every class weight in the file is `≥ 0` and iff `p > 0`
///   otherwise. The threshold is folded into the base: `score = p − ½` (or `p`). With `NONE`
///   and threshold ½, `p` is `P(1)` = `½ + score` (proportion link); with threshold 0 there is
///   no probability (link none). `LOGISTIC` keeps the logistic link; with threshold ½ (all
///   weights `≥ 0`, unusual for logistic models) its probability is then that of `p − ½`, while
///   onnxruntime reports `σ(p)` yet still decides on `p > ½`.
///
/// onnxruntime sums the weights in the attributes' float type; the imported model sums them in
/// f64, as scikit-learn does, so only decisions within rounding of the threshold can differ.
pub(super) fn classifier(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<SourceModel, FormatError> {
    let node = describe(attributes.node());
    let labels = class_labels(attributes, "classlabels_int64s", "classlabels_strings")?;
    let k = labels.len();
    if k < 2 {
        return Err(FormatError::unsupported(format!(
            "{node} with a single class"
        )));
    }
    let ensemble = Ensemble::read(attributes, context, "class", k)?;
    let base = base_values(attributes, context)?;
    let post = attributes.post_transform()?;
    let unsupported_post = |task: &str| {
        FormatError::unsupported(format!("{node} with post_transform {post} for {task}"))
    };

    let (task, link, base, trees) = if k >= 3 {
        let link = match post {
            "NONE" => Link::Proportion,
            "SOFTMAX" => Link::Softmax,
            "LOGISTIC" => Link::OneVsRestLogistic,
            _ => return Err(unsupported_post("a multiclass model")),
        };
        let base = match base.len() {
            0 => {
                ensemble.check_every_class_scored(&node, k)?;
                vec![0.0; k]
            }
            n if n == k => base,
            n => {
                return Err(FormatError::malformed(format!(
                    "{node} has {n} base values for {k} classes"
                )))
            }
        };
        let leaves: usize = ensemble.trees.iter().map(RawTree::leaves).sum();
        if leaves.saturating_mul(k) > MAX_LEAF_VALUES {
            return Err(FormatError::unsupported(format!(
                "{node}: {leaves} leaves × {k} classes is too large"
            )));
        }
        let trees = ensemble
            .trees
            .iter()
            .map(|tree| match tree.single_class() {
                // Every leaf feeds the same class (gradient boosting): one value per leaf.
                Some(c) => tree.build(Some(c), |w| vec![sum_for(w, c)]),
                None => tree.build(None, |w| (0..k).map(|c| sum_for(w, c)).collect()),
            })
            .collect();
        (Task::Multiclass, link, base, trees)
    } else if ensemble.class_ids.len() == 1 {
        // onnxruntime's binary case.
        let class = ensemble.class_ids.iter().next().copied().unwrap_or(0);
        let extra = match (base.len(), class) {
            (0, _) => 0.0,
            (1 | 2, 0) => base.first().copied().unwrap_or(0.0),
            (1 | 2, _) => {
                return Err(FormatError::unsupported(format!(
                    "{node}: base values with weights for class id {class} only \
                     (runtimes disagree on such models)"
                )))
            }
            (n, _) => {
                return Err(FormatError::malformed(format!(
                    "{node} has {n} base values for 2 classes"
                )))
            }
        };
        let threshold = if ensemble.weights_non_negative {
            0.5
        } else {
            0.0
        };
        let link = match post {
            "NONE" if threshold == 0.5 => Link::Proportion,
            "NONE" => Link::None,
            "LOGISTIC" => Link::Logistic,
            _ => return Err(unsupported_post("a binary model")),
        };
        let trees = ensemble
            .trees
            .iter()
            .map(|tree| tree.build(Some(0), |w| vec![sum_for(w, class)]))
            .collect();
        (Task::Binary, link, vec![extra - threshold], trees)
    } else {
        // Weights for both classes: class 1 iff s1 > s0.
        let (factor, link) = match post {
            "NONE" => (0.5, Link::Proportion),
            "LOGISTIC" => (0.5, Link::Logistic),
            // softmax(s0, s1)_1 = logistic(s1 − s0).
            "SOFTMAX" => (1.0, Link::Logistic),
            _ => return Err(unsupported_post("a binary model")),
        };
        let base = match base.as_slice() {
            [] => 0.0,
            [b0, b1] => (b1 - b0) * factor,
            [_] => {
                return Err(FormatError::unsupported(format!(
                    "{node}: one base value for two scored classes \
                     (runtimes disagree on such models)"
                )))
            }
            more => {
                return Err(FormatError::malformed(format!(
                    "{node} has {} base values for 2 classes",
                    more.len()
                )))
            }
        };
        let trees = ensemble
            .trees
            .iter()
            .map(|tree| tree.build(Some(0), |w| vec![(sum_for(w, 1) - sum_for(w, 0)) * factor]))
            .collect();
        (Task::Binary, link, vec![base], trees)
    };
    Ok(SourceModel {
        labels: None,
        source: context.source.clone(),
        feature_names: context.feature_names(ensemble.features),
        precision: context.precision,
        task,
        classes: labels,
        link,
        body: SourceBody::Trees {
            rule: ensemble.rule,
            base,
            trees,
            missing: None,
            categorical: None,
            known: None,
        },
    })
}

/// `TreeEnsembleRegressor` with one target. `SUM`: `y = base + Σ leaf`; `AVERAGE`: onnxruntime
/// divides the sum by the number of trees and then adds the base, so every leaf value is divided
/// by the number of trees and the base is kept.
pub(super) fn regressor(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<SourceModel, FormatError> {
    let node = describe(attributes.node());
    match attributes.int("n_targets")? {
        Some(1) => {}
        Some(n) if n > 1 => {
            return Err(FormatError::unsupported(format!("{node} with {n} targets")))
        }
        Some(n) => return Err(FormatError::malformed(format!("{node} has {n} targets"))),
        None => {
            return Err(FormatError::malformed(format!(
                "{node} does not say its number of targets"
            )))
        }
    }
    let post = attributes.post_transform()?;
    if post != "NONE" {
        return Err(FormatError::unsupported(format!(
            "{node} with post_transform {post}"
        )));
    }
    let average = match attributes.string("aggregate_function")?.unwrap_or("SUM") {
        "SUM" => false,
        "AVERAGE" => true,
        other @ ("MIN" | "MAX") => {
            return Err(FormatError::unsupported(format!(
                "{node} with aggregate_function {other}"
            )))
        }
        other => {
            return Err(FormatError::malformed(format!(
                "{node} has aggregate_function {}",
                quoted(other)
            )))
        }
    };
    let ensemble = Ensemble::read(attributes, context, "target", 1)?;
    let base = match base_values(attributes, context)?.as_slice() {
        [] => 0.0,
        [b] => *b,
        more => {
            return Err(FormatError::malformed(format!(
                "{node} has {} base values for one target",
                more.len()
            )))
        }
    };
    // onnxruntime's single-target path reads only the first weight of a leaf.
    for tree in &ensemble.trees {
        for n in &tree.nodes {
            if let RawNode::Leaf { id, weights } = n {
                if weights.len() > 1 {
                    return Err(FormatError::unsupported(format!(
                        "{node}: tree {}, leaf {id} has {} weights (runtimes disagree)",
                        tree.id,
                        weights.len()
                    )));
                }
            }
        }
    }
    let divisor = if average {
        ensemble.trees.len() as f64
    } else {
        1.0
    };
    let trees = ensemble
        .trees
        .iter()
        .map(|tree| tree.build(Some(0), |w| vec![sum_for(w, 0) / divisor]))
        .collect();
    Ok(SourceModel {
        labels: None,
        source: context.source.clone(),
        feature_names: context.feature_names(ensemble.features),
        precision: context.precision,
        task: Task::Regression,
        classes: Vec::new(),
        link: Link::Identity,
        body: SourceBody::Trees {
            rule: ensemble.rule,
            base: vec![base],
            trees,
            missing: None,
            categorical: None,
            known: None,
        },
    })
}

/// `base_values` or `base_values_as_tensor`.
fn base_values(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<Vec<f64>, FormatError> {
    let (stored, values) = floats_or_tensor(attributes, "base_values")?;
    check_tensor_type(attributes, context, "base_values_as_tensor", stored)?;
    Ok(values)
}

/// onnxruntime reads the `*_as_tensor` attributes in the predictor's input type and refuses the
/// model otherwise.
fn check_tensor_type(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
    name: &str,
    stored: Option<i32>,
) -> Result<(), FormatError> {
    match stored {
        Some(element) if element != context.predictor_input => {
            Err(FormatError::unsupported(format!(
                "{}: attribute {name} holds {} values for a {} input",
                describe(attributes.node()),
                data_type::name(element),
                data_type::name(context.predictor_input)
            )))
        }
        _ => Ok(()),
    }
}

/// The sum of a leaf's weights for output `c`.
fn sum_for(weights: &[(usize, f64)], c: usize) -> f64 {
    weights
        .iter()
        .filter(|(class, _)| *class == c)
        .map(|(_, w)| w)
        .sum()
}

/// A comparison mode of `nodes_modes`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Leaf,
    Leq,
    Lt,
    Gte,
    Gt,
}

/// A tree in root-first order, leaves still holding their sparse weights.
struct RawTree {
    id: i64,
    nodes: Vec<RawNode>,
}

enum RawNode {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf {
        /// The ONNX node id, for messages.
        id: i64,
        /// `(output, weight)` pairs.
        weights: Vec<(usize, f64)>,
    },
}

impl RawTree {
    fn leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, RawNode::Leaf { .. }))
            .count()
    }

    /// The class all leaf weights of this tree go to, if there is exactly one.
    fn single_class(&self) -> Option<usize> {
        let mut classes = self.nodes.iter().flat_map(|n| match n {
            RawNode::Leaf { weights, .. } => weights.as_slice(),
            RawNode::Split { .. } => &[],
        });
        let (first, _) = classes.next()?;
        classes.all(|(c, _)| c == first).then_some(*first)
    }

    fn build(
        &self,
        target: Option<usize>,
        value: impl Fn(&[(usize, f64)]) -> Vec<f64>,
    ) -> SourceTree {
        let nodes = self
            .nodes
            .iter()
            .map(|n| match n {
                RawNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => SourceNode::Split {
                    feature: *feature,
                    threshold: *threshold,
                    left: *left,
                    right: *right,
                },
                RawNode::Leaf { weights, .. } => SourceNode::Leaf {
                    value: value(weights),
                },
            })
            .collect();
        SourceTree { target, nodes }
    }
}

/// The trees of an ensemble operator.
struct Ensemble {
    rule: SplitRule,
    features: usize,
    trees: Vec<RawTree>,
    /// Every weight in the file (leaf or not) is `≥ 0` (onnxruntime's `weights_are_all_positive_`).
    weights_non_negative: bool,
    /// The distinct output ids the weights name.
    class_ids: BTreeSet<usize>,
}

impl Ensemble {
    /// Reads the `nodes_*` arrays and the `{prefix}_*` weights for `outputs` outputs.
    fn read(
        attributes: &Attributes<'_>,
        context: &Context<'_>,
        prefix: &str,
        outputs: usize,
    ) -> Result<Ensemble, FormatError> {
        let node = describe(attributes.node());
        let nodes = Nodes::read(attributes, context, &node)?;
        let rule = nodes.rule(&node)?;
        let features = nodes.features(context, &node)?;
        let (index, groups) = nodes.trees(&node)?;
        let weights = Weights::read(attributes, context, prefix, outputs, &nodes, &index, &node)?;
        let Weights {
            mut per_node,
            class_ids,
            non_negative,
        } = weights;
        let mut builder = TreeBuilder {
            nodes: &nodes,
            index: &index,
            local: vec![usize::MAX; nodes.len()],
            node: &node,
        };
        let trees = groups
            .iter()
            .map(|&group| builder.build(group, &mut per_node))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ensemble {
            rule,
            features,
            trees,
            weights_non_negative: non_negative,
            class_ids,
        })
    }

    /// Without base values, onnxruntime only compares the classes that received a weight, while
    /// zkinfer compares all of them: refuse unless every class is scored by some tree whose
    /// every leaf has a weight for it.
    fn check_every_class_scored(&self, node: &str, classes: usize) -> Result<(), FormatError> {
        for c in 0..classes {
            let scored = self.trees.iter().any(|tree| {
                tree.nodes.iter().all(|n| match n {
                    RawNode::Leaf { weights, .. } => weights.iter().any(|(class, _)| *class == c),
                    RawNode::Split { .. } => true,
                })
            });
            if !scored {
                return Err(FormatError::unsupported(format!(
                    "{node}: class {c} may receive no weight and there are no base values \
                     (onnxruntime would leave it out of the comparison)"
                )));
            }
        }
        Ok(())
    }
}

/// The parallel `nodes_*` arrays, one entry per node (checked).
struct Nodes<'a> {
    tree: &'a [i64],
    id: &'a [i64],
    feature: &'a [i64],
    mode: Vec<Mode>,
    threshold: Vec<f64>,
    true_id: &'a [i64],
    false_id: &'a [i64],
}

/// A tree: its id and the range of its nodes in the arrays.
type Group = (i64, usize, usize);
/// Node positions by `(tree id, node id)`.
type NodeIndex = HashMap<(i64, i64), usize>;

impl<'a> Nodes<'a> {
    fn read(
        attributes: &Attributes<'a>,
        context: &Context<'_>,
        node: &str,
    ) -> Result<Self, FormatError> {
        let malformed = |msg: String| FormatError::malformed(format!("{node}: {msg}"));
        let id = attributes.ints("nodes_nodeids")?;
        let tree = attributes.ints("nodes_treeids")?;
        let feature = attributes.ints("nodes_featureids")?;
        let modes = attributes.strings("nodes_modes")?;
        let true_id = attributes.ints("nodes_truenodeids")?;
        let false_id = attributes.ints("nodes_falsenodeids")?;
        let (stored, threshold) = floats_or_tensor(attributes, "nodes_values")?;
        check_tensor_type(attributes, context, "nodes_values_as_tensor", stored)?;

        let n = id.len();
        if n == 0 {
            return Err(malformed("the ensemble has no nodes".into()));
        }
        if n > MAX_NODES {
            return Err(FormatError::unsupported(format!(
                "{node} has {n} nodes (at most {MAX_NODES})"
            )));
        }
        let lengths = [
            ("nodes_treeids", tree.len()),
            ("nodes_featureids", feature.len()),
            ("nodes_modes", modes.len()),
            ("nodes_values", threshold.len()),
            ("nodes_truenodeids", true_id.len()),
            ("nodes_falsenodeids", false_id.len()),
        ];
        for (name, len) in lengths {
            if len != n {
                return Err(malformed(format!(
                    "nodes_nodeids has {n} entries but {name} has {len}"
                )));
            }
        }
        let mut mode = Vec::with_capacity(n);
        for (i, text) in modes.iter().enumerate() {
            mode.push(match *text {
                "LEAF" => Mode::Leaf,
                "BRANCH_LEQ" => Mode::Leq,
                "BRANCH_LT" => Mode::Lt,
                "BRANCH_GTE" => Mode::Gte,
                "BRANCH_GT" => Mode::Gt,
                other @ ("BRANCH_EQ" | "BRANCH_NEQ") => {
                    return Err(FormatError::unsupported(format!(
                        "{node}: split mode {other} (tree {}, node {})",
                        tree[i], id[i]
                    )))
                }
                other => {
                    return Err(malformed(format!(
                        "tree {}, node {} has mode {}",
                        tree[i],
                        id[i],
                        quoted(other)
                    )))
                }
            });
        }
        Ok(Nodes {
            tree,
            id,
            feature,
            mode,
            threshold,
            true_id,
            false_id,
        })
    }

    fn len(&self) -> usize {
        self.id.len()
    }

    fn is_leaf(&self, i: usize) -> bool {
        self.mode[i] == Mode::Leaf
    }

    /// `≤`-family modes use [`SplitRule::LessOrEqual`], `<`-family ones [`SplitRule::LessThan`].
    fn rule(&self, node: &str) -> Result<SplitRule, FormatError> {
        let less_or_equal = self.mode.iter().any(|m| matches!(m, Mode::Leq | Mode::Gt));
        let less_than = self.mode.iter().any(|m| matches!(m, Mode::Lt | Mode::Gte));
        match (less_or_equal, less_than) {
            (true, true) => Err(FormatError::unsupported(format!(
                "{node} mixes BRANCH_LEQ/BRANCH_GT with BRANCH_LT/BRANCH_GTE splits"
            ))),
            (false, true) => Ok(SplitRule::LessThan),
            _ => Ok(SplitRule::LessOrEqual),
        }
    }

    /// Checks the split features and thresholds; returns the number of features (the input's,
    /// or one past the largest feature used when the input does not say).
    fn features(&self, context: &Context<'_>, node: &str) -> Result<usize, FormatError> {
        let mut max_feature = 0usize;
        for i in (0..self.len()).filter(|&i| !self.is_leaf(i)) {
            let at = |msg: String| {
                FormatError::malformed(format!(
                    "{node}: tree {}, node {} {msg}",
                    self.tree[i], self.id[i]
                ))
            };
            let f = usize::try_from(self.feature[i])
                .map_err(|_| at(format!("splits on feature {}", self.feature[i])))?;
            if let Some(declared) = context.features {
                if f >= declared {
                    return Err(at(format!("splits on feature {f} of {declared}")));
                }
            }
            if self.threshold[i].is_nan() {
                return Err(at("has a NaN threshold".into()));
            }
            max_feature = max_feature.max(f);
        }
        let features = context.features.unwrap_or(max_feature.saturating_add(1));
        context.check_features(features, "the trees")
    }

    /// Indexes the nodes by `(tree id, node id)` and splits them into trees: runs of nodes with
    /// the same tree id, which onnxruntime requires to be contiguous.
    fn trees(&self, node: &str) -> Result<(NodeIndex, Vec<Group>), FormatError> {
        let mut index = HashMap::with_capacity(self.len());
        let mut groups: Vec<Group> = Vec::new();
        let mut seen = HashSet::new();
        for i in 0..self.len() {
            let t = self.tree[i];
            match groups.last_mut() {
                Some(last) if last.0 == t => last.2 = i + 1,
                _ => {
                    if !seen.insert(t) {
                        return Err(FormatError::unsupported(format!(
                            "{node}: the nodes of tree {t} are not listed together"
                        )));
                    }
                    groups.push((t, i, i + 1));
                }
            }
            if index.insert((t, self.id[i]), i).is_some() {
                return Err(FormatError::malformed(format!(
                    "{node}: tree {t}, node {} is defined twice",
                    self.id[i]
                )));
            }
        }
        if groups.len() > MAX_TREES {
            return Err(FormatError::unsupported(format!(
                "{node} has {} trees (at most {MAX_TREES})",
                groups.len()
            )));
        }
        Ok((index, groups))
    }
}

/// The `{prefix}_*` weights, gathered per leaf.
struct Weights {
    /// `(output, weight)` pairs of each node (empty for branch nodes).
    per_node: Vec<Vec<(usize, f64)>>,
    class_ids: BTreeSet<usize>,
    non_negative: bool,
}

impl Weights {
    fn read(
        attributes: &Attributes<'_>,
        context: &Context<'_>,
        prefix: &str,
        outputs: usize,
        nodes: &Nodes<'_>,
        index: &NodeIndex,
        node: &str,
    ) -> Result<Weights, FormatError> {
        let malformed = |msg: String| FormatError::malformed(format!("{node}: {msg}"));
        let trees = attributes.ints(&format!("{prefix}_treeids"))?;
        let ids = attributes.ints(&format!("{prefix}_nodeids"))?;
        let outputs_of = attributes.ints(&format!("{prefix}_ids"))?;
        let name = format!("{prefix}_weights");
        let (stored, values) = floats_or_tensor(attributes, &name)?;
        check_tensor_type(attributes, context, &format!("{name}_as_tensor"), stored)?;
        let m = outputs_of.len();
        for (name, len) in [
            ("treeids", trees.len()),
            ("nodeids", ids.len()),
            ("weights", values.len()),
        ] {
            if len != m {
                return Err(malformed(format!(
                    "{prefix}_ids has {m} entries but {prefix}_{name} has {len}"
                )));
            }
        }
        let mut per_node = vec![Vec::new(); nodes.len()];
        let mut class_ids = BTreeSet::new();
        let mut non_negative = true;
        for j in 0..m {
            let (t, id) = (trees[j], ids[j]);
            let output = usize::try_from(outputs_of[j])
                .ok()
                .filter(|&c| c < outputs)
                .ok_or_else(|| {
                    malformed(format!(
                        "the weight for tree {t}, node {id} goes to output {} of {outputs}",
                        outputs_of[j]
                    ))
                })?;
            let &i = index.get(&(t, id)).ok_or_else(|| {
                malformed(format!(
                    "a weight refers to tree {t}, node {id}, which does not exist"
                ))
            })?;
            class_ids.insert(output);
            if values[j] < 0.0 {
                non_negative = false;
            }
            // onnxruntime ignores weights on branch nodes.
            if nodes.is_leaf(i) {
                per_node[i].push((output, values[j]));
            }
        }
        Ok(Weights {
            per_node,
            class_ids,
            non_negative,
        })
    }
}

/// Rebuilds trees from the node arrays.
struct TreeBuilder<'a> {
    nodes: &'a Nodes<'a>,
    index: &'a NodeIndex,
    /// Position of each node in its rebuilt tree (`usize::MAX` until reached).
    local: Vec<usize>,
    node: &'a str,
}

impl TreeBuilder<'_> {
    /// The tree `(t, start, end)`, root first, numbered breadth-first. The leaves take their
    /// weights out of `weights`.
    fn build(
        &mut self,
        (t, start, end): Group,
        weights: &mut [Vec<(usize, f64)>],
    ) -> Result<RawTree, FormatError> {
        let nodes = self.nodes;
        let root = self.root(t, start, end)?;
        let bad = |msg: String| FormatError::malformed(format!("{}: tree {t}: {msg}", self.node));

        // A node reached twice means a shared child or a cycle.
        let mut order = vec![root];
        self.local[root] = 0;
        let mut queue = VecDeque::from([root]);
        while let Some(i) = queue.pop_front() {
            if nodes.is_leaf(i) {
                continue;
            }
            for id in [nodes.true_id[i], nodes.false_id[i]] {
                let c = self.child(t, i, id)?;
                if self.local[c] != usize::MAX {
                    return Err(bad(format!(
                        "node {} is reached twice (a cycle or a shared child)",
                        nodes.id[c]
                    )));
                }
                self.local[c] = order.len();
                order.push(c);
                queue.push_back(c);
            }
        }
        if let Some(lost) = (start..end).find(|&i| self.local[i] == usize::MAX) {
            return Err(bad(format!(
                "node {} cannot be reached from the root (a cycle)",
                nodes.id[lost]
            )));
        }
        if root != start {
            return Err(FormatError::unsupported(format!(
                "{}: tree {t} lists node {} before its root, node {} \
                 (onnxruntime starts at the first node)",
                self.node, nodes.id[start], nodes.id[root]
            )));
        }

        let mut built = Vec::with_capacity(order.len());
        for &i in &order {
            built.push(if nodes.is_leaf(i) {
                let weights = std::mem::take(&mut weights[i]);
                if weights.is_empty() {
                    return Err(bad(format!("leaf {} has no weight", nodes.id[i])));
                }
                RawNode::Leaf {
                    id: nodes.id[i],
                    weights,
                }
            } else {
                let yes = self.local[self.child(t, i, nodes.true_id[i])?];
                let no = self.local[self.child(t, i, nodes.false_id[i])?];
                // `x > t` is "not x ≤ t" and `x ≥ t` is "not x < t": left is the false branch.
                let (left, right) = match nodes.mode[i] {
                    Mode::Gt | Mode::Gte => (no, yes),
                    _ => (yes, no),
                };
                RawNode::Split {
                    // Checked by `Nodes::features`.
                    feature: usize::try_from(nodes.feature[i]).unwrap_or(usize::MAX),
                    threshold: nodes.threshold[i],
                    left,
                    right,
                }
            });
        }
        Ok(RawTree {
            id: t,
            nodes: built,
        })
    }

    /// The node of tree `t` that node `i` points to with `id`.
    fn child(&self, t: i64, i: usize, id: i64) -> Result<usize, FormatError> {
        let from = self.nodes.id[i];
        match self.index.get(&(t, id)) {
            Some(&c) if c == i => Err(FormatError::malformed(format!(
                "{}: tree {t}: node {from} points to itself",
                self.node
            ))),
            Some(&c) => Ok(c),
            None => Err(FormatError::malformed(format!(
                "{}: tree {t}: node {from} points to node {id}, which does not exist",
                self.node
            ))),
        }
    }

    /// The one node of the tree that no other node points to.
    fn root(&self, t: i64, start: usize, end: usize) -> Result<usize, FormatError> {
        let mut referenced = vec![false; end - start];
        for i in (start..end).filter(|&i| !self.nodes.is_leaf(i)) {
            for id in [self.nodes.true_id[i], self.nodes.false_id[i]] {
                // Children are in the same tree, hence in `start..end`.
                if let Some(r) = referenced.get_mut(self.child(t, i, id)? - start) {
                    *r = true;
                }
            }
        }
        let roots: Vec<usize> = (start..end).filter(|&i| !referenced[i - start]).collect();
        match roots.as_slice() {
            [root] => Ok(*root),
            [] => Err(FormatError::malformed(format!(
                "{}: tree {t}: every node has a parent (a cycle)",
                self.node
            ))),
            _ => Err(FormatError::malformed(format!(
                "{}: tree {t}: {} nodes have no parent ({})",
                self.node,
                roots.len(),
                roots
                    .iter()
                    .take(5)
                    .map(|&i| self.nodes.id[i].to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
