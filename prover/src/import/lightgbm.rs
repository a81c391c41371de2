//! LightGBM text models (`Booster.save_model("m.txt")`).
//!
//! Layout: a first line `tree`, header `key=value` lines (`version`, `num_class`,
//! `num_tree_per_iteration`, `max_feature_idx`, `objective`, `feature_names`, …, and a bare
//! `average_output` line for random-forest boosting), then one block of `key=value` lines per
//! tree, each opened by `Tree=i`, then `end of trees` followed by importances and parameters,
//! which are ignored.
//!
//! A tree with `num_leaves = L > 1` has `L − 1` splits, described by the parallel arrays
//! `split_feature`, `threshold`, `decision_type`, `left_child`, `right_child`: a child `c ≥ 0`
//! is split `c` and a child `c < 0` is leaf `!c`, whose value is `leaf_value[!c]`
//! (shrinkage applied). A tree with one leaf has only `leaf_value`.
//!
//! Semantics mirrored: LightGBM predicts in float64 and goes left iff `x <= threshold`; the
//! raw score of output `t mod num_tree_per_iteration` sums tree `t` (the starting score is
//! folded into the first trees, so the base is 0); with `average_output` the sum is divided by
//! the number of iterations, which is folded into the leaves here. `Booster.predict` on a
//! loaded file uses every tree in it, and so does the imported model.
//!
//! `decision_type` bits: 0 categorical, 1 default left (where missing values go),
//! 2–3 the missing type, which LightGBM keeps per feature: 0 none (NaN is read as 0.0:
//! [`MissingRule::NanAsZero`], whose default branch is the one zero takes), 1 zero
//! (`zero_as_missing`: NaN and zero take the default branch, [`MissingRule::NanOrZero`]), 2 NaN
//! (NaN takes it, [`MissingRule::Nan`]). A feature whose splits disagree on the type is refused;
//! one without splits gets [`MissingRule::Nan`], which no split reads.
//!
//! A categorical split (`categorical_feature`) has for threshold the index `k` of its bitset,
//! the 32-bit words `cat_threshold[cat_boundaries[k]..cat_boundaries[k + 1]]`: LightGBM sends
//! a category whose bit is set LEFT, and everything else right: another category, one past the
//! bitset, a value that is no category (the value truncated toward zero is negative:
//! [`CategoryRead::TowardZero`]), and NaN, whatever the split's missing type ([`MissingRule::Nan`]
//! with the default branch right). A feature split both ways is refused.

use std::collections::{HashMap, HashSet};

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::{categorical_features, kept_iterations, placeholder_name};
use crate::model::{
    CategoryRead, Link, MissingRule, Precision, Task, MAX_CATEGORIES, ZERO_THRESHOLD,
};
use crate::source::{SourceBody, SourceMissing, SourceModel, SourceNode, SourceTree};

// Refuse absurd sizes before allocating for them.
use crate::limits::{
    MAX_NODES, MAX_SCORES as MAX_CLASSES, MAX_SOURCE_FEATURES as MAX_FEATURES, MAX_TREES,
};

/// Whether text looks like a LightGBM model file: its first line is `tree` (after a byte-order
/// mark, if any).
pub fn looks_like(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .map(str::trim)
        == Some("tree")
}

/// The model of a LightGBM text file, with every iteration it holds ([`read_with`]).
pub fn read(text: &str) -> Result<SourceModel, FormatError> {
    read_with(text, None)
}

