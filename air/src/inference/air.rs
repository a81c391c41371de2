use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement, ToElements};
use winterfell::{
    Air, AirContext, Assertion, AuxRandElements, EvaluationFrame, ProofOptions, TraceInfo,
    TransitionConstraintDegree,
};

use crate::disclosure::{felt, Comparison, Disclosure};
use crate::input::{Feature, InputBlock};
use crate::lookup::{self, Lookup};
use crate::rescue::DIGEST_WIDTH;
use crate::zk::ZkParams;

/// What the input block gives the body on each transition: `x` on both rows, the value its
/// digits decompose on the current row (`x` itself where `x` is range-checked) and that value's
/// two 8-bit halves (low, high), and `m` on the current row (nonzero only where `x` is
/// [`crate::input::MISSING`]; zero when features cannot be missing).
#[derive(Clone, Copy, Debug)]
pub struct Host<E> {
    pub x: E,
    pub next_x: E,
    pub decomposed: E,
    pub halves: [E; 2],
    pub missing: E,
}

/// The host's cells on one body row: `x` (a 16-bit value, a feature read, possibly
/// [`crate::input::MISSING`], or a value of the body's table), and the 16-bit value the digits
/// decompose there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostRow {
    pub x: BaseElement,
    pub decomposed: u16,
}

/// The model-specific part of the AIR: columns, constraints and periodic columns that turn the
/// features into the scores. The features are `x` on the rows [`crate::input::feature_row`];
/// the body reads them there, or anywhere through the lookup ([`crate::lookup`]).
pub trait Body: Clone + Send + Sync {
    fn num_features(&self) -> usize;
    fn num_scores(&self) -> usize;
    /// Whether the body defines its inference on missing features (the input block then has
    /// its column `m`).
    fn accepts_missing(&self) -> bool {
        false
    }
    /// The groups of consecutive features that are one-hot indicators (a categorical feature
    /// as a linear model or a network reads it): the input block proves each a group of bits
    /// with at most one set.
    fn one_hot(&self) -> &[core::ops::Range<usize>] {
        &[]
    }
    /// Rows the body occupies after the input block's rows.
    fn rows(&self) -> usize;
    /// The lookup id body row `row` reads into `x`, if any: a feature's index, or, from
    /// `num_features()` on, an entry of the body's own table (its fractions). On such rows `x`
    /// is not range-checked, and the digits are the body's. With
    /// [`private_reads`](Self::private_reads), only whether the row reads counts, not the
    /// index.
    fn reads(&self, row: usize) -> Option<usize>;
    fn width(&self) -> usize;
    /// The first of `num_scores()` consecutive columns (within the body) holding the scores,
    /// final from row `first_row + rows()`.
    fn scores_column(&self) -> usize;
    fn degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree>;
    /// A name for each constraint, in the order [`enforce`](Self::enforce) writes them.
    fn constraint_labels(&self) -> Vec<String>;
    /// A name for each of [`initial_values`](Self::initial_values), in order.
    fn initial_value_labels(&self) -> Vec<String>;
    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>>;
    fn num_periodic_columns(&self) -> usize;
    /// Writes the body's constraints on one transition.
    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        host: Host<E>,
        periodic: &[E],
        result: &mut [E],
    );
    /// `(column within the body, value)` pairs asserted on row 0.
    fn initial_values(&self) -> Vec<(usize, BaseElement)>;
    /// Writes the honest body columns on rows `0..=last_row`; returns the scores. `q` holds a
    /// missing feature only if the body [accepts](Self::accepts_missing) them.
    fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64>;
    /// The host's cells on the body's first rows (as many as it needs; the rest hold zeros).
    fn host_rows(&self, _q: &[Feature]) -> Vec<HostRow> {
        Vec::new()
    }
    /// The body's public data, for the Fiat–Shamir transcript.
    fn to_elements(&self) -> Vec<BaseElement>;
    /// Fractions the body adds to the lookup's sum on every row ([`crate::lookup`]).
    fn num_fractions(&self) -> usize {
        0
    }
    /// The sum of the trace degrees of the fractions' keys: one each unless the body says so.
    fn key_degrees(&self) -> usize {
        self.num_fractions()
    }
    /// Writes the body's [`num_fractions`](Self::num_fractions) `(weight, key)` pairs on one
    /// row: keys of the trace degrees [`key_degrees`](Self::key_degrees) sums, each weight of
    /// degree at most one more than its key's, counting periodic columns as trace columns; a key
    /// may combine cells with powers of the lookup's `γ` (`rand[1]`). The body documents why
    /// they are sound.
    fn fractions<F, E>(
        &self,
        _current: &[F],
        _host: Host<F>,
        _periodic: &[F],
        _rand: &[E],
        _out: &mut [(F, E)],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
    }
    /// Whether the features the body reads, and so the feature table's multiplicities, are
    /// private cells of the body's rather than public ([`crate::lookup`]).
    fn private_reads(&self) -> bool {
        false
    }
    /// The feature lookup's `(id, c)` on one row, given the periodic ones: with private reads,
    /// the body adds the feature a reading row reads to `id`, and the table's multiplicities to
    /// `c` (negated) on the feature rows.
    fn feature_read<F: FieldElement<BaseField = BaseElement>>(
        &self,
        _current: &[F],
        _periodic: &[F],
        id: F,
        c: F,
    ) -> (F, F) {
        (id, c)
    }
    /// Rows from row 0 that the body's periodic columns give to its lookup entries: the trace
    /// has at least one real row after them.
    fn table_rows(&self) -> usize {
        0
    }
}

