//! Everything the tests need to know about the AIRs under attack. Every production AIR is an
//! [`InferenceAir`](crate::inference::InferenceAir) with a model-specific body, so proving,
//! replaying the verifier and where the features live (the input block) are shared; a
//! [`Model`] adds a statement for given features and the cells its body computes from them.
//! [`Layout`] says which cells hold which of the attacker's unknowns. Every proof is made with
//! the options of a production profile ([`Profile`]). Re-point this module when the layout
//! changes or for another body.
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::{ExtensionOf, FieldElement};
use winterfell::{AcceptableOptions, Proof, ProofOptions, Trace, TraceTable};

use super::{Cell, ColumnEquations, Transcript};
use crate::disclosure::felt;
use crate::inference::{build_trace, Body, InferenceAir, Statement};
use crate::input::{feature_row, present_values, Feature};
use crate::linear::LinearBody;
use crate::mlp::{self, Activation, Dense, MlpBody, Network};
use crate::testing::{salt, Vc};
use crate::trees::walk::{self, Ensemble, Tree};
use crate::trees::TreeBody;
use crate::zk::ZkParams;

/// A production profile: its options are exactly those zkinfer proves with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Default,
    High,
}

impl Profile {
    pub fn options(self) -> ProofOptions {
        match self {
            Profile::Default => crate::profiles::default_options(),
            Profile::High => crate::profiles::high_options(),
        }
    }

    pub fn zk(self) -> ZkParams {
        ZkParams::for_options(&self.options())
    }
}

/// A model under attack: a body, and its statement for any features.
pub trait Model: Body + 'static {
    const NAME: &'static str;
    const FEATURES: usize;
    /// The features the attacked input misses (bodies that accept missing features).
    const MISSING: &'static [usize] = &[];
    /// The categorical features, and the codes each takes (bodies with categorical features).
    const CATEGORICAL: &'static [usize] = &[];
    const CATEGORY_CODES: u16 = 0;
    /// The groups of one-hot indicators (bodies that read categorical features that way).
    const ONE_HOT: &'static [core::ops::Range<usize>] = &[];
    /// The body for features `q` and the scores it computes.
    fn body_and_scores(q: &[Feature]) -> (Self, Vec<i64>);
    /// The body's cells that depend on the features but not affinely, as groups of
    /// `(column, row)` cells holding one unknown each (a value carried over several rows);
    /// `tail` is the first random row.
    fn walk_cells(statement: &Statement<Self>, tail: usize) -> Vec<Vec<(usize, usize)>>;
    /// The body's columns holding an affine function of the features on every real row (a
    /// running sum over the feature rows), with that function on each of the `tail` real rows.
    fn affine_columns(statement: &Statement<Self>, tail: usize) -> Vec<(usize, Vec<Cell>)>;
}

/// The running sums `bias + Σ_{f: row(f) < r} w_f·q_f` on rows `r < tail`, as cells in the
/// feature unknowns.
fn running_sum(weights: &[i64], bias: i64, tail: usize) -> Vec<Cell> {
    let mut cell = Cell::known(felt(bias));
    let mut cells = Vec::with_capacity(tail);
    for row in 0..tail {
        cells.push(cell.clone());
        if let Some(&w) = row.checked_sub(feature_row(0)).and_then(|f| weights.get(f)) {
            let f = row - feature_row(0);
            cell.terms.push((f, felt(w)));
        }
    }
    cells
}

/// Sets each one-hot group of `q` to the indicators of its category `choice` (none if that is
/// past the group's last).
pub fn set_indicators<M: Model>(q: &mut [Feature], choice: usize) {
    for group in M::ONE_HOT {
        for (k, f) in group.clone().enumerate() {
            q[f] = Some(u16::from(k == choice));
        }
    }
}

