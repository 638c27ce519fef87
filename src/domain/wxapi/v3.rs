//! WeChat Pay APIv3: the WECHATPAY2-SHA256-RSA2048 Authorization header,
//! `GET /v3/certificates`, and, where that list cannot be had, a query for an
//! order that does not exist. WeChat signs a reply (`Wechatpay-*` headers, all
//! four) only when the request's signature verified (facts §4b), so an
//! unsigned reply proves nothing, and a signed one proves that WeChat accepted
//! the request signed with the private key for this serial and MCHID. A
//! platform certificate that decrypts with the APIv3 key proves that key, and
//! the reply's signature must then verify with the certificate it names, or
//! with the WeChat Pay public key when the request asked for that
//! (`Wechatpay-Serial`, a merchant switching to it). A 404 "no platform
//! certificate" means public-key mode: there no side-effect-free reply is
//! encrypted with the APIv3 key, so that key stays unproven, and the public
//! key ID and `pub_key.pem` are proven only by a reply signed with that key
//! (facts §4a); an unsigned 404, or a 5xx (a brand-new merchant), sends the
//! runner to the order query, judged by its signature alone. A 401 that names
//! the timestamp, or any 401 while the clock is more than 5 minutes off, is
//! the clock; only WeChat's `SIGN_ERROR` blames the key, serial or MCHID.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64ct::{Base64, Encoding};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use serde::Deserialize;
use sha2::Sha256;

use super::known::{self, Api, Said};
use super::v2::SignatureCheck;
use super::{Outcome, ReplyHeaders, WeChatWords, clock, random_token, v2::truncate};

pub const CERTIFICATES_PATH: &str = "/v3/certificates";
/// Query an order by the merchant's order number: the order number follows.
pub const ORDER_BY_OUT_TRADE_NO: &str = "/v3/pay/transactions/out-trade-no/";

/// The path and query of the order query for an order that cannot exist
/// (a random order number): it creates and changes nothing (facts §4b).
pub fn order_probe_path(mchid: &str) -> String {
    let mchid: String = mchid
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!(
        "{ORDER_BY_OUT_TRADE_NO}WXPAYSETUP{}?mchid={mchid}",
        random_token(22)
    )
}

/// The string WeChat signs: method, path, timestamp, nonce and body, each on a line.
pub fn message(method: &str, path: &str, timestamp: u64, nonce: &str, body: &str) -> String {
    format!("{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n")
}

/// `WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`.
pub fn authorization(
    mchid: &str,
    serial: &str,
    private_key_pem: &str,
    method: &str,
    path: &str,
    timestamp: u64,
) -> Result<String, String> {
    let key = rsa::PrivateKey::from_pkcs8_pem(private_key_pem).map_err(|e| e.to_string())?;
    let nonce = random_token(32);
    let signer = SigningKey::<Sha256>::new(key);
    let sig = signer.sign(message(method, path, timestamp, &nonce, "").as_bytes());
    let signature = Base64::encode_string(&sig.to_bytes());
    Ok(format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
        mchid.trim(),
        serial.trim()
    ))
}

/// AEAD_AES_256_GCM as WeChat uses it: 32-byte APIv3 key, 12-byte nonce, the
/// 16-byte tag appended to the base64 ciphertext.
pub fn decrypt(
    api_v3_key: &str,
    nonce: &str,
    associated_data: &str,
    ciphertext_b64: &str,
) -> Result<Vec<u8>, String> {
    if api_v3_key.len() != 32 {
        return Err("the APIv3 key is not 32 bytes".into());
    }
    let cipher = Aes256Gcm::new_from_slice(api_v3_key.as_bytes()).map_err(|e| e.to_string())?;
    if nonce.len() != 12 {
        return Err("nonce is not 12 bytes".into());
    }
    let data = Base64::decode_vec(ciphertext_b64.trim()).map_err(|e| e.to_string())?;
    cipher
        .decrypt(
            &Nonce::try_from(nonce.as_bytes()).map_err(|_| "nonce is not 12 bytes".to_owned())?,
            Payload {
                msg: &data,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| "decryption failed".to_owned())
}

#[derive(Deserialize)]
struct CertList {
    data: Vec<CertItem>,
}
#[derive(Deserialize)]
struct CertItem {
    #[serde(default)]
    serial_no: String,
    encrypt_certificate: Encrypted,
}
#[derive(Deserialize)]
struct Encrypted {
    algorithm: String,
    nonce: String,
    associated_data: String,
    ciphertext: String,
}
#[derive(Deserialize, Default)]
struct ErrorReply {
    code: Option<String>,
    message: Option<String>,
}

/// The code of the known replies that mean "this merchant is in public-key mode".
const PUBLIC_KEY_MODE: &str = "v3_public_key_mode";
/// Hand-off: a public-key-mode reply without a signature; the order query decides.
const PUBLIC_KEY_UNSIGNED: &str = "v3_public_key_unsigned";
/// The known reply of the order query (judged by its signature only).
const ORDER_NOT_EXIST: &str = "v3_order_not_exist";

/// A reply of `GET /v3/certificates` or of the order query.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    pub status: u16,
    pub body: &'a str,
    pub headers: &'a ReplyHeaders,
}

