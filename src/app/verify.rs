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
/// The kind of failure is what the message says; the system's text is kept
/// as the detail.
fn net(e: NetError) -> Outcome {
    let o = Outcome::error(e.code())
        .with("cause", e.cause())
        .with("detail", v2::truncate(&e.detail()));
    match e.seconds() {
        Some(secs) => o.with("seconds", secs),
        None => o,
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Reads a reply with `read`, and notes how far this computer's clock is from
/// the reply's (its signed `Wechatpay-Timestamp`, else its `Date`), measured
/// against `local_now`.
fn heard(
    reply: Result<Reply, NetError>,
    local_now: i64,
    read: impl FnOnce(&Reply, Option<i64>) -> Outcome,
) -> Outcome {
    match reply {
        Ok(r) => {
            let skew = clock::reply_skew_secs(&r.headers, local_now);
            let mut o = read(&r, skew);
            o.clock_skew_secs = skew;
            o
        }
        Err(e) => net(e),
    }
}

/// Runs one check to its outcome, with the items read from the same reply (a
/// pay check's binding item); asked for a binding item, runs its pay check.
/// Blocking: call it off the UI thread. WeChat "busy" is tried again after
/// [`RETRY_DELAYS`]; "too many requests" (a per-minute quota) is not.
pub fn run_check(
    check: CheckId,
    p: &Profile,
    s: &Secrets,
    http: &dyn WeChatHttp,
    urls: &Result<BaseUrls, NetError>,
) -> Vec<(CheckId, Outcome)> {
    let check = check.runs_with();
    let with_along = |o: Outcome, along: Option<Outcome>| {
        let mut out = vec![(check, o)];
        if let Some(id) = check.read_along() {
            out.push((id, along.unwrap_or_else(|| binding_not_asked(id, p))));
        }
        out
    };
    if !check.applies(p) {
        let skipped = Outcome::new(Status::Skipped, "not_applicable");
        return with_along(skipped.clone(), Some(skipped));
    }
    // a shop system without the APIv2 key (likeadmin) may have none: the pay
    // check, signed with it, does not apply then; the binding it would have
    // read is the merchant's to confirm, as ever (trial M4)
    if let Some(code) = crate::domain::check::not_needed(check, p, s) {
        return with_along(Outcome::new(Status::Skipped, code), None);
    }
    let m = missing(check, p, s);
    if !m.is_empty() {
        return with_along(
            Outcome::error("missing_values").with("fields", m.join(", ")),
            None,
        );
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
        return with_along(Outcome::error("same_account_as_mp"), None);
    }
    let urls = match urls {
        Ok(u) => u,
        Err(e) => return with_along(net(e.clone()), None),
    };
    let mut attempt = 0;
    loop {
        let (outcome, along) = run_once(check, p, s, http, urls);
        if !outcome.is_retryable() || attempt == RETRY_DELAYS.len() {
            return with_along(outcome, along);
        }
        std::thread::sleep(RETRY_DELAYS[attempt]);
        attempt += 1;
    }
}

/// A binding item whose orderquery got no reply (or was not sent): WeChat
/// named nothing, and no reply could prove the binding anyway.
fn binding_not_asked(id: CheckId, p: &Profile) -> Outcome {
    let appid = match id {
        CheckId::BindingOa => &p.oa_appid,
        _ => &p.mp_appid,
    };
    v2::binding_unproven(appid)
}

/// One attempt: the check's outcome, and the outcome of the item read along.
fn run_once(
    check: CheckId,
    p: &Profile,
    s: &Secrets,
    http: &dyn WeChatHttp,
    urls: &BaseUrls,
) -> (Outcome, Option<Outcome>) {
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
            let secret = secret(s, sf);
            let ask = |secret: &str| {
                let url = format!(
                    "{}{}",
                    base(&urls.mp),
                    mp::check_path(account, appid, secret)
                );
                http.get(&url, None)
            };
            let mut probe = None;
            let outcome = heard(ask(secret), now, |r, _| {
                match mp::interpret(account, r.status, &r.body) {
                    mp::Reading::Done(o) => o,
                    mp::Reading::Probe(first) => {
                        probe = Some(first.clone());
                        first
                    }
                }
            });
            // 40029: does WeChat look at the secret first for this AppID? The
            // same AppID with an altered secret must be refused for its secret
            let outcome = match probe {
                None => outcome,
                Some(first) => {
                    let skew = outcome.clock_skew_secs;
                    let mut o = match ask(&mp::altered_secret(secret)) {
                        Ok(r) => mp::interpret_probe(account, r.status, &r.body, first),
                        Err(e) => net(e),
                    };
                    o.clock_skew_secs = skew;
                    o
                }
            };
            (outcome, None)
        }
        CheckId::PayMp | CheckId::PayOa | CheckId::BindingMp | CheckId::BindingOa => {
            let appid = if check == CheckId::PayMp {
                &p.mp_appid
            } else {
                &p.oa_appid
            };
            let key = secret(s, SecretField::ApiKeyV2);
            let body = v2::orderquery_request(appid, &p.mchid, key, v2::SignType::Md5);
            let url = format!("{}/pay/orderquery", base(&urls.pay));
            let asked = v2::Asked {
                appid: appid.trim(),
                mchid: p.mchid.trim(),
            };
            let mut binding = None;
            let pay = heard(http.post_xml(&url, &body), now, |r, _| {
                let v = v2::interpret_orderquery(r.status, &r.body, key, v2::SignType::Md5, asked);
                binding = Some(v.binding);
                v.pay
            });
            (pay, binding)
        }
        CheckId::V3Certificates => (run_v3(p, s, http, urls, now), None),
    }
}

