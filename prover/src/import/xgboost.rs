//! XGBoost JSON models (`Booster.save_model("m.json")`).

use serde_json::Value;

use crate::error::FormatError;
use crate::source::SourceModel;

pub fn read(_json: &Value) -> Result<SourceModel, FormatError> {
    Err(FormatError::unsupported("XGBoost import is being written"))
}
