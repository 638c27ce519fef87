//! The WXCertUtil certificate: import from a zip, folder or file, identify the files
//! by content, and judge whether the pair is usable (facts file, section 3).

pub mod archive;
pub mod parse;
pub mod report;
pub mod request;
pub mod wxcertutil;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use parse::{ImportedCert, import_files};
pub use report::{EXPIRY_WARNING_DAYS, evaluate};

/// WXCertUtil's names for the certificate and its private key (PEM), which shop
/// backends and SDKs ask for by these names.
pub const CERT_FILE_NAME: &str = "apiclient_cert.pem";
pub const KEY_FILE_NAME: &str = "apiclient_key.pem";

/// Who issued the merchant certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssuerKind {
    /// `CN=Tenpay.com Root CA`: certificates issued since 2018.
    Tenpay,
    /// `CN=MmpaymchCA`: pre-2018 certificates, refused by APIv3.
    Legacy,
    Unknown,
}

/// What the profile keeps of an imported certificate. Only public data: the private
/// key goes to the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertSummary {
    pub mchid: Option<String>,
    pub company: Option<String>,
    pub issuer: IssuerKind,
    pub issuer_name: String,
    /// 40 uppercase hex characters for current certificates.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    pub signature_algorithm: String,
    pub key_bits: Option<usize>,
    pub key_present: bool,
    /// `None` when no private key was found.
    pub key_matches: Option<bool>,
    pub p12_present: bool,
    /// The file or folder it was imported from.
    pub source: String,
    pub certificate_pem: String,
}

/// Why a source was refused. Nothing is written when any of these happens.
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter), vis(pub))]
pub enum ImportError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    /// A pipe, a device, a socket: reading it could hang or never end.
    #[error("not a regular file or folder: {path}")]
    NotAFile { path: String },
    #[error("not a zip archive")]
    NotAZip,
    #[error("damaged zip entry {entry}")]
    CorruptZip { entry: String },
    #[error("encrypted zip entry {entry}")]
    Encrypted { entry: String },
    #[error("unsafe entry name {entry}")]
    UnsafePath { entry: String },
    #[error("entry too large: {entry}")]
    EntryTooLarge { entry: String },
    #[error("too many entries: {count}")]
    TooManyEntries { count: usize },
    #[error("no certificate found")]
    NoCertificate,
    #[error("more than one certificate")]
    MultipleCertificates,
    #[error("more than one private key")]
    MultipleKeys,
    #[error("private key is not RSA: {entry}")]
    KeyNotRsa { entry: String },
    #[error("certificate key is not RSA")]
    CertNotRsa,
    #[error("private key is encrypted: {entry}")]
    KeyEncrypted { entry: String },
    #[error("malformed PEM in {entry}")]
    MalformedPem { entry: String },
    #[error("malformed certificate in {entry}")]
    MalformedCertificate { entry: String },
    #[error("malformed private key in {entry}")]
    MalformedKey { entry: String },
}

impl ImportError {
    /// One value of every variant, for the test that each has a text in both
    /// languages: the match over the discriminants stops compiling when a
    /// variant is added without a sample here.
    pub fn samples() -> Vec<ImportError> {
        use ImportErrorDiscriminants as D;
        use strum::IntoEnumIterator;
        let entry = || "apiclient_key.pem".to_owned();
        D::iter()
            .map(|d| match d {
                D::Io => ImportError::Io {
                    path: "/tmp/cert.zip".into(),
                    reason: "not found".into(),
                },
                D::NotAFile => ImportError::NotAFile {
                    path: "/dev/zero".into(),
                },
                D::NotAZip => ImportError::NotAZip,
                D::CorruptZip => ImportError::CorruptZip { entry: entry() },
                D::Encrypted => ImportError::Encrypted { entry: entry() },
                D::UnsafePath => ImportError::UnsafePath { entry: entry() },
                D::EntryTooLarge => ImportError::EntryTooLarge { entry: entry() },
                D::TooManyEntries => ImportError::TooManyEntries { count: 9999 },
                D::NoCertificate => ImportError::NoCertificate,
                D::MultipleCertificates => ImportError::MultipleCertificates,
                D::MultipleKeys => ImportError::MultipleKeys,
                D::KeyNotRsa => ImportError::KeyNotRsa { entry: entry() },
                D::CertNotRsa => ImportError::CertNotRsa,
                D::KeyEncrypted => ImportError::KeyEncrypted { entry: entry() },
                D::MalformedPem => ImportError::MalformedPem { entry: entry() },
                D::MalformedCertificate => ImportError::MalformedCertificate { entry: entry() },
                D::MalformedKey => ImportError::MalformedKey { entry: entry() },
            })
            .collect()
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "not found".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        ImportError::Io {
            path: path.display().to_string(),
            reason,
        }
    }

    /// Stable code; also the i18n key `import_error.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "io",
            ImportError::NotAFile { .. } => "not_a_file",
            ImportError::NotAZip => "not_a_zip",
            ImportError::CorruptZip { .. } => "corrupt_zip",
            ImportError::Encrypted { .. } => "encrypted_zip",
            ImportError::UnsafePath { .. } => "unsafe_path",
            ImportError::EntryTooLarge { .. } => "entry_too_large",
            ImportError::TooManyEntries { .. } => "too_many_entries",
            ImportError::NoCertificate => "no_certificate",
            ImportError::MultipleCertificates => "multiple_certificates",
            ImportError::MultipleKeys => "multiple_keys",
            ImportError::KeyNotRsa { .. } => "key_not_rsa",
            ImportError::CertNotRsa => "cert_not_rsa",
            ImportError::KeyEncrypted { .. } => "key_encrypted",
            ImportError::MalformedPem { .. } => "malformed_pem",
            ImportError::MalformedCertificate { .. } => "malformed_certificate",
            ImportError::MalformedKey { .. } => "malformed_key",
        }
    }

    /// The values the localized message refers to.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ImportError::Io { path, reason } => {
                vec![("path", path.clone()), ("reason", reason.clone())]
            }
            ImportError::NotAFile { path } => vec![("path", path.clone())],
            ImportError::CorruptZip { entry }
            | ImportError::Encrypted { entry }
            | ImportError::UnsafePath { entry }
            | ImportError::EntryTooLarge { entry }
            | ImportError::KeyNotRsa { entry }
            | ImportError::KeyEncrypted { entry }
            | ImportError::MalformedPem { entry }
            | ImportError::MalformedCertificate { entry }
            | ImportError::MalformedKey { entry } => vec![
                ("entry", entry.clone()),
                ("limit", archive::MAX_ENTRY_BYTES.to_string()),
            ],
            ImportError::TooManyEntries { count } => vec![
                ("count", count.to_string()),
                ("limit", archive::MAX_ENTRIES.to_string()),
            ],
            _ => Vec::new(),
        }
    }
}

impl crate::i18n::Message for ImportError {
    fn key(&self) -> String {
        format!("import_error.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        ImportError::args(self)
            .into_iter()
            .map(|(k, v)| (k, v.into()))
            .collect()
    }
}
