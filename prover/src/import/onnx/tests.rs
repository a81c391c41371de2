//! Tests of the ONNX importer: small models built here with the protobuf structs, malformed and
//! unsupported files, and the example models with the outputs scikit-learn recorded for them.

use prost::Message;

use super::proto::*;
use super::{looks_like, read};
use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::model::{Categories, CategoryRead, Link, Precision, Task};
use crate::source::{SourceBody, SourceModel, SourceNode};

// ---------------------------------------------------------------------------------------------
// Building models.

const FLOAT: i32 = 1;
const DOUBLE: i32 = 11;

fn attribute(name: &str, kind: i32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(kind),
        ..Default::default()
    }
}

pub(super) fn floats(name: &str, values: &[f32]) -> AttributeProto {
    AttributeProto {
        floats: values.to_vec(),
        ..attribute(name, 6)
    }
}

pub(super) fn ints(name: &str, values: &[i64]) -> AttributeProto {
    AttributeProto {
        ints: values.to_vec(),
        ..attribute(name, 7)
    }
}

pub(super) fn strings(name: &str, values: &[&str]) -> AttributeProto {
    AttributeProto {
        strings: values.iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..attribute(name, 8)
    }
}

fn string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        s: Some(value.as_bytes().to_vec()),
        ..attribute(name, 3)
    }
}

pub(super) fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        i: Some(value),
        ..attribute(name, 2)
    }
}

fn doubles_tensor(name: &str, values: &[f64]) -> AttributeProto {
    AttributeProto {
        t: Some(TensorProto {
            dims: vec![values.len() as i64],
            data_type: Some(DOUBLE),
            double_data: values.to_vec(),
            ..Default::default()
        }),
        ..attribute(name, 4)
    }
}

pub(super) fn node(
    op: &str,
    domain: &str,
    name: &str,
    inputs: &[&str],
    outputs: &[&str],
    attribute: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: Some(name.into()),
        op_type: Some(op.into()),
        attribute,
        domain: Some(domain.into()),
    }
}

pub(super) fn ml(
    op: &str,
    name: &str,
    inputs: &[&str],
    outputs: &[&str],
    a: Vec<AttributeProto>,
) -> NodeProto {
    node(op, "ai.onnx.ml", name, inputs, outputs, a)
}

pub(super) fn tensor_value(name: &str, element: i32, dims: &[Option<i64>]) -> ValueInfoProto {
    use tensor_shape_proto::{dimension::Value, Dimension};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Some(v) => Value::DimValue(*v),
                None => Value::DimParam("N".into()),
            }),
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(element),
                shape: Some(TensorShapeProto { dim }),
            })),
        }),
    }
}

/// A model whose graph input is `X` of shape `[N, features]`.
pub(super) fn model_with(
    nodes: Vec<NodeProto>,
    element: i32,
    features: i64,
    outputs: &[&str],
) -> Vec<u8> {
    ModelProto {
        ir_version: Some(8),
        producer_name: Some("skl2onnx".into()),
        producer_version: Some("1.19.1".into()),
        domain: Some("ai.onnx".into()),
        model_version: Some(0),
        graph: Some(GraphProto {
            node: nodes,
            name: Some("test".into()),
            input: vec![tensor_value("X", element, &[None, Some(features)])],
            output: outputs
                .iter()
                .map(|o| tensor_value(o, FLOAT, &[None]))
                .collect(),
            ..Default::default()
        }),
        opset_import: vec![
            OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(15),
            },
            OperatorSetIdProto {
                domain: Some("ai.onnx.ml".into()),
                version: Some(1),
            },
        ],
        ..Default::default()
    }
    .encode_to_vec()
}

/// A single predictor reading `X` with outputs `label` and `probabilities`, followed by a ZipMap
/// as skl2onnx writes it.
fn predictor_model(op: &str, attributes: Vec<AttributeProto>, features: i64) -> Vec<u8> {
    predictor_model_typed(op, attributes, features, FLOAT)
}

fn predictor_model_typed(
    op: &str,
    attributes: Vec<AttributeProto>,
    features: i64,
    element: i32,
) -> Vec<u8> {
    let nodes = vec![
        ml(op, op, &["X"], &["label", "probabilities"], attributes),
        ml(
            "ZipMap",
            "ZipMap",
            &["probabilities"],
            &["output_probability"],
            vec![int("classlabels_int64s", 0)],
        ),
    ];
    model_with(nodes, element, features, &["label", "output_probability"])
}

// ---------------------------------------------------------------------------------------------
// Evaluating a SourceModel directly in f64.

/// A binary TreeEnsembleClassifier model with these attributes.
fn binary_classifier(attributes: Vec<AttributeProto>) -> Vec<u8> {
    predictor_model("TreeEnsembleClassifier", attributes, 2)
}

pub(super) fn class_of(model: &SourceModel, scores: &[f64]) -> usize {
    crate::inference::decide(model.task, scores).expect("a classifier")
}

fn probabilities(model: &SourceModel, scores: &[f64]) -> Vec<f64> {
    model
        .link
        .probabilities(scores)
        .expect("a link with probabilities")
}

pub(super) fn unsupported(result: Result<SourceModel, FormatError>) -> String {
    match result {
        Err(FormatError::Unsupported(message)) => message,
        other => panic!("expected an unsupported-construct error, got {other:?}"),
    }
}

pub(super) fn malformed(result: Result<SourceModel, FormatError>) -> String {
    match result {
        Err(FormatError::Malformed(message)) => message,
        other => panic!("expected a malformed-file error, got {other:?}"),
    }
}

pub(super) fn imported(bytes: &[u8]) -> SourceModel {
    assert!(looks_like(bytes));
    let model = read(bytes).expect("the model imports");
    model.check().expect("the imported model is well formed");
    model
}

// ---------------------------------------------------------------------------------------------
// Linear models.

/// A binary `LinearClassifier` of one row of coefficients over 2 features, logistic.
fn one_row_logistic_classifier() -> Vec<u8> {
    predictor_model(
        "LinearClassifier",
        vec![
            floats("coefficients", &[0.5, -1.25]),
            floats("intercepts", &[0.25]),
            ints("classlabels_ints", &[0, 1]),
            string("post_transform", "LOGISTIC"),
            int("multi_class", 0),
        ],
        2,
    )
}

/// CatBoost's ONNX export writes its build information, over several lines, as the producer's
/// name: the model's source keeps its words on one line, and the model is valid.
#[test]
fn a_producer_string_with_line_breaks_is_kept_on_one_line() {
    let bytes = one_row_logistic_classifier();
    let mut proto = ModelProto::decode(bytes.as_slice()).unwrap();
    proto.producer_name =
        Some("CatBoost Git info:\n    Commit: 0a1b2c\r\n\tBranch:\u{7}main\n".into());
    proto.producer_version = Some(" 1.2.8\n".into());
    let model = imported(&proto.encode_to_vec());
    assert_eq!(
        model.source,
        "CatBoost Git info: Commit: 0a1b2c Branch: main 1.2.8 (LinearClassifier)"
    );
    let calibration = crate::Calibration::from_csv("f0,f1\n0,0\n1,1").unwrap();
    crate::quantize::quantize(&model, Some(&calibration)).expect("a valid model");
    // Its real exports name CatBoost and give the build as the version: its release tag
    // stands for it.
    proto.producer_name = Some("CatBoost".into());
    proto.producer_version =
        Some("Git info:\n    Commit: 0a1b2c\n    Branch: tags/v1.2.10\n    Author: a\n".into());
    let model = imported(&proto.encode_to_vec());
    assert_eq!(model.source, "CatBoost 1.2.10 (LinearClassifier)");
}

