//! A hiding vector commitment: a Merkle tree over salted leaves.
//!
//! Winterfell commits to trace rows, constraint evaluations and FRI layers with a
//! [`VectorCommitment`] and reveals authentication paths, i.e. hashes of *unopened* leaves.
//! With plain leaves those hashes are deterministic functions of the witness; here every leaf
//! is `H(item ‖ salt_i)` with `salt_i = H(seed, i)` and a fresh 256-bit `seed` from the
//! operating system's (or browser's) CSPRNG, so roots and paths reveal nothing. The opened
//! leaves' salts travel in the multiproof (32 bytes each with Blake3). The stock Winterfell
//! verifier accepts it unchanged: it only calls `verify_many`.

use winter_utils::{ByteReader, ByteWriter, Deserializable, DeserializationError, Serializable};
use winterfell::crypto::{Hasher, MerkleTree, VectorCommitment};

/// Most positions one multiproof may open (Winterfell allows at most 255 queries).
const MAX_OPENINGS: usize = 255;
/// Deepest tree: 2^64 leaves is beyond any domain.
const MAX_DEPTH: usize = 64;

/// Why a salted commitment could not be made or checked.
#[derive(Debug)]
pub enum SaltedMerkleError {
    Merkle(winterfell::crypto::MerkleTreeError),
    /// The CSPRNG failed: a commitment without fresh salts would not hide.
    Randomness(getrandom::Error),
    /// The multiproof's salts do not match the opened positions.
    SaltCount {
        salts: usize,
        positions: usize,
    },
}

/// A Merkle tree whose leaves are salted digests of the committed items.
pub struct SaltedMerkleTree<H: Hasher> {
    tree: MerkleTree<H>,
    /// The committed items: openings return them, not the salted leaves.
    items: Vec<H::Digest>,
    salts: Vec<H::Digest>,
}

/// Salts of the opened positions, in the order given, and the Merkle batch proof.
pub struct SaltedMultiProof<H: Hasher> {
    salts: Vec<H::Digest>,
    proof: winterfell::crypto::BatchMerkleProof<H>,
}

/// A single opening: the salt and the authentication path.
pub struct SaltedProof<H: Hasher> {
    salt: H::Digest,
    path: Vec<H::Digest>,
}

// Derived `Clone` would demand `H: Clone`; only the digests are cloned.
impl<H: Hasher> Clone for SaltedProof<H> {
    fn clone(&self) -> Self {
        SaltedProof {
            salt: self.salt,
            path: self.path.clone(),
        }
    }
}

fn salted<H: Hasher>(item: H::Digest, salt: H::Digest) -> H::Digest {
    H::merge(&[item, salt])
}

impl<H: Hasher> VectorCommitment<H> for SaltedMerkleTree<H> {
    type Options = ();
    type Proof = SaltedProof<H>;
    type MultiProof = SaltedMultiProof<H>;
    type Error = SaltedMerkleError;

