//! Python bindings of zkinfer (PyO3), the extension `zkinfer._native` that the package `zkinfer`
//! (`python/zkinfer/`) wraps: load or import a model, predict, prove, verify, open a
//! commitment. Conversions between Python values and the `zkinfer` API only: every rule (model
//! validation, importing, input reading, thresholds, proving, verifying, error codes) is the
//! library's.
//!
//! Every failure raises a subclass of `ZkinferError` whose `code` is one of the stable codes
//! of [`ErrorCode`], as the npm package's errors carry them. Proving and verifying release the
//! interpreter (other Python threads run meanwhile).

use std::fmt::Display;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyMemoryView, PyString};

use zkinfer::codes::{Coded, ErrorCode};
use zkinfer::commitment::opens;
use zkinfer::disclose::DiscloseRequest;
use zkinfer::import::{import_with, ImportOptions};
use zkinfer::limits::MAX_MODEL_FILE_BYTES;
use zkinfer::model::Task;
use zkinfer::output_view::OutputView;
use zkinfer::{
    infer, prove_with_progress, Calibration, InputCommitment, Opening, Phase, Profile,
    ProveOptions, QuantizedInput, RawInput, RawValue,
};

create_exception!(
    zkinfer,
    ZkinferError,
    PyException,
    "A zkinfer failure. `code` is one of the stable codes: BAD_MODEL, BAD_INPUT, UNSUPPORTED, \
     BAD_ENVELOPE, INVALID_PROOF, INTERNAL."
);
create_exception!(
    zkinfer,
    BadModelError,
    ZkinferError,
    "Not a valid zkinfer model, or a model file that cannot be imported (BAD_MODEL)."
);
create_exception!(
    zkinfer,
    BadInputError,
    ZkinferError,
    "An input, an option, a context or an opening that cannot be used (BAD_INPUT)."
);
create_exception!(
    zkinfer,
    UnsupportedError,
    ZkinferError,
    "Valid, but not something this model can prove (UNSUPPORTED)."
);
create_exception!(
    zkinfer,
    BadEnvelopeError,
    ZkinferError,
    "Not a readable proof envelope (BAD_ENVELOPE)."
);
create_exception!(
    zkinfer,
    InvalidProofError,
    ZkinferError,
    "An envelope that does not prove its statement for this model and context (INVALID_PROOF)."
);
create_exception!(
    zkinfer,
    InternalError,
    ZkinferError,
    "A failure that is nobody's input: no randomness, a prover bug (INTERNAL)."
);

/// The exception of `code`, with `message`.
fn raise(code: ErrorCode, message: impl Display) -> PyErr {
    let message = message.to_string();
    match code {
        ErrorCode::BadModel => BadModelError::new_err(message),
        ErrorCode::BadInput => BadInputError::new_err(message),
        ErrorCode::Unsupported => UnsupportedError::new_err(message),
        ErrorCode::BadEnvelope => BadEnvelopeError::new_err(message),
        ErrorCode::InvalidProof => InvalidProofError::new_err(message),
        ErrorCode::Internal => InternalError::new_err(message),
    }
}

/// The exception of an error's own code.
fn coded<E: Coded + Display>(e: E) -> PyErr {
    raise(e.code(), e)
}

fn bad_input(message: impl Display) -> PyErr {
    raise(ErrorCode::BadInput, message)
}

/// A validated zkinfer model.
#[pyclass(frozen, module = "zkinfer._native")]
struct Model {
    model: zkinfer::Model,
    id: String,
}

impl Model {
    fn new(model: zkinfer::Model) -> Model {
        let id = model.id().to_string();
        Model { model, id }
    }

    /// A raw input (a sequence in feature order, or a mapping of feature names) quantized.
    fn quantized(&self, input: &Bound<'_, PyAny>) -> PyResult<QuantizedInput> {
        let raw = raw_input(input)?.to_vector(&self.model).map_err(coded)?;
        self.model.quantize_input(&raw).map_err(coded)
    }
}

