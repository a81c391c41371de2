//! Leakage attacks: the linear-algebra attack of the design study (§3) run against real proofs.
//!
//! Every value a proof reveals about a main-trace column — its openings `T(x_q)` at the queried
//! LDE points and the out-of-domain values `T(z)`, `T(g·z)` — is a linear functional of the
//! column's `n` cells: `T(y) = Σ_t v_t·L_t(y)` with `L_t(y) = ωᵗ(yⁿ − 1)/(n(y − ωᵗ))`. An
//! attacker who replays the public transcript knows `x_q` and `z`, so each opening is one
//! equation over the base field, and each extension-field value one equation per coordinate.
//! Solving for the private cells recovers them unless the column holds enough randomness.
//!
//! The machinery is generic: [`verify_recording`] runs the stock verifier with a recording coin
//! and vector commitment, [`column_equations`] turns a proof into equations over one column's
//! cells, [`ColumnEquations::in_unknowns`] expresses the cells in the attacker's unknowns, and
//! [`System::solve`] does Gaussian elimination mod p. The tests at the bottom point it at every
//! production AIR (the linear and the tree body of [`crate::inference`]); what is specific to
//! each, the model and which cells hold which secret, is kept in the private `target` module.
//!
//! Only the trace openings are attacked here, not the composition openings or FRI values.

use std::cell::RefCell;

use winterfell::crypto::{RandomCoin, RandomCoinError, VectorCommitment};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::fields::{CubeExtension, QuadExtension};
use winterfell::math::{FieldElement, StarkField};
use winterfell::{AcceptableOptions, Air, FieldExtension, Proof, VerifierError};

use crate::prover::Hash;

// TRANSCRIPT RECORDING
// ================================================================================================

#[derive(Clone, Debug, PartialEq, Eq)]
enum CoinEvent {
    Reseed,
    /// A field element drawn, as base-field coordinates.
    Draw(Vec<BaseElement>),
    /// Query positions drawn, as returned by the coin (unsorted, possibly repeated).
    Integers(Vec<usize>),
}

thread_local! {
    // The verifier builds the coin and commitment itself, so records leave through statics;
    // thread-local ones keep concurrently running tests apart (the verifier is sequential).
    static COIN_EVENTS: RefCell<Vec<CoinEvent>> = const { RefCell::new(Vec::new()) };
    static OPENED_POSITIONS: RefCell<Vec<Vec<usize>>> = const { RefCell::new(Vec::new()) };
}

/// A random coin that records every reseed and draw of the coin `C` it wraps.
pub struct RecordingCoin<C>(C);

impl<C: RandomCoin<BaseField = BaseElement>> RandomCoin for RecordingCoin<C> {
    type BaseField = BaseElement;
    type Hasher = C::Hasher;

    fn new(seed: &[BaseElement]) -> Self {
        RecordingCoin(C::new(seed))
    }

    fn reseed(&mut self, data: <Self::Hasher as winterfell::crypto::Hasher>::Digest) {
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Reseed));
        self.0.reseed(data);
    }

    fn check_leading_zeros(&self, value: u64) -> u32 {
        self.0.check_leading_zeros(value)
    }

    fn draw<E: FieldElement<BaseField = BaseElement>>(&mut self) -> Result<E, RandomCoinError> {
        let value = self.0.draw::<E>()?;
        let coordinates = E::slice_as_base_elements(&[value]).to_vec();
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Draw(coordinates)));
        Ok(value)
    }

    fn draw_integers(
        &mut self,
        num_values: usize,
        domain_size: usize,
        nonce: u64,
    ) -> Result<Vec<usize>, RandomCoinError> {
        let values = self.0.draw_integers(num_values, domain_size, nonce)?;
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Integers(values.clone())));
        Ok(values)
    }
}

/// A vector commitment that records the positions of every batch opening it verifies.
pub struct RecordingVc<V>(V);

impl<H: winterfell::crypto::Hasher, V: VectorCommitment<H>> VectorCommitment<H> for RecordingVc<V> {
    type Options = V::Options;
    type Proof = V::Proof;
    type MultiProof = V::MultiProof;
    type Error = V::Error;

    fn with_options(items: Vec<H::Digest>, options: Self::Options) -> Result<Self, Self::Error> {
        V::with_options(items, options).map(RecordingVc)
    }

    fn commitment(&self) -> H::Digest {
        self.0.commitment()
    }

    fn domain_len(&self) -> usize {
        self.0.domain_len()
    }

    fn get_proof_domain_len(proof: &Self::Proof) -> usize {
        V::get_proof_domain_len(proof)
    }

    fn get_multiproof_domain_len(proof: &Self::MultiProof) -> usize {
        V::get_multiproof_domain_len(proof)
    }

    fn open(&self, index: usize) -> Result<(H::Digest, Self::Proof), Self::Error> {
        self.0.open(index)
    }

    fn open_many(
        &self,
        indexes: &[usize],
    ) -> Result<(Vec<H::Digest>, Self::MultiProof), Self::Error> {
        self.0.open_many(indexes)
    }

    fn verify(
        commitment: H::Digest,
        index: usize,
        item: H::Digest,
        proof: &Self::Proof,
    ) -> Result<(), Self::Error> {
        V::verify(commitment, index, item, proof)
    }

    fn verify_many(
        commitment: H::Digest,
        indexes: &[usize],
        items: &[H::Digest],
        proof: &Self::MultiProof,
    ) -> Result<(), Self::Error> {
        OPENED_POSITIONS.with_borrow_mut(|opened| opened.push(indexes.to_vec()));
        V::verify_many(commitment, indexes, items, proof)
    }
}

/// What an attacker learns by replaying the verifier on an accepted proof.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The out-of-domain point `z`, as base-field coordinates (one per extension degree).
    pub z: Vec<BaseElement>,
    /// The queried LDE positions, sorted and without repeats: the order of the opened rows.
    pub positions: Vec<usize>,
    /// Columns of the constraint composition polynomial (needed to parse the OOD frame).
    pub quotient_columns: usize,
}

