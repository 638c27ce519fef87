//! What the user is filling in outside the profile itself: the export form, the
//! push form (the admin password as typed, and the preview the backend gave), the
//! start page's list of shops with its passphrase prompt, and the path the user may
//! type when a file dialog does not open.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app::worker::PickPurpose;

use crate::app::ops::push::{Preview, PushError};
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

/// The push form: the admin password as typed (kept in memory until a push the
/// backend accepted keeps it in the keychain), and the last preview.
#[derive(Default)]
pub struct PushForm {
    pub password: Secret,
    /// What the backend holds now and what it will hold, or why it could not be read.
    pub preview: Option<Result<Preview, PushError>>,
    /// A user and password typed into the address were taken out (never stored).
    pub credentials_dropped: bool,
    /// The last try said no password was typed or kept: the form asks for one.
    pub password_missing: bool,
    /// An admin password is kept in the keychain (read when the shop opened,
    /// or kept by a push): the form says so, as for the other secrets.
    pub password_kept: bool,
    /// The generic receiver's token was typed in this session: given to the push
    /// as typed, for the address of that push.
    pub token_typed: bool,
    /// Counts the backend's answers (previews and results) in this session: the
    /// page brings each new one into view once.
    pub answers: u64,
    /// `sent::fingerprint` of the shop when the send was confirmed (the push
    /// reads the profile just saved): recorded with the push.
    pub sending: String,
}

/// The start page: every shop, and a bundle waiting for its passphrase.
#[derive(Default)]
pub struct ShopsForm {
    /// The saved shops' names, sorted.
    pub names: Vec<String>,
    /// One row per shop for the start page (refreshed on demand).
    pub rows: Vec<ProfileRow>,
    /// Row reads sent to the worker and not answered yet.
    pub rows_pending: usize,
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

/// An API key's generator on the fields page: a replace waiting for "yes",
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
    /// Accepting would replace the shop's private key (perhaps its only copy):
    /// asked before it is replaced.
    pub confirm_discard_key: bool,
    /// A certificate was just accepted: fold the section once.
    pub fold: bool,
}

/// A certificate read and refused: it failed its checks for this shop
/// (another merchant's, expired, its key not its own), so it was not taken in.
#[derive(Debug, Clone)]
pub struct CertRefusal {
    /// The file's name as the user chose it.
    pub file: String,
    /// What the certificate holds (its merchant number and company), to say whose it is.
    pub summary: crate::domain::cert::CertSummary,
    /// Why it was refused (the errors of `cert::evaluate`).
    pub problems: Vec<crate::domain::problem::Problem>,
}

#[derive(Default)]
pub struct Forms {
    /// The APIv2 key's generator.
    pub key: KeyForm,
    /// The APIv3 key's (a shop system that takes it: likeadmin).
    pub key_v3: KeyForm,
    pub apply: ApplyForm,
    /// A certificate file waiting for "replace the one imported?".
    pub cert_replace: Option<PathBuf>,
    /// The last certificate read was refused (issue 19 item 4).
    pub cert_refused: Option<CertRefusal>,
    /// A certificate just came in: fold the page's guide once (issue 19 item 6).
    pub cert_arrived: bool,
    /// The file being imported: its notices name it (trial m3).
    pub cert_importing: Option<PathBuf>,
    pub export: ExportForm,
    pub push: PushForm,
    pub shops: ShopsForm,
    pub path_prompt: Option<PathPrompt>,
    /// Once: the page goes back to its top (after a certificate was accepted,
    /// the section above folds and the page would stay scrolled half-way).
    pub scroll_top: bool,
    /// Once: the page brings this item into view ("去修改" in 还差什么): a
    /// field's key, or `jsapi` for the JSAPI confirmation.
    pub scroll_to: Option<String>,
    /// The folder of the last path typed into a path field (this session):
    /// the next path field starts there rather than at the home folder.
    pub last_typed_dir: Option<std::path::PathBuf>,
    /// The path last typed for a file to open (a certificate, a bundle): the
    /// next path field for one starts with it.
    pub last_typed_open: Option<String>,
    /// Counts the dialogs opened, to tell their answers apart.
    pub dialog_generation: u64,
}

impl Forms {
    /// The generator of the key field `f` (the APIv3 key's, or the APIv2 key's).
    pub fn key(&self, f: crate::domain::profile::SecretField) -> &KeyForm {
        match f {
            crate::domain::profile::SecretField::ApiKeyV3 => &self.key_v3,
            _ => &self.key,
        }
    }

    pub fn key_mut(&mut self, f: crate::domain::profile::SecretField) -> &mut KeyForm {
        match f {
            crate::domain::profile::SecretField::ApiKeyV3 => &mut self.key_v3,
            _ => &mut self.key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
