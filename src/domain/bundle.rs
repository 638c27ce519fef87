//! The config bundle: one zip a merchant can hand to whoever sets up the shop,
//! or an agent uses to move a shop to another computer (`import-bundle` gets
//! every setting back). Non-secret values, the certificate and a custom field
//! mapping are readable; secrets and the private key are present only on
//! request, and then only as AES-256 encrypted entries, which 7-Zip and most
//! unzip tools open with the passphrase.
//!
//! WinZip AE-1, not AE-2: the zip crate (9.x, `update_aes_extra_field`) writes
//! AE-2 only for entries under 20 bytes and switches every larger entry to AE-1
//! when the output can seek, which keeps the CRC-32 of the plaintext in clear
//! (AE-2 leaves it out); the crate has no option to choose. Over the random
//! secrets inside, the CRC gives nothing usable: a passphrase can already be
//! tested offline against the entry's authentication code, with or without it.
//! We do not write the encryption ourselves.
//!
//! When secrets are included, the whole profile travels again inside the
//! encrypted secrets entry, and `import-bundle` takes it from there: the AES
//! authentication code then covers where the backend push goes (its URL, preset
//! and mapping), so an altered readable config cannot redirect the secrets.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, ZipWriter};

use super::backend_form::{CERT_FILE_NAME, FormValue, KEY_FILE_NAME, backend_form};
use super::problem::Problem;
use super::profile::{Profile, SecretField};
use super::secret::Secret;
use crate::i18n::{Lang, Tr};

pub const FORMAT: &str = "wxpay-setup-bundle/1";
pub const CONFIG_NAME: &str = "wxpay-setup.toml";
pub const SECRETS_NAME: &str = "secrets.toml";
pub const README_NAME: &str = "README.txt";
/// The key of a certificate request still waiting for its certificate (issue
/// 11), encrypted like `apiclient_key.pem`: the shop can take the certificate
/// on the computer it moved to.
pub const PENDING_KEY_NAME: &str = "pending_request_key.pem";
/// A custom backend field mapping (its text: a path means nothing on another computer).
pub const MAPPING_NAME: &str = "backend_mapping.toml";
/// The key of the mapping text and of the whole profile inside the encrypted secrets entry.
const SEALED_MAPPING_KEY: &str = "backend_mapping";
const SEALED_PROFILE_KEY: &str = "profile";
pub const PASSPHRASE_MIN_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("toml: {0}")]
    Toml(#[from] toml::ser::Error),
    #[error("the passphrase is too weak")]
    WeakPassphrase,
}

/// Secrets to include, with the passphrase that encrypts them.
pub struct SecretPart<'a> {
    pub secrets: &'a BTreeMap<SecretField, Secret>,
    pub passphrase: &'a Secret,
}

pub fn check_passphrase(passphrase: &Secret, confirm: &Secret) -> Vec<Problem> {
    let n = passphrase.expose().chars().count();
    if n < PASSPHRASE_MIN_CHARS {
        return vec![Problem::error("passphrase_short").with("min", PASSPHRASE_MIN_CHARS)];
    }
    if passphrase.expose() != confirm.expose() {
        return vec![Problem::error("passphrase_mismatch")];
    }
    Vec::new()
}

#[derive(Serialize)]
struct BundleConfig<'a> {
    format: &'static str,
    created_at: String,
    name: &'a str,
    site_kind: Option<&'static str>,
    payment_name: &'a str,
    mp_appid: &'a str,
    mchid: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    oa_appid: &'a str,
    jsapi_enabled: bool,
    secrets_included: bool,
    /// The entry holding the custom field mapping, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_mapping: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<BundleCert<'a>>,
    /// Every other setting, for `import-bundle` (the keys above are for people).
    profile: Profile,
}

/// What the encrypted secrets entry carries besides the secrets.
#[derive(Serialize)]
struct Sealed<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_mapping: Option<&'a str>,
    profile: &'a Profile,
}

