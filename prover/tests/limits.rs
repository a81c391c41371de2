//! The size limits of `zkinfer::limits`: each is refused early, with its own error.

mod common;

use common::{
    chain_model, chain_source, one_more_class, repeated_trees, unit_calibration, wide_network,
    wide_trees, WIDEST_NETWORK,
};
use zkinfer::api::{ProveError, VerifyError};
use zkinfer::envelope::{Envelope, VERSION};
use zkinfer::error::{ImportError, ModelError, QuantizeError};
use zkinfer::limits::{MAX_MODEL_FILE_BYTES, MAX_TRACE_CELLS, MAX_TRACE_COLUMNS};
use zkinfer::proving::{self, largest_trace, Output, TraceTooLarge};
use zkinfer::{import, prove, verify, Disclosure, InputCommitment, ProveOptions, QuantizedInput};
use zkinfer::{Model, Profile};

/// 64 chains of 63 splits: 4032 rows, well within the limit.
fn small() -> Model {
    chain_model(64, 63)
}

/// The same trees 20 times over: 80,640 rows, a 2^17-row trace, beyond the limit.
fn oversized() -> Model {
    repeated_trees(&small(), 20)
}

fn assert_trace_too_large(error: &TraceTooLarge) {
    assert_eq!(error.rows, 1 << 17);
    assert!(error.rows * error.columns > MAX_TRACE_CELLS, "{error}");
}

#[test]
fn models_within_the_trace_limit_load_and_prove() {
    let model = small();
    let (rows, columns) = largest_trace(&model).unwrap();
    assert!(rows * columns <= MAX_TRACE_CELLS, "{rows} × {columns}");
    let input = QuantizedInput::from_quantized(&model, &[7]).unwrap();
    let (envelope, _) = prove(&model, &input, &ProveOptions::new(Disclosure::Class)).unwrap();
    verify(&model, &envelope, b"").unwrap();
}

#[test]
fn a_model_beyond_the_trace_limit_is_refused_when_loaded_or_imported() {
    let json = oversized().to_canonical_json();
    match Model::from_json(&json) {
        Err(ModelError::TooLarge(error)) => assert_trace_too_large(&error),
        other => panic!("{other:?}"),
    }
    match import::import(&json, "big.json", None) {
        Err(ImportError::Model {
            source: ModelError::TooLarge(error),
            ..
        }) => assert_trace_too_large(&error),
        other => panic!("{other:?}"),
    }
    let message = Model::from_json(&json).unwrap_err().to_string();
    assert!(message.contains("131072 rows"), "{message}");
    assert!(message.contains("fewer or shallower trees"), "{message}");
}

#[test]
fn quantizing_a_source_beyond_the_trace_limit_is_refused() {
    // 1280 chains of 63 splits, as a library file would hold them.
    match zkinfer::quantize::quantize(&chain_source(1280, 63), None) {
        Err(QuantizeError::Model(ModelError::TooLarge(error))) => assert_trace_too_large(&error),
        other => panic!("{other:?}"),
    }
}