/// Columns every trace has besides the body's, about: the input block with `m`, `cmp`, the
/// masks and the auxiliary column.
const SHARED_COLUMNS: usize = 29 + 1 + 8 + 3;
/// Rows every trace has besides the body's and the hash's, about: the random rows of the
/// `default` profile and a class's comparison rows.
const SHARED_ROWS: usize = 64 + 4;

/// The cells of a trace whose body takes `rows` rows after the hash of `features`
/// features, `table_rows` from row 0, and `width` columns: an estimate that is the same for the
/// prover and the verifier, which is all the choice of a layout needs.
pub(crate) fn estimated_cells(
    features: usize,
    rows: usize,
    table_rows: usize,
    width: usize,
) -> usize {
    let hash = crate::input::InputBlock::new(features).rows();
    let real = (hash + rows).max(table_rows) + SHARED_ROWS;
    real.next_power_of_two().max(256) * (SHARED_COLUMNS + width)
}

/// The most fractions a body adds to the lookup's sum on one row: the path layout's.
pub const MAX_FRACTIONS: usize = 1 + crate::trees::path::TABLE_SLOTS;
const _: () = assert!(
    crate::trees::path::TABLE_SLOTS >= crate::trees::walk::TABLE_SLOTS,
    "MAX_FRACTIONS must cover the walk's fractions too"
);
const _: () = assert!(
    2 + MAX_FRACTIONS <= crate::zk::MAX_CONSTRAINT_DEGREE,
    "the lookup's degree, 2 + fractions, must stay within the quotient mask's"
);

/// The public statement: the model (its id and its body), the input commitment, the disclosed
/// output as scores and/or comparisons, and the caller's context digest. No constraint reads
/// the id or the context: they bind the proof because the public inputs seed the Fiat–Shamir
/// transcript, so a proof made under one fails under any other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<B> {
    pub context: [BaseElement; 4],
    pub model_id: [BaseElement; 4],
    pub commitment: [BaseElement; DIGEST_WIDTH],
    pub scores: Option<Vec<i64>>,
    pub comparisons: Vec<Comparison>,
    pub body: B,
}

impl<B: Body> Statement<B> {
    pub fn input(&self) -> InputBlock {
        let block = match self.body.accepts_missing() {
            true => InputBlock::with_missing(self.body.num_features()),
            false => InputBlock::new(self.body.num_features()),
        };
        block.with_one_hot(self.body.one_hot())
    }

    pub fn body_column(&self) -> usize {
        self.input().width()
    }

    /// The body's first row: the first after the input block's.
    pub fn body_row(&self) -> usize {
        self.input().rows()
    }

    /// The column assembling compared values.
    pub fn cmp_column(&self) -> usize {
        self.body_column() + self.body.width()
    }

    pub fn mask_column(&self) -> usize {
        self.cmp_column() + 1
    }

    pub fn trace_width(&self, zk: &ZkParams) -> usize {
        self.mask_column() + zk.mask_width()
    }

    /// The row where the scores are final and the comparisons start.
    pub fn scores_row(&self) -> usize {
        self.body_row() + self.body.rows()
    }