/// Runs the stock `winterfell::verify` on `proof`, recording the transcript. `VC` is the vector
/// commitment the proof was made with. Returns the verifier's error if the proof is rejected.
///
/// `z` is the first draw after the coin is reseeded with the constraint commitment, i.e. after
/// reseed number `num_trace_segments + 1` (winter-verifier 0.13.1, `perform_verification`: the
/// main trace root, the aux root if any, then the constraint root; the composition
/// coefficients are drawn before the constraint root). The next event must be the reseed with
/// the OOD evaluations, which is checked.
pub fn verify_recording<A, VC>(
    proof: &Proof,
    inputs: &A::PublicInputs,
    acceptable: &AcceptableOptions,
) -> Result<Transcript, VerifierError>
where
    A: Air<BaseField = BaseElement>,
    A::PublicInputs: Clone,
    VC: VectorCommitment<Hash>,
{
    COIN_EVENTS.with_borrow_mut(Vec::clear);
    OPENED_POSITIONS.with_borrow_mut(Vec::clear);
    winterfell::verify::<
        A,
        Hash,
        RecordingCoin<winterfell::crypto::DefaultRandomCoin<Hash>>,
        RecordingVc<VC>,
    >(proof.clone(), inputs.clone(), acceptable)?;
    let events = COIN_EVENTS.with_borrow_mut(std::mem::take);
    let opened = OPENED_POSITIONS.with_borrow_mut(std::mem::take);

    let z_reseed = proof.trace_info().num_segments() + 1;
    let after = (events.iter().enumerate())
        .filter(|(_, event)| **event == CoinEvent::Reseed)
        .nth(z_reseed - 1)
        .map(|(i, _)| i + 1)
        .expect("the constraint commitment was absorbed");
    let z = match &events[after] {
        CoinEvent::Draw(z) => z.clone(),
        other => panic!("expected z after the constraint commitment, got {other:?}"),
    };
    assert_eq!(
        events[after + 1],
        CoinEvent::Reseed,
        "z is not followed by the OOD reseed"
    );
    assert_eq!(z.len(), proof.options().field_extension().degree() as usize);

    // The main trace segment is the first batch opening verified; it must agree with the
    // coin's query draw.
    let positions = opened.first().expect("the trace was opened").clone();
    let mut drawn = events
        .iter()
        .rev()
        .find_map(|event| match event {
            CoinEvent::Integers(values) => Some(values.clone()),
            _ => None,
        })
        .expect("queries were drawn");
    drawn.sort_unstable();
    drawn.dedup();
    assert_eq!(
        positions, drawn,
        "opened positions differ from the drawn queries"
    );
    assert_eq!(positions.len(), proof.num_unique_queries as usize);

    let air = A::new(
        proof.trace_info().clone(),
        inputs.clone(),
        proof.options().clone(),
    );
    Ok(Transcript {
        z,
        positions,
        quotient_columns: air.context().num_constraint_composition_columns(),
    })
}

// EQUATIONS
// ================================================================================================

/// Where an equation comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The opening at LDE position `pos`, `x = offset · g_lde^pos`.
    Query(usize),
    /// Coordinate `coordinate` of `T(z)` (`next = false`) or `T(g·z)` (`next = true`).
    Ood { next: bool, coordinate: usize },
}

/// What a proof reveals about one main-trace column: `Σ_t rows[i][t]·v_t = values[i]` over the
/// column's cells `v_0 … v_{n−1}`.
#[derive(Clone, Debug)]
pub struct ColumnEquations {
    pub trace_length: usize,
    pub rows: Vec<Vec<BaseElement>>,
    pub values: Vec<BaseElement>,
    pub sources: Vec<Source>,
}

/// `[L_t(y)]_t`, the Lagrange basis of the trace domain `⟨ω⟩` (size `n`) at `y`.
pub fn lagrange<E: FieldElement<BaseField = BaseElement>>(y: E, n: usize) -> Vec<E> {
    let omega = BaseElement::get_root_of_unity(n.ilog2());
    let vanishing = y.exp((n as u64).into()) - E::ONE;
    let mut power = BaseElement::ONE;
    let mut basis = Vec::with_capacity(n);
    for _ in 0..n {
        let w = E::from(power);
        basis.push(if vanishing == E::ZERO {
            // y is in the trace domain: L_t(y) = [y = ωᵗ].
            if y == w {
                E::ONE
            } else {
                E::ZERO
            }
        } else {
            w * vanishing / (E::from(BaseElement::new(n as u64)) * (y - w))
        });
        power *= omega;
    }
    basis
}

/// The equations `proof` (with its replayed `transcript`) gives about main-trace `column`.
/// `VC` is the vector commitment the proof was made with.
pub fn column_equations<VC: VectorCommitment<Hash>>(
    proof: &Proof,
    transcript: &Transcript,
    column: usize,
) -> ColumnEquations {
    let info = proof.trace_info();
    let n = info.length();
    let lde = proof.lde_domain_size();
    let (_, table) = proof.trace_queries[0]
        .clone()
        .parse::<BaseElement, Hash, VC>(lde, transcript.positions.len(), info.main_trace_width())
        .expect("the main trace queries parse");
    let offset: BaseElement = proof.options().domain_offset();
    let g_lde = BaseElement::get_root_of_unity(lde.ilog2());
    let mut equations = ColumnEquations {
        trace_length: n,
        rows: Vec::new(),
        values: Vec::new(),
        sources: Vec::new(),
    };
    for (i, &position) in transcript.positions.iter().enumerate() {
        let x = offset * g_lde.exp(position as u64);
        equations.rows.push(lagrange(x, n));
        equations.values.push(table.get_row(i)[column]);
        equations.sources.push(Source::Query(position));
    }
    match proof.options().field_extension() {
        FieldExtension::None => {
            ood_equations::<BaseElement>(proof, transcript, column, &mut equations)
        }
        FieldExtension::Quadratic => {
            ood_equations::<QuadExtension<BaseElement>>(proof, transcript, column, &mut equations)
        }
        FieldExtension::Cubic => {
            ood_equations::<CubeExtension<BaseElement>>(proof, transcript, column, &mut equations)
        }
    }
    equations
}

