//! Writing a shop's WeChat Pay configuration into its shop backend the way that
//! backend's own settings page does: one module per backend (likeadmin, CRMEB, ShopXO,
//! the generic receiver of docs/push-api.md), each a pure [`Adapter`]: it builds the
//! requests (log in, read what the backend holds, write, read back) and judges each
//! reply *from its body*, because every one of them answers HTTP 200 to a refusal
//! (../shared/backends/README.md). The app's driver sends the requests; nothing here
//! does I/O, so every step is unit-tested and every reply parser fuzzed.
//!
//! The rule every adapter keeps: read first, send back everything the backend holds
//! that we do not manage (likeadmin's and ShopXO's pages empty what they are not
//! sent), and call a field "checked" only when the read-back returned it equal.

pub mod crmeb;
pub mod form;
pub mod generic;
pub mod likeadmin;
pub mod shopxo;

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::backend_kind::BackendKind;
use super::profile::{Profile, SecretField, SiteKind};
use super::secret::Secret;

/// The values of ours a backend may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ours {
    PaymentName,
    MpAppId,
    MpAppSecret,
    MchId,
    ApiKeyV2,
    ApiKeyV3,
    OaAppId,
    OaAppSecret,
    CertSerial,
    PublicKeyId,
    PublicKeyPem,
    /// `apiclient_cert.pem`, the merchant certificate (public).
    Certificate,
    /// `apiclient_key.pem`, the merchant private key.
    PrivateKey,
}

impl Ours {
    pub const ALL: [Ours; 13] = [
        Ours::PaymentName,
        Ours::MpAppId,
        Ours::MpAppSecret,
        Ours::MchId,
        Ours::ApiKeyV2,
        Ours::ApiKeyV3,
        Ours::OaAppId,
        Ours::OaAppSecret,
        Ours::CertSerial,
        Ours::PublicKeyId,
        Ours::PublicKeyPem,
        Ours::Certificate,
        Ours::PrivateKey,
    ];

    /// Also the i18n key (`backend_field.<key>`) and the generic contract's name.
    pub fn key(self) -> &'static str {
        match self {
            Ours::PaymentName => "payment_name",
            Ours::MpAppId => "mp_appid",
            Ours::MpAppSecret => "mp_appsecret",
            Ours::MchId => "mchid",
            Ours::ApiKeyV2 => "api_key_v2",
            Ours::ApiKeyV3 => "api_key_v3",
            Ours::OaAppId => "oa_appid",
            Ours::OaAppSecret => "oa_appsecret",
            Ours::CertSerial => "cert_serial_no",
            Ours::PublicKeyId => "public_key_id",
            Ours::PublicKeyPem => "public_key_pem",
            Ours::Certificate => "apiclient_cert",
            Ours::PrivateKey => "apiclient_key",
        }
    }

    /// Tied to one merchant or one app: a backend's value of it is another's until
    /// this shop's own replaces it (everything but the payment method's display name).
    pub fn bound(self) -> bool {
        self != Ours::PaymentName
    }

    pub fn secret(self) -> bool {
        matches!(
            self,
            Ours::MpAppSecret
                | Ours::ApiKeyV2
                | Ours::ApiKeyV3
                | Ours::OaAppSecret
                | Ours::PrivateKey
        )
    }
}

/// Our side of a push: every value the profile and the keychain hold, trimmed;
/// `None` when not set. Service-account values only for a case-2 shop.
#[derive(Clone, Default)]
pub struct Values {
    values: BTreeMap<Ours, String>,
    pub site: Option<SiteKind>,
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // which values are set, never what they are
        f.debug_struct("Values")
            .field("set", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Values {
    pub fn of(p: &Profile, secrets: &BTreeMap<SecretField, Secret>) -> Values {
        let secret = |f| {
            secrets
                .get(&f)
                .map(|s: &Secret| s.expose().trim().to_owned())
        };
        let cert = p.certificate.as_ref();
        let mut all: Vec<(Ours, Option<String>)> = vec![
            (Ours::PaymentName, Some(p.payment_name.trim().to_owned())),
            (Ours::MpAppId, Some(p.mp_appid.trim().to_owned())),
            (Ours::MpAppSecret, secret(SecretField::MpAppSecret)),
            (Ours::MchId, Some(p.mchid.trim().to_owned())),
            (Ours::ApiKeyV2, secret(SecretField::ApiKeyV2)),
            (Ours::ApiKeyV3, secret(SecretField::ApiKeyV3)),
            (Ours::CertSerial, cert.map(|c| c.serial.clone())),
            (Ours::PublicKeyId, Some(p.public_key_id.trim().to_owned())),
            (Ours::PublicKeyPem, Some(p.public_key_pem.trim().to_owned())),
            (Ours::Certificate, cert.map(|c| c.certificate_pem.clone())),
            (Ours::PrivateKey, secret(SecretField::PrivateKey)),
        ];
        let site = p.site_kind_or_default();
        if site.needs_service_account() {
            all.push((Ours::OaAppId, Some(p.oa_appid.trim().to_owned())));
            all.push((Ours::OaAppSecret, secret(SecretField::OaAppSecret)));
        }
        Values {
            values: all
                .into_iter()
                .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
                .collect(),
            site: Some(site),
        }
    }

    /// Values for tests and the fuzz target.
    pub fn from_pairs(site: SiteKind, pairs: &[(Ours, &str)]) -> Values {
        Values {
            values: pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect(),
            site: Some(site),
        }
    }

    pub fn get(&self, o: Ours) -> Option<&str> {
        self.values.get(&o).map(String::as_str)
    }

    pub fn case_two(&self) -> bool {
        self.site.is_some_and(SiteKind::needs_service_account)
    }
}

// ----- requests and replies ------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    Get,
    Post,
}

/// One part of a multipart form.
#[derive(Clone)]
pub enum Part {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        file_name: String,
        content: String,
    },
}