/// The statement for features `q`: the scores disclosed, no comparisons (so every real
/// cell of `x` off the feature reads is public).
pub fn statement<M: Model>(q: &[Feature]) -> Statement<M> {
    assert_eq!(q.len(), M::FEATURES);
    let (body, scores) = M::body_and_scores(q);
    crate::testing::statement(body, q, scores)
}

/// One score with fixed pseudo-random weights, the last two features a categorical one's
/// indicators: the score column and the group's running sum are affine in the features.
impl Model for LinearBody {
    const NAME: &'static str = "linear";
    const FEATURES: usize = 30;
    const ONE_HOT: &'static [core::ops::Range<usize>] = &[core::ops::Range { start: 28, end: 30 }];

    fn body_and_scores(q: &[Feature]) -> (LinearBody, Vec<i64>) {
        let q = present_values(q);
        let body = LinearBody {
            weights: vec![(0..q.len() as i64)
                .map(|f| (f * 7919) % 2001 - 1000)
                .collect()],
            bias: vec![-12345],
            one_hot: Self::ONE_HOT.to_vec(),
        };
        let scores = body.scores(&q);
        (body, scores)
    }

    fn walk_cells(_: &Statement<LinearBody>, _: usize) -> Vec<Vec<(usize, usize)>> {
        Vec::new()
    }

    fn affine_columns(statement: &Statement<LinearBody>, tail: usize) -> Vec<(usize, Vec<Cell>)> {
        let body = &statement.body;
        let column = statement.body_column() + body.scores_column();
        let mut affine = vec![(column, running_sum(&body.weights[0], body.bias[0], tail))];
        // `g` sums each group's indicators on its rows, and is zero elsewhere.
        let g = statement.input().group_sum().expect("one-hot groups");
        let mut sums = vec![Cell::known(BaseElement::ZERO); tail];
        for group in Self::ONE_HOT {
            let mut sum = Cell::known(BaseElement::ZERO);
            for f in group.clone() {
                sum.terms.push((f, BaseElement::ONE));
                sums[feature_row(f)] = sum.clone();
            }
        }
        affine.push((g, sums));
        affine
    }
}

/// Five complete trees of depths 3, 2, 3, 2, 2 (23 node rows) over 24 features, which may be
/// missing, the last four categorical, and two scores, pseudo-random features, thresholds and
/// categories: the walk's decisions `B` and path indicators `IND` on the node rows, each
/// feature's missing flag `m` (on its row and the rows reading it), and the run table's
/// multiplicities (which run each categorical split reads), are its secrets beyond the
/// features. The attacked input misses two features.
impl Model for TreeBody {
    const NAME: &'static str = "trees";
    const FEATURES: usize = 24;
    const MISSING: &'static [usize] = &[3, 17];
    const CATEGORICAL: &'static [usize] = &[20, 21, 22, 23];
    const CATEGORY_CODES: u16 = 40;

    fn body_and_scores(q: &[Feature]) -> (TreeBody, Vec<i64>) {
        let shapes = [
            (3, Some(0)),
            (2, None),
            (3, Some(1)),
            (2, Some(0)),
            (2, None),
        ];
        let ensemble = Ensemble {
            missing: true,
            category_codes: tree_category_codes(),
            num_features: Self::FEATURES,
            num_scores: 2,
            base: vec![100, -100],
            trees: (shapes.iter().enumerate())
                .map(|(k, &(depth, target))| complete_tree(k, depth, target))
                .collect(),
        };
        let scores = evaluate(&ensemble, q);
        (TreeBody::new(ensemble).expect("a valid ensemble"), scores)
    }

