use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{ProofOptions, Trace, TraceInfo, TraceTable};

use super::air::MAX_FRACTIONS;
use super::{Body, Statement};
use crate::input::{feature_row, features, Feature, SALT_ELEMENTS};
use crate::lookup::{Fraction, Lookup};
use crate::prover::Segments;
use crate::zk::ZkParams;

/// The honest trace for features `q` and the commitment's `salt`: the input block, the body,
/// the comparisons' chunks, then the random rows and masks drawn from `random`, which must be
/// a CSPRNG for the proof to hide anything. Returns `None` if a comparison does not hold, or
/// if a one-hot group of `q` is not indicators with at most one set.
///
/// Panics if a feature is missing and the body does not accept missing features.
pub fn build_trace<B: Body, F: Copy + Into<Feature>>(
    statement: &Statement<B>,
    q: &[F],
    salt: &[BaseElement; SALT_ELEMENTS],
    options: &ProofOptions,
    random: &mut dyn FnMut() -> BaseElement,
) -> Option<TraceTable<BaseElement>> {
    let q = features(q);
    assert!(
        statement.body.accepts_missing() || q.iter().all(Option::is_some),
        "a missing feature for a body that does not accept them"
    );
    let q = &q[..];
    if !crate::input::is_one_hot(statement.body.one_hot(), q) {
        return None;
    }
    let zk = ZkParams::for_options(options);
    let n = statement.trace_length(options);
    let last = zk.last_real_row(n);
    let mut columns = vec![vec![BaseElement::ZERO; n]; statement.trace_width(&zk)];

    let body = &statement.body;
    let at = statement.body_column();
    let scores = body.fill(
        q,
        statement.body_row(),
        last,
        &mut columns[at..at + body.width()],
    );
    let (chunks, assembled) = statement.disclosure().fill(&scores)?;

    let input = statement.input();
    let mut x = input.x_column(q, salt, last + 1);
    let mut decomposed = vec![0u16; last + 1];
    for (f, &value) in q.iter().enumerate() {
        decomposed[feature_row(f)] = value.unwrap_or(0);
    }
    let body_row = statement.body_row();
    for (row, host) in body.host_rows(q).into_iter().enumerate() {
        x[body_row + row] = host.x;
        decomposed[body_row + row] = host.decomposed;
    }
    let first = statement.scores_row();
    for (row, &chunk) in chunks.iter().enumerate() {
        x[first + row] = BaseElement::from(chunk);
        decomposed[first + row] = chunk;
    }
    let cmp = &mut columns[statement.cmp_column()];
    cmp[first..first + assembled.len()].copy_from_slice(&assembled);
    let carried = assembled.last().copied().unwrap_or(BaseElement::ZERO);
    cmp[first + assembled.len()..=last].fill(carried);

    input.fill(&x, &decomposed, &mut columns);
    zk.randomize(&mut columns, statement.mask_column(), random);
    Some(TraceTable::init(columns))
}

/// The honest auxiliary segment for the main trace `main` and the verifier's random elements
/// `rand`: the lookup's running sum, its last rows uniformly random (from `random`, a CSPRNG).
/// Empty when the statement has no lookup.
pub fn build_aux_trace<B: Body, E: FieldElement<BaseField = BaseElement>>(
    statement: &Statement<B>,
    main: &ColMatrix<BaseElement>,
    rand: &[E],
    options: &ProofOptions,
    random: &mut dyn FnMut() -> BaseElement,
) -> ColMatrix<E> {
    let Some(lookup) = statement.lookup() else {
        return ColMatrix::new(Vec::new());
    };
    let random_rows = ZkParams::for_options(options).random_rows;
    let n = main.num_rows();
    let real = n - random_rows;
    let x = &main.get_column(statement.input().x())[..real];
    let [mut id, mut c] = lookup.periodic_columns(n);
    let fractions = body_fractions(statement, main, real - 1, rand, [&mut id, &mut c]);
    let base: Vec<BaseElement> = (0..random_rows * E::EXTENSION_DEGREE)
        .map(|_| random())
        .collect();
    let tail = E::slice_from_base_elements(&base);
    let id_c = [&id[..real], &c[..real]];
    ColMatrix::new(vec![Lookup::running_sum(x, id_c, &fractions, rand, tail)])
}

/// The body's lookup fractions of nonzero weight on rows `0..last_row` of `main`, evaluated as
/// the AIR evaluates them; with private reads, also the body's part of the feature lookup's `id`
/// and `c` on those rows.
fn body_fractions<B: Body, E: FieldElement<BaseField = BaseElement>>(
    statement: &Statement<B>,
    main: &ColMatrix<BaseElement>,
    last_row: usize,
    rand: &[E],
    [id, c]: [&mut [BaseElement]; 2],
) -> Vec<Fraction<E>> {
    let body = &statement.body;
    if body.num_fractions() == 0 && !body.private_reads() {
        return Vec::new();
    }
    let n = main.num_rows();
    let periodic = body.periodic_columns(statement.body_row(), n);
    let (body_at, cmp) = (statement.body_column(), statement.cmp_column());
    let mut current = vec![BaseElement::ZERO; main.num_cols()];
    let mut next = current.clone();
    let mut row_periodic = vec![BaseElement::ZERO; periodic.len()];
    let mut fractions = Vec::new();
    let mut out = [(BaseElement::ZERO, E::ZERO); MAX_FRACTIONS];
    for row in 0..last_row {
        main.read_row_into(row, &mut current);
        main.read_row_into(row + 1, &mut next);
        for (value, column) in row_periodic.iter_mut().zip(&periodic) {
            *value = column[row];
        }
        let cells = &current[body_at..cmp];
        (id[row], c[row]) = body.feature_read(cells, &row_periodic, id[row], c[row]);
        let host = statement.host(&current, &next);
        let out = &mut out[..body.num_fractions()];
        body.fractions(cells, host, &row_periodic, rand, out);
        (out.iter())
            .filter(|(weight, _)| *weight != BaseElement::ZERO)
            .for_each(|&(weight, key)| fractions.push(Fraction { row, weight, key }));
    }
    fractions
}

impl<B: Body> Segments for Statement<B> {
    fn trace_info(&self, main: &TraceTable<BaseElement>) -> TraceInfo {
        Statement::<B>::shape(self.lookup().is_some(), main.width(), main.length())
    }

    fn build_aux<E: FieldElement<BaseField = BaseElement>>(
        &self,
        main: &ColMatrix<BaseElement>,
        rand: &[E],
        options: &ProofOptions,
        random: &mut dyn FnMut() -> BaseElement,
    ) -> ColMatrix<E> {
        build_aux_trace(self, main, rand, options, random)
    }
}
