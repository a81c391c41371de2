//! Agreement of a zkinfer model with the predictions its source library recorded.
//!
//! The CSV holds the feature columns and the library's outputs: `expected_class`, and either
//! `expected_score` (binary margin or decision value, regression prediction),
//! `expected_score_<k>` (per-class margins) or `expected_proba_<k>` (class probabilities; for
//! a binary classifier `expected_proba_1` alone will do). Errors and tolerances are in the unit
//! compared: score, or probability.

use crate::fixed_point::pow2;
use crate::inference::infer;
use crate::input::parse_number;
use crate::model::{Body, Model, Precision};
use crate::quantize::score_error_bound;
use crate::table::Table;

/// What the library recorded that the check compares with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compared {
    Scores,
    Probabilities,
    Nothing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    pub rows: usize,
    /// Rows whose class matched, when the CSV records classes.
    pub class_matches: Option<usize>,
    pub compared: Compared,
    /// Largest |zkinfer − library| over rows and outputs, in score or probability units.
    pub max_error: f64,
    /// The documented bound that `max_error` must respect, in the same unit: [`tolerance`],
    /// times the link's [`probability_slope`](crate::model::Link::probability_slope) for
    /// probabilities.
    pub tolerance: f64,
    /// The first rows that disagree or are refused (1-based data row, description).
    pub failures: Vec<(usize, String)>,
    /// Rows the model refuses (a value outside its input range, NaN where it takes none): each
    /// is a failure, and the check goes on with the next.
    pub refused: usize,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.refused == 0
            && self.class_matches.is_none_or(|m| m == self.rows)
            && self.max_error <= self.tolerance
    }
}

/// Runs the model on every row of `csv` and compares with the recorded outputs.
pub fn check_against_csv(model: &Model, csv: &str) -> Result<CheckReport, String> {
    let table = Table::parse_csv(csv)?;
    let names = &model.input.features;
    let features = table
        .columns(names)
        .map_err(|missing| format!("no column for feature(s) {}", missing.join(", ")))?;
    let column = |name: &str| table.header.iter().position(|h| h == name);
    let class_column = column("expected_class");
    let scores = model.num_scores();
    // Each compared column, with the output it records.
    let numbered = |found: Vec<usize>| found.into_iter().enumerate().map(|(k, c)| (c, k)).collect();
    let classes = model.output.classes.len();
    let (compared, outputs): (Compared, Vec<(usize, usize)>) =
        if let Some(c) = column("expected_score") {
            (Compared::Scores, vec![(c, 0)])
        } else if let Some(found) = indexed_columns(&table, "expected_score_", scores) {
            (Compared::Scores, numbered(found))
        } else if let Some(found) = indexed_columns(&table, "expected_proba_", classes) {
            (Compared::Probabilities, numbered(found))
        } else if let Some(c) = column("expected_proba_1").filter(|_| classes == 2) {
            (Compared::Probabilities, vec![(c, 1)])
        } else {
            (Compared::Nothing, Vec::new())
        };
    if class_column.is_none() && compared == Compared::Nothing {
        return Err("the CSV records no expected_class and no expected scores".into());
    }
    if compared == Compared::Probabilities && model.output.link.probabilities(&[0.0]).is_none() {
        return Err(
            "the CSV records probabilities, but this model's scores have none (record \
                    expected_score)"
                .into(),
        );
    }
    let mut report = CheckReport {
        rows: table.rows.len(),
        class_matches: class_column.map(|_| 0),
        compared,
        max_error: 0.0,
        tolerance: match compared {
            Compared::Probabilities => tolerance(model) * model.output.link.probability_slope(),
            _ => tolerance(model),
        },
        failures: Vec::new(),
        refused: 0,
    };
    for (r, row) in table.rows.iter().enumerate() {
        let raw = (features.iter().enumerate())
            .map(|(f, &c)| model.read_cell(f, &row[c]))
            .collect::<Result<Vec<f64>, _>>()
            .map_err(|e| format!("row {}: {e}", r + 1))?;
        let input = match model.quantize_input(&raw) {
            Ok(input) => input,
            Err(e) => {
                report.refused += 1;
                if report.failures.len() < 10 {
                    report.failures.push((r + 1, format!("refused: {e}")));
                }
                continue;
            }
        };
        let prediction = infer(model, &input);
        let real = prediction.real_scores(model);
        let mut problems = Vec::new();
        if let (Some(c), Some(label)) = (class_column, prediction.label(model)) {
            let expected = row[c].trim();
            if expected == label {
                *report.class_matches.as_mut().expect("set with the column") += 1;
            } else {
                problems.push(format!("class {label}, library {expected}"));
            }
        }
        let ours = match compared {
            Compared::Scores => Some(real),
            Compared::Probabilities => model.output.link.probabilities(&real),
            Compared::Nothing => None,
        };
        if let Some(ours) = ours {
            for &(c, output) in &outputs {
                let value = ours[output];
                if row[c].trim().is_empty() {
                    // An empty feature is a missing value; an empty prediction is no record.
                    return Err(format!("row {}: {} is empty", r + 1, table.header[c]));
                }
                let expected = parse_number(&table.header[c], &row[c])
                    .map_err(|e| format!("row {}: {e}", r + 1))?;
                if !expected.is_finite() {
                    return Err(format!("row {}: {} is {expected}", r + 1, table.header[c]));
                }
                let error = (value - expected).abs();
                report.max_error = report.max_error.max(error);
                if error > report.tolerance {
                    problems.push(format!(
                        "{} = {value}, library {expected} (error {error:.3e})",
                        table.header[c]
                    ));
                }
            }
        }
        if !problems.is_empty() && report.failures.len() < 10 {
            report.failures.push((r + 1, problems.join("; ")));
        }
    }
    Ok(report)
}

