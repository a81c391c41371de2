//! LightGBM text models (`Booster.save_model("m.txt")`).

use crate::error::FormatError;
use crate::source::SourceModel;

/// Whether text looks like a LightGBM model file.
pub fn looks_like(text: &str) -> bool {
    text.starts_with("tree\n") || text.starts_with("tree\r\n")
}

pub fn read(_text: &str) -> Result<SourceModel, FormatError> {
    Err(FormatError::unsupported("LightGBM import is being written"))
}
