//! Every committed example model imports, agrees with its library on every held-out row, and
//! keeps its pinned model id.

use zkinfer::calibration::DEFAULT_HEADROOM;
use zkinfer::check::check_against_csv;
use zkinfer::model::Encoding;
use zkinfer::quantize::score_error_bound;
use zkinfer::{import, Calibration, Model};
use zkinfer_integration::{
    example_models, examples_dir, import_example, import_example_file, read_example,
};

#[test]
fn every_example_agrees_with_its_library_on_every_heldout_row() {
    let examples = example_models();
    assert!(
        examples.len() >= 7,
        "only {} example models",
        examples.len()
    );
    let mut table = String::new();
    // A library's own ONNX export must agree as its native file does.
    let files = examples.iter().flat_map(|example| {
        let native = (example, example.name.clone(), import_example(example));
        let export = (example.onnx_export.as_ref()).map(|file| {
            let name = format!("{} (ONNX export)", example.name);
            (example, name, import_example_file(example, file))
        });
        std::iter::once(native).chain(export)
    });
    let files: Vec<(_, String, Model)> = files.collect();
    assert!(files.len() > examples.len(), "no ONNX export is checked");
    for (example, name, model) in &files {
        assert_eq!(model.num_features(), example.n_features, "{name}");
        let report = check_against_csv(model, &read_example(&example.heldout_csv))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.rows, example.n_heldout, "{name}");
        if example.task != "regression" {
            assert_eq!(
                report.class_matches,
                Some(report.rows),
                "{}: class disagreements {:?}",
                name,
                report.failures
            );
        }
        assert!(
            report.max_error <= report.tolerance,
            "{}: score error {:e} > tolerance {:e}: {:?}",
            name,
            report.max_error,
            report.tolerance,
            report.failures
        );
        table.push_str(&format!(
            "{:<40} {:>4} rows  classes {:>9}  max error {:.2e}  tolerance {:.2e}\n",
            name,
            report.rows,
            report
                .class_matches
                .map_or("-".to_string(), |m| format!("{m}/{}", report.rows)),
            report.max_error,
            report.tolerance
        ));
    }
    println!("{table}");
}

/// The examples trained with missing values (and categorical features) also agree with their
/// libraries on probe rows that stress them: a missing value in every feature, zeros and
/// values within `1e-35` of zero (LightGBM's zero), values on and beside every split
/// threshold, and for categorical features every code, unseen, negative, fractional and huge
/// categories.
#[test]
fn missing_values_and_categories_take_the_library_s_branch_on_every_probe_row() {
    for (name, categorical, missing) in [
        ("credit_nan_xgboost", false, true),
        ("credit_nan_lightgbm", false, true),
        ("credit_nan_lightgbm_zero", false, true),
        ("credit_missing_xgboost", true, true),
        ("credit_missing_lightgbm", true, true),
        // One-hot encoded choices, probed with every code and codes the encoder does not know.
        ("credit_onehot_gradient_boosting", true, false),
    ] {
        let example = (example_models().into_iter())
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is an example"));
        let model = import_example(&example);
        assert_eq!(model.accepts_missing(), missing, "{name}");
        assert_eq!(model.input.categorical.is_some(), categorical, "{name}");
        let probes = example.heldout_csv.replace("heldout.csv", "probes.csv");
        let report = check_against_csv(&model, &read_example(&probes))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(report.rows > 600, "{name}: {} probe rows", report.rows);
        assert_eq!(
            report.class_matches,
            Some(report.rows),
            "{name}: {:?}",
            report.failures
        );
        assert!(
            report.max_error <= report.tolerance,
            "{name}: score error {:e} > {:e}",
            report.max_error,
            report.tolerance
        );
        println!(
            "{name}: {} probe rows, classes {}/{}, max error {:.2e}",
            report.rows, report.rows, report.rows, report.max_error
        );
    }
}

#[test]
fn example_model_ids_are_pinned() {
    let golden = read_example("../tests/golden/model-ids.txt");
    let mut expected = std::collections::BTreeMap::new();
    for line in golden
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (name, id) = line.split_once(' ').expect("`name id` lines");
        expected.insert(name.to_string(), id.trim().to_string());
    }
    let mut actual = std::collections::BTreeMap::new();
    for example in example_models() {
        let model = import_example(&example);
        // Importing twice gives the same id.
        assert_eq!(model.id(), import_example(&example).id());
        actual.insert(example.name.clone(), model.id().to_string());
    }
    let listing: String = actual.iter().map(|(n, id)| format!("{n} {id}\n")).collect();
    assert_eq!(expected, actual, "current ids:\n{listing}");
}

#[test]
fn a_network_accepts_its_whole_domain_and_refuses_a_feature_beyond_its_grid() {
    let example = (example_models().into_iter())
        .find(|e| e.name == "digits_mlp")
        .expect("the digits network is an example");
    let model = import_example(&example);
    // Pixel counts run from 0 to 16: every corner of that domain is accepted.
    for value in [0.0, 16.0] {
        assert!(model.quantize_input(&[value; 64]).is_ok(), "{value}");
    }
    let mut pixels = [16.0; 64];
    pixels[10] = 100.0;
    match model.quantize_input(&pixels) {
        Err(zkinfer::InputError::OutOfRange {
            feature, min, max, ..
        }) => {
            assert_eq!(feature, "pixel_1_2");
            assert!(min <= 0.0 && (16.0..100.0).contains(&max), "[{min}, {max}]");
        }
        other => panic!("expected OutOfRange, got {other:?}"),
    }
}

