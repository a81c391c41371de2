//! The constraint mutation harness: every transition constraint and every assertion of the
//! inference AIR family (the input block and its Rescue sponge, the linear, tree and network
//! bodies, the disclosure, the zero-knowledge masks), and its number of transition exemptions,
//! is shown necessary by a forgery that it alone stops.
//!
//! For each, [`forgeries`] makes a malicious prover's trace and the statement it claims, which
//! is false wherever soundness rests on the constraint (the forgery says what it lies about).
//! The harness then checks, with the real prover and verifier:
//!
//! * the trace breaks that constraint and no other (every transition and assertion of the
//!   honest AIR, the auxiliary segment's included, evaluated on it: [`violations`]);
//! * its proof is rejected by the verifier of the AIR as it is;
//! * with that one constraint switched off ([`Mutant`]: it evaluates to zero, or the assertion
//!   is dropped, or one more transition is exempt), its proof is accepted.
//!
//! The constraints come from the AIRs themselves ([`Statement::constraint_labels`] and
//! [`Statement::assertion_labels`], which must name every one): a constraint added without a
//! forgery fails the harness. The table it prints, and compares with `docs/mutations.md`, lists
//! every constraint with its forgery and both verdicts.

mod forgeries;

use std::collections::BTreeSet;

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::fields::QuadExtension;
use winterfell::math::{ExtensionOf, FieldElement, ToElements};
use winterfell::matrix::ColMatrix;
use winterfell::{
    Air, AirContext, Assertion, AuxRandElements, EvaluationFrame, ProofOptions, Trace, TraceInfo,
    TraceTable,
};

use crate::inference::{build_aux_trace, Body, InferenceAir, Relaxation, Statement};
use crate::input::Feature;
use crate::prover::Segments;
use crate::testing::{options, prove_with};
use crate::zk::ZkParams;
use forgeries::Layout;

/// One constraint switched off, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// The AIR as it is.
    None,
    /// Transition constraint `i` evaluates to zero (main constraints first, then auxiliary).
    Constraint(usize),
    /// Assertion `i` is dropped (main assertions first, then auxiliary).
    Assertion(usize),
    /// One more transition exemption: the transition into the last real row is not enforced.
    Exemption,
}

/// How a forgery's auxiliary segment departs from the honest running sum of its main trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuxForgery {
    /// The honest running sum: what the main trace reads is what it sums.
    Honest,
    /// The sum of the reads as if main column `column` held `value` on `row`: it closes, but
    /// that row's step is not the fraction of what the row reads.
    Pretend {
        row: usize,
        column: usize,
        value: BaseElement,
    },
    /// The honest steps from a start that makes the sum close on the last real row.
    Offset,
    /// The honest steps, with the sum set to zero on the last real row.
    Closed,
}

impl AuxForgery {
    /// The auxiliary segment of `main` under `statement`, forged this way.
    pub fn build<B: Body, E: FieldElement<BaseField = BaseElement>>(
        self,
        statement: &Statement<B>,
        main: &ColMatrix<BaseElement>,
        rand: &[E],
        options: &ProofOptions,
        random: &mut dyn FnMut() -> BaseElement,
    ) -> ColMatrix<E> {
        let mut main = main.clone();
        if let AuxForgery::Pretend { row, column, value } = self {
            main.set(column, row, value);
        }
        let aux = build_aux_trace(statement, &main, rand, options, random);
        if aux.num_cols() == 0 {
            return aux;
        }
        let mut column = aux.get_column(0).to_vec();
        let last = ZkParams::for_options(options).last_real_row(column.len());
        match self {
            AuxForgery::Honest | AuxForgery::Pretend { .. } => {}
            AuxForgery::Offset => {
                let total = column[last];
                column[..=last].iter_mut().for_each(|s| *s -= total);
            }
            AuxForgery::Closed => column[last] = E::ZERO,
        }
        ColMatrix::new(vec![column])
    }
}

/// The public inputs of a [`Mutant`]: the statement, what is switched off, and how the
/// auxiliary segment is forged.
#[derive(Clone, Debug)]
pub struct Mutated<B> {
    pub statement: Statement<B>,
    pub mutation: Mutation,
    pub aux: AuxForgery,
}

