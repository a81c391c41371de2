use winterfell::crypto::hashers::Rp64_256;
use winterfell::crypto::ElementHasher;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{Assertion, TransitionConstraintDegree};

use super::{DIGITS, FEATURES_PER_ELEMENT, FEATURE_BITS, HEADER_TAG, SALT_ELEMENTS};
use crate::rescue::{self, DIGEST_WIDTH, RATE_RANGE, RATE_WIDTH, STATE_WIDTH};

/// The input block of a trace with `num_features` features. Column indices are relative to the
/// block's first column; the host places the block first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputBlock {
    num_features: usize,
}

/// What hash block `b`, message cell `j` must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The header: the domain tag and the number of features.
    Header,
    /// Element `e` of the packed features: features `3e..3e+3`.
    Features(usize),
    /// A salt element: free.
    Salt,
    /// Zero padding of the last chunk.
    Padding,
}

impl InputBlock {
    pub fn new(num_features: usize) -> InputBlock {
        InputBlock { num_features }
    }

    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// Elements hashed: the header, the packed features, then the salt.
    pub fn num_elements(&self) -> usize {
        1 + self.num_packed() + SALT_ELEMENTS
    }

    /// Elements holding packed features.
    fn num_packed(&self) -> usize {
        self.num_features.div_ceil(FEATURES_PER_ELEMENT)
    }

    /// The header element: the domain tag and the number of features (below `2^32`: models have
    /// at most a few thousand).
    pub fn header(&self) -> BaseElement {
        BaseElement::new((HEADER_TAG << 32) + self.num_features as u64)
    }

    /// Rows the commitment occupies from row 0.
    pub fn hash_rows(&self) -> usize {
        rescue::num_rows(self.num_elements())
    }

    /// Rows the block itself needs: the feature rows and the hash.
    pub fn rows(&self) -> usize {
        self.num_features.max(self.hash_rows())
    }

    pub fn q(&self, f: usize) -> usize {
        f
    }

    pub fn x(&self) -> usize {
        self.num_features
    }

    /// The first of `x`'s base-4 digits.
    pub fn digits(&self) -> usize {
        self.x() + 1
    }

    pub fn message(&self) -> usize {
        self.digits() + DIGITS
    }

    /// The base-4 digits of a 16-bit value, least significant first.
    pub fn digits_of(value: u16) -> [BaseElement; DIGITS] {
        core::array::from_fn(|j| BaseElement::from((value >> (2 * j)) & 3))
    }

    pub fn state(&self) -> usize {
        self.message() + RATE_WIDTH
    }

    pub fn width(&self) -> usize {
        self.state() + STATE_WIDTH
    }

    pub(crate) fn slot(&self, block: usize, cell: usize) -> Slot {
        let element = block * RATE_WIDTH + cell;
        let packed = self.num_packed();
        match element {
            0 => Slot::Header,
            e if e <= packed => Slot::Features(e - 1),
            e if e <= packed + SALT_ELEMENTS => Slot::Salt,
            _ => Slot::Padding,
        }
    }

