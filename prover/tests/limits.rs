//! The size limits of `zkinfer::limits`: each is refused early, with its own error.

mod common;

use common::{chain_model, chain_source, repeated_trees};
use zkinfer::api::{ProveError, VerifyError};
use zkinfer::envelope::{Envelope, VERSION};
use zkinfer::error::{ImportError, ModelError, QuantizeError};
use zkinfer::limits::{MAX_MODEL_FILE_BYTES, MAX_TRACE_CELLS};
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