impl<B: Body> ToElements<BaseElement> for Mutated<B> {
    fn to_elements(&self) -> Vec<BaseElement> {
        self.statement.to_elements()
    }
}

impl<B: Body> Segments for Mutated<B> {
    fn trace_info(&self, main: &TraceTable<BaseElement>) -> TraceInfo {
        Segments::trace_info(&self.statement, main)
    }

    fn build_aux<E: FieldElement<BaseField = BaseElement>>(
        &self,
        main: &ColMatrix<BaseElement>,
        rand: &[E],
        options: &ProofOptions,
        random: &mut dyn FnMut() -> BaseElement,
    ) -> ColMatrix<E> {
        (self.aux).build(&self.statement, main, rand, options, random)
    }
}

/// The inference AIR with one constraint switched off.
pub struct Mutant<B> {
    inner: InferenceAir<B>,
    mutation: Mutation,
}

impl<B: Body + 'static> Mutant<B>
where
    Statement<B>: Send + Sync,
{
    /// Main transition constraints and main assertions: the auxiliary ones follow them.
    fn main_counts(&self) -> (usize, usize) {
        let context = self.inner.context();
        let assertions = self.inner.statement().num_assertions();
        (context.num_main_transition_constraints(), assertions)
    }
}

impl<B: Body + 'static> Air for Mutant<B>
where
    Statement<B>: Send + Sync,
{
    type BaseField = BaseElement;
    type PublicInputs = Mutated<B>;

    fn new(trace_info: TraceInfo, inputs: Mutated<B>, options: ProofOptions) -> Self {
        let main_assertions = inputs.statement.num_assertions();
        let mut relaxation = Relaxation::default();
        match inputs.mutation {
            Mutation::Assertion(i) if i < main_assertions => relaxation.dropped = 1,
            Mutation::Assertion(_) => relaxation.dropped_aux = 1,
            Mutation::Exemption => relaxation.exempted = 1,
            Mutation::None | Mutation::Constraint(_) => {}
        }
        Mutant {
            inner: InferenceAir::relaxed(trace_info, inputs.statement, options, relaxation),
            mutation: inputs.mutation,
        }
    }

    fn context(&self) -> &AirContext<BaseElement> {
        self.inner.context()
    }

    fn evaluate_transition<E: FieldElement<BaseField = BaseElement>>(
        &self,
        frame: &EvaluationFrame<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        self.inner.evaluate_transition(frame, periodic, result);
        if let Mutation::Constraint(i) = self.mutation {
            if i < result.len() {
                result[i] = E::ZERO;
            }
        }
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
        (self.inner).evaluate_aux_transition(
            main_frame,
            aux_frame,
            periodic,
            aux_rand_elements,
            result,
        );
        if let Mutation::Constraint(i) = self.mutation {
            if let Some(aux) = i.checked_sub(self.main_counts().0) {
                result[aux] = E::ZERO;
            }
        }
    }

    fn get_assertions(&self) -> Vec<Assertion<BaseElement>> {
        let mut assertions = self.inner.get_assertions();
        if let Mutation::Assertion(i) = self.mutation {
            if i < assertions.len() {
                assertions.remove(i);
            }
        }
        assertions
    }

    fn get_aux_assertions<E: FieldElement<BaseField = BaseElement>>(
        &self,
        aux_rand_elements: &AuxRandElements<E>,
    ) -> Vec<Assertion<E>> {
        let mut assertions = self.inner.get_aux_assertions(aux_rand_elements);
        if let Mutation::Assertion(i) = self.mutation {
            if let Some(aux) = i.checked_sub(self.main_counts().1) {
                assertions.remove(aux);
            }
        }
        assertions
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<BaseElement>> {
        self.inner.get_periodic_column_values()
    }
}

/// Where an AIR rejects a trace: the (constraint, row) pairs that are nonzero on the enforced
/// transitions, and the assertions that fail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    pub transitions: Vec<(usize, usize)>,
    pub assertions: Vec<usize>,
}

impl Violations {
    fn constraints(&self) -> BTreeSet<usize> {
        self.transitions.iter().map(|&(c, _)| c).collect()
    }

