//! Importers, chosen by file content: ONNX-ML, XGBoost JSON, LightGBM text, zkinfer JSON.

pub mod lightgbm;
pub mod onnx;
#[cfg(test)]
mod test_support;
pub mod xgboost;

use crate::calibration::Calibration;
use crate::error::{Format, FormatError, ImportError};
use crate::limits::MAX_MODEL_FILE_BYTES;
use crate::model::{CategoryRead, Model, FORMAT_NAME};
use crate::quantize::quantize;
use crate::source::{SourceModel, SourceNode, SourceTree};

/// Recognizes a model file by its content (the file name is only used in messages).
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    let text = std::str::from_utf8(bytes).ok();
    let start = text.map(str::trim_start);
    if let Some(start) = start {
        if start.starts_with('{') {
            if start.contains(&format!("\"format\":\"{FORMAT_NAME}\""))
                || start.contains(&format!("\"format\": \"{FORMAT_NAME}\""))
            {
                return Some(Format::Zkinfer);
            }
            if start.contains("\"learner\"") {
                return Some(Format::XgboostJson);
            }
            return None;
        }
        if lightgbm::looks_like(start) {
            return Some(Format::LightgbmText);
        }
    }
    onnx::looks_like(bytes).then_some(Format::Onnx)
}

/// Reads a model file in a library format into its float form.
pub fn read_source(bytes: &[u8], file: &str) -> Result<(Format, SourceModel), ImportError> {
    check_file_size(bytes, file)?;
    let format = detect_format(bytes).ok_or_else(|| ImportError::UnknownFormat {
        file: file.to_string(),
    })?;
    let wrap = |e: FormatError| ImportError::from_format(file, format, e);
    let source = match format {
        Format::Onnx => onnx::read(bytes),
        Format::XgboostJson => serde_json::from_slice(bytes)
            .map_err(|e| FormatError::malformed(format!("invalid JSON: {e}")))
            .and_then(|json| xgboost::read(&json)),
        Format::LightgbmText => std::str::from_utf8(bytes)
            .map_err(|_| FormatError::malformed("not UTF-8 text"))
            .and_then(lightgbm::read),
        Format::Zkinfer => {
            return Err(ImportError::Malformed {
                file: file.to_string(),
                format,
                reason: "already a zkinfer model; it has no float form".into(),
            })
        }
    }
    .map_err(wrap)?;
    source.check().map_err(wrap)?;
    Ok((format, source))
}

/// Imports any supported model file into a fixed-point zkinfer model. zkinfer JSON files are
/// validated and returned as they are.
pub fn import(
    bytes: &[u8],
    file: &str,
    calibration: Option<&Calibration>,
) -> Result<Model, ImportError> {
    check_file_size(bytes, file)?;
    if detect_format(bytes) == Some(Format::Zkinfer) {
        return Model::from_json(bytes).map_err(|source| ImportError::Model {
            file: file.to_string(),
            source,
        });
    }
    let (_, mut source) = read_source(bytes, file)?;
    if let Some(calibration) = calibration {
        adopt_column_names(&mut source, calibration.header());
    }
    quantize(&source, calibration).map_err(|source| ImportError::Quantize {
        file: file.to_string(),
        source,
    })
}

/// Files beyond [`MAX_MODEL_FILE_BYTES`] are refused before any parsing.
fn check_file_size(bytes: &[u8], file: &str) -> Result<(), ImportError> {
    if bytes.len() > MAX_MODEL_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_string(),
            bytes: bytes.len(),
        });
    }
    Ok(())
}

/// Names `f0, f1, …` are placeholders (ONNX stores no feature names): take the calibration
/// header's names instead when it has exactly one column per feature.
fn adopt_column_names(source: &mut SourceModel, header: &[String]) {
    let placeholders = source
        .feature_names
        .iter()
        .enumerate()
        .all(|(i, n)| *n == placeholder_name(i));
    if placeholders && header.len() == source.feature_names.len() {
        source.feature_names = header.to_vec();
    }
}

/// The name given to feature `i` of a file that names none.
pub fn placeholder_name(i: usize) -> String {
    format!("f{i}")
}
/// Each feature's category reading, `read`, if some split reads it by category, `None` if no
/// split does (and `None` for all if no feature is categorical); a feature split both by category and at a threshold is refused.
pub(crate) fn categorical_features(
    trees: &[SourceTree],
    num_features: usize,
    read: CategoryRead,
) -> Result<Option<Vec<Option<CategoryRead>>>, FormatError> {
    let mut kinds = vec![None; num_features];
    for node in trees.iter().flat_map(|t| &t.nodes) {
        let (feature, categorical) = match node {
            SourceNode::Split { feature, .. } => (*feature, false),
            SourceNode::CategorySplit { feature, .. } => (*feature, true),
            SourceNode::Leaf { .. } => continue,
        };
        if *kinds[feature].get_or_insert(categorical) != categorical {
            return Err(FormatError::unsupported(format!(
                "feature {feature} is split both by category and at a threshold"
            )));
        }
    }
    let reads: Vec<Option<CategoryRead>> = (kinds.iter())
        .map(|&kind| (kind == Some(true)).then_some(read))
        .collect();
    Ok(reads.iter().any(Option::is_some).then_some(reads))
}
