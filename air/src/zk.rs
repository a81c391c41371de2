//! Zero-knowledge parameters, derived from the proof options.
//!
//! A stock Winterfell 0.13 proof reveals linear functionals of every committed column
//! (`../shared/design/`, §2–3). zkinfer hides them without changing Winterfell:
//!
//! * **random tail rows** — the last `r ≥ 2q + 3k` rows of every witness column (main and
//!   auxiliary) are uniformly random and exempt from all transition constraints, so the column's
//!   values at the `q` queried points `x_q` (opened) and at `g·x_q` (on which the opened
//!   `H_0(x_q)` depends), and the `3k` base-field coordinates of its values at `z`, `g·z`
//!   (opened) and `g²·z` (through `H_0(g·z)`), are uniform and independent of the witness;
//! * **quotient mask** — `k` random columns `A_i` and one column `B`, zero on the enforced rows,
//!   with the constraints `A_i·B^6·λ = 0`, where `λ` is a public periodic column of cycle 8 that
//!   is nonzero on every row: they hold exactly where `A_i·B = 0` does, and they have the AIRs'
//!   highest degree descriptor ([`mask_degree`]: trace degree [`MAX_CONSTRAINT_DEGREE`] times
//!   one periodic factor of cycle 8, as the Rescue rounds), so their quotients reach the
//!   composition polynomial's top degree at every trace length and one-time-pad every upper
//!   segment, the top one included, which Winterfell opens. The quotient is `A_i·β` with
//!   `β = B^6·λ·Π_E/(xⁿ − 1)` a fixed nonzero polynomial: the mask's randomness is `A_i`'s and
//!   enters linearly (a triangular Toeplitz map of `A_i`'s coefficients onto the upper
//!   segments, as in the design study's argument for `A_i·B`), and no further random columns
//!   `C_j` are needed to reach the degree. [`InferenceAir`](crate::inference::InferenceAir)
//!   asserts that the mask's degree is the highest of all its constraints;
//! * **DEEP mask** — `k + 1` unconstrained random columns mask the DEEP polynomial, hence every
//!   FRI value and the remainder, but at the points where their part of it is a function of
//!   their own openings: `x_q`, `x₀ = (z + g·z)/2` and the conjugates of `z` and `g·z`
//!   (`docs/security.md`; `leakage::masks` measures all of it).
//!
//! `q` is the number of queries and `k` the extension degree. Everything here is a function of
//! the [`ProofOptions`] alone, so the prover and the verifier derive the same trace shape.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{ProofOptions, TransitionConstraintDegree};

use crate::rescue;

/// The highest trace degree of zkinfer's transition constraints: the Rescue S-box `x^7` of the
/// input commitment. The composition polynomial then has at most `MAX_CONSTRAINT_DEGREE + 1`
/// segments, all of which the quotient mask must cover.
pub const MAX_CONSTRAINT_DEGREE: usize = 7;

/// The cycle of the periodic factor of the highest-degree constraints (the Rescue rounds'), and
/// of the mask's `λ`.
pub const MASK_CYCLE: usize = rescue::CYCLE;

const _: () = assert!(
    MAX_CONSTRAINT_DEGREE == 7,
    "enforce_masks lifts B to the sixth power"
);

/// The degree of the quotient-mask constraints: the AIRs' highest, the Rescue rounds' (trace
/// degree 7 times one periodic column of cycle 8).
pub fn mask_degree() -> TransitionConstraintDegree {
    TransitionConstraintDegree::with_cycles(MAX_CONSTRAINT_DEGREE, vec![MASK_CYCLE])
}

/// The mask's periodic factor `λ`: `2, 1, 1, 1, 1, 1, 1, 1`. It is nonzero on every row, and as
/// a polynomial it is `1 + L_0(x^{n/8})`, of the full degree `7n/8` a cycle-8 column can have
/// (`L_0`, the first Lagrange polynomial of the 8th roots of unity, has degree 7).
pub fn mask_lift() -> Vec<BaseElement> {
    let mut column = vec![BaseElement::ONE; MASK_CYCLE];
    column[0] = BaseElement::new(2);
    column
}