/// What the user entered that the reply is read against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Given<'a> {
    /// The APIv3 key, when entered.
    pub api_v3_key: Option<&'a str>,
    /// The WeChat Pay public key ID (`PUB_KEY_ID_...`), "" when not entered.
    pub public_key_id: &'a str,
    /// The content of `pub_key.pem`, "" when not entered.
    pub public_key_pem: &'a str,
    /// This computer's clock minus the reply's (its signed `Wechatpay-Timestamp`
    /// where it has one, else its `Date`; see [`clock`]).
    pub clock_skew_secs: Option<i64>,
}

/// The `Wechatpay-Serial` a request sends to ask for a reply signed with the
/// merchant's WeChat Pay public key (as wechatpay-go does): the entered ID
/// when it has the right form, else none.
pub fn asked_serial<'a>(given: &Given<'a>) -> Option<&'a str> {
    let id = given.public_key_id.trim();
    check_public_key_id(id).is_ok().then_some(id)
}

/// Reads the reply of `GET /v3/certificates` into a verdict that claims only
/// what the reply proves. When [`needs_order_probe`] says so, the verdict waits
/// for the order query ([`interpret_order_probe`]).
pub fn interpret_certificates(reply: &Reply<'_>, given: &Given<'_>) -> Outcome {
    let mut o = if reply.status == 200 {
        certificate_mode(reply, given).heard(WeChatWords::new(200, None, None))
    } else {
        refused(reply, given, Api::Certificates)
    };
    o.clock_skew_secs = given.clock_skew_secs;
    o
}

/// The certificate list could not be had in a way that decides (a 5xx, as a
/// brand-new merchant got, or public-key mode without a signed reply): the
/// order query for an order that does not exist is asked next.
pub fn needs_order_probe(certificates: &Outcome) -> bool {
    matches!(
        certificates.code.as_str(),
        "system_error" | PUBLIC_KEY_UNSIGNED
    )
}

/// Reads the order query's reply, asked after `first` (the certificate list's
/// outcome): a signed reply is judged by its signature alone; an unsigned one
/// proves nothing ("could not check"), a refusal is read as the table says.
pub fn interpret_order_probe(reply: &Reply<'_>, given: &Given<'_>, first: &Outcome) -> Outcome {
    let mut o = match ReplySignature::of(reply.headers) {
        Some(sig) => {
            let id = given.public_key_id.trim();
            let words = words_of(reply);
            if sig.serial.starts_with("PUB_KEY_ID_") || (!id.is_empty() && sig.serial == id) {
                public_key_mode(reply, given).heard(words)
            } else if first.code == "system_error" {
                // signed with a platform certificate, which only the (busy)
                // certificate list gives: nothing to verify it with yet
                return first.clone();
            } else {
                Outcome::error("v3_reply_signer_unknown")
                    .with("serial", truncate(sig.serial))
                    .heard(words)
            }
        }
        None => refused(reply, given, Api::OrderProbe),
    };
    o.clock_skew_secs = given.clock_skew_secs;
    o
}

fn bad_reply(detail: &str) -> Outcome {
    Outcome::error("bad_reply").with("detail", truncate(detail))
}

/// A signed reply whose time is 300 s or more away from this computer's: the
/// official SDKs refuse it (facts §4b); whichever clock is off, it is not a
/// verdict on the values.
fn out_of_window(given: &Given<'_>) -> Option<Outcome> {
    given
        .clock_skew_secs
        .filter(|s| clock::beyond(*s, clock::V3_WINDOW_SECS - 1))
        .map(clock::clock_off)
}

/// 200: a signed list; the APIv3 key must decrypt the platform certificates,
/// and the reply's signature must verify with the one it names, or with the
/// WeChat Pay public key the request asked for.
fn certificate_mode(reply: &Reply<'_>, given: &Given<'_>) -> Outcome {
    let Ok(list) = serde_json::from_str::<CertList>(reply.body) else {
        // a reply's body: named when blank or not text, else cut and escaped
        return Outcome::error("bad_reply")
            .with("detail", crate::domain::text::quote_reply(reply.body, 120));
    };
    if list.data.is_empty() {
        return bad_reply("empty certificate list");
    }
    // WeChat signs every reply to a request it accepted: unsigned proves nothing
    let Some(sig) = ReplySignature::of(reply.headers) else {
        return Outcome::error("v3_reply_unsigned");
    };
    if let Some(o) = out_of_window(given) {
        return o;
    }
    let platform = match given.api_v3_key.filter(|k| !k.is_empty()) {
        Some(key) => match decrypt_all(&list, key) {
            Ok(p) => Some(p),
            Err(o) => return *o,
        },
        None => None,
    };
    let id = given.public_key_id.trim();
    if !id.is_empty() && sig.serial == id {
        // a merchant switching to the public key: signed with it as asked
        return match judge_public_key(&sig, reply.body, given) {
            Ok(()) if platform.is_some() => Outcome::ok("v3_ok_public_key"),
            Ok(()) => Outcome::ok("v3_public_key_mode_ok"),
            Err(o) => *o,
        };
    }
    let Some(platform) = platform else {
        // no APIv3 key: the certificates stay closed, so the signature cannot
        // be verified; the signer must at least be one of them
        return if list
            .data
            .iter()
            .any(|i| same_serial(&i.serial_no, sig.serial))
        {
            Outcome::ok("v3_ok_no_key")
        } else {
            Outcome::error("v3_reply_signer_unknown").with("serial", truncate(sig.serial))
        };
    };
    let signer = platform
        .into_iter()
        .find(|(serial_no, serial, _)| {
            same_serial(serial_no, sig.serial) || same_serial(serial, sig.serial)
        })
        .map(|(_, _, key)| key);
    let Some(signer) = signer else {
        return Outcome::error("v3_reply_signer_unknown").with("serial", truncate(sig.serial));
    };
    if sig.verify(&signer, reply.body) {
        Outcome::ok("v3_ok")
    } else {
        Outcome::error("v3_reply_signature_bad")
    }
}

