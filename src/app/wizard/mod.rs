//! The wizard: one façade the views and the GUI tests use, over its state in
//! parts, each in its own file (the rerun viewer's split of app logic from
//! drawing): the open shop's [`session`], the running background [`tasks`], the
//! [`notices`], and the [`forms`]. What the user starts in the background is in
//! [`actions`]; the worker's results come back through [`events`]. This file
//! holds the façade for the journey itself: language, shops, steps, fields.

mod actions;
mod apply;
mod events;
pub mod forms;
pub mod notices;
pub mod session;
pub mod tasks;

use std::time::{Duration, Instant};

use super::rules::{self, Missing};
use super::verify::CheckRecord;
use super::worker::{Job, Waker, Worker};
use super::{Services, WeChatAccess, now, now_rfc3339};
use crate::domain::fields::FieldId;
use crate::domain::keygen;
use crate::domain::problem::Problem;
use crate::domain::profile::{MerchantPath, Prerequisite, Profile, SecretField, SiteKind, Step};
use crate::domain::secret::Secret;
use crate::i18n::{Lang, Tr};
use crate::services::profile_store::{ProfileRepo, ProfileStore, Settings};
use forms::Forms;
use notices::{Notice, NoticeLevel, Notices};
use session::{KeychainState, SecretSync, Session};
use tasks::{Tasks, Wait};

/// What the GUI shows for one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckView {
    NotRun,
    Running,
    Done {
        record: CheckRecord,
        stale: bool,
    },
    /// Not run for this shop, and why (`check::not_needed`): said beside it,
    /// and the checks step does not wait for it.
    NotNeeded(crate::domain::wxapi::Outcome),
}

pub struct Wizard {
    profiles: ProfileStore,
    /// Opens the keychain for work that runs beside the worker (the push).
    secrets: super::worker::SecretStoreProvider,
    worker: Worker,
    wechat: WeChatAccess,
    settings: Settings,
    /// The app reopened the shop the user left (not the start page).
    resumed: bool,
    session: Session,
    tasks: Tasks,
    notices: Notices,
    forms: Forms,
}

impl Wizard {
    pub fn new(services: Services, waker: Waker) -> Wizard {
        let settings = services.profiles.load_settings();
        let secrets = services.secrets.clone();
        let worker = Worker::spawn(
            services.secrets,
            services.profiles.clone(),
            services.picker,
            waker,
        );
        let mut w = Wizard {
            profiles: services.profiles,
            secrets,
            worker,
            wechat: services.wechat,
            settings,
            resumed: false,
            session: Session::new(Profile::default()),
            tasks: Tasks::default(),
            notices: Notices::default(),
            forms: Forms::default(),
        };
        w.refresh_profile_names();
        let start = w
            .settings
            .last_profile
            .clone()
            .filter(|n| w.forms.shops.names.contains(n));
        w.resumed = start.is_some();
        let start = start.or_else(|| w.forms.shops.names.first().cloned());
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
        &self.session.profile
    }

    /// Was the app closed inside a shop (which is open again now), rather than
    /// on the start page? Then it reopens there, however many shops there are.
    pub fn resumed_shop(&self) -> bool {
        self.resumed
    }

    /// The window shows the start page (`true`) or the open shop: remembered,
    /// so the next start opens the same place.
    pub fn set_on_shop_list(&mut self, on: bool) {
        let want = (!on).then(|| self.session.profile.name.clone());
        if self.settings.last_profile != want {
            self.settings.last_profile = want;
            self.worker.send(Job::SaveSettings(self.settings.clone()));
        }
    }

    pub fn profile_names(&self) -> &[String] {
        &self.forms.shops.names
    }

    fn refresh_profile_names(&mut self) {
        self.forms.shops.names = self.profiles.list().unwrap_or_default();
    }

    fn open_profile(&mut self, name: &str) {
        let profile = match self.profiles.load(name) {
            Ok(p) => p,
            Err(e) => {
                self.notices
                    .push_key(NoticeLevel::Error, "notice.profile_damaged", e.args());
                Profile::new(name)
            }
        };
        let unfinished = profile.import_unfinished;
        self.show_profile(profile);
        if self.forms.shops.rows.len() <= 1 {
            // every shop's last push, which this shop's "sent" line is judged
            // against (another shop sent to the same backend since: trial 3 Major 2);
            // the file part only (the list judges the checks when it is shown)
            let rows = crate::app::profiles::rows(&self.profiles, crate::app::now(), &|_| None);
            self.set_profile_rows(rows);
        }
        if unfinished {
            // its AppIDs and keychain secrets may come from two imports: say so
            self.notices.push_key(
                NoticeLevel::Error,
                "cli.import_unfinished",
                vec![("name", name.to_owned())],
            );
        }
    }

