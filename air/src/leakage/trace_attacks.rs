//! The attacks on the trace openings, each run against every production AIR under both
//! production profiles: unmasked proofs give the witness away, masked ones are consistent with
//! any input.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::Trace;

use super::target::{self, Model, Profile, Proved};
use super::*;
use crate::input::{feature_element, Feature};

fn zero() -> BaseElement {
    BaseElement::ZERO
}

fn masked() -> impl FnMut() -> BaseElement {
    crate::testing::rng(0x1EA4)
}

/// Pseudo-random 16-bit features (codes of the categorical ones), but the model's
/// [`Model::MISSING`] ones.
fn features<M: Model>() -> Vec<Feature> {
    let mut next = crate::testing::rng(0x5EED);
    let mut q: Vec<Feature> = (0..M::FEATURES)
        .map(|f| Some(code::<M>(f, next().as_int() as u16)).filter(|_| !M::MISSING.contains(&f)))
        .collect();
    target::set_indicators::<M>(&mut q, 1);
    q
}

/// An arbitrary other input, none missing: `[0, 1111, 2222, …] mod 2^16`, for the
/// categorical features the code after [`features`]', and each one-hot group's other indicator.
fn other_features<M: Model>() -> Vec<Feature> {
    let real = features::<M>();
    let mut other = (0..M::FEATURES)
        .map(|f| match M::CATEGORICAL.contains(&f) {
            true => Some(code::<M>(f, real[f].map_or(0, |c| c + 1))),
            false => Some((1111 * f % 65536) as u16),
        })
        .collect::<Vec<_>>();
    target::set_indicators::<M>(&mut other, 0);
    other
}

/// `value` as feature `f` of `M`: reduced to a code if the feature is categorical.
fn code<M: Model>(f: usize, value: u16) -> u16 {
    match M::CATEGORICAL.contains(&f) {
        true => value % M::CATEGORY_CODES,
        false => value,
    }
}

/// The values every solution agrees on, for `unknowns`.
fn recovered(solution: &Solution, unknowns: &[usize]) -> Vec<Option<BaseElement>> {
    unknowns.iter().map(|&u| solution.determined(u)).collect()
}

/// The equations `proved` gives about `column`, in the layout's unknowns; every other cell
/// `t` known to be `known[t]`.
fn attack(proved: &Proved, column: usize, known: &[BaseElement]) -> System {
    let layout = &proved.layout;
    proved
        .equations(column)
        .in_unknowns(layout.unknowns(), |t| {
            layout
                .cell(column, t)
                .unwrap_or_else(|| Cell::known(known[t]))
        })
}

against_every_air!(
    the_revealed_values_are_those_of_the_trace_columns,
    an_unmasked_range_check_column_reveals_every_feature,
    unmasked_witness_columns_reveal_their_values,
    a_masked_proof_defeats_the_naive_attack,
    a_masked_proof_is_consistent_with_any_input,
    fresh_randomness_gives_a_different_proof,
);

fn the_revealed_values_are_those_of_the_trace_columns<M: Model>(profile: Profile) {
    // Checks the machinery (z, positions, x_q, Lagrange basis, parsing): the real columns
    // explain every revealed value, and a perturbed one does not.
    for random in [&mut zero as &mut dyn FnMut() -> BaseElement, &mut masked()] {
        let proved = target::prove::<M>(&features::<M>(), profile, random);
        for column in proved.layout.columns() {
            let equations = proved.equations(column);
            let mut cells = proved.cells(column);
            assert!(equations.satisfied_by(&cells), "column {column}");
            cells[3] += BaseElement::ONE;
            assert!(!equations.satisfied_by(&cells));
        }
    }
}

fn an_unmasked_range_check_column_reveals_every_feature<M: Model>(profile: Profile) {
    let q = features::<M>();
    let proved = target::prove::<M>(&q, profile, &mut zero);
    let layout = &proved.layout;
    // The attacker knows the structure: every non-feature cell is what the honest
    // computation puts there (public-derivable rows, a zero tail).
    let system = attack(&proved, layout.x, &proved.cells(layout.x));
    let solution = system.solve();
    println!(
        "{}, unmasked, range-check column: {} equations, {} unknowns (the features, on {} \
         rows), rank {}, n = {}",
        M::NAME,
        system.equations(),
        M::FEATURES,
        layout.feature_reads(),
        solution.rank,
        proved.trace.length()
    );
    assert!(solution.consistent);
    // The features, and whatever else the body keeps in `x` (a network's halves).
    assert_eq!(solution.rank, layout.unknowns_in(layout.x).len());
    let features: Vec<usize> = (0..M::FEATURES).collect();
    let expected: Vec<_> = q.iter().map(|&v| Some(feature_element(v))).collect();
    assert_eq!(recovered(&solution, &features), expected);
}

