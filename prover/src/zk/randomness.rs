//! Uniform field elements for masking, from one operating-system (or browser) seed.
//!
//! A 256-bit seed from `getrandom` keys BLAKE3's extendable output, which then serves as a
//! stream of random bytes: one system call per proof, and the only fallible step is taking the
//! seed. Elements are drawn by rejection, so they are exactly uniform in the field.

use winterfell::math::fields::f64::BaseElement;
use winterfell::math::StarkField;

pub struct FieldRng {
    stream: blake3::OutputReader,
}

impl FieldRng {
    /// Seeds from the operating system's CSPRNG (`crypto.getRandomValues` in a browser).
    pub fn from_os() -> Result<FieldRng, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(FieldRng {
            stream: blake3::Hasher::new_keyed(&seed).finalize_xof(),
        })
    }

    /// A uniformly random field element.
    pub fn element(&mut self) -> BaseElement {
        loop {
            let mut bytes = [0u8; 8];
            self.stream.fill(&mut bytes);
            let value = u64::from_le_bytes(bytes);
            // Values in [p, 2^64) would make small elements twice as likely.
            if value < BaseElement::MODULUS {
                return BaseElement::new(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_generators_differ_and_elements_spread() {
        let (mut a, mut b) = (FieldRng::from_os().unwrap(), FieldRng::from_os().unwrap());
        let xs: Vec<u64> = (0..1000).map(|_| a.element().as_int()).collect();
        let ys: Vec<u64> = (0..1000).map(|_| b.element().as_int()).collect();
        assert_ne!(xs, ys);
        // The top bit is set about half the time (p ≈ 2^64).
        let high = xs.iter().filter(|&&x| x >> 63 == 1).count();
        assert!((400..600).contains(&high), "{high}");
    }
}
