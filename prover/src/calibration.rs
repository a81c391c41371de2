//! Calibration data: a CSV of typical inputs that gives each feature its range.

use std::collections::HashMap;

use crate::error::QuantizeError;
use crate::table::Table;

/// Per-feature `[min, max]` over the calibration rows' values (missing ones aside), and the
/// headroom a model's input grids keep beyond them.
#[derive(Clone, Debug)]
pub struct Calibration {
    header: Vec<String>,
    ranges: HashMap<String, ColumnRange>,
    headroom: f64,
}

/// The default headroom: half a feature's calibration range on each side, so that the
/// accepted range is twice the data's. It keeps every held-out row of every example in range
/// (the README's headroom table), and the finest grid covering the wider range loses at most
/// one bit of input precision.
pub const DEFAULT_HEADROOM: f64 = 0.5;

/// The largest headroom accepted: 1000 ranges on each side.
pub const MAX_HEADROOM: f64 = 1000.0;

impl Calibration {
    /// Reads a CSV with a header row of feature names and at least one row; an empty cell or
    /// NaN is a missing value, which gives no range. A column with a cell that is not a finite
    /// number (a string feature's) is refused only when a numeric feature needs its range.
    pub fn from_csv(text: &str) -> Result<Calibration, QuantizeError> {
        let table = Table::parse_csv(text).map_err(QuantizeError::Calibration)?;
        if table.rows.is_empty() {
            return Err(QuantizeError::Calibration("no data rows".into()));
        }
        let mut ranges = HashMap::new();
        for (column, name) in table.header.iter().enumerate() {
            let cells = table.rows.iter().map(|row| row[column].as_str());
            ranges.insert(name.clone(), column_range(name, cells));
        }
        Ok(Calibration {
            header: table.header,
            ranges,
            headroom: DEFAULT_HEADROOM,
        })
    }

    /// The same data with another headroom: `headroom` times each feature's range on each side
    /// (0 accepts exactly the calibration range; 0 to [`MAX_HEADROOM`]).
    pub fn with_headroom(mut self, headroom: f64) -> Result<Calibration, QuantizeError> {
        if !(0.0..=MAX_HEADROOM).contains(&headroom) {
            return Err(QuantizeError::Calibration(format!(
                "headroom {headroom} is not a number from 0 to {MAX_HEADROOM}"
            )));
        }
        self.headroom = headroom;
        Ok(self)
    }

    /// The headroom, in feature ranges on each side.
    pub fn headroom(&self) -> f64 {
        self.headroom
    }

    /// The header, for naming the features of files that carry no names (ONNX).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Fails unless every model feature has a column.
    pub fn check_features(&self, names: &[String]) -> Result<(), QuantizeError> {
        let found = crate::table::resolve(&self.header, names);
        let missing: Vec<&str> = (found.iter().zip(names))
            .filter(|(column, _)| column.is_none())
            .map(|(_, name)| name.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(QuantizeError::Calibration(format!(
            "no column for feature(s) {}",
            missing.join(", ")
        )))
    }

    /// The feature's calibration range widened by the headroom times its width on each side
    /// (times its magnitude, or 1, when all values are equal), so that inputs beyond the
    /// training data stay representable.
    pub fn widened_range(&self, name: &str) -> Result<(f64, f64), QuantizeError> {
        // The column of that name, or of the name LightGBM rewrote ([`crate::table::resolve`]).
        let column = crate::table::resolve(&self.header, &[name.to_string()])[0];
        let range = (column.and_then(|c| self.ranges.get(&self.header[c])))
            .ok_or_else(|| QuantizeError::Calibration(format!("no column for feature {name:?}")))?;
        let (low, high) = match range {
            ColumnRange::Values(low, high) => (*low, *high),
            ColumnRange::AllMissing => {
                return Err(QuantizeError::Calibration(format!(
                    "feature {name:?} has no value, only missing ones"
                )))
            }
            ColumnRange::Unusable(why) => return Err(QuantizeError::Calibration(why.clone())),
        };
        let width = if high > low {
            high - low
        } else {
            low.abs().max(2.0)
        };
        let margin = width * self.headroom;
        Ok((low - margin, high + margin))
    }
}

/// What a calibration column says of its feature's range.
#[derive(Clone, Debug)]
enum ColumnRange {
    /// `[min, max]` over its values.
    Values(f64, f64),
    /// Every value is missing.
    AllMissing,
    /// Its first cell that is not a finite number or missing (a string feature's column holds
    /// them), as an error message for a numeric feature that needs its range.
    Unusable(String),
}

/// A column's range (see [`ColumnRange`]); an empty cell or NaN is a missing value.
fn column_range<'c>(name: &str, cells: impl Iterator<Item = &'c str>) -> ColumnRange {
    let mut range: Option<(f64, f64)> = None;
    for (r, cell) in cells.enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        let why = match cell.trim().parse::<f64>() {
            Ok(v) if v.is_nan() => continue,
            Ok(v) if v.is_finite() => {
                range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
                continue;
            }
            Ok(_) => "is not finite",
            Err(_) => "is not a number",
        };
        return ColumnRange::Unusable(format!("row {}, column {name:?}: {cell:?} {why}", r + 2));
    }
    match range {
        Some((low, high)) => ColumnRange::Values(low, high),
        None => ColumnRange::AllMissing,
    }
}
