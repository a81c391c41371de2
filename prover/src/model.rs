//! The zkinfer model format, versions 1 to 3: a fixed-point model in which every number is an
//! integer. Version 2 is version 1 plus missing values for tree ensembles: which raw values of
//! each feature are missing ([`InputSpec::missing`]) and where each split sends them
//! ([`Tree::default_left`]); version 1 models refuse missing values. Version 3 adds categorical
//! features to tree ensembles, with or without missing values: how a raw value becomes a
//! category code ([`InputSpec::categorical`]) and which codes each split on one sends left
//! ([`Tree::categories`]).
//!
//! The canonical encoding is the compact JSON that [`Model::to_canonical_json`] writes (field
//! order as declared here, no whitespace); the model id is its BLAKE3 hash. `docs/model-format.md`
//! documents both byte by byte.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::fixed_point::{
    ExactFloat, SplitRule, FEATURE_MAX, MAGNITUDE_LIMIT, MAX_SCALE_LOG2, MAX_SCORE_SCALE_LOG2,
    MIN_SCALE_LOG2, SCORE_BITS,
};
use crate::input::{Feature, QuantizedInput};

pub const FORMAT_NAME: &str = "zkinfer-model";
/// The version of models without missing values (linear models, networks, and tree ensembles
/// written before version 2): their ids are unchanged.
pub const FORMAT_VERSION: u32 = 1;
/// The version of tree ensembles that define missing values.
pub const MISSING_VALUES_VERSION: u32 = 2;
/// The version of tree ensembles with categorical features.
pub const CATEGORICAL_VERSION: u32 = 3;

/// Size limits a model must respect (defined in [`crate::limits`]).
pub use crate::limits::{
    MAX_DEPTH, MAX_FEATURES, MAX_HIDDEN_LAYERS, MAX_LABEL_BYTES, MAX_LAYER_WIDTH, MAX_NAME_BYTES,
    MAX_NODES, MAX_SCORES, MAX_TREES,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Always `"zkinfer-model"`.
    pub format: String,
    /// `3` exactly when the model has categorical features, else `2` exactly when it defines
    /// missing values, else `1`.
    pub version: u32,
    /// Where the model came from, e.g. `"xgboost 3.0.2 binary:logistic"`.
    pub source: String,
    pub input: InputSpec,
    pub output: OutputSpec,
    pub body: Body,
}

/// How raw float features become the 16-bit integers the model computes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Raw values are first rounded to this float type, as the source library does.
    pub precision: Precision,
    /// Feature names, in input order.
    pub features: Vec<String>,
    pub encoding: Encoding,
    /// Version 2, tree ensembles: for each feature, which raw values are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<MissingRule>>,
    /// Version 3, tree ensembles: for each feature, `None` for a numeric one, or how its raw
    /// values become category codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical: Option<Vec<Option<Categories>>>,
}

/// A categorical feature: its raw values are categories, non-negative integers (or names of
/// categories, see `labels`), which the model reads as codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    /// How the library reads a raw value as a category.
    pub read: CategoryRead,
    /// Categories `0..count` are codes `0..count`; every other value (no category, or one
    /// beyond every split's) is code `count`. At most [`MAX_CATEGORIES`].
    pub count: u32,
    /// The only categories an input may have, increasing, when the library raises on any
    /// other (scikit-learn's `OneHotEncoder(handle_unknown="error")`): others are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<Vec<u32>>,
    /// The categories' names, when the library reads the feature as strings (scikit-learn's
    /// `OneHotEncoder` on a column of text): the input `labels[k]` is category `k`, any other
    /// string is no category. Inputs then give the feature as one of these names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// Each feature's inputs to a body that reads a categorical feature of `Some(count)`
/// categories as its `count` indicators, and any other as one input: consecutive ranges.
pub fn body_ranges(counts: impl IntoIterator<Item = Option<u32>>) -> Vec<Range<usize>> {
    let mut next = 0;
    (counts.into_iter())
        .map(|count| {
            let width = count.map_or(1, |count| count as usize);
            next += width;
            next - width..next
        })
        .collect()
}

/// The most categories a categorical feature names: its codes, "other" included, are 16-bit.
pub const MAX_CATEGORIES: u32 = 65_535;

/// How a library reads a raw value (already rounded to the model's precision) as a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryRead {
    /// The value truncated toward zero, if that is not negative (LightGBM): `−0.5` is category
    /// 0, `−1` none.
    TowardZero,
    /// No category if negative, else the value truncated (XGBoost): `−0.5` is none.
    NonNegative,
    /// The value itself, if it is a non-negative integer (scikit-learn's `OneHotEncoder`, which
    /// matches categories by equality): `2.5` and `−1` are none.
    Exact,
}

impl CategoryRead {
    /// The category a raw value (rounded to the model's precision) is, an integer, if any.
    pub fn category(self, x: f64) -> Option<f64> {
        let category = match self {
            CategoryRead::NonNegative if x < 0.0 => return None,
            CategoryRead::Exact if x.fract() != 0.0 => return None,
            _ => x.trunc(),
        };
        (category >= 0.0).then_some(category)
    }

    /// Whether a raw value (rounded to the model's precision) is one of the categories `set`
    /// (increasing).
    pub fn is_one_of(self, x: f64, set: &[u32]) -> bool {
        self.category(x).is_some_and(|category| {
            category <= f64::from(u32::MAX) && set.binary_search(&(category as u32)).is_ok()
        })
    }
}

