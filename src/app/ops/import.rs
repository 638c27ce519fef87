//! Import a profile from a TOML file an agent wrote. All or nothing: every
//! value is validated first; then, with the shop's lock held, a new shop's
//! profile is saved and its secrets stored (if the keychain fails, the profile
//! goes again: nothing is written; a kill in between leaves a profile without
//! secrets, never secrets no profile owns). A shop that exists is refused
//! unless the caller asks to replace it: then everything is replaced, secrets
//! included, so old secrets never meet new AppIDs.
//!
//! A TOML error names the line and, when it is one of ours, the key: never the
//! value (an unquoted key would otherwise be printed in full).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Ctx, read_text};
use crate::app::rules::{self, Secrets};
use crate::domain::cert::ImportError;
use crate::domain::fields::{self, FieldId};
use crate::domain::problem::Problem;
use crate::domain::profile::{Profile, SecretField, SiteKind, check_profile_name};
use crate::domain::push::BackendPreset;
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};
use crate::services::profile_store::StorageError;
use crate::services::secret_store::StoreError;

/// The import file: every key optional but `name`; unknown keys are refused so
/// that a typo in an agent's script is caught, not silently ignored.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    name: Option<String>,
    site_kind: Option<String>,
    payment_name: Option<String>,
    mp_appid: Option<String>,
    mp_appsecret: Option<String>,
    mchid: Option<String>,
    api_key_v2: Option<String>,
    api_key_v3: Option<String>,
    oa_appid: Option<String>,
    oa_appsecret: Option<String>,
    cert_zip: Option<PathBuf>,
    jsapi_enabled: Option<bool>,
    public_key_id: Option<String>,
    /// Path to the merchant's `pub_key.pem` (public-key mode).
    public_key_pem: Option<PathBuf>,
    backend_url: Option<String>,
    backend_token: Option<String>,
    backend_preset: Option<String>,
    /// Path to a custom field-name mapping (with `backend_preset = "custom"`).
    backend_mapping: Option<PathBuf>,
}

impl Drop for ImportFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for s in [
            &mut self.mp_appsecret,
            &mut self.api_key_v2,
            &mut self.api_key_v3,
            &mut self.oa_appsecret,
            &mut self.backend_token,
        ]
        .into_iter()
        .flatten()
        {
            s.zeroize();
        }
    }
}

/// What was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub name: String,
    /// Where the profile is kept.
    pub location: String,
    /// The secrets stored in the keychain.
    pub secrets: Vec<SecretField>,
    /// The import file holds secrets in plain text (the user should delete it).
    pub file_has_secrets: bool,
}

