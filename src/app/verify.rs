//! Running the online checks: one (with retries when WeChat says "busy") or
//! several at once, over the WeChat HTTP service. What a check is, which apply,
//! what each needs and the remembered results live in `domain::check`. Each
//! outcome that came from a reply carries WeChat's own words and how far this
//! computer's clock is from the reply's `Date` (`domain::wxapi::clock` turns a
//! run's skews into its `clock` item). No answer is "could not check", never "wrong".

use std::sync::Arc;
use std::time::Duration;

use super::rules::Secrets;
pub use crate::domain::check::{CheckId, CheckRecord, applicable, fingerprint};
use crate::domain::check::{missing, secret};
use crate::domain::fields::FieldId;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::wxapi::{Outcome, Status, clock, mp, v2, v3};
use crate::services::wechat_http::{BaseUrls, NetError, Reply, WeChatHttp};

/// Waits between attempts when WeChat is busy: 0.5 s, then 1.5 s.
pub const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

/// No answer from WeChat: "could not check", never a verdict on the values.
fn net(e: NetError) -> Outcome {
    Outcome::error(e.code()).with("detail", v2::truncate(&e.detail()))
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Reads a reply with `read`, and notes how far this computer's clock is from
/// the reply's `Date`, measured against `local_now`.
fn heard(
    reply: Result<Reply, NetError>,
    local_now: i64,
    read: impl FnOnce(&Reply, Option<i64>) -> Outcome,
) -> Outcome {
    match reply {
        Ok(r) => {
            let skew = clock::skew_secs(r.headers.date.as_deref(), local_now);
            let mut o = read(&r, skew);
            o.clock_skew_secs = skew;
            o
        }
        Err(e) => net(e),
    }
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
    // The mini program's pair entered again for the service account would pass
    // (40029 does not tell the accounts apart): a "right" there would be false.
    let same_account = match check {
        CheckId::OaAppSecret => {
            !super::rules::same_account_problems(p, s, FieldId::OaAppId).is_empty()
                || !super::rules::same_account_problems(p, s, FieldId::OaAppSecret).is_empty()
        }
        CheckId::PayOa => !super::rules::same_account_problems(p, s, FieldId::OaAppId).is_empty(),
        _ => false,
    };
    if same_account {
        return Outcome::error("same_account_as_mp");
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
    let now = now_unix();
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
            heard(http.get(&url, None), now, |r, _| {
                mp::interpret(account, r.status, &r.body)
            })
        }
        CheckId::PayMp | CheckId::PayOa => {
            let appid = if check == CheckId::PayMp {
                &p.mp_appid
            } else {
                &p.oa_appid
            };
            let key = secret(s, SecretField::ApiKeyV2);
            let body = v2::orderquery_request(appid, &p.mchid, key, v2::SignType::Md5);
            let url = format!("{}/pay/orderquery", base(&urls.pay));
            heard(http.post_xml(&url, &body), now, |r, _| {
                v2::interpret_orderquery(r.status, &r.body, key, v2::SignType::Md5)
            })
        }
        CheckId::V3Certificates => {
            let serial = p
                .certificate
                .as_ref()
                .map(|c| c.serial.as_str())
                .unwrap_or("");
            let auth = match v3::authorization(
                &p.mchid,
                serial,
                secret(s, SecretField::PrivateKey),
                "GET",
                v3::CERTIFICATES_PATH,
                u64::try_from(now).unwrap_or(0),
            ) {
                Ok(a) => a,
                Err(e) => return Outcome::fail("v3_key_unusable").with("detail", v2::truncate(&e)),
            };
            let url = format!("{}{}", base(&urls.pay), v3::CERTIFICATES_PATH);
            heard(http.get(&url, Some(&auth)), now, |r, skew| {
                v3::interpret_certificates(
                    &v3::Reply {
                        status: r.status,
                        body: &r.body,
                        headers: &r.headers,
                    },
                    &v3::Given {
                        api_v3_key: Some(secret(s, SecretField::ApiKeyV3)),
                        public_key_id: p.public_key_id.trim(),
                        public_key_pem: p.public_key_pem.trim(),
                        clock_skew_secs: skew,
                    },
                )
            })
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

    /// A fake that fails the test if anything is sent.
    struct NoNetwork;
    impl WeChatHttp for NoNetwork {
        fn get(
            &self,
            url: &str,
            _: Option<&str>,
        ) -> Result<crate::services::wechat_http::Reply, NetError> {
            panic!("nothing may be sent, but {url} was requested")
        }
        fn post_xml(
            &self,
            url: &str,
            _: &str,
        ) -> Result<crate::services::wechat_http::Reply, NetError> {
            panic!("nothing may be sent, but {url} was requested")
        }
    }

    #[test]
    fn the_mini_programs_pair_entered_for_the_service_account_is_not_sent() {
        let mut p = Profile::new("店");
        p.site_kind = Some(crate::domain::profile::SiteKind::SiteAndMiniProgram);
        p.mp_appid = "wx1234567890abcdef".into();
        p.oa_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::MpAppSecret,
            Secret::new("0123456789abcdef0123456789abcdef"),
        );
        s.insert(
            SecretField::OaAppSecret,
            Secret::new("0123456789abcdef0123456789abcdef"),
        );
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let urls = BaseUrls::from_env();
        for id in [CheckId::OaAppSecret, CheckId::PayOa] {
            let o = run_check(id, &p, &s, &NoNetwork, &urls);
            assert_eq!(
                (o.status, o.code.as_str()),
                (Status::Error, "same_account_as_mp"),
                "{id:?}"
            );
        }
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
