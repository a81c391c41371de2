//! The feature lookup: the body reads features anywhere in the trace through a LogUp argument
//! in the auxiliary segment, so no feature needs a column of its own; a body may add a table
//! of its own values, read the same way (see "The body's own table" below).
//!
//! # The argument
//!
//! Every row carries a key `id + γ·x`, with `id` a public periodic column, and a public weight
//! `c`: on feature row [`feature_row`]`(f)`, `id = f` and `c = −m_f`, where `m_f` is the number
//! of rows reading feature `f` (the table: `x` there is the range-checked, committed feature);
//! on a row reading feature `f`, `id = f` and `c = 1`; elsewhere `c = 0`. The one auxiliary
//! column `s` (an extension-field element) sums the fractions:
//!
//! ```text
//! (s' − s)·(α − id − γ·x) = c,        s = 0 on row 0 and on the last real row
//! ```
//!
//! with `α`, `γ` drawn by the verifier after the main trace is committed. So
//! `Σ_reads 1/(α − f − γ·x) = Σ_f m_f/(α − f − γ·q_f)`, which, for random `α` and `γ`, holds
//! only if every read `(f, x)` is a table pair `(f, q_f)`: a reading row's `x` is the committed
//! feature. (Soundness error: the sum is a rational function of degree below `2n` in `α`, and
//! `(f, x) ↦ f + γ·x` is injective on the pairs involved unless `γ` hits one of fewer than `n²`
//! values: both negligible over the 128- and 192-bit extension fields of the profiles.)
//!
//! The constraint has trace degree 2 (`s'·x`), no more than `s'` times a full-length periodic
//! column. `s` is witness-dependent, so like every main column its last rows are uniformly
//! random ([`crate::zk`]): the constraint is exempt there, and both assertions sit on real rows.
//!
//! # Private reads
//!
//! When which feature a row reads is itself private (the trees' path layout, whose step rows
//! read the visited split's feature), neither `id` nor the multiplicities can be public: the
//! periodic `id` is then `f` on every feature row and 0 on the reading rows, `c` is 1 on the
//! reading rows and 0 elsewhere, and the body adds its own cells ([`Body::feature_read`]): the
//! feature a reading row reads to `id`, and `−m_f` (a main column of the prover's) to `c` on
//! feature row `f`. The argument is the same, given that the body keeps its feature cell zero
//! on the feature rows (else a table pair would not be `(f, q_f)`).
//!
//! [`Body::feature_read`]: crate::inference::Body::feature_read
//!
//! # The body's fractions
//!
//! A body may add fractions `w_k/(α − k_k)` of its own to every row's step ([`Body::fractions`]:
//! the tree walk's categorical splits read their runs this way, the path layout its split
//! table, a network its table of activations), each weight of trace degree at most one more
//! than its key's (periodic columns counted as trace columns), a key possibly a polynomial in
//! `γ` whose coefficients are cells. The constraint becomes
//!
//! ```text
//! (s' − s)·(α − key)·Π_k (α − k_k) = c·Π_k (α − k_k) + Σ_k w_k·(α − key)·Π_{j≠k} (α − k_j)
//! ```
//!
//! of degree 2 plus the keys' degrees: `2 + K` for `K` keys of degree 1.
//!
//! # The body's own table
//!
//! A row may read an id at or above the number of features: an entry of the body's own table,
//! which its fractions supply (a network's activations, read again by a later pass: entries
//! `−m/(α − id − γ·value)` of the same form as the features', one per id, so the argument
//! above is unchanged with these pairs among the table's). The identity then holds, for random `α`, only if every
//! key's weights sum to zero, across the features' keys and the body's: the body states which
//! of its keys no feature key can equal, and why its reads must be table entries. (Soundness
//! error: with `(1 + K)·n` fractions, the sum's degree in `α` and the number of `γ` making a
//! feature key equal another key grow by the factor `1 + K`. A base-field body key equals a
//! feature key `f + γ·x` only if `x = 0` and `f` is that key, or `γ` lies in the base field; a
//! body key that is a polynomial of degree `D ≥ 2` in `γ`, its coefficients cells committed
//! before `γ` is drawn, equals a feature key or another such key with other coefficients for
//! at most `D` values of `γ`: about `reads·entries·D/|E|` in all, negligible.) A body's
//! fractions are enforced only with the lookup, which exists when some row reads a feature: a
//! body with fractions must read.
//!
//! [`Body::fractions`]: crate::inference::Body::fractions

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{batch_inversion, ExtensionOf, FieldElement};
use winterfell::{Assertion, TransitionConstraintDegree};

use crate::input::feature_row;

/// Random elements the argument draws: `α`, `γ`.
pub const NUM_RAND_ELEMENTS: usize = 2;
/// Auxiliary columns: the running sum.
pub const AUX_WIDTH: usize = 1;
/// The names of the auxiliary constraint and assertions.
pub const CONSTRAINT_LABEL: &str = "lookup.sum";
pub const ASSERTION_LABELS: [&str; 2] = ["lookup.start", "lookup.end"];

