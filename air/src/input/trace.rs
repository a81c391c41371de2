//! The block's honest rows.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;

use super::{feature_row, Feature, InputBlock, MISSING, SALT_ELEMENTS};
use crate::rescue::{self, CYCLE, RATE_WIDTH, STATE_WIDTH};

impl InputBlock {
    /// The block's `x` on rows `0..rows`: the hashed elements of `q` and `salt`, zero padding,
    /// then zeros for the host to overwrite after [`hash_rows`](Self::hash_rows).
    pub fn x_column(
        &self,
        q: &[Feature],
        salt: &[BaseElement; SALT_ELEMENTS],
        rows: usize,
    ) -> Vec<BaseElement> {
        assert_eq!(q.len(), self.num_features());
        let mut x = self.elements(q, salt);
        x.resize(rows.max(self.hash_rows()), BaseElement::ZERO);
        x
    }

    /// Writes the block's columns (the trace's first ones) on rows `0..x.len()`: `x`, the digits
    /// of `decomposed` (one 16-bit value per row), the shift columns, the sponge, which keeps
    /// running after the input, absorbing whatever `x` holds, `m`: 1 where `x` is
    /// [`MISSING`] (there `decomposed` must be 0 where the block range-checks `x`), and `g`:
    /// each one-hot group's running sum on its rows, zero elsewhere.
    pub fn fill(&self, x: &[BaseElement], decomposed: &[u16], columns: &mut [Vec<BaseElement>]) {
        let rows = x.len();
        assert_eq!(decomposed.len(), rows);
        columns[self.x()][..rows].copy_from_slice(x);
        if let Some(m) = self.missing() {
            let missing = BaseElement::new(MISSING);
            for (cell, &value) in columns[m].iter_mut().zip(x) {
                *cell = BaseElement::from(value == missing);
            }
        }
        if let Some(g) = self.group_sum() {
            for group in self.one_hot() {
                let mut sum = BaseElement::ZERO;
                for row in group.clone().map(feature_row) {
                    sum += x[row];
                    columns[g][row] = sum;
                }
            }
        }
        for (row, &value) in decomposed.iter().enumerate() {
            for (j, digit) in InputBlock::digits_of(value).into_iter().enumerate() {
                columns[self.digits() + j][row] = digit;
            }
        }
        // Past the last row `x` is taken as zero: those shift cells are never absorbed.
        let x_at = |row: usize| x.get(row).copied().unwrap_or(BaseElement::ZERO);
        for j in 1..RATE_WIDTH {
            let shift = &mut columns[self.shift(j)][..rows];
            shift
                .iter_mut()
                .enumerate()
                .for_each(|(row, cell)| *cell = x_at(row + j));
        }
        let mut state = rescue::initial_state(self.num_elements());
        for block in 0..rows.div_ceil(CYCLE) {
            let first = rescue::absorb_row(block);
            let message: [BaseElement; RATE_WIDTH] = core::array::from_fn(|j| x_at(first + j));
            let states = rescue::permute_block(&state, &message);
            for (offset, cells) in states.iter().enumerate() {
                let row = first + offset;
                if row >= rows {
                    break;
                }
                for i in 0..STATE_WIDTH {
                    columns[self.state() + i][row] = cells[i];
                }
            }
            state = states[CYCLE - 1];
        }
    }
}
