//! The public transcript an attacker replays: the stock verifier run with a coin and a vector
//! commitment that record every challenge and every opened position.

use std::cell::RefCell;

use winterfell::crypto::{RandomCoin, RandomCoinError, VectorCommitment};
use winterfell::math::fields::f64::BaseElement;
use winterfell::math::FieldElement;
use winterfell::{AcceptableOptions, Air, Proof, VerifierError};

use crate::prover::Hash;

#[derive(Clone, Debug, PartialEq, Eq)]
enum CoinEvent {
    Reseed,
    /// A field element drawn, as base-field coordinates.
    Draw(Vec<BaseElement>),
    /// Query positions drawn, as returned by the coin (unsorted, possibly repeated).
    Integers(Vec<usize>),
}

thread_local! {
    // The verifier builds the coin and commitment itself, so records leave through statics;
    // thread-local ones keep concurrently running tests apart (the verifier is sequential).
    static COIN_EVENTS: RefCell<Vec<CoinEvent>> = const { RefCell::new(Vec::new()) };
    static OPENED_POSITIONS: RefCell<Vec<Vec<usize>>> = const { RefCell::new(Vec::new()) };
}

/// A random coin that records every reseed and draw of the coin `C` it wraps.
pub struct RecordingCoin<C>(C);

impl<C: RandomCoin<BaseField = BaseElement>> RandomCoin for RecordingCoin<C> {
    type BaseField = BaseElement;
    type Hasher = C::Hasher;

    fn new(seed: &[BaseElement]) -> Self {
        RecordingCoin(C::new(seed))
    }

    fn reseed(&mut self, data: <Self::Hasher as winterfell::crypto::Hasher>::Digest) {
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Reseed));
        self.0.reseed(data);
    }

    fn check_leading_zeros(&self, value: u64) -> u32 {
        self.0.check_leading_zeros(value)
    }

    fn draw<E: FieldElement<BaseField = BaseElement>>(&mut self) -> Result<E, RandomCoinError> {
        let value = self.0.draw::<E>()?;
        let coordinates = E::slice_as_base_elements(&[value]).to_vec();
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Draw(coordinates)));
        Ok(value)
    }

    fn draw_integers(
        &mut self,
        num_values: usize,
        domain_size: usize,
        nonce: u64,
    ) -> Result<Vec<usize>, RandomCoinError> {
        let values = self.0.draw_integers(num_values, domain_size, nonce)?;
        COIN_EVENTS.with_borrow_mut(|events| events.push(CoinEvent::Integers(values.clone())));
        Ok(values)
    }
}

/// A vector commitment that records the positions of every batch opening it verifies.
pub struct RecordingVc<V>(V);

impl<H: winterfell::crypto::Hasher, V: VectorCommitment<H>> VectorCommitment<H> for RecordingVc<V> {
    type Options = V::Options;
    type Proof = V::Proof;
    type MultiProof = V::MultiProof;
    type Error = V::Error;

    fn with_options(items: Vec<H::Digest>, options: Self::Options) -> Result<Self, Self::Error> {
        V::with_options(items, options).map(RecordingVc)
    }

    fn commitment(&self) -> H::Digest {
        self.0.commitment()
    }

    fn domain_len(&self) -> usize {
        self.0.domain_len()
    }

    fn get_proof_domain_len(proof: &Self::Proof) -> usize {
        V::get_proof_domain_len(proof)
    }

    fn get_multiproof_domain_len(proof: &Self::MultiProof) -> usize {
        V::get_multiproof_domain_len(proof)
    }

    fn open(&self, index: usize) -> Result<(H::Digest, Self::Proof), Self::Error> {
        self.0.open(index)
    }

    fn open_many(
        &self,
        indexes: &[usize],
    ) -> Result<(Vec<H::Digest>, Self::MultiProof), Self::Error> {
        self.0.open_many(indexes)
    }

    fn verify(
        commitment: H::Digest,
        index: usize,
        item: H::Digest,
        proof: &Self::Proof,
    ) -> Result<(), Self::Error> {
        V::verify(commitment, index, item, proof)
    }

    fn verify_many(
        commitment: H::Digest,
        indexes: &[usize],
        items: &[H::Digest],
        proof: &Self::MultiProof,
    ) -> Result<(), Self::Error> {
        OPENED_POSITIONS.with_borrow_mut(|opened| opened.push(indexes.to_vec()));
        V::verify_many(commitment, indexes, items, proof)
    }
}

