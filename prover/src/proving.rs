//! Proving and verifying inference of linear models, tree ensembles and networks, bound to the input
//! commitment.
//!
//! The statement a proof attests is built from the model and the *disclosed* output only, so
//! the verifier rebuilds it from its own copy of the model; the prover's private input enters
//! only the trace. Proofs use the salted (hiding) Merkle commitment and one of the
//! [`Profile`]s, and verification accepts exactly that profile's options.

use winter_air::proof::Context;
use winter_utils::Serializable;
use winterfell::crypto::DefaultRandomCoin;
use winterfell::math::fields::f64::BaseElement;
use winterfell::{AcceptableOptions, Air, Proof, ProofOptions};
use zkinfer_air::disclosure::Comparison;
use zkinfer_air::inference::{build_trace, Body as AirBody, InferenceAir, Statement};
use zkinfer_air::input::{InputBlock, SALT_ELEMENTS};
use zkinfer_air::linear::LinearBody;
use zkinfer_air::mlp::MlpBody;
use zkinfer_air::prover::{AirProver, Hash, Phase, Progress};
use zkinfer_air::rescue::DIGEST_WIDTH;
use zkinfer_air::trees::{walk, TreeBody};
use zkinfer_air::zk::ZkParams;

use crate::fixed_point::SCORE_BITS;
use crate::inference::infer;
use crate::input::{Feature, QuantizedInput};
use crate::limits::{MAX_TRACE_CELLS, MAX_TRACE_COLUMNS};
use crate::model::{Body, Model, ModelId, Task, TreeEnsemble};
use crate::profile::Profile;
use crate::zk::randomness::FieldRng;
use crate::zk::salted_merkle::SaltedMerkleTree;

type Commitment = SaltedMerkleTree<Hash>;

/// What the verifier learns about the prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disclosure {
    /// The class (classifiers only).
    Class,
    /// The fixed-point scores.
    Scores,
    /// Only whether the single score is at least this fixed-point threshold.
    AtLeast(i64),
}

/// The disclosed output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Class(usize),
    Scores(Vec<i64>),
    AtLeast { threshold: i64, holds: bool },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProveError {
    #[error("this model family cannot be proved yet")]
    Unsupported,
    #[error("{0:?} disclosure does not fit a {1:?} model")]
    Disclosure(Disclosure, Task),
    #[error("the threshold {0} is outside the ±2^46 score range")]
    Threshold(i64),
    #[error("the input misses a value, and this model defines no missing values")]
    Missing,
    #[error("no randomness from the operating system: {0}")]
    Randomness(String),
    #[error("the prover failed: {0}")]
    Prover(String),
    #[error(transparent)]
    TooLarge(#[from] TraceTooLarge),
}

/// A model whose trace exceeds [`MAX_TRACE_CELLS`] or [`MAX_TRACE_COLUMNS`]: refused before any
/// trace is built.
#[derive(Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", self.describe())]
pub struct TraceTooLarge {
    pub rows: usize,
    pub columns: usize,
}

impl TraceTooLarge {
    /// Refuses a trace of `rows` × `columns` beyond [`MAX_TRACE_CELLS`] or
    /// [`MAX_TRACE_COLUMNS`].
    pub fn check(rows: usize, columns: usize) -> Result<(), TraceTooLarge> {
        match rows.checked_mul(columns) {
            Some(cells) if cells <= MAX_TRACE_CELLS && columns <= MAX_TRACE_COLUMNS => Ok(()),
            _ => Err(TraceTooLarge { rows, columns }),
        }
    }

    fn describe(&self) -> String {
        let TraceTooLarge { rows, columns } = *self;
        if columns > MAX_TRACE_COLUMNS {
            format!(
                "the model needs a trace of {rows} rows × {columns} columns, more than the \
                 {MAX_TRACE_COLUMNS} columns a trace can have; use fewer classes or shallower \
                 trees"
            )
        } else {
            format!(
                "the model needs a trace of {rows} rows × {columns} columns, more than the \
                 {MAX_TRACE_CELLS} cells zkinfer proves; use fewer or shallower trees, or fewer \
                 classes"
            )
        }
    }
}

/// Larger proofs are refused before parsing.
pub use crate::limits::MAX_PROOF_BYTES;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("the output does not fit the model")]
    Output,
    #[error("the proof has {0} bytes, more than {MAX_PROOF_BYTES}")]
    TooLarge(usize),
    #[error("the proof is not for this statement under the {0} profile (its header differs)")]
    Header(&'static str),
    #[error("the proof cannot be decoded: {0}")]
    Malformed(String),
    #[error("the proof is invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    ModelTooLarge(#[from] TraceTooLarge),
}