#[test]
fn linear_classifier_with_one_row_is_binary_on_that_score() {
    let bytes = one_row_logistic_classifier();
    let model = imported(&bytes);
    assert_eq!(model.source, "skl2onnx 1.19.1 (LinearClassifier)");
    assert_eq!(model.feature_names, ["f0", "f1"]);
    assert_eq!(model.precision, Precision::F32);
    assert_eq!(model.task, Task::Binary);
    assert_eq!(model.classes, ["0", "1"]);
    assert_eq!(model.link, Link::Logistic);
    assert_eq!(
        model.body,
        SourceBody::Linear {
            weights: vec![vec![0.5, -1.25]],
            bias: vec![0.25],
            indicators: None,
        }
    );
}

#[test]
fn linear_classifier_with_two_rows_uses_half_the_difference() {
    let bytes = predictor_model(
        "LinearClassifier",
        vec![
            floats("coefficients", &[1.0, 2.0, 3.0, 5.0]),
            floats("intercepts", &[0.5, -0.5]),
            strings("classlabels_strings", &["no", "yes"]),
        ],
        2,
    );
    let model = imported(&bytes);
    assert_eq!(model.task, Task::Binary);
    assert_eq!(model.classes, ["no", "yes"]);
    assert_eq!(model.link, Link::None);
    assert_eq!(
        model.body,
        SourceBody::Linear {
            weights: vec![vec![1.0, 1.5]],
            bias: vec![-0.5],
            indicators: None,
        }
    );
    // Ties go to class 0, as with onnxruntime's first largest score: s0 = s1 at x = (0.5, 0).
    let s = model.float_scores(&[0.5, 0.0]);
    assert_eq!(s, [0.0]);
    assert_eq!(class_of(&model, &s), 0);
}

#[test]
fn linear_classifier_with_three_rows_is_multiclass() {
    let coefficients = [1.0, 0.0, -1.0, 0.5, 0.25, 2.0];
    for (post, link) in [
        ("SOFTMAX", Link::Softmax),
        ("LOGISTIC", Link::OneVsRestLogistic),
        ("NONE", Link::None),
    ] {
        let bytes = predictor_model(
            "LinearClassifier",
            vec![
                floats("coefficients", &coefficients),
                floats("intercepts", &[0.0, 1.0, -1.0]),
                ints("classlabels_ints", &[3, 5, 7]),
                string("post_transform", post),
            ],
            2,
        );
        let model = imported(&bytes);
        assert_eq!(model.task, Task::Multiclass);
        assert_eq!(model.classes, ["3", "5", "7"]);
        assert_eq!(model.link, link);
        let SourceBody::Linear { weights, bias, .. } = &model.body else {
            panic!("linear body expected")
        };
        assert_eq!(weights, &[vec![1.0, 0.0], vec![-1.0, 0.5], vec![0.25, 2.0]]);
        assert_eq!(bias, &[0.0, 1.0, -1.0]);
    }
}

#[test]
fn scaler_before_linear_regressor_is_folded_exactly() {
    let (offset, scale) = ([1.0f32, 2.0, -0.3], [0.5f32, 4.0, 1.7]);
    let (coefficients, intercept) = ([3.0f32, -1.0, 0.1], 0.25f32);
    let nodes = vec![
        node("Cast", "", "cast", &["X"], &["Xf"], vec![int("to", 1)]),
        ml(
            "Scaler",
            "scaler",
            &["Xf"],
            &["Xs"],
            vec![floats("offset", &offset), floats("scale", &scale)],
        ),
        ml(
            "LinearRegressor",
            "reg",
            &["Xs"],
            &["variable"],
            vec![
                floats("coefficients", &coefficients),
                floats("intercepts", &[intercept]),
                int("targets", 1),
            ],
        ),
    ];
    let model = imported(&model_with(nodes, DOUBLE, 3, &["variable"]));
    assert_eq!(model.task, Task::Regression);
    assert_eq!(model.link, Link::Identity);
    assert_eq!(model.precision, Precision::F32);
    let SourceBody::Linear { weights, bias, .. } = &model.body else {
        panic!("linear body expected")
    };
    // w' = w·scale exactly.
    for f in 0..3 {
        assert_eq!(weights[0][f], coefficients[f] as f64 * scale[f] as f64);
    }
    // The folded model equals the chain on any input (in f64, up to rounding).
    for x in [[0.0, 0.0, 0.0], [1.5, -2.0, 7.25], [-100.0, 3.0, 0.001]] {
        let x32: Vec<f64> = x.iter().map(|&v| v as f32 as f64).collect();
        let expected = intercept as f64
            + (0..3)
                .map(|f| coefficients[f] as f64 * ((x32[f] - offset[f] as f64) * scale[f] as f64))
                .sum::<f64>();
        let got = model.float_scores(&x)[0];
        assert!(
            (got - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
            "{got} vs {expected}"
        );
    }
    assert!(
        (bias[0] - (0.25 - (1.5 - 8.0 + 0.1f32 as f64 * 1.7f32 as f64 * -0.3f32 as f64))).abs()
            < 1e-12
    );
}

#[test]
fn broadcast_scaler_and_identity_are_accepted() {
    let nodes = vec![
        node("Identity", "", "id", &["X"], &["Xi"], vec![]),
        ml(
            "Scaler",
            "scaler",
            &["Xi"],
            &["Xs"],
            vec![floats("offset", &[1.0]), floats("scale", &[2.0])],
        ),
        ml(
            "LinearRegressor",
            "reg",
            &["Xs"],
            &["variable"],
            vec![floats("coefficients", &[1.0, 3.0]), int("targets", 1)],
        ),
    ];
    let model = imported(&model_with(nodes, FLOAT, 2, &["variable"]));
    assert_eq!(
        model.body,
        SourceBody::Linear {
            weights: vec![vec![2.0, 6.0]],
            bias: vec![-8.0],
            indicators: None,
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Tree ensembles.

/// Tree 0 (as skl2onnx numbers it):
/// node 0: x1 <mode> 0.5 ? node 1 : node 2; node 1 leaf; node 2: x0 <mode> 2 ? node 3 : node 4.
fn tree_nodes(mode: &str) -> Vec<AttributeProto> {
    vec![
        ints("nodes_treeids", &[0, 0, 0, 0, 0]),
        ints("nodes_nodeids", &[0, 1, 2, 3, 4]),
        ints("nodes_featureids", &[1, 0, 0, 0, 0]),
        strings("nodes_modes", &[mode, "LEAF", mode, "LEAF", "LEAF"]),
        floats("nodes_values", &[0.5, 0.0, 2.0, 0.0, 0.0]),
        ints("nodes_truenodeids", &[1, 0, 3, 0, 0]),
        ints("nodes_falsenodeids", &[2, 0, 4, 0, 0]),
        ints("nodes_missing_value_tracks_true", &[0, 0, 0, 0, 0]),
        floats("nodes_hitrates", &[1.0; 5]),
    ]
}

/// Class weights of the three leaves 1, 3, 4 for class id 0 only (skl2onnx's binary layout).
fn class_one_only(weights: [f32; 3]) -> Vec<AttributeProto> {
    vec![
        ints("class_treeids", &[0, 0, 0]),
        ints("class_nodeids", &[1, 3, 4]),
        ints("class_ids", &[0, 0, 0]),
        floats("class_weights", &weights),
        ints("classlabels_int64s", &[0, 1]),
        string("post_transform", "NONE"),
    ]
}

fn with(mut a: Vec<AttributeProto>, b: Vec<AttributeProto>) -> Vec<AttributeProto> {
    a.extend(b);
    a
}

#[test]
fn binary_tree_classifier_with_one_weighted_class_uses_onnxruntime_threshold() {
    let bytes = predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0])),
        2,
    );
    let model = imported(&bytes);
    assert_eq!(model.source, "skl2onnx 1.19.1 (TreeEnsembleClassifier)");
    assert_eq!(model.task, Task::Binary);
    assert_eq!(model.link, Link::Proportion);
    let SourceBody::Trees {
        rule, base, trees, ..
    } = &model.body
    else {
        panic!("trees expected")
    };
    assert_eq!(*rule, SplitRule::LessOrEqual);
    // All weights are ≥ 0: onnxruntime predicts class 1 iff p > ½.
    assert_eq!(base, &[-0.5]);
    assert_eq!(trees.len(), 1);
    assert_eq!(trees[0].target, Some(0));
    assert_eq!(
        trees[0].nodes[0],
        SourceNode::Split {
            feature: 1,
            threshold: 0.5,
            left: 1,
            right: 2
        }
    );
    let cases = [
        ([0.0, 0.5], 0.25, 0),
        ([2.0, 1.0], 0.75, 1),
        ([2.5, 1.0], 1.0, 1),
    ];
    for (x, p1, class) in cases {
        let s = model.float_scores(&x);
        assert_eq!(class_of(&model, &s), class, "{x:?}");
        assert_eq!(probabilities(&model, &s)[1], p1);
    }

    // A negative weight anywhere: the threshold becomes 0 and there is no probability.
    let bytes = predictor_model(
        "TreeEnsembleClassifier",
        with(
            tree_nodes("BRANCH_LEQ"),
            class_one_only([-0.25, 0.75, 0.25]),
        ),
        2,
    );
    let model = imported(&bytes);
    assert_eq!(model.link, Link::None);
    let SourceBody::Trees { base, .. } = &model.body else {
        panic!("trees expected")
    };
    assert_eq!(base, &[0.0]);
    assert_eq!(class_of(&model, &model.float_scores(&[3.0, 1.0])), 1);
    assert_eq!(class_of(&model, &model.float_scores(&[0.0, 0.0])), 0);
}

