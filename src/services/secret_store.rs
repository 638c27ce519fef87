//! The OS keychain behind a small trait. Secrets are stored under the service
//! [`SERVICE`] and the account `<profile>/<field>`; there is no plain-file fallback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::profile::SecretField;
use crate::domain::secret::Secret;

pub const SERVICE: &str = "wxpay-setup";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum StoreError {
    /// No keychain service at all (e.g. no Secret Service on the D-Bus session).
    #[error("no keychain available: {0}")]
    Unavailable(String),
    /// The keychain refused access (locked and no prompt, or the user declined).
    #[error("keychain access refused: {0}")]
    Denied(String),
    #[error("keychain error: {0}")]
    Other(String),
}

impl StoreError {
    /// One value of every variant, for the test that each has a text in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<StoreError> {
        use StoreErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        D::iter()
            .map(|d| match d {
                D::Unavailable => StoreError::Unavailable("no D-Bus session".into()),
                D::Denied => StoreError::Denied("locked".into()),
                D::Other => StoreError::Other("timeout".into()),
            })
            .collect()
    }

    /// The i18n key of the message (`keychain.error.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "unavailable",
            StoreError::Denied(_) => "denied",
            StoreError::Other(_) => "other",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            StoreError::Unavailable(s) | StoreError::Denied(s) | StoreError::Other(s) => s,
        }
    }
}

impl crate::i18n::Message for StoreError {
    fn key(&self) -> String {
        format!("keychain.error.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        vec![("detail", self.detail().into())]
    }
}

pub trait SecretStore: Send + Sync {
    fn set(&self, profile: &str, field: SecretField, value: &Secret) -> Result<(), StoreError>;
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, StoreError>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), StoreError>;

    /// Sets a value, or deletes it when the value is empty.
    fn put(&self, profile: &str, field: SecretField, value: &Secret) -> Result<(), StoreError> {
        if value.is_empty() {
            self.delete(profile, field)
        } else {
            self.set(profile, field, value)
        }
    }

    fn delete_all(&self, profile: &str) -> Result<(), StoreError> {
        for f in SecretField::EVERY {
            self.delete(profile, f)?;
        }
        Ok(())
    }
}

pub fn account(profile: &str, field: SecretField) -> String {
    format!("{profile}/{}", field.key())
}

/// The real OS keychain through keyring-core and the platform's store crate.
pub struct KeyringStore {
    store: Arc<keyring_core::CredentialStore>,
    service: String,
}

impl KeyringStore {
    /// Connects to the platform keychain; fails with [`StoreError::Unavailable`]
    /// when there is none (so the caller can say so instead of falling back).
    pub fn connect() -> Result<Self, StoreError> {
        let service = std::env::var("WXPAY_SETUP_KEYCHAIN_SERVICE")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| SERVICE.to_owned());
        let store = platform_store()?;
        Ok(KeyringStore { store, service })
    }

    fn entry(&self, profile: &str, field: SecretField) -> Result<keyring_core::Entry, StoreError> {
        keyring_core::Entry::new_in_store(&self.store, &self.service, &account(profile, field))
            .map_err(map_err)
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    // The zbus store talks D-Bus directly: no libdbus, no -dev packages at build time.
    let s = zbus_secret_service_keyring_store::Store::new().map_err(|e| match e {
        keyring_core::Error::PlatformFailure(p) | keyring_core::Error::NoStorageAccess(p) => {
            StoreError::Unavailable(p.to_string())
        }
        other => StoreError::Unavailable(other.to_string()),
    })?;
    Ok(s)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let s = windows_native_keyring_store::Store::new()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(s)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    let s = apple_native_keyring_store::keychain::Store::new()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(s)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
    Err(StoreError::Unavailable("unsupported platform".into()))
}

fn map_err(e: keyring_core::Error) -> StoreError {
    match e {
        keyring_core::Error::NoStorageAccess(p) => StoreError::Denied(p.to_string()),
        keyring_core::Error::PlatformFailure(p) => {
            let text = p.to_string();
            // zbus reports a vanished service as a platform failure
            if text.contains("ServiceUnknown") || text.contains("org.freedesktop.DBus.Error") {
                StoreError::Unavailable(text)
            } else {
                StoreError::Other(text)
            }
        }
        other => StoreError::Other(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn set(&self, profile: &str, field: SecretField, value: &Secret) -> Result<(), StoreError> {
        self.entry(profile, field)?
            .set_secret(value.expose().as_bytes())
            .map_err(map_err)
    }

    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, StoreError> {
        match self.entry(profile, field)?.get_secret() {
            Ok(bytes) => {
                let bytes = zeroize::Zeroizing::new(bytes);
                match std::str::from_utf8(&bytes) {
                    Ok(s) => Ok(Some(Secret::new(s))),
                    Err(_) => Err(StoreError::Other("stored value is not text".into())),
                }
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn delete(&self, profile: &str, field: SecretField) -> Result<(), StoreError> {
        match self.entry(profile, field)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// A keychain in memory, for tests and for the GUI tests' "real" runs. It can
/// pretend to be unavailable.
#[derive(Default, Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Default)]
struct MemoryInner {
    values: HashMap<String, Secret>,
    failure: Option<StoreError>,
    writes: usize,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn unavailable() -> Self {
        let s = Self::default();
        s.set_failure(Some(StoreError::Unavailable("no Secret Service".into())));
        s
    }

    pub fn set_failure(&self, failure: Option<StoreError>) {
        self.lock().failure = failure;
    }

    pub fn len(&self) -> usize {
        self.lock().values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many writes reached the store (to check debouncing).
    pub fn writes(&self) -> usize {
        self.lock().writes
    }

    pub fn peek(&self, profile: &str, field: SecretField) -> Option<Secret> {
        self.lock().values.get(&account(profile, field)).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // a panicking test thread must not poison every later test
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<std::sync::MutexGuard<'_, MemoryInner>, StoreError> {
        let g = self.lock();
        match &g.failure {
            Some(e) => Err(e.clone()),
            None => Ok(g),
        }
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, profile: &str, field: SecretField, value: &Secret) -> Result<(), StoreError> {
        let mut g = self.check()?;
        g.writes += 1;
        g.values.insert(account(profile, field), value.clone());
        Ok(())
    }

    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, StoreError> {
        Ok(self.check()?.values.get(&account(profile, field)).cloned())
    }

    fn delete(&self, profile: &str, field: SecretField) -> Result<(), StoreError> {
        let mut g = self.check()?;
        g.writes += 1;
        g.values.remove(&account(profile, field));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trip_and_failure() {
        let s = MemoryStore::new();
        let v = Secret::new("0123456789abcdef0123456789abcdef");
        s.put("店", SecretField::MpAppSecret, &v).unwrap();
        assert_eq!(s.get("店", SecretField::MpAppSecret).unwrap(), Some(v));
        s.put("店", SecretField::MpAppSecret, &Secret::empty())
            .unwrap();
        assert_eq!(s.get("店", SecretField::MpAppSecret).unwrap(), None);
        s.set_failure(Some(StoreError::Denied("locked".into())));
        assert!(matches!(
            s.get("店", SecretField::ApiKeyV2),
            Err(StoreError::Denied(_))
        ));
    }

    #[test]
    fn accounts_are_profile_slash_field() {
        assert_eq!(account("店A", SecretField::ApiKeyV2), "店A/api_key_v2");
    }
}
