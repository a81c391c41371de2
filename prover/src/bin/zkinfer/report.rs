//! Human-readable reports printed by the CLI.

use std::fmt::Write;

use serde_json::json;
use zkinfer::check::{CheckReport, Compared};
use zkinfer::fixed_point::{ExactFloat, SplitRule};
use zkinfer::model::{Body, Encoding, MissingRule, Precision, Task};
use zkinfer::quantize::score_error_bound;
use zkinfer::{Model, Prediction};

/// Id, task, size and fixed-point scales.
pub fn summary(model: &Model) -> String {
    let mut out = String::new();
    let stats = model.stats();
    let output = &model.output;
    let line = |out: &mut String, key: &str, value: String| {
        writeln!(out, "{key:<12} {value}").expect("writing to a String")
    };
    line(&mut out, "model id", model.id().to_string());
    line(&mut out, "source", model.source.clone());
    let task = match output.task {
        Task::Binary => format!(
            "binary classification, classes {} (class {} iff score > 0)",
            output.classes.join(", "),
            output.classes[1]
        ),
        Task::Multiclass => format!(
            "{}-class classification, classes {} (largest score wins)",
            output.classes.len(),
            output.classes.join(", ")
        ),
        Task::Regression => "regression".to_string(),
    };
    line(&mut out, "task", format!("{task}; link {:?}", output.link));
    let body = match &model.body {
        Body::Linear(_) => format!("linear, {} weights", stats.weights),
        Body::Trees(_) => format!(
            "{} trees, {} splits, {} leaves, max depth {}",
            stats.trees, stats.splits, stats.leaves, stats.max_depth
        ),
        Body::Mlp(mlp) => {
            let widths: Vec<String> = std::iter::once(model.body_width())
                .chain(mlp.layers().map(|layer| layer.bias.len()))
                .map(|w| w.to_string())
                .collect();
            format!(
                "network {} ({:?} hidden layers), {} weights",
                widths.join("-"),
                mlp.activation,
                stats.weights
            )
        }
    };
    line(&mut out, "body", body);
    if let Some((rows, columns)) = zkinfer::proving::largest_trace(model) {
        let cells = rows * columns;
        line(
            &mut out,
            "trace",
            format!(
                "at most {rows} rows × {columns} base columns ({cells} cells, {:.0} % of the \
                 limit; any output, either profile)",
                100.0 * cells as f64 / zkinfer::limits::MAX_TRACE_CELLS as f64
            ),
        );
    }
    let precision = match model.input.precision {
        Precision::F32 => "float32",
        Precision::F64 => "float64",
    };
    let encoding = match &model.input.encoding {
        Encoding::Grid { scale_log2, .. } => format!(
            "16-bit grids of 2^{}..2^{} points per unit; out-of-range values refused",
            scale_log2.iter().min().expect("a model has features"),
            scale_log2.iter().max().expect("a model has features"),
        ),
        Encoding::Bins { rule, cuts } => format!(
            "binned at {} split thresholds ({}); every decision exact",
            cuts.iter().map(Vec::len).sum::<usize>(),
            match rule {
                SplitRule::LessThan => "left iff x < t",
                SplitRule::LessOrEqual => "left iff x <= t",
            }
        ),
    };
    line(
        &mut out,
        "features",
        format!("{} {precision} inputs, {encoding}", model.num_features()),
    );
    let missing = match &model.input.missing {
        None => "refused (NaN is an error)".to_string(),
        Some(rules) => {
            let count = |rule| rules.iter().filter(|&&r| r == rule).count();
            let kinds = [
                MissingRule::Nan,
                MissingRule::NanOrZero,
                MissingRule::NanAsZero,
            ];
            let parts: Vec<String> = (kinds.into_iter())
                .filter(|&rule| count(rule) > 0)
                .map(|rule| format!("{} in {} features", missing_name(rule), count(rule)))
                .collect();
            format!(
                "{}; each split sends them its default way (format version {})",
                parts.join(", "),
                model.version
            )
        }
    };
    line(&mut out, "missing", missing);
    if let Some(categorical) = &model.input.categorical {
        let names: Vec<String> = (model.input.features.iter().zip(categorical))
            .filter_map(|(name, c)| {
                let c = c.as_ref()?;
                // A string feature's categories are its names (a tree may split on fewer).
                Some(match (&c.known, &c.labels) {
                    (None, Some(labels)) => format!("{name} ({} named categories)", labels.len()),
                    (None, None) => format!("{name} ({} categories)", c.count),
                    (Some(known), labels) => {
                        let named = if labels.is_some() { "named " } else { "" };
                        format!("{name} ({} {named}categories, others refused)", known.len())
                    }
                })
            })
            .collect();
        line(
            &mut out,
            "categorical",
            match model.reads_indicators() {
                true => format!(
                    "{}; each read as one-hot indicators, at most one of them 1 (format version 3)",
                    names.join(", ")
                ),
                false => format!(
                    "{}; each split on one sends a set of categories one way (format version 3)",
                    names.join(", ")
                ),
            },
        );
    }
    line(
        &mut out,
        "scores",
        format!("2^{} per unit", output.score_scale_log2),
    );
    let bound = score_error_bound(model).into_iter().fold(0.0, f64::max);
    let meaning = match &model.body {
        Body::Linear(_) | Body::Mlp(_) => "over all inputs in range",
        Body::Trees(_) => "leaf rounding; decisions exact",
    };
    line(
        &mut out,
        "error bound",
        format!("score ±{bound:.3e} ({meaning})"),
    );
    out
}

