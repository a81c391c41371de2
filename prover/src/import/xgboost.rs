//! XGBoost JSON models (`Booster.save_model("m.json")`).
//!
//! XGBoost reads inputs as float32 and goes left iff `x < split_condition`; leaves store their
//! value (learning rate applied) in `split_conditions`. The prediction sums every tree, as
//! `Booster.predict` does by default (an early-stopping `best_iteration` is not applied).

use serde_json::Value;

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::placeholder_name;
use crate::model::{Link, Precision, Task};
use crate::source::{SourceBody, SourceModel, SourceNode, SourceTree};

/// Refuse absurd sizes before allocating for them.
const MAX_TREES: usize = 10_000;
const MAX_NODES: usize = 1 << 20;
const MAX_CLASSES: usize = 256;
const MAX_FEATURES: usize = 1 << 16;

pub fn read(json: &Value) -> Result<SourceModel, FormatError> {
    let learner = field(json, "learner")?;
    let params = field(learner, "learner_model_param")?;
    let num_features = count_param(params, "num_feature", MAX_FEATURES)?;
    if num_features == 0 {
        return Err(FormatError::malformed("num_feature is 0"));
    }
    if let Some(targets) = params.get("num_target") {
        if number_text(targets)? != 1.0 {
            return Err(FormatError::unsupported(
                "multi-target models (num_target > 1)",
            ));
        }
    }
    let num_class = count_param(params, "num_class", MAX_CLASSES)?;
    let base_scores = base_scores(field(params, "base_score")?)?;

    let objective = text(field(field(learner, "objective")?, "name")?)?;
    let (task, link, classes) = match objective {
        "binary:logistic" | "binary:logitraw" => (Task::Binary, Link::Logistic, 2),
        "multi:softprob" | "multi:softmax" if num_class >= 2 => {
            (Task::Multiclass, Link::Softmax, num_class)
        }
        "reg:squarederror" | "reg:absoluteerror" | "reg:pseudohubererror" => {
            (Task::Regression, Link::Identity, 0)
        }
        other => return Err(FormatError::unsupported(format!("objective {other:?}"))),
    };
    let scores = if task == Task::Multiclass { classes } else { 1 };
    let base = base_margins(objective, &base_scores, scores)?;

    let booster = field(learner, "gradient_booster")?;
    let booster_name = text(field(booster, "name")?)?;
    if booster_name != "gbtree" {
        return Err(FormatError::unsupported(format!(
            "booster {booster_name:?}"
        )));
    }
    let model = field(booster, "model")?;
    let trees = array(field(model, "trees")?, "trees")?;
    if trees.len() > MAX_TREES {
        return Err(FormatError::malformed(format!(
            "more than {MAX_TREES} trees"
        )));
    }
    let tree_info = array(field(model, "tree_info")?, "tree_info")?;
    if tree_info.len() != trees.len() {
        return Err(FormatError::malformed(
            "tree_info and trees differ in length",
        ));
    }
    let mut total_nodes = 0;
    let mut source_trees = Vec::with_capacity(trees.len());
    for (t, (tree, info)) in trees.iter().zip(tree_info).enumerate() {
        let class = index(info, "tree_info")?;
        if class >= scores {
            return Err(FormatError::malformed(format!(
                "tree {t} belongs to class {class} of {scores}"
            )));
        }
        let source_tree = read_tree(t, tree, num_features, class)?;
        total_nodes += source_tree.nodes.len();
        if total_nodes > MAX_NODES {
            return Err(FormatError::malformed(format!(
                "more than {MAX_NODES} nodes"
            )));
        }
        source_trees.push(source_tree);
    }

    Ok(SourceModel {
        source: format!("xgboost {} {objective}", version(json)),
        feature_names: feature_names(learner, num_features)?,
        precision: Precision::F32,
        task,
        classes: (0..classes).map(|c| c.to_string()).collect(),
        link,
        body: SourceBody::Trees {
            rule: SplitRule::LessThan,
            base,
            trees: source_trees,
        },
    })
}

/// The starting margin of each score, as XGBoost computes it from `base_score`.
fn base_margins(
    objective: &str,
    base_scores: &[f32],
    scores: usize,
) -> Result<Vec<f64>, FormatError> {
    let per_score: Vec<f32> = match base_scores.len() {
        1 => vec![base_scores[0]; scores],
        n if n == scores => base_scores.to_vec(),
        n => {
            return Err(FormatError::malformed(format!(
                "{n} base scores for {scores} outputs"
            )))
        }
    };
    if objective == "binary:logistic" {
        // base_score is a probability: XGBoost turns it into a margin in float32.
        let p = per_score[0];
        if !(p > 0.0 && p < 1.0) {
            return Err(FormatError::malformed(format!(
                "base_score {p} is not a probability"
            )));
        }
        return Ok(vec![f64::from(-(1.0f32 / p - 1.0).ln())]);
    }
    Ok(per_score.into_iter().map(f64::from).collect())
}

