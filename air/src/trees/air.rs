use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement};
use winterfell::TransitionConstraintDegree;

use super::path::Path;
use super::walk::{Ensemble, Walk, WalkError};
use crate::disclosure::felt;
use crate::inference::{estimated_cells, Body, Host, HostRow, InferenceAir, Statement};
use crate::input::{feature_element, Feature};

/// A tree ensemble's public data and its layout: the body of [`crate::inference`] for trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeBody {
    ensemble: Ensemble,
    walk: Walk,
    /// The path layout, which the body uses whenever the ensemble allows it.
    path: Option<Path>,
}

pub type TreeStatement = Statement<TreeBody>;
pub type TreeAir = InferenceAir<TreeBody>;

impl TreeBody {
    /// The body for `ensemble`, or why it cannot be walked (the verifier builds this from a
    /// public model: malformed models are errors, never panics). It proves in the path layout
    /// ([`super::path`]) when the ensemble has no categorical split, every leaf adds to one
    /// score and the path takes fewer cells ([`estimated_cells`](crate::inference::estimated_cells): a lone decision tree's walk is
    /// narrower in the same 256 rows), and in the walk layout ([`super::walk`]) otherwise.
    pub fn new(ensemble: Ensemble) -> Result<TreeBody, WalkError> {
        let mut body = Self::pathing(ensemble)?;
        let cells = |rows, table_rows, width| {
            estimated_cells(body.ensemble.num_features, rows, table_rows, width)
        };
        let walk = &body.walk;
        let walk_cells = cells(walk.num_rows(), walk.table_rows(), walk.num_columns());
        let larger = (body.path.as_ref())
            .is_some_and(|p| cells(p.num_rows(), p.table_rows(), p.num_columns()) >= walk_cells);
        if larger {
            body.path = None;
        }
        Ok(body)
    }

    /// The body for `ensemble` in the path layout whenever the ensemble allows it, even where
    /// the walk would take fewer cells (as tests of the path layout on small ensembles need).
    pub(crate) fn pathing(ensemble: Ensemble) -> Result<TreeBody, WalkError> {
        let walk = Walk::new(&ensemble)?;
        let path = Path::new(&ensemble, &walk);
        Ok(TreeBody {
            ensemble,
            walk,
            path,
        })
    }

    /// The body for `ensemble` in the walk layout, whatever the ensemble (tests compare the
    /// layouts; a verifier always takes [`TreeBody::new`]'s).
    #[cfg(test)]
    pub(crate) fn walking(ensemble: Ensemble) -> Result<TreeBody, WalkError> {
        let mut body = Self::pathing(ensemble)?;
        body.path = None;
        Ok(body)
    }

    pub fn ensemble(&self) -> &Ensemble {
        &self.ensemble
    }

    /// The walk: the layout proved unless there is a [`path`](Self::path).
    pub fn walk(&self) -> &Walk {
        &self.walk
    }

    /// The path layout, when the body proves in it.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_ref()
    }
}

impl Body for TreeBody {
    fn num_features(&self) -> usize {
        self.ensemble.num_features
    }

    fn num_scores(&self) -> usize {
        self.ensemble.num_scores
    }

    fn accepts_missing(&self) -> bool {
        self.ensemble.missing
    }

    fn rows(&self) -> usize {
        match &self.path {
            Some(path) => path.num_rows(),
            None => self.walk.num_rows(),
        }
    }

    fn reads(&self, row: usize) -> Option<usize> {
        match &self.path {
            // Every step reads; which feature is private (the index is a placeholder).
            Some(_) => Some(0),
            None => Some(self.walk.feature_of_row(row)),
        }
    }

    fn private_reads(&self) -> bool {
        self.path.is_some()
    }

    fn width(&self) -> usize {
        match &self.path {
            Some(path) => path.num_columns(),
            None => self.walk.num_columns(),
        }
    }

