use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{ProofOptions, TraceTable};

use super::{Body, Statement};
use crate::input::SALT_ELEMENTS;
use crate::zk::ZkParams;

/// The honest trace for features `q` and the commitment's `salt`: the input block, the body,
/// the comparisons' chunks, then the random rows and masks drawn from `random`, which must be
/// a CSPRNG for the proof to hide anything. Returns `None` if a comparison does not hold.
pub fn build_trace<B: Body>(
    statement: &Statement<B>,
    q: &[u16],
    salt: &[BaseElement; SALT_ELEMENTS],
    options: &ProofOptions,
    random: &mut dyn FnMut() -> BaseElement,
) -> Option<TraceTable<BaseElement>> {
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

    let mut x = vec![0u16; last + 1];
    x[..q.len()].copy_from_slice(q);
    for (row, read) in statement.reads(n).iter().enumerate().take(last + 1) {
        if let Some(f) = *read {
            x[row] = q[f];
        }
    }
    let body_row = statement.body_row();
    let own = body.x_values(q);
    x[body_row..body_row + own.len()].copy_from_slice(&own);
    let first = statement.scores_row();
    x[first..first + chunks.len()].copy_from_slice(&chunks);
    let cmp = &mut columns[statement.cmp_column()];
    cmp[first..first + assembled.len()].copy_from_slice(&assembled);
    let carried = assembled.last().copied().unwrap_or(BaseElement::ZERO);
    cmp[first + assembled.len()..=last].fill(carried);

    statement.input().fill(q, salt, &x, &mut columns);
    zk.randomize(&mut columns, statement.mask_column(), random);
    Some(TraceTable::init(columns))
}
