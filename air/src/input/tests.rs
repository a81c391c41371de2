//! The input block inside a real AIR (the linear one, the simplest host): range checks, the
//! feature cells, and the in-AIR commitment.

use winterfell::crypto::hashers::Rp64_256;
use winterfell::crypto::ElementHasher;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Trace, TraceTable};

use super::{InputBlock, SALT_ELEMENTS};
use crate::disclosure::felt;
use crate::inference::build_trace;
use crate::linear::tests::{assert_rejected, honest, prove, set_real_rows, statement, verify};
use crate::linear::{LinearBody, LinearStatement};
use crate::testing::{options, rng, salt, set_x};
use crate::zk::ZkParams;

#[test]
fn the_commitment_is_rp64_256_of_the_header_the_packed_features_and_the_salt() {
    let q = [1u16, 2, 3, 65535, 0];
    let s = salt(9);
    let header = BaseElement::new((super::HEADER_TAG << 32) + 5);
    let packed = [
        header,
        BaseElement::new(1 + (2 << 16) + (3 << 32)),
        BaseElement::new(65535),
    ];
    let mut elements = packed.to_vec();
    elements.extend_from_slice(&s);
    let expected = Rp64_256::hash_elements(&elements);
    assert_eq!(&InputBlock::commitment(&q, &s)[..], expected.as_elements());
    // Another salt, or features swapped within an element, change it.
    assert_ne!(
        InputBlock::commitment(&q, &s),
        InputBlock::commitment(&q, &salt(10))
    );
    assert_ne!(
        InputBlock::commitment(&[2, 1, 3, 65535, 0], &s),
        InputBlock::commitment(&q, &s)
    );
}

/// A linear statement over `features` features (one score), committed with `seed`'s salt.
fn wide(q: &[u16], seed: u64) -> (LinearStatement, [BaseElement; SALT_ELEMENTS]) {
    let body = LinearBody {
        weights: vec![(0..q.len() as i64).map(|f| 3 * f - 40).collect()],
        bias: vec![17],
    };
    let s = salt(seed);
    let statement = LinearStatement {
        context: [0; 4].map(BaseElement::new),
        model_id: [9; 4].map(BaseElement::new),
        commitment: InputBlock::commitment(q, &s),
        scores: Some(body.scores(q)),
        comparisons: Vec::new(),
        body,
    };
    (statement, s)
}

#[test]
fn every_input_width_commits_and_verifies() {
    // 1 and 4 features: one permutation; 30: two (15 elements); 64: four (27 elements).
    for features in [1usize, 4, 30, 64] {
        let mut random = rng(features as u64);
        let q: Vec<u16> = (0..features).map(|_| random().as_int() as u16).collect();
        let (statement, s) = wide(&q, 3);
        let trace = build_trace(&statement, &q, &s, &options(), &mut rng(4)).unwrap();
        let proof = prove(trace, &statement);
        verify(proof, &statement).unwrap_or_else(|e| panic!("{features} features: {e}"));
    }
}

#[test]
fn a_claimed_commitment_to_another_input_is_rejected() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let mut claimed = statement.clone();
    claimed.commitment = InputBlock::commitment(&[1234, 65535, 8], &salt(0));
    assert_rejected(honest(&statement, &q), &claimed);
}

#[test]
fn hashing_one_input_while_computing_on_another_is_rejected() {
    // The prover hashes the committed input q but fills the feature cells (and so the scores)
    // with q': the message cells no longer pack the feature cells.
    let q = [1234, 65535, 7];
    let forged = [1234, 65535, 8];
    let committed = statement(&q);
    let mut claimed = statement(&forged);
    claimed.commitment = committed.commitment;
    let mut trace = honest(&statement(&forged), &forged);
    let real = honest(&committed, &q);
    let input = committed.input();
    let last = ZkParams::for_options(&options()).last_real_row(trace.length());
    for column in input.message()..input.width() {
        for row in 0..=last {
            trace.set(column, row, real.get(column, row));
        }
    }
    assert_rejected(trace, &claimed);
}

