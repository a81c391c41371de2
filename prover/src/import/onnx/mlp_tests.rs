//! Tests of the dense-network path: the MLP examples and fixtures against scikit-learn's float64
//! outputs, `Gemm` and `Constant` variants of their graphs, and malformed or unsupported graphs
//! made by editing them.

use prost::Message;

use super::proto::*;
use super::read;
use super::tests::{class_of, example_path, imported, malformed, rows, unsupported};
use crate::model::{Activation, Link, Precision, Task};
use crate::source::{SourceBody, SourceModel};

// ---------------------------------------------------------------------------------------------
// Files and their expected outputs.

fn fixture_path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/import/onnx/fixtures")
        .join(file)
}

fn example(name: &str) -> ModelProto {
    let bytes = std::fs::read(example_path(name, "model.onnx")).expect("model.onnx");
    ModelProto::decode(bytes.as_slice()).expect("an ONNX model")
}

fn fixture(name: &str) -> ModelProto {
    let bytes = std::fs::read(fixture_path(&format!("{name}.onnx"))).expect("a fixture");
    ModelProto::decode(bytes.as_slice()).expect("an ONNX model")
}

/// What an imported network must look like.
struct Expected {
    source: &'static str,
    task: Task,
    link: Link,
    precision: Precision,
    activation: Activation,
    classes: &'static [&'static str],
}

/// Imports a model, checks its shape, and compares its scores and classes on every CSV row with
/// scikit-learn's float64 ones. Returns the largest absolute score difference.
fn check_rows(model: &SourceModel, csv: &std::path::Path, expected: &Expected) -> f64 {
    assert_eq!(model.source, expected.source);
    assert_eq!(model.task, expected.task);
    assert_eq!(model.link, expected.link);
    assert_eq!(model.precision, expected.precision);
    assert_eq!(model.classes, expected.classes);
    let SourceBody::Mlp { activation, .. } = &model.body else {
        panic!("a network expected, got {:?}", model.body)
    };
    assert_eq!(*activation, expected.activation);
    let (features, rows) = rows(csv);
    assert_eq!(model.feature_names.len(), features.len());
    assert!(!rows.is_empty());
    let mut worst = 0.0f64;
    for (r, row) in rows.iter().enumerate() {
        let scores = model.float_scores(&row.x);
        assert_eq!(scores.len(), row.scores.len(), "row {r}");
        for (got, want) in scores.iter().zip(&row.scores) {
            worst = worst.max((got - want).abs());
        }
        if let Some(class) = &row.class {
            let decided = &model.classes[class_of(model, &scores)];
            assert_eq!(decided, class, "row {r}: scores {scores:?}");
        }
    }
    println!(
        "{}: {} rows, max |score − scikit-learn| = {worst:.3e}",
        csv.display(),
        rows.len()
    );
    worst
}

fn import(proto: &ModelProto) -> SourceModel {
    imported(&proto.encode_to_vec())
}

fn attempt(proto: &ModelProto) -> Result<SourceModel, crate::error::FormatError> {
    read(&proto.encode_to_vec())
}

// ---------------------------------------------------------------------------------------------
// The examples and fixtures.

/// The ONNX weights are float32 roundings of scikit-learn's float64 ones (relative error
/// ≤ 2^-24 each), and so are the Scaler's offsets and scales. With logits up to about 32 the
/// measured differences stay below 1.3e-6, so 1e-4 absolute leaves a wide margin.
const TOLERANCE: f64 = 1e-4;

#[test]
fn breast_cancer_mlp_matches_scikit_learn() {
    let model = import(&example("breast_cancer_mlp"));
    let SourceBody::Mlp { layers, .. } = &model.body else {
        panic!("a network")
    };
    let shapes: Vec<(usize, usize)> = layers
        .iter()
        .map(|l| (l.weights.len(), l.weights[0].len()))
        .collect();
    assert_eq!(shapes, [(16, 30), (1, 16)]);
    let worst = check_rows(
        &model,
        &example_path("breast_cancer_mlp", "heldout.csv"),
        &Expected {
            source: "skl2onnx 1.20.0 (MLP 30-16-1, relu)",
            task: Task::Binary,
            link: Link::Logistic,
            precision: Precision::F32,
            activation: Activation::Relu,
            classes: &["0", "1"],
        },
    );
    assert!(worst <= TOLERANCE, "max score error {worst}");
}

