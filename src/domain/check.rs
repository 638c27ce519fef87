//! Check records: the online checks a profile can have (`CheckId`), which of
//! them apply to it, the values each reads and what it still lacks, and a
//! remembered result (`CheckRecord`) with a fingerprint of the values it
//! checked, so that editing a value marks exactly the dependent results stale.
//! Pure: running a check over the network is `app::verify`'s job.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::backend_form::FormValue;
use super::fields::FieldId;
use super::profile::{Profile, SecretField};
pub use super::record::{CheckId, CheckRecord, Pass, new_salt};
use super::record::{Outcome, Status};
use super::secret::Secret;

/// The secrets a check may read (the same map as `app::rules::Secrets`).
type Secrets = BTreeMap<SecretField, Secret>;

impl CheckId {
    pub fn applies(self, profile: &Profile) -> bool {
        match self {
            CheckId::OaAppSecret | CheckId::PayOa | CheckId::BindingOa => {
                profile.site_kind_or_default().needs_service_account()
            }
            _ => true,
        }
    }
}

/// Why a check that applies to the shop is not run for it, as its outcome
/// code: the APIv2 pay check (signed with the APIv2 key) of a shop without
/// that key whose system takes the APIv3 key instead (likeadmin). The merchant
/// number and the APIv3 key are proven by the APIv3 certificate check; the
/// binding stays the merchant's to confirm. Such a check is shown as skipped
/// with this reason, and the checks step does not wait for it (trial 2 Major
/// 2: it stayed "not checked yet" and its button did nothing). A system that
/// takes the APIv2 key needs it: there the key is a required field instead.
pub fn not_needed(id: CheckId, p: &Profile, s: &Secrets) -> Option<&'static str> {
    match id {
        CheckId::PayMp | CheckId::PayOa
            if secret(s, SecretField::ApiKeyV2).is_empty() && takes_api_v3(p) =>
        {
            Some("pay_needs_v2_key_unused")
        }
        _ => None,
    }
}

/// The shop system takes the APIv3 key and has no place for the APIv2 key
/// (likeadmin).
pub fn takes_api_v3(p: &Profile) -> bool {
    p.backend_preset.kind().is_some_and(|k| k.needs_api_v3())
}

pub fn applicable(profile: &Profile) -> Vec<CheckId> {
    CheckId::ALL
        .into_iter()
        .filter(|c| c.applies(profile))
        .collect()
}

pub fn secret(s: &Secrets, f: SecretField) -> &str {
    s.get(&f).map(|v| v.expose().trim()).unwrap_or("")
}

