//! What the masks must cover, measured as ranks on real proofs made with the production profiles'
//! exact options. With the public transcript fixed (the attacker replays it), every value a
//! proof reveals that a mask touches is an affine function of the mask's random cells; the mask
//! hides those values when that map is onto them.
//!
//! * **Tail rows.** A proof opens one LDE row per query (`x_q`, not the next row) and the
//!   out-of-domain frame at `z` and `g·z`, but the simulation also needs every column at `g·x_q`
//!   and `g²·z`, on which `H_0(x_q)` and `H_0(g·z)` depend through the transition constraints.
//!   Each extension point is `k` base functionals (a base-field column's values at the point's
//!   `k` conjugates). The `r` random rows must take all of them independently: the Lagrange rows
//!   restricted to the tail have full rank.
//! * **Quotient mask.** The mask's quotient `Σ_i α_i·A_i·β`, `β = B^6·λ·Π_E/(xⁿ − 1)`, split
//!   into the composition's segments: its values on every upper segment `H_1..H_{m−1}` at `x_q`,
//!   `z` and `g·z`, jointly with the `A_i`'s own openings and with what FRI reveals of the
//!   composition at the conjugates of `z` and `g·z` (below), span everything those segments can
//!   reveal. The top segment is the one finding 1 left bare: a mask of lower degree than the
//!   Rescue constraints adds nothing to it at the smallest traces (rank 0 of 54 at `default`'s
//!   256 rows, of 42 at `high`'s 512).
//! * **DEEP mask.** The DEEP masks' part of the DEEP polynomial `D`, jointly with their own
//!   openings, spans everything FRI reveals of `D` (the remainder, and each layer's opened
//!   values), except its values where the masks' part is a function of their openings: at
//!   `x_q` (where `D` is the verifier's own check of the trace openings), at
//!   `x₀ = (z + g·z)/2` (where each column's two quotients cancel, so `D(x₀)` is a function of
//!   the out-of-domain frame, which the test checks) and at the conjugates of `z` and `g·z`
//!   (where a base-field column's value is a conjugate of its out-of-domain value). With no
//!   FRI layer (`default` at 256 rows) the whole of `D` is the remainder, so all of these are
//!   revealed; at the conjugates `D` then gives away `Σ_j γ_j·H_j` of the composition columns,
//!   which the quotient mask covers.

use winterfell::crypto::MerkleTree;
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::fields::{CubeExtension, QuadExtension};
use winterfell::math::{polynom, FieldElement, StarkField};
use winterfell::{FieldExtension, Trace};

use super::linalg::{rank, Echelon};
use super::polynomials::{divide_by_vanishing, exempt_rows, interpolate, omega, pow, powers};
use super::target::{self, Model, Profile, Run};
use crate::prover::Hash;
use crate::zk::mask_lift;

/// Runs `test::<E>` with the extension field of `run`'s profile.
macro_rules! in_extension {
    ($run:expr, $test:ident) => {
        match $run.proof.options().field_extension() {
            FieldExtension::Quadratic => $test::<QuadExtension<BaseElement>>($run),
            FieldExtension::Cubic => $test::<CubeExtension<BaseElement>>($run),
            FieldExtension::None => unreachable!("zero knowledge needs an extension"),
        }
    };
}

fn element<E: FieldElement<BaseField = BaseElement>>(coordinates: &[BaseElement]) -> E {
    E::slice_from_base_elements(coordinates)[0]
}

/// The `k` base rows of the extension-valued functional `Σ_u weights[u]·v_u` of base unknowns.
fn rows_of<E: FieldElement<BaseField = BaseElement>>(weights: &[E]) -> Vec<Vec<BaseElement>> {
    (0..E::EXTENSION_DEGREE)
        .map(|c| weights.iter().map(|w| w.base_element(c)).collect())
        .collect()
}