    fn rows(&self) -> BTreeSet<usize> {
        self.transitions.iter().map(|&(_, r)| r).collect()
    }
}

/// Every transition and assertion of `air` evaluated on `trace`, and on its auxiliary segment
/// forged as `aux` (for fixed random elements: the forgeries do not depend on them).
pub fn violations<B: Body + 'static>(
    air: &InferenceAir<B>,
    trace: &TraceTable<BaseElement>,
    aux: AuxForgery,
) -> Violations
where
    Statement<B>: Send + Sync,
{
    let n = trace.length();
    let width = trace.width();
    let periodic = air.get_periodic_column_values();
    let row = |r: usize| (0..width).map(|c| trace.get(c, r % n)).collect::<Vec<_>>();
    let periodic_row = |r: usize| periodic.iter().map(|c| c[r % c.len()]).collect::<Vec<_>>();
    let context = air.context();
    let enforced = n - context.num_transition_exemptions();
    let mut found = Violations::default();
    let mut result = vec![BaseElement::ZERO; context.num_main_transition_constraints()];
    for r in 0..enforced {
        let frame = EvaluationFrame::from_rows(row(r), row(r + 1));
        air.evaluate_transition(&frame, &periodic_row(r), &mut result);
        (result.iter().enumerate())
            .filter(|(_, v)| **v != BaseElement::ZERO)
            .for_each(|(c, _)| found.transitions.push((c, r)));
    }
    let main_assertions = air.get_assertions();
    for (i, assertion) in main_assertions.iter().enumerate() {
        let mut holds = true;
        assertion.apply(n, |step, value| {
            holds &= trace.get(assertion.column(), step) == value;
        });
        if !holds {
            found.assertions.push(i);
        }
    }
    if !air.trace_info().is_multi_segment() {
        return found;
    }
    type Ext = QuadExtension<BaseElement>;
    let mut random = crate::testing::rng(0xA5);
    let rand: Vec<Ext> = (0..crate::lookup::NUM_RAND_ELEMENTS)
        .map(|_| Ext::new(random(), random()))
        .collect();
    let column = (aux.build(
        air.statement(),
        trace.main_segment(),
        &rand,
        &options(),
        &mut random,
    ))
    .get_column(0)
    .to_vec();
    let rand = AuxRandElements::new(rand);
    let main_constraints = context.num_main_transition_constraints();
    let mut result = vec![Ext::ZERO; context.num_aux_transition_constraints()];
    for r in 0..enforced {
        let main = EvaluationFrame::from_rows(row(r), row(r + 1));
        let frame = EvaluationFrame::from_rows(vec![column[r]], vec![column[(r + 1) % n]]);
        air.evaluate_aux_transition(&main, &frame, &periodic_row(r), &rand, &mut result);
        (result.iter().enumerate())
            .filter(|(_, v)| **v != Ext::ZERO)
            .for_each(|(c, _)| found.transitions.push((main_constraints + c, r)));
    }
    for (i, assertion) in air.get_aux_assertions(&rand).iter().enumerate() {
        let mut holds = true;
        assertion.apply(n, |step, value| holds &= column[step] == value);
        if !holds {
            found.assertions.push(main_assertions.len() + i);
        }
    }
    found
}

/// A malicious prover's trace and the statement it claims.
pub struct Forgery<B> {
    pub claimed: Statement<B>,
    pub trace: TraceTable<BaseElement>,
    /// The input whose commitment (with the test salt) the truth is about.
    pub committed: Vec<Feature>,
    /// What the trace does, in a few words.
    pub how: String,
    /// What a verifier accepting its proof would wrongly believe; `None` for a constraint
    /// soundness does not rest on (the claim is then true, which is checked).
    pub lie: Option<String>,
    /// How its auxiliary segment is made.
    pub aux: AuxForgery,
}

/// A forgery of any body.
pub enum AnyForgery {
    Linear(Forgery<crate::linear::LinearBody>),
    Trees(Forgery<crate::trees::TreeBody>),
    Mlp(Forgery<crate::mlp::MlpBody>),
}

/// One row of the table: the constraint, the forgery and the verdicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub label: String,
    /// The committed input's features.
    pub features: usize,
    pub how: String,
    pub lie: String,
}

