//! Turns a float [`SourceModel`] into a fixed-point [`Model`].
//!
//! Trees: each feature is binned at its own split thresholds, compared the library's way, so
//! every decision equals the library's float decision for every finite input. Linear models:
//! each feature gets the finest power-of-two grid covering its calibration range widened by
//! the calibration's headroom (by default half its width) on both sides; inputs round to
//! nearest and values outside are refused.
//! Scores: the largest power-of-two scale at which every reachable score stays below
//! `2^SCORE_BITS`.

use std::collections::VecDeque;
use std::ops::Range;

use crate::calibration::Calibration;
use crate::error::QuantizeError;
use crate::fixed_point::{
    index_range, largest_grid_index, pow2, scale_round, ExactFloat, Grid, Rounding, SplitRule,
    FEATURE_MAX, MAX_SCORE_SCALE_LOG2, SCORE_BITS,
};
use crate::model::{
    Activation, Body, Categories, CategoryRead, Encoding, InputSpec, Layer, Linear, Mlp, Model,
    OutputSpec, Tree, TreeEnsemble, CATEGORICAL_VERSION, FORMAT_NAME, FORMAT_VERSION, MAX_DEPTH,
    MISSING_VALUES_VERSION,
};
use crate::source::{SourceBody, SourceDense, SourceMissing, SourceModel, SourceNode, SourceTree};

/// Quantizes `source`. `calibration` supplies feature ranges; linear models need it, trees
/// ignore it.
pub fn quantize(
    source: &SourceModel,
    calibration: Option<&Calibration>,
) -> Result<Model, QuantizeError> {
    source
        .check()
        .map_err(|e| QuantizeError::Parameter(e.to_string()))?;
    if let Some(calibration) = calibration {
        calibration.check_features(&source.feature_names)?;
    }
    let (mut input, score_scale_log2, body) = match &source.body {
        SourceBody::Linear { weights, bias, .. } => {
            let calibration = calibration.ok_or(QuantizeError::NeedsCalibration)?;
            quantize_linear(source, weights, bias, calibration)?
        }
        SourceBody::Trees {
            rule,
            base,
            trees,
            missing,
            categorical,
            known,
        } => {
            let reading = Reading {
                missing: missing.as_ref(),
                categorical: categorical.as_deref(),
                known: known.as_deref(),
            };
            quantize_trees(source, *rule, base, trees, reading)?
        }
        SourceBody::Mlp {
            activation, layers, ..
        } => {
            let calibration = calibration.ok_or(QuantizeError::NeedsCalibration)?;
            quantize_mlp(source, *activation, layers, calibration)?
        }
    };
    name_categories(&mut input, source)?;
    let version = match (&input.categorical, &input.missing) {
        (Some(_), _) => CATEGORICAL_VERSION,
        (None, Some(_)) => MISSING_VALUES_VERSION,
        (None, None) => FORMAT_VERSION,
    };
    let model = Model {
        format: FORMAT_NAME.to_string(),
        version,
        source: source.source.clone(),
        input,
        output: OutputSpec {
            task: source.task,
            classes: source.classes.clone(),
            score_scale_log2,
            link: source.link,
        },
        body,
    };
    model.validate()?;
    Ok(model)
}

/// Gives each string feature's categories their names; such a feature must be categorical.
fn name_categories(input: &mut InputSpec, source: &SourceModel) -> Result<(), QuantizeError> {
    let Some(labels) = &source.labels else {
        return Ok(());
    };
    for (f, labels) in labels.iter().enumerate() {
        let Some(labels) = labels else { continue };
        let categories = (input.categorical.as_mut())
            .and_then(|c| c.get_mut(f)?.as_mut())
            .ok_or_else(|| {
                feature_error(
                    &source.feature_names[f],
                    "its values are strings, but the model reads no categories from it",
                )
            })?;
        categories.labels = Some(labels.clone());
    }
    Ok(())
}