/// What is wrong with one value of the file.
#[derive(Debug)]
pub enum Issue {
    Problem(Problem),
    BadSiteKind(String),
    /// A `check.<code>` verdict on the public key or its id.
    PublicKey(&'static str),
    Unreadable {
        path: String,
        reason: String,
    },
    Cert(ImportError),
    InsecureUrl(String),
    BadPreset(String),
    BadMapping {
        path: String,
        reason: String,
    },
}

impl Message for Issue {
    fn key(&self) -> String {
        match self {
            Issue::Problem(p) => p.key(),
            Issue::BadSiteKind(_) => "cli.bad_site_kind".into(),
            Issue::PublicKey(code) => format!("check.{code}"),
            Issue::Unreadable { .. } => "cli.cannot_read".into(),
            Issue::Cert(e) => e.key(),
            Issue::InsecureUrl(_) => "push.insecure_url".into(),
            Issue::BadPreset(_) => "push.bad_preset".into(),
            Issue::BadMapping { .. } => "push.bad_mapping".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Issue::Problem(p) => Message::args(p),
            Issue::BadSiteKind(v) | Issue::BadPreset(v) => vec![("value", v.as_str().into())],
            Issue::PublicKey(_) => Vec::new(),
            Issue::Unreadable { path, reason } | Issue::BadMapping { path, reason } => vec![
                ("path", path.as_str().into()),
                ("reason", reason.as_str().into()),
            ],
            Issue::Cert(e) => Message::args(e),
            Issue::InsecureUrl(url) => vec![("url", url.as_str().into())],
        }
    }
}

/// The keys of the import file, to name the one a TOML error is about.
const KEYS: [&str; 18] = [
    "name",
    "site_kind",
    "payment_name",
    "mp_appid",
    "mp_appsecret",
    "mchid",
    "api_key_v2",
    "api_key_v3",
    "oa_appid",
    "oa_appsecret",
    "cert_zip",
    "jsapi_enabled",
    "public_key_id",
    "public_key_pem",
    "backend_url",
    "backend_token",
    "backend_preset",
    "backend_mapping",
];

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// Not TOML, a value of the wrong kind, or a key we do not know: where,
    /// and which key; never a value.
    #[error("bad TOML in {path} at line {line}")]
    BadToml {
        path: String,
        line: usize,
        what: TomlProblem,
    },
    /// A shop of that name exists (import again with `--replace` to replace it).
    #[error("a shop named {0:?} exists")]
    Exists(String),
    /// `--replace` would delete the shop's private key (or a waiting request's),
    /// which the file does not bring back: save it first, or say so.
    #[error("replacing {0:?} would delete its private key")]
    WouldDropKey(String),
    #[error("no name")]
    NoName,
    #[error("bad name")]
    BadName(Problem),
    /// Each wrong value, named by its key in the file.
    #[error("refused")]
    Refused {
        path: String,
        issues: Vec<(&'static str, Issue)>,
    },
    #[error(transparent)]
    Keychain(#[from] StoreError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Message for ImportFileError {
    fn key(&self) -> String {
        match self {
            ImportFileError::Read { .. } => "cli.cannot_read".into(),
            ImportFileError::BadToml { what, .. } => match what {
                TomlProblem::Syntax => "cli.import_bad_toml".into(),
                TomlProblem::BadValue(_) => "cli.import_bad_value".into(),
                TomlProblem::UnknownKey(_) => "cli.import_unknown_key".into(),
                TomlProblem::DuplicateKey(_) => "cli.import_duplicate_key".into(),
            },
            ImportFileError::Exists(_) => "cli.import_exists".into(),
            ImportFileError::WouldDropKey(_) => "cli.import_would_drop_key".into(),
            ImportFileError::NoName => "cli.import_no_name".into(),
            ImportFileError::BadName(p) => p.key(),
            ImportFileError::Refused { .. } => "cli.import_refused".into(),
            ImportFileError::Keychain(e) => e.key(),
            ImportFileError::Storage(e) => e.key(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ImportFileError::Read { path, reason } => {
                vec![
                    ("path", path.as_str().into()),
                    ("reason", reason.as_str().into()),
                ]
            }
            ImportFileError::BadToml { path, line, what } => vec![
                ("path", path.as_str().into()),
                ("line", line.to_string().into()),
                (
                    "key",
                    match what {
                        TomlProblem::Syntax => "",
                        TomlProblem::BadValue(k) => k,
                        TomlProblem::UnknownKey(k) | TomlProblem::DuplicateKey(k) => k,
                    }
                    .into(),
                ),
            ],
            ImportFileError::Exists(name) | ImportFileError::WouldDropKey(name) => {
                vec![("name", name.as_str().into())]
            }
            ImportFileError::NoName => Vec::new(),
            ImportFileError::BadName(p) => Message::args(p),
            ImportFileError::Refused { path, .. } => vec![("path", path.as_str().into())],
            ImportFileError::Keychain(e) => e.args(),
            ImportFileError::Storage(e) => Message::args(e),
        }
    }
}

/// Reads, validates and stores the import file at `file`. A shop of that name
/// that exists is refused unless `replace` (then it is replaced whole; see
/// [`import_file_as`] for a shop whose private key would be lost).
pub fn import_file(ctx: &Ctx, file: &Path, replace: bool) -> Result<Imported, ImportFileError> {
    let mode = if replace {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    import_file_as(ctx, file, mode)
}

/// What to do with a shop of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Refuse,
    /// Replace it whole, unless that would delete a private key the file does
    /// not bring (one made in the app exists nowhere else).
    Replace,
    /// Replace it whole, its private key and waiting request included.
    ReplaceDroppingKey,
}

/// [`import_file`] with the choice for an existing shop spelled out.
pub fn import_file_as(
    ctx: &Ctx,
    file: &Path,
    existing: Existing,
) -> Result<Imported, ImportFileError> {
    let text = read_text(file)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| ImportFileError::Read {
            path: file.display().to_string(),
            reason: e.to_string(),
        })?;
    let input = parse(&text).map_err(|(line, what)| ImportFileError::BadToml {
        path: file.display().to_string(),
        line,
        what,
    })?;
    import(ctx, input, file, existing)
}

/// What is wrong on a line of the import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TomlProblem {
    /// Not TOML at all.
    Syntax,
    /// One of our keys with a value of the wrong kind (an unquoted number).
    BadValue(&'static str),
    /// A key the file does not have (a typo): the key as written, a short
    /// plain name only.
    UnknownKey(String),
    /// A key given twice (a short plain name only).
    DuplicateKey(String),
}

/// The import file's values, or where it is wrong: the line (from 1) and what.
/// The parser's own message is never shown: it quotes the value (`invalid
/// type: integer `123456…``), which may be a secret.
fn parse(text: &str) -> Result<ImportFile, (usize, TomlProblem)> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let before = text.get(..at).unwrap_or_default();
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let this_line = text
            .get(start..)
            .and_then(|t| t.lines().next())
            .unwrap_or_default();
        (line, line_problem(this_line, e.message()))
    })
}