/// The values a check reads, in a fixed order.
pub fn inputs(check: CheckId, p: &Profile, s: &Secrets) -> Vec<String> {
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
        // a binding is between an AppID and a merchant number: a new key
        // does not make an earlier "not bound" stale
        CheckId::BindingMp => vec![p.mp_appid.trim().into(), p.mchid.trim().into()],
        CheckId::BindingOa => vec![p.oa_appid.trim().into(), p.mchid.trim().into()],
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

/// HMAC-SHA256 over the profile name and the inputs, keyed with the profile's
/// own random salt, shortened to 64 bits. It identifies a change of the inputs;
/// it cannot give a secret back. The key makes two profiles with the same secret
/// give different fingerprints and defeats tables computed in advance; the salt
/// sits in the same profile file, though, so whoever has the file can still
/// test guesses of a secret one by one (which is why secrets are long and random).
pub fn fingerprint(check: CheckId, p: &Profile, s: &Secrets) -> String {
    let Ok(mut h) = <Hmac<Sha256> as KeyInit>::new_from_slice(p.fingerprint_salt.as_bytes()) else {
        return String::new();
    };
    // not the shop's name: renaming a shop changes nothing a check depends on
    h.update(check.key().as_bytes());
    for v in inputs(check, p, s) {
        h.update(&[0u8]);
        h.update(v.as_bytes());
    }
    h.finalize().into_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a remembered result still describes the values as they are now:
/// the one rule by which the window, the shop list, the summary, the report
/// and `profile list` tell a current result from one that needs checking again.
pub fn is_current(check: CheckId, record: &CheckRecord, p: &Profile, s: &Secrets) -> bool {
    record.fingerprint == fingerprint(check, p, s)
}

/// What a check's remembered result says of the values as they are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// Never run (or skipped as not applying).
    None,
    /// Its result, for the values as they are.
    Current(Status),
    /// A value it read changed since: its old verdict no longer holds.
    Stale,
}

/// The one rule for a remembered result: current, stale, or none.
pub fn judge(id: CheckId, p: &Profile, s: &Secrets) -> Judged {
    if not_needed(id, p, s).is_some() {
        // whatever an earlier run said (with a key since removed), it is not asked now
        return Judged::Current(Status::Skipped);
    }
    match p.checks.get(&id) {
        Some(r) if is_current(id, r, p, s) => Judged::Current(r.outcome.status),
        Some(r) if r.outcome.status != Status::Skipped => Judged::Stale,
        _ => Judged::None,
    }
}

/// The remembered results of the checks that apply, counted by what they
/// prove; a result whose values changed since counts as `stale`, never as its
/// old verdict (a green "3 passed" after an AppID changed would be a lie).
/// A binding the merchant confirmed counts as their confirmation ([`tally_of`]).
pub fn tally(p: &Profile, s: &Secrets) -> super::wxapi::Tally {
    let mut stale = 0;
    let mut current = Vec::new();
    for id in applicable(p) {
        match judge(id, p, s) {
            Judged::Current(status) => current.push((id, status)),
            Judged::Stale => stale += 1,
            Judged::None => {}
        }
    }
    super::wxapi::Tally {
        stale,
        ..tally_of(p, current)
    }
}

/// The checks whose reply speaks for a value of the backend's form: those
/// that read it (the test below holds this to [`inputs`]).
pub fn readers(v: FormValue) -> &'static [CheckId] {
    use CheckId::*;
    match v {
        FormValue::Field(f) => match f {
            FieldId::PaymentName => &[],
            FieldId::MpAppId => &[MpAppSecret, PayMp, BindingMp],
            FieldId::MpAppSecret => &[MpAppSecret],
            FieldId::MchId => &[PayMp, PayOa, BindingMp, BindingOa, V3Certificates],
            FieldId::ApiKeyV2 => &[PayMp, PayOa],
            FieldId::ApiKeyV3 => &[V3Certificates],
            FieldId::OaAppId => &[OaAppSecret, PayOa, BindingOa],
            FieldId::OaAppSecret => &[OaAppSecret],
        },
        FormValue::CertificateFile | FormValue::PrivateKeyFile => &[V3Certificates],
    }
}

/// What WeChat's replies say of one value of the backend's form, by the rule of
/// [`judge`]: refused when a current result of a check reading it is WeChat's
/// "wrong"; to check again when one is stale; proven when one proved it (and
/// none refused or went stale); else nothing beyond its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueVerdict {
    /// No online check can speak for it (the payment method's name).
    FormatOnly,
    /// No current result proves or refuses it.
    Unchecked,
    Proven,
    /// The checks whose current result is WeChat's "wrong".
    Refused(Vec<CheckId>),
    Stale,
    /// The current result could not check (offline, busy), and an earlier one
    /// passed on these very values: when (RFC 3339). Not a green: this time
    /// WeChat said nothing; not "unchecked" either: it did say yes before.
    PassedBefore(String),
}

pub fn verdict(v: FormValue, p: &Profile, s: &Secrets) -> ValueVerdict {
    let ids: Vec<CheckId> = readers(v)
        .iter()
        .copied()
        .filter(|c| c.applies(p))
        .collect();
    if ids.is_empty() {
        return ValueVerdict::FormatOnly;
    }
    let (mut proven, mut stale, mut refused) = (false, false, Vec::new());
    let mut passed_at: Option<&str> = None;
    for id in ids {
        match judge(id, p, s) {
            Judged::Current(Status::Ok) => proven = true,
            Judged::Current(Status::Fail) => refused.push(id),
            Judged::Current(Status::Error) => {
                // the oldest of the passes speaks for the value
                if let Some(at) = passed_before(p, id) {
                    passed_at = Some(passed_at.map_or(at, |a| a.min(at)));
                }
            }
            Judged::Stale => stale = true,
            _ => {}
        }
    }
    if !refused.is_empty() {
        ValueVerdict::Refused(refused)
    } else if stale {
        ValueVerdict::Stale
    } else if proven {
        ValueVerdict::Proven
    } else if let Some(at) = passed_at {
        ValueVerdict::PassedBefore(at.to_owned())
    } else {
        ValueVerdict::Unchecked
    }
}

