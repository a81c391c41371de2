//! XGBoost JSON models (`Booster.save_model("m.json")`).
//!
//! Layout: `learner.learner_model_param` holds `num_feature`, `num_class`, `num_target` and
//! `base_score` as strings (`"5E-1"`, or since XGBoost 3 one value per output as
//! `"[6.2676054E-1]"`); `learner.objective.name` the objective; `learner.gradient_booster`
//! the booster (`name` and, for `gbtree`, `model.trees` with `model.tree_info` giving each
//! tree's output). A tree is a set of parallel arrays indexed by node: `left_children`,
//! `right_children` (−1 for a leaf), `split_indices`, `split_conditions` (a leaf's value,
//! learning rate applied, for a leaf), `split_type` (1 = categorical), `default_left`.
//!
//! Semantics mirrored: XGBoost converts inputs to float32 and goes left iff
//! `x < split_condition` in float32; the margin of output `c` is its base margin plus the
//! leaves of the trees whose `tree_info` is `c`. The base margin is `base_score` passed
//! through the objective's inverse link (see [`base_margins`]).
//!
//! Missing values: XGBoost reads NaN as missing (its `missing` parameter's default), and a
//! split sends it left iff its `default_left` is 1, so every feature gets
//! [`MissingRule::Nan`]. A file whose trees do not all record `default_left` imports without
//! missing values (a version 1 model, which refuses NaN).
//!
//! Categorical splits (`enable_categorical`): a node of `split_type` 1 lists its categories in
//! `categories[categories_segments[k]..][..categories_sizes[k]]` for `k` its index in
//! `categories_nodes`. XGBoost sends a category of that set RIGHT, and everything else left:
//! another category, one past every split's, and a value that is no category (negative, or
//! `≥ 2^24`, after the rounding to float32) ([`CategoryRead::NonNegative`]); a missing value
//! takes the default branch. A feature split both ways is refused.
//!
//! Early stopping: a model trained with it records `best_iteration` (counted from 0) in
//! `learner.attributes`, and keeps the trees of the rounds after it. The scikit-learn wrapper's
//! `predict` and `predict_proba` stop at `best_iteration` (`Booster.predict` sums every tree
//! unless given an `iteration_range`); so does the import, unless told how many iterations to
//! keep. An iteration's trees are `model.iteration_indptr[i]..[i + 1]` (XGBoost ≥ 2), or, in
//! older files, `num_parallel_tree` trees per output.

use serde_json::Value;

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::{categorical_features, kept_iterations, placeholder_name};
use crate::model::{CategoryRead, Link, MissingRule, Precision, Task, MAX_CATEGORIES};
use crate::source::{SourceBody, SourceMissing, SourceModel, SourceNode, SourceTree};

// Refuse absurd sizes before allocating for them.
use crate::limits::{
    MAX_NODES, MAX_SCORES as MAX_CLASSES, MAX_SOURCE_FEATURES as MAX_FEATURES, MAX_TREES,
};

/// `kRtEps` of XGBoost ≥ 3.2, which clamps a logistic `base_score` into `[ε, 1 − ε]`.
const LOGISTIC_EPS: f32 = 1e-6;

/// How `base_score` becomes a base margin (the objective's `ProbToMargin`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum BaseLink {
    Identity,
    Logit,
}

/// The model of an XGBoost JSON file, with the iterations its scikit-learn wrapper predicts
/// with ([`read_with`]).
pub fn read(json: &Value) -> Result<SourceModel, FormatError> {
    read_with(json, None)
}