impl Part {
    pub fn name(&self) -> &str {
        match self {
            Part::Text { name, .. } | Part::File { name, .. } => name,
        }
    }
}

#[derive(Clone)]
pub enum Body {
    Empty,
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded`, in order.
    Form(Vec<(String, String)>),
    Multipart(Vec<Part>),
}

/// A request an adapter asks the driver to send. Its headers carry the session
/// (a token or cookie) and its body secrets: it is never printed (see `Debug`).
#[derive(Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = match &self.body {
            Body::Empty | Body::Json(_) => Vec::new(),
            Body::Form(pairs) => pairs.iter().map(|(k, _)| k.as_str()).collect(),
            Body::Multipart(parts) => parts.iter().map(Part::name).collect(),
        };
        write!(f, "{:?} {} {names:?}", self.method, self.url)
    }
}

impl Request {
    pub fn get(url: String) -> Request {
        Request {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn post(url: String, body: Body) -> Request {
        Request {
            method: Method::Post,
            url,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The value of a form field or JSON member sent (for tests and the stand-ins).
    pub fn field(&self, name: &str) -> Option<String> {
        match &self.body {
            Body::Form(pairs) => pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            Body::Json(v) => v.pointer(name).map(json_text),
            Body::Multipart(parts) => parts.iter().find_map(|p| match p {
                Part::Text { name: n, value } if n == name => Some(value.clone()),
                Part::File {
                    name: n, content, ..
                } if n == name => Some(content.clone()),
                _ => None,
            }),
            Body::Empty => None,
        }
    }
}

/// What came back: the status, the body (already cut at the reader's limit by the
/// HTTP service) and the `Set-Cookie` values (ShopXO's session).
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub set_cookies: Vec<String>,
    /// A redirect's `Location` (redirects are not followed: the report names it).
    pub location: Option<String>,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            set_cookies: Vec::new(),
            location: None,
        }
    }
}

/// Why a step did not succeed, judged from the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stop {
    /// The backend said no, in its own words (`密码错误`, `微信支付证书不能为空`).
    Refused { message: String },
    /// The session ended (likeadmin `code -1`, CRMEB `1100xx`, ShopXO `-400`).
    LoggedOut { message: String },
    /// The login wants a picture or slider check this program cannot do.
    Captcha { message: String },
    /// A token the generic receiver does not accept (401/403).
    Token { message: String },
    /// Not an answer of that backend's admin API: an HTML page, a 404, a redirect...
    Unexpected { status: u16, detail: String },
    /// Worth trying again (the generic receiver's 5xx).
    Temporary { status: u16, detail: String },
    /// What the settings page edits is not there (no WeChat Pay row, plugin not installed).
    NotFound { what: &'static str },
}

impl Stop {
    pub fn code(&self) -> &'static str {
        match self {
            Stop::Refused { .. } => "refused",
            Stop::LoggedOut { .. } => "logged_out",
            Stop::Captcha { .. } => "captcha",
            Stop::Token { .. } => "token",
            Stop::Unexpected { .. } => "unexpected",
            Stop::Temporary { .. } => "temporary",
            Stop::NotFound { .. } => "not_found",
        }
    }

    /// The backend's own words, when it gave some.
    pub fn message(&self) -> Option<&str> {
        match self {
            Stop::Refused { message }
            | Stop::LoggedOut { message }
            | Stop::Captcha { message }
            | Stop::Token { message } => Some(message),
            _ => None,
        }
    }

    /// One value of every variant (for the texts test).
    pub fn samples() -> Vec<Stop> {
        vec![
            Stop::Refused {
                message: "密码错误".into(),
            },
            Stop::LoggedOut {
                message: "登录超时，请重新登录".into(),
            },
            Stop::Captcha {
                message: "图片验证码不能为空".into(),
            },
            Stop::Token {
                message: "invalid token".into(),
            },
            Stop::Unexpected {
                status: 404,
                detail: "<html>".into(),
            },
            Stop::Temporary {
                status: 503,
                detail: "busy".into(),
            },
            Stop::NotFound {
                what: "likeadmin_pay_row",
            },
        ]
    }

    /// For the log of a reply that is not the backend's JSON: status and the body's start.
    pub fn unexpected(reply: &Reply) -> Stop {
        let detail = match &reply.location {
            // a redirect: where it leads says more than its (usually empty) body
            Some(to) if (300..400).contains(&reply.status) => format!("→ {}", clip(to)),
            _ => snippet(&reply.body),
        };
        Stop::Unexpected {
            status: reply.status,
            detail,
        }
    }
}

/// The start of a text someone else wrote, kept short (its printing escapes the rest);
/// a body that is not text (a gzip stream, an image) only by its size.
pub fn snippet(s: &str) -> String {
    crate::domain::text::quote_reply(s, 160)
}

/// A value or an address the backend holds, cut to 160 characters (shown
/// escaped where it is shown): not a reply's body, so never "an empty reply".
pub fn clip(s: &str) -> String {
    let s = s.trim();
    let mut out: String = s.chars().take(160).collect();
    if s.chars().count() > 160 {
        out.push('…');
    }
    out
}

/// A JSON body as an object, or why not: what every adapter reads first.
pub fn json_object(reply: &Reply) -> Result<serde_json::Map<String, serde_json::Value>, Stop> {
    match serde_json::from_str::<serde_json::Value>(reply.body.trim_start_matches('\u{feff}')) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(Stop::unexpected(reply)),
    }
}

/// A JSON value as the text a form would show: strings as they are, numbers and
/// booleans written out, `null` and absence as empty.
pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        other => other.to_string(),
    }
}

/// A member's text: `""` when absent.
pub fn member(m: &serde_json::Map<String, serde_json::Value>, name: &str) -> String {
    m.get(name).map(json_text).unwrap_or_default()
}

/// The number in a reply's `code` or `status` member (likeadmin and ShopXO send
/// numbers, some versions strings).
pub fn number(m: &serde_json::Map<String, serde_json::Value>, name: &str) -> Option<i64> {
    match m.get(name)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The backend's own words for a verdict: its `msg`, or (when it gave none) the
/// member that carried the verdict and its value (`code 0`, `status 400`).
pub fn words(m: &serde_json::Map<String, serde_json::Value>, verdict: &str) -> String {
    let msg = member(m, "msg");
    if msg.is_empty() {
        format!("{verdict} {}", member(m, verdict))
    } else {
        msg
    }
}

/// The same value as the backend compares them: PEM texts with CRLF or trailing
/// blank lines are the same PEM; other values trimmed.
pub fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n").trim().to_owned();
    norm(a) == norm(b)
}

// ----- what a push shows and reports -----------------------------------------------------

/// A value as the preview and the report show it: secrets masked, PEMs by what they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "shown", rename_all = "snake_case")]
pub enum Shown {
    Empty,
    /// The backend offers no read (a generic receiver without its GET).
    Unknown,
    Plain {
        text: String,
    },
    /// A secret: that it is there, how long, and whether it is ours.
    Masked {
        chars: usize,
        ours: bool,
    },
    Certificate {
        serial: Option<String>,
    },
    PrivateKey {
        ours: bool,
    },
    /// Where the backend keeps an uploaded file (CRMEB).
    Path {
        path: String,
    },
    /// A secret of the backend's own that is not ours (the service account's token
    /// and AES key, sent back as held): that it is there and how long, never what.
    Hidden {
        chars: usize,
    },
}

/// A field we do not manage whose name says it is a secret (`token`,
/// `encoding_aes_key`, a plugin's `*_secret`): shown masked, like ours.
pub fn secret_name(field: &str) -> bool {
    let f = field
        .rsplit('.')
        .next()
        .unwrap_or(field)
        .to_ascii_lowercase();
    ["secret", "token", "key", "password", "pwd"]
        .iter()
        .any(|w| f.contains(w))
}

impl Shown {
    /// How `value` (held by the backend, or ours to send) is shown for `what`.
    pub fn of(what: Option<Ours>, value: &str, ours: Option<&str>) -> Shown {
        let is_ours = ours.is_some_and(|o| same(o, value));
        if value.trim().is_empty() {
            return Shown::Empty;
        }
        match what {
            Some(Ours::Certificate) if value.contains("-----BEGIN") => Shown::Certificate {
                serial: cert_serial(value),
            },
            Some(Ours::Certificate | Ours::PrivateKey) if value.starts_with('/') => {
                Shown::Path { path: clip(value) }
            }
            Some(Ours::PrivateKey) => Shown::PrivateKey { ours: is_ours },
            Some(o) if o.secret() => Shown::Masked {
                chars: value.chars().count(),
                ours: is_ours,
            },
            _ => Shown::Plain { text: clip(value) },
        }
    }
}

/// How the preview and the report say a value: `backend.shown.<kind>`. Text from
/// the backend is escaped ([`crate::domain::text::printable`]): it reaches a terminal.
impl crate::i18n::Message for Shown {
    fn key(&self) -> String {
        let k = match self {
            Shown::Empty => "empty",
            Shown::Unknown => "unknown",
            Shown::Plain { .. } => "plain",
            Shown::Masked { ours: true, .. } => "masked_ours",
            Shown::Masked { chars: 0, .. } => "masked_other",
            // "1 character", not "1 characters"
            Shown::Masked { chars: 1, .. } => "masked_one",
            Shown::Masked { .. } => "masked",
            Shown::Certificate { serial: Some(_) } => "certificate",
            Shown::Certificate { serial: None } => "certificate_unreadable",
            Shown::PrivateKey { ours: true } => "private_key_ours",
            Shown::PrivateKey { ours: false } => "private_key",
            Shown::Path { .. } => "path",
            Shown::Hidden { chars: 1 } => "hidden_one",
            Shown::Hidden { .. } => "hidden",
        };
        format!("backend.shown.{k}")
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::domain::text::printable;
        match self {
            // a backend's own code for a choice is said as its page says it
            Shown::Plain { text } if CODED_VALUES.contains(&text.as_str()) => {
                vec![(
                    "text",
                    crate::i18n::Arg::Key(format!("backend.value.{text}")),
                )]
            }
            Shown::Plain { text } => vec![("text", printable(text).into())],
            Shown::Masked { chars, .. } | Shown::Hidden { chars } => {
                vec![("chars", chars.to_string().into())]
            }
            Shown::Certificate { serial: Some(s) } => vec![("serial", printable(s).into())],
            Shown::Path { path } => vec![("path", printable(path).into())],
            _ => Vec::new(),
        }
    }
}

/// The key of a field's label as its backend's own settings page shows it (one
/// table per backend, `LABELS` in its module): `backend.label_<backend>.<key>`.
/// `None` for the generic receiver (its names are the contract's) and for a field
/// the table does not know (a ShopXO plugin version's own).
pub fn label_key(backend: BackendKind, field: &str) -> Option<String> {
    let table = match backend {
        BackendKind::Likeadmin => likeadmin::LABELS,
        BackendKind::Crmeb => crmeb::LABELS,
        BackendKind::Shopxo => shopxo::LABELS,
        BackendKind::Generic => return None,
    };
    table
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, k)| format!("backend.label_{}.{k}", backend.name()))
}

/// A field as the preview and the report name it: the label its backend's own page
/// shows (`微信支付配置 › 微信支付商户号`); else our label and the field's name
/// (`商户号（mchid）`), or only the name of a field we send back unchanged.
pub struct FieldLabel<'a> {
    pub backend: BackendKind,
    pub ours: Option<Ours>,
    pub field: &'a str,
}

impl crate::i18n::Message for FieldLabel<'_> {
    fn key(&self) -> String {
        if let Some(k) = label_key(self.backend, self.field) {
            return k;
        }
        match self.ours {
            Some(_) => "backend.field_label".into(),
            None => "backend.field_plain".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        if label_key(self.backend, self.field).is_some() {
            return Vec::new();
        }
        let mut a = vec![("field", crate::domain::text::printable(self.field).into())];
        if let Some(o) = self.ours {
            a.push((
                "label",
                crate::i18n::Arg::Key(format!("backend_field.{}", o.key())),
            ));
        }
        a
    }
}

/// The fields sent back unchanged, by their labels (`push.kept`).
pub struct Kept<'a> {
    pub backend: BackendKind,
    pub fields: &'a [String],
}

impl crate::i18n::Message for Kept<'_> {
    fn key(&self) -> String {
        "push.kept".into()
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::Arg;
        let labels: Vec<Arg> = self
            .fields
            .iter()
            .map(|f| {
                let l = FieldLabel {
                    backend: self.backend,
                    ours: None,
                    field: f,
                };
                Arg::Nested(l.key(), l.args())
            })
            .collect();
        vec![("fields", Arg::List(labels))]
    }
}

impl crate::i18n::Message for Cannot {
    fn key(&self) -> String {
        format!("backend.cannot.{}", self.why)
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        vec![(
            "field",
            crate::i18n::Arg::Key(format!("backend_field.{}", self.ours.key())),
        )]
    }
}

/// Every call name an adapter may report (`backend.call.<name>`), for the texts test.
pub const CALLS: &[&str] = &[
    "likeadmin_mnp",
    "likeadmin_oa",
    "likeadmin_pay",
    "crmeb_upload_cert",
    "crmeb_upload_key",
    "crmeb_save",
    "shopxo_save",
    "generic_post",
];

/// Every reason a backend cannot hold a value (`backend.cannot.<why>`).
pub const CANNOT_WHY: &[&str] = &[
    "likeadmin_no_v2",
    "likeadmin_no_public_key",
    "crmeb_no_public_key",
    "crmeb_no_payment_name",
    "shopxo_v2_only",
    "shopxo_secret_elsewhere",
];

/// Every `Stop::NotFound` subject (`backend.not_found.<what>`).
pub const NOT_FOUND: &[&str] = &[
    "likeadmin_pay_row",
    "shopxo_weixin_missing",
    "shopxo_weixin_not_installed",
];

/// The serial of a certificate in PEM, as WeChat writes it (upper-case hex).
pub fn cert_serial(pem: &str) -> Option<String> {
    let (_, der) = x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).ok()?;
    let cert = der.parse_x509().ok()?;
    Some(
        cert.raw_serial_as_string()
            .replace(':', "")
            .to_ascii_uppercase(),
    )
}

/// One field of the preview: what the backend holds now and what it will hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    /// The backend's own name for it (`config.mch_id`, `pay_weixin_mchid`, `plugins_key`).
    pub field: String,
    pub ours: Option<Ours>,
    pub now: Shown,
    pub will: Shown,
    /// `now` and `will` differ.
    pub changes: bool,
}

/// Something of ours the backend has no place for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cannot {
    pub ours: Ours,
    /// `backend.cannot.<why>` explains it.
    pub why: &'static str,
}

/// A field the backend holds that this push reads and shows but leaves as it is:
/// the service account's AppID of a mini-program-only shop (case 1), which the shop
/// has none of to send, and which we never empty (the merchant set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Left {
    /// The backend's own name for it (its page's label names it).
    pub field: String,
    pub ours: Option<Ours>,
    pub now: Shown,
    /// `backend.left.<why>` says why it is not sent.
    pub why: &'static str,
}

/// Something the backend holds, that this push leaves as it is, and that the backend
/// pairs with what the push stored: a mini-program-only shop's merchant number used
/// with the service-account AppID another shop (or an old setup) left there, in the
/// scenes where the backend offers WeChat Pay with that AppID. The push still stored
/// and checked everything it sent; the owner is told what it means and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `backend.warning.<why>` (`..._unknown` when the scenes are not known).
    pub why: &'static str,
    pub backend: BackendKind,
    /// The backend field that pairs with ours.
    pub field: String,
    /// What it holds.
    pub holds: Shown,
    /// Where the backend offers WeChat Pay with it (`backend.scene.<key>`); `None`
    /// when the backend did not say (its own page, then, is where to look).
    pub scenes: Option<Vec<&'static str>>,
}

/// Every scene a warning may name (`backend.scene.<key>`), for the texts test.
pub const SCENES: &[&str] = &["mnp", "oa", "h5", "pc", "app"];

/// Every warning (`backend.warning.<why>`), for the texts test.
pub const WARNINGS: &[&str] = &["likeadmin_oa_appid", "crmeb_oa_appid", "shopxo_oa_appid"];

/// A backend's codes for a choice, shown in words (`backend.value.<code>`):
/// likeadmin's 商户类型 `ordinary_merchant` is 普通商户 on its page.
pub const CODED_VALUES: &[&str] = &["ordinary_merchant"];

/// Every reason a held value is left as it is (`backend.left.<why>`).
pub const LEFT_WHY: &[&str] = &["no_service_account"];

impl Warning {
    /// The service account's AppID of a case-1 shop, held by the backend and used
    /// with this merchant number in `scenes` (none: nothing to warn about).
    pub fn service_account(
        backend: BackendKind,
        field: &str,
        held: &str,
        scenes: Option<Vec<&'static str>>,
    ) -> Option<Warning> {
        if held.trim().is_empty() || scenes.as_ref().is_some_and(Vec::is_empty) {
            return None;
        }
        Some(Warning {
            why: match backend {
                BackendKind::Crmeb => "crmeb_oa_appid",
                BackendKind::Shopxo => "shopxo_oa_appid",
                _ => "likeadmin_oa_appid",
            },
            backend,
            field: field.to_owned(),
            holds: Shown::of(Some(Ours::OaAppId), held, None),
            scenes,
        })
    }
}

impl Warning {
    /// What the push record keeps of it (no secret).
    pub fn kept(&self) -> crate::domain::profile::PushWarning {
        crate::domain::profile::PushWarning {
            field: self.field.clone(),
            holds: match &self.holds {
                Shown::Plain { text } => text.clone(),
                _ => String::new(),
            },
            scenes: self
                .scenes
                .as_ref()
                .map(|s| s.iter().map(|k| (*k).to_owned()).collect()),
        }
    }

    /// The warning a push record kept, for the backend it went to (unknown
    /// scene names are dropped).
    pub fn from_kept(
        backend: BackendKind,
        w: &crate::domain::profile::PushWarning,
    ) -> Option<Warning> {
        let scenes = w.scenes.as_ref().map(|s| {
            s.iter()
                .filter_map(|k| SCENES.iter().find(|known| *known == k).copied())
                .collect()
        });
        Warning::service_account(backend, &w.field, &w.holds, scenes)
    }
}

impl crate::i18n::Message for Warning {
    fn key(&self) -> String {
        match self.scenes {
            Some(_) => format!("backend.warning.{}", self.why),
            None => format!("backend.warning.{}_unknown", self.why),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::Arg;
        let label = FieldLabel {
            backend: self.backend,
            ours: Some(Ours::OaAppId),
            field: &self.field,
        };
        let scenes = self
            .scenes
            .iter()
            .flatten()
            .map(|s| Arg::Key(format!("backend.scene.{s}")))
            .collect();
        vec![
            ("field", Arg::Nested(label.key(), label.args())),
            ("holds", Arg::Nested(self.holds.key(), self.holds.args())),
            ("scenes", Arg::List(scenes)),
        ]
    }
}

impl crate::i18n::Message for Left {
    fn key(&self) -> String {
        format!("backend.left.{}", self.why)
    }
}

/// What a push will do, before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Plan {
    pub rows: Vec<PlanRow>,
    /// Fields the backend holds and we do not manage, sent back unchanged.
    pub kept: Vec<String>,
    pub cannot: Vec<Cannot>,
    /// Values the backend requires that we do not have (and it does not hold):
    /// nothing is sent while any is missing.
    pub needs: Vec<Ours>,
    /// The calls, in order (`backend.call.<name>`).
    pub calls: Vec<&'static str>,
    /// Read and shown, not sent (see [`Left`]).
    pub left: Vec<Left>,
    /// What the owner should look at although everything sent is stored (see [`Warning`]).
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// What the preview promised, to tell whether it still holds at send time.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for r in &self.rows {
            h.update(format!("{}\u{0}{:?}\u{0}{:?}\u{1}", r.field, r.now, r.will));
        }
        for n in &self.needs {
            h.update(n.key());
        }
        for l in &self.left {
            h.update(format!("{}\u{0}{:?}\u{2}", l.field, l.now));
        }
        for w in &self.warnings {
            h.update(format!(
                "{}\u{0}{:?}\u{0}{:?}\u{3}",
                w.field, w.holds, w.scenes
            ));
        }
        hex(&h.finalize())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One write request and the backend fields it stores.
#[derive(Debug, Clone)]
pub struct Write {
    /// `backend.call.<call>` names it for the report.
    pub call: &'static str,
    pub request: Request,
}

/// Per field, after the push: sent, stored (its call was accepted), checked (read
/// back equal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldResult {
    pub field: String,
    pub ours: Option<Ours>,
    /// Not ours: a value the backend held, sent back so it is not emptied.
    pub kept: bool,
    pub sent: bool,
    pub stored: bool,
    pub checked: bool,
    /// What the read-back returned (masked as in the preview).
    pub read_back: Option<Shown>,
}

/// Where an adapter's write calls stand: how many the backend accepted, in order,
/// and the one it refused, after which nothing more is sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Writes {
    accepted: usize,
    refused: Option<usize>,
}

impl Writes {
    /// The call to send now (its index), unless one was refused.
    pub fn next(&self) -> Option<usize> {
        self.refused.is_none().then_some(self.accepted)
    }

    /// Takes a write's verdict: accepted moves on to the next call; a refusal ends
    /// the writes, except one that `again` says the same call may be sent again
    /// after (a lost session, the receiver's 5xx), which leaves the state as it was.
    pub fn record<T>(
        &mut self,
        verdict: Result<T, Stop>,
        again: impl Fn(&Stop) -> bool,
    ) -> Result<T, Stop> {
        match verdict {
            Ok(v) => {
                self.accepted += 1;
                Ok(v)
            }
            Err(e) if again(&e) => Err(e),
            Err(e) => {
                self.refused = Some(self.accepted);
                Err(e)
            }
        }
    }

    /// Call `i` went to the backend: accepted, or the one refused.
    pub fn sent(&self, i: usize) -> bool {
        self.stored(i) || self.refused == Some(i)
    }

    /// Call `i` was accepted.
    pub fn stored(&self, i: usize) -> bool {
        i < self.accepted
    }
}

/// For [`Writes::record`]: the session ended, the same call goes again after a
/// new login.
pub fn logged_out(e: &Stop) -> bool {
    matches!(e, Stop::LoggedOut { .. })
}

/// One backend's admin protocol, as a state machine the driver runs: log in, read
/// (`next_read` until `None`), plan, write (`next_write` until `None`), then
/// [`Adapter::reread`] and read again for the check. A step whose reply is judged
/// [`Stop::LoggedOut`] leaves the state as it was, so the driver may log in again
/// and ask for the same step.
pub trait Adapter: Send {
    fn kind(&self) -> BackendKind;
    /// The login request; `None` when the backend takes a token instead.
    fn login(&self, account: &str, password: &str) -> Option<Request>;
    fn logged_in(&mut self, reply: &Reply) -> Result<(), Stop>;
    fn next_read(&self) -> Option<Request>;
    fn read(&mut self, reply: &Reply) -> Result<(), Stop>;
    /// After the reads: what the push will change.
    fn plan(&self) -> Plan;
    fn next_write(&self) -> Option<Write>;
    fn wrote(&mut self, reply: &Reply) -> Result<(), Stop>;
    /// Forgets what was read, so the next reads are the read-back.
    fn reread(&mut self);
    /// After the read-back: every field sent, with what became of it.
    fn results(&self) -> Vec<FieldResult>;
    /// A refused write may be sent again (the generic receiver's idempotent POST).
    fn retries_writes(&self) -> bool {
        false
    }
}

/// The address typed cannot lead to this backend's API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AddressProblem {
    NotAnAddress,
    /// ShopXO's admin is reached through its renamed entry file (`adminXXXX.php`).
    NoShopxoEntry,
}

/// A backend's admin address as typed: `https://shop.example.com/admin/#/login`,
/// `https://shop.example.com/`, `https://shop.example.com/adminapi/...` all give
/// `https://shop.example.com` (the site the admin pages and their API live on).
pub fn site_root(typed: &str) -> Result<String, AddressProblem> {
    let u = url::Url::parse(typed.trim()).map_err(|_| AddressProblem::NotAnAddress)?;
    if u.host_str().is_none() || !matches!(u.scheme(), "http" | "https") {
        return Err(AddressProblem::NotAnAddress);
    }
    let mut kept = Vec::new();
    for seg in u.path_segments().into_iter().flatten() {
        let lower = seg.to_ascii_lowercase();
        if lower.starts_with("admin") || lower.ends_with(".php") || lower.ends_with(".html") {
            break;
        }
        if !seg.is_empty() {
            kept.push(seg);
        }
    }
    let origin = u.origin().ascii_serialization();
    Ok(if kept.is_empty() {
        origin
    } else {
        format!("{origin}/{}", kept.join("/"))
    })
}

/// Writes a field's result from what was sent, accepted and read back. A value of
/// ours is checked only when it read back as this shop's own: one the shop lacks
/// (sent back as the backend held it) is never "checked", whatever came back.
pub fn field_result(
    field: &str,
    ours: Option<Ours>,
    expected: &str,
    stored: bool,
    read_back: Option<&str>,
    ours_value: Option<&str>,
) -> FieldResult {
    let equal = |v: &str| read_back.is_some_and(|r| same(r, v));
    let is_ours = match ours {
        Some(o) if o.bound() => ours_value.is_some_and(equal),
        _ => true,
    };
    FieldResult {
        field: field.to_owned(),
        ours,
        kept: ours.is_none(),
        sent: true,
        stored,
        checked: stored && equal(expected) && is_ours,
        read_back: read_back.map(|r| match ours {
            None if secret_name(field) && !r.trim().is_empty() => Shown::Hidden {
                chars: r.trim().chars().count(),
            },
            _ => Shown::of(ours, r, ours_value),
        }),
    }
}

#[cfg(test)]
mod tests {