/// Per-score bound, in real units, on `|score − integer score · 2^-m|` where `score` is the
/// float model's score on the same input: for linear models over every input in range, for
/// trees over every finite input (they reach the same leaves).
pub fn score_error_bound(model: &Model) -> Vec<f64> {
    let half_unit = pow2(-(model.output.score_scale_log2 as i32) - 1);
    match &model.body {
        Body::Linear(linear) => {
            // Input rounding: |w_f|·2^-(s_f+1) ≤ (|W_f| + ½)·2^(s_f−m)·2^-(s_f+1);
            // weight rounding: 2^(s_f−m−1)·|x̂_f| with |x̂_f| ≤ max|q + offset|·2^-s_f; bias ½.
            // An indicator is exact: only its weight's rounding, at most half a unit, counts.
            let indicators = model.indicators();
            let largest = model.largest_body_inputs();
            linear
                .weights
                .iter()
                .map(|row| {
                    let terms: f64 = (row.iter().enumerate())
                        .map(|(i, &w)| match indicators[i] {
                            true => largest[i],
                            false => w.unsigned_abs() as f64 + 0.5 + largest[i],
                        })
                        .sum();
                    half_unit * (terms + 1.0)
                })
                .collect()
        }
        Body::Mlp(mlp) => mlp_error_bound(model, mlp),
        Body::Trees(ensemble) => {
            let mut terms = vec![1.0; ensemble.base.len()];
            for tree in &ensemble.trees {
                match tree.target {
                    Some(c) => terms[c as usize] += 1.0,
                    None => terms.iter_mut().for_each(|t| *t += 1.0),
                }
            }
            terms.into_iter().map(|t| t * half_unit).collect()
        }
    }
}

/// Propagates rounding errors through a network, in real units. A neuron at scale `2^m` reading
/// inputs of scale `2^s_i` with real error `ε_i` (features: half a grid step) has real weights
/// within `(|W_i| + ½)·2^(s_i − m)`, so its `z` is off by at most
/// `Σ_i (|W_i| + ½)·2^(s_i − m)·ε_i` (input error) `+ 2^(−m−1)·(Σ_i max|a_i + offset_i| + 1)`
/// (weight and bias rounding). ReLU and the identity are 1-Lipschitz, and the rescaling floor
/// adds less than one activation unit, `2^(16 − m)`.
fn mlp_error_bound(model: &Model, mlp: &Mlp) -> Vec<f64> {
    let shift = zkinfer_air::mlp::SHIFT as i32;
    let indicators = model.indicators();
    // Per input of the current layer: (scale, largest |a + offset|, real error); an indicator
    // is exact.
    let mut inputs: Vec<(i32, f64, f64)> = (model.body_grid().into_iter().enumerate())
        .map(|(i, (s, o))| match indicators[i] {
            true => (0, 1.0, 0.0),
            false => (s, largest_grid_index(o), pow2(-s - 1)),
        })
        .collect();
    let error = |layer: &Layer, c: usize, m: i32, inputs: &[(i32, f64, f64)]| {
        let mut z = pow2(-m - 1);
        for (&w, &(s, largest, input_error)) in layer.weights[c].iter().zip(inputs) {
            z += (w.unsigned_abs() as f64 + 0.5) * pow2(s - m) * input_error;
            z += pow2(-m - 1) * largest;
        }
        z
    };
    // Every layer after the first reads activations bounded by this.
    let (bound, _) = activation_inputs(mlp.activation, 1);
    for (layer, scales) in mlp.hidden.iter().zip(&mlp.activation_scale_log2) {
        inputs = (scales.iter().enumerate())
            .map(|(j, &e)| {
                let z = error(layer, j, e + shift, &inputs);
                (e, bound as f64, z + pow2(-e))
            })
            .collect();
    }
    let m = model.output.score_scale_log2 as i32;
    (0..mlp.output.bias.len())
        .map(|c| error(&mlp.output, c, m, &inputs))
        .collect()
}

