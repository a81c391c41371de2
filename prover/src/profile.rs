//! Proof profiles: the only STARK parameter sets zkinfer proves with and accepts.
//!
//! A verifier that accepted any options meeting a security number could be handed a proof
//! whose options are weak in ways the number does not capture (or that under-provision the
//! zero-knowledge masks). So each profile is one exact [`ProofOptions`] value, compared byte
//! for byte; the zero-knowledge parameters follow from it ([`ZkParams::for_options`]).

use winter_utils::Serializable;
use winterfell::ProofOptions;
use zkinfer_air::profiles;
use zkinfer_air::zk::ZkParams;

/// A named set of proof options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// About 100 bits of conjectured security: Goldilocks with a quadratic extension,
    /// blowup 8, 29 queries, 16 bits of grinding, FRI folding 8, remainder degree ≤ 255. Quick
    /// in a browser.
    Default,
    /// 128 bits of conjectured security: cubic extension, blowup 8, 37 queries, 20 bits of
    /// grinding, FRI folding 8, remainder degree ≤ 255.
    High,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Default, Profile::High];

    /// The profile's name in envelopes and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Default => "default",
            Profile::High => "high",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The profile's exact options, defined beside the AIRs ([`zkinfer_air::profiles`]).
    pub fn options(self) -> ProofOptions {
        match self {
            Profile::Default => profiles::default_options(),
            Profile::High => profiles::high_options(),
        }
    }

    /// The profile whose options equal `options` byte for byte, if any.
    pub fn matching(options: &ProofOptions) -> Option<Profile> {
        let bytes = options.to_bytes();
        Profile::ALL
            .into_iter()
            .find(|p| p.options().to_bytes() == bytes)
    }

    /// Conjectured security in bits, as Winterfell 0.13 estimates it:
    /// `min(min(64·k, q·log2(blowup) + grinding) − 1, 128)`, where 128 is the collision
    /// resistance of the Blake3-256 commitments.
    pub fn conjectured_security_bits(self) -> u32 {
        const HASH_COLLISION_BITS: u32 = 128;
        let options = self.options();
        let field_bits = 64 * options.field_extension().degree();
        let query_bits = options.num_queries() as u32 * options.blowup_factor().ilog2()
            + options.grinding_factor();
        (field_bits.min(query_bits) - 1).min(HASH_COLLISION_BITS)
    }

    pub fn zk_params(self) -> ZkParams {
        ZkParams::for_options(&self.options())
    }
}

#[cfg(test)]
mod tests {
    use winterfell::{BatchingMethod, FieldExtension};

    use super::*;

    #[test]
    fn profiles_meet_their_security_targets() {
        assert_eq!(Profile::Default.conjectured_security_bits(), 102);
        assert_eq!(Profile::High.conjectured_security_bits(), 128);
        assert_eq!(Profile::Default.zk_params().random_rows, 64);
        assert_eq!(Profile::High.zk_params().random_rows, 83);
    }

    #[test]
    fn only_exact_options_match_a_profile() {
        for profile in Profile::ALL {
            assert_eq!(Profile::matching(&profile.options()), Some(profile));
            assert_eq!(Profile::from_name(profile.name()), Some(profile));
        }
        let options = |queries, blowup, grinding, extension, folding, remainder, batching| {
            ProofOptions::new(
                queries,
                blowup,
                grinding,
                extension,
                folding,
                remainder,
                batching,
                BatchingMethod::Linear,
            )
        };
        let (quadratic, linear) = (FieldExtension::Quadratic, BatchingMethod::Linear);
        let weaker = [
            options(28, 8, 16, quadratic, 8, 31, linear),
            options(29, 4, 16, quadratic, 8, 31, linear),
            options(29, 8, 15, quadratic, 8, 31, linear),
            options(29, 8, 16, FieldExtension::None, 8, 31, linear),
            options(29, 8, 16, quadratic, 4, 31, linear),
            options(29, 8, 16, quadratic, 8, 63, linear),
            options(29, 8, 16, quadratic, 8, 31, BatchingMethod::Algebraic),
        ];
        for options in &weaker {
            assert_eq!(Profile::matching(options), None, "{options:?}");
        }
        assert_eq!(Profile::from_name("fast"), None);
    }
}