/// For a network: the summed terms of all layers (one dot product each), and a bound on each
/// score's sum of term magnitudes with every earlier layer's magnitudes propagated through the
/// weights (the float error of a hidden value reaches the scores through them too). Real
/// weights are within `(|W| + ½)·2^(s_in − m)`, inputs within their grid or activation range.
fn mlp_magnitude(model: &Model, mlp: &crate::model::Mlp) -> (usize, f64) {
    // Per input of the current layer: (scale, bound on its real magnitude); an indicator's is 1.
    let mut inputs: Vec<(i32, f64)> = (model.body_grid().into_iter())
        .zip(model.largest_body_inputs())
        .map(|((s, _), largest)| (s, largest * pow2(-s)))
        .collect();
    let magnitude = |layer: &crate::model::Layer, c: usize, m: i32, inputs: &[(i32, f64)]| {
        (layer.weights[c].iter().zip(inputs))
            .map(|(&w, &(s, a))| (w.unsigned_abs() as f64 + 0.5) * pow2(s - m) * a)
            .sum::<f64>()
            + (layer.bias[c].unsigned_abs() as f64 + 0.5) * pow2(-m)
    };
    let shift = zkinfer_air::mlp::SHIFT as i32;
    let mut terms = 0;
    for (layer, scales) in mlp.hidden.iter().zip(&mlp.activation_scale_log2) {
        terms += inputs.len() + 1;
        inputs = (scales.iter().enumerate())
            .map(|(j, &e)| (e, magnitude(layer, j, e + shift, &inputs)))
            .collect();
    }
    terms += inputs.len();
    let m = model.output.score_scale_log2 as i32;
    let worst = (0..mlp.output.bias.len())
        .map(|c| magnitude(&mlp.output, c, m, &inputs))
        .fold(0.0, f64::max);
    // In score units, as the caller multiplies by the unit.
    (terms, worst * pow2(m))
}

fn indexed_columns(table: &Table, prefix: &str, count: usize) -> Option<Vec<usize>> {
    (0..count)
        .map(|k| {
            table
                .header
                .iter()
                .position(|h| *h == format!("{prefix}{k}"))
        })
        .collect()
}

