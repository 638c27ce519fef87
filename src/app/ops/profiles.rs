//! Operations on whole profiles, keychain entries included: list, show, delete,
//! rename, duplicate. Each writes the new state before removing the old, so a
//! failure halfway loses nothing.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Ctx, OpError, load_profile, load_secrets};
use crate::app::rules::{self, Secrets};
use crate::domain::problem::Problem;
use crate::domain::profile::{Profile, SecretField, check_profile_name};
use crate::services::profile_store::ProfileRepo;
use crate::services::secret_store::StoreError;

/// `name`, or `name (2)`, `name (3)`, ...: the first that is free.
pub fn free_name(profiles: &dyn ProfileRepo, name: &str) -> String {
    if !profiles.exists(name) {
        return name.to_owned();
    }
    (2..)
        .map(|n| format!("{name} ({n})"))
        .find(|n| !profiles.exists(n))
        .unwrap_or_default()
}

/// A valid name that no profile has yet (trimmed).
pub fn check_new_name(ctx: &Ctx, to: &str) -> Result<String, OpError> {
    check_profile_name(to).map_err(OpError::BadName)?;
    let to = to.trim().to_owned();
    if ctx.profiles.exists(&to) {
        return Err(OpError::NameTaken(to));
    }
    Ok(to)
}

/// One stored profile; `None` when its file is damaged.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub profile: Option<Profile>,
}

pub fn list(ctx: &Ctx) -> Result<Vec<Listed>, OpError> {
    Ok(ctx
        .profiles
        .list()?
        .into_iter()
        .map(|name| Listed {
            profile: ctx.profiles.load(&name).ok(),
            name,
        })
        .collect())
}

/// One profile as `profile show` tells it: its values, which secrets are set,
/// and what is still missing.
#[derive(Debug, Serialize)]
pub struct Shown {
    pub profile: Profile,
    /// The fields that have a secret, or why the keychain could not say.
    #[serde(serialize_with = "secrets_or_error")]
    pub secrets: Result<BTreeSet<SecretField>, StoreError>,
    pub missing: Vec<Problem>,
}

/// `{"set": [fields]}`, or `{"keychain_error": code}` when the keychain did not answer.
fn secrets_or_error<S: serde::Serializer>(
    r: &Result<BTreeSet<SecretField>, StoreError>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(1))?;
    match r {
        Ok(set) => m.serialize_entry("set", set)?,
        Err(e) => m.serialize_entry("keychain_error", e.code())?,
    }
    m.end()
}

pub fn show(ctx: &Ctx, name: &str) -> Result<Shown, OpError> {
    let profile = load_profile(ctx, name)?;
    let secrets = load_secrets(ctx, name);
    let missing = rules::all_missing(
        &profile,
        secrets.as_ref().unwrap_or(&Secrets::new()),
        time::OffsetDateTime::now_utc(),
    )
    .into_iter()
    .map(|m| m.problem)
    .collect();
    Ok(Shown {
        profile,
        secrets: secrets.map(|s| s.into_keys().collect()),
        missing,
    })
}

/// Copies `from` to `to` (profile file and keychain entries); never overwrites.
pub fn duplicate(ctx: &Ctx, from: &str, to: &str) -> Result<(), OpError> {
    if ctx.profiles.exists(to) {
        return Err(OpError::NameTaken(to.to_owned()));
    }
    let mut p = ctx.profiles.load(from)?;
    let secrets = load_secrets(ctx, from)?;
    p.name = to.to_owned();
    ctx.store_secrets(to, &secrets)?;
    Ok(ctx.profiles.save(&p)?)
}

/// Renames: the copy first, then the original goes.
pub fn rename(ctx: &Ctx, from: &str, to: &str) -> Result<(), OpError> {
    duplicate(ctx, from, to)?;
    // a waiting certificate request moves with its key (a copy does not get it)
    ctx.with_keychain(|k| match k.get(from, SecretField::PendingPrivateKey)? {
        Some(key) => k.set(to, SecretField::PendingPrivateKey, &key),
        None => Ok(()),
    })?;
    ctx.with_keychain(|k| k.delete_all(from))?;
    Ok(ctx.profiles.delete(from)?)
}

/// Deletes: keychain entries first (a profile file without secrets is harmless,
/// secrets without a profile would be forgotten in the keychain).
pub fn delete(ctx: &Ctx, name: &str) -> Result<(), OpError> {
    ctx.with_keychain(|k| k.delete_all(name))?;
    Ok(ctx.profiles.delete(name)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::{fake_ctx, shop};

    #[test]
    fn rename_duplicate_delete_carry_the_secrets() {
        let (ctx, f) = fake_ctx();
        shop(&f, "a");

        duplicate(&ctx, "a", "b").unwrap();
        assert_eq!(ctx.profiles.load("b").unwrap().mchid, "1900006031");
        assert!(f.keychain.peek("b", SecretField::ApiKeyV2).is_some());
        assert!(
            matches!(duplicate(&ctx, "a", "b"), Err(OpError::NameTaken(_))),
            "never overwrites"
        );

        rename(&ctx, "b", "c").unwrap();
        assert!(!ctx.profiles.exists("b") && ctx.profiles.exists("c"));
        assert!(f.keychain.peek("b", SecretField::ApiKeyV2).is_none());
        assert!(f.keychain.peek("c", SecretField::ApiKeyV2).is_some());

        // a keychain failure stops a delete before anything is removed
        f.keychain
            .set_failure(Some(StoreError::Denied("locked".into())));
        assert!(matches!(delete(&ctx, "c"), Err(OpError::Keychain(_))));
        assert!(ctx.profiles.exists("c"));
        f.keychain.set_failure(None);
        delete(&ctx, "c").unwrap();
        assert!(!ctx.profiles.exists("c"));
        assert!(f.keychain.peek("c", SecretField::ApiKeyV2).is_none());
        assert_eq!(list(&ctx).unwrap().len(), 1);
    }

    #[test]
    fn free_names_count_up() {
        let (ctx, _) = fake_ctx();
        assert_eq!(free_name(ctx.profiles.as_ref(), "店"), "店");
        ctx.profiles.save(&Profile::new("店")).unwrap();
        ctx.profiles.save(&Profile::new("店 (2)")).unwrap();
        assert_eq!(free_name(ctx.profiles.as_ref(), "店"), "店 (3)");
        assert!(matches!(check_new_name(&ctx, " 店 "), Err(OpError::NameTaken(n)) if n == "店"));
        assert!(matches!(
            check_new_name(&ctx, "a/b"),
            Err(OpError::BadName(_))
        ));
    }
}
