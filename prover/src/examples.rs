//! The example models shipped in `examples/`, and the embedded flagship.

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::InputError;
use crate::input::read_inputs;
use crate::model::Model;

/// One entry of `examples/models.json`, written by `examples/train.py`.
#[derive(Clone, Debug, Deserialize)]
pub struct ExampleModel {
    pub name: String,
    pub dataset: String,
    pub library: String,
    pub estimator: String,
    pub task: String,
    /// Relative to `examples/`.
    pub model_file: String,
    pub format: String,
    pub train_csv: String,
    /// The importers' `--calibrate` file: the training rows, or the features' documented
    /// domain (digits).
    pub calibration_csv: String,
    pub heldout_csv: String,
    pub n_features: usize,
    pub n_heldout: usize,
    /// The same model through its library's own ONNX export (CatBoost), relative to
    /// `examples/`.
    #[serde(default)]
    pub onnx_export: Option<String>,
}

/// Parses `examples/models.json`.
pub fn manifest(json: &str) -> Result<Vec<ExampleModel>, String> {
    serde_json::from_str(json).map_err(|e| format!("examples/models.json: {e}"))
}

/// The flagship: XGBoost, 100 trees of depth 6, on breast_cancer, embedded in the binary.
pub struct Flagship {
    pub model: Model,
    pub import_time: Duration,
}

impl Flagship {
    pub const FILE: &'static str = "examples/models/breast_cancer_xgboost/model.json";
    pub const HELDOUT_FILE: &'static str = "examples/models/breast_cancer_xgboost/heldout.csv";
    pub const MODEL: &'static str =
        include_str!("../../examples/models/breast_cancer_xgboost/model.json");
    pub const HELDOUT: &'static str =
        include_str!("../../examples/models/breast_cancer_xgboost/heldout.csv");

    /// Imports the embedded flagship.
    pub fn load() -> Result<Flagship, crate::ImportError> {
        let start = Instant::now();
        let model = crate::import::import(Self::MODEL.as_bytes(), Self::FILE, None)?;
        Ok(Flagship {
            model,
            import_time: start.elapsed(),
        })
    }

    /// The held-out rows' raw features.
    pub fn heldout_inputs(&self) -> Result<Vec<Vec<f64>>, InputError> {
        read_inputs(&self.model, Self::HELDOUT)
    }
}
