//! The files WXCertUtil leaves on the merchant's computer, made from a
//! certificate and its key (facts §3a), so that a merchant who applied inside
//! the app can hand the shop backend (or a developer) exactly what they know:
//! the folder `<mchid>_<yyyymmdd>_cert/` with `apiclient_key.pem` (PKCS#8),
//! `apiclient_cert.pem`, `apiclient_cert.p12` (password = the MCHID, friendly
//! name "Tenpay Certificate") and `证书使用说明.txt`. WXCertUtil encrypts its p12
//! with RC2-40, which OpenSSL 3 opens only with its legacy provider; the
//! `p12-keystore` crate's default (PBES2/AES-256 with an HMAC-SHA256 MAC) fails
//! on Java before 8u301 ("Integrity check failed … HmacPBESHA256 not
//! available"), and WxJava and IJPay read the p12 there. Ours has
//! PBE-SHA1-3DES bags and a SHA-1 MAC: old Java, current Java and OpenSSL 3
//! (without `-legacy`) all read it (facts §4b). Pure: the caller writes the files.

use zeroize::Zeroizing;

use super::{CERT_FILE_NAME, KEY_FILE_NAME};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message, Tr};

pub const P12_FILE_NAME: &str = "apiclient_cert.p12";
pub const README_FILE_NAME: &str = "证书使用说明.txt";
/// The alias Java's keytool lists and the name Windows shows on import.
pub const P12_FRIENDLY_NAME: &str = "Tenpay Certificate";

/// One file of the folder; the key and the p12 are wiped from memory on drop.
pub struct CertFile {
    pub name: &'static str,
    pub bytes: Zeroizing<Vec<u8>>,
    /// Only the owner may read it (the private key).
    pub secret: bool,
}

impl std::fmt::Debug for CertFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertFile")
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .field("secret", &self.secret)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertFilesError {
    #[error("no certificate")]
    NoCertificate,
    #[error("no private key")]
    NoKey,
    #[error("the p12 could not be made: {0}")]
    P12(String),
}

impl Message for CertFilesError {
    fn key(&self) -> String {
        match self {
            CertFilesError::NoCertificate => "cert_files.no_certificate".into(),
            CertFilesError::NoKey => "cert_files.no_key".into(),
            CertFilesError::P12(_) => "cert_files.p12".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            CertFilesError::P12(d) => vec![("detail", d.as_str().into())],
            _ => Vec::new(),
        }
    }
}

/// `<mchid>_<yyyymmdd>_cert`, as WXCertUtil names its folder.
pub fn folder_name(mchid: &str, date: time::Date) -> String {
    format!(
        "{mchid}_{:04}{:02}{:02}_cert",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The four files, in the order they are written (the key last but one, the
/// instructions last).
pub fn cert_files(
    cert_pem: &str,
    key_pem: &Secret,
    mchid: &str,
    tr: Tr,
) -> Result<Vec<CertFile>, CertFilesError> {
    let p12 = p12_file(cert_pem, key_pem, mchid)?;
    let readme = tr.tf(
        "cert_files.readme",
        &[
            ("mchid", mchid.to_owned()),
            ("key", KEY_FILE_NAME.to_owned()),
            ("cert", CERT_FILE_NAME.to_owned()),
            ("p12", P12_FILE_NAME.to_owned()),
        ],
    );
    let mut key_text = key_pem.expose().trim().to_owned();
    key_text.push('\n');
    Ok(vec![
        CertFile {
            name: CERT_FILE_NAME,
            bytes: Zeroizing::new(format!("{}\n", cert_pem.trim()).into_bytes()),
            secret: false,
        },
        CertFile {
            name: P12_FILE_NAME,
            bytes: p12,
            secret: true,
        },
        CertFile {
            name: KEY_FILE_NAME,
            bytes: Zeroizing::new(key_text.into_bytes()),
            secret: true,
        },
        CertFile {
            name: README_FILE_NAME,
            bytes: Zeroizing::new(readme.replace('\n', "\r\n").into_bytes()),
            secret: false,
        },
    ])
}

/// The `apiclient_cert.p12` of a certificate (PEM) and its private key
/// (PKCS#8 PEM), password = the MCHID: what `cert save` writes, and what the
/// WxJava and IJPay exports put beside their config.
pub fn p12_file(
    cert_pem: &str,
    key_pem: &Secret,
    mchid: &str,
) -> Result<Zeroizing<Vec<u8>>, CertFilesError> {
    let cert_der = pem_rfc7468::decode_vec(cert_pem.trim().as_bytes())
        .ok()
        .filter(|(label, _)| *label == "CERTIFICATE")
        .map(|(_, der)| der)
        .ok_or(CertFilesError::NoCertificate)?;
    let key_der = Zeroizing::new(
        pem_rfc7468::decode_vec(key_pem.expose().trim().as_bytes())
            .ok()
            .filter(|(label, _)| *label == "PRIVATE KEY")
            .map(|(_, der)| der)
            .ok_or(CertFilesError::NoKey)?,
    );
    p12(&cert_der, &key_der, mchid.trim())
}

/// The PKCS#12: the key (PKCS#8) and its certificate under the friendly name,
/// password = the MCHID, PBE-SHA1-3DES bags with a SHA-1 MAC (see the header).
fn p12(cert_der: &[u8], key_der: &[u8], mchid: &str) -> Result<Zeroizing<Vec<u8>>, CertFilesError> {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };
    use sha2::Digest;
    let fail = |e: p12_keystore::error::Error| CertFilesError::P12(e.to_string());
    let cert = Certificate::from_der(cert_der).map_err(fail)?;
    let key = PrivateKey::from_der(key_der).map_err(|_| CertFilesError::NoKey)?;
    // the localKeyId ties the key to its certificate (OpenSSL uses the SHA-1 of the certificate)
    let key_id = sha2::Sha256::digest(cert_der)[..20].to_vec();
    let mut store = KeyStore::new();
    store.add_entry(
        P12_FRIENDLY_NAME,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(key_id, key, [cert])),
    );
    store
        .writer(mchid)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
        .mac_algorithm(MacAlgorithm::HmacSha1)
        .write()
        .map(Zeroizing::new)
        .map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_folder_is_named_as_wxcertutil_names_it() {
        let d = time::macros::date!(2026 - 01 - 05);
        assert_eq!(folder_name("1900006031", d), "1900006031_20260105_cert");
    }

    #[test]
    fn without_a_certificate_or_a_key_nothing_is_made() {
        let tr = Tr(Lang::En);
        let key = Secret::new("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assert_eq!(
            cert_files("", &key, "1900006031", tr).unwrap_err(),
            CertFilesError::NoCertificate
        );
        // a request is not a certificate
        let req = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assert_eq!(
            cert_files(req, &key, "1900006031", tr).unwrap_err(),
            CertFilesError::NoCertificate
        );
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(
            cert_files(cert, &Secret::new("x"), "1900006031", tr).unwrap_err(),
            CertFilesError::NoKey
        );
    }

    #[test]
    fn debug_output_names_files_not_their_bytes() {
        let f = CertFile {
            name: "apiclient_key.pem",
            bytes: Zeroizing::new(b"-----BEGIN PRIVATE KEY-----secret".to_vec()),
            secret: true,
        };
        let shown = format!("{f:?}");
        assert!(shown.contains("apiclient_key.pem") && !shown.contains("secret\""));
        assert!(!shown.contains("BEGIN"));
    }
}
