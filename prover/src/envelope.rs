//! The proof envelope: everything a verifier needs besides the model, versioned, in a binary
//! form and a JSON form.
//!
//! # Binary form (version 6)
//!
//! Integers are little-endian. Every envelope has exactly one encoding, so a changed byte
//! either decodes to a different envelope or fails.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZKINFER\0` (`5a 4b 49 4e 46 45 52 00`) |
//! | 2 | version, `u16` = 6 (older envelopes are refused: version 1's commitments hashed no
//! | | header, version 2's proofs and commitments predate the features' layout in rows, version
//! | | 3's proofs predate missing features (the comparisons read the digits' chunks), version
//! | | 4's tree proofs predate the path layout, version 5's network proofs predate the banks
//! | | of accumulators; no proof of this build verifies them) |
//! | 1 | profile: 0 `default`, 1 `high` |
//! | 32 | model id (BLAKE3 of the canonical model) |
//! | 32 | input commitment: four field elements, each `u64` below the Goldilocks modulus |
//! | 1 | output tag: 0 class, 1 scores, 2 at-least |
//! | | tag 0: class index, `u32` |
//! | | tag 1: count `n ≤ 1024`, `u16`; then `n` scores, `i64` each |
//! | | tag 2: threshold, `i64`; holds, `u8` 0 or 1 |
//! | 4 | context length `c ≤ 4096`, `u32` |
//! | c | context bytes |
//! | 4 | proof length `p ≤ MAX_PROOF_BYTES` (1 MiB), `u32` |
//! | p | proof bytes (a Winterfell proof) |
//!
//! Nothing may follow the proof.
//!
//! # JSON form
//!
//! ```json
//! {"version":6,"profile":"default","model_id":"<64 hex>","input_commitment":"<64 hex>",
//!  "output":{"class":1},"context":"<base64>","proof":"<base64>"}
//! ```
//!
//! `output` is one of `{"class":1}`, `{"scores":[-12,34]}` (fixed-point integers, exact in
//! JavaScript because scores stay below 2^46) or `{"at_least":{"threshold":5,"holds":true}}`.
//! `context` and `proof` are standard base64 with padding. Unknown fields are refused and the
//! bounds are those of the binary form.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::commitment::{decode_hex32, CommitmentError, InputCommitment};
use crate::model::ModelId;
use crate::profile::Profile;
use crate::proving::{Output, MAX_PROOF_BYTES};

pub const MAGIC: [u8; 8] = *b"ZKINFER\0";
pub const VERSION: u16 = 6;
/// The envelope's bounds (defined in [`crate::limits`]).
pub use crate::limits::{MAX_CONTEXT_BYTES, MAX_ENCODED_BYTES, MAX_ENVELOPE_SCORES as MAX_SCORES};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the envelope has {0} bytes, more than {MAX_ENCODED_BYTES}")]
    TooLarge(usize),
    #[error("not a zkinfer proof envelope (bad magic)")]
    Magic,
    #[error("envelope version {0} is not supported (this build reads version {VERSION})")]
    Version(u16),
    #[error("unknown proof profile {0}")]
    Profile(String),
    #[error("model id: {0}")]
    ModelId(CommitmentError),
    #[error("input commitment: {0}")]
    Commitment(CommitmentError),
    #[error("unknown output tag {0}")]
    OutputTag(u8),
    #[error("the at-least flag is {0}, not 0 or 1")]
    Holds(u8),
    #[error("class {0} does not fit in 32 bits")]
    Class(usize),
    #[error("{0} scores, more than {MAX_SCORES}")]
    TooManyScores(usize),
    #[error("the context has {0} bytes, more than {MAX_CONTEXT_BYTES}")]
    ContextTooLong(usize),
    #[error("the proof has {0} bytes, more than {MAX_PROOF_BYTES}")]
    ProofTooLarge(usize),
    #[error("the envelope is truncated")]
    Truncated,
    #[error("{0} unexpected bytes after the proof")]
    TrailingBytes(usize),
    #[error("invalid JSON envelope: {0}")]
    Json(String),
    #[error("{field} is not valid base64: {reason}")]
    Base64 { field: &'static str, reason: String },
}

