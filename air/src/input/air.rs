use core::ops::Range;

use winterfell::crypto::hashers::Rp64_256;
use winterfell::crypto::ElementHasher;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Assertion, TransitionConstraintDegree};

use super::{feature_element, feature_row, Feature, DIGITS, HEADER_TAG, MISSING, SALT_ELEMENTS};
use crate::rescue::{self, DIGEST_WIDTH, RATE_RANGE, RATE_WIDTH, STATE_WIDTH};

/// The input block of a trace with `num_features` features. Column indices are relative to the
/// block's first column; the host places the block first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputBlock {
    num_features: usize,
    /// Whether features may be missing: then the block has the column `m`.
    missing: bool,
    /// Groups of consecutive features that are one-hot indicators, at most one of them 1: then
    /// the block has the column `g`.
    one_hot: Vec<Range<usize>>,
}

/// What hashed element `e` (on row `e`) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The header: the domain tag and the number of features.
    Header,
    /// Feature `f`.
    Feature(usize),
    /// A salt element: free.
    Salt,
    /// Zero padding of the last chunk.
    Padding,
}

/// Shift columns: `shift[j]` for `j = 1..8` (the message's cell 0 is `x` itself).
const SHIFTS: usize = RATE_WIDTH - 1;

impl InputBlock {
    pub fn new(num_features: usize) -> InputBlock {
        InputBlock {
            num_features,
            missing: false,
            one_hot: Vec::new(),
        }
    }

    /// The block of `num_features` features any of which may be missing.
    pub fn with_missing(num_features: usize) -> InputBlock {
        InputBlock {
            num_features,
            missing: true,
            one_hot: Vec::new(),
        }
    }

    /// The block whose features in each of `groups` (increasing, disjoint, non-empty ranges of
    /// features) are one-hot indicators: each 0 or 1, at most one of a group 1.
    pub fn with_one_hot(mut self, groups: &[Range<usize>]) -> InputBlock {
        assert!(
            super::valid_groups(groups, self.num_features),
            "one-hot groups must be increasing, disjoint, non-empty ranges of features"
        );
        self.one_hot = groups.to_vec();
        self
    }

    /// The one-hot groups.
    pub fn one_hot(&self) -> &[Range<usize>] {
        &self.one_hot
    }

    /// The column `g`, a group's running sum on its rows, when some features are one-hot.
    pub fn group_sum(&self) -> Option<usize> {
        (!self.one_hot.is_empty()).then(|| self.state() + STATE_WIDTH + usize::from(self.missing))
    }

    /// Whether features may be missing.
    pub fn accepts_missing(&self) -> bool {
        self.missing
    }

    /// The column `m`, nonzero where `x` is [`MISSING`], when features may be missing.
    pub fn missing(&self) -> Option<usize> {
        self.missing.then(|| self.state() + STATE_WIDTH)
    }

    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// Elements hashed: the header, the features, then the salt.
    pub fn num_elements(&self) -> usize {
        1 + self.num_features + SALT_ELEMENTS
    }

    /// The header element: the domain tag and the number of features (below `2^32`: models have
    /// at most a few thousand).
    pub fn header(&self) -> BaseElement {
        BaseElement::new((HEADER_TAG << 32) + self.num_features as u64)
    }

    /// Rows the commitment occupies from row 0: every element's row and the padding.
    pub fn hash_rows(&self) -> usize {
        rescue::CYCLE * self.blocks()
    }

    /// Rows the block itself needs: the hash's, which hold the features.
    pub fn rows(&self) -> usize {
        self.hash_rows()
    }

    pub fn x(&self) -> usize {
        0
    }

    /// The first of `x`'s base-4 digits.
    pub fn digits(&self) -> usize {
        self.x() + 1
    }

    /// The column of `shift[j]`, `1 ≤ j < 8`: `x` on the row `j` below.
    pub fn shift(&self, j: usize) -> usize {
        debug_assert!((1..RATE_WIDTH).contains(&j));
        self.digits() + DIGITS + j - 1
    }

    /// The base-4 digits of a 16-bit value, least significant first.
    pub fn digits_of(value: u16) -> [BaseElement; DIGITS] {
        core::array::from_fn(|j| BaseElement::from((value >> (2 * j)) & 3))
    }

    pub fn state(&self) -> usize {
        self.digits() + DIGITS + SHIFTS
    }

    pub fn width(&self) -> usize {
        self.state() + STATE_WIDTH + usize::from(self.missing) + self.one_hot_columns()
    }

    /// Columns (`g`) and constraints (the sum and the bit) the one-hot groups add: 1 and 2, or
    /// none.
    fn one_hot_columns(&self) -> usize {
        usize::from(!self.one_hot.is_empty())
    }

    pub(crate) fn slot(&self, element: usize) -> Slot {
        let features = self.num_features;
        match element {
            0 => Slot::Header,
            e if e <= features => Slot::Feature(e - 1),
            e if e <= features + SALT_ELEMENTS => Slot::Salt,
            _ => Slot::Padding,
        }
    }

