//! The columns a tree ensemble, a linear model or a network reads, traced back to the graph
//! input: what skl2onnx writes for a `ColumnTransformer` of `OneHotEncoder`s, `StandardScaler`s
//! and passed-through columns.
//!
//! Operators followed (every one on the way must be one of these): `ArrayFeatureExtractor` and
//! `Gather` (`axis = 1`, or the last axis of one row: an encoder's output, less the categories
//! `drop=` leaves out) with constant indices pick input columns; `Scaler` transforms them;
//! `Cast` to int64 then `OneHotEncoder` (`cats_int64s`), or `OneHotEncoder` (`cats_strings`) on
//! a string input column, expands a column into one indicator per category (a string column's
//! category `k` is its `k`-th name, kept in the model); `Concat` and `Reshape` assemble the
//! predictor's input; `Cast` to float and `Identity` change nothing. An encoder with `zeros = 1` (`handle_unknown="ignore"`) reads an
//! unknown category as all zeros; with `zeros = 0` (the default, `"error"`) scikit-learn
//! raises, so its categories become the column's known ones and any other input is refused.
//!
//! A linear model's weights, or a network's first layer's, fold onto the graph input
//! ([`fold_dense`]): a scaled column's `Scaler` into its weight, a one-hot column into the
//! weight of its category's indicator. The trees are rewritten over the graph input ([`fold`]):
//!
//! - A split on a scaled column becomes a split on the input column. onnxruntime computes
//!   `(x − offset)·scale` in float32, which is monotone in `x`, so the inputs sent left are
//!   exactly those below (or above, for a negative scale) one float32 boundary, found by
//!   bisection over the float32 values: every decision stays exact.
//! - A split on a category's indicator (`1` for that category, `0` otherwise) becomes a
//!   categorical split sending that one category one way and every other value the other,
//!   read as scikit-learn reads categories: equal to a non-negative integer
//!   ([`CategoryRead::Exact`]; onnxruntime's `Cast` would truncate `2.5` to category 2, which
//!   scikit-learn treats as unknown, all zeros).

use std::collections::{BTreeMap, HashMap};

use crate::error::FormatError;
use crate::fixed_point::SplitRule;
use crate::import::{categorical_features, placeholder_name};
use crate::limits::MAX_LABEL_BYTES;
use crate::model::{
    Categories, CategoryRead, MAX_CATEGORIES, MAX_DEPTH as MAX_TREE_DEPTH, MAX_FEATURES,
    MAX_NAME_BYTES,
};
use crate::source::{SourceBody, SourceDense, SourceModel, SourceNode, SourceTree};

use super::attributes::{describe, tensor_int64s, Attributes};
use super::proto::data_type;
use super::Graph;

/// How deep the trace follows operators (skl2onnx writes a handful), so that a crafted graph
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// How many columns all traced values may hold together, so that a crafted graph (a `Concat`
/// of a value with itself, again and again) cannot exhaust the memory.
const MAX_COLUMNS_TRACED: usize = 1 << 20;

/// One column of the predictor's input.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Column {
    /// Input column `feature` through `Scaler`s `(offset, scale)`, applied in order in float32.
    Numeric {
        feature: usize,
        scalers: Vec<(f32, f32)>,
    },
    /// `1` if input column `feature` is `category`, else `0`.
    Category { feature: usize, category: u32 },
}

impl Column {
    /// What the trace's budget counts for it: one, and one per scaler.
    fn size(&self) -> usize {
        match self {
            Column::Numeric { scalers, .. } => 1 + scalers.len(),
            Column::Category { .. } => 1,
        }
    }
}

/// What a value holds, per row: its shape and its columns in row-major order.
#[derive(Clone)]
struct Value {
    shape: Vec<usize>,
    columns: Vec<Column>,
    kind: Kind,
}

/// The element type of a value's columns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Float,
    /// Truncated to integers by a `Cast` (only a `OneHotEncoder` may read it).
    Integer,
    /// Strings, as a graph input holds them (only a `OneHotEncoder` may read them).
    Text,
}

/// Whether the graph picks or encodes columns (so that a failed trace explains best why it is
/// refused). A network's `Concat` may assemble its probabilities instead.
pub(super) fn transforms_columns(graph: &Graph<'_>) -> bool {
    graph.nodes.iter().any(|node| {
        let op = node.op_type.as_deref().unwrap_or_default();
        matches!(op, "Gather" | "OneHotEncoder") || (op == "Concat" && !graph.network)
    })
}

