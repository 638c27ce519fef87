//! Applying for the API certificate in the window (issue 11), the façade the
//! certificate step draws: make the request (key straight to the keychain, on
//! the worker), show it again after a restart (it is in the profile), take the
//! pasted certificate string back and continue exactly as after a zip import,
//! start over only after asking, and save the folder WXCertUtil would have left.
//! Every step runs `ops::cert_request` on the worker, as `wxpay-setup cert` does.

use std::path::PathBuf;

use super::Wizard;
use super::notices::NoticeLevel;
use super::tasks::{Busy, Task};
use crate::app::ops::cert_request::CertOpError;
use crate::app::worker::{CertRequestDone, CertRequestOp, Job, PickPurpose};
use crate::domain::cert::request::{PendingRequest, csr_base64};
use crate::domain::profile::SecretField;

impl Wizard {
    /// The request waiting for its certificate string, if any.
    pub fn pending_cert_request(&self) -> Option<&PendingRequest> {
        self.profile().pending_cert_request.as_ref()
    }

    /// The waiting request's second form: one line of base64.
    pub fn pending_request_base64(&self) -> String {
        self.pending_cert_request()
            .map(|p| csr_base64(&p.csr_pem))
            .unwrap_or_default()
    }

    /// The company name for the request: as typed, else the one known (a
    /// waiting request's, the certificate's).
    pub fn apply_company(&self) -> String {
        if let Some(c) = &self.forms.apply.company {
            return c.clone();
        }
        // a certificate that fails its checks names no company of this shop
        let usable = self.cert_usable();
        self.pending_cert_request()
            .map(|p| p.company.clone())
            .or_else(|| {
                self.certificate()
                    .filter(|_| usable)
                    .and_then(|c| c.company.clone())
            })
            .unwrap_or_default()
    }

    pub fn set_apply_company(&mut self, company: String) {
        self.forms.apply.company = Some(company);
    }

    /// Once after a certificate was accepted: the section folds away (the
    /// certificate's details follow it).
    pub fn take_apply_fold(&mut self) -> bool {
        std::mem::take(&mut self.forms.apply.fold)
    }

    /// "去修改" / "去检查" of one item of 还差什么: its step, and the item
    /// itself brought into view (trial 2 minor 3: the JSAPI item opened the
    /// top of step 4, the owner had to look for it).
    pub fn go_fix(&mut self, m: &crate::app::rules::Missing) {
        self.go_to(m.step);
        self.forms.scroll_to = match (m.field, m.problem.code) {
            (Some(f), _) => Some(f.key().to_owned()),
            (None, "jsapi_unconfirmed") => Some("jsapi".to_owned()),
            _ => None,
        };
    }

    /// Whether the page is to bring `item` into view (see [`Self::go_fix`]).
    pub fn scroll_target_is(&self, item: &str) -> bool {
        self.forms.scroll_to.as_deref() == Some(item)
    }

    /// Once: true when the page is to bring `item` into view now.
    pub fn take_scroll_target(&mut self, item: &str) -> bool {
        let hit = self.scroll_target_is(item);
        if hit {
            self.forms.scroll_to = None;
        }
        hit
    }

    /// Once after a certificate was accepted: the page goes back to its top.
    pub fn take_scroll_to_top(&mut self) -> bool {
        std::mem::take(&mut self.forms.scroll_top)
    }

    /// Making, accepting or dropping a request: idle, running, or how the last ended.
    pub fn apply_state(&self) -> Busy<&(), &CertOpError> {
        self.tasks.cert_request()
    }

    /// Makes the request on the worker (RSA key generation takes a moment).
    pub fn start_cert_request(&mut self) {
        let company = self.apply_company().trim().to_owned();
        self.run_cert_request(CertRequestOp::Request { company });
    }

    pub fn apply_paste(&self) -> &str {
        &self.forms.apply.paste
    }

    /// The pasted text changed: an error about the previous text goes with it.
    pub fn set_apply_paste(&mut self, text: String) {
        if text != self.forms.apply.paste {
            self.tasks.forget_cert_request_result();
        }
        self.forms.apply.paste = text;
    }

    /// Checks the pasted certificate string against the waiting key and stores
    /// it; a private key the shop holds already is not replaced without asking
    /// ([`Self::discard_key_asked`]).
    pub fn accept_cert_string(&mut self) {
        let text = self.forms.apply.paste.clone();
        self.forms.apply.confirm_discard_key = false;
        self.run_cert_request(CertRequestOp::Accept {
            text,
            discard_key: false,
        });
    }

    /// Accepting would replace the shop's current private key: the question is open.
    pub fn discard_key_asked(&self) -> bool {
        self.forms.apply.confirm_discard_key
    }

    /// The user said the current key and certificate may go: accept again.
    pub fn confirm_discard_key(&mut self) {
        self.forms.apply.confirm_discard_key = false;
        let text = self.forms.apply.paste.clone();
        self.run_cert_request(CertRequestOp::Accept {
            text,
            discard_key: true,
        });
    }

    /// The user keeps the current key and certificate; the request stays waiting.
    pub fn keep_current_key(&mut self) {
        self.forms.apply.confirm_discard_key = false;
    }

    /// "Start over": asks first ([`Self::confirm_start_over`]).
    pub fn ask_start_over(&mut self) {
        self.forms.apply.confirm_start_over = true;
    }

