//! Import a profile from a TOML file an agent wrote. All or nothing: every
//! value is validated first; then, with the shop's lock held, a new shop's
//! profile is saved and its secrets stored (if the keychain fails, the profile
//! goes again: nothing is written; a kill in between leaves a profile without
//! secrets, never secrets no profile owns). A shop that exists is refused
//! unless the caller asks to replace it: then everything is replaced, secrets
//! included, so old secrets never meet new AppIDs; only the backend settings
//! the file does not give stay (system, address, account, and the password or
//! token a push kept, while the backend is the same one).
//!
//! A TOML error names the line and, when it is one of ours, the key: never the
//! value (an unquoted key would otherwise be printed in full).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Ctx, read_text};
use crate::app::rules::{self, Secrets};
use crate::domain::backend_kind::BackendPreset;
use crate::domain::cert::ImportError;
use crate::domain::fields::{self, FieldId};
use crate::domain::problem::Problem;
use crate::domain::profile::{
    Profile, SecretField, SiteKind, check_profile_name, normalize_profile_name,
};
use crate::domain::secret::Secret;
use crate::domain::text::printable;
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
    /// The merchant saw the mini program's AppID as 已关联 in 商户平台 → 产品中心
    /// → AppID账号管理 (no online check can prove a binding).
    mp_binding_confirmed: Option<bool>,
    /// The same for the service account's AppID (case 2).
    oa_binding_confirmed: Option<bool>,
    public_key_id: Option<String>,
    /// Path to the merchant's `pub_key.pem` (public-key mode).
    public_key_pem: Option<PathBuf>,
    backend_url: Option<String>,
    /// The admin account the push logs in with (likeadmin, CRMEB, ShopXO); its
    /// password is never in a file: the first push asks for it.
    backend_account: Option<String>,
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
#[derive(Debug, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
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
    /// A waiting certificate request's company or key (from a bundle).
    Request(crate::domain::cert::request::RequestError),
    InsecureUrl(String),
    BadPreset(String),
    BadMapping {
        path: String,
        reason: String,
    },
    /// A receiver token or backend password that could never be sent: empty, a
    /// line break or another control character, or (a token) a character that is
    /// not visible ASCII. `--token-file` refuses the same.
    Credential {
        /// `push.what_<what>`
        what: &'static str,
        problem: super::push::CredentialProblem,
    },
    /// A bundle's time of the last change that is not an RFC 3339 date and time
    /// (its first characters, as found).
    BadTime(String),
    /// A bundle's checklist step this version does not know (its first characters).
    UnknownStep(String),
    /// A bundle's fingerprint of the last push that is not one (its first characters).
    BadFingerprint(String),
}

impl Issue {
    /// A value from a file, cut to what a message shows of it.
    pub fn shown(value: &str) -> String {
        const MAX: usize = 40;
        let mut s: String = value.chars().take(MAX).collect();
        if value.chars().count() > MAX {
            s.push('…');
        }
        s
    }
}

