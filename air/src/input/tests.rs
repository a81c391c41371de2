//! The input block inside a real AIR (the linear one, the simplest host): range checks, the
//! feature cells, and the in-AIR commitment.

use winterfell::crypto::hashers::Rp64_256;
use winterfell::crypto::ElementHasher;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::Trace;

use super::{InputBlock, SALT_ELEMENTS};
use crate::inference::build_trace;
use crate::linear::tests::{assert_rejected, honest, prove, statement, verify};
use crate::linear::{LinearBody, LinearStatement};
use crate::testing::{options, rng, salt};
use crate::zk::ZkParams;

#[test]
fn the_commitment_is_rp64_256_of_the_header_the_features_and_the_salt() {
    let q = [1u16, 2, 3, 65535, 0];
    let s = salt(9);
    let header = BaseElement::new((0x7a6b_6932 << 32) + 5);
    let mut elements = vec![header];
    elements.extend(q.iter().map(|&v| BaseElement::from(v)));
    elements.extend_from_slice(&s);
    let expected = Rp64_256::hash_elements(&elements);
    assert_eq!(&InputBlock::commitment(&q, &s)[..], expected.as_elements());
    // Another salt, features swapped, or a trailing zero appended change it.
    assert_ne!(
        InputBlock::commitment(&q, &s),
        InputBlock::commitment(&q, &salt(10))
    );
    assert_ne!(
        InputBlock::commitment(&[2, 1, 3, 65535, 0], &s),
        InputBlock::commitment(&q, &s)
    );
    assert_ne!(
        InputBlock::commitment(&[1, 2, 3, 65535, 0, 0], &s),
        InputBlock::commitment(&q, &s)
    );
}

/// A linear statement over `features` features (one score), committed with `seed`'s salt.
fn wide(q: &[u16], seed: u64) -> (LinearStatement, [BaseElement; SALT_ELEMENTS]) {
    let body = LinearBody {
        weights: vec![(0..q.len() as i64).map(|f| 3 * f - 40).collect()],
        bias: vec![17],
        one_hot: Vec::new(),
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
    // 1 feature: one permutation (6 elements); 3: one (8); 4: two (9); 30: five (35); 64:
    // nine (69).
    for features in [1usize, 3, 4, 30, 64] {
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

/// A linear statement over six features, of which 1, 2 and 3 are one-hot indicators.
fn one_hot_statement(q: &[u16]) -> LinearStatement {
    let body = LinearBody {
        weights: vec![vec![5, 100, -200, 300, 7, -9]],
        bias: vec![11],
        one_hot: std::iter::once(1..4).collect(),
    };
    let scores = body.scores(q);
    crate::testing::statement(body, q, scores)
}

#[test]
fn every_category_and_none_proves_through_a_one_hot_group() {
    for group in [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]] {
        let q = [40_000, group[0], group[1], group[2], 65_535, 3];
        let statement = one_hot_statement(&q);
        let proof = prove(honest(&statement, &q), &statement);
        verify(proof, &statement).unwrap_or_else(|e| panic!("{group:?}: {e}"));
    }
}

#[test]
fn the_prover_refuses_a_one_hot_group_that_is_not_indicators_with_at_most_one_set() {
    for group in [[1, 1, 0], [2, 0, 0], [0, 0, 65_535]] {
        let q = [40_000, group[0], group[1], group[2], 65_535, 3];
        let statement = one_hot_statement(&q);
        let trace = build_trace(&statement, &q, &salt(0), &options(), &mut rng(4));
        assert!(trace.is_none(), "{group:?}");
    }
}
