//! A strong APIv2 key for the merchant to paste into the merchant platform.

use rand::Rng;
use rand::distr::Alphanumeric;

use super::secret::Secret;

pub const API_KEY_LEN: usize = 32;

/// 32 characters of [0-9A-Za-z] from the thread-local CSPRNG (ChaCha, seeded by the OS).
pub fn generate_api_key() -> Secret {
    let mut key = Secret::empty();
    let mut rng = rand::rng();
    for _ in 0..API_KEY_LEN {
        key.expose_mut().push(char::from(rng.sample(Alphanumeric)));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::{OtherSecrets, check_api_key_v2};

    #[test]
    fn generated_keys_pass_the_rules_and_differ() {
        let a = generate_api_key();
        let b = generate_api_key();
        assert_eq!(a.expose().len(), 32);
        assert!(check_api_key_v2(&a, &OtherSecrets::default()).is_empty());
        assert_ne!(a, b);
    }

    /// The whole alphabet is drawn from: 200 keys are 6,400 characters, so
    /// each of the 62 appears unless the generator leaves some out (the chance
    /// of a fair one missing any is about 62 * (61/62)^6400, below 1e-43).
    #[test]
    fn generated_keys_draw_from_all_62_characters() {
        let seen: std::collections::BTreeSet<u8> = (0..200)
            .flat_map(|_| generate_api_key().expose().bytes().collect::<Vec<_>>())
            .collect();
        assert!(seen.iter().all(u8::is_ascii_alphanumeric), "{seen:?}");
        assert_eq!(seen.len(), 62, "{seen:?}");
    }
}
