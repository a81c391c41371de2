//! What each fuzz target checks, on any bytes. The libFuzzer targets in `tests/fuzz/` call these
//! functions, and `tests/fuzz_corpora.rs` replays the committed seeds and every regression
//! input through them in the ordinary test suite, so a crash found once stays fixed.
//!
//! Each check panics only when zkinfer misbehaves: a decoder accepts bytes it cannot write back,
//! a verifier accepts a statement nobody proved, an importer returns a model that fails its own
//! validation or cannot be evaluated, or the service answers 5xx or without a JSON error.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use zkinfer::api::verify_known;
use zkinfer::examples::Flagship;
use zkinfer::import::{catboost, lightgbm, onnx, xgboost};
use zkinfer::quantize::quantize;
use zkinfer::service::registry::Registry;
use zkinfer::service::{router, Config};
use zkinfer::{infer, Envelope, FormatError, Model, ModelId, QuantizedInput};
use zkinfer::{SourceModel, Verified};

use crate::{example_models, import_example};

/// A fuzz target's check: panics only when zkinfer misbehaves on `data`.
pub type Check = fn(data: &[u8]);

/// The fuzz targets' checks, by name (also their seed and regression folders' names).
pub const TARGETS: [(&str, Check); 9] = [
    ("envelope_binary", envelope_binary),
    ("envelope_json", envelope_json),
    ("proof_verify", proof_verify),
    ("import_onnx", import_onnx),
    ("import_xgboost", import_xgboost),
    ("import_lightgbm", import_lightgbm),
    ("import_catboost", import_catboost),
    ("import_zkinfer", import_zkinfer),
    ("http_request", http_request),
];

/// Runs target `name`'s check on `data`.
pub fn check(name: &str, data: &[u8]) {
    let (_, check) = TARGETS
        .iter()
        .find(|(target, _)| *target == name)
        .unwrap_or_else(|| panic!("no fuzz target {name:?}"));
    check(data)
}

/// `tests/fuzz/`.
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `folder`, sorted (none if it does not exist).
pub fn files_in(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|path| path.is_file());
    files.sort();
    files
}

// ---- envelopes ----

/// Binary decoding: whatever decodes is valid, re-encodes to the same bytes (one encoding per
/// envelope) and survives the JSON form.
pub fn envelope_binary(data: &[u8]) {
    if let Ok(envelope) = Envelope::from_bytes(data) {
        assert_eq!(envelope.validate(), Ok(()));
        let bytes = envelope.to_bytes().expect("a decoded envelope encodes");
        assert_eq!(bytes, data, "the binary form has one encoding per envelope");
        let json = envelope
            .to_json()
            .expect("a decoded envelope encodes as JSON");
        assert_eq!(Envelope::from_json(&json).as_ref(), Ok(&envelope));
        assert_eq!(Envelope::decode(data).as_ref(), Ok(&envelope));
    }
}

/// JSON decoding: whatever decodes is valid and round-trips through both forms.
pub fn envelope_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(envelope) = Envelope::from_json(text) {
        assert_eq!(envelope.validate(), Ok(()));
        let json = envelope
            .to_json()
            .expect("a decoded envelope encodes as JSON");
        assert_eq!(Envelope::from_json(&json).as_ref(), Ok(&envelope));
        let bytes = envelope.to_bytes().expect("a decoded envelope encodes");
        assert_eq!(Envelope::from_bytes(&bytes).as_ref(), Ok(&envelope));
    }
}

// ---- proofs ----

/// The models proofs are verified against: the flagship (100 trees), iris XGBoost (trees,
/// three scores), iris logistic regression (linear) and the digits network (MLP 64-32-10).
pub fn verify_models() -> &'static [(Model, ModelId)] {
    static MODELS: OnceLock<Vec<(Model, ModelId)>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let mut models = vec![Flagship::load().expect("the flagship imports").model];
        for example in example_models() {
            let verified = [
                "iris_xgboost_multiclass",
                "iris_logreg_multinomial",
                "digits_mlp",
            ];
            if verified.contains(&&*example.name) {
                models.push(import_example(&example));
            }
        }
        assert_eq!(
            models.len(),
            4,
            "the verify models are in examples/models.json"
        );
        models
            .into_iter()
            .map(|model| {
                let id = model.id();
                (model, id)
            })
            .collect()
    })
}