#[test]
fn digits_mlp_matches_scikit_learn() {
    let model = import(&example("digits_mlp"));
    let worst = check_rows(
        &model,
        &example_path("digits_mlp", "heldout.csv"),
        &Expected {
            source: "skl2onnx 1.20.0 (MLP 64-32-10, relu)",
            task: Task::Multiclass,
            link: Link::Softmax,
            precision: Precision::F32,
            activation: Activation::Relu,
            classes: &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        },
    );
    assert!(worst <= TOLERANCE, "max score error {worst}");
}

#[test]
fn mlp_regressor_matches_scikit_learn() {
    for (name, precision) in [
        ("mlp_regressor", Precision::F32),
        ("mlp_regressor_double", Precision::F64),
    ] {
        let model = import(&fixture(name));
        let worst = check_rows(
            &model,
            &fixture_path(&format!("{name}.csv")),
            &Expected {
                source: "skl2onnx 1.20.0 (MLP 3-5-1, relu)",
                task: Task::Regression,
                link: Link::Identity,
                precision,
                activation: Activation::Relu,
                classes: &[],
            },
        );
        // The double graph holds scikit-learn's weights exactly.
        let tolerance = if precision == Precision::F64 {
            1e-12
        } else {
            TOLERANCE
        };
        assert!(worst <= tolerance, "{name}: max score error {worst}");
    }
}

#[test]
fn identity_classifier_with_string_labels_matches_scikit_learn() {
    let model = import(&fixture("mlp_identity_strings"));
    let worst = check_rows(
        &model,
        &fixture_path("mlp_identity_strings.csv"),
        &Expected {
            source: "skl2onnx 1.20.0 (MLP 3-4-3-3, identity)",
            task: Task::Multiclass,
            link: Link::Softmax,
            precision: Precision::F32,
            activation: Activation::Identity,
            classes: &["high", "low", "mid"],
        },
    );
    assert!(worst <= TOLERANCE, "max score error {worst}");
}

#[test]
fn identity_nodes_between_layers_are_identity_activations() {
    // skl2onnx writes `Identity` for activation='identity' before its optimizer removes it.
    let original = fixture("mlp_identity_strings");
    let mut proto = original.clone();
    let graph = proto.graph.as_mut().unwrap();
    for (add, matmul) in [("add_result", "MatMul1"), ("add_result1", "MatMul2")] {
        let id = format!("{add}_id");
        let position = node_index(graph, matmul);
        graph.node[position].input[0] = id.clone();
        graph.node.insert(position, op("Identity", &[add], &[&id]));
    }
    assert!(import(&proto).body == import(&original).body);
}

// ---------------------------------------------------------------------------------------------
// Editing graphs.

fn op(op_type: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: Some(format!("{op_type}_{}", outputs.first().unwrap_or(&""))),
        op_type: Some(op_type.into()),
        domain: Some(String::new()),
        ..Default::default()
    }
}

fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        i: Some(value),
        r#type: Some(2),
        ..Default::default()
    }
}

fn float_attribute(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        f: Some(value),
        r#type: Some(1),
        ..Default::default()
    }
}

fn node_index(graph: &GraphProto, name: &str) -> usize {
    graph
        .node
        .iter()
        .position(|n| n.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no node {name}"))
}

fn initializer<'a>(graph: &'a mut GraphProto, name: &str) -> &'a mut TensorProto {
    graph
        .initializer
        .iter_mut()
        .find(|t| t.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no initializer {name}"))
}

/// The example with one edit to its graph.
fn edited(name: &str, edit: impl FnOnce(&mut GraphProto)) -> ModelProto {
    let mut proto = if name.starts_with("mlp_") {
        fixture(name)
    } else {
        example(name)
    };
    edit(proto.graph.as_mut().unwrap());
    proto
}

fn set_op(graph: &mut GraphProto, name: &str, op_type: &str) {
    let i = node_index(graph, name);
    graph.node[i].op_type = Some(op_type.into());
}