type Quantized = (InputSpec, u32, Body);

fn quantize_linear(
    source: &SourceModel,
    weights: &[Vec<f64>],
    bias: &[f64],
    calibration: &Calibration,
) -> Result<Quantized, QuantizeError> {
    let grids = feature_grids(source, calibration)?;
    let inputs = (body_grid(source, &grids), source.one_hot_groups());
    let score_scale_log2 = (0..=MAX_SCORE_SCALE_LOG2)
        .rev()
        .find(|&m| linear_at_scale(weights, bias, &inputs, m).is_some())
        .ok_or_else(|| QuantizeError::Parameter("the scores are too large to represent".into()))?;
    let linear = linear_at_scale(weights, bias, &inputs, score_scale_log2)
        .expect("the scale was chosen because it fits");
    Ok((
        grid_input(source, &grids),
        score_scale_log2,
        Body::Linear(linear),
    ))
}

/// Each feature's finest grid over its widened calibration range; the identity for a
/// categorical feature read as indicators (0 or 1, exactly).
fn feature_grids(
    source: &SourceModel,
    calibration: &Calibration,
) -> Result<Vec<Grid>, QuantizeError> {
    let mut grids = Vec::with_capacity(source.feature_names.len());
    for (f, name) in source.feature_names.iter().enumerate() {
        if source.indicators().is_some_and(|c| c[f].is_some()) {
            grids.push(Grid {
                scale_log2: 0,
                offset: 0,
            });
            continue;
        }
        let (low, high) = calibration.widened_range(name)?;
        let grid = Grid::finest_covering(|s| {
            index_range([low, high].into_iter(), |v| {
                scale_round(v, s, Rounding::Nearest)
            })
        })
        .ok_or_else(|| feature_error(name, "its range does not fit any grid"))?;
        grids.push(grid);
    }
    Ok(grids)
}

fn grid_input(source: &SourceModel, grids: &[Grid]) -> InputSpec {
    InputSpec {
        precision: source.precision,
        features: source.feature_names.clone(),
        encoding: Encoding::Grid {
            scale_log2: grids.iter().map(|g| g.scale_log2).collect(),
            offset: grids.iter().map(|g| g.offset).collect(),
        },
        missing: None,
        categorical: source.indicators().map(<[_]>::to_vec),
    }
}

/// Each body input's `(scale_log2, offset)`: its feature's grid, one per indicator of a
/// categorical feature (whose grid is the identity).
fn body_grid(source: &SourceModel, grids: &[Grid]) -> Vec<(i32, i64)> {
    (source.body_inputs_of().into_iter().zip(grids))
        .flat_map(|(inputs, g)| inputs.map(move |_| (g.scale_log2, g.offset)))
        .collect()
}