/// What a check needs that is not there yet.
pub fn missing(check: CheckId, p: &Profile, s: &Secrets) -> Vec<&'static str> {
    let mut m = Vec::new();
    let need = |ok: bool, name: &'static str, m: &mut Vec<&'static str>| {
        if !ok {
            m.push(name)
        }
    };
    let check = check.runs_with();
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
        CheckId::PayMp | CheckId::PayOa | CheckId::BindingMp | CheckId::BindingOa => {
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

/// The pair a binding item is about, as [`Profile::confirmed_bindings`] keeps
/// it (`MCHID/AppID`); `None` for other checks or while a value is missing.
pub fn binding_pair(check: CheckId, p: &Profile) -> Option<String> {
    let appid = match check {
        CheckId::BindingMp => &p.mp_appid,
        CheckId::BindingOa => &p.oa_appid,
        _ => return None,
    };
    let (appid, mchid) = (appid.trim(), p.mchid.trim());
    (!appid.is_empty() && !mchid.is_empty()).then(|| format!("{mchid}/{appid}"))
}

/// Whether the merchant confirmed this binding item for the AppID and MCHID
/// as they are now (an edit of either undoes it).
pub fn confirmed(check: CheckId, p: &Profile) -> bool {
    binding_pair(check, p).is_some_and(|pair| p.confirmed_bindings.contains(&pair))
}

/// Records (or withdraws) the merchant's confirmation of a binding item.
pub fn set_confirmed(p: &mut Profile, check: CheckId, on: bool) {
    let Some(pair) = binding_pair(check, p) else {
        return;
    };
    if on {
        p.confirmed_bindings.insert(pair);
    } else {
        p.confirmed_bindings.remove(&pair);
    }
}

/// Keeps a check's result in the profile. A pass is remembered on its own: a
/// later "could not check" (offline, busy) leaves it, any other verdict
/// replaces it, so the window can say when the same values last passed.
pub fn record(p: &mut Profile, id: CheckId, outcome: Outcome, at: String, fingerprint: String) {
    match outcome.status {
        Status::Ok => {
            p.passes.insert(
                id,
                Pass {
                    at: at.clone(),
                    fingerprint: fingerprint.clone(),
                },
            );
        }
        Status::Fail | Status::Unproven => {
            p.passes.remove(&id);
        }
        Status::Error | Status::Skipped => {}
    }
    p.checks.insert(
        id,
        CheckRecord {
            outcome,
            at,
            fingerprint,
        },
    );
}

/// When a check whose latest result is "could not check" last passed on the
/// same values (RFC 3339), to show beside it.
pub fn passed_before(p: &Profile, id: CheckId) -> Option<&str> {
    let record = p.checks.get(&id)?;
    let pass = p.passes.get(&id)?;
    (record.outcome.status == Status::Error && pass.fingerprint == record.fingerprint)
        .then_some(pass.at.as_str())
}

/// Results counted by what they prove, with the binding items the merchant
/// confirmed counted as the merchant's confirmation (not as WeChat's proof).
pub fn tally_of(
    p: &Profile,
    results: impl IntoIterator<Item = (CheckId, Status)>,
) -> super::wxapi::Tally {
    let mut t = super::wxapi::Tally::default();
    for (id, status) in results {
        t.add(status, id.merchant_confirms() && confirmed(id, p));
    }
    t
}

/// What is still open after checks that found nothing wrong: bindings the
/// merchant has not confirmed yet, and values no side-effect-free reply can
/// prove. The closing line of `verify` and the window's line under the checks
/// say these and claim "everything checked" only when both are empty: a
/// closing line never claims more than the rows above it (third CLI trial
/// minor 6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StillOpen {
    pub to_confirm: Vec<CheckId>,
    pub unproven: Vec<CheckId>,
}