impl AnyForgery {
    fn check(self, label: &str) -> Verdict {
        match self {
            AnyForgery::Linear(forgery) => check(label, forgery),
            AnyForgery::Trees(forgery) => check(label, forgery),
            AnyForgery::Mlp(forgery) => check(label, forgery),
        }
    }
}

/// Whether `claimed` is false of the `committed` input under the test salt: another
/// commitment, other scores, a comparison its scores do not satisfy, or an input no
/// categorical value encodes (a one-hot group that is not indicators with at most one set).
fn is_false<B: Body>(claimed: &Statement<B>, committed: &[Feature]) -> bool {
    let scores = forgeries::scores(&claimed.body, committed);
    let commitment = crate::input::InputBlock::commitment(committed, &crate::testing::salt(0));
    !crate::input::is_one_hot(claimed.body.one_hot(), committed)
        || claimed.commitment != commitment
        || claimed.scores.as_ref().is_some_and(|s| *s != scores)
        || (claimed.comparisons.iter()).any(|c| c.value(&scores).is_none())
}

/// The mutation that switches `label` off in `statement`'s AIR.
fn mutation<B: Body>(statement: &Statement<B>, label: &str) -> Mutation {
    if label == EXEMPTION {
        return Mutation::Exemption;
    }
    let zk = ZkParams::for_options(&options());
    let position = |labels: Vec<String>| labels.iter().position(|l| l == label);
    if let Some(i) = position(statement.constraint_labels(&zk)) {
        Mutation::Constraint(i)
    } else if let Some(i) = position(statement.assertion_labels()) {
        Mutation::Assertion(i)
    } else {
        panic!("{label}: not a constraint of the forgery's statement")
    }
}

/// Checks one forgery (panics with the label on any failure).
fn check<B: Body + 'static>(label: &str, forgery: Forgery<B>) -> Verdict
where
    Statement<B>: Send + Sync,
{
    let options = options();
    let Forgery {
        claimed,
        trace,
        committed,
        how,
        lie,
        aux,
    } = forgery;
    // A forgery shows a constraint necessary only if what it claims is false.
    assert_eq!(
        is_false(&claimed, &committed),
        lie.is_some(),
        "{label}: the claim's truth does not match the forgery's lie {lie:?}"
    );
    let info = Segments::trace_info(&claimed, &trace);
    assert_eq!(
        info,
        claimed.trace_info(&options),
        "{label}: the trace's shape"
    );
    let air = InferenceAir::new(info, claimed.clone(), options.clone());
    let found = violations(&air, &trace, aux);
    let mutation = mutation(&claimed, label);
    match mutation {
        Mutation::Constraint(i) => {
            assert!(found.assertions.is_empty(), "{label}: {found:?}");
            assert_eq!(
                found.constraints(),
                BTreeSet::from([i]),
                "{label}: {found:?}"
            );
        }
        Mutation::Assertion(i) => {
            assert!(found.transitions.is_empty(), "{label}: {found:?}");
            assert_eq!(found.assertions, [i], "{label}: {found:?}");
        }
        Mutation::None => unreachable!("a label names a constraint"),
        Mutation::Exemption => {
            // Only the transition into the last real row, which one more exemption frees.
            let zk = ZkParams::for_options(&options);
            let last = zk.last_real_row(trace.length());
            assert!(found.assertions.is_empty(), "{label}: {found:?}");
            assert_eq!(
                found.rows(),
                BTreeSet::from([last - 1]),
                "{label}: {found:?}"
            );
        }
    }
    let honest = Mutated {
        statement: claimed.clone(),
        mutation: Mutation::None,
        aux,
    };
    let proof = prove_with::<Mutant<B>>(&options, trace.clone(), &honest);
    let rejected = crate::testing::verify_with::<InferenceAir<B>>(&options, proof, &claimed);
    assert!(
        rejected.is_err(),
        "{label}: the forgery verifies with every constraint"
    );
    let mutated = Mutated {
        statement: claimed,
        mutation,
        aux,
    };
    let proof = prove_with::<Mutant<B>>(&options, trace, &mutated);
    let accepted = crate::testing::verify_with::<Mutant<B>>(&options, proof, &mutated);
    if let Err(e) = accepted {
        panic!("{label}: the forgery fails without its constraint too: {e}");
    }
    Verdict {
        label: label.into(),
        features: committed.len(),
        how,
        lie: lie.unwrap_or_else(|| {
            "none: the claim is true; the masks hide, soundness does not rest on them".into()
        }),
    }
}

