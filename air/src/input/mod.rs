//! The private input block shared by zkinfer's AIRs: the features, their range checks, and
//! the hiding input commitment computed in the AIR.
//!
//! # The commitment
//!
//! `Rp64_256::hash_elements(header ‖ pack(q) ‖ salt)`:
//!
//! * the header, `2^32·`[`HEADER_TAG`]` + F`: a domain tag and the number of features, so that
//!   inputs of different lengths never collide (without it, `q` and `q` with trailing zeros
//!   appended pack to the same elements) and no other use of the hash can be passed off as an
//!   input commitment;
//! * the 16-bit features packed three per element (`q[3i] + 2^16·q[3i+1] + 2^32·q[3i+2]`,
//!   missing features zero): injective because every feature is range-checked;
//! * [`SALT_ELEMENTS`] uniformly random field elements, the commitment's opening, which make it
//!   hiding even for low-entropy inputs.
//!
//! # Columns
//!
//! | columns | meaning |
//! |---|---|
//! | `q[0..F]` | the features, the same on every real row |
//! | `x` | a 16-bit value: feature `f` on the rows that select it, else whatever the host needs |
//! | `digits[0..8]` | the base-4 digits of `x`: `0 ≤ x < 2^16` on every row |
//! | `message[0..8]` | on row `8b`, chunk `b` of the hashed elements |
//! | `state[0..12]` | the Rescue sponge ([`crate::rescue`]), from row 0 |
//!
//! # Constraints
//!
//! * `q[f]' = q[f]`;
//! * every digit is in `{0, 1, 2, 3}` (`d(d − 1)(d − 2)(d − 3) = 0`, degree 4, below the
//!   hash's 7) and `x = Σ 4^j·digits[j]`: half the columns of a binary decomposition;
//! * `Σ_f select_f·(x − q[f]) = 0`, with `select_f` a periodic one-hot column: 1 on row `f`
//!   (so every feature is range-checked through `x`) and on every host row that reads `f`;
//! * on row `8b` of each hash block `b`, message cell `j` equals element `8b + j`: the header,
//!   the packed feature cells, or zero past the end; the salt cells are left free (whatever they
//!   hold is the salt), and a cell that holds salt in every block has no constraint;
//! * the sponge runs on every enforced row (free-running, `enabled = 1`), absorbing the message
//!   cells on rows `8b`; its initial state and the digest, on row `8·blocks − 1`, are
//!   asserted, except the initial rate cells that absorb salt in the first block (a value there
//!   only shifts the salt: the commitment is the hash of the same input under another salt,
//!   which the prover knows). After the input the sponge absorbs whatever the message cells
//!   hold, which no longer matters.

mod air;
mod trace;

#[cfg(test)]
mod tests;

pub use air::InputBlock;
#[cfg(test)]
pub(crate) use air::Slot;

/// Random field elements appended to the packed features: about 255 bits.
pub const SALT_ELEMENTS: usize = 4;
/// The commitment's domain tag, `"zki1"` in ASCII: the header element is `2^32·HEADER_TAG + F`.
pub const HEADER_TAG: u64 = 0x7a6b_6931;
/// Features per hashed element.
pub const FEATURES_PER_ELEMENT: usize = 3;
/// Bits per feature.
pub const FEATURE_BITS: usize = 16;
/// Base-4 digits of a 16-bit value.
pub const DIGITS: usize = FEATURE_BITS / 2;
