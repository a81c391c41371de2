//! The hiding input commitment: a Rescue-Prime (Rp64_256) hash of the quantized input and a
//! secret salt, the same hash the AIR recomputes in the trace.
//!
//! The hashed elements are a header, `2^32·0x7a6b6932 + F` (the domain tag `"zki2"` and the
//! number of features `F`: the values the body reads, a categorical feature of a linear model
//! or a network counting as its indicators), the features one per Goldilocks element, and the
//! four salt
//! elements: the AIR lays the elements down one column, one per row, and range-checks the
//! features there. The header makes inputs of different lengths commit differently (the
//! hash's own length prefix counts elements, so `q` and the salt could otherwise shift into one
//! another) and separates this commitment from `"zki1"`'s, which packed three features to an
//! element. The salt (≈255 uniform bits) hides the input: without it, a verifier could hash
//! candidate inputs until one matched.
//!
//! An [`Opening`] is the salt. Whoever holds it and the input can show that the input is the
//! committed one; it is as secret as the input itself.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::StarkField;

use crate::input::{Feature, QuantizedInput};
use crate::model::Model;
use crate::zk::randomness::FieldRng;
use zkinfer_air::input::InputBlock;
/// Field elements in a salt: the AIR's.
pub use zkinfer_air::input::SALT_ELEMENTS;

/// Why a commitment or an opening cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitmentError {
    #[error("expected {expected} hexadecimal digits, found {found} characters")]
    HexLength { expected: usize, found: usize },
    #[error("not a hexadecimal digit: {0:?}")]
    NotHex(char),
    #[error("limb {0} of the commitment is not a field element (it is at least 2^64 - 2^32 + 1)")]
    NonCanonical(usize),
    #[error("salt element {0:?} is not a decimal number below 2^64 - 2^32 + 1")]
    SaltElement(String),
    #[error("not a zkinfer opening: {0}")]
    Json(String),
}

/// Four uniformly random field elements: the secret that makes the commitment hiding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Salt(pub [BaseElement; SALT_ELEMENTS]);

impl Salt {
    pub fn random(rng: &mut FieldRng) -> Salt {
        Salt(std::array::from_fn(|_| rng.element()))
    }

    /// A fresh salt from the operating system's CSPRNG.
    pub fn from_os() -> Result<Salt, getrandom::Error> {
        Ok(Salt::random(&mut FieldRng::from_os()?))
    }
}

/// Kept out of logs and panic messages: the salt is what hides the input.
impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(<secret>)")
    }
}

/// The elements the commitment hashes: the header, the features, then the salt.
pub fn input_elements<F: Copy + Into<Feature>>(q: &[F], salt: &Salt) -> Vec<BaseElement> {
    InputBlock::new(q.len()).elements(q, &salt.0)
}

/// The commitment to quantized features `q` under `salt`: `Rp64_256` of the header, the
/// features and the salt, exactly as the AIR's input block computes it. A model's input is
/// committed as the values its body reads ([`Model::body_inputs`]: a categorical feature of a
/// linear model or a network as its one-hot indicators).
pub fn commit<F: Copy + Into<Feature>>(q: &[F], salt: &Salt) -> InputCommitment {
    InputCommitment::from_elements(InputBlock::commitment(q, &salt.0))
}

/// Whether `opening` shows that `input` (an input of `model`) is the one behind `commitment`.
pub fn opens(
    model: &Model,
    input: &QuantizedInput,
    opening: &Opening,
    commitment: &InputCommitment,
) -> bool {
    input.values().len() == model.num_features()
        && commit(&model.body_inputs(input), &opening.salt) == *commitment
}

/// An Rp64_256 digest: four field elements, each as 8 little-endian bytes. Written as 64
/// lowercase hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputCommitment(pub [u8; 32]);

impl InputCommitment {
    pub fn from_elements(elements: [BaseElement; 4]) -> InputCommitment {
        let mut bytes = [0u8; 32];
        for (limb, element) in bytes.chunks_exact_mut(8).zip(elements) {
            limb.copy_from_slice(&element.as_int().to_le_bytes());
        }
        InputCommitment(bytes)
    }

    /// The digest's field elements; refuses limbs that are not below the field modulus, which
    /// no hash produces (so each commitment has exactly one encoding).
    pub fn as_elements(&self) -> Result<[BaseElement; 4], CommitmentError> {
        let mut elements = [BaseElement::new(0); 4];
        for (i, limb) in self.0.chunks_exact(8).enumerate() {
            let value = u64::from_le_bytes(limb.try_into().expect("8-byte limbs"));
            if value >= BaseElement::MODULUS {
                return Err(CommitmentError::NonCanonical(i));
            }
            elements[i] = BaseElement::new(value);
        }
        Ok(elements)
    }