impl Categories {
    /// With known categories, whether a split sending `left` codes left routes every unknown
    /// category below `count` as the other code: so that an unknown category, which the prover
    /// refuses, could only ever be proved as "other" is.
    fn routes_unknown_as_other(&self, left: &[u16]) -> bool {
        let Some(known) = &self.known else {
            return true;
        };
        let is_known = |c: u32| known.binary_search(&c).is_ok();
        let other_left = left.last() == Some(&(self.count as u16));
        let unknown_left = (left.iter().map(|&c| u32::from(c)))
            .filter(|&c| c < self.count && !is_known(c))
            .count() as u32;
        let known_below = known.iter().filter(|&&c| c < self.count).count() as u32;
        let unknown_below = self.count - known_below;
        unknown_left == if other_left { unknown_below } else { 0 }
    }

    /// The code of a finite raw value (rounded to the model's precision).
    pub fn code(&self, x: f64) -> u16 {
        match self.read.category(x) {
            Some(category) if category < f64::from(self.count) => category as u16,
            _ => self.count as u16,
        }
    }
}

/// Which raw values of a feature are missing, as its library reads them. A missing value takes
/// each split's default branch ([`Tree::default_left`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// NaN is missing (XGBoost; LightGBM's `missing_type` NaN).
    Nan,
    /// NaN and zero (`|x| ≤` [`ZERO_THRESHOLD`]) are missing (LightGBM's `zero_as_missing`).
    NanOrZero,
    /// NaN is read as zero (LightGBM features without a missing type): never missing, and the
    /// default branch of every split on it is the one zero takes.
    NanAsZero,
}

/// LightGBM's `kZeroThreshold`, the float `1e-35`: `|x| ≤` it counts as zero for
/// [`MissingRule::NanOrZero`].
pub const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

impl MissingRule {
    /// What a raw value (already rounded to the model's precision) is under this rule: `None`
    /// when missing, else the value to quantize.
    pub fn read(self, x: f64) -> Option<f64> {
        match self {
            MissingRule::Nan if x.is_nan() => None,
            MissingRule::NanOrZero if x.is_nan() || x.abs() <= ZERO_THRESHOLD => None,
            MissingRule::NanAsZero if x.is_nan() => Some(0.0),
            _ => Some(x),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    F32,
    F64,
}

/// Per-feature maps from a float to `q ∈ [0, 2^16)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Encoding {
    /// Linear models: `q_f = round(x_f · 2^scale_log2[f]) − offset[f]` (nearest, ties away
    /// from zero); values whose `q` falls outside `[0, 65535]` are refused.
    Grid {
        scale_log2: Vec<i32>,
        offset: Vec<i64>,
    },
    /// Trees: `q_f` = the number of `cuts[f]` below `x_f`, where "below" is the library's own
    /// comparison (`rule`): a cut `c` is below `x` iff `c ≤ x` (`less_than`) or `c < x`
    /// (`less_or_equal`). Every finite value is accepted.
    Bins {
        rule: SplitRule,
        cuts: Vec<Vec<ExactFloat>>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub task: Task,
    /// Class labels: two for `binary`, one per score for `multiclass`, none for `regression`.
    pub classes: Vec<String>,
    /// The real score is `score · 2^-score_scale_log2`.
    pub score_scale_log2: u32,
    /// How the library turns the real scores into probabilities (for display; the class
    /// decision never depends on it).
    pub link: Link,
}

impl OutputSpec {
    /// The real value of one fixed-point score unit, `2^-score_scale_log2`.
    pub fn score_unit(&self) -> f64 {
        crate::fixed_point::pow2(-(self.score_scale_log2 as i32))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// One score; class 1 iff `score > 0`.
    Binary,
    /// One score per class; the class is the first index of the largest score.
    Multiclass,
    /// One score: the prediction.
    Regression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The score is the prediction (regression).
    Identity,
    /// Binary margin: `P(class 1) = 1 / (1 + e^-score)`.
    Logistic,
    /// Multiclass margins: `P(c) = softmax(scores)_c`.
    Softmax,
    /// One-vs-rest margins: `P(c) ∝ 1 / (1 + e^-score_c)`.
    OneVsRestLogistic,
    /// Averaged leaf proportions: binary `P(1) = ½ + score`, multiclass `P(c) = score_c`.
    Proportion,
    /// Decision values without a probability (linear SVM).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Body {
    Linear(Linear),
    Trees(TreeEnsemble),
    Mlp(Mlp),
}

/// A dense network on the features: `a⁰ = q`; each hidden layer `z = bias + weights·a`,
/// `a = activation(⌊z / 2^16⌋)`; the scores are `output.bias + output.weights·a` of the last
/// hidden layer. Every hidden `z` lies in `[−2^32, 2^32)` and every score in `(−2^46, 2^46)`
/// for every input (checked when the model is validated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mlp {
    pub activation: Activation,
    pub hidden: Vec<Layer>,
    /// Per hidden layer and neuron `j`: the activation `a_j` stands for the real value
    /// `a_j · 2^-activation_scale_log2[l][j]` (so its `z` for `z · 2^-(scale + 16)`). For error
    /// bounds and display; the inference does not read it.
    pub activation_scale_log2: Vec<Vec<i32>>,
    pub output: Layer,
}

impl Mlp {
    /// The network the AIR proves, for a body of `num_features` inputs, those in each of
    /// `one_hot` a categorical feature's indicators ([`Model::one_hot_groups`]).
    pub fn network(
        &self,
        num_features: usize,
        one_hot: Vec<Range<usize>>,
    ) -> zkinfer_air::mlp::Network {
        let dense = |layer: &Layer| zkinfer_air::mlp::Dense {
            weights: layer.weights.clone(),
            bias: layer.bias.clone(),
        };
        zkinfer_air::mlp::Network {
            num_features,
            activation: self.activation.into(),
            hidden: self.hidden.iter().map(dense).collect(),
            output: dense(&self.output),
            one_hot,
        }
    }

    /// Hidden layers, then the output.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.hidden.iter().chain([&self.output])
    }
}

/// A dense layer: `weights[out][in]`, `bias[out]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
}

