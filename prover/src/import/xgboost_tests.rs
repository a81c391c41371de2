use serde_json::{json, Value};

use super::read;
use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::model::{Link, Precision, Task};
use crate::source::{SourceBody, SourceNode};

/// A binary:logistic model with one tree: x0 < 0.5 → leaf −0.25, else (x1 < 2 → 0.125, 0.375).
fn tiny() -> Value {
    json!({
        "learner": {
            "feature_names": ["a", "b"],
            "learner_model_param": {"base_score": "[5E-1]", "num_class": "0", "num_feature": "2", "num_target": "1"},
            "objective": {"name": "binary:logistic"},
            "gradient_booster": {"name": "gbtree", "model": {
                "tree_info": [0],
                "trees": [{
                    "left_children": [1, -1, 3, -1, -1],
                    "right_children": [2, -1, 4, -1, -1],
                    "split_indices": [0, 0, 1, 0, 0],
                    "split_conditions": [0.5, -0.25, 2.0, 0.125, 0.375],
                    "split_type": [0, 0, 0, 0, 0],
                    "tree_param": {"size_leaf_vector": "1"}
                }]
            }}
        },
        "version": [3, 2, 0]
    })
}

fn unsupported(json: &Value) -> String {
    match read(json) {
        Err(FormatError::Unsupported(msg)) => msg,
        other => panic!("expected unsupported, got {other:?}"),
    }
}

