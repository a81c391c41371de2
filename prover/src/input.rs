//! Model inputs: reading raw feature vectors and quantizing them onto the model's grid.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::InputError;
use crate::fixed_point::{pow2, scale_round, Rounding, FEATURE_MAX};
use crate::model::{Encoding, Model, Precision};
use crate::table::{names_feature, Table};
pub use zkinfer_air::input::Feature;

/// A feature vector on the model's grid: one value in `[0, 2^16)` per feature, or `None` for
/// a missing one (only for models that [accept them](Model::accepts_missing)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedInput(Vec<Feature>);

impl QuantizedInput {
    pub fn values(&self) -> &[Feature] {
        &self.0
    }

    /// Wraps already-quantized values, checking the count and range (a categorical feature's
    /// codes stop at its "other" code).
    pub fn from_quantized(model: &Model, values: &[i64]) -> Result<QuantizedInput, InputError> {
        check_count(model, values.len())?;
        values
            .iter()
            .zip(&model.input.features)
            .enumerate()
            .map(|(f, (&v, name))| {
                (0..=model.largest_value(f))
                    .contains(&v)
                    .then_some(Some(v as u16))
                    .ok_or_else(|| InputError::QuantizedOutOfRange {
                        feature: name.clone(),
                        value: v,
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(QuantizedInput)
    }
}

impl Model {
    /// Quantizes raw feature values: round to the model's float precision, then bin at the
    /// feature's cuts (trees), read the category code (categorical features) or scale by
    /// `2^scale_log2` exactly, round to nearest and subtract the offset (linear models,
    /// refusing what falls outside `[0, 2^16)`). A missing value
    /// (NaN, or what the feature's [`MissingRule`](crate::model::MissingRule) says) is kept as
    /// missing by models that accept them; otherwise NaN is refused, and ±∞ always is.
    pub fn quantize_input(&self, raw: &[f64]) -> Result<QuantizedInput, InputError> {
        check_count(self, raw.len())?;
        (0..raw.len())
            .map(|f| self.quantize_feature(f, raw[f]))
            .collect::<Result<Vec<_>, _>>()
            .map(QuantizedInput)
    }

    fn quantize_feature(&self, index: usize, x: f64) -> Result<Feature, InputError> {
        let Some(rules) = &self.input.missing else {
            return self.quantize_present(index, x).map(Some);
        };
        // The rule reads the value as the library sees it: rounded to its precision.
        match rules[index].read(self.round_to_precision(x)) {
            None => Ok(None),
            // NaN read as zero.
            Some(value) if x.is_nan() => self.quantize_present(index, value).map(Some),
            Some(_) => self.quantize_present(index, x).map(Some),
        }
    }

    /// A raw value rounded to the model's float precision, as its library does first.
    fn round_to_precision(&self, x: f64) -> f64 {
        match self.input.precision {
            Precision::F32 => x as f32 as f64,
            Precision::F64 => x,
        }
    }

    /// Quantizes a value that is not missing: NaN and ±∞ are refused.
    pub(crate) fn quantize_present(&self, index: usize, x: f64) -> Result<u16, InputError> {
        let name = &self.input.features[index];
        let not_finite = || InputError::NotFinite {
            feature: name.clone(),
            value: x,
        };
        if x.is_nan() {
            return Err(InputError::Missing(name.clone()));
        }
        if !x.is_finite() {
            return Err(not_finite());
        }
        let x = self.round_to_precision(x);
        if let Some(categories) = self.categories(index) {
            match (&categories.known, &categories.labels) {
                (Some(known), _) if categories.read.is_one_of(x, known) => {}
                (Some(known), Some(labels)) => {
                    return Err(InputError::UnknownName {
                        feature: name.clone(),
                        known: known_names(known, labels),
                    })
                }
                (Some(known), None) => {
                    return Err(InputError::UnknownCategory {
                        feature: name.clone(),
                        value: x,
                        known: known.len(),
                    })
                }
                (None, _) => {}
            }
            return Ok(categories.code(x));
        }
        match &self.input.encoding {
            Encoding::Bins { rule, cuts } => {
                // Cuts are sorted, so those below x form a prefix. `x as f32` may overflow to
                // ±∞, which still compares correctly with every finite cut.
                let below = cuts[index]
                    .iter()
                    .take_while(|c| rule.cut_is_below(c.to_f64().expect("validated"), x))
                    .count();
                Ok(below as u16)
            }
            Encoding::Grid { scale_log2, offset } => {
                if !x.is_finite() {
                    return Err(not_finite());
                }
                let q =
                    scale_round(x, scale_log2[index], Rounding::Nearest).map(|a| a - offset[index]);
                match q {
                    Some(q) if (0..=FEATURE_MAX).contains(&q) => Ok(q as u16),
                    _ => {
                        let (min, max) = self.feature_range(index).expect("grid encoding");
                        Err(InputError::OutOfRange {
                            feature: name.clone(),
                            value: x,
                            min,
                            max,
                        })
                    }
                }
            }
        }
    }

    /// The largest quantized value of feature `index`: 65535, or a categorical feature's
    /// "other" code.
    pub fn largest_value(&self, index: usize) -> i64 {
        self.categories(index)
            .map_or(FEATURE_MAX, |c| i64::from(c.count))
    }

    /// For the grid encoding: the real values of a feature's lowest and highest grid points.
    pub fn feature_range(&self, index: usize) -> Option<(f64, f64)> {
        let Encoding::Grid { scale_log2, offset } = &self.input.encoding else {
            return None;
        };
        let unit = pow2(-scale_log2[index]);
        Some((
            offset[index] as f64 * unit,
            (offset[index] + FEATURE_MAX) as f64 * unit,
        ))
    }

    /// Position of each model feature among `names`, or an error naming a missing one.
    fn feature_columns(&self, names: &[String]) -> Result<Vec<usize>, InputError> {
        let table = Table {
            header: names.to_vec(),
            rows: Vec::new(),
        };
        table
            .columns(&self.input.features)
            .map_err(|missing| InputError::MissingFeature(missing[0].clone()))
    }
}

/// The names of the `known` categories, quoted, the first few of a long list.
fn known_names(known: &[u32], labels: &[String]) -> String {
    const SHOWN: usize = 8;
    let names: Vec<String> = (known.iter().take(SHOWN))
        .map(|&k| format!("{:?}", labels[k as usize]))
        .collect();
    match known.len() > SHOWN {
        true => format!("{}, … ({} in all)", names.join(", "), known.len()),
        false => names.join(", "),
    }
}

fn check_count(model: &Model, found: usize) -> Result<(), InputError> {
    if found != model.num_features() {
        return Err(InputError::FeatureCount {
            expected: model.num_features(),
            found,
        });
    }
    Ok(())
}

/// Reads one or more raw input vectors for `model` from JSON or CSV text.
///
/// JSON: an array of numbers in feature order, an object mapping every feature name to a
/// number, or an array of either. CSV: a header row that names every feature (other columns
/// are ignored) and one row per input.
pub fn read_inputs(model: &Model, text: &str) -> Result<Vec<Vec<f64>>, InputError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| InputError::Malformed(format!("invalid JSON: {e}")))?;
        read_json_inputs(model, &value)
    } else {
        read_csv_inputs(model, text)
    }
}

fn read_json_inputs(model: &Model, value: &Value) -> Result<Vec<Vec<f64>>, InputError> {
    match value {
        Value::Array(items) if items.iter().all(|v| v.is_array() || v.is_object()) => {
            if items.is_empty() {
                return Err(InputError::Malformed("the input list is empty".into()));
            }
            items
                .iter()
                .map(|item| read_json_vector(model, item))
                .collect()
        }
        _ => Ok(vec![read_json_vector(model, value)?]),
    }
}

fn read_json_vector(model: &Model, value: &Value) -> Result<Vec<f64>, InputError> {
    let raw = match value {
        Value::Array(items) => RawInput::Ordered(items.iter().map(RawValue::from_json).collect()),
        Value::Object(map) => RawInput::Named(
            map.iter()
                .map(|(name, v)| (name.clone(), RawValue::from_json(v)))
                .collect(),
        ),
        _ => {
            return Err(InputError::Malformed(
                "expected an array of numbers or an object of feature values".into(),
            ))
        }
    };
    raw.to_vector(model)
}

/// One raw input as a caller hands it over, before its values are known to be numbers: JSON
/// inputs ([`read_inputs`]) and JavaScript values (the WebAssembly bindings) both become one.
#[derive(Clone, Debug, PartialEq)]
pub enum RawInput {
    /// One value per feature, in the model's feature order.
    Ordered(Vec<RawValue>),
    /// Feature names with their values: every feature of the model once, no other name.
    Named(Vec<(String, RawValue)>),
}

/// A raw feature value: a number (NaN and ±∞ included: quantization refuses them, naming the
/// feature), a string (a category's name, or a number as a CSV cell writes it), or anything
/// else, kept as text for the error message.
#[derive(Clone, Debug, PartialEq)]
pub enum RawValue {
    Number(f64),
    Text(String),
    Other(String),
}

impl RawValue {
    /// A number, a string, or `null` as NaN: a missing value, as JSON has no NaN.
    fn from_json(value: &Value) -> RawValue {
        match value {
            Value::Null => RawValue::Number(f64::NAN),
            Value::String(text) => RawValue::Text(text.clone()),
            _ => value
                .as_f64()
                .map_or_else(|| RawValue::Other(value.to_string()), RawValue::Number),
        }
    }
}

impl Model {
    /// Feature `index`'s raw value as a number. A string feature ([`Categories::labels`])
    /// takes the name of a category, matched exactly as its library matches it, and read as
    /// that category; any other string, an empty one, NaN and `null` are no category (the
    /// "other" code, which [`Model::quantize_input`] refuses if the library raises on unknown
    /// categories), and a number is refused. Any other feature takes a number (NaN, `null` in
    /// JSON, as missing), never a string.
    ///
    /// [`Categories::labels`]: crate::model::Categories::labels
    pub fn read_value(&self, index: usize, value: &RawValue) -> Result<f64, InputError> {
        let feature = (self.input.features.get(index))
            .ok_or_else(|| InputError::Malformed(format!("the model has no feature {index}")))?;
        let Some(labels) = self.labels(index) else {
            return match value {
                RawValue::Number(x) => Ok(*x),
                RawValue::Text(text) | RawValue::Other(text) => Err(InputError::NotANumber {
                    feature: feature.clone(),
                    value: text.clone(),
                }),
            };
        };
        let not_a_name = |value: String| InputError::NotAName {
            feature: feature.clone(),
            value,
        };
        match value {
            // No category is a negative number: every category is a non-negative integer.
            RawValue::Number(x) if x.is_nan() => Ok(-1.0),
            RawValue::Text(text) => {
                Ok((labels.iter().position(|l| l == text)).map_or(-1.0, |k| k as f64))
            }
            RawValue::Number(x) => Err(not_a_name(x.to_string())),
            RawValue::Other(text) => Err(not_a_name(text.clone())),
        }
    }

