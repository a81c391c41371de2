//! Graphs of several inputs with string columns, as skl2onnx converts a pipeline fitted on a
//! pandas `DataFrame`: one input per column, a `OneHotEncoder` (`cats_strings`) per string
//! column. The categories keep their names; inputs give them by name.

use prost::Message;

use super::proto::{GraphProto, ModelProto, NodeProto};
use super::read;
use super::tests::{
    encode_and_join, floats, folded_linear_on_columns, imported, int, int64_tensor, ints,
    linear_on_columns, linear_regressor, ml, model_with, node, strings, stumps_on_columns,
    tensor_value, unsupported,
};
use crate::model::CategoryRead;
use crate::source::SourceBody;

const FLOAT: i32 = 1;
const INT64: i32 = 7;
const STRING: i32 = 8;

const COLOURS: [&str; 3] = ["red", "green", "blue"];

/// Inputs `x` (float32) and `c` (strings), one column each, and the columns
/// `[(x − 1)·2, c = "red", c = "green", c = "blue"]` feeding `predictor`.
fn frame_graph(predictor: NodeProto, zeros: i64) -> ModelProto {
    let scaler = ml(
        "Scaler",
        "scaler",
        &["x"],
        &["x_scaled"],
        vec![floats("offset", &[1.0]), floats("scale", &[2.0])],
    );
    let categories = strings("cats_strings", &COLOURS);
    let encoded = encode_and_join("c", categories, zeros, "x_scaled", predictor);
    let nodes = [vec![scaler], encoded].concat();
    let mut model =
        ModelProto::decode(model_with(nodes, FLOAT, 1, &["variable"]).as_slice()).expect("a model");
    let graph = graph(&mut model);
    graph.input = vec![
        tensor_value("x", FLOAT, &[None, Some(1)]),
        tensor_value("c", STRING, &[None, Some(1)]),
    ];
    graph.initializer = vec![int64_tensor("shape", &[-1, 3])];
    model
}

fn graph(model: &mut ModelProto) -> &mut GraphProto {
    model.graph.as_mut().expect("a graph")
}

fn colours() -> Option<Vec<Option<Vec<String>>>> {
    Some(vec![None, Some(COLOURS.map(String::from).to_vec())])
}

