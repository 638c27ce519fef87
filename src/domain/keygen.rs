//! A strong APIv2 key for the merchant to paste into the merchant platform.
//! People read keys aloud and copy them by hand too, so the characters that look
//! alike in many fonts (0/O, 1/l/I) are left out.

use rand::Rng;

use super::secret::Secret;

pub const API_KEY_LEN: usize = 32;

/// Digits and letters without 0, O, 1, l and I: 57 characters, so 32 of them
/// still carry about 186 bits.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// 32 characters of [`ALPHABET`], each drawn uniformly from the thread-local
/// CSPRNG (ChaCha, seeded by the OS).
pub fn generate_api_key() -> Secret {
    let mut key = Secret::empty();
    let mut rng = rand::rng();
    for _ in 0..API_KEY_LEN {
        let i = rng.random_range(0..ALPHABET.len());
        key.expose_mut().push(char::from(ALPHABET[i]));
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

    #[test]
    fn generated_keys_have_no_look_alike_characters() {
        let all: String = (0..200)
            .map(|_| generate_api_key().expose().to_owned())
            .collect();
        for c in ['0', 'O', '1', 'l', 'I'] {
            assert!(!all.contains(c), "{c} in a generated key");
        }
        // every other character still turns up: 6,400 draws from 57 miss one
        // with a chance of about 57 * (56/57)^6400, below 1e-40
        assert!(all.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(
            ALPHABET
                .iter()
                .filter(|c| all.contains(char::from(**c)))
                .count(),
            ALPHABET.len()
        );
    }
}
