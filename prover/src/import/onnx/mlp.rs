//! Dense networks: scikit-learn's `MLPClassifier` and `MLPRegressor` as skl2onnx writes them.
//!
//! skl2onnx writes every layer as `MatMul(a, coefficient[in, out]) → Add(intercepts[1, out])`
//! and the hidden activation after every layer but the last (`identity` becomes an `Identity`
//! node, which its optimizer removes). The last layer is followed by `Sigmoid` (binary: one
//! output), `Softmax` (multiclass) or nothing (regression). A classifier's label is
//! `classes[ArgMax(probabilities)]` through an `ArrayFeatureExtractor`, where the binary
//! probabilities are `Concat(1 − p, p)`. `Gemm` layers (`alpha·x·B + beta·C`, `B` possibly
//! transposed) are read too.
//!
//! The imported model keeps the last layer's output, the logits, as its scores:
//!
//! - Binary: class 1 iff the logit is `> 0`. scikit-learn predicts class 1 iff
//!   `expit(logit) > 0.5` (`LabelBinarizer.inverse_transform`'s threshold), the same rule
//!   except for positive logits below about 2^-52, whose f64 `expit` rounds to 0.5. The graph's
//!   `ArgMax` takes the first index on a tie, so `p = 0.5` gives class 0 there as well.
//! - Multiclass: the first largest logit, as scikit-learn's `argmax` of `predict_proba` and the
//!   graph's `ArgMax` (the softmax is increasing).
//!
//! Precision: onnxruntime computes a float graph in float32 (skl2onnx's default, and the
//! examples'), on the input rounded to float32; a graph skl2onnx wrote for a double input keeps
//! the input and weights in double. The precision is therefore that of the type reaching the
//! first layer, as for the other ONNX paths. The weights are widened exactly to f64.

use crate::error::FormatError;
use crate::model::{Activation, Link, Precision, Task};
use crate::source::{SourceBody, SourceDense, SourceModel};

use super::attributes::{
    check_labels, describe, domain_name, quoted, tensor_labels, tensor_values, Attributes,
};
use super::proto::{data_type, NodeProto, TensorProto};
use super::scalers::fold_scalers;
use super::{columns, single_input, Context, Graph, Kind, Plan, Role};

// The limits of the networks zkinfer imports are checked on the tensors' shapes, before any
// weight is decoded.
pub(super) use crate::limits::{MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH, MAX_NETWORK_PARAMETERS};

/// ONNX's activation operators. Only `Relu` (hidden), `Sigmoid` and `Softmax` (output) are
/// accepted; the others are recognized so that the error names them as activations.
const ACTIVATIONS: [&str; 19] = [
    "Relu",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "LeakyRelu",
    "PRelu",
    "ThresholdedRelu",
    "Elu",
    "Selu",
    "Celu",
    "Gelu",
    "HardSigmoid",
    "HardSwish",
    "Softplus",
    "Softsign",
    "LogSoftmax",
    "Hardmax",
    "Mish",
    "Swish",
];

/// Whether a node is a `MatMul` or `Gemm`: the graph then holds a network.
pub(super) fn is_dense(node: &NodeProto) -> bool {
    domain_name(node) == "ai.onnx" && matches!(node.op_type.as_deref(), Some("MatMul" | "Gemm"))
}

/// The standard operators a network is made of.
pub(super) fn is_layer_op(op: &str) -> bool {
    matches!(op, "MatMul" | "Gemm" | "Add") || ACTIVATIONS.contains(&op)
}

fn op(node: &NodeProto) -> &str {
    node.op_type.as_deref().unwrap_or_default()
}

/// A network found in a graph, with its weights still in their tensors.
pub(super) struct Network<'a> {
    layers: Vec<Layer<'a>>,
    activation: Activation,
    output: Output,
    /// The class labels of a classifier, in score order.
    classes: Vec<String>,
}

/// What follows the last layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    /// Nothing: a regressor.
    Logits,
    /// A binary classifier.
    Sigmoid,
    /// A multiclass classifier.
    Softmax,
}

