//! The multilayer-perceptron AIR: the body of [`crate::inference`] for dense networks.
//!
//! # What is proved
//!
//! With `a⁰ = q` (the 16-bit features), each hidden layer `l` computes
//! `z = bias + W·a^(l−1)` and `a^l = act(⌊z / 2^16⌋)` with `act` ReLU or the identity; the scores
//! are `bias + W·a^L` of the output layer. Every hidden `z` lies in `[−2^32, 2^32)` for every
//! input ([`Network::check`]), so `⌊z / 2^16⌋ ∈ [−2^16, 2^16)`, and `a` fits in 17 signed bits.
//!
//! # Rows and columns
//!
//! Two rows per hidden neuron, layer by layer after the input block: on the neuron's first row
//! `x` holds
//! `h`, on its second `x` holds `r`, both range-checked to 16 bits by the input block, and the
//! body's column `b` holds a bit, with
//!
//! `z + 2^32 = r + 2^16·h + 2^32·b`,
//!
//! a bijection between `[−2^32, 2^32)` and the `(r, h, b)` in range, so `⌊z / 2^16⌋ = h − 2^16
//! + 2^16·b`: the rescaling is exact and proved by the two range checks. ReLU is `b·h` (`b = 1`
//! exactly when `⌊z/2^16⌋ ≥ 0`), the identity `h − 2^16 + 2^16·b`.
//!
//! Every layer reads *accumulators*: one column per neuron of every layer (the output's last:
//! they are the scores). An accumulator starts at its neuron's bias (asserted on row 0) and
//! adds `weight·a` on the first row of each neuron of the layer before, or, in the first hidden
//! layer, `weight·q_f` on feature `f`'s row of the input block ([`crate::input::feature_row`]),
//! where `x` holds the feature; so it holds its `z` once that layer is done, and never changes
//! after. All weights are public and sit in periodic columns.
//!
//! # Constraints
//!
//! * `b·(b − 1) = 0`;
//! * `first·(x' + 2^16·x + 2^32·b) = offset + Σ_k select_k·acc_k`, with `first` one on a
//!   neuron's first row, `offset` its `2^32` and `select_k` one when it reads accumulator `k`;
//! * `acc_k' = acc_k + V_k·act(b, x)` for an accumulator of a later layer, with `V_k` the weight
//!   from the neuron whose first row this is to accumulator `k`'s neuron; `acc_k' = acc_k +
//!   W_k·x` for one of the first hidden layer, with `W_k` its weight on the feature of the row.

mod air;
mod trace;

#[cfg(test)]
pub(crate) mod tests;

pub use air::{MlpAir, MlpBody, MlpStatement, B};

use crate::disclosure::COMPARISON_BITS;

/// Bits dropped by the rescaling after every hidden layer.
pub const SHIFT: u32 = 16;
/// Every hidden pre-activation `z` satisfies `|z| < 2^PRE_ACTIVATION_BITS`.
pub const PRE_ACTIVATION_BITS: u32 = 32;
/// Every score satisfies `|score| < 2^SCORE_BITS`, so the disclosure's comparisons never wrap.
pub const SCORE_BITS: u32 = COMPARISON_BITS - 2;
/// Rows per hidden neuron.
pub const ROWS_PER_NEURON: usize = 2;

/// The function applied to every rescaled hidden value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Identity,
}

impl Activation {
    pub fn apply(self, t: i64) -> i64 {
        match self {
            Activation::Relu => t.max(0),
            Activation::Identity => t,
        }
    }

    /// The range of layer `layer`'s inputs, `(bound, nonnegative)`: `|a| ≤ bound`, and
    /// `a ≥ 0` when `nonnegative`. Layer 0 reads the 16-bit features; the others read
    /// activations `⌊z/2^16⌋ ∈ [−2^16, 2^16)`, non-negative after ReLU.
    pub fn inputs_of(self, layer: usize) -> (i64, bool) {
        match (layer, self) {
            (0, _) | (_, Activation::Relu) => ((1 << SHIFT) - 1, true),
            (_, Activation::Identity) => (1 << SHIFT, false),
        }
    }
}

/// A dense layer: `weights[out][in]`, `bias[out]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dense {
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
}

impl Dense {
    pub fn outputs(&self) -> usize {
        self.bias.len()
    }