    /// A CSV cell as feature `index`'s raw value: a string feature's category name, else a
    /// number ([`parse_number`]).
    pub(crate) fn read_cell(&self, index: usize, cell: &str) -> Result<f64, InputError> {
        match self.labels(index) {
            Some(_) => self.read_value(index, &RawValue::Text(cell.to_string())),
            None => parse_number(&self.input.features[index], cell),
        }
    }

    /// A string feature's category names.
    fn labels(&self, index: usize) -> Option<&[String]> {
        self.categories(index)?.labels.as_deref()
    }
}

impl RawInput {
    /// The raw feature vector in the model's feature order; refuses a wrong count, unknown,
    /// repeated or missing names, and values that are not numbers (not yet NaN or ±∞: see
    /// [`Model::quantize_input`]).
    pub fn to_vector(&self, model: &Model) -> Result<Vec<f64>, InputError> {
        let names = &model.input.features;
        match self {
            RawInput::Ordered(values) => {
                check_count(model, values.len())?;
                (values.iter().enumerate())
                    .map(|(f, v)| model.read_value(f, v))
                    .collect()
            }
            RawInput::Named(entries) => {
                let mut by_name = HashMap::with_capacity(entries.len());
                for (given, value) in entries {
                    let feature = (names.iter().find(|f| *f == given))
                        .or_else(|| names.iter().find(|f| names_feature(given, f)));
                    let Some(name) = feature else {
                        return Err(InputError::Malformed(format!(
                            "the model has no feature named {given:?}"
                        )));
                    };
                    if by_name.insert(name.as_str(), value).is_some() {
                        return Err(InputError::Malformed(format!(
                            "feature {name:?} is given twice"
                        )));
                    }
                }
                (names.iter().enumerate())
                    .map(|(f, name)| match by_name.get(name.as_str()) {
                        Some(v) => model.read_value(f, v),
                        None => Err(InputError::MissingFeature(name.clone())),
                    })
                    .collect()
            }
        }
    }
}

fn read_csv_inputs(model: &Model, text: &str) -> Result<Vec<Vec<f64>>, InputError> {
    let table = Table::parse_csv(text).map_err(InputError::Malformed)?;
    let columns = model.feature_columns(&table.header)?;
    if table.rows.is_empty() {
        return Err(InputError::Malformed("the CSV has no data rows".into()));
    }
    table
        .rows
        .iter()
        .map(|row| {
            (columns.iter().enumerate())
                .map(|(f, &c)| model.read_cell(f, &row[c]))
                .collect()
        })
        .collect()
}

/// Parses a CSV cell; `nan`, `inf` and friends parse, an empty cell is NaN (a missing value, as
/// pandas writes it), and quantization decides what the model makes of them.
pub(crate) fn parse_number(feature: &str, cell: &str) -> Result<f64, InputError> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    cell.parse().map_err(|_| InputError::NotANumber {
        feature: feature.to_string(),
        value: cell.to_string(),
    })
}
