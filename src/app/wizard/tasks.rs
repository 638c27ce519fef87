//! The background work that is running now, as one set of typed tasks, and what
//! the last task of each kind returned. Everything the wizard waits for (these
//! tasks and the open shop's pending saves) is one list of [`Wait`]s, from which
//! both `busy` (keep ticking) and `busy_reasons` (what for) are derived, so the
//! two cannot disagree.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::app::ops::cert_request::CertOpError;
use crate::app::ops::push::{PushError, Report};
use crate::app::verify::CheckId;
use crate::domain::cert::ImportError;
use crate::domain::profile::SecretField;

/// One kind of background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Task {
    /// A file dialog is open (one at a time).
    Dialog,
    /// A certificate is being imported into the open shop.
    ImportCert,
    /// A bundle or a stack config is being written.
    Export,
    /// The readiness report is being written.
    Report,
    /// The certificate and key files are being saved for the backend.
    CertFiles,
    /// A certificate request is being made, accepted or dropped.
    CertRequest,
    /// The WXCertUtil-style certificate folder is being written.
    CertUtilFiles,
    /// One online check is running.
    Check(CheckId),
    /// A shop is renamed, duplicated or deleted, or a bundle read or imported.
    ProfileOp,
    /// The configuration is being sent to the shop backend.
    Push,
    /// The start page's rows are being read (each shop's results judged
    /// against its secrets from the keychain).
    ShopRows,
}

impl Task {
    /// Says what is running, for test failure messages and bug reports (not
    /// shown in the window, so not translated).
    pub fn reason(self) -> String {
        match self {
            Task::Dialog => "a file dialog is open".into(),
            Task::ImportCert => "importing a certificate".into(),
            Task::Export => "exporting".into(),
            Task::Report => "saving the readiness report".into(),
            Task::CertFiles => "saving the certificate files".into(),
            Task::CertRequest => {
                "applying for the certificate (request, accept or start over)".into()
            }
            Task::CertUtilFiles => "saving the certificate folder as WXCertUtil does".into(),
            Task::Check(id) => format!("running the online check {}", id.key()),
            Task::ProfileOp => "a shop operation (rename, duplicate, delete, bundle)".into(),
            Task::Push => "reading from or sending to the shop backend".into(),
            Task::ShopRows => "reading the shops for the start page".into(),
        }
    }
}

/// One thing the wizard waits for before it is idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Task(Task),
    /// An edit of the profile not yet written.
    ProfileSave,
    /// The keychain has not answered yet.
    Keychain,
    /// A secret not yet in the keychain.
    SecretSave(SecretField),
}

impl Wait {
    pub fn reason(self) -> String {
        match self {
            Wait::Task(t) => t.reason(),
            Wait::ProfileSave => "an edit not yet saved".into(),
            Wait::Keychain => "connecting to the keychain".into(),
            Wait::SecretSave(f) => format!("saving the secret {} to the keychain", f.key()),
        }
    }
}

/// What a task with a result shows: not run, running, or how it ended.
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

    fn of(running: bool, last: &Option<Result<T, E>>) -> Busy<&T, &E> {
        match last {
            _ if running => Busy::Running,
            None => Busy::Idle,
            Some(Ok(t)) => Busy::Done(t),
            Some(Err(e)) => Busy::Failed(e),
        }
    }
}

#[derive(Debug, Default)]
pub struct Tasks {
    running: BTreeSet<Task>,
    import: Option<Result<(), ImportError>>,
    export: Option<Result<PathBuf, String>>,
    report: Option<Result<PathBuf, String>>,
    cert_files: Option<Result<PathBuf, String>>,
    push: Option<Result<Report, PushError>>,
    cert_request: Option<Result<(), CertOpError>>,
    cert_util_files: Option<Result<PathBuf, CertOpError>>,
}

impl Tasks {
    /// Marks `t` running; false when it was running already.
    pub fn start(&mut self, t: Task) -> bool {
        self.running.insert(t)
    }

    pub fn finish(&mut self, t: Task) {
        self.running.remove(&t);
    }

    pub fn is_running(&self, t: Task) -> bool {
        self.running.contains(&t)
    }

