//! The private input block shared by zkinfer's AIRs: the features, their range checks, and
//! the hiding input commitment computed in the AIR, in a fixed number of columns: the features
//! are laid out down one column, so a thousand features cost rows, not columns.
//!
//! # The commitment
//!
//! `Rp64_256::hash_elements(header ‖ q ‖ salt)`:
//!
//! * the header, `2^32·`[`HEADER_TAG`]` + F`: a domain tag and the number of features, so that
//!   inputs of different lengths never collide and no other use of the hash can be passed off
//!   as an input commitment;
//! * the features, one per element: the 16-bit value, or [`MISSING`];
//! * [`SALT_ELEMENTS`] uniformly random field elements, the commitment's opening, which make it
//!   hiding even for low-entropy inputs.
//!
//! # Rows and columns
//!
//! Element `e` of the hashed sequence sits in `x` on row `e`: the header on row 0, feature `f`
//! on row [`feature_row`]`(f) = 1 + f`, the salt on rows `F + 1..F + 5`, zeros up to the end of
//! the last hash block. So the absorbed chunk `b`, elements `8b..8b + 8`, is `x` on rows
//! `8b..8b + 8`, which the shift columns bring onto row `8b`.
//!
//! | columns | meaning |
//! |---|---|
//! | `x` | element `e` on row `e` of the hash; after it, whatever the host needs: a 16-bit value on every row it range-checks |
//! | `digits[0..8]` | base-4 digits: of `x` where `x` is range-checked, of what the host decomposes elsewhere |
//! | `shift[1..8]` | `shift[j]` on row `r` is `x` on row `r + j` |
//! | `state[0..12]` | the Rescue sponge ([`crate::rescue`]), from row 0 |
//! | `m` | only when features may be missing: nonzero exactly where `x` is [`MISSING`] |
//! | `g` | only with one-hot groups: on a group's rows, the sum of its features so far |
//!
//! # Constraints
//!
//! * every digit is in `{0, 1, 2, 3}` (`d(d − 1)(d − 2)(d − 3) = 0`, degree 4, below the hash's
//!   7);
//! * `(1 − free)·(x − Σ 4^j·digits[j]) = 0`, with `free` a periodic flag that is 1 on the
//!   header and salt rows and on the host's rows where `x` is not a 16-bit value of its own
//!   (rows that read a feature through the lookup of [`crate::lookup`], whose table is
//!   range-checked here): `0 ≤ x < 2^16` on every feature row;
//! * when features may be missing, the range check is `(1 − free)·(x − MISSING·m − Σ 4^j·
//!   digits[j]) = 0` and `m·(x − MISSING) = 0` ("missing"): a nonzero `m` pins `x` to
//!   [`MISSING`], and a zero one leaves the plain range check. So a feature is a 16-bit value
//!   or [`MISSING`], and on every row `m ≠ 0` implies `x = MISSING`, which is what a body reads
//!   to tell a missing feature (`m` need not be boolean: no row reads it but as "zero or not",
//!   see [`crate::trees::walk`]);
//! * with one-hot groups (runs of consecutive features that are a categorical feature's
//!   indicators, as a linear model or a network reads it), with the periodic flags `bit` (the
//!   row holds a group's feature), `next_bit` and `next_more` (row `i + 1` holds a group's
//!   feature, and not its first): `next_bit·(g' − x') − next_more·g = 0` ("one_hot.sum") and
//!   `bit·g·(g − 1) = 0` ("one_hot.bit"), of degrees 1 and 2 times one full-length periodic
//!   column. So `g` is the group's running sum on its rows, and is 0 or 1 on each: a feature
//!   `x = g − g_previous` (or `g` on the group's first row) is in `{−1, 0, 1}`, and as the
//!   range check makes it a 16-bit value, in `{0, 1}`; the sum never decreases, so at most one
//!   feature of a group is 1. Every input the model can be proved on is then one a categorical
//!   value encodes (one indicator, or none for a category the encoder does not know);
//! * `shift[1] = x'` and `shift[j] = shift[j − 1]'`: on row `8b` the message `x, shift[1..8]`
//!   is chunk `b`;
//! * the sponge runs on every enforced row (free-running, `enabled = 1`), absorbing the message
//!   on rows `8b`; after the input it absorbs whatever `x` holds, which no longer matters.
//!
//! Assertions: `x = header` on row 0, `x = 0` on the padding rows, the sponge's initial state,
//! except the rate cells that absorb salt in the first block (a value there only shifts the
//! salt: the commitment is then the hash of the same input under another salt, which the prover
//! knows), and the digest on row `8·blocks − 1`.

mod air;
mod trace;

#[cfg(test)]
mod tests;

pub use air::InputBlock;
#[cfg(test)]
pub(crate) use air::Slot;

/// Random field elements appended to the packed features: about 255 bits.
pub const SALT_ELEMENTS: usize = 4;
/// The commitment's domain tag, `"zki2"` in ASCII: the header element is `2^32·HEADER_TAG + F`.
/// (`"zki1"` hashed the features packed three to an element.)
pub const HEADER_TAG: u64 = 0x7a6b_6932;
/// Bits per feature.
pub const FEATURE_BITS: usize = 16;
/// Base-4 digits of a 16-bit value.
pub const DIGITS: usize = FEATURE_BITS / 2;

/// A feature as the input block holds it: a 16-bit value, or `None` when it is missing.
pub type Feature = Option<u16>;

/// The element a missing feature is hashed and read as. Any 16-bit value minus a threshold in
/// `[0, 2^16]` is at least `2^16` below it, so no tree decision can take it for a value.
pub const MISSING: u64 = 1 << 17;

/// The hashed element of a feature.
pub fn feature_element(feature: Feature) -> winterfell::math::fields::f64::BaseElement {
    use winterfell::math::fields::f64::BaseElement;
    feature.map_or(BaseElement::new(MISSING), BaseElement::from)
}

/// Plain 16-bit values (or features) as features.
pub fn features<F: Copy + Into<Feature>>(q: &[F]) -> Vec<Feature> {
    q.iter().map(|&v| v.into()).collect()
}

/// The values of features none of which is missing (bodies that do not accept missing
/// features; [`crate::inference::build_trace`] checks).
pub fn present_values(q: &[Feature]) -> Vec<u16> {
    debug_assert!(q.iter().all(Option::is_some));
    q.iter().map(|v| v.unwrap_or(0)).collect()
}

/// Whether `groups` are increasing, disjoint, non-empty ranges of `0..num_features`.
pub fn valid_groups(groups: &[core::ops::Range<usize>], num_features: usize) -> bool {
    let mut next = 0;
    groups.iter().all(|group| {
        let fits = next <= group.start && group.start < group.end && group.end <= num_features;
        next = group.end;
        fits
    })
}

/// Whether every one-hot group of `q` holds indicators, at most one of them 1.
pub fn is_one_hot(groups: &[core::ops::Range<usize>], q: &[Feature]) -> bool {
    groups.iter().all(|group| {
        let values = q.get(group.clone()).unwrap_or_default();
        values.iter().all(|v| matches!(v, Some(0 | 1)))
            && values.iter().filter(|&&v| v == Some(1)).count() <= 1
    })
}

/// The row holding feature `f` in `x`: the header is element 0.
pub const fn feature_row(f: usize) -> usize {
    1 + f
}
