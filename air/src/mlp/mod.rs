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
//! The accumulators sit in two **banks** of at most `K` columns ([`Layout`]), one for the even
//! hidden layers and one for the odd ones, and one column per score. A hidden layer of `w`
//! neurons is computed in `⌈w/K⌉` **passes** of at most `K` neurons each: a pass adds every
//! input of the layer, weighted, into its neurons' accumulators, its bank's columns `0..`, then
//! decomposes them in order. So the trace's width does not grow with the layers beyond `2K`,
//! `K` being chosen for the fewest cells, at most [`layout::MAX_PASS_WIDTH`].
//!
//! * **Pass 0** of a layer is fed where its inputs are made: layer 0's on the feature rows of
//!   the input block ([`crate::input::feature_row`]), where `x` holds the feature; a later
//!   layer's on the first rows of the layer before, as each activation is made, while that
//!   layer's own bank is busy (hence two banks).
//! * **Every later pass** first reads all the layer's inputs again, one row each, `x` holding
//!   the input: through the feature lookup ([`crate::lookup`]), under the feature's id for
//!   layer 0 and under the id `F + g` of hidden neuron `g` for the others. A neuron whose
//!   activation a later pass reads is then an entry of the lookup's table: on its first row,
//!   the body adds the fraction `−m/(α − (F + g) − γ·act(b, x))`, `m` the number of those
//!   reads (public).
//! * **Two rows per hidden neuron**, after its pass's reads: on the first `x` holds `h`, on the
//!   second `r`, both range-checked to 16 bits by the input block, and the body's column `b`
//!   holds a bit, with
//!
//!   `z + 2^32 = r + 2^16·h + 2^32·b`,
//!
//!   a bijection between `[−2^32, 2^32)` and the `(r, h, b)` in range, so `⌊z / 2^16⌋ = h −
//!   2^16 + 2^16·b`: the rescaling is exact and proved by the two range checks. ReLU is `b·h`
//!   (`b = 1` exactly when `⌊z/2^16⌋ ≥ 0`), the identity `h − 2^16 + 2^16·b`. The neuron's `z`
//!   is its bias (public, in `offset`) plus its bank's column 0, and on that first row the bank
//!   shifts down one column, its top taking zero: the next neuron's accumulator comes to column
//!   0, and after the pass's last neuron the bank is all zeros again, ready for the next pass.
//!
//! Every row adds `act(b, x)` times a public weight (periodic columns) to each accumulator: on
//! a first row `act(b, h)` is the neuron's activation; on the feature rows and the rows reading
//! an input again, `b = 1` is enforced, so `act(1, x) = x` for both activations. The banks
//! start at zero, the scores at their biases (asserted on row 0); the scores are final after
//! the last hidden neuron's rows.
//!
//! # Constraints
//!
//! * `b·(b − 1) = 0` ("sign");
//! * `first·(x' + 2^16·x + 2^32·b) = offset + shift_e·E_0 + shift_o·O_0` ("decomposition"),
//!   with `shift_e`, `shift_o` one on the first rows of the even and odd layers' neurons,
//!   `first` their sum, `offset = 2^32 + bias` there, `E_0` and `O_0` the banks' columns 0;
//! * `feed·(b − 1) = 0` ("feed"), `feed` one on the feature rows and the rows reading an input
//!   again;
//! * for a bank column `k`: `acc_k' = acc_k + shift·(acc_{k+1} − acc_k) + W_k·act(b, x)`
//!   (`acc` above the bank's top being 0), for a score's: `acc_k' = acc_k + W_k·act(b, x)`,
//!   `W_k` the periodic weight ("acc").
//!
//! # Soundness
//!
//! The accumulators are a deterministic function of the row-0 values and of `act(b, x)` on the
//! rows with a weight. On a first row `h`, `r` and `b` are pinned by the decomposition and the
//! range checks to the true `z`'s, so `act` is the true activation, given the true `z`; on a
//! feed row `b = 1`, so the row adds its `x`: on a feature row the committed feature, on a row
//! reading an input again whatever the lookup lets it read. Every such read is a pair
//! `(id, x)` of the lookup, whose table holds `(f, q_f)` on the feature rows and
//! `(F + g, act_g)` on neuron `g`'s first row: all keys `id + γ·value` with base-field `id`
//! and `value`, distinct ids, so by the lookup's argument (and its soundness error) every read
//! is the entry of its id: the committed feature, or the activation its neuron's own cells
//! give. By induction over the rows, every `z` and the scores are the network's.
//!
//! The fraction's key has the activation's degree, so the lookup's constraint has degree 4 for
//! ReLU and 3 for the identity ([`crate::inference::Body::key_degrees`]).

