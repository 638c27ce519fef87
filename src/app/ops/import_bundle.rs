//! Import a bundle written by "export": the passphrase is checked first; then,
//! with the lock of a free name held, the profile is saved and the secrets go to
//! the keychain (replacing whatever an earlier shop of that name left there).
//! A keychain failure removes the profile again: nothing is written; a kill in
//! between leaves a profile without secrets, never secrets no profile owns.
//! The window's worker and `profile import-bundle` both run this.

use std::path::Path;

use serde::Serialize;

use super::Ctx;
use super::profiles::free_name;
use crate::domain::bundle::BundleReadError;
use crate::domain::problem::Problem;
use crate::domain::profile::{SecretField, check_profile_name};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};
use crate::services::profile_store::StorageError;
use crate::services::secret_store::StoreError;

/// What was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleImported {
    /// The name it was saved under (`name (2)` when the name was taken).
    pub name: String,
    /// Where the profile is kept.
    pub location: String,
    /// The secrets stored in the keychain.
    pub secrets: Vec<SecretField>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportBundleError {
    #[error(transparent)]
    Read(#[from] BundleReadError),
    #[error("bad name")]
    BadName(Problem),
    /// The name asked for (`--name`) is a shop already: never replaced, and
    /// never quietly saved under another name the caller did not choose.
    #[error("a shop named {0:?} exists")]
    NameTaken(String),
    #[error(transparent)]
    Keychain(#[from] StoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ImportBundleError {
    /// The user's input is wrong (exit 2 on the command line), not the world.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ImportBundleError::BadName(_) | ImportBundleError::NameTaken(_)
        )
    }
}

impl Message for ImportBundleError {
    fn key(&self) -> String {
        match self {
            ImportBundleError::Read(e) => e.key(),
            ImportBundleError::BadName(p) => p.key(),
            ImportBundleError::NameTaken(_) => "cli.bundle_name_taken".into(),
            ImportBundleError::Keychain(e) => e.key(),
            ImportBundleError::Storage(e) => e.key(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ImportBundleError::Read(e) => e.args(),
            ImportBundleError::BadName(p) => Message::args(p),
            ImportBundleError::NameTaken(n) => vec![("name", n.as_str().into())],
            ImportBundleError::Keychain(e) => e.args(),
            ImportBundleError::Storage(e) => Message::args(e),
        }
    }
}

/// Whether the bundle holds encrypted secrets (so the caller asks for the passphrase).
pub fn needs_passphrase(path: &Path) -> Result<bool, BundleReadError> {
    crate::services::files::bundle_needs_passphrase(path)
}

/// Imports the bundle at `path`, under `name` when given (else the bundle's own).
pub fn import_bundle(
    ctx: &Ctx,
    path: &Path,
    passphrase: Option<&Secret>,
    name: Option<&str>,
) -> Result<BundleImported, ImportBundleError> {
    let b = crate::services::files::read_bundle_file(path, passphrase)?;
    let wanted = name
        .map(str::to_owned)
        .unwrap_or_else(|| b.profile.name.clone());
    check_profile_name(&wanted).map_err(ImportBundleError::BadName)?;
    if let Some(asked) = name {
        let asked = asked.trim().to_owned();
        let lock = ctx.lock(&asked)?;
        if ctx.profiles.exists(&asked) {
            return Err(ImportBundleError::NameTaken(asked));
        }
        return save_bundle_shop(ctx, b, asked, lock);
    }
    // a free name, still free once its lock is held (another import may take it)
    let (name, lock) = loop {
        let name = free_name(ctx.profiles.as_ref(), wanted.trim());
        let lock = ctx.lock(&name)?;
        if !ctx.profiles.exists(&name) {
            break (name, lock);
        }
    };
    save_bundle_shop(ctx, b, name, lock)
}

/// Saves the bundle's shop under `name`, whose lock the caller holds.
fn save_bundle_shop(
    ctx: &Ctx,
    mut b: crate::domain::bundle::ImportedBundle,
    name: String,
    _lock: crate::services::profile_store::ShopLock,
) -> Result<BundleImported, ImportBundleError> {
    b.profile.name = name.clone();
    crate::app::profiles::place_bundle_mapping(ctx.profiles.as_ref(), &mut b)?;
    ctx.save_new_shop(&b.profile, &b.secrets)
        .map_err(|e| match e {
            super::OpError::Keychain(e) => ImportBundleError::Keychain(e),
            super::OpError::Storage(e) => ImportBundleError::Storage(e),
            other => ImportBundleError::Storage(StorageError::Write {
                path: ctx.profiles.location(&name),
                reason: other.to_string(),
            }),
        })?;
    Ok(BundleImported {
        location: ctx.profiles.location(&name),
        secrets: b.secrets.keys().copied().collect(),
        name,
    })
}