/// The `k` base rows of `Σ_u weights[u]·d_u` over the base coordinates of extension unknowns
/// `d_u` (`d_u` is unknowns `k·u..k·u + k`).
fn rows_over_coordinates<E: FieldElement<BaseField = BaseElement>>(
    weights: &[E],
) -> Vec<Vec<BaseElement>> {
    let k = E::EXTENSION_DEGREE;
    let basis: Vec<E> = (0..k)
        .map(|c| {
            let mut unit = vec![BaseElement::ZERO; k];
            unit[c] = BaseElement::ONE;
            element(&unit)
        })
        .collect();
    (0..k)
        .map(|c| {
            (weights.iter())
                .flat_map(|&w| basis.iter().map(move |&e| (w * e).base_element(c)))
                .collect()
        })
        .collect()
}

/// A block-diagonal placement: `row` over block `block` of `blocks` blocks of `width` unknowns.
fn in_block(row: Vec<BaseElement>, block: usize, blocks: usize) -> Vec<BaseElement> {
    let width = row.len();
    let mut placed = vec![BaseElement::ZERO; width * blocks];
    placed[block * width..(block + 1) * width].copy_from_slice(&row);
    placed
}

/// The queried LDE points `x_q`, in the order of the opened rows.
fn query_points(run: &Run) -> Vec<BaseElement> {
    let proof = &run.proof;
    let offset: BaseElement = proof.options().domain_offset();
    let g_lde = BaseElement::get_root_of_unity(proof.lde_domain_size().ilog2());
    (run.transcript.positions.iter())
        .map(|&p| offset * g_lde.exp(p as u64))
        .collect()
}

/// The out-of-domain frame's values of main-trace column `column` at `z` and `g·z`, and of
/// every composition column at `z` and `g·z`.
struct Ood<E> {
    trace: [Vec<E>; 2],
    quotient: [Vec<E>; 2],
}

fn ood<E: FieldElement<BaseField = BaseElement>>(run: &Run) -> Ood<E> {
    let info = run.proof.trace_info();
    let (trace, quotient) = (run.proof.ood_frame.clone())
        .parse::<E>(
            info.main_trace_width(),
            info.aux_segment_width(),
            run.transcript.quotient_columns,
        )
        .expect("the OOD frame parses");
    Ood {
        trace: [trace.current_row().to_vec(), trace.next_row().to_vec()],
        quotient: [
            quotient.current_row().to_vec(),
            quotient.next_row().to_vec(),
        ],
    }
}

// TAIL ROWS
// ================================================================================================

fn the_tail_rows_take_every_point_independently<E: FieldElement<BaseField = BaseElement>>(
    run: &Run,
) {
    let n = run.trace.length();
    let zk = run.profile.zk();
    let tail = n - zk.random_rows;
    let g = omega(n);
    let mut base: Vec<BaseElement> = query_points(run);
    base.extend(query_points(run).iter().map(|&x| x * g));
    base.sort_unstable_by_key(|x| x.as_int());
    base.dedup();
    let z: E = element(&run.transcript.z);
    let g = E::from(g);
    let mut rows = Vec::new();
    for &x in &base {
        rows.push(super::lagrange(x, n)[tail..].to_vec());
    }
    for y in [z, z * g, z * g * g] {
        rows.extend(rows_of(&super::lagrange(y, n)[tail..]));
    }
    let measured = rank(&rows, zk.random_rows);
    println!(
        "{:?}, n = {n}: {} random rows take {} functionals ({} distinct points x_q, g·x_q and 3 \
         extension points of degree {}): rank {measured}",
        run.profile,
        zk.random_rows,
        rows.len(),
        base.len(),
        E::EXTENSION_DEGREE
    );
    assert!(rows.len() <= zk.random_rows);
    assert_eq!(measured, rows.len());
}

// QUOTIENT MASK
// ================================================================================================