/// The model of an XGBoost JSON file, keeping its first `iterations` boosting iterations when
/// given, else those up to its early-stopping `best_iteration` when it records one, else all.
pub fn read_with(json: &Value, iterations: Option<usize>) -> Result<SourceModel, FormatError> {
    let learner = field(json, "learner", "the file")?;
    refuse_missing_other_than_nan(learner)?;
    let version = version(json);
    let params = field(learner, "learner_model_param", "learner")?;
    let num_features = count_param(params, "num_feature", MAX_FEATURES)?;
    if num_features == 0 {
        return Err(FormatError::malformed("num_feature is 0"));
    }
    if let Some(targets) = params.get("num_target") {
        let targets = number_text(targets, "num_target")?;
        if targets > 1.0 {
            return Err(FormatError::unsupported(format!(
                "multi-target models (num_target = {targets})"
            )));
        }
    }

    let objective = text(
        field(field(learner, "objective", "learner")?, "name", "objective")?,
        "objective name",
    )?;
    let (task, link, base_link) = match objective {
        "binary:logistic" => (Task::Binary, Link::Logistic, BaseLink::Logit),
        // The margin is the prediction; XGBoost < 1.4 took base_score as a probability.
        "binary:logitraw" if version.is_some_and(|v| v < [1, 4, 0]) => {
            (Task::Binary, Link::None, BaseLink::Logit)
        }
        "binary:logitraw" => (Task::Binary, Link::None, BaseLink::Identity),
        "multi:softprob" | "multi:softmax" => (Task::Multiclass, Link::Softmax, BaseLink::Identity),
        "reg:squarederror" | "reg:absoluteerror" | "reg:pseudohubererror" => {
            (Task::Regression, Link::Identity, BaseLink::Identity)
        }
        other => return Err(FormatError::unsupported(format!("objective {other:?}"))),
    };
    let classes = match task {
        Task::Binary => 2,
        Task::Regression => 0,
        Task::Multiclass => {
            let num_class = count_param(params, "num_class", MAX_CLASSES)?;
            if num_class < 2 {
                return Err(FormatError::malformed(format!(
                    "num_class = {num_class} for objective {objective:?}"
                )));
            }
            num_class
        }
    };
    let scores = if task == Task::Multiclass { classes } else { 1 };
    let base_scores = base_scores(field(params, "base_score", "learner_model_param")?)?;
    let base = base_margins(base_link, &base_scores, scores)?;

    let booster = field(learner, "gradient_booster", "learner")?;
    let booster_name = text(field(booster, "name", "gradient_booster")?, "booster name")?;
    if booster_name != "gbtree" {
        return Err(FormatError::unsupported(format!(
            "booster {booster_name:?}"
        )));
    }
    let model = field(booster, "model", "gradient_booster")?;
    let trees = array(field(model, "trees", "model")?, "trees")?;
    if trees.len() > MAX_TREES {
        return Err(FormatError::unsupported(format!(
            "{} trees (at most {MAX_TREES})",
            trees.len()
        )));
    }
    if let Some(declared) = model
        .get("gbtree_model_param")
        .and_then(|p| p.get("num_trees"))
    {
        let declared = number_text(declared, "num_trees")?;
        if declared != trees.len() as f64 {
            return Err(FormatError::malformed(format!(
                "num_trees = {declared} but {} trees",
                trees.len()
            )));
        }
    }
    let tree_info = array(field(model, "tree_info", "model")?, "tree_info")?;
    if tree_info.len() != trees.len() {
        return Err(FormatError::malformed(format!(
            "tree_info has {} entries for {} trees",
            tree_info.len(),
            trees.len()
        )));
    }
    // Iterations matter only when some are left out.
    let best = best_iteration(learner)?;
    let (end, note) = match (iterations, best) {
        (None, None) => (trees.len(), String::new()),
        _ => {
            let bounds = iteration_bounds(model, trees.len(), scores)?;
            let (kept, note) = kept_iterations(bounds.len() - 1, iterations, best)?;
            (bounds[kept], note)
        }
    };
    let (trees, tree_info) = (&trees[..end], &tree_info[..end]);
    let mut total_nodes = 0;
    let mut source_trees = Vec::with_capacity(trees.len());
    let mut default_left = Vec::with_capacity(trees.len());
    for (t, (tree, info)) in trees.iter().zip(tree_info).enumerate() {
        let class = info
            .as_u64()
            .and_then(|c| usize::try_from(c).ok())
            .filter(|&c| c < scores)
            .ok_or_else(|| {
                FormatError::malformed(format!(
                    "tree_info[{t}] = {info}: not an output of the {scores}"
                ))
            })?;
        let (source_tree, defaults) =
            read_tree(t, tree, num_features, class, MAX_NODES - total_nodes)?;
        total_nodes += source_tree.nodes.len();
        source_trees.push(source_tree);
        default_left.push(defaults);
    }
    let categorical = categorical_features(&source_trees, num_features, CategoryRead::NonNegative)?;
    let missing = default_left
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|default_left| SourceMissing {
            rules: vec![MissingRule::Nan; num_features],
            default_left,
        });

    let version_text = version.map_or_else(
        || "(unknown version)".to_string(),
        |[a, b, c]| format!("{a}.{b}.{c}"),
    );
    Ok(SourceModel {
        labels: None,
        source: format!("xgboost {version_text} {objective}{note}"),
        feature_names: feature_names(learner, num_features)?,
        precision: Precision::F32,
        task,
        classes: (0..classes).map(|c| c.to_string()).collect(),
        link,
        body: SourceBody::Trees {
            rule: SplitRule::LessThan,
            base,
            trees: source_trees,
            missing,
            categorical,
            known: None,
        },
    })
}

