//! Import a bundle written by "export": the passphrase is checked first; then,
//! with the lock of a free name held, the profile is saved and the secrets go to
//! the keychain (replacing whatever an earlier shop of that name left there).
//! A keychain failure removes the profile again: nothing is written; a kill in
//! between leaves a profile without secrets, never secrets no profile owns.
//! The window's worker and `profile import-bundle` both run this.

use std::path::Path;

use serde::Serialize;

use super::Ctx;
use super::import::Issue;
use super::profiles::free_name;
use crate::app::rules::Secrets;
use crate::domain::bundle::BundleReadError;
use crate::domain::problem::Problem;
use crate::domain::profile::{Profile, SecretField, check_profile_name, normalize_profile_name};
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
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum ImportBundleError {
    #[error(transparent)]
    Read(#[from] BundleReadError),
    #[error("bad name")]
    BadName(Problem),
    /// The name asked for (`--name`) is a shop already: never replaced, and
    /// never quietly saved under another name the caller did not choose.
    #[error("a shop named {0:?} exists")]
    NameTaken(String),
    /// Values of the bundle that break the rule the same value typed into the
    /// window or written in an import file must follow, each named by its key.
    #[error("refused")]
    Refused(Vec<(&'static str, Issue)>),
    #[error(transparent)]
    Keychain(#[from] StoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ImportBundleError {
    /// One value of every variant, every bundle read error and import issue
    /// among them, for the test that each text exists in both languages.
    pub fn samples() -> Vec<ImportBundleError> {
        use ImportBundleErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        D::iter()
            .flat_map(|d| match d {
                D::Read => BundleReadError::samples()
                    .into_iter()
                    .map(ImportBundleError::Read)
                    .collect(),
                D::BadName => vec![ImportBundleError::BadName(Problem::error(
                    "profile_name_empty",
                ))],
                D::NameTaken => vec![ImportBundleError::NameTaken("店".into())],
                D::Refused => vec![ImportBundleError::Refused(
                    Issue::samples()
                        .into_iter()
                        .map(|i| ("backend_account", i))
                        .collect(),
                )],
                D::Keychain => StoreError::samples()
                    .into_iter()
                    .map(ImportBundleError::Keychain)
                    .collect(),
                D::Storage => StorageError::samples()
                    .into_iter()
                    .map(ImportBundleError::Storage)
                    .collect(),
            })
            .collect()
    }

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
            ImportBundleError::Refused(_) => "import_bundle.refused".into(),
            ImportBundleError::Keychain(e) => e.key(),
            ImportBundleError::Storage(e) => e.key(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ImportBundleError::Read(e) => e.args(),
            ImportBundleError::BadName(p) => Message::args(p),
            ImportBundleError::NameTaken(n) => vec![("name", n.as_str().into())],
            ImportBundleError::Refused(issues) => {
                let list = issues
                    .iter()
                    .map(|(key, issue)| {
                        Arg::Nested(
                            "import_bundle.refused_value".into(),
                            vec![
                                ("key", (*key).into()),
                                ("reason", Arg::Nested(issue.key(), issue.args())),
                            ],
                        )
                    })
                    .collect();
                vec![("issues", Arg::List(list))]
            }
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
    let issues = bundle_issues(&b.profile, &b.secrets);
    if !issues.is_empty() {
        return Err(ImportBundleError::Refused(issues));
    }
    let wanted = normalize_profile_name(&wanted);
    if name.is_some() {
        let lock = ctx.lock(&wanted)?;
        if let Some(taken) = ctx.profiles.taken(&wanted) {
            return Err(ImportBundleError::NameTaken(taken));
        }
        return save_bundle_shop(ctx, b, wanted, lock);
    }
    // a free name, still free once its lock is held (another import may take it)
    let (name, lock) = loop {
        let name = free_name(ctx.profiles.as_ref(), &wanted);
        let lock = ctx.lock(&name)?;
        if ctx.profiles.taken(&name).is_none() {
            break (name, lock);
        }
    };
    save_bundle_shop(ctx, b, name, lock)
}

/// A text field's rule (`domain::fields`).
type TextRule = fn(&str) -> Vec<Problem>;

/// What in a bundle breaks the rule the same value would meet typed into the
/// window or written in an import file (a bundle is a file anyone can write):
/// the settings (control, bidi and zero-width characters, formats, an address
/// that is not HTTPS, the admin account's characters and length), the secrets, a waiting request's company (as the
/// request takes it: at most 64 characters, no control character) and its key
/// (RSA of 2048 bits or more, as `cert request` makes it), the private key.
/// Empty values are a draft's, not wrong.
fn bundle_issues(profile: &Profile, secrets: &Secrets) -> Vec<(&'static str, Issue)> {
    use crate::domain::fields;
    let mut issues = Vec::new();
    let texts: [(&'static str, &str, TextRule); 6] = [
        (
            "payment_name",
            &profile.payment_name,
            fields::check_payment_name,
        ),
        ("mp_appid", &profile.mp_appid, fields::check_appid),
        ("mchid", &profile.mchid, fields::check_mchid),
        ("oa_appid", &profile.oa_appid, fields::check_appid),
        (
            "backend_account",
            &profile.backend_account,
            fields::check_backend_account,
        ),
        (
            "backend_url",
            &profile.backend_url,
            fields::check_backend_url_chars,
        ),
    ];
    for (key, value, check) in texts {
        if value.trim().is_empty() {
            continue;
        }
        for p in check(value).into_iter().filter(Problem::is_error) {
            issues.push((key, Issue::Problem(p)));
        }
    }
    if !profile.public_key_id.trim().is_empty()
        && let Err(code) = crate::domain::wxapi::v3::check_public_key_id(&profile.public_key_id)
    {
        issues.push(("public_key_id", Issue::PublicKey(code)));
    }
    if !profile.public_key_pem.trim().is_empty()
        && let Err(code) = crate::domain::wxapi::v3::check_public_key_pem(&profile.public_key_pem)
    {
        issues.push(("public_key_pem", Issue::PublicKey(code)));
    }
    if !profile.backend_url.trim().is_empty()
        && fields::check_backend_url_chars(&profile.backend_url).is_empty()
        && crate::services::wechat_http::check_base_url(&profile.backend_url).is_err()
    {
        issues.push((
            "backend_url",
            Issue::InsecureUrl(crate::services::wechat_http::redact_url(
                &profile.backend_url,
            )),
        ));
    }
    issues.extend(record_issues(profile));
    issues.extend(super::import::secret_issues(profile, secrets));
    if let Some(p) = &profile.pending_cert_request
        && let Err(e) = crate::domain::cert::request::check_company(&p.company)
    {
        issues.push(("pending_cert_request.company", Issue::Request(e)));
    }
    if let Some(key) = secrets.get(&SecretField::PendingPrivateKey)
        && let Err(e) = crate::domain::cert::request::check_request_key(key)
    {
        issues.push((crate::domain::bundle::PENDING_KEY_NAME, Issue::Request(e)));
    }
    if let Some(key) = secrets.get(&SecretField::PrivateKey)
        && crate::domain::cert::request::check_private_key(key).is_err()
    {
        issues.push((
            crate::domain::backend_form::KEY_FILE_NAME,
            Issue::Cert(crate::domain::cert::ImportError::MalformedKey {
                entry: crate::domain::backend_form::KEY_FILE_NAME.into(),
            }),
        ));
    }
    issues
}

/// What the bundle says of the shop's record, checked as this program writes it:
/// the time of the last change an RFC 3339 date and time, each ticked checklist
/// step one this version has (and a tick's AppID an AppID). Written unchecked, a
/// bundle could leave any text (escapes, line breaks) in the profile file.
fn record_issues(profile: &Profile) -> Vec<(&'static str, Issue)> {
    use time::format_description::well_known::Rfc3339;
    let mut issues = Vec::new();
    let at = profile.updated_at.as_str();
    if !at.is_empty() && time::OffsetDateTime::parse(at, &Rfc3339).is_err() {
        issues.push(("updated_at", Issue::BadTime(Issue::shown(at))));
    }
    // the last push, as this program writes it (third CLI trial minor 3)
    if let Some(last) = &profile.last_push {
        use crate::domain::profile::LastPushProblem as P;
        for (field, problem) in last.problems() {
            let value = Issue::shown(last.value_of(field));
            issues.push((
                field,
                match problem {
                    P::UnknownBackend => Issue::BadPreset(value),
                    P::BadTime => Issue::BadTime(value),
                    P::BadFingerprint | P::BadRecord => Issue::BadFingerprint(value),
                },
            ));
        }
    }
    let known = |id: &str| crate::app::journey::find_item(id).is_some();
    for id in profile.checklist_done.iter().filter(|id| !known(id)) {
        issues.push(("checklist_done", Issue::UnknownStep(Issue::shown(id))));
    }
    for (id, appid) in &profile.ticked_for {
        if !known(id) {
            issues.push(("checklist_done", Issue::UnknownStep(Issue::shown(id))));
        }
        for p in crate::domain::fields::check_appid(appid)
            .into_iter()
            .filter(Problem::is_error)
        {
            issues.push(("checklist_done", Issue::Problem(p)));
        }
    }
    issues
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
