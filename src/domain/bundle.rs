//! The config bundle: one zip a merchant can hand to whoever sets up the shop.
//! Non-secret values and the certificate are readable; secrets and the private
//! key are present only on request, and then only as AES-256 encrypted entries
//! (WinZip AE-2, which 7-Zip and most unzip tools open with the passphrase).

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
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<BundleCert<'a>>,
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
pub fn write_bundle<W: Write + Seek>(
    out: W,
    profile: &Profile,
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
        certificate: profile.certificate.as_ref().map(|c| BundleCert {
            file: CERT_FILE_NAME,
            serial: &c.serial,
            not_after: &c.not_after,
            mchid: c.mchid.as_deref(),
            company: c.company.as_deref(),
        }),
    };
    zip.start_file(CONFIG_NAME, plain)?;
    zip.write_all(toml::to_string_pretty(&config)?.as_bytes())?;

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
        let enc = plain
            .unix_permissions(0o600)
            .with_aes_encryption(AesMode::Aes256, pass);
        let mut text = Secret::new(String::new());
        for f in [
            SecretField::MpAppSecret,
            SecretField::ApiKeyV2,
            SecretField::ApiKeyV3,
            SecretField::OaAppSecret,
        ] {
            if let Some(v) = part.secrets.get(&f).filter(|v| !v.is_empty()) {
                let line = format!("{} = {}\n", f.key(), toml_string(v.expose().trim()));
                text.expose_mut().push_str(&line);
                zeroize::Zeroize::zeroize(&mut line.into_bytes());
            }
        }
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
}

impl BundleReadError {
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
        }
    }
}

impl crate::i18n::Message for BundleReadError {
    fn key(&self) -> String {
        format!("import_bundle.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        vec![("detail", self.to_string().into())]
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
}

/// What a bundle gives back.
pub struct ImportedBundle {
    pub profile: Profile,
    pub secrets: BTreeMap<SecretField, Secret>,
}

/// Whether a bundle holds encrypted secrets (so the caller asks for the
/// passphrase). The bundle comes in opened (`services::files` opens paths).
pub fn bundle_needs_passphrase<R: Read + Seek>(bundle: R) -> Result<bool, BundleReadError> {
    let mut zip = open_zip(bundle)?;
    Ok(read_config(&mut zip)?.secrets_included)
}

fn open_zip<R: Read + Seek>(bundle: R) -> Result<zip::ZipArchive<R>, BundleReadError> {
    zip::ZipArchive::new(bundle).map_err(|_| BundleReadError::NotAZip)
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
            Err(e) => return Err(BundleReadError::Damaged(e.to_string())),
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
        Err(e) => return Err(BundleReadError::Damaged(e.to_string())),
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
                BundleReadError::Damaged(e.to_string())
            }
        })?;
    if text.len() as u64 > MAX_PART {
        return Err(BundleReadError::Damaged(format!("{name}: too large")));
    }
    Ok(Some(text))
}

fn read_config<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<BundleConfigIn, BundleReadError> {
    let text = read_entry(zip, CONFIG_NAME, None)?.ok_or(BundleReadError::NotABundle)?;
    let config: BundleConfigIn =
        toml::from_str(&text).map_err(|e| BundleReadError::Damaged(e.message().to_owned()))?;
    if config.format != FORMAT {
        return Err(BundleReadError::NotABundle);
    }
    Ok(config)
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
    if config.secrets_included {
        let pass = passphrase
            .filter(|p| !p.is_empty())
            .ok_or(BundleReadError::PassphraseNeeded)?;
        let text = zeroize::Zeroizing::new(
            read_entry(&mut zip, SECRETS_NAME, Some(pass))?.unwrap_or_default(),
        );
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| BundleReadError::Damaged(e.message().to_owned()))?;
        for f in SecretField::ALL {
            if let Some(v) = table.get(f.key()).and_then(|v| v.as_str()) {
                secrets.insert(f, Secret::new(v));
            }
        }
        if let Some(key) = read_entry(&mut zip, super::backend_form::KEY_FILE_NAME, Some(pass))? {
            secrets.insert(SecretField::PrivateKey, Secret::new(key));
        }
    }
    let mut profile = Profile::new(&config.name);
    profile.site_kind = config
        .site_kind
        .as_deref()
        .and_then(super::profile::SiteKind::parse);
    profile.payment_name = config.payment_name;
    profile.mp_appid = config.mp_appid;
    profile.mchid = config.mchid;
    profile.oa_appid = config.oa_appid;
    profile.jsapi_enabled = config.jsapi_enabled;
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
            .map_err(|e| BundleReadError::Damaged(e.to_string()))?;
        let mut summary = imported.summary;
        summary.source = source.to_owned();
        profile.certificate = Some(summary);
    }
    Ok(ImportedBundle { profile, secrets })
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
}