impl Issue {
    /// One value of every variant (every certificate and request error too),
    /// for the test that each text the import can say exists in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<Issue> {
        use IssueDiscriminants as D;
        use strum::IntoEnumIterator;
        let path = || "/home/a/shop/map.toml".to_owned();
        D::iter()
            .flat_map(|d| match d {
                D::Problem => vec![Issue::Problem(Problem::error("appid_empty"))],
                D::BadSiteKind => vec![Issue::BadSiteKind("case3".into())],
                D::PublicKey => vec![Issue::PublicKey("public_key_id_prefix")],
                D::Unreadable => vec![Issue::Unreadable {
                    path: path(),
                    reason: "not found".into(),
                }],
                D::Cert => ImportError::samples()
                    .into_iter()
                    .map(Issue::Cert)
                    .collect(),
                D::Request => crate::domain::cert::request::RequestError::samples()
                    .into_iter()
                    .map(Issue::Request)
                    .collect(),
                D::InsecureUrl => vec![Issue::InsecureUrl("http://10.0.0.1/api".into())],
                D::BadPreset => vec![Issue::BadPreset("wordpress".into())],
                D::BadMapping => vec![Issue::BadMapping {
                    path: path(),
                    reason: "unknown field \"x\"".into(),
                }],
                D::Credential => vec![
                    Issue::Credential {
                        what: "token",
                        problem: super::push::CredentialProblem::Control { position: 3 },
                    },
                    Issue::Credential {
                        what: "token",
                        problem: super::push::CredentialProblem::NotVisibleAscii { position: 3 },
                    },
                    Issue::Credential {
                        what: "token",
                        problem: super::push::CredentialProblem::Empty,
                    },
                ],
                D::BadTime => vec![Issue::BadTime("yesterday".into())],
                D::UnknownStep => vec![Issue::UnknownStep("no_such_step".into())],
                D::BadFingerprint => vec![Issue::BadFingerprint("not a fingerprint".into())],
            })
            .collect()
    }
}

impl Message for Issue {
    fn key(&self) -> String {
        match self {
            Issue::Problem(p) => p.key(),
            Issue::BadSiteKind(_) => "cli.bad_site_kind".into(),
            Issue::PublicKey(code) => format!("check.{code}"),
            Issue::Unreadable { .. } => "cli.cannot_read".into(),
            Issue::Cert(e) => e.key(),
            Issue::Request(e) => e.key(),
            Issue::InsecureUrl(url) => super::push::insecure_url_key(url).into(),
            Issue::BadPreset(_) => "cli.import_bad_preset".into(),
            Issue::BadMapping { .. } => "push.bad_mapping".into(),
            Issue::Credential { problem, .. } => problem.key().into(),
            Issue::BadTime(_) => "import_bundle.bad_time".into(),
            Issue::UnknownStep(_) => "import_bundle.unknown_step".into(),
            Issue::BadFingerprint(_) => "import_bundle.bad_fingerprint".into(),
        }
    }
    /// Every text escaped ([`printable`]): a value, a path, a parser's words
    /// about a file (`unknown field "…"`) all come from a file anyone can write.
    fn args(&self) -> Vec<(&'static str, Arg)> {
        let args = match self {
            Issue::Problem(p) => Message::args(p),
            Issue::BadSiteKind(v)
            | Issue::BadPreset(v)
            | Issue::BadTime(v)
            | Issue::UnknownStep(v)
            | Issue::BadFingerprint(v) => vec![("value", v.as_str().into())],
            Issue::PublicKey(_) => Vec::new(),
            Issue::Unreadable { path, reason } | Issue::BadMapping { path, reason } => vec![
                ("path", path.as_str().into()),
                ("reason", reason.as_str().into()),
            ],
            Issue::Cert(e) => Message::args(e),
            Issue::Request(e) => e.args(),
            Issue::InsecureUrl(url) => vec![("url", url.as_str().into())],
            Issue::Credential { what, problem } => {
                let mut a = vec![("what", Arg::Key(format!("push.what_{what}")))];
                if let Some(position) = problem.position() {
                    a.push(("position", position.to_string().into()));
                }
                a
            }
        };
        args.into_iter().map(|(k, a)| (k, escaped(a))).collect()
    }
}

/// `arg` with every text in it made [`printable`].
fn escaped(arg: Arg) -> Arg {
    match arg {
        Arg::Text(t) => Arg::Text(printable(&t)),
        Arg::List(l) => Arg::List(l.into_iter().map(escaped).collect()),
        Arg::Nested(key, args) => Arg::Nested(
            key,
            args.into_iter().map(|(k, a)| (k, escaped(a))).collect(),
        ),
        key @ Arg::Key(_) => key,
    }
}