fn unmasked_witness_columns_reveal_their_values<M: Model>(profile: Profile) {
    let proved = target::prove::<M>(&features::<M>(), profile, &mut zero);
    let layout = &proved.layout;
    let real = layout.values(&proved.trace);
    // A shift column repeats the features a few rows up: recovered. So are the walk columns'
    // cells, e.g. every decision and path indicator of a tree walk.
    let walk = layout.walk_columns();
    for &column in layout.shifts.iter().chain(&walk) {
        let system = attack(&proved, column, &proved.cells(column));
        let solution = system.solve();
        let unknowns = layout.unknowns_in(column);
        if walk.contains(&column) {
            println!(
                "{}, unmasked, walk column {column}: {} equations, {} unknowns, rank {}",
                M::NAME,
                system.equations(),
                unknowns.len(),
                solution.rank
            );
        }
        let expected: Vec<_> = unknowns.iter().map(|&u| Some(real[u])).collect();
        assert_eq!(recovered(&solution, &unknowns), expected, "column {column}");
    }
    // An affine column (a linear model's running score) gives the features it sums away.
    for &(column, _) in &layout.affine {
        let solution = attack(&proved, column, &proved.cells(column)).solve();
        assert!(solution.consistent);
        let features: Vec<usize> = (0..M::FEATURES).collect();
        let found = recovered(&solution, &features);
        assert!(found
            .iter()
            .zip(&real)
            .all(|(f, &v)| f.is_none_or(|f| f == v)));
        assert!(
            found.iter().flatten().count() > 0,
            "column {column} reveals no feature"
        );
    }
}

fn a_masked_proof_defeats_the_naive_attack<M: Model>(profile: Profile) {
    let q = features::<M>();
    let proved = target::prove::<M>(&q, profile, &mut masked());
    let column = proved.layout.x;
    // What the unmasked attack assumes: the honest trace with a zero tail.
    let (_, unmasked) = target::trace::<M>(&q, profile, &mut zero);
    let system = attack(&proved, column, &target::cells(&unmasked, column));
    let solution = system.solve();
    let right = |solution: &Solution| {
        (0..M::FEATURES)
            .filter(|&f| solution.determined(f) == Some(feature_element(q[f])))
            .count()
    };
    // A square subsystem always has an answer: it is wrong.
    let square = system.first(M::FEATURES).solve();
    println!(
        "{}, masked, naive: {} equations, {} unknowns, rank {}, consistent {}, {} features \
         right; first {} equations: rank {}, {} features right",
        M::NAME,
        system.equations(),
        M::FEATURES,
        solution.rank,
        solution.consistent,
        right(&solution),
        M::FEATURES,
        square.rank,
        right(&square)
    );
    assert_eq!(right(&solution), 0);
    assert_eq!(square.rank, M::FEATURES);
    assert_eq!(right(&square), 0);
}

/// Measured by [`assert_hides`].
#[derive(Debug)]
struct Hiding {
    equations: usize,
    unknowns: usize,
    rank: usize,
    random_rank: usize,
    projected: usize,
}

