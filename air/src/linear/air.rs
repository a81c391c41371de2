use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{FieldElement, ToElements};
use winterfell::{
    Air, AirContext, Assertion, EvaluationFrame, ProofOptions, TraceInfo,
    TransitionConstraintDegree,
};

use super::{ACC, BITS, COMPARISON_ROWS, FEATURE_BITS, X};
use crate::zk::ZkParams;

/// A claim `Σ_c coefficients[c]·score_c + offset ∈ [0, 2^48)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub coefficients: Vec<i64>,
    pub offset: i64,
}

/// The public statement: the model's integer weights and biases, the disclosed scores (if the
/// policy reveals them), the comparisons the disclosed output rests on, and the caller's
/// context digest. No constraint reads the context: it binds the proof because the public
/// inputs seed the Fiat–Shamir transcript, so a proof made under one context fails under any
/// other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearPublicInputs {
    /// A digest of the caller's context (e.g. a server nonce and origin), as field elements.
    pub context: [BaseElement; 4],
    /// `weights[c][f]`.
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
    pub scores: Option<Vec<i64>>,
    pub comparisons: Vec<Comparison>,
}

impl LinearPublicInputs {
    pub fn num_features(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }

    pub fn num_scores(&self) -> usize {
        self.bias.len()
    }

    /// The row where comparison `j` starts.
    pub fn comparison_start(&self, j: usize) -> usize {
        self.num_features() + COMPARISON_ROWS * j
    }

    /// The column holding the assembled compared value.
    pub fn cmp_column(&self) -> usize {
        ACC + self.num_scores()
    }

    /// The first zero-knowledge mask column: `A_1..A_k`, then `B`, then the DEEP masks.
    pub fn mask_column(&self) -> usize {
        self.cmp_column() + 1
    }

    pub fn trace_width(&self, zk: &ZkParams) -> usize {
        self.mask_column() + zk.quotient_mask_columns + 1 + zk.deep_mask_columns
    }

    /// Rows of computation: the features, the comparisons, and one more, because the last row
    /// before the random rows is only ever a transition's *next* row.
    pub fn real_rows(&self) -> usize {
        self.num_features() + COMPARISON_ROWS * self.comparisons.len() + 1
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
        let mut elements = self.context.to_vec();
        elements.push(BaseElement::new(self.num_features() as u64));
        elements.push(BaseElement::new(self.num_scores() as u64));
        elements.extend(self.weights.iter().flatten().map(|&w| felt(w)));
        elements.extend(self.bias.iter().map(|&b| felt(b)));
        match &self.scores {
            Some(scores) => {
                elements.push(BaseElement::ONE);
                elements.extend(scores.iter().map(|&s| felt(s)));
            }
            None => elements.push(BaseElement::ZERO),
        }
        elements.push(BaseElement::new(self.comparisons.len() as u64));
        for comparison in &self.comparisons {
            elements.extend(comparison.coefficients.iter().map(|&c| felt(c)));
            elements.push(felt(comparison.offset));
        }
        elements
    }
}

pub struct LinearAir {
    context: AirContext<BaseElement>,
    inputs: LinearPublicInputs,
    zk: ZkParams,
}

impl Air for LinearAir {
    type BaseField = BaseElement;
    type PublicInputs = LinearPublicInputs;

    fn new(trace_info: TraceInfo, inputs: LinearPublicInputs, options: ProofOptions) -> Self {
        let n = trace_info.length();
        let mut degrees = vec![TransitionConstraintDegree::new(2); FEATURE_BITS];
        degrees.push(TransitionConstraintDegree::new(1));
        // The accumulators, the chunk assembly and the end-of-comparison check each multiply
        // a trace value by one full-length periodic column.
        degrees.extend(
            (0..inputs.num_scores() + 2)
                .map(|_| TransitionConstraintDegree::with_cycles(1, vec![n])),
        );
        // The quotient mask: A_i · B = 0.
        let zk = ZkParams::for_options(&options);
        degrees.extend((0..zk.quotient_mask_columns).map(|_| TransitionConstraintDegree::new(2)));
        let disclosed = inputs.scores.as_ref().map_or(0, Vec::len);
        let assertions = inputs.num_scores() + disclosed;
        let context = AirContext::new(trace_info, degrees, assertions, options)
            .set_num_transition_exemptions(zk.transition_exemptions());
        LinearAir {
            context,
            inputs,
            zk,
        }
    }

    fn context(&self) -> &AirContext<BaseElement> {
        &self.context
    }

    fn evaluate_transition<E: FieldElement<BaseField = BaseElement>>(
        &self,
        frame: &EvaluationFrame<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        let (current, next) = (frame.current(), frame.next());
        let k = self.inputs.num_scores();
        let (weights, rest) = periodic.split_at(k);
        let (end_coefficients, rest) = rest.split_at(k);
        let [next_start, next_scale, end, end_offset] = [rest[0], rest[1], rest[2], rest[3]];
        let cmp = self.inputs.cmp_column();
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
        result[FEATURE_BITS + 1 + k] =
            next[cmp] - (E::ONE - next_start) * current[cmp] - next_scale * next[X];
        let mut target = end_offset;
        for (c, &coefficient) in end_coefficients.iter().enumerate() {
            target += coefficient * current[ACC + c];
        }
        result[FEATURE_BITS + 2 + k] = end * current[cmp] - target;
        let masks = self.inputs.mask_column();
        let b = current[masks + self.zk.quotient_mask_columns];
        for i in 0..self.zk.quotient_mask_columns {
            result[FEATURE_BITS + 3 + k + i] = current[masks + i] * b;
        }
    }

    fn get_assertions(&self) -> Vec<Assertion<BaseElement>> {
        let last = self.inputs.num_features();
        let mut assertions: Vec<_> = (self.inputs.bias.iter().enumerate())
            .map(|(c, &bias)| Assertion::single(ACC + c, 0, felt(bias)))
            .collect();
        if let Some(scores) = &self.inputs.scores {
            for (c, &score) in scores.iter().enumerate() {
                assertions.push(Assertion::single(ACC + c, last, felt(score)));
            }
        }
        assertions
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<BaseElement>> {
        let n = self.trace_length();
        let inputs = &self.inputs;
        let column = || vec![BaseElement::ZERO; n];
        let mut weights: Vec<Vec<BaseElement>> = inputs
            .weights
            .iter()
            .map(|row| {
                let mut column: Vec<BaseElement> = row.iter().map(|&w| felt(w)).collect();
                column.resize(n, BaseElement::ZERO);
                column
            })
            .collect();
        let mut end_coefficients = vec![column(); inputs.num_scores()];
        let (mut next_start, mut next_scale, mut end, mut end_offset) =
            (column(), column(), column(), column());
        for (j, comparison) in inputs.comparisons.iter().enumerate() {
            let start = inputs.comparison_start(j);
            // Values at row i describe row i + 1 (the frame's next row).
            next_start[start - 1] = BaseElement::ONE;
            for chunk in 0..COMPARISON_ROWS {
                next_scale[start + chunk - 1] = BaseElement::new(1 << (16 * chunk));
            }
            let last = start + COMPARISON_ROWS - 1;
            end[last] = BaseElement::ONE;
            end_offset[last] = felt(comparison.offset);
            for (c, &coefficient) in comparison.coefficients.iter().enumerate() {
                end_coefficients[c][last] = felt(coefficient);
            }
        }
        weights.extend(end_coefficients);
        weights.extend([next_start, next_scale, end, end_offset]);
        weights
    }
}