/// A float tensor `[rows, columns]` of small deterministic values.
fn matrix(name: &str, rows: usize, columns: usize, seed: usize) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![rows as i64, columns as i64],
        data_type: Some(1),
        float_data: (0..rows * columns)
            .map(|k| ((k * 7 + seed * 3) % 11) as f32 / 8.0 - 0.6)
            .collect(),
        ..Default::default()
    }
}

/// A regression network of the given widths (`widths[0]` features), `MatMul → Add` layers with
/// `hidden` between them.
fn network(widths: &[usize], hidden: &str) -> ModelProto {
    let mut proto = fixture("mlp_regressor");
    let graph = proto.graph.as_mut().unwrap();
    graph.node.clear();
    graph.initializer.clear();
    let mut a = "input".to_string();
    for (l, pair) in widths.windows(2).enumerate() {
        let (w, b, m, z) = (
            format!("w{l}"),
            format!("b{l}"),
            format!("m{l}"),
            format!("z{l}"),
        );
        graph.initializer.push(matrix(&w, pair[0], pair[1], l));
        graph.initializer.push(matrix(&b, 1, pair[1], l + 1));
        graph.node.push(op("MatMul", &[&a, &w], &[&m]));
        graph.node.push(op("Add", &[&m, &b], &[&z]));
        a = z.clone();
        if l + 2 < widths.len() && !hidden.is_empty() {
            let h = format!("h{l}");
            graph.node.push(op(hidden, &[&z], &[&h]));
            a = h;
        }
    }
    let input = graph.input[0].r#type.as_mut().unwrap();
    let Some(type_proto::Value::TensorType(tensor)) = input.value.as_mut() else {
        panic!("a tensor input")
    };
    let dim = &mut tensor.shape.as_mut().unwrap().dim[1];
    dim.value = Some(tensor_shape_proto::dimension::Value::DimValue(
        widths[0] as i64,
    ));
    graph.output[0].name = Some(a);
    proto
}

// ---------------------------------------------------------------------------------------------
// Variants that import.

/// Rewrites every `MatMul → Add` into one `Gemm` with `transB = 1` (the weights stored
/// transposed), `alpha = ½` with doubled weights and `beta = ½` with doubled biases, all exact
/// (halving would not be: some weights are subnormal).
/// With `keep_add`, the `Gemm` has no `C` and the `Add` stays.
fn as_gemm(graph: &mut GraphProto, matmul: &str, add: &str, keep_add: bool) {
    let m = node_index(graph, matmul);
    let (weights, data) = (
        graph.node[m].input[1].clone(),
        graph.node[m].input[0].clone(),
    );
    let w = initializer(graph, &weights);
    let (rows, columns) = (w.dims[0] as usize, w.dims[1] as usize);
    let values = w.float_data.clone();
    w.dims = vec![columns as i64, rows as i64];
    w.float_data = (0..columns * rows)
        .map(|k| values[(k % rows) * columns + k / rows] * 2.0)
        .collect();
    let a = node_index(graph, add);
    let bias = graph.node[a].input[1].clone();
    let mut gemm = op("Gemm", &[&data, &weights], &[]);
    gemm.attribute = vec![
        int_attribute("transB", 1),
        float_attribute("alpha", 0.5),
        int_attribute("transA", 0),
    ];
    if keep_add {
        gemm.output = vec![graph.node[m].output[0].clone()];
        graph.node[m] = gemm;
        return;
    }
    let b = initializer(graph, &bias);
    b.dims = vec![b.dims[1]];
    b.float_data.iter_mut().for_each(|v| *v *= 2.0);
    gemm.input.push(bias);
    gemm.attribute.push(float_attribute("beta", 0.5));
    gemm.output = graph.node[a].output.clone();
    graph.node[m] = gemm;
    graph.node.remove(a);
}

#[test]
fn gemm_layers_import_like_matmul_and_add() {
    for name in ["breast_cancer_mlp", "digits_mlp"] {
        let original = import(&example(name));
        let gemm = edited(name, |g| {
            as_gemm(g, "MatMul", "Add", false);
            as_gemm(g, "MatMul1", "Add1", true);
        });
        let nodes = &gemm.graph.as_ref().unwrap().node;
        assert!(nodes.iter().all(|n| n.op_type.as_deref() != Some("MatMul")));
        // Not assert_eq: the bodies are too long to print.
        assert!(
            import(&gemm).body == original.body,
            "{name}: the bodies differ"
        );
    }
}