/// What a trace found.
pub(super) struct Traced {
    /// The predictor's input columns.
    pub columns: Vec<Column>,
    /// The nodes computing them.
    pub nodes: Vec<usize>,
    /// The categories of each input column whose encoder raises on any other
    /// (`zeros = 0`), by column.
    pub known: BTreeMap<usize, Vec<u32>>,
    /// Each input column's name: the graph input's, of a graph of several inputs (a
    /// `DataFrame`'s columns); placeholders for the columns of one input.
    pub names: Vec<String>,
    /// The category names of each string input column (category `k` is `labels[k]`).
    pub labels: BTreeMap<usize, Vec<String>>,
}

/// The predictor input `data`'s columns, and the nodes computing it.
pub(super) fn trace(graph: &Graph<'_>, data: &str) -> Result<Traced, FormatError> {
    let inputs = graph.features.ok_or_else(|| {
        FormatError::unsupported("a column transformer over an input without a fixed width")
    })?;
    if inputs > MAX_FEATURES {
        return Err(FormatError::unsupported(format!(
            "{inputs} input features (at most {MAX_FEATURES})"
        )));
    }
    let mut tracer = Tracer {
        graph,
        values: HashMap::new(),
        nodes: Vec::new(),
        budget: MAX_COLUMNS_TRACED,
        known: BTreeMap::new(),
        labels: BTreeMap::new(),
        label_bytes: 0,
    };
    let names = column_names(graph)?;
    let mut first = 0;
    let mut text = Vec::new();
    for input in &graph.inputs {
        let width = input.width.expect("every input has a fixed width");
        let kind = match input.element {
            data_type::FLOAT => Kind::Float,
            data_type::STRING => Kind::Text,
            _ => {
                return Err(FormatError::unsupported(format!(
                    "a column transformer over the graph input {:?} of {} values (float32 or \
                     strings)",
                    input.name,
                    data_type::name(input.element)
                )))
            }
        };
        let features = first..first + width;
        first += width;
        if kind == Kind::Text {
            text.extend(features.clone());
        }
        let value = Value {
            shape: vec![width],
            columns: (features.map(|feature| Column::Numeric {
                feature,
                scalers: Vec::new(),
            }))
            .collect(),
            kind,
        };
        tracer.values.insert(input.name.to_string(), value);
    }
    let value = tracer.value(data, 0)?;
    if value.shape.len() != 1 || value.kind != Kind::Float {
        return Err(FormatError::unsupported(
            "a predictor input that is not one row of float columns",
        ));
    }
    if let Some(&unread) = text.iter().find(|f| !tracer.labels.contains_key(f)) {
        return Err(FormatError::unsupported(format!(
            "the string input column {:?}, which no OneHotEncoder reads (convert the model \
             from a DataFrame of only the columns it uses)",
            names[unread]
        )));
    }
    Ok(Traced {
        columns: value.columns,
        nodes: tracer.nodes,
        known: tracer.known,
        names,
        labels: tracer.labels,
    })
}