/// The key a line assigns to (`key = …`, `"key" = …`), when it is a plain name.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches(['"', '\'']);
    let plain = !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    plain.then_some(key)
}

fn line_problem(line: &str, message: &str) -> TomlProblem {
    let key = key_of(line);
    if message.starts_with("duplicate key")
        && let Some(k) = key
    {
        return TomlProblem::DuplicateKey(k.to_owned());
    }
    if let Some(ours) = key.and_then(|k| KEYS.into_iter().find(|o| *o == k)) {
        return TomlProblem::BadValue(ours);
    }
    match key {
        Some(k) if message.starts_with("unknown field") => TomlProblem::UnknownKey(k.to_owned()),
        _ => TomlProblem::Syntax,
    }
}

/// Paths in the file are relative to the file, as a person writing it would expect.
fn beside(file: &Path, path: &Path) -> PathBuf {
    if path.is_relative() {
        file.parent().unwrap_or(Path::new(".")).join(path)
    } else {
        path.to_path_buf()
    }
}

fn import(
    ctx: &Ctx,
    mut input: ImportFile,
    file: &Path,
    existing: Existing,
) -> Result<Imported, ImportFileError> {
    let name = input.name.clone().ok_or(ImportFileError::NoName)?;
    check_profile_name(&name).map_err(ImportFileError::BadName)?;
    let name = name.trim().to_owned();
    // held to the end: another import or a delete of this shop waits
    let _lock = ctx.lock(&name)?;
    let existed = ctx.profiles.exists(&name);
    if existed && existing == Existing::Refuse {
        return Err(ImportFileError::Exists(name));
    }
    let mut profile = Profile::new(&name);
    let mut issues = apply_values(&mut profile, &input, file);
    let file_has_secrets = input.mp_appsecret.is_some()
        || input.backend_token.is_some()
        || input.api_key_v2.is_some()
        || input.api_key_v3.is_some()
        || input.oa_appsecret.is_some();
    let mut secrets = take_secrets(&mut input);
    issues.extend(secret_issues(&profile, &secrets));
    // the service account's AppID compared with the mini program's (its format was checked above)
    if input.oa_appid.is_some() {
        for p in rules::same_account_problems(&profile, &secrets, FieldId::OaAppId) {
            issues.push(("oa_appid", Issue::Problem(p)));
        }
    }
    if let Some(cert_path) = &input.cert_zip {
        match crate::services::files::import_cert(&beside(file, cert_path)) {
            Ok(imported) => {
                if let Some(k) = imported.private_key {
                    secrets.insert(SecretField::PrivateKey, k);
                }
                if profile.mchid.is_empty()
                    && let Some(m) = &imported.summary.mchid
                {
                    profile.mchid = m.clone();
                }
                profile.certificate = Some(imported.summary);
            }
            Err(e) => issues.push(("cert_zip", Issue::Cert(e))),
        }
    }
    if !issues.is_empty() {
        return Err(ImportFileError::Refused {
            path: file.display().to_string(),
            issues,
        });
    }
    profile.updated_at = crate::app::now_rfc3339();
    if existed
        && existing == Existing::Replace
        && !secrets.contains_key(&SecretField::PrivateKey)
        && holds_a_key(ctx, &name)?
    {
        return Err(ImportFileError::WouldDropKey(name));
    }
    if existed {
        replace_shop(ctx, profile, &secrets)?;
    } else {
        ctx.save_new_shop(&profile, &secrets).map_err(|e| match e {
            super::OpError::Keychain(e) => ImportFileError::Keychain(e),
            super::OpError::Storage(e) => ImportFileError::Storage(e),
            other => ImportFileError::Storage(StorageError::Write {
                path: ctx.profiles.location(&name),
                reason: other.to_string(),
            }),
        })?;
    }
    Ok(Imported {
        location: ctx.profiles.location(&name),
        secrets: secrets.keys().copied().collect(),
        file_has_secrets,
        name,
    })
}

