//! The OS keychain behind a small trait; there is no plain-file fallback.
//!
//! Layout: on Linux (the Secret Service) one item per shop, account `<profile>`
//! under the service [`SERVICE`], holding all its fields as a JSON object
//! (`{"api_key_v2": "…", …}`). gnome-keyring searches every item of every
//! collection on each lookup and rewrites (and re-encrypts) the whole keyring file
//! on each write, so six items per shop made each import and each read cost more
//! the more shops there were (issue 13). Items of the older layout, one per field
//! with the account `<profile>/<field>`, are read when a shop has no item yet and
//! moved into it (then deleted), so nothing stored is lost. Windows (a credential
//! blob holds at most 2.5 kB, too little for a private key and the rest) and macOS
//! (lookups by name are indexed) keep one item per field.
//!
//! What a shop costs in gnome-keyring (measured by `scripts/bench-keychain.sh`):
//! a search takes the daemon time in proportion to the items (~0.2-0.3 ms at 100
//! shops, ~0.4-0.5 ms at 1,000), so a change of a shop that exists is one search,
//! and the write goes through the item found (`SetSecret`: one rewrite of the
//! file). A new shop is one search for its item, one per field of the older
//! layout and the store's own search before `CreateItem`, which the daemon
//! carries out as two rewrites of the whole file (make the item, then set its
//! secret). Those rewrites (~2.2 kB per shop, re-encrypted and fsynced each time;
//! ~47 ms of the daemon's time per new shop at 1,000 shops) are most of an import
//! there, and the same for any client: `secret-tool store` of a new item grows
//! about as much between 100 and 1,000 shops (~18 ms to ~53 ms).

use std::collections::{BTreeMap, HashMap};
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
    /// Not the keychain's answer: the shop (named) is being changed by another
    /// window or command, which holds its lock; try again.
    #[error("shop {0:?} is being changed elsewhere")]
    Busy(String),
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
                D::Busy => StoreError::Busy("店".into()),
            })
            .collect()
    }

    /// The i18n key of the message (`keychain.error.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "unavailable",
            StoreError::Denied(_) => "denied",
            StoreError::Other(_) => "other",
            StoreError::Busy(_) => "busy",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            StoreError::Unavailable(s)
            | StoreError::Denied(s)
            | StoreError::Other(s)
            | StoreError::Busy(s) => s,
        }
    }
}