    fn walk_cells(statement: &Statement<TreeBody>, _: usize) -> Vec<Vec<(usize, usize)>> {
        let (at, first) = (statement.body_column(), statement.body_row());
        let nodes = statement.body.rows();
        let mut groups: Vec<Vec<(usize, usize)>> = [walk::B, walk::IND]
            .into_iter()
            .flat_map(|column| (first..first + nodes).map(move |row| vec![(at + column, row)]))
            .collect();
        let m = statement
            .input()
            .missing()
            .expect("features may be missing");
        groups.extend((0..Self::FEATURES).map(|f| {
            let reads = (0..nodes).filter(|&i| statement.body.reads(i) == Some(f));
            let mut cells = vec![(m, feature_row(f))];
            cells.extend(reads.map(|i| (m, first + i)));
            cells
        }));
        let walk = statement.body.walk();
        let runs = (0..walk.runs()).map(|r| walk.table_cell(r));
        groups.extend(runs.map(|(k, row)| vec![(at + walk.multiplicity(k), row)]));
        groups
    }

    fn affine_columns(_: &Statement<TreeBody>, _: usize) -> Vec<(usize, Vec<Cell>)> {
        Vec::new()
    }
}

/// Ten features, ReLU hidden layers of 4 and 3 neurons with pseudo-random weights, two scores,
/// computed two neurons a pass: the first layer's second pass reads the features again, the
/// second layer's its inputs, the first layer's activations, through the lookup. Every
/// neuron's sign bit and halves, every activation read again, and every value an accumulator
/// carries but zero (and the disclosed scores) are its secrets.
impl Model for MlpBody {
    const NAME: &'static str = "mlp";
    const FEATURES: usize = 10;

    fn body_and_scores(q: &[Feature]) -> (MlpBody, Vec<i64>) {
        let q = present_values(q);
        let dense = |outputs: usize, inputs: usize, spread: i64, bias: i64| Dense {
            weights: (0..outputs)
                .map(|j| {
                    (0..inputs)
                        .map(|i| {
                            ((j as i64 * 7919 + i as i64 * 104_729) % (2 * spread + 1)) - spread
                        })
                        .collect()
                })
                .collect(),
            bias: (0..outputs)
                .map(|j| if j % 2 == 0 { bias } else { -bias })
                .collect(),
        };
        let network = Network {
            num_features: Self::FEATURES,
            activation: Activation::Relu,
            hidden: vec![dense(4, 10, 300, 2_000_000), dense(3, 4, 100, 50_000)],
            output: dense(2, 3, 50, 1000),
            one_hot: Vec::new(),
        };
        let body = MlpBody::in_passes(network, 2).expect("a valid network");
        assert!(body.num_fractions() > 0, "activations read again");
        let (_, scores) = body.network().evaluate(&q);
        (body, scores)
    }

    fn walk_cells(statement: &Statement<MlpBody>, tail: usize) -> Vec<Vec<(usize, usize)>> {
        let body = &statement.body;
        let (at, first) = (statement.body_column(), statement.body_row());
        let input = statement.input();
        // `x` on a row, and the shift cells that repeat it on the rows above.
        let x = |row: usize| {
            let mut cells = vec![(input.x(), row)];
            cells.extend(
                (1..crate::rescue::RATE_WIDTH.min(row + 1)).map(|j| (input.shift(j), row - j)),
            );
            cells
        };
        let mut groups = Vec::new();
        for g in 0..body.num_neurons() {
            let row = first + body.first_row(g);
            groups.extend([vec![(at + mlp::B, row)], x(row), x(row + 1)]);
            // Its activation, wherever a later pass reads it again.
            let id = Some(Self::FEATURES + g);
            let reads = (0..body.rows()).filter(|&r| body.reads(r) == id);
            let cells: Vec<_> = reads.flat_map(|r| x(first + r)).collect();
            if !cells.is_empty() {
                groups.push(cells);
            }
        }
        // Every run of rows over which an accumulator holds one secret value: from the first
        // row it adds a weighted input on, until it adds another or its bank shifts (taking the
        // value above, or a zero at the top). The disclosed scores' last runs are public.
        let periodic = body.periodic_columns(first, tail);
        let weights = &periodic[mlp::FLAGS..mlp::FLAGS + body.num_accumulators()];
        // The row each accumulator's secret run started on, or `None` while it is public.
        let mut secret: Vec<Option<usize>> = vec![None; body.num_accumulators()];
        for row in 0..tail {
            let before = secret.clone();
            for (k, run) in secret.iter_mut().enumerate() {
                let fed = weights[k][row] != BaseElement::ZERO;
                let shifted = body
                    .bank_of(k)
                    .filter(|&(bank, _)| periodic[bank][row] != BaseElement::ZERO);
                if !fed && shifted.is_none() {
                    continue;
                }
                if let Some(start) = before[k] {
                    groups.push((start..=row).map(|r| (at + mlp::B + 1 + k, r)).collect());
                }
                let banks = body.layout().banks;
                let above =
                    shifted.is_some_and(|(bank, i)| i + 1 < banks[bank] && before[k + 1].is_some());
                *run = (fed || above).then_some(row + 1);
            }
        }
        for (k, run) in secret.into_iter().enumerate() {
            if let Some(start) = run.filter(|_| body.bank_of(k).is_some()) {
                groups.push((start..tail).map(|r| (at + mlp::B + 1 + k, r)).collect());
            }
        }
        groups
    }

