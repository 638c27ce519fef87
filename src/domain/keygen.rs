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

    #[test]
    fn generated_keys_use_all_three_classes_over_many_draws() {
        let all: String = (0..20)
            .map(|_| generate_api_key().expose().to_owned())
            .collect();
        assert!(all.bytes().any(|b| b.is_ascii_digit()));
        assert!(all.bytes().any(|b| b.is_ascii_lowercase()));
        assert!(all.bytes().any(|b| b.is_ascii_uppercase()));
    }
}
