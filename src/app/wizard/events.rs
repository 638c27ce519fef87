//! What the background work sends back: `handle` dispatches each [`Event`] to a
//! small method that ends its task, updates the parts and tells the user.
//! A result for a shop that is no longer open is dropped (the worker has saved
//! it already where that matters).

use crate::app::ops::OpError;
use crate::app::ops::import_bundle::{BundleImported, ImportBundleError};
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Wizard;
use super::notices::NoticeLevel;
use super::tasks::Task;
use crate::app::ops::push::{Preview, PushError, Report};
use crate::app::verify::CheckId;
use crate::app::worker::{Event, PickPurpose, ProfileOp};
use crate::domain::bundle::BundleReadError;
use crate::domain::cert::{ImportError, ImportedCert};
use crate::domain::profile::SecretField;
use crate::domain::secret::Secret;
use crate::domain::wxapi::Outcome;
use crate::services::file_picker::{PickError, PickResult};
use crate::services::profile_store::StorageError;
use crate::services::secret_store::StoreError;

impl Wizard {
    pub(super) fn handle(&mut self, ev: Event) {
        match ev {
            Event::SecretsLoaded {
                profile,
                result,
                password_kept,
            } => {
                if self.is_open(&profile) {
                    self.forms.push.password_kept = password_kept;
                }
                self.on_secrets_loaded(&profile, result)
            }
            Event::SecretStored {
                profile,
                field,
                generation,
                result,
            } => self.on_secret_stored(&profile, field, generation, result),
            Event::ProfileSaved(r) => self.on_profile_saved(r),
            Event::CertImported {
                profile,
                result,
                key_stored,
                refused,
            } => self.on_cert_imported(&profile, result, key_stored, refused),
            Event::Exported(r) => self.on_exported(r),
            Event::CheckDone {
                profile,
                id,
                results,
            } => self.on_check_done(&profile, id, results),
            Event::ProfileOpDone { op, result } => self.on_profile_op_done(op, result),
            Event::BundleInspected { path, result } => self.on_bundle_inspected(path, result),
            Event::BundleImported(r) => self.on_bundle_imported(r),
            Event::PushPreviewed { profile, result } => self.on_push_previewed(&profile, result),
            Event::Pushed { profile, result } => self.on_pushed(&profile, result),
            Event::ReportSaved(r) => self.on_report_saved(r),
            Event::CertFilesSaved(r) => self.on_cert_files_saved(r),
            Event::CertRequestDone {
                profile,
                saving_files,
                result,
            } => self.on_cert_request_done(&profile, saving_files, result),
            Event::WaitingRequest { profile, result } => self.on_waiting_request(&profile, result),
            Event::DoctorDone { fix, result } => self.on_doctor_done(fix, result),
            Event::ShopRows(rows) => {
                let pending = &mut self.forms.shops.rows_pending;
                *pending = pending.saturating_sub(1);
                if *pending == 0 {
                    self.tasks.finish(Task::ShopRows);
                }
                self.set_profile_rows(rows);
            }
            Event::Picked {
                purpose,
                generation,
                result,
            } => self.on_picked(purpose, generation, result),
        }
    }

    pub(super) fn is_open(&self, profile: &str) -> bool {
        profile == self.profile().name
    }

    /// Any keychain call's result tells whether the keychain works.
    pub(super) fn keychain_result<T>(&mut self, r: &Result<T, StoreError>) {
        if self.session.keychain_result(r) {
            // an earlier "keychain unavailable" notice is no longer true
            self.notices.withdraw("keychain.error.");
        }
    }

    fn on_secrets_loaded(
        &mut self,
        profile: &str,
        result: Result<BTreeMap<SecretField, Secret>, StoreError>,
    ) {
        self.keychain_result(&result);
        if !self.is_open(profile) {
            return;
        }
        self.session.secrets_load_ended();
        match result {
            Ok(map) => self.session.secrets_loaded(map),
            // unavailable / denied: the banner says so; anything else gets a notice
            Err(e @ StoreError::Other(_)) => self.notices.push(NoticeLevel::Error, &e),
            Err(_) => {}
        }
    }

    fn on_secret_stored(
        &mut self,
        profile: &str,
        field: SecretField,
        generation: u64,
        result: Result<(), StoreError>,
    ) {
        self.keychain_result(&result);
        if self.is_open(profile) {
            self.session.secret_stored(field, generation, result);
        }
    }