/// A dense layer as the graph stores it: `alpha·weights·a + Σ scale·bias`.
struct Layer<'a> {
    /// The `MatMul` or `Gemm`.
    node: &'a NodeProto,
    weights: &'a TensorProto,
    /// Stored `[out, in]` (`Gemm` with `transB`) instead of `[in, out]`.
    transposed: bool,
    /// `Gemm`'s `alpha`.
    alpha: f64,
    /// The constant terms (`Gemm`'s `C` times `beta`, an `Add`'s constant input), each with the
    /// node adding it and its factor.
    biases: Vec<(&'a NodeProto, &'a TensorProto, f64)>,
    inputs: usize,
    outputs: usize,
}

impl Network<'_> {
    /// E.g. `MLP 30-16-1, relu`.
    pub(super) fn description(&self) -> String {
        let widths = self.layers.first().map(|l| l.inputs).into_iter();
        let widths = widths.chain(self.layers.iter().map(|l| l.outputs));
        let widths: Vec<String> = widths.map(|w| w.to_string()).collect();
        let activation = match self.activation {
            Activation::Relu => "relu",
            Activation::Identity => "identity",
        };
        format!("MLP {}, {activation}", widths.join("-"))
    }
}

/// Analyzes a graph holding a dense network (see the module documentation).
pub(super) fn analyze<'a>(graph: &Graph<'a>) -> Result<Plan<'a>, FormatError> {
    let dense = graph.nodes.iter().filter(|n| is_dense(n)).count();
    if dense > MAX_HIDDEN_LAYERS + 1 {
        return Err(too_deep(dense));
    }
    let chain = find_chain(graph)?;
    let first = &graph.nodes[chain.nodes[0]];
    // A column transformer before the network: traced, its one-hot columns folded into the
    // first layer ([`columns`]).
    let (before, columns) = match graph.walk_to_input(chain.data, first) {
        Ok(before) => (before, None),
        Err(chain_error) => match columns::trace(graph, chain.data) {
            Ok(traced) => (traced.nodes.clone(), Some(traced)),
            Err(trace) if columns::transforms_columns(graph) => return Err(trace),
            Err(_) => return Err(chain_error),
        },
    };
    let (element, precision, scalers) = match columns {
        None => graph.input_types(&before)?,
        Some(_) => (data_type::FLOAT, Precision::F32, Vec::new()),
    };
    let nodes: Vec<&NodeProto> = chain.nodes.iter().map(|&i| &graph.nodes[i]).collect();
    let (layers, activation, output) = parse(graph, &nodes, element)?;
    let head = nodes[nodes.len() - 1];
    let classes = match task(&layers, output)? {
        (Task::Regression, _) => Vec::new(),
        (Task::Binary, _) => class_table(graph, &head.output[0], output, 2)?,
        (Task::Multiclass, _) => {
            let classes = layers[layers.len() - 1].outputs;
            if classes > crate::model::MAX_SCORES {
                return Err(FormatError::unsupported(format!(
                    "a classifier network of {classes} classes (at most {})",
                    crate::model::MAX_SCORES
                )));
            }
            class_table(graph, &head.output[0], output, classes)?
        }
    };
    let mut settled = vec![false; graph.nodes.len()];
    for &i in before.iter().chain(&chain.nodes).chain(&chain.identities) {
        settled[i] = true;
    }
    graph.check_post_processing(settled, &head.output)?;
    Ok(Plan {
        kind: Kind::Network(Network {
            layers,
            activation,
            output,
            classes,
        }),
        features: graph.features,
        precision,
        predictor_input: element,
        scalers,
        columns,
    })
}

/// Reads the weights of an analyzed network into its float form.
pub(super) fn read(
    network: &Network<'_>,
    context: &Context<'_>,
) -> Result<SourceModel, FormatError> {
    let mut layers = network
        .layers
        .iter()
        .map(Layer::read)
        .collect::<Result<Vec<_>, _>>()?;
    let features = context.check_features(network.layers[0].inputs, "the first layer's weights")?;
    let first = &mut layers[0];
    fold_scalers(context, &mut first.weights, &mut first.bias)?;
    let (task, link) = task(&network.layers, network.output)?;
    Ok(SourceModel {
        labels: None,
        source: context.source.clone(),
        feature_names: context.feature_names(features),
        precision: context.precision,
        task,
        classes: network.classes.clone(),
        link,
        body: SourceBody::Mlp {
            activation: network.activation,
            layers,
            indicators: None,
        },
    })
}

