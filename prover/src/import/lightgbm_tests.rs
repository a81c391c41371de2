use super::{looks_like, read};
use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::model::{Link, Precision, Task};
use crate::source::{SourceBody, SourceNode};

/// Two binary trees: a split (x1 <= 0.5 → leaf −0.5 | leaf 1.5) and a lone leaf 0.25.
const TINY: &str = "tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=1
objective=binary sigmoid:1
feature_names=a b
feature_infos=[0:1] [0:1]
tree_sizes=100 50

Tree=0
num_leaves=2
num_cat=0
split_feature=1
split_gain=1
threshold=0.50000000000000011
decision_type=2
left_child=-1
right_child=-2
leaf_value=-0.5 1.5
leaf_weight=1 1
leaf_count=1 1
internal_value=0
internal_weight=0
internal_count=2
is_linear=0
shrinkage=1


Tree=1
num_leaves=1
num_cat=0
split_feature=
split_gain=
threshold=
decision_type=
left_child=
right_child=
leaf_value=0.25
leaf_weight=
leaf_count=
internal_value=
internal_weight=
internal_count=
is_linear=0
shrinkage=1


end of trees

feature_importances:
b=1

parameters:
[boosting: gbdt]
end of parameters

pandas_categorical:[]
";

fn error(text: &str) -> FormatError {
    read(text).expect_err("should be refused")
}

#[test]
fn reads_a_binary_model() {
    assert!(looks_like(TINY));
    let model = read(TINY).unwrap();
    model.check().unwrap();
    assert_eq!(model.source, "lightgbm v4 binary sigmoid:1");
    assert_eq!(model.feature_names, ["a", "b"]);
    assert_eq!(
        (model.task, model.link, model.precision),
        (Task::Binary, Link::Logistic, Precision::F64)
    );
    let SourceBody::Trees { rule, base, trees } = &model.body else {
        panic!()
    };
    assert_eq!(
        (*rule, base.as_slice()),
        (SplitRule::LessOrEqual, &[0.0][..])
    );
    assert_eq!(trees.len(), 2);
    assert_eq!(
        trees[0].nodes,
        vec![
            SourceNode::Split {
                feature: 1,
                threshold: 0.5f64.next_up(), // written 0.50000000000000011
                left: 1,
                right: 2
            },
            SourceNode::Leaf { value: vec![-0.5] },
            SourceNode::Leaf { value: vec![1.5] },
        ]
    );
    assert_eq!(trees[1].nodes, vec![SourceNode::Leaf { value: vec![0.25] }]);
}

#[test]
fn multiclass_trees_cycle_through_the_classes() {
    let text = TINY
        .replace("num_class=1", "num_class=2")
        .replace("num_tree_per_iteration=1", "num_tree_per_iteration=2")
        .replace(
            "objective=binary sigmoid:1",
            "objective=multiclass num_class:2",
        );
    let model = read(&text).unwrap();
    assert_eq!((model.task, model.classes.len()), (Task::Multiclass, 2));
    let SourceBody::Trees { trees, base, .. } = &model.body else {
        panic!()
    };
    assert_eq!(base, &[0.0, 0.0]);
    assert_eq!((trees[0].target, trees[1].target), (Some(0), Some(1)));
}

#[test]
fn average_output_divides_by_the_iterations() {
    let text = TINY.replace("tree_sizes=", "average_output\ntree_sizes=");
    let SourceBody::Trees { trees, .. } = read(&text).unwrap().body else {
        panic!()
    };
    assert_eq!(
        trees[1].nodes,
        vec![SourceNode::Leaf { value: vec![0.125] }]
    );
}

#[test]
fn unsupported_constructs_are_named() {
    let cases = [
        (
            "objective=binary sigmoid:1",
            "objective=lambdarank",
            "objective \"lambdarank\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=poisson",
            "objective \"poisson\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=binary sigmoid:2",
            "sigmoid:2",
        ),
        (
            "decision_type=2",
            "decision_type=1",
            "categorical split in tree 0, node 0",
        ),
        (
            "decision_type=2",
            "decision_type=6",
            "zero_as_missing split in tree 0, node 0",
        ),
        (
            "is_linear=0\nshrinkage=1\n\n\nTree=1",
            "is_linear=1\nshrinkage=1\n\n\nTree=1",
            "linear tree 0",
        ),
    ];
    for (from, to, needle) in cases {
        match error(&TINY.replacen(from, to, 1)) {
            FormatError::Unsupported(msg) => assert!(msg.contains(needle), "{needle:?} in {msg:?}"),
            other => panic!("{needle}: expected unsupported, got {other:?}"),
        }
    }
}

#[test]
fn malformed_files_are_refused() {
    let cases = [
        ("left_child=-1", "left_child=5", "child 5 is not a node"),
        ("left_child=-1", "left_child=0", "child 0 is not a node"),
        (
            "split_feature=1",
            "split_feature=9",
            "node 0 splits on feature 9",
        ),
        (
            "leaf_value=-0.5 1.5",
            "leaf_value=-0.5",
            "leaf_value has 1 values, expected 2",
        ),
        (
            "threshold=0.50000000000000011",
            "threshold=abc",
            "threshold holds \"abc\"",
        ),
        ("num_leaves=2", "num_leaves=0", "bad num_leaves"),
        (
            "max_feature_idx=1",
            "max_feature_idx=x",
            "max_feature_idx is not a count",
        ),
        (
            "feature_names=a b",
            "feature_names=a",
            "1 feature names for 2 features",
        ),
        (
            "num_tree_per_iteration=1",
            "num_tree_per_iteration=3",
            "num_tree_per_iteration = 3",
        ),
    ];
    for (from, to, needle) in cases {
        match error(&TINY.replacen(from, to, 1)) {
            FormatError::Malformed(msg) => assert!(msg.contains(needle), "{needle:?} in {msg:?}"),
            other => panic!("{needle}: expected malformed, got {other:?}"),
        }
    }
    for cut in [0, 10, 200, TINY.len() / 2] {
        assert!(read(&TINY[..cut]).is_err(), "truncated at {cut}");
    }
    assert!(!looks_like("{\"learner\": 1}"));
    assert!(!looks_like("trees\n"));
}

#[test]
fn example_files_read() {
    for name in [
        "breast_cancer_lightgbm",
        "wine_lightgbm",
        "diabetes_lightgbm",
    ] {
        let path = format!(
            "{}/../examples/models/{name}/model.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert!(looks_like(&text));
        let model = read(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        model.check().unwrap();
    }
}