/// The profile as it travels in the readable config: the certificate and the
/// mapping have their own entries, and check results stay behind (their
/// fingerprints are keyed by the salt and cover secrets, so they travel only
/// under the passphrase, where the secrets that make them valid are).
fn readable_profile(profile: &Profile) -> Profile {
    Profile {
        certificate: None,
        // its key travels only under the passphrase: without it the request is useless
        pending_cert_request: None,
        backend_mapping_file: String::new(),
        checks: Default::default(),
        passes: Default::default(),
        fingerprint_salt: String::new(),
        ..profile.clone()
    }
}

/// The profile as it travels under the passphrase: everything but the mapping
/// path, which means nothing on another computer (the mapping text travels).
fn sealed_profile(profile: &Profile) -> Profile {
    Profile {
        backend_mapping_file: String::new(),
        ..profile.clone()
    }
}
#[derive(Serialize)]
struct BundleCert<'a> {
    file: &'static str,
    serial: &'a str,
    not_after: &'a str,
    mchid: Option<&'a str>,
    company: Option<&'a str>,
}

/// Writes the bundle. The writer is typically a temp file renamed into place by the caller.
/// `mapping` is the text of the profile's custom field mapping, read by the caller.
pub fn write_bundle<W: Write + Seek>(
    out: W,
    profile: &Profile,
    mapping: Option<&str>,
    secrets: Option<SecretPart<'_>>,
    now_rfc3339: &str,
) -> Result<W, BundleError> {
    if let Some(part) = &secrets
        && part.passphrase.expose().chars().count() < PASSPHRASE_MIN_CHARS
    {
        return Err(BundleError::WeakPassphrase);
    }
    let mut zip = ZipWriter::new(out);
    let plain = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);

    let config = BundleConfig {
        format: FORMAT,
        created_at: now_rfc3339.to_owned(),
        name: &profile.name,
        site_kind: profile.site_kind.map(|k| k.as_str()),
        payment_name: profile.payment_name.trim(),
        mp_appid: profile.mp_appid.trim(),
        mchid: profile.mchid.trim(),
        oa_appid: if profile.site_kind_or_default().needs_service_account() {
            profile.oa_appid.trim()
        } else {
            ""
        },
        jsapi_enabled: profile.jsapi_enabled,
        secrets_included: secrets.is_some(),
        backend_mapping: mapping.map(|_| MAPPING_NAME),
        certificate: profile.certificate.as_ref().map(|c| BundleCert {
            file: CERT_FILE_NAME,
            serial: &c.serial,
            not_after: &c.not_after,
            mchid: c.mchid.as_deref(),
            company: c.company.as_deref(),
        }),
        profile: readable_profile(profile),
    };
    zip.start_file(CONFIG_NAME, plain)?;
    zip.write_all(toml::to_string_pretty(&config)?.as_bytes())?;

    if let Some(text) = mapping {
        zip.start_file(MAPPING_NAME, plain)?;
        zip.write_all(text.as_bytes())?;
    }

    if let Some(cert) = &profile.certificate {
        zip.start_file(CERT_FILE_NAME, plain)?;
        zip.write_all(cert.certificate_pem.as_bytes())?;
    }

    zip.start_file(README_NAME, plain)?;
    let readme = render_readme(profile, secrets.is_some());
    zip.write_all(readme.as_bytes())?;

    if let Some(part) = secrets {
        let pass = part.passphrase.expose();
        // A fresh random salt per entry (the crate's default) avoids keystream reuse.
        // AES-256, written as AE-1 by the crate for entries of 20 bytes or more (see the header).
        let enc = plain
            .unix_permissions(0o600)
            .with_aes_encryption(AesMode::Aes256, pass);
        let mut text = Secret::new(String::new());
        for f in [
            SecretField::MpAppSecret,
            SecretField::ApiKeyV2,
            SecretField::ApiKeyV3,
            SecretField::OaAppSecret,
            SecretField::BackendToken,
        ] {
            if let Some(v) = part.secrets.get(&f).filter(|v| !v.is_empty()) {
                let line = format!("{} = {}\n", f.key(), toml_string(v.expose().trim()));
                text.expose_mut().push_str(&line);
                zeroize::Zeroize::zeroize(&mut line.into_bytes());
            }
        }
        // then the whole profile (tables after the keys above, as TOML wants)
        let sealed = Sealed {
            backend_mapping: mapping,
            profile: &sealed_profile(profile),
        };
        text.expose_mut().push('\n');
        text.expose_mut()
            .push_str(&toml::to_string_pretty(&sealed)?);
        zip.start_file(SECRETS_NAME, enc)?;
        zip.write_all(text.expose().as_bytes())?;
        if let Some(key) = part
            .secrets
            .get(&SecretField::PrivateKey)
            .filter(|k| !k.is_empty())
        {
            zip.start_file(KEY_FILE_NAME, enc)?;
            zip.write_all(key.expose().as_bytes())?;
        }
        if let Some(key) = part
            .secrets
            .get(&SecretField::PendingPrivateKey)
            .filter(|k| !k.is_empty() && profile.pending_cert_request.is_some())
        {
            zip.start_file(PENDING_KEY_NAME, enc)?;
            zip.write_all(key.expose().as_bytes())?;
        }
    }
    Ok(zip.finish()?)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The bilingual README: Chinese first, then English, each telling which value goes where.