#[test]
fn constant_nodes_can_hold_the_weights() {
    let original = import(&example("digits_mlp"));
    let proto = edited("digits_mlp", |g| {
        let i = g
            .initializer
            .iter()
            .position(|t| t.name.as_deref() == Some("coefficient1"))
            .unwrap();
        let tensor = g.initializer.remove(i);
        let mut constant = op("Constant", &[], &["coefficient1"]);
        constant.attribute = vec![AttributeProto {
            name: Some("value".into()),
            t: Some(tensor),
            r#type: Some(4),
            ..Default::default()
        }];
        g.node.insert(0, constant);
    });
    assert!(import(&proto).body == original.body);
}

#[test]
fn sixteen_hidden_layers_are_accepted() {
    let mut widths = vec![3usize; 17];
    widths.push(1);
    let model = import(&network(&widths, "Relu"));
    let SourceBody::Mlp {
        layers, activation, ..
    } = &model.body
    else {
        panic!("a network")
    };
    assert_eq!((layers.len(), *activation), (17, Activation::Relu));
    let description = format!("MLP {}1, relu", "3-".repeat(17));
    assert_eq!(model.source, format!("skl2onnx 1.20.0 ({description})"));
}

// ---------------------------------------------------------------------------------------------
// Refused graphs.

#[test]
fn other_hidden_activations_are_unsupported() {
    for activation in ["Tanh", "Sigmoid", "LeakyRelu", "Softplus"] {
        let proto = edited("breast_cancer_mlp", |g| set_op(g, "Relu", activation));
        let message = unsupported(attempt(&proto));
        assert!(
            message.contains(&format!(
                "hidden activation {activation} at operator ai.onnx.{activation} (node \"Relu\")"
            )) && message.contains("zkinfer proves ReLU and identity networks"),
            "{message}"
        );
    }
}

#[test]
fn mixed_hidden_activations_are_unsupported() {
    // Three layers, identity activations; a Relu after the first layer only.
    let proto = edited("mlp_identity_strings", |g| {
        let position = node_index(g, "MatMul1");
        g.node[position].input[0] = "relu_out".into();
        g.node
            .insert(position, op("Relu", &["add_result"], &["relu_out"]));
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("hidden layers with different activations")
            && message.contains("Relu")
            && message.contains("identity"),
        "{message}"
    );
}

#[test]
fn too_many_or_too_few_layers_are_unsupported() {
    let mut widths = vec![3usize; 18];
    widths.push(1);
    let message = unsupported(attempt(&network(&widths, "Relu")));
    assert!(
        message.contains("a network of 17 hidden layers (at most 16)"),
        "{message}"
    );
    let message = unsupported(attempt(&network(&[3, 1], "Relu")));
    assert!(message.contains("without a hidden layer"), "{message}");
}

#[test]
fn oversized_layers_are_unsupported_before_reading_weights() {
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient").dims = vec![30, 5000];
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("a layer of width 5000 (at most 4096)"),
        "{message}"
    );

    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient").dims = vec![30, 4000];
        initializer(g, "intercepts").dims = vec![1, 4000];
        initializer(g, "coefficient1").dims = vec![4000, 300];
        initializer(g, "intercepts1").dims = vec![1, 300];
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("more than 1048576 weights and biases"),
        "{message}"
    );
}

#[test]
fn weight_shapes_must_fit() {
    // Sixteen values, but eight inputs after a layer of sixteen.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient1").dims = vec![8, 2];
    });
    let message = malformed(attempt(&proto));
    assert!(
        message.contains("takes 8 inputs but the layer before it has 16 outputs"),
        "{message}"
    );

    // One value short.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient").float_data.pop();
    });
    let message = malformed(attempt(&proto));
    assert!(
        message.contains("holds 479 values for 480 elements"),
        "{message}"
    );

    // Not a matrix.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient").dims = vec![30, 16, 1];
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("expected a matrix"), "{message}");

    // A bias for another width.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "intercepts").dims = vec![1, 15];
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("a bias of shape [1, 15] for 16 outputs"),
        "{message}"
    );

    // The input width disagrees with the first layer.
    let proto = edited("digits_mlp", |g| {
        let w = initializer(g, "coefficient");
        w.dims = vec![63, 32];
        w.float_data.truncate(63 * 32);
    });
    let message = malformed(attempt(&proto));
    assert!(
        message.contains("the input has 64 features but the first layer's weights are for 63"),
        "{message}"
    );
}