/// The quotient mask's multiplier `β = B^6·λ·Π_E/(xⁿ − 1)`, from the trace's `B` column.
fn beta(run: &Run) -> Vec<BaseElement> {
    let n = run.trace.length();
    let zk = run.profile.zk();
    let b = interpolate(&target::cells(
        &run.trace,
        run.mask_column + zk.quotient_mask_columns,
    ));
    let lift: Vec<BaseElement> = mask_lift().into_iter().cycle().take(n).collect();
    let numerator = polynom::mul(
        &polynom::mul(&pow(&b, 6), &interpolate(&lift)),
        &exempt_rows(n, run.transcript.exemptions),
    );
    divide_by_vanishing(&numerator, n)
}

/// `γ_s(y) = Σ_u β_{jn+u−s}·y^u` for `s < n`: segment `j` of `x^s·β` at `y`, so that segment `j`
/// of `A·β` at `y` is `Σ_s a_s·γ_s(y)` for `A`'s coefficients `a_s`.
fn segment_at<E: FieldElement<BaseField = BaseElement>>(
    beta: &[BaseElement],
    j: usize,
    y: E,
    n: usize,
) -> Vec<E> {
    let y_powers = powers(y, n);
    let beta_at = |index: usize| beta.get(index).copied().unwrap_or(BaseElement::ZERO);
    (0..n)
        .map(|s| {
            (0..n).filter(|&u| j * n + u >= s).fold(E::ZERO, |acc, u| {
                acc + y_powers[u].mul_base(beta_at(j * n + u - s))
            })
        })
        .collect()
}