    fn affine_columns(_: &Statement<MlpBody>, _: usize) -> Vec<(usize, Vec<Cell>)> {
        Vec::new()
    }
}

/// A tree ensemble in the path layout ([`crate::trees::path`]): three complete trees of depths
/// 3, 2, 2 (7 step rows), numeric and each adding to one of two scores, over the tree target's
/// 24 features, which may be missing.
/// Its secrets beyond the features: on every step row, the visited split's entry, the decision,
/// the feature read (`x` and the shift cells repeating it), its `m`, and the running scores;
/// the feature table's multiplicities on the feature rows and the split table's in every slot.
/// The attacked input misses two features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathTrees(TreeBody);

impl Model for PathTrees {
    const NAME: &'static str = "path trees";
    const FEATURES: usize = 24;
    const MISSING: &'static [usize] = &[3, 17];

    fn body_and_scores(q: &[Feature]) -> (PathTrees, Vec<i64>) {
        // Few steps: an unmasked proof's openings then determine every unknown of a column.
        let shapes = [(3, 0), (2, 1), (2, 1)];
        let ensemble = Ensemble {
            missing: true,
            category_codes: Vec::new(),
            num_features: Self::FEATURES,
            num_scores: 2,
            base: vec![100, -100],
            trees: (shapes.iter().enumerate())
                .map(|(k, &(depth, target))| {
                    let mut tree = complete_tree(k, depth, Some(target));
                    tree.categories = Vec::new();
                    // The tree target's categorical features read as numeric ones here.
                    for (i, threshold) in tree.threshold.iter_mut().enumerate() {
                        *threshold = ((k * 7919 + i * 104_729) % 65_537) as i64;
                    }
                    tree
                })
                .collect(),
        };
        let scores = evaluate(&ensemble, q);
        let body = TreeBody::pathing(ensemble).expect("a valid ensemble");
        assert!(body.path().is_some(), "the path layout");
        (PathTrees(body), scores)
    }

    fn walk_cells(statement: &Statement<PathTrees>, tail: usize) -> Vec<Vec<(usize, usize)>> {
        let path = statement.body.0.path().expect("the path layout");
        let (at, first) = (statement.body_column(), statement.body_row());
        let steps = first..first + path.num_rows();
        let input = statement.input();
        let m = input.missing().expect("features may be missing");
        let mut groups = Vec::new();
        for row in steps.clone() {
            // The entry, the decision and the running scores before the step.
            let columns = (0..=path.b()).chain((0..path.num_scores()).map(|c| path.acc(c)));
            groups.extend(columns.map(|column| vec![(at + column, row)]));
            let mut x = vec![(input.x(), row)];
            x.extend((1..crate::rescue::RATE_WIDTH).map(|j| (input.shift(j), row - j)));
            groups.extend([x, vec![(m, row)]]);
        }
        let rows = (0..Self::FEATURES).map(feature_row);
        groups.extend(rows.clone().map(|row| vec![(m, row)]));
        groups.extend(rows.map(|row| vec![(at + path.feature_multiplicity(), row)]));
        for k in 0..path.table_slots() {
            let rows = 0..path.table_rows().min(tail);
            groups.extend(rows.map(|row| vec![(at + path.multiplicity(k), row)]));
        }
        groups
    }

