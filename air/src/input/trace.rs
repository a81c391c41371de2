//! The block's honest rows.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;

use super::{InputBlock, SALT_ELEMENTS};
use crate::rescue::{self, CYCLE, RATE_WIDTH, STATE_WIDTH};

impl InputBlock {
    /// Writes the block's columns (the trace's first ones) on rows `0..=last_row`: the features
    /// `q`, the host's 16-bit values `x` (one per row up to `last_row`; rows `0..F` must hold
    /// the features themselves) and their bits, the hashed elements with `salt`, and the
    /// sponge, which keeps running after the input with zero messages.
    pub fn fill(
        &self,
        q: &[u16],
        salt: &[BaseElement; SALT_ELEMENTS],
        x: &[u16],
        columns: &mut [Vec<BaseElement>],
    ) {
        assert_eq!(q.len(), self.num_features());
        assert_eq!(&x[..q.len()], q, "rows 0..F range-check the features");
        let rows = x.len();
        for (f, &value) in q.iter().enumerate() {
            columns[self.q(f)][..rows].fill(BaseElement::from(value));
        }
        for (row, &value) in x.iter().enumerate() {
            columns[self.x()][row] = BaseElement::from(value);
            for (j, digit) in InputBlock::digits_of(value).into_iter().enumerate() {
                columns[self.digits() + j][row] = digit;
            }
        }
        let elements = self.elements(q, salt);
        let mut state = rescue::initial_state(elements.len());
        let chunks = elements
            .chunks(RATE_WIDTH)
            .map(Some)
            .chain(std::iter::repeat(None));
        for (block, chunk) in (0..rows.div_ceil(CYCLE)).zip(chunks) {
            let mut message = [BaseElement::ZERO; RATE_WIDTH];
            if let Some(chunk) = chunk {
                message[..chunk.len()].copy_from_slice(chunk);
            }
            let states = rescue::permute_block(&state, &message);
            let first = rescue::absorb_row(block);
            for (offset, cells) in states.iter().enumerate() {
                let row = first + offset;
                if row >= rows {
                    break;
                }
                for i in 0..STATE_WIDTH {
                    columns[self.state() + i][row] = cells[i];
                }
            }
            for (j, &value) in message.iter().enumerate() {
                if first < rows {
                    columns[self.message() + j][first] = value;
                }
            }
            state = states[CYCLE - 1];
        }
    }
}
