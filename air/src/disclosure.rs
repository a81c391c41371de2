//! Disclosure by comparisons, shared by zkinfer's AIRs.
//!
//! Every disclosure policy is a list of claims `Σ_c coef_c·score_c + offset ∈ [0, 2^48)`: a
//! binary class is the sign of the score, a multiclass class beats every other score (ties to
//! the first), a threshold bit is `score ≥ T` or `score < T`. As every score is below `2^46` in
//! magnitude, no such value wraps around the field.
//!
//! Each comparison takes [`COMPARISON_ROWS`] rows. On them the host's base-4 digits decompose
//! the value's three 16-bit chunks `r` (the host's `x` holds them too), and the block's one
//! column, `cmp`, assembles them: `cmp' = (1 − start')·cmp + scale'·r'` (start, and the chunk
//! scales 1, 2^16, 2^32, of the next row, periodic). The chunks are the digits' value rather
//! than `x`, which may also be the missing-feature code where features can be missing. On the
//! comparison's last row, `end·(cmp − Σ_c coef_c·score_c − offset) = 0`, with the host's score
//! cells of that row.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::TransitionConstraintDegree;

/// Rows per comparison: three 16-bit chunks hold any value below `2^48`.
pub const COMPARISON_ROWS: usize = 3;
/// Bits of a compared value.
pub const COMPARISON_BITS: u32 = 48;

/// The names of the block's two constraints, in the order [`Disclosure::enforce`] writes them:
/// `cmp` assembles the chunks, and equals the compared value on a comparison's last row.
pub const CONSTRAINT_LABELS: [&str; 2] = ["disclosure.assemble", "disclosure.end"];

/// A claim `Σ_c coefficients[c]·score_c + offset ∈ [0, 2^48)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub coefficients: Vec<i64>,
    pub offset: i64,
}

impl Comparison {
    /// The compared value for `scores`, if the claim holds.
    pub fn value(&self, scores: &[i64]) -> Option<u64> {
        let value: i128 = self.offset as i128
            + (self.coefficients.iter().zip(scores))
                .map(|(&a, &s)| a as i128 * s as i128)
                .sum::<i128>();
        (0..1i128 << COMPARISON_BITS)
            .contains(&value)
            .then_some(value as u64)
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

/// A field element holding a small signed integer, as that integer: [`felt`]'s inverse.
pub(crate) fn as_i64(value: BaseElement) -> i64 {
    let v = value.as_int();
    if v > u64::MAX / 2 {
        -((BaseElement::ZERO - value).as_int() as i64)
    } else {
        v as i64
    }
}

/// The comparison block: `comparisons` from row `first_row`, over `num_scores` scores.
pub struct Disclosure<'a> {
    pub comparisons: &'a [Comparison],
    pub num_scores: usize,
    pub first_row: usize,
}

impl Disclosure<'_> {
    pub fn rows(&self) -> usize {
        COMPARISON_ROWS * self.comparisons.len()
    }

    pub fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        vec![TransitionConstraintDegree::with_cycles(1, vec![trace_length]); 2]
    }

    pub fn num_periodic_columns(&self) -> usize {
        self.num_scores + 4
    }

    /// The end coefficients (one column per score), then start', scale', end and the offset.
    pub fn periodic_columns(&self, trace_length: usize) -> Vec<Vec<BaseElement>> {
        let column = || vec![BaseElement::ZERO; trace_length];
        let mut coefficients = vec![column(); self.num_scores];
        let (mut next_start, mut next_scale, mut end, mut end_offset) =
            (column(), column(), column(), column());
        for (j, comparison) in self.comparisons.iter().enumerate() {
            let start = self.first_row + COMPARISON_ROWS * j;
            // Values at row i describe row i + 1 (the frame's next row).
            next_start[start - 1] = BaseElement::ONE;
            for chunk in 0..COMPARISON_ROWS {
                next_scale[start + chunk - 1] = BaseElement::new(1 << (16 * chunk));
            }
            let last = start + COMPARISON_ROWS - 1;
            end[last] = BaseElement::ONE;
            end_offset[last] = felt(comparison.offset);
            for (c, &coefficient) in comparison.coefficients.iter().enumerate() {
                coefficients[c][last] = felt(coefficient);
            }
        }
        coefficients.extend([next_start, next_scale, end, end_offset]);
        coefficients
    }

    /// Writes the block's two constraints: `cmp` on both rows, the value the host's digits
    /// decompose on the next row, the host's score cells on the current row.
    pub fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        cmp: E,
        next_cmp: E,
        next_chunk: E,
        scores: &[E],
        periodic: &[E],
        result: &mut [E],
    ) {
        let (coefficients, rest) = periodic.split_at(self.num_scores);
        let [next_start, next_scale, end, offset] = [rest[0], rest[1], rest[2], rest[3]];
        result[0] = next_cmp - (E::ONE - next_start) * cmp - next_scale * next_chunk;
        let target = (coefficients.iter().zip(scores))
            .fold(offset, |acc, (&coefficient, &score)| {
                acc + coefficient * score
            });
        result[1] = end * cmp - target;
    }

    /// The honest chunks (the host's `x` on the comparison rows) and `cmp` column from
    /// `first_row`, for `scores`; `None` if a claim does not hold.
    pub fn fill(&self, scores: &[i64]) -> Option<(Vec<u16>, Vec<BaseElement>)> {
        let mut chunks = Vec::with_capacity(self.rows());
        let mut assembled = Vec::with_capacity(self.rows());
        for comparison in self.comparisons {
            let value = comparison.value(scores)?;
            let mut cmp = 0u64;
            for chunk in 0..COMPARISON_ROWS {
                let part = (value >> (16 * chunk)) as u16;
                cmp += (part as u64) << (16 * chunk);
                chunks.push(part);
                assembled.push(BaseElement::new(cmp));
            }
        }
        Some((chunks, assembled))
    }
}
