//! ONNX-ML models as skl2onnx writes them for scikit-learn.
//!
//! Two graph shapes are supported, both starting with `input → [Cast | Identity | Scaler]*`:
//!
//! - **A predictor**: then exactly one `ai.onnx.ml` operator among `LinearClassifier`,
//!   `LinearRegressor`, `TreeEnsembleClassifier` and `TreeEnsembleRegressor`, and every node
//!   after it only reshapes or transforms the predictor's outputs (`ZipMap`, `Normalizer`,
//!   `Softmax`, …). The imported [`SourceModel`] decides the class as onnxruntime does on the
//!   predictor's raw scores (see `linear.rs` and `trees.rs` for the rules).
//! - **A dense network** (`MLPClassifier`, `MLPRegressor`): then layers
//!   `(MatMul [→ Add] | Gemm [→ Add]) → [Relu]`, the same hidden activation (ReLU or none)
//!   between every two layers, weights and biases constant; the last layer is followed by
//!   `Sigmoid` (binary: one output, probabilities `Concat(1 − p, p)`), `Softmax` (multiclass) or
//!   nothing (regression: one output). Classifiers must find their labels through
//!   `ArgMax → ArrayFeatureExtractor(classes)`. The imported model keeps the logits; see
//!   `mlp.rs`.
//!
//! A tree ensemble, a linear model or a network may also read columns that a
//! `ColumnTransformer` picked, scaled and one-hot encoded from the input
//! (`ArrayFeatureExtractor`, `Gather`, `Scaler`, `Cast`, `OneHotEncoder`, `Concat`, `Reshape`):
//! the splits are rewritten over the input's own columns, or the (first layer's) weights folded
//! onto them and their categories' indicators (`columns.rs`). Such a graph may have several
//! inputs, float32 or strings, as skl2onnx converts a pipeline fitted on a pandas `DataFrame`
//! (one per column, each a feature named after it); a string column reaches the model only
//! through a `OneHotEncoder` of `cats_strings`, whose names the model keeps.
//!
//! Post-processing nodes only turn those outputs into probability maps or cast labels; they are
//! not part of the imported model.

mod attributes;
mod columns;
mod linear;
mod mlp;
mod proto;
mod scalers;
mod trees;

#[cfg(test)]
mod mlp_tests;
#[cfg(test)]
mod string_tests;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use prost::Message;

use crate::error::FormatError;
use crate::model::{Precision, MAX_FEATURES};
use crate::source::SourceModel;

use attributes::{describe, domain_name, quoted, Attributes};
use proto::{data_type, type_proto, GraphProto, ModelProto, NodeProto, TensorProto};

/// The ONNX-ML operator domain.
const ML_DOMAIN: &str = "ai.onnx.ml";
/// Graphs with more nodes than this are refused before any analysis (skl2onnx writes a handful).
const MAX_GRAPH_NODES: usize = 4096;

/// The predictor operators (all in `ai.onnx.ml`).
const PREDICTORS: [&str; 4] = [
    "LinearClassifier",
    "LinearRegressor",
    "TreeEnsembleClassifier",
    "TreeEnsembleRegressor",
];

/// Whether bytes look like an ONNX protobuf file: a `ModelProto` with a positive IR version and a
/// graph of at least one node.
pub fn looks_like(bytes: &[u8]) -> bool {
    match ModelProto::decode(bytes) {
        Ok(model) => {
            model.ir_version.unwrap_or(0) > 0
                && model.graph.as_ref().is_some_and(|g| !g.node.is_empty())
        }
        Err(_) => false,
    }
}

/// Reads an ONNX-ML model into its float form.
pub fn read(bytes: &[u8]) -> Result<SourceModel, FormatError> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| FormatError::malformed(format!("not a valid ONNX protobuf: {e}")))?;
    if model.ir_version.unwrap_or(0) <= 0 {
        return Err(FormatError::malformed("the model has no IR version"));
    }
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| FormatError::malformed("the model has no graph"))?;
    let plan = analyze(graph)?;
    let op = match &plan.kind {
        Kind::Predictor(predictor) => predictor.op_type.clone().unwrap_or_default(),
        Kind::Network(network) => network.description(),
    };
    let context = Context {
        source: source_name(&model, &op),
        features: (plan.columns.as_ref()).map_or(plan.features, |c| Some(c.columns.len())),
        precision: plan.precision,
        predictor_input: plan.predictor_input,
        scalers: plan.scalers,
    };
    let source = match plan.kind {
        Kind::Network(network) => mlp::read(&network, &context)?,
        Kind::Predictor(predictor) => {
            let attributes = Attributes::new(predictor)?;
            match op.as_str() {
                "TreeEnsembleClassifier" => trees::classifier(&attributes, &context),
                "TreeEnsembleRegressor" => trees::regressor(&attributes, &context),
                "LinearClassifier" => linear::classifier(&attributes, &context),
                "LinearRegressor" => linear::regressor(&attributes, &context),
                _ => Err(FormatError::unsupported(describe(predictor))),
            }?
        }
    };
    match (plan.columns, plan.features) {
        (Some(traced), Some(inputs)) => columns::fold(source, &traced, inputs),
        _ => Ok(source),
    }
}

