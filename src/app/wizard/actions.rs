//! The façade for what the user starts and the background finishes: file
//! dialogs, certificate import, export, the shops on the start page, bundle
//! import, the push to the shop backend, the online checks and the readiness
//! report. Each marks its task running in [`super::tasks`]; its result comes
//! back as an event ([`super::events`]).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::forms::{ExportForm, PathPrompt};
use super::tasks::{Busy, Task};
use super::{CheckView, Wizard};
use crate::app::push::{self, PushBlocker, PushResult};
use crate::app::verify::{self, CheckId};
use crate::app::worker::{Event, Job, PickPurpose, ProfileOp};
use crate::app::{now, now_rfc3339, profiles};
use crate::domain::bundle;
use crate::domain::cert::{CertSummary, ImportError};
use crate::domain::problem::Problem;
use crate::domain::profile::SecretField;
use crate::domain::secret::Secret;

impl Wizard {
    // ----- file dialogs ---------------------------------------------------------

    pub(super) fn open_dialog(&mut self, purpose: PickPurpose, default_name: String) {
        if !self.tasks.start(Task::Dialog) {
            return;
        }
        self.forms.dialog_generation += 1;
        let generation = self.forms.dialog_generation;
        let dir = self
            .forms
            .last_typed_dir
            .clone()
            .unwrap_or_else(|| self.worker.default_dir());
        let text = match purpose {
            PickPurpose::ExportBundle | PickPurpose::SaveReport => dir.join(&default_name),
            PickPurpose::ExportFolder
            | PickPurpose::CertFilesFolder
            | PickPurpose::CertUtilFolder => dir,
            _ => PathBuf::new(),
        };
        self.forms.path_prompt = Some(PathPrompt {
            purpose,
            generation,
            text: text.display().to_string(),
            default_name: default_name.clone(),
            failed: false,
            since: Instant::now(),
            error: None,
        });
        self.worker.pick(purpose, default_name, generation);
    }

    /// The path field offered for one of `purposes` (the dialog failed or is slow).
    pub fn path_prompt(&self, purposes: &[PickPurpose]) -> Option<&PathPrompt> {
        self.forms
            .path_prompt
            .as_ref()
            .filter(|p| purposes.contains(&p.purpose) && p.offered(Instant::now()))
    }

    pub fn set_path_prompt_text(&mut self, text: String) {
        if let Some(p) = &mut self.forms.path_prompt {
            if p.text != text {
                p.error = None;
            }
            p.text = text;
        }
    }

    /// Uses the typed path as if the dialog had answered it; the dialog, if it
    /// still answers later, is ignored. A save into a folder gets the default name.
    /// A save whose folder's parent does not exist is refused (a typo would
    /// otherwise make folders nobody asked for); the reason stays in the prompt.
    pub fn use_typed_path(&mut self) -> Result<(), Problem> {
        let r = self.take_typed_path();
        if let (Err(p), Some(prompt)) = (&r, &mut self.forms.path_prompt) {
            prompt.error = Some(p.clone());
        }
        r
    }

    fn take_typed_path(&mut self) -> Result<(), Problem> {
        let Some(prompt) = &self.forms.path_prompt else {
            return Ok(());
        };
        let text = prompt.text.trim().trim_matches('"');
        if text.is_empty() {
            return Err(Problem::error("path_empty"));
        }
        let mut path = PathBuf::from(text);
        let purpose = prompt.purpose;
        let saves_file = matches!(purpose, PickPurpose::ExportBundle | PickPurpose::SaveReport);
        let saves_folder = matches!(
            purpose,
            PickPurpose::ExportFolder | PickPurpose::CertFilesFolder | PickPurpose::CertUtilFolder
        );
        if saves_file && path.is_dir() {
            path = path.join(&prompt.default_name);
        }
        // a save may make the last folder, never the ones above it
        let must_exist = if (saves_folder && !path.is_dir()) || saves_file {
            path.parent()
        } else {
            None
        };
        if let Some(dir) = must_exist
            && !dir.as_os_str().is_empty()
            && !dir.is_dir()
        {
            return Err(Problem::error("path_no_folder").with("path", dir.display()));
        }
        // the next save's path field starts where this save went
        let folder = if saves_folder {
            Some(path.clone())
        } else if saves_file {
            path.parent().map(PathBuf::from)
        } else {
            None
        };
        if let Some(folder) = folder.filter(|f| !f.as_os_str().is_empty()) {
            self.forms.last_typed_dir = Some(folder);
        }
        self.forms.path_prompt = None;
        self.tasks.finish(Task::Dialog);
        self.picked(purpose, path);
        Ok(())
    }

