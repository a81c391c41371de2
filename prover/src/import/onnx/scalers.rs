//! `Scaler` nodes before a linear predictor or the first layer of a network, folded into its
//! weights.

use crate::error::FormatError;

use super::attributes::{describe, Attributes};
use super::Context;

/// Folds the `Scaler`s before the predictor (or the first dense layer) into its weights
/// `weights[out][in]` and biases, in f64.
///
/// A `Scaler` maps `x_f` to `(x_f − offset_f)·scale_f` (one value per feature, or one for all).
/// Tracking the chain as `x'_f = a_f·x_f + c_f`, the model `Σ w_f·x'_f + b` becomes
/// `Σ (w_f·a_f)·x_f + (b + Σ w_f·c_f)`; for one `Scaler`, `w' = w·scale` (exact: a product of two
/// floats fits an f64) and `b' = b − Σ w·scale·offset`.
pub(super) fn fold_scalers(
    context: &Context<'_>,
    weights: &mut [Vec<f64>],
    bias: &mut [f64],
) -> Result<(), FormatError> {
    if context.scalers.is_empty() {
        return Ok(());
    }
    let features = weights.first().map_or(0, Vec::len);
    let mut a = vec![1.0f64; features];
    let mut c = vec![0.0f64; features];
    for &scaler in &context.scalers {
        let attributes = Attributes::new(scaler)?;
        let node = describe(scaler);
        let scale = attributes.floats("scale")?;
        let offset = attributes.floats("offset")?;
        if scale.is_empty() || scale.len() != offset.len() {
            return Err(FormatError::malformed(format!(
                "{node} has {} scales and {} offsets",
                scale.len(),
                offset.len()
            )));
        }
        if scale.len() != 1 && scale.len() != features {
            return Err(FormatError::malformed(format!(
                "{node} has {} scales for {features} features",
                scale.len()
            )));
        }
        let pick =
            |values: &[f32], f: usize| f64::from(values[if values.len() == 1 { 0 } else { f }]);
        for f in 0..features {
            let (s, o) = (pick(scale, f), pick(offset, f));
            a[f] *= s;
            c[f] = (c[f] - o) * s;
        }
    }
    for (row, b) in weights.iter_mut().zip(bias.iter_mut()) {
        let mut shift = 0.0;
        for ((w, &a), &c) in row.iter_mut().zip(&a).zip(&c) {
            shift += *w * c;
            *w *= a;
        }
        *b += shift;
    }
    Ok(())
}