/// The function every hidden layer applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    Identity,
}

/// The AIR's activation, which also defines the integer function.
impl From<Activation> for zkinfer_air::mlp::Activation {
    fn from(activation: Activation) -> Self {
        match activation {
            Activation::Relu => zkinfer_air::mlp::Activation::Relu,
            Activation::Identity => zkinfer_air::mlp::Activation::Identity,
        }
    }
}

impl Activation {
    /// The float function, as the source library computes it.
    pub fn apply_f64(self, z: f64) -> f64 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::Identity => z,
        }
    }
}

/// `score_c = bias_c + Σ_f weights_c,f · q_f`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    pub weights: Vec<Vec<i64>>,
    pub bias: Vec<i64>,
}

/// `score_c = base_c + Σ_trees (value of the leaf the input reaches, for c)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeEnsemble {
    pub base: Vec<i64>,
    pub trees: Vec<Tree>,
}

/// A binary tree. Node ids `0..n` are the `n = feature.len()` splits, ids `n..n+leaves` the
/// leaves; the root is node 0. Split `i` sends the input left iff `q[feature[i]] < threshold[i]`;
/// with the bins encoding, threshold `k + 1` stands for the feature's cut `k`, and the
/// thresholds 0 and `cuts + 1` for a split at −∞ (every value goes right) and +∞ (every value
/// goes left).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// `Some(c)`: every leaf holds one value, added to score `c`. `None`: every leaf holds one
    /// value per score.
    pub target: Option<u32>,
    pub feature: Vec<u32>,
    pub threshold: Vec<i64>,
    pub left: Vec<u32>,
    pub right: Vec<u32>,
    /// Leaf values, leaf by leaf (row-major when leaves hold one value per score).
    pub leaf_value: Vec<i64>,
    /// Version 2: where split `i` sends a missing feature, left iff `default_left[i]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_left: Option<Vec<bool>>,
    /// Version 3: for each split, `None` for a threshold split, or, for a split on a
    /// categorical feature, the codes it sends left, increasing; its threshold is then 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<Option<Vec<u16>>>>,
}

impl Tree {
    pub fn num_splits(&self) -> usize {
        self.feature.len()
    }

    /// Values per leaf.
    pub fn leaf_width(&self, num_scores: usize) -> usize {
        if self.target.is_some() {
            1
        } else {
            num_scores
        }
    }

    pub fn num_leaves(&self, num_scores: usize) -> usize {
        self.leaf_value.len() / self.leaf_width(num_scores).max(1)
    }

    /// The values of leaf `leaf` (an index among the leaves, not a node id).
    pub fn leaf(&self, leaf: usize, num_scores: usize) -> &[i64] {
        let width = self.leaf_width(num_scores);
        &self.leaf_value[leaf * width..(leaf + 1) * width]
    }

    /// Depth of the deepest leaf (a lone leaf has depth 0). Assumes a validated tree.
    pub fn depth(&self) -> usize {
        let splits = self.num_splits();
        let mut deepest = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if node < splits {
                stack.push((self.left[node] as usize, depth + 1));
                stack.push((self.right[node] as usize, depth + 1));
            } else {
                deepest = deepest.max(depth);
            }
        }
        deepest
    }
}

/// Bound on the activation scale exponents.
pub const MAX_ACTIVATION_SCALE: u32 = 1024;

/// A model id: the BLAKE3 hash of the canonical encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub [u8; 32]);

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// 64 hexadecimal digits, as [`ModelId`] displays.
impl std::str::FromStr for ModelId {
    type Err = crate::commitment::CommitmentError;

    fn from_str(text: &str) -> Result<ModelId, Self::Err> {
        crate::commitment::decode_hex32(text).map(ModelId)
    }
}

impl fmt::Debug for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelId({self})")
    }
}

impl Model {
    /// Parses and validates a model file (any JSON layout; the id does not depend on it).
    pub fn from_json(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.len() > crate::limits::MAX_MODEL_FILE_BYTES {
            return Err(ModelError::FileTooLarge(bytes.len()));
        }
        let model: Model =
            serde_json::from_slice(bytes).map_err(|e| ModelError::Json(e.to_string()))?;
        model.validate()?;
        Ok(model)
    }

