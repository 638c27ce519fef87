//! A secret value (AppSecret, API key, private key) held in memory only.
//!
//! It zeroizes its buffer on drop, never implements `Serialize`, and prints as
//! `***` so that a stray `{:?}` in a log can never leak it.

use std::fmt;
use zeroize::Zeroizing;

/// Enough room for every secret we handle (a 2048-bit PKCS#8 PEM is ~1.7 KB), so
/// that typing rarely reallocates and leaves copies behind in freed memory.
const INITIAL_CAPACITY: usize = 2048;

#[derive(Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let mut buf = String::with_capacity(INITIAL_CAPACITY);
        let mut value = Zeroizing::new(value.into());
        buf.push_str(&value);
        // the temporary copy is wiped when `value` drops here
        value.clear();
        Self(Zeroizing::new(buf))
    }

    pub fn empty() -> Self {
        Self(Zeroizing::new(String::with_capacity(INITIAL_CAPACITY)))
    }

    /// The plain text. Call sites are few and deliberate: signing, keychain, export.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Mutable access for the text editor of the GUI.
    pub fn expose_mut(&mut self) -> &mut String {
        &mut self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The value without surrounding white space (pasted values often carry some).
    pub fn trimmed(&self) -> Secret {
        Secret::new(self.0.trim())
    }
}

impl Clone for Secret {
    /// Keeps the spare capacity, so the copy can be edited without reallocating.
    fn clone(&self) -> Self {
        Secret::new(self.expose())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("0123456789abcdef0123456789abcdef");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn trimmed_and_empty() {
        assert!(Secret::new("  \t").is_empty());
        assert_eq!(Secret::new("  ab \n").trimmed().expose(), "ab");
        assert!(!Secret::new("x").is_empty());
    }
}
