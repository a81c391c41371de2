//! Every committed example model imports, agrees with its library on every held-out row, and
//! keeps its pinned model id.

use zkinfer::check::check_against_csv;
use zkinfer_integration::{example_models, import_example, read_example};

#[test]
fn every_example_agrees_with_its_library_on_every_heldout_row() {
    let examples = example_models();
    assert!(
        examples.len() >= 7,
        "only {} example models",
        examples.len()
    );
    let mut table = String::new();
    for example in &examples {
        let model = import_example(example);
        assert_eq!(model.num_features(), example.n_features, "{}", example.name);
        let report = check_against_csv(&model, &read_example(&example.heldout_csv))
            .unwrap_or_else(|e| panic!("{}: {e}", example.name));
        assert_eq!(report.rows, example.n_heldout, "{}", example.name);
        if example.task != "regression" {
            assert_eq!(
                report.class_matches,
                Some(report.rows),
                "{}: class disagreements {:?}",
                example.name,
                report.failures
            );
        }
        assert!(
            report.max_error <= report.tolerance,
            "{}: score error {:e} > tolerance {:e}: {:?}",
            example.name,
            report.max_error,
            report.tolerance,
            report.failures
        );
        table.push_str(&format!(
            "{:<36} {:>4} rows  classes {:>9}  max error {:.2e}  tolerance {:.2e}\n",
            example.name,
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
    for (name, categorical) in [
        ("credit_nan_xgboost", false),
        ("credit_nan_lightgbm", false),
        ("credit_nan_lightgbm_zero", false),
        ("credit_missing_xgboost", true),
        ("credit_missing_lightgbm", true),
    ] {
        let example = (example_models().into_iter())
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} is an example"));
        let model = import_example(&example);
        assert!(model.accepts_missing(), "{name}");
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
