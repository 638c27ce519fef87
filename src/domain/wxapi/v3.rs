//! WeChat Pay APIv3: the WECHATPAY2-SHA256-RSA2048 Authorization header and
//! `GET /v3/certificates`, whose reply proves the private key, its serial and
//! the MCHID (it is signed for them) and, once one certificate decrypts, the
//! APIv3 key. A 404 "no platform certificate" means public-key mode.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64ct::{Base64, Encoding};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde::Deserialize;
use sha2::Sha256;

use super::{Outcome, random_token, v2::truncate};

pub const CERTIFICATES_PATH: &str = "/v3/certificates";

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
    encrypt_certificate: Encrypted,
}
#[derive(Deserialize)]
struct Encrypted {
    algorithm: String,
    nonce: String,
    associated_data: String,
    ciphertext: String,
}
#[derive(Deserialize)]
struct ErrorReply {
    code: Option<String>,
    message: Option<String>,
}

/// Reads the reply of `GET /v3/certificates`. `api_v3_key` is checked only when given.
pub fn interpret_certificates(status: u16, body: &str, api_v3_key: Option<&str>) -> Outcome {
    match status {
        200 => {
            let Ok(list) = serde_json::from_str::<CertList>(body) else {
                return Outcome::error("bad_reply").with("detail", truncate(body));
            };
            let Some(api_v3_key) = api_v3_key.filter(|k| !k.is_empty()) else {
                return Outcome::ok("v3_ok_no_key");
            };
            let Some(first) = list.data.first() else {
                return Outcome::error("bad_reply").with("detail", "empty certificate list");
            };
            let e = &first.encrypt_certificate;
            if e.algorithm != "AEAD_AES_256_GCM" {
                return Outcome::error("bad_reply").with("detail", truncate(&e.algorithm));
            }
            match decrypt(api_v3_key, &e.nonce, &e.associated_data, &e.ciphertext) {
                Ok(pem) if String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE") => {
                    Outcome::ok("v3_ok")
                }
                _ => Outcome::fail("v3_wrong_api_v3_key"),
            }
        }
        _ => {
            let reply: ErrorReply = serde_json::from_str(body).unwrap_or(ErrorReply {
                code: None,
                message: None,
            });
            let code = reply.code.unwrap_or_default();
            let message = reply.message.unwrap_or_default();
            match (status, code.as_str()) {
                (401, _) | (_, "SIGN_ERROR") => Outcome::fail("v3_sign_error"),
                (404, "RESOURCE_NOT_EXISTS") | (404, _)
                    if message.contains("平台证书") || code == "RESOURCE_NOT_EXISTS" =>
                {
                    Outcome::fail("v3_public_key_mode")
                }
                (403, _) => Outcome::fail("v3_forbidden").with("detail", truncate(&message)),
                (429, _) => Outcome::error("rate_limited"),
                (500..=599, _) => Outcome::error("system_error"),
                _ => Outcome::fail("wechat_other")
                    .with("code", format!("{status} {code}"))
                    .with("detail", truncate(&message)),
            }
        }
    }
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

    #[test]
    fn certificate_replies() {
        let key = "0123456789abcdef0123456789abcdef";
        let ct = encrypt(
            key,
            "abcdef123456",
            "certificate",
            b"-----BEGIN CERTIFICATE-----\n",
        );
        let body = format!(
            r#"{{"data":[{{"serial_no":"5157","effective_time":"2024","expire_time":"2029","encrypt_certificate":{{"algorithm":"AEAD_AES_256_GCM","nonce":"abcdef123456","associated_data":"certificate","ciphertext":"{ct}"}}}}]}}"#
        );
        assert_eq!(interpret_certificates(200, &body, Some(key)).code, "v3_ok");
        assert_eq!(
            interpret_certificates(200, &body, None).code,
            "v3_ok_no_key"
        );
        assert_eq!(
            interpret_certificates(200, &body, Some("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e")).code,
            "v3_wrong_api_v3_key"
        );
        assert_eq!(
            interpret_certificates(401, r#"{"code":"SIGN_ERROR","message":"签名错误"}"#, None).code,
            "v3_sign_error"
        );
        assert_eq!(
            interpret_certificates(
                404,
                r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书"}"#,
                None
            )
            .code,
            "v3_public_key_mode"
        );
        assert_eq!(
            interpret_certificates(500, "oops", None).code,
            "system_error"
        );
        assert_eq!(
            interpret_certificates(200, "{not json", Some(key)).code,
            "bad_reply"
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
}