/// A proof with the public statement it proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Always [`VERSION`].
    pub version: u16,
    pub profile: Profile,
    pub model_id: ModelId,
    pub input_commitment: InputCommitment,
    pub output: Output,
    /// The caller's context (a nonce, an origin) the proof is bound to.
    pub context: Vec<u8>,
    /// The serialized Winterfell proof.
    pub proof: Vec<u8>,
}

impl Envelope {
    /// Checks the bounds decoding enforces, so that whatever is written can be read back.
    pub fn validate(&self) -> Result<(), EnvelopeError> {
        if self.version != VERSION {
            return Err(EnvelopeError::Version(self.version));
        }
        self.input_commitment
            .as_elements()
            .map_err(EnvelopeError::Commitment)?;
        match &self.output {
            Output::Class(class) if u32::try_from(*class).is_err() => {
                return Err(EnvelopeError::Class(*class))
            }
            Output::Scores(scores) if scores.len() > MAX_SCORES => {
                return Err(EnvelopeError::TooManyScores(scores.len()))
            }
            _ => {}
        }
        if self.context.len() > MAX_CONTEXT_BYTES {
            return Err(EnvelopeError::ContextTooLong(self.context.len()));
        }
        if self.proof.len() > MAX_PROOF_BYTES {
            return Err(EnvelopeError::ProofTooLarge(self.proof.len()));
        }
        Ok(())
    }

