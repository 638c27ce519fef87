//! What the last push sent, and whether it still holds: a fingerprint of the
//! values a push sends and of where it sends them (system, address, mapping),
//! kept in the push record, so "sent to likeadmin" is said only while the shop's
//! values and its backend are those that were sent (trial 2 Major 1: a copied or
//! edited shop kept a green line for values its backend never received).
//! Secrets enter the fingerprint only through an HMAC, never themselves, as the
//! check results' fingerprints (`check::fingerprint`). Pure.

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::backend::{Ours, Values};
use super::backend_kind::BackendPreset;
use super::profile::{LastPush, Profile, SecretField};
use super::secret::Secret;

type Secrets = BTreeMap<SecretField, Secret>;

/// HMAC-SHA256, keyed with the profile's salt, over where a push goes and every
/// value it sends (as `Values::of` gives them to the backend adapters), cut to
/// 64 bits: it tells a change, it cannot give a secret back.
pub fn fingerprint(p: &Profile, s: &Secrets) -> String {
    fingerprint_of(p, &Values::of(p, s))
}

/// [`fingerprint`] of the values a push was given (`Values::of` the profile).
pub fn fingerprint_of(p: &Profile, values: &Values) -> String {
    let Ok(mut h) = <Hmac<Sha256> as KeyInit>::new_from_slice(p.fingerprint_salt.as_bytes()) else {
        return String::new();
    };
    // a custom mapping sends under other names: another file is another target
    let mapping = match p.backend_preset {
        BackendPreset::Custom => p.backend_mapping_file.trim(),
        _ => "",
    };
    let target = [
        "push",
        p.backend_preset.name(),
        p.backend_url.trim(),
        mapping,
    ];
    for part in target {
        h.update(part.as_bytes());
        h.update(&[0u8]);
    }
    for o in Ours::ALL {
        h.update(o.key().as_bytes());
        h.update(&[1u8]);
        h.update(values.get(o).unwrap_or("").as_bytes());
        h.update(&[0u8]);
    }
    h.finalize().into_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Which backend a push of `p` goes to, as the push records say it: the system and
/// its normalized address (a login system's site root, `https://shop.example.com`;
/// a receiver's origin and path). Not secret. Empty when the address is not one.
pub fn target(p: &Profile) -> String {
    let addr = match p.backend_preset.kind() {
        Some(k) if k.has_login() => super::backend::site_root(&p.backend_url).ok(),
        _ => url::Url::parse(p.backend_url.trim()).ok().map(|u| {
            format!(
                "{}{}",
                u.origin().ascii_serialization(),
                u.path().trim_end_matches('/')
            )
        }),
    };
    match addr {
        Some(a) => format!("{} {a}", p.backend_preset.name()),
        None => String::new(),
    }
}

/// A later push of another shop to the backend of `own`: that backend now holds
/// the other shop's settings. The latest such push, as (shop, time).
pub fn overwritten_by<'a>(
    own: &LastPush,
    others: impl IntoIterator<Item = (&'a str, &'a LastPush)>,
) -> Option<(String, String)> {
    let when = |at: &str| {
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
    };
    let mine = when(&own.at)?;
    if own.target.is_empty() {
        return None;
    }
    others
        .into_iter()
        .filter(|(_, l)| l.target == own.target)
        .filter_map(|(name, l)| Some((when(&l.at)?, name, l)))
        .filter(|(t, _, _)| *t > mine)
        .max_by_key(|(t, _, _)| *t)
        .map(|(_, name, l)| (name.to_owned(), l.at.clone()))
}

/// What the last push record says of the shop as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// The backend, read back, held every value, and these are still the
    /// shop's values and backend.
    Sent,
    /// The last push did not complete: send again.
    Failed,
    /// Sent, but a value or the backend changed since (or the record is an
    /// older one that does not say what was sent): the backend holds other
    /// values than the shop's; send again.
    Changed,
    /// Sent and still holding, with something the owner was asked to look at
    /// (the record's warnings): amber, with the warning, also after a restart.
    SentWarned,
    /// Sent, but another shop was sent to the same backend since: it holds that
    /// shop's settings now; send again to use this one.
    Overwritten,
}

/// The last push and what it says now; `None`: never sent.
pub fn state<'a>(p: &'a Profile, s: &Secrets) -> Option<(PushState, &'a LastPush)> {
    let last = p.last_push.as_ref()?;
    let state = if !last.ok {
        PushState::Failed
    } else if last.sent.is_empty() || last.sent != fingerprint(p, s) {
        // an empty `sent`: a record from before records said what was sent;
        // nothing proves the backend holds today's values, so it is not green
        PushState::Changed
    } else if !last.warnings.is_empty() {
        PushState::SentWarned
    } else {
        PushState::Sent
    };
    Some((state, last))
}