    fn scores_column(&self) -> usize {
        match &self.path {
            Some(path) => path.acc(0),
            None => self.walk.acc(0),
        }
    }

    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        match &self.path {
            Some(path) => path.constraint_degrees(trace_length),
            None => self.walk.constraint_degrees(trace_length),
        }
    }

    fn constraint_labels(&self) -> Vec<String> {
        match &self.path {
            Some(path) => path.constraint_labels(),
            None => self.walk.constraint_labels(),
        }
    }

    fn initial_value_labels(&self) -> Vec<String> {
        (0..self.walk.num_scores())
            .map(|c| format!("trees.initial[{c}]"))
            .collect()
    }

    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        match &self.path {
            Some(path) => path.periodic_columns(first_row, trace_length),
            None => self.walk.periodic_columns(first_row, trace_length),
        }
    }

    fn num_periodic_columns(&self) -> usize {
        match &self.path {
            Some(path) => path.num_periodic_columns(),
            None => self.walk.num_periodic_columns(),
        }
    }

    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        host: Host<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        let (x, d, m) = (host.x, host.decomposed, host.missing);
        match &self.path {
            Some(path) => path.enforce(current, next, x, d, m, periodic, result),
            None => (self.walk).enforce(current, next, x, d, m, periodic, result),
        }
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        let acc = self.scores_column();
        (self.walk.initial_scores().iter().enumerate())
            .map(|(c, &score)| (acc + c, felt(score)))
            .collect()
    }

    fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        match &self.path {
            Some(path) => path.fill(q, first_row, last_row, columns),
            None => self.walk.fill(q, first_row, last_row, columns),
        }
    }

    fn num_fractions(&self) -> usize {
        match &self.path {
            Some(path) => path.num_fractions(),
            None => self.walk.num_fractions(),
        }
    }

    fn fractions<F, E>(
        &self,
        current: &[F],
        host: Host<F>,
        periodic: &[F],
        rand: &[E],
        out: &mut [(F, E)],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        match &self.path {
            Some(path) => path.fractions(current, periodic, rand, out),
            None => {
                let host = (host.x, host.halves, host.missing);
                self.walk.fractions(current, host, periodic, out);
            }
        }
    }

    fn feature_read<F: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[F],
        periodic: &[F],
        id: F,
        c: F,
    ) -> (F, F) {
        match &self.path {
            Some(path) => path.feature_read(current, periodic, id, c),
            None => (id, c),
        }
    }

    fn table_rows(&self) -> usize {
        match &self.path {
            Some(path) => path.table_rows(),
            None => self.walk.table_rows(),
        }
    }

    fn host_rows(&self, q: &[Feature]) -> Vec<HostRow> {
        let values = match &self.path {
            Some(path) => path.host_values(q),
            None => self.walk.host_values(q),
        };
        (values.into_iter())
            .map(|(x, decomposed)| HostRow {
                x: feature_element(x),
                decomposed,
            })
            .collect()
    }

    fn to_elements(&self) -> Vec<BaseElement> {
        let count = |n: usize| BaseElement::new(n as u64);
        let ensemble = &self.ensemble;
        let mut elements = vec![count(ensemble.trees.len())];
        elements.extend(ensemble.base.iter().map(|&b| felt(b)));
        for tree in &ensemble.trees {
            elements.push(
                tree.target
                    .map_or(BaseElement::ZERO, |c| count(c as usize + 1)),
            );
            elements.push(count(tree.feature.len()));
            elements.extend(tree.feature.iter().map(|&f| count(f as usize)));
            elements.extend(tree.threshold.iter().map(|&t| felt(t)));
            elements.extend(tree.left.iter().map(|&n| count(n as usize)));
            elements.extend(tree.right.iter().map(|&n| count(n as usize)));
            elements.push(count(tree.leaf_value.len()));
            elements.extend(tree.leaf_value.iter().map(|&v| felt(v)));
        }
        // Appended only when features may be missing: other statements keep their transcript.
        if ensemble.missing {
            elements.push(BaseElement::ONE);
            for tree in &ensemble.trees {
                elements.extend(tree.default_left.iter().map(|&d| BaseElement::from(d)));
            }
        }
        // Likewise when features may be categorical.
        if !ensemble.category_codes.is_empty() {
            elements.push(BaseElement::new(2));
            elements.extend(ensemble.category_codes.iter().map(|&c| count(c as usize)));
            for tree in &ensemble.trees {
                for categories in &tree.categories {
                    let Some(left) = categories else {
                        elements.push(BaseElement::ZERO);
                        continue;
                    };
                    elements.push(count(left.len() + 1));
                    elements.extend(left.iter().map(|&c| BaseElement::from(c)));
                }
            }
        }
        elements
    }
}
