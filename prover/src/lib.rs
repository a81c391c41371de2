//! zkinfer: prove the inference of a public model on private data.
//!
//! This crate holds the model format and its importers, the fixed-point semantics, the
//! reference integer inference that proofs attest, and the `zkinfer` command-line tool.
//!
//! ```text
//! model file ──import──▶ SourceModel (floats) ──quantize──▶ Model (integers, model id)
//! raw input ──Model::quantize_input──▶ QuantizedInput ──inference::infer──▶ Prediction
//! ```
//!
//! The modules, by concept:
//! - the model: [`model`] (the format), [`import`] and [`source`] (the libraries' files, in
//!   floats), [`calibration`] and [`quantize`] (to integers), [`input`] (raw inputs, their
//!   grids), [`inference`] (the reference inference), [`check`] (agreement with a library);
//! - the proof: [`api`] (prove and verify), [`proving`] (statements and outputs),
//!   [`commitment`], [`envelope`], [`zk`], [`profile`], [`threshold`] (cut-offs),
//!   [`proof_layout`], [`limits`];
//! - what the bindings and the CLI share: [`disclose`] (a disclosure as a caller asks for it),
//!   [`output_view`] (an output in real units), [`codes`] (the stable error codes);
//! - [`service`] (`zkinfer serve`), [`examples`] and [`synthetic`] (models for tests and
//!   benchmarks).

pub mod api;
pub mod calibration;
pub mod check;
pub mod codes;
pub mod commitment;
pub mod disclose;
pub mod envelope;
pub mod error;
pub mod examples;
pub mod fixed_point;
pub mod import;
pub mod inference;
pub mod input;
pub mod limits;
pub mod model;
pub mod output_view;
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
