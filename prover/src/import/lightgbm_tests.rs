use super::{looks_like, read, read_with};
use crate::error::{Format, FormatError, ImportError};
use crate::fixed_point::SplitRule;
use crate::import::test_support::{
    check_categorical_model, check_categorical_source, check_score_table,
};
use crate::import::xgboost::tests::{example_path, float_scores, max_score_error, read_heldout};
use crate::model::{CategoryRead, Link, Precision, Task};
use crate::source::{SourceBody, SourceModel, SourceNode};

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

/// One tree of three leaves: node 0 (x0 <= 1) → leaf 0 | node 1 (x1 <= 2 → leaf 1 | leaf 2).
const THREE_LEAVES: &str = "Tree=0
num_leaves=3
num_cat=0
split_feature=0 1
split_gain=1 1
threshold=1 2
decision_type=2 8
left_child=-1 -2
right_child=1 -3
leaf_value=0.1 0.2 0.30000000000000004
leaf_weight=1 1 1
leaf_count=1 1 1
internal_value=0 0
internal_weight=0 0
internal_count=3 2
is_linear=0
shrinkage=0.1
";

/// TINY with its trees replaced by `trees`.
fn tiny_with_trees(trees: &str) -> String {
    let start = TINY.find("Tree=0").unwrap();
    let end = TINY.find("end of trees").unwrap();
    format!("{}{trees}\n\n{}", &TINY[..start], &TINY[end..])
}

/// TINY with its trees replaced by THREE_LEAVES.
fn three_leaves() -> String {
    tiny_with_trees(THREE_LEAVES)
}

fn unsupported(text: &str) -> String {
    match read(text) {
        Err(FormatError::Unsupported(msg)) => msg,
        other => panic!("expected unsupported, got {other:?}"),
    }
}