#[test]
fn string_categories_fold_into_a_linear_model_with_their_names() {
    for zeros in [1, 0] {
        let source = imported(&frame_graph(linear_on_columns(), zeros).encode_to_vec());
        assert_eq!(source.feature_names, ["x", "c"]);
        assert_eq!(source.labels, colours());
        assert_eq!(source.body, folded_linear_on_columns(zeros));
        let calibration = crate::Calibration::from_csv("x,c\n0,red\n4,blue\n").unwrap();
        let model = crate::quantize::quantize(&source, Some(&calibration)).unwrap();
        let named = model.categories(1).and_then(|c| c.labels.clone());
        assert_eq!(named, colours().unwrap()[1]);
        let reread = crate::Model::from_json(&model.to_canonical_json()).unwrap();
        assert_eq!(reread, model);
        // `y = (x − 1)·2 + (2, 3, 4)[c]`, and 0 for a colour the encoder ignores.
        let json = |c: &str| format!(r#"{{"x": 1.5, "c": {c}}}"#);
        for (c, expected) in [(r#""red""#, 3.0), (r#""blue""#, 5.0), (r#""pink""#, 1.0)] {
            let raw = crate::read_inputs(&model, &json(c));
            if zeros == 0 && c == r#""pink""# {
                let refused = model.quantize_input(&raw.unwrap()[0]).unwrap_err();
                let message = refused.to_string();
                assert!(message.contains(r#""red", "green", "blue""#), "{message}");
                continue;
            }
            let input = model.quantize_input(&raw.unwrap()[0]).unwrap();
            let scores = crate::inference::infer(&model, &input).real_scores(&model);
            assert!((scores[0] - expected).abs() < 1e-3, "{c}: {scores:?}");
        }
        // A number is no category name, whatever its value.
        let refused = crate::read_inputs(&model, &json("1")).unwrap_err();
        assert!(
            matches!(refused, crate::InputError::NotAName { .. }),
            "{refused}"
        );
    }
}

#[test]
fn string_categories_fold_into_trees_with_their_names() {
    let source = imported(&frame_graph(stumps_on_columns(), 1).encode_to_vec());
    assert_eq!(source.labels, colours());
    let SourceBody::Trees { categorical, .. } = &source.body else {
        panic!("trees")
    };
    assert_eq!(
        categorical.as_deref(),
        Some(&[None, Some(CategoryRead::Exact)][..])
    );
    let model = crate::quantize::quantize(&source, None).unwrap();
    // The stumps: `c = "green"` → 3 else 1, plus `(x − 1)·2 ≤ 0.5` → 10 else 30.
    // Names match exactly, as scikit-learn and onnxruntime match them: " green" is none, and
    // so is an empty cell (no category is "").
    let csv = "c,x\ngreen,1.25\nred,1.25\npink,0\n,0\n green,0\n";
    let inputs = crate::read_inputs(&model, csv).unwrap();
    let expected = [13.0, 11.0, 11.0, 11.0, 11.0];
    for (raw, expected) in inputs.iter().zip(expected) {
        let input = model.quantize_input(raw).unwrap();
        let scores = crate::inference::infer(&model, &input).real_scores(&model);
        assert_eq!(scores, [expected], "{raw:?}");
    }
}

/// What onnxruntime would read otherwise, or zkinfer could not read, is refused by name.
#[test]
fn string_inputs_are_read_only_through_an_encoder() {
    let message = |model: &ModelProto| unsupported(read(&model.encode_to_vec()));
    // A string input that no encoder reads.
    let mut model = frame_graph(linear_on_columns(), 1);
    graph(&mut model)
        .input
        .push(tensor_value("s", STRING, &[None, Some(1)]));
    let text = message(&model);
    assert!(text.contains(r#"string input column "s""#), "{text}");
    // Integer categories on strings; string categories on a float column.
    let mut model = frame_graph(linear_on_columns(), 1);
    graph(&mut model).node[1].attribute[0] = ints("cats_int64s", &[0, 1, 2]);
    let text = message(&model);
    assert!(text.contains("strings, no cats_strings"), "{text}");
    let mut model = frame_graph(linear_on_columns(), 1);
    graph(&mut model).node[1].input[0] = "x".into();
    let text = message(&model);
    assert!(text.contains("not cast to integers"), "{text}");
    // A category name no model could hold.
    let mut model = frame_graph(linear_on_columns(), 1);
    graph(&mut model).node[1].attribute[0] = strings("cats_strings", &["red", "a\nb", "blue"]);
    let text = message(&model);
    assert!(text.contains("control characters"), "{text}");
    // Strings straight into the model, and an input type zkinfer does not read.
    let nodes = vec![linear_on_columns()];
    let mut model = ModelProto::decode(model_with(nodes, STRING, 4, &["variable"]).as_slice())
        .expect("a model");
    graph(&mut model).node[0].input[0] = "X".into();
    let text = message(&model);
    assert!(text.contains("only through a OneHotEncoder"), "{text}");
    let mut model = frame_graph(linear_on_columns(), 1);
    graph(&mut model).input[0] = tensor_value("x", INT64, &[None, Some(1)]);
    let text = message(&model);
    assert!(text.contains("int64"), "{text}");
}

/// `OneHotEncoder(drop="first")`: skl2onnx encodes every category, then keeps the others
/// with a `Gather` along the encoder's last axis. The dropped category reads as all zeros.
#[test]
fn a_dropped_category_weighs_nothing() {
    let mut model = frame_graph(linear_regressor(&[1.0, 3.0, 4.0]), 0);
    let dropping = graph(&mut model);
    dropping.node[2].input[0] = "kept".into();
    dropping.node.insert(
        2,
        node(
            "Gather",
            "",
            "drop_first",
            &["encoded", "keep"],
            &["kept"],
            vec![int("axis", -1)],
        ),
    );
    dropping.initializer = vec![
        int64_tensor("shape", &[-1, 2]),
        int64_tensor("keep", &[1, 2]),
    ];
    let source = imported(&model.encode_to_vec());
    assert_eq!(source.labels, colours());
    // (x − 1)·2 + (0, 3, 4)[c]
    for (c, expected) in [(0.0, 1.0), (1.0, 4.0), (2.0, 5.0), (-1.0, 1.0)] {
        assert_eq!(source.float_scores(&[1.5, c]), [expected], "{c}");
    }
}

/// A string input of two columns: each is a feature, named after the input; one encoder
/// reads both, with the same names.
#[test]
fn each_column_of_a_wide_string_input_is_a_named_feature() {
    let mut model = frame_graph(linear_regressor(&[1.0, 2.0, 3.0, 4.0, 20.0, 30.0, 40.0]), 1);
    let wide = graph(&mut model);
    wide.input[1] = tensor_value("c", STRING, &[None, Some(2)]);
    wide.initializer = vec![int64_tensor("shape", &[-1, 6])];
    let source = imported(&model.encode_to_vec());
    assert_eq!(source.feature_names, ["x", "c_0", "c_1"]);
    let named = Some(COLOURS.map(String::from).to_vec());
    assert_eq!(source.labels, Some(vec![None, named.clone(), named]));
    assert_eq!(source.float_scores(&[1.5, 2.0, 0.0]), [1.0 + 4.0 + 20.0]);
    // An input named like another's column: refused, naming it.
    graph(&mut model)
        .input
        .push(tensor_value("c_1", FLOAT, &[None, Some(1)]));
    let text = unsupported(read(&model.encode_to_vec()));
    assert!(
        text.contains(r#"two graph input columns named "c_1""#),
        "{text}"
    );
}

/// Encoders onnxruntime would refuse or read otherwise, and names beyond the limits.
#[test]
fn string_encoders_are_checked_before_they_are_folded() {
    let refused = |edit: &dyn Fn(&mut GraphProto)| {
        let mut model = frame_graph(linear_on_columns(), 1);
        edit(graph(&mut model));
        unsupported(read(&model.encode_to_vec()))
    };
    let text = refused(&|g| g.node[1].attribute[0] = strings("cats_strings", &["a", "b", "a"]));
    assert!(text.contains(r#"the category "a" listed twice"#), "{text}");
    let text = refused(&|g| g.node[1].attribute.push(ints("cats_int64s", &[0, 1, 2])));
    assert!(text.contains("both cats_int64s and cats_strings"), "{text}");
    // 2 columns of 40 000 names of 16 bytes: more than 1 MiB of names in all.
    let many: Vec<String> = (0..40_000).map(|k| format!("category {k:07}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let text = refused(&|g| {
        g.input[1] = tensor_value("c", STRING, &[None, Some(2)]);
        g.node[1].attribute[0] = strings("cats_strings", &many);
    });
    assert!(
        text.contains("category names of more than 1048576 bytes"),
        "{text}"
    );
}
