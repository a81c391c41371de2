//! The `zkinfer` command line: results on good input, clear errors and exit codes on bad.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;

use common::{
    chain_model, one_more_class, random_tree, repeated_trees, tree_model, unit_calibration,
    wide_network, Rng, WIDEST_NETWORK,
};
use zkinfer::fixed_point::SplitRule;
use zkinfer::model::Precision;
use zkinfer::quantize::quantize;
use zkinfer::{infer, Model};

fn zkinfer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a failure with `code` whose message contains `needle`.
fn assert_fails(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "stderr: {}", stderr(out));
    assert!(
        stderr(out).contains(needle),
        "expected {needle:?} in {:?}",
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

fn sample_model() -> Model {
    let mut rng = Rng::new(11);
    let trees = (0..4)
        .map(|_| random_tree(&mut rng, 3, 3, 1, None, |r, _| r.uniform(-5.0, 5.0)))
        .collect();
    quantize(
        &tree_model(SplitRule::LessOrEqual, Precision::F64, 3, trees),
        None,
    )
    .unwrap()
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn inspect_and_predict_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model();
    let model_path = write(dir.path(), "m.json", &model.to_canonical_json());
    let out = zkinfer(&["inspect", arg(&model_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&model.id().to_string()));
    assert!(stdout(&out).contains("x2"));

    let input = write(
        dir.path(),
        "in.json",
        br#"{"x0": 1.5, "x1": -2, "x2": 0.25}"#,
    );
    let out = zkinfer(&["predict", arg(&model_path), arg(&input)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let expected = infer(&model, &model.quantize_input(&[1.5, -2.0, 0.25]).unwrap());
    assert_eq!(printed["fixed_scores"][0], expected.scores[0]);
    assert_eq!(printed["class"], expected.label(&model).unwrap());

    let csv = write(
        dir.path(),
        "in.csv",
        b"x2,x1,x0,extra\n0.25,-2,1.5,x\n9,9,9,y\n",
    );
    let out = zkinfer(&["predict", arg(&model_path), arg(&csv)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["fixed_scores"][0], expected.scores[0]);
}

#[test]
fn bad_inputs_get_clear_errors_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = write(dir.path(), "m.json", &sample_model().to_canonical_json());
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "count.json",
            b"[1, 2]",
            "the model takes 3 features, the input has 2",
        ),
        (
            "nan.csv",
            b"x0,x1,x2\n1,NaN,3\n",
            "feature \"x1\" is missing (NaN)",
        ),
        ("inf.json", b"[1e999, 0, 0]", "invalid JSON"),
        (
            "neg-inf.csv",
            b"x0,x1,x2\n-inf,0,0\n",
            "is -inf; inputs must be finite",
        ),
        (
            "text.json",
            br#"[1, "two", 3]"#,
            "feature \"x1\": \"two\" is not a number",
        ),
        (
            "missing.csv",
            b"x0,x2\n1,2\n",
            "no value for feature \"x1\"",
        ),
        (
            "unknown.json",
            br#"{"x0":1,"x1":2,"x2":3,"x9":4}"#,
            "no feature named \"x9\"",
        ),
        ("empty.csv", b"x0,x1,x2\n", "no data rows"),
        ("ragged.csv", b"x0,x1,x2\n1,2\n", "bad CSV"),
    ];
    for (name, contents, needle) in cases {
        let input = write(dir.path(), name, contents);
        let out = zkinfer(&["predict", arg(&model_path), arg(&input)]);
        assert_fails(&out, 1, needle);
    }
    let out = zkinfer(&["predict", arg(&model_path), "/nonexistent/input.json"]);
    assert_fails(&out, 1, "cannot read");
}

#[test]
fn bad_model_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(
        dir.path(),
        "garbage.bin",
        b"\x00\x01\x02 definitely not a model",
    );
    let out = zkinfer(&["import", arg(&garbage)]);
    assert_fails(&out, 1, "not a model format zkinfer reads");
    assert!(stderr(&out).contains("garbage.bin"));

    let canonical = sample_model().to_canonical_json();
    let truncated = write(dir.path(), "cut.json", &canonical[..canonical.len() / 2]);
    assert_fails(
        &zkinfer(&["inspect", arg(&truncated)]),
        1,
        "not a zkinfer model",
    );
    assert_fails(&zkinfer(&["import", arg(&truncated)]), 1, "cut.json");

    let wrong_version = String::from_utf8(canonical.clone())
        .unwrap()
        .replace("\"version\":1", "\"version\":7");
    let path = write(dir.path(), "v7.json", wrong_version.as_bytes());
    assert_fails(
        &zkinfer(&["inspect", arg(&path)]),
        1,
        "version 7 is not supported",
    );
    assert_fails(
        &zkinfer(&["inspect", "/nonexistent/model.json"]),
        1,
        "cannot read",
    );

    // Valid JSON, invalid by the format's rules: a child id out of range, a repeated feature.
    let mut value: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
    value["body"]["trees"]["trees"][0]["left"][0] = serde_json::json!(99);
    let path = write(dir.path(), "child.json", value.to_string().as_bytes());
    for command in ["inspect", "import"] {
        assert_fails(
            &zkinfer(&[command, arg(&path)]),
            1,
            "invalid zkinfer model: tree 0: child id 99 is not a node",
        );
    }
    let mut value: serde_json::Value = serde_json::from_slice(&canonical).unwrap();
    value["input"]["features"][1] = serde_json::json!("x0");
    let path = write(dir.path(), "twice.json", value.to_string().as_bytes());
    let out = zkinfer(&["inspect", arg(&path)]);
    assert_fails(&out, 1, "invalid zkinfer model: ");
    assert!(stderr(&out).contains("appears twice"), "{}", stderr(&out));

    // A library file with a construct zkinfer does not prove.
    let xgboost = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/models/breast_cancer_xgboost/model.json");
    let cox = std::fs::read_to_string(xgboost)
        .unwrap()
        .replace("\"binary:logistic\"", "\"survival:cox\"");
    let path = write(dir.path(), "cox.json", cox.as_bytes());
    assert_fails(
        &zkinfer(&["import", arg(&path)]),
        1,
        "cox.json: unsupported XGBoost JSON construct: objective \"survival:cox\"",
    );
}

/// A model file beyond `MAX_MODEL_FILE_BYTES`, and a model whose trace is beyond
/// `MAX_TRACE_CELLS`, are refused by every command that reads a model.
#[test]
fn models_beyond_the_limits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.json", b"[7]");
    let envelope = dir.path().join("e.json");
    let mut huge = chain_model(2, 3).to_canonical_json();
    huge.resize(zkinfer::limits::MAX_MODEL_FILE_BYTES + 1, b' ');
    let huge = write(dir.path(), "huge.json", &huge);
    let oversized = repeated_trees(&chain_model(64, 63), 20);
    let oversized = write(dir.path(), "big.json", &oversized.to_canonical_json());
    for command in [
        &["inspect", arg(&huge)][..],
        &["import", arg(&huge)],
        &["predict", arg(&huge), arg(&input)],
        &["prove", arg(&huge), arg(&input), "-o", arg(&envelope)],
        &["verify", arg(&huge), arg(&envelope)],
    ] {
        let out = zkinfer(command);
        assert_fails(&out, 1, "more than 67108864 bytes, more than zkinfer reads");
        assert!(stderr(&out).contains("huge.json"), "{}", stderr(&out));
    }
    for command in [
        &["inspect", arg(&oversized)][..],
        &["import", arg(&oversized)],
        &["predict", arg(&oversized), arg(&input)],
        &["prove", arg(&oversized), arg(&input), "-o", arg(&envelope)],
    ] {
        let out = zkinfer(command);
        assert_fails(
            &out,
            1,
            "zkinfer model too large: the model needs a trace of 131072 rows",
        );
        assert!(stderr(&out).contains("big.json"), "{}", stderr(&out));
    }
    // One class more than the widest network makes 255 columns, one more than a trace can
    // have: refused with exit 1 (the prover used to panic inside Winterfell, exit 101).
    let calibration = unit_calibration(4);
    let widest = quantize(&wide_network(WIDEST_NETWORK), Some(&calibration)).unwrap();
    let wide = write(
        dir.path(),
        "wide.json",
        &one_more_class(&widest).to_canonical_json(),
    );
    let wide_input = write(dir.path(), "wide-in.json", b"[1, 1, 1, 1]");
    for command in [
        &["inspect", arg(&wide)][..],
        &["import", arg(&wide)],
        &["prove", arg(&wide), arg(&wide_input), "--profile", "high"],
    ] {
        let out = zkinfer(command);
        assert_fails(&out, 1, "more than the 254 columns a trace can have");
        assert!(stderr(&out).contains("wide.json"), "{}", stderr(&out));
    }
    assert!(!envelope.exists());
}

