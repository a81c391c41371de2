use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TransitionConstraintDegree;

use super::{Activation, Network, NetworkError, PRE_ACTIVATION_BITS, ROWS_PER_NEURON, SHIFT};
use crate::disclosure::felt;
use crate::inference::{Body, Host, HostRow, InferenceAir, Statement};
use crate::input::{feature_row, present_values, Feature};

/// A network's public data and its layout: the body of [`crate::inference`] for MLPs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MlpBody {
    network: Network,
    /// Per hidden neuron (in row order): its layer.
    layer_of: Vec<usize>,
    /// Per layer (the hidden layers, then the output): its first accumulator column.
    bank: Vec<usize>,
}

pub type MlpStatement = Statement<MlpBody>;
pub type MlpAir = InferenceAir<MlpBody>;

/// The body's column holding the sign bit `b`; the accumulators follow.
pub const B: usize = 0;

impl MlpBody {
    /// The body for `network`, or why it cannot be proved (the verifier builds this from a
    /// public model: malformed networks are errors, never panics).
    pub fn new(network: Network) -> Result<MlpBody, NetworkError> {
        network.check()?;
        let layer_of = (network.hidden.iter().enumerate())
            .flat_map(|(l, dense)| std::iter::repeat_n(l, dense.outputs()))
            .collect();
        let mut bank = Vec::with_capacity(network.hidden.len());
        let mut next = B + 1;
        for dense in network.layers() {
            bank.push(next);
            next += dense.outputs();
        }
        Ok(MlpBody {
            network,
            layer_of,
            bank,
        })
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Hidden neurons, in row order.
    pub fn num_neurons(&self) -> usize {
        self.layer_of.len()
    }

    /// Accumulator columns: one per neuron of every layer.
    fn num_accumulators(&self) -> usize {
        self.network.layers().map(|d| d.outputs()).sum()
    }

    /// Accumulators of the first hidden layer, which sum the features.
    fn num_first_accumulators(&self) -> usize {
        self.network.hidden[0].outputs()
    }

    /// Accumulators read by a hidden layer (all but the output's).
    fn num_hidden_accumulators(&self) -> usize {
        self.num_accumulators() - self.network.output.outputs()
    }

    /// The accumulator column of `neuron` in layer `layer` (the output is `hidden.len()`).
    pub fn accumulator(&self, layer: usize, neuron: usize) -> usize {
        self.bank[layer] + neuron
    }

    /// The body row of hidden neuron `g`'s first row.
    pub fn first_row(&self, g: usize) -> usize {
        ROWS_PER_NEURON * g
    }

    /// `(layer, index within the layer)` of hidden neuron `g`.
    pub(super) fn position(&self, g: usize) -> (usize, usize) {
        let layer = self.layer_of[g];
        let before: usize = self.network.hidden[..layer]
            .iter()
            .map(|d| d.outputs())
            .sum();
        (layer, g - before)
    }

    /// The activation's trace degree in `b` and `x`.
    fn activation_degree(&self) -> usize {
        match self.network.activation {
            Activation::Relu => 2,
            Activation::Identity => 1,
        }
    }
}

impl Body for MlpBody {
    fn num_features(&self) -> usize {
        self.network.num_features
    }

    fn num_scores(&self) -> usize {
        self.network.output.outputs()
    }

    fn rows(&self) -> usize {
        ROWS_PER_NEURON * self.num_neurons()
    }

    fn reads(&self, _row: usize) -> Option<usize> {
        None
    }

    fn width(&self) -> usize {
        1 + self.num_accumulators()
    }

    fn scores_column(&self) -> usize {
        self.accumulator(self.network.hidden.len(), 0)
    }

    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let flagged = |d| TransitionConstraintDegree::with_cycles(d, vec![trace_length]);
        let mut degrees = vec![TransitionConstraintDegree::new(2), flagged(1)];
        // An accumulator whose incoming weights are all zero only ever copies itself; the first
        // layer's add a feature (degree 1), the others an activation.
        for (layer, dense) in self.network.layers().enumerate() {
            let added = if layer == 0 {
                1
            } else {
                self.activation_degree()
            };
            degrees.extend(dense.weights.iter().map(|row| {
                if row.iter().all(|&w| w == 0) {
                    TransitionConstraintDegree::new(1)
                } else {
                    flagged(added)
                }
            }));
        }
        degrees
    }