/// Decrypts every platform certificate of the list with the APIv3 key: the
/// listed serial, the certificate's own serial and its key, each.
fn decrypt_all(
    list: &CertList,
    api_v3_key: &str,
) -> Result<Vec<(String, String, rsa::PublicKey)>, Box<Outcome>> {
    let mut certs = Vec::new();
    for item in &list.data {
        let e = &item.encrypt_certificate;
        if e.algorithm != "AEAD_AES_256_GCM" {
            return Err(Box::new(bad_reply(&e.algorithm)));
        }
        if let Ok(plain) = decrypt(api_v3_key, &e.nonce, &e.associated_data, &e.ciphertext) {
            certs.push((item.serial_no.clone(), plain));
        }
    }
    // WeChat encrypts them all with the merchant's APIv3 key: none decrypting
    // is a wrong key; only some decrypting is a reply we don't understand
    if certs.is_empty() {
        return Err(Box::new(Outcome::fail("v3_wrong_api_v3_key")));
    }
    if certs.len() < list.data.len() {
        return Err(Box::new(bad_reply(
            "some platform certificates do not decrypt",
        )));
    }
    certs
        .into_iter()
        .map(|(serial_no, plain)| match platform_certificate(&plain) {
            Some((serial, key)) => Ok((serial_no, serial, key)),
            None => Err(Box::new(bad_reply(
                "a decrypted platform certificate is unreadable",
            ))),
        })
        .collect()
}

fn words_of(reply: &Reply<'_>) -> WeChatWords {
    let e: ErrorReply = serde_json::from_str(reply.body).unwrap_or_default();
    WeChatWords::new(reply.status, e.code.as_deref(), e.message.as_deref())
}

/// Not 200: the clock, a known refusal, public-key mode, or unexpected.
fn refused(reply: &Reply<'_>, given: &Given<'_>, api: Api) -> Outcome {
    let e: ErrorReply = serde_json::from_str(reply.body).unwrap_or_default();
    let code = e.code.unwrap_or_default();
    let message = e.message.unwrap_or_default();
    let words = WeChatWords::new(reply.status, Some(&code), Some(&message));
    let said = Said {
        http: reply.status,
        errcode: None,
        code: &code,
        messages: vec![&message],
    };
    let skew = given
        .clock_skew_secs
        .filter(|s| clock::beyond(*s, clock::TOLERANCE_SECS));
    let outcome = match given.clock_skew_secs {
        // WeChat refuses requests more than 5 minutes off: whatever the 401 says
        Some(s) if reply.status == 401 && clock::beyond(s, clock::V3_WINDOW_SECS) => {
            clock::clock_off(s)
        }
        _ => match known::lookup(api, &said) {
            Some(row) if row.code == "clock_off" => match skew {
                Some(s) => clock::clock_off(s),
                None => Outcome::error("clock_rejected"),
            },
            Some(row) if row.code == PUBLIC_KEY_MODE => public_key_mode(reply, given),
            // the order query's expected reply, unsigned: it proves nothing
            Some(row) if row.code == ORDER_NOT_EXIST => Outcome::error("v3_probe_unsigned"),
            Some(row) => row.verdict("", &said),
            None => known::unexpected(&said),
        },
    };
    outcome.heard(words)
}

/// Public-key mode: the public key ID and `pub_key.pem` against the reply's
/// signature; the APIv3 key can only be format-checked.
fn public_key_mode(reply: &Reply<'_>, given: &Given<'_>) -> Outcome {
    if given.public_key_id.trim().is_empty() {
        return Outcome::error(PUBLIC_KEY_MODE);
    }
    let Some(sig) = ReplySignature::of(reply.headers) else {
        // formats first: a wrong entry is said before any request decides
        return match public_key_values(given) {
            Err(o) => *o,
            Ok(_) => Outcome::error(PUBLIC_KEY_UNSIGNED),
        };
    };
    if let Some(o) = out_of_window(given) {
        return o;
    }
    if let Err(o) = judge_public_key(&sig, reply.body, given) {
        return *o;
    }
    match given.api_v3_key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Outcome::ok("v3_public_key_mode_ok"),
        Some(k) if k.len() != 32 => Outcome::fail("v3_key_bad_length").with("len", k.len()),
        Some(_) => Outcome::unproven("v3_key_unproven_public_key_mode"),
    }
}

