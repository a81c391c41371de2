//! Every size limit zkinfer enforces, in one place. Inputs beyond a limit are refused before
//! the work they would cost: a file before it is parsed, a model before it is proved or used to
//! verify, an envelope before its proof is parsed. `README.md` ("Limits") lists them with the
//! error each gives.
//!
//! The trace limit is what bounds proving and verification: a tree model's trace has one row
//! per step of each tree's path and a table of its splits four to a row (the path layout), or,
//! for ensembles with categorical splits or leaves holding one value per score, one row per
//! split and one column per stack level and score (the walk layout); a network's has two rows
//! per hidden neuron and one per input a layer's later passes read again, and two banks of at
//! most 64 accumulator columns besides one per score; plus the input, commitment and
//! zero-knowledge columns. Near the limit (the growth table's 1,600-tree
//! booster, 2^15 rows × 53 base columns), a proof takes 4.3 s and 503 MB to make natively and
//! 0.14 s to verify, on one core of the 2-core reference machine; the limit is set so that
//! every model that loads also proves within the WebAssembly module's 1 GiB.

/// Largest model file any importer or loader reads (ONNX, XGBoost JSON, LightGBM text, CatBoost
/// JSON, zkinfer JSON). Real files of provable models are far smaller: the flagship is 107 KB.
pub const MAX_MODEL_FILE_BYTES: usize = 64 << 20;

/// Features a model takes.
pub const MAX_FEATURES: usize = 4096;
/// Scores (classes) a model outputs.
pub const MAX_SCORES: usize = 256;
/// Trees in an ensemble.
pub const MAX_TREES: usize = 10_000;
/// Nodes (splits and leaves) in an ensemble, and in any one tree.
pub const MAX_NODES: usize = 1 << 20;
/// Depth of the deepest leaf of a tree.
pub const MAX_DEPTH: usize = 64;
/// Hidden layers of a network.
pub const MAX_HIDDEN_LAYERS: usize = 16;
/// Neurons in one layer of a network, and inputs of its first layer.
pub const MAX_LAYER_WIDTH: usize = 4096;
/// Weights and biases of a network's layers together, checked by the ONNX importer before it
/// decodes any (the trace limit bounds the networks that load far more tightly).
pub const MAX_NETWORK_PARAMETERS: usize = 1 << 20;
/// Bytes of a feature name or class label.
pub const MAX_NAME_BYTES: usize = 256;
/// Bytes of category names (string features' `labels`) in one model, all features together:
/// a model that names 4096 features' categories in full would not fit in a model file.
pub const MAX_LABEL_BYTES: usize = 1 << 20;
/// Feature indices a library file may name (sparse XGBoost and LightGBM files name features
/// by index); only those a model uses count against [`MAX_FEATURES`].
pub const MAX_SOURCE_FEATURES: usize = 1 << 16;

/// Cells (rows × columns) of the largest execution trace zkinfer proves or verifies against,
/// under either profile. A model needing more is refused when it is loaded or imported.
pub const MAX_TRACE_CELLS: usize = 1 << 21;
/// Columns of an execution trace: Winterfell's limit. Its prover takes 255 columns, but its
/// proof decoder refuses a width of 255 (`>=` where the prover checks `<=`), so a 255-column
/// proof could never be verified: 254. Every class, and every level of the deepest tree (in the
/// walk layout), is a column (plus about 30 for the commitment, the range checks and the
/// comparisons, 6 or 8 for the masks, and a network's two banks of accumulators, whose width
/// a network chooses to fit, whatever its layers' widths), so a model with more than about 210
/// classes is refused when it is loaded or imported.
pub const MAX_TRACE_COLUMNS: usize = winterfell::TraceInfo::MAX_TRACE_WIDTH - 1;

/// Bytes of a serialized proof (the largest real ones are well under 200 KB).
pub const MAX_PROOF_BYTES: usize = 1 << 20;
/// Bytes of the caller's context an envelope carries.
pub const MAX_CONTEXT_BYTES: usize = 4096;
/// Disclosed scores an envelope carries.
pub const MAX_ENVELOPE_SCORES: usize = 1024;
/// Bytes of an envelope worth reading, in either form: the binary form is at most about 1 MiB
/// + 12 KiB, its JSON form about 4/3 of that.
pub const MAX_ENCODED_BYTES: usize = 2 * MAX_PROOF_BYTES;