    /// Refuses non-canonical encodings.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<InputCommitment, CommitmentError> {
        let commitment = InputCommitment(bytes);
        commitment.as_elements()?;
        Ok(commitment)
    }
}

impl fmt::Display for InputCommitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl fmt::Debug for InputCommitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InputCommitment({self})")
    }
}

impl FromStr for InputCommitment {
    type Err = CommitmentError;

    /// 64 hexadecimal digits (either case) of a canonical encoding.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        InputCommitment::from_bytes(decode_hex32(text)?)
    }
}

impl Serialize for InputCommitment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for InputCommitment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What opens a commitment: its salt. Secret.
///
/// JSON form: `{"salt": ["<decimal>", "<decimal>", "<decimal>", "<decimal>"]}`, each element a
/// decimal string (JavaScript numbers cannot hold 64 bits) without sign or leading zeros, below
/// the field modulus; nothing else is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    pub salt: Salt,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningJson {
    salt: [String; SALT_ELEMENTS],
}

impl Opening {
    pub fn to_json(&self) -> String {
        let salt = self.salt.0.map(|e| e.as_int().to_string());
        serde_json::to_string(&OpeningJson { salt }).expect("strings always serialize")
    }

    pub fn from_json(text: &str) -> Result<Opening, CommitmentError> {
        let json: OpeningJson =
            serde_json::from_str(text).map_err(|e| CommitmentError::Json(e.to_string()))?;
        let mut salt = [BaseElement::new(0); SALT_ELEMENTS];
        for (element, text) in salt.iter_mut().zip(&json.salt) {
            *element = parse_element(text)?;
        }
        Ok(Opening { salt: Salt(salt) })
    }
}

/// A canonical decimal field element: digits only, no leading zero unless it is `0`.
fn parse_element(text: &str) -> Result<BaseElement, CommitmentError> {
    let error = || CommitmentError::SaltElement(text.to_string());
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(error());
    }
    match text.parse::<u64>() {
        Ok(value) if value < BaseElement::MODULUS => Ok(BaseElement::new(value)),
        _ => Err(error()),
    }
}

pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly 64 hexadecimal digits (either case) as 32 bytes.
pub(crate) fn decode_hex32(text: &str) -> Result<[u8; 32], CommitmentError> {
    let bytes = decode_hex(text)?;
    let found = text.chars().count();
    bytes.try_into().map_err(|_| CommitmentError::HexLength {
        expected: 64,
        found,
    })
}

