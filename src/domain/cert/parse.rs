//! Identify each file by its content (never by its name: WXCertUtil's names are
//! easy to mix up, and the shop backend's labels are swapped), then build the
//! certificate summary and check that the private key belongs to the certificate.

use rsa::PrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use x509_parser::asn1_rs::Tag;
use x509_parser::der_parser::ber::BerObjectContent;
use x509_parser::der_parser::parse_der;
use x509_parser::oid_registry::{
    OID_PKCS1_RSAENCRYPTION, OID_PKCS1_SHA1WITHRSA, OID_PKCS1_SHA256WITHRSA, OID_PKCS7_ID_DATA,
    OID_X509_SURNAME,
};
use x509_parser::pem::Pem;
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use super::archive::SourceFile;
use super::{CertSummary, ImportError, IssuerKind};
use crate::domain::secret::Secret;

/// The result of a successful import: public data for the profile, the private
/// key (as PKCS#8 PEM) for the keychain.
#[derive(Debug)]
pub struct ImportedCert {
    pub summary: CertSummary,
    pub private_key: Option<Secret>,
}

/// What one file turned out to be.
enum Found {
    Certificate(Vec<u8>),
    RsaKey(Box<PrivateKey>),
    Pkcs12,
    Nothing,
}

pub fn import_files(files: &[SourceFile]) -> Result<ImportedCert, ImportError> {
    let mut certs: Vec<Vec<u8>> = Vec::new();
    let mut keys: Vec<PrivateKey> = Vec::new();
    let mut p12_present = false;
    for file in files {
        for found in identify(file)? {
            match found {
                Found::Certificate(der) if !certs.contains(&der) => certs.push(der),
                Found::RsaKey(k) if !keys.contains(&k) => keys.push(*k),
                Found::Pkcs12 => p12_present = true,
                _ => {}
            }
        }
    }
    let cert_der = match certs.len() {
        0 => return Err(ImportError::NoCertificate),
        1 => certs.remove(0),
        _ => return Err(ImportError::MultipleCertificates),
    };
    if keys.len() > 1 {
        return Err(ImportError::MultipleKeys);
    }
    let key = keys.pop();
    let (_, cert) =
        parse_x509_certificate(&cert_der).map_err(|_| ImportError::MalformedCertificate {
            entry: String::new(),
        })?;
    let cert_rsa = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => (strip_zeros(rsa.modulus), strip_zeros(rsa.exponent)),
        _ => return Err(ImportError::CertNotRsa),
    };
    let key_matches = key.as_ref().map(|k| {
        let n = k.n_bytes();
        let e = k.e_bytes();
        strip_zeros(&n) == cert_rsa.0 && strip_zeros(&e) == cert_rsa.1
    });
    let private_key = key
        .as_ref()
        .map(|k| {
            k.to_pkcs8_pem(LineEnding::LF)
                .map(|pem| Secret::new(pem.as_str()))
                .map_err(|_| ImportError::MalformedKey {
                    entry: String::new(),
                })
        })
        .transpose()?;
    let summary = summarize(&cert, &cert_der, key.as_ref(), key_matches, p12_present);
    Ok(ImportedCert {
        summary,
        private_key,
    })
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[first..]
}

fn identify(file: &SourceFile) -> Result<Vec<Found>, ImportError> {
    let entry = || file.name.clone();
    if contains(&file.bytes, b"-----BEGIN") {
        let mut found = Vec::new();
        for pem in Pem::iter_from_buffer(&file.bytes) {
            let pem = pem.map_err(|_| ImportError::MalformedPem { entry: entry() })?;
            found.push(identify_pem(&pem, &file.name)?);
        }
        if found.is_empty() {
            return Err(ImportError::MalformedPem { entry: entry() });
        }
        return Ok(found);
    }
    if file.bytes.first() == Some(&0x30) {
        if parse_x509_certificate(&file.bytes).is_ok_and(|(rest, _)| rest.is_empty()) {
            return Ok(vec![Found::Certificate(file.bytes.clone())]);
        }
        if is_pkcs12(&file.bytes) {
            return Ok(vec![Found::Pkcs12]);
        }
    }
    Ok(vec![Found::Nothing])
}

fn identify_pem(pem: &Pem, name: &str) -> Result<Found, ImportError> {
    let entry = || name.to_owned();
    match pem.label.as_str() {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            match parse_x509_certificate(&pem.contents) {
                Ok((_, _)) => Ok(Found::Certificate(pem.contents.clone())),
                Err(_) => Err(ImportError::MalformedCertificate { entry: entry() }),
            }
        }
        "PRIVATE KEY" => {
            if !pkcs8_is_rsa(&pem.contents) {
                return Err(ImportError::KeyNotRsa { entry: entry() });
            }
            PrivateKey::from_pkcs8_der(&pem.contents)
                .map(|k| Found::RsaKey(Box::new(k)))
                .map_err(|_| ImportError::MalformedKey { entry: entry() })
        }
        "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&pem.contents)
            .map(|k| Found::RsaKey(Box::new(k)))
            .map_err(|_| ImportError::MalformedKey { entry: entry() }),
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
            Err(ImportError::KeyNotRsa { entry: entry() })
        }
        "ENCRYPTED PRIVATE KEY" => Err(ImportError::KeyEncrypted { entry: entry() }),
        // A public key (pub_key.pem of public-key mode) or a CSR is not what we import here.
        _ => Ok(Found::Nothing),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// PKCS#8 `PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier { oid, .. }, key }`:
/// is the algorithm rsaEncryption? A malformed structure counts as RSA here so
/// that the RSA parser reports it as malformed rather than "not RSA".
fn pkcs8_is_rsa(der: &[u8]) -> bool {
    let Ok((_, obj)) = parse_der(der) else {
        return true;
    };
    let BerObjectContent::Sequence(items) = &obj.content else {
        return true;
    };
    let Some(BerObjectContent::Sequence(alg)) = items.get(1).map(|o| &o.content) else {
        return true;
    };
    match alg.first().map(|o| &o.content) {
        Some(BerObjectContent::OID(oid)) => *oid == OID_PKCS1_RSAENCRYPTION,
        _ => true,
    }
}

/// PKCS#12 `PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo { pkcs7-data, .. } }`.
fn is_pkcs12(der: &[u8]) -> bool {
    let Ok((_, obj)) = parse_der(der) else {
        return false;
    };
    let BerObjectContent::Sequence(items) = &obj.content else {
        return false;
    };
    let version_is_3 = items.first().and_then(|v| v.as_u32().ok()) == Some(3);
    let auth_safe_is_data = match items.get(1).map(|o| &o.content) {
        Some(BerObjectContent::Sequence(ci)) => {
            matches!(ci.first().map(|o| &o.content), Some(BerObjectContent::OID(oid)) if *oid == OID_PKCS7_ID_DATA)
        }
        _ => false,
    };
    version_is_3 && auth_safe_is_data
}

fn attr_text(attr: &AttributeTypeAndValue<'_>) -> Option<String> {
    let value = attr.attr_value();
    Some(decode_dn_string(value.tag(), value.data).trim().to_owned())
}