/// One equation per base coordinate of `T(z)` and `T(g·z)`: the cells are base-field, so
/// `Σ_t v_t·L_t(y)` splits coordinate-wise.
fn ood_equations<E: FieldElement<BaseField = BaseElement>>(
    proof: &Proof,
    transcript: &Transcript,
    column: usize,
    equations: &mut ColumnEquations,
) {
    let info = proof.trace_info();
    let n = info.length();
    let z = E::slice_from_base_elements(&transcript.z)[0];
    let omega = BaseElement::get_root_of_unity(n.ilog2());
    let (frame, _) = (proof.ood_frame.clone())
        .parse::<E>(
            info.main_trace_width(),
            info.aux_segment_width(),
            transcript.quotient_columns,
        )
        .expect("the OOD frame parses");
    let points = [
        (false, z, frame.current_row()[column]),
        (true, z * E::from(omega), frame.next_row()[column]),
    ];
    for (next, y, value) in points {
        let basis = lagrange(y, n);
        for coordinate in 0..E::EXTENSION_DEGREE {
            equations
                .rows
                .push(basis.iter().map(|l| l.base_element(coordinate)).collect());
            equations.values.push(value.base_element(coordinate));
            equations.sources.push(Source::Ood { next, coordinate });
        }
    }
}

/// A cell as an affine function of the attacker's unknowns: `constant + Σ coefficient·u_i`.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub constant: BaseElement,
    pub terms: Vec<(usize, BaseElement)>,
}

impl Cell {
    pub fn known(value: BaseElement) -> Cell {
        Cell {
            constant: value,
            terms: Vec::new(),
        }
    }

    pub fn unknown(index: usize) -> Cell {
        Cell {
            constant: BaseElement::ZERO,
            terms: vec![(index, BaseElement::ONE)],
        }
    }
}

impl ColumnEquations {
    /// Whether the full column `cells` explains every revealed value (a check of the machinery:
    /// true for the real trace column).
    pub fn satisfied_by(&self, cells: &[BaseElement]) -> bool {
        assert_eq!(cells.len(), self.trace_length);
        (self.rows.iter().zip(&self.values)).all(|(row, &value)| {
            row.iter()
                .zip(cells)
                .fold(BaseElement::ZERO, |sum, (&l, &v)| sum + l * v)
                == value
        })
    }

    /// The equations in `unknowns` attacker unknowns, with cell `t` equal to `cell(t)`.
    pub fn in_unknowns(&self, unknowns: usize, cell: impl Fn(usize) -> Cell) -> System {
        let cells: Vec<Cell> = (0..self.trace_length).map(cell).collect();
        let mut system = System {
            unknowns,
            rows: Vec::new(),
            rhs: Vec::new(),
        };
        for (row, &value) in self.rows.iter().zip(&self.values) {
            let mut coefficients = vec![BaseElement::ZERO; unknowns];
            let mut rhs = value;
            for (&l, cell) in row.iter().zip(&cells) {
                rhs -= l * cell.constant;
                for &(index, coefficient) in &cell.terms {
                    coefficients[index] += l * coefficient;
                }
            }
            system.rows.push(coefficients);
            system.rhs.push(rhs);
        }
        system
    }
}

// GAUSSIAN ELIMINATION
// ================================================================================================

/// A linear system `rows · u = rhs` over the base field.
#[derive(Clone, Debug)]
pub struct System {
    pub unknowns: usize,
    pub rows: Vec<Vec<BaseElement>>,
    pub rhs: Vec<BaseElement>,
}

/// The affine solution space `particular + span(nullspace)` of a consistent system.
#[derive(Clone, Debug)]
pub struct Solution {
    pub rank: usize,
    pub consistent: bool,
    /// A solution (free unknowns zero); meaningless if inconsistent.
    pub particular: Vec<BaseElement>,
    /// A basis of the homogeneous solutions.
    pub nullspace: Vec<Vec<BaseElement>>,
}

impl System {
    pub fn equations(&self) -> usize {
        self.rows.len()
    }

    /// The equations of all `systems` (over the same unknowns) together, e.g. several columns'.
    pub fn stack(systems: &[System]) -> System {
        let unknowns = systems.first().map_or(0, |s| s.unknowns);
        assert!(systems.iter().all(|s| s.unknowns == unknowns));
        System {
            unknowns,
            rows: systems.iter().flat_map(|s| s.rows.clone()).collect(),
            rhs: systems.iter().flat_map(|s| s.rhs.clone()).collect(),
        }
    }

    /// The first `count` equations.
    pub fn first(&self, count: usize) -> System {
        System {
            unknowns: self.unknowns,
            rows: self.rows[..count].to_vec(),
            rhs: self.rhs[..count].to_vec(),
        }
    }

    /// The coefficient columns of `unknowns` only (the others dropped, right-hand side kept):
    /// its rank tells how much those unknowns alone can absorb.
    pub fn restricted_to(&self, unknowns: &[usize]) -> System {
        System {
            unknowns: unknowns.len(),
            rows: (self.rows.iter())
                .map(|row| unknowns.iter().map(|&u| row[u]).collect())
                .collect(),
            rhs: self.rhs.clone(),
        }
    }

