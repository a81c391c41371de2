//! The API most callers need: prove an inference into an [`Envelope`] and verify one.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let model: zkinfer::Model = todo!();
//! # let raw: Vec<f64> = todo!();
//! use zkinfer::{prove, verify, Disclosure, ProveOptions};
//!
//! let input = model.quantize_input(&raw)?;
//! let options = ProveOptions::new(Disclosure::Class).with_context(b"nonce 7f3a".to_vec());
//! let (envelope, opening) = prove(&model, &input, &options)?; // keep `opening` secret
//! let verified = verify(&model, &envelope, b"nonce 7f3a")?;
//! # Ok(()) }
//! ```

use crate::commitment::{commit, CommitmentError, InputCommitment, Opening, Salt};
use crate::envelope::{Envelope, MAX_CONTEXT_BYTES, VERSION};
use crate::input::QuantizedInput;
use crate::model::{Model, ModelId, Task};
use crate::proving;

pub use crate::profile::Profile;
pub use crate::proving::{Disclosure, Output};
pub use zkinfer_air::prover::{no_progress, Phase, Progress};

/// What to prove and under which terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProveOptions {
    /// What the verifier learns about the prediction.
    pub disclosure: Disclosure,
    /// Bytes the verifier must supply identically (a nonce, an origin); empty by default.
    pub context: Vec<u8>,
    pub profile: Profile,
}

impl ProveOptions {
    /// `disclosure` under an empty context and the default profile.
    pub fn new(disclosure: Disclosure) -> ProveOptions {
        ProveOptions {
            disclosure,
            context: Vec::new(),
            profile: Profile::Default,
        }
    }

    pub fn with_context(mut self, context: impl Into<Vec<u8>>) -> ProveOptions {
        self.context = context.into();
        self
    }

    pub fn with_profile(mut self, profile: Profile) -> ProveOptions {
        self.profile = profile;
        self
    }
}

/// What is disclosed when the caller does not say: the class for classifiers, the scores for
/// regression.
pub fn default_disclosure(model: &Model) -> Disclosure {
    match model.output.task {
        Task::Binary | Task::Multiclass => Disclosure::Class,
        Task::Regression => Disclosure::Scores,
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProveError {
    #[error("the context has {0} bytes, more than {MAX_CONTEXT_BYTES}")]
    ContextTooLong(usize),
    #[error("the model takes {expected} features, the input has {found}")]
    FeatureCount { expected: usize, found: usize },
    #[error(transparent)]
    Proving(#[from] proving::ProveError),
}

/// Why an envelope was refused, in the order the checks run.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("envelope version {0} is not supported (this build reads version {VERSION})")]
    Version(u16),
    #[error("the proof is for model {found}, not for this model ({expected})")]
    ModelMismatch { expected: ModelId, found: ModelId },
    #[error("the proof was made for another context")]
    ContextMismatch,
    #[error("input commitment: {0}")]
    Commitment(CommitmentError),
    #[error(transparent)]
    Proof(#[from] proving::VerifyError),
}

/// What a valid envelope establishes: the model, run on the input behind the commitment,
/// produces the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub model_id: ModelId,
    pub input_commitment: InputCommitment,
    pub output: Output,
    pub profile: Profile,
}

/// Proves `model` on `input`: commits to the input under a fresh salt and proves the
/// disclosed output. Returns the envelope to publish and the opening to keep secret.
pub fn prove(
    model: &Model,
    input: &QuantizedInput,
    options: &ProveOptions,
) -> Result<(Envelope, Opening), ProveError> {
    prove_with_progress(model, input, options, &no_progress)
}

/// [`prove`], reporting each [`Phase`] of the proof to `progress` as it starts (for a progress
/// bar: [`Phase::fraction`] is the share of the work done before it).
pub fn prove_with_progress(
    model: &Model,
    input: &QuantizedInput,
    options: &ProveOptions,
    progress: Progress,
) -> Result<(Envelope, Opening), ProveError> {
    if options.context.len() > MAX_CONTEXT_BYTES {
        return Err(ProveError::ContextTooLong(options.context.len()));
    }
    if input.values().len() != model.num_features() {
        return Err(ProveError::FeatureCount {
            expected: model.num_features(),
            found: input.values().len(),
        });
    }
    let salt = Salt::from_os().map_err(|e| proving::ProveError::Randomness(e.to_string()))?;
    let input_commitment = commit(&model.body_inputs(input), &salt);
    // The single call into the prover, which binds the commitment in the AIR.
    let (proof, output) = proving::prove(
        model,
        input,
        options.disclosure,
        &salt.0,
        &options.context,
        options.profile,
        progress,
    )?;
    let envelope = Envelope {
        version: VERSION,
        profile: options.profile,
        model_id: model.id(),
        input_commitment,
        output,
        context: options.context.clone(),
        proof,
    };
    Ok((envelope, Opening { salt }))
}

/// Checks that `envelope` proves an inference of `model` made for `expected_context`: its
/// version, then its model id, its context, its commitment's encoding, and last the proof
/// (under the envelope's profile).
pub fn verify(
    model: &Model,
    envelope: &Envelope,
    expected_context: &[u8],
) -> Result<Verified, VerifyError> {
    verify_known(model, model.id(), envelope, expected_context)
}

/// [`verify`] for a caller that keeps `model`'s id (`model.id()`) rather than hashing the
/// model again on every call, as a verifier service does.
pub fn verify_known(
    model: &Model,
    expected: ModelId,
    envelope: &Envelope,
    expected_context: &[u8],
) -> Result<Verified, VerifyError> {
    debug_assert_eq!(expected, model.id());
    if envelope.version != VERSION {
        return Err(VerifyError::Version(envelope.version));
    }
    if envelope.model_id != expected {
        return Err(VerifyError::ModelMismatch {
            expected,
            found: envelope.model_id,
        });
    }
    if envelope.context != expected_context {
        return Err(VerifyError::ContextMismatch);
    }
    let commitment = envelope
        .input_commitment
        .as_elements()
        .map_err(VerifyError::Commitment)?;
    // The single call into the verifier, which checks the commitment the AIR computed.
    proving::verify(
        model,
        expected,
        &envelope.output,
        &commitment,
        &envelope.context,
        &envelope.proof,
        envelope.profile,
    )?;
    Ok(Verified {
        model_id: envelope.model_id,
        input_commitment: envelope.input_commitment,
        output: envelope.output.clone(),
        profile: envelope.profile,
    })
}
