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