/// Proves `model` on `input` under the caller's `context` (bytes such as a server nonce or an
/// origin, which the verifier must supply identically). The proof binds the input commitment
/// `Rp64_256(header ‖ q ‖ salt)` computed in the AIR ([`input_commitment`]); `salt` is its
/// opening and must be fresh and uniformly random. Returns the serialized proof and the
/// disclosed output. `progress` receives each [`Phase`] as it starts, ending with
/// [`Phase::Done`].
pub fn prove(
    model: &Model,
    input: &QuantizedInput,
    disclosure: Disclosure,
    salt: &[BaseElement; SALT_ELEMENTS],
    context: &[u8],
    profile: Profile,
    progress: Progress,
) -> Result<(Vec<u8>, Output), ProveError> {
    if let Disclosure::AtLeast(threshold) = disclosure {
        if threshold.unsigned_abs() >= 1 << SCORE_BITS {
            return Err(ProveError::Threshold(threshold));
        }
    }
    // An input quantized for a model with missing values, given to one without.
    if !model.accepts_missing() && input.values().iter().any(Option::is_none) {
        return Err(ProveError::Missing);
    }
    let prediction = infer(model, input);
    let output = match (disclosure, model.output.task, prediction.class) {
        (Disclosure::Class, Task::Binary | Task::Multiclass, Some(class)) => Output::Class(class),
        (Disclosure::Scores, _, _) => Output::Scores(prediction.scores.clone()),
        (Disclosure::AtLeast(threshold), Task::Binary | Task::Regression, _) => Output::AtLeast {
            threshold,
            holds: prediction.scores[0] >= threshold,
        },
        _ => return Err(ProveError::Disclosure(disclosure, model.output.task)),
    };
    let commitment = input_commitment(model, input, salt);
    let statement = statement(model, model.id(), &output, &commitment, context)
        .ok_or(ProveError::Unsupported)?;
    let options = profile.options();
    statement.check_size(&options)?;
    let mut rng = FieldRng::from_os().map_err(|e| ProveError::Randomness(e.to_string()))?;
    let mut random = || rng.element();
    let q = &model.body_inputs(input);
    progress(Phase::Trace);
    let proof = match statement {
        AnyStatement::Linear(s) => prove_statement(s, q, salt, options, &mut random, progress),
        AnyStatement::Trees(s) => prove_statement(s, q, salt, options, &mut random, progress),
        AnyStatement::Mlp(s) => prove_statement(s, q, salt, options, &mut random, progress),
    }?;
    progress(Phase::Done);
    Ok((proof, output))
}

/// The commitment to `input` (an input of `model`) with `salt`, as the AIR computes it: of
/// the values the body reads ([`Model::body_inputs`]).
pub fn input_commitment(
    model: &Model,
    input: &QuantizedInput,
    salt: &[BaseElement; SALT_ELEMENTS],
) -> [BaseElement; DIGEST_WIDTH] {
    InputBlock::commitment(&model.body_inputs(input), salt)
}

fn prove_statement<B: AirBody + 'static>(
    statement: Statement<B>,
    q: &[Feature],
    salt: &[BaseElement; SALT_ELEMENTS],
    options: ProofOptions,
    random: &mut dyn FnMut() -> BaseElement,
    progress: Progress,
) -> Result<Vec<u8>, ProveError> {
    let trace = build_trace(&statement, q, salt, &options, random)
        .expect("the reference inference satisfies its own comparisons");
    let proof = AirProver::<InferenceAir<B>, Commitment>::new(options, statement)
        .with_progress(progress)
        .with_randomness(random)
        .prove(trace)
        .map_err(|e| ProveError::Prover(e.to_string()))?;
    Ok(proof.to_bytes())
}

/// Checks that `proof` shows `model` (whose id, `model.id()`, is `model_id`) produces `output`
/// on the input committed to by `commitment`, under `context` and `profile`.
///
/// Never panics on any bytes: the proof's header (trace shape, field, options) must equal the
/// one this statement and profile determine before Winterfell parses the rest, because
/// Winterfell's own decoder panics on some malformed options.
pub fn verify(
    model: &Model,
    model_id: ModelId,
    output: &Output,
    commitment: &[BaseElement; DIGEST_WIDTH],
    context: &[u8],
    proof: &[u8],
    profile: Profile,
) -> Result<(), VerifyError> {
    if proof.len() > MAX_PROOF_BYTES {
        return Err(VerifyError::TooLarge(proof.len()));
    }
    let statement =
        statement(model, model_id, output, commitment, context).ok_or(VerifyError::Output)?;
    statement.check_size(&profile.options())?;
    match statement {
        AnyStatement::Linear(s) => verify_statement(s, proof, profile),
        AnyStatement::Trees(s) => verify_statement(s, proof, profile),
        AnyStatement::Mlp(s) => verify_statement(s, proof, profile),
    }
}

