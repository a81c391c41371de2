//! LightGBM text models (`Booster.save_model("m.txt")`).
//!
//! A header of `key=value` lines, then one `Tree=i` block per tree, then `end of trees` and
//! sections we ignore. LightGBM reads inputs as float64 and goes left iff `x <= threshold`;
//! child `c ≥ 0` is split `c`, child `c < 0` is leaf `!c`. The raw score is the sum of the
//! trees' leaf values (the starting score is folded into the first trees).

use std::collections::HashMap;

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::placeholder_name;
use crate::model::{Link, Precision, Task};
use crate::source::{SourceBody, SourceModel, SourceNode, SourceTree};

const MAX_TREES: usize = 10_000;
const MAX_LEAVES: usize = 1 << 17;
const MAX_CLASSES: usize = 256;
const MAX_FEATURES: usize = 1 << 16;

/// Whether text looks like a LightGBM model file: its first line is `tree`.
pub fn looks_like(text: &str) -> bool {
    text.lines().next().map(str::trim) == Some("tree")
}

pub fn read(text: &str) -> Result<SourceModel, FormatError> {
    let mut lines = text.lines().map(str::trim).enumerate().peekable();
    let mut header = HashMap::new();
    let mut average_output = false;
    while let Some((_, line)) = lines.next_if(|(_, l)| !l.starts_with("Tree=")) {
        match line.split_once('=') {
            Some((key, value)) => {
                header.insert(key, value);
            }
            None if line == "average_output" => average_output = true,
            None => {}
        }
    }
    let version = header
        .get("version")
        .copied()
        .unwrap_or("(unknown version)");
    let objective = *header
        .get("objective")
        .ok_or_else(|| FormatError::malformed("no objective line"))?;
    let num_class = header_count(&header, "num_class", MAX_CLASSES)?;
    let per_iteration = header_count(&header, "num_tree_per_iteration", MAX_CLASSES)?;
    let num_features = header_count(&header, "max_feature_idx", MAX_FEATURES - 1)? + 1;

    let mut words = objective.split_whitespace();
    let objective_name = words.next().unwrap_or_default();
    let (task, link, classes) = match objective_name {
        "binary" => {
            let sigmoid = words
                .find_map(|w| w.strip_prefix("sigmoid:"))
                .unwrap_or("1");
            if sigmoid.parse::<f64>().ok() != Some(1.0) {
                return Err(FormatError::unsupported(format!(
                    "binary objective with sigmoid:{sigmoid} (only sigmoid:1)"
                )));
            }
            (Task::Binary, Link::Logistic, 2)
        }
        "multiclass" => (Task::Multiclass, Link::Softmax, num_class),
        "multiclassova" => (Task::Multiclass, Link::OneVsRestLogistic, num_class),
        "regression" | "regression_l1" | "huber" | "fair" | "quantile" => {
            (Task::Regression, Link::Identity, 0)
        }
        other => return Err(FormatError::unsupported(format!("objective {other:?}"))),
    };
    let scores = if task == Task::Multiclass { classes } else { 1 };
    if task == Task::Multiclass && classes < 2 {
        return Err(FormatError::malformed(format!("num_class = {classes}")));
    }
    if per_iteration != scores {
        return Err(FormatError::malformed(format!(
            "num_tree_per_iteration = {per_iteration} for {scores} scores"
        )));
    }

    let mut trees = Vec::new();
    let mut complete = false;
    while let Some((number, line)) = lines.next() {
        if line == "end of trees" {
            complete = true;
            break;
        }
        let Some(id) = line.strip_prefix("Tree=") else {
            if line.is_empty() {
                continue;
            }
            return Err(FormatError::malformed(format!(
                "line {}: expected Tree= or end of trees",
                number + 1
            )));
        };
        if trees.len() == MAX_TREES {
            return Err(FormatError::malformed(format!(
                "more than {MAX_TREES} trees"
            )));
        }
        let mut block = HashMap::new();
        while let Some((_, field)) =
            lines.next_if(|(_, l)| !l.is_empty() && !l.starts_with("Tree=") && *l != "end of trees")
        {
            if let Some((key, value)) = field.split_once('=') {
                block.insert(key, value);
            }
        }
        let target = trees.len() % scores;
        trees.push(read_tree(id, &block, num_features, target)?);
    }
    // Without the end marker, a file cut short inside a number would still parse.
    if !complete {
        return Err(FormatError::malformed(
            "truncated: no \"end of trees\" line",
        ));
    }
    if trees.is_empty() {
        return Err(FormatError::malformed("no trees"));
    }
    if average_output {
        // Random-forest mode: the prediction is the mean over iterations.
        let iterations = (trees.len() / scores) as f64;
        for node in trees.iter_mut().flat_map(|t| &mut t.nodes) {
            if let SourceNode::Leaf { value } = node {
                value.iter_mut().for_each(|v| *v /= iterations);
            }
        }
    }

    let feature_names = match header.get("feature_names") {
        Some(names) => {
            let names: Vec<String> = names.split_whitespace().map(str::to_string).collect();
            if names.len() != num_features {
                return Err(FormatError::malformed(format!(
                    "{} feature names for {num_features} features",
                    names.len()
                )));
            }
            names
        }
        None => (0..num_features).map(placeholder_name).collect(),
    };
    Ok(SourceModel {
        source: format!("lightgbm {version} {objective}"),
        feature_names,
        precision: Precision::F64,
        task,
        classes: (0..classes).map(|c| c.to_string()).collect(),
        link,
        body: SourceBody::Trees {
            rule: SplitRule::LessOrEqual,
            base: vec![0.0; scores],
            trees,
        },
    })
}