/// Any even number of hexadecimal digits (either case) as bytes.
pub(crate) fn decode_hex(text: &str) -> Result<Vec<u8>, CommitmentError> {
    if let Some(bad) = text.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(CommitmentError::NotHex(bad));
    }
    if !text.len().is_multiple_of(2) {
        return Err(CommitmentError::HexLength {
            expected: text.len() + 1,
            found: text.len(),
        });
    }
    let digit = |b: u8| (b as char).to_digit(16).expect("checked above") as u8;
    Ok(text
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| digit(pair[0]) << 4 | digit(pair[1]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use winterfell::crypto::hashers::Rp64_256;
    use winterfell::crypto::{Digest, ElementHasher};

    fn salt(seed: u64) -> Salt {
        Salt(std::array::from_fn(|i| {
            BaseElement::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64)
        }))
    }

    #[test]
    fn commit_hashes_the_header_the_features_and_the_salt() {
        let q = [1u16, 2, 3, 0xffff, 5];
        let s = salt(1);
        let expected = [
            BaseElement::new((0x7a6b_6932 << 32) + 5),
            BaseElement::new(1),
            BaseElement::new(2),
            BaseElement::new(3),
            BaseElement::new(0xffff),
            BaseElement::new(5),
            s.0[0],
            s.0[1],
            s.0[2],
            s.0[3],
        ];
        assert_eq!(input_elements(&q, &s), expected);
        let digest = Rp64_256::hash_elements(&expected);
        assert_eq!(commit(&q, &s).0, digest.as_bytes());
        let elements: [BaseElement; 4] = digest.into();
        assert_eq!(commit(&q, &s).as_elements().unwrap(), elements);
        assert_eq!(InputCommitment::from_elements(elements), commit(&q, &s));
    }

    #[test]
    fn thirty_features_make_thirty_five_elements() {
        assert_eq!(
            input_elements(&[7; 30], &salt(2)).len(),
            1 + 30 + SALT_ELEMENTS
        );
    }

    #[test]
    fn inputs_of_different_lengths_never_collide() {
        // Without the header, trailing zeros and a shifted salt could hash alike.
        let s = salt(8);
        let q = [1234, 65535, 7, 42];
        let commitments: Vec<_> = (0..=5)
            .map(|zeros| {
                let mut longer = q.to_vec();
                longer.resize(q.len() + zeros, 0);
                commit(&longer, &s)
            })
            .collect();
        for (i, a) in commitments.iter().enumerate() {
            for b in &commitments[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_ne!(commit::<u16>(&[], &s), commit(&[0u16], &s));
    }

    #[test]
    fn features_are_told_apart_and_salts_hide() {
        let s = salt(3);
        let inputs: [&[u16]; 6] = [
            &[1, 0, 0],
            &[0, 1, 0],
            &[0, 0, 1],
            &[0xffff, 0, 0],
            &[0, 0xffff, 0],
            &[1, 0, 0, 0],
        ];
        let commitments: Vec<_> = inputs.iter().map(|q| commit(q, &s)).collect();
        for (i, a) in commitments.iter().enumerate() {
            for b in &commitments[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_ne!(commit(&[1, 2, 3], &salt(4)), commit(&[1, 2, 3], &salt(5)));
        let fresh = (Salt::from_os().unwrap(), Salt::from_os().unwrap());
        assert_ne!(fresh.0, fresh.1);
        assert_eq!(format!("{:?}", fresh.0), "Salt(<secret>)");
    }

    #[test]
    fn commitments_parse_strictly() {
        let c = commit(&[9, 8, 7], &salt(6));
        let hex = c.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex.parse::<InputCommitment>().unwrap(), c);
        assert_eq!(hex.to_uppercase().parse::<InputCommitment>().unwrap(), c);
        for bad in [
            &hex[..62],
            &format!("{hex}00"),
            "",
            &format!("{}zz", &hex[..62]),
        ] {
            assert!(bad.parse::<InputCommitment>().is_err(), "{bad}");
        }
        // A limb equal to the modulus, or all ones, is not a field element.
        let mut limb = c.0;
        limb[8..16].copy_from_slice(&BaseElement::MODULUS.to_le_bytes());
        assert_eq!(
            encode_hex(&limb).parse::<InputCommitment>(),
            Err(CommitmentError::NonCanonical(1))
        );
        limb[24..].copy_from_slice(&[0xff; 8]);
        assert!(InputCommitment(limb).as_elements().is_err());
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<InputCommitment>(&json).unwrap(), c);
    }

    #[test]
    fn openings_round_trip_and_parse_strictly() {
        let opening = Opening { salt: salt(7) };
        let json = opening.to_json();
        assert_eq!(Opening::from_json(&json).unwrap(), opening);
        let p = BaseElement::MODULUS;
        let good = format!(r#"{{"salt":["0","1","{}","42"]}}"#, p - 1);
        assert!(Opening::from_json(&good).is_ok());
        let bad = [
            format!(r#"{{"salt":["0","1","{p}","42"]}}"#),
            r#"{"salt":["0","1","18446744073709551616","42"]}"#.into(),
            r#"{"salt":["0","1","2"]}"#.into(),
            r#"{"salt":["0","1","2","3","4"]}"#.into(),
            r#"{"salt":["0","1","2","03"]}"#.into(),
            r#"{"salt":["0","1","2","+3"]}"#.into(),
            r#"{"salt":["0","1","2"," 3"]}"#.into(),
            r#"{"salt":["0","1","2",""]}"#.into(),
            r#"{"salt":[0,1,2,3]}"#.into(),
            r#"{"salt":["0","1","2","3"],"input":[1]}"#.into(),
            r#"{}"#.into(),
            "not json".into(),
        ];
        for text in &bad {
            assert!(Opening::from_json(text).is_err(), "{text}");
        }
    }

    #[test]
    fn hex_decoding_is_strict() {
        assert_eq!(decode_hex("00ffA0").unwrap(), [0, 255, 160]);
        assert!(decode_hex("abc").is_err());
        assert!(decode_hex("0g").is_err());
        assert!(decode_hex("é1").is_err());
        assert_eq!(decode_hex("").unwrap(), Vec::<u8>::new());
    }
}