#[pymethods]
impl Model {
    /// Reads a zkinfer model from its JSON (text or UTF-8 bytes).
    #[staticmethod]
    fn from_json(json: &Bound<'_, PyAny>) -> PyResult<Model> {
        let bytes = text_or_bytes(json, "a model's JSON", ErrorCode::BadModel)?;
        zkinfer::Model::from_json(&bytes)
            .map(Model::new)
            .map_err(coded)
    }

    /// Reads a model file: a zkinfer model, or any format `zkinfer import` reads (ONNX,
    /// XGBoost JSON, LightGBM text, CatBoost JSON), imported with the options `zkinfer import`
    /// takes.
    #[staticmethod]
    #[pyo3(signature = (path, calibrate=None, headroom=None, iterations=None, class_labels=None, feature_names=None))]
    fn load(
        path: PathBuf,
        calibrate: Option<PathBuf>,
        headroom: Option<f64>,
        iterations: Option<usize>,
        class_labels: Option<Vec<String>>,
        feature_names: Option<Vec<String>>,
    ) -> PyResult<Model> {
        // One byte more than any model file may have: the import refuses it, by size.
        let read = |path: &PathBuf| {
            let mut bytes = Vec::new();
            (std::fs::File::open(path))
                .and_then(|file| {
                    let limit = MAX_MODEL_FILE_BYTES as u64 + 1;
                    file.take(limit).read_to_end(&mut bytes)
                })
                .map_err(|e| raise(ErrorCode::BadModel, format!("{}: {e}", path.display())))?;
            Ok::<_, PyErr>(bytes)
        };
        let bytes = read(&path)?;
        let calibration = match calibrate {
            Some(csv) => {
                let text = String::from_utf8(read(&csv)?).map_err(|_| {
                    bad_input(format!(
                        "{}: the calibration CSV is not UTF-8",
                        csv.display()
                    ))
                })?;
                let calibration = Calibration::from_csv(&text)
                    .map_err(|e| bad_input(format!("{}: {e}", csv.display())))?;
                Some(match headroom {
                    Some(h) => calibration.with_headroom(h).map_err(bad_input)?,
                    None => calibration,
                })
            }
            None if headroom.is_some() => {
                return Err(bad_input("headroom needs calibration data (calibrate=)"))
            }
            None => None,
        };
        let options = ImportOptions {
            calibration: calibration.as_ref(),
            iterations,
            class_labels: class_labels.as_deref(),
            feature_names: feature_names.as_deref(),
        };
        let file = path.display().to_string();
        import_with(&bytes, &file, &options)
            .map(Model::new)
            .map_err(coded)
    }

    /// The model id: BLAKE3 of the canonical model, 64 hexadecimal digits.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }

    /// Feature names, in input order.
    #[getter]
    fn features(&self) -> Vec<String> {
        self.model.input.features.clone()
    }