    /// Second CLI trial, wording: "set, 1 characters" is "set, 1 character".
    #[test]
    fn one_character_is_said_in_the_singular() {
        use crate::i18n::{Lang, Tr};
        let one = Shown::Masked {
            chars: 1,
            ours: false,
        };
        let en = Tr(Lang::En);
        assert_eq!(en.msg(&one), "set, 1 character (not this shop's)");
        assert_eq!(
            en.msg(&Shown::Hidden { chars: 1 }),
            "set, 1 character (hidden)"
        );
        let two = Shown::Masked {
            chars: 2,
            ours: false,
        };
        assert!(en.msg(&two).contains("2 characters"));
    }
    use super::*;

    #[test]
    fn the_site_of_an_admin_address() {
        for (typed, want) in [
            ("https://shop.example.com", "https://shop.example.com"),
            ("https://shop.example.com/", "https://shop.example.com"),
            ("https://shop.example.com/admin", "https://shop.example.com"),
            (
                "https://shop.example.com/admin/#/login",
                "https://shop.example.com",
            ),
            (
                "http://127.0.0.1:8080/adminapi/setting.pay.pay_config/setConfig",
                "http://127.0.0.1:8080",
            ),
            ("https://x.cn/mall/admin/index.html", "https://x.cn/mall"),
            ("https://x.cn/index.php", "https://x.cn"),
        ] {
            assert_eq!(site_root(typed).as_deref(), Ok(want), "{typed}");
        }
        for bad in ["", "shop.example.com", "ftp://x/", "not a url"] {
            assert_eq!(site_root(bad), Err(AddressProblem::NotAnAddress), "{bad:?}");
        }
    }