#[test]
fn missing_and_computed_weights_are_refused() {
    let proto = edited("breast_cancer_mlp", |g| {
        g.initializer
            .retain(|t| t.name.as_deref() != Some("intercepts"));
    });
    let message = malformed(attempt(&proto));
    assert!(
        message.contains(r#"operator ai.onnx.Add (node "Add") reads "intercepts", which no initializer or node provides"#),
        "{message}"
    );

    let proto = edited("breast_cancer_mlp", |g| {
        g.initializer
            .retain(|t| t.name.as_deref() != Some("coefficient1"));
    });
    let message = malformed(attempt(&proto));
    assert!(message.contains(r#"reads "coefficient1""#), "{message}");

    // Weights computed from the input.
    let proto = edited("digits_mlp", |g| {
        let i = node_index(g, "MatMul");
        g.node[i].input[1] = "cast_input".into();
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains(r#"the weights "cast_input" are computed"#),
        "{message}"
    );

    // A bias computed from the layer's own input.
    let proto = edited("digits_mlp", |g| {
        let i = node_index(g, "Add1");
        g.node[i].input[1] = "next_activations".into();
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("adds two computed values"), "{message}");
}

#[test]
fn non_finite_and_mistyped_weights_are_malformed() {
    for (tensor, value) in [("coefficient", f32::NAN), ("intercepts1", f32::INFINITY)] {
        let proto = edited("breast_cancer_mlp", |g| {
            initializer(g, tensor).float_data[0] = value;
        });
        let message = malformed(attempt(&proto));
        assert!(
            message.contains(&format!("\"{tensor}\" hold the value {}", f64::from(value))),
            "{message}"
        );
    }
    let proto = edited("breast_cancer_mlp", |g| {
        let b = initializer(g, "intercepts");
        b.data_type = Some(11);
        b.double_data = b.float_data.iter().map(|&v| f64::from(v)).collect();
        b.float_data.clear();
    });
    let message = malformed(attempt(&proto));
    assert!(
        message
            .contains(r#"the bias "intercepts" hold double values but the layer's input is float"#),
        "{message}"
    );
}

#[test]
fn gemm_with_transposed_input_is_unsupported() {
    let proto = edited("digits_mlp", |g| {
        as_gemm(g, "MatMul", "Add", false);
        let i = g
            .node
            .iter()
            .position(|n| n.op_type.as_deref() == Some("Gemm"))
            .unwrap();
        g.node[i].attribute[2] = int_attribute("transA", 1);
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("with transA=1"), "{message}");
}

#[test]
fn outputs_other_than_one_logit_or_softmax_classes_are_unsupported() {
    // Two regression targets.
    let proto = edited("mlp_regressor", |g| {
        initializer(g, "coefficient1").dims = vec![5, 2];
        initializer(g, "intercepts1").dims = vec![1, 2];
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("a regression network with 2 outputs"),
        "{message}"
    );

    // A sigmoid over two outputs: a multilabel classifier.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "coefficient1").dims = vec![16, 2];
        initializer(g, "intercepts1").dims = vec![1, 2];
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("multilabel"), "{message}");

    // Another output activation.
    let proto = edited("breast_cancer_mlp", |g| set_op(g, "Relu1", "Tanh"));
    let message = unsupported(attempt(&proto));
    assert!(message.contains("output activation Tanh"), "{message}");
}

#[test]
fn the_label_path_is_checked() {
    // Probabilities [p, 1 − p]: the class order would be reversed.
    let proto = edited("breast_cancer_mlp", |g| {
        let i = node_index(g, "Concat");
        g.node[i].input.swap(0, 1);
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("does not read Concat(1 − p, p)"),
        "{message}"
    );

    // 2 − p instead of 1 − p.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "unity").float_data = vec![2.0];
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("does not read Concat(1 − p, p)"),
        "{message}"
    );

    // The last largest probability.
    let proto = edited("digits_mlp", |g| {
        let i = node_index(g, "ArgMax");
        g.node[i]
            .attribute
            .push(int_attribute("select_last_index", 1));
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("select_last_index"), "{message}");

    // No label output at all.
    let proto = edited("digits_mlp", |g| {
        g.node.retain(|n| n.op_type.as_deref() != Some("ArgMax"));
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("with 0 ArgMax nodes"), "{message}");

    // A class table of the wrong length.
    let proto = edited("breast_cancer_mlp", |g| {
        let classes = initializer(g, "classes");
        classes.dims = vec![3];
        classes.int32_data = vec![0, 1, 2];
    });
    let message = malformed(attempt(&proto));
    assert!(
        message.contains(r#"the class table "classes" has shape [3] for 2 classes"#),
        "{message}"
    );

    // Duplicate labels.
    let proto = edited("breast_cancer_mlp", |g| {
        initializer(g, "classes").int32_data = vec![7, 7];
    });
    let message = malformed(attempt(&proto));
    assert!(message.contains("appears twice"), "{message}");
}

#[test]
fn graph_shape_errors_in_networks() {
    // A Scaler between two layers.
    let proto = edited("breast_cancer_mlp", |g| {
        let mut scaler = g.node[node_index(g, "Scaler")].clone();
        scaler.input = vec!["next_activations".into()];
        scaler.output = vec!["scaled_hidden".into()];
        scaler.name = Some("hidden_scaler".into());
        let i = node_index(g, "MatMul1");
        g.node[i].input[0] = "scaled_hidden".into();
        g.node.insert(i, scaler);
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains(r#"(node "hidden_scaler") between two layers of the network"#),
        "{message}"
    );

    // A second branch from the input.
    let proto = edited("digits_mlp", |g| {
        g.node
            .push(op("MatMul", &["cast_input", "coefficient"], &["other"]));
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("several outputs"), "{message}");

    // A predictor next to a network.
    let proto = edited("digits_mlp", |g| {
        let mut linear = op("LinearRegressor", &["input"], &["y"]);
        linear.domain = Some("ai.onnx.ml".into());
        g.node.push(linear);
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("in a graph with a dense network"),
        "{message}"
    );

    // An operator outside the chain that reads a hidden value.
    let proto = edited("digits_mlp", |g| {
        g.node.push(op("Identity", &["add_result"], &["leak"]));
    });
    let message = unsupported(attempt(&proto));
    assert!(
        message.contains("does not only post-process the network's outputs"),
        "{message}"
    );

    // A cycle through the layers.
    let proto = edited("digits_mlp", |g| {
        let i = node_index(g, "MatMul");
        g.node[i].input[0] = "next_activations".into();
    });
    assert!(attempt(&proto).is_err());

    // Two activations in a row.
    let proto = edited("digits_mlp", |g| {
        let i = node_index(g, "MatMul1");
        g.node[i].input[0] = "twice".into();
        g.node
            .insert(i, op("Relu", &["next_activations"], &["twice"]));
    });
    let message = unsupported(attempt(&proto));
    assert!(message.contains("after another activation"), "{message}");
}

/// A deterministic byte generator (xorshift).
fn noise(state: &mut u64) -> u8 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 24) as u8
}

#[test]
fn corrupted_network_files_never_panic() {
    let valid = example("breast_cancer_mlp").encode_to_vec();
    for end in 0..valid.len() {
        let _ = read(&valid[..end]);
    }
    for i in 0..valid.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bytes = valid.clone();
            bytes[i] ^= flip;
            if let Ok(model) = read(&bytes) {
                if model.check().is_ok() {
                    let _ = model.float_scores(&vec![1.0; model.feature_names.len()]);
                }
            }
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1d;
    for _ in 0..2000 {
        let mut bytes = valid.clone();
        for _ in 0..4 {
            let i = usize::from(noise(&mut state)) * valid.len() / 256;
            bytes[i] = noise(&mut state);
        }
        let _ = read(&bytes);
    }
}
