//! Categorical features read as one-hot indicators, as scikit-learn's `OneHotEncoder` hands
//! them to a linear model or a network: the integer model equals the float one on every
//! category (and on values that are none), proofs verify and bind the category, and the
//! commitment opens only to the input proved.

use zkinfer::model::{Activation, Categories, CategoryRead, Link, Precision, Task};
use zkinfer::source::{SourceBody, SourceDense, SourceModel};
use zkinfer::{infer, prove, quantize::quantize, verify, Calibration, Disclosure, InputError};
use zkinfer::{Model, Output, ProveOptions};

/// `x` numeric in `[0, 10]`, `c` categorical of categories 0, 1, 2 (`known` when the encoder
/// raises on others).
fn categories(known: Option<Vec<u32>>) -> Option<Vec<Option<Categories>>> {
    Some(vec![
        None,
        Some(Categories {
            read: CategoryRead::Exact,
            count: 3,
            known,
            labels: None,
        }),
    ])
}

fn binary(body: SourceBody) -> SourceModel {
    SourceModel {
        source: "test".into(),
        feature_names: vec!["x".into(), "c".into()],
        precision: Precision::F64,
        task: Task::Binary,
        classes: vec!["no".into(), "yes".into()],
        link: Link::Logistic,
        body,
        labels: None,
    }
}

/// `score = 0.5·x − 3 + (2, −1.5, 4)[c]`: the category decides the class for most `x`.
fn linear(known: Option<Vec<u32>>) -> SourceModel {
    binary(SourceBody::Linear {
        weights: vec![vec![0.5, 2.0, -1.5, 4.0]],
        bias: vec![-3.0],
        indicators: categories(known),
    })
}

/// Two ReLU neurons over `x` and the indicators, then the score.
fn network() -> SourceModel {
    binary(SourceBody::Mlp {
        activation: Activation::Relu,
        layers: vec![
            SourceDense {
                weights: vec![vec![0.3, 1.0, -2.0, 0.5], vec![-0.2, 0.0, 3.0, -1.0]],
                bias: vec![0.1, 0.4],
            },
            SourceDense {
                weights: vec![vec![1.5, -2.0]],
                bias: vec![0.25],
            },
        ],
        indicators: categories(None),
    })
}

fn quantized(source: &SourceModel) -> Model {
    let calibration = Calibration::from_csv("x,c\n0,0\n10,2\n").unwrap();
    quantize(source, Some(&calibration)).unwrap()
}

#[test]
fn the_integer_model_reads_each_category_as_the_float_one_does() {
    for source in [linear(None), network()] {
        let model = quantized(&source);
        assert_eq!(model.version, 3);
        assert_eq!((model.num_features(), model.body_width()), (2, 4));
        let unit = model.output.score_unit();
        let bound = zkinfer::quantize::score_error_bound(&model)[0];
        for x in [0.0, 2.5, 6.0, 9.75] {
            // Categories 0, 1, 2, then values scikit-learn matches to none.
            for c in [0.0, 1.0, 2.0, 3.0, 2.5, -1.0, 70_000.0] {
                let q = model.quantize_input(&[x, c]).unwrap();
                let score = infer(&model, &q).scores[0] as f64 * unit;
                let float = source.float_scores(&[x, c])[0];
                assert!(
                    (score - float).abs() <= bound,
                    "{x}, {c}: {score} vs {float}"
                );
            }
        }
        // A value that is no category reads as "other": no indicator set.
        let other = model.quantize_input(&[6.0, 3.0]).unwrap();
        assert_eq!(model.body_inputs(&other)[1..], [Some(0); 3]);
        let two = model.quantize_input(&[6.0, 2.0]).unwrap();
        assert_eq!(model.body_inputs(&two)[1..], [Some(0), Some(0), Some(1)]);
    }
}

#[test]
fn a_proof_binds_the_category_through_its_indicators() {
    for source in [linear(None), network()] {
        let model = quantized(&source);
        for c in [0.0, 1.0, 2.0, 5.0] {
            let q = model.quantize_input(&[6.0, c]).unwrap();
            let options = ProveOptions::new(Disclosure::Scores);
            let (envelope, opening) = prove(&model, &q, &options).unwrap();
            let verified = verify(&model, &envelope, &[]).unwrap();
            assert_eq!(verified.output, Output::Scores(infer(&model, &q).scores));
            // The opening shows this category and no other.
            let commitment = &envelope.input_commitment;
            assert!(zkinfer::commitment::opens(&model, &q, &opening, commitment));
            let another = model.quantize_input(&[6.0, (c + 1.0) % 4.0]).unwrap();
            assert!(!zkinfer::commitment::opens(
                &model, &another, &opening, commitment
            ));
        }
    }
}

#[test]
fn an_encoder_that_raises_refuses_unknown_categories_and_never_weighs_them() {
    // Categories 0 and 2 known: 1 is unknown, and its indicator must weigh nothing.
    let mut source = linear(Some(vec![0, 2]));
    let SourceBody::Linear { weights, .. } = &mut source.body else {
        unreachable!()
    };
    weights[0][2] = 0.0;
    let model = quantized(&source);
    for c in [1.0, 3.0, 0.5] {
        assert!(
            matches!(
                model.quantize_input(&[6.0, c]),
                Err(InputError::UnknownCategory { .. })
            ),
            "{c}"
        );
    }
    assert!(model.quantize_input(&[6.0, 2.0]).is_ok());
    // A model file that weighs an unknown category is refused when it loads.
    let mut json = serde_json::to_value(&model).unwrap();
    json["body"]["linear"]["weights"][0][2] = serde_json::json!(5);
    let error = Model::from_json(json.to_string().as_bytes()).unwrap_err();
    assert!(error.to_string().contains("does not know"), "{error}");
}