    /// The rows where `x` is not range-checked by the block: the header's and the salt's.
    pub fn free_rows(&self) -> impl Iterator<Item = usize> {
        let salt = feature_row(self.num_features);
        core::iter::once(0).chain(salt..salt + SALT_ELEMENTS)
    }

    /// The padding rows, where `x` is asserted to be zero.
    fn padding_rows(&self) -> core::ops::Range<usize> {
        self.num_elements()..self.hash_rows()
    }

    pub(crate) fn blocks(&self) -> usize {
        rescue::num_permutations(self.num_elements())
    }

    /// Constraint degrees, in the order [`enforce`](Self::enforce) writes them.
    pub fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let n = trace_length;
        let mut degrees = vec![TransitionConstraintDegree::new(4); DIGITS];
        degrees.push(TransitionConstraintDegree::with_cycles(1, vec![n]));
        degrees.extend((0..SHIFTS).map(|_| TransitionConstraintDegree::new(1)));
        degrees.extend(rescue::constraint_degrees(0, &[]));
        if self.missing {
            degrees.push(TransitionConstraintDegree::new(2));
        }
        if !self.one_hot.is_empty() {
            degrees.push(TransitionConstraintDegree::with_cycles(1, vec![n]));
            degrees.push(TransitionConstraintDegree::with_cycles(2, vec![n]));
        }
        degrees
    }

    pub fn num_constraints(&self) -> usize {
        DIGITS + 1 + SHIFTS + STATE_WIDTH + usize::from(self.missing) + 2 * self.one_hot_columns()
    }

    /// A name for each constraint, in the order [`enforce`](Self::enforce) writes them.
    pub fn constraint_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = (0..DIGITS).map(|j| format!("input.digit[{j}]")).collect();
        labels.push("input.recompose".into());
        labels.extend((1..RATE_WIDTH).map(|j| format!("input.shift[{j}]")));
        labels.extend((0..STATE_WIDTH).map(|i| format!("rescue.round[{i}]")));
        if self.missing {
            labels.push("input.missing".into());
        }
        if !self.one_hot.is_empty() {
            labels.push("input.one_hot.sum".into());
            labels.push("input.one_hot.bit".into());
        }
        labels
    }

    /// The number of [`assertions`](Self::assertions).
    pub fn num_assertions(&self) -> usize {
        self.assertion_labels().len()
    }

    /// A name for each of [`assertions`](Self::assertions), in order.
    pub fn assertion_labels(&self) -> Vec<String> {
        let mut labels = vec!["input.header".to_string()];
        labels.extend(
            self.padding_rows()
                .map(|row| format!("input.padding[{row}]")),
        );
        labels.extend(
            (0..STATE_WIDTH)
                .filter(|&i| !self.absorbs_salt(i, 0))
                .map(|i| format!("rescue.initial[{i}]")),
        );
        labels.extend((0..DIGEST_WIDTH).map(|i| format!("rescue.digest[{i}]")));
        labels
    }

    /// The block's periodic columns: `free`, 1 on the header and salt rows and on the host's
    /// `free` rows (where `x` holds values the block does not range-check), then the Rescue
    /// gadget's, then, with one-hot groups, `bit` (1 on a group's rows), `next_bit` (row `i + 1`
    /// is a group's) and `next_more` (row `i + 1` is a group's but not its first), all as long
    /// as the trace (`free`'s length).
    pub fn periodic_columns(&self, free: &[bool]) -> Vec<Vec<BaseElement>> {
        let n = free.len();
        let mut flags: Vec<BaseElement> = free.iter().map(|&f| BaseElement::from(f)).collect();
        for row in self.free_rows() {
            flags[row] = BaseElement::ONE;
        }
        let mut columns = vec![flags];
        columns.extend(rescue::periodic_columns());
        if !self.one_hot.is_empty() {
            let [mut bit, mut next_bit, mut next_more] =
                [(); 3].map(|_| vec![BaseElement::ZERO; n]);
            for group in &self.one_hot {
                for f in group.clone() {
                    let row = feature_row(f);
                    bit[row] = BaseElement::ONE;
                    next_bit[row - 1] = BaseElement::ONE;
                    next_more[row - 1] = BaseElement::from(f != group.start);
                }
            }
            columns.extend([bit, next_bit, next_more]);
        }
        columns
    }

    pub fn num_periodic_columns(&self) -> usize {
        1 + rescue::NUM_PERIODIC_COLUMNS + 3 * self.one_hot_columns()
    }

    /// `Σ 4^j·digits[j]` of the block's cells on one row.
    pub fn recomposed<E: FieldElement<BaseField = BaseElement>>(&self, cells: &[E]) -> E {
        let digits = &cells[self.digits()..self.digits() + DIGITS];
        let four = E::from(BaseElement::new(4));
        digits.iter().rev().fold(E::ZERO, |acc, &d| acc * four + d)
    }

    /// The low and high halves of the digits on one row of the block's cells, `Σ_{j<4} 4^j·
    /// digits[j]` and `Σ_{j<4} 4^j·digits[4 + j]`: two 8-bit values when the digits are
    /// base-4 digits, whose sum with the high one times `2^8` is [`Self::recomposed`].
    pub fn halves<E: FieldElement<BaseField = BaseElement>>(&self, cells: &[E]) -> [E; 2] {
        let four = E::from(BaseElement::new(4));
        let half = |digits: &[E]| digits.iter().rev().fold(E::ZERO, |acc, &d| acc * four + d);
        let digits = &cells[self.digits()..self.digits() + DIGITS];
        [half(&digits[..DIGITS / 2]), half(&digits[DIGITS / 2..])]
    }

    /// Writes the block's constraints on one transition; `current` and `next` are the block's
    /// cells, `periodic` its periodic values.
    pub fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        periodic: &[E],
        result: &mut [E],
    ) {
        let x = current[self.x()];
        let [one, two, three] = [1u32, 2, 3].map(|v| E::from(BaseElement::from(v)));
        for j in 0..DIGITS {
            let digit = current[self.digits() + j];
            result[j] = digit * (digit - one) * (digit - two) * (digit - three);
        }
        let (free, gadget) = (periodic[0], &periodic[1..1 + rescue::NUM_PERIODIC_COLUMNS]);
        let missing = self.missing_cell(current);
        let code = E::from(BaseElement::new(MISSING));
        result[DIGITS] = (E::ONE - free) * (x - code * missing - self.recomposed(current));
        let mut at = DIGITS + 1;
        let mut message = [x; RATE_WIDTH];
        for j in 1..RATE_WIDTH {
            let below = if j == 1 {
                next[self.x()]
            } else {
                next[self.shift(j - 1)]
            };
            message[j] = current[self.shift(j)];
            result[at] = message[j] - below;
            at += 1;
        }
        let state = self.state();
        rescue::enforce(
            &current[state..state + STATE_WIDTH],
            &next[state..state + STATE_WIDTH],
            &message,
            gadget,
            E::ONE,
            &mut result[at..at + STATE_WIDTH],
        );
        at += STATE_WIDTH;
        if self.missing {
            result[at] = missing * (x - code);
            at += 1;
        }
        if let Some(g) = self.group_sum() {
            let [bit, next_bit, next_more] = [0, 1, 2].map(|i| periodic[periodic.len() - 3 + i]);
            let (sum, next_sum) = (current[g], next[g]);
            result[at] = next_bit * (next_sum - next[self.x()]) - next_more * sum;
            result[at + 1] = bit * sum * (sum - one);
        }
    }

    /// `m` on one row of the block's cells: zero when features cannot be missing.
    pub fn missing_cell<E: FieldElement<BaseField = BaseElement>>(&self, cells: &[E]) -> E {
        self.missing().map_or(E::ZERO, |column| cells[column])
    }

    /// The header in `x` on row 0, zero in `x` on the padding rows, the sponge's initial state
    /// on row 0 and the commitment in its digest cells. The rate cells that absorb salt in the
    /// first block are left free: a value there only shifts the salt, and the commitment is
    /// then the hash of the same input under another salt, which the prover knows.
    pub fn assertions(
        &self,
        commitment: &[BaseElement; DIGEST_WIDTH],
        first_column: usize,
    ) -> Vec<Assertion<BaseElement>> {
        let x = first_column + self.x();
        let mut assertions = vec![Assertion::single(x, 0, self.header())];
        assertions.extend(
            self.padding_rows()
                .map(|row| Assertion::single(x, row, BaseElement::ZERO)),
        );
        let state = first_column + self.state();
        let mut sponge = rescue::assertions(self.num_elements(), commitment, state, 0);
        sponge.retain(|a| !self.absorbs_salt(a.column() - state, a.first_step()));
        assertions.extend(sponge);
        assertions
    }

    /// Whether state cell `cell` on row `row` is a rate cell of row 0 that absorbs salt.
    fn absorbs_salt(&self, cell: usize, row: usize) -> bool {
        row == 0 && RATE_RANGE.contains(&cell) && self.slot(cell - RATE_RANGE.start) == Slot::Salt
    }

    /// The commitment to features `q` with `salt`, computed as the AIR computes it.
    pub fn commitment<F: Copy + Into<Feature>>(
        q: &[F],
        salt: &[BaseElement; SALT_ELEMENTS],
    ) -> [BaseElement; DIGEST_WIDTH] {
        let block = InputBlock::new(q.len());
        let elements = block.elements(q, salt);
        let digest = Rp64_256::hash_elements(&elements);
        digest.as_elements().try_into().expect("four elements")
    }

    /// The hashed elements: the header, the features, then the salt.
    pub fn elements<F: Copy + Into<Feature>>(
        &self,
        q: &[F],
        salt: &[BaseElement; SALT_ELEMENTS],
    ) -> Vec<BaseElement> {
        let mut elements = vec![self.header()];
        elements.extend(q.iter().map(|&v| feature_element(v.into())));
        elements.extend_from_slice(salt);
        elements
    }
}
