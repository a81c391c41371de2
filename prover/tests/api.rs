//! The high-level API: `prove` makes an envelope and an opening, `verify` accepts exactly the
//! untouched envelope under its own model and context.

use std::path::PathBuf;

use zkinfer::commitment::{commit, opens, Salt};
use zkinfer::model::{ModelId, Task};
use zkinfer::proving::{ProveError as ProvingError, VerifyError as ProofError};
use zkinfer::{
    import, infer, prove, prove_with_progress, read_inputs, verify, Calibration, Disclosure,
    Envelope, InputCommitment, InputError, Model, Output, Phase, Profile, ProveError, ProveOptions,
    QuantizedInput, VerifyError,
};

fn example(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(relative)
}

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(example(relative)).unwrap()
}

/// The logistic-regression example, imported as its README says, and held-out row `row`.
fn logreg(row: usize) -> (Model, QuantizedInput) {
    let calibration =
        Calibration::from_csv(std::str::from_utf8(&read("data/breast_cancer-train.csv")).unwrap())
            .unwrap();
    let model = import::import(
        &read("models/breast_cancer_logreg/model.onnx"),
        "model.onnx",
        Some(&calibration),
    )
    .unwrap();
    let heldout = read("models/breast_cancer_logreg/heldout.csv");
    let raw = &read_inputs(&model, std::str::from_utf8(&heldout).unwrap()).unwrap()[row];
    let input = model.quantize_input(raw).unwrap();
    (model, input)
}

const CONTEXT: &[u8] = b"nonce 7f3a; origin https://lender.example";

fn proved(disclosure: Disclosure) -> (Model, QuantizedInput, Envelope, zkinfer::Opening) {
    let (model, input) = logreg(0);
    let options = ProveOptions::new(disclosure).with_context(CONTEXT);
    let (envelope, opening) = prove(&model, &input, &options).unwrap();
    (model, input, envelope, opening)
}

#[test]
fn prove_then_verify_round_trips_through_both_encodings() {
    let (model, input, envelope, opening) = proved(Disclosure::Class);
    let reference = infer(&model, &input);
    assert_eq!(envelope.output, Output::Class(reference.class.unwrap()));
    assert_eq!(envelope.model_id, model.id());
    assert_eq!(envelope.profile, Profile::Default);
    assert_eq!(envelope.context, CONTEXT);
    assert_eq!(
        envelope.input_commitment,
        commit(input.values(), &opening.salt)
    );
    let verified = verify(&model, &envelope, CONTEXT).unwrap();
    assert_eq!(verified.model_id, model.id());
    assert_eq!(verified.input_commitment, envelope.input_commitment);
    assert_eq!(verified.output, envelope.output);
    assert_eq!(verified.profile, Profile::Default);

    let from_bytes = Envelope::from_bytes(&envelope.to_bytes().unwrap()).unwrap();
    let from_json = Envelope::decode(envelope.to_json().unwrap().as_bytes()).unwrap();
    assert_eq!(from_bytes, envelope);
    assert_eq!(from_json, envelope);
    verify(&model, &from_json, CONTEXT).unwrap();
}

#[test]
fn scores_and_thresholds_prove_too() {
    let (model, input) = logreg(1);
    let score = infer(&model, &input).scores[0];
    for disclosure in [Disclosure::Scores, Disclosure::AtLeast(score - 5)] {
        let options = ProveOptions::new(disclosure);
        let (envelope, _) = prove(&model, &input, &options).unwrap();
        verify(&model, &envelope, b"").unwrap();
        match envelope.output {
            Output::Scores(scores) => assert_eq!(scores, vec![score]),
            Output::AtLeast { threshold, holds } => {
                assert_eq!((threshold, holds), (score - 5, true))
            }
            Output::Class(_) => panic!("asked for no class"),
        }
    }
}

