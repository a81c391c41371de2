use serde_json::{json, Value};

use super::{logit_f32, read, read_with};
use crate::error::{FormatError, ImportError};
use crate::fixed_point::SplitRule;
use crate::import::test_support::{
    check_categorical_model, check_categorical_source, check_score_table,
};
use crate::model::{CategoryRead, Link, Precision, Task};
use crate::source::{SourceBody, SourceModel, SourceNode, SourceTree};

// ---------------------------------------------------------------------------------------------
// Float evaluation of a SourceModel and held-out CSV comparison, shared with the LightGBM tests.

/// The library's float semantics ([`SourceModel::float_scores`]).
pub(in crate::import) fn float_scores(model: &SourceModel, x: &[f64]) -> Vec<f64> {
    model.float_scores(x)
}

/// The leaf values an input reaches, rounded to the model's precision first.
fn leaf<'m>(model: &SourceModel, rule: SplitRule, tree: &'m SourceTree, x: &[f64]) -> &'m [f64] {
    let x: Vec<f64> = match model.precision {
        Precision::F32 => x.iter().map(|&v| f64::from(v as f32)).collect(),
        Precision::F64 => x.to_vec(),
    };
    tree.float_leaf(rule, &[], &x, None)
}

/// The class of scores: binary `score > 0`, multiclass the first largest score.
pub(in crate::import) fn class_of(model: &SourceModel, scores: &[f64]) -> usize {
    crate::inference::decide(model.task, scores).expect("a classifier")
}

/// A held-out CSV: feature columns named as in the model, then `expected_class` (classifiers)
/// and `expected_score` or `expected_score_<k>`.
pub(in crate::import) struct Heldout {
    pub rows: Vec<Vec<f64>>,
    pub classes: Option<Vec<usize>>,
    pub scores: Vec<Vec<f64>>,
}