/// What the predictor needs to know about the graph around it.
struct Context<'a> {
    /// E.g. `"skl2onnx 1.19.1 (TreeEnsembleClassifier)"`.
    source: String,
    /// The number of features, when the graph input has a fixed second dimension.
    features: Option<usize>,
    /// The float type the input is rounded to before the predictor sees it.
    precision: Precision,
    /// Element type of the predictor's input tensor (float or double).
    predictor_input: i32,
    /// `Scaler` nodes between the input and the predictor, in application order.
    scalers: Vec<&'a NodeProto>,
}

impl Context<'_> {
    /// Placeholder feature names `f0, f1, …`.
    fn feature_names(&self, count: usize) -> Vec<String> {
        (0..count).map(crate::import::placeholder_name).collect()
    }

    /// The feature count, refusing one that is absurd or disagrees with the graph input.
    fn check_features(&self, count: usize, what: &str) -> Result<usize, FormatError> {
        if let Some(declared) = self.features {
            if declared != count {
                return Err(FormatError::malformed(format!(
                    "the input has {declared} features but {what} are for {count}"
                )));
            }
        }
        if count == 0 {
            return Err(FormatError::malformed("the model has no input features"));
        }
        if count > MAX_FEATURES {
            return Err(FormatError::unsupported(format!(
                "{count} input features (at most {MAX_FEATURES})"
            )));
        }
        Ok(count)
    }
}

/// The model's `source`: its producer's name and version (each its words joined by single
/// spaces, so no line break or other control character of a producer's reaches it; at most
/// 64 characters each) and the operator. CatBoost's version is a multi-line build
/// description: its release tag stands for it.
fn source_name(model: &ModelProto, op: &str) -> String {
    let words = |s: &str| {
        (s.split(|c: char| c.is_whitespace() || c.is_control()))
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let version = (model.producer_version.as_deref())
        .map(|v| crate::import::catboost::release_tag(v).unwrap_or(v));
    let producer = [model.producer_name.as_deref(), version]
        .into_iter()
        .flatten()
        .map(words)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(64).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    if producer.is_empty() {
        format!("onnx ({op})")
    } else {
        format!("{producer} ({op})")
    }
}

/// The result of the graph analysis.
struct Plan<'a> {
    kind: Kind<'a>,
    features: Option<usize>,
    precision: Precision,
    predictor_input: i32,
    scalers: Vec<&'a NodeProto>,
    /// The predictor's input columns, when they are not the graph input's own ([`columns`]).
    columns: Option<columns::Traced>,
}

/// What computes the scores.
enum Kind<'a> {
    /// One `ai.onnx.ml` predictor.
    Predictor(&'a NodeProto),
    /// A dense network of standard operators.
    Network(mlp::Network<'a>),
}

/// The role an operator may play.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Between the graph input and the predictor.
    Before,
    Predictor,
    /// Part of a dense network: `MatMul`, `Gemm`, `Add` and activations.
    Layer,
    /// Consumes only the predictor's outputs (and constants).
    After,
    /// Both before and after (`Cast`, `Identity`).
    BeforeOrAfter,
    /// Produces a constant.
    Constant,
}