    /// `binary`, `multiclass` or `regression`.
    #[getter]
    fn task(&self) -> &'static str {
        match self.model.output.task {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Regression => "regression",
        }
    }

    /// Class labels (none for regression).
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.model.output.classes.clone()
    }

    /// Where the model came from, e.g. `xgboost 3.2.0 binary:logistic`.
    #[getter]
    fn source(&self) -> &str {
        &self.model.source
    }

    /// The canonical JSON (whose BLAKE3 hash is the id).
    fn to_json(&self) -> String {
        String::from_utf8(self.model.to_canonical_json()).expect("canonical JSON is UTF-8")
    }

    /// The reference inference on each row: `(label, scores, probabilities)`, the class label
    /// (`None` for regression), the real scores, and the probabilities when the model's link
    /// gives them. A row the model refuses raises `BadInputError` naming the row.
    #[allow(clippy::type_complexity)]
    fn predict_rows(
        &self,
        py: Python<'_>,
        rows: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(Option<String>, Vec<f64>, Option<Vec<f64>>)>> {
        (rows.iter().enumerate())
            .map(|(r, row)| {
                let input = (self.quantized(row))
                    .map_err(|e| bad_input(format!("row {r}: {}", e.value(py))))?;
                let prediction = infer(&self.model, &input);
                let scores = prediction.real_scores(&self.model);
                let probabilities = self.model.output.link.probabilities(&scores);
                let label = prediction.label(&self.model).map(str::to_string);
                Ok((label, scores, probabilities))
            })
            .collect()
    }

    /// Proves the model's output on a private input. Returns `(envelope, opening)`: the
    /// envelope is public, the opening (JSON) SECRET: with the input, it opens the commitment.
    #[pyo3(signature = (input, disclose=None, at_least=None, at_least_probability=None, context=None, profile=None, on_progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn prove(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        disclose: Option<&Bound<'_, PyAny>>,
        at_least: Option<&Bound<'_, PyAny>>,
        at_least_probability: Option<&Bound<'_, PyAny>>,
        context: Option<&Bound<'_, PyAny>>,
        profile: Option<&Bound<'_, PyAny>>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<(Envelope, String)> {
        let disclose = optional_text(disclose, "disclose")?;
        let at_least_probability = (at_least_probability.filter(|p| !p.is_none()))
            .map(|p| number(p).ok_or_else(|| bad_input("at_least_probability is a number")))
            .transpose()?;
        let profile = optional_text(profile, "profile")?;
        let request = disclose_request(disclose.as_deref(), at_least, at_least_probability)?;
        let disclosure = DiscloseRequest::disclosure_or_default(request.as_ref(), &self.model)
            .map_err(bad_input)?;
        let options = ProveOptions::new(disclosure)
            .with_context(optional_bytes(context, "the context")?)
            .with_profile(profile_named(profile.as_deref())?);
        let input = self.quantized(input)?;
        if on_progress
            .as_ref()
            .is_some_and(|f| !f.bind(py).is_callable())
        {
            return Err(bad_input("on_progress is a function of (phase, fraction)"));
        }
        let model = &self.model;
        // The first exception the callback raises (Ctrl-C included) is raised once the proof
        // ends, in its place, as the npm package rejects the proof.
        let raised: Mutex<Option<PyErr>> = Mutex::new(None);
        let proved = py.detach(|| {
            let progress = |phase: Phase| {
                if let Some(callback) = &on_progress {
                    Python::attach(|py| {
                        if let Err(e) = callback.call1(py, (phase.name(), phase.fraction())) {
                            let mut raised = raised.lock().unwrap_or_else(|p| p.into_inner());
                            raised.get_or_insert(e);
                        }
                    });
                }
            };
            prove_with_progress(model, &input, &options, &progress)
        });
        if let Some(e) = raised.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let (envelope, opening) = proved.map_err(coded)?;
        Ok((Envelope { envelope }, opening.to_json()))
    }
}

/// A proof envelope: the model id, the input commitment, the output, the context and the proof.
#[pyclass(frozen, module = "zkinfer._native")]
struct Envelope {
    envelope: zkinfer::Envelope,
}

#[pymethods]
impl Envelope {
    /// Reads the JSON envelope (text or UTF-8 bytes).
    #[staticmethod]
    fn from_json(json: &Bound<'_, PyAny>) -> PyResult<Envelope> {
        let bytes = text_or_bytes(json, "an envelope's JSON", ErrorCode::BadEnvelope)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| raise(ErrorCode::BadEnvelope, "the JSON envelope is not UTF-8"))?;
        let envelope = zkinfer::Envelope::from_json(&text).map_err(coded)?;
        Ok(Envelope { envelope })
    }

    /// Reads the binary envelope.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Envelope> {
        let data = text_or_bytes(data, "a binary envelope", ErrorCode::BadEnvelope)?;
        let envelope = zkinfer::Envelope::from_bytes(&data).map_err(coded)?;
        Ok(Envelope { envelope })
    }

    fn to_json(&self) -> PyResult<String> {
        self.envelope.to_json().map_err(coded)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.envelope.to_bytes().map_err(coded)?;
        Ok(PyBytes::new(py, &bytes))
    }

    #[getter]
    fn model_id(&self) -> String {
        self.envelope.model_id.to_string()
    }

    #[getter]
    fn input_commitment(&self) -> String {
        self.envelope.input_commitment.to_string()
    }

    #[getter]
    fn context<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.envelope.context)
    }

    #[getter]
    fn profile(&self) -> &'static str {
        self.envelope.profile.name()
    }

    /// The output the envelope claims for `model` (its own model), as `verify` reports it:
    /// unverified until then.
    fn output<'py>(
        &self,
        py: Python<'py>,
        model: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let model = native_model(model)?;
        let model = &model.get().model;
        check_envelope_model(model, &self.envelope)?;
        output_dict(py, &OutputView::new(model, &self.envelope.output))
    }
}

