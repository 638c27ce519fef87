//! Applying for the API certificate inside the app (issue 11): `request` makes
//! the key and the request string, puts the key straight into the keychain (as
//! `PendingPrivateKey`) and remembers the request in the profile, so closing the
//! app while the merchant platform asks for an SMS loses nothing; `accept` takes
//! the certificate string the platform answered with, checks it against that
//! key and stores both exactly as a WXCertUtil zip import does; `save_files`
//! writes the folder WXCertUtil would have left (only where the user says).
//! The waiting key is the truth: a request string that does not fit it (a
//! process killed between storing the key and saving the request) is rebuilt
//! from it wherever a waiting request is shown or used.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Ctx, OpError, load_profile};
use crate::domain::cert::CertSummary;
use crate::domain::cert::request::{self, PendingRequest, RequestError};
use crate::domain::cert::wxcertutil::{self, CertFilesError};
use crate::domain::profile::SecretField;
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message, Tr};
use crate::services::secret_store::StoreError;

/// Where an accepted certificate came from (the summary's `source`).
pub const SOURCE: &str = "certificate request";

/// A request waiting for the platform's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requested {
    pub mchid: String,
    pub company: String,
    /// The usual form: PEM.
    pub request_pem: String,
    /// The other form: bare base64 of the DER, one line.
    pub request_base64: String,
    /// RFC 3339.
    pub created_at: String,
    /// `false`: an earlier request was still waiting and is shown again.
    pub new: bool,
}

/// Why a request was not made or a certificate not accepted.
#[derive(Debug, thiserror::Error)]
pub enum CertOpError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The profile has no merchant number yet.
    #[error("no merchant number")]
    NoMchid,
    /// No company name given and none known.
    #[error("no company")]
    NoCompany,
    /// `accept` without a request waiting.
    #[error("no pending request")]
    NoPending,
    /// The request is remembered but its key is gone from the keychain.
    #[error("pending key missing")]
    PendingKeyMissing,
    /// Accepting would replace the shop's private key, which may exist nowhere
    /// else (made in the app): save it first, or say so (`--discard-key`).
    #[error("accepting would replace the private key")]
    WouldDropKey,
    /// The WXCertUtil-style files cannot be made (no certificate or key).
    #[error(transparent)]
    Files(#[from] CertFilesError),
    /// The folder is there already: nothing is overwritten.
    #[error("folder exists: {0}")]
    FolderExists(String),
    /// Where the folder should go there is a file: nothing was written.
    #[error("not a folder: {0}")]
    NotAFolder(String),
    /// The folder could not be made: nothing was written.
    #[error("cannot make {path}: {reason}")]
    MakeFolder { path: String, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

impl From<StoreError> for CertOpError {
    fn from(e: StoreError) -> Self {
        CertOpError::Op(OpError::Keychain(e))
    }
}

impl From<crate::services::profile_store::StorageError> for CertOpError {
    fn from(e: crate::services::profile_store::StorageError) -> Self {
        CertOpError::Op(OpError::Storage(e))
    }
}

impl CertOpError {
    /// Stable code for `--json`.
    pub fn code(&self) -> &'static str {
        match self {
            CertOpError::Op(e) => e.code(),
            CertOpError::Request(e) => e.code(),
            CertOpError::NoMchid => "no_mchid",
            CertOpError::NoCompany => "no_company",
            CertOpError::NoPending => "no_pending",
            CertOpError::PendingKeyMissing => "pending_key_missing",
            CertOpError::WouldDropKey => "would_drop_key",
            CertOpError::Files(CertFilesError::NoCertificate) => "no_certificate",
            CertOpError::Files(CertFilesError::NoKey) => "no_key",
            CertOpError::Files(CertFilesError::P12(_)) => "p12",
            CertOpError::FolderExists(_) => "folder_exists",
            CertOpError::NotAFolder(_) => "not_a_folder",
            CertOpError::MakeFolder { .. } => "make_folder_failed",
            CertOpError::Write { .. } => "write_failed",
        }
    }
}

impl Message for CertOpError {
    fn key(&self) -> String {
        match self {
            CertOpError::Op(e) => e.key(),
            CertOpError::Request(e) => e.key(),
            CertOpError::NoMchid => "cert_request.no_mchid".into(),
            CertOpError::NoCompany => "cert_request.no_company".into(),
            CertOpError::NoPending => "cert_request.no_pending".into(),
            CertOpError::PendingKeyMissing => "cert_request.pending_key_missing".into(),
            CertOpError::WouldDropKey => "cert_request.would_drop_key".into(),
            CertOpError::Files(e) => e.key(),
            CertOpError::FolderExists(_) => "cert_files.exists".into(),
            CertOpError::NotAFolder(_) => "cert_files.not_a_folder".into(),
            CertOpError::MakeFolder { .. } => "cert_files.make_folder".into(),
            CertOpError::Write { .. } => "cert_files.write".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            CertOpError::Op(e) => e.args(),
            CertOpError::Request(e) => e.args(),
            CertOpError::Files(e) => e.args(),
            CertOpError::FolderExists(path) | CertOpError::NotAFolder(path) => {
                vec![("path", path.as_str().into())]
            }
            CertOpError::Write { path, reason } | CertOpError::MakeFolder { path, reason } => vec![
                ("path", path.as_str().into()),
                ("reason", reason.as_str().into()),
            ],
            _ => Vec::new(),
        }
    }
}

/// Makes a request for profile `name`, or shows the one still waiting (unless
/// `start_over`, which replaces it and its key). The company comes from
/// `company`, else from the waiting request or the current certificate.
pub fn request(
    ctx: &Ctx,
    name: &str,
    company: Option<&str>,
    start_over: bool,
) -> Result<Requested, CertOpError> {
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut profile = load_profile(ctx, name)?;
    let mchid = profile.mchid.trim().to_owned();
    if mchid.is_empty() {
        return Err(CertOpError::NoMchid);
    }
    if profile.pending_cert_request.is_some()
        && !start_over
        && let Some(key) = ctx.with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))?
    {
        let p = matching_request(ctx, &mut profile, &key)?;
        return Ok(requested(&mchid, &p, false));
    }
    let company = company
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            profile
                .pending_cert_request
                .as_ref()
                .map(|p| p.company.clone())
        })
        .or_else(|| profile.certificate.as_ref().and_then(|c| c.company.clone()))
        .filter(|c| !c.trim().is_empty())
        .ok_or(CertOpError::NoCompany)?;
    let made = request::new_request(&mchid, &company)?;
    // the key first: a request whose key was not stored is worth nothing
    ctx.with_keychain(|k| k.set(name, SecretField::PendingPrivateKey, &made.private_key))?;
    let pending = PendingRequest {
        csr_pem: made.csr_pem,
        company,
        created_at: crate::app::now_rfc3339(),
    };
    profile.pending_cert_request = Some(pending.clone());
    profile.updated_at = crate::app::now_rfc3339();
    ctx.profiles.save(&profile)?;
    Ok(requested(&mchid, &pending, true))
}