impl crate::i18n::Message for StoreError {
    fn key(&self) -> String {
        format!("keychain.error.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        match self {
            StoreError::Busy(name) => vec![("name", name.as_str().into())],
            _ => vec![("detail", self.detail().into())],
        }
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

    /// Every secret of a profile (absent fields are left out).
    fn get_all(&self, profile: &str) -> Result<BTreeMap<SecretField, Secret>, StoreError> {
        let mut out = BTreeMap::new();
        for f in SecretField::ALL {
            if let Some(v) = self.get(profile, f)? {
                out.insert(f, v);
            }
        }
        Ok(out)
    }

    /// Sets several fields at once (the others are kept): one keychain write where
    /// the store keeps a shop in one item.
    fn set_many(
        &self,
        profile: &str,
        values: &BTreeMap<SecretField, Secret>,
    ) -> Result<(), StoreError> {
        for (f, v) in values {
            self.set(profile, *f, v)?;
        }
        Ok(())
    }

    fn delete_all(&self, profile: &str) -> Result<(), StoreError> {
        for f in SecretField::EVERY {
            self.delete(profile, f)?;
        }
        Ok(())
    }

    /// Makes these the shop's only secrets: whatever it held before (an earlier
    /// shop of that name, a replaced import) goes.
    fn replace_all(
        &self,
        profile: &str,
        values: &BTreeMap<SecretField, Secret>,
    ) -> Result<(), StoreError> {
        self.delete_all(profile)?;
        self.set_many(profile, values)
    }

    /// The shops that have anything in the keychain (sorted, no repeats), for
    /// `profile doctor` to find the ones with no profile.
    fn shops(&self) -> Result<Vec<String>, StoreError>;
}

/// The shop an account belongs to: `<profile>` or `<profile>/<field>` (a shop
/// name has no `/`).
fn shop_of_account(account: &str) -> &str {
    account.split_once('/').map_or(account, |(shop, _)| shop)
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
    /// The connection is shared by the whole process (on Linux a D-Bus connection
    /// and an encrypted session cost ~25 ms, once per shop in `verify --all` and
    /// `export --all` otherwise); it is dropped when the keychain goes away, so
    /// the next call connects again.
    pub fn connect() -> Result<Self, StoreError> {
        let service = std::env::var("WXPAY_SETUP_KEYCHAIN_SERVICE")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| SERVICE.to_owned());
        let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        let store = match &*shared {
            Some(s) => s.clone(),
            None => shared.insert(platform_store()?).clone(),
        };
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

/// The process's keychain connection (see [`KeyringStore::connect`]).
static SHARED: Mutex<Option<Arc<keyring_core::CredentialStore>>> = Mutex::new(None);

fn map_err(e: keyring_core::Error) -> StoreError {
    let e = map_err_inner(e);
    if matches!(e, StoreError::Unavailable(_)) {
        // a vanished service: connect afresh next time
        *SHARED.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
    e
}

fn map_err_inner(e: keyring_core::Error) -> StoreError {
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

/// Whether this platform's store keeps one item per shop (see the module header).
const ONE_ITEM_PER_SHOP: bool = cfg!(target_os = "linux");

/// A shop's fields by key; unknown keys (written by a newer version) are kept.
type ShopItem = BTreeMap<String, Secret>;

/// A shop as [`KeyringStore::load_shop`] found it.
struct Loaded {
    item: ShopItem,
    /// The per-field items of the older layout to delete once the shop's item is written.
    moved: Vec<SecretField>,
    /// The shop's item as a search found it (when asked for): written back or
    /// deleted through it, without a second search of the whole keychain (each
    /// search costs the daemon time in proportion to the number of items, issue 13).
    handle: Option<keyring_core::Entry>,
}

/// Runs `again` (a call that searches afresh) when a call through a found item
/// failed in the platform layer: the item went away in between (another
/// process deleted or replaced it), which the store reports as a D-Bus failure.
fn or_search_again<T>(
    first: keyring_core::Result<T>,
    again: impl FnOnce() -> keyring_core::Result<T>,
) -> keyring_core::Result<T> {
    match first {
        Err(keyring_core::Error::PlatformFailure(_)) => again(),
        other => other,
    }
}

impl KeyringStore {
    /// The shop's item: the account is the profile name alone (a name has no `/`,
    /// so it never meets the `<profile>/<field>` accounts of the older layout).
    fn shop_entry(&self, profile: &str) -> Result<keyring_core::Entry, StoreError> {
        keyring_core::Entry::new_in_store(&self.store, &self.service, profile).map_err(map_err)
    }

    /// One search for the shop's item (the attributes the store gives an entry
    /// of this service and account, so items of every version are found).
    fn find_shop(&self, profile: &str) -> Result<Option<keyring_core::Entry>, StoreError> {
        let spec = HashMap::from([("service", self.service.as_str()), ("username", profile)]);
        let mut found =
            keyring_core::Entry::search_in_store(&self.store, &spec).map_err(map_err)?;
        if found.len() > 1 {
            return Err(StoreError::Other(format!(
                "{} keychain items for one shop",
                found.len()
            )));
        }
        Ok(found.pop())
    }

    /// The shop's item: found by one search and read through what it found
    /// (`handle`, to write it back: one more call, but not a search), or read by
    /// its name (the search and the read, two calls).
    fn read_shop(
        &self,
        profile: &str,
        handle: bool,
    ) -> Result<Option<(Option<keyring_core::Entry>, ShopItem)>, StoreError> {
        let named = self.shop_entry(profile)?;
        let (found, read) = if handle {
            let Some(found) = self.find_shop(profile)? else {
                return Ok(None);
            };
            let read = or_search_again(found.get_secret(), || named.get_secret());
            (Some(found), read)
        } else {
            (None, named.get_secret())
        };
        let bytes = match read {
            Ok(b) => zeroize::Zeroizing::new(b),
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(map_err(e)),
        };
        let parsed: BTreeMap<String, String> = serde_json::from_slice(&bytes)
            .map_err(|_| StoreError::Other("stored value is not readable".into()))?;
        // Secret::new wipes the parsed copy
        let item = parsed
            .into_iter()
            .map(|(k, v)| (k, Secret::new(v)))
            .collect();
        Ok(Some((found, item)))
    }

    /// Writes (or, when `item` is empty, deletes) the shop's item: through
    /// `handle` when a search found it, else by its name (a search, then the
    /// item written or made: keyring-core has no way to make one without that
    /// search). Without a handle an empty item means none was found: nothing to delete.
    fn write_shop(
        &self,
        profile: &str,
        item: &ShopItem,
        handle: Option<&keyring_core::Entry>,
    ) -> Result<(), StoreError> {
        if item.is_empty() {
            let Some(handle) = handle else {
                // not found by a search: nothing to delete
                return Ok(());
            };
            let named = self.shop_entry(profile)?;
            let deleted = or_search_again(handle.delete_credential(), || named.delete_credential());
            return match deleted {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(map_err(e)),
            };
        }
        let plain: BTreeMap<&str, &str> =
            item.iter().map(|(k, v)| (k.as_str(), v.expose())).collect();
        // room for the escapes up front: a growing Vec would leave unwiped copies
        let room = item.iter().map(|(k, v)| k.len() + 2 * v.expose().len() + 8);
        let mut json = zeroize::Zeroizing::new(Vec::with_capacity(room.sum::<usize>() + 2));
        serde_json::to_writer(&mut *json, &plain).map_err(|e| StoreError::Other(e.to_string()))?;
        let named = self.shop_entry(profile)?;
        match handle {
            Some(found) => or_search_again(found.set_secret(&json), || named.set_secret(&json)),
            None => named.set_secret(&json),
        }
        .map_err(map_err)
    }

    /// The fields of the older layout (one item per field) that are still there.
    fn read_legacy(&self, profile: &str) -> Result<BTreeMap<SecretField, Secret>, StoreError> {
        let mut out = BTreeMap::new();
        for f in SecretField::ALL {
            if let Some(v) = self.get_field(profile, f)? {
                out.insert(f, v);
            }
        }
        Ok(out)
    }

    /// The shop's item (one search and one read; `handle`: to be written back
    /// through, see [`Self::read_shop`]), or what the older layout holds for it
    /// (one search per field, only for a shop without an item).
    fn load_shop(&self, profile: &str, handle: bool) -> Result<Loaded, StoreError> {
        if let Some((handle, item)) = self.read_shop(profile, handle)? {
            return Ok(Loaded {
                item,
                moved: Vec::new(),
                handle,
            });
        }
        let legacy = self.read_legacy(profile)?;
        let moved = legacy.keys().copied().collect();
        let item = legacy
            .into_iter()
            .map(|(f, v)| (f.key().to_owned(), v))
            .collect();
        Ok(Loaded {
            item,
            moved,
            handle: None,
        })
    }

    /// Writes the shop's item first, then deletes the per-field items it replaces
    /// (if that fails they stay, unread: the shop's item comes first).
    fn save_shop(&self, profile: &str, loaded: &Loaded) -> Result<(), StoreError> {
        self.write_shop(profile, &loaded.item, loaded.handle.as_ref())?;
        for f in &loaded.moved {
            self.delete_field(profile, *f)?;
        }
        Ok(())
    }

    fn set_field(
        &self,
        profile: &str,
        field: SecretField,
        value: &Secret,
    ) -> Result<(), StoreError> {
        self.entry(profile, field)?
            .set_secret(value.expose().as_bytes())
            .map_err(map_err)
    }

    fn delete_field(&self, profile: &str, field: SecretField) -> Result<(), StoreError> {
        match self.entry(profile, field)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    fn get_field(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, StoreError> {
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
}

impl SecretStore for KeyringStore {
    fn set(&self, profile: &str, field: SecretField, value: &Secret) -> Result<(), StoreError> {
        self.set_many(profile, &BTreeMap::from([(field, value.clone())]))
    }

    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, StoreError> {
        if !ONE_ITEM_PER_SHOP {
            return self.get_field(profile, field);
        }
        // straight from the shop's item: `get_all` hands over only the fields
        // that travel (not the waiting key of a certificate request)
        let mut loaded = self.load_shop(profile, false)?;
        if !loaded.moved.is_empty() {
            let _ = self.save_shop(profile, &loaded);
        }
        Ok(loaded.item.remove(field.key()))
    }

    fn delete(&self, profile: &str, field: SecretField) -> Result<(), StoreError> {
        if !ONE_ITEM_PER_SHOP {
            return self.delete_field(profile, field);
        }
        let mut loaded = self.load_shop(profile, true)?;
        if loaded.item.remove(field.key()).is_none() && loaded.moved.is_empty() {
            return Ok(());
        }
        self.save_shop(profile, &loaded)
    }

    /// One search and one read for the whole shop; a shop still in the older
    /// layout is moved into its own item on the way (if that fails, the values
    /// read are returned all the same and the move is tried again next time).
    fn get_all(&self, profile: &str) -> Result<BTreeMap<SecretField, Secret>, StoreError> {
        if !ONE_ITEM_PER_SHOP {
            return self.read_legacy(profile);
        }
        let mut loaded = self.load_shop(profile, false)?;
        if !loaded.moved.is_empty() {
            let _ = self.save_shop(profile, &loaded);
        }
        Ok(SecretField::ALL
            .into_iter()
            .filter_map(|f| loaded.item.remove(f.key()).map(|v| (f, v)))
            .collect())
    }

    /// One search for the shop; an existing item is then written in place.
    fn set_many(
        &self,
        profile: &str,
        values: &BTreeMap<SecretField, Secret>,
    ) -> Result<(), StoreError> {
        if !ONE_ITEM_PER_SHOP {
            for (f, v) in values {
                self.set_field(profile, *f, v)?;
            }
            return Ok(());
        }
        let mut loaded = self.load_shop(profile, true)?;
        for (f, v) in values {
            loaded.item.insert(f.key().to_owned(), v.clone());
        }
        self.save_shop(profile, &loaded)
    }

    /// One write on Linux (the shop's item holds the new values only), so a
    /// keychain that fails keeps the old values whole.
    fn replace_all(
        &self,
        profile: &str,
        values: &BTreeMap<SecretField, Secret>,
    ) -> Result<(), StoreError> {
        if !ONE_ITEM_PER_SHOP {
            self.delete_all(profile)?;
            return self.set_many(profile, values);
        }
        if values.is_empty() {
            return self.delete_all(profile);
        }
        let item = values
            .iter()
            .map(|(f, v)| (f.key().to_owned(), v.clone()))
            .collect();
        // by name: the item is replaced whole, or made
        self.write_shop(profile, &item, None)?;
        for f in SecretField::EVERY {
            self.delete_field(profile, f)?;
        }
        Ok(())
    }

    /// Every item under our service, by the account it was stored under.
    fn shops(&self) -> Result<Vec<String>, StoreError> {
        // each platform's store takes its own search words
        let spec: std::collections::HashMap<&str, &str> = if cfg!(target_os = "windows") {
            // a regular expression over the credential's target name
            [("pattern", ".*")].into()
        } else {
            [("service", self.service.as_str())].into()
        };
        let entries = keyring_core::Entry::search_in_store(&self.store, &spec).map_err(map_err)?;
        let mut shops: Vec<String> = entries
            .iter()
            .filter_map(|e| e.get_specifiers())
            .filter(|(service, _)| *service == self.service)
            .map(|(_, account)| shop_of_account(&account).to_owned())
            .collect();
        shops.sort();
        shops.dedup();
        Ok(shops)
    }

    /// The shop's item and any per-field item left from the older layout.
    fn delete_all(&self, profile: &str) -> Result<(), StoreError> {
        if ONE_ITEM_PER_SHOP {
            let handle = self.find_shop(profile)?;
            self.write_shop(profile, &ShopItem::new(), handle.as_ref())?;
        }
        for f in SecretField::EVERY {
            self.delete_field(profile, f)?;
        }
        Ok(())
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

    fn shops(&self) -> Result<Vec<String>, StoreError> {
        let mut shops: Vec<String> = self
            .check()?
            .values
            .keys()
            .map(|a| shop_of_account(a).to_owned())
            .collect();
        shops.sort();
        shops.dedup();
        Ok(shops)
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

    /// A call through an item a search found is made again by name when the
    /// item went away in between (the store says so with a platform failure:
    /// "Object does not exist at path"), and only then.
    #[test]
    fn a_vanished_item_is_searched_again_and_only_then() {
        let gone = || keyring_core::Error::PlatformFailure("Object does not exist at path".into());
        let mut again = 0;
        assert_eq!(
            or_search_again(Err(gone()), || {
                again += 1;
                Ok(7)
            })
            .unwrap(),
            7
        );
        assert_eq!(again, 1);
        let mut called = false;
        assert_eq!(
            or_search_again(Ok(1), || {
                called = true;
                Ok(2)
            })
            .unwrap(),
            1
        );
        assert!(matches!(
            or_search_again::<()>(Err(keyring_core::Error::NoEntry), || {
                called = true;
                Ok(())
            }),
            Err(keyring_core::Error::NoEntry)
        ));
        assert!(matches!(
            or_search_again::<()>(
                Err(keyring_core::Error::NoStorageAccess("locked".into())),
                || {
                    called = true;
                    Ok(())
                }
            ),
            Err(keyring_core::Error::NoStorageAccess(_))
        ));
        assert!(!called, "a refusal or an answer is not searched again");
    }

    #[test]
    fn shops_are_listed_once_each_by_name() {
        let s = MemoryStore::new();
        let v = Secret::new("0123456789abcdef0123456789abcdef");
        s.set("店B", SecretField::MpAppSecret, &v).unwrap();
        s.set("店B", SecretField::ApiKeyV2, &v).unwrap();
        s.set("a", SecretField::PendingPrivateKey, &v).unwrap();
        assert_eq!(s.shops().unwrap(), ["a", "店B"]);
        s.replace_all("店B", &BTreeMap::from([(SecretField::ApiKeyV3, v.clone())]))
            .unwrap();
        assert_eq!(
            s.get_all("店B").unwrap().into_keys().collect::<Vec<_>>(),
            [SecretField::ApiKeyV3]
        );
    }

    #[test]
    fn accounts_are_profile_slash_field() {
        assert_eq!(account("店A", SecretField::ApiKeyV2), "店A/api_key_v2");
    }
}
