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
//! [`System::solve`] does Gaussian elimination mod p. The tests at the bottom point it at the
//! linear AIR; the AIR-specific part is kept in the private `target` module.
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

    /// The equations with the cells of `unknown_rows` as unknowns `0, 1, …` (in that order) and
    /// every other cell `t` known to be `known(t)`.
    pub fn with_unknown_rows(
        &self,
        unknown_rows: &[usize],
        known: impl Fn(usize) -> BaseElement,
    ) -> System {
        self.in_unknowns(unknown_rows.len(), |t| {
            match unknown_rows.iter().position(|&row| row == t) {
                Some(index) => Cell::unknown(index),
                None => Cell::known(known(t)),
            }
        })
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

// TARGET: THE LINEAR AIR
// ================================================================================================

/// Everything the tests need to know about the AIR under attack (the linear model of the
/// [`crate::inference`] family): the statement, its trace and proof, and where the private
/// features live. Re-point this module when the layout changes or for another AIR.
mod target {
    use winterfell::math::fields::f64::BaseElement;
    use winterfell::{AcceptableOptions, Proof, Trace, TraceTable};

    use super::{Cell, ColumnEquations, Transcript};
    use crate::disclosure::felt;
    use crate::inference::{build_trace, Body};
    use crate::input::InputBlock;
    use crate::linear::{LinearAir, LinearBody, LinearStatement};
    use crate::testing::{options, salt, Vc};

    pub const FEATURES: usize = 30;

    /// One score with fixed pseudo-random weights, disclosed; no comparisons.
    pub fn statement(q: &[u16]) -> LinearStatement {
        let body = LinearBody {
            weights: vec![(0..q.len() as i64)
                .map(|f| (f * 7919) % 2001 - 1000)
                .collect()],
            bias: vec![-12345],
        };
        LinearStatement {
            context: [1, 2, 3, 4].map(BaseElement::new),
            model_id: [5, 6, 7, 8].map(BaseElement::new),
            commitment: InputBlock::commitment(q, &salt(0)),
            scores: Some(body.scores(q)),
            comparisons: Vec::new(),
            body,
        }
    }

    /// The range-check column: feature `f` on row `f`, other real rows public-derivable.
    pub fn range_column(statement: &LinearStatement) -> usize {
        statement.input().x()
    }

    /// The rows of the range-check column holding the features, feature `f` first.
    pub fn feature_rows() -> Vec<usize> {
        (0..FEATURES).collect()
    }

    /// Feature `f`'s own column, constant on every real row.
    pub fn feature_column(statement: &LinearStatement, f: usize) -> usize {
        statement.input().q(f)
    }

    /// The score column, constant on every real row.
    pub fn score_column(statement: &LinearStatement) -> usize {
        statement.body_column() + statement.body.score_column(0)
    }

    /// The score column's real-row cell as an affine function of the features, unknowns
    /// `0..F`.
    pub fn score_cell(statement: &LinearStatement) -> Cell {
        let body = &statement.body;
        Cell {
            constant: felt(body.bias[0]),
            terms: (body.weights[0].iter().enumerate())
                .map(|(f, &w)| (f, felt(w)))
                .collect(),
        }
    }

    /// The trace and an accepted proof for features `q`, the tail rows and masks from `random`.
    pub fn prove(
        q: &[u16],
        random: &mut dyn FnMut() -> BaseElement,
    ) -> (LinearStatement, TraceTable<BaseElement>, Proof) {
        let statement = statement(q);
        let trace =
            build_trace(&statement, q, &salt(0), &options(), random).expect("no comparisons");
        let proof = crate::testing::prove::<LinearAir>(trace.clone(), &statement);
        (statement, trace, proof)
    }

    /// Replays the verifier: the proof must be accepted.
    pub fn transcript(proof: &Proof, statement: &LinearStatement) -> Transcript {
        let acceptable = AcceptableOptions::OptionSet(vec![options()]);
        super::verify_recording::<LinearAir, Vc>(proof, statement, &acceptable).expect("accepted")
    }

    pub fn equations(proof: &Proof, transcript: &Transcript, column: usize) -> ColumnEquations {
        super::column_equations::<Vc>(proof, transcript, column)
    }

    pub fn cells(trace: &TraceTable<BaseElement>, column: usize) -> Vec<BaseElement> {
        (0..trace.length())
            .map(|row| trace.get(column, row))
            .collect()
    }

    /// The random tail rows of every witness column.
    pub fn random_rows(trace_length: usize) -> std::ops::Range<usize> {
        let zk = crate::zk::ZkParams::for_options(&options());
        trace_length - zk.random_rows..trace_length
    }
}

mod tests {
    use winterfell::math::fields::f64::BaseElement;
    use winterfell::math::FieldElement;

    use super::target::{self, FEATURES};
    use super::*;

    fn zero() -> BaseElement {
        BaseElement::ZERO
    }

    fn masked() -> impl FnMut() -> BaseElement {
        crate::testing::rng(0x1EA4)
    }

    /// 30 pseudo-random 16-bit features.
    fn features() -> Vec<u16> {
        let mut next = crate::testing::rng(0x5EED);
        (0..FEATURES).map(|_| next().as_int() as u16).collect()
    }

    /// An arbitrary other input: `[0, 1111, 2222, …] mod 2^16`.
    fn other_features() -> Vec<u16> {
        (0..FEATURES).map(|f| (1111 * f % 65536) as u16).collect()
    }

    fn felts(q: &[u16]) -> Vec<BaseElement> {
        q.iter().map(|&x| BaseElement::from(x)).collect()
    }

    /// The values every solution agrees on, for unknowns `0..count`.
    fn recovered(solution: &Solution, count: usize) -> Vec<Option<BaseElement>> {
        (0..count).map(|u| solution.determined(u)).collect()
    }

    #[test]
    fn the_revealed_values_are_those_of_the_trace_columns() {
        // Checks the machinery (z, positions, x_q, Lagrange basis, parsing): the real columns
        // explain every revealed value, and a perturbed one does not.
        for random in [&mut zero as &mut dyn FnMut() -> BaseElement, &mut masked()] {
            let (statement, trace, proof) = target::prove(&features(), random);
            let transcript = target::transcript(&proof, &statement);
            let columns = [
                target::range_column(&statement),
                target::feature_column(&statement, 7),
                target::score_column(&statement),
            ];
            for column in columns {
                let equations = target::equations(&proof, &transcript, column);
                let mut cells = target::cells(&trace, column);
                assert!(equations.satisfied_by(&cells), "column {column}");
                cells[3] += BaseElement::ONE;
                assert!(!equations.satisfied_by(&cells));
            }
        }
    }

    #[test]
    fn an_unmasked_range_check_column_reveals_every_feature() {
        let q = features();
        let (statement, trace, proof) = target::prove(&q, &mut zero);
        let transcript = target::transcript(&proof, &statement);
        let column = target::range_column(&statement);
        let equations = target::equations(&proof, &transcript, column);
        // The attacker knows the structure: every non-feature cell is what the honest
        // computation puts there (public-derivable rows, a zero tail).
        let known = target::cells(&trace, column);
        let system = equations.with_unknown_rows(&target::feature_rows(), |t| known[t]);
        let solution = system.solve();
        println!(
            "unmasked, range-check column: {} equations, {} unknowns, rank {}, n = {}",
            system.equations(),
            system.unknowns,
            solution.rank,
            equations.trace_length
        );
        assert!(solution.consistent);
        assert_eq!(solution.rank, FEATURES);
        let expected: Vec<_> = felts(&q).into_iter().map(Some).collect();
        assert_eq!(recovered(&solution, FEATURES), expected);
    }

    #[test]
    fn unmasked_feature_and_score_columns_reveal_their_values() {
        // A column constant on the real rows (and zero on an unmasked tail) is one unknown.
        let q = features();
        let (statement, _, proof) = target::prove(&q, &mut zero);
        let transcript = target::transcript(&proof, &statement);
        let tail = target::random_rows(proof.trace_info().length()).start;
        let constant = |row: usize| match row {
            _ if row < tail => Cell::unknown(0),
            _ => Cell::known(BaseElement::ZERO),
        };
        for (f, &value) in q.iter().enumerate() {
            let column = target::feature_column(&statement, f);
            let solution = (target::equations(&proof, &transcript, column))
                .in_unknowns(1, constant)
                .solve();
            assert_eq!(solution.determined(0), Some(BaseElement::from(value)));
        }
        // The score column gives the score away (which matters when only a class is disclosed);
        // as a function of the features, that is all it gives.
        let equations = target::equations(&proof, &transcript, target::score_column(&statement));
        let score = equations.in_unknowns(1, constant).solve();
        let expected = statement.scores.as_ref().unwrap()[0];
        assert_eq!(score.determined(0), Some(crate::disclosure::felt(expected)));
        let score_cell = target::score_cell(&statement);
        let in_features = equations
            .in_unknowns(FEATURES, |row| match row {
                _ if row < tail => score_cell.clone(),
                _ => Cell::known(BaseElement::ZERO),
            })
            .solve();
        assert!(in_features.consistent);
        assert_eq!(in_features.rank, 1);
    }

    #[test]
    fn a_masked_proof_defeats_the_naive_attack() {
        let q = features();
        let (statement, _, proof) = target::prove(&q, &mut masked());
        let transcript = target::transcript(&proof, &statement);
        let column = target::range_column(&statement);
        let equations = target::equations(&proof, &transcript, column);
        // What the unmasked attack assumes: the honest trace with a zero tail.
        let (_, unmasked, _) = target::prove(&q, &mut zero);
        let assumed = target::cells(&unmasked, column);
        let system = equations.with_unknown_rows(&target::feature_rows(), |t| assumed[t]);
        let solution = system.solve();
        let right = |solution: &Solution| {
            (0..FEATURES)
                .filter(|&f| solution.determined(f) == Some(BaseElement::from(q[f])))
                .count()
        };
        // A square subsystem always has an answer: it is wrong.
        let square = system.first(FEATURES).solve();
        println!(
            "masked, naive: {} equations, {} unknowns, rank {}, consistent {}, {} features \
             right; first {FEATURES} equations: rank {}, {} features right",
            system.equations(),
            system.unknowns,
            solution.rank,
            solution.consistent,
            right(&solution),
            square.rank,
            right(&square)
        );
        assert!(!solution.consistent || right(&solution) < FEATURES);
        assert_eq!(right(&solution), 0);
        assert_eq!(right(&square), 0);
    }

    /// A column under the structure-aware attack: its revealed values, and its real-row cells
    /// as affine functions of the features (unknowns `0..FEATURES`).
    struct Target<'a> {
        equations: ColumnEquations,
        cell: Box<dyn Fn(usize) -> Cell + 'a>,
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

    /// The structure-aware attack on the columns `targets` of a masked proof, jointly: the
    /// unknowns are the features plus every column's random tail rows, every other cell known.
    /// Asserts that the random rows alone absorb the openings (rank = number of equations =
    /// rank on the random rows), that the solution space projects onto every assignment of
    /// the features, and that the features fixed to `other` leave the system consistent.
    fn assert_hides(targets: &[Target], other: &[BaseElement]) -> Hiding {
        let n = targets[0].equations.trace_length;
        let tail = target::random_rows(n).start;
        let r = n - tail;
        let unknowns = FEATURES + r * targets.len();
        let tail_unknown = |i: usize, t: usize| FEATURES + r * i + t - tail;
        let systems: Vec<System> = (targets.iter().enumerate())
            .map(|(i, target)| {
                target.equations.in_unknowns(unknowns, |t| match t {
                    _ if t >= tail => Cell::unknown(tail_unknown(i, t)),
                    _ => (target.cell)(t),
                })
            })
            .collect();
        let system = System::stack(&systems);
        let solution = system.solve();
        let random: Vec<usize> = (FEATURES..unknowns).collect();
        let features: Vec<usize> = (0..FEATURES).collect();
        let hiding = Hiding {
            equations: system.equations(),
            unknowns,
            rank: solution.rank,
            random_rank: rank(&system.restricted_to(&random).rows, random.len()),
            projected: solution.projected_dimension(&features),
        };
        assert!(solution.consistent);
        assert_eq!(hiding.rank, hiding.equations, "{hiding:?}");
        assert_eq!(hiding.random_rank, hiding.equations, "{hiding:?}");
        assert_eq!(hiding.projected, FEATURES, "{hiding:?}");
        // The features fixed to another input: the tails alone explain the openings.
        let fixed: Vec<System> = (targets.iter().enumerate())
            .map(|(i, target)| {
                target.equations.in_unknowns(unknowns, |t| {
                    if t >= tail {
                        return Cell::unknown(tail_unknown(i, t));
                    }
                    let cell = (target.cell)(t);
                    let value =
                        (cell.terms.iter()).fold(cell.constant, |acc, &(u, k)| acc + k * other[u]);
                    Cell::known(value)
                })
            })
            .collect();
        let explained = System::stack(&fixed).solve();
        assert!(explained.consistent, "not consistent with another input");
        hiding
    }

    #[test]
    fn a_masked_proof_is_consistent_with_any_input() {
        let q = features();
        let (statement, trace, proof) = target::prove(&q, &mut masked());
        let transcript = target::transcript(&proof, &statement);
        let other = felts(&other_features());
        let equations = |column| target::equations(&proof, &transcript, column);

        // The range-check column: features on their rows, the other real cells known (even
        // taken from the real trace).
        let column = target::range_column(&statement);
        let cells = target::cells(&trace, column);
        let rows = target::feature_rows();
        let range = || Target {
            equations: equations(column),
            cell: Box::new(|t| match rows.iter().position(|&row| row == t) {
                Some(f) => Cell::unknown(f),
                None => Cell::known(cells[t]),
            }),
        };
        let hiding = assert_hides(&[range()], &other);
        println!(
            "masked, structure-aware, range-check column: {} equations, {} unknowns \
             ({} random rows, n = {}), rank {}, rank on the random rows alone {}, features' \
             projected dimension {}",
            hiding.equations,
            hiding.unknowns,
            hiding.unknowns - FEATURES,
            proof.trace_info().length(),
            hiding.rank,
            hiding.random_rank,
            hiding.projected
        );

        // Every feature's own column, and the score column.
        let feature = |f: usize| Target {
            equations: equations(target::feature_column(&statement, f)),
            cell: Box::new(move |_| Cell::unknown(f)),
        };
        let score_cell = target::score_cell(&statement);
        let score = || Target {
            equations: equations(target::score_column(&statement)),
            cell: Box::new(|_| score_cell.clone()),
        };
        for f in 0..FEATURES {
            assert_hides(&[feature(f)], &other);
        }
        assert_hides(&[score()], &other);
        // Several columns at once, sharing the feature unknowns.
        let joint = assert_hides(
            &[range(), score(), feature(0), feature(FEATURES - 1)],
            &other,
        );
        println!("masked, structure-aware, four columns jointly: {joint:?}");
    }

    #[test]
    fn fresh_randomness_gives_a_different_proof() {
        let q = features();
        let (statement, _, a) = target::prove(&q, &mut crate::testing::rng(1));
        let (_, _, b) = target::prove(&q, &mut crate::testing::rng(2));
        assert_ne!(a.to_bytes(), b.to_bytes());
        let column = target::range_column(&statement);
        let (ta, tb) = (
            target::transcript(&a, &statement),
            target::transcript(&b, &statement),
        );
        let (ea, eb) = (
            target::equations(&a, &ta, column),
            target::equations(&b, &tb, column),
        );
        assert_ne!(ea.values, eb.values);
    }
}
