//! What the user is filling in outside the profile itself: the export form and
//! the start page's list of shops with its passphrase prompt.

use std::path::PathBuf;

use crate::app::profiles::ProfileRow;
use crate::domain::export::Format;
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
    pub shops: ShopsForm,
}