/// The lookup of a trace whose rows read `reads[row]` (the id read on that row, if any: a
/// feature's, or an entry's of the body's own table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    num_features: usize,
    /// `(row, id)` of every read, in row order.
    reads: Vec<(usize, usize)>,
    /// The body's fractions per row.
    fractions: usize,
    /// The sum of the trace degrees of the body's fraction keys.
    key_degrees: usize,
    /// Whether the reads' features and the table's multiplicities are the body's, private:
    /// then `id` is 0 and `c` 1 on a reading row, `id = f` and `c = 0` on every feature row, and
    /// the body adds its cells ([`Body::feature_read`]).
    ///
    /// [`Body::feature_read`]: crate::inference::Body::feature_read
    private: bool,
}

/// A fraction `weight/(α − key)` the body adds on `row`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction<E> {
    pub row: usize,
    pub weight: BaseElement,
    pub key: E,
}

impl Lookup {
    /// The lookup for `reads` with `fractions` more fractions of the body's on every row (their
    /// keys' trace degrees summing to `key_degrees`), or `None` when no row reads (no auxiliary
    /// segment). A read of an id at or above `num_features` reads the body's own table, whose
    /// entries are fractions of the body's.
    pub fn new(
        num_features: usize,
        reads: &[Option<usize>],
        [fractions, key_degrees]: [usize; 2],
        private: bool,
    ) -> Option<Lookup> {
        let reads: Vec<(usize, usize)> = (reads.iter().enumerate())
            .filter_map(|(row, read)| read.map(|f| (row, f)))
            .collect();
        (!reads.is_empty()).then_some(Lookup {
            num_features,
            reads,
            fractions,
            key_degrees,
            private,
        })
    }

    /// How many rows read each feature.
    fn multiplicities(&self) -> Vec<u64> {
        let mut counts = vec![0; self.num_features];
        for &(_, id) in &self.reads {
            if let Some(count) = counts.get_mut(id) {
                *count += 1;
            }
        }
        counts
    }

    pub fn degrees(&self) -> Vec<TransitionConstraintDegree> {
        vec![TransitionConstraintDegree::new(2 + self.key_degrees)]
    }

    /// The periodic columns `id` and `c`, full-length.
    pub fn periodic_columns(&self, trace_length: usize) -> [Vec<BaseElement>; 2] {
        let mut id = vec![BaseElement::ZERO; trace_length];
        let mut c = vec![BaseElement::ZERO; trace_length];
        for (f, &m) in self.multiplicities().iter().enumerate() {
            if m > 0 || self.private {
                id[feature_row(f)] = BaseElement::new(f as u64);
            }
            if !self.private {
                c[feature_row(f)] = -BaseElement::new(m);
            }
        }
        for &(row, read) in &self.reads {
            if !self.private {
                id[row] = BaseElement::new(read as u64);
            }
            c[row] = BaseElement::ONE;
        }
        [id, c]
    }

    /// The constraint on one transition: `x` on the current row, `s` on both, `id` and `c`
    /// (the periodic ones, with the body's cells when its reads are private), the body's
    /// `(weight, key)` fractions on the current row, and the random elements `[α, γ]`.
    pub fn enforce<F, E>(x: F, s: E, next_s: E, id: F, c: F, body: &[(F, E)], rand: &[E]) -> E
    where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        let key = E::from(id) + rand[1] * E::from(x);
        // Σ weight/(α − key) as one fraction, numerator over denominator.
        let (mut numerator, mut denominator) = (E::from(c), rand[0] - key);
        for &(weight, key) in body {
            let factor = rand[0] - key;
            numerator = numerator * factor + denominator * E::from(weight);
            denominator *= factor;
        }
        (next_s - s) * denominator - numerator
    }

    /// `s = 0` on row 0 and on `last_row`.
    pub fn assertions<E: FieldElement<BaseField = BaseElement>>(
        last_row: usize,
    ) -> Vec<Assertion<E>> {
        vec![
            Assertion::single(0, 0, E::ZERO),
            Assertion::single(0, last_row, E::ZERO),
        ]
    }

    /// The honest running sum on rows `0..=last_row`, given `x`, `id` and `c` on those rows
    /// (the last two as [`Lookup::enforce`] takes them), the body's fractions of nonzero weight
    /// on rows before `last_row`, and `[α, γ]`, followed by `tail` (the random rows).
    pub fn running_sum<E: FieldElement<BaseField = BaseElement>>(
        x: &[BaseElement],
        [id, c]: [&[BaseElement]; 2],
        body: &[Fraction<E>],
        rand: &[E],
        tail: &[E],
    ) -> Vec<E> {
        let mut fractions: Vec<(usize, BaseElement, E)> = (0..x.len() - 1)
            .filter(|&r| c[r] != BaseElement::ZERO)
            .map(|r| (r, c[r], E::from(id[r]) + rand[1] * E::from(x[r])))
            .collect();
        fractions.extend(body.iter().map(|f| (f.row, f.weight, f.key)));
        let denominators: Vec<E> = (fractions.iter())
            .map(|&(_, _, key)| rand[0] - key)
            .collect();
        let inverses = batch_inversion(&denominators);
        let mut steps = vec![E::ZERO; x.len()];
        for (&(r, weight, _), inverse) in fractions.iter().zip(inverses) {
            steps[r] += inverse.mul_base(weight);
        }
        let mut column = Vec::with_capacity(x.len() + tail.len());
        let mut s = E::ZERO;
        for step in steps {
            column.push(s);
            s += step;
        }
        column.extend_from_slice(tail);
        column
    }
}