pub fn render_readme(profile: &Profile, secrets_included: bool) -> String {
    let mut out = String::new();
    for lang in Lang::ALL {
        let tr = Tr(lang);
        out.push_str(&tr.tf("bundle.readme.title", &[("name", profile.name.clone())]));
        out.push_str("\n\n");
        out.push_str(tr.t("bundle.readme.intro"));
        out.push_str("\n\n");
        for row in backend_form(profile.site_kind_or_default()) {
            let value = match row.value {
                FormValue::Field(f) if f.secret().is_some() => {
                    if secrets_included {
                        tr.tf(
                            "bundle.readme.secret_in_file",
                            &[("file", SECRETS_NAME.into()), ("key", f.key().into())],
                        )
                    } else {
                        tr.t("bundle.readme.secret_not_included").to_owned()
                    }
                }
                FormValue::Field(f) => {
                    let v = plain_value(profile, f);
                    if v.is_empty() {
                        tr.t("bundle.readme.missing").to_owned()
                    } else {
                        v.to_owned()
                    }
                }
                FormValue::CertificateFile => {
                    if profile.certificate.is_some() {
                        tr.tf("bundle.readme.upload", &[("file", CERT_FILE_NAME.into())])
                    } else {
                        tr.t("bundle.readme.missing").to_owned()
                    }
                }
                FormValue::PrivateKeyFile => {
                    if secrets_included {
                        tr.tf(
                            "bundle.readme.upload_encrypted",
                            &[("file", KEY_FILE_NAME.into())],
                        )
                    } else {
                        tr.tf(
                            "bundle.readme.key_not_included",
                            &[("file", KEY_FILE_NAME.into())],
                        )
                    }
                }
            };
            out.push_str(&format!("  {}\n      -> {}\n", row.label, value));
        }
        out.push('\n');
        out.push_str(tr.t("bundle.readme.swapped"));
        out.push_str("\n\n");
        if secrets_included {
            out.push_str(tr.t("bundle.readme.encrypted_note"));
            out.push_str("\n\n");
        }
        out.push_str("----------------------------------------\n\n");
    }
    out
}