/// Where each boosting iteration's trees start, and the end of the last: `iteration_indptr`
/// when the file has it (XGBoost ≥ 2), else `num_parallel_tree` trees per output.
fn iteration_bounds(model: &Value, trees: usize, scores: usize) -> Result<Vec<usize>, FormatError> {
    if let Some(indptr) = model.get("iteration_indptr") {
        let bounds: Vec<usize> = (array(indptr, "iteration_indptr")?.iter())
            .map(|b| b.as_u64().and_then(|b| usize::try_from(b).ok()))
            .collect::<Option<_>>()
            .ok_or_else(|| FormatError::malformed("iteration_indptr holds a non-count"))?;
        let increasing = bounds.windows(2).all(|w| w[0] < w[1]);
        if bounds.first() != Some(&0) || bounds.last() != Some(&trees) || !increasing {
            return Err(FormatError::malformed(format!(
                "iteration_indptr does not split the {trees} trees into iterations"
            )));
        }
        return Ok(bounds);
    }
    let parallel = (model.get("gbtree_model_param"))
        .and_then(|p| p.get("num_parallel_tree"))
        .ok_or_else(|| {
            FormatError::malformed("no iteration_indptr or num_parallel_tree to tell iterations by")
        })?;
    let parallel = count_param_value(parallel, "num_parallel_tree", MAX_TREES)?;
    if parallel == 0 {
        return Err(FormatError::malformed("num_parallel_tree = 0"));
    }
    let per_iteration = parallel * scores;
    if trees == 0 || !trees.is_multiple_of(per_iteration) {
        return Err(FormatError::malformed(format!(
            "{trees} trees is not a whole number of iterations of {per_iteration} trees"
        )));
    }
    Ok((0..=trees / per_iteration)
        .map(|i| i * per_iteration)
        .collect())
}

/// The early-stopping `best_iteration` the file records in `learner.attributes`, if any.
fn best_iteration(learner: &Value) -> Result<Option<usize>, FormatError> {
    let Some(best) = learner
        .get("attributes")
        .and_then(|a| a.get("best_iteration"))
    else {
        return Ok(None);
    };
    let count = count_param_value(best, "best_iteration", MAX_TREES)?;
    Ok(Some(count))
}