/// The i18n key of the line the window and the report show for a state.
pub fn line_key(state: PushState) -> &'static str {
    match state {
        PushState::Sent => "push_ui.last_sent",
        PushState::Failed => "push_ui.last_failed",
        PushState::Changed => "push_ui.last_changed",
        PushState::Overwritten => "push_ui.last_overwritten",
        PushState::SentWarned => "push_ui.last_sent_warned",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backend_kind::BackendKind;

    fn shop() -> (Profile, Secrets) {
        let mut p = Profile::new("店");
        p.mp_appid = "wx1234567890abcdef".into();
        p.mchid = "1900006031".into();
        p.backend_preset = BackendPreset::Known(BackendKind::Likeadmin);
        p.backend_url = "https://shop.example.com/admin".into();
        let mut s = Secrets::new();
        s.insert(
            SecretField::ApiKeyV3,
            Secret::new("V3keyV3keyV3keyV3keyV3keyV3key12"),
        );
        (p, s)
    }

    fn sent(p: &mut Profile, s: &Secrets) {
        p.last_push = Some(LastPush {
            backend: "likeadmin".into(),
            at: "2026-12-07T05:08:00Z".into(),
            ok: true,
            sent: fingerprint(p, s),
            target: target(p),
            warnings: Vec::new(),
        });
    }

    #[test]
    fn the_line_holds_while_values_and_target_are_the_ones_sent() {
        let (mut p, mut s) = shop();
        assert_eq!(state(&p, &s), None);
        sent(&mut p, &s);
        assert_eq!(state(&p, &s).unwrap().0, PushState::Sent);
        // the shop's name and its step are not sent
        p.name = "另一个名字".into();
        assert_eq!(state(&p, &s).unwrap().0, PushState::Sent);

        type Change = Box<dyn Fn(&mut Profile, &mut Secrets)>;
        let changes: Vec<Change> = vec![
            Box::new(|p, _| p.mchid = "1900009999".into()),
            Box::new(|p, _| p.backend_url = "https://shop.invalid/admin".into()),
            Box::new(|p, _| p.backend_preset = BackendPreset::Known(BackendKind::Crmeb)),
            Box::new(|_, s| {
                s.insert(
                    SecretField::ApiKeyV3,
                    Secret::new("another-key-another-key-another12"),
                );
            }),
            Box::new(|_, s| {
                s.remove(&SecretField::ApiKeyV3);
            }),
            Box::new(|p, _| p.payment_name = "微信支付".into()),
        ];
        for (i, change) in changes.iter().enumerate() {
            let (mut p2, mut s2) = (p.clone(), s.clone());
            change(&mut p2, &mut s2);
            assert_eq!(state(&p2, &s2).unwrap().0, PushState::Changed, "change {i}");
        }
        // a secret enters only by its HMAC
        s.insert(
            SecretField::ApiKeyV3,
            Secret::new("V3keyV3keyV3keyV3keyV3keyV3key12"),
        );
        let fp = fingerprint(&p, &s);
        assert_eq!(fp.len(), 16);
        assert!(!fp.contains("V3key"));
    }

    #[test]
    fn an_old_record_or_a_failed_push_is_not_green() {
        let (mut p, s) = shop();
        sent(&mut p, &s);
        p.last_push.as_mut().unwrap().sent.clear();
        assert_eq!(state(&p, &s).unwrap().0, PushState::Changed);
        sent(&mut p, &s);
        p.last_push.as_mut().unwrap().ok = false;
        assert_eq!(state(&p, &s).unwrap().0, PushState::Failed);
        // trial 3 minor 2: a push with a warning stays amber after a restart
        sent(&mut p, &s);
        p.last_push.as_mut().unwrap().warnings = vec![crate::domain::profile::PushWarning {
            field: "app_id".into(),
            holds: "wxfedcba0987654321".into(),
            scenes: None,
        }];
        assert_eq!(state(&p, &s).unwrap().0, PushState::SentWarned);
    }

    /// Trial 3 Major 2: shop A sent, then shop B into the same likeadmin: A's
    /// record is overwritten by B's (named, with its time); a push to another
    /// backend, an earlier one, or A's own does not count.
    #[test]
    fn a_later_push_of_another_shop_to_the_same_backend_overwrites() {
        let (mut a, s) = shop();
        sent(&mut a, &s);
        let own = a.last_push.clone().unwrap();
        assert_eq!(own.target, "likeadmin https://shop.example.com");
        let other = |url: &str, at: &str| {
            let mut p = a.clone();
            p.backend_url = url.into();
            let mut l = own.clone();
            l.target = target(&p);
            l.at = at.into();
            l
        };
        let b_same = other(
            "https://SHOP.example.com/admin/#/login",
            "2026-12-07T05:52:00Z",
        );
        let b_else = other("https://other.example.com/admin", "2026-12-07T06:00:00Z");
        let b_before = other("https://shop.example.com/", "2026-12-07T05:00:00Z");
        assert_eq!(
            overwritten_by(&own, [("B", &b_else), ("C", &b_before)]),
            None
        );
        assert_eq!(
            overwritten_by(&own, [("B", &b_same), ("C", &b_before)]),
            Some(("B".into(), "2026-12-07T05:52:00Z".into()))
        );
        // an older record without a target says nothing either way
        let mut old = own.clone();
        old.target.clear();
        assert_eq!(overwritten_by(&old, [("B", &b_same)]), None);
    }
}