/// The task and link a network's output gives.
fn task(layers: &[Layer<'_>], output: Output) -> Result<(Task, Link), FormatError> {
    let last = &layers[layers.len() - 1];
    let scores = last.outputs;
    let node = describe(last.node);
    match (output, scores) {
        (Output::Logits, 1) => Ok((Task::Regression, Link::Identity)),
        (Output::Sigmoid, 1) => Ok((Task::Binary, Link::Logistic)),
        (Output::Softmax, 2..) => Ok((Task::Multiclass, Link::Softmax)),
        (Output::Logits, _) => Err(FormatError::unsupported(format!(
            "a regression network with {scores} outputs ({node}; zkinfer reads one)"
        ))),
        (Output::Sigmoid, _) => Err(FormatError::unsupported(format!(
            "a multilabel classifier: a sigmoid over {scores} outputs of {node}"
        ))),
        (Output::Softmax, _) => Err(FormatError::unsupported(format!(
            "a softmax over the single output of {node}"
        ))),
    }
}

/// The network's nodes, from the first layer to the last.
struct Chain<'a> {
    /// The `MatMul`, `Gemm`, `Add` and activation nodes, in application order.
    nodes: Vec<usize>,
    /// The `Identity` nodes between them.
    identities: Vec<usize>,
    /// The data input of the first node.
    data: &'a str,
}

/// Finds the one layer node whose output no other layer node reads (the network's output) and
/// walks back from it along the data inputs to the first layer node.
fn find_chain<'a>(graph: &Graph<'a>) -> Result<Chain<'a>, FormatError> {
    let nodes = graph.nodes;
    let layer_nodes: Vec<usize> = (0..nodes.len())
        .filter(|&i| graph.role(&nodes[i]) == Some(Role::Layer))
        .collect();
    // Looking through the operators that may precede a layer, so that one misplaced between
    // two layers is reported as such by `walk_to_input`.
    let mut consumed = std::collections::HashSet::new();
    for &i in &layer_nodes {
        for input in nodes[i].input.iter().filter(|s| !s.is_empty()) {
            consumed.insert(upstream(graph, input)?);
        }
    }
    let heads: Vec<usize> = (layer_nodes.iter().copied())
        .filter(|&i| {
            nodes[i]
                .output
                .iter()
                .all(|o| !consumed.contains(o.as_str()))
        })
        .collect();
    let head = match heads.as_slice() {
        [one] => *one,
        [] => return Err(FormatError::malformed("the graph has a cycle")),
        [a, b, ..] => {
            return Err(FormatError::unsupported(format!(
                "a network with several outputs ({} and {})",
                describe(&nodes[*a]),
                describe(&nodes[*b])
            )))
        }
    };
    let mut chain = vec![head];
    let mut identities = Vec::new();
    let mut visited = vec![false; nodes.len()];
    visited[head] = true;
    let data = loop {
        let data = data_input(graph, &nodes[chain[chain.len() - 1]])?;
        let (value, passed) = resolve(graph, data)?;
        match graph.producer.get(value) {
            Some(&p) if graph.role(&nodes[p]) == Some(Role::Layer) => {
                if visited[p] {
                    return Err(FormatError::malformed("the graph has a cycle"));
                }
                visited[p] = true;
                identities.extend(passed);
                chain.push(p);
            }
            _ => break data,
        }
    };
    chain.reverse();
    Ok(Chain {
        nodes: chain,
        identities,
        data,
    })
}