#[test]
fn binary_tree_classifier_with_both_classes_uses_half_the_difference() {
    let attributes = with(
        tree_nodes("BRANCH_LEQ"),
        vec![
            ints("class_treeids", &[0, 0, 0, 0, 0, 0]),
            ints("class_nodeids", &[1, 1, 3, 3, 4, 4]),
            ints("class_ids", &[0, 1, 0, 1, 0, 1]),
            floats("class_weights", &[0.75, 0.25, 0.25, 0.75, 0.0, 1.0]),
            strings("classlabels_strings", &["neg", "pos"]),
        ],
    );
    let model = imported(&predictor_model("TreeEnsembleClassifier", attributes, 2));
    assert_eq!(model.task, Task::Binary);
    assert_eq!(model.classes, ["neg", "pos"]);
    assert_eq!(model.link, Link::Proportion);
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!("trees expected")
    };
    assert_eq!(base, &[0.0]);
    let leaves: Vec<f64> = trees[0]
        .nodes
        .iter()
        .filter_map(|n| match n {
            SourceNode::Leaf { value } => Some(value[0]),
            _ => None,
        })
        .collect();
    assert_eq!(leaves, [-0.25, 0.25, 0.5]);
    let s = model.float_scores(&[2.0, 1.0]);
    assert_eq!(probabilities(&model, &s), [0.25, 0.75]);
    assert_eq!(class_of(&model, &s), 1);
}

#[test]
fn greater_than_modes_swap_the_branches() {
    // Under BRANCH_GT the true branch is taken iff x > t: left (x ≤ t) is the false branch.
    let gt = imported(&predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_GT"), class_one_only([0.25, 0.75, 1.0])),
        2,
    ));
    let SourceBody::Trees { rule, trees, .. } = &gt.body else {
        panic!("trees expected")
    };
    assert_eq!(*rule, SplitRule::LessOrEqual);
    // Node 0 is x1 > 0.5: true → node 1 (leaf 0.25), false → node 2.
    let SourceNode::Split { left, right, .. } = trees[0].nodes[0] else {
        panic!("split expected")
    };
    assert!(matches!(&trees[0].nodes[right], SourceNode::Leaf { value } if value == &[0.25]));
    assert!(matches!(trees[0].nodes[left], SourceNode::Split { .. }));
    // x1 = 0.5 is not > 0.5: false branch, then x0 = 2 is not > 2: false → node 4 (1.0).
    assert_eq!(probabilities(&gt, &gt.float_scores(&[2.0, 0.5]))[1], 1.0);
    // x1 = 0.6 > 0.5: node 1.
    assert_eq!(probabilities(&gt, &gt.float_scores(&[2.0, 0.6]))[1], 0.25);
    // x0 = 2.5 > 2: node 3 (0.75).
    assert_eq!(probabilities(&gt, &gt.float_scores(&[2.5, 0.0]))[1], 0.75);

    // BRANCH_GTE is "not x < t".
    let gte = imported(&predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_GTE"), class_one_only([0.25, 0.75, 1.0])),
        2,
    ));
    let SourceBody::Trees { rule, .. } = &gte.body else {
        panic!("trees expected")
    };
    assert_eq!(*rule, SplitRule::LessThan);
    assert_eq!(probabilities(&gte, &gte.float_scores(&[2.0, 0.5]))[1], 0.25);
    assert_eq!(probabilities(&gte, &gte.float_scores(&[2.0, 0.4]))[1], 0.75);

    // BRANCH_LT keeps the branches.
    let lt = imported(&predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_LT"), class_one_only([0.25, 0.75, 1.0])),
        2,
    ));
    assert_eq!(probabilities(&lt, &lt.float_scores(&[2.0, 0.5]))[1], 1.0);
    assert_eq!(probabilities(&lt, &lt.float_scores(&[1.0, 0.4]))[1], 0.25);
}

