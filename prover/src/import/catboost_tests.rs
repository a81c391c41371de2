use serde_json::{json, Value};

use super::{read, read_with};
use crate::error::{Format, FormatError};
use crate::fixed_point::SplitRule;
use crate::import::detect_format;
use crate::import::test_support::check_score_table;
use crate::import::xgboost::tests::float_scores;
use crate::model::{Link, MissingRule, Precision, Task};
use crate::source::{SourceBody, SourceModel};

/// A CatBoost JSON file over float features `(name, nan_value_treatment)`, with `trees` under
/// `key` (`oblivious_trees` or `trees`), `loss` and `scale_and_bias`.
fn file(
    features: &[(&str, &str)],
    key: &str,
    trees: Value,
    loss: &str,
    scale_and_bias: Value,
) -> Vec<u8> {
    let float_features: Vec<Value> = (features.iter().enumerate())
        .map(|(i, (name, nan))| {
            json!({"borders": [], "feature_id": name, "feature_index": i,
                   "flat_feature_index": i, "has_nans": true, "nan_value_treatment": nan})
        })
        .collect();
    let mut doc = json!({
        "features_info": {"float_features": float_features},
        "model_info": {
            "catboost_version_info": "Git info:\n    Commit: abc\n    Branch: tags/v1.2.10\n",
            "params": {"loss_function": {"type": loss, "params": {}}},
        },
        "scale_and_bias": scale_and_bias,
    });
    doc[key] = trees;
    serde_json::to_vec_pretty(&doc).unwrap()
}

fn split(feature: usize, border: f64) -> Value {
    json!({"border": border, "float_feature_index": feature, "split_index": 0,
           "split_type": "FloatFeature"})
}

fn oblivious(splits: &[(usize, f64)], leaves: &[f64]) -> Value {
    let splits: Vec<Value> = splits.iter().map(|&(f, b)| split(f, b)).collect();
    json!({"leaf_values": leaves, "leaf_weights": vec![1; leaves.len()], "splits": splits})
}

/// CatBoost's own evaluation of a symmetric tree: bit `i` is set iff split `i`'s feature
/// exceeds its border in float32 (NaN: iff its treatment is `AsTrue`); the leaf is the bits'
/// number.
fn reference_leaf(splits: &[(usize, f64)], leaves: &[f64], x: &[f64], nan_sets: &[bool]) -> f64 {
    let index = splits
        .iter()
        .enumerate()
        .fold(0, |index, (i, &(f, border))| {
            let bit = match x[f] {
                v if v.is_nan() => nan_sets[f],
                v => (v as f32) > (border as f32),
            };
            index | usize::from(bit) << i
        });
    leaves[index]
}

fn trees_of(source: &SourceModel) -> usize {
    match &source.body {
        SourceBody::Trees { trees, .. } => trees.len(),
        _ => panic!("a tree ensemble"),
    }
}

#[test]
fn a_symmetric_tree_s_leaf_index_has_one_bit_per_split_in_list_order() {
    // Bit 0: a > 0.5; bit 1: b > 1.5. A value on a border does not set its bit.
    let tree = oblivious(&[(0, 0.5), (1, 1.5)], &[-0.5, 0.25, 0.75, 1.5]);
    let bytes = file(
        &[("a", "AsIs"), ("b", "AsIs")],
        "oblivious_trees",
        json!([tree]),
        "Logloss",
        json!([1, [0]]),
    );
    assert_eq!(detect_format(&bytes), Some(Format::CatboostJson));
    let source = read(&bytes).unwrap();
    assert_eq!(source.source, "catboost 1.2.10 Logloss");
    assert_eq!(source.feature_names, ["a", "b"]);
    assert_eq!((source.task, source.link), (Task::Binary, Link::Logistic));
    assert_eq!(source.classes, ["0", "1"]);
    assert_eq!(source.precision, Precision::F32);
    let SourceBody::Trees { rule, missing, .. } = &source.body else {
        panic!("trees")
    };
    assert_eq!(*rule, SplitRule::LessOrEqual);
    let rules = &missing.as_ref().expect("NaN is read").rules;
    assert_eq!(rules, &[MissingRule::Nan; 2]);
    check_score_table(
        &source,
        &[
            ([0.0, 0.0], -0.5),
            ([0.5, 1.5], -0.5),
            ([0.6, 1.0], 0.25),
            ([0.0, 2.0], 0.75),
            ([1.0, 1.6], 1.5),
        ],
    );
}

