//! Running the online checks: one (with retries when WeChat says "busy") or
//! several at once, over the WeChat HTTP service. What a check is, which apply,
//! what each needs and the remembered results live in `domain::check`.

use std::sync::Arc;
use std::time::Duration;

use super::rules::Secrets;
pub use crate::domain::check::{CheckId, CheckRecord, applicable, fingerprint};
use crate::domain::check::{missing, secret};
use crate::domain::profile::{Profile, SecretField};
use crate::domain::wxapi::{Outcome, Status, mp, v2, v3};
use crate::services::wechat_http::{BaseUrls, NetError, WeChatHttp};

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