    fn affine_columns(_: &Statement<PathTrees>, _: usize) -> Vec<(usize, Vec<Cell>)> {
        Vec::new()
    }
}

/// [`PathTrees`] is its tree body.
impl Body for PathTrees {
    fn num_features(&self) -> usize {
        self.0.num_features()
    }
    fn num_scores(&self) -> usize {
        self.0.num_scores()
    }
    fn accepts_missing(&self) -> bool {
        self.0.accepts_missing()
    }
    fn rows(&self) -> usize {
        self.0.rows()
    }
    fn reads(&self, row: usize) -> Option<usize> {
        self.0.reads(row)
    }
    fn width(&self) -> usize {
        self.0.width()
    }
    fn scores_column(&self) -> usize {
        self.0.scores_column()
    }
    fn degrees(&self, trace_length: usize) -> Vec<winterfell::TransitionConstraintDegree> {
        self.0.degrees(trace_length)
    }
    fn constraint_labels(&self) -> Vec<String> {
        self.0.constraint_labels()
    }
    fn initial_value_labels(&self) -> Vec<String> {
        self.0.initial_value_labels()
    }
    fn periodic_columns(&self, first_row: usize, trace_length: usize) -> Vec<Vec<BaseElement>> {
        self.0.periodic_columns(first_row, trace_length)
    }
    fn num_periodic_columns(&self) -> usize {
        self.0.num_periodic_columns()
    }
    fn enforce<E: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[E],
        next: &[E],
        host: crate::inference::Host<E>,
        periodic: &[E],
        result: &mut [E],
    ) {
        self.0.enforce(current, next, host, periodic, result)
    }
    fn initial_values(&self) -> Vec<(usize, BaseElement)> {
        self.0.initial_values()
    }
    fn fill(
        &self,
        q: &[Feature],
        first_row: usize,
        last_row: usize,
        columns: &mut [Vec<BaseElement>],
    ) -> Vec<i64> {
        self.0.fill(q, first_row, last_row, columns)
    }
    fn host_rows(&self, q: &[Feature]) -> Vec<crate::inference::HostRow> {
        self.0.host_rows(q)
    }
    fn to_elements(&self) -> Vec<BaseElement> {
        self.0.to_elements()
    }
    fn num_fractions(&self) -> usize {
        self.0.num_fractions()
    }
    fn fractions<F, E>(
        &self,
        current: &[F],
        host: crate::inference::Host<F>,
        periodic: &[F],
        rand: &[E],
        out: &mut [(F, E)],
    ) where
        F: FieldElement<BaseField = BaseElement>,
        E: FieldElement<BaseField = BaseElement> + ExtensionOf<F>,
    {
        self.0.fractions(current, host, periodic, rand, out)
    }
    fn private_reads(&self) -> bool {
        self.0.private_reads()
    }
    fn feature_read<F: FieldElement<BaseField = BaseElement>>(
        &self,
        current: &[F],
        periodic: &[F],
        id: F,
        c: F,
    ) -> (F, F) {
        self.0.feature_read(current, periodic, id, c)
    }
    fn table_rows(&self) -> usize {
        self.0.table_rows()
    }
}