fn every_composition_segment_is_masked<E: FieldElement<BaseField = BaseElement>>(run: &Run) {
    let n = run.trace.length();
    let zk = run.profile.zk();
    let k = zk.quotient_mask_columns;
    let transcript = &run.transcript;
    let (e, m) = (transcript.exemptions, transcript.quotient_columns);
    let beta = beta(run);
    // The composition's degree: the highest constraint's evaluation degree less the divisor's.
    let top = run.highest_degree - (n - e);
    assert_eq!(m, (top + 1).div_ceil(n), "segments");
    println!(
        "{:?}, n = {n}: the composition has degree {top}, the mask's quotient {}",
        run.profile,
        polynom::degree_of(&beta) + n - 1
    );
    // β is the one the proof used: at z, from the revealed B(z).
    let z: E = element(&transcript.z);
    let frame = ood::<E>(run);
    let lift: Vec<BaseElement> = mask_lift().into_iter().cycle().take(n).collect();
    let expected = frame.trace[0][run.mask_column + k].exp(6u32.into())
        * polynom::eval(&interpolate(&lift), z)
        * polynom::eval(&exempt_rows(n, e), z)
        / (z.exp((n as u64).into()) - E::ONE);
    assert_eq!(polynom::eval(&beta, z), expected);

    let alphas: Vec<E> = (0..k)
        .map(|i| element(&transcript.composition[transcript.main_transition_constraints - k + i]))
        .collect();
    // The mask's part of an extension-valued functional Σ_s w_s·a_{i,s}·α_i, over the unknowns
    // a_{i,s} (the coefficients of A_1..A_k).
    let masked = |weights: &[E]| -> Vec<Vec<BaseElement>> {
        let spread: Vec<E> = (alphas.iter())
            .flat_map(|&alpha| weights.iter().map(move |&w| alpha * w))
            .collect();
        rows_of(&spread)
    };
    let g = E::from(omega(n));
    let queries = transcript.positions.len();
    let mut points: Vec<E> = query_points(run).into_iter().map(E::from).collect();
    points.extend([z, z * g]);
    // The A_i's own openings.
    let mut own = Vec::new();
    for (index, &y) in points.iter().enumerate() {
        let opening = powers(y, n);
        for i in 0..k {
            let rows = if index < queries {
                vec![opening.iter().map(|v| v.base_element(0)).collect()]
            } else {
                rows_of(&opening)
            };
            own.extend(rows.into_iter().map(|row| in_block(row, i, k)));
        }
    }
    let mut joint = Echelon::new(k * n);
    joint.extend(&own);
    let mut revealed = own.len();
    for j in 1..m {
        let mut segment = Echelon::new(k * n);
        for &y in &points {
            let rows = masked(&segment_at(&beta, j, y, n));
            segment.extend(&rows);
            joint.extend(&rows);
        }
        let coefficients = n.min(top + 1 - j * n);
        let values = E::EXTENSION_DEGREE * points.len().min(coefficients);
        println!(
            "{:?}, n = {n}, segment H_{j} of {m}: {coefficients} coefficients, {values} revealed \
             base values, mask rank {}",
            run.profile,
            segment.rank()
        );
        assert_eq!(segment.rank(), values, "segment {j} is not masked");
        revealed += values;
    }
    // Where FRI reveals the DEEP polynomial at a conjugate y of z or g·z, it reveals
    // Σ_j γ'_j·H_j(y) (the main columns there are public: T(y) is a conjugate of T(z); an
    // auxiliary column's value there is one of the functionals its random tail rows take), and
    // H_0(y) = Q(y) − Σ_{j≥1} y^{jn}·H_j(y) with Q(y) public: Σ_{j≥1} (γ'_j − γ'_0·y^{jn})·H_j(y).
    let span = fri_span::<E>(run);
    // The DEEP coefficients of the composition columns follow every trace column's.
    let width = run.proof.trace_info().width();
    let gamma = |j: usize| element::<E>(&transcript.deep[width + j]);
    let mut conjugate_points = conjugates(z);
    conjugate_points.extend(conjugates(z * g));
    conjugate_points.retain(|&y| reveals(&span, y, n));
    for &y in &conjugate_points {
        let mut weights = vec![E::ZERO; n];
        for j in 1..m {
            let c = gamma(j) - gamma(0) * y.exp(((j * n) as u64).into());
            for (w, value) in weights.iter_mut().zip(segment_at(&beta, j, y, n)) {
                *w += c * value;
            }
        }
        joint.extend(&masked(&weights));
        revealed += E::EXTENSION_DEGREE;
    }
    println!(
        "{:?}, n = {n}: {m} segments, the masks' own openings and {} conjugate points FRI \
         reveals, {revealed} revealed base values, joint mask rank {}",
        run.profile,
        conjugate_points.len(),
        joint.rank()
    );
    assert_eq!(joint.rank(), revealed);
}

// DEEP MASK
// ================================================================================================

/// Rows over the DEEP masks' coefficients `r_{c,s}` (`k + 1` blocks of `n`) of the functional
/// `Σ_u w_u·d_u` of their part of the DEEP polynomial,
/// `d_u = Σ_c γ_c·Σ_{s>u} r_{c,s}·(z^{s−1−u} + (g·z)^{s−1−u})`.
fn deep_rows<E: FieldElement<BaseField = BaseElement>>(
    weights: &[E],
    gammas: &[E],
    z: E,
    n: usize,
) -> Vec<Vec<BaseElement>> {
    let g = E::from(omega(n));
    // Σ_{u<s} w_u·y^{s−1−u} = y^{s−1}·Σ_{u<s} w_u·y^{−u}, by prefix sums.
    let entry = |y: E| {
        let inverse = y.inv();
        let mut prefix = E::ZERO;
        let mut scale = E::ONE; // y^{−u}
        let mut power = E::ONE; // y^{s−1}
        let mut values = vec![E::ZERO; n];
        for (s, value) in values.iter_mut().enumerate().skip(1) {
            if let Some(&w) = weights.get(s - 1) {
                prefix += w * scale;
            }
            scale *= inverse;
            if s > 1 {
                power *= y;
            }
            *value = power * prefix;
        }
        values
    };
    let (at_z, at_gz) = (entry(z), entry(z * g));
    let (at_z, at_gz) = (&at_z, &at_gz);
    let row: Vec<E> = (gammas.iter())
        .flat_map(|&gamma| (0..n).map(move |s| gamma * (at_z[s] + at_gz[s])))
        .collect();
    rows_of(&row)
}

