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
use crate::app::push::PushResult;
use crate::app::verify::{CheckId, CheckRecord};
use crate::app::worker::{Event, PickPurpose, ProfileOp};
use crate::domain::bundle::BundleReadError;
use crate::domain::cert::{ImportError, ImportedCert};
use crate::domain::profile::SecretField;
use crate::domain::push::PushOutcome;
use crate::domain::secret::Secret;
use crate::domain::wxapi::Outcome;
use crate::services::file_picker::{PickError, PickResult};
use crate::services::profile_store::StorageError;
use crate::services::secret_store::StoreError;

impl Wizard {
    pub(super) fn handle(&mut self, ev: Event) {
        match ev {
            Event::SecretsLoaded { profile, result } => self.on_secrets_loaded(&profile, result),
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
            } => self.on_cert_imported(&profile, result, key_stored),
            Event::Exported(r) => self.on_exported(r),
            Event::CheckDone {
                profile,
                id,
                fingerprint,
                outcome,
            } => self.on_check_done(&profile, id, fingerprint, outcome),
            Event::ProfileOpDone { op, result } => self.on_profile_op_done(op, result),
            Event::BundleInspected { path, result } => self.on_bundle_inspected(path, result),
            Event::BundleImported(r) => self.on_bundle_imported(r),
            Event::Pushed(result) => self.on_pushed(result),
            Event::ReportSaved(r) => self.on_report_saved(r),
            Event::CertFilesSaved(r) => self.on_cert_files_saved(r),
            Event::CertRequestDone {
                profile,
                saving_files,
                result,
            } => self.on_cert_request_done(&profile, saving_files, result),
            Event::WaitingRequest { profile, result } => self.on_waiting_request(&profile, result),
            Event::DoctorDone { fix, result } => self.on_doctor_done(fix, result),
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
    ) {
        if !self.is_open(profile) {
            return;
        }
        let imported = match result {
            Err(e) => {
                self.notices.push(NoticeLevel::Error, &e);
                self.tasks.import_done(Err(e));
                return;
            }
            Ok(imported) => *imported,
        };
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
        self.tell_cert_imported();
    }

    /// After a certificate came in (zip import or an accepted request): the
    /// toast follows the result, an earlier import's news is withdrawn.
    pub(super) fn tell_cert_imported(&mut self) {
        // an earlier import's result, failed or not, is no longer the news
        self.notices.withdraw("import_error.");
        self.notices.withdraw("notice.cert_imported");
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

    fn on_check_done(&mut self, profile: &str, id: CheckId, fingerprint: String, outcome: Outcome) {
        if !self.is_open(profile) {
            return;
        }
        self.tasks.finish(Task::Check(id));
        let at = crate::app::now_rfc3339();
        self.edit(|p| {
            p.checks.insert(
                id,
                CheckRecord {
                    outcome,
                    at,
                    fingerprint,
                },
            );
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

    fn on_pushed(&mut self, result: PushResult) {
        let level = match &result.outcome {
            PushOutcome::Accepted => NoticeLevel::Success,
            PushOutcome::Failed { .. } | PushOutcome::Retry(_) => NoticeLevel::Error,
        };
        // the last push's result replaces the one before
        self.notices.withdraw("push.");
        self.notices.push(level, &result.outcome);
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
