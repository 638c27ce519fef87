//! WeChat's APIs as pure functions: build the requests of the side-effect-free
//! checks (facts file, section 4), and read their replies into an [`Outcome`]
//! that says exactly which value is wrong and what to do. No I/O here.

pub mod mp;
pub mod v2;
pub mod v3;

use serde::{Deserialize, Serialize};

/// The verdict of one online check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The values are proven right.
    Ok,
    /// WeChat says a value is wrong.
    Fail,
    /// Could not check (network, WeChat busy, unreadable reply).
    Error,
    /// Not applicable, or a value it needs is missing.
    Skipped,
}

/// A check's result: a stable code (also the i18n key `check.<code>`) and the
/// values its message needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    pub code: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
}

impl Outcome {
    pub fn new(status: Status, code: &str) -> Self {
        Outcome {
            status,
            code: code.to_owned(),
            args: Vec::new(),
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
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }
    /// WeChat asked us to come back later: worth an automatic retry.
    pub fn is_retryable(&self) -> bool {
        matches!(self.code.as_str(), "system_error" | "busy" | "rate_limited")
    }
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
pub const OUTCOME_ARGS: [&str; 3] = ["fields", "detail", "code"];

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