/// The category sets of a tree's categorical nodes, by node index.
fn category_sets(
    tree: &Value,
    t: usize,
    n: usize,
) -> Result<std::collections::HashMap<usize, Vec<u32>>, FormatError> {
    let at = |msg: String| FormatError::malformed(format!("tree {t}: {msg}"));
    let mut sets = std::collections::HashMap::new();
    let Some(nodes) = tree.get("categories_nodes") else {
        return Ok(sets);
    };
    let nodes = int_array_value(nodes, "categories_nodes", t)?;
    if nodes.is_empty() {
        return Ok(sets);
    }
    let segments = int_array(tree, "categories_segments", t)?;
    let sizes = int_array(tree, "categories_sizes", t)?;
    let categories = int_array(tree, "categories", t)?;
    if segments.len() != nodes.len() || sizes.len() != nodes.len() {
        return Err(at(
            "categories_nodes, _segments and _sizes differ in length".into(),
        ));
    }
    for ((&node, &start), &size) in nodes.iter().zip(&segments).zip(&sizes) {
        let node = usize::try_from(node)
            .ok()
            .filter(|&node| node < n)
            .ok_or_else(|| at(format!("categories_nodes names node {node}")))?;
        let range = usize::try_from(start)
            .ok()
            .zip(usize::try_from(size).ok())
            .and_then(|(start, size)| categories.get(start..start.checked_add(size)?))
            .ok_or_else(|| at(format!("node {node}'s categories are outside the list")))?;
        let mut set = Vec::with_capacity(range.len());
        for &category in range {
            match u32::try_from(category) {
                Ok(c) if c < MAX_CATEGORIES => set.push(c),
                _ => {
                    return Err(FormatError::unsupported(format!(
                        "tree {t}, node {node}: category {category} (at most {} categories)",
                        MAX_CATEGORIES
                    )))
                }
            }
        }
        set.sort_unstable();
        set.dedup();
        if sets.insert(node, set).is_some() {
            return Err(at(format!("node {node}'s categories appear twice")));
        }
    }
    Ok(sets)
}

/// The scikit-learn wrapper records its parameters in `learner.attributes.scikit_learn`, a
/// JSON text written by Python (`NaN` unquoted). A `missing` other than NaN (say 0) makes
/// `predict` read that value as missing too, which the model would not: refused.
fn refuse_missing_other_than_nan(learner: &Value) -> Result<(), FormatError> {
    let Some(text) = (learner.get("attributes"))
        .and_then(|a| a.get("scikit_learn"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let Some(at) = text.find("\"missing\"") else {
        return Ok(());
    };
    let value = text[at + "\"missing\"".len()..]
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    let token: String = value
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | ' '))
        .collect();
    match token.as_str() {
        "NaN" | "null" => Ok(()),
        other => Err(FormatError::unsupported(format!(
            "XGBoost's missing = {other} (only NaN is read as missing; save the model trained \
             with the default missing=NaN)"
        ))),
    }
}

/// The starting margin of each output, as XGBoost computes it from `base_score`: a single
/// value is broadcast to every output; `binary:logistic` takes it as a probability and
/// applies `Logit(p) = -logf(1.0f / p - 1.0f)` in float32 after clamping `p` into
/// `[1e-6, 1 − 1e-6]` (XGBoost ≥ 3.2; earlier versions refuse `p ∉ (0, 1)`, where the clamp
/// does nothing). The margin stays a float32. Every other supported objective uses
/// `base_score` as the margin (for `multi:softprob` XGBoost ≥ 3.1 stores centred
/// log-proportions, already margins).
fn base_margins(
    link: BaseLink,
    base_scores: &[f32],
    scores: usize,
) -> Result<Vec<f64>, FormatError> {
    let per_score: Vec<f32> = match base_scores {
        [one] => vec![*one; scores],
        many if many.len() == scores => many.to_vec(),
        many => {
            return Err(FormatError::malformed(format!(
                "{} base scores for {scores} outputs",
                many.len()
            )))
        }
    };
    per_score
        .into_iter()
        .map(|b| match link {
            BaseLink::Identity => Ok(f64::from(b)),
            BaseLink::Logit => {
                if !(0.0..=1.0).contains(&b) {
                    return Err(FormatError::malformed(format!(
                        "base_score {b} is not a probability"
                    )));
                }
                Ok(f64::from(logit_f32(b)))
            }
        })
        .collect()
}