fn malformed(json: &Value) -> String {
    match read(json) {
        Err(FormatError::Malformed(msg)) => msg,
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn reads_a_binary_logistic_tree() {
    let model = read(&tiny()).unwrap();
    assert_eq!(model.source, "xgboost 3.2.0 binary:logistic");
    assert_eq!(model.feature_names, ["a", "b"]);
    assert_eq!(
        (model.task, model.link, model.precision),
        (Task::Binary, Link::Logistic, Precision::F32)
    );
    let SourceBody::Trees { rule, base, trees } = &model.body else {
        panic!()
    };
    assert_eq!(*rule, SplitRule::LessThan);
    assert_eq!(base, &[0.0], "logit(0.5) = 0");
    assert_eq!(trees[0].target, Some(0));
    let SourceNode::Split {
        feature,
        threshold,
        left,
        right,
    } = trees[0].nodes[0]
    else {
        panic!()
    };
    assert_eq!((feature, threshold), (0, 0.5));
    assert_eq!(
        trees[0].nodes[left],
        SourceNode::Leaf { value: vec![-0.25] }
    );
    assert!(matches!(
        trees[0].nodes[right],
        SourceNode::Split { feature: 1, .. }
    ));
    model.check().unwrap();
}

#[test]
fn base_margin_is_computed_in_float32_like_xgboost() {
    // The flagship's base_score; XGBoost's own margin (float32 logf) is 0.5183442831039429.
    let mut json = tiny();
    json["learner"]["learner_model_param"]["base_score"] = json!("[6.2676054E-1]");
    let SourceBody::Trees { base, .. } = read(&json).unwrap().body else {
        panic!()
    };
    assert_eq!(base, [0.5183442831039429]);
}

#[test]
fn multiclass_and_regression_objectives() {
    let mut json = tiny();
    json["learner"]["objective"]["name"] = json!("multi:softprob");
    json["learner"]["learner_model_param"]["num_class"] = json!("3");
    json["learner"]["learner_model_param"]["base_score"] = json!("[1E-1,2E-1,3E-1]");
    json["learner"]["gradient_booster"]["model"]["tree_info"] = json!([2]);
    let model = read(&json).unwrap();
    assert_eq!((model.task, model.link), (Task::Multiclass, Link::Softmax));
    assert_eq!(model.classes, ["0", "1", "2"]);
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!()
    };
    assert_eq!(base, &[0.1f32 as f64, 0.2f32 as f64, 0.3f32 as f64]);
    assert_eq!(trees[0].target, Some(2));

    let mut json = tiny();
    json["learner"]["objective"]["name"] = json!("reg:squarederror");
    json["learner"]["learner_model_param"]["base_score"] = json!("1.5E2");
    let model = read(&json).unwrap();
    assert_eq!((model.task, model.classes.len()), (Task::Regression, 0));
    let SourceBody::Trees { base, .. } = &model.body else {
        panic!()
    };
    assert_eq!(base, &[150.0]);
}

#[test]
fn unsupported_constructs_are_named() {
    let mut json = tiny();
    json["learner"]["objective"]["name"] = json!("rank:pairwise");
    assert_eq!(unsupported(&json), "objective \"rank:pairwise\"");

    let mut json = tiny();
    json["learner"]["gradient_booster"]["name"] = json!("dart");
    assert_eq!(unsupported(&json), "booster \"dart\"");

    let mut json = tiny();
    json["learner"]["gradient_booster"]["model"]["trees"][0]["split_type"] = json!([0, 0, 1, 0, 0]);
    assert_eq!(unsupported(&json), "categorical split in tree 0, node 2");

    let mut json = tiny();
    json["learner"]["gradient_booster"]["model"]["trees"][0]["tree_param"]["size_leaf_vector"] =
        json!("3");
    assert!(unsupported(&json).contains("multi-target tree 0"));
}

#[test]
fn malformed_trees_are_refused() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "right_children",
            json!([2, -1, 4, -1]),
            "node arrays differ in length",
        ),
        (
            "left_children",
            json!([1, -1, 9, -1, -1]),
            "node 2 has child 9",
        ),
        (
            "left_children",
            json!([1, -1, 0, -1, -1]),
            "node 2 has child 0",
        ),
        (
            "left_children",
            json!([1, -1, 1, -1, -1]),
            "node 1 is reached twice",
        ),
        (
            "split_indices",
            json!([0, 0, 7, 0, 0]),
            "node 2 splits on feature 7",
        ),
        (
            "split_conditions",
            json!([0.5, -0.25, "x", 0.125, 0.375]),
            "split_conditions holds",
        ),
    ];
    for (key, value, needle) in cases {
        let mut json = tiny();
        json.pointer_mut("/learner/gradient_booster/model/trees/0")
            .unwrap()[key] = value;
        let msg = malformed(&json);
        assert!(
            msg.contains(needle),
            "{key}: expected {needle:?} in {msg:?}"
        );
    }
    let mut json = tiny();
    json["learner"]["learner_model_param"]["base_score"] = json!("[2]");
    assert!(malformed(&json).contains("not a probability"));
    let mut json = tiny();
    json["learner"]["gradient_booster"]["model"]["tree_info"] = json!([0, 0]);
    assert!(malformed(&json).contains("tree_info and trees differ"));
    let mut json = tiny();
    json["learner"]["learner_model_param"]
        .as_object_mut()
        .unwrap()
        .remove("num_feature");
    assert!(malformed(&json).contains("missing \"num_feature\""));
    assert!(malformed(&json!({"learner": 1})).contains("missing"));
}

#[test]
fn the_flagship_reads_as_100_trees_with_depth_6() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/models/breast_cancer_xgboost/model.json"
    );
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let model = read(&json).unwrap();
    model.check().unwrap();
    let SourceBody::Trees { trees, .. } = &model.body else {
        panic!()
    };
    assert_eq!(trees.len(), 100);
    assert_eq!(model.feature_names.len(), 30);
    assert_eq!(model.feature_names[0], "mean_radius");
    fn depth(nodes: &[SourceNode], i: usize) -> usize {
        match nodes[i] {
            SourceNode::Split { left, right, .. } => {
                1 + depth(nodes, left).max(depth(nodes, right))
            }
            SourceNode::Leaf { .. } => 0,
        }
    }
    assert_eq!(trees.iter().map(|t| depth(&t.nodes, 0)).max(), Some(6));
}