#[test]
fn prove_and_verify_refuse_an_unvalidated_oversized_model_before_any_trace() {
    let model = oversized();
    let input = QuantizedInput::from_quantized(&model, &[7]).unwrap();
    match prove(&model, &input, &ProveOptions::new(Disclosure::Class)) {
        Err(ProveError::Proving(proving::ProveError::TooLarge(error))) => {
            assert_trace_too_large(&error)
        }
        other => panic!("{other:?}"),
    }
    let envelope = Envelope {
        version: VERSION,
        profile: Profile::Default,
        model_id: model.id(),
        input_commitment: InputCommitment([0; 32]),
        output: Output::Class(1),
        context: Vec::new(),
        proof: vec![0; 1000],
    };
    match verify(&model, &envelope, b"") {
        Err(VerifyError::Proof(proving::VerifyError::ModelTooLarge(error))) => {
            assert_trace_too_large(&error)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn model_files_beyond_the_size_limit_are_refused_before_parsing() {
    let mut bytes = small().to_canonical_json();
    bytes.resize(MAX_MODEL_FILE_BYTES + 1, b' ');
    assert_eq!(
        Model::from_json(&bytes),
        Err(ModelError::FileTooLarge(MAX_MODEL_FILE_BYTES + 1))
    );
    assert!(matches!(
        import::import(&bytes, "huge.json", None),
        Err(ImportError::TooLarge { bytes, .. }) if bytes == MAX_MODEL_FILE_BYTES + 1
    ));
    assert!(matches!(
        import::read_source(&bytes, "huge.json"),
        Err(ImportError::TooLarge { .. })
    ));
    // One byte less is parsed (and is a valid model: JSON allows trailing blanks).
    bytes.truncate(MAX_MODEL_FILE_BYTES);
    assert_eq!(Model::from_json(&bytes), Ok(small()));
}

fn assert_too_wide(error: &TraceTooLarge) {
    assert!(error.columns > MAX_TRACE_COLUMNS, "{error}");
    let message = error.to_string();
    assert!(message.contains("254 columns"), "{message}");
    assert!(message.contains("fewer classes"), "{message}");
}

/// The features are laid out in rows: a tree model's trace is as wide with 1,000 features as
/// with 100 (both in the path layout), and proves and verifies under both profiles.
#[test]
fn a_thousand_features_cost_rows_not_columns() {
    let width = |features: usize| {
        let model = zkinfer::quantize::quantize(&wide_trees(features), None).unwrap();
        (largest_trace(&model).unwrap().1, model)
    };
    let (narrow, _) = width(100);
    let (wide, model) = width(1000);
    assert_eq!(wide, narrow);
    let model = Model::from_json(&model.to_canonical_json()).unwrap();
    let raw: Vec<f64> = (0..1000).map(|f| (f % 3) as f64 * 0.4).collect();
    let input = model.quantize_input(&raw).unwrap();
    for profile in Profile::ALL {
        let options = ProveOptions {
            profile,
            ..ProveOptions::new(Disclosure::Class)
        };
        let (envelope, _) = prove(&model, &input, &options).unwrap();
        verify(&model, &envelope, b"").unwrap();
    }
}

/// A 784-128-10 network (an MNIST-sized image classifier): 784 features cost rows, its width is
/// its 138 neurons' columns and the input block's; it loads, proves and verifies.
#[test]
fn an_image_sized_network_proves() {
    let mut source = common::network(&mut common::Rng::new(784), &[784, 128, 10], 0.05);
    source.task = zkinfer::model::Task::Multiclass;
    source.classes = (0..10).map(|c| c.to_string()).collect();
    source.link = zkinfer::model::Link::Softmax;
    let model = zkinfer::quantize::quantize(&source, Some(&unit_calibration(784))).unwrap();
    let (rows, columns) = largest_trace(&model).unwrap();
    assert!(columns < MAX_TRACE_COLUMNS, "{rows} × {columns}");
    let raw: Vec<f64> = (0..784).map(|p| (p % 17) as f64 / 16.0).collect();
    let input = model.quantize_input(&raw).unwrap();
    let (envelope, _) = prove(&model, &input, &ProveOptions::new(Disclosure::Class)).unwrap();
    verify(&model, &envelope, b"").unwrap();
}

/// Winterfell takes at most 255 trace columns, and a network takes one per score: the widest
/// network that loads proves and verifies under both profiles, one more class is refused when
/// it is quantized, imported or loaded (it would otherwise panic inside Winterfell when proved).
#[test]
fn the_widest_network_that_loads_proves_and_one_more_class_is_refused() {
    let calibration = unit_calibration(4);
    let quantized =
        |classes: usize| zkinfer::quantize::quantize(&wide_network(classes), Some(&calibration));
    let widest = (190..=230)
        .take_while(|&classes| quantized(classes).is_ok())
        .last()
        .unwrap();
    assert_eq!(widest, WIDEST_NETWORK);
    let model = quantized(widest).unwrap();
    assert_eq!(largest_trace(&model).unwrap().1, MAX_TRACE_COLUMNS);
    let model = Model::from_json(&model.to_canonical_json()).unwrap();
    let input = model.quantize_input(&[0.25, 0.5, 0.75, 1.0]).unwrap();
    for profile in Profile::ALL {
        let options = ProveOptions {
            profile,
            ..ProveOptions::new(Disclosure::Scores)
        };
        let (envelope, _) = prove(&model, &input, &options).unwrap();
        verify(&model, &envelope, b"").unwrap();
    }

    for classes in [widest + 1, 256] {
        match quantized(classes) {
            Err(QuantizeError::Model(ModelError::TooLarge(error))) => assert_too_wide(&error),
            other => panic!("{classes} classes: {other:?}"),
        }
    }
    // The same model built without validation, then loaded or imported from its JSON.
    let wider = one_more_class(&model);
    let json = wider.to_canonical_json();
    match Model::from_json(&json) {
        Err(ModelError::TooLarge(error)) => assert_too_wide(&error),
        other => panic!("{other:?}"),
    }
    match import::import(&json, "wide.json", None) {
        Err(ImportError::Model {
            source: ModelError::TooLarge(error),
            ..
        }) => assert_too_wide(&error),
        other => panic!("{other:?}"),
    }
    // Proving it anyway under the profile it does not fit (the high one's masks take two more
    // columns) is refused before any trace.
    let high = ProveOptions {
        profile: Profile::High,
        ..ProveOptions::new(Disclosure::Scores)
    };
    match prove(&wider, &input, &high) {
        Err(ProveError::Proving(proving::ProveError::TooLarge(error))) => assert_too_wide(&error),
        other => panic!("{:?}", other.map(|_| "a proof")),
    }
}

/// A layer wider than a bank is computed in passes over its inputs, so the width of a network's
/// trace does not grow with its layers: 30-32-256-1 (which used to be refused at 327 columns)
/// and 4-1000-1 load, prove and verify under both profiles, in traces narrower than 200
/// columns, and their scores are the reference inference's.
#[test]
fn networks_with_wide_layers_prove_in_passes() {
    for widths in [&[30, 32, 256, 1][..], &[4, 1000, 1]] {
        let features = widths[0];
        let source = common::network(&mut common::Rng::new(7), widths, 0.3);
        let model = zkinfer::quantize::quantize(&source, Some(&unit_calibration(features)));
        let model = Model::from_json(&model.unwrap().to_canonical_json()).unwrap();
        let (rows, columns) = largest_trace(&model).unwrap();
        assert!(columns < 200, "{widths:?}: {rows} × {columns}");
        let raw: Vec<f64> = (0..features).map(|f| (f % 5) as f64 / 4.0).collect();
        let input = model.quantize_input(&raw).unwrap();
        for profile in Profile::ALL {
            let options = ProveOptions {
                profile,
                ..ProveOptions::new(Disclosure::Scores)
            };
            let (envelope, _) = prove(&model, &input, &options).unwrap();
            let verified = verify(&model, &envelope, b"").unwrap();
            let expected = proving::Output::Scores(zkinfer::infer(&model, &input).scores);
            assert_eq!(verified.output, expected, "{widths:?}");
        }
    }
}
