//! Applying for the API certificate without WXCertUtil (issue 11, facts §3a):
//! make an RSA-2048 key and a PKCS#10 certificate request with the subject WeChat's
//! issued certificates carry, then read back the certificate string the merchant
//! platform answers with, in any of its likely forms, and check that it belongs
//! to our key before it is imported like a WXCertUtil zip. Pure: no keychain, no
//! files; the key travels only as a [`Secret`].

use base64ct::{Base64, Encoding};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use x509_parser::prelude::*;

use super::archive::SourceFile;
use super::parse::{ImportedCert, import_files};
use super::{ImportError, IssuerKind};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};

/// Fixed parts of the subject (facts §3a).
pub const SUBJECT_O: &str = "微信商户系统";
pub const SUBJECT_L: &str = "ShenZhen";
pub const SUBJECT_C: &str = "CN";
pub const KEY_BITS: usize = 2048;
/// The longest paste we read (a certificate is about 1.5 KB; a chain a few).
pub const MAX_PASTE_BYTES: usize = 64 * 1024;
/// The company goes into the subject's OU, which X.509 limits to 64
/// characters (`ub-organizational-unit-name`, RFC 5280).
pub const COMPANY_MAX_CHARS: usize = 64;

/// A new request: the key for the keychain, the request string for the platform.
pub struct NewRequest {
    /// PKCS#8 PEM (WXCertUtil's `apiclient_key.pem` format).
    pub private_key: Secret,
    /// The request as PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
    pub csr_pem: String,
}

impl std::fmt::Debug for NewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRequest")
            .field("private_key", &self.private_key)
            .field("csr_pem", &self.csr_pem)
            .finish()
    }
}

/// A request waiting for its certificate, as the profile keeps it (public data:
/// the key is in the keychain).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingRequest {
    pub csr_pem: String,
    pub company: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Why a request could not be made or a certificate string was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("bad merchant number")]
    BadMchid,
    #[error("no company name")]
    NoCompany,
    #[error("company name over {max} characters")]
    CompanyTooLong { max: usize, chars: usize },
    /// An invisible or control character, at this position (from 1).
    #[error("company name with a control character at {position}")]
    CompanyChars { position: usize },
    #[error("key generation failed")]
    KeyGen,
    #[error("request could not be built: {0}")]
    Csr(String),
    #[error("empty paste")]
    Empty,
    #[error("paste cut short")]
    CutShort,
    #[error("not a certificate")]
    NotACertificate,
    #[error("certificate for another key")]
    KeyMismatch,
    #[error("certificate for merchant {found}, expected {expected}")]
    WrongMchid { found: String, expected: String },
    #[error("not issued by Tenpay: {issuer}")]
    NotTenpay { issuer: String },
    /// The certificate's subject has no CN: it names no merchant number.
    #[error("no merchant number in the subject")]
    NoMchidInSubject,
    /// Valid until `date` (YYYY-MM-DD), which has passed.
    #[error("expired on {date}")]
    Expired { date: String },
    /// Valid only from `date` (YYYY-MM-DD) on.
    #[error("not valid before {date}")]
    NotYetValid { date: String },
    #[error("stored key unreadable")]
    BadKey,
    /// A waiting key shorter than [`KEY_BITS`].
    #[error("key of {bits} bits")]
    KeyTooSmall { bits: usize },
    /// The certificate checks of a zip import refused it: that message, nested.
    #[error("import: {key}")]
    Import {
        key: String,
        args: Vec<(&'static str, Arg)>,
    },
}

impl RequestError {
    /// Stable code; also the i18n key `cert_request.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::BadMchid => "bad_mchid",
            RequestError::NoCompany => "no_company",
            RequestError::CompanyTooLong { .. } => "company_too_long",
            RequestError::CompanyChars { .. } => "company_chars",
            RequestError::KeyGen => "keygen",
            RequestError::Csr(_) => "csr",
            RequestError::Empty => "empty",
            RequestError::CutShort => "cut_short",
            RequestError::NotACertificate => "not_a_certificate",
            RequestError::KeyMismatch => "key_mismatch",
            RequestError::WrongMchid { .. } => "wrong_mchid",
            RequestError::NotTenpay { .. } => "not_tenpay",
            RequestError::NoMchidInSubject => "no_mchid_in_subject",
            RequestError::Expired { .. } => "expired",
            RequestError::NotYetValid { .. } => "not_yet_valid",
            RequestError::BadKey => "bad_key",
            RequestError::KeyTooSmall { .. } => "key_too_small",
            RequestError::Import { .. } => "import",
        }
    }

    /// One of each, for the test that every code has a text in both languages.
    pub fn samples() -> Vec<RequestError> {
        vec![
            RequestError::BadMchid,
            RequestError::NoCompany,
            RequestError::CompanyTooLong { max: 64, chars: 65 },
            RequestError::CompanyChars { position: 1 },
            RequestError::KeyGen,
            RequestError::Csr("x".into()),
            RequestError::Empty,
            RequestError::CutShort,
            RequestError::NotACertificate,
            RequestError::KeyMismatch,
            RequestError::WrongMchid {
                found: "1".into(),
                expected: "2".into(),
            },
            RequestError::NotTenpay {
                issuer: "CN=x".into(),
            },
            RequestError::NoMchidInSubject,
            RequestError::Expired {
                date: "2020-01-01".into(),
            },
            RequestError::NotYetValid {
                date: "2030-01-01".into(),
            },
            RequestError::BadKey,
            RequestError::KeyTooSmall { bits: 1024 },
            RequestError::from(ImportError::NoCertificate),
        ]
    }
}