/// The value a node reads through any `Identity` nodes, and those nodes.
fn resolve<'a>(graph: &Graph<'a>, value: &'a str) -> Result<(&'a str, Vec<usize>), FormatError> {
    let mut value = value;
    let mut passed = Vec::new();
    while let Some(&p) = graph.producer.get(value) {
        let node = &graph.nodes[p];
        if domain_name(node) != "ai.onnx" || op(node) != "Identity" {
            break;
        }
        if passed.len() >= graph.nodes.len() {
            return Err(FormatError::malformed("the graph has a cycle"));
        }
        passed.push(p);
        value = single_input(node)?;
    }
    Ok((value, passed))
}

/// The value a layer reads through any `Cast`, `Identity` and `Scaler` nodes.
fn upstream<'a>(graph: &Graph<'a>, value: &'a str) -> Result<&'a str, FormatError> {
    let mut value = value;
    let mut steps = 0;
    while let Some(&p) = graph.producer.get(value) {
        let node = &graph.nodes[p];
        let passes = matches!(op(node), "Cast" | "Identity" | "Scaler");
        if !passes || !matches!(graph.role(node), Some(Role::Before | Role::BeforeOrAfter)) {
            break;
        }
        steps += 1;
        if steps > graph.nodes.len() {
            return Err(FormatError::malformed("the graph has a cycle"));
        }
        value = single_input(node)?;
    }
    Ok(value)
}

/// The input of a layer node that carries the activations (not a weight or bias).
fn data_input<'a>(graph: &Graph<'a>, node: &'a NodeProto) -> Result<&'a str, FormatError> {
    let inputs = &node.input;
    match (op(node), inputs.as_slice()) {
        ("Add", [a, b]) => match (graph.is_constant(a), graph.is_constant(b)) {
            (false, true) | (true, true) => Ok(a),
            (true, false) => Ok(b),
            (false, false) => {
                for value in [a, b] {
                    if !graph.is_value(value) {
                        return Err(missing(node, value));
                    }
                }
                Err(FormatError::unsupported(format!(
                    "{} adds two computed values (zkinfer reads constant biases)",
                    describe(node)
                )))
            }
        },
        ("Add", _) => Err(input_count(node)),
        (_, [first, ..]) if !first.is_empty() => Ok(first),
        _ => Err(input_count(node)),
    }
}

fn input_count(node: &NodeProto) -> FormatError {
    FormatError::malformed(format!(
        "{} has {} inputs",
        describe(node),
        node.input.len()
    ))
}

fn missing(node: &NodeProto, value: &str) -> FormatError {
    FormatError::malformed(format!(
        "{} reads {}, which no initializer or node provides",
        describe(node),
        quoted(value)
    ))
}

/// Splits the chain into dense layers (`MatMul` or `Gemm`, then an optional `Add`) and the
/// activations between them, and checks their shapes.
fn parse<'a>(
    graph: &Graph<'a>,
    nodes: &[&'a NodeProto],
    element: i32,
) -> Result<(Vec<Layer<'a>>, Activation, Output), FormatError> {
    let mut layers: Vec<Layer<'a>> = Vec::new();
    // The activation after each layer but the last (`None`: identity).
    let mut hidden: Vec<Option<&NodeProto>> = Vec::new();
    let mut output = None;
    if let Some(node) = nodes.iter().find(|n| n.output.len() != 1) {
        return Err(FormatError::malformed(format!(
            "{} has {} outputs",
            describe(node),
            node.output.len()
        )));
    }
    let mut i = 0;
    while i < nodes.len() {
        let node = nodes[i];
        match op(node) {
            "MatMul" | "Gemm" => {
                if layers.len() > hidden.len() {
                    hidden.push(None);
                }
                let mut layer = dense(graph, node, element)?;
                if let Some(&add) = nodes.get(i + 1).filter(|n| op(n) == "Add") {
                    layer.biases.push(add_bias(graph, add, &layer, element)?);
                    i += 1;
                }
                layers.push(layer);
            }
            "Add" => {
                return Err(FormatError::unsupported(format!(
                    "{} that is not the bias of a MatMul or Gemm",
                    describe(node)
                )))
            }
            _ if layers.is_empty() => {
                return Err(FormatError::unsupported(format!(
                    "{} before the first layer",
                    describe(node)
                )))
            }
            _ if hidden.len() == layers.len() => {
                return Err(FormatError::unsupported(format!(
                    "{} after another activation",
                    describe(node)
                )))
            }
            _ if i + 1 == nodes.len() => output = Some(node),
            _ => hidden.push(Some(node)),
        }
        i += 1;
    }
    if layers.len() < 2 {
        return Err(FormatError::unsupported(
            "a network without a hidden layer (zkinfer reads networks of two layers or more)",
        ));
    }
    if layers.len() > MAX_HIDDEN_LAYERS + 1 {
        return Err(too_deep(layers.len()));
    }
    check_shapes(&layers)?;
    Ok((
        layers,
        hidden_activation(&hidden)?,
        output_activation(output)?,
    ))
}

