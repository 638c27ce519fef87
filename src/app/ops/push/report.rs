//! What a push shows and tells: the preview (what the backend holds now beside what
//! it will hold), and the report of a push sent: per field sent, stored, checked;
//! per call stored or not; the outcome in one sentence.

use serde::Serialize;

use super::error::{backend_arg, stop_args};
use crate::domain::backend::{BackendKind, FieldResult, Plan, Stop, Warning};
use crate::i18n::{Arg, Message};
use crate::services::backend_http::SendError;
use crate::services::wechat_http::NetError;

/// What a push will do: the preview, shown before anything is sent.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub backend: BackendKind,
    pub url: String,
    #[serde(flatten)]
    pub plan: Plan,
    /// Ties a send in the window to this preview: it is sent only while it holds.
    pub fingerprint: String,
}

/// One write call, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct CallResult {
    pub call: &'static str,
    pub stored: bool,
}

/// Why the writes stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Stop(Stop),
    Net(SendError),
}

/// How the push ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every call stored, every field read back equal.
    Done,
    /// Every call stored; the receiver offers no read-back (a generic receiver
    /// without the contract's GET): accepted, not checked.
    StoredUnchecked,
    /// Every call stored, but some field did not read back equal (or the read-back failed).
    Mismatch,
    /// Some calls stored, then one failed.
    Partial,
    /// Nothing stored.
    Refused,
}

/// The report of a push that was sent.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub backend: BackendKind,
    pub url: String,
    pub status: Status,
    pub fields: Vec<FieldResult>,
    pub calls: Vec<CallResult>,
    /// Calls the plan had that were never sent.
    pub not_sent: Vec<&'static str>,
    #[serde(skip)]
    pub failure: Option<Failure>,
    /// Why the read-back did not happen, when it did not.
    #[serde(skip)]
    pub read_back_failure: Option<Failure>,
    /// Logins again after the backend ended the session.
    pub relogins: usize,
    #[serde(skip)]
    pub preview: Preview,
}

impl Report {
    /// Exit 0: the backend holds every value (or, for a receiver without a read-back,
    /// accepted every call).
    pub fn ok(&self) -> bool {
        matches!(self.status, Status::Done | Status::StoredUnchecked)
    }

    /// What the owner should look at although everything sent was stored: a value
    /// the backend holds, left as it is, that pairs with what was stored (see
    /// [`Warning`]). It does not make the push fail: what was sent is stored and
    /// checked, and a push again would change nothing about it.
    pub fn warnings(&self) -> &[Warning] {
        &self.preview.plan.warnings
    }

    /// The writes stopped on a request that went out and got no answer in time:
    /// whether the backend stored it is not known (and it was not sent again).
    pub fn unanswered(&self) -> bool {
        matches!(
            self.failure,
            Some(Failure::Net(SendError::Net(NetError::Timeout(_))))
        )
    }

    /// The failure, as the user reads it.
    pub fn failure_message(&self) -> Option<FailureMessage> {
        self.failure.clone().map(|f| FailureMessage {
            backend: self.backend,
            failure: f,
        })
    }
}

/// The push's outcome in one sentence (`push.status_<status>`): how many fields were
/// checked, which calls were stored and which not, which fields did not read back.
impl Message for Report {
    fn key(&self) -> String {
        let s = match self.status {
            Status::Done if !self.warnings().is_empty() => "done_look",
            Status::Done => "done",
            Status::StoredUnchecked => "stored_unchecked",
            Status::Mismatch => "mismatch",
            Status::Partial | Status::Refused if self.unanswered() => "unconfirmed",
            Status::Partial => "partial",
            Status::Refused => "refused",
        };
        format!("push.status_{s}")
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        let call = |c: &str| Arg::Key(format!("backend.call.{c}"));
        let stored = self
            .calls
            .iter()
            .filter(|c| c.stored)
            .map(|c| call(c.call))
            .collect();
        let not_stored = self
            .calls
            .iter()
            .filter(|c| !c.stored)
            .map(|c| call(c.call))
            .chain(self.not_sent.iter().map(|c| call(c)))
            .collect();
        // by the labels of the backend's own page, as everywhere else (third CLI
        // trial minor 7: `mnp_settings.app_id` was listed as it is named inside)
        let unchecked = self
            .fields
            .iter()
            .filter(|f| f.sent && !f.checked)
            .map(|f| {
                let label = crate::domain::backend::FieldLabel {
                    backend: self.backend,
                    ours: f.ours,
                    field: &f.field,
                };
                Arg::Nested(label.key(), label.args())
            })
            .collect();
        vec![
            ("backend", backend_arg(self.backend)),
            (
                "n",
                self.fields
                    .iter()
                    .filter(|f| f.checked)
                    .count()
                    .to_string()
                    .into(),
            ),
            ("stored", Arg::List(stored)),
            ("not_stored", Arg::List(not_stored)),
            (
                "unconfirmed",
                Arg::List(
                    self.calls
                        .iter()
                        .filter(|c| !c.stored)
                        .map(|c| call(c.call))
                        .collect(),
                ),
            ),
            ("fields", Arg::List(unchecked)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backend::{FieldResult, Ours};
    use crate::i18n::{Lang, Tr};

    /// Third CLI trial minor 7: the losing push of two listed internal names
    /// and gave no hint that something else changed the backend meanwhile.
    #[test]
    fn a_mismatch_names_fields_by_their_labels_and_says_why_it_may_be() {
        let field = |name: &str, ours| FieldResult {
            field: name.into(),
            ours: Some(ours),
            kept: false,
            sent: true,
            stored: true,
            checked: false,
            read_back: None,
        };
        let report = Report {
            backend: BackendKind::Likeadmin,
            url: "https://shop.example.com/adminapi".into(),
            status: Status::Mismatch,
            fields: vec![
                field("mnp_settings.app_id", Ours::MpAppId),
                field("pay_config.config.mch_id", Ours::MchId),
            ],
            calls: Vec::new(),
            not_sent: Vec::new(),
            failure: None,
            read_back_failure: None,
            relogins: 0,
            preview: Preview {
                backend: BackendKind::Likeadmin,
                url: String::new(),
                plan: Plan::default(),
                fingerprint: String::new(),
            },
        };
        for lang in Lang::ALL {
            let text = Tr(lang).msg(&report);
            let label = Tr(lang).msg(&crate::domain::backend::FieldLabel {
                backend: BackendKind::Likeadmin,
                ours: Some(Ours::MpAppId),
                field: "mnp_settings.app_id",
            });
            assert!(text.contains(&label), "{text}");
            assert!(!text.contains(": mnp_settings.app_id"), "{text}");
        }
        let en = Tr(Lang::En).msg(&report);
        assert!(en.contains("another push"), "{en}");
    }
}

/// A write that failed, with its backend, as a message.
#[derive(Debug, Clone)]
pub struct FailureMessage {
    pub backend: BackendKind,
    pub failure: Failure,
}

impl Message for FailureMessage {
    fn key(&self) -> String {
        match &self.failure {
            Failure::Stop(s) => format!("push.write_{}", s.code()),
            Failure::Net(e) => e.key(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match &self.failure {
            Failure::Stop(s) => stop_args(self.backend, s),
            Failure::Net(e) => {
                let mut a = e.args();
                a.push(("backend", backend_arg(self.backend)));
                a
            }
        }
    }
}
