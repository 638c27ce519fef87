//! WeChat's APIs as pure functions: build the requests of the side-effect-free
//! checks (facts file, section 4), and read their replies into an [`Outcome`]
//! that says exactly what the reply proves (facts §4a): which value is wrong and
//! what to do, "right" only for what WeChat showed, and "unproven" where no
//! side-effect-free reply can tell. The replies WeChat is known to give live in
//! one table, [`known::KNOWN_REPLIES`]. No I/O here.

pub mod clock;
pub mod known;
pub mod mp;
pub mod v2;
pub mod v3;

use serde::{Deserialize, Serialize};

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

/// How a set of check results stands, counted by what each proves: the one
/// summary the shop list, the summary page, the report and `verify` share, so
/// that "could not check" is never counted as "wrong" anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub ok: usize,
    pub unproven: usize,
    pub fail: usize,
    /// Could not check (offline, WeChat busy, unexpected reply).
    pub error: usize,
}

impl Tally {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Tally {
        let mut t = Tally::default();
        for s in statuses {
            match s {
                Status::Ok => t.ok += 1,
                Status::Unproven => t.unproven += 1,
                Status::Fail => t.fail += 1,
                Status::Error => t.error += 1,
                Status::Skipped => {}
            }
        }
        t
    }

    /// Checks that ran to any result (skipped ones do not count).
    pub fn total(&self) -> usize {
        self.ok + self.unproven + self.fail + self.error
    }

    /// Nothing wrong and nothing left unchecked (unproven values are allowed:
    /// no side-effect-free reply can prove them).
    pub fn all_good(&self) -> bool {
        self.fail == 0 && self.error == 0
    }
}

/// "3 项通过、1 项未能检查": each count that is not zero, in the order ok,
/// unproven, fail, error.
impl crate::i18n::Message for Tally {
    fn key(&self) -> String {
        if self.total() == 0 {
            "tally.none".into()
        } else {
            "tally.line".into()
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::Arg;
        let parts = [
            ("tally.ok", self.ok),
            ("tally.unproven", self.unproven),
            ("tally.fail", self.fail),
            ("tally.error", self.error),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| Arg::Nested(key.into(), vec![("n", Arg::Text(n.to_string()))]))
        .collect();
        vec![("parts", Arg::List(parts))]
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
        for part in self.code.iter().chain(self.message.iter()) {
            write!(f, " · {part}")?;
        }
        Ok(())
    }
}

impl WeChatWords {
    pub fn new(http: u16, code: Option<&str>, message: Option<&str>) -> Self {
        let keep = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(v2::truncate);
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
    /// WeChat asked us to come back later: worth an automatic retry.
    pub fn is_retryable(&self) -> bool {
        matches!(self.code.as_str(), "system_error" | "busy" | "rate_limited")
    }
}

/// The reply headers the checks read: `Date` (the clock) and the `Wechatpay-*`
/// signature headers of WeChat Pay APIv3.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyHeaders {
    pub date: Option<String>,
    pub wechatpay_serial: Option<String>,
    pub wechatpay_signature: Option<String>,
    pub wechatpay_timestamp: Option<String>,
    pub wechatpay_nonce: Option<String>,
}

impl crate::i18n::Message for Outcome {
    fn key(&self) -> String {
        format!("check.{}", self.code)
    }
    /// A `fields` value ("mchid, private_key") lists the missing values by the
    /// names the user knows: a form field's label, else the check's own word.
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::domain::fields::FieldId;
        use crate::i18n::Arg;
        self.args
            .iter()
            .filter_map(|(k, v)| {
                // the trait's names are static: an Outcome read back from JSON
                // carries owned ones, so map them onto the known placeholders
                let name = OUTCOME_ARGS.iter().find(|n| **n == k.as_str())?;
                let arg = if *name == "fields" {
                    Arg::List(
                        v.split(", ")
                            .map(|f| match FieldId::from_key(f) {
                                Some(id) => Arg::Key(format!("field.{}.label", id.key())),
                                None => Arg::Key(format!("check.field.{f}")),
                            })
                            .collect(),
                    )
                } else {
                    Arg::Text(v.clone())
                };
                Some((*name, arg))
            })
            .collect()
    }
}

/// Every placeholder an outcome's text may use.
pub const OUTCOME_ARGS: [&str; 6] = ["fields", "detail", "code", "len", "minutes", "serial"];