/// Each input column's feature name: placeholders for the columns of one input; the input's
/// name for a graph of several, suffixed `_0`, `_1`, … for one of several columns. They must
/// make valid, distinct feature names.
fn column_names(graph: &Graph<'_>) -> Result<Vec<String>, FormatError> {
    let mut names = Vec::new();
    for input in &graph.inputs {
        let width = input.width.expect("every input has a fixed width");
        let first = names.len();
        names.extend((0..width).map(|i| match (graph.inputs.len(), width) {
            (1, _) => placeholder_name(first + i),
            (_, 1) => input.name.to_string(),
            _ => format!("{}_{i}", input.name),
        }));
    }
    let valid =
        |n: &String| !n.is_empty() && n.len() <= MAX_NAME_BYTES && !n.chars().any(char::is_control);
    if let Some(name) = names.iter().find(|n| !valid(n)) {
        return Err(FormatError::unsupported(format!(
            "the graph input named {name:?} (a feature name is 1 to {MAX_NAME_BYTES} bytes \
             without control characters)"
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(FormatError::unsupported(format!(
            "two graph input columns named {name:?}"
        )));
    }
    Ok(names)
}

struct Tracer<'g, 'a> {
    graph: &'g Graph<'a>,
    values: HashMap<String, Value>,
    nodes: Vec<usize>,
    /// Columns the trace may still hold.
    budget: usize,
    known: BTreeMap<usize, Vec<u32>>,
    labels: BTreeMap<usize, Vec<String>>,
    /// Bytes of category names in `labels`.
    label_bytes: usize,
}

impl Tracer<'_, '_> {
    /// Gives string input column `feature` its encoder's category `names`: one list per
    /// column, whichever encoders read it, within [`MAX_LABEL_BYTES`] for all columns.
    fn name_categories(&mut self, feature: usize, names: &[&str]) -> Result<(), String> {
        if let Some(labels) = self.labels.get(&feature) {
            return match labels.iter().map(String::as_str).eq(names.iter().copied()) {
                true => Ok(()),
                false => Err("two encoders name a column's categories apart".into()),
            };
        }
        let bytes: usize = names.iter().map(|n| n.len()).sum();
        self.label_bytes = (self.label_bytes.checked_add(bytes))
            .filter(|&b| b <= MAX_LABEL_BYTES)
            .ok_or_else(|| format!("category names of more than {MAX_LABEL_BYTES} bytes"))?;
        let labels = names.iter().map(|n| n.to_string()).collect();
        self.labels.insert(feature, labels);
        Ok(())
    }

    /// Takes `columns` (counting each column's scalers too) from the budget, before they
    /// are built.
    fn spend(&mut self, columns: usize) -> Result<(), FormatError> {
        self.budget = self.budget.checked_sub(columns).ok_or_else(|| {
            FormatError::unsupported(format!(
                "column transformers of more than {MAX_COLUMNS_TRACED} columns in all"
            ))
        })?;
        Ok(())
    }

    /// [`Self::spend`] for a copy of `value`.
    fn spend_on(&mut self, value: &Value) -> Result<(), FormatError> {
        self.spend(value.columns.iter().map(Column::size).sum())
    }

    fn value(&mut self, name: &str, depth: usize) -> Result<Value, FormatError> {
        if let Some(value) = self.values.get(name) {
            return Ok(value.clone());
        }
        let graph = self.graph;
        let &p = graph
            .producer
            .get(name)
            .ok_or_else(|| FormatError::unsupported(format!("the value {name:?} is no column")))?;
        if depth > MAX_DEPTH {
            return Err(FormatError::unsupported(format!(
                "column operations nested more than {MAX_DEPTH} deep (or in a cycle)"
            )));
        }
        let node = &graph.nodes[p];
        let op = node.op_type.as_deref().unwrap_or_default();
        let data: Vec<&str> = node.input.iter().map(String::as_str).collect();
        let unsupported = |why: &str| {
            FormatError::unsupported(format!("{} before the predictor: {why}", describe(node)))
        };
        let first = data.first().ok_or_else(|| unsupported("no input"))?;
        let attributes = Attributes::new(node)?;
        let value = match op {
            "Identity" => {
                let value = self.value(first, depth + 1)?;
                self.spend_on(&value)?;
                value
            }
            "Cast" => {
                let mut value = self.value(first, depth + 1)?;
                self.spend_on(&value)?;
                match (attributes.int("to")?.map(|t| t as i32), value.kind) {
                    (Some(data_type::INT64), Kind::Float) if value.columns.iter().all(is_raw) => {
                        value.kind = Kind::Integer
                    }
                    (Some(data_type::FLOAT), Kind::Float) => {}
                    _ => return Err(unsupported("only float columns to int64 or float32")),
                }
                value
            }
            "Scaler" => {
                let mut value = self.value(first, depth + 1)?;
                self.spend_on(&value)?;
                let scale = attributes.floats("scale")?;
                let offset = attributes.floats("offset")?;
                let width = value.columns.len();
                let fits = |v: &[f32]| v.len() == 1 || v.len() == width;
                let finite = scale.iter().chain(offset).all(|v| v.is_finite());
                let float = value.kind == Kind::Float;
                if !float || scale.len() != offset.len() || !fits(scale) || !finite {
                    return Err(unsupported("its scales do not fit its float columns"));
                }
                if scale.contains(&0.0) {
                    return Err(unsupported("a scale of 0"));
                }
                let pick = |v: &[f32], i: usize| v[if v.len() == 1 { 0 } else { i }];
                for (i, column) in value.columns.iter_mut().enumerate() {
                    match column {
                        Column::Numeric { scalers, .. } => {
                            scalers.push((pick(offset, i), pick(scale, i)))
                        }
                        Column::Category { .. } => {
                            return Err(unsupported("it scales a one-hot column"))
                        }
                    }
                }
                value
            }
            "ArrayFeatureExtractor" | "Gather" => {
                let value = self.value(first, depth + 1)?;
                let axis = attributes.int("axis")?.unwrap_or(0);
                // The last axis of a tensor of one row of `shape` (an encoder's `[1, K]` output,
                // whose dropped categories `OneHotEncoder(drop=…)` leaves out this way).
                let rank = value.shape.len() as i64;
                let last = axis == -1 || axis == rank;
                if op == "Gather" && axis != 1 && !last {
                    return Err(unsupported(
                        "only along the columns (axis 1) or the last axis",
                    ));
                }
                let indices = data.get(1).and_then(|i| graph.constant_tensor(i));
                let indices = indices
                    .and_then(tensor_int64s)
                    .ok_or_else(|| unsupported("only constant column indices"))?;
                let one_row = value.shape.iter().rev().skip(1).all(|&d| d == 1);
                if value.shape.is_empty() || !(rank == 1 || last && one_row) {
                    return Err(unsupported("only from one row of columns"));
                }
                let size = (indices.iter())
                    .filter_map(|&i| value.columns.get(usize::try_from(i).ok()?))
                    .map(Column::size)
                    .sum();
                self.spend(size)?;
                let columns = (indices.iter())
                    .map(|&i| {
                        usize::try_from(i)
                            .ok()
                            .and_then(|i| value.columns.get(i))
                            .cloned()
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| unsupported("an index beyond the columns"))?;
                let mut shape = value.shape.clone();
                *shape.last_mut().expect("not empty") = columns.len();
                Value {
                    shape,
                    columns,
                    kind: value.kind,
                }
            }
            "OneHotEncoder" => {
                let value = self.value(first, depth + 1)?;
                // `zeros = 1`: unknown categories are all zeros; `0` (skl2onnx's default,
                // from `handle_unknown="error"`): they raise, so inputs must be known.
                let raises = match attributes.int("zeros")? {
                    Some(1) => false,
                    None | Some(0) => true,
                    Some(_) => return Err(unsupported("zeros must be 0 or 1")),
                };
                let names = attributes.strings("cats_strings")?;
                let numbers = attributes.ints("cats_int64s")?;
                // String categories are numbered in the encoder's order: `names[k]` is `k`.
                let categories = match (value.kind, numbers.is_empty(), names.is_empty()) {
                    (_, false, false) => {
                        return Err(unsupported("both cats_int64s and cats_strings"))
                    }
                    (Kind::Integer, false, _) => integer_categories(numbers).ok_or_else(|| {
                        unsupported(&format!("categories must be 0 to {}", MAX_CATEGORIES - 1))
                    })?,
                    (Kind::Text, _, false) => {
                        check_names(&names).map_err(|why| unsupported(&why))?;
                        (0..names.len() as u32).collect()
                    }
                    (Kind::Integer, ..) => return Err(unsupported("integers, no cats_int64s")),
                    (Kind::Text, ..) => return Err(unsupported("strings, no cats_strings")),
                    (Kind::Float, ..) => {
                        return Err(unsupported("its input is not cast to integers"))
                    }
                };
                // onnxruntime keeps the last indicator of a repeated category: never written.
                let mut distinct = categories.clone();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() != categories.len() {
                    return Err(unsupported("a category listed twice"));
                }
                self.spend(value.columns.len().saturating_mul(categories.len()))?;
                let mut columns = Vec::with_capacity(value.columns.len() * categories.len());
                for column in &value.columns {
                    let &Column::Numeric { feature, .. } = column else {
                        return Err(unsupported("it encodes a one-hot column"));
                    };
                    if value.kind == Kind::Text {
                        self.name_categories(feature, &names)
                            .map_err(|why| unsupported(&why))?;
                    }
                    if raises {
                        let known = self.known.entry(feature).or_insert(distinct.clone());
                        if *known != distinct {
                            return Err(unsupported("two encoders know a column differently"));
                        }
                    }
                    columns.extend(
                        (categories.iter()).map(|&category| Column::Category { feature, category }),
                    );
                }
                let mut shape = value.shape.clone();
                shape.push(categories.len());
                Value {
                    shape,
                    columns,
                    kind: Kind::Float,
                }
            }
            "Concat" => {
                let mut parts = Vec::with_capacity(data.len());
                for part in &data {
                    let part = self.value(part, depth + 1)?;
                    self.spend_on(&part)?;
                    parts.push(part);
                }
                let rank = parts[0].shape.len();
                let axis = attributes.int("axis")?.unwrap_or(0);
                // The axis over whole tensors (rows first), as an axis within a row.
                let axis = if axis < 0 {
                    axis + rank as i64 + 1
                } else {
                    axis
                } - 1;
                let axis = usize::try_from(axis)
                    .ok()
                    .filter(|&a| a < rank)
                    .ok_or_else(|| unsupported("only along the columns"))?;
                let kind = parts[0].kind;
                let joins = parts.iter().all(|p| {
                    p.shape.len() == rank
                        && p.kind == kind
                        && kind != Kind::Integer
                        && p.shape[..axis].iter().product::<usize>() == 1
                        && p.shape[axis + 1..] == parts[0].shape[axis + 1..]
                });
                if !joins {
                    return Err(unsupported("only float (or string) columns of one row"));
                }
                let mut shape = parts[0].shape.clone();
                shape[axis] = parts.iter().map(|p| p.shape[axis]).sum();
                Value {
                    shape,
                    columns: parts.into_iter().flat_map(|p| p.columns).collect(),
                    kind,
                }
            }
            "Reshape" => {
                let value = self.value(first, depth + 1)?;
                self.spend_on(&value)?;
                let shape = data.get(1).and_then(|s| graph.constant_tensor(s));
                let shape = shape.and_then(tensor_int64s);
                match shape.as_deref() {
                    Some([-1 | 0, width]) if *width == value.columns.len() as i64 => Value {
                        shape: vec![value.columns.len()],
                        ..value
                    },
                    _ => return Err(unsupported("only into one row of its columns")),
                }
            }
            _ => return Err(unsupported("not a column operation")),
        };
        if value.columns.len() > MAX_FEATURES {
            return Err(unsupported(&format!("more than {MAX_FEATURES} columns")));
        }
        self.nodes.push(p);
        self.values.insert(name.to_string(), value.clone());
        Ok(value)
    }
}

/// An integer encoder's categories (`cats_int64s`), if all are 0 to `MAX_CATEGORIES − 1`.
fn integer_categories(numbers: &[i64]) -> Option<Vec<u32>> {
    (numbers.iter())
        .map(|&c| u32::try_from(c).ok().filter(|&c| c < MAX_CATEGORIES))
        .collect()
}

/// A string encoder's category names (`cats_strings`): at most [`MAX_CATEGORIES`], distinct,
/// each a valid name of a model's category (non-empty, bounded, no control characters).
fn check_names(names: &[&str]) -> Result<(), String> {
    if names.len() > MAX_CATEGORIES as usize {
        return Err(format!(
            "{} categories (at most {MAX_CATEGORIES})",
            names.len()
        ));
    }
    let bad = (names.iter())
        .find(|n| n.is_empty() || n.len() > MAX_NAME_BYTES || n.chars().any(char::is_control));
    if let Some(name) = bad {
        return Err(format!(
            "the category {name:?} (names are 1 to {MAX_NAME_BYTES} bytes without control \
             characters)"
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    match names.iter().find(|n| !seen.insert(**n)) {
        Some(name) => Err(format!("the category {name:?} listed twice")),
        None => Ok(()),
    }
}

fn is_raw(column: &Column) -> bool {
    matches!(column, Column::Numeric { scalers, .. } if scalers.is_empty())
}

/// Rewrites `source`, whose features are the predictor's columns, over the graph's `inputs`
/// columns (see the module docs); a column whose encoder raises on unknown categories is
/// categorical, its known categories recorded, even if no split reads it.
pub(super) fn fold(
    source: SourceModel,
    traced: &Traced,
    inputs: usize,
) -> Result<SourceModel, FormatError> {
    let body = match source.body {
        SourceBody::Trees {
            rule,
            base,
            trees,
            missing: None,
            categorical: None,
            known: None,
        } => fold_trees(rule, base, &trees, traced, inputs)?,
        SourceBody::Linear {
            weights,
            bias,
            indicators: None,
        } => {
            let (weights, bias, indicators) = fold_dense(&weights, &bias, traced, inputs)?;
            SourceBody::Linear {
                weights,
                bias,
                indicators,
            }
        }
        SourceBody::Mlp {
            activation,
            mut layers,
            indicators: None,
        } => {
            let first = &layers[0];
            let (weights, bias, indicators) =
                fold_dense(&first.weights, &first.bias, traced, inputs)?;
            layers[0] = SourceDense { weights, bias };
            SourceBody::Mlp {
                activation,
                layers,
                indicators,
            }
        }
        _ => {
            return Err(FormatError::unsupported(
                "one-hot or selected columns before a model zkinfer cannot fold them into",
            ))
        }
    };
    let labels = (!traced.labels.is_empty()).then(|| {
        (0..inputs)
            .map(|f| traced.labels.get(&f).cloned())
            .collect()
    });
    Ok(SourceModel {
        feature_names: traced.names.clone(),
        body,
        labels,
        ..source
    })
}

/// Trees over the traced columns, rewritten over the graph input's `inputs` columns.
fn fold_trees(
    rule: SplitRule,
    base: Vec<f64>,
    trees: &[SourceTree],
    traced: &Traced,
    inputs: usize,
) -> Result<SourceBody, FormatError> {
    let trees: Vec<SourceTree> = (trees.iter())
        .map(|tree| {
            let mut nodes = Vec::with_capacity(tree.nodes.len());
            rebuild(tree, (0, 0), rule, traced, &mut nodes)?;
            Ok(SourceTree {
                target: tree.target,
                nodes,
            })
        })
        .collect::<Result<_, FormatError>>()?;
    let mut categorical = categorical_features(&trees, inputs, CategoryRead::Exact)?;
    // A column an encoder reads is categorical even if no split does: its encoder may raise on
    // unknown categories, or its values be strings.
    let encoded = (traced.known.keys()).chain(traced.labels.keys());
    for &feature in encoded {
        let numeric = (trees.iter().flat_map(|t| &t.nodes))
            .any(|node| matches!(node, SourceNode::Split { feature: f, .. } if *f == feature));
        if numeric {
            return Err(FormatError::unsupported(format!(
                "input column {feature} is both one-hot encoded and split as a number"
            )));
        }
        let reads = categorical.get_or_insert_with(|| vec![None; inputs]);
        reads[feature] = Some(CategoryRead::Exact);
    }
    let known = (!traced.known.is_empty())
        .then(|| (0..inputs).map(|f| traced.known.get(&f).cloned()).collect());
    Ok(SourceBody::Trees {
        rule,
        base,
        trees,
        missing: None,
        categorical,
        known,
    })
}

/// What the graph input's columns are to a dense first layer, per input column.
#[derive(Clone, Copy, PartialEq)]
enum Read {
    /// Read by no column.
    Unread,
    Numeric,
    /// One-hot encoded, categories `0..count`.
    Categories(u32),
}

/// A dense first layer over the traced columns, `weights[out][column]` and `bias[out]`,
/// rewritten over the graph input's `inputs` columns: a numeric input weighs each scaled copy
/// of it, its `Scaler`s folded in (`(x − offset)·scale` is affine in `x`: in f64, as the
/// predictor's own float arithmetic is modelled); a one-hot encoded input becomes one input per
/// category `0..count` (its indicators: [`SourceBody::Linear`]'s `indicators`), weighing the
/// columns of that category (a category no encoder lists weighs zero, as every category an
/// encoder does not know sets no indicator). Returns the weights and biases over the body's
/// inputs, and the categorical features.
#[allow(clippy::type_complexity)]
fn fold_dense(
    weights: &[Vec<f64>],
    bias: &[f64],
    traced: &Traced,
    inputs: usize,
) -> Result<(Vec<Vec<f64>>, Vec<f64>, Option<Vec<Option<Categories>>>), FormatError> {
    let mut reads = vec![Read::Unread; inputs];
    // A string column is categorical even if its indicators are all dropped.
    for &feature in traced.labels.keys() {
        reads[feature] = Read::Categories(1);
    }
    for column in &traced.columns {
        let (feature, read) = match *column {
            Column::Numeric { feature, .. } => (feature, Read::Numeric),
            Column::Category { feature, category } => (feature, Read::Categories(category + 1)),
        };
        reads[feature] = match (reads[feature], read) {
            (Read::Unread, read) | (Read::Numeric, read @ Read::Numeric) => read,
            (Read::Categories(a), Read::Categories(b)) => Read::Categories(a.max(b)),
            _ => {
                return Err(FormatError::unsupported(format!(
                    "input column {feature} is both one-hot encoded and read as a number"
                )))
            }
        };
    }
    let mut starts = Vec::with_capacity(inputs);
    let mut width = 0usize;
    for read in &reads {
        starts.push(width);
        width += match read {
            Read::Categories(count) => *count as usize,
            _ => 1,
        };
    }
    if width > MAX_FEATURES {
        return Err(FormatError::unsupported(format!(
            "{width} inputs once one-hot encoded (at most {MAX_FEATURES})"
        )));
    }
    let mut folded = vec![vec![0.0; width]; weights.len()];
    let mut folded_bias = bias.to_vec();
    for ((row, out), b) in weights.iter().zip(&mut folded).zip(&mut folded_bias) {
        for (&w, column) in row.iter().zip(&traced.columns) {
            match column {
                Column::Numeric { feature, scalers } => {
                    let (mut a, mut c) = (1.0f64, 0.0f64);
                    for &(offset, scale) in scalers {
                        a *= f64::from(scale);
                        c = (c - f64::from(offset)) * f64::from(scale);
                    }
                    out[starts[*feature]] += w * a;
                    *b += w * c;
                }
                Column::Category { feature, category } => {
                    out[starts[*feature] + *category as usize] += w
                }
            }
        }
    }
    // A category a raising encoder does not know is refused before it is read: if another
    // encoder of the same column weighs it, that weight is never used.
    for (&feature, known) in &traced.known {
        if let Read::Categories(count) = reads[feature] {
            let unknown = (0..count).filter(|c| known.binary_search(c).is_err());
            for category in unknown {
                let input = starts[feature] + category as usize;
                folded.iter_mut().for_each(|row| row[input] = 0.0);
            }
        }
    }
    let categorical = (reads.iter().enumerate())
        .map(|(feature, read)| match read {
            Read::Categories(count) => Some(Categories {
                read: CategoryRead::Exact,
                count: *count,
                known: traced.known.get(&feature).cloned(),
                labels: None,
            }),
            _ => None,
        })
        .collect::<Vec<_>>();
    let any = categorical.iter().any(Option::is_some);
    Ok((folded, folded_bias, any.then_some(categorical)))
}

/// Appends `tree`'s node `at`, at `depth`, (and below) to `nodes`, over the input columns of
/// `traced`; returns its index. A split whose side is the same for every input accepted keeps
/// only that side.
fn rebuild(
    tree: &SourceTree,
    (at, depth): (usize, usize),
    rule: SplitRule,
    traced: &Traced,
    nodes: &mut Vec<SourceNode>,
) -> Result<usize, FormatError> {
    let columns = &traced.columns;
    if depth > MAX_TREE_DEPTH {
        return Err(FormatError::unsupported(format!(
            "a tree deeper than {MAX_TREE_DEPTH}"
        )));
    }
    let below = |node: usize| (node, depth + 1);
    let SourceNode::Split {
        feature,
        threshold,
        left,
        right,
    } = tree.nodes[at]
    else {
        nodes.push(tree.nodes[at].clone());
        return Ok(nodes.len() - 1);
    };
    let (split, swapped) = match &columns[feature] {
        // A column passed through keeps its split as it is.
        Column::Numeric { feature, scalers } if scalers.is_empty() => {
            (Err((*feature, threshold)), false)
        }
        Column::Numeric { feature, scalers } => match input_boundary(scalers, rule, threshold) {
            Boundary::Always(left_side) => {
                let side = if left_side { left } else { right };
                return rebuild(tree, below(side), rule, traced, nodes);
            }
            Boundary::At { threshold, swapped } => (Err((*feature, threshold)), swapped),
        },
        &Column::Category { feature, category } => {
            let (zero, one) = (
                rule.goes_left(0.0, threshold),
                rule.goes_left(1.0, threshold),
            );
            // A category a raising encoder does not know never reaches the trees: its
            // indicator is 0 for every input accepted.
            let unknown = (traced.known.get(&feature)).is_some_and(|k| !k.contains(&category));
            if zero == one || unknown {
                let side = if zero { left } else { right };
                return rebuild(tree, below(side), rule, traced, nodes);
            }
            (Ok((feature, category, one)), false)
        }
    };
    let index = nodes.len();
    nodes.push(SourceNode::Leaf { value: Vec::new() });
    let (first, second) = if swapped {
        (right, left)
    } else {
        (left, right)
    };
    let new_left = rebuild(tree, below(first), rule, traced, nodes)?;
    let new_right = rebuild(tree, below(second), rule, traced, nodes)?;
    nodes[index] = match split {
        Err((feature, threshold)) => SourceNode::Split {
            feature,
            threshold,
            left: new_left,
            right: new_right,
        },
        Ok((feature, category, set_left)) => SourceNode::CategorySplit {
            feature,
            set: vec![category],
            set_left,
            left: new_left,
            right: new_right,
        },
    };
    Ok(index)
}

/// Where a split at `threshold` on a scaled column falls on the input column.
#[derive(Debug, PartialEq)]
enum Boundary {
    /// Every input goes left (`true`) or right.
    Always(bool),
    /// Inputs go left iff `rule` sends them left at `threshold` (`swapped`: iff it does not).
    At { threshold: f64, swapped: bool },
}

/// onnxruntime's float32 `Scaler` chain.
fn scaled(scalers: &[(f32, f32)], x: f32) -> f32 {
    scalers
        .iter()
        .fold(x, |v, &(offset, scale)| (v - offset) * scale)
}

/// Infinity, as a position on the ordered line of float32 values (inputs may round to ±∞).
const LAST: i64 = 0x7f80_0000;

/// The float32 at `position` (`−LAST ..= LAST`, increasing with the value).
fn at_position(position: i64) -> f32 {
    let magnitude = f32::from_bits(position.unsigned_abs() as u32);
    if position < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// The split `x' = scaled(x)` against `threshold`, as a split on `x` itself, exactly: the
/// chain (finite, non-zero scales) is monotone on every float32 from −∞ to +∞, so the inputs
/// going left are those on one side of one float32.
fn input_boundary(scalers: &[(f32, f32)], rule: SplitRule, threshold: f64) -> Boundary {
    let goes_left = |position: i64| {
        let x = scaled(scalers, at_position(position));
        rule.goes_left(f64::from(x), threshold)
    };
    let (low, high) = (goes_left(-LAST), goes_left(LAST));
    if low == high {
        return Boundary::Always(low);
    }
    // The last position where the answer is still `low`'s (it changes once: monotone).
    let (mut inside, mut outside) = (-LAST, LAST);
    while outside - inside > 1 {
        let middle = inside + (outside - inside) / 2;
        if goes_left(middle) == low {
            inside = middle;
        } else {
            outside = middle;
        }
    }
    // Inputs up to `at_position(inside)` go `low`'s way, the others the other way: under
    // `rule`, `x ≤ at_position(inside)` is `x < at_position(outside)` for float32 `x`.
    let threshold = match rule {
        SplitRule::LessOrEqual => f64::from(at_position(inside)),
        SplitRule::LessThan => f64::from(at_position(outside)),
    };
    Boundary::At {
        threshold,
        swapped: !low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For chains of scalers of every sign, and thresholds near and far: every float32 around
    /// the boundary, and a spread of others, goes where the scaled value sends it.
    #[test]
    fn the_input_boundary_is_exact_on_every_float32() {
        let chains: [&[(f32, f32)]; 5] = [
            &[(1.0, 2.0)],
            &[(0.1, -3.7)],
            &[(-5.5, 0.013), (2.0, -1.0)],
            &[(0.0, 1e-30)],
            &[(1e30, 1e10)],
        ];
        for scalers in chains {
            for threshold in [-1e6, -0.3, 0.0, 0.1, 0.5, 7.25, 1e20] {
                for rule in [SplitRule::LessOrEqual, SplitRule::LessThan] {
                    let boundary = input_boundary(scalers, rule, threshold);
                    let library = |x: f32| rule.goes_left(f64::from(scaled(scalers, x)), threshold);
                    let folded = |x: f32| match boundary {
                        Boundary::Always(left) => left,
                        Boundary::At { threshold, swapped } => {
                            rule.goes_left(f64::from(x), threshold) != swapped
                        }
                    };
                    let mut probes: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.37).collect();
                    probes.extend([f32::MIN, f32::MAX, -1e30, 1e30, 0.0]);
                    probes.extend([f32::NEG_INFINITY, f32::INFINITY]);
                    if let Boundary::At { threshold, .. } = boundary {
                        let mut x = (threshold as f32).next_down().next_down();
                        for _ in 0..5 {
                            probes.push(x);
                            x = x.next_up();
                        }
                    }
                    for x in probes {
                        assert_eq!(
                            folded(x),
                            library(x),
                            "{scalers:?} {rule:?} {threshold} at {x}: {boundary:?}"
                        );
                    }
                }
            }
        }
    }
}
