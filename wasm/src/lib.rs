//! WebAssembly bindings of zkinfer (wasm-bindgen), for browsers and Node: load a model, prove,
//! verify, open a commitment. Conversions between JavaScript values and the `zkinfer` API only:
//! every rule (model validation, input reading, threshold conversion, proving, verifying) is the
//! library's.
//!
//! Every failure throws a JavaScript `Error` whose `code` property is one of the stable codes of
//! [`Code`] and whose message says what was wrong. Nothing panics on any input; should a bug
//! panic anyway, [`take_panic`] returns its message, so that the caller can report it instead
//! of a bare "RuntimeError: unreachable".
//!
//! Only the WebAssembly build has these bindings (`scripts/build-wasm.sh`; `scripts/test.sh`
//! lints them for that target): natively the crate is empty.

#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

mod memory;

use std::cell::RefCell;
use std::fmt::Display;

use js_sys::{
    Array, ArrayBuffer, Float64Array, Function, JsString, Object, Reflect, Uint8Array, JSON,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use zkinfer::codes::{Coded, ErrorCode};
use zkinfer::commitment::opens;
use zkinfer::disclose::DiscloseRequest;
use zkinfer::envelope::MAX_ENCODED_BYTES;
use zkinfer::import::detect_format;
use zkinfer::model::Task;
use zkinfer::output_view::OutputView;
use zkinfer::threshold::Decimal;
use zkinfer::{
    prove_with_progress, Envelope, Format, InputCommitment, InputError, ModelError, Opening, Phase,
    Profile, ProveOptions, QuantizedInput, RawInput, RawValue,
};

/// A JavaScript `Error` with a `code` property.
fn error(code: ErrorCode, message: impl Display) -> JsValue {
    let error = js_sys::Error::new(&message.to_string());
    let _ = Reflect::set(&error, &"code".into(), &code.name().into());
    error.into()
}

/// A JavaScript `Error` of the error's own code ([`Coded`]).
fn coded<E: Coded + Display>(e: E) -> JsValue {
    error(e.code(), e)
}

fn bad_input(e: impl Display) -> JsValue {
    error(ErrorCode::BadInput, e)
}

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs when the module is instantiated: keeps the message of a panic (a bug), which the
/// WebAssembly trap that follows it would lose.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        PANIC.with(|panic| *panic.borrow_mut() = Some(message));
    }));
}

/// The message of the panic that aborted the last call, if one did; cleared by reading it.
#[wasm_bindgen(js_name = takePanic)]
pub fn take_panic() -> Option<String> {
    PANIC.with(|panic| panic.borrow_mut().take())
}

/// A validated zkinfer model.
#[wasm_bindgen]
pub struct Model {
    model: zkinfer::Model,
    id: String,
}

#[wasm_bindgen]
impl Model {
    /// Reads a zkinfer model: its JSON text, the text's UTF-8 bytes, or the parsed JSON object.
    #[wasm_bindgen(constructor)]
    pub fn new(json: JsValue) -> Result<Model, JsValue> {
        let bytes = json_bytes(&json).ok_or_else(|| {
            error(
                ErrorCode::BadModel,
                "a model is zkinfer model JSON: text, UTF-8 bytes or a parsed object",
            )
        })?;
        let model = zkinfer::Model::from_json(&bytes).map_err(|e| match &e {
            // Only what does not parse as a zkinfer model may be a library format to convert
            // (an oversized file would be refused by the importer too).
            ModelError::Json(_) => match detect_format(&bytes) {
                Some(format) if format != Format::Zkinfer => error(
                    ErrorCode::BadModel,
                    format!(
                        "this is an {format} model, not a zkinfer model: convert it once with \
                         `zkinfer import <file> -o model.zk.json` ({e})"
                    ),
                ),
                _ => error(ErrorCode::BadModel, e),
            },
            _ => error(ErrorCode::BadModel, e),
        })?;
        let id = model.id().to_string();
        Ok(Model { model, id })
    }

    /// The model id: BLAKE3 of the canonical model, 64 hexadecimal digits.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// Feature names, in input order.
    #[wasm_bindgen(getter)]
    pub fn features(&self) -> Vec<String> {
        self.model.input.features.clone()
    }

    /// `binary`, `multiclass` or `regression`.
    #[wasm_bindgen(getter)]
    pub fn task(&self) -> String {
        match self.model.output.task {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Regression => "regression",
        }
        .into()
    }

    /// Class labels (none for regression).
    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> Vec<String> {
        self.model.output.classes.clone()
    }
}

/// The id of a zkinfer model (see [`Model::new`] for what `json` may be).
#[wasm_bindgen(js_name = modelId)]
pub fn model_id(json: JsValue) -> Result<String, JsValue> {
    Ok(Model::new(json)?.id)
}