/// What FRI reveals of the DEEP polynomial `D` (degree `n − 2`), as weights on its `n − 1`
/// coefficients: with no layer, the remainder is `D` itself; with one, `D`'s values on each
/// queried coset, and the remainder, the folding `Σ_j α^j·f_j` of `D = Σ_j x^j·f_j(x^8)`.
fn fri_functionals<E: FieldElement<BaseField = BaseElement>>(run: &Run) -> Vec<Vec<E>> {
    let n = run.trace.length();
    let proof = &run.proof;
    let folding = proof.options().to_fri_options().folding_factor();
    let remainder = remainder::<E>(run);
    let mut revealed: Vec<Vec<E>> = Vec::new();
    match proof.fri_proof.num_layers() {
        0 => {
            assert_eq!(remainder.len(), n);
            for u in 0..n - 1 {
                let mut unit = vec![E::ZERO; n - 1];
                unit[u] = E::ONE;
                revealed.push(unit);
            }
        }
        1 => {
            let lde = proof.lde_domain_size();
            let offset: BaseElement = proof.options().domain_offset();
            let g_lde = BaseElement::get_root_of_unity(lde.ilog2());
            let cosets = folded_positions(run, folding);
            for &position in &cosets {
                for j in 0..folding {
                    let x = offset * g_lde.exp((position + j * lde / folding) as u64);
                    revealed.push(powers(E::from(x), n - 1));
                }
            }
            // r_v = offset^((folding − 1)·v)·Σ_j α^j·d_{folding·v + j} (see check_folding).
            let alpha: E = element(&run.transcript.fri_alphas[0]);
            let rescale = offset.exp(folding as u64 - 1);
            for (v, scale) in powers(rescale, remainder.len()).into_iter().enumerate() {
                let mut weights = vec![E::ZERO; n - 1];
                for (j, power) in powers(alpha, folding).into_iter().enumerate() {
                    if let Some(w) = weights.get_mut(folding * v + j) {
                        *w = power.mul_base(scale);
                    }
                }
                revealed.push(weights);
            }
            check_folding::<E>(run, &cosets, &remainder);
        }
        layers => panic!("{layers} FRI layers: extend this test"),
    }
    revealed
}

/// The FRI remainder's coefficients, lowest first.
fn remainder<E: FieldElement<BaseField = BaseElement>>(run: &Run) -> Vec<E> {
    let mut remainder: Vec<E> =
        (run.proof.fri_proof.parse_remainder::<E>()).expect("the remainder parses");
    remainder.reverse();
    remainder
}

/// `y`'s conjugates other than itself: `y^p, y^(p²), …`.
fn conjugates<E: FieldElement<BaseField = BaseElement>>(y: E) -> Vec<E> {
    let mut conjugate = y;
    (1..E::EXTENSION_DEGREE)
        .map(|_| {
            conjugate = conjugate.exp(BaseElement::MODULUS.into());
            conjugate
        })
        .collect()
}

/// `(z + g·z)/2`, where each column's two DEEP quotients cancel.
fn x0<E: FieldElement<BaseField = BaseElement>>(run: &Run) -> E {
    let z: E = element(&run.transcript.z);
    z * (E::ONE + E::from(omega(run.trace.length()))) / E::from(BaseElement::new(2))
}

/// The span of what FRI reveals, over the DEEP polynomial's base coordinates.
fn fri_span<E: FieldElement<BaseField = BaseElement>>(run: &Run) -> Echelon {
    let n = run.trace.length();
    let mut span = Echelon::new(E::EXTENSION_DEGREE * (n - 1));
    for weights in fri_functionals::<E>(run) {
        span.extend(&rows_over_coordinates(&weights));
    }
    span
}