/// XGBoost's float32 `Logit`. Clamping, the division and the subtraction are exact IEEE
/// float32 operations; `logf` is taken as the correctly rounded float32 logarithm (the float64
/// logarithm rounded to float32) rather than this platform's `logf`, so that the imported
/// model does not depend on the C library it is imported on.
fn logit_f32(p: f32) -> f32 {
    let p = p.clamp(LOGISTIC_EPS, 1.0 - LOGISTIC_EPS);
    let odds_inverse = 1.0f32 / p - 1.0f32;
    -(f64::from(odds_inverse).ln() as f32)
}

/// One tree, renumbered from the root so that deleted (unreachable) nodes drop out: a split's
/// children get consecutive indices when it is visited. With it, each new node's default
/// branch, if the tree records them.
fn read_tree(
    t: usize,
    tree: &Value,
    num_features: usize,
    class: usize,
    nodes_left: usize,
) -> Result<(SourceTree, Option<Vec<bool>>), FormatError> {
    let at = |msg: String| FormatError::malformed(format!("tree {t}: {msg}"));
    let left = int_array(tree, "left_children", t)?;
    let right = int_array(tree, "right_children", t)?;
    let features = int_array(tree, "split_indices", t)?;
    let conditions = float32_array(tree, "split_conditions", t)?;
    let n = left.len();
    if n == 0 {
        return Err(at("no nodes".into()));
    }
    if n > nodes_left {
        return Err(FormatError::unsupported(format!(
            "more than {MAX_NODES} nodes in all (tree {t} has {n})"
        )));
    }
    for (key, len) in [
        ("right_children", right.len()),
        ("split_indices", features.len()),
        ("split_conditions", conditions.len()),
    ] {
        if len != n {
            return Err(at(format!(
                "{key} has {len} entries but left_children has {n}"
            )));
        }
    }
    if let Some(param) = tree.get("tree_param") {
        if let Some(size) = param.get("size_leaf_vector") {
            if number_text(size, "size_leaf_vector")? > 1.0 {
                return Err(FormatError::unsupported(format!(
                    "multi-target tree {t} (size_leaf_vector = {size})"
                )));
            }
        }
        if let Some(declared) = param.get("num_nodes") {
            if number_text(declared, "num_nodes")? != n as f64 {
                return Err(at(format!("num_nodes = {declared} but {n} nodes")));
            }
        }
    }
    let types = match tree.get("split_type") {
        Some(types) => int_array_value(types, "split_type", t)?,
        None => vec![0; n],
    };
    if types.len() != n {
        return Err(at(format!(
            "split_type has {} entries but left_children has {n}",
            types.len()
        )));
    }
    if let Some(node) = types.iter().position(|&k| k != 0 && k != 1) {
        return Err(at(format!("node {node} has split_type {}", types[node])));
    }
    let mut sets = category_sets(tree, t, n)?;

    let recorded = tree
        .get("default_left")
        .map(|v| flag_array(v, "default_left", t))
        .transpose()?;
    if let Some(len) = recorded.as_ref().map(Vec::len).filter(|&len| len != n) {
        return Err(at(format!(
            "default_left has {len} entries but left_children has {n}"
        )));
    }
    let mut defaults = Vec::with_capacity(n);
    let mut nodes = vec![SourceNode::Leaf { value: Vec::new() }];
    let mut new_index = vec![usize::MAX; n];
    new_index[0] = 0;
    let mut pending = vec![0usize];
    while let Some(old) = pending.pop() {
        let node = if left[old] == -1 {
            if right[old] != -1 {
                return Err(at(format!(
                    "node {old} has only a right child ({})",
                    right[old]
                )));
            }
            SourceNode::Leaf {
                value: vec![f64::from(conditions[old])],
            }
        } else {
            let mut child = |c: i64| -> Result<usize, FormatError> {
                let c = usize::try_from(c)
                    .ok()
                    .filter(|&c| c < n && c != 0)
                    .ok_or_else(|| at(format!("node {old} has child {c}")))?;
                if new_index[c] != usize::MAX {
                    return Err(at(format!("node {c} is reached twice")));
                }
                new_index[c] = nodes.len();
                nodes.push(SourceNode::Leaf { value: Vec::new() });
                pending.push(c);
                Ok(new_index[c])
            };
            let (l, r) = (child(left[old])?, child(right[old])?);
            let feature = usize::try_from(features[old])
                .ok()
                .filter(|&f| f < num_features)
                .ok_or_else(|| {
                    at(format!(
                        "node {old} splits on feature {} of {num_features}",
                        features[old]
                    ))
                })?;
            match types[old] {
                0 => SourceNode::Split {
                    feature,
                    threshold: f64::from(conditions[old]),
                    left: l,
                    right: r,
                },
                _ => SourceNode::CategorySplit {
                    feature,
                    set: sets
                        .remove(&old)
                        .ok_or_else(|| at(format!("categorical node {old} has no categories")))?,
                    // XGBoost sends the set right.
                    set_left: false,
                    left: l,
                    right: r,
                },
            }
        };
        nodes[new_index[old]] = node;
        defaults.push((new_index[old], recorded.as_ref().is_some_and(|d| d[old])));
    }
    let default_left = recorded.map(|_| {
        let mut by_node = vec![false; nodes.len()];
        for (node, left) in defaults {
            by_node[node] = left;
        }
        by_node
    });
    let tree = SourceTree {
        target: Some(class),
        nodes,
    };
    Ok((tree, default_left))
}

