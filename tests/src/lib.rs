//! Helpers for zkinfer's cross-crate tests: where the committed example models live.

pub mod fuzz;

use std::path::PathBuf;

use zkinfer::examples::{manifest, ExampleModel};
use zkinfer::{import, Calibration, Model};

/// The repository's `examples/` folder.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

pub fn read_example(relative: &str) -> String {
    let path = examples_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every example model listed in `examples/models.json`.
pub fn example_models() -> Vec<ExampleModel> {
    manifest(&read_example("models.json")).expect("valid manifest")
}

/// Imports an example the way its README says: with its calibration CSV (the training rows, or
/// the features' documented domain).
pub fn import_example(example: &ExampleModel) -> Model {
    import_example_file(example, &example.model_file)
}

/// Imports `file` (relative to `examples/`), one of `example`'s files, with its calibration CSV.
pub fn import_example_file(example: &ExampleModel, file: &str) -> Model {
    let path = examples_dir().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let calibration = Calibration::from_csv(&read_example(&example.calibration_csv)).unwrap();
    import::import(&bytes, file, Some(&calibration))
        .unwrap_or_else(|e| panic!("{}: {e}", example.name))
}
