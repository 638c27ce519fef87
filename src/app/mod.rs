//! The wizard's state machine, unrelated to drawing: which steps apply, what is
//! complete, what is missing and why; edits with autosave; background work and
//! its results. The GUI reads and edits this; the CLI uses the same services.

pub mod journey;
pub mod ops;
pub mod profiles;
pub mod push;
pub mod rules;
pub mod verify;
pub mod worker;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::cert::{CertSummary, ImportError};
use crate::domain::fields::FieldId;
use crate::domain::problem::Problem;
use crate::domain::profile::{MerchantPath, Prerequisite, Profile, SecretField, SiteKind, Step};
use crate::domain::secret::Secret;
use crate::domain::{bundle, keygen};
use crate::i18n::{Lang, Tr};
use crate::services::file_picker::FilePicker;
use crate::services::profile_store::{ProfileStore, Settings, StorageError};
use crate::services::secret_store::StoreError;
use crate::services::wechat_http::{BaseUrls, NetError, WeChatHttp};
pub use rules::Missing;
use verify::{CheckId, CheckRecord};
use worker::{Event, Job, PickPurpose, SecretStoreProvider, Waker, Worker};

/// Typing pauses this long before the profile file is written.
pub const PROFILE_SAVE_DELAY: Duration = Duration::from_millis(300);
/// ... and before a secret goes to the keychain (one D-Bus round trip per save).
pub const SECRET_SAVE_DELAY: Duration = Duration::from_millis(500);
const MAX_NOTICES: usize = 4;

pub struct Services {
    pub secrets: SecretStoreProvider,
    pub profiles: ProfileStore,
    pub picker: Arc<dyn FilePicker>,
    pub wechat: WeChatAccess,
}

/// How the online checks reach WeChat (a local server in tests).
#[derive(Clone)]
pub struct WeChatAccess {
    pub http: Arc<dyn WeChatHttp>,
    pub urls: Result<BaseUrls, NetError>,
}