/// The pseudo-label of the exemption count.
pub const EXEMPTION: &str = "zk.exemptions";

/// The families the harness runs, each a test: every label's prefix is one of them.
const FAMILIES: [&str; 10] = [
    "input",
    "rescue",
    "lookup",
    "linear",
    "trees",
    "path",
    "mlp",
    "disclosure",
    "zk",
    "output",
];

fn family(label: &str) -> &str {
    label.split('.').next().expect("a prefix")
}

/// Runs the forgery of every label of `family` in every layout, returning the table's rows.
fn run_family(family_name: &str) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let mut missing = Vec::new();
    for layout in Layout::ALL {
        let labels: Vec<String> = (forgeries::universe(layout).into_iter())
            .filter(|label| family(label) == family_name)
            .collect();
        assert!(!labels.is_empty(), "no constraint in {family_name}");
        for label in labels {
            match forgeries::forge(layout, &label) {
                Some(forgery) => {
                    let verdict = forgery.check(&label);
                    // The forgeries on the tight linear instance are the same in both layouts.
                    if !verdicts.contains(&verdict) {
                        verdicts.push(verdict);
                    }
                }
                None => missing.push(format!("{label} ({})", layout.name())),
            }
        }
    }
    assert!(missing.is_empty(), "no forgery for {missing:?}");
    verdicts
}

/// A family's rows, as the table writes them.
fn table_rows(verdicts: &[Verdict]) -> String {
    (verdicts.iter())
        .map(|v| {
            format!(
                "| `{}` | {} | {} | {} | rejected | accepted |\n",
                v.label, v.features, v.how, v.lie
            )
        })
        .collect()
}

/// Runs `family`'s forgeries and checks its rows of `docs/mutations.md` (rewritten instead when
/// `ZKINFER_BLESS_MUTATIONS` is set).
fn run_and_compare(family_name: &str) {
    let rows = table_rows(&run_family(family_name));
    println!("{rows}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/mutations.md");
    let document = std::fs::read_to_string(&path).unwrap_or_default();
    let (begin, end) = (
        format!("<!-- {family_name} -->\n"),
        format!("<!-- /{family_name} -->\n"),
    );
    let section = (document.find(&begin)).and_then(|from| {
        let from = from + begin.len();
        document[from..].find(&end).map(|to| (from, from + to))
    });
    match (section, std::env::var_os("ZKINFER_BLESS_MUTATIONS")) {
        (Some((from, to)), None) => assert_eq!(
            document[from..to],
            rows,
            "docs/mutations.md is out of date: run the harness with ZKINFER_BLESS_MUTATIONS=1"
        ),
        (Some((from, to)), Some(_)) => {
            let updated = format!("{}{rows}{}", &document[..from], &document[to..]);
            std::fs::write(&path, updated).expect("docs/mutations.md is writable");
        }
        (None, _) => panic!("docs/mutations.md has no section {begin:?}"),
    }
}

#[test]
fn every_constraint_has_one_name_and_a_family_the_harness_runs() {
    for layout in Layout::ALL {
        for labels in forgeries::instance_labels(layout) {
            let unique: BTreeSet<&String> = labels.iter().collect();
            assert_eq!(
                unique.len(),
                labels.len(),
                "a name given twice in {labels:?}"
            );
        }
        let universe = forgeries::universe(layout);
        for label in &universe {
            assert!(FAMILIES.contains(&family(label)), "{label}");
        }
        println!(
            "{}: {} constraints, assertions and the exemption count",
            layout.name(),
            universe.len()
        );
    }
}

macro_rules! families {
    ($($name:ident),*) => {
        $(#[test]
        fn $name() {
            run_and_compare(stringify!($name));
        })*
    };
}

families!(input, rescue, lookup, linear, trees, path, mlp, disclosure, zk, output);