/// The structure-aware attack on `columns` of a masked proof, jointly: the unknowns are the
/// layout's (the features and the walk cells) plus every column's random tail rows, every
/// other cell known. Asserts that the random rows alone absorb the openings (rank = number
/// of equations = rank on the random rows), that the solution space projects onto every
/// assignment of the layout's unknowns, and that those fixed to `other` leave the system
/// consistent.
fn assert_hides(proved: &Proved, columns: &[usize], other: &[BaseElement]) -> Hiding {
    let layout = &proved.layout;
    let (secrets, tail) = (layout.unknowns(), layout.tail);
    let r = proved.trace.length() - tail;
    let unknowns = secrets + r * columns.len();
    let equations: Vec<ColumnEquations> = columns
        .iter()
        .map(|&column| proved.equations(column))
        .collect();
    // The column's cells, with the layout's unknowns mapped through `real`.
    let build = |real: &dyn Fn(Cell) -> Cell| {
        let systems: Vec<System> = (columns.iter().zip(&equations).enumerate())
            .map(|(i, (&column, equations))| {
                equations.in_unknowns(unknowns, |t| match layout.cell(column, t) {
                    _ if t >= tail => Cell::unknown(secrets + r * i + t - tail),
                    Some(cell) => real(cell),
                    None => Cell::known(proved.trace.get(column, t)),
                })
            })
            .collect();
        System::stack(&systems)
    };
    let system = build(&|cell| cell);
    let solution = system.solve();
    let random: Vec<usize> = (secrets..unknowns).collect();
    let secret: Vec<usize> = (0..secrets).collect();
    let hiding = Hiding {
        equations: system.equations(),
        unknowns,
        rank: solution.rank,
        random_rank: rank(&system.restricted_to(&random).rows, random.len()),
        projected: solution.projected_dimension(&secret),
    };
    assert!(solution.consistent);
    assert_eq!(hiding.rank, hiding.equations, "{hiding:?}");
    assert_eq!(hiding.random_rank, hiding.equations, "{hiding:?}");
    assert_eq!(hiding.projected, secrets, "{hiding:?}");
    // The secrets fixed to another input: the tails alone explain the openings.
    let fixed = build(&|cell| {
        let value = (cell.terms.iter()).fold(cell.constant, |acc, &(u, k)| acc + k * other[u]);
        Cell::known(value)
    });
    assert!(
        fixed.solve().consistent,
        "not consistent with another input"
    );
    hiding
}

fn a_masked_proof_is_consistent_with_any_input<M: Model>(profile: Profile) {
    let proved = target::prove::<M>(&features::<M>(), profile, &mut masked());
    let layout = &proved.layout;
    // Another input, and the walk it takes.
    let (_, other_trace) = target::trace::<M>(&other_features::<M>(), profile, &mut zero);
    let other = layout.values(&other_trace);
    let real = layout.values(&proved.trace);
    let (features, walk) = (0..M::FEATURES, M::FEATURES..layout.unknowns());
    assert!(features.clone().all(|u| other[u] != real[u]));
    assert!(walk.is_empty() || other[walk.clone()] != real[walk]);

    // The range-check column: features on their rows, the other real cells known (even
    // taken from the real trace).
    let hiding = assert_hides(&proved, &[layout.x], &other);
    println!(
        "{}, masked, structure-aware, range-check column: {} equations, {} unknowns ({} \
         random rows, n = {}), rank {}, rank on the random rows alone {}, projected \
         dimension {} of {} secrets ({} features)",
        M::NAME,
        hiding.equations,
        hiding.unknowns,
        hiding.unknowns - layout.unknowns(),
        proved.trace.length(),
        hiding.rank,
        hiding.random_rank,
        hiding.projected,
        layout.unknowns(),
        M::FEATURES
    );
    // Every other column holding a secret, alone.
    for column in layout.columns().into_iter().skip(1) {
        let hiding = assert_hides(&proved, &[column], &other);
        println!("{}, masked, column {column}: {hiding:?}", M::NAME);
    }
    // Several columns at once, sharing the unknowns.
    let mut joint = vec![layout.x];
    joint.extend(layout.affine.iter().map(|&(column, _)| column));
    joint.extend(layout.walk_columns());
    joint.extend([layout.shifts[0], layout.shifts[layout.shifts.len() - 1]]);
    let hiding = assert_hides(&proved, &joint, &other);
    println!(
        "{}, masked, structure-aware, {} columns jointly: {hiding:?}",
        M::NAME,
        joint.len()
    );
}

fn fresh_randomness_gives_a_different_proof<M: Model>(profile: Profile) {
    let q = features::<M>();
    let a = target::prove::<M>(&q, profile, &mut crate::testing::rng(1));
    let b = target::prove::<M>(&q, profile, &mut crate::testing::rng(2));
    assert_ne!(a.proof.to_bytes(), b.proof.to_bytes());
    let column = a.layout.x;
    assert_ne!(a.equations(column).values, b.equations(column).values);
}

// THE LOOKUP'S RUNNING SUM
// ================================================================================================