/// Verifies `envelope` against `model` and the context it must have been made for. Returns a
/// dict: `model_id`, `input_commitment`, `output` (see `output_dict`), `profile`.
#[pyfunction]
#[pyo3(signature = (model, envelope, context=None))]
fn verify<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    envelope: &Bound<'py, PyAny>,
    context: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let context = optional_bytes(context, "the context")?;
    let model = native_model(model)?;
    let envelope = envelope_of(envelope)?;
    let inner = &model.get().model;
    let verified = py
        .detach(|| zkinfer::verify(inner, &envelope, &context))
        .map_err(coded)?;
    let dict = PyDict::new(py);
    dict.set_item("model_id", verified.model_id.to_string())?;
    dict.set_item("input_commitment", verified.input_commitment.to_string())?;
    dict.set_item(
        "output",
        output_dict(py, &OutputView::new(inner, &verified.output))?,
    )?;
    dict.set_item("profile", verified.profile.name())?;
    Ok(dict)
}

/// Whether `input` and `opening` (the JSON opening `prove` returned) open `commitment`: 64
/// hexadecimal digits, or an envelope of this model (an `Envelope`, its JSON or its bytes).
#[pyfunction]
fn open(
    model: &Bound<'_, PyAny>,
    input: &Bound<'_, PyAny>,
    opening: &Bound<'_, PyAny>,
    commitment: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let model = native_model(model)?;
    let model = model.get();
    let input = model.quantized(input)?;
    let opening = text_or_bytes(
        opening,
        "an opening (the JSON prove returns)",
        ErrorCode::BadInput,
    )?;
    let opening = (String::from_utf8(opening).ok())
        .ok_or_else(|| bad_input("an opening is JSON text"))
        .and_then(|text| {
            Opening::from_json(&text).map_err(|e| bad_input(format!("opening: {e}")))
        })?;
    let hex = commitment.extract::<String>().ok();
    let commitment = match hex {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => hex
            .parse::<InputCommitment>()
            .map_err(|e| bad_input(format!("commitment {hex}: {e}")))?,
        // An Envelope, or one's JSON, as the npm package reads any other commitment.
        _ => {
            let envelope = envelope_of(commitment)?;
            check_envelope_model(&model.model, &envelope)?;
            envelope.input_commitment
        }
    };
    Ok(opens(&model.model, &input, &opening, &commitment))
}

/// The extension's model inside the package's `zkinfer.Model` (or the extension's own).
fn native_model<'py>(model: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Model>> {
    let inner = match model.getattr("_native") {
        Ok(inner) => inner,
        Err(_) => model.clone(),
    };
    (inner.cast_into::<Model>()).map_err(|_| bad_input("expected a zkinfer.Model"))
}

/// An `Envelope`, its JSON text, or its bytes (binary or JSON).
fn envelope_of(value: &Bound<'_, PyAny>) -> PyResult<zkinfer::Envelope> {
    if let Ok(envelope) = value.cast::<Envelope>() {
        return Ok(envelope.get().envelope.clone());
    }
    let bytes = text_or_bytes(value, "an envelope", ErrorCode::BadEnvelope)?;
    zkinfer::Envelope::decode(&bytes).map_err(coded)
}

