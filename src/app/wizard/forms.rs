//! What the user is filling in outside the profile itself: the export form, the
//! push form (with its field-name mapping, read once and kept, never while
//! drawing), and the start page's list of shops with its passphrase prompt.

use std::path::PathBuf;

use crate::app::profiles::ProfileRow;
use crate::domain::export::Format;
use crate::domain::profile::Profile;
use crate::domain::push::{Mapping, Preset};
use crate::domain::secret::Secret;

/// The export form on the summary page.
#[derive(Default)]
pub struct ExportForm {
    /// `None`: the encrypted bundle; else one of the stack formats, into a folder.
    pub format: Option<Format>,
    pub include_secrets: bool,
    pub passphrase: Secret,
    pub confirm: Secret,
}

/// The push form: the field names a push uses, loaded when the shop opens, its
/// preset changes or the preview opens. A custom mapping is a file, so it is
/// read then, not each time the preview is drawn.
pub struct PushForm {
    mapping: Result<Mapping, String>,
}

impl Default for PushForm {
    fn default() -> Self {
        PushForm {
            mapping: Ok(Preset::Generic.mapping()),
        }
    }
}

impl PushForm {
    /// (Re)loads the mapping the profile names (reads the custom mapping file).
    pub fn load(&mut self, profile: &Profile) {
        self.mapping = crate::app::ops::push::mapping_of(profile).map_err(|e| e.reason);
    }

    /// The loaded mapping, or why it could not be loaded.
    pub fn mapping(&self) -> Result<&Mapping, &str> {
        self.mapping.as_ref().map_err(String::as_str)
    }
}

/// The start page: every shop, and a bundle waiting for its passphrase.
#[derive(Default)]
pub struct ShopsForm {
    /// The saved shops' names, sorted.
    pub names: Vec<String>,
    /// One row per shop for the start page (refreshed on demand).
    pub rows: Vec<ProfileRow>,
    /// A bundle that needs its passphrase, and what the user typed so far.
    pub bundle_prompt: Option<(PathBuf, Secret)>,
}

#[derive(Default)]
pub struct Forms {
    pub export: ExportForm,
    pub push: PushForm,
    pub shops: ShopsForm,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_preset(preset: &str, file: &str) -> Profile {
        let mut p = Profile::new("店");
        p.backend_preset = crate::domain::push::BackendPreset::parse(preset).unwrap();
        p.backend_mapping_file = file.into();
        p
    }

    #[test]
    fn presets_need_no_file_and_an_unknown_one_is_named() {
        let mut f = PushForm::default();
        f.load(&with_preset("crmeb", ""));
        assert_eq!(f.mapping(), Ok(&Preset::Crmeb.mapping()));
        f.load(&with_preset("", ""));
        assert_eq!(f.mapping(), Ok(&Preset::Generic.mapping()));
    }

    #[test]
    fn a_custom_mapping_is_read_on_load_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("map.toml");
        std::fs::write(&file, "[fields]\nmchid = \"shop_mchid\"\n").unwrap();
        let mut f = PushForm::default();
        f.load(&with_preset("custom", &file.display().to_string()));
        let loaded = f.mapping().unwrap().clone();
        assert_eq!(
            loaded.0.get("mchid").map(String::as_str),
            Some("shop_mchid")
        );
        std::fs::remove_file(&file).unwrap();
        assert_eq!(f.mapping(), Ok(&loaded), "kept, not read again");
        f.load(&with_preset("custom", &file.display().to_string()));
        assert!(f.mapping().is_err(), "a reload sees the file is gone");
    }
}