/// One line per feature: name and its grid or cuts.
pub fn features(model: &Model) -> String {
    let mut out = String::new();
    let mut row = |text: String| writeln!(out, "{text}").expect("writing to a String");
    match &model.input.encoding {
        Encoding::Grid { scale_log2, offset } => {
            row(format!(
                "{:<4} {:<32} {:>6} {:>16} {:>14} {:>14}",
                "#", "feature", "scale", "offset", "min", "max"
            ));
            for (i, name) in model.input.features.iter().enumerate() {
                let (min, max) = model.feature_range(i).expect("grid encoding");
                let scale = format!("2^{}", scale_log2[i]);
                row(format!(
                    "{i:<4} {name:<32} {scale:>6} {:>16} {min:>14.6e} {max:>14.6e}",
                    offset[i]
                ));
            }
        }
        Encoding::Bins { cuts, .. } => {
            row(format!(
                "{:<4} {:<32} {:>6} {:>14} {:>14}  {}",
                "#", "feature", "cuts", "lowest", "highest", "missing"
            ));
            for (i, name) in model.input.features.iter().enumerate() {
                let value = |c: Option<&ExactFloat>| {
                    c.and_then(|c| c.to_f64())
                        .map_or("-".to_string(), |v| format!("{v:.6e}"))
                };
                let (mut low, mut high) = (value(cuts[i].first()), value(cuts[i].last()));
                if let Some(categories) = model.categories(i) {
                    (low, high) = (
                        "category 0".into(),
                        format!("category {}", categories.count - 1),
                    );
                }
                let missing = (model.input.missing.as_ref())
                    .map_or("refused", |rules| missing_name(rules[i]));
                row(format!(
                    "{i:<4} {name:<32} {:>6} {low:>14} {high:>14}  {missing}",
                    cuts[i].len()
                ));
            }
        }
    }
    // A string feature's inputs are its categories' names.
    for (i, name) in model.input.features.iter().enumerate() {
        let Some(labels) = model.categories(i).and_then(|c| c.labels.as_ref()) else {
            continue;
        };
        let named: Vec<String> = (labels.iter().enumerate())
            .map(|(k, label)| format!("{label:?} ({k})"))
            .collect();
        row(format!("{name} takes one of: {}", named.join(", ")));
    }
    out
}

/// What a feature's rule calls missing, in a few words.
fn missing_name(rule: MissingRule) -> &'static str {
    match rule {
        MissingRule::Nan => "NaN",
        MissingRule::NanOrZero => "NaN or zero",
        MissingRule::NanAsZero => "none (NaN read as 0)",
    }
}

/// A prediction as one JSON object.
pub fn prediction_json(model: &Model, prediction: &Prediction) -> String {
    let real = prediction.real_scores(model);
    let mut value = json!({
        "scores": real,
        "fixed_scores": prediction.scores,
        "score_scale_log2": model.output.score_scale_log2,
    });
    if let Some(label) = prediction.label(model) {
        value["class"] = json!(label);
    }
    if let Some(p) = model.output.link.probabilities(&real) {
        value["probabilities"] = json!(p);
    }
    value.to_string()
}

pub fn check(report: &CheckReport) -> String {
    let mut out = String::new();
    if let Some(matches) = report.class_matches {
        writeln!(
            out,
            "check        {} rows: class agreement {matches}/{} ({:.2} %)",
            report.rows,
            report.rows,
            100.0 * matches as f64 / report.rows as f64
        )
        .expect("writing to a String");
    }
    let what = match report.compared {
        Compared::Scores => "score",
        Compared::Probabilities => "probability",
        Compared::Nothing => "",
    };
    if report.compared != Compared::Nothing {
        writeln!(
            out,
            "check        max {what} error {:.3e} (tolerance {:.3e})",
            report.max_error, report.tolerance
        )
        .expect("writing to a String");
    }
    if report.refused > 0 {
        writeln!(
            out,
            "check        {} of {} rows refused by the model (each a mismatch below)",
            report.refused, report.rows
        )
        .expect("writing to a String");
    }
    for (row, problem) in &report.failures {
        writeln!(out, "mismatch     row {row}: {problem}").expect("writing to a String");
    }
    out
}