    fn with_options(items: Vec<H::Digest>, _options: ()) -> Result<Self, Self::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(SaltedMerkleError::Randomness)?;
        let seed = H::hash(&seed);
        let salts: Vec<H::Digest> = (0..items.len() as u64)
            .map(|i| H::merge_with_int(seed, i))
            .collect();
        let leaves = items
            .iter()
            .zip(&salts)
            .map(|(&item, &salt)| salted::<H>(item, salt))
            .collect();
        let tree = MerkleTree::new(leaves).map_err(SaltedMerkleError::Merkle)?;
        Ok(SaltedMerkleTree { tree, items, salts })
    }

    fn commitment(&self) -> H::Digest {
        *self.tree.root()
    }

    fn domain_len(&self) -> usize {
        1 << self.tree.depth()
    }

    fn get_proof_domain_len(proof: &Self::Proof) -> usize {
        1 << proof.path.len()
    }

    fn get_multiproof_domain_len(proof: &Self::MultiProof) -> usize {
        1 << proof.proof.depth
    }

    fn open(&self, index: usize) -> Result<(H::Digest, Self::Proof), Self::Error> {
        let (_, path) = self.tree.prove(index).map_err(SaltedMerkleError::Merkle)?;
        Ok((
            self.items[index],
            SaltedProof {
                salt: self.salts[index],
                path,
            },
        ))
    }

    fn open_many(
        &self,
        indexes: &[usize],
    ) -> Result<(Vec<H::Digest>, Self::MultiProof), Self::Error> {
        let (_, proof) = self
            .tree
            .prove_batch(indexes)
            .map_err(SaltedMerkleError::Merkle)?;
        let items = indexes.iter().map(|&i| self.items[i]).collect();
        let salts = indexes.iter().map(|&i| self.salts[i]).collect();
        Ok((items, SaltedMultiProof { salts, proof }))
    }

    fn verify(
        commitment: H::Digest,
        index: usize,
        item: H::Digest,
        proof: &Self::Proof,
    ) -> Result<(), Self::Error> {
        let leaf = salted::<H>(item, proof.salt);
        MerkleTree::<H>::verify(commitment, index, leaf, &proof.path)
            .map_err(SaltedMerkleError::Merkle)
    }

    fn verify_many(
        commitment: H::Digest,
        indexes: &[usize],
        items: &[H::Digest],
        proof: &Self::MultiProof,
    ) -> Result<(), Self::Error> {
        if proof.salts.len() != indexes.len() || items.len() != indexes.len() {
            return Err(SaltedMerkleError::SaltCount {
                salts: proof.salts.len(),
                positions: indexes.len(),
            });
        }
        let leaves: Vec<H::Digest> = items
            .iter()
            .zip(&proof.salts)
            .map(|(&item, &salt)| salted::<H>(item, salt))
            .collect();
        MerkleTree::<H>::verify_batch(&commitment, indexes, &leaves, &proof.proof)
            .map_err(SaltedMerkleError::Merkle)
    }
}

impl<H: Hasher> Serializable for SaltedMultiProof<H> {
    fn write_into<W: ByteWriter>(&self, target: &mut W) {
        target.write_usize(self.salts.len());
        for salt in &self.salts {
            salt.write_into(target);
        }
        self.proof.write_into(target);
    }
}

impl<H: Hasher> Deserializable for SaltedMultiProof<H> {
    fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
        let count = source.read_usize()?;
        // Winterfell opens at most 255 positions per commitment; refuse more, and a count the
        // remaining bytes cannot hold, before allocating. (`check_eor` itself adds unchecked.)
        if count > MAX_OPENINGS {
            return Err(DeserializationError::InvalidValue(format!(
                "{count} salts in a multiproof (at most {MAX_OPENINGS})"
            )));
        }
        source.check_eor(count * std::mem::size_of::<H::Digest>())?;
        let mut salts = Vec::with_capacity(count);
        for _ in 0..count {
            salts.push(H::Digest::read_from(source)?);
        }
        let proof = read_batch_proof(source)?;
        Ok(SaltedMultiProof { salts, proof })
    }
}

/// Reads a [`BatchMerkleProof`](winterfell::crypto::BatchMerkleProof) in Winterfell's layout
/// (depth, number of node lists, then each list), but bounding every count before allocating:
/// Winterfell's own reader reserves whatever count the bytes claim, which aborts the process
/// (in a browser: traps) on a forged count.
fn read_batch_proof<H: Hasher, R: ByteReader>(
    source: &mut R,
) -> Result<winterfell::crypto::BatchMerkleProof<H>, DeserializationError> {
    let depth = source.read_u8()?;
    if depth as usize > MAX_DEPTH {
        return Err(DeserializationError::InvalidValue(format!(
            "Merkle depth {depth}"
        )));
    }
    let lists = source.read_usize()?;
    if lists > MAX_OPENINGS {
        return Err(DeserializationError::InvalidValue(format!(
            "{lists} Merkle node lists"
        )));
    }
    let mut nodes = Vec::with_capacity(lists);
    for _ in 0..lists {
        let count = source.read_usize()?;
        if count > depth as usize {
            return Err(DeserializationError::InvalidValue(format!(
                "{count} nodes on a path of depth {depth}"
            )));
        }
        source.check_eor(count * std::mem::size_of::<H::Digest>())?;
        let mut list = Vec::with_capacity(count);
        for _ in 0..count {
            list.push(H::Digest::read_from(source)?);
        }
        nodes.push(list);
    }
    Ok(winterfell::crypto::BatchMerkleProof { nodes, depth })
}

