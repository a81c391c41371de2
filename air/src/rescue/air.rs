//! The gadget's periodic columns, constraints, degrees and assertions.

use winterfell::crypto::hashers::Rp64_256;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Assertion, TransitionConstraintDegree};

use super::trace::{final_row, initial_state};
use super::{
    ABSORB_FLAG, ARK1_COLUMNS, ARK2_COLUMNS, CAPACITY_RANGE, CYCLE, DIGEST_RANGE, DIGEST_WIDTH,
    NUM_PERIODIC_COLUMNS, RATE_RANGE, RATE_WIDTH, ROUND_FLAG, STATE_WIDTH,
};

/// The gadget's periodic columns, each of cycle [`CYCLE`], in the order [`ARK1_COLUMNS`],
/// [`ARK2_COLUMNS`], [`ABSORB_FLAG`], [`ROUND_FLAG`]. The host appends them to its own
/// periodic columns and passes the same slice of values to [`enforce`].
pub fn periodic_columns() -> Vec<Vec<BaseElement>> {
    let mut columns = vec![vec![BaseElement::ZERO; CYCLE]; NUM_PERIODIC_COLUMNS];
    let rounds = Rp64_256::ARK1.iter().zip(&Rp64_256::ARK2).enumerate();
    for (round, (ark1, ark2)) in rounds {
        for (i, (&first, &second)) in ark1.iter().zip(ark2).enumerate() {
            columns[ARK1_COLUMNS + i][round] = first;
            columns[ARK2_COLUMNS + i][round] = second;
        }
        let flag = if round == 0 { ABSORB_FLAG } else { ROUND_FLAG };
        columns[flag][round] = BaseElement::ONE;
    }
    columns
}

/// The degrees of the [`STATE_WIDTH`] constraints of [`enforce`], when `enabled` has trace
/// degree `enabled_degree` (0 for a constant or a periodic column) and is a product of
/// periodic columns of the given cycles (for example `&[n]` for a full-length selector).
///
/// Each is `7 + enabled_degree` in the trace, times one cycle-8 periodic factor, provided every
/// message expression has trace degree at most 1. They need a constraint-evaluation blowup of
/// 8 (`7 + enabled_degree + #cycles − 1` rounded up to a power of two), so proofs need a
/// blowup factor of at least 8, and the composition polynomial has 7–8 columns.
pub fn constraint_degrees(
    enabled_degree: usize,
    enabled_cycles: &[usize],
) -> Vec<TransitionConstraintDegree> {
    vec![degree(enabled_degree, enabled_cycles); STATE_WIDTH]
}

fn degree(enabled_degree: usize, enabled_cycles: &[usize]) -> TransitionConstraintDegree {
    let mut cycles = vec![CYCLE];
    cycles.extend_from_slice(enabled_cycles);
    TransitionConstraintDegree::with_cycles(7 + enabled_degree, cycles)
}

/// The most transition exemptions Winterfell accepts for a trace of length `trace_length`
/// when the gadget's constraints (with this `enabled`) are the host's highest-degree ones:
/// `min(n/2 + 1, n·b − 1 + n − D)`, with `b` the constraint-evaluation blowup they need
/// and `D` their evaluation degree (`winter-air` `AirContext::set_num_transition_exemptions`).
/// That is Winterfell's cap `n/2 + 1` for `enabled = 1`, but only `n/8 + 7` for a full-length
/// selector or a degree-1 `enabled`.
pub fn max_transition_exemptions(
    trace_length: usize,
    enabled_degree: usize,
    enabled_cycles: &[usize],
) -> usize {
    let degree = degree(enabled_degree, enabled_cycles);
    let ce_domain = trace_length * degree.min_blowup_factor();
    let slack =
        (ce_domain - 1 + trace_length).saturating_sub(degree.get_evaluation_degree(trace_length));
    slack.min(trace_length / 2 + 1)
}

/// `x^7`.
#[inline(always)]
fn pow7<E: FieldElement>(x: E) -> E {
    let x2 = x.square();
    let x4 = x2.square();
    x4 * x2 * x
}

