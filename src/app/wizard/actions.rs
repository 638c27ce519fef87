//! The façade for what the user starts and the background finishes: file
//! dialogs, certificate import, export, the shops on the start page, bundle
//! import, the push to the shop backend, the online checks and the readiness
//! report. Each marks its task running in [`super::tasks`]; its result comes
//! back as an event ([`super::events`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::forms::{ExportForm, PathPrompt};
use super::tasks::{Busy, Task};
use super::{CheckView, Wizard};
use crate::app::ops::push::{Overrides, Preview, PushError, Report};
use crate::app::ops::{self, Ctx, Lazy};
use crate::app::push::{self, PushBlocker};
use crate::app::verify::{self, CheckId};
use crate::app::worker::{Event, Job, PickPurpose, ProfileOp};
use crate::app::{now, now_rfc3339, profiles};
use crate::domain::bundle;
use crate::domain::cert::{CertSummary, ImportError};
use crate::domain::problem::Problem;
use crate::domain::profile::SecretField;
use crate::domain::secret::Secret;
use crate::services::backend_http::{BackendClient, BackendHttp};
use crate::services::wechat_http::NetError;

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
            PickPurpose::ExportBundle | PickPurpose::SaveReport => {
                dir.join(&default_name).display().to_string()
            }
            PickPurpose::ExportFolder
            | PickPurpose::CertFilesFolder
            | PickPurpose::CertUtilFolder => dir.display().to_string(),
            // a file to open: what was typed last time, to correct rather than
            // type again (trial m17)
            PickPurpose::CertZip | PickPurpose::CertFolder | PickPurpose::ImportBundle => {
                self.forms.last_typed_open.clone().unwrap_or_default()
            }
        };
        self.forms.path_prompt = Some(PathPrompt {
            purpose,
            generation,
            text,
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
            if matches!(
                p.purpose,
                PickPurpose::CertZip | PickPurpose::CertFolder | PickPurpose::ImportBundle
            ) {
                self.forms.last_typed_open = Some(text.clone());
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
    /// A usable certificate and its key are there: one that fails its checks
    /// is not offered to the backend nor saved as if in use.
    pub fn can_save_cert_files(&self) -> bool {
        self.certificate()
            .is_some_and(|c| !c.certificate_pem.trim().is_empty())
            && self.cert_usable()
            && self.has_secret(SecretField::PrivateKey)
    }

    /// The shop's certificate passes its checks (it may be used).
    pub fn cert_usable(&self) -> bool {
        self.certificate().is_some()
            && crate::domain::cert::report::is_usable(&self.cert_problems())
    }

    /// The last certificate read was refused: which file, what it holds, why.
    pub fn cert_refused(&self) -> Option<&super::forms::CertRefusal> {
        self.forms.cert_refused.as_ref()
    }

    /// Once after a certificate came in: the page folds its guide and the
    /// apply section and goes to its top, where the details follow.
    pub fn take_cert_arrived(&mut self) -> bool {
        std::mem::take(&mut self.forms.cert_arrived)
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
        // a new attempt: the last refusal is no longer the news
        self.forms.cert_refused = None;
        self.forms.cert_importing = Some(path.to_path_buf());
        self.worker.send(Job::ImportCert {
            profile: self.profile().name.clone(),
            path: path.to_path_buf(),
            mchid: self.profile().mchid.clone(),
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
    /// A shop's results are judged against its secrets, which the worker reads
    /// from the keychain: until it answers, a row says its results are being
    /// read rather than showing a verdict that may no longer hold.
    pub fn refresh_profile_rows(&mut self) {
        self.refresh_profile_names();
        let rows = profiles::rows(&self.profiles, now(), &|_| None);
        self.set_profile_rows(rows);
        self.forms.shops.rows_pending += 1;
        self.tasks.start(Task::ShopRows);
        self.worker.send(Job::ShopRows);
    }

    /// The start page's rows are being read (their results are not judged yet).
    pub fn profile_rows_reading(&self) -> bool {
        self.tasks.is_running(Task::ShopRows)
    }

    /// The rows as read, with the open shop's from memory: its file may be a
    /// moment behind, and its secrets are at hand.
    pub(super) fn set_profile_rows(&mut self, mut rows: Vec<profiles::ProfileRow>) {
        let secrets = (!self.session.secrets_loading()).then(|| self.session.secrets());
        let current = profiles::row(self.profile(), secrets, now());
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
        let to = crate::domain::profile::normalize_profile_name(to);
        // `s1` beside `S1`, `café` typed two ways: one file on Windows
        if crate::services::profile_store::ProfileRepo::taken(&self.profiles, &to).is_some() {
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

    /// The backend address as typed, and which system the shop runs (asked once:
    /// the fields step and the push read it from the profile).
    pub fn set_backend(&mut self, url: &str, preset: crate::domain::backend_kind::BackendPreset) {
        // a password inside the address would be saved in the profile file in plain
        // text: it is taken out as it is typed, and the page says why
        let clean = crate::services::wechat_http::without_userinfo(url);
        if clean.is_some() {
            self.forms.push.credentials_dropped = true;
        }
        let url = clean.as_deref().unwrap_or(url);
        let p = self.profile();
        if p.backend_url != url || p.backend_preset != preset {
            self.edit(|p| {
                p.backend_url = url.to_owned();
                p.backend_preset = preset;
            });
            self.forms.push.preview = None;
        }
    }

    /// The admin account the push logs in with.
    pub fn set_backend_account(&mut self, account: &str) {
        let account = account.trim();
        if self.profile().backend_account != account {
            self.edit(|p| p.backend_account = account.to_owned());
            self.forms.push.preview = None;
        }
    }

    /// A user and password typed into the backend address were taken out.
    pub fn backend_credentials_dropped(&self) -> bool {
        self.forms.push.credentials_dropped
    }

    /// The admin password as typed (kept in memory; in the keychain once a push
    /// the backend accepted used it).
    pub fn push_password(&self) -> &Secret {
        &self.forms.push.password
    }

    /// How many answers (previews, results) the backend gave in this session:
    /// the page brings a new one into view once.
    pub fn push_answers(&self) -> u64 {
        self.forms.push.answers
    }

    /// An admin password is kept in the keychain (an earlier push kept it).
    pub fn push_password_kept(&self) -> bool {
        self.forms.push.password_kept
    }

    pub fn set_push_password(&mut self, pw: Secret) {
        self.forms.push.password = pw;
        self.forms.push.password_missing = false;
    }

    /// Problems that stop a push before it is tried.
    pub fn push_blockers(&self) -> Vec<PushBlocker> {
        use push::Have;
        let f = &self.forms.push;
        // a kept password counts only at the address it was accepted at; whether one
        // is kept is read when the shop opens (else a try tells: the form asks for
        // one once a try said there is none)
        let password = if !f.password.is_empty() {
            Have::Typed
        } else if f.password_kept {
            Have::Kept
        } else if f.password_missing {
            Have::Nothing
        } else {
            Have::Unknown
        };
        let token = if !self.has_secret(SecretField::BackendToken) {
            Have::Nothing
        } else if f.token_typed {
            Have::Typed
        } else {
            Have::Kept
        };
        let mut b = push::blockers(self.profile(), token, password);
        // a typed token is checked as one from a file is (third CLI trial minor 2)
        let generic = self.profile().backend_preset.kind()
            == Some(crate::domain::backend_kind::BackendKind::Generic);
        if generic && self.has_secret(SecretField::BackendToken) {
            let token = self.secret(SecretField::BackendToken);
            if let Err(problem) = crate::app::ops::push::check_token(token.expose()) {
                b.push(PushBlocker::BadToken(problem));
            }
        }
        b
    }

    /// The generic receiver's token as typed: kept in the keychain as the other
    /// secrets are, and sent to the address of this push (once accepted there, it
    /// is kept for that address only).
    pub fn set_push_token(&mut self, token: Secret) {
        self.set_secret(SecretField::BackendToken, token);
        self.forms.push.token_typed = true;
    }

    /// The last preview: what the backend holds and what it will hold.
    pub fn push_preview(&self) -> Option<&Result<Preview, PushError>> {
        self.forms.push.preview.as_ref()
    }

    pub fn close_push_preview(&mut self) {
        self.forms.push.preview = None;
    }

    /// The last push sent: running, or its report.
    pub fn push(&self) -> Busy<&Report, &PushError> {
        self.tasks.push()
    }

    /// The push's context, for a task beside the worker: the profile folder, the
    /// keychain and the shop backend (no WeChat HTTP).
    fn push_ctx(&self) -> Ctx {
        let provider = self.secrets.clone();
        Ctx {
            profiles: std::sync::Arc::new(self.profiles.clone()),
            secrets: Lazy::new(move || provider()),
            http: Lazy::new(|| Err(NetError::Other("no WeChat HTTP for the push".into()))),
            urls: Err(NetError::Other("no WeChat HTTP for the push".into())),
            backend: Lazy::new(|| {
                BackendClient::new()
                    .map(|c| std::sync::Arc::new(c) as std::sync::Arc<dyn BackendHttp>)
            }),
        }
    }

    /// Runs `op` beside the worker once every save sent before has been written:
    /// the push reads the shop from its file, under its lock.
    fn spawn_push(&mut self, op: impl FnOnce(&Ctx, &str, Overrides) -> Event + Send + 'static) {
        self.flush();
        let (saved, wait) = std::sync::mpsc::channel();
        self.worker.send(Job::Barrier(saved));
        let ctx = self.push_ctx();
        let name = self.profile().name.clone();
        let password = self.forms.push.password.clone();
        // a token typed in this session is given as typed (for this address); a kept
        // one is read by the push, which sends it only to the address it belongs to
        let token = (self.forms.push.token_typed
            && self.profile().backend_preset.kind()
                == Some(crate::domain::backend::BackendKind::Generic))
        .then(|| self.secret(SecretField::BackendToken))
        .filter(|t| !t.is_empty());
        self.worker.spawn_task(move || {
            let _ = wait.recv_timeout(std::time::Duration::from_secs(10));
            let o = Overrides {
                password: (!password.is_empty()).then_some(password),
                token,
                ..Default::default()
            };
            op(&ctx, &name, o)
        });
    }

    /// Logs in and reads what the backend holds: the preview. Changes nothing.
    pub fn start_push_preview(&mut self) {
        if !self.push_blockers().is_empty() || !self.tasks.start(Task::Push) {
            return;
        }
        self.forms.push.preview = None;
        self.tasks.forget_push();
        self.spawn_push(|ctx, name, o| Event::PushPreviewed {
            profile: name.to_owned(),
            result: ops::push::preview(ctx, name, o),
        });
    }

    /// Sends what the preview showed (or says it changed meanwhile).
    pub fn confirm_push(&mut self) {
        let Some(Ok(p)) = &self.forms.push.preview else {
            return;
        };
        if !p.plan.needs.is_empty() || !self.tasks.start(Task::Push) {
            return;
        }
        let expected = p.fingerprint.clone();
        self.forms.push.sending =
            crate::domain::sent::fingerprint(self.profile(), self.session.secrets());
        self.spawn_push(move |ctx, name, o| Event::Pushed {
            profile: name.to_owned(),
            result: ops::push::send(ctx, name, o, &expected),
        });
    }

    // ----- online checks --------------------------------------------------------

    pub fn applicable_checks(&self) -> Vec<CheckId> {
        verify::applicable(self.profile())
    }

    /// Runs these checks, each on its own thread (so they run concurrently and
    /// the window keeps painting); results arrive as events. A binding item
    /// runs its pay check, whose reply gives both.
    pub fn run_checks(&mut self, ids: &[CheckId]) {
        self.flush();
        for id in ids.iter().map(|id| id.runs_with()) {
            if !id.applies(self.profile()) || !self.tasks.start(Task::Check(id)) {
                continue;
            }
            let profile = self.profile().clone();
            let secrets = self.session.secrets().clone();
            let wechat = self.wechat.clone();
            self.worker.spawn_task(move || {
                let results =
                    verify::run_check(id, &profile, &secrets, wechat.http.as_ref(), &wechat.urls)
                        .into_iter()
                        .map(|(item, outcome)| {
                            (item, verify::fingerprint(item, &profile, &secrets), outcome)
                        })
                        .collect();
                Event::CheckDone {
                    profile: profile.name.clone(),
                    id,
                    results,
                }
            });
        }
    }

    pub fn check_view(&self, id: CheckId) -> CheckView {
        if self.tasks.is_running(Task::Check(id.runs_with())) {
            return CheckView::Running;
        }
        if !self.session.secrets_loading()
            && let Some(code) =
                crate::domain::check::not_needed(id, self.profile(), self.session.secrets())
        {
            return CheckView::NotNeeded(crate::domain::wxapi::Outcome::new(
                crate::domain::wxapi::Status::Skipped,
                code,
            ));
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

    /// The values a check still lacks before it can run (`check::missing`, as
    /// field ids); none for a check not needed here, whose button runs its
    /// binding item alone.
    pub fn check_lacks(&self, id: CheckId) -> Vec<&'static str> {
        let (p, s) = (self.profile(), self.session.secrets());
        if crate::domain::check::not_needed(id.runs_with(), p, s).is_some() {
            return Vec::new();
        }
        crate::domain::check::missing(id, p, s)
    }

    /// Whether the merchant confirmed this binding item (for the AppID and
    /// MCHID as they are now).
    pub fn binding_confirmed(&self, id: CheckId) -> bool {
        crate::domain::check::confirmed(id, self.profile())
    }

    /// The merchant ticks (or unticks) "I saw 已关联 in the merchant platform".
    pub fn set_binding_confirmed(&mut self, id: CheckId, on: bool) {
        if self.binding_confirmed(id) != on {
            self.edit(|p| crate::domain::check::set_confirmed(p, id, on));
        }
    }

    /// When this check last passed on the same values, if its latest result
    /// is "could not check" (RFC 3339).
    pub fn passed_before(&self, id: CheckId) -> Option<String> {
        crate::domain::check::passed_before(self.profile(), id).map(str::to_owned)
    }

    /// The remembered results counted by what they prove; one whose values
    /// changed since counts as "check again" (the rule of `check::tally`), a
    /// binding the merchant confirmed as their confirmation.
    pub fn check_tally(&self) -> crate::domain::wxapi::Tally {
        let mut stale = 0;
        let current: Vec<_> = self
            .applicable_checks()
            .into_iter()
            .filter_map(|id| match self.check_view(id) {
                CheckView::Done {
                    record,
                    stale: false,
                } => Some((id, record.outcome.status)),
                CheckView::Done { stale: true, .. } => {
                    stale += 1;
                    None
                }
                _ => None,
            })
            .collect();
        crate::domain::wxapi::Tally {
            stale,
            ..crate::domain::check::tally_of(self.profile(), current)
        }
    }

    /// What is still open though nothing is wrong (a binding to confirm, a
    /// value no reply proves): the line under the checks names it rather than
    /// saying every check passed (the rule of `check::StillOpen`).
    pub fn still_open(&self) -> crate::domain::check::StillOpen {
        crate::domain::check::StillOpen::of(self.applicable_checks().into_iter().filter_map(|id| {
            match self.check_view(id) {
                CheckView::Done {
                    record,
                    stale: false,
                } => Some((
                    id,
                    record.outcome.status,
                    crate::domain::check::confirmed(id, self.profile()),
                )),
                _ => None,
            }
        }))
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
        let row_status = |v: FormValue| self.row_status(v);
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
                        {
                            let mut text = tr.msg(&record.outcome);
                            if let Some(words) = &record.outcome.wechat {
                                text.push(' ');
                                text.push_str(
                                    &tr.tf("verify.wechat_words", &[("words", words.to_string())]),
                                );
                            }
                            // "could not check" keeps the earlier pass, as the window does
                            if let Some(at) = self.passed_before(id) {
                                text.push(' ');
                                text.push_str(&tr.tf(
                                    "verify.passed_before",
                                    &[("time", crate::app::local_time::show(&at))],
                                ));
                            }
                            text
                        },
                        // as the window shows it: local time, to the minute
                        crate::app::local_time::show(&record.at),
                        stale,
                    ),
                    CheckView::NotNeeded(outcome) => {
                        (name, outcome.status, tr.msg(&outcome), String::new(), false)
                    }
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
        let confirmed = self
            .applicable_checks()
            .into_iter()
            .filter(|id| id.merchant_confirms() && self.binding_confirmed(*id))
            .map(|id| tr.t(&format!("check.id.{}", id.key())).to_owned())
            .collect();
        let generated_at = crate::app::local_time::show(&now_rfc3339());
        render(
            tr,
            &ReportInput {
                profile: self.profile(),
                secrets_set: &secrets_set,
                row_status: &row_status,
                missing,
                checks,
                confirmed,
                generated_at: &generated_at,
                form_warnings: self
                    .form_warnings()
                    .iter()
                    .map(|k| tr.t(k).to_owned())
                    .collect(),
                // marked as the window marks it: ✓ only while it holds
                last_push: self
                    .last_push_line()
                    .map(|(state, line)| (state == crate::domain::sent::PushState::Sent, line)),
            },
        )
    }

    /// What the last push says of the shop as it is now (`sent::state`): `None`
    /// when never sent, or while the secrets it is judged against are read.
    pub fn push_state(
        &self,
    ) -> Option<(
        crate::domain::sent::PushState,
        &crate::domain::profile::LastPush,
    )> {
        use crate::domain::sent::PushState;
        if self.session.secrets_loading() {
            return None;
        }
        let (state, last) = crate::domain::sent::state(self.profile(), self.session.secrets())?;
        if matches!(state, PushState::Sent | PushState::SentWarned)
            && self.push_overwritten_by().is_some()
        {
            return Some((PushState::Overwritten, last));
        }
        Some((state, last))
    }

    /// Another shop sent later to the backend of this shop's last push (by the
    /// start page's rows, every shop's record): its name and time.
    pub fn push_overwritten_by(&self) -> Option<(String, String)> {
        let last = self.profile().last_push.as_ref()?;
        let own = &self.profile().name;
        crate::domain::sent::overwritten_by(
            last,
            self.forms
                .shops
                .rows
                .iter()
                .filter(|r| &r.name != own)
                .filter_map(|r| Some((r.name.as_str(), r.last_push.as_ref()?))),
        )
    }

    /// "Sent to likeadmin, <time>" (or that the last push no longer holds, and
    /// why), as the summary and the report say it.
    pub fn last_push_line(&self) -> Option<(crate::domain::sent::PushState, String)> {
        let tr = self.tr();
        let (state, last) = self.push_state()?;
        let mut args = vec![
            (
                "backend",
                tr.t(&format!("backend.kind.{}", last.backend)).to_owned(),
            ),
            ("time", crate::app::local_time::show(&last.at)),
        ];
        if let Some((shop, at)) = self.push_overwritten_by() {
            args.push(("shop", shop));
            args.push(("other_time", crate::app::local_time::show(&at)));
        }
        let mut line = tr.tf(crate::domain::sent::line_key(state), &args);
        if state == crate::domain::sent::PushState::SentWarned {
            for w in self.push_warnings() {
                line.push('\n');
                line.push_str(&tr.msg(&w));
            }
        }
        Some((state, line))
    }

    /// The warnings the last push record kept (what to look at), as the push
    /// showed them.
    pub fn push_warnings(&self) -> Vec<crate::domain::backend::Warning> {
        let Some(last) = &self.profile().last_push else {
            return Vec::new();
        };
        let Some(kind) = crate::domain::backend::BackendKind::ALL
            .into_iter()
            .find(|k| k.name() == last.backend)
        else {
            return Vec::new();
        };
        last.warnings
            .iter()
            .filter_map(|w| crate::domain::backend::Warning::from_kept(kind, w))
            .collect()
    }

    /// The hand-fill form of the shop system chosen (likeadmin's own pages; the
    /// guide's backend for the others), on the summary and in the report.
    pub fn hand_form(&self) -> Vec<crate::domain::backend_form::FormPage> {
        crate::domain::backend_form::hand_form(
            self.profile().backend_preset.kind(),
            self.profile().site_kind_or_default(),
        )
    }

    /// What the summary's check column says of one value (trial M2): its format
    /// error; else what WeChat's current replies say of it (`check::verdict`,
    /// the rule of the shops list and the tally); nothing is judged stale
    /// while the shop's secrets are still loading.
    pub fn row_status(
        &self,
        v: crate::domain::backend_form::FormValue,
    ) -> crate::domain::readiness::RowStatus {
        use crate::domain::backend_form::FormValue;
        use crate::domain::check::ValueVerdict;
        use crate::domain::readiness::RowStatus;
        let problems = match v {
            FormValue::Field(f) => self.field_problems(f),
            FormValue::CertificateFile => match self.certificate() {
                None => vec![Problem::error("cert_missing")],
                Some(_) => self.cert_problems(),
            },
            FormValue::PrivateKeyFile if !self.has_secret(SecretField::PrivateKey) => {
                vec![Problem::error("key_missing")]
            }
            FormValue::PrivateKeyFile => Vec::new(),
        };
        let verdict = if self.session.secrets_loading() {
            ValueVerdict::Unchecked
        } else {
            crate::domain::check::verdict(v, self.profile(), self.session.secrets())
        };
        match RowStatus::of(&problems, verdict) {
            // the time as the window shows times: local, to the minute
            RowStatus::PassedBefore(at) => {
                RowStatus::PassedBefore(crate::app::local_time::show(&at))
            }
            status => status,
        }
    }

    /// The checks reading values entered on `step` whose current result is
    /// WeChat's "wrong": that step claims no ✓ while WeChat refuses (trial M2).
    pub fn refused_on(&self, step: crate::domain::profile::Step) -> Vec<CheckId> {
        use crate::domain::profile::Step;
        let ids: &[CheckId] = match step {
            // a binding is made on the merchant-number step
            Step::MerchantNumber => &[CheckId::BindingMp, CheckId::BindingOa],
            Step::Fields => &CheckId::ALL,
            Step::Certificate => &[CheckId::V3Certificates],
            _ => &[],
        };
        ids.iter()
            .copied()
            .filter(|id| {
                matches!(
                    self.check_view(*id),
                    CheckView::Done { ref record, stale: false }
                        if record.outcome.status == crate::domain::wxapi::Status::Fail
                )
            })
            .collect()
    }

    /// The warnings (i18n keys) that go with the backend's form, on the
    /// summary page and in the report alike: the guide's backend has its two
    /// upload boxes labelled the wrong way round, so the files go by the names
    /// in brackets (likeadmin takes the files' text in boxes named plainly).
    pub fn form_warnings(&self) -> Vec<&'static str> {
        if self.hand_form().iter().any(|p| p.pastes_files) {
            Vec::new()
        } else {
            vec!["summary.swapped"]
        }
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