    #[test]
    fn secrets_are_masked_and_pems_named() {
        assert_eq!(
            Shown::of(Some(Ours::ApiKeyV3), "k".repeat(32).as_str(), None),
            Shown::Masked {
                chars: 32,
                ours: false
            }
        );
        assert_eq!(
            Shown::of(Some(Ours::ApiKeyV3), "abc", Some("abc")),
            Shown::Masked {
                chars: 3,
                ours: true
            }
        );
        assert_eq!(Shown::of(Some(Ours::MchId), " ", None), Shown::Empty);
        assert_eq!(
            Shown::of(Some(Ours::PrivateKey), "-----BEGIN PRIVATE KEY-----", None),
            Shown::PrivateKey { ours: false }
        );
        assert_eq!(
            Shown::of(
                Some(Ours::Certificate),
                "/uploads/attach/2026/12/07/a.pem",
                None
            ),
            Shown::Path {
                path: "/uploads/attach/2026/12/07/a.pem".into()
            }
        );
        assert!(same("a\r\nb\r\n", "a\nb"));
    }

    /// Second window trial: likeadmin's merchant type shows as its page says it
    /// (普通商户), not as the code `ordinary_merchant` it stores.
    #[test]
    fn a_coded_choice_is_shown_in_words() {
        use crate::i18n::{Lang, Tr};
        let shown = Shown::of(None, "ordinary_merchant", None);
        assert_eq!(Tr(Lang::ZhCn).msg(&shown), "普通商户");
        assert!(Tr(Lang::En).msg(&shown).starts_with("ordinary merchant"));
        let other = Shown::of(None, "special_merchant", None);
        assert_eq!(Tr(Lang::ZhCn).msg(&other), "special_merchant");
    }

