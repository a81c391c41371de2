//! The gadget's rows: what the host writes into its trace, and where.

use winterfell::crypto::hashers::Rp64_256;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;

use super::{CAPACITY_RANGE, CYCLE, DIGEST_RANGE, DIGEST_WIDTH, NUM_ROUNDS, RATE_RANGE};
use super::{RATE_WIDTH, STATE_WIDTH};

/// Permutations in a hash of `num_elements ≥ 1` elements: one per chunk of 8.
pub fn num_permutations(num_elements: usize) -> usize {
    assert!(num_elements > 0, "the gadget hashes at least one element");
    num_elements.div_ceil(RATE_WIDTH)
}

/// Rows a hash of `num_elements` elements occupies: [`CYCLE`] per permutation.
pub fn num_rows(num_elements: usize) -> usize {
    CYCLE * num_permutations(num_elements)
}

/// The row, relative to the hash's first row, whose state cells [`DIGEST_RANGE`] hold the
/// digest: the last of [`num_rows`].
pub fn final_row(num_elements: usize) -> usize {
    num_rows(num_elements) - 1
}

/// The row, relative to the hash's first row, where the message cells must hold chunk `block`.
pub fn absorb_row(block: usize) -> usize {
    CYCLE * block
}

/// The state on the hash's first row: `num_elements` in the first capacity cell, zero elsewhere.
pub fn initial_state(num_elements: usize) -> [BaseElement; STATE_WIDTH] {
    let mut state = [BaseElement::ZERO; STATE_WIDTH];
    state[CAPACITY_RANGE.start] = BaseElement::new(num_elements as u64);
    state
}

/// The [`CYCLE`] state rows of one block from `state`: `state` itself, then the state after
/// absorbing `message` and each of the 7 rounds; the last is the permutation's output, which
/// the next block's first row repeats.
pub fn permute_block(
    state: &[BaseElement; STATE_WIDTH],
    message: &[BaseElement; RATE_WIDTH],
) -> [[BaseElement; STATE_WIDTH]; CYCLE] {
    let mut rows = [*state; CYCLE];
    let mut state = *state;
    for (cell, &value) in state[RATE_RANGE].iter_mut().zip(message) {
        *cell += value;
    }
    for (round, row) in rows[1..].iter_mut().enumerate() {
        Rp64_256::apply_round(&mut state, round);
        *row = state;
    }
    debug_assert_eq!(NUM_ROUNDS, CYCLE - 1);
    rows
}

/// A hash's rows, as the host writes them into its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashRows {
    /// The state cells of each of [`num_rows`] rows, from the hash's first row.
    pub states: Vec<[BaseElement; STATE_WIDTH]>,
    /// Chunk `b`, zero-padded: the message cells' values on row [`absorb_row`]`(b)`. What they
    /// hold on the other rows is not constrained by the gadget.
    pub messages: Vec<[BaseElement; RATE_WIDTH]>,
    /// `Rp64_256::hash_elements` of the elements: cells [`DIGEST_RANGE`] of the last state.
    pub digest: [BaseElement; DIGEST_WIDTH],
}

impl HashRows {
    /// The message cells' values on `row` (relative to the hash's first row): the chunk on
    /// absorbing rows, zero elsewhere.
    pub fn message_on(&self, row: usize) -> [BaseElement; RATE_WIDTH] {
        if row.is_multiple_of(CYCLE) {
            self.messages[row / CYCLE]
        } else {
            [BaseElement::ZERO; RATE_WIDTH]
        }
    }

    /// The state after the last permutation: the first row of a block that would follow.
    pub fn final_state(&self) -> [BaseElement; STATE_WIDTH] {
        *self.states.last().expect("at least one permutation")
    }
}

/// The rows of `Rp64_256::hash_elements(elements)`, for `elements` non-empty.
pub fn hash_rows(elements: &[BaseElement]) -> HashRows {
    let mut state = initial_state(elements.len());
    let blocks = num_permutations(elements.len());
    let mut states = Vec::with_capacity(blocks * CYCLE);
    let mut messages = Vec::with_capacity(blocks);
    for chunk in elements.chunks(RATE_WIDTH) {
        let mut message = [BaseElement::ZERO; RATE_WIDTH];
        message[..chunk.len()].copy_from_slice(chunk);
        let rows = permute_block(&state, &message);
        states.extend_from_slice(&rows);
        messages.push(message);
        // The permutation's output, on the block's last row, starts the next block.
        state = rows[CYCLE - 1];
    }
    let digest = state[DIGEST_RANGE].try_into().expect("four cells");
    HashRows {
        states,
        messages,
        digest,
    }
}