impl<H: Hasher> Serializable for SaltedProof<H> {
    fn write_into<W: ByteWriter>(&self, target: &mut W) {
        self.salt.write_into(target);
        self.path.write_into(target);
    }
}

impl<H: Hasher> Deserializable for SaltedProof<H> {
    fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
        let salt = H::Digest::read_from(source)?;
        let path = Vec::<H::Digest>::read_from(source)?;
        Ok(SaltedProof { salt, path })
    }
}

#[cfg(test)]
mod tests {
    use winter_utils::{Deserializable, Serializable, SliceReader};
    use winterfell::crypto::hashers::Blake3_256;
    use winterfell::crypto::Hasher;
    use winterfell::math::fields::f64::BaseElement;

    use super::*;

    type H = Blake3_256<BaseElement>;

    fn items(n: u64) -> Vec<<H as Hasher>::Digest> {
        (0..n).map(|i| H::hash(&i.to_le_bytes())).collect()
    }

    #[test]
    fn openings_verify_and_tampering_is_caught() {
        let tree = SaltedMerkleTree::<H>::new(items(64)).unwrap();
        let root = tree.commitment();
        let indexes = [3, 17, 40, 63];
        let (opened, proof) = tree.open_many(&indexes).unwrap();
        assert_eq!(
            opened,
            indexes.iter().map(|&i| items(64)[i]).collect::<Vec<_>>()
        );
        SaltedMerkleTree::<H>::verify_many(root, &indexes, &opened, &proof).unwrap();

        // A proof survives serialization.
        let bytes = proof.to_bytes();
        let decoded = SaltedMultiProof::<H>::read_from(&mut SliceReader::new(&bytes)).unwrap();
        SaltedMerkleTree::<H>::verify_many(root, &indexes, &opened, &decoded).unwrap();

        // A wrong item, a wrong salt or a wrong position is rejected.
        let mut wrong = opened.clone();
        wrong[1] = H::hash(b"other");
        assert!(SaltedMerkleTree::<H>::verify_many(root, &indexes, &wrong, &proof).is_err());
        let mut bad_salt = SaltedMultiProof::<H>::read_from(&mut SliceReader::new(&bytes)).unwrap();
        bad_salt.salts[0] = H::hash(b"salt");
        assert!(SaltedMerkleTree::<H>::verify_many(root, &indexes, &opened, &bad_salt).is_err());
        assert!(
            SaltedMerkleTree::<H>::verify_many(root, &[3, 17, 41, 63], &opened, &proof).is_err()
        );

        let (item, single) = tree.open(17).unwrap();
        SaltedMerkleTree::<H>::verify(root, 17, item, &single).unwrap();
        assert!(SaltedMerkleTree::<H>::verify(root, 18, item, &single).is_err());
    }

    #[test]
    fn the_same_items_commit_to_different_roots() {
        let a = SaltedMerkleTree::<H>::new(items(16)).unwrap();
        let b = SaltedMerkleTree::<H>::new(items(16)).unwrap();
        assert_ne!(a.commitment(), b.commitment());
        let plain = MerkleTree::<H>::new(items(16)).unwrap();
        assert_ne!(a.commitment(), *plain.root());
    }

    #[test]
    fn hostile_salt_counts_are_refused_without_allocating() {
        let mut bytes = Vec::new();
        bytes.write_usize(1 << 60);
        bytes.extend_from_slice(&[0u8; 64]);
        assert!(SaltedMultiProof::<H>::read_from(&mut SliceReader::new(&bytes)).is_err());
        for cut in 0..40 {
            let tree = SaltedMerkleTree::<H>::new(items(8)).unwrap();
            let (_, proof) = tree.open_many(&[1, 5]).unwrap();
            let bytes = proof.to_bytes();
            if cut < bytes.len() {
                assert!(
                    SaltedMultiProof::<H>::read_from(&mut SliceReader::new(&bytes[..cut])).is_err()
                );
            }
        }
    }
}