pub fn plain_value(profile: &Profile, f: super::fields::FieldId) -> &str {
    use super::fields::FieldId;
    match f {
        FieldId::PaymentName => profile.payment_name.trim(),
        FieldId::MpAppId => profile.mp_appid.trim(),
        FieldId::MchId => profile.mchid.trim(),
        FieldId::OaAppId => profile.oa_appid.trim(),
        _ => "",
    }
}

/// Why a bundle could not be imported. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum BundleReadError {
    /// A pipe, a device, a socket: reading it could hang or never end.
    #[error("not a regular file")]
    NotAFile,
    #[error("not a zip")]
    NotAZip,
    #[error("not a wxpay-setup bundle")]
    NotABundle,
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("a passphrase is needed")]
    PassphraseNeeded,
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// A secrets entry that is not AES-encrypted (so not authenticated by the
    /// passphrase): the bundle was altered or not made by us.
    #[error("the secrets are not encrypted")]
    Unprotected,
    /// Two entries of one name (two `wxpay-setup.toml`): which one counts
    /// would depend on the reader; ours never writes such a zip.
    #[error("duplicate entries")]
    DuplicateEntries,
}

impl BundleReadError {
    /// The longest detail kept of what made a bundle unreadable.
    pub const DETAIL_MAX_CHARS: usize = 300;

    /// [`BundleReadError::Damaged`] with its detail made safe to show: the
    /// parser's words quote the bundle's own text (`unknown variant `…``), which
    /// anyone can write, so they are escaped ([`super::text::printable`]) and cut
    /// at [`Self::DETAIL_MAX_CHARS`] wherever they are shown later.
    pub fn damaged(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        let mut kept: String = detail.chars().take(Self::DETAIL_MAX_CHARS).collect();
        if kept.len() < detail.len() {
            kept.push('…');
        }
        BundleReadError::Damaged(super::text::printable(&kept))
    }

    /// One value of every variant, for the test that each has a text in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<BundleReadError> {
        use BundleReadErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        D::iter()
            .map(|d| match d {
                D::NotAFile => BundleReadError::NotAFile,
                D::NotAZip => BundleReadError::NotAZip,
                D::NotABundle => BundleReadError::NotABundle,
                D::Damaged => BundleReadError::Damaged("config.toml: bad format".into()),
                D::PassphraseNeeded => BundleReadError::PassphraseNeeded,
                D::WrongPassphrase => BundleReadError::WrongPassphrase,
                D::Unprotected => BundleReadError::Unprotected,
                D::DuplicateEntries => BundleReadError::DuplicateEntries,
            })
            .collect()
    }

    pub fn code(&self) -> &'static str {
        match self {
            BundleReadError::NotAFile => "bundle_not_a_file",
            BundleReadError::NotAZip => "bundle_not_zip",
            BundleReadError::NotABundle => "bundle_not_ours",
            BundleReadError::Damaged(_) => "bundle_damaged",
            BundleReadError::PassphraseNeeded => "bundle_passphrase_needed",
            BundleReadError::WrongPassphrase => "bundle_wrong_passphrase",
            BundleReadError::Unprotected => "bundle_unprotected",
            BundleReadError::DuplicateEntries => "bundle_duplicate_entries",
        }
    }
}