/// A taller tree statement for features `q`: 40 complete trees of depth 4 over the tree
/// target's 24 features (600 node rows, 1024-row traces under both profiles; its categorical
/// splits' runs fit in them).
pub fn tall_trees() -> (Statement<TreeBody>, Vec<Feature>) {
    let q: Vec<Feature> = (0..TreeBody::FEATURES)
        .map(|f| match TreeBody::CATEGORICAL.contains(&f) {
            true => Some(f as u16 % TreeBody::CATEGORY_CODES),
            false => Some(2731 * f as u16 + 5),
        })
        .collect();
    let ensemble = Ensemble {
        missing: true,
        category_codes: tree_category_codes(),
        num_features: TreeBody::FEATURES,
        num_scores: 2,
        base: vec![7, -7],
        trees: (0..40)
            .map(|k| complete_tree(k, 4, Some((k % 2) as u32)))
            .collect(),
    };
    let scores = evaluate(&ensemble, &q);
    let body = TreeBody::new(ensemble).expect("a valid ensemble");
    (crate::testing::statement(body, &q, scores), q)
}

/// The tree target's codes per feature: [`TreeBody::CATEGORY_CODES`] for its categorical ones.
fn tree_category_codes() -> Vec<u32> {
    (0..TreeBody::FEATURES)
        .map(|f| match TreeBody::CATEGORICAL.contains(&f) {
            true => u32::from(TreeBody::CATEGORY_CODES),
            false => 0,
        })
        .collect()
}

/// Tree `k` of the ensemble: split `i` has children `2i + 1`, `2i + 2`, the leaves from id
/// `2^depth − 1`. A split on a categorical feature sends left the codes `c` with `c·(i + k + 1)
/// mod 5 < 2`: many runs, so that the run table takes several slots.
fn complete_tree(k: usize, depth: u32, target: Option<u32>) -> Tree {
    let splits = (1 << depth) - 1;
    let width = if target.is_some() { 1 } else { 2 };
    let feature: Vec<u32> = (0..splits)
        .map(|i| ((5 * k + 7 * i) % TreeBody::FEATURES) as u32)
        .collect();
    let categorical = |i: usize| TreeBody::CATEGORICAL.contains(&(feature[i] as usize));
    Tree {
        target,
        categories: (0..splits)
            .map(|i| {
                let codes = 0..TreeBody::CATEGORY_CODES;
                let left = codes.filter(|&c| (c as usize * (i + k + 1)) % 5 < 2);
                categorical(i).then(|| left.collect())
            })
            .collect(),
        threshold: (0..splits)
            .map(|i| match categorical(i) {
                true => 0,
                false => ((k * 7919 + i * 104_729) % 65_537) as i64,
            })
            .collect(),
        feature: feature.clone(),
        left: (0..splits).map(|i| 2 * i as u32 + 1).collect(),
        right: (0..splits).map(|i| 2 * i as u32 + 2).collect(),
        default_left: (0..splits).map(|i| (i + k).is_multiple_of(3)).collect(),
        leaf_value: (0..(splits + 1) * width)
            .map(|v| ((37 * v + 11 * k) % 200) as i64 - 100)
            .collect(),
    }
}

/// The ensemble's scores on `q`, each tree walked from its root (a missing feature taking the
/// split's default branch).
fn evaluate(ensemble: &Ensemble, q: &[Feature]) -> Vec<i64> {
    let mut scores = ensemble.base.clone();
    for tree in &ensemble.trees {
        let splits = tree.feature.len();
        let mut node = 0;
        while node < splits {
            let left = match (q[tree.feature[node] as usize], tree.categories.get(node)) {
                (Some(x), Some(Some(left))) => left.contains(&x),
                (Some(x), _) => i64::from(x) < tree.threshold[node],
                (None, _) => tree.default_left[node],
            };
            node = if left {
                tree.left[node]
            } else {
                tree.right[node]
            } as usize;
        }
        let leaf = node - splits;
        match tree.target {
            Some(c) => scores[c as usize] += tree.leaf_value[leaf],
            None => (scores.iter_mut().enumerate())
                .for_each(|(c, s)| *s += tree.leaf_value[leaf * ensemble.num_scores + c]),
        }
    }
    scores
}