#[test]
fn every_tampered_field_is_refused() {
    let (model, _, envelope, _) = proved(Disclosure::Class);
    let tampered = |change: &dyn Fn(&mut Envelope)| {
        let mut copy = envelope.clone();
        change(&mut copy);
        verify(&model, &copy, CONTEXT).unwrap_err()
    };
    assert_eq!(tampered(&|e| e.version = 2), VerifyError::Version(2));
    assert_eq!(
        tampered(&|e| e.profile = Profile::High),
        VerifyError::Proof(ProofError::Header("high"))
    );
    let foreign = ModelId([7; 32]);
    assert_eq!(
        tampered(&|e| e.model_id = foreign),
        VerifyError::ModelMismatch {
            expected: model.id(),
            found: foreign
        }
    );
    assert_eq!(
        tampered(&|e| e.context.push(b'!')),
        VerifyError::ContextMismatch
    );
    assert!(matches!(
        tampered(&|e| e.output = Output::Class(1 - class(&envelope))),
        VerifyError::Proof(ProofError::Invalid(_))
    ));
    // On a binary model "class 1" and "score ≥ 1 unit" rest on one comparison; the output's
    // kind is bound too, so the class cannot be restated as a threshold (or back).
    assert_eq!(model.output.task, zkinfer::model::Task::Binary);
    let restated = Output::AtLeast {
        threshold: 1,
        holds: class(&envelope) == 1,
    };
    assert!(matches!(
        tampered(&|e| e.output = restated.clone()),
        VerifyError::Proof(ProofError::Invalid(_))
    ));
    assert!(matches!(
        tampered(&|e| e.output = Output::Scores(vec![0])),
        VerifyError::Proof(_)
    ));
    assert!(matches!(
        tampered(&|e| e.input_commitment = InputCommitment([0xff; 32])),
        VerifyError::Commitment(_)
    ));
    let middle = envelope.proof.len() / 2;
    assert!(matches!(
        tampered(&|e| e.proof[middle] ^= 1),
        VerifyError::Proof(_)
    ));
    // The untouched envelope, under another caller's context.
    assert_eq!(
        verify(&model, &envelope, b"another nonce"),
        Err(VerifyError::ContextMismatch)
    );
    // Under another model (one weight changed).
    let mut other = model.clone();
    let zkinfer::model::Body::Linear(linear) = &mut other.body else {
        panic!("a linear model")
    };
    linear.weights[0][0] += 1;
    assert!(matches!(
        verify(&other, &envelope, CONTEXT),
        Err(VerifyError::ModelMismatch { .. })
    ));
}

fn class(envelope: &Envelope) -> usize {
    match envelope.output {
        Output::Class(class) => class,
        _ => panic!("a class disclosure"),
    }
}

/// The AIR recomputes the commitment from the private input and the salt, so a proof holds
/// only for its own commitment.
#[test]
fn a_tampered_commitment_is_refused() {
    let (model, input, envelope, _) = proved(Disclosure::Class);
    let other = Salt::from_os().unwrap();
    let mut copy = envelope.clone();
    copy.input_commitment = commit(input.values(), &other);
    assert!(matches!(
        verify(&model, &copy, CONTEXT),
        Err(VerifyError::Proof(_))
    ));
    let mut flipped = envelope.clone();
    flipped.input_commitment.0[0] ^= 1;
    assert!(matches!(
        verify(&model, &flipped, CONTEXT),
        Err(VerifyError::Proof(_))
    ));
}

/// A commitment binds the number of features: the commitment made for an input with trailing
/// zeros appended is another commitment, and a proof for the four-feature model does not verify
/// against it.
#[test]
fn a_commitment_to_a_longer_input_is_refused() {
    let iris = iris();
    let flower = QuantizedInput::from_quantized(&iris, &[1234, 65535, 7, 42]).unwrap();
    let (envelope, opening) = prove(&iris, &flower, &ProveOptions::new(Disclosure::Class)).unwrap();
    verify(&iris, &envelope, &[]).unwrap();
    for zeros in 1..=2 {
        let mut longer = flower.values().to_vec();
        longer.resize(4 + zeros, Some(0));
        let mut copy = envelope.clone();
        copy.input_commitment = commit(&longer, &opening.salt);
        assert_ne!(copy.input_commitment, envelope.input_commitment);
        assert!(matches!(
            verify(&iris, &copy, &[]),
            Err(VerifyError::Proof(_))
        ));
    }
}