/// The statements honest provers made, with their contexts: those of the committed seed
/// envelopes (`tests/fuzz/seeds/proof_verify/`, made by the `fuzz-seeds` tool).
pub fn honest_statements() -> &'static [(Verified, Vec<u8>)] {
    static STATEMENTS: OnceLock<Vec<(Verified, Vec<u8>)>> = OnceLock::new();
    STATEMENTS.get_or_init(|| {
        let seeds = files_in(&fuzz_dir().join("seeds/proof_verify"));
        assert!(!seeds.is_empty(), "the proof_verify seeds are committed");
        seeds
            .iter()
            .map(|path| {
                let envelope = Envelope::decode(&std::fs::read(path).unwrap()).unwrap();
                let verified =
                    verify_any(&envelope).unwrap_or_else(|| panic!("{} verifies", path.display()));
                (verified, envelope.context)
            })
            .collect()
    })
}

fn verify_any(envelope: &Envelope) -> Option<Verified> {
    let (model, id) = verify_models()
        .iter()
        .find(|(_, id)| *id == envelope.model_id)?;
    verify_known(model, *id, envelope, &envelope.context).ok()
}

/// Decoding and verification: never a panic, and every accepted envelope proves a statement
/// (model, commitment, output, profile, context) that an honest seed proved. An accepted change
/// to any of those would be a forged proof.
pub fn proof_verify(data: &[u8]) {
    let honest = honest_statements();
    let Ok(envelope) = Envelope::decode(data) else {
        return;
    };
    if let Some(verified) = verify_any(&envelope) {
        let statement = (verified, envelope.context);
        assert!(
            honest.contains(&statement),
            "accepted a statement no honest prover made: {statement:?}"
        );
    }
}

// ---- importers ----

/// The importer target that reads a model file of `format` (as `examples/models.json` names
/// it).
pub fn importer_target(format: &str) -> &'static str {
    match format {
        "onnx" => "import_onnx",
        "lightgbm-text" => "import_lightgbm",
        "catboost-json" => "import_catboost",
        "xgboost-json" => "import_xgboost",
        other => panic!("no importer target reads {other:?} files"),
    }
}

/// The example model files an importer target starts from: each example's file, and its
/// library's ONNX export when it has one.
pub fn example_model_files() -> Vec<(&'static str, String, String)> {
    let mut files = Vec::new();
    for example in example_models() {
        let target = importer_target(&example.format);
        files.push((target, example.name.clone(), example.model_file.clone()));
        if let Some(export) = &example.onnx_export {
            let name = format!("{}-onnx-export", example.name);
            files.push(("import_onnx", name, export.clone()));
        }
    }
    files
}

pub fn import_onnx(data: &[u8]) {
    check_import(onnx::read(data));
}

pub fn import_xgboost(data: &[u8]) {
    let json = serde_json::from_slice(data)
        .map_err(|e| FormatError::malformed(format!("invalid JSON: {e}")));
    check_import(json.and_then(|json| xgboost::read(&json)));
}

pub fn import_catboost(data: &[u8]) {
    check_import(catboost::read(data));
}

pub fn import_lightgbm(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_import(lightgbm::read(text));
    }
}

/// zkinfer JSON: whatever loads is valid, canonical JSON round-trips, and it evaluates.
pub fn import_zkinfer(data: &[u8]) {
    if let Ok(model) = Model::from_json(data) {
        check_model(&model, data);
    }
}

/// A source model the reader accepted quantizes to a valid model or is refused with an error.
fn check_import(source: Result<SourceModel, FormatError>) {
    let Ok(source) = source else {
        return;
    };
    if source.check().is_err() {
        return;
    }
    if let Ok(model) = quantize(&source, None) {
        check_model(&model, source.source.as_bytes());
    }
}

/// A loaded model is valid, its canonical JSON reads back as itself, and the reference
/// inference runs on the all-zero input, the all-max input and one input derived from `seed`.
fn check_model(model: &Model, seed: &[u8]) {
    assert_eq!(model.validate(), Ok(()));
    let canonical = model.to_canonical_json();
    assert_eq!(Model::from_json(&canonical).as_ref(), Ok(model));
    let n = model.num_features();
    let zeros = vec![0i64; n];
    let maxes: Vec<i64> = (0..n).map(|f| model.largest_value(f)).collect();
    let mixed: Vec<i64> = (0..n)
        .map(|f| i64::from(*seed.get(f % seed.len().max(1)).unwrap_or(&0)) * 257 % (maxes[f] + 1))
        .collect();
    for values in [zeros, maxes, mixed] {
        let input = QuantizedInput::from_quantized(model, &values).expect("in range");
        let prediction = infer(model, &input);
        assert_eq!(prediction.scores.len(), model.num_scores());
    }
}