#[test]
fn multiclass_tree_classifier_keeps_one_value_per_class() {
    let attributes = with(
        tree_nodes("BRANCH_LEQ"),
        vec![
            ints("class_treeids", &[0; 9]),
            ints("class_nodeids", &[1, 1, 1, 3, 3, 3, 4, 4, 4]),
            ints("class_ids", &[0, 1, 2, 0, 1, 2, 0, 1, 2]),
            floats(
                "class_weights",
                &[1.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.25, 0.75],
            ),
            ints("classlabels_int64s", &[0, 1, 2]),
        ],
    );
    let model = imported(&predictor_model("TreeEnsembleClassifier", attributes, 2));
    assert_eq!(model.task, Task::Multiclass);
    assert_eq!(model.link, Link::Proportion);
    let s = model.float_scores(&[0.0, 0.0]);
    assert_eq!(s, [1.0, 0.0, 0.0]);
    // A tie between classes 1 and 2 goes to the first.
    let s = model.float_scores(&[1.0, 1.0]);
    assert_eq!(class_of(&model, &s), 1);
    assert_eq!(class_of(&model, &model.float_scores(&[3.0, 1.0])), 2);
}

/// Two stumps on feature 0 with leaves (1, 3) and (10, 30).
fn two_stumps(aggregate: &str, base: f32) -> Vec<AttributeProto> {
    vec![
        ints("nodes_treeids", &[0, 0, 0, 1, 1, 1]),
        ints("nodes_nodeids", &[0, 1, 2, 0, 1, 2]),
        ints("nodes_featureids", &[0, 0, 0, 0, 0, 0]),
        strings(
            "nodes_modes",
            &["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"],
        ),
        floats("nodes_values", &[0.5, 0.0, 0.0, 1.5, 0.0, 0.0]),
        ints("nodes_truenodeids", &[1, 0, 0, 1, 0, 0]),
        ints("nodes_falsenodeids", &[2, 0, 0, 2, 0, 0]),
        ints("target_treeids", &[0, 0, 1, 1]),
        ints("target_nodeids", &[1, 2, 1, 2]),
        ints("target_ids", &[0, 0, 0, 0]),
        floats("target_weights", &[1.0, 3.0, 10.0, 30.0]),
        int("n_targets", 1),
        string("aggregate_function", aggregate),
        floats("base_values", &[base]),
    ]
}

#[test]
fn tree_regressor_average_divides_leaves_and_keeps_the_base() {
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        two_stumps("AVERAGE", 100.0),
    )];
    let model = imported(&model_with(nodes, FLOAT, 1, &["variable"]));
    assert_eq!(model.task, Task::Regression);
    assert_eq!(model.link, Link::Identity);
    assert_eq!(model.classes, Vec::<String>::new());
    assert_eq!(model.float_scores(&[0.0]), [100.0 + (1.0 + 10.0) / 2.0]);
    assert_eq!(model.float_scores(&[1.0]), [100.0 + (3.0 + 10.0) / 2.0]);
    assert_eq!(model.float_scores(&[2.0]), [100.0 + (3.0 + 30.0) / 2.0]);

    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        two_stumps("SUM", 0.5),
    )];
    let model = imported(&model_with(nodes, FLOAT, 1, &["variable"]));
    assert_eq!(model.float_scores(&[2.0]), [33.5]);
}

#[test]
fn double_tensor_attributes_keep_double_thresholds() {
    let t = 0.1f64; // not a float
    let attributes = vec![
        ints("nodes_treeids", &[0, 0, 0]),
        ints("nodes_nodeids", &[0, 1, 2]),
        ints("nodes_featureids", &[0, 0, 0]),
        strings("nodes_modes", &["BRANCH_LEQ", "LEAF", "LEAF"]),
        doubles_tensor("nodes_values_as_tensor", &[t, 0.0, 0.0]),
        ints("nodes_truenodeids", &[1, 0, 0]),
        ints("nodes_falsenodeids", &[2, 0, 0]),
        ints("target_treeids", &[0, 0]),
        ints("target_nodeids", &[1, 2]),
        ints("target_ids", &[0, 0]),
        doubles_tensor("target_weights_as_tensor", &[0.1, 0.2]),
        doubles_tensor("base_values_as_tensor", &[0.3]),
        int("n_targets", 1),
    ];
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes.clone(),
    )];
    let model = imported(&model_with(nodes, DOUBLE, 1, &["variable"]));
    assert_eq!(model.precision, Precision::F64);
    let SourceBody::Trees { base, trees, .. } = &model.body else {
        panic!("trees expected")
    };
    assert_eq!(base, &[0.3]);
    assert!(matches!(trees[0].nodes[0], SourceNode::Split { threshold, .. } if threshold == t));
    assert_eq!(model.float_scores(&[0.1]), [0.3 + 0.1]);

    // onnxruntime cannot read double tensors for a float input.
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes,
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 1, &["variable"])));
    assert!(
        message.contains("double values for a float input"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad files.

fn valid_tree_model() -> Vec<u8> {
    predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0])),
        2,
    )
}

/// A deterministic byte generator (xorshift).
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

#[test]
fn truncated_files_are_malformed() {
    let bytes = valid_tree_model();
    let message = malformed(read(&bytes[..bytes.len() / 2]));
    assert!(message.contains("not a valid ONNX protobuf"), "{message}");
    // No prefix panics.
    for end in 0..bytes.len() {
        let _ = looks_like(&bytes[..end]);
        let _ = read(&bytes[..end]);
    }
}

#[test]
fn garbage_never_panics() {
    let mut random = Bytes(0x9e37_79b9_7f4a_7c15);
    for len in [0usize, 1, 2, 7, 64, 1000] {
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| random.next()).collect();
            let _ = looks_like(&bytes);
            assert!(read(&bytes).is_err());
        }
    }
    assert!(!looks_like(b"not a model at all"));
    assert!(malformed(read(b"\xff\xff\xff")).contains("not a valid ONNX protobuf"));
    // Corrupting single bytes of a valid model must not panic either.
    let valid = valid_tree_model();
    for i in 0..valid.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bytes = valid.clone();
            bytes[i] ^= flip;
            if let Ok(model) = read(&bytes) {
                let _ = model.check();
            }
        }
    }
}

#[test]
fn a_model_without_graph_nodes_does_not_look_like_onnx() {
    let empty = ModelProto {
        ir_version: Some(8),
        graph: Some(GraphProto::default()),
        ..Default::default()
    };
    assert!(!looks_like(&empty.encode_to_vec()));
    assert!(!looks_like(&ModelProto::default().encode_to_vec()));
    assert!(looks_like(&valid_tree_model()));
}