#[test]
fn the_opening_opens_only_its_own_input_and_salt() {
    let (model, input, envelope, opening) = proved(Disclosure::Class);
    let commitment = &envelope.input_commitment;
    assert!(opens(&model, &input, &opening, commitment));
    let (_, other_row) = logreg(1);
    assert_ne!(other_row, input);
    assert!(!opens(&model, &other_row, &opening, commitment));
    let other_salt = zkinfer::Opening {
        salt: Salt::from_os().unwrap(),
    };
    assert!(!opens(&model, &input, &other_salt, commitment));
    // One feature one step away.
    let mut values: Vec<i64> = input
        .values()
        .iter()
        .map(|&v| i64::from(v.expect("present")))
        .collect();
    values[29] = if values[29] == 0 { 1 } else { values[29] - 1 };
    let nudged = QuantizedInput::from_quantized(&model, &values).unwrap();
    assert!(!opens(&model, &nudged, &opening, commitment));
    // The opening survives its JSON form.
    let reread = zkinfer::Opening::from_json(&opening.to_json()).unwrap();
    assert!(opens(&model, &input, &reread, commitment));
    // Two proofs of the same input commit under different salts.
    let (again, _) = prove(&model, &input, &ProveOptions::new(Disclosure::Class)).unwrap();
    assert_ne!(again.input_commitment, envelope.input_commitment);
}

/// The iris XGBoost example (multiclass, four features, no calibration needed).
fn iris() -> Model {
    import::import(
        &read("models/iris_xgboost_multiclass/model.json"),
        "model.json",
        None,
    )
    .unwrap()
}

#[test]
fn bad_requests_are_errors() {
    let (model, input) = logreg(0);
    let long = ProveOptions::new(Disclosure::Class).with_context(vec![0; 4097]);
    assert_eq!(
        prove(&model, &input, &long).unwrap_err(),
        ProveError::ContextTooLong(4097)
    );
    let out_of_range = ProveOptions::new(Disclosure::AtLeast(1 << 50));
    assert_eq!(
        prove(&model, &input, &out_of_range).unwrap_err(),
        ProveError::Proving(ProvingError::Threshold(1 << 50))
    );
    // An input quantized for another model.
    let iris = iris();
    let flower = QuantizedInput::from_quantized(&iris, &[1, 2, 3, 4]).unwrap();
    assert_eq!(
        prove(&model, &flower, &ProveOptions::new(Disclosure::Class)).unwrap_err(),
        ProveError::FeatureCount {
            expected: 30,
            found: 4
        }
    );
    // "Is the score at least T" needs a single score: a multiclass model has three.
    let at_least = ProveOptions::new(Disclosure::AtLeast(0));
    assert_eq!(
        prove(&iris, &flower, &at_least).unwrap_err(),
        ProveError::Proving(ProvingError::Disclosure(
            Disclosure::AtLeast(0),
            Task::Multiclass
        ))
    );
}

