//! ONNX-ML models as skl2onnx writes them for scikit-learn.

use crate::error::FormatError;
use crate::source::SourceModel;

/// Whether bytes look like an ONNX protobuf file.
pub fn looks_like(_bytes: &[u8]) -> bool {
    false
}

pub fn read(_bytes: &[u8]) -> Result<SourceModel, FormatError> {
    Err(FormatError::unsupported("ONNX import is being written"))
}