#[test]
fn unsupported_operators_are_named() {
    let nodes = vec![ml(
        "SVMClassifier",
        "SVMc",
        &["X"],
        &["label", "probabilities"],
        vec![ints("classlabels_ints", &[0, 1])],
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["label"])));
    assert!(
        message.contains(r#"operator ai.onnx.ml.SVMClassifier (node "SVMc")"#),
        "{message}"
    );

    // A standard operator after the predictor that is not post-processing.
    let nodes = vec![
        ml(
            "LinearRegressor",
            "reg",
            &["X"],
            &["y"],
            vec![floats("coefficients", &[1.0, 2.0]), int("targets", 1)],
        ),
        node("Add", "", "add", &["y", "X"], &["z"], vec![]),
    ];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["z"])));
    assert!(
        message.contains(r#"operator ai.onnx.Add (node "add")"#),
        "{message}"
    );

    // A custom domain.
    let nodes = vec![node("Magic", "com.example", "m", &["X"], &["y"], vec![])];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["y"])));
    assert!(
        message.contains(r#"operator com.example.Magic (node "m")"#),
        "{message}"
    );
}

#[test]
fn graph_shape_errors() {
    let linear = |name: &str, input: &str, output: &str| {
        ml(
            "LinearRegressor",
            name,
            &[input],
            &[output],
            vec![floats("coefficients", &[1.0, 2.0]), int("targets", 1)],
        )
    };
    // Two predictors.
    let nodes = vec![linear("a", "X", "y"), linear("b", "X", "z")];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["y", "z"])));
    assert!(message.contains("several predictors"), "{message}");

    // A post-processing operator placed before the predictor.
    let nodes = vec![
        ml(
            "Normalizer",
            "norm",
            &["X"],
            &["Xn"],
            vec![string("norm", "L2")],
        ),
        linear("reg", "Xn", "y"),
    ];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["y"])));
    assert!(
        message.contains(r#"operator ai.onnx.ml.Normalizer (node "norm") before the predictor"#),
        "{message}"
    );

    // A subgraph.
    let mut with_graph = node("Identity", "", "id", &["y"], &["z"], vec![]);
    with_graph.attribute.push(AttributeProto {
        g: Some(GraphProto::default().encode_to_vec()),
        ..attribute("body", 5)
    });
    let nodes = vec![linear("reg", "X", "y"), with_graph];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["z"])));
    assert!(message.contains("subgraph"), "{message}");

    // An integer input.
    let nodes = vec![linear("reg", "X", "y")];
    let message = unsupported(read(&model_with(nodes, 7, 2, &["y"])));
    assert!(message.contains("int64"), "{message}");

    // The coefficients disagree with the input width.
    let nodes = vec![linear("reg", "X", "y")];
    let message = malformed(read(&model_with(nodes, FLOAT, 3, &["y"])));
    assert!(
        message.contains("the input has 3 features but the coefficients are for 2"),
        "{message}"
    );
}

#[test]
fn equality_splits_are_unsupported() {
    let message = unsupported(read(&predictor_model(
        "TreeEnsembleClassifier",
        with(tree_nodes("BRANCH_EQ"), class_one_only([0.25, 0.75, 1.0])),
        2,
    )));
    assert!(
        message.contains("split mode BRANCH_EQ (tree 0, node 0)"),
        "{message}"
    );
}

#[test]
fn mixed_comparison_families_are_unsupported() {
    let mut attributes = with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0]));
    attributes[3] = strings(
        "nodes_modes",
        &["BRANCH_LEQ", "LEAF", "BRANCH_LT", "LEAF", "LEAF"],
    );
    let message = unsupported(read(&binary_classifier(attributes)));
    assert!(message.contains("mixes"), "{message}");
}

/// A `Scaler` before trees (`x' = 2x`) moves each split to the input's float32 boundary: the
/// model on `x` is the scaler-less model on `2x`.
#[test]
fn scaler_before_trees_splits_the_input_where_the_scaled_value_does() {
    let nodes = vec![
        ml(
            "Scaler",
            "scale",
            &["X"],
            &["Xs"],
            vec![floats("offset", &[0.0]), floats("scale", &[2.0])],
        ),
        ml(
            "TreeEnsembleClassifier",
            "trees",
            &["Xs"],
            &["label", "probabilities"],
            with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0])),
        ),
    ];
    let scaled = imported(&model_with(nodes, FLOAT, 2, &["label"]));
    let attributes = with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0]));
    let plain = imported(&predictor_model("TreeEnsembleClassifier", attributes, 2));
    for a in -8..8 {
        for b in -8..8 {
            let x = [f64::from(a) * 0.25, f64::from(b) * 0.375];
            let doubled = [x[0] * 2.0, x[1] * 2.0];
            assert_eq!(
                scaled.float_scores(&x),
                plain.float_scores(&doubled),
                "{x:?}"
            );
        }
    }
}

#[test]
fn mismatched_array_lengths_are_malformed() {
    let mut attributes = with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0]));
    attributes[2] = ints("nodes_featureids", &[1, 0, 0, 0]);
    let message = malformed(read(&binary_classifier(attributes)));
    assert!(
        message.contains("nodes_nodeids has 5 entries but nodes_featureids has 4"),
        "{message}"
    );

    let mut attributes = with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0]));
    attributes[9] = ints("class_treeids", &[0, 0]);
    let message = malformed(read(&binary_classifier(attributes)));
    assert!(
        message.contains("class_ids has 3 entries but class_treeids has 2"),
        "{message}"
    );

    let message = malformed(read(&predictor_model(
        "LinearClassifier",
        vec![
            floats("coefficients", &[1.0, 2.0, 3.0]),
            floats("intercepts", &[0.0, 1.0]),
            ints("classlabels_ints", &[0, 1]),
        ],
        2,
    )));
    assert!(
        message.contains("3 coefficients for 2 intercepts"),
        "{message}"
    );
}

/// The malformed-model message for the small binary tree with some attributes replaced.
fn tree_error(edits: Vec<(usize, AttributeProto)>) -> String {
    let mut attributes = with(tree_nodes("BRANCH_LEQ"), class_one_only([0.25, 0.75, 1.0]));
    for (index, attribute) in edits {
        attributes[index] = attribute;
    }
    malformed(read(&binary_classifier(attributes)))
}

#[test]
fn missing_children_and_weights_are_malformed() {
    let cases = [
        (
            vec![(5, ints("nodes_truenodeids", &[1, 0, 7, 0, 0]))],
            "tree 0: node 2 points to node 7, which does not exist",
        ),
        (
            vec![(10, ints("class_nodeids", &[1, 3, 9]))],
            "tree 0, node 9, which does not exist",
        ),
        (
            vec![(10, ints("class_nodeids", &[1, 3, 3]))],
            "tree 0: leaf 4 has no weight",
        ),
    ];
    for (edits, needle) in cases {
        let message = tree_error(edits);
        assert!(message.contains(needle), "{needle:?} in {message}");
    }
}

