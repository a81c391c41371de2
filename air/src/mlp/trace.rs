use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;

use super::air::{B, FLAGS};
use super::layout::Role;
use super::{MlpBody, SHIFT};
use crate::disclosure::{as_i64, felt};
use crate::inference::Body;
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

/// A lie a forged trace tells ([`MlpBody::run`] carries it through the rest of the trace).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Lie {
    /// Hidden neuron `g`'s rows hold `h` and `r` and its sign `b`, whatever its pre-activation.
    Cells(usize, [BaseElement; 3]),
    /// Accumulator `accumulator` (counted from the first) is `by` more than it should be from
    /// row `from` on (its initial value when `from` is 0).
    Shift {
        accumulator: usize,
        from: usize,
        by: BaseElement,
    },
    /// The sign bit is 0 on the feed row `row` (a feature row, or a row reading an input again).
    Unfed(usize),
    /// The row `row` reading an input again reads `value`.
    Misread(usize, BaseElement),
}

/// The body's cells on rows `0..=last_row`, as the constraints determine them from the
/// features (and a lie).
pub(crate) struct Run {
    /// `x` on every body row.
    pub x: Vec<BaseElement>,
    /// `b` on every row.
    pub b: Vec<BaseElement>,
    /// Every accumulator column, on every row.
    pub accumulators: Vec<Vec<BaseElement>>,
}

impl MlpBody {
    /// Every hidden neuron's decomposition, in index order.
    pub fn decompositions(&self, q: &[u16]) -> Vec<Decomposition> {
        let (pre_activations, _) = self.network().evaluate(q);
        pre_activations.into_iter().map(Decomposition::of).collect()
    }

    /// Runs the body's rows from the body's first row `first_row` to `last_row`: on each, `x`
    /// and `b` as the row's role gives them (a feature, a decomposition of the accumulated
    /// pre-activation, an activation read again), then the accumulators' transition, the very
    /// expression the constraints enforce, so a lie is carried through as a prover would have
    /// to.
    pub(crate) fn run(
        &self,
        q: &[u16],
        first_row: usize,
        last_row: usize,
        lie: Option<Lie>,
    ) -> Run {
        let rows = last_row + 1;
        let periodic = self.periodic_columns(first_row, rows);
        let weights = &periodic[FLAGS..FLAGS + self.num_accumulators()];
        let mut accumulators = vec![BaseElement::ZERO; self.num_accumulators()];
        for (column, value) in self.initial_values() {
            accumulators[column - B - 1] = value;
        }
        let mut run = Run {
            x: vec![BaseElement::ZERO; self.rows()],
            b: vec![BaseElement::ZERO; rows],
            accumulators: vec![vec![BaseElement::ZERO; rows]; accumulators.len()],
        };
        let mut activations = vec![BaseElement::ZERO; self.num_neurons()];
        let feature = |row: usize| row.checked_sub(feature_row(0)).filter(|&f| f < q.len());
        for row in 0..rows {
            if let Some(Lie::Shift {
                accumulator,
                from,
                by,
            }) = lie
            {
                if row == from {
                    accumulators[accumulator] += by;
                }
            }
            for (column, &value) in run.accumulators.iter_mut().zip(&accumulators) {
                column[row] = value;
            }
            let body_row = row.checked_sub(first_row).filter(|&r| r < self.rows());
            let (x, b) = match body_row.map(|r| (r, self.layout().roles[r])) {
                Some((r, Role::First(g))) => {
                    let (layer, j) = self.position(g);
                    let bias = felt(self.network().hidden[layer].bias[j]);
                    let z = bias + accumulators[self.bank_column(layer, 0) - B - 1];
                    let [h, remainder, b] = match lie {
                        Some(Lie::Cells(liar, cells)) if liar == g => cells,
                        _ => {
                            let d = Decomposition::of(as_i64(z));
                            [d.h.into(), d.r.into(), (d.b as u8).into()]
                        }
                    };
                    run.x[r + 1] = remainder;
                    activations[g] = self.activate(b, h);
                    (h, b)
                }
                Some((r, Role::Second(_))) => (run.x[r], BaseElement::ZERO),
                Some((_, Role::Read { layer, input, .. })) => {
                    let value = match (lie, layer) {
                        (Some(Lie::Misread(misread, value)), _) if misread == row => value,
                        (_, 0) => q[input].into(),
                        _ => activations[self.input_id(layer, input) - q.len()],
                    };
                    (value, BaseElement::ONE)
                }
                None => match feature(row) {
                    Some(f) => (q[f].into(), BaseElement::ONE),
                    None => (BaseElement::ZERO, BaseElement::ZERO),
                },
            };
            let b = match lie {
                Some(Lie::Unfed(unfed)) if unfed == row => BaseElement::ZERO,
                _ => b,
            };
            if let Some(r) = body_row {
                run.x[r] = x;
            }
            run.b[row] = b;
            let activation = self.activate(b, x);
            let shifts = [periodic[0][row], periodic[1][row]];
            // Ascending, each accumulator's next value reads only this row's values.
            for k in 0..accumulators.len() {
                let kept = self.kept(k, &accumulators, shifts);
                accumulators[k] = kept + weights[k][row] * activation;
            }
        }
        run
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
        let run = self.run(q, first_row, last_row, None);
        let scores_row = first_row + self.rows();
        let scores: Vec<i64> = (run.accumulators[self.scores_column() - B - 1..].iter())
            .map(|column| as_i64(column[scores_row]))
            .collect();
        debug_assert_eq!(scores, self.network().evaluate(q).1);
        columns[B][..=last_row].copy_from_slice(&run.b);
        for (k, column) in run.accumulators.iter().enumerate() {
            columns[B + 1 + k][..=last_row].copy_from_slice(column);
        }
        scores
    }
}