    fn constraint_labels(&self) -> Vec<String> {
        let mut labels = vec!["mlp.sign".to_string(), "mlp.decomposition".to_string()];
        labels.extend((0..self.num_accumulators()).map(|k| format!("mlp.acc[{k}]")));
        labels
    }

    fn initial_value_labels(&self) -> Vec<String> {
        (0..self.num_accumulators())
            .map(|k| format!("mlp.initial[{k}]"))
            .collect()
    }

    /// `first`, `offset`, the `select_k` of the hidden layers' accumulators, then the
    /// accumulators' incoming weights: `W_k` on the feature rows for the first layer's, `V_k`
    /// on the neuron rows of the layer before for the others'.
    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        let column = || vec![BaseElement::ZERO; trace_length];
        let mut first = column();
        let mut offset = column();
        let mut select = vec![column(); self.num_hidden_accumulators()];
        let mut incoming = vec![column(); self.num_accumulators()];
        for (k, row_weights) in self.network.hidden[0].weights.iter().enumerate() {
            for (f, &w) in row_weights.iter().enumerate() {
                incoming[self.accumulator(0, k) - 1][feature_row(f)] = felt(w);
            }
        }
        for g in 0..self.num_neurons() {
            let row = first_row + self.first_row(g);
            let (layer, neuron) = self.position(g);
            first[row] = BaseElement::ONE;
            offset[row] = BaseElement::new(1 << PRE_ACTIVATION_BITS);
            select[self.accumulator(layer, neuron) - 1][row] = BaseElement::ONE;
            let next = self.network.layers().nth(layer + 1).expect("a next layer");
            for (k, row_weights) in next.weights.iter().enumerate() {
                incoming[self.accumulator(layer + 1, k) - 1][row] = felt(row_weights[neuron]);
            }
        }
        let mut columns = vec![first, offset];
        columns.extend(select);
        columns.extend(incoming);
        columns
    }

    fn num_periodic_columns(&self) -> usize {
        2 + self.num_hidden_accumulators() + self.num_accumulators()
    }

    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        host: Host<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        let Host { x, next_x, .. } = host;
        let (first, offset) = (periodic[0], periodic[1]);
        let (select, incoming) = periodic[2..].split_at(self.num_hidden_accumulators());
        let b = current[B];
        let accumulators = &current[B + 1..];

        result[0] = b * (b - E::ONE);
        let two_16 = E::from(BaseElement::new(1 << SHIFT));
        let two_32 = E::from(BaseElement::new(1 << PRE_ACTIVATION_BITS));
        let decomposed = next_x + two_16 * x + two_32 * b;
        let z = (select.iter().zip(accumulators)).fold(offset, |acc, (&s, &value)| acc + s * value);
        result[1] = first * decomposed - z;

        let activation = match self.network.activation {
            Activation::Relu => b * x,
            Activation::Identity => x + two_16 * (b - E::ONE),
        };
        let features = self.num_first_accumulators();
        for (k, &v) in incoming.iter().enumerate() {
            let added = if k < features { x } else { activation };
            result[2 + k] = next[B + 1 + k] - accumulators[k] - v * added;
        }
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        let mut values = Vec::with_capacity(self.num_accumulators());
        for (layer, dense) in self.network.layers().enumerate() {
            for (k, &bias) in dense.bias.iter().enumerate() {
                values.push((self.accumulator(layer, k), felt(bias)));
            }
        }
        values
    }

    fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        self.fill_columns(&present_values(q), first_row, last_row, columns)
    }

    fn host_rows(&self, q: &[Feature]) -> Vec<HostRow> {
        let row = |x| HostRow {
            x: Some(x),
            decomposed: x,
        };
        self.decompositions(&present_values(q))
            .into_iter()
            .flat_map(|d| [row(d.h), row(d.r)])
            .collect()
    }

    fn to_elements(&self) -> Vec<BaseElement> {
        let count = |n: usize| BaseElement::new(n as u64);
        let network = &self.network;
        let mut elements = vec![
            count(network.num_features),
            count(network.activation as usize),
            count(network.hidden.len()),
        ];
        for dense in network.layers() {
            elements.push(count(dense.outputs()));
            elements.extend(dense.weights.iter().flatten().map(|&w| felt(w)));
            elements.extend(dense.bias.iter().map(|&b| felt(b)));
        }
        elements
    }
}