/// What an attacker learns by replaying the verifier on an accepted proof. Challenges are
/// kept as base-field coordinates (one per extension degree).
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The auxiliary segment's random elements (none without one).
    pub aux_rands: Vec<Vec<BaseElement>>,
    /// The composition coefficients: one per transition constraint, in order (the main
    /// segment's, then the auxiliary segment's), then one per assertion.
    pub composition: Vec<Vec<BaseElement>>,
    /// The main segment's transition constraints: the first coefficients of `composition`.
    pub main_transition_constraints: usize,
    /// The out-of-domain point `z`.
    pub z: Vec<BaseElement>,
    /// The DEEP coefficients: one per trace column, then one per composition column.
    pub deep: Vec<Vec<BaseElement>>,
    /// Each FRI layer's folding challenge.
    pub fri_alphas: Vec<Vec<BaseElement>>,
    /// The queried LDE positions, sorted and without repeats: the order of the opened rows.
    pub positions: Vec<usize>,
    /// Columns of the constraint composition polynomial (needed to parse the OOD frame).
    pub quotient_columns: usize,
    /// Transition exemptions: the last rows where no transition constraint holds.
    pub exemptions: usize,
}

/// Runs the stock `winterfell::verify` on `proof`, recording the transcript. `VC` is the vector
/// commitment the proof was made with. Returns the verifier's error if the proof is rejected.
///
/// The coin's events follow winter-verifier 0.13.1's `perform_verification`: reseed with the
/// main trace root, the auxiliary segment's random elements drawn and a reseed with its root
/// (when there is one), the composition coefficients drawn, reseed with the constraint root, `z`
/// drawn, reseed with the OOD evaluations, the DEEP coefficients drawn, then for each FRI layer
/// and for the remainder a reseed with its commitment and a folding challenge drawn (the
/// remainder's unused), and the query positions. The shape
/// of that sequence is checked, so that a change in Winterfell fails here rather than
/// silently misreading challenges.
pub fn verify_recording<A, VC>(
    proof: &Proof,
    inputs: &A::PublicInputs,
    acceptable: &AcceptableOptions,
) -> Result<Transcript, VerifierError>
where
    A: Air<BaseField = BaseElement>,
    A::PublicInputs: Clone,
    VC: VectorCommitment<Hash>,
{
    COIN_EVENTS.with_borrow_mut(Vec::clear);
    OPENED_POSITIONS.with_borrow_mut(Vec::clear);
    winterfell::verify::<
        A,
        Hash,
        RecordingCoin<winterfell::crypto::DefaultRandomCoin<Hash>>,
        RecordingVc<VC>,
    >(proof.clone(), inputs.clone(), acceptable)?;
    let events = COIN_EVENTS.with_borrow_mut(std::mem::take);
    let opened = OPENED_POSITIONS.with_borrow_mut(std::mem::take);

    // The draws between consecutive reseeds, from the first reseed on.
    let mut phases: Vec<Vec<Vec<BaseElement>>> = Vec::new();
    let mut drawn = None;
    for event in &events {
        match event {
            CoinEvent::Reseed => phases.push(Vec::new()),
            CoinEvent::Draw(value) => phases
                .last_mut()
                .expect("every draw follows a reseed")
                .push(value.clone()),
            CoinEvent::Integers(values) => drawn = Some(values.clone()),
        }
    }
    let air = A::new(
        proof.trace_info().clone(),
        inputs.clone(),
        proof.options().clone(),
    );
    let context = air.context();
    let layers = proof.fri_proof.num_layers();
    // With an auxiliary segment, its random elements come first.
    let aux = proof.trace_info().num_segments() - 1;
    assert!(aux <= 1, "one auxiliary segment at most");
    let aux_rands = if aux == 1 {
        phases.remove(0)
    } else {
        Vec::new()
    };
    assert_eq!(
        aux_rands.len(),
        proof.trace_info().get_num_aux_segment_rand_elements()
    );
    assert_eq!(phases.len(), 3 + layers + 1, "reseeds: {phases:?}");
    let composition = phases[0].clone();
    assert_eq!(
        composition.len(),
        context.num_transition_constraints() + context.num_assertions()
    );
    let [z]: [Vec<BaseElement>; 1] = phases[1].clone().try_into().expect("z alone");
    assert_eq!(z.len(), proof.options().field_extension().degree() as usize);
    let deep = phases[2].clone();
    let quotient_columns = context.num_constraint_composition_columns();
    assert_eq!(deep.len(), proof.trace_info().width() + quotient_columns);
    assert!(phases[3..].iter().all(|phase| phase.len() == 1));
    let fri_alphas = phases[3..3 + layers].iter().map(|p| p[0].clone()).collect();

    // The main trace segment is the first batch opening verified; it must agree with the
    // coin's query draw.
    let positions = opened.first().expect("the trace was opened").clone();
    let mut drawn = drawn.expect("queries were drawn");
    drawn.sort_unstable();
    drawn.dedup();
    assert_eq!(
        positions, drawn,
        "opened positions differ from the drawn queries"
    );
    assert_eq!(positions.len(), proof.num_unique_queries as usize);

    Ok(Transcript {
        aux_rands,
        composition,
        main_transition_constraints: context.num_main_transition_constraints(),
        z,
        deep,
        fri_alphas,
        positions,
        quotient_columns,
        exemptions: context.num_transition_exemptions(),
    })
}