    /// Gaussian elimination mod p.
    pub fn solve(&self) -> Solution {
        let width = self.unknowns;
        let mut rows: Vec<Vec<BaseElement>> = (self.rows.iter().zip(&self.rhs))
            .map(|(row, &rhs)| {
                let mut augmented = row.clone();
                augmented.push(rhs);
                augmented
            })
            .collect();
        let mut pivots = Vec::new();
        for column in 0..width {
            let rank = pivots.len();
            let Some(found) = (rank..rows.len()).find(|&r| rows[r][column] != BaseElement::ZERO)
            else {
                continue;
            };
            rows.swap(rank, found);
            let inverse = rows[rank][column].inv();
            rows[rank].iter_mut().for_each(|v| *v *= inverse);
            let pivot = rows[rank].clone();
            for (r, row) in rows.iter_mut().enumerate() {
                let factor = row[column];
                if r != rank && factor != BaseElement::ZERO {
                    row.iter_mut()
                        .zip(&pivot)
                        .for_each(|(v, &p)| *v -= factor * p);
                }
            }
            pivots.push(column);
        }
        let rank = pivots.len();
        let consistent = rows[rank..]
            .iter()
            .all(|row| row[width] == BaseElement::ZERO);
        let mut particular = vec![BaseElement::ZERO; width];
        for (r, &column) in pivots.iter().enumerate() {
            particular[column] = rows[r][width];
        }
        let nullspace = (0..width)
            .filter(|column| !pivots.contains(column))
            .map(|free| {
                let mut vector = vec![BaseElement::ZERO; width];
                vector[free] = BaseElement::ONE;
                for (r, &column) in pivots.iter().enumerate() {
                    vector[column] = -rows[r][free];
                }
                vector
            })
            .collect();
        Solution {
            rank,
            consistent,
            particular,
            nullspace,
        }
    }
}

impl Solution {
    /// The value of `unknown` if the system pins it down, i.e. every solution agrees on it.
    pub fn determined(&self, unknown: usize) -> Option<BaseElement> {
        (self.consistent
            && self
                .nullspace
                .iter()
                .all(|v| v[unknown] == BaseElement::ZERO))
        .then(|| self.particular[unknown])
    }

    /// The dimension of the solution space projected on `unknowns`: `unknowns.len()` means the
    /// revealed values are consistent with every assignment of those unknowns.
    pub fn projected_dimension(&self, unknowns: &[usize]) -> usize {
        let projected: Vec<Vec<BaseElement>> = (self.nullspace.iter())
            .map(|v| unknowns.iter().map(|&u| v[u]).collect())
            .collect();
        rank(&projected, unknowns.len())
    }
}

/// The rank of `rows`, each of length `width`.
pub fn rank(rows: &[Vec<BaseElement>], width: usize) -> usize {
    System {
        unknowns: width,
        rows: rows.to_vec(),
        rhs: vec![BaseElement::ZERO; rows.len()],
    }
    .solve()
    .rank
}

// TARGETS: THE PRODUCTION AIRS
// ================================================================================================

/// Everything the tests need to know about the AIRs under attack. Every production AIR is an
/// [`InferenceAir`](crate::inference::InferenceAir) with a model-specific body, so proving,
/// replaying the verifier and where the features live (the input block) are shared; a
/// [`Model`](target::Model) adds a statement for given features and the cells its body computes
/// from them. [`Layout`](target::Layout) says which cells hold which of the attacker's unknowns.
/// Re-point this module when the layout changes or for another body.
mod target {
    use winterfell::math::fields::f64::BaseElement;
    use winterfell::{AcceptableOptions, Proof, Trace, TraceTable};

    use super::{Cell, ColumnEquations, Transcript};
    use crate::disclosure::felt;
    use crate::inference::{build_trace, Body, InferenceAir, Statement};
    use crate::linear::LinearBody;
    use crate::mlp::{self, Activation, Dense, MlpBody, Network};
    use crate::testing::{options, salt, Vc};
    use crate::trees::walk::{self, Ensemble, Tree};
    use crate::trees::TreeBody;
    use crate::zk::ZkParams;