fn read_tree(
    id: &str,
    block: &HashMap<&str, &str>,
    num_features: usize,
    target: usize,
) -> Result<SourceTree, FormatError> {
    let at = |msg: String| FormatError::malformed(format!("tree {id}: {msg}"));
    let get = |key: &str| {
        block
            .get(key)
            .copied()
            .ok_or_else(|| at(format!("no {key}")))
    };
    let leaves: usize = get("num_leaves")?
        .parse()
        .ok()
        .filter(|&n| (1..=MAX_LEAVES).contains(&n))
        .ok_or_else(|| at("bad num_leaves".into()))?;
    if block.get("is_linear").is_some_and(|v| *v != "0") {
        return Err(FormatError::unsupported(format!(
            "linear tree {id} (linear_tree=true)"
        )));
    }
    if block.get("num_cat").is_some_and(|v| *v != "0") {
        return Err(FormatError::unsupported(format!(
            "categorical splits in tree {id}"
        )));
    }
    let leaf_values: Vec<f64> = numbers(get("leaf_value")?, leaves, "leaf_value", &at)?;
    if leaves == 1 {
        return Ok(SourceTree {
            target: Some(target),
            nodes: vec![SourceNode::Leaf {
                value: vec![leaf_values[0]],
            }],
        });
    }
    let splits = leaves - 1;
    let features: Vec<usize> = numbers(get("split_feature")?, splits, "split_feature", &at)?;
    let thresholds: Vec<f64> = numbers(get("threshold")?, splits, "threshold", &at)?;
    let decision_types: Vec<u8> = numbers(get("decision_type")?, splits, "decision_type", &at)?;
    let left: Vec<i64> = numbers(get("left_child")?, splits, "left_child", &at)?;
    let right: Vec<i64> = numbers(get("right_child")?, splits, "right_child", &at)?;

    // Splits keep their numbers; leaf k becomes node splits + k.
    let child = |c: i64| -> Result<usize, FormatError> {
        let node = if c >= 0 {
            c as usize
        } else {
            splits + (!c) as usize
        };
        if node >= splits + leaves || node == 0 {
            return Err(at(format!("child {c} is not a node")));
        }
        Ok(node)
    };
    let mut nodes = Vec::with_capacity(splits + leaves);
    for i in 0..splits {
        if decision_types[i] & 1 != 0 {
            return Err(FormatError::unsupported(format!(
                "categorical split in tree {id}, node {i}"
            )));
        }
        if (decision_types[i] >> 2) & 3 == 1 {
            return Err(FormatError::unsupported(format!(
                "zero_as_missing split in tree {id}, node {i} (zero inputs would take the \
                 default direction)"
            )));
        }
        if features[i] >= num_features {
            return Err(at(format!("node {i} splits on feature {}", features[i])));
        }
        nodes.push(SourceNode::Split {
            feature: features[i],
            threshold: thresholds[i],
            left: child(left[i])?,
            right: child(right[i])?,
        });
    }
    nodes.extend(
        leaf_values
            .into_iter()
            .map(|v| SourceNode::Leaf { value: vec![v] }),
    );
    Ok(SourceTree {
        target: Some(target),
        nodes,
    })
}

fn header_count(header: &HashMap<&str, &str>, key: &str, max: usize) -> Result<usize, FormatError> {
    header
        .get(key)
        .ok_or_else(|| FormatError::malformed(format!("no {key} line")))?
        .parse()
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| FormatError::malformed(format!("{key} is not a count up to {max}")))
}

/// Exactly `count` space-separated numbers.
fn numbers<T: std::str::FromStr>(
    text: &str,
    count: usize,
    key: &str,
    at: &dyn Fn(String) -> FormatError,
) -> Result<Vec<T>, FormatError> {
    let values: Vec<T> = text
        .split_whitespace()
        .map(|w| w.parse().map_err(|_| at(format!("{key} holds {w:?}"))))
        .collect::<Result<_, _>>()?;
    if values.len() != count {
        return Err(at(format!(
            "{key} has {} values, expected {count}",
            values.len()
        )));
    }
    Ok(values)
}

#[cfg(test)]
#[path = "lightgbm_tests.rs"]
mod tests;
