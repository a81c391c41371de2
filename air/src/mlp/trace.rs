use winterfell::math::fields::f64::BaseElement;

use super::air::B;
use super::{MlpBody, SHIFT};
use crate::disclosure::felt;

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
        let mut accumulators: Vec<i64> = network
            .layers()
            .skip(1)
            .flat_map(|dense| dense.bias.iter().copied())
            .collect();
        let mut row = 0;
        let mut write = |until: usize, accumulators: &[i64], columns: &mut [Vec<BaseElement>]| {
            for (k, &value) in accumulators.iter().enumerate() {
                columns[B + 1 + k][row..=until].fill(felt(value));
            }
            row = until + 1;
        };
        for (g, &z) in pre_activations.iter().enumerate() {
            let at = first_row + self.first_row(g);
            let decomposition = Decomposition::of(z);
            columns[B][at] = BaseElement::from(decomposition.b as u8);
            write(at, &accumulators, columns);
            // The neuron's activation enters the next layer's accumulators on its first row.
            let (layer, neuron) = self.position(g);
            let activation = network.activation.apply(z >> SHIFT);
            let next = network.layers().nth(layer + 1).expect("a next layer");
            for (k, weights) in next.weights.iter().enumerate() {
                accumulators[self.accumulator(layer + 1, k) - B - 1] +=
                    weights[neuron] * activation;
            }
        }
        write(last_row, &accumulators, columns);
        debug_assert_eq!(row, last_row + 1);
        scores
    }
}
