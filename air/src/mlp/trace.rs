use winterfell::math::fields::f64::BaseElement;

use super::air::B;
use super::{MlpBody, SHIFT};
use crate::disclosure::felt;
use crate::input::feature_row;

/// A hidden pre-activation as the trace holds it: `z + 2^32 = r + 2^16·h + 2^32·b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decomposition {
    pub r: u16,
    pub h: u16,
    pub b: bool,
}

impl Decomposition {
    /// The decomposition of `z ∈ [−2^32, 2^32)`.
    pub fn of(z: i64) -> Decomposition {
        let t = z >> SHIFT;
        Decomposition {
            r: (z - (t << SHIFT)) as u16,
            h: t.rem_euclid(1 << SHIFT) as u16,
            b: t >= 0,
        }
    }
}

impl MlpBody {
    /// Every hidden neuron's decomposition, in row order.
    pub fn decompositions(&self, q: &[u16]) -> Vec<Decomposition> {
        let (pre_activations, _) = self.network().evaluate(q);
        pre_activations.into_iter().map(Decomposition::of).collect()
    }

    /// Writes `b` and the accumulators on rows `0..=last_row` (body rows from `first_row`);
    /// returns the scores.
    pub(super) fn fill_columns(
        &self,
        q: &[u16],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        let network = self.network();
        let (pre_activations, scores) = network.evaluate(q);
        // What each accumulator adds on each row: the first layer's the weighted features on
        // their rows, the others the weighted activations on the first rows of the layer before.
        let mut added: Vec<(usize, usize, i64)> = Vec::new();
        for (k, weights) in network.hidden[0].weights.iter().enumerate() {
            for (f, (&w, &value)) in weights.iter().zip(q).enumerate() {
                added.push((feature_row(f), self.accumulator(0, k), w * i64::from(value)));
            }
        }
        for (g, &z) in pre_activations.iter().enumerate() {
            let row = first_row + self.first_row(g);
            columns[B][row] = BaseElement::from(Decomposition::of(z).b as u8);
            let (layer, neuron) = self.position(g);
            let activation = network.activation.apply(z >> SHIFT);
            let next = network.layers().nth(layer + 1).expect("a next layer");
            for (k, weights) in next.weights.iter().enumerate() {
                added.push((
                    row,
                    self.accumulator(layer + 1, k),
                    weights[neuron] * activation,
                ));
            }
        }
        added.sort_unstable_by_key(|&(row, _, _)| row);
        let mut values: Vec<(usize, i64)> = self.initial_accumulators();
        let mut pending = added.into_iter().peekable();
        // Each row writes every accumulator column, so a row index reads best.
        #[allow(clippy::needless_range_loop)]
        for row in 0..=last_row {
            for &(column, value) in &values {
                columns[column][row] = felt(value);
            }
            while let Some((_, column, delta)) = pending.next_if(|&(r, _, _)| r == row) {
                let slot = values.iter_mut().find(|(c, _)| *c == column);
                slot.expect("an accumulator column").1 += delta;
            }
        }
        scores
    }

    /// Every accumulator column with its bias, its value on row 0.
    fn initial_accumulators(&self) -> Vec<(usize, i64)> {
        let mut values = Vec::new();
        for (layer, dense) in self.network().layers().enumerate() {
            for (k, &bias) in dense.bias.iter().enumerate() {
                values.push((self.accumulator(layer, k), bias));
            }
        }
        values
    }
}