/// The keys of the import file, to name the one a TOML error is about.
const KEYS: [&str; 21] = [
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
    "mp_binding_confirmed",
    "oa_binding_confirmed",
    "public_key_id",
    "public_key_pem",
    "backend_url",
    "backend_account",
    "backend_token",
    "backend_preset",
    "backend_mapping",
];

/// The keys that take `true` or `false`, told so when given anything else.
const YES_NO_KEYS: [&str; 3] = [
    "jsapi_enabled",
    "mp_binding_confirmed",
    "oa_binding_confirmed",
];

/// Why nothing was imported.
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
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
    /// A shop whose name differs only in letter case or Unicode form exists:
    /// on Windows the two would be one file; never replaced by this import.
    #[error("a shop named {existing:?} exists")]
    SimilarName { name: String, existing: String },
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

impl ImportFileError {
    /// One value of every variant, each TOML problem and each issue among them
    /// (see [`Issue::samples`]).
    pub fn samples() -> Vec<ImportFileError> {
        use ImportFileErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        let path = || "/home/a/shop.toml".to_owned();
        D::iter()
            .flat_map(|d| match d {
                D::Read => vec![ImportFileError::Read {
                    path: path(),
                    reason: "not found".into(),
                }],
                D::BadToml => TomlProblem::samples()
                    .into_iter()
                    .map(|what| ImportFileError::BadToml {
                        path: path(),
                        line: 3,
                        what,
                    })
                    .collect(),
                D::Exists => vec![ImportFileError::Exists("店".into())],
                D::SimilarName => vec![ImportFileError::SimilarName {
                    name: "S1".into(),
                    existing: "s1".into(),
                }],
                D::WouldDropKey => vec![ImportFileError::WouldDropKey("店".into())],
                D::NoName => vec![ImportFileError::NoName],
                D::BadName => vec![ImportFileError::BadName(Problem::error(
                    "profile_name_empty",
                ))],
                D::Refused => vec![ImportFileError::Refused {
                    path: path(),
                    issues: Issue::samples().into_iter().map(|i| ("mchid", i)).collect(),
                }],
                D::Keychain => StoreError::samples()
                    .into_iter()
                    .map(ImportFileError::Keychain)
                    .collect(),
                D::Storage => StorageError::samples()
                    .into_iter()
                    .map(ImportFileError::Storage)
                    .collect(),
            })
            .collect()
    }
}