/// The operators zkinfer accepts and where. `network` says whether the graph holds a dense
/// network (a `MatMul` or `Gemm`), which admits more operators.
fn role(node: &NodeProto, network: bool) -> Option<Role> {
    let op = node.op_type.as_deref().unwrap_or_default();
    match domain_name(node) {
        "ai.onnx" => match op {
            "Cast" | "Identity" => Some(Role::BeforeOrAfter),
            "Constant" => Some(Role::Constant),
            _ if network && mlp::is_layer_op(op) => Some(Role::Layer),
            // A binary network's probabilities `[1 − p, p]`.
            "Sub" if network => Some(Role::After),
            // Column transformers before the model ([`columns`]); `Concat` also assembles a
            // binary network's probabilities.
            "Gather" => Some(Role::Before),
            "Concat" | "Reshape" => Some(Role::BeforeOrAfter),
            "Softmax" | "ArgMax" | "Flatten" => Some(Role::After),
            _ => None,
        },
        ML_DOMAIN => match op {
            "Scaler" => Some(Role::Before),
            // The label lookup, and the multilabel output (refused with a clear message later).
            "Binarizer" if network => Some(Role::After),
            "ArrayFeatureExtractor" => Some(Role::BeforeOrAfter),
            "OneHotEncoder" => Some(Role::Before),
            "ZipMap" | "Normalizer" => Some(Role::After),
            _ if PREDICTORS.contains(&op) => Some(Role::Predictor),
            _ => None,
        },
        _ => None,
    }
}

/// A graph's nodes with its input, constants and who produces each value.
struct Graph<'a> {
    nodes: &'a [NodeProto],
    /// Whether the graph holds a dense network.
    network: bool,
    /// Initializers by name.
    initializers: HashMap<&'a str, &'a TensorProto>,
    /// The node producing each value.
    producer: HashMap<&'a str, usize>,
    /// The graph's input tensors, in order: one, or several (a `DataFrame`'s columns, say)
    /// that only a column transformer reads ([`columns`]).
    inputs: Vec<GraphInput<'a>>,
    /// The one input's name and element type; empty and 0 with several inputs.
    input_name: &'a str,
    input_type: i32,
    /// The number of input columns, when every input has a fixed second dimension.
    features: Option<usize>,
}

/// One input tensor of the graph: `[rows, width]` values of one element type.
struct GraphInput<'a> {
    name: &'a str,
    element: i32,
    width: Option<usize>,
}