/// Networks: the features on their grids, as for linear models. Every hidden neuron `j` gets
/// its own pre-activation scale `2^m_j`, the largest at which its `z` stays within `±2^32` for
/// every input, so its activation (scale `2^(m_j − 16)`) uses the whole 16-bit range its worst
/// case allows; weights into it are `round(w·2^(m_j − e_i))` for inputs of scale `2^e_i`. The
/// scores share one scale, the largest that keeps them below `2^SCORE_BITS`.
fn quantize_mlp(
    source: &SourceModel,
    activation: Activation,
    layers: &[SourceDense],
    calibration: &Calibration,
) -> Result<Quantized, QuantizeError> {
    use zkinfer_air::mlp::{PRE_ACTIVATION_BITS, SHIFT};
    let grids = feature_grids(source, calibration)?;
    let (output, hidden) = layers.split_last().expect("checked: two layers or more");
    let mut inputs = body_grid(source, &grids);
    // The first layer's indicators are bits, at most one of a group set (the AIR proves it).
    let groups = source.one_hot_groups();
    let mut quantized = Vec::with_capacity(hidden.len());
    let mut scales = Vec::with_capacity(hidden.len());
    for (l, dense) in hidden.iter().enumerate() {
        let range = activation_inputs(activation, l);
        let mut layer = Layer {
            weights: Vec::with_capacity(dense.bias.len()),
            bias: Vec::with_capacity(dense.bias.len()),
        };
        let mut layer_scales = Vec::with_capacity(dense.bias.len());
        for (j, (row, &b)) in dense.weights.iter().zip(&dense.bias).enumerate() {
            let (m, weights, bias) = (MIN_NEURON_SCALE_LOG2..=MAX_NEURON_SCALE_LOG2)
                .rev()
                .find_map(|m| {
                    let groups = if l == 0 { &groups[..] } else { &[] };
                    neuron_at_scale(row, b, (&inputs, groups), m, range, PRE_ACTIVATION_BITS)
                        .map(|(w, b)| (m, w, b))
                })
                .ok_or_else(|| {
                    QuantizeError::Parameter(format!(
                        "hidden layer {l}, neuron {j}: the weights are too large to represent"
                    ))
                })?;
            layer.weights.push(weights);
            layer.bias.push(bias);
            layer_scales.push(m - SHIFT as i32);
        }
        inputs = layer_scales.iter().map(|&e| (e, 0)).collect();
        quantized.push(layer);
        scales.push(layer_scales);
    }
    let range = activation_inputs(activation, hidden.len());
    let output_at = |m: u32| -> Option<Layer> {
        let (weights, bias) = layer_at_scale(
            &output.weights,
            &output.bias,
            (&inputs, &[]),
            m as i32,
            range,
            SCORE_BITS,
        )?;
        Some(Layer { weights, bias })
    };
    let score_scale_log2 = (0..=MAX_SCORE_SCALE_LOG2)
        .rev()
        .find(|&m| output_at(m).is_some())
        .ok_or_else(|| QuantizeError::Parameter("the scores are too large to represent".into()))?;
    let mlp = Mlp {
        activation,
        hidden: quantized,
        activation_scale_log2: scales,
        output: output_at(score_scale_log2).expect("the scale was chosen because it fits"),
    };
    Ok((grid_input(source, &grids), score_scale_log2, Body::Mlp(mlp)))
}

/// Range of a hidden neuron's pre-activation scale exponent.
const MIN_NEURON_SCALE_LOG2: i32 = -64;
const MAX_NEURON_SCALE_LOG2: i32 = 62;

/// The input range of layer `layer`, as the AIR bounds it.
fn activation_inputs(activation: Activation, layer: usize) -> (i64, bool) {
    zkinfer_air::mlp::Activation::from(activation).inputs_of(layer)
}

/// Every row of a layer at scale `2^m` ([`neuron_at_scale`]), if every one fits.
fn layer_at_scale(
    weights: &[Vec<f64>],
    bias: &[f64],
    inputs: (&[(i32, i64)], &[Range<usize>]),
    m: i32,
    range: (i64, bool),
    limit_bits: u32,
) -> Option<(Vec<Vec<i64>>, Vec<i64>)> {
    (weights.iter().zip(bias))
        .map(|(row, &b)| neuron_at_scale(row, b, inputs, m, range, limit_bits))
        .collect::<Option<Vec<_>>>()
        .map(|rows| rows.into_iter().unzip())
}