fn verify_statement<B: AirBody + 'static>(
    statement: Statement<B>,
    proof: &[u8],
    profile: Profile,
) -> Result<(), VerifyError> {
    let options = profile.options();
    let trace_info = statement.trace_info(&options);
    // The header the honest prover writes: built from the AIR exactly as Winterfell does.
    let air = InferenceAir::new(trace_info.clone(), statement.clone(), options.clone());
    let constraints = air.context().num_assertions() + air.context().num_transition_constraints();
    let header = Context::new::<BaseElement>(trace_info, options.clone(), constraints).to_bytes();
    if !proof.starts_with(&header) {
        return Err(VerifyError::Header(profile.name()));
    }
    let segments = 1 + usize::from(statement.lookup().is_some());
    crate::proof_layout::check(proof, header.len(), segments, options.num_queries())
        .map_err(|e| VerifyError::Malformed(e.0))?;
    let proof = Proof::from_bytes(proof).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let acceptable = AcceptableOptions::OptionSet(vec![options]);
    winterfell::verify::<InferenceAir<B>, Hash, DefaultRandomCoin<Hash>, Commitment>(
        proof,
        statement,
        &acceptable,
    )
    .map_err(|e| VerifyError::Invalid(e.to_string()))
}

/// A statement of either AIR body.
enum AnyStatement {
    Linear(Statement<LinearBody>),
    Trees(Statement<TreeBody>),
    Mlp(Statement<MlpBody>),
}

impl AnyStatement {
    /// The trace's (rows, columns) under `options`, counting base-field columns: the auxiliary
    /// column (a tree model's lookup) as many times as the extension degree, as it costs.
    fn trace_shape(&self, options: &ProofOptions) -> (usize, usize) {
        // Arithmetic only: Winterfell's `TraceInfo` panics on a width it does not take, and
        // this is what refuses such models.
        fn shape<B: AirBody>(s: &Statement<B>, options: &ProofOptions) -> (usize, usize) {
            let zk = ZkParams::for_options(options);
            let extension = options.field_extension().degree() as usize;
            let aux = if s.lookup().is_some() {
                extension * zkinfer_air::lookup::AUX_WIDTH
            } else {
                0
            };
            (s.trace_length(options), s.trace_width(&zk) + aux)
        }
        match self {
            AnyStatement::Linear(s) => shape(s, options),
            AnyStatement::Trees(s) => shape(s, options),
            AnyStatement::Mlp(s) => shape(s, options),
        }
    }

    fn check_size(&self, options: &ProofOptions) -> Result<(), TraceTooLarge> {
        let (rows, columns) = self.trace_shape(options);
        TraceTooLarge::check(rows, columns)
    }
}

/// The largest trace (rows, columns) proving any output of `model` takes under any profile;
/// `None` when the AIR cannot take the model. Models beyond [`MAX_TRACE_CELLS`] are refused
/// when they are validated, so that no one imports a model only to find it cannot be proved.
pub fn largest_trace(model: &Model) -> Option<(usize, usize)> {
    let scores = model.num_scores();
    let mut outputs = vec![Output::Scores(vec![0; scores])];
    match model.output.task {
        Task::Binary | Task::Multiclass => outputs.push(Output::Class(0)),
        Task::Regression => {}
    }
    if scores == 1 {
        outputs.push(Output::AtLeast {
            threshold: 0,
            holds: true,
        });
    }
    let (model_id, commitment) = (model.id(), [BaseElement::new(0); DIGEST_WIDTH]);
    let mut largest = (0, 0);
    for output in &outputs {
        let statement = statement(model, model_id, output, &commitment, &[])?;
        for profile in Profile::ALL {
            let (rows, columns) = statement.trace_shape(&profile.options());
            if rows.saturating_mul(columns) > largest.0 * largest.1 {
                largest = (rows, columns);
            }
        }
    }
    Some(largest)
}