/// The request waiting for profile `name`, made to match its waiting key (see
/// [`matching_request`]); `None` when none waits or its key is gone. For a
/// face that shows a waiting request without making one (the window's reopen).
pub fn waiting(ctx: &Ctx, name: &str) -> Result<Option<Requested>, CertOpError> {
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut profile = load_profile(ctx, name)?;
    if profile.pending_cert_request.is_none() {
        return Ok(None);
    }
    let Some(key) = ctx.with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))? else {
        return Ok(None);
    };
    let p = matching_request(ctx, &mut profile, &key)?;
    Ok(Some(requested(profile.mchid.trim(), &p, false)))
}

/// The waiting request, made to match the waiting key. The key is stored
/// before the request is saved, so a process killed in between leaves an older
/// request string beside a newer key; the key is the truth: the request is
/// rebuilt from it (same company) and saved, so a request shown always fits.
fn matching_request(
    ctx: &Ctx,
    profile: &mut crate::domain::profile::Profile,
    key: &Secret,
) -> Result<PendingRequest, CertOpError> {
    let Some(p) = profile.pending_cert_request.as_mut() else {
        return Err(CertOpError::NoPending);
    };
    if request::csr_matches_key(&p.csr_pem, key) {
        return Ok(p.clone());
    }
    p.csr_pem = request::csr_for_key(key, profile.mchid.trim(), &p.company)?;
    let p = p.clone();
    profile.updated_at = crate::app::now_rfc3339();
    ctx.profiles.save(profile)?;
    Ok(p)
}

fn requested(mchid: &str, p: &PendingRequest, new: bool) -> Requested {
    Requested {
        mchid: mchid.to_owned(),
        company: p.company.clone(),
        request_base64: request::csr_base64(&p.csr_pem),
        request_pem: p.csr_pem.clone(),
        created_at: p.created_at.clone(),
        new,
    }
}

/// An accepted certificate: what the profile now shows, and the key (now the
/// profile's `PrivateKey`) for the window to hold like a zip import's.
#[derive(Debug)]
pub struct Accepted {
    pub summary: CertSummary,
    pub private_key: Secret,
}