/// Whether FRI reveals `D(y)`.
fn reveals<E: FieldElement<BaseField = BaseElement>>(span: &Echelon, y: E, n: usize) -> bool {
    span.spans(&rows_over_coordinates(&powers(y, n - 1)))
}

fn the_deep_mask_covers_what_fri_reveals<E: FieldElement<BaseField = BaseElement>>(run: &Run) {
    let n = run.trace.length();
    let zk = run.profile.zk();
    let transcript = &run.transcript;
    let (k, masks) = (E::EXTENSION_DEGREE, zk.deep_mask_columns);
    let first = run.mask_column + zk.quotient_mask_columns + 1;
    let gammas: Vec<E> = (first..first + masks)
        .map(|c| element(&transcript.deep[c]))
        .collect();
    let z: E = element(&transcript.z);
    let g = E::from(omega(n));
    let span = fri_span::<E>(run);

    // The masks' own openings, and their part of every functional FRI reveals.
    let mut rows = Vec::new();
    for x in query_points(run) {
        let opening: Vec<BaseElement> = powers(x, n);
        rows.extend((0..masks).map(|c| in_block(opening.clone(), c, masks)));
    }
    for y in [z, z * g] {
        for c in 0..masks {
            rows.extend(
                rows_of(&powers(y, n))
                    .into_iter()
                    .map(|row| in_block(row, c, masks)),
            );
        }
    }
    let openings = rows.len();
    assert_eq!(rank(&rows, masks * n), openings);
    for weights in fri_functionals::<E>(run) {
        rows.extend(deep_rows(&weights, &gammas, z, n));
    }
    let measured = rank(&rows, masks * n);

    // Where the masks' part of D is a function of their openings: at x_q, at x₀ and at the
    // conjugates of z and g·z (the masks are base-field columns). Those of these values FRI
    // reveals are the only ones the masks cannot pad.
    let queries: Vec<E> = query_points(run).into_iter().map(E::from).collect();
    let mut others = vec![x0::<E>(run)];
    others.extend(conjugates(z));
    others.extend(conjugates(z * g));
    let revealed = |points: &[E]| points.iter().filter(|&&y| reveals(&span, y, n)).count();
    let (at_queries, elsewhere) = (revealed(&queries), revealed(&others));
    let expected = openings + span.rank() - k * (at_queries + elsewhere);
    println!(
        "{:?}, n = {n}, {} FRI layers: FRI reveals {} base values of the DEEP polynomial, among \
         them its value at {at_queries} of the {} query points and at {elsewhere} of x₀ and the \
         conjugates of z, g·z; the {masks} DEEP masks' openings {openings}; joint mask rank \
         {measured} (expected {expected})",
        run.profile,
        run.proof.fri_proof.num_layers(),
        span.rank(),
        queries.len(),
    );
    assert_eq!(measured, expected);
    if reveals(&span, x0::<E>(run), n) {
        // The value at x₀ is a function of the out-of-domain frame alone.
        let frame = ood::<E>(run);
        let x0 = x0::<E>(run);
        let from_ood = (frame.trace[1].iter().zip(&frame.trace[0]))
            .chain(frame.quotient[1].iter().zip(&frame.quotient[0]))
            .zip(&transcript.deep)
            .fold(E::ZERO, |acc, ((&next, &current), gamma)| {
                acc + element::<E>(gamma) * (next - current)
            })
            / (x0 - z);
        assert_eq!(polynom::eval(&remainder::<E>(run), x0), from_ood);
    }
}

/// The queried cosets of layer 0, in the order the proof opens them: the sorted query positions
/// modulo the folded domain's size, first occurrences kept (winter-fri's `fold_positions`).
fn folded_positions(run: &Run, folding: usize) -> Vec<usize> {
    let size = run.proof.lde_domain_size() / folding;
    let mut folded: Vec<usize> = Vec::new();
    for &position in &run.transcript.positions {
        if !folded.contains(&(position % size)) {
            folded.push(position % size);
        }
    }
    folded
}

