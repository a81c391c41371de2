use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TransitionConstraintDegree;

use super::walk::{Ensemble, Walk, WalkError};
use crate::disclosure::felt;
use crate::inference::{Body, Host, HostRow, InferenceAir, Statement};
use crate::input::Feature;

/// A tree ensemble's public data and its walk: the body of [`crate::inference`] for trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeBody {
    ensemble: Ensemble,
    walk: Walk,
}

pub type TreeStatement = Statement<TreeBody>;
pub type TreeAir = InferenceAir<TreeBody>;

impl TreeBody {
    /// The body for `ensemble`, or why it cannot be walked (the verifier builds this from a
    /// public model: malformed models are errors, never panics).
    pub fn new(ensemble: Ensemble) -> Result<TreeBody, WalkError> {
        let walk = Walk::new(&ensemble)?;
        Ok(TreeBody { ensemble, walk })
    }

    pub fn ensemble(&self) -> &Ensemble {
        &self.ensemble
    }

    pub fn walk(&self) -> &Walk {
        &self.walk
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
        self.walk.num_rows()
    }

    fn reads(&self, row: usize) -> Option<usize> {
        Some(self.walk.feature_of_row(row))
    }

    fn width(&self) -> usize {
        self.walk.num_columns()
    }

    fn scores_column(&self) -> usize {
        self.walk.acc(0)
    }

    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        self.walk.constraint_degrees(trace_length)
    }

    fn constraint_labels(&self) -> Vec<String> {
        self.walk.constraint_labels()
    }

    fn initial_value_labels(&self) -> Vec<String> {
        (0..self.walk.num_scores())
            .map(|c| format!("trees.initial[{c}]"))
            .collect()
    }

    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        self.walk.periodic_columns(first_row, trace_length)
    }

    fn num_periodic_columns(&self) -> usize {
        self.walk.num_periodic_columns()
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
        (self.walk).enforce(current, next, x, d, m, periodic, result);
    }

    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        (self.walk.initial_scores().iter().enumerate())
            .map(|(c, &score)| (self.walk.acc(c), felt(score)))
            .collect()
    }

    fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        self.walk.fill(q, first_row, last_row, columns)
    }

    fn num_fractions(&self) -> usize {
        self.walk.num_fractions()
    }

    fn fractions<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        host: Host<E>,
        periodic: &[E],
        out: &mut [(E, E)],
    ) {
        let host = (host.x, host.halves, host.missing);
        self.walk.fractions(current, host, periodic, out);
    }

    fn table_rows(&self) -> usize {
        self.walk.table_rows()
    }

    fn host_rows(&self, q: &[Feature]) -> Vec<HostRow> {
        (self.walk.host_values(q).into_iter())
            .map(|(x, decomposed)| HostRow { x, decomposed })
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