/// Takes the certificate string for the waiting request of profile `name`:
/// checked against the waiting key, then stored like a zip import (key as
/// `PrivateKey`, summary as the profile's certificate); the request is cleared.
/// A private key the shop holds already (a request made here leaves its only
/// copy in the keychain) is not replaced unless `discard_old_key`: the same
/// rule as `profile import --replace` ([`CertOpError::WouldDropKey`]).
pub fn accept(
    ctx: &Ctx,
    name: &str,
    text: &str,
    discard_old_key: bool,
) -> Result<Accepted, CertOpError> {
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut profile = load_profile(ctx, name)?;
    if profile.pending_cert_request.is_none() {
        return Err(CertOpError::NoPending);
    }
    let key = ctx
        .with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))?
        .ok_or(CertOpError::PendingKeyMissing)?;
    matching_request(ctx, &mut profile, &key)?;
    let mut imported = request::accept_certificate(text, &key, profile.mchid.trim())?;
    imported.summary.source = SOURCE.to_owned();
    let private_key = imported.private_key.take().unwrap_or(key);
    if !discard_old_key
        && ctx
            .with_keychain(|k| k.get(name, SecretField::PrivateKey))?
            .is_some_and(|old| !old.is_empty() && old.expose() != private_key.expose())
    {
        return Err(CertOpError::WouldDropKey);
    }
    ctx.with_keychain(|k| k.set(name, SecretField::PrivateKey, &private_key))?;
    profile.certificate = Some(imported.summary.clone());
    profile.pending_cert_request = None;
    profile.updated_at = crate::app::now_rfc3339();
    ctx.profiles.save(&profile)?;
    // the same key now lives under PrivateKey; a failure here leaves only a copy
    let _ = ctx.with_keychain(|k| k.delete(name, SecretField::PendingPrivateKey));
    Ok(Accepted {
        summary: imported.summary,
        private_key,
    })
}

/// Drops a waiting request and its key.
pub fn cancel(ctx: &Ctx, name: &str) -> Result<(), CertOpError> {
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut profile = load_profile(ctx, name)?;
    ctx.with_keychain(|k| k.delete(name, SecretField::PendingPrivateKey))?;
    if profile.pending_cert_request.take().is_some() {
        profile.updated_at = crate::app::now_rfc3339();
        ctx.profiles.save(&profile)?;
    }
    Ok(())
}

/// Writes profile `name`'s certificate and key as WXCertUtil does, into a new
/// folder `<mchid>_<yyyymmdd>_cert` inside `out`; gives that folder.
pub fn save_files(ctx: &Ctx, name: &str, out: &Path, tr: Tr) -> Result<PathBuf, CertOpError> {
    let profile = load_profile(ctx, name)?;
    let cert = profile
        .certificate
        .as_ref()
        .filter(|c| !c.certificate_pem.trim().is_empty())
        .ok_or(CertFilesError::NoCertificate)?;
    let key = ctx
        .with_keychain(|k| k.get(name, SecretField::PrivateKey))?
        .filter(|k| !k.is_empty())
        .ok_or(CertFilesError::NoKey)?;
    let mchid = cert
        .mchid
        .clone()
        .unwrap_or_else(|| profile.mchid.trim().to_owned());
    // until the folder is written: a kill leaves this note, and `profile
    // doctor` then finds the hidden folder holding the key
    let _note = ctx.profiles.note_write(out);
    write_files(out, &mchid, &cert.certificate_pem, &key, tr, today())
}

/// Today's date here (UTC when the local offset is unknown).
pub fn today() -> time::Date {
    time::OffsetDateTime::now_local()
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .date()
}

/// The folder and its four files; an existing folder is never touched, a
/// failure or a kill leaves nothing under its name, and one an older version
/// left half-written is cleaned. The folder is 0700 and the key and the p12
/// 0600 on Unix from the start, whatever the umask; every file is written
/// through the folder's handle ([`crate::services::private_folder`]).
pub fn write_files(
    out: &Path,
    mchid: &str,
    cert_pem: &str,
    key: &Secret,
    tr: Tr,
    date: time::Date,
) -> Result<PathBuf, CertOpError> {
    let files = wxcertutil::cert_files(cert_pem, key, mchid, tr)?;
    let folder_name = wxcertutil::folder_name(mchid, date);
    let failed = |path: &Path, e: std::io::Error| CertOpError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let not_made = |path: &Path, e: std::io::Error| CertOpError::MakeFolder {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let Some(file) = super::export::file_in_the_way(out) {
        return Err(CertOpError::NotAFolder(file.display().to_string()));
    }
    std::fs::create_dir_all(out).map_err(|e| not_made(out, e))?;
    use crate::services::private_folder::{FolderError, NewFile, write_new_folder};
    let new: Vec<NewFile<'_>> = files
        .iter()
        .map(|f| NewFile {
            name: f.name,
            bytes: &f.bytes,
            secret: f.secret,
        })
        .collect();
    // through the new folder's handle: see `services::private_folder`
    write_new_folder(out, &folder_name, &new).map_err(|e| match e {
        FolderError::Exists(path) => CertOpError::FolderExists(path.display().to_string()),
        FolderError::Make(path, e) => not_made(&path, e),
        FolderError::Write(path, e) => failed(&path, e),
    })
}