/// An array of 0/1 flags (or booleans).
fn flag_array(value: &Value, key: &str, t: usize) -> Result<Vec<bool>, FormatError> {
    let not_array = || FormatError::malformed(format!("tree {t}: {key} is not an array"));
    (value.as_array().ok_or_else(not_array)?.iter().enumerate())
        .map(|(i, v)| match v {
            Value::Bool(b) => Ok(*b),
            _ => match v.as_i64() {
                Some(0) => Ok(false),
                Some(1) => Ok(true),
                _ => Err(FormatError::malformed(format!(
                    "tree {t}: {key}[{i}] = {v} is not 0 or 1"
                ))),
            },
        })
        .collect()
}

fn feature_names(learner: &Value, count: usize) -> Result<Vec<String>, FormatError> {
    let names = match learner.get("feature_names").and_then(Value::as_array) {
        Some(names) if !names.is_empty() => names,
        _ => return Ok((0..count).map(placeholder_name).collect()),
    };
    if names.len() != count {
        return Err(FormatError::malformed(format!(
            "{} feature names for {count} features",
            names.len()
        )));
    }
    let names: Vec<String> = names
        .iter()
        .map(|n| text(n, "feature name").map(str::to_string))
        .collect::<Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(FormatError::malformed(format!(
            "feature name {twice:?} appears twice"
        )));
    }
    Ok(names)
}

/// The `version` array, e.g. `[3, 2, 0]`.
fn version(json: &Value) -> Option<[u64; 3]> {
    match json.get("version")?.as_array()?.as_slice() {
        [a, b, c] => Some([a.as_u64()?, b.as_u64()?, c.as_u64()?]),
        _ => None,
    }
}