    pub fn disclosure(&self) -> Disclosure<'_> {
        Disclosure {
            comparisons: &self.comparisons,
            num_scores: self.body.num_scores(),
            first_row: self.scores_row(),
        }
    }

    /// Rows of computation, the last of which is only ever a transition's next row.
    pub fn real_rows(&self) -> usize {
        let computed = self.scores_row() + self.disclosure().rows() + 1;
        computed.max(self.body.table_rows() + 1)
    }

    /// What the input block gives the body on a transition from `current` to `next` (the whole
    /// trace's rows).
    pub fn host<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
    ) -> Host<E> {
        Self::host_of(&self.input(), current, next)
    }

    /// [`Self::host`] for the statement's `input` block, made once.
    fn host_of<E: FieldElement<BaseField = BaseElement>>(
        input: &InputBlock,
        current: &[E],
        next: &[E],
    ) -> Host<E> {
        Host {
            x: current[input.x()],
            next_x: next[input.x()],
            decomposed: input.recomposed(current),
            halves: input.halves(current),
            missing: input.missing_cell(current),
        }
    }

    /// The feature lookup, when the body reads features away from their rows.
    pub fn lookup(&self) -> Option<Lookup> {
        let reads: Vec<Option<usize>> = (0..self.body_row())
            .map(|_| None)
            .chain((0..self.body.rows()).map(|row| self.body.reads(row)))
            .collect();
        let fractions = [self.body.num_fractions(), self.body.key_degrees()];
        let lookup = Lookup::new(
            self.body.num_features(),
            &reads,
            fractions,
            self.body.private_reads(),
        );
        debug_assert!(
            lookup.is_some() || self.body.num_fractions() == 0,
            "a body's fractions need the lookup: it must read a feature"
        );
        debug_assert!(
            2 + self.body.key_degrees() <= crate::zk::MAX_CONSTRAINT_DEGREE,
            "the lookup's degree, 2 + the keys' degrees, must stay within the quotient mask's"
        );
        lookup
    }

    /// The trace's shape under `options`: the main segment's width and length, and the
    /// lookup's auxiliary segment if there is one.
    pub fn trace_info(&self, options: &ProofOptions) -> TraceInfo {
        let zk = ZkParams::for_options(options);
        let (width, length) = (self.trace_width(&zk), self.trace_length(options));
        Self::shape(self.lookup().is_some(), width, length)
    }

    /// Winterfell's info for a main segment of `width` × `length`, with the lookup's auxiliary
    /// segment if `lookup`.
    pub(crate) fn shape(lookup: bool, width: usize, length: usize) -> TraceInfo {
        match lookup {
            true => TraceInfo::new_multi_segment(
                width,
                lookup::AUX_WIDTH,
                lookup::NUM_RAND_ELEMENTS,
                length,
                Vec::new(),
            ),
            false => TraceInfo::new(width, length),
        }
    }

    /// The trace length under `options`.
    pub fn trace_length(&self, options: &ProofOptions) -> usize {
        ZkParams::for_options(options).trace_length(self.real_rows(), options)
    }

    /// The degrees of the computation's transition constraints (all but the masks'), in order:
    /// the input block's, the body's, the disclosure's.
    pub fn computation_degrees(&self, trace_length: usize) -> Vec<TransitionConstraintDegree> {
        let n = trace_length;
        let mut degrees = self.input().degrees(n);
        degrees.extend(self.body.degrees(n));
        degrees.extend(self.disclosure().degrees(n));
        degrees
    }

    /// The degrees of every transition constraint of [`InferenceAir`], in order: the
    /// computation's, then the quotient mask's, whose degree must be the highest (the mask hides
    /// the composition's upper segments up to its own degree; any higher would add segments).
    pub fn degrees(&self, trace_length: usize, zk: &ZkParams) -> Vec<TransitionConstraintDegree> {
        let n = trace_length;
        let mut degrees = self.computation_degrees(n);
        assert_eq!(
            Some(crate::zk::mask_degree().get_evaluation_degree(n)),
            self.highest_degree(n),
            "the quotient mask's degree must be the highest constraint degree"
        );
        degrees.extend(zk.mask_degrees());
        degrees
    }

    /// The number of assertions: the sponge's ends, the body's initial values and the
    /// disclosed scores.
    pub fn num_assertions(&self) -> usize {
        let disclosed = self.scores.as_ref().map_or(0, Vec::len);
        self.input().num_assertions() + self.body.initial_values().len() + disclosed
    }

    /// The highest evaluation degree of the computation's constraints: the composition
    /// polynomial's degree is this less the transition divisor's.
    pub fn highest_degree(&self, trace_length: usize) -> Option<usize> {
        (self.computation_degrees(trace_length).iter())
            .map(|d| d.get_evaluation_degree(trace_length))
            .max()
    }

    /// A name for each transition constraint of [`InferenceAir`], in the order it evaluates them:
    /// the main segment's, then the auxiliary segment's.
    pub fn constraint_labels(&self, zk: &ZkParams) -> Vec<String> {
        let mut labels = self.input().constraint_labels();
        labels.extend(self.body.constraint_labels());
        labels.extend(crate::disclosure::CONSTRAINT_LABELS.map(String::from));
        labels.extend(zk.constraint_labels());
        if self.lookup().is_some() {
            labels.push(lookup::CONSTRAINT_LABEL.into());
        }
        labels
    }

    /// A name for each assertion of [`InferenceAir`], in the order it makes them: the main
    /// segment's, then the auxiliary segment's.
    pub fn assertion_labels(&self) -> Vec<String> {
        let mut labels = self.input().assertion_labels();
        labels.extend(self.body.initial_value_labels());
        let disclosed = self.scores.as_ref().map_or(0, Vec::len);
        labels.extend((0..disclosed).map(|c| format!("output.score[{c}]")));
        if self.lookup().is_some() {
            labels.extend(lookup::ASSERTION_LABELS.map(String::from));
        }
        labels
    }

    /// The rows where `x` is not range-checked because the body reads a feature into it.
    pub fn reading_rows(&self, trace_length: usize) -> Vec<bool> {
        let mut free = vec![false; trace_length];
        for row in 0..self.body.rows() {
            free[self.body_row() + row] = self.body.reads(row).is_some();
        }
        free
    }
}