    /// A model under attack: a body, and its statement for any features.
    pub trait Model: Body + 'static {
        const NAME: &'static str;
        const FEATURES: usize;
        /// The body for features `q` and the scores it computes.
        fn body_and_scores(q: &[u16]) -> (Self, Vec<i64>);
        /// The body's cells that depend on the features but not affinely, as groups of
        /// `(column, row)` cells holding one unknown each (a value carried over several rows).
        fn walk_cells(statement: &Statement<Self>) -> Vec<Vec<(usize, usize)>>;
        /// The body's columns holding one affine function of the features on every real row.
        fn affine_columns(statement: &Statement<Self>) -> Vec<(usize, Cell)>;
    }

    /// The statement for features `q`: the scores disclosed, no comparisons (so every real
    /// cell of `x` off the feature reads is public).
    pub fn statement<M: Model>(q: &[u16]) -> Statement<M> {
        assert_eq!(q.len(), M::FEATURES);
        let (body, scores) = M::body_and_scores(q);
        crate::testing::statement(body, q, scores)
    }

    /// One score with fixed pseudo-random weights: the score column is affine in the features.
    impl Model for LinearBody {
        const NAME: &'static str = "linear";
        const FEATURES: usize = 30;

        fn body_and_scores(q: &[u16]) -> (LinearBody, Vec<i64>) {
            let body = LinearBody {
                weights: vec![(0..q.len() as i64)
                    .map(|f| (f * 7919) % 2001 - 1000)
                    .collect()],
                bias: vec![-12345],
            };
            let scores = body.scores(q);
            (body, scores)
        }

        fn walk_cells(_: &Statement<LinearBody>) -> Vec<Vec<(usize, usize)>> {
            Vec::new()
        }

        fn affine_columns(statement: &Statement<LinearBody>) -> Vec<(usize, Cell)> {
            let body = &statement.body;
            let score = Cell {
                constant: felt(body.bias[0]),
                terms: (body.weights[0].iter().enumerate())
                    .map(|(f, &w)| (f, felt(w)))
                    .collect(),
            };
            vec![(statement.body_column() + body.scores_column(), score)]
        }
    }

    /// Five complete trees of depths 3, 2, 3, 2, 2 (23 node rows) over 24 features and two
    /// scores, pseudo-random features and thresholds: the walk's decisions `B` and path
    /// indicators `IND` on the node rows are its secrets beyond the features.
    impl Model for TreeBody {
        const NAME: &'static str = "trees";
        const FEATURES: usize = 24;

        fn body_and_scores(q: &[u16]) -> (TreeBody, Vec<i64>) {
            let shapes = [
                (3, Some(0)),
                (2, None),
                (3, Some(1)),
                (2, Some(0)),
                (2, None),
            ];
            let ensemble = Ensemble {
                num_features: Self::FEATURES,
                num_scores: 2,
                base: vec![100, -100],
                trees: (shapes.iter().enumerate())
                    .map(|(k, &(depth, target))| complete_tree(k, depth, target))
                    .collect(),
            };
            let scores = evaluate(&ensemble, q);
            (TreeBody::new(ensemble).expect("a valid ensemble"), scores)
        }

        fn walk_cells(statement: &Statement<TreeBody>) -> Vec<Vec<(usize, usize)>> {
            let (at, first) = (statement.body_column(), statement.body_row());
            let nodes = statement.body.rows();
            [walk::B, walk::IND]
                .into_iter()
                .flat_map(|column| (first..first + nodes).map(move |row| vec![(at + column, row)]))
                .collect()
        }

        fn affine_columns(_: &Statement<TreeBody>) -> Vec<(usize, Cell)> {
            Vec::new()
        }
    }

    /// Ten features, ReLU hidden layers of 5 and 3 neurons with pseudo-random weights, two
    /// scores: every neuron's sign bit and halves, and every partial sum an accumulator carries
    /// (the last ones of the scores excepted: they are disclosed), are its secrets.
    impl Model for MlpBody {
        const NAME: &'static str = "mlp";
        const FEATURES: usize = 10;

        fn body_and_scores(q: &[u16]) -> (MlpBody, Vec<i64>) {
            let dense = |outputs: usize, inputs: usize, spread: i64, bias: i64| Dense {
                weights: (0..outputs)
                    .map(|j| {
                        (0..inputs)
                            .map(|i| {
                                ((j as i64 * 7919 + i as i64 * 104_729) % (2 * spread + 1)) - spread
                            })
                            .collect()
                    })
                    .collect(),
                bias: (0..outputs)
                    .map(|j| if j % 2 == 0 { bias } else { -bias })
                    .collect(),
            };
            let network = Network {
                num_features: Self::FEATURES,
                activation: Activation::Relu,
                hidden: vec![dense(5, 10, 300, 2_000_000), dense(3, 5, 100, 50_000)],
                output: dense(2, 3, 50, 1000),
            };
            let body = MlpBody::new(network).expect("a valid network");
            let (_, scores) = body.network().evaluate(q);
            (body, scores)
        }

        fn walk_cells(statement: &Statement<MlpBody>) -> Vec<Vec<(usize, usize)>> {
            let body = &statement.body;
            let (at, first) = (statement.body_column(), statement.body_row());
            let x = statement.input().x();
            let n = statement.trace_length(&options());
            let tail = ZkParams::for_options(&options()).last_real_row(n) + 1;
            let mut groups = Vec::new();
            for g in 0..body.num_neurons() {
                let row = first + body.first_row(g);
                groups.extend([vec![(at + mlp::B, row)], vec![(x, row)], vec![(x, row + 1)]]);
            }
            // Accumulator k of layer l changes on the first row of each neuron of layer l − 1.
            let network = body.network();
            let mut start = 0;
            for (layer, dense) in network.hidden.iter().enumerate() {
                let rows: Vec<usize> = (start..start + dense.outputs())
                    .map(|g| first + body.first_row(g) + 1)
                    .collect();
                start += dense.outputs();
                let disclosed = layer + 1 == network.hidden.len();
                let next = network.layers().nth(layer + 1).expect("a next layer");
                for k in 0..next.outputs() {
                    let column = at + body.accumulator(layer + 1, k);
                    for (i, &from) in rows.iter().enumerate() {
                        let until = rows.get(i + 1).copied().unwrap_or(tail);
                        if until == tail && disclosed {
                            break;
                        }
                        groups.push((from..until).map(|row| (column, row)).collect());
                    }
                }
            }
            groups
        }

        fn affine_columns(_: &Statement<MlpBody>) -> Vec<(usize, Cell)> {
            Vec::new()
        }
    }

    /// Tree `k` of the ensemble: split `i` has children `2i + 1`, `2i + 2`, the leaves from id
    /// `2^depth − 1`.
    fn complete_tree(k: usize, depth: u32, target: Option<u32>) -> Tree {
        let splits = (1 << depth) - 1;
        let width = if target.is_some() { 1 } else { 2 };
        Tree {
            target,
            feature: (0..splits)
                .map(|i| ((5 * k + 7 * i) % TreeBody::FEATURES) as u32)
                .collect(),
            threshold: (0..splits)
                .map(|i| ((k * 7919 + i * 104_729) % 65_537) as i64)
                .collect(),
            left: (0..splits).map(|i| 2 * i as u32 + 1).collect(),
            right: (0..splits).map(|i| 2 * i as u32 + 2).collect(),
            leaf_value: (0..(splits + 1) * width)
                .map(|v| ((37 * v + 11 * k) % 200) as i64 - 100)
                .collect(),
        }
    }

    /// The ensemble's scores on `q`, each tree walked from its root.
    fn evaluate(ensemble: &Ensemble, q: &[u16]) -> Vec<i64> {
        let mut scores = ensemble.base.clone();
        for tree in &ensemble.trees {
            let splits = tree.feature.len();
            let mut node = 0;
            while node < splits {
                let left = i64::from(q[tree.feature[node] as usize]) < tree.threshold[node];
                node = if left {
                    tree.left[node]
                } else {
                    tree.right[node]
                } as usize;
            }
            let leaf = node - splits;
            match tree.target {
                Some(c) => scores[c as usize] += tree.leaf_value[leaf],
                None => (scores.iter_mut().enumerate())
                    .for_each(|(c, s)| *s += tree.leaf_value[leaf * ensemble.num_scores + c]),
            }
        }
        scores
    }

    /// Which cells of a model's trace hold which of the attacker's unknowns. Unknowns `0..F`
    /// are the features: in their own columns `q(f)` on every real row, and in the range-check
    /// column `x` on row `f` and on every body row that reads `f`. Then come the walk cells, one
    /// unknown each, in [`Model::walk_cells`] order; the affine columns hold functions of the
    /// features. Every other real cell is what the honest computation puts there, which the
    /// attacker knows; the last rows from [`tail`](Layout::tail) on are the random ones.
    pub struct Layout {
        pub features: usize,
        /// The range-check column.
        pub x: usize,
        /// The feature `x` holds on each real row, if any.
        reads: Vec<Option<usize>>,
        /// Feature `f`'s own column.
        pub q: Vec<usize>,
        pub walk: Vec<Vec<(usize, usize)>>,
        pub affine: Vec<(usize, Cell)>,
        /// The first random row.
        pub tail: usize,
    }

    impl Layout {
        fn new<M: Model>(statement: &Statement<M>, trace_length: usize) -> Layout {
            let input = statement.input();
            let tail = ZkParams::for_options(&options()).last_real_row(trace_length) + 1;
            let mut reads = statement.reads(tail);
            for (f, read) in reads.iter_mut().enumerate().take(M::FEATURES) {
                *read = Some(f);
            }
            Layout {
                features: M::FEATURES,
                x: input.x(),
                reads,
                q: (0..M::FEATURES).map(|f| input.q(f)).collect(),
                walk: M::walk_cells(statement),
                affine: M::affine_columns(statement),
                tail,
            }
        }

        pub fn unknowns(&self) -> usize {
            self.features + self.walk.len()
        }

        /// Cell `row` of `column` in the unknowns, or `None` if the attacker knows it or it is
        /// random.
        pub fn cell(&self, column: usize, row: usize) -> Option<Cell> {
            if row >= self.tail {
                return None;
            }
            if let Some(k) = (self.walk.iter()).position(|group| group.contains(&(column, row))) {
                return Some(Cell::unknown(self.features + k));
            }
            if column == self.x {
                return self.reads[row].map(Cell::unknown);
            }
            if let Some(f) = self.q.iter().position(|&c| c == column) {
                return Some(Cell::unknown(f));
            }
            (self.affine.iter())
                .find(|(c, _)| *c == column)
                .map(|(_, cell)| cell.clone())
        }

        /// The rows of `x` holding a feature.
        pub fn feature_reads(&self) -> usize {
            self.reads.iter().flatten().count()
        }

        /// The unknowns' values in `trace`.
        pub fn values(&self, trace: &TraceTable<BaseElement>) -> Vec<BaseElement> {
            let features = self.q.iter().map(|&column| trace.get(column, 0));
            let walk = self
                .walk
                .iter()
                .map(|group| trace.get(group[0].0, group[0].1));
            features.chain(walk).collect()
        }

        /// The columns of the walk cells other than `x`, each once.
        pub fn walk_columns(&self) -> Vec<usize> {
            let mut columns: Vec<usize> = (self.walk.iter().flatten())
                .map(|&(column, _)| column)
                .filter(|&column| column != self.x)
                .collect();
            columns.sort_unstable();
            columns.dedup();
            columns
        }

        /// The unknowns `column` holds on some row.
        pub fn unknowns_in(&self, column: usize) -> Vec<usize> {
            let mut unknowns: Vec<usize> = (0..self.tail)
                .filter_map(|row| self.cell(column, row))
                .flat_map(|cell| cell.terms.into_iter().map(|(u, _)| u))
                .collect();
            unknowns.sort_unstable();
            unknowns.dedup();
            unknowns
        }

        /// Every column holding a secret: `x`, the feature columns, the affine and the walk
        /// columns.
        pub fn columns(&self) -> Vec<usize> {
            let mut columns = vec![self.x];
            columns.extend(&self.q);
            columns.extend(self.affine.iter().map(|&(column, _)| column));
            columns.extend(self.walk_columns());
            columns
        }
    }

    /// The statement for features `q` and its honest trace, the tail rows and masks from
    /// `random`.
    pub fn trace<M: Model>(
        q: &[u16],
        random: &mut dyn FnMut() -> BaseElement,
    ) -> (Statement<M>, TraceTable<BaseElement>) {
        let statement = statement::<M>(q);
        let trace =
            build_trace(&statement, q, &salt(0), &options(), random).expect("no comparisons");
        (statement, trace)
    }

    /// An accepted proof, what the attacker learns by replaying its verification, and where
    /// the secrets are.
    pub struct Proved {
        pub trace: TraceTable<BaseElement>,
        pub proof: Proof,
        pub transcript: Transcript,
        pub layout: Layout,
    }

    /// Proves features `q`, the tail rows and masks from `random`; the proof must be accepted.
    pub fn prove<M: Model>(q: &[u16], random: &mut dyn FnMut() -> BaseElement) -> Proved {
        let (statement, trace) = trace::<M>(q, random);
        let proof = crate::testing::prove::<InferenceAir<M>>(trace.clone(), &statement);
        let acceptable = AcceptableOptions::OptionSet(vec![options()]);
        let transcript =
            super::verify_recording::<InferenceAir<M>, Vc>(&proof, &statement, &acceptable)
                .expect("accepted");
        let layout = Layout::new(&statement, trace.length());
        Proved {
            trace,
            proof,
            transcript,
            layout,
        }
    }

    impl Proved {
        pub fn equations(&self, column: usize) -> ColumnEquations {
            super::column_equations::<Vc>(&self.proof, &self.transcript, column)
        }

        pub fn cells(&self, column: usize) -> Vec<BaseElement> {
            cells(&self.trace, column)
        }
    }

    pub fn cells(trace: &TraceTable<BaseElement>, column: usize) -> Vec<BaseElement> {
        (0..trace.length())
            .map(|row| trace.get(column, row))
            .collect()
    }
}