fn too_deep(layers: usize) -> FormatError {
    FormatError::unsupported(format!(
        "a network of {} hidden layers (at most {MAX_HIDDEN_LAYERS})",
        layers - 1
    ))
}

/// The one activation of every hidden layer.
fn hidden_activation(hidden: &[Option<&NodeProto>]) -> Result<Activation, FormatError> {
    let mut found: Option<(Activation, String)> = None;
    for node in hidden {
        let (activation, name) = match node {
            None => (Activation::Identity, "none (identity)".to_string()),
            Some(node) if op(node) == "Relu" => {
                single_input(node)?;
                (Activation::Relu, describe(node))
            }
            Some(node) => {
                return Err(FormatError::unsupported(format!(
                    "hidden activation {} at {} (zkinfer proves ReLU and identity networks)",
                    op(node),
                    describe(node)
                )))
            }
        };
        match &found {
            Some((first, first_name)) if *first != activation => {
                return Err(FormatError::unsupported(format!(
                    "hidden layers with different activations ({first_name} and {name})"
                )))
            }
            Some(_) => {}
            None => found = Some((activation, name)),
        }
    }
    Ok(found.map_or(Activation::Identity, |(activation, _)| activation))
}

/// What follows the last layer: `Sigmoid`, `Softmax` on the classes, or nothing.
fn output_activation(node: Option<&NodeProto>) -> Result<Output, FormatError> {
    let Some(node) = node else {
        return Ok(Output::Logits);
    };
    single_input(node)?;
    match op(node) {
        "Sigmoid" => Ok(Output::Sigmoid),
        "Softmax" => match Attributes::new(node)?.int("axis")? {
            None | Some(1 | -1) => Ok(Output::Softmax),
            Some(axis) => Err(FormatError::unsupported(format!(
                "{} on axis {axis} (expected 1, the classes)",
                describe(node)
            ))),
        },
        other => Err(FormatError::unsupported(format!(
            "output activation {other} at {} (zkinfer reads Sigmoid, Softmax or none)",
            describe(node)
        ))),
    }
}

