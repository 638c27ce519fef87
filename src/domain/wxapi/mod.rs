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

use serde::Serialize;

pub use super::record::{Outcome, Status, WeChatWords};

/// How a set of check results stands, counted by what each proves: the one
/// summary the shop list, the summary page, the report and `verify` share, so
/// that "could not check" is never counted as "wrong" anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub ok: usize,
    /// Unproven items the merchant confirmed where WeChat shows them (the
    /// AppID bindings): counted apart, never as WeChat's proof.
    pub confirmed: usize,
    pub unproven: usize,
    pub fail: usize,
    /// Could not check (offline, WeChat busy, unexpected reply).
    pub error: usize,
    /// A value a check read changed since: its old verdict no longer holds
    /// (see `check::tally`), counted apart and never as its old verdict.
    pub stale: usize,
}

impl Tally {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Tally {
        let mut t = Tally::default();
        for s in statuses {
            t.add(s, false);
        }
        t
    }

    /// Counts one result; `confirmed`: an unproven item the merchant confirmed.
    pub fn add(&mut self, status: Status, confirmed: bool) {
        match status {
            Status::Ok => self.ok += 1,
            Status::Unproven if confirmed => self.confirmed += 1,
            Status::Unproven => self.unproven += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Skipped => {}
        }
    }

    /// Checks that ran to any result (skipped ones do not count).
    pub fn total(&self) -> usize {
        self.ok + self.confirmed + self.unproven + self.fail + self.error + self.stale
    }

    /// Nothing wrong, nothing left unchecked and nothing to check again
    /// (unproven values are allowed: no side-effect-free reply can prove them).
    pub fn all_good(&self) -> bool {
        self.fail == 0 && self.error == 0 && self.stale == 0
    }
}

/// "3 项通过、1 项未能检查": each count that is not zero, in the order ok,
/// confirmed by the merchant, unproven, fail, error.
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
            ("tally.confirmed", self.confirmed),
            ("tally.unproven", self.unproven),
            ("tally.fail", self.fail),
            ("tally.error", self.error),
            ("tally.stale", self.stale),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| Arg::Nested(key.into(), vec![("n", Arg::Text(n.to_string()))]))
        .collect();
        vec![("parts", Arg::List(parts))]
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
                let arg = if *name == "cause" {
                    Arg::Key(format!("cause.{v}"))
                } else if *name == "fields" {
                    Arg::List(
                        v.split(", ")
                            .map(|f| match FieldId::from_key(f) {
                                Some(id) => Arg::Key(format!("field.{}.label", id.key())),
                                None => Arg::Key(format!("check.field.{f}")),
                            })
                            .collect(),
                    )
                } else if *name == "detail" {
                    // a reply's body: "an empty reply", "not text (N bytes)", or the text
                    crate::domain::text::quoted(v)
                } else {
                    Arg::Text(v.clone())
                };
                Some((*name, arg))
            })
            .chain(self.derived_cause())
            .chain(self.derived_seconds())
            .collect()
    }
}

impl Outcome {
    /// A network failure recorded before outcomes carried their cause: the
    /// cause read from its detail, so the message is in words all the same.
    fn derived_cause(&self) -> Option<(&'static str, crate::i18n::Arg)> {
        let net = self.code.starts_with("net_");
        let has = self.args.iter().any(|(k, _)| k == "cause");
        if !net || has {
            return None;
        }
        let detail = self
            .args
            .iter()
            .find(|(k, _)| k == "detail")
            .map_or("", |(_, v)| v.as_str());
        let code = crate::domain::cause::cause_of(detail).unwrap_or(crate::domain::cause::NETWORK);
        Some(("cause", crate::i18n::Arg::Key(format!("cause.{code}"))))
    }

    /// A timeout remembered before outcomes named their limit: it was 10 s then.
    fn derived_seconds(&self) -> Option<(&'static str, crate::i18n::Arg)> {
        let has = self.args.iter().any(|(k, _)| k == "seconds");
        (self.code == "net_timeout" && !has).then(|| ("seconds", "10".to_owned().into()))
    }
}

/// Every placeholder an outcome's text may use.
pub const OUTCOME_ARGS: [&str; 9] = [
    "fields", "detail", "code", "len", "minutes", "serial", "appid", "cause", "seconds",
];

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
        let changed = Tally {
            stale: 2,
            ..Tally::of([Ok])
        };
        assert!(!changed.all_good(), "a changed value is checked again");
        assert_eq!(Tr(Lang::ZhCn).msg(&changed), "1 项通过、2 项需要重新检查");
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
        #[derive(Serialize, serde::Deserialize)]
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