/// A random string of [0-9A-Za-z] (nonce, fake order number, fake login code).
pub fn random_token(len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(rng.sample(rand::distr::Alphanumeric)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn a_tally_counts_could_not_check_apart_from_wrong() {
        use Status::*;
        let t = Tally::of([Ok, Unproven, Error, Skipped, Ok]);
        assert_eq!((t.ok, t.unproven, t.fail, t.error), (2, 1, 0, 1));
        assert_eq!(t.total(), 4);
        assert!(!t.all_good(), "offline leaves the shop unchecked");
        assert!(
            Tally::of([Ok, Unproven]).all_good(),
            "unproven is not a problem"
        );
        assert!(!Tally::of([Ok, Fail]).all_good());
        use crate::i18n::{Lang, Tr};
        assert_eq!(
            Tr(Lang::ZhCn).msg(&t),
            "2 项通过、1 项格式正确但无法在线证明、1 项未能检查"
        );
        assert_eq!(Tr(Lang::En).msg(&Tally::default()), "not checked yet");
    }

    #[test]
    fn unproven_is_its_own_status_and_neither_a_problem_nor_ok() {
        assert_eq!(
            serde_json::to_string(&Status::Unproven).unwrap(),
            r#""unproven""#
        );
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.key())
            );
        }
        let u = Status::Unproven;
        assert!(u.is_verdict() && !u.is_problem() && !u.needs_edit() && !u.needs_retry());
        assert!(Status::Error.is_problem() && Status::Error.needs_retry());
        assert!(!Status::Error.is_verdict() && !Status::Error.needs_edit());
        assert!(Status::Fail.is_problem() && Status::Fail.needs_edit());
        assert!(!Status::Skipped.is_problem() && !Status::Skipped.is_verdict());
    }

    #[test]
    fn wechat_words_serialize_as_http_code_message_and_old_results_still_load() {
        let o = Outcome::fail("pay_wrong_key").heard(WeChatWords::new(
            200,
            Some("FAIL"),
            Some("签名错误"),
        ));
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(
            json["wechat"],
            serde_json::json!({"http": 200, "code": "FAIL", "message": "签名错误"})
        );
        // a reply without a code or message: null in JSON, left out in TOML
        let mut o = Outcome::error("bad_reply").heard(WeChatWords::new(502, None, Some("  ")));
        o.clock_skew_secs = Some(-600);
        assert_eq!(
            serde_json::to_value(&o).unwrap()["wechat"],
            serde_json::json!({"http": 502, "code": null, "message": null})
        );
        #[derive(Serialize, Deserialize)]
        struct Record {
            outcome: Outcome,
        }
        let text = toml::to_string(&Record { outcome: o.clone() }).unwrap();
        let back: Record = toml::from_str(&text).unwrap();
        assert_eq!(back.outcome, o);
        // a result saved before these fields existed
        let old: Record =
            toml::from_str("[outcome]\nstatus = \"ok\"\ncode = \"pay_ok\"\nargs = []\n").unwrap();
        assert_eq!(old.outcome, Outcome::ok("pay_ok"));
        assert!(!toml::to_string(&old).unwrap().contains("wechat"));
    }

    #[test]
    fn every_status_has_a_label() {
        for lang in Lang::ALL {
            for s in Status::ALL {
                let key = format!("check.status.{}", s.key());
                assert_ne!(Tr(lang).t(&key), "(?)", "{key}");
            }
        }
    }

    #[test]
    fn missing_values_are_named_by_their_labels() {
        let missing = Outcome::error("missing_values").with("fields", "mchid, private_key");
        assert_eq!(
            Tr(Lang::ZhCn).msg(&missing),
            "还不能检查：缺少 微信支付商户号（MCHID）、私钥（apiclient_key.pem）。"
        );
        assert_eq!(
            Tr(Lang::En).msg(&missing),
            Tr(Lang::En).tf(
                "check.missing_values",
                &[(
                    "fields",
                    format!(
                        "{}, {}",
                        Tr(Lang::En).t("field.mchid.label"),
                        Tr(Lang::En).t("check.field.private_key")
                    )
                )]
            )
        );
    }

    #[test]
    fn an_outcome_read_back_from_json_keeps_its_detail() {
        let o = Outcome::fail("pay_other").with("detail", "NOAUTH 无权限");
        let back: Outcome = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        let text = Tr(Lang::En).msg(&back);
        assert!(text.contains("NOAUTH 无权限"), "{text}");
    }
}