/// Each layer reads what the one before it writes, and the parameters stay within bounds.
fn check_shapes(layers: &[Layer<'_>]) -> Result<(), FormatError> {
    let mut parameters: usize = 0;
    for (l, layer) in layers.iter().enumerate() {
        if l > 0 && layers[l - 1].outputs != layer.inputs {
            return Err(FormatError::malformed(format!(
                "{} takes {} inputs but the layer before it has {} outputs",
                describe(layer.node),
                layer.inputs,
                layers[l - 1].outputs
            )));
        }
        // Widths are at most MAX_LAYER_WIDTH, so this cannot overflow.
        parameters += (layer.inputs + 1) * layer.outputs;
        if parameters > MAX_NETWORK_PARAMETERS {
            return Err(FormatError::unsupported(format!(
                "a network of more than {MAX_NETWORK_PARAMETERS} weights and biases"
            )));
        }
    }
    Ok(())
}

/// A `MatMul(a, W[in, out])` or `Gemm(a, B, C)` layer, without an `Add` after it.
fn dense<'a>(
    graph: &Graph<'a>,
    node: &'a NodeProto,
    element: i32,
) -> Result<Layer<'a>, FormatError> {
    let name = describe(node);
    let (transposed, alpha, bias) = match (op(node), node.input.as_slice()) {
        ("MatMul", [_, _]) => (false, 1.0, None),
        ("Gemm", [_, _]) => {
            let (transposed, alpha, _) = gemm_attributes(node)?;
            (transposed, alpha, None)
        }
        ("Gemm", [_, _, c]) => {
            let (transposed, alpha, beta) = gemm_attributes(node)?;
            (transposed, alpha, (!c.is_empty()).then_some((c, beta)))
        }
        _ => return Err(input_count(node)),
    };
    let weights = constant(graph, node, &node.input[1], "weights", element)?;
    let [rows, columns] = weights.dims.as_slice() else {
        return Err(FormatError::unsupported(format!(
            "{name}: weights of shape {:?} (expected a matrix)",
            weights.dims
        )));
    };
    let (rows, columns) = (width(node, *rows)?, width(node, *columns)?);
    let (inputs, outputs) = if transposed {
        (columns, rows)
    } else {
        (rows, columns)
    };
    let mut layer = Layer {
        node,
        weights,
        transposed,
        alpha,
        biases: Vec::new(),
        inputs,
        outputs,
    };
    if let Some((c, beta)) = bias {
        let tensor = constant(graph, node, c, "bias", element)?;
        check_bias_shape(node, tensor, outputs)?;
        layer.biases.push((node, tensor, beta));
    }
    Ok(layer)
}

/// `Gemm`'s `transB`, `alpha` and `beta`, refusing a transposed data input.
fn gemm_attributes(node: &NodeProto) -> Result<(bool, f64, f64), FormatError> {
    let attributes = Attributes::new(node)?;
    let name = describe(node);
    match attributes.int("transA")? {
        None | Some(0) => {}
        Some(t) => {
            return Err(FormatError::unsupported(format!(
                "{name} with transA={t} (zkinfer reads Gemm(x, W) with untransposed x)"
            )))
        }
    }
    let transposed = match attributes.int("transB")? {
        None | Some(0) => false,
        Some(1) => true,
        Some(t) => {
            return Err(FormatError::malformed(format!("{name} has transB={t}")));
        }
    };
    let factor = |attribute: &str| -> Result<f64, FormatError> {
        match attributes.float(attribute)? {
            Some(v) if !v.is_finite() => Err(FormatError::malformed(format!(
                "{name} has {attribute}={v}"
            ))),
            v => Ok(v.map_or(1.0, f64::from)),
        }
    };
    Ok((transposed, factor("alpha")?, factor("beta")?))
}

/// A layer width from a weight dimension.
fn width(node: &NodeProto, d: i64) -> Result<usize, FormatError> {
    match usize::try_from(d) {
        Ok(w) if (1..=MAX_LAYER_WIDTH).contains(&w) => Ok(w),
        Ok(w) if w > MAX_LAYER_WIDTH => Err(FormatError::unsupported(format!(
            "{}: a layer of width {w} (at most {MAX_LAYER_WIDTH})",
            describe(node)
        ))),
        _ => Err(FormatError::malformed(format!(
            "{}: the weights have dimension {d}",
            describe(node)
        ))),
    }
}

/// The constant input of the `Add` after a layer.
fn add_bias<'a>(
    graph: &Graph<'a>,
    add: &'a NodeProto,
    layer: &Layer<'a>,
    element: i32,
) -> Result<(&'a NodeProto, &'a TensorProto, f64), FormatError> {
    let data = data_input(graph, add)?;
    let bias = add
        .input
        .iter()
        .find(|i| *i != data)
        .map_or(data, String::as_str);
    let tensor = constant(graph, add, bias, "bias", element)?;
    check_bias_shape(add, tensor, layer.outputs)?;
    Ok((add, tensor, 1.0))
}

/// A bias must broadcast to `[rows, outputs]` without growing the rows: `[outputs]`,
/// `[1, outputs]`, or one value for all.
fn check_bias_shape(
    node: &NodeProto,
    tensor: &TensorProto,
    outputs: usize,
) -> Result<(), FormatError> {
    let fits = match tensor.dims.as_slice() {
        [] => true,
        [n] | [1, n] => *n == 1 || usize::try_from(*n) == Ok(outputs),
        _ => false,
    };
    if !fits {
        return Err(FormatError::unsupported(format!(
            "{}: a bias of shape {:?} for {outputs} outputs",
            describe(node),
            tensor.dims
        )));
    }
    Ok(())
}