#[test]
fn a_packing_collision_needs_an_out_of_range_feature_and_is_rejected() {
    // q' = (q0 + 2^16, q1 − 1, q2) packs to the same element as q, so it has the same
    // commitment; only the range check on q'0 stands in the way.
    let q = [1234, 65535, 7];
    let committed = statement(&q);
    let input = committed.input();
    let forged_q0 = BaseElement::from(1234u32 + 65536);
    let forge = |trace: &mut TraceTable<BaseElement>| {
        set_real_rows(trace, input.q(0), forged_q0);
        set_real_rows(trace, input.q(1), BaseElement::from(65534u32));
        trace.set(input.x(), 0, forged_q0);
        set_x(trace, &input, 1, 65534);
        // The scores of q', consistently.
        let mut claimed = committed.clone();
        let scores: Vec<i64> = (0..2)
            .map(|c| {
                let w = &committed.body.weights[c];
                committed.body.bias[c] + w[0] * (1234 + 65536) + w[1] * 65534 + w[2] * 7
            })
            .collect();
        for (c, &score) in scores.iter().enumerate() {
            set_real_rows(trace, committed.body_column() + c, felt(score));
        }
        claimed.scores = Some(scores);
        claimed
    };
    // The digits of the low 16 bits (those of 1234, kept from the honest trace): they do not
    // add up to x.
    let mut trace = honest(&committed, &q);
    let claimed = forge(&mut trace);
    assert_rejected(trace, &claimed);
    // A top "digit" 4^7·4 higher makes them add up, but is not a base-4 digit.
    let mut trace = honest(&committed, &q);
    let claimed = forge(&mut trace);
    let top = input.digits() + super::DIGITS - 1;
    let raised = trace.get(top, 0) + BaseElement::new(4);
    trace.set(top, 0, raised);
    assert_rejected(trace, &claimed);
}

#[test]
fn a_range_checked_value_that_is_not_the_feature_is_rejected() {
    // Row 1 range-checks 7 instead of the feature cell 65535.
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let input = statement.input();
    let mut trace = honest(&statement, &q);
    set_x(&mut trace, &input, 1, 7);
    assert_rejected(trace, &statement);
}

#[test]
fn feature_cells_that_change_between_rows_are_rejected() {
    // The feature cell holds q on rows 0..3 (range-checked, hashed) and another value after.
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let input = statement.input();
    let mut trace = honest(&statement, &q);
    let last = ZkParams::for_options(&options()).last_real_row(trace.length());
    for row in 3..=last {
        trace.set(input.q(2), row, BaseElement::from(8u32));
    }
    assert_rejected(trace, &statement);
}

#[test]
fn the_salt_hides_and_the_tail_rows_and_masks_are_random() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let zk = ZkParams::for_options(&options());
    let trace = honest(&statement, &q);
    let n = trace.length();
    let tail = n - zk.random_rows;
    for column in 0..trace.width() {
        let values: std::collections::HashSet<u64> = (tail..n)
            .map(|row| trace.get(column, row).as_int())
            .collect();
        assert_eq!(
            values.len(),
            zk.random_rows,
            "column {column} tail is not random"
        );
    }
    // B vanishes wherever the quotient-mask constraints are enforced.
    let b = statement.mask_column() + zk.quotient_mask_columns;
    assert!((0..tail - 1).all(|row| trace.get(b, row) == BaseElement::ZERO));
    // Fresh randomness gives a different proof of the same statement.
    let other = build_trace(&statement, &q, &salt(0), &options(), &mut rng(77)).unwrap();
    let (a, b) = (
        prove(honest(&statement, &q), &statement),
        prove(other, &statement),
    );
    assert_ne!(a.to_bytes(), b.to_bytes());
    verify(a, &statement).unwrap();
    verify(b, &statement).unwrap();
    // Another salt: another commitment, still a valid proof.
    let mut resalted = statement.clone();
    resalted.commitment = InputBlock::commitment(&q, &salt(5));
    assert_ne!(resalted.commitment, statement.commitment);
    let trace = build_trace(&resalted, &q, &salt(5), &options(), &mut rng(2)).unwrap();
    verify(prove(trace, &resalted), &resalted).unwrap();
}

#[test]
fn a_quotient_mask_that_does_not_vanish_is_rejected() {
    let q = [1234, 65535, 7];
    let statement = statement(&q);
    let zk = ZkParams::for_options(&options());
    let mut trace = honest(&statement, &q);
    let b = statement.mask_column() + zk.quotient_mask_columns;
    trace.set(b, 5, BaseElement::ONE);
    assert_rejected(trace, &statement);
}
