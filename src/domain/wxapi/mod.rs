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

/// A random string of [0-9A-Za-z] (nonce, fake order number, fake login code).
pub fn random_token(len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(rng.sample(rand::distr::Alphanumeric)))
        .collect()
}