/// The entered public key ID and `pub_key.pem`, format-checked: the key, or
/// what is wrong or missing.
fn public_key_values(given: &Given<'_>) -> Result<rsa::PublicKey, Box<Outcome>> {
    let id = given.public_key_id.trim();
    if let Err(code) = check_public_key_id(id) {
        return Err(Box::new(Outcome::fail(code)));
    }
    if given.public_key_pem.trim().is_empty() {
        return Err(Box::new(
            Outcome::error("missing_values").with("fields", "public_key_pem"),
        ));
    }
    if let Err(code) = check_public_key_pem(given.public_key_pem) {
        return Err(Box::new(Outcome::fail(code)));
    }
    public_key(given.public_key_pem).ok_or_else(|| Box::new(Outcome::fail("public_key_not_rsa")))
}

/// A signed reply against the entered public key ID and `pub_key.pem`: `Ok`
/// when WeChat signed it with that ID and the key verifies it.
fn judge_public_key(
    sig: &ReplySignature<'_>,
    body: &str,
    given: &Given<'_>,
) -> Result<(), Box<Outcome>> {
    let public = public_key_values(given)?;
    let verifies = sig.verify(&public, body);
    if sig.serial != given.public_key_id.trim() {
        return Err(Box::new(if verifies {
            // pub_key.pem is the key WeChat signed with: the ID is the other one
            Outcome::fail("v3_public_key_id_mismatch").with("serial", truncate(sig.serial))
        } else {
            Outcome::error("v3_public_key_other_signer").with("serial", truncate(sig.serial))
        }));
    }
    if !verifies {
        return Err(Box::new(Outcome::fail("v3_public_key_mismatch")));
    }
    Ok(())
}

/// The `Wechatpay-*` headers of a signed reply (all four, or none).
#[derive(Debug, Clone, Copy)]
struct ReplySignature<'a> {
    serial: &'a str,
    signature: &'a str,
    timestamp: &'a str,
    nonce: &'a str,
}

impl<'a> ReplySignature<'a> {
    fn of(h: &'a ReplyHeaders) -> Option<ReplySignature<'a>> {
        let get = |v: &'a Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty());
        Some(ReplySignature {
            serial: get(&h.wechatpay_serial)?,
            signature: get(&h.wechatpay_signature)?,
            timestamp: get(&h.wechatpay_timestamp)?,
            nonce: get(&h.wechatpay_nonce)?,
        })
    }

    /// SHA256withRSA over `timestamp\nnonce\nbody\n`.
    fn verify(&self, key: &rsa::PublicKey, body: &str) -> bool {
        let message = format!("{}\n{}\n{body}\n", self.timestamp, self.nonce);
        Base64::decode_vec(self.signature)
            .ok()
            .and_then(|s| Signature::try_from(s.as_slice()).ok())
            .is_some_and(|sig| {
                VerifyingKey::<Sha256>::new(key.clone())
                    .verify(message.as_bytes(), &sig)
                    .is_ok()
            })
    }
}

/// Whether a reply's `Wechatpay-Signature` verifies with `key` (a WeChat Pay
/// public key or a platform certificate's key).
pub fn verify_reply_signature(
    key: &rsa::PublicKey,
    headers: &ReplyHeaders,
    body: &str,
) -> SignatureCheck {
    match ReplySignature::of(headers) {
        None => SignatureCheck::Absent,
        Some(s) if s.verify(key, body) => SignatureCheck::Valid,
        Some(_) => SignatureCheck::Invalid,
    }
}

/// The RSA public key of a `pub_key.pem`.
pub fn public_key(pem: &str) -> Option<rsa::PublicKey> {
    rsa::PublicKey::from_public_key_pem(pem.trim()).ok()
}

/// The serial (uppercase hex) and RSA key of a decrypted platform certificate (PEM).
fn platform_certificate(pem: &[u8]) -> Option<(String, rsa::PublicKey)> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    let key = rsa::PublicKey::from_public_key_der(cert.public_key().raw).ok()?;
    let serial = cert
        .raw_serial()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    Some((serial, key))
}

/// Serials as WeChat writes them: hex, any case, leading zeros not significant.
fn same_serial(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_start_matches('0').to_ascii_uppercase();
    !a.trim().is_empty() && norm(a) == norm(b)
}

