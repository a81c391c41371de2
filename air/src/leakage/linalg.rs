//! Linear systems over the base field: Gaussian elimination, solution spaces and ranks.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;

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
    let mut echelon = Echelon::new(width);
    echelon.extend(rows);
    echelon.rank()
}

/// A row-echelon basis of a space of rows, built one row at a time: its rank, and whether a row
/// lies in the span, without re-eliminating.
pub struct Echelon {
    width: usize,
    /// Reduced rows, each with a leading one in its pivot column and zeros in every other
    /// row's pivot column.
    rows: Vec<(usize, Vec<BaseElement>)>,
}

impl Echelon {
    pub fn new(width: usize) -> Echelon {
        Echelon {
            width,
            rows: Vec::new(),
        }
    }

    pub fn rank(&self) -> usize {
        self.rows.len()
    }

    /// `row` less its projection on the basis.
    fn reduce(&self, row: &[BaseElement]) -> Vec<BaseElement> {
        assert_eq!(row.len(), self.width);
        let mut row = row.to_vec();
        for (pivot, basis) in &self.rows {
            let factor = row[*pivot];
            if factor != BaseElement::ZERO {
                row.iter_mut()
                    .zip(basis)
                    .for_each(|(v, &b)| *v -= factor * b);
            }
        }
        row
    }

    /// Adds `row` to the span; whether it was new.
    pub fn insert(&mut self, row: &[BaseElement]) -> bool {
        let mut row = self.reduce(row);
        let Some(pivot) = row.iter().position(|&v| v != BaseElement::ZERO) else {
            return false;
        };
        let inverse = row[pivot].inv();
        row.iter_mut().for_each(|v| *v *= inverse);
        for (_, basis) in self.rows.iter_mut() {
            let factor = basis[pivot];
            if factor != BaseElement::ZERO {
                basis
                    .iter_mut()
                    .zip(&row)
                    .for_each(|(b, &r)| *b -= factor * r);
            }
        }
        self.rows.push((pivot, row));
        true
    }

    pub fn extend<'r>(&mut self, rows: impl IntoIterator<Item = &'r Vec<BaseElement>>) {
        for row in rows {
            self.insert(row);
        }
    }

    /// Whether every row of `rows` lies in the span.
    pub fn spans(&self, rows: &[Vec<BaseElement>]) -> bool {
        rows.iter()
            .all(|row| self.reduce(row).iter().all(|&v| v == BaseElement::ZERO))
    }
}
