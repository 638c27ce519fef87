//! Why a push was not tried or stopped before writing, and the push's texts built
//! from a backend's answer: its own words escaped (they reach a terminal and the
//! window), its status, what was not found.

use serde::Serialize;

use crate::app::ops::OpError;
use crate::domain::backend::{AddressProblem, BackendKind, Ours, Stop};
use crate::domain::backend_kind::BackendPreset;
use crate::domain::profile::Profile;
use crate::domain::push::{self, Mapping};
use crate::i18n::{Arg, Message};
use crate::services::backend_http::SendError;

/// A custom mapping file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct MappingError {
    pub path: String,
    pub reason: String,
}

impl Message for MappingError {
    fn key(&self) -> String {
        "push.bad_mapping".into()
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        vec![
            ("path", self.path.as_str().into()),
            ("reason", self.reason.as_str().into()),
        ]
    }
}

/// The generic receiver's field names for this profile: the contract's, or the
/// user's mapping file (`custom`).
pub fn mapping_of(p: &Profile) -> Result<Mapping, MappingError> {
    match p.backend_preset {
        BackendPreset::Custom => {
            crate::app::ops::read_text(std::path::Path::new(&p.backend_mapping_file))
                .map_err(|e| e.to_string())
                .and_then(|t| push::parse_mapping(&t))
                .map_err(|reason| MappingError {
                    path: p.backend_mapping_file.clone(),
                    reason,
                })
        }
        _ => Ok(Mapping::generic()),
    }
}

/// What is wrong with a typed token or password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialProblem {
    Empty,
    /// A line break or another control character (a pasted CR/LF), at this character.
    Control {
        position: usize,
    },
    /// A token character that is not visible ASCII (`!`..`~`): a no-break space,
    /// U+2028, a letter outside A–Z. A header carries bytes as they are, so
    /// such a token would be sent raw and never match (third CLI trial minor 2).
    NotVisibleAscii {
        position: usize,
    },
}

impl CredentialProblem {
    /// The character it is about (1-based), when it is about one.
    pub fn position(self) -> Option<usize> {
        match self {
            CredentialProblem::Empty => None,
            CredentialProblem::Control { position }
            | CredentialProblem::NotVisibleAscii { position } => Some(position),
        }
    }

    /// Its text, `push.credential_<kind>`.
    pub fn key(self) -> &'static str {
        match self {
            CredentialProblem::Empty => "push.credential_empty",
            CredentialProblem::Control { .. } => "push.credential_control",
            CredentialProblem::NotVisibleAscii { .. } => "push.credential_not_ascii",
        }
    }
}

/// A token or password as it may be sent in a header or form: not empty, no control
/// characters (a CR/LF in a header value would fail every later push).
pub fn check_credential(s: &str) -> Result<(), CredentialProblem> {
    if s.is_empty() {
        return Err(CredentialProblem::Empty);
    }
    match s.chars().position(char::is_control) {
        Some(at) => Err(CredentialProblem::Control { position: at + 1 }),
        None => Ok(()),
    }
}

/// A receiver's access token as it may be sent in `Authorization: Bearer …`:
/// the rules of [`check_credential`], and only visible ASCII (RFC 6750's
/// token characters are a subset), so nothing is sent that is not what the
/// receiver issued. Every input path applies it: `--token-file`, the import
/// file, a bundle, the window.
pub fn check_token(s: &str) -> Result<(), CredentialProblem> {
    check_credential(s)?;
    match s.chars().position(|c| !c.is_ascii_graphic()) {
        Some(at) => Err(CredentialProblem::NotVisibleAscii { position: at + 1 }),
        None => Ok(()),
    }
}

/// A credential given for a push: the token by [`check_token`], a password by
/// [`check_credential`] (a password goes in a form body, where any letter is fine).
pub fn check_input(what: &str, s: &str) -> Result<(), CredentialProblem> {
    if what == "token" {
        check_token(s)
    } else {
        check_credential(s)
    }
}

/// The text for a refused backend address: one without a scheme (copied from the
/// address bar without it) is told to add `https://`; one of another kind
/// (`file://`, `ftp://`) that only web addresses work; else the HTTPS rule
/// (third CLI trial minor 4).
pub fn insecure_url_key(url: &str) -> &'static str {
    let u = url.trim().to_ascii_lowercase();
    match u.split_once("://") {
        None => "push.insecure_url_no_scheme",
        Some(("http" | "https", _)) => "push.insecure_url",
        Some(_) => "push.insecure_url_not_web",
    }
}

