//! Typed errors. Every bad input ends in one of these, never in a panic.

use std::fmt;

use thiserror::Error;

/// A zkinfer model file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    #[error("not a zkinfer model: {0}")]
    Json(String),
    #[error("zkinfer model format version {0} is not supported (this build reads version 1)")]
    UnsupportedVersion(u32),
    #[error("invalid zkinfer model: {0}")]
    Invalid(String),
    #[error("zkinfer model too large: {0}")]
    TooLarge(crate::proving::TraceTooLarge),
    #[error("the model file has {0} bytes, more than zkinfer reads ({max})", max = crate::limits::MAX_MODEL_FILE_BYTES)]
    FileTooLarge(usize),
}

/// An input vector that the model cannot take.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    #[error("the model takes {expected} features, the input has {found}")]
    FeatureCount { expected: usize, found: usize },
    #[error("feature {feature:?} is {value}; inputs must be finite numbers")]
    NotFinite { feature: String, value: f64 },
    #[error(
        "feature {0:?} is missing (NaN), and this model defines no missing values: only tree \
         ensembles imported from XGBoost, LightGBM or CatBoost (model format version 2) take \
         them"
    )]
    Missing(String),
    #[error(
        "feature {feature:?} = {value} is not one of the {known} categories the model knows, \
         and its library raises on any other (handle_unknown=\"error\")"
    )]
    UnknownCategory {
        feature: String,
        value: f64,
        known: usize,
    },
    #[error(
        "feature {feature:?} is none of the categories the model knows ({known}), and its \
         library raises on any other (handle_unknown=\"error\")"
    )]
    UnknownName { feature: String, known: String },
    #[error("feature {feature:?} takes the name of a category (a string), not {value}")]
    NotAName { feature: String, value: String },
    #[error("feature {feature:?} = {value} is outside the model's input range [{min}, {max}]")]
    OutOfRange {
        feature: String,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("quantized feature {feature:?} = {value} is outside [0, 65535]")]
    QuantizedOutOfRange { feature: String, value: i64 },
    #[error("the input has no value for feature {0:?}")]
    MissingFeature(String),
    #[error("feature {feature:?}: {value:?} is not a number")]
    NotANumber { feature: String, value: String },
    #[error("cannot read the input: {0}")]
    Malformed(String),
}

/// The model file formats zkinfer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Onnx,
    XgboostJson,
    LightgbmText,
    CatboostJson,
    Zkinfer,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Onnx => "ONNX",
            Format::XgboostJson => "XGBoost JSON",
            Format::LightgbmText => "LightGBM text",
            Format::CatboostJson => "CatBoost JSON",
            Format::Zkinfer => "zkinfer",
        })
    }
}

/// Why a format-specific reader gave up. The importer adds the file and format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormatError {
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl FormatError {
    pub fn malformed(reason: impl Into<String>) -> Self {
        FormatError::Malformed(reason.into())
    }

    pub fn unsupported(construct: impl Into<String>) -> Self {
        FormatError::Unsupported(construct.into())
    }
}

/// Turning a float model into a fixed-point one failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum QuantizeError {
    #[error(
        "linear models need the range of every feature: pass calibration data \
         (a CSV of typical inputs with a header of feature names)"
    )]
    NeedsCalibration,
    #[error("feature {feature:?}: {reason}")]
    Feature { feature: String, reason: String },
    #[error("calibration data: {0}")]
    Calibration(String),
    #[error("parameter out of range: {0}")]
    Parameter(String),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// A model file that could not be imported, naming the file and what went wrong.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {reason}")]
    Io { file: String, reason: String },
    #[error("{file}: {bytes} bytes, more than zkinfer reads ({max})", max = crate::limits::MAX_MODEL_FILE_BYTES)]
    TooLarge { file: String, bytes: usize },
    #[error(
        "{file}: not a model format zkinfer reads (ONNX, XGBoost JSON, LightGBM text, \
         CatBoost JSON, zkinfer JSON)"
    )]
    UnknownFormat { file: String },
    #[error(
        "{file}: an XGBoost model in its binary form (UBJSON, what XGBoost 2.1 and later's \
         save_model writes to a name not ending in .json), which zkinfer does not read: save \
         it again with save_model(\"model.json\") and import that"
    )]
    XgboostBinary { file: String },
    #[error(
        "{file}: a CatBoost model in its binary form (.cbm, what save_model writes by default), \
         which zkinfer does not read: save it again with save_model(\"model.json\", \
         format=\"json\") and import that"
    )]
    CatboostBinary { file: String },
    /// What the import was told does not fit the model (labels or names of another count).
    #[error("{file}: {reason}")]
    Options { file: String, reason: String },
    #[error("{file}: malformed {format} model: {reason}")]
    Malformed {
        file: String,
        format: Format,
        reason: String,
    },
    #[error("{file}: unsupported {format} construct: {construct}")]
    Unsupported {
        file: String,
        format: Format,
        construct: String,
    },
    #[error("{file}: {source}")]
    Quantize {
        file: String,
        #[source]
        source: QuantizeError,
    },
    #[error("{file}: {source}")]
    Model {
        file: String,
        #[source]
        source: ModelError,
    },
}

impl ImportError {
    pub(crate) fn from_format(file: &str, format: Format, error: FormatError) -> Self {
        let file = file.to_string();
        match error {
            FormatError::Malformed(reason) => ImportError::Malformed {
                file,
                format,
                reason,
            },
            FormatError::Unsupported(construct) => ImportError::Unsupported {
                file,
                format,
                construct,
            },
        }
    }
}