impl<'a> Graph<'a> {
    /// Indexes the graph after checking its size, operators and single input.
    fn new(graph: &'a GraphProto) -> Result<Self, FormatError> {
        let nodes = &graph.node;
        if nodes.is_empty() {
            return Err(FormatError::malformed("the graph has no nodes"));
        }
        if nodes.len() > MAX_GRAPH_NODES {
            return Err(FormatError::unsupported(format!(
                "a graph of {} nodes (at most {MAX_GRAPH_NODES})",
                nodes.len()
            )));
        }
        if !graph.sparse_initializer.is_empty() {
            return Err(FormatError::unsupported("sparse initializers"));
        }
        let network = nodes.iter().any(mlp::is_dense);
        // Every operator must be one zkinfer knows, and none may carry a subgraph.
        for node in nodes {
            if role(node, network).is_none() {
                return Err(FormatError::unsupported(describe(node)));
            }
            Attributes::new(node)?;
        }
        let initializers: HashMap<&str, &TensorProto> = graph
            .initializer
            .iter()
            .filter_map(|t| Some((t.name.as_deref()?, t)))
            .collect();

        // The real inputs (older IR versions also list initializers as inputs).
        let inputs = (graph.input.iter())
            .filter(|i| !initializers.contains_key(i.name.as_deref().unwrap_or_default()))
            .map(|input| {
                let (element, width) = input_tensor(input)?;
                let name = input.name.as_deref().unwrap_or_default();
                Ok(GraphInput {
                    name,
                    element,
                    width,
                })
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        let (input_name, input_type, features) = match inputs.as_slice() {
            [] => return Err(FormatError::malformed("the graph has no input")),
            [one] => (one.name, one.element, one.width),
            several => {
                if several.len() > MAX_FEATURES {
                    return Err(FormatError::unsupported(format!(
                        "a graph of {} inputs (at most {MAX_FEATURES})",
                        several.len()
                    )));
                }
                let width =
                    (several.iter()).try_fold(0usize, |sum, input| sum.checked_add(input.width?));
                ("", 0, width)
            }
        };
        let names: Vec<&str> = inputs.iter().map(|i| i.name).collect();
        let mut distinct = names.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != names.len() {
            return Err(FormatError::malformed("two graph inputs share a name"));
        }
        Ok(Graph {
            nodes,
            network,
            initializers,
            producer: producers(nodes, &names, &graph.initializer)?,
            inputs,
            input_name,
            input_type,
            features,
        })
    }

    /// Whether `value` is one of the graph's inputs.
    fn is_input(&self, value: &str) -> bool {
        self.inputs.iter().any(|i| i.name == value)
    }

    fn role(&self, node: &NodeProto) -> Option<Role> {
        role(node, self.network)
    }

    /// Whether a value is an initializer or the output of a `Constant` node.
    fn is_constant(&self, value: &str) -> bool {
        self.initializers.contains_key(value)
            || self
                .producer
                .get(value)
                .is_some_and(|&p| self.role(&self.nodes[p]) == Some(Role::Constant))
    }

    /// Whether a value is the graph input or produced by a node.
    fn is_value(&self, value: &str) -> bool {
        self.is_input(value) || self.producer.contains_key(value)
    }

    /// The tensor of a constant value: an initializer or a `Constant` node's `value`.
    fn constant_tensor(&self, value: &str) -> Option<&'a TensorProto> {
        if let Some(tensor) = self.initializers.get(value) {
            return Some(tensor);
        }
        let node = &self.nodes[*self.producer.get(value)?];
        if self.role(node) != Some(Role::Constant) {
            return None;
        }
        let attribute = node
            .attribute
            .iter()
            .find(|a| a.name.as_deref() == Some("value"))?;
        attribute.t.as_ref()
    }

    /// The nodes from the graph input to `data`, the data input of `consumer` (the predictor or
    /// the first layer), in application order: only `Cast`, `Identity` and `Scaler`.
    fn walk_to_input(
        &self,
        data: &'a str,
        consumer: &NodeProto,
    ) -> Result<Vec<usize>, FormatError> {
        let target = if self.network {
            "the network"
        } else {
            "the predictor"
        };
        let mut before: Vec<usize> = Vec::new();
        let (mut current, mut data) = (consumer, data);
        while !(self.inputs.len() == 1 && data == self.input_name) {
            if self.is_input(data) {
                return Err(FormatError::unsupported(format!(
                    "{} reads the graph input {} alone (of several inputs, zkinfer reads \
                     columns assembled by a column transformer)",
                    describe(current),
                    quoted(data)
                )));
            }
            let Some(&p) = self.producer.get(data) else {
                return Err(if self.is_constant(data) {
                    FormatError::unsupported(format!(
                        "{} reads a constant instead of the graph input",
                        describe(current)
                    ))
                } else {
                    FormatError::malformed(format!("the value {} is never produced", quoted(data)))
                });
            };
            let node = &self.nodes[p];
            let op = node.op_type.as_deref().unwrap_or_default();
            match self.role(node) {
                // Anything else before the model changes columns: only a trace reads it.
                Some(Role::Before | Role::BeforeOrAfter)
                    if matches!(op, "Cast" | "Identity" | "Scaler") => {}
                Some(Role::Before | Role::BeforeOrAfter) => {
                    return Err(FormatError::unsupported(format!(
                        "{} before {target}",
                        describe(node)
                    )))
                }
                Some(Role::Layer) => {
                    return Err(FormatError::unsupported(format!(
                        "{} between two layers of the network",
                        describe(current)
                    )))
                }
                Some(Role::Constant) => {
                    return Err(FormatError::unsupported(format!(
                        "{} reads a constant instead of the graph input",
                        describe(current)
                    )))
                }
                _ => {
                    return Err(FormatError::unsupported(format!(
                        "{} before {target}",
                        describe(node)
                    )))
                }
            }
            if before.contains(&p) || before.len() > self.nodes.len() {
                return Err(FormatError::malformed("the graph has a cycle"));
            }
            before.push(p);
            current = node;
            data = single_input(node)?;
        }
        before.reverse();
        Ok(before)
    }

    /// The float type reaching the end of the `before` chain, the coarsest type the input passed
    /// through, and the `Scaler`s on the way.
    fn input_types(
        &self,
        before: &[usize],
    ) -> Result<(i32, Precision, Vec<&'a NodeProto>), FormatError> {
        let target = if self.network {
            "the network"
        } else {
            "the predictor"
        };
        if self.input_type != data_type::FLOAT && self.input_type != data_type::DOUBLE {
            return Err(FormatError::unsupported(format!(
                "the graph input {} holds {} values, which zkinfer reads only through a \
                 OneHotEncoder",
                quoted(self.input_name),
                data_type::name(self.input_type)
            )));
        }
        let mut current_type = self.input_type;
        let mut precision = precision_of(self.input_type);
        let mut scalers = Vec::new();
        for &i in before {
            let node = &self.nodes[i];
            match node.op_type.as_deref().unwrap_or_default() {
                "Cast" => {
                    let to = Attributes::new(node)?.int("to")?.ok_or_else(|| {
                        FormatError::malformed(format!("{} has no target type", describe(node)))
                    })?;
                    let to = i32::try_from(to).unwrap_or(-1);
                    if to != data_type::FLOAT && to != data_type::DOUBLE {
                        return Err(FormatError::unsupported(format!(
                            "{} to {} before {target}",
                            describe(node),
                            data_type::name(to)
                        )));
                    }
                    current_type = to;
                }
                "Scaler" => {
                    current_type = data_type::FLOAT;
                    scalers.push(node);
                }
                _ => {}
            }
            if current_type == data_type::FLOAT {
                precision = Precision::F32;
            }
        }
        Ok((current_type, precision, scalers))
    }

    /// Checks that every node not yet `settled` (the input chain and the model itself) only
    /// post-processes the model's `outputs`, or produces a constant.
    fn check_post_processing(
        &self,
        mut settled: Vec<bool>,
        outputs: &[String],
    ) -> Result<(), FormatError> {
        let nodes = self.nodes;
        let (model, target) = if self.network {
            ("network", "the network")
        } else {
            ("predictor", "the predictor")
        };
        let mut derived: HashSet<&str> = outputs
            .iter()
            .map(String::as_str)
            .filter(|o| !o.is_empty())
            .collect();
        let mut constant_values: HashSet<&str> = self.initializers.keys().copied().collect();
        for (i, node) in nodes.iter().enumerate() {
            if self.role(node) == Some(Role::Constant) {
                if node.input.iter().any(|s| !s.is_empty()) {
                    return Err(FormatError::malformed(format!(
                        "{} has inputs",
                        describe(node)
                    )));
                }
                constant_values.extend(node.output.iter().map(String::as_str));
                settled[i] = true;
            }
        }
        let after: Vec<bool> = settled.iter().map(|s| !s).collect();
        // Graphs are stored in topological order, but do not rely on it: repeat until stable.
        loop {
            let mut progress = false;
            for (i, node) in nodes.iter().enumerate() {
                if settled[i] {
                    continue;
                }
                let mut used = node
                    .input
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty());
                let ready = used.clone().any(|s| derived.contains(s))
                    && used.all(|s| derived.contains(s) || constant_values.contains(s));
                if ready {
                    settled[i] = true;
                    progress = true;
                    derived.extend(node.output.iter().map(String::as_str));
                }
            }
            if !progress {
                break;
            }
        }
        if let Some(i) = settled.iter().position(|s| !s) {
            let node = &nodes[i];
            return Err(FormatError::unsupported(match self.role(node) {
                Some(Role::After | Role::BeforeOrAfter) => format!(
                    "{} does not only post-process the {model}'s outputs",
                    describe(node)
                ),
                _ => format!("{} outside the chain input → {model}", describe(node)),
            }));
        }
        for (node, _) in nodes.iter().zip(after).filter(|(_, after)| *after) {
            if self.role(node) == Some(Role::Before) {
                return Err(FormatError::unsupported(format!(
                    "{} after {target}",
                    describe(node)
                )));
            }
        }
        Ok(())
    }
}