/// How a trace is padded and masked for zero knowledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZkParams {
    /// Uniformly random rows at the end of every witness column.
    pub random_rows: usize,
    /// Random columns `A_i` of the quotient mask (one per extension coordinate).
    pub quotient_mask_columns: usize,
    /// Unconstrained random columns masking the DEEP/FRI polynomial.
    pub deep_mask_columns: usize,
}

impl ZkParams {
    /// The parameters that make proofs with `options` hiding.
    pub fn for_options(options: &ProofOptions) -> ZkParams {
        let queries = options.num_queries();
        let extension = options.field_extension().degree() as usize;
        // Openings at x_q and g·x_q (2q base-field points) and the out-of-domain frame at
        // z, g·z and g²·z (3 extension points, k coordinates each).
        let random_rows = 2 * queries + 3 * extension;
        let params = ZkParams {
            random_rows,
            quotient_mask_columns: extension,
            deep_mask_columns: extension + 1,
        };
        params.assert_hiding(options);
        params
    }

    /// Panics unless these parameters meet the hiding conditions for `options`: a proof made
    /// with fewer random rows or mask columns still verifies but is not zero knowledge, so this
    /// is checked wherever parameters are used.
    pub fn assert_hiding(&self, options: &ProofOptions) {
        let queries = options.num_queries();
        let extension = options.field_extension().degree() as usize;
        assert!(
            extension >= 2,
            "zero knowledge needs a quadratic or cubic extension field"
        );
        assert!(self.random_rows >= 2 * queries + 3 * extension);
        assert!(self.quotient_mask_columns >= extension);
        assert!(self.deep_mask_columns > extension);
    }

    /// Transition exemptions: the random rows, plus the transition into them.
    pub fn transition_exemptions(&self) -> usize {
        self.random_rows + 1
    }

    /// The trace length for `real_rows` rows of computation: a power of two holding the real
    /// rows and the random rows, with Winterfell's cap on exemptions (`e ≤ n/2 + 1`) respected,
    /// and long enough for the masks to hide (`docs/security.md`, "The dimension conditions"):
    /// each quotient-mask column's `n` coefficients cover its own `q + 2k` openings, `q + 2`
    /// values of each of the `m − 1 ≤ MAX_CONSTRAINT_DEGREE` upper segments and the `2(k − 1)`
    /// conjugates of `z` and `g·z` where the DEEP polynomial is sent whole; the DEEP masks cover
    /// the FRI values (`n ≥ (k + 1)(q + 2k)`); and `n ≥ r + q + 2k` (the design study's
    /// condition for a degree-2 mask's single upper segment).
    pub fn trace_length(&self, real_rows: usize, options: &ProofOptions) -> usize {
        let extension = options.field_extension().degree() as usize;
        let queries = options.num_queries();
        let needed = (real_rows + self.random_rows)
            .max(2 * self.transition_exemptions() - 2)
            .max(self.random_rows + queries + 2 * extension)
            .max(
                MAX_CONSTRAINT_DEGREE * (queries + 2)
                    + queries
                    + 2 * extension
                    + 2 * (extension - 1),
            )
            .max((extension + 1) * (queries + 2 * extension))
            .max(8);
        needed.next_power_of_two()
    }

    /// Columns of the masks: `A_1..A_k`, `B`, then the DEEP masks.
    /// The largest field extension Winterfell proves over: the cubic one.
    pub const MAX_EXTENSION: usize = 3;
    /// The mask columns under the widest options: those of the cubic extension.
    pub const MAX_MASK_WIDTH: usize = 2 * Self::MAX_EXTENSION + 2;

    pub fn mask_width(&self) -> usize {
        self.quotient_mask_columns + 1 + self.deep_mask_columns
    }

    /// The degrees of the quotient-mask constraints, one per `A_i`: [`mask_degree`].
    pub fn mask_degrees(&self) -> Vec<TransitionConstraintDegree> {
        vec![mask_degree(); self.quotient_mask_columns]
    }

    /// The names of the quotient-mask constraints.
    pub fn constraint_labels(&self) -> Vec<String> {
        (0..self.quotient_mask_columns)
            .map(|i| format!("zk.mask[{i}]"))
            .collect()
    }

