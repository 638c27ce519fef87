//! What is complete and what is missing, as pure functions of a profile and its
//! secrets: shared by the wizard window and the headless commands.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::journey;
use crate::domain::cert;
use crate::domain::fields::{self, FieldId, OtherSecrets};
use crate::domain::problem::Problem;
use crate::domain::profile::{Prerequisite, Profile, SecretField, Step};
use crate::domain::secret::Secret;

pub type Secrets = BTreeMap<SecretField, Secret>;

/// Something that keeps the configuration from being complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub step: Step,
    pub field: Option<FieldId>,
    pub problem: Problem,
}

pub fn applicable_fields(profile: &Profile) -> Vec<FieldId> {
    let mut f = vec![
        FieldId::PaymentName,
        FieldId::MpAppId,
        FieldId::MpAppSecret,
        FieldId::MchId,
        FieldId::ApiKeyV2,
        FieldId::ApiKeyV3,
    ];
    if profile.site_kind_or_default().needs_service_account() {
        f.extend([FieldId::OaAppId, FieldId::OaAppSecret]);
    }
    f
}

pub fn field_problems(profile: &Profile, secrets: &Secrets, f: FieldId) -> Vec<Problem> {
    let empty = Secret::default();
    let secret = |s: SecretField| secrets.get(&s).unwrap_or(&empty);
    match f {
        FieldId::PaymentName => fields::check_payment_name(&profile.payment_name),
        FieldId::MpAppId => fields::check_appid(&profile.mp_appid),
        FieldId::OaAppId => {
            let p = fields::check_appid(&profile.oa_appid);
            if p.is_empty() {
                same_account_problems(profile, secrets, f)
            } else {
                p
            }
        }
        FieldId::MpAppSecret => {
            fields::check_appsecret(secret(SecretField::MpAppSecret), &profile.mp_appid)
        }
        FieldId::OaAppSecret => {
            let p = fields::check_appsecret(secret(SecretField::OaAppSecret), &profile.oa_appid);
            if p.is_empty() {
                same_account_problems(profile, secrets, f)
            } else {
                p
            }
        }
        FieldId::MchId => fields::check_mchid(&profile.mchid),
        FieldId::ApiKeyV2 => {
            let v3 = secret(SecretField::ApiKeyV3);
            let others = OtherSecrets {
                api_key_v3: (!v3.is_empty()).then_some(v3),
                appsecrets: [
                    secret(SecretField::MpAppSecret),
                    secret(SecretField::OaAppSecret),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
            };
            fields::check_api_key_v2(secret(SecretField::ApiKeyV2), &others)
        }
        FieldId::ApiKeyV3 => fields::check_api_key_v3(
            secret(SecretField::ApiKeyV3),
            Some(secret(SecretField::ApiKeyV2)),
        ),
    }
}

/// The mini program's AppID or AppSecret entered again for the service account
/// (case 2). A 40029 reply cannot catch it: it proves a pair, not the kind of
/// account, so it is an error before any call, on the service-account field.
/// Part of [`field_problems`]; on its own for `profile import`, which checks
/// each field's format as it reads it.
pub fn same_account_problems(profile: &Profile, secrets: &Secrets, f: FieldId) -> Vec<Problem> {
    let same = |a: &str, b: &str| {
        let (a, b) = (a.trim(), b.trim());
        !a.is_empty() && a.eq_ignore_ascii_case(b)
    };
    let secret = |s: SecretField| secrets.get(&s).map(Secret::expose).unwrap_or("");
    match f {
        FieldId::OaAppId if same(&profile.oa_appid, &profile.mp_appid) => {
            vec![Problem::error("oa_appid_same_as_mp")]
        }
        // AppSecrets are hex: the same one in another case is still the same
        FieldId::OaAppSecret
            if same(
                secret(SecretField::OaAppSecret),
                secret(SecretField::MpAppSecret),
            ) =>
        {
            vec![Problem::error("oa_appsecret_same_as_mp")]
        }
        _ => Vec::new(),
    }
}

pub fn cert_problems(profile: &Profile, now: OffsetDateTime) -> Vec<Problem> {
    match &profile.certificate {
        None => Vec::new(),
        Some(c) => cert::evaluate(c, &profile.mchid, now),
    }
}

pub fn step_missing(
    profile: &Profile,
    secrets: &Secrets,
    step: Step,
    now: OffsetDateTime,
) -> Vec<Missing> {
    let mut out = Vec::new();
    let mut push = |field: Option<FieldId>, problem: Problem| {
        out.push(Missing {
            step,
            field,
            problem,
        })
    };
    match step {
        Step::Prerequisite => match profile.prerequisite {
            None => push(None, Problem::error("prereq_unanswered")),
            Some(Prerequisite::NotYetVerified) => push(None, Problem::error("prereq_not_verified")),
            Some(Prerequisite::IndividualOwner) => push(None, Problem::error("prereq_individual")),
            Some(Prerequisite::Verified) => {}
        },
        Step::MerchantNumber => match profile.merchant_path {
            None => push(None, Problem::error("merchant_path_unchosen")),
            Some(path) => {
                let open = journey::merchant_checklist(path)
                    .iter()
                    .filter(|i| !profile.checklist_done.contains(i.id))
                    .count();
                if open > 0 {
                    push(
                        None,
                        Problem::error("merchant_steps_open").with("count", open),
                    );
                }
            }
        },
        Step::SiteKind => {
            if profile.site_kind.is_none() {
                push(None, Problem::error("site_kind_unchosen"));
            }
        }
        Step::Fields => {
            for f in applicable_fields(profile) {
                for p in field_problems(profile, secrets, f) {
                    if p.is_error() {
                        push(Some(f), p);
                    }
                }
            }
            if !profile.jsapi_enabled {
                push(None, Problem::error("jsapi_unconfirmed"));
            }
        }
        Step::Certificate => match &profile.certificate {
            None => push(None, Problem::error("cert_missing")),
            Some(c) => {
                for p in cert_problems(profile, now) {
                    if p.is_error() {
                        push(None, p);
                    }
                }
                // imported with a key, but the key is not in this machine's keychain
                if c.key_present && !secrets.contains_key(&SecretField::PrivateKey) {
                    push(None, Problem::error("key_not_in_keychain"));
                }
            }
        },
        Step::Verify => {
            for id in super::verify::applicable(profile) {
                let current = super::verify::fingerprint(id, profile, secrets);
                // Only WeChat saying a value is wrong is an error to fix; "could
                // not check" and "not checked yet" are warnings: check (again).
                match profile.checks.get(&id) {
                    Some(r) if r.fingerprint == current && !r.outcome.status.is_problem() => {}
                    Some(r) if r.fingerprint == current && r.outcome.status.needs_edit() => push(
                        None,
                        Problem::error("check_not_ok")
                            .with("check", id.key())
                            .with("code", &r.outcome.code),
                    ),
                    // it never reached WeChat for want of a value: that value is listed
                    // on its own, and the check simply has not run yet
                    Some(r) if r.fingerprint == current && r.outcome.code != "missing_values" => {
                        push(
                            None,
                            Problem::warning("check_not_checked")
                                .with("check", id.key())
                                .with("code", &r.outcome.code),
                        )
                    }
                    _ => push(
                        None,
                        Problem::warning("check_not_run").with("check", id.key()),
                    ),
                }
            }
        }
        Step::Summary => {}
    }
    out
}

pub fn all_missing(profile: &Profile, secrets: &Secrets, now: OffsetDateTime) -> Vec<Missing> {
    Step::ALL
        .iter()
        .flat_map(|s| step_missing(profile, secrets, *s, now))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::{MerchantPath, SiteKind};

    fn complete_fields() -> (Profile, Secrets) {
        let mut p = Profile::new("t");
        p.payment_name = "微信支付".into();
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        p.jsapi_enabled = true;
        let mut s = Secrets::new();
        s.insert(
            SecretField::MpAppSecret,
            Secret::new("0123456789abcdef0123456789abcdef"),
        );
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD"),
        );
        (p, s)
    }

    #[test]
    fn fields_step_complete_for_case_one_then_case_two_needs_more() {
        let now = OffsetDateTime::now_utc();
        let (mut p, mut s) = complete_fields();
        assert_eq!(step_missing(&p, &s, Step::Fields, now), vec![]);
        p.site_kind = Some(SiteKind::SiteAndMiniProgram);
        let missing: Vec<_> = step_missing(&p, &s, Step::Fields, now)
            .into_iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(
            missing,
            [Some(FieldId::OaAppId), Some(FieldId::OaAppSecret)]
        );
        p.oa_appid = p.mp_appid.clone();
        s.insert(
            SecretField::OaAppSecret,
            Secret::new("fedcba9876543210fedcba9876543210"),
        );
        let codes: Vec<_> = step_missing(&p, &s, Step::Fields, now)
            .into_iter()
            .map(|m| m.problem.code)
            .collect();
        assert_eq!(codes, ["oa_appid_same_as_mp"]);
    }

    #[test]
    fn v3_key_in_the_v2_field_is_caught() {
        let now = OffsetDateTime::now_utc();
        let (p, mut s) = complete_fields();
        let v2 = s[&SecretField::ApiKeyV2].clone();
        s.insert(SecretField::ApiKeyV3, v2);
        let codes: Vec<_> = step_missing(&p, &s, Step::Fields, now)
            .into_iter()
            .map(|m| m.problem.code)
            .collect();
        assert_eq!(codes, ["api_key_is_v3", "api_key_v3_is_v2"]);
    }

    fn case_two() -> (Profile, Secrets) {
        let (mut p, mut s) = complete_fields();
        p.site_kind = Some(SiteKind::SiteAndMiniProgram);
        p.oa_appid = "wxfedcba0987654321".into();
        s.insert(
            SecretField::OaAppSecret,
            Secret::new("fedcba9876543210fedcba9876543210"),
        );
        (p, s)
    }

    fn fields_missing(p: &Profile, s: &Secrets) -> Vec<(Option<FieldId>, &'static str)> {
        step_missing(p, s, Step::Fields, OffsetDateTime::now_utc())
            .into_iter()
            .map(|m| (m.field, m.problem.code))
            .collect()
    }

    /// Issue 7 "Wording" and issue 8 item 15: the mini program's AppSecret entered
    /// again for the service account was accepted.
    #[test]
    fn the_same_appsecret_for_both_accounts_is_an_error_on_the_service_account() {
        let (p, mut s) = case_two();
        assert_eq!(fields_missing(&p, &s), []);
        let mp_secret = s[&SecretField::MpAppSecret].clone();
        s.insert(
            SecretField::OaAppSecret,
            Secret::new(format!(" {} ", mp_secret.expose().to_uppercase())),
        );
        assert_eq!(
            fields_missing(&p, &s),
            [(Some(FieldId::OaAppSecret), "oa_appsecret_same_as_mp")]
        );
        assert_eq!(
            field_problems(&p, &s, FieldId::MpAppSecret),
            [],
            "the service-account field carries it"
        );
    }

    #[test]
    fn the_same_appid_for_both_accounts_is_caught_through_spaces() {
        let (mut p, s) = case_two();
        p.oa_appid = format!("  {}\t", p.mp_appid);
        assert_eq!(
            fields_missing(&p, &s),
            [(Some(FieldId::OaAppId), "oa_appid_same_as_mp")]
        );
    }

    /// A 40029 reply proves an AppID and AppSecret pair, not which kind of account it
    /// belongs to: the message must say where each AppID is looked up.
    #[test]
    fn same_account_messages_say_where_each_appid_is_found() {
        use crate::i18n::{Lang, Tr};
        for code in ["oa_appid_same_as_mp", "oa_appsecret_same_as_mp"] {
            let zh = Tr(Lang::ZhCn).msg(&Problem::error(code));
            let en = Tr(Lang::En).msg(&Problem::error(code));
            for text in [&zh, &en] {
                for place in ["mp.weixin.qq.com", "开发设置", "基本配置"] {
                    assert!(text.contains(place), "{code}: {place} missing in {text}");
                }
            }
        }
    }

    #[test]
    fn merchant_step_counts_open_items() {
        let now = OffsetDateTime::now_utc();
        let mut p = Profile::new("t");
        let s = Secrets::new();
        assert_eq!(
            step_missing(&p, &s, Step::MerchantNumber, now)[0]
                .problem
                .code,
            "merchant_path_unchosen"
        );
        p.merchant_path = Some(MerchantPath::BindExisting);
        let m = step_missing(&p, &s, Step::MerchantNumber, now);
        assert_eq!(m[0].problem.args, [("count", "3".to_owned())]);
        for i in journey::BIND_EXISTING {
            p.checklist_done.insert(i.id.to_owned());
        }
        assert!(step_missing(&p, &s, Step::MerchantNumber, now).is_empty());
    }
}