/// Why a push was not tried, or stopped before anything was written.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("no backend chosen")]
    NoBackend,
    #[error("bad backend {0}")]
    BadBackend(String),
    #[error("no URL")]
    NoUrl,
    #[error("insecure URL {0}")]
    InsecureUrl(String),
    #[error("bad address")]
    BadAddress(BackendKind, AddressProblem),
    #[error(transparent)]
    BadMapping(#[from] MappingError),
    #[error("--mapping with a backend of its own")]
    MappingNotGeneric(BackendKind),
    /// `--token-file` with a backend that logs in with an admin account instead.
    #[error("--token-file with a backend of its own login")]
    TokenNotGeneric(BackendKind),
    #[error("no token")]
    NoToken,
    #[error("no account")]
    NoAccount,
    #[error("no password")]
    NoPassword,
    /// The kept password (`what`: `password`) or receiver token (`token`) was
    /// accepted at another address (`kept_for`, an origin; empty: a profile that
    /// recorded none): it is not sent to `url` (`kept::may_send`), nothing is.
    #[error("kept {what} belongs to another address")]
    KeptElsewhere {
        what: &'static str,
        kept_for: String,
        url: String,
    },
    #[error("bad {what}")]
    BadCredential {
        what: &'static str,
        problem: CredentialProblem,
    },
    /// The backend refused the login (`密码错误`) or asks for a captcha.
    #[error("login refused")]
    Login(BackendKind, Stop),
    /// Reading what the backend holds failed (nothing was written).
    #[error("read failed")]
    Read(BackendKind, Stop),
    /// No answer (nothing was written).
    #[error("network: {1}")]
    Net(BackendKind, SendError),
    /// The backend requires values this shop does not have: nothing was sent.
    #[error("values missing")]
    Needs(BackendKind, Vec<Ours>),
    /// The shop's certificate is another merchant's, or its key is not the
    /// certificate's pair (the shop's own certificate checks): nothing was sent.
    #[error("certificate not this shop's")]
    Certificate(BackendKind, Vec<crate::domain::problem::Problem>),
    /// The shop or the backend changed since the preview: look again before sending.
    #[error("changed since the preview")]
    Changed,
}

impl PushError {
    /// Stable code for `push --json`.
    pub fn code(&self) -> &'static str {
        match self {
            PushError::Op(e) => e.code(),
            PushError::NoBackend => "no_backend",
            PushError::BadBackend(_) => "bad_backend",
            PushError::NoUrl => "no_url",
            PushError::InsecureUrl(_) => "insecure_url",
            PushError::BadAddress(..) => "bad_address",
            PushError::BadMapping(_) => "bad_mapping",
            PushError::MappingNotGeneric(_) => "mapping_not_generic",
            PushError::TokenNotGeneric(_) => "token_not_generic",
            PushError::NoToken => "no_token",
            PushError::NoAccount => "no_account",
            PushError::NoPassword => "no_password",
            PushError::KeptElsewhere { .. } => "kept_elsewhere",
            PushError::BadCredential { .. } => "bad_credential",
            PushError::Login(_, s) => match s {
                Stop::Captcha { .. } => "captcha",
                _ => "login_refused",
            },
            PushError::Read(_, s) => s.code(),
            PushError::Net(_, e) => e.code(),
            PushError::Needs(..) => "needs_values",
            PushError::Certificate(..) => "certificate",
            PushError::Changed => "changed",
        }
    }

    /// The user's input is wrong or incomplete (exit 2), rather than the world.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            PushError::NoBackend
                | PushError::BadBackend(_)
                | PushError::NoUrl
                | PushError::InsecureUrl(_)
                | PushError::BadAddress(..)
                | PushError::BadMapping(_)
                | PushError::MappingNotGeneric(_)
                | PushError::TokenNotGeneric(_)
                | PushError::NoToken
                | PushError::NoAccount
                | PushError::NoPassword
                | PushError::KeptElsewhere { .. }
                | PushError::BadCredential { .. }
        )
    }

    /// One value of every variant that has a text of its own (for the texts test).
    pub fn samples() -> Vec<PushError> {
        let la = BackendKind::Likeadmin;
        let mut all = vec![
            PushError::NoBackend,
            PushError::BadBackend("magento".into()),
            PushError::NoUrl,
            PushError::InsecureUrl("http://10.0.0.1".into()),
            PushError::BadAddress(la, AddressProblem::NotAnAddress),
            PushError::BadAddress(BackendKind::Shopxo, AddressProblem::NoShopxoEntry),
            PushError::MappingNotGeneric(la),
            PushError::TokenNotGeneric(la),
            PushError::NoToken,
            PushError::NoAccount,
            PushError::NoPassword,
            PushError::KeptElsewhere {
                what: "password",
                kept_for: "https://old.example.com".into(),
                url: "https://new.example.com".into(),
            },
            PushError::KeptElsewhere {
                what: "password",
                kept_for: String::new(),
                url: "https://new.example.com".into(),
            },
            PushError::KeptElsewhere {
                what: "token",
                kept_for: "https://old.example.com".into(),
                url: "https://new.example.com".into(),
            },
            PushError::KeptElsewhere {
                what: "token",
                kept_for: String::new(),
                url: "https://new.example.com".into(),
            },
            PushError::BadCredential {
                what: "password",
                problem: CredentialProblem::Empty,
            },
            PushError::BadCredential {
                what: "token",
                problem: CredentialProblem::Control { position: 3 },
            },
            PushError::Needs(la, vec![Ours::ApiKeyV3, Ours::Certificate]),
            PushError::Certificate(
                la,
                vec![
                    crate::domain::problem::Problem::error("cert_mchid_mismatch")
                        .with("cert", "1900006032")
                        .with("entered", "1900006031"),
                ],
            ),
            PushError::Changed,
        ];
        all.push(PushError::Read(
            BackendKind::Generic,
            Stop::Refused {
                message: "no".into(),
            },
        ));
        for s in Stop::samples() {
            all.push(PushError::Login(la, s.clone()));
            all.push(PushError::Read(BackendKind::Crmeb, s));
        }
        for e in SendError::samples() {
            all.push(PushError::Net(la, e));
        }
        all
    }
}