    /// `bias + weights·inputs`, exact in i128 (the caller checks the range).
    fn apply(&self, inputs: &[i64]) -> Vec<i128> {
        (self.weights.iter().zip(&self.bias))
            .map(|(row, &bias)| {
                (row.iter().zip(inputs))
                    .fold(bias as i128, |acc, (&w, &a)| acc + w as i128 * a as i128)
            })
            .collect()
    }

    /// [`worst_case`] of every output.
    fn worst(&self, bound: i64, nonnegative: bool) -> Vec<i128> {
        (self.weights.iter().zip(&self.bias))
            .map(|(row, &bias)| worst_case(row, bias, bound, nonnegative))
            .collect()
    }
}

/// `max |bias + Σ weights_i·a_i|` over every `a` with `|a_i| ≤ bound` (`0 ≤ a_i` when
/// `nonnegative`).
pub fn worst_case(weights: &[i64], bias: i64, bound: i64, nonnegative: bool) -> i128 {
    let (mut up, mut down) = (bias as i128, bias as i128);
    for &w in weights {
        let extreme = w as i128 * bound as i128;
        if nonnegative {
            up += extreme.max(0);
            down += extreme.min(0);
        } else {
            up += extreme.abs();
            down -= extreme.abs();
        }
    }
    up.abs().max(down.abs())
}

/// A network's public data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    pub num_features: usize,
    pub activation: Activation,
    /// At least one hidden layer.
    pub hidden: Vec<Dense>,
    pub output: Dense,
}

/// Why a network cannot be proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkError {
    NoHiddenLayer,
    /// A layer with no neurons, or whose weight rows do not match the layer before.
    Shape {
        layer: usize,
    },
    /// Some input reaches a hidden `|z| ≥ 2^32` or a `|score| ≥ 2^46`.
    Range {
        layer: usize,
        neuron: usize,
    },
}

impl Network {
    /// The layers in order, the output last.
    pub fn layers(&self) -> impl Iterator<Item = &Dense> {
        self.hidden.iter().chain([&self.output])
    }

    pub fn num_hidden_neurons(&self) -> usize {
        self.hidden.iter().map(Dense::outputs).sum()
    }

    /// Checks the shapes, and that no input overflows: every hidden `|z| < 2^32` and every
    /// `|score| < 2^46`, worst case over all features in `[0, 2^16)` and all activations.
    pub fn check(&self) -> Result<(), NetworkError> {
        if self.hidden.is_empty() {
            return Err(NetworkError::NoHiddenLayer);
        }
        let mut inputs = self.num_features;
        let count = self.hidden.len() + 1;
        for (layer, dense) in self.layers().enumerate() {
            let shaped = dense.outputs() > 0
                && dense.weights.len() == dense.outputs()
                && dense.weights.iter().all(|row| row.len() == inputs);
            if inputs == 0 || !shaped {
                return Err(NetworkError::Shape { layer });
            }
            let (bound, nonnegative) = self.activation.inputs_of(layer);
            let limit = if layer + 1 == count {
                SCORE_BITS
            } else {
                PRE_ACTIVATION_BITS
            };
            let worst = dense.worst(bound, nonnegative);
            if let Some(neuron) = worst.iter().position(|&w| w >= 1i128 << limit) {
                return Err(NetworkError::Range { layer, neuron });
            }
            inputs = dense.outputs();
        }
        Ok(())
    }

    /// The reference integer inference: every hidden `z` (layer by layer) and the scores.
    /// Assumes [`check`](Self::check) passed.
    pub fn evaluate(&self, q: &[u16]) -> (Vec<i64>, Vec<i64>) {
        let mut a: Vec<i64> = q.iter().map(|&v| v as i64).collect();
        let mut pre_activations = Vec::with_capacity(self.num_hidden_neurons());
        for dense in &self.hidden {
            let z: Vec<i64> = dense.apply(&a).into_iter().map(|z| z as i64).collect();
            a = z
                .iter()
                .map(|&z| self.activation.apply(z >> SHIFT))
                .collect();
            pre_activations.extend(z);
        }
        let scores = self
            .output
            .apply(&a)
            .into_iter()
            .map(|s| s as i64)
            .collect();
        (pre_activations, scores)
    }
}