#[test]
fn nan_takes_the_side_its_feature_s_treatment_gives() {
    let tree = oblivious(&[(0, 0.5), (1, 1.5)], &[-0.5, 0.25, 0.75, 1.5]);
    for (treatments, expected) in [
        (["AsFalse", "AsFalse"], [-0.5, 0.75, -0.5]),
        (["AsIs", "AsIs"], [-0.5, 0.75, -0.5]),
        (["AsTrue", "AsFalse"], [0.25, 1.5, -0.5]),
        (["AsTrue", "AsTrue"], [0.25, 1.5, 0.75]),
    ] {
        let features = [("a", treatments[0]), ("b", treatments[1])];
        let bytes = file(
            &features,
            "oblivious_trees",
            json!([tree.clone()]),
            "Logloss",
            json!([1, [0]]),
        );
        let source = read(&bytes).unwrap();
        let inputs = [[f64::NAN, 0.0], [f64::NAN, 2.0], [0.0, f64::NAN]];
        // A feature whose training saw no NaN has its treatment recorded but not applied.
        let mut unseen: Value = serde_json::from_slice(&bytes).unwrap();
        for feature in unseen["features_info"]["float_features"]
            .as_array_mut()
            .unwrap()
        {
            feature["has_nans"] = json!(false);
        }
        let unseen = read(&serde_json::to_vec(&unseen).unwrap()).unwrap();
        assert_eq!(float_scores(&unseen, &inputs[1]), [0.75], "{treatments:?}");
        for (x, want) in inputs.iter().zip(expected) {
            assert_eq!(float_scores(&source, x), [want], "{treatments:?} {x:?}");
            let model = crate::quantize::quantize(&source, None).unwrap();
            let q = model.quantize_input(x).unwrap();
            let scores = crate::inference::infer(&model, &q).real_scores(&model);
            assert_eq!(scores, [want], "quantized: {treatments:?} {x:?}");
        }
    }
}

/// Random symmetric trees that split one feature at several levels: the imported trees, with
/// their unreachable leaves left out, give CatBoost's leaf on every input, NaN and values on
/// the borders included.
#[test]
fn unreachable_leaves_are_left_out_without_changing_a_prediction() {
    let borders = [-1.0, 0.0, 0.5, 2.0];
    let values = [-3.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0, 5.0, f64::NAN];
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut pruned = 0;
    for round in 0..60 {
        let depth = 1 + next(4);
        let splits: Vec<(usize, f64)> = (0..depth).map(|_| (next(2), borders[next(4)])).collect();
        let leaves: Vec<f64> = (0..1 << depth).map(|i| i as f64 / 8.0 - 0.75).collect();
        let nan_sets = [next(2) == 1, next(2) == 1];
        let treatment = |sets: bool| if sets { "AsTrue" } else { "AsFalse" };
        let bytes = file(
            &[("a", treatment(nan_sets[0])), ("b", treatment(nan_sets[1]))],
            "oblivious_trees",
            json!([oblivious(&splits, &leaves)]),
            "RMSE",
            json!([1, [0]]),
        );
        let source = read(&bytes).unwrap();
        let SourceBody::Trees { trees, .. } = &source.body else {
            panic!("trees")
        };
        pruned += (2 << depth) - 1 - trees[0].nodes.len();
        for a in values {
            for b in values {
                let want = reference_leaf(&splits, &leaves, &[a, b], &nan_sets);
                let got = float_scores(&source, &[a, b]);
                assert_eq!(
                    got,
                    [want],
                    "round {round}: {splits:?} {nan_sets:?} at {a}, {b}"
                );
            }
        }
    }
    assert!(pruned > 100, "only {pruned} nodes left out");
}