impl crate::i18n::Message for BundleReadError {
    fn key(&self) -> String {
        format!("import_bundle.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        // escaped again: a detail made without `damaged` is safe too
        vec![("detail", super::text::printable(&self.to_string()).into())]
    }
}

#[derive(serde::Deserialize)]
struct BundleConfigIn {
    format: String,
    name: String,
    site_kind: Option<String>,
    #[serde(default)]
    payment_name: String,
    #[serde(default)]
    mp_appid: String,
    #[serde(default)]
    mchid: String,
    #[serde(default)]
    oa_appid: String,
    #[serde(default)]
    jsapi_enabled: bool,
    #[serde(default)]
    secrets_included: bool,
    /// Absent from bundles made before settings travelled whole.
    profile: Option<Profile>,
}

/// What a bundle gives back.
pub struct ImportedBundle {
    /// Every setting; `backend_mapping_file` is empty: the caller writes
    /// [`ImportedBundle::mapping`] to a file of its own and points it there.
    pub profile: Profile,
    pub secrets: BTreeMap<SecretField, Secret>,
    /// The text of the custom field mapping, when the bundle has one.
    pub mapping: Option<String>,
}

/// Whether a bundle holds encrypted secrets (so the caller asks for the
/// passphrase). The bundle comes in opened (`services::files` opens paths).
pub fn bundle_needs_passphrase<R: Read + Seek>(bundle: R) -> Result<bool, BundleReadError> {
    let mut zip = open_zip(bundle)?;
    Ok(read_config(&mut zip)?.secrets_included)
}

fn open_zip<R: Read + Seek>(bundle: R) -> Result<zip::ZipArchive<R>, BundleReadError> {
    let zip = zip::ZipArchive::new(bundle).map_err(|_| BundleReadError::NotAZip)?;
    // the zip crate keeps the last of two entries of one name; another reader the first
    if zip.has_duplicate_names() {
        return Err(BundleReadError::DuplicateEntries);
    }
    Ok(zip)
}

const MAX_PART: u64 = 1024 * 1024;

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    pass: Option<&Secret>,
) -> Result<Option<String>, BundleReadError> {
    if pass.is_some() {
        // The zip crate reads an entry that is not encrypted as it is, ignoring
        // the passphrase: a secret counts only when it is AES-encrypted, so that
        // its authentication code proves it was written with this passphrase.
        let Some(index) = zip.index_for_name(name) else {
            return Ok(None);
        };
        match zip.get_aes_verification_key_and_salt(index) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(BundleReadError::Unprotected),
            Err(e) => return Err(BundleReadError::damaged(e.to_string())),
        }
    }
    let entry = match pass {
        Some(p) => zip.by_name_decrypt(name, p.expose().as_bytes()),
        None => zip.by_name(name),
    };
    let entry = match entry {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::InvalidPassword) => {
            return Err(BundleReadError::WrongPassphrase);
        }
        Err(zip::result::ZipError::UnsupportedArchive(m))
            if m.to_lowercase().contains("password") =>
        {
            return Err(BundleReadError::PassphraseNeeded);
        }
        Err(e) => return Err(BundleReadError::damaged(e.to_string())),
    };
    let mut text = String::new();
    // One byte past the limit: the AES authentication code is checked when the
    // entry is read to its end, so an entry cut short by the limit is refused
    // rather than returned unauthenticated.
    entry
        .take(MAX_PART + 1)
        .read_to_string(&mut text)
        // AES entries end with an authentication code: a wrong key fails here
        .map_err(|e| {
            if pass.is_some() {
                BundleReadError::WrongPassphrase
            } else {
                BundleReadError::damaged(e.to_string())
            }
        })?;
    if text.len() as u64 > MAX_PART {
        return Err(BundleReadError::damaged(format!("{name}: too large")));
    }
    Ok(Some(text))
}

fn read_config<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<BundleConfigIn, BundleReadError> {
    let text = read_entry(zip, CONFIG_NAME, None)?.ok_or(BundleReadError::NotABundle)?;
    let config: BundleConfigIn =
        toml::from_str(&text).map_err(|e| BundleReadError::damaged(e.message().to_owned()))?;
    if config.format != FORMAT {
        return Err(BundleReadError::NotABundle);
    }
    Ok(config)
}

/// A mapping is written to a file on import: only one the push can use.
fn check_mapping(text: Option<&str>) -> Result<(), BundleReadError> {
    match text.map(super::push::parse_mapping) {
        Some(Err(e)) => Err(BundleReadError::damaged(format!("{MAPPING_NAME}: {e}"))),
        _ => Ok(()),
    }
}

