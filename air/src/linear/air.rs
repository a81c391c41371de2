use core::ops::Range;

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TransitionConstraintDegree;

use crate::disclosure::felt;
use crate::inference::{Body, Host, InferenceAir, Statement};
use crate::input::{feature_row, present_values, Feature};

/// A linear model's public data: `weights[c][f]` and `bias[c]`, and the groups of features
/// that are one-hot indicators (a categorical feature's, [`Body::one_hot`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearBody {
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
    pub one_hot: Vec<Range<usize>>,
}

pub type LinearStatement = Statement<LinearBody>;
pub type LinearAir = InferenceAir<LinearBody>;

impl Body for LinearBody {
    fn num_features(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }

    fn num_scores(&self) -> usize {
        self.bias.len()
    }

    fn one_hot(&self) -> &[Range<usize>] {
        &self.one_hot
    }

    fn rows(&self) -> usize {
        0
    }

    fn reads(&self, _row: usize) -> Option<usize> {
        None
    }

    fn width(&self) -> usize {
        self.num_scores()
    }

    fn scores_column(&self) -> usize {
        0
    }

    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let flagged = TransitionConstraintDegree::with_cycles(1, vec![trace_length]);
        vec![flagged; self.num_scores()]
    }

    fn constraint_labels(&self) -> Vec<String> {
        (0..self.num_scores())
            .map(|c| format!("linear.acc[{c}]"))
            .collect()
    }

    fn initial_value_labels(&self) -> Vec<String> {
        (0..self.num_scores())
            .map(|c| format!("linear.bias[{c}]"))
            .collect()
    }

    /// Per score, its weight on each feature row (zero elsewhere).
    fn periodic_columns(&self, _first_row: usize, n: usize) -> Vec<Vec<BaseElement>> {
        (self.weights.iter())
            .map(|row| {
                let mut column = vec![BaseElement::ZERO; n];
                for (f, &w) in row.iter().enumerate() {
                    column[feature_row(f)] = felt(w);
                }
                column
            })
            .collect()
    }

    fn num_periodic_columns(&self) -> usize {
        self.num_scores()
    }

    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        host: Host<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        for c in 0..self.num_scores() {
            result[c] = next[c] - current[c] - periodic[c] * host.x;
        }
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        (self.bias.iter().enumerate())
            .map(|(c, &b)| (c, felt(b)))
            .collect()
    }

    /// Each accumulator starts at its bias and adds `W_c,f·q_f` on feature `f`'s row.
    fn fill(
        &self,
        q: &[Feature],
        _first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        let q = present_values(q);
        for ((column, row), &bias) in columns.iter_mut().zip(&self.weights).zip(&self.bias) {
            let mut acc = bias;
            for (r, cell) in column[..=last_row].iter_mut().enumerate() {
                *cell = felt(acc);
                if let Some(f) = r.checked_sub(feature_row(0)).filter(|&f| f < q.len()) {
                    acc += row[f] * i64::from(q[f]);
                }
            }
        }
        self.scores(&q)
    }

    fn to_elements(&self) -> Vec<BaseElement> {
        let mut elements: Vec<BaseElement> =
            self.weights.iter().flatten().map(|&w| felt(w)).collect();
        elements.extend(self.bias.iter().map(|&b| felt(b)));
        elements
    }
}