impl From<crate::services::secret_store::StoreError> for PushError {
    fn from(e: crate::services::secret_store::StoreError) -> Self {
        PushError::Op(e.into())
    }
}

impl From<crate::services::profile_store::StorageError> for PushError {
    fn from(e: crate::services::profile_store::StorageError) -> Self {
        PushError::Op(e.into())
    }
}

/// A backend's name as the merchant knows it.
pub fn backend_arg(k: BackendKind) -> Arg {
    Arg::Key(format!("backend.kind.{}", k.name()))
}

impl Message for PushError {
    fn key(&self) -> String {
        match self {
            PushError::Op(e) => e.key(),
            PushError::BadMapping(e) => e.key(),
            PushError::BadAddress(_, p) => match p {
                AddressProblem::NotAnAddress => "push.bad_address".into(),
                AddressProblem::NoShopxoEntry => "push.no_shopxo_entry".into(),
            },
            PushError::BadCredential { problem, .. } => problem.key().into(),
            PushError::Login(_, s) => format!("push.login_{}", s.code()),
            // the generic receiver takes a token: no account whose rights to name
            PushError::Read(BackendKind::Generic, s @ Stop::Refused { .. }) => {
                format!("push.read_{}_generic", s.code())
            }
            PushError::Read(_, s) => format!("push.read_{}", s.code()),
            PushError::Net(_, e) => e.key(),
            PushError::InsecureUrl(url) => insecure_url_key(url).into(),
            PushError::KeptElsewhere { what, kept_for, .. } => format!(
                "push.kept_{what}_{}",
                if kept_for.is_empty() {
                    "unrecorded"
                } else {
                    "elsewhere"
                }
            ),
            other => format!("push.{}", other.code()),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            PushError::Op(e) => e.args(),
            PushError::BadMapping(e) => e.args(),
            PushError::InsecureUrl(url) => vec![("url", url.as_str().into())],
            PushError::KeptElsewhere { kept_for, url, .. } => vec![
                ("kept_for", kept_for.as_str().into()),
                ("url", url.as_str().into()),
            ],
            PushError::BadBackend(v) => vec![("value", crate::domain::text::printable(v).into())],
            PushError::BadAddress(k, _)
            | PushError::MappingNotGeneric(k)
            | PushError::TokenNotGeneric(k) => {
                vec![("backend", backend_arg(*k))]
            }
            PushError::BadCredential { what, problem } => {
                let mut a = vec![("what", Arg::Key(format!("push.what_{what}")))];
                if let Some(position) = problem.position() {
                    a.push(("position", position.to_string().into()));
                }
                a
            }
            PushError::Login(k, s) | PushError::Read(k, s) => stop_args(*k, s),
            PushError::Net(k, e) => {
                let mut a = e.args();
                a.push(("backend", backend_arg(*k)));
                a
            }
            PushError::Needs(k, needs) => {
                vec![("backend", backend_arg(*k)), ("fields", ours_list(needs))]
            }
            // the worst one, in the words of the shop's own certificate check
            PushError::Certificate(k, problems) => vec![
                ("backend", backend_arg(*k)),
                (
                    "problem",
                    problems
                        .first()
                        .map(|p| Arg::Nested(p.key(), p.args()))
                        .unwrap_or_else(|| Arg::Text(String::new())),
                ),
            ],
            PushError::NoBackend
            | PushError::NoUrl
            | PushError::NoToken
            | PushError::NoAccount
            | PushError::NoPassword
            | PushError::Changed => Vec::new(),
        }
    }
}

/// The arguments of a backend's answer: its words (escaped: they reach a terminal),
/// the status and detail of an unexpected reply, what was not found.
pub fn stop_args(k: BackendKind, s: &Stop) -> Vec<(&'static str, Arg)> {
    let mut a = vec![("backend", backend_arg(k))];
    match s {
        Stop::Refused { message }
        | Stop::LoggedOut { message }
        | Stop::Captcha { message }
        | Stop::Token { message } => {
            a.push((
                "message",
                crate::domain::text::quoted(&crate::domain::backend::snippet(message)),
            ));
        }
        Stop::Unexpected { status, detail } | Stop::Temporary { status, detail } => {
            a.push(("status", status.to_string().into()));
            a.push(("detail", crate::domain::text::quoted(detail)));
        }
        Stop::NotFound { what } => {
            a.push(("what", Arg::Key(format!("backend.not_found.{what}"))));
        }
    }
    a
}

/// Field labels in the reader's language, joined.
pub fn ours_list(list: &[Ours]) -> Arg {
    Arg::List(
        list.iter()
            .map(|o| Arg::Key(format!("backend_field.{}", o.key())))
            .collect(),
    )
}