/// `PUB_KEY_ID_` followed by digits and letters: the ID of a WeChat Pay public key.
pub fn check_public_key_id(id: &str) -> Result<(), &'static str> {
    let id = id.trim();
    let Some(rest) = id.strip_prefix("PUB_KEY_ID_") else {
        return Err("public_key_id_prefix");
    };
    if rest.is_empty() || rest.len() > 64 || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("public_key_id_chars");
    }
    Ok(())
}

/// A WeChat Pay public key (`pub_key.pem`): an RSA `PUBLIC KEY` in SPKI PEM.
pub fn check_public_key_pem(pem: &str) -> Result<(), &'static str> {
    use rsa::pkcs8::DecodePublicKey;
    if !pem.contains("-----BEGIN PUBLIC KEY-----") {
        return Err("public_key_not_pem");
    }
    rsa::PublicKey::from_public_key_pem(pem.trim()).map_err(|_| "public_key_not_rsa")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::Aead;

    fn encrypt(key: &str, nonce: &str, aad: &str, plain: &[u8]) -> String {
        let c = Aes256Gcm::new_from_slice(key.as_bytes()).unwrap();
        let out = c
            .encrypt(
                &Nonce::try_from(nonce.as_bytes()).unwrap(),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap();
        Base64::encode_string(&out)
    }

    #[test]
    fn aes_gcm_round_trip_and_wrong_key() {
        let key = "0123456789abcdef0123456789abcdef";
        let ct = encrypt(
            key,
            "abcdef123456",
            "certificate",
            b"-----BEGIN CERTIFICATE-----",
        );
        assert_eq!(
            decrypt(key, "abcdef123456", "certificate", &ct).unwrap(),
            b"-----BEGIN CERTIFICATE-----"
        );
        assert!(
            decrypt(
                "x123456789abcdef0123456789abcdef",
                "abcdef123456",
                "certificate",
                &ct
            )
            .is_err()
        );
        assert!(decrypt(key, "abcdef123456", "other aad", &ct).is_err());
        assert!(decrypt(key, "short", "certificate", &ct).is_err());
        assert!(decrypt(key, "abcdef123456", "certificate", "%%%").is_err());
    }

    use crate::domain::wxapi::Status;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    use std::sync::OnceLock;

    const V3_KEY: &str = "0123456789abcdef0123456789abcdef";
    const PLATFORM_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    const PUB_ID: &str = "PUB_KEY_ID_0119000060312025112600000001";

    fn rsa_key(slot: usize) -> &'static rsa::PrivateKey {
        static KEYS: [OnceLock<rsa::PrivateKey>; 2] = [OnceLock::new(), OnceLock::new()];
        KEYS[slot].get_or_init(|| rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
    }
    /// WeChat's signing key (the platform certificate's, or the public key's).
    fn wechat() -> &'static rsa::PrivateKey {
        rsa_key(0)
    }
    fn stranger() -> &'static rsa::PrivateKey {
        rsa_key(1)
    }
    fn public_pem(k: &rsa::PrivateKey) -> String {
        k.to_public_key().to_public_key_pem(LineEnding::LF).unwrap()
    }

    fn platform_cert_pem() -> String {
        let pem = wechat().to_pkcs8_pem(LineEnding::LF).unwrap();
        let key = rcgen::KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap();
        let mut p = rcgen::CertificateParams::default();
        let serial: Vec<u8> = (0..40)
            .step_by(2)
            .map(|i| u8::from_str_radix(&PLATFORM_SERIAL[i..i + 2], 16).unwrap())
            .collect();
        p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        p.self_signed(&key).unwrap().pem()
    }

    fn signed(by: &rsa::PrivateKey, serial: &str, body: &str) -> ReplyHeaders {
        let (timestamp, nonce) = ("1795761779", "b3a7e9f4c1d2e5f6");
        let signer = SigningKey::<Sha256>::new(by.clone());
        let sig = signer.sign(format!("{timestamp}\n{nonce}\n{body}\n").as_bytes());
        ReplyHeaders {
            date: None,
            wechatpay_serial: Some(serial.into()),
            wechatpay_signature: Some(Base64::encode_string(&sig.to_bytes())),
            wechatpay_timestamp: Some(timestamp.into()),
            wechatpay_nonce: Some(nonce.into()),
        }
    }

    fn cert_list() -> String {
        let ct = encrypt(
            V3_KEY,
            "abcdef123456",
            "certificate",
            platform_cert_pem().as_bytes(),
        );
        format!(
            r#"{{"data":[{{"serial_no":"{PLATFORM_SERIAL}","effective_time":"2024","expire_time":"2029","encrypt_certificate":{{"algorithm":"AEAD_AES_256_GCM","nonce":"abcdef123456","associated_data":"certificate","ciphertext":"{ct}"}}}}]}}"#
        )
    }

    fn read(status: u16, body: &str, headers: &ReplyHeaders, given: Given<'_>) -> (Status, String) {
        let o = interpret_certificates(
            &Reply {
                status,
                body,
                headers,
            },
            &given,
        );
        (o.status, o.code)
    }

    fn with_key() -> Given<'static> {
        Given {
            api_v3_key: Some(V3_KEY),
            ..Default::default()
        }
    }

    #[test]
    fn certificate_mode_needs_the_key_to_decrypt_and_the_platform_certificate_to_verify() {
        let body = cert_list();
        let good = signed(wechat(), PLATFORM_SERIAL, &body);
        let ok = (Status::Ok, "v3_ok".to_owned());
        assert_eq!(read(200, &body, &good, with_key()), ok);
        // the serial in any case, with a leading zero
        let lower = signed(
            wechat(),
            &format!("0{}", PLATFORM_SERIAL.to_lowercase()),
            &body,
        );
        assert_eq!(read(200, &body, &lower, with_key()), ok);
        assert_eq!(
            read(200, &body, &good, Given::default()),
            (Status::Ok, "v3_ok_no_key".into())
        );
        let wrong_key = Given {
            api_v3_key: Some("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
            ..Default::default()
        };
        assert_eq!(
            read(200, &body, &good, wrong_key),
            (Status::Fail, "v3_wrong_api_v3_key".into())
        );
        // a bad or missing signature is never OK
        let forged = signed(stranger(), PLATFORM_SERIAL, &body);
        assert_eq!(
            read(200, &body, &forged, with_key()),
            (Status::Error, "v3_reply_signature_bad".into())
        );
        let altered = body.replace("2029", "2030");
        assert_eq!(
            read(200, &altered, &good, with_key()).1,
            "v3_reply_signature_bad"
        );
        assert_eq!(
            read(200, &body, &ReplyHeaders::default(), with_key()),
            (Status::Error, "v3_reply_unsigned".into())
        );
        let elsewhere = signed(wechat(), "0123456789ABCDEF", &body);
        assert_eq!(
            read(200, &body, &elsewhere, with_key()),
            (Status::Error, "v3_reply_signer_unknown".into())
        );
        // a merchant moving to public-key mode gets replies signed with that key
        // when asked: verified with it, and said so (not the platform certificate)
        let by_public_key = signed(stranger(), PUB_ID, &body);
        let pem = public_pem(stranger());
        let given = Given {
            public_key_id: PUB_ID,
            public_key_pem: &pem,
            ..with_key()
        };
        assert_eq!(
            read(200, &body, &by_public_key, given),
            (Status::Ok, "v3_ok_public_key".into())
        );
        let no_key = Given {
            api_v3_key: None,
            ..given
        };
        assert_eq!(
            read(200, &body, &by_public_key, no_key),
            (Status::Ok, "v3_public_key_mode_ok".into())
        );
        let wrong_pem = public_pem(wechat());
        let wrong = Given {
            public_key_pem: &wrong_pem,
            ..given
        };
        assert_eq!(
            read(200, &body, &by_public_key, wrong),
            (Status::Fail, "v3_public_key_mismatch".into())
        );
        assert_eq!(read(200, "{not json", &good, with_key()).1, "bad_reply");
        assert_eq!(
            read(200, r#"{"data":[]}"#, &good, with_key()).1,
            "bad_reply"
        );
    }

    #[test]
    fn refusals_blame_the_clock_first_and_never_guess() {
        let none = ReplyHeaders::default();
        let timestamp = r#"{"code":"SIGN_ERROR","message":"Http头Authorization中的timestamp与发起请求的时间不得超过5分钟"}"#;
        let skewed = |s| Given {
            clock_skew_secs: Some(s),
            ..Default::default()
        };
        let o = interpret_certificates(
            &Reply {
                status: 401,
                body: timestamp,
                headers: &none,
            },
            &skewed(-600),
        );
        assert_eq!((o.status, o.code.as_str()), (Status::Error, "clock_off"));
        assert_eq!(o.args, [("minutes".to_owned(), "10".to_owned())]);
        assert_eq!(o.clock_skew_secs, Some(-600));
        let w = o.wechat.unwrap();
        assert_eq!((w.http, w.code.as_deref()), (401, Some("SIGN_ERROR")));
        assert!(w.message.unwrap().contains("timestamp"));
        // the message names the timestamp but no Date header told how far off
        assert_eq!(
            read(401, timestamp, &none, Given::default()),
            (Status::Error, "clock_rejected".into())
        );
        // any 401 while the clock is more than 5 minutes off is the clock
        let sign_error = r#"{"code":"SIGN_ERROR","message":"签名错误"}"#;
        assert_eq!(read(401, sign_error, &none, skewed(400)).1, "clock_off");
        assert_eq!(
            read(401, sign_error, &none, skewed(100)),
            (Status::Fail, "v3_sign_error".into())
        );
        let serial = r#"{"code":"SIGN_ERROR","detail":{"sign_information":{}},"message":"商户证书序列号有误。"}"#;
        assert_eq!(
            read(401, serial, &none, Given::default()),
            (Status::Fail, "v3_wrong_serial".into())
        );
        for (status, body, expected) in [
            (
                404,
                r#"{"code":"NOT_FOUND","message":"证书不存在"}"#,
                "v3_public_key_mode",
            ),
            (
                404,
                r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书"}"#,
                "v3_public_key_mode",
            ),
            (
                500,
                r#"{"code":"SYSTEM_ERROR","message":"系统繁忙"}"#,
                "system_error",
            ),
            (502, "<html>bad gateway</html>", "system_error"),
            (429, "{}", "rate_limited"),
            (
                403,
                r#"{"code":"NO_AUTH","message":"商户无权限"}"#,
                "unexpected_reply",
            ),
            (404, "<html>not here</html>", "unexpected_reply"),
            (302, "", "unexpected_reply"),
        ] {
            assert_eq!(
                read(status, body, &none, Given::default()),
                (Status::Error, expected.into()),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn public_key_mode_proves_the_public_key_only_by_its_signature() {
        let body = r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"}"#;
        let right_pem = public_pem(wechat());
        let wrong_pem = public_pem(stranger());
        let given = |pem: &'static str, key: Option<&'static str>| Given {
            api_v3_key: key,
            public_key_id: PUB_ID,
            public_key_pem: pem,
            clock_skew_secs: None,
        };
        let right_pem: &'static str = Box::leak(right_pem.into_boxed_str());
        let wrong_pem: &'static str = Box::leak(wrong_pem.into_boxed_str());
        let by_wechat = signed(wechat(), PUB_ID, body);
        assert_eq!(
            read(404, body, &by_wechat, given(right_pem, Some(V3_KEY))),
            (Status::Unproven, "v3_key_unproven_public_key_mode".into())
        );
        assert_eq!(
            read(404, body, &by_wechat, given(right_pem, None)),
            (Status::Ok, "v3_public_key_mode_ok".into())
        );
        assert_eq!(
            read(404, body, &by_wechat, given(right_pem, Some("short"))),
            (Status::Fail, "v3_key_bad_length".into())
        );
        assert_eq!(
            read(404, body, &by_wechat, given(wrong_pem, Some(V3_KEY))),
            (Status::Fail, "v3_public_key_mismatch".into())
        );
        // unsigned: nothing proven; the runner asks the order query next
        let unsigned = interpret_certificates(
            &Reply {
                status: 404,
                body,
                headers: &ReplyHeaders::default(),
            },
            &given(right_pem, Some(V3_KEY)),
        );
        assert_eq!(
            (unsigned.status, unsigned.code.as_str()),
            (Status::Error, "v3_public_key_unsigned")
        );
        assert!(needs_order_probe(&unsigned));
        // WeChat signed with another key ID: proven wrong only if pub_key.pem verifies it
        let other_id = signed(wechat(), "PUB_KEY_ID_0119000060312025112600000009", body);
        assert_eq!(
            read(404, body, &other_id, given(right_pem, Some(V3_KEY))),
            (Status::Fail, "v3_public_key_id_mismatch".into())
        );
        assert_eq!(
            read(404, body, &other_id, given(wrong_pem, Some(V3_KEY))),
            (Status::Error, "v3_public_key_other_signer".into())
        );
        // values missing or malformed
        assert_eq!(
            read(404, body, &by_wechat, Given::default()),
            (Status::Error, "v3_public_key_mode".into())
        );
        assert_eq!(
            read(404, body, &by_wechat, given("", None)),
            (Status::Error, "missing_values".into())
        );
        assert_eq!(
            read(404, body, &by_wechat, given("hello", None)),
            (Status::Fail, "public_key_not_pem".into())
        );
        assert_eq!(
            verify_reply_signature(&wechat().to_public_key(), &by_wechat, body),
            SignatureCheck::Valid
        );
        assert_eq!(
            verify_reply_signature(&stranger().to_public_key(), &by_wechat, body),
            SignatureCheck::Invalid
        );
    }

    #[test]
    fn public_key_mode_values() {
        assert!(check_public_key_id("PUB_KEY_ID_0114232134912410000000000000").is_ok());
        assert_eq!(
            check_public_key_id("1900006031"),
            Err("public_key_id_prefix")
        );
        assert_eq!(
            check_public_key_id("PUB_KEY_ID_"),
            Err("public_key_id_chars")
        );
        assert_eq!(check_public_key_pem("hello"), Err("public_key_not_pem"));
        assert_eq!(
            check_public_key_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err("public_key_not_rsa")
        );
    }

    /// Issue 17 item 3: an unsigned 200 is never green, with or without the
    /// APIv3 key; the signer must be listed, the list not empty, and the
    /// reply's time within 300 s.
    #[test]
    fn an_unsigned_or_stale_certificate_list_is_not_green() {
        let body = cert_list();
        let good = signed(wechat(), PLATFORM_SERIAL, &body);
        let none = ReplyHeaders::default();
        assert_eq!(
            read(200, &body, &none, Given::default()),
            (Status::Error, "v3_reply_unsigned".into())
        );
        // three of the four headers are not a signature
        let three = ReplyHeaders {
            wechatpay_nonce: None,
            ..good.clone()
        };
        assert_eq!(
            read(200, &body, &three, Given::default()).1,
            "v3_reply_unsigned"
        );
        assert_eq!(
            read(200, &body, &good, Given::default()),
            (Status::Ok, "v3_ok_no_key".into())
        );
        // without the key the signer can only be matched to the listed serials
        let elsewhere = signed(wechat(), "0123456789ABCDEF", &body);
        assert_eq!(
            read(200, &body, &elsewhere, Given::default()).1,
            "v3_reply_signer_unknown"
        );
        assert_eq!(
            read(200, r#"{"data":[]}"#, &good, Given::default()).1,
            "bad_reply"
        );
        for (skew, expected) in [(299, "v3_ok"), (300, "clock_off"), (-400, "clock_off")] {
            let given = Given {
                clock_skew_secs: Some(skew),
                ..with_key()
            };
            assert_eq!(read(200, &body, &good, given).1, expected, "{skew}");
        }
    }

    /// Issue 17 item 6: only WeChat's SIGN_ERROR blames the key, serial or
    /// MCHID; a proxy's 401 page names none of them.
    #[test]
    fn only_sign_error_blames_the_key() {
        let none = ReplyHeaders::default();
        assert_eq!(
            read(
                401,
                "<html>401 Authorization Required</html>",
                &none,
                Given::default()
            ),
            (Status::Error, "unexpected_reply".into())
        );
        assert_eq!(
            read(
                401,
                r#"{"code":"UNAUTHORIZED","message":"x"}"#,
                &none,
                Given::default()
            ),
            (Status::Error, "unexpected_reply".into())
        );
        assert_eq!(
            read(
                401,
                r#"{"code":"SIGN_ERROR","message":"签名错误"}"#,
                &none,
                Given::default()
            ),
            (Status::Fail, "v3_sign_error".into())
        );
    }

    /// Issue 17 item 4: where the certificate list cannot decide, the order
    /// query's reply is judged by its signature alone.
    #[test]
    fn the_order_query_is_judged_by_its_signature() {
        let body = r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#;
        let right_pem: &'static str = Box::leak(public_pem(wechat()).into_boxed_str());
        let wrong_pem: &'static str = Box::leak(public_pem(stranger()).into_boxed_str());
        let given = |pem: &'static str| Given {
            api_v3_key: Some(V3_KEY),
            public_key_id: PUB_ID,
            public_key_pem: pem,
            clock_skew_secs: None,
        };
        let busy = Outcome::error("system_error");
        assert!(needs_order_probe(&busy));
        assert!(!needs_order_probe(&Outcome::ok("v3_ok")));
        let probe = |status: u16, body: &str, headers: &ReplyHeaders, given: Given<'_>| {
            let o = interpret_order_probe(
                &Reply {
                    status,
                    body,
                    headers,
                },
                &given,
                &busy,
            );
            (o.status, o.code)
        };
        let by_public_key = signed(wechat(), PUB_ID, body);
        assert_eq!(
            probe(404, body, &by_public_key, given(right_pem)),
            (Status::Unproven, "v3_key_unproven_public_key_mode".into())
        );
        assert_eq!(
            probe(404, body, &by_public_key, given(wrong_pem)),
            (Status::Fail, "v3_public_key_mismatch".into())
        );
        // no public key entered: WeChat's signature says the merchant has one
        assert_eq!(
            probe(404, body, &by_public_key, Given::default()),
            (Status::Error, "v3_public_key_mode".into())
        );
        // unsigned: could not check, never "unproven"
        let none = ReplyHeaders::default();
        assert_eq!(
            probe(404, body, &none, given(right_pem)),
            (Status::Error, "v3_probe_unsigned".into())
        );
        assert_eq!(
            probe(404, "<html>404</html>", &none, given(right_pem)),
            (Status::Error, "unexpected_reply".into())
        );
        assert_eq!(
            probe(
                401,
                r#"{"code":"SIGN_ERROR","message":"签名错误"}"#,
                &none,
                given(right_pem)
            ),
            (Status::Fail, "v3_sign_error".into())
        );
        assert_eq!(
            probe(503, "", &none, given(right_pem)),
            (Status::Error, "system_error".into())
        );
        // signed with a platform certificate, which only the busy list gives
        let by_platform = signed(wechat(), PLATFORM_SERIAL, body);
        assert_eq!(
            probe(404, body, &by_platform, given(right_pem)),
            (Status::Error, "system_error".into())
        );
        let path = order_probe_path(" 1900006031 ");
        assert!(
            path.starts_with("/v3/pay/transactions/out-trade-no/WXPAYSETUP"),
            "{path}"
        );
        assert!(path.ends_with("?mchid=1900006031"), "{path}");
    }

    #[test]
    fn a_public_key_reply_is_asked_for_only_with_a_well_formed_id() {
        let given = |id| Given {
            public_key_id: id,
            ..Default::default()
        };
        assert_eq!(asked_serial(&given(PUB_ID)), Some(PUB_ID));
        assert_eq!(asked_serial(&given("")), None);
        assert_eq!(asked_serial(&given("PUB_KEY_ID_\nX: y")), None);
    }
}
