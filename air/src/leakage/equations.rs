//! What a proof reveals about one trace column, as linear equations over its cells: a main
//! column's `n` base-field cells, or the auxiliary column's `k·n` base coordinates.

use winterfell::crypto::VectorCommitment;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::fields::{CubeExtension, QuadExtension};
use winterfell::math::{FieldElement, StarkField};
use winterfell::{FieldExtension, Proof};

use super::linalg::System;
use super::transcript::Transcript;
use crate::prover::Hash;

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

/// What `proof` reveals about the auxiliary column (the lookup's running sum), as equations over
/// its cells' base coordinates: cell `c·n + t` is coordinate `c` of row `t`. An opening at a
/// base-field `x_q` gives one equation per coordinate; `T(z) = Σ_t v_t·L_t(z)` mixes them.
pub fn aux_equations<VC: VectorCommitment<Hash>>(
    proof: &Proof,
    transcript: &Transcript,
) -> ColumnEquations {
    match proof.options().field_extension() {
        FieldExtension::Quadratic => {
            aux_equations_in::<QuadExtension<BaseElement>, VC>(proof, transcript)
        }
        FieldExtension::Cubic => {
            aux_equations_in::<CubeExtension<BaseElement>, VC>(proof, transcript)
        }
        FieldExtension::None => unreachable!("zero knowledge needs an extension field"),
    }
}

fn aux_equations_in<E, VC>(proof: &Proof, transcript: &Transcript) -> ColumnEquations
where
    E: FieldElement<BaseField = BaseElement>,
    VC: VectorCommitment<Hash>,
{
    let info = proof.trace_info();
    let (n, k) = (info.length(), E::EXTENSION_DEGREE);
    let lde = proof.lde_domain_size();
    let (_, table) = proof.trace_queries[1]
        .clone()
        .parse::<E, Hash, VC>(lde, transcript.positions.len(), info.aux_segment_width())
        .expect("the auxiliary queries parse");
    let offset: BaseElement = proof.options().domain_offset();
    let g_lde = BaseElement::get_root_of_unity(lde.ilog2());
    let mut equations = ColumnEquations {
        trace_length: k * n,
        rows: Vec::new(),
        values: Vec::new(),
        sources: Vec::new(),
    };
    for (i, &position) in transcript.positions.iter().enumerate() {
        let basis = lagrange(offset * g_lde.exp(position as u64), n);
        let value = table.get_row(i)[0];
        for c in 0..k {
            let mut row = vec![BaseElement::ZERO; k * n];
            row[c * n..(c + 1) * n].copy_from_slice(&basis);
            equations.rows.push(row);
            equations.values.push(value.base_element(c));
            equations.sources.push(Source::Query(position));
        }
    }
    let points = ood_points::<E>(proof, transcript, info.main_trace_width());
    // The basis of the extension over the base field: e_c has coordinate c one.
    let unit = |c: usize| {
        let mut coordinates = vec![BaseElement::ZERO; k];
        coordinates[c] = BaseElement::ONE;
        E::slice_from_base_elements(&coordinates)[0]
    };
    for (next, y, value) in points {
        let basis = lagrange(y, n);
        for coordinate in 0..k {
            let mut row = Vec::with_capacity(k * n);
            for c in 0..k {
                row.extend(
                    basis
                        .iter()
                        .map(|&l| (unit(c) * l).base_element(coordinate)),
                );
            }
            equations.rows.push(row);
            equations.values.push(value.base_element(coordinate));
            equations.sources.push(Source::Ood { next, coordinate });
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
    let n = proof.trace_info().length();
    let points = ood_points::<E>(proof, transcript, column);
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

/// `(next, y, T(y))` for `y = z` and `y = g·z`: trace column `column`'s out-of-domain values
/// (the main columns first, then the auxiliary ones).
fn ood_points<E: FieldElement<BaseField = BaseElement>>(
    proof: &Proof,
    transcript: &Transcript,
    column: usize,
) -> [(bool, E, E); 2] {
    let info = proof.trace_info();
    let z = E::slice_from_base_elements(&transcript.z)[0];
    let omega = BaseElement::get_root_of_unity(info.length().ilog2());
    let (frame, _) = (proof.ood_frame.clone())
        .parse::<E>(
            info.main_trace_width(),
            info.aux_segment_width(),
            transcript.quotient_columns,
        )
        .expect("the OOD frame parses");
    [
        (false, z, frame.current_row()[column]),
        (true, z * E::from(omega), frame.next_row()[column]),
    ]
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