mod air;
pub mod layout;
mod trace;

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
pub(crate) use air::FLAGS;
pub use air::{MlpAir, MlpBody, MlpStatement, B};
pub use layout::{Layout, Role, Shape};
#[cfg(test)]
pub(crate) use trace::Lie;

use crate::disclosure::COMPARISON_BITS;

/// Bits dropped by the rescaling after every hidden layer.
pub const SHIFT: u32 = 16;
/// Every hidden pre-activation `z` satisfies `|z| < 2^PRE_ACTIVATION_BITS`.
pub const PRE_ACTIVATION_BITS: u32 = 32;
/// Every score satisfies `|score| < 2^SCORE_BITS`, so the disclosure's comparisons never wrap.
pub const SCORE_BITS: u32 = COMPARISON_BITS - 2;

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

    /// [`worst_case_with_groups`] of every output.
    fn worst(&self, range: (i64, bool), groups: &[core::ops::Range<usize>]) -> Vec<i128> {
        (self.weights.iter().zip(&self.bias))
            .map(|(row, &bias)| worst_case_with_groups(row, bias, range, groups))
            .collect()
    }
}

/// `max |bias + Σ weights_i·a_i|` over every `a` with `|a_i| ≤ bound` (`0 ≤ a_i` when
/// `nonnegative`).
pub fn worst_case(weights: &[i64], bias: i64, bound: i64, nonnegative: bool) -> i128 {
    worst_case_with_groups(weights, bias, (bound, nonnegative), &[])
}

/// [`worst_case`] when the inputs in each of `groups` (increasing, disjoint ranges of
/// `weights`' indices: [`crate::input::valid_groups`]) are one-hot indicators (0 or 1, at most
/// one of a group set, as the input block proves them: [`crate::input`]): a group adds at most
/// its largest positive weight, and takes at most its most negative one.
pub fn worst_case_with_groups(
    weights: &[i64],
    bias: i64,
    (bound, nonnegative): (i64, bool),
    groups: &[core::ops::Range<usize>],
) -> i128 {
    let (mut up, mut down) = (bias as i128, bias as i128);
    let mut grouped = vec![false; weights.len()];
    for group in groups {
        let group_weights = weights.get(group.clone()).unwrap_or_default();
        let extremes = group_weights.iter().map(|&w| w as i128);
        up += extremes.clone().max().unwrap_or(0).max(0);
        down += extremes.min().unwrap_or(0).min(0);
        if let Some(cells) = grouped.get_mut(group.clone()) {
            cells.fill(true);
        }
    }
    for (&w, _) in weights.iter().zip(&grouped).filter(|&(_, &g)| !g) {
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
    /// The groups of features that are one-hot indicators ([`crate::inference::Body::one_hot`]):
    /// the first layer's worst case reads them as such.
    pub one_hot: Vec<core::ops::Range<usize>>,
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
    /// `|score| < 2^46`, worst case over all features in `[0, 2^16)` (the one-hot groups'
    /// indicators bits, at most one of a group set, as the input block proves them) and all
    /// activations.
    pub fn check(&self) -> Result<(), NetworkError> {
        if self.hidden.is_empty() {
            return Err(NetworkError::NoHiddenLayer);
        }
        if !crate::input::valid_groups(&self.one_hot, self.num_features) {
            return Err(NetworkError::Shape { layer: 0 });
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
            let groups = if layer == 0 { &self.one_hot[..] } else { &[] };
            let worst = dense.worst((bound, nonnegative), groups);
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
