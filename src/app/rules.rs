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
            let v2 = secret(SecretField::ApiKeyV2);
            // a shop system without a place for it (likeadmin): optional
            if v2.expose().trim().is_empty() && needs_api_v3(profile) {
                return Vec::new();
            }
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
            fields::check_api_key_v2(v2, &others)
        }
        FieldId::ApiKeyV3 => {
            let v3 = secret(SecretField::ApiKeyV3);
            // the key the shop system takes is asked for, the other one is optional
            if v3.expose().trim().is_empty() && needs_api_v3(profile) {
                return vec![Problem::error("api_key_v3_empty")];
            }
            fields::check_api_key_v3(v3, Some(secret(SecretField::ApiKeyV2)))
        }
    }
}

/// The shop system takes the APIv3 key and has no place for the APIv2 key
/// (likeadmin): there the APIv3 key is required and the APIv2 key optional.
pub fn needs_api_v3(profile: &Profile) -> bool {
    crate::domain::check::takes_api_v3(profile)
}

/// Every message a field's check can show, as the cases that can appear together
/// (with sample values for their numbers): the window keeps room under a field
/// for the tallest, so a message coming or going moves nothing below it (the
/// test beside this checks that `field_problems` says nothing outside the list).
pub fn possible_problems(f: FieldId) -> Vec<Vec<Problem>> {
    let one = |codes: &[&'static str]| -> Vec<Vec<Problem>> {
        codes.iter().map(|c| vec![Problem::error(c)]).collect()
    };
    let mut cases = match f {
        FieldId::PaymentName => one(&["payment_name_empty", "payment_name_control"]),
        FieldId::MpAppId | FieldId::OaAppId => one(&[
            "appid_empty",
            "appid_is_original_id",
            "appid_looks_like_secret",
            "appid_looks_like_mchid",
            "appid_uppercase",
            "appid_prefix",
            "appid_chars",
        ]),
        FieldId::MpAppSecret | FieldId::OaAppSecret => {
            one(&["appsecret_empty", "appsecret_is_appid", "appsecret_chars"])
        }
        FieldId::MchId => one(&[
            "mchid_empty",
            "mchid_is_appid",
            "mchid_digits",
            "mchid_ten_digits_start",
        ]),
        FieldId::ApiKeyV2 => {
            let mut c = one(&[
                "api_key_empty",
                "api_key_is_v3",
                "api_key_looks_like_v3",
                "api_key_chars",
            ]);
            // a key that is another secret can also be weak: both lines at once
            for code in ["api_key_is_v3", "api_key_is_appsecret"] {
                c.push(vec![Problem::error(code), Problem::warning("api_key_weak")]);
            }
            c.push(vec![
                Problem::error("api_key_is_v3"),
                Problem::error("api_key_is_appsecret"),
                Problem::warning("api_key_weak"),
            ]);
            c
        }
        FieldId::ApiKeyV3 => one(&["api_key_v3_empty", "api_key_v3_is_v2"]),
    };
    match f {
        FieldId::PaymentName => cases.push(vec![
            Problem::error("payment_name_too_long")
                .with("width", 999)
                .with("max", fields::PAYMENT_NAME_MAX_WIDTH),
        ]),
        FieldId::MpAppId | FieldId::OaAppId => {
            cases.push(vec![Problem::error("appid_length").with("len", 99)])
        }
        FieldId::MpAppSecret | FieldId::OaAppSecret => {
            cases.push(vec![Problem::error("appsecret_length").with("len", 99)])
        }
        FieldId::MchId => cases.push(vec![Problem::error("mchid_length").with("len", 99)]),
        FieldId::ApiKeyV2 => {
            cases.push(vec![Problem::error("api_key_length").with("len", 99)]);
            cases.push(vec![
                Problem::error("api_key_char")
                    .with("position", 32)
                    .with("char", "\"é\" (U+00E9)"),
            ]);
        }
        FieldId::ApiKeyV3 => {
            cases.push(vec![Problem::error("api_key_v3_length").with("len", 99)]);
            cases.push(vec![
                Problem::error("api_key_v3_char")
                    .with("position", 32)
                    .with("char", "\"é\" (U+00E9)"),
            ]);
        }
    }
    match f {
        FieldId::OaAppId => cases.push(vec![Problem::error("oa_appid_same_as_mp")]),
        FieldId::OaAppSecret => cases.push(vec![Problem::error("oa_appsecret_same_as_mp")]),
        _ => {}
    }
    cases
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
                    .filter(|i| !journey::is_done(profile, i.id))
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
            let open = journey::fields_checklists(profile)
                .into_iter()
                .flatten()
                .filter(|i| !journey::is_done(profile, i.id))
                .count();
            if open > 0 {
                push(
                    None,
                    Problem::error("fields_steps_open").with("count", open),
                );
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
                // not run for this shop, and said why beside it (`check::not_needed`)
                if crate::domain::check::not_needed(id, profile, secrets).is_some() {
                    continue;
                }
                let current = super::verify::fingerprint(id, profile, secrets);
                // Only WeChat saying a value is wrong is an error to fix; "could
                // not check" and "not checked yet" are warnings: check (again).
                match profile.checks.get(&id) {
                    // no reply proves a binding: the merchant's confirmation
                    // (商户平台 → 产品中心 → AppID账号管理, 已关联) stands for it
                    Some(r)
                        if r.fingerprint == current
                            && r.outcome.status == crate::domain::wxapi::Status::Unproven
                            && id.merchant_confirms()
                            && !crate::domain::check::confirmed(id, profile) =>
                    {
                        push(
                            None,
                            Problem::error("binding_unconfirmed").with("check", id.key()),
                        )
                    }
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
                    // a value it read changed since: its old verdict no longer holds
                    Some(r) if r.fingerprint != current => push(
                        None,
                        Problem::warning("check_stale").with("check", id.key()),
                    ),
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

    /// Third window trial, minor 4: "steps not done yet: 3" read as "step 3". The
    /// count reads as a count in both languages.
    #[test]
    fn open_merchant_steps_read_as_a_count_not_a_step_number() {
        use crate::i18n::{Lang, Tr};
        let p = Problem::error("merchant_steps_open").with("count", 3);
        let en = Tr(Lang::En).msg(&p);
        assert!(!en.trim_end_matches('.').ends_with(": 3"), "{en}");
        assert!(en.contains("3 of the"), "{en}");
        let zh = Tr(Lang::ZhCn).msg(&p);
        assert!(zh.contains("还有 3 项"), "{zh}");
    }

    fn complete_fields() -> (Profile, Secrets) {
        let mut p = Profile::new("t");
        p.payment_name = "微信支付".into();
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        p.jsapi_enabled = true;
        for id in ["key_opcert", "key_set", "oa_bind", "oa_confirm"] {
            p.checklist_done.insert(id.into());
        }
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

    /// Issue 19 item 5: a new merchant number's key is set on the platform
    /// (operation certificate, paste and confirm) before the step is done;
    /// binding one whose key is in use asks no such thing.
    #[test]
    fn the_fields_step_waits_for_its_own_items() {
        let now = OffsetDateTime::now_utc();
        let (mut p, s) = complete_fields();
        p.checklist_done.clear();
        let codes = |p: &Profile| -> Vec<(&'static str, String)> {
            step_missing(p, &s, Step::Fields, now)
                .into_iter()
                .map(|m| {
                    let n = m.problem.args.first().map(|a| a.1.clone());
                    (m.problem.code, n.unwrap_or_default())
                })
                .collect()
        };
        p.merchant_path = Some(MerchantPath::ApplyNew);
        assert_eq!(codes(&p), [("fields_steps_open", "2".to_owned())]);
        p.checklist_done.insert("key_opcert".into());
        assert_eq!(codes(&p), [("fields_steps_open", "1".to_owned())]);
        p.checklist_done.insert("key_set".into());
        assert_eq!(codes(&p), []);
        p.checklist_done.clear();
        p.merchant_path = Some(MerchantPath::BindExisting);
        p.api_key_in_use = Some(true);
        assert_eq!(codes(&p), [], "the key in use is only found, not set");
        p.api_key_in_use = Some(false);
        assert_eq!(codes(&p), [("fields_steps_open", "2".to_owned())]);
        p.site_kind = Some(SiteKind::SiteAndMiniProgram);
        p.api_key_in_use = Some(true);
        p.oa_appid = "wxfedcba0987654321".into();
        let mut s2 = s.clone();
        s2.insert(
            SecretField::OaAppSecret,
            Secret::new("fedcba9876543210fedcba9876543210"),
        );
        let open: Vec<_> = step_missing(&p, &s2, Step::Fields, now)
            .into_iter()
            .map(|m| m.problem.code)
            .collect();
        assert_eq!(
            open,
            ["fields_steps_open"],
            "case 2 binds the service account"
        );
    }

    /// Issue 19 item 2: a result whose values changed is "check again"; one
    /// that never reached WeChat for want of a value is "not checked yet".
    #[test]
    fn the_verify_step_tells_a_stale_result_from_one_never_run() {
        use crate::domain::check::{CheckId, CheckRecord, fingerprint};
        use crate::domain::record::Outcome;
        let now = OffsetDateTime::now_utc();
        let (mut p, s) = complete_fields();
        for (id, outcome) in [
            (CheckId::MpAppSecret, Outcome::ok("appsecret_ok")),
            (CheckId::PayMp, Outcome::error("missing_values")),
        ] {
            let fingerprint = fingerprint(id, &p, &s);
            p.checks.insert(
                id,
                CheckRecord {
                    outcome,
                    at: "2026-12-07T00:00:00Z".into(),
                    fingerprint,
                },
            );
        }
        let codes = |p: &Profile| -> Vec<(&'static str, String)> {
            step_missing(p, &s, Step::Verify, now)
                .into_iter()
                .map(|m| (m.problem.code, m.problem.args[0].1.clone()))
                .collect()
        };
        let before = codes(&p);
        assert!(
            before.contains(&("check_not_run", "pay_mp".into())),
            "{before:?}"
        );
        assert!(!before.iter().any(|c| c.1 == "mp_appsecret"), "{before:?}");
        p.mp_appid = "wxfedcba0987654321".into();
        let after = codes(&p);
        assert!(
            after.contains(&("check_stale", "mp_appsecret".into())),
            "{after:?}"
        );
        assert!(
            after.contains(&("check_stale", "pay_mp".into())),
            "{after:?}"
        );
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

    /// What `possible_problems` lists is what the window keeps room for: a
    /// message outside it would move the fields below when it appears.
    #[test]
    fn every_problem_a_field_shows_is_among_its_possible_ones() {
        use crate::domain::backend_kind::{BackendKind, BackendPreset};
        let appids = [
            "",
            "wx",
            "WX1234567890ABCDEF",
            "wx1234567890ABCDEF",
            "gh_1234567890ab",
            "0123456789abcdef0123456789abcdef",
            "1900006031",
            "ab1234567890abcdef",
            "wx1234567890abcdeg",
            "wx1234567890abcdef",
            "wxfedcba0987654321",
            "wx12345",
        ];
        let secrets = [
            "",
            "0123456789abcdef0123456789abcdef",
            "0123456789ABCDEF0123456789ABCDEF",
            "wx1234567890abcdef",
            "short",
            "0123456789abcdef0123456789abcdeg",
            "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "V3key-V3key-V3key-V3key-V3key-12",
            "中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文",
        ];
        let mchids = [
            "",
            "1900006031",
            "10000100",
            "2900006031",
            "19000060",
            "wx12",
            "abc",
        ];
        let names = ["", "微信支付", "a\u{202e}b", &"微".repeat(40)];
        for backend in [
            BackendPreset::Unset,
            BackendPreset::Known(BackendKind::Likeadmin),
        ] {
            for (i, appid) in appids.iter().enumerate() {
                let mut p = Profile::new("t");
                p.backend_preset = backend;
                p.mp_appid = appid.to_string();
                p.oa_appid = appids[(i + 9) % appids.len()].into();
                p.mchid = mchids[i % mchids.len()].into();
                p.payment_name = names[i % names.len()].into();
                for (j, a) in secrets.iter().enumerate() {
                    let mut s = Secrets::new();
                    for (k, f) in SecretField::ALL.into_iter().enumerate() {
                        let v = secrets[(j + k * (i + 1)) % secrets.len()];
                        s.insert(f, Secret::new(if k == 0 { a } else { v }));
                    }
                    for f in applicable_fields(&p)
                        .into_iter()
                        .chain([FieldId::OaAppId, FieldId::OaAppSecret])
                    {
                        let allowed: Vec<&str> = possible_problems(f)
                            .into_iter()
                            .flatten()
                            .map(|p| p.code)
                            .collect();
                        for problem in field_problems(&p, &s, f) {
                            assert!(
                                allowed.contains(&problem.code),
                                "{f:?}: {} is not among its possible problems",
                                problem.code
                            );
                        }
                    }
                }
            }
        }
    }

    /// Trial M4: a likeadmin shop needs the APIv3 key (likeadmin's 商户API密钥)
    /// and has no place for the APIv2 key, which is optional there.
    #[test]
    fn likeadmin_asks_for_the_apiv3_key_and_not_the_apiv2_key() {
        use crate::domain::backend_kind::{BackendKind, BackendPreset};
        let (mut p, mut s) = complete_fields();
        s.remove(&SecretField::ApiKeyV2);
        let codes = |p: &Profile, s: &Secrets| -> Vec<&'static str> {
            step_missing(p, s, Step::Fields, OffsetDateTime::now_utc())
                .into_iter()
                .map(|m| m.problem.code)
                .collect()
        };
        assert_eq!(codes(&p, &s), ["api_key_empty"]);
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        assert_eq!(codes(&p, &s), ["api_key_v3_empty", "fields_steps_open"]);
        p.checklist_done
            .extend(["v3_opcert".to_owned(), "v3_set".to_owned()]);
        assert_eq!(codes(&p, &s), ["api_key_v3_empty"]);
        s.insert(
            SecretField::ApiKeyV3,
            Secret::new("V3keyV3keyV3keyV3keyV3keyV3key12"),
        );
        assert_eq!(codes(&p, &s), Vec::<&str>::new());
        s.insert(SecretField::ApiKeyV2, Secret::new("short"));
        assert_eq!(
            codes(&p, &s),
            ["api_key_length"],
            "a key typed is still checked"
        );
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
