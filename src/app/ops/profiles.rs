//! Operations on whole profiles, keychain entries included: list, show, delete,
//! rename, duplicate, doctor. Each holds the locks of the shops it writes and
//! writes the new state before removing the old, so a failure halfway loses
//! nothing; a new shop's profile is written before its secrets and a deleted
//! shop's secrets go before its profile, so no secret is ever left without a
//! profile that owns it. `doctor` finds (and with `fix` removes) what earlier
//! versions or killed commands left: keychain entries of shops with no profile,
//! stale temp files and lock files, and what a killed `cert save` or export
//! left in the user's folder it noted (`ProfileStore::note_write`).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Ctx, OpError, load_profile, load_secrets};
use crate::app::rules::{self, Secrets};
use crate::domain::problem::Problem;
use crate::domain::profile::{
    Profile, SecretField, check_profile_name, check_stored_name, normalize_profile_name,
};
pub use crate::services::profile_store::Leftover;
use crate::services::profile_store::{ProfileRepo, ShopLock};
use crate::services::secret_store::StoreError;

/// `name`, or `name (2)`, `name (3)`, ...: the first that is free (no shop
/// has it, letter case and Unicode form aside: see [`ProfileRepo::taken`]).
pub fn free_name(profiles: &dyn ProfileRepo, name: &str) -> String {
    if profiles.taken(name).is_none() {
        return name.to_owned();
    }
    (2..)
        .map(|n| format!("{name} ({n})"))
        .find(|n| profiles.taken(n).is_none())
        .unwrap_or_default()
}

/// A valid name that no profile has yet, as it is kept (trimmed, NFC); a shop
/// whose name differs only in letter case or Unicode form has it already.
pub fn check_new_name(ctx: &Ctx, to: &str) -> Result<String, OpError> {
    check_profile_name(to).map_err(OpError::BadName)?;
    let to = normalize_profile_name(to);
    if let Some(taken) = ctx.profiles.taken(&to) {
        return Err(OpError::NameTaken(taken));
    }
    Ok(to)
}

/// One stored profile; `None` when its file is damaged.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub profile: Option<Profile>,
    /// Its remembered results, judged against its secrets as the window
    /// judges them (a result whose values changed since is "stale"); `None`
    /// when the file is damaged or the keychain could not be read.
    pub checks: Option<crate::domain::wxapi::Tally>,
}

