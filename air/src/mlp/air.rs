use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement};
use winterfell::{TraceInfo, TransitionConstraintDegree};

use super::layout::{Layout, Role};
use super::{Activation, Network, NetworkError, PRE_ACTIVATION_BITS, SHIFT};
use crate::disclosure::felt;
use crate::inference::{estimated_cells, Body, Host, HostRow, InferenceAir, Statement};
use crate::input::{feature_row, present_values, Feature, InputBlock};
use crate::zk::ZkParams;

/// A network's public data and its layout: the body of [`crate::inference`] for MLPs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MlpBody {
    network: Network,
    layout: Layout,
    /// Per hidden neuron: `(layer, index within the layer)`.
    position: Vec<(usize, usize)>,
    /// Per hidden neuron: the body row of its first row.
    first_row: Vec<usize>,
}

pub type MlpStatement = Statement<MlpBody>;
pub type MlpAir = InferenceAir<MlpBody>;

/// The body's column holding the sign bit `b`; the accumulators follow.
pub const B: usize = 0;
/// Periodic columns before the accumulators' weights: the two banks' `shift`, `offset`, `feed`.
pub(crate) const FLAGS: usize = 4;
/// What the estimate of cells counts the lookup's auxiliary segment as, in main columns: a
/// column of the quadratic extension, committed on its own.
const LOOKUP_COLUMNS: usize = 4;

impl MlpBody {
    /// The body for `network` in the layout of the fewest estimated cells among those whose
    /// trace Winterfell takes under any options ([`Layout::cheapest`]; the narrowest if none
    /// does, which the prover then refuses), or why it cannot be proved (the verifier builds this from a public model: malformed
    /// networks are errors, never panics).
    pub fn new(network: Network) -> Result<MlpBody, NetworkError> {
        network.check()?;
        // Besides the body: the input block, `cmp` and the widest masks, and the lookup's column
        // counted as its widest extension's coordinates (as the prover's limits count it).
        let shared = InputBlock::new(network.num_features).width() + 1 + ZkParams::MAX_MASK_WIDTH;
        let layout = Layout::cheapest(&network, |shape| {
            let [even, odd] = shape.banks;
            let width = 1 + even + odd + network.output.outputs();
            let aux = ZkParams::MAX_EXTENSION * shape.reads as usize;
            let excess = (shared + width + aux).saturating_sub(TraceInfo::MAX_TRACE_WIDTH - 1);
            let width = width + LOOKUP_COLUMNS * shape.reads as usize;
            let cells = estimated_cells(network.num_features, shape.rows, 0, width);
            (excess, cells)
        });
        Ok(Self::with_layout(network, layout))
    }

    /// The body for `network` computing at most `pass_width` neurons at once (tests and the
    /// harness force passes on small networks; a verifier always takes [`MlpBody::new`]'s).
    #[cfg(test)]
    pub(crate) fn in_passes(network: Network, pass_width: usize) -> Result<Self, NetworkError> {
        network.check()?;
        let layout = Layout::new(&network, pass_width);
        Ok(Self::with_layout(network, layout))
    }