/// Which cells of a model's trace hold which of the attacker's unknowns. Unknowns `0..F`
/// are the features: in the range-check column `x` on their rows ([`feature_row`]) and on every
/// body row that reads them, and in the shift columns on the rows above. Then come the walk
/// cells, one unknown each, in [`Model::walk_cells`] order; the affine columns hold functions of
/// the features. Every other real cell is what the honest computation puts there, which the
/// attacker knows; the last rows from [`tail`](Layout::tail) on are the random ones.
pub struct Layout {
    pub features: usize,
    /// The range-check column.
    pub x: usize,
    /// The feature `x` holds on each real row, if any.
    reads: Vec<Option<usize>>,
    /// The shift columns: `shifts[j − 1]` holds `x` of the row `j` below.
    pub shifts: Vec<usize>,
    pub walk: Vec<Vec<(usize, usize)>>,
    pub affine: Vec<(usize, Vec<Cell>)>,
    /// The first random row.
    pub tail: usize,
}

impl Layout {
    fn new<M: Model>(statement: &Statement<M>, trace_length: usize, profile: Profile) -> Layout {
        let input = statement.input();
        let tail = profile.zk().last_real_row(trace_length) + 1;
        let mut reads = vec![None; tail];
        for (f, read) in reads
            .iter_mut()
            .skip(feature_row(0))
            .take(M::FEATURES)
            .enumerate()
        {
            *read = Some(f);
        }
        // A body whose reads are private holds them in its walk cells.
        for row in (0..statement.body.rows()).filter(|_| !statement.body.private_reads()) {
            // Reads of the body's own table (a network's activations) are its walk cells.
            if let Some(f) = statement.body.reads(row).filter(|&f| f < M::FEATURES) {
                reads[statement.body_row() + row] = Some(f);
            }
        }
        Layout {
            features: M::FEATURES,
            x: input.x(),
            reads,
            shifts: (1..crate::rescue::RATE_WIDTH)
                .map(|j| input.shift(j))
                .collect(),
            walk: M::walk_cells(statement, tail),
            affine: M::affine_columns(statement, tail),
            tail,
        }
    }

    pub fn unknowns(&self) -> usize {
        self.features + self.walk.len()
    }

    /// Cell `row` of `column` in the unknowns, or `None` if the attacker knows it or it is
    /// random.
    pub fn cell(&self, column: usize, row: usize) -> Option<Cell> {
        if row >= self.tail {
            return None;
        }
        if let Some(k) = (self.walk.iter()).position(|group| group.contains(&(column, row))) {
            return Some(Cell::unknown(self.features + k));
        }
        if column == self.x {
            return self.reads[row].map(Cell::unknown);
        }
        if let Some(j) = self.shifts.iter().position(|&c| c == column) {
            return self
                .reads
                .get(row + j + 1)
                .copied()
                .flatten()
                .map(Cell::unknown);
        }
        (self.affine.iter())
            .find(|(c, _)| *c == column)
            .map(|(_, cells)| cells[row].clone())
    }

    /// The rows of `x` holding a feature.
    pub fn feature_reads(&self) -> usize {
        self.reads.iter().flatten().count()
    }

    /// The unknowns' values in `trace`.
    pub fn values(&self, trace: &TraceTable<BaseElement>) -> Vec<BaseElement> {
        let features = (0..self.features).map(|f| trace.get(self.x, feature_row(f)));
        let walk = self
            .walk
            .iter()
            .map(|group| trace.get(group[0].0, group[0].1));
        features.chain(walk).collect()
    }

    /// The columns of the walk cells other than `x`, each once.
    pub fn walk_columns(&self) -> Vec<usize> {
        let mut columns: Vec<usize> = (self.walk.iter().flatten())
            .map(|&(column, _)| column)
            .filter(|&column| column != self.x)
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns
    }

