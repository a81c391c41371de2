//! Typed access to a node's attributes, and node descriptions for messages.

use std::collections::HashMap;

use crate::error::FormatError;

use super::proto::{attribute_type, data_type, AttributeProto, NodeProto, TensorProto};

/// Longest name quoted in a message (names come from untrusted files).
const MAX_QUOTED_CHARS: usize = 80;

/// `"name"`, escaped and shortened for a message.
pub(super) fn quoted(name: &str) -> String {
    if name.chars().count() > MAX_QUOTED_CHARS {
        let short: String = name.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{:?}…", short)
    } else {
        format!("{name:?}")
    }
}

/// The node's domain, with the default domain spelled `ai.onnx`.
pub(super) fn domain_name(node: &NodeProto) -> &str {
    match node.domain.as_deref().unwrap_or_default() {
        "" => "ai.onnx",
        domain => domain,
    }
}

/// E.g. `operator ai.onnx.ml.SVMClassifier (node "SVMc")`.
pub(super) fn describe(node: &NodeProto) -> String {
    let op = node.op_type.as_deref().unwrap_or_default();
    let domain = domain_name(node);
    let op = if domain.chars().count() + op.chars().count() > MAX_QUOTED_CHARS {
        quoted(&format!("{domain}.{op}"))
    } else {
        format!("{domain}.{op}")
    };
    format!(
        "operator {op} (node {})",
        quoted(node.name.as_deref().unwrap_or_default())
    )
}

/// A node's attributes by name.
pub(super) struct Attributes<'a> {
    node: &'a NodeProto,
    by_name: HashMap<&'a str, &'a AttributeProto>,
}

impl<'a> Attributes<'a> {
    /// Indexes the attributes, refusing duplicates, subgraphs and function references.
    pub(super) fn new(node: &'a NodeProto) -> Result<Self, FormatError> {
        let mut by_name = HashMap::new();
        for attribute in &node.attribute {
            let name = attribute.name.as_deref().unwrap_or_default();
            let kind = attribute.r#type.unwrap_or(attribute_type::UNDEFINED);
            if attribute.g.is_some()
                || !attribute.graphs.is_empty()
                || kind == attribute_type::GRAPH
                || kind == attribute_type::GRAPHS
            {
                return Err(FormatError::unsupported(format!(
                    "{} has a subgraph (attribute {})",
                    describe(node),
                    quoted(name)
                )));
            }
            if attribute.ref_attr_name.is_some() {
                return Err(FormatError::unsupported(format!(
                    "{}: attribute {} refers to a function attribute",
                    describe(node),
                    quoted(name)
                )));
            }
            if by_name.insert(name, attribute).is_some() {
                return Err(FormatError::malformed(format!(
                    "{} has two attributes {}",
                    describe(node),
                    quoted(name)
                )));
            }
        }
        Ok(Attributes { node, by_name })
    }