/// Proves the model's output on the private `input` (an array of numbers in feature order, a
/// `Float64Array`, or an object of feature name → number). `options`: `disclose` (`"class"`,
/// `"scores"` or `{atLeast: T}` with `T` a real score as a number or a decimal string; default:
/// the class for classifiers, the scores for regression), `context` (a string or a
/// `Uint8Array`; default empty), `profile` (`"default"` or `"high"`). `on_progress`, if given,
/// is called with each phase's name and the fraction of the work done before it, from
/// `("trace", 0)` to `("done", 1)`; what it throws is ignored.
///
/// Returns `{envelope, opening, modelId, inputCommitment, output}`: `envelope` is the JSON
/// envelope (public), `opening` the JSON opening (SECRET: with the input, it opens the
/// commitment).
#[wasm_bindgen]
pub fn prove(
    model: &Model,
    input: JsValue,
    options: JsValue,
    on_progress: Option<Function>,
) -> Result<JsValue, JsValue> {
    let options = prove_options(&model.model, &options)?;
    let input = quantized_input(&model.model, &input)?;
    let progress = |phase: Phase| {
        if let Some(f) = &on_progress {
            let _ = f.call2(
                &JsValue::NULL,
                &phase.name().into(),
                &phase.fraction().into(),
            );
        }
    };
    let proved = prove_with_progress(&model.model, &input, &options, &progress);
    let (envelope, opening) = proved.map_err(coded)?;
    let json = envelope
        .to_json()
        .map_err(|e| error(ErrorCode::Internal, e))?;
    to_js(&Proved {
        envelope: json,
        opening: opening.to_json(),
        model_id: model.id.clone(),
        input_commitment: envelope.input_commitment.to_string(),
        output: OutputView::new(&model.model, &envelope.output),
    })
}

/// Verifies an envelope (JSON text, its parsed object, or the binary form as a `Uint8Array`)
/// against the model and the context it must have been made for (a string, a `Uint8Array`, or
/// nothing for the empty context). Returns `{ok: true, modelId, inputCommitment, output,
/// profile}`; throws `BAD_ENVELOPE` for what is not an envelope and `INVALID_PROOF` for an
/// envelope that does not prove its statement for this model and context.
#[wasm_bindgen]
pub fn verify(model: &Model, envelope: JsValue, context: JsValue) -> Result<JsValue, JsValue> {
    let envelope = read_envelope(&envelope)?;
    let context = bytes_or_text(&context, "the context")?;
    let verified = zkinfer::verify(&model.model, &envelope, &context).map_err(coded)?;
    to_js(&Verified {
        ok: true,
        model_id: verified.model_id.to_string(),
        input_commitment: verified.input_commitment.to_string(),
        output: OutputView::new(&model.model, &verified.output),
        profile: verified.profile.name(),
    })
}

/// Whether `input` and `opening` (the JSON opening from [`prove`], or its parsed object) open
/// `commitment`: 64 hexadecimal digits, or an envelope of this model (as for [`verify`]).
#[wasm_bindgen]
pub fn open(
    model: &Model,
    input: JsValue,
    opening: JsValue,
    commitment: JsValue,
) -> Result<bool, JsValue> {
    let input = quantized_input(&model.model, &input)?;
    let opening = json_bytes(&opening)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad_input("an opening is the JSON text (or object) that prove returns"))
        .and_then(|text| {
            Opening::from_json(&text).map_err(|e| bad_input(format!("opening: {e}")))
        })?;
    let commitment = match commitment.as_string() {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => hex
            .parse::<InputCommitment>()
            .map_err(|e| bad_input(format!("commitment {hex}: {e}")))?,
        _ => {
            let envelope = read_envelope(&commitment)?;
            if envelope.model_id != model.model.id() {
                return Err(error(
                    ErrorCode::BadEnvelope,
                    format!(
                        "the envelope is for model {}, not for this model ({})",
                        envelope.model_id, model.id
                    ),
                ));
            }
            envelope.input_commitment
        }
    };
    Ok(opens(&model.model, &input, &opening, &commitment))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Proved {
    envelope: String,
    opening: String,
    model_id: String,
    input_commitment: String,
    output: OutputView,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Verified {
    ok: bool,
    model_id: String,
    input_commitment: String,
    output: OutputView,
    profile: &'static str,
}

fn to_js(value: &impl Serialize) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(|e| error(ErrorCode::Internal, e))
}