/// Linear models and networks accept inputs up to a headroom beyond their calibration data.
/// Calibrated on the training rows alone (headroom 0), examples refuse held-out rows; at the
/// default headroom, none refuses any, and the wider grids cost input precision, which the
/// error bound shows. Prints the table the README's headroom paragraph quotes.
#[test]
fn the_default_headroom_accepts_every_heldout_row() {
    let headrooms = [0.0, 0.1, 0.25, DEFAULT_HEADROOM, 1.0, 2.0];
    let mut table = String::from("model, then per headroom: refused held-out rows, error bound\n");
    let mut refused_without = 0;
    for example in example_models() {
        let bytes = std::fs::read(examples_dir().join(&example.model_file)).unwrap();
        let calibration = Calibration::from_csv(&read_example(&example.calibration_csv)).unwrap();
        let heldout = read_example(&example.heldout_csv);
        let mut row = format!("{:<28}", example.name);
        for headroom in headrooms {
            let calibration = calibration.clone().with_headroom(headroom).unwrap();
            let model = import::import(&bytes, &example.model_file, Some(&calibration)).unwrap();
            // Trees read every finite input: only grids have a range.
            if matches!(model.input.encoding, Encoding::Grid { .. }) {
                let report = check_against_csv(&model, &heldout).unwrap();
                let bound = score_error_bound(&model).into_iter().fold(0.0, f64::max);
                row.push_str(&format!(" | {:>3} {bound:.1e}", report.refused));
                if headroom == DEFAULT_HEADROOM {
                    assert_eq!(report.refused, 0, "{}: {:?}", example.name, report.failures);
                    assert_eq!(model.id(), import_example(&example).id(), "the default");
                }
                if headroom == 0.0 {
                    refused_without += report.refused;
                }
            }
        }
        if row.contains('|') {
            table.push_str(&row);
            table.push('\n');
        }
    }
    println!("{table}");
    assert!(refused_without > 0, "no example needs headroom");
    let calibration = Calibration::from_csv("a\n1\n2\n").unwrap();
    for bad in [-0.5, f64::NAN, 1e9] {
        assert!(calibration.clone().with_headroom(bad).is_err(), "{bad}");
    }
}

/// Categories given as the strings a `DataFrame` holds: a string the encoder ignores reads as
/// no category (all zeros) on every probe row, as scikit-learn's does; a string an encoder that
/// raises does not know is refused, naming the feature and the strings it knows, where the
/// library raises (`examples/train.py` checks that it does); a number is no category's name.
#[test]
fn string_categories_are_read_by_name_as_the_library_reads_them() {
    let example = |name: &str| {
        let example = (example_models().into_iter())
            .find(|e| e.name == name)
            .expect("the example");
        let model = import_example(&example);
        (example, model)
    };
    let (ignoring, model) = example("credit_strings_logreg");
    let probes = ignoring.heldout_csv.replace("heldout.csv", "probes.csv");
    let report = check_against_csv(&model, &read_example(&probes)).unwrap();
    assert_eq!(report.rows, 280);
    assert_eq!(report.class_matches, Some(280), "{:?}", report.failures);
    assert!(
        report.max_error <= report.tolerance,
        "{:e}",
        report.max_error
    );

    let (raising, model) = example("credit_strings_random_forest");
    let heldout = read_example(&raising.heldout_csv);
    let mut lines = heldout.lines();
    let (header, row) = (lines.next().unwrap(), lines.next().unwrap());
    let with_housing = |housing: &str| {
        let row = row.replace(",own,", &format!(",{housing},"));
        zkinfer::read_inputs(&model, &format!("{header}\n{row}\n")).unwrap()
    };
    assert!(row.contains(",own,"), "{row}");
    for known in ["own", "rent", "for free"] {
        let raw = &with_housing(known)[0];
        assert!(model.quantize_input(raw).is_ok(), "{known}");
    }
    for unknown in ["a tent", "Own", "1"] {
        match model.quantize_input(&with_housing(unknown)[0]) {
            Err(zkinfer::InputError::UnknownName { feature, known }) => {
                assert_eq!(feature, "housing");
                assert_eq!(known, r#""for free", "own", "rent""#);
            }
            other => panic!("{unknown}: {other:?}"),
        }
    }
    let housing = model.input.features.iter().position(|f| f == "housing");
    match model.read_value(housing.unwrap(), &zkinfer::RawValue::Number(1.0)) {
        Err(zkinfer::InputError::NotAName { feature, .. }) => assert_eq!(feature, "housing"),
        other => panic!("{other:?}"),
    }
}

/// A one-hot encoder that raises on unknown codes (scikit-learn's default): the imported model
/// accepts every code it knows and refuses any other, naming the feature, where the library
/// raises (`examples/train.py` checks that it does).
#[test]
fn an_encoder_that_raises_refuses_the_codes_it_does_not_know() {
    let example = (example_models().into_iter())
        .find(|e| e.name == "credit_onehot_random_forest")
        .expect("the example");
    let model = import_example(&example);
    let heldout = read_example(&example.heldout_csv);
    let row: Vec<f64> = (heldout.lines().nth(1).expect("a row").split(','))
        .take(example.n_features)
        .map(|v| v.parse().unwrap())
        .collect();
    // checking_account: codes 0 to 3.
    for code in [0.0, 1.0, 2.0, 3.0] {
        let mut x = row.clone();
        x[0] = code;
        assert!(model.quantize_input(&x).is_ok(), "{code}");
    }
    for code in [4.0, 7.0, 1.5, -1.0] {
        let mut x = row.clone();
        x[0] = code;
        match model.quantize_input(&x) {
            Err(zkinfer::InputError::UnknownCategory { feature, .. }) => {
                assert_eq!(feature, "checking_account", "{code}")
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}