/// The constant tensor `value` of `node`, of the network's element type.
fn constant<'a>(
    graph: &Graph<'a>,
    node: &NodeProto,
    value: &str,
    what: &str,
    element: i32,
) -> Result<&'a TensorProto, FormatError> {
    let name = describe(node);
    let Some(tensor) = graph.constant_tensor(value) else {
        return Err(if graph.is_constant(value) {
            FormatError::unsupported(format!(
                "{name}: the {what} {} are a Constant without a tensor value",
                quoted(value)
            ))
        } else if graph.is_value(value) {
            FormatError::unsupported(format!(
                "{name}: the {what} {} are computed (zkinfer reads constant weights and biases)",
                quoted(value)
            ))
        } else {
            missing(node, value)
        });
    };
    let stored = tensor.data_type.unwrap_or(0);
    if stored != element {
        return Err(FormatError::malformed(format!(
            "{name}: the {what} {} hold {} values but the layer's input is {}",
            quoted(value),
            data_type::name(stored),
            data_type::name(element)
        )));
    }
    Ok(tensor)
}

impl Layer<'_> {
    /// The weights `[out][in]` and biases in f64.
    fn read(&self) -> Result<SourceDense, FormatError> {
        let weights = values(self.node, self.weights, "weights")?;
        let (inputs, outputs) = (self.inputs, self.outputs);
        let at = |o: usize, i: usize| {
            let k = if self.transposed {
                o * inputs + i
            } else {
                i * outputs + o
            };
            self.alpha * weights[k]
        };
        let weights = (0..outputs)
            .map(|o| (0..inputs).map(|i| at(o, i)).collect())
            .collect();
        let mut bias = vec![0.0; outputs];
        for &(node, tensor, scale) in &self.biases {
            let values = values(node, tensor, "bias")?;
            let broadcast = match values.len() {
                1 => vec![values[0]; outputs],
                n if n == outputs => values,
                // `check_bias_shape` allows no other count.
                n => {
                    return Err(FormatError::malformed(format!(
                        "{}: a bias of {n} values for {outputs} outputs",
                        describe(node)
                    )))
                }
            };
            for (b, v) in bias.iter_mut().zip(broadcast) {
                *b += scale * v;
            }
        }
        Ok(SourceDense { weights, bias })
    }
}

/// A weight or bias tensor's values, all finite.
fn values(node: &NodeProto, tensor: &TensorProto, what: &str) -> Result<Vec<f64>, FormatError> {
    let name = quoted(tensor.name.as_deref().unwrap_or_default());
    let bad = |problem: String| {
        FormatError::malformed(format!("{}: the {what} {name} {problem}", describe(node)))
    };
    let (_, values) = tensor_values(tensor).map_err(bad)?;
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(bad(format!("hold the value {v}")));
    }
    Ok(values)
}

/// A classifier's labels: `ArrayFeatureExtractor(classes, ArgMax(probabilities))`, where the
/// probabilities are the softmax output, or `Concat(1 − p, p)` for the sigmoid output `p`.
fn class_table(
    graph: &Graph<'_>,
    probabilities: &str,
    output: Output,
    classes: usize,
) -> Result<Vec<String>, FormatError> {
    let argmax = label_argmax(graph)?;
    let read = resolve(graph, single_input(argmax)?)?.0;
    let reads_probabilities = match output {
        Output::Sigmoid => is_binary_probabilities(graph, read, probabilities)?,
        _ => read == probabilities,
    };
    if !reads_probabilities {
        let expected = match output {
            Output::Sigmoid => "Concat(1 − p, p) of the sigmoid output p",
            _ => "the softmax output",
        };
        return Err(FormatError::unsupported(format!(
            "{} does not read {expected}",
            describe(argmax)
        )));
    }
    let indices = argmax
        .output
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let extractors: Vec<&NodeProto> = graph
        .nodes
        .iter()
        .filter(|n| domain_name(n) == super::ML_DOMAIN && op(n) == "ArrayFeatureExtractor")
        .filter(|n| n.input.len() == 2 && resolve(graph, &n.input[1]).is_ok_and(|r| r.0 == indices))
        .collect();
    let [extractor] = extractors.as_slice() else {
        return Err(FormatError::unsupported(format!(
            "a classifier network with {} ArrayFeatureExtractor nodes looking up {} \
             (zkinfer reads the labels from one)",
            extractors.len(),
            describe(argmax)
        )));
    };
    labels(graph, extractor, classes)
}