/// `options` of [`prove`], strictly: unknown keys are refused (a misspelt option would
/// otherwise be silently ignored).
fn prove_options(model: &zkinfer::Model, options: &JsValue) -> Result<ProveOptions, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(ProveOptions::new(zkinfer::default_disclosure(model)));
    }
    if !options.is_object() || Array::is_array(options) {
        return Err(bad_input("the options must be an object"));
    }
    let object: &Object = options.unchecked_ref();
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !["disclose", "context", "profile"].contains(&key.as_str()) {
            return Err(bad_input(format!(
                "unknown option {key:?} (the options are disclose, context and profile)"
            )));
        }
    }
    let get = |key: &str| Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let disclose = get("disclose");
    let request = if disclose.is_undefined() || disclose.is_null() {
        None
    } else if let Some(name) = disclose.as_string() {
        match name.as_str() {
            "class" => Some(DiscloseRequest::Class),
            "scores" => Some(DiscloseRequest::Scores),
            _ => return Err(bad_disclose()),
        }
    } else if disclose.is_object() {
        let at_least = Reflect::get(&disclose, &"atLeast".into()).unwrap_or(JsValue::UNDEFINED);
        let decimal: Decimal = match (at_least.as_f64(), at_least.as_string()) {
            // The shortest decimal that reads back as this number: what it prints as, and
            // what `--disclose at-least=` would be given.
            (Some(x), _) => format!("{x:e}").parse(),
            (None, Some(text)) => text.parse(),
            (None, None) => return Err(bad_disclose()),
        }
        .map_err(|e| bad_input(format!("disclose.atLeast: {e}")))?;
        Some(DiscloseRequest::AtLeast(decimal))
    } else {
        return Err(bad_disclose());
    };
    let disclosure =
        DiscloseRequest::disclosure_or_default(request.as_ref(), model).map_err(bad_input)?;
    let profile = get("profile");
    let profile = if profile.is_undefined() || profile.is_null() {
        Profile::Default
    } else {
        profile
            .as_string()
            .and_then(|name| Profile::from_name(&name))
            .ok_or_else(|| bad_input("profile must be \"default\" or \"high\""))?
    };
    Ok(ProveOptions::new(disclosure)
        .with_context(bytes_or_text(&get("context"), "the context")?)
        .with_profile(profile))
}

fn bad_disclose() -> JsValue {
    bad_input("disclose must be \"class\", \"scores\" or {atLeast: <real score>}")
}

/// An input as the library reads it: an array (or `Float64Array`) in feature order, or an
/// object of feature name → value; then quantized.
fn quantized_input(model: &zkinfer::Model, input: &JsValue) -> Result<QuantizedInput, JsValue> {
    let raw = if Array::is_array(input) {
        let items: &Array = input.unchecked_ref();
        RawInput::Ordered(items.iter().map(|v| raw_value(&v)).collect())
    } else if let Some(values) = input.dyn_ref::<Float64Array>() {
        RawInput::Ordered(values.to_vec().into_iter().map(RawValue::Number).collect())
    } else if input.is_object() && !input.is_function() {
        let object: &Object = input.unchecked_ref();
        let entries = Object::entries(object);
        RawInput::Named(
            entries
                .iter()
                .map(|entry| {
                    let pair: &Array = entry.unchecked_ref();
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        raw_value(&pair.get(1)),
                    )
                })
                .collect(),
        )
    } else {
        return Err(bad_input(InputError::Malformed(
            "expected an array of numbers or an object of feature values".into(),
        )));
    };
    let raw = raw.to_vector(model).map_err(bad_input)?;
    model.quantize_input(&raw).map_err(bad_input)
}

/// A number (NaN included), `null` as NaN (a missing value, as in JSON), a string (a
/// category's name), or anything else kept as text for the error message.
fn raw_value(value: &JsValue) -> RawValue {
    if value.is_null() {
        return RawValue::Number(f64::NAN);
    }
    match value.as_f64() {
        Some(x) => RawValue::Number(x),
        None => match value.as_string() {
            Some(text) => RawValue::Text(text),
            None => RawValue::Other(
                JSON::stringify(value)
                    .ok()
                    .and_then(|json| json.as_string())
                    .unwrap_or_else(|| value.js_typeof().as_string().unwrap_or_default()),
            ),
        },
    }
}

/// A context: UTF-8 text, bytes, or nothing (empty).
fn bytes_or_text(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(Vec::new())
    } else if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else {
        Err(bad_input(format!(
            "{what} must be a string or a Uint8Array"
        )))
    }
}

/// JSON as bytes: text, UTF-8 bytes (`Uint8Array`, `ArrayBuffer`) or a parsed object.
fn json_bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(text) = value.as_string() {
        Some(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Some(bytes.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Some(Uint8Array::new(buffer).to_vec())
    } else if value.is_object() && !Array::is_array(value) && !value.is_function() {
        JSON::stringify(value)
            .ok()
            .and_then(|json| json.as_string())
            .map(String::into_bytes)
    } else {
        None
    }
}

/// An envelope in either form (see [`verify`]); oversized ones are refused before they are
/// copied into the module's memory.
fn read_envelope(value: &JsValue) -> Result<Envelope, JsValue> {
    let length = if let Some(text) = value.dyn_ref::<JsString>() {
        text.length() as usize
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        bytes.length() as usize
    } else {
        0
    };
    if length > MAX_ENCODED_BYTES {
        return Err(error(
            ErrorCode::BadEnvelope,
            format!("the envelope has {length} bytes, more than {MAX_ENCODED_BYTES}"),
        ));
    }
    let bytes = json_bytes(value).ok_or_else(|| {
        error(
            ErrorCode::BadEnvelope,
            "an envelope is JSON text, its parsed object, or the binary form (Uint8Array)",
        )
    })?;
    Envelope::decode(&bytes).map_err(|e| error(ErrorCode::BadEnvelope, e))
}
