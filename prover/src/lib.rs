//! zkinfer: prove the inference of a public model on private data.
//!
//! This crate holds the model format and its importers, the fixed-point semantics, the
//! reference integer inference that proofs attest, and the `zkinfer` command-line tool.
//!
//! ```text
//! model file ──import──▶ SourceModel (floats) ──quantize──▶ Model (integers, model id)
//! raw input ──Model::quantize_input──▶ QuantizedInput ──inference::infer──▶ Prediction
//! ```

pub mod api;
pub mod calibration;
pub mod check;
pub mod commitment;
pub mod envelope;
pub mod error;
pub mod examples;
pub mod fixed_point;
pub mod import;
pub mod inference;
pub mod input;
pub mod limits;
pub mod model;
pub mod profile;
pub mod proof_layout;
pub mod proving;
pub mod quantize;
#[cfg(feature = "serve")]
pub mod service;
pub mod source;
pub mod synthetic;
mod table;
pub mod threshold;
pub mod zk;

pub use api::{
    default_disclosure, no_progress, prove, prove_with_progress, verify, Disclosure, Output, Phase,
    Profile, Progress, ProveError, ProveOptions, Verified, VerifyError,
};
pub use calibration::Calibration;
pub use commitment::{InputCommitment, Opening};
pub use envelope::Envelope;
pub use error::{Format, FormatError, ImportError, InputError, ModelError, QuantizeError};
pub use inference::{infer, Prediction};
pub use input::{read_inputs, Feature, QuantizedInput, RawInput, RawValue};
pub use model::{MissingRule, Model, ModelId};
pub use source::SourceModel;