impl Message for ImportFileError {
    fn key(&self) -> String {
        match self {
            ImportFileError::Read { .. } => "cli.cannot_read".into(),
            ImportFileError::BadToml { what, .. } => match what {
                TomlProblem::Syntax => "cli.import_bad_toml".into(),
                TomlProblem::BadValue(_) => "cli.import_bad_value".into(),
                TomlProblem::NotYesNo(_) => "cli.import_not_yes_no".into(),
                TomlProblem::UnknownKey(_) => "cli.import_unknown_key".into(),
                TomlProblem::UnknownLine => "cli.import_unknown_line".into(),
                TomlProblem::DuplicateKey(_) => "cli.import_duplicate_key".into(),
            },
            ImportFileError::Exists(_) => "cli.import_exists".into(),
            ImportFileError::SimilarName { .. } => "cli.import_similar_name".into(),
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
                        TomlProblem::Syntax | TomlProblem::UnknownLine => "",
                        TomlProblem::BadValue(k) | TomlProblem::NotYesNo(k) => k,
                        TomlProblem::UnknownKey(k) | TomlProblem::DuplicateKey(k) => k,
                    }
                    .into(),
                ),
            ],
            ImportFileError::Exists(name) | ImportFileError::WouldDropKey(name) => {
                vec![("name", name.as_str().into())]
            }
            ImportFileError::SimilarName { name, existing } => vec![
                ("name", name.as_str().into()),
                ("existing", existing.as_str().into()),
            ],
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
#[derive(Debug, Clone, PartialEq, Eq, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter))]
pub enum TomlProblem {
    /// Not TOML at all.
    Syntax,
    /// One of our keys with a value of the wrong kind (an unquoted number).
    BadValue(&'static str),
    /// One of our yes/no keys with anything but `true` or `false` (`"yes"`, `1`).
    NotYesNo(&'static str),
    /// A key the file does not have (a typo): the key as written, a short
    /// plain name only, close to one of ours.
    UnknownKey(String),
    /// A key the file does not have that reads like no key of ours: told by
    /// its line only (it may be a secret pasted where a key goes).
    UnknownLine,
    /// A key given twice (a short plain name only).
    DuplicateKey(String),
}

impl TomlProblem {
    fn samples() -> Vec<TomlProblem> {
        use TomlProblemDiscriminants as D;
        use strum::IntoEnumIterator;
        D::iter()
            .map(|d| match d {
                D::Syntax => TomlProblem::Syntax,
                D::BadValue => TomlProblem::BadValue("mchid"),
                D::NotYesNo => TomlProblem::NotYesNo("jsapi_enabled"),
                D::UnknownKey => TomlProblem::UnknownKey("mch_id".into()),
                D::UnknownLine => TomlProblem::UnknownLine,
                D::DuplicateKey => TomlProblem::DuplicateKey("mchid".into()),
            })
            .collect()
    }
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
        && let Some(k) = key.filter(|k| reads_like_ours(k))
    {
        return TomlProblem::DuplicateKey(k.to_owned());
    }
    if let Some(ours) = key.and_then(|k| YES_NO_KEYS.into_iter().find(|o| *o == k)) {
        return TomlProblem::NotYesNo(ours);
    }
    if let Some(ours) = key.and_then(|k| KEYS.into_iter().find(|o| *o == k)) {
        return TomlProblem::BadValue(ours);
    }
    match key {
        Some(k) if message.starts_with("unknown field") && reads_like_ours(k) => {
            TomlProblem::UnknownKey(k.to_owned())
        }
        // a secret pasted where a key goes is never repeated
        Some(_) if message.starts_with("unknown field") => TomlProblem::UnknownLine,
        _ => TomlProblem::Syntax,
    }
}

/// Whether an unknown key reads like a typo of one of ours (`mch_id`,
/// `api_key_3`), so that it can be shown: at most 3 edits from one of our keys,
/// once case, `-` and `_` are set aside. Anything else may be a secret.
fn reads_like_ours(key: &str) -> bool {
    let plain = |s: &str| -> Vec<u8> {
        s.bytes()
            .filter(|b| *b != b'_' && *b != b'-')
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
    let k = plain(key);
    KEYS.iter().any(|ours| edit_distance(&k, &plain(ours)) <= 3)
}

/// Levenshtein distance (the keys are short).
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (up + 1).min(row[j] + 1).min(diag + usize::from(ca != cb));
            diag = up;
        }
    }
    row[b.len()]
}

/// Paths in the file are relative to the file, as a person writing it would
/// expect, and made absolute now: a path kept in the profile (the mapping) is
/// read later by the push, from whatever folder it runs in (`profile import
/// shop.toml` gives the file as `shop.toml`, whose folder is "").
fn beside(file: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_relative() {
        file.parent().unwrap_or(Path::new("")).join(path)
    } else {
        path.to_path_buf()
    };
    std::path::absolute(&joined).unwrap_or(joined)
}

fn import(
    ctx: &Ctx,
    mut input: ImportFile,
    file: &Path,
    existing: Existing,
) -> Result<Imported, ImportFileError> {
    let name = input.name.clone().ok_or(ImportFileError::NoName)?;
    check_profile_name(&name).map_err(ImportFileError::BadName)?;
    let name = normalize_profile_name(&name);
    // held to the end: another import or a delete of this shop waits
    let _lock = ctx.lock(&name)?;
    if let Some(existing) = ctx.profiles.taken(&name).filter(|t| *t != name) {
        return Err(ImportFileError::SimilarName { name, existing });
    }
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
    let stored: Vec<SecretField> = secrets.keys().copied().collect();
    if secrets.contains_key(&SecretField::BackendToken) {
        // the file pairs the token with its address; without one, it goes to the
        // first address that accepts it and only there from then on
        profile.backend_token_origin = crate::domain::kept::origin(&profile.backend_url)
            .unwrap_or_else(|| crate::domain::kept::UNSENT.to_owned());
    }
    if existed {
        keep_backend(ctx, &input, &mut profile, &mut secrets)?;
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
        secrets: stored,
        file_has_secrets,
        name,
    })
}