/// The model of a LightGBM text file, keeping its first `iterations` boosting iterations when
/// given, else all: `save_model` writes the trees up to an early-stopping best iteration, and
/// no `best_iteration` line.
pub fn read_with(text: &str, iterations: Option<usize>) -> Result<SourceModel, FormatError> {
    let text = text.trim_start_matches('\u{feff}');
    // Lines numbered from 1, trimmed.
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .peekable();
    // The first line that is not blank (the dispatcher skips leading whitespace too).
    match lines.find(|(_, l)| !l.is_empty()) {
        Some((_, "tree")) => {}
        Some((number, _)) => {
            return Err(FormatError::malformed(format!(
                "line {number}: expected \"tree\""
            )))
        }
        None => return Err(FormatError::malformed("empty file")),
    }
    let mut header = HashMap::new();
    let mut average_output = false;
    while let Some((_, line)) =
        lines.next_if(|(_, l)| !l.starts_with("Tree=") && *l != "end of trees")
    {
        match line.split_once('=') {
            Some((key, value)) => {
                header.insert(key.trim(), value.trim());
            }
            None if line == "average_output" => average_output = true,
            None => {}
        }
    }
    let version = header
        .get("version")
        .copied()
        .unwrap_or("(unknown version)");
    let num_class = header_count(&header, "num_class", MAX_CLASSES)?;
    let per_iteration = header_count(&header, "num_tree_per_iteration", MAX_CLASSES)?;
    let num_features = header_count(&header, "max_feature_idx", MAX_FEATURES - 1)? + 1;
    // A custom objective leaves no objective line.
    let objective = header.get("objective").copied().ok_or_else(|| {
        FormatError::unsupported("custom objective (the file has no objective line)")
    })?;
    let (task, link) = objective_kind(objective, num_class)?;
    let scores = if task == Task::Multiclass {
        num_class
    } else {
        1
    };
    if task != Task::Multiclass && num_class != 1 {
        return Err(FormatError::malformed(format!(
            "num_class = {num_class} for objective {objective:?}"
        )));
    }
    if per_iteration != scores {
        return Err(FormatError::malformed(format!(
            "num_tree_per_iteration = {per_iteration} for {scores} scores"
        )));
    }
    let feature_names = feature_names(header.get("feature_names").copied(), num_features)?;

    let mut trees = Vec::new();
    // Per tree, how each node's split reads missing values.
    let mut splits = Vec::new();
    let mut total_nodes = 0;
    let mut complete = false;
    while let Some((number, line)) = lines.next() {
        if line == "end of trees" {
            complete = true;
            break;
        }
        if line.is_empty() {
            continue;
        }
        let Some(id) = line.strip_prefix("Tree=") else {
            return Err(FormatError::malformed(format!(
                "line {number}: expected \"Tree=\" or \"end of trees\", found {:?}",
                truncate(line)
            )));
        };
        if id.trim().parse::<usize>().ok() != Some(trees.len()) {
            return Err(FormatError::malformed(format!(
                "line {number}: {:?} where tree {} was expected",
                truncate(line),
                trees.len()
            )));
        }
        if trees.len() == MAX_TREES {
            return Err(FormatError::unsupported(format!(
                "more than {MAX_TREES} trees"
            )));
        }
        let mut block = HashMap::new();
        while let Some((number, field)) =
            lines.next_if(|(_, l)| !l.is_empty() && !l.starts_with("Tree=") && *l != "end of trees")
        {
            if let Some((key, value)) = field.split_once('=') {
                block.insert(key.trim(), (number, value));
            }
        }
        let t = trees.len();
        let (tree, missing) = read_tree(t, number, &block, num_features, t % scores)?;
        splits.push(missing);
        total_nodes += tree.nodes.len();
        if total_nodes > MAX_NODES {
            return Err(FormatError::unsupported(format!(
                "more than {MAX_NODES} nodes in all (at tree {t})"
            )));
        }
        trees.push(tree);
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
    if trees.len() % scores != 0 {
        return Err(FormatError::malformed(format!(
            "{} trees is not a whole number of iterations of {scores} trees",
            trees.len()
        )));
    }
    let (kept, note) = kept_iterations(trees.len() / scores, iterations, None)?;
    trees.truncate(kept * scores);
    splits.truncate(kept * scores);
    // The features' missing types, from the trees kept.
    let mut default_left = Vec::with_capacity(trees.len());
    let mut rules: Vec<Option<MissingRule>> = vec![None; num_features];
    for (t, missing) in splits.iter().enumerate() {
        let mut defaults = vec![false; trees[t].nodes.len()];
        for (node, split) in missing.iter().enumerate() {
            let rule = rules[split.feature].get_or_insert(split.rule);
            if *rule != split.rule {
                return Err(FormatError::unsupported(format!(
                    "feature {} has splits with different missing types (tree {t}, node {node})",
                    split.feature
                )));
            }
            defaults[node] = split.default_left;
        }
        default_left.push(defaults);
    }
    let categorical = categorical_features(&trees, num_features, CategoryRead::TowardZero)?;
    if average_output {
        // Random-forest boosting: LightGBM divides the sum by the number of iterations.
        let iterations = (trees.len() / scores) as f64;
        for node in trees.iter_mut().flat_map(|t| &mut t.nodes) {
            if let SourceNode::Leaf { value } = node {
                value.iter_mut().for_each(|v| *v /= iterations);
            }
        }
    }

    Ok(SourceModel {
        labels: None,
        source: format!("lightgbm {version} {objective}{note}"),
        feature_names,
        precision: Precision::F64,
        task,
        classes: match task {
            Task::Regression => Vec::new(),
            Task::Binary => vec!["0".into(), "1".into()],
            Task::Multiclass => (0..num_class).map(|c| c.to_string()).collect(),
        },
        link,
        body: SourceBody::Trees {
            rule: SplitRule::LessOrEqual,
            base: vec![0.0; scores],
            trees,
            missing: Some(SourceMissing {
                rules: (rules.iter())
                    .map(|rule| rule.unwrap_or(MissingRule::Nan))
                    .collect(),
                default_left,
            }),
            categorical,
            known: None,
        },
    })
}

/// The task and link of an objective line such as `binary sigmoid:1` or
/// `multiclass num_class:3`, refusing those whose prediction is not a supported function
/// of the raw score.
fn objective_kind(objective: &str, num_class: usize) -> Result<(Task, Link), FormatError> {
    let mut words = objective.split_whitespace();
    let name = words.next().unwrap_or_default();
    let params: Vec<&str> = words.collect();
    let unsupported = |why: &str| {
        Err(FormatError::unsupported(format!(
            "objective {objective:?}{why}"
        )))
    };
    let param = |key: &str| {
        params
            .iter()
            .find_map(|p| p.strip_prefix(key).and_then(|v| v.strip_prefix(':')))
    };
    let known_params = |keys: &[&str]| {
        params
            .iter()
            .all(|p| keys.iter().any(|k| p.split(':').next() == Some(*k)))
    };
    let sigmoid_is_one = || param("sigmoid").and_then(|s| s.parse::<f64>().ok()) == Some(1.0);
    let class_count_matches =
        || param("num_class").and_then(|k| k.parse::<usize>().ok()) == Some(num_class);
    match name {
        "binary" => {
            if !known_params(&["sigmoid"]) || !sigmoid_is_one() {
                return unsupported(" (only sigmoid:1 is supported)");
            }
            Ok((Task::Binary, Link::Logistic))
        }
        "multiclass" | "multiclassova" => {
            if num_class < 2 || !class_count_matches() {
                return Err(FormatError::malformed(format!(
                    "objective {objective:?} with num_class={num_class}"
                )));
            }
            if name == "multiclass" {
                if !known_params(&["num_class"]) {
                    return unsupported("");
                }
                return Ok((Task::Multiclass, Link::Softmax));
            }
            if !known_params(&["num_class", "sigmoid"]) || !sigmoid_is_one() {
                return unsupported(" (only sigmoid:1 is supported)");
            }
            Ok((Task::Multiclass, Link::OneVsRestLogistic))
        }
        // The raw score is the prediction, unless `sqrt` (reg_sqrt) squares it.
        "regression" | "regression_l1" | "huber" | "fair" | "quantile" | "mape" => {
            if params.contains(&"sqrt") {
                return unsupported(" (reg_sqrt squares the raw score)");
            }
            if !params.is_empty() {
                return unsupported("");
            }
            Ok((Task::Regression, Link::Identity))
        }
        "" => Err(FormatError::malformed("empty objective line")),
        other => Err(FormatError::unsupported(format!("objective {other:?}"))),
    }
}

fn feature_names(line: Option<&str>, count: usize) -> Result<Vec<String>, FormatError> {
    let Some(line) = line else {
        return Ok((0..count).map(placeholder_name).collect());
    };
    let names: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    if names.len() != count {
        return Err(FormatError::malformed(format!(
            "{} feature names for {count} features (max_feature_idx={})",
            names.len(),
            count - 1
        )));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(FormatError::malformed(format!(
            "feature name {twice:?} appears twice"
        )));
    }
    Ok(names)
}

/// One `Tree=t` block (opened at line `line`), its fields by key with their line numbers.
/// Splits keep their numbers; leaf `k` becomes node `num_leaves − 1 + k`. With it, what each
/// split does with missing values.
fn read_tree(
    t: usize,
    line: usize,
    block: &HashMap<&str, (usize, &str)>,
    num_features: usize,
    target: usize,
) -> Result<(SourceTree, Vec<SplitMissing>), FormatError> {
    let at = |msg: String| FormatError::malformed(format!("tree {t} (line {line}): {msg}"));
    let get = |key: &str| {
        block
            .get(key)
            .copied()
            .ok_or_else(|| at(format!("no {key}")))
    };
    let optional_count = |key: &str| -> Result<u64, FormatError> {
        match block.get(key) {
            None => Ok(0),
            Some((number, v)) => v.trim().parse().map_err(|_| {
                FormatError::malformed(format!(
                    "line {number}: {key}={} is not a count",
                    truncate(v)
                ))
            }),
        }
    };
    if optional_count("is_linear")? != 0 {
        return Err(FormatError::unsupported(format!(
            "linear tree {t} (linear_tree=true)"
        )));
    }
    let num_cat = optional_count("num_cat")?;
    let bitsets = match num_cat {
        0 => Vec::new(),
        _ => category_bitsets(block, num_cat, &at)?,
    };
    let (number, value) = get("num_leaves")?;
    let leaves: usize = value
        .trim()
        .parse()
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| at(format!("line {number}: bad num_leaves={}", truncate(value))))?;
    if leaves > MAX_NODES / 2 {
        return Err(FormatError::unsupported(format!(
            "tree {t} has {leaves} leaves"
        )));
    }
    let leaf_values: Vec<f64> = numbers(get("leaf_value")?, leaves, "leaf_value", &at)?;
    if let Some(k) = leaf_values.iter().position(|v| !v.is_finite()) {
        return Err(at(format!("leaf {k} has value {}", leaf_values[k])));
    }
    if leaves == 1 {
        let tree = SourceTree {
            target: Some(target),
            nodes: vec![SourceNode::Leaf { value: leaf_values }],
        };
        return Ok((tree, Vec::new()));
    }
    let splits = leaves - 1;
    let features: Vec<usize> = numbers(get("split_feature")?, splits, "split_feature", &at)?;
    let thresholds: Vec<f64> = numbers(get("threshold")?, splits, "threshold", &at)?;
    let decision_types: Vec<i8> = numbers(get("decision_type")?, splits, "decision_type", &at)?;
    let left: Vec<i64> = numbers(get("left_child")?, splits, "left_child", &at)?;
    let right: Vec<i64> = numbers(get("right_child")?, splits, "right_child", &at)?;

    let total = splits + leaves;
    let child = |c: i64| -> Option<usize> {
        let node = if c >= 0 {
            usize::try_from(c).ok()?
        } else {
            splits.checked_add(usize::try_from(!c).ok()?)?
        };
        (node != 0 && node < total).then_some(node)
    };
    let mut nodes = Vec::with_capacity(total);
    let mut missing = Vec::with_capacity(splits);
    for i in 0..splits {
        let kind = decision_types[i];
        if !(0..16).contains(&kind) {
            return Err(at(format!("node {i} has decision_type {kind}")));
        }
        let (Some(l), Some(r)) = (child(left[i]), child(right[i])) else {
            return Err(at(format!(
                "node {i} has children {} and {}, not nodes of a tree with {leaves} leaves",
                left[i], right[i]
            )));
        };
        if features[i] >= num_features {
            return Err(at(format!(
                "node {i} splits on feature {} of {num_features}",
                features[i]
            )));
        }
        if kind & 1 != 0 {
            // The threshold is the index of the split's bitset.
            let set = (thresholds[i] >= 0.0 && thresholds[i].fract() == 0.0)
                .then(|| bitsets.get(thresholds[i] as usize))
                .flatten()
                .ok_or_else(|| at(format!("node {i} names bitset {}", thresholds[i])))?;
            nodes.push(SourceNode::CategorySplit {
                feature: features[i],
                set: set.clone(),
                set_left: true,
                left: l,
                right: r,
            });
            // NaN goes right at a categorical split, whatever its missing type.
            missing.push(SplitMissing {
                feature: features[i],
                rule: MissingRule::Nan,
                default_left: false,
            });
            continue;
        }
        let rule = match (kind >> 2) & 3 {
            0 => MissingRule::NanAsZero,
            1 => MissingRule::NanOrZero,
            2 => MissingRule::Nan,
            _ => return Err(at(format!("node {i} has decision_type {kind}"))),
        };
        if thresholds[i].is_nan() {
            return Err(at(format!("node {i} has threshold NaN")));
        }
        nodes.push(SourceNode::Split {
            feature: features[i],
            threshold: near_zero_read_as_zero(thresholds[i]),
            left: l,
            right: r,
        });
        // Without a missing type NaN is read as 0.0, so it goes where zero goes.
        let default_left = match rule {
            MissingRule::NanAsZero => SplitRule::LessOrEqual.goes_left(0.0, thresholds[i]),
            _ => kind & 2 != 0,
        };
        missing.push(SplitMissing {
            feature: features[i],
            rule,
            default_left,
        });
    }
    nodes.extend(
        leaf_values
            .into_iter()
            .map(|v| SourceNode::Leaf { value: vec![v] }),
    );
    // Every node is reached from the root exactly once.
    let mut reached = vec![false; total];
    reached[0] = true;
    let mut pending = vec![0usize];
    while let Some(i) = pending.pop() {
        if let Some((left, right)) = nodes[i].children() {
            for c in [left, right] {
                if std::mem::replace(&mut reached[c], true) {
                    return Err(at(format!("{} is reached twice", describe(c, splits))));
                }
                pending.push(c);
            }
        }
    }
    if let Some(i) = reached.iter().position(|r| !r) {
        return Err(at(format!("{} is unreachable", describe(i, splits))));
    }
    let tree = SourceTree {
        target: Some(target),
        nodes,
    };
    Ok((tree, missing))
}