fn malformed(text: &str) -> String {
    match read(text) {
        Err(FormatError::Malformed(msg)) => msg,
        other => panic!("expected malformed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Real files.

fn read_example(name: &str) -> SourceModel {
    let bytes = std::fs::read(example_path(name, "model.txt")).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(looks_like(text));
    let model = read(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    model.check().unwrap();
    let (format, via_dispatch) = crate::import::read_source(&bytes, "model.txt").unwrap();
    assert_eq!((format, &via_dispatch), (Format::LightgbmText, &model));
    model
}

/// LightGBM sums the trees' float64 leaves in tree order starting from 0, exactly as
/// [`float_scores`] does (base 0), with the same float64 comparisons, and the CSV holds its
/// scores in round-trip form: the scores must be equal, tolerance 0.
fn check_lightgbm_example(name: &str) -> SourceModel {
    let model = read_example(name);
    let (max_error, rows) = max_score_error(name, &model);
    println!("{name}: {rows} rows, classes agree, max score error {max_error:e}");
    assert_eq!(max_error, 0.0, "{name}");
    model
}

#[test]
fn breast_cancer_lightgbm_matches_lightgbm() {
    let model = check_lightgbm_example("breast_cancer_lightgbm");
    assert_eq!(model.source, "lightgbm v4 binary sigmoid:1");
    assert_eq!(
        (model.task, model.link, model.precision),
        (Task::Binary, Link::Logistic, Precision::F64)
    );
    assert_eq!(model.classes, ["0", "1"]);
    assert_eq!(model.feature_names.len(), 30);
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!()
    };
    assert_eq!(
        (*rule, base.as_slice()),
        (SplitRule::LessOrEqual, &[0.0][..])
    );
    assert_eq!(trees.len(), 100);
}

#[test]
fn wine_lightgbm_matches_lightgbm() {
    let model = check_lightgbm_example("wine_lightgbm");
    assert_eq!(model.source, "lightgbm v4 multiclass num_class:3");
    assert_eq!((model.task, model.link), (Task::Multiclass, Link::Softmax));
    assert_eq!(model.classes, ["0", "1", "2"]);
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!()
    };
    assert_eq!(base, &[0.0; 3]);
    assert_eq!(trees.len(), 90);
    assert!(trees
        .iter()
        .enumerate()
        .all(|(t, tree)| tree.target == Some(t % 3)));
}

/// Trained with early stopping: `save_model` wrote the 16 trees up to the best iteration, which
/// is what `predict` uses, so the import keeps all of them (the file records no
/// best_iteration); fewer when asked, per iteration, a multiclass iteration's trees together.
#[test]
fn an_early_stopped_model_is_saved_as_predict_uses_it_and_may_be_cut() {
    let model = check_lightgbm_example("credit_lightgbm_early_stopping");
    assert_eq!(model.source, "lightgbm v4 binary sigmoid:1");
    assert_eq!(model_trees(&model).len(), 16);
    let text = std::fs::read_to_string(example_path("credit_lightgbm_early_stopping", "model.txt"));
    let first = read_with(&text.unwrap(), Some(5)).unwrap();
    assert_eq!(model_trees(&first), &model_trees(&model)[..5]);
    assert_eq!(
        first.source,
        "lightgbm v4 binary sigmoid:1 (5 of 16 iterations, as chosen at import)"
    );
    let text = std::fs::read_to_string(example_path("wine_lightgbm", "model.txt")).unwrap();
    let multiclass = read_with(&text, Some(2)).unwrap();
    assert_eq!(model_trees(&multiclass).len(), 6);
    match read_with(&text, Some(31)) {
        Err(FormatError::Unsupported(msg)) => {
            assert_eq!(msg, "keeping 31 boosting iterations: the model has 1 to 30")
        }
        other => panic!("{other:?}"),
    }
    // Random-forest boosting averages over the iterations kept.
    let forest = TINY.replace("tree_sizes=", "average_output\ntree_sizes=");
    let all = read(&forest).unwrap();
    let one = read_with(&forest, Some(1)).unwrap();
    let leaves = |m: &SourceModel| -> Vec<f64> {
        (model_trees(m)[0].nodes.iter())
            .filter_map(|n| match n {
                SourceNode::Leaf { value } => Some(value[0]),
                _ => None,
            })
            .collect()
    };
    let iterations = model_trees(&all).len() as f64;
    let scaled: Vec<f64> = leaves(&all).iter().map(|v| v * iterations).collect();
    assert_eq!(leaves(&one), scaled);
}

/// LightGBM stores `Annual Income ($)` as `Annual_Income_($)` (spaces as underscores): inputs
/// may name it either way, in a CSV header or a JSON object; other names are still refused.
#[test]
fn inputs_may_use_the_names_lightgbm_rewrote() {
    let text = TINY.replace("feature_names=a b", "feature_names=Annual_Income_($) b");
    let model = crate::import::import(text.as_bytes(), "m.txt", None).unwrap();
    assert_eq!(model.input.features, ["Annual_Income_($)", "b"]);
    let read = |text: &str| crate::input::read_inputs(&model, text);
    let expected = vec![vec![0.25, 0.75]];
    assert_eq!(read("Annual Income ($),b\n0.25,0.75").unwrap(), expected);
    assert_eq!(read("b,Annual_Income_($)\n0.75,0.25").unwrap(), expected);
    assert_eq!(
        read(r#"{"Annual Income ($)": 0.25, "b": 0.75}"#).unwrap(),
        expected
    );
    assert!(read(r#"{"Annual Income ($)": 0.25, "Annual_Income_($)": 0.5, "b": 0.75}"#).is_err());
    assert!(read("Annual  Income ($),b\n0.25,0.75").is_err());
    assert!(read(r#"{"Annual-Income ($)": 0.25, "b": 0.75}"#).is_err());
    // A calibration CSV may use them too.
    let calibration = crate::Calibration::from_csv("Annual Income ($),b\n0,0\n1,1").unwrap();
    crate::import::import(text.as_bytes(), "m.txt", Some(&calibration)).unwrap();
}

#[test]
fn diabetes_lightgbm_matches_lightgbm() {
    let model = check_lightgbm_example("diabetes_lightgbm");
    assert_eq!(model.source, "lightgbm v4 regression");
    assert_eq!((model.task, model.link), (Task::Regression, Link::Identity));
    assert!(model.classes.is_empty());
    assert_eq!(read_heldout("diabetes_lightgbm", &model).rows.len(), 111);
}

#[test]
fn truncated_example_files_are_refused_without_panics() {
    let text = std::fs::read_to_string(example_path("wine_lightgbm", "model.txt")).unwrap();
    let end = text.find("end of trees").unwrap();
    let mut cut = 1;
    while cut < end {
        if text.is_char_boundary(cut) {
            assert!(read(&text[..cut]).is_err(), "cut at {cut}");
        }
        cut += 331;
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written models.

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
    assert_eq!(model.classes, ["0", "1"]);
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!()
    };
    assert_eq!(
        (*rule, base.as_slice()),
        (SplitRule::LessOrEqual, &[0.0][..])
    );
    assert_eq!(trees.len(), 2);
    assert_eq!(
        trees[0].nodes,
        [
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
    assert_eq!(trees[1].nodes, [SourceNode::Leaf { value: vec![0.25] }]);
    assert_eq!((trees[0].target, trees[1].target), (Some(0), Some(0)));
    // x1 <= threshold in float64: the value just above 0.5 still goes left.
    assert_eq!(float_scores(&model, &[0.0, 0.5f64.next_up()]), [-0.25]);
    assert_eq!(
        float_scores(&model, &[0.0, 0.5f64.next_up().next_up()]),
        [1.75]
    );
}

#[test]
fn children_and_leaves_are_numbered_splits_first() {
    let model = read(&three_leaves()).unwrap();
    model.check().unwrap();
    let SourceBody::Trees { trees, .. } = &model.body else {
        panic!()
    };
    assert_eq!(
        trees[0].nodes,
        [
            SourceNode::Split {
                feature: 0,
                threshold: 1.0,
                left: 2,
                right: 1
            },
            SourceNode::Split {
                feature: 1,
                threshold: 2.0,
                left: 3,
                right: 4
            },
            SourceNode::Leaf { value: vec![0.1] },
            SourceNode::Leaf { value: vec![0.2] },
            SourceNode::Leaf {
                value: vec![0.30000000000000004]
            },
        ]
    );
    assert_eq!(float_scores(&model, &[1.0, 9.0]), [0.1]);
    assert_eq!(float_scores(&model, &[1.5, 2.0]), [0.2]);
    assert_eq!(float_scores(&model, &[1.5, 2.5]), [0.30000000000000004]);
    // The missing types none (0), zero (4) and NaN (8), with and without the default-left bit
    // (2), change only what missing values do: none sends them where zero goes (left at both
    // splits, as 0 <= 1 and 0 <= 2), whatever the bit says.
    use crate::model::MissingRule::{Nan, NanAsZero, NanOrZero};
    let cases = [
        ("0 0", [NanAsZero, NanAsZero], [true, true]),
        ("2 10", [NanAsZero, Nan], [true, true]),
        ("8 2", [Nan, NanAsZero], [false, true]),
        ("10 8", [Nan, Nan], [true, false]),
        ("4 6", [NanOrZero, NanOrZero], [false, true]),
    ];
    for (kinds, rules, [root, second]) in cases {
        let text = three_leaves().replace("decision_type=2 8", &format!("decision_type={kinds}"));
        let read = read(&text).unwrap();
        let SourceBody::Trees { trees, missing, .. } = &read.body else {
            panic!()
        };
        assert_eq!(trees[0].nodes, model_trees(&model)[0].nodes, "{kinds}");
        let missing = missing.as_ref().expect("LightGBM defines missing values");
        assert_eq!(missing.rules, rules, "{kinds}");
        assert_eq!(
            missing.default_left[0],
            [root, second, false, false, false],
            "{kinds}"
        );
    }
    // Splits on one feature that disagree on the missing type are refused.
    let text = three_leaves()
        .replace("split_feature=0 1", "split_feature=0 0")
        .replace("decision_type=2 8", "decision_type=0 8");
    assert!(unsupported(&text).contains("different missing types"));
}

fn model_trees(model: &SourceModel) -> &[crate::source::SourceTree] {
    let SourceBody::Trees { trees, .. } = &model.body else {
        panic!("trees")
    };
    trees
}

#[test]
fn multiclass_trees_cycle_through_the_classes() {
    for (objective, link) in [
        ("multiclass num_class:2", Link::Softmax),
        (
            "multiclassova num_class:2 sigmoid:1",
            Link::OneVsRestLogistic,
        ),
    ] {
        let text = TINY
            .replace("num_class=1", "num_class=2")
            .replace("num_tree_per_iteration=1", "num_tree_per_iteration=2")
            .replace("binary sigmoid:1", objective);
        let model = read(&text).unwrap();
        model.check().unwrap();
        assert_eq!((model.task, model.link), (Task::Multiclass, link));
        assert_eq!(model.classes, ["0", "1"]);
        assert_eq!(model.source, format!("lightgbm v4 {objective}"));
        let SourceBody::Trees { trees, base, .. } = &model.body else {
            panic!()
        };
        assert_eq!(base, &[0.0, 0.0]);
        assert_eq!((trees[0].target, trees[1].target), (Some(0), Some(1)));
    }
    // Three trees are not a whole number of 2-tree iterations.
    let text = TINY
        .replace("num_class=1", "num_class=2")
        .replace("num_tree_per_iteration=1", "num_tree_per_iteration=2")
        .replace("binary sigmoid:1", "multiclass num_class:2")
        .replace(
            "end of trees",
            "Tree=2\nnum_leaves=1\nleaf_value=1\n\nend of trees",
        );
    assert!(malformed(&text).contains("3 trees is not a whole number of iterations"));
    let text = TINY
        .replace("num_class=1", "num_class=3")
        .replace("num_tree_per_iteration=1", "num_tree_per_iteration=3")
        .replace("binary sigmoid:1", "multiclass num_class:2");
    assert!(malformed(&text).contains("with num_class=3"));
}

#[test]
fn regression_objectives_whose_raw_score_is_the_prediction() {
    for objective in [
        "regression",
        "regression_l1",
        "huber",
        "fair",
        "quantile",
        "mape",
    ] {
        let model = read(&TINY.replace("binary sigmoid:1", objective)).unwrap();
        model.check().unwrap();
        assert_eq!(
            (model.task, model.link, model.classes.len()),
            (Task::Regression, Link::Identity, 0)
        );
        assert_eq!(model.source, format!("lightgbm v4 {objective}"));
    }
}

#[test]
fn average_output_divides_by_the_iterations() {
    let text = TINY.replace("tree_sizes=", "average_output\ntree_sizes=");
    let SourceBody::Trees { trees, .. } = read(&text).unwrap().body else {
        panic!()
    };
    assert_eq!(trees[0].nodes[1], SourceNode::Leaf { value: vec![-0.25] });
    assert_eq!(trees[1].nodes, [SourceNode::Leaf { value: vec![0.125] }]);
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
            "objective=rank_xendcg",
            "objective \"rank_xendcg\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=poisson",
            "objective \"poisson\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=gamma",
            "objective \"gamma\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=tweedie",
            "objective \"tweedie\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=cross_entropy",
            "objective \"cross_entropy\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=cross_entropy_lambda",
            "objective \"cross_entropy_lambda\"",
        ),
        ("objective=binary sigmoid:1\n", "", "custom objective"),
        (
            "objective=binary sigmoid:1",
            "objective=binary sigmoid:2",
            "objective \"binary sigmoid:2\" (only sigmoid:1",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=binary",
            "objective \"binary\" (only sigmoid:1",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=regression sqrt",
            "objective \"regression sqrt\" (reg_sqrt",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=quantile sqrt",
            "objective \"quantile sqrt\" (reg_sqrt",
        ),
        ("is_linear=0", "is_linear=1", "linear tree 0"),
    ];
    for (from, to, needle) in cases {
        let msg = unsupported(&TINY.replacen(from, to, 1));
        assert!(msg.contains(needle), "{needle:?} in {msg:?}");
    }
    let ova = TINY
        .replace("num_class=1", "num_class=2")
        .replace("num_tree_per_iteration=1", "num_tree_per_iteration=2")
        .replace("binary sigmoid:1", "multiclassova num_class:2 sigmoid:1.5");
    assert!(unsupported(&ova).contains("only sigmoid:1"));
    // The linear tree is refused whichever tree it is.
    let linear = TINY.replace(
        "is_linear=0\nshrinkage=1\n\n\nend",
        "is_linear=1\nshrinkage=1\n\n\nend",
    );
    assert_eq!(unsupported(&linear), "linear tree 1 (linear_tree=true)");
}

#[test]
fn malformed_files_are_refused() {
    let cases = [
        (
            "left_child=-1",
            "left_child=5",
            "node 0 has children 5 and -2",
        ),
        (
            "left_child=-1",
            "left_child=0",
            "node 0 has children 0 and -2",
        ),
        (
            "left_child=-1",
            "left_child=-3",
            "node 0 has children -3 and -2",
        ),
        (
            "left_child=-1",
            "left_child=-9223372036854775808",
            "node 0 has children -9223372036854775808",
        ),
        ("left_child=-1", "left_child=-2", "leaf 1 is reached twice"),
        (
            "split_feature=1",
            "split_feature=9",
            "node 0 splits on feature 9 of 2",
        ),
        (
            "split_feature=1",
            "split_feature=-1",
            "split_feature holds \"-1\"",
        ),
        (
            "leaf_value=-0.5 1.5",
            "leaf_value=-0.5",
            "leaf_value has 1 values, expected 2",
        ),
        (
            "leaf_value=-0.5 1.5",
            "leaf_value=-0.5 1.5 2",
            "leaf_value has more than 2 values",
        ),
        (
            "leaf_value=-0.5 1.5",
            "leaf_value=-0.5 inf",
            "leaf 1 has value inf",
        ),
        (
            "leaf_value=-0.5 1.5",
            "leaf_value=-0.5 nan",
            "leaf 1 has value NaN",
        ),
        (
            "threshold=0.50000000000000011",
            "threshold=abc",
            "threshold holds \"abc\"",
        ),
        (
            "threshold=0.50000000000000011",
            "threshold=nan",
            "node 0 has threshold NaN",
        ),
        (
            "threshold=0.50000000000000011",
            "threshold=",
            "threshold has 0 values, expected 1",
        ),
        (
            "decision_type=2",
            "decision_type=12",
            "node 0 has decision_type 12",
        ),
        (
            "decision_type=2",
            "decision_type=-1",
            "node 0 has decision_type -1",
        ),
        (
            "decision_type=2",
            "decision_type=16",
            "node 0 has decision_type 16",
        ),
        (
            "decision_type=2",
            "decision_type=300",
            "decision_type holds \"300\"",
        ),
        ("num_leaves=2", "num_leaves=0", "bad num_leaves=0"),
        ("num_leaves=2", "num_leaves=x", "bad num_leaves=x"),
        ("num_leaves=2\n", "", "tree 0 (line 12): no num_leaves"),
        ("num_cat=0", "num_cat=-1", "num_cat=-1 is not a count"),
        (
            "max_feature_idx=1",
            "max_feature_idx=x",
            "max_feature_idx is not a count",
        ),
        (
            "max_feature_idx=1",
            "max_feature_idx=99999",
            "max_feature_idx is not a count",
        ),
        ("max_feature_idx=1\n", "", "no max_feature_idx line"),
        (
            "feature_names=a b",
            "feature_names=a",
            "1 feature names for 2 features",
        ),
        (
            "feature_names=a b",
            "feature_names=a a",
            "feature name \"a\" appears twice",
        ),
        (
            "num_class=1",
            "num_class=2",
            "num_class = 2 for objective \"binary sigmoid:1\"",
        ),
        (
            "num_tree_per_iteration=1",
            "num_tree_per_iteration=3",
            "num_tree_per_iteration = 3",
        ),
        (
            "Tree=1",
            "Tree=7",
            "line 31: \"Tree=7\" where tree 1 was expected",
        ),
        (
            "\nTree=1",
            "\ngarbage\nTree=1",
            "line 31: expected \"Tree=\" or \"end of trees\"",
        ),
        (
            "objective=binary sigmoid:1",
            "objective=",
            "empty objective line",
        ),
        ("tree\n", "", "line 1: expected \"tree\""),
    ];
    for (from, to, needle) in cases {
        assert!(TINY.contains(from), "{from:?}");
        let msg = malformed(&TINY.replacen(from, to, 1));
        assert!(msg.contains(needle), "{needle:?} in {msg:?}");
    }
    // A three-leaf tree whose second split nobody points at.
    let orphan = three_leaves().replace("right_child=1 -3", "right_child=-3 -2");
    assert!(malformed(&orphan).contains("node 1 is unreachable"));
    // Leaf 0 with two parents.
    let shared = three_leaves().replace("left_child=-1 -2", "left_child=-1 -1");
    assert!(malformed(&shared).contains("leaf 0 is reached twice"));
    // A cycle between the two splits.
    let cycle = three_leaves().replace("left_child=-1 -2", "left_child=-1 1");
    assert!(malformed(&cycle).contains("node 1 is reached twice"));

    let no_trees = TINY.replace("Tree=0", "Tree=X");
    assert!(malformed(&no_trees).contains("\"Tree=X\" where tree 0 was expected"));
    let no_end = &TINY[..TINY.find("end of trees").unwrap()];
    assert!(malformed(no_end).contains("truncated: no \"end of trees\" line"));
    let empty = format!("{}end of trees\n", &TINY[..TINY.find("Tree=0").unwrap()]);
    assert!(malformed(&empty).contains("no trees"));
    let too_many_leaves = TINY.replace("num_leaves=2", "num_leaves=9999999");
    assert!(unsupported(&too_many_leaves).contains("tree 0 has 9999999 leaves"));
}

#[test]
fn every_truncation_and_garbage_is_refused_without_panics() {
    let end = TINY.find("end of trees").unwrap();
    for cut in 0..end {
        assert!(read(&TINY[..cut]).is_err(), "cut at {cut}");
    }
    // Each line removed, doubled or replaced by garbage: an error or a valid model, never a
    // panic.
    let lines: Vec<&str> = TINY.lines().collect();
    for i in 0..lines.len() {
        for replacement in [
            "",
            "x=1",
            "=",
            "Tree=0",
            "left_child=-1 -1 -1",
            "num_leaves=3",
        ] {
            let mut edited = lines.clone();
            edited[i] = replacement;
            if let Ok(model) = read(&edited.join("\n")) {
                model.check().unwrap();
            }
        }
        let mut doubled = lines.clone();
        doubled.insert(i, lines[i]);
        if let Ok(model) = read(&doubled.join("\n")) {
            model.check().unwrap();
        }
    }
    for garbage in [
        "",
        "tree",
        "tree\n\n\n",
        "\u{0}\u{1}",
        "tree\nTree=0\nend of trees",
    ] {
        assert!(read(garbage).is_err(), "{garbage:?}");
    }
}

#[test]
fn the_dispatcher_recognizes_lightgbm_text() {
    assert!(looks_like(TINY));
    assert!(looks_like("tree\r\nversion=v4\r\n"));
    assert!(!looks_like("{\"learner\": 1}"));
    assert!(!looks_like("trees\n"));
    assert!(!looks_like("version=v4\ntree\n"));
    let (format, model) = crate::import::read_source(TINY.as_bytes(), "m.txt").unwrap();
    assert_eq!(format, Format::LightgbmText);
    assert_eq!(model, read(TINY).unwrap());
    // Leading blank lines, a byte-order mark and Windows line endings read the same.
    let padded = format!("\n  \n{TINY}");
    assert_eq!(
        crate::import::read_source(padded.as_bytes(), "m.txt")
            .unwrap()
            .1,
        model
    );
    assert_eq!(read(&format!("\u{feff}{TINY}")).unwrap(), model);
    assert_eq!(read(&TINY.replace('\n', "\r\n")).unwrap(), model);
    match crate::import::read_source(b"tree\nversion=v4\n", "m.txt") {
        Err(ImportError::Malformed { format, .. }) => assert_eq!(format, Format::LightgbmText),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Categorical splits.

/// Two trees over a categorical `c` and a numeric `n`:
/// - tree 0: node 0 splits `c` by bitset 0, words `10 2` = categories {1, 3, 33}, which go LEFT
///   to node 1 (`n <= 2.5` → 0.125, else 0.375; NaN left), everything else right → −0.25;
/// - tree 1: `c` by bitset 0, word `5` = {0, 2}, left 0.5, else right −0.5 (missing type
///   none, which does not change where NaN goes at a categorical split: right).
const CATEGORICAL_TREES: &str = "Tree=0
num_leaves=3
num_cat=1
split_feature=0 1
split_gain=1 1
threshold=0 2.5
decision_type=9 10
left_child=1 -2
right_child=-1 -3
leaf_value=-0.25 0.125 0.375
leaf_weight=1 1 1
leaf_count=1 1 1
internal_value=0 0
internal_weight=0 0
internal_count=3 2
cat_boundaries=0 2
cat_threshold=10 2
is_linear=0
shrinkage=1


Tree=1
num_leaves=2
num_cat=1
split_feature=0
split_gain=1
threshold=0
decision_type=1
left_child=-1
right_child=-2
leaf_value=0.5 -0.5
leaf_weight=1 1
leaf_count=1 1
internal_value=0
internal_weight=0
internal_count=2
cat_boundaries=0 1
cat_threshold=5
is_linear=0
shrinkage=1
";

/// TINY with features `c n` and the trees CATEGORICAL_TREES.
fn categorical_model() -> String {
    tiny_with_trees(CATEGORICAL_TREES).replace("feature_names=a b", "feature_names=c n")
}

/// The categorical model with `from` replaced by `to` in tree `t` only.
fn edit_tree(t: usize, from: &str, to: &str) -> String {
    let text = categorical_model();
    let start = text.find(&format!("Tree={t}")).unwrap();
    let (head, tail) = text.split_at(start);
    assert!(tail.contains(from), "{from:?} in tree {t}");
    format!("{head}{}", tail.replacen(from, to, 1))
}

#[test]
fn reads_categorical_splits() {
    let source = read(&categorical_model()).unwrap();
    let roots: [(&[u32], bool); 2] = [(&[1, 3, 33], true), (&[0, 2], true)];
    let (trees, missing) = check_categorical_source(&source, CategoryRead::TowardZero, &roots);
    assert_eq!(
        trees[0].nodes[1],
        SourceNode::Split {
            feature: 1,
            threshold: 2.5,
            left: 3,
            right: 4
        }
    );
    // NaN goes right at every categorical split, whatever its missing type and default bit.
    use crate::model::MissingRule::Nan;
    assert_eq!(missing.rules, [Nan, Nan]);
    assert_eq!(missing.default_left[0], [false, true, false, false, false]);
    assert_eq!(missing.default_left[1], [false, false, false]);
    for kind in ["3", "5", "11", "15"] {
        let text = edit_tree(1, "decision_type=1", &format!("decision_type={kind}"));
        assert_eq!(read(&text).unwrap(), source, "decision_type={kind}");
    }
}

#[test]
fn categorical_splits_follow_lightgbm_and_quantize_exactly() {
    let source = read(&categorical_model()).unwrap();
    // LightGBM (Tree::CategoricalDecision): NaN goes right; otherwise the value truncated
    // toward zero (static_cast<int>) goes right if negative, left iff its bit is set.
    let table = [
        // Each listed category.
        ([0.0, 1.0], -0.25 + 0.5),
        ([1.0, 1.0], 0.125 - 0.5),
        ([1.0, 3.0], 0.375 - 0.5),
        ([2.0, 1.0], -0.25 + 0.5),
        ([3.0, 1.0], 0.125 - 0.5),
        ([33.0, 3.0], 0.375 - 0.5),
        // One past every set, unlisted ones within the bitset's words and beyond them.
        ([34.0, 1.0], -0.25 - 0.5),
        ([5.0, 1.0], -0.25 - 0.5),
        ([32.0, 1.0], -0.25 - 0.5),
        ([64.0, 1.0], -0.25 - 0.5),
        ([65535.0, 1.0], -0.25 - 0.5),
        ([4294967297.0, 1.0], -0.25 - 0.5),
        // Negative: -1 is no category, but -0.5 truncates to category 0.
        ([-1.0, 1.0], -0.25 - 0.5),
        ([-1.5, 1.0], -0.25 - 0.5),
        ([-0.5, 1.0], -0.25 + 0.5),
        ([-0.999, 1.0], -0.25 + 0.5),
        ([-0.0, 1.0], -0.25 + 0.5),
        // Fractions truncate: 2.7 is category 2, 1.5 is 1, 33.99 is 33.
        ([2.7, 1.0], -0.25 + 0.5),
        ([1.5, 1.0], 0.125 - 0.5),
        ([33.99, 3.0], 0.375 - 0.5),
        ([2.9999999999, 1.0], -0.25 + 0.5),
        // Huge values are no listed category.
        ([1e10, 1.0], -0.25 - 0.5),
        ([-1e10, 1.0], -0.25 - 0.5),
        ([1e300, 1.0], -0.25 - 0.5),
        // NaN goes right at both categorical splits; at n <= 2.5 it goes left.
        ([f64::NAN, 1.0], -0.25 - 0.5),
        ([f64::NAN, 3.0], -0.25 - 0.5),
        ([1.0, f64::NAN], 0.125 - 0.5),
    ];
    let model = check_score_table(&source, &table);
    check_categorical_model(
        &model,
        (CategoryRead::TowardZero, 34),
        &[vec![Some(vec![1, 3, 33]), None], vec![Some(vec![0, 2])]],
        &[
            (0.0, Some(0)),
            (-0.5, Some(0)),
            (33.5, Some(33)),
            (34.0, Some(34)),
            (-1.0, Some(34)),
            (1e10, Some(34)),
            (f64::NAN, None),
        ],
    );
}

/// A bitset of `words` words whose only set bit is `bit` of the last word.
fn last_bit_bitset(words: usize, bit: u32) -> String {
    let mut text = edit_tree(
        0,
        "cat_boundaries=0 2",
        &format!("cat_boundaries=0 {words}"),
    );
    let mut threshold = vec!["0".to_string(); words];
    threshold[0] = "10".into();
    threshold[words - 1] = (1u32 << bit).to_string();
    text = text.replacen(
        "cat_threshold=10 2",
        &format!("cat_threshold={}", threshold.join(" ")),
        1,
    );
    text
}

#[test]
fn a_category_up_to_65534_is_read() {
    // Word 2047, bit 30: category 65534.
    let source = read(&last_bit_bitset(2048, 30)).unwrap();
    let SourceBody::Trees { trees, .. } = &source.body else {
        panic!()
    };
    let SourceNode::CategorySplit { set, .. } = &trees[0].nodes[0] else {
        panic!()
    };
    assert_eq!(set, &[1, 3, 65534]);
    let table = [
        ([65534.0, 1.0], 0.125 - 0.5),
        ([65534.9, 3.0], 0.375 - 0.5),
        ([65533.0, 1.0], -0.25 - 0.5),
        ([65535.0, 1.0], -0.25 - 0.5),
        ([33.0, 1.0], -0.25 - 0.5),
    ];
    let model = check_score_table(&source, &table);
    assert_eq!(model.categories(0).map(|c| c.count), Some(65535));
}

#[test]
fn malformed_and_unsupported_categorical_splits_are_refused() {
    // A threshold that names no bitset.
    for threshold in ["1", "5", "-1", "0.5", "1e300", "nan"] {
        let text = edit_tree(0, "threshold=0 2.5", &format!("threshold={threshold} 2.5"));
        let msg = malformed(&text);
        assert!(
            msg.contains("tree 0 (line ") && msg.contains("node 0 names bitset"),
            "{threshold}: {msg}"
        );
    }
    let text = edit_tree(1, "threshold=0", "threshold=1");
    assert!(malformed(&text).contains("tree 1 (line "));
    assert!(malformed(&text).contains("node 0 names bitset 1"));
    // Bitsets need cat_boundaries and cat_threshold, of the declared lengths.
    let cases = [
        (0, "cat_boundaries=0 2\n", "", "no cat_boundaries"),
        (1, "cat_threshold=5\n", "", "no cat_threshold"),
        (
            0,
            "cat_threshold=10 2",
            "cat_threshold=10",
            "cat_threshold has 1 values, expected 2",
        ),
        (
            0,
            "cat_threshold=10 2",
            "cat_threshold=10 2 7",
            "cat_threshold has more than 2 values",
        ),
        (
            0,
            "cat_boundaries=0 2",
            "cat_boundaries=0 1 2",
            "cat_boundaries has more than 2 values",
        ),
        (
            0,
            "num_cat=1",
            "num_cat=2",
            "cat_boundaries has 2 values, expected 3",
        ),
        (
            0,
            "cat_boundaries=0 2",
            "cat_boundaries=1 0",
            "cat_threshold has more than 0 values",
        ),
        (
            0,
            "cat_boundaries=0 2",
            "cat_boundaries=0 99999999999",
            "cat_threshold has 2 values, expected 99999999999",
        ),
        (
            0,
            "cat_threshold=10 2",
            "cat_threshold=10 x",
            "cat_threshold holds \"x\"",
        ),
        (
            0,
            "cat_threshold=10 2",
            "cat_threshold=10 4294967296",
            "cat_threshold holds \"4294967296\"",
        ),
        (
            0,
            "cat_boundaries=0 2",
            "cat_boundaries=0 -2",
            "cat_boundaries holds \"-2\"",
        ),
    ];
    for (t, from, to, needle) in cases {
        let msg = malformed(&edit_tree(t, from, to));
        assert!(
            msg.contains(needle),
            "{from:?} → {to:?}: {needle:?} in {msg:?}"
        );
    }
    // A bitset outside cat_threshold.
    let text = edit_tree(0, "num_cat=1", "num_cat=2").replacen(
        "cat_boundaries=0 2",
        "cat_boundaries=0 3 2",
        1,
    );
    assert!(malformed(&text).contains("bitset 0 is outside cat_threshold"));
    let text = edit_tree(0, "num_cat=1", "num_cat=2").replacen(
        "cat_boundaries=0 2",
        "cat_boundaries=1 0 2",
        1,
    );
    assert!(malformed(&text).contains("bitset 0 is outside cat_threshold"));
    // Category 65535 (bit 31 of word 2047) needs a 17th bit for the other code.
    for (words, bit, category) in [(2048, 31, 65535), (4096, 0, 131040)] {
        let msg = unsupported(&last_bit_bitset(words, bit));
        assert!(
            msg.starts_with(&format!("bitset 0 names category {category} (at most")),
            "{msg}"
        );
    }
    // A feature split both by category and at a threshold, in one tree or across trees.
    let text = edit_tree(0, "split_feature=0 1", "split_feature=0 0");
    assert_eq!(
        unsupported(&text),
        "feature 0 is split both by category and at a threshold"
    );
    let text = edit_tree(1, "split_feature=0", "split_feature=1");
    assert_eq!(
        unsupported(&text),
        "feature 1 is split both by category and at a threshold"
    );
}
