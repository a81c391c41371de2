//! A small host AIR around the gadget, and its tests.
//!
//! The host proves "I know 14 elements (10 packed features and a 4-element salt) whose
//! `Rp64_256::hash_elements` is this public digest". Its trace is the gadget's 12 state
//! columns and 8 message columns, in one of three layouts (see [`Layout`]).
//!
//! How the soundness tests work: a malicious prover writes a bad trace directly, then
//!
//! 1. [`violations`] evaluates the host's own `evaluate_transition` on every enforced row and
//!    checks every assertion, with no Winterfell prover involved, and the test checks that the
//!    failures are exactly the ones the forgery must cause (the tampered row, and no others).
//!    So the test fails if a constraint is missing or too weak, and shows where it bites;
//! 2. [`assert_rejected`] proves the bad trace and hands the proof to `winterfell::verify`,
//!    which must reject it. The workspace turns off `winter-prover`'s debug assertions (root
//!    `Cargo.toml`, `[profile.dev.package.winter-prover]`), so the prover does not validate the
//!    trace and panic in debug builds: the real verifier judges the malicious proof in every
//!    profile, and the tests need no `#[ignore]`. Were that setting removed, these tests would
//!    panic in the prover and fail loudly, not pass silently.

use std::time::Instant;

use winterfell::crypto::hashers::Rp64_256;
use winterfell::crypto::ElementHasher;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{fft, polynom, FieldElement, StarkField, ToElements};
use winterfell::{
    Air, AirContext, Assertion, EvaluationFrame, Proof, ProofOptions, Trace, TraceInfo, TraceTable,
    TransitionConstraintDegree,
};

use super::*;
use crate::prover::Hash;
use crate::testing::options;
use crate::zk::ZkParams;

/// The host's columns: the state, then the message cells.
const STATE: usize = 0;
const MESSAGE: usize = STATE + STATE_WIDTH;
const WIDTH: usize = MESSAGE + RATE_WIDTH;