/// Refuses an envelope of another model.
fn check_envelope_model(model: &zkinfer::Model, envelope: &zkinfer::Envelope) -> PyResult<()> {
    match envelope.model_id == model.id() {
        true => Ok(()),
        false => Err(raise(
            ErrorCode::BadEnvelope,
            format!(
                "the envelope is for model {}, not for this model ({})",
                envelope.model_id,
                model.id()
            ),
        )),
    }
}

/// An output as a dict: `kind` (`class`, `scores`, `at_least`) and its fields, real values
/// next to the exact fixed-point ones.
fn output_dict<'py>(py: Python<'py>, view: &OutputView) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    match view {
        OutputView::Class { class, label } => {
            dict.set_item("kind", "class")?;
            dict.set_item("class", class)?;
            dict.set_item("label", label)?;
        }
        OutputView::Scores { scores, fixed } => {
            dict.set_item("kind", "scores")?;
            dict.set_item("scores", scores)?;
            dict.set_item("fixed", fixed)?;
        }
        OutputView::AtLeast {
            threshold,
            fixed_threshold,
            holds,
        } => {
            dict.set_item("kind", "at_least")?;
            dict.set_item("threshold", threshold)?;
            dict.set_item("fixed_threshold", fixed_threshold)?;
            dict.set_item("holds", holds)?;
        }
    }
    Ok(dict)
}

/// At most one of `disclose` (`"class"`, `"scores"`), `at_least` (a real score: a number or a
/// decimal string) and `at_least_probability`; none means the model's default.
fn disclose_request(
    disclose: Option<&str>,
    at_least: Option<&Bound<'_, PyAny>>,
    at_least_probability: Option<f64>,
) -> PyResult<Option<DiscloseRequest>> {
    let given = [
        disclose.is_some(),
        at_least.is_some(),
        at_least_probability.is_some(),
    ];
    if given.iter().filter(|&&g| g).count() > 1 {
        return Err(bad_input(
            "give one of disclose, at_least and at_least_probability",
        ));
    }
    if let Some(name) = disclose {
        return match name {
            "class" => Ok(Some(DiscloseRequest::Class)),
            "scores" => Ok(Some(DiscloseRequest::Scores)),
            _ => Err(bad_input(format!(
                "disclose={name:?}: expected \"class\" or \"scores\" (or at_least=, \
                 at_least_probability=)"
            ))),
        };
    }
    if let Some(threshold) = at_least.filter(|t| !t.is_none()) {
        // A float as the shortest decimal that reads back as it, as it prints; an integer as
        // itself.
        let text = if let Ok(text) = threshold.cast::<PyString>() {
            text.to_string_lossy().into_owned()
        } else if let Some(i) = (!is_boolean(threshold))
            .then(|| threshold.extract::<i64>().ok())
            .flatten()
        {
            i.to_string()
        } else {
            number(threshold).map(|x| format!("{x:e}")).ok_or_else(|| {
                bad_input("at_least is a real score: a number or a decimal string")
            })?
        };
        let decimal = text
            .parse()
            .map_err(|e| bad_input(format!("at_least: {e}")))?;
        return Ok(Some(DiscloseRequest::AtLeast(decimal)));
    }
    at_least_probability
        .map(DiscloseRequest::probability)
        .transpose()
        .map_err(|e| bad_input(format!("at_least_probability: {e}")))
}

fn profile_named(name: Option<&str>) -> PyResult<Profile> {
    match name {
        None => Ok(Profile::Default),
        Some(name) => Profile::from_name(name)
            .ok_or_else(|| bad_input(format!("profile {name:?}: \"default\" or \"high\""))),
    }
}

/// A string option, `None` when absent.
fn optional_text(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<String>> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(None),
        Some(value) => value
            .cast::<PyString>()
            .map(|s| Some(s.to_string_lossy().into_owned()))
            .map_err(|_| bad_input(format!("{what} is a string"))),
    }
}

/// Python's and NumPy's booleans (`numpy.bool`, `numpy.bool_` before NumPy 2), which are not
/// numbers here.
fn is_boolean(value: &Bound<'_, PyAny>) -> bool {
    let numpy_bool = (value.get_type().fully_qualified_name())
        .is_ok_and(|name| matches!(name.to_string().as_str(), "numpy.bool" | "numpy.bool_"));
    value.is_instance_of::<PyBool>() || numpy_bool
}