impl Message for RequestError {
    fn key(&self) -> String {
        format!("cert_request.{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            RequestError::Csr(d) => vec![("detail", d.as_str().into())],
            RequestError::Import { key, args } => {
                vec![("detail", Arg::Nested(key.clone(), args.clone()))]
            }
            RequestError::WrongMchid { found, expected } => vec![
                ("found", found.as_str().into()),
                ("expected", expected.as_str().into()),
            ],
            RequestError::NotTenpay { issuer } => vec![("issuer", issuer.as_str().into())],
            RequestError::KeyTooSmall { bits } => vec![
                ("bits", bits.to_string().into()),
                ("min", KEY_BITS.to_string().into()),
            ],
            RequestError::Expired { date } | RequestError::NotYetValid { date } => {
                vec![("date", date.as_str().into())]
            }
            RequestError::CompanyTooLong { max, chars } => vec![
                ("max", max.to_string().into()),
                ("chars", chars.to_string().into()),
            ],
            RequestError::CompanyChars { position } => {
                vec![("position", position.to_string().into())]
            }
            _ => Vec::new(),
        }
    }
}

impl From<ImportError> for RequestError {
    fn from(e: ImportError) -> Self {
        RequestError::Import {
            key: Message::key(&e),
            args: Message::args(&e),
        }
    }
}

fn check_mchid(mchid: &str) -> Result<(), RequestError> {
    if (8..=12).contains(&mchid.len()) && mchid.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(RequestError::BadMchid)
    }
}

/// The company name as the subject's OU takes it (trimmed): not empty, no
/// control, invisible or separator character and no space but U+0020, at most
/// [`COMPANY_MAX_CHARS`] characters.
pub fn check_company(company: &str) -> Result<(), RequestError> {
    use crate::domain::text::is_hidden_char;
    let c = company.trim();
    if c.is_empty() {
        return Err(RequestError::NoCompany);
    }
    // a line or paragraph separator (U+2028/9), a no-break or other odd space
    // (U+00A0, U+2009, U+3000): no legal name holds one, and it reads as
    // another name than the one the certificate will carry
    if let Some(at) = c
        .chars()
        .position(|ch| ch.is_control() || is_hidden_char(ch) || (ch.is_whitespace() && ch != ' '))
    {
        return Err(RequestError::CompanyChars { position: at + 1 });
    }
    let chars = c.chars().count();
    if chars > COMPANY_MAX_CHARS {
        return Err(RequestError::CompanyTooLong {
            max: COMPANY_MAX_CHARS,
            chars,
        });
    }
    Ok(())
}

/// A waiting request's key as `cert request` stores it: PKCS#8 PEM of an RSA
/// key of at least [`KEY_BITS`] bits (a key from a bundle may be anything:
/// garbage, EC or RSA-512 would only fail later, at every `cert request`).
pub fn check_request_key(key_pem: &Secret) -> Result<(), RequestError> {
    use rsa::traits::PublicKeyParts;
    let key = rsa::PrivateKey::from_pkcs8_pem(key_pem.expose().trim())
        .map_err(|_| RequestError::BadKey)?;
    if key.size() * 8 < KEY_BITS {
        return Err(RequestError::KeyTooSmall {
            bits: key.size() * 8,
        });
    }
    Ok(())
}

/// A certificate's private key as the keychain keeps it: PKCS#8 PEM of an RSA key.
pub fn check_private_key(key_pem: &Secret) -> Result<(), RequestError> {
    rsa::PrivateKey::from_pkcs8_pem(key_pem.expose().trim())
        .map(|_| ())
        .map_err(|_| RequestError::BadKey)
}

