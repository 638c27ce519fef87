//! The online checks: which apply to a profile, what each needs, running one
//! (with retries when WeChat says "busy"), and remembering results together with
//! a fingerprint of the values they checked, so that editing a value
//! invalidates exactly the results that depended on it.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::rules::Secrets;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::wxapi::{Outcome, Status, mp, v2, v3};
use crate::services::wechat_http::{BaseUrls, NetError, WeChatHttp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// Mini program AppID + AppSecret.
    MpAppSecret,
    /// Service account AppID + AppSecret (case 2).
    OaAppSecret,
    /// MCHID + API key + mini program AppID binding.
    PayMp,
    /// MCHID + API key + service account AppID binding (case 2).
    PayOa,
    /// Certificate, private key, serial (+ APIv3 key).
    V3Certificates,
}

impl CheckId {
    pub const ALL: [CheckId; 5] = [
        CheckId::MpAppSecret,
        CheckId::OaAppSecret,
        CheckId::PayMp,
        CheckId::PayOa,
        CheckId::V3Certificates,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CheckId::MpAppSecret => "mp_appsecret",
            CheckId::OaAppSecret => "oa_appsecret",
            CheckId::PayMp => "pay_mp",
            CheckId::PayOa => "pay_oa",
            CheckId::V3Certificates => "v3_certificates",
        }
    }

    pub fn applies(self, profile: &Profile) -> bool {
        match self {
            CheckId::OaAppSecret | CheckId::PayOa => {
                profile.site_kind_or_default().needs_service_account()
            }
            _ => true,
        }
    }
}

pub fn applicable(profile: &Profile) -> Vec<CheckId> {
    CheckId::ALL
        .into_iter()
        .filter(|c| c.applies(profile))
        .collect()
}

/// A remembered result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub outcome: Outcome,
    /// RFC 3339.
    pub at: String,
    /// Hash of the values checked; a different hash now means the result is stale.
    pub fingerprint: String,
}

fn secret(s: &Secrets, f: SecretField) -> &str {
    s.get(&f).map(|v| v.expose().trim()).unwrap_or("")
}

/// The values a check reads, in a fixed order.
fn inputs(check: CheckId, p: &Profile, s: &Secrets) -> Vec<String> {
    let serial = p
        .certificate
        .as_ref()
        .map(|c| c.serial.clone())
        .unwrap_or_default();
    match check {
        CheckId::MpAppSecret => vec![
            p.mp_appid.trim().into(),
            secret(s, SecretField::MpAppSecret).into(),
        ],
        CheckId::OaAppSecret => vec![
            p.oa_appid.trim().into(),
            secret(s, SecretField::OaAppSecret).into(),
        ],
        CheckId::PayMp => vec![
            p.mp_appid.trim().into(),
            p.mchid.trim().into(),
            secret(s, SecretField::ApiKeyV2).into(),
        ],
        CheckId::PayOa => vec![
            p.oa_appid.trim().into(),
            p.mchid.trim().into(),
            secret(s, SecretField::ApiKeyV2).into(),
        ],
        CheckId::V3Certificates => vec![
            p.mchid.trim().into(),
            serial,
            secret(s, SecretField::PrivateKey).into(),
            secret(s, SecretField::ApiKeyV3).into(),
            p.public_key_id.trim().into(),
            p.public_key_pem.trim().into(),
        ],
    }
}