/// A replace keeps the backend settings the file does not give (the shop
/// system with its mapping, the address, the admin account), so the next push
/// needs no new answers. The admin password and the token a push kept go with
/// them only while the file changes none of address, system and account: a
/// credential kept for one backend is never sent to another.
fn keep_backend(
    ctx: &Ctx,
    input: &ImportFile,
    profile: &mut Profile,
    secrets: &mut Secrets,
) -> Result<(), ImportFileError> {
    let Ok(old) = ctx.profiles.load(&profile.name) else {
        return Ok(());
    };
    if input.backend_preset.is_none() && input.backend_mapping.is_none() {
        profile.backend_preset = old.backend_preset;
        profile.backend_mapping_file = old.backend_mapping_file.clone();
    }
    if input.backend_url.is_none() {
        profile.backend_url = old.backend_url.clone();
    }
    if input.backend_account.is_none() {
        profile.backend_account = old.backend_account.clone();
    }
    let same_backend = profile.backend_url == old.backend_url
        && profile.backend_preset == old.backend_preset
        && profile.backend_account == old.backend_account;
    if !same_backend {
        return Ok(());
    }
    for field in [SecretField::BackendPassword, SecretField::BackendToken] {
        if secrets.contains_key(&field) {
            continue;
        }
        if let Some(kept) = ctx
            .with_keychain(|k| k.get(&profile.name, field))?
            .filter(|v| !v.is_empty())
        {
            secrets.insert(field, kept);
            // with the address it was accepted at
            match field {
                SecretField::BackendPassword => {
                    profile.backend_password_origin = old.backend_password_origin.clone()
                }
                _ => profile.backend_token_origin = old.backend_token_origin.clone(),
            }
        }
    }
    Ok(())
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
    // for the AppID and MCHID as imported: a later edit of either undoes it
    use crate::domain::check::{CheckId, set_confirmed};
    for (id, on) in [
        (CheckId::BindingMp, input.mp_binding_confirmed),
        (CheckId::BindingOa, input.oa_binding_confirmed),
    ] {
        if let Some(on) = on {
            set_confirmed(profile, id, on);
        }
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
        let chars = fields::check_backend_url_chars(url);
        if !chars.is_empty() {
            issues.extend(
                chars
                    .into_iter()
                    .map(|p| ("backend_url", Issue::Problem(p))),
            );
        } else {
            match crate::services::wechat_http::check_base_url(url) {
                Ok(()) => profile.backend_url = url.trim().to_owned(),
                Err(_) => issues.push((
                    "backend_url",
                    Issue::InsecureUrl(crate::services::wechat_http::redact_url(url)),
                )),
            }
        }
    }
    if let Some(account) = &input.backend_account {
        let problems = fields::check_backend_account(account);
        if problems.is_empty() {
            profile.backend_account = account.trim().to_owned();
        }
        issues.extend(
            problems
                .into_iter()
                .map(|p| ("backend_account", Issue::Problem(p))),
        );
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
pub(super) fn secret_issues(profile: &Profile, secrets: &Secrets) -> Vec<(&'static str, Issue)> {
    let fid = |f: SecretField| match f {
        SecretField::MpAppSecret => Some(FieldId::MpAppSecret),
        SecretField::ApiKeyV2 => Some(FieldId::ApiKeyV2),
        SecretField::ApiKeyV3 => Some(FieldId::ApiKeyV3),
        SecretField::OaAppSecret => Some(FieldId::OaAppSecret),
        SecretField::PrivateKey
        | SecretField::BackendToken
        | SecretField::BackendPassword
        | SecretField::PendingPrivateKey => None,
    };
    let mut issues = Vec::new();
    // a token or password is sent in a header or a form: one that is empty, or has
    // a control character (a pasted CR/LF, an escape) or, a token, a character
    // that is not visible ASCII (a no-break space, U+2028) could never be sent as
    // it is meant, and is refused as `--token-file` refuses it
    for (f, what) in [
        (SecretField::BackendToken, "token"),
        (SecretField::BackendPassword, "password"),
    ] {
        if let Some(s) = secrets.get(&f)
            && let Err(problem) = super::push::check_input(what, s.expose())
        {
            issues.push((f.key(), Issue::Credential { what, problem }));
        }
    }
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

    /// Issue 18 item 9: a secret pasted where a key goes was echoed as the
    /// "unknown key"; only a key that reads like a typo of ours is shown.
    #[test]
    fn an_unknown_key_that_may_be_a_secret_is_told_by_its_line_only() {
        for (text, line) in [
            ("name = \"a\"\nZq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e = \"\"\n", 2),
            ("name = \"a\"\n\n0123456789abcdef0123456789abcdef = 1\n", 3),
            ("hunter2 = \"x\"\nname = \"a\"\n", 1),
        ] {
            let Err(got) = parse(text) else {
                panic!("{text} parsed")
            };
            assert_eq!(got, (line, TomlProblem::UnknownLine), "{text}");
            let e = ImportFileError::BadToml {
                path: "shop.toml".into(),
                line,
                what: got.1,
            };
            for lang in crate::i18n::Lang::ALL {
                let shown = crate::i18n::Tr(lang).msg(&e);
                for secret in [
                    "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e",
                    "0123456789abcdef",
                    "hunter2",
                ] {
                    assert!(!shown.contains(secret), "{shown}");
                }
                assert!(shown.contains(&line.to_string()), "{shown}");
            }
        }
        // a typo of one of our keys is still named
        assert_eq!(
            parse("name = \"a\"\nmch_id = \"1\"\n").err().unwrap(),
            (2, TomlProblem::UnknownKey("mch_id".into()))
        );
        assert_eq!(
            parse("name = \"a\"\napi_key_3 = \"1\"\n").err().unwrap(),
            (2, TomlProblem::UnknownKey("api_key_3".into()))
        );
    }

    /// Issue 18 item 8: `s1`/`S1` and NFC/NFD `café` cannot exist side by side.
    #[test]
    fn a_name_that_differs_only_in_case_or_unicode_form_is_another_shops() {
        let (ctx, _) = fake_ctx();
        let dir = tempfile::tempdir().unwrap();
        import_file(&ctx, &write(dir.path(), "name = \"s1\"\n"), false).unwrap();
        for replace in [false, true] {
            let e = import_file(&ctx, &write(dir.path(), "name = \"S1\"\n"), replace).unwrap_err();
            assert!(
                matches!(&e, ImportFileError::SimilarName { existing, .. } if existing == "s1"),
                "{e:?}"
            );
        }
        // a decomposed name is kept composed, and its composed twin is the same shop
        let done =
            import_file(&ctx, &write(dir.path(), "name = \"cafe\\u0301\"\n"), false).unwrap();
        assert_eq!(done.name, "caf\u{e9}");
        assert!(ctx.profiles.exists("caf\u{e9}"));
        let e =
            import_file(&ctx, &write(dir.path(), "name = \"CAF\\u00c9\"\n"), false).unwrap_err();
        assert!(matches!(e, ImportFileError::SimilarName { .. }), "{e:?}");
        assert_eq!(ctx.profiles.list().unwrap(), ["caf\u{e9}", "s1"]);
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
