use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TraceTable;

use super::air::felt;
use super::{LinearPublicInputs, ACC, BITS, FEATURE_BITS, X};

/// Rows for `features` feature rows and the final scores.
pub fn trace_length(features: usize) -> usize {
    (features + 1).next_power_of_two().max(8)
}

/// The honest trace for features `q`: the running scores follow the reference inference's
/// integer arithmetic step by step, in the field.
pub fn build_trace(inputs: &LinearPublicInputs, q: &[u16]) -> TraceTable<BaseElement> {
    let n = trace_length(q.len());
    let width = ACC + inputs.num_scores();
    let mut columns = vec![vec![BaseElement::ZERO; n]; width];
    let mut acc: Vec<BaseElement> = inputs.bias.iter().map(|&b| felt(b)).collect();
    // Each row writes several columns, so a row index reads best.
    #[allow(clippy::needless_range_loop)]
    for row in 0..n {
        let x = q.get(row).copied().unwrap_or(0);
        columns[X][row] = BaseElement::from(x);
        for j in 0..FEATURE_BITS {
            columns[BITS + j][row] = BaseElement::from((x >> j) & 1);
        }
        for (c, value) in acc.iter_mut().enumerate() {
            columns[ACC + c][row] = *value;
            if row < q.len() {
                *value += felt(inputs.weights[c][row]) * BaseElement::from(x);
            }
        }
    }
    TraceTable::init(columns)
}