/// Who produces each value, refusing values produced twice or overwriting the graph's input and
/// initializers.
fn producers<'a>(
    nodes: &'a [NodeProto],
    input_names: &[&str],
    initializers: &[TensorProto],
) -> Result<HashMap<&'a str, usize>, FormatError> {
    let constants: HashSet<&str> = initializers
        .iter()
        .filter_map(|t| t.name.as_deref())
        .collect();
    let mut producer: HashMap<&str, usize> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        for output in node.output.iter().filter(|o| !o.is_empty()) {
            if input_names.contains(&output.as_str()) || constants.contains(output.as_str()) {
                return Err(FormatError::malformed(format!(
                    "{} overwrites the graph value {}",
                    describe(node),
                    quoted(output)
                )));
            }
            if producer.insert(output, i).is_some() {
                return Err(FormatError::malformed(format!(
                    "the value {} is produced twice",
                    quoted(output)
                )));
            }
        }
    }
    Ok(producer)
}

/// Checks the graph's shape and finds the predictor (or the network) and the operators before
/// it.
fn analyze(graph: &GraphProto) -> Result<Plan<'_>, FormatError> {
    let graph = Graph::new(graph)?;
    let predictors: Vec<&NodeProto> = graph
        .nodes
        .iter()
        .filter(|n| graph.role(n) == Some(Role::Predictor))
        .collect();
    if graph.network {
        if let Some(predictor) = predictors.first() {
            return Err(FormatError::unsupported(format!(
                "{} in a graph with a dense network",
                describe(predictor)
            )));
        }
        return mlp::analyze(&graph);
    }
    let predictor = match predictors.as_slice() {
        [one] => *one,
        [] => {
            return Err(FormatError::unsupported(
                "a graph without a predictor operator",
            ))
        }
        [first, second, ..] => {
            return Err(FormatError::unsupported(format!(
                "several predictors ({} and {})",
                describe(first),
                describe(second)
            )))
        }
    };
    let data = single_input(predictor)?;
    let chain = graph.walk_to_input(data, predictor);
    // Trees split scaled columns: the trace finds where on the input each split falls.
    let trees = (predictor.op_type.as_deref()).is_some_and(|op| op.starts_with("TreeEnsemble"));
    let scaled = chain.as_ref().is_ok_and(|before| {
        (before.iter()).any(|&i| graph.nodes[i].op_type.as_deref() == Some("Scaler"))
    });
    let (before, columns) = match chain {
        Ok(before) if !(trees && scaled) => (before, None),
        Ok(_) => {
            let traced = columns::trace(&graph, data)?;
            (traced.nodes.clone(), Some(traced))
        }
        Err(chain) => match columns::trace(&graph, data) {
            Ok(traced) => (traced.nodes.clone(), Some(traced)),
            Err(trace) if columns::transforms_columns(&graph) => return Err(trace),
            Err(_) => return Err(chain),
        },
    };
    let (predictor_input, precision, scalers) = match columns {
        None => graph.input_types(&before)?,
        Some(_) => (data_type::FLOAT, Precision::F32, Vec::new()),
    };
    let settled = (0..graph.nodes.len())
        .map(|i| before.contains(&i) || std::ptr::eq(&graph.nodes[i], predictor))
        .collect();
    graph.check_post_processing(settled, &predictor.output)?;
    Ok(Plan {
        kind: Kind::Predictor(predictor),
        features: graph.features,
        precision,
        predictor_input,
        scalers,
        columns,
    })
}