/// `base_score` is written as `"5E-1"` or, since XGBoost 3, as `"[6.2676054E-1,…]"`.
fn base_scores(value: &Value) -> Result<Vec<f32>, FormatError> {
    let bad = || FormatError::malformed(format!("base_score {value} is not a list of numbers"));
    let raw = match value {
        Value::String(s) => {
            let s = s.trim();
            match s.strip_prefix('[') {
                Some(inner) => inner.strip_suffix(']').ok_or_else(bad)?.to_string(),
                None => s.to_string(),
            }
        }
        Value::Number(n) => n.to_string(),
        _ => return Err(bad()),
    };
    raw.split(',')
        .map(|part| {
            part.trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(bad)
        })
        .collect()
}

fn field<'v>(value: &'v Value, key: &str, parent: &str) -> Result<&'v Value, FormatError> {
    value
        .get(key)
        .ok_or_else(|| FormatError::malformed(format!("{parent} has no {key:?}")))
}

fn text<'v>(value: &'v Value, what: &str) -> Result<&'v str, FormatError> {
    value
        .as_str()
        .ok_or_else(|| FormatError::malformed(format!("{what} is {value}, not a string")))
}

fn array<'v>(value: &'v Value, what: &str) -> Result<&'v Vec<Value>, FormatError> {
    value
        .as_array()
        .ok_or_else(|| FormatError::malformed(format!("{what} is not an array")))
}

/// A number that XGBoost may write as a JSON number or as a string.
fn number_text(value: &Value, what: &str) -> Result<f64, FormatError> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|v: &f64| v.is_finite())
    .ok_or_else(|| FormatError::malformed(format!("{what} = {value} is not a number")))
}

fn count_param(params: &Value, key: &str, max: usize) -> Result<usize, FormatError> {
    count_param_value(field(params, key, "learner_model_param")?, key, max)
}

/// A count up to `max`, as a number or a numeric string.
fn count_param_value(value: &Value, key: &str, max: usize) -> Result<usize, FormatError> {
    let value = number_text(value, key)?;
    if value < 0.0 || value.fract() != 0.0 || value > max as f64 {
        return Err(FormatError::malformed(format!(
            "{key} = {value} is not a count up to {max}"
        )));
    }
    Ok(value as usize)
}

fn int_array(tree: &Value, key: &str, t: usize) -> Result<Vec<i64>, FormatError> {
    let value = tree
        .get(key)
        .ok_or_else(|| FormatError::malformed(format!("tree {t}: no {key:?}")))?;
    int_array_value(value, key, t)
}

fn int_array_value(value: &Value, key: &str, t: usize) -> Result<Vec<i64>, FormatError> {
    let not_array = || FormatError::malformed(format!("tree {t}: {key} is not an array"));
    value
        .as_array()
        .ok_or_else(not_array)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_i64().ok_or_else(|| {
                FormatError::malformed(format!("tree {t}: {key}[{i}] = {v} is not an integer"))
            })
        })
        .collect()
}

/// XGBoost writes float32 values in their shortest decimal form. Serde has parsed that
/// decimal into the nearest float64, whose shortest form is the same decimal; reading that
/// decimal as a float32 gives back exactly the value XGBoost wrote (going through the float64
/// would round twice).
fn float32_array(tree: &Value, key: &str, t: usize) -> Result<Vec<f32>, FormatError> {
    let values = tree
        .get(key)
        .ok_or_else(|| FormatError::malformed(format!("tree {t}: no {key:?}")))?
        .as_array()
        .ok_or_else(|| FormatError::malformed(format!("tree {t}: {key} is not an array")))?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_number()
                .and_then(|n| n.to_string().parse::<f32>().ok())
                .filter(|f| f.is_finite())
                .ok_or_else(|| {
                    FormatError::malformed(format!(
                        "tree {t}: {key}[{i}] = {v} is not a finite float32"
                    ))
                })
        })
        .collect()
}

/// Also shares a float evaluator and held-out CSV reader with the LightGBM tests.
#[cfg(test)]
#[path = "xgboost_tests.rs"]
pub(super) mod tests;