    pub(super) fn node(&self) -> &'a NodeProto {
        self.node
    }

    /// The attribute if present, after checking its declared type.
    fn get(
        &self,
        name: &str,
        expected: i32,
        what: &str,
    ) -> Result<Option<&'a AttributeProto>, FormatError> {
        let Some(attribute) = self.by_name.get(name).copied() else {
            return Ok(None);
        };
        match attribute.r#type.unwrap_or(attribute_type::UNDEFINED) {
            attribute_type::UNDEFINED => Ok(Some(attribute)),
            kind if kind == expected => Ok(Some(attribute)),
            _ => Err(self.bad(name, &format!("is not {what}"))),
        }
    }

    fn bad(&self, name: &str, problem: &str) -> FormatError {
        FormatError::malformed(format!(
            "{}: attribute {} {problem}",
            describe(self.node),
            quoted(name)
        ))
    }

    /// A list of floats (empty when absent).
    pub(super) fn floats(&self, name: &str) -> Result<&'a [f32], FormatError> {
        Ok(self
            .get(name, attribute_type::FLOATS, "a list of floats")?
            .map_or(&[][..], |a| a.floats.as_slice()))
    }

    /// A list of integers (empty when absent).
    pub(super) fn ints(&self, name: &str) -> Result<&'a [i64], FormatError> {
        Ok(self
            .get(name, attribute_type::INTS, "a list of integers")?
            .map_or(&[][..], |a| a.ints.as_slice()))
    }

    /// A list of UTF-8 strings (empty when absent).
    pub(super) fn strings(&self, name: &str) -> Result<Vec<&'a str>, FormatError> {
        let Some(attribute) = self.get(name, attribute_type::STRINGS, "a list of strings")? else {
            return Ok(Vec::new());
        };
        attribute
            .strings
            .iter()
            .map(|s| std::str::from_utf8(s).map_err(|_| self.bad(name, "is not UTF-8")))
            .collect()
    }

    /// A UTF-8 string.
    pub(super) fn string(&self, name: &str) -> Result<Option<&'a str>, FormatError> {
        let Some(attribute) = self.get(name, attribute_type::STRING, "a string")? else {
            return Ok(None);
        };
        let bytes = attribute.s.as_deref().unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| self.bad(name, "is not UTF-8"))
    }

    /// A float.
    pub(super) fn float(&self, name: &str) -> Result<Option<f32>, FormatError> {
        Ok(self
            .get(name, attribute_type::FLOAT, "a float")?
            .map(|a| a.f.unwrap_or(0.0)))
    }

    /// An integer.
    pub(super) fn int(&self, name: &str) -> Result<Option<i64>, FormatError> {
        Ok(self
            .get(name, attribute_type::INT, "an integer")?
            .map(|a| a.i.unwrap_or(0)))
    }

    /// A float or double tensor attribute (the `*_as_tensor` variants), as its element type and
    /// values widened exactly to f64. Like onnxruntime, a tensor without dimensions counts as
    /// absent.
    pub(super) fn tensor(&self, name: &str) -> Result<Option<(i32, Vec<f64>)>, FormatError> {
        let Some(attribute) = self.get(name, attribute_type::TENSOR, "a tensor")? else {
            return Ok(None);
        };
        let Some(tensor) = &attribute.t else {
            return Err(self.bad(name, "holds no tensor"));
        };
        if tensor.dims.is_empty() {
            return Ok(None);
        }
        tensor_values(tensor)
            .map(Some)
            .map_err(|problem| self.bad(name, &problem))
    }

    /// The post-transform (default `NONE`).
    pub(super) fn post_transform(&self) -> Result<&'a str, FormatError> {
        Ok(self.string("post_transform")?.unwrap_or("NONE"))
    }
}

/// The number of elements a tensor's dimensions call for.
fn element_count(tensor: &TensorProto) -> Result<usize, String> {
    if tensor.data_location == Some(super::proto::DATA_LOCATION_EXTERNAL)
        || !tensor.external_data.is_empty()
    {
        return Err("keeps its data in an external file".into());
    }
    let mut count: usize = 1;
    for &d in &tensor.dims {
        let d = usize::try_from(d).map_err(|_| format!("has dimension {d}"))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| "has too many elements".to_string())?;
    }
    Ok(count)
}

/// Refuses a tensor storing `stored` values for `count` elements, before they are decoded.
fn check_count(stored: usize, count: usize) -> Result<(), String> {
    if stored != count {
        return Err(format!("holds {stored} values for {count} elements"));
    }
    Ok(())
}