/// The auxiliary column of a proof, as the prover built it, in base coordinates
/// (coordinate-major, the order of [`aux_equations`]).
fn running_sum_coordinates<M: Model, E: FieldElement<BaseField = BaseElement>>(
    proved: &Proved,
    q: &[Feature],
    profile: Profile,
) -> Vec<BaseElement> {
    let statement = target::statement::<M>(q);
    let rand: Vec<E> = (proved.transcript.aux_rands.iter())
        .map(|coordinates| E::slice_from_base_elements(coordinates)[0])
        .collect();
    // The randomness `testing::prove_with` gives the prover.
    let mut random = crate::testing::rng(0xA0C5);
    let column = crate::inference::build_aux_trace::<_, E>(
        &statement,
        proved.trace.main_segment(),
        &rand,
        &profile.options(),
        &mut random,
    )
    .get_column(0)
    .to_vec();
    (0..E::EXTENSION_DEGREE)
        .flat_map(|c| column.iter().map(move |v| v.base_element(c)))
        .collect()
}

/// The running sum's openings are explained by the real column, and absorbed by its random
/// rows alone: every assignment of its real cells (another input's sum, say) is consistent
/// with them.
fn the_running_sum_is_hidden<M: Model, E: FieldElement<BaseField = BaseElement>>(profile: Profile) {
    let q = features::<M>();
    let proved = target::prove::<M>(&q, profile, &mut masked());
    let equations = aux_equations::<crate::testing::Vc>(&proved.proof, &proved.transcript);
    let mut real = running_sum_coordinates::<M, E>(&proved, &q, profile);
    assert!(equations.satisfied_by(&real));
    real[3] += BaseElement::ONE;
    assert!(!equations.satisfied_by(&real));
    real[3] -= BaseElement::ONE;

    let (n, k, tail) = (
        proved.trace.length(),
        E::EXTENSION_DEGREE,
        proved.layout.tail,
    );
    let cells = k * n;
    let is_secret = |i: usize| i % n < tail;
    let system = equations.in_unknowns(cells, Cell::unknown);
    let solution = system.solve();
    let secrets: Vec<usize> = (0..cells).filter(|&i| is_secret(i)).collect();
    let random: Vec<usize> = (0..cells).filter(|&i| !is_secret(i)).collect();
    let random_rank = rank(&system.restricted_to(&random).rows, random.len());
    let projected = solution.projected_dimension(&secrets);
    println!(
        "{}, {profile:?}, the lookup's running sum: {} equations over {cells} base cells \
         ({} of them on the random rows), rank {}, rank on the random rows {random_rank}, \
         projected dimension {projected} of {} real cells",
        M::NAME,
        system.equations(),
        random.len(),
        solution.rank,
        secrets.len(),
    );
    assert!(solution.consistent);
    assert_eq!(solution.rank, system.equations());
    assert_eq!(random_rank, system.equations());
    assert_eq!(projected, secrets.len());
    // Another input's running sum on the real rows: the random rows alone explain the openings.
    let other = target::prove::<M>(&other_features::<M>(), profile, &mut zero);
    let other = running_sum_coordinates::<M, E>(&other, &other_features::<M>(), profile);
    let fixed = equations.in_unknowns(cells, |i| match is_secret(i) {
        true => Cell::known(other[i]),
        false => Cell::unknown(i),
    });
    assert!(
        fixed.solve().consistent,
        "not consistent with another input"
    );
}

mod running_sum {
    use winterfell::math::fields::f64::BaseElement;
    use winterfell::math::fields::{CubeExtension, QuadExtension};

    use super::super::target::{PathTrees, Profile};
    use crate::mlp::MlpBody;
    use crate::trees::TreeBody;

    #[test]
    fn default() {
        super::the_running_sum_is_hidden::<TreeBody, QuadExtension<BaseElement>>(Profile::Default);
    }

    #[test]
    fn high() {
        super::the_running_sum_is_hidden::<TreeBody, CubeExtension<BaseElement>>(Profile::High);
    }

    #[test]
    fn paths_default() {
        super::the_running_sum_is_hidden::<PathTrees, QuadExtension<BaseElement>>(Profile::Default);
    }

    #[test]
    fn paths_high() {
        super::the_running_sum_is_hidden::<PathTrees, CubeExtension<BaseElement>>(Profile::High);
    }

    #[test]
    fn mlp_default() {
        super::the_running_sum_is_hidden::<MlpBody, QuadExtension<BaseElement>>(Profile::Default);
    }

    #[test]
    fn mlp_high() {
        super::the_running_sum_is_hidden::<MlpBody, CubeExtension<BaseElement>>(Profile::High);
    }
}
