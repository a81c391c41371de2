//! Single-use, expiring challenges: the nonce a client binds its proof to, so that a proof
//! is accepted once and only while fresh.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::ModelId;

/// Bytes of randomness in a nonce (shown as 64 hexadecimal digits).
pub const NONCE_BYTES: usize = 32;

/// Why a nonce cannot be redeemed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error(
        "the proof's context is not a nonce this service issued (or it was forgotten long ago)"
    )]
    Unknown,
    #[error("the nonce expired; ask for a new challenge")]
    Expired,
    #[error("the nonce was already used: a proof is accepted once")]
    Used,
    #[error("the nonce was issued for another model")]
    OtherModel,
    #[error("too many open challenges; try again later")]
    Full,
    #[error("no randomness from the operating system")]
    Randomness,
}

struct Entry {
    model: ModelId,
    expires: Instant,
    used: bool,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    /// Nonces in issue order, hence in expiry order (the lifetime is fixed): what `prune` drops.
    order: VecDeque<(Instant, String)>,
}

/// The open challenges. A nonce is remembered a while after it expires (a lifetime, and at
/// least a minute), so that a late or repeated use gets "expired" or "used" rather than
/// "unknown"; after that it is forgotten.
pub struct Nonces {
    lifetime: Duration,
    /// How long after issue a nonce is forgotten.
    retention: Duration,
    capacity: usize,
    state: Mutex<State>,
}

impl Nonces {
    /// Nonces valid for `lifetime`, at most `capacity` remembered at once.
    pub fn new(lifetime: Duration, capacity: usize) -> Nonces {
        Nonces {
            lifetime,
            retention: lifetime + lifetime.max(Duration::from_secs(60)),
            capacity,
            state: Mutex::new(State::default()),
        }
    }

    /// Forgets nonces `retention` after issue instead (at least their lifetime).
    pub fn with_retention(mut self, retention: Duration) -> Nonces {
        self.retention = retention.max(self.lifetime);
        self
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A fresh nonce for a proof of `model`.
    pub fn issue(&self, model: ModelId) -> Result<String, NonceError> {
        let mut bytes = [0u8; NONCE_BYTES];
        getrandom::fill(&mut bytes).map_err(|_| NonceError::Randomness)?;
        let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut state = self.lock();
        self.prune(&mut state, now);
        if state.entries.len() >= self.capacity {
            return Err(NonceError::Full);
        }
        let expires = now + self.lifetime;
        state.entries.insert(
            nonce.clone(),
            Entry {
                model,
                expires,
                used: false,
            },
        );
        state.order.push_back((expires, nonce.clone()));
        Ok(nonce)
    }

    /// Marks `nonce` used if it was issued for `model` and is still fresh. A nonce is spent by
    /// its first redemption, whether or not the proof then verifies, so that no one can try
    /// several proofs against one challenge.
    pub fn redeem(&self, nonce: &str, model: &ModelId) -> Result<(), NonceError> {
        let now = Instant::now();
        let mut state = self.lock();
        self.prune(&mut state, now);
        let entry = state.entries.get_mut(nonce).ok_or(NonceError::Unknown)?;
        if entry.used {
            return Err(NonceError::Used);
        }
        if now >= entry.expires {
            return Err(NonceError::Expired);
        }
        if entry.model != *model {
            return Err(NonceError::OtherModel);
        }
        entry.used = true;
        Ok(())
    }

    /// Nonces issued and not yet forgotten.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets nonces issued more than `retention` ago.
    fn prune(&self, state: &mut State, now: Instant) {
        let linger = self.retention - self.lifetime;
        while let Some((expires, _)) = state.order.front() {
            if *expires + linger > now {
                break;
            }
            let (_, nonce) = state.order.pop_front().expect("a front entry");
            state.entries.remove(&nonce);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // No code path panics while holding the lock, but a poisoned map is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: ModelId = ModelId([7; 32]);

    #[test]
    fn a_nonce_is_redeemed_once() {
        let nonces = Nonces::new(Duration::from_secs(60), 10);
        let nonce = nonces.issue(MODEL).unwrap();
        assert_eq!(nonce.len(), 2 * NONCE_BYTES);
        assert_eq!(nonces.redeem(&nonce, &MODEL), Ok(()));
        assert_eq!(nonces.redeem(&nonce, &MODEL), Err(NonceError::Used));
    }

    #[test]
    fn unknown_foreign_and_expired_nonces_are_refused() {
        let nonces =
            Nonces::new(Duration::from_millis(30), 10).with_retention(Duration::from_millis(60));
        assert_eq!(nonces.redeem("00", &MODEL), Err(NonceError::Unknown));
        let nonce = nonces.issue(MODEL).unwrap();
        assert_eq!(
            nonces.redeem(&nonce, &ModelId([8; 32])),
            Err(NonceError::OtherModel)
        );
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(nonces.redeem(&nonce, &MODEL), Err(NonceError::Expired));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(nonces.redeem(&nonce, &MODEL), Err(NonceError::Unknown));
        assert!(nonces.is_empty());
    }

    #[test]
    fn the_store_is_bounded() {
        let nonces = Nonces::new(Duration::from_secs(60), 2);
        nonces.issue(MODEL).unwrap();
        nonces.issue(MODEL).unwrap();
        assert_eq!(nonces.issue(MODEL), Err(NonceError::Full));
    }
}