/// One neuron at scale `2^m`: `W_i = round(w_i·2^(m − s_i))` for inputs `x_i ≈ 2^-s_i·(a_i +
/// offset_i)`, the offsets folded into the bias; `None` unless every input in `range` (the
/// indicators in `groups` bits, at most one of a group set) keeps `|z| < 2^limit_bits`.
fn neuron_at_scale(
    row: &[f64],
    bias: f64,
    (inputs, groups): (&[(i32, i64)], &[Range<usize>]),
    m: i32,
    range: (i64, bool),
    limit_bits: u32,
) -> Option<(Vec<i64>, i64)> {
    let mut folded = scale_round(bias, m, Rounding::Nearest)? as i128;
    let mut weights = Vec::with_capacity(row.len());
    for (&w, &(scale, offset)) in row.iter().zip(inputs) {
        let big_w = scale_round(w, m - scale, Rounding::Nearest)?;
        folded += big_w as i128 * offset as i128;
        weights.push(big_w);
    }
    let bias = i64::try_from(folded).ok()?;
    let worst = zkinfer_air::mlp::worst_case_with_groups(&weights, bias, range, groups);
    (worst < 1i128 << limit_bits).then_some((weights, bias))
}

/// The integer linear model at score scale `2^m`, if every score fits.
///
/// `w·x ≈ w·2^-s·(q + offset)`, so `W = round(w·2^(m−s))` and the offsets fold into the bias.
/// The bound is the format's, `|B| + Σ|W|·FEATURE_MAX` (an indicator group counting its
/// largest weight, as validation checks it): symmetric.
fn linear_at_scale(
    weights: &[Vec<f64>],
    bias: &[f64],
    (inputs, groups): &(Vec<(i32, i64)>, Vec<Range<usize>>),
    m: u32,
) -> Option<Linear> {
    let range = (FEATURE_MAX, false);
    let (weights, bias) =
        layer_at_scale(weights, bias, (inputs, groups), m as i32, range, SCORE_BITS)?;
    Some(Linear { weights, bias })
}

/// How a tree ensemble reads its raw values: missing values, categorical features.
#[derive(Clone, Copy)]
struct Reading<'s> {
    missing: Option<&'s SourceMissing>,
    categorical: Option<&'s [Option<CategoryRead>]>,
    known: Option<&'s [Option<Vec<u32>>]>,
}