/// SHA-256 over the check's inputs, shortened. The inputs include secrets,
/// but these are long random strings and only 64 bits of the hash are kept: it
/// identifies a change, it cannot give a secret back. The shop's name is not an
/// input: renaming a shop changes nothing a check depends on (issue 8 item 9).
pub fn fingerprint(check: CheckId, p: &Profile, s: &Secrets) -> String {
    let mut h = Sha256::new();
    h.update(check.key().as_bytes());
    for v in inputs(check, p, s) {
        h.update([0u8]);
        h.update(v.as_bytes());
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a check needs that is not there yet.
fn missing(check: CheckId, p: &Profile, s: &Secrets) -> Vec<&'static str> {
    let mut m = Vec::new();
    let need = |ok: bool, name: &'static str, m: &mut Vec<&'static str>| {
        if !ok {
            m.push(name)
        }
    };
    match check {
        CheckId::MpAppSecret => {
            need(!p.mp_appid.trim().is_empty(), "mp_appid", &mut m);
            need(
                !secret(s, SecretField::MpAppSecret).is_empty(),
                "mp_appsecret",
                &mut m,
            );
        }
        CheckId::OaAppSecret => {
            need(!p.oa_appid.trim().is_empty(), "oa_appid", &mut m);
            need(
                !secret(s, SecretField::OaAppSecret).is_empty(),
                "oa_appsecret",
                &mut m,
            );
        }
        CheckId::PayMp | CheckId::PayOa => {
            let appid = if check == CheckId::PayMp {
                &p.mp_appid
            } else {
                &p.oa_appid
            };
            need(
                !appid.trim().is_empty(),
                if check == CheckId::PayMp {
                    "mp_appid"
                } else {
                    "oa_appid"
                },
                &mut m,
            );
            need(!p.mchid.trim().is_empty(), "mchid", &mut m);
            need(
                !secret(s, SecretField::ApiKeyV2).is_empty(),
                "api_key_v2",
                &mut m,
            );
        }
        CheckId::V3Certificates => {
            need(!p.mchid.trim().is_empty(), "mchid", &mut m);
            need(p.certificate.is_some(), "certificate", &mut m);
            need(
                !secret(s, SecretField::PrivateKey).is_empty(),
                "private_key",
                &mut m,
            );
        }
    }
    m
}

/// Waits between attempts when WeChat is busy: 0.5 s, then 1.5 s.
pub const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

fn net(e: NetError) -> Outcome {
    Outcome::error(e.code()).with("detail", v2::truncate(&e.detail()))
}

/// Runs one check to its outcome (blocking: call it off the UI thread).
pub fn run_check(
    check: CheckId,
    p: &Profile,
    s: &Secrets,
    http: &dyn WeChatHttp,
    urls: &Result<BaseUrls, NetError>,
) -> Outcome {
    if !check.applies(p) {
        return Outcome::new(Status::Skipped, "not_applicable");
    }
    let m = missing(check, p, s);
    if !m.is_empty() {
        return Outcome::error("missing_values").with("fields", m.join(", "));
    }
    let urls = match urls {
        Ok(u) => u,
        Err(e) => return net(e.clone()),
    };
    let mut attempt = 0;
    loop {
        let outcome = run_once(check, p, s, http, urls);
        if !outcome.is_retryable() || attempt == RETRY_DELAYS.len() {
            return outcome;
        }
        std::thread::sleep(RETRY_DELAYS[attempt]);
        attempt += 1;
    }
}

fn run_once(
    check: CheckId,
    p: &Profile,
    s: &Secrets,
    http: &dyn WeChatHttp,
    urls: &BaseUrls,
) -> Outcome {
    let base = |b: &str| b.trim_end_matches('/').to_owned();
    match check {
        CheckId::MpAppSecret | CheckId::OaAppSecret => {
            let (account, appid, sf) = if check == CheckId::MpAppSecret {
                (
                    mp::Account::MiniProgram,
                    &p.mp_appid,
                    SecretField::MpAppSecret,
                )
            } else {
                (
                    mp::Account::ServiceAccount,
                    &p.oa_appid,
                    SecretField::OaAppSecret,
                )
            };
            let url = format!(
                "{}{}",
                base(&urls.mp),
                mp::check_path(account, appid, secret(s, sf))
            );
            match http.get(&url, None) {
                Ok(r) => mp::interpret(account, &r.body),
                Err(e) => net(e),
            }
        }
        CheckId::PayMp | CheckId::PayOa => {
            let appid = if check == CheckId::PayMp {
                &p.mp_appid
            } else {
                &p.oa_appid
            };
            let key = secret(s, SecretField::ApiKeyV2);
            let body = v2::orderquery_request(appid, &p.mchid, key, v2::SignType::Md5);
            match http.post_xml(&format!("{}/pay/orderquery", base(&urls.pay)), &body) {
                Ok(r) => v2::interpret_orderquery(&r.body, key, v2::SignType::Md5),
                Err(e) => net(e),
            }
        }
        CheckId::V3Certificates => {
            let serial = p
                .certificate
                .as_ref()
                .map(|c| c.serial.as_str())
                .unwrap_or("");
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let auth = match v3::authorization(
                &p.mchid,
                serial,
                secret(s, SecretField::PrivateKey),
                "GET",
                v3::CERTIFICATES_PATH,
                now,
            ) {
                Ok(a) => a,
                Err(e) => return Outcome::fail("v3_key_unusable").with("detail", v2::truncate(&e)),
            };
            let v3_key = secret(s, SecretField::ApiKeyV3);
            let outcome = match http.get(
                &format!("{}{}", base(&urls.pay), v3::CERTIFICATES_PATH),
                Some(&auth),
            ) {
                Ok(r) => v3::interpret_certificates(r.status, &r.body, Some(v3_key)),
                Err(e) => return net(e),
            };
            // Public-key mode: the signature passed; the merchant's public key
            // values decide the rest.
            if outcome.code == "v3_public_key_mode" && !p.public_key_id.trim().is_empty() {
                return match (
                    v3::check_public_key_id(&p.public_key_id),
                    v3::check_public_key_pem(&p.public_key_pem),
                ) {
                    (Ok(()), Ok(())) => Outcome::ok("v3_public_key_mode_ok"),
                    (Err(code), _) | (_, Err(code)) => Outcome::fail(code),
                };
            }
            outcome
        }
    }
}

/// Runs checks concurrently, one thread each; returns them in the order asked.
pub fn run_all(
    checks: &[CheckId],
    p: &Profile,
    s: &Secrets,
    http: Arc<dyn WeChatHttp>,
    urls: &Result<BaseUrls, NetError>,
) -> Vec<(CheckId, Outcome)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = checks
            .iter()
            .map(|c| {
                let http = http.clone();
                (
                    *c,
                    scope.spawn(move || run_check(*c, p, s, http.as_ref(), urls)),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(c, h)| (c, h.join().unwrap_or_else(|_| Outcome::error("internal"))))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;

    #[test]
    fn editing_a_value_changes_only_the_fingerprints_that_read_it() {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let before: Vec<String> = CheckId::ALL
            .iter()
            .map(|c| fingerprint(*c, &p, &s))
            .collect();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD"),
        );
        let after: Vec<String> = CheckId::ALL
            .iter()
            .map(|c| fingerprint(*c, &p, &s))
            .collect();
        let changed: Vec<CheckId> = CheckId::ALL
            .iter()
            .zip(before.iter().zip(&after))
            .filter(|(_, (a, b))| a != b)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(changed, [CheckId::PayMp, CheckId::PayOa]);
        assert_eq!(before[0].len(), 16);
        assert!(!before.iter().any(|f| f.contains("Zq8R")));
    }

    #[test]
    fn missing_values_are_reported_not_sent() {
        struct NoNet;
        impl WeChatHttp for NoNet {
            fn get(
                &self,
                _: &str,
                _: Option<&str>,
            ) -> Result<crate::services::wechat_http::Reply, NetError> {
                panic!("must not be called")
            }
            fn post_xml(
                &self,
                _: &str,
                _: &str,
            ) -> Result<crate::services::wechat_http::Reply, NetError> {
                panic!("must not be called")
            }
        }
        let p = Profile::new("x");
        let urls = Ok(BaseUrls {
            mp: "https://a".into(),
            pay: "https://b".into(),
        });
        let o = run_check(CheckId::PayMp, &p, &Secrets::new(), &NoNet, &urls);
        assert_eq!(o.code, "missing_values");
        assert_eq!(o.args[0].1, "mp_appid, mchid, api_key_v2");
        assert_eq!(
            run_check(CheckId::PayOa, &p, &Secrets::new(), &NoNet, &urls).status,
            Status::Skipped
        );
    }
}