    pub fn running(&self) -> impl Iterator<Item = Task> + '_ {
        self.running.iter().copied()
    }

    /// Another shop was opened: the open shop's work and results are forgotten
    /// (a late result for the old shop is ignored or shown as it arrives). A
    /// push still running for it keeps its task (one push at a time), but its
    /// result, and the last one, are that shop's: never shown as this one's.
    pub fn forget_shop(&mut self) {
        self.running.retain(|t| {
            !matches!(
                t,
                Task::ImportCert
                    | Task::Export
                    | Task::Report
                    | Task::CertFiles
                    | Task::CertRequest
                    | Task::CertUtilFiles
                    | Task::Check(_)
            )
        });
        self.cert_request = None;
        self.cert_util_files = None;
        self.import = None;
        self.export = None;
        self.report = None;
        self.cert_files = None;
        self.push = None;
    }

    pub fn import(&self) -> Busy<&(), &ImportError> {
        Busy::of(self.is_running(Task::ImportCert), &self.import)
    }

    pub fn import_done(&mut self, r: Result<(), ImportError>) {
        self.finish(Task::ImportCert);
        self.import = Some(r);
    }

    pub fn export(&self) -> Busy<&PathBuf, &String> {
        Busy::of(self.is_running(Task::Export), &self.export)
    }

    pub fn export_done(&mut self, r: Result<PathBuf, String>) {
        self.finish(Task::Export);
        self.export = Some(r);
    }

    pub fn report(&self) -> Busy<&PathBuf, &String> {
        Busy::of(self.is_running(Task::Report), &self.report)
    }

    pub fn report_done(&mut self, r: Result<PathBuf, String>) {
        self.finish(Task::Report);
        self.report = Some(r);
    }

    pub fn cert_files(&self) -> Busy<&PathBuf, &String> {
        Busy::of(self.is_running(Task::CertFiles), &self.cert_files)
    }

    pub fn cert_files_done(&mut self, r: Result<PathBuf, String>) {
        self.finish(Task::CertFiles);
        self.cert_files = Some(r);
    }

    pub fn cert_request(&self) -> Busy<&(), &CertOpError> {
        Busy::of(self.is_running(Task::CertRequest), &self.cert_request)
    }

    pub fn cert_request_done(&mut self, r: Result<(), CertOpError>) {
        self.finish(Task::CertRequest);
        self.cert_request = Some(r);
    }

    /// Forgets how the last request step ended (the text it was about changed).
    pub fn forget_cert_request_result(&mut self) {
        if !self.is_running(Task::CertRequest) {
            self.cert_request = None;
        }
    }

    pub fn cert_util_files(&self) -> Busy<&PathBuf, &CertOpError> {
        Busy::of(self.is_running(Task::CertUtilFiles), &self.cert_util_files)
    }

    pub fn cert_util_files_done(&mut self, r: Result<PathBuf, CertOpError>) {
        self.finish(Task::CertUtilFiles);
        self.cert_util_files = Some(r);
    }

    /// The last push sent (the preview is the push form's).
    pub fn push(&self) -> Busy<&Report, &PushError> {
        Busy::of(self.is_running(Task::Push), &self.push)
    }

    pub fn push_done(&mut self, r: Result<Report, PushError>) {
        self.finish(Task::Push);
        self.push = Some(r);
    }

    /// A new preview replaces the last push's result.
    pub fn forget_push(&mut self) {
        self.push = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every task kind. Adding a variant to [`Task`] breaks the match below
    /// until it is listed here too.
    fn every_task() -> Vec<Task> {
        let mut all = vec![
            Task::Dialog,
            Task::ImportCert,
            Task::Export,
            Task::Report,
            Task::CertFiles,
            Task::CertRequest,
            Task::CertUtilFiles,
            Task::ProfileOp,
            Task::Push,
            Task::ShopRows,
        ];
        all.extend(CheckId::ALL.map(Task::Check));
        for t in &all {
            match t {
                Task::Dialog
                | Task::ImportCert
                | Task::Export
                | Task::Report
                | Task::CertFiles
                | Task::CertRequest
                | Task::CertUtilFiles
                | Task::Check(_)
                | Task::ProfileOp
                | Task::Push
                | Task::ShopRows => {}
            }
        }
        all
    }

    #[test]
    fn every_task_kind_has_its_own_reason_text() {
        let all = every_task();
        let reasons: BTreeSet<String> = all.iter().map(|t| t.reason()).collect();
        assert_eq!(reasons.len(), all.len(), "two tasks share a reason text");
        assert!(reasons.iter().all(|r| !r.trim().is_empty()));
        let waits = [
            Wait::ProfileSave,
            Wait::Keychain,
            Wait::SecretSave(SecretField::ApiKeyV2),
        ];
        for w in waits {
            assert!(!reasons.contains(&w.reason()), "{w:?}");
        }
    }

    #[test]
    fn a_running_task_shows_as_running_until_it_ends() {
        let mut t = Tasks::default();
        assert!(matches!(t.export(), Busy::Idle));
        assert!(t.start(Task::Export));
        assert!(!t.start(Task::Export), "already running");
        assert!(t.export().is_running());
        t.export_done(Err("disk full".into()));
        assert!(matches!(t.export(), Busy::Failed(e) if e == "disk full"));
        assert!(t.start(Task::Export));
        assert!(t.export().is_running(), "a new run hides the old result");
        t.export_done(Ok(PathBuf::from("/x.zip")));
        assert!(matches!(t.export(), Busy::Done(p) if p == &PathBuf::from("/x.zip")));
        assert_eq!(t.running().count(), 0);
    }

    #[test]
    fn opening_another_shop_forgets_its_work_but_not_the_shops_list() {
        let mut t = Tasks::default();
        for k in every_task() {
            t.start(k);
        }
        t.report_done(Ok(PathBuf::from("/r.html")));
        t.push_done(Err(PushError::NoBackend));
        t.start(Task::Push);
        t.forget_shop();
        let left: Vec<Task> = t.running().collect();
        assert_eq!(
            left,
            vec![Task::Dialog, Task::ProfileOp, Task::Push, Task::ShopRows]
        );
        assert!(matches!(t.report(), Busy::Idle));
        t.finish(Task::Push);
        assert!(
            matches!(t.push(), Busy::Idle),
            "the last shop's push result"
        );
    }
}