/// The text of a name attribute, by the string type that carries it. x509-parser
/// reads only the ASCII/UTF-8 types; the others matter here because MmpaymchCA
/// wrote the company name as a T61String (TeletexString) holding UTF-8 bytes.
/// T61String is therefore read as UTF-8 first and as Latin-1 only when that fails
/// (what most software writes there); never as UTF-16, which turns Chinese UTF-8
/// into Hangul. BMPString is UTF-16, UniversalString UTF-32 (both big-endian).
pub(crate) fn decode_dn_string(tag: Tag, data: &[u8]) -> String {
    match tag {
        Tag::BmpString => {
            let units = data.chunks_exact(2);
            let odd = !units.remainder().is_empty();
            let mut s: String = char::decode_utf16(units.map(|c| u16::from_be_bytes([c[0], c[1]])))
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            if odd {
                s.push(char::REPLACEMENT_CHARACTER);
            }
            s
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                char::from_u32(u32::from_be_bytes(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        Tag::T61String | Tag::VideotexString => match std::str::from_utf8(data) {
            Ok(s) => s.to_owned(),
            Err(_) => data.iter().map(|&b| char::from(b)).collect(),
        },
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

/// The texts of every CN attribute of `name`, in order.
pub(crate) fn common_names(name: &X509Name<'_>) -> Vec<String> {
    name.iter_common_name().filter_map(attr_text).collect()
}

/// Tenpay's CA (facts §3): `C=CN, O=Tenpay.com, OU=Tenpay.com CA Center,
/// CN=Tenpay.com Root CA`, every one of them and nothing else.
const TENPAY_ISSUER: &[(&str, &str)] = &[
    ("C", "CN"),
    ("O", "Tenpay.com"),
    ("OU", "Tenpay.com CA Center"),
    ("CN", "Tenpay.com Root CA"),
];
/// The pre-2018 CA: `CN=MmpaymchCA, O=Tencent, OU=WXG` (a `C=CN` may come with it).
const LEGACY_ISSUER: &[(&str, &str)] = &[("O", "Tencent"), ("OU", "WXG"), ("CN", "MmpaymchCA")];

/// Who issued the certificate, by the issuer's whole name: a CA that only calls
/// itself `CN=Tenpay.com Root CA` (anyone can) is not Tenpay's.
fn issuer_kind(issuer: &X509Name<'_>) -> IssuerKind {
    let mut attrs: Vec<(String, String)> = issuer
        .iter_attributes()
        .map(|a| {
            let kind = match a.attr_type() {
                t if *t == x509_parser::oid_registry::OID_X509_COUNTRY_NAME => "C".to_owned(),
                t if *t == x509_parser::oid_registry::OID_X509_ORGANIZATION_NAME => "O".to_owned(),
                t if *t == x509_parser::oid_registry::OID_X509_ORGANIZATIONAL_UNIT => {
                    "OU".to_owned()
                }
                t if *t == x509_parser::oid_registry::OID_X509_COMMON_NAME => "CN".to_owned(),
                t => t.to_id_string(),
            };
            (kind, attr_text(a).unwrap_or_default())
        })
        .collect();
    attrs.sort();
    let wanted = |list: &[(&str, &str)]| {
        let mut w: Vec<(String, String)> = list
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        w.sort();
        w
    };
    if attrs == wanted(TENPAY_ISSUER) {
        return IssuerKind::Tenpay;
    }
    let without_country: Vec<(String, String)> = attrs
        .iter()
        .filter(|(k, v)| !(k == "C" && v == "CN"))
        .cloned()
        .collect();
    if without_country == wanted(LEGACY_ISSUER) && attrs.len() <= LEGACY_ISSUER.len() + 1 {
        return IssuerKind::Legacy;
    }
    IssuerKind::Unknown
}

fn is_mchid_like(s: &str) -> bool {
    (8..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn summarize(
    cert: &X509Certificate<'_>,
    der: &[u8],
    key: Option<&PrivateKey>,
    key_matches: Option<bool>,
    p12_present: bool,
) -> CertSummary {
    let subject = cert.subject();
    let issuer = cert.issuer();
    let texts = |name: &X509Name<'_>, f: fn(&X509Name<'_>) -> Vec<String>| f(name);
    let cns = texts(subject, |n| {
        n.iter_common_name().filter_map(attr_text).collect()
    });
    let ous = texts(subject, |n| {
        n.iter_organizational_unit().filter_map(attr_text).collect()
    });
    let orgs = texts(subject, |n| {
        n.iter_organization().filter_map(attr_text).collect()
    });
    // legacy certificates: the surname attribute (2.5.4.4, openssl's `SN`), not
    // serialNumber (2.5.4.5)
    let surnames: Vec<String> = subject
        .iter_by_oid(&OID_X509_SURNAME)
        .filter_map(attr_text)
        .collect();
    let issuer_kind = issuer_kind(issuer);
    // Current certs: CN=<mchid>. Legacy: surname=<mchid>, CN=<company>.
    // two different merchant numbers (`CN=1900000109, CN=1900000110`): none is
    // the certificate's, so none is read
    let mut mchids: Vec<&String> = cns
        .iter()
        .chain(surnames.iter())
        .filter(|s| is_mchid_like(s))
        .collect();
    mchids.sort();
    mchids.dedup();
    let mchid = match mchids.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };
    let company = ous
        .iter()
        .find(|s| !s.is_empty() && s.as_str() != "MMPay")
        .or_else(|| {
            orgs.iter()
                .find(|s| !s.is_empty() && s.as_str() != "微信商户系统" && s.as_str() != "Tencent")
        })
        .or_else(|| cns.iter().find(|s| !s.is_empty() && !is_mchid_like(s)))
        .cloned();

    let serial: String = strip_zeros(cert.raw_serial())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let alg = &cert.signature_algorithm.algorithm;
    let signature_algorithm = if *alg == OID_PKCS1_SHA256WITHRSA {
        "sha256WithRSAEncryption".to_owned()
    } else if *alg == OID_PKCS1_SHA1WITHRSA {
        "sha1WithRSAEncryption".to_owned()
    } else {
        alg.to_id_string()
    };
    let rfc3339 = |t: &ASN1Time| {
        t.to_datetime()
            .format(&::time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    CertSummary {
        mchid,
        company,
        issuer: issuer_kind,
        issuer_name: issuer.to_string(),
        serial,
        not_before: rfc3339(&cert.validity().not_before),
        not_after: rfc3339(&cert.validity().not_after),
        signature_algorithm,
        key_bits: key.map(|k| k.size() * 8),
        key_present: key.is_some(),
        key_matches,
        p12_present,
        source: String::new(),
        certificate_pem: to_pem("CERTIFICATE", der),
    }
}

fn to_pem(label: &str, der: &[u8]) -> String {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_strings_decode_by_their_type() {
        let company = "广州某某贸易有限公司";
        // MmpaymchCA: UTF-8 bytes in a T61String, even length (a UTF-16 reading garbles it)
        assert_eq!(company.len() % 2, 0);
        assert_eq!(
            decode_dn_string(Tag::T61String, company.as_bytes()),
            company
        );
        // genuine T.61/Latin-1 bytes that are not UTF-8
        assert_eq!(
            decode_dn_string(Tag::T61String, b"M\xfcller GmbH"),
            "Müller GmbH"
        );
        let utf16: Vec<u8> = company.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode_dn_string(Tag::BmpString, &utf16), company);
        let utf32: Vec<u8> = company
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(decode_dn_string(Tag::UniversalString, &utf32), company);
        assert_eq!(
            decode_dn_string(Tag::Utf8String, company.as_bytes()),
            company
        );
        assert_eq!(
            decode_dn_string(Tag::PrintableString, b"10000100"),
            "10000100"
        );
        // malformed input is replaced, never a panic
        assert_eq!(
            decode_dn_string(Tag::BmpString, &[0x4e, 0x00, 0x4e]),
            "一\u{fffd}"
        );
        assert_eq!(
            decode_dn_string(Tag::UniversalString, &[0xff; 5])
                .chars()
                .count(),
            2
        );
    }
}