    pub fn start_over_asked(&self) -> bool {
        self.forms.apply.confirm_start_over
    }

    pub fn keep_request(&mut self) {
        self.forms.apply.confirm_start_over = false;
    }

    /// Drops the waiting request and its key.
    pub fn confirm_start_over(&mut self) {
        self.forms.apply.confirm_start_over = false;
        self.run_cert_request(CertRequestOp::Cancel);
    }

    fn run_cert_request(&mut self, op: CertRequestOp) {
        if !self.tasks.start(Task::CertRequest) {
            return;
        }
        // the worker runs jobs in order: the profile on disk is this one when the op reads it
        self.flush();
        self.worker.send(Job::CertRequest {
            profile: self.profile().name.clone(),
            op,
        });
    }

    // ----- the WXCertUtil folder -------------------------------------------------

    /// A certificate and its key are there to save.
    pub fn can_save_cert_util_files(&self) -> bool {
        self.can_save_cert_files()
    }

    pub fn cert_util_files(&self) -> Busy<&PathBuf, &CertOpError> {
        self.tasks.cert_util_files()
    }

    /// Asks for a folder, then writes `<mchid>_<date>_cert` into it.
    pub fn start_save_cert_util_files(&mut self) {
        if self.can_save_cert_util_files() && !self.tasks.is_running(Task::CertUtilFiles) {
            self.open_dialog(PickPurpose::CertUtilFolder, String::new());
        }
    }

    pub(super) fn save_cert_util_files_to(&mut self, dir: PathBuf) {
        if !self.tasks.start(Task::CertUtilFiles) {
            return;
        }
        self.flush();
        let tr = self.tr();
        self.worker.send(Job::CertRequest {
            profile: self.profile().name.clone(),
            op: CertRequestOp::SaveFiles { dir, tr },
        });
    }

    // ----- results -----------------------------------------------------------------

    /// The waiting request as the keychain's key has it (rebuilt and saved by the
    /// operation when a killed command left an older one): the one shown. A
    /// failure here changes nothing; accepting will say what is wrong.
    pub(super) fn on_waiting_request(
        &mut self,
        profile: &str,
        result: Result<Option<crate::app::ops::cert_request::Requested>, CertOpError>,
    ) {
        if !self.is_open(profile) {
            return;
        }
        if let Ok(Some(r)) = result
            && let Some(p) = self.session.profile.pending_cert_request.as_mut()
            && p.csr_pem != r.request_pem
        {
            p.csr_pem = r.request_pem;
        }
    }

    pub(super) fn on_cert_request_done(
        &mut self,
        profile: &str,
        saving_files: bool,
        result: Result<CertRequestDone, CertOpError>,
    ) {
        if !self.is_open(profile) {
            return;
        }
        if saving_files {
            self.notices.withdraw("cert_apply.saved");
            let r = match result {
                Ok(CertRequestDone::FilesSaved(dir)) => {
                    self.notices.push_key(
                        NoticeLevel::Success,
                        "cert_apply.saved",
                        vec![("path", dir.display().to_string())],
                    );
                    Ok(dir)
                }
                Ok(_) => return,
                Err(e) => Err(e),
            };
            self.tasks.cert_util_files_done(r);
            return;
        }
        let done = match result {
            Err(CertOpError::NoPending) => {
                // the request was taken (or dropped) elsewhere: another window or
                // a command. Show the shop as its file is now.
                self.reopen_profile();
                if self.certificate().is_some() {
                    self.notices.push_key(
                        NoticeLevel::Success,
                        "cert_apply.accepted_elsewhere",
                        vec![("name", self.profile().name.clone())],
                    );
                } else {
                    self.tasks.cert_request_done(Err(CertOpError::NoPending));
                }
                return;
            }
            Err(CertOpError::WouldDropKey) => {
                // a question, not a failure: asked on the page
                self.forms.apply.confirm_discard_key = true;
                self.tasks.cert_request_done(Ok(()));
                return;
            }
            Err(e) => {
                if let CertOpError::Op(crate::app::ops::OpError::Keychain(k)) = &e {
                    let k = k.clone();
                    self.keychain_result::<()>(&Err(k));
                }
                self.tasks.cert_request_done(Err(e));
                return;
            }
            Ok(done) => done,
        };
        // the operation saved the profile; the open one follows it
        match done {
            CertRequestDone::Requested(r) => {
                self.session.profile.pending_cert_request = Some(PendingRequest {
                    csr_pem: r.request_pem,
                    company: r.company,
                    created_at: r.created_at,
                });
            }
            CertRequestDone::Accepted(a) => {
                let a = *a;
                self.session
                    .set_stored(SecretField::PrivateKey, a.private_key, Ok(()));
                self.forms.apply = super::forms::ApplyForm {
                    fold: true,
                    ..Default::default()
                };
                self.forms.scroll_top = true;
                self.forms.cert_arrived = true;
                self.edit(|p| {
                    p.certificate = Some(a.summary);
                    p.pending_cert_request = None;
                });
                self.tasks.cert_request_done(Ok(()));
                self.tell_cert_imported();
                return;
            }
            CertRequestDone::Cancelled => {
                self.session.profile.pending_cert_request = None;
                self.forms.apply.paste.clear();
            }
            CertRequestDone::FilesSaved(_) => {}
        }
        self.tasks.cert_request_done(Ok(()));
    }
}
