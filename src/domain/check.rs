//! Check records: the online checks a profile can have (`CheckId`), which of
//! them apply to it, the values each reads and what it still lacks, and a
//! remembered result (`CheckRecord`) with a fingerprint of the values it
//! checked, so that editing a value marks exactly the dependent results stale.
//! Pure: running a check over the network is `app::verify`'s job.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::profile::{Profile, SecretField};
use super::secret::Secret;
use super::wxapi::Outcome;

/// The secrets a check may read (the same map as `app::rules::Secrets`).
type Secrets = BTreeMap<SecretField, Secret>;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
)]
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

/// A check is named to the user by its localized name, `check.id.<key>`.
impl crate::i18n::Message for CheckId {
    fn key(&self) -> String {
        format!("check.id.{}", CheckId::key(*self))
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

/// A fresh fingerprint salt: 128 random bits, as hex.
pub fn new_salt() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// What a check needs that is not there yet.
pub fn missing(check: CheckId, p: &Profile, s: &Secrets) -> Vec<&'static str> {
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
}