    fn on_profile_saved(&mut self, r: Result<(), StorageError>) {
        if r.is_ok() {
            self.notices.withdraw("notice.profile_not_saved");
            self.notices.withdraw("notice.profile_busy");
        }
        if let Err(StorageError::ChangedElsewhere { name }) = &r {
            // another window or a script saved this shop: show theirs, never mix
            let name = name.clone();
            self.session.profile_saved(Ok(()));
            if name == self.session.profile.name {
                self.reopen_profile();
                self.notices.push_key(
                    NoticeLevel::Warning,
                    "notice.shop_reloaded",
                    vec![("name", name)],
                );
            }
            return;
        }
        if let Some(e) = self.session.profile_saved(r) {
            if matches!(e, StorageError::Busy { .. }) {
                // another window or command is changing this shop: the edit is
                // kept and written again by itself (the session re-arms the save)
                let args = e.args();
                self.notices
                    .push_key(NoticeLevel::Warning, "notice.profile_busy", args);
                return;
            }
            let args = e.args();
            self.notices
                .push_key(NoticeLevel::Error, "notice.profile_not_saved", args);
        }
    }

    fn on_cert_imported(
        &mut self,
        profile: &str,
        result: Result<Box<ImportedCert>, ImportError>,
        key_stored: Option<Result<(), StoreError>>,
        refused: Vec<crate::domain::problem::Problem>,
    ) {
        if !self.is_open(profile) {
            return;
        }
        let tried = self.forms.cert_importing.take();
        let imported = match result {
            Err(e) => {
                // the last attempt's news replaces the earlier ones, and names its file
                self.withdraw_cert_news();
                let file = tried
                    .as_deref()
                    .and_then(|p| p.file_name())
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                use crate::i18n::{Arg, Message};
                self.notices.push(
                    NoticeLevel::Error,
                    &super::notices::Notice {
                        level: NoticeLevel::Error,
                        key: "notice.cert_import_failed".into(),
                        args: vec![
                            ("file", Arg::Text(file)),
                            ("reason", Arg::Nested(Message::key(&e), Message::args(&e))),
                        ],
                        since: std::time::Instant::now(),
                    },
                );
                self.tasks.import_done(Err(e));
                return;
            }
            Ok(imported) => *imported,
        };
        if !refused.is_empty() {
            // not taken in: nothing of it is stored, the certificate in use stays
            self.withdraw_cert_news();
            let source = std::path::Path::new(&imported.summary.source);
            let file = source
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| imported.summary.source.clone());
            self.notices.push_key(
                NoticeLevel::Error,
                "notice.cert_refused",
                vec![("count", refused.len().to_string()), ("file", file.clone())],
            );
            self.forms.cert_refused = Some(super::forms::CertRefusal {
                file,
                summary: imported.summary,
                problems: refused,
            });
            self.tasks.import_done(Ok(()));
            return;
        }
        if let Some(r) = &key_stored {
            self.keychain_result(r);
        }
        if let (Some(k), Some(stored)) = (imported.private_key, key_stored) {
            self.session.set_stored(SecretField::PrivateKey, k, stored);
        }
        let summary = imported.summary;
        if self.profile().mchid.trim().is_empty()
            && let Some(m) = &summary.mchid
        {
            self.session.profile.mchid = m.clone();
            self.notices.push_key(
                NoticeLevel::Info,
                "notice.mchid_from_cert",
                vec![("mchid", m.clone())],
            );
        }
        self.edit(|p| p.certificate = Some(summary));
        self.tasks.import_done(Ok(()));
        // the guide and the apply section fold, the page shows the details
        self.forms.apply.fold = true;
        self.forms.cert_arrived = true;
        self.forms.scroll_top = true;
        self.tell_cert_imported();
    }

    /// After a certificate came in (zip import or an accepted request): the
    /// toast follows the result, an earlier import's news is withdrawn.
    pub(super) fn tell_cert_imported(&mut self) {
        // an earlier import's result, failed, refused or not, is no longer the news
        self.withdraw_cert_news();
        // the toast follows the result: a certificate with problems is not a success
        let errors = self.cert_problems().iter().filter(|p| p.is_error()).count();
        if errors == 0 {
            self.notices
                .push_key(NoticeLevel::Success, "notice.cert_imported", vec![]);
        } else {
            self.notices.push_key(
                NoticeLevel::Warning,
                "notice.cert_imported_problems",
                vec![("count", errors.to_string())],
            );
        }
    }

    /// The notices of earlier certificate imports: each new attempt's news
    /// replaces them (trial m3: a refusal stayed red beside a good import).
    fn withdraw_cert_news(&mut self) {
        for key in [
            "import_error.",
            "notice.cert_imported",
            "notice.cert_refused",
            "notice.cert_import_failed",
        ] {
            self.notices.withdraw(key);
        }
    }

    /// Says where a file was written (`saved`, with `{path}`) or why not
    /// (`failed`, with `{reason}`).
    fn tell_file_result(&mut self, r: &Result<PathBuf, String>, saved: &str, failed: &str) {
        match r {
            Ok(path) => self.notices.push_key(
                NoticeLevel::Success,
                saved,
                vec![("path", path.display().to_string())],
            ),
            Err(e) => {
                self.notices
                    .push_key(NoticeLevel::Error, failed, vec![("reason", e.clone())])
            }
        }
    }

    fn on_exported(&mut self, r: Result<PathBuf, String>) {
        if r.is_ok() {
            self.notices.withdraw("notice.export_failed");
        }
        self.tell_file_result(&r, "notice.exported", "notice.export_failed");
        self.tasks.export_done(r);
    }

    fn on_check_done(
        &mut self,
        profile: &str,
        id: CheckId,
        results: Vec<(CheckId, String, Outcome)>,
    ) {
        if !self.is_open(profile) {
            return;
        }
        self.tasks.finish(Task::Check(id));
        let at = crate::app::now_rfc3339();
        self.edit(|p| {
            for (item, fingerprint, outcome) in results {
                if outcome.status != crate::domain::wxapi::Status::Skipped {
                    crate::domain::check::record(p, item, outcome, at.clone(), fingerprint);
                }
            }
        });
    }

    fn on_profile_op_done(&mut self, op: ProfileOp, result: Result<(), OpError>) {
        self.tasks.finish(Task::ProfileOp);
        match result {
            Err(e) => {
                let reason = self.tr().msg(&e);
                self.notices.push_key(
                    NoticeLevel::Error,
                    "shops.op_failed",
                    vec![("reason", reason)],
                )
            }
            Ok(()) => {
                let current = self.profile().name.clone();
                match &op {
                    ProfileOp::Rename { from, to } if *from == current => self.open_profile(to),
                    ProfileOp::Delete { name } if *name == current => {
                        self.refresh_profile_names();
                        match self.forms.shops.names.first().cloned() {
                            Some(n) => self.open_profile(&n),
                            None => {
                                let n = self.tr().t("profile.default_name").to_owned();
                                self.start_new_profile(&n);
                            }
                        }
                    }
                    _ => {}
                }
                let (key, name) = match op {
                    ProfileOp::Rename { to, .. } => ("shops.renamed", to),
                    ProfileOp::Duplicate { to, .. } => ("shops.duplicated", to),
                    ProfileOp::Delete { name } => ("shops.deleted", name),
                };
                self.notices
                    .push_key(NoticeLevel::Success, key, vec![("name", name)]);
            }
        }
        self.refresh_profile_rows();
    }

    fn on_doctor_done(
        &mut self,
        fix: bool,
        result: Result<crate::app::ops::profiles::Checkup, OpError>,
    ) {
        self.tasks.finish(Task::ProfileOp);
        match result {
            Err(e) => {
                let reason = self.tr().msg(&e);
                self.notices.push_key(
                    NoticeLevel::Error,
                    "shops.op_failed",
                    vec![("reason", reason)],
                )
            }
            Ok(found) if found.is_clean() => {
                self.notices
                    .push_key(NoticeLevel::Success, "shops.clean_up_nothing", Vec::new())
            }
            Ok(found) if fix => {
                let args = vec![
                    ("secrets", found.orphaned_secrets.len().to_string()),
                    ("files", found.leftover_files.len().to_string()),
                ];
                self.notices
                    .push_key(NoticeLevel::Success, "shops.clean_up_done", args);
                if !found.damaged_not_touched.is_empty() {
                    let names: Vec<String> = found
                        .damaged_not_touched
                        .iter()
                        .map(|k| format!("「{}」", crate::domain::text::printable(&k.name)))
                        .collect();
                    self.notices.push_key(
                        NoticeLevel::Warning,
                        "shops.clean_up_kept_notice",
                        vec![("names", names.join(" "))],
                    );
                }
            }
            Ok(found) => self.forms.shops.clean_up = Some(found),
        }
        self.refresh_profile_rows();
    }

    fn on_bundle_inspected(&mut self, path: PathBuf, result: Result<bool, BundleReadError>) {
        self.tasks.finish(Task::ProfileOp);
        match result {
            Ok(true) => self.forms.shops.bundle_prompt = Some((path, Secret::empty())),
            Ok(false) => self.import_bundle(path, None),
            Err(e) => self.notices.push(NoticeLevel::Error, &e),
        }
    }

    fn on_bundle_imported(&mut self, r: Result<BundleImported, ImportBundleError>) {
        self.tasks.finish(Task::ProfileOp);
        match r {
            Ok(done) => {
                self.notices.push_key(
                    NoticeLevel::Success,
                    "shops.imported",
                    vec![("name", done.name)],
                );
                self.refresh_profile_rows();
            }
            Err(e) => {
                // its own message, with its detail (a keychain failure says which)
                self.notices.push(NoticeLevel::Error, &e);
                self.notices
                    .push_key(NoticeLevel::Error, "import_bundle.nothing_written", vec![]);
            }
        }
    }

    fn on_push_previewed(&mut self, profile: &str, result: Result<Preview, PushError>) {
        self.tasks.finish(Task::Push);
        if profile != self.session.profile.name {
            return;
        }
        self.forms.push.password_missing = matches!(result, Err(PushError::NoPassword));
        self.forms.push.preview = Some(result);
        self.forms.push.answers += 1;
    }

    fn on_pushed(&mut self, profile: &str, result: Result<Report, PushError>) {
        if profile != self.session.profile.name {
            self.tasks.finish(Task::Push);
            return;
        }
        // the last push's result replaces the one before
        self.notices.withdraw("push.");
        self.notices.withdraw("backend.warning.");
        match &result {
            Ok(r) => {
                // stored and checked, with something to look at: amber, and what to
                // look at told with it (trial 3 minor 2)
                let level = match (r.ok(), r.warnings().is_empty()) {
                    (true, true) => NoticeLevel::Success,
                    (true, false) => NoticeLevel::Warning,
                    _ => NoticeLevel::Error,
                };
                self.notices.push(level, r);
                if r.ok() {
                    for w in r.warnings() {
                        self.notices.push(NoticeLevel::Warning, w);
                    }
                }
                // what was typed, accepted: the push kept it for this address only
                // (as the profile it saved records; this copy says the same)
                let here =
                    crate::domain::kept::origin(&self.profile().backend_url).unwrap_or_default();
                if !self.forms.push.password.is_empty() {
                    let here = here.clone();
                    self.edit(|p| p.backend_password_origin = here);
                }
                if std::mem::take(&mut self.forms.push.token_typed) {
                    self.edit(|p| p.backend_token_origin = here);
                }
                if r.calls.iter().any(|c| c.stored) {
                    // kept in the keychain by the push: the field need not hold it
                    if !self.forms.push.password.is_empty() {
                        self.forms.push.password_kept = true;
                    }
                    self.forms.push.password = Secret::default();
                }
                self.forms.push.preview = None;
                // said again after a reopen: sent there, then, and whether all of it held
                let last = crate::domain::profile::LastPush {
                    backend: r.backend.name().to_owned(),
                    at: crate::app::now_rfc3339(),
                    ok: r.ok(),
                    sent: std::mem::take(&mut self.forms.push.sending),
                    target: crate::domain::sent::target(self.profile()),
                    warnings: r.warnings().iter().map(|w| w.kept()).collect(),
                };
                // the other shops judge their own line by it (rows are re-read later)
                let own = self.profile().name.clone();
                if let Some(row) = self.forms.shops.rows.iter_mut().find(|r| r.name == own) {
                    row.last_push = Some(last.clone());
                }
                self.edit(|p| p.last_push = Some(last));
            }
            // the shop or the backend changed since the preview: show the new one
            Err(PushError::Changed) => self.forms.push.preview = None,
            Err(_) => {}
        }
        self.forms.push.password_missing = matches!(result, Err(PushError::NoPassword));
        if self.forms.push.password_missing {
            self.forms.push.password_kept = false;
        }
        self.forms.push.answers += 1;
        self.tasks.push_done(result);
    }

    fn on_report_saved(&mut self, r: Result<PathBuf, String>) {
        if r.is_ok() {
            self.notices.withdraw("verify.report_failed");
        }
        self.tell_file_result(&r, "verify.report_saved", "verify.report_failed");
        self.tasks.report_done(r);
    }

    fn on_cert_files_saved(&mut self, r: Result<PathBuf, String>) {
        self.notices.withdraw("summary.cert_files_");
        self.tell_file_result(&r, "summary.cert_files_saved", "summary.cert_files_failed");
        self.tasks.cert_files_done(r);
    }

    fn on_picked(&mut self, purpose: PickPurpose, generation: u64, result: PickResult) {
        let current = self.forms.path_prompt.as_ref().map(|p| p.generation);
        if current != Some(generation) {
            // a dialog the user gave up on (typed a path or closed the field)
            return;
        }
        self.tasks.finish(Task::Dialog);
        match result {
            Ok(Some(path)) => {
                self.forms.path_prompt = None;
                self.picked(purpose, path);
            }
            Ok(None) => self.forms.path_prompt = None,
            // the window says so beside the button and offers the path field
            Err(PickError::NoDialog) => {
                if let Some(p) = &mut self.forms.path_prompt {
                    p.failed = true;
                }
            }
        }
    }
}