/// The folding the test assumes is the one the proof used: each queried coset's opened values,
/// interpolated and folded with the layer's challenge, give the remainder's value there. (A
/// layer's domain is `offset·⟨g⟩` again: the remainder `r` is the folded polynomial `f'` in the
/// variable `w = x^folding/offset^(folding − 1)`.)
fn check_folding<E: FieldElement<BaseField = BaseElement>>(
    run: &Run,
    cosets: &[usize],
    remainder: &[E],
) {
    let proof = &run.proof;
    let lde = proof.lde_domain_size();
    let folding = proof.options().to_fri_options().folding_factor();
    let (values, _) = (proof.fri_proof.clone())
        .parse_layers::<E, Hash, MerkleTree<Hash>>(lde, folding)
        .expect("the FRI layers parse");
    let offset: BaseElement = proof.options().domain_offset();
    let g_lde = BaseElement::get_root_of_unity(lde.ilog2());
    let alpha: E = element(&run.transcript.fri_alphas[0]);
    let zeta = g_lde.exp((lde / folding) as u64);
    for (i, &position) in cosets.iter().enumerate() {
        let x = offset * g_lde.exp(position as u64);
        let xs: Vec<E> = (0..folding)
            .map(|j| E::from(x * zeta.exp(j as u64)))
            .collect();
        let local = polynom::interpolate(&xs, &values[0][i * folding..(i + 1) * folding], false);
        let w = x.exp(folding as u64) / offset.exp(folding as u64 - 1);
        assert_eq!(
            polynom::eval(remainder, E::from(w)),
            polynom::eval(&local, alpha),
            "coset {position} does not fold into the remainder"
        );
    }
}

// THE TESTS
// ================================================================================================

/// A proof of the linear target at `profile`'s smallest trace (256 rows for `default`, 512 for
/// `high`), where the composition has the most segments.
fn smallest(profile: Profile) -> Run {
    type Linear = crate::linear::LinearBody;
    let mut q: Vec<_> = (0..<Linear as Model>::FEATURES as u16)
        .map(|f| Some(977 * f))
        .collect();
    target::set_indicators::<Linear>(&mut q, 0);
    let statement = target::statement::<Linear>(&q);
    let run = target::run(&statement, &q, profile, &mut crate::testing::rng(0xC0DE));
    assert_eq!(
        run.trace.length(),
        profile.zk().trace_length(1, &profile.options())
    );
    run
}

/// A proof over 1024 rows (a tree ensemble of 600 node rows), where the composition has one
/// segment fewer than at the smallest traces.
fn tall(profile: Profile) -> Run {
    let (statement, q) = target::tall_trees();
    let run = target::run(&statement, &q, profile, &mut crate::testing::rng(0x7A11));
    assert_eq!(run.trace.length(), 1024);
    run
}

macro_rules! at_both_profiles {
    ($($name:ident: $test:ident on $proof:ident),* $(,)?) => {
        mod default {
            use super::*;
            $(#[test]
            fn $name() {
                let run = $proof(Profile::Default);
                in_extension!(&run, $test);
            })*
        }
        mod high {
            use super::*;
            $(#[test]
            fn $name() {
                let run = $proof(Profile::High);
                in_extension!(&run, $test);
            })*
        }
    };
}

at_both_profiles!(
    tail_rows_at_the_smallest_trace: the_tail_rows_take_every_point_independently on smallest,
    tail_rows_at_1024_rows: the_tail_rows_take_every_point_independently on tall,
    composition_segments_at_the_smallest_trace: every_composition_segment_is_masked on smallest,
    composition_segments_at_1024_rows: every_composition_segment_is_masked on tall,
    deep_mask_at_the_smallest_trace: the_deep_mask_covers_what_fri_reveals on smallest,
);
