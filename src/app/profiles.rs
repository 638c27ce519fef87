//! The start page's rows: one line per stored profile. The operations on whole
//! profiles (rename, duplicate, delete) are in [`crate::app::ops::profiles`].

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
    pub site_kind: Option<SiteKind>,
    pub step: Step,
    /// The remembered results of the checks that apply, by what they prove.
    pub checks: crate::domain::wxapi::Tally,
    pub cert_not_after: Option<String>,
    /// Days until the certificate expires (negative: expired).
    pub cert_days_left: Option<i64>,
    pub damaged: bool,
}

pub fn rows(store: &dyn ProfileRepo, now: time::OffsetDateTime) -> Vec<ProfileRow> {
    store
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|name| match store.load(&name) {
            Ok(p) => row(&p, now),
            Err(_) => ProfileRow {
                name,
                site_kind: None,
                step: Step::Prerequisite,
                checks: Default::default(),
                cert_not_after: None,
                cert_days_left: None,
                damaged: true,
            },
        })
        .collect()
}

pub fn row(p: &Profile, now: time::OffsetDateTime) -> ProfileRow {
    let not_after = p.certificate.as_ref().map(|c| c.not_after.clone());
    let days = not_after.as_deref().and_then(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| (t - now).whole_days())
    });
    ProfileRow {
        name: p.name.clone(),
        site_kind: p.site_kind,
        step: p.step,
        checks: crate::domain::wxapi::Tally::of(
            p.checks
                .iter()
                .filter(|(id, _)| id.applies(p))
                .map(|(_, r)| r.outcome.status),
        ),
        cert_not_after: not_after,
        cert_days_left: days,
        damaged: false,
    }
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

    #[test]
    fn one_row_per_profile_with_its_check_counts() {
        let store = MemoryProfiles::new();
        let mut p = Profile::new("b");
        p.site_kind = Some(SiteKind::MiniProgram);
        store.save(&p).unwrap();
        store.save(&Profile::new("a")).unwrap();
        let rows = rows(&store, time::OffsetDateTime::now_utc());
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(rows[1].site_kind, Some(SiteKind::MiniProgram));
        assert_eq!(rows[1].checks.total(), 0);
        assert!(!rows[0].damaged);
    }
}