#[test]
fn non_symmetric_trees_multiclass_leaves_scale_and_bias() {
    // Depthwise/Lossguide trees: right iff the value exceeds the border.
    let leaf = |v: [f64; 3]| json!({"value": v, "weight": 1});
    let tree = json!({
        "split": split(1, 0.5),
        "left": leaf([1.0, 0.0, 0.0]),
        "right": {"split": split(0, -1.0), "left": leaf([0.0, 1.0, 0.0]),
                  "right": leaf([0.0, 0.0, 1.0])},
    });
    let bytes = file(
        &[("", "AsIs"), ("", "AsTrue")],
        "trees",
        json!([tree]),
        "MultiClass",
        json!([2, [0.25, 0.0, -0.25]]),
    );
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    doc["model_info"]["class_params"] = json!({"class_names": ["low", "mid", 7]});
    let source = read(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(source.feature_names, ["f0", "f1"]);
    assert_eq!(
        (source.task, source.link),
        (Task::Multiclass, Link::Softmax)
    );
    assert_eq!(source.classes, ["low", "mid", "7"]);
    for (x, want) in [
        ([0.0, 0.5], [2.25, 0.0, -0.25]),
        ([-1.0, 0.6], [0.25, 2.0, -0.25]),
        ([0.0, 0.6], [0.25, 0.0, 1.75]),
        ([0.0, f64::NAN], [0.25, 0.0, 1.75]),
    ] {
        assert_eq!(float_scores(&source, &x), want, "{x:?}");
    }
}

#[test]
fn iterations_keep_the_first_trees() {
    let trees: Vec<Value> = (0..5)
        .map(|i| oblivious(&[(0, f64::from(i))], &[-0.5, 0.5]))
        .collect();
    let bytes = file(
        &[("a", "AsIs")],
        "oblivious_trees",
        json!(trees),
        "RMSE",
        json!([1, [3.0]]),
    );
    let all = read(&bytes).unwrap();
    assert_eq!(trees_of(&all), 5);
    assert_eq!(all.task, Task::Regression);
    assert!(all.classes.is_empty());
    assert_eq!(float_scores(&all, &[2.5]), [3.5]);
    let some = read_with(&bytes, Some(2)).unwrap();
    assert_eq!(trees_of(&some), 2);
    assert!(some.source.contains("2 of 5 iterations"), "{}", some.source);
    assert_eq!(float_scores(&some, &[2.5]), [4.0]);
    assert!(read_with(&bytes, Some(6)).is_err());
}

#[test]
fn what_catboost_reads_without_thresholds_is_refused_by_name() {
    let tree = oblivious(&[(0, 0.5)], &[-0.5, 0.5]);
    let base = || {
        let bytes = file(
            &[("a", "AsIs")],
            "oblivious_trees",
            json!([tree.clone()]),
            "Logloss",
            json!([1, [0]]),
        );
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let refused = |doc: Value| read(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    let unsupported = |doc: Value, needle: &str| match refused(doc) {
        FormatError::Unsupported(why) => assert!(why.contains(needle), "{why}"),
        other => panic!("{needle}: {other:?}"),
    };

    let mut doc = base();
    doc["features_info"]["categorical_features"] =
        json!([{"feature_id": "city", "feature_index": 0, "flat_feature_index": 1}]);
    unsupported(doc, "CatBoost categorical features (\"city\")");
    let mut doc = base();
    doc["features_info"]["text_features"] = json!([{"feature_index": 0, "flat_feature_index": 1}]);
    unsupported(doc, "text features (column 1)");
    let mut doc = base();
    doc["model_info"]["params"]["loss_function"]["type"] = json!("Poisson");
    unsupported(doc, "loss function \"Poisson\"");
    let mut doc = base();
    doc["oblivious_trees"][0]["splits"][0]["split_type"] = json!("OneHotFeature");
    unsupported(doc, "\"OneHotFeature\" split");
    let mut doc = base();
    doc["features_info"]["float_features"][0]["nan_value_treatment"] = json!("Sometimes");
    unsupported(doc, "nan_value_treatment");
    let mut doc = base();
    doc["model_info"]["binclass_probability_threshold"] = json!("0.3");
    unsupported(doc, "a binary decision threshold of \"0.3\"");
    let mut doc = base();
    doc["model_info"]["binclass_probability_threshold"] = json!("0.5");
    assert!(read(&serde_json::to_vec(&doc).unwrap()).is_ok());
    let mut doc = base();
    doc["features_info"]["float_features"][0]["flat_feature_index"] = json!(u64::MAX);
    unsupported(doc, "feature columns");
    let deep: Vec<(usize, f64)> = (0..17).map(|i| (0, f64::from(i))).collect();
    let mut doc = base();
    doc["oblivious_trees"][0] = oblivious(&deep, &vec![0.0; 1 << 17]);
    unsupported(doc, "depth 17");

    for (path, value, needle) in [
        (
            "/oblivious_trees/0/leaf_values",
            json!([1.0]),
            "1 leaf values",
        ),
        ("/oblivious_trees", json!([]), "no trees"),
        (
            "/oblivious_trees/0/splits/0/float_feature_index",
            json!(3),
            "float feature 3",
        ),
        ("/scale_and_bias", json!([1, [0, 0]]), "2 biases"),
        ("/model_info/params", json!({}), "loss_function"),
        (
            "/features_info/float_features/0/feature_index",
            json!(4),
            "feature_index 4",
        ),
    ] {
        let mut doc = base();
        *doc.pointer_mut(path).unwrap() = value;
        match refused(doc) {
            FormatError::Malformed(why) => assert!(why.contains(needle), "{path}: {why}"),
            other => panic!("{path}: {other:?}"),
        }
    }
    let mut doc = base();
    doc["model_info"]["class_params"] = json!({"class_names": [0, 1, 2]});
    assert!(matches!(refused(doc), FormatError::Malformed(why) if why.contains("3 class_names")));
    let mut doc = base();
    doc["trees"] = json!([]);
    assert!(matches!(refused(doc), FormatError::Malformed(why) if why.contains("either")));
}