    /// The message cells some block constrains: a cell holding salt in every block has no
    /// constraint.
    pub(super) fn constrained_cells(&self) -> impl Iterator<Item = usize> + '_ {
        (0..RATE_WIDTH).filter(|&j| (0..self.blocks()).any(|b| self.slot(b, j) != Slot::Salt))
    }

    pub(crate) fn blocks(&self) -> usize {
        rescue::num_permutations(self.num_elements())
    }

    /// Constraint degrees, in the order [`enforce`](Self::enforce) writes them.
    pub fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let n = trace_length;
        let mut degrees = vec![TransitionConstraintDegree::new(1); self.num_features];
        degrees.extend((0..DIGITS).map(|_| TransitionConstraintDegree::new(4)));
        degrees.push(TransitionConstraintDegree::new(1));
        degrees.push(TransitionConstraintDegree::with_cycles(1, vec![n]));
        degrees.extend(
            self.constrained_cells()
                .map(|_| TransitionConstraintDegree::with_cycles(1, vec![n])),
        );
        degrees.extend(rescue::constraint_degrees(0, &[]));
        degrees
    }

    pub fn num_constraints(&self) -> usize {
        self.num_features + DIGITS + 2 + self.constrained_cells().count() + STATE_WIDTH
    }

    /// A name for each constraint, in the order [`enforce`](Self::enforce) writes them.
    pub fn constraint_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = (0..self.num_features)
            .map(|f| format!("input.feature[{f}]"))
            .collect();
        labels.extend((0..DIGITS).map(|j| format!("input.digit[{j}]")));
        labels.extend(["input.recompose".into(), "input.select".into()]);
        labels.extend(
            self.constrained_cells()
                .map(|j| format!("input.message[{j}]")),
        );
        labels.extend((0..STATE_WIDTH).map(|i| format!("rescue.round[{i}]")));
        labels
    }

    /// The number of [`assertions`](Self::assertions).
    pub fn num_assertions(&self) -> usize {
        let free = (0..STATE_WIDTH)
            .filter(|&i| self.absorbs_salt(i, 0))
            .count();
        STATE_WIDTH - free + DIGEST_WIDTH
    }

    /// A name for each of [`assertions`](Self::assertions), in order.
    pub fn assertion_labels(&self) -> Vec<String> {
        let initial = (0..STATE_WIDTH)
            .filter(|&i| !self.absorbs_salt(i, 0))
            .map(|i| format!("rescue.initial[{i}]"));
        initial
            .chain((0..DIGEST_WIDTH).map(|i| format!("rescue.digest[{i}]")))
            .collect()
    }

    /// The block's periodic columns: `select_f` for each feature, one absorb flag per hash
    /// block, then the Rescue gadget's. `reads[r]` is the feature the host reads into `x` on
    /// row `r`, if any (rows `0..F` read their own feature whatever it says).
    pub fn periodic_columns(
        &self,
        reads: &[Option<usize>],
        trace_length: usize,
    ) -> Vec<Vec<BaseElement>> {
        let n = trace_length;
        let mut select = vec![vec![BaseElement::ZERO; n]; self.num_features];
        for (row, read) in reads.iter().enumerate() {
            if let Some(f) = *read {
                select[f][row] = BaseElement::ONE;
            }
        }
        for (f, column) in select.iter_mut().enumerate() {
            column[f] = BaseElement::ONE;
        }
        for b in 0..self.blocks() {
            let mut absorb = vec![BaseElement::ZERO; n];
            absorb[rescue::absorb_row(b)] = BaseElement::ONE;
            select.push(absorb);
        }
        select.extend(rescue::periodic_columns());
        select
    }

    pub fn num_periodic_columns(&self) -> usize {
        self.num_features + self.blocks() + rescue::NUM_PERIODIC_COLUMNS
    }

    /// The packed element of features `3e..3e+3`, from the feature cells `q`.
    pub(super) fn pack<E: FieldElement<BaseField = BaseElement>>(
        &self,
        q: &[E],
        element: usize,
    ) -> E {
        let mut packed = E::ZERO;
        let mut scale = E::ONE;
        let features = q.iter().skip(FEATURES_PER_ELEMENT * element);
        for &value in features.take(FEATURES_PER_ELEMENT) {
            packed += scale * value;
            scale *= E::from(BaseElement::new(1 << FEATURE_BITS));
        }
        packed
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
        let features = self.num_features;
        let (q, x) = (&current[..features], current[self.x()]);
        for f in 0..features {
            result[f] = next[f] - q[f];
        }
        let mut recomposed = E::ZERO;
        let mut power = E::ONE;
        let [one, two, three] = [1u32, 2, 3].map(|v| E::from(BaseElement::from(v)));
        for j in 0..DIGITS {
            let digit = current[self.digits() + j];
            result[features + j] = digit * (digit - one) * (digit - two) * (digit - three);
            recomposed += digit * power;
            power = power.double().double();
        }
        let mut at = features + DIGITS;
        result[at] = x - recomposed;
        at += 1;
        let (select, rest) = periodic.split_at(features);
        let (absorb, gadget) = rest.split_at(self.blocks());
        result[at] = (select.iter().zip(q))
            .map(|(&s, &value)| s * (x - value))
            .fold(E::ZERO, |acc, v| acc + v);
        at += 1;
        let message = &current[self.message()..self.message() + RATE_WIDTH];
        let header = E::from(self.header());
        for j in self.constrained_cells() {
            let cell = message[j];
            let mut sum = E::ZERO;
            for (b, &flag) in absorb.iter().enumerate() {
                match self.slot(b, j) {
                    Slot::Header => sum += flag * (cell - header),
                    Slot::Features(e) => sum += flag * (cell - self.pack(q, e)),
                    Slot::Padding => sum += flag * cell,
                    Slot::Salt => {}
                }
            }
            result[at] = sum;
            at += 1;
        }
        let state = self.state();
        rescue::enforce(
            &current[state..state + STATE_WIDTH],
            &next[state..state + STATE_WIDTH],
            message,
            gadget,
            E::ONE,
            &mut result[at..at + STATE_WIDTH],
        );
    }

    /// The sponge's initial state on row 0 and the commitment in its digest cells. The rate
    /// cells that absorb salt in the first block are left free: a value there only shifts the
    /// salt, and the commitment is then the hash of the same input under another salt, which the
    /// prover knows.
    pub fn assertions(
        &self,
        commitment: &[BaseElement; DIGEST_WIDTH],
        first_column: usize,
    ) -> Vec<Assertion<BaseElement>> {
        let state = first_column + self.state();
        let mut assertions = rescue::assertions(self.num_elements(), commitment, state, 0);
        assertions.retain(|a| !self.absorbs_salt(a.column() - state, a.first_step()));
        assertions
    }

    /// Whether state cell `cell` on row `row` is a rate cell of row 0 that absorbs salt.
    fn absorbs_salt(&self, cell: usize, row: usize) -> bool {
        row == 0
            && RATE_RANGE.contains(&cell)
            && self.slot(0, cell - RATE_RANGE.start) == Slot::Salt
    }

    /// The commitment to features `q` with `salt`, computed as the AIR computes it.
    pub fn commitment(
        q: &[u16],
        salt: &[BaseElement; SALT_ELEMENTS],
    ) -> [BaseElement; DIGEST_WIDTH] {
        let block = InputBlock::new(q.len());
        let elements = block.elements(q, salt);
        let digest = Rp64_256::hash_elements(&elements);
        digest.as_elements().try_into().expect("four elements")
    }

    /// The hashed elements: the header, the packed features, then the salt.
    pub fn elements(&self, q: &[u16], salt: &[BaseElement; SALT_ELEMENTS]) -> Vec<BaseElement> {
        let cells: Vec<BaseElement> = q.iter().map(|&v| BaseElement::from(v)).collect();
        let mut elements = vec![self.header()];
        elements.extend((0..self.num_packed()).map(|e| self.pack(&cells, e)));
        elements.extend_from_slice(salt);
        elements
    }
}
