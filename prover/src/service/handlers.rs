//! The endpoints: health, models, challenge, verify.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, Code};
use super::App;
use crate::api::{verify_known, VerifyError};
use crate::envelope::{output_json, Envelope};
use crate::model::ModelId;
use crate::proving::Output;

pub async fn health(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "models": app.registry.len(),
        "open_challenges": app.nonces.len(),
    }))
}

pub async fn models(State(app): State<Arc<App>>) -> Json<Value> {
    let models: Vec<_> = app.registry.iter().map(|m| m.info()).collect();
    Json(json!({ "models": models }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeRequest {
    model_id: String,
}

/// `POST /v1/challenge {"model_id": …}`: a fresh nonce, which the client proves under as its
/// context (the nonce's text, UTF-8).
pub async fn challenge(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = read_body(body)?;
    if !is_json(&headers, true) {
        return Err(ApiError::new(
            Code::UnsupportedMediaType,
            "send the challenge request as application/json",
        ));
    }
    let request: ChallengeRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            Code::BadJson,
            format!("expected {{\"model_id\": \"<64 hex digits>\"}}: {e}"),
        )
    })?;
    let model = lookup(&app, &request.model_id)?;
    let nonce = app.nonces.issue(model.id)?;
    tracing::info!(target: "zkinfer::service", event = "challenge", model = %model.id);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "nonce": nonce,
            "model_id": model.id.to_string(),
            "expires_in_ms": app.nonces.lifetime().as_millis() as u64,
        })),
    ))
}

/// `POST /v1/verify` with an envelope (JSON or binary) whose context is a nonce from
/// `/v1/challenge`: the verified statement, or why not.
pub async fn verify(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = read_body(body)?;
    let envelope = decode(&headers, &body)?;
    let model = app
        .registry
        .get(&envelope.model_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                Code::UnknownModel,
                format!("no model {} is registered here", envelope.model_id),
            )
        })?;
    let nonce = std::str::from_utf8(&envelope.context)
        .map_err(|_| ApiError::new(Code::NonceUnknown, "the proof's context is not a nonce"))?
        .to_owned();
    app.nonces.redeem(&nonce, &model.id)?;

    // Verification is CPU work: off the async workers, at most one per core at a time.
    let permit = app
        .verifiers
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::new(Code::Busy, "the service is shutting down"))?;
    let checked = {
        let model = model.clone();
        let context = nonce.clone().into_bytes();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let result = verify_known(&model.model, model.id, &envelope, &context);
            result.map(|verified| (verified, envelope.profile))
        })
        .await
        .map_err(|e| ApiError::new(Code::Internal, format!("verification stopped: {e}")))?
    };
    match checked {
        Ok((verified, profile)) => {
            tracing::info!(target: "zkinfer::service", event = "verified", model = %model.id,
                commitment = %verified.input_commitment);
            Ok(Json(json!({
                "verified": true,
                "model_id": model.id.to_string(),
                "model_name": model.name,
                "input_commitment": verified.input_commitment.to_string(),
                "output": output_json(&verified.output),
                "meaning": meaning(&model.model, &verified.output),
                "profile": profile.name(),
                "nonce": nonce,
            })))
        }
        Err(error) => {
            tracing::info!(target: "zkinfer::service", event = "refused", model = %model.id,
                reason = %error);
            Err(match error {
                VerifyError::Version(_) => ApiError::new(Code::BadEnvelope, error.to_string()),
                _ => ApiError::new(Code::InvalidProof, error.to_string()),
            })
        }
    }
}

/// The output in words, with real numbers: `"class 1 (good)"`, `"score ≥ 0.5: true"`.
fn meaning(model: &crate::model::Model, output: &Output) -> String {
    let real = |fixed: i64| fixed as f64 * model.output.score_unit();
    match output {
        Output::Class(class) => match model.output.classes.get(*class) {
            Some(label) => format!("class {class} ({label})"),
            None => format!("class {class}"),
        },
        Output::Scores(scores) => {
            let reals: Vec<String> = scores.iter().map(|&s| real(s).to_string()).collect();
            format!("scores [{}]", reals.join(", "))
        }
        Output::AtLeast { threshold, holds } => {
            format!("score ≥ {}: {holds}", real(*threshold))
        }
    }
}

fn lookup(app: &App, model_id: &str) -> Result<Arc<super::registry::Registered>, ApiError> {
    let id: ModelId = model_id
        .parse()
        .map_err(|e| ApiError::new(Code::BadJson, format!("model_id {model_id:?}: {e}")))?;
    app.registry.get(&id).cloned().ok_or_else(|| {
        ApiError::new(
            Code::UnknownModel,
            format!("no model {id} is registered here"),
        )
    })
}

fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(Code::PayloadTooLarge, rejection.body_text())
        } else {
            ApiError::new(Code::BadEnvelope, rejection.body_text())
        }
    })
}

/// An envelope in its JSON form (`application/json`) or binary form
/// (`application/octet-stream`); without a content type, the form is recognized by content.
fn decode(headers: &HeaderMap, body: &[u8]) -> Result<Envelope, ApiError> {
    let decoded = match content_type(headers).as_deref() {
        None => Envelope::decode(body),
        Some("application/octet-stream") => Envelope::from_bytes(body),
        Some(_) if is_json(headers, false) => std::str::from_utf8(body)
            .map_err(|_| crate::envelope::EnvelopeError::Json("not UTF-8 text".into()))
            .and_then(Envelope::from_json),
        Some(other) => {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                format!("{other} is not an envelope type: send application/json or application/octet-stream"),
            ))
        }
    };
    decoded.map_err(|e| ApiError::new(Code::BadEnvelope, e.to_string()))
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim();
    Some(essence.to_ascii_lowercase())
}

fn is_json(headers: &HeaderMap, missing_is_json: bool) -> bool {
    match content_type(headers) {
        None => missing_is_json,
        Some(essence) => essence == "application/json" || essence.ends_with("+json"),
    }
}
