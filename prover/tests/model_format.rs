//! The model format: canonical encoding, model ids, and validation of bad files.

mod common;

use common::{random_tree, tree_model, Rng};
use serde_json::json;
use zkinfer::fixed_point::SplitRule;
use zkinfer::model::{Body, Precision};
use zkinfer::quantize::quantize;
use zkinfer::{ImportError, Model, ModelError};

fn sample_model() -> Model {
    let mut rng = Rng::new(7);
    let trees = (0..3)
        .map(|_| random_tree(&mut rng, 3, 4, 1, None, |r, _| r.uniform(-10.0, 10.0)))
        .collect();
    quantize(
        &tree_model(SplitRule::LessThan, Precision::F32, 4, trees),
        None,
    )
    .unwrap()
}

#[test]
fn the_id_is_blake3_of_the_canonical_json() {
    let model = sample_model();
    let canonical = model.to_canonical_json();
    assert_eq!(
        model.id().to_string(),
        blake3::hash(&canonical).to_hex().to_string()
    );
    assert!(canonical.starts_with(br#"{"format":"zkinfer-model","version":1,"source":"#));
    assert!(!canonical.contains(&b'\n') && !canonical.contains(&b' '));
}

#[test]
fn the_id_does_not_depend_on_json_layout() {
    let model = sample_model();
    let pretty = serde_json::to_string_pretty(&model).unwrap();
    let reparsed = Model::from_json(pretty.as_bytes()).unwrap();
    assert_eq!(reparsed.id(), model.id());
    assert_eq!(reparsed.to_canonical_json(), model.to_canonical_json());
}

#[test]
fn quantizing_twice_gives_the_same_id() {
    assert_eq!(sample_model().id(), sample_model().id());
}

/// Pins the encoding: if this changes, every published model id changes, which needs a new
/// format version.
#[test]
fn golden_id_of_a_fixed_model() {
    let json = r#"{"format":"zkinfer-model","version":1,"source":"golden","input":{"precision":"f32","features":["a \"quoted\" name","größe"],"encoding":{"bins":{"rule":"less_than","cuts":[[],[[3,-2],[5,0]]]}}},"output":{"task":"binary","classes":["0","1"],"score_scale_log2":40,"link":"logistic"},"body":{"trees":{"base":[-5],"trees":[{"target":null,"feature":[1],"threshold":[2],"left":[1],"right":[2],"leaf_value":[-1099511627776,2199023255552]}]}}}"#;
    let model = Model::from_json(json.as_bytes()).unwrap();
    assert_eq!(model.to_canonical_json(), json.as_bytes());
    assert_eq!(
        model.id().to_string(),
        blake3::hash(json.as_bytes()).to_hex().to_string()
    );
    assert_eq!(
        model.id().to_string(),
        "275be6351e61f6b08115c773da6e3402c30e36e1c1ad85d413d2e191d1cdbac4"
    );
}

#[test]
fn any_change_changes_the_id() {
    let model = sample_model();
    let id = model.id();
    let mut changed = Vec::new();
    let Body::Trees(ensemble) = &model.body else {
        unreachable!()
    };
    for t in 0..ensemble.trees.len() {
        for i in 0..ensemble.trees[t].leaf_value.len() {
            let mut m = model.clone();
            let Body::Trees(e) = &mut m.body else {
                unreachable!()
            };
            e.trees[t].leaf_value[i] += 1;
            changed.push(m);
        }
        let mut m = model.clone();
        let Body::Trees(e) = &mut m.body else {
            unreachable!()
        };
        e.trees[t].threshold[0] -= 1;
        changed.push(m);
    }
    let mut m = model.clone();
    m.input.features[0].push('_');
    changed.push(m);
    let mut m = model.clone();
    let zkinfer::model::Encoding::Bins { cuts, .. } = &mut m.input.encoding else {
        unreachable!()
    };
    cuts[1][0].1 -= 1;
    changed.push(m);
    let mut m = model.clone();
    m.output.score_scale_log2 -= 1;
    changed.push(m);
    for m in &changed {
        assert_ne!(m.id(), id);
    }
    let unique: std::collections::HashSet<_> = changed.iter().map(Model::id).collect();
    assert_eq!(unique.len(), changed.len());
}

/// Applies `edit` to the sample model's JSON and expects validation to fail with `needle`.
fn assert_rejected(edit: impl Fn(&mut serde_json::Value), needle: &str) {
    let mut value: serde_json::Value = serde_json::to_value(sample_model()).unwrap();
    edit(&mut value);
    let err = Model::from_json(value.to_string().as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains(needle),
        "expected {needle:?} in {err}"
    );
}

#[test]
fn invalid_models_are_refused_with_clear_errors() {
    let tree = "/body/trees/trees/0";
    assert_rejected(|v| v["version"] = json!(3), "version 3 is not supported");
    // Version 2 is version 1 with missing values, and each needs the other.
    assert_rejected(
        |v| v["version"] = json!(2),
        "a version 2 model defines its missing values",
    );
    assert_rejected(
        |v| v["input"]["missing"] = json!(vec!["nan"; 4]),
        "missing values need model format version 2",
    );
    assert_rejected(
        |v| {
            v["version"] = json!(2);
            v["input"]["missing"] = json!(vec!["nan"; 4]);
        },
        "one default branch per split is needed exactly when missing values are defined",
    );
    assert_rejected(
        |v| {
            v["version"] = json!(2);
            v["input"]["missing"] = json!(["nan"]);
            v["body"]["trees"]["trees"][0]["default_left"] = json!([true]);
        },
        "missing values need one rule per feature",
    );
    assert_rejected(|v| v["format"] = json!("onnx"), "format is \"onnx\"");
    assert_rejected(|v| v["extra"] = json!(1), "unknown field `extra`");
    assert_rejected(
        |v| {
            v.as_object_mut()
                .unwrap()
                .remove("input")
                .map(|_| ())
                .unwrap()
        },
        "missing field `input`",
    );
    assert_rejected(
        |v| *v.pointer_mut(&format!("{tree}/threshold/0")).unwrap() = json!(70000),
        "threshold 70000 is not one of feature",
    );
    assert_rejected(
        |v| *v.pointer_mut(&format!("{tree}/feature/0")).unwrap() = json!(9),
        "reads feature 9",
    );
    assert_rejected(
        |v| *v.pointer_mut(&format!("{tree}/left/0")).unwrap() = json!(0),
        "reached twice",
    );
    assert_rejected(
        |v| *v.pointer_mut(&format!("{tree}/left/0")).unwrap() = json!(99),
        "child id 99 is not a node",
    );
    assert_rejected(
        |v| {
            v.pointer_mut(&format!("{tree}/leaf_value"))
                .unwrap()
                .as_array_mut()
                .unwrap()
                .pop()
                .map(|_| ())
                .unwrap()
        },
        "need 8 leaves",
    );
    assert_rejected(
        |v| *v.pointer_mut(&format!("{tree}/leaf_value/0")).unwrap() = json!(1i64 << 50),
        "beyond the ±2^46 score range",
    );
    assert_rejected(
        |v| v["input"]["features"][1] = v["input"]["features"][0].clone(),
        "appears twice",
    );
    assert_rejected(
        |v| v["input"]["features"][0] = json!("a\nb"),
        "control characters",
    );
    assert_rejected(
        |v| v["output"]["classes"] = json!(["0"]),
        "cannot have 1 class labels",
    );
    assert_rejected(|v| v["output"]["link"] = json!("softmax"), "does not fit");
    let cuts = "/input/encoding/bins/cuts/0";
    assert_rejected(
        |v| *v.pointer_mut(&format!("{cuts}/0")).unwrap() = json!([2, 0]),
        "is not a reduced finite float",
    );
    assert_rejected(
        |v| {
            v.pointer_mut(cuts)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .reverse()
        },
        "strictly increasing",
    );
    assert_rejected(
        |v| {
            v["input"]["encoding"] =
                json!({"grid": {"scale_log2": [0, 0, 0, 0], "offset": [0, 0, 0, 0]}})
        },
        "use the grid encoding",
    );
    assert_rejected(
        |v| v["input"]["encoding"]["bins"]["rule"] = json!("greater"),
        "unknown variant",
    );
}

#[test]
fn garbage_and_truncated_model_files_are_refused() {
    let canonical = sample_model().to_canonical_json();
    for cut in [0, 1, 10, canonical.len() / 2, canonical.len() - 1] {
        let err = Model::from_json(&canonical[..cut]).unwrap_err();
        assert!(matches!(err, ModelError::Json(_)), "cut at {cut}: {err:?}");
    }
    for garbage in [
        &b"\xff\xfe\x00garbage"[..],
        b"[]",
        b"null",
        b"{\"format\":1}",
    ] {
        let err = Model::from_json(garbage).unwrap_err();
        assert!(matches!(err, ModelError::Json(_)), "{garbage:?}: {err:?}");
        assert!(
            err.to_string().starts_with("not a zkinfer model: "),
            "{err}"
        );
    }
    // Through the importer, which recognizes formats by content: garbage is no format, and a
    // cut zkinfer model is one that does not parse.
    assert_eq!(
        zkinfer::import::import(b"\xff\xfe\x00garbage", "junk.bin", None),
        Err(ImportError::UnknownFormat {
            file: "junk.bin".into()
        })
    );
    let cut = &canonical[..canonical.len() / 2];
    assert!(matches!(
        zkinfer::import::import(cut, "cut.json", None),
        Err(ImportError::Model { file, source: ModelError::Json(_) }) if file == "cut.json"
    ));
}

#[test]
fn unsupported_versions_and_invalid_models_are_refused_with_their_variant() {
    let mut value = serde_json::to_value(sample_model()).unwrap();
    value["version"] = serde_json::json!(7);
    assert_eq!(
        Model::from_json(value.to_string().as_bytes()),
        Err(ModelError::UnsupportedVersion(7))
    );
    let mut value = serde_json::to_value(sample_model()).unwrap();
    value["body"]["trees"]["trees"][0]["right"][0] = serde_json::json!(99);
    let err = Model::from_json(value.to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(&err, ModelError::Invalid(m) if m.contains("child id 99 is not a node")),
        "{err:?}"
    );
    let mut value = serde_json::to_value(sample_model()).unwrap();
    value["input"]["features"][2] = value["input"]["features"][0].clone();
    let bytes = value.to_string().into_bytes();
    let err = Model::from_json(&bytes).unwrap_err();
    assert!(
        matches!(&err, ModelError::Invalid(m) if m.contains("appears twice")),
        "{err:?}"
    );
    assert_eq!(
        zkinfer::import::import(&bytes, "twice.json", None),
        Err(ImportError::Model {
            file: "twice.json".into(),
            source: err
        })
    );
}

#[test]
fn invalid_grid_encodings_are_refused() {
    use zkinfer::model::{Link, Task};
    use zkinfer::source::{SourceBody, SourceModel};
    let source = SourceModel {
        source: "linear".into(),
        feature_names: vec!["a".into(), "b".into()],
        precision: Precision::F64,
        task: Task::Regression,
        classes: vec![],
        link: Link::Identity,
        body: SourceBody::Linear {
            weights: vec![vec![1.5, -0.25]],
            bias: vec![3.0],
        },
    };
    let calibration = zkinfer::Calibration::from_csv("a,b\n0,10\n1,20\n").unwrap();
    let model = quantize(&source, Some(&calibration)).unwrap();
    let rejected = |edit: &dyn Fn(&mut serde_json::Value), needle: &str| {
        let mut value = serde_json::to_value(&model).unwrap();
        edit(&mut value);
        let err = Model::from_json(value.to_string().as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains(needle),
            "expected {needle:?} in {err}"
        );
    };
    let grid = "/input/encoding/grid";
    rejected(
        &|v| *v.pointer_mut(&format!("{grid}/scale_log2/0")).unwrap() = json!(99),
        "scale_log2 99 outside",
    );
    rejected(
        &|v| *v.pointer_mut(&format!("{grid}/offset/1")).unwrap() = json!(1i64 << 52),
        "too large",
    );
    rejected(
        &|v| {
            v.pointer_mut(&format!("{grid}/offset"))
                .unwrap()
                .as_array_mut()
                .unwrap()
                .pop()
                .map(|_| ())
                .unwrap()
        },
        "one scale and offset per feature",
    );
    rejected(
        &|v| *v.pointer_mut("/body/linear/weights/0/0").unwrap() = json!(1i64 << 40),
        "beyond the ±2^46 score range",
    );
    rejected(
        &|v| {
            v.pointer_mut("/body/linear/weights/0")
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(json!(1))
        },
        "weight row 0 has 3 entries for 2 features",
    );
}

/// A valid network: two features, hidden layers of 2 and 1 ReLU neurons, a binary score.
fn network_json() -> serde_json::Value {
    json!({
        "format": "zkinfer-model", "version": 1, "source": "test",
        "input": {"precision": "f32", "features": ["a", "b"],
                  "encoding": {"grid": {"scale_log2": [8, 8], "offset": [0, 0]}}},
        "output": {"task": "binary", "classes": ["no", "yes"], "score_scale_log2": 20,
                   "link": "logistic"},
        "body": {"mlp": {
            "activation": "relu",
            "hidden": [{"weights": [[3, -4], [-5, 6]], "bias": [7, -8]},
                       {"weights": [[9, -10]], "bias": [11]}],
            "activation_scale_log2": [[2, 3], [4]],
            "output": {"weights": [[12]], "bias": [-13]}
        }}
    })
}

#[test]
fn invalid_networks_are_refused_with_clear_errors() {
    let valid = network_json();
    let model = Model::from_json(valid.to_string().as_bytes()).expect("a valid network");
    assert!(matches!(model.body, Body::Mlp(_)));
    let rejected = |edit: &dyn Fn(&mut serde_json::Value), needle: &str| {
        let mut value = network_json();
        edit(&mut value);
        let err = Model::from_json(value.to_string().as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains(needle),
            "expected {needle:?} in {err}"
        );
    };
    let in_body =
        |f: fn(&mut serde_json::Value)| move |v: &mut serde_json::Value| f(&mut v["body"]["mlp"]);
    rejected(&in_body(|m| m["hidden"] = json!([])), "1 to 16");
    rejected(
        &in_body(|m| m["hidden"][0]["weights"][1] = json!([1])),
        "layer 0: the weights do not match",
    );
    rejected(
        &in_body(|m| m["output"] = json!({"weights": [[1], [2]], "bias": [0, 0]})),
        "the output layer has 2 neurons for 1 scores",
    );
    rejected(
        &in_body(|m| m["activation_scale_log2"] = json!([[2, 3]])),
        "activation_scale_log2",
    );
    rejected(
        &in_body(|m| m["activation"] = json!("tanh")),
        "unknown variant",
    );
    // 70000 · 65535 ≥ 2^32: some input overflows the rescaling's range.
    rejected(
        &in_body(|m| m["hidden"][0]["weights"][0] = json!([70000, 0])),
        "hidden layer 0, neuron 0: some input reaches a pre-activation beyond ±2^32",
    );
    rejected(
        &in_body(|m| m["output"]["bias"] = json!([1i64 << 46])),
        "beyond the score range",
    );
    rejected(
        &|v| v["input"]["encoding"] = json!({"bins": {"rule": "less_than", "cuts": [[], []]}}),
        "use the grid encoding",
    );
}