/// What the GUI shows for one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckView {
    NotRun,
    Running,
    Done { record: CheckRecord, stale: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeychainState {
    Connecting,
    Ready,
    Unavailable(StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSync {
    Saved,
    Pending { since: Instant },
    Saving,
    Failed(StoreError),
}

#[derive(Debug)]
pub enum Busy<T, E> {
    Idle,
    Running,
    Done(T),
    Failed(E),
}

impl<T, E> Busy<T, E> {
    pub fn is_running(&self) -> bool {
        matches!(self, Busy::Running)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Success,
    Warning,
    Error,
}

/// A message to show the user; localized when drawn, so switching language works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub key: String,
    pub args: Vec<(&'static str, String)>,
}

/// The export form on the summary page.
#[derive(Default)]
pub struct ExportForm {
    /// `None`: the encrypted bundle; else one of the stack formats, into a folder.
    pub format: Option<crate::domain::export::Format>,
    pub include_secrets: bool,
    pub passphrase: Secret,
    pub confirm: Secret,
}

pub struct Wizard {
    profiles: ProfileStore,
    worker: Worker,
    settings: Settings,
    profile: Profile,
    profile_names: Vec<String>,
    secrets: BTreeMap<SecretField, Secret>,
    sync: BTreeMap<SecretField, SecretSync>,
    generations: BTreeMap<SecretField, u64>,
    keychain: KeychainState,
    last_edit: Option<Instant>,
    profile_save_error: Option<StorageError>,
    pub import: Busy<(), ImportError>,
    pub export: Busy<PathBuf, String>,
    pub export_form: ExportForm,
    dialog_open: bool,
    notices: Vec<Notice>,
    wechat: WeChatAccess,
    running_checks: std::collections::BTreeSet<CheckId>,
    pub report: Busy<PathBuf, String>,
    profile_rows: Vec<profiles::ProfileRow>,
    profile_op_running: bool,
    /// A bundle that needs its passphrase, and what the user typed so far.
    pub bundle_prompt: Option<(PathBuf, Secret)>,
    pub push: Busy<push::PushResult, String>,
}

impl Wizard {
    pub fn new(services: Services, waker: Waker) -> Wizard {
        let settings = services.profiles.load_settings();
        let wechat = services.wechat.clone();
        let worker = Worker::spawn(
            services.secrets,
            services.profiles.clone(),
            services.picker,
            waker,
        );
        let mut w = Wizard {
            profiles: services.profiles,
            worker,
            settings,
            profile: Profile::default(),
            profile_names: Vec::new(),
            secrets: BTreeMap::new(),
            sync: BTreeMap::new(),
            generations: BTreeMap::new(),
            keychain: KeychainState::Connecting,
            last_edit: None,
            profile_save_error: None,
            import: Busy::Idle,
            export: Busy::Idle,
            export_form: ExportForm::default(),
            dialog_open: false,
            notices: Vec::new(),
            wechat,
            running_checks: Default::default(),
            report: Busy::Idle,
            profile_rows: Vec::new(),
            profile_op_running: false,
            bundle_prompt: None,
            push: Busy::Idle,
        };
        w.refresh_profile_names();
        let start = w
            .settings
            .last_profile
            .clone()
            .filter(|n| w.profile_names.contains(n))
            .or_else(|| w.profile_names.first().cloned());
        match start {
            Some(name) => w.open_profile(&name),
            None => {
                let name = w.tr().t("profile.default_name").to_owned();
                w.start_new_profile(&name);
            }
        }
        w
    }

    // ----- language -------------------------------------------------------------

    pub fn lang(&self) -> Lang {
        self.settings.lang.unwrap_or_else(Lang::from_system)
    }

    pub fn tr(&self) -> Tr {
        Tr(self.lang())
    }

    pub fn set_lang(&mut self, lang: Lang) {
        if self.settings.lang != Some(lang) {
            self.settings.lang = Some(lang);
            self.worker.send(Job::SaveSettings(self.settings.clone()));
        }
    }

    // ----- profiles -------------------------------------------------------------

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn profile_names(&self) -> &[String] {
        &self.profile_names
    }

    fn refresh_profile_names(&mut self) {
        self.profile_names = self.profiles.list().unwrap_or_default();
    }

    fn open_profile(&mut self, name: &str) {
        match self.profiles.load(name) {
            Ok(p) => self.profile = p,
            Err(e) => {
                self.notify(NoticeLevel::Error, "notice.profile_damaged", e.args());
                self.profile = Profile::new(name);
            }
        }
        self.after_profile_change();
    }

    fn start_new_profile(&mut self, name: &str) {
        self.profile = Profile::new(name);
        self.touch();
        self.after_profile_change();
        // write it now, so it is listed and survives a crash before the first edit
        self.worker
            .send(Job::SaveProfile(Box::new(self.profile.clone())));
        self.last_edit = None;
        if !self.profile_names.contains(&self.profile.name) {
            self.profile_names.push(self.profile.name.clone());
            self.profile_names.sort();
        }
    }

    fn after_profile_change(&mut self) {
        self.running_checks.clear();
        self.report = Busy::Idle;
        self.secrets.clear();
        self.sync.clear();
        self.import = Busy::Idle;
        self.export = Busy::Idle;
        self.export_form = ExportForm::default();
        self.settings.last_profile = Some(self.profile.name.clone());
        self.worker.send(Job::SaveSettings(self.settings.clone()));
        self.worker.send(Job::LoadSecrets {
            profile: self.profile.name.clone(),
        });
    }

    /// Saves everything of the current profile, then opens another.
    pub fn switch_profile(&mut self, name: &str) {
        if name == self.profile.name {
            return;
        }
        self.flush();
        self.open_profile(name);
    }

    pub fn create_profile(&mut self, name: &str) -> Result<(), Problem> {
        crate::domain::profile::check_profile_name(name)?;
        let name = name.trim();
        if self.profile_names.iter().any(|n| n == name) || self.profiles.exists(name) {
            return Err(Problem::error("profile_name_taken"));
        }
        self.flush();
        self.start_new_profile(name);
        Ok(())
    }

    // ----- steps ----------------------------------------------------------------

    pub fn step(&self) -> Step {
        self.profile.step
    }

    /// Every step after the first needs a WeChat-verified mini program.
    pub fn can_visit(&self, step: Step) -> bool {
        step == Step::Prerequisite || self.profile.prerequisite == Some(Prerequisite::Verified)
    }

    pub fn go_to(&mut self, step: Step) {
        if self.can_visit(step) && self.profile.step != step {
            self.profile.step = step;
            self.touch();
        }
    }

    pub fn next(&mut self) {
        if let Some(s) = self.step().next() {
            self.go_to(s);
        }
    }

    pub fn back(&mut self) {
        if let Some(s) = self.step().prev() {
            self.go_to(s);
        }
    }

    pub fn step_missing(&self, step: Step) -> Vec<Missing> {
        rules::step_missing(&self.profile, &self.secrets, step, now())
    }

    pub fn step_complete(&self, step: Step) -> bool {
        self.step_missing(step).is_empty()
    }

    /// Everything that still keeps the configuration from being complete.
    pub fn all_missing(&self) -> Vec<Missing> {
        let mut all = rules::all_missing(&self.profile, &self.secrets, now());
        for (field, state) in &self.sync {
            if let SecretSync::Failed(e) = state {
                all.push(Missing {
                    step: Step::Fields,
                    field: None,
                    problem: Problem::error("secret_not_saved")
                        .with("field", field.key())
                        .with("reason", e.detail()),
                });
            }
        }
        all
    }

    // ----- the journey's choices ------------------------------------------------

    pub fn set_prerequisite(&mut self, p: Prerequisite) {
        if self.profile.prerequisite != Some(p) {
            self.profile.prerequisite = Some(p);
            self.touch();
        }
    }

    pub fn set_merchant_path(&mut self, p: MerchantPath) {
        if self.profile.merchant_path != Some(p) {
            self.profile.merchant_path = Some(p);
            self.touch();
        }
    }

    pub fn is_checked(&self, id: &str) -> bool {
        self.profile.checklist_done.contains(id)
    }

    pub fn set_checked(&mut self, id: &str, done: bool) {
        let changed = if done {
            self.profile.checklist_done.insert(id.to_owned())
        } else {
            self.profile.checklist_done.remove(id)
        };
        if changed {
            self.touch();
        }
    }

    pub fn set_site_kind(&mut self, k: SiteKind) {
        if self.profile.site_kind != Some(k) {
            self.profile.site_kind = Some(k);
            self.touch();
        }
    }

    pub fn set_jsapi_enabled(&mut self, on: bool) {
        if self.profile.jsapi_enabled != on {
            self.profile.jsapi_enabled = on;
            self.touch();
        }
    }

    /// "Continue later": everything is saved now; reopening lands on this step.
    pub fn continue_later(&mut self) {
        self.flush();
        self.notify(NoticeLevel::Success, "notice.saved_for_later", vec![]);
    }

    // ----- fields ---------------------------------------------------------------

    pub fn text(&self, f: FieldId) -> &str {
        match f {
            FieldId::PaymentName => &self.profile.payment_name,
            FieldId::MpAppId => &self.profile.mp_appid,
            FieldId::MchId => &self.profile.mchid,
            FieldId::OaAppId => &self.profile.oa_appid,
            _ => "",
        }
    }

    pub fn set_text(&mut self, f: FieldId, value: &str) {
        let slot = match f {
            FieldId::PaymentName => &mut self.profile.payment_name,
            FieldId::MpAppId => &mut self.profile.mp_appid,
            FieldId::MchId => &mut self.profile.mchid,
            FieldId::OaAppId => &mut self.profile.oa_appid,
            other => {
                debug_assert!(false, "{other:?} is a secret field");
                return;
            }
        };
        if slot != value {
            *slot = value.to_owned();
            self.touch();
        }
    }

    pub fn secret(&self, f: SecretField) -> Secret {
        self.secrets.get(&f).cloned().unwrap_or_default()
    }

    pub fn has_secret(&self, f: SecretField) -> bool {
        self.secrets.get(&f).is_some_and(|s| !s.is_empty())
    }

    pub fn secret_sync(&self, f: SecretField) -> Option<&SecretSync> {
        self.sync.get(&f)
    }

    /// A secret the user typed: kept in memory, sent to the keychain shortly after
    /// the typing stops (never to a file).
    pub fn set_secret(&mut self, f: SecretField, value: Secret) {
        if self.secrets.get(&f) == Some(&value) {
            return;
        }
        self.secrets.insert(f, value);
        self.sync.insert(
            f,
            SecretSync::Pending {
                since: Instant::now(),
            },
        );
    }

    /// Fills the APIv2 key field with a fresh strong key and returns it (to copy).
    pub fn generate_api_key(&mut self) -> Secret {
        let key = keygen::generate_api_key();
        self.set_secret(SecretField::ApiKeyV2, key.clone());
        key
    }

    pub fn field_problems(&self, f: FieldId) -> Vec<Problem> {
        rules::field_problems(&self.profile, &self.secrets, f)
    }

    // ----- certificate ----------------------------------------------------------

    pub fn certificate(&self) -> Option<&CertSummary> {
        self.profile.certificate.as_ref()
    }

    pub fn cert_problems(&self) -> Vec<Problem> {
        rules::cert_problems(&self.profile, now())
    }

    /// Imports a WXCertUtil zip, its unpacked folder or a PEM file (in the background).
    pub fn import_cert(&mut self, path: &Path) {
        if self.import.is_running() {
            return;
        }
        self.import = Busy::Running;
        self.worker.send(Job::ImportCert {
            profile: self.profile.name.clone(),
            path: path.to_path_buf(),
        });
    }

    pub fn pick_cert_zip(&mut self) {
        self.open_dialog(PickPurpose::CertZip, String::new());
    }

    pub fn pick_cert_folder(&mut self) {
        self.open_dialog(PickPurpose::CertFolder, String::new());
    }

    fn open_dialog(&mut self, purpose: PickPurpose, default_name: String) {
        if !self.dialog_open {
            self.dialog_open = true;
            self.worker.pick(purpose, default_name);
        }
    }

    pub fn dialog_open(&self) -> bool {
        self.dialog_open
    }

    // ----- export ---------------------------------------------------------------

    pub fn export_problems(&self) -> Vec<Problem> {
        // only the bundle encrypts; a stack config holds secrets in plain, by request
        if self.export_form.include_secrets && self.export_form.format.is_none() {
            bundle::check_passphrase(&self.export_form.passphrase, &self.export_form.confirm)
        } else {
            Vec::new()
        }
    }

    /// Asks where to save the bundle, then writes it (both off the UI thread).
    pub fn start_export(&mut self) {
        if self.export.is_running() || !self.export_problems().is_empty() {
            return;
        }
        if self.export_form.format.is_some() {
            self.open_dialog(PickPurpose::ExportFolder, String::new());
        } else {
            let name = format!("wxpay-{}.zip", self.profile.name);
            self.open_dialog(PickPurpose::ExportBundle, name);
        }
    }

    pub fn export_to(&mut self, path: PathBuf) {
        if !self.export_problems().is_empty() {
            return;
        }
        self.flush();
        let secrets = self
            .export_form
            .include_secrets
            .then(|| (self.secrets.clone(), self.export_form.passphrase.clone()));
        self.export = Busy::Running;
        self.worker.send(Job::Export {
            path,
            profile: Box::new(self.profile.clone()),
            secrets,
        });
    }

    // ----- many shops (the start page) -------------------------------------------

    pub fn profile_rows(&self) -> &[profiles::ProfileRow] {
        &self.profile_rows
    }

    /// Re-reads every profile file for the start page (small files; on demand).
    pub fn refresh_profile_rows(&mut self) {
        self.refresh_profile_names();
        self.profile_rows = profiles::rows(&self.profiles, now());
        // the open profile's file may be a moment behind (or not written yet):
        // its row comes from memory, without waiting for the worker
        let current = profiles::row(&self.profile, now());
        self.profile_rows.retain(|r| r.name != current.name);
        self.profile_rows.push(current);
        self.profile_rows.sort_by(|a, b| a.name.cmp(&b.name));
    }

    pub fn profile_op_running(&self) -> bool {
        self.profile_op_running
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
        self.profile_op(worker::ProfileOp::Rename {
            from: from.to_owned(),
            to,
        });
        Ok(())
    }

    pub fn duplicate_profile(&mut self, from: &str, to: &str) -> Result<(), Problem> {
        let to = self.check_new_name(to)?;
        // the worker runs jobs in order: these saves land before the operation reads
        self.flush();
        self.profile_op(worker::ProfileOp::Duplicate {
            from: from.to_owned(),
            to,
        });
        Ok(())
    }

    pub fn delete_profile(&mut self, name: &str) {
        self.profile_op(worker::ProfileOp::Delete {
            name: name.to_owned(),
        });
    }

    fn profile_op(&mut self, op: worker::ProfileOp) {
        self.profile_op_running = true;
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

    /// Imports a bundle; `passphrase` when it holds secrets.
    pub fn import_bundle(&mut self, path: PathBuf, passphrase: Option<Secret>) {
        self.bundle_prompt = None;
        self.profile_op_running = true;
        self.worker.send(Job::ImportBundle { path, passphrase });
    }

    // ----- push to the shop backend ----------------------------------------------

    pub fn set_backend(&mut self, url: &str, preset: crate::domain::push::BackendPreset) {
        if self.profile.backend_url != url || self.profile.backend_preset != preset {
            self.profile.backend_url = url.to_owned();
            self.profile.backend_preset = preset;
            self.touch();
        }
    }

    fn push_mapping(&self) -> Result<crate::domain::push::Mapping, String> {
        ops::push::mapping_of(&self.profile).map_err(|e| e.reason)
    }

    /// What a push would send, secrets masked.
    pub fn push_preview(&self) -> Result<Vec<(String, String)>, String> {
        let mapping = self.push_mapping()?;
        Ok(crate::domain::push::preview(
            &crate::domain::push::build_parts(&self.profile, &self.secrets, &mapping),
        ))
    }

    /// Problems that stop a push before it is tried.
    pub fn push_blockers(&self) -> Vec<&'static str> {
        let mut b = Vec::new();
        if crate::services::wechat_http::check_base_url(&self.profile.backend_url).is_err() {
            b.push("push.insecure_url");
        }
        if !self.has_secret(SecretField::BackendToken) {
            b.push("push.no_token");
        }
        b
    }

    /// Sends after the user confirmed the preview; runs in the background.
    pub fn confirm_push(&mut self) {
        if self.push.is_running() || !self.push_blockers().is_empty() {
            return;
        }
        let Ok(mapping) = self.push_mapping() else {
            return;
        };
        self.flush();
        let parts = crate::domain::push::build_parts(&self.profile, &self.secrets, &mapping);
        let url = self.profile.backend_url.clone();
        let token = self.secret(SecretField::BackendToken);
        self.push = Busy::Running;
        // the same HTTP as the checks: a fake in tests, one client in the app
        let http = self.wechat.http.clone();
        self.worker.spawn_task(move || {
            Event::Pushed(push::push(http.as_ref(), &url, token.expose(), &parts))
        });
    }

    // ----- online checks --------------------------------------------------------

    pub fn applicable_checks(&self) -> Vec<CheckId> {
        verify::applicable(&self.profile)
    }

    /// Runs these checks, each on its own thread (so they run concurrently and
    /// the window keeps painting); results arrive as events.
    pub fn run_checks(&mut self, ids: &[CheckId]) {
        self.flush();
        for &id in ids {
            if !id.applies(&self.profile) || !self.running_checks.insert(id) {
                continue;
            }
            let profile = self.profile.clone();
            let secrets = self.secrets.clone();
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
        if self.running_checks.contains(&id) {
            return CheckView::Running;
        }
        match self.profile.checks.get(&id) {
            None => CheckView::NotRun,
            Some(record) => CheckView::Done {
                stale: record.fingerprint != verify::fingerprint(id, &self.profile, &self.secrets),
                record: record.clone(),
            },
        }
    }

    pub fn set_public_key(&mut self, id: &str, pem: &str) {
        if self.profile.public_key_id != id || self.profile.public_key_pem != pem {
            self.profile.public_key_id = id.to_owned();
            self.profile.public_key_pem = pem.to_owned();
            self.touch();
        }
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
            p.map(|p| tr.problem(&p))
        };
        let missing = self
            .all_missing()
            .iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    tr.t(&format!("step.{}.nav", m.step.key())),
                    tr.problem(&m.problem)
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
                        tr.outcome(&record.outcome),
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
                profile: &self.profile,
                secrets_set: &secrets_set,
                row_problems: &row_problems,
                missing,
                checks,
                generated_at: &generated_at,
            },
        )
    }

    pub fn start_save_report(&mut self) {
        if !self.report.is_running() {
            let name = format!("wxpay-report-{}.html", self.profile.name);
            self.open_dialog(PickPurpose::SaveReport, name);
        }
    }

    // ----- keychain -------------------------------------------------------------

    pub fn keychain(&self) -> &KeychainState {
        &self.keychain
    }

    /// After the user started or unlocked their keychain: load and save again.
    pub fn retry_keychain(&mut self) {
        self.keychain = KeychainState::Connecting;
        self.worker.send(Job::LoadSecrets {
            profile: self.profile.name.clone(),
        });
        for s in self.sync.values_mut() {
            if matches!(s, SecretSync::Failed(_)) {
                *s = SecretSync::Pending {
                    since: Instant::now() - SECRET_SAVE_DELAY,
                };
            }
        }
    }

    fn keychain_result<T>(&mut self, r: &Result<T, StoreError>) {
        self.keychain = match r {
            Ok(_) => {
                // an earlier "keychain unavailable" notice is no longer true
                self.notices
                    .retain(|n| !n.key.starts_with("keychain.error."));
                KeychainState::Ready
            }
            Err(e @ (StoreError::Unavailable(_) | StoreError::Denied(_))) => {
                KeychainState::Unavailable(e.clone())
            }
            Err(_) => return,
        };
    }

    // ----- notices --------------------------------------------------------------

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    pub fn dismiss_notice(&mut self, i: usize) {
        if i < self.notices.len() {
            self.notices.remove(i);
        }
    }

    fn notify(&mut self, level: NoticeLevel, key: &str, args: Vec<(&'static str, String)>) {
        self.notices.push(Notice {
            level,
            key: key.to_owned(),
            args,
        });
        if self.notices.len() > MAX_NOTICES {
            self.notices.remove(0);
        }
    }

    // ----- the loop -------------------------------------------------------------

    fn touch(&mut self) {
        self.profile.updated_at = now_rfc3339();
        self.last_edit = Some(Instant::now());
    }

    /// Is anything waiting (a save, a job, a dialog)? The GUI then keeps ticking.
    pub fn busy(&self) -> bool {
        self.last_edit.is_some()
            || self.dialog_open
            || self.import.is_running()
            || self.export.is_running()
            || self.keychain == KeychainState::Connecting
            || !self.running_checks.is_empty()
            || self.profile_op_running
            || self.push.is_running()
            || self.report.is_running()
            || self
                .sync
                .values()
                .any(|s| matches!(s, SecretSync::Pending { .. } | SecretSync::Saving))
    }

    /// What `busy` is waiting for (for test failure messages and bug reports).
    pub fn busy_reasons(&self) -> String {
        format!(
            "last_edit={:?} dialog={} import={} export={} keychain={:?} checks={:?} report={} sync={:?}",
            self.last_edit,
            self.dialog_open,
            self.import.is_running(),
            self.export.is_running(),
            self.keychain,
            self.running_checks,
            self.report.is_running(),
            self.sync
        )
    }

    /// Handles finished background work and runs due autosaves. Cheap: call every frame.
    pub fn tick(&mut self, now: Instant) {
        while let Some(ev) = self.worker.try_recv() {
            self.handle(ev);
        }
        if self
            .last_edit
            .is_some_and(|t| now.duration_since(t) >= PROFILE_SAVE_DELAY)
        {
            self.save_profile_now();
        }
        let due: Vec<SecretField> = self
            .sync
            .iter()
            .filter_map(|(f, s)| match s {
                SecretSync::Pending { since }
                    if now.duration_since(*since) >= SECRET_SAVE_DELAY =>
                {
                    Some(*f)
                }
                _ => None,
            })
            .collect();
        for f in due {
            self.store_secret_now(f);
        }
    }

    fn save_profile_now(&mut self) {
        self.last_edit = None;
        self.worker
            .send(Job::SaveProfile(Box::new(self.profile.clone())));
    }

    fn store_secret_now(&mut self, f: SecretField) {
        let generation = self.generations.entry(f).or_default();
        *generation += 1;
        let generation = *generation;
        self.sync.insert(f, SecretSync::Saving);
        self.worker.send(Job::StoreSecret {
            profile: self.profile.name.clone(),
            field: f,
            value: self
                .secrets
                .get(&f)
                .map(Secret::trimmed)
                .unwrap_or_default(),
            generation,
        });
    }

    /// Sends every pending save now (before switching profile, exporting, quitting).
    pub fn flush(&mut self) {
        if self.last_edit.is_some() {
            self.save_profile_now();
        }
        let pending: Vec<SecretField> = self
            .sync
            .iter()
            .filter(|(_, s)| matches!(s, SecretSync::Pending { .. }))
            .map(|(f, _)| *f)
            .collect();
        for f in pending {
            self.store_secret_now(f);
        }
    }

    /// At exit: flush and wait (bounded) until the worker has written everything.
    pub fn shutdown(&mut self) {
        self.flush();
        self.worker.wait_idle(Duration::from_secs(10));
        while let Some(ev) = self.worker.try_recv() {
            self.handle(ev);
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::SecretsLoaded { profile, result } => {
                self.keychain_result(&result);
                if profile != self.profile.name {
                    return;
                }
                match result {
                    Ok(map) => {
                        for (f, v) in map {
                            // what the user typed meanwhile wins over the stored value
                            if !self.sync.contains_key(&f)
                                || self.sync.get(&f) == Some(&SecretSync::Saved)
                            {
                                self.secrets.insert(f, v);
                                self.sync.insert(f, SecretSync::Saved);
                            }
                        }
                    }
                    // unavailable / denied: the banner says so; anything else gets a notice
                    Err(StoreError::Other(detail)) => self.notify(
                        NoticeLevel::Error,
                        "keychain.error.other",
                        vec![("detail", detail)],
                    ),
                    Err(_) => {}
                }
            }
            Event::SecretStored {
                profile,
                field,
                generation,
                result,
            } => {
                self.keychain_result(&result);
                if profile != self.profile.name || self.generations.get(&field) != Some(&generation)
                {
                    return;
                }
                if matches!(self.sync.get(&field), Some(SecretSync::Pending { .. })) {
                    return; // edited again meanwhile: the next save decides
                }
                match result {
                    Ok(()) => {
                        self.sync.insert(field, SecretSync::Saved);
                    }
                    Err(e) => {
                        self.sync.insert(field, SecretSync::Failed(e));
                    }
                }
            }
            Event::ProfileSaved(r) => match r {
                Ok(()) => self.profile_save_error = None,
                Err(e) => {
                    if self.profile_save_error.is_none() {
                        self.notify(NoticeLevel::Error, "notice.profile_not_saved", e.args());
                    }
                    self.profile_save_error = Some(e);
                }
            },
            Event::CertImported {
                profile,
                result,
                key_stored,
            } => {
                if profile != self.profile.name {
                    return;
                }
                match result {
                    Err(e) => {
                        self.notify(
                            NoticeLevel::Error,
                            &format!("import_error.{}", e.code()),
                            e.args(),
                        );
                        self.import = Busy::Failed(e);
                    }
                    Ok(imported) => {
                        let imported = *imported;
                        if let Some(r) = &key_stored {
                            self.keychain_result(r);
                        }
                        match (&imported.private_key, key_stored) {
                            (Some(k), Some(Ok(()))) => {
                                self.secrets.insert(SecretField::PrivateKey, k.clone());
                                self.sync.insert(SecretField::PrivateKey, SecretSync::Saved);
                            }
                            (Some(k), Some(Err(e))) => {
                                self.secrets.insert(SecretField::PrivateKey, k.clone());
                                self.sync
                                    .insert(SecretField::PrivateKey, SecretSync::Failed(e));
                            }
                            _ => {}
                        }
                        let summary = imported.summary;
                        if self.profile.mchid.trim().is_empty()
                            && let Some(m) = &summary.mchid
                        {
                            self.profile.mchid = m.clone();
                            self.notify(
                                NoticeLevel::Info,
                                "notice.mchid_from_cert",
                                vec![("mchid", m.clone())],
                            );
                        }
                        self.profile.certificate = Some(summary);
                        self.touch();
                        self.import = Busy::Done(());
                        self.notify(NoticeLevel::Success, "notice.cert_imported", vec![]);
                    }
                }
            }
            Event::Exported(r) => match r {
                Ok(path) => {
                    self.notify(
                        NoticeLevel::Success,
                        "notice.exported",
                        vec![("path", path.display().to_string())],
                    );
                    self.export = Busy::Done(path);
                }
                Err(e) => {
                    self.notify(
                        NoticeLevel::Error,
                        "notice.export_failed",
                        vec![("reason", e.clone())],
                    );
                    self.export = Busy::Failed(e);
                }
            },
            Event::CheckDone {
                profile,
                id,
                fingerprint,
                outcome,
            } => {
                if profile != self.profile.name {
                    return;
                }
                self.running_checks.remove(&id);
                let at = now_rfc3339();
                self.profile.checks.insert(
                    id,
                    CheckRecord {
                        outcome,
                        at,
                        fingerprint,
                    },
                );
                self.touch();
            }
            Event::ProfileOpDone { op, result } => {
                self.profile_op_running = false;
                match result {
                    Err(e) => {
                        let reason = self.tr().msg(&e);
                        self.notify(
                            NoticeLevel::Error,
                            "shops.op_failed",
                            vec![("reason", reason)],
                        )
                    }
                    Ok(()) => {
                        let current = self.profile.name.clone();
                        match &op {
                            worker::ProfileOp::Rename { from, to } if *from == current => {
                                self.open_profile(to)
                            }
                            worker::ProfileOp::Delete { name } if *name == current => {
                                self.refresh_profile_names();
                                match self.profile_names.first().cloned() {
                                    Some(n) => self.open_profile(&n),
                                    None => {
                                        let n = self.tr().t("profile.default_name").to_owned();
                                        self.start_new_profile(&n);
                                    }
                                }
                            }
                            _ => {}
                        }
                        let (key, name) = match &op {
                            worker::ProfileOp::Rename { to, .. } => ("shops.renamed", to.clone()),
                            worker::ProfileOp::Duplicate { to, .. } => {
                                ("shops.duplicated", to.clone())
                            }
                            worker::ProfileOp::Delete { name } => ("shops.deleted", name.clone()),
                        };
                        self.notify(NoticeLevel::Success, key, vec![("name", name)]);
                    }
                }
                self.refresh_profile_rows();
            }
            Event::BundleInspected { path, result } => {
                self.profile_op_running = false;
                match result {
                    Ok(true) => self.bundle_prompt = Some((path, Secret::empty())),
                    Ok(false) => self.import_bundle(path, None),
                    Err(e) => self.notify(
                        NoticeLevel::Error,
                        &format!("import_bundle.{}", e.code()),
                        vec![("detail", e.to_string())],
                    ),
                }
            }
            Event::BundleImported(r) => {
                self.profile_op_running = false;
                match r {
                    Ok(done) => {
                        self.notify(
                            NoticeLevel::Success,
                            "shops.imported",
                            vec![("name", done.name)],
                        );
                        self.refresh_profile_rows();
                    }
                    Err(e) => {
                        // its own message, with its detail (a keychain failure says which)
                        let args = ops::notice_args(self.tr(), &e);
                        self.notify(NoticeLevel::Error, &crate::i18n::Message::key(&e), args);
                        self.notify(NoticeLevel::Error, "import_bundle.nothing_written", vec![]);
                    }
                }
            }
            Event::Pushed(result) => {
                let (level, key, detail) = match &result.outcome {
                    crate::domain::push::PushOutcome::Accepted => (
                        NoticeLevel::Success,
                        "push.push_ok".to_owned(),
                        String::new(),
                    ),
                    crate::domain::push::PushOutcome::Failed { code, detail } => {
                        (NoticeLevel::Error, format!("push.{code}"), detail.clone())
                    }
                    crate::domain::push::PushOutcome::Retry(d) => (
                        NoticeLevel::Error,
                        "push.push_gave_up".to_owned(),
                        d.clone(),
                    ),
                };
                self.notify(level, &key, vec![("detail", detail)]);
                self.push = Busy::Done(result);
            }
            Event::ReportSaved(r) => match r {
                Ok(path) => {
                    self.notify(
                        NoticeLevel::Success,
                        "verify.report_saved",
                        vec![("path", path.display().to_string())],
                    );
                    self.report = Busy::Done(path);
                }
                Err(e) => {
                    self.notify(
                        NoticeLevel::Error,
                        "verify.report_failed",
                        vec![("reason", e.clone())],
                    );
                    self.report = Busy::Failed(e);
                }
            },
            Event::Picked { purpose, path } => {
                self.dialog_open = false;
                let Some(path) = path else { return };
                match purpose {
                    PickPurpose::CertZip | PickPurpose::CertFolder => self.import_cert(&path),
                    PickPurpose::ExportBundle => self.export_to(path),
                    PickPurpose::ImportBundle => {
                        self.profile_op_running = true;
                        self.worker.send(Job::InspectBundle { path });
                    }
                    PickPurpose::ExportFolder => {
                        if let Some(format) = self.export_form.format {
                            self.flush();
                            self.export = Busy::Running;
                            let secrets = self
                                .export_form
                                .include_secrets
                                .then(|| self.secrets.clone());
                            self.worker.send(Job::ExportFormat {
                                dir: path,
                                format,
                                profile: Box::new(self.profile.clone()),
                                secrets,
                            });
                        }
                    }
                    PickPurpose::SaveReport => {
                        self.report = Busy::Running;
                        let html = self.report_html();
                        self.worker.send(Job::SaveReport { path, html });
                    }
                }
            }
        }
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The current time as RFC 3339: how profiles, check results and bundles record it.
pub fn now_rfc3339() -> String {
    now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Drop for Wizard {
    fn drop(&mut self) {
        // Nothing typed is lost, even when the window is closed mid-edit.
        self.shutdown();
    }
}