fn precision_of(element_type: i32) -> Precision {
    if element_type == data_type::DOUBLE {
        Precision::F64
    } else {
        Precision::F32
    }
}

/// The one data input of a node on the input → predictor chain.
fn single_input(node: &NodeProto) -> Result<&str, FormatError> {
    match node.input.as_slice() {
        [one] if !one.is_empty() => Ok(one),
        _ => Err(FormatError::unsupported(format!(
            "{} with {} inputs",
            describe(node),
            node.input.len()
        ))),
    }
}

/// The element type (float, double or string) and fixed feature count of a graph input.
fn input_tensor(input: &proto::ValueInfoProto) -> Result<(i32, Option<usize>), FormatError> {
    let name = quoted(input.name.as_deref().unwrap_or_default());
    let tensor = match input.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(tensor)) => tensor,
        Some(_) => {
            return Err(FormatError::unsupported(format!(
                "the graph input {name} is not a tensor"
            )))
        }
        None => {
            return Err(FormatError::malformed(format!(
                "the graph input {name} has no type"
            )))
        }
    };
    let element = tensor.elem_type.unwrap_or(0);
    if ![data_type::FLOAT, data_type::DOUBLE, data_type::STRING].contains(&element) {
        return Err(FormatError::unsupported(format!(
            "the graph input {name} holds {} values (zkinfer reads float, double or string \
             inputs)",
            data_type::name(element)
        )));
    }
    let Some(shape) = &tensor.shape else {
        return Ok((element, None));
    };
    use proto::tensor_shape_proto::dimension::Value;
    let features = match shape.dim.as_slice() {
        [_, second] => match second.value {
            Some(Value::DimValue(f)) if f > 0 => Some(usize::try_from(f).unwrap_or(usize::MAX)),
            Some(Value::DimValue(f)) => {
                return Err(FormatError::malformed(format!(
                    "the graph input {name} has {f} features"
                )))
            }
            _ => None,
        },
        dims => {
            return Err(FormatError::unsupported(format!(
                "the graph input {name} has {} dimensions (expected [rows, features])",
                dims.len()
            )))
        }
    };
    Ok((element, features))
}
