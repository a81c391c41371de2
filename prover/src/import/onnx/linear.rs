//! `LinearClassifier` and `LinearRegressor`, with any `Scaler` before them folded in.
//!
//! onnxruntime computes both operators in float: it casts a double input to float first, and the
//! coefficients are float attributes. The models therefore always have precision F32.

use crate::error::FormatError;
use crate::model::{Link, Precision, Task};
use crate::source::{SourceBody, SourceModel};

use super::attributes::{class_labels, describe, Attributes};
use super::scalers::fold_scalers;
use super::Context;

/// `LinearClassifier`: `s_c = Σ_f coefficients[c·F + f]·x_f + intercepts[c]`.
///
/// - One row and two labels: binary, class 1 iff `s_0 > 0` (onnxruntime's rule).
/// - Two rows and two labels: onnxruntime takes the first largest score, so class 1 iff
///   `s_1 > s_0`; the binary score is `(s_1 − s_0)/2`, or `s_1 − s_0` under `SOFTMAX` so that
///   the logistic link gives the softmax probability exactly.
/// - `K ≥ 3` rows and labels: multiclass on the `K` scores.
pub(super) fn classifier(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<SourceModel, FormatError> {
    let node = describe(attributes.node());
    let labels = class_labels(attributes, "classlabels_ints", "classlabels_strings")?;
    let (mut weights, mut bias) = coefficients(attributes, context)?;
    fold_scalers(context, &mut weights, &mut bias)?;
    let post = attributes.post_transform()?;
    let unsupported_post = |task: &str| {
        FormatError::unsupported(format!("{node} with post_transform {post} for {task}"))
    };
    let (task, link, weights, bias) = match (weights.len(), labels.len()) {
        (1, 2) => {
            let link = match post {
                "NONE" => Link::None,
                "LOGISTIC" => Link::Logistic,
                _ => return Err(unsupported_post("a binary model")),
            };
            (Task::Binary, link, weights, bias)
        }
        (2, 2) => {
            let (factor, link) = match post {
                "NONE" => (0.5, Link::None),
                "LOGISTIC" => (0.5, Link::Logistic),
                "SOFTMAX" => (1.0, Link::Logistic),
                _ => return Err(unsupported_post("a binary model")),
            };
            let row: Vec<f64> = weights[1]
                .iter()
                .zip(&weights[0])
                .map(|(w1, w0)| (w1 - w0) * factor)
                .collect();
            let b = (bias[1] - bias[0]) * factor;
            (Task::Binary, link, vec![row], vec![b])
        }
        (rows, classes) if rows == classes && rows >= 3 => {
            let link = match post {
                "NONE" => Link::None,
                "SOFTMAX" => Link::Softmax,
                "LOGISTIC" => Link::OneVsRestLogistic,
                _ => return Err(unsupported_post("a multiclass model")),
            };
            (Task::Multiclass, link, weights, bias)
        }
        (rows, classes) => {
            return Err(FormatError::malformed(format!(
                "{node} has {rows} coefficient rows for {classes} class labels"
            )))
        }
    };
    let features = weights.first().map_or(0, Vec::len);
    Ok(SourceModel {
        labels: None,
        source: context.source.clone(),
        feature_names: context.feature_names(features),
        precision: Precision::F32,
        task,
        classes: labels,
        link,
        body: SourceBody::Linear {
            weights,
            bias,
            indicators: None,
        },
    })
}

/// `LinearRegressor` with one target: `y = Σ_f coefficients[f]·x_f + intercepts[0]`.
pub(super) fn regressor(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<SourceModel, FormatError> {
    let node = describe(attributes.node());
    let targets = attributes.int("targets")?.unwrap_or(1);
    if targets != 1 {
        return Err(FormatError::unsupported(format!(
            "{node} with {targets} targets"
        )));
    }
    let post = attributes.post_transform()?;
    if post != "NONE" {
        return Err(FormatError::unsupported(format!(
            "{node} with post_transform {post}"
        )));
    }
    let coefficients = attributes.floats("coefficients")?;
    let intercepts = attributes.floats("intercepts")?;
    let bias = match intercepts {
        [] => 0.0,
        [b] => f64::from(*b),
        more => {
            return Err(FormatError::malformed(format!(
                "{node} has {} intercepts for one target",
                more.len()
            )))
        }
    };
    let features = context.check_features(coefficients.len(), "the coefficients")?;
    let mut weights = vec![coefficients.iter().map(|&w| f64::from(w)).collect()];
    let mut bias = vec![bias];
    fold_scalers(context, &mut weights, &mut bias)?;
    Ok(SourceModel {
        labels: None,
        source: context.source.clone(),
        feature_names: context.feature_names(features),
        precision: Precision::F32,
        task: Task::Regression,
        classes: Vec::new(),
        link: Link::Identity,
        body: SourceBody::Linear {
            weights,
            bias,
            indicators: None,
        },
    })
}

/// The classifier's coefficient rows (one per intercept, as onnxruntime counts them).
fn coefficients(
    attributes: &Attributes<'_>,
    context: &Context<'_>,
) -> Result<(Vec<Vec<f64>>, Vec<f64>), FormatError> {
    let node = describe(attributes.node());
    let coefficients = attributes.floats("coefficients")?;
    let intercepts = attributes.floats("intercepts")?;
    let rows = intercepts.len();
    if rows == 0 {
        return Err(FormatError::malformed(format!("{node} has no intercepts")));
    }
    if coefficients.len() % rows != 0 {
        return Err(FormatError::malformed(format!(
            "{node} has {} coefficients for {rows} intercepts",
            coefficients.len()
        )));
    }
    let features = context.check_features(coefficients.len() / rows, "the coefficients")?;
    let weights = coefficients
        .chunks_exact(features)
        .map(|row| row.iter().map(|&w| f64::from(w)).collect())
        .collect();
    let bias = intercepts.iter().map(|&b| f64::from(b)).collect();
    Ok((weights, bias))
}