    /// The binary form (see the module documentation).
    pub fn to_bytes(&self) -> Result<Vec<u8>, EnvelopeError> {
        self.validate()?;
        let mut out = Vec::with_capacity(128 + self.context.len() + self.proof.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.push(profile_tag(self.profile));
        out.extend_from_slice(&self.model_id.0);
        out.extend_from_slice(&self.input_commitment.0);
        match &self.output {
            Output::Class(class) => {
                out.push(0);
                out.extend_from_slice(&(*class as u32).to_le_bytes());
            }
            Output::Scores(scores) => {
                out.push(1);
                out.extend_from_slice(&(scores.len() as u16).to_le_bytes());
                for score in scores {
                    out.extend_from_slice(&score.to_le_bytes());
                }
            }
            Output::AtLeast { threshold, holds } => {
                out.push(2);
                out.extend_from_slice(&threshold.to_le_bytes());
                out.push(u8::from(*holds));
            }
        }
        for field in [&self.context, &self.proof] {
            out.extend_from_slice(&(field.len() as u32).to_le_bytes());
            out.extend_from_slice(field);
        }
        Ok(out)
    }

    /// Reads the binary form. Total and bounded: every length is checked against its cap and
    /// against the bytes actually present before anything is allocated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        if bytes.len() > MAX_ENCODED_BYTES {
            return Err(EnvelopeError::TooLarge(bytes.len()));
        }
        let mut reader = Reader(bytes);
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(EnvelopeError::Magic);
        }
        let version = reader.u16()?;
        if version != VERSION {
            return Err(EnvelopeError::Version(version));
        }
        let profile = match reader.u8()? {
            0 => Profile::Default,
            1 => Profile::High,
            other => return Err(EnvelopeError::Profile(other.to_string())),
        };
        let model_id = ModelId(reader.array()?);
        let input_commitment =
            InputCommitment::from_bytes(reader.array()?).map_err(EnvelopeError::Commitment)?;
        let output = match reader.u8()? {
            0 => Output::Class(reader.u32()? as usize),
            1 => {
                let count = reader.u16()? as usize;
                if count > MAX_SCORES {
                    return Err(EnvelopeError::TooManyScores(count));
                }
                let scores = reader.take(count * 8)?;
                Output::Scores(
                    scores
                        .chunks_exact(8)
                        .map(|s| i64::from_le_bytes(s.try_into().expect("8 bytes")))
                        .collect(),
                )
            }
            2 => {
                let threshold = i64::from_le_bytes(reader.array()?);
                let holds = match reader.u8()? {
                    0 => false,
                    1 => true,
                    other => return Err(EnvelopeError::Holds(other)),
                };
                Output::AtLeast { threshold, holds }
            }
            tag => return Err(EnvelopeError::OutputTag(tag)),
        };
        let context = reader.bytes(MAX_CONTEXT_BYTES, EnvelopeError::ContextTooLong)?;
        let proof = reader.bytes(MAX_PROOF_BYTES, EnvelopeError::ProofTooLarge)?;
        if !reader.0.is_empty() {
            return Err(EnvelopeError::TrailingBytes(reader.0.len()));
        }
        Ok(Envelope {
            version,
            profile,
            model_id,
            input_commitment,
            output,
            context,
            proof,
        })
    }

    /// The JSON form (see the module documentation).
    pub fn to_json(&self) -> Result<String, EnvelopeError> {
        self.validate()?;
        let json = EnvelopeJson {
            version: self.version,
            profile: self.profile.name().to_string(),
            model_id: self.model_id.to_string(),
            input_commitment: self.input_commitment,
            output: OutputJson::from(&self.output),
            context: BASE64.encode(&self.context),
            proof: BASE64.encode(&self.proof),
        };
        Ok(serde_json::to_string(&json).expect("an envelope always serializes"))
    }

    /// Reads the JSON form, strictly: unknown fields, unknown profiles and oversized fields
    /// are refused.
    pub fn from_json(text: &str) -> Result<Envelope, EnvelopeError> {
        if text.len() > MAX_ENCODED_BYTES {
            return Err(EnvelopeError::TooLarge(text.len()));
        }
        let json: EnvelopeJson =
            serde_json::from_str(text).map_err(|e| EnvelopeError::Json(e.to_string()))?;
        if json.version != VERSION {
            return Err(EnvelopeError::Version(json.version));
        }
        let profile = Profile::from_name(&json.profile)
            .ok_or_else(|| EnvelopeError::Profile(format!("{:?}", json.profile)))?;
        let model_id = ModelId(decode_hex32(&json.model_id).map_err(EnvelopeError::ModelId)?);
        let output = match json.output {
            OutputJson::Class(class) => Output::Class(class as usize),
            OutputJson::Scores(scores) if scores.len() > MAX_SCORES => {
                return Err(EnvelopeError::TooManyScores(scores.len()))
            }
            OutputJson::Scores(scores) => Output::Scores(scores),
            OutputJson::AtLeast { threshold, holds } => Output::AtLeast { threshold, holds },
        };
        let context = decode_base64("context", &json.context, MAX_CONTEXT_BYTES)?;
        if context.len() > MAX_CONTEXT_BYTES {
            return Err(EnvelopeError::ContextTooLong(context.len()));
        }
        let proof = decode_base64("proof", &json.proof, MAX_PROOF_BYTES)?;
        if proof.len() > MAX_PROOF_BYTES {
            return Err(EnvelopeError::ProofTooLarge(proof.len()));
        }
        Ok(Envelope {
            version: json.version,
            profile,
            model_id,
            input_commitment: json.input_commitment,
            output,
            context,
            proof,
        })
    }

    /// Reads either form: JSON when the first non-blank byte is `{`, binary otherwise.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        if bytes.len() > MAX_ENCODED_BYTES {
            return Err(EnvelopeError::TooLarge(bytes.len()));
        }
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| EnvelopeError::Json("not UTF-8 text".into()))?;
                Envelope::from_json(text)
            }
            _ => Envelope::from_bytes(bytes),
        }
    }
}

fn profile_tag(profile: Profile) -> u8 {
    match profile {
        Profile::Default => 0,
        Profile::High => 1,
    }
}