    /// Closes the path field and stops waiting for the dialog.
    pub fn cancel_path_prompt(&mut self) {
        self.forms.path_prompt = None;
        self.tasks.finish(Task::Dialog);
    }

    /// Goes on with a path the dialog answered or the user typed.
    pub(super) fn picked(&mut self, purpose: PickPurpose, path: PathBuf) {
        match purpose {
            PickPurpose::CertZip | PickPurpose::CertFolder => self.import_cert(&path),
            PickPurpose::ExportBundle => self.export_to(path),
            PickPurpose::ImportBundle => self.inspect_bundle(path),
            PickPurpose::ExportFolder => self.export_format_to(path),
            PickPurpose::SaveReport => self.save_report_to(path),
            PickPurpose::CertFilesFolder => self.save_cert_files_to(path),
            PickPurpose::CertUtilFolder => self.save_cert_util_files_to(path),
        }
    }

    // ----- the two files the backend asks for ----------------------------------

    /// Both files are there to save: the certificate and its private key.
    pub fn can_save_cert_files(&self) -> bool {
        self.certificate()
            .is_some_and(|c| !c.certificate_pem.trim().is_empty())
            && self.has_secret(SecretField::PrivateKey)
    }

    /// Saving the two files: idle, running, or the folder / why it failed.
    pub fn cert_files(&self) -> Busy<&PathBuf, &String> {
        self.tasks.cert_files()
    }

    /// Asks for a folder, then saves apiclient_cert.pem and apiclient_key.pem
    /// there: the two files the shop backend's upload boxes want.
    pub fn start_save_cert_files(&mut self) {
        if self.can_save_cert_files() && !self.tasks.is_running(Task::CertFiles) {
            self.open_dialog(PickPurpose::CertFilesFolder, String::new());
        }
    }

