//! An AIR gadget for the Rescue-Prime hash `Rp64_256::hash_elements` of winter-crypto, over
//! Goldilocks, for use inside a host AIR: a proof that a public digest is the hash of private
//! elements (for example packed features and a salt).
//!
//! # The sponge being proved
//!
//! `Rp64_256::hash_elements(x_0..x_{m-1})`, `m ≥ 1`, as implemented in winter-crypto 0.13.1:
//!
//! * the state is 12 elements, all zero except `state[0] = m` (the capacity is `0..4`, and its
//!   first cell holds the number of elements: this replaces padding);
//! * the elements are *added* into the rate `state[4..12]`, eight at a time: chunk `b` is
//!   `x_{8b..8b+8}`, the last chunk implicitly zero-padded, and each chunk is followed by one
//!   permutation, so there are `⌈m/8⌉` permutations (2 for 14 elements; none for `m = 0`, which
//!   this gadget does not support);
//! * a permutation is 7 rounds `s ↦ MDS·(MDS·s^7 + ARK1_r)^{1/7} + ARK2_r`;
//! * the digest is `state[4..8]` after the last permutation.
//!
//! # Layout
//!
//! Twelve state columns, one row per round, blocks of [`CYCLE`] = 8 rows per permutation,
//! aligned with the periodic columns (the hash must start on a row that is a multiple of 8).
//! Within block `b` (rows `8b + k` relative to the hash's first row):
//!
//! | row offset `k` | state on the row | transition to the next row |
//! |---|---|---|
//! | 0 | before absorbing chunk `b` | absorb the message `μ` (chunk `b`), then round 0 |
//! | 1‥6 | after round `k − 1` | round `k` |
//! | 7 | after round 6: the permutation's output | copy (the next block starts from it) |
//!
//! So row 0 holds the public initial state `(m, 0, …, 0)`, which the host asserts, and every
//! chunk, the first one included, enters through the message cells: the host passes, as
//! `message`, eight expressions that equal chunk `b` on row `8b` (the test AIR uses eight trace
//! columns) and constrains what they are. A hash of `m` elements occupies [`num_rows`]`(m) =
//! 8⌈m/8⌉` rows; the digest is in state cells `4..8` of its last row, [`final_row`]`(m)`.
//! [`assertions`] asserts both ends.
//!
//! # Constraints
//!
//! Round `r` maps `s` to `s'` iff `MDS·s^7 + ARK1_r = (INV_MDS·(s' − ARK2_r))^7`: both sides
//! are the middle of the round, computed forwards from `s` and backwards from `s'`, and
//! `x ↦ x^7` is a bijection of the field (`gcd(7, p − 1) = 1`), so the inverse S-box is never
//! needed. With the periodic flags `a` (1 at offset 0), `ρ` (1 at offsets 1‥6), `π = a + ρ`,
//! `κ = 1 − π`, and the periodic constants `ARK1`, `ARK2` (those of round `k` at offset
//! `k < 7`, zero at offset 7), the constraints are, for `i = 0‥11`,
//!
//! ```text
//! enabled · ( Σ_j MDS[i][j]·σ_j + ARK1_i − π·(Σ_j INV_MDS[i][j]·(s'_j − ARK2_j))^7
//!             + κ·(s'_i − s_i) ) = 0
//! σ_j = π·s_j^7                          for j in the capacity 0‥3
//! σ_j = a·(s_j + μ_{j−4})^7 + ρ·s_j^7    for j in the rate 4‥11
//! ```
//!
//! The flags sit outside the seventh powers, so the degree is 7 in the trace (with
//! degree-1 messages) times one periodic factor of cycle 8, times whatever `enabled` is:
//! [`constraint_degrees`]. `ARK2` inside the power does not raise the degree, as a
//! cycle-8 periodic polynomial has degree `7n/8 < n − 1`.
//!
//! # Using it in a host AIR
//!
//! * `enabled` must be 1 on every transition of the hash (rows `start‥start + num_rows − 2`)
//!   and 0 on every other *enforced* transition where the state columns do not follow the
//!   sponge; a constant 1 is fine when the host gives the gadget its own columns and lets the
//!   sponge run on every enforced row (absorbing arbitrary messages after the real input).
//! * The periodic flags repeat over the whole trace; they do not switch the gadget off by
//!   themselves.
//! * With zero-knowledge random rows at the end, the whole hash must lie before them, and the
//!   number of exemptions is bounded by [`max_transition_exemptions`]: about `n/8 + 7` when
//!   `enabled` is a full-length selector.

mod air;
mod trace;

#[cfg(test)]
mod tests;

use core::ops::Range;

use winterfell::crypto::hashers::Rp64_256;

pub use air::{
    assertions, constraint_degrees, enforce, max_transition_exemptions, periodic_columns,
};
pub use trace::{
    absorb_row, final_row, hash_rows, initial_state, num_permutations, num_rows, permute_block,
    HashRows,
};

/// State cells, and constraints written by [`enforce`].
pub const STATE_WIDTH: usize = 12;
/// Elements absorbed per permutation: the message cells.
pub const RATE_WIDTH: usize = 8;
/// State cells of the rate, where the message is added.
pub const RATE_RANGE: Range<usize> = Rp64_256::RATE_RANGE;
/// State cells of the capacity; `capacity[0]` starts as the number of elements.
pub const CAPACITY_RANGE: Range<usize> = Rp64_256::CAPACITY_RANGE;
/// State cells holding the digest on the hash's final row.
pub const DIGEST_RANGE: Range<usize> = Rp64_256::DIGEST_RANGE;
/// Elements of a digest.
pub const DIGEST_WIDTH: usize = 4;
/// Rounds per permutation.
pub const NUM_ROUNDS: usize = Rp64_256::NUM_ROUNDS;
/// Rows per permutation, and the cycle of the periodic columns.
pub const CYCLE: usize = 8;

/// Periodic column of `ARK1[k][i]`: `ARK1_COLUMNS + i`.
pub const ARK1_COLUMNS: usize = 0;
/// Periodic column of `ARK2[k][i]`: `ARK2_COLUMNS + i`.
pub const ARK2_COLUMNS: usize = ARK1_COLUMNS + STATE_WIDTH;
/// Periodic flag, 1 at offset 0: absorb the message, then apply round 0.
pub const ABSORB_FLAG: usize = ARK2_COLUMNS + STATE_WIDTH;
/// Periodic flag, 1 at offsets 1‥6: apply round `k`.
pub const ROUND_FLAG: usize = ABSORB_FLAG + 1;
/// Periodic columns of the gadget, all of cycle [`CYCLE`].
pub const NUM_PERIODIC_COLUMNS: usize = ROUND_FLAG + 1;

// The layout relies on these properties of winter-crypto's Rp64_256.
const _: () = {
    assert!(Rp64_256::STATE_WIDTH == STATE_WIDTH);
    assert!(Rp64_256::NUM_ROUNDS + 1 == CYCLE);
    assert!(Rp64_256::CAPACITY_RANGE.start == 0 && Rp64_256::CAPACITY_RANGE.end == 4);
    assert!(Rp64_256::RATE_RANGE.start == 4 && Rp64_256::RATE_RANGE.end == STATE_WIDTH);
    assert!(Rp64_256::RATE_RANGE.end - Rp64_256::RATE_RANGE.start == RATE_WIDTH);
    assert!(Rp64_256::DIGEST_RANGE.end - Rp64_256::DIGEST_RANGE.start == DIGEST_WIDTH);
};
