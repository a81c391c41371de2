use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TransitionConstraintDegree;

use crate::disclosure::felt;
use crate::inference::{Body, InferenceAir, Statement};

/// A linear model's public data: `weights[c][f]` and `bias[c]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearBody {
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
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

    fn degrees(&self, _trace_length: usize) -> Vec<TransitionConstraintDegree> {
        vec![TransitionConstraintDegree::new(1); 2 * self.num_scores()]
    }

    fn constraint_labels(&self) -> Vec<String> {
        let scores = 0..self.num_scores();
        let carry = scores.clone().map(|c| format!("linear.carry[{c}]"));
        carry
            .chain(scores.map(|c| format!("linear.score[{c}]")))
            .collect()
    }

    fn initial_value_labels(&self) -> Vec<String> {
        Vec::new()
    }

    fn periodic_columns(&self, _first_row: usize, _n: usize) -> Vec<Vec<BaseElement>> {
        Vec::new()
    }

    fn num_periodic_columns(&self) -> usize {
        0
    }

    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        q: &[E],
        _x: E,
        _next_x: E,
        _periodic: &[E],
        result: &mut [E],
    ) {
        let k = self.num_scores();
        for c in 0..k {
            result[c] = next[c] - current[c];
            let score = (self.weights[c].iter().zip(q))
                .fold(E::from(felt(self.bias[c])), |acc, (&w, &value)| {
                    acc + E::from(felt(w)) * value
                });
            result[k + c] = current[c] - score;
        }
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        Vec::new()
    }

    fn fill(
        &self,
        q: &[u16],
        _first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        let scores = self.scores(q);
        for (column, &score) in columns.iter_mut().zip(&scores) {
            column[..=last_row].fill(felt(score));
        }
        scores
    }

    fn to_elements(&self) -> Vec<BaseElement> {
        let mut elements: Vec<BaseElement> =
            self.weights.iter().flatten().map(|&w| felt(w)).collect();
        elements.extend(self.bias.iter().map(|&b| felt(b)));
        elements
    }
}