/// An output in the envelope's JSON form, e.g. `{"class":1}`.
pub fn output_json(output: &Output) -> serde_json::Value {
    serde_json::to_value(OutputJson::from(output)).expect("an output always serializes")
}

impl From<&Output> for OutputJson {
    fn from(output: &Output) -> OutputJson {
        match output {
            // `validate` refuses classes beyond 32 bits before any output is written.
            Output::Class(class) => OutputJson::Class(*class as u32),
            Output::Scores(scores) => OutputJson::Scores(scores.clone()),
            Output::AtLeast { threshold, holds } => OutputJson::AtLeast {
                threshold: *threshold,
                holds: *holds,
            },
        }
    }
}

/// Refuses text longer than `max` bytes could encode before decoding it.
fn decode_base64(field: &'static str, text: &str, max: usize) -> Result<Vec<u8>, EnvelopeError> {
    if text.len() > max.div_ceil(3) * 4 {
        return Err(match field {
            "context" => EnvelopeError::ContextTooLong(text.len() / 4 * 3),
            _ => EnvelopeError::ProofTooLarge(text.len() / 4 * 3),
        });
    }
    BASE64.decode(text).map_err(|e| EnvelopeError::Base64 {
        field,
        reason: e.to_string(),
    })
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeJson {
    version: u16,
    profile: String,
    model_id: String,
    input_commitment: InputCommitment,
    output: OutputJson,
    context: String,
    proof: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum OutputJson {
    Class(u32),
    Scores(Vec<i64>),
    AtLeast { threshold: i64, holds: bool },
}

/// The unread rest of a binary envelope.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EnvelopeError> {
        if n > self.0.len() {
            return Err(EnvelopeError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EnvelopeError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    fn u8(&mut self) -> Result<u8, EnvelopeError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, EnvelopeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, EnvelopeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A `u32` length of at most `max`, then that many bytes.
    fn bytes(
        &mut self,
        max: usize,
        too_long: fn(usize) -> EnvelopeError,
    ) -> Result<Vec<u8>, EnvelopeError> {
        let len = self.u32()? as usize;
        if len > max {
            return Err(too_long(len));
        }
        Ok(self.take(len)?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::{commit, Salt};
    use winterfell::math::fields::f64::BaseElement;

    /// xorshift64: deterministic test randomness.
    fn stream(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn sample(output: Output, proof_len: usize) -> Envelope {
        let mut next = stream(0x1234_5678);
        let salt = Salt(std::array::from_fn(|i| BaseElement::new(i as u64 + 1)));
        Envelope {
            version: VERSION,
            profile: Profile::Default,
            model_id: ModelId(std::array::from_fn(|i| i as u8 * 7)),
            input_commitment: commit(&[1, 2, 3, 4], &salt),
            output,
            context: b"nonce 42; origin https://example.org".to_vec(),
            proof: (0..proof_len).map(|_| next() as u8).collect(),
        }
    }

    fn outputs() -> Vec<Output> {
        vec![
            Output::Class(1),
            Output::Scores(vec![-5, 0, 1 << 45, i64::MIN, i64::MAX]),
            Output::AtLeast {
                threshold: -17,
                holds: true,
            },
            Output::AtLeast {
                threshold: 3,
                holds: false,
            },
            Output::Scores(vec![]),
        ]
    }

    #[test]
    fn both_forms_round_trip() {
        for (i, output) in outputs().into_iter().enumerate() {
            let mut envelope = sample(output, 100 * i);
            if i % 2 == 1 {
                envelope.profile = Profile::High;
                envelope.context.clear();
            }
            let bytes = envelope.to_bytes().unwrap();
            assert_eq!(&bytes[..8], b"ZKINFER\0");
            assert_eq!(Envelope::from_bytes(&bytes).unwrap(), envelope);
            assert_eq!(Envelope::decode(&bytes).unwrap(), envelope);
            let json = envelope.to_json().unwrap();
            assert_eq!(Envelope::from_json(&json).unwrap(), envelope);
            assert_eq!(
                Envelope::decode(format!("\n  {json}").as_bytes()).unwrap(),
                envelope
            );
        }
    }

    #[test]
    fn the_json_form_reads_as_documented() {
        let envelope = sample(
            Output::AtLeast {
                threshold: 5,
                holds: true,
            },
            3,
        );
        let json: serde_json::Value = serde_json::from_str(&envelope.to_json().unwrap()).unwrap();
        assert_eq!(json["version"], VERSION);
        assert_eq!(json["profile"], "default");
        assert_eq!(json["model_id"], envelope.model_id.to_string());
        assert_eq!(
            json["input_commitment"],
            envelope.input_commitment.to_string()
        );
        assert_eq!(
            json["output"],
            serde_json::json!({"at_least": {"threshold": 5, "holds": true}})
        );
        assert_eq!(json["context"], BASE64.encode(&envelope.context));
        assert_eq!(json["proof"], BASE64.encode(&envelope.proof));
        let class = sample(Output::Class(2), 0).to_json().unwrap();
        assert!(class.contains(r#""output":{"class":2}"#), "{class}");
    }

    #[test]
    fn truncations_and_mutations_never_decode_to_the_same_envelope() {
        for output in outputs() {
            let envelope = sample(output, 300);
            let bytes = envelope.to_bytes().unwrap();
            // Every length is read whole before what follows it, so any cut is "truncated".
            for len in 0..bytes.len() {
                assert_eq!(
                    Envelope::from_bytes(&bytes[..len]),
                    Err(EnvelopeError::Truncated),
                    "length {len}"
                );
            }
            let json = envelope.to_json().unwrap();
            for len in 0..json.len() {
                assert!(
                    matches!(
                        Envelope::decode(&json.as_bytes()[..len]),
                        Err(EnvelopeError::Json(_) | EnvelopeError::Truncated)
                    ),
                    "JSON length {len}"
                );
            }
            let mut next = stream(99);
            for case in 0..2000 {
                let mut mutated = bytes.clone();
                let position = next() as usize % bytes.len();
                mutated[position] ^= (next() as u8).max(1);
                if let Ok(decoded) = Envelope::from_bytes(&mutated) {
                    assert_ne!(decoded, envelope, "case {case}, byte {position}");
                }
            }
            let mut trailing = bytes.clone();
            trailing.push(0);
            assert_eq!(
                Envelope::from_bytes(&trailing),
                Err(EnvelopeError::TrailingBytes(1))
            );
        }
    }

    #[test]
    fn bounds_are_enforced_both_ways() {
        let mut envelope = sample(Output::Scores(vec![1; MAX_SCORES + 1]), 10);
        assert_eq!(
            envelope.to_bytes(),
            Err(EnvelopeError::TooManyScores(MAX_SCORES + 1))
        );
        envelope.output = Output::Class(1 << 40);
        assert_eq!(envelope.to_json(), Err(EnvelopeError::Class(1 << 40)));
        envelope.output = Output::Class(0);
        envelope.context = vec![0; MAX_CONTEXT_BYTES + 1];
        assert!(matches!(
            envelope.to_bytes(),
            Err(EnvelopeError::ContextTooLong(_))
        ));
        envelope.context.clear();
        envelope.version = 2;
        assert_eq!(envelope.to_bytes(), Err(EnvelopeError::Version(2)));
        envelope.version = VERSION;
        envelope.input_commitment = InputCommitment([0xff; 32]);
        assert!(matches!(
            envelope.to_bytes(),
            Err(EnvelopeError::Commitment(_))
        ));

        // Lengths that claim more than the caps (or than is present) are refused before any
        // allocation.
        let bytes = sample(Output::Class(0), 10).to_bytes().unwrap();
        let proof_len_at = bytes.len() - 10 - 4;
        let mut huge = bytes.clone();
        huge[proof_len_at..proof_len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            Envelope::from_bytes(&huge),
            Err(EnvelopeError::ProofTooLarge(u32::MAX as usize))
        );
        huge[proof_len_at..proof_len_at + 4]
            .copy_from_slice(&(MAX_PROOF_BYTES as u32).to_le_bytes());
        assert_eq!(Envelope::from_bytes(&huge), Err(EnvelopeError::Truncated));
        let mut scores = sample(Output::Scores(vec![7]), 0).to_bytes().unwrap();
        scores[8 + 2 + 1 + 64 + 1..][..2].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            Envelope::from_bytes(&scores),
            Err(EnvelopeError::TooManyScores(u16::MAX as usize))
        );
        let oversized = vec![0u8; MAX_ENCODED_BYTES + 1];
        assert!(matches!(
            Envelope::decode(&oversized),
            Err(EnvelopeError::TooLarge(_))
        ));
    }

    #[test]
    fn bad_json_is_refused() {
        let good = sample(Output::Class(1), 20).to_json().unwrap();
        let replace = |from: &str, to: &str| {
            assert!(good.contains(from), "{from}");
            good.replacen(from, to, 1)
        };
        let model_id = sample(Output::Class(1), 0).model_id.to_string();
        let commitment = sample(Output::Class(1), 0).input_commitment.to_string();
        let cases = [
            String::new(),
            "{".into(),
            "[]".into(),
            "{}".into(),
            "null".into(),
            good[..good.len() - 1].to_string(),
            replace(r#""version":6"#, r#""version":3"#),
            replace(r#""version":6"#, r#""version":"6""#),
            replace(r#""profile":"default""#, r#""profile":"fast""#),
            replace(&model_id, &model_id[..62]),
            replace(&model_id, &format!("{}zz", &model_id[..62])),
            replace(&commitment, &"f".repeat(64)),
            replace(r#"{"class":1}"#, r#"{"label":1}"#),
            replace(r#"{"class":1}"#, r#"{"class":-1}"#),
            replace(r#"{"class":1}"#, r#"{"class":1,"scores":[1]}"#),
            replace(
                r#"{"class":1}"#,
                r#"{"at_least":{"threshold":1,"holds":true,"x":0}}"#,
            ),
            replace(r#""context":""#, r#""context":"!"#),
            replace(r#""version":6"#, r#""version":6,"extra":true"#),
            good.replace(r#""proof":""#, r#""proof":"A"#),
        ];
        for case in &cases {
            assert!(Envelope::from_json(case).is_err(), "{case}");
            assert!(Envelope::decode(case.as_bytes()).is_err(), "{case}");
        }
        let long_context = replace(
            r#""context":""#,
            &format!(r#""context":"{}"#, "A".repeat(8000)),
        );
        assert!(matches!(
            Envelope::from_json(&long_context),
            Err(EnvelopeError::ContextTooLong(_))
        ));
        let many_scores = replace(
            r#"{"class":1}"#,
            &format!(r#"{{"scores":[{}0]}}"#, "0,".repeat(MAX_SCORES)),
        );
        assert!(matches!(
            Envelope::from_json(&many_scores),
            Err(EnvelopeError::TooManyScores(_))
        ));
        // A proof one byte over the cap, in a text within the envelope's.
        let long_proof = replace(
            r#""proof":""#,
            &format!(
                r#""proof":"{}"#,
                BASE64.encode(vec![0; MAX_PROOF_BYTES + 1 - 20])
            ),
        );
        assert_eq!(
            Envelope::from_json(&long_proof),
            Err(EnvelopeError::ProofTooLarge(MAX_PROOF_BYTES + 1))
        );
        assert_eq!(Envelope::decode(b"\xff\xfe"), Err(EnvelopeError::Truncated));
        assert_eq!(
            Envelope::decode(b"ZKINFER!\x01\x00"),
            Err(EnvelopeError::Magic)
        );
    }
}