    /// Reads the open shop again from its file, dropping what was not saved
    /// (after another window or command changed it: see `ChangedElsewhere`).
    pub(super) fn reopen_profile(&mut self) {
        let name = self.session.profile.name.clone();
        self.session.forget_edits();
        self.open_profile(&name);
    }

    fn start_new_profile(&mut self, name: &str) {
        let mut profile = Profile::new(name);
        profile.updated_at = now_rfc3339();
        self.show_profile(profile);
        // write it now, so it is listed and survives a crash before the first edit
        self.session.save_profile_now(&self.worker);
        let names = &mut self.forms.shops.names;
        if !names.contains(&self.session.profile.name) {
            names.push(self.session.profile.name.clone());
            names.sort();
        }
    }

    /// Makes `profile` the open one: its secrets load, the last shop's work and
    /// forms are forgotten, and it is the one reopened next time.
    fn show_profile(&mut self, profile: Profile) {
        self.tasks.forget_shop();
        // the last shop's page state is not this one's
        self.forms.key = Default::default();
        self.forms.key_v3 = Default::default();
        self.forms.apply = Default::default();
        self.forms.cert_replace = None;
        self.forms.cert_refused = None;
        self.forms.cert_arrived = false;
        self.forms.export = Default::default();
        self.notices.leave_step();
        self.forms.push = Default::default();
        self.settings.last_profile = Some(profile.name.clone());
        self.worker.send(Job::SaveSettings(self.settings.clone()));
        let waiting = profile.pending_cert_request.is_some();
        self.session.open(profile, &self.worker);
        if waiting {
            self.worker.send(Job::WaitingRequest {
                profile: self.session.profile.name.clone(),
            });
        }
    }

    /// Saves everything of the current profile, then opens another.
    pub fn switch_profile(&mut self, name: &str) {
        if name == self.session.profile.name {
            return;
        }
        self.flush();
        self.open_profile(name);
    }

    pub fn create_profile(&mut self, name: &str) -> Result<(), Problem> {
        crate::domain::profile::check_profile_name(name)?;
        let name = crate::domain::profile::normalize_profile_name(name);
        let same = |n: &String| crate::domain::profile::same_profile_name(n, &name);
        if self.forms.shops.names.iter().any(same) || self.profiles.taken(&name).is_some() {
            return Err(Problem::error("profile_name_taken"));
        }
        self.flush();
        self.start_new_profile(&name);
        Ok(())
    }

    /// Edits the open profile; it is saved once the typing pauses.
    fn edit(&mut self, f: impl FnOnce(&mut Profile)) {
        f(&mut self.session.profile);
        self.session.touch();
    }

    // ----- steps ----------------------------------------------------------------

    pub fn step(&self) -> Step {
        self.session.profile.step
    }

    /// Every step after the first needs a WeChat-verified mini program.
    pub fn can_visit(&self, step: Step) -> bool {
        step == Step::Prerequisite
            || self.session.profile.prerequisite == Some(Prerequisite::Verified)
    }

