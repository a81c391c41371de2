use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{FieldElement, ToElements};
use winterfell::{
    Air, AirContext, Assertion, EvaluationFrame, ProofOptions, TraceInfo,
    TransitionConstraintDegree,
};

use super::{ACC, BITS, FEATURE_BITS, X};

/// The public statement: the model's integer weights and biases, and the disclosed scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearPublicInputs {
    /// `weights[c][f]`.
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
    pub scores: Vec<i64>,
}

impl LinearPublicInputs {
    pub fn num_features(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }

    pub fn num_scores(&self) -> usize {
        self.bias.len()
    }
}

/// A signed integer as a field element.
pub fn felt(v: i64) -> BaseElement {
    let magnitude = BaseElement::new(v.unsigned_abs());
    if v < 0 {
        -magnitude
    } else {
        magnitude
    }
}

impl ToElements<BaseElement> for LinearPublicInputs {
    fn to_elements(&self) -> Vec<BaseElement> {
        let mut elements = vec![
            BaseElement::new(self.num_features() as u64),
            BaseElement::new(self.num_scores() as u64),
        ];
        elements.extend(self.weights.iter().flatten().map(|&w| felt(w)));
        elements.extend(self.bias.iter().map(|&b| felt(b)));
        elements.extend(self.scores.iter().map(|&s| felt(s)));
        elements
    }
}

pub struct LinearAir {
    context: AirContext<BaseElement>,
    inputs: LinearPublicInputs,
}

impl Air for LinearAir {
    type BaseField = BaseElement;
    type PublicInputs = LinearPublicInputs;

    fn new(trace_info: TraceInfo, inputs: LinearPublicInputs, options: ProofOptions) -> Self {
        let n = trace_info.length();
        let mut degrees = vec![TransitionConstraintDegree::new(2); FEATURE_BITS];
        degrees.push(TransitionConstraintDegree::new(1));
        degrees.extend(
            (0..inputs.num_scores()).map(|_| TransitionConstraintDegree::with_cycles(1, vec![n])),
        );
        let assertions = 2 * inputs.num_scores();
        LinearAir {
            context: AirContext::new(trace_info, degrees, assertions, options),
            inputs,
        }
    }

    fn context(&self) -> &AirContext<BaseElement> {
        &self.context
    }

    fn evaluate_transition<E: FieldElement<BaseField = BaseElement>>(
        &self,
        frame: &EvaluationFrame<E>,
        weights: &[E],
        result: &mut [E],
    ) {
        let (current, next) = (frame.current(), frame.next());
        let mut recomposed = E::ZERO;
        let mut power = E::ONE;
        for j in 0..FEATURE_BITS {
            let bit = current[BITS + j];
            result[j] = bit * (bit - E::ONE);
            recomposed += bit * power;
            power = power.double();
        }
        result[FEATURE_BITS] = current[X] - recomposed;
        for (c, &weight) in weights.iter().enumerate() {
            result[FEATURE_BITS + 1 + c] = next[ACC + c] - current[ACC + c] - weight * current[X];
        }
    }

    fn get_assertions(&self) -> Vec<Assertion<BaseElement>> {
        let last = self.inputs.num_features();
        let mut assertions = Vec::new();
        for (c, (&bias, &score)) in self.inputs.bias.iter().zip(&self.inputs.scores).enumerate() {
            assertions.push(Assertion::single(ACC + c, 0, felt(bias)));
            assertions.push(Assertion::single(ACC + c, last, felt(score)));
        }
        assertions
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<BaseElement>> {
        let n = self.trace_length();
        self.inputs
            .weights
            .iter()
            .map(|row| {
                let mut column: Vec<BaseElement> = row.iter().map(|&w| felt(w)).collect();
                column.resize(n, BaseElement::ZERO);
                column
            })
            .collect()
    }
}
