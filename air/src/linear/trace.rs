use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TraceTable;

use winterfell::ProofOptions;

use super::air::felt;
use super::{LinearPublicInputs, ACC, BITS, COMPARISON_BITS, COMPARISON_ROWS, FEATURE_BITS, X};
use crate::zk::ZkParams;

/// The trace length for a statement proved with `options`.
pub fn trace_length(inputs: &LinearPublicInputs, options: &ProofOptions) -> usize {
    ZkParams::for_options(options).trace_length(inputs.real_rows(), options)
}

/// The honest trace for features `q`: the running scores follow the reference inference's
/// integer arithmetic step by step, in the field, then each comparison's value is written as
/// three 16-bit chunks; the last `r` rows of every column, all of the `A_i` and DEEP-mask
/// columns, and `B` on the random rows come from `random`, which must be a CSPRNG for the proof
/// to hide anything. Returns `None` if a comparison does not hold (its value would be negative
/// or reach `2^48`).
pub fn build_trace(
    inputs: &LinearPublicInputs,
    q: &[u16],
    options: &ProofOptions,
    random: &mut dyn FnMut() -> BaseElement,
) -> Option<TraceTable<BaseElement>> {
    let features = q.len();
    let zk = ZkParams::for_options(options);
    let n = trace_length(inputs, options);
    let cmp = inputs.cmp_column();
    let mut columns = vec![vec![BaseElement::ZERO; n]; inputs.trace_width(&zk)];

    // x on every row: the features, then the comparisons' chunks.
    let mut x = vec![0u16; n];
    x[..features].copy_from_slice(q);
    let scores: Vec<i64> = (0..inputs.num_scores())
        .map(|c| {
            inputs.bias[c]
                + (0..features)
                    .map(|f| inputs.weights[c][f] * q[f] as i64)
                    .sum::<i64>()
        })
        .collect();
    for (j, comparison) in inputs.comparisons.iter().enumerate() {
        let value: i128 = comparison.offset as i128
            + (comparison.coefficients.iter().zip(&scores))
                .map(|(&a, &s)| a as i128 * s as i128)
                .sum::<i128>();
        if !(0..1i128 << COMPARISON_BITS).contains(&value) {
            return None;
        }
        let start = inputs.comparison_start(j);
        for chunk in 0..COMPARISON_ROWS {
            x[start + chunk] = (value >> (16 * chunk)) as u16;
        }
    }

    let mut acc: Vec<BaseElement> = inputs.bias.iter().map(|&b| felt(b)).collect();
    let mut assembled = BaseElement::ZERO;
    // Each row writes several columns, so a row index reads best.
    #[allow(clippy::needless_range_loop)]
    for row in 0..n {
        columns[X][row] = BaseElement::from(x[row]);
        for j in 0..FEATURE_BITS {
            columns[BITS + j][row] = BaseElement::from((x[row] >> j) & 1);
        }
        for (c, value) in acc.iter_mut().enumerate() {
            columns[ACC + c][row] = *value;
            if row < features {
                *value += felt(inputs.weights[c][row]) * BaseElement::from(x[row]);
            }
        }
        let comparison_row = row
            .checked_sub(features)
            .filter(|r| *r < COMPARISON_ROWS * inputs.comparisons.len());
        if let Some(offset) = comparison_row {
            let chunk = offset % COMPARISON_ROWS;
            let scale = BaseElement::new(1 << (16 * chunk));
            assembled = if chunk == 0 {
                BaseElement::ZERO
            } else {
                assembled
            };
            assembled += scale * BaseElement::from(x[row]);
        }
        columns[cmp][row] = assembled;
    }
    mask(&mut columns, inputs.mask_column(), &zk, random);
    Some(TraceTable::init(columns))
}

/// Random tail rows in every witness column; `A_i` and the DEEP masks random everywhere; `B`
/// zero on the enforced rows and random on the exempt ones.
fn mask(
    columns: &mut [Vec<BaseElement>],
    masks: usize,
    zk: &ZkParams,
    random: &mut dyn FnMut() -> BaseElement,
) {
    let n = columns[0].len();
    let tail = n - zk.random_rows;
    let b = masks + zk.quotient_mask_columns;
    for (index, column) in columns.iter_mut().enumerate() {
        let from = match index {
            _ if index == b => tail - 1, // every exempt row, the last real one included
            _ if index >= masks => 0,
            _ => tail,
        };
        column[from..].iter_mut().for_each(|v| *v = random());
    }
}
