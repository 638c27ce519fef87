//! What the user is filling in outside the profile itself: the export form, the
//! push form (with its field-name mapping, read once and kept, never while
//! drawing), the start page's list of shops with its passphrase prompt, and
//! the path the user may type when a file dialog does not open.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app::worker::PickPurpose;

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
    /// A user and password typed into the address were taken out (never stored).
    pub credentials_dropped: bool,
}

impl Default for PushForm {
    fn default() -> Self {
        PushForm {
            mapping: Ok(Preset::Generic.mapping()),
            credentials_dropped: false,
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
    /// What a clean-up found, waiting for the user to confirm its removal.
    pub clean_up: Option<crate::app::ops::profiles::Checkup>,
}

/// After this long without an answer from a file dialog, the window offers
/// the path field too (the dialog may be hidden or hung for half a minute).
pub const DIALOG_PATIENCE: Duration = Duration::from_secs(3);

/// The file the last dialog was opened for, and the path the user may type
/// instead: offered when the dialog did not open, or has not answered for
/// [`DIALOG_PATIENCE`]. A save starts from the default folder and file name.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    pub purpose: PickPurpose,
    /// Which dialog this is; an answer from an older one is ignored.
    pub generation: u64,
    pub text: String,
    /// The file name a save uses when the typed path is a folder.
    pub default_name: String,
    /// The dialog did not open.
    pub failed: bool,
    pub since: Instant,
    /// Why the typed path was not taken (until the text changes).
    pub error: Option<crate::domain::problem::Problem>,
}

impl PathPrompt {
    /// Whether the window should offer the path field now.
    pub fn offered(&self, now: Instant) -> bool {
        self.failed || now.duration_since(self.since) >= DIALOG_PATIENCE
    }
}

/// The APIv2 key generator on the fields page: a replace waiting for "yes",
/// and the key it replaced, undoable while this shop stays open.
#[derive(Default)]
pub struct KeyForm {
    /// A key is typed and the user asked for a new one: ask first.
    pub confirm_replace: bool,
    /// What the last generated key replaced (empty: the field was empty).
    pub previous: Option<Secret>,
    /// A key was generated (and copied) in this session of this shop.
    pub generated: bool,
}

/// Applying for the certificate on the certificate step: the company name as
/// typed (`None`: not touched, the known name is shown), the pasted
/// certificate string (public), and a "start over?" waiting for its answer.
#[derive(Default)]
pub struct ApplyForm {
    pub company: Option<String>,
    pub paste: String,
    pub confirm_start_over: bool,
    /// A certificate was just accepted: fold the section once.
    pub fold: bool,
}

#[derive(Default)]
pub struct Forms {
    pub key: KeyForm,
    pub apply: ApplyForm,
    /// A certificate file waiting for "replace the one imported?".
    pub cert_replace: Option<PathBuf>,
    pub export: ExportForm,
    pub push: PushForm,
    pub shops: ShopsForm,
    pub path_prompt: Option<PathPrompt>,
    /// Once: the page goes back to its top (after a certificate was accepted,
    /// the section above folds and the page would stay scrolled half-way).
    pub scroll_top: bool,
    /// The folder of the last path typed into a path field (this session):
    /// the next path field starts there rather than at the home folder.
    pub last_typed_dir: Option<std::path::PathBuf>,
    /// Counts the dialogs opened, to tell their answers apart.
    pub dialog_generation: u64,
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
    fn the_path_field_is_offered_when_the_dialog_failed_or_is_slow() {
        let start = Instant::now();
        let mut p = PathPrompt {
            purpose: PickPurpose::ExportBundle,
            generation: 1,
            text: String::new(),
            default_name: "x.zip".into(),
            failed: false,
            since: start,
            error: None,
        };
        assert!(!p.offered(start), "not while the dialog may still open");
        assert!(p.offered(start + DIALOG_PATIENCE), "a silent dialog");
        p.failed = true;
        assert!(p.offered(start), "a dialog that failed: at once");
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