    fn with_layout(network: Network, layout: Layout) -> MlpBody {
        let position = (network.hidden.iter().enumerate())
            .flat_map(|(l, dense)| (0..dense.outputs()).map(move |j| (l, j)))
            .collect::<Vec<_>>();
        let mut first_row = vec![0; position.len()];
        for (row, role) in layout.roles.iter().enumerate() {
            if let Role::First(g) = *role {
                first_row[g] = row;
            }
        }
        MlpBody {
            network,
            layout,
            position,
            first_row,
        }
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Hidden neurons, in index order (layer by layer).
    pub fn num_neurons(&self) -> usize {
        self.position.len()
    }

    /// Accumulator columns: the two banks', then the scores'.
    pub fn num_accumulators(&self) -> usize {
        let [even, odd] = self.layout.banks;
        even + odd + self.network.output.outputs()
    }

    /// The column of accumulator `i` of the bank of hidden layer `layer`.
    pub fn bank_column(&self, layer: usize, i: usize) -> usize {
        B + 1 + (layer % 2) * self.layout.banks[0] + i
    }

    /// The bank (0 or 1) accumulator `k` (counted from the first) belongs to and its index there,
    /// or `None` for a score's.
    pub fn bank_of(&self, k: usize) -> Option<(usize, usize)> {
        let [even, odd] = self.layout.banks;
        match k {
            k if k < even => Some((0, k)),
            k if k < even + odd => Some((1, k - even)),
            _ => None,
        }
    }

    /// The body row of hidden neuron `g`'s first row.
    pub fn first_row(&self, g: usize) -> usize {
        self.first_row[g]
    }

    /// `(layer, index within the layer)` of hidden neuron `g`.
    pub fn position(&self, g: usize) -> (usize, usize) {
        self.position[g]
    }

    /// The lookup id of input `input` of hidden layer `layer`: a feature's index, or, after
    /// the features, a hidden neuron's.
    pub fn input_id(&self, layer: usize, input: usize) -> usize {
        match layer {
            0 => input,
            _ => {
                let before: usize = (self.network.hidden[..layer - 1].iter())
                    .map(|d| d.outputs())
                    .sum();
                self.network.num_features + before + input
            }
        }
    }

    /// The activation's trace degree in `b` and `x`.
    fn activation_degree(&self) -> usize {
        match self.network.activation {
            Activation::Relu => 2,
            Activation::Identity => 1,
        }
    }

    /// `act(b, x)`: ReLU `b·x`, the identity `x − 2^16 + 2^16·b` (both `x` when `b = 1`).
    pub(crate) fn activate<F: FieldElement<BaseField = BaseElement>>(&self, b: F, x: F) -> F {
        match self.network.activation {
            Activation::Relu => b * x,
            Activation::Identity => x + F::from(BaseElement::new(1 << SHIFT)) * (b - F::ONE),
        }
    }

    /// What accumulator `k` (counted from the first) carries to the next row before adding
    /// its weighted input: itself, or, where its bank shifts (`shifts`: the even and odd
    /// layers' banks), the one above it (zero for a bank's top).
    pub(super) fn kept<F: FieldElement>(&self, k: usize, accumulators: &[F], shifts: [F; 2]) -> F {
        let Some((bank, i)) = self.bank_of(k) else {
            return accumulators[k];
        };
        let above = match i + 1 < self.layout.banks[bank] {
            true => accumulators[k + 1],
            false => F::ZERO,
        };
        accumulators[k] + shifts[bank] * (above - accumulators[k])
    }

    /// Whether accumulator `k` ever adds anything: some weight feeding it is nonzero.
    fn is_fed(&self, k: usize) -> bool {
        let network = &self.network;
        let nonzero = |row: &Vec<i64>| row.iter().any(|&w| w != 0);
        match self.bank_of(k) {
            Some((bank, i)) => (network.hidden.iter().enumerate())
                .filter(|(layer, _)| layer % 2 == bank)
                .flat_map(|(_, dense)| {
                    (dense.weights.iter().skip(i)).step_by(self.layout.pass_width)
                })
                .any(nonzero),
            None => nonzero(&network.output.weights[k - self.bank_columns()]),
        }
    }

    fn bank_columns(&self) -> usize {
        self.layout.banks[0] + self.layout.banks[1]
    }

    /// How many later passes read hidden neuron `g`'s activation again.
    fn rereads(&self, g: usize) -> usize {
        let (layer, _) = self.position[g];
        (self.network.hidden.get(layer + 1)).map_or(0, |d| self.layout.passes(d.outputs()) - 1)
    }

    /// The weights accumulator `k` (counted from the first) takes on each row, as the periodic
    /// columns hold them: `(trace row, k, weight)`.
    fn weights(&self, first_row: usize) -> Vec<(usize, usize, i64)> {
        let network = &self.network;
        let k_of = |layer: usize, i: usize| self.bank_column(layer, i) - B - 1;
        let mut weights = Vec::new();
        // The first pass of layer 0 on the feature rows.
        let first = &network.hidden[0];
        for (i, row) in first
            .weights
            .iter()
            .take(self.layout.pass_width)
            .enumerate()
        {
            for (f, &w) in row.iter().enumerate() {
                weights.push((feature_row(f), k_of(0, i), w));
            }
        }
        for (body_row, role) in self.layout.roles.iter().enumerate() {
            let row = first_row + body_row;
            match *role {
                Role::Read { layer, pass, input } => {
                    let neurons = &network.hidden[layer].weights;
                    let start = pass * self.layout.pass_width;
                    let pass_neurons = neurons.iter().skip(start).take(self.layout.pass_width);
                    for (i, neuron) in pass_neurons.enumerate() {
                        weights.push((row, k_of(layer, i), neuron[input]));
                    }
                }
                Role::First(g) => {
                    let (layer, j) = self.position[g];
                    match network.hidden.get(layer + 1) {
                        Some(next) => {
                            let pass = next.weights.iter().take(self.layout.pass_width);
                            for (i, neuron) in pass.enumerate() {
                                weights.push((row, k_of(layer + 1, i), neuron[j]));
                            }
                        }
                        None => {
                            for (i, neuron) in network.output.weights.iter().enumerate() {
                                weights.push((row, self.bank_columns() + i, neuron[j]));
                            }
                        }
                    }
                }
                Role::Second(_) => {}
            }
        }
        weights
    }
}

impl Body for MlpBody {
    fn num_features(&self) -> usize {
        self.network.num_features
    }

