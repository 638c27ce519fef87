//! What the profile remembers of an online check: which check ([`CheckId`]), its
//! verdict ([`Status`], [`Outcome`], WeChat's own words) and a fingerprint of the
//! values it read ([`CheckRecord`]). Plain data at the bottom of the domain: the
//! profile model holds these, so this file imports nothing that imports the profile.
//! Reading replies into outcomes is `wxapi`'s job; which checks apply, `check`'s.

use serde::{Deserialize, Serialize};

use super::text::truncate;

/// The verdict of one online check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// WeChat's reply proves the values right (and the message says how far).
    Ok,
    /// WeChat says a value is wrong.
    Fail,
    /// Could not check (network, WeChat busy, an unknown or unreadable reply, a
    /// value still missing): says nothing about the values.
    Error,
    /// Not applicable.
    Skipped,
    /// The format is right, and no side-effect-free reply can prove the value
    /// (e.g. the APIv3 key in public-key mode).
    Unproven,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Ok,
        Status::Fail,
        Status::Error,
        Status::Skipped,
        Status::Unproven,
    ];

    /// The serde name: `ok`, `fail`, `error`, `skipped`, `unproven`.
    pub fn key(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Unproven => "unproven",
        }
    }

    /// The check came to a conclusion about the values (right, wrong, or as
    /// right as can be shown), as opposed to "could not check" or "not applicable".
    pub fn is_verdict(self) -> bool {
        matches!(self, Status::Ok | Status::Fail | Status::Unproven)
    }

    /// Something needs attention before the shop is ready: a wrong value, or a
    /// check that could not run. `verify` exits 0 when no check is a problem.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }

    /// A value must be changed ("去修改"): only when WeChat says it is wrong.
    pub fn needs_edit(self) -> bool {
        self == Status::Fail
    }

    /// Worth running again later: nothing was learned about the values.
    pub fn needs_retry(self) -> bool {
        self == Status::Error
    }
}

/// What WeChat itself said: the HTTP status, its code (`errcode`, `err_code` or
/// `return_code`, or the APIv3 `code`) and its message, kept so that the user
/// can quote them to WeChat's support. Never holds a secret: WeChat's replies
/// do not echo the AppSecret or the keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeChatWords {
    pub http: u16,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// "HTTP 401 · SIGN_ERROR · 签名错误": what WeChat said, to quote to its support.
impl std::fmt::Display for WeChatWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.http)?;
        // escaped again when shown: words kept by an older version (or brought
        // by a bundle) were stored as WeChat sent them
        for part in self.code.iter().chain(self.message.iter()) {
            write!(f, " · {}", super::text::printable(part))?;
        }
        Ok(())
    }
}

impl WeChatWords {
    pub fn new(http: u16, code: Option<&str>, message: Option<&str>) -> Self {
        let keep = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(truncate);
        WeChatWords {
            http,
            code: keep(code),
            message: keep(message),
        }
    }
}

/// A check's result: a stable code (also the i18n key `check.<code>`) and the
/// values its message needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    pub code: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
    /// WeChat's own words, when the outcome came from a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat: Option<WeChatWords>,
    /// This computer's clock minus the reply's `Date` header, in seconds, when
    /// the reply had one (see [`clock`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_secs: Option<i64>,
}

impl Outcome {
    pub fn new(status: Status, code: &str) -> Self {
        Outcome {
            status,
            code: code.to_owned(),
            args: Vec::new(),
            wechat: None,
            clock_skew_secs: None,
        }
    }
    pub fn ok(code: &str) -> Self {
        Self::new(Status::Ok, code)
    }
    pub fn fail(code: &str) -> Self {
        Self::new(Status::Fail, code)
    }
    pub fn error(code: &str) -> Self {
        Self::new(Status::Error, code)
    }
    pub fn unproven(code: &str) -> Self {
        Self::new(Status::Unproven, code)
    }
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }
    /// Keeps WeChat's own words with the outcome.
    pub fn heard(mut self, words: WeChatWords) -> Self {
        self.wechat = Some(words);
        self
    }
    /// WeChat said it is busy: worth an automatic retry a moment later. Not
    /// "too many requests" (45011): that is a per-minute quota, and a retry
    /// within seconds only spends it (facts §4b).
    pub fn is_retryable(&self) -> bool {
        matches!(self.code.as_str(), "system_error" | "busy")
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// Mini program AppID + AppSecret.
    MpAppSecret,
    /// Service account AppID + AppSecret (case 2).
    OaAppSecret,
    /// MCHID + APIv2 key, asked with the mini program's AppID.
    PayMp,
    /// The mini program's AppID bound to the MCHID: read from the same
    /// orderquery reply as [`CheckId::PayMp`], which can name a missing binding
    /// but never prove one (facts §4): the merchant confirms it.
    BindingMp,
    /// MCHID + APIv2 key, asked with the service account's AppID (case 2).
    PayOa,
    /// The service account's AppID bound to the MCHID (case 2), as [`CheckId::BindingMp`].
    BindingOa,
    /// Certificate, private key, serial (+ APIv3 key).
    V3Certificates,
}

impl CheckId {
    pub const ALL: [CheckId; 7] = [
        CheckId::MpAppSecret,
        CheckId::OaAppSecret,
        CheckId::PayMp,
        CheckId::BindingMp,
        CheckId::PayOa,
        CheckId::BindingOa,
        CheckId::V3Certificates,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CheckId::MpAppSecret => "mp_appsecret",
            CheckId::OaAppSecret => "oa_appsecret",
            CheckId::PayMp => "pay_mp",
            CheckId::BindingMp => "binding_mp",
            CheckId::PayOa => "pay_oa",
            CheckId::BindingOa => "binding_oa",
            CheckId::V3Certificates => "v3_certificates",
        }
    }

    /// The check whose request gives this item its result: a binding item is
    /// read from its pay check's orderquery reply, never asked on its own.
    pub fn runs_with(self) -> CheckId {
        match self {
            CheckId::BindingMp => CheckId::PayMp,
            CheckId::BindingOa => CheckId::PayOa,
            other => other,
        }
    }

    /// The item read from the same reply as this check, if any.
    pub fn read_along(self) -> Option<CheckId> {
        match self {
            CheckId::PayMp => Some(CheckId::BindingMp),
            CheckId::PayOa => Some(CheckId::BindingOa),
            _ => None,
        }
    }

    /// An item no side-effect-free reply can prove, which the merchant
    /// confirms where WeChat shows it (the AppID bindings).
    pub fn merchant_confirms(self) -> bool {
        matches!(self, CheckId::BindingMp | CheckId::BindingOa)
    }
}

/// A check is named to the user by its localized name, `check.id.<key>`.
impl crate::i18n::Message for CheckId {
    fn key(&self) -> String {
        format!("check.id.{}", CheckId::key(*self))
    }
}

/// A remembered result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub outcome: Outcome,
    /// RFC 3339.
    pub at: String,
    /// Hash of the values checked; a different hash now means the result is stale.
    pub fingerprint: String,
}

/// When a check last passed, and on which values: kept beside its record so
/// that a later "could not check" (offline) does not hide that it passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    /// RFC 3339.
    pub at: String,
    /// The fingerprint of the values that passed.
    pub fingerprint: String,
}

/// A fresh fingerprint salt: 128 random bits, as hex.
pub fn new_salt() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