/// The attacks, each run against every [`target::Model`] by [`against_every_air`].
mod tests {
    use winterfell::math::fields::f64::BaseElement;
    use winterfell::math::FieldElement;
    use winterfell::Trace;

    use super::target::{self, Model, Proved};
    use super::*;

    fn zero() -> BaseElement {
        BaseElement::ZERO
    }

    fn masked() -> impl FnMut() -> BaseElement {
        crate::testing::rng(0x1EA4)
    }

    /// Pseudo-random 16-bit features.
    fn features<M: Model>() -> Vec<u16> {
        let mut next = crate::testing::rng(0x5EED);
        (0..M::FEATURES).map(|_| next().as_int() as u16).collect()
    }

    /// An arbitrary other input: `[0, 1111, 2222, …] mod 2^16`.
    fn other_features<M: Model>() -> Vec<u16> {
        (0..M::FEATURES)
            .map(|f| (1111 * f % 65536) as u16)
            .collect()
    }

    /// The values every solution agrees on, for `unknowns`.
    fn recovered(solution: &Solution, unknowns: &[usize]) -> Vec<Option<BaseElement>> {
        unknowns.iter().map(|&u| solution.determined(u)).collect()
    }

    /// The equations `proved` gives about `column`, in the layout's unknowns; every other cell
    /// `t` known to be `known[t]`.
    fn attack(proved: &Proved, column: usize, known: &[BaseElement]) -> System {
        let layout = &proved.layout;
        proved
            .equations(column)
            .in_unknowns(layout.unknowns(), |t| {
                layout
                    .cell(column, t)
                    .unwrap_or_else(|| Cell::known(known[t]))
            })
    }