    fn one_hot(&self) -> &[core::ops::Range<usize>] {
        &self.network.one_hot
    }

    fn num_scores(&self) -> usize {
        self.network.output.outputs()
    }

    fn rows(&self) -> usize {
        self.layout.roles.len()
    }

    fn reads(&self, row: usize) -> Option<usize> {
        match self.layout.roles[row] {
            Role::Read { layer, input, .. } => Some(self.input_id(layer, input)),
            _ => None,
        }
    }

    fn width(&self) -> usize {
        1 + self.num_accumulators()
    }

    fn scores_column(&self) -> usize {
        B + 1 + self.bank_columns()
    }

    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let flagged = |d| TransitionConstraintDegree::with_cycles(d, vec![trace_length]);
        let mut degrees = vec![TransitionConstraintDegree::new(2), flagged(1), flagged(1)];
        // A bank's accumulators shift on their layers' first rows; a score's accumulator whose
        // weights are all zero only ever copies itself.
        degrees.extend((0..self.num_accumulators()).map(|k| {
            match (self.is_fed(k), self.bank_of(k)) {
                (true, _) => flagged(self.activation_degree()),
                (false, Some(_)) => flagged(1),
                (false, None) => TransitionConstraintDegree::new(1),
            }
        }));
        degrees
    }

    fn constraint_labels(&self) -> Vec<String> {
        let mut labels = ["mlp.sign", "mlp.decomposition", "mlp.feed"]
            .map(String::from)
            .to_vec();
        labels.extend((0..self.num_accumulators()).map(|k| format!("mlp.acc[{k}]")));
        labels
    }

    fn initial_value_labels(&self) -> Vec<String> {
        (0..self.num_accumulators())
            .map(|k| format!("mlp.initial[{k}]"))
            .collect()
    }