/// The values of a float or double tensor, widened exactly to f64.
pub(super) fn tensor_values(tensor: &TensorProto) -> Result<(i32, Vec<f64>), String> {
    let count = element_count(tensor)?;
    let element = tensor.data_type.unwrap_or(0);
    let raw = tensor.raw_data.as_deref();
    let values: Vec<f64> = match (element, raw) {
        (data_type::FLOAT, Some(raw)) => {
            if raw.len() % 4 != 0 {
                return Err("has raw float data of a length not a multiple of 4".into());
            }
            check_count(raw.len() / 4, count)?;
            raw.chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        (data_type::FLOAT, None) => {
            check_count(tensor.float_data.len(), count)?;
            tensor.float_data.iter().map(|&v| f64::from(v)).collect()
        }
        (data_type::DOUBLE, Some(raw)) => {
            if raw.len() % 8 != 0 {
                return Err("has raw double data of a length not a multiple of 8".into());
            }
            check_count(raw.len() / 8, count)?;
            raw.chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect()
        }
        (data_type::DOUBLE, None) => {
            check_count(tensor.double_data.len(), count)?;
            tensor.double_data.clone()
        }
        (other, _) => {
            return Err(format!(
                "holds {} values (expected float or double)",
                data_type::name(other)
            ))
        }
    };
    Ok((element, values))
}

/// The values of a one-dimensional int64 tensor (column indices, shapes).
pub(super) fn tensor_int64s(tensor: &TensorProto) -> Option<Vec<i64>> {
    let count = element_count(tensor).ok()?;
    if tensor.dims.len() != 1 || tensor.data_type != Some(data_type::INT64) {
        return None;
    }
    let values: Vec<i64> = match tensor.raw_data.as_deref() {
        Some(raw) if raw.len() % 8 == 0 && raw.len() / 8 == count => raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect(),
        Some(_) => return None,
        None => tensor.int64_data.clone(),
    };
    (values.len() == count).then_some(values)
}

/// The labels of an int32, int64 or string tensor (integers as decimal strings).
pub(super) fn tensor_labels(tensor: &TensorProto) -> Result<Vec<String>, String> {
    let count = element_count(tensor)?;
    let element = tensor.data_type.unwrap_or(0);
    let raw = tensor.raw_data.as_deref();
    let labels = match (element, raw) {
        (data_type::INT32, Some(raw)) if raw.len() % 4 == 0 => {
            check_count(raw.len() / 4, count)?;
            raw.chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string())
                .collect()
        }
        (data_type::INT32, None) => {
            check_count(tensor.int32_data.len(), count)?;
            tensor.int32_data.iter().map(i32::to_string).collect()
        }
        (data_type::INT64, Some(raw)) if raw.len() % 8 == 0 => {
            check_count(raw.len() / 8, count)?;
            raw.chunks_exact(8)
                .map(|c| {
                    i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]).to_string()
                })
                .collect()
        }
        (data_type::INT64, None) => {
            check_count(tensor.int64_data.len(), count)?;
            tensor.int64_data.iter().map(i64::to_string).collect()
        }
        (data_type::STRING, None) => {
            check_count(tensor.string_data.len(), count)?;
            tensor
                .string_data
                .iter()
                .map(|s| String::from_utf8(s.clone()).map_err(|_| "holds a label not UTF-8"))
                .collect::<Result<_, _>>()?
        }
        (data_type::INT32 | data_type::INT64 | data_type::STRING, Some(_)) => {
            return Err("has raw data of a length that does not fit its type".into())
        }
        (other, _) => {
            return Err(format!(
                "holds {} values (expected integer or string labels)",
                data_type::name(other)
            ))
        }
    };
    Ok(labels)
}

/// Either the float attribute `name` or the tensor attribute `name_as_tensor`, never both, as
/// f64 values. The element type is `Some` when the values came from the tensor attribute.
pub(super) fn floats_or_tensor(
    attributes: &Attributes<'_>,
    name: &str,
) -> Result<(Option<i32>, Vec<f64>), FormatError> {
    let tensor_name = format!("{name}_as_tensor");
    let floats = attributes.floats(name)?;
    match attributes.tensor(&tensor_name)? {
        Some(_) if !floats.is_empty() => Err(FormatError::malformed(format!(
            "{} has both {} and {}",
            describe(attributes.node()),
            quoted(name),
            quoted(&tensor_name)
        ))),
        Some((element, values)) => Ok((Some(element), values)),
        None => Ok((None, floats.iter().map(|&v| f64::from(v)).collect())),
    }
}

/// Class labels from `ints_name` (as decimal strings) or `strings_name`; never both.
pub(super) fn class_labels(
    attributes: &Attributes<'_>,
    ints_name: &str,
    strings_name: &str,
) -> Result<Vec<String>, FormatError> {
    let ints = attributes.ints(ints_name)?;
    let strings = attributes.strings(strings_name)?;
    let node = describe(attributes.node());
    let labels: Vec<String> = match (ints.is_empty(), strings.is_empty()) {
        (false, false) => {
            return Err(FormatError::malformed(format!(
                "{node} has both integer and string class labels"
            )))
        }
        (false, true) => ints.iter().map(i64::to_string).collect(),
        (true, false) => strings.iter().map(|s| s.to_string()).collect(),
        (true, true) => {
            return Err(FormatError::malformed(format!(
                "{node} has no class labels"
            )))
        }
    };
    check_labels(&node, &labels)?;
    Ok(labels)
}

/// Refuses more labels than [`crate::model::MAX_SCORES`] and duplicates; `owner` names where
/// they come from.
pub(super) fn check_labels(owner: &str, labels: &[String]) -> Result<(), FormatError> {
    if labels.len() > crate::model::MAX_SCORES {
        return Err(FormatError::unsupported(format!(
            "{owner} has {} classes (at most {})",
            labels.len(),
            crate::model::MAX_SCORES
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for label in labels {
        if !seen.insert(label.as_str()) {
            return Err(FormatError::malformed(format!(
                "{owner}: the class label {} appears twice",
                quoted(label)
            )));
        }
    }
    Ok(())
}