#[test]
fn raw_inputs_that_do_not_fit_the_model_are_refused() {
    let model = iris();
    let names = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm";
    let cases: &[(&str, InputError)] = &[
        (
            "[5.1, 3.4, 1.5]",
            InputError::FeatureCount {
                expected: 4,
                found: 3,
            },
        ),
        (
            r#"[5.1, "wide", 1.5, 0.2]"#,
            InputError::NotANumber {
                feature: "sepal_width_cm".into(),
                value: "wide".into(),
            },
        ),
        (
            r#"{"sepal_length_cm": 5.1, "sepal_width_cm": 3.4, "petal_length_cm": 1.5}"#,
            InputError::MissingFeature("petal_width_cm".into()),
        ),
        (
            r#"{"sepal_length_cm": 5.1, "sepal_width_cm": 3.4, "petal_length_cm": 1.5,
                "petal_width_cm": 0.2, "colour": 1}"#,
            InputError::Malformed("the model has no feature named \"colour\"".into()),
        ),
        (
            "sepal_length_cm,sepal_width_cm,petal_length_cm\n5.1,3.4,1.5\n",
            InputError::MissingFeature("petal_width_cm".into()),
        ),
        (
            &format!("{names}\n5.1,3.4,one,0.2\n"),
            InputError::NotANumber {
                feature: "petal_length_cm".into(),
                value: "one".into(),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(read_inputs(&model, text).as_ref(), Err(expected), "{text}");
    }
    // NaN, an empty cell and ±∞ read as numbers. The XGBoost model takes NaN as a missing
    // value; quantization refuses ±∞, naming the feature.
    let rows = read_inputs(
        &model,
        &format!("{names}\n5.1,nan,1.5,0.2\n-inf,3.4,1.5,0.2\n5.1,,1.5,0.2\n"),
    )
    .unwrap();
    assert!(model.accepts_missing());
    for row in [&rows[0], &rows[2]] {
        let input = model.quantize_input(row).unwrap();
        assert_eq!(input.values()[1], None);
        assert!(input.values().iter().filter(|v| v.is_some()).count() == 3);
    }
    assert_eq!(
        model.quantize_input(&rows[1]),
        Err(InputError::NotFinite {
            feature: "sepal_length_cm".into(),
            value: f64::NEG_INFINITY
        })
    );
    // A linear model refuses NaN.
    let (linear, _) = logreg(0);
    let mut raw = vec![1.0; linear.num_features()];
    raw[0] = f64::NAN;
    assert_eq!(
        linear.quantize_input(&raw),
        Err(InputError::Missing(linear.input.features[0].clone()))
    );
}

#[test]
fn progress_reports_every_phase_once_in_order_with_growing_fractions() {
    let (model, input) = logreg(0);
    let phases = std::cell::RefCell::new(Vec::new());
    let options = ProveOptions::new(Disclosure::Class);
    let (envelope, _) = prove_with_progress(&model, &input, &options, &|phase| {
        phases.borrow_mut().push(phase)
    })
    .unwrap();
    assert_eq!(phases.into_inner(), Phase::ALL);
    let fractions: Vec<f64> = Phase::ALL.iter().map(|p| p.fraction()).collect();
    assert_eq!((fractions[0], fractions[5]), (0.0, 1.0));
    assert!(fractions.windows(2).all(|w| w[0] < w[1]), "{fractions:?}");
    verify(&model, &envelope, b"").unwrap();
}

#[test]
fn an_input_with_a_missing_value_is_refused_by_a_model_without_missing_values() {
    // Quantized for the iris XGBoost model (format version 2), given to a version 1 model of
    // the same feature count.
    let iris = iris();
    let input = iris.quantize_input(&[5.1, f64::NAN, 1.4, 0.2]).unwrap();
    assert_eq!(input.values()[1], None);
    let mut without = iris.clone();
    without.version = zkinfer::model::FORMAT_VERSION;
    without.input.missing = None;
    let zkinfer::model::Body::Trees(ensemble) = &mut without.body else {
        panic!("trees")
    };
    ensemble
        .trees
        .iter_mut()
        .for_each(|t| t.default_left = None);
    without.validate().unwrap();
    let refused = prove(&without, &input, &ProveOptions::new(Disclosure::Class)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the input misses a value, and this model defines no missing values"
    );
    prove(&iris, &input, &ProveOptions::new(Disclosure::Class)).unwrap();
}