    /// The canonical encoding: compact JSON, fields in declaration order.
    pub fn to_canonical_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a model always serializes")
    }

    pub fn id(&self) -> ModelId {
        ModelId(*blake3::hash(&self.to_canonical_json()).as_bytes())
    }

    pub fn num_features(&self) -> usize {
        self.input.features.len()
    }

    /// Whether some raw input may be missing (versions 2 and 3).
    pub fn accepts_missing(&self) -> bool {
        self.input.missing.is_some()
    }

    /// Feature `index`'s categories, if it is categorical (version 3).
    pub fn categories(&self, index: usize) -> Option<&Categories> {
        self.input.categorical.as_ref()?.get(index)?.as_ref()
    }

    /// Whether the body reads each categorical feature as one-hot indicators (linear models and
    /// networks, as the library's `OneHotEncoder` hands it to them) rather than as its code
    /// (trees).
    pub fn reads_indicators(&self) -> bool {
        !matches!(self.body, Body::Trees(_))
    }

    /// Where each feature's inputs to the body start and end: one input for a numeric feature
    /// (or a categorical one a tree reads), one indicator per category for a categorical
    /// feature of a linear model or a network (categories `0..count`; the "other" code has
    /// none set).
    pub fn body_inputs_of(&self) -> Vec<Range<usize>> {
        let indicators = self.reads_indicators();
        body_ranges((0..self.num_features()).map(|f| {
            let categories = self.categories(f).filter(|_| indicators);
            categories.map(|c| c.count)
        }))
    }

    /// The number of values the body reads: [`Self::num_features`], with each categorical
    /// feature of a linear model or a network counted as its indicators.
    pub fn body_width(&self) -> usize {
        self.body_inputs_of().last().map_or(0, |inputs| inputs.end)
    }

    /// For the grid encoding, each body input's `(scale_log2, offset)`: its feature's, `(0, 0)`
    /// for an indicator (its value is its quantized value).
    pub fn body_grid(&self) -> Vec<(i32, i64)> {
        let Encoding::Grid { scale_log2, offset } = &self.input.encoding else {
            return Vec::new();
        };
        (self.body_inputs_of().into_iter().enumerate())
            .flat_map(|(f, inputs)| {
                let grid = match inputs.len() {
                    1 if self.categories(f).is_none() => (scale_log2[f], offset[f]),
                    _ => (0, 0),
                };
                inputs.map(move |_| grid)
            })
            .collect()
    }

    /// For the grid encoding, each body input's largest `|q + offset|` over the inputs it
    /// takes: 1 for an indicator.
    pub fn largest_body_inputs(&self) -> Vec<f64> {
        (self.body_grid().into_iter().zip(self.indicators()))
            .map(|((_, offset), indicator)| match indicator {
                true => 1.0,
                false => crate::fixed_point::largest_grid_index(offset),
            })
            .collect()
    }

    /// Per body input, whether it is a categorical feature's indicator.
    pub fn indicators(&self) -> Vec<bool> {
        let mut indicators = vec![false; self.body_width()];
        for group in self.one_hot_groups() {
            indicators[group].fill(true);
        }
        indicators
    }

    /// The groups of the body's inputs that are one categorical feature's indicators.
    pub fn one_hot_groups(&self) -> Vec<Range<usize>> {
        let inputs = self.body_inputs_of();
        (0..self.num_features())
            .filter(|&f| self.reads_indicators() && self.categories(f).is_some())
            .map(|f| inputs[f].clone())
            .collect()
    }

    /// The values the body reads for `input` (an input of this model), which the commitment
    /// hashes: each feature's value, a categorical feature of a linear model or a network as
    /// its indicators (code `k < count` sets indicator `k`; the "other" code none).
    pub fn body_inputs(&self, input: &QuantizedInput) -> Vec<Feature> {
        let mut values = Vec::with_capacity(self.body_width());
        for (f, &value) in input.values().iter().enumerate() {
            match self.categories(f) {
                Some(c) if self.reads_indicators() => {
                    values.extend((0..c.count as u16).map(|k| Some(u16::from(value == Some(k)))))
                }
                _ => values.push(value),
            }
        }
        values
    }

    /// Number of scores the model computes.
    pub fn num_scores(&self) -> usize {
        match self.output.task {
            Task::Binary | Task::Regression => 1,
            Task::Multiclass => self.output.classes.len(),
        }
    }

    /// Number of cuts of a feature under the bins encoding (0 for the grid).
    pub fn num_cuts(&self, feature: usize) -> usize {
        match &self.input.encoding {
            Encoding::Bins { cuts, .. } => cuts.get(feature).map_or(0, Vec::len),
            Encoding::Grid { .. } => 0,
        }
    }

    /// Checks every rule of the format; a model that passes can be evaluated without overflow.
    pub fn validate(&self) -> Result<(), ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(msg));
        if self.format != FORMAT_NAME {
            return invalid(format!(
                "format is {:?}, expected {FORMAT_NAME:?}",
                self.format
            ));
        }
        let missing = self.input.missing.is_some();
        // A version 3 model has a categorical feature: a list of numeric ones is a version 1
        // or 2 model written twice.
        let categorical = (self.input.categorical.iter().flatten()).any(Option::is_some);
        if self.input.categorical.is_some() && !categorical {
            return invalid(
                "a version 3 model has categorical features; these are all numeric".into(),
            );
        }
        match self.version {
            FORMAT_VERSION | MISSING_VALUES_VERSION if categorical => {
                return invalid("categorical features need model format version 3".into())
            }
            FORMAT_VERSION if missing => {
                return invalid("missing values need model format version 2".into())
            }
            MISSING_VALUES_VERSION if !missing => {
                return invalid("a version 2 model defines its missing values".into())
            }
            CATEGORICAL_VERSION if !categorical => {
                return invalid("a version 3 model has categorical features".into())
            }
            FORMAT_VERSION | MISSING_VALUES_VERSION | CATEGORICAL_VERSION => {}
            version => return Err(ModelError::UnsupportedVersion(version)),
        }
        check_text("source", &self.source, usize::MAX)?;
        self.validate_input()?;
        self.validate_output()?;
        match &self.body {
            Body::Linear(linear) => self.validate_linear(linear),
            Body::Trees(trees) => self.validate_trees(trees),
            Body::Mlp(mlp) => self.validate_mlp(mlp),
        }?;
        self.validate_trace()
    }

    /// The model's trace fits [`crate::limits::MAX_TRACE_CELLS`] for every output and profile.
    fn validate_trace(&self) -> Result<(), ModelError> {
        let (rows, columns) = crate::proving::largest_trace(self)
            .ok_or_else(|| ModelError::Invalid("the proof system cannot take this model".into()))?;
        crate::proving::TraceTooLarge::check(rows, columns).map_err(ModelError::TooLarge)
    }

    fn validate_input(&self) -> Result<(), ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(msg));
        let features = &self.input.features;
        if features.is_empty() || features.len() > MAX_FEATURES {
            return invalid(format!(
                "{} features; a model needs 1 to {MAX_FEATURES}",
                features.len()
            ));
        }
        let mut names = std::collections::HashSet::new();
        for name in features {
            check_text("feature name", name, MAX_NAME_BYTES)?;
            if !names.insert(name.as_str()) {
                return invalid(format!("feature name {name:?} appears twice"));
            }
        }
        match (&self.input.missing, &self.body) {
            (Some(rules), Body::Trees(_)) if rules.len() != features.len() => {
                return invalid("missing values need one rule per feature".into())
            }
            (Some(_), Body::Linear(_) | Body::Mlp(_)) => {
                return invalid("only tree ensembles define missing values".into())
            }
            _ => {}
        }
        self.validate_categorical()?;
        match (&self.input.encoding, &self.body) {
            (Encoding::Grid { scale_log2, offset }, Body::Linear(_) | Body::Mlp(_)) => {
                if scale_log2.len() != features.len() || offset.len() != features.len() {
                    return invalid("the grid needs one scale and offset per feature".into());
                }
                for ((name, &scale), &offset) in features.iter().zip(scale_log2).zip(offset) {
                    if !(MIN_SCALE_LOG2..=MAX_SCALE_LOG2).contains(&scale) {
                        return invalid(format!(
                            "feature {name:?}: scale_log2 {scale} outside \
                             [{MIN_SCALE_LOG2}, {MAX_SCALE_LOG2}]"
                        ));
                    }
                    if offset.abs() + FEATURE_MAX >= MAGNITUDE_LIMIT {
                        return invalid(format!("feature {name:?}: offset {offset} too large"));
                    }
                }
            }
            (Encoding::Bins { cuts, .. }, Body::Trees(_)) => {
                if cuts.len() != features.len() {
                    return invalid("the bins need one list of cuts per feature".into());
                }
                for (name, cuts) in features.iter().zip(cuts) {
                    if cuts.len() > FEATURE_MAX as usize {
                        return invalid(format!("feature {name:?}: more than 65535 cuts"));
                    }
                    let mut previous = f64::NEG_INFINITY;
                    for cut in cuts {
                        let value = cut.to_f64().ok_or_else(|| {
                            ModelError::Invalid(format!(
                                "feature {name:?}: cut {cut:?} is not a reduced finite float"
                            ))
                        })?;
                        if value <= previous {
                            return invalid(format!(
                                "feature {name:?}: cuts must be strictly increasing"
                            ));
                        }
                        previous = value;
                    }
                }
            }
            _ => {
                return invalid(
                    "linear models and networks use the grid encoding, tree ensembles the bins \
                     encoding"
                        .into(),
                )
            }
        }
        Ok(())
    }

    /// Categorical features: one entry per feature, each with 1 to [`MAX_CATEGORIES`]
    /// categories, no cuts (trees) or the identity grid (linear models and networks, which read
    /// its indicators, an unknown category's weighing nothing), and NaN as their only missing
    /// value.
    fn validate_categorical(&self) -> Result<(), ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(msg));
        let Some(categorical) = &self.input.categorical else {
            return Ok(());
        };
        if categorical.len() != self.num_features() {
            return invalid("categorical features need one entry per feature".into());
        }
        let named = categorical
            .iter()
            .flatten()
            .filter_map(|c| c.labels.as_ref());
        let label_bytes: usize = named.flatten().map(String::len).sum();
        if label_bytes > MAX_LABEL_BYTES {
            return invalid(format!(
                "{label_bytes} bytes of category names, more than {MAX_LABEL_BYTES}"
            ));
        }
        for (index, categories) in categorical.iter().enumerate() {
            let Some(categories) = categories else {
                continue;
            };
            let name = &self.input.features[index];
            if !(1..=MAX_CATEGORIES).contains(&categories.count) {
                return invalid(format!(
                    "feature {name:?}: {} categories; a categorical feature has 1 to \
                     {MAX_CATEGORIES}",
                    categories.count
                ));
            }
            if self.num_cuts(index) > 0 {
                return invalid(format!("categorical feature {name:?} has cuts"));
            }
            // Its indicators are 0 or 1 as they are: the grid is the identity.
            if let Encoding::Grid { scale_log2, offset } = &self.input.encoding {
                if (scale_log2.get(index), offset.get(index)) != (Some(&0), Some(&0)) {
                    return invalid(format!(
                        "categorical feature {name:?} needs scale_log2 0 and offset 0"
                    ));
                }
            }
            if let Some(known) = &categories.known {
                let increasing = known.windows(2).all(|w| w[0] < w[1]);
                if known.is_empty() || !increasing || known.last() >= Some(&MAX_CATEGORIES) {
                    return invalid(format!(
                        "feature {name:?}: its known categories must increase, from 1 to \
                         {MAX_CATEGORIES} of them below {MAX_CATEGORIES}"
                    ));
                }
            }
            if let Some(labels) = &categories.labels {
                self.validate_labels(name, categories, labels)?;
            }
            if !self.unknown_indicators_are_unread(index) {
                return invalid(format!(
                    "feature {name:?}: a category it does not know is read with a nonzero \
                     weight"
                ));
            }
            let rule = self.input.missing.as_ref().map(|rules| rules[index]);
            if rule.is_some_and(|rule| rule != MissingRule::Nan) {
                return invalid(format!(
                    "categorical feature {name:?}: only NaN can be missing"
                ));
            }
        }
        Ok(())
    }

    /// A string feature's category names: distinct names (as feature names are), at most
    /// [`MAX_CATEGORIES`], and its known categories among them.
    fn validate_labels(
        &self,
        name: &str,
        categories: &Categories,
        labels: &[String],
    ) -> Result<(), ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(msg));
        if labels.is_empty() || labels.len() > MAX_CATEGORIES as usize {
            return invalid(format!(
                "feature {name:?}: 1 to {MAX_CATEGORIES} category names are needed"
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity(labels.len());
        for label in labels {
            check_text(
                &format!("feature {name:?}: category name"),
                label,
                MAX_NAME_BYTES,
            )?;
            if !seen.insert(label) {
                return invalid(format!(
                    "feature {name:?}: category {label:?} is named twice"
                ));
            }
        }
        let named = |c: &u32| (*c as usize) < labels.len();
        if !categories.known.iter().flatten().all(named) {
            return invalid(format!(
                "feature {name:?}: a known category has no name among its {}",
                labels.len()
            ));
        }
        Ok(())
    }

    /// With known categories, whether a linear model or a network weighs the indicators of
    /// every unknown category below `count` by zero: so that an unknown category, which the
    /// prover refuses, could only ever be proved as "other" is (no indicator set).
    fn unknown_indicators_are_unread(&self, feature: usize) -> bool {
        let Some(Categories {
            known: Some(known),
            count,
            ..
        }) = self.categories(feature)
        else {
            return true;
        };
        let first_layer = match &self.body {
            Body::Linear(linear) => &linear.weights,
            Body::Mlp(mlp) => match mlp.hidden.first() {
                Some(layer) => &layer.weights,
                None => return true,
            },
            Body::Trees(_) => return true,
        };
        let first = self.body_inputs_of()[feature].start;
        (0..*count)
            .filter(|k| known.binary_search(k).is_err())
            .all(|k| {
                let input = first + k as usize;
                (first_layer.iter()).all(|row| row.get(input).is_none_or(|&w| w == 0))
            })
    }

    fn validate_output(&self) -> Result<(), ModelError> {
        let output = &self.output;
        let classes = output.classes.len();
        let expected = match output.task {
            Task::Binary => classes == 2,
            Task::Multiclass => (2..=MAX_SCORES).contains(&classes),
            Task::Regression => classes == 0,
        };
        if !expected {
            return Err(ModelError::Invalid(format!(
                "a {:?} model cannot have {classes} class labels",
                output.task
            )));
        }
        let mut labels = std::collections::HashSet::new();
        for label in &output.classes {
            check_text("class label", label, MAX_NAME_BYTES)?;
            if !labels.insert(label.as_str()) {
                return Err(ModelError::Invalid(format!(
                    "class label {label:?} appears twice"
                )));
            }
        }
        if output.score_scale_log2 > MAX_SCORE_SCALE_LOG2 {
            return Err(ModelError::Invalid(format!(
                "score_scale_log2 {} exceeds {MAX_SCORE_SCALE_LOG2}",
                output.score_scale_log2
            )));
        }
        let link_fits = matches!(
            (output.task, output.link),
            (Task::Regression, Link::Identity)
                | (Task::Binary, Link::Logistic | Link::Proportion | Link::None)
                | (
                    Task::Multiclass,
                    Link::Softmax | Link::OneVsRestLogistic | Link::Proportion | Link::None
                )
        );
        if !link_fits {
            return Err(ModelError::Invalid(format!(
                "link {:?} does not fit a {:?} model",
                output.link, output.task
            )));
        }
        Ok(())
    }

    fn validate_linear(&self, linear: &Linear) -> Result<(), ModelError> {
        let scores = self.num_scores();
        if linear.weights.len() != scores || linear.bias.len() != scores {
            return Err(ModelError::Invalid(format!(
                "a linear model with {scores} scores needs {scores} weight rows and biases, \
                 found {} and {}",
                linear.weights.len(),
                linear.bias.len()
            )));
        }
        let inputs = self.body_width();
        for (c, row) in linear.weights.iter().enumerate() {
            if row.len() != inputs {
                return Err(ModelError::Invalid(format!(
                    "weight row {c} has {} entries for {inputs} inputs",
                    row.len(),
                )));
            }
            // Worst case over the whole input box (indicators bits, at most one of a feature's
            // set), in i128 so that the check cannot overflow.
            let worst = zkinfer_air::mlp::worst_case_with_groups(
                row,
                linear.bias[c],
                (FEATURE_MAX, false),
                &self.one_hot_groups(),
            );
            check_score_bound(&format!("score {c}"), worst)?;
        }
        Ok(())
    }

    fn validate_mlp(&self, mlp: &Mlp) -> Result<(), ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(msg));
        if mlp.hidden.is_empty() || mlp.hidden.len() > MAX_HIDDEN_LAYERS {
            return invalid(format!(
                "{} hidden layers; a network needs 1 to {MAX_HIDDEN_LAYERS}",
                mlp.hidden.len()
            ));
        }
        if let Some(l) = (mlp.hidden.iter()).position(|layer| layer.bias.len() > MAX_LAYER_WIDTH) {
            return invalid(format!(
                "hidden layer {l} has more than {MAX_LAYER_WIDTH} neurons"
            ));
        }
        if mlp.output.bias.len() != self.num_scores() {
            return invalid(format!(
                "the output layer has {} neurons for {} scores",
                mlp.output.bias.len(),
                self.num_scores()
            ));
        }
        let scales = &mlp.activation_scale_log2;
        let scales_fit = scales.len() == mlp.hidden.len()
            && (scales.iter().zip(&mlp.hidden)).all(|(s, layer)| s.len() == layer.bias.len())
            && scales
                .iter()
                .flatten()
                .all(|s| s.unsigned_abs() <= MAX_ACTIVATION_SCALE);
        if !scales_fit {
            return invalid(format!(
                "activation_scale_log2 needs one exponent in ±{MAX_ACTIVATION_SCALE} per hidden \
                 neuron"
            ));
        }
        use zkinfer_air::mlp::NetworkError;
        match mlp
            .network(self.body_width(), self.one_hot_groups())
            .check()
        {
            Ok(()) => Ok(()),
            Err(NetworkError::NoHiddenLayer) => invalid("a network needs a hidden layer".into()),
            Err(NetworkError::Shape { layer }) => invalid(format!(
                "layer {layer}: the weights do not match the layer's inputs and biases"
            )),
            Err(NetworkError::Range { layer, neuron }) if layer == mlp.hidden.len() => {
                invalid(format!(
                    "score {neuron} can reach 2^{} or more, beyond the score range",
                    zkinfer_air::mlp::SCORE_BITS
                ))
            }
            Err(NetworkError::Range { layer, neuron }) => invalid(format!(
                "hidden layer {layer}, neuron {neuron}: some input reaches a pre-activation \
                 beyond ±2^{}",
                zkinfer_air::mlp::PRE_ACTIVATION_BITS
            )),
        }
    }

    fn validate_trees(&self, ensemble: &TreeEnsemble) -> Result<(), ModelError> {
        let scores = self.num_scores();
        if ensemble.base.len() != scores {
            return Err(ModelError::Invalid(format!(
                "base has {} values for {scores} scores",
                ensemble.base.len()
            )));
        }
        if ensemble.trees.is_empty() || ensemble.trees.len() > MAX_TREES {
            return Err(ModelError::Invalid(format!(
                "{} trees; an ensemble needs 1 to {MAX_TREES}",
                ensemble.trees.len()
            )));
        }
        let mut worst: Vec<i128> = ensemble.base.iter().map(|&b| (b as i128).abs()).collect();
        let mut total_nodes = 0usize;
        for (t, tree) in ensemble.trees.iter().enumerate() {
            total_nodes += self.validate_tree(t, tree)?;
            if total_nodes > MAX_NODES {
                return Err(ModelError::Invalid(format!(
                    "more than {MAX_NODES} nodes in the ensemble"
                )));
            }
            let width = tree.leaf_width(scores);
            for (k, slot) in (0..width).enumerate() {
                let largest = tree
                    .leaf_value
                    .iter()
                    .skip(slot)
                    .step_by(width)
                    .map(|&v| (v as i128).abs())
                    .max()
                    .unwrap_or(0);
                let score = tree.target.map_or(k, |c| c as usize);
                worst[score] += largest;
            }
        }
        for (c, &w) in worst.iter().enumerate() {
            check_score_bound(&format!("score {c}"), w)?;
        }
        Ok(())
    }

    /// Validates one tree and returns its node count.
    fn validate_tree(&self, index: usize, tree: &Tree) -> Result<usize, ModelError> {
        let invalid = |msg: String| Err(ModelError::Invalid(format!("tree {index}: {msg}")));
        let splits = tree.num_splits();
        if tree.threshold.len() != splits || tree.left.len() != splits || tree.right.len() != splits
        {
            return invalid("feature, threshold, left and right differ in length".into());
        }
        if let Some(c) = tree.target {
            if c as usize >= self.num_scores() {
                return invalid(format!("target {c} is not a score index"));
            }
        }
        let width = tree.leaf_width(self.num_scores());
        if tree.leaf_value.len() != (splits + 1) * width {
            return invalid(format!(
                "{splits} splits need {} leaves of {width} values, found {} values",
                splits + 1,
                tree.leaf_value.len()
            ));
        }
        let nodes = 2 * splits + 1;
        if nodes > MAX_NODES {
            return invalid(format!("more than {MAX_NODES} nodes"));
        }
        // One entry per split exactly when the model defines them.
        let per_split = |list: Option<usize>, defined: bool| match list {
            Some(len) => defined && len == splits,
            None => !defined,
        };
        if !per_split(
            tree.default_left.as_ref().map(Vec::len),
            self.accepts_missing(),
        ) {
            return invalid(
                "one default branch per split is needed exactly when missing values are defined"
                    .into(),
            );
        }
        let categorical = self.input.categorical.is_some();
        if !per_split(tree.categories.as_ref().map(Vec::len), categorical) {
            return invalid(
                "one entry per split in categories is needed exactly when features are \
                 categorical"
                    .into(),
            );
        }
        for i in 0..splits {
            if tree.feature[i] as usize >= self.num_features() {
                return invalid(format!("split {i} reads feature {}", tree.feature[i]));
            }
            let feature = tree.feature[i] as usize;
            let codes = tree.categories.as_ref().and_then(|c| c[i].as_ref());
            match (self.categories(feature), codes) {
                (None, None) => {}
                (Some(categories), Some(codes)) => {
                    let increasing = codes.windows(2).all(|w| w[0] < w[1]);
                    let within = codes
                        .last()
                        .is_none_or(|&c| u32::from(c) <= categories.count);
                    if !(increasing && within && tree.threshold[i] == 0) {
                        return invalid(format!(
                            "split {i}: a categorical split's codes are increasing codes of its \
                             feature ({} categories and the other code), and its threshold 0",
                            categories.count
                        ));
                    }
                    if !categories.routes_unknown_as_other(codes) {
                        return invalid(format!(
                            "split {i}: a category its feature does not know goes another way \
                             than the other code"
                        ));
                    }
                    continue;
                }
                (Some(_), None) => {
                    return invalid(format!("split {i} on a categorical feature has no codes"))
                }
                (None, Some(_)) => {
                    return invalid(format!("split {i} on a numeric feature has codes"))
                }
            }
            let cuts = self.num_cuts(tree.feature[i] as usize);
            if !(0..=cuts as i64 + 1).contains(&tree.threshold[i]) {
                return invalid(format!(
                    "split {i} threshold {} is not one of feature {}'s {cuts} cuts (1..={cuts}), \
                     0 or {}",
                    tree.threshold[i],
                    tree.feature[i],
                    cuts + 1
                ));
            }
            if let Some(zero_goes_left) = self.zero_goes_left(tree, i) {
                if tree.default_left.as_ref().map(|d| d[i]) != Some(zero_goes_left) {
                    return invalid(format!(
                        "split {i} reads NaN as zero, so its default branch is the one zero takes"
                    ));
                }
            }
        }
        // Walk from the root: every node must be reached exactly once, so it is a tree.
        let mut seen = vec![false; nodes];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if node >= nodes {
                return invalid(format!("child id {node} is not a node"));
            }
            if std::mem::replace(&mut seen[node], true) {
                return invalid(format!("node {node} is reached twice"));
            }
            if depth > MAX_DEPTH {
                return invalid(format!("deeper than {MAX_DEPTH}"));
            }
            if node < splits {
                stack.push((tree.left[node] as usize, depth + 1));
                stack.push((tree.right[node] as usize, depth + 1));
            }
        }
        if let Some(orphan) = seen.iter().position(|&s| !s) {
            return invalid(format!("node {orphan} is not reachable from the root"));
        }
        Ok(nodes)
    }
}