/// The AIR's public statement for a disclosed output: the model's numbers and the comparisons
/// the output rests on. `None` when the output does not fit the model.
fn statement(
    model: &Model,
    model_id: ModelId,
    output: &Output,
    commitment: &[BaseElement; DIGEST_WIDTH],
    context: &[u8],
) -> Option<AnyStatement> {
    let scores = model.num_scores();
    let unit = |c: usize, sign: i64| {
        let mut coefficients = vec![0; scores];
        coefficients[c] = sign;
        coefficients
    };
    let (disclosed, comparisons) = match output {
        Output::Scores(values) if values.len() == scores => (Some(values.clone()), Vec::new()),
        Output::Class(class) => match model.output.task {
            // Class 1: score − 1 ≥ 0; class 0: −score ≥ 0.
            Task::Binary if *class <= 1 => {
                let comparison = match class {
                    1 => Comparison {
                        coefficients: vec![1],
                        offset: -1,
                    },
                    _ => Comparison {
                        coefficients: vec![-1],
                        offset: 0,
                    },
                };
                (None, vec![comparison])
            }
            // The class beats every other score, and strictly those before it.
            Task::Multiclass if *class < scores => {
                let comparisons = (0..scores)
                    .filter(|&other| other != *class)
                    .map(|other| {
                        let mut coefficients = unit(*class, 1);
                        coefficients[other] = -1;
                        Comparison {
                            coefficients,
                            offset: -((other < *class) as i64),
                        }
                    })
                    .collect();
                (None, comparisons)
            }
            _ => return None,
        },
        Output::AtLeast { threshold, holds }
            if scores == 1 && threshold.unsigned_abs() < 1 << SCORE_BITS =>
        {
            // score − T ≥ 0, or T − score − 1 ≥ 0.
            let comparison = if *holds {
                Comparison {
                    coefficients: vec![1],
                    offset: -threshold,
                }
            } else {
                Comparison {
                    coefficients: vec![-1],
                    offset: threshold - 1,
                }
            };
            (None, vec![comparison])
        }
        _ => return None,
    };
    // The output's kind is bound with the context: on a binary model, "class 1" and "score ≥ 1
    // (fixed point)" rest on the same comparison, and without it one envelope's output could be
    // rewritten as the other and still verify.
    let kind: u8 = match output {
        Output::Class(_) => 0,
        Output::Scores(_) => 1,
        Output::AtLeast { .. } => 2,
    };
    let context = digest_elements(
        blake3::Hasher::new_derive_key("zkinfer 2026 proof context v2")
            .update(&[kind])
            .update(context)
            .finalize()
            .as_bytes(),
    );
    let model_id = digest_elements(&model_id.0);
    let commitment = *commitment;
    Some(match &model.body {
        Body::Linear(linear) => AnyStatement::Linear(Statement {
            context,
            model_id,
            commitment,
            scores: disclosed,
            comparisons,
            body: LinearBody {
                weights: linear.weights.clone(),
                bias: linear.bias.clone(),
                one_hot: model.one_hot_groups(),
            },
        }),
        Body::Trees(ensemble) => AnyStatement::Trees(Statement {
            context,
            model_id,
            commitment,
            scores: disclosed,
            comparisons,
            body: tree_body(model, ensemble)?,
        }),
        Body::Mlp(mlp) => AnyStatement::Mlp(Statement {
            context,
            model_id,
            commitment,
            scores: disclosed,
            comparisons,
            body: MlpBody::new(mlp.network(model.body_width(), model.one_hot_groups())).ok()?,
        }),
    })
}

/// The walk of a validated model's trees; `None` only for a model the AIR cannot walk.
fn tree_body(model: &Model, ensemble: &TreeEnsemble) -> Option<TreeBody> {
    let trees = (ensemble.trees.iter())
        .map(|tree| walk::Tree {
            target: tree.target,
            feature: tree.feature.clone(),
            threshold: tree.threshold.clone(),
            left: tree.left.clone(),
            right: tree.right.clone(),
            leaf_value: tree.leaf_value.clone(),
            default_left: tree.default_left.clone().unwrap_or_default(),
            categories: tree.categories.clone().unwrap_or_default(),
        })
        .collect();
    // The AIR's codes per feature: the categories and the "other" code.
    let category_codes = (model.input.categorical.iter().flatten())
        .map(|c| c.as_ref().map_or(0, |c| c.count + 1))
        .collect();
    TreeBody::new(walk::Ensemble {
        missing: model.accepts_missing(),
        category_codes,
        num_features: model.num_features(),
        num_scores: model.num_scores(),
        base: ensemble.base.clone(),
        trees,
    })
    .ok()
}

/// A 32-byte digest (of the context, or the model id) as four field elements of 62 bits each.
fn digest_elements(bytes: &[u8; 32]) -> [BaseElement; 4] {
    std::array::from_fn(|i| {
        let word = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        BaseElement::new(word >> 2)
    })
}