#[test]
fn import_of_a_zkinfer_model_writes_the_canonical_form() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model();
    let pretty = serde_json::to_string_pretty(&model).unwrap();
    let input = write(dir.path(), "pretty.json", pretty.as_bytes());
    let output = dir.path().join("canonical.json");
    let out = zkinfer(&["import", arg(&input), "-o", arg(&output)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&model.id().to_string()));
    let written = std::fs::read(&output).unwrap();
    assert_eq!(written, model.to_canonical_json());
    assert_eq!(
        blake3::hash(&written).to_hex().to_string(),
        model.id().to_string()
    );
}

/// An early-stopped XGBoost model imports the trees its scikit-learn `predict` uses, says so,
/// and agrees with it on every held-out row; all its trees (`--iterations 24`) do not.
/// `--iterations` is refused for a file that is not a booster, and must be at least 1.
/// `--class-labels` and `--feature-names` name the model at import. The model saved in
/// XGBoost's binary form gets a hint.
#[test]
fn early_stopping_iterations_labels_and_names_at_import() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let example = examples.join("models/credit_xgboost_early_stopping");
    let (model, calibration) = (
        example.join("model.json"),
        examples.join("data/credit-train.csv"),
    );
    let import = |extra: &[&str]| {
        let mut args = vec!["import", arg(&model), "--calibrate", arg(&calibration)];
        args.extend_from_slice(extra);
        zkinfer(&args)
    };
    let heldout = example.join("heldout.csv");
    let out = import(&["--check", arg(&heldout)]);
    assert!(out.status.success(), "{}", stderr(&out));
    for needle in [
        "(14 of 24 iterations, to its early-stopping best_iteration 13, as the scikit-learn \
         wrapper predicts; --iterations 24 for Booster.predict's)",
        "14 trees",
        "class agreement 250/250 (100.00 %)",
    ] {
        assert!(stdout(&out).contains(needle), "{needle}: {}", stdout(&out));
    }
    let out = import(&["--iterations", "24", "--check", arg(&heldout)]);
    assert_fails(&out, 3, "disagrees with the recorded predictions");
    let out = import(&["--iterations", "25"]);
    assert_fails(
        &out,
        1,
        "keeping 25 boosting iterations: the model has 1 to 24",
    );
    let out = import(&["--iterations", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let onnx = examples.join("models/breast_cancer_logreg/model.onnx");
    let out = zkinfer(&["import", arg(&onnx), "--iterations", "3"]);
    assert_fails(
        &out,
        1,
        "only XGBoost, LightGBM and CatBoost files have them",
    );
    // Labels and names given at import are the model's (and its id's) from the start; counts
    // that do not fit are refused, as is choosing anything for a zkinfer model.
    let out = zkinfer(&[
        "import",
        arg(&model),
        "--class-labels",
        "bad,good",
        "--feature-names",
        "a,b,c,d,e,f,g,h,i,j",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("classes bad, good"),
        "{}",
        stdout(&out)
    );
    let out = import(&["--class-labels", "bad,good,ugly"]);
    assert_fails(&out, 1, "3 class labels given for a model of 2");
    let out = import(&["--feature-names", "a,b"]);
    assert_fails(&out, 1, "2 feature names given for a model of 10");
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("m.zk.json");
    assert!(import(&["-o", arg(&written)]).status.success());
    let out = zkinfer(&["import", arg(&written), "--iterations", "3"]);
    assert_fails(
        &out,
        1,
        "already a zkinfer model: its iterations were fixed",
    );
    // The same model in XGBoost's default binary form is named, with what to do instead.
    let out = zkinfer(&["import", arg(&example.join("model.ubj"))]);
    assert_fails(
        &out,
        1,
        "model.ubj: an XGBoost model in its binary form (UBJSON",
    );
    assert!(stderr(&out).contains(r#"save_model("model.json")"#));
}

/// CatBoost's JSON model imports and agrees with `predict` on every held-out row, proves a
/// probability cut-off, and keeps the first N trees when told; its ONNX export names its
/// release; its binary form (.cbm) is named, with what to do instead.
#[test]
fn catboost_models_import_check_and_prove() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models/credit_catboost");
    let model = example.join("model.json");
    let heldout = example.join("heldout.csv");
    let out = zkinfer(&["import", arg(&model), "--check", arg(&heldout)]);
    assert!(out.status.success(), "{}", stderr(&out));
    for line in [
        "source       catboost 1.2.10 Logloss",
        "body         41 trees, 583 splits",
        "class agreement 250/250 (100.00 %)",
        "missing      NaN in 10 features",
    ] {
        assert!(stdout(&out).contains(line), "{line}: {}", stdout(&out));
    }
    let out = zkinfer(&["import", arg(&model), "--iterations", "10"]);
    assert!(
        stdout(&out).contains("(10 of 41 iterations, as chosen at import)"),
        "{}",
        stdout(&out)
    );
    let envelope = dir.path().join("e.json");
    let out = zkinfer(&[
        "prove",
        arg(&model),
        arg(&heldout),
        "--row",
        "3",
        "--disclose",
        "at-least-probability=0.6",
        "-o",
        arg(&envelope),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkinfer(&["verify", arg(&model), arg(&envelope)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("probability of class 1 >= 0.600000"),
        "{}",
        stdout(&out)
    );
    let calibration = example.join("../../data/credit-train.csv");
    let onnx = example.join("model.onnx");
    let out = zkinfer(&["import", arg(&onnx), "--calibrate", arg(&calibration)]);
    assert!(
        stdout(&out).contains("source       CatBoost 1.2.10 (TreeEnsembleClassifier)"),
        "{}",
        stdout(&out)
    );
    // CatBoost's binary files start with the magic "CBM1".
    let cbm = dir.path().join("model.cbm");
    std::fs::write(&cbm, b"CBM1\x58\x5b\0\0 flatbuffers follow").unwrap();
    let out = zkinfer(&["import", arg(&cbm)]);
    assert_fails(
        &out,
        1,
        "model.cbm: a CatBoost model in its binary form (.cbm",
    );
    assert!(
        stderr(&out).contains(r#"format="json")"#),
        "{}",
        stderr(&out)
    );
}

/// `--headroom 0` accepts exactly the calibration data's ranges: the logistic regression then
/// refuses five held-out rows, each named with its feature, value and range, and the check
/// goes on; the default headroom accepts them all. A negative headroom is refused.
#[test]
fn headroom_sets_how_far_beyond_the_calibration_data_inputs_are_accepted() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let model = examples.join("models/breast_cancer_logreg/model.onnx");
    let calibration = examples.join("data/breast_cancer-train.csv");
    let heldout = examples.join("models/breast_cancer_logreg/heldout.csv");
    let import = |extra: &[&str]| {
        let args = [
            &["import", arg(&model), "--calibrate", arg(&calibration)][..],
            &["--check", arg(&heldout)],
            extra,
        ];
        zkinfer(&args.concat())
    };
    let out = import(&["--headroom", "0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("5 of 143 rows refused"), "{report}");
    let named = "row 16: refused: feature \"worst_area\" = 185.1999969482422 is outside the \
                 model's input range [190.875, 4286.8125]";
    assert!(report.contains(named), "{report}");
    let out = import(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("143/143"), "{}", stdout(&out));
    let out = import(&["--headroom=-1"]);
    assert_fails(&out, 1, "headroom -1 is not a number from 0 to 1000");
}

/// `--disclose at-least-probability=0.8` on the credit model proves whether the probability of
/// class 1 reaches 0.8, as `predict` reports it: false for held-out row 0 (0.297), true for row
/// 1 (0.810); the output names the score threshold and the probability. A value that is no
/// probability is a usage error; a regression model is refused.
#[test]
fn probability_cut_offs_prove_what_predict_reports() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let model = examples.join("models/credit_xgboost/model.json");
    let heldout = examples.join("models/credit_xgboost/heldout.csv");
    for (row, holds) in [("0", false), ("1", true)] {
        let envelope = dir.path().join(format!("e{row}.json"));
        let out = zkinfer(&[
            "prove",
            arg(&model),
            arg(&heldout),
            "--row",
            row,
            "--disclose",
            "at-least-probability=0.8",
            "-o",
            arg(&envelope),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let expected = format!(
            "score >= 1.386294361120008 is {holds} (fixed-point threshold 6096987078287 at 2^42 \
             per unit; probability of class 1 >= 0.800000)"
        );
        assert!(stdout(&out).contains(&expected), "{}", stdout(&out));
        let out = zkinfer(&["verify", arg(&model), arg(&envelope)]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&expected), "{}", stdout(&out));
    }
    let prove = |model: &Path, input: &Path, disclose: &str| {
        let envelope = dir.path().join("refused.json");
        zkinfer(&[
            "prove",
            arg(model),
            arg(input),
            "--disclose",
            disclose,
            "-o",
            arg(&envelope),
        ])
    };
    for bad in [
        "at-least-probability=1",
        "at-least-probability=0",
        "at-least-probability=x",
    ] {
        let out = prove(&model, &heldout, bad);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("not a probability strictly between 0 and 1"));
    }
    let regressor = examples.join("models/diabetes_xgboost_regressor/model.json");
    let input = examples.join("models/diabetes_xgboost_regressor/heldout.csv");
    let out = prove(&regressor, &input, "at-least-probability=0.5");
    assert_fails(&out, 1, "a probability cut-off needs a binary classifier");
}

/// An input the model refuses stops neither `predict` nor `--check`: every other row is
/// answered, the refused one is named (its input, feature and range), and the exit code says
/// something was refused.
#[test]
fn refused_rows_are_named_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let example = examples.join("models/breast_cancer_logreg");
    let model = dir.path().join("m.zk.json");
    let calibration = examples.join("data/breast_cancer-train.csv");
    let out = zkinfer(&[
        "import",
        arg(&example.join("model.onnx")),
        "--calibrate",
        arg(&calibration),
        "-o",
        arg(&model),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let heldout = std::fs::read_to_string(example.join("heldout.csv")).unwrap();
    let mut lines: Vec<String> = heldout.lines().take(4).map(String::from).collect();
    let far = lines[2].split_once(',').unwrap().1.to_string();
    lines[2] = format!("1000000000,{far}");
    let rows = write(dir.path(), "rows.csv", lines.join("\n").as_bytes());

    let out = zkinfer(&["predict", arg(&model), arg(&rows)]);
    assert_fails(&out, 1, "rows.csv: 1 of 3 inputs refused");
    assert!(stderr(&out)
        .contains("rows.csv (input 2): feature \"mean_radius\" = 1000000000 is outside"));
    let printed = stdout(&out);
    let answers: Vec<&str> = printed.lines().collect();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(answers[0].contains("\"class\"") && answers[2].contains("\"class\""));
    assert!(answers[1].starts_with("{\"error\":") && answers[1].contains("\"input\":2"));

    let out = zkinfer(&["import", arg(&model), "--check", arg(&rows)]);
    assert_fails(&out, 3, "disagrees with the recorded predictions");
    for needle in [
        "check        3 rows: class agreement 2/3",
        "check        1 of 3 rows refused by the model",
        "mismatch     row 2: refused: feature \"mean_radius\" = 1000000000 is outside",
    ] {
        assert!(stdout(&out).contains(needle), "{needle}: {}", stdout(&out));
    }
}

#[test]
fn check_fails_with_exit_code_3_on_disagreement() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model();
    let model_path = write(dir.path(), "m.json", &model.to_canonical_json());
    let rows = [[1.5, -2.0, 0.25], [-3.0, 4.0, 1.0], [0.0, 0.0, 0.0]];
    let mut good = String::from("x0,x1,x2,expected_class\n");
    let mut bad = good.clone();
    for (i, row) in rows.iter().enumerate() {
        let label = infer(&model, &model.quantize_input(row).unwrap())
            .label(&model)
            .unwrap()
            .to_string();
        let flipped = if label == "1" { "0" } else { "1" };
        let cells = format!("{},{},{}", row[0], row[1], row[2]);
        good.push_str(&format!("{cells},{label}\n"));
        bad.push_str(&format!(
            "{cells},{}\n",
            if i == 1 { flipped } else { &label }
        ));
    }
    let good_path = write(dir.path(), "good.csv", good.as_bytes());
    let out = zkinfer(&["import", arg(&model_path), "--check", arg(&good_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("class agreement 3/3 (100.00 %)"),
        "{}",
        stdout(&out)
    );

    let bad_path = write(dir.path(), "bad.csv", bad.as_bytes());
    let out = zkinfer(&["import", arg(&model_path), "--check", arg(&bad_path)]);
    assert_fails(&out, 3, "disagrees with the recorded predictions");
    assert!(
        stdout(&out).contains("class agreement 2/3"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("mismatch     row 2"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn usage_errors_exit_with_code_2() {
    assert_eq!(zkinfer(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(zkinfer(&["import"]).status.code(), Some(2));
    assert_eq!(zkinfer(&["--threads", "0", "demo"]).status.code(), Some(2));
    assert_eq!(
        zkinfer(&["inspect", "m.json", "--threads", "x"])
            .status
            .code(),
        Some(2)
    );
}

/// A proof made on several threads verifies on one, and the other way round.
#[test]
fn threads_prove_and_verify_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model_path, heldout) = logreg_files(dir.path());
    let envelope = dir.path().join("proof.json");
    for (proving, verifying) in [("2", "1"), ("1", "3")] {
        assert_succeeds(&zkinfer(&[
            "--threads",
            proving,
            "prove",
            arg(&model_path),
            arg(&heldout),
            "-o",
            arg(&envelope),
        ]));
        let verified = assert_succeeds(&zkinfer(&[
            "verify",
            "--threads",
            verifying,
            arg(&model_path),
            arg(&envelope),
        ]));
        assert!(verified.contains("verified"), "{verified}");
    }
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let model_path = write(dir.path(), "m.json", &sample_model().to_canonical_json());
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    let rows: String = (0..5000).map(|i| format!("{i},1,2\n")).collect();
    let input = write(
        dir.path(),
        "many.csv",
        format!("x0,x1,x2\n{rows}").as_bytes(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["predict", arg(&model_path), arg(&input)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// The logistic-regression example imported with its calibration data, written as a zkinfer
/// model, and its held-out CSV.
fn logreg_files(dir: &Path) -> (Model, PathBuf, PathBuf) {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let train = std::fs::read_to_string(examples.join("data/breast_cancer-train.csv")).unwrap();
    let onnx = std::fs::read(examples.join("models/breast_cancer_logreg/model.onnx")).unwrap();
    let calibration = zkinfer::Calibration::from_csv(&train).unwrap();
    let model = zkinfer::import::import(&onnx, "model.onnx", Some(&calibration)).unwrap();
    let model_path = write(dir, "logreg.json", &model.to_canonical_json());
    let heldout = examples.join("models/breast_cancer_logreg/heldout.csv");
    (model, model_path, heldout)
}

fn assert_succeeds(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", stderr(out));
    stdout(out)
}

#[test]
fn prove_verify_and_open_an_inference() {
    let dir = tempfile::tempdir().unwrap();
    let (model, model_path, heldout) = logreg_files(dir.path());
    let envelope = dir.path().join("proof.json");
    let printed = assert_succeeds(&zkinfer(&[
        "prove",
        arg(&model_path),
        arg(&heldout),
        "--row",
        "2",
        "--context",
        "nonce 42",
        "-o",
        arg(&envelope),
    ]));
    assert!(printed.contains(&model.id().to_string()), "{printed}");
    assert!(printed.contains("output       class "), "{printed}");
    assert!(printed.contains("SECRET"), "{printed}");
    let opening = dir.path().join("proof.json.opening.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&opening).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the opening is readable by others: {mode:o}"
        );
    }
    let parsed = zkinfer::Envelope::decode(&std::fs::read(&envelope).unwrap()).unwrap();
    let commitment = parsed.input_commitment.to_string();
    assert!(printed.contains(&commitment), "{printed}");

    // Verify: under the same context (as text or hex), and not under another.
    let verified = assert_succeeds(&zkinfer(&[
        "verify",
        arg(&model_path),
        arg(&envelope),
        "--context",
        "nonce 42",
    ]));
    assert!(verified.starts_with("valid: class "), "{verified}");
    assert!(verified.contains(&commitment), "{verified}");
    let hex: String = b"nonce 42".iter().map(|b| format!("{b:02x}")).collect();
    let context_hex = [
        "verify",
        arg(&model_path),
        arg(&envelope),
        "--context-hex",
        &hex,
    ];
    assert_succeeds(&zkinfer(&context_hex));
    for other in [&["--context", "nonce 43"][..], &[]] {
        let mut args = vec!["verify", arg(&model_path), arg(&envelope)];
        args.extend_from_slice(other);
        assert_fails(&zkinfer(&args), 1, "another context");
    }

    // A tampered proof byte, and a tampered output, are invalid.
    let mut tampered = parsed.clone();
    let middle = tampered.proof.len() / 2;
    tampered.proof[middle] ^= 1;
    let bad_proof = write(
        dir.path(),
        "bad.json",
        tampered.to_json().unwrap().as_bytes(),
    );
    let out = zkinfer(&[
        "verify",
        arg(&model_path),
        arg(&bad_proof),
        "--context",
        "nonce 42",
    ]);
    assert_fails(&out, 1, "bad.json: invalid: the proof ");
    let mut lie = parsed.clone();
    lie.output = match parsed.output {
        zkinfer::Output::Class(c) => zkinfer::Output::Class(1 - c),
        _ => panic!("a class disclosure"),
    };
    let lie_path = write(dir.path(), "lie.bin", &lie.to_bytes().unwrap());
    let out = zkinfer(&[
        "verify",
        arg(&model_path),
        arg(&lie_path),
        "--context",
        "nonce 42",
    ]);
    assert_fails(&out, 1, "lie.bin: invalid: the proof is invalid");
    let garbage = write(dir.path(), "garbage.bin", b"not an envelope at all");
    let out = zkinfer(&["verify", arg(&model_path), arg(&garbage)]);
    assert_fails(&out, 1, "not a zkinfer proof envelope");

    // Envelopes that do not decode: cut (either form), of another version, too large, with a
    // field outside its domain.
    let bytes = parsed.to_bytes().unwrap();
    let json = parsed.to_json().unwrap();
    let version = format!(r#""version":{}"#, zkinfer::envelope::VERSION);
    let json_version_2 = json.replacen(&version, r#""version":2"#, 1);
    assert_ne!(json_version_2, json);
    let limb = json.replacen(&commitment, &"ff".repeat(32), 1);
    let fast = json.replacen(r#""profile":"default""#, r#""profile":"fast""#, 1);
    let mut version_2 = bytes.clone();
    version_2[8] = 2;
    let mut big_proof: serde_json::Value = serde_json::from_str(&json).unwrap();
    big_proof["proof"] = serde_json::json!(base64::engine::general_purpose::STANDARD
        .encode(vec![0; zkinfer::limits::MAX_PROOF_BYTES + 1]));
    let big_proof = big_proof.to_string();
    let undecodable: &[(&str, &[u8], &str)] = &[
        (
            "cut.bin",
            &bytes[..bytes.len() / 2],
            "the envelope is truncated",
        ),
        (
            "cut.json",
            &json.as_bytes()[..json.len() / 2],
            "invalid JSON envelope",
        ),
        ("v2.bin", &version_2, "envelope version 2 is not supported"),
        (
            "v2.json",
            json_version_2.as_bytes(),
            "envelope version 2 is not supported",
        ),
        (
            "big-proof.json",
            big_proof.as_bytes(),
            "the proof has 1048577 bytes, more than 1048576",
        ),
        (
            "huge.bin",
            &vec![0; zkinfer::limits::MAX_ENCODED_BYTES + 1],
            "2097153 bytes is too large for an envelope",
        ),
        (
            "limb.json",
            limb.as_bytes(),
            "limb 0 of the commitment is not a field element",
        ),
        (
            "fast.json",
            fast.as_bytes(),
            "unknown proof profile \"fast\"",
        ),
    ];
    for (name, contents, needle) in undecodable {
        let path = write(dir.path(), name, contents);
        let out = zkinfer(&[
            "verify",
            arg(&model_path),
            arg(&path),
            "--context",
            "nonce 42",
        ]);
        assert_fails(&out, 1, needle);
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
    }

    // Open: the proved row opens the commitment (in the envelope or given in hex); another
    // row does not.
    let open = |row: &str, target: &str| {
        zkinfer(&[
            "open",
            arg(&model_path),
            arg(&heldout),
            "--row",
            row,
            arg(&opening),
            target,
        ])
    };
    assert!(assert_succeeds(&open("2", arg(&envelope))).starts_with("opens: input 2"));
    assert_succeeds(&open("2", &commitment));
    assert_fails(&open("3", arg(&envelope)), 1, "does not open");
    assert_fails(&open("3", &commitment), 1, "does not open");
    assert_fails(&open("2", &"f".repeat(64)), 1, "not a valid commitment");
}

#[test]
fn thresholds_binary_envelopes_and_the_high_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (model, model_path, heldout) = logreg_files(dir.path());
    let envelope = dir.path().join("proof.bin");
    let opening = dir.path().join("secret.json");
    let printed = assert_succeeds(&zkinfer(&[
        "prove",
        arg(&model_path),
        arg(&heldout),
        "--disclose",
        "at-least=-0.1",
        "--profile",
        "high",
        "--binary",
        "-o",
        arg(&envelope),
        "--opening",
        arg(&opening),
    ]));
    assert!(printed.contains("high profile"), "{printed}");
    let bytes = std::fs::read(&envelope).unwrap();
    assert_eq!(&bytes[..8], b"ZKINFER\0");
    let parsed = zkinfer::Envelope::from_bytes(&bytes).unwrap();
    // -0.1 · 2^scale, rounded up.
    let scale = model.output.score_scale_log2;
    let threshold = -(((1u128 << scale) / 10) as i64);
    let score = infer(
        &model,
        &model.quantize_input(&first_row(&model, &heldout)).unwrap(),
    );
    assert_eq!(
        parsed.output,
        zkinfer::Output::AtLeast {
            threshold,
            holds: score.scores[0] >= threshold
        }
    );
    let verified = assert_succeeds(&zkinfer(&["verify", arg(&model_path), arg(&envelope)]));
    assert!(verified.starts_with("valid: score >= "), "{verified}");
    assert!(verified.contains("128 bits"), "{verified}");
    let out = zkinfer(&[
        "open",
        arg(&model_path),
        arg(&heldout),
        arg(&opening),
        arg(&envelope),
    ]);
    assert_succeeds(&out);
    // An envelope for another model does not open under this one.
    let other = write(
        dir.path(),
        "other.json",
        &sample_model().to_canonical_json(),
    );
    let out = zkinfer(&["verify", arg(&other), arg(&envelope)]);
    assert_fails(
        &out,
        1,
        &format!("the proof is for model {}, not for this model", model.id()),
    );
    let other_input = write(dir.path(), "other-input.json", b"[1, 2, 3]");
    let out = zkinfer(&[
        "open",
        arg(&other),
        arg(&other_input),
        arg(&opening),
        arg(&envelope),
    ]);
    assert_fails(
        &out,
        1,
        &format!("the envelope is for model {}, not", model.id()),
    );
}

fn first_row(model: &Model, csv: &Path) -> Vec<f64> {
    zkinfer::read_inputs(model, &std::fs::read_to_string(csv).unwrap()).unwrap()[0].clone()
}

#[test]
fn bad_prove_requests_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model_path, heldout) = logreg_files(dir.path());
    let (m, h) = (arg(&model_path), arg(&heldout));
    let o = dir.path().join("e.json");
    let o = arg(&o);
    let long_context = "n".repeat(4097);
    let long_hex = "6e".repeat(4097);
    // The first held-out row with its first feature far outside the calibrated range.
    let csv = std::fs::read_to_string(&heldout).unwrap();
    let (header, rows) = csv.split_once('\n').unwrap();
    let (_, rest) = rows.split_once(',').unwrap();
    let far = write(
        dir.path(),
        "far.csv",
        format!("{header}\n1e9,{rest}").as_bytes(),
    );
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models");
    let iris = examples.join("iris_xgboost_multiclass/model.json");
    let iris_rows = examples.join("iris_xgboost_multiclass/heldout.csv");
    let (iris, iris_rows) = (arg(&iris), arg(&iris_rows));
    let usage: &[&[&str]] = &[
        &["prove", m, h, "--disclose", "everything", "-o", o],
        &["prove", m, h, "--disclose", "at-least=0.5.1", "-o", o],
        &["prove", m, h, "--profile", "fast", "-o", o],
        &[
            "prove",
            m,
            h,
            "--context",
            "a",
            "--context-hex",
            "61",
            "-o",
            o,
        ],
        &["prove", m, h, "--context-hex", "abc", "-o", o],
        &["prove", m, h, "-o", o, "--opening", o],
        &["prove", m],
        &["verify", m],
    ];
    for args in usage {
        let out = zkinfer(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let failures: &[(&[&str], &str)] = &[
        (
            &["prove", m, h, "--row", "999", "-o", o],
            "there is no input 999",
        ),
        (
            &["prove", m, h, "--disclose", "at-least=1e9", "-o", o],
            "outside the model's score range",
        ),
        (
            &["prove", m, h, "--context", &long_context, "-o", o],
            "the context has 4097 bytes, more than 4096",
        ),
        (
            &["prove", m, h, "--context-hex", &long_hex, "-o", o],
            "the context has 4097 bytes, more than 4096",
        ),
        (
            &["prove", m, arg(&far), "-o", o],
            "far.csv (input 0): feature \"mean_radius\" = 1000000000 is outside the model's \
             input range [",
        ),
        (
            &["predict", m, arg(&far)],
            "is outside the model's input range",
        ),
        (
            &[
                "prove",
                iris,
                iris_rows,
                "--disclose",
                "at-least=0",
                "-o",
                o,
            ],
            "--disclose at-least does not fit this multiclass model: it needs a model with one \
             score",
        ),
        (&["verify", m, "/nonexistent/e.json"], "cannot read"),
    ];
    for (args, needle) in failures {
        assert_fails(&zkinfer(args), 1, needle);
    }
    // A linear ONNX model needs its calibration: the error says how to import it first.
    let onnx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/models/breast_cancer_logreg/model.onnx");
    assert_fails(
        &zkinfer(&["prove", arg(&onnx), h, "-o", o]),
        1,
        "--calibrate",
    );
    assert!(!Path::new(o).exists());
}

/// `zkinfer bench-serve`: a small load run against the service started in the process; every
/// verification succeeds and every replay is refused.
#[test]
fn bench_serve_runs_a_bounded_load_against_the_service() {
    let out = zkinfer(&["bench-serve", "--requests", "12", "--concurrency", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().to_string())
            .collect()
    };
    let mut rows = text.lines().filter(|line| line.starts_with('|'));
    let header = cells(rows.next().expect("a table header"));
    let values = cells(rows.nth(1).expect("a table row"));
    let column = |name: &str| {
        let at = header.iter().position(|h| h == name);
        values[at.unwrap_or_else(|| panic!("no column {name:?} in {text}"))].clone()
    };
    assert_eq!(column("requests"), "12", "{text}");
    assert_eq!(column("errors"), "0", "{text}");
    assert_eq!(column("replays refused"), "12 of 12", "{text}");
    assert!(column("verifies/s").parse::<f64>().unwrap() > 0.0, "{text}");
    assert!(
        stderr(&out).contains("proving 12 envelopes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_row_with_missing_values_imports_proves_verifies_and_opens() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let source = examples.join("models/credit_nan_xgboost/model.json");
    let heldout = examples.join("models/credit_nan_xgboost/heldout.csv");
    let model_path = dir.path().join("model.zk.json");
    let imported = assert_succeeds(&zkinfer(&["import", arg(&source), "-o", arg(&model_path)]));
    assert!(
        imported.contains("missing      NaN in 11 features; each split sends them its default way"),
        "{imported}"
    );
    // Data row 2 misses a value (an empty cell).
    let text = std::fs::read_to_string(&heldout).unwrap();
    let row = text.lines().nth(3).unwrap();
    assert!(row.contains(",,"), "{row}");
    let envelope = dir.path().join("proof.json");
    assert_succeeds(&zkinfer(&[
        "prove",
        arg(&model_path),
        arg(&heldout),
        "--row",
        "2",
        "-o",
        arg(&envelope),
    ]));
    let verified = assert_succeeds(&zkinfer(&["verify", arg(&model_path), arg(&envelope)]));
    assert!(verified.starts_with("valid: class "), "{verified}");
    let expected = row.split(',').nth(11).unwrap();
    assert!(
        verified.starts_with(&format!("valid: class {expected}")),
        "{verified} (the library's class is {expected})"
    );
    let opening = dir.path().join("proof.json.opening.json");
    let open = |csv: &Path| {
        zkinfer(&[
            "open",
            arg(&model_path),
            arg(csv),
            "--row",
            "2",
            arg(&opening),
            arg(&envelope),
        ])
    };
    assert_succeeds(&open(&heldout));
    // The same row with its missing value filled in with 0 is another input.
    let filled: Vec<&str> = text.lines().take(3).collect();
    let zeroed = row.replacen(",,", ",0,", 1);
    let other = write(
        dir.path(),
        "filled.csv",
        format!("{}\n{zeroed}\n", filled.join("\n")).as_bytes(),
    );
    assert_fails(&open(&other), 1, "does not open");
}