impl StillOpen {
    /// From results: each check, its status, and whether the merchant
    /// confirmed it (a binding). A check met twice (several shops) counts once.
    pub fn of(results: impl IntoIterator<Item = (CheckId, Status, bool)>) -> StillOpen {
        let mut open = StillOpen::default();
        for (id, status, confirmed) in results {
            if status != Status::Unproven {
                continue;
            }
            let list = if id.merchant_confirms() {
                if confirmed {
                    continue;
                }
                &mut open.to_confirm
            } else {
                &mut open.unproven
            };
            if !list.contains(&id) {
                list.push(id);
            }
        }
        open
    }

    pub fn is_empty(&self) -> bool {
        self.to_confirm.is_empty() && self.unproven.is_empty()
    }
}

/// "Nothing wrong; 1 item for you to confirm (…); 1 item that cannot be
/// proven online (…)."
impl crate::i18n::Message for StillOpen {
    fn key(&self) -> String {
        match (self.to_confirm.is_empty(), self.unproven.is_empty()) {
            (false, false) => "still_open.line_both",
            (false, true) => "still_open.line_confirm",
            _ => "still_open.line_unproven",
        }
        .into()
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::{Arg, Message};
        let part = |kind: &str, ids: &[CheckId]| {
            let key = if ids.len() == 1 {
                format!("still_open.{kind}_one")
            } else {
                format!("still_open.{kind}")
            };
            let items = ids.iter().map(|id| Arg::Key(Message::key(id))).collect();
            Arg::Nested(
                key,
                vec![
                    ("n", ids.len().to_string().into()),
                    ("items", Arg::List(items)),
                ],
            )
        };
        vec![
            ("confirm", part("confirm", &self.to_confirm)),
            ("unproven", part("unproven", &self.unproven)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

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

    /// Trial 2 Major 2: without an APIv2 key, a system that takes the APIv3
    /// key does not need the APIv2 pay check (judged skipped, whatever an
    /// earlier run with a key said); one that takes the APIv2 key does.
    #[test]
    fn the_apiv2_pay_check_is_not_needed_only_where_the_system_takes_the_apiv3_key() {
        use super::super::backend_kind::{BackendKind, BackendPreset};
        use super::super::record::Outcome;
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        let mut s = Secrets::new();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let record = CheckRecord {
            outcome: Outcome::new(Status::Fail, "pay_wrong_key"),
            at: "2026-12-07T00:52:34Z".into(),
            fingerprint: fingerprint(CheckId::PayMp, &p, &s),
        };
        p.checks.insert(CheckId::PayMp, record);
        assert_eq!(
            not_needed(CheckId::PayMp, &p, &s),
            None,
            "a key entered is checked"
        );
        assert_eq!(judge(CheckId::PayMp, &p, &s), Judged::Current(Status::Fail));
        s.remove(&SecretField::ApiKeyV2);
        assert_eq!(
            not_needed(CheckId::PayMp, &p, &s),
            Some("pay_needs_v2_key_unused")
        );
        assert_eq!(not_needed(CheckId::V3Certificates, &p, &s), None);
        assert_eq!(
            judge(CheckId::PayMp, &p, &s),
            Judged::Current(Status::Skipped)
        );
        assert_eq!(tally(&p, &s).total(), 0, "neither stale nor wrong");
        for other in [
            BackendKind::Shopxo,
            BackendKind::Crmeb,
            BackendKind::Generic,
        ] {
            p.backend_preset = BackendPreset::Known(other);
            assert_eq!(not_needed(CheckId::PayMp, &p, &s), None, "{other:?}");
        }
        p.backend_preset = BackendPreset::Unset;
        assert_eq!(not_needed(CheckId::PayOa, &p, &s), None);
    }

    /// Issue 19 item 2: after a value changed, a pass reads "check again".
    #[test]
    fn a_tally_counts_results_whose_values_changed_as_stale() {
        use super::super::record::{Outcome, Status};
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::MpAppSecret,
            Secret::new("0123456789abcdef0123456789abcdef"),
        );
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        for id in [CheckId::MpAppSecret, CheckId::PayMp] {
            let record = CheckRecord {
                outcome: Outcome::new(Status::Ok, "ok"),
                at: "2026-12-07T00:52:34Z".into(),
                fingerprint: fingerprint(id, &p, &s),
            };
            p.checks.insert(id, record);
        }
        let t = tally(&p, &s);
        assert_eq!((t.ok, t.stale), (2, 0));
        p.mp_appid = "wxfedcba0987654321".into();
        let t = tally(&p, &s);
        assert_eq!((t.ok, t.stale), (0, 2), "both read the AppID");
        assert!(!t.all_good());
        p.mp_appid = "wx1234567890abcdef".into();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD"),
        );
        let t = tally(&p, &s);
        assert_eq!((t.ok, t.stale), (1, 1), "a secret changed: only its check");
        assert_eq!(
            tally(&p, &Secrets::new()).stale,
            2,
            "without the secrets: not current"
        );
    }

    /// `readers` lists exactly the checks whose inputs hold a value: editing
    /// the value changes the fingerprint of those checks and of no other.
    #[test]
    fn the_readers_of_a_value_are_the_checks_that_read_it() {
        let base = || {
            let mut p = Profile::new("店");
            p.site_kind = Some(super::super::profile::SiteKind::SiteAndMiniProgram);
            p.mp_appid = "wx1234567890abcdef".into();
            p.oa_appid = "wxfedcba0987654321".into();
            p.mchid = "1900006031".into();
            p.payment_name = "微信支付".into();
            p.certificate = Some(super::super::cert::CertSummary {
                mchid: None,
                company: None,
                issuer: super::super::cert::IssuerKind::Tenpay,
                issuer_name: String::new(),
                serial: "AB".into(),
                not_before: String::new(),
                not_after: String::new(),
                signature_algorithm: String::new(),
                key_bits: None,
                key_present: true,
                key_matches: Some(true),
                p12_present: false,
                source: String::new(),
                certificate_pem: String::new(),
            });
            let mut s = Secrets::new();
            for f in SecretField::ALL {
                s.insert(f, Secret::new(format!("{}-value", f.key())));
            }
            (p, s)
        };
        let values = [
            FormValue::Field(FieldId::PaymentName),
            FormValue::Field(FieldId::MpAppId),
            FormValue::Field(FieldId::MpAppSecret),
            FormValue::Field(FieldId::MchId),
            FormValue::Field(FieldId::ApiKeyV2),
            FormValue::Field(FieldId::ApiKeyV3),
            FormValue::Field(FieldId::OaAppId),
            FormValue::Field(FieldId::OaAppSecret),
            FormValue::CertificateFile,
            FormValue::PrivateKeyFile,
        ];
        for v in values {
            let (p, s) = base();
            let (mut q, mut t) = base();
            q.fingerprint_salt = p.fingerprint_salt.clone();
            match v {
                FormValue::Field(f) => match f.secret() {
                    Some(sf) => {
                        t.insert(sf, Secret::new("changed"));
                    }
                    None => match f {
                        FieldId::PaymentName => q.payment_name = "改了".into(),
                        FieldId::MpAppId => q.mp_appid = "wx0000000000000000".into(),
                        FieldId::MchId => q.mchid = "1900000109".into(),
                        _ => q.oa_appid = "wx1111111111111111".into(),
                    },
                },
                FormValue::CertificateFile => {
                    q.certificate.as_mut().unwrap().serial = "CD".into();
                }
                FormValue::PrivateKeyFile => {
                    t.insert(SecretField::PrivateKey, Secret::new("other key"));
                }
            }
            let changed: Vec<CheckId> = CheckId::ALL
                .into_iter()
                .filter(|id| fingerprint(*id, &p, &s) != fingerprint(*id, &q, &t))
                .collect();
            let mut want = readers(v).to_vec();
            want.sort();
            let mut changed = changed;
            changed.sort();
            assert_eq!(changed, want, "{v:?}");
        }
    }

    /// Trial M2: a value WeChat refused is refused; a changed one is stale;
    /// one proven is proven; the name has only its format.
    #[test]
    fn a_values_verdict_follows_the_current_results_that_read_it() {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::MpAppSecret,
            Secret::new("0123456789abcdef0123456789abcdef"),
        );
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let appid = FormValue::Field(FieldId::MpAppId);
        let mchid = FormValue::Field(FieldId::MchId);
        assert_eq!(verdict(appid, &p, &s), ValueVerdict::Unchecked);
        assert_eq!(
            verdict(FormValue::Field(FieldId::PaymentName), &p, &s),
            ValueVerdict::FormatOnly
        );
        let fp = fingerprint(CheckId::MpAppSecret, &p, &s);
        record(
            &mut p,
            CheckId::MpAppSecret,
            Outcome::fail("mp_wrong_appid"),
            "t".into(),
            fp,
        );
        let fp = fingerprint(CheckId::PayMp, &p, &s);
        record(
            &mut p,
            CheckId::PayMp,
            Outcome::ok("pay_ok"),
            "t".into(),
            fp,
        );
        assert_eq!(
            verdict(appid, &p, &s),
            ValueVerdict::Refused(vec![CheckId::MpAppSecret])
        );
        assert_eq!(verdict(mchid, &p, &s), ValueVerdict::Proven);
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Ab3dEf6hIj9kLm2oPq5sTu8wXy1zA4cD"),
        );
        assert_eq!(verdict(mchid, &p, &s), ValueVerdict::Stale);
        assert_eq!(
            verdict(FormValue::Field(FieldId::ApiKeyV2), &p, &s),
            ValueVerdict::Stale
        );
    }

    /// Trial 2 minor: an offline re-check does not turn a value that passed on
    /// these very values into "not yet confirmed": it passed before, and says when.
    #[test]
    fn a_value_that_passed_before_an_offline_recheck_says_when() {
        let mut p = Profile::new("店");
        p.mchid = "1900006031".into();
        p.mp_appid = "wx1234567890abcdef".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let mchid = FormValue::Field(FieldId::MchId);
        let fp = fingerprint(CheckId::PayMp, &p, &s);
        let passed = "2026-12-01T08:00:00Z".to_owned();
        record(
            &mut p,
            CheckId::PayMp,
            Outcome::ok("pay_ok"),
            passed.clone(),
            fp.clone(),
        );
        assert_eq!(verdict(mchid, &p, &s), ValueVerdict::Proven);
        record(
            &mut p,
            CheckId::PayMp,
            Outcome::error("net_dns"),
            "2026-12-07T08:00:00Z".into(),
            fp,
        );
        assert_eq!(verdict(mchid, &p, &s), ValueVerdict::PassedBefore(passed));
        // changed values: no earlier pass speaks for them
        p.mchid = "1900000109".into();
        assert_eq!(verdict(mchid, &p, &s), ValueVerdict::Stale);
    }

    /// The inputs of a check on two shops of the same name with the same
    /// secret: a fingerprint must not tell that the secrets are equal, nor be
    /// recomputable from a guess of the secret without the profile's salt.
    #[test]
    fn fingerprints_are_keyed_by_the_profile_salt() {
        let mut s = Secrets::new();
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        let shop = || {
            let mut p = Profile::new("店");
            p.mp_appid = "wx1234567890abcdef".into();
            p.mchid = "1900006031".into();
            p
        };
        let (a, b) = (shop(), shop());
        let fa = fingerprint(CheckId::PayMp, &a, &s);
        assert_ne!(
            fa,
            fingerprint(CheckId::PayMp, &b, &s),
            "same secret, same fingerprint"
        );
        assert_eq!(
            fa,
            fingerprint(CheckId::PayMp, &a.clone(), &s),
            "stable for one profile"
        );
        // the unsalted hash an attacker would compute from a guess
        let mut h = Sha256::new();
        h.update(a.name.as_bytes());
        for v in inputs(CheckId::PayMp, &a, &s) {
            h.update([0u8]);
            h.update(v.as_bytes());
        }
        let guess: String = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(fa, guess);
    }

    /// Issue 17 item 1: a binding is the merchant's to confirm, for the AppID
    /// and MCHID as they are; an edit of either undoes it.
    #[test]
    fn a_confirmed_binding_is_for_those_values_and_counted_as_the_merchants() {
        let mut p = Profile::new("店");
        assert!(!confirmed(CheckId::BindingMp, &p));
        set_confirmed(&mut p, CheckId::BindingMp, true);
        assert!(p.confirmed_bindings.is_empty(), "nothing to confirm yet");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        set_confirmed(&mut p, CheckId::BindingMp, true);
        assert!(confirmed(CheckId::BindingMp, &p));
        assert!(!confirmed(CheckId::BindingOa, &p));
        assert!(!confirmed(CheckId::PayMp, &p), "only binding items");
        let t = tally_of(
            &p,
            [
                (CheckId::PayMp, Status::Ok),
                (CheckId::BindingMp, Status::Unproven),
                (CheckId::V3Certificates, Status::Unproven),
            ],
        );
        assert_eq!((t.ok, t.confirmed, t.unproven), (1, 1, 1));
        use crate::i18n::{Lang, Tr};
        assert_eq!(
            Tr(Lang::ZhCn).msg(&t),
            "1 项通过、1 项由你确认、1 项格式正确但无法在线证明"
        );
        // WeChat saying "not bound" is not turned into a confirmation
        let t = tally_of(&p, [(CheckId::BindingMp, Status::Fail)]);
        assert_eq!((t.confirmed, t.fail), (0, 1));
        p.mchid = "1900000109".into();
        assert!(
            !confirmed(CheckId::BindingMp, &p),
            "another merchant number"
        );
        p.mchid = "1900006031".into();
        assert!(confirmed(CheckId::BindingMp, &p));
        set_confirmed(&mut p, CheckId::BindingMp, false);
        assert!(!confirmed(CheckId::BindingMp, &p));
    }

    #[test]
    fn binding_items_fingerprint_the_appid_and_mchid_only() {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        let mut s = Secrets::new();
        let before = fingerprint(CheckId::BindingMp, &p, &s);
        s.insert(
            SecretField::ApiKeyV2,
            Secret::new("Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
        );
        assert_eq!(fingerprint(CheckId::BindingMp, &p, &s), before);
        p.mp_appid = "wxfedcba0987654321".into();
        assert_ne!(fingerprint(CheckId::BindingMp, &p, &s), before);
        assert_eq!(CheckId::BindingOa.runs_with(), CheckId::PayOa);
        assert_eq!(CheckId::PayMp.read_along(), Some(CheckId::BindingMp));
        assert_eq!(
            missing(CheckId::BindingMp, &p, &Secrets::new()),
            missing(CheckId::PayMp, &p, &Secrets::new())
        );
    }

    /// Issue 19 item 9: "could not check" does not hide an earlier pass on
    /// the same values; a verdict replaces it.
    #[test]
    fn an_earlier_pass_is_kept_beside_a_later_could_not_check() {
        let mut p = Profile::new("店");
        let id = CheckId::MpAppSecret;
        record(
            &mut p,
            id,
            Outcome::ok("appsecret_ok"),
            "2026-11-27T08:00:00Z".into(),
            "f1".into(),
        );
        assert_eq!(passed_before(&p, id), None, "the latest result is the pass");
        record(
            &mut p,
            id,
            Outcome::error("net_timeout"),
            "2026-11-28T08:00:00Z".into(),
            "f1".into(),
        );
        assert_eq!(passed_before(&p, id), Some("2026-11-27T08:00:00Z"));
        // offline again on other values: that pass was not for them
        record(
            &mut p,
            id,
            Outcome::error("net_timeout"),
            "2026-11-28T09:00:00Z".into(),
            "f2".into(),
        );
        assert_eq!(passed_before(&p, id), None);
        record(
            &mut p,
            id,
            Outcome::error("net_timeout"),
            "2026-11-28T10:00:00Z".into(),
            "f1".into(),
        );
        assert_eq!(passed_before(&p, id), Some("2026-11-27T08:00:00Z"));
        // WeChat's verdict replaces it
        record(
            &mut p,
            id,
            Outcome::fail("mp_wrong_secret"),
            "2026-11-29T08:00:00Z".into(),
            "f1".into(),
        );
        record(
            &mut p,
            id,
            Outcome::error("net_timeout"),
            "2026-11-29T09:00:00Z".into(),
            "f1".into(),
        );
        assert_eq!(passed_before(&p, id), None);
    }
}