    pub fn go_to(&mut self, step: Step) {
        if self.can_visit(step) && self.step() != step {
            self.notices.leave_step();
            self.forms.cert_replace = None;
            self.forms.cert_refused = None;
            self.edit(|p| p.step = step);
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
        rules::step_missing(self.profile(), self.session.secrets(), step, now())
    }

    /// Nothing missing, and no current reply of WeChat refusing a value of it.
    pub fn step_complete(&self, step: Step) -> bool {
        self.step_missing(step).is_empty() && self.refused_on(step).is_empty()
    }

    /// Everything that still keeps the configuration from being complete.
    pub fn all_missing(&self) -> Vec<Missing> {
        let mut all = rules::all_missing(self.profile(), self.session.secrets(), now());
        for (field, state) in self.session.sync() {
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
        if self.profile().prerequisite != Some(p) {
            self.edit(|pr| pr.prerequisite = Some(p));
        }
    }

    pub fn set_merchant_path(&mut self, p: MerchantPath) {
        if self.profile().merchant_path != Some(p) {
            self.edit(|pr| pr.merchant_path = Some(p));
        }
    }

    /// Ticked, and for an item about an AppID, ticked for the AppID as it is now.
    pub fn is_checked(&self, id: &str) -> bool {
        super::journey::is_done(self.profile(), id)
    }

    pub fn set_checked(&mut self, id: &str, done: bool) {
        if super::journey::set_done(&mut self.session.profile, id, done) {
            self.session.touch();
        }
    }

    pub fn set_site_kind(&mut self, k: SiteKind) {
        if self.profile().site_kind != Some(k) {
            self.edit(|p| p.site_kind = Some(k));
        }
    }

    pub fn set_jsapi_enabled(&mut self, on: bool) {
        if self.profile().jsapi_enabled != on {
            self.edit(|p| p.jsapi_enabled = on);
        }
    }

    /// "Continue later": everything is saved now; reopening lands on this step.
    pub fn continue_later(&mut self) {
        self.flush();
        self.notices
            .push_key(NoticeLevel::Success, "notice.saved_for_later", vec![]);
    }

    // ----- fields ---------------------------------------------------------------

    pub fn text(&self, f: FieldId) -> &str {
        let p = self.profile();
        match f {
            FieldId::PaymentName => &p.payment_name,
            FieldId::MpAppId => &p.mp_appid,
            FieldId::MchId => &p.mchid,
            FieldId::OaAppId => &p.oa_appid,
            _ => "",
        }
    }

    pub fn set_text(&mut self, f: FieldId, value: &str) {
        let value = crate::domain::fields::stored_text(f, value);
        if self.text(f) == value {
            return;
        }
        let p = &mut self.session.profile;
        let slot = match f {
            FieldId::PaymentName => &mut p.payment_name,
            FieldId::MchId => &mut p.mchid,
            // ticks made for the AppID being replaced stay with it
            FieldId::MpAppId => {
                super::journey::pin_ticks(p, super::journey::Account::MiniProgram);
                &mut p.mp_appid
            }
            FieldId::OaAppId => {
                super::journey::pin_ticks(p, super::journey::Account::ServiceAccount);
                &mut p.oa_appid
            }
            other => {
                debug_assert!(false, "{other:?} is a secret field");
                return;
            }
        };
        *slot = value;
        self.session.touch();
    }

    pub fn secret(&self, f: SecretField) -> Secret {
        self.session.secret(f)
    }

    pub fn has_secret(&self, f: SecretField) -> bool {
        self.session.has_secret(f)
    }

    pub fn secret_sync(&self, f: SecretField) -> Option<&SecretSync> {
        self.session.sync().get(&f)
    }

    /// A secret the user typed: kept in memory, sent to the keychain shortly after
    /// the typing stops (never to a file).
    pub fn set_secret(&mut self, f: SecretField, value: Secret) {
        self.session.set_secret(f, value);
    }

    /// Fills an API key field (`ApiKeyV2`, or `ApiKeyV3` for a shop system that
    /// takes that key) with a fresh strong key and returns it (to copy). When a
    /// key is typed already, nothing changes yet: the generator asks first
    /// ([`Self::key_form`]), and [`Self::confirm_replace_key`] replaces it.
    pub fn generate_key(&mut self, f: SecretField) -> Option<Secret> {
        if self.has_secret(f) {
            self.forms.key_mut(f).confirm_replace = true;
            return None;
        }
        Some(self.replace_key(f))
    }

    /// "Yes, replace it": the old key stays undoable while this shop is open.
    pub fn confirm_replace_key(&mut self, f: SecretField) -> Secret {
        self.replace_key(f)
    }

    pub fn cancel_replace_key(&mut self, f: SecretField) {
        self.forms.key_mut(f).confirm_replace = false;
    }

    fn replace_key(&mut self, f: SecretField) -> Secret {
        // 32 of [0-9A-Za-z]: the APIv2 key's format, and 32 printable bytes for APIv3
        let key = keygen::generate_api_key();
        let old = self.secret(f);
        *self.forms.key_mut(f) = forms::KeyForm {
            confirm_replace: false,
            previous: Some(old),
            generated: true,
        };
        self.set_secret(f, key.clone());
        key
    }

    /// Puts back the key the generator replaced (also in the keychain).
    pub fn undo_generated_key(&mut self, f: SecretField) {
        let form = self.forms.key_mut(f);
        if let Some(old) = form.previous.take() {
            form.generated = false;
            self.set_secret(f, old);
        }
    }

    pub fn key_form(&self, f: SecretField) -> &forms::KeyForm {
        self.forms.key(f)
    }

    /// Binding path: the answer to "is that key already in use?", for the
    /// key the shop system takes (`ApiKeyV2`, or `ApiKeyV3` for likeadmin).
    pub fn set_key_in_use(&mut self, f: SecretField, in_use: bool) {
        let v3 = f == SecretField::ApiKeyV3;
        let now = if v3 {
            self.profile().api_key_v3_in_use
        } else {
            self.profile().api_key_in_use
        };
        if now != Some(in_use) {
            self.edit(|p| {
                if v3 {
                    p.api_key_v3_in_use = Some(in_use)
                } else {
                    p.api_key_in_use = Some(in_use)
                }
            });
        }
    }

    pub fn field_problems(&self, f: FieldId) -> Vec<Problem> {
        rules::field_problems(self.profile(), self.session.secrets(), f)
    }

    /// Every message the field's check can show, as the sets shown together:
    /// the window keeps room for the tallest under the field.
    pub fn possible_field_problems(&self, f: FieldId) -> Vec<Vec<Problem>> {
        rules::possible_problems(f)
    }

    /// The shop system takes the APIv3 key instead of the APIv2 key (likeadmin).
    pub fn needs_api_v3(&self) -> bool {
        rules::needs_api_v3(self.profile())
    }

    pub fn set_public_key(&mut self, id: &str, pem: &str) {
        let p = self.profile();
        if p.public_key_id != id || p.public_key_pem != pem {
            self.edit(|p| {
                p.public_key_id = id.to_owned();
                p.public_key_pem = pem.to_owned();
            });
        }
    }

    // ----- keychain -------------------------------------------------------------

    pub fn keychain(&self) -> &KeychainState {
        self.session.keychain()
    }

    /// After the user started or unlocked their keychain: load and save again.
    pub fn retry_keychain(&mut self) {
        self.session.retry_keychain(&self.worker);
    }

    // ----- notices --------------------------------------------------------------

    pub fn notices(&self) -> &[Notice] {
        self.notices.list()
    }

    pub fn dismiss_notice(&mut self, i: usize) {
        self.notices.dismiss(i);
    }

    /// A notice will fade: the window should look again in a moment.
    pub fn notices_fading(&self) -> bool {
        self.notices.fading()
    }

    // ----- the loop -------------------------------------------------------------

    /// Everything the wizard waits for: running tasks, then pending saves.
    pub fn waits(&self) -> impl Iterator<Item = Wait> + '_ {
        self.tasks
            .running()
            .map(Wait::Task)
            .chain(self.session.waits())
    }

    /// Is anything waiting (a save, a job, a dialog)? The GUI then keeps ticking.
    pub fn busy(&self) -> bool {
        self.waits().next().is_some()
    }

    /// The open shop has an edit that is not in its file yet (a write failed, or
    /// waits to be tried again because another window or command holds the shop).
    pub fn unsaved(&self) -> bool {
        self.session.unsaved()
    }

    /// A save was refused because another window or command holds the shop, and
    /// is being tried again until it lands.
    pub fn save_retrying(&self) -> bool {
        self.session.retrying()
    }

    /// When a save refused as busy is tried again, if one is waiting.
    pub fn save_retry_at(&self) -> Option<Instant> {
        self.session.busy_retry()
    }

    /// What `busy` is waiting for (for test failure messages and bug reports).
    pub fn busy_reasons(&self) -> String {
        let reasons: Vec<String> = self.waits().map(Wait::reason).collect();
        if reasons.is_empty() {
            "nothing".into()
        } else {
            reasons.join("; ")
        }
    }

    /// Handles finished background work and runs due autosaves. Cheap: call every frame.
    pub fn tick(&mut self, now: Instant) {
        while let Some(ev) = self.worker.try_recv() {
            self.handle(ev);
        }
        self.notices.expire(now);
        self.session.autosave(now, &self.worker);
    }

    /// Sends every pending save now (before switching profile, exporting, quitting).
    pub fn flush(&mut self) {
        self.session.flush(&self.worker);
    }

    /// At exit: flush and wait (bounded) until the worker has written everything.
    pub fn shutdown(&mut self) {
        self.flush();
        self.worker.wait_idle(Duration::from_secs(10));
        while let Some(ev) = self.worker.try_recv() {
            self.handle(ev);
        }
    }
}

impl Drop for Wizard {
    fn drop(&mut self) {
        // Nothing typed is lost, even when the window is closed mid-edit.
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;