    fn save_cert_files_to(&mut self, dir: PathBuf) {
        let Some(cert) = self.certificate().map(|c| c.certificate_pem.clone()) else {
            return;
        };
        let key = self.secret(SecretField::PrivateKey);
        self.tasks.start(Task::CertFiles);
        self.worker.spawn_task(move || {
            use crate::domain::backend_form::{CERT_FILE_NAME, KEY_FILE_NAME};
            use crate::services::profile_store::write_atomic;
            let key_path = dir.join(KEY_FILE_NAME);
            let result = write_atomic(&dir.join(CERT_FILE_NAME), &cert)
                .and_then(|()| write_atomic(&key_path, key.expose()))
                .map(|()| {
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        let private = std::fs::Permissions::from_mode(0o600);
                        let _ = std::fs::set_permissions(&key_path, private);
                    }
                    dir
                })
                .map_err(|e| e.to_string());
            Event::CertFilesSaved(result)
        });
    }

    pub fn dialog_open(&self) -> bool {
        self.tasks.is_running(Task::Dialog)
    }

    // ----- certificate ----------------------------------------------------------

    pub fn certificate(&self) -> Option<&CertSummary> {
        self.profile().certificate.as_ref()
    }

    pub fn cert_problems(&self) -> Vec<Problem> {
        crate::app::rules::cert_problems(self.profile(), now())
    }

    /// The certificate import: idle, running, or how the last one ended.
    pub fn import(&self) -> Busy<&(), &ImportError> {
        self.tasks.import()
    }

    /// Imports a WXCertUtil zip, its unpacked folder or a PEM file (in the
    /// background). When a certificate is imported already, asks first
    /// ([`Self::cert_replace`]): nothing is replaced until the user says so.
    pub fn import_cert(&mut self, path: &Path) {
        if self.certificate().is_some() {
            self.forms.cert_replace = Some(path.to_path_buf());
            return;
        }
        self.start_import_cert(path);
    }

    /// A file waiting for "replace the imported certificate?".
    pub fn cert_replace(&self) -> Option<&Path> {
        self.forms.cert_replace.as_deref()
    }

    pub fn confirm_replace_cert(&mut self) {
        if let Some(path) = self.forms.cert_replace.take() {
            self.start_import_cert(&path);
        }
    }

    pub fn cancel_replace_cert(&mut self) {
        self.forms.cert_replace = None;
    }

    fn start_import_cert(&mut self, path: &Path) {
        if !self.tasks.start(Task::ImportCert) {
            return;
        }
        self.worker.send(Job::ImportCert {
            profile: self.profile().name.clone(),
            path: path.to_path_buf(),
        });
    }

    pub fn pick_cert_zip(&mut self) {
        self.open_dialog(PickPurpose::CertZip, String::new());
    }

    pub fn pick_cert_folder(&mut self) {
        self.open_dialog(PickPurpose::CertFolder, String::new());
    }

    // ----- export ---------------------------------------------------------------

    pub fn export_form(&self) -> &ExportForm {
        &self.forms.export
    }

    pub fn export_form_mut(&mut self) -> &mut ExportForm {
        &mut self.forms.export
    }

    /// The export: idle, running, or where the last one went / why it failed.
    pub fn export(&self) -> Busy<&PathBuf, &String> {
        self.tasks.export()
    }

    pub fn export_problems(&self) -> Vec<Problem> {
        let form = &self.forms.export;
        // only the bundle encrypts; a stack config holds secrets in plain, by request
        if form.include_secrets && form.format.is_none() {
            bundle::check_passphrase(&form.passphrase, &form.confirm)
        } else {
            Vec::new()
        }
    }

    /// Asks where to save the bundle, then writes it (both off the UI thread).
    pub fn start_export(&mut self) {
        if self.tasks.is_running(Task::Export) || !self.export_problems().is_empty() {
            return;
        }
        if self.forms.export.format.is_some() {
            self.open_dialog(PickPurpose::ExportFolder, String::new());
        } else {
            let name = format!("wxpay-{}.zip", self.profile().name);
            self.open_dialog(PickPurpose::ExportBundle, name);
        }
    }

    pub fn export_to(&mut self, path: PathBuf) {
        if !self.export_problems().is_empty() {
            return;
        }
        self.flush();
        let form = &self.forms.export;
        let secrets = form
            .include_secrets
            .then(|| (self.session.secrets().clone(), form.passphrase.clone()));
        self.tasks.start(Task::Export);
        self.worker.send(Job::Export {
            path,
            profile: Box::new(self.profile().clone()),
            secrets,
        });
    }

    /// A stack format into the folder the user picked.
    pub(super) fn export_format_to(&mut self, dir: PathBuf) {
        let Some(format) = self.forms.export.format else {
            return;
        };
        self.flush();
        self.tasks.start(Task::Export);
        let secrets = self
            .forms
            .export
            .include_secrets
            .then(|| self.session.secrets().clone());
        self.worker.send(Job::ExportFormat {
            dir,
            format,
            profile: Box::new(self.profile().clone()),
            secrets,
        });
    }

    // ----- many shops (the start page) -------------------------------------------

    pub fn profile_rows(&self) -> &[profiles::ProfileRow] {
        &self.forms.shops.rows
    }

    /// Re-reads every profile file for the start page (small files; on demand).
    pub fn refresh_profile_rows(&mut self) {
        self.refresh_profile_names();
        let mut rows = profiles::rows(&self.profiles, now());
        // the open profile's file may be a moment behind (or not written yet):
        // its row comes from memory, without waiting for the worker
        let current = profiles::row(self.profile(), now());
        rows.retain(|r| r.name != current.name);
        rows.push(current);
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        self.forms.shops.rows = rows;
    }

    /// Looks for keychain entries no shop owns and leftover files; what is
    /// found waits for [`Wizard::confirm_clean_up`].
    pub fn start_clean_up(&mut self) {
        self.tasks.start(Task::ProfileOp);
        self.worker.send(Job::Doctor { fix: false });
    }

    /// What the clean-up found, to show before anything is removed.
    pub fn clean_up_found(&self) -> Option<&crate::app::ops::profiles::Checkup> {
        self.forms.shops.clean_up.as_ref()
    }

    /// Removes what the clean-up found (looked for again, under each shop's lock).
    pub fn confirm_clean_up(&mut self) {
        self.forms.shops.clean_up = None;
        self.tasks.start(Task::ProfileOp);
        self.worker.send(Job::Doctor { fix: true });
    }

    pub fn cancel_clean_up(&mut self) {
        self.forms.shops.clean_up = None;
    }

    pub fn profile_op_running(&self) -> bool {
        self.tasks.is_running(Task::ProfileOp)
    }

    fn check_new_name(&self, to: &str) -> Result<String, Problem> {
        crate::domain::profile::check_profile_name(to)?;
        let to = to.trim().to_owned();
        if self.profiles.exists(&to) {
            return Err(Problem::error("profile_name_taken"));
        }
        Ok(to)
    }

    pub fn rename_profile(&mut self, from: &str, to: &str) -> Result<(), Problem> {
        let to = self.check_new_name(to)?;
        // the worker runs jobs in order: these saves land before the operation reads
        self.flush();
        self.profile_op(ProfileOp::Rename {
            from: from.to_owned(),
            to,
        });
        Ok(())
    }

    pub fn duplicate_profile(&mut self, from: &str, to: &str) -> Result<(), Problem> {
        let to = self.check_new_name(to)?;
        // the worker runs jobs in order: these saves land before the operation reads
        self.flush();
        self.profile_op(ProfileOp::Duplicate {
            from: from.to_owned(),
            to,
        });
        Ok(())
    }

    pub fn delete_profile(&mut self, name: &str) {
        self.profile_op(ProfileOp::Delete {
            name: name.to_owned(),
        });
    }

    fn profile_op(&mut self, op: ProfileOp) {
        self.tasks.start(Task::ProfileOp);
        self.worker.send(Job::ProfileOp(op));
    }

    /// Opens a shop from the start page.
    pub fn open_shop(&mut self, name: &str) {
        self.switch_profile(name);
    }

    // ----- bundle import ----------------------------------------------------------

    pub fn start_import_bundle(&mut self) {
        self.open_dialog(PickPurpose::ImportBundle, String::new());
    }

    /// Asks the worker whether the bundle the user picked needs a passphrase.
    pub(super) fn inspect_bundle(&mut self, path: PathBuf) {
        self.tasks.start(Task::ProfileOp);
        self.worker.send(Job::InspectBundle { path });
    }

    /// Imports a bundle; `passphrase` when it holds secrets.
    pub fn import_bundle(&mut self, path: PathBuf, passphrase: Option<Secret>) {
        self.forms.shops.bundle_prompt = None;
        self.tasks.start(Task::ProfileOp);
        self.worker.send(Job::ImportBundle { path, passphrase });
    }

    /// A bundle waiting for its passphrase, and what the user typed so far.
    pub fn bundle_prompt(&self) -> Option<&(PathBuf, Secret)> {
        self.forms.shops.bundle_prompt.as_ref()
    }

    /// What the user typed into the passphrase prompt (if one is open).
    pub fn set_bundle_passphrase(&mut self, pass: Secret) {
        if let Some((_, p)) = &mut self.forms.shops.bundle_prompt {
            *p = pass;
        }
    }

    pub fn cancel_bundle_prompt(&mut self) {
        self.forms.shops.bundle_prompt = None;
    }

    // ----- push to the shop backend ----------------------------------------------

    pub fn set_backend(&mut self, url: &str, preset: crate::domain::push::BackendPreset) {
        // a password inside the address would be saved in the profile file in plain
        // text: it is taken out as it is typed, and the page says why
        let clean = crate::services::wechat_http::without_userinfo(url);
        if clean.is_some() {
            self.forms.push.credentials_dropped = true;
        }
        let url = clean.as_deref().unwrap_or(url);
        let p = self.profile();
        if p.backend_url != url || p.backend_preset != preset {
            let preset_changed = p.backend_preset != preset;
            self.edit(|p| {
                p.backend_url = url.to_owned();
                p.backend_preset = preset;
            });
            if preset_changed {
                self.forms.push.load(&self.session.profile);
            }
        }
    }

    /// A user and password typed into the backend address were taken out.
    pub fn backend_credentials_dropped(&self) -> bool {
        self.forms.push.credentials_dropped
    }

    /// Reads the push mapping again (a custom mapping file may have changed):
    /// when the user opens the preview, not while it is drawn.
    pub fn reload_push_mapping(&mut self) {
        self.forms.push.load(&self.session.profile);
    }

    /// What a push would send, secrets masked.
    pub fn push_preview(&self) -> Result<Vec<(String, String)>, String> {
        let mapping = self.forms.push.mapping().map_err(str::to_owned)?;
        Ok(crate::domain::push::preview(
            &crate::domain::push::build_parts(self.profile(), self.session.secrets(), mapping),
        ))
    }

    /// Problems that stop a push before it is tried.
    pub fn push_blockers(&self) -> Vec<PushBlocker> {
        push::blockers(
            &self.profile().backend_url,
            self.has_secret(SecretField::BackendToken),
        )
    }

    /// The push: idle, running, or the last one's result.
    pub fn push(&self) -> Busy<&PushResult, &Infallible> {
        self.tasks.push()
    }

    /// Sends after the user confirmed the preview; runs in the background.
    pub fn confirm_push(&mut self) {
        if self.tasks.is_running(Task::Push) || !self.push_blockers().is_empty() {
            return;
        }
        let Ok(mapping) = self.forms.push.mapping() else {
            return;
        };
        let parts =
            crate::domain::push::build_parts(self.profile(), self.session.secrets(), mapping);
        self.flush();
        let url = self.profile().backend_url.clone();
        let token = self.secret(SecretField::BackendToken);
        self.tasks.start(Task::Push);
        self.worker.spawn_task(move || {
            let result = match crate::services::wechat_http::HttpClient::new() {
                Ok(http) => push::push(&http, &url, token.expose(), &parts),
                Err(e) => PushResult {
                    outcome: crate::domain::push::PushOutcome::Failed {
                        code: "push_other",
                        detail: e.to_string(),
                    },
                    attempts: 0,
                    idempotency_key: String::new(),
                },
            };
            Event::Pushed(result)
        });
    }

    // ----- online checks --------------------------------------------------------

    pub fn applicable_checks(&self) -> Vec<CheckId> {
        verify::applicable(self.profile())
    }

    /// Runs these checks, each on its own thread (so they run concurrently and
    /// the window keeps painting); results arrive as events.
    pub fn run_checks(&mut self, ids: &[CheckId]) {
        self.flush();
        for &id in ids {
            if !id.applies(self.profile()) || !self.tasks.start(Task::Check(id)) {
                continue;
            }
            let profile = self.profile().clone();
            let secrets = self.session.secrets().clone();
            let wechat = self.wechat.clone();
            self.worker.spawn_task(move || {
                let fingerprint = verify::fingerprint(id, &profile, &secrets);
                let outcome =
                    verify::run_check(id, &profile, &secrets, wechat.http.as_ref(), &wechat.urls);
                Event::CheckDone {
                    profile: profile.name.clone(),
                    id,
                    fingerprint,
                    outcome,
                }
            });
        }
    }

    pub fn check_view(&self, id: CheckId) -> CheckView {
        if self.tasks.is_running(Task::Check(id)) {
            return CheckView::Running;
        }
        match self.profile().checks.get(&id) {
            None => CheckView::NotRun,
            Some(record) => CheckView::Done {
                // not judged while the shop's secrets are still loading
                stale: !self.session.secrets_loading()
                    && record.fingerprint
                        != verify::fingerprint(id, self.profile(), self.session.secrets()),
                record: record.clone(),
            },
        }
    }

    /// The results that still describe the values as they are now (not stale),
    /// counted by what they prove.
    pub fn check_tally(&self) -> crate::domain::wxapi::Tally {
        let current =
            self.applicable_checks()
                .into_iter()
                .filter_map(|id| match self.check_view(id) {
                    CheckView::Done {
                        record,
                        stale: false,
                    } => Some(record.outcome.status),
                    _ => None,
                });
        crate::domain::wxapi::Tally::of(current)
    }

    /// "This computer's clock is N minutes off", read from the `Date` of the
    /// replies behind the latest results; shown before any of them.
    pub fn clock_warning(&self) -> Option<crate::domain::wxapi::Outcome> {
        let applicable = self.applicable_checks();
        crate::domain::wxapi::clock::clock_outcome(
            self.profile()
                .checks
                .iter()
                .filter(|(id, _)| applicable.contains(id))
                .map(|(_, r)| r.outcome.clock_skew_secs),
        )
    }

    // ----- the readiness report ---------------------------------------------------

    /// Saving the report: idle, running, or where it went / why it failed.
    pub fn report(&self) -> Busy<&PathBuf, &String> {
        self.tasks.report()
    }

    /// The readiness report as self-contained HTML, in the current language.
    pub fn report_html(&self) -> String {
        use crate::domain::backend_form::FormValue;
        use crate::domain::readiness::{ReportInput, render};
        let tr = self.tr();
        let secrets_set: std::collections::BTreeSet<SecretField> = SecretField::ALL
            .into_iter()
            .filter(|f| self.has_secret(*f))
            .collect();
        let row_problems = |v: FormValue| -> Option<String> {
            let p = match v {
                FormValue::Field(f) => self.field_problems(f).into_iter().find(|p| p.is_error()),
                FormValue::CertificateFile => match self.certificate() {
                    None => Some(Problem::error("cert_missing")),
                    Some(_) => self.cert_problems().into_iter().find(|p| p.is_error()),
                },
                FormValue::PrivateKeyFile => (!self.has_secret(SecretField::PrivateKey))
                    .then(|| Problem::error("key_missing")),
            };
            p.map(|p| tr.msg(&p))
        };
        let missing = self
            .all_missing()
            .iter()
            .map(|m| {
                (
                    format!(
                        "{}: {}",
                        tr.t(&format!("step.{}.nav", m.step.key())),
                        tr.msg(&m.problem)
                    ),
                    m.problem.is_error(),
                )
            })
            .collect();
        let checks = self
            .applicable_checks()
            .into_iter()
            .map(|id| {
                let name = tr.t(&format!("check.id.{}", id.key())).to_owned();
                match self.check_view(id) {
                    CheckView::Done { record, stale } => (
                        name,
                        record.outcome.status,
                        match &record.outcome.wechat {
                            Some(words) => format!(
                                "{} {}",
                                tr.msg(&record.outcome),
                                tr.tf("verify.wechat_words", &[("words", words.to_string())])
                            ),
                            None => tr.msg(&record.outcome),
                        },
                        record.at.clone(),
                        stale,
                    ),
                    _ => (
                        name,
                        crate::domain::wxapi::Status::Skipped,
                        tr.t("verify.never").to_owned(),
                        String::new(),
                        false,
                    ),
                }
            })
            .collect();
        let generated_at = now_rfc3339();
        render(
            tr,
            &ReportInput {
                profile: self.profile(),
                secrets_set: &secrets_set,
                row_problems: &row_problems,
                missing,
                checks,
                generated_at: &generated_at,
            },
        )
    }

    pub fn start_save_report(&mut self) {
        if !self.tasks.is_running(Task::Report) {
            let name = format!("wxpay-report-{}.html", self.profile().name);
            self.open_dialog(PickPurpose::SaveReport, name);
        }
    }

    /// Writes the report where the user chose (in the background).
    pub(super) fn save_report_to(&mut self, path: PathBuf) {
        self.tasks.start(Task::Report);
        let html = self.report_html();
        self.worker.send(Job::SaveReport { path, html });
    }
}