impl<B: Body> ToElements<BaseElement> for Statement<B> {
    fn to_elements(&self) -> Vec<BaseElement> {
        let mut elements = self.context.to_vec();
        elements.extend_from_slice(&self.model_id);
        elements.extend_from_slice(&self.commitment);
        elements.push(BaseElement::new(self.body.num_features() as u64));
        elements.push(BaseElement::new(self.body.num_scores() as u64));
        // Only with groups, so that the statements of models without them keep their elements.
        let groups = self.body.one_hot();
        if !groups.is_empty() {
            elements.push(BaseElement::new(groups.len() as u64));
        }
        for group in groups {
            elements.extend([group.start, group.end].map(|b| BaseElement::new(b as u64)));
        }
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
        elements.extend(self.body.to_elements());
        elements
    }
}

pub struct InferenceAir<B> {
    context: AirContext<BaseElement>,
    statement: Statement<B>,
    /// The statement's input block, made once rather than on every evaluation.
    input: InputBlock,
    zk: ZkParams,
    /// The feature lookup, when the body reads features on its own rows.
    lookup: Option<Lookup>,
}

/// Which constraint or assertion the mutation harness switches off: assertions are dropped from
/// the end of their segment's list, transitions exempted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Relaxation {
    pub dropped: usize,
    pub dropped_aux: usize,
    pub exempted: usize,
}

impl<B: Body> InferenceAir<B> {
    pub fn statement(&self) -> &Statement<B> {
        &self.statement
    }

    /// The AIR with some of its assertions left out of the context and more transitions
    /// unchecked: the mutation harness switches a constraint off with these.
    pub(crate) fn relaxed(
        trace_info: TraceInfo,
        statement: Statement<B>,
        options: ProofOptions,
        relaxation: Relaxation,
    ) -> Self {
        let zk = ZkParams::for_options(&options);
        let n = trace_info.length();
        let degrees = statement.degrees(n, &zk);
        let assertions = statement.num_assertions() - relaxation.dropped;
        let lookup = statement.lookup();
        let context = match &lookup {
            Some(lookup) => AirContext::new_multi_segment(
                trace_info,
                degrees,
                lookup.degrees(),
                assertions,
                lookup::ASSERTION_LABELS.len() - relaxation.dropped_aux,
                options,
            ),
            None => AirContext::new(trace_info, degrees, assertions, options),
        };
        let context =
            context.set_num_transition_exemptions(zk.transition_exemptions() + relaxation.exempted);
        InferenceAir {
            context,
            input: statement.input(),
            statement,
            zk,
            lookup,
        }
    }
}

