//! The start page's rows: one line per stored profile. The operations on whole
//! profiles (rename, duplicate, delete) are in [`crate::app::ops::profiles`].

use crate::app::rules::Secrets;
use crate::domain::profile::{Profile, SiteKind, Step};
use crate::services::profile_store::ProfileRepo;

/// Places what a bundle brought that is not the profile file: its custom
/// field mapping goes to a file of the shop's own, and the profile points
/// there. Call it once the final name is known, before the secrets and the
/// profile are written (a mapping file alone is harmless).
pub fn place_bundle_mapping(
    store: &dyn ProfileRepo,
    bundle: &mut crate::domain::bundle::ImportedBundle,
) -> Result<(), crate::services::profile_store::StorageError> {
    if let Some(text) = &bundle.mapping {
        let path = store.save_mapping(&bundle.profile.name, text)?;
        bundle.profile.backend_mapping_file = path.display().to_string();
    }
    Ok(())
}

/// One line of the start page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    pub name: String,
    /// What an agent searches the list by besides the name (trimmed; empty
    /// when not set or the file is damaged).
    pub mchid: String,
    pub mp_appid: String,
    pub oa_appid: String,
    pub site_kind: Option<SiteKind>,
    pub step: Step,
    /// The remembered results of the checks that apply, by what they prove; a
    /// result whose values changed since is counted as "check again"
    /// (`check::tally`). `None` while the shop's secrets, which the results
    /// are judged against, are not known (being read, or the keychain failed).
    pub checks: Option<crate::domain::wxapi::Tally>,
    /// Checks that could not reach WeChat now but passed on the same values
    /// before: how many, and the latest such pass (RFC 3339). The step page says
    /// "last passed at …"; the list says it too (trial m11).
    pub passed_before: Option<(usize, String)>,
    pub cert_not_after: Option<String>,
    /// Days until the certificate expires (negative: expired).
    pub cert_days_left: Option<i64>,
    pub damaged: bool,
    /// The shop's last push (system, address, time; no secret): whether a later
    /// push of another shop went to the same backend (trial 3 Major 2).
    pub last_push: Option<crate::domain::profile::LastPush>,
}

impl ProfileRow {
    /// Whether the shops page's search `query` finds this shop: part of its
    /// name, merchant number or an AppID, letter case aside (an agent has the
    /// number or the AppID at hand as often as the name). An empty query
    /// finds every shop.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        q.is_empty()
            || [&self.name, &self.mchid, &self.mp_appid, &self.oa_appid]
                .iter()
                .any(|v| v.to_lowercase().contains(&q))
    }
}

/// One row per stored profile. `secrets_of` gives a shop's secrets when they
/// can be read (the window reads them off the UI thread, see `Job::ShopRows`).
pub fn rows(
    store: &dyn ProfileRepo,
    now: time::OffsetDateTime,
    secrets_of: &dyn Fn(&str) -> Option<Secrets>,
) -> Vec<ProfileRow> {
    store
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|name| match store.load(&name) {
            Ok(p) => {
                // a shop with no result needs no keychain to say so
                let secrets = if has_results(&p) {
                    secrets_of(&name)
                } else {
                    Some(Secrets::new())
                };
                row(&p, secrets.as_ref(), now)
            }
            Err(_) => ProfileRow {
                name,
                mchid: String::new(),
                mp_appid: String::new(),
                oa_appid: String::new(),
                site_kind: None,
                step: Step::Prerequisite,
                checks: None,
                passed_before: None,
                cert_not_after: None,
                cert_days_left: None,
                damaged: true,
                last_push: None,
            },
        })
        .collect()
}

/// The shop remembers a result of a check that applies to it.
pub fn has_results(p: &Profile) -> bool {
    p.checks.keys().any(|id| id.applies(p))
}

pub fn row(p: &Profile, secrets: Option<&Secrets>, now: time::OffsetDateTime) -> ProfileRow {
    let not_after = p.certificate.as_ref().map(|c| c.not_after.clone());
    let days = not_after.as_deref().and_then(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| (t - now).whole_days())
    });
    let checks = if has_results(p) {
        secrets.map(|s| crate::domain::check::tally(p, s))
    } else {
        Some(Default::default())
    };
    ProfileRow {
        name: p.name.clone(),
        mchid: p.mchid.trim().to_owned(),
        mp_appid: p.mp_appid.trim().to_owned(),
        oa_appid: p.oa_appid.trim().to_owned(),
        site_kind: p.site_kind,
        step: p.step,
        checks,
        passed_before: secrets.and_then(|s| passed_before(p, s)),
        cert_not_after: not_after,
        cert_days_left: days,
        damaged: false,
        last_push: p.last_push.clone(),
    }
}

/// The checks whose current result is "could not check" and that passed on
/// the same values before: how many, and the latest of those passes.
fn passed_before(p: &Profile, s: &Secrets) -> Option<(usize, String)> {
    use crate::domain::check::{Judged, applicable, judge};
    let times: Vec<&str> = applicable(p)
        .into_iter()
        .filter(|id| judge(*id, p, s) == Judged::Current(crate::domain::wxapi::Status::Error))
        .filter_map(|id| crate::domain::check::passed_before(p, id))
        .collect();
    let latest = times.iter().max()?;
    Some((times.len(), (*latest).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::profile_store::MemoryProfiles;

    #[test]
    fn a_mapping_from_a_bundle_is_placed_beside_the_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::services::profile_store::ProfileStore::at(dir.path().to_path_buf());
        let mut b = crate::domain::bundle::ImportedBundle {
            profile: Profile::new("店 (2)"),
            secrets: Default::default(),
            mapping: Some("[fields]\nmchid = \"mch_id\"\n".into()),
        };
        place_bundle_mapping(&store, &mut b).unwrap();
        let path = std::path::PathBuf::from(&b.profile.backend_mapping_file);
        assert_eq!(path, store.mapping_path("店 (2)"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[fields]\nmchid = \"mch_id\"\n"
        );
        store.save(&b.profile).unwrap();
        assert_eq!(store.list().unwrap(), ["店 (2)"], "the mapping is no shop");
    }

    /// Window trial m9: a merchant number or an AppID found nothing.
    #[test]
    fn a_shop_is_found_by_name_merchant_number_or_appid() {
        let mut p = Profile::new("城南书店");
        p.mchid = "1900001612".into();
        p.mp_appid = "wx9b3466cde1c9f6c2".into();
        p.oa_appid = "wxfedcba0987654321".into();
        let r = row(&p, None, time::OffsetDateTime::now_utc());
        for q in [
            "",
            " ",
            "书店",
            "1612",
            "wx9b34",
            "WX9B34",
            "fedcba",
            " 1900001612 ",
        ] {
            assert!(r.matches(q), "{q:?}");
        }
        for q in ["茶馆", "1999", "wx0000"] {
            assert!(!r.matches(q), "{q:?}");
        }
    }

    #[test]
    fn one_row_per_profile_with_its_check_counts() {
        let store = MemoryProfiles::new();
        let mut p = Profile::new("b");
        p.site_kind = Some(SiteKind::MiniProgram);
        store.save(&p).unwrap();
        store.save(&Profile::new("a")).unwrap();
        let rows = rows(&store, time::OffsetDateTime::now_utc(), &|_| None);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(rows[1].site_kind, Some(SiteKind::MiniProgram));
        assert_eq!(
            rows[1].checks.map(|t| t.total()),
            Some(0),
            "no results: known"
        );
        assert!(!rows[0].damaged);
    }
}