/// The largest difference the check accepts between zkinfer's and the library's outputs: the
/// quantization bound ([`score_error_bound`]) plus the library's own float rounding,
/// `(n + 1) · ε · A`, where `n` is the number of summed terms, `ε` is `2^-23` for libraries that
/// compute or store parameters in float32 and `2^-52` otherwise, and `A` bounds the sum of the
/// terms' magnitudes over all inputs in range.
pub fn tolerance(model: &Model) -> f64 {
    let unit = model.output.score_unit();
    let epsilon = match model.input.precision {
        Precision::F32 => pow2(-23),
        Precision::F64 => pow2(-52),
    };
    let quantization = score_error_bound(model).into_iter().fold(0.0, f64::max);
    let (terms, magnitude) = match &model.body {
        Body::Linear(linear) => {
            let largest = model.largest_body_inputs();
            let magnitude = linear
                .weights
                .iter()
                .zip(&linear.bias)
                .map(|(row, &bias)| {
                    row.iter()
                        .zip(&largest)
                        .map(|(&w, &x)| (w as f64).abs() * 2.0 * x)
                        .sum::<f64>()
                        + (bias as f64).abs()
                })
                .fold(0.0, f64::max);
            (model.body_width(), magnitude)
        }
        Body::Trees(ensemble) => {
            let magnitude = ensemble
                .trees
                .iter()
                .map(|t| {
                    t.leaf_value
                        .iter()
                        .map(|v| v.unsigned_abs())
                        .max()
                        .unwrap_or(0) as f64
                })
                .sum::<f64>()
                + ensemble
                    .base
                    .iter()
                    .map(|b| b.unsigned_abs() as f64)
                    .sum::<f64>();
            (ensemble.trees.len(), magnitude)
        }
        Body::Mlp(mlp) => mlp_magnitude(model, mlp),
    };
    quantization + (terms as f64 + 1.0) * epsilon * magnitude * unit
}

#[cfg(test)]
mod tests {
    use super::{check_against_csv, tolerance, Compared};
    use crate::examples::Flagship;

    /// The flagship's held-out rows with the library's margins turned into `expected_proba_1`
    /// alone (plus `delta` on row 1), and without `expected_class`.
    fn probabilities(delta: f64) -> String {
        let mut lines = Flagship::HELDOUT.lines();
        let header = lines
            .next()
            .unwrap()
            .replace("expected_class,expected_score", "");
        let mut csv = format!("{header}expected_proba_1\n");
        for (r, line) in lines.enumerate() {
            let (features, outputs) = line.split_at(line.rfind(',').unwrap());
            let (features, _class) = features.split_at(features.rfind(',').unwrap());
            let margin: f64 = outputs[1..].parse().unwrap();
            let p = 1.0 / (1.0 + (-margin).exp()) + if r == 0 { delta } else { 0.0 };
            csv.push_str(&format!("{features},{p}\n"));
        }
        csv
    }

    /// A lone `expected_proba_1` is compared, in probability units: the tolerance is the score
    /// bound times the logistic's slope, 1/4, and a probability off by more fails.
    #[test]
    fn a_binary_models_probability_of_class_1_alone_is_checked_in_probability_units() {
        let model = Flagship::load().unwrap().model;
        let report = check_against_csv(&model, &probabilities(0.0)).unwrap();
        assert_eq!(report.compared, Compared::Probabilities);
        assert_eq!(report.rows, 143);
        assert_eq!(report.tolerance, tolerance(&model) / 4.0);
        assert!(report.max_error > 0.0 && report.passed(), "{report:?}");
        let off = check_against_csv(&model, &probabilities(2.0 * report.tolerance)).unwrap();
        assert!(!off.passed());
        assert_eq!(off.failures.len(), 1);
        assert!(
            off.failures[0].1.starts_with("expected_proba_1 = "),
            "{off:?}"
        );
        // An empty or non-numeric recorded probability is named, not skipped.
        let csv = probabilities(0.0);
        let (head, rest) = csv.split_at(csv.find('\n').unwrap() + 1);
        let (first, rest) = rest.split_at(rest.find('\n').unwrap());
        let features = &first[..first.rfind(',').unwrap()];
        for (cell, error) in [("", "is empty"), ("NaN", "is NaN")] {
            let csv = format!("{head}{features},{cell}{rest}");
            let expected = format!("row 1: expected_proba_1 {error}");
            assert_eq!(check_against_csv(&model, &csv), Err(expected));
        }
        // Scores without a probability cannot be checked against probabilities.
        let mut raw = model.clone();
        raw.output.link = crate::model::Link::None;
        let refused = check_against_csv(&raw, &probabilities(0.0)).unwrap_err();
        assert!(
            refused.contains("this model's scores have none"),
            "{refused}"
        );
    }
}