pub(in crate::import) fn example_path(name: &str, file: &str) -> String {
    format!(
        "{}/../examples/models/{name}/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

pub(in crate::import) fn read_heldout(name: &str, model: &SourceModel) -> Heldout {
    let mut reader = csv::Reader::from_path(example_path(name, "heldout.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let features = model.feature_names.len();
    assert_eq!(
        header[..features],
        model.feature_names[..],
        "{name}: CSV feature columns"
    );
    let column = |key: &str| header.iter().position(|h| h == key);
    let class_column = column("expected_class");
    let score_columns: Vec<usize> = match model.num_scores() {
        1 => vec![column("expected_score").expect("expected_score column")],
        k => (0..k)
            .map(|c| column(&format!("expected_score_{c}")).expect("expected_score_<k>"))
            .collect(),
    };
    let mut heldout = Heldout {
        rows: Vec::new(),
        classes: class_column.map(|_| Vec::new()),
        scores: Vec::new(),
    };
    for record in reader.records() {
        let record = record.unwrap();
        let number = |i: usize| record[i].parse::<f64>().unwrap();
        heldout.rows.push((0..features).map(number).collect());
        heldout
            .scores
            .push(score_columns.iter().map(|&i| number(i)).collect());
        if let (Some(classes), Some(i)) = (&mut heldout.classes, class_column) {
            classes.push(record[i].parse().unwrap());
        }
    }
    assert!(!heldout.rows.is_empty(), "{name}: no rows");
    heldout
}

/// Compares the float evaluation with the CSV: every class must agree; returns the largest
/// score error and the number of rows.
pub(in crate::import) fn max_score_error(name: &str, model: &SourceModel) -> (f64, usize) {
    let heldout = read_heldout(name, model);
    let mut max_error = 0f64;
    for (r, (x, expected)) in heldout.rows.iter().zip(&heldout.scores).enumerate() {
        let scores = float_scores(model, x);
        if let Some(classes) = &heldout.classes {
            assert_eq!(
                class_of(model, &scores),
                classes[r],
                "{name}: row {r} {scores:?}"
            );
        }
        for (s, e) in scores.iter().zip(expected) {
            max_error = max_error.max((s - e).abs());
        }
    }
    (max_error, heldout.rows.len())
}

// ---------------------------------------------------------------------------------------------
// Real files.

fn read_example(name: &str) -> SourceModel {
    let bytes = std::fs::read(example_path(name, "model.json")).unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    let model = read(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
    model.check().unwrap();
    // The dispatcher recognizes and reads it the same way.
    let (_, via_dispatch) = crate::import::read_source(&bytes, "model.json").unwrap();
    assert_eq!(via_dispatch, model);
    model
}

/// XGBoost's own prediction: the margin starts at the float32 base margin and each tree's
/// float32 leaf is added in float32, in tree order.
fn xgboost_f32_margins(model: &SourceModel, x: &[f64]) -> (Vec<f32>, Vec<f64>) {
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!()
    };
    let mut margins: Vec<f32> = base.iter().map(|&b| b as f32).collect();
    // Σ |partial sums|: each float32 addition errs by at most 2^-24 of its result.
    let mut magnitude: Vec<f64> = vec![0.0; margins.len()];
    for tree in trees {
        let c = tree.target.unwrap();
        let value = leaf(model, *rule, tree, x)[0];
        assert_eq!(f64::from(value as f32), value, "leaves are float32 values");
        margins[c] += value as f32;
        magnitude[c] += f64::from(margins[c].abs());
    }
    (margins, magnitude)
}

/// Checks an XGBoost example against its CSV and reports the largest error of the float64
/// evaluation. The CSV holds XGBoost's float32 margins, so two comparisons:
/// - the float32 re-summation above must reproduce every recorded margin bit for bit (this
///   pins the base margin, every leaf and threshold, and the float32 input rounding);
/// - the float64 sum of the SourceModel, which is what zkinfer quantizes, may differ from the
///   float32 sum by at most the rounding of the float32 additions, `Σ_k 2^-24 |s_k|` over the
///   partial sums `s_k`; that bound is the tolerance, per row and output.
fn check_xgboost_example(name: &str) -> SourceModel {
    let model = read_example(name);
    let heldout = read_heldout(name, &model);
    let mut max_error = 0f64;
    let mut max_bound = 0f64;
    for (r, (x, expected)) in heldout.rows.iter().zip(&heldout.scores).enumerate() {
        let (f32_margins, magnitude) = xgboost_f32_margins(&model, x);
        let scores = float_scores(&model, x);
        for c in 0..scores.len() {
            assert_eq!(
                f64::from(f32_margins[c]),
                expected[c],
                "{name}: row {r} output {c}: float32 re-summation"
            );
            // (plus float64 rounding, 2^-52 per addition)
            let bound = magnitude[c] * (f64::from(f32::EPSILON) / 2.0 + f64::EPSILON);
            let error = (scores[c] - expected[c]).abs();
            assert!(
                error <= bound,
                "{name}: row {r} output {c}: error {error:e} > bound {bound:e}"
            );
            max_error = max_error.max(error);
            max_bound = max_bound.max(bound);
        }
        if let Some(classes) = &heldout.classes {
            assert_eq!(class_of(&model, &scores), classes[r], "{name}: row {r}");
        }
    }
    let (error, rows) = max_score_error(name, &model);
    assert_eq!(error, max_error);
    println!(
        "{name}: {rows} rows, classes agree, float32 margins exact, float64 max error {max_error:.3e} \
         (largest bound {max_bound:.3e})"
    );
    model
}

fn depth(nodes: &[SourceNode], i: usize) -> usize {
    match nodes[i].children() {
        Some((left, right)) => 1 + depth(nodes, left).max(depth(nodes, right)),
        None => 0,
    }
}

#[test]
fn flagship_breast_cancer_xgboost_matches_xgboost() {
    let model = check_xgboost_example("breast_cancer_xgboost");
    assert_eq!(model.source, "xgboost 3.2.0 binary:logistic");
    assert_eq!(
        (model.task, model.link, model.precision),
        (Task::Binary, Link::Logistic, Precision::F32)
    );
    assert_eq!(model.classes, ["0", "1"]);
    assert_eq!(model.feature_names.len(), 30);
    assert_eq!(model.feature_names[0], "mean_radius");
    assert_eq!(model.feature_names[29], "worst_fractal_dimension");
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!()
    };
    assert_eq!(*rule, SplitRule::LessThan);
    // base_score "[6.2676054E-1]": XGBoost's margin is -logf(1/p - 1) = 0.5183442831039429.
    assert_eq!(base, &[0.5183442831039429]);
    assert_eq!(trees.len(), 100);
    assert!(trees.iter().all(|t| t.target == Some(0)));
    assert_eq!(trees.iter().map(|t| depth(&t.nodes, 0)).max(), Some(6));
    // The first tree as written in the file: node 0 splits worst_perimeter (22) at 106.2.
    let SourceNode::Split {
        feature, threshold, ..
    } = trees[0].nodes[0]
    else {
        panic!()
    };
    assert_eq!((feature, threshold), (22, f64::from(106.2f32)));
    assert_eq!(trees[0].nodes.len(), 27);
}

#[test]
fn iris_xgboost_multiclass_matches_xgboost() {
    let model = check_xgboost_example("iris_xgboost_multiclass");
    assert_eq!(model.source, "xgboost 3.2.0 multi:softprob");
    assert_eq!((model.task, model.link), (Task::Multiclass, Link::Softmax));
    assert_eq!(model.classes, ["0", "1", "2"]);
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!()
    };
    // base_score "[-8.889437E-3,-8.889437E-3,1.7778754E-2]": one margin per class.
    assert_eq!(
        base,
        &[
            f64::from(-8.889437e-3f32),
            f64::from(-8.889437e-3f32),
            f64::from(1.7778754e-2f32)
        ]
    );
    // tree_info cycles 0, 1, 2.
    assert_eq!(trees.len(), 60);
    assert!(trees
        .iter()
        .enumerate()
        .all(|(t, tree)| tree.target == Some(t % 3)));
}

/// Trained with early stopping: 24 rounds in the file, `best_iteration` 13. The import keeps
/// the 14 trees the scikit-learn wrapper's `predict` uses, and matches its margins bit for bit
/// in float32 (`check_xgboost_example`); every tree, when asked.
#[test]
fn an_early_stopped_model_keeps_the_trees_up_to_its_best_iteration() {
    let model = check_xgboost_example("credit_xgboost_early_stopping");
    let trees = |model: &SourceModel| match &model.body {
        SourceBody::Trees { trees, .. } => trees.len(),
        _ => panic!("a tree model"),
    };
    assert_eq!(trees(&model), 14);
    assert_eq!(
        model.source,
        "xgboost 3.2.0 binary:logistic (14 of 24 iterations, to its early-stopping \
         best_iteration 13, as the scikit-learn wrapper predicts; --iterations 24 for \
         Booster.predict's)"
    );
    let bytes = std::fs::read(example_path("credit_xgboost_early_stopping", "model.json"));
    let mut json: Value = serde_json::from_slice(&bytes.unwrap()).unwrap();
    let all = read_with(&json, Some(24)).unwrap();
    assert_eq!(trees(&all), 24);
    assert_eq!(all.source, "xgboost 3.2.0 binary:logistic");
    let first = read_with(&json, Some(3)).unwrap();
    assert_eq!(trees(&first), 3);
    assert!(first
        .source
        .ends_with("(3 of 24 iterations, as chosen at import)"));
    for beyond in [0, 25] {
        match read_with(&json, Some(beyond)) {
            Err(FormatError::Unsupported(msg)) => {
                assert_eq!(
                    msg,
                    format!("keeping {beyond} boosting iterations: the model has 1 to 24")
                )
            }
            other => panic!("{other:?}"),
        }
    }
    // Without iteration_indptr (files of XGBoost < 2), one tree an iteration, the same model.
    let model_json = &mut json["learner"]["gradient_booster"]["model"];
    let indptr = model_json
        .as_object_mut()
        .unwrap()
        .remove("iteration_indptr");
    assert!(indptr.is_some());
    assert_eq!(read(&json).unwrap(), model);
    // Without num_parallel_tree either, the iterations cannot be told: refused, not guessed.
    let param = &mut json["learner"]["gradient_booster"]["model"]["gbtree_model_param"];
    let parallel = param
        .as_object_mut()
        .unwrap()
        .remove("num_parallel_tree")
        .unwrap();
    assert_eq!(
        malformed(&json),
        "no iteration_indptr or num_parallel_tree to tell iterations by"
    );
    json["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_parallel_tree"] =
        parallel;
    // A best_iteration past the rounds, and bounds that do not split the trees, are malformed.
    json["learner"]["attributes"]["best_iteration"] = json!("24");
    assert_eq!(
        malformed(&json),
        "best_iteration 24 of a model of 24 iterations"
    );
    json["learner"]["attributes"]["best_iteration"] = json!("13");
    json["learner"]["gradient_booster"]["model"]["iteration_indptr"] = json!([0, 5, 5, 24]);
    assert_eq!(
        malformed(&json),
        "iteration_indptr does not split the 24 trees into iterations"
    );
}

#[test]
fn diabetes_xgboost_regressor_matches_xgboost() {
    let model = check_xgboost_example("diabetes_xgboost_regressor");
    assert_eq!(model.source, "xgboost 3.2.0 reg:squarederror");
    assert_eq!(
        (model.task, model.link, model.classes.len()),
        (Task::Regression, Link::Identity, 0)
    );
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!()
    };
    assert_eq!(base, &[f64::from(1.5192145e2f32)]);
    assert_eq!(trees.len(), 50);
}

#[test]
fn truncated_and_corrupted_flagship_files_are_refused_without_panics() {
    let bytes = std::fs::read(example_path("breast_cancer_xgboost", "model.json")).unwrap();
    for cut in (1..bytes.len()).step_by(997).chain([bytes.len() - 1]) {
        match crate::import::read_source(&bytes[..cut], "m.json") {
            Err(ImportError::Malformed { .. } | ImportError::UnknownFormat { .. }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    // Every integer array element of the first tree replaced by hostile values.
    for key in ["left_children", "right_children", "split_indices"] {
        for node in 0..27 {
            for bad in [
                json!(-2),
                json!(27),
                json!(1u64 << 40),
                json!(0.5),
                json!(null),
            ] {
                let mut json = json.clone();
                json["learner"]["gradient_booster"]["model"]["trees"][0][key][node] = bad;
                if let Ok(model) = read(&json) {
                    // Only harmless changes may pass (e.g. a leaf's unused split index).
                    model.check().unwrap();
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-written models.

/// A binary:logistic model with one tree: x0 < 0.5 → leaf −0.25, else (x1 < 2 → 0.125, 0.375).
fn tiny() -> Value {
    json!({
        "learner": {
            "attributes": {},
            "feature_names": ["a", "b"],
            "learner_model_param": {"base_score": "[5E-1]", "num_class": "0", "num_feature": "2", "num_target": "1"},
            "objective": {"name": "binary:logistic"},
            "gradient_booster": {"name": "gbtree", "model": {
                "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "1"},
                "tree_info": [0],
                "trees": [{
                    "left_children": [1, -1, 3, -1, -1],
                    "right_children": [2, -1, 4, -1, -1],
                    "split_indices": [0, 0, 1, 0, 0],
                    "split_conditions": [0.5, -0.25, 2.0, 0.125, 0.375],
                    "split_type": [0, 0, 0, 0, 0],
                    "default_left": [1, 0, 0, 0, 0],
                    "categories_nodes": [],
                    "tree_param": {"num_nodes": "5", "size_leaf_vector": "1"}
                }]
            }}
        },
        "version": [3, 2, 0]
    })
}

fn tree_mut(json: &mut Value) -> &mut Value {
    json.pointer_mut("/learner/gradient_booster/model/trees/0")
        .unwrap()
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

fn base_of(json: &Value) -> Vec<f64> {
    match read(json).unwrap().body {
        SourceBody::Trees { base, .. } => base,
        other => panic!("not trees: {other:?}"),
    }
}

#[test]
fn reads_a_binary_logistic_tree() {
    let model = read(&tiny()).unwrap();
    model.check().unwrap();
    assert_eq!(model.source, "xgboost 3.2.0 binary:logistic");
    assert_eq!(model.feature_names, ["a", "b"]);
    assert_eq!(
        (model.task, model.link, model.precision),
        (Task::Binary, Link::Logistic, Precision::F32)
    );
    assert_eq!(model.classes, ["0", "1"]);
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!()
    };
    assert_eq!(*rule, SplitRule::LessThan);
    assert_eq!(base, &[0.0], "logit(0.5) = 0");
    assert_eq!(trees.len(), 1);
    assert_eq!(
        trees[0].nodes,
        [
            SourceNode::Split {
                feature: 0,
                threshold: 0.5,
                left: 1,
                right: 2
            },
            SourceNode::Leaf { value: vec![-0.25] },
            SourceNode::Split {
                feature: 1,
                threshold: 2.0,
                left: 3,
                right: 4
            },
            SourceNode::Leaf { value: vec![0.125] },
            SourceNode::Leaf { value: vec![0.375] },
        ]
    );
    assert_eq!(trees[0].target, Some(0));
    // x0 = 0.5 is not < 0.5: right, then x1 = 1 < 2: 0.125.
    assert_eq!(float_scores(&model, &[0.5, 1.0]), [0.125]);
    assert_eq!(float_scores(&model, &[0.49, 7.0]), [-0.25]);
    // Inputs are rounded to float32 first: 0.5 + 2^-30 becomes 0.5.
    assert_eq!(float_scores(&model, &[0.5 - 2f64.powi(-30), 3.0]), [0.375]);
}

#[test]
fn thresholds_and_leaves_are_the_float32_values_written() {
    let mut json = tiny();
    tree_mut(&mut json)["split_conditions"] = json!([0.1, 1.0000001, 3.4028235e38, -1e-45, 0.1]);
    let SourceBody::Trees { trees, .. } = read(&json).unwrap().body else {
        panic!()
    };
    let values: Vec<f64> = trees[0]
        .nodes
        .iter()
        .map(|n| match n {
            SourceNode::Split { threshold, .. } => *threshold,
            SourceNode::Leaf { value } => value[0],
            SourceNode::CategorySplit { .. } => unreachable!("a numeric model"),
        })
        .collect();
    assert_eq!(
        values,
        [0.1f32, 1.0000001, 3.4028235e38, -1e-45, 0.1].map(f64::from)
    );
    tree_mut(&mut json)["split_conditions"][1] = json!(1e39);
    let msg = malformed(&json);
    assert!(
        msg.contains("split_conditions[1] = 1e+39 is not a finite float32"),
        "{msg}"
    );
}

#[test]
fn base_margin_is_xgboosts_float32_logit() {
    let mut json = tiny();
    json["learner"]["learner_model_param"]["base_score"] = json!("[6.2676054E-1]");
    assert_eq!(base_of(&json), [0.5183442831039429]);
    // The pre-3.0 scalar form.
    json["learner"]["learner_model_param"]["base_score"] = json!("6.2676054E-1");
    assert_eq!(base_of(&json), [0.5183442831039429]);
    // XGBoost ≥ 3.2 clamps a degenerate intercept into [1e-6, 1 - 1e-6].
    json["learner"]["learner_model_param"]["base_score"] = json!("0E0");
    let low = base_of(&json)[0];
    assert_eq!(low, f64::from(logit_f32(1e-6)));
    assert!((low - (-13.8155)).abs() < 0.01, "{low}");
    json["learner"]["learner_model_param"]["base_score"] = json!("1E0");
    assert!(base_of(&json)[0] > 13.0);
    for bad in ["1.5E0", "-1E-1"] {
        json["learner"]["learner_model_param"]["base_score"] = json!(bad);
        assert!(malformed(&json).contains("is not a probability"));
    }
    // Close to the exact logit (float32 `1/p - 1` loses digits near p = 1, as in XGBoost).
    for p in [0.1f32, 0.25, 0.5, 0.62676054, 0.9, 0.999] {
        let exact = (f64::from(p) / (1.0 - f64::from(p))).ln();
        let got = f64::from(logit_f32(p));
        assert!(
            (got - exact).abs() <= 1e-4 * exact.abs().max(1.0),
            "{p}: {got} vs {exact}"
        );
    }
}

#[test]
fn logitraw_uses_base_score_as_the_margin() {
    let mut json = tiny();
    json["learner"]["objective"]["name"] = json!("binary:logitraw");
    json["learner"]["learner_model_param"]["base_score"] = json!("[2.5E-1]");
    let model = read(&json).unwrap();
    assert_eq!((model.task, model.link), (Task::Binary, Link::None));
    assert_eq!(base_of(&json), [0.25]);
    // XGBoost < 1.4 took it as a probability.
    json["version"] = json!([1, 3, 3]);
    assert_eq!(base_of(&json), [f64::from(logit_f32(0.25))]);
    assert_eq!(read(&json).unwrap().source, "xgboost 1.3.3 binary:logitraw");
}

#[test]
fn multiclass_and_regression_objectives() {
    for objective in ["multi:softprob", "multi:softmax"] {
        let mut json = tiny();
        json["learner"]["objective"]["name"] = json!(objective);
        json["learner"]["learner_model_param"]["num_class"] = json!("3");
        json["learner"]["learner_model_param"]["base_score"] = json!("[1E-1,-2E-1,3E-1]");
        json["learner"]["gradient_booster"]["model"]["tree_info"] = json!([2]);
        let model = read(&json).unwrap();
        model.check().unwrap();
        assert_eq!((model.task, model.link), (Task::Multiclass, Link::Softmax));
        assert_eq!(model.classes, ["0", "1", "2"]);
        let SourceBody::Trees { base, trees, .. } = &model.body else {
            panic!()
        };
        assert_eq!(base, &[0.1f32, -0.2, 0.3].map(f64::from));
        assert_eq!(trees[0].target, Some(2));
        // One scalar base_score is broadcast to every class.
        json["learner"]["learner_model_param"]["base_score"] = json!("5E-1");
        assert_eq!(base_of(&json), [0.5, 0.5, 0.5]);
        json["learner"]["learner_model_param"]["base_score"] = json!("[5E-1,5E-1]");
        assert!(malformed(&json).contains("2 base scores for 3 outputs"));
        json["learner"]["learner_model_param"]["base_score"] = json!("5E-1");
        json["learner"]["gradient_booster"]["model"]["tree_info"] = json!([3]);
        assert!(malformed(&json).contains("tree_info[0] = 3"));
        json["learner"]["learner_model_param"]["num_class"] = json!("1");
        assert!(malformed(&json).contains("num_class = 1"));
    }

    for objective in [
        "reg:squarederror",
        "reg:absoluteerror",
        "reg:pseudohubererror",
    ] {
        let mut json = tiny();
        json["learner"]["objective"]["name"] = json!(objective);
        json["learner"]["learner_model_param"]["base_score"] = json!("1.5E2");
        let model = read(&json).unwrap();
        model.check().unwrap();
        assert_eq!(
            (model.task, model.link, model.classes.len()),
            (Task::Regression, Link::Identity, 0)
        );
        assert_eq!(base_of(&json), [150.0]);
        assert_eq!(model.source, format!("xgboost 3.2.0 {objective}"));
    }
}

#[test]
fn names_default_to_placeholders_and_versions_may_be_missing() {
    let mut json = tiny();
    json["learner"]["feature_names"] = json!([]);
    json.as_object_mut().unwrap().remove("version");
    let model = read(&json).unwrap();
    assert_eq!(model.feature_names, ["f0", "f1"]);
    assert_eq!(model.source, "xgboost (unknown version) binary:logistic");
    json["learner"]
        .as_object_mut()
        .unwrap()
        .remove("feature_names");
    assert_eq!(read(&json).unwrap().feature_names, ["f0", "f1"]);
}

#[test]
fn unreachable_deleted_nodes_are_dropped() {
    let mut json = tiny();
    let tree = tree_mut(&mut json);
    // Node 2 was pruned into a leaf; nodes 3 and 4 are left behind, unreachable.
    tree["left_children"] = json!([1, -1, -1, -1, -1]);
    tree["right_children"] = json!([2, -1, -1, -1, -1]);
    let SourceBody::Trees { trees, .. } = read(&json).unwrap().body else {
        panic!()
    };
    assert_eq!(trees[0].nodes.len(), 3);
    assert_eq!(trees[0].nodes[2], SourceNode::Leaf { value: vec![2.0] });
}

#[test]
fn unsupported_constructs_are_named() {
    let mut json = tiny();
    json["learner"]["objective"]["name"] = json!("rank:pairwise");
    assert_eq!(unsupported(&json), "objective \"rank:pairwise\"");

    for objective in ["reg:logistic", "count:poisson", "reg:gamma", "survival:cox"] {
        let mut json = tiny();
        json["learner"]["objective"]["name"] = json!(objective);
        assert_eq!(unsupported(&json), format!("objective {objective:?}"));
    }

    for booster in ["dart", "gblinear"] {
        let mut json = tiny();
        json["learner"]["gradient_booster"]["name"] = json!(booster);
        assert_eq!(unsupported(&json), format!("booster {booster:?}"));
    }

    let mut json = tiny();
    tree_mut(&mut json)["split_type"] = json!([0, 0, 1, 0, 0]);
    assert!(malformed(&json).contains("categorical node 2 has no categories"));

    let mut json = tiny();
    tree_mut(&mut json)["categories_nodes"] = json!([2]);
    assert!(malformed(&json).contains("categories_segments"));

    let mut json = tiny();
    tree_mut(&mut json)["tree_param"]["size_leaf_vector"] = json!("3");
    assert!(unsupported(&json).contains("multi-target tree 0"));

    let mut json = tiny();
    json["learner"]["learner_model_param"]["num_target"] = json!("2");
    assert!(unsupported(&json).contains("multi-target models"));
}

#[test]
fn malformed_trees_are_refused() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "right_children",
            json!([2, -1, 4, -1]),
            "tree 0: right_children has 4 entries but left_children has 5",
        ),
        (
            "split_conditions",
            json!([0.5, -0.25, 2.0, 0.125]),
            "split_conditions has 4 entries",
        ),
        ("split_type", json!([0, 0]), "split_type has 2 entries"),
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
            json!([1, -1, -7, -1, -1]),
            "node 2 has child -7",
        ),
        (
            "left_children",
            json!([1, -1, 1, -1, -1]),
            "node 1 is reached twice",
        ),
        ("left_children", json!([]), "tree 0: no nodes"),
        (
            "right_children",
            json!([2, 3, 4, -1, -1]),
            "node 1 has only a right child (3)",
        ),
        (
            "split_indices",
            json!([0, 0, 7, 0, 0]),
            "node 2 splits on feature 7 of 2",
        ),
        (
            "split_indices",
            json!([-1, 0, 0, 0, 0]),
            "node 0 splits on feature -1",
        ),
        (
            "split_conditions",
            json!([0.5, -0.25, "x", 0.125, 0.375]),
            "split_conditions[2] = \"x\"",
        ),
        (
            "left_children",
            json!([1, -1, 3.5, -1, -1]),
            "left_children[2] = 3.5 is not an integer",
        ),
        ("split_indices", json!("0"), "split_indices is not an array"),
    ];
    for (key, value, needle) in cases {
        let mut json = tiny();
        tree_mut(&mut json)[key] = value;
        let msg = malformed(&json);
        assert!(
            msg.contains(needle),
            "{key}: expected {needle:?} in {msg:?}"
        );
    }
    let mut json = tiny();
    tree_mut(&mut json)
        .as_object_mut()
        .unwrap()
        .remove("split_conditions");
    assert!(malformed(&json).contains("tree 0: no \"split_conditions\""));
    let mut json = tiny();
    tree_mut(&mut json)["tree_param"]["num_nodes"] = json!("7");
    assert!(malformed(&json).contains("num_nodes"));
}

#[test]
fn malformed_models_are_refused() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/learner/learner_model_param/base_score",
            json!("[2]"),
            "not a probability",
        ),
        (
            "/learner/learner_model_param/base_score",
            json!("[abc]"),
            "not a list of numbers",
        ),
        (
            "/learner/learner_model_param/base_score",
            json!("[5E-1"),
            "not a list of numbers",
        ),
        (
            "/learner/learner_model_param/base_score",
            json!("NaN"),
            "not a list of numbers",
        ),
        (
            "/learner/learner_model_param/base_score",
            json!([0.5]),
            "not a list of numbers",
        ),
        (
            "/learner/learner_model_param/num_feature",
            json!("0"),
            "num_feature is 0",
        ),
        (
            "/learner/learner_model_param/num_feature",
            json!("-3"),
            "num_feature = -3",
        ),
        (
            "/learner/learner_model_param/num_feature",
            json!("1e9"),
            "num_feature = 1000000000",
        ),
        (
            "/learner/learner_model_param/num_feature",
            json!("two"),
            "num_feature = \"two\"",
        ),
        (
            "/learner/gradient_booster/model/tree_info",
            json!([0, 0]),
            "tree_info has 2 entries for 1 trees",
        ),
        (
            "/learner/gradient_booster/model/tree_info",
            json!([-1]),
            "tree_info[0] = -1",
        ),
        (
            "/learner/gradient_booster/model/gbtree_model_param/num_trees",
            json!("2"),
            "num_trees = 2 but 1 trees",
        ),
        (
            "/learner/gradient_booster/model/trees",
            json!({}),
            "trees is not an array",
        ),
        (
            "/learner/feature_names",
            json!(["a"]),
            "1 feature names for 2 features",
        ),
        (
            "/learner/feature_names",
            json!(["a", "a"]),
            "feature name \"a\" appears twice",
        ),
        (
            "/learner/feature_names",
            json!(["a", 3]),
            "feature name is 3, not a string",
        ),
        ("/learner/objective/name", json!(7), "objective name is 7"),
    ];
    for (pointer, value, needle) in cases {
        let mut json = tiny();
        *json.pointer_mut(pointer).unwrap() = value;
        let msg = malformed(&json);
        assert!(
            msg.contains(needle),
            "{pointer}: expected {needle:?} in {msg:?}"
        );
    }
    let mut json = tiny();
    json["learner"]["learner_model_param"]
        .as_object_mut()
        .unwrap()
        .remove("num_feature");
    assert!(malformed(&json).contains("learner_model_param has no \"num_feature\""));
    assert!(malformed(&json!({"learner": 1})).contains("learner has no"));
    assert!(malformed(&json!([1, 2])).contains("the file has no \"learner\""));
    assert!(malformed(&json!("learner")).contains("no \"learner\""));
}

#[test]
fn absurd_sizes_are_refused() {
    let mut json = tiny();
    let tree = tree_mut(&mut json).clone();
    json["learner"]["gradient_booster"]["model"]["trees"] = Value::Array(vec![tree; 10_001]);
    json["learner"]["gradient_booster"]["model"]["tree_info"] =
        Value::Array(vec![json!(0); 10_001]);
    json["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] =
        json!("10001");
    assert_eq!(unsupported(&json), "10001 trees (at most 10000)");

    // A tree of more than 2^20 nodes is refused before it is walked.
    let mut json = tiny();
    tree_mut(&mut json)["left_children"] = json!(vec![-1; (1 << 20) + 1]);
    assert_eq!(
        unsupported(&json),
        "more than 1048576 nodes in all (tree 0 has 1048577)"
    );
}

#[test]
fn the_dispatcher_recognizes_xgboost_json() {
    let text = serde_json::to_vec(&tiny()).unwrap();
    let (format, model) = crate::import::read_source(&text, "m.json").unwrap();
    assert_eq!(format, crate::error::Format::XgboostJson);
    assert_eq!(model, read(&tiny()).unwrap());
    match crate::import::read_source(b"{\"learner\": {\"objective\": ", "m.json") {
        Err(ImportError::Malformed { reason, .. }) => assert!(reason.contains("invalid JSON")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_value_other_than_nan_is_refused() {
    let path = example_path("credit_nan_xgboost", "model.json");
    let text = std::fs::read_to_string(path).unwrap();
    let with = |missing: &str| {
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["learner"]["attributes"] = serde_json::json!({
            "scikit_learn": format!("{{\"n_estimators\": 60, \"missing\": {missing}, \"_estimator_type\": \"classifier\"}}")
        });
        read(&json)
    };
    for fine in ["NaN", "null"] {
        with(fine).unwrap();
    }
    let refused = with("0.0").unwrap_err().to_string();
    assert!(refused.contains("XGBoost's missing = 0.0"), "{refused}");
}

// ---------------------------------------------------------------------------------------------
// Categorical splits.

/// Two trees of a binary:logistic model (base margin 0) over a categorical `c` and a numeric `n`:
/// - tree 0: node 0 splits `c` by the categories {1, 3, 4}, which XGBoost sends RIGHT, to leaf
///   −0.25 (missing: right); everything else goes left to node 1, `n < 2` (missing: left) →
///   0.125, else 0.375;
/// - tree 1: `c` in {0, 2} → right −0.5, else left 0.5 (missing: left).
fn categorical_model() -> Value {
    let mut json = tiny();
    json["learner"]["feature_names"] = json!(["c", "n"]);
    json["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = json!("2");
    json["learner"]["gradient_booster"]["model"]["tree_info"] = json!([0, 0]);
    json["learner"]["gradient_booster"]["model"]["trees"] = json!([
        {
            "left_children": [1, 3, -1, -1, -1],
            "right_children": [2, 4, -1, -1, -1],
            "split_indices": [0, 1, 0, 0, 0],
            "split_conditions": [1e-45, 2.0, -0.25, 0.125, 0.375],
            "split_type": [1, 0, 0, 0, 0],
            "default_left": [0, 1, 0, 0, 0],
            "categories_nodes": [0],
            "categories_segments": [0],
            "categories_sizes": [3],
            "categories": [1, 3, 4],
            "tree_param": {"num_nodes": "5", "size_leaf_vector": "1"}
        },
        {
            "left_children": [1, -1, -1],
            "right_children": [2, -1, -1],
            "split_indices": [0, 0, 0],
            "split_conditions": [1e-45, 0.5, -0.5],
            "split_type": [1, 0, 0],
            "default_left": [1, 0, 0],
            "categories_nodes": [0],
            "categories_segments": [0],
            "categories_sizes": [2],
            "categories": [0, 2],
            "tree_param": {"num_nodes": "3", "size_leaf_vector": "1"}
        }
    ]);
    json
}

fn categorical_tree_mut(json: &mut Value, t: usize) -> &mut Value {
    json.pointer_mut(&format!("/learner/gradient_booster/model/trees/{t}"))
        .unwrap()
}

#[test]
fn reads_categorical_splits() {
    let source = read(&categorical_model()).unwrap();
    let roots: [(&[u32], bool); 2] = [(&[1, 3, 4], false), (&[0, 2], false)];
    check_categorical_source(&source, CategoryRead::NonNegative, &roots);
    // Listed unsorted and twice, the same set.
    let mut json = categorical_model();
    categorical_tree_mut(&mut json, 0)["categories"] = json!([4, 1, 3, 1]);
    categorical_tree_mut(&mut json, 0)["categories_sizes"] = json!([4]);
    assert_eq!(read(&json).unwrap(), source);
}

#[test]
fn categorical_splits_follow_xgboost_and_quantize_exactly() {
    let source = read(&categorical_model()).unwrap();
    // XGBoost (common::Decision): a value that is no category (negative, ≥ 2^24, after the
    // rounding to float32) or a category not in the set goes left; the truncated category in
    // the set goes right; NaN takes the default branch (tree 0 right, tree 1 left).
    let table = [
        // Each listed category, with n < 2 (0.125 where tree 0 goes left).
        ([0.0, 1.0], 0.125 - 0.5),
        ([1.0, 1.0], -0.25 + 0.5),
        ([2.0, 1.0], 0.125 - 0.5),
        ([3.0, 1.0], -0.25 + 0.5),
        ([4.0, 1.0], -0.25 + 0.5),
        // One past every set, and further unlisted categories.
        ([5.0, 1.0], 0.125 + 0.5),
        ([5.0, 3.0], 0.375 + 0.5),
        ([7.0, 1.0], 0.125 + 0.5),
        ([65534.0, 3.0], 0.375 + 0.5),
        ([65535.0, 1.0], 0.125 + 0.5),
        ([4294967296.0, 1.0], 0.125 + 0.5),
        // Negatives are no category: -0.5 too, although it truncates to 0.
        ([-1.0, 1.0], 0.125 + 0.5),
        ([-0.5, 1.0], 0.125 + 0.5),
        ([-0.0, 1.0], 0.125 - 0.5),
        // Fractions truncate: 2.7 is category 2, 0.999 is 0, 4.5 is 4.
        ([2.7, 1.0], 0.125 - 0.5),
        ([0.999, 3.0], 0.375 - 0.5),
        ([4.5, 1.0], -0.25 + 0.5),
        // Rounded to float32 first: 2.9999999999 is 3.0f, category 3.
        ([2.9999999999, 1.0], -0.25 + 0.5),
        // Huge values are no category.
        ([1e10, 1.0], 0.125 + 0.5),
        ([1e300, 3.0], 0.375 + 0.5),
        ([16777217.0, 1.0], 0.125 + 0.5),
        // Missing: tree 0 goes right, tree 1 left; n missing goes left at n < 2.
        ([f64::NAN, 1.0], -0.25 + 0.5),
        ([f64::NAN, 3.0], -0.25 + 0.5),
        ([5.0, f64::NAN], 0.125 + 0.5),
        ([2.0, f64::NAN], 0.125 - 0.5),
    ];
    let model = check_score_table(&source, &table);
    // The set goes right, so the codes sent left are the others, "other" (5) included.
    check_categorical_model(
        &model,
        (CategoryRead::NonNegative, 5),
        &[
            vec![Some(vec![0, 2, 5]), None],
            vec![Some(vec![1, 3, 4, 5])],
        ],
        &[
            (0.0, Some(0)),
            (4.0, Some(4)),
            (4.9, Some(4)),
            (5.0, Some(5)),
            (9.0, Some(5)),
            (-1.0, Some(5)),
            (-0.5, Some(5)),
            (1e10, Some(5)),
            (f64::NAN, None),
        ],
    );
}

#[test]
fn a_category_up_to_65534_is_read() {
    let mut json = categorical_model();
    categorical_tree_mut(&mut json, 0)["categories"] = json!([1, 3, 65534]);
    let source = read(&json).unwrap();
    let table = [
        ([65534.0, 1.0], -0.25 + 0.5),
        ([65533.0, 1.0], 0.125 + 0.5),
        ([65535.0, 1.0], 0.125 + 0.5),
        ([4.0, 3.0], 0.375 + 0.5),
        ([3.0, 3.0], -0.25 + 0.5),
    ];
    let model = check_score_table(&source, &table);
    assert_eq!(model.categories(0).map(|c| c.count), Some(65535));
}

#[test]
fn malformed_and_unsupported_categorical_splits_are_refused() {
    // The categories are outside the list.
    for (segments, sizes) in [
        (json!([1]), json!([3])),
        (json!([0]), json!([4])),
        (json!([4]), json!([0])),
        (json!([-1]), json!([3])),
        (json!([0]), json!([-3])),
    ] {
        let mut json = categorical_model();
        categorical_tree_mut(&mut json, 0)["categories_segments"] = segments.clone();
        categorical_tree_mut(&mut json, 0)["categories_sizes"] = sizes.clone();
        let msg = malformed(&json);
        assert!(
            msg.contains("tree 0: node 0's categories are outside the list"),
            "{segments} {sizes}: {msg}"
        );
    }
    // Category 65535 needs a 17th bit for the other code; a negative one is none.
    for bad in [65535, 70000, 1i64 << 40, -1] {
        let mut json = categorical_model();
        categorical_tree_mut(&mut json, 1)["categories"] = json!([0, bad]);
        let msg = unsupported(&json);
        assert!(
            msg.starts_with(&format!("tree 1, node 0: category {bad} (at most")),
            "{msg}"
        );
    }
    // A feature split both by category and at a threshold, in one tree or across trees.
    let mut json = categorical_model();
    categorical_tree_mut(&mut json, 0)["split_indices"] = json!([0, 0, 0, 0, 0]);
    assert_eq!(
        unsupported(&json),
        "feature 0 is split both by category and at a threshold"
    );
    let mut json = categorical_model();
    categorical_tree_mut(&mut json, 1)["split_indices"] = json!([1, 0, 0]);
    assert_eq!(
        unsupported(&json),
        "feature 1 is split both by category and at a threshold"
    );
    // The categories lists do not match the nodes.
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "categories_sizes",
            json!([3, 1]),
            "categories_nodes, _segments and _sizes differ in length",
        ),
        (
            "categories_segments",
            json!([]),
            "categories_nodes, _segments and _sizes differ in length",
        ),
        (
            "categories_nodes",
            json!([5]),
            "categories_nodes names node 5",
        ),
        (
            "categories_nodes",
            json!([1]),
            "categorical node 0 has no categories",
        ),
        (
            "split_type",
            json!([2, 0, 0, 0, 0]),
            "node 0 has split_type 2",
        ),
        ("categories", json!([1, "3", 4]), "categories"),
    ];
    for (key, value, needle) in cases {
        let mut json = categorical_model();
        categorical_tree_mut(&mut json, 0)[key] = value;
        let msg = malformed(&json);
        assert!(
            msg.contains(needle),
            "{key}: expected {needle:?} in {msg:?}"
        );
    }
    let mut json = categorical_model();
    let tree = categorical_tree_mut(&mut json, 0);
    tree["categories_nodes"] = json!([0, 0]);
    tree["categories_segments"] = json!([0, 0]);
    tree["categories_sizes"] = json!([3, 3]);
    assert!(malformed(&json).contains("node 0's categories appear twice"));
    let mut json = categorical_model();
    categorical_tree_mut(&mut json, 0)
        .as_object_mut()
        .unwrap()
        .remove("categories");
    assert!(malformed(&json).contains("categories"));
}