#[test]
fn cycles_are_malformed() {
    let three_splits = || {
        strings(
            "nodes_modes",
            &["BRANCH_LEQ", "LEAF", "BRANCH_LEQ", "LEAF", "BRANCH_LEQ"],
        )
    };
    let cases = [
        // Node 2's false branch goes back to the root: leaf 4 loses its parent and the real
        // tree cannot be reached from it.
        (
            vec![(6, ints("nodes_falsenodeids", &[2, 0, 0, 0, 0]))],
            "tree 0: node 0 cannot be reached from the root (a cycle)",
        ),
        // Every node has a parent.
        (
            vec![
                (3, three_splits()),
                (5, ints("nodes_truenodeids", &[1, 0, 3, 0, 0])),
                (6, ints("nodes_falsenodeids", &[2, 0, 4, 0, 3])),
            ],
            "tree 0: every node has a parent (a cycle)",
        ),
        // Node 2 → node 4 → node 2, below the root.
        (
            vec![
                (3, three_splits()),
                (5, ints("nodes_truenodeids", &[1, 0, 3, 0, 2])),
                (6, ints("nodes_falsenodeids", &[2, 0, 4, 0, 3])),
            ],
            "cycle",
        ),
        // A node pointing to itself.
        (
            vec![(5, ints("nodes_truenodeids", &[1, 0, 2, 0, 0]))],
            "tree 0: node 2 points to itself",
        ),
    ];
    for (edits, needle) in cases {
        let message = tree_error(edits);
        assert!(message.contains(needle), "{needle:?} in {message}");
    }
    // Two roots.
    let message = tree_error(vec![
        (6, ints("nodes_falsenodeids", &[3, 0, 4, 0, 0])),
        (5, ints("nodes_truenodeids", &[1, 0, 3, 0, 0])),
    ]);
    assert!(
        message.contains("2 nodes have no parent") || message.contains("reached twice"),
        "{message}"
    );
}

#[test]
fn regressor_post_transforms_and_aggregates_are_checked() {
    let mut attributes = two_stumps("MAX", 0.0);
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes.clone(),
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 1, &["variable"])));
    assert!(message.contains("aggregate_function MAX"), "{message}");

    attributes[12] = string("aggregate_function", "SUM");
    attributes.push(string("post_transform", "PROBIT"));
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes,
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 1, &["variable"])));
    assert!(message.contains("post_transform PROBIT"), "{message}");
}

#[test]
fn a_root_listed_after_its_children_is_unsupported() {
    // A valid tree, but listed leaf-first: onnxruntime would start at the leaf.
    let attributes = vec![
        ints("nodes_treeids", &[0, 0, 0]),
        ints("nodes_nodeids", &[1, 0, 2]),
        ints("nodes_featureids", &[0, 0, 0]),
        strings("nodes_modes", &["LEAF", "BRANCH_LEQ", "LEAF"]),
        floats("nodes_values", &[0.0, 0.5, 0.0]),
        ints("nodes_truenodeids", &[0, 1, 0]),
        ints("nodes_falsenodeids", &[0, 2, 0]),
        ints("target_treeids", &[0, 0]),
        ints("target_nodeids", &[1, 2]),
        ints("target_ids", &[0, 0]),
        floats("target_weights", &[1.0, 2.0]),
        int("n_targets", 1),
    ];
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes,
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 1, &["variable"])));
    assert!(
        message.contains("tree 0 lists node 1 before its root, node 0"),
        "{message}"
    );
}

#[test]
fn interleaved_trees_are_unsupported() {
    let mut attributes = two_stumps("SUM", 0.0);
    attributes[0] = ints("nodes_treeids", &[0, 0, 1, 1, 1, 0]);
    attributes[1] = ints("nodes_nodeids", &[0, 1, 0, 1, 2, 2]);
    let nodes = vec![ml(
        "TreeEnsembleRegressor",
        "reg",
        &["X"],
        &["variable"],
        attributes,
    )];
    let message = unsupported(read(&model_with(nodes, FLOAT, 1, &["variable"])));
    assert!(
        message.contains("the nodes of tree 0 are not listed together"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// The example models: the held-out rows with what scikit-learn predicted for them.

/// One held-out row: the features and the library's outputs.
pub(super) struct Row {
    pub(super) x: Vec<f64>,
    pub(super) class: Option<String>,
    /// `expected_score` (a single value) or `expected_score_<k>`.
    pub(super) scores: Vec<f64>,
    /// `expected_proba_<k>`.
    pub(super) proba: Vec<f64>,
}

pub(super) fn example_path(name: &str, file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/models")
        .join(name)
        .join(file)
}

fn heldout(name: &str) -> (Vec<String>, Vec<Row>) {
    rows(&example_path(name, "heldout.csv"))
}

/// The rows of a CSV file of features followed by `expected_*` columns.
pub(super) fn rows(path: &std::path::Path) -> (Vec<String>, Vec<Row>) {
    let mut reader = csv::Reader::from_path(path).expect("a CSV file");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let features: Vec<String> = header
        .iter()
        .filter(|h| !h.starts_with("expected_"))
        .cloned()
        .collect();
    let column = |prefix: &str| -> Vec<usize> {
        let mut found: Vec<(usize, usize)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let rest = h.strip_prefix(prefix)?;
                if rest.is_empty() {
                    Some((0, i))
                } else {
                    Some((rest.strip_prefix('_')?.parse().ok()?, i))
                }
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, i)| i).collect()
    };
    let (score_columns, proba_columns) = (column("expected_score"), column("expected_proba"));
    let class_column = header.iter().position(|h| h == "expected_class");
    let rows = reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record");
            let number = |i: usize| -> f64 { record[i].parse().expect("a number") };
            Row {
                x: (0..features.len()).map(number).collect(),
                class: class_column.map(|i| record[i].to_string()),
                scores: score_columns.iter().map(|&i| number(i)).collect(),
                proba: proba_columns.iter().map(|&i| number(i)).collect(),
            }
        })
        .collect();
    (features, rows)
}

/// Relative error, measured against 1 for values smaller than 1 (scores near 0, probabilities).
fn error(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1.0)
}

/// Imports an example, evaluates every held-out row and compares with the recorded outputs:
/// the class must always agree and every score or probability must be within 1e-4.
fn check_example(name: &str, op: &str, task: Task, link: Link) -> SourceModel {
    let bytes = std::fs::read(example_path(name, "model.onnx")).expect("model.onnx");
    let model = imported(&bytes);
    let (features, rows) = heldout(name);
    assert_eq!(model.source, format!("skl2onnx 1.20.0 ({op})"));
    assert_eq!(model.task, task);
    assert_eq!(model.link, link);
    assert_eq!(model.precision, Precision::F32);
    assert_eq!(model.feature_names.len(), features.len());
    assert!(!rows.is_empty());
    let (mut agree, mut worst) = (0usize, 0.0f64);
    for (r, row) in rows.iter().enumerate() {
        let s = model.float_scores(&row.x);
        if let Some(expected) = &row.class {
            let class = &model.classes[class_of(&model, &s)];
            if class == expected {
                agree += 1;
            } else {
                eprintln!(
                    "{name}: row {r}: class {class}, the library says {expected} (scores {s:?})"
                );
            }
        }
        let compared: Vec<(f64, f64)> = if !row.proba.is_empty() {
            probabilities(&model, &s)
                .into_iter()
                .zip(row.proba.iter().copied())
                .collect()
        } else {
            assert_eq!(s.len(), row.scores.len(), "{name}: row {r}");
            s.iter().copied().zip(row.scores.iter().copied()).collect()
        };
        assert!(!compared.is_empty());
        for (got, want) in compared {
            worst = worst.max(error(got, want));
        }
    }
    let with_class = rows.iter().filter(|r| r.class.is_some()).count();
    println!(
        "{name}: {} rows, class agreement {agree}/{with_class}, max score error {worst:.3e}",
        rows.len()
    );
    assert_eq!(agree, with_class, "{name}: class disagreements");
    assert!(worst <= 1e-4, "{name}: max score error {worst}");
    model
}