impl Model {
    /// For a split on a [`MissingRule::NanAsZero`] feature: whether zero goes left.
    fn zero_goes_left(&self, tree: &Tree, split: usize) -> Option<bool> {
        let feature = tree.feature[split] as usize;
        let rules = self.input.missing.as_ref()?;
        if rules[feature] != MissingRule::NanAsZero {
            return None;
        }
        let zero = self.quantize_present(feature, 0.0).ok()?;
        Some(i64::from(zero) < tree.threshold[split])
    }
}

fn check_score_bound(what: &str, worst: i128) -> Result<(), ModelError> {
    if worst >= 1i128 << SCORE_BITS {
        return Err(ModelError::Invalid(format!(
            "{what} can reach {worst}, beyond the ±2^{SCORE_BITS} score range"
        )));
    }
    Ok(())
}

/// Names and labels: non-empty, bounded, and free of control characters, so that their JSON
/// escaping is just `\"` and `\\`.
fn check_text(what: &str, text: &str, max_bytes: usize) -> Result<(), ModelError> {
    if text.is_empty() || text.len() > max_bytes || text.chars().any(char::is_control) {
        return Err(ModelError::Invalid(format!(
            "{what} {text:?} must be 1 to {max_bytes} bytes without control characters"
        )));
    }
    Ok(())
}