    /// Runs each generic test below against every production AIR, in a module per model.
    macro_rules! against_every_air {
        ($($test:ident),* $(,)?) => {
            mod linear {
                $(#[test]
                fn $test() {
                    super::$test::<crate::linear::LinearBody>();
                })*
            }
            mod trees {
                $(#[test]
                fn $test() {
                    super::$test::<crate::trees::TreeBody>();
                })*
            }
            mod mlp {
                $(#[test]
                fn $test() {
                    super::$test::<crate::mlp::MlpBody>();
                })*
            }
        };
    }

    against_every_air!(
        the_revealed_values_are_those_of_the_trace_columns,
        an_unmasked_range_check_column_reveals_every_feature,
        unmasked_witness_columns_reveal_their_values,
        a_masked_proof_defeats_the_naive_attack,
        a_masked_proof_is_consistent_with_any_input,
        fresh_randomness_gives_a_different_proof,
    );

    fn the_revealed_values_are_those_of_the_trace_columns<M: Model>() {
        // Checks the machinery (z, positions, x_q, Lagrange basis, parsing): the real columns
        // explain every revealed value, and a perturbed one does not.
        for random in [&mut zero as &mut dyn FnMut() -> BaseElement, &mut masked()] {
            let proved = target::prove::<M>(&features::<M>(), random);
            for column in proved.layout.columns() {
                let equations = proved.equations(column);
                let mut cells = proved.cells(column);
                assert!(equations.satisfied_by(&cells), "column {column}");
                cells[3] += BaseElement::ONE;
                assert!(!equations.satisfied_by(&cells));
            }
        }
    }

    fn an_unmasked_range_check_column_reveals_every_feature<M: Model>() {
        let q = features::<M>();
        let proved = target::prove::<M>(&q, &mut zero);
        let layout = &proved.layout;
        // The attacker knows the structure: every non-feature cell is what the honest
        // computation puts there (public-derivable rows, a zero tail).
        let system = attack(&proved, layout.x, &proved.cells(layout.x));
        let solution = system.solve();
        println!(
            "{}, unmasked, range-check column: {} equations, {} unknowns (the features, on {} \
             rows), rank {}, n = {}",
            M::NAME,
            system.equations(),
            M::FEATURES,
            layout.feature_reads(),
            solution.rank,
            proved.trace.length()
        );
        assert!(solution.consistent);
        // The features, and whatever else the body keeps in `x` (a network's halves).
        assert_eq!(solution.rank, layout.unknowns_in(layout.x).len());
        let features: Vec<usize> = (0..M::FEATURES).collect();
        let expected: Vec<_> = q.iter().map(|&v| Some(BaseElement::from(v))).collect();
        assert_eq!(recovered(&solution, &features), expected);
    }

    fn unmasked_witness_columns_reveal_their_values<M: Model>() {
        let proved = target::prove::<M>(&features::<M>(), &mut zero);
        let layout = &proved.layout;
        let real = layout.values(&proved.trace);
        // A feature's own column is constant on the real rows: one unknown, recovered. So are
        // the walk columns' cells, e.g. every decision and path indicator of a tree walk.
        let walk = layout.walk_columns();
        for &column in layout.q.iter().chain(&walk) {
            let system = attack(&proved, column, &proved.cells(column));
            let solution = system.solve();
            let unknowns = layout.unknowns_in(column);
            if walk.contains(&column) {
                println!(
                    "{}, unmasked, walk column {column}: {} equations, {} unknowns, rank {}",
                    M::NAME,
                    system.equations(),
                    unknowns.len(),
                    solution.rank
                );
            }
            let expected: Vec<_> = unknowns.iter().map(|&u| Some(real[u])).collect();
            assert_eq!(recovered(&solution, &unknowns), expected, "column {column}");
        }
        // An affine column (a linear model's score) gives its value away, which matters when
        // only a class is disclosed; as a function of the features, that is all it gives.
        for &(column, _) in &layout.affine {
            let equations = proved.equations(column);
            let constant = equations
                .in_unknowns(1, |row| match row {
                    _ if row < layout.tail => Cell::unknown(0),
                    _ => Cell::known(BaseElement::ZERO),
                })
                .solve();
            assert_eq!(constant.determined(0), Some(proved.trace.get(column, 0)));
            let in_features = attack(&proved, column, &proved.cells(column)).solve();
            assert!(in_features.consistent);
            assert_eq!(in_features.rank, 1);
        }
    }