    /// Window trial m5: the preview and the result name each field by its backend
    /// page's own label, never a path; no library jargon in what an owner reads.
    #[test]
    fn fields_are_named_by_their_pages_labels_without_jargon() {
        use crate::i18n::{Lang, Tr};
        for lang in Lang::ALL {
            let tr = Tr(lang);
            for (backend, table) in [
                (BackendKind::Likeadmin, likeadmin::LABELS),
                (BackendKind::Crmeb, crmeb::LABELS),
                (BackendKind::Shopxo, shopxo::LABELS),
            ] {
                for (field, _) in table {
                    let l = tr.msg(&FieldLabel {
                        backend,
                        ours: None,
                        field,
                    });
                    let path = field.contains(['_', '.']) && l.contains(field);
                    assert!(!l.contains("(?)") && !path, "{l}");
                }
            }
            let l = tr.msg(&FieldLabel {
                backend: BackendKind::Likeadmin,
                ours: Some(Ours::MchId),
                field: "pay_config.config.mch_id",
            });
            assert!(l.contains("微信支付商户号"), "{l}");
            for why in CANNOT_WHY {
                let c = Cannot {
                    ours: Ours::PublicKeyId,
                    why,
                };
                assert!(!tr.msg(&c).contains("EasyWeChat"), "{}", tr.msg(&c));
            }
        }
    }