/// Writes the [`STATE_WIDTH`] constraint evaluations of one transition of the hash into
/// `result`, each multiplied by `enabled`.
///
/// * `current`, `next`: the 12 state cells on the frame's two rows;
/// * `message`: the 8 elements absorbed between them when `current` is at offset 0 of a block
///   (ignored elsewhere); each must have trace degree at most 1;
/// * `periodic`: the values of the gadget's [`periodic_columns`] on the current row;
/// * `enabled`: 1 where the hash runs, 0 on every other enforced transition.
///
/// All are zero iff `next` follows from `current` as the module documentation describes
/// (or `enabled = 0`).
pub fn enforce<E: FieldElement<BaseField = BaseElement>>(
    current: &[E],
    next: &[E],
    message: &[E],
    periodic: &[E],
    enabled: E,
    result: &mut [E],
) {
    debug_assert_eq!(current.len(), STATE_WIDTH);
    debug_assert_eq!(next.len(), STATE_WIDTH);
    debug_assert_eq!(message.len(), RATE_WIDTH);
    debug_assert_eq!(periodic.len(), NUM_PERIODIC_COLUMNS);
    debug_assert!(result.len() >= STATE_WIDTH);

    let ark1 = &periodic[ARK1_COLUMNS..ARK1_COLUMNS + STATE_WIDTH];
    let ark2 = &periodic[ARK2_COLUMNS..ARK2_COLUMNS + STATE_WIDTH];
    let absorb = periodic[ABSORB_FLAG];
    let round = periodic[ROUND_FLAG];
    let permute = absorb + round;
    let copy = E::ONE - permute;

    // The S-box layer's output from the current row: of `s + μ` at offset 0 (absorption), of
    // `s` at offsets 1..6, and zero at offset 7, where the copy constraint takes over.
    let mut sbox = [E::ZERO; STATE_WIDTH];
    for j in CAPACITY_RANGE {
        sbox[j] = permute * pow7(current[j]);
    }
    for j in RATE_RANGE {
        let absorbed = current[j] + message[j - RATE_RANGE.start];
        sbox[j] = absorb * pow7(absorbed) + round * pow7(current[j]);
    }
    // The round's second half undone from the next row, up to the inverse S-box.
    let mut unmixed = [E::ZERO; STATE_WIDTH];
    for (j, value) in unmixed.iter_mut().enumerate() {
        *value = next[j] - ark2[j];
    }

    for i in 0..STATE_WIDTH {
        let mut forward = ark1[i];
        let mut backward = E::ZERO;
        for j in 0..STATE_WIDTH {
            forward += sbox[j].mul_base(Rp64_256::MDS[i][j]);
            backward += unmixed[j].mul_base(Rp64_256::INV_MDS[i][j]);
        }
        result[i] = enabled * (forward - permute * pow7(backward) + copy * (next[i] - current[i]));
    }
}

/// The host's boundary assertions for a hash of `num_elements` elements starting on row
/// `start` (a multiple of [`CYCLE`]), with its state in columns `state_column..+12`: the
/// initial state `(m, 0, …, 0)` on row `start`, and `digest` in cells [`DIGEST_RANGE`] of
/// row `start + final_row(num_elements)`.
pub fn assertions(
    num_elements: usize,
    digest: &[BaseElement; DIGEST_WIDTH],
    state_column: usize,
    start: usize,
) -> Vec<Assertion<BaseElement>> {
    assert_eq!(
        start % CYCLE,
        0,
        "the hash must start at the beginning of a cycle"
    );
    let last = start + final_row(num_elements);
    let initial = initial_state(num_elements);
    let mut assertions: Vec<_> = (0..STATE_WIDTH)
        .map(|i| Assertion::single(state_column + i, start, initial[i]))
        .collect();
    assertions.extend(
        DIGEST_RANGE
            .zip(digest)
            .map(|(i, &value)| Assertion::single(state_column + i, last, value)),
    );
    assertions
}