fn read_tree(
    index_in_model: usize,
    tree: &Value,
    num_features: usize,
    class: usize,
) -> Result<SourceTree, FormatError> {
    let at = |msg: String| FormatError::malformed(format!("tree {index_in_model}: {msg}"));
    let left = int_array(tree, "left_children")?;
    let right = int_array(tree, "right_children")?;
    let features = int_array(tree, "split_indices")?;
    let conditions = float32_array(tree, "split_conditions")?;
    let n = left.len();
    if n == 0 || n > MAX_NODES {
        return Err(at(format!("{n} nodes")));
    }
    if right.len() != n || features.len() != n || conditions.len() != n {
        return Err(at("node arrays differ in length".into()));
    }
    if let Some(types) = tree.get("split_type") {
        let types = int_array_value(types, "split_type")?;
        if let Some(node) = types.iter().position(|&t| t != 0) {
            return Err(FormatError::unsupported(format!(
                "categorical split in tree {index_in_model}, node {node}"
            )));
        }
    }
    if let Some(param) = tree.get("tree_param") {
        if let Some(size) = param.get("size_leaf_vector") {
            if number_text(size)? > 1.0 {
                return Err(FormatError::unsupported(format!(
                    "multi-target tree {index_in_model} (size_leaf_vector > 1)"
                )));
            }
        }
    }
    // Rebuild from the root so that deleted (unreachable) nodes drop out.
    let mut nodes = Vec::new();
    let mut new_index = vec![usize::MAX; n];
    let mut pending = vec![0usize];
    new_index[0] = 0;
    nodes.push(SourceNode::Leaf { value: Vec::new() });
    while let Some(old) = pending.pop() {
        let node = if left[old] == -1 {
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
                .ok_or_else(|| at(format!("node {old} splits on feature {}", features[old])))?;
            SourceNode::Split {
                feature,
                threshold: f64::from(conditions[old]),
                left: l,
                right: r,
            }
        };
        nodes[new_index[old]] = node;
    }
    Ok(SourceTree {
        target: Some(class),
        nodes,
    })
}

fn feature_names(learner: &Value, count: usize) -> Result<Vec<String>, FormatError> {
    match learner.get("feature_names").and_then(Value::as_array) {
        Some(names) if !names.is_empty() => {
            if names.len() != count {
                return Err(FormatError::malformed(format!(
                    "{} feature names for {count} features",
                    names.len()
                )));
            }
            names.iter().map(|n| text(n).map(str::to_string)).collect()
        }
        _ => Ok((0..count).map(placeholder_name).collect()),
    }
}

fn version(json: &Value) -> String {
    json.get("version")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|p| p.as_u64().map_or("?".into(), |v| v.to_string()))
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_else(|| "(unknown version)".into())
}

/// `base_score` is written as `"5E-1"` or, since XGBoost 3, as `"[6.2676054E-1,…]"`.
fn base_scores(value: &Value) -> Result<Vec<f32>, FormatError> {
    let raw = match value {
        Value::String(s) => s
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        Value::Number(n) => n.to_string(),
        _ => return Err(FormatError::malformed("base_score is not a number")),
    };
    raw.split(',')
        .map(|part| {
            part.trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    FormatError::malformed(format!("base_score {raw:?} is not a number"))
                })
        })
        .collect()
}

fn field<'v>(value: &'v Value, key: &str) -> Result<&'v Value, FormatError> {
    value
        .get(key)
        .ok_or_else(|| FormatError::malformed(format!("missing {key:?}")))
}

fn text(value: &Value) -> Result<&str, FormatError> {
    value
        .as_str()
        .ok_or_else(|| FormatError::malformed(format!("expected a string, found {value}")))
}

fn array<'v>(value: &'v Value, what: &str) -> Result<&'v Vec<Value>, FormatError> {
    value
        .as_array()
        .ok_or_else(|| FormatError::malformed(format!("{what} is not an array")))
}

/// A number that XGBoost may write as a JSON number or as a string.
fn number_text(value: &Value) -> Result<f64, FormatError> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| FormatError::malformed(format!("{value} is not a number")))
}

fn count_param(params: &Value, key: &str, max: usize) -> Result<usize, FormatError> {
    let value = number_text(field(params, key)?)?;
    if value < 0.0 || value.fract() != 0.0 || value > max as f64 {
        return Err(FormatError::malformed(format!(
            "{key} = {value} is out of range"
        )));
    }
    Ok(value as usize)
}

fn index(value: &Value, what: &str) -> Result<usize, FormatError> {
    value
        .as_u64()
        .map(|v| v as usize)
        .ok_or_else(|| FormatError::malformed(format!("{what} holds {value}")))
}

fn int_array(tree: &Value, key: &str) -> Result<Vec<i64>, FormatError> {
    int_array_value(field(tree, key)?, key)
}

fn int_array_value(value: &Value, key: &str) -> Result<Vec<i64>, FormatError> {
    array(value, key)?
        .iter()
        .map(|v| {
            v.as_i64()
                .ok_or_else(|| FormatError::malformed(format!("{key} holds {v}")))
        })
        .collect()
}

/// XGBoost stores float32 values; parse them as the float32 they were.
fn float32_array(tree: &Value, key: &str) -> Result<Vec<f32>, FormatError> {
    array(field(tree, key)?, key)?
        .iter()
        .map(|v| {
            v.as_f64()
                .map(|f| f as f32)
                .filter(|f| f.is_finite())
                .ok_or_else(|| FormatError::malformed(format!("{key} holds {v}")))
        })
        .collect()
}

#[cfg(test)]
#[path = "xgboost_tests.rs"]
mod tests;