    /// Trial minor 14: a gzip or other binary body is summarised, not dumped as
    /// hundreds of escapes.
    #[test]
    fn a_binary_body_is_summarised() {
        let gzip = String::from_utf8_lossy(&[
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48, 0xcd, 0xc9, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        .repeat(20);
        let Stop::Unexpected { detail, .. } = Stop::unexpected(&Reply::new(200, &gzip)) else {
            panic!()
        };
        assert!(detail.chars().count() < 40, "{detail:?}");
        assert!(
            !detail.contains('\u{0}') && !detail.contains('\u{fffd}'),
            "{detail:?}"
        );
        // text stays text
        assert_eq!(snippet("  密码错误 "), "密码错误");
    }

    #[test]
    fn writes_move_on_when_accepted_wait_on_a_lost_session_and_end_on_a_refusal() {
        let refused = || Stop::Refused {
            message: "no".into(),
        };
        let lost = || Stop::LoggedOut {
            message: "again".into(),
        };
        let mut w = Writes::default();
        assert_eq!(w.next(), Some(0));
        assert!(!w.sent(0));
        assert_eq!(w.record(Ok(7), logged_out), Ok(7));
        assert_eq!(w.next(), Some(1));
        assert!(w.sent(0) && w.stored(0) && !w.sent(1));
        assert_eq!(w.record::<()>(Err(lost()), logged_out), Err(lost()));
        assert_eq!(w.next(), Some(1), "the same call goes again");
        assert_eq!(w.record::<()>(Err(refused()), logged_out), Err(refused()));
        assert_eq!(w.next(), None, "nothing after a refusal");
        assert!(w.sent(1) && !w.stored(1) && !w.sent(2));
    }

    #[test]
    fn a_request_never_prints_its_headers_or_values() {
        let r = Request::post(
            "https://x/adminapi/setConfig".into(),
            Body::Form(vec![("pay_weixin_key".into(), "S3cretS3cret".into())]),
        )
        .header("token", "t0ken-value");
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("S3cret") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(shown.contains("pay_weixin_key"), "{shown}");
        let v = Values::from_pairs(SiteKind::MiniProgram, &[(Ours::ApiKeyV2, "S3cretS3cret")]);
        assert!(!format!("{v:?}").contains("S3cret"));
    }
}