/// A fresh RSA-2048 key (operating-system CSPRNG) and its request.
pub fn new_request(mchid: &str, company: &str) -> Result<NewRequest, RequestError> {
    check_mchid(mchid)?;
    check_company(company)?;
    let key =
        rsa::PrivateKey::new(&mut getrandom::SysRng, KEY_BITS).map_err(|_| RequestError::KeyGen)?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| RequestError::KeyGen)?;
    let private_key = Secret::new(pem.as_str());
    let csr_pem = csr_for_key(&private_key, mchid, company)?;
    Ok(NewRequest {
        private_key,
        csr_pem,
    })
}

/// The request for an existing key (PKCS#8 PEM): subject
/// `CN=<mchid>, O=微信商户系统, OU=<company>, L=ShenZhen, C=CN`, sha256WithRSA.
pub fn csr_for_key(key_pem: &Secret, mchid: &str, company: &str) -> Result<String, RequestError> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair, PKCS_RSA_SHA256};
    check_mchid(mchid)?;
    let key = KeyPair::from_pkcs8_pem_and_sign_algo(key_pem.expose(), &PKCS_RSA_SHA256)
        .map_err(|e| RequestError::Csr(e.to_string()))?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, mchid);
    dn.push(DnType::OrganizationName, SUBJECT_O);
    dn.push(DnType::OrganizationalUnitName, company.trim());
    dn.push(DnType::LocalityName, SUBJECT_L);
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString(
            SUBJECT_C
                .try_into()
                .map_err(|e: rcgen::Error| RequestError::Csr(e.to_string()))?,
        ),
    );
    let mut params = CertificateParams::default();
    params.distinguished_name = dn;
    let csr = params
        .serialize_request(&key)
        .map_err(|e| RequestError::Csr(e.to_string()))?;
    csr.pem().map_err(|e| RequestError::Csr(e.to_string()))
}

/// Whether `csr_pem` is a request for the public key of `key_pem`. An
/// unreadable request or key is no match.
pub fn csr_matches_key(csr_pem: &str, key_pem: &Secret) -> bool {
    let Ok((_, der)) = pem_rfc7468::decode_vec(csr_pem.as_bytes()) else {
        return false;
    };
    let Ok((_, csr)) = X509CertificationRequest::from_der(&der) else {
        return false;
    };
    public_key_der(key_pem)
        .is_ok_and(|ours| csr.certification_request_info.subject_pki.raw == ours.as_bytes())
}

/// The SubjectPublicKeyInfo (DER) of a PKCS#8 PEM private key.
fn public_key_der(key_pem: &Secret) -> Result<rsa::pkcs8::Document, RequestError> {
    rsa::PrivateKey::from_pkcs8_pem(key_pem.expose())
        .map_err(|_| RequestError::BadKey)?
        .to_public_key()
        .to_public_key_der()
        .map_err(|_| RequestError::BadKey)
}

/// The request's second form: bare base64 of the DER, on one line.
pub fn csr_base64(csr_pem: &str) -> String {
    pem_rfc7468::decode_vec(csr_pem.as_bytes())
        .map(|(_, der)| Base64::encode_string(&der))
        .unwrap_or_default()
}

/// Reads the certificate string the platform answered with: PEM, or bare
/// base64 of the DER with any whitespace and line breaks, or a PKCS#7
/// (certs-only, PEM or base64). Gives the DER of the first certificate.
pub fn read_certificate_string(text: &str) -> Result<Vec<u8>, RequestError> {
    read_certificates(text).map(|mut all| all.swap_remove(0))
}

/// Every certificate in the string (one; several when it is a PKCS#7), as DER.
pub fn read_certificates(text: &str) -> Result<Vec<Vec<u8>>, RequestError> {
    if text.len() > MAX_PASTE_BYTES {
        return Err(RequestError::NotACertificate);
    }
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(RequestError::Empty);
    }
    if text.contains("-----BEGIN") {
        if !text.contains("-----END") {
            return Err(RequestError::CutShort);
        }
        return match pem_rfc7468::decode_vec(text.as_bytes()) {
            Ok((label, der)) if label.contains("CERTIFICATE") && !label.contains("REQUEST") => {
                whole_certificate(&der).map(|d| vec![d])
            }
            Ok((label, der)) if label == "PKCS7" || label == "CMS" => {
                match pkcs7_certificates(&der) {
                    Err(_) if starts_like_longer_der(&der) => Err(RequestError::CutShort),
                    other => other,
                }
            }
            Ok(_) => Err(RequestError::NotACertificate),
            // a body that lost characters fails its base64; say which
            Err(_) => {
                let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
                match bare_base64(&body) {
                    Err(RequestError::CutShort) => Err(RequestError::CutShort),
                    _ => Err(RequestError::NotACertificate),
                }
            }
        };
    }
    bare_base64(text)
}