/// Reads a bundle made by [`write_bundle`]. With secrets inside, `passphrase`
/// is required and checked (AES authentication) before anything is returned.
/// `source` names where it came from (shown as the certificate's source).
pub fn read_bundle<R: Read + Seek>(
    bundle: R,
    source: &str,
    passphrase: Option<&Secret>,
) -> Result<ImportedBundle, BundleReadError> {
    let mut zip = open_zip(bundle)?;
    let config = read_config(&mut zip)?;
    let mut secrets = BTreeMap::new();
    let mut sealed: Option<(Profile, Option<String>)> = None;
    if config.secrets_included {
        let pass = passphrase
            .filter(|p| !p.is_empty())
            .ok_or(BundleReadError::PassphraseNeeded)?;
        // a bundle that says it holds secrets proves the passphrase with this entry
        let text = zeroize::Zeroizing::new(
            read_entry(&mut zip, SECRETS_NAME, Some(pass))?
                .ok_or_else(|| BundleReadError::damaged(format!("{SECRETS_NAME} missing")))?,
        );
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| BundleReadError::damaged(e.message().to_owned()))?;
        for f in SecretField::ALL {
            if let Some(v) = table.get(f.key()).and_then(|v| v.as_str()) {
                secrets.insert(f, Secret::new(v));
            }
        }
        if let Some(key) = read_entry(&mut zip, super::backend_form::KEY_FILE_NAME, Some(pass))? {
            secrets.insert(SecretField::PrivateKey, Secret::new(key));
        }
        if let Some(key) = read_entry(&mut zip, PENDING_KEY_NAME, Some(pass))? {
            secrets.insert(SecretField::PendingPrivateKey, Secret::new(key));
        }
        if let Some(p) = table.get(SEALED_PROFILE_KEY) {
            let profile: Profile = p
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| BundleReadError::damaged(e.message().to_owned()))?;
            let mapping = table
                .get(SEALED_MAPPING_KEY)
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            sealed = Some((profile, mapping));
        }
    }
    // Under the passphrase: the whole profile as it was, authenticated.
    if let Some((mut profile, mapping)) = sealed {
        check_mapping(mapping.as_deref())?;
        profile.backend_mapping_file.clear();
        if let Some(c) = &mut profile.certificate {
            c.source = source.to_owned();
        }
        profile.ensure_fingerprint_salt();
        return Ok(ImportedBundle {
            profile,
            secrets,
            mapping,
        });
    }
    // Readable: the settings of the config, from its [profile] table when the
    // bundle has one, else (older bundles) from the keys for people.
    let mut profile = match config.profile {
        Some(mut p) => {
            p.certificate = None;
            p.pending_cert_request = None;
            p.backend_mapping_file.clear();
            p.checks.clear();
            p.passes.clear();
            p.fingerprint_salt.clear();
            p
        }
        None => {
            let mut p = Profile::new(&config.name);
            p.site_kind = config
                .site_kind
                .as_deref()
                .and_then(super::profile::SiteKind::parse);
            p.payment_name = config.payment_name;
            p.mp_appid = config.mp_appid;
            p.mchid = config.mchid;
            p.oa_appid = config.oa_appid;
            p.jsapi_enabled = config.jsapi_enabled;
            p
        }
    };
    profile.ensure_fingerprint_salt();
    let mapping = read_entry(&mut zip, MAPPING_NAME, None)?;
    check_mapping(mapping.as_deref())?;
    if let Some(cert) = read_entry(&mut zip, super::backend_form::CERT_FILE_NAME, None)? {
        let mut files = vec![super::cert::archive::SourceFile {
            name: "apiclient_cert.pem".into(),
            bytes: cert.into_bytes(),
        }];
        if let Some(k) = secrets.get(&SecretField::PrivateKey) {
            files.push(super::cert::archive::SourceFile {
                name: "apiclient_key.pem".into(),
                bytes: k.expose().as_bytes().to_vec(),
            });
        }
        let imported = super::cert::import_files(&files)
            .map_err(|e| BundleReadError::damaged(e.to_string()))?;
        let mut summary = imported.summary;
        summary.source = source.to_owned();
        profile.certificate = Some(summary);
    }
    Ok(ImportedBundle {
        profile,
        secrets,
        mapping,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn pass(s: &str) -> Secret {
        Secret::new(s)
    }

    /// A bundle put together by hand, as an attacker would: our config with
    /// `secrets_included`, and a secrets entry written in the clear.
    fn hand_built_bundle(secrets_entry: zip::write::SimpleFileOptions) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let plain = SimpleFileOptions::default();
        zip.start_file(CONFIG_NAME, plain).unwrap();
        zip.write_all(
            format!("format = \"{FORMAT}\"\nname = \"店\"\nmchid = \"1900006031\"\nsecrets_included = true\n")
                .as_bytes(),
        )
        .unwrap();
        zip.start_file(SECRETS_NAME, secrets_entry).unwrap();
        zip.write_all(b"api_key_v2 = \"AttackerKeyAttackerKeyAttacker32\"\n")
            .unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_plaintext_secrets_entry_is_refused_whatever_the_passphrase() {
        let bytes = hand_built_bundle(SimpleFileOptions::default());
        for p in ["any-passphrase", "another one"] {
            let r = read_bundle(Cursor::new(&bytes), "x.zip", Some(&pass(p)));
            assert!(
                matches!(r, Err(BundleReadError::Unprotected)),
                "accepted with {p:?}: {:?}",
                r.map(|b| b.secrets.keys().copied().collect::<Vec<_>>())
            );
        }
    }

    /// Without its secrets entry, nothing would check the passphrase: any
    /// would do, and the readable settings would be taken as they are.
    #[test]
    fn a_bundle_announcing_secrets_without_its_secrets_entry_is_refused() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(CONFIG_NAME, SimpleFileOptions::default())
            .unwrap();
        zip.write_all(
            format!("format = \"{FORMAT}\"\nname = \"店\"\nsecrets_included = true\n").as_bytes(),
        )
        .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let r = read_bundle(Cursor::new(&bytes), "x.zip", Some(&pass("any-passphrase")));
        assert!(matches!(r, Err(BundleReadError::Damaged(_))));
    }

    /// A bundle made before settings travelled whole (no `[profile]` table in
    /// the config nor in the secrets) still imports, from the keys for people.
    #[test]
    fn an_older_bundle_still_imports() {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(CONFIG_NAME, SimpleFileOptions::default())
            .unwrap();
        zip.write_all(
            format!(
                "format = \"{FORMAT}\"\nname = \"老店\"\nsite_kind = \"mini_program\"\n\
                 mchid = \"1900006031\"\nsecrets_included = true\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let enc =
            SimpleFileOptions::default().with_aes_encryption(AesMode::Aes256, "old-passphrase");
        zip.start_file(SECRETS_NAME, enc).unwrap();
        zip.write_all(b"api_key_v2 = \"Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e\"\n")
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let b = read_bundle(
            Cursor::new(&bytes),
            "old.zip",
            Some(&pass("old-passphrase")),
        )
        .unwrap();
        assert_eq!(b.profile.name, "老店");
        assert_eq!(b.profile.mchid, "1900006031");
        assert_eq!(
            b.profile.site_kind,
            Some(super::super::profile::SiteKind::MiniProgram)
        );
        assert_eq!(b.profile.fingerprint_salt.len(), 32);
        assert_eq!(
            b.secrets[&SecretField::ApiKeyV2].expose(),
            "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"
        );
        assert!(b.mapping.is_none());
        assert!(matches!(
            read_bundle(
                Cursor::new(&bytes),
                "old.zip",
                Some(&pass("wrong-passphrase"))
            ),
            Err(BundleReadError::WrongPassphrase)
        ));
    }
}
