//! A disclosed output as the bindings hand it to their callers: real scores next to the exact
//! fixed-point ones, a class with its label, a threshold in both units.

use serde::Serialize;

use crate::fixed_point::pow2;
use crate::model::Model;
use crate::proving::Output;

/// Serialized with `kind` (`"class"`, `"scores"`, `"atLeast"`) beside the fields, in
/// JavaScript's camelCase.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OutputView {
    /// The class index and its label.
    Class { class: usize, label: Option<String> },
    /// Real scores and the fixed-point integers they stand for.
    Scores { scores: Vec<f64>, fixed: Vec<i64> },
    /// Whether the score is at least the threshold (real, and fixed-point).
    #[serde(rename_all = "camelCase")]
    AtLeast {
        threshold: f64,
        fixed_threshold: i64,
        holds: bool,
    },
}

impl OutputView {
    pub fn new(model: &Model, output: &Output) -> OutputView {
        let unit = pow2(-(model.output.score_scale_log2 as i32));
        match output {
            Output::Class(class) => OutputView::Class {
                class: *class,
                label: model.output.classes.get(*class).cloned(),
            },
            Output::Scores(scores) => OutputView::Scores {
                scores: scores.iter().map(|&s| s as f64 * unit).collect(),
                fixed: scores.clone(),
            },
            Output::AtLeast { threshold, holds } => OutputView::AtLeast {
                threshold: *threshold as f64 * unit,
                fixed_threshold: *threshold,
                holds: *holds,
            },
        }
    }
}