/// A number (NumPy's included), not a boolean.
fn number(value: &Bound<'_, PyAny>) -> Option<f64> {
    (!is_boolean(value))
        .then(|| value.extract::<f64>().ok())
        .flatten()
}

/// A raw input: a mapping of feature names to values, or a sequence of values in feature
/// order (a list, a tuple, a NumPy row).
fn raw_input(input: &Bound<'_, PyAny>) -> PyResult<RawInput> {
    if let Ok(mapping) = input.cast::<PyDict>() {
        let entries = (mapping.iter())
            .map(|(name, value)| {
                let name: String = name
                    .extract()
                    .map_err(|_| bad_input(format!("a feature name is a string, not {name}")))?;
                Ok((name, raw_value(&value)))
            })
            .collect::<PyResult<_>>()?;
        return Ok(RawInput::Named(entries));
    }
    if input.is_instance_of::<PyString>() || input.is_instance_of::<PyBytes>() {
        return Err(bad_input(
            "an input is a sequence of feature values or a mapping of feature names",
        ));
    }
    let values = (input.try_iter())
        .map_err(|_| {
            bad_input("an input is a sequence of feature values or a mapping of feature names")
        })?
        .map(|value| value.map(|v| raw_value(&v)))
        .collect::<PyResult<_>>()?;
    Ok(RawInput::Ordered(values))
}

/// A number (NumPy's included; `None` and NaN are missing), a string (a category's name), or
/// anything else, kept as text for the error message. Booleans are not numbers here.
fn raw_value(value: &Bound<'_, PyAny>) -> RawValue {
    // pandas' NA is missing, as None is.
    let pandas_na = value.get_type().name().is_ok_and(|name| name == "NAType");
    if value.is_none() || pandas_na {
        return RawValue::Number(f64::NAN);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return RawValue::Text(text.to_string_lossy().into_owned());
    }
    if let Some(x) = number(value) {
        return RawValue::Number(x);
    }
    RawValue::Other(value.repr().map_or_else(|_| "?".into(), |r| r.to_string()))
}

/// UTF-8 text or bytes (`bytes`, `bytearray`, `memoryview`); anything else raises `code`.
fn text_or_bytes(value: &Bound<'_, PyAny>, what: &str, code: ErrorCode) -> PyResult<Vec<u8>> {
    if let Ok(text) = value.cast::<PyString>() {
        return (text.to_cow().map(|t| t.as_bytes().to_vec()))
            .map_err(|_| raise(code, format!("{what} is not valid Unicode text")));
    }
    if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
        return value
            .extract::<Vec<u8>>()
            .map_err(|_| raise(code, format!("{what} is text or bytes")));
    }
    match value.cast::<PyMemoryView>() {
        Ok(view) => view
            .call_method0("tobytes")
            .and_then(|bytes| bytes.extract::<Vec<u8>>())
            .map_err(|_| raise(code, format!("{what} is text or bytes"))),
        Err(_) => Err(raise(code, format!("{what} is text or bytes"))),
    }
}

/// A context: `None` (empty), text (its UTF-8) or bytes.
fn optional_bytes(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<u8>> {
    match value {
        None => Ok(Vec::new()),
        Some(value) if value.is_none() => Ok(Vec::new()),
        Some(value) => text_or_bytes(value, what, ErrorCode::BadInput),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_class::<Envelope>()?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    let py = m.py();
    m.add("ZkinferError", py.get_type::<ZkinferError>())?;
    let classes = [
        py.get_type::<BadModelError>(),
        py.get_type::<BadInputError>(),
        py.get_type::<UnsupportedError>(),
        py.get_type::<BadEnvelopeError>(),
        py.get_type::<InvalidProofError>(),
        py.get_type::<InternalError>(),
    ];
    for (class, code) in classes.iter().zip(ErrorCode::ALL) {
        class.setattr("code", code.name())?;
        m.add(class.name()?.to_string(), class)?;
    }
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
