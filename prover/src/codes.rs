//! The stable error codes of the bindings (the npm package, the Python package): one per kind
//! of failure a caller handles differently, the same in every language. Which code an error
//! carries is decided here, once.

use crate::api::{ProveError, VerifyError};
use crate::envelope::EnvelopeError;
use crate::error::{ImportError, InputError, ModelError, QuantizeError};
use crate::proving::ProveError as ProvingError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// Not a valid zkinfer model (or a model file that cannot be imported).
    BadModel,
    /// An input, an option, a context or an opening that cannot be used.
    BadInput,
    /// Valid, but not something this model can prove (a disclosure that does not fit it).
    Unsupported,
    /// Not a readable proof envelope.
    BadEnvelope,
    /// A readable envelope that does not prove its statement for this model and context.
    InvalidProof,
    /// A failure that is nobody's input: no randomness, a prover bug.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 6] = [
        ErrorCode::BadModel,
        ErrorCode::BadInput,
        ErrorCode::Unsupported,
        ErrorCode::BadEnvelope,
        ErrorCode::InvalidProof,
        ErrorCode::Internal,
    ];

    /// The code as the bindings spell it: `BAD_MODEL`, `BAD_INPUT`, ….
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::BadModel => "BAD_MODEL",
            ErrorCode::BadInput => "BAD_INPUT",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::BadEnvelope => "BAD_ENVELOPE",
            ErrorCode::InvalidProof => "INVALID_PROOF",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// An error that carries one of the stable codes.
pub trait Coded {
    fn code(&self) -> ErrorCode;
}

impl Coded for ModelError {
    fn code(&self) -> ErrorCode {
        ErrorCode::BadModel
    }
}

impl Coded for ImportError {
    fn code(&self) -> ErrorCode {
        match self {
            // The caller's options (labels, names, iterations) or calibration data.
            ImportError::Options { .. }
            | ImportError::Quantize {
                source: QuantizeError::Calibration(_),
                ..
            } => ErrorCode::BadInput,
            _ => ErrorCode::BadModel,
        }
    }
}

impl Coded for InputError {
    fn code(&self) -> ErrorCode {
        ErrorCode::BadInput
    }
}

impl Coded for EnvelopeError {
    fn code(&self) -> ErrorCode {
        ErrorCode::BadEnvelope
    }
}

impl Coded for ProveError {
    fn code(&self) -> ErrorCode {
        match self {
            ProveError::ContextTooLong(_) | ProveError::FeatureCount { .. } => ErrorCode::BadInput,
            ProveError::Proving(proving) => proving.code(),
        }
    }
}

impl Coded for ProvingError {
    fn code(&self) -> ErrorCode {
        match self {
            ProvingError::Threshold(_) | ProvingError::Missing => ErrorCode::BadInput,
            ProvingError::Unsupported | ProvingError::Disclosure(..) => ErrorCode::Unsupported,
            ProvingError::TooLarge(_) => ErrorCode::BadModel,
            ProvingError::Randomness(_) | ProvingError::Prover(_) => ErrorCode::Internal,
        }
    }
}

impl Coded for VerifyError {
    fn code(&self) -> ErrorCode {
        match self {
            VerifyError::Version(_) | VerifyError::Commitment(_) => ErrorCode::BadEnvelope,
            VerifyError::ModelMismatch { .. }
            | VerifyError::ContextMismatch
            | VerifyError::Proof(_) => ErrorCode::InvalidProof,
        }
    }
}
