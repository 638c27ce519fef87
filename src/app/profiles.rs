//! Operations on whole profiles, keychain entries included. Each writes the new
//! state before removing the old, so a failure halfway loses nothing.

use std::collections::BTreeMap;

use crate::domain::profile::{Profile, SecretField, SiteKind, Step};
use crate::domain::secret::Secret;
use crate::services::profile_store::ProfileStore;
use crate::services::secret_store::SecretStore;

/// `name`, or `name (2)`, `name (3)`, ...: the first that is free.
pub fn free_name(store: &ProfileStore, name: &str) -> String {
    if !store.exists(name) {
        return name.to_owned();
    }
    (2..)
        .map(|n| format!("{name} ({n})"))
        .find(|n| !store.exists(n))
        .unwrap_or_default()
}

/// One line of the start page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    pub name: String,
    pub site_kind: Option<SiteKind>,
    pub step: Step,
    pub checks_ok: usize,
    pub checks_run: usize,
    pub cert_not_after: Option<String>,
    /// Days until the certificate expires (negative: expired).
    pub cert_days_left: Option<i64>,
    pub damaged: bool,
}

pub fn rows(store: &ProfileStore, now: time::OffsetDateTime) -> Vec<ProfileRow> {
    store
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|name| match store.load(&name) {
            Ok(p) => row(&p, now),
            Err(_) => ProfileRow {
                name,
                site_kind: None,
                step: Step::Prerequisite,
                checks_ok: 0,
                checks_run: 0,
                cert_not_after: None,
                cert_days_left: None,
                damaged: true,
            },
        })
        .collect()
}

pub fn row(p: &Profile, now: time::OffsetDateTime) -> ProfileRow {
    let not_after = p.certificate.as_ref().map(|c| c.not_after.clone());
    let days = not_after.as_deref().and_then(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| (t - now).whole_days())
    });
    ProfileRow {
        name: p.name.clone(),
        site_kind: p.site_kind,
        step: p.step,
        checks_ok: p
            .checks
            .values()
            .filter(|r| r.outcome.status == crate::domain::wxapi::Status::Ok)
            .count(),
        checks_run: p.checks.len(),
        cert_not_after: not_after,
        cert_days_left: days,
        damaged: false,
    }
}

fn secrets_of(
    keychain: &dyn SecretStore,
    name: &str,
) -> Result<BTreeMap<SecretField, Secret>, String> {
    keychain.get_all(name).map_err(|e| e.to_string())
}

/// Copies `from` to `to` (profile file and keychain entries).
pub fn duplicate(
    store: &ProfileStore,
    keychain: &dyn SecretStore,
    from: &str,
    to: &str,
) -> Result<(), String> {
    if store.exists(to) {
        return Err(format!("{to} exists"));
    }
    let mut p = store.load(from).map_err(|e| e.to_string())?;
    let secrets = secrets_of(keychain, from)?;
    p.name = to.to_owned();
    keychain.set_many(to, &secrets).map_err(|e| e.to_string())?;
    store.save(&p).map_err(|e| e.to_string())
}

/// Renames: the copy first, then the original goes.
pub fn rename(
    store: &ProfileStore,
    keychain: &dyn SecretStore,
    from: &str,
    to: &str,
) -> Result<(), String> {
    duplicate(store, keychain, from, to)?;
    keychain.delete_all(from).map_err(|e| e.to_string())?;
    store.delete(from).map_err(|e| e.to_string())
}

/// Deletes: keychain entries first (a profile file without secrets is harmless,
/// secrets without a profile would be forgotten in the keychain).
pub fn delete(store: &ProfileStore, keychain: &dyn SecretStore, name: &str) -> Result<(), String> {
    keychain.delete_all(name).map_err(|e| e.to_string())?;
    store.delete(name).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::secret_store::MemoryStore;

    #[test]
    fn rename_duplicate_delete_carry_the_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        let keychain = MemoryStore::new();
        let mut p = Profile::new("a");
        p.mchid = "1900006031".into();
        store.save(&p).unwrap();
        keychain
            .set("a", SecretField::ApiKeyV2, &Secret::new("k"))
            .unwrap();

        duplicate(&store, &keychain, "a", "b").unwrap();
        assert_eq!(store.load("b").unwrap().mchid, "1900006031");
        assert!(keychain.peek("b", SecretField::ApiKeyV2).is_some());
        assert!(
            duplicate(&store, &keychain, "a", "b").is_err(),
            "never overwrites"
        );

        rename(&store, &keychain, "b", "c").unwrap();
        assert!(!store.exists("b") && store.exists("c"));
        assert!(keychain.peek("b", SecretField::ApiKeyV2).is_none());
        assert!(keychain.peek("c", SecretField::ApiKeyV2).is_some());

        // a keychain failure stops a delete before anything is removed
        keychain.set_failure(Some(crate::services::secret_store::StoreError::Denied(
            "locked".into(),
        )));
        assert!(delete(&store, &keychain, "c").is_err());
        assert!(store.exists("c"));
        keychain.set_failure(None);
        delete(&store, &keychain, "c").unwrap();
        assert!(!store.exists("c") && keychain.peek("c", SecretField::ApiKeyV2).is_none());
        assert_eq!(rows(&store, time::OffsetDateTime::now_utc()).len(), 1);
    }
}
