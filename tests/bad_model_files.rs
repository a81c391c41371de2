//! Bad model files, built from the real examples: every one is refused with a clear, typed
//! error naming the file, or (when only trailing metadata was cut) gives the same model.

use zkinfer::{import, Calibration, ImportError};
use zkinfer_integration::{example_models, examples_dir, import_example, read_example};

fn import_bytes(
    bytes: &[u8],
    file: &str,
    calibration: &Calibration,
) -> Result<zkinfer::Model, ImportError> {
    import::import(bytes, file, Some(calibration))
}

#[test]
fn truncated_example_files_never_import_as_a_different_model() {
    for example in example_models() {
        let bytes = std::fs::read(examples_dir().join(&example.model_file)).unwrap();
        let calibration = Calibration::from_csv(&read_example(&example.calibration_csv)).unwrap();
        let original = import_example(&example);
        let mut refused = 0;
        // Every prefix length for small files, 400 spread over large ones.
        let step = (bytes.len() / 400).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            match import_bytes(&bytes[..cut], &example.model_file, &calibration) {
                Err(e) => {
                    refused += 1;
                    assert!(e.to_string().contains(&example.model_file), "{e}");
                }
                Ok(model) => assert_eq!(
                    model.id(),
                    original.id(),
                    "{} cut at {cut} of {} imported as a different model",
                    example.name,
                    bytes.len()
                ),
            }
        }
        assert!(refused > 0, "{}: no truncation was refused", example.name);
    }
}

#[test]
fn corrupted_example_files_never_panic() {
    // Flip bytes throughout every file; any outcome but a panic is acceptable here, because
    // a flipped digit is a different but valid model.
    for example in example_models() {
        let bytes = std::fs::read(examples_dir().join(&example.model_file)).unwrap();
        let calibration = Calibration::from_csv(&read_example(&example.calibration_csv)).unwrap();
        let step = (bytes.len() / 300).max(1);
        for (n, position) in (0..bytes.len()).step_by(step).enumerate() {
            let mut corrupted = bytes.clone();
            corrupted[position] ^= [0xff, 0x01, 0x80, 0x20][n % 4];
            let _ = import_bytes(&corrupted, &example.model_file, &calibration);
        }
    }
}

#[test]
fn garbage_is_not_a_model() {
    let calibration = Calibration::from_csv("a\n1\n").unwrap();
    for garbage in [
        &b""[..],
        b"\x00",
        b"hello",
        b"{}",
        b"{\"learner\": 0}",
        b"tree\n",
        b"\x08\x07",
    ] {
        let err = import_bytes(garbage, "junk.bin", &calibration).unwrap_err();
        assert!(err.to_string().starts_with("junk.bin: "), "{err}");
    }
}

#[test]
fn an_unsupported_xgboost_objective_is_named() {
    let text = read_example("models/breast_cancer_xgboost/model.json")
        .replace("\"binary:logistic\"", "\"survival:cox\"");
    let err = import::import(text.as_bytes(), "cox.json", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cox.json: unsupported XGBoost JSON construct: objective \"survival:cox\""
    );
}

#[test]
fn linear_models_without_calibration_say_what_to_pass() {
    let bytes =
        std::fs::read(examples_dir().join("models/breast_cancer_logreg/model.onnx")).unwrap();
    let err = import::import(&bytes, "lr.onnx", None).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("lr.onnx: linear models need the range of every feature"),
        "{err}"
    );
}

#[test]
fn calibration_must_cover_the_model_features() {
    let bytes =
        std::fs::read(examples_dir().join("models/breast_cancer_xgboost/model.json")).unwrap();
    let wrong = Calibration::from_csv("mean_radius,other\n1,2\n").unwrap();
    let err = import::import(&bytes, "m.json", Some(&wrong)).unwrap_err();
    assert!(
        err.to_string()
            .contains("no column for feature(s) mean_texture"),
        "{err}"
    );
}
