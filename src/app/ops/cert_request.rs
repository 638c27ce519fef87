//! Applying for the API certificate inside the app (issue 11): `request` makes
//! the key and the request string, puts the key straight into the keychain (as
//! `PendingPrivateKey`) and remembers the request in the profile, so closing the
//! app while the merchant platform asks for an SMS loses nothing; `accept` takes
//! the certificate string the platform answered with, checks it against that
//! key and stores both exactly as a WXCertUtil zip import does.

use serde::Serialize;

use super::{Ctx, OpError, load_profile};
use crate::domain::cert::CertSummary;
use crate::domain::cert::request::{self, PendingRequest, RequestError};
use crate::domain::profile::SecretField;
use crate::i18n::{Arg, Message};
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
            CertOpError::Op(_) => "failed",
            CertOpError::Request(e) => e.code(),
            CertOpError::NoMchid => "no_mchid",
            CertOpError::NoCompany => "no_company",
            CertOpError::NoPending => "no_pending",
            CertOpError::PendingKeyMissing => "pending_key_missing",
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
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            CertOpError::Op(e) => e.args(),
            CertOpError::Request(e) => e.args(),
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
    if let Some(p) = &profile.pending_cert_request
        && !start_over
    {
        let key_there = ctx.with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))?;
        if key_there.is_some() {
            return Ok(requested(&mchid, p, false));
        }
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

/// Takes the certificate string for the waiting request of profile `name`:
/// checked against the waiting key, then stored like a zip import (key as
/// `PrivateKey`, summary as the profile's certificate); the request is cleared.
pub fn accept(ctx: &Ctx, name: &str, text: &str) -> Result<CertSummary, CertOpError> {
    let _lock = ctx.lock(name).map_err(OpError::from)?;
    let mut profile = load_profile(ctx, name)?;
    if profile.pending_cert_request.is_none() {
        return Err(CertOpError::NoPending);
    }
    let key = ctx
        .with_keychain(|k| k.get(name, SecretField::PendingPrivateKey))?
        .ok_or(CertOpError::PendingKeyMissing)?;
    let mut imported = request::accept_certificate(text, &key, profile.mchid.trim())?;
    imported.summary.source = SOURCE.to_owned();
    let private_key = imported.private_key.take().unwrap_or(key);
    ctx.with_keychain(|k| k.set(name, SecretField::PrivateKey, &private_key))?;
    profile.certificate = Some(imported.summary.clone());
    profile.pending_cert_request = None;
    profile.updated_at = crate::app::now_rfc3339();
    ctx.profiles.save(&profile)?;
    // the same key now lives under PrivateKey; a failure here leaves only a copy
    let _ = ctx.with_keychain(|k| k.delete(name, SecretField::PendingPrivateKey));
    Ok(imported.summary)
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