impl<B: Body + 'static> Air for InferenceAir<B>
where
    Statement<B>: Send + Sync,
{
    type BaseField = BaseElement;
    type PublicInputs = Statement<B>;

    fn new(trace_info: TraceInfo, statement: Statement<B>, options: ProofOptions) -> Self {
        Self::relaxed(trace_info, statement, options, Relaxation::default())
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
        let statement = &self.statement;
        let (current, next) = (frame.current(), frame.next());
        let input = &self.input;
        let body = &statement.body;
        // The statement's columns (`body_column`, `cmp_column`), from the block made once.
        let body_at = input.width();
        let cmp = body_at + body.width();

        let (input_periodic, rest) = periodic.split_at(input.num_periodic_columns());
        let (body_periodic, rest) = rest.split_at(body.num_periodic_columns());
        let (disclosure_periodic, rest) =
            rest.split_at(statement.disclosure().num_periodic_columns());
        let mask_lift = rest[0];
        let (input_result, rest) = result.split_at_mut(input.num_constraints());
        let body_constraints = self.context.num_main_transition_constraints()
            - input.num_constraints()
            - 2
            - self.zk.quotient_mask_columns;
        let (body_result, rest) = rest.split_at_mut(body_constraints);
        let (disclosure_result, mask_result) = rest.split_at_mut(2);

        input.enforce(
            &current[..body_at],
            &next[..body_at],
            input_periodic,
            input_result,
        );
        let host = Statement::<B>::host_of(input, current, next);
        body.enforce(
            &current[body_at..cmp],
            &next[body_at..cmp],
            host,
            body_periodic,
            body_result,
        );
        let scores = body_at + body.scores_column();
        statement.disclosure().enforce(
            current[cmp],
            next[cmp],
            input.recomposed(next),
            &current[scores..scores + body.num_scores()],
            disclosure_periodic,
            disclosure_result,
        );
        self.zk
            .enforce_masks(&current[cmp + 1..], mask_lift, mask_result);
    }

    fn evaluate_aux_transition<F, E>(
        &self,
        main_frame: &EvaluationFrame<F>,
        aux_frame: &EvaluationFrame<E>,
        periodic: &[F],
        aux_rand_elements: &AuxRandElements<E>,
        result: &mut [E],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        let statement = &self.statement;
        let (current, next) = (main_frame.current(), main_frame.next());
        let host = Statement::<B>::host_of(&self.input, current, next);
        let [id, c] = [periodic[periodic.len() - 2], periodic[periodic.len() - 1]];
        let body = &statement.body;
        let rand = aux_rand_elements.rand_elements();
        let body_at = self.input.width();
        let cmp = body_at + body.width();
        let skipped = self.input.num_periodic_columns();
        let body_periodic = &periodic[skipped..skipped + body.num_periodic_columns()];
        let body_cells = &current[body_at..cmp];
        let (id, c) = body.feature_read(body_cells, body_periodic, id, c);
        let mut fractions = [(F::ZERO, E::ZERO); MAX_FRACTIONS];
        let fractions = &mut fractions[..body.num_fractions()];
        if !fractions.is_empty() {
            body.fractions(body_cells, host, body_periodic, rand, fractions);
        }
        result[0] = Lookup::enforce(
            host.x,
            aux_frame.current()[0],
            aux_frame.next()[0],
            id,
            c,
            fractions,
            rand,
        );
    }

    fn get_assertions(&self) -> Vec<Assertion<BaseElement>> {
        let statement = &self.statement;
        let mut assertions = statement.input().assertions(&statement.commitment, 0);
        let body_at = statement.body_column();
        for (column, value) in statement.body.initial_values() {
            assertions.push(Assertion::single(body_at + column, 0, value));
        }
        if let Some(scores) = &statement.scores {
            for (c, &score) in scores.iter().enumerate() {
                let column = body_at + statement.body.scores_column() + c;
                assertions.push(Assertion::single(
                    column,
                    statement.scores_row(),
                    felt(score),
                ));
            }
        }
        assertions
    }

    fn get_aux_assertions<E: FieldElement<BaseField = BaseElement>>(
        &self,
        _aux_rand_elements: &AuxRandElements<E>,
    ) -> Vec<Assertion<E>> {
        Lookup::assertions(self.zk.last_real_row(self.trace_length()))
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<BaseElement>> {
        let n = self.trace_length();
        let statement = &self.statement;
        let mut columns = statement
            .input()
            .periodic_columns(&statement.reading_rows(n));
        columns.extend(statement.body.periodic_columns(statement.body_row(), n));
        columns.extend(statement.disclosure().periodic_columns(n));
        columns.push(crate::zk::mask_lift());
        if let Some(lookup) = &self.lookup {
            columns.extend(lookup.periodic_columns(n));
        }
        columns
    }
}