// ---- HTTP ----

const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
const PATHS: [&str; 7] = [
    "/v1/verify",
    "/v1/challenge",
    "/v1/models",
    "/v1/health",
    "/v1/verify/",
    "/",
    "/v1/nope",
];
const CONTENT_TYPES: [Option<&str>; 5] = [
    Some("application/json"),
    Some("application/octet-stream"),
    Some("text/plain"),
    Some("application/json; charset=utf-8"),
    None,
];

/// One request to the service: byte 0 picks the method, byte 1 the path, byte 2 the content
/// type, the rest is the body. Every answer is JSON; refusals are 4xx with an error code (503
/// `BUSY` when the open challenges are full); nothing is 500.
pub fn http_request(data: &[u8]) {
    let [method, path, content_type, body @ ..] = data else {
        return;
    };
    let method = METHODS[*method as usize % METHODS.len()].clone();
    let path = PATHS[*path as usize % PATHS.len()];
    let mut request = Request::builder().method(method.clone()).uri(path);
    if let Some(content_type) = CONTENT_TYPES[*content_type as usize % CONTENT_TYPES.len()] {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let request = request.body(Body::from(body.to_vec())).unwrap();
    let (status, bytes) = runtime().block_on(async {
        let response = service().clone().oneshot(request).await.unwrap();
        let status = response.status();
        (
            status,
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    });
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {path}: {status}, not JSON ({e}): {bytes:?}"));
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{json}");
    if !status.is_success() {
        assert!(
            json["error"]["code"].is_string() && json["error"]["message"].is_string(),
            "{method} {path}: {status}: {json}"
        );
        assert!(
            status.is_client_error() || status == StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path}: {status}: {json}"
        );
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The service over the verify models, with its default limits.
fn service() -> &'static Router {
    static SERVICE: OnceLock<Router> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let mut registry = Registry::default();
        for (i, (model, _)) in verify_models().iter().enumerate() {
            registry.insert(format!("model{i}"), model.clone());
        }
        router(registry, &Config::default())
    })
}

// ---- corpora ----

/// Writes each target's starting corpus into `root/<target>/`: the committed seed envelopes in
/// both forms, every example model file for its importer, every example as a zkinfer model, and
/// requests for each endpoint.
pub fn write_corpora(root: &Path) -> std::io::Result<usize> {
    let mut corpora: Vec<(&str, String, Vec<u8>)> = Vec::new();
    for path in files_in(&fuzz_dir().join("seeds/proof_verify")) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let binary = std::fs::read(&path)?;
        let json = Envelope::from_bytes(&binary)
            .and_then(|envelope| envelope.to_json())
            .expect("the seeds are envelopes")
            .into_bytes();
        corpora.push(("envelope_binary", name.clone(), binary.clone()));
        corpora.push(("envelope_json", name.clone(), json.clone()));
        corpora.push(("proof_verify", format!("{name}-bin"), binary.clone()));
        corpora.push(("proof_verify", format!("{name}-json"), json.clone()));
        corpora.push((
            "http_request",
            format!("verify-{name}-json"),
            [&[1, 0, 0], &json[..]].concat(),
        ));
        corpora.push((
            "http_request",
            format!("verify-{name}-bin"),
            [&[1, 0, 1], &binary[..]].concat(),
        ));
    }
    for (_, id) in verify_models() {
        let body = format!("{{\"model_id\":\"{id}\"}}");
        let name = format!("challenge-{}", &id.to_string()[..8]);
        corpora.push(("http_request", name, [&[1, 1, 0], body.as_bytes()].concat()));
    }
    corpora.push(("http_request", "models".into(), vec![0, 2, 4]));
    corpora.push(("http_request", "health".into(), vec![0, 3, 4]));
    for (target, name, file) in example_model_files() {
        let bytes = std::fs::read(crate::examples_dir().join(file))?;
        corpora.push((target, name, bytes));
    }
    for example in example_models() {
        let canonical = import_example(&example).to_canonical_json();
        corpora.push(("import_zkinfer", example.name.clone(), canonical));
    }
    for (target, name, bytes) in &corpora {
        let folder = root.join(target);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(name), bytes)?;
    }
    Ok(corpora.len())
}