/// The one `ArgMax` of a classifier, taking the first largest probability on the classes.
fn label_argmax<'a>(graph: &Graph<'a>) -> Result<&'a NodeProto, FormatError> {
    let found: Vec<&NodeProto> = graph
        .nodes
        .iter()
        .filter(|n| domain_name(n) == "ai.onnx" && op(n) == "ArgMax")
        .collect();
    let [argmax] = found.as_slice() else {
        return Err(FormatError::unsupported(format!(
            "a classifier network with {} ArgMax nodes (zkinfer reads the label from one)",
            found.len()
        )));
    };
    let attributes = Attributes::new(argmax)?;
    match attributes.int("axis")? {
        Some(1 | -1) => {}
        axis => {
            return Err(FormatError::unsupported(format!(
                "{} on axis {} (expected 1, the classes)",
                describe(argmax),
                axis.unwrap_or(0)
            )))
        }
    }
    if attributes.int("select_last_index")?.unwrap_or(0) != 0 {
        return Err(FormatError::unsupported(format!(
            "{} with select_last_index (scikit-learn takes the first largest probability)",
            describe(argmax)
        )));
    }
    Ok(argmax)
}

/// Whether `value` is `Concat(Sub(1, p), p)` on axis 1.
fn is_binary_probabilities(graph: &Graph<'_>, value: &str, p: &str) -> Result<bool, FormatError> {
    let produced = |value: &str, wanted: &str| {
        let node = &graph.nodes[*graph.producer.get(value)?];
        (domain_name(node) == "ai.onnx" && op(node) == wanted && node.input.len() == 2)
            .then_some(node)
    };
    let Some(concat) = produced(value, "Concat") else {
        return Ok(false);
    };
    if !matches!(Attributes::new(concat)?.int("axis")?, Some(1 | -1))
        || resolve(graph, &concat.input[1])?.0 != p
    {
        return Ok(false);
    }
    let Some(sub) = produced(resolve(graph, &concat.input[0])?.0, "Sub") else {
        return Ok(false);
    };
    if resolve(graph, &sub.input[1])?.0 != p {
        return Ok(false);
    }
    let Some(one) = graph.constant_tensor(&sub.input[0]) else {
        return Ok(false);
    };
    // Decoded only once known to hold a single value.
    let single = one.dims.iter().all(|&d| d == 1);
    Ok(single && matches!(tensor_values(one), Ok((_, values)) if values == [1.0]))
}

/// The class table of the `ArrayFeatureExtractor`: `classes` labels.
fn labels(
    graph: &Graph<'_>,
    extractor: &NodeProto,
    classes: usize,
) -> Result<Vec<String>, FormatError> {
    let name = describe(extractor);
    let table = &extractor.input[0];
    let Some(tensor) = graph.constant_tensor(table) else {
        return Err(FormatError::unsupported(format!(
            "{name} does not read a constant class table"
        )));
    };
    let count = match tensor.dims.as_slice() {
        [n] => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    if count != classes {
        return Err(FormatError::malformed(format!(
            "{name}: the class table {} has shape {:?} for {classes} classes",
            quoted(table),
            tensor.dims
        )));
    }
    let labels = tensor_labels(tensor).map_err(|problem| {
        FormatError::malformed(format!(
            "{name}: the class table {} {problem}",
            quoted(table)
        ))
    })?;
    check_labels(&name, &labels)?;
    Ok(labels)
}