fn bare_base64(text: &str) -> Result<Vec<Vec<u8>>, RequestError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(RequestError::Empty);
    }
    if !compact
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return Err(RequestError::NotACertificate);
    }
    match Base64::decode_vec(&compact) {
        Ok(der) => match whole_certificate(&der) {
            Ok(d) => Ok(vec![d]),
            // not a certificate: perhaps a PKCS#7 holding it
            Err(RequestError::NotACertificate) => pkcs7_certificates(&der),
            Err(e) => Err(e),
        },
        Err(_) => {
            // lost characters: decode what there is (whole 4-character groups)
            let head = compact.trim_end_matches('=');
            let cut = head.len() / 4 * 4;
            match Base64::decode_vec(&head[..cut]) {
                Ok(der) if starts_like_longer_der(&der) => Err(RequestError::CutShort),
                _ => Err(RequestError::NotACertificate),
            }
        }
    }
}

/// The certificates of a PKCS#7 / CMS SignedData (certs-only, as `openssl
/// crl2pkcs7` writes it), read with the `cms` crate.
fn pkcs7_certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, RequestError> {
    use cms::cert::CertificateChoices;
    use cms::cert::x509::der::oid::ObjectIdentifier;
    use cms::cert::x509::der::{Decode, Encode};
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    let info = ContentInfo::from_der(der).map_err(|_| RequestError::NotACertificate)?;
    if info.content_type != SIGNED_DATA {
        return Err(RequestError::NotACertificate);
    }
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|_| RequestError::NotACertificate)?;
    let certs: Vec<Vec<u8>> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => c.to_der().ok(),
            CertificateChoices::Other(_) => None,
        })
        .filter_map(|d| whole_certificate(&d).ok())
        .collect();
    if certs.is_empty() {
        return Err(RequestError::NotACertificate);
    }
    Ok(certs)
}

/// A DER certificate, or `CutShort` when it is the beginning of one.
fn whole_certificate(der: &[u8]) -> Result<Vec<u8>, RequestError> {
    match parse_x509_certificate(der) {
        Ok((&[], _)) => Ok(der.to_vec()),
        _ if starts_like_longer_der(der) => Err(RequestError::CutShort),
        _ => Err(RequestError::NotACertificate),
    }
}

/// A DER SEQUENCE whose stated length is more than the bytes present.
fn starts_like_longer_der(der: &[u8]) -> bool {
    if der.len() < 4 || der[0] != 0x30 {
        return false;
    }
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 => (usize::from(der[2]), 3),
        0x82 => (usize::from(der[2]) << 8 | usize::from(der[3]), 4),
        _ => return false,
    };
    // a certificate is at least a few hundred bytes
    len >= 256 && der.len() < header + len
}

/// The pasted certificate, checked against our key (public keys compared), the
/// MCHID (every CN), the issuer (Tenpay's whole name) and its dates (valid
/// today), then imported like a WXCertUtil zip.
pub fn accept_certificate(
    text: &str,
    key_pem: &Secret,
    mchid: &str,
) -> Result<ImportedCert, RequestError> {
    accept_certificate_at(text, key_pem, mchid, ::time::OffsetDateTime::now_utc())
}