/// Private elements of the test statement: 10 packed features and 4 salt elements.
const NUM_ELEMENTS: usize = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// The trace is the hash, from row 0; `enabled = 1` and Winterfell's single default
    /// exemption (the wrap-around). 14 elements take exactly 16 rows.
    Bare,
    /// Zero-knowledge shape with columns of its own: the hash starts on row 0 and the sponge
    /// keeps running (absorbing random messages) on every enforced row after it, so
    /// `enabled = 1`; the last `r` rows are random and exempt.
    FreeRunning,
    /// Zero-knowledge shape for multiplexed columns: the hash occupies rows
    /// `start..start + 16`, a full-length periodic selector enables it, and every other row,
    /// including the last `r`, is random.
    Selected { start: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct HashInputs {
    num_elements: usize,
    digest: [BaseElement; DIGEST_WIDTH],
    layout: Layout,
}

impl crate::prover::Segments for HashInputs {}

impl HashInputs {
    fn start(&self) -> usize {
        match self.layout {
            Layout::Selected { start } => start,
            Layout::Bare | Layout::FreeRunning => 0,
        }
    }

    fn selected(&self) -> bool {
        matches!(self.layout, Layout::Selected { .. })
    }

    /// `enabled`'s periodic cycles: none for the constant 1, `[n]` for the selector.
    fn enabled_cycles(&self, n: usize) -> Vec<usize> {
        if self.selected() {
            vec![n]
        } else {
            Vec::new()
        }
    }

    fn exemptions(&self, options: &ProofOptions) -> usize {
        match self.layout {
            Layout::Bare => 1,
            _ => ZkParams::for_options(options).transition_exemptions(),
        }
    }

    fn trace_length(&self, options: &ProofOptions) -> usize {
        let rows = num_rows(self.num_elements);
        match self.layout {
            Layout::Bare => rows.next_power_of_two().max(8),
            Layout::FreeRunning => ZkParams::for_options(options).trace_length(rows, options),
            Layout::Selected { start } => {
                // Long enough for the random rows to be exempt despite the selector's degree.
                let mut n = ZkParams::for_options(options).trace_length(start + rows, options);
                while max_transition_exemptions(n, 0, &[n]) < self.exemptions(options) {
                    n *= 2;
                }
                n
            }
        }
    }
}

impl ToElements<BaseElement> for HashInputs {
    fn to_elements(&self) -> Vec<BaseElement> {
        let mut elements = vec![BaseElement::new(self.num_elements as u64)];
        elements.extend_from_slice(&self.digest);
        let (tag, start) = match self.layout {
            Layout::Bare => (0, 0),
            Layout::FreeRunning => (1, 0),
            Layout::Selected { start } => (2, start),
        };
        elements.push(BaseElement::new(tag));
        elements.push(BaseElement::new(start as u64));
        elements
    }
}

struct HashAir {
    context: AirContext<BaseElement>,
    inputs: HashInputs,
}

impl Air for HashAir {
    type BaseField = BaseElement;
    type PublicInputs = HashInputs;

    fn new(trace_info: TraceInfo, inputs: HashInputs, options: ProofOptions) -> Self {
        let n = trace_info.length();
        assert_eq!(trace_info.width(), WIDTH);
        let degrees = constraint_degrees(0, &inputs.enabled_cycles(n));
        let exemptions = inputs.exemptions(&options);
        let context = AirContext::new(trace_info, degrees, STATE_WIDTH + DIGEST_WIDTH, options)
            .set_num_transition_exemptions(exemptions);
        HashAir { context, inputs }
    }

    fn context(&self) -> &AirContext<BaseElement> {
        &self.context
    }

    fn evaluate_transition<E: FieldElement<BaseField = BaseElement>>(
        &self,
        frame: &EvaluationFrame<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        let (current, next) = (frame.current(), frame.next());
        let enabled = if self.inputs.selected() {
            periodic[NUM_PERIODIC_COLUMNS]
        } else {
            E::ONE
        };
        enforce(
            &current[STATE..STATE + STATE_WIDTH],
            &next[STATE..STATE + STATE_WIDTH],
            &current[MESSAGE..MESSAGE + RATE_WIDTH],
            &periodic[..NUM_PERIODIC_COLUMNS],
            enabled,
            result,
        );
    }

    fn get_assertions(&self) -> Vec<Assertion<BaseElement>> {
        let inputs = &self.inputs;
        assertions(inputs.num_elements, &inputs.digest, STATE, inputs.start())
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<BaseElement>> {
        let mut columns = periodic_columns();
        if self.inputs.selected() {
            // 1 on the hash's transitions: out of every row of the hash but the last.
            let mut selector = vec![BaseElement::ZERO; self.trace_length()];
            let start = self.inputs.start();
            let last = start + final_row(self.inputs.num_elements);
            selector[start..last].fill(BaseElement::ONE);
            columns.push(selector);
        }
        columns
    }
}

/// Test randomness (xorshift); a real prover draws from the operating system's CSPRNG.
fn rng(seed: u64) -> impl FnMut() -> BaseElement {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        BaseElement::new(state)
    }
}

/// Ten "packed features" (three 16-bit values each) and a four-element salt.
fn private_elements(seed: u64) -> Vec<BaseElement> {
    let mut random = rng(seed);
    let mut elements: Vec<BaseElement> = (0..10u64)
        .map(|i| BaseElement::new((1000 + i) | (2000 + i) << 16 | (3000 + i) << 32))
        .collect();
    elements.extend((0..4).map(|_| random()));
    assert_eq!(elements.len(), NUM_ELEMENTS);
    elements
}

fn write_state(columns: &mut [Vec<BaseElement>], row: usize, state: &[BaseElement]) {
    for (i, &value) in state.iter().enumerate() {
        columns[STATE + i][row] = value;
    }
}

fn write_message(columns: &mut [Vec<BaseElement>], row: usize, message: &[BaseElement]) {
    for (i, &value) in message.iter().enumerate() {
        columns[MESSAGE + i][row] = value;
    }
}

/// The honest trace of the hash of `elements` in `layout`, and its statement.
fn build_trace(
    elements: &[BaseElement],
    layout: Layout,
    random: &mut dyn FnMut() -> BaseElement,
) -> (TraceTable<BaseElement>, HashInputs) {
    let hash = hash_rows(elements);
    let inputs = HashInputs {
        num_elements: elements.len(),
        digest: hash.digest,
        layout,
    };
    let options = options();
    let n = inputs.trace_length(&options);
    let start = inputs.start();
    let rows = hash.states.len();
    // Random everywhere in the zero-knowledge layouts, then the computation on top.
    let mut columns = vec![vec![BaseElement::ZERO; n]; WIDTH];
    if layout != Layout::Bare {
        columns
            .iter_mut()
            .flatten()
            .for_each(|cell| *cell = random());
    }
    for (row, state) in hash.states.iter().enumerate() {
        write_state(&mut columns, start + row, state);
        if row % CYCLE == 0 || layout == Layout::Bare {
            write_message(&mut columns, start + row, &hash.message_on(row));
        }
    }
    if !inputs.selected() {
        // Keep the sponge running to the end of the enforced rows (here: of the trace),
        // absorbing zeros (bare) or the random message cells already there.
        let mut state = hash.final_state();
        for block in (rows..n).step_by(CYCLE) {
            let mut message = [BaseElement::ZERO; RATE_WIDTH];
            for (i, cell) in message.iter_mut().enumerate() {
                *cell = columns[MESSAGE + i][block];
            }
            let states = permute_block(&state, &message);
            for (offset, row_state) in states.iter().enumerate().take(n - block) {
                write_state(&mut columns, block + offset, row_state);
            }
            state = states[CYCLE - 1];
        }
        if layout == Layout::FreeRunning {
            let zk = ZkParams::for_options(&options);
            for column in columns.iter_mut() {
                column[n - zk.random_rows..]
                    .iter_mut()
                    .for_each(|cell| *cell = random());
            }
        }
    }
    (TraceTable::init(columns), inputs)
}

fn honest(elements: &[BaseElement], layout: Layout) -> (TraceTable<BaseElement>, HashInputs) {
    build_trace(elements, layout, &mut rng(0x9E37_79B9_7F4A_7C15))
}

fn prove(trace: TraceTable<BaseElement>, inputs: &HashInputs) -> Proof {
    crate::testing::prove::<HashAir>(trace, inputs)
}

fn verify(proof: Proof, inputs: &HashInputs) -> Result<(), winterfell::VerifierError> {
    crate::testing::verify::<HashAir>(proof, inputs)
}

/// What a trace violates, found by evaluating the AIR directly (no prover).
#[derive(Debug, Default, PartialEq, Eq)]
struct Violations {
    /// Rows `i` whose transition `i → i + 1` has a non-zero constraint evaluation, among the
    /// enforced ones.
    transitions: Vec<usize>,
    /// `(column, row)` of every failed assertion.
    assertions: Vec<(usize, usize)>,
}

fn violations(trace: &TraceTable<BaseElement>, inputs: &HashInputs) -> Violations {
    let air = HashAir::new(trace.info().clone(), inputs.clone(), options());
    let n = trace.length();
    let periodic = air.get_periodic_column_values();
    let mut found = Violations::default();
    let mut result = vec![BaseElement::ZERO; air.context().num_main_transition_constraints()];
    for row in 0..n - air.context().num_transition_exemptions() {
        let current = (0..WIDTH).map(|c| trace.get(c, row)).collect();
        let next = (0..WIDTH).map(|c| trace.get(c, row + 1)).collect();
        let values: Vec<_> = periodic.iter().map(|c| c[row % c.len()]).collect();
        air.evaluate_transition(
            &EvaluationFrame::from_rows(current, next),
            &values,
            &mut result,
        );
        if result.iter().any(|&v| v != BaseElement::ZERO) {
            found.transitions.push(row);
        }
    }
    for assertion in air.get_assertions() {
        assertion.apply(n, |row, value| {
            if trace.get(assertion.column(), row) != value {
                found.assertions.push((assertion.column(), row));
            }
        });
    }
    found
}

/// A malicious prover's proof of `trace` for the claimed statement must not verify.
fn assert_rejected(trace: TraceTable<BaseElement>, claimed: &HashInputs) {
    let proof = prove(trace, claimed);
    assert!(verify(proof, claimed).is_err(), "a bad trace was accepted");
}

const LAYOUTS: [Layout; 3] = [
    Layout::Bare,
    Layout::FreeRunning,
    Layout::Selected { start: 8 },
];

fn expected_digest(elements: &[BaseElement]) -> [BaseElement; DIGEST_WIDTH] {
    Rp64_256::hash_elements(elements)
        .as_elements()
        .try_into()
        .unwrap()
}

#[test]
fn an_honest_proof_verifies_in_every_layout() {
    let elements = private_elements(1);
    for layout in LAYOUTS {
        let (trace, inputs) = honest(&elements, layout);
        assert_eq!(inputs.digest, expected_digest(&elements));
        assert_eq!(violations(&trace, &inputs), Violations::default());
        verify(prove(trace, &inputs), &inputs).expect("verifies");
    }
}

#[test]
fn a_proof_does_not_verify_under_another_statement() {
    let elements = private_elements(2);
    let (trace, inputs) = honest(&elements, Layout::Bare);
    let proof = prove(trace, &inputs);
    let mut other = inputs.clone();
    other.digest[3] += BaseElement::ONE;
    assert!(verify(proof.clone(), &other).is_err());
    let mut other = inputs.clone();
    other.num_elements += 1;
    assert!(verify(proof, &other).is_err());
}

#[test]
fn a_wrong_state_cell_mid_permutation_is_rejected() {
    let elements = private_elements(3);
    for layout in LAYOUTS {
        let (mut trace, inputs) = honest(&elements, layout);
        let row = inputs.start() + 3;
        trace.set(STATE + 5, row, trace.get(STATE + 5, row) + BaseElement::ONE);
        // Both the round into the row and the round out of it break.
        let found = violations(&trace, &inputs);
        assert_eq!(found.transitions, vec![row - 1, row], "{layout:?}");
        assert!(found.assertions.is_empty());
        assert_rejected(trace, &inputs);
    }
}

#[test]
fn a_wrong_message_is_rejected() {
    let elements = private_elements(4);
    for layout in LAYOUTS {
        // Another private input under the same public digest: element 10 (salt[0]) differs.
        // Its honest trace satisfies every transition; only the digest assertions fail.
        let mut other = elements.clone();
        other[10] += BaseElement::ONE;
        let (trace, inputs) = honest(&elements, layout);
        let (forged, _) = honest(&other, layout);
        let found = violations(&forged, &inputs);
        assert!(found.transitions.is_empty());
        let last = inputs.start() + final_row(NUM_ELEMENTS);
        let digest_cells: Vec<_> = DIGEST_RANGE.map(|i| (STATE + i, last)).collect();
        assert_eq!(found.assertions, digest_cells, "{layout:?}");
        assert_rejected(forged, &inputs);

        // Only the message cell of chunk 1 changed, the states kept: the absorbing round breaks.
        let absorb = inputs.start() + absorb_row(1);
        let mut forged = trace.clone();
        forged.set(
            MESSAGE + 2,
            absorb,
            forged.get(MESSAGE + 2, absorb) + BaseElement::ONE,
        );
        assert_eq!(violations(&forged, &inputs).transitions, vec![absorb]);
        assert_rejected(forged, &inputs);

        // The message cells are read on absorbing rows only: elsewhere they are free.
        let mut free = trace.clone();
        free.set(MESSAGE + 2, absorb + 1, BaseElement::new(12345));
        assert_eq!(violations(&free, &inputs), Violations::default());
    }
}

#[test]
fn a_wrong_digest_is_rejected() {
    let elements = private_elements(5);
    for layout in LAYOUTS {
        let (trace, inputs) = honest(&elements, layout);
        let mut claimed = inputs.clone();
        claimed.digest[0] += BaseElement::ONE;
        let last = inputs.start() + final_row(NUM_ELEMENTS);
        // The honest trace under a false digest.
        let found = violations(&trace, &claimed);
        assert!(found.transitions.is_empty());
        assert_eq!(found.assertions, vec![(STATE + DIGEST_RANGE.start, last)]);
        assert_rejected(trace.clone(), &claimed);
        // The final row edited to match it: the last round breaks, and so does the copy out
        // of the final row where the sponge runs on (in the bare layout it is the last row).
        let mut forged = trace;
        forged.set(STATE + DIGEST_RANGE.start, last, claimed.digest[0]);
        let found = violations(&forged, &claimed);
        let expected = if layout == Layout::FreeRunning {
            vec![last - 1, last]
        } else {
            vec![last - 1]
        };
        assert_eq!(
            found,
            Violations {
                transitions: expected,
                assertions: vec![]
            }
        );
        assert_rejected(forged, &claimed);
    }
}

/// The states of a sponge run from any initial state over the given chunks.
fn sponge(
    initial: [BaseElement; STATE_WIDTH],
    chunks: &[[BaseElement; RATE_WIDTH]],
) -> Vec<[BaseElement; STATE_WIDTH]> {
    let mut state = initial;
    let mut rows = Vec::new();
    for chunk in chunks {
        let block = permute_block(&state, chunk);
        rows.extend_from_slice(&block);
        state = block[CYCLE - 1];
    }
    rows
}

#[test]
fn forged_block_boundaries_and_lengths_are_rejected() {
    let elements = private_elements(6);
    let hash = hash_rows(&elements);
    let (trace, inputs) = honest(&elements, Layout::Bare);

    // Chunk 1 added into the capacity too (a different sponge): the second permutation is
    // recomputed from the forged row 8 and its digest claimed. Only the copy 7 → 8 breaks.
    let mut forged = trace.clone();
    let mut row8 = hash.states[CYCLE];
    row8[1] += hash.messages[1][0];
    let states = sponge(row8, &hash.messages[1..]);
    for (offset, state) in states.iter().enumerate() {
        set_state(&mut forged, CYCLE + offset, state);
    }
    let mut claimed = inputs.clone();
    claimed.digest = states[CYCLE - 1][DIGEST_RANGE].try_into().unwrap();
    let found = violations(&forged, &claimed);
    assert_eq!(
        found,
        Violations {
            transitions: vec![CYCLE - 1],
            assertions: vec![]
        }
    );
    assert_rejected(forged, &claimed);

    // A sponge started with length 15 in the capacity, claimed as a hash of 14 elements.
    let mut initial = initial_state(NUM_ELEMENTS);
    initial[0] = BaseElement::new(15);
    let states = sponge(initial, &hash.messages);
    let mut forged = trace.clone();
    for (row, state) in states.iter().enumerate() {
        set_state(&mut forged, row, state);
    }
    let mut claimed = inputs.clone();
    claimed.digest = states[2 * CYCLE - 1][DIGEST_RANGE].try_into().unwrap();
    let found = violations(&forged, &claimed);
    assert_eq!(
        found,
        Violations {
            transitions: vec![],
            assertions: vec![(STATE, 0)]
        }
    );
    assert_rejected(forged, &claimed);

    // A round skipped: row 4 repeats row 3, and every later row follows honestly from there.
    let mut forged = trace;
    let mut state = hash.states[3];
    set_state(&mut forged, 4, &state);
    for (row, round) in (5..CYCLE).zip(4..) {
        Rp64_256::apply_round(&mut state, round);
        set_state(&mut forged, row, &state);
    }
    let states = sponge(state, &hash.messages[1..]);
    for (offset, state) in states.iter().enumerate() {
        set_state(&mut forged, CYCLE + offset, state);
    }
    let mut claimed = inputs;
    claimed.digest = states[CYCLE - 1][DIGEST_RANGE].try_into().unwrap();
    let found = violations(&forged, &claimed);
    assert_eq!(
        found,
        Violations {
            transitions: vec![3],
            assertions: vec![]
        }
    );
    assert_rejected(forged, &claimed);
}

/// Overwrites the state cells of `row`.
fn set_state(trace: &mut TraceTable<BaseElement>, row: usize, state: &[BaseElement]) {
    for (i, &value) in state.iter().enumerate() {
        trace.set(STATE + i, row, value);
    }
}

#[test]
fn fourteen_elements_take_two_permutations_in_sixteen_rows() {
    assert_eq!(num_permutations(NUM_ELEMENTS), 2);
    assert_eq!(num_rows(NUM_ELEMENTS), 16);
    assert_eq!(final_row(NUM_ELEMENTS), 15);
    assert_eq!((absorb_row(0), absorb_row(1)), (0, 8));
    for (m, permutations) in [(1, 1), (7, 1), (8, 1), (9, 2), (16, 2), (17, 3), (34, 5)] {
        assert_eq!(num_permutations(m), permutations, "{m} elements");
        assert_eq!(num_rows(m), CYCLE * permutations);
    }

    let elements = private_elements(8);
    let hash = hash_rows(&elements);
    assert_eq!(hash.states.len(), 16);
    assert_eq!(hash.messages.len(), 2);
    assert_eq!(hash.messages[0][..], elements[..8]);
    assert_eq!(hash.messages[1][..6], elements[8..]);
    assert_eq!(hash.messages[1][6..], [BaseElement::ZERO; 2]);
    let mut initial = [BaseElement::ZERO; STATE_WIDTH];
    initial[0] = BaseElement::new(14);
    assert_eq!(hash.states[0], initial);
    assert_eq!(initial_state(NUM_ELEMENTS), initial);
    // The sponge by hand, with winter-crypto's permutation: add each chunk into the rate,
    // permute; the output sits on each block's last row and is copied to the next block.
    let mut state = initial;
    for (block, chunk) in elements.chunks(RATE_WIDTH).enumerate() {
        assert_eq!(hash.states[absorb_row(block)], state);
        for (cell, &value) in state[RATE_RANGE].iter_mut().zip(chunk) {
            *cell += value;
        }
        Rp64_256::apply_permutation(&mut state);
        assert_eq!(hash.states[absorb_row(block) + CYCLE - 1], state);
    }
    assert_eq!(hash.final_state(), state);
    assert_eq!(hash.digest[..], state[4..8]);
    assert_eq!(hash.digest, expected_digest(&elements));
    assert_eq!(hash.message_on(8), hash.messages[1]);
    assert_eq!(hash.message_on(9), [BaseElement::ZERO; RATE_WIDTH]);

    // Any length, including exact multiples of the rate.
    let many: Vec<BaseElement> = (0..41u64).map(|i| BaseElement::new(i * i + 7)).collect();
    for m in 1..=many.len() {
        let hash = hash_rows(&many[..m]);
        assert_eq!(hash.digest, expected_digest(&many[..m]), "{m} elements");
        assert_eq!(hash.states.len(), num_rows(m));
        assert_eq!(hash.states[final_row(m)][DIGEST_RANGE], hash.digest[..]);
    }

    // The host's assertions: the initial state on the first row, the digest on the last.
    let found = assertions(NUM_ELEMENTS, &hash.digest, 20, 8);
    assert_eq!(found.len(), STATE_WIDTH + DIGEST_WIDTH);
    for (i, assertion) in found.iter().enumerate() {
        let (column, row, value) = if i < STATE_WIDTH {
            (20 + i, 8, initial[i])
        } else {
            (
                20 + 4 + i - STATE_WIDTH,
                8 + 15,
                hash.digest[i - STATE_WIDTH],
            )
        };
        assert_eq!(*assertion, Assertion::single(column, row, value));
    }

    // The test AIR's bare layout is exactly the hash.
    let (trace, inputs) = honest(&elements, Layout::Bare);
    assert_eq!((trace.length(), trace.width()), (16, 20));
    assert_eq!(inputs.trace_length(&options()), 16);
}

#[test]
#[should_panic(expected = "at least one element")]
fn an_empty_input_is_refused() {
    // `hash_elements(&[])` applies no permutation at all; the gadget does not cover it.
    hash_rows(&[]);
}

#[test]
fn enforce_accepts_exactly_the_sponge_steps() {
    use winterfell::math::fields::QuadExtension;
    type Ext = QuadExtension<BaseElement>;

    let mut random = rng(9);
    let periodic = periodic_columns();
    assert_eq!(periodic.len(), NUM_PERIODIC_COLUMNS);
    assert!(periodic.iter().all(|column| column.len() == CYCLE));
    for _ in 0..4 {
        let state: [BaseElement; STATE_WIDTH] = core::array::from_fn(|_| random());
        let message: [BaseElement; RATE_WIDTH] = core::array::from_fn(|_| random());
        let block = permute_block(&state, &message);
        for offset in 0..CYCLE {
            let current = block[offset];
            // Offset 7 copies the permutation's output into the next block.
            let next = block[(offset + 1).min(CYCLE - 1)];
            let values: Vec<_> = periodic.iter().map(|column| column[offset]).collect();
            // Off the absorbing row the message cells are ignored.
            let message = if offset == 0 {
                message
            } else {
                core::array::from_fn(|_| random())
            };
            let mut result = [BaseElement::ZERO; STATE_WIDTH];
            enforce(
                &current,
                &next,
                &message,
                &values,
                BaseElement::ONE,
                &mut result,
            );
            assert_eq!(result, [BaseElement::ZERO; STATE_WIDTH], "offset {offset}");
            // The same over the extension field, where the prover evaluates at random points.
            let lift = |values: &[BaseElement]| values.iter().map(|&v| Ext::from(v)).collect();
            let (c, n, m, p): (Vec<Ext>, Vec<Ext>, Vec<Ext>, Vec<Ext>) =
                (lift(&current), lift(&next), lift(&message), lift(&values));
            let mut lifted = [Ext::ZERO; STATE_WIDTH];
            enforce(&c, &n, &m, &p, Ext::ONE, &mut lifted);
            assert_eq!(lifted, [Ext::ZERO; STATE_WIDTH]);
            // Any wrong next cell is caught, unless the gadget is switched off.
            for i in 0..STATE_WIDTH {
                let mut bad = next;
                bad[i] += BaseElement::ONE;
                enforce(
                    &current,
                    &bad,
                    &message,
                    &values,
                    BaseElement::ONE,
                    &mut result,
                );
                assert!(result.iter().any(|&v| v != BaseElement::ZERO));
                enforce(
                    &current,
                    &bad,
                    &message,
                    &values,
                    BaseElement::ZERO,
                    &mut result,
                );
                assert_eq!(result, [BaseElement::ZERO; STATE_WIDTH]);
            }
        }
    }
}

/// The degree of the gadget's constraints evaluated on a random trace of length `n`, found
/// by evaluating them at `16n` points and interpolating (what Winterfell's prover checks in
/// debug builds, here done directly). `selected` multiplies by a random degree-1 column,
/// which has the degree of a full-length periodic selector.
fn measured_degree(n: usize, selected: bool) -> usize {
    let mut random = rng(11);
    let inv_twiddles = fft::get_inv_twiddles::<BaseElement>(n);
    let interpolate = |mut values: Vec<BaseElement>| {
        fft::interpolate_poly(&mut values, &inv_twiddles);
        values
    };
    // The state, the message cells, and the selector.
    let trace: Vec<Vec<BaseElement>> = (0..WIDTH + 1)
        .map(|_| interpolate((0..n).map(|_| random()).collect()))
        .collect();
    let periodic: Vec<Vec<BaseElement>> = periodic_columns()
        .iter()
        .map(|column| interpolate(column.iter().copied().cycle().take(n).collect()))
        .collect();
    let domain = 16 * n;
    let g = BaseElement::get_root_of_unity(n.ilog2());
    let w = BaseElement::get_root_of_unity(domain.ilog2());
    let offset = BaseElement::GENERATOR;
    let mut evaluations = vec![vec![BaseElement::ZERO; domain]; STATE_WIDTH];
    let mut x = offset;
    for k in 0..domain {
        let current: Vec<_> = trace.iter().map(|p| polynom::eval(p, x)).collect();
        let next: Vec<_> = trace.iter().map(|p| polynom::eval(p, g * x)).collect();
        let values: Vec<_> = periodic.iter().map(|p| polynom::eval(p, x)).collect();
        let enabled = if selected {
            current[WIDTH]
        } else {
            BaseElement::ONE
        };
        let mut result = [BaseElement::ZERO; STATE_WIDTH];
        enforce(
            &current[STATE..STATE + STATE_WIDTH],
            &next[STATE..STATE + STATE_WIDTH],
            &current[MESSAGE..MESSAGE + RATE_WIDTH],
            &values,
            enabled,
            &mut result,
        );
        for (column, value) in evaluations.iter_mut().zip(result) {
            column[k] = value;
        }
        x *= w;
    }
    let degrees: Vec<usize> = evaluations
        .iter()
        .map(|column| fft::infer_degree(column, offset))
        .collect();
    assert!(degrees.iter().all(|&d| d == degrees[0]));
    degrees[0]
}

#[test]
fn declared_degrees_are_exact() {
    let n = 16;
    let declared = |cycles: &[usize]| {
        let degrees = constraint_degrees(0, cycles);
        assert_eq!(degrees.len(), STATE_WIDTH);
        degrees[0].get_evaluation_degree(n)
    };
    assert_eq!(
        constraint_degrees(0, &[])[0],
        TransitionConstraintDegree::with_cycles(7, vec![8])
    );
    // 7·(n − 1) + (n/8)·7 = 119, plus n − 1 with the selector.
    assert_eq!(measured_degree(n, false), declared(&[]));
    assert_eq!(declared(&[]), 119);
    assert_eq!(measured_degree(n, true), declared(&[n]));
    assert_eq!(
        constraint_degrees(1, &[])[0].get_evaluation_degree(n),
        declared(&[n])
    );
}

#[test]
fn the_exemption_bound_is_winterfells() {
    for n in [16, 64, 128, 512] {
        for (degree, cycles) in [(0, vec![]), (0, vec![n]), (1, vec![])] {
            let max = max_transition_exemptions(n, degree, &cycles);
            let context = || {
                AirContext::<BaseElement>::new(
                    TraceInfo::new(WIDTH, n),
                    constraint_degrees(degree, &cycles),
                    1,
                    options(),
                )
            };
            assert_eq!(
                context()
                    .set_num_transition_exemptions(max)
                    .num_transition_exemptions(),
                max
            );
            if max < n / 2 + 1 {
                let one_more = std::panic::catch_unwind(|| {
                    context().set_num_transition_exemptions(max + 1);
                });
                assert!(one_more.is_err(), "n = {n}, {cycles:?}");
            }
        }
        // Own columns and enabled = 1: Winterfell's cap; a selector: n/8 + 7.
        assert_eq!(max_transition_exemptions(n, 0, &[]), n / 2 + 1);
        assert_eq!(max_transition_exemptions(n, 0, &[n]), n / 8 + 7);
        assert_eq!(max_transition_exemptions(n, 1, &[]), n / 8 + 7);
    }
    // So the zero-knowledge tail (r + 1 = 63 exemptions for 28 queries, quadratic) fits a
    // selected hash only from n = 512 on, and a free-running one from n = 128 on (the
    // degree-7 quotient mask then asks for 256 rows: `ZkParams::trace_length`).
    let zk = ZkParams::for_options(&options());
    assert_eq!(zk.transition_exemptions(), 63);
    let small = HashInputs {
        num_elements: NUM_ELEMENTS,
        digest: [BaseElement::ZERO; DIGEST_WIDTH],
        layout: Layout::FreeRunning,
    };
    assert_eq!(small.trace_length(&options()), 256);
    let selected = HashInputs {
        layout: Layout::Selected { start: 8 },
        ..small
    };
    assert_eq!(selected.trace_length(&options()), 512);
}

/// Figures of the test AIR: run with `cargo test --release -p zkinfer-air rescue::tests::proof_figures -- --nocapture`.
#[test]
fn proof_figures() {
    let elements = private_elements(10);
    for layout in LAYOUTS {
        let (trace, inputs) = honest(&elements, layout);
        let (rows, columns) = (trace.length(), trace.width());
        let air = HashAir::new(trace.info().clone(), inputs.clone(), options());
        let composition = air.context().num_constraint_composition_columns();
        let exemptions = air.context().num_transition_exemptions();
        let mut best = (std::time::Duration::MAX, std::time::Duration::MAX);
        let mut bytes = 0;
        let mut security = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let proof = prove(trace.clone(), &inputs);
            let proved = start.elapsed();
            bytes = proof.to_bytes().len();
            security = proof.conjectured_security::<Hash>().bits();
            let start = Instant::now();
            verify(proof, &inputs).expect("verifies");
            let verified = start.elapsed();
            best = (best.0.min(proved), best.1.min(verified));
        }
        println!(
            "rescue {layout:?}: {columns} columns × {rows} rows, {exemptions} exemptions, \
             {composition} composition columns, prove {:?}, verify {:?}, {bytes} bytes, \
             {security} bits",
            best.0, best.1
        );
    }
}