    fn a_masked_proof_defeats_the_naive_attack<M: Model>() {
        let q = features::<M>();
        let proved = target::prove::<M>(&q, &mut masked());
        let column = proved.layout.x;
        // What the unmasked attack assumes: the honest trace with a zero tail.
        let (_, unmasked) = target::trace::<M>(&q, &mut zero);
        let system = attack(&proved, column, &target::cells(&unmasked, column));
        let solution = system.solve();
        let right = |solution: &Solution| {
            (0..M::FEATURES)
                .filter(|&f| solution.determined(f) == Some(BaseElement::from(q[f])))
                .count()
        };
        // A square subsystem always has an answer: it is wrong.
        let square = system.first(M::FEATURES).solve();
        println!(
            "{}, masked, naive: {} equations, {} unknowns, rank {}, consistent {}, {} features \
             right; first {} equations: rank {}, {} features right",
            M::NAME,
            system.equations(),
            M::FEATURES,
            solution.rank,
            solution.consistent,
            right(&solution),
            M::FEATURES,
            square.rank,
            right(&square)
        );
        assert_eq!(right(&solution), 0);
        assert_eq!(square.rank, M::FEATURES);
        assert_eq!(right(&square), 0);
    }

    /// Measured by [`assert_hides`].
    #[derive(Debug)]
    struct Hiding {
        equations: usize,
        unknowns: usize,
        rank: usize,
        random_rank: usize,
        projected: usize,
    }

    /// The structure-aware attack on `columns` of a masked proof, jointly: the unknowns are the
    /// layout's (the features and the walk cells) plus every column's random tail rows, every
    /// other cell known. Asserts that the random rows alone absorb the openings (rank = number
    /// of equations = rank on the random rows), that the solution space projects onto every
    /// assignment of the layout's unknowns, and that those fixed to `other` leave the system
    /// consistent.
    fn assert_hides(proved: &Proved, columns: &[usize], other: &[BaseElement]) -> Hiding {
        let layout = &proved.layout;
        let (secrets, tail) = (layout.unknowns(), layout.tail);
        let r = proved.trace.length() - tail;
        let unknowns = secrets + r * columns.len();
        let equations: Vec<ColumnEquations> = columns
            .iter()
            .map(|&column| proved.equations(column))
            .collect();
        // The column's cells, with the layout's unknowns mapped through `real`.
        let build = |real: &dyn Fn(Cell) -> Cell| {
            let systems: Vec<System> = (columns.iter().zip(&equations).enumerate())
                .map(|(i, (&column, equations))| {
                    equations.in_unknowns(unknowns, |t| match layout.cell(column, t) {
                        _ if t >= tail => Cell::unknown(secrets + r * i + t - tail),
                        Some(cell) => real(cell),
                        None => Cell::known(proved.trace.get(column, t)),
                    })
                })
                .collect();
            System::stack(&systems)
        };
        let system = build(&|cell| cell);
        let solution = system.solve();
        let random: Vec<usize> = (secrets..unknowns).collect();
        let secret: Vec<usize> = (0..secrets).collect();
        let hiding = Hiding {
            equations: system.equations(),
            unknowns,
            rank: solution.rank,
            random_rank: rank(&system.restricted_to(&random).rows, random.len()),
            projected: solution.projected_dimension(&secret),
        };
        assert!(solution.consistent);
        assert_eq!(hiding.rank, hiding.equations, "{hiding:?}");
        assert_eq!(hiding.random_rank, hiding.equations, "{hiding:?}");
        assert_eq!(hiding.projected, secrets, "{hiding:?}");
        // The secrets fixed to another input: the tails alone explain the openings.
        let fixed = build(&|cell| {
            let value = (cell.terms.iter()).fold(cell.constant, |acc, &(u, k)| acc + k * other[u]);
            Cell::known(value)
        });
        assert!(
            fixed.solve().consistent,
            "not consistent with another input"
        );
        hiding
    }

    fn a_masked_proof_is_consistent_with_any_input<M: Model>() {
        let proved = target::prove::<M>(&features::<M>(), &mut masked());
        let layout = &proved.layout;
        // Another input, and the walk it takes.
        let (_, other_trace) = target::trace::<M>(&other_features::<M>(), &mut zero);
        let other = layout.values(&other_trace);
        let real = layout.values(&proved.trace);
        let (features, walk) = (0..M::FEATURES, M::FEATURES..layout.unknowns());
        assert!(features.clone().all(|u| other[u] != real[u]));
        assert!(walk.is_empty() || other[walk.clone()] != real[walk]);

        // The range-check column: features on their rows, the other real cells known (even
        // taken from the real trace).
        let hiding = assert_hides(&proved, &[layout.x], &other);
        println!(
            "{}, masked, structure-aware, range-check column: {} equations, {} unknowns ({} \
             random rows, n = {}), rank {}, rank on the random rows alone {}, projected \
             dimension {} of {} secrets ({} features)",
            M::NAME,
            hiding.equations,
            hiding.unknowns,
            hiding.unknowns - layout.unknowns(),
            proved.trace.length(),
            hiding.rank,
            hiding.random_rank,
            hiding.projected,
            layout.unknowns(),
            M::FEATURES
        );
        // Every other column holding a secret, alone.
        for column in layout.columns().into_iter().skip(1) {
            let hiding = assert_hides(&proved, &[column], &other);
            if !layout.q.contains(&column) {
                println!("{}, masked, column {column}: {hiding:?}", M::NAME);
            }
        }
        // Several columns at once, sharing the unknowns.
        let mut joint = vec![layout.x];
        joint.extend(layout.affine.iter().map(|&(column, _)| column));
        joint.extend(layout.walk_columns());
        joint.extend([layout.q[0], layout.q[M::FEATURES - 1]]);
        let hiding = assert_hides(&proved, &joint, &other);
        println!(
            "{}, masked, structure-aware, {} columns jointly: {hiding:?}",
            M::NAME,
            joint.len()
        );
    }

    fn fresh_randomness_gives_a_different_proof<M: Model>() {
        let q = features::<M>();
        let a = target::prove::<M>(&q, &mut crate::testing::rng(1));
        let b = target::prove::<M>(&q, &mut crate::testing::rng(2));
        assert_ne!(a.proof.to_bytes(), b.proof.to_bytes());
        let column = a.layout.x;
        assert_ne!(a.equations(column).values, b.equations(column).values);
    }
}