/// [`accept_certificate`] as of `now`: a certificate not valid then (expired,
/// or not yet valid) is refused too.
pub fn accept_certificate_at(
    text: &str,
    key_pem: &Secret,
    mchid: &str,
    now: ::time::OffsetDateTime,
) -> Result<ImportedCert, RequestError> {
    let all = read_certificates(text)?;
    let ours = public_key_der(key_pem)?;
    // a PKCS#7 may carry the CA's certificate too: take the one for our key
    let der = all
        .into_iter()
        .find(|d| {
            parse_x509_certificate(d).is_ok_and(|(_, c)| c.public_key().raw == ours.as_bytes())
        })
        .ok_or(RequestError::KeyMismatch)?;
    let files = [
        SourceFile {
            name: "apiclient_cert.pem".into(),
            bytes: pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &der)
                .map_err(|_| RequestError::NotACertificate)?
                .into_bytes(),
        },
        SourceFile {
            name: "apiclient_key.pem".into(),
            bytes: key_pem.expose().as_bytes().to_vec(),
        },
    ];
    let mut imported = import_files(&files)?;
    // every CN of the subject is the merchant number: a second one naming
    // another merchant is not "ours with an extra"
    let (_, cert) = parse_x509_certificate(&der).map_err(|_| RequestError::NotACertificate)?;
    let cns = super::parse::common_names(cert.subject());
    if cns.is_empty() {
        return Err(RequestError::NoMchidInSubject);
    }
    if cns.iter().any(|cn| cn != mchid) {
        return Err(RequestError::WrongMchid {
            found: cns.join(", "),
            expected: mchid.to_owned(),
        });
    }
    if imported.summary.issuer != IssuerKind::Tenpay {
        return Err(RequestError::NotTenpay {
            issuer: imported.summary.issuer_name.clone(),
        });
    }
    let validity = cert.validity();
    let day = |t: &ASN1Time| t.to_datetime().date().to_string();
    if validity.not_after.to_datetime() <= now {
        return Err(RequestError::Expired {
            date: day(&validity.not_after),
        });
    }
    if validity.not_before.to_datetime() > now {
        return Err(RequestError::NotYetValid {
            date: day(&validity.not_before),
        });
    }
    imported.summary.source = String::new();
    Ok(imported)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_refused_import_says_why_in_words_not_a_code() {
        let e = RequestError::from(ImportError::NoCertificate);
        let zh = crate::i18n::Tr(crate::i18n::Lang::ZhCn).msg(&e);
        assert!(zh.contains("没有找到证书（apiclient_cert.pem）"), "{zh}");
        assert!(!zh.contains("no_certificate"), "{zh}");
    }
    use super::*;
    use std::process::Command;
    use std::sync::OnceLock;

    const MCHID: &str = "1900006031";
    const COMPANY: &str = "深圳市某某科技有限公司";

    fn request() -> &'static NewRequest {
        static R: OnceLock<NewRequest> = OnceLock::new();
        R.get_or_init(|| new_request(MCHID, COMPANY).expect("a request"))
    }

    fn openssl_req(csr_pem: &str, args: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("req.pem");
        std::fs::write(&path, csr_pem).unwrap();
        let out = Command::new("openssl")
            .arg("req")
            .arg("-in")
            .arg(&path)
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl req {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }

    /// Plays the platform: a test CA named as Tenpay's (facts §3: `C=CN,
    /// O=Tenpay.com, OU=Tenpay.com CA Center`) with the CN `ca_cn` signs the request.
    fn issue(csr_pem: &str, ca_cn: &str) -> String {
        use rcgen::{DistinguishedName, DnType};
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "CN");
        dn.push(DnType::OrganizationName, "Tenpay.com");
        dn.push(DnType::OrganizationalUnitName, "Tenpay.com CA Center");
        dn.push(DnType::CommonName, ca_cn);
        issue_as(csr_pem, dn, |_| {})
    }

    /// A CA named `ca_dn` signs the request, after `edit` changed what the
    /// certificate will say (its dates, its subject).
    fn issue_as(
        csr_pem: &str,
        ca_dn: rcgen::DistinguishedName,
        edit: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> String {
        use rcgen::{
            BasicConstraints, CertificateParams, CertificateSigningRequestParams, IsCa, Issuer,
            KeyPair, PKCS_RSA_SHA256,
        };
        let mut csr =
            CertificateSigningRequestParams::from_pem(csr_pem).expect("rcgen reads the csr");
        edit(&mut csr.params);
        let ca_key =
            KeyPair::from_pkcs8_pem_and_sign_algo(ca_key_pem().expose(), &PKCS_RSA_SHA256).unwrap();
        let mut ca = CertificateParams::default();
        ca.distinguished_name = ca_dn;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let issuer = Issuer::new(ca, ca_key);
        csr.signed_by(&issuer).expect("the CA signs").pem()
    }

    fn tenpay_dn() -> rcgen::DistinguishedName {
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CountryName, "CN");
        dn.push(rcgen::DnType::OrganizationName, "Tenpay.com");
        dn.push(
            rcgen::DnType::OrganizationalUnitName,
            "Tenpay.com CA Center",
        );
        dn.push(rcgen::DnType::CommonName, "Tenpay.com Root CA");
        dn
    }

    /// Issue 18 item 7: a certificate that is not valid today is refused.
    #[test]
    fn an_expired_or_not_yet_valid_certificate_is_refused() {
        let r = request();
        let now = ::time::OffsetDateTime::now_utc();
        let expired = issue_as(&r.csr_pem, tenpay_dn(), |p| {
            p.not_before = now - ::time::Duration::days(5 * 365);
            p.not_after = now - ::time::Duration::days(2);
        });
        assert!(
            matches!(
                accept_certificate(&expired, &r.private_key, MCHID),
                Err(RequestError::Expired { .. })
            ),
            "an expired certificate was accepted"
        );
        let early = issue_as(&r.csr_pem, tenpay_dn(), |p| {
            p.not_before = now + ::time::Duration::days(3);
            p.not_after = now + ::time::Duration::days(5 * 365);
        });
        assert!(
            matches!(
                accept_certificate(&early, &r.private_key, MCHID),
                Err(RequestError::NotYetValid { .. })
            ),
            "a certificate valid only from next week was accepted"
        );
        let en = crate::i18n::Tr(crate::i18n::Lang::En);
        let e = accept_certificate(&expired, &r.private_key, MCHID).unwrap_err();
        let day = (now - ::time::Duration::days(2)).date().to_string();
        assert!(en.msg(&e).contains(&day), "{}", en.msg(&e));
    }

    /// Issue 18 item 7: `CN=Tenpay.com Root CA` alone is anyone's CA.
    #[test]
    fn an_issuer_named_only_like_tenpays_cn_is_not_tenpay() {
        let r = request();
        let mut cn_only = rcgen::DistinguishedName::new();
        cn_only.push(rcgen::DnType::CommonName, "Tenpay.com Root CA");
        let mut wrong_o = tenpay_dn();
        wrong_o.push(rcgen::DnType::OrganizationName, "Tenpay.com.evil");
        for (what, dn) in [("CN only", cn_only), ("another O", wrong_o)] {
            let cert = issue_as(&r.csr_pem, dn, |_| {});
            assert!(
                matches!(
                    accept_certificate(&cert, &r.private_key, MCHID),
                    Err(RequestError::NotTenpay { .. })
                ),
                "{what}: accepted as Tenpay's"
            );
        }
        let real = issue_as(&r.csr_pem, tenpay_dn(), |_| {});
        assert!(accept_certificate(&real, &r.private_key, MCHID).is_ok());
    }

    /// Issue 18 item 7: every CN of the subject is the merchant number.
    #[test]
    fn a_second_cn_with_another_merchant_number_is_refused() {
        let r = request();
        let two = issue_as(&r.csr_pem, tenpay_dn(), |p| {
            // a second CN attribute (the CN's OID under another rcgen key)
            p.distinguished_name
                .push(rcgen::DnType::CustomDnType(vec![2, 5, 4, 3]), "1900000110");
        });
        let e = accept_certificate(&two, &r.private_key, MCHID).unwrap_err();
        assert!(
            matches!(&e, RequestError::WrongMchid { found, .. } if found.contains("1900000110")),
            "{e:?}"
        );
    }

    /// Issue 18 item 7: a subject without CN is said in words, not "for merchant , ...".
    #[test]
    fn a_subject_without_cn_says_so() {
        let r = request();
        let no_cn = issue_as(&r.csr_pem, tenpay_dn(), |p| {
            let mut dn = rcgen::DistinguishedName::new();
            dn.push(rcgen::DnType::OrganizationName, SUBJECT_O);
            dn.push(rcgen::DnType::OrganizationalUnitName, COMPANY);
            p.distinguished_name = dn;
        });
        let e = accept_certificate(&no_cn, &r.private_key, MCHID).unwrap_err();
        assert_eq!(e, RequestError::NoMchidInSubject);
        for lang in crate::i18n::Lang::ALL {
            let text = crate::i18n::Tr(lang).msg(&e);
            assert!(!text.contains(" ,") && !text.contains("(?)"), "{text}");
        }
    }

    fn ca_key_pem() -> &'static Secret {
        static K: OnceLock<Secret> = OnceLock::new();
        K.get_or_init(|| new_request("1000000001", "CA").unwrap().private_key)
    }

    fn other_key_pem() -> &'static Secret {
        static K: OnceLock<Secret> = OnceLock::new();
        K.get_or_init(|| new_request("1000000002", "X").unwrap().private_key)
    }

    fn der_b64(cert_pem: &str) -> String {
        let (_, der) = pem_rfc7468::decode_vec(cert_pem.as_bytes()).unwrap();
        Base64::encode_string(&der)
    }

    #[test]
    fn the_request_verifies_with_openssl_and_carries_the_subject() {
        let r = request();
        assert!(r.csr_pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        assert!(
            r.private_key
                .expose()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        let verify = openssl_req(&r.csr_pem, &["-verify", "-noout"]);
        assert!(verify.contains("verify OK"), "{verify}");
        let subject = openssl_req(&r.csr_pem, &["-noout", "-subject", "-nameopt", "utf8"]);
        assert_eq!(
            subject.trim(),
            format!("subject=CN=1900006031, O=微信商户系统, OU={COMPANY}, L=ShenZhen, C=CN")
        );
        let text = openssl_req(&r.csr_pem, &["-noout", "-text"]);
        assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
        assert!(text.contains("sha256WithRSAEncryption"), "{text}");
        // the bare form is the same DER
        let bare = csr_base64(&r.csr_pem);
        assert!(!bare.contains('\n') && bare.len() > 800);
        let (_, der) = pem_rfc7468::decode_vec(r.csr_pem.as_bytes()).unwrap();
        assert_eq!(Base64::decode_vec(&bare).unwrap(), der);
    }

    #[test]
    fn bad_input_makes_no_request() {
        assert_eq!(
            new_request("12ab", COMPANY).unwrap_err(),
            RequestError::BadMchid
        );
        assert_eq!(
            new_request(MCHID, "  ").unwrap_err(),
            RequestError::NoCompany
        );
    }

    #[test]
    fn the_issued_certificate_is_accepted_in_every_form() {
        let r = request();
        let cert_pem = issue(&r.csr_pem, "Tenpay.com Root CA");
        let b64 = der_b64(&cert_pem);
        let wrapped: String = b64
            .as_bytes()
            .chunks(64)
            .map(|c| format!("  {}\r\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let crlf_pem = cert_pem.replace('\n', "\r\n");
        for (form, text) in [
            ("pem", cert_pem.clone()),
            ("pem crlf", crlf_pem),
            ("base64 one line", b64.clone()),
            ("base64 wrapped with spaces", wrapped),
            (
                "base64 with a tab and blank lines",
                format!("\n\t{b64}\n\n"),
            ),
        ] {
            let got = accept_certificate(&text, &r.private_key, MCHID)
                .unwrap_or_else(|e| panic!("{form}: {e:?}"));
            assert_eq!(got.summary.mchid.as_deref(), Some(MCHID), "{form}");
            assert_eq!(got.summary.company.as_deref(), Some(COMPANY), "{form}");
            assert_eq!(got.summary.issuer, IssuerKind::Tenpay, "{form}");
            assert_eq!(got.summary.key_matches, Some(true), "{form}");
            assert_eq!(got.summary.key_bits, Some(2048), "{form}");
            assert_eq!(
                got.private_key.as_ref().map(|k| k.expose()),
                Some(r.private_key.expose()),
                "{form}"
            );
        }
    }

    /// `openssl crl2pkcs7 -nocrl` over `certs` (in that order): PEM or DER.
    fn pkcs7(certs: &[&str], der: bool) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("openssl");
        cmd.args(["crl2pkcs7", "-nocrl"]);
        for (i, c) in certs.iter().enumerate() {
            let path = dir.path().join(format!("c{i}.pem"));
            std::fs::write(&path, c).unwrap();
            cmd.arg("-certfile").arg(path);
        }
        if der {
            cmd.args(["-outform", "DER"]);
        }
        let out = cmd.output().expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    #[test]
    fn a_pkcs7_certificate_string_is_accepted_as_pem_and_as_base64() {
        let r = request();
        let cert_pem = issue(&r.csr_pem, "Tenpay.com Root CA");
        let other_csr = csr_for_key(other_key_pem(), MCHID, COMPANY).unwrap();
        let other = issue(&other_csr, "Tenpay.com Root CA");
        let p7_pem = String::from_utf8(pkcs7(&[&cert_pem], false)).unwrap();
        assert!(p7_pem.starts_with("-----BEGIN PKCS7-----"), "{p7_pem}");
        let p7_b64 = Base64::encode_string(&pkcs7(&[&cert_pem], true));
        // a bundle of two, ours second: the one for our key is taken
        let two = Base64::encode_string(&pkcs7(&[&other, &cert_pem], true));
        let wrapped: String = two
            .as_bytes()
            .chunks(76)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        for (form, text) in [
            ("pkcs7 pem", p7_pem.clone()),
            ("pkcs7 base64", p7_b64.clone()),
            ("pkcs7 of two, wrapped", wrapped),
        ] {
            let got = accept_certificate(&text, &r.private_key, MCHID)
                .unwrap_or_else(|e| panic!("{form}: {e:?}"));
            assert_eq!(got.summary.mchid.as_deref(), Some(MCHID), "{form}");
            assert_eq!(got.summary.key_matches, Some(true), "{form}");
        }
        assert_eq!(
            read_certificate_string(&p7_pem).unwrap(),
            pem_rfc7468::decode_vec(cert_pem.as_bytes()).unwrap().1
        );
        // only another key's certificate inside: said so, not "garbage"
        let others = Base64::encode_string(&pkcs7(&[&other], true));
        assert_eq!(
            accept_certificate(&others, &r.private_key, MCHID).unwrap_err(),
            RequestError::KeyMismatch
        );
        // cut short
        assert_eq!(
            accept_certificate(&p7_b64[..p7_b64.len() - 40], &r.private_key, MCHID).unwrap_err(),
            RequestError::CutShort
        );
    }

    #[test]
    fn a_cut_short_paste_says_so() {
        let r = request();
        let cert_pem = issue(&r.csr_pem, "Tenpay.com Root CA");
        let b64 = der_b64(&cert_pem);
        for cut in [b64.len() / 2, b64.len() - 3, b64.len() - 40, 400] {
            assert_eq!(
                accept_certificate(&b64[..cut], &r.private_key, MCHID).unwrap_err(),
                RequestError::CutShort,
                "base64 cut at {cut} of {}",
                b64.len()
            );
        }
        let pem_cut = &cert_pem[..cert_pem.len() / 2];
        assert_eq!(
            accept_certificate(pem_cut, &r.private_key, MCHID).unwrap_err(),
            RequestError::CutShort
        );
        // a PEM that lost a middle line still has its END line
        let mut lines: Vec<&str> = cert_pem.lines().collect();
        lines.remove(5);
        assert_eq!(
            accept_certificate(&lines.join("\n"), &r.private_key, MCHID).unwrap_err(),
            RequestError::CutShort
        );
    }

    #[test]
    fn another_keys_certificate_garbage_and_wrong_issuers_are_refused() {
        let r = request();
        let other_csr = csr_for_key(other_key_pem(), MCHID, COMPANY).unwrap();
        let other_cert = issue(&other_csr, "Tenpay.com Root CA");
        assert_eq!(
            accept_certificate(&other_cert, &r.private_key, MCHID).unwrap_err(),
            RequestError::KeyMismatch
        );
        for garbage in [
            "hello",
            "你好",
            "AAAA",
            "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----",
        ] {
            assert_eq!(
                accept_certificate(garbage, &r.private_key, MCHID).unwrap_err(),
                RequestError::NotACertificate,
                "{garbage}"
            );
        }
        assert_eq!(
            accept_certificate(" \n ", &r.private_key, MCHID).unwrap_err(),
            RequestError::Empty
        );
        // the request itself pasted back by mistake
        assert_eq!(
            accept_certificate(&r.csr_pem, &r.private_key, MCHID).unwrap_err(),
            RequestError::NotACertificate
        );
        let foreign = issue(&r.csr_pem, "Some Other CA");
        assert!(matches!(
            accept_certificate(&foreign, &r.private_key, MCHID).unwrap_err(),
            RequestError::NotTenpay { .. }
        ));
        let cert_pem = issue(&r.csr_pem, "Tenpay.com Root CA");
        assert_eq!(
            accept_certificate(&cert_pem, &r.private_key, "1900000000").unwrap_err(),
            RequestError::WrongMchid {
                found: MCHID.into(),
                expected: "1900000000".into()
            }
        );
    }

    /// The trial: `--company` took a tab and 300 characters into the subject's
    /// OU (X.509 allows 64); refused before any key is made.
    #[test]
    fn a_company_with_control_characters_or_over_64_characters_is_refused() {
        for (company, position) in [("a\tb", 2), ("某某\u{200B}公司", 3), ("\u{7f}x", 1)] {
            assert_eq!(
                new_request(MCHID, company).unwrap_err(),
                RequestError::CompanyChars { position },
                "{company:?}"
            );
        }
        assert_eq!(
            new_request(MCHID, &"x".repeat(300)).unwrap_err(),
            RequestError::CompanyTooLong {
                max: 64,
                chars: 300
            }
        );
        let en = crate::i18n::Tr(crate::i18n::Lang::En);
        let e = check_company(&"公".repeat(65)).unwrap_err();
        assert!(
            en.msg(&e).contains("64") && en.msg(&e).contains("65"),
            "{}",
            en.msg(&e)
        );
        assert!(check_company(&"公".repeat(64)).is_ok());
        assert!(check_company(" 深圳市某某科技有限公司 ").is_ok());
    }

    /// Issue 18 item 2: line separators and odd spaces pass no longer.
    #[test]
    fn a_company_with_a_line_separator_or_an_odd_space_is_refused() {
        for (company, position) in [
            ("某某\u{2028}公司", 3),
            ("某某\u{a0}公司", 3),
            ("某某\u{3000}公司", 3),
            ("A\u{2029}B", 2),
            ("A\u{2009}B", 2),
        ] {
            assert_eq!(
                check_company(company),
                Err(RequestError::CompanyChars { position }),
                "{company:?}"
            );
        }
        assert!(check_company("Shenzhen Example Technology Co., Ltd.").is_ok());
    }

    #[test]
    fn a_request_matches_its_own_key_only() {
        let r = request();
        assert!(csr_matches_key(&r.csr_pem, &r.private_key));
        assert!(!csr_matches_key(&r.csr_pem, other_key_pem()));
        let other = csr_for_key(other_key_pem(), MCHID, COMPANY).unwrap();
        assert!(csr_matches_key(&other, other_key_pem()));
        assert!(!csr_matches_key(&other, &r.private_key));
        assert!(!csr_matches_key("garbage", &r.private_key));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let r = request();
        let shown = format!("{r:?}");
        let body = r.private_key.expose().lines().nth(1).unwrap();
        assert!(!shown.contains(body));
    }
}