    /// The banks' `shift` (one on the first rows of their layers' neurons), `offset` (`2^32`
    /// plus the bias there), `feed` (one on the feature rows and the rows reading an input
    /// again), each accumulator's weight on every row, then, when later passes read activations
    /// again, the activations' lookup `id` and weight (the negated count of those reads) on
    /// the first rows.
    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        let column = || vec![BaseElement::ZERO; trace_length];
        let [mut shift_even, mut shift_odd, mut offset, mut feed] = [(); FLAGS].map(|_| column());
        let [mut id, mut reads] = [column(), column()];
        for f in 0..self.network.num_features {
            feed[feature_row(f)] = BaseElement::ONE;
        }
        for (body_row, role) in self.layout.roles.iter().enumerate() {
            let row = first_row + body_row;
            match *role {
                Role::Read { .. } => feed[row] = BaseElement::ONE,
                Role::First(g) => {
                    let (layer, j) = self.position[g];
                    let shift = if layer % 2 == 0 {
                        &mut shift_even
                    } else {
                        &mut shift_odd
                    };
                    shift[row] = BaseElement::ONE;
                    let bias = self.network.hidden[layer].bias[j];
                    offset[row] = felt(bias + (1 << PRE_ACTIVATION_BITS));
                    id[row] = BaseElement::new(self.input_id(layer + 1, j) as u64);
                    reads[row] = -BaseElement::new(self.rereads(g) as u64);
                }
                Role::Second(_) => {}
            }
        }
        let mut weights = vec![column(); self.num_accumulators()];
        for (row, k, w) in self.weights(first_row) {
            weights[k][row] = felt(w);
        }
        let mut columns = vec![shift_even, shift_odd, offset, feed];
        columns.extend(weights);
        if self.num_fractions() > 0 {
            columns.extend([id, reads]);
        }
        columns
    }

    fn num_periodic_columns(&self) -> usize {
        FLAGS + self.num_accumulators() + 2 * self.num_fractions()
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
        let [shift_even, shift_odd, offset, feed] = [0, 1, 2, 3].map(|i| periodic[i]);
        let weights = &periodic[FLAGS..FLAGS + self.num_accumulators()];
        let b = current[B];
        let accumulators = &current[B + 1..];
        let next_accumulators = &next[B + 1..];
        let [even, odd] = self.layout.banks;
        // A bank's head, which its shifting first rows decompose.
        let head = |width: usize, at: usize| match width {
            0 => E::ZERO,
            _ => accumulators[at],
        };

        result[0] = b * (b - E::ONE);
        let two_16 = E::from(BaseElement::new(1 << SHIFT));
        let two_32 = E::from(BaseElement::new(1 << PRE_ACTIVATION_BITS));
        let decomposed = next_x + two_16 * x + two_32 * b;
        let z = offset + shift_even * head(even, 0) + shift_odd * head(odd, even);
        result[1] = (shift_even + shift_odd) * decomposed - z;
        result[2] = feed * (b - E::ONE);

        let activation = self.activate(b, x);
        for (k, &weight) in weights.iter().enumerate() {
            let kept = self.kept(k, accumulators, [shift_even, shift_odd]);
            result[3 + k] = next_accumulators[k] - kept - weight * activation;
        }
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        let banks = (0..self.bank_columns()).map(|k| (B + 1 + k, BaseElement::ZERO));
        let scores = (self.network.output.bias.iter().enumerate())
            .map(|(k, &bias)| (self.scores_column() + k, felt(bias)));
        banks.chain(scores).collect()
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
        let q = present_values(q);
        let (pre_activations, _) = self.network.evaluate(&q);
        let activation = |g: usize| {
            let z: i64 = pre_activations[g];
            felt(self.network.activation.apply(z >> SHIFT))
        };
        (self.layout.roles.iter())
            .map(|role| match *role {
                Role::First(g) | Role::Second(g) => {
                    let d = super::trace::Decomposition::of(pre_activations[g]);
                    let value = if matches!(role, Role::First(_)) {
                        d.h
                    } else {
                        d.r
                    };
                    HostRow {
                        x: BaseElement::from(value),
                        decomposed: value,
                    }
                }
                Role::Read { layer, input, .. } => HostRow {
                    x: match layer {
                        0 => BaseElement::from(q[input]),
                        _ => activation(self.input_id(layer, input) - self.network.num_features),
                    },
                    decomposed: 0,
                },
            })
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

    fn num_fractions(&self) -> usize {
        self.layout.rereads_activations as usize
    }

    fn key_degrees(&self) -> usize {
        self.num_fractions() * self.activation_degree()
    }

    /// The activation table's entry on a first row: `−(reads)/(α − id − γ·act(b, x))`.
    fn fractions<F, E>(
        &self,
        current: &[F],
        host: Host<F>,
        periodic: &[F],
        rand: &[E],
        out: &mut [(F, E)],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        let table = FLAGS + self.num_accumulators();
        let (id, weight) = (periodic[table], periodic[table + 1]);
        let key = E::from(id) + rand[1] * E::from(self.activate(current[B], host.x));
        out[0] = (weight, key);
    }
}
