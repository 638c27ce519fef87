//! A problem found in the user's input or files: a stable code (also the i18n key
//! `problem.<code>`), a severity, and the values the message needs.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn error(code: &'static str) -> Self {
        Self {
            code,
            severity: Severity::Error,
            args: Vec::new(),
        }
    }

    pub fn warning(code: &'static str) -> Self {
        Self {
            code,
            severity: Severity::Warning,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The i18n key of the message.
    pub fn message_key(&self) -> String {
        format!("problem.{}", self.code)
    }
}

impl crate::i18n::Message for Problem {
    fn key(&self) -> String {
        self.message_key()
    }
    /// A `check` value is a check id, shown by its localized name.
    fn args(&self) -> Vec<(&'static str, crate::i18n::Arg)> {
        use crate::i18n::Arg;
        self.args
            .iter()
            .map(|(k, v)| match *k {
                "check" => (*k, Arg::Key(format!("check.id.{v}"))),
                _ => (*k, Arg::Text(v.clone())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn a_check_argument_is_shown_by_its_name() {
        let p = Problem::error("x")
            .with("check", "pay_mp")
            .with("other", "pay_mp");
        let args = crate::i18n::Message::args(&p);
        assert_eq!(
            args,
            [
                ("check", crate::i18n::Arg::Key("check.id.pay_mp".into())),
                ("other", crate::i18n::Arg::Text("pay_mp".into())),
            ]
        );
        let name = Tr(Lang::En).t("check.id.pay_mp");
        assert_ne!(name, "pay_mp");
        assert_eq!(
            Tr(Lang::En).msg(&Problem::error("profile_name_empty")),
            Tr(Lang::En).t("problem.profile_name_empty")
        );
    }
}