fn quantize_trees(
    source: &SourceModel,
    rule: SplitRule,
    base: &[f64],
    trees: &[SourceTree],
    reading: Reading,
) -> Result<Quantized, QuantizeError> {
    let missing = reading.missing;
    let categories = category_counts(source, trees, reading.categorical, reading.known);
    // Each feature's cuts: its distinct finite split thresholds, ascending. An infinite one
    // sends every value the same way (LightGBM splits missing values from the rest at +∞).
    let mut cuts: Vec<Vec<f64>> = vec![Vec::new(); source.feature_names.len()];
    for node in trees.iter().flat_map(|t| &t.nodes) {
        if let SourceNode::Split {
            feature, threshold, ..
        } = node
        {
            let name = &source.feature_names[*feature];
            if threshold.is_nan() {
                return Err(feature_error(name, "a split threshold is NaN"));
            }
            // At +∞ under `x < t` (or −∞ under `x ≤ t`) the infinite value itself goes the
            // other way from every finite one, which no bin can say: an f32 input may round
            // to ±∞.
            let split_at_infinity = match rule {
                SplitRule::LessThan => *threshold == f64::INFINITY,
                SplitRule::LessOrEqual => *threshold == f64::NEG_INFINITY,
            };
            if split_at_infinity {
                return Err(feature_error(
                    name,
                    "a split at an infinite threshold that separates that infinity from the \
                     finite values",
                ));
            }
            if threshold.is_finite() {
                cuts[*feature].push(*threshold + 0.0); // −0.0 and 0.0 are one cut
            }
        }
    }
    for (name, list) in source.feature_names.iter().zip(&mut cuts) {
        list.sort_by(f64::total_cmp);
        list.dedup();
        if list.len() > FEATURE_MAX as usize {
            return Err(feature_error(
                name,
                "more than 65535 distinct split thresholds",
            ));
        }
    }
    let score_scale_log2 = (0..=MAX_SCORE_SCALE_LOG2)
        .rev()
        .find(|&m| leaf_sums_fit(base, trees, m))
        .ok_or_else(|| QuantizeError::Parameter("the leaf values are too large".into()))?;
    let m = score_scale_log2 as i32;
    let round_value = |v: f64| scale_round(v, m, Rounding::Nearest).expect("checked to fit");
    let quantized_trees = trees
        .iter()
        .enumerate()
        .map(|(t, tree)| {
            let defaults = missing.map(|m| &m.default_left[t][..]);
            let categories = categories.as_deref();
            quantize_tree(t, tree, defaults, (&cuts, categories), round_value)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = InputSpec {
        precision: source.precision,
        features: source.feature_names.clone(),
        encoding: Encoding::Bins {
            rule,
            cuts: cuts
                .iter()
                .map(|list| {
                    list.iter()
                        .map(|&c| ExactFloat::from_f64(c).expect("finite"))
                        .collect()
                })
                .collect(),
        },
        missing: missing.map(|m| m.rules.clone()),
        categorical: categories,
    };
    let ensemble = TreeEnsemble {
        base: base.iter().map(|&b| round_value(b)).collect(),
        trees: quantized_trees,
    };
    Ok((input, score_scale_log2, Body::Trees(ensemble)))
}

/// Each categorical feature's categories: one more than the largest category a split names,
/// and those it only knows, if any.
fn category_counts(
    source: &SourceModel,
    trees: &[SourceTree],
    reads: Option<&[Option<CategoryRead>]>,
    known: Option<&[Option<Vec<u32>>]>,
) -> Option<Vec<Option<Categories>>> {
    let reads = reads?;
    let mut counts = vec![1u32; source.feature_names.len()];
    for node in trees.iter().flat_map(|t| &t.nodes) {
        if let SourceNode::CategorySplit { feature, set, .. } = node {
            let largest = set.last().map_or(0, |&c| c + 1);
            counts[*feature] = counts[*feature].max(largest);
        }
    }
    let known = |f: usize| known.and_then(|k| k.get(f)?.clone());
    let categories: Vec<Option<Categories>> = (reads.iter().zip(counts).enumerate())
        .map(|(f, (read, count))| {
            read.map(|read| Categories {
                read,
                count,
                known: known(f),
                labels: None,
            })
        })
        .collect();
    categories.iter().any(Option::is_some).then_some(categories)
}

/// Whether every score stays below `2^SCORE_BITS` with leaves scaled by `2^m`.
fn leaf_sums_fit(base: &[f64], trees: &[SourceTree], m: u32) -> bool {
    let round = |v: f64| scale_round(v, m as i32, Rounding::Nearest).map(|q| (q as i128).abs());
    let mut worst = Vec::with_capacity(base.len());
    for &b in base {
        match round(b) {
            Some(q) => worst.push(q),
            None => return false,
        }
    }
    for tree in trees {
        let mut largest = vec![0i128; base.len()];
        for node in &tree.nodes {
            if let SourceNode::Leaf { value } = node {
                for (k, &v) in value.iter().enumerate() {
                    let Some(q) = round(v) else { return false };
                    let score = tree.target.unwrap_or(k);
                    largest[score] = largest[score].max(q);
                }
            }
        }
        worst.iter_mut().zip(largest).for_each(|(w, l)| *w += l);
    }
    worst.iter().all(|&w| w < 1i128 << SCORE_BITS)
}

/// Renumbers a tree breadth-first (splits first, then leaves) and quantizes its numbers: the
/// thresholds onto the features' `cuts`, the categories onto their features' codes.
fn quantize_tree(
    index: usize,
    tree: &SourceTree,
    default_left: Option<&[bool]>,
    (cuts, categories): (&[Vec<f64>], Option<&[Option<Categories>]>),
    round_value: impl Fn(f64) -> i64,
) -> Result<Tree, QuantizeError> {
    let malformed = |msg: String| QuantizeError::Parameter(format!("tree {index}: {msg}"));
    let mut order = Vec::with_capacity(tree.nodes.len());
    let mut depth = vec![usize::MAX; tree.nodes.len()];
    let mut queue = VecDeque::from([(0usize, 0usize)]);
    while let Some((node, d)) = queue.pop_front() {
        if depth[node] != usize::MAX {
            return Err(malformed(format!("node {node} is reached twice")));
        }
        if d > MAX_DEPTH {
            return Err(malformed(format!("deeper than {MAX_DEPTH}")));
        }
        depth[node] = d;
        order.push(node);
        if let Some((left, right)) = tree.nodes[node].children() {
            queue.push_back((left, d + 1));
            queue.push_back((right, d + 1));
        }
    }
    if order.len() != tree.nodes.len() {
        return Err(malformed(
            "some nodes are not reachable from the root".into(),
        ));
    }
    let is_split = |n: &usize| tree.nodes[*n].children().is_some();
    let splits: Vec<usize> = order.iter().copied().filter(is_split).collect();
    let leaves: Vec<usize> = order.iter().copied().filter(|n| !is_split(n)).collect();
    let mut new_id = vec![0u32; tree.nodes.len()];
    for (id, &node) in splits.iter().chain(&leaves).enumerate() {
        new_id[node] = id as u32;
    }
    let mut out = Tree {
        target: tree.target.map(|c| c as u32),
        feature: Vec::with_capacity(splits.len()),
        threshold: Vec::with_capacity(splits.len()),
        left: Vec::with_capacity(splits.len()),
        right: Vec::with_capacity(splits.len()),
        leaf_value: Vec::new(),
        default_left: default_left.map(|d| splits.iter().map(|&node| d[node]).collect()),
        categories: categories.map(|_| Vec::with_capacity(splits.len())),
    };
    for &node in &splits {
        let (left, right) = tree.nodes[node].children().expect("filtered to splits");
        let (feature, threshold, codes) = match &tree.nodes[node] {
            SourceNode::Split {
                feature, threshold, ..
            } => (*feature, cut_threshold(&cuts[*feature], *threshold), None),
            SourceNode::CategorySplit {
                feature,
                set,
                set_left,
                ..
            } => {
                let feature_categories = categories.and_then(|c| c[*feature].as_ref());
                let count = feature_categories
                    .expect("checked: a categorical feature")
                    .count;
                // Codes 0..=count, `count` the other code: left are the set's, or the others.
                let codes = match set_left {
                    true => set.iter().map(|&c| c as u16).collect(),
                    false => (0..=count as u16)
                        .filter(|&c| set.binary_search(&u32::from(c)).is_err())
                        .collect(),
                };
                (*feature, 0, Some(codes))
            }
            SourceNode::Leaf { .. } => unreachable!("filtered to splits"),
        };
        out.feature.push(feature as u32);
        out.threshold.push(threshold);
        out.left.push(new_id[left]);
        out.right.push(new_id[right]);
        if let Some(list) = out.categories.as_mut() {
            list.push(codes);
        }
    }
    for &node in &leaves {
        if let SourceNode::Leaf { value } = &tree.nodes[node] {
            out.leaf_value.extend(value.iter().map(|&v| round_value(v)));
        }
    }
    Ok(out)
}

/// The integer threshold of a split at `threshold` on a feature binned at `cuts`: left iff x
/// goes left at cut k iff fewer than k + 1 cuts are below x; at +∞ every value goes left, at
/// −∞ none.
fn cut_threshold(cuts: &[f64], threshold: f64) -> i64 {
    match threshold {
        f64::INFINITY => cuts.len() as i64 + 1,
        f64::NEG_INFINITY => 0,
        _ => {
            let k = cuts
                .binary_search_by(|c| c.total_cmp(&(threshold + 0.0)))
                .expect("every finite threshold is a cut");
            k as i64 + 1
        }
    }
}

fn feature_error(name: &str, reason: &str) -> QuantizeError {
    QuantizeError::Feature {
        feature: name.to_string(),
        reason: reason.to_string(),
    }
}
