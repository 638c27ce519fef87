//! One push's conversation with the backend: an adapter driven through the HTTP
//! service, logging in again once when the backend ends the session, trying the
//! generic receiver's busy replies again, then writing and reading back.

use super::report::{CallResult, Failure, Preview, Report, Status};
use super::{PushError, Target, adapter};
use crate::domain::backend::{Adapter, BackendKind, Reply, Request, Stop};
use crate::domain::secret::Secret;
use crate::services::backend_http::{BackendHttp, SendError};

/// Tries again: the generic receiver's busy replies and network failures, 3 tries.
const TRIES: usize = 3;
const BACKOFF: [std::time::Duration; 2] = [
    std::time::Duration::from_millis(500),
    std::time::Duration::from_millis(1500),
];

/// One push's session with the backend: the adapter, and logging in again once.
pub(super) struct Conn<'a> {
    http: &'a dyn BackendHttp,
    adapter: Box<dyn Adapter>,
    account: String,
    password: Option<Secret>,
    relogins: usize,
}

/// A step that did not succeed.
enum StepFail {
    Stop(Stop),
    Net(SendError),
}

impl From<StepFail> for Failure {
    fn from(f: StepFail) -> Failure {
        match f {
            StepFail::Stop(s) => Failure::Stop(s),
            StepFail::Net(e) => Failure::Net(e),
        }
    }
}

impl Conn<'_> {
    /// Sends, trying again when the backend allows it (the generic receiver).
    fn send(&self, req: &Request) -> Result<Reply, SendError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.http.send(req) {
                Err(e) if e.is_temporary() && self.adapter.retries_writes() && tries < TRIES => {
                    std::thread::sleep(BACKOFF[tries - 1]);
                }
                r => return r,
            }
        }
    }

    fn login(&mut self) -> Result<(), StepFail> {
        let pw = self
            .password
            .as_ref()
            .map(|p| p.expose())
            .unwrap_or_default();
        let Some(req) = self.adapter.login(&self.account, pw) else {
            return Ok(());
        };
        let reply = self.send(&req).map_err(StepFail::Net)?;
        self.adapter.logged_in(&reply).map_err(StepFail::Stop)
    }

    /// Runs `take` on the reply to `next`'s request; an ended session logs in again
    /// (once per push) and the same step is asked again; a busy generic receiver is
    /// asked again too.
    fn step(
        &mut self,
        next: fn(&dyn Adapter) -> Option<Request>,
        take: fn(&mut dyn Adapter, &Reply) -> Result<(), Stop>,
    ) -> Option<Result<(), StepFail>> {
        let mut busy = 0;
        loop {
            let req = next(self.adapter.as_ref())?;
            let reply = match self.send(&req) {
                Ok(r) => r,
                Err(e) => return Some(Err(StepFail::Net(e))),
            };
            match take(self.adapter.as_mut(), &reply) {
                Ok(()) => return Some(Ok(())),
                Err(Stop::LoggedOut { .. }) if self.relogins == 0 => {
                    self.relogins += 1;
                    if let Err(e) = self.login() {
                        return Some(Err(e));
                    }
                }
                Err(Stop::Temporary { .. })
                    if self.adapter.retries_writes() && busy + 1 < TRIES =>
                {
                    std::thread::sleep(BACKOFF[busy]);
                    busy += 1;
                }
                Err(s) => return Some(Err(StepFail::Stop(s))),
            }
        }
    }

    fn read_all(&mut self) -> Result<(), StepFail> {
        while let Some(r) = self.step(|a| a.next_read(), |a, r| a.read(r)) {
            r?;
        }
        Ok(())
    }
}

/// Logs in and reads: the preview, and the connection to send with.
pub(super) fn open<'a>(
    http: &'a dyn BackendHttp,
    t: &Target,
) -> Result<(Conn<'a>, Preview), PushError> {
    let mut conn = Conn {
        http,
        adapter: adapter(t)?,
        account: t.profile.backend_account.clone(),
        password: t.password.clone(),
        relogins: 0,
    };
    let kind = t.kind;
    conn.login().map_err(|e| match e {
        StepFail::Stop(s) => PushError::Login(kind, s),
        StepFail::Net(e) => PushError::Net(kind, e),
    })?;
    conn.read_all().map_err(|e| match e {
        StepFail::Stop(s) => PushError::Read(kind, s),
        StepFail::Net(e) => PushError::Net(kind, e),
    })?;
    let plan = conn.adapter.plan();
    let preview = Preview {
        backend: kind,
        url: crate::services::wechat_http::redact_url(&t.profile.backend_url),
        fingerprint: plan.fingerprint(),
        plan,
    };
    Ok((conn, preview))
}

/// Writes, then reads back: the report.
pub(super) fn write(mut conn: Conn<'_>, preview: Preview) -> Report {
    let mut calls = Vec::new();
    let mut failure = None;
    while let Some(call) = conn.adapter.next_write().map(|w| w.call) {
        match conn.step(|a| a.next_write().map(|w| w.request), |a, r| a.wrote(r)) {
            None => break,
            Some(Ok(())) => calls.push(CallResult { call, stored: true }),
            Some(Err(e)) => {
                calls.push(CallResult {
                    call,
                    stored: false,
                });
                failure = Some(Failure::from(e));
                break;
            }
        }
    }
    // read back, after a failure too: it tells what the backend really holds
    conn.adapter.reread();
    let read_back_failure = conn.read_all().err().map(Failure::from);
    let fields = conn.adapter.results();
    let stored = calls.iter().filter(|c| c.stored).count();
    let generic_unreadable =
        conn.adapter.kind() == BackendKind::Generic && fields.iter().all(|f| f.read_back.is_none());
    let status = if failure.is_some() {
        if stored > 0 {
            Status::Partial
        } else {
            Status::Refused
        }
    } else if fields.iter().all(|f| f.checked) && read_back_failure.is_none() {
        Status::Done
    } else if generic_unreadable && read_back_failure.is_none() {
        Status::StoredUnchecked
    } else {
        Status::Mismatch
    };
    let not_sent = preview
        .plan
        .calls
        .iter()
        .copied()
        .skip(calls.len())
        .collect();
    Report {
        backend: preview.backend,
        url: preview.url.clone(),
        status,
        fields,
        calls,
        not_sent,
        failure,
        read_back_failure,
        relogins: conn.relogins,
        preview,
    }
}