/// An example: name, operator, task, link, and for trees (tree count, base scores).
type ExampleCase = (
    &'static str,
    &'static str,
    Task,
    Link,
    Option<(usize, &'static [f64])>,
);

#[test]
fn example_files_match_scikit_learn() {
    let cases: [ExampleCase; 9] = [
        // Rows (−w, w) and intercepts (−b, b), LOGISTIC: the binary score (s1 − s0)/2 is
        // scikit-learn's decision_function.
        (
            "breast_cancer_logreg",
            "LinearClassifier",
            Task::Binary,
            Link::Logistic,
            None,
        ),
        (
            "iris_logreg_multinomial",
            "LinearClassifier",
            Task::Multiclass,
            Link::Softmax,
            None,
        ),
        (
            "wine_linear_svc",
            "LinearClassifier",
            Task::Multiclass,
            Link::None,
            None,
        ),
        (
            "diabetes_linear_regression",
            "LinearRegressor",
            Task::Regression,
            Link::Identity,
            None,
        ),
        // Binary case: P(1) stored under class id 0, all weights ≥ 0, so class 1 iff P(1) > ½.
        (
            "breast_cancer_decision_tree",
            "TreeEnsembleClassifier",
            Task::Binary,
            Link::Proportion,
            Some((1, &[-0.5])),
        ),
        (
            "breast_cancer_random_forest",
            "TreeEnsembleClassifier",
            Task::Binary,
            Link::Proportion,
            Some((50, &[-0.5])),
        ),
        (
            "wine_random_forest",
            "TreeEnsembleClassifier",
            Task::Multiclass,
            Link::Proportion,
            Some((30, &[0.0, 0.0, 0.0])),
        ),
        (
            "diabetes_decision_tree_regressor",
            "TreeEnsembleRegressor",
            Task::Regression,
            Link::Identity,
            Some((1, &[0.0])),
        ),
        (
            "diabetes_random_forest_regressor",
            "TreeEnsembleRegressor",
            Task::Regression,
            Link::Identity,
            Some((30, &[0.0])),
        ),
    ];
    for (name, op, task, link, shape) in cases {
        let model = check_example(name, op, task, link);
        if let Some((count, expected_base)) = shape {
            let SourceBody::Trees {
                rule, base, trees, ..
            } = &model.body
            else {
                panic!("{name}: trees expected")
            };
            assert_eq!(*rule, SplitRule::LessOrEqual, "{name}");
            assert_eq!(
                (trees.len(), base.as_slice()),
                (count, expected_base),
                "{name}"
            );
        }
    }
}

#[test]
fn examples_are_detected_as_onnx_and_nothing_else_is() {
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models");
    let mut onnx = 0;
    for entry in std::fs::read_dir(&models).expect("examples/models") {
        let dir = entry.expect("an entry").path();
        for file in std::fs::read_dir(&dir).expect("a model directory") {
            let path = file.expect("an entry").path();
            let bytes = std::fs::read(&path).expect("a file");
            let is_onnx = path.extension().is_some_and(|e| e == "onnx");
            assert_eq!(looks_like(&bytes), is_onnx, "{}", path.display());
            if is_onnx {
                let (format, source) =
                    crate::import::read_source(&bytes, "model.onnx").expect("imports");
                assert_eq!(format, crate::error::Format::Onnx);
                let producers = ["skl2onnx 1.20.0 (", "CatBoost 1.2.10 ("];
                let source = &source.source;
                assert!(producers.iter().any(|p| source.starts_with(p)), "{source}");
                onnx += 1;
            }
        }
    }
    assert!(onnx >= 9, "found {onnx} ONNX examples");
}

// ---------------------------------------------------------------------------------------------
// Column transformers before tree ensembles.

pub(super) fn int64_tensor(name: &str, values: &[i64]) -> TensorProto {
    TensorProto {
        dims: vec![values.len() as i64],
        data_type: Some(7),
        int64_data: values.to_vec(),
        name: Some(name.into()),
        ..Default::default()
    }
}

/// skl2onnx's graph for `ColumnTransformer([("num", StandardScaler-like Scaler, [0]),
/// ("cat", OneHotEncoder(categories 0, 1, 2), [1])])` over `X = [x, c]`, feeding `predictor`
/// the columns `[(x − 1)·2, c = 0, c = 1, c = 2]`.
fn column_transformer(predictor: NodeProto, zeros: i64) -> Vec<u8> {
    let nodes = vec![
        ml(
            "ArrayFeatureExtractor",
            "pick_num",
            &["X", "idx_num"],
            &["num"],
            vec![],
        ),
        ml(
            "Scaler",
            "scaler",
            &["num"],
            &["num_scaled"],
            vec![floats("offset", &[1.0]), floats("scale", &[2.0])],
        ),
        ml(
            "ArrayFeatureExtractor",
            "pick_cat",
            &["X", "idx_cat"],
            &["cat"],
            vec![],
        ),
        node(
            "Gather",
            "",
            "gather",
            &["cat", "idx_first"],
            &["cat0"],
            vec![int("axis", 1)],
        ),
        node(
            "Cast",
            "",
            "cast",
            &["cat0"],
            &["cat_int"],
            vec![int("to", 7)],
        ),
    ];
    let categories = ints("cats_int64s", &[0, 1, 2]);
    let nodes = [
        nodes,
        encode_and_join("cat_int", categories, zeros, "num_scaled", predictor),
    ]
    .concat();
    let mut model =
        ModelProto::decode(model_with(nodes, FLOAT, 2, &["variable"]).as_slice()).expect("a model");
    let graph = model.graph.as_mut().expect("a graph");
    graph.initializer = vec![
        int64_tensor("idx_num", &[0]),
        int64_tensor("idx_cat", &[1]),
        int64_tensor("idx_first", &[0]),
        int64_tensor("shape", &[-1, 3]),
    ];
    model.encode_to_vec()
}

/// The end of skl2onnx's column transformer: a `OneHotEncoder` of three `categories` reading
/// `data`, its rows reshaped and joined after the column `numbers`, into `predictor`.
pub(super) fn encode_and_join(
    data: &str,
    categories: AttributeProto,
    zeros: i64,
    numbers: &str,
    predictor: NodeProto,
) -> Vec<NodeProto> {
    vec![
        ml(
            "OneHotEncoder",
            "onehot",
            &[data],
            &["encoded"],
            vec![categories, int("zeros", zeros)],
        ),
        node(
            "Reshape",
            "",
            "reshape",
            &["encoded", "shape"],
            &["encoded_rows"],
            vec![],
        ),
        node(
            "Concat",
            "",
            "concat",
            &[numbers, "encoded_rows"],
            &["columns"],
            vec![int("axis", 1)],
        ),
        predictor,
    ]
}

/// Two stumps: on column 2 (`c = 1`) at 0.5, leaves 1 (true) and 3; on column 0 (the scaled
/// `x`) at 0.5, leaves 10 (true) and 30.
pub(super) fn stumps_on_columns() -> NodeProto {
    let mut attributes = two_stumps("SUM", 0.0);
    attributes[2] = ints("nodes_featureids", &[2, 0, 0, 0, 0, 0]);
    attributes[4] = floats("nodes_values", &[0.5, 0.0, 0.0, 0.5, 0.0, 0.0]);
    ml(
        "TreeEnsembleRegressor",
        "reg",
        &["columns"],
        &["variable"],
        attributes,
    )
}

/// A category's indicator becomes a categorical split of the input column, read as
/// scikit-learn reads categories (2.5 and −1 are none: all zeros), and a scaled column a split
/// of the input column at the float32 where `(x − 1)·2 ≤ 0.5` stops holding (x = 1.25).
#[test]
fn one_hot_and_scaled_columns_fold_into_the_input_columns() {
    let model = imported(&column_transformer(stumps_on_columns(), 1));
    assert_eq!(model.feature_names, ["f0", "f1"]);
    let SourceBody::Trees { categorical, .. } = &model.body else {
        panic!("trees")
    };
    let exact = Some(crate::model::CategoryRead::Exact);
    assert_eq!(categorical.as_deref(), Some(&[None, exact][..]));
    let after = f64::from(1.25f32.next_up());
    for (x, expected) in [
        ([1.25, 1.0], 13.0),
        ([after, 1.0], 33.0),
        ([after, 0.0], 31.0),
        ([0.0, 2.0], 11.0),
        ([0.0, 2.5], 11.0),
        ([0.0, -1.0], 11.0),
        ([0.0, 1e9], 11.0),
    ] {
        assert_eq!(model.float_scores(&x), [expected], "{x:?}");
    }
    let quantized = crate::quantize::quantize(&model, None).expect("quantizes");
    let q = quantized.quantize_input(&[1.25, 1.0]).unwrap();
    let scores = crate::inference::infer(&quantized, &q).real_scores(&quantized);
    assert_eq!(scores, [13.0]);
}

/// `handle_unknown="error"` (`zeros = 0`): the categories the encoder knows are the only ones an
/// input may have, as scikit-learn raises on any other; a model whose encoder ignores unknown
/// categories records none.
#[test]
fn an_encoder_that_raises_makes_unknown_categories_refused_inputs() {
    let source = imported(&column_transformer(stumps_on_columns(), 0));
    let SourceBody::Trees { known, .. } = &source.body else {
        panic!("trees")
    };
    assert_eq!(known.as_deref(), Some(&[None, Some(vec![0, 1, 2])][..]));
    let model = crate::quantize::quantize(&source, None).expect("quantizes");
    let reread = crate::Model::from_json(&model.to_canonical_json()).unwrap();
    assert_eq!(reread, model);
    for c in [0.0, 1.0, 2.0, -0.0] {
        assert!(model.quantize_input(&[0.5, c]).is_ok(), "{c}");
    }
    for c in [3.0, 2.5, -1.0, 1e9] {
        match model.quantize_input(&[0.5, c]) {
            Err(crate::InputError::UnknownCategory { feature, known, .. }) => {
                assert_eq!((feature.as_str(), known), ("f1", 3), "{c}")
            }
            other => panic!("{c}: {other:?}"),
        }
    }
    let ignoring = imported(&column_transformer(stumps_on_columns(), 1));
    let SourceBody::Trees { known, .. } = &ignoring.body else {
        panic!("trees")
    };
    assert_eq!(known, &None);
}

/// `y = 1·(x − 1)·2 + 2·[c = 0] + 3·[c = 1] + 4·[c = 2]` after the column transformer.
pub(super) fn linear_on_columns() -> NodeProto {
    linear_regressor(&[1.0, 2.0, 3.0, 4.0])
}

/// A `LinearRegressor` of `coefficients` over the value `columns`, intercept 0.
pub(super) fn linear_regressor(coefficients: &[f32]) -> NodeProto {
    ml(
        "LinearRegressor",
        "linear",
        &["columns"],
        &["variable"],
        vec![
            floats("coefficients", coefficients),
            floats("intercepts", &[0.0]),
        ],
    )
}

/// What [`linear_on_columns`] folds into over `[x, c]` (`zeros = 0`: the encoder raises).
pub(super) fn folded_linear_on_columns(zeros: i64) -> SourceBody {
    let categories = Categories {
        read: CategoryRead::Exact,
        count: 3,
        known: (zeros == 0).then(|| vec![0, 1, 2]),
        labels: None,
    };
    SourceBody::Linear {
        weights: vec![vec![2.0, 2.0, 3.0, 4.0]],
        bias: vec![-2.0],
        indicators: Some(vec![None, Some(categories)]),
    }
}

#[test]
fn a_column_transformer_folds_into_a_linear_model_as_indicators() {
    for zeros in [1, 0] {
        let model = imported(&column_transformer(linear_on_columns(), zeros));
        assert_eq!(model.body, folded_linear_on_columns(zeros));
        assert_eq!(model.feature_names, ["f0", "f1"]);
        // scikit-learn's reading: category 1, then values it matches to no category.
        for (c, expected) in [(1.0, 4.0), (2.0, 5.0), (2.5, 1.0), (-1.0, 1.0), (7.0, 1.0)] {
            assert_eq!(model.float_scores(&[1.5, c]), [expected], "{c}");
        }
    }
}

#[test]
fn column_transformers_never_hide_an_error() {
    // What onnxruntime would read otherwise than the trace: refused, never folded.
    let mut model =
        ModelProto::decode(column_transformer(stumps_on_columns(), 1).as_slice()).expect("a model");
    let nodes = &mut model.graph.as_mut().expect("a graph").node;
    nodes[5].attribute[0] = ints("cats_int64s", &[0, 1, 1]);
    let message = unsupported(read(&model.encode_to_vec()));
    assert!(message.contains("a category listed twice"), "{message}");
    let nodes = &mut model.graph.as_mut().expect("a graph").node;
    nodes[5].attribute[0] = ints("cats_int64s", &[0, 1, 2]);
    nodes[1].attribute[1] = floats("scale", &[0.0]);
    let message = unsupported(read(&model.encode_to_vec()));
    assert!(message.contains("a scale of 0"), "{message}");
    // An encoder straight before the trees (no Cast, no columns picked) is no chain to skip.
    let nodes = vec![
        ml(
            "OneHotEncoder",
            "onehot",
            &["X"],
            &["columns"],
            vec![ints("cats_int64s", &[0, 1, 2]), int("zeros", 1)],
        ),
        stumps_on_columns(),
    ];
    let message = unsupported(read(&model_with(nodes, FLOAT, 2, &["variable"])));
    assert!(message.contains("OneHotEncoder"), "{message}");
}