    /// Writes the quotient-mask constraints `A_i·B^6·λ` for the mask columns `masks` (the
    /// [`mask_width`](Self::mask_width) cells of the current row) and `λ`'s value `lift`
    /// ([`mask_lift`]).
    pub fn enforce_masks<E: FieldElement>(&self, masks: &[E], lift: E, result: &mut [E]) {
        let k = self.quotient_mask_columns;
        let b = masks[k];
        let b3 = b.square() * b;
        let lifted = b3.square() * lift; // B^(MAX_CONSTRAINT_DEGREE − 1)·λ
        for (i, r) in result[..k].iter_mut().enumerate() {
            *r = masks[i] * lifted;
        }
    }

    /// Fills the random rows of every column, and the mask columns from `first_mask` on: the
    /// `A_i` and DEEP masks random on every row, `B` zero on the enforced rows and random
    /// on every exempt one. `random` must be a CSPRNG for the proof to hide anything.
    pub fn randomize(
        &self,
        columns: &mut [Vec<BaseElement>],
        first_mask: usize,
        random: &mut dyn FnMut() -> BaseElement,
    ) {
        let n = columns[0].len();
        let tail = n - self.random_rows;
        let b = first_mask + self.quotient_mask_columns;
        for (index, column) in columns.iter_mut().enumerate() {
            let from = match index {
                _ if index == b => tail - 1, // every exempt row, the last real one included
                _ if index >= first_mask => 0,
                _ => tail,
            };
            column[from..].iter_mut().for_each(|v| *v = random());
        }
    }

    /// The index of the last row of real computation, where boundary assertions go.
    pub fn last_real_row(&self, trace_length: usize) -> usize {
        trace_length - self.random_rows - 1
    }
}

#[cfg(test)]
mod tests {
    use winterfell::{BatchingMethod, FieldExtension};

    use super::*;

    fn options(queries: usize, extension: FieldExtension) -> ProofOptions {
        ProofOptions::new(
            queries,
            8,
            16,
            extension,
            8,
            31,
            BatchingMethod::Linear,
            BatchingMethod::Linear,
        )
    }

    #[test]
    fn parameters_follow_the_design_study() {
        // ~100-bit: q = 29, quadratic → r = 64; ~128-bit: q = 37, cubic → r = 83.
        let default = ZkParams::for_options(&options(29, FieldExtension::Quadratic));
        assert_eq!(default.random_rows, 64);
        assert_eq!(default.quotient_mask_columns, 2);
        assert_eq!(default.deep_mask_columns, 3);
        let high = ZkParams::for_options(&options(37, FieldExtension::Cubic));
        assert_eq!(high.random_rows, 83);
        assert_eq!(high.deep_mask_columns, 4);
    }

    #[test]
    fn trace_lengths_respect_the_exemption_cap() {
        let opts = options(29, FieldExtension::Quadratic);
        let zk = ZkParams::for_options(&opts);
        for real in [1, 30, 63, 64, 65, 200, 1000] {
            let n = zk.trace_length(real, &opts);
            assert!(n.is_power_of_two());
            assert!(n >= real + zk.random_rows);
            assert!(zk.transition_exemptions() <= n / 2 + 1);
            assert_eq!(zk.last_real_row(n) + 1 + zk.random_rows, n);
        }
        // The degree-7 quotient mask needs 7·31 + 29 + 4 + 2 = 252 rows.
        assert_eq!(zk.trace_length(30, &opts), 256);
        assert_eq!(zk.trace_length(192, &opts), 256);
        assert_eq!(zk.trace_length(193, &opts), 512);
    }

    #[test]
    #[should_panic(expected = "extension")]
    fn no_extension_field_is_refused() {
        ZkParams::for_options(&options(29, FieldExtension::None));
    }

    #[test]
    #[should_panic]
    fn under_provisioned_parameters_are_refused() {
        let opts = options(29, FieldExtension::Quadratic);
        let mut zk = ZkParams::for_options(&opts);
        zk.random_rows -= 1;
        zk.assert_hiding(&opts);
    }
}