impl Link {
    /// Class probabilities from real scores, as the source library reports them; `None` for
    /// regression and for decision values that have no probability.
    pub fn probabilities(self, scores: &[f64]) -> Option<Vec<f64>> {
        let sigmoid = |s: f64| 1.0 / (1.0 + (-s).exp());
        match (self, scores) {
            (Link::Logistic, [s]) => Some(vec![1.0 - sigmoid(*s), sigmoid(*s)]),
            (Link::Proportion, [s]) => Some(vec![0.5 - s, 0.5 + s]),
            (Link::Proportion, _) => Some(scores.to_vec()),
            (Link::Softmax, _) => {
                let top = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let exp: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
                let total: f64 = exp.iter().sum();
                Some(exp.iter().map(|e| e / total).collect())
            }
            (Link::OneVsRestLogistic, _) => {
                let p: Vec<f64> = scores.iter().map(|&s| sigmoid(s)).collect();
                let total: f64 = p.iter().sum();
                Some(p.iter().map(|v| v / total).collect())
            }
            _ => None,
        }
    }

    /// The most any of [`probabilities`](Self::probabilities) moves when no score moves by
    /// more than 1: the largest row sum of the derivative's magnitudes, so a score error `e`
    /// is a probability error of at most `e` times this. The logistic's slope is at most 1/4;
    /// softmax's row sums are `2p(1 − p) ≤ 1/2`; normalized one-vs-rest sigmoids' `q = σ_c/Σσ`,
    /// with `σ' ≤ σ`, at most `2q(1 − q) ≤ 1/2`; a proportion is the score itself.
    pub fn probability_slope(self) -> f64 {
        match self {
            Link::Logistic => 0.25,
            Link::Softmax | Link::OneVsRestLogistic => 0.5,
            _ => 1.0,
        }
    }
}

/// Size figures of a model, for summaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelStats {
    pub trees: usize,
    pub splits: usize,
    pub leaves: usize,
    pub max_depth: usize,
    pub weights: usize,
}

impl Model {
    pub fn stats(&self) -> ModelStats {
        match &self.body {
            Body::Linear(linear) => ModelStats {
                trees: 0,
                splits: 0,
                leaves: 0,
                max_depth: 0,
                weights: linear.weights.iter().map(Vec::len).sum(),
            },
            Body::Mlp(mlp) => ModelStats {
                trees: 0,
                splits: 0,
                leaves: 0,
                max_depth: 0,
                weights: mlp
                    .layers()
                    .map(|l| l.weights.iter().map(Vec::len).sum::<usize>())
                    .sum(),
            },
            Body::Trees(ensemble) => ModelStats {
                trees: ensemble.trees.len(),
                splits: ensemble.trees.iter().map(Tree::num_splits).sum(),
                leaves: ensemble.trees.iter().map(|t| t.num_splits() + 1).sum(),
                max_depth: ensemble.trees.iter().map(Tree::depth).max().unwrap_or(0),
                weights: 0,
            },
        }
    }
}
