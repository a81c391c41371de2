//! The service's errors: an HTTP status and a stable code, sent as
//! `{"error": {"code": "NONCE_USED", "message": "…"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::nonces::NonceError;

/// Every code the service sends, with its status. `docs/openapi.json` lists the same codes (a
/// test checks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The body is not the JSON the endpoint expects.
    BadJson,
    /// The body is not a readable proof envelope.
    BadEnvelope,
    /// A content type the endpoint does not take.
    UnsupportedMediaType,
    /// The body exceeds the size limit.
    PayloadTooLarge,
    /// No registered model has this id.
    UnknownModel,
    /// The proof's context is not an issued nonce.
    NonceUnknown,
    NonceExpired,
    NonceUsed,
    /// The nonce was issued for another model.
    NonceModelMismatch,
    /// The envelope does not prove its statement.
    InvalidProof,
    /// Too many open challenges, or too many verifications waiting.
    Busy,
    NotFound,
    MethodNotAllowed,
    Internal,
}

impl Code {
    pub const ALL: [Code; 14] = [
        Code::BadJson,
        Code::BadEnvelope,
        Code::UnsupportedMediaType,
        Code::PayloadTooLarge,
        Code::UnknownModel,
        Code::NonceUnknown,
        Code::NonceExpired,
        Code::NonceUsed,
        Code::NonceModelMismatch,
        Code::InvalidProof,
        Code::Busy,
        Code::NotFound,
        Code::MethodNotAllowed,
        Code::Internal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Code::BadJson => "BAD_JSON",
            Code::BadEnvelope => "BAD_ENVELOPE",
            Code::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::UnknownModel => "UNKNOWN_MODEL",
            Code::NonceUnknown => "NONCE_UNKNOWN",
            Code::NonceExpired => "NONCE_EXPIRED",
            Code::NonceUsed => "NONCE_USED",
            Code::NonceModelMismatch => "NONCE_MODEL_MISMATCH",
            Code::InvalidProof => "INVALID_PROOF",
            Code::Busy => "BUSY",
            Code::NotFound => "NOT_FOUND",
            Code::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Code::Internal => "INTERNAL",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Code::BadJson | Code::BadEnvelope => StatusCode::BAD_REQUEST,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnknownModel | Code::NotFound => StatusCode::NOT_FOUND,
            Code::NonceUnknown | Code::NonceModelMismatch => StatusCode::BAD_REQUEST,
            Code::NonceExpired => StatusCode::GONE,
            Code::NonceUsed => StatusCode::CONFLICT,
            Code::InvalidProof => StatusCode::UNPROCESSABLE_ENTITY,
            Code::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A refused request.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl From<NonceError> for ApiError {
    fn from(error: NonceError) -> ApiError {
        let code = match error {
            NonceError::Unknown => Code::NonceUnknown,
            NonceError::Expired => Code::NonceExpired,
            NonceError::Used => Code::NonceUsed,
            NonceError::OtherModel => Code::NonceModelMismatch,
            NonceError::Full => Code::Busy,
            NonceError::Randomness => Code::Internal,
        };
        ApiError::new(code, error.to_string())
    }
}

/// The code travels with the response, for the request log.
#[derive(Clone, Copy, Debug)]
pub struct LoggedCode(pub &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code.name(), "message": self.message}});
        let mut response = (self.code.status(), Json(body)).into_response();
        response
            .extensions_mut()
            .insert(LoggedCode(self.code.name()));
        response
    }
}