pub fn list(ctx: &Ctx) -> Result<Vec<Listed>, OpError> {
    Ok(ctx
        .profiles
        .list()?
        .into_iter()
        .map(|name| {
            let profile = ctx.profiles.load(&name).ok();
            // the keychain only for a shop that has results to judge
            let checks = profile.as_ref().and_then(|p| {
                crate::app::profiles::row(
                    p,
                    if crate::app::profiles::has_results(p) {
                        super::load_secrets(ctx, &name).ok()
                    } else {
                        None
                    }
                    .as_ref(),
                    crate::app::now(),
                )
                .checks
            });
            Listed {
                profile,
                checks,
                name,
            }
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

/// The locks of two shops, always taken in the same order (two renames the
/// other way round never hold one each).
fn lock_two(ctx: &Ctx, a: &str, b: &str) -> Result<Vec<ShopLock>, OpError> {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    let mut held = vec![ctx.lock(first)?];
    if second != first {
        held.push(ctx.lock(second)?);
    }
    Ok(held)
}

/// Copies `from` to `to` (profile file and keychain entries); never overwrites.
pub fn duplicate(ctx: &Ctx, from: &str, to: &str) -> Result<(), OpError> {
    let _locks = lock_two(ctx, from, to)?;
    copy(ctx, from, to, CopyOf::NewShop)
}

/// What a copy is: another shop (never sent anywhere), or the same one renamed.
#[derive(PartialEq)]
enum CopyOf {
    NewShop,
    Renamed,
}

/// [`duplicate`], with both locks held by the caller.
fn copy(ctx: &Ctx, from: &str, to: &str, what: CopyOf) -> Result<(), OpError> {
    // `a` renamed `A` would be one file on Windows: copied onto itself, then deleted
    if let Some(taken) = ctx.profiles.taken(to) {
        return Err(OpError::NameTaken(taken));
    }
    let mut p = load_profile(ctx, from)?;
    let secrets = load_secrets(ctx, from)?;
    p.name = to.to_owned();
    if what == CopyOf::NewShop {
        // the copy's backend holds nothing of it yet (trial 2 Major 1: a copy
        // said "sent to likeadmin" for another shop's push)
        p.last_push = None;
    }
    ctx.save_new_shop(&p, &secrets)
}

/// Renames: the copy first, then the original goes.
pub fn rename(ctx: &Ctx, from: &str, to: &str) -> Result<(), OpError> {
    let _locks = lock_two(ctx, from, to)?;
    copy(ctx, from, to, CopyOf::Renamed)?;
    // a waiting certificate request moves with its key (a copy does not get it)
    ctx.with_keychain(|k| match k.get(from, SecretField::PendingPrivateKey)? {
        Some(key) => k.set(to, SecretField::PendingPrivateKey, &key),
        None => Ok(()),
    })?;
    ctx.with_keychain(|k| k.delete_all(from))?;
    Ok(ctx.profiles.delete(from)?)
}

/// What a delete removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deleted {
    /// There was a profile file.
    pub profile: bool,
    /// There were keychain entries (when there was no profile: left by a
    /// killed command or an older version, now gone).
    pub secrets: bool,
}

/// Deletes: keychain entries first (a profile file without secrets is harmless,
/// secrets without a profile would be forgotten in the keychain). A name with
/// no profile but keychain entries loses those; with neither, it is
/// [`OpError::NoSuchProfile`].
pub fn delete(ctx: &Ctx, name: &str) -> Result<Deleted, OpError> {
    let _lock = ctx.lock(name)?;
    let profile = ctx.profiles.exists(name);
    let secrets = if profile {
        true
    } else {
        ctx.with_keychain(|k| Ok(k.shops()?.iter().any(|s| s == name)))?
    };
    if !profile && !secrets {
        return Err(OpError::NoSuchProfile(name.to_owned()));
    }
    ctx.with_keychain(|k| k.delete_all(name))?;
    ctx.profiles.delete(name)?;
    Ok(Deleted { profile, secrets })
}

/// A shop with keychain entries whose profile file is there but cannot be
/// read: the entries under the profiles folder that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub name: String,
    /// Their paths.
    pub entries: Vec<String>,
}

/// What `doctor` found that no shop owns.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checkup {
    /// Shops with keychain entries and no profile.
    pub orphaned_secrets: Vec<String>,
    /// Shops with keychain entries whose file is there but unreadable (a
    /// dangling link, a folder, a file renamed by hand): damaged, not touched.
    pub damaged_not_touched: Vec<Kept>,
    /// Stale temp files and lock files of shops that are gone.
    pub leftover_files: Vec<Leftover>,
    /// Whether they were removed (`fix`).
    pub fixed: bool,
}

impl Checkup {
    pub fn is_clean(&self) -> bool {
        self.orphaned_secrets.is_empty()
            && self.leftover_files.is_empty()
            && self.damaged_not_touched.is_empty()
    }
}

/// Finds keychain entries with no profile, stale temp files and unused lock
/// files; with `fix`, removes them (each orphan under its shop's lock, checked
/// again there: an import under way owns what it wrote).
pub fn doctor(ctx: &Ctx, fix: bool) -> Result<Checkup, OpError> {
    // what was there before this run: a lock file left by an earlier run is
    // counted when removed, only the ones this run takes below are not
    let before = if fix {
        ctx.profiles.leftovers(false)
    } else {
        Vec::new()
    };
    let mut orphaned = Vec::new();
    let mut kept = Vec::new();
    for name in ctx.with_keychain(|k| k.shops())? {
        // a name that cannot be a shop (another program's item) is not ours to judge
        if check_stored_name(&name).is_err() || ctx.profiles.exists(&name) {
            continue;
        }
        // a file that names the shop but cannot be read (an unmounted drive's
        // link, a folder, a file renamed by hand): the shop is there, damaged
        let entries = ctx.profiles.entries_naming(&name);
        if !entries.is_empty() {
            kept.push(Kept { name, entries });
            continue;
        }
        if fix {
            let _lock = ctx.lock(&name)?;
            if ctx.profiles.exists(&name) || !ctx.profiles.entries_naming(&name).is_empty() {
                continue;
            }
            ctx.with_keychain(|k| k.delete_all(&name))?;
        }
        orphaned.push(name);
    }
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    // the lock files taken above for the orphans go too, unreported (after the
    // orphans, so they are found)
    let own_lock = |l: &Leftover| {
        let Leftover::LockFile(path) = l else {
            return false;
        };
        let file = std::path::Path::new(path).file_name();
        orphaned
            .iter()
            .any(|n| file == Some(std::ffi::OsStr::new(&format!("{n}.lock"))))
    };
    let mut leftover_files: Vec<Leftover> = ctx
        .profiles
        .leftovers(fix)
        .into_iter()
        .filter(|l| !(fix && own_lock(l) && !before.contains(l)))
        .collect();
    // an earlier run's lock file of an orphan went already, when this run's
    // own lock on it was released (a lock file goes with a name no shop has)
    for l in before {
        let gone = !std::path::Path::new(l.path()).exists();
        if matches!(l, Leftover::LockFile(_)) && gone && !leftover_files.contains(&l) {
            leftover_files.push(l);
        }
    }
    Ok(Checkup {
        orphaned_secrets: orphaned,
        damaged_not_touched: kept,
        leftover_files,
        fixed: fix,
    })
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