/// Whether the keychain holds a private key of the shop (its certificate's, or
/// a waiting request's): made in the app, it may exist nowhere else.
fn holds_a_key(ctx: &Ctx, name: &str) -> Result<bool, StoreError> {
    ctx.with_keychain(|k| {
        for f in [SecretField::PrivateKey, SecretField::PendingPrivateKey] {
            if k.get(name, f)?.is_some_and(|v| !v.is_empty()) {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

/// Replaces an existing shop's values and secrets. The two live in two stores
/// with no shared transaction, so the new values are written first marked
/// `import_unfinished`, then the secrets, then the mark is cleared: a kill at
/// any moment leaves either the old shop, or one that says its last import did
/// not finish (never old AppIDs beside new keys, or new beside old, unmarked).
/// A profile always owns the secrets; if the keychain fails, the old values
/// are put back.
fn replace_shop(ctx: &Ctx, mut profile: Profile, secrets: &Secrets) -> Result<(), ImportFileError> {
    let old = ctx.profiles.load(&profile.name).ok();
    profile.import_unfinished = true;
    ctx.profiles.save(&profile)?;
    if let Err(e) = ctx.replace_secrets(&profile.name, secrets) {
        if let Some(old) = old {
            let _ = ctx.profiles.save(&old);
        }
        return Err(e.into());
    }
    profile.import_unfinished = false;
    ctx.profiles.save(&profile)?;
    Ok(())
}

/// A text value of the file: its key, its value, where it goes, how it is checked.
type TextField<'a> = (
    &'static str,
    &'a Option<String>,
    &'a mut String,
    fn(&str) -> Vec<Problem>,
);

/// Sets the non-secret values; returns what is wrong with them.
fn apply_values(
    profile: &mut Profile,
    input: &ImportFile,
    file: &Path,
) -> Vec<(&'static str, Issue)> {
    let mut issues = Vec::new();
    if let Some(k) = &input.site_kind {
        match SiteKind::parse(k) {
            Some(k) => profile.site_kind = Some(k),
            None => issues.push(("site_kind", Issue::BadSiteKind(k.clone()))),
        }
    }
    let texts: [TextField<'_>; 4] = [
        (
            "payment_name",
            &input.payment_name,
            &mut profile.payment_name,
            fields::check_payment_name,
        ),
        (
            "mp_appid",
            &input.mp_appid,
            &mut profile.mp_appid,
            fields::check_appid,
        ),
        (
            "mchid",
            &input.mchid,
            &mut profile.mchid,
            fields::check_mchid,
        ),
        (
            "oa_appid",
            &input.oa_appid,
            &mut profile.oa_appid,
            fields::check_appid,
        ),
    ];
    for (key, value, slot, check) in texts {
        if let Some(v) = value {
            for p in check(v).into_iter().filter(Problem::is_error) {
                issues.push((key, Issue::Problem(p)));
            }
            *slot = v.trim().to_owned();
        }
    }
    if let Some(j) = input.jsapi_enabled {
        profile.jsapi_enabled = j;
    }
    if let Some(id) = &input.public_key_id {
        match crate::domain::wxapi::v3::check_public_key_id(id) {
            Ok(()) => profile.public_key_id = id.trim().to_owned(),
            Err(code) => issues.push(("public_key_id", Issue::PublicKey(code))),
        }
    }
    if let Some(path) = &input.public_key_pem {
        let path = beside(file, path);
        match read_text(&path) {
            Ok(pem) => match crate::domain::wxapi::v3::check_public_key_pem(&pem) {
                Ok(()) => profile.public_key_pem = pem.trim().to_owned(),
                Err(code) => issues.push(("public_key_pem", Issue::PublicKey(code))),
            },
            Err(e) => issues.push((
                "public_key_pem",
                Issue::Unreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                },
            )),
        }
    }
    if let Some(url) = &input.backend_url {
        match crate::services::wechat_http::check_base_url(url) {
            Ok(()) => profile.backend_url = url.trim().to_owned(),
            Err(_) => issues.push((
                "backend_url",
                Issue::InsecureUrl(crate::services::wechat_http::redact_url(url)),
            )),
        }
    }
    if let Some(preset) = &input.backend_preset {
        match BackendPreset::parse(preset) {
            Some(p) => profile.backend_preset = p,
            None => issues.push(("backend_preset", Issue::BadPreset(preset.clone()))),
        }
    }
    if let Some(path) = &input.backend_mapping {
        let path = beside(file, path);
        match read_text(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::domain::push::parse_mapping(&t))
        {
            Ok(_) => profile.backend_mapping_file = path.display().to_string(),
            Err(reason) => issues.push((
                "backend_mapping",
                Issue::BadMapping {
                    path: path.display().to_string(),
                    reason,
                },
            )),
        }
    }
    issues
}

/// Moves the secrets out of the file's values (zeroized as they go).
fn take_secrets(input: &mut ImportFile) -> Secrets {
    let mut secrets = Secrets::new();
    for (field, value) in [
        (SecretField::MpAppSecret, input.mp_appsecret.take()),
        (SecretField::ApiKeyV2, input.api_key_v2.take()),
        (SecretField::ApiKeyV3, input.api_key_v3.take()),
        (SecretField::OaAppSecret, input.oa_appsecret.take()),
        (SecretField::BackendToken, input.backend_token.take()),
    ] {
        if let Some(mut v) = value {
            secrets.insert(field, Secret::new(v.trim()));
            zeroize::Zeroize::zeroize(&mut v);
        }
    }
    secrets
}

/// The typed secrets, validated like the wizard does (the token has no format).
fn secret_issues(profile: &Profile, secrets: &Secrets) -> Vec<(&'static str, Issue)> {
    let fid = |f: SecretField| match f {
        SecretField::MpAppSecret => Some(FieldId::MpAppSecret),
        SecretField::ApiKeyV2 => Some(FieldId::ApiKeyV2),
        SecretField::ApiKeyV3 => Some(FieldId::ApiKeyV3),
        SecretField::OaAppSecret => Some(FieldId::OaAppSecret),
        SecretField::PrivateKey | SecretField::BackendToken | SecretField::PendingPrivateKey => {
            None
        }
    };
    let mut issues = Vec::new();
    for (f, id) in secrets.keys().filter_map(|f| fid(*f).map(|id| (*f, id))) {
        for p in rules::field_problems(profile, secrets, id)
            .into_iter()
            .filter(Problem::is_error)
        {
            issues.push((f.key(), Issue::Problem(p)));
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::fake_ctx;

    const APPSECRET: &str = "0123456789abcdef0123456789abcdef";

    fn write(dir: &Path, text: &str) -> PathBuf {
        let f = dir.join("shop.toml");
        std::fs::write(&f, text).unwrap();
        f
    }

    #[test]
    fn a_replace_the_keychain_refuses_leaves_the_old_shop_unmarked() {
        let (ctx, f) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        let shop = |appid: &str| {
            format!("name = \"店\"\nmp_appid = \"{appid}\"\nmp_appsecret = \"{APPSECRET}\"\n")
        };
        import_file(&ctx, &write(dir.path(), &shop("wx1111111111111111")), false).unwrap();
        f.keychain
            .set_failure(Some(StoreError::Unavailable("no Secret Service".into())));
        let file = write(dir.path(), &shop("wx2222222222222222"));
        assert!(import_file(&ctx, &file, true).is_err());
        let p = ctx.profiles.load("店").unwrap();
        assert_eq!(p.mp_appid, "wx1111111111111111");
        assert!(!p.import_unfinished);
        assert!(super::super::load_profile(&ctx, "店").is_ok());

        // a profile marked unfinished (a kill mid-replace) is vouched for by nothing
        f.keychain.set_failure(None);
        let mut p = p;
        p.import_unfinished = true;
        ctx.profiles.save(&p).unwrap();
        assert!(matches!(
            super::super::load_profile(&ctx, "店"),
            Err(crate::app::ops::OpError::ImportUnfinished(_))
        ));
        // the same import again finishes it
        import_file(&ctx, &file, true).unwrap();
        let p = super::super::load_profile(&ctx, "店").unwrap();
        assert_eq!(p.mp_appid, "wx2222222222222222");
        assert!(!p.import_unfinished);
    }

    #[test]
    fn a_keychain_failure_writes_nothing_at_all() {
        let (ctx, f) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            &format!(
                "name = \"店\"\nmp_appid = \"wx1234567890abcdef\"\nmp_appsecret = \"{APPSECRET}\"\n"
            ),
        );
        f.keychain
            .set_failure(Some(StoreError::Unavailable("no Secret Service".into())));
        let e = import_file(&ctx, &file, false).unwrap_err();
        assert!(
            matches!(e, ImportFileError::Keychain(StoreError::Unavailable(_))),
            "{e:?}"
        );
        assert!(
            !ctx.profiles.exists("店"),
            "the profile was saved without its secrets"
        );

        f.keychain.set_failure(None);
        let done = import_file(&ctx, &file, false).unwrap();
        assert_eq!(done.secrets, [SecretField::MpAppSecret]);
        assert!(done.file_has_secrets);
        assert_eq!(
            ctx.profiles.load("店").unwrap().mp_appid,
            "wx1234567890abcdef"
        );
        assert_eq!(
            f.keychain.peek("店", SecretField::MpAppSecret),
            Some(Secret::new(APPSECRET))
        );
    }

    #[test]
    fn every_wrong_value_is_named_and_nothing_is_written() {
        let (ctx, f) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            &format!(
                "name = \"店\"\nmchid = \"12\"\nsite_kind = \"moon\"\nbackend_preset = \"nope\"\nbackend_url = \"http://10.0.0.1\"\nmp_appsecret = \"{APPSECRET}\"\npublic_key_pem = \"missing.pem\"\n"
            ),
        );
        let Err(ImportFileError::Refused { issues, .. }) = import_file(&ctx, &file, false) else {
            panic!("not refused")
        };
        let keys: Vec<&str> = issues.iter().map(|(k, _)| *k).collect();
        for k in [
            "mchid",
            "site_kind",
            "backend_preset",
            "backend_url",
            "public_key_pem",
        ] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
        assert!(ctx.profiles.list().unwrap().is_empty());
        assert!(f.keychain.is_empty());
    }

    #[test]
    fn a_toml_error_names_line_and_key_but_never_the_value() {
        let cases = [
            (
                "name = \"a\"\napi_key_v2 = 123456789\n",
                2,
                TomlProblem::BadValue("api_key_v2"),
            ),
            (
                "name = \"a\"\n\n\"mchid\" = 1900006031\n",
                3,
                TomlProblem::BadValue("mchid"),
            ),
            (
                "name = \"a\"\nmch_id = \"1\"\n",
                2,
                TomlProblem::UnknownKey("mch_id".into()),
            ),
            (
                "name = \"a\"\nmp_appsecret 0123abc\n",
                2,
                TomlProblem::Syntax,
            ),
            ("店 = [", 1, TomlProblem::Syntax),
            (
                "name = \"a\"\nmchid = \"1\"\nmchid = \"2\"\n",
                3,
                TomlProblem::DuplicateKey("mchid".into()),
            ),
        ];
        for (text, line, what) in cases {
            let Err(got) = parse(text) else {
                panic!("{text} parsed")
            };
            assert_eq!(got, (line, what), "{text}");
        }
    }

    #[test]
    fn a_custom_preset_is_typed() {
        let (ctx, _) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.toml"), "[fields]\nmchid = \"mch\"\n").unwrap();
        let file = write(
            dir.path(),
            "name = \"a\"\nbackend_preset = \"custom\"\nbackend_mapping = \"m.toml\"\n",
        );
        import_file(&ctx, &file, false).unwrap();
        let p = ctx.profiles.load("a").unwrap();
        assert_eq!(p.backend_preset, BackendPreset::Custom);
        assert!(p.backend_mapping_file.ends_with("m.toml"));
    }
}
