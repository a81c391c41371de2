//! Where a network's computation sits: which body row does what, and how many neurons a bank of
//! accumulators holds at once (the pass width `K`), chosen for the fewest cells.

use super::Network;

/// The most neurons a pass computes: a network's trace is at most `2·MAX_PASS_WIDTH` columns
/// of accumulators wide besides its scores', however wide its layers.
pub const MAX_PASS_WIDTH: usize = 64;

/// What a body row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Reads input `input` of hidden layer `layer` into `x` for pass `pass ≥ 1` of that layer.
    Read {
        layer: usize,
        pass: usize,
        input: usize,
    },
    /// The first row of hidden neuron `g` (counted over every hidden layer): `x` holds `h`.
    First(usize),
    /// The second row of hidden neuron `g`: `x` holds `r`.
    Second(usize),
}

/// What a layout costs, counted without laying its rows out (a public model may have a million
/// weights, and every pass width is weighed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub rows: usize,
    pub banks: [usize; 2],
    /// Whether some row reads an input again (the feature lookup then exists).
    pub reads: bool,
}

impl Shape {
    /// The shape of the layout in passes of at most `pass_width` neurons.
    pub fn of(network: &Network, pass_width: usize) -> Shape {
        let mut shape = Shape {
            rows: 0,
            banks: [0; 2],
            reads: false,
        };
        let mut inputs = network.num_features;
        for (layer, dense) in network.hidden.iter().enumerate() {
            let (width, passes) = (dense.outputs(), dense.outputs().div_ceil(pass_width));
            shape.rows += (passes - 1) * inputs + 2 * width;
            shape.banks[layer % 2] = shape.banks[layer % 2].max(width.min(pass_width));
            shape.reads |= passes > 1;
            inputs = width;
        }
        shape
    }
}

/// A network's rows and banks for one pass width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Neurons a pass computes: a bank's most.
    pub pass_width: usize,
    /// The widths of the two banks: the even hidden layers' and the odd ones'.
    pub banks: [usize; 2],
    pub roles: Vec<Role>,
    /// Whether some row reads an activation again (the activations are then a lookup table).
    pub rereads_activations: bool,
}

impl Layout {
    /// The layout computing every hidden layer in passes of at most `pass_width` neurons.
    pub fn new(network: &Network, pass_width: usize) -> Layout {
        let mut banks = [0; 2];
        let mut roles = Vec::new();
        let mut first_neuron = 0;
        let mut inputs = network.num_features;
        for (layer, dense) in network.hidden.iter().enumerate() {
            let width = dense.outputs();
            banks[layer % 2] = banks[layer % 2].max(width.min(pass_width));
            for pass in 0..width.div_ceil(pass_width) {
                // Pass 0 is fed where the inputs are made (the feature rows, or the first rows
                // of the layer before); every later one reads them again.
                if pass > 0 {
                    roles.extend((0..inputs).map(|input| Role::Read { layer, pass, input }));
                }
                let neurons = pass * pass_width..width.min((pass + 1) * pass_width);
                for g in neurons.map(|j| first_neuron + j) {
                    roles.extend([Role::First(g), Role::Second(g)]);
                }
            }
            first_neuron += width;
            inputs = width;
        }
        debug_assert_eq!(
            Shape::of(network, pass_width),
            Shape {
                rows: roles.len(),
                banks,
                reads: roles.iter().any(|r| matches!(r, Role::Read { .. })),
            }
        );
        let rereads_activations =
            (roles.iter()).any(|role| matches!(role, Role::Read { layer, .. } if *layer > 0));
        Layout {
            pass_width,
            banks,
            roles,
            rereads_activations,
        }
    }

    /// The layout of the least `cost` (the same for the prover and the verifier), passes at
    /// most [`MAX_PASS_WIDTH`] wide; ties go to wider passes. A cost is compared as a pair:
    /// how many columns the layout's trace would have beyond the most a trace can have, then
    /// its cells.
    pub fn cheapest(network: &Network, cost: impl Fn(&Shape) -> (usize, usize)) -> Layout {
        let widest = network.hidden.iter().map(|d| d.outputs()).max();
        let pass_width = (1..=widest.unwrap_or(1).min(MAX_PASS_WIDTH))
            .rev()
            .min_by_key(|&width| cost(&Shape::of(network, width)))
            .expect("at least one pass width");
        Layout::new(network, pass_width)
    }

    /// Passes of hidden layer `layer` (of `width` neurons).
    pub fn passes(&self, width: usize) -> usize {
        width.div_ceil(self.pass_width)
    }
}
