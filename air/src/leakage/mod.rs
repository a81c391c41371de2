//! Leakage attacks: the linear-algebra attack of the design study (§3) run against real proofs
//! made with the production profiles' exact options, and rank tests of the masks.
//!
//! Every value a proof reveals is, once the public transcript is replayed (the attacker knows
//! the challenges), a function of the committed columns; the trace openings are linear ones.
//! Each value a proof reveals about a trace column — its opening `T(x_q)` at a queried LDE
//! point and the out-of-domain values `T(z)`, `T(g·z)` — is a linear functional of the column's
//! `n` cells (of their `k·n` base coordinates for the auxiliary column):
//! `T(y) = Σ_t v_t·L_t(y)` with `L_t(y) = ωᵗ(yⁿ − 1)/(n(y − ωᵗ))`. Each opening is one
//! equation over the base field, each extension-field value one equation per coordinate.
//! Solving for the private cells recovers them unless the column holds enough randomness.
//!
//! * [`transcript`]: the stock verifier replayed with a recording coin and vector commitment;
//! * [`equations`]: a proof's openings as equations over one column's cells;
//! * [`linalg`]: Gaussian elimination mod p;
//! * [`polynomials`]: polynomial arithmetic over the trace domain, for the masks' images;
//! * [`target`]: the production AIRs under attack and where their secrets are;
//! * [`trace_attacks`]: the attacks on the trace openings, unmasked and masked;
//! * [`masks`]: what the masks must cover, as ranks: the tail rows under every point a proof
//!   depends on, the quotient mask under every composition segment (the top one included), the
//!   DEEP mask under the FRI remainder.

/// Runs each generic test `fn test<M: Model>(profile: Profile)` of the calling module against
/// every production AIR (a module per model) under both production profiles.
macro_rules! against_every_air {
    ($($test:ident),* $(,)?) => {
        against_every_air!(@model linear, crate::linear::LinearBody, $($test),*);
        against_every_air!(@model trees, crate::trees::TreeBody, $($test),*);
        against_every_air!(@model paths, crate::leakage::target::PathTrees, $($test),*);
        against_every_air!(@model mlp, crate::mlp::MlpBody, $($test),*);
    };
    (@model $model:ident, $body:ty, $($test:ident),*) => {
        mod $model {
            mod default {
                $(#[test]
                fn $test() {
                    super::super::$test::<$body>(super::super::target::Profile::Default);
                })*
            }
            mod high {
                $(#[test]
                fn $test() {
                    super::super::$test::<$body>(super::super::target::Profile::High);
                })*
            }
        }
    };
}

mod equations;
mod linalg;
mod masks;
mod polynomials;
pub(crate) mod target;
mod trace_attacks;
mod transcript;

pub use equations::{aux_equations, column_equations, lagrange, Cell, ColumnEquations};
pub use linalg::{rank, Solution, System};
pub use transcript::{verify_recording, Transcript};