/// The threshold `t'` with `x <= t'` iff `z(x) <= t` for every raw `x`, where `z` reads
/// `|x| ≤ kZeroThreshold` as 0, as LightGBM's prediction from a dense row does (it drops such
/// entries): only thresholds within `kZeroThreshold` of zero change.
fn near_zero_read_as_zero(t: f64) -> f64 {
    match t {
        t if t.abs() > ZERO_THRESHOLD => t,
        // Zero goes left: so does everything up to kZeroThreshold.
        t if t >= 0.0 => ZERO_THRESHOLD,
        // Zero goes right: only what lies below −kZeroThreshold goes left.
        _ => (-ZERO_THRESHOLD).next_down(),
    }
}

/// A tree's category sets: bitset `k` is the words `cat_threshold[cat_boundaries[k]..
/// cat_boundaries[k + 1]]`, category `32·w + j` in it iff bit `j` of word `w` is set.
fn category_bitsets(
    block: &HashMap<&str, (usize, &str)>,
    num_cat: u64,
    at: &dyn Fn(String) -> FormatError,
) -> Result<Vec<Vec<u32>>, FormatError> {
    let field = |key: &str| {
        block
            .get(key)
            .copied()
            .ok_or_else(|| at(format!("no {key}")))
    };
    let count = usize::try_from(num_cat)
        .ok()
        .filter(|&n| n < MAX_NODES)
        .ok_or_else(|| at(format!("num_cat={num_cat}")))?;
    let boundaries: Vec<usize> =
        numbers(field("cat_boundaries")?, count + 1, "cat_boundaries", at)?;
    let total = boundaries[count];
    let words: Vec<u32> = numbers(field("cat_threshold")?, total, "cat_threshold", at)?;
    let mut sets = Vec::with_capacity(count);
    for k in 0..count {
        let range = (boundaries[k] <= boundaries[k + 1])
            .then(|| words.get(boundaries[k]..boundaries[k + 1]))
            .flatten()
            .ok_or_else(|| at(format!("bitset {k} is outside cat_threshold")))?;
        let set: Vec<u32> = (range.iter().enumerate())
            .flat_map(|(w, &word)| {
                (0..32)
                    .filter(move |j| word >> j & 1 == 1)
                    .map(move |j| 32 * w as u32 + j)
            })
            .collect();
        if set.last().is_some_and(|&c| c >= MAX_CATEGORIES) {
            return Err(FormatError::unsupported(format!(
                "bitset {k} names category {} (at most {} categories)",
                set[set.len() - 1],
                MAX_CATEGORIES
            )));
        }
        sets.push(set);
    }
    Ok(sets)
}

/// What a split does with missing values.
struct SplitMissing {
    feature: usize,
    rule: MissingRule,
    default_left: bool,
}

/// Names node `i` as the file does: split `i` or leaf `i − splits`.
fn describe(i: usize, splits: usize) -> String {
    match i.checked_sub(splits) {
        Some(leaf) => format!("leaf {leaf}"),
        None => format!("node {i}"),
    }
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
    (line, text): (usize, &str),
    count: usize,
    key: &str,
    at: &dyn Fn(String) -> FormatError,
) -> Result<Vec<T>, FormatError> {
    let mut values = Vec::with_capacity(count.min(text.len()));
    for word in text.split_whitespace() {
        if values.len() == count {
            return Err(at(format!(
                "line {line}: {key} has more than {count} values"
            )));
        }
        let value = word
            .parse()
            .map_err(|_| at(format!("line {line}: {key} holds {:?}", truncate(word))))?;
        values.push(value);
    }
    if values.len() != count {
        return Err(at(format!(
            "line {line}: {key} has {} values, expected {count}",
            values.len()
        )));
    }
    Ok(values)
}

/// At most 40 characters of untrusted text, for messages.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
#[path = "lightgbm_tests.rs"]
mod tests;