/// The APIv3 check: the certificate list, and where it cannot decide (a 5xx,
/// public-key mode without a signed reply), the order query for an order that
/// does not exist. Both ask for a reply signed with the WeChat Pay public key
/// when its ID is entered (`Wechatpay-Serial`).
fn run_v3(p: &Profile, s: &Secrets, http: &dyn WeChatHttp, urls: &BaseUrls, now: i64) -> Outcome {
    let serial = p
        .certificate
        .as_ref()
        .map(|c| c.serial.as_str())
        .unwrap_or("");
    let given = |skew| v3::Given {
        api_v3_key: Some(secret(s, SecretField::ApiKeyV3)),
        public_key_id: p.public_key_id.trim(),
        public_key_pem: p.public_key_pem.trim(),
        clock_skew_secs: skew,
    };
    let asked_serial = v3::asked_serial(&given(None));
    let ask = |path: &str| {
        let auth = v3::authorization(
            &p.mchid,
            serial,
            secret(s, SecretField::PrivateKey),
            "GET",
            path,
            u64::try_from(now).unwrap_or(0),
        )?;
        let url = format!("{}{path}", urls.pay.trim_end_matches('/'));
        Ok::<_, String>(http.get_v3(&url, &auth, asked_serial))
    };
    let reply = match ask(v3::CERTIFICATES_PATH) {
        Ok(r) => r,
        Err(e) => return Outcome::fail("v3_key_unusable").with("detail", v2::truncate(&e)),
    };
    let first = heard(reply, now, |r, skew| {
        v3::interpret_certificates(&reply_of(r), &given(skew))
    });
    if !v3::needs_order_probe(&first) {
        return first;
    }
    let reply = match ask(&v3::order_probe_path(&p.mchid)) {
        Ok(r) => r,
        Err(e) => return Outcome::fail("v3_key_unusable").with("detail", v2::truncate(&e)),
    };
    heard(reply, now, |r, skew| {
        v3::interpret_order_probe(&reply_of(r), &given(skew), &first)
    })
}

fn reply_of(r: &Reply) -> v3::Reply<'_> {
    v3::Reply {
        status: r.status,
        body: &r.body,
        headers: &r.headers,
    }
}

/// Runs checks concurrently, one thread per request they need (a binding item
/// comes with its pay check); returns them in the order asked.
pub fn run_all(
    checks: &[CheckId],
    p: &Profile,
    s: &Secrets,
    http: Arc<dyn WeChatHttp>,
    urls: &Result<BaseUrls, NetError>,
) -> Vec<(CheckId, Outcome)> {
    let mut runs: Vec<CheckId> = Vec::new();
    for c in checks {
        if !runs.contains(&c.runs_with()) {
            runs.push(c.runs_with());
        }
    }
    let results: Vec<(CheckId, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
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
            .flat_map(|(c, h)| {
                h.join().unwrap_or_else(|_| {
                    let mut out = vec![(c, Outcome::error("internal"))];
                    out.extend(c.read_along().map(|a| (a, Outcome::error("internal"))));
                    out
                })
            })
            .collect()
    });
    checks
        .iter()
        .filter_map(|c| results.iter().find(|(id, _)| id == c).cloned())
        .collect()
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
            let o = run_check(id, &p, &s, &NoNetwork, &urls).remove(0).1;
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
        let all = run_check(CheckId::PayMp, &p, &Secrets::new(), &NoNet, &urls);
        let o = &all[0].1;
        assert_eq!(o.code, "missing_values");
        assert_eq!(o.args[0].1, "mp_appid, mchid, api_key_v2");
        // the binding item comes along, and says only that it is unproven
        assert_eq!(all[1].0, CheckId::BindingMp);
        assert_eq!(all[1].1.status, Status::Unproven);
        let oa = run_check(CheckId::BindingOa, &p, &Secrets::new(), &NoNet, &urls);
        assert_eq!(
            oa.iter().map(|(id, o)| (*id, o.status)).collect::<Vec<_>>(),
            [
                (CheckId::PayOa, Status::Skipped),
                (CheckId::BindingOa, Status::Skipped)
            ]
        );
    }
}