    /// The unknowns `column` holds on some row.
    pub fn unknowns_in(&self, column: usize) -> Vec<usize> {
        let mut unknowns: Vec<usize> = (0..self.tail)
            .filter_map(|row| self.cell(column, row))
            .flat_map(|cell| cell.terms.into_iter().map(|(u, _)| u))
            .collect();
        unknowns.sort_unstable();
        unknowns.dedup();
        unknowns
    }

    /// Every main column holding a secret: `x`, the shift columns, the affine and the walk
    /// columns.
    pub fn columns(&self) -> Vec<usize> {
        let mut columns = vec![self.x];
        columns.extend(&self.shifts);
        columns.extend(self.affine.iter().map(|&(column, _)| column));
        columns.extend(self.walk_columns());
        columns
    }
}

/// The statement for features `q` and its honest trace under `profile`, the tail rows and
/// masks from `random`.
pub fn trace<M: Model>(
    q: &[Feature],
    profile: Profile,
    random: &mut dyn FnMut() -> BaseElement,
) -> (Statement<M>, TraceTable<BaseElement>) {
    let statement = statement::<M>(q);
    let trace =
        build_trace(&statement, q, &salt(0), &profile.options(), random).expect("no comparisons");
    (statement, trace)
}

/// An accepted proof under a production profile and what the attacker learns by replaying its
/// verification.
pub struct Run {
    pub profile: Profile,
    pub trace: TraceTable<BaseElement>,
    pub proof: Proof,
    pub transcript: Transcript,
    /// The first mask column: `A_1..A_k`, `B`, then the DEEP masks.
    pub mask_column: usize,
    /// The highest evaluation degree of the computation's constraints (the masks' aside).
    pub highest_degree: usize,
}

/// Proves `statement` on features `q` under `profile`, the tail rows and masks from `random`;
/// the proof must be accepted.
pub fn run<B: Body + 'static>(
    statement: &Statement<B>,
    q: &[Feature],
    profile: Profile,
    random: &mut dyn FnMut() -> BaseElement,
) -> Run {
    let options = profile.options();
    let trace = build_trace(statement, q, &salt(0), &options, random).expect("honest");
    let proof = crate::testing::prove_with::<InferenceAir<B>>(&options, trace.clone(), statement);
    let acceptable = AcceptableOptions::OptionSet(vec![options]);
    let transcript = super::verify_recording::<InferenceAir<B>, Vc>(&proof, statement, &acceptable)
        .expect("accepted");
    let highest_degree = statement
        .highest_degree(trace.length())
        .expect("constraints");
    Run {
        profile,
        highest_degree,
        trace,
        proof,
        transcript,
        mask_column: statement.mask_column(),
    }
}

/// An accepted proof of a [`Model`], and where its secrets are.
pub struct Proved {
    pub trace: TraceTable<BaseElement>,
    pub proof: Proof,
    pub transcript: Transcript,
    pub layout: Layout,
}

/// Proves features `q` under `profile`, the tail rows and masks from `random`; the proof must
/// be accepted.
pub fn prove<M: Model>(
    q: &[Feature],
    profile: Profile,
    random: &mut dyn FnMut() -> BaseElement,
) -> Proved {
    let statement = statement::<M>(q);
    let Run {
        trace,
        proof,
        transcript,
        ..
    } = run(&statement, q, profile, random);
    let layout = Layout::new(&statement, trace.length(), profile);
    Proved {
        trace,
        proof,
        transcript,
        layout,
    }
}

impl Proved {
    pub fn equations(&self, column: usize) -> ColumnEquations {
        super::column_equations::<Vc>(&self.proof, &self.transcript, column)
    }

    pub fn cells(&self, column: usize) -> Vec<BaseElement> {
        cells(&self.trace, column)
    }
}

pub fn cells(trace: &TraceTable<BaseElement>, column: usize) -> Vec<BaseElement> {
    (0..trace.length())
        .map(|row| trace.get(column, row))
        .collect()
}
