//! Importers, chosen by file content: ONNX-ML, XGBoost JSON, LightGBM text, CatBoost JSON,
//! zkinfer JSON.

pub mod catboost;
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
            if catboost::looks_like(start) {
                return Some(Format::CatboostJson);
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

/// Whether `bytes` look like XGBoost's binary model (UBJSON): an object whose first key,
/// `learner` or `version`, follows a UBJSON length marker.
fn is_xgboost_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(32)];
    let keyed = |key: &[u8]| head.windows(key.len()).any(|w| w == key);
    head.len() > 2
        && head[0] == b'{'
        && matches!(head[1], b'i' | b'U' | b'I' | b'l' | b'L')
        && (keyed(b"learner") || keyed(b"version"))
}

/// Reads a model file in a library format into its float form, with the boosting iterations
/// the library's `predict` uses ([`read_source_with`]).
pub fn read_source(bytes: &[u8], file: &str) -> Result<(Format, SourceModel), ImportError> {
    read_source_with(bytes, file, None)
}

/// Reads a model file in a library format into its float form. A booster (XGBoost, LightGBM, CatBoost)
/// keeps its first `iterations` boosting iterations when given, else those the library's
/// `predict` uses: up to an early-stopping `best_iteration` the file records (XGBoost's), else
/// all; the model's `source` says so when some are left out. `iterations` for a file that is
/// no booster is an error.
pub fn read_source_with(
    bytes: &[u8],
    file: &str,
    iterations: Option<usize>,
) -> Result<(Format, SourceModel), ImportError> {
    check_file_size(bytes, file)?;
    let format = detect_format(bytes).ok_or_else(|| {
        let file = file.to_string();
        match bytes {
            _ if is_xgboost_binary(bytes) => ImportError::XgboostBinary { file },
            [b'C', b'B', b'M', b'1', ..] => ImportError::CatboostBinary { file },
            _ => ImportError::UnknownFormat { file },
        }
    })?;
    let wrap = |e: FormatError| ImportError::from_format(file, format, e);
    let source = match format {
        Format::Onnx if iterations.is_some() => Err(FormatError::unsupported(
            "choosing boosting iterations: only XGBoost, LightGBM and CatBoost files have them",
        )),
        Format::Onnx => onnx::read(bytes),
        Format::XgboostJson => serde_json::from_slice(bytes)
            .map_err(|e| FormatError::malformed(format!("invalid JSON: {e}")))
            .and_then(|json| xgboost::read_with(&json, iterations)),
        Format::CatboostJson => catboost::read_with(bytes, iterations),
        Format::LightgbmText => std::str::from_utf8(bytes)
            .map_err(|_| FormatError::malformed("not UTF-8 text"))
            .and_then(|text| lightgbm::read_with(text, iterations)),
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
    let options = ImportOptions {
        calibration,
        ..ImportOptions::default()
    };
    import_with(bytes, file, &options)
}

/// What an import may be told besides the file.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions<'a> {
    /// Typical inputs: fixes linear models' and networks' ranges, names an ONNX file's features.
    pub calibration: Option<&'a Calibration>,
    /// A booster's boosting iterations to keep ([`read_source_with`]).
    pub iterations: Option<usize>,
    /// The classes' labels, in class order, instead of the file's (`"0"`, `"1"`, … for most).
    pub class_labels: Option<&'a [String]>,
    /// The features' names, in model order, instead of the file's (or the calibration's).
    pub feature_names: Option<&'a [String]>,
}

/// [`import`] with `options`: the iterations a booster keeps, and labels and names given at
/// import, so that they are part of the model (and of its id) from the start.
pub fn import_with(
    bytes: &[u8],
    file: &str,
    options: &ImportOptions,
) -> Result<Model, ImportError> {
    check_file_size(bytes, file)?;
    if detect_format(bytes) == Some(Format::Zkinfer) {
        let fixed = [
            ("iterations", options.iterations.is_some()),
            ("class labels", options.class_labels.is_some()),
            ("feature names", options.feature_names.is_some()),
        ];
        if let Some((what, _)) = fixed.into_iter().find(|(_, given)| *given) {
            return Err(ImportError::Options {
                file: file.to_string(),
                reason: format!(
                    "already a zkinfer model: its {what} were fixed when it was imported"
                ),
            });
        }
        return Model::from_json(bytes).map_err(|source| ImportError::Model {
            file: file.to_string(),
            source,
        });
    }
    let (_, mut source) = read_source_with(bytes, file, options.iterations)?;
    if let Some(calibration) = options.calibration {
        adopt_column_names(&mut source, calibration.header());
    }
    let relabel = |what: &str, old: &mut Vec<String>, new: &[String]| {
        if new.len() != old.len() {
            return Err(ImportError::Options {
                file: file.to_string(),
                reason: format!("{} {what} given for a model of {}", new.len(), old.len()),
            });
        }
        *old = new.to_vec();
        Ok(())
    };
    if let Some(labels) = options.class_labels {
        relabel("class labels", &mut source.classes, labels)?;
    }
    if let Some(names) = options.feature_names {
        relabel("feature names", &mut source.feature_names, names)?;
    }
    quantize(&source, options.calibration).map_err(|source| ImportError::Quantize {
        file: file.to_string(),
        source,
    })
}

/// How many of a booster's `total` boosting iterations an import keeps, and, when it leaves
/// some out, why, as the suffix of the model's `source` (` (k of n iterations, …)`, else
/// empty): the caller's `chosen` count (1 to `total`), else the library's early-stopping
/// `best` iteration (counted from 0) when the file records one, else all.
pub(crate) fn kept_iterations(
    total: usize,
    chosen: Option<usize>,
    best: Option<usize>,
) -> Result<(usize, String), FormatError> {
    let (kept, why) = match (chosen, best) {
        (Some(n), _) if (1..=total).contains(&n) => (n, "as chosen at import".to_string()),
        (Some(n), _) => {
            return Err(FormatError::unsupported(format!(
                "keeping {n} boosting iterations: the model has 1 to {total}"
            )))
        }
        (None, Some(b)) if b < total => (
            b + 1,
            format!(
                "to its early-stopping best_iteration {b}, as the scikit-learn wrapper \
                 predicts; --iterations {total} for Booster.predict's"
            ),
        ),
        (None, Some(b)) => {
            return Err(FormatError::malformed(format!(
                "best_iteration {b} of a model of {total} iterations"
            )))
        }
        (None, None) => (total, String::new()),
    };
    let note = match kept < total {
        true => format!(" ({kept} of {total} iterations, {why})"),
        false => String::new(),
    };
    Ok((kept, note))
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
